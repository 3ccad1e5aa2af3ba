/*
 * error_copy.c - see error_copy.h.
 */
#include "io/error_copy.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "io/csv_stream.h"
#include "io/xlsx_reader.h"

typedef struct copier {
	csv_stream_t *csv;
	xlsx_reader_t *xlsx;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date_fmt, *err_fmt, *head_fmt;
} copier_t;

static int lxw_fail(lxw_error rc, err_t *e)
{
	return err_fail(e, ERR_INTERNAL, NULL, "the report cannot be written: {reason}",
			ERR_STR("reason", lxw_strerror(rc)));
}

static int open_in(copier_t *c, const error_copy_opts_t *o, err_t *e)
{
	if (strcmp(o->format, "xlsx") != 0)
		return csv_stream_open(o->in_path, &o->lim, &c->csv, e);
	if (xlsx_open(o->in_path, &o->lim, &c->xlsx, e))
		return -1;
	for (size_t i = 0; i < xlsx_sheet_count(c->xlsx); i++)
		if (!o->sheet || !o->sheet[0] || !strcmp(xlsx_sheet_name(c->xlsx, i), o->sheet))
			return xlsx_begin_sheet(c->xlsx, i, e);
	return err_fail(e, ERR_BAD_REQUEST, "unknown_sheet", "the workbook has no sheet called {name}",
			ERR_STR("name", o->sheet));
}

static int open_out(copier_t *c, const error_copy_opts_t *o, const char *out_path, err_t *e)
{
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE, .tmpdir = (char *)o->tmpdir, .use_zip64 = LXW_TRUE };

	c->wb = workbook_new_opt(out_path, &wo);
	if (!c->wb)
		return err_fail(e, ERR_INTERNAL, NULL, "the report cannot be created");
	c->ws = workbook_add_worksheet(c->wb, o->sheet && o->sheet[0] ? o->sheet : NULL);
	c->date_fmt = workbook_add_format(c->wb);
	c->err_fmt = workbook_add_format(c->wb);
	c->head_fmt = workbook_add_format(c->wb);
	if (!c->ws || !c->date_fmt || !c->err_fmt || !c->head_fmt)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	format_set_num_format(c->date_fmt, "dd/mm/yyyy");
	format_set_font_color(c->err_fmt, LXW_COLOR_RED);
	format_set_text_wrap(c->err_fmt);
	format_set_bold(c->head_fmt);
	worksheet_set_column(c->ws, 0, 0, 40, NULL);
	return 0;
}

/* n digits of s as a number, -1 when they are not all digits. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS", as the readers give a date. */
static bool read_datetime(const char *v, lxw_datetime *dt)
{
	size_t len = strlen(v);

	if (len < 10 || v[4] != '-' || v[7] != '-')
		return false;
	dt->year = digits(v, 4);
	dt->month = digits(v + 5, 2);
	dt->day = digits(v + 8, 2);
	if (len >= 19 && v[10] == ' ') {
		dt->hour = digits(v + 11, 2);
		dt->min = digits(v + 14, 2);
		dt->sec = digits(v + 17, 2);
	}
	return dt->year > 0 && dt->month > 0 && dt->day > 0 && dt->hour >= 0 && dt->min >= 0 && dt->sec >= 0;
}

static lxw_error write_cell(copier_t *c, lxw_row_t r, lxw_col_t k, const char *v, unsigned char type)
{
	if (!*v)
		return LXW_NO_ERROR;
	if (type == SHEET_NUMBER)
		return worksheet_write_number(c->ws, r, k, strtod(v, NULL), NULL);
	if (type == SHEET_BOOL)
		return worksheet_write_boolean(c->ws, r, k, strcmp(v, "TRUE") == 0, NULL);
	if (type == SHEET_DATE) {
		lxw_datetime dt = { 0 };
		if (read_datetime(v, &dt))
			return worksheet_write_datetime(c->ws, r, k, &dt, c->date_fmt);
	}
	return worksheet_write_string(c->ws, r, k, v, NULL);
}

/* Rows keep their lines: a CSV file's line n is row n of the copy, an
 * XLSX sheet's row n stays row n. */
static int copy_rows(copier_t *c, const error_copy_opts_t *o, err_t *e)
{
	sheet_row_t row;
	int got;

	while ((got = c->csv ? csv_stream_next(c->csv, &row, e) : xlsx_next_row(c->xlsx, &row, e)) == 1) {
		lxw_row_t r = (lxw_row_t)(row.line - 1);
		const char *note = row.line == o->header_line ? o->column_title : o->annotate(o->ctx, row.line);
		lxw_error rc = LXW_NO_ERROR;

		if (r >= LXW_ROW_MAX)
			break;
		if (note && *note)
			rc = worksheet_write_string(c->ws, r, 0, note,
						    row.line == o->header_line ? c->head_fmt : c->err_fmt);
		for (size_t k = 0; !rc && k < row.n && k + 1 < LXW_COL_MAX; k++)
			rc = write_cell(c, r, (lxw_col_t)(k + 1), row.cells[k], row.types[k]);
		if (rc)
			return lxw_fail(rc, e);
	}
	return got < 0 ? -1 : 0;
}

int error_copy_xlsx(const error_copy_opts_t *o, const char *out_path, err_t *e)
{
	copier_t c;
	int r;

	memset(&c, 0, sizeof(c));
	r = open_in(&c, o, e) || open_out(&c, o, out_path, e) || copy_rows(&c, o, e) ? -1 : 0;
	if (c.wb) {
		lxw_error rc = workbook_close(c.wb);
		if (!r && rc)
			r = lxw_fail(rc, e);
	}
	csv_stream_close(c.csv);
	xlsx_close(c.xlsx);
	return r;
}
