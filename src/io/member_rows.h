/*
 * member_rows.h - a member list file (CSV or XLSX) read as member records
 * in the API's own shape (issue 16, items 1-3): each data row becomes the
 * fields of POST /api/v1/members' body (core/member_columns.h,
 * member_fields_t), for the registry's own rules to check
 * (api_member_check), without a JSON object made for each row (a tenth of
 * a dry run's time went to making and freeing them).
 *
 * The table is found as people lay it out (core/member_columns.h): its
 * header below the title rows (or the row the caller names), the column
 * numbers some templates put under it skipped, rows with nothing but a
 * row number skipped, and its end before the signatures or totals; the
 * rows after that are counted, not read. Columns are named by their
 * headers, or by the caller's mapping (a saved template, or the user's
 * choice): each entry names a field for the column with a given header
 * text (compared folded) or at a given position; two columns of one field
 * are refused (field_twice).
 *
 * What a cell holds becomes what the API takes:
 *   - dates (of birth, of joining): a spreadsheet's date, or text as
 *     people type it: 5/3/1980, 05-03-1980, 05.03.1980, 1980-03-05;
 *   - sex "Nữ"/"Nam"/F/M, kind "Hội viên"/"Danh dự", yes/no columns
 *     ("x", "có", "1", "yes" and their opposites) into the API's values;
 *   - an ethnic group by its name ("Kinh", "Tày", "Ê Đê") or its number
 *     into its code;
 *   - an ID number or phone number that a spreadsheet stored as a number
 *     gets back its leading zeros (a CCCD begins with 0: its first three
 *     digits are a province code 001..096);
 *   - text typed in the legacy TCVN3 or VNI fonts, found per column from
 *     its first rows (core/legacy_vn.h), is converted to Unicode unless the
 *     caller turns it off.
 * A value that cannot be converted stays as it is, with a detail on its
 * field telling why (not_a_date, only_a_year, two_digit_year), for the
 * importer to report with the registry's own findings.
 *
 * Ownership: member_rows_open gives a reader released with
 * member_rows_close; the row member_rows_next fills is the caller's
 * (member_row_free), its texts in its own buffer, reused by the next row
 * read into it; the columns belong to the reader.
 */
#ifndef UB_MEMBER_ROWS_H
#define UB_MEMBER_ROWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/member_columns.h"
#include "io/sheet.h"
#include "store/org_store.h"

#define MEMBER_ROWS_SAMPLE 200     /* rows read ahead to find a column's legacy encoding */
#define MEMBER_ROWS_HEADER_BUF 256 /* bytes of a header's text kept */
#define MEMBER_ROWS_MAP_MAX 64     /* entries of a mapping */

typedef struct member_map_entry {
	size_t column;                       /* 1-based; 0: the column headed `header` */
	char header[MEMBER_ROWS_HEADER_BUF];
	mcol_t field;
} member_map_entry_t;

typedef struct member_rows_opts {
	const char *path;
	const char *format;                  /* "csv", "xlsx", or NULL: by the file's first bytes */
	const char *sheet;                   /* an XLSX sheet's name; NULL: the first with a header */
	size_t header_line;                  /* the header's line (row); 0: found */
	const member_map_entry_t *map;       /* NULL: the columns guessed from their headers */
	size_t n_map;
	bool keep_legacy;                    /* leave TCVN3 and VNI text as it is */
	const ethnic_group_t *ethnic;        /* the ethnic groups, to read their names */
	size_t n_ethnic;
	sheet_limits_t lim;
} member_rows_opts_t;

typedef struct member_column {
	size_t column;                       /* 1-based */
	char header[MEMBER_ROWS_HEADER_BUF]; /* its text in the header row, "" for none; a longer
						one is cut before the character that does not fit */
	mcol_t field;
	const char *legacy;                  /* "tcvn3", "vni": its text was converted; NULL */
} member_column_t;

typedef struct member_rows member_rows_t;

/* A data row: its fields, their texts (UTF-8, as the readers give them)
 * in buf, which the row owns. */
typedef struct member_row {
	member_fields_t f;
	char *buf;
	size_t cap;
} member_row_t;

/* Opens the file, finds its table and names its columns. Refusals
 * (ERR_BAD_REQUEST): the readers' own (io/csv_stream.h,
 * io/xlsx_reader.h), no_header (no row names a full name and another
 * field; or header_line holds none of the mapping's headers),
 * unknown_sheet (name), unknown_format, no_name_column (the mapping
 * names no full name), field_twice (first, second, value: the mapping
 * gives a field two columns). Returns 0 or -1 with e. */
int member_rows_open(const member_rows_opts_t *o, member_rows_t **out, err_t *e);

/* "csv" or "xlsx"; the sheet read ("" for CSV); the header's line. */
const char *member_rows_format(const member_rows_t *r);
const char *member_rows_sheet(const member_rows_t *r);
size_t member_rows_header_line(const member_rows_t *r);
/* For a CSV file: its encoding and separator (csv_stream.h). */
const char *member_rows_encoding(const member_rows_t *r);
char member_rows_separator(const member_rows_t *r);

/* The header's columns, [0..*n). */
const member_column_t *member_rows_columns(const member_rows_t *r, size_t *n);

/* The next data row into *row (its fields cleared first): 1 with the
 * fields of the mapped columns that have a value, as texts, yes/no
 * columns as MVAL_TRUE or MVAL_FALSE, *line (the file's line or the
 * sheet's row number) and any conversion problem as a detail on its field
 * in *problems (cleared first); 0 when the table has ended; -1 with e (a
 * reader's refusal: the file cannot be read on). */
int member_rows_next(member_rows_t *r, member_row_t *row, size_t *line, err_t *problems, err_t *e);

/* Frees the row's buffer; the row is empty again. */
void member_row_free(member_row_t *row);

/* The fields as a request body's member keys (absent ones left out): a
 * new reference; NULL when memory runs out, or for a field that is not
 * text of UTF-8 or a boolean (none once api_member_check passed them). */
json_t *member_fields_json(const member_fields_t *f);

/* Rows left out so far: below the table's end (signatures, totals), and
 * those with nothing but a row number. */
size_t member_rows_after_end(const member_rows_t *r);
size_t member_rows_blank(const member_rows_t *r);

void member_rows_close(member_rows_t *r);

#endif
