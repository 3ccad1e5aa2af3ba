/*
 * member_export.c - see member_export.h.
 */
#include "io/member_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/date.h"
#include "core/member_columns.h"

typedef enum col {
	C_SEQ, C_NAME, C_BIRTH, C_SEX, C_KIND, C_UNIT, C_UNIT_NAME, C_JOINED, C_ETHNIC, C_ID, C_PHONE, C_RELIGION,
	C_EDUCATION, C_QUALIFICATION, C_THEORY, C_OCCUPATION, C_HAMLET, C_STREET, C_CIRC, C_DIGITAL, C_PARTY, C_NOTES,
	C_COUNT
} col_t;

static const struct {
	const char *header;
	bool sensitive;
	bool date;
	double width;
} COLS[C_COUNT] = {
	[C_SEQ] = { "STT", false, false, 6 },
	[C_NAME] = { "Họ và tên", false, false, 26 },
	[C_BIRTH] = { "Ngày sinh", false, true, 12 },
	[C_SEX] = { "Giới tính", false, false, 9 },
	[C_KIND] = { "Loại hội viên", false, false, 13 },
	[C_UNIT] = { "Mã chi hội", false, false, 14 },
	[C_UNIT_NAME] = { "Tên chi hội", false, false, 28 },
	[C_JOINED] = { "Ngày vào Hội", false, true, 12 },
	[C_ETHNIC] = { "Dân tộc", true, false, 10 },
	[C_ID] = { "Số CCCD", true, false, 15 },
	[C_PHONE] = { "Số điện thoại", false, false, 14 },
	[C_RELIGION] = { "Tôn giáo", true, false, 12 },
	[C_EDUCATION] = { "Trình độ học vấn", false, false, 14 },
	[C_QUALIFICATION] = { "Trình độ chuyên môn", false, false, 16 },
	[C_THEORY] = { "Lý luận chính trị", false, false, 14 },
	[C_OCCUPATION] = { "Nghề nghiệp", false, false, 16 },
	[C_HAMLET] = { "Thôn/tổ dân phố", false, false, 16 },
	[C_STREET] = { "Địa chỉ", false, false, 24 },
	[C_CIRC] = { "Hoàn cảnh", true, false, 16 },
	[C_DIGITAL] = { "Năng lực số", false, false, 10 },
	[C_PARTY] = { "Đảng viên", false, false, 9 },
	[C_NOTES] = { "Ghi chú", false, false, 24 },
};

struct member_export {
	member_export_opts_t o;
	FILE *csv;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date_fmt, *head_fmt;
	size_t rows;
};

static bool shown(const member_export_t *x, col_t c)
{
	return !COLS[c].sensitive || x->o.sensitive;
}

/* ---- CSV ---- */

/* A value a spreadsheet would run as a formula. */
static bool formula_like(const char *s)
{
	return *s && strchr("=+-@\t\r", *s);
}

/* A value that follows an apostrophe in CSV: one a spreadsheet would
 * run, and one that begins with an apostrophe itself (so that the
 * importer, which takes one off, gives it back as it was). */
static bool guarded(const char *s)
{
	return formula_like(s) || s[0] == '\'';
}

static void csv_cell(FILE *f, const char *s, bool first)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL || guarded(s);

	if (!first)
		fputc(',', f);
	if (quote)
		fputc('"', f);
	if (guarded(s))
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

/* ---- values ---- */

static const char *ethnic_name(const member_export_t *x, const char *code)
{
	for (size_t i = 0; i < x->o.n_ethnic; i++)
		if (!strcmp(x->o.ethnic[i].code, code))
			return x->o.ethnic[i].name_vi;
	return code;
}

/* +84912345678 as people write it: 0912345678. */
static void national_phone(const char *p, char *out, size_t cap)
{
	if (!strncmp(p, "+84", 3))
		snprintf(out, cap, "0%s", p + 3);
	else
		snprintf(out, cap, "%s", p);
}

static void dmy(date_t d, char *out, size_t cap)
{
	char iso[DATE_STR_LEN];
	date_format(d, iso);
	snprintf(out, cap, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* The text of column c for m (dates as dd/mm/yyyy) into buf. */
static const char *value(const member_export_t *x, col_t c, const member_t *m, char *buf, size_t cap)
{
	const person_t *p = &m->p;

	switch (c) {
	case C_SEQ: snprintf(buf, cap, "%zu", x->rows + 1); return buf;
	case C_NAME: return p->full_name;
	case C_BIRTH: dmy(p->birth_date, buf, cap); return buf;
	case C_SEX: return p->sex == SEX_MALE ? "Nam" : "Nữ";
	case C_KIND: return m->current && m->m.kind == MEMBER_HONORARY ? "Danh dự" : "Hội viên";
	case C_UNIT: return m->current ? m->m.unit.code : "";
	case C_UNIT_NAME: return m->current ? m->m.unit.name_vi : "";
	case C_JOINED:
		if (!m->current)
			return "";
		dmy(m->m.valid_from, buf, cap);
		return buf;
	case C_ETHNIC: return p->ethnicity[0] ? ethnic_name(x, p->ethnicity) : "";
	case C_ID: return p->id_number;
	case C_PHONE: national_phone(p->phone, buf, cap); return buf;
	case C_RELIGION: return p->religion;
	case C_EDUCATION: return p->education;
	case C_QUALIFICATION: return p->qualification;
	case C_THEORY: return p->political_theory;
	case C_OCCUPATION: return p->occupation;
	case C_HAMLET: return p->hamlet;
	case C_STREET: return p->street;
	case C_CIRC: return p->circumstances;
	case C_DIGITAL: return p->digital ? "x" : "";
	case C_PARTY: return p->party_member ? "x" : "";
	case C_NOTES: return p->notes;
	case C_COUNT: break;
	}
	return "";
}

/* ---- XLSX ---- */

static int xlsx_fail(lxw_error rc, err_t *e)
{
	return err_fail(e, ERR_INTERNAL, NULL, "the workbook cannot be written: {reason}",
			ERR_STR("reason", lxw_strerror(rc)));
}

static int xlsx_begin(member_export_t *x, const char *path, err_t *e)
{
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE, .tmpdir = (char *)x->o.tmpdir, .use_zip64 = LXW_TRUE };
	lxw_row_t row = 0;
	lxw_col_t k = 0;

	x->wb = workbook_new_opt(path, &wo);
	if (!x->wb)
		return err_fail(e, ERR_INTERNAL, NULL, "the workbook cannot be created");
	x->ws = workbook_add_worksheet(x->wb, "Danh sách");
	x->date_fmt = workbook_add_format(x->wb);
	x->head_fmt = workbook_add_format(x->wb);
	if (!x->ws || !x->date_fmt || !x->head_fmt)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	format_set_num_format(x->date_fmt, "dd/mm/yyyy");
	format_set_bold(x->head_fmt);
	worksheet_freeze_panes(x->ws, 1, 0);
	for (int c = 0; c < C_COUNT; c++) {
		if (!shown(x, (col_t)c))
			continue;
		worksheet_set_column(x->ws, k, k, COLS[c].width, COLS[c].date ? x->date_fmt : NULL);
		lxw_error rc = worksheet_write_string(x->ws, row, k++, COLS[c].header, x->head_fmt);
		if (rc)
			return xlsx_fail(rc, e);
	}
	return 0;
}

static lxw_error xlsx_cell(member_export_t *x, lxw_row_t row, lxw_col_t k, col_t c, const member_t *m)
{
	char buf[64];
	date_t d = c == C_BIRTH ? m->p.birth_date : m->m.valid_from;

	if (c == C_SEQ)
		return worksheet_write_number(x->ws, row, k, (double)(x->rows + 1), NULL);
	if (COLS[c].date && (c == C_BIRTH || m->current)) {
		char iso[DATE_STR_LEN];
		lxw_datetime dt = { 0 };
		date_format(d, iso);
		dt.year = (int)strtol(iso, NULL, 10);
		dt.month = (int)strtol(iso + 5, NULL, 10);
		dt.day = (int)strtol(iso + 8, NULL, 10);
		return worksheet_write_datetime(x->ws, row, k, &dt, x->date_fmt);
	}
	const char *v = value(x, c, m, buf, sizeof(buf));
	/* an empty string cell would still be a cell: write none */
	return *v ? worksheet_write_string(x->ws, row, k, v, NULL) : LXW_NO_ERROR;
}

/* ---- the writer ---- */

int member_export_begin(const char *path, const member_export_opts_t *o, member_export_t **out, err_t *e)
{
	member_export_t *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	x->o = *o;
	if (o->format == EXPORT_XLSX) {
		if (xlsx_begin(x, path, e)) {
			member_export_abort(x);
			return -1;
		}
	} else {
		x->csv = fopen(path, "wb");
		if (!x->csv) {
			free(x);
			return err_fail(e, ERR_INTERNAL, NULL, "the file cannot be created");
		}
		fputs("\xEF\xBB\xBF", x->csv);
		bool first = true;
		for (int c = 0; c < C_COUNT; c++)
			if (shown(x, (col_t)c)) {
				csv_cell(x->csv, COLS[c].header, first);
				first = false;
			}
		fputs("\r\n", x->csv);
	}
	*out = x;
	return 0;
}

int member_export_row(member_export_t *x, const member_t *m, err_t *e)
{
	lxw_col_t k = 0;
	bool first = true;
	char buf[64];

	for (int c = 0; c < C_COUNT; c++) {
		if (!shown(x, (col_t)c))
			continue;
		if (x->wb) {
			lxw_error rc = xlsx_cell(x, (lxw_row_t)(x->rows + 1), k++, (col_t)c, m);
			if (rc)
				return xlsx_fail(rc, e);
		} else {
			csv_cell(x->csv, value(x, (col_t)c, m, buf, sizeof(buf)), first);
			first = false;
		}
	}
	if (x->csv && fputs("\r\n", x->csv) == EOF)
		return err_fail(e, ERR_INTERNAL, NULL, "the file cannot be written");
	x->rows++;
	return 0;
}

int member_export_end(member_export_t *x, err_t *e)
{
	int r = 0;

	if (x->wb) {
		lxw_error rc = workbook_close(x->wb);
		x->wb = NULL;
		if (rc)
			r = xlsx_fail(rc, e);
	}
	if (x->csv && fclose(x->csv) != 0)
		r = err_fail(e, ERR_INTERNAL, NULL, "the file cannot be written");
	x->csv = NULL;
	free(x);
	return r;
}

void member_export_abort(member_export_t *x)
{
	if (!x)
		return;
	if (x->wb)
		workbook_close(x->wb);
	if (x->csv)
		fclose(x->csv);
	free(x);
}

size_t member_export_count(const member_export_t *x)
{
	return x->rows;
}

const char *member_export_unguard(const char *s)
{
	return s[0] == '\'' && guarded(s + 1) ? s + 1 : s;
}
