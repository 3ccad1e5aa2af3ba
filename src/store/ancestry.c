/*
 * ancestry.c - see ancestry.h. The refresh is set-wise: the units to
 * re-derive are listed once in ancestry_work, their rows deleted and
 * re-derived by one recursive statement, so a province's move costs five
 * statements (and the figures' own), not a few per commune. The check walks the tree in memory, one
 * date at a time, and compares.
 */
#include "store/ancestry.h"

#include <stdlib.h>
#include <string.h>

#include "store/member_tally.h"
#include "store/util.h"

/* Runs a statement whose n_ids placeholders all take id; 0 or -1 with e. */
static int run_ids(db_t *db, const char *sql, int n_ids, int64_t id, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc = DB_OK;

	if (store_prep(db, sql, &st, e))
		return -1;
	for (int i = 1; i <= n_ids && rc == DB_OK; i++)
		rc = db_bind_int64(st, i, id);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

int ancestry_refresh(db_t *db, int64_t unit_id, err_t *e)
{
	/* The refresh's rows of ancestry_work are keyed by unit_id (its run),
	 * read and deleted by the key's index: the rows deleted by earlier
	 * refreshes of a long transaction are never scanned. The units below
	 * unit_id are found in the table as it stands: their paths up to
	 * unit_id do not depend on unit_id's own intervals, which are what
	 * changed. */
	if (run_ids(db, "DELETE FROM ancestry_work WHERE run = ?", 1, unit_id, e) ||
	    run_ids(db, "INSERT INTO ancestry_work (run, id) SELECT CAST(? AS BIGINT), descendant FROM ancestry"
			" WHERE ancestor = ? UNION SELECT CAST(? AS BIGINT), CAST(? AS BIGINT)", 4, unit_id, e) ||
	    member_tally_work(db, unit_id, -1, e) ||
	    run_ids(db, "DELETE FROM ancestry WHERE descendant IN (" ANCESTRY_WORK_IDS ")", 1, unit_id, e) ||
	    run_ids(db, ANCESTRY_FILL_FROM("ancestry_work w JOIN units u ON u.id = w.id WHERE w.run = ?"), 1, unit_id, e) ||
	    member_tally_work(db, unit_id, 1, e))
		return -1;
	return run_ids(db, "DELETE FROM ancestry_work WHERE run = ?", 1, unit_id, e);
}

/* ---- the check ----
 * Everything is read into memory once (units, parent intervals, the table
 * sorted by descendant), then for each unit the rows it should have are
 * worked out by walking up its parent intervals in C, independently of the
 * SQL that derived the table, and compared after merging consecutive
 * intervals of the same (ancestor, depth). O(rows): the generated country's
 * 113,000 units and 870,000 rows take seconds, on any number of dates. */

typedef struct span {
	int64_t unit, other; /* parent interval: unit, parent; table row: descendant, ancestor */
	int64_t depth;
	date_t from, to;
} span_t;

typedef struct span_vec {
	span_t *v;
	size_t n, cap;
} span_vec_t;

static int span_push(span_vec_t *s, span_t x)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		span_t *v = realloc(s->v, ncap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = ncap;
	}
	s->v[s->n++] = x;
	return 0;
}

typedef struct check_state {
	FILE *report;
	size_t n_ids;        /* by unit id, 0..n_ids-1 */
	date_t *u_from, *u_to;
	size_t *p_first;     /* parent intervals of unit id: parents.v[p_first[id] .. p_first[id + 1]) */
	span_vec_t parents;  /* sorted by unit, from */
	span_vec_t want;     /* scratch: the rows one unit should have */
	size_t checked, diffs;
	bool no_mem;
} check_state_t;

static void differ(check_state_t *c, int64_t unit, const char *what, const span_t *row)
{
	char a[DATE_STR_LEN], b[DATE_STR_LEN];

	if (c->report && c->diffs < 100)
		fprintf(c->report, "ancestry differs for unit id %lld: %s (ancestor id %lld at depth %lld, %s .. %s)\n",
			(long long)unit, what, (long long)row->other, (long long)row->depth, date_format(row->from, a),
			date_format(row->to, b));
	c->diffs++;
}

static int cmp_span(const void *pa, const void *pb)
{
	const span_t *a = pa, *b = pb;

	if (a->unit != b->unit)
		return a->unit < b->unit ? -1 : 1;
	if (a->other != b->other)
		return a->other < b->other ? -1 : 1;
	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return a->from < b->from ? -1 : a->from > b->from;
}

/* Sorts v[0..n) and merges consecutive intervals of the same (unit,
 * ancestor, depth); returns the new count. */
static size_t normalise(span_t *v, size_t n)
{
	size_t w = 0;

	if (n < 2)
		return n;
	qsort(v, n, sizeof(*v), cmp_span);
	for (size_t i = 0; i < n; i++) {
		if (w && v[w - 1].unit == v[i].unit && v[w - 1].other == v[i].other && v[w - 1].depth == v[i].depth &&
		    v[w - 1].to == v[i].from)
			v[w - 1].to = v[i].to;
		else
			v[w++] = v[i];
	}
	return w;
}

static bool id_ok(const check_state_t *c, int64_t id)
{
	return id > 0 && (size_t)id < c->n_ids;
}

/* The ancestors of `unit` over [from, to), reached through `node` at depth. */
static void walk_up(check_state_t *c, int64_t unit, int64_t node, int64_t depth, date_t from, date_t to)
{
	if (!id_ok(c, node) || depth >= 64)
		return;
	for (size_t i = c->p_first[node]; i < c->p_first[node + 1]; i++) {
		const span_t *p = &c->parents.v[i];
		date_t f = p->from > from ? p->from : from, t = p->to < to ? p->to : to;
		if (f >= t)
			continue;
		if (span_push(&c->want, (span_t){ unit, p->other, depth + 1, f, t }))
			c->no_mem = true;
		walk_up(c, unit, p->other, depth + 1, f, t);
	}
}

/* Compares the table's rows of one unit, have[0..n) (normalised), with
 * what the walk says. */
static void compare_unit(check_state_t *c, int64_t unit, span_t *have, size_t n)
{
	size_t n_want, i = 0, j = 0;

	c->checked++;
	c->want.n = 0;
	if (!id_ok(c, unit)) {
		if (n)
			differ(c, unit, "rows for a unit that does not exist", &have[0]);
		return;
	}
	if (span_push(&c->want, (span_t){ unit, unit, 0, c->u_from[unit], c->u_to[unit] }))
		c->no_mem = true;
	walk_up(c, unit, unit, 0, c->u_from[unit], c->u_to[unit]);
	n_want = normalise(c->want.v, c->want.n);
	while (i < n || j < n_want) {
		int cmp = i == n ? 1 : j == n_want ? -1 : cmp_span(&have[i], &c->want.v[j]);
		if (cmp == 0 && have[i].to == c->want.v[j].to) {
			i++;
			j++;
		} else if (cmp == 0) {
			differ(c, unit, "an interval ends on another day", &have[i]);
			i++;
			j++;
		} else if (cmp < 0) {
			differ(c, unit, "a row the tree does not have", &have[i++]);
		} else {
			differ(c, unit, "a row missing from the table", &c->want.v[j++]);
		}
	}
}

static int read_spans(db_t *db, const char *sql, bool with_depth, span_vec_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;
	int col = with_depth ? 3 : 2;

	if (store_prep(db, sql, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		span_t x = { db_col_int64(st, 0), db_col_int64(st, 1), with_depth ? db_col_int64(st, 2) : 0, 0, 0 };
		if (db_col_date(st, col, &x.from) || db_col_date(st, col + 1, &x.to)) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "store: an interval that is not a date");
		}
		if (span_push(out, x)) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

static int read_units(db_t *db, check_state_t *c, err_t *e)
{
	span_vec_t u = { 0 };
	int64_t max = 0;

	if (read_spans(db, "SELECT id, id, valid_from, valid_to FROM units ORDER BY id", false, &u, e)) {
		free(u.v);
		return -1;
	}
	for (size_t i = 0; i < u.n; i++)
		if (u.v[i].unit > max)
			max = u.v[i].unit;
	c->n_ids = (size_t)max + 1;
	c->u_from = calloc(c->n_ids, sizeof(*c->u_from));
	c->u_to = calloc(c->n_ids, sizeof(*c->u_to));
	c->p_first = calloc(c->n_ids + 1, sizeof(*c->p_first));
	if (!c->u_from || !c->u_to || !c->p_first) {
		free(u.v);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	for (size_t i = 0; i < u.n; i++) {
		c->u_from[u.v[i].unit] = u.v[i].from;
		c->u_to[u.v[i].unit] = u.v[i].to;
	}
	free(u.v);
	return 0;
}

/* Indexes the parent intervals (sorted by unit) by unit id. */
static void index_parents(check_state_t *c)
{
	size_t k = 0;

	for (size_t id = 0; id <= c->n_ids; id++) {
		while (k < c->parents.n && c->parents.v[k].unit < (int64_t)id)
			k++;
		c->p_first[id] = k;
	}
}

int ancestry_check(db_t *db, FILE *report, size_t *n_checked, size_t *n_diff, err_t *e)
{
	check_state_t c = { .report = report };
	span_vec_t rows = { 0 };
	bool own = !db_in_transaction(db);
	int r = -1, rc;
	size_t at = 0;

	*n_checked = *n_diff = 0;
	if (own && (rc = db_begin_read(db)) != DB_OK)
		return store_fail(db, rc, e);
	if (read_units(db, &c, e) ||
	    read_spans(db, "SELECT unit_id, parent_id, valid_from, valid_to FROM unit_parents ORDER BY unit_id, valid_from",
		       false, &c.parents, e) ||
	    read_spans(db, "SELECT descendant, ancestor, depth, valid_from, valid_to FROM ancestry", true, &rows, e))
		goto out;
	if (!c.u_from || !c.u_to || !c.p_first) /* read_units failed: already said */
		goto out;
	index_parents(&c);
	rows.n = normalise(rows.v, rows.n);
	/* every unit, with or without rows */
	for (int64_t id = 1; (size_t)id < c.n_ids; id++) {
		size_t end;
		if (!c.u_to[id] && !c.u_from[id])
			continue; /* no unit with this id */
		for (; at < rows.n && rows.v[at].unit < id; at++)
			differ(&c, rows.v[at].unit, "rows for a unit that does not exist", &rows.v[at]);
		end = at;
		while (end < rows.n && rows.v[end].unit == id)
			end++;
		compare_unit(&c, id, rows.v + at, end - at);
		at = end;
	}
	for (; at < rows.n; at++)
		differ(&c, rows.v[at].unit, "rows for a unit that does not exist", &rows.v[at]);
	if (c.no_mem) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	*n_checked = c.checked;
	*n_diff = c.diffs;
	r = 0;
out:
	if (own)
		db_rollback(db);
	free(rows.v);
	free(c.parents.v);
	free(c.want.v);
	free(c.u_from);
	free(c.u_to);
	free(c.p_first);
	return r;
}
