/* util.c - see util.h. */
#include "store/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void store_fail_(db_t *db, int rc, err_t *e)
{
	if (rc == DB_UNIQUE)
		err_set(e, ERR_CONFLICT, "conflict", "%s", db_errmsg(db));
	else if (rc == DB_CONNECT)
		err_set(e, ERR_UNAVAILABLE, "store_unavailable", "the database cannot be reached: %s", db_errmsg(db));
	else if (rc == DB_BUSY)
		err_set(e, ERR_INTERNAL, "busy", "the database is busy, try again: %s", db_errmsg(db));
	else
		err_set(e, ERR_INTERNAL, "internal", "%s", db_errmsg(db));
}

int store_prep(db_t *db, const char *sql, db_stmt_t **st, err_t *e)
{
	int rc = db_prepare(db, sql, st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int store_tx_begin(db_t *db, bool *own, err_t *e)
{
	int rc;

	*own = !db_in_transaction(db);
	if (!*own)
		return 0;
	rc = db_begin(db);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int store_tx_end(db_t *db, bool own, int r, err_t *e)
{
	int rc;

	if (!own)
		return r ? -1 : 0;
	if (r) {
		db_rollback(db);
		return -1;
	}
	rc = db_commit(db);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int store_analyze(db_t *db, err_t *e)
{
	int rc;

	if (db_dialect(db) != DB_POSTGRESQL)
		return 0;
	rc = db_exec(db, "ANALYZE");
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int store_analyze_tables(db_t *db, const char *tables, err_t *e)
{
	char sql[512];
	int rc;

	if (db_dialect(db) != DB_POSTGRESQL)
		return 0;
	snprintf(sql, sizeof(sql), "ANALYZE %s", tables);
	rc = db_exec(db, sql);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int store_growth_step(db_t *db, store_growth_t *g, const char *tables, err_t *e)
{
	if (++g->changes < g->next)
		return 0;
	g->next *= 2;
	return store_analyze_tables(db, tables, e);
}

int store_cache_mb(db_t *db, int mb, err_t *e)
{
	char sql[64];
	int rc;

	if (db_dialect(db) != DB_SQLITE)
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", mb * 1024);
	rc = db_exec(db, sql);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int store_bulk_writes(db_t *db, err_t *e)
{
	return store_cache_mb(db, STORE_BULK_CACHE_MB, e);
}

static int set_temp_store(db_t *db, int mode, err_t *e)
{
	char sql[64];
	int rc;

	if (db_in_transaction(db))
		return err_set(e, ERR_INTERNAL, NULL, "the temporary storage changed inside a transaction");
	snprintf(sql, sizeof(sql), "PRAGMA temp_store = %d", mode);
	rc = db_exec(db, sql);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int store_pragma_int(db_t *db, const char *pragma, int64_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if ((rc = db_prepare(db, pragma, &st)) != DB_OK)
		return store_fail(db, rc, e);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_col_int64(st, 0);
	db_finalize(st);
	if (rc == DB_ROW)
		return 0;
	return rc == DB_DONE ? err_set(e, ERR_INTERNAL, NULL, "%s said nothing", pragma) : store_fail(db, rc, e);
}

int store_temp_in_memory(db_t *db, int *was, err_t *e)
{
	int64_t mode = 0;

	*was = -1;
	if (db_dialect(db) != DB_SQLITE)
		return 0;
	if (store_pragma_int(db, "PRAGMA temp_store", &mode, e))
		return -1;
	*was = (int)mode;
	return set_temp_store(db, 2, e);
}

int store_temp_put_back(db_t *db, int was, err_t *e)
{
	if (db_dialect(db) != DB_SQLITE || was < 0)
		return 0;
	return set_temp_store(db, was, e);
}

int store_vacuum(db_t *db, err_t *e)
{
	int rc;

	if (db_dialect(db) != DB_POSTGRESQL)
		return 0;
	rc = db_exec(db, "VACUUM (ANALYZE)");
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

void store_now_iso(char *buf, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, cap, "1970-01-01T00:00:00Z");
}

char *store_int_text(int64_t v, char buf[STORE_INT_TEXT])
{
	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char digits[STORE_INT_TEXT];
	size_t n = 0, at = 0;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[at++] = '-';
	while (n)
		buf[at++] = digits[--n];
	buf[at] = '\0';
	return buf;
}

void *store_grow(void *v, size_t *cap, size_t n, size_t size, err_t *e)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(v, ncap * size);
	if (!nv) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	*cap = ncap;
	return nv;
}
