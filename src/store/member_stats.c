/*
 * member_stats.c - the membership statistics (see member_stats.h).
 *
 * The nation's and the provinces' figures as of a day on or after the last
 * change are read from those the writes keep (store/member_tally.h:
 * tally_pass, tally_children); the rest of this file counts them from the
 * stays, for any unit, day and view.
 *
 * The members counted are read in one pass (a stay, and its person's date
 * of birth, digital capacity, ethnic group, religion, education,
 * occupation and circumstances) and counted here: the free texts in
 * tallies (core/tally.h), ages in bands whose limits are dates worked out
 * beforehand (person_born_by), so that the store compares dates only. On
 * SQLite that pass costs one seek into persons a member (3 s for a
 * million); its GROUP BY would sort every row first and take four times
 * as long, so the rows come ungrouped and C counts them. On PostgreSQL the
 * server groups them (by one key, see stock_pass), so that the client
 * reads a few thousand rows, not a million. The kind of a stay (honorary)
 * is not in the index on memberships: it is counted apart
 * (honorary_count), so that the pass needs no seek into memberships.
 *
 * Then, a scan of the index on memberships gives each child's members and
 * the members on the eve and the last day of the period (count_scan); two
 * queries the stays that began and ended in the period, by reason
 * (period_events); and a few small ones the branches and the dues.
 *
 * The units counted in ("S") come in two parts:
 *   part 1: the subtree of the unit on the tree's day, through the
 *           ancestry table (the only part of the view as of the day);
 *   part 2: for the mapped view, the units that do not exist on the tree's
 *           day, each read with its own id and counted under the unit it
 *           became (member_stats_heir), when that lies in the subtree: the result of
 *           bucket_of, cached per unit. Usually none lies in the subtree
 *           (most of the 2025 reform moved branches rather than merging
 *           them), and part 2 is not read at all (part2_needed).
 */
#include "store/member_stats.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/org.h"
#include "core/person.h"
#include "store/member_tally.h"
#include "store/members.h"
#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/util.h"

/* Where a unit of part 2 counts: outside the subtree, in the unit itself,
 * or under the child with that index (>= 0). */
enum { BUCKET_OUTSIDE = -2, BUCKET_DIRECT = -1 };

#define HEIR_STEPS 64 /* units of a chain looked at from one unit (63 merges, splits and closings) */

typedef struct bucket_slot {
	int64_t unit; /* 0: free */
	int bucket;
} bucket_slot_t;

typedef struct view {
	db_t *db;
	int64_t unit;          /* the unit asked for */
	date_t d;              /* whose members */
	date_t t;              /* the tree's day */
	bool mapped;
	bool pg;               /* PostgreSQL: the server groups the rows */
	bool sensitive;
	bool recount;          /* never from member_tally */
	bool lean;             /* member_stats_opts_t.lean (never with mapped) */
	bool top;              /* lean, and the unit is the top of the tree on its day */
	bool honorary_counted; /* part 1's honorary members counted with its stays (lean_top_pass) */
	member_stats_t *s;
	bucket_slot_t *buckets; /* units of part 2 placed so far */
	size_t cap, n;
	tally_t eth, religion, education, occupation, circumstances;
	/* day_pass: the days it compares as text (the members', the tree's),
	 * and the texts' changes up to the day, netted before the breakdowns
	 * see them (DAY_TEXTS) */
	char day_d[DATE_STR_LEN], day_t[DATE_STR_LEN];
	tally_t day_texts[5];
} view_t;

void member_stats_free(member_stats_t *s)
{
	if (!s)
		return;
	free(s->children);
	s->children = NULL;
	s->n_children = 0;
	text_groups_free(&s->religion);
	text_groups_free(&s->education);
	text_groups_free(&s->occupation);
	text_groups_free(&s->circumstances);
}

static void view_free(view_t *v)
{
	free(v->buckets);
	tally_free(&v->eth);
	tally_free(&v->religion);
	tally_free(&v->education);
	tally_free(&v->occupation);
	tally_free(&v->circumstances);
	for (size_t k = 0; k < sizeof(v->day_texts) / sizeof(v->day_texts[0]); k++)
		tally_free(&v->day_texts[k]);
}

static int no_memory(err_t *e)
{
	return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* Starts a query whose best plan depends on its values (the nation's
 * subtree or a commune's): PostgreSQL plans it at every run rather than
 * settle, after five, on a generic plan for every unit (db.h). */
static void plan_each_run(query_t *q)
{
	query_init(q);
	query_sql(q, DB_PLAN_EACH_RUN);
}

/* ---- the units counted in ---- */

/* The column of a unit's id of part 1 (ancestry s) or 2 (units s). */
static const char *src_id(int part)
{
	return part == 1 ? "s.descendant" : "s.id";
}

static void src_from(query_t *q, int part)
{
	query_sql(q, part == 1 ? " FROM ancestry s" : " FROM units s");
}

/* The join from the units of a part to the next table. Part 2 must read
 * its units first (those that do not exist on the tree's day: a few
 * thousand, a scan of units), but SQLite's planner would rather scan every
 * stay and look its unit up (a million seeks): a CROSS JOIN keeps the
 * order on SQLite. PostgreSQL plans the plain JOIN well (a hash join). */
static const char *src_join(const view_t *v, int part)
{
	return part == 2 && !v->pg ? " CROSS JOIN" : " JOIN";
}

/* WHERE for the units of a part: the subtree on the tree's day, or the
 * units that do not exist that day; with alive, only those of part 2 that
 * existed on the members' day. */
static void src_where(query_t *q, const view_t *v, int part, bool alive)
{
	if (part == 1) {
		query_add(q, " WHERE s.ancestor = ? AND s.valid_from <= ? AND s.valid_to > ?", QI(v->unit), QD(v->t),
			  QD(v->t));
		return;
	}
	query_add(q, " WHERE (s.valid_to <= ? OR s.valid_from > ?)", QD(v->t), QD(v->t));
	if (alive)
		query_add(q, " AND s.valid_from <= ? AND s.valid_to > ?", QD(v->d), QD(v->d));
}

/* ---- where a unit that is gone counts (part 2) ---- */

/* The merge or split that ended unit id: its targets into *targets (ids,
 * codes), at most cap. */
static int ending_targets(db_t *db, int64_t id, int64_t *ids, char (*codes)[UNIT_CODE_MAX + 1], size_t cap,
			  size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t event = 0;
	query_t q;
	int rc;

	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT ev.id, o.unit_id, ou.code FROM event_units m JOIN events ev ON ev.id = m.event_id"
		      " JOIN event_units o ON o.event_id = ev.id AND o.role = 'target' JOIN units ou ON ou.id = o.unit_id"
		      " WHERE m.unit_id = ? AND m.role = 'source' AND ev.kind IN ('merge', 'split') AND o.unit_id <> ?"
		      " ORDER BY ev.date, ev.id, o.unit_id",
		  QI(id), QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (event && db_col_int64(st, 0) != event)
			break; /* a later event: this one ended it */
		event = db_col_int64(st, 0);
		if (*n < cap) {
			ids[*n] = db_col_int64(st, 1);
			copy_text(codes[*n], sizeof(codes[*n]), db_col_text(st, 2));
			(*n)++;
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

/* The parent of unit id on its last day (0: none), and whether id exists
 * on day t; its code into code. */
static int unit_facts(db_t *db, int64_t id, date_t t, int64_t *parent, bool *alive, char *code, size_t cap,
		      err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q, "SELECT u.code, CASE WHEN u.valid_from <= ? AND u.valid_to > ? THEN 1 ELSE 0 END,"
		      " (SELECT up.parent_id FROM unit_parents up WHERE up.unit_id = u.id AND up.valid_from < u.valid_to"
		      " AND up.valid_to >= u.valid_to) FROM units u WHERE u.id = ?",
		  QD(t), QD(t), QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_text(code, cap, db_col_text(st, 0));
		*alive = db_col_int64(st, 1) != 0;
		*parent = db_col_int64(st, 2);
	}
	db_finalize(st);
	if (rc == DB_DONE)
		return err_fail(e, ERR_INTERNAL, NULL, "no unit with id {id}", ERR_INT("id", id));
	return rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

int member_stats_heir(db_t *db, int64_t id, date_t t, int64_t *out, err_t *e)
{
	*out = 0;
	for (int step = 0; id && step < HEIR_STEPS; step++) {
		int64_t ids[LINEAGE_FANOUT], parent = 0;
		char codes[LINEAGE_FANOUT][UNIT_CODE_MAX + 1];
		lineage_target_t targets[LINEAGE_FANOUT];
		char code[UNIT_CODE_MAX + 1];
		bool alive = false;
		size_t n = 0;

		if (unit_facts(db, id, t, &parent, &alive, code, sizeof(code), e))
			return -1;
		if (alive) {
			*out = id;
			return 0;
		}
		if (ending_targets(db, id, ids, codes, LINEAGE_FANOUT, &n, e))
			return -1;
		if (n) {
			for (size_t i = 0; i < n; i++) {
				targets[i].unit_id = ids[i];
				targets[i].code = codes[i];
			}
			id = ids[lineage_heir(code, targets, n)];
		} else {
			id = parent;
		}
	}
	return 0;
}

static int child_index(const member_stats_t *s, int64_t id)
{
	for (size_t i = 0; i < s->n_children; i++)
		if (s->children[i].unit.id == id)
			return (int)i;
	return BUCKET_OUTSIDE;
}

/* Where heir (a unit of the tree's day) lies: the unit asked for, under
 * one of its children, or outside. */
static int place_of(const view_t *v, int64_t heir, int *bucket, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*bucket = BUCKET_OUTSIDE;
	query_init(&q);
	query_add(&q, "SELECT a.depth, (SELECT c.ancestor FROM ancestry c WHERE c.descendant = a.descendant"
		      " AND c.depth = a.depth - 1 AND c.valid_from <= ? AND c.valid_to > ?) FROM ancestry a"
		      " WHERE a.descendant = ? AND a.ancestor = ? AND a.valid_from <= ? AND a.valid_to > ?",
		  QD(v->t), QD(v->t), QI(heir), QI(v->unit), QD(v->t), QD(v->t));
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		*bucket = db_col_int64(st, 0) == 0 ? BUCKET_DIRECT : child_index(v->s, db_col_int64(st, 1));
	db_finalize(st);
	return rc < 0 ? store_fail(v->db, rc, e) : 0;
}

static size_t bucket_slot(const bucket_slot_t *slots, size_t cap, int64_t unit)
{
	size_t i = (size_t)((uint64_t)unit * 0x9E3779B97F4A7C15ULL >> 16) & (cap - 1);

	while (slots[i].unit && slots[i].unit != unit)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Where the members of unit id (of part 2) count; cached. */
static int bucket_of(view_t *v, int64_t id, int *bucket, err_t *e)
{
	int64_t heir = 0;
	size_t i;

	if (v->cap) {
		i = bucket_slot(v->buckets, v->cap, id);
		if (v->buckets[i].unit) {
			*bucket = v->buckets[i].bucket;
			return 0;
		}
	}
	if (member_stats_heir(v->db, id, v->t, &heir, e))
		return -1;
	*bucket = BUCKET_OUTSIDE;
	if (heir && place_of(v, heir, bucket, e))
		return -1;
	if ((v->n + 1) * 2 > v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		bucket_slot_t *slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return no_memory(e);
		for (size_t k = 0; k < v->cap; k++)
			if (v->buckets[k].unit)
				slots[bucket_slot(slots, cap, v->buckets[k].unit)] = v->buckets[k];
		free(v->buckets);
		v->buckets = slots;
		v->cap = cap;
	}
	i = bucket_slot(v->buckets, v->cap, id);
	v->buckets[i].unit = id;
	v->buckets[i].bucket = *bucket;
	v->n++;
	return 0;
}

/* Adds n to what part 2's unit id stands for: nothing when it lies
 * outside (*in false), else *in true and the child's figure at *child
 * (NULL for the unit itself). */
static int part2_place(view_t *v, int64_t id, bool *in, member_child_count_t **child, err_t *e)
{
	int b;

	if (bucket_of(v, id, &b, e))
		return -1;
	*in = b != BUCKET_OUTSIDE;
	*child = b >= 0 ? &v->s->children[b] : NULL;
	return 0;
}

/* Whether part 2 counts anything for the unit asked: the units that do
 * not exist on the tree's day and hold a stay or a payment, or are
 * branches or groups, placed (and cached) one by one; usually none lies
 * in the subtree, and part 2's queries are not run at all. */
static int part2_needed(view_t *v, bool *needed, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*needed = false;
	plan_each_run(&q);
	query_sql(&q, "SELECT s.id FROM units s JOIN levels l ON l.key = s.level");
	src_where(&q, v, 2, false);
	query_sql(&q, " AND (EXISTS (SELECT 1 FROM memberships m WHERE m.unit_id = s.id)"
		      " OR EXISTS (SELECT 1 FROM dues_payments dp WHERE dp.unit_id = s.id)"
		      " OR (SELECT count(*) FROM levels b WHERE b.rank > l.rank) <= 1)");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int b = BUCKET_OUTSIDE;
		if (bucket_of(v, db_col_int64(st, 0), &b, e))
			break;
		if (b != BUCKET_OUTSIDE)
			*needed = true;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* ---- the members on the day ---- */

/* One row of stock_pass: n members alike. */
typedef struct stock_row {
	int64_t n;
	bool direct;
	int band;
	bool digital;
	const char *text[5]; /* ethnicity, religion, education, occupation, circumstances */
} stock_row_t;

static int count_row(view_t *v, const stock_row_t *r, err_t *e)
{
	member_stats_t *s = v->s;

	s->total += r->n;
	if (r->direct)
		s->direct += r->n;
	if (r->band >= 0 && r->band < MEMBER_AGE_BANDS)
		s->age[r->band] += r->n;
	if (r->digital)
		s->digital += r->n;
	if ((v->sensitive && (tally_add(&v->eth, r->text[0], r->n) || tally_add(&v->religion, r->text[1], r->n))) ||
	    tally_add(&v->education, r->text[2], r->n) || tally_add(&v->occupation, r->text[3], r->n) ||
	    tally_add(&v->circumstances, r->text[4], r->n))
		return no_memory(e);
	return 0;
}

/* The separator of the fields of PostgreSQL's grouping key: stored text
 * holds no control character (core/text.h text_valid). */
#define KEY_SEP "\x1f"

/* A grouping key of PostgreSQL's stock pass, "<direct><band><digital>"
 * then the five texts, each after KEY_SEP, into r; key (a copy) is cut at
 * the separators. A key cut short leaves the texts that are missing "". */
static void split_key(char *key, stock_row_t *r)
{
	char *p = key;

	r->direct = p[0] == '1';
	r->band = p[0] && p[1] ? p[1] - '0' : MEMBER_AGE_BANDS - 1;
	r->digital = p[0] && p[1] && p[2] == '1';
	p += strcspn(p, KEY_SEP);
	for (int i = 0; i < 5; i++) {
		if (*p)
			*p++ = '\0';
		r->text[i] = p;
		/* the last takes the rest */
		if (i < 4)
			p += strcspn(p, KEY_SEP);
	}
}

/* Every member of a part on the day, in one pass. On SQLite the rows come
 * one a member, their columns read as they are. On PostgreSQL the server
 * groups them, by one key of every field joined: its planner cannot tell
 * how few the groups are from eight columns (it estimates one a row, and
 * sorts the million rows), but takes an expression's groups for few and
 * hashes them (3 s for a million members, against 4.5 s sorted and as
 * much streamed one by one). */
static int stock_pass(view_t *v, int part, err_t *e)
{
	date_t limit31 = person_born_by(v->d, 31), limit46 = person_born_by(v->d, 46),
	       limit61 = person_born_by(v->d, 61);
	char sql[256], key[5 * PERSON_TEXT_BUF + 8];
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	plan_each_run(&q);
	query_sql(&q, part == 1 ? "SELECT " : "SELECT m.unit_id, ");
	if (v->pg) {
		query_add(&q, "CASE WHEN m.unit_id = ? THEN '1' ELSE '0' END || CASE WHEN p.birth_date > ? THEN '0'"
			      " WHEN p.birth_date > ? THEN '1' WHEN p.birth_date > ? THEN '2' ELSE '3' END || p.digital"
			      " || chr(31) || coalesce(p.ethnicity, '') || chr(31) || p.religion || chr(31) || p.education"
			      " || chr(31) || p.occupation || chr(31) || p.circumstances, count(*)",
			  QI(v->unit), QD(limit31), QD(limit46), QD(limit61));
	} else {
		query_add(&q, "CASE WHEN m.unit_id = ? THEN 1 ELSE 0 END, CASE WHEN p.birth_date > ? THEN 0"
			      " WHEN p.birth_date > ? THEN 1 WHEN p.birth_date > ? THEN 2 ELSE 3 END, p.digital,"
			      " coalesce(p.ethnicity, ''), p.religion, p.education, p.occupation, p.circumstances",
			  QI(v->unit), QD(limit31), QD(limit46), QD(limit61));
	}
	src_from(&q, part);
	snprintf(sql, sizeof(sql),
		 "%s memberships m ON m.unit_id = %s AND m.valid_from <= ? AND m.valid_to > ?"
		 " JOIN persons p ON p.id = m.person_id",
		 src_join(v, part), src_id(part));
	query_add_dates(&q, sql, v->d);
	src_where(&q, v, part, true);
	if (v->pg)
		query_sql(&q, part == 1 ? " GROUP BY 1" : " GROUP BY 1, 2");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int at = part == 1 ? 0 : 1; /* the first column of the fields */
		member_child_count_t *child = NULL;
		stock_row_t r = { .n = 1 };
		bool in = true;
		if (v->pg) {
			copy_text(key, sizeof(key), db_col_text(st, at));
			split_key(key, &r);
			r.n = db_col_int64(st, at + 1);
		} else {
			r.direct = db_col_int64(st, at) != 0;
			r.band = (int)db_col_int64(st, at + 1);
			r.digital = db_col_int64(st, at + 2) != 0;
			for (int i = 0; i < 5; i++)
				r.text[i] = db_col_text(st, at + 3 + i);
		}
		if (part == 2) {
			if (part2_place(v, db_col_int64(st, 0), &in, &child, e))
				break;
			r.direct = in && !child;
			if (child)
				child->total += r.n;
		}
		if (in && count_row(v, &r, e))
			break;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* The lean count at the top of the tree: every stay of the day, on
 * SQLite in the table's order (the index's order sends each person's
 * lookup to another page: 3.5 s against 0.7 s for a million members),
 * with the honorary ones; then those of people with digital capacity,
 * from the partial index persons_digital (joined to each stay, the
 * persons' pages cost 0.76 s for a million members; from the index,
 * 0.1 s and 0.25 s apart). */
static int lean_top_pass(view_t *v, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t digital = 0;
	query_t q;
	int rc;

	plan_each_run(&q);
	query_add(&q,
		  "SELECT count(*), coalesce(sum(CASE WHEN m.unit_id = ? THEN 1 ELSE 0 END), 0),"
		  " coalesce(sum(CASE WHEN m.kind = 'honorary' THEN 1 ELSE 0 END), 0)",
		  QI(v->unit));
	query_sql(&q, v->pg ? " FROM memberships m" : " FROM memberships m NOT INDEXED");
	query_add_dates(&q, " WHERE m.valid_from <= ? AND m.valid_to > ?", v->d);
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	if ((rc = db_step(st)) == DB_ROW) {
		v->s->total += db_col_int64(st, 0);
		v->s->direct += db_col_int64(st, 1);
		v->s->honorary += db_col_int64(st, 2);
		v->honorary_counted = true;
		rc = DB_DONE;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return store_fail(v->db, rc, e);
	plan_each_run(&q);
	/* SQLite keeps the order of a CROSS JOIN: the index first */
	query_sql(&q, "SELECT count(*) FROM persons p CROSS JOIN memberships m WHERE p.digital <> 0 AND m.person_id = p.id");
	query_add_dates(&q, " AND m.valid_from <= ? AND m.valid_to > ?", v->d);
	if (org_query_int(v->db, &q, &digital, e))
		return -1;
	v->s->digital += digital;
	return 0;
}

/* stock_pass for a lean count (part 1): the members on the day by
 * whether in the unit itself and with digital capacity, grouped by the
 * store; none of the fields the breakdowns read. */
static int lean_stock_pass(view_t *v, err_t *e)
{
	db_stmt_t *st = NULL;
	char sql[256];
	query_t q;
	int rc;

	if (v->top)
		return lean_top_pass(v, e);
	plan_each_run(&q);
	query_add(&q, "SELECT CASE WHEN m.unit_id = ? THEN 1 ELSE 0 END, p.digital, count(*)", QI(v->unit));
	src_from(&q, 1);
	snprintf(sql, sizeof(sql),
		 "%s memberships m ON m.unit_id = %s AND m.valid_from <= ? AND m.valid_to > ?"
		 " JOIN persons p ON p.id = m.person_id",
		 src_join(v, 1), src_id(1));
	query_add_dates(&q, sql, v->d);
	src_where(&q, v, 1, true);
	query_sql(&q, " GROUP BY 1, 2");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t n = db_col_int64(st, 2);
		v->s->total += n;
		if (db_col_int64(st, 0))
			v->s->direct += n;
		if (db_col_int64(st, 1))
			v->s->digital += n;
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : store_fail(v->db, rc, e);
}

/* Whether the unit is the top of the tree on the tree's day (no unit
 * above it): then its subtree holds every unit of that day, and a lean
 * count reads the stays without the ancestry of each. */
static int top_of_tree(view_t *v, err_t *e)
{
	int64_t above = 0;
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM ancestry WHERE descendant = ? AND depth > 0 AND valid_from <= ? AND valid_to > ?",
		  QI(v->unit), QD(v->t), QD(v->t));
	if (org_query_int(v->db, &q, &above, e))
		return -1;
	v->top = above == 0;
	return 0;
}

/* Honorary members among the members of a part. Kind is a column of the
 * stay the index on memberships does not hold, so each stay read for it
 * is a seek into the table: for a large subtree, scanning the table once
 * and probing the ancestry of the few honorary stays is faster (0.15 s
 * against 3 s for a million members). Which way is chosen by the size of
 * the subtree's total against the table's (its largest id); both count
 * the same rows. */
static int honorary_count(view_t *v, int part, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t stays = 0;
	char sql[256];
	query_t q;
	int rc;

	if (part == 1 && v->honorary_counted)
		return 0;
	query_init(&q);
	if (part == 1) {
		query_sql(&q, "SELECT coalesce(max(id), 0) FROM memberships");
		if (org_query_int(v->db, &q, &stays, e))
			return -1;
		plan_each_run(&q);
	}
	if (part == 1 && v->s->total > stays / 20) {
		/* the table first (SQLite keeps the order of a CROSS JOIN) */
		query_sql(&q, "SELECT 0, count(*) FROM memberships m CROSS JOIN ancestry s WHERE m.kind = 'honorary'");
		query_add_dates(&q, " AND m.valid_from <= ? AND m.valid_to > ? AND s.descendant = m.unit_id", v->d);
		query_add(&q, " AND s.ancestor = ? AND s.valid_from <= ? AND s.valid_to > ?", QI(v->unit), QD(v->t),
			  QD(v->t));
	} else {
		query_sql(&q, part == 1 ? "SELECT 0, count(*)" : "SELECT m.unit_id, count(*)");
		src_from(&q, part);
		snprintf(sql, sizeof(sql),
			 "%s memberships m ON m.unit_id = %s AND m.valid_from <= ? AND m.valid_to > ?"
			 " AND m.kind = 'honorary'",
			 src_join(v, part), src_id(part));
		query_add_dates(&q, sql, v->d);
		src_where(&q, v, part, true);
		if (part == 2)
			query_sql(&q, " GROUP BY m.unit_id");
	}
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		member_child_count_t *child = NULL;
		bool in = true;
		if (part == 2 && part2_place(v, db_col_int64(st, 0), &in, &child, e))
			break;
		if (in)
			v->s->honorary += db_col_int64(st, 1);
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* The children of the unit on the tree's day, by code, into s->children
 * (names only). */
static int stats_children(view_t *v, err_t *e)
{
	unit_query_t q = { .as_of = v->t, .parent_id = v->unit, .limit = ORG_PAGE_MAX };
	char cursor[ORG_CURSOR_MAX] = "";
	member_stats_t *s = v->s;
	size_t cap = 0;

	do {
		unit_list_t l = { 0 };
		q.cursor = cursor;
		if (org_units_list(v->db, &q, &l, e))
			return -1;
		for (size_t i = 0; i < l.n; i++) {
			member_child_count_t *c;
			void *grown = store_grow(s->children, &cap, s->n_children, sizeof(*s->children), e);
			if (!grown) {
				unit_list_free(&l);
				return -1;
			}
			s->children = grown;
			c = &s->children[s->n_children++];
			memset(c, 0, sizeof(*c));
			c->unit.id = l.items[i].id;
			copy_text(c->unit.code, sizeof(c->unit.code), l.items[i].code);
			copy_text(c->unit.name_vi, sizeof(c->unit.name_vi), l.items[i].name_vi);
			copy_text(c->unit.name_en, sizeof(c->unit.name_en), l.items[i].name_en);
		}
		copy_text(cursor, sizeof(cursor), l.next);
		unit_list_free(&l);
	} while (cursor[0]);
	return 0;
}

/* The two lowest levels: branches and groups. */
static const char LOWEST[] = " AND (SELECT count(*) FROM levels b WHERE b.rank > l.rank) <= 1";

/* Each child's branches and groups (part 1), those that exist on the
 * members' day too. */
static int child_branches(view_t *v, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	plan_each_run(&q);
	query_add(&q, "SELECT c.descendant, count(*) FROM ancestry c JOIN ancestry a ON a.ancestor = c.descendant"
		      " AND a.valid_from <= ? AND a.valid_to > ?",
		  QD(v->t), QD(v->t));
	query_add_dates(&q, " JOIN units u ON u.id = a.descendant AND u.valid_from <= ? AND u.valid_to > ?"
			    " JOIN levels l ON l.key = u.level",
			v->d);
	query_add(&q, " WHERE c.ancestor = ? AND c.depth = 1 AND c.valid_from <= ? AND c.valid_to > ?", QI(v->unit),
		  QD(v->t), QD(v->t));
	query_sql(&q, LOWEST);
	query_sql(&q, " GROUP BY c.descendant");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int i = child_index(v->s, db_col_int64(st, 0));
		if (i >= 0)
			v->s->children[i].branches += db_col_int64(st, 1);
	}
	db_finalize(st);
	return rc < 0 ? store_fail(v->db, rc, e) : 0;
}

/* Branches and groups of the subtree that exist on the members' day, the
 * unit itself included. */
static int stats_branches(view_t *v, int part, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	plan_each_run(&q);
	if (part == 1) {
		query_add(&q, "SELECT count(*) FROM ancestry a JOIN units u ON u.id = a.descendant"
			      " JOIN levels l ON l.key = u.level WHERE a.ancestor = ? AND a.valid_from <= ? AND a.valid_to > ?"
			      " AND u.valid_from <= ? AND u.valid_to > ?",
			  QI(v->unit), QD(v->t), QD(v->t), QD(v->d), QD(v->d));
		query_sql(&q, LOWEST);
		return org_query_int(v->db, &q, &v->s->branches, e) ? -1 : 0;
	}
	query_sql(&q, "SELECT s.id FROM units s JOIN levels l ON l.key = s.level");
	src_where(&q, v, 2, true);
	query_sql(&q, LOWEST);
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		member_child_count_t *child = NULL;
		bool in = false;
		if (part2_place(v, db_col_int64(st, 0), &in, &child, e))
			break;
		if (in)
			v->s->branches++;
		if (child)
			child->branches++;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* Payments recorded in the units of a part (by the unit each was paid in),
 * of one year (year > 0) or paid on a day of [from, to]: *paid, *amount. */
static int dues_of(view_t *v, int part, int year, date_t from, date_t to, int64_t *paid, int64_t *amount,
		   err_t *e)
{
	db_stmt_t *st = NULL;
	char sql[160];
	query_t q;
	int rc;

	plan_each_run(&q);
	query_sql(&q, part == 1 ? "SELECT 0, count(*), coalesce(sum(dp.amount), 0)"
				: "SELECT dp.unit_id, count(*), coalesce(sum(dp.amount), 0)");
	src_from(&q, part);
	snprintf(sql, sizeof(sql), "%s dues_payments dp ON dp.unit_id = %s%s", src_join(v, part), src_id(part),
		 year > 0 ? " AND dp.year = ?" : " AND dp.paid_on >= ? AND dp.paid_on <= ?");
	if (year > 0)
		query_add(&q, sql, QI(year));
	else
		query_add(&q, sql, QD(from), QD(to));
	src_where(&q, v, part, false);
	if (part == 2)
		query_sql(&q, " GROUP BY dp.unit_id");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		member_child_count_t *child = NULL;
		bool in = true;
		if (part == 2 && part2_place(v, db_col_int64(st, 0), &in, &child, e))
			break;
		if (in) {
			*paid += db_col_int64(st, 1);
			*amount += db_col_int64(st, 2);
		}
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* ---- the members by child, and the flows of the period ---- */

/* The columns of count_scan after its unit's: the stays that hold the day
 * asked (each child's total), and for the flows those that hold the day
 * before the period and its last day. On SQLite the index on memberships
 * holds every column they read, so the scan never visits the table. (The
 * stays that began or ended in the period are period_events': as columns
 * here, they made the scan three times slower on both stores.) */
enum { COL_DAY, COL_OPENING, COL_CLOSING };

/* ", sum(CASE WHEN m holds x THEN 1 ELSE 0 END)" */
static void holds(query_t *q, date_t x)
{
	query_add_dates(q, ", sum(CASE WHEN m.valid_from <= ? AND m.valid_to > ? THEN 1 ELSE 0 END)", x);
}

static void count_columns(query_t *q, const view_t *v, bool flows)
{
	holds(q, v->d);
	if (flows) {
		holds(q, v->s->flows.from - 1);
		holds(q, v->s->flows.to);
	}
}

/* The stays a scan reads: those that hold the day asked or (flows) the
 * day before the period or its last day: begun by the latest of them, not
 * ended by the earliest. */
static void count_range(query_t *q, const view_t *v, bool flows)
{
	const member_flows_t *f = &v->s->flows;
	date_t last = flows && f->to > v->d ? f->to : v->d;
	date_t first = flows && f->from - 1 < v->d ? f->from - 1 : v->d;

	query_add(q, " AND m.valid_from <= ? AND m.valid_to > ?", QD(last), QD(first));
}

static void add_counts(db_stmt_t *st, int at, member_flows_t *f, int64_t *day)
{
	*day += db_col_int64(st, at + COL_DAY);
	if (f) {
		f->opening += db_col_int64(st, at + COL_OPENING);
		f->closing += db_col_int64(st, at + COL_CLOSING);
	}
}

/* Each child's members on the day and, with flows, the members on the
 * eve and the last day of the period, in one scan of a part's stays: part
 * 1 grouped by child (and the unit's own stays), part 2 by unit, each
 * placed where it counts. (Part 2's members of the day are stock_pass's,
 * which reads only the units that existed on the day.) */
static int count_scan(view_t *v, int part, bool flows, err_t *e)
{
	member_flows_t *f = flows ? &v->s->flows : NULL;
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	plan_each_run(&q);
	if (part == 1) {
		for (int own = 0; own < 2; own++) {
			query_sql(&q, own ? " UNION ALL SELECT c.descendant" : "SELECT c.descendant");
			count_columns(&q, v, flows);
			if (own)
				query_sql(&q, " FROM ancestry c JOIN memberships m ON m.unit_id = c.descendant");
			else
				query_add(&q, " FROM ancestry c JOIN ancestry a ON a.ancestor = c.descendant AND a.valid_from <= ?"
					      " AND a.valid_to > ? JOIN memberships m ON m.unit_id = a.descendant",
					  QD(v->t), QD(v->t));
			count_range(&q, v, flows);
			query_add(&q, " WHERE c.ancestor = ? AND c.depth = ? AND c.valid_from <= ? AND c.valid_to > ?"
				      " GROUP BY c.descendant",
				  QI(v->unit), QI(own ? 0 : 1), QD(v->t), QD(v->t));
		}
	} else {
		query_sql(&q, "SELECT m.unit_id");
		count_columns(&q, v, flows);
		src_from(&q, 2);
		query_sql(&q, src_join(v, 2));
		query_sql(&q, " memberships m ON m.unit_id = s.id");
		count_range(&q, v, flows);
		src_where(&q, v, 2, false);
		query_sql(&q, " GROUP BY m.unit_id");
	}
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t unit = db_col_int64(st, 0), day = 0;
		member_child_count_t *child = NULL;
		bool in = true;
		int i;
		if (part == 2) {
			if (part2_place(v, unit, &in, &child, e))
				break;
			if (in)
				add_counts(st, 1, f, &day);
			continue;
		}
		i = child_index(v->s, unit);
		add_counts(st, 1, f, i >= 0 && v->s->children ? &v->s->children[i].total : &day);
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

static member_leave_reason_t leave_reason(const char *r)
{
	static const char *const REASONS[] = { "moved_away", "married_away", "left", "died" };

	for (int i = 0; i < LEAVE_OTHER; i++)
		if (strcmp(r, REASONS[i]) == 0)
			return (member_leave_reason_t)i;
	return LEAVE_OTHER;
}

/* The stays of a part that began (starts) or ended in the period, by
 * reason; for those by a transfer, how many came from (went to) a unit
 * outside the subtree on the tree's day: the other stay of the move (the
 * one that ended as this began, or began as it ended) looked up for those
 * only (a nested CASE, which both stores evaluate lazily). The range on
 * the day it began (ended) is read from the index, so only the stays of
 * the period are read from the table. */
static int period_events(view_t *v, int part, bool starts, err_t *e)
{
	member_flows_t *f = &v->s->flows;
	db_stmt_t *st = NULL;
	char sql[512];
	query_t q;
	int rc;

	plan_each_run(&q);
	query_sql(&q, part == 1 ? "SELECT 0" : "SELECT m.unit_id");
	query_sql(&q, starts ? ", m.start_reason" : ", coalesce(m.end_reason, '')");
	snprintf(sql, sizeof(sql),
		 ", sum(CASE WHEN m.%s = 'transferred' THEN CASE WHEN EXISTS (SELECT 1 FROM memberships o"
		 " JOIN ancestry oa ON oa.descendant = o.unit_id AND oa.ancestor = ? AND oa.valid_from <= ?"
		 " AND oa.valid_to > ? WHERE o.person_id = m.person_id AND o.%s = m.%s) THEN 0 ELSE 1 END ELSE 0 END),"
		 " count(*)",
		 starts ? "start_reason" : "end_reason", starts ? "valid_to" : "valid_from",
		 starts ? "valid_from" : "valid_to");
	query_add(&q, sql, QI(v->unit), QD(v->t), QD(v->t));
	if (part == 1 && v->top) {
		/* the top's subtree is every unit of the tree's day: the stays of
		 * the period (a scan: 0.1 s against 0.3 s through every unit's
		 * ancestry for a million members), each in a unit of that day */
		snprintf(sql, sizeof(sql),
			 " FROM memberships m%s JOIN units s ON s.id = m.unit_id AND s.valid_from <= ? AND s.valid_to > ?"
			 " WHERE m.%s >= ? AND m.%s <= ?",
			 v->pg ? "" : " NOT INDEXED", starts ? "valid_from" : "valid_to", starts ? "valid_from" : "valid_to");
		query_add(&q, sql, QD(v->t), QD(v->t), QD(f->from), QD(f->to));
	} else {
		src_from(&q, part);
		snprintf(sql, sizeof(sql), "%s memberships m ON m.unit_id = %s AND m.%s >= ? AND m.%s <= ?",
			 src_join(v, part), src_id(part), starts ? "valid_from" : "valid_to",
			 starts ? "valid_from" : "valid_to");
		query_add(&q, sql, QD(f->from), QD(f->to));
		src_where(&q, v, part, false);
	}
	query_sql(&q, " GROUP BY 1, 2");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *reason = db_col_text(st, 1);
		int64_t across = db_col_int64(st, 2), n = db_col_int64(st, 3);
		member_child_count_t *child = NULL;
		bool in = true;
		if (part == 2 && part2_place(v, db_col_int64(st, 0), &in, &child, e))
			break;
		if (!in)
			continue;
		if (strcmp(reason, "transferred") == 0 && starts) {
			f->transfers_in += across;
		} else if (strcmp(reason, "transferred") == 0) {
			f->transfers_out += across;
		} else if (starts && strcmp(reason, "rejoined") == 0) {
			f->rejoined += n;
		} else if (starts) {
			f->joined += n;
		} else {
			f->left[leave_reason(reason)] += n;
			f->left_total += n;
		}
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* For the mapped view: the transfers period_events counted across the edge
 * because the other unit does not exist on the tree's day, but which come
 * from (or go to) a unit that counts in the subtree: they are within it. */
static int transfers_within(view_t *v, int part, bool starts, err_t *e)
{
	member_flows_t *f = &v->s->flows;
	db_stmt_t *st = NULL;
	char sql[512];
	query_t q;
	int rc;

	plan_each_run(&q);
	query_sql(&q, part == 1 ? "SELECT 0, o.unit_id, count(*)" : "SELECT m.unit_id, o.unit_id, count(*)");
	src_from(&q, part);
	snprintf(sql, sizeof(sql),
		 starts ? "%s memberships m ON m.unit_id = %s AND m.valid_from >= ? AND m.valid_from <= ?"
			  " AND m.start_reason = 'transferred' JOIN memberships o ON o.person_id = m.person_id"
			  " AND o.valid_to = m.valid_from"
			: "%s memberships m ON m.unit_id = %s AND m.valid_to >= ? AND m.valid_to <= ?"
			  " AND m.end_reason = 'transferred' JOIN memberships o ON o.person_id = m.person_id"
			  " AND o.valid_from = m.valid_to",
		 src_join(v, part), src_id(part));
	query_add(&q, sql, QD(f->from), QD(f->to));
	query_add(&q, " JOIN units ou ON ou.id = o.unit_id AND (ou.valid_to <= ? OR ou.valid_from > ?)", QD(v->t),
		  QD(v->t));
	src_where(&q, v, part, false);
	query_sql(&q, " GROUP BY 1, 2");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		member_child_count_t *child = NULL;
		int b = BUCKET_OUTSIDE;
		bool in = true;
		if (part == 2 && part2_place(v, db_col_int64(st, 0), &in, &child, e))
			break;
		if (!in)
			continue;
		if (bucket_of(v, db_col_int64(st, 1), &b, e))
			break;
		if (b == BUCKET_OUTSIDE)
			continue;
		if (starts)
			f->transfers_in -= db_col_int64(st, 2);
		else
			f->transfers_out -= db_col_int64(st, 2);
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* ---- the figures kept in the writes (store/member_tally.h) ---- */

/* Whether the figures can be read from member_tally rather than counted:
 * the view as of the day, or the mapped one as of the tree's day (today),
 * whose units that are gone (part 2) are then counted apart; a unit of the
 * two highest levels; and a day on or after the last change, so that the
 * tree and the members of the day are those the table counts. */
static int tally_usable(view_t *v, bool *usable, err_t *e)
{
	bool holds = false, full = false;

	*usable = false;
	if ((v->mapped && v->d != v->t) || v->recount)
		return 0;
	if (member_tally_holds(v->db, v->d, &holds, e) || (holds && member_tally_full(v->db, v->unit, &full, e)))
		return -1;
	*usable = holds && full;
	return 0;
}

/* A query of the unit's rows that returns (key, n[, amount]) rows; each
 * is handed to row(). */
static int tally_rows(view_t *v, const query_t *q, int (*row)(view_t *v, db_stmt_t *st, err_t *e), err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (query_prepare(v->db, q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW)
		if (row(v, st, e))
			break;
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
}

/* Adds n members of a field's value (dim "honorary", "digital", or a text
 * breakdown's: "eth", "religion", "education", "occupation", "circ"). */
static int add_field(view_t *v, const char *dim, const char *value, int64_t n, err_t *e)
{
	member_stats_t *s = v->s;
	tally_t *text = NULL;

	if (strcmp(dim, "honorary") == 0)
		s->honorary += n;
	else if (strcmp(dim, "digital") == 0)
		s->digital += n;
	else if (strcmp(dim, "eth") == 0 || strcmp(dim, "religion") == 0)
		text = !v->sensitive ? NULL : dim[0] == 'e' ? &v->eth : &v->religion;
	else if (strcmp(dim, "education") == 0)
		text = &v->education;
	else if (strcmp(dim, "occupation") == 0)
		text = &v->occupation;
	else if (strcmp(dim, "circ") == 0)
		text = &v->circumstances;
	if (text && tally_add(text, value, n))
		return no_memory(e);
	return 0;
}

/* (dim, value, n, amount) of the members and the year's dues. */
static int stock_row(view_t *v, db_stmt_t *st, err_t *e)
{
	const char *dim = db_col_text(st, 0), *value = db_col_text(st, 1);
	int64_t n = db_col_int64(st, 2);
	member_stats_t *s = v->s;

	if (strcmp(dim, "total") == 0)
		s->total = n;
	else if (strcmp(dim, "branches") == 0)
		s->branches = n;
	else if (strcmp(dim, "dues") == 0) {
		s->dues_paid = n;
		s->dues_amount = db_col_int64(st, 3);
	} else
		return add_field(v, dim, value, n, e);
	return 0;
}

/* (band, n): members by age band. */
static int age_row(view_t *v, db_stmt_t *st, err_t *e)
{
	int64_t band = db_col_int64(st, 0);

	(void)e;
	if (band >= 0 && band < MEMBER_AGE_BANDS)
		v->s->age[band] += db_col_int64(st, 1);
	return 0;
}

/* (dim, in the period, n, amount): starts, ends and payments on or after
 * the period's first day, those after its last day apart. Members on a
 * day before today are today's less the starts after it plus the ends
 * after it: opening and closing are first kept as those differences. */
static int flow_row(view_t *v, db_stmt_t *st, err_t *e)
{
	const char *dim = db_col_text(st, 0);
	bool in = db_col_int64(st, 1) != 0;
	int64_t n = db_col_int64(st, 2);
	member_flows_t *f = &v->s->flows;
	bool start = strncmp(dim, "start:", 6) == 0 || strcmp(dim, "tin") == 0;

	(void)e;
	if (strcmp(dim, "paid") == 0) {
		if (in) {
			f->dues_paid += n;
			f->dues_amount += db_col_int64(st, 3);
		}
		return 0;
	}
	f->opening += start ? n : -n;
	if (!in) {
		f->closing += start ? n : -n;
		return 0;
	}
	if (strcmp(dim, "tin") == 0) {
		f->transfers_in += n;
	} else if (strcmp(dim, "tout") == 0) {
		f->transfers_out += n;
	} else if (strcmp(dim, "start:rejoined") == 0) {
		f->rejoined += n;
	} else if (start) {
		f->joined += n;
	} else {
		f->left[leave_reason(dim + 4)] += n;
		f->left_total += n;
	}
	return 0;
}

/* The unit's figures from its rows, in three queries that each return a
 * few rows whatever the number of members: the members and the year's
 * dues; the members by age band (the dates of birth grouped by the
 * store); the flows of the period. */
static int tally_pass(view_t *v, err_t *e)
{
	char limits[3][DATE_STR_LEN], year[16], from[DATE_STR_LEN], to[DATE_STR_LEN];
	member_flows_t *f = &v->s->flows;
	query_t q;

	snprintf(year, sizeof(year), "%d", v->s->dues_year);
	query_init(&q);
	query_add(&q, "SELECT dim, value, n, amount FROM member_tally WHERE unit_id = ? AND n <> 0 AND (dim IN ('total',"
		      " 'honorary', 'digital', 'branches', 'eth', 'religion', 'education', 'occupation', 'circ')"
		      " OR (dim = 'dues' AND value = ?))",
		  QI(v->unit), QT(year));
	if (tally_rows(v, &q, stock_row, e))
		return -1;
	date_format(person_born_by(v->d, 31), limits[0]);
	date_format(person_born_by(v->d, 46), limits[1]);
	date_format(person_born_by(v->d, 61), limits[2]);
	query_init(&q);
	query_add(&q, "SELECT CASE WHEN value > ? THEN 0 WHEN value > ? THEN 1 WHEN value > ? THEN 2 ELSE 3 END, sum(n)"
		      " FROM member_tally WHERE unit_id = ? AND dim = 'born' GROUP BY 1",
		  QT(limits[0]), QT(limits[1]), QT(limits[2]), QI(v->unit));
	if (tally_rows(v, &q, age_row, e))
		return -1;
	if (!v->s->has_flows)
		return 0;
	query_init(&q);
	query_add(&q, "SELECT dim, CASE WHEN value <= ? THEN 1 ELSE 0 END, sum(n), sum(amount) FROM member_tally"
		      " WHERE unit_id = ? AND value >= ? AND (dim IN ('tin', 'tout', 'paid') OR dim LIKE 'start:%'"
		      " OR dim LIKE 'end:%') GROUP BY 1, 2",
		  QT(date_format(f->to, to)), QI(v->unit), QT(date_format(f->from, from)));
	if (tally_rows(v, &q, flow_row, e))
		return -1;
	f->opening = v->s->total - f->opening;
	f->closing = v->s->total - f->closing;
	return 0;
}

/* Each child's members and branches from its rows (by the children's ids,
 * a few hundred at a time: a join from ancestry led PostgreSQL's planner to
 * read the whole table); the unit's own members are what its children do
 * not hold. */
#define CHILDREN_AT_ONCE 200

static int tally_children(view_t *v, err_t *e)
{
	member_stats_t *s = v->s;
	int64_t held = 0;

	for (size_t first = 0; first < s->n_children; first += CHILDREN_AT_ONCE) {
		size_t last = first + CHILDREN_AT_ONCE < s->n_children ? first + CHILDREN_AT_ONCE : s->n_children;
		db_stmt_t *st = NULL;
		query_t q;
		int rc;

		query_init(&q);
		query_sql(&q, "SELECT unit_id, dim, n FROM member_tally WHERE dim IN ('total', 'branches') AND value = ''"
			      " AND unit_id IN (");
		for (size_t i = first; i < last; i++)
			query_add(&q, i > first ? ", ?" : "?", QI(s->children[i].unit.id));
		query_sql(&q, ")");
		if (query_prepare(v->db, &q, &st, e))
			return -1;
		while ((rc = db_step(st)) == DB_ROW) {
			int i = child_index(s, db_col_int64(st, 0));
			if (i < 0)
				continue;
			if (strcmp(db_col_text(st, 1), "total") == 0) {
				s->children[i].total = db_col_int64(st, 2);
				held += db_col_int64(st, 2);
			} else {
				s->children[i].branches = db_col_int64(st, 2);
			}
		}
		db_finalize(st);
		if (rc < 0)
			return store_fail(v->db, rc, e);
	}
	s->direct = s->total - held;
	return 0;
}

/* ---- the figures by day (store/member_tally.h, the '@' rows) ---- */

/* Where the parts of an '@' row's value begin: the members' "DAY TEXT",
 * the flows' "DAY AF AT REST", each date 10 characters. */
#define DAY_LEN 10
#define AT_ROW (DAY_LEN + 1)
#define AT_REST (3 * DAY_LEN + 3)

/* The breakdowns by text kept by day (their dims without the '@'). */
static const char *const DAY_TEXTS[] = { "eth", "religion", "education", "occupation", "circ" };

/* Whether the row "FROM TO" at p (two days as text) holds day. */
static bool holds_day(const char *p, size_t len, const char *day)
{
	return len >= 2 * DAY_LEN + 1 && strncmp(p, day, DAY_LEN) <= 0 && strncmp(p + DAY_LEN + 1, day, DAY_LEN) > 0;
}

/* Whether the nation's figures of the day can be read from its rows by
 * day: the view as of the day (whose tree is the day's), at the top, with
 * flows (if any) of a period that ends on the day, and every child of the
 * day of the second level (only the provinces keep their members by day:
 * a child a level further down, which the tree allows, is counted). */
static int day_usable(view_t *v, bool *usable, err_t *e)
{
	int64_t lower = 0;
	query_t q;

	*usable = false;
	if (v->mapped || v->recount || (v->s->has_flows && v->s->flows.to != v->d))
		return 0;
	if (member_tally_days(v->db, v->unit, usable, e))
		return -1;
	if (!*usable)
		return 0;
	query_init(&q);
	query_add(&q, "SELECT count(*) FROM ancestry c JOIN units u ON u.id = c.descendant JOIN levels l ON l.key = u.level"
		      " WHERE c.ancestor = ? AND c.depth = 1 AND c.valid_from <= ? AND c.valid_to > ?"
		      " AND (SELECT count(*) FROM levels r WHERE r.rank < l.rank) <> 1",
		  QI(v->unit), QD(v->t), QD(v->t));
	if (org_query_int(v->db, &q, &lower, e))
		return -1;
	*usable = lower == 0;
	return 0;
}

/* (dim, value "DAY[ TEXT]", n) of the members: summed up to the day. */
static int day_stock_row(view_t *v, db_stmt_t *st, err_t *e)
{
	const char *dim = db_col_text(st, 0), *value = db_col_text(st, 1);
	size_t len = strlen(value);
	int64_t n = db_col_int64(st, 2);
	const char *rest = len > DAY_LEN ? value + AT_ROW : "";
	member_stats_t *s = v->s;

	if (len < DAY_LEN || strncmp(value, v->day_d, DAY_LEN) > 0)
		return 0;
	if (strcmp(dim, "@total") == 0) {
		s->total += n;
	} else if (strcmp(dim, "@age") == 0) {
		int band = rest[0] - '0';
		if (band >= 0 && band < MEMBER_AGE_BANDS)
			s->age[band] += n;
	} else {
		for (size_t k = 0; k < sizeof(DAY_TEXTS) / sizeof(DAY_TEXTS[0]); k++)
			if (strcmp(dim + 1, DAY_TEXTS[k]) == 0)
				return tally_add(&v->day_texts[k], rest, n) ? no_memory(e) : 0;
		return add_field(v, dim + 1, rest, n, e);
	}
	return 0;
}

/* The texts held on the day (their changes up to it netted) into the
 * breakdowns: only those take a place in their tallies, which hold a
 * bounded number of texts (core/tally.h), as a count from the stays
 * would. */
static int day_texts_held(view_t *v, err_t *e)
{
	for (size_t k = 0; k < sizeof(DAY_TEXTS) / sizeof(DAY_TEXTS[0]); k++) {
		tally_t *t = &v->day_texts[k];
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].key && t->slots[i].n != 0 && add_field(v, DAY_TEXTS[k], t->slots[i].key, t->slots[i].n, e))
				return -1;
		tally_free(t);
	}
	return 0;
}

/* (dim, value, n, amount) of the flows of the period: starts and ends by
 * reason, a move's other stay, payments. */
static int day_flow_row(view_t *v, db_stmt_t *st, err_t *e)
{
	const char *dim = db_col_text(st, 0), *value = db_col_text(st, 1);
	const char *rest;
	size_t len = strlen(value);
	int64_t n = db_col_int64(st, 2);
	member_flows_t *f = &v->s->flows;

	(void)e;
	if (len < AT_REST - 1 || !holds_day(value + AT_ROW, len - AT_ROW, v->day_t))
		return 0;
	rest = len > AT_REST ? value + AT_REST : "";
	if (strcmp(dim, "@paid") == 0) {
		f->dues_paid += n;
		f->dues_amount += db_col_int64(st, 3);
	} else if (strcmp(dim, "@in") == 0 || strcmp(dim, "@out") == 0) {
		/* a move from (to) a unit counted too is within: no transfer */
		if (holds_day(rest, strlen(rest), v->day_t))
			*(dim[1] == 'i' ? &f->transfers_in : &f->transfers_out) -= n;
	} else if (strcmp(dim, "@s") == 0) {
		if (strcmp(rest, "transferred") == 0)
			f->transfers_in += n;
		else if (strcmp(rest, "rejoined") == 0)
			f->rejoined += n;
		else
			f->joined += n;
	} else if (strcmp(dim, "@e") == 0) {
		if (strcmp(rest, "transferred") == 0) {
			f->transfers_out += n;
		} else {
			f->left[leave_reason(rest)] += n;
			f->left_total += n;
		}
	}
	return 0;
}

/* (value "YEAR AF AT", n, amount): the year's dues. */
static int day_dues_row(view_t *v, db_stmt_t *st, err_t *e)
{
	const char *value = db_col_text(st, 0), *row = strchr(value, ' ');

	(void)e;
	if (row && holds_day(row + 1, strlen(row + 1), v->day_t)) {
		v->s->dues_paid += db_col_int64(st, 1);
		v->s->dues_amount += db_col_int64(st, 2);
	}
	return 0;
}

/* (unit, dim, value "DAY", n) of the unit's branches, a child's members
 * and branches. */
static int day_unit_row(view_t *v, db_stmt_t *st, err_t *e)
{
	int64_t unit = db_col_int64(st, 0), n = db_col_int64(st, 3);
	bool members = strcmp(db_col_text(st, 1), "@total") == 0;
	int i = child_index(v->s, unit);

	(void)e;
	if (strncmp(db_col_text(st, 2), v->day_d, DAY_LEN) > 0)
		return 0;
	if (unit == v->unit && !members)
		v->s->branches += n;
	else if (i >= 0)
		*(members ? &v->s->children[i].total : &v->s->children[i].branches) += n;
	return 0;
}

/* The first day after d, as text (a bound on the rows' days). */
static const char *day_after(date_t d, char *buf)
{
	return date_format(d + 1, buf);
}

/* The unit's branches, and its children's members and branches, a few
 * hundred children at a time. */
static int day_units(view_t *v, const char *after_d, err_t *e)
{
	member_stats_t *s = v->s;
	int64_t held = 0;

	for (size_t first = 0; first == 0 || first < s->n_children; first += CHILDREN_AT_ONCE) {
		size_t last = first + CHILDREN_AT_ONCE < s->n_children ? first + CHILDREN_AT_ONCE : s->n_children;
		query_t q;

		query_init(&q);
		query_add(&q, "SELECT unit_id, dim, value, n FROM member_days WHERE dim IN ('@total', '@branches')"
			      " AND value < ? AND unit_id IN (",
			  QT(after_d));
		if (first == 0)
			query_add(&q, "?", QI(v->unit));
		for (size_t i = first; i < last; i++)
			query_add(&q, i > first || first == 0 ? ", ?" : "?", QI(s->children[i].unit.id));
		query_sql(&q, ")");
		if (tally_rows(v, &q, day_unit_row, e))
			return -1;
		if (last >= s->n_children)
			break;
	}
	for (size_t i = 0; i < s->n_children; i++)
		held += s->children[i].total;
	s->direct = s->total - held;
	return 0;
}

/* The nation's figures of any day from its rows by day: the members by
 * every breakdown, the children's, the year's dues and the flows of the
 * period, each a query of a few hundred thousand rows at most (its days
 * times the values of a field). */
static int day_pass(view_t *v, err_t *e)
{
	char after[DATE_STR_LEN], from[DATE_STR_LEN], year[16], next_year[16];
	member_flows_t *f = &v->s->flows;
	query_t q;

	date_format(v->d, v->day_d);
	date_format(v->t, v->day_t);
	/* the texts' changes are netted apart, without a bound on their
	 * number (the rows read bound it), before the breakdowns see them:
	 * summed by the store instead, the nation took 0.35 s more at 20
	 * million members (a sort of 300,000 rows) */
	for (size_t k = 0; k < sizeof(v->day_texts) / sizeof(v->day_texts[0]); k++)
		v->day_texts[k].limit = SIZE_MAX;
	query_init(&q);
	query_add(&q, "SELECT dim, value, n FROM member_days WHERE unit_id = ? AND dim IN ('@total', '@honorary',"
		      " '@digital', '@age', '@eth', '@religion', '@education', '@occupation', '@circ') AND value < ?",
		  QI(v->unit), QT(day_after(v->d, after)));
	if (tally_rows(v, &q, day_stock_row, e) || day_texts_held(v, e))
		return -1;
	snprintf(year, sizeof(year), "%d ", v->s->dues_year);
	snprintf(next_year, sizeof(next_year), "%d ", v->s->dues_year + 1);
	query_init(&q);
	query_add(&q, "SELECT value, n, amount FROM member_days WHERE unit_id = ? AND dim = '@dues' AND value >= ?"
		      " AND value < ?",
		  QI(v->unit), QT(year), QT(next_year));
	if (tally_rows(v, &q, day_dues_row, e) || day_units(v, after, e))
		return -1;
	if (!v->s->has_flows)
		return 0;
	query_init(&q);
	query_add(&q, "SELECT dim, value, n, amount FROM member_days WHERE unit_id = ? AND dim IN ('@s', '@e', '@in',"
		      " '@out', '@paid') AND value >= ? AND value < ?",
		  QI(v->unit), QT(date_format(f->from, from)), QT(after));
	if (tally_rows(v, &q, day_flow_row, e))
		return -1;
	/* the period ends on the day: every stay counted on its eve and not
	 * on the day ended in it, and the other way round */
	f->closing = v->s->total;
	f->opening = f->closing - f->joined - f->rejoined - f->transfers_in + f->left_total + f->transfers_out;
	return 0;
}

/* ---- the breakdowns' last step ---- */

static int by_count(const void *a, const void *b)
{
	const member_count_t *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The ethnic groups counted, named, largest first. */
static int ethnicity_groups(view_t *v, err_t *e)
{
	member_stats_t *s = v->s;
	ethnic_group_t *g = NULL;
	size_t n = 0;

	if (org_ethnic_groups(v->db, &g, &n, e))
		return -1;
	for (size_t i = 0; i < v->eth.cap && s->n_ethnicity < MEMBER_BREAKDOWN_MAX; i++) {
		const tally_item_t *it = &v->eth.slots[i];
		member_count_t *c;
		if (!it->key || it->n == 0) /* counted in and out again (day_pass) */
			continue;
		c = &s->ethnicity[s->n_ethnicity++];
		copy_text(c->key, sizeof(c->key), it->key);
		c->n = it->n;
		for (size_t k = 0; k < n; k++)
			if (strcmp(g[k].code, it->key) == 0) {
				copy_text(c->name_vi, sizeof(c->name_vi), g[k].name_vi);
				copy_text(c->name_en, sizeof(c->name_en), g[k].name_en);
			}
	}
	free(g);
	if (s->n_ethnicity)
		qsort(s->ethnicity, s->n_ethnicity, sizeof(s->ethnicity[0]), by_count);
	return 0;
}

/* A text breakdown's groups; an invalid text (the store holds none) or
 * no memory fails. */
static int groups_of(const tally_t *t, bool words, bool (*keep)(const char *), text_groups_t *out, err_t *e)
{
	if (text_groups_make(t, MEMBER_TEXT_TOP, words, keep, out))
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory, or text that is not UTF-8, in a breakdown");
	return 0;
}

static int breakdowns(view_t *v, err_t *e)
{
	member_stats_t *s = v->s;

	if (v->sensitive && (ethnicity_groups(v, e) || groups_of(&v->religion, false, NULL, &s->religion, e)))
		return -1;
	return groups_of(&v->education, false, NULL, &s->education, e) ||
			       groups_of(&v->occupation, false, NULL, &s->occupation, e) ||
			       groups_of(&v->circumstances, true, v->sensitive ? NULL : person_circumstance_public,
					 &s->circumstances, e)
		       ? -1
		       : 0;
}

/* Everything of one part counted from the stays, payments and units. */
static int count_part(view_t *v, const member_stats_opts_t *o, int part, int parts, err_t *e)
{
	member_stats_t *out = v->s;

	return (v->lean ? lean_stock_pass(v, e) : stock_pass(v, part, e)) || honorary_count(v, part, e) ||
			       (!v->lean && count_scan(v, part, o->flows, e)) || stats_branches(v, part, e) ||
			       dues_of(v, part, out->dues_year, 0, 0, &out->dues_paid, &out->dues_amount, e) ||
			       (o->flows && (period_events(v, part, true, e) || period_events(v, part, false, e) ||
					     dues_of(v, part, 0, o->from, o->to, &out->flows.dues_paid,
						     &out->flows.dues_amount, e))) ||
			       (o->flows && parts == 2 &&
				(transfers_within(v, part, true, e) || transfers_within(v, part, false, e)))
		       ? -1
		       : 0;
}

/* ---- the nation mapped onto today's units, on a past day ---- */

/* A pair of unit ids: a unit and the child of the top it lies under on
 * day t, or a child of the top on day d and that of t where one of its
 * units' heirs lies (0: none). */
typedef struct unit_pair {
	int64_t a, b;
} unit_pair_t;

static int pair_cmp(const void *x, const void *y)
{
	const unit_pair_t *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

/* The pair whose first id is id in pairs sorted by it, or NULL. */
static const unit_pair_t *pair_of(const unit_pair_t *pairs, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pairs[mid].a < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && pairs[lo].a == id ? &pairs[lo] : NULL;
}

/* The pairs of ids of q's two columns into *pairs (sorted, the caller
 * frees). */
static int read_pairs(view_t *v, const query_t *q, unit_pair_t **pairs, size_t *n, err_t *e)
{
	size_t cap = 0;
	db_stmt_t *st = NULL;
	int rc;

	*pairs = NULL;
	*n = 0;
	if (query_prepare(v->db, q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		unit_pair_t *grown = store_grow(*pairs, &cap, *n, sizeof(**pairs), e);
		if (!grown)
			break;
		*pairs = grown;
		(*pairs)[(*n)++] = (unit_pair_t){ db_col_int64(st, 0), db_col_int64(st, 1) };
	}
	db_finalize(st);
	if (rc == DB_DONE) {
		if (*n)
			qsort(*pairs, *n, sizeof(**pairs), pair_cmp);
		return 0;
	}
	free(*pairs);
	*pairs = NULL;
	*n = 0;
	return rc < 0 ? store_fail(v->db, rc, e) : -1;
}

/* Each unit of day t under a child of the top, with that child, into
 * *under (sorted by unit, the caller frees); a unit under two children
 * (the tree forbids it, the schema does not) with -1, which no child is,
 * so that the view is counted instead of read. */
static int units_under_on_t(view_t *v, unit_pair_t **under, size_t *n, err_t *e)
{
	query_t q;

	plan_each_run(&q);
	query_add(&q, "SELECT z.descendant, z.ancestor FROM unit_parents c JOIN ancestry z ON z.ancestor = c.unit_id"
		      " AND z.valid_from <= ? AND z.valid_to > ? WHERE c.parent_id = ? AND c.valid_from <= ?"
		      " AND c.valid_to > ?",
		  QD(v->t), QD(v->t), QI(v->unit), QD(v->t), QD(v->t));
	if (read_pairs(v, &q, under, n, e))
		return -1;
	for (size_t i = 1; i < *n; i++)
		if ((*under)[i].a == (*under)[i - 1].a && (*under)[i].b != (*under)[i - 1].b)
			(*under)[i].b = (*under)[i - 1].b = -1;
	return 0;
}

/* The units that exist on day t into *live (sorted, the caller frees). */
static int units_live_on_t(view_t *v, unit_pair_t **live, size_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT id, 0 FROM units WHERE valid_from <= ? AND valid_to > ?", QD(v->t), QD(v->t));
	return read_pairs(v, &q, live, n, e);
}

/* The count of each pair, as rows (a, b, count) into *rows (three int64
 * a row, the caller frees); sorts pairs. */
static int count_pairs(unit_pair_t *pairs, size_t n, int64_t **rows, size_t *n_rows, err_t *e)
{
	size_t cap = 0;

	*rows = NULL;
	*n_rows = 0;
	if (n)
		qsort(pairs, n, sizeof(*pairs), pair_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		int64_t *grown = store_grow(*rows, &cap, 3 * *n_rows + 2, sizeof(**rows), e);
		if (!grown) {
			free(*rows);
			*rows = NULL;
			*n_rows = 0;
			return -1;
		}
		*rows = grown;
		for (j = i; j < n && !pair_cmp(&pairs[i], &pairs[j]); j++)
			;
		(*rows)[3 * *n_rows] = pairs[i].a;
		(*rows)[3 * *n_rows + 1] = pairs[i].b;
		(*rows)[3 * *n_rows + 2] = (int64_t)(j - i);
		(*n_rows)++;
	}
	return 0;
}

/* Where the units of each child of the top on day d lie on day t: rows
 * (the child of d, the child of t its unit's heir lies under or 0, units)
 * into *rows (three int64 a row, the caller frees). A unit's heir follows
 * member_stats_heir set-wise: itself if it exists on t, else the one
 * target of the merge that ended it, else (closed) its parent on its last
 * day; a split (whose heir the codes decide: core/org.h lineage_heir)
 * gives 0, as a chain that reaches no unit of t in HEIR_STEPS - 1 moves does.
 * The heirs come from one recursive statement; whether each exists on t
 * and the child of t it lies under are looked up here, in two lists read
 * whole: asked of the store heir by heir (and on PostgreSQL the list of
 * the units of t hashed), they took 0.45 s of the nation's 0.93 at 20
 * million members (113,000 units), and SQLite joins the lists by a loop
 * over one for each row of the other (344 s). */
static int heir_children(view_t *v, int64_t **rows, size_t *n_rows, err_t *e)
{
	unit_pair_t *under = NULL, *live = NULL, *heirs = NULL;
	size_t n_under = 0, n_live = 0, n_heirs = 0, cap_heirs = 0;
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r;

	*rows = NULL;
	*n_rows = 0;
	if (units_under_on_t(v, &under, &n_under, e))
		return -1;
	if (units_live_on_t(v, &live, &n_live, e)) {
		free(under);
		return -1;
	}
	plan_each_run(&q);
	query_add(&q, "WITH RECURSIVE u AS (SELECT a.ancestor AS p, a.descendant AS id FROM unit_parents c"
		      " JOIN ancestry a ON a.ancestor = c.unit_id AND a.valid_from <= ? AND a.valid_to > ?"
		      " WHERE c.parent_id = ? AND c.valid_from <= ? AND c.valid_to > ?),",
		  QD(v->d), QD(v->d), QI(v->unit), QD(v->d), QD(v->d));
	query_add(&q, " h(p, at, n) AS (SELECT u.p, u.id, 0 FROM u UNION ALL SELECT h.p, CASE WHEN ev.id IS NULL"
		      " THEN (SELECT up.parent_id FROM unit_parents up WHERE up.unit_id = x.id AND up.valid_from < x.valid_to"
		      " AND up.valid_to >= x.valid_to) WHEN ev.kind = 'merge' AND (SELECT count(*) FROM event_units o"
		      " WHERE o.event_id = ev.id AND o.role = 'target' AND o.unit_id <> x.id) = 1 THEN (SELECT o.unit_id"
		      " FROM event_units o WHERE o.event_id = ev.id AND o.role = 'target' AND o.unit_id <> x.id) ELSE -1 END,"
		      " h.n + 1 FROM h JOIN units x ON x.id = h.at AND NOT (x.valid_from <= ? AND x.valid_to > ?)"
		      " LEFT JOIN events ev ON ev.id = (SELECT e2.id FROM event_units m JOIN events e2 ON e2.id = m.event_id"
		      " AND e2.kind IN ('merge', 'split') WHERE m.unit_id = x.id AND m.role = 'source' AND EXISTS (SELECT 1"
		      " FROM event_units o WHERE o.event_id = e2.id AND o.role = 'target' AND o.unit_id <> x.id)"
		      " ORDER BY e2.date, e2.id LIMIT 1) WHERE h.n < ?)",
		  QD(v->t), QD(v->t), QI(HEIR_STEPS - 1));
	query_sql(&q, " SELECT h.p, h.at, h.n FROM h");
	if (query_prepare(v->db, &q, &st, e)) {
		free(under);
		free(live);
		return -1;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		bool gone = db_col_is_null(st, 1);
		int64_t at = db_col_int64(st, 1);
		const unit_pair_t *place;
		unit_pair_t *grown;
		/* member_stats_heir looks at HEIR_STEPS units of a chain: the
		 * last one reached (n = HEIR_STEPS - 1) is its heir if it
		 * exists on t; a unit on the way that is not on t is no heir */
		if (!gone && at >= 0 && db_col_int64(st, 2) < HEIR_STEPS - 1 && !pair_of(live, n_live, at))
			continue;
		if (!(grown = store_grow(heirs, &cap_heirs, n_heirs, sizeof(*heirs), e)))
			break;
		heirs = grown;
		place = gone ? NULL : pair_of(under, n_under, at);
		heirs[n_heirs++] = (unit_pair_t){ db_col_int64(st, 0), place ? place->b : 0 };
	}
	db_finalize(st);
	free(under);
	free(live);
	if (rc != DB_DONE) {
		free(heirs);
		return rc < 0 ? store_fail(v->db, rc, e) : -1;
	}
	r = count_pairs(heirs, n_heirs, rows, n_rows, e);
	free(heirs);
	return r;
}

/* Adds each child of the day (day->children) to the child of today its
 * units all lie under (v->s->children); *whole false, and nothing sure,
 * when the units of a child that counts anything lie under several, or
 * under none. */
static int children_whole(view_t *v, const member_stats_t *day, bool *whole, err_t *e)
{
	int64_t *rows = NULL;
	size_t n = 0;

	*whole = false;
	if (heir_children(v, &rows, &n, e))
		return -1;
	*whole = true;
	for (size_t i = 0; *whole && i < day->n_children; i++) {
		const member_child_count_t *c = &day->children[i];
		int to = -1, places = 0;
		if (c->total == 0 && c->branches == 0)
			continue;
		for (size_t r = 0; r < n; r++) {
			if (rows[3 * r] != c->unit.id)
				continue;
			places++;
			to = rows[3 * r + 1] ? child_index(v->s, rows[3 * r + 1]) : -1;
		}
		if (places != 1 || to < 0) {
			*whole = false;
			break;
		}
		v->s->children[to].total += c->total;
		v->s->children[to].branches += c->branches;
	}
	free(rows);
	return 0;
}

/* What the mapped view of the nation counts beyond its view as of the
 * day: the payments of the day's year, and those paid in the period, in
 * units that do not exist on the day (a branch formed after it), added to
 * *day; *same false when that is not all: a stay that began or ended in
 * the period in such a unit (its flows would differ), or such a payment in
 * a unit gone by today (which today's unit it counts in is not sought
 * here). */
static int beyond_the_day(view_t *v, member_stats_t *day, bool *same, err_t *e)
{
	const member_flows_t *f = &day->flows;
	date_t from = day->has_flows ? f->from : v->t + 1, to = day->has_flows ? f->to : v->t;
	int64_t stays = 0;
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*same = false;
	query_init(&q);
	/* from the units (a few thousand), not from every stay or payment
	 * (SQLite's first plan: 0.1 and 0.3 s at a million members) */
	query_add(&q, "SELECT count(*) FROM units x CROSS JOIN memberships m WHERE m.unit_id = x.id AND ((m.valid_from >= ?"
		      " AND m.valid_from <= ?) OR (m.valid_to >= ? AND m.valid_to <= ?))"
		      " AND NOT (x.valid_from <= ? AND x.valid_to > ?)",
		  QD(from), QD(to), QD(from), QD(to + 1), QD(v->d), QD(v->d));
	if (org_query_int(v->db, &q, &stays, e))
		return -1;
	if (stays)
		return 0;
	query_init(&q);
	query_add(&q, "SELECT CASE WHEN dp.year = ? THEN 1 ELSE 0 END, CASE WHEN dp.paid_on >= ? AND dp.paid_on <= ?"
		      " THEN 1 ELSE 0 END, dp.amount, CASE WHEN x.valid_from <= ? AND x.valid_to > ? THEN 1 ELSE 0 END"
		      " FROM units x CROSS JOIN dues_payments dp WHERE dp.unit_id = x.id AND (dp.year = ? OR (dp.paid_on >= ?"
		      " AND dp.paid_on <= ?)) AND NOT (x.valid_from <= ? AND x.valid_to > ?)",
		  QI(day->dues_year), QD(from), QD(to), QD(v->t), QD(v->t), QI(day->dues_year), QD(from), QD(to),
		  QD(v->d), QD(v->d));
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	*same = true;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t amount = db_col_int64(st, 2);
		if (!db_col_int64(st, 3))
			*same = false;
		if (db_col_int64(st, 0)) {
			day->dues_paid++;
			day->dues_amount += amount;
		}
		if (db_col_int64(st, 1)) {
			day->flows.dues_paid++;
			day->flows.dues_amount += amount;
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(v->db, rc, e) : 0;
}

/* Whether unit_id is the only unit of the top level: the nation's subtree
 * then holds every unit on every day (the tree allows a second one, and
 * a unit of it may be moved under the nation later). */
static int only_top(db_t *db, int64_t unit_id, bool *only, err_t *e)
{
	int64_t others = 0;
	query_t q;

	*only = false;
	query_init(&q);
	query_add(&q, "SELECT count(*) FROM units u WHERE u.level = (SELECT t.level FROM units t WHERE t.id = ?)"
		      " AND u.id <> ?",
		  QI(unit_id), QI(unit_id));
	if (org_query_int(db, &q, &others, e))
		return -1;
	*only = others == 0;
	return 0;
}

/* The mapped view of a past day for the unit that keeps its figures by
 * day (the nation): its subtree holds every unit on every day, so both
 * views count the same members, breakdowns, flows and dues, and differ
 * only in their children and in what units that do not exist on the day
 * hold (beyond_the_day). The view as of the day (its figures by day, a
 * few hundred ms at 20 million members) with each province of the day
 * added whole to the province of today its units went to (the 2025
 * reform merged provinces whole), instead of every stay counted (minutes
 * at 20 million). *done false: not this case, or a province of the day
 * went to several of today, and out is untouched. */
static int mapped_by_day(db_t *db, int64_t unit_id, const member_stats_opts_t *o, member_stats_t *out, bool *done,
			 err_t *e)
{
	member_stats_opts_t day_o = *o;
	member_stats_t day, mapped = { 0 };
	view_t v = { .db = db, .unit = unit_id, .d = o->as_of, .t = member_stats_tree_date(o), .mapped = true,
		     .pg = db_dialect(db) == DB_POSTGRESQL, .s = &mapped };
	bool by_day = false, whole = false;
	int r = 0;

	*done = false;
	if (!o->mapped || o->recount || v.d >= v.t || (o->flows && o->to != o->as_of))
		return 0;
	if (member_tally_days(db, unit_id, &by_day, e) || (by_day && only_top(db, unit_id, &by_day, e)))
		return -1;
	if (!by_day)
		return 0;
	day_o.mapped = false;
	day_o.lean = false; /* its children are what is mapped */
	if (member_stats(db, unit_id, &day_o, &day, e))
		return -1;
	/* counted from the stays (flows of another period, say), the day's
	 * view saves nothing */
	if (day.source != MEMBER_STATS_COUNTED)
		r = beyond_the_day(&v, &day, &whole, e) ||
				    (whole && (stats_children(&v, e) || children_whole(&v, &day, &whole, e)))
			    ? -1
			    : 0;
	if (r || !whole) {
		member_stats_free(&day);
		member_stats_free(&mapped);
		return r;
	}
	free(day.children);
	day.children = mapped.children;
	day.n_children = mapped.n_children;
	day.mapped = true;
	day.tree_date = v.t;
	*out = day;
	*done = true;
	return 0;
}

int member_stats(db_t *db, int64_t unit_id, const member_stats_opts_t *o, member_stats_t *out, err_t *e)
{
	char day[DATE_STR_LEN];
	view_t v = { .db = db, .unit = unit_id, .d = o->as_of, .t = member_stats_tree_date(o), .mapped = o->mapped,
		     .pg = db_dialect(db) == DB_POSTGRESQL, .sensitive = o->with_sensitive, .recount = o->recount,
		     .lean = o->lean && !o->mapped, .s = out };
	int parts = o->mapped ? 2 : 1, r;
	bool kept = false, by_day = false, done = false;

	memset(out, 0, sizeof(*out));
	if (mapped_by_day(db, unit_id, o, out, &done, e))
		return -1;
	if (done)
		return 0;
	out->mapped = o->mapped;
	out->tree_date = v.t;
	out->dues_year = (int)strtol(date_format(o->as_of, day), NULL, 10);
	r = v.lean ? top_of_tree(&v, e) : stats_children(&v, e);
	if (!r && o->mapped) {
		bool needed = false;
		r = part2_needed(&v, &needed, e);
		parts = needed ? 2 : 1;
	}
	if (o->flows) {
		out->has_flows = true;
		out->flows.from = o->from;
		out->flows.to = o->to;
	}
	if (!r)
		r = tally_usable(&v, &kept, e);
	if (!r && !kept && !(r = day_usable(&v, &by_day, e)))
		kept = by_day;
	/* read, the unit's own members are what its children do not hold:
	 * a lean count lists them, then drops them */
	if (!r && kept && v.lean)
		r = stats_children(&v, e);
	if (!r && by_day) {
		out->source = MEMBER_STATS_BY_DAY;
		r = day_pass(&v, e);
	} else if (!r && kept) {
		out->source = MEMBER_STATS_KEPT;
		/* part 1 read; for the mapped view, the transfers it counts
		 * across the edge from units that are gone but count inside */
		r = tally_pass(&v, e) || tally_children(&v, e) ||
		    (o->flows && parts == 2 && (transfers_within(&v, 1, true, e) || transfers_within(&v, 1, false, e)));
	}
	for (int part = kept ? 2 : 1; !r && part <= parts; part++)
		r = count_part(&v, o, part, parts, e);
	if (!r && !kept && !v.lean)
		r = child_branches(&v, e);
	if (!r && kept && v.lean) {
		free(out->children);
		out->children = NULL;
		out->n_children = 0;
	}
	if (!r)
		r = breakdowns(&v, e);
	view_free(&v);
	if (r)
		member_stats_free(out);
	return r ? -1 : 0;
}
