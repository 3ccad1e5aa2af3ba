/*
 * union_sheet.h - a union document as an Excel sheet (libxlsxwriter): the
 * heading (the union above and the unit on the left, the national name and
 * motto on the right), a title and its line, cells in Times New Roman with
 * borders, and the signature block ("..., ngày ... tháng ... năm ...", the
 * preparer and the standing committee). The membership report
 * (io/stats_xlsx.h) and the report forms (io/form_xlsx.h) are both written
 * on one. Its words come from the caller's dictionary ("report.x.*").
 *
 * Ownership: union_sheet_open makes the workbook, union_sheet_close writes
 * and frees it (also after a failure: call it once whatever happened).
 */
#ifndef UB_UNION_SHEET_H
#define UB_UNION_SHEET_H

#include <stdbool.h>
#include <stdint.h>
#include <xlsxwriter.h>

#include "core/date.h"
#include "core/err.h"

typedef struct union_sheet {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *title, *center, *head, *cell, *num, *dec, *total, *italic;
	lxw_row_t row;  /* the next row to write */
	lxw_col_t last; /* the last column of the page (the heading spans 0..last) */
	lxw_error rc;   /* the first failure */
	const char *(*word)(void *ctx, const char *key);
	void *ctx;
} union_sheet_t;

/* A workbook at path of one sheet, columns 0..last; tmpdir for
 * libxlsxwriter's files (NULL: $TMPDIR). Returns 0 or -1 with e. */
int union_sheet_open(union_sheet_t *s, const char *path, const char *tmpdir, lxw_col_t last, err_t *e);

const char *union_word(const union_sheet_t *s, const char *key);
void union_put(union_sheet_t *s, lxw_row_t r, lxw_col_t c, const char *text, lxw_format *f);
void union_merged(union_sheet_t *s, lxw_row_t r, lxw_col_t c1, lxw_col_t c2, const char *text, lxw_format *f);
void union_number(union_sheet_t *s, lxw_row_t r, lxw_col_t c, double n, lxw_format *f);

/* d as dd/mm/yyyy. */
void union_dmy(date_t d, char *out, size_t cap);

/* Rows 0 to 4: the heading (above: the union above's name, "" at the
 * top), the title and the line under it; the next row is 6. */
void union_heading(union_sheet_t *s, const char *above, const char *unit_name, const char *title, const char *line);

/* The signature block, dated today. */
void union_signatures(union_sheet_t *s, date_t today);

/* Writes the file and frees the workbook. Returns 0, or -1 with e when
 * anything failed since union_sheet_open. */
int union_sheet_close(union_sheet_t *s, err_t *e);

#endif
