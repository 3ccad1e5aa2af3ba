/*
 * db.c - the driver-independent half of db.h: URL dispatch, the statement
 * cache, transactions bookkeeping, date binding and migration token
 * expansion.
 */
#include "store/db_driver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_fail(db_t *db, int code, const char *fmt, ...)
{
	va_list ap;

	if (db) {
		va_start(ap, fmt);
		vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
		va_end(ap);
	}
	return code;
}

static const db_driver_t *driver_for(const char *url, const char **target)
{
	if (strncmp(url, "sqlite:", 7) == 0) {
		*target = url + 7;
		return &db_sqlite_driver;
	}
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		*target = url;
		return db_postgresql_driver();
	}
	if (strstr(url, "://")) {
		*target = NULL;
		return NULL;
	}
	*target = url; /* a plain file path */
	return &db_sqlite_driver;
}

int db_open(const char *url, db_t **out, char *errbuf, size_t errlen)
{
	const char *target = NULL;
	const db_driver_t *drv;

	*out = NULL;
	if (!url || !*url) {
		snprintf(errbuf, errlen, "no database given (use --db or UNIONBASE_DB)");
		return DB_CONNECT;
	}
	drv = driver_for(url, &target);
	if (!drv) {
		snprintf(errbuf, errlen, "unsupported database URL (use a file path, sqlite:PATH or postgresql://...)");
		return DB_CONNECT;
	}
	if (!*target) {
		snprintf(errbuf, errlen, "empty database path in %s", url);
		return DB_CONNECT;
	}
	return drv->open(target, out, errbuf, errlen);
}

void db_close(db_t *db)
{
	if (!db)
		return;
	if (db->in_tx)
		(void)db_rollback(db);
	db_cache_clear(db);
	db->drv->close(db);
}

/* Sends the BEGIN that db_begin_read put off, before the transaction's
 * first statement. A failed BEGIN is tried again by the next statement:
 * none runs outside the snapshot the caller asked for. */
static int begin_now(db_t *db)
{
	int rc;

	if (!db->begin_pending)
		return DB_OK;
	rc = db->drv->begin_read(db);
	if (rc == DB_OK) {
		db->begin_pending = false;
		return DB_OK;
	}
	/* whatever of it did start (PostgreSQL: the BEGIN of "BEGIN; SET
	 * LOCAL ..."), so that the next try starts clean; its message kept */
	{
		char msg[sizeof(db->errmsg)];
		memcpy(msg, db->errmsg, sizeof(msg));
		(void)db->drv->exec(db, "ROLLBACK");
		memcpy(db->errmsg, msg, sizeof(msg));
	}
	return rc;
}

void *db_ext(const db_t *db, db_ext_slot_t slot) { return db->ext[slot]; }

void db_ext_set(db_t *db, db_ext_slot_t slot, void *p, void (*free_fn)(void *))
{
	if (db->ext[slot] && db->ext_free[slot])
		db->ext_free[slot](db->ext[slot]);
	db->ext[slot] = p;
	db->ext_free[slot] = free_fn;
}

static void ext_clear(db_t *db)
{
	for (int i = 0; i < DB_EXT_SLOTS; i++)
		db_ext_set(db, (db_ext_slot_t)i, NULL, NULL);
}

db_dialect_t db_dialect(const db_t *db) { return db->drv->dialect; }

int db_ensure_connected(db_t *db)
{
	if (!db->drv->ensure_connected)
		return DB_OK;
	return db->drv->ensure_connected(db);
}
void db_set_wait_limit(db_t *db, int ms)
{
	if (db->drv->set_wait_limit)
		db->drv->set_wait_limit(db, ms);
}

int db_set_interactive(db_t *db) { return db->drv->set_interactive ? db->drv->set_interactive(db) : DB_OK; }

int db_writers_waiting(db_t *db) { return db->drv->writers_waiting ? db->drv->writers_waiting(db) : 0; }

const char *db_errmsg(const db_t *db) { return db->errmsg; }
int db_exec(db_t *db, const char *sql)
{
	int rc = begin_now(db);
	return rc == DB_OK ? db->drv->exec(db, sql) : rc;
}
/* A statement idle in the cache was finalized by its caller: using it is
 * a bug that ASan no longer sees (the memory is still allocated). */
#define REFUSE_IDLE(st)                                                                          \
	do {                                                                                     \
		if ((st)->idle)                                                                  \
			return db_fail((st)->db, DB_ERROR, "a statement used after db_finalize"); \
	} while (0)

int db_bind_int64(db_stmt_t *st, int idx, int64_t v)
{
	REFUSE_IDLE(st);
	return st->db->drv->bind_int64(st, idx, v);
}
int db_bind_text(db_stmt_t *st, int idx, const char *v)
{
	REFUSE_IDLE(st);
	return v ? st->db->drv->bind_text(st, idx, v) : st->db->drv->bind_null(st, idx);
}
int db_bind_null(db_stmt_t *st, int idx)
{
	REFUSE_IDLE(st);
	return st->db->drv->bind_null(st, idx);
}
int db_step(db_stmt_t *st)
{
	int rc;
	REFUSE_IDLE(st);
	if ((rc = begin_now(st->db)) != DB_OK)
		return rc;
	return st->db->drv->step(st);
}
int db_step_within(db_stmt_t *st, int ms)
{
	int rc;
	REFUSE_IDLE(st);
	if ((rc = begin_now(st->db)) != DB_OK)
		return rc;
	return st->db->drv->step_within ? st->db->drv->step_within(st, ms) : st->db->drv->step(st);
}
int db_reset(db_stmt_t *st)
{
	REFUSE_IDLE(st);
	return st->db->drv->reset(st);
}
int db_col_count(db_stmt_t *st) { return st->db->drv->col_count(st); }
bool db_col_is_null(db_stmt_t *st, int col) { return st->db->drv->col_is_null(st, col); }
int64_t db_col_int64(db_stmt_t *st, int col) { return st->db->drv->col_int64(st, col); }
const char *db_col_text(db_stmt_t *st, int col) { return st->db->drv->col_text(st, col); }

/* ---- the statement cache (see db.h and db_driver.h) ---- */

/* A hash of the SQL text's len bytes, eight at a time (texts run to a few
 * kilobytes and are hashed at every db_prepare). */
static uint32_t sql_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	if (i < len) {
		uint64_t w = 0;
		memcpy(&w, s + i, len - i);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	return (uint32_t)h;
}

static db_stmt_t **bucket_of(db_t *db, uint32_t hash)
{
	return &db->cache.buckets[hash & (DB_STMT_CACHE_BUCKETS - 1)];
}

static void idle_unlink(db_t *db, db_stmt_t *st)
{
	db_stmt_cache_t *c = &db->cache;

	if (st->iprev)
		st->iprev->inext = st->inext;
	else
		c->idle_first = st->inext;
	if (st->inext)
		st->inext->iprev = st->iprev;
	else
		c->idle_last = st->iprev;
	st->iprev = st->inext = NULL;
	st->idle = false;
	c->idle--;
}

static void idle_append(db_t *db, db_stmt_t *st)
{
	db_stmt_cache_t *c = &db->cache;

	st->iprev = c->idle_last;
	st->inext = NULL;
	if (c->idle_last)
		c->idle_last->inext = st;
	else
		c->idle_first = st;
	c->idle_last = st;
	st->idle = true;
	c->idle++;
}

/* Takes st out of the cache (idle or not): afterwards it is a statement
 * like any other, which db_finalize destroys. */
static void cache_forget(db_t *db, db_stmt_t *st)
{
	db_stmt_t **p = bucket_of(db, st->hash);

	while (*p && *p != st)
		p = &(*p)->hnext;
	if (*p)
		*p = st->hnext;
	st->hnext = NULL;
	if (st->idle)
		idle_unlink(db, st);
	free(st->sql);
	st->sql = NULL;
	db->cache.count--;
}

/* Destroys st through its driver, keeping db_errmsg as it was. */
static void destroy(db_stmt_t *st)
{
	db_t *db = st->db;
	char msg[sizeof(db->errmsg)];

	memcpy(msg, db->errmsg, sizeof(msg));
	db->drv->finalize(st);
	memcpy(db->errmsg, msg, sizeof(msg));
}

void db_cache_clear(db_t *db)
{
	ext_clear(db);
	for (size_t b = 0; b < DB_STMT_CACHE_BUCKETS; b++) {
		while (db->cache.buckets[b]) {
			db_stmt_t *st = db->cache.buckets[b];
			bool idle = st->idle;
			cache_forget(db, st);
			if (idle)
				destroy(st);
			/* a handed-out one is destroyed by its db_finalize */
		}
	}
}

void db_cache_stats(const db_t *db, db_cache_stats_t *out)
{
	out->cached = db->cache.count;
	out->idle = db->cache.idle;
	out->hits = db->cache.hits;
	out->misses = db->cache.misses;
	out->evictions = db->cache.evictions;
}

int db_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
	size_t len = strlen(sql);
	uint32_t hash = sql_hash(sql, len);
	db_stmt_t *st;
	int rc;

	*out = NULL;
	for (st = *bucket_of(db, hash); st; st = st->hnext) {
		if (st->idle && st->hash == hash && st->sqllen == len && memcmp(st->sql, sql, len) == 0) {
			idle_unlink(db, st);
			db->cache.hits++;
			*out = st;
			return DB_OK;
		}
	}
	rc = db->drv->prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	db->cache.misses++;
	if (db->cache.count >= DB_STMT_CACHE_MAX && db->cache.idle_first) {
		db_stmt_t *old = db->cache.idle_first;
		cache_forget(db, old);
		destroy(old);
		db->cache.evictions++;
	}
	if (db->cache.count < DB_STMT_CACHE_MAX) {
		/* without memory for the key the statement is simply not kept */
		st->sql = malloc(len + 1);
		if (st->sql) {
			db_stmt_t **b = bucket_of(db, hash);
			memcpy(st->sql, sql, len + 1);
			st->sqllen = len;
			st->hash = hash;
			st->hnext = *b;
			*b = st;
			db->cache.count++;
		}
	}
	*out = st;
	return DB_OK;
}

void db_finalize(db_stmt_t *st)
{
	db_t *db;
	char msg[DB_ERRMSG_MAX];
	bool keep;

	if (!st)
		return;
	db = st->db;
	if (st->idle) {
		/* finalized twice: a bug that freed the statement twice before
		 * the cache, and glibc stopped the program then too; going on
		 * could hand one statement to two callers */
		fprintf(stderr, "unionbase: db_finalize called twice on one statement\n");
		abort();
	}
	if (!st->sql) {
		destroy(st);
		return;
	}
	/* reset releases what the run holds (SQLite's read lock, the rest of
	 * a PostgreSQL result); a statement that cannot be reset is not kept */
	memcpy(msg, db->errmsg, sizeof(msg));
	keep = db->drv->reset(st) == DB_OK && db->drv->clear_bindings(st) == DB_OK;
	memcpy(db->errmsg, msg, sizeof(msg));
	if (keep) {
		idle_append(db, st);
		return;
	}
	cache_forget(db, st);
	destroy(st);
}

int db_bind_date(db_stmt_t *st, int idx, date_t d)
{
	char buf[DATE_STR_LEN];

	REFUSE_IDLE(st);
	return st->db->drv->bind_text(st, idx, date_format(d, buf));
}

int db_bind_dates(db_stmt_t *st, int first, int last, date_t d)
{
	char buf[DATE_STR_LEN];

	REFUSE_IDLE(st);
	date_format(d, buf); /* once for all of them */
	for (int i = first; i <= last; i++) {
		int rc = st->db->drv->bind_text(st, i, buf);
		if (rc)
			return rc;
	}
	return DB_OK;
}

int db_col_date(db_stmt_t *st, int col, date_t *out)
{
	const char *s;

	if (db_col_is_null(st, col)) {
		*out = DATE_OPEN;
		return 0;
	}
	s = db_col_text(st, col);
	return date_parse(s, out);
}

int db_begin(db_t *db)
{
	int rc;

	if (db->in_tx)
		return db_fail(db, DB_ERROR, "a transaction is already open");
	rc = db->drv->begin(db);
	if (rc == DB_OK)
		db->in_tx = true;
	return rc;
}

int db_begin_read(db_t *db)
{
	if (db->in_tx)
		return db_fail(db, DB_ERROR, "a transaction is already open");
	/* put off until a statement runs: an answer served whole from a
	 * cache (api/units.c) makes no round trip for BEGIN and COMMIT. Both
	 * stores take the snapshot at the first statement anyway. */
	db->in_tx = true;
	db->begin_pending = true;
	return DB_OK;
}

int db_commit(db_t *db)
{
	int rc;

	if (!db->in_tx)
		return db_fail(db, DB_ERROR, "no transaction is open");
	if (db->begin_pending) {
		db->begin_pending = db->in_tx = false;
		return DB_OK;
	}
	rc = db->drv->commit ? db->drv->commit(db) : db->drv->exec(db, "COMMIT");
	if (rc != DB_OK) {
		/* the transaction is gone either way; keep the commit's message */
		char msg[sizeof(db->errmsg)];
		memcpy(msg, db->errmsg, sizeof(msg));
		(void)db->drv->exec(db, "ROLLBACK");
		memcpy(db->errmsg, msg, sizeof(msg));
	}
	db->in_tx = false;
	if (db->drv->ended)
		db->drv->ended(db);
	return rc;
}

int db_rollback(db_t *db)
{
	int rc;

	if (!db->in_tx)
		return DB_OK;
	db->in_tx = false;
	if (db->begin_pending) {
		db->begin_pending = false;
		return DB_OK;
	}
	rc = db->drv->exec(db, "ROLLBACK");
	if (db->drv->ended)
		db->drv->ended(db);
	return rc;
}

bool db_in_transaction(const db_t *db) { return db->in_tx; }

int db_bulk_begin(db_t *db, const char *table, const char *const *columns, int ncols,
		  db_bulk_t **out)
{
	*out = NULL;
	if (!db->in_tx)
		return db_fail(db, DB_ERROR, "bulk load outside a transaction");
	if (ncols < 1 || ncols > DB_BULK_COLS_MAX)
		return db_fail(db, DB_ERROR, "bulk load: no columns, or more than a load takes");
	if (begin_now(db) != DB_OK)
		return DB_ERROR;
	return db->drv->bulk_begin(db, table, columns, ncols, out);
}

int db_bulk_row(db_bulk_t *b, const char *const *values) { return b->db->drv->bulk_row(b, values); }
int db_bulk_end(db_bulk_t *b) { return b ? b->db->drv->bulk_end(b) : DB_OK; }

int db_sync_ids(db_t *db, const char *table)
{
	if (begin_now(db) != DB_OK)
		return DB_ERROR;
	return db->drv->sync_ids ? db->drv->sync_ids(db, table) : DB_OK;
}

const char *db_type(const db_t *db, db_type_t t) { return db->drv->types[t]; }

char *db_expand(const db_t *db, const char *sql)
{
	static const char *const tokens[] = { "@ID@", "@DATE@", "@TIMESTAMP@", "@BINARY@" };
	size_t cap = strlen(sql) * 2 + 256, len = 0;
	char *out = malloc(cap);
	const char *p = sql;

	if (!out)
		return NULL;
	while (*p) {
		int hit = -1;
		for (int t = 0; t < 4; t++)
			if (strncmp(p, tokens[t], strlen(tokens[t])) == 0)
				hit = t;
		const char *piece = hit >= 0 ? db->drv->types[hit] : p;
		size_t plen = hit >= 0 ? strlen(piece) : 1;
		if (len + plen + 1 > cap) {
			char *n;
			cap = (cap + plen) * 2;
			n = realloc(out, cap);
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		memcpy(out + len, piece, plen);
		len += plen;
		p += hit >= 0 ? strlen(tokens[hit]) : 1;
	}
	out[len] = '\0';
	return out;
}
