/*
 * form_xlsx.c - see form_xlsx.h.
 */
#include "io/form_xlsx.h"

#include <stdio.h>
#include <string.h>

#include "io/union_sheet.h"

#define FORM_COLS 7 /* STT, indicator, measure, figure, records, difference, note */

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const indicator_t *find(const form_xlsx_opts_t *o, const char *code)
{
	for (size_t i = 0; i < o->n_inds; i++)
		if (strcmp(o->inds[i].code, code) == 0)
			return &o->inds[i];
	return NULL;
}

/* A number of the form (null: left empty). */
static void figure(union_sheet_t *s, lxw_row_t r, lxw_col_t c, const json_t *v)
{
	if (json_is_integer(v))
		union_number(s, r, c, (double)json_integer_value(v), s->num);
	else if (json_is_real(v))
		union_number(s, r, c, json_real_value(v), s->dec);
	else
		union_put(s, r, c, " ", s->cell);
}

static void lines(const form_xlsx_opts_t *o, union_sheet_t *s)
{
	static const char *const HEADS[FORM_COLS] = { "report.x.no",	     "report.x.indicator", "report.x.measure",
						 "report.x.value",   "report.x.records",   "report.x.difference",
						 "report.x.comment" };
	const json_t *values = json_object_get(o->form, "values"), *code;
	lxw_row_t r = s->row;
	size_t i;

	for (lxw_col_t c = 0; c < FORM_COLS; c++)
		union_put(s, r, c, union_word(s, HEADS[c]), s->head);
	r++;
	json_array_foreach(json_object_get(o->form, "indicators"), i, code) {
		const json_t *v = json_object_get(values, json_string_value(code));
		const indicator_t *ind = find(o, json_string_value(code));
		union_number(s, r, 0, (double)(i + 1), s->num);
		union_put(s, r, 1, ind ? (o->english ? ind->name_en : ind->name_vi) : json_string_value(code), s->cell);
		union_put(s, r, 2, ind ? (o->english ? ind->measure_en : ind->measure_vi) : " ", s->cell);
		figure(s, r, 3, json_object_get(v, "value"));
		figure(s, r, 4, json_object_get(v, "computed"));
		figure(s, r, 5, json_object_get(v, "difference"));
		union_put(s, r, 6, str(v, "comment")[0] ? str(v, "comment") : " ", s->cell);
		r++;
	}
	s->row = r + 1;
}

int form_xlsx_write(const form_xlsx_opts_t *o, const char *path, err_t *e)
{
	union_sheet_t s = { .word = o->word, .ctx = o->ctx };
	const json_t *unit = json_object_get(o->form, "unit");
	char from[16], to[16], line[512], key[64], label[512];
	date_t d;

	if (union_sheet_open(&s, path, o->tmpdir, FORM_COLS - 1, e))
		return -1;
	worksheet_set_column(s.ws, 0, 0, 5, NULL);
	worksheet_set_column(s.ws, 1, 1, 44, NULL);
	worksheet_set_column(s.ws, 2, 2, 12, NULL);
	worksheet_set_column(s.ws, 3, 5, 12, NULL);
	worksheet_set_column(s.ws, 6, 6, 24, NULL);
	from[0] = to[0] = '\0';
	if (date_parse(str(o->form, "from"), &d) == 0)
		union_dmy(d, from, sizeof(from));
	if (date_parse(str(o->form, "to"), &d) == 0)
		union_dmy(d, to, sizeof(to));
	snprintf(line, sizeof(line), "%s %s (%s - %s)", union_word(&s, "report.x.period"), str(o->form, "period"), from, to);
	union_heading(&s, o->above, o->english ? str(unit, "name_en") : str(unit, "name_vi"), o->title, line);
	snprintf(key, sizeof(key), "forms.status.%s", str(o->form, "status"));
	snprintf(label, sizeof(label), "%s: %s", union_word(&s, "report.x.status"), union_word(&s, key));
	union_merged(&s, s.row++, 0, FORM_COLS - 1, label, s.italic);
	s.row++;
	lines(o, &s);
	if (str(o->form, "explanation")[0]) {
		union_merged(&s, s.row++, 0, FORM_COLS - 1, union_word(&s, "report.x.explanation"), s.bold);
		union_merged(&s, s.row++, 0, FORM_COLS - 1, str(o->form, "explanation"), s.cell);
	}
	union_signatures(&s, o->today);
	return union_sheet_close(&s, e);
}
