/*
 * db.h - the one SQL interface of unionbase.
 *
 * Callers write SQL once, with `?` placeholders, and run it on whichever
 * store the URL names: a file path or sqlite:PATH (SQLite) or
 * postgresql://... (PostgreSQL, added by its own driver behind the same
 * functions). What differs between dialects lives in the drivers: placeholder
 * syntax, type names used by migrations (db_type), transaction start, error
 * classification and bulk loading.
 *
 * Conventions that keep the SQL portable:
 *   - dates are bound and read as "YYYY-MM-DD" text (db_bind_date,
 *     db_col_date); PostgreSQL columns are DATE, SQLite's TEXT;
 *   - booleans are integers 0/1;
 *   - new rows' ids come back through INSERT ... RETURNING id;
 *   - text that must sort bytewise is declared with the @BINARY@ token.
 *
 * Return codes: functions return DB_OK (0) or a negative db_rc; db_step
 * returns DB_ROW or DB_DONE. The message of the last failure is
 * db_errmsg(db). Constraint violations are classified so that callers can
 * answer 409 for a duplicate whichever store is behind.
 *
 * Ownership: db_open gives a db_t the caller closes with db_close;
 * db_prepare gives a db_stmt_t the caller finalizes with db_finalize before
 * closing the db, and must not touch after (the db may hand the same
 * statement to its next db_prepare). Text returned by db_col_text belongs to
 * the statement and is valid until the next db_step, db_reset or
 * db_finalize. A db_t, and every statement of it, is used by one thread at
 * a time (SQLite connections are opened without their own mutex).
 *
 * Statement cache: each db_t keeps the statements it prepared, keyed by
 * their SQL text, and owns them. db_prepare with a text seen before on this
 * db_t hands out an idle cached statement, reset and with every parameter
 * NULL, instead of parsing again; the same text may be open several times
 * at once (a query per row of another), each a statement of its own.
 * db_finalize gives the statement back to the cache: it is reset first, so
 * an idle statement holds no read lock, no transaction and no result. The
 * cache holds at most DB_STMT_CACHE_MAX (256) statements and destroys the
 * least recently used idle one to make room; a statement prepared when
 * every place is handed out is destroyed by its db_finalize. The cache is
 * emptied when a PostgreSQL connection is made anew (db_ensure_connected)
 * and by db_close. db_exec does not use it. Build SQL texts from fixed
 * pieces and bind values with `?`, or every value makes a text of its own.
 *
 * Streaming: rows are read as db_step asks for them, in bounded memory, on
 * both stores (PostgreSQL: single-row mode). A connection receives one
 * result at a time: when a statement runs while another of the same
 * connection is still being read (a query per row of another), the rest of
 * the other's rows are read into memory first and it goes on from there,
 * its current row untouched. An error met in the middle of the rows (row
 * 500,000 divides by zero) comes back from db_step after the rows before it.
 * On PostgreSQL a statement finalized before its last row still runs to its
 * end on the server; if the rows not read fail, the open transaction is
 * aborted and db_commit fails.
 */
#ifndef UB_DB_H
#define UB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

typedef enum db_rc {
	DB_OK = 0,
	DB_ROW = 1,
	DB_DONE = 2,
	DB_ERROR = -1,      /* anything else; see db_errmsg */
	DB_UNIQUE = -2,     /* unique or primary key violation */
	DB_CONSTRAINT = -3, /* foreign key, check, not null */
	DB_BUSY = -4,       /* locked, serialisation failure: retry the transaction */
	DB_CONNECT = -5,    /* cannot open or reach the database */
} db_rc_t;

typedef enum db_dialect { DB_SQLITE = 1, DB_POSTGRESQL = 2 } db_dialect_t;

/* Opens the database named by url. Returns DB_OK and *out, or a negative code
 * with a message in errbuf (and *out NULL). */
int db_open(const char *url, db_t **out, char *errbuf, size_t errlen);

/* SQLite: the connections this process opens from now on read the pages
 * of their database file through one shared map of it (store/sqlite_map.h;
 * none with UNIONBASE_SQLITE_MAP=off). For a server, whose many
 * connections each see the others' commits and would read every page
 * again after each. A command of one connection reads as SQLite does: no
 * other commit empties its cache, and through the map its resident memory
 * would count every page it reads (generating a million members: 1.67
 * GB against 1.43, in 96 and 116 s against 83 and 96). */
void db_share_file_maps(void);

/* What the store's modules keep per connection, validated by the tree's
 * version (store/org_store.h org_version): a slot each, owned by the
 * connection from db_ext_set on. The slots are emptied (free_fn called)
 * when the connection is made anew and at db_close. */
typedef enum db_ext_slot {
	DB_EXT_SCOPE, /* store/scope.c: callers' scopes */
	DB_EXT_SLOTS
} db_ext_slot_t;
void *db_ext(const db_t *db, db_ext_slot_t slot);
/* Frees what the slot held, then keeps p (NULL: nothing), freed by free_fn. */
void db_ext_set(db_t *db, db_ext_slot_t slot, void *p, void (*free_fn)(void *));

/* Closes db; NULL is fine. Rolls back an open transaction. */
void db_close(db_t *db);

db_dialect_t db_dialect(const db_t *db);

/* Makes sure the connection is usable, reconnecting a PostgreSQL
 * connection that broke (server restart, failover, a dropped idle
 * connection). Returns DB_OK or DB_CONNECT. */
int db_ensure_connected(db_t *db);

/* PostgreSQL: from now on, a statement whose server sends nothing for ms
 * milliseconds fails (DB_CONNECT) and the connection is dropped, to be
 * made again by db_ensure_connected; 0: wait as long as it takes (the
 * default). For a server that may hang (a read copy, serve --read-db):
 * the wait is between results, so a long query that sends its rows as it
 * goes is not cut. SQLite: how long a write waits for the write lock (10 s
 * by default). */
void db_set_wait_limit(db_t *db, int ms);
/* The connection answers people waiting on a page: on PostgreSQL its read
 * snapshots (db_begin_read) run without parallel workers (SET LOCAL, with
 * the BEGIN: right behind PgBouncer's transaction pooling too; on a server
 * of few processors, shared by many requests, a worker's start costs more
 * than it saves). Not for reports that scan much. Nothing on SQLite.
 * Returns DB_OK or an error code. */
int db_set_interactive(db_t *db);

/* SQLite: how many connections of this process wait to write db's file
 * (they take their turns in the order they asked: db_sqlite.c, "the
 * write gate"). PostgreSQL: 0 (its server queues the lock). */
int db_writers_waiting(db_t *db);

/* The message of the last failure on db (never NULL). */
const char *db_errmsg(const db_t *db);

/* Begins the SQL of a statement whose best plan depends on its values (a
 * search, whose driver is chosen per query): PostgreSQL plans it with its
 * values at every run instead of settling on a generic plan. A comment, so
 * SQLite reads it as nothing. */
#define DB_PLAN_EACH_RUN "/* plan each run */ "

/* Runs one or more statements without parameters (migrations, pragmas). */
int db_exec(db_t *db, const char *sql);

int db_prepare(db_t *db, const char *sql, db_stmt_t **out);
/* Placeholders are numbered from 1 in the order they appear. Values are
 * copied; the caller's buffers may be reused at once. */
int db_bind_int64(db_stmt_t *st, int idx, int64_t v);
int db_bind_text(db_stmt_t *st, int idx, const char *v);   /* NULL binds NULL */
int db_bind_null(db_stmt_t *st, int idx);
int db_bind_date(db_stmt_t *st, int idx, date_t d);
/* Binds d to placeholders first..last inclusive. */
int db_bind_dates(db_stmt_t *st, int first, int last, date_t d);

/* Runs or advances the statement: DB_ROW (a row is ready), DB_DONE, or < 0
 * (then DB_DONE until db_reset). */
/* db_step for a statement that writes outside a transaction, on SQLite
 * waiting at most ms for the write lock (DB_BUSY past it) instead of the
 * connection's wait: a write that may be left for later (a token's last
 * use) must not hold up the read it is part of. PostgreSQL: db_step. */
int db_step_within(db_stmt_t *st, int ms);
int db_step(db_stmt_t *st);
/* Makes the statement ready to run again, keeping the bindings. */
int db_reset(db_stmt_t *st);
/* Gives st back to its db's cache (or destroys it); NULL is fine. Never
 * changes db_errmsg. */
void db_finalize(db_stmt_t *st);

/* What the statement cache of db holds and has done, for tests and
 * measurements. */
typedef struct db_cache_stats {
	int cached;         /* statements held, idle or handed out */
	int idle;
	uint64_t hits;      /* db_prepare answered from the cache */
	uint64_t misses;    /* db_prepare that parsed */
	uint64_t evictions; /* idle statements destroyed to make room */
} db_cache_stats_t;
void db_cache_stats(const db_t *db, db_cache_stats_t *out);

int db_col_count(db_stmt_t *st);
bool db_col_is_null(db_stmt_t *st, int col);     /* columns numbered from 0 */
int64_t db_col_int64(db_stmt_t *st, int col);    /* 0 for NULL */
const char *db_col_text(db_stmt_t *st, int col); /* "" for NULL */
/* Parses a date column; DATE_OPEN for NULL. Returns 0 or -1 (not a date). */
int db_col_date(db_stmt_t *st, int col, date_t *out);

/* Transactions. db_begin starts a write transaction holding the database's
 * one write lock, so that what it reads stays true until it commits
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock in READ
 * COMMITTED). db_begin_read starts a read-only snapshot that blocks no one
 * (SQLite: a deferred transaction in WAL mode; PostgreSQL: REPEATABLE READ
 * READ ONLY, also on a standby); end it with db_rollback. Its BEGIN goes
 * with its first statement: one that runs none sends nothing. Nesting is
 * an error. db_rollback is safe to call when none is open. */
int db_begin(db_t *db);
int db_begin_read(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
bool db_in_transaction(const db_t *db);

/* Bulk load: rows of text values (NULL for SQL NULL) into table(columns),
 * 1 to DB_BULK_COLS_MAX of them, fast on each store (SQLite: INSERTs of
 * many rows each; PostgreSQL: COPY). Must run inside a transaction, one
 * bulk load at a time on a connection (PostgreSQL's COPY). A row
 * may be written when a later one is given, or at db_bulk_end: a failure
 * (a constraint) may be said by either, and leaves some of the rows given
 * before it in the transaction, to be rolled back. */
#define DB_BULK_COLS_MAX 48
typedef struct db_bulk db_bulk_t;
int db_bulk_begin(db_t *db, const char *table, const char *const *columns, int ncols,
		  db_bulk_t **out);
int db_bulk_row(db_bulk_t *b, const char *const *values);
/* Ends the load and frees b (also on failure). */
int db_bulk_end(db_bulk_t *b);

/* After rows were loaded with explicit ids, makes the id generator of
 * table.id continue after the largest id (PostgreSQL identity; nothing to do
 * on SQLite). */
int db_sync_ids(db_t *db, const char *table);

/* SQLite's connections know the function ub_words(text, word...): 1 when
 * each word begins a word of text (core/text.h text_word_begins), one
 * pass over the text where a LIKE per word concatenates and matches each
 * (store/members.c's name filters). PostgreSQL's do not. */

/* Dialect words for migrations; see store/migrate.c. */
typedef enum db_type {
	DB_TYPE_ID,      /* integer primary key that numbers itself */
	DB_TYPE_DATE,
	DB_TYPE_TIMESTAMP,
	DB_TYPE_BINARY,  /* collation clause for bytewise-sorted text ("" on SQLite) */
} db_type_t;
const char *db_type(const db_t *db, db_type_t t);

/* Expands the @ID@, @DATE@, @TIMESTAMP@ and @BINARY@ tokens of sql for db.
 * Returns a malloc'd string owned by the caller, or NULL on no memory. */
char *db_expand(const db_t *db, const char *sql);

#endif
