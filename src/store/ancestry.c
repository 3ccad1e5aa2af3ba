/*
 * ancestry.c - see ancestry.h. The refresh is set-wise: the units to
 * re-derive are listed once in ancestry_work, their rows deleted and
 * re-derived by one recursive statement, so a province's move costs four
 * statements, not one per commune. The check walks the tree in memory, one
 * date at a time, and compares.
 */
#include "store/ancestry.h"

#include <stdlib.h>
#include <string.h>

#include "store/util.h"

/* Runs a statement that binds up to two ids; 0 or -1 with e. */
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
	/* The units below unit_id are found in the table as it stands: their
	 * paths up to unit_id do not depend on unit_id's own intervals, which
	 * are what changed. */
	if (run_ids(db, "DELETE FROM ancestry_work", 0, 0, e) ||
	    run_ids(db, "INSERT INTO ancestry_work (id) SELECT descendant FROM ancestry WHERE ancestor = ?"
			" UNION SELECT CAST(? AS BIGINT)", 2, unit_id, e) ||
	    run_ids(db, "DELETE FROM ancestry WHERE descendant IN (SELECT id FROM ancestry_work)", 0, 0, e) ||
	    run_ids(db, ANCESTRY_FILL_SQL("SELECT id FROM ancestry_work"), 0, 0, e))
		return -1;
	return run_ids(db, "DELETE FROM ancestry_work", 0, 0, e);
}

/* ---- the check ---- */

typedef struct check_state {
	db_t *db;
	FILE *report;
	size_t n_ids;       /* arrays below are indexed by unit id, 0..n_ids-1 */
	int64_t *parent;    /* parent on the date, 0 for none */
	unsigned char *alive;
	unsigned char *seen;
	size_t checked, diffs;
} check_state_t;

static void differ(check_state_t *c, date_t d, int64_t unit, const char *what, int64_t a, int64_t b)
{
	char buf[DATE_STR_LEN];

	if (c->report && c->diffs < 100)
		fprintf(c->report, "ancestry differs on %s for unit id %lld: %s (table %lld, walk %lld)\n",
			date_format(d, buf), (long long)unit, what, (long long)a, (long long)b);
	c->diffs++;
}

static int read_dates(db_t *db, date_t **out, size_t *n, err_t *e)
{
	static const char sql[] =
		"SELECT valid_from FROM units UNION SELECT valid_to FROM units"
		" UNION SELECT valid_from FROM unit_parents UNION SELECT valid_to FROM unit_parents"
		" UNION SELECT valid_from FROM ancestry UNION SELECT valid_to FROM ancestry ORDER BY 1";
	db_stmt_t *st = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_prep(db, sql, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		date_t d;
		if (db_col_date(st, 0, &d) != 0) {
			rc = DB_ERROR;
			break;
		}
		if (d == DATE_OPEN)
			continue;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			date_t *v = realloc(*out, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			*out = v;
			cap = ncap;
		}
		(*out)[(*n)++] = d;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc == DB_ERROR ? err_set(e, ERR_INTERNAL, NULL, "store: a validity date is not a date")
				      : store_fail(db, rc, e);
	return 0;
}

static int max_unit_id(db_t *db, int64_t *max, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*max = 0;
	if (store_prep(db, "SELECT max(id) FROM units", &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*max = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

static bool id_ok(const check_state_t *c, int64_t id)
{
	return id > 0 && (size_t)id < c->n_ids;
}

/* Loads which units are alive on d and their parents that day. */
static int load_day(check_state_t *c, date_t d, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	memset(c->parent, 0, c->n_ids * sizeof(*c->parent));
	memset(c->alive, 0, c->n_ids);
	memset(c->seen, 0, c->n_ids);
	if (store_prep(c->db, "SELECT id FROM units WHERE valid_from <= ? AND valid_to > ?", &st, e))
		return -1;
	rc = db_bind_dates(st, 1, 2, d);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (id_ok(c, db_col_int64(st, 0)))
			c->alive[db_col_int64(st, 0)] = 1;
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(c->db, rc, e);
	if (store_prep(c->db, "SELECT unit_id, parent_id FROM unit_parents WHERE valid_from <= ? AND valid_to > ?", &st, e))
		return -1;
	rc = db_bind_dates(st, 1, 2, d);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (id_ok(c, db_col_int64(st, 0)))
			c->parent[db_col_int64(st, 0)] = db_col_int64(st, 1);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc < 0 ? store_fail(c->db, rc, e) : 0;
}

/* The ancestor of unit at depth by the walk; 0 when the walk ends first. */
static int64_t walk_up(const check_state_t *c, int64_t unit, int64_t depth)
{
	for (int64_t k = 0; k < depth && unit; k++)
		unit = id_ok(c, unit) ? c->parent[unit] : 0;
	return unit;
}

static int64_t walk_length(const check_state_t *c, int64_t unit)
{
	int64_t n = 0;

	for (; unit && n < 64; n++)
		unit = id_ok(c, unit) ? c->parent[unit] : 0;
	return n;
}

/* Compares the rows of one descendant (rows[0..n) as (ancestor, depth)). */
static void compare_unit(check_state_t *c, date_t d, int64_t unit, const int64_t (*rows)[2], size_t n)
{
	int64_t want = walk_length(c, unit);

	c->checked++;
	if (!id_ok(c, unit) || !c->alive[unit]) {
		differ(c, d, unit, "rows for a unit that does not exist that day", (int64_t)n, 0);
		return;
	}
	c->seen[unit] = 1;
	if ((int64_t)n != want)
		differ(c, d, unit, "number of ancestors", (int64_t)n, want);
	for (size_t i = 0; i < n; i++) {
		int64_t expect = walk_up(c, unit, rows[i][1]);
		if (rows[i][0] != expect)
			differ(c, d, unit, "ancestor at a depth", rows[i][0], expect);
	}
}

static int check_day(check_state_t *c, date_t d, err_t *e)
{
	int64_t rows[64][2], cur = 0;
	db_stmt_t *st = NULL;
	size_t n = 0;
	int rc;

	if (load_day(c, d, e))
		return -1;
	if (store_prep(c->db, "SELECT descendant, ancestor, depth FROM ancestry"
			      " WHERE valid_from <= ? AND valid_to > ? ORDER BY descendant, depth", &st, e))
		return -1;
	rc = db_bind_dates(st, 1, 2, d);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		int64_t unit = db_col_int64(st, 0);
		if (unit != cur) {
			if (cur)
				compare_unit(c, d, cur, (const int64_t(*)[2])rows, n);
			cur = unit;
			n = 0;
		}
		if (n < 64) {
			rows[n][0] = db_col_int64(st, 1);
			rows[n][1] = db_col_int64(st, 2);
			n++;
		}
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(c->db, rc, e);
	if (cur)
		compare_unit(c, d, cur, (const int64_t(*)[2])rows, n);
	for (size_t id = 1; id < c->n_ids; id++)
		if (c->alive[id] && !c->seen[id]) {
			c->checked++;
			differ(c, d, (int64_t)id, "no rows for a unit that exists", 0, walk_length(c, (int64_t)id));
		}
	return 0;
}

int ancestry_check(db_t *db, FILE *report, size_t *n_checked, size_t *n_diff, err_t *e)
{
	check_state_t c = { .db = db, .report = report };
	date_t *dates = NULL;
	size_t n_dates = 0;
	int64_t max = 0;
	bool own = !db_in_transaction(db);
	int r = -1, rc;

	*n_checked = *n_diff = 0;
	if (own && (rc = db_begin_read(db)) != DB_OK)
		return store_fail(db, rc, e);
	if (max_unit_id(db, &max, e) || read_dates(db, &dates, &n_dates, e))
		goto out;
	c.n_ids = (size_t)max + 1;
	c.parent = calloc(c.n_ids, sizeof(*c.parent));
	c.alive = calloc(c.n_ids, 1);
	c.seen = calloc(c.n_ids, 1);
	if (!c.parent || !c.alive || !c.seen) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_dates; i++)
		if (check_day(&c, dates[i], e))
			goto out;
	*n_checked = c.checked;
	*n_diff = c.diffs;
	r = 0;
out:
	if (own)
		db_rollback(db);
	free(dates);
	free(c.parent);
	free(c.alive);
	free(c.seen);
	return r;
}
