/*
 * Store tests of users, sessions, tokens, throttling, scope, the audit trail
 * and personal data, on SQLite and PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/password.h"
#include "io/org_ops.h"
#include "store/audit.h"
#include "store/auth_store.h"
#include "store/migrate.h"
#include "store/org_store.h"
#include "store/privacy.h"
#include "store/query.h"
#include "store/scope.h"
#include "store_fixture.h"

static principal_t SYS;

/* The scope test needs the demo's communes; the others the reference
 * data only (seeding the demo costs seconds on PostgreSQL). */
static int setup_demo(void **state)
{
	db_t *db = fixture_empty_db();
	err_t e;

	err_clear(&e);
	if (migrate_apply(db, &e) || org_seed(db, NULL, true, fixture_today(), &e))
		fail_msg("seed: %s", e.message);
	*state = db;
	return 0;
}

static int setup(void **state)
{
	*state = fixture_seeded_db();
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

static user_t make_user(db_t *db, const char *name, const char *unit, unsigned roles)
{
	user_t u;
	err_t e;

	err_clear(&e);
	if (user_create(db, &SYS, name, NULL, unit, roles, 0, "mat-khau-dai-12", &u, &e))
		fail_msg("user %s: %s", name, e.message);
	return u;
}

static principal_t as(db_t *db, const user_t *u)
{
	principal_t p;
	err_t e;

	err_clear(&e);
	if (principal_for_user(db, u, "127.0.0.1", fixture_today(), &p, &e))
		fail_msg("principal: %s", e.message);
	return p;
}

/* The parent of id on day d by unit_parents alone (0 for none). */
static int64_t parent_on(db_t *db, int64_t id, date_t d)
{
	db_stmt_t *st = NULL;
	int64_t parent = 0;

	assert_int_equal(db_prepare(db, "SELECT parent_id FROM unit_parents WHERE unit_id = ? AND valid_from <= ? AND valid_to > ?", &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, id), DB_OK);
	assert_int_equal(db_bind_dates(st, 2, 3, d), DB_OK);
	if (db_step(st) == DB_ROW)
		parent = db_col_int64(st, 0);
	db_finalize(st);
	return parent;
}

/* The rule of docs/security.md walked without the ancestry table: a unit is
 * in scope when, on its reference day (today clamped into its validity),
 * it or one of its ancestors that day is a root of the scope. */
static bool scope_by_walk(db_t *db, const principal_t *p, int64_t id, date_t from, date_t to)
{
	date_t day = p->today < from ? from : p->today >= to ? to - 1 : p->today;

	if (p->global)
		return true;
	for (int depth = 0; id && depth < 64; depth++) {
		for (size_t i = 0; i < p->n_roots; i++)
			if (p->roots[i] == id)
				return true;
		id = parent_on(db, id, day);
	}
	return false;
}

/* Every unit ever, checked three ways: the walk up, the list filter and the
 * set-wise check agree. */
static void check_scope_agrees(db_t *db, const principal_t *p, size_t *n_in)
{
	db_stmt_t *st = NULL;
	bool *in_list, *in_mark;
	int64_t max_id = 0, *ids;
	date_t *from, *to;
	query_t q;
	err_t e;

	err_clear(&e);
	assert_int_equal(db_prepare(db, "SELECT max(id) FROM units", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	max_id = db_col_int64(st, 0);
	db_finalize(st);
	in_list = calloc((size_t)max_id + 1, sizeof(bool));
	in_mark = calloc((size_t)max_id + 1, sizeof(bool));
	ids = calloc((size_t)max_id + 1, sizeof(*ids));
	from = calloc((size_t)max_id + 1, sizeof(*from));
	to = calloc((size_t)max_id + 1, sizeof(*to));
	query_init(&q);
	query_sql(&q, "SELECT u.id FROM units u WHERE 1 = 1");
	scope_filter(&q, p, "u.id");
	assert_int_equal(query_prepare(db, &q, &st, &e), 0);
	while (db_step(st) == DB_ROW)
		in_list[db_col_int64(st, 0)] = true;
	db_finalize(st);
	assert_int_equal(db_prepare(db, "SELECT id, valid_from, valid_to FROM units", &st), DB_OK);
	while (db_step(st) == DB_ROW) {
		int64_t id = db_col_int64(st, 0);
		assert_int_equal(db_col_date(st, 1, &from[id]), 0);
		assert_int_equal(db_col_date(st, 2, &to[id]), 0);
	}
	db_finalize(st);
	for (int64_t id = 0; id <= max_id; id++)
		ids[id] = id;
	assert_int_equal(scope_mark(db, p, ids + 1, (size_t)max_id, in_mark + 1, &e), 0);
	*n_in = 0;
	for (int64_t id = 1; id <= max_id; id++) {
		bool walk = scope_by_walk(db, p, id, from[id], to[id]);
		if (walk != in_list[id] || walk != in_mark[id])
			fail_msg("unit %lld: walk says %d, list filter %d, set check %d", (long long)id, walk, in_list[id],
				 in_mark[id]);
		*n_in += walk;
	}
	free(in_list);
	free(in_mark);
	free(ids);
	free(from);
	free(to);
}

static void scope_of_each_level(void **state)
{
	db_t *db = *state;
	unit_t vn, p24, old27, commune, old_commune, other;
	principal_t admin, prov, com;
	size_t n_all, n_prov, n_com;
	bool yes;
	err_t e;

	err_clear(&e);
	assert_int_equal(org_unit_get(db, "VN", fixture_today(), &vn, &e), 0);
	assert_int_equal(org_unit_get(db, "24", fixture_today(), &p24, &e), 0);
	assert_int_equal(org_unit_get(db, "27", 20000, &old27, &e), 0); /* 2024-10-04 */
	assert_int_equal(org_unit_get(db, "09193", fixture_today(), &commune, &e), 0);
	assert_int_equal(org_unit_get(db, "09217", 20000, &old_commune, &e), 0);
	assert_int_equal(org_unit_get(db, "01", fixture_today(), &other, &e), 0);
	{
		user_t a = make_user(db, "quantri", "VN", ROLE_ADMIN);
		user_t b = make_user(db, "tinh24", "24", ROLE_ADMIN);
		user_t c = make_user(db, "xa09193", "09193", ROLE_VIEWER);
		admin = as(db, &a);
		prov = as(db, &b);
		com = as(db, &c);
	}
	assert_true(admin.global);
	assert_false(prov.global);
	/* the new Bắc Ninh's scope starts from both provinces it came from */
	assert_int_equal(prov.n_roots, 3);
	check_scope_agrees(db, &admin, &n_all);
	check_scope_agrees(db, &prov, &n_prov);
	check_scope_agrees(db, &com, &n_com);
	assert_true(n_all > n_prov && n_prov > n_com && n_com > 1);
	assert_int_equal(scope_contains(db, &prov, old27.id, &yes, &e), 0);
	assert_true(yes);
	assert_int_equal(scope_contains(db, &prov, old_commune.id, &yes, &e), 0);
	assert_true(yes); /* a commune merged into Xã Yên Phong: her history */
	assert_int_equal(scope_contains(db, &prov, other.id, &yes, &e), 0);
	assert_false(yes);
	assert_int_equal(scope_contains(db, &com, p24.id, &yes, &e), 0);
	assert_false(yes); /* not upwards */
	assert_int_equal(scope_contains(db, &com, vn.id, &yes, &e), 0);
	assert_false(yes);
	assert_int_equal(scope_contains(db, &com, old_commune.id, &yes, &e), 0);
	assert_true(yes); /* her commune was formed from it */
	/* lists follow the scope */
	{
		unit_query_t q = { .as_of = fixture_today(), .level = "province", .limit = 100, .scope = &com };
		unit_list_t l;
		assert_int_equal(org_units_list(db, &q, &l, &e), 0);
		assert_int_equal(l.n, 0);
		unit_list_free(&l);
		q.scope = &prov;
		assert_int_equal(org_units_list(db, &q, &l, &e), 0);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.items[0].code, "24");
		unit_list_free(&l);
	}
}

static void passwords_hash_and_verify(void **state)
{
	char hash[PASSWORD_HASH_MAX];
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(password_hash("một mật khẩu dài", hash, &e), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_non_null(strstr(hash, "m=19456,t=2"));
	assert_int_equal(password_verify(hash, "một mật khẩu dài", &e), 0);
	assert_int_equal(password_verify(hash, "mot mat khau dai", &e), -1);
	assert_int_equal(e.kind, ERR_UNAUTHORIZED);
	assert_false(password_needs_rehash(hash));
	err_clear(&e);
	assert_int_equal(password_check_new("short", "password", &e), -1);
}

static void sessions_expire(void **state)
{
	db_t *db = *state;
	char sid[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX], csrf2[SECRET_TEXT_MAX];
	int64_t now = (int64_t)time(NULL);
	user_t u = make_user(db, "phien", "24", ROLE_VIEWER), found;
	err_t e;

	err_clear(&e);
	assert_int_equal(session_create(db, u.id, "10.0.0.1", sid, csrf, &e), 0);
	assert_int_equal(session_lookup(db, sid, now, fixture_today(), &found, csrf2, &e), 0);
	assert_int_equal(found.id, u.id);
	assert_string_equal(csrf, csrf2);
	/* idle for more than 30 minutes: gone, and gone for good */
	assert_int_equal(session_lookup(db, sid, now + SESSION_IDLE_SECONDS + 5, fixture_today(), &found, csrf2, &e), -1);
	assert_string_equal(e.code, "session_expired");
	err_clear(&e);
	assert_int_equal(session_lookup(db, sid, now, fixture_today(), &found, csrf2, &e), -1);
	assert_string_equal(e.code, "unauthorized");
	/* a made-up id is nothing */
	err_clear(&e);
	assert_int_equal(session_lookup(db, "not-a-session", now, fixture_today(), &found, csrf2, &e), -1);
	/* disabling ends sessions */
	err_clear(&e);
	assert_int_equal(session_create(db, u.id, "10.0.0.1", sid, csrf, &e), 0);
	assert_int_equal(user_set_disabled(db, &SYS, u.id, true, &e), 0);
	assert_int_equal(session_lookup(db, sid, now, fixture_today(), &found, csrf2, &e), -1);
}

static void tokens_carry_a_subset_and_can_be_revoked(void **state)
{
	db_t *db = *state;
	char secret[SECRET_TEXT_MAX];
	int64_t now = (int64_t)time(NULL);
	user_t u = make_user(db, "kichban", "24", ROLE_VIEWER | ROLE_ENTRY), found;
	api_token_t tok, got;
	token_list_t l;
	err_t e;

	err_clear(&e);
	assert_int_equal(token_create(db, &SYS, &u, "báo cáo", ROLE_ADMIN, 0, secret, &tok, &e), -1);
	err_clear(&e);
	assert_int_equal(token_create(db, &SYS, &u, "báo cáo", ROLE_VIEWER, 0, secret, &tok, &e), 0);
	assert_int_equal(strncmp(secret, "ubt_", 4), 0);
	assert_int_equal(token_lookup(db, secret, now, fixture_today(), &found, &got, &e), 0);
	assert_int_equal(got.roles, ROLE_VIEWER);
	assert_int_equal(found.id, u.id);
	assert_int_equal(tokens_list(db, u.id, &l, &e), 0);
	assert_int_equal(l.n, 1);
	token_list_free(&l);
	assert_int_equal(token_revoke(db, &SYS, u.id, tok.id, &e), 0);
	assert_int_equal(token_lookup(db, secret, now, fixture_today(), &found, &got, &e), -1);
	assert_int_equal(e.kind, ERR_UNAUTHORIZED);
	/* expiry */
	err_clear(&e);
	assert_int_equal(token_create(db, &SYS, &u, "ngắn hạn", ROLE_VIEWER, now + 60, secret, &tok, &e), 0);
	assert_int_equal(token_lookup(db, secret, now + 61, fixture_today(), &found, &got, &e), -1);
}

static void throttling_counts_a_window(void **state)
{
	db_t *db = *state;
	int64_t now = 1800000000, n = 0, wait = 0;
	throttle_claim_t c;
	err_t e;

	err_clear(&e);
	for (int i = 0; i < THROTTLE_PER_PAIR; i++)
		assert_int_equal(throttle_claim(db, "x", "10.0.0.1", now + i, &c, &wait, &e), 0);
	assert_int_equal(throttle_count(db, "pair:x|10.0.0.1", now + 10, &n, &wait, &e), 0);
	assert_int_equal(n, THROTTLE_PER_PAIR);
	assert_true(wait > 0 && wait <= THROTTLE_WINDOW_SECONDS + 1);
	/* the guesser's address is held back on that account ... */
	assert_int_equal(throttle_claim(db, "x", "10.0.0.1", now + 10, &c, &wait, &e), -1);
	assert_int_equal(e.kind, ERR_TOO_MANY);
	assert_true(wait > 0);
	/* ... the owner elsewhere is not (no lock-out of the account) */
	err_clear(&e);
	assert_int_equal(throttle_claim(db, "x", "10.0.0.2", now + 10, &c, &wait, &e), 0);
	/* the window passes */
	assert_int_equal(throttle_count(db, "pair:x|10.0.0.1", now + THROTTLE_WINDOW_SECONDS + 10, &n, &wait, &e), 0);
	assert_int_equal(n, 0);
}

/* Issue 13, finding 2: one good log-in took back every failure of its
 * address made in the same second. */
static void a_good_attempt_takes_back_only_its_own(void **state)
{
	db_t *db = *state;
	int64_t now = 1800001000, n = 0, wait = 0;
	throttle_claim_t bad, good;
	char account[16];
	err_t e;

	err_clear(&e);
	for (int i = 0; i < 8; i++) {
		snprintf(account, sizeof(account), "guess%d", i);
		assert_int_equal(throttle_claim(db, account, "10.0.0.9", now, &bad, &wait, &e), 0);
	}
	assert_int_equal(throttle_claim(db, "known", "10.0.0.9", now, &good, &wait, &e), 0);
	assert_int_equal(throttle_release(db, &good, &e), 0);
	assert_int_equal(throttle_count(db, "addr:10.0.0.9", now, &n, &wait, &e), 0);
	assert_int_equal(n, 8);
	assert_int_equal(throttle_count(db, "user:known", now, &n, &wait, &e), 0);
	assert_int_equal(n, 0);
}

/* Over THROTTLE_PER_ADDRESS failures from one address on any accounts. */
static void an_address_is_held_back_across_accounts(void **state)
{
	db_t *db = *state;
	int64_t now = 1800002000, wait = 0;
	throttle_claim_t c;
	char account[16];
	err_t e;

	err_clear(&e);
	for (int i = 0; i < THROTTLE_PER_ADDRESS; i++) {
		snprintf(account, sizeof(account), "a%d", i);
		assert_int_equal(throttle_claim(db, account, "10.0.0.7", now, &c, &wait, &e), 0);
	}
	assert_int_equal(throttle_claim(db, "another", "10.0.0.7", now, &c, &wait, &e), -1);
	assert_int_equal(e.kind, ERR_TOO_MANY);
}

static void audit_is_append_only(void **state)
{
	db_t *db = *state;
	audit_query_t q = { .limit = 10, .action = "user.create" };
	audit_list_t l;
	err_t e;

	err_clear(&e);
	make_user(db, "kiemtra", "24", ROLE_VIEWER);
	assert_int_equal(audit_search(db, &q, &l, &e), 0);
	assert_true(l.n >= 1);
	assert_string_equal(l.items[0].record_type, "user");
	assert_non_null(strstr(l.items[0].after, "kiemtra"));
	audit_list_free(&l);
	assert_true(db_exec(db, "UPDATE audit SET detail = 'x'") < 0);
	assert_true(db_exec(db, "DELETE FROM audit") < 0);
}

static void erasure_anonymises_and_keeps_the_id(void **state)
{
	db_t *db = *state;
	user_t u = make_user(db, "xoa", "24", ROLE_VIEWER), after;
	json_t *exp = NULL, *consents = NULL;
	err_t e;

	err_clear(&e);
	assert_int_equal(consent_record(db, &SYS, u.id, "quản lý", 20454, false, &e), 0);
	assert_int_equal(privacy_export_user(db, &SYS, u.id, &exp, &e), 0);
	assert_string_equal(json_string_value(json_object_get(exp, "exported_for")), "xoa");
	assert_int_equal(json_array_size(json_object_get(exp, "consents")), 1);
	json_decref(exp);
	assert_int_equal(privacy_erase_user(db, &SYS, u.id, &e), 0);
	assert_int_equal(user_by_id(db, u.id, fixture_today(), &after, &e), 0);
	assert_non_null(strstr(after.username, "erased-"));
	assert_true(after.disabled);
	assert_int_equal(user_by_name(db, "xoa", fixture_today(), &after, NULL, &e), -1);
	err_clear(&e);
	assert_int_equal(consent_list(db, u.id, &consents, &e), 0);
	assert_int_equal(json_array_size(consents), 1);
	json_decref(consents);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(scope_of_each_level, setup_demo, teardown),
		cmocka_unit_test(passwords_hash_and_verify),
		T(sessions_expire),
		T(tokens_carry_a_subset_and_can_be_revoked),
		T(throttling_counts_a_window),
		T(a_good_attempt_takes_back_only_its_own),
		T(an_address_is_held_back_across_accounts),
		T(audit_is_append_only),
		T(erasure_anonymises_and_keeps_the_id),
	};
	principal_system(&SYS, "test", fixture_today());
	if (password_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
