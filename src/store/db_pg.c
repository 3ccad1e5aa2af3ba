/*
 * db_pg.c - the PostgreSQL driver behind db.h, over libpq.
 *
 * `?` placeholders are rewritten to $1, $2, ... (outside quoted literals and
 * identifiers) when a statement is prepared; parameters travel as text and
 * the server infers their types from the columns they meet, so callers bind
 * dates as "YYYY-MM-DD" exactly as on SQLite. A statement runs at its first
 * db_step and its rows are then read from the PGresult. Write transactions
 * take one write lock (see p_begin); read transactions are REPEATABLE READ
 * READ ONLY snapshots, which work on a standby too. Errors are
 * classified by SQLSTATE so that a unique violation is DB_UNIQUE, as on
 * SQLite. Bulk loads use COPY ... FROM STDIN.
 */
#include "store/db_driver.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_db {
	struct db base;
	PGconn *conn;
} pg_db_t;

typedef struct pg_stmt {
	struct db_stmt base;
	char *sql;        /* with $n placeholders */
	int nparams;
	char **values;    /* nparams strings or NULL, owned */
	PGresult *res;
	int row;          /* the current row, -1 before the first */
	bool ran;
} pg_stmt_t;

typedef struct pg_bulk {
	struct db_bulk base;
	int ncols;
	char *buf;
	size_t len, cap;
} pg_bulk_t;

#define PDB(db) ((pg_db_t *)(db))
#define PST(st) ((pg_stmt_t *)(st))

static int classify(const char *sqlstate)
{
	if (!sqlstate)
		return DB_ERROR;
	if (strcmp(sqlstate, "23505") == 0)
		return DB_UNIQUE;
	if (strncmp(sqlstate, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0 || strcmp(sqlstate, "55P03") == 0)
		return DB_BUSY;
	if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0)
		return DB_CONNECT;
	return DB_ERROR;
}

/* Records a failed result's message and classification; clears res. */
static int fail_res(db_t *db, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	int code;

	if (!msg || !*msg)
		msg = PQerrorMessage(PDB(db)->conn);
	code = classify(state);
	if (!state && PQstatus(PDB(db)->conn) != CONNECTION_OK)
		code = DB_CONNECT;
	db_fail(db, code, "postgresql: %.*s", (int)strcspn(msg, "\n"), msg);
	PQclear(res);
	return code;
}

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

#define SESSION_SETUP "SET client_encoding TO 'UTF8'; SET datestyle TO 'ISO, YMD'; SET TIME ZONE 'UTC'"

static int p_ensure_connected(db_t *db)
{
	PGresult *res;

	if (PQstatus(PDB(db)->conn) == CONNECTION_OK)
		return DB_OK;
	db->in_tx = false;
	PQreset(PDB(db)->conn);
	if (PQstatus(PDB(db)->conn) != CONNECTION_OK)
		return db_fail(db, DB_CONNECT, "postgresql: cannot reconnect: %s", PQerrorMessage(PDB(db)->conn));
	res = PQexec(PDB(db)->conn, SESSION_SETUP);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail_res(db, res);
	PQclear(res);
	return DB_OK;
}

static int p_open(const char *url, db_t **out, char *errbuf, size_t errlen)
{
	pg_db_t *db = calloc(1, sizeof(*db));
	PGresult *res;

	if (!db) {
		snprintf(errbuf, errlen, "out of memory");
		return DB_ERROR;
	}
	db->base.drv = db_postgresql_driver();
	db->conn = PQconnectdb(url);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		const char *m = db->conn ? PQerrorMessage(db->conn) : "out of memory";
		snprintf(errbuf, errlen, "cannot connect to PostgreSQL: %.*s", (int)strcspn(m, "\n"), m);
		PQfinish(db->conn);
		free(db);
		return DB_CONNECT;
	}
	PQsetNoticeProcessor(db->conn, quiet_notices, NULL);
	res = PQexec(db->conn, SESSION_SETUP);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		snprintf(errbuf, errlen, "cannot set up the PostgreSQL session: %s", PQerrorMessage(db->conn));
		PQclear(res);
		PQfinish(db->conn);
		free(db);
		return DB_CONNECT;
	}
	PQclear(res);
	*out = &db->base;
	return DB_OK;
}

static void p_close(db_t *db)
{
	PQfinish(PDB(db)->conn);
	free(db);
}

static int p_exec(db_t *db, const char *sql)
{
	PGresult *res = PQexec(PDB(db)->conn, sql);
	ExecStatusType s = PQresultStatus(res);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return fail_res(db, res);
	PQclear(res);
	return DB_OK;
}

/* Rewrites ? into $n outside '...', "..." and comments. Returns the count
 * of placeholders, or -1 on no memory. */
static int rewrite_placeholders(const char *sql, char **out)
{
	size_t cap = strlen(sql) * 3 + 16, len = 0;
	char *r = malloc(cap);
	int n = 0;
	char quote = 0;

	if (!r)
		return -1;
	for (const char *p = sql; *p; p++) {
		if (len + 16 > cap) {
			char *t;
			cap *= 2;
			t = realloc(r, cap);
			if (!t) {
				free(r);
				return -1;
			}
			r = t;
		}
		if (quote) {
			if (*p == quote)
				quote = 0;
			r[len++] = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			r[len++] = *p;
		} else if (*p == '?') {
			len += (size_t)snprintf(r + len, cap - len, "$%d", ++n);
		} else {
			r[len++] = *p;
		}
	}
	r[len] = '\0';
	*out = r;
	return n;
}

static int p_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
	pg_stmt_t *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (!st)
		return db_fail(db, DB_ERROR, "out of memory");
	st->nparams = rewrite_placeholders(sql, &st->sql);
	if (st->nparams < 0) {
		free(st);
		return db_fail(db, DB_ERROR, "out of memory");
	}
	if (st->nparams > 0) {
		st->values = calloc((size_t)st->nparams, sizeof(char *));
		if (!st->values) {
			free(st->sql);
			free(st);
			return db_fail(db, DB_ERROR, "out of memory");
		}
	}
	st->base.db = db;
	st->row = -1;
	*out = &st->base;
	return DB_OK;
}

static int set_value(db_stmt_t *base, int idx, const char *v)
{
	pg_stmt_t *st = PST(base);
	char *copy = NULL;

	if (idx < 1 || idx > st->nparams)
		return db_fail(base->db, DB_ERROR, "bind index %d out of range (1..%d)", idx, st->nparams);
	if (v) {
		copy = strdup(v);
		if (!copy)
			return db_fail(base->db, DB_ERROR, "out of memory");
	}
	free(st->values[idx - 1]);
	st->values[idx - 1] = copy;
	return DB_OK;
}

static int p_bind_int64(db_stmt_t *st, int idx, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return set_value(st, idx, buf);
}

static int p_bind_text(db_stmt_t *st, int idx, const char *v) { return set_value(st, idx, v); }
static int p_bind_null(db_stmt_t *st, int idx) { return set_value(st, idx, NULL); }

static int p_step(db_stmt_t *base)
{
	pg_stmt_t *st = PST(base);

	if (!st->ran) {
		ExecStatusType s;
		st->res = PQexecParams(PDB(base->db)->conn, st->sql, st->nparams, NULL,
				       (const char *const *)st->values, NULL, NULL, 0);
		st->ran = true;
		s = PQresultStatus(st->res);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			int code = fail_res(base->db, st->res);
			st->res = NULL;
			return code;
		}
		st->row = -1;
	}
	if (!st->res)
		return DB_DONE;
	st->row++;
	return st->row < PQntuples(st->res) ? DB_ROW : DB_DONE;
}

static int p_reset(db_stmt_t *base)
{
	pg_stmt_t *st = PST(base);
	PQclear(st->res);
	st->res = NULL;
	st->ran = false;
	st->row = -1;
	return DB_OK;
}

static void p_finalize(db_stmt_t *base)
{
	pg_stmt_t *st = PST(base);

	PQclear(st->res);
	for (int i = 0; i < st->nparams; i++)
		free(st->values[i]);
	free(st->values);
	free(st->sql);
	free(st);
}

static int p_col_count(db_stmt_t *st) { return PST(st)->res ? PQnfields(PST(st)->res) : 0; }

static bool p_col_is_null(db_stmt_t *base, int col)
{
	pg_stmt_t *st = PST(base);
	return !st->res || st->row < 0 || PQgetisnull(st->res, st->row, col);
}

static const char *p_col_text(db_stmt_t *base, int col)
{
	pg_stmt_t *st = PST(base);
	if (p_col_is_null(base, col))
		return "";
	return PQgetvalue(st->res, st->row, col);
}

static int64_t p_col_int64(db_stmt_t *st, int col)
{
	const char *t = p_col_text(st, col);
	if (t[0] == 't' && t[1] == '\0')
		return 1;
	return strtoll(t, NULL, 10);
}

/*
 * A write transaction holds the database's one write lock, as SQLite's
 * BEGIN IMMEDIATE does: an advisory lock taken first, in READ COMMITTED, so
 * that every statement after it sees what the writers before committed.
 * The checks an operation makes then still hold when it writes, and
 * concurrent writers wait for each other instead of failing as
 * SERIALIZABLE would under load. Readers never wait.
 */
#define WRITE_LOCK_KEY "730512025" /* any constant shared by every server */

static int p_begin(db_t *db)
{
	int rc = p_exec(db, "BEGIN ISOLATION LEVEL READ COMMITTED");

	if (rc == DB_OK)
		rc = p_exec(db, "SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")");
	if (rc != DB_OK) {
		char msg[sizeof(db->errmsg)];
		memcpy(msg, db->errmsg, sizeof(msg));
		(void)p_exec(db, "ROLLBACK");
		memcpy(db->errmsg, msg, sizeof(msg));
	}
	return rc;
}

static int p_bulk_begin(db_t *db, const char *table, const char *const *columns, int ncols,
			db_bulk_t **out)
{
	char sql[2048];
	size_t len;
	PGresult *res;
	pg_bulk_t *b;

	len = (size_t)snprintf(sql, sizeof(sql), "COPY %s (", table);
	for (int i = 0; i < ncols && len < sizeof(sql); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? "," : "", columns[i]);
	if (len < sizeof(sql))
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ") FROM STDIN");
	if (len >= sizeof(sql))
		return db_fail(db, DB_ERROR, "bulk load: too many columns");
	res = PQexec(PDB(db)->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return fail_res(db, res);
	PQclear(res);
	b = calloc(1, sizeof(*b));
	if (!b) {
		PQputCopyEnd(PDB(db)->conn, "out of memory");
		res = PQgetResult(PDB(db)->conn);
		PQclear(res);
		return db_fail(db, DB_ERROR, "out of memory");
	}
	b->base.db = db;
	b->ncols = ncols;
	*out = &b->base;
	return DB_OK;
}

static int bulk_put(pg_bulk_t *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->cap + n) * 2;
		char *p = realloc(b->buf, cap);
		if (!p)
			return -1;
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	return 0;
}

static int bulk_flush(pg_bulk_t *b)
{
	if (b->len && PQputCopyData(PDB(b->base.db)->conn, b->buf, (int)b->len) != 1)
		return db_fail(b->base.db, DB_ERROR, "postgresql: COPY failed: %s",
			       PQerrorMessage(PDB(b->base.db)->conn));
	b->len = 0;
	return DB_OK;
}

/* COPY's text format: tab-separated, \N for NULL, backslash escapes. */
static int p_bulk_row(db_bulk_t *base, const char *const *values)
{
	pg_bulk_t *b = (pg_bulk_t *)base;
	int bad = 0;

	for (int i = 0; i < b->ncols; i++) {
		if (i)
			bad |= bulk_put(b, "\t", 1);
		if (!values[i]) {
			bad |= bulk_put(b, "\\N", 2);
			continue;
		}
		for (const char *p = values[i]; *p; p++) {
			switch (*p) {
			case '\\': bad |= bulk_put(b, "\\\\", 2); break;
			case '\t': bad |= bulk_put(b, "\\t", 2); break;
			case '\n': bad |= bulk_put(b, "\\n", 2); break;
			case '\r': bad |= bulk_put(b, "\\r", 2); break;
			default: bad |= bulk_put(b, p, 1);
			}
		}
	}
	bad |= bulk_put(b, "\n", 1);
	if (bad)
		return db_fail(base->db, DB_ERROR, "out of memory");
	return b->len > (1 << 20) ? bulk_flush(b) : DB_OK;
}

static int p_bulk_end(db_bulk_t *base)
{
	pg_bulk_t *b = (pg_bulk_t *)base;
	PGconn *conn = PDB(base->db)->conn;
	int rc = bulk_flush(b);
	PGresult *res;

	if (PQputCopyEnd(conn, rc == DB_OK ? NULL : "aborted") != 1 && rc == DB_OK)
		rc = db_fail(base->db, DB_ERROR, "postgresql: COPY failed: %s", PQerrorMessage(conn));
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == DB_OK)
			rc = fail_res(base->db, res);
		else
			PQclear(res);
	}
	free(b->buf);
	free(b);
	return rc;
}

static int p_sync_ids(db_t *db, const char *table)
{
	char sql[512];

	for (const char *p = table; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return db_fail(db, DB_ERROR, "bad table name");
	snprintf(sql, sizeof(sql),
		 "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT max(id) FROM %s), 0) + 1, false)",
		 table, table);
	return p_exec(db, sql);
}

static int p_begin_read(db_t *db) { return p_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

static const db_driver_t pg_driver = {
	.name = "postgresql",
	.dialect = DB_POSTGRESQL,
	.open = p_open,
	.close = p_close,
	.exec = p_exec,
	.prepare = p_prepare,
	.bind_int64 = p_bind_int64,
	.bind_text = p_bind_text,
	.bind_null = p_bind_null,
	.step = p_step,
	.reset = p_reset,
	.finalize = p_finalize,
	.col_count = p_col_count,
	.col_is_null = p_col_is_null,
	.col_int64 = p_col_int64,
	.col_text = p_col_text,
	.begin = p_begin,
	.begin_read = p_begin_read,
	.bulk_begin = p_bulk_begin,
	.bulk_row = p_bulk_row,
	.bulk_end = p_bulk_end,
	.sync_ids = p_sync_ids,
	.ensure_connected = p_ensure_connected,
	.types = { "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "DATE", "TEXT", "COLLATE \"C\"" },
};

const db_driver_t *db_postgresql_driver(void) { return &pg_driver; }
