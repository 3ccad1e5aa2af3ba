/*
 * copy.h - copies a whole unionbase database from one store to another
 * (SQLite to PostgreSQL or back), table by table, keeping every id, so that
 * the copy is the same database.
 */
#ifndef UB_COPY_H
#define UB_COPY_H

#include <stdint.h>

#include "core/err.h"
#include "store/db.h"

/* Called now and then with the table being copied and the rows so far. */
typedef void (*copy_progress_fn)(void *ctx, const char *table, int64_t rows, int64_t table_rows);

/* Copies everything in from into to. to must be empty or freshly created;
 * it is migrated first. One transaction on to: on failure nothing is
 * written. Returns 0 or -1 with e. */
int store_copy(db_t *from, db_t *to, copy_progress_fn progress, void *ctx, err_t *e);

/* The tables of the schema in an order that satisfies foreign keys, with
 * their columns: NULL-terminated arrays. */
typedef struct table_def {
	const char *name;
	const char *const *columns;
	const char *order_by;
	int has_id; /* an identity column named id */
} table_def_t;

extern const table_def_t STORE_TABLES[];

#endif
