/*
 * read_copy.c - a read copy's lag (see read_copy.h).
 *
 * The primary's insert position (pg_current_wal_insert_lsn) counts a
 * commit as soon as it is made, also under synchronous_commit off, when
 * its WAL may not be written yet; its write position would not, and a
 * copy that has replayed up to it could still lack the last commits.
 */
#include "store/read_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/query.h"
#include "store/util.h"

/* The primary's WAL insert position, as text ("16/B374D848"). */
static int insert_position(db_t *primary, char *lsn, size_t cap, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, "SELECT pg_current_wal_insert_lsn()::text");
	if (query_prepare(primary, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(lsn, cap, "%s", db_col_text(st, 0));
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(primary, rc, e);
}

/* One look at copy: whether it replays as a replica, whether it has
 * replayed up to lsn, and the seconds since the primary committed the last
 * transaction it has replayed (-1: none replayed since it started). */
static int replay_state(db_t *copy, const char *lsn, bool *replica, bool *caught_up, double *since, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q,
		  "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn() >= CAST(? AS pg_lsn), false),"
		  " coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8::text, '-1')",
		  QT(lsn));
	if (query_prepare(copy, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*replica = db_col_int64(st, 0) != 0;
		*caught_up = db_col_int64(st, 1) != 0;
		*since = strtod(db_col_text(st, 2), NULL);
	}
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(copy, rc, e);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int read_copy_lag(db_t *primary, db_t *copy, int wait_ms, bool *usable, double *lag, err_t *e)
{
	bool replica = false, caught_up = false;
	double since = -1;
	struct timespec t0;
	char lsn[64] = "";

	*usable = false;
	*lag = 0;
	if (db_dialect(primary) != DB_POSTGRESQL || db_dialect(copy) != DB_POSTGRESQL)
		return err_fail(e, ERR_INVALID, "invalid", "a read copy is a PostgreSQL replica of a PostgreSQL primary");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (insert_position(primary, lsn, sizeof(lsn), e))
		return -1;
	for (;;) {
		if (replay_state(copy, lsn, &replica, &caught_up, &since, e))
			return -1;
		if (!replica || caught_up || seconds_since(&t0) * 1000 >= wait_ms)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
	*usable = replica && (caught_up || since >= 0);
	if (*usable)
		*lag = caught_up ? seconds_since(&t0) : since;
	return 0;
}
