/*
 * stats_xlsx.c - see stats_xlsx.h.
 */
#include "io/stats_xlsx.h"

#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#define TABLE_COLS 5 /* STT, unit, code, members, branches */

typedef struct sheet {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *title, *center, *head, *cell, *num, *total, *italic;
	lxw_row_t row;
	const stats_xlsx_opts_t *o;
	lxw_error rc;
} sheet_t;

static const char *w(const sheet_t *s, const char *key)
{
	return s->o->word(s->o->ctx, key);
}

static void put(sheet_t *s, lxw_row_t r, lxw_col_t c, const char *text, lxw_format *f)
{
	if (!s->rc && text && *text)
		s->rc = worksheet_write_string(s->ws, r, c, text, f);
}

static void merged(sheet_t *s, lxw_row_t r, lxw_col_t c1, lxw_col_t c2, const char *text, lxw_format *f)
{
	if (!s->rc)
		s->rc = worksheet_merge_range(s->ws, r, c1, r, c2, text, f);
}

static void number(sheet_t *s, lxw_row_t r, lxw_col_t c, int64_t n, lxw_format *f)
{
	if (!s->rc)
		s->rc = worksheet_write_number(s->ws, r, c, (double)n, f);
}

static lxw_format *format(sheet_t *s, bool bold, bool center, bool border, double size)
{
	lxw_format *f = workbook_add_format(s->wb);

	if (!f)
		return NULL;
	if (bold)
		format_set_bold(f);
	if (center)
		format_set_align(f, LXW_ALIGN_CENTER);
	if (border)
		format_set_border(f, LXW_BORDER_THIN);
	if (size > 0)
		format_set_font_size(f, size);
	format_set_font_name(f, "Times New Roman");
	format_set_text_wrap(f);
	return f;
}

static void dmy(date_t d, char *out, size_t cap)
{
	char iso[DATE_STR_LEN];

	date_format(d, iso);
	snprintf(out, cap, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* The heading of a union document and the title. */
static void heading(sheet_t *s)
{
	char line[512], day[16];

	snprintf(line, sizeof(line), "%s %s", w(s, "report.x.union_of"), s->o->above);
	merged(s, 0, 0, 1, s->o->above[0] ? line : w(s, "report.x.union"), s->center);
	merged(s, 0, 2, 4, w(s, "report.x.republic"), s->bold);
	merged(s, 1, 0, 1, s->o->unit->name_vi, s->bold);
	merged(s, 1, 2, 4, w(s, "report.x.motto"), s->bold);
	merged(s, 3, 0, 4, w(s, "report.x.title"), s->title);
	dmy(s->o->as_of, day, sizeof(day));
	snprintf(line, sizeof(line), "%s %s%s", w(s, "report.x.as_of"), day,
		 s->o->stats->mapped ? w(s, "report.x.mapped") : "");
	merged(s, 4, 0, 4, line, s->italic);
	s->row = 6;
}

static void table(sheet_t *s)
{
	static const char *const HEADS[TABLE_COLS] = { "report.x.no", "report.x.unit", "report.x.code", "report.x.members",
						 "report.x.branches" };
	const member_stats_t *st = s->o->stats;
	lxw_row_t r = s->row;
	char name[512];

	for (lxw_col_t c = 0; c < TABLE_COLS; c++)
		put(s, r, c, w(s, HEADS[c]), s->head);
	r++;
	for (size_t i = 0; i < st->n_children; i++, r++) {
		number(s, r, 0, (int64_t)i + 1, s->num);
		put(s, r, 1, st->children[i].unit.name_vi, s->cell);
		put(s, r, 2, st->children[i].unit.code, s->cell);
		number(s, r, 3, st->children[i].total, s->num);
		number(s, r, 4, st->children[i].branches, s->num);
	}
	if (st->direct) {
		snprintf(name, sizeof(name), "%s %s", w(s, "report.x.direct"), s->o->unit->name_vi);
		number(s, r, 0, (int64_t)st->n_children + 1, s->num);
		put(s, r, 1, name, s->cell);
		put(s, r, 2, s->o->unit->code, s->cell);
		number(s, r, 3, st->direct, s->num);
		r++;
	}
	merged(s, r, 0, 2, w(s, "report.x.total"), s->total);
	number(s, r, 3, st->total, s->total);
	number(s, r, 4, st->branches, s->total);
	s->row = r + 2;
}

/* A breakdown's heading, then its rows: label and count. */
static void section(sheet_t *s, const char *key)
{
	merged(s, s->row++, 0, 4, w(s, key), s->bold);
}

static void line(sheet_t *s, const char *label, int64_t n)
{
	merged(s, s->row, 0, 2, label, s->cell);
	number(s, s->row++, 3, n, s->num);
}

static void groups(sheet_t *s, const char *key, const text_groups_t *g)
{
	if (!g->n && !g->other && !g->none)
		return;
	section(s, key);
	for (size_t i = 0; i < g->n; i++)
		line(s, g->groups[i].label, g->groups[i].n);
	if (g->other)
		line(s, w(s, "report.x.other"), g->other);
	if (g->none)
		line(s, w(s, "report.x.none"), g->none);
	s->row++;
}

static void breakdowns(sheet_t *s)
{
	static const char *const AGES[MEMBER_AGE_BANDS] = { "report.x.age.30", "report.x.age.45", "report.x.age.60",
							   "report.x.age.over60", "report.x.age.unknown" };
	const member_stats_t *st = s->o->stats;

	section(s, "report.x.of_whom");
	line(s, w(s, "report.x.honorary"), st->honorary);
	line(s, w(s, "report.x.digital"), st->digital);
	s->row++;
	section(s, "report.x.by_age");
	for (int i = 0; i < MEMBER_AGE_BANDS; i++)
		if (i < MEMBER_AGE_BANDS - 1 || st->age[i])
			line(s, w(s, AGES[i]), st->age[i]);
	s->row++;
	if (st->n_ethnicity) {
		section(s, "report.x.by_ethnicity");
		for (size_t i = 0; i < st->n_ethnicity; i++)
			line(s, st->ethnicity[i].name_vi[0] ? st->ethnicity[i].name_vi : w(s, "report.x.none"),
			     st->ethnicity[i].n);
		s->row++;
	}
	groups(s, "report.x.by_religion", &st->religion);
	groups(s, "report.x.by_education", &st->education);
	groups(s, "report.x.by_occupation", &st->occupation);
}

static void flows(sheet_t *s)
{
	static const char *const LEFT[MEMBER_LEAVE_REASONS] = { "report.x.left.moved_away", "report.x.left.married_away",
								"report.x.left.left", "report.x.left.died",
								"report.x.left.other" };
	const member_flows_t *f = &s->o->stats->flows;
	char from[16], to[16], head[256];

	if (!s->o->stats->has_flows)
		return;
	dmy(f->from, from, sizeof(from));
	dmy(f->to, to, sizeof(to));
	snprintf(head, sizeof(head), "%s %s - %s", w(s, "report.x.flows"), from, to);
	merged(s, s->row++, 0, 4, head, s->bold);
	line(s, w(s, "report.x.opening"), f->opening);
	line(s, w(s, "report.x.joined"), f->joined);
	line(s, w(s, "report.x.rejoined"), f->rejoined);
	line(s, w(s, "report.x.transfers_in"), f->transfers_in);
	line(s, w(s, "report.x.transfers_out"), f->transfers_out);
	for (int i = 0; i < MEMBER_LEAVE_REASONS; i++)
		if (f->left[i])
			line(s, w(s, LEFT[i]), f->left[i]);
	line(s, w(s, "report.x.closing"), f->closing);
	line(s, w(s, "report.x.dues_paid"), f->dues_paid);
	line(s, w(s, "report.x.dues_amount"), f->dues_amount);
	s->row++;
}

/* tmpl with {day}, {month} and {year} of d. */
static void fill_day(const char *tmpl, date_t d, char *out, size_t cap)
{
	char iso[DATE_STR_LEN];
	size_t n = 0;

	date_format(d, iso);
	while (*tmpl && n + 5 < cap) {
		if (!strncmp(tmpl, "{day}", 5) || !strncmp(tmpl, "{month}", 7) || !strncmp(tmpl, "{year}", 6)) {
			const char *part = tmpl[1] == 'd' ? iso + 8 : tmpl[1] == 'm' ? iso + 5 : iso;
			size_t len = tmpl[1] == 'y' ? 4 : 2;
			memcpy(out + n, part, len);
			n += len;
			tmpl = strchr(tmpl, '}') + 1;
			continue;
		}
		out[n++] = *tmpl++;
	}
	out[n] = '\0';
}

static void signatures(sheet_t *s)
{
	char when[256];

	fill_day(w(s, "report.x.place_date"), s->o->today, when, sizeof(when));
	s->row++;
	merged(s, s->row++, 2, 4, when, s->italic);
	merged(s, s->row, 0, 1, w(s, "report.x.preparer"), s->bold);
	merged(s, s->row++, 2, 4, w(s, "report.x.for_committee"), s->bold);
	merged(s, s->row, 0, 1, w(s, "report.x.sign"), s->italic);
	merged(s, s->row++, 2, 4, w(s, "report.x.chair"), s->bold);
	merged(s, s->row++, 2, 4, w(s, "report.x.sign"), s->italic);
}

int stats_xlsx_write(const stats_xlsx_opts_t *o, const char *path, err_t *e)
{
	lxw_workbook_options wo = { .constant_memory = LXW_FALSE, .tmpdir = (char *)o->tmpdir };
	sheet_t s = { .o = o };
	lxw_error rc;

	s.wb = workbook_new_opt(path, &wo);
	if (!s.wb)
		return err_fail(e, ERR_INTERNAL, NULL, "the report cannot be created");
	s.ws = workbook_add_worksheet(s.wb, NULL);
	s.bold = format(&s, true, true, false, 0);
	s.center = format(&s, false, true, false, 0);
	s.title = format(&s, true, true, false, 14);
	s.italic = format(&s, false, true, false, 0);
	s.head = format(&s, true, true, true, 0);
	s.cell = format(&s, false, false, true, 0);
	s.num = format(&s, false, false, true, 0);
	s.total = format(&s, true, false, true, 0);
	if (!s.ws || !s.bold || !s.center || !s.title || !s.italic || !s.head || !s.cell || !s.num || !s.total) {
		workbook_close(s.wb);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	format_set_italic(s.italic);
	format_set_num_format(s.num, "#,##0");
	format_set_num_format(s.total, "#,##0");
	worksheet_set_column(s.ws, 0, 0, 6, NULL);
	worksheet_set_column(s.ws, 1, 1, 40, NULL);
	worksheet_set_column(s.ws, 2, 2, 14, NULL);
	worksheet_set_column(s.ws, 3, 4, 16, NULL);
	worksheet_set_paper(s.ws, 9); /* A4 */
	worksheet_fit_to_pages(s.ws, 1, 0);
	heading(&s);
	table(&s);
	breakdowns(&s);
	flows(&s);
	signatures(&s);
	rc = workbook_close(s.wb);
	if (s.rc || rc)
		return err_fail(e, ERR_INTERNAL, NULL, "the report cannot be written: {reason}",
				ERR_STR("reason", lxw_strerror(s.rc ? s.rc : rc)));
	return 0;
}
