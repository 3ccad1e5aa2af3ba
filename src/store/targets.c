/*
 * targets.c - see targets.h.
 */
#include "store/targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/org_internal.h"
#include "store/query.h"
#include "store/util.h"

#define TARGET_COLS "t.indicator, t.unit_id, t.value, t.direction, t.base, t.allowance, t.set_by_unit, t.set_by"

static void read_row(db_stmt_t *st, target_row_t *t)
{
	memset(t, 0, sizeof(*t));
	copy_text(t->indicator, sizeof(t->indicator), db_col_text(st, 0));
	t->unit_id = db_col_int64(st, 1);
	t->value = db_col_int64(st, 2);
	if (target_direction_parse(db_col_text(st, 3), &t->direction))
		t->direction = TARGET_AT_LEAST;
	t->has_base = !db_col_is_null(st, 4);
	t->base = t->has_base ? db_col_int64(st, 4) : 0;
	t->allowance = db_col_is_null(st, 5) ? 0 : db_col_int64(st, 5);
	t->set_by_unit = db_col_is_null(st, 6) ? 0 : db_col_int64(st, 6);
	copy_text(t->set_by, sizeof(t->set_by), db_col_text(st, 7));
}

/* The rows of q into *out, *n (malloc'd). */
static int read_rows(db_t *db, query_t *q, target_row_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	if (query_prepare(db, q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		target_row_t *g = store_grow(*out, &cap, *n, sizeof(**out), e);
		if (!g) {
			r = -1;
			break;
		}
		*out = g;
		read_row(st, &(*out)[(*n)++]);
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int target_list(db_t *db, const char *term, int64_t unit_id, target_row_t **out, size_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q,
		  "SELECT " TARGET_COLS " FROM targets t JOIN indicators i ON i.code = t.indicator"
		  " WHERE t.term = ? AND t.unit_id = ? ORDER BY i.position",
		  QT(term), QI(unit_id));
	return read_rows(db, &q, out, n, e);
}

/* The one row of q, if any. */
static int read_one(db_t *db, query_t *q, target_row_t *out, bool *found, err_t *e)
{
	target_row_t *rows = NULL;
	size_t n = 0;

	*found = false;
	if (read_rows(db, q, &rows, &n, e))
		return -1;
	if (n) {
		*out = rows[0];
		*found = true;
	}
	free(rows);
	return 0;
}

int target_get(db_t *db, const char *term, int64_t unit_id, const char *code, target_row_t *out, bool *found,
	       err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT " TARGET_COLS " FROM targets t WHERE t.term = ? AND t.unit_id = ? AND t.indicator = ?",
		  QT(term), QI(unit_id), QT(code));
	return read_one(db, &q, out, found, e);
}

int target_inherited(db_t *db, const char *term, int64_t unit_id, date_t d, const char *code, target_row_t *out,
		     bool *found, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q,
		  "SELECT " TARGET_COLS " FROM ancestry a JOIN targets t ON t.unit_id = a.ancestor"
		  " WHERE a.descendant = ? AND a.depth > 0 AND a.valid_from <= ? AND a.valid_to > ?"
		  " AND t.term = ? AND t.indicator = ? ORDER BY a.depth LIMIT 1",
		  QI(unit_id), QD(d), QD(d), QT(term), QT(code));
	return read_one(db, &q, out, found, e);
}

int target_holding(db_t *db, const char *term, int64_t unit_id, date_t d, const indicator_t *ind, target_row_t *out,
		   bool *found, err_t *e)
{
	if (target_get(db, term, unit_id, ind->code, out, found, e))
		return -1;
	if (*found || ind->rollup != ROLLUP_RATIO)
		return 0;
	return target_inherited(db, term, unit_id, d, ind->code, out, found, e);
}

int target_bound(db_t *db, const char *term, int64_t unit_id, date_t d, const indicator_t *ind, target_row_t *out,
		 bool *found, err_t *e)
{
	if (target_holding(db, term, unit_id, d, ind, out, found, e))
		return -1;
	if (!*found || out->unit_id == unit_id) {
		*found = *found && out->has_base;
		return 0;
	}
	out->has_base = true;
	out->base = out->value;
	out->allowance = 0;
	return 0;
}

int target_put(db_t *db, const char *term, const target_row_t *t, const principal_t *who, err_t *e)
{
	char now[32];
	query_t q;

	store_now_iso(now, sizeof(now));
	query_init(&q);
	query_add(&q,
		  "INSERT INTO targets (indicator, term, unit_id, value, direction, base, allowance, set_by_unit,"
		  " set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		  " ON CONFLICT (indicator, term, unit_id) DO UPDATE SET value = excluded.value,"
		  " direction = excluded.direction, base = excluded.base, allowance = excluded.allowance,"
		  " set_by_unit = excluded.set_by_unit, set_by = excluded.set_by, updated_at = excluded.updated_at",
		  QT(t->indicator), QT(term), QI(t->unit_id), QI(t->value), QT(target_direction_name(t->direction)),
		  t->has_base ? QI(t->base) : QT(NULL), t->has_base ? QI(t->allowance) : QT(NULL), t->set_by_unit ? QI(t->set_by_unit) : QT(NULL),
		  QT(who->username), QT(now));
	return query_run(db, &q, e);
}

int target_delete(db_t *db, const char *term, int64_t unit_id, const char *code, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "DELETE FROM targets WHERE term = ? AND unit_id = ? AND indicator = ?", QT(term), QI(unit_id),
		  QT(code));
	return query_run(db, &q, e);
}

/* ---- progress ---- */

/* The six-month values of ind within c's term until today: their sum (a
 * flow) or the latest (a stock). */
static int half_values(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e)
{
	date_t last = c->today < c->period.to ? c->today : c->period.to;
	period_t h = { .type = PERIOD_HALF };

	memset(out, 0, sizeof(*out));
	if (period_of(PERIOD_HALF, c->period.from, &h))
		return 0;
	while (h.from <= last) {
		report_ctx_t hc;
		report_value_t v;
		report_ctx_init(&hc, c->db, c->today, c->unit_id, &h);
		if (report_value(&hc, ind, &v, e))
			return -1;
		if (v.has && ind->rollup == ROLLUP_SUM) {
			out->value += v.value;
			out->has = true;
			out->status = v.status;
		} else if (v.has) {
			*out = v;
		}
		if (period_of(PERIOD_HALF, h.to + 1, &h))
			break;
	}
	return 0;
}

/* The value to date of ind (see target_progress). */
static int to_date(report_ctx_t *c, const indicator_t *ind, int depth, report_value_t *out, err_t *e)
{
	if (report_value(c, ind, out, e))
		return -1;
	if (out->has || ind->source == IND_COMPUTED || ind->rollup == ROLLUP_NONE)
		return 0;
	if (ind->source == IND_ENTERED)
		return half_values(c, ind, out, e);
	return report_formula(c, ind, depth, to_date, out, e);
}

int target_baseline_ctx(const report_ctx_t *c, report_ctx_t *out)
{
	period_t before = { .type = PERIOD_HALF };

	if (period_of(PERIOD_HALF, c->period.from - 1, &before) || before.from > c->today)
		return -1;
	report_ctx_init(out, c->db, c->today, c->unit_id, &before);
	out->mapped = c->mapped;
	return 0;
}

int target_progress(report_ctx_t *c, report_ctx_t *before, const indicator_t *ind, report_value_t *value,
		    bool *has_baseline, int64_t *baseline, err_t *e)
{
	report_value_t b;

	*has_baseline = false;
	*baseline = 0;
	if (to_date(c, ind, 0, value, e))
		return -1;
	if (ind->rollup == ROLLUP_SUM) {
		*has_baseline = true;
		return 0;
	}
	if (!before)
		return 0;
	if (report_value(before, ind, &b, e))
		return -1;
	*has_baseline = b.has;
	*baseline = b.value;
	return 0;
}
