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
 *
 * The generator's load (store/member_load.h) sets the member tables'
 * indexes aside and builds them again: afterwards the same indexes stand,
 * the figures agree with the records (what `unionbase check` compares),
 * every payment falls in a stay of hers in its unit, and a load that fails
 * leaves the database as it was, indexes included.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include "core/person.h"
#include "core/text.h"

#include "io/gen_country.h"
#include "io/gen_members.h"
#include "io/org_ops.h"
#include "store/member_load.h"
#include "store/member_tally.h"
#include "store/migrate.h"
#include "store/util.h"
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

/* The one integer sql gives, or -1 when it fails (no assertion: for a
 * test that must end its transactions before it fails). */
static int64_t int_or(db_t *db, const char *sql)
{
	db_stmt_t *st = NULL;
	int64_t n = -1;

	if (db_prepare(db, sql, &st) == DB_OK && db_step(st) == DB_ROW)
		n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}

/* Checks each person's folded name and sort key against those made from
 * her name (the load keeps them by name); returns how many persons have
 * a name another has too. */
static int64_t names_as_made(db_t *db)
{
	db_stmt_t *st = NULL;
	int64_t repeated = 0;
	int rc;

	if (db_prepare(db, "SELECT full_name, name_fold, name_key, count(*) OVER (PARTITION BY full_name) FROM persons",
		       &st) != DB_OK)
		fail_msg("%s", db_errmsg(db));
	while ((rc = db_step(st)) == DB_ROW) {
		const char *name = db_col_text(st, 0);
		char *fold = NULL, *key = NULL;

		if (text_fold(name, &fold) || person_sort_key(name, &key))
			fail_msg("out of memory");
		assert_string_equal(db_col_text(st, 1), fold);
		assert_string_equal(db_col_text(st, 2), key);
		repeated += db_col_int64(st, 3) > 1;
		free(fold);
		free(key);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		fail_msg("%s", db_errmsg(db));
	return repeated;
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

/* The indexes of the tables a load writes; on PostgreSQL their foreign
 * keys too, which the load sets aside and makes again (member_load.c). */
static char *index_names(db_t *db)
{
	const char *sql = db_dialect(db) == DB_SQLITE
				  ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('persons',"
				    " 'memberships', 'person_words', 'member_words', 'dues_payments') ORDER BY name"
				  : "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN"
				    " ('persons', 'memberships', 'person_words', 'member_words', 'dues_payments')"
				    " UNION ALL SELECT c.conname || ' ' || pg_get_constraintdef(c.oid) || CASE WHEN"
				    " c.convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint c"
				    " WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ('persons', 'memberships',"
				    " 'person_words', 'member_words', 'dues_payments', 'member_tally', 'member_days') ORDER BY 1";
	db_stmt_t *st = NULL;
	size_t n = 0;
	char *out = calloc(1, 8192);

	assert_non_null(out);
	if (db_prepare(db, sql, &st) != DB_OK)
		fail_msg("%s", db_errmsg(db));
	while (db_step(st) == DB_ROW)
		n += (size_t)snprintf(out + n, 8192 - n, "%s ", db_col_text(st, 0));
	db_finalize(st);
	assert_true(n > 0 && n < 8000);
	return out;
}

static db_t *seeded_for_members(principal_t *who)
{
	db_t *db = fixture_empty_db();
	err_t e;

	err_clear(&e);
	principal_system(who, "test", fixture_today());
	if (migrate_apply(db, &e) || org_seed(db, NULL, true, fixture_today(), &e))
		fail_msg("schema and units: %s", e.message);
	return db;
}

/* The generator writes each unit's members together, units in the order
 * of their codes, branches and groups alike (gen_members.h): along the
 * persons in id order, the code of each one's first unit never goes back,
 * and changes once a unit. (Drawn member by member, it went back at about
 * every other person.) */
static void generated_members_lie_unit_by_unit(void **state)
{
	gen_members_opts_t o = { .seed = 7, .count = MEMBERS, .today = fixture_today() };
	gen_members_result_t out;
	principal_t who;
	db_t *db = seeded_for_members(&who);
	db_stmt_t *st = NULL;
	char last[UNIT_CODE_MAX + 1] = "", back[128] = "";
	int64_t units;
	int persons = 0, runs = 0, levels = 0, rc;
	err_t e;

	(void)state;
	err_clear(&e);
	assert_int_equal(db_begin(db), DB_OK);
	if (gen_members(db, &who, &o, &out, &e))
		fail_msg("members: %s", e.message);
	assert_int_equal(out.members, MEMBERS);
	if (db_prepare(db,
		       "SELECT u.code, u.level FROM persons p JOIN memberships m ON m.person_id = p.id AND m.valid_from ="
		       " (SELECT min(f.valid_from) FROM memberships f WHERE f.person_id = p.id)"
		       " JOIN units u ON u.id = m.unit_id ORDER BY p.id",
		       &st) != DB_OK)
		fail_msg("%s", db_errmsg(db));
	/* checked after the rollback: a failure here must not leave the
	 * write lock held for the tests after it */
	while ((rc = db_step(st)) == DB_ROW && !*back) {
		const char *code = db_col_text(st, 0);
		if (strcmp(code, last) < 0)
			snprintf(back, sizeof(back), "person %d's unit %s comes after %s", persons + 1, code, last);
		if (strcmp(code, last) != 0) {
			runs++;
			levels |= strcmp(db_col_text(st, 1), "group") == 0 ? 2 : 1;
		}
		snprintf(last, sizeof(last), "%s", code);
		persons++;
	}
	db_finalize(st);
	units = int_or(db, "SELECT count(DISTINCT m.unit_id) FROM memberships m WHERE m.start_reason = 'joined'");
	assert_int_equal(db_rollback(db), DB_OK);
	db_close(db);
	if (*back)
		fail_msg("%s", back);
	assert_int_equal(rc, DB_DONE);
	assert_int_equal(persons, MEMBERS);
	assert_int_equal(runs, units);
	assert_int_equal(levels, 3); /* branches and groups, in one order */
}

/* A PRAGMA's value (SQLite), whatever its sign (cache_size is negative
 * in KiB). */
static int64_t pragma_of(db_t *db, const char *sql)
{
	int64_t v = 0;
	err_t e;

	err_clear(&e);
	if (store_pragma_int(db, sql, &v, &e))
		fail_msg("%s: %s", sql, e.message);
	return v;
}

/* SQLite: the connection's settings a load changes, set first to values
 * the load does not use (so that one it leaves as it set it shows), and
 * read into `into`; settings_as_before fails unless each is as read. */
static const char *const SETTINGS[] = { "PRAGMA cache_size", "PRAGMA threads", "PRAGMA temp.secure_delete" };

static void settings_read(db_t *db, int64_t into[3])
{
	if (db_exec(db, "PRAGMA cache_size = -3000") != DB_OK || db_exec(db, "PRAGMA threads = 1") != DB_OK ||
	    db_exec(db, "PRAGMA temp.secure_delete = 1") != DB_OK)
		fail_msg("settings: %s", db_errmsg(db));
	for (size_t i = 0; i < 3; i++)
		into[i] = pragma_of(db, SETTINGS[i]);
}

static void settings_as_before(db_t *db, const int64_t before[3])
{
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(pragma_of(db, SETTINGS[i]), before[i]);
}

/* The load counts the figures itself while they are kept, and leaves
 * them to a recount when they are not: both must agree with the check's. */
static void generate_and_check(bool suspended, size_t members)
{
	gen_members_opts_t o = { .seed = 11, .count = members, .today = fixture_today() };
	gen_members_result_t out;
	principal_t who;
	db_t *db = seeded_for_members(&who);
	char *before = index_names(db), *after;
	size_t rows = 0, diffs = 0;
	bool kept = false, lite = db_dialect(db) == DB_SQLITE;
	int64_t setting[3] = { 0 };
	err_t e;

	err_clear(&e);
	if (lite)
		settings_read(db, setting);
	if (suspended && member_tally_suspend(db, &e))
		fail_msg("suspend: %s", e.message);
	if (gen_members(db, &who, &o, &out, &e))
		fail_msg("members: %s", e.message);
	if (lite)
		settings_as_before(db, setting);
	assert_int_equal(out.members, members);
	assert_true(out.payments > members && out.left > 0);
	after = index_names(db);
	assert_string_equal(after, before);
	if (member_tally_check(db, NULL, &kept, &rows, &diffs, &e))
		fail_msg("check: %s", e.message);
	assert_true(kept);
	assert_true(rows > 0);
	assert_int_equal(diffs, 0);
	assert_int_equal(row_count(db, "persons"), (int64_t)members);
	/* names borne by several: their texts made once, kept for the next */
	assert_true(names_as_made(db) > 0);
	assert_int_equal(int_of(db, "SELECT count(DISTINCT id_number) FROM persons", NULL), (int64_t)members);
	assert_int_equal(row_count(db, "dues_payments"), (int64_t)out.payments);
	/* each payment in a stay of hers that holds the day it was paid, in
	 * that stay's unit, at the rate set for the year */
	assert_int_equal(int_of(db,
				"SELECT count(*) FROM dues_payments d WHERE NOT EXISTS (SELECT 1 FROM memberships m"
				" WHERE m.person_id = d.person_id AND m.unit_id = d.unit_id AND m.valid_from <= d.paid_on"
				" AND m.valid_to > d.paid_on) OR d.amount <> (SELECT r.amount FROM dues_rates r WHERE r.year = d.year)",
				NULL),
			 0);
	assert_int_equal(int_of(db, "SELECT count(*) FROM audit WHERE action = ?", "member.generate"), 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM audit WHERE action = ?", "member.add"), 0);
	/* moves between provinces, counted out of one and into the other */
	assert_true(out.moved > 0);
	assert_true(int_of(db, "SELECT count(*) FROM member_tally WHERE dim = ? AND n > 0", "tin") > 0);
	/* each member's whole name at her commune too (schema 27) */
	assert_true(int_of(db, "SELECT count(*) FROM member_words w JOIN units u ON u.id = w.unit_id WHERE w.word = ''"
			       " AND u.level = ?", "commune") > (int64_t)members / 2);
	free(before);
	free(after);
	db_close(db);
}

static void generated_members_leave_indexes_and_figures_as_the_writes_would(void **state)
{
	(void)state;
	generate_and_check(false, MEMBERS);
}

/* Each batch is counted on the load's thread while the one before is
 * stored: three batches, the last short, each counted once. */
static void generated_members_in_several_batches_are_each_counted_once(void **state)
{
	(void)state;
	generate_and_check(false, 2 * MEMBER_LOAD_BATCH + 7);
}

static void generated_members_while_the_figures_are_suspended_are_counted_afresh(void **state)
{
	(void)state;
	/* two batches: stored one flush late, the last by the end's */
	generate_and_check(true, MEMBER_LOAD_BATCH + 3);
}

static void a_failed_load_leaves_the_database_as_it_was(void **state)
{
	load_member_t *m = calloc(1, sizeof(*m));
	member_load_t *l = NULL;
	principal_t who;
	db_t *db = seeded_for_members(&who);
	char *before = index_names(db), *after;
	bool lite = db_dialect(db) == DB_SQLITE;
	int64_t setting[3] = { 0 };
	err_t e;
	int r;

	(void)state;
	assert_non_null(m);
	err_clear(&e);
	if (lite)
		settings_read(db, setting);
	snprintf(m->p.full_name, sizeof(m->p.full_name), "%s", "Nguyễn Thị Lan");
	m->p.birth_date = fixture_today() - 30 * 365;
	m->n_stays = 1;
	m->stays[0] = (load_stay_t){ .unit_id = 987654321, .from = fixture_today() - 10, .to = DATE_OPEN };
	snprintf(m->stays[0].start_reason, sizeof(m->stays[0].start_reason), "joined");
	assert_int_equal(db_begin(db), DB_OK);
	r = member_load_begin(db, &who, &l, &e);
	assert_int_equal(r, 0);
	after = index_names(db);
	assert_int_not_equal(strcmp(after, before), 0); /* set aside */
	free(after);
	r = member_load_add(l, m, &e) || member_load_end(l, "one", &e);
	assert_int_not_equal(r, 0); /* no such unit */
	member_load_free(l);
	if (lite) /* put back by member_load_free after the failure */
		settings_as_before(db, setting);
	assert_int_equal(db_rollback(db), DB_OK);
	after = index_names(db);
	assert_string_equal(after, before);
	assert_int_equal(row_count(db, "persons"), 0);
	assert_int_equal(int_of(db, "SELECT count(*) FROM audit WHERE action = ?", "member.generate"), 0);
	free(before);
	free(after);
	free(m);
	db_close(db);
}

/* A second run numbers its ID numbers on from those on record. */
static void generating_twice_collides_with_nothing(void **state)
{
	gen_members_opts_t o = { .seed = 11, .count = MEMBERS, .today = fixture_today() };
	gen_members_result_t out;
	principal_t who;
	db_t *db = seeded_for_members(&who);
	size_t rows = 0, diffs = 0;
	bool kept = false;
	err_t e;

	(void)state;
	err_clear(&e);
	for (int run = 0; run < 2; run++)
		if (gen_members(db, &who, &o, &out, &e))
			fail_msg("members, run %d: %s", run + 1, e.message);
	assert_int_equal(row_count(db, "persons"), 2 * MEMBERS);
	assert_int_equal(int_of(db, "SELECT count(DISTINCT id_number) FROM persons", NULL), 2 * MEMBERS);
	if (member_tally_check(db, NULL, &kept, &rows, &diffs, &e))
		fail_msg("check: %s", e.message);
	assert_int_equal(diffs, 0);
	db_close(db);
}

/* What the load's own counting relies on is refused, not miscounted. */
static void a_load_refuses_stays_it_could_not_count(void **state)
{
	load_member_t *m = calloc(1, sizeof(*m));
	member_load_t *l = NULL;
	principal_t who;
	db_t *db = seeded_for_members(&who);
	int64_t unit;
	err_t e;

	(void)state;
	assert_non_null(m);
	err_clear(&e);
	unit = int_of(db, "SELECT m.id FROM units m JOIN levels l ON l.key = m.level WHERE m.valid_to = ? AND l.rank ="
			  " (SELECT max(rank) FROM levels) ORDER BY m.id LIMIT 1", "9999-12-31");
	snprintf(m->p.full_name, sizeof(m->p.full_name), "%s", "Nguyễn Thị Lan");
	m->p.birth_date = fixture_today() - 30 * 365;
	m->n_stays = 2;
	m->stays[0] = (load_stay_t){ .unit_id = unit, .from = fixture_today() - 100, .to = DATE_OPEN };
	m->stays[1] = (load_stay_t){ .unit_id = unit, .from = fixture_today() - 50, .to = DATE_OPEN };
	snprintf(m->stays[0].start_reason, sizeof(m->stays[0].start_reason), "joined");
	snprintf(m->stays[1].start_reason, sizeof(m->stays[1].start_reason), "joined");
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(member_load_begin(db, &who, &l, &e), 0);
	assert_int_not_equal(member_load_add(l, m, &e), 0); /* two open stays */
	m->n_stays = 1;
	m->n_pay = 1;
	m->pay[0] = (load_payment_t){ .year = 2020, .unit_id = unit, .amount = 12000, .paid_on = fixture_today() - 200 };
	assert_int_not_equal(member_load_add(l, m, &e), 0); /* paid before she joined */
	m->pay[0].paid_on = fixture_today() - 10;
	snprintf(m->p.ethnicity, sizeof(m->p.ethnicity), "%s", "99");
	assert_int_not_equal(member_load_add(l, m, &e), 0); /* no such ethnic group */
	snprintf(m->p.ethnicity, sizeof(m->p.ethnicity), "%s", "01");
	assert_int_equal(member_load_add(l, m, &e), 0);
	member_load_free(l);
	assert_int_equal(db_rollback(db), DB_OK);
	free(m);
	db_close(db);
}

/* A digest of every row sql gives (each column as text). */
static uint64_t rows_digest(db_t *db, const char *sql, int cols)
{
	db_stmt_t *st = NULL;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	int rc;

	if (db_prepare(db, sql, &st) != DB_OK)
		fail_msg("%s", db_errmsg(db));
	while ((rc = db_step(st)) == DB_ROW)
		for (int c = 0; c < cols; c++)
			for (const char *p = db_col_text(st, c);; p++) {
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
				if (!*p)
					break;
			}
	db_finalize(st);
	assert_int_equal(rc, DB_DONE);
	return h;
}

#define PAYMENT_ROWS                                                                                               \
	"SELECT person_id, year, unit_id, amount, paid_on, recorded_by, recorded_at FROM dues_payments ORDER BY 1, 2"

/* Schema 29 stores the dues payments in their key's order (SQLite,
 * WITHOUT ROWID): members generated at schema 28 keep every payment
 * through the migration, and the figures still agree with them. */
static void the_migration_to_29_keeps_every_payment(void **state)
{
	gen_members_opts_t o = { .seed = 5, .count = MEMBERS, .today = fixture_today() };
	gen_members_result_t out;
	principal_t who;
	db_t *db = fixture_empty_db();
	uint64_t payments;
	size_t rows = 0, diffs = 0;
	bool kept = false;
	err_t e;

	(void)state;
	err_clear(&e);
	principal_system(&who, "test", fixture_today());
	if (migrate_apply_to(db, 28, &e) || org_seed(db, NULL, true, fixture_today(), &e))
		fail_msg("schema 28 and units: %s", e.message);
	if (gen_members(db, &who, &o, &out, &e))
		fail_msg("members: %s", e.message);
	payments = rows_digest(db, PAYMENT_ROWS, 7);
	assert_int_equal(row_count(db, "dues_payments"), (int64_t)out.payments);
	assert_true(out.payments > MEMBERS);
	if (migrate_apply(db, &e))
		fail_msg("to schema 29: %s", e.message);
	assert_true(rows_digest(db, PAYMENT_ROWS, 7) == payments);
	if (db_dialect(db) == DB_SQLITE)
		assert_int_equal(int_of(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
					    " AND sql LIKE '%WITHOUT ROWID'", "dues_payments"),
				 1);
	if (member_tally_check(db, NULL, &kept, &rows, &diffs, &e))
		fail_msg("check: %s", e.message);
	assert_true(kept && rows > 0);
	assert_int_equal(diffs, 0);
	db_close(db);
}

/* A load begun on a thread of its own: its result. */
typedef struct begin_job {
	db_t *db;
	principal_t who;
	member_load_t *l;
	int rc;
	err_t e;
} begin_job_t;

/* The generator makes the tree with SQLite's temporary storage in memory
 * (statement journals and a query's temporary tables: store/util.h), and
 * puts back the connection's own setting after, so that the members it
 * loads next sort on file; a change inside a transaction is refused. */
static void the_tree_is_made_with_temporary_storage_in_memory_then_put_back(void **state)
{
	gen_opts_t o = { .seed = 3, .scale = 0.01, .provinces = 1 };
	db_t *db = fixture_seeded_db();
	principal_t who;
	gen_stats_t st;
	bool sqlite = db_dialect(db) == DB_SQLITE;
	int was = 0;
	err_t e;
	(void)state;

	principal_system(&who, "test", fixture_today());
	err_clear(&e);
	/* a setting of the connection's own (1: on file), not the default */
	if (sqlite && db_exec(db, "PRAGMA temp_store = 1") != DB_OK)
		fail_msg("temp_store: %s", db_errmsg(db));
	if (gen_country(db, &who, &o, &st, &e))
		fail_msg("generate: %s", e.message);
	assert_true(st.communes > 0);
	if (sqlite)
		assert_int_equal(pragma_of(db, "PRAGMA temp_store"), 1);
	assert_int_equal(db_begin(db), DB_OK);
	err_clear(&e);
	assert_int_equal(store_temp_in_memory(db, &was, &e), sqlite ? -1 : 0);
	if (sqlite)
		assert_int_equal(pragma_of(db, "PRAGMA temp_store"), 1);
	db_rollback(db);
	err_clear(&e);
	assert_int_equal(store_temp_in_memory(db, &was, &e), 0);
	assert_int_equal(was, sqlite ? 1 : -1);
	if (sqlite)
		assert_int_equal(pragma_of(db, "PRAGMA temp_store"), 2);
	assert_int_equal(store_temp_put_back(db, was, &e), 0);
	if (sqlite)
		assert_int_equal(pragma_of(db, "PRAGMA temp_store"), 1);
	db_close(db);
}

/* PostgreSQL's planner sees the rows one long transaction adds only when
 * it analyses the tables inside it (autovacuum never sees them):
 * store_growth_step analyses them at the 256th change and again each time
 * the count doubles, not at every change. SQLite plans by its rules:
 * nothing is analysed there. */
static void a_growing_table_is_analysed_at_the_256th_change_then_at_each_doubling(void **state)
{
	/* never analysed: -1 from PostgreSQL 14, 0 before */
	static const char *const tuples = "SELECT CASE WHEN reltuples < 1 THEN 0 ELSE CAST(reltuples AS BIGINT) END"
					  " FROM pg_class WHERE relname = 'growth_probe'";
	store_growth_t g = STORE_GROWTH_INIT;
	db_t *db = fixture_empty_db();
	bool pg = db_dialect(db) == DB_POSTGRESQL;
	int64_t seen[5] = { 0 }, stat1;
	int i, r = 0;
	err_t e;
	(void)state;

	err_clear(&e);
	if (db_begin(db) != DB_OK || db_exec(db, "CREATE TABLE growth_probe (id BIGINT)") != DB_OK)
		fail_msg("%s", db_errmsg(db));
	for (i = 1; !r && i <= 1024; i++) {
		char sql[96];

		snprintf(sql, sizeof(sql), "INSERT INTO growth_probe (id) VALUES (%d)", i);
		r = db_exec(db, sql) != DB_OK || store_growth_step(db, &g, "growth_probe", &e);
		if (pg && (i == 255 || i == 256 || i == 511 || i == 512 || i == 1024))
			seen[i == 255 ? 0 : i == 256 ? 1 : i == 511 ? 2 : i == 512 ? 3 : 4] = int_or(db, tuples);
	}
	stat1 = pg ? 0 : int_or(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'");
	db_rollback(db);
	if (r)
		fail_msg("step %d: %s %s", i - 1, e.message, db_errmsg(db));
	assert_int_equal(g.changes, 1024);
	assert_int_equal(g.next, 2048);
	assert_int_equal(stat1, 0);
	if (pg) {
		assert_int_equal(seen[0], 0);
		assert_int_equal(seen[1], 256);
		assert_int_equal(seen[2], 256);
		assert_int_equal(seen[3], 512);
		assert_int_equal(seen[4], 1024);
	}
	db_close(db);
}

static void *begin_load(void *arg)
{
	begin_job_t *j = arg;

	err_clear(&j->e);
	j->rc = db_begin(j->db) == DB_OK ? member_load_begin(j->db, &j->who, &j->l, &j->e) : -1;
	return NULL;
}

/* PostgreSQL: a reader that holds the units and then reads the persons,
 * which the load sets aside, while the load waits for the units. Locked
 * drop by drop, each an upgrade of the load's own reads, the two waited
 * for each other until PostgreSQL's deadlock check aborted one; the load
 * takes its locks in one statement and gives them back when it waits
 * long (the deadlock check waits 1 s, deadlock_timeout's default), so
 * both go through. */
static void a_load_waits_for_a_reader_without_a_deadlock(void **state)
{
	begin_job_t j = { .rc = -1 };
	pthread_t t;
	db_t *reader = NULL;
	char msg[256];
	int64_t waiting = 0, persons = -1;
	int commit_rc, started;

	(void)state;
	j.db = seeded_for_members(&j.who);
	if (db_dialect(j.db) != DB_POSTGRESQL) {
		db_close(j.db);
		skip();
	}
	if (db_open(fixture_url(), &reader, msg, sizeof(msg)) != DB_OK)
		fail_msg("%s", msg);
	assert_int_equal(db_begin_read(reader), DB_OK);
	assert_true(fixture_int(reader, "SELECT count(*) FROM units") > 0);
	/* from here to the end, nothing fails the test before both
	 * transactions are over: a reader left holding units would keep the
	 * next test's fixture waiting */
	started = pthread_create(&t, NULL, begin_load, &j);
	for (int i = 0; !started && i < 3000 && !waiting; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
		waiting = int_or(reader, "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'relation'"
					 " AND relation = 'units'::regclass AND database = (SELECT oid FROM pg_database"
					 " WHERE datname = current_database())");
	}
	if (!started) /* waits for the load's try to give way */
		persons = int_or(reader, "SELECT count(*) FROM persons");
	commit_rc = db_commit(reader);
	if (!started)
		pthread_join(t, NULL);
	member_load_free(j.l);
	db_rollback(j.db);
	db_close(reader);
	db_close(j.db);
	assert_int_equal(started, 0);
	assert_int_equal(waiting, 1);
	assert_int_equal(persons, 0);
	assert_int_equal(commit_rc, DB_OK);
	if (j.rc)
		fail_msg("the load: %s", j.e.message);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_demo_reads_each_row_a_bounded_number_of_times),
		cmocka_unit_test(generated_members_lie_unit_by_unit),
		cmocka_unit_test(generated_members_leave_indexes_and_figures_as_the_writes_would),
		cmocka_unit_test(generated_members_in_several_batches_are_each_counted_once),
		cmocka_unit_test(generated_members_while_the_figures_are_suspended_are_counted_afresh),
		cmocka_unit_test(a_failed_load_leaves_the_database_as_it_was),
		cmocka_unit_test(generating_twice_collides_with_nothing),
		cmocka_unit_test(a_load_refuses_stays_it_could_not_count),
		cmocka_unit_test(a_load_waits_for_a_reader_without_a_deadlock),
		cmocka_unit_test(the_migration_to_29_keeps_every_payment),
		cmocka_unit_test(the_tree_is_made_with_temporary_storage_in_memory_then_put_back),
		cmocka_unit_test(a_growing_table_is_analysed_at_the_256th_change_then_at_each_doubling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
