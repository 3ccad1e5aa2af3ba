/*
 * member_tally.c - the figures kept inside the writes (see member_tally.h).
 *
 * One statement counts everything of a set of people (one person, those
 * of the units in ancestry_work, or everyone) and adds it, times the sign,
 * into a table: seven SELECTs joined by UNION ALL, grouped, then an
 * upsert. The same statement rebuilds the table and fills the check's
 * scratch copy, so that what the writes keep and what a recount gives
 * cannot drift apart. The SQL is the same on both stores: dates are cast
 * to text ("YYYY-MM-DD" on SQLite as stored, on PostgreSQL under the ISO
 * date style the driver sets) and 9999-12-31 is a literal both compare
 * with their date columns.
 */
#include "store/member_tally.h"

#include <stdlib.h>
#include <string.h>

#include "store/ancestry.h"
#include "store/org_internal.h"
#include "store/query.h"
#include "store/util.h"

#define OPEN "'9999-12-31'"

/* The ancestor is of the two highest levels (whatever the ranks' numbers). */
#define TOP_LEVEL "(SELECT count(*) FROM levels r WHERE r.rank < tl.rank) <= 1"
#define TOP " JOIN units tu ON tu.id = a.ancestor JOIN levels tl ON tl.key = tu.level AND " TOP_LEVEL

/* TOP as a test of each row, for one person's rows: PostgreSQL plans the
 * join of TOP over her few payments as a hash or merge join that reads all
 * the units (an edit at 20 million members 58 ms warm with it, 21 without,
 * and the units are as many at any number of members), this as a lookup
 * of each row's ancestor. Grouped, so that an ancestor without its unit or
 * level gives NULL and drops the row, as the join does. */
#define TOP_EACH                                                                                                    \
	" AND (SELECT count(r.key) FROM units tu JOIN levels tl ON tl.key = tu.level"                               \
	" LEFT JOIN levels r ON r.rank < tl.rank WHERE tu.id = a.ancestor GROUP BY tu.id) <= 1"

/* The ancestor is of the second-highest level (the provinces). */
#define SECOND_LEVEL "(SELECT count(*) FROM levels r WHERE r.rank < tl.rank) = 1"

/* The ancestor is of a level below the provinces and above the lowest two
 * (which hold the members: branches and groups): a commune, or a district
 * of the tree before 2025. */
#define BETWEEN_LEVELS                                                                                               \
	"(SELECT count(*) FROM levels r WHERE r.rank < tl.rank) >= 2"                                                \
	" AND (SELECT count(*) FROM levels r WHERE r.rank > tl.rank) >= 2"

/* Where a member's whole name is kept for the search: the provinces and
 * the levels between. */
#define NAME_LEVELS "(" SECOND_LEVEL " OR " BETWEEN_LEVELS ")"

/* Who is counted: one person, those of the units in ancestry_work, or
 * everyone. (New records stored together are counted in memory:
 * store/member_load.h, member_load_count_begin.) */
typedef enum scope_kind { SCOPE_PERSON, SCOPE_WORK, SCOPE_ALL } scope_kind_t;

typedef struct scope {
	scope_kind_t kind;
	int64_t person_id; /* SCOPE_PERSON */
	int64_t run;       /* SCOPE_WORK: the refresh's rows of ancestry_work */
} scope_t;

/* " AND col IN (the ids of the refresh's units)", for SCOPE_WORK. */
static void work_filter(query_t *q, const char *col, const scope_t *s)
{
	char frag[160];

	if (s->kind != SCOPE_WORK)
		return;
	snprintf(frag, sizeof(frag), " AND %s IN (" ANCESTRY_WORK_IDS ")", col);
	query_add(q, frag, QI(s->run));
}

/* Of some people, never of units (no branches counted, no ancestry). */
static bool of_people(const scope_t *s)
{
	return s->kind == SCOPE_PERSON;
}

/* " AND col = ?" and the like, for the people of s. */
static void person_filter(query_t *q, const char *col, const scope_t *s)
{
	char frag[320];

	if (s->kind == SCOPE_ALL)
		return;
	if (s->kind == SCOPE_PERSON) {
		snprintf(frag, sizeof(frag), " AND %s = ?", col);
		query_add(q, frag, QI(s->person_id));
		return;
	}
	snprintf(frag, sizeof(frag),
		 " AND %s IN (SELECT w.person_id FROM memberships w WHERE w.unit_id IN (" ANCESTRY_WORK_IDS ")"
		 " UNION SELECT w.person_id FROM dues_payments w WHERE w.unit_id IN (" ANCESTRY_WORK_IDS "))",
		 col);
	query_add(q, frag, QI(s->run), QI(s->run));
}

/* The stays that hold at the end of time, at each unit above them (and
 * their own): 'total'; at the two highest levels, by each field. */
static void stock_rows(query_t *q, const scope_t *s)
{
	query_sql(q, "SELECT a.ancestor AS u, 'total' AS d, '' AS v, 1 AS n, 0 AS amt FROM memberships m"
		     " JOIN ancestry a ON a.descendant = m.unit_id AND a.valid_to = " OPEN " WHERE m.valid_to = " OPEN);
	person_filter(q, "m.person_id", s);
	query_sql(q, " UNION ALL SELECT a.ancestor, k.column1, CASE k.column1 WHEN 'born' THEN CAST(p.birth_date AS TEXT)"
		     " WHEN 'eth' THEN coalesce(p.ethnicity, '') WHEN 'religion' THEN p.religion"
		     " WHEN 'education' THEN p.education WHEN 'occupation' THEN p.occupation"
		     " WHEN 'circ' THEN p.circumstances ELSE '' END, 1, 0"
		     " FROM memberships m JOIN persons p ON p.id = m.person_id"
		     " JOIN ancestry a ON a.descendant = m.unit_id AND a.valid_to = " OPEN TOP
		     " CROSS JOIN (VALUES ('honorary'), ('digital'), ('born'), ('eth'), ('religion'), ('education'),"
		     " ('occupation'), ('circ')) k"
		     " WHERE m.valid_to = " OPEN " AND (k.column1 <> 'honorary' OR m.kind = 'honorary')"
		     " AND (k.column1 <> 'digital' OR p.digital <> 0)");
	person_filter(q, "m.person_id", s);
}

/* Every stay's start and end at the two highest levels, by day; a
 * transfer only when the other stay of the move is outside the subtree. */
static void event_rows(query_t *q, const scope_t *s)
{
	query_sql(q, " UNION ALL SELECT a.ancestor, CASE WHEN m.start_reason = 'transferred' THEN 'tin'"
		     " ELSE 'start:' || m.start_reason END, CAST(m.valid_from AS TEXT), 1, 0 FROM memberships m"
		     " JOIN ancestry a ON a.descendant = m.unit_id AND a.valid_to = " OPEN TOP
		     " WHERE (m.start_reason <> 'transferred' OR NOT EXISTS (SELECT 1 FROM memberships o"
		     " WHERE o.person_id = m.person_id AND o.valid_to = m.valid_from AND EXISTS (SELECT 1 FROM ancestry oa"
		     " WHERE oa.descendant = o.unit_id AND oa.ancestor = a.ancestor AND oa.valid_to = " OPEN ")))");
	person_filter(q, "m.person_id", s);
	query_sql(q, " UNION ALL SELECT a.ancestor, CASE WHEN m.end_reason = 'transferred' THEN 'tout'"
		     " ELSE 'end:' || coalesce(m.end_reason, '') END, CAST(m.valid_to AS TEXT), 1, 0 FROM memberships m"
		     " JOIN ancestry a ON a.descendant = m.unit_id AND a.valid_to = " OPEN TOP
		     " WHERE m.valid_to <> " OPEN " AND (coalesce(m.end_reason, '') <> 'transferred'"
		     " OR NOT EXISTS (SELECT 1 FROM memberships o"
		     " WHERE o.person_id = m.person_id AND o.valid_from = m.valid_to AND EXISTS (SELECT 1 FROM ancestry oa"
		     " WHERE oa.descendant = o.unit_id AND oa.ancestor = a.ancestor AND oa.valid_to = " OPEN ")))");
	person_filter(q, "m.person_id", s);
}

/* Dues payments at the two highest levels, by year and by day paid. */
static void dues_rows(query_t *q, const scope_t *s)
{
	static const char *const KEYS[] = { "'dues', CAST(dp.year AS TEXT)", "'paid', CAST(dp.paid_on AS TEXT)" };
	char frag[512];

	for (int i = 0; i < 2; i++) {
		snprintf(frag, sizeof(frag),
			 " UNION ALL SELECT a.ancestor, %s, 1, dp.amount FROM dues_payments dp"
			 " JOIN ancestry a ON a.descendant = dp.unit_id AND a.valid_to = " OPEN "%s WHERE true",
			 KEYS[i], of_people(s) ? TOP_EACH : TOP);
		query_sql(q, frag);
		person_filter(q, "dp.person_id", s);
	}
}

/* Branches and groups (the two lowest levels) at each unit above them. */
static void branch_rows(query_t *q, const scope_t *s)
{
	if (of_people(s))
		return;
	query_sql(q, " UNION ALL SELECT a.ancestor, 'branches', '', 1, 0 FROM ancestry a JOIN units bu ON bu.id = a.descendant"
		     " JOIN levels bl ON bl.key = bu.level WHERE a.valid_to = " OPEN
		     " AND (SELECT count(*) FROM levels b WHERE b.rank > bl.rank) <= 1");
	work_filter(q, "a.descendant", s);
}

/* At the unit of the second level above each member's stay at the end of
 * time, her name's words ('word', the word): how many of the province's
 * search rows each word has, which a search reads to choose its way
 * (store/members.c, pick_kept_word). Her words are in person_words. */
static void word_rows(query_t *q, const scope_t *s)
{
	query_sql(q, " UNION ALL SELECT a.ancestor, 'word', pw.word, 1, 0 FROM memberships m"
		     " JOIN person_words pw ON pw.person_id = m.person_id JOIN persons p ON p.id = m.person_id"
		     " JOIN ancestry a ON a.descendant = m.unit_id AND a.valid_to = " OPEN
		     " JOIN units tu ON tu.id = a.ancestor JOIN levels tl ON tl.key = tu.level AND " SECOND_LEVEL
		     " WHERE m.valid_to = " OPEN " AND p.erased = 0");
	person_filter(q, "m.person_id", s);
}

/* ---- the figures by day ('@' rows, schema 26) ----
 *
 * A past day's figures of the nation (store/member_tally.h): the members
 * of a stay under an ancestry row of its unit from the later of their
 * first days to the earlier of their ends ("DAY[ TEXT]"); the flows by
 * the day of each event and the row ("DAY AF AT ..."), its first day
 * taken as the event's when earlier (the rows are read for a tree's day
 * on or after the event's: only whether they hold it matters). */

/* The ancestor's tier: how many levels rank above its own (0: the nation). */
#define TIER "(SELECT count(*) FROM levels r WHERE r.rank < tl.rank)"

/* The later (earlier) of two days as text. */
#define LATER(a, b) "CASE WHEN " a " > " b " THEN " a " ELSE " b " END"
#define EARLIER(a, b) "CASE WHEN " a " < " b " THEN " a " ELSE " b " END"

/* Her k-th birthday as text: the day on which she is k (core/person.c
 * person_age: born on 29 February, "YYYY-02-29" in a common year, which
 * compares with real days as 1 March does). */
#define BIRTHDAY(k) "CAST(CAST(substr(x.born, 1, 4) AS INTEGER) + " k " AS TEXT) || substr(x.born, 5)"

/* The stays of the people of s at each ancestor of the two highest levels,
 * under every ancestry row of their unit (not only the open ones), with
 * what the rows below read of them (ist..ien: the days both hold): the
 * common table x of the statement (one scan of each table for all). */
static void day_stays(query_t *q, const scope_t *s)
{
	query_sql(q, " WITH x AS (SELECT y.*, " LATER("y.mf", "y.af") " AS ist, " EARLIER("y.mt", "y.ato") " AS ien"
		     " FROM (SELECT m.person_id AS pid, a.ancestor AS u, " TIER " AS tier,"
		     " CAST(a.valid_from AS TEXT) AS af, CAST(a.valid_to AS TEXT) AS ato, CAST(m.valid_from AS TEXT) AS mf,"
		     " CAST(m.valid_to AS TEXT) AS mt, m.kind AS kind, m.start_reason AS sr,"
		     " coalesce(m.end_reason, '') AS er, p.digital AS dg, coalesce(p.ethnicity, '') AS eth,"
		     " p.religion AS rel, p.education AS edu, p.occupation AS occ, p.circumstances AS circ,"
		     " CAST(p.birth_date AS TEXT) AS born"
		     " FROM memberships m JOIN persons p ON p.id = m.person_id JOIN ancestry a ON a.descendant = m.unit_id"
		     " JOIN units tu ON tu.id = a.ancestor JOIN levels tl ON tl.key = tu.level AND " TOP_LEVEL " WHERE true");
	person_filter(q, "m.person_id", s);
	query_sql(q, ") y)");
}

/* The members: +1 on the first day a stay and a row of her unit both
 * hold, -1 on the end of either ('@total' at both levels; at the nation
 * also by each field the statistics break them down by, as the stock
 * rows above: "DAY TEXT"). */
static void day_members(query_t *q)
{
	query_sql(q, " UNION ALL SELECT x.u, '@' || k.column1, CASE WHEN g.column1 = 1 THEN x.ist ELSE x.ien END"
		     " || CASE k.column1 WHEN 'eth' THEN ' ' || x.eth"
		     " WHEN 'religion' THEN ' ' || x.rel WHEN 'education' THEN ' ' || x.edu"
		     " WHEN 'occupation' THEN ' ' || x.occ WHEN 'circ' THEN ' ' || x.circ ELSE '' END, g.column1, 0"
		     " FROM x CROSS JOIN (VALUES (1), (-1)) g CROSS JOIN (VALUES ('total'), ('honorary'), ('digital'),"
		     " ('eth'), ('religion'), ('education'), ('occupation'), ('circ')) k"
		     " WHERE x.ist < x.ien AND (g.column1 = 1 OR x.ien <> " OPEN ") AND (x.tier = 0 OR k.column1 = 'total')"
		     " AND (k.column1 <> 'honorary' OR x.kind = 'honorary') AND (k.column1 <> 'digital' OR x.dg <> 0)");
}

/* At the nation, the members by age band (0: 30 and under, 1: 31-45,
 * 2: 46-60, 3: over 60; member_stats_t.age): each stay cut at the
 * birthdays that move her to the next band, each piece +1 in its band on
 * its first day and -1 on its end ("DAY BAND"). */
static void day_ages(query_t *q)
{
	query_sql(q, " UNION ALL SELECT y.u, '@age', CASE WHEN g.column1 = 1 THEN y.st ELSE y.en END"
		     " || ' ' || CAST(y.band AS TEXT), g.column1, 0"
		     " FROM (SELECT z.u, z.band, " LATER("z.ist", "z.lo") " AS st, " EARLIER("z.ien", "z.hi") " AS en"
		     " FROM (SELECT x.u, x.ist, x.ien,"
		     " b.column1 AS band, CASE b.column1 WHEN 0 THEN x.ist WHEN 1 THEN " BIRTHDAY("31") " WHEN 2 THEN "
		     BIRTHDAY("46") " ELSE " BIRTHDAY("61") " END AS lo, CASE b.column1 WHEN 0 THEN " BIRTHDAY("31")
		     " WHEN 1 THEN " BIRTHDAY("46") " WHEN 2 THEN " BIRTHDAY("61") " ELSE " OPEN " END AS hi"
		     " FROM x CROSS JOIN (VALUES (0), (1), (2), (3)) b WHERE x.tier = 0) z) y"
		     " CROSS JOIN (VALUES (1), (-1)) g WHERE y.st < y.en AND (g.column1 = 1 OR y.en <> " OPEN ")");
}

/* At the nation, each stay's start ('@s') and end ('@e') by day, with
 * its reason ("DAY AF AT REASON"); for a move, the other stay's row too
 * ('@in' for a start, '@out' for an end: "DAY AF AT OF OT"), so that a
 * move within the units counted is told from one across their edge. */
static void day_flows(query_t *q)
{
#define FLOW_DAY "(CASE WHEN g.column1 = 1 THEN x.mf ELSE x.mt END)"
#define MOVE_DAY "(CASE WHEN x.mf = o.mt THEN x.mf ELSE x.mt END)"
	query_sql(q, " UNION ALL SELECT x.u, CASE WHEN g.column1 = 1 THEN '@s' ELSE '@e' END, " FLOW_DAY " || ' ' || "
		     LATER("x.af", FLOW_DAY) " || ' ' || x.ato || ' ' || CASE WHEN g.column1 = 1 THEN x.sr ELSE x.er END, 1, 0"
		     " FROM x CROSS JOIN (VALUES (1), (-1)) g WHERE x.tier = 0 AND (g.column1 = 1 OR x.mt <> " OPEN ")");
	query_sql(q, " UNION ALL SELECT x.u, CASE WHEN x.mf = o.mt THEN '@in' ELSE '@out' END, " MOVE_DAY " || ' ' || "
		     LATER("x.af", MOVE_DAY) " || ' ' || x.ato || ' ' || " LATER("o.af", MOVE_DAY) " || ' ' || o.ato, 1, 0"
		     " FROM x JOIN x o ON o.pid = x.pid AND o.u = x.u AND ((x.sr = 'transferred' AND o.mt = x.mf)"
		     " OR (x.er = 'transferred' AND o.mf = x.mt)) WHERE x.tier = 0");
#undef FLOW_DAY
#undef MOVE_DAY
}

/* At the nation, dues payments by year ('@dues': "YEAR AF AT") and by day
 * paid ('@paid': "DAY AF AT"), n and the sum in amount. */
static void day_dues(query_t *q, const scope_t *s)
{
	query_sql(q, " UNION ALL SELECT a.ancestor, CASE WHEN g.column1 = 1 THEN '@dues' ELSE '@paid' END,"
		     " CASE WHEN g.column1 = 1 THEN CAST(dp.year AS TEXT) || ' ' || CAST(a.valid_from AS TEXT)"
		     " ELSE CAST(dp.paid_on AS TEXT) || ' ' || " LATER("CAST(a.valid_from AS TEXT)", "CAST(dp.paid_on AS TEXT)")
		     " END || ' ' || CAST(a.valid_to AS TEXT), 1, dp.amount FROM dues_payments dp CROSS JOIN (VALUES (1), (-1)) g"
		     " JOIN ancestry a ON a.descendant = dp.unit_id JOIN units tu ON tu.id = a.ancestor"
		     " JOIN levels tl ON tl.key = tu.level AND " TIER " = 0 WHERE true");
	person_filter(q, "dp.person_id", s);
}

/* Branches and groups under each ancestry row at both levels: +1 on its
 * first day, -1 on its end ('@branches': "DAY"). A unit's rows lie within
 * its life (store/ancestry.h), so they hold on the days it exists. */
static void day_branches(query_t *q, const scope_t *s)
{
	if (of_people(s))
		return;
	query_sql(q, " UNION ALL SELECT a.ancestor, '@branches', CAST(CASE WHEN g.column1 = 1 THEN a.valid_from"
		     " ELSE a.valid_to END AS TEXT), g.column1, 0 FROM ancestry a CROSS JOIN (VALUES (1), (-1)) g"
		     " JOIN units bu ON bu.id = a.descendant JOIN levels bl ON bl.key = bu.level"
		     " AND (SELECT count(*) FROM levels b WHERE b.rank > bl.rank) <= 1"
		     " JOIN units tu ON tu.id = a.ancestor JOIN levels tl ON tl.key = tu.level AND " TOP_LEVEL
		     " WHERE (g.column1 = 1 OR a.valid_to <> " OPEN ")");
	work_filter(q, "a.descendant", s);
}

/* Every '@' row of the people of s (those of stays from x). */
static void day_rows(query_t *q, const scope_t *s)
{
	day_members(q);
	day_ages(q);
	day_flows(q);
	day_dues(q, s);
	day_branches(q, s);
}

/* Adds sign times everything of the people of s: their figures into
 * table (NULL: none); their figures by day into days (NULL: none). */
static int add_into(db_t *db, const char *table, const char *days, const scope_t *s, int sign, err_t *e)
{
	char frag[512];
	query_t q;

	for (int by_day = 0; by_day < 2; by_day++) {
		const char *into = by_day ? days : table;
		if (!into)
			continue;
		query_init(&q);
		snprintf(frag, sizeof(frag), "INSERT INTO %s (unit_id, dim, value, n, amount)", into);
		query_sql(&q, frag);
		if (by_day)
			day_stays(&q, s);
		snprintf(frag, sizeof(frag), " SELECT c.u, c.d, c.v, %d * sum(c.n), %d * sum(c.amt) FROM (", sign, sign);
		query_sql(&q, frag);
		if (by_day) {
			query_sql(&q, "SELECT 0 AS u, '' AS d, '' AS v, 0 AS n, 0 AS amt WHERE false");
			day_rows(&q, s);
		} else {
			stock_rows(&q, s);
			event_rows(&q, s);
			dues_rows(&q, s);
			branch_rows(&q, s);
			word_rows(&q, s);
		}
		snprintf(frag, sizeof(frag),
			 ") c WHERE true GROUP BY c.u, c.d, c.v ON CONFLICT (unit_id, dim, value) DO UPDATE"
			 " SET n = %s.n + excluded.n, amount = %s.amount + excluded.amount",
			 into, into);
		query_sql(&q, frag);
		if (query_run(db, &q, e))
			return -1;
	}
	return 0;
}

/* Into table, the search rows of the people of s who are members at the
 * end of time: at the unit of the second level above her stay, each word
 * of her name (person_words), and there and at the units between it and
 * the branches (her commune) a row '' for the whole name, with her sort
 * key and folded name (what a province's or a commune's search reads,
 * store/members.c). */
static int add_words(db_t *db, const char *table, const scope_t *s, err_t *e)
{
	char frag[256];
	query_t q;

	for (int i = 0; i < 2; i++) {
		query_init(&q);
		/* DISTINCT: two open stays of hers in one province (which the
		 * writes never make) must not stop every write of hers */
		snprintf(frag, sizeof(frag),
			 "INSERT INTO %s (unit_id, word, name_key, person_id, name_fold) SELECT DISTINCT a.ancestor, ", table);
		query_sql(&q, frag);
		query_sql(&q, i == 0 ? "pw.word, pw.name_key, pw.person_id, pw.name_fold FROM memberships m"
				       " JOIN person_words pw ON pw.person_id = m.person_id JOIN persons p ON p.id = m.person_id"
				     : "'', p.name_key, p.id, p.name_fold FROM memberships m JOIN persons p ON p.id = m.person_id");
		query_sql(&q, " JOIN ancestry a ON a.descendant = m.unit_id AND a.valid_to = " OPEN
			      " JOIN units tu ON tu.id = a.ancestor JOIN levels tl ON tl.key = tu.level AND ");
		query_sql(&q, i == 0 ? SECOND_LEVEL : NAME_LEVELS);
		query_sql(&q, " WHERE m.valid_to = " OPEN " AND p.erased = 0");
		person_filter(&q, "m.person_id", s);
		/* in the order of the table's index: many rows (a rebuild, an
		 * import) then fill it page after page, rather than touching
		 * its pages at random, more of them than a cache holds */
		if (s->kind != SCOPE_PERSON)
			query_sql(&q, " ORDER BY 1, 2, 3, 4, 5");
		if (query_run(db, &q, e))
			return -1;
	}
	return 0;
}

/* Takes the search rows of the people of s out. */
static int drop_words(db_t *db, const scope_t *s, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "DELETE FROM member_words WHERE true");
	person_filter(&q, "person_id", s);
	return query_run(db, &q, e);
}

/* meta 'tally_from': the day as *d and *kept true, or *kept false when the
 * figures are not kept. */
static int tally_from(db_t *db, bool *kept, date_t *d, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*kept = false;
	*d = DATE_OPEN;
	if (store_prep(db, "SELECT value FROM meta WHERE key = 'tally_from'", &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		*kept = date_parse(db_col_text(st, 0), d) == 0;
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

static int set_tally_from(db_t *db, const char *value, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "DELETE FROM meta WHERE key = 'tally_from'");
	if (query_run(db, &q, e))
		return -1;
	query_init(&q);
	query_add(&q, "INSERT INTO meta (key, value) VALUES ('tally_from', ?)", QT(value));
	return query_run(db, &q, e);
}

/* Moves 'tally_from' on to day d, if later. */
static int bump_to(db_t *db, date_t from, date_t d, err_t *e)
{
	char day[DATE_STR_LEN];

	return d <= from ? 0 : set_tally_from(db, date_format(d, day), e);
}

/* Moves 'tally_from' on to the latest day the query q gives (one row, one
 * date or NULL), if later. */
static int bump(db_t *db, date_t from, const query_t *q, err_t *e)
{
	db_stmt_t *st = NULL;
	date_t d = 0;
	bool found = false;
	int rc;

	if (query_prepare(db, q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_is_null(st, 0)) {
		found = true;
		if (db_col_date(st, 0, &d))
			rc = DB_ERROR;
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(db, rc, e);
	return found ? bump_to(db, from, d, e) : 0;
}

/* The latest change among stays (of the people of s) and ancestry rows
 * (of the units in ancestry_work, or all): what they say from then on is
 * what the table counts. */
static void last_change(query_t *q, const scope_t *s)
{
	query_init(q);
	query_sql(q, "SELECT max(x) FROM (SELECT max(m.valid_from) AS x FROM memberships m WHERE true");
	person_filter(q, "m.person_id", s);
	query_sql(q, " UNION ALL SELECT max(m.valid_to) FROM memberships m WHERE m.valid_to <> " OPEN);
	person_filter(q, "m.person_id", s);
	if (!of_people(s)) {
		query_sql(q, " UNION ALL SELECT max(a.valid_from) FROM ancestry a WHERE true");
		work_filter(q, "a.descendant", s);
		query_sql(q, " UNION ALL SELECT max(a.valid_to) FROM ancestry a WHERE a.valid_to <> " OPEN);
		work_filter(q, "a.descendant", s);
	}
	query_sql(q, ") t");
}

/* Puts in or takes out (sign) the figures of the people of s, and their
 * search rows into or out of member_words. */
static int keep(db_t *db, const scope_t *s, int sign, err_t *e)
{
	bool kept = false;
	date_t from;
	query_t q;

	if (tally_from(db, &kept, &from, e))
		return -1;
	if (!kept)
		return 0;
	if (add_into(db, "member_tally", "member_days", s, sign, e))
		return -1;
	if (sign < 0)
		return drop_words(db, s, e);
	if (add_words(db, "member_words", s, e))
		return -1;
	last_change(&q, s);
	return bump(db, from, &q, e);
}

int member_tally_person(db_t *db, int64_t person_id, int sign, err_t *e)
{
	scope_t s = { .kind = SCOPE_PERSON, .person_id = person_id };

	return keep(db, &s, sign, e);
}

/* Creates table `name` as an empty copy of `like`, unless there is one:
 * a temporary table, the transaction's alone (PostgreSQL drops it at its
 * end; SQLite's temporary tables are the connection's, and a rollback
 * takes them away). */
static int scratch_like(db_t *db, const char *name, const char *like, err_t *e)
{
	char sql[256];
	query_t q;

	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE IF NOT EXISTS %s%s AS SELECT * FROM %s WHERE false", name,
		 db_dialect(db) == DB_POSTGRESQL ? " ON COMMIT DROP" : "", like);
	query_init(&q);
	query_sql(&q, sql);
	return query_run(db, &q, e);
}

static int batch_person_words(db_t *db, err_t *e)
{
	return scratch_like(db, MEMBER_BATCH_PERSON_WORDS, "person_words", e);
}

int member_tally_batch_tables(db_t *db, err_t *e)
{
	return scratch_like(db, MEMBER_BATCH_WORDS, "member_words", e) || batch_person_words(db, e) ? -1 : 0;
}

/* Moves the rows of scratch into table (columns cols), in the order of
 * the index `order`, and drops scratch. */
static int move_sorted(db_t *db, const char *scratch, const char *table, const char *cols, const char *order,
		       err_t *e)
{
	char sql[512];
	query_t q;

	snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) SELECT %s FROM %s ORDER BY %s", table, cols, cols, scratch, order);
	query_init(&q);
	query_sql(&q, sql);
	if (query_run(db, &q, e))
		return -1;
	snprintf(sql, sizeof(sql), "DROP TABLE %s", scratch);
	query_init(&q);
	query_sql(&q, sql);
	return query_run(db, &q, e);
}

/* The indexes by person of the search rows' tables: the rows moved in
 * their keys' order come to them in no order. */
static const char *const BY_PERSON[] = { "person_words_person", "member_words_person" };
#define N_BY_PERSON (sizeof(BY_PERSON) / sizeof(BY_PERSON[0]))

/* The one integer sql answers, into *out; 0 or -1 with e. */
static int one_int(db_t *db, const char *sql, int64_t *out, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, sql);
	return org_query_int(db, &q, out, e);
}

/* SQLite: for each index of BY_PERSON, whether the batches at least double
 * its table: member_words' search rows against its largest rowid (no
 * AUTOINCREMENT: at least its rows, an estimate from above), person_words'
 * people (the rows of everyone ever recorded) against the persons before
 * them. A first import into a new database, a province's lists into a
 * country's. Then the index is dropped before the move and made again
 * after: each of its inserts would go to a random page, and past the page
 * cache (a million members: 5.9 million rows, some 100 MB of index
 * against 32 MB of cache) one in two is a read; made again, it is sorted
 * once. A smaller import adds its rows where they go. PostgreSQL: never
 * (DROP INDEX would lock the table against the searches until the
 * commit). */
static int rebuild_by_person(db_t *db, bool yes[N_BY_PERSON], err_t *e)
{
	int64_t words = 0, rowid = 0, people = 0, persons = 0;

	yes[0] = yes[1] = false;
	if (db_dialect(db) != DB_SQLITE)
		return 0;
	if (one_int(db, "SELECT count(*) FROM " MEMBER_BATCH_WORDS, &words, e) ||
	    one_int(db, "SELECT coalesce(max(rowid), 0) FROM member_words", &rowid, e) ||
	    one_int(db, "SELECT count(DISTINCT person_id) FROM " MEMBER_BATCH_PERSON_WORDS, &people, e) ||
	    one_int(db, "SELECT coalesce(max(id), 0) FROM persons", &persons, e))
		return -1;
	/* persons holds the batches' people already */
	yes[0] = people > 0 && people >= persons - people;
	yes[1] = words > 0 && words >= rowid;
	return 0;
}

/* Drops the indexes BY_PERSON that which[] says, keeping their statements
 * in sql[] (NULL for one not dropped; owned by the caller, free with
 * free()). */
static int by_person_drop(db_t *db, const bool which[N_BY_PERSON], char *sql[N_BY_PERSON], err_t *e)
{
	for (size_t i = 0; i < N_BY_PERSON; i++) {
		char drop[96];
		db_stmt_t *st = NULL;
		query_t q;
		int rc;

		sql[i] = NULL;
		if (!which[i])
			continue;
		query_init(&q);
		query_add(&q, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", QT(BY_PERSON[i]));
		if (query_prepare(db, &q, &st, e))
			return -1;
		rc = db_step(st);
		if (rc == DB_ROW && !db_col_is_null(st, 0) && !(sql[i] = strdup(db_col_text(st, 0)))) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		db_finalize(st);
		if (rc != DB_ROW && rc != DB_DONE)
			return store_fail(db, rc, e);
		if (!sql[i])
			continue;
		snprintf(drop, sizeof(drop), "DROP INDEX %s", BY_PERSON[i]);
		if ((rc = db_exec(db, drop)) != DB_OK)
			return store_fail(db, rc, e);
	}
	return 0;
}

/* Makes again the indexes by_person_drop dropped, and frees sql[]. */
static int by_person_make(db_t *db, char *sql[N_BY_PERSON], int r, err_t *e)
{
	for (size_t i = 0; i < N_BY_PERSON; i++) {
		int rc;
		if (!r && sql[i] && (rc = db_exec(db, sql[i])) != DB_OK)
			r = store_fail(db, rc, e);
		free(sql[i]);
		sql[i] = NULL;
	}
	return r;
}

int member_tally_batches_end(db_t *db, err_t *e)
{
	char *by_person[N_BY_PERSON] = { NULL };
	bool rebuild[N_BY_PERSON];
	int r;

	/* in the order of their keys: the pages of each filled one after the other */
	if (member_tally_batch_tables(db, e) || rebuild_by_person(db, rebuild, e))
		return -1;
	r = by_person_drop(db, rebuild, by_person, e);
	r = r || move_sorted(db, MEMBER_BATCH_PERSON_WORDS, "person_words", "word, name_key, person_id, name_fold",
			     "word, name_key, person_id", e) ||
	    move_sorted(db, MEMBER_BATCH_WORDS, "member_words", "unit_id, word, name_key, person_id, name_fold",
			"unit_id, word, name_key, person_id, name_fold", e)
		? -1
		: 0;
	return by_person_make(db, by_person, r, e);
}

int member_tally_kept(db_t *db, bool *kept, err_t *e)
{
	date_t from;

	return tally_from(db, kept, &from, e);
}

int member_tally_load_tables(db_t *db, bool counting, err_t *e)
{
	if (counting && scratch_like(db, MEMBER_LOAD_TALLY, "member_tally", e))
		return -1;
	return batch_person_words(db, e);
}

int member_tally_load_words_end(db_t *db, err_t *e)
{
	return move_sorted(db, MEMBER_BATCH_PERSON_WORDS, "person_words", "word, name_key, person_id, name_fold",
			   "word, name_key, person_id", e);
}

int member_tally_load_end(db_t *db, date_t latest, err_t *e)
{
	bool kept = false;
	date_t from;
	query_t q;

	if (tally_from(db, &kept, &from, e))
		return -1;
	if (!kept)
		return err_set(e, ERR_INTERNAL, NULL, "member_tally_load_end: the figures are not kept");
	query_init(&q);
	query_sql(&q, "INSERT INTO member_tally (unit_id, dim, value, n, amount) SELECT unit_id, dim, value, n, amount"
		      " FROM " MEMBER_LOAD_TALLY " WHERE dim NOT LIKE '@%' ON CONFLICT (unit_id, dim, value) DO UPDATE"
		      " SET n = member_tally.n + excluded.n, amount = member_tally.amount + excluded.amount");
	if (query_run(db, &q, e))
		return -1;
	query_init(&q);
	query_sql(&q, "INSERT INTO member_days (unit_id, dim, value, n, amount) SELECT unit_id, dim, value, n, amount"
		      " FROM " MEMBER_LOAD_TALLY " WHERE dim LIKE '@%' ON CONFLICT (unit_id, dim, value) DO UPDATE"
		      " SET n = member_days.n + excluded.n, amount = member_days.amount + excluded.amount");
	if (query_run(db, &q, e))
		return -1;
	query_init(&q);
	query_sql(&q, "DROP TABLE " MEMBER_LOAD_TALLY);
	if (query_run(db, &q, e))
		return -1;
	return bump_to(db, from, latest, e);
}

int member_tally_work(db_t *db, int64_t run, int sign, err_t *e)
{
	scope_t s = { .kind = SCOPE_WORK, .run = run };

	return keep(db, &s, sign, e);
}

int member_tally_suspend(db_t *db, err_t *e)
{
	return set_tally_from(db, "off", e);
}

/* Counts everything afresh; the figures by day too when days. */
static int rebuild(db_t *db, bool days, err_t *e)
{
	scope_t s = { .kind = SCOPE_ALL };
	bool own = false;
	query_t q;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	query_init(&q);
	query_sql(&q, "DELETE FROM member_tally");
	r = query_run(db, &q, e);
	if (!r && days) {
		query_init(&q);
		query_sql(&q, "DELETE FROM member_days");
		r = query_run(db, &q, e);
	}
	r = r || add_into(db, "member_tally", days ? "member_days" : NULL, &s, 1, e) ||
	    drop_words(db, &s, e) ||
	    add_words(db, "member_words", &s, e) || set_tally_from(db, "1900-01-01", e);
	if (!r) {
		last_change(&q, &s);
		r = bump(db, DATE_FIRST, &q, e);
	}
	return store_tx_end(db, own, r, e);
}

int member_tally_rebuild(db_t *db, err_t *e)
{
	return rebuild(db, true, e);
}

int member_tally_rebuild_15(db_t *db, err_t *e)
{
	return rebuild(db, false, e);
}

int member_tally_days_units(db_t *db, err_t *e)
{
	scope_t s = { .kind = SCOPE_ALL };
	query_t q;

	query_init(&q);
	query_sql(&q, "INSERT INTO member_days (unit_id, dim, value, n, amount) SELECT c.u, c.d, c.v, sum(c.n), sum(c.amt)"
		      " FROM (SELECT 0 AS u, '' AS d, '' AS v, 0 AS n, 0 AS amt WHERE false");
	day_branches(&q, &s);
	query_sql(&q, ") c WHERE true GROUP BY c.u, c.d, c.v ON CONFLICT (unit_id, dim, value) DO UPDATE"
		      " SET n = member_days.n + excluded.n, amount = member_days.amount + excluded.amount");
	return query_run(db, &q, e);
}

int member_tally_days(db_t *db, int64_t unit_id, bool *hold, err_t *e)
{
	int64_t n = 0;
	date_t from;
	query_t q;

	*hold = false;
	if (tally_from(db, hold, &from, e))
		return -1;
	if (!*hold)
		return 0;
	query_init(&q);
	query_add(&q, "SELECT count(*) FROM units tu JOIN levels tl ON tl.key = tu.level WHERE tu.id = ? AND " TIER " = 0",
		  QI(unit_id));
	if (org_query_int(db, &q, &n, e))
		return -1;
	*hold = n > 0;
	return 0;
}

int member_tally_holds(db_t *db, date_t d, bool *holds, err_t *e)
{
	bool kept = false;
	date_t from;

	*holds = false;
	if (tally_from(db, &kept, &from, e))
		return -1;
	*holds = kept && d >= from;
	return 0;
}

/* One round trip: the day the figures are kept from, read with the
 * unit's level (every search of a unit asks both). */
int member_words_tier(db_t *db, int64_t unit_id, date_t d, int *tier, err_t *e)
{
	db_stmt_t *st = NULL;
	date_t from = DATE_OPEN;
	query_t q;
	int rc;

	*tier = 0;
	query_init(&q);
	query_add(&q,
		  "SELECT (SELECT value FROM meta WHERE key = 'tally_from'), coalesce(max(CASE WHEN " SECOND_LEVEL
		  " THEN 1 WHEN " BETWEEN_LEVELS " THEN 2 ELSE 0 END), 0)"
		  " FROM units tu JOIN levels tl ON tl.key = tu.level WHERE tu.id = ?",
		  QI(unit_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW && date_parse(db_col_text(st, 0), &from) == 0 && d >= from)
		*tier = (int)db_col_int64(st, 1);
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

int member_tally_full(db_t *db, int64_t unit_id, bool *full, err_t *e)
{
	int64_t n = 0;
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM units tu JOIN levels tl ON tl.key = tu.level"
		      " WHERE tu.id = ? AND " TOP_LEVEL,
		  QI(unit_id));
	if (org_query_int(db, &q, &n, e))
		return -1;
	*full = n > 0;
	return 0;
}

/* A figure that differs, on report. */
static void print_figure(FILE *report, db_stmt_t *st, const char *what)
{
	fprintf(report, "%s: unit id %lld, %s '%s': %lld (amount %lld)\n", what,
		(long long)db_col_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2), (long long)db_col_int64(st, 3),
		(long long)db_col_int64(st, 4));
}

/* A search row that differs, on report. */
static void print_word(FILE *report, db_stmt_t *st, const char *what)
{
	fprintf(report, "member_words %s: unit id %lld, person id %lld, word '%s'\n", what,
		(long long)db_col_int64(st, 0), (long long)db_col_int64(st, 1), db_col_text(st, 2));
}

/* The rows (cols, those that hold `where`) of table `a` that `b` lacks,
 * each counted in *n_diff and the first 100 printed on report. */
static int differences(db_t *db, const char *cols, const char *where, const char *a, const char *b,
		       const char *what, void (*print)(FILE *, db_stmt_t *, const char *), FILE *report,
		       size_t *n_diff, err_t *e)
{
	char sql[512];
	db_stmt_t *st = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE %s EXCEPT SELECT %s FROM %s WHERE %s ORDER BY 1, 2, 3",
		 cols, a, where, cols, b, where);
	if (store_prep(db, sql, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (report && *n_diff < 100)
			print(report, st, what);
		(*n_diff)++;
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

/* Figures and search rows: what is compared (a zero figure is no figure). */
#define FIGURE_COLS "unit_id, dim, value, n, amount"
#define FIGURE_HELD "n <> 0 OR amount <> 0"
#define WORD_COLS "unit_id, person_id, word, name_key, name_fold"

/* Recounts the search rows into a scratch table and compares; *rows the
 * rows recounted. */
static int check_words(db_t *db, FILE *report, int64_t *rows, size_t *n_diff, err_t *e)
{
	scope_t s = { .kind = SCOPE_ALL };
	query_t q;
	int r;

	query_init(&q);
	query_sql(&q, "CREATE TEMP TABLE words_check (unit_id BIGINT NOT NULL, word TEXT NOT NULL,"
		      " name_key TEXT NOT NULL, person_id BIGINT NOT NULL, name_fold TEXT NOT NULL)");
	r = query_run(db, &q, e) || add_words(db, "words_check", &s, e) ||
	    differences(db, WORD_COLS, "true", "member_words", "words_check", "kept, not counted", print_word, report,
			n_diff, e) ||
	    differences(db, WORD_COLS, "true", "words_check", "member_words", "counted, not kept", print_word, report,
			n_diff, e);
	if (!r) {
		query_init(&q);
		query_sql(&q, "SELECT count(*) FROM words_check");
		r = org_query_int(db, &q, rows, e);
	}
	if (!r) {
		query_init(&q);
		query_sql(&q, "DROP TABLE words_check");
		r = query_run(db, &q, e);
	}
	return r;
}

/* A scratch table like member_tally, for a recount. */
static int scratch_figures(db_t *db, const char *name, err_t *e)
{
	char sql[256];
	query_t q;

	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE %s (unit_id BIGINT NOT NULL, dim TEXT NOT NULL,"
		 " value TEXT NOT NULL, n BIGINT NOT NULL, amount BIGINT NOT NULL, PRIMARY KEY (unit_id, dim, value))",
		 name);
	query_init(&q);
	query_sql(&q, sql);
	return query_run(db, &q, e);
}

/* Compares table kept with its recount (a scratch table, dropped after):
 * each row that differs counted in *n_diff and printed on report, the
 * rows recounted added to *n_rows. */
static int compare_figures(db_t *db, const char *kept, const char *counted, FILE *report, size_t *n_rows,
			   size_t *n_diff, err_t *e)
{
	char what[2][64], sql[128];
	int64_t rows = 0;
	query_t q;

	snprintf(what[0], sizeof(what[0]), "%s kept, not counted", kept);
	snprintf(what[1], sizeof(what[1]), "%s counted, not kept", kept);
	if (differences(db, FIGURE_COLS, FIGURE_HELD, kept, counted, what[0], print_figure, report, n_diff, e) ||
	    differences(db, FIGURE_COLS, FIGURE_HELD, counted, kept, what[1], print_figure, report, n_diff, e))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", counted);
	query_init(&q);
	query_sql(&q, sql);
	if (org_query_int(db, &q, &rows, e))
		return -1;
	*n_rows += (size_t)rows;
	snprintf(sql, sizeof(sql), "DROP TABLE %s", counted);
	query_init(&q);
	query_sql(&q, sql);
	return query_run(db, &q, e);
}

int member_tally_check(db_t *db, FILE *report, bool *kept, size_t *n_rows, size_t *n_diff, err_t *e)
{
	scope_t s = { .kind = SCOPE_ALL };
	date_t from;
	bool own = false;
	int64_t rows = 0;
	int r;

	*n_rows = *n_diff = 0;
	if (store_tx_begin(db, &own, e))
		return -1;
	r = tally_from(db, kept, &from, e);
	if (!r && *kept) {
		r = scratch_figures(db, "tally_check", e) || scratch_figures(db, "days_check", e) ||
		    add_into(db, "tally_check", "days_check", &s, 1, e) ||
		    compare_figures(db, "member_tally", "tally_check", report, n_rows, n_diff, e) ||
		    compare_figures(db, "member_days", "days_check", report, n_rows, n_diff, e);
		if (!r) {
			r = check_words(db, report, &rows, n_diff, e);
			*n_rows += (size_t)rows;
		}
	}
	return store_tx_end(db, own, r, e);
}
