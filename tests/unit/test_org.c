/*
 * Unit tests of core/org: every invariant of the tree through time, the
 * plans of merges and splits, and the lineage walk over an in-memory graph
 * of merges and splits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/org.h"

static date_t D(const char *s)
{
	date_t d = 0;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static unit_t mk(int64_t id, const char *code, const char *level, int rank, const char *from, const char *to)
{
	unit_t u;
	memset(&u, 0, sizeof(u));
	u.id = id;
	snprintf(u.code, sizeof(u.code), "%s", code);
	snprintf(u.name_vi, sizeof(u.name_vi), "%s", code);
	snprintf(u.level, sizeof(u.level), "%s", level);
	u.level_rank = rank;
	u.valid_from = D(from);
	u.valid_to = to ? D(to) : DATE_OPEN;
	return u;
}

#define EXPECT_CODE(call, want)                          \
	do {                                             \
		err_t e_;                                \
		err_clear(&e_);                          \
		assert_int_equal((call), -1);            \
		assert_string_equal(e_.code, (want));    \
	} while (0)
/* the macro's calls use e_ */

static void alive_checks_both_ends(void **state)
{
	unit_t p = mk(1, "24", "province", 1, "2008-08-01", "2025-07-01");
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(org_check_alive(&p, D("2008-08-01"), &e), 0);
	assert_int_equal(org_check_alive(&p, D("2025-06-30"), &e), 0);
	EXPECT_CODE(org_check_alive(&p, D("2025-07-01"), &e_), "unit_closed");
	EXPECT_CODE(org_check_alive(&p, D("2008-07-31"), &e_), "date_out_of_range");
	/* a change needs the day before too */
	EXPECT_CODE(org_check_changeable(&p, D("2008-08-01"), &e_), "date_out_of_range");
	assert_int_equal(org_check_changeable(&p, D("2008-08-02"), &e), 0);
}

static void parent_must_cover_the_interval_and_be_above(void **state)
{
	unit_t old = mk(1, "27", "province", 1, "2008-08-01", "2025-07-01");
	unit_t now = mk(2, "24", "province", 1, "2025-07-01", NULL);
	unit_t commune = mk(3, "09193", "commune", 3, "2025-07-01", NULL);
	err_t e;
	(void)state;

	err_clear(&e);
	/* an open-ended child cannot go under a parent that closes */
	EXPECT_CODE(org_check_parent(&old, 3, D("2020-01-01"), DATE_OPEN, &e_), "parent_not_valid");
	/* a child with a recorded end can, if the parent lasts as long */
	assert_int_equal(org_check_parent(&old, 3, D("2020-01-01"), D("2025-07-01"), &e), 0);
	EXPECT_CODE(org_check_parent(&old, 3, D("2020-01-01"), D("2025-07-02"), &e_), "parent_not_valid");
	/* a parent from another time */
	EXPECT_CODE(org_check_parent(&now, 3, D("2025-06-30"), DATE_OPEN, &e_), "parent_not_valid");
	/* level order: same level or above is refused */
	EXPECT_CODE(org_check_parent(&commune, 3, D("2025-07-01"), DATE_OPEN, &e_), "level_order");
	EXPECT_CODE(org_check_level(&commune, 1, "province", &e_), "level_order");
	assert_int_equal(org_check_level(&now, 3, "commune", &e), 0);
	/* skipping a level is fine: communes sit under provinces since 2025 */
	assert_int_equal(org_check_parent(&now, 4, D("2025-07-01"), DATE_OPEN, &e), 0);
}

static void cycles_are_refused(void **state)
{
	int64_t chain[] = { 7, 5, 3, 1 }; /* the new parent and its ancestors */
	err_t e;
	(void)state;

	err_clear(&e);
	EXPECT_CODE(org_check_no_cycle(3, "C", chain, 4, &e_), "cycle");
	EXPECT_CODE(org_check_no_cycle(7, "C", chain, 4, &e_), "cycle");
	assert_int_equal(org_check_no_cycle(9, "C", chain, 4, &e), 0);
}

static void one_parent_and_one_name_a_day(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	EXPECT_CODE(org_check_not_same_day("parent", D("2025-07-01"), D("2025-07-01"), &e_), "two_parents");
	EXPECT_CODE(org_check_not_same_day("name", D("2025-07-01"), D("2025-07-01"), &e_), "same_day_change");
	assert_int_equal(org_check_not_same_day("parent", D("2025-07-01"), D("2025-07-02"), &e), 0);
}

static void close_needs_no_children(void **state)
{
	unit_t d = mk(1, "27D01", "district", 2, "2020-01-01", NULL);
	err_t e;
	(void)state;

	err_clear(&e);
	EXPECT_CODE(org_check_close(&d, D("2025-07-01"), 3, &e_), "has_children");
	assert_int_equal(org_check_close(&d, D("2025-07-01"), 0, &e), 0);
	EXPECT_CODE(org_check_close(&d, D("2019-12-31"), 0, &e_), "date_out_of_range");
	EXPECT_CODE(org_check_close(&d, D("2020-01-01"), 0, &e_), "date_out_of_range");
}

static void codes_are_unique_on_a_date(void **state)
{
	unit_t holder = mk(1, "24", "province", 1, "2008-08-01", NULL);
	unit_t ended = mk(1, "24", "province", 1, "2008-08-01", "2025-07-01");
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(org_check_code_free("24", D("2025-07-01"), NULL, &e), 0);
	EXPECT_CODE(org_check_code_free("24", D("2025-07-01"), &holder, &e_), "code_taken");
	EXPECT_CODE(org_check_code_free("24", D("2020-01-01"), &ended, &e_), "code_taken");
}

/* ---- plans of merges and splits ---- */

/* Expects a refusal of kind ERR_INVALID, code "invalid", whose only detail
 * is on `field` (NULL: no detail) and mentions `says` (NULL: anything). */
static void expect_invalid(int rc, const err_t *e, const char *field, const char *says)
{
	assert_int_equal(rc, -1);
	assert_int_equal(e->kind, ERR_INVALID);
	assert_string_equal(e->code, "invalid");
	if (!field) {
		assert_int_equal(e->n_details, 0);
		return;
	}
	assert_int_equal(e->n_details, 1);
	assert_string_equal(e->details[0].field, field);
	if (says)
		assert_non_null(strstr(e->details[0].message, says));
}

static void merge_needs_one_target_and_enough_sources(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(org_check_merge_plan(1, false, true, &e), 0);
	assert_int_equal(org_check_merge_plan(2, true, false, &e), 0);
	assert_int_equal(org_check_merge_plan(ORG_MERGE_SOURCES_MAX, true, false, &e), 0);
	assert_int_equal(e.n_details, 0);

	/* a new unit and an existing one, or neither */
	expect_invalid(org_check_merge_plan(2, true, true, &e), &e, NULL, NULL);
	assert_string_equal(e.message, "a merge goes into a new unit or an existing one");
	err_clear(&e);
	expect_invalid(org_check_merge_plan(2, false, false, &e), &e, NULL, NULL);

	/* into an existing unit: one source is enough, none is not */
	err_clear(&e);
	expect_invalid(org_check_merge_plan(0, false, true, &e), &e, "sources", "needs 1 or more units");
	assert_string_equal(e.details[0].code, "too_few");
	assert_int_equal(err_detail_param(&e.details[0], "min")->num, 1);
	assert_string_equal(e.message, "not enough units to merge");
	/* into a new unit: two or more */
	err_clear(&e);
	expect_invalid(org_check_merge_plan(1, true, false, &e), &e, "sources", "needs 2 or more units");
	assert_int_equal(err_detail_param(&e.details[0], "min")->num, 2);
	err_clear(&e);
	expect_invalid(org_check_merge_plan(ORG_MERGE_SOURCES_MAX + 1, true, false, &e), &e, "sources", NULL);
	assert_string_equal(e.details[0].code, "too_many");
	assert_int_equal(err_detail_param(&e.details[0], "max")->num, ORG_MERGE_SOURCES_MAX);
	err_clear(&e);
	expect_invalid(org_check_merge_plan(ORG_MERGE_SOURCES_MAX + 1, false, true, &e), &e, "sources", NULL);
}

static void merge_sources_are_listed_once(void **state)
{
	unit_t src[3] = {
		mk(4, "04", "province", 1, "2008-08-01", NULL),
		mk(1, "01", "province", 1, "2008-08-01", NULL),
		mk(6, "06", "province", 1, "2008-08-01", NULL),
	};
	err_t e;
	(void)state;

	err_clear(&e);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(org_check_merge_source(src, i, &e), 0);
	/* the third names the first again (by its id, say): refused at the third */
	src[2] = src[0];
	assert_int_equal(org_check_merge_source(src, 1, &e), 0);
	expect_invalid(org_check_merge_source(src, 2, &e), &e, "sources", "unit 04 is listed twice");
	assert_string_equal(e.message, "unit 04 is listed twice");
}

static void merge_new_unit_not_under_a_source(void **state)
{
	unit_t src[2] = {
		mk(4, "04", "commune", 3, "2008-08-01", NULL),
		mk(5, "05", "commune", 3, "2008-08-01", NULL),
	};
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(org_check_merge_parent("01", src, 2, &e), 0);
	assert_int_equal(org_check_merge_parent("", src, 2, &e), 0); /* a root */
	expect_invalid(org_check_merge_parent("05", src, 2, &e), &e, "into.parent", "one of the merged units");
	assert_string_equal(e.details[0].code, "is_merged");
	assert_string_equal(e.message, "the new unit cannot be placed under a unit merged into it");
}

static unit_spec_t part(const char *code)
{
	unit_spec_t s;

	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", code);
	return s;
}

static void split_needs_two_to_a_hundred_parts(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(org_check_split_plan(2, &e), 0);
	assert_int_equal(org_check_split_plan(ORG_SPLIT_PARTS_MAX, &e), 0);
	expect_invalid(org_check_split_plan(1, &e), &e, "into", "needs 2 or more new units");
	assert_string_equal(e.details[0].code, "too_few");
	assert_string_equal(e.message, "a split needs from 2 to 100 new units");
	err_clear(&e);
	expect_invalid(org_check_split_plan(0, &e), &e, "into", NULL);
	err_clear(&e);
	expect_invalid(org_check_split_plan(ORG_SPLIT_PARTS_MAX + 1, &e), &e, "into", NULL);
}

static void split_parts_have_their_own_codes(void **state)
{
	unit_spec_t parts[3] = { part("A"), part("B"), part("A") };
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(org_check_split_part(parts, 0, &e), 0);
	assert_int_equal(org_check_split_part(parts, 1, &e), 0);
	expect_invalid(org_check_split_part(parts, 2, &e), &e, "into[2].code", "code A is used twice");
	assert_string_equal(e.message, "two new units have the same code");
}

static void split_places_every_child_in_a_part(void **state)
{
	unit_spec_t parts[2] = { part("P1"), part("P2") };
	const char *children[] = { "C1", "C2", "C1" }; /* C1 under the unit twice, in two intervals */
	child_assign_t both[] = { { "C1", "P1" }, { "C2", "P2" } };
	child_assign_t only_c1[] = { { "C1", "P1" } };
	child_assign_t elsewhere[] = { { "C1", "P1" }, { "C2", "P9" } };
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(org_check_split_children("S", children, 3, parts, 2, both, 2, &e), 0);
	/* no children and no assignments */
	assert_int_equal(org_check_split_children("S", NULL, 0, parts, 2, NULL, 0, &e), 0);
	assert_int_equal(e.n_details, 0);

	/* a child left out */
	expect_invalid(org_check_split_children("S", children, 3, parts, 2, only_c1, 1, &e), &e, "children",
		       "child C2 is not assigned to a new unit");
	assert_string_equal(e.message, "every child of S must go to one of the new units");

	/* an assignment to a code that is not a part */
	err_clear(&e);
	expect_invalid(org_check_split_children("S", children, 3, parts, 2, elsewhere, 2, &e), &e, "children",
		       "P9 is not one of the new units");

	/* every problem is a detail: each interval of an unassigned child,
	 * then each assignment that names no part */
	err_clear(&e);
	assert_int_equal(org_check_split_children("S", children, 3, parts, 2, elsewhere + 1, 1, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.code, "invalid");
	assert_int_equal(e.n_details, 3);
	assert_string_equal(e.details[0].message, "child C1 is not assigned to a new unit");
	assert_string_equal(e.details[1].message, "child C1 is not assigned to a new unit");
	assert_string_equal(e.details[2].message, "P9 is not one of the new units");
	for (int i = 0; i < e.n_details; i++)
		assert_string_equal(e.details[i].field, "children");
}

/* ---- lineage over an in-memory graph ---- */

typedef struct edge {
	int64_t from, to, event;
} edge_t;

/* 24 + 27 -> 90 (event 1); 90 -> 91, 92 (split, event 2); 5 + 91 -> 93 (event 3) */
static const edge_t GRAPH[] = {
	{ 24, 90, 1 }, { 27, 90, 1 }, { 90, 91, 2 }, { 90, 92, 2 }, { 5, 93, 3 }, { 91, 93, 3 },
};

static int graph_neighbours(void *ctx, int64_t id, lineage_dir_t dir, lineage_edge_t *out, size_t cap,
			    size_t *n, err_t *e)
{
	int *calls = ctx;
	(void)e;
	(*calls)++;
	*n = 0;
	for (size_t i = 0; i < sizeof(GRAPH) / sizeof(GRAPH[0]) && *n < cap; i++) {
		if (dir == LINEAGE_FORWARD && GRAPH[i].from == id)
			out[(*n)++] = (lineage_edge_t){ GRAPH[i].to, GRAPH[i].event };
		if (dir == LINEAGE_BACK && GRAPH[i].to == id)
			out[(*n)++] = (lineage_edge_t){ GRAPH[i].from, GRAPH[i].event };
	}
	return 0;
}

static int failing_neighbours(void *ctx, int64_t id, lineage_dir_t dir, lineage_edge_t *out, size_t cap,
			      size_t *n, err_t *e)
{
	(void)ctx;
	(void)id;
	(void)dir;
	(void)out;
	(void)cap;
	*n = 0;
	return err_set(e, ERR_INTERNAL, NULL, "store down");
}

static bool has_step(const lineage_step_t *s, size_t n, int64_t id, int depth)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].unit_id == id && s[i].depth == depth)
			return true;
	return false;
}

static void lineage_is_transitive_both_ways(void **state)
{
	lineage_step_t *s = NULL;
	size_t n = 0;
	int calls = 0;
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(lineage_walk(93, LINEAGE_BACK, graph_neighbours, &calls, &s, &n, &e), 0);
	assert_int_equal(n, 5);
	assert_true(has_step(s, n, 5, 1));
	assert_true(has_step(s, n, 91, 1));
	assert_true(has_step(s, n, 90, 2));
	assert_true(has_step(s, n, 24, 3));
	assert_true(has_step(s, n, 27, 3));
	free(s);

	assert_int_equal(lineage_walk(24, LINEAGE_FORWARD, graph_neighbours, &calls, &s, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_true(has_step(s, n, 90, 1));
	assert_true(has_step(s, n, 91, 2));
	assert_true(has_step(s, n, 92, 2));
	assert_true(has_step(s, n, 93, 3));
	free(s);

	/* a unit nobody merged: no lineage */
	assert_int_equal(lineage_walk(46, LINEAGE_BACK, graph_neighbours, &calls, &s, &n, &e), 0);
	assert_int_equal(n, 0);
	free(s);
}

static void lineage_passes_on_failures(void **state)
{
	lineage_step_t *s = NULL;
	size_t n = 7;
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(lineage_walk(1, LINEAGE_BACK, failing_neighbours, NULL, &s, &n, &e), -1);
	assert_null(s);
	assert_int_equal(n, 0);
	assert_string_equal(e.message, "store down");
}

/* The heir of a split unit: the part that kept its code, else the first
 * (lowest id); a merge's one target. */
static void lineage_heir_keeps_the_code_else_the_first(void **state)
{
	const lineage_target_t split[] = { { 40, "A.2b" }, { 39, "A.2" }, { 41, "A.2c" } };
	const lineage_target_t fresh[] = { { 12, "N2" }, { 11, "N1" }, { 13, "N3" } };
	const lineage_target_t one[] = { { 7, "AB" } };
	(void)state;

	assert_int_equal(lineage_heir("A.2", split, 3), 1);
	assert_int_equal(lineage_heir("A.2c", split, 3), 2);
	assert_int_equal(lineage_heir("OLD", fresh, 3), 1);
	assert_int_equal(lineage_heir("A.1", one, 1), 0);
	assert_int_equal(lineage_heir(NULL, fresh, 3), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alive_checks_both_ends),
		cmocka_unit_test(parent_must_cover_the_interval_and_be_above),
		cmocka_unit_test(cycles_are_refused),
		cmocka_unit_test(one_parent_and_one_name_a_day),
		cmocka_unit_test(close_needs_no_children),
		cmocka_unit_test(codes_are_unique_on_a_date),
		cmocka_unit_test(merge_needs_one_target_and_enough_sources),
		cmocka_unit_test(merge_sources_are_listed_once),
		cmocka_unit_test(merge_new_unit_not_under_a_source),
		cmocka_unit_test(split_needs_two_to_a_hundred_parts),
		cmocka_unit_test(split_parts_have_their_own_codes),
		cmocka_unit_test(split_places_every_child_in_a_part),
		cmocka_unit_test(lineage_is_transitive_both_ways),
		cmocka_unit_test(lineage_passes_on_failures),
		cmocka_unit_test(lineage_heir_keeps_the_code_else_the_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
