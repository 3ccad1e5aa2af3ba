/*
 * migrate.h - versioned schema migrations.
 *
 * The schema is written once with dialect tokens (see db_expand) and applied
 * in order, each version in its own transaction, recording the version in
 * the meta table. `unionbase init` applies them; every other command checks
 * at start-up that the database is at the version this program expects.
 */
#ifndef UB_MIGRATE_H
#define UB_MIGRATE_H

#include "core/err.h"
#include "store/db.h"
#include "store/util.h"

#define SCHEMA_VERSION 30

/* Applies every migration the database lacks. Returns 0 or -1 with e. */
int migrate_apply(db_t *db, err_t *e);

/* Applies the migrations the database lacks up to schema version to (1 to
 * SCHEMA_VERSION; an older schema, for the tests of a migration).
 * Returns 0 or -1 with e. */
int migrate_apply_to(db_t *db, int to, err_t *e);

/* Reads the database's schema version into *version (0 for an empty
 * database). Returns 0 or -1. */
int migrate_version(db_t *db, int *version, err_t *e);

/* Fails unless the database is at SCHEMA_VERSION, with a message that says
 * what to do. */
int migrate_check(db_t *db, err_t *e);

#endif
