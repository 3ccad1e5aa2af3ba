/*
 * org_store.c - the organisation tree in the store (see org_store.h).
 *
 * The as-of queries share one SELECT (UNIT_SELECT) that joins a unit with
 * its name, its parent and the parent's name valid on the day asked; every
 * `?` in it is that day. Operations follow one shape: run in a transaction
 * (tx_begin/tx_end), resolve the units involved, ask core/org.h, write
 * intervals, record the event.
 */
#include "store/org_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "store/ancestry.h"
#include "store/audit.h"
#include "store/interval.h"
#include "store/query.h"
#include "store/migrate.h"
#include "store/util.h"
#include "store/scope.h"

#define UNIT_SELECT                                                                              \
	"SELECT u.id, u.code, n.name_vi, n.name_en, u.level, l.rank, u.kind, ua.attributes,"     \
	" u.valid_from, u.valid_to, p.parent_id, pu.code, pn.name_vi, pn.name_en,"                \
	" (SELECT count(*) FROM unit_parents c WHERE c.parent_id = u.id"                          \
	"   AND c.valid_from <= ? AND c.valid_to > ?)"                                            \
	" FROM units u JOIN levels l ON l.key = u.level"                                          \
	" JOIN unit_names n ON n.unit_id = u.id AND n.valid_from <= ? AND n.valid_to > ?"         \
	" LEFT JOIN unit_parents p ON p.unit_id = u.id AND p.valid_from <= ? AND p.valid_to > ?"  \
	" LEFT JOIN units pu ON pu.id = p.parent_id"                                              \
	" LEFT JOIN unit_names pn ON pn.unit_id = pu.id AND pn.valid_from <= ? AND pn.valid_to > ?" \
	" LEFT JOIN unit_attributes ua ON ua.unit_id = u.id AND ua.valid_from <= ? AND ua.valid_to > ?"
#define UNIT_SELECT_DATES 10
/* the unit itself valid on the day: two more date placeholders */
#define UNIT_ALIVE " u.valid_from <= ? AND u.valid_to > ?"

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

/* Runs a statement that returns no rows, then finalizes it. */
static int run_done(db_t *db, db_stmt_t *st, err_t *e)
{
	int rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	(void)ub_strlcpy(dst, src, cap);
}

static int read_date(db_t *db, db_stmt_t *st, int col, date_t *out, err_t *e)
{
	if (db_col_date(st, col, out) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "store: column %d is not a date: '%s' (%s)", col,
			       db_col_text(st, col), db_dialect(db) == DB_SQLITE ? "sqlite" : "postgresql");
	return 0;
}

static int read_unit(db_t *db, db_stmt_t *st, unit_t *u, err_t *e)
{
	memset(u, 0, sizeof(*u));
	u->id = db_col_int64(st, 0);
	copy_text(u->code, sizeof(u->code), db_col_text(st, 1));
	copy_text(u->name_vi, sizeof(u->name_vi), db_col_text(st, 2));
	copy_text(u->name_en, sizeof(u->name_en), db_col_text(st, 3));
	copy_text(u->level, sizeof(u->level), db_col_text(st, 4));
	u->level_rank = (int)db_col_int64(st, 5);
	copy_text(u->kind, sizeof(u->kind), db_col_text(st, 6));
	copy_text(u->attributes, sizeof(u->attributes), db_col_text(st, 7));
	if (read_date(db, st, 8, &u->valid_from, e) || read_date(db, st, 9, &u->valid_to, e))
		return -1;
	u->has_parent = !db_col_is_null(st, 10);
	if (u->has_parent) {
		u->parent.id = db_col_int64(st, 10);
		copy_text(u->parent.code, sizeof(u->parent.code), db_col_text(st, 11));
		copy_text(u->parent.name_vi, sizeof(u->parent.name_vi), db_col_text(st, 12));
		copy_text(u->parent.name_en, sizeof(u->parent.name_en), db_col_text(st, 13));
	}
	u->child_count = db_col_int64(st, 14);
	return 0;
}

static int list_push(unit_list_t *l, size_t *cap, const unit_t *u)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		unit_t *v = realloc(l->items, ncap * sizeof(*v));
		if (!v)
			return -1;
		l->items = v;
		*cap = ncap;
	}
	l->items[l->n++] = *u;
	return 0;
}

void unit_list_free(unit_list_t *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void event_free(event_t *ev)
{
	if (!ev)
		return;
	free(ev->sources);
	free(ev->targets);
	ev->sources = ev->targets = NULL;
	ev->n_sources = ev->n_targets = 0;
}

void event_list_free(event_list_t *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		event_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void unit_history_free(unit_history_t *h)
{
	if (!h)
		return;
	free(h->names);
	free(h->attributes);
	free(h->parents);
	event_list_free(&h->events);
	h->names = NULL;
	h->attributes = NULL;
	h->parents = NULL;
	h->n_names = h->n_attributes = h->n_parents = 0;
}

void lineage_free(lineage_t *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_pred; i++)
		event_free(&l->pred[i].event);
	for (size_t i = 0; i < l->n_succ; i++)
		event_free(&l->succ[i].event);
	free(l->pred);
	free(l->succ);
	memset(l, 0, sizeof(*l));
}

/* Runs a UNIT_SELECT statement whose first UNIT_SELECT_DATES placeholders
 * are d, collecting every row. */
static int collect_units(db_t *db, db_stmt_t *st, unit_list_t *out, size_t max, err_t *e)
{
	size_t cap = 0;
	unit_t u = { 0 };
	int rc;

	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n >= max)
			break;
		if (read_unit(db, st, &u, e))
			return -1;
		if (list_push(out, &cap, &u))
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	if (rc < 0)
		return store_fail(db, rc, e);
	return 0;
}

/* Parses "id:N". Returns true and sets *id when ref has that form. */
static bool ref_is_id(const char *ref, int64_t *id)
{
	char *end = NULL;
	long long v;

	if (strncmp(ref, "id:", 3) != 0)
		return false;
	v = strtoll(ref + 3, &end, 10);
	if (end == ref + 3 || *end || v <= 0)
		return false;
	*id = v;
	return true;
}

/* ------------------------------------------------------------------ */
/* levels                                                              */

int org_levels(db_t *db, level_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_prep(db, "SELECT key, rank, name_vi, name_en FROM levels ORDER BY rank", &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		level_t *lv;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			level_t *v = realloc(*out, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				free(*out);
				*out = NULL;
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			*out = v;
			cap = ncap;
		}
		lv = &(*out)[(*n)++];
		memset(lv, 0, sizeof(*lv));
		copy_text(lv->key, sizeof(lv->key), db_col_text(st, 0));
		lv->rank = (int)db_col_int64(st, 1);
		copy_text(lv->name_vi, sizeof(lv->name_vi), db_col_text(st, 2));
		copy_text(lv->name_en, sizeof(lv->name_en), db_col_text(st, 3));
	}
	db_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return store_fail(db, rc, e);
	}
	return 0;
}

int org_level_get(db_t *db, const char *key, const char *field, level_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_prep(db, "SELECT key, rank, name_vi, name_en FROM levels WHERE key = ?", &st, e))
		return -1;
	rc = db_bind_text(st, 1, key);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof(*out));
		copy_text(out->key, sizeof(out->key), db_col_text(st, 0));
		out->rank = (int)db_col_int64(st, 1);
		copy_text(out->name_vi, sizeof(out->name_vi), db_col_text(st, 2));
		copy_text(out->name_en, sizeof(out->name_en), db_col_text(st, 3));
		db_finalize(st);
		return 0;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	err_detail(e, field, "unknown level '%.40s'", key);
	return err_set(e, ERR_INVALID, "invalid", "unknown level '%.40s'", key);
}

int org_levels_set(db_t *db, const level_t *levels, size_t n, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc = db_exec(db, "DELETE FROM levels");

	if (rc != DB_OK)
		return store_fail(db, rc, e);
	for (size_t i = 0; i < n; i++) {
		if (store_prep(db, "INSERT INTO levels (key, rank, name_vi, name_en) VALUES (?, ?, ?, ?)", &st, e))
			return -1;
		rc = db_bind_text(st, 1, levels[i].key);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, levels[i].rank);
		if (rc == DB_OK)
			rc = db_bind_text(st, 3, levels[i].name_vi);
		if (rc == DB_OK)
			rc = db_bind_text(st, 4, levels[i].name_en);
		if (rc != DB_OK) {
			db_finalize(st);
			return store_fail(db, rc, e);
		}
		if (run_done(db, st, e))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* reads                                                               */

/* One unit as of d, by id (code NULL) or by code. ERR_NOT_FOUND when it
 * does not exist that day. */
static int unit_lookup_at(db_t *db, int64_t id, const char *code, date_t d, unit_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	char buf[DATE_STR_LEN];
	int rc;

	if (store_prep(db, code ? UNIT_SELECT " WHERE u.code = ? AND" UNIT_ALIVE : UNIT_SELECT " WHERE u.id = ? AND" UNIT_ALIVE,
		 &st, e))
		return -1;
	rc = db_bind_dates(st, 1, UNIT_SELECT_DATES, d);
	if (rc == DB_OK)
		rc = code ? db_bind_text(st, UNIT_SELECT_DATES + 1, code) : db_bind_int64(st, UNIT_SELECT_DATES + 1, id);
	if (rc == DB_OK)
		rc = db_bind_dates(st, UNIT_SELECT_DATES + 2, UNIT_SELECT_DATES + 3, d);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		int r = read_unit(db, st, out, e);
		db_finalize(st);
		return r;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	if (code)
		return err_set(e, ERR_NOT_FOUND, "not_found", "no unit with code %.40s on %s", code,
			       date_format(d, buf));
	return err_set(e, ERR_NOT_FOUND, "not_found", "no unit with id %lld on %s", (long long)id,
		       date_format(d, buf));
}

static int unit_by_id_at(db_t *db, int64_t id, date_t d, unit_t *out, err_t *e)
{
	return unit_lookup_at(db, id, NULL, d, out, e);
}

/* The validity of a unit id: ERR_NOT_FOUND when unknown. */
static int unit_validity(db_t *db, int64_t id, date_t *from, date_t *to, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, "SELECT valid_from, valid_to FROM units WHERE id = ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		int r = read_date(db, st, 0, from, e) || read_date(db, st, 1, to, e) ? -1 : 0;
		db_finalize(st);
		return r;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	return err_set(e, ERR_NOT_FOUND, "not_found", "no unit with id %lld", (long long)id);
}

static date_t clamp_into(date_t d, date_t from, date_t to)
{
	if (d < from)
		return from;
	if (d >= to)
		return to - 1;
	return d;
}

int org_unit_view(db_t *db, int64_t id, date_t d, unit_t *out, err_t *e)
{
	date_t from = 0, to = 0;

	if (unit_validity(db, id, &from, &to, e))
		return -1;
	return unit_by_id_at(db, id, clamp_into(d, from, to), out, e);
}

/* A reference that can name no unit (not a code, not id:N) is not looked
 * up: it is simply not found. Invalid bytes never reach the database. */
static bool ref_plausible(const char *ref)
{
	int64_t id;
	err_t ignore;

	err_clear(&ignore);
	return ref_is_id(ref, &id) || unit_code_check(ref, "code", &ignore) == 0;
}

int org_unit_get(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e)
{
	char buf[DATE_STR_LEN];
	int64_t id;

	if (ref_is_id(ref, &id))
		return unit_by_id_at(db, id, d, out, e);
	if (!ref_plausible(ref))
		return err_set(e, ERR_NOT_FOUND, "not_found", "no unit with code %.40s on %s", ref, date_format(d, buf));
	return unit_lookup_at(db, 0, ref, d, out, e);
}

/*
 * Resolves a unit that an operation dated d will change. When the code names
 * no unit on d but did on other days, the error says why the date does not
 * fit (unit_closed, date_out_of_range) rather than a bare 404.
 */
int org_unit_nearest(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t id = 0, best = 0;
	date_t best_to = 0;
	int rc;

	if (org_unit_get(db, ref, d, out, e) == 0)
		return 0;
	if (!e || e->kind != ERR_NOT_FOUND || !ref_plausible(ref))
		return -1;
	if (ref_is_id(ref, &id))
		return org_unit_view(db, id, d, out, e);
	/* the unit that held the code nearest before d, else the first after */
	if (store_prep(db, "SELECT id, valid_from, valid_to FROM units WHERE code = ? ORDER BY valid_from", &st, e))
		return -1;
	rc = db_bind_text(st, 1, ref);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		date_t from, to;
		if (read_date(db, st, 1, &from, e) || read_date(db, st, 2, &to, e)) {
			db_finalize(st);
			return -1;
		}
		if (to <= d && (!best || to > best_to)) {
			best = db_col_int64(st, 0);
			best_to = to;
		} else if (from > d && !best) {
			best = db_col_int64(st, 0);
			best_to = 0;
		}
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	if (!best)
		return -1; /* e still says not_found */
	return org_unit_view(db, best, d, out, e);
}

/*
 * Resolves a unit that an operation dated d will change. When the code names
 * no unit on d but did on other days, the error says why the date does not
 * fit (unit_closed, date_out_of_range) rather than a bare 404.
 */
static int resolve_for_change(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e)
{
	if (org_unit_nearest(db, ref, d, out, e))
		return -1;
	return org_check_alive(out, d, e);
}

/* Resolves the parent named in a request: unknown -> ERR_INVALID on field. */
static int resolve_parent(db_t *db, const char *ref, date_t d, const char *field, unit_t *out, err_t *e)
{
	char buf[DATE_STR_LEN];

	if (resolve_for_change(db, ref, d, out, e) == 0)
		return 0;
	if (e && (e->kind == ERR_NOT_FOUND)) {
		err_detail(e, field, "no unit with code %.40s on %s", ref, date_format(d, buf));
		return err_set(e, ERR_INVALID, "invalid", "no unit with code %.40s on %s", ref, buf);
	}
	if (e && e->kind == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "parent_not_valid", "parent %.40s: %s", ref, e->message);
	return -1;
}

/* cursor: base64url of "<key>\x1f<id>" */
static int cursor_encode(const char *key, int64_t id, char *out, size_t cap)
{
	char raw[ORG_CURSOR_MAX];
	int n = snprintf(raw, sizeof(raw), "%s\x1f%lld", key, (long long)id);

	if (n < 0 || (size_t)n >= sizeof(raw) / 2 ||
	    sodium_base64_encoded_len((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > cap)
		return -1;
	sodium_bin2base64(out, cap, (const unsigned char *)raw, (size_t)n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

static int cursor_decode(const char *cursor, char *key, size_t cap, int64_t *id, err_t *e)
{
	unsigned char raw[ORG_CURSOR_MAX];
	size_t n = 0;
	char *sep, *end = NULL;

	if (strlen(cursor) >= ORG_CURSOR_MAX ||
	    sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "the cursor is not valid");
	raw[n] = '\0';
	sep = strchr((char *)raw, '\x1f');
	if (!sep || (size_t)(sep - (char *)raw) >= cap)
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "the cursor is not valid");
	*sep = '\0';
	if (!text_utf8((const char *)raw))
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "the cursor is not valid");
	*id = strtoll(sep + 1, &end, 10);
	if (!end || *end || end == sep + 1)
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "the cursor is not valid");
	memcpy(key, raw, (size_t)(sep - (char *)raw) + 1);
	return 0;
}

/* Escapes LIKE wildcards with '\'. out must hold 2 * strlen(in) + 3. */
static void like_pattern(const char *in, char *out)
{
	char *w = out;

	*w++ = '%';
	for (const char *p = in; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*w++ = '\\';
		*w++ = *p;
	}
	*w++ = '%';
	*w = '\0';
}

int org_units_list(db_t *db, const unit_query_t *q, unit_list_t *out, err_t *e)
{
	char after_key[ORG_CURSOR_MAX] = "";
	char *folded = NULL, *pattern = NULL;
	int64_t after_id = 0;
	db_stmt_t *st = NULL;
	int r = -1;
	query_t sq;

	memset(out, 0, sizeof(*out));
	if (q->cursor && *q->cursor &&
	    cursor_decode(q->cursor, after_key, sizeof(after_key), &after_id, e))
		return -1;
	if (q->q && *q->q) {
		if (text_fold(q->q, &folded) != 0)
			return err_set(e, ERR_BAD_REQUEST, "bad_request", "q is not valid UTF-8 text");
		pattern = malloc(strlen(folded) * 2 + 3);
		if (!pattern) {
			free(folded);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		like_pattern(folded, pattern);
	}
	query_init(&sq);
	query_add_dates(&sq, UNIT_SELECT " WHERE" UNIT_ALIVE, q->as_of);
	if (q->level)
		query_add(&sq, " AND u.level = ?", QT(q->level));
	if (q->parent_id)
		query_add(&sq, " AND p.parent_id = ?", QI(q->parent_id));
	if (pattern)
		query_add(&sq, " AND (n.search_key LIKE ? ESCAPE '\\' OR u.code = ?)", QT(pattern), QT(q->q));
	if (after_id && q->sort_name)
		query_add(&sq, " AND (n.sort_key > ? OR (n.sort_key = ? AND u.id > ?))", QT(after_key), QT(after_key), QI(after_id));
	else if (after_id)
		query_add(&sq, " AND (u.code > ? OR (u.code = ? AND u.id > ?))", QT(after_key), QT(after_key), QI(after_id));
	if (q->scope)
		scope_filter(&sq, q->scope, "u.id");
	query_sql(&sq, q->sort_name ? " ORDER BY n.sort_key, u.id" : " ORDER BY u.code, u.id");
	query_add(&sq, " LIMIT ?", QI(q->limit + 1));
	if (query_prepare(db, &sq, &st, e))
		goto out;
	if (collect_units(db, st, out, (size_t)q->limit + 1, e))
		goto out;
	if (out->n > (size_t)q->limit) {
		/* one more row than asked: there is a next page after the last
		 * row shown. The sort key is re-read for the name order. */
		const unit_t *last = &out->items[q->limit - 1];
		char *key = NULL;
		out->n = (size_t)q->limit;
		if (q->sort_name) {
			if (text_sort_key(last->name_vi, &key) != 0) {
				err_set(e, ERR_INTERNAL, NULL, "cannot compute a sort key");
				goto out;
			}
		}
		if (cursor_encode(key ? key : last->code, last->id, out->next, sizeof(out->next))) {
			free(key);
			err_set(e, ERR_INTERNAL, NULL, "cursor too long");
			goto out;
		}
		free(key);
	}
	r = 0;
out:
	db_finalize(st);
	free(folded);
	free(pattern);
	if (r)
		unit_list_free(out);
	return r;
}

int org_ancestors(db_t *db, int64_t id, date_t d, unit_list_t *out, err_t *e)
{
	char buf[DATE_STR_LEN];
	db_stmt_t *st = NULL;
	query_t q;

	memset(out, 0, sizeof(*out));
	/* root first, the unit itself last (depth 0: only when it exists on d) */
	query_init(&q);
	query_add_dates(&q, UNIT_SELECT " JOIN ancestry a ON a.ancestor = u.id WHERE a.valid_from <= ? AND a.valid_to > ?"
			" AND" UNIT_ALIVE, d);
	query_add(&q, " AND a.descendant = ? ORDER BY a.depth DESC", QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	if (collect_units(db, st, out, 64, e)) {
		db_finalize(st);
		unit_list_free(out);
		return -1;
	}
	db_finalize(st);
	if (out->n == 0 || out->items[out->n - 1].id != id) {
		unit_list_free(out);
		return err_set(e, ERR_NOT_FOUND, "not_found", "no unit with id %lld on %s", (long long)id,
			       date_format(d, buf));
	}
	out->n--;
	return 0;
}

int org_subtree(db_t *db, int64_t id, date_t d, int depth, size_t max, unit_list_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add_dates(&q, UNIT_SELECT " JOIN ancestry a ON a.descendant = u.id WHERE a.valid_from <= ? AND a.valid_to > ?"
			" AND" UNIT_ALIVE, d);
	query_add(&q, " AND a.ancestor = ? AND a.depth <= ? ORDER BY a.depth, u.code, u.id", QI(id), QI(depth));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = collect_units(db, st, out, max + 1, e);
	db_finalize(st);
	if (rc) {
		unit_list_free(out);
		return -1;
	}
	if (out->n > max) {
		unit_list_free(out);
		return err_set(e, ERR_TOO_LARGE, "too_large",
			       "more than %zu units below at that depth: ask for fewer levels, or a unit further down", max);
	}
	if (out->n == 0)
		return err_set(e, ERR_NOT_FOUND, "not_found", "no unit with id %lld on that date", (long long)id);
	return 0;
}

/* ---- unit references, set-wise ---- */

/* One name interval of a unit, with the unit's code and validity. */
typedef struct name_row {
	int64_t id;
	char code[UNIT_CODE_MAX + 1];
	date_t u_from, u_to, n_from, n_to;
	char *name_vi, *name_en;
} name_row_t;

static void name_rows_free(name_row_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name_vi);
		free(v[i].name_en);
	}
	free(v);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Appends the name rows of ids[0..n) (n <= REF_CHUNK) to *rows. */
#define REF_CHUNK 256
static int load_name_rows(db_t *db, const int64_t *ids, size_t n, name_row_t **rows, size_t *n_rows, size_t *cap,
			  err_t *e)
{
	size_t width = n <= 1 ? 1 : n <= 16 ? 16 : REF_CHUNK;
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, "SELECT u.id, u.code, u.valid_from, u.valid_to, n.name_vi, n.name_en, n.valid_from, n.valid_to"
		      " FROM units u JOIN unit_names n ON n.unit_id = u.id WHERE u.id IN (");
	for (size_t i = 0; i < width; i++)
		query_add(&q, i ? ", ?" : "?", QI(i < n ? ids[i] : 0));
	query_sql(&q, ") ORDER BY u.id, n.valid_from");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		name_row_t *r;
		if (*n_rows == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			name_row_t *v = realloc(*rows, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			*rows = v;
			*cap = ncap;
		}
		r = &(*rows)[(*n_rows)++];
		memset(r, 0, sizeof(*r));
		r->id = db_col_int64(st, 0);
		copy_text(r->code, sizeof(r->code), db_col_text(st, 1));
		r->name_vi = strdup(db_col_text(st, 4));
		r->name_en = strdup(db_col_text(st, 5));
		if (!r->name_vi || !r->name_en) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		if (read_date(db, st, 2, &r->u_from, e) || read_date(db, st, 3, &r->u_to, e) ||
		    read_date(db, st, 6, &r->n_from, e) || read_date(db, st, 7, &r->n_to, e)) {
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

/* The reference of one unit on day d (clamped into its validity) from the
 * rows loaded for it. */
static int pick_ref(const name_row_t *rows, size_t n_rows, int64_t id, date_t d, unit_ref_t *out, err_t *e)
{
	size_t lo = 0, hi = n_rows;

	while (lo < hi) { /* first row of id */
		size_t mid = (lo + hi) / 2;
		if (rows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	memset(out, 0, sizeof(*out));
	if (lo == n_rows || rows[lo].id != id)
		return err_set(e, ERR_NOT_FOUND, "not_found", "no unit with id %lld", (long long)id);
	d = clamp_into(d, rows[lo].u_from, rows[lo].u_to);
	for (size_t i = lo; i < n_rows && rows[i].id == id; i++) {
		if (date_in(d, rows[i].n_from, rows[i].n_to) || i + 1 == n_rows || rows[i + 1].id != id) {
			out->id = id;
			copy_text(out->code, sizeof(out->code), rows[i].code);
			copy_text(out->name_vi, sizeof(out->name_vi), rows[i].name_vi);
			copy_text(out->name_en, sizeof(out->name_en), rows[i].name_en);
			return 0;
		}
	}
	return 0;
}

int org_unit_refs(db_t *db, const int64_t *ids, const date_t *days, size_t n, unit_ref_t *out, err_t *e)
{
	int64_t *uniq = NULL;
	name_row_t *rows = NULL;
	size_t n_uniq = 0, n_rows = 0, cap = 0;
	int r = 0;

	if (n == 0)
		return 0;
	uniq = malloc(n * sizeof(*uniq));
	if (!uniq)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	memcpy(uniq, ids, n * sizeof(*uniq));
	qsort(uniq, n, sizeof(*uniq), cmp_i64);
	for (size_t i = 0; i < n; i++)
		if (n_uniq == 0 || uniq[n_uniq - 1] != uniq[i])
			uniq[n_uniq++] = uniq[i];
	for (size_t at = 0; at < n_uniq && !r; at += REF_CHUNK)
		r = load_name_rows(db, uniq + at, n_uniq - at < REF_CHUNK ? n_uniq - at : REF_CHUNK, &rows, &n_rows,
				   &cap, e);
	/* chunks come in id order, each ordered by id: rows are sorted */
	for (size_t i = 0; i < n && !r; i++)
		r = pick_ref(rows, n_rows, ids[i], days[i], &out[i], e);
	name_rows_free(rows, n_rows);
	free(uniq);
	return r;
}

/* ---- events ---- */

/* One unit of an event, as read from event_units. */
typedef struct event_member {
	int64_t event_id, unit_id;
	bool source;
} event_member_t;

static int push_ref(unit_ref_t **arr, size_t *n, const unit_ref_t *ref)
{
	unit_ref_t *v = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!v)
		return -1;
	*arr = v;
	v[(*n)++] = *ref;
	return 0;
}

/* Fills the sources and targets of events[0..n) (ordered by anything) with
 * three queries per REF_CHUNK events whatever their number: a source as it
 * was the day before the event, a target as it became. */
static int events_fill_refs(db_t *db, event_t *events, size_t n, err_t *e)
{
	event_member_t *m = NULL;
	size_t n_m = 0, cap = 0;
	int64_t *ids = NULL;
	date_t *days = NULL;
	unit_ref_t *refs = NULL;
	int r = 0;

	for (size_t at = 0; at < n && !r; at += REF_CHUNK) {
		size_t k = n - at < REF_CHUNK ? n - at : REF_CHUNK, width = k <= 1 ? 1 : k <= 16 ? 16 : REF_CHUNK;
		db_stmt_t *st = NULL;
		query_t q;
		int rc;

		query_init(&q);
		query_sql(&q, "SELECT event_id, unit_id, role FROM event_units WHERE event_id IN (");
		for (size_t i = 0; i < width; i++)
			query_add(&q, i ? ", ?" : "?", QI(i < k ? events[at + i].id : 0));
		query_sql(&q, ") ORDER BY event_id, role, unit_id");
		if (query_prepare(db, &q, &st, e)) {
			r = -1;
			break;
		}
		while ((rc = db_step(st)) == DB_ROW) {
			if (n_m == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				event_member_t *v = realloc(m, ncap * sizeof(*v));
				if (!v) {
					rc = DB_ERROR;
					break;
				}
				m = v;
				cap = ncap;
			}
			m[n_m].event_id = db_col_int64(st, 0);
			m[n_m].unit_id = db_col_int64(st, 1);
			m[n_m].source = strcmp(db_col_text(st, 2), "source") == 0;
			n_m++;
		}
		db_finalize(st);
		if (rc == DB_ERROR)
			r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
		else if (rc < 0)
			r = store_fail(db, rc, e);
	}
	if (!r && n_m) {
		ids = malloc(n_m * sizeof(*ids));
		days = malloc(n_m * sizeof(*days));
		refs = malloc(n_m * sizeof(*refs));
		if (!ids || !days || !refs)
			r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	for (size_t i = 0; i < n_m && !r; i++) {
		const event_t *ev = NULL;
		for (size_t j = 0; j < n && !ev; j++)
			if (events[j].id == m[i].event_id)
				ev = &events[j];
		ids[i] = m[i].unit_id;
		days[i] = ev && m[i].source && strcmp(ev->kind, "create") != 0 ? ev->date - 1 : ev ? ev->date : 0;
	}
	if (!r && n_m)
		r = org_unit_refs(db, ids, days, n_m, refs, e);
	for (size_t i = 0; i < n_m && !r; i++) {
		for (size_t j = 0; j < n; j++) {
			event_t *ev = &events[j];
			if (ev->id != m[i].event_id)
				continue;
			if (m[i].source ? push_ref(&ev->sources, &ev->n_sources, &refs[i])
					: push_ref(&ev->targets, &ev->n_targets, &refs[i]))
				r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
			break;
		}
	}
	free(m);
	free(ids);
	free(days);
	free(refs);
	return r;
}

static int read_event_row(db_t *db, db_stmt_t *st, event_t *ev, err_t *e)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = db_col_int64(st, 0);
	copy_text(ev->kind, sizeof(ev->kind), db_col_text(st, 1));
	copy_text(ev->note, sizeof(ev->note), db_col_text(st, 3));
	return read_date(db, st, 2, &ev->date, e);
}

int org_event_get(db_t *db, int64_t id, event_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_prep(db, "SELECT id, kind, date, note FROM events WHERE id = ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		int r = read_event_row(db, st, out, e);
		db_finalize(st);
		if (r || events_fill_refs(db, out, 1, e)) {
			event_free(out);
			return -1;
		}
		return 0;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	return err_set(e, ERR_NOT_FOUND, "not_found", "no event %lld", (long long)id);
}

int org_events(db_t *db, const principal_t *scope, int64_t unit_id, date_t from, date_t to, int limit,
	       const char *cursor, event_list_t *out, err_t *e)
{
	char after_key[ORG_CURSOR_MAX] = "";
	int64_t after_id = 0;
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	if (cursor && *cursor && cursor_decode(cursor, after_key, sizeof(after_key), &after_id, e))
		return -1;
	query_init(&q);
	query_add(&q, "SELECT e.id, e.kind, e.date, e.note FROM events e WHERE e.date >= ? AND e.date <= ?", QD(from),
		  QD(to));
	if (unit_id)
		query_add(&q, " AND e.id IN (SELECT event_id FROM event_units WHERE unit_id = ?)", QI(unit_id));
	if (after_id) {
		date_t ad;
		if (date_parse(after_key, &ad) != 0)
			return err_set(e, ERR_BAD_REQUEST, "bad_request", "the cursor is not valid");
		query_add(&q, " AND (e.date < ? OR (e.date = ? AND e.id < ?))", QD(ad), QD(ad), QI(after_id));
	}
	if (scope && !scope->global) {
		/* the units in scope drive the query: an officer's few events are
		 * found without reading the country's */
		query_sql(&q, " AND e.id IN (SELECT eu.event_id FROM event_units eu WHERE eu.unit_id IN (");
		scope_units(&q, scope);
		query_sql(&q, "))");
	}
	query_add(&q, " ORDER BY e.date DESC, e.id DESC LIMIT ?", QI(limit + 1));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			event_t *v = realloc(out->items, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				event_list_free(out);
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			out->items = v;
			cap = ncap;
		}
		if (read_event_row(db, st, &out->items[out->n], e)) {
			db_finalize(st);
			event_list_free(out);
			return -1;
		}
		out->n++;
	}
	db_finalize(st);
	if (rc < 0) {
		event_list_free(out);
		return store_fail(db, rc, e);
	}
	if (out->n > (size_t)limit) {
		char buf[DATE_STR_LEN];
		event_free(&out->items[limit]);
		out->n = (size_t)limit;
		if (cursor_encode(date_format(out->items[limit - 1].date, buf), out->items[limit - 1].id,
				  out->next, sizeof(out->next))) {
			event_list_free(out);
			return err_set(e, ERR_INTERNAL, NULL, "cursor too long");
		}
	}
	if (events_fill_refs(db, out->items, out->n, e)) {
		event_list_free(out);
		return -1;
	}
	return 0;
}

/* The parent spans of unit id, oldest first, each parent named as it was
 * on the span's first day. */
static int history_parents(db_t *db, int64_t id, unit_history_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t *ids = NULL;
	date_t *days = NULL;
	unit_ref_t *refs = NULL;
	int rc, r = 0;

	if (store_prep(db, "SELECT parent_id, valid_from, valid_to FROM unit_parents WHERE unit_id = ? ORDER BY valid_from", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		parent_span_t *v = realloc(out->parents, (out->n_parents + 1) * sizeof(*v));
		if (!v) {
			rc = DB_ERROR;
			break;
		}
		out->parents = v;
		v = &v[out->n_parents++];
		memset(v, 0, sizeof(*v));
		v->parent.id = db_col_int64(st, 0);
		if (read_date(db, st, 1, &v->valid_from, e) || read_date(db, st, 2, &v->valid_to, e)) {
			db_finalize(st);
			return -1;
		}
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc == DB_ERROR)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (rc < 0)
		return store_fail(db, rc, e);
	if (out->n_parents == 0)
		return 0;
	ids = malloc(out->n_parents * sizeof(*ids));
	days = malloc(out->n_parents * sizeof(*days));
	refs = malloc(out->n_parents * sizeof(*refs));
	if (!ids || !days || !refs)
		r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < out->n_parents && !r; i++) {
		ids[i] = out->parents[i].parent.id;
		days[i] = out->parents[i].valid_from;
	}
	if (!r)
		r = org_unit_refs(db, ids, days, out->n_parents, refs, e);
	for (size_t i = 0; i < out->n_parents && !r; i++)
		out->parents[i].parent = refs[i];
	free(ids);
	free(days);
	free(refs);
	return r;
}

/* The attribute spans of unit id, oldest first. */
static int history_attributes(db_t *db, int64_t id, unit_history_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q, "SELECT attributes, valid_from, valid_to FROM unit_attributes WHERE unit_id = ? ORDER BY valid_from",
		  QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		attr_span_t *v = realloc(out->attributes, (out->n_attributes + 1) * sizeof(*v));
		if (!v) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		out->attributes = v;
		v = &v[out->n_attributes++];
		copy_text(v->attributes, sizeof(v->attributes), db_col_text(st, 0));
		if (read_date(db, st, 1, &v->valid_from, e) || read_date(db, st, 2, &v->valid_to, e)) {
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

int org_unit_history(db_t *db, int64_t id, unit_history_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_prep(db, "SELECT name_vi, name_en, valid_from, valid_to FROM unit_names WHERE unit_id = ? ORDER BY valid_from", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		name_span_t *v = realloc(out->names, (out->n_names + 1) * sizeof(*v));
		if (!v) {
			rc = DB_ERROR;
			break;
		}
		out->names = v;
		v = &v[out->n_names++];
		copy_text(v->name_vi, sizeof(v->name_vi), db_col_text(st, 0));
		copy_text(v->name_en, sizeof(v->name_en), db_col_text(st, 1));
		if (read_date(db, st, 2, &v->valid_from, e) || read_date(db, st, 3, &v->valid_to, e)) {
			db_finalize(st);
			unit_history_free(out);
			return -1;
		}
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0) {
		unit_history_free(out);
		return rc == DB_ERROR ? err_set(e, ERR_INTERNAL, NULL, "out of memory") : store_fail(db, rc, e);
	}
	if (history_attributes(db, id, out, e) || history_parents(db, id, out, e) ||
	    org_events(db, NULL, id, DATE_FIRST, DATE_OPEN, 1000, NULL, &out->events, e)) {
		unit_history_free(out);
		return -1;
	}
	/* oldest first for a history */
	for (size_t i = 0; i < out->events.n / 2; i++) {
		event_t t = out->events.items[i];
		out->events.items[i] = out->events.items[out->events.n - 1 - i];
		out->events.items[out->events.n - 1 - i] = t;
	}
	return 0;
}

/* ---- lineage ---- */

static int lineage_neighbours(void *ctx, int64_t unit_id, lineage_dir_t dir, lineage_edge_t *out,
			      size_t cap, size_t *n, err_t *e)
{
	db_t *db = ctx;
	db_stmt_t *st = NULL;
	int rc;
	const char *sql = dir == LINEAGE_BACK
		? "SELECT o.unit_id, ev.id FROM event_units m JOIN events ev ON ev.id = m.event_id"
		  " JOIN event_units o ON o.event_id = ev.id AND o.role = 'source'"
		  " WHERE m.unit_id = ? AND m.role = 'target' AND ev.kind IN ('merge', 'split')"
		  " AND o.unit_id <> ? ORDER BY ev.date DESC, o.unit_id"
		: "SELECT o.unit_id, ev.id FROM event_units m JOIN events ev ON ev.id = m.event_id"
		  " JOIN event_units o ON o.event_id = ev.id AND o.role = 'target'"
		  " WHERE m.unit_id = ? AND m.role = 'source' AND ev.kind IN ('merge', 'split')"
		  " AND o.unit_id <> ? ORDER BY ev.date, o.unit_id";

	*n = 0;
	if (store_prep(db, sql, &st, e))
		return -1;
	rc = db_bind_int64(st, 1, unit_id);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, unit_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (*n < cap) {
			out[*n].unit_id = db_col_int64(st, 0);
			out[*n].event_id = db_col_int64(st, 1);
			(*n)++;
		}
		rc = DB_OK;
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

int org_lineage_ids(db_t *db, int64_t id, lineage_dir_t dir, lineage_step_t **steps, size_t *n, err_t *e)
{
	return lineage_walk(id, dir, lineage_neighbours, db, steps, n, e);
}

static int lineage_side(db_t *db, int64_t id, date_t d, lineage_dir_t dir, lineage_entry_t **out,
			size_t *n, err_t *e)
{
	lineage_step_t *steps = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (lineage_walk(id, dir, lineage_neighbours, db, &steps, &k, e))
		return -1;
	if (k) {
		*out = calloc(k, sizeof(**out));
		if (!*out) {
			free(steps);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
	}
	for (size_t i = 0; i < k; i++) {
		lineage_entry_t *le = &(*out)[i];
		le->depth = steps[i].depth;
		*n = i + 1;
		if (org_unit_view(db, steps[i].unit_id, d, &le->unit, e) ||
		    org_event_get(db, steps[i].event_id, &le->event, e)) {
			free(steps);
			return -1;
		}
	}
	free(steps);
	return 0;
}

int org_lineage(db_t *db, int64_t id, date_t d, lineage_t *out, err_t *e)
{
	memset(out, 0, sizeof(*out));
	if (lineage_side(db, id, d, LINEAGE_BACK, &out->pred, &out->n_pred, e) ||
	    lineage_side(db, id, d, LINEAGE_FORWARD, &out->succ, &out->n_succ, e)) {
		lineage_free(out);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* writes                                                              */

static int event_record(db_t *db, const char *kind, date_t d, const char *note, int64_t *id, err_t *e)
{
	db_stmt_t *st = NULL;
	char ts[32];
	int rc;

	store_now_iso(ts, sizeof(ts));
	if (store_prep(db, "INSERT INTO events (kind, date, note, recorded_at) VALUES (?, ?, ?, ?) RETURNING id", &st, e))
		return -1;
	rc = db_bind_text(st, 1, kind);
	if (rc == DB_OK)
		rc = db_bind_date(st, 2, d);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, note ? note : "");
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, ts);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*id = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

static int event_unit(db_t *db, int64_t event_id, int64_t unit_id, const char *role, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, "INSERT INTO event_units (event_id, unit_id, role) VALUES (?, ?, ?)", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, event_id);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, unit_id);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, role);
	if (rc != DB_OK) {
		db_finalize(st);
		return store_fail(db, rc, e);
	}
	return run_done(db, st, e);
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

static int insert_name(db_t *db, int64_t unit_id, const char *vi, const char *en, date_t from,
		       date_t to, err_t *e)
{
	char *fold_vi = NULL, *fold_en = NULL, *key = NULL, *search = NULL;
	db_stmt_t *st = NULL;
	int rc, r = -1;

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
	if (store_prep(db, "INSERT INTO unit_names (unit_id, name_vi, name_en, search_key, sort_key, valid_from, valid_to)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?)", &st, e))
		goto out;
	rc = db_bind_int64(st, 1, unit_id);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, vi);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, en);
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, search);
	if (rc == DB_OK)
		rc = db_bind_text(st, 5, key);
	if (rc == DB_OK)
		rc = db_bind_date(st, 6, from);
	if (rc == DB_OK)
		rc = db_bind_date(st, 7, to);
	if (rc != DB_OK) {
		db_finalize(st);
		store_fail(db, rc, e);
		goto out;
	}
	r = run_done(db, st, e);
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
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, "INSERT INTO unit_parents (unit_id, parent_id, valid_from, valid_to) VALUES (?, ?, ?, ?)", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, unit_id);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, parent_id);
	if (rc == DB_OK)
		rc = db_bind_date(st, 3, from);
	if (rc == DB_OK)
		rc = db_bind_date(st, 4, to);
	if (rc != DB_OK) {
		db_finalize(st);
		return store_fail(db, rc, e);
	}
	return run_done(db, st, e);
}

/* Runs sql with (int64 a, date d) or (int64 a, date d, date d2)... bound in
 * the order given by fmt: 'i' int64, 'd' date. */
static int exec_fmt(db_t *db, const char *sql, const char *fmt, const int64_t *ints, const date_t *dates, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc = DB_OK, ii = 0, di = 0;

	if (store_prep(db, sql, &st, e))
		return -1;
	for (int k = 0; fmt[k] && rc == DB_OK; k++)
		rc = fmt[k] == 'i' ? db_bind_int64(st, k + 1, ints[ii++]) : db_bind_date(st, k + 1, dates[di++]);
	if (rc != DB_OK) {
		db_finalize(st);
		return store_fail(db, rc, e);
	}
	return run_done(db, st, e);
}

/* Is the code held by another unit at any time from `from` on? */
static int code_holder(db_t *db, const char *code, date_t from, unit_t *holder, bool *found, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t id = 0;
	int rc;

	*found = false;
	if (store_prep(db, "SELECT id FROM units WHERE code = ? AND valid_to > ? ORDER BY valid_from LIMIT 1", &st, e))
		return -1;
	rc = db_bind_text(st, 1, code);
	if (rc == DB_OK)
		rc = db_bind_date(st, 2, from);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		id = db_col_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
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

/* Inserts a unit (no checks: callers have made them). */
static int insert_unit(db_t *db, const unit_spec_t *s, date_t d, int64_t parent_id, int64_t *id, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO units (code, level, kind, valid_from, valid_to) VALUES (?, ?, ?, ?, ?) RETURNING id",
		  QT(s->code), QT(s->level), QT(s->kind), QD(d), QD(DATE_OPEN));
	if (query_prepare(db, &q, &st, e))
		return -1;
	if ((rc = db_step(st)) == DB_ROW) {
		*id = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return store_fail(db, rc, e);
	if (insert_name(db, *id, s->name_vi, s->name_en, d, DATE_OPEN, e) ||
	    insert_attributes(db, *id, s->attributes, d, DATE_OPEN, e))
		return -1;
	if (parent_id && insert_parent(db, *id, parent_id, d, DATE_OPEN, e))
		return -1;
	return ancestry_refresh(db, *id, e);
}

static int check_note(const char *note, err_t *e)
{
	if (!note)
		return 0;
	if (!text_valid(note) || text_length(note) > NOTE_MAX) {
		err_detail(e, "note", "must be valid text of at most %d characters", NOTE_MAX);
		return err_set(e, ERR_INVALID, "invalid", "the note is not valid");
	}
	return 0;
}

/* Checks a new unit's spec against the store: level known, parent valid on
 * [d, open) and above it, code free from d. *parent_id is 0 for a root. */
static int prepare_new_unit(db_t *db, unit_spec_t *s, const char *prefix, date_t d,
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
	} else {
		level_t *all = NULL;
		size_t n = 0;
		bool top;
		if (org_levels(db, &all, &n, e))
			return -1;
		top = all && n > 0 && all[0].rank == lv->rank;
		free(all);
		if (!top) {
			snprintf(field, sizeof(field), "%sparent", prefix);
			err_detail(e, field, "is required for a unit of level %s", lv->key);
			return err_set(e, ERR_INVALID, "invalid", "a %s needs a parent", lv->key);
		}
	}
	return check_code_free(db, s->code, d, e);
}

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
		r = unit_by_id_at(db, id, d, out, e);
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

	if (ub_strlcpy(vi, name_vi, sizeof(vi)) || unit_name_normalise(vi, sizeof(vi), "name_vi", e))
		bad = err_detail(e, "name_vi", "is not a valid name");
	if (ub_strlcpy(en, name_en, sizeof(en)) || unit_name_normalise(en, sizeof(en), "name_en", e))
		bad = err_detail(e, "name_en", "is not a valid name");
	if (bad)
		return err_set(e, ERR_INVALID, "invalid", "the new name is not valid");
	if (check_note(note, e) || store_tx_begin(db, &own, e))
		return -1;
	r = resolve_for_change(db, ref, d, &u, e);
	if (!r)
		r = org_check_changeable(&u, d, e);
	if (!r && strcmp(u.name_vi, vi) == 0 && strcmp(u.name_en, en) == 0) {
		err_detail(e, "name_vi", "is already the unit's name");
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
		r = unit_by_id_at(db, u.id, d, out, e);
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
		err_detail(e, "attributes", "too many attributes");
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
		err_detail(e, "attributes", "are already the unit's attributes");
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
		r = unit_by_id_at(db, u.id, d, out, e);
	if (!r)
		r = audit_unit(db, who, "unit.attributes", &u, out, note, e);
	return store_tx_end(db, own, r, e);
}

/* The parent interval of unit id that contains d. *found false for none. */
static int parent_span_at(db_t *db, int64_t id, date_t d, int64_t *parent, date_t *from, date_t *to,
			  bool *found, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc, r = 0;

	*found = false;
	if (store_prep(db, "SELECT parent_id, valid_from, valid_to FROM unit_parents WHERE unit_id = ? AND valid_from <= ? AND valid_to > ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_bind_dates(st, 2, 3, d);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		*found = true;
		*parent = db_col_int64(st, 0);
		r = read_date(db, st, 1, from, e) || read_date(db, st, 2, to, e) ? -1 : 0;
	} else if (rc < 0) {
		r = store_fail(db, rc, e);
	}
	db_finalize(st);
	return r;
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
	if (from == d) {
		if (exec_fmt(db, "UPDATE unit_parents SET parent_id = ? WHERE unit_id = ? AND valid_from = ?", "iid",
			     (int64_t[]){ parent_id, id }, (date_t[]){ d }, e))
			return -1;
	} else if (interval_cut(db, "unit_parents", "unit_id", id, from, d, e) ||
		   insert_parent(db, id, parent_id, d, to, e)) {
		return -1;
	}
	return ancestry_refresh(db, id, e);
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
		err_detail(e, "code", "the root of the tree has no parent to change");
		r = err_set(e, ERR_INVALID, "invalid", "unit %s has no parent and cannot be moved", u.code);
	}
	if (!r && cur_parent == parent.id) {
		err_detail(e, "parent", "is already the unit's parent");
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
		r = unit_by_id_at(db, u.id, d, out, e);
	if (!r)
		r = audit_unit(db, who, "unit.move", &u, out, note, e);
	return store_tx_end(db, own, r, e);
}

static int count_children_from(db_t *db, int64_t id, date_t d, int64_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, "SELECT count(*) FROM unit_parents WHERE parent_id = ? AND valid_to > ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, id);
	if (rc == DB_OK)
		rc = db_bind_date(st, 2, d);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*n = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
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
	int rc;

	if (store_prep(db, "SELECT count(*), max(e.date) FROM event_units eu JOIN events e ON e.id = eu.event_id"
			   " WHERE eu.unit_id = ? AND e.date >= ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, u->id);
	if (rc == DB_OK)
		rc = db_bind_date(st, 2, d);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		n = db_col_int64(st, 0);
		if (n && db_col_date(st, 1, &last) != 0)
			last = d;
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return store_fail(db, rc, e);
	if (n)
		return err_set(e, ERR_CONFLICT, "date_out_of_range",
			       "unit %s has changes recorded on or after %s (the last on %s): it can end only after them",
			       u->code, date_format(d, a), date_format(last, b));
	return 0;
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

typedef struct child_span {
	int64_t unit_id;
	date_t from, to;
} child_span_t;

/* Parent intervals under parent_id that reach d or later. *out malloc'd. */
static int child_spans(db_t *db, int64_t parent_id, date_t d, child_span_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_prep(db, "SELECT unit_id, valid_from, valid_to FROM unit_parents WHERE parent_id = ? AND valid_to > ? ORDER BY unit_id, valid_from", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, parent_id);
	if (rc == DB_OK)
		rc = db_bind_date(st, 2, d);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		child_span_t *v = realloc(*out, (*n + 1) * sizeof(*v));
		if (!v) {
			rc = DB_ERROR;
			break;
		}
		*out = v;
		v[*n].unit_id = db_col_int64(st, 0);
		if (read_date(db, st, 1, &v[*n].from, e) || read_date(db, st, 2, &v[*n].to, e)) {
			db_finalize(st);
			free(*out);
			*out = NULL;
			return -1;
		}
		(*n)++;
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return store_fail(db, rc, e);
	}
	return 0;
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
	int r = 0;

	if (child_spans(db, old_parent, d, &spans, &n, e))
		return -1;
	for (size_t i = 0; i < n && !r; i++) {
		unit_t child;
		r = org_unit_view(db, spans[i].unit_id, d, &child, e);
		if (!r)
			r = org_check_level(new_parent, child.level_rank, child.level, e);
		if (!r)
			r = org_check_parent(new_parent, child.level_rank, spans[i].from > d ? spans[i].from : d,
					     spans[i].to, e);
		if (!r)
			r = reparent(db, spans[i].unit_id, new_parent->id, spans[i].from > d ? spans[i].from : d,
				     spans[i].from, spans[i].to, e);
		if (!r)
			r = audit_child_moved(db, who, action, &child, d, e);
	}
	free(spans);
	return r;
}

int org_merge(db_t *db, const principal_t *who, const char *const *sources, size_t n, date_t d, unit_spec_t *into_new,
	      const char *into_ref, const char *note, unit_t *out, int64_t *event_id, err_t *e)
{
	unit_t *src = NULL, target = { 0 };
	int64_t ev = 0, parent_id = 0, target_id = 0;
	level_t lv;
	bool own;
	int r = 0;

	if ((into_new != NULL) == (into_ref != NULL))
		return err_set(e, ERR_INVALID, "invalid", "a merge goes into a new unit or an existing one");
	if (n < 1 || (into_new && n < 2) || n > 1000) {
		err_detail(e, "sources", "needs %s", into_new ? "two or more units" : "one or more units");
		return err_set(e, ERR_INVALID, "invalid", "not enough units to merge");
	}
	if (check_note(note, e))
		return -1;
	src = calloc(n, sizeof(*src));
	if (!src)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (store_tx_begin(db, &own, e)) {
		free(src);
		return -1;
	}
	for (size_t i = 0; i < n && !r; i++) {
		r = resolve_for_change(db, sources[i], d, &src[i], e);
		if (!r)
			r = org_check_changeable(&src[i], d, e);
		if (!r)
			r = check_nothing_later(db, &src[i], d, e);
		for (size_t j = 0; j < i && !r; j++)
			if (src[j].id == src[i].id) {
				err_detail(e, "sources", "unit %s is listed twice", src[i].code);
				r = err_set(e, ERR_INVALID, "invalid", "unit %s is listed twice", src[i].code);
			}
	}
	if (!r && into_ref)
		r = resolve_for_change(db, into_ref, d, &target, e);
	if (!r && into_new) {
		/* the new unit defaults to the first source's level and parent */
		if (!into_new->level[0])
			ub_strlcpy(into_new->level, src[0].level, sizeof(into_new->level));
		if (!into_new->parent[0] && src[0].has_parent)
			ub_strlcpy(into_new->parent, src[0].parent.code, sizeof(into_new->parent));
		r = unit_spec_normalise(into_new, "into.", e);
		for (size_t i = 0; i < n && !r; i++)
			if (strcmp(into_new->parent, src[i].code) == 0) {
				err_detail(e, "into.parent", "cannot be one of the merged units");
				r = err_set(e, ERR_INVALID, "invalid",
					    "the new unit cannot be placed under a unit merged into it");
			}
	}
	/* end the sources first: the new unit may take one of their codes */
	for (size_t i = 0; i < n && !r; i++)
		if (!into_ref || src[i].id != target.id)
			r = end_unit(db, src[i].id, d, e);
	if (!r && into_new) {
		r = prepare_new_unit(db, into_new, "into.", d, &parent_id, &lv, e);
		if (!r)
			r = insert_unit(db, into_new, d, parent_id, &target_id, e);
		if (!r)
			r = unit_by_id_at(db, target_id, d, &target, e);
	}
	if (!r)
		r = event_record(db, "merge", d, note, &ev, e);
	for (size_t i = 0; i < n && !r; i++) {
		r = event_unit(db, ev, src[i].id, "source", e);
		if (!r && src[i].id != target.id)
			r = hand_over_children(db, who, src[i].id, &target, d, "unit.merge", e);
	}
	if (!r)
		r = event_unit(db, ev, target.id, "target", e);
	if (!r)
		r = unit_by_id_at(db, target.id, d, out, e);
	for (size_t i = 0; i < n && !r; i++) {
		unit_t ended;
		if (src[i].id == out->id)
			continue;
		r = org_unit_view(db, src[i].id, d - 1, &ended, e);
		if (!r)
			r = audit_unit(db, who, "unit.merge", &src[i], &ended, note, e);
	}
	if (!r)
		r = audit_unit(db, who, "unit.merge", into_ref ? &target : NULL, out, note, e);
	if (!r && event_id)
		*event_id = ev;
	free(src);
	return store_tx_end(db, own, r, e);
}

int org_split(db_t *db, const principal_t *who, const char *ref, date_t d, unit_spec_t *parts, size_t n,
	      const child_assign_t *assign, size_t n_assign, const char *note,
	      unit_list_t *out, int64_t *event_id, err_t *e)
{
	child_span_t *spans = NULL;
	size_t n_spans = 0, cap = 0;
	int64_t ev = 0, *part_ids = NULL;
	unit_t u = { 0 };
	bool own;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (n < 2 || n > 100) {
		err_detail(e, "into", "needs two or more new units");
		return err_set(e, ERR_INVALID, "invalid", "a split needs two or more new units");
	}
	if (check_note(note, e))
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
	/* the parts default to the unit's level and parent */
	for (size_t i = 0; i < n && !r; i++) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "into[%zu].", i);
		if (!parts[i].level[0])
			ub_strlcpy(parts[i].level, u.level, sizeof(parts[i].level));
		if (!parts[i].parent[0] && u.has_parent)
			ub_strlcpy(parts[i].parent, u.parent.code, sizeof(parts[i].parent));
		if (unit_spec_normalise(&parts[i], prefix, e))
			r = -1;
		for (size_t j = 0; j < i && !r; j++)
			if (strcmp(parts[i].code, parts[j].code) == 0) {
				err_detail(e, prefix, "code %s is used twice", parts[i].code);
				r = err_set(e, ERR_INVALID, "invalid", "two new units have the same code");
			}
	}
	if (!r)
		r = child_spans(db, u.id, d, &spans, &n_spans, e);
	/* every child assigned, to a part that exists */
	for (size_t i = 0; i < n_spans && !r; i++) {
		unit_t child;
		bool ok = false;
		r = org_unit_view(db, spans[i].unit_id, d, &child, e);
		for (size_t k = 0; k < n_assign && !r; k++)
			if (strcmp(assign[k].child, child.code) == 0)
				ok = true;
		if (!r && !ok)
			err_detail(e, "children", "child %s is not assigned to a new unit", child.code);
	}
	for (size_t k = 0; k < n_assign && !r; k++) {
		bool ok = false;
		for (size_t i = 0; i < n; i++)
			if (strcmp(assign[k].part, parts[i].code) == 0)
				ok = true;
		if (!ok)
			err_detail(e, "children", "%s is not one of the new units", assign[k].part);
	}
	if (!r && e && e->n_details)
		r = err_set(e, ERR_INVALID, "invalid", "every child of %s must go to one of the new units", u.code);
	if (!r) {
		/* the parts may reuse the unit's code: end it first */
		r = end_unit(db, u.id, d, e);
	}
	if (!r)
		r = event_record(db, "split", d, note, &ev, e);
	if (!r)
		r = event_unit(db, ev, u.id, "source", e);
	for (size_t i = 0; i < n && !r; i++) {
		char prefix[32];
		int64_t parent_id;
		level_t lv;
		unit_t part;
		snprintf(prefix, sizeof(prefix), "into[%zu].", i);
		r = prepare_new_unit(db, &parts[i], prefix, d, &parent_id, &lv, e);
		if (!r)
			r = insert_unit(db, &parts[i], d, parent_id, &part_ids[i], e);
		if (!r)
			r = event_unit(db, ev, part_ids[i], "target", e);
		if (!r)
			r = unit_by_id_at(db, part_ids[i], d, &part, e);
		if (!r && list_push(out, &cap, &part))
			r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	/* children follow their assignment; each is read as it stood the day
	 * before, under the unit being split */
	for (size_t i = 0; i < n_spans && !r; i++) {
		unit_t child;
		r = org_unit_view(db, spans[i].unit_id, d - 1, &child, e);
		for (size_t k = 0; k < n_assign && !r; k++) {
			if (strcmp(assign[k].child, child.code) != 0)
				continue;
			for (size_t p = 0; p < n && !r; p++) {
				if (strcmp(assign[k].part, parts[p].code) != 0)
					continue;
				r = org_check_level(&out->items[p], child.level_rank, child.level, e);
				if (!r)
					r = exec_fmt(db, "UPDATE unit_parents SET parent_id = ? WHERE unit_id = ? AND parent_id = ? AND valid_from >= ?",
						     "iiid", (int64_t[]){ part_ids[p], child.id, u.id }, (date_t[]){ d }, e);
				if (!r && spans[i].from < d)
					r = exec_fmt(db, "UPDATE unit_parents SET valid_to = ? WHERE unit_id = ? AND valid_from = ?",
						     "did", (int64_t[]){ child.id }, (date_t[]){ d, spans[i].from }, e);
				if (!r && spans[i].from < d)
					r = insert_parent(db, child.id, part_ids[p], d, spans[i].to, e);
				if (!r)
					r = ancestry_refresh(db, child.id, e);
				if (!r)
					r = audit_child_moved(db, who, "unit.split", &child, d, e);
			}
		}
	}
	/* the parts as they stand now that their children arrived */
	for (size_t i = 0; i < n && !r; i++) {
		r = unit_by_id_at(db, part_ids[i], d, &out->items[i], e);
		if (!r)
			r = audit_unit(db, who, "unit.split", NULL, &out->items[i], note, e);
	}
	if (!r) {
		unit_t ended;
		r = org_unit_view(db, u.id, d - 1, &ended, e);
		if (!r)
			r = audit_unit(db, who, "unit.split", &u, &ended, note, e);
	}
	if (!r && event_id)
		*event_id = ev;
	free(spans);
	free(part_ids);
	if (r)
		unit_list_free(out);
	return store_tx_end(db, own, r, e);
}

/* ------------------------------------------------------------------ */
/* reference data                                                      */

int org_ethnic_group_add(db_t *db, const char *code, const char *name_vi, const char *name_en, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, "INSERT INTO ethnic_groups (code, name_vi, name_en) VALUES (?, ?, ?)", &st, e))
		return -1;
	rc = db_bind_text(st, 1, code);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, name_vi);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, name_en);
	if (rc != DB_OK) {
		db_finalize(st);
		return store_fail(db, rc, e);
	}
	return run_done(db, st, e);
}

int org_ethnic_group_count(db_t *db, int64_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, "SELECT count(*) FROM ethnic_groups", &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*n = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}
