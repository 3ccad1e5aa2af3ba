/*
 * member_columns.h - the columns of a member list as people head them, and
 * where its table begins and ends (issue 16, item 2). No I/O.
 *
 * A header cell names a field of the member record (the API's member keys:
 * docs/members.md) in Vietnamese with or without its marks, abbreviated,
 * or in English: "Họ và tên", "Ho ten", "Ngày tháng năm sinh", "NS", "Dân
 * tộc", "Số CCCD", "Số định danh", "Chi hội", "Full name", ... The cell is
 * folded (core/text.h: marks, case, đ) and its punctuation read as spaces;
 * it names the field whose longest alias it begins with, word by word
 * ("Ngày sinh (dd/mm/yyyy)" is the date of birth); a header typed in the
 * legacy TCVN3 or VNI fonts ("Hä vµ tªn") is read through them
 * (core/legacy_vn.h) when it names nothing as it is. "ĐT" is left unnamed:
 * it is "điện thoại" in some files and "dân tộc" in others.
 *
 * The header is the row, among the first MCOL_HEADER_SCAN, that names the
 * most fields (the full name among them, and at least two): title rows
 * and merged headings above it name none. The table ends before a row
 * that begins its signature block or its totals ("Người lập biểu", "(Ký,
 * ghi rõ họ tên)", "Xác nhận của ...", "Tổng cộng", "..., ngày ... tháng
 * ... năm ...").
 */
#ifndef UB_MEMBER_COLUMNS_H
#define UB_MEMBER_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#define MCOL_HEADER_SCAN 30  /* rows looked at for the header */

typedef enum mcol {
	MCOL_NONE = 0,           /* not imported */
	MCOL_SEQ,                /* the row's number ("STT"): read, not imported */
	MCOL_FULL_NAME,
	MCOL_BIRTH_DATE,
	MCOL_SEX,
	MCOL_KIND,
	MCOL_UNIT,
	MCOL_JOINED_ON,
	MCOL_ETHNICITY,
	MCOL_ID_NUMBER,
	MCOL_PHONE,
	MCOL_RELIGION,
	MCOL_EDUCATION,
	MCOL_QUALIFICATION,
	MCOL_POLITICAL_THEORY,
	MCOL_OCCUPATION,
	MCOL_HAMLET,
	MCOL_STREET,
	MCOL_CIRCUMSTANCES,
	MCOL_DIGITAL,
	MCOL_PARTY_MEMBER,
	MCOL_NOTES,
	MCOL_COUNT
} mcol_t;

/* A field's value in a member record as given: a request body's member
 * (absent or null: MVAL_ABSENT; a number, array or object: MVAL_OTHER),
 * or a member list's cell. text (MVAL_TEXT only) is borrowed from its
 * giver and has len bytes: a JSON string may hold a NUL before them. */
typedef enum mval_kind { MVAL_ABSENT = 0, MVAL_TEXT, MVAL_TRUE, MVAL_FALSE, MVAL_OTHER } mval_kind_t;

typedef struct mval {
	mval_kind_t kind;
	const char *text;
	size_t len;
} mval_t;

/* A member record's fields as given, by field (MCOL_NONE and MCOL_SEQ
 * stay absent): what the registry's rules check (api_member_check). */
typedef struct member_fields {
	mval_t v[MCOL_COUNT];
} member_fields_t;

/* The field's name: the API's member key ("full_name"), "seq" for the
 * row's number, "" for MCOL_NONE. */
const char *mcol_key(mcol_t f);

/* The field a key names (mcol_key's inverse; "" is MCOL_NONE). Returns 0,
 * or -1 when it names none. */
int mcol_parse(const char *key, mcol_t *out);

/* The field a header cell names, MCOL_NONE when none (or when the text is
 * not UTF-8). */
mcol_t mcol_guess(const char *header);

/* Each of cells[0..n) guessed into out[0..n); a field named by two
 * columns goes to the first, the second is MCOL_NONE. Returns how many
 * fields other than MCOL_SEQ were named. */
size_t mcol_guess_row(const char *const *cells, size_t n, mcol_t *out);

/* Whether guessed row out[0..n) (mcol_guess_row's, naming `named`
 * fields) can be a member list's header: the full name and one more. */
bool mcol_is_header(const mcol_t *fields, size_t n, size_t named);

/* Whether a row, with cells[0..n), begins the block below the table: its
 * first value begins with the words of a signature, a confirmation or a
 * total, or is a place and date line ("Hà Nội, ngày 05 tháng 3 năm
 * 2026"). Only the first: a later cell of a member's row may say "Chủ
 * tịch chi hội". */
bool mcol_is_footer(const char *const *cells, size_t n);

/* Whether cells[0..n) are the column numbers some templates put under the
 * header: "1", "2", ... or "(1)", "(2)", ..., each one more than the last
 * one present. */
bool mcol_is_numbering(const char *const *cells, size_t n);

#endif
