/*
 * Store tests of the membership statistics (store/member_stats.h) on
 * SQLite and PostgreSQL, on a small history written by hand: two communes
 * in two provinces merged on 2025-07-01 as the reform merged provinces (P1
 * and P2 into a new P1, as 24 and 27 became the new 24),
 * a branch split (its code kept by one part), two branches merged, a
 * branch closed, members who join, move, leave and die.
 *
 * What is checked: a unit's total is its direct members plus its
 * children's, on both views, on every date, level by level; the national
 * total is the same on both views; the mapped series runs on across the
 * reform; a split unit's members go to the part that kept its code; flows
 * reconcile with the totals at both ends of a period; the breakdowns group
 * free text by its folded form and count circumstances by word, the
 * sensitive ones only when asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ancestry.h"
#include "store/member_load.h"
#include "store/member_stats.h"
#include "store/member_tally.h"
#include "store/privacy.h"
#include "store/members.h"
#include "store/org_store.h"
#include "store_fixture.h"

static principal_t SYS;

/* "Today" of the mapped view in these tests: after every change below. */
#define TODAY "2026-06-30"

static date_t D(const char *s)
{
	date_t d = 0;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static unit_t get(db_t *db, const char *code, const char *as_of)
{
	return fixture_unit(db, code, D(as_of));
}

static void spec(unit_spec_t *s, const char *code, const char *name, const char *level, const char *parent)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->code, sizeof(s->code), "%s", code);
	snprintf(s->name_vi, sizeof(s->name_vi), "%s", name);
	snprintf(s->name_en, sizeof(s->name_en), "%s", name);
	snprintf(s->level, sizeof(s->level), "%s", level ? level : "");
	snprintf(s->parent, sizeof(s->parent), "%s", parent ? parent : "");
}

static void add_unit(db_t *db, const char *code, const char *name, const char *level, const char *parent,
		     const char *date)
{
	unit_spec_t s;
	unit_t u;
	err_t e;

	spec(&s, code, name, level, parent);
	err_clear(&e);
	if (org_create(db, &SYS, &s, D(date), NULL, &u, &e))
		fail_msg("create %s: %s", code, e.message);
}

typedef struct person_in {
	const char *name, *born, *unit, *joined, *ethnicity, *religion, *education, *occupation, *circumstances;
	member_kind_t kind;
} person_in_t;

static int64_t join(db_t *db, const person_in_t *in)
{
	person_t p;
	err_t e;

	memset(&p, 0, sizeof(p));
	snprintf(p.full_name, sizeof(p.full_name), "%s", in->name);
	p.birth_date = D(in->born);
	p.sex = SEX_FEMALE;
	snprintf(p.ethnicity, sizeof(p.ethnicity), "%s", in->ethnicity ? in->ethnicity : "01");
	snprintf(p.religion, sizeof(p.religion), "%s", in->religion ? in->religion : "");
	snprintf(p.education, sizeof(p.education), "%s", in->education ? in->education : "");
	snprintf(p.occupation, sizeof(p.occupation), "%s", in->occupation ? in->occupation : "");
	snprintf(p.circumstances, sizeof(p.circumstances), "%s", in->circumstances ? in->circumstances : "");
	err_clear(&e);
	if (member_add(db, &SYS, &p, get(db, in->unit, in->joined).id, in->kind, D(in->joined), &e))
		fail_msg("add %s: %s", in->name, e.message);
	return p.id;
}

/* Her stay ends on `date` for reason; with to (a code on that day), she
 * moves there. */
static void end_stay(db_t *db, int64_t id, const char *date, const char *reason, const char *to)
{
	err_t e;

	err_clear(&e);
	if (member_end_stay(db, &SYS, id, D(date), reason, to ? get(db, to, date).id : 0, &e))
		fail_msg("end stay of %lld on %s: %s", (long long)id, date, e.message);
}

/* The people of the history, in the order they are added. */
enum { P_LAN, P_MAI, P_HOA, P_HUONG, P_THAO, P_YEN, P_NGA, P_LINH, P_TRANG, P_DUNG, P_OUT, N_PEOPLE };
static int64_t ids[N_PEOPLE];

/*
 * 2008-08-01  provinces P1 and P2
 * 2020-01-01  communes A (under P1) and B (under P2);
 *             branches A.1 (group A.1.1 under it), A.2, A.3, B.1; in 01
 *             (Hà Nội) commune O with branch O.1
 * 2024-05-01  Yến (A.3) moves away; 2024-06-01 A.3 is closed
 * 2024-08-01  Nga (B.1) dies; 2024-09-01 Linh moves from B.1 to A.1
 * 2025-02-01  Dung moves from O.1 (Hà Nội) to A.1
 * 2025-03-01  Trang (A.1) marries away
 * 2025-07-01  P1 and P2 merge into a new P1 (A and B go with them)
 * 2025-09-01  A.2 is split into A.2 (a new unit that keeps the code) and
 *             A.2b; its members (Hương, Thảo) go to the new A.2 with it;
 *             2025-09-02 Thảo moves to A.2b
 * 2025-10-01  A.1 and B.1 are merged into AB.1 (the group with it); Lan,
 *             Mai, Linh and Dung go to AB.1 with them
 */
static int setup(void **state)
{
	static const person_in_t PEOPLE[N_PEOPLE] = {
		[P_LAN] = { "Nguyễn Thị Lan", "1985-03-01", "A.1", "2020-03-01", "01", "Phật giáo", "Đại học", "Nông dân",
			    "poor disabled", MEMBER_REGULAR },
		[P_MAI] = { "Trần Thị Mai", "1990-07-15", "A.1", "2021-05-01", "01", "Không", "Đại học", "nông dân",
			    "near_poor", MEMBER_REGULAR },
		[P_HOA] = { "Lê Thị Hoa", "1995-01-20", "A.1.1", "2022-01-10", "02", "", "dai hoc", "Công nhân",
			    "single_mother  poor poor", MEMBER_REGULAR },
		[P_HUONG] = { "Phạm Thị Hương", "1960-02-29", "A.2", "2020-06-01", "01", "Công giáo", "Trung cấp", "",
			      "", MEMBER_HONORARY },
		[P_THAO] = { "Vũ Thị Thảo", "1975-12-31", "A.2", "2023-02-01", "01", "", "", "", "migrant_worker",
			     MEMBER_REGULAR },
		[P_YEN] = { "Đỗ Thị Yến", "1980-01-01", "A.3", "2021-01-01", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
		[P_NGA] = { "Hồ Thị Nga", "1950-05-05", "B.1", "2020-01-15", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
		[P_LINH] = { "Ngô Thị Linh", "1999-09-09", "B.1", "2024-03-01", NULL, NULL, NULL, NULL, NULL,
			     MEMBER_REGULAR },
		[P_TRANG] = { "Bùi Thị Trang", "1992-02-02", "A.1", "2024-02-01", NULL, NULL, NULL, NULL, NULL,
			      MEMBER_REGULAR },
		[P_DUNG] = { "Đặng Thị Dung", "1988-08-08", "O.1", "2020-02-01", NULL, NULL, NULL, NULL, NULL,
			     MEMBER_REGULAR },
		[P_OUT] = { "Mai Thị Ngọc", "1987-04-04", "O.1", "2020-02-01", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
	};
	const char *ab[] = { "A.1", "B.1" }, *provinces[] = { "P1", "P2" };
	child_assign_t none[1];
	unit_spec_t parts[2], into;
	unit_list_t out;
	unit_t u;
	db_t *db = fixture_seeded_db();
	err_t e;

	add_unit(db, "P1", "Tỉnh Một", "province", "VN", "2008-08-01");
	add_unit(db, "P2", "Tỉnh Hai", "province", "VN", "2008-08-01");
	add_unit(db, "A", "Xã An", "commune", "P1", "2020-01-01");
	add_unit(db, "B", "Xã Bình", "commune", "P2", "2020-01-01");
	add_unit(db, "O", "Xã Ở Xa", "commune", "01", "2020-01-01");
	add_unit(db, "A.1", "Chi hội An Một", "branch", "A", "2020-01-01");
	add_unit(db, "A.1.1", "Tổ phụ nữ An Một", "group", "A.1", "2020-01-01");
	add_unit(db, "A.2", "Chi hội An Hai", "branch", "A", "2020-01-01");
	add_unit(db, "A.3", "Chi hội An Ba", "branch", "A", "2020-01-01");
	add_unit(db, "B.1", "Chi hội Bình Một", "branch", "B", "2020-01-01");
	add_unit(db, "O.1", "Chi hội Xa Một", "branch", "O", "2020-01-01");
	for (int i = 0; i < N_PEOPLE; i++)
		ids[i] = join(db, &PEOPLE[i]);
	end_stay(db, ids[P_YEN], "2024-05-01", "moved_away", NULL);
	err_clear(&e);
	if (org_close(db, &SYS, "A.3", D("2024-06-01"), NULL, &u, &e))
		fail_msg("close A.3: %s", e.message);
	end_stay(db, ids[P_NGA], "2024-08-01", "died", NULL);
	end_stay(db, ids[P_LINH], "2024-09-01", "transferred", "A.1");
	end_stay(db, ids[P_DUNG], "2025-02-01", "transferred", "A.1");
	end_stay(db, ids[P_TRANG], "2025-03-01", "married_away", NULL);

	spec(&into, "P1", "Tỉnh Một Mới", "province", "VN");
	err_clear(&e);
	if (org_merge(db, &SYS, provinces, 2, D("2025-07-01"), &into, NULL, NULL, &u, NULL, &e))
		fail_msg("merge P1, P2: %s", e.message);

	spec(&parts[0], "A.2", "Chi hội An Hai", NULL, NULL);
	spec(&parts[1], "A.2b", "Chi hội An Hai B", NULL, NULL);
	if (org_split(db, &SYS, "A.2", D("2025-09-01"), parts, 2, none, 0, NULL, &out, NULL, &e))
		fail_msg("split A.2: %s", e.message);
	unit_list_free(&out);
	end_stay(db, ids[P_THAO], "2025-09-02", "transferred", "A.2b");

	spec(&into, "AB.1", "Chi hội An Bình", NULL, NULL);
	if (org_merge(db, &SYS, ab, 2, D("2025-10-01"), &into, NULL, NULL, &u, NULL, &e))
		fail_msg("merge A.1, B.1: %s", e.message);
	*state = db;
	return 0;
}

/* The figures kept in the writes are those a recount gives. */
static void tally_agrees(db_t *db)
{
	size_t rows = 0, diffs = 0;
	bool kept = false;
	err_t e;

	err_clear(&e);
	if (member_tally_check(db, stderr, &kept, &rows, &diffs, &e))
		fail_msg("tally check: %s", e.message);
	assert_true(kept);
	assert_true(rows > 0);
	assert_int_equal(diffs, 0);
}

static int teardown(void **state)
{
	size_t checked = 0, diffs = 0;
	err_t e;

	err_clear(&e);
	if (ancestry_check(*state, stderr, &checked, &diffs, &e))
		fail_msg("ancestry check: %s", e.message);
	assert_int_equal(diffs, 0);
	tally_agrees(*state);
	db_close(*state);
	return 0;
}

/* The figures of `code` (on the tree's day of the view) on as_of, with the
 * flows of [from, to] when from is given. */
static member_stats_t stats(db_t *db, const char *code, const char *as_of, bool mapped, bool sensitive,
			    const char *from, const char *to)
{
	member_stats_opts_t o = { .as_of = D(as_of), .mapped = mapped, .today = D(TODAY), .with_sensitive = sensitive };
	char tree[DATE_STR_LEN];
	member_stats_t s;
	err_t e;

	if (from) {
		o.flows = true;
		o.from = D(from);
		o.to = D(to);
	}
	err_clear(&e);
	if (member_stats(db, get(db, code, date_format(member_stats_tree_date(&o), tree)).id, &o, &s, &e))
		fail_msg("stats of %s on %s: %s", code, as_of, e.message);
	return s;
}

static const member_child_count_t *child(const member_stats_t *s, const char *code)
{
	for (size_t i = 0; i < s->n_children; i++)
		if (!strcmp(s->children[i].unit.code, code))
			return &s->children[i];
	fail_msg("no child %s", code);
	return NULL;
}

/* The unit's total is its direct members plus its children's; each
 * child's own figure is its row here; and so on down, while there are
 * members. Returns the number of units checked. */
static int check_adds_up(db_t *db, const char *code, const char *as_of, bool mapped, int64_t want_total)
{
	member_stats_t s = stats(db, code, as_of, mapped, true, NULL, NULL);
	int64_t sum = s.direct, ages = 0, branches = 0;
	int checked = 1;

	if (want_total >= 0 && s.total != want_total)
		fail_msg("%s on %s (%s): %lld, its row above says %lld", code, as_of, mapped ? "mapped" : "as of",
			 (long long)s.total, (long long)want_total);
	for (size_t i = 0; i < s.n_children; i++) {
		sum += s.children[i].total;
		branches += s.children[i].branches;
	}
	for (int i = 0; i < MEMBER_AGE_BANDS; i++)
		ages += s.age[i];
	if (sum != s.total || ages != s.total)
		fail_msg("%s on %s (%s): total %lld, direct + children %lld, ages %lld", code, as_of,
			 mapped ? "mapped" : "as of", (long long)s.total, (long long)sum, (long long)ages);
	assert_true(branches <= s.branches);
	for (size_t i = 0; i < s.n_children; i++)
		if (s.children[i].total > 0)
			checked += check_adds_up(db, s.children[i].unit.code, as_of, mapped, s.children[i].total);
	member_stats_free(&s);
	return checked;
}

static const char *const DAYS[] = {
	"2019-12-31", "2020-06-30", "2021-12-31", "2023-06-30", "2024-05-15", "2024-07-01", "2024-12-31",
	"2025-06-30", "2025-07-01", "2025-08-31", "2025-09-01", "2025-09-30", "2025-10-01", "2026-06-30",
};

static void totals_add_up_on_both_views(void **state)
{
	db_t *db = *state;

	for (size_t i = 0; i < sizeof(DAYS) / sizeof(DAYS[0]); i++) {
		member_stats_t a = stats(db, "VN", DAYS[i], false, true, NULL, NULL);
		member_stats_t m = stats(db, "VN", DAYS[i], true, true, NULL, NULL);
		/* the national total is the same on both views */
		if (a.total != m.total)
			fail_msg("VN on %s: %lld as of the day, %lld mapped", DAYS[i], (long long)a.total, (long long)m.total);
		assert_true(check_adds_up(db, "VN", DAYS[i], false, a.total) >= (a.total ? 4 : 1));
		assert_true(check_adds_up(db, "VN", DAYS[i], true, m.total) >= (m.total ? 4 : 1));
		member_stats_free(&a);
		member_stats_free(&m);
	}
}

static void mapped_series_runs_across_the_reform(void **state)
{
	db_t *db = *state;
	/* the new P1 mapped: everyone of the old P1 and P2 on the eve of the
	 * merger, and the same on its first day */
	member_stats_t eve = stats(db, "P1", "2025-06-30", true, false, NULL, NULL);
	member_stats_t day = stats(db, "P1", "2025-07-01", true, false, NULL, NULL);
	member_stats_t old24 = stats(db, "P1", "2025-06-30", false, false, NULL, NULL);
	member_stats_t old27 = stats(db, "P2", "2025-06-30", false, false, NULL, NULL);

	assert_true(eve.mapped);
	assert_int_equal(eve.tree_date, D(TODAY));
	assert_int_equal(eve.total, old24.total + old27.total);
	assert_int_equal(eve.total, day.total);
	/* Lan, Mai, Hoa, Linh, Dung; Hương, Thảo */
	assert_int_equal(eve.total, 7);
	/* the mapped view's children are today's: A and B (B's one branch
	 * went into AB.1 under A) */
	assert_int_equal(child(&eve, "A")->total, 7);
	assert_int_equal(child(&eve, "B")->total, 0);
	assert_int_equal(old24.total, 7);
	assert_int_equal(old27.total, 0);
	member_stats_free(&eve);
	member_stats_free(&day);
	member_stats_free(&old24);
	member_stats_free(&old27);

	/* 2024-07-01: Lan, Mai, Trang (A.1), Hoa (its group), Nga and Linh
	 * (B.1, under P2 then): all in AB.1 now; Hương and Thảo in A.2 */
	eve = stats(db, "A", "2024-07-01", true, false, NULL, NULL);
	assert_int_equal(child(&eve, "AB.1")->total, 6);
	assert_int_equal(child(&eve, "A.2")->total, 2);
	assert_int_equal(eve.total, 8);
	member_stats_free(&eve);
}

static void a_split_unit_goes_to_the_part_that_kept_its_code(void **state)
{
	db_t *db = *state;
	/* on 2025-08-31 Hương and Thảo were in A.2; mapped, both count in
	 * the new A.2 (it kept the code), none in A.2b */
	member_stats_t m = stats(db, "A", "2025-08-31", true, true, NULL, NULL);
	member_stats_t a = stats(db, "A", "2025-09-02", false, true, NULL, NULL);

	assert_int_equal(child(&m, "A.2")->total, 2);
	assert_int_equal(child(&m, "A.2b")->total, 0);
	/* the branches and groups of that day counted where they are now:
	 * A.1 and B.1 (in AB.1), the group A.1.1, the old A.2 (in A.2) */
	assert_int_equal(m.branches, 4);
	assert_int_equal(child(&m, "AB.1")->branches, 3);
	assert_int_equal(child(&m, "A.2")->branches, 1);
	/* from the split on, each where she went */
	assert_int_equal(child(&a, "A.2")->total, 1);
	assert_int_equal(child(&a, "A.2b")->total, 1);
	member_stats_free(&m);
	member_stats_free(&a);

	/* A.3 closed without an heir: Yến, there in 2023, counts in A itself */
	m = stats(db, "A", "2023-06-30", true, true, NULL, NULL);
	a = stats(db, "A", "2023-06-30", false, true, NULL, NULL);
	assert_int_equal(m.direct, 1);
	assert_int_equal(a.direct, 0);
	assert_int_equal(child(&a, "A.3")->total, 1);
	assert_int_equal(m.total, a.total + 1); /* and Nga: B.1 is in AB.1 now */
	member_stats_free(&m);
	member_stats_free(&a);
}

static void check_flows(db_t *db, const char *code, const char *from, const char *to, bool mapped)
{
	member_stats_t s = stats(db, code, to, mapped, false, from, to);
	const member_flows_t *f = &s.flows;
	char before[DATE_STR_LEN];
	member_stats_t open = stats(db, code, date_format(D(from) - 1, before), mapped, false, NULL, NULL);
	int64_t reasons = 0;

	assert_true(s.has_flows);
	for (int i = 0; i < MEMBER_LEAVE_REASONS; i++)
		reasons += f->left[i];
	assert_int_equal(reasons, f->left_total);
	if (f->closing != f->opening + f->joined + f->rejoined + f->transfers_in - f->left_total - f->transfers_out)
		fail_msg("%s %s..%s (%s): %lld + %lld + %lld + %lld - %lld - %lld != %lld", code, from, to,
			 mapped ? "mapped" : "as of", (long long)f->opening, (long long)f->joined, (long long)f->rejoined,
			 (long long)f->transfers_in, (long long)f->left_total, (long long)f->transfers_out,
			 (long long)f->closing);
	assert_int_equal(f->closing, s.total);
	if (mapped)
		assert_int_equal(f->opening, open.total);
	member_stats_free(&s);
	member_stats_free(&open);
}

static void flows_reconcile(void **state)
{
	db_t *db = *state;
	static const char *const PERIODS[][2] = {
		{ "2020-01-01", "2020-12-31" }, { "2024-01-01", "2024-12-31" }, { "2025-01-01", "2025-12-31" },
		{ "2024-06-01", "2025-09-30" }, { "2020-01-01", "2026-06-30" }, { "2025-07-01", "2025-07-01" },
	};

	for (size_t i = 0; i < sizeof(PERIODS) / sizeof(PERIODS[0]); i++) {
		check_flows(db, "VN", PERIODS[i][0], PERIODS[i][1], true);
		check_flows(db, "VN", PERIODS[i][0], PERIODS[i][1], false);
		check_flows(db, "P1", PERIODS[i][0], PERIODS[i][1], true);
		check_flows(db, "A", PERIODS[i][0], PERIODS[i][1], true);
	}
}

static void flows_count_transfers_across_the_edge_only(void **state)
{
	db_t *db = *state;
	/* 2024, the old P1 as the tree stood at the end of the year: Linh
	 * came from B.1 (P2), Trang joined; A.3 was closed in June, so it is
	 * not one of the units counted and Yến's leaving is not in them */
	member_stats_t s = stats(db, "P1", "2024-12-31", false, false, "2024-01-01", "2024-12-31");

	assert_int_equal(s.flows.transfers_in, 1);
	assert_int_equal(s.flows.joined, 1);
	assert_int_equal(s.flows.left_total, 0);
	assert_int_equal(s.flows.opening, 5);
	assert_int_equal(s.flows.closing, 7);
	member_stats_free(&s);
	/* mapped onto the new P1: Linh joined B.1 and her move is inside
	 * it; Yến (A.3, counted in A) moved away, Nga died */
	s = stats(db, "P1", "2024-12-31", true, false, "2024-01-01", "2024-12-31");
	assert_int_equal(s.flows.transfers_in, 0);
	assert_int_equal(s.flows.transfers_out, 0);
	assert_int_equal(s.flows.joined, 2);
	assert_int_equal(s.flows.left[LEAVE_MOVED_AWAY], 1);
	assert_int_equal(s.flows.left[LEAVE_DIED], 1);
	assert_int_equal(s.flows.left_total, 2);
	assert_int_equal(s.flows.opening, 7);
	assert_int_equal(s.flows.closing, 7);
	member_stats_free(&s);
	/* 2025 for A mapped: Dung came from Hà Nội; the moves of the split
	 * and the merge are inside A; Trang married away */
	s = stats(db, "A", "2025-12-31", true, false, "2025-01-01", "2025-12-31");
	assert_int_equal(s.flows.transfers_in, 1);
	assert_int_equal(s.flows.transfers_out, 0);
	assert_int_equal(s.flows.left[LEAVE_MARRIED_AWAY], 1);
	member_stats_free(&s);
	/* and for O, Dung's move is a transfer out */
	s = stats(db, "O", "2025-12-31", false, false, "2025-01-01", "2025-12-31");
	assert_int_equal(s.flows.transfers_out, 1);
	assert_int_equal(s.flows.closing, 1);
	member_stats_free(&s);
}

static const text_group_t *group(const text_groups_t *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->groups[i].key, key))
			return &g->groups[i];
	return NULL;
}

static void breakdowns_fold_text_and_mask_what_is_sensitive(void **state)
{
	db_t *db = *state;
	member_stats_t s = stats(db, "A", "2024-12-31", false, true, NULL, NULL);
	const text_group_t *g;

	/* Lan, Mai, Hoa, Hương, Thảo, Linh, Trang */
	assert_int_equal(s.total, 7);
	assert_int_equal(s.honorary, 1);
	/* "Đại học" twice and "dai hoc" once: one group, named as most write it */
	g = group(&s.education, "dai hoc");
	assert_non_null(g);
	assert_int_equal(g->n, 3);
	assert_string_equal(g->label, "Đại học");
	assert_int_equal(s.education.groups[0].n, 3); /* the largest first */
	assert_int_equal(s.education.none, 3);
	assert_int_equal(group(&s.occupation, "nong dan")->n, 2);
	/* a free-text breakdown sums to the total */
	{
		int64_t sum = s.education.other + s.education.none;
		for (size_t i = 0; i < s.education.n; i++)
			sum += s.education.groups[i].n;
		assert_int_equal(sum, s.total);
	}
	assert_int_equal(group(&s.religion, "phat giao")->n, 1);
	/* circumstances by word, once a member: poor twice (Hoa wrote it twice) */
	assert_int_equal(group(&s.circumstances, "poor")->n, 2);
	assert_int_equal(group(&s.circumstances, "disabled")->n, 1);
	assert_int_equal(s.circumstances.none, 3);
	assert_int_equal(s.ethnicity[0].n, 6);
	assert_string_equal(s.ethnicity[0].key, "01");
	assert_string_equal(s.ethnicity[0].name_vi, "Kinh");
	member_stats_free(&s);

	/* without sensitive.read: no ethnicity, no religion, no disability */
	s = stats(db, "A", "2024-12-31", false, false, NULL, NULL);
	assert_int_equal(s.n_ethnicity, 0);
	assert_int_equal(s.religion.n, 0);
	assert_null(group(&s.circumstances, "disabled"));
	assert_int_equal(group(&s.circumstances, "poor")->n, 2);
	assert_int_equal(s.circumstances.none, 3);
	assert_int_equal(s.education.groups[0].n, 3);
	member_stats_free(&s);
}

static void ages_by_the_day(void **state)
{
	db_t *db = *state;
	/* Hương, born 29 February 1960, is 60 on 2020-06-30 and counts in
	 * 46-60 */
	member_stats_t s = stats(db, "A.2", "2020-06-30", false, false, NULL, NULL);

	assert_int_equal(s.total, 1);
	assert_int_equal(s.age[2], 1);
	member_stats_free(&s);
	s = stats(db, "A.2", "2021-03-01", false, false, NULL, NULL);
	assert_int_equal(s.age[3], 1); /* 61 on 1 March 2021 */
	member_stats_free(&s);
	s = stats(db, "A.2", "2021-02-28", false, false, NULL, NULL);
	assert_int_equal(s.age[2], 1); /* not yet */
	member_stats_free(&s);
}

/* ---- the figures kept in the writes against those counted ---- */

static member_stats_t stats_opts(db_t *db, const char *code, member_stats_opts_t *o)
{
	char tree[DATE_STR_LEN];
	member_stats_t s;
	err_t e;

	err_clear(&e);
	if (member_stats(db, get(db, code, date_format(member_stats_tree_date(o), tree)).id, o, &s, &e))
		fail_msg("stats of %s: %s", code, e.message);
	return s;
}

static void same_groups(const text_groups_t *a, const text_groups_t *b, const char *what)
{
	if (a->n != b->n || a->other != b->other || a->none != b->none || a->other_groups != b->other_groups)
		fail_msg("%s: %zu groups, other %lld, none %lld kept; %zu, %lld, %lld counted", what, a->n,
			 (long long)a->other, (long long)a->none, b->n, (long long)b->other, (long long)b->none);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->groups[i].key, b->groups[i].key);
		assert_string_equal(a->groups[i].label, b->groups[i].label);
		assert_int_equal(a->groups[i].n, b->groups[i].n);
	}
}

/* Every figure the report shows, kept and counted, for code as of as_of
 * with the flows of [from, as_of]. */
static void kept_is_counted(db_t *db, const char *code, const char *as_of, const char *from, bool sensitive,
			    bool mapped)
{
	member_stats_opts_t o = { .as_of = D(as_of), .today = D(TODAY), .with_sensitive = sensitive, .flows = true,
				  .from = D(from), .to = D(as_of), .mapped = mapped };
	member_stats_t a = stats_opts(db, code, &o), b;

	o.recount = true;
	b = stats_opts(db, code, &o);
	if (a.total != b.total || a.direct != b.direct || a.honorary != b.honorary || a.digital != b.digital ||
	    a.branches != b.branches || a.dues_paid != b.dues_paid || a.dues_amount != b.dues_amount)
		fail_msg("%s on %s: total %lld/%lld, direct %lld/%lld, honorary %lld/%lld, digital %lld/%lld,"
			 " branches %lld/%lld, dues %lld/%lld (kept/counted)",
			 code, as_of, (long long)a.total, (long long)b.total, (long long)a.direct, (long long)b.direct,
			 (long long)a.honorary, (long long)b.honorary, (long long)a.digital, (long long)b.digital,
			 (long long)a.branches, (long long)b.branches, (long long)a.dues_amount, (long long)b.dues_amount);
	for (int i = 0; i < MEMBER_AGE_BANDS; i++)
		assert_int_equal(a.age[i], b.age[i]);
	assert_int_equal(a.n_ethnicity, b.n_ethnicity);
	for (size_t i = 0; i < a.n_ethnicity; i++) {
		assert_string_equal(a.ethnicity[i].key, b.ethnicity[i].key);
		assert_int_equal(a.ethnicity[i].n, b.ethnicity[i].n);
	}
	same_groups(&a.religion, &b.religion, "religion");
	same_groups(&a.education, &b.education, "education");
	same_groups(&a.occupation, &b.occupation, "occupation");
	same_groups(&a.circumstances, &b.circumstances, "circumstances");
	assert_int_equal(a.n_children, b.n_children);
	for (size_t i = 0; i < a.n_children; i++) {
		assert_string_equal(a.children[i].unit.code, b.children[i].unit.code);
		if (a.children[i].total != b.children[i].total || a.children[i].branches != b.children[i].branches)
			fail_msg("%s on %s, child %s: %lld members, %lld branches kept; %lld, %lld counted", code, as_of,
				 a.children[i].unit.code, (long long)a.children[i].total, (long long)a.children[i].branches,
				 (long long)b.children[i].total, (long long)b.children[i].branches);
	}
	/* the flows, every field */
	{
		const member_flows_t *x = &a.flows, *y = &b.flows;
		const int64_t kept[] = { x->opening, x->joined, x->rejoined, x->left_total, x->transfers_in,
					 x->transfers_out, x->closing, x->dues_paid, x->dues_amount };
		const int64_t counted[] = { y->opening, y->joined, y->rejoined, y->left_total, y->transfers_in,
					    y->transfers_out, y->closing, y->dues_paid, y->dues_amount };
		for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
			if (kept[i] != counted[i])
				fail_msg("%s %s..%s: flow figure %zu is %lld kept, %lld counted", code, from, as_of, i,
					 (long long)kept[i], (long long)counted[i]);
		for (int i = 0; i < MEMBER_LEAVE_REASONS; i++)
			assert_int_equal(x->left[i], y->left[i]);
	}
	member_stats_free(&a);
	member_stats_free(&b);
}

/* The figures a lean count gives (member_stats_opts_t.lean) are those of
 * the full count. */
static void same_lean_figures(const member_stats_t *full, const member_stats_t *lean, const char *code,
			      const char *from, const char *to, const char *how)
{
	const int64_t a[] = { full->total, full->direct, full->digital, full->honorary, full->branches,
			      full->dues_paid, full->dues_amount, full->flows.joined, full->flows.rejoined,
			      full->flows.left_total, full->flows.transfers_in, full->flows.transfers_out,
			      full->flows.dues_paid, full->flows.dues_amount };
	const int64_t b[] = { lean->total, lean->direct, lean->digital, lean->honorary, lean->branches,
			      lean->dues_paid, lean->dues_amount, lean->flows.joined, lean->flows.rejoined,
			      lean->flows.left_total, lean->flows.transfers_in, lean->flows.transfers_out,
			      lean->flows.dues_paid, lean->flows.dues_amount };

	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		if (a[i] != b[i])
			fail_msg("%s %s..%s: figure %zu is %lld counted in full, %lld %s", code, from, to, i,
				 (long long)a[i], (long long)b[i], how);
}

/* A lean count read from the kept figures (today's, or the nation's by
 * day) gives the full count's figures, counted. */
static void lean_is_counted(db_t *db, const char *code, const char *as_of, const char *from)
{
	member_stats_opts_t o = { .as_of = D(as_of), .today = D(TODAY), .flows = true, .from = D(from), .to = D(as_of),
				  .recount = true };
	member_stats_t full = stats_opts(db, code, &o), lean;

	o.recount = false;
	o.lean = true;
	lean = stats_opts(db, code, &o);
	same_lean_figures(&full, &lean, code, from, as_of, "lean and kept");
	assert_int_equal(lean.n_children, 0);
	member_stats_free(&full);
	member_stats_free(&lean);
}

static void kept_everywhere(db_t *db, const char *as_of)
{
	static const char *const CODES[] = { "VN", "P1", "01" };
	static const char *const FROM[] = { "2020-01-01", "2024-06-01", "2025-01-01", "2025-07-01", "2026-01-01" };
	bool holds = false;
	err_t e;

	err_clear(&e);
	if (member_tally_holds(db, D(as_of), &holds, &e))
		fail_msg("tally: %s", e.message);
	assert_true(holds); /* so the figures above were read, not counted */
	for (size_t c = 0; c < sizeof(CODES) / sizeof(CODES[0]); c++)
		for (size_t f = 0; f < sizeof(FROM) / sizeof(FROM[0]); f++) {
			kept_is_counted(db, CODES[c], as_of, FROM[f], true, false);
			kept_is_counted(db, CODES[c], as_of, FROM[f], false, false);
			/* today's units, with those that are gone counted apart */
			kept_is_counted(db, CODES[c], as_of, FROM[f], true, true);
			lean_is_counted(db, CODES[c], as_of, FROM[f]);
		}
}

/* The nation's figures by day are the counted ones on every day its
 * history changes and the day before, and on every birthday that moves a
 * member between age bands and the day before, with the flows of the
 * year to the day and of a longer period. */
static size_t by_day_everywhere(db_t *db)
{
	size_t mapped_read = 0, past = 0;
	db_stmt_t *st = NULL;
	char (*days)[DATE_STR_LEN] = NULL;
	size_t n = 0;
	bool hold = false;
	err_t e;

	err_clear(&e);
	if (member_tally_days(db, get(db, "VN", TODAY).id, &hold, &e))
		fail_msg("days: %s", e.message);
	assert_true(hold);
	if (db_prepare(db, "SELECT DISTINCT CAST(x AS TEXT) FROM (SELECT valid_from AS x FROM memberships"
			   " UNION SELECT valid_to FROM memberships UNION SELECT valid_from FROM ancestry"
			   " UNION SELECT valid_to FROM ancestry UNION SELECT paid_on FROM dues_payments) t"
			   " WHERE x < '9999-12-31' ORDER BY 1", &st) != DB_OK)
		fail_msg("days: %s", db_errmsg(db));
	while (db_step(st) == DB_ROW) {
		days = realloc(days, (n + 2) * sizeof(*days));
		assert_non_null(days);
		snprintf(days[n], DATE_STR_LEN, "%s", db_col_text(st, 0));
		date_format(D(days[n]) - 1, days[n + 1]);
		n += 2;
	}
	db_finalize(st);
	/* and the birthdays that move a member to the next age band */
	if (db_prepare(db, "SELECT CAST(birth_date AS TEXT) FROM persons", &st) != DB_OK)
		fail_msg("births: %s", db_errmsg(db));
	while (db_step(st) == DB_ROW) {
		static const int BANDS[] = { 31, 46, 61 };
		int y = 0, m = 0, d = 0;
		assert_int_equal(sscanf(db_col_text(st, 0), "%d-%d-%d", &y, &m, &d), 3);
		for (size_t k = 0; k < 3; k++) {
			int year = y + BANDS[k];
			bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
			char day[DATE_STR_LEN];
			days = realloc(days, (n + 2) * sizeof(*days));
			assert_non_null(days);
			/* born on 29 February: a year older on 1 March of a common year */
			snprintf(day, sizeof(day), "%04d-%02d-%02d", year, m == 2 && d == 29 && !leap ? 3 : m,
				 m == 2 && d == 29 && !leap ? 1 : d);
			snprintf(days[n], DATE_STR_LEN, "%s", day);
			date_format(D(day) - 1, days[n + 1]);
			n += 2;
		}
	}
	db_finalize(st);
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++) {
		char year[DATE_STR_LEN];
		if (strcmp(days[i], TODAY) > 0 || org_unit_get(db, "VN", D(days[i]), &(unit_t){ 0 }, &e))
			continue; /* before the tree, or ahead */
		snprintf(year, sizeof(year), "%.4s-01-01", days[i]);
		{
			/* read, never counted: from the figures of the day's state or by day */
			member_stats_opts_t o = { .as_of = D(days[i]), .today = D(TODAY), .flows = true,
						  .from = D(year), .to = D(days[i]) };
			member_stats_t read = stats_opts(db, "VN", &o);
			assert_int_not_equal(read.source, MEMBER_STATS_COUNTED);
			member_stats_free(&read);
		}
		kept_is_counted(db, "VN", days[i], year, true, false);
		kept_is_counted(db, "VN", days[i], year, false, false);
		lean_is_counted(db, "VN", days[i], year);
		/* mapped onto today's units: the day's view, its provinces
		 * moved whole to today's (member_stats.c mapped_by_day) */
		kept_is_counted(db, "VN", days[i], year, true, true);
		if (strcmp(days[i], TODAY) < 0) {
			member_stats_opts_t o = { .as_of = D(days[i]), .today = D(TODAY), .flows = true,
						  .from = D(year), .to = D(days[i]), .mapped = true };
			member_stats_t read = stats_opts(db, "VN", &o);
			mapped_read += read.source != MEMBER_STATS_COUNTED;
			past++;
			member_stats_free(&read);
		}
		if (strcmp(days[i], "2020-01-01") > 0)
			kept_is_counted(db, "VN", days[i], "2020-01-01", true, false);
	}
	/* read on a third of the past days here (27 of 77): not where a
	 * unit split (whose heir the codes choose) or a stay of the period
	 * lay in a unit gone by the day */
	assert_true(past > 0);
	free(days);
	return mapped_read;
}

static void kept_figures_are_the_counted_ones(void **state)
{
	db_t *db = *state;
	principal_t who;
	member_t m;
	unit_t u;
	err_t e;

	principal_system(&who, "test", D(TODAY));
	/* a branch formed in the year, and its member's dues of the year: the
	 * nation's view as of a day before it does not count them, its view
	 * mapped onto today's units does */
	{
		static const person_in_t VAN = { "Đỗ Thị Vân", "1990-02-02", "A.4", "2026-01-10", NULL, NULL, NULL, NULL,
						 NULL, MEMBER_REGULAR };
		add_unit(db, "A.4", "Chi hội An Bốn", "branch", "A", "2026-01-10");
		err_clear(&e);
		if (dues_pay(db, &who, join(db, &VAN), 2026, 12000, D("2026-01-15"), &e))
			fail_msg("dues in A.4: %s", e.message);
	}
	kept_everywhere(db, TODAY);
	assert_true(by_day_everywhere(db) > 0);
	/* every kind of write after the reform: dues, a record's fields, a
	 * transfer to another province, a rejoining, an erasure, a commune
	 * moved to another province with its members */
	err_clear(&e);
	if (dues_pay(db, &who, ids[P_LAN], 2026, 24000, D("2026-02-01"), &e) ||
	    dues_pay(db, &who, ids[P_MAI], 2025, 12000, D("2026-02-02"), &e))
		fail_msg("dues: %s", e.message);
	if (member_get(db, ids[P_MAI], D(TODAY), &m, &e))
		fail_msg("get: %s", e.message);
	snprintf(m.p.ethnicity, sizeof(m.p.ethnicity), "02");
	snprintf(m.p.religion, sizeof(m.p.religion), "Phật giáo");
	m.p.birth_date = D("1955-01-01");
	m.p.digital = true;
	if (member_update(db, &who, &m.p, &e))
		fail_msg("update: %s", e.message);
	end_stay(db, ids[P_HOA], "2026-03-01", "transferred", "O.1");
	if (member_rejoin(db, &who, ids[P_TRANG], get(db, "O.1", TODAY).id, MEMBER_REGULAR, D("2026-04-01"), &e))
		fail_msg("rejoin: %s", e.message);
	if (privacy_erase_member(db, &who, ids[P_LINH], get(db, "AB.1", TODAY).id, &e))
		fail_msg("erase: %s", e.message);
	if (org_move(db, &who, "O", D("2026-05-01"), "P1", NULL, &u, &e))
		fail_msg("move O: %s", e.message);
	kept_everywhere(db, TODAY);
	by_day_everywhere(db);
	tally_agrees(db);
	/* counted afresh in C (the migration to schema 26): what the writes kept */
	err_clear(&e);
	if (member_load_days_fill(db, &e))
		fail_msg("days fill: %s", e.message);
	tally_agrees(db);
	by_day_everywhere(db);
}

/* A child of the nation a level below the provinces (the tree allows
 * it) has no figures by day: the nation's past days are then counted,
 * with her members under her, not the nation's own. */
static void a_child_below_the_provinces_is_counted(void **state)
{
	static const person_in_t HER = { "Lý Thị Cúc", "1980-05-05", "C0.1", "2021-01-01", NULL, NULL, NULL, NULL, NULL,
					 MEMBER_REGULAR };
	member_stats_opts_t o = { .as_of = D("2024-12-31"), .today = D(TODAY), .flows = true, .from = D("2024-01-01"),
				  .to = D("2024-12-31") };
	db_t *db = *state;
	member_stats_t s;
	bool found = false;

	add_unit(db, "C0", "Xã Trực Thuộc", "commune", "VN", "2020-01-01");
	add_unit(db, "C0.1", "Chi hội Trực Thuộc", "branch", "C0", "2020-01-01");
	join(db, &HER);
	s = stats_opts(db, "VN", &o);
	assert_int_equal(s.source, MEMBER_STATS_COUNTED);
	for (size_t i = 0; i < s.n_children; i++)
		if (strcmp(s.children[i].unit.code, "C0") == 0) {
			found = true;
			assert_int_equal(s.children[i].total, 1);
			assert_int_equal(s.children[i].branches, 1);
		}
	assert_true(found);
	member_stats_free(&s);
	kept_is_counted(db, "VN", "2024-12-31", "2024-01-01", true, false);
	lean_is_counted(db, "VN", "2024-12-31", "2024-01-01");
	kept_is_counted(db, "VN", TODAY, "2026-01-01", true, false);
}

/* A lean count (the totals a report form reads) gives the full count's
 * figures, on days before and after the reform and over periods across
 * it, for the nation, a province and a commune. */
static void lean_is_the_full_count(void **state)
{
	static const char *const CODES[] = { "VN", "P1", "01", "O" };
	static const char *const DAYS[][2] = { { "2020-01-01", "2024-12-31" }, { "2025-01-01", "2025-06-30" },
					       { "2025-07-01", "2025-12-31" }, { "2024-06-01", TODAY } };
	db_t *db = *state;

	for (size_t c = 0; c < sizeof(CODES) / sizeof(CODES[0]); c++)
		for (size_t d = 0; d < sizeof(DAYS) / sizeof(DAYS[0]); d++) {
			member_stats_opts_t o = { .as_of = D(DAYS[d][1]), .today = D(TODAY), .flows = true,
						  .from = D(DAYS[d][0]), .to = D(DAYS[d][1]), .recount = true };
			member_stats_t full, lean;
			err_t e;
			err_clear(&e);
			/* a unit of today that did not exist then has no figures of then */
			if (org_unit_get(db, CODES[c], o.as_of, &(unit_t){ 0 }, &e))
				continue;
			full = stats_opts(db, CODES[c], &o);
			o.lean = true;
			lean = stats_opts(db, CODES[c], &o);
			same_lean_figures(&full, &lean, CODES[c], DAYS[d][0], DAYS[d][1], "lean");
			assert_true(full.total > 0 || strcmp(CODES[c], "O") == 0);
			assert_int_equal(lean.n_children, 0);
			member_stats_free(&full);
			member_stats_free(&lean);
		}
}

/* The nation's view of day d mapped onto today's units, with its flows
 * of the year to d: read from its figures by day (read true), or counted;
 * the counted view's figures are the same either way. */
static member_stats_t nation_mapped(db_t *db, const char *d, bool read)
{
	char year[DATE_STR_LEN];
	member_stats_opts_t o = { .as_of = D(d), .today = D(TODAY), .flows = true, .to = D(d), .mapped = true };
	member_stats_t s;

	snprintf(year, sizeof(year), "%.4s-01-01", d);
	o.from = D(year);
	kept_is_counted(db, "VN", d, year, true, true);
	s = stats_opts(db, "VN", &o);
	if ((s.source != MEMBER_STATS_COUNTED) != read)
		fail_msg("VN mapped on %s: %s", d, read ? "counted, not read" : "read, not counted");
	return s;
}

/*
 * A history where every province of the day went whole into one of today:
 * 2008-08-01  provinces P1 and P2
 * 2020-01-01  communes A (P1) and B (P2); branches A.1, A.3 (A), B.1 (B);
 *             Lan joins A.1 (03-01), Nga B.1 (01-15); Yến A.3 (2021-01-01)
 * 2023-05-01  Yến moves away; 2023-06-01 A.3 is closed (its heir: A)
 * 2024-03-01  Linh joins B.1; 2024-09-01 she moves to A.1
 * 2025-07-01  P1 and P2 merge into a new P1
 * 2025-10-01  A.1 and B.1 merge into AB.1
 */
static int setup_whole(void **state)
{
	static const person_in_t PEOPLE[] = {
		{ "Nguyễn Thị Lan", "1985-03-01", "A.1", "2020-03-01", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
		{ "Hồ Thị Nga", "1950-05-05", "B.1", "2020-01-15", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
		{ "Đỗ Thị Yến", "1980-01-01", "A.3", "2021-01-01", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
		{ "Ngô Thị Linh", "1999-09-09", "B.1", "2024-03-01", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
	};
	const char *ab[] = { "A.1", "B.1" }, *provinces[] = { "P1", "P2" };
	int64_t who[4];
	unit_spec_t into;
	unit_t u;
	db_t *db = fixture_seeded_db();
	err_t e;

	add_unit(db, "P1", "Tỉnh Một", "province", "VN", "2008-08-01");
	add_unit(db, "P2", "Tỉnh Hai", "province", "VN", "2008-08-01");
	add_unit(db, "A", "Xã An", "commune", "P1", "2020-01-01");
	add_unit(db, "B", "Xã Bình", "commune", "P2", "2020-01-01");
	add_unit(db, "A.1", "Chi hội An Một", "branch", "A", "2020-01-01");
	add_unit(db, "A.3", "Chi hội An Ba", "branch", "A", "2020-01-01");
	add_unit(db, "B.1", "Chi hội Bình Một", "branch", "B", "2020-01-01");
	for (size_t i = 0; i < 4; i++)
		who[i] = join(db, &PEOPLE[i]);
	end_stay(db, who[2], "2023-05-01", "moved_away", NULL);
	err_clear(&e);
	if (org_close(db, &SYS, "A.3", D("2023-06-01"), NULL, &u, &e))
		fail_msg("close A.3: %s", e.message);
	end_stay(db, who[3], "2024-09-01", "transferred", "A.1");
	if (dues_pay(db, &SYS, who[0], 2024, 12000, D("2024-02-01"), &e))
		fail_msg("dues: %s", e.message);
	spec(&into, "P1", "Tỉnh Một Mới", "province", "VN");
	if (org_merge(db, &SYS, provinces, 2, D("2025-07-01"), &into, NULL, NULL, &u, NULL, &e))
		fail_msg("merge P1, P2: %s", e.message);
	spec(&into, "AB.1", "Chi hội An Bình", NULL, NULL);
	if (org_merge(db, &SYS, ab, 2, D("2025-10-01"), &into, NULL, NULL, &u, NULL, &e))
		fail_msg("merge A.1, B.1: %s", e.message);
	*state = db;
	return 0;
}

/* Where every province of the day went whole into one of today's, the
 * nation's mapped view of a past day is read from its figures by day
 * (member_stats.c mapped_by_day): each province of the day is added to
 * the one of today its units' heirs lie in, through a merge of provinces,
 * a merge of branches and a closed branch. */
static void provinces_merged_whole_are_read(db_t *db)
{
	/* Lan, Nga and Yến (A.3, closed since: her heir is A) */
	member_stats_t s = nation_mapped(db, "2023-03-01", true);
	member_stats_t p1 = stats(db, "P1", "2023-03-01", false, false, NULL, NULL);
	member_stats_t p2 = stats(db, "P2", "2023-03-01", false, false, NULL, NULL);

	assert_int_equal(s.total, 3);
	assert_int_equal(p1.total + p2.total, 3);
	assert_int_equal(p2.total, 1);
	assert_int_equal(child(&s, "P1")->total, 3);
	assert_int_equal(child(&s, "P1")->branches, p1.branches + p2.branches);
	member_stats_free(&s);
	member_stats_free(&p1);
	member_stats_free(&p2);
	/* the eve of the merger: Lan, Nga and Linh; Lan's dues of 2024 on
	 * the last day of it */
	s = nation_mapped(db, "2025-06-30", true);
	assert_int_equal(child(&s, "P1")->total, 3);
	member_stats_free(&s);
	s = nation_mapped(db, "2024-12-31", true);
	assert_int_equal(child(&s, "P1")->total, 3);
	assert_int_equal(s.dues_paid, 1);
	member_stats_free(&s);
	/* in the year Yến left a branch closed by the day: counted */
	s = nation_mapped(db, "2023-12-31", false);
	member_stats_free(&s);
	assert_true(by_day_everywhere(db) > 0);
}

/* A second unit at the top of the tree (the tree allows one): the
 * nation's subtree then does not hold every unit, so its mapped view is
 * counted, not read: a branch of the other top formed after the day (its
 * dues) and a commune of the other top moved under a province of the
 * nation since the day (its members) are not the nation's on the day. */
static void a_second_top_unit_keeps_the_mapped_nation_counted(db_t *db)
{
	static const person_in_t HERS[] = {
		{ "Lý Thị Cúc", "1980-05-05", "Z1.1", "2020-02-01", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
		{ "Lý Thị Đào", "1981-05-05", "Z2.1", "2026-01-10", NULL, NULL, NULL, NULL, NULL, MEMBER_REGULAR },
	};
	member_stats_t s;
	unit_t u;
	err_t e;

	s = nation_mapped(db, "2026-01-05", true);
	member_stats_free(&s);
	add_unit(db, "ZZ", "Hội Khác", "central", NULL, "2020-01-01");
	add_unit(db, "Z", "Tỉnh Khác", "province", "ZZ", "2020-01-01");
	add_unit(db, "Z1", "Xã Khác Một", "commune", "Z", "2020-01-01");
	add_unit(db, "Z1.1", "Chi hội Khác Một", "branch", "Z1", "2020-01-01");
	add_unit(db, "Z2", "Xã Khác Hai", "commune", "Z", "2020-01-01");
	add_unit(db, "Z2.1", "Chi hội Khác Hai", "branch", "Z2", "2026-01-10");
	join(db, &HERS[0]);
	err_clear(&e);
	if (dues_pay(db, &SYS, join(db, &HERS[1]), 2026, 12000, D("2026-01-15"), &e))
		fail_msg("dues in Z2.1: %s", e.message);
	if (org_move(db, &SYS, "Z1", D("2026-01-20"), "P1", NULL, &u, &e))
		fail_msg("move Z1: %s", e.message);
	s = nation_mapped(db, "2026-01-05", false);
	member_stats_free(&s);
}

/* A unit whose heir lies more merges away than are followed
 * (member_stats_heir, HEIR_STEPS) has none: the nation's mapped view
 * that holds her is counted, and agrees. K0 is merged into K1 on
 * 2026-02-05, K1 into K2 the day after, ..., K63 into K64. */
static void a_heir_too_far_is_unknown(db_t *db)
{
	static const person_in_t HER = { "Lý Thị Cúc", "1980-05-05", "K0", "2026-02-02", NULL, NULL, NULL, NULL, NULL,
					 MEMBER_REGULAR };
	member_stats_t s;
	char code[8], to[8];
	unit_t u;
	err_t e;

	for (int i = 0; i <= 64; i++) {
		snprintf(code, sizeof(code), "K%d", i);
		add_unit(db, code, "Chi hội Nối", "branch", "A", "2026-02-02");
	}
	join(db, &HER);
	for (int i = 0; i < 64; i++) {
		const char *from[1];
		snprintf(code, sizeof(code), "K%d", i);
		snprintf(to, sizeof(to), "K%d", i + 1);
		from[0] = code;
		err_clear(&e);
		if (org_merge(db, &SYS, from, 1, D("2026-02-05") + i, NULL, to, NULL, &u, NULL, &e))
			fail_msg("merge %s into %s: %s", code, to, e.message);
	}
	s = nation_mapped(db, "2026-02-04", false);
	member_stats_free(&s);
}

/* On one history, in turn (each write keeps the earlier reads' days). */
static void the_mapped_nation_is_read_only_where_it_may_be(void **state)
{
	provinces_merged_whole_are_read(*state);
	a_heir_too_far_is_unknown(*state);
	a_second_top_unit_keeps_the_mapped_nation_counted(*state);
}

int main(void)
{
	principal_system(&SYS, "test", fixture_today());
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(totals_add_up_on_both_views),
		T(mapped_series_runs_across_the_reform),
		T(a_split_unit_goes_to_the_part_that_kept_its_code),
		T(flows_reconcile),
		T(flows_count_transfers_across_the_edge_only),
		T(breakdowns_fold_text_and_mask_what_is_sensitive),
		T(ages_by_the_day),
		T(kept_figures_are_the_counted_ones),
		T(lean_is_the_full_count),
		T(a_child_below_the_provinces_is_counted),
		cmocka_unit_test_setup_teardown(the_mapped_nation_is_read_only_where_it_may_be, setup_whole, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
