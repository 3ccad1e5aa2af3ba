/*
 * csv_table.h - a whole CSV document in memory, parsed by libcsv (RFC 4180:
 * quoted fields, embedded commas and newlines, CRLF, LF or CR).
 *
 * For small files (reference data, demo data, operations files). The first
 * row is the header; csv_col finds a column by its name. Each row remembers
 * the line it started on, for error messages.
 *
 * The reader refuses, naming the line (and the column where there is one),
 * rather than guess: a NUL byte, text that is not UTF-8, a quote that is
 * never closed or stands where it cannot, a header that names a column
 * twice, a field beyond the header's last column, and anything over the
 * bounds below. Every error is ERR_BAD_REQUEST with one of the codes
 * csv_nul_byte, csv_not_utf8, csv_unclosed_quote, csv_stray_quote,
 * csv_text_after_quote, csv_duplicate_column, csv_extra_field,
 * csv_too_many_columns, csv_field_too_long, csv_row_too_long,
 * csv_too_many_rows, csv_too_many_fields, csv_empty, and the parameters
 * line, column (1-based: the field's position in its row), name (the
 * column's header name, when known) and max (a bound). Memory stays within
 * a small multiple of the document's size.
 *
 * Ownership: csv_table_parse fills a csv_table_t that owns all its strings;
 * release it with csv_table_free.
 */
#ifndef UB_CSV_TABLE_H
#define UB_CSV_TABLE_H

#include <stddef.h>

#include "core/err.h"

#define CSV_MAX_COLUMNS ((size_t)1024)          /* fields in a row, header included */
#define CSV_MAX_FIELD ((size_t)64 * 1024)       /* bytes of one field, as read */
#define CSV_MAX_ROW ((size_t)1024 * 1024)       /* bytes of one row, as written in the file */
#define CSV_MAX_ROWS ((size_t)1000000)          /* rows after the header */
#define CSV_MAX_FIELDS ((size_t)8 * 1000000)    /* fields of all rows together */

typedef struct csv_row {
	char **fields; /* fields[0..n), each NUL-terminated valid UTF-8 */
	size_t n;
	size_t line; /* 1-based line the row starts on */
} csv_row_t;

typedef struct csv_table {
	csv_row_t header;
	csv_row_t *rows;
	size_t n_rows;
} csv_table_t;

/* Parses data[0..len). Returns 0, or -1 with e: ERR_BAD_REQUEST, one of the
 * codes above and the line of the first malformed record (ERR_INTERNAL when
 * memory runs out); *out is then empty. Empty lines are skipped. A row may
 * have fewer fields than the header (csv_field gives "" for the missing
 * ones), not more. */
int csv_table_parse(const char *data, size_t len, csv_table_t *out, err_t *e);

void csv_table_free(csv_table_t *t);

/* Index of the header column called name, or -1. */
int csv_col(const csv_table_t *t, const char *name);

/* Field `col` of row r, or "" when the row is short or col < 0. */
const char *csv_field(const csv_row_t *r, int col);

/* Checks the header against the columns a file may have: known[0..n_known),
 * of which the first n_required must be present. Returns 0, or -1 with e
 * (ERR_INVALID) for the first of:
 *   unknown_column  (line, column, name; suggestion: the known name it is
 *                   most likely a misspelling of, when there is one)
 *   missing_column  (line, name)
 *   unnamed_column  (line, column): a column without a name that holds a
 *                   value (line is that value's) */
int csv_check_columns(const csv_table_t *t, const char *const *known, size_t n_known, size_t n_required,
		      err_t *e);

/* The built-in file `name` ("data/...", embedded in the program) parsed
 * into t, its header checked against columns[0..n) (all required).
 * Returns 0, or -1 with e (its message begins with the file's name, also
 * the parameter file) and t empty. */
int csv_table_builtin(const char *name, const char *const *columns, size_t n, csv_table_t *t, err_t *e);

/* The name in known[0..n) closest to name (case and '-'/' ' for '_' aside,
 * then by edit distance, at most 2 edits and fewer than half its length), or
 * NULL when none is close. */
const char *csv_suggest(const char *name, const char *const *known, size_t n);

#endif
