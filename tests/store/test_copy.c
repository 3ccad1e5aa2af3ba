/*
 * Store test of `copy`: a seeded database with operations on it goes from
 * the store under test to a SQLite file and back into an emptied database of
 * the store under test; every row must come back the same, ids included, and
 * new ids must continue after the copied ones. On the PostgreSQL run this is
 * PostgreSQL -> SQLite -> PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/org_ops.h"
#include "store/copy.h"
#include "store/org_store.h"
#include "store_fixture.h"

/* operations in these tests act as the program itself */
static principal_t SYS;

static void round_trip_is_lossless(void **state)
{
	static const char ops[] =
		"op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n"
		"create,2025-08-01,R1,\"Xã \"\"Một\"\", tab\there\",R1,commune,,border island,24,,ghi chú\n"
		"create,2025-08-01,R2,Xã Hai,R2,commune,agency,,24,,\n"
		"merge,2026-01-01,R3,Xã Ba,R3,commune,,,24,R1 R2,NQ\n";
	char tmp[128], url[160], msg[256];
	char *before, *after;
	db_t *src, *mid = NULL, *back;
	size_t n;
	unit_spec_t s;
	unit_t u;
	err_t e;
	(void)state;

	err_clear(&e);
	src = fixture_seeded_db();
	assert_int_equal(org_ops_apply_csv(src, &SYS, ops, sizeof(ops) - 1, &n, &e), 0);
	before = fixture_snapshot(src);

	snprintf(tmp, sizeof(tmp), "/tmp/unionbase-copy-%d.db", (int)getpid());
	unlink(tmp);
	snprintf(url, sizeof(url), "sqlite:%s", tmp);
	assert_int_equal(db_open(url, &mid, msg, sizeof(msg)), DB_OK);
	if (store_copy(src, mid, NULL, NULL, &e))
		fail_msg("copy out: %s", e.message);
	db_close(src);

	back = fixture_empty_db();
	if (store_copy(mid, back, NULL, NULL, &e))
		fail_msg("copy back: %s", e.message);
	/* copying into a database that holds units is refused */
	assert_int_equal(store_copy(mid, back, NULL, NULL, &e), -1);
	assert_string_equal(e.code, "not_empty");
	after = fixture_snapshot(back);
	assert_string_equal(before, after);

	/* the copy is usable: a new unit gets a fresh id */
	memset(&s, 0, sizeof(s));
	strcpy(s.code, "R4");
	strcpy(s.name_vi, "Xã Bốn");
	strcpy(s.name_en, "R4");
	strcpy(s.level, "commune");
	strcpy(s.parent, "24");
	err_clear(&e);
	if (org_create(back, &SYS, &s, 20454 /* 2026-01-01 */, NULL, &u, &e))
		fail_msg("create after copy: %s", e.message);
	{
		db_stmt_t *st = NULL;
		assert_int_equal(db_prepare(back, "SELECT max(id) FROM units WHERE code <> 'R4'", &st), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_true(u.id > db_col_int64(st, 0));
		db_finalize(st);
	}

	free(before);
	free(after);
	db_close(mid);
	db_close(back);
	unlink(tmp);
}

int main(void)
{
	principal_system(&SYS, "test", fixture_today());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_is_lossless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
