/*
 * db_pg.c - the PostgreSQL driver behind db.h, over libpq.
 *
 * `?` placeholders are rewritten to $1, $2, ... (outside quoted literals and
 * identifiers) when a statement is prepared; parameters travel as text and
 * the server infers their types from the columns they meet, so callers bind
 * dates as "YYYY-MM-DD" exactly as on SQLite. db.c keeps prepared statements
 * for the life of the connection (db.h), and with them the rewritten SQL;
 * by default each is also prepared once on the server as a named statement
 * (PQprepare at its first run, PQsendQueryPrepared after), which spares the
 * server parsing and planning it again. The URL parameter
 * named_statements=off (removed before libpq sees the URL) sends every run
 * as the unnamed statement instead (PQsendQueryParams), for PgBouncer in
 * transaction mode (docs/operations.md). Server-side statements the cache
 * evicts are deallocated before the next one is prepared. A statement that
 * begins with DB_PLAN_EACH_RUN is always sent unnamed, so that the server
 * plans it with its values: after five runs of a named statement it may
 * keep a generic plan, which for a search is the wrong one for most
 * values (seconds where the right plan takes milliseconds).
 *
 * Results stream: a statement runs at its first db_step in single-row mode,
 * and each db_step receives one more row, so a result of millions of rows
 * takes the memory of one. A connection receives one result at a time: the
 * statement receiving it is pg_db_t.streaming. Anything else that needs the
 * connection (another statement, db_exec, a transaction, COPY) first reads
 * the rest of that result into the streaming statement's own queue (drain);
 * that statement then goes on from its queue, its current row untouched,
 * and an error met while draining comes back from its db_step in turn. A
 * statement finalized or reset before its last row receives and drops the
 * rest (discard).
 *
 * Write transactions take one write lock (see p_begin); read transactions
 * are REPEATABLE READ READ ONLY snapshots, which work on a standby too.
 * Errors are classified by SQLSTATE so that a unique violation is
 * DB_UNIQUE, as on SQLite. Bulk loads use COPY ... FROM STDIN.
 */
#include "store/db_driver.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_stmt pg_stmt_t;

typedef struct pg_db {
	struct db base;
	PGconn *conn;
	bool named;            /* server-side named statements (named_statements=on) */
	unsigned conn_gen;     /* counts reconnects: statements named before are gone */
	unsigned next_name;    /* the last server-side name given, "ub<n>" */
	pg_stmt_t *streaming;  /* the statement whose result the connection is receiving */
	char *dealloc;         /* "DEALLOCATE ub1;DEALLOCATE ub7;" still to send, owned */
	size_t dealloc_len, dealloc_cap;
	int last_code;         /* the last error a statement met, for a refused COMMIT */
	char last_error[256];
	int wait_ms;           /* db_set_wait_limit: 0, none */
	bool interactive;      /* db_set_interactive: each read snapshot sets it */
} pg_db_t;

typedef enum pg_state {
	PG_IDLE,      /* not run since prepared or reset */
	PG_STREAMING, /* its result is arriving: it is the connection's streaming statement */
	PG_BUFFERED,  /* the rest of its result is in its queue */
	PG_DONE,      /* no more rows */
} pg_state_t;

struct pg_stmt {
	struct db_stmt base;
	char *sql;          /* with $n placeholders, owned */
	int nparams;
	char **values;      /* nparams strings or NULL, owned */
	char name[16];      /* the server-side statement, "" when none */
	bool each_run;      /* planned with its values at every run (DB_PLAN_EACH_RUN) */
	unsigned name_gen;  /* the conn_gen it was prepared on */
	pg_state_t state;
	PGresult *cur;      /* the result holding the current row, owned, or NULL */
	int currow;
	int ncols;
	PGresult **queue;   /* results drained ahead (each one row or more), owned */
	size_t qhead, qlen, qcap;
	int err;            /* the failure that follows the queued rows, or 0 */
	char errmsg[512];
};

typedef struct pg_bulk {
	struct db_bulk base;
	int ncols;
	char *buf;
	size_t len, cap;
	bool failed; /* a row failed: its message stands, the COPY is aborted */
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

/* Classifies a failed result (NULL: the connection's failure) and writes
 * its message's first line into buf; remembers it as the last error.
 * Returns the db_rc. */
static int describe(pg_db_t *pdb, const PGresult *res, char *buf, size_t cap)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	int code;

	if (!msg || !*msg)
		msg = PQerrorMessage(pdb->conn);
	if (!*msg)
		msg = res ? PQresStatus(PQresultStatus(res)) : "no answer from the server";
	code = classify(state);
	if (!state && PQstatus(pdb->conn) != CONNECTION_OK)
		code = DB_CONNECT;
	snprintf(pdb->last_error, sizeof(pdb->last_error), "%.*s", (int)strcspn(msg, "\n"), msg);
	pdb->last_code = code;
	snprintf(buf, cap, "postgresql: %s", pdb->last_error);
	return code;
}

/* Records a failed result's message and classification; clears res. */
static int fail_res(db_t *db, PGresult *res)
{
	char msg[sizeof(db->errmsg)];
	int code = describe(PDB(db), res, msg, sizeof(msg));

	db_fail(db, code, "%s", msg);
	PQclear(res);
	return code;
}

static bool rows_status(ExecStatusType s) { return s == PGRES_SINGLE_TUPLE || s == PGRES_TUPLES_OK; }
static bool ok_status(ExecStatusType s) { return rows_status(s) || s == PGRES_COMMAND_OK; }

/* PQgetResult that never leaves the connection inside a COPY that a
 * statement started (COPY runs through db_bulk_*): the COPY result then
 * reads as a failure. */
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits up to wait_ms for the server to send what PQgetResult needs; when
 * nothing comes, shuts the socket down: libpq then fails the statement
 * and the connection (PQcancel would wait on the same silent server). */
static void wait_or_drop(PGconn *conn, int wait_ms)
{
	long long deadline = now_ms() + wait_ms;

	while (PQisBusy(conn)) {
		struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
		long long left = deadline - now_ms();
		int r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			shutdown(PQsocket(conn), SHUT_RDWR);
			return;
		}
		if (!PQconsumeInput(conn))
			return;
	}
}

static PGresult *get_result(pg_db_t *pdb)
{
	PGconn *conn = pdb->conn;
	PGresult *res;

	if (pdb->wait_ms > 0)
		wait_or_drop(conn, pdb->wait_ms);
	res = PQgetResult(conn);
	ExecStatusType s = PQresultStatus(res);

	if (res && s == PGRES_COPY_IN) {
		(void)PQputCopyEnd(conn, "COPY runs through the bulk load functions"); /* its failure arrives as the next result */
	} else if (res && s == PGRES_COPY_OUT) {
		char *buf = NULL;
		while (PQgetCopyData(conn, &buf, 0) > 0)
			PQfreemem(buf);
	}
	return res;
}

/* ---- one result at a time on a connection ---- */

static int queue_push(pg_stmt_t *st, PGresult *res)
{
	if (st->qlen == st->qcap) {
		size_t cap = st->qcap ? st->qcap * 2 : 64;
		PGresult **q = realloc(st->queue, cap * sizeof(PGresult *));
		if (!q)
			return -1;
		st->queue = q;
		st->qcap = cap;
	}
	st->queue[st->qlen++] = res;
	return 0;
}

/* Reads the rest of st's result into its queue, so that the connection can
 * run something else. A failure is kept for st's db_step, after the rows. */
static void drain(pg_stmt_t *st)
{
	pg_db_t *pdb = PDB(st->base.db);
	PGresult *res;

	while ((res = get_result(pdb)) != NULL) {
		ExecStatusType s = PQresultStatus(res);
		if (rows_status(s) && PQntuples(res) > 0 && !st->err) {
			if (queue_push(st, res) == 0)
				continue;
			st->err = DB_ERROR;
			snprintf(st->errmsg, sizeof(st->errmsg), "postgresql: out of memory reading the rest of a result");
		} else if (!ok_status(s) && !st->err) {
			st->err = describe(pdb, res, st->errmsg, sizeof(st->errmsg));
		}
		if (rows_status(s))
			st->ncols = PQnfields(res);
		PQclear(res);
	}
	pdb->streaming = NULL;
	st->state = PG_BUFFERED;
}

/* Frees the connection for a statement (self, or NULL) or command. */
static void claim(pg_db_t *pdb, const pg_stmt_t *self)
{
	if (pdb->streaming && pdb->streaming != self)
		drain(pdb->streaming);
}

static void clear_rows(pg_stmt_t *st)
{
	PQclear(st->cur);
	st->cur = NULL;
	st->currow = 0;
	for (size_t i = st->qhead; i < st->qlen; i++)
		PQclear(st->queue[i]);
	free(st->queue);
	st->queue = NULL;
	st->qhead = st->qlen = st->qcap = 0;
	st->err = 0;
	st->errmsg[0] = '\0';
}

/* Forgets st's run; a result still arriving is received and dropped.
 * Returns DB_OK, or DB_CONNECT when the connection broke. */
static int discard(pg_stmt_t *st)
{
	pg_db_t *pdb = PDB(st->base.db);
	int rc = DB_OK;

	if (st->state == PG_STREAMING) {
		PGresult *res;
		while ((res = get_result(pdb)) != NULL) {
			if (!ok_status(PQresultStatus(res))) {
				/* rows nobody will read failed: an open transaction
				 * is now aborted, and p_commit says why */
				char msg[sizeof(st->errmsg)];
				(void)describe(pdb, res, msg, sizeof(msg));
			}
			PQclear(res);
		}
		pdb->streaming = NULL;
		if (PQstatus(pdb->conn) != CONNECTION_OK)
			rc = DB_CONNECT;
	}
	clear_rows(st);
	st->state = PG_IDLE;
	return rc;
}

/* ---- connections ---- */

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* jit off: the compiling cost more than it saved in every query measured,
 * the largest too (the nation's figures of a past day on a million
 * members: 7.0 s with it, 6.0 s without; a figures check of 30,000: 2 s
 * of its 3.5 s compiling) */
#define SESSION_SETUP \
	"SET client_encoding TO 'UTF8'; SET datestyle TO 'ISO, YMD'; SET TIME ZONE 'UTC'; SET jit TO off"
/* db_set_interactive: no parallel workers in a read snapshot. Starting one
 * cost more than it saved: a province officer's list of events at 20
 * million members took 180-200 ms with a worker and 35 ms without (2
 * processors, 2026-12-07) */
#define INTERACTIVE_SETUP "SET LOCAL max_parallel_workers_per_gather TO 0"

static int p_ensure_connected(db_t *db)
{
	pg_db_t *pdb = PDB(db);
	PGresult *res;

	if (PQstatus(pdb->conn) == CONNECTION_OK)
		return DB_OK;
	db->in_tx = false;
	db->begin_pending = false;
	if (pdb->streaming) {
		pg_stmt_t *st = pdb->streaming;
		pdb->streaming = NULL;
		st->state = PG_BUFFERED;
		if (!st->err) {
			st->err = DB_CONNECT;
			snprintf(st->errmsg, sizeof(st->errmsg), "postgresql: the connection was lost");
		}
	}
	/* the server-side statements went with the old connection */
	pdb->conn_gen++;
	pdb->dealloc_len = 0;
	db_cache_clear(db);
	PQreset(pdb->conn);
	if (PQstatus(pdb->conn) != CONNECTION_OK)
		return db_fail(db, DB_CONNECT, "postgresql: cannot reconnect: %s", PQerrorMessage(pdb->conn));
	res = PQexec(pdb->conn, SESSION_SETUP);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail_res(db, res);
	PQclear(res);
	return DB_OK;
}


/* Is the query parameter p (up to its end) "named_statements=..."? */
static bool is_our_option(const char *p, size_t len)
{
	static const char key[] = "named_statements=";
	return len >= sizeof(key) - 1 && strncmp(p, key, sizeof(key) - 1) == 0;
}

/* Copies url without our own query parameter (named_statements=on|off),
 * which it reads into *named. Returns 0, or -1 with a message in errbuf. */
static int split_url(const char *url, char **libpq_url, bool *named, char *errbuf, size_t errlen)
{
	const char *q = strchr(url, '?');
	size_t len;
	char *out;

	*named = true;
	*libpq_url = NULL;
	out = malloc(strlen(url) + 1);
	if (!out) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	len = q ? (size_t)(q - url) : strlen(url);
	memcpy(out, url, len);
	out[len] = '\0';
	if (q) {
		const char *p = q + 1;
		bool first = true;
		while (*p) {
			size_t n = strcspn(p, "&");
			if (is_our_option(p, n)) {
				const char *v = p + strlen("named_statements=");
				size_t vn = n - strlen("named_statements=");
				if ((vn == 2 && strncmp(v, "on", 2) == 0) || (vn == 1 && *v == '1') ||
				    (vn == 4 && strncmp(v, "true", 4) == 0) || (vn == 3 && strncmp(v, "yes", 3) == 0)) {
					*named = true;
				} else if ((vn == 3 && strncmp(v, "off", 3) == 0) || (vn == 1 && *v == '0') ||
					   (vn == 5 && strncmp(v, "false", 5) == 0) || (vn == 2 && strncmp(v, "no", 2) == 0)) {
					*named = false;
				} else {
					snprintf(errbuf, errlen, "named_statements=%.*s: say on or off", (int)vn, v);
					free(out);
					return -1;
				}
			} else if (n > 0) {
				out[len++] = first ? '?' : '&';
				memcpy(out + len, p, n);
				len += n;
				first = false;
			}
			p += n;
			if (*p == '&')
				p++;
		}
		out[len] = '\0';
	}
	*libpq_url = out;
	return 0;
}

static int p_open(const char *url, db_t **out, char *errbuf, size_t errlen)
{
	pg_db_t *db;
	PGresult *res;
	char *libpq_url = NULL;
	bool named = true;

	if (split_url(url, &libpq_url, &named, errbuf, errlen))
		return DB_CONNECT;
	db = calloc(1, sizeof(*db));
	if (!db) {
		free(libpq_url);
		snprintf(errbuf, errlen, "out of memory");
		return DB_ERROR;
	}
	db->base.drv = db_postgresql_driver();
	db->named = named;
	db->conn = PQconnectdb(libpq_url);
	free(libpq_url);
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

static void p_set_wait_limit(db_t *db, int ms) { PDB(db)->wait_ms = ms > 0 ? ms : 0; }

static void p_close(db_t *db)
{
	PQfinish(PDB(db)->conn);
	free(PDB(db)->dealloc);
	free(db);
}

static int p_exec(db_t *db, const char *sql)
{
	PGresult *res;
	ExecStatusType s;

	claim(PDB(db), NULL);
	res = PQexec(PDB(db)->conn, sql);
	s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return fail_res(db, res);
	PQclear(res);
	return DB_OK;
}

/* ---- statements ---- */

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
	st->each_run = strncmp(sql, DB_PLAN_EACH_RUN, strlen(DB_PLAN_EACH_RUN)) == 0;
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
	st->state = PG_IDLE;
	*out = &st->base;
	return DB_OK;
}

/* Sends the DEALLOCATEs of evicted statements (not inside a failed
 * transaction, where they would fail: they wait). */
static int flush_dealloc(pg_db_t *pdb)
{
	PGresult *res;

	if (!pdb->dealloc_len || PQtransactionStatus(pdb->conn) == PQTRANS_INERROR)
		return DB_OK;
	claim(pdb, NULL);
	res = PQexec(pdb->conn, pdb->dealloc);
	pdb->dealloc_len = 0;
	pdb->dealloc[0] = '\0';
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail_res(&pdb->base, res);
	PQclear(res);
	return DB_OK;
}

/* Remembers that the server-side statement name is to be deallocated.
 * Without memory it stays on the server until the connection ends. */
static void queue_dealloc(pg_db_t *pdb, const char *name)
{
	size_t need = pdb->dealloc_len + strlen(name) + 16;

	if (need > pdb->dealloc_cap) {
		size_t cap = need * 2;
		char *p = realloc(pdb->dealloc, cap);
		if (!p)
			return;
		pdb->dealloc = p;
		pdb->dealloc_cap = cap;
	}
	pdb->dealloc_len += (size_t)snprintf(pdb->dealloc + pdb->dealloc_len, pdb->dealloc_cap - pdb->dealloc_len,
					     "DEALLOCATE %s;", name);
}

static int prepare_named(pg_stmt_t *st)
{
	db_t *db = st->base.db;
	pg_db_t *pdb = PDB(db);
	PGresult *res;
	int rc = flush_dealloc(pdb);

	if (rc != DB_OK)
		return rc;
	snprintf(st->name, sizeof(st->name), "ub%u", ++pdb->next_name);
	res = PQprepare(pdb->conn, st->name, st->sql, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		st->name[0] = '\0';
		return fail_res(db, res);
	}
	PQclear(res);
	st->name_gen = pdb->conn_gen;
	return DB_OK;
}

/* Sends st's query; its rows then arrive one by one. */
static int start(pg_stmt_t *st)
{
	db_t *db = st->base.db;
	pg_db_t *pdb = PDB(db);
	int sent;

	claim(pdb, st);
	st->state = PG_DONE; /* until it is sent */
	if (pdb->named && !st->each_run && (!st->name[0] || st->name_gen != pdb->conn_gen)) {
		int rc = prepare_named(st);
		if (rc != DB_OK)
			return rc;
	}
	if (pdb->named && !st->each_run)
		sent = PQsendQueryPrepared(pdb->conn, st->name, st->nparams, (const char *const *)st->values,
					   NULL, NULL, 0);
	else
		sent = PQsendQueryParams(pdb->conn, st->sql, st->nparams, NULL, (const char *const *)st->values,
					 NULL, NULL, 0);
	if (!sent) {
		char msg[sizeof(db->errmsg)];
		int code = describe(pdb, NULL, msg, sizeof(msg));
		return db_fail(db, code, "%s", msg);
	}
	/* fails only when not called right after sending, which it is; the
	 * rows would then come in one result, which p_step reads as well */
	(void)PQsetSingleRowMode(pdb->conn);
	st->state = PG_STREAMING;
	pdb->streaming = st;
	return DB_OK;
}

/* The next row of st's arriving result, or its end. */
static int next_streamed(pg_stmt_t *st)
{
	db_t *db = st->base.db;
	pg_db_t *pdb = PDB(db);
	PGresult *res;
	int code = DB_DONE;

	while ((res = get_result(pdb)) != NULL) {
		ExecStatusType s = PQresultStatus(res);
		if (rows_status(s))
			st->ncols = PQnfields(res);
		if (rows_status(s) && PQntuples(res) > 0 && code == DB_DONE) {
			st->cur = res;
			st->currow = 0;
			return DB_ROW;
		}
		if (!ok_status(s) && code == DB_DONE) {
			/* a plan cached by name that a schema change made
			 * unusable is prepared afresh at the next run */
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			if (state && strcmp(state, "0A000") == 0 && st->name[0] && st->name_gen == pdb->conn_gen) {
				queue_dealloc(pdb, st->name);
				st->name[0] = '\0';
			}
			code = fail_res(db, res); /* then read on to the end of the answer */
			continue;
		}
		PQclear(res);
	}
	pdb->streaming = NULL;
	st->state = PG_DONE;
	return code;
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

	if (st->state == PG_IDLE) {
		int rc = start(st);
		if (rc != DB_OK)
			return rc;
	}
	if (st->cur && st->currow + 1 < PQntuples(st->cur)) {
		st->currow++;
		return DB_ROW;
	}
	PQclear(st->cur);
	st->cur = NULL;
	st->currow = 0;
	if (st->state == PG_STREAMING)
		return next_streamed(st);
	if (st->state == PG_BUFFERED) {
		int code;
		if (st->qhead < st->qlen) {
			st->cur = st->queue[st->qhead++];
			return DB_ROW;
		}
		code = st->err ? db_fail(base->db, st->err, "%s", st->errmsg) : DB_DONE;
		clear_rows(st);
		st->state = PG_DONE;
		return code;
	}
	return DB_DONE;
}

static int p_reset(db_stmt_t *base) { return discard(PST(base)); }

static int p_clear_bindings(db_stmt_t *base)
{
	pg_stmt_t *st = PST(base);

	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
	}
	return DB_OK;
}

static void p_finalize(db_stmt_t *base)
{
	pg_stmt_t *st = PST(base);
	pg_db_t *pdb = PDB(base->db);

	/* a broken connection (DB_CONNECT) leaves nothing to clean up */
	(void)discard(st);
	if (st->name[0] && st->name_gen == pdb->conn_gen)
		queue_dealloc(pdb, st->name);
	for (int i = 0; i < st->nparams; i++)
		free(st->values[i]);
	free(st->values);
	free(st->sql);
	free(st);
}

static int p_col_count(db_stmt_t *st) { return PST(st)->ncols; }

static bool p_col_is_null(db_stmt_t *base, int col)
{
	pg_stmt_t *st = PST(base);
	return !st->cur || col < 0 || col >= PQnfields(st->cur) || PQgetisnull(st->cur, st->currow, col);
}

static const char *p_col_text(db_stmt_t *base, int col)
{
	pg_stmt_t *st = PST(base);
	if (p_col_is_null(base, col))
		return "";
	return PQgetvalue(st->cur, st->currow, col);
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
	claim(PDB(db), NULL);
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
	if (bad) {
		b->failed = true;
		return db_fail(base->db, DB_ERROR, "out of memory");
	}
	if (b->len > (1 << 20) && bulk_flush(b) != DB_OK) {
		b->failed = true;
		return DB_ERROR;
	}
	return DB_OK;
}

static int p_bulk_end(db_bulk_t *base)
{
	pg_bulk_t *b = (pg_bulk_t *)base;
	PGconn *conn = PDB(base->db)->conn;
	int rc = b->failed ? DB_ERROR : bulk_flush(b);
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

static int p_set_interactive(db_t *db)
{
	PDB(db)->interactive = true;
	return DB_OK;
}

/* An interactive connection's snapshot sets its own limit (SET LOCAL), in
 * the BEGIN's round trip: behind PgBouncer's transaction pooling a
 * session's SET would stay with whichever server connection ran it */
static int p_begin_read(db_t *db)
{
	return p_exec(db, PDB(db)->interactive ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; " INTERACTIVE_SETUP
					       : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

/* PostgreSQL answers COMMIT in a transaction that an error aborted with a
 * silent rollback: say it failed, and why. */
static int p_commit(db_t *db)
{
	pg_db_t *pdb = PDB(db);

	claim(pdb, NULL);
	if (PQtransactionStatus(pdb->conn) == PQTRANS_INERROR)
		return db_fail(db, pdb->last_code ? pdb->last_code : DB_ERROR,
			       "postgresql: not committed: an earlier statement of the transaction failed: %s",
			       pdb->last_error[0] ? pdb->last_error : "(unknown)");
	return p_exec(db, "COMMIT");
}

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
	.clear_bindings = p_clear_bindings,
	.finalize = p_finalize,
	.col_count = p_col_count,
	.col_is_null = p_col_is_null,
	.col_int64 = p_col_int64,
	.col_text = p_col_text,
	.begin = p_begin,
	.begin_read = p_begin_read,
	.commit = p_commit,
	.bulk_begin = p_bulk_begin,
	.bulk_row = p_bulk_row,
	.bulk_end = p_bulk_end,
	.sync_ids = p_sync_ids,
	.ensure_connected = p_ensure_connected,
	.set_wait_limit = p_set_wait_limit,
	.set_interactive = p_set_interactive,
	.types = { "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "DATE", "TEXT", "COLLATE \"C\"" },
};

const db_driver_t *db_postgresql_driver(void) { return &pg_driver; }
