/*
 * store_fixture.h - a fresh database for each store test, on the store that
 * UNIONBASE_TEST_DB names: sqlite:DIR/NAME.db, or a postgresql:// URL. Each
 * test program uses a database of its own beside it, named after the
 * program (DIR/NAME-test_bulk.db; the URL's database NAME_test_bulk, created
 * when missing), so that programs can run at once; the fixture empties it
 * (the public schema on PostgreSQL) before each test. Default: a SQLite file
 * under /tmp.
 */
#ifndef UB_STORE_FIXTURE_H
#define UB_STORE_FIXTURE_H

#include "core/date.h"
#include "core/err.h"
#include "store/db.h"
#include "store/org_store.h"

/* Pins "today" (UNIONBASE_TODAY) for the rest of the test program to the
 * clock's day now, unless a pin is set already, and returns it: the store
 * reads today itself (scope, users' units), and a test comparing with its own
 * date_today() must not see another day after a midnight in between.
 * fixture_empty_db and fixture_seeded_db call it. */
date_t fixture_today(void);

/* The unit of code `code` on day d. Fails the test when there is none. */
unit_t fixture_unit(db_t *db, const char *code, date_t d);

/* Opens an empty database (nothing in it). Fails the test on error. */
db_t *fixture_empty_db(void);

/* An empty database migrated and loaded with the reference data. */
db_t *fixture_seeded_db(void);

/* Every row of the tree's tables as one string, for "nothing changed"
 * checks. Caller frees. */
char *fixture_snapshot(db_t *db);

/* The one integer of a one-row statement without parameters (a count).
 * Fails the test on error. */
int64_t fixture_int(db_t *db, const char *sql);

/* The URL in use: this program's own database. */
const char *fixture_url(void);

#endif
