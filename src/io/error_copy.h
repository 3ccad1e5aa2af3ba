/*
 * error_copy.h - the report of an import's bad rows as people read it
 * (issue 16, item 4): an XLSX copy of the file they sent, every row as it
 * was (text as text, numbers as numbers, dates as dates), with a first
 * column that says what is wrong with each bad row. They correct the rows
 * in it and import it again: the added column maps to no field.
 *
 * Memory is bounded whatever the file's size: the file is read row by row
 * (io/csv_stream.h, io/xlsx_reader.h) and the copy written in
 * libxlsxwriter's constant-memory mode.
 *
 * Ownership: the caller's paths and strings; annotate's answer is read
 * before the next call.
 */
#ifndef UB_ERROR_COPY_H
#define UB_ERROR_COPY_H

#include <stddef.h>

#include "core/err.h"
#include "io/sheet.h"

typedef struct error_copy_opts {
	const char *in_path;
	const char *format;           /* "csv" or "xlsx" */
	const char *sheet;            /* the sheet read (XLSX) */
	size_t header_line;           /* its row gets column_title in the new column */
	const char *column_title;     /* "Lỗi" */
	/* the text for the row on line (NULL or "" for a good row) */
	const char *(*annotate)(void *ctx, size_t line);
	void *ctx;
	sheet_limits_t lim;
	const char *tmpdir;           /* libxlsxwriter's temporary files; NULL: $TMPDIR */
} error_copy_opts_t;

/* Writes the copy to out_path. Returns 0 or -1 with e (the readers'
 * refusals, or the copy cannot be written). */
int error_copy_xlsx(const error_copy_opts_t *o, const char *out_path, err_t *e);

#endif
