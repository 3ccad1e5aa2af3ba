/*
 * org_write.c - the reorganisation operations (see org_store.h): create,
 * rename, set attributes, move, close, merge and split, with the writes
 * they share (a unit's intervals, its parent, its end, its events).
 *
 * Every operation has one shape: join or open a transaction
 * (store_tx_begin/store_tx_end), resolve the units involved as of the
 * date, ask core/org.h whether the change is allowed, write intervals
 * (store/interval.h: history is cut, never rewritten), record the event and
 * an audit row per unit changed. Every write to a unit's validity or to
 * unit_parents (insert_unit, reparent, end_unit, move_child_to_part) is
 * followed by ancestry_refresh in the same transaction, so the ancestry
 * table is exact at every commit.
 *
 * What this file does not do: decide (core/org.c), check permission or
 * scope (api/), read for display (org_read.c, org_events.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/ancestry.h"
#include "store/audit.h"
#include "store/interval.h"
#include "store/members.h"
#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/util.h"

/* ------------------------------------------------------------------ */
/* events                                                              */

static int event_record(db_t *db, const char *kind, date_t d, const char *note, int64_t *id, err_t *e)
{
	char ts[32];
	query_t q;

	store_now_iso(ts, sizeof(ts));
	query_init(&q);
	query_add(&q, "INSERT INTO events (kind, date, note, recorded_at) VALUES (?, ?, ?, ?) RETURNING id", QT(kind),
		  QD(d), QT(note ? note : ""), QT(ts));
	return org_query_int(db, &q, id, e);
}

static int event_unit(db_t *db, int64_t event_id, int64_t unit_id, const char *role, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO event_units (event_id, unit_id, role) VALUES (?, ?, ?)", QI(event_id), QI(unit_id),
		  QT(role));
	return query_run(db, &q, e);
}

/* A simple event naming one unit as both source and target. */
static int event_simple(db_t *db, const char *kind, date_t d, const char *note, int64_t unit_id, err_t *e)
{
	int64_t ev = 0;

	if (event_record(db, kind, d, note, &ev, e))
		return -1;
	if (strcmp(kind, "create") != 0 && event_unit(db, ev, unit_id, "source", e))
		return -1;
	return event_unit(db, ev, unit_id, "target", e);
}

/* A unit may end on d only when nothing is recorded for it on or after d:
 * history is never rewritten, so a close, merge or split cannot be dated
 * before a change already made. */
static int check_nothing_later(db_t *db, const unit_t *u, date_t d, err_t *e)
{
	char a[DATE_STR_LEN], b[DATE_STR_LEN];
	db_stmt_t *st = NULL;
	int64_t n = 0;
	date_t last = 0;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q, "SELECT count(*), max(e.date) FROM event_units eu JOIN events e ON e.id = eu.event_id"
		      " WHERE eu.unit_id = ? AND e.date >= ?", QI(u->id), QD(d));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		n = db_col_int64(st, 0);
		if (n && db_col_date(st, 1, &last) != 0)
			last = d;
	}
	db_finalize(st);
	if (rc != DB_ROW)
		return store_fail(db, rc, e);
	if (n)
		return err_set(e, ERR_CONFLICT, "date_out_of_range",
			       "unit %s has changes recorded on or after %s (the last on %s): it can end only after them",
			       u->code, date_format(d, a), date_format(last, b));
	return 0;
}

/* ------------------------------------------------------------------ */
/* a unit's intervals                                                  */

static int insert_name(db_t *db, int64_t unit_id, const char *vi, const char *en, date_t from,
		       date_t to, err_t *e)
{
	char *fold_vi = NULL, *fold_en = NULL, *key = NULL, *search = NULL;
	query_t q;
	int r = -1;

	if (text_fold(vi, &fold_vi) || text_fold(en, &fold_en) || text_sort_key(vi, &key)) {
		err_set(e, ERR_INVALID, "invalid", "a name is not valid UTF-8 text");
		goto out;
	}
	search = malloc(strlen(fold_vi) + strlen(fold_en) + 4);
	if (!search) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	sprintf(search, "%s | %s", fold_vi, fold_en);
	query_init(&q);
	query_add(&q, "INSERT INTO unit_names (unit_id, name_vi, name_en, search_key, sort_key, valid_from, valid_to)"
		      " VALUES (?, ?, ?, ?, ?, ?, ?)", QI(unit_id), QT(vi), QT(en), QT(search), QT(key), QD(from), QD(to));
	r = query_run(db, &q, e);
out:
	free(fold_vi);
	free(fold_en);
	free(key);
	free(search);
	return r;
}

static int insert_attributes(db_t *db, int64_t unit_id, const char *attributes, date_t from, date_t to, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO unit_attributes (unit_id, attributes, valid_from, valid_to) VALUES (?, ?, ?, ?)",
		  QI(unit_id), QT(attributes), QD(from), QD(to));
	return query_run(db, &q, e);
}

static int insert_parent(db_t *db, int64_t unit_id, int64_t parent_id, date_t from, date_t to, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO unit_parents (unit_id, parent_id, valid_from, valid_to) VALUES (?, ?, ?, ?)",
		  QI(unit_id), QI(parent_id), QD(from), QD(to));
	return query_run(db, &q, e);
}

/* Inserts a unit valid from d on, with its name, attributes and parent
 * (no checks: callers have made them). */
static int insert_unit(db_t *db, const unit_spec_t *s, date_t d, int64_t parent_id, int64_t *id, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO units (code, level, kind, valid_from, valid_to) VALUES (?, ?, ?, ?, ?) RETURNING id",
		  QT(s->code), QT(s->level), QT(s->kind), QD(d), QD(DATE_OPEN));
	if (org_query_int(db, &q, id, e))
		return -1;
	if (insert_name(db, *id, s->name_vi, s->name_en, d, DATE_OPEN, e) ||
	    insert_attributes(db, *id, s->attributes, d, DATE_OPEN, e))
		return -1;
	if (parent_id && insert_parent(db, *id, parent_id, d, DATE_OPEN, e))
		return -1;
	return ancestry_refresh(db, *id, e);
}

/* The parent interval of unit id that contains d: *found false for none. */
static int parent_span_at(db_t *db, int64_t id, date_t d, int64_t *parent, date_t *from, date_t *to, bool *found,
			  err_t *e)
{
	return interval_value_at(db, "unit_parents", "unit_id", id, "parent_id", d, parent, from, to, found, e);
}

/* Ids of the ancestors of id on d, id itself first. */
static int ancestor_ids(db_t *db, int64_t id, date_t d, int64_t *out, size_t cap, size_t *n, err_t *e)
{
	*n = 0;
	while (id && *n < cap) {
		int64_t parent = 0;
		date_t from, to;
		bool found;
		out[(*n)++] = id;
		if (parent_span_at(db, id, d, &parent, &from, &to, &found, e))
			return -1;
		id = found ? parent : 0;
	}
	return 0;
}

/* Re-parents unit id from day d on (within the interval [from, to) that
 * contains d, to parent_id). */
static int reparent(db_t *db, int64_t id, int64_t parent_id, date_t d, date_t from, date_t to, err_t *e)
{
	query_t q;

	if (from == d) {
		query_init(&q);
		query_add(&q, "UPDATE unit_parents SET parent_id = ? WHERE unit_id = ? AND valid_from = ?", QI(parent_id),
			  QI(id), QD(d));
		if (query_run(db, &q, e))
			return -1;
	} else if (interval_cut(db, "unit_parents", "unit_id", id, from, d, e) ||
		   insert_parent(db, id, parent_id, d, to, e)) {
		return -1;
	}
	return ancestry_refresh(db, id, e);
}

/* Ends unit id on d: its validity, names, attributes and parents stop the
 * day before. */
static int end_unit(db_t *db, int64_t id, date_t d, err_t *e)
{
	query_t q;

	if (interval_end(db, "unit_names", "unit_id", id, d, e) ||
	    interval_end(db, "unit_attributes", "unit_id", id, d, e) ||
	    interval_end(db, "unit_parents", "unit_id", id, d, e))
		return -1;
	query_init(&q);
	query_add(&q, "UPDATE units SET valid_to = ? WHERE id = ?", QD(d), QI(id));
	if (query_run(db, &q, e))
		return -1;
	return ancestry_refresh(db, id, e);
}

/* ------------------------------------------------------------------ */
/* checks against the store                                            */

static int check_note(const char *note, err_t *e)
{
	if (!note)
		return 0;
	if (!text_valid(note) || text_length(note) > NOTE_MAX) {
		if (!text_valid(note))
			err_field(e, "note", "not_text", "must be text");
		else
			err_field(e, "note", "too_long", "is too long (at most {max} characters)", ERR_INT("max", NOTE_MAX));
		return err_fail(e, ERR_INVALID, "invalid", "the note is not valid");
	}
	return 0;
}

/* The first unit, as of from, that holds code at any time from `from` on;
 * *found false when none does. */
static int code_holder(db_t *db, const char *code, date_t from, unit_t *holder, bool *found, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t id = 0;
	query_t q;
	int rc;

	*found = false;
	query_init(&q);
	query_add(&q, "SELECT id FROM units WHERE code = ? AND valid_to > ? ORDER BY valid_from LIMIT 1", QT(code),
		  QD(from));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_col_int64(st, 0);
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(db, rc, e);
	if (!id)
		return 0;
	*found = true;
	return org_unit_view(db, id, from, holder, e);
}

static int check_code_free(db_t *db, const char *code, date_t from, err_t *e)
{
	unit_t holder;
	bool found;

	if (code_holder(db, code, from, &holder, &found, e))
		return -1;
	return org_check_code_free(code, from, found ? &holder : NULL, e);
}

/* Resolves a unit that an operation dated d will change. When the code
 * names no unit on d but did on other days, the error says why the date
 * does not fit (unit_closed, date_out_of_range) rather than a bare 404. */
static int resolve_for_change(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e)
{
	if (org_unit_nearest(db, ref, d, out, e))
		return -1;
	return org_check_alive(out, d, e);
}

/* Resolves the parent named in a request: unknown -> ERR_INVALID on field. */
static int resolve_parent(db_t *db, const char *ref, date_t d, const char *field, unit_t *out, err_t *e)
{
	if (resolve_for_change(db, ref, d, out, e) == 0)
		return 0;
	if (e && (e->kind == ERR_NOT_FOUND)) {
		/* word for word what api/auth.c says of a parent outside scope */
		err_clear(e);
		err_field(e, field, "not_found", "no unit with code {value} on {date}", ERR_STR("value", ref),
			  ERR_DATE("date", d));
		return err_fail(e, ERR_INVALID, "invalid", "no unit with code {ref} on {date}", ERR_STR("ref", ref),
				ERR_DATE("date", d));
	}
	if (e && e->kind == ERR_CONFLICT) {
		/* the unit the code named on other days: it did not exist on d */
		err_clear(e);
		if (d < out->valid_from)
			return err_fail(e, ERR_CONFLICT, "parent_not_valid", "parent {parent} does not exist yet on {date}",
					ERR_STR("parent", ref), ERR_DATE("date", d));
		return err_fail(e, ERR_CONFLICT, "parent_not_valid", "parent {parent} existed until {until}, not on {date}",
				ERR_STR("parent", ref), ERR_DATE("date", d), ERR_DATE("until", out->valid_to - 1));
	}
	return -1;
}

/* A unit of level lv may have no parent only at the top level. */
static int check_may_be_root(db_t *db, const level_t *lv, const char *prefix, err_t *e)
{
	char field[64];
	level_t *all = NULL;
	size_t n = 0;
	bool top;

	if (org_levels(db, &all, &n, e))
		return -1;
	top = all && n > 0 && all[0].rank == lv->rank;
	free(all);
	if (top)
		return 0;
	snprintf(field, sizeof(field), "%sparent", prefix);
	err_field(e, field, "required", "is required for a unit of level {level}", ERR_STR("level", lv->key));
	return err_fail(e, ERR_INVALID, "invalid", "a {level} needs a parent", ERR_STR("level", lv->key));
}

/* Checks a new unit's spec against the store: level known, parent valid on
 * [d, open) and above it, code free from d. *parent_id is 0 for a root. */
static int prepare_new_unit(db_t *db, const unit_spec_t *s, const char *prefix, date_t d,
			    int64_t *parent_id, level_t *lv, err_t *e)
{
	char field[64];
	unit_t parent = { 0 };

	*parent_id = 0;
	snprintf(field, sizeof(field), "%slevel", prefix);
	if (org_level_get(db, s->level, field, lv, e))
		return -1;
	if (s->parent[0]) {
		snprintf(field, sizeof(field), "%sparent", prefix);
		if (resolve_parent(db, s->parent, d, field, &parent, e))
			return -1;
		if (org_check_level(&parent, lv->rank, lv->key, e) ||
		    org_check_parent(&parent, lv->rank, d, DATE_OPEN, e))
			return -1;
		*parent_id = parent.id;
	} else if (check_may_be_root(db, lv, prefix, e)) {
		return -1;
	}
	return check_code_free(db, s->code, d, e);
}

/* ------------------------------------------------------------------ */
/* create, rename, attributes, move, close                             */

int org_create(db_t *db, const principal_t *who, unit_spec_t *spec, date_t d, const char *note, unit_t *out, err_t *e)
{
	bool own;
	int64_t parent_id = 0, id = 0;
	level_t lv;
	int r;

	if (unit_spec_normalise(spec, "", e) || check_note(note, e))
		return -1;
	if (store_tx_begin(db, &own, e))
		return -1;
	r = prepare_new_unit(db, spec, "", d, &parent_id, &lv, e);
	if (!r)
		r = insert_unit(db, spec, d, parent_id, &id, e);
	if (!r)
		r = event_simple(db, "create", d, note, id, e);
	if (!r)
		r = org_unit_at(db, id, d, out, e);
	if (!r)
		r = audit_unit(db, who, "unit.create", NULL, out, note, e);
	return store_tx_end(db, own, r, e);
}

int org_rename(db_t *db, const principal_t *who, const char *ref, date_t d, const char *name_vi, const char *name_en,
	       const char *note, unit_t *out, err_t *e)
{
	char vi[UNIT_NAME_BUF], en[UNIT_NAME_BUF];
	date_t from = 0, to = 0;
	unit_t u = { 0 };
	bool own, found = false;
	int r, bad = 0;

	if (ub_strlcpy(vi, name_vi, sizeof(vi)))
		bad = err_field(e, "name_vi", "too_many_bytes", "is too long (at most {max} bytes)",
				ERR_INT("max", UNIT_NAME_BUF - 1));
	else if (unit_name_normalise(vi, sizeof(vi), "name_vi", e))
		bad = -1;
	if (ub_strlcpy(en, name_en, sizeof(en)))
		bad = err_field(e, "name_en", "too_many_bytes", "is too long (at most {max} bytes)",
				ERR_INT("max", UNIT_NAME_BUF - 1));
	else if (unit_name_normalise(en, sizeof(en), "name_en", e))
		bad = -1;
	if (bad)
		return err_fail(e, ERR_INVALID, "invalid", "the new name is not valid");
	if (check_note(note, e) || store_tx_begin(db, &own, e))
		return -1;
	r = resolve_for_change(db, ref, d, &u, e);
	if (!r)
		r = org_check_changeable(&u, d, e);
	if (!r && strcmp(u.name_vi, vi) == 0 && strcmp(u.name_en, en) == 0) {
		err_field(e, "name_vi", "same_as_current", "is already the unit's name");
		r = err_set(e, ERR_INVALID, "invalid", "unit %s already has that name", u.code);
	}
	if (!r)
		r = interval_at(db, "unit_names", "unit_id", u.id, d, &from, &to, &found, e);
	if (!r && !found)
		r = err_set(e, ERR_INTERNAL, NULL, "unit %s has no name on that date", u.code);
	if (!r)
		r = org_check_not_same_day("name", from, d, e);
	if (!r)
		r = interval_cut(db, "unit_names", "unit_id", u.id, from, d, e);
	if (!r)
		r = insert_name(db, u.id, vi, en, d, to, e);
	if (!r)
		r = event_simple(db, "rename", d, note, u.id, e);
	if (!r)
		r = org_unit_at(db, u.id, d, out, e);
	if (!r)
		r = audit_unit(db, who, "unit.rename", &u, out, note, e);
	return store_tx_end(db, own, r, e);
}

int org_set_attributes(db_t *db, const principal_t *who, const char *ref, date_t d, const char *attributes,
		       const char *note, unit_t *out, err_t *e)
{
	char attrs[UNIT_ATTRS_BUF];
	date_t from = 0, to = 0;
	unit_t u = { 0 };
	bool own, found = false;
	int r;

	if (ub_strlcpy(attrs, attributes, sizeof(attrs))) {
		err_field(e, "attributes", "too_many", "has too many words (at most {max})",
			  ERR_INT("max", UNIT_ATTRIBUTE_COUNT));
		return err_set(e, ERR_INVALID, "invalid", "the attributes are not valid");
	}
	if (unit_attributes_normalise(attrs, sizeof(attrs), "attributes", e))
		return err_set(e, ERR_INVALID, "invalid", "the attributes are not valid");
	if (check_note(note, e) || store_tx_begin(db, &own, e))
		return -1;
	r = resolve_for_change(db, ref, d, &u, e);
	if (!r)
		r = org_check_changeable(&u, d, e);
	if (!r && strcmp(u.attributes, attrs) == 0) {
		err_field(e, "attributes", "same_as_current", "are already the unit's attributes");
		r = err_set(e, ERR_INVALID, "invalid", "unit %s already has those attributes", u.code);
	}
	if (!r)
		r = interval_at(db, "unit_attributes", "unit_id", u.id, d, &from, &to, &found, e);
	if (!r && !found)
		r = err_set(e, ERR_INTERNAL, NULL, "unit %s has no attributes on that date", u.code);
	if (!r)
		r = org_check_not_same_day("attributes", from, d, e);
	if (!r)
		r = interval_cut(db, "unit_attributes", "unit_id", u.id, from, d, e);
	if (!r)
		r = insert_attributes(db, u.id, attrs, d, to, e);
	if (!r)
		r = org_unit_at(db, u.id, d, out, e);
	if (!r)
		r = audit_unit(db, who, "unit.attributes", &u, out, note, e);
	return store_tx_end(db, own, r, e);
}

int org_move(db_t *db, const principal_t *who, const char *ref, date_t d, const char *parent_ref, const char *note,
	     unit_t *out, err_t *e)
{
	int64_t anc[64], cur_parent = 0;
	size_t n_anc = 0;
	date_t from = 0, to = 0;
	unit_t u = { 0 }, parent = { 0 };
	bool own, found = false;
	int r;

	if (unit_code_check(parent_ref, "parent", e) && strncmp(parent_ref, "id:", 3) != 0)
		return err_set(e, ERR_INVALID, "invalid", "the new parent is not a unit code");
	if (check_note(note, e) || store_tx_begin(db, &own, e))
		return -1;
	r = resolve_for_change(db, ref, d, &u, e);
	if (!r)
		r = org_check_changeable(&u, d, e);
	if (!r)
		r = resolve_parent(db, parent_ref, d, "parent", &parent, e);
	if (!r)
		r = parent_span_at(db, u.id, d, &cur_parent, &from, &to, &found, e);
	if (!r && !found) {
		err_field(e, "code", "is_root", "the root of the tree has no parent to change");
		r = err_set(e, ERR_INVALID, "invalid", "unit %s has no parent and cannot be moved", u.code);
	}
	if (!r && cur_parent == parent.id) {
		err_field(e, "parent", "same_as_current", "is already the unit's parent");
		r = err_set(e, ERR_INVALID, "invalid", "unit %s is already under %s", u.code, parent.code);
	}
	if (!r)
		r = ancestor_ids(db, parent.id, d, anc, 64, &n_anc, e);
	if (!r)
		r = org_check_no_cycle(u.id, u.code, anc, n_anc, e);
	if (!r)
		r = org_check_level(&parent, u.level_rank, u.level, e);
	if (!r)
		r = org_check_parent(&parent, u.level_rank, d, to, e);
	if (!r)
		r = org_check_not_same_day("parent", from, d, e);
	if (!r)
		r = reparent(db, u.id, parent.id, d, from, to, e);
	if (!r)
		r = event_simple(db, "move", d, note, u.id, e);
	if (!r)
		r = org_unit_at(db, u.id, d, out, e);
	if (!r)
		r = audit_unit(db, who, "unit.move", &u, out, note, e);
	return store_tx_end(db, own, r, e);
}

/* How many parent intervals under id reach d or later. */
static int count_children_from(db_t *db, int64_t id, date_t d, int64_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM unit_parents WHERE parent_id = ? AND valid_to > ?", QI(id), QD(d));
	return org_query_int(db, &q, n, e);
}

/* A unit that ends on d with members then (a branch or group) would leave
 * them in no unit: 409 has_members (unit, count, date). A merge takes them
 * to its target instead, a split to its heir (member_move_all); a close
 * asks that they be transferred first, since only the union can say where
 * each goes. */
static int check_no_members(db_t *db, const unit_t *u, date_t d, err_t *e)
{
	int64_t n = 0;

	if (member_count_in(db, u->id, d, &n, e))
		return -1;
	if (n > 0)
		return err_fail(e, ERR_CONFLICT, "has_members",
				"unit {unit} still has {count} member(s) on {date}: transfer them first", ERR_STR("unit", u->code),
				ERR_INT("count", n), ERR_DATE("date", d));
	return 0;
}

int org_close(db_t *db, const principal_t *who, const char *ref, date_t d, const char *note, unit_t *out, err_t *e)
{
	int64_t n_children = 0;
	unit_t u = { 0 };
	bool own;
	int r;

	if (check_note(note, e) || store_tx_begin(db, &own, e))
		return -1;
	r = resolve_for_change(db, ref, d, &u, e);
	if (!r)
		r = count_children_from(db, u.id, d, &n_children, e);
	if (!r)
		r = org_check_close(&u, d, n_children, e);
	if (!r)
		r = check_no_members(db, &u, d, e);
	if (!r)
		r = check_nothing_later(db, &u, d, e);
	if (!r)
		r = end_unit(db, u.id, d, e);
	if (!r)
		r = event_simple(db, "close", d, note, u.id, e);
	if (!r)
		r = org_unit_view(db, u.id, d, out, e);
	if (!r)
		r = audit_unit(db, who, "unit.close", &u, out, note, e);
	return store_tx_end(db, own, r, e);
}

/* ------------------------------------------------------------------ */
/* children of a unit that ends                                        */

/* A parent interval of a child under the unit that ends. */
typedef struct child_span {
	int64_t unit_id;
	char code[UNIT_CODE_MAX + 1]; /* the child's */
	date_t from, to;
} child_span_t;

/* The parent intervals under parent_id that reach d or later, by child
 * and start. *out malloc'd (caller frees, also on failure). */
static int child_spans(db_t *db, int64_t parent_id, date_t d, child_span_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT p.unit_id, c.code, p.valid_from, p.valid_to FROM unit_parents p JOIN units c ON c.id = p.unit_id"
		      " WHERE p.parent_id = ? AND p.valid_to > ? ORDER BY p.unit_id, p.valid_from", QI(parent_id), QD(d));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		child_span_t *v = realloc(*out, (*n + 1) * sizeof(*v));
		if (!v) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		*out = v;
		v = &v[(*n)++];
		v->unit_id = db_col_int64(st, 0);
		copy_text(v->code, sizeof(v->code), db_col_text(st, 1));
		if (org_read_date(db, st, 2, &v->from, e) || org_read_date(db, st, 3, &v->to, e)) {
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

/* The audit row of a child that a merge or split moved: as it was (before
 * the change, `before` read as of d) and as it is on d. */
static int audit_child_moved(db_t *db, const principal_t *who, const char *action, const unit_t *before, date_t d,
			     err_t *e)
{
	unit_t after;

	if (org_unit_view(db, before->id, d, &after, e))
		return -1;
	return audit_unit(db, who, action, before, &after, "moved with its parent", e);
}

/* Hands the children of old_parent from d on to new_parent, checking the
 * level order for each, and audits each move. */
static int hand_over_children(db_t *db, const principal_t *who, int64_t old_parent, const unit_t *new_parent,
			      date_t d, const char *action, err_t *e)
{
	child_span_t *spans = NULL;
	size_t n = 0;
	int r;

	r = child_spans(db, old_parent, d, &spans, &n, e);
	for (size_t i = 0; i < n && !r; i++) {
		date_t start = spans[i].from > d ? spans[i].from : d;
		unit_t child;
		r = org_unit_view(db, spans[i].unit_id, d, &child, e);
		if (!r)
			r = org_check_level(new_parent, child.level_rank, child.level, e);
		if (!r)
			r = org_check_parent(new_parent, child.level_rank, start, spans[i].to, e);
		if (!r)
			r = reparent(db, spans[i].unit_id, new_parent->id, start, spans[i].from, spans[i].to, e);
		if (!r)
			r = audit_child_moved(db, who, action, &child, d, e);
	}
	free(spans);
	return r;
}

/* ------------------------------------------------------------------ */
/* merge                                                               */

/* Resolves the sources of a merge on d into src[0..n), each changeable,
 * with nothing recorded on or after d, and listed once. */
static int resolve_merge_sources(db_t *db, const char *const *sources, size_t n, date_t d, unit_t *src, err_t *e)
{
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		r = resolve_for_change(db, sources[i], d, &src[i], e);
		if (!r)
			r = org_check_changeable(&src[i], d, e);
		if (!r)
			r = check_nothing_later(db, &src[i], d, e);
		if (!r)
			r = org_check_merge_source(src, i, e);
	}
	return r;
}

/* The new unit of a merge: level and parent default to the first
 * source's; normalised; not placed under one of the sources. */
static int merge_target_spec(unit_spec_t *into, const unit_t *src, size_t n, err_t *e)
{
	if (!into->level[0])
		ub_strlcpy(into->level, src[0].level, sizeof(into->level));
	if (!into->parent[0] && src[0].has_parent)
		ub_strlcpy(into->parent, src[0].parent.code, sizeof(into->parent));
	if (unit_spec_normalise(into, "into.", e))
		return -1;
	return org_check_merge_parent(into->parent, src, n, e);
}

/* Creates the new unit of a merge on d into *target. */
static int create_merge_target(db_t *db, unit_spec_t *into, date_t d, unit_t *target, err_t *e)
{
	int64_t parent_id = 0, id = 0;
	level_t lv;

	if (prepare_new_unit(db, into, "into.", d, &parent_id, &lv, e) ||
	    insert_unit(db, into, d, parent_id, &id, e))
		return -1;
	return org_unit_at(db, id, d, target, e);
}

/* The audit rows of the sources that ended (the target, when it was one
 * of them, is audited as the target): each as it was and as it ended. */
static int audit_merge_sources(db_t *db, const principal_t *who, const unit_t *src, size_t n, int64_t target_id,
			       date_t d, const char *note, err_t *e)
{
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		unit_t ended;
		if (src[i].id == target_id)
			continue;
		r = org_unit_view(db, src[i].id, d - 1, &ended, e);
		if (!r)
			r = audit_unit(db, who, "unit.merge", &src[i], &ended, note, e);
	}
	return r;
}

/* The part of a split that takes the unit's members: the one that kept its
 * code, else the first (docs/members.md: the same rule as the figures
 * mapped onto today's units); they are transferred from there as the
 * union decides. */
static const unit_t *split_heir(const unit_t *u, const unit_list_t *parts)
{
	for (size_t i = 0; i < parts->n; i++)
		if (strcmp(parts->items[i].code, u->code) == 0)
			return &parts->items[i];
	return &parts->items[0];
}

/* The members of a merged branch or group follow it into the target,
 * which must then be a unit members belong to (a branch or a group). */
static int hand_over_members(db_t *db, const principal_t *who, const unit_t *src, const unit_t *target, date_t d,
			     err_t *e)
{
	int64_t n = 0, moved = 0;

	if (member_count_in(db, src->id, d, &n, e))
		return -1;
	if (!n)
		return 0;
	if (target->level_rank != src->level_rank)
		return check_no_members(db, src, d, e);
	return member_move_all(db, who, src->id, target->id, d, &moved, e);
}

int org_merge(db_t *db, const principal_t *who, const char *const *sources, size_t n, date_t d, unit_spec_t *into_new,
	      const char *into_ref, const char *note, unit_t *out, int64_t *event_id, err_t *e)
{
	unit_t *src = NULL, target = { 0 };
	int64_t ev = 0;
	bool own;
	int r;

	if (org_check_merge_plan(n, into_new != NULL, into_ref != NULL, e) || check_note(note, e))
		return -1;
	src = calloc(n, sizeof(*src));
	if (!src)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (store_tx_begin(db, &own, e)) {
		free(src);
		return -1;
	}
	r = resolve_merge_sources(db, sources, n, d, src, e);
	if (!r && into_ref)
		r = resolve_for_change(db, into_ref, d, &target, e);
	if (!r && into_new)
		r = merge_target_spec(into_new, src, n, e);
	/* end the sources first: the new unit may take one of their codes */
	for (size_t i = 0; i < n && !r; i++)
		if (!into_ref || src[i].id != target.id)
			r = end_unit(db, src[i].id, d, e);
	if (!r && into_new)
		r = create_merge_target(db, into_new, d, &target, e);
	if (!r)
		r = event_record(db, "merge", d, note, &ev, e);
	for (size_t i = 0; i < n && !r; i++) {
		r = event_unit(db, ev, src[i].id, "source", e);
		if (!r && src[i].id != target.id)
			r = hand_over_children(db, who, src[i].id, &target, d, "unit.merge", e);
		if (!r && src[i].id != target.id)
			r = hand_over_members(db, who, &src[i], &target, d, e);
	}
	if (!r)
		r = event_unit(db, ev, target.id, "target", e);
	if (!r)
		r = org_unit_at(db, target.id, d, out, e);
	if (!r)
		r = audit_merge_sources(db, who, src, n, out->id, d, note, e);
	if (!r)
		r = audit_unit(db, who, "unit.merge", into_ref ? &target : NULL, out, note, e);
	if (!r && event_id)
		*event_id = ev;
	free(src);
	return store_tx_end(db, own, r, e);
}

/* ------------------------------------------------------------------ */
/* split                                                               */

/* The parts of a split of u: level and parent default to u's; each
 * normalised and with a code of its own. */
static int split_parts_spec(unit_spec_t *parts, size_t n, const unit_t *u, err_t *e)
{
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), ORG_SPLIT_PART_FIELD, i);
		if (!parts[i].level[0])
			ub_strlcpy(parts[i].level, u->level, sizeof(parts[i].level));
		if (!parts[i].parent[0] && u->has_parent)
			ub_strlcpy(parts[i].parent, u->parent.code, sizeof(parts[i].parent));
		r = unit_spec_normalise(&parts[i], prefix, e);
		if (!r)
			r = org_check_split_part(parts, i, e);
	}
	return r;
}

/* Every child of u (spans[0..n_spans)) goes to one of the parts. */
static int check_split_children(const unit_t *u, const child_span_t *spans, size_t n_spans, const unit_spec_t *parts,
				size_t n, const child_assign_t *assign, size_t n_assign, err_t *e)
{
	const char **codes = NULL;
	int r;

	if (n_spans) {
		codes = malloc(n_spans * sizeof(*codes));
		if (!codes)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	for (size_t i = 0; i < n_spans; i++)
		codes[i] = spans[i].code;
	r = org_check_split_children(u->code, codes, n_spans, parts, n, assign, n_assign, e);
	free(codes);
	return r;
}

/* Creates the parts of a split on d as targets of event ev, into out
 * (their ids in part_ids). */
static int create_split_parts(db_t *db, unit_spec_t *parts, size_t n, date_t d, int64_t ev, int64_t *part_ids,
			      unit_list_t *out, err_t *e)
{
	size_t cap = 0;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		char prefix[32];
		int64_t parent_id;
		level_t lv;
		unit_t part;
		snprintf(prefix, sizeof(prefix), ORG_SPLIT_PART_FIELD, i);
		r = prepare_new_unit(db, &parts[i], prefix, d, &parent_id, &lv, e);
		if (!r)
			r = insert_unit(db, &parts[i], d, parent_id, &part_ids[i], e);
		if (!r)
			r = event_unit(db, ev, part_ids[i], "target", e);
		if (!r)
			r = org_unit_at(db, part_ids[i], d, &part, e);
		if (!r && org_list_push(out, &cap, &part))
			r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	return r;
}

/* Moves child (read as of d - 1, in the parent interval span under the
 * split unit unit_id) to part from d on, and audits the move. */
static int move_child_to_part(db_t *db, const principal_t *who, int64_t unit_id, const unit_t *child,
			      const child_span_t *span, const unit_t *part, date_t d, err_t *e)
{
	query_t q;
	int r;

	r = org_check_level(part, child->level_rank, child->level, e);
	if (!r) {
		query_init(&q);
		query_add(&q, "UPDATE unit_parents SET parent_id = ? WHERE unit_id = ? AND parent_id = ? AND valid_from >= ?",
			  QI(part->id), QI(child->id), QI(unit_id), QD(d));
		r = query_run(db, &q, e);
	}
	if (!r && span->from < d)
		r = interval_cut(db, "unit_parents", "unit_id", child->id, span->from, d, e);
	if (!r && span->from < d)
		r = insert_parent(db, child->id, part->id, d, span->to, e);
	if (!r)
		r = ancestry_refresh(db, child->id, e);
	if (!r)
		r = audit_child_moved(db, who, "unit.split", child, d, e);
	return r;
}

/* The children of the split unit u follow their assignment to the parts
 * (parts[i] is now out->items[i]); each is read as it stood the day
 * before, under u. */
static int hand_children_to_parts(db_t *db, const principal_t *who, const unit_t *u, const child_span_t *spans,
				  size_t n_spans, const unit_spec_t *parts, const unit_list_t *out,
				  const child_assign_t *assign, size_t n_assign, date_t d, err_t *e)
{
	int r = 0;

	for (size_t i = 0; i < n_spans && !r; i++) {
		unit_t child;
		r = org_unit_view(db, spans[i].unit_id, d - 1, &child, e);
		for (size_t k = 0; k < n_assign && !r; k++) {
			if (strcmp(assign[k].child, child.code) != 0)
				continue;
			for (size_t p = 0; p < out->n && !r; p++)
				if (strcmp(assign[k].part, parts[p].code) == 0)
					r = move_child_to_part(db, who, u->id, &child, &spans[i], &out->items[p], d, e);
		}
	}
	return r;
}

/* The audit rows of a split: each part as it stands with its children,
 * then the unit as it ended. */
static int audit_split(db_t *db, const principal_t *who, const unit_t *u, const int64_t *part_ids, unit_list_t *out,
		       date_t d, const char *note, err_t *e)
{
	unit_t ended;
	int r = 0;

	for (size_t i = 0; i < out->n && !r; i++) {
		r = org_unit_at(db, part_ids[i], d, &out->items[i], e);
		if (!r)
			r = audit_unit(db, who, "unit.split", NULL, &out->items[i], note, e);
	}
	if (!r)
		r = org_unit_view(db, u->id, d - 1, &ended, e);
	if (!r)
		r = audit_unit(db, who, "unit.split", u, &ended, note, e);
	return r;
}

int org_split(db_t *db, const principal_t *who, const char *ref, date_t d, unit_spec_t *parts, size_t n,
	      const child_assign_t *assign, size_t n_assign, const char *note,
	      unit_list_t *out, int64_t *event_id, err_t *e)
{
	child_span_t *spans = NULL;
	size_t n_spans = 0;
	int64_t ev = 0, *part_ids = NULL;
	unit_t u = { 0 };
	bool own;
	int r;

	memset(out, 0, sizeof(*out));
	if (org_check_split_plan(n, e) || check_note(note, e))
		return -1;
	part_ids = calloc(n, sizeof(*part_ids));
	if (!part_ids)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (store_tx_begin(db, &own, e)) {
		free(part_ids);
		return -1;
	}
	r = resolve_for_change(db, ref, d, &u, e);
	if (!r)
		r = org_check_changeable(&u, d, e);
	if (!r)
		r = check_nothing_later(db, &u, d, e);
	if (!r)
		r = split_parts_spec(parts, n, &u, e);
	if (!r)
		r = child_spans(db, u.id, d, &spans, &n_spans, e);
	if (!r)
		r = check_split_children(&u, spans, n_spans, parts, n, assign, n_assign, e);
	/* the parts may reuse the unit's code: end it first */
	if (!r)
		r = end_unit(db, u.id, d, e);
	if (!r)
		r = event_record(db, "split", d, note, &ev, e);
	if (!r)
		r = event_unit(db, ev, u.id, "source", e);
	if (!r)
		r = create_split_parts(db, parts, n, d, ev, part_ids, out, e);
	if (!r)
		r = hand_children_to_parts(db, who, &u, spans, n_spans, parts, out, assign, n_assign, d, e);
	if (!r)
		r = hand_over_members(db, who, &u, split_heir(&u, out), d, e);
	if (!r)
		r = audit_split(db, who, &u, part_ids, out, d, note, e);
	if (!r && event_id)
		*event_id = ev;
	free(spans);
	free(part_ids);
	if (r)
		unit_list_free(out);
	return store_tx_end(db, own, r, e);
}
