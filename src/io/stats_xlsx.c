/*
 * stats_xlsx.c - see stats_xlsx.h.
 */
#include "io/stats_xlsx.h"

#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "io/union_sheet.h"

#define TABLE_COLS 5 /* STT, unit, code, members, branches */

typedef struct sheet {
	union_sheet_t u;
	const stats_xlsx_opts_t *o;
} sheet_t;

static const char *w(const sheet_t *s, const char *key)
{
	return union_word(&s->u, key);
}

static void put(sheet_t *s, lxw_row_t r, lxw_col_t c, const char *text, lxw_format *f)
{
	union_put(&s->u, r, c, text, f);
}

static void merged(sheet_t *s, lxw_row_t r, lxw_col_t c1, lxw_col_t c2, const char *text, lxw_format *f)
{
	union_merged(&s->u, r, c1, c2, text, f);
}

static void number(sheet_t *s, lxw_row_t r, lxw_col_t c, int64_t n, lxw_format *f)
{
	union_number(&s->u, r, c, (double)n, f);
}

/* The heading of a union document and the title. */
static void heading(sheet_t *s)
{
	char line[512], day[16];

	union_dmy(s->o->as_of, day, sizeof(day));
	snprintf(line, sizeof(line), "%s %s%s", w(s, "report.x.as_of"), day,
		 s->o->stats->mapped ? w(s, "report.x.mapped") : "");
	union_heading(&s->u, s->o->above, s->o->unit->name_vi, w(s, "report.x.title"), line);
}

static void table(sheet_t *s)
{
	static const char *const HEADS[TABLE_COLS] = { "report.x.no", "report.x.unit", "report.x.code", "report.x.members",
						 "report.x.branches" };
	const member_stats_t *st = s->o->stats;
	lxw_row_t r = s->u.row;
	char name[512];

	for (lxw_col_t c = 0; c < TABLE_COLS; c++)
		put(s, r, c, w(s, HEADS[c]), s->u.head);
	r++;
	for (size_t i = 0; i < st->n_children; i++, r++) {
		number(s, r, 0, (int64_t)i + 1, s->u.num);
		put(s, r, 1, st->children[i].unit.name_vi, s->u.cell);
		put(s, r, 2, st->children[i].unit.code, s->u.cell);
		number(s, r, 3, st->children[i].total, s->u.num);
		number(s, r, 4, st->children[i].branches, s->u.num);
	}
	if (st->direct) {
		snprintf(name, sizeof(name), "%s %s", w(s, "report.x.direct"), s->o->unit->name_vi);
		number(s, r, 0, (int64_t)st->n_children + 1, s->u.num);
		put(s, r, 1, name, s->u.cell);
		put(s, r, 2, s->o->unit->code, s->u.cell);
		number(s, r, 3, st->direct, s->u.num);
		r++;
	}
	merged(s, r, 0, 2, w(s, "report.x.total"), s->u.total);
	number(s, r, 3, st->total, s->u.total);
	number(s, r, 4, st->branches, s->u.total);
	s->u.row = r + 2;
}

/* A breakdown's heading, then its rows: label and count. */
static void section(sheet_t *s, const char *key)
{
	merged(s, s->u.row++, 0, 4, w(s, key), s->u.bold);
}

static void line(sheet_t *s, const char *label, int64_t n)
{
	merged(s, s->u.row, 0, 2, label, s->u.cell);
	number(s, s->u.row++, 3, n, s->u.num);
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
	s->u.row++;
}

static void breakdowns(sheet_t *s)
{
	static const char *const AGES[MEMBER_AGE_BANDS] = { "report.x.age.30", "report.x.age.45", "report.x.age.60",
							   "report.x.age.over60", "report.x.age.unknown" };
	const member_stats_t *st = s->o->stats;

	section(s, "report.x.of_whom");
	line(s, w(s, "report.x.honorary"), st->honorary);
	line(s, w(s, "report.x.digital"), st->digital);
	s->u.row++;
	section(s, "report.x.by_age");
	for (int i = 0; i < MEMBER_AGE_BANDS; i++)
		if (i < MEMBER_AGE_BANDS - 1 || st->age[i])
			line(s, w(s, AGES[i]), st->age[i]);
	s->u.row++;
	if (st->n_ethnicity) {
		section(s, "report.x.by_ethnicity");
		for (size_t i = 0; i < st->n_ethnicity; i++)
			line(s, st->ethnicity[i].name_vi[0] ? st->ethnicity[i].name_vi : w(s, "report.x.none"),
			     st->ethnicity[i].n);
		s->u.row++;
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
	union_dmy(f->from, from, sizeof(from));
	union_dmy(f->to, to, sizeof(to));
	snprintf(head, sizeof(head), "%s %s - %s", w(s, "report.x.flows"), from, to);
	merged(s, s->u.row++, 0, 4, head, s->u.bold);
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
	s->u.row++;
}

int stats_xlsx_write(const stats_xlsx_opts_t *o, const char *path, err_t *e)
{
	sheet_t s = { .o = o, .u = { .word = o->word, .ctx = o->ctx } };

	if (union_sheet_open(&s.u, path, o->tmpdir, TABLE_COLS - 1, e))
		return -1;
	worksheet_set_column(s.u.ws, 0, 0, 6, NULL);
	worksheet_set_column(s.u.ws, 1, 1, 40, NULL);
	worksheet_set_column(s.u.ws, 2, 2, 14, NULL);
	worksheet_set_column(s.u.ws, 3, 4, 16, NULL);
	heading(&s);
	table(&s);
	breakdowns(&s);
	flows(&s);
	union_signatures(&s.u, o->today);
	return union_sheet_close(&s.u, e);
}
