/*
 * org_read.c - the organisation tree as of a date (see org_store.h): one
 * unit by code or id, lists with search and pages, ancestors, subtrees;
 * and the helpers the other org_*.c files share (org_internal.h).
 *
 * Every read joins the rows whose interval contains the day asked, through
 * one SELECT (UNIT_SELECT). Subtrees and ancestors are joins on the
 * ancestry table (store/ancestry.h), never walks. What this file does not
 * do: events, history and lineage (org_events.c), any write (org_write.c),
 * levels and reference data (org_refdata.c).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/scope.h"
#include "store/util.h"

/* ------------------------------------------------------------------ */
/* shared helpers (org_internal.h)                                     */

int org_read_date(db_t *db, db_stmt_t *st, int col, date_t *out, err_t *e)
{
	if (db_col_date(st, col, out) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "store: column %d is not a date: '%s' (%s)", col,
			       db_col_text(st, col), db_dialect(db) == DB_SQLITE ? "sqlite" : "postgresql");
	return 0;
}

int org_read_unit(db_t *db, db_stmt_t *st, unit_t *u, err_t *e)
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
	if (org_read_date(db, st, 8, &u->valid_from, e) || org_read_date(db, st, 9, &u->valid_to, e))
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

int org_list_push(unit_list_t *l, size_t *cap, const unit_t *u)
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

int org_collect_units(db_t *db, db_stmt_t *st, unit_list_t *out, size_t max, err_t *e)
{
	size_t cap = 0;
	unit_t u = { 0 };
	int rc;

	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n >= max)
			break;
		if (org_read_unit(db, st, &u, e))
			return -1;
		if (org_list_push(out, &cap, &u))
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	if (rc < 0)
		return store_fail(db, rc, e);
	return 0;
}

bool org_ref_is_id(const char *ref, int64_t *id)
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

int org_query_int(db_t *db, const query_t *q, int64_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (query_prepare(db, q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_col_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

int org_cursor_encode(const char *key, int64_t id, char *out, size_t cap)
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

int org_cursor_decode(const char *cursor, char *key, size_t cap, int64_t *id, err_t *e)
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

void unit_list_free(unit_list_t *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/* ------------------------------------------------------------------ */
/* one unit                                                            */

int org_not_found(const char *code, int64_t id, date_t d, err_t *e)
{
	char ref[UNIT_CODE_MAX + 24];

	if (code)
		snprintf(ref, sizeof(ref), "%.*s", UNIT_CODE_MAX + 8, code);
	else
		snprintf(ref, sizeof(ref), "id:%lld", (long long)id);
	if (d == DATE_OPEN)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit {ref}", ERR_STR("ref", ref));
	if (code)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit with code {ref} on {date}", ERR_STR("ref", ref),
				ERR_DATE("date", d));
	return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit {ref} on {date}", ERR_STR("ref", ref),
			ERR_DATE("date", d));
}

/* One unit as of d, by id (code NULL) or by code. ERR_NOT_FOUND when it
 * does not exist that day. */
static int unit_lookup_at(db_t *db, int64_t id, const char *code, date_t d, unit_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r;

	query_init(&q);
	query_add_dates(&q, UNIT_SELECT " WHERE", d);
	if (code)
		query_add(&q, " u.code = ?", QT(code));
	else
		query_add(&q, " u.id = ?", QI(id));
	query_add_dates(&q, " AND" UNIT_ALIVE, d);
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	r = rc == DB_ROW ? org_read_unit(db, st, out, e) : 0;
	db_finalize(st);
	if (rc == DB_ROW)
		return r;
	if (rc < 0)
		return store_fail(db, rc, e);
	if (code)
		return org_not_found(code, 0, d, e);
	return org_not_found(NULL, id, d, e);
}

int org_unit_at(db_t *db, int64_t id, date_t d, unit_t *out, err_t *e)
{
	return unit_lookup_at(db, id, NULL, d, out, e);
}

/* The validity of a unit id: ERR_NOT_FOUND when unknown. */
static int unit_validity(db_t *db, int64_t id, date_t *from, date_t *to, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_add(&q, "SELECT valid_from, valid_to FROM units WHERE id = ?", QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		r = org_read_date(db, st, 0, from, e) || org_read_date(db, st, 1, to, e) ? -1 : 0;
	db_finalize(st);
	if (rc == DB_ROW)
		return r;
	if (rc < 0)
		return store_fail(db, rc, e);
	return org_not_found(NULL, id, DATE_OPEN, e);
}

int org_unit_view(db_t *db, int64_t id, date_t d, unit_t *out, err_t *e)
{
	date_t from = 0, to = 0;

	if (unit_validity(db, id, &from, &to, e))
		return -1;
	return org_unit_at(db, id, clamp_into(d, from, to), out, e);
}

int org_child_ids_from(db_t *db, int64_t parent_id, date_t d, int64_t **ids, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc;

	*ids = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT DISTINCT unit_id FROM unit_parents WHERE parent_id = ? AND valid_to > ? ORDER BY unit_id",
		  QI(parent_id), QD(d));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			int64_t *v = realloc(*ids, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				free(*ids);
				*ids = NULL;
				*n = 0;
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			*ids = v;
			cap = ncap;
		}
		(*ids)[(*n)++] = db_col_int64(st, 0);
	}
	db_finalize(st);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return store_fail(db, rc, e);
	}
	return 0;
}

/* A reference that can name no unit (not a code, not id:N) is not looked
 * up: it is simply not found. Invalid bytes never reach the database. */
static bool ref_plausible(const char *ref)
{
	int64_t id;
	err_t ignore;

	err_clear(&ignore);
	return org_ref_is_id(ref, &id) || unit_code_check(ref, "code", &ignore) == 0;
}

int org_unit_get(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e)
{
	int64_t id;

	if (org_ref_is_id(ref, &id))
		return org_unit_at(db, id, d, out, e);
	if (!ref_plausible(ref))
		return org_not_found(ref, 0, d, e);
	return unit_lookup_at(db, 0, ref, d, out, e);
}

/* The id of the unit that held code nearest before d, else of the first
 * after d; *best 0 when the code never named a unit. */
static int code_nearest_holder(db_t *db, const char *code, date_t d, int64_t *best, err_t *e)
{
	db_stmt_t *st = NULL;
	date_t best_to = 0;
	query_t q;
	int rc;

	*best = 0;
	query_init(&q);
	query_add(&q, "SELECT id, valid_from, valid_to FROM units WHERE code = ? ORDER BY valid_from", QT(code));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		date_t from, to;
		if (org_read_date(db, st, 1, &from, e) || org_read_date(db, st, 2, &to, e)) {
			db_finalize(st);
			return -1;
		}
		if (to <= d && (!*best || to > best_to)) {
			*best = db_col_int64(st, 0);
			best_to = to;
		} else if (from > d && !*best) {
			*best = db_col_int64(st, 0);
			best_to = 0;
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

/*
 * When ref names no unit on d but did on other days, the unit it named
 * nearest to d: an operation dated d can then say why the date does not
 * fit (unit_closed, date_out_of_range) rather than give a bare 404.
 */
int org_unit_nearest(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e)
{
	int64_t id = 0, best = 0;

	if (org_unit_get(db, ref, d, out, e) == 0)
		return 0;
	if (!e || e->kind != ERR_NOT_FOUND || !ref_plausible(ref))
		return -1;
	if (org_ref_is_id(ref, &id))
		return org_unit_view(db, id, d, out, e);
	if (code_nearest_holder(db, ref, d, &best, e))
		return -1;
	if (!best)
		return -1; /* e still says not_found */
	return org_unit_view(db, best, d, out, e);
}

/* ------------------------------------------------------------------ */
/* lists                                                               */

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

/* The LIKE pattern of a search text: *pattern malloc'd (caller frees),
 * NULL when there is no search. */
static int search_pattern(const char *text, char **pattern, err_t *e)
{
	char *folded = NULL;

	*pattern = NULL;
	if (!text || !*text)
		return 0;
	if (text_fold(text, &folded) != 0)
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "q is not valid UTF-8 text");
	*pattern = malloc(strlen(folded) * 2 + 3);
	if (!*pattern) {
		free(folded);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	like_pattern(folded, *pattern);
	free(folded);
	return 0;
}

/* The cursor of the page after the one that ends with last. */
static int list_next_cursor(const unit_query_t *q, const unit_t *last, char *next, size_t cap, err_t *e)
{
	char *key = NULL;
	int r = 0;

	/* the sort key is re-read for the name order */
	if (q->sort_name && text_sort_key(last->name_vi, &key) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "cannot compute a sort key");
	if (org_cursor_encode(key ? key : last->code, last->id, next, cap))
		r = err_set(e, ERR_INTERNAL, NULL, "cursor too long");
	free(key);
	return r;
}

int org_units_lasting(db_t *db, const char *const *levels, size_t n_levels, date_t d, unit_start_t **out,
		      size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	if (n_levels < 1 || n_levels > ORG_LASTING_LEVELS_MAX)
		return err_set(e, ERR_INTERNAL, NULL, "org_units_lasting: 1..%d levels", ORG_LASTING_LEVELS_MAX);
	query_init(&q);
	query_add(&q, "SELECT u.id, u.valid_from FROM units u WHERE u.valid_from <= ? AND u.valid_to = ? AND u.level IN (?",
		  QD(d), QD(DATE_OPEN), QT(levels[0]));
	for (size_t k = 1; k < n_levels; k++)
		query_add(&q, ", ?", QT(levels[k]));
	query_sql(&q, ") ORDER BY u.code, u.id");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		unit_start_t *v = store_grow(*out, &cap, *n, sizeof(*v), e);
		if (!v || org_read_date(db, st, 1, &v[*n].from, e)) {
			if (v)
				*out = v;
			r = -1;
			break;
		}
		*out = v;
		v[*n].id = db_col_int64(st, 0);
		(*n)++;
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int org_units_list(db_t *db, const unit_query_t *q, unit_list_t *out, err_t *e)
{
	char after_key[ORG_CURSOR_MAX] = "";
	char *pattern = NULL;
	int64_t after_id = 0;
	db_stmt_t *st = NULL;
	int r = -1;
	query_t sq;

	memset(out, 0, sizeof(*out));
	if (q->cursor && *q->cursor &&
	    org_cursor_decode(q->cursor, after_key, sizeof(after_key), &after_id, e))
		return -1;
	if (search_pattern(q->q, &pattern, e))
		return -1;
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
	if (org_collect_units(db, st, out, (size_t)q->limit + 1, e))
		goto out;
	if (out->n > (size_t)q->limit) {
		/* one more row than asked: there is a next page after the last
		 * row shown */
		out->n = (size_t)q->limit;
		if (list_next_cursor(q, &out->items[q->limit - 1], out->next, sizeof(out->next), e))
			goto out;
	}
	r = 0;
out:
	db_finalize(st);
	free(pattern);
	if (r)
		unit_list_free(out);
	return r;
}

/* ------------------------------------------------------------------ */
/* ancestors and subtrees                                              */

int org_ancestors(db_t *db, int64_t id, date_t d, unit_list_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	/* root first, the unit itself last (depth 0: only when it exists on d) */
	query_init(&q);
	query_add_dates(&q, UNIT_SELECT " JOIN ancestry a ON a.ancestor = u.id WHERE a.valid_from <= ? AND a.valid_to > ?"
			" AND" UNIT_ALIVE, d);
	query_add(&q, " AND a.descendant = ? ORDER BY a.depth DESC", QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = org_collect_units(db, st, out, 64, e);
	db_finalize(st);
	if (rc) {
		unit_list_free(out);
		return -1;
	}
	if (out->n == 0 || out->items[out->n - 1].id != id) {
		unit_list_free(out);
		return org_not_found(NULL, id, d, e);
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
	rc = org_collect_units(db, st, out, max + 1, e);
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
		return org_not_found(NULL, id, d, e);
	return 0;
}

int org_version(db_t *db, int64_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*n = 0;
	if (store_prep(db, "SELECT n FROM org_version WHERE id = 1", &st, e))
		return -1;
	if ((rc = db_step(st)) == DB_ROW) {
		*n = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}
