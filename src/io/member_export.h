/*
 * member_export.h - a member list written as CSV or XLSX (issue 16, item
 * 6), in the columns an import reads back (core/member_columns.h guesses
 * every header written here as the field it came from), so that export
 * then import changes nothing.
 *
 * Columns: STT, Họ và tên, Ngày sinh, Giới tính, Loại hội viên, Mã chi
 * hội (the code), Tên chi hội (read back as nothing: the code names the
 * unit), Ngày vào Hội (the first day of her stay), Dân tộc (its name),
 * Số CCCD, Số điện thoại (0 and the national number), Tôn giáo, Trình độ
 * học vấn, Trình độ chuyên môn, Lý luận chính trị, Nghề nghiệp, Thôn/tổ dân
 * phố, Địa chỉ, Hoàn cảnh, Năng lực số, Đảng viên ("x" or empty), Ghi chú.
 * Without `sensitive` the columns of sensitive data (Law 91/2025/QH15:
 * ethnic group, religion, ID number, household circumstances) are left
 * out, not emptied.
 *
 * CSV: UTF-8 with a byte order mark (what Excel needs to read UTF-8),
 * commas, CR LF, quotes as RFC 4180; a value that begins with =, +, -, @,
 * a tab or a carriage return is written after an apostrophe, so that a
 * spreadsheet shows it as text instead of running it as a formula (the
 * importer takes the apostrophe off again). XLSX: libxlsxwriter in its
 * constant-memory mode (a row at a time, whatever the list's size), text
 * as text cells (never formulas), dates as date cells, a frozen header.
 *
 * Ownership: member_export_begin gives a writer that member_export_end
 * (or, after a failure, member_export_abort) releases; the file at path is
 * the caller's.
 */
#ifndef UB_MEMBER_EXPORT_H
#define UB_MEMBER_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "store/members.h"
#include "store/org_store.h"

typedef enum member_export_format { EXPORT_CSV = 0, EXPORT_XLSX } member_export_format_t;

typedef struct member_export_opts {
	member_export_format_t format;
	bool sensitive;                 /* the caller may read sensitive data */
	const ethnic_group_t *ethnic;   /* to name the ethnic groups */
	size_t n_ethnic;
	const char *tmpdir;             /* XLSX: libxlsxwriter's temporary files; NULL: $TMPDIR */
} member_export_opts_t;

typedef struct member_export member_export_t;

/* Creates the file at path and writes the header. Returns 0 or -1 with e. */
int member_export_begin(const char *path, const member_export_opts_t *o, member_export_t **out, err_t *e);

/* Writes member m (her stay on the day asked in m->m, when current). */
int member_export_row(member_export_t *x, const member_t *m, err_t *e);

/* Finishes the file and releases x (also on failure). */
int member_export_end(member_export_t *x, err_t *e);

/* Releases x after a failure; the file is left as it is for the caller to
 * remove. */
void member_export_abort(member_export_t *x);

/* The rows written so far. */
size_t member_export_count(const member_export_t *x);

/* The value an import reads for a CSV cell written by this module: the
 * apostrophe before a value that would be a formula, or that begins with
 * an apostrophe, taken off. Returns s itself or s + 1. (XLSX cells are
 * written as text, never guarded.) */
const char *member_export_unguard(const char *s);

#endif
