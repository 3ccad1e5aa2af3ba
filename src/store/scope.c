/*
 * scope.c - see scope.h. The same rule is written twice, once walking up
 * from one unit (scope_contains) and once walking down from the roots in
 * SQL (scope_sql); the store tests check that they agree.
 */
#include "store/scope.h"

#include <stdio.h>
#include <string.h>

#include "core/org.h"
#include "store/migrate.h"
#include "store/org_store.h"

/* The root of the tree: the first unit of the top level, without a parent
 * (VN, created by init). Another unit without a parent (a network at the
 * top level) is not the root and gives no global scope. */
static int tree_root(db_t *db, int64_t *id, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*id = 0;
	rc = db_prepare(db, "SELECT min(u.id) FROM units u JOIN levels l ON l.key = u.level"
			    " WHERE l.rank = (SELECT min(rank) FROM levels)"
			    " AND NOT EXISTS (SELECT 1 FROM unit_parents p WHERE p.unit_id = u.id)", &st);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*id = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int scope_load(db_t *db, principal_t *who, err_t *e)
{
	lineage_t l;
	int64_t root = 0;

	who->n_roots = 0;
	who->global = false;
	if (tree_root(db, &root, e))
		return -1;
	who->roots[who->n_roots++] = who->unit_id;
	if (root && who->unit_id == root) {
		/* the root of the tree: everything, at every date */
		who->global = true;
		return 0;
	}
	if (org_lineage(db, who->unit_id, date_today(), &l, e))
		return -1;
	for (size_t i = 0; i < l.n_pred && who->n_roots < PRINCIPAL_MAX_ROOTS; i++)
		who->roots[who->n_roots++] = l.pred[i].unit.id;
	lineage_free(&l);
	return 0;
}

/* The parent of unit id in its latest position (see scope.h); 0 for none. */
static int latest_parent(db_t *db, int64_t id, date_t today, int64_t *parent, err_t *e)
{
	static const char sql[] =
		"SELECT c.parent_id FROM unit_parents c JOIN units cu ON cu.id = c.unit_id WHERE c.unit_id = ? AND ("
		" (cu.valid_from <= ? AND cu.valid_to > ? AND c.valid_from <= ? AND c.valid_to > ?)"
		" OR (cu.valid_to <= ? AND c.valid_to = cu.valid_to)"
		" OR (cu.valid_from > ? AND c.valid_from = cu.valid_from))";
	db_stmt_t *st = NULL;
	int rc;

	*parent = 0;
	rc = db_prepare(db, sql, &st);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_bind_dates(st, 2, 7, today);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*parent = db_col_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int scope_contains(db_t *db, const principal_t *who, int64_t unit_id, bool *yes, err_t *e)
{
	date_t today = date_today();
	int64_t node = unit_id;

	*yes = who->global;
	for (int depth = 0; !*yes && node && depth < 64; depth++) {
		for (size_t i = 0; i < who->n_roots; i++)
			if (who->roots[i] == node)
				*yes = true;
		if (!*yes && latest_parent(db, node, today, &node, e))
			return -1;
	}
	return 0;
}

int scope_sql(const principal_t *who, const char *col, char *buf, size_t cap, int *n_dates)
{
	size_t len;
	int n;

	*n_dates = 0;
	if (who->global) {
		n = snprintf(buf, cap, "1 = 1");
		return n < 0 || (size_t)n >= cap ? -1 : 0;
	}
	n = snprintf(buf, cap, "%s IN (WITH RECURSIVE sc(id) AS (SELECT id FROM units WHERE id IN (", col);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	len = (size_t)n;
	for (size_t i = 0; i < who->n_roots; i++) {
		/* ids come from the database, not from the request */
		n = snprintf(buf + len, cap - len, "%s%lld", i ? ", " : "", (long long)who->roots[i]);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, cap - len,
		     ") UNION SELECT c.unit_id FROM unit_parents c JOIN sc ON c.parent_id = sc.id"
		     " JOIN units cu ON cu.id = c.unit_id WHERE"
		     " (cu.valid_from <= ? AND cu.valid_to > ? AND c.valid_from <= ? AND c.valid_to > ?)"
		     " OR (cu.valid_to <= ? AND c.valid_to = cu.valid_to)"
		     " OR (cu.valid_from > ? AND c.valid_from = cu.valid_from))"
		     " SELECT id FROM sc)");
	if (n < 0 || (size_t)n >= cap - len)
		return -1;
	*n_dates = 6;
	return 0;
}
