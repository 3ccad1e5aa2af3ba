/*
 * test_bulk.c - a bulk load in one transaction (what `init --demo` does:
 * the schema, the reference and demo units, generated members) reads each
 * table a bounded number of times per row, not once per row already there.
 *
 * PostgreSQL plans a named statement and a foreign-key check once, from
 * the statistics of the moment. Tables analysed while still empty are
 * planned as staying empty: sequential scans, which then read the whole
 * table at every insert, and the load grows with the square of its size
 * (`init --demo` went from 72 s to over 400 s). The transaction's own
 * counters (pg_stat_xact_user_tables) show that as rows read by sequential
 * scans, which this test bounds; SQLite plans from its rules and has no
 * such counters, so there the load only has to succeed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/gen_members.h"
#include "io/org_ops.h"
#include "store/migrate.h"
#include "store_fixture.h"

#define MEMBERS 400

static const char *const TABLES[] = { "persons", "memberships", "person_words", "ancestry", "units", "member_tally", "member_words" };
#define N_TABLES (sizeof(TABLES) / sizeof(TABLES[0]))

/* The one integer sql gives, its one placeholder bound to text. */
static int64_t int_of(db_t *db, const char *sql, const char *text)
{
	db_stmt_t *st = NULL;
	int64_t n = -1;

	if (db_prepare(db, sql, &st) != DB_OK || (text && db_bind_text(st, 1, text) != DB_OK))
		fail_msg("%s", db_errmsg(db));
	if (db_step(st) == DB_ROW)
		n = db_col_int64(st, 0);
	db_finalize(st);
	if (n < 0)
		fail_msg("%s", db_errmsg(db));
	return n;
}

/* Rows read by sequential scans of table in this transaction. */
static int64_t seq_rows_read(db_t *db, const char *table)
{
	return int_of(db, "SELECT coalesce(sum(seq_tup_read), 0) FROM pg_stat_xact_user_tables WHERE relname = ?", table);
}

/* The rows in table (one of TABLES: never from outside). */
static int64_t row_count(db_t *db, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return int_of(db, sql, NULL);
}

static void init_demo_reads_each_row_a_bounded_number_of_times(void **state)
{
	gen_members_opts_t o = { .seed = 7, .count = MEMBERS, .today = fixture_today() };
	gen_members_result_t out;
	int64_t before[N_TABLES] = { 0 };
	principal_t who;
	db_t *db = fixture_empty_db();
	err_t e;

	(void)state;
	err_clear(&e);
	principal_system(&who, "test", fixture_today());
	assert_int_equal(db_begin(db), DB_OK);
	if (migrate_apply(db, &e) || org_seed(db, NULL, true, fixture_today(), &e))
		fail_msg("schema and units: %s", e.message);
	if (db_dialect(db) == DB_POSTGRESQL)
		for (size_t i = 0; i < N_TABLES; i++)
			before[i] = seq_rows_read(db, TABLES[i]);
	if (gen_members(db, &who, &o, &out, &e))
		fail_msg("members: %s", e.message);
	assert_int_equal(out.members, MEMBERS);
	/* the final count and the checks read a table whole a few times; a
	 * scan at each insert reads it about once a member */
	if (db_dialect(db) == DB_POSTGRESQL)
		for (size_t i = 0; i < N_TABLES; i++) {
			int64_t n = seq_rows_read(db, TABLES[i]) - before[i], rows = row_count(db, TABLES[i]);
			if (n > 10 * rows)
				fail_msg("%s: %lld rows read by sequential scans while adding %d members, %lld rows in it",
					 TABLES[i], (long long)n, MEMBERS, (long long)rows);
		}
	assert_int_equal(db_commit(db), DB_OK);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_demo_reads_each_row_a_bounded_number_of_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
