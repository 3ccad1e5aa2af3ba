/*
 * member_stats.c - the membership statistics (see member_stats.h).
 */
#include "store/member_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/person.h"
#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/util.h"

void member_stats_free(member_stats_t *s)
{
	if (!s)
		return;
	free(s->children);
	s->children = NULL;
	s->n_children = 0;
}

/* " JOIN ancestry a ... JOIN memberships m ..." for the members of the
 * subtree of the unit the ancestry column `top` names, on day d. */
static void add_members_of(query_t *q, const char *top, date_t d)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 " JOIN ancestry a ON a.ancestor = %s AND a.valid_from <= ? AND a.valid_to > ?"
		 " JOIN memberships m ON m.unit_id = a.descendant AND m.valid_from <= ? AND m.valid_to > ?",
		 top);
	query_add_dates(q, sql, d);
}

/* The age bands: <=30, 31-45, 46-60, >60 (index 4: none given). */
static int age_band(int age)
{
	return age <= 30 ? 0 : age <= 45 ? 1 : age <= 60 ? 2 : 3;
}

/* Totals, kinds, digital capacity and ages: one row per date of birth
 * (tens of thousands at most), ages worked out as person_age does. */
static int stats_totals(db_t *db, int64_t unit_id, date_t d, member_stats_t *s, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q, "SELECT p.birth_date, count(*), sum(CASE WHEN m.kind = 'honorary' THEN 1 ELSE 0 END),"
		      " sum(p.digital), sum(CASE WHEN m.unit_id = ? THEN 1 ELSE 0 END) FROM units u",
		  QI(unit_id));
	add_members_of(&q, "u.id", d);
	query_add(&q, " JOIN persons p ON p.id = m.person_id WHERE u.id = ? GROUP BY p.birth_date", QI(unit_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t n = db_col_int64(st, 1);
		date_t born = 0;
		if (org_read_date(db, st, 0, &born, e)) {
			db_finalize(st);
			return -1;
		}
		s->total += n;
		s->honorary += db_col_int64(st, 2);
		s->digital += db_col_int64(st, 3);
		s->direct += db_col_int64(st, 4);
		s->age[age_band(person_age(born, d))] += n;
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

static int stats_ethnicity(db_t *db, int64_t unit_id, date_t d, member_stats_t *s, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, "SELECT coalesce(p.ethnicity, ''), coalesce(g.name_vi, ''), coalesce(g.name_en, ''), count(*)"
		      " FROM units u");
	add_members_of(&q, "u.id", d);
	query_add(&q, " JOIN persons p ON p.id = m.person_id LEFT JOIN ethnic_groups g ON g.code = p.ethnicity"
		      " WHERE u.id = ? GROUP BY coalesce(p.ethnicity, ''), g.name_vi, g.name_en"
		      " ORDER BY count(*) DESC, coalesce(p.ethnicity, '') LIMIT ?",
		  QI(unit_id), QI(MEMBER_BREAKDOWN_MAX));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW && s->n_ethnicity < MEMBER_BREAKDOWN_MAX) {
		member_count_t *c = &s->ethnicity[s->n_ethnicity++];
		copy_text(c->key, sizeof(c->key), db_col_text(st, 0));
		copy_text(c->name_vi, sizeof(c->name_vi), db_col_text(st, 1));
		copy_text(c->name_en, sizeof(c->name_en), db_col_text(st, 2));
		c->n = db_col_int64(st, 3);
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

/* The children of unit_id on d, by code, into s->children (names only). */
static int stats_children(db_t *db, int64_t unit_id, date_t d, member_stats_t *s, err_t *e)
{
	unit_query_t q = { .as_of = d, .parent_id = unit_id, .limit = ORG_PAGE_MAX };
	char cursor[ORG_CURSOR_MAX] = "";
	size_t cap = 0;

	do {
		unit_list_t l = { 0 };
		q.cursor = cursor;
		if (org_units_list(db, &q, &l, e))
			return -1;
		for (size_t i = 0; i < l.n; i++) {
			member_child_count_t *c;
			void *v = store_grow(s->children, &cap, s->n_children, sizeof(*s->children), e);
			if (!v) {
				unit_list_free(&l);
				return -1;
			}
			s->children = v;
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

static member_child_count_t *child_by_id(member_stats_t *s, int64_t id)
{
	for (size_t i = 0; i < s->n_children; i++)
		if (s->children[i].unit.id == id)
			return &s->children[i];
	return NULL;
}

/* Each child's members and branches, grouped by child: two queries. */
static int stats_child_counts(db_t *db, int64_t unit_id, date_t d, member_stats_t *s, err_t *e)
{
	static const char *const LOWEST =
		" AND (SELECT count(*) FROM levels b WHERE b.rank > l.rank) <= 1";
	for (int pass = 0; pass < 2; pass++) {
		db_stmt_t *st = NULL;
		query_t q;
		int rc;
		query_init(&q);
		query_sql(&q, "SELECT c.descendant, count(*) FROM ancestry c");
		if (pass == 0) {
			add_members_of(&q, "c.descendant", d);
		} else {
			query_add_dates(&q, " JOIN ancestry a ON a.ancestor = c.descendant AND a.valid_from <= ? AND a.valid_to > ?", d);
			query_sql(&q, " JOIN units u ON u.id = a.descendant JOIN levels l ON l.key = u.level");
		}
		query_add(&q, " WHERE c.ancestor = ? AND c.depth = 1 AND c.valid_from <= ? AND c.valid_to > ?", QI(unit_id),
			  QD(d), QD(d));
		if (pass == 1)
			query_sql(&q, LOWEST);
		query_sql(&q, " GROUP BY c.descendant");
		if (query_prepare(db, &q, &st, e))
			return -1;
		while ((rc = db_step(st)) == DB_ROW) {
			member_child_count_t *c = child_by_id(s, db_col_int64(st, 0));
			if (c && pass == 0)
				c->total = db_col_int64(st, 1);
			else if (c)
				c->branches = db_col_int64(st, 1);
		}
		db_finalize(st);
		if (rc < 0)
			return store_fail(db, rc, e);
	}
	return 0;
}

/* Branches and groups of the whole subtree, the unit itself included. */
static int stats_branches(db_t *db, int64_t unit_id, date_t d, member_stats_t *s, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM ancestry a JOIN units u ON u.id = a.descendant"
		      " JOIN levels l ON l.key = u.level WHERE a.ancestor = ?",
		  QI(unit_id));
	query_add_dates(&q, " AND a.valid_from <= ? AND a.valid_to > ?", d);
	query_sql(&q, " AND (SELECT count(*) FROM levels b WHERE b.rank > l.rank) <= 1");
	return org_query_int(db, &q, &s->branches, e);
}

/* The year's dues recorded in the subtree (by the unit each was paid in). */
static int stats_dues(db_t *db, int64_t unit_id, date_t d, member_stats_t *s, err_t *e)
{
	char day[DATE_STR_LEN];
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	s->dues_year = (int)strtol(date_format(d, day), NULL, 10);
	query_init(&q);
	query_add(&q, "SELECT count(*), coalesce(sum(dp.amount), 0) FROM dues_payments dp JOIN ancestry a"
		      " ON a.descendant = dp.unit_id AND a.ancestor = ?",
		  QI(unit_id));
	query_add_dates(&q, " AND a.valid_from <= ? AND a.valid_to > ?", d);
	query_add(&q, " WHERE dp.year = ?", QI(s->dues_year));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		s->dues_paid = db_col_int64(st, 0);
		s->dues_amount = db_col_int64(st, 1);
	}
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

int member_stats(db_t *db, int64_t unit_id, date_t d, bool with_sensitive, member_stats_t *out, err_t *e)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = stats_totals(db, unit_id, d, out, e);
	if (!r)
		r = stats_dues(db, unit_id, d, out, e);
	if (!r && with_sensitive)
		r = stats_ethnicity(db, unit_id, d, out, e);
	if (!r)
		r = stats_branches(db, unit_id, d, out, e);
	if (!r)
		r = stats_children(db, unit_id, d, out, e);
	if (!r)
		r = stats_child_counts(db, unit_id, d, out, e);
	if (r)
		member_stats_free(out);
	return r;
}
