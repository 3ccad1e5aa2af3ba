/*
 * scope.c - see scope.h. The rule is written once, as SCOPE_LATEST below:
 * the ancestry row of unit su that holds on its reference day (today,
 * clamped into its validity) has one of the caller's roots as ancestor.
 * The roots are bound as values, padded to a few fixed counts so that the
 * statement texts stay few (each is prepared once per connection).
 */
#include "store/scope.h"

#include <stdlib.h>
#include <string.h>

#include "store/org_store.h"
#include "store/util.h"

/* Ancestry row sa of unit su in its latest position, as of today (six
 * placeholders, all today); no date arithmetic, so it runs on both stores. */
#define SCOPE_LATEST                                                                          \
	" ((su.valid_from <= ? AND su.valid_to > ? AND sa.valid_from <= ? AND sa.valid_to > ?)" \
	" OR (su.valid_to <= ? AND sa.valid_to = su.valid_to)"                                  \
	" OR (su.valid_from > ? AND sa.valid_from = su.valid_from))"

/* The root of the tree: the first unit of the top level, without a parent
 * (VN, created by init). Another unit without a parent (a network at the
 * top level) is not the root and gives no global scope. */
static int tree_root(db_t *db, int64_t *id, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*id = 0;
	/* written so that PostgreSQL looks up the parents of the few top-level
	 * units through the index: as NOT EXISTS it hashed all of unit_parents
	 * (90 ms on every request of the generated country) */
	rc = db_prepare(db, "SELECT u.id FROM units u WHERE u.level = (SELECT key FROM levels ORDER BY rank LIMIT 1)"
			    " AND (SELECT count(*) FROM unit_parents p WHERE p.unit_id = u.id) = 0"
			    " ORDER BY u.id LIMIT 1", &st);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		*id = db_col_int64(st, 0);
	if (rc == DB_ROW || rc == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* The units that unit_id was formed from, through merges and splits, nearest
 * first, at most cap of them: one recursive query, not a query per step.
 * The depth bound stops a cycle that bad data could hold. */
static int predecessors(db_t *db, int64_t unit_id, int64_t *out, size_t cap, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*n = 0;
	query_init(&q);
	query_add(&q, "WITH RECURSIVE back(id, depth) AS (SELECT CAST(? AS BIGINT), 0 UNION"
		      " SELECT o.unit_id, b.depth + 1 FROM back b"
		      " JOIN event_units m ON m.unit_id = b.id AND m.role = 'target'"
		      " JOIN events ev ON ev.id = m.event_id AND ev.kind IN ('merge', 'split')"
		      " JOIN event_units o ON o.event_id = ev.id AND o.role = 'source'"
		      " WHERE o.unit_id <> b.id AND b.depth < 64)"
		      " SELECT id FROM back WHERE id <> ? GROUP BY id ORDER BY min(depth), id",
		  QI(unit_id), QI(unit_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW)
		if (*n < cap)
			out[(*n)++] = db_col_int64(st, 0);
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

/* The scopes a connection read last, each with the tree's version it was
 * read at: a request that reads the same version (with its user's row,
 * store/auth_store.c) takes its scope from here, sparing the two queries
 * of every request. Replaced round robin; enough for the callers of a
 * busy server's thread (the month-end mix: 200 officers on 8 threads), at
 * 288 bytes each. */
#define SCOPE_CACHE_N 512

typedef struct scope_entry {
	int64_t unit_id, version; /* version 0: empty */
	bool global;
	int64_t roots[PRINCIPAL_MAX_ROOTS];
	size_t n_roots;
} scope_entry_t;

typedef struct scope_cache {
	scope_entry_t e[SCOPE_CACHE_N];
	size_t next;
} scope_cache_t;

static const scope_entry_t *scope_cached(const db_t *db, const principal_t *who)
{
	const scope_cache_t *c = db_ext(db, DB_EXT_SCOPE);

	for (size_t i = 0; c && i < SCOPE_CACHE_N; i++)
		if (c->e[i].version == who->org_version && c->e[i].unit_id == who->unit_id)
			return &c->e[i];
	return NULL;
}

/* Without memory the scope is simply not kept. */
static void scope_keep(db_t *db, const principal_t *who)
{
	scope_cache_t *c = db_ext(db, DB_EXT_SCOPE);
	scope_entry_t *x;

	if (!c) {
		if (!(c = calloc(1, sizeof(*c))))
			return;
		db_ext_set(db, DB_EXT_SCOPE, c, free);
	}
	x = &c->e[c->next];
	c->next = (c->next + 1) % SCOPE_CACHE_N;
	x->unit_id = who->unit_id;
	x->version = who->org_version;
	x->global = who->global;
	x->n_roots = who->n_roots;
	memcpy(x->roots, who->roots, who->n_roots * sizeof(x->roots[0]));
}

/* Whether the tree's version still reads version: then the scope just read
 * (its queries ran one by one, after the caller's row read the version) is
 * that version's. A failed read says no, and its error is dropped on
 * purpose: the scope is then only not kept. */
static bool tree_still_at(db_t *db, int64_t version)
{
	int64_t now = 0;
	err_t ignore;

	return org_version(db, &now, (err_clear(&ignore), &ignore)) == 0 && now == version;
}

static int scope_read(db_t *db, principal_t *who, err_t *e)
{
	size_t n = 0;
	int64_t root = 0;

	if (tree_root(db, &root, e))
		return -1;
	who->roots[who->n_roots++] = who->unit_id;
	if (root && who->unit_id == root) {
		/* the root of the tree: everything, at every date */
		who->global = true;
		return 0;
	}
	if (predecessors(db, who->unit_id, who->roots + 1, PRINCIPAL_MAX_ROOTS - 1, &n, e))
		return -1;
	who->n_roots += n;
	return 0;
}

int scope_load(db_t *db, principal_t *who, err_t *e)
{
	const scope_entry_t *hit = who->org_version > 0 ? scope_cached(db, who) : NULL;

	who->n_roots = 0;
	who->global = false;
	if (hit) {
		who->global = hit->global;
		who->n_roots = hit->n_roots;
		memcpy(who->roots, hit->roots, hit->n_roots * sizeof(who->roots[0]));
		return 0;
	}
	if (scope_read(db, who, e))
		return -1;
	if (who->org_version > 0 && tree_still_at(db, who->org_version))
		scope_keep(db, who);
	return 0;
}

/* Appends "IN (?, ...)" with the roots, padded with 0 (no unit's id) to 1,
 * 4, 16 or PRINCIPAL_MAX_ROOTS values. */
static void add_roots(query_t *q, const principal_t *who)
{
	size_t width = who->n_roots <= 1 ? 1 : who->n_roots <= 4 ? 4 : who->n_roots <= 16 ? 16 : PRINCIPAL_MAX_ROOTS;

	query_sql(q, " IN (");
	for (size_t i = 0; i < width; i++)
		query_add(q, i ? ", ?" : "?", QI(i < who->n_roots ? who->roots[i] : 0));
	query_sql(q, ")");
}

void scope_filter(query_t *q, const principal_t *who, const char *col)
{
	if (who->global)
		return;
	query_sql(q, " AND EXISTS (SELECT 1 FROM ancestry sa JOIN units su ON su.id = sa.descendant WHERE sa.descendant = ");
	query_sql(q, col);
	query_sql(q, " AND sa.ancestor");
	add_roots(q, who);
	query_add_dates(q, " AND" SCOPE_LATEST ")", who->today);
}

void scope_units(query_t *q, const principal_t *who)
{
	query_sql(q, "SELECT sa.descendant FROM ancestry sa JOIN units su ON su.id = sa.descendant WHERE sa.ancestor");
	add_roots(q, who);
	query_add_dates(q, " AND" SCOPE_LATEST, who->today);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Marks ids[0..n) (n <= SCOPE_MARK_CHUNK) with one query. */
static int mark_chunk(db_t *db, const principal_t *who, const int64_t *ids, size_t n, bool *in, err_t *e)
{
	int64_t found[SCOPE_MARK_CHUNK];
	size_t n_found = 0, width = n <= 1 ? 1 : n <= 16 ? 16 : n <= 64 ? 64 : SCOPE_MARK_CHUNK;
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, "SELECT DISTINCT sa.descendant FROM ancestry sa JOIN units su ON su.id = sa.descendant"
		      " WHERE sa.descendant IN (");
	for (size_t i = 0; i < width; i++)
		query_add(&q, i ? ", ?" : "?", QI(i < n ? ids[i] : 0));
	/* "+sa.ancestor": the ids drive, through (descendant, ancestor). Left
	 * to choose, PostgreSQL's generic plan for the statement walked the
	 * ancestor index instead, reading a province's whole subtree (6,000
	 * rows, 5 ms a unit page) to find three units */
	query_sql(&q, ") AND +sa.ancestor");
	add_roots(&q, who);
	query_add_dates(&q, " AND" SCOPE_LATEST, who->today);
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW)
		if (n_found < SCOPE_MARK_CHUNK)
			found[n_found++] = db_col_int64(st, 0);
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	qsort(found, n_found, sizeof(found[0]), cmp_id);
	for (size_t i = 0; i < n; i++)
		in[i] = bsearch(&ids[i], found, n_found, sizeof(found[0]), cmp_id) != NULL;
	return 0;
}

int scope_mark(db_t *db, const principal_t *who, const int64_t *ids, size_t n, bool *in, err_t *e)
{
	for (size_t i = 0; i < n; i++)
		in[i] = who->global;
	if (who->global)
		return 0;
	for (size_t at = 0; at < n; at += SCOPE_MARK_CHUNK)
		if (mark_chunk(db, who, ids + at, n - at < SCOPE_MARK_CHUNK ? n - at : SCOPE_MARK_CHUNK, in + at, e))
			return -1;
	return 0;
}

int scope_contains(db_t *db, const principal_t *who, int64_t unit_id, bool *yes, err_t *e)
{
	return scope_mark(db, who, &unit_id, 1, yes, e);
}
