/*
 * test_reports.c - report forms in the store (store/reports.h) on the
 * store UNIONBASE_TEST_DB names: the catalogue loaded once and never over
 * an official's own; computed values from the registry; entered values
 * added up the tree, a unit's own value standing for those below it; an
 * approved snapshot read back; the locks of submitted forms; a term's
 * targets, a share's held by the units below, and the value to date over
 * the six-month reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/date.h"
#include "io/report_catalogue.h"
#include "store/members.h"
#include "store/org_store.h"
#include "store/reports.h"
#include "store/targets.h"
#include "store_fixture.h"

static principal_t SYS;

static date_t D(const char *s)
{
	date_t d = 0;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static int64_t add_unit(db_t *db, const char *code, const char *level, const char *parent)
{
	unit_spec_t s;
	unit_t u;
	err_t e;

	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", code);
	snprintf(s.name_vi, sizeof(s.name_vi), "Đơn vị %s", code);
	snprintf(s.name_en, sizeof(s.name_en), "%s", code);
	snprintf(s.level, sizeof(s.level), "%s", level);
	snprintf(s.parent, sizeof(s.parent), "%s", parent);
	err_clear(&e);
	if (org_create(db, &SYS, &s, D("2025-07-01"), NULL, &u, &e))
		fail_msg("create %s: %s", code, e.message);
	return u.id;
}

static void add_member(db_t *db, const char *name, int64_t unit_id, bool digital)
{
	person_t p;
	err_t e;

	memset(&p, 0, sizeof(p));
	snprintf(p.full_name, sizeof(p.full_name), "%s", name);
	p.birth_date = D("1980-05-05");
	p.digital = digital;
	err_clear(&e);
	if (member_add(db, &SYS, &p, unit_id, MEMBER_REGULAR, D("2025-08-01"), &e))
		fail_msg("add %s: %s", name, e.message);
}

static int64_t unit_id(db_t *db, const char *code)
{
	return fixture_unit(db, code, D("2025-12-31")).id;
}

static indicator_t get(db_t *db, const char *code)
{
	indicator_t ind;
	err_t e;

	err_clear(&e);
	if (report_indicator_get(db, code, &ind, &e))
		fail_msg("indicator %s: %s", code, e.message);
	return ind;
}

static report_value_t value(db_t *db, int64_t unit_id, const char *period, const char *code)
{
	indicator_t ind = get(db, code);
	report_value_t v;
	report_ctx_t c;
	period_t p;
	err_t e;

	err_clear(&e);
	assert_int_equal(period_parse(period, "period", &p, &e), 0);
	report_ctx_init(&c, db, SYS.today, unit_id, &p);
	if (report_value(&c, &ind, &v, &e))
		fail_msg("value %s: %s", code, e.message);
	return v;
}

static void put(db_t *db, int64_t unit_id, const char *period, const char *code, int64_t v)
{
	report_ctx_t c;
	period_t p;
	err_t e;

	err_clear(&e);
	assert_int_equal(period_parse(period, "period", &p, &e), 0);
	report_ctx_init(&c, db, SYS.today, unit_id, &p);
	if (report_value_put(&c, &SYS, code, false, v * IND_MILLI, "", &e))
		fail_msg("put %s: %s", code, e.message);
}

static void the_catalogue_once(void **state)
{
	db_t *db = fixture_seeded_db();
	report_form_t *forms = NULL;
	indicator_t *inds = NULL;
	size_t n = 0, n_forms = 0, loaded = 0;
	report_form_t f;
	err_t e;
	(void)state;

	err_clear(&e);
	if (report_catalogue_load(db, &loaded, &e))
		fail_msg("load: %s", e.message);
	assert_true(loaded >= 3);
	assert_int_equal(report_catalogue_load(db, &loaded, &e), 0);
	assert_int_equal(loaded, 0);
	assert_int_equal(report_indicators(db, &inds, &n, &e), 0);
	assert_true(n >= 3);
	assert_string_equal(get(db, "members").figure, "members");
	assert_int_equal(get(db, "members_digital_share").factor, 100 * IND_MILLI);
	free(inds);
	assert_int_equal(report_forms(db, &forms, &n_forms, &e), 0);
	assert_true(n_forms >= 4);
	free(forms);
	assert_int_equal(report_form_get(db, "commune_half", &f, &e), 0);
	assert_int_equal(f.period_type, PERIOD_HALF);
	assert_string_equal(f.level, "commune");
	assert_int_equal(report_form_get(db, "nope", &f, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	db_close(db);
}

static void values_up_the_tree(void **state)
{
	db_t *db = fixture_seeded_db();
	int64_t c1, c2, b1, b2;
	size_t loaded = 0;
	err_t e;
	(void)state;

	err_clear(&e);
	if (report_catalogue_load(db, &loaded, &e))
		fail_msg("load: %s", e.message);
	c1 = add_unit(db, "RS1", "commune", "24");
	b1 = add_unit(db, "RS1.1", "branch", "RS1");
	c2 = add_unit(db, "RS2", "commune", "24");
	b2 = add_unit(db, "RS2.1", "branch", "RS2");
	add_member(db, "Nguyễn Thị An", b1, true);
	add_member(db, "Trần Thị Bình", b1, false);
	add_member(db, "Lê Thị Cúc", b2, false);
	/* computed from the records, a formula over them */
	assert_int_equal(value(db, c1, "2025H2", "members").value, 2 * IND_MILLI);
	assert_int_equal(value(db, c1, "2025H2", "members").status, VALUE_COMPUTED);
	assert_int_equal(value(db, c1, "2025H2", "members_digital_share").value, 50 * IND_MILLI);
	assert_false(value(db, c1, "2025H1", "members_digital_share").has); /* no members then: 0 / 0 */
	/* entered: the communes', added up at the province; a commune's own
	 * value stands for its branches' */
	put(db, c1, "2025H2", "supervision_sessions", 3);
	put(db, c2, "2025H2", "supervision_sessions", 4);
	put(db, b2, "2025H2", "supervision_sessions", 100);
	assert_int_equal(value(db, c1, "2025H2", "supervision_sessions").status, VALUE_ENTERED);
	assert_int_equal(value(db, unit_id(db, "24"), "2025H2", "supervision_sessions").value, 7 * IND_MILLI);
	assert_false(value(db, unit_id(db, "24"), "2025H1", "supervision_sessions").has);
	/* values of one level only: no unit between to look for */
	put(db, c1, "2026H1", "supervision_sessions", 2);
	put(db, c2, "2026H1", "supervision_sessions", 5);
	assert_int_equal(value(db, unit_id(db, "24"), "2026H1", "supervision_sessions").value, 7 * IND_MILLI);
	put(db, b1, "2026H1", "supervision_sessions", 40);
	assert_int_equal(value(db, unit_id(db, "24"), "2026H1", "supervision_sessions").value, 7 * IND_MILLI);
	db_close(db);
}

/* A submitted form locks its indicators; an approved one's snapshot is
 * the value, whatever the records say since. */
static void locks_and_snapshots(void **state)
{
	db_t *db = fixture_seeded_db();
	report_value_t v = { .has = true, .value = (int64_t)9 * IND_MILLI }, c = { .has = false }, got, got_c;
	report_state_t st;
	char form[IND_CODE_MAX + 1];
	report_status_t status;
	report_ctx_t ctx;
	size_t loaded = 0;
	bool locked = true;
	int64_t c1;
	period_t p;
	err_t e;
	(void)state;

	err_clear(&e);
	if (report_catalogue_load(db, &loaded, &e))
		fail_msg("load: %s", e.message);
	c1 = add_unit(db, "RL1", "commune", "24");
	add_member(db, "Phạm Thị Dung", add_unit(db, "RL1.1", "branch", "RL1"), false);
	assert_int_equal(period_parse("2025H2", "period", &p, &e), 0);
	report_ctx_init(&ctx, db, SYS.today, c1, &p);
	assert_int_equal(report_locked(&ctx, "members", &locked, form, sizeof(form), &status, &e), 0);
	assert_false(locked);
	memset(&st, 0, sizeof(st));
	st.status = REPORT_SUBMITTED;
	assert_int_equal(report_state_set(&ctx, "commune_half", &st, &e), 0);
	assert_int_equal(report_locked(&ctx, "members", &locked, form, sizeof(form), &status, &e), 0);
	assert_true(locked);
	assert_string_equal(form, "commune_half");
	assert_int_equal(status, REPORT_SUBMITTED);
	/* approved with 9 members frozen: the value, not the records' 1 */
	assert_int_equal(report_snapshot_put(&ctx, "commune_half", "members", &v, &c, &e), 0);
	st.status = REPORT_APPROVED;
	assert_int_equal(report_state_set(&ctx, "commune_half", &st, &e), 0);
	assert_int_equal(report_snapshot_get(&ctx, "commune_half", "members", &got, &got_c, &e), 0);
	assert_true(got.has);
	assert_false(got_c.has);
	got = value(db, c1, "2025H2", "members");
	assert_int_equal(got.value, 9 * IND_MILLI);
	assert_int_equal(got.status, VALUE_APPROVED);
	assert_int_equal(report_state_get(&ctx, "commune_half", &st, &e), 0);
	assert_int_equal(st.status, REPORT_APPROVED);
	/* unlocked: the records again */
	assert_int_equal(report_snapshot_clear(&ctx, "commune_half", &e), 0);
	got = value(db, c1, "2025H2", "members");
	assert_int_equal(got.value, 1 * IND_MILLI);
	assert_int_equal(got.status, VALUE_COMPUTED);
	db_close(db);
}

static void progress(db_t *db, int64_t unit_id, const char *term, const char *code, report_value_t *v,
		     bool *has_baseline, int64_t *baseline)
{
	indicator_t ind = get(db, code);
	report_ctx_t c, before;
	period_t p;
	err_t e;

	err_clear(&e);
	assert_int_equal(period_parse(term, "term", &p, &e), 0);
	report_ctx_init(&c, db, SYS.today, unit_id, &p);
	assert_int_equal(target_baseline_ctx(&c, &before), 0);
	if (target_progress(&c, &before, &ind, v, has_baseline, baseline, &e))
		fail_msg("progress %s: %s", code, e.message);
}

/* Targets: a share set for the province held by a commune below with none
 * of its own; a commune's own listed and removed; the value to date of a
 * flow, the sum of its six-month values until the term's own is entered;
 * a share's, counted from the records. */
static void targets_and_values_to_date(void **state)
{
	const char *term = "T2021-2026";
	db_t *db = fixture_seeded_db();
	target_row_t share = { .indicator = "members_digital_share", .value = 75 * IND_MILLI, .has_base = true,
			       .base = 75 * IND_MILLI, .allowance = 5 * IND_MILLI },
		     own = { .indicator = "supervision_sessions", .value = 10 * IND_MILLI }, got, *rows = NULL;
	int64_t c1, c2, baseline = -1;
	bool found = true, has_baseline = true;
	size_t loaded = 0, n = 0;
	report_value_t v;
	err_t e;
	(void)state;

	err_clear(&e);
	if (report_catalogue_load(db, &loaded, &e))
		fail_msg("load: %s", e.message);
	c1 = add_unit(db, "RT1", "commune", "24");
	add_member(db, "Đỗ Thị Hạnh", add_unit(db, "RT1.1", "branch", "RT1"), true);
	add_member(db, "Vũ Thị Hằng", unit_id(db, "RT1.1"), false);
	c2 = add_unit(db, "RT2", "commune", "24");
	share.unit_id = unit_id(db, "24");
	share.set_by_unit = share.unit_id;
	assert_int_equal(target_put(db, term, &share, &SYS, &e), 0);
	assert_int_equal(target_get(db, term, c2, "members_digital_share", &got, &found, &e), 0);
	assert_false(found);
	assert_int_equal(target_inherited(db, term, c2, D("2025-12-31"), "members_digital_share", &got, &found, &e), 0);
	assert_true(found);
	assert_int_equal(got.unit_id, share.unit_id);
	assert_int_equal(got.value, 75 * IND_MILLI);
	assert_int_equal(got.allowance, 5 * IND_MILLI);
	assert_true(got.has_base);
	assert_string_equal(got.set_by, "test");
	/* what holds for the commune and binds it: the province's share as it
	 * stands there, with no room of the province's; a count binds no one
	 * below */
	indicator_t ind_share, ind_count;
	assert_int_equal(report_indicator_get(db, "members_digital_share", &ind_share, &e), 0);
	assert_int_equal(report_indicator_get(db, "supervision_sessions", &ind_count, &e), 0);
	assert_int_equal(target_holding(db, term, c2, D("2025-12-31"), &ind_share, &got, &found, &e), 0);
	assert_true(found);
	assert_int_equal(got.allowance, 5 * IND_MILLI);
	assert_int_equal(target_bound(db, term, c2, D("2025-12-31"), &ind_share, &got, &found, &e), 0);
	assert_true(found);
	assert_int_equal(got.base, 75 * IND_MILLI);
	assert_int_equal(got.allowance, 0);
	assert_int_equal(target_bound(db, term, c2, D("2025-12-31"), &ind_count, &got, &found, &e), 0);
	assert_false(found);
	/* the province's own: handed down from the command line, its room its own */
	assert_int_equal(target_bound(db, term, share.unit_id, D("2025-12-31"), &ind_share, &got, &found, &e), 0);
	assert_true(found);
	assert_int_equal(got.allowance, 5 * IND_MILLI);
	/* the commune's own, listed; another term has none */
	own.unit_id = c1;
	assert_int_equal(target_put(db, term, &own, &SYS, &e), 0);
	assert_int_equal(target_list(db, term, c1, &rows, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].indicator, "supervision_sessions");
	assert_false(rows[0].has_base);
	assert_int_equal(rows[0].set_by_unit, 0);
	free(rows);
	assert_int_equal(target_list(db, "T2026-2031", c1, &rows, &n, &e), 0);
	assert_int_equal(n, 0);
	free(rows);
	/* a flow: its six-month values added up, from 0 */
	put(db, c1, "2024H1", "supervision_sessions", 2);
	put(db, c1, "2025H2", "supervision_sessions", 3);
	put(db, c1, "2020H2", "supervision_sessions", 50); /* before the term */
	progress(db, c1, term, "supervision_sessions", &v, &has_baseline, &baseline);
	assert_true(v.has);
	assert_int_equal(v.value, 5 * IND_MILLI);
	assert_true(has_baseline);
	assert_int_equal(baseline, 0);
	/* the term's own value, once entered, is the value */
	put(db, c1, term, "supervision_sessions", 9);
	progress(db, c1, term, "supervision_sessions", &v, &has_baseline, &baseline);
	assert_int_equal(v.value, 9 * IND_MILLI);
	/* a share counted from the records; no members before the term: no baseline */
	progress(db, c1, term, "members_digital_share", &v, &has_baseline, &baseline);
	assert_true(v.has);
	assert_int_equal(v.value, 50 * IND_MILLI);
	assert_false(has_baseline);
	assert_int_equal(target_delete(db, term, c1, "supervision_sessions", &e), 0);
	assert_int_equal(target_list(db, term, c1, &rows, &n, &e), 0);
	assert_int_equal(n, 0);
	free(rows);
	db_close(db);
}

int main(void)
{
	principal_system(&SYS, "test", fixture_today());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_catalogue_once),
		cmocka_unit_test(values_up_the_tree),
		cmocka_unit_test(locks_and_snapshots),
		cmocka_unit_test(targets_and_values_to_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
