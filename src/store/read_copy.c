/*
 * read_copy.c - a read copy's lag (see read_copy.h).
 *
 * The primary's insert position (pg_current_wal_insert_lsn) counts a
 * commit as soon as it is made, also under synchronous_commit off, when
 * its WAL may not be written yet; its write position would not, and a
 * copy that has replayed up to it could still lack the last commits. Right
 * after a page's header (24 bytes, 40 at a segment's start: no record is
 * that short) the position is where the next record will go, and nothing
 * has been written past the page's start: the copy, which replays whole
 * records, is caught up once it is there.
 */
#include "store/read_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/query.h"
#include "store/util.h"

/* What the copy must match and reach, as the primary says. */
typedef struct primary_state {
	char lsn[64];      /* the insert position, less a page header it just passed */
	char system[32];   /* the cluster's system identifier */
	char database[32]; /* the database's oid */
	long timeline;
} primary_state_t;

/* What the copy says. */
typedef struct copy_state {
	bool replica, caught_up;
	char system[32], database[32];
	long timeline;     /* 0: unknown */
	char replayed[64]; /* the last replayed commit's time, or "" */
} copy_state_t;

#define LSN_BYTES "(pg_current_wal_insert_lsn() - '0/0'::pg_lsn) % current_setting('wal_block_size')::numeric"

static int primary_state(db_t *primary, primary_state_t *p, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, "SELECT (pg_current_wal_insert_lsn() - CASE WHEN " LSN_BYTES " IN (24, 40) THEN " LSN_BYTES
		      " ELSE 0 END)::text, (pg_control_system()).system_identifier::text,"
		      " (SELECT oid FROM pg_database WHERE datname = current_database())::text,"
		      " substr(pg_walfile_name(pg_current_wal_insert_lsn()), 1, 8)");
	if (query_prepare(primary, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(p->lsn, sizeof(p->lsn), "%s", db_col_text(st, 0));
		snprintf(p->system, sizeof(p->system), "%s", db_col_text(st, 1));
		snprintf(p->database, sizeof(p->database), "%s", db_col_text(st, 2));
		p->timeline = strtol(db_col_text(st, 3), NULL, 16);
	}
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(primary, rc, e);
}

/* One look at the copy. Its timeline: the one it receives, else (no
 * receiver, or not shown to this role) its last restartpoint's. */
static int copy_state(db_t *copy, const char *lsn, copy_state_t *c, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q,
		  "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn() >= CAST(? AS pg_lsn), false),"
		  " (pg_control_system()).system_identifier::text,"
		  " (SELECT oid FROM pg_database WHERE datname = current_database())::text,"
		  " coalesce((SELECT received_tli FROM pg_stat_wal_receiver), (pg_control_checkpoint()).timeline_id, 0),"
		  " coalesce(pg_last_xact_replay_timestamp()::text, '')",
		  QT(lsn));
	if (query_prepare(copy, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		c->replica = db_col_int64(st, 0) != 0;
		c->caught_up = db_col_int64(st, 1) != 0;
		snprintf(c->system, sizeof(c->system), "%s", db_col_text(st, 2));
		snprintf(c->database, sizeof(c->database), "%s", db_col_text(st, 3));
		c->timeline = (long)db_col_int64(st, 4);
		snprintf(c->replayed, sizeof(c->replayed), "%s", db_col_text(st, 5));
	}
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(copy, rc, e);
}

/* Seconds since the copy's last replayed commit, by the primary's clock
 * (the copy's may differ). */
static int seconds_since_commit(db_t *primary, const char *when, double *since, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q, "SELECT extract(epoch FROM clock_timestamp() - CAST(? AS timestamptz))::float8::text", QT(when));
	if (query_prepare(primary, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		*since = strtod(db_col_text(st, 0), NULL);
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(primary, rc, e);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The copy replays this primary's database, on its timeline. */
static bool same_history(const primary_state_t *p, const copy_state_t *c)
{
	return strcmp(p->system, c->system) == 0 && strcmp(p->database, c->database) == 0 &&
	       (c->timeline == 0 || c->timeline == p->timeline);
}

int read_copy_lag(db_t *primary, db_t *copy, int wait_ms, read_copy_t *out, err_t *e)
{
	primary_state_t p = { 0 };
	copy_state_t c = { 0 };
	struct timespec t0;
	double since = 0;

	memset(out, 0, sizeof(*out));
	if (db_dialect(primary) != DB_POSTGRESQL || db_dialect(copy) != DB_POSTGRESQL)
		return err_fail(e, ERR_INVALID, "invalid", "a read copy is a PostgreSQL replica of a PostgreSQL primary");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (primary_state(primary, &p, e))
		return -1;
	for (;;) {
		if (copy_state(copy, p.lsn, &c, e)) {
			out->copy_failed = true;
			return -1;
		}
		if (!c.replica || c.caught_up || seconds_since(&t0) * 1000 >= wait_ms)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
	if (!c.replica) {
		out->why = "is not a replica (not in recovery)";
		return 0;
	}
	if (!same_history(&p, &c)) {
		out->why = "replays another database or another timeline";
		return 0;
	}
	if (c.caught_up) {
		out->usable = true;
		out->lag = seconds_since(&t0);
		return 0;
	}
	if (!c.replayed[0]) {
		out->why = "is behind and has replayed no commit since it started";
		return 0;
	}
	if (seconds_since_commit(primary, c.replayed, &since, e))
		return -1;
	out->usable = true;
	out->lag = since > 0 ? since : 0;
	return 0;
}
