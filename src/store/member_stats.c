/*
 * member_stats.c - the membership statistics (see member_stats.h).
 *
 * The members counted are read in one pass (a stay, and its person's date
 * of birth, digital capacity, ethnic group, religion, education,
 * occupation and circumstances), streamed and counted here: the free texts
 * in tallies (core/tally.h), ages in bands whose limits are dates worked
 * out beforehand (person_born_by), so that the store compares dates only.
 * On SQLite that pass costs one seek into persons a member (3 s for a
 * million); its GROUP BY would sort every row first and take four times
 * as long, so the rows come ungrouped and C counts them. On PostgreSQL the
 * server groups them (hash aggregation), so that the client reads a few
 * thousand rows, not a million. The kind of a stay (honorary) is not in
 * the index on memberships: it is counted apart (honorary_count), so that
 * the pass needs no seek into memberships.
 *
 * The units counted in ("S") come in two parts:
 *   part 1: the subtree of the unit on the tree's day, through the
 *           ancestry table (the only part of the view as of the day);
 *   part 2: for the mapped view, the units that do not exist on the tree's
 *           day, each read with its own id and counted under the unit it
 *           became (heir_of), when that lies in the subtree: the result of
 *           bucket_of, cached per unit. Usually few or none: most of the
 *           2025 reform moved branches rather than merging them.
 */
#include "store/member_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/org.h"
#include "core/person.h"
#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/util.h"

/* Where a unit of part 2 counts: outside the subtree, in the unit itself,
 * or under the child with that index (>= 0). */
enum { BUCKET_OUTSIDE = -2, BUCKET_DIRECT = -1 };

#define HEIR_STEPS 64 /* merges, splits and closings followed from one unit */

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
	bool grouped;          /* the server groups the rows (PostgreSQL) */
	bool sensitive;
	member_stats_t *s;
	bucket_slot_t *buckets; /* units of part 2 placed so far */
	size_t cap, n;
	tally_t eth, religion, education, occupation, circumstances;
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
}

static int no_memory(err_t *e)
{
	return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
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

/* The unit of the tree's day that unit id became (0: none): itself when
 * it exists that day; else the heir of the merge or split that ended it
 * (lineage_heir), and on from there; else, closed without one, what its
 * parent on its last day became. */
static int heir_of(const view_t *v, int64_t id, int64_t *out, err_t *e)
{
	*out = 0;
	for (int step = 0; id && step < HEIR_STEPS; step++) {
		int64_t ids[LINEAGE_FANOUT], parent = 0;
		char codes[LINEAGE_FANOUT][UNIT_CODE_MAX + 1];
		lineage_target_t targets[LINEAGE_FANOUT];
		char code[UNIT_CODE_MAX + 1];
		bool alive = false;
		size_t n = 0;

		if (unit_facts(v->db, id, v->t, &parent, &alive, code, sizeof(code), e))
			return -1;
		if (alive) {
			*out = id;
			return 0;
		}
		if (ending_targets(v->db, id, ids, codes, LINEAGE_FANOUT, &n, e))
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
	if (heir_of(v, id, &heir, e))
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

/* ---- the members on the day ---- */

/* One row of stock_pass: n members alike. */
static int count_row(view_t *v, db_stmt_t *st, int64_t n, bool direct, err_t *e)
{
	member_stats_t *s = v->s;
	int band = (int)db_col_int64(st, 1);

	s->total += n;
	if (direct)
		s->direct += n;
	if (band >= 0 && band < MEMBER_AGE_BANDS)
		s->age[band] += n;
	if (db_col_int64(st, 2))
		s->digital += n;
	if ((v->sensitive && (tally_add(&v->eth, db_col_text(st, 3), n) || tally_add(&v->religion, db_col_text(st, 4), n))) ||
	    tally_add(&v->education, db_col_text(st, 5), n) || tally_add(&v->occupation, db_col_text(st, 6), n) ||
	    tally_add(&v->circumstances, db_col_text(st, 7), n))
		return no_memory(e);
	return 0;
}

/* Every member of a part on the day, in one pass. */
static int stock_pass(view_t *v, int part, err_t *e)
{
	date_t limit31 = person_born_by(v->d, 31), limit46 = person_born_by(v->d, 46),
	       limit61 = person_born_by(v->d, 61);
	db_stmt_t *st = NULL;
	char sql[256];
	query_t q;
	int rc;

	query_init(&q);
	if (part == 1)
		query_add(&q, "SELECT CASE WHEN m.unit_id = ? THEN 1 ELSE 0 END", QI(v->unit));
	else
		query_sql(&q, "SELECT m.unit_id");
	query_add(&q, ", CASE WHEN p.birth_date > ? THEN 0 WHEN p.birth_date > ? THEN 1"
		      " WHEN p.birth_date > ? THEN 2 ELSE 3 END, p.digital, coalesce(p.ethnicity, ''), p.religion,"
		      " p.education, p.occupation, p.circumstances",
		  QD(limit31), QD(limit46), QD(limit61));
	query_sql(&q, v->grouped ? ", count(*)" : ", 1");
	src_from(&q, part);
	snprintf(sql, sizeof(sql),
		 " JOIN memberships m ON m.unit_id = %s AND m.valid_from <= ? AND m.valid_to > ?"
		 " JOIN persons p ON p.id = m.person_id",
		 src_id(part));
	query_add_dates(&q, sql, v->d);
	src_where(&q, v, part, true);
	if (v->grouped)
		query_sql(&q, " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t n = db_col_int64(st, 8);
		bool direct = db_col_int64(st, 0) != 0, in = true;
		member_child_count_t *child = NULL;
		if (part == 2) {
			if (part2_place(v, db_col_int64(st, 0), &in, &child, e))
				break;
			direct = in && !child;
			if (child)
				child->total += n;
		}
		if (in && count_row(v, st, n, direct, e))
			break;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(v->db, rc, e);
	return rc == DB_ROW ? -1 : 0;
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

	query_init(&q);
	if (part == 1) {
		query_sql(&q, "SELECT coalesce(max(id), 0) FROM memberships");
		if (org_query_int(v->db, &q, &stays, e))
			return -1;
		query_init(&q);
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
			 " JOIN memberships m ON m.unit_id = %s AND m.valid_from <= ? AND m.valid_to > ?"
			 " AND m.kind = 'honorary'",
			 src_id(part));
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

/* Each child's members and branches (part 1), grouped by child: two
 * queries. A branch counts when it exists on the members' day too. */
static int child_counts(view_t *v, err_t *e)
{
	for (int pass = 0; pass < 2; pass++) {
		db_stmt_t *st = NULL;
		query_t q;
		int rc;
		query_init(&q);
		query_add(&q, "SELECT c.descendant, count(*) FROM ancestry c JOIN ancestry a ON a.ancestor = c.descendant"
			      " AND a.valid_from <= ? AND a.valid_to > ?",
			  QD(v->t), QD(v->t));
		if (pass == 0)
			query_add_dates(&q, " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from <= ? AND m.valid_to > ?",
					v->d);
		else
			query_add_dates(&q, " JOIN units u ON u.id = a.descendant AND u.valid_from <= ? AND u.valid_to > ?"
					    " JOIN levels l ON l.key = u.level",
					v->d);
		query_add(&q, " WHERE c.ancestor = ? AND c.depth = 1 AND c.valid_from <= ? AND c.valid_to > ?", QI(v->unit),
			  QD(v->t), QD(v->t));
		if (pass == 1)
			query_sql(&q, LOWEST);
		query_sql(&q, " GROUP BY c.descendant");
		if (query_prepare(v->db, &q, &st, e))
			return -1;
		while ((rc = db_step(st)) == DB_ROW) {
			int i = child_index(v->s, db_col_int64(st, 0));
			if (i < 0)
				continue;
			if (pass == 0)
				v->s->children[i].total += db_col_int64(st, 1);
			else
				v->s->children[i].branches += db_col_int64(st, 1);
		}
		db_finalize(st);
		if (rc < 0)
			return store_fail(v->db, rc, e);
	}
	return 0;
}

/* Branches and groups of the subtree that exist on the members' day, the
 * unit itself included. */
static int stats_branches(view_t *v, int part, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
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

	query_init(&q);
	query_sql(&q, part == 1 ? "SELECT 0, count(*), coalesce(sum(dp.amount), 0)"
				: "SELECT dp.unit_id, count(*), coalesce(sum(dp.amount), 0)");
	src_from(&q, part);
	snprintf(sql, sizeof(sql), " JOIN dues_payments dp ON dp.unit_id = %s%s", src_id(part),
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

/* ---- flows over a period ---- */

/* Stays of the report's units that hold the day before the period
 * (opening) and its last day (closing), in one scan of the index. */
static int stays_around(view_t *v, int part, err_t *e)
{
	member_flows_t *f = &v->s->flows;
	db_stmt_t *st = NULL;
	char sql[160];
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, part == 1 ? "SELECT 0" : "SELECT m.unit_id");
	query_add(&q, ", sum(CASE WHEN m.valid_from <= ? AND m.valid_to > ? THEN 1 ELSE 0 END),"
		      " sum(CASE WHEN m.valid_to > ? THEN 1 ELSE 0 END)",
		  QD(f->from - 1), QD(f->from - 1), QD(f->to));
	src_from(&q, part);
	snprintf(sql, sizeof(sql), " JOIN memberships m ON m.unit_id = %s AND m.valid_from <= ? AND m.valid_to >= ?",
		 src_id(part));
	query_add(&q, sql, QD(f->to), QD(f->from));
	src_where(&q, v, part, false);
	if (part == 2)
		query_sql(&q, " GROUP BY m.unit_id");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		member_child_count_t *child = NULL;
		bool in = true;
		if (part == 2 && part2_place(v, db_col_int64(st, 0), &in, &child, e))
			break;
		if (in) {
			f->opening += db_col_int64(st, 1);
			f->closing += db_col_int64(st, 2);
		}
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
 * reason. A transfer's other stay (the one before, or after) is read with
 * it, to tell a transfer within the report's units from one across their
 * edge: column 2 is -1 when the other unit is in the subtree on the tree's
 * day, 0 when it is outside (or none is recorded), and for the mapped view
 * the other unit's id when it does not exist on that day (where it counts
 * is then bucket_of's to say). */
static int starts_ends(view_t *v, int part, bool starts, err_t *e)
{
	member_flows_t *f = &v->s->flows;
	db_stmt_t *st = NULL;
	char sql[512];
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, part == 1 ? "SELECT 0" : "SELECT m.unit_id");
	query_sql(&q, starts ? ", m.start_reason" : ", coalesce(m.end_reason, '')");
	query_sql(&q, ", CASE WHEN o.unit_id IS NULL THEN 0 WHEN oa.depth IS NOT NULL THEN -1");
	if (v->mapped)
		query_add_dates(&q, " WHEN ou.valid_from <= ? AND ou.valid_to > ? THEN 0 ELSE o.unit_id END, count(*)", v->t);
	else
		query_sql(&q, " ELSE 0 END, count(*)");
	src_from(&q, part);
	if (starts)
		snprintf(sql, sizeof(sql),
			 " JOIN memberships m ON m.unit_id = %s AND m.valid_from >= ? AND m.valid_from <= ?"
			 " LEFT JOIN memberships o ON m.start_reason = 'transferred' AND o.person_id = m.person_id"
			 " AND o.valid_to = m.valid_from",
			 src_id(part));
	else
		snprintf(sql, sizeof(sql),
			 " JOIN memberships m ON m.unit_id = %s AND m.valid_to >= ? AND m.valid_to <= ?"
			 " LEFT JOIN memberships o ON m.end_reason = 'transferred' AND o.person_id = m.person_id"
			 " AND o.valid_from = m.valid_to",
			 src_id(part));
	query_add(&q, sql, QD(f->from), QD(f->to));
	query_add(&q, " LEFT JOIN ancestry oa ON oa.descendant = o.unit_id AND oa.ancestor = ? AND oa.valid_from <= ?"
		      " AND oa.valid_to > ?",
		  QI(v->unit), QD(v->t), QD(v->t));
	if (v->mapped)
		query_sql(&q, " LEFT JOIN units ou ON ou.id = o.unit_id");
	src_where(&q, v, part, false);
	query_sql(&q, " GROUP BY 1, 2, 3");
	if (query_prepare(v->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *reason = db_col_text(st, 1);
		int64_t other = db_col_int64(st, 2), n = db_col_int64(st, 3);
		member_child_count_t *child = NULL;
		bool in = true;
		int b = BUCKET_OUTSIDE;
		if (part == 2 && part2_place(v, db_col_int64(st, 0), &in, &child, e))
			break;
		if (!in)
			continue;
		if (strcmp(reason, "transferred") == 0) {
			if (other > 0 && bucket_of(v, other, &b, e))
				break;
			if (other == -1 || (other > 0 && b != BUCKET_OUTSIDE))
				continue; /* within the report's units */
			if (starts)
				f->transfers_in += n;
			else
				f->transfers_out += n;
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

static int flows_part(view_t *v, int part, err_t *e)
{
	member_flows_t *f = &v->s->flows;

	if (stays_around(v, part, e) ||
	    starts_ends(v, part, true, e) || starts_ends(v, part, false, e) ||
	    dues_of(v, part, 0, f->from, f->to, &f->dues_paid, &f->dues_amount, e))
		return -1;
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
		if (!it->key)
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

int member_stats(db_t *db, int64_t unit_id, const member_stats_opts_t *o, member_stats_t *out, err_t *e)
{
	char day[DATE_STR_LEN];
	view_t v = { .db = db, .unit = unit_id, .d = o->as_of, .t = member_stats_tree_date(o), .mapped = o->mapped,
		     .grouped = db_dialect(db) == DB_POSTGRESQL, .sensitive = o->with_sensitive, .s = out };
	int parts = o->mapped ? 2 : 1, r;

	memset(out, 0, sizeof(*out));
	out->mapped = o->mapped;
	out->tree_date = v.t;
	out->dues_year = (int)strtol(date_format(o->as_of, day), NULL, 10);
	r = stats_children(&v, e);
	for (int part = 1; !r && part <= parts; part++)
		r = stock_pass(&v, part, e) || honorary_count(&v, part, e);
	if (!r)
		r = child_counts(&v, e);
	for (int part = 1; !r && part <= parts; part++)
		r = stats_branches(&v, part, e) ||
		    dues_of(&v, part, out->dues_year, 0, 0, &out->dues_paid, &out->dues_amount, e);
	if (!r)
		r = breakdowns(&v, e);
	if (!r && o->flows) {
		out->has_flows = true;
		out->flows.from = o->from;
		out->flows.to = o->to;
		for (int part = 1; !r && part <= parts; part++)
			r = flows_part(&v, part, e);
	}
	view_free(&v);
	if (r)
		member_stats_free(out);
	return r ? -1 : 0;
}
