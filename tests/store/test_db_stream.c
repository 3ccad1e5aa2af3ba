/*
 * Store tests of streaming results and of the statement cache (db.h), run
 * on SQLite and PostgreSQL alike: a million rows in bounded memory, errors
 * in the middle of a result, queries nested in another's rows, statements
 * reused after errors, rollbacks and reconnects, and more SQL texts than the
 * cache holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "store_fixture.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(UB_ASAN)
#define UB_ASAN 1
#endif

#ifdef UB_ASAN
#include <sanitizer/allocator_interface.h>
/* bytes the program has allocated and not freed (ASan's own count) */
static size_t heap_in_use(void) { return __sanitizer_get_current_allocated_bytes(); }
#define HEAP_HOW "ASan allocated bytes"
#else
#include <malloc.h>
static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();
	return m.uordblks + m.hblkhd;
}
#define HEAP_HOW "mallinfo2"
#endif

/* rows 1..? of a counter, and the row's number as text */
#define COUNTER_SQL                                                                      \
	"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?) " \
	"SELECT n, 'row ' || n FROM c"

/* the same, failing at row ? (abs of the smallest 64-bit integer overflows
 * on both stores) */
#define FAILING_SQL                                                                      \
	"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?) " \
	"SELECT n, abs(CASE WHEN n = ? THEN -9223372036854775807 - 1 ELSE n END) FROM c"

static db_t *table_db(int rows)
{
	db_t *db = fixture_empty_db();
	char *sql = db_expand(db, "CREATE TABLE t (id @ID@, n BIGINT NOT NULL UNIQUE, name TEXT)");
	db_stmt_t *st = NULL;

	assert_non_null(sql);
	assert_int_equal(db_exec(db, sql), DB_OK);
	free(sql);
	for (int i = 1; i <= rows; i++) {
		char name[32];
		snprintf(name, sizeof(name), "name %d", i);
		assert_int_equal(db_prepare(db, "INSERT INTO t (n, name) VALUES (?, ?)", &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, i), DB_OK);
		assert_int_equal(db_bind_text(st, 2, name), DB_OK);
		assert_int_equal(db_step(st), DB_DONE);
		db_finalize(st);
	}
	return db;
}

static int64_t count_t(db_t *db)
{
	db_stmt_t *st = NULL;
	int64_t n;

	assert_int_equal(db_prepare(db, "SELECT count(*) FROM t", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	n = db_col_int64(st, 0);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	return n;
}

static long maxrss_kib(void)
{
	struct rusage ru;
	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *store_name(db_t *db) { return db_dialect(db) == DB_SQLITE ? "sqlite" : "postgresql"; }

/* A million rows arrive in order, and the heap never holds more than a
 * small bound above what it held before the first row. */
static void stream_a_million_rows(void **state)
{
	enum { N = 1000000, SAMPLE = 5000 };
	const size_t bound = 4u << 20; /* 4 MiB; the whole result would take ~50 MiB */
	db_t *db = fixture_empty_db();
	db_stmt_t *st = NULL;
	size_t base, peak = 0;
	long rss0, rss1;
	int64_t want = 1;
	char text[32];
	double t0, t1;
	int rc;
	(void)state;

	assert_int_equal(db_prepare(db, COUNTER_SQL, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, N), DB_OK);
	rss0 = maxrss_kib();
	base = heap_in_use();
	t0 = now_s();
	while ((rc = db_step(st)) == DB_ROW) {
		if (db_col_int64(st, 0) != want)
			fail_msg("row %lld arrived as row %lld", (long long)db_col_int64(st, 0), (long long)want);
		snprintf(text, sizeof(text), "row %lld", (long long)want);
		if (strcmp(db_col_text(st, 1), text) != 0)
			fail_msg("row %lld: text '%s'", (long long)want, db_col_text(st, 1));
		if (want % SAMPLE == 0) {
			size_t h = heap_in_use();
			if (h > base && h - base > peak)
				peak = h - base;
		}
		want++;
	}
	t1 = now_s();
	assert_int_equal(rc, DB_DONE);
	assert_int_equal(want - 1, N);
	db_finalize(st);
	rss1 = maxrss_kib();
	printf("stream_a_million_rows on %s: %d rows in %.2f s; heap growth peak %zu KiB (%s, sampled every %d rows; "
	       "bound %zu KiB); ru_maxrss %ld KiB -> %ld KiB\n",
	       store_name(db), N, t1 - t0, peak / 1024, HEAP_HOW, SAMPLE, bound / 1024, rss0, rss1);
	fflush(stdout);
	assert_true(peak < bound);
	db_close(db);
}

/* Reads FAILING_SQL (rows 1..n, failing at row bad): the rows before the
 * failure, then a negative code with a message. */
static void expect_rows_then_failure(db_t *db, db_stmt_t *st, int from, int bad)
{
	int rc;

	for (int i = from; i < bad; i++) {
		rc = db_step(st);
		if (rc != DB_ROW)
			fail_msg("row %d: step gave %d (%s)", i, rc, db_errmsg(db));
		assert_int_equal(db_col_int64(st, 0), i);
		assert_int_equal(db_col_int64(st, 1), i);
	}
	rc = db_step(st);
	assert_true(rc < 0);
	assert_true(strlen(db_errmsg(db)) > 0);
	printf("failure at row %d on %s: %s\n", bad, store_name(db), db_errmsg(db));
	assert_int_equal(db_step(st), DB_DONE); /* until reset */
}

static void error_in_the_middle_comes_back_from_step(void **state)
{
	db_t *db = table_db(3);
	db_stmt_t *st = NULL;
	(void)state;

	for (int round = 0; round < 2; round++) { /* the second from the cache */
		assert_int_equal(db_prepare(db, FAILING_SQL, &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, 100000), DB_OK);
		assert_int_equal(db_bind_int64(st, 2, 5000), DB_OK);
		expect_rows_then_failure(db, st, 1, 5000);
		/* the same statement runs again after a reset */
		assert_int_equal(db_reset(st), DB_OK);
		expect_rows_then_failure(db, st, 1, 5000);
		db_finalize(st);
		/* and the connection goes on */
		assert_int_equal(count_t(db), 3);
	}
	/* inside a transaction: the failure aborts it; a rollback ends it and
	 * the connection goes on */
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_prepare(db, FAILING_SQL, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 1000), DB_OK);
	assert_int_equal(db_bind_int64(st, 2, 700), DB_OK);
	expect_rows_then_failure(db, st, 1, 700);
	db_finalize(st);
	assert_int_equal(db_rollback(db), DB_OK);
	assert_int_equal(count_t(db), 3);
	db_close(db);
}

/* A statement left before its failing rows: PostgreSQL still runs them,
 * so the transaction is aborted and db_commit must say so rather than
 * roll back in silence; SQLite never runs them. */
static void commit_after_abandoned_failing_rows(void **state)
{
	db_t *db = table_db(0);
	db_stmt_t *st = NULL;
	int rc;
	(void)state;

	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_prepare(db, "INSERT INTO t (n) VALUES (1)", &st), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	assert_int_equal(db_prepare(db, FAILING_SQL, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 1000), DB_OK);
	assert_int_equal(db_bind_int64(st, 2, 500), DB_OK);
	for (int i = 1; i <= 10; i++)
		assert_int_equal(db_step(st), DB_ROW);
	db_finalize(st);
	rc = db_commit(db);
	assert_false(db_in_transaction(db));
	if (db_dialect(db) == DB_POSTGRESQL) {
		assert_true(rc < 0);
		printf("commit refused: %s\n", db_errmsg(db));
		assert_non_null(strstr(db_errmsg(db), "not committed"));
		assert_int_equal(count_t(db), 0);
	} else {
		assert_int_equal(rc, DB_OK);
		assert_int_equal(count_t(db), 1);
	}
	db_close(db);
}

/* The same SQL open twice: a query per row of another with the same text. */
static void same_sql_open_twice(void **state)
{
	static const char sql[] = "SELECT n, name FROM t WHERE n >= ? ORDER BY n";
	db_t *db = table_db(5);
	db_stmt_t *outer = NULL, *inner = NULL, *first_inner = NULL;
	db_cache_stats_t s0, s1;
	int rows = 0;
	(void)state;

	db_cache_stats(db, &s0);
	assert_int_equal(db_prepare(db, sql, &outer), DB_OK);
	assert_int_equal(db_bind_int64(outer, 1, 1), DB_OK);
	while (db_step(outer) == DB_ROW) {
		const char *name = db_col_text(outer, 1); /* valid until outer's next step */
		int64_t n = db_col_int64(outer, 0);
		int inner_rows = 0;

		assert_int_equal(db_prepare(db, sql, &inner), DB_OK);
		assert_ptr_not_equal(inner, outer);
		if (!first_inner)
			first_inner = inner;
		else
			assert_ptr_equal(inner, first_inner); /* from the cache */
		assert_int_equal(db_bind_int64(inner, 1, n), DB_OK);
		while (db_step(inner) == DB_ROW) {
			assert_int_equal(db_col_int64(inner, 0), n + inner_rows);
			inner_rows++;
		}
		db_finalize(inner);
		assert_int_equal(inner_rows, 5 - n + 1);
		/* the outer row is untouched by the inner query */
		assert_int_equal(db_col_int64(outer, 0), n);
		{
			char want[32];
			snprintf(want, sizeof(want), "name %lld", (long long)n);
			assert_string_equal(name, want);
		}
		rows++;
	}
	assert_int_equal(rows, 5);
	db_finalize(outer);
	db_cache_stats(db, &s1);
	assert_int_equal(s1.misses - s0.misses, 2); /* outer and one inner */
	assert_int_equal(s1.hits - s0.hits, 4);
	assert_int_equal(s1.idle, s1.cached);
	db_close(db);
}

/* A long result with queries run in its middle (its rest is then read
 * into memory on PostgreSQL), and a failure further on that still comes
 * back from its own db_step. */
static void nested_queries_in_a_long_result(void **state)
{
	db_t *db = table_db(3);
	db_stmt_t *outer = NULL, *inner = NULL;
	int64_t want = 1;
	int rc;
	(void)state;

	assert_int_equal(db_prepare(db, COUNTER_SQL, &outer), DB_OK);
	assert_int_equal(db_bind_int64(outer, 1, 20000), DB_OK);
	while ((rc = db_step(outer)) == DB_ROW) {
		assert_int_equal(db_col_int64(outer, 0), want);
		if (want % 5000 == 1) {
			assert_int_equal(count_t(db), 3);
			assert_int_equal(db_col_int64(outer, 0), want);
		}
		want++;
	}
	assert_int_equal(rc, DB_DONE);
	assert_int_equal(want - 1, 20000);
	db_finalize(outer);

	/* the outer statement fails at row 3000; an inner query at row 10 */
	assert_int_equal(db_prepare(db, FAILING_SQL, &outer), DB_OK);
	assert_int_equal(db_bind_int64(outer, 1, 10000), DB_OK);
	assert_int_equal(db_bind_int64(outer, 2, 3000), DB_OK);
	for (int i = 1; i <= 10; i++)
		assert_int_equal(db_step(outer), DB_ROW);
	assert_int_equal(db_prepare(db, "SELECT name FROM t WHERE n = ?", &inner), DB_OK);
	assert_int_equal(db_bind_int64(inner, 1, 2), DB_OK);
	assert_int_equal(db_step(inner), DB_ROW);
	assert_string_equal(db_col_text(inner, 0), "name 2");
	assert_int_equal(db_step(inner), DB_DONE);
	db_finalize(inner);
	assert_int_equal(db_col_int64(outer, 0), 10);
	expect_rows_then_failure(db, outer, 11, 3000);
	db_finalize(outer);
	assert_int_equal(count_t(db), 3);
	db_close(db);
}

/* A transaction, a bulk load and a commit in the middle of a result. */
static void transaction_and_bulk_load_while_streaming(void **state)
{
	static const char *const cols[] = { "n", "name" };
	db_t *db = table_db(0);
	db_stmt_t *st = NULL;
	db_bulk_t *b = NULL;
	int64_t want = 1;
	(void)state;

	assert_int_equal(db_prepare(db, COUNTER_SQL, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 3000), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_bulk_begin(db, "t", cols, 2, &b), DB_OK);
	for (int i = 1; i <= 100; i++) {
		char n[16];
		const char *row[2] = { n, "bulk" };
		snprintf(n, sizeof(n), "%d", i);
		assert_int_equal(db_bulk_row(b, row), DB_OK);
	}
	assert_int_equal(db_bulk_end(b), DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(count_t(db), 100);
	do {
		assert_int_equal(db_col_int64(st, 0), want);
		want++;
	} while (db_step(st) == DB_ROW);
	assert_int_equal(want - 1, 3000);
	db_finalize(st);
	db_close(db);
}

/* A statement that failed goes back to the cache and works again, with
 * its old bindings gone. */
static void statement_reused_after_an_error(void **state)
{
	static const char ins[] = "INSERT INTO t (n, name) VALUES (?, ?)";
	db_t *db = table_db(0);
	db_stmt_t *st = NULL, *first = NULL;
	db_cache_stats_t s0, s1;
	(void)state;

	assert_int_equal(db_prepare(db, ins, &st), DB_OK);
	first = st;
	assert_int_equal(db_bind_int64(st, 1, 7), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	db_cache_stats(db, &s0);
	assert_int_equal(db_prepare(db, ins, &st), DB_OK);
	assert_ptr_equal(st, first);
	assert_int_equal(db_bind_int64(st, 1, 7), DB_OK);
	assert_int_equal(db_step(st), DB_UNIQUE);
	db_finalize(st);
	/* finalize leaves the message of the failure for the caller */
	assert_true(strlen(db_errmsg(db)) > 0);
	assert_int_equal(db_prepare(db, ins, &st), DB_OK);
	assert_ptr_equal(st, first);
	assert_int_equal(db_bind_int64(st, 1, 8), DB_OK);
	assert_int_equal(db_step(st), DB_DONE); /* name: NULL, not the old binding */
	db_finalize(st);
	db_cache_stats(db, &s1);
	assert_int_equal(s1.hits - s0.hits, 2);
	assert_int_equal(s1.misses, s0.misses);
	assert_int_equal(count_t(db), 2);
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM t WHERE name IS NULL", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int64(st, 0), 2);
	db_finalize(st);
	/* a statement that does not parse is not kept */
	assert_true(db_prepare(db, "SELEC nonsense", &st) != DB_OK || db_step(st) < 0);
	db_finalize(st);
	st = NULL;
	assert_true(db_prepare(db, "SELEC nonsense", &st) != DB_OK || db_step(st) < 0);
	db_finalize(st);
	assert_int_equal(count_t(db), 2);
	db_close(db);
}

/* Statements cached inside a transaction that was rolled back, and one
 * held open across the rollback. */
static void cached_statement_after_a_rollback(void **state)
{
	static const char ins[] = "INSERT INTO t (n) VALUES (?) RETURNING id";
	db_t *db = table_db(3);
	db_stmt_t *st = NULL, *held = NULL;
	(void)state;

	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_prepare(db, ins, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 10), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	db_finalize(st);
	assert_int_equal(db_prepare(db, "SELECT n FROM t ORDER BY n", &held), DB_OK);
	assert_int_equal(db_step(held), DB_ROW);
	assert_int_equal(db_rollback(db), DB_OK);
	db_finalize(held);
	assert_int_equal(count_t(db), 3);
	/* the same statements, from the cache, outside a transaction */
	assert_int_equal(db_prepare(db, ins, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 10), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_int64(st, 0) > 0);
	db_finalize(st);
	assert_int_equal(db_prepare(db, "SELECT n FROM t ORDER BY n", &held), DB_OK);
	for (int want = 1; want <= 3; want++) {
		assert_int_equal(db_step(held), DB_ROW);
		assert_int_equal(db_col_int64(held, 0), want);
	}
	assert_int_equal(db_step(held), DB_ROW);
	assert_int_equal(db_col_int64(held, 0), 10);
	assert_int_equal(db_step(held), DB_DONE);
	db_finalize(held);
	/* and in a transaction after an error rolled one back */
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_prepare(db, ins, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 10), DB_OK);
	assert_int_equal(db_step(st), DB_UNIQUE);
	db_finalize(st);
	assert_int_equal(db_rollback(db), DB_OK);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_prepare(db, ins, &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 11), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	db_finalize(st);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(count_t(db), 5);
	db_close(db);
}

/* More distinct SQL texts than the cache holds: it stays bounded, evicts,
 * and every answer is right. On PostgreSQL the server's named statements
 * stay bounded too. */
static void more_texts_than_the_cache_holds(void **state)
{
	enum { TEXTS = 600 };
	db_t *db = table_db(0);
	db_stmt_t *st = NULL;
	db_cache_stats_t s;
	(void)state;

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < TEXTS; i++) {
			char sql[64];
			snprintf(sql, sizeof(sql), "SELECT %d + ?", i);
			assert_int_equal(db_prepare(db, sql, &st), DB_OK);
			assert_int_equal(db_bind_int64(st, 1, 1000), DB_OK);
			assert_int_equal(db_step(st), DB_ROW);
			assert_int_equal(db_col_int64(st, 0), 1000 + i);
			db_finalize(st);
			db_cache_stats(db, &s);
			assert_true(s.cached <= 256);
		}
	}
	db_cache_stats(db, &s);
	printf("cache after %d texts twice: %d cached, %llu hits, %llu misses, %llu evictions\n", TEXTS, s.cached,
	       (unsigned long long)s.hits, (unsigned long long)s.misses, (unsigned long long)s.evictions);
	assert_int_equal(s.cached, 256);
	assert_true(s.evictions >= 2 * TEXTS - 256);
	if (db_dialect(db) == DB_POSTGRESQL) {
		int64_t named;
		assert_int_equal(db_prepare(db, "SELECT count(*) FROM pg_prepared_statements", &st), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		named = db_col_int64(st, 0);
		db_finalize(st);
		printf("server-side statements: %lld\n", (long long)named);
		assert_true(named <= 257);
	}
	db_close(db);
}

/* A statement marked DB_PLAN_EACH_RUN answers like any other and, on
 * PostgreSQL, is never a server-side named statement (whose generic plan
 * the server may keep after five runs). The check's pattern is cut in two
 * so that the check, a named statement itself, does not match it. */
static void plan_each_run_is_never_named(void **state)
{
	db_t *db = table_db(3);
	db_stmt_t *st = NULL;
	(void)state;

	for (int i = 0; i < 8; i++) {
		assert_int_equal(db_prepare(db, DB_PLAN_EACH_RUN "SELECT count(*) FROM t WHERE n > ?", &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, i % 3), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int64(st, 0), 3 - i % 3);
		db_finalize(st);
	}
	if (db_dialect(db) == DB_POSTGRESQL) {
		assert_int_equal(db_prepare(db, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE"
						" '%FROM t WHERE n ' || '>%'",
					    &st),
				 DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int64(st, 0), 0);
		db_finalize(st);
	}
	db_close(db);
}

/* A statement given back before its last row leaves nothing open: no read
 * snapshot (SQLite: the next query sees another connection's write), no
 * transaction or result on the server (PostgreSQL: the session is idle). */
static void an_idle_statement_holds_nothing(void **state)
{
	db_t *db = table_db(3), *other = NULL;
	db_stmt_t *st = NULL;
	char msg[256];
	(void)state;

	assert_int_equal(db_prepare(db, "SELECT n FROM t ORDER BY n", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	db_finalize(st);
	assert_int_equal(db_open(fixture_url(), &other, msg, sizeof(msg)), DB_OK);
	assert_int_equal(db_prepare(other, "INSERT INTO t (n) VALUES (4)", &st), DB_OK);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	assert_int_equal(count_t(db), 4);
	if (db_dialect(db) == DB_POSTGRESQL) {
		int64_t pid;
		assert_int_equal(db_prepare(db, COUNTER_SQL, &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, 100000), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		db_finalize(st);
		assert_int_equal(db_prepare(db, "SELECT pg_backend_pid()", &st), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		pid = db_col_int64(st, 0);
		db_finalize(st);
		assert_int_equal(db_prepare(other, "SELECT state FROM pg_stat_activity WHERE pid = ?", &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, pid), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), "idle");
		db_finalize(st);
	}
	db_close(other);
	db_close(db);
}

/* PostgreSQL: the server drops the connection; the cache is emptied when
 * it is made anew, cached and held statements work on the new one. */
static void reconnect_with_cached_statements(void **state)
{
	static const char q[] = "SELECT name FROM t WHERE n = ?";
	db_t *db = table_db(3), *other = NULL;
	db_stmt_t *st = NULL, *held = NULL;
	db_cache_stats_t s;
	char msg[256];
	int64_t pid;
	int rc;
	(void)state;

	if (db_dialect(db) != DB_POSTGRESQL) {
		printf("reconnect: SQLite connections are never made anew; nothing to test\n");
		db_close(db);
		return;
	}
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(db_prepare(db, q, &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, i), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		db_finalize(st);
	}
	assert_int_equal(db_prepare(db, "SELECT n FROM t ORDER BY n", &held), DB_OK);
	assert_int_equal(db_step(held), DB_ROW);
	assert_int_equal(db_prepare(db, "SELECT pg_backend_pid()", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	pid = db_col_int64(st, 0);
	db_finalize(st);
	db_cache_stats(db, &s);
	assert_true(s.cached >= 3);

	assert_int_equal(db_open(fixture_url(), &other, msg, sizeof(msg)), DB_OK);
	assert_int_equal(db_prepare(other, "SELECT pg_terminate_backend(?)", &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, pid), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	db_finalize(st);
	db_close(other);

	/* the next statement meets the broken connection */
	for (int tries = 0; tries < 50; tries++) {
		assert_int_equal(db_prepare(db, q, &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, 1), DB_OK);
		rc = db_step(st);
		db_finalize(st);
		if (rc < 0)
			break;
		usleep(100000); /* the backend may take a moment to go */
	}
	assert_int_equal(rc, DB_CONNECT);
	printf("after the backend was terminated: %s\n", db_errmsg(db));
	assert_int_equal(db_ensure_connected(db), DB_OK);
	db_cache_stats(db, &s);
	assert_int_equal(s.cached, 0);
	assert_int_equal(s.idle, 0);
	for (int i = 1; i <= 3; i++) {
		char want[16];
		snprintf(want, sizeof(want), "name %d", i);
		assert_int_equal(db_prepare(db, q, &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, i), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), want);
		db_finalize(st);
	}
	/* the statement held across the reconnect runs on the new connection */
	assert_int_equal(db_reset(held), DB_OK);
	for (int want = 1; want <= 3; want++) {
		assert_int_equal(db_step(held), DB_ROW);
		assert_int_equal(db_col_int64(held, 0), want);
	}
	assert_int_equal(db_step(held), DB_DONE);
	db_finalize(held); /* not kept: it was handed out before the reconnect */
	db_cache_stats(db, &s);
	assert_int_equal(s.cached, 1);
	db_close(db);
}

static void named_statements_can_be_turned_off(void **state)
{
	char url[700], msg[256];
	db_t *db = NULL;
	db_stmt_t *st = NULL;
	const char *base = fixture_url();
	(void)state;

	if (strncmp(base, "postgres", 8) != 0) {
		printf("named_statements: a PostgreSQL URL parameter; nothing to test on SQLite\n");
		return;
	}
	snprintf(url, sizeof(url), "%s%cnamed_statements=off", base, strchr(base, '?') ? '&' : '?');
	assert_int_equal(db_open(url, &db, msg, sizeof(msg)), DB_OK);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(db_prepare(db, "SELECT ? + 1", &st), DB_OK);
		assert_int_equal(db_bind_int64(st, 1, round), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_int_equal(db_col_int64(st, 0), round + 1);
		db_finalize(st);
	}
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM pg_prepared_statements", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int64(st, 0), 0);
	db_finalize(st);
	db_close(db);
	snprintf(url, sizeof(url), "%s%cnamed_statements=maybe", base, strchr(base, '?') ? '&' : '?');
	assert_int_equal(db_open(url, &db, msg, sizeof(msg)), DB_CONNECT);
	assert_non_null(strstr(msg, "named_statements"));
}

/* A statement the cache keeps idle refuses to be used through an old
 * pointer (ASan cannot see that: its memory is still allocated). */
static void a_finalized_statement_refuses_use(void **state)
{
	db_t *db = table_db(1);
	db_stmt_t *st = NULL, *stale;
	(void)state;

	assert_int_equal(db_prepare(db, "SELECT n FROM t WHERE n = ?", &st), DB_OK);
	stale = st;
	db_finalize(st);
	assert_int_equal(db_bind_int64(stale, 1, 1), DB_ERROR);
	assert_int_equal(db_step(stale), DB_ERROR);
	assert_non_null(strstr(db_errmsg(db), "after db_finalize"));
	assert_int_equal(db_reset(stale), DB_ERROR);
	/* and it is still good for the next db_prepare */
	assert_int_equal(db_prepare(db, "SELECT n FROM t WHERE n = ?", &st), DB_OK);
	assert_ptr_equal(st, stale);
	assert_int_equal(db_bind_int64(st, 1, 1), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	db_finalize(st);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_a_million_rows),
		cmocka_unit_test(error_in_the_middle_comes_back_from_step),
		cmocka_unit_test(commit_after_abandoned_failing_rows),
		cmocka_unit_test(same_sql_open_twice),
		cmocka_unit_test(nested_queries_in_a_long_result),
		cmocka_unit_test(transaction_and_bulk_load_while_streaming),
		cmocka_unit_test(statement_reused_after_an_error),
		cmocka_unit_test(cached_statement_after_a_rollback),
		cmocka_unit_test(more_texts_than_the_cache_holds),
		cmocka_unit_test(an_idle_statement_holds_nothing),
		cmocka_unit_test(reconnect_with_cached_statements),
		cmocka_unit_test(named_statements_can_be_turned_off),
		cmocka_unit_test(plan_each_run_is_never_named),
		cmocka_unit_test(a_finalized_statement_refuses_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
