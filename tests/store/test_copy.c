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

#include "core/password.h"
#include "io/org_ops.h"
#include "store/auth_store.h"
#include "store/card.h"
#include "store/members.h"
#include "store/copy.h"
#include "store/org_store.h"
#include "store_fixture.h"

/* operations in these tests act as the program itself */
static principal_t SYS;

/* A member (every column of persons: 26, more than a copy once held),
 * her card and its key, and her own account. */
static void add_records(db_t *db)
{
	static const char branch[] =
		"op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n"
		"create,2025-08-01,R9,Xã Chín,R9,commune,,,24,,\n"
		"create,2025-08-01,R9.01,Chi hội Một,R9.01,branch,,,R9,,\n";
	member_card_t card;
	person_t p;
	user_t u;
	unit_t b;
	size_t n;
	err_t e;

	err_clear(&e);
	assert_int_equal(org_ops_apply_csv(db, &SYS, branch, sizeof(branch) - 1, &n, &e), 0);
	assert_int_equal(org_unit_get(db, "R9.01", SYS.today, &b, &e), 0);
	memset(&p, 0, sizeof(p));
	snprintf(p.full_name, sizeof(p.full_name), "%s", "Nguyễn Thị Sao Chép");
	snprintf(p.religion, sizeof(p.religion), "%s", "Phật giáo");
	snprintf(p.ethnicity, sizeof(p.ethnicity), "%s", "01");
	snprintf(p.phone, sizeof(p.phone), "%s", "+84912345678");
	p.birth_date = 5000;
	p.digital = true;
	if (member_add(db, &SYS, &p, b.id, MEMBER_REGULAR, 20333 /* 2025-09-01 */, &e))
		fail_msg("member: %s", e.message);
	if (card_issue(db, &SYS, p.id, &card, &e))
		fail_msg("card: %s", e.message);
	if (user_create(db, &SYS, "chep", NULL, "R9.01", ROLE_MEMBER, p.id, "mat-khau-dai-12", &u, &e))
		fail_msg("user: %s", e.message);
}

/* The tree's tables (fixture_snapshot) and the member's, the card keys
 * (secrets included: the copy's cards must verify) and accounts. */
static char *snapshot(db_t *db)
{
	static const char *const queries[] = {
		("SELECT id, full_name, name_fold, name_key, birth_date, sex, ethnicity, religion, phone, digital, erased"
		 " FROM persons ORDER BY id"),
		"SELECT word, person_id FROM person_words ORDER BY word, person_id",
		"SELECT id, person_id, unit_id, kind, valid_from, valid_to, start_reason FROM memberships ORDER BY id",
		"SELECT id, public_key, secret_key, created_at, retired_at FROM card_keys ORDER BY id",
		"SELECT id, username, person_id FROM users ORDER BY id",
	};
	char *tree = fixture_snapshot(db), *out;
	size_t len = strlen(tree), cap = len + 1;

	out = tree;
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		db_stmt_t *st = NULL;
		int rc;
		assert_int_equal(db_prepare(db, queries[q], &st), DB_OK);
		while ((rc = db_step(st)) == DB_ROW) {
			for (int c = 0; c < db_col_count(st); c++) {
				const char *v = db_col_text(st, c);
				size_t n = strlen(v) + 1;
				if (len + n + 1 > cap) {
					cap = (len + n + 1) * 2;
					out = realloc(out, cap);
					assert_non_null(out);
				}
				memcpy(out + len, v, n - 1);
				out[len + n - 1] = '|';
				len += n;
				out[len] = '\0';
			}
		}
		assert_int_equal(rc, DB_DONE);
		db_finalize(st);
	}
	return out;
}

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
	add_records(src);
	before = snapshot(src);

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
	after = snapshot(back);
	assert_string_equal(before, after);

	/* the copy is usable: a new unit gets a fresh id */
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", "R4");
	snprintf(s.name_vi, sizeof(s.name_vi), "%s", "Xã Bốn");
	snprintf(s.name_en, sizeof(s.name_en), "%s", "R4");
	snprintf(s.level, sizeof(s.level), "%s", "commune");
	snprintf(s.parent, sizeof(s.parent), "%s", "24");
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
	if (password_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_is_lossless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
