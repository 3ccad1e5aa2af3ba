/*
 * Store tests of the organisation tree (store/org_store.h) on SQLite and
 * PostgreSQL: the reference data as of both sides of the 2025 reform, every
 * operation, every invariant with a check that nothing changed, search and
 * pagination.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "io/org_ops.h"
#include "store/ancestry.h"
#include "store/migrate.h"
#include "store/org_store.h"
#include "store/scope.h"
#include "store_fixture.h"

/* operations in these tests act as the program itself */
static principal_t SYS;

static date_t D(const char *s)
{
	date_t d = 0;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static int setup(void **state)
{
	*state = fixture_seeded_db();
	return 0;
}

/* Whatever a test did, the ancestry table still agrees with a walk of the
 * tree on every date anything changed. */
static int teardown(void **state)
{
	size_t checked = 0, diffs = 0;
	err_t e;

	err_clear(&e);
	if (ancestry_check(*state, stderr, &checked, &diffs, &e))
		fail_msg("ancestry check: %s", e.message);
	if (diffs)
		fail_msg("ancestry differs from the tree in %zu places (%zu units checked)", diffs, checked);
	assert_true(checked > 60);
	db_close(*state);
	return 0;
}


static size_t count_level(db_t *db, const char *level, const char *as_of)
{
	unit_query_t q = { .as_of = D(as_of), .level = level, .limit = ORG_PAGE_MAX };
	unit_list_t l;
	size_t n;
	err_t e;

	err_clear(&e);
	assert_int_equal(org_units_list(db, &q, &l, &e), 0);
	n = l.n;
	unit_list_free(&l);
	return n;
}

static unit_t get(db_t *db, const char *code, const char *as_of)
{
	return fixture_unit(db, code, D(as_of));
}

static unit_t add(db_t *db, const char *code, const char *name, const char *level, const char *parent,
		  const char *date)
{
	unit_spec_t s;
	unit_t u;
	err_t e;

	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", code);
	snprintf(s.name_vi, sizeof(s.name_vi), "%s", name);
	snprintf(s.name_en, sizeof(s.name_en), "%s", name);
	snprintf(s.level, sizeof(s.level), "%s", level);
	snprintf(s.parent, sizeof(s.parent), "%s", parent);
	err_clear(&e);
	if (org_create(db, &SYS, &s, D(date), NULL, &u, &e))
		fail_msg("create %s: %s", code, e.message);
	return u;
}

/* Expects a refusal with `code`, and the database exactly as before. */
#define REFUSED(db, call, want)                                                    \
	do {                                                                       \
		char *before_ = fixture_snapshot(db);                              \
		char *after_;                                                      \
		err_t e;                                                           \
		err_clear(&e);                                                     \
		if ((call) == 0)                                                   \
			fail_msg("expected %s, but it was accepted", want);        \
		if (strcmp(e.code, want) != 0)                                     \
			fail_msg("expected %s, got %s: %s", want, e.code, e.message); \
		after_ = fixture_snapshot(db);                                     \
		assert_string_equal(before_, after_);                              \
		free(before_);                                                     \
		free(after_);                                                      \
	} while (0)

/* ---- reference data ---- */

static void reform_turns_63_provinces_into_34(void **state)
{
	db_t *db = *state;

	assert_int_equal(count_level(db, "province", "2025-06-01"), 63);
	assert_int_equal(count_level(db, "province", "2025-06-30"), 63);
	assert_int_equal(count_level(db, "province", "2025-07-01"), 34);
	assert_int_equal(count_level(db, "province", "2026-01-01"), 34);
	assert_int_equal(count_level(db, "province", "2008-07-31"), 0);
	assert_int_equal(count_level(db, "central", "2000-01-01"), 1);
	assert_int_equal(get(db, "VN", "2025-07-01").child_count, 34);
	assert_int_equal(get(db, "VN", "2025-06-30").child_count, 63);
}

static void a_code_names_a_unit_on_a_date(void **state)
{
	db_t *db = *state;
	unit_t old = get(db, "24", "2025-06-30"), now = get(db, "24", "2025-07-01");
	unit_t yb = get(db, "15", "2025-06-30"), lc = get(db, "15", "2025-07-01");

	assert_string_equal(old.name_vi, "Bắc Giang");
	assert_string_equal(now.name_vi, "Bắc Ninh");
	assert_true(old.id != now.id);
	assert_int_equal(old.valid_to, D("2025-07-01"));
	assert_string_equal(yb.name_vi, "Yên Bái");
	assert_string_equal(lc.name_vi, "Lào Cai");
	/* gone codes are gone */
	{
		unit_t u;
		err_t e;
		err_clear(&e);
		assert_int_equal(org_unit_get(db, "27", D("2025-07-01"), &u, &e), -1);
		assert_int_equal(e.kind, ERR_NOT_FOUND);
	}
}

static void hue_continues_renamed(void **state)
{
	db_t *db = *state;
	unit_t before = get(db, "46", "2025-06-30"), after = get(db, "46", "2025-07-01");
	lineage_t l;
	err_t e;

	assert_int_equal(before.id, after.id);
	assert_string_equal(before.name_vi, "Thừa Thiên Huế");
	assert_string_equal(after.name_vi, "Huế");
	err_clear(&e);
	assert_int_equal(org_lineage(db, after.id, D("2025-07-01"), &l, &e), 0);
	assert_int_equal(l.n_pred, 0);
	assert_int_equal(l.n_succ, 0);
	lineage_free(&l);
	/* Hà Nội continues without any event on 2025-07-01 */
	assert_int_equal(get(db, "01", "2025-06-30").id, get(db, "01", "2025-07-01").id);
}

static void lineage_of_24_names_24_and_27(void **state)
{
	db_t *db = *state;
	unit_t now = get(db, "24", "2025-07-01");
	lineage_t l;
	err_t e;
	bool saw24 = false, saw27 = false;

	err_clear(&e);
	assert_int_equal(org_lineage(db, now.id, D("2025-07-01"), &l, &e), 0);
	assert_int_equal(l.n_pred, 2);
	for (size_t i = 0; i < l.n_pred; i++) {
		saw24 |= strcmp(l.pred[i].unit.code, "24") == 0 && strcmp(l.pred[i].unit.name_vi, "Bắc Giang") == 0;
		saw27 |= strcmp(l.pred[i].unit.code, "27") == 0 && strcmp(l.pred[i].unit.name_vi, "Bắc Ninh") == 0;
		assert_string_equal(l.pred[i].event.kind, "merge");
		assert_int_equal(l.pred[i].depth, 1);
	}
	assert_true(saw24 && saw27);
	lineage_free(&l);
	/* and forwards from the old 27 */
	assert_int_equal(org_lineage(db, get(db, "27", "2025-06-01").id, D("2025-06-01"), &l, &e), 0);
	assert_int_equal(l.n_succ, 1);
	assert_int_equal(l.pred ? 1 : 0, 0);
	assert_int_equal(l.succ[0].unit.id, now.id);
	lineage_free(&l);
}

static void search_folds_vietnamese(void **state)
{
	db_t *db = *state;
	static const char *const queries[] = { "bac ninh", "BẮC NINH", "Ba\xcc\x86\xcc\x81" "c Ninh", "bắc   ninh", NULL };
	err_t e;

	err_clear(&e);
	for (int i = 0; queries[i]; i++) {
		unit_query_t q = { .as_of = D("2025-07-01"), .q = queries[i], .limit = 50 };
		unit_list_t l;
		assert_int_equal(org_units_list(db, &q, &l, &e), 0);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.items[0].code, "24");
		unit_list_free(&l);
	}
	{
		/* "d" finds "đ"; LIKE wildcards are literal */
		unit_query_t q = { .as_of = D("2025-07-01"), .q = "da nang", .limit = 50 };
		unit_list_t l;
		assert_int_equal(org_units_list(db, &q, &l, &e), 0);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.items[0].name_vi, "Đà Nẵng");
		unit_list_free(&l);
		q.q = "%";
		assert_int_equal(org_units_list(db, &q, &l, &e), 0);
		assert_int_equal(l.n, 0);
		unit_list_free(&l);
	}
}

static void pages_cover_everything_once(void **state)
{
	db_t *db = *state;
	char cursor[ORG_CURSOR_MAX] = "";
	size_t total = 0;
	int pages = 0;
	err_t e;

	err_clear(&e);
	for (int sort = 0; sort < 2; sort++) {
		char last[UNIT_CODE_MAX + 1] = "";
		total = 0;
		pages = 0;
		cursor[0] = '\0';
		do {
			unit_query_t q = { .as_of = D("2025-06-01"), .level = "province", .limit = 10,
					   .cursor = cursor, .sort_name = sort == 1 };
			unit_list_t l;
			assert_int_equal(org_units_list(db, &q, &l, &e), 0);
			for (size_t i = 0; i < l.n && sort == 0; i++) {
				assert_true(strcmp(last, l.items[i].code) < 0);
				snprintf(last, sizeof(last), "%s", l.items[i].code);
			}
			total += l.n;
			pages++;
			snprintf(cursor, sizeof(cursor), "%s", l.next);
			unit_list_free(&l);
		} while (cursor[0]);
		assert_int_equal(total, 63);
		assert_int_equal(pages, 7);
	}
	{
		unit_query_t q = { .as_of = D("2025-06-01"), .limit = 10, .cursor = "not a cursor!" };
		unit_list_t l;
		assert_int_equal(org_units_list(db, &q, &l, &e), -1);
		assert_int_equal(e.kind, ERR_BAD_REQUEST);
	}
}

static void name_order_is_vietnamese(void **state)
{
	db_t *db = *state;
	unit_query_t q = { .as_of = D("2025-07-01"), .level = "province", .limit = 100, .sort_name = true };
	unit_list_t l;
	err_t e;

	err_clear(&e);
	assert_int_equal(org_units_list(db, &q, &l, &e), 0);
	assert_string_equal(l.items[0].name_vi, "An Giang");
	assert_string_equal(l.items[1].name_vi, "Bắc Ninh");
	/* Đ after D: Đà Nẵng, Đắk Lắk, Điện Biên, Đồng Nai, Đồng Tháp, then Gia Lai */
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.items[i].name_vi, "Gia Lai") == 0)
			assert_string_equal(l.items[i - 1].name_vi, "Đồng Tháp");
	unit_list_free(&l);
}

/* ---- operations ---- */

static void create_rename_move_close(void **state)
{
	db_t *db = *state;
	unit_t c1, c2, b, u;
	unit_history_t h;
	err_t e;

	c1 = add(db, "T0001", "Xã Một", "commune", "24", "2025-07-01");
	c2 = add(db, "T0002", "Xã Hai", "commune", "24", "2025-07-01");
	b = add(db, "T0001.01", "Chi hội thôn Đông", "branch", "T0001", "2025-08-01");
	assert_int_equal(get(db, "T0001", "2025-08-01").child_count, 1);
	err_clear(&e);
	assert_int_equal(org_rename(db, &SYS, "T0001.01", D("2025-09-01"), "Chi hội thôn Đông Mới", "East", NULL, &u, &e), 0);
	assert_string_equal(get(db, "T0001.01", "2025-08-31").name_vi, "Chi hội thôn Đông");
	assert_string_equal(get(db, "T0001.01", "2025-09-01").name_vi, "Chi hội thôn Đông Mới");
	assert_int_equal(org_move(db, &SYS, "T0001.01", D("2025-10-01"), "T0002", "chuyển", &u, &e), 0);
	assert_int_equal(get(db, "T0001.01", "2025-09-30").parent.id, c1.id);
	assert_int_equal(get(db, "T0001.01", "2025-10-01").parent.id, c2.id);
	assert_int_equal(get(db, "T0001", "2025-10-01").child_count, 0);
	assert_int_equal(org_close(db, &SYS, "T0001", D("2025-11-01"), NULL, &u, &e), 0);
	assert_int_equal(u.valid_to, D("2025-11-01"));
	assert_int_equal(get(db, "T0001", "2025-10-31").id, c1.id);
	assert_int_equal(org_unit_history(db, b.id, &h, &e), 0);
	assert_int_equal(h.n_names, 2);
	assert_int_equal(h.n_parents, 2);
	assert_int_equal(h.events.n, 3); /* create, rename, move */
	assert_string_equal(h.events.items[0].kind, "create");
	assert_string_equal(h.events.items[2].kind, "move");
	unit_history_free(&h);
}

/* A refresh of the ancestry reads and deletes only the rows of
 * ancestry_work under its own key (schema 28): one transaction's many
 * refreshes never scan the rows its earlier ones deleted. A row under
 * another key (a refresh of another unit) is neither read nor deleted:
 * that unit's ancestry, made wrong on purpose, stays as wrong. */
static void a_refresh_keeps_to_its_own_work_rows(void **state)
{
	db_t *db = *state;
	int64_t before, other;
	char sql[160];
	unit_t u;
	err_t e;

	add(db, "T0001", "Xã Một", "commune", "24", "2025-07-01");
	add(db, "T0002", "Xã Hai", "commune", "24", "2025-07-01");
	add(db, "T0001.01", "Chi hội thôn Đông", "branch", "T0001", "2025-08-01");
	other = fixture_int(db, "SELECT min(id) FROM units WHERE code = '24'");
	snprintf(sql, sizeof(sql), "DELETE FROM ancestry WHERE descendant = %lld AND depth = 0", (long long)other);
	assert_int_equal(db_exec(db, sql), DB_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO ancestry_work (run, id) VALUES (-1, %lld)", (long long)other);
	assert_int_equal(db_exec(db, sql), DB_OK);
	before = fixture_int(db, "SELECT count(*) FROM ancestry");
	err_clear(&e);
	assert_int_equal(org_move(db, &SYS, "T0001.01", D("2025-10-01"), "T0002", NULL, &u, &e), 0);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM ancestry_work WHERE run = -1"), 1);
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM ancestry_work"), 1);
	/* the branch's rows only: its commune, province and nation split at
	 * the move (3 more); the other unit's missing row still missing */
	assert_int_equal(fixture_int(db, "SELECT count(*) FROM ancestry"), before + 3);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM ancestry WHERE descendant = %lld AND depth = 0",
		 (long long)other);
	assert_int_equal(fixture_int(db, sql), 0);
	assert_int_equal(db_exec(db, "DELETE FROM ancestry_work WHERE run = -1"), DB_OK);
	/* put right again for the teardown's check */
	assert_int_equal(ancestry_refresh(db, other, &e), 0);
	assert_int_equal(fixture_int(db, sql), 1);
}

/* Attributes change through time like names: cut at the date, the past
 * kept; the same day twice, an unknown word or the unit's own attributes
 * are refused with nothing changed; a close ends them with the unit. */
static void attributes_through_time(void **state)
{
	db_t *db = *state;
	unit_history_t h;
	unit_t c, u;
	err_t e;

	c = add(db, "T0003", "Xã Biên Giới", "commune", "24", "2025-07-01");
	err_clear(&e);
	assert_string_equal(c.attributes, "");
	assert_int_equal(org_set_attributes(db, &SYS, "T0003", D("2025-09-01"), "mountain, border", "Quyết định 1", &u, &e), 0);
	assert_string_equal(u.attributes, "border mountain");
	assert_string_equal(get(db, "T0003", "2025-08-31").attributes, "");
	assert_string_equal(get(db, "T0003", "2025-09-01").attributes, "border mountain");
	REFUSED(db, org_set_attributes(db, &SYS, "T0003", D("2025-09-01"), "island", NULL, &u, &e), "same_day_change");
	REFUSED(db, org_set_attributes(db, &SYS, "T0003", D("2025-10-01"), "volcano", NULL, &u, &e), "invalid");
	REFUSED(db, org_set_attributes(db, &SYS, "T0003", D("2025-10-01"), "border mountain", NULL, &u, &e), "invalid");
	REFUSED(db, org_set_attributes(db, &SYS, "T0003", D("2025-06-01"), "island", NULL, &u, &e), "date_out_of_range");
	/* no longer a border commune */
	assert_int_equal(org_set_attributes(db, &SYS, "T0003", D("2026-01-01"), "mountain", NULL, &u, &e), 0);
	assert_string_equal(get(db, "T0003", "2025-12-31").attributes, "border mountain");
	assert_string_equal(get(db, "T0003", "2026-01-01").attributes, "mountain");
	assert_int_equal(org_close(db, &SYS, "T0003", D("2026-06-01"), NULL, &u, &e), 0);
	assert_int_equal(org_unit_history(db, c.id, &h, &e), 0);
	assert_int_equal(h.n_attributes, 3);
	assert_string_equal(h.attributes[1].attributes, "border mountain");
	assert_int_equal(h.attributes[1].valid_to, D("2026-01-01"));
	assert_int_equal(h.attributes[2].valid_to, D("2026-06-01"));
	assert_int_equal(h.events.n, 2); /* create and close: attributes are not events */
	unit_history_free(&h);
	/* Huế became a city in the reform's reference data */
	assert_string_equal(get(db, "46", "2025-06-30").attributes, "");
	assert_string_equal(get(db, "46", "2025-07-01").attributes, "city");
}

static void merge_into_new_moves_children_and_frees_codes(void **state)
{
	db_t *db = *state;
	const char *src[] = { "T0001", "T0002" };
	unit_spec_t into;
	unit_t u, moved;
	lineage_t l;
	int64_t ev = 0;
	err_t e;

	add(db, "T0001", "Xã Một", "commune", "24", "2025-07-01");
	add(db, "T0002", "Xã Hai", "commune", "24", "2025-07-01");
	add(db, "T0001.01", "Chi hội A", "branch", "T0001", "2025-07-01");
	add(db, "T0002.01", "Chi hội B", "branch", "T0002", "2025-07-01");
	memset(&into, 0, sizeof(into));
	snprintf(into.code, sizeof(into.code), "%s", "T0001"); /* takes a source's code */
	snprintf(into.name_vi, sizeof(into.name_vi), "%s", "Xã Mới");
	snprintf(into.name_en, sizeof(into.name_en), "%s", "New Commune");
	err_clear(&e);
	assert_int_equal(org_merge(db, &SYS, src, 2, D("2026-01-01"), &into, NULL, "NQ 1", &u, &ev, &e), 0);
	assert_true(ev > 0);
	assert_string_equal(u.level, "commune");       /* defaults from the first source */
	assert_string_equal(u.parent.code, "24");
	assert_int_equal(u.child_count, 2);
	moved = get(db, "T0002.01", "2026-01-01");
	assert_int_equal(moved.parent.id, u.id);
	assert_string_equal(get(db, "T0002.01", "2025-12-31").parent.code, "T0002");
	{
		/* the branch's events list its commune's merger, which names
		 * only the communes */
		event_list_t evs;
		int listed = 0;
		assert_int_equal(org_events(db, NULL, moved.id, D("1900-01-01"), D("9999-12-31"), 100, NULL, &evs, &e), 0);
		for (size_t i = 0; i < evs.n; i++)
			listed += evs.items[i].id == ev;
		event_list_free(&evs);
		assert_int_equal(listed, 1);
	}
	assert_int_equal(count_level(db, "commune", "2025-12-31"), 2);
	assert_int_equal(count_level(db, "commune", "2026-01-01"), 1);
	assert_int_equal(org_lineage(db, u.id, D("2026-01-01"), &l, &e), 0);
	assert_int_equal(l.n_pred, 2);
	lineage_free(&l);
}

static void merge_into_existing_keeps_the_target(void **state)
{
	db_t *db = *state;
	const char *src[] = { "T0001", "T0002" };
	unit_t a, u;
	err_t e;

	a = add(db, "T0001", "Xã Một", "commune", "24", "2025-07-01");
	add(db, "T0002", "Xã Hai", "commune", "24", "2025-07-01");
	add(db, "T0002.01", "Chi hội B", "branch", "T0002", "2025-07-01");
	err_clear(&e);
	assert_int_equal(org_merge(db, &SYS, src, 2, D("2026-01-01"), NULL, "T0001", NULL, &u, NULL, &e), 0);
	assert_int_equal(u.id, a.id);
	assert_int_equal(u.child_count, 1);
	assert_int_equal(count_level(db, "commune", "2026-01-01"), 1);
}

static void split_assigns_every_child(void **state)
{
	db_t *db = *state;
	unit_spec_t parts[2];
	child_assign_t assign[2] = { { "S.01", "S1" }, { "S.02", "S2" } };
	unit_list_t out;
	unit_t s;
	lineage_t l;
	err_t e;

	s = add(db, "S", "Xã Lớn", "commune", "24", "2025-07-01");
	add(db, "S.01", "Chi hội 1", "branch", "S", "2025-07-01");
	add(db, "S.02", "Chi hội 2", "branch", "S", "2025-07-01");
	memset(parts, 0, sizeof(parts));
	snprintf(parts[0].code, sizeof(parts[0].code), "%s", "S1");
	snprintf(parts[0].name_vi, sizeof(parts[0].name_vi), "%s", "Xã Bắc");
	snprintf(parts[0].name_en, sizeof(parts[0].name_en), "%s", "North");
	snprintf(parts[1].code, sizeof(parts[1].code), "%s", "S2");
	snprintf(parts[1].name_vi, sizeof(parts[1].name_vi), "%s", "Xã Nam");
	snprintf(parts[1].name_en, sizeof(parts[1].name_en), "%s", "South");
	err_clear(&e);
	/* one child unassigned: refused, unchanged */
	REFUSED(db, org_split(db, &SYS, "S", D("2026-01-01"), parts, 2, assign, 1, NULL, &out, NULL, &e), "invalid");
	assert_int_equal(org_split(db, &SYS, "S", D("2026-01-01"), parts, 2, assign, 2, NULL, &out, NULL, &e), 0);
	assert_int_equal(out.n, 2);
	unit_list_free(&out);
	assert_string_equal(get(db, "S.01", "2026-01-01").parent.code, "S1");
	assert_string_equal(get(db, "S.02", "2026-01-01").parent.code, "S2");
	assert_string_equal(get(db, "S.02", "2025-12-31").parent.code, "S");
	assert_int_equal(org_lineage(db, s.id, D("2025-12-31"), &l, &e), 0);
	assert_int_equal(l.n_succ, 2);
	lineage_free(&l);
}

/* ---- invariants: refused, nothing changed ---- */

static void invariant_cycle(void **state)
{
	db_t *db = *state;
	unit_t u;

	add(db, "A", "A", "district", "24", "2025-07-01");
	add(db, "A.1", "A1", "commune", "A", "2025-07-01");
	add(db, "A.1.1", "A11", "branch", "A.1", "2025-07-01");
	REFUSED(db, org_move(db, &SYS, "A", D("2025-08-01"), "A.1.1", NULL, &u, &e), "cycle");
	REFUSED(db, org_move(db, &SYS, "A.1", D("2025-08-01"), "A.1", NULL, &u, &e), "cycle");
}

static void invariant_level_order(void **state)
{
	db_t *db = *state;
	unit_spec_t s;
	unit_t u;

	add(db, "B", "B", "commune", "24", "2025-07-01");
	add(db, "B.1", "B1", "branch", "B", "2025-07-01");
	add(db, "C", "C", "commune", "24", "2025-07-01");
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", "P9");
	snprintf(s.name_vi, sizeof(s.name_vi), "%s", "Tỉnh 9");
	snprintf(s.name_en, sizeof(s.name_en), "%s", "P9");
	snprintf(s.level, sizeof(s.level), "%s", "province");
	snprintf(s.parent, sizeof(s.parent), "%s", "B");
	REFUSED(db, org_create(db, &SYS, &s, D("2025-08-01"), NULL, &u, &e), "level_order");
	REFUSED(db, org_move(db, &SYS, "C", D("2025-08-01"), "B.1", NULL, &u, &e), "level_order");
	REFUSED(db, org_move(db, &SYS, "C", D("2025-08-01"), "B", NULL, &u, &e), "level_order");
}

static void invariant_parent_from_another_time(void **state)
{
	db_t *db = *state;
	unit_spec_t s;
	unit_t u;

	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", "OLD1");
	snprintf(s.name_vi, sizeof(s.name_vi), "%s", "Xã cũ");
	snprintf(s.name_en, sizeof(s.name_en), "%s", "Old");
	snprintf(s.level, sizeof(s.level), "%s", "commune");
	snprintf(s.parent, sizeof(s.parent), "%s", "27"); /* closed on 2025-07-01: the child would outlive it */
	REFUSED(db, org_create(db, &SYS, &s, D("2020-01-01"), NULL, &u, &e), "parent_not_valid");
	snprintf(s.parent, sizeof(s.parent), "%s", "02"); /* Hà Giang does not exist on 2025-08-01 */
	REFUSED(db, org_create(db, &SYS, &s, D("2025-08-01"), NULL, &u, &e), "parent_not_valid");
	add(db, "D1", "D1", "commune", "24", "2025-07-01");
	REFUSED(db, org_move(db, &SYS, "D1", D("2025-08-01"), "27", NULL, &u, &e), "parent_not_valid");
}

static void invariant_two_parents(void **state)
{
	db_t *db = *state;
	unit_t u;
	err_t e2;

	add(db, "E", "E", "commune", "24", "2025-07-01");
	add(db, "F", "F", "commune", "24", "2025-07-01");
	add(db, "E.1", "E1", "branch", "E", "2025-07-01");
	err_clear(&e2);
	assert_int_equal(org_move(db, &SYS, "E.1", D("2025-08-01"), "F", NULL, &u, &e2), 0);
	REFUSED(db, org_move(db, &SYS, "E.1", D("2025-08-01"), "E", NULL, &u, &e), "two_parents");
	assert_int_equal(org_rename(db, &SYS, "E", D("2025-08-01"), "E2", "E2", NULL, &u, &e2), 0);
	REFUSED(db, org_rename(db, &SYS, "E", D("2025-08-01"), "E3", "E3", NULL, &u, &e), "same_day_change");
}

static void invariant_dates_inside_the_unit_life(void **state)
{
	db_t *db = *state;
	unit_t u;

	add(db, "G", "G", "commune", "24", "2025-07-01");
	REFUSED(db, org_rename(db, &SYS, "id:1", D("1900-01-01"), "X", "X", NULL, &u, &e), "date_out_of_range");
	REFUSED(db, org_close(db, &SYS, "G", D("2025-07-01"), NULL, &u, &e), "date_out_of_range");
	REFUSED(db, org_rename(db, &SYS, "27", D("2025-08-01"), "X", "X", NULL, &u, &e), "unit_closed");
	REFUSED(db, org_move(db, &SYS, "G", D("2025-06-01"), "24", NULL, &u, &e), "date_out_of_range");
}

static void invariant_code_taken(void **state)
{
	db_t *db = *state;
	unit_spec_t s;
	unit_t u;

	add(db, "H", "H", "commune", "24", "2025-07-01");
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", "H");
	snprintf(s.name_vi, sizeof(s.name_vi), "%s", "Another H");
	snprintf(s.name_en, sizeof(s.name_en), "%s", "H");
	snprintf(s.level, sizeof(s.level), "%s", "commune");
	snprintf(s.parent, sizeof(s.parent), "%s", "24");
	REFUSED(db, org_create(db, &SYS, &s, D("2025-09-01"), NULL, &u, &e), "code_taken");
	/* a code held later blocks an earlier open-ended unit too */
	snprintf(s.code, sizeof(s.code), "%s", "24");
	snprintf(s.parent, sizeof(s.parent), "%s", "VN");
	snprintf(s.level, sizeof(s.level), "%s", "province");
	REFUSED(db, org_create(db, &SYS, &s, D("2025-06-01"), NULL, &u, &e), "code_taken");
}

static void invariant_has_children(void **state)
{
	db_t *db = *state;
	unit_t u;

	add(db, "K", "K", "commune", "24", "2025-07-01");
	add(db, "K.1", "K1", "branch", "K", "2025-07-01");
	REFUSED(db, org_close(db, &SYS, "24", D("2026-01-01"), NULL, &u, &e), "has_children");
	REFUSED(db, org_close(db, &SYS, "K", D("2025-09-01"), NULL, &u, &e), "has_children");
}

static void failed_merge_half_way_changes_nothing(void **state)
{
	db_t *db = *state;
	const char *src[] = { "M1", "M2" };
	unit_spec_t into;
	unit_t u;

	add(db, "M1", "M1", "commune", "24", "2025-07-01");
	add(db, "M2", "M2", "commune", "24", "2025-07-01");
	add(db, "M2.1", "M21", "branch", "M2", "2025-07-01");
	memset(&into, 0, sizeof(into));
	snprintf(into.code, sizeof(into.code), "%s", "M3");
	snprintf(into.name_vi, sizeof(into.name_vi), "%s", "M3");
	snprintf(into.name_en, sizeof(into.name_en), "%s", "M3");
	snprintf(into.level, sizeof(into.level), "%s", "branch"); /* its new children would be at its own level */
	/* the sources are ended and the target created before the children
	 * are handed over and refused: the transaction must undo it all */
	REFUSED(db, org_merge(db, &SYS, src, 2, D("2026-01-01"), &into, NULL, NULL, &u, NULL, &e), "level_order");
}

static void operations_file_applies_in_date_order(void **state)
{
	db_t *db = *state;
	static const char csv[] =
		"op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\r\n"
		"close,2026-01-01,Q1,,,,,,,,\r\n"
		"create,2025-08-01,Q1,\"Xã Q, một\",Q1,commune,,border,24,,\r\n";
	static const char bad[] =
		"op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n"
		"create,2025-08-01,Q2,Q2,Q2,commune,,,24,,\n"
		"create,2025-08-01,Q3,Q3,Q3,commune,,,NOPE,,\n";
	size_t n = 0;
	err_t e2;

	err_clear(&e2);
	assert_int_equal(org_ops_apply_csv(db, &SYS, csv, sizeof(csv) - 1, &n, &e2), 0);
	assert_int_equal(n, 2);
	assert_string_equal(get(db, "Q1", "2025-12-31").name_vi, "Xã Q, một");
	assert_string_equal(get(db, "Q1", "2025-12-31").attributes, "border");
	REFUSED(db, org_ops_apply_csv(db, &SYS, bad, sizeof(bad) - 1, &n, &e), "invalid");
	assert_int_equal(org_ops_apply_csv(db, &SYS, bad, sizeof(bad) - 1, &n, &e2), -1);
	assert_non_null(strstr(e2.message, "line 3"));
}

/* A malformed operations file is refused before anything is applied,
 * naming the line (and column) and the reason with a code; the database is
 * as it was (issue 13, finding 9). Each case was accepted, or refused with
 * a misleading error, before. */
static void operations_file_refuses_malformed_files(void **state)
{
	db_t *db = *state;
	static const char head[] = "op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n";
	static const char nul[] = "op,date,code,name_vi,name_en,level,parent\n"
				  "create,2025-08-01,Q5,Q5,Q5,commune,24\n"
				  "create,2025-08-01,Q6,Xa\0Sau,Q6,commune,24\n";
	static const char misspelt[] = "op,date,code,name_vi,name_en,level,parnet\n"
				       "create,2025-08-01,Q5,Q5,Q5,commune,24\n";
	static const char twice[] = "op,date,code,name_vi,name_en,level,parent,parent\n"
				    "create,2025-08-01,Q5,Q5,Q5,commune,24,01\n";
	static const char unclosed[] = "op,date,code,name_vi,name_en,level,parent\n"
				       "create,2025-08-01,Q5,\"Q5,Q5,commune,24\n"
				       "create,2025-08-01,Q6,Q6,Q6,commune,24\n";
	static const char shifted[] = "op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n"
				      "create,2025-08-01,Q5,Xã Q, năm,Q5,commune,,,24,,\n";
	char bad_rows[1024];
	size_t n = 0;
	err_t e2;

	REFUSED(db, org_ops_apply_csv(db, &SYS, nul, sizeof(nul) - 1, &n, &e), "csv_nul_byte");
	REFUSED(db, org_ops_apply_csv(db, &SYS, misspelt, sizeof(misspelt) - 1, &n, &e), "unknown_column");
	REFUSED(db, org_ops_apply_csv(db, &SYS, twice, sizeof(twice) - 1, &n, &e), "csv_duplicate_column");
	REFUSED(db, org_ops_apply_csv(db, &SYS, unclosed, sizeof(unclosed) - 1, &n, &e), "csv_unclosed_quote");
	REFUSED(db, org_ops_apply_csv(db, &SYS, shifted, sizeof(shifted) - 1, &n, &e), "csv_extra_field");
	REFUSED(db, org_ops_apply_csv(db, &SYS, head, 3, &n, &e), "missing_column"); /* "op,": no date, no code */

	err_clear(&e2);
	assert_int_equal(org_ops_apply_csv(db, &SYS, misspelt, sizeof(misspelt) - 1, &n, &e2), -1);
	assert_string_equal(e2.message,
			    "operations file: line 1, column 7: unknown column 'parnet' (did you mean 'parent'?)");
	assert_string_equal(err_param(&e2, "suggestion")->text, "parent");
	assert_string_equal(err_param(&e2, "file")->text, "operations file");
	err_clear(&e2);
	assert_int_equal(org_ops_apply_csv(db, &SYS, unclosed, sizeof(unclosed) - 1, &n, &e2), -1);
	assert_int_equal(err_param(&e2, "line")->num, 2);
	assert_int_equal(err_param(&e2, "column")->num, 4);
	assert_string_equal(err_param(&e2, "name")->text, "name_vi");
	assert_int_equal(n, 0);

	/* every bad row is reported, each with its line and column, and none
	 * of the good ones is applied */
	snprintf(bad_rows, sizeof(bad_rows),
		 "%screate,2025-08-01,Q5,Q5,Q5,commune,,,24,,\n"
		 "craete,2025-08-01,Q6,Q6,Q6,commune,,,24,,\n"
		 "create,2025-02-30,Q7,Q7,Q7,commune,,,24,,\n"
		 "create,2025-08-01,Q8901234567890123456789012345678901,Q8,Q8,commune,,,24,,\n",
		 head);
	REFUSED(db, org_ops_apply_csv(db, &SYS, bad_rows, strlen(bad_rows), &n, &e), "invalid");
	err_clear(&e2);
	assert_int_equal(org_ops_apply_csv(db, &SYS, bad_rows, strlen(bad_rows), &n, &e2), -1);
	assert_int_equal(err_param(&e2, "count")->num, 3);
	assert_int_equal(e2.n_details, 3);
	assert_string_equal(e2.details[0].field, "line 3, op");
	assert_string_equal(e2.details[0].code, "not_one_of");
	assert_string_equal(err_detail_param(&e2.details[0], "value")->text, "craete");
	assert_string_equal(e2.details[1].field, "line 4, date");
	assert_string_equal(e2.details[1].code, "not_a_date");
	assert_string_equal(e2.details[2].field, "line 5, code");
	assert_string_equal(e2.details[2].code, "too_many_bytes");
	assert_int_equal(err_detail_param(&e2.details[2], "line")->num, 5);
}

/* The demo (1,345 units, a worked history of moves, renames and mergers):
 * ancestry agrees with the walk on every unit on every date, and a subtree,
 * ancestors and a scope read through it match what the walk says. */
static void ancestry_of_the_demo_is_exact(void **state)
{
	db_t *db = fixture_empty_db();
	size_t checked = 0, diffs = 0;
	unit_list_t anc, sub;
	err_t e;

	(void)state;
	err_clear(&e);
	if (migrate_apply(db, &e) || org_seed(db, NULL, true, fixture_today(), &e))
		fail_msg("seed: %s", e.message);
	assert_int_equal(ancestry_check(db, stderr, &checked, &diffs, &e), 0);
	assert_int_equal(diffs, 0);
	assert_true(checked >= 1345);
	/* a commune of the new Bắc Ninh: VN > 24 > commune */
	assert_int_equal(org_ancestors(db, get(db, "09193", "2025-08-01").id, D("2025-08-01"), &anc, &e), 0);
	assert_int_equal(anc.n, 2);
	assert_string_equal(anc.items[0].code, "VN");
	assert_string_equal(anc.items[1].code, "24");
	unit_list_free(&anc);
	/* the province on the eve of the reform and after: its subtree changes */
	assert_int_equal(org_subtree(db, get(db, "24", "2025-08-01").id, D("2025-08-01"), 1, 10000, &sub, &e), 0);
	assert_true(sub.n > 1);
	for (size_t i = 1; i < sub.n; i++)
		assert_string_equal(sub.items[i].parent.code, "24");
	unit_list_free(&sub);
	db_close(db);
}

/* A province officer's list of the events she may see is planned with
 * its values at every run: PostgreSQL's generic plan for it, settled on
 * after five runs, read every event of the country (925 ms at 20 million
 * members, against 2.6). So on PostgreSQL it is never a named statement,
 * however often it runs. */
static void a_scoped_event_list_is_planned_each_run(void **state)
{
	db_t *db = *state;
	principal_t who;
	event_list_t l;
	size_t first = 0;
	err_t e;

	principal_system(&who, "test", D("2026-06-01"));
	who.unit_id = fixture_unit(db, "01", D("2026-06-01")).id;
	err_clear(&e);
	assert_int_equal(scope_load(db, &who, &e), 0);
	assert_false(who.global);
	for (int run = 0; run < 7; run++) {
		err_clear(&e);
		if (org_events(db, &who, 0, D("1900-01-01"), D("9999-12-31"), 100, NULL, &l, &e))
			fail_msg("events: %s", e.message);
		if (run == 0)
			first = l.n;
		assert_int_equal(l.n, first);
		event_list_free(&l);
	}
	assert_true(first > 0);
	/* the pattern is cut in two so that this query (a named statement
	 * too) does not find itself */
	if (db_dialect(db) == DB_POSTGRESQL)
		assert_int_equal(fixture_int(db, "SELECT count(*) FROM pg_prepared_statements"
						 " WHERE statement LIKE '%e.note FROM' || ' events e WHERE%'"),
				 0);
}

static int64_t version_now(db_t *db)
{
	int64_t v = 0;
	err_t e;

	err_clear(&e);
	if (org_version(db, &v, &e))
		fail_msg("org_version: %s", e.message);
	return v;
}

/* Each way of changing the tree sets its version anew (schema 30's
 * triggers); a rolled-back change leaves it. A server's kept scopes and unit
 * pages (store/scope.c, api/answers.h) are as good as this. */
static void every_change_of_the_tree_sets_its_version(void **state)
{
	/* an insert, an update and a delete on each table of the tree */
	static const char *const change[] = {
		"INSERT INTO levels (key, rank, name_vi, name_en) VALUES ('zz', 999, 'x', 'x')",
		"UPDATE levels SET name_en = 'y' WHERE key = 'zz'",
		"INSERT INTO units (code, level, kind, valid_from, valid_to)"
		" VALUES ('ZZ1', 'zz', 'territorial', '2020-01-01', '9999-12-31')",
		"UPDATE units SET kind = 'agency' WHERE code = 'ZZ1'",
		"INSERT INTO unit_names (unit_id, name_vi, name_en, search_key, sort_key, valid_from, valid_to)"
		" SELECT id, 'x', 'x', 'x', 'x', '2020-01-01', '9999-12-31' FROM units WHERE code = 'ZZ1'",
		"UPDATE unit_names SET name_en = 'y' WHERE unit_id = (SELECT id FROM units WHERE code = 'ZZ1')",
		"INSERT INTO unit_parents (unit_id, parent_id, valid_from, valid_to)"
		" SELECT id, (SELECT min(id) FROM units), '2020-01-01', '9999-12-31' FROM units WHERE code = 'ZZ1'",
		"UPDATE unit_parents SET valid_to = '9999-12-30' WHERE unit_id = (SELECT id FROM units WHERE code = 'ZZ1')",
		"INSERT INTO unit_attributes (unit_id, attributes, valid_from, valid_to)"
		" SELECT id, 'coastal', '2020-01-01', '9999-12-31' FROM units WHERE code = 'ZZ1'",
		"UPDATE unit_attributes SET attributes = '' WHERE unit_id = (SELECT id FROM units WHERE code = 'ZZ1')",
		"INSERT INTO ancestry (descendant, ancestor, depth, valid_from, valid_to)"
		" SELECT id, id, 0, '2020-01-01', '9999-12-31' FROM units WHERE code = 'ZZ1'",
		"UPDATE ancestry SET depth = 0 WHERE descendant = (SELECT id FROM units WHERE code = 'ZZ1')",
		"INSERT INTO events (kind, date, note, recorded_at) VALUES ('create', '2020-01-01', 'zz', '2020-01-01 00:00:00')",
		"UPDATE events SET note = 'zz2' WHERE note = 'zz'",
		"INSERT INTO event_units (event_id, unit_id, role)"
		" SELECT e.id, u.id, 'target' FROM events e, units u WHERE e.note = 'zz2' AND u.code = 'ZZ1'",
		"UPDATE event_units SET role = 'source' WHERE event_id = (SELECT id FROM events WHERE note = 'zz2')",
		"DELETE FROM event_units WHERE event_id = (SELECT id FROM events WHERE note = 'zz2')",
		"DELETE FROM events WHERE note = 'zz2'",
		"DELETE FROM ancestry WHERE descendant = (SELECT id FROM units WHERE code = 'ZZ1')",
		"DELETE FROM unit_attributes WHERE unit_id = (SELECT id FROM units WHERE code = 'ZZ1')",
		"DELETE FROM unit_parents WHERE unit_id = (SELECT id FROM units WHERE code = 'ZZ1')",
		"DELETE FROM unit_names WHERE unit_id = (SELECT id FROM units WHERE code = 'ZZ1')",
		"DELETE FROM units WHERE code = 'ZZ1'",
		"DELETE FROM levels WHERE key = 'zz'",
	};
	db_t *db = *state;
	const char *src[] = { "T0001", "T0002" };
	int64_t v = version_now(db), before, first = 0;
	unit_t u;
	err_t e;

	assert_true(v >= 1);
	err_clear(&e);
#define SET_ANEW(what)                                               \
	do {                                                         \
		what;                                                \
		int64_t w_ = version_now(db);                        \
		if (w_ == v || w_ <= 0)                              \
			fail_msg("%s left the version", #what);       \
		v = w_;                                              \
	} while (0)
	SET_ANEW(add(db, "T0001", "Xã Một", "commune", "24", "2025-07-01"));
	SET_ANEW(add(db, "T0002", "Xã Hai", "commune", "24", "2025-07-01"));
	SET_ANEW(add(db, "T0002.01", "Chi hội B", "branch", "T0002", "2025-07-01"));
	SET_ANEW(assert_int_equal(org_rename(db, &SYS, "T0001", D("2025-08-01"), "Xã Một Mới", "One", NULL, &u, &e), 0));
	SET_ANEW(assert_int_equal(org_set_attributes(db, &SYS, "T0001", D("2025-08-01"), "coastal", NULL, &u, &e), 0));
	SET_ANEW(assert_int_equal(org_move(db, &SYS, "T0002.01", D("2025-09-01"), "T0001", NULL, &u, &e), 0));
	SET_ANEW(assert_int_equal(org_merge(db, &SYS, src, 2, D("2026-01-01"), NULL, "T0001", NULL, &u, NULL, &e), 0));
	SET_ANEW(assert_int_equal(org_close(db, &SYS, "T0002.01", D("2026-02-01"), NULL, &u, &e), 0));
#undef SET_ANEW
	/* each statement, in a transaction rolled back at the end: the
	 * version with it */
	before = v;
	assert_int_equal(db_begin(db), DB_OK);
	for (size_t i = 0; i < sizeof(change) / sizeof(change[0]); i++) {
		int64_t w;
		if (db_exec(db, change[i]) != DB_OK)
			fail_msg("%s: %s", change[i], db_errmsg(db));
		if ((w = version_now(db)) == v || w <= 0)
			fail_msg("%s left the version", change[i]);
		v = w;
		if (i == 0)
			first = w;
	}
	assert_int_equal(db_rollback(db), DB_OK);
	assert_int_equal(version_now(db), before);
	/* the same change again, now kept: another version than the one the
	 * rolled-back history had reached with it (as after a restore to an
	 * earlier day: a count would give the same number to another tree) */
	assert_int_equal(db_exec(db, change[0]), DB_OK);
	assert_true(version_now(db) != first);
	assert_true(version_now(db) != before);
}

/* A connection keeps the scopes it read, each with the tree's version it
 * read it at: at that version the kept one is used, at a newer one the
 * scope is read again. A merge into her commune gives its officer the
 * merged commune's history too. */
static void a_kept_scope_follows_the_tree(void **state)
{
	db_t *db = *state;
	const char *src[] = { "T0001", "T0002" };
	principal_t who;
	unit_t a, b, u;
	int64_t before;
	err_t e;

	a = add(db, "T0001", "Xã Một", "commune", "24", "2025-07-01");
	b = add(db, "T0002", "Xã Hai", "commune", "24", "2025-07-01");
	principal_system(&who, "officer", D("2026-06-01"));
	who.unit_id = a.id;
	who.org_version = before = version_now(db);
	err_clear(&e);
	assert_int_equal(scope_load(db, &who, &e), 0);
	assert_false(who.global);
	assert_int_equal(who.n_roots, 1);
	assert_int_equal(org_merge(db, &SYS, src, 2, D("2026-01-01"), NULL, "T0001", NULL, &u, NULL, &e), 0);
	who.org_version = version_now(db);
	assert_int_equal(scope_load(db, &who, &e), 0);
	assert_int_equal(who.n_roots, 2);
	assert_int_equal(who.roots[0], a.id);
	assert_int_equal(who.roots[1], b.id);
	/* the scope kept at the older version is that version's */
	who.org_version = before;
	assert_int_equal(scope_load(db, &who, &e), 0);
	assert_int_equal(who.n_roots, 1);
	/* version unknown (0): read, not kept */
	who.org_version = 0;
	assert_int_equal(scope_load(db, &who, &e), 0);
	assert_int_equal(who.n_roots, 2);
}

int main(void)
{
	principal_system(&SYS, "test", fixture_today());
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(reform_turns_63_provinces_into_34),
		T(a_code_names_a_unit_on_a_date),
		T(hue_continues_renamed),
		T(lineage_of_24_names_24_and_27),
		T(search_folds_vietnamese),
		T(pages_cover_everything_once),
		T(name_order_is_vietnamese),
		T(create_rename_move_close),
		T(a_refresh_keeps_to_its_own_work_rows),
		T(attributes_through_time),
		T(merge_into_new_moves_children_and_frees_codes),
		T(merge_into_existing_keeps_the_target),
		T(split_assigns_every_child),
		T(invariant_cycle),
		T(invariant_level_order),
		T(invariant_parent_from_another_time),
		T(invariant_two_parents),
		T(invariant_dates_inside_the_unit_life),
		T(invariant_code_taken),
		T(invariant_has_children),
		T(failed_merge_half_way_changes_nothing),
		T(operations_file_applies_in_date_order),
		T(operations_file_refuses_malformed_files),
		T(a_scoped_event_list_is_planned_each_run),
		T(every_change_of_the_tree_sets_its_version),
		T(a_kept_scope_follows_the_tree),
		cmocka_unit_test(ancestry_of_the_demo_is_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
