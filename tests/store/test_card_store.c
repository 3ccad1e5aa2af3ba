/*
 * Store tests of the membership card (store/card.h), on SQLite and
 * PostgreSQL: the first key made once, a card that verifies while her stay
 * holds and stops when she leaves, moves or is erased, or when the key is
 * rotated; a token changed in any character never verifies. And the
 * member's own account: linked to one record, one account a record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "io/org_ops.h"
#include "store/auth_store.h"
#include "store/card.h"
#include "store/members.h"
#include "store/org_store.h"
#include "store/privacy.h"
#include "store_fixture.h"

static principal_t SYS;

/* Two communes of province 24 (the new Bắc Ninh), each with a branch. */
static const char OPS[] =
	"op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n"
	"create,2025-08-01,K1,Xã Một,Commune One,commune,,,24,,\n"
	"create,2025-08-01,K1.01,Chi hội Thôn Đông,East Hamlet Branch,branch,,,K1,,\n"
	"create,2025-08-01,K2,Xã Hai,Commune Two,commune,,,24,,\n"
	"create,2025-08-01,K2.01,Chi hội Thôn Tây,West Hamlet Branch,branch,,,K2,,\n";

static int setup(void **state)
{
	db_t *db = fixture_seeded_db();
	size_t n = 0;
	err_t e;

	err_clear(&e);
	if (org_ops_apply_csv(db, &SYS, OPS, sizeof(OPS) - 1, &n, &e))
		fail_msg("units: %s", e.message);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

static date_t day(const char *s)
{
	date_t d = 0;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static int64_t unit_id(db_t *db, const char *code)
{
	return fixture_unit(db, code, SYS.today).id;
}

static int64_t add_member(db_t *db, const char *name, const char *unit, const char *joined)
{
	person_t p;
	err_t e;

	memset(&p, 0, sizeof(p));
	snprintf(p.full_name, sizeof(p.full_name), "%s", name);
	p.birth_date = day("1985-04-02");
	p.sex = SEX_FEMALE;
	err_clear(&e);
	if (member_add(db, &SYS, &p, unit_id(db, unit), MEMBER_REGULAR, day(joined), &e))
		fail_msg("member %s: %s", name, e.message);
	return p.id;
}

static card_check_t check(db_t *db, const char *token)
{
	card_check_t c;
	err_t e;

	err_clear(&e);
	if (card_check(db, token, SYS.today, &c, &e))
		fail_msg("check: %s", e.message);
	return c;
}

static void a_card_verifies_while_her_stay_holds(void **state)
{
	db_t *db = *state;
	member_card_t card, again;
	card_check_t c;
	int64_t id = add_member(db, "Nguyễn Thị Thẻ", "K1.01", "2025-09-03");
	err_t e;

	err_clear(&e);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM card_keys"), 0);
	if (card_issue(db, &SYS, id, &card, &e))
		fail_msg("card: %s", e.message);
	/* the first key was made when first needed, once, and audited */
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM card_keys"), 1);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM audit WHERE action = 'card_key.create'"), 1);
	assert_string_equal(card.full_name, "Nguyễn Thị Thẻ");
	assert_string_equal(card.unit.code, "K1.01");
	assert_int_equal(card.since, day("2025-09-03"));
	assert_int_equal(card.kind, MEMBER_REGULAR);
	assert_true(strlen(card.token) <= 94);
	c = check(db, card.token);
	assert_true(c.valid);
	assert_false(c.forged);
	assert_string_equal(c.unit.name_vi, "Chi hội Thôn Đông");
	assert_string_equal(c.unit.name_en, "East Hamlet Branch");
	/* a second card: the same key, no new one */
	assert_int_equal(card_issue(db, &SYS, id, &again, &e), 0);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM card_keys"), 1);
	assert_true(check(db, again.token).valid);
	/* before she joined, the card is not valid */
	err_clear(&e);
	assert_int_equal(card_check(db, card.token, day("2025-09-02"), &c, &e), 0);
	assert_false(c.valid);
	assert_false(c.forged);
	assert_int_equal(c.unit.id, 0);
}

static void a_changed_token_never_verifies(void **state)
{
	static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	db_t *db = *state;
	member_card_t card;
	char bad[CARD_TOKEN_BUF];
	int64_t id = add_member(db, "Trần Thị Sửa", "K1.01", "2025-09-01");
	size_t len;
	err_t e;

	err_clear(&e);
	assert_int_equal(card_issue(db, &SYS, id, &card, &e), 0);
	len = strlen(card.token);
	for (size_t i = 0; i < len; i++) {
		memcpy(bad, card.token, len + 1);
		/* the next letter of the alphabet at each position */
		bad[i] = B64URL[(strchr(B64URL, bad[i]) - B64URL + 1) % 64];
		card_check_t c = check(db, bad);
		assert_false(c.valid);
		assert_true(c.forged);
	}
	assert_true(check(db, "").forged);
	assert_true(check(db, "not a token").forged);
	assert_true(check(db, card.token).valid);
}

static void rotation_retires_every_older_key(void **state)
{
	db_t *db = *state;
	member_card_t before, after;
	card_key_t k;
	int64_t id = add_member(db, "Lê Thị Xoay", "K1.01", "2025-09-01"), retired = 0;
	err_t e;

	err_clear(&e);
	assert_int_equal(card_issue(db, &SYS, id, &before, &e), 0);
	assert_true(check(db, before.token).valid);
	if (card_key_rotate(db, &SYS, &k, &retired, &e))
		fail_msg("rotate: %s", e.message);
	assert_int_equal(retired, 1);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM card_keys WHERE retired_at IS NULL"), 1);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM audit WHERE action = 'card_key.rotate'"), 1);
	/* the old card: a genuine one, no longer valid */
	{
		card_check_t c = check(db, before.token);
		assert_false(c.valid);
		assert_false(c.forged);
	}
	assert_int_equal(card_issue(db, &SYS, id, &after, &e), 0);
	assert_string_not_equal(after.token, before.token);
	assert_true(check(db, after.token).valid);
	/* twice: the second rotation retires the first's key */
	assert_int_equal(card_key_rotate(db, &SYS, &k, &retired, &e), 0);
	assert_int_equal(retired, 1);
	assert_false(check(db, after.token).valid);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM card_keys"), 3);
}

static void leaving_moving_or_erasure_ends_the_card(void **state)
{
	db_t *db = *state;
	member_card_t a, b, b2, c;
	int64_t leaver = add_member(db, "Phạm Thị Đi", "K1.01", "2025-08-15");
	int64_t mover = add_member(db, "Hoàng Thị Chuyển", "K1.01", "2025-08-15");
	int64_t erased = add_member(db, "Vũ Thị Xóa", "K1.01", "2025-08-15");
	date_t last_month = SYS.today - 30;
	err_t e;

	err_clear(&e);
	assert_int_equal(card_issue(db, &SYS, leaver, &a, &e), 0);
	assert_int_equal(card_issue(db, &SYS, mover, &b, &e), 0);
	assert_int_equal(card_issue(db, &SYS, erased, &c, &e), 0);
	/* she left a month ago */
	if (member_end_stay(db, &SYS, leaver, last_month, "moved_away", 0, &e))
		fail_msg("leave: %s", e.message);
	assert_false(check(db, a.token).valid);
	assert_false(check(db, a.token).forged);
	assert_int_equal(card_issue(db, &SYS, leaver, &a, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.code, "not_a_member");
	/* she moved to another commune: her old card ends, the new stay's
	 * card verifies with the new unit, and she is a member since she joined */
	err_clear(&e);
	if (member_end_stay(db, &SYS, mover, last_month, "transferred", unit_id(db, "K2.01"), &e))
		fail_msg("transfer: %s", e.message);
	assert_false(check(db, b.token).valid);
	assert_int_equal(card_issue(db, &SYS, mover, &b2, &e), 0);
	assert_int_not_equal(b2.stay_id, b.stay_id);
	assert_int_equal(b2.since, day("2025-08-15"));
	assert_string_equal(b2.unit.code, "K2.01");
	{
		card_check_t ok = check(db, b2.token);
		assert_true(ok.valid);
		assert_string_equal(ok.unit.name_vi, "Chi hội Thôn Tây");
	}
	/* erased on request: her stays remain for the figures, her card not */
	if (privacy_erase_member(db, &SYS, erased, unit_id(db, "K1.01"), &e))
		fail_msg("erase: %s", e.message);
	assert_false(check(db, c.token).valid);
	assert_int_equal(card_issue(db, &SYS, erased, &c, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
}

static user_t make_user(db_t *db, const char *name, int64_t person, err_t *e)
{
	user_t u;

	memset(&u, 0, sizeof(u));
	err_clear(e);
	user_create(db, &SYS, name, NULL, "K1.01", ROLE_MEMBER, person, "mat-khau-dai-12", &u, e);
	return u;
}

static void an_account_is_linked_to_one_record(void **state)
{
	db_t *db = *state;
	int64_t a = add_member(db, "Đỗ Thị An", "K1.01", "2025-09-01"), b = add_member(db, "Ngô Thị Bình", "K1.01", "2025-09-01");
	int64_t none = 0;
	user_t ua, ub, u2, out;
	principal_t p;
	err_t e;

	ua = make_user(db, "an.do", a, &e);
	if (e.kind != ERR_NONE)
		fail_msg("user: %s (%s)", e.message, e.n_details ? e.details[0].message : "");
	assert_int_equal(ua.person_id, a);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM audit WHERE action = 'user.create'"
				   " AND after_value LIKE '%\"person_id\":%'"), 1);
	assert_int_equal(principal_for_user(db, &ua, "test", SYS.today, &p, &e), 0);
	assert_int_equal(p.person_id, a);
	/* one account a record; a record that does not exist */
	u2 = make_user(db, "an.hai", a, &e);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.code, "person_linked");
	(void)u2;
	make_user(db, "an.ba", 999999, &e);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(e.n_details, 1);
	assert_string_equal(e.details[0].field, "person_id");
	assert_string_equal(e.details[0].code, "no_member");
	/* an account without a record, linked afterwards, then to another */
	ub = make_user(db, "binh", 0, &e);
	assert_int_equal(e.kind, ERR_NONE);
	assert_int_equal(ub.person_id, 0);
	err_clear(&e);
	assert_int_equal(user_update(db, &SYS, ub.id, NULL, 0, 0, &a, &out, &e), -1);
	assert_string_equal(e.code, "person_linked");
	err_clear(&e);
	assert_int_equal(user_update(db, &SYS, ub.id, NULL, 0, 0, &b, &out, &e), 0);
	assert_int_equal(out.person_id, b);
	assert_int_equal(user_update(db, &SYS, ub.id, NULL, 0, 0, &none, &out, &e), 0);
	assert_int_equal(out.person_id, 0);
	assert_int_equal(user_update(db, &SYS, ub.id, NULL, 0, 0, &b, &out, &e), 0);
	/* her record erased: the account no longer names it */
	if (privacy_erase_member(db, &SYS, a, unit_id(db, "K1.01"), &e))
		fail_msg("erase: %s", e.message);
	assert_int_equal(user_by_id(db, ua.id, SYS.today, &out, &e), 0);
	assert_int_equal(out.person_id, 0);
	/* the account erased: the same */
	if (privacy_erase_user(db, &SYS, ub.id, &e))
		fail_msg("erase user: %s", e.message);
	assert_int_equal(user_by_id(db, ub.id, SYS.today, &out, &e), 0);
	assert_int_equal(out.person_id, 0);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM users WHERE person_id IS NOT NULL"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_card_verifies_while_her_stay_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(a_changed_token_never_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(rotation_retires_every_older_key, setup, teardown),
		cmocka_unit_test_setup_teardown(leaving_moving_or_erasure_ends_the_card, setup, teardown),
		cmocka_unit_test_setup_teardown(an_account_is_linked_to_one_record, setup, teardown),
	};
	if (password_init() != 0)
		return 1;
	principal_system(&SYS, "test", fixture_today());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
