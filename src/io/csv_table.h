/*
 * csv_table.h - a whole CSV document in memory, parsed by libcsv (RFC 4180:
 * quoted fields, embedded commas and newlines, CRLF or LF).
 *
 * For small files (reference data, demo data). The first row is the
 * header; csv_col finds a column by its name. Each row remembers the line it
 * started on, for error messages.
 *
 * Ownership: csv_table_parse fills a csv_table_t that owns all its strings;
 * release it with csv_table_free.
 */
#ifndef UB_CSV_TABLE_H
#define UB_CSV_TABLE_H

#include <stddef.h>

#include "core/err.h"

typedef struct csv_row {
	char **fields;
	size_t n;
	size_t line; /* 1-based line the row starts on */
} csv_row_t;

typedef struct csv_table {
	csv_row_t header;
	csv_row_t *rows;
	size_t n_rows;
} csv_table_t;

/* Parses data[0..len). Returns 0, or -1 with ERR_BAD_REQUEST and the line of
 * the first malformed record. Empty lines are skipped. */
int csv_table_parse(const char *data, size_t len, csv_table_t *out, err_t *e);

void csv_table_free(csv_table_t *t);

/* Index of the header column called name, or -1. */
int csv_col(const csv_table_t *t, const char *name);

/* Field `col` of row r, or "" when the row is short or col < 0. */
const char *csv_field(const csv_row_t *r, int col);

#endif
