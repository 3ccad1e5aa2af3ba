/*
 * db_driver.h - what a store driver implements behind db.h, and the
 * per-connection statement cache db.c keeps in front of it. Private to
 * src/store/: callers use db.h only.
 *
 * A driver's prepare makes a statement the cache may keep for the life of
 * the connection (SQLite: SQLITE_PREPARE_PERSISTENT; PostgreSQL: the
 * rewritten SQL and, with named statements, a server-side statement). db.c
 * asks the driver to reset and clear the bindings of a statement the caller
 * finalized, and keeps it idle; reset must then leave nothing open on the
 * connection (no read lock, no result being received). The driver's
 * finalize destroys a statement for good: the cache calls it when it evicts
 * an idle statement, when it is cleared, and for statements it does not
 * keep.
 */
#ifndef UB_DB_DRIVER_H
#define UB_DB_DRIVER_H

#include "store/db.h"

typedef struct db_driver {
	const char *name;
	db_dialect_t dialect;
	int (*open)(const char *target, db_t **out, char *errbuf, size_t errlen);
	void (*close)(db_t *db);
	int (*exec)(db_t *db, const char *sql);
	int (*prepare)(db_t *db, const char *sql, db_stmt_t **out);
	int (*bind_int64)(db_stmt_t *st, int idx, int64_t v);
	int (*bind_text)(db_stmt_t *st, int idx, const char *v);
	int (*bind_null)(db_stmt_t *st, int idx);
	int (*step)(db_stmt_t *st);
	/* Optional: db_step_within (db_step without it). */
	int (*step_within)(db_stmt_t *st, int ms);
	/* Ready to run again, bindings kept; releases what a run holds. */
	int (*reset)(db_stmt_t *st);
	/* Every parameter back to NULL. */
	int (*clear_bindings)(db_stmt_t *st);
	void (*finalize)(db_stmt_t *st);
	int (*col_count)(db_stmt_t *st);
	bool (*col_is_null)(db_stmt_t *st, int col);
	int64_t (*col_int64)(db_stmt_t *st, int col);
	const char *(*col_text)(db_stmt_t *st, int col);
	int (*begin)(db_t *db);
	int (*begin_read)(db_t *db);
	/* Optional: COMMIT (db.c runs "COMMIT" through exec without it). */
	int (*commit)(db_t *db);
	/* Optional: called once a transaction has ended, committed or rolled
	 * back (after a failed commit, after its rollback). */
	void (*ended)(db_t *db);
	int (*bulk_begin)(db_t *db, const char *table, const char *const *columns, int ncols,
			  db_bulk_t **out);
	int (*bulk_row)(db_bulk_t *b, const char *const *values);
	int (*bulk_end)(db_bulk_t *b);
	int (*sync_ids)(db_t *db, const char *table);
	int (*ensure_connected)(db_t *db);
	/* Optional: db_set_wait_limit. */
	void (*set_wait_limit)(db_t *db, int ms);
	/* Optional: db_set_interactive. */
	int (*set_interactive)(db_t *db);
	/* Optional: db_writers_waiting. */
	int (*writers_waiting)(db_t *db);
	const char *types[4]; /* indexed by db_type_t */
} db_driver_t;

/* The statement cache: at most DB_STMT_CACHE_MAX statements per
 * connection, idle or handed out, found by their SQL text. */
#define DB_STMT_CACHE_MAX 256
#define DB_STMT_CACHE_BUCKETS 512 /* a power of two */

typedef struct db_stmt_cache {
	struct db_stmt *buckets[DB_STMT_CACHE_BUCKETS]; /* every cached statement, by hash */
	struct db_stmt *idle_first, *idle_last;          /* idle ones, least recently used first */
	int count;                                       /* cached statements, idle or handed out */
	int idle;
	uint64_t hits, misses, evictions;
} db_stmt_cache_t;

#define DB_ERRMSG_MAX 512 /* bytes of a store's last error message, NUL included */

/* Every driver's db_t and db_stmt_t begin with these. Drivers allocate them
 * zeroed (calloc). */
struct db {
	const db_driver_t *drv;
	bool in_tx;
	bool begin_pending; /* db_begin_read's BEGIN, sent with the first statement */
	void *ext[DB_EXT_SLOTS];             /* see db_ext_set */
	void (*ext_free[DB_EXT_SLOTS])(void *);
	char errmsg[DB_ERRMSG_MAX];
	db_stmt_cache_t cache; /* owned by db.c */
};

struct db_stmt {
	db_t *db;
	/* cache bookkeeping, owned by db.c */
	char *sql;                        /* the cache's key (owned), NULL when not cached */
	size_t sqllen;
	uint32_t hash;
	bool idle;                        /* in the cache, not handed out */
	struct db_stmt *hnext;            /* next in its hash bucket */
	struct db_stmt *iprev, *inext;    /* neighbours in the idle list */
};

struct db_bulk {
	db_t *db;
};

extern const db_driver_t db_sqlite_driver;
/* The PostgreSQL driver (db_pg.c). */
const db_driver_t *db_postgresql_driver(void);

/* Destroys every idle cached statement and forgets the handed-out ones
 * (db_finalize then destroys them instead of keeping them). Drivers call it
 * when the connection is made anew (the PostgreSQL reconnect); db_close
 * calls it. */
void db_cache_clear(db_t *db);

/* Sets db->errmsg (printf-style). Returns code. */
int db_fail(db_t *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
