/*
 * test_members.c - the member list's search on the store: whichever rows
 * it reads first (the unit's members, the people with a rare word of the
 * name, or everyone in name order; store/members.c), the answer and its
 * pages are the same.
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
#include "store/members.h"
#include "store/member_tally.h"
#include "store/migrate.h"
#include "store/org_internal.h"
#include "store/org_store.h"
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
	if (org_create(db, &SYS, &s, D("2026-01-01"), NULL, &u, &e))
		fail_msg("create %s: %s", code, e.message);
	return u.id;
}

static int64_t add_member(db_t *db, const char *name, int64_t unit_id)
{
	person_t p;
	err_t e;

	memset(&p, 0, sizeof(p));
	snprintf(p.full_name, sizeof(p.full_name), "%s", name);
	p.birth_date = D("1980-05-05");
	err_clear(&e);
	if (member_add(db, &SYS, &p, unit_id, MEMBER_REGULAR, D("2026-02-01"), &e))
		fail_msg("add %s: %s", name, e.message);
	return p.id;
}

/* The id of the unit of code `code` on 2026-06-01. */
static int64_t unit_id_of(db_t *db, const char *code)
{
	return fixture_unit(db, code, D("2026-06-01")).id;
}

static const char *const NAMES[] = {
	"Nguyễn Thị Lan", "Nguyễn Thị Hoa", "Trần Thị Lan", "Lê Thị Hồng", "Phạm Thị Mai", "Đặng Thị Mai",
	"Đỗ Thị Hạnh", "Nguyễn Ngọc Ánh", "Hoàng Thị Lành", "Vũ Thị Hoà", "Lê Thị Hà", "Bùi Thị Thu",
	"Ngô Thị Tuyết", "Dương Thị Hương", "Nguyễn Thị Thu Hà", "Mai Thị Nguyệt", "Trần Ngọc Lan",
	"Lò Thị Dung", "Nguyễn Thị Đào", "Hà Thị Hằng", "Đinh Thị Huyền", "Nguyễn Thị Lan", "Lê Thị Lý",
};
#define N_NAMES (sizeof(NAMES) / sizeof(NAMES[0]))

/* Every id of the list, page after page of 3, into ids (at most cap), *n. */
static void all_pages(db_t *db, member_query_t q, int64_t *ids, size_t cap, size_t *n)
{
	char cursor[ORG_CURSOR_MAX] = "";
	member_list_t l;
	err_t e;

	*n = 0;
	q.limit = 3;
	for (int page = 0; page < 100; page++) {
		q.cursor = cursor[0] ? cursor : NULL;
		err_clear(&e);
		if (member_list(db, &q, &l, &e))
			fail_msg("list q=%s probe=%d: %s", q.q ? q.q : "", q.probe, e.message);
		for (size_t i = 0; i < l.n && *n < cap; i++)
			ids[(*n)++] = l.items[i].p.id;
		snprintf(cursor, sizeof(cursor), "%s", l.next);
		member_list_free(&l);
		if (!cursor[0])
			return;
	}
	fail_msg("more than 100 pages");
}

static void drivers_agree(void **state)
{
	db_t *db = fixture_seeded_db();
	int64_t b1, b2, b3, commune, other, p24, p01, left = 0;
	err_t e;
	(void)state;

	commune = add_unit(db, "SX", "commune", "24");
	b1 = add_unit(db, "SX.1", "branch", "SX");
	b2 = add_unit(db, "SX.2", "branch", "SX");
	other = add_unit(db, "SY", "commune", "01");
	b3 = add_unit(db, "SY.1", "branch", "SY");
	for (size_t i = 0; i < N_NAMES; i++) {
		int64_t id = add_member(db, NAMES[i], i % 3 == 0 ? b1 : i % 3 == 1 ? b2 : b3);
		if (i == 4)
			left = id;
	}
	err_clear(&e);
	if (member_end_stay(db, &SYS, left, D("2026-03-01"), "moved_away", 0, &e))
		fail_msg("leave: %s", e.message);
	/* the provinces and the communes: their search reads the kept rows
	 * (member_words) */
	p24 = unit_id_of(db, "24");
	p01 = unit_id_of(db, "01");

	struct {
		int64_t unit;
		const char *q;
		size_t want; /* members on 2026-06-01 */
	} cases[] = {
		{ 0, NULL, N_NAMES - 1 },
		{ commune, NULL, 15 },
		{ other, NULL, 7 },
		{ 0, "nguyen", 6 },
		{ commune, "nguyen thi", 4 },
		{ commune, "lan", 3 },    /* Lành is in the other commune */
		{ commune, "ha", 3 },     /* Hạnh, Lê Thị Hà, Hà Thị Hằng */
		{ commune, "thi h", 7 },
		{ commune, "zzz", 0 },
		{ b1, NULL, 8 },
		{ 0, "lan", 5 },          /* Lan three times, Trần Ngọc Lan, Lành */
		{ b1, "t", 8 },
		{ 0, "dang", 1 },         /* Đặng */
		{ 0, "DANG THI", 1 },
		{ other, "hoa", 1 },      /* Hoàng; Hoa and Hoà are in the other commune */
		{ 0, "le thi h", 2 },
		{ 0, "mai", 2 },          /* Đặng Thị Mai and Mai Thị Nguyệt; Phạm Thị Mai has left */
		{ 0, "zzz", 0 },
		{ 0, "100%", 0 },
		{ 0, "thi_", 0 },
		{ p24, NULL, 15 },
		{ p01, NULL, 7 },
		{ p24, "nguyen thi", 4 },
		{ p24, "lan", 3 },        /* Lành is in the other province */
		{ p01, "hoa", 1 },
		{ p24, "le thi h", 2 },
		{ p24, "mai", 1 },        /* Phạm Thị Mai has left */
		{ p24, "t", 14 },
		{ p24, "zzz", 0 },
	};
	int probes[] = { 0, 1, 2, 4, 1000 };

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int64_t base[64], got[64];
		size_t n_base = 0, n_got = 0;
		member_query_t q;

		memset(&q, 0, sizeof(q));
		q.unit_id = cases[c].unit;
		q.q = cases[c].q;
		q.as_of = D("2026-06-01");
		q.probe = 1000;
		/* counted from the stays and records: what the kept search rows
		 * of a province or a commune must give */
		q.unkept = true;
		all_pages(db, q, base, 64, &n_base);
		q.unkept = false;
		if (n_base != cases[c].want)
			fail_msg("unit %lld q=%s: %zu members, want %zu", (long long)q.unit_id, q.q ? q.q : "", n_base,
				 cases[c].want);
		for (size_t p = 0; p < 4 * sizeof(probes) / sizeof(probes[0]); p++) {
			q.probe = probes[p / 4];
			/* a filter on the record (all are of age) keeps the page
			 * out of the kept rows' range: the same rows */
			q.age_min = p % 2 ? 18 : 0;
			q.unleaped = (p / 2) % 2;
			all_pages(db, q, got, 64, &n_got);
			assert_int_equal(n_got, n_base);
			for (size_t i = 0; i < n_got; i++)
				if (got[i] != base[i])
					fail_msg("unit %lld q=%s probe %d age_min %d unleaped %d: row %zu differs",
						 (long long)q.unit_id, q.q ? q.q : "", q.probe, q.age_min, q.unleaped, i);
		}
	}
	db_close(db);
}

/* The plan of one search of unit_id (a province: its kept rows) with
 * probe 2 (a range under 2 rows read whole; a walk's budget a quarter of
 * the smallest range's rows, 4 at least; with no word to walk, a range of 20
 * rows or more "long"), pages of 3, and its rows equal to those counted
 * from the stays. */
static const char *plan_with(db_t *db, int64_t unit_id, const char *text, size_t want, int probe, bool leap)
{
	static char plan[32];
	int64_t base[64] = { 0 }, got[64] = { 0 };
	size_t n_base = 0, n_got = 0;
	member_query_t q;
	member_list_t l;
	err_t e;

	memset(&q, 0, sizeof(q));
	q.unit_id = unit_id;
	q.q = text;
	q.as_of = D("2026-06-01");
	q.probe = probe;
	q.limit = 3;
	q.unleaped = !leap;
	err_clear(&e);
	if (member_list(db, &q, &l, &e))
		fail_msg("q=%s: %s", text, e.message);
	snprintf(plan, sizeof(plan), "%s", l.plan ? l.plan : "(none)");
	member_list_free(&l);
	all_pages(db, q, got, 64, &n_got);
	q.unkept = true;
	all_pages(db, q, base, 64, &n_base);
	assert_int_equal(n_base, want);
	assert_int_equal(n_got, n_base);
	for (size_t i = 0; i < n_got; i++)
		if (got[i] != base[i])
			fail_msg("q=%s: row %zu differs from the counted one", text, i);
	return plan;
}

/* The plans behind the leap between the words (plan_with, probe 2). */
static const char *plan_of(db_t *db, int64_t unit_id, const char *text, size_t want)
{
	return plan_with(db, unit_id, text, want, 2, false);
}

/* A search as of a day before the figures are kept from ('tally_from')
 * reads the stays, not the kept rows; from that day on, the kept rows;
 * and no day once the figures are no longer kept ('off'). */
static void searches_before_the_kept_day_read_the_stays(db_t *db, int64_t province)
{
	member_query_t q = { .unit_id = province, .q = "nguyen thi", .probe = 2, .limit = 3, .unleaped = true };
	db_stmt_t *st = NULL;
	date_t from = 0;
	member_list_t l;
	err_t e;

	assert_int_equal(db_prepare(db, "SELECT value FROM meta WHERE key = 'tally_from'", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(date_parse(db_col_text(st, 0), &from), 0);
	db_finalize(st);
	for (int before = 0; before < 2; before++) {
		char day[DATE_STR_LEN];
		q.as_of = from - before;
		err_clear(&e);
		if (member_list(db, &q, &l, &e))
			fail_msg("as of %s: %s", date_format(q.as_of, day), e.message);
		assert_int_equal(strstr(l.plan, "(kept)") != NULL, !before);
		member_list_free(&l);
	}
	err_clear(&e);
	if (member_tally_suspend(db, &e))
		fail_msg("%s", e.message);
	q.as_of = from;
	if (member_list(db, &q, &l, &e))
		fail_msg("not kept: %s", e.message);
	assert_null(strstr(l.plan, "(kept)"));
	member_list_free(&l);
}

/* A province's search of several words walks one word in name order only
 * while that pays: when the page fills within a quarter of the smallest
 * range's rows ("ngo thi": the walk of "thi" meets "Ngô Thị Bích" after
 * the "An"s), else it reads the smallest range however long ("nguyen thi
 * thu": the walk of "nguyen" would meet "Thủy" last, the range of "thu"
 * is shorter), as the merge of its words' walks ("thu", "thuy"), each
 * person once though her name holds both ("nguyen thu": Nguyễn Thủy Thu);
 * and with no one word to walk a long range gives way to the walk of all
 * the names ("th"). */
static void a_search_walks_only_while_it_pays(void **state)
{
	db_t *db = fixture_seeded_db();
	int64_t p24, p01, b24, b01;
	err_t e;
	(void)state;

	add_unit(db, "WA", "commune", "24");
	b24 = add_unit(db, "WA.1", "branch", "WA");
	add_unit(db, "WC", "commune", "01");
	b01 = add_unit(db, "WC.1", "branch", "WC");
	const struct {
		const char *name;
		int times;
		int64_t unit;
	} people[] = {
		{ "Lê Thị An", 6, b24 },      { "Ngô Thị Bích", 4, b24 },    { "Lê Thị Ngọc", 36, b24 },
		{ "Nguyễn Thị An", 30, b01 }, { "Nguyễn Thị Thủy", 3, b01 }, { "Lê Thu Hà", 20, b01 },
		{ "Nguyễn Thủy Thu", 2, b01 },
	};
	for (size_t k = 0; k < sizeof(people) / sizeof(people[0]); k++)
		for (int i = 0; i < people[k].times; i++)
			add_member(db, people[k].name, people[k].unit);
	err_clear(&e);
	p24 = unit_id_of(db, "24");
	p01 = unit_id_of(db, "01");

	/* "ngo": 40 rows (Ngô, Ngọc: all match), "thi" 46 */
	assert_string_equal(plan_of(db, p24, "ngo thi", 40), "word walk (kept)");
	/* "thu": 27 rows (Thu, Thủy), "nguyen" 35 */
	assert_string_equal(plan_of(db, p01, "nguyen thi thu", 3), "word merge (kept)");
	/* the first page: two people met in both walks, then a Thủy */
	assert_string_equal(plan_of(db, p01, "nguyen thu", 5), "word merge (kept)");
	/* "th": 60 rows of three words (thi, thu, thuy), none of one */
	assert_string_equal(plan_of(db, p01, "th", 55), "name walk (kept)");
	/* each word but the one read is checked on the names (on SQLite by
	 * ub_words): % and _ are letters there, as in LIKE ... ESCAPE */
	plan_of(db, unit_id_of(db, "WC"), "nguyen t", 35);
	plan_of(db, unit_id_of(db, "WC"), "thi %", 0);
	plan_of(db, unit_id_of(db, "WC"), "thi _", 0);
	plan_of(db, p01, "nguyen t_", 0);
	/* the page after the first two Thủy: the walk of "nguyen" has one
	 * row left, fewer than it looks at, and ends sooner than the range */
	{
		member_query_t q = { .unit_id = p01, .q = "nguyen thi thu", .as_of = D("2026-06-01"), .probe = 2,
				     .limit = 2, .unleaped = true };
		char next[ORG_CURSOR_MAX];
		member_list_t l;

		err_clear(&e);
		if (member_list(db, &q, &l, &e))
			fail_msg("page 1: %s", e.message);
		assert_int_equal(l.n, 2);
		snprintf(next, sizeof(next), "%s", l.next);
		member_list_free(&l);
		q.cursor = next;
		if (member_list(db, &q, &l, &e))
			fail_msg("page 2: %s", e.message);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.plan, "word walk (kept)");
		member_list_free(&l);
	}
	searches_before_the_kept_day_read_the_stays(db, p01);
	db_close(db);
}

/* Long pages of a province's search by a caller whose scope has several
 * roots: the page's rows, the day, the cursor and the scope's values all
 * go into one query (a leaped page of 147 rows and more once passed its
 * 320 values), and the pages are those of the plans behind the leap. */
static void leaps_long_pages_in_a_scope(db_t *db, int64_t province, int64_t branch)
{
	principal_t scoped;
	const char *const others[] = { "24", "WL", "WL.1", "VN" };
	int limits[] = { 127, 128, 149 };

	for (int i = 0; i < 150; i++)
		add_member(db, "Nguyễn Thị Lan", branch);
	memset(&scoped, 0, sizeof(scoped));
	snprintf(scoped.username, sizeof(scoped.username), "scoped");
	scoped.today = D("2026-06-01");
	scoped.roots[scoped.n_roots++] = province;
	for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++)
		scoped.roots[scoped.n_roots++] = unit_id_of(db, others[k]);
	for (size_t k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
		member_query_t q = { .unit_id = province, .q = "nguyen thi", .as_of = D("2026-06-01"),
				     .limit = limits[k], .scope = &scoped };
		member_list_t leaped, behind;
		err_t e;

		err_clear(&e);
		if (member_list(db, &q, &leaped, &e))
			fail_msg("limit %d: %s", limits[k], e.message);
		q.unleaped = true;
		if (member_list(db, &q, &behind, &e))
			fail_msg("limit %d, not leaped: %s", limits[k], e.message);
		assert_int_equal(leaped.n, (size_t)limits[k]);
		assert_int_equal(leaped.n, behind.n);
		for (size_t i = 0; i < leaped.n; i++)
			assert_int_equal(leaped.items[i].p.id, behind.items[i].p.id);
		assert_string_equal(leaped.next, behind.next);
		if (db_dialect(db) == DB_SQLITE)
			assert_true((strcmp(leaped.plan, "words leapfrog (kept)") == 0) == (limits[k] < 128));
		member_list_free(&leaped);
		member_list_free(&behind);
	}
}

/* A province's search of several words, on SQLite, leaps between its
 * words' walks in name order (each word's walks merged: "thu" is "thu"
 * and "thuy") and reads only the rows where they meet; within its budget
 * (probe 0: a quarter of the rarest word's rows, 2,000 at least),
 * else the plans behind it read the page. Every page is the one counted
 * from the stays; on PostgreSQL it never leaps. */
static void a_search_leaps_between_its_words(void **state)
{
	db_t *db = fixture_seeded_db();
	bool sqlite = db_dialect(db) == DB_SQLITE;
	int64_t p01, b01;
	(void)state;

	add_unit(db, "WL", "commune", "01");
	b01 = add_unit(db, "WL.1", "branch", "WL");
	const struct {
		const char *name;
		int times;
	} people[] = {
		{ "Bùi Thu Anh", 9 },	      { "Nguyễn Thu Anh", 3 }, { "Nguyễn Thị Anh", 7 }, { "Lê Thị Thủy", 5 },
		{ "Nguyễn Thị Thủy", 4 },     { "Nguyễn Thủy Thu", 2 }, { "Trần Thị Thu Hà", 3 },
		{ "Nguyễn Thị Thu Hà", 2 },   { "Nguyễn Văn Thị", 1 },
	};
	for (size_t k = 0; k < sizeof(people) / sizeof(people[0]); k++)
		for (int i = 0; i < people[k].times; i++)
			add_member(db, people[k].name, b01);
	p01 = unit_id_of(db, "01");

	/* Nguyễn Thị Thu Hà twice, Nguyễn Thị Thủy four times */
	const char *plan = plan_with(db, p01, "nguyen thi thu", 6, 0, true);
	if (sqlite)
		assert_string_equal(plan, "words leapfrog (kept)");
	else
		assert_string_not_equal(plan, "words leapfrog (kept)");
	/* Nguyễn Thủy Thu: her name holds both walks of "thu" */
	plan_with(db, p01, "nguyen thu", 11, 0, true);
	plan_with(db, p01, "thu thuy", 11, 0, true);
	plan_with(db, p01, "thi thi", 22, 0, true);
	plan_with(db, p01, "nguyen thi", 14, 0, true);
	plan_with(db, p01, "thi nguyen", 14, 0, true);
	plan_with(db, p01, "ha thu tran", 3, 0, true);
	/* a word no one has: nothing to leap to */
	plan_with(db, p01, "nguyen zzz", 0, 0, true);
	/* words that no one has together: the leap ends on an empty page */
	plan = plan_with(db, p01, "bui nguyen", 0, 0, true);
	if (sqlite)
		assert_string_equal(plan, "words leapfrog (kept)");
	/* the budget spent (probe 1: 4 rows, opening the walks), the plans
	 * behind it; and spent part-way (probe 3: 12 rows) */
	if (sqlite)
		assert_string_not_equal(plan_with(db, p01, "nguyen thi thu", 6, 1, true), "words leapfrog (kept)");
	plan_with(db, p01, "nguyen thi thu", 6, 3, true);
	/* a filter on the record: not leaped */
	{
		member_query_t q = { .unit_id = p01, .q = "nguyen thi", .as_of = D("2026-06-01"), .limit = 3, .age_min = 18 };
		member_list_t l;
		err_t e;

		err_clear(&e);
		if (member_list(db, &q, &l, &e))
			fail_msg("%s", e.message);
		assert_string_not_equal(l.plan, "words leapfrog (kept)");
		member_list_free(&l);
	}
	/* a cursor without an id (made by hand) counts for nothing, leaping
	 * or not */
	{
		char cursor[ORG_CURSOR_MAX];
		member_query_t q = { .unit_id = p01, .q = "nguyen thi thu", .as_of = D("2026-06-01"), .limit = 10,
				     .cursor = cursor };
		member_list_t l;
		err_t e;

		err_clear(&e);
		assert_int_equal(org_cursor_encode("zzz", 0, cursor, sizeof(cursor)), 0);
		if (member_list(db, &q, &l, &e))
			fail_msg("%s", e.message);
		assert_int_equal(l.n, 6);
		member_list_free(&l);
	}
	leaps_long_pages_in_a_scope(db, p01, b01);
	db_close(db);
}

/* A range of more than 8 words ("h": ha, hai, hang, ...), or one holding
 * a word too long to list, is read whole and sorted, not merged; within
 * it, a narrower beginning of few words ("ho") is merged. The answers are
 * those counted from the stays either way. */
static void a_range_of_many_words_is_read_whole(void **state)
{
	static const char *const GIVEN[] = { "Hà", "Hải", "Hằng", "Hạnh", "Hậu", "Hiền", "Hoa", "Hồng", "Huệ" };
	db_t *db = fixture_seeded_db();
	char name[160];
	int64_t b24, p24;
	(void)state;

	add_unit(db, "WD", "commune", "24");
	b24 = add_unit(db, "WD.1", "branch", "WD");
	for (int i = 0; i < 12; i++)
		add_member(db, "Lê Thị An", b24);
	for (size_t k = 0; k < sizeof(GIVEN) / sizeof(GIVEN[0]); k++) {
		snprintf(name, sizeof(name), "Lê Thị %s", GIVEN[k]);
		add_member(db, name, b24);
	}
	p24 = unit_id_of(db, "24");
	/* "h": 9 rows of 9 words; the walk of "le" meets the An first */
	assert_string_equal(plan_of(db, p24, "le thi h", 9), "word (kept)");
	assert_string_equal(plan_of(db, p24, "le thi ho", 2), "word merge (kept)");
	/* "hh": two words, one of 70 letters, too long to list */
	add_member(db, "Lê Thị Hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh", b24);
	add_member(db, "Lê Thị Hhx", b24);
	assert_string_equal(plan_of(db, p24, "le thi hh", 2), "word (kept)");
	assert_string_equal(plan_of(db, p24, "le thi hhx", 1), "word walk (kept)");
	assert_string_equal(plan_of(db, p24, "le thi h", 11), "word (kept)");
	db_close(db);
}

/* A stay that begins on the day its unit ends (she joined a branch whose
 * merge or closing was recorded later, dated back) is the unit's like any
 * other: a close is refused while it lasts, a merge takes it whole to the
 * target, and no stay outlives its unit. */
/* A member entered in the wrong branch: a move dated on her first day
 * moves the stay whole (no empty stay left behind), the kept figures agree,
 * and leaving on that day is still refused. */
static void a_move_on_the_first_day_moves_the_stay_whole(void **state)
{
	db_t *db = fixture_seeded_db();
	int64_t a, b, her;
	membership_t *h = NULL;
	size_t n = 0, rows = 0, diffs = 0;
	bool kept = false;
	err_t e;
	(void)state;

	add_unit(db, "WB", "commune", "24");
	a = add_unit(db, "WB.1", "branch", "WB");
	b = add_unit(db, "WB.2", "branch", "WB");
	her = add_member(db, "Tạ Thị Nhầm", a);
	err_clear(&e);
	if (member_end_stay(db, &SYS, her, D("2026-02-01"), "transferred", b, &e))
		fail_msg("move: %s", e.message);
	assert_int_equal(member_history(db, her, &h, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].unit.id, b);
	assert_int_equal(h[0].valid_from, D("2026-02-01"));
	assert_int_equal(h[0].valid_to, DATE_OPEN);
	assert_string_equal(h[0].start_reason, "joined");
	free(h);
	assert_int_equal(member_end_stay(db, &SYS, her, D("2026-02-01"), "left", 0, &e), -1);
	assert_string_equal(e.code, "date_out_of_range");
	err_clear(&e);
	assert_int_equal(member_tally_check(db, NULL, &kept, &rows, &diffs, &e), 0);
	assert_int_equal(diffs, 0);
	db_close(db);
}

/* A move on a day, then one back on the same day: the first stay goes on
 * as if she had never left (not a move from A to A), she can leave on that
 * day, and the stay keeps its row (a card names it); dues paid in the
 * unit she was moved out of on its first day go with her. */
static void a_move_back_on_the_same_day_undoes_it(void **state)
{
	db_t *db = fixture_seeded_db();
	int64_t a, b, her, other, first_stay;
	dues_payment_t *paid = NULL;
	membership_t *h = NULL;
	size_t n = 0, rows = 0, diffs = 0;
	bool kept = false;
	err_t e;
	(void)state;

	add_unit(db, "WC", "commune", "24");
	a = add_unit(db, "WC.1", "branch", "WC");
	b = add_unit(db, "WC.2", "branch", "WC");
	her = add_member(db, "Tạ Thị Về", a);
	err_clear(&e);
	assert_int_equal(member_history(db, her, &h, &n, &e), 0);
	first_stay = h[0].id;
	free(h);
	if (member_end_stay(db, &SYS, her, D("2026-03-01"), "transferred", b, &e) ||
	    member_end_stay(db, &SYS, her, D("2026-03-01"), "transferred", a, &e))
		fail_msg("moves: %s", e.message);
	assert_int_equal(member_history(db, her, &h, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].unit.id, a);
	assert_int_equal(h[0].valid_from, D("2026-02-01"));
	assert_int_equal(h[0].valid_to, DATE_OPEN);
	assert_string_equal(h[0].start_reason, "joined");
	assert_true(h[0].id != first_stay); /* the newer row goes on; the older goes, never given again */
	free(h);
	if (member_end_stay(db, &SYS, her, D("2026-03-01"), "left", 0, &e))
		fail_msg("leave on that day: %s", e.message);
	/* dues paid on her first day in the wrong unit follow her */
	other = add_member(db, "Lý Thị Đóng", a);
	if (dues_pay(db, &SYS, other, 2026, 10000, D("2026-02-01"), &e) ||
	    member_end_stay(db, &SYS, other, D("2026-02-01"), "transferred", b, &e))
		fail_msg("dues, move: %s", e.message);
	assert_int_equal(dues_list(db, other, &paid, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(paid[0].unit.id, b);
	free(paid);
	assert_int_equal(member_tally_check(db, NULL, &kept, &rows, &diffs, &e), 0);
	assert_int_equal(diffs, 0);
	db_close(db);
}

static void a_stay_from_the_units_last_day_on_follows_it(void **state)
{
	db_t *db = fixture_seeded_db();
	const char *const sources[] = { "SZ.1" };
	int64_t a, b, her, theirs, late;
	membership_t *h = NULL;
	person_t p;
	unit_t u;
	size_t n = 0;
	err_t e;
	(void)state;

	add_unit(db, "SZ", "commune", "24");
	a = add_unit(db, "SZ.1", "branch", "SZ");
	b = add_unit(db, "SZ.2", "branch", "SZ");
	theirs = add_member(db, "Trần Thị Cũ", a);
	her = add_member(db, "Lê Thị Mới", b);
	/* her stay in SZ.1 begins on 2026-07-01, the day the merge is dated */
	err_clear(&e);
	if (member_end_stay(db, &SYS, her, D("2026-07-01"), "transferred", a, &e))
		fail_msg("move: %s", e.message);
	/* a branch whose one member joins on the day it closes */
	add_unit(db, "SZ.3", "branch", "SZ");
	late = add_member(db, "Đỗ Thị Muộn", b);
	err_clear(&e);
	if (org_unit_get(db, "SZ.3", D("2026-07-01"), &u, &e) ||
	    member_end_stay(db, &SYS, late, D("2026-07-01"), "transferred", u.id, &e))
		fail_msg("move: %s", e.message);
	err_clear(&e);
	assert_int_equal(org_close(db, &SYS, "SZ.3", D("2026-07-01"), NULL, &u, &e), -1);
	assert_string_equal(e.code, "has_members");
	err_clear(&e);
	if (org_merge(db, &SYS, sources, 1, D("2026-07-01"), NULL, "SZ.2", NULL, &u, NULL, &e))
		fail_msg("merge: %s", e.message);
	err_clear(&e);
	assert_int_equal(member_history(db, her, &h, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[1].unit.id, b);
	assert_int_equal(h[1].valid_from, D("2026-07-01"));
	assert_int_equal(h[1].valid_to, DATE_OPEN);
	free(h);
	assert_int_equal(member_history(db, theirs, &h, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[1].unit.id, b);
	free(h);
	assert_int_equal(member_stays_outliving_units(db, NULL, &n, &e), 0);
	assert_int_equal(n, 0);
	/* a stay that begins in it now that its merge is recorded (history
	 * entered after the fact) is handed on to the target like the others */
	memset(&p, 0, sizeof(p));
	snprintf(p.full_name, sizeof(p.full_name), "Vũ Thị Trễ");
	p.birth_date = D("1980-05-05");
	err_clear(&e);
	if (member_add(db, &SYS, &p, a, MEMBER_REGULAR, D("2026-06-01"), &e))
		fail_msg("add: %s", e.message);
	assert_int_equal(member_history(db, p.id, &h, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].unit.id, a);
	assert_int_equal(h[0].valid_to, D("2026-07-01"));
	assert_string_equal(h[0].end_reason, "transferred");
	assert_int_equal(h[1].unit.id, b);
	assert_int_equal(h[1].valid_from, D("2026-07-01"));
	assert_int_equal(h[1].valid_to, DATE_OPEN);
	free(h);
	/* a closed unit has no one to hand her to: refused */
	add_unit(db, "SZ.4", "branch", "SZ");
	err_clear(&e);
	if (org_close(db, &SYS, "SZ.4", D("2026-07-01"), NULL, &u, &e))
		fail_msg("close: %s", e.message);
	err_clear(&e);
	if (org_unit_get(db, "SZ.4", D("2026-06-01"), &u, &e))
		fail_msg("SZ.4: %s", e.message);
	p.id = 0;
	snprintf(p.full_name, sizeof(p.full_name), "Vũ Thị Muộn Màng");
	assert_int_equal(member_add(db, &SYS, &p, u.id, MEMBER_REGULAR, D("2026-06-01"), &e), -1);
	assert_int_equal(e.n_details, 1);
	assert_string_equal(e.details[0].code, "unit_ends");
	err_clear(&e);
	assert_int_equal(member_stays_outliving_units(db, NULL, &n, &e), 0);
	assert_int_equal(n, 0);
	db_close(db);
}

/* The longest names the rules accept, of any script, page like the
 * others: their sort keys fit the cursor. */
static void the_longest_names_page(void **state)
{
	char names[3][PERSON_NAME_MAX * 4 + 1] = { "", "", "" };
	size_t len[3] = { 0, 0, 0 };
	db_t *db = fixture_seeded_db();
	int64_t unit;
	member_query_t q;
	size_t n = 0;
	(void)state;

	add_unit(db, "SL", "commune", "24");
	unit = add_unit(db, "SL.1", "branch", "SL");
	for (int i = 0; i < PERSON_NAME_MAX; i++) {
		const char *ch[3] = {
			"\xf0\xa0\x80\x80",                        /* U+20000, outside the BMP */
			i % 7 == 6 ? " " : "\xe1\xbb\x87",          /* ệ, in words of six */
			i % 2 ? "\xc3\xa1" : "\xe1\xbb\xb9",        /* á ỹ */
		};
		for (int k = 0; k < 3; k++)
			len[k] += (size_t)snprintf(names[k] + len[k], sizeof(names[k]) - len[k], "%s", ch[k]);
	}
	/* the first twice: the first of them (same key, lower id) makes a
	 * cursor even when they sort last */
	for (int i = 0; i < 4; i++)
		add_member(db, names[i % 3], unit);
	add_member(db, "Nguyễn Thị An", unit);
	/* pages of one: every row makes the cursor */
	memset(&q, 0, sizeof(q));
	q.unit_id = unit;
	q.as_of = D("2026-06-01");
	q.limit = 1;
	for (char cursor[ORG_CURSOR_MAX] = ""; n < 8;) {
		member_list_t l;
		err_t e;
		q.cursor = cursor[0] ? cursor : NULL;
		err_clear(&e);
		if (member_list(db, &q, &l, &e))
			fail_msg("page %zu: %s", n, e.message);
		n += l.n;
		snprintf(cursor, sizeof(cursor), "%s", l.next);
		member_list_free(&l);
		if (!cursor[0])
			break;
	}
	assert_int_equal(n, 5);
	db_close(db);
}

/* A member with ID number id (12 digits) in unit: her person id. */
static int64_t add_with_id(db_t *db, const char *name, const char *id, int64_t unit_id)
{
	person_t p;
	err_t e;

	memset(&p, 0, sizeof(p));
	snprintf(p.full_name, sizeof(p.full_name), "%s", name);
	snprintf(p.id_number, sizeof(p.id_number), "%s", id);
	p.id_kind = ID_CCCD;
	p.birth_date = D("1980-05-05");
	err_clear(&e);
	if (member_add(db, &SYS, &p, unit_id, MEMBER_REGULAR, D("2026-02-01"), &e))
		fail_msg("add %s: %s", name, e.message);
	return p.id;
}

/* Many ID numbers in one lookup answer as one at a time does: a member
 * today, a former member, no one, and one asked for twice. */
static void id_numbers_in_one_lookup(void **state)
{
	db_t *db = fixture_seeded_db();
	const char *ask[] = { "038180000002", "038180000009", "038180000001", "038180000002" };
	int64_t unit, a, b, ids[4];
	bool current[4];
	err_t e;
	(void)state;

	add_unit(db, "IDL", "commune", "24");
	unit = add_unit(db, "IDL.1", "branch", "IDL");
	a = add_with_id(db, "Nguyễn Thị An", "038180000001", unit);
	b = add_with_id(db, "Trần Thị Bình", "038180000002", unit);
	err_clear(&e);
	if (member_end_stay(db, &SYS, b, D("2026-03-01"), "moved_away", 0, &e))
		fail_msg("end: %s", e.message);
	if (member_by_id_numbers(db, ask, 4, ids, current, &e))
		fail_msg("lookup: %s", e.message);
	for (size_t i = 0; i < 4; i++) {
		int64_t one = 0;
		bool now = true;
		if (member_by_id_number(db, ask[i], &one, &now, &e))
			fail_msg("one: %s", e.message);
		assert_int_equal(ids[i], one);
		assert_int_equal(current[i], now);
	}
	assert_int_equal(ids[0], b);
	assert_false(current[0]);
	assert_int_equal(ids[1], 0);
	assert_int_equal(ids[2], a);
	assert_true(current[2]);
	assert_int_equal(ids[3], b);
	assert_int_equal(member_by_id_numbers(db, ask, 0, ids, current, &e), 0);
	db_close(db);
}

int main(void)
{
	principal_system(&SYS, "test", fixture_today());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drivers_agree),
		cmocka_unit_test(a_search_walks_only_while_it_pays),
		cmocka_unit_test(a_search_leaps_between_its_words),
		cmocka_unit_test(a_range_of_many_words_is_read_whole),
		cmocka_unit_test(a_move_on_the_first_day_moves_the_stay_whole),
		cmocka_unit_test(a_move_back_on_the_same_day_undoes_it),
		cmocka_unit_test(a_stay_from_the_units_last_day_on_follows_it),
		cmocka_unit_test(the_longest_names_page),
		cmocka_unit_test(id_numbers_in_one_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
