/*
 * org_refdata.c - the configuration the tree is built on (see
 * org_store.h): the levels of the tree (central, province, commune, ...)
 * and the reference list of ethnic groups, both loaded by init.
 *
 * What this file does not do: read the reference files (io/org_ops.c does)
 * or touch units (org_read.c, org_write.c).
 */
#include <stdlib.h>
#include <string.h>

#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/util.h"

/* ------------------------------------------------------------------ */
/* levels                                                              */

#define LEVEL_SELECT "SELECT key, rank, name_vi, name_en FROM levels"

/* The current row of a LEVEL_SELECT statement into *lv. */
static void read_level(db_stmt_t *st, level_t *lv)
{
	memset(lv, 0, sizeof(*lv));
	copy_text(lv->key, sizeof(lv->key), db_col_text(st, 0));
	lv->rank = (int)db_col_int64(st, 1);
	copy_text(lv->name_vi, sizeof(lv->name_vi), db_col_text(st, 2));
	copy_text(lv->name_en, sizeof(lv->name_en), db_col_text(st, 3));
}

int org_levels(db_t *db, level_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_sql(&q, LEVEL_SELECT " ORDER BY rank");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			level_t *v = realloc(*out, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				free(*out);
				*out = NULL;
				*n = 0;
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			*out = v;
			cap = ncap;
		}
		read_level(st, &(*out)[(*n)++]);
	}
	db_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return store_fail(db, rc, e);
	}
	return 0;
}

int org_level_get(db_t *db, const char *key, const char *field, level_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add(&q, LEVEL_SELECT " WHERE key = ?", QT(key));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		read_level(st, out);
	db_finalize(st);
	if (rc == DB_ROW)
		return 0;
	if (rc < 0)
		return store_fail(db, rc, e);
	err_field(e, field, "unknown_level", "unknown level '{value}'", ERR_STR("value", key));
	return err_fail(e, ERR_INVALID, "invalid", "unknown level '{value}'", ERR_STR("value", key));
}

int org_levels_set(db_t *db, const level_t *levels, size_t n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "DELETE FROM levels");
	if (query_run(db, &q, e))
		return -1;
	for (size_t i = 0; i < n; i++) {
		query_init(&q);
		query_add(&q, "INSERT INTO levels (key, rank, name_vi, name_en) VALUES (?, ?, ?, ?)", QT(levels[i].key),
			  QI(levels[i].rank), QT(levels[i].name_vi), QT(levels[i].name_en));
		if (query_run(db, &q, e))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* ethnic groups                                                       */

int org_ethnic_group_add(db_t *db, const char *code, const char *name_vi, const char *name_en, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO ethnic_groups (code, name_vi, name_en) VALUES (?, ?, ?)", QT(code), QT(name_vi),
		  QT(name_en));
	return query_run(db, &q, e);
}

int org_ethnic_group_count(db_t *db, int64_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "SELECT count(*) FROM ethnic_groups");
	return org_query_int(db, &q, n, e);
}

int org_ethnic_groups(db_t *db, ethnic_group_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_prep(db, "SELECT code, name_vi, name_en FROM ethnic_groups ORDER BY code", &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			ethnic_group_t *v = realloc(*out, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				free(*out);
				*out = NULL;
				*n = 0;
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			*out = v;
			cap = ncap;
		}
		copy_text((*out)[*n].code, sizeof((*out)[*n].code), db_col_text(st, 0));
		copy_text((*out)[*n].name_vi, sizeof((*out)[*n].name_vi), db_col_text(st, 1));
		copy_text((*out)[*n].name_en, sizeof((*out)[*n].name_en), db_col_text(st, 2));
		(*n)++;
	}
	db_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return store_fail(db, rc, e);
	}
	return 0;
}
