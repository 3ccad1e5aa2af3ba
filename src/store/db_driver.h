/*
 * db_driver.h - what a store driver implements behind db.h. Private to
 * src/store/: callers use db.h only.
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
	int (*reset)(db_stmt_t *st);
	void (*finalize)(db_stmt_t *st);
	int (*col_count)(db_stmt_t *st);
	bool (*col_is_null)(db_stmt_t *st, int col);
	int64_t (*col_int64)(db_stmt_t *st, int col);
	const char *(*col_text)(db_stmt_t *st, int col);
	int (*begin)(db_t *db);
	int (*begin_read)(db_t *db);
	int (*bulk_begin)(db_t *db, const char *table, const char *const *columns, int ncols,
			  db_bulk_t **out);
	int (*bulk_row)(db_bulk_t *b, const char *const *values);
	int (*bulk_end)(db_bulk_t *b);
	int (*sync_ids)(db_t *db, const char *table);
	int (*ensure_connected)(db_t *db);
	const char *types[4]; /* indexed by db_type_t */
} db_driver_t;

/* Every driver's db_t and db_stmt_t begin with these. */
struct db {
	const db_driver_t *drv;
	bool in_tx;
	char errmsg[512];
};

struct db_stmt {
	db_t *db;
};

struct db_bulk {
	db_t *db;
};

extern const db_driver_t db_sqlite_driver;
/* The PostgreSQL driver (db_pg.c). */
const db_driver_t *db_postgresql_driver(void);

/* Sets db->errmsg (printf-style). Returns code. */
int db_fail(db_t *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
