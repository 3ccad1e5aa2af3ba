/*
 * org_events.c - what happened to the tree (see org_store.h): the events
 * (create, rename, move, close, merge, split) with the units they name, a
 * unit's history of names, attributes and parents, and its lineage through
 * merges and splits; with the set-wise unit references they all print.
 *
 * Units named by a page of events or a history are looked up a chunk of ids
 * at a time (org_unit_refs), never one query per row. What this file does
 * not do: record events (org_write.c records them with the change they
 * describe) or decide lineage (core/org.c walks it; this file reads the
 * edges for it).
 */
#include <stdlib.h>
#include <string.h>

#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/scope.h"
#include "store/util.h"

/* ids per query when unit references are read set-wise */
#define REF_CHUNK 256

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

/* Appends " IN (?, ?, ...)" with ids[0..n) to q, padded with 0 (no unit,
 * no event) to one of three widths, so that a few statement texts serve
 * every n (n <= REF_CHUNK). */
static void add_id_list(query_t *q, const int64_t *ids, size_t n)
{
	size_t width = n <= 1 ? 1 : n <= 16 ? 16 : REF_CHUNK;

	query_sql(q, " IN (");
	for (size_t i = 0; i < width; i++)
		query_add(q, i ? ", ?" : "?", QI(i < n ? ids[i] : 0));
	query_sql(q, ")");
}

/* ------------------------------------------------------------------ */
/* unit references, set-wise                                           */

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

/* The current row of load_name_rows' statement into *r (names malloc'd). */
static int read_name_row(db_t *db, db_stmt_t *st, name_row_t *r, err_t *e)
{
	memset(r, 0, sizeof(*r));
	r->id = db_col_int64(st, 0);
	copy_text(r->code, sizeof(r->code), db_col_text(st, 1));
	r->name_vi = strdup(db_col_text(st, 4));
	r->name_en = strdup(db_col_text(st, 5));
	if (!r->name_vi || !r->name_en)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (org_read_date(db, st, 2, &r->u_from, e) || org_read_date(db, st, 3, &r->u_to, e) ||
	    org_read_date(db, st, 6, &r->n_from, e) || org_read_date(db, st, 7, &r->n_to, e))
		return -1;
	return 0;
}

/* Appends the name rows of ids[0..n) (n <= REF_CHUNK) to *rows. */
static int load_name_rows(db_t *db, const int64_t *ids, size_t n, name_row_t **rows, size_t *n_rows, size_t *cap,
			  err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, "SELECT u.id, u.code, u.valid_from, u.valid_to, n.name_vi, n.name_en, n.valid_from, n.valid_to"
		      " FROM units u JOIN unit_names n ON n.unit_id = u.id WHERE u.id");
	add_id_list(&q, ids, n);
	query_sql(&q, " ORDER BY u.id, n.valid_from");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
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
		/* counted before it is read: a half-read row is freed too */
		if (read_name_row(db, st, &(*rows)[(*n_rows)++], e)) {
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
		return org_not_found(NULL, id, DATE_OPEN, e);
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

/* ------------------------------------------------------------------ */
/* events                                                              */

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

static event_t *event_by_id(event_t *events, size_t n, int64_t id)
{
	for (size_t j = 0; j < n; j++)
		if (events[j].id == id)
			return &events[j];
	return NULL;
}

/* Appends to *m the units of events[0..k) (k <= REF_CHUNK), in event_units
 * order by event, role and unit. */
static int load_event_members(db_t *db, const event_t *events, size_t k, event_member_t **m, size_t *n_m,
			      size_t *cap, err_t *e)
{
	int64_t ids[REF_CHUNK];
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	for (size_t i = 0; i < k; i++)
		ids[i] = events[i].id;
	query_init(&q);
	query_sql(&q, "SELECT event_id, unit_id, role FROM event_units WHERE event_id");
	add_id_list(&q, ids, k);
	query_sql(&q, " ORDER BY event_id, role, unit_id");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n_m == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			event_member_t *v = realloc(*m, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			}
			*m = v;
			*cap = ncap;
		}
		(*m)[*n_m].event_id = db_col_int64(st, 0);
		(*m)[*n_m].unit_id = db_col_int64(st, 1);
		(*m)[*n_m].source = strcmp(db_col_text(st, 2), "source") == 0;
		(*n_m)++;
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

/* The day a unit of event ev is named as: a source as it was the day
 * before the event (a created unit as it began), a target as it became. */
static date_t member_day(const event_t *ev, const event_member_t *m)
{
	if (!ev)
		return 0;
	return m->source && strcmp(ev->kind, "create") != 0 ? ev->date - 1 : ev->date;
}

/* Names the units m[0..n_m) of events[0..n) (one org_unit_refs) and adds
 * each to its event's sources or targets. */
static int attach_members(db_t *db, event_t *events, size_t n, const event_member_t *m, size_t n_m, err_t *e)
{
	int64_t *ids = malloc(n_m * sizeof(*ids));
	date_t *days = malloc(n_m * sizeof(*days));
	unit_ref_t *refs = malloc(n_m * sizeof(*refs));
	int r = -1;

	if (!ids || !days || !refs) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_m; i++) {
		ids[i] = m[i].unit_id;
		days[i] = member_day(event_by_id(events, n, m[i].event_id), &m[i]);
	}
	if (org_unit_refs(db, ids, days, n_m, refs, e))
		goto out;
	for (size_t i = 0; i < n_m; i++) {
		event_t *ev = event_by_id(events, n, m[i].event_id);
		if (ev && (m[i].source ? push_ref(&ev->sources, &ev->n_sources, &refs[i])
				       : push_ref(&ev->targets, &ev->n_targets, &refs[i]))) {
			err_set(e, ERR_INTERNAL, NULL, "out of memory");
			goto out;
		}
	}
	r = 0;
out:
	free(ids);
	free(days);
	free(refs);
	return r;
}

/* Fills the sources and targets of events[0..n) (ordered by anything) with
 * three queries per REF_CHUNK events whatever their number. */
static int events_fill_refs(db_t *db, event_t *events, size_t n, err_t *e)
{
	event_member_t *m = NULL;
	size_t n_m = 0, cap = 0;
	int r = 0;

	for (size_t at = 0; at < n && !r; at += REF_CHUNK)
		r = load_event_members(db, events + at, n - at < REF_CHUNK ? n - at : REF_CHUNK, &m, &n_m, &cap, e);
	if (!r && n_m)
		r = attach_members(db, events, n, m, n_m, e);
	free(m);
	return r;
}

static int read_event_row(db_t *db, db_stmt_t *st, event_t *ev, err_t *e)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = db_col_int64(st, 0);
	copy_text(ev->kind, sizeof(ev->kind), db_col_text(st, 1));
	copy_text(ev->note, sizeof(ev->note), db_col_text(st, 3));
	return org_read_date(db, st, 2, &ev->date, e);
}

int org_event_get(db_t *db, int64_t id, event_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add(&q, "SELECT id, kind, date, note FROM events WHERE id = ?", QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		r = read_event_row(db, st, out, e);
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	if (rc != DB_ROW)
		return err_set(e, ERR_NOT_FOUND, "not_found", "no event %lld", (long long)id);
	if (r || events_fill_refs(db, out, 1, e)) {
		event_free(out);
		return -1;
	}
	return 0;
}

int org_event_last(db_t *db, int64_t *id, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*id = 0;
	query_init(&q);
	query_sql(&q, "SELECT MAX(id) FROM events");
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_col_int64(st, 0);
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	if (*id == 0)
		return err_set(e, ERR_NOT_FOUND, "not_found", "no event recorded");
	return 0;
}

/* Steps st (rows of read_event_row), appending each event to out. On
 * failure out keeps what was read (the caller frees it). */
static int collect_events(db_t *db, db_stmt_t *st, event_list_t *out, err_t *e)
{
	size_t cap = 0;
	int rc;

	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			event_t *v = realloc(out->items, ncap * sizeof(*v));
			if (!v)
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			out->items = v;
			cap = ncap;
		}
		if (read_event_row(db, st, &out->items[out->n], e))
			return -1;
		out->n++;
	}
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

int org_events(db_t *db, const principal_t *scope, int64_t unit_id, date_t from, date_t to, int limit,
	       const char *cursor, event_list_t *out, err_t *e)
{
	char after_key[ORG_CURSOR_MAX] = "";
	int64_t after_id = 0;
	db_stmt_t *st = NULL;
	query_t q;
	int r;

	memset(out, 0, sizeof(*out));
	if (cursor && *cursor && org_cursor_decode(cursor, after_key, sizeof(after_key), &after_id, e))
		return -1;
	query_init(&q);
	/* a scope's events are planned with its units: the generic plan
	 * PostgreSQL settled on after five runs read every event of the
	 * country, each tested against the scope (a commune officer's list
	 * at 20 million members: 925 ms, against 2.6 planned with them) */
	if (scope && !scope->global)
		query_sql(&q, DB_PLAN_EACH_RUN);
	query_add(&q, "SELECT e.id, e.kind, e.date, e.note FROM events e WHERE e.date >= ? AND e.date <= ?", QD(from),
		  QD(to));
	if (unit_id)
		/* the events naming the unit, and the merges and splits that
		 * handed it from one of their sources to one of their targets
		 * (its parent interval beginning on the event's date): a branch
		 * whose commune merged lists the merger too. One IN over a
		 * UNION ALL, not two INs joined by OR: PostgreSQL read the OR
		 * as a filter over every event in date order (a commune's page
		 * at 1M members: 70 ms; now 1.4 ms) */
		query_add(&q,
			  " AND e.id IN (SELECT event_id FROM event_units WHERE unit_id = ?"
			  " UNION ALL SELECT t.event_id FROM unit_parents p"
			  " JOIN unit_parents b ON b.unit_id = p.unit_id AND b.valid_to = p.valid_from"
			  " JOIN event_units t ON t.unit_id = p.parent_id AND t.role = 'target'"
			  " JOIN event_units s ON s.event_id = t.event_id AND s.role = 'source' AND s.unit_id = b.parent_id"
			  " JOIN events m ON m.id = t.event_id AND m.date = p.valid_from AND m.kind IN ('merge', 'split')"
			  " WHERE p.unit_id = ?)",
			  QI(unit_id), QI(unit_id));
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
	r = collect_events(db, st, out, e);
	db_finalize(st);
	if (r) {
		event_list_free(out);
		return -1;
	}
	if (out->n > (size_t)limit) {
		char buf[DATE_STR_LEN];
		event_free(&out->items[limit]);
		out->n = (size_t)limit;
		if (org_cursor_encode(date_format(out->items[limit - 1].date, buf), out->items[limit - 1].id,
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

/* ------------------------------------------------------------------ */
/* history                                                             */

/* Reads a span row (its columns, then valid_from and valid_to) into item. */
typedef int (*span_reader_fn)(db_t *db, db_stmt_t *st, void *item, err_t *e);

/* Runs "SELECT ..., valid_from, valid_to FROM table WHERE unit_id = ?
 * ORDER BY valid_from" for unit id and appends each row, read by fn, to the
 * malloc'd array *items of *n items of `size` bytes (owned by the caller). */
static int history_spans(db_t *db, const char *select, int64_t id, size_t size, span_reader_fn fn, void **items,
			 size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, select);
	query_add(&q, " WHERE unit_id = ? ORDER BY valid_from", QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		char *v = realloc(*items, (*n + 1) * size);
		if (!v) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		*items = v;
		memset(v + *n * size, 0, size);
		if (fn(db, st, v + (*n)++ * size, e)) {
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : 0;
}

static int read_name_span(db_t *db, db_stmt_t *st, void *item, err_t *e)
{
	name_span_t *v = item;

	copy_text(v->name_vi, sizeof(v->name_vi), db_col_text(st, 0));
	copy_text(v->name_en, sizeof(v->name_en), db_col_text(st, 1));
	return org_read_date(db, st, 2, &v->valid_from, e) || org_read_date(db, st, 3, &v->valid_to, e) ? -1 : 0;
}

static int read_attr_span(db_t *db, db_stmt_t *st, void *item, err_t *e)
{
	attr_span_t *v = item;

	copy_text(v->attributes, sizeof(v->attributes), db_col_text(st, 0));
	return org_read_date(db, st, 1, &v->valid_from, e) || org_read_date(db, st, 2, &v->valid_to, e) ? -1 : 0;
}

/* The name spans of unit id, oldest first. */
static int history_names(db_t *db, int64_t id, unit_history_t *out, err_t *e)
{
	void *items = out->names;
	int r = history_spans(db, "SELECT name_vi, name_en, valid_from, valid_to FROM unit_names", id,
			      sizeof(name_span_t), read_name_span, &items, &out->n_names, e);

	out->names = items;
	return r;
}

/* The attribute spans of unit id, oldest first. */
static int history_attributes(db_t *db, int64_t id, unit_history_t *out, err_t *e)
{
	void *items = out->attributes;
	int r = history_spans(db, "SELECT attributes, valid_from, valid_to FROM unit_attributes", id,
			      sizeof(attr_span_t), read_attr_span, &items, &out->n_attributes, e);

	out->attributes = items;
	return r;
}

/* Names each parent of out->parents as it was on its span's first day. */
static int history_name_parents(db_t *db, unit_history_t *out, err_t *e)
{
	int64_t *ids = malloc(out->n_parents * sizeof(*ids));
	date_t *days = malloc(out->n_parents * sizeof(*days));
	unit_ref_t *refs = malloc(out->n_parents * sizeof(*refs));
	int r = -1;

	if (!ids || !days || !refs) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < out->n_parents; i++) {
		ids[i] = out->parents[i].parent.id;
		days[i] = out->parents[i].valid_from;
	}
	if (org_unit_refs(db, ids, days, out->n_parents, refs, e))
		goto out;
	for (size_t i = 0; i < out->n_parents; i++)
		out->parents[i].parent = refs[i];
	r = 0;
out:
	free(ids);
	free(days);
	free(refs);
	return r;
}

/* The parent spans of unit id, oldest first, each parent named as it was
 * on the span's first day. */
static int history_parents(db_t *db, int64_t id, unit_history_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add(&q, "SELECT parent_id, valid_from, valid_to FROM unit_parents WHERE unit_id = ? ORDER BY valid_from",
		  QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		parent_span_t *v = realloc(out->parents, (out->n_parents + 1) * sizeof(*v));
		if (!v) {
			db_finalize(st);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		out->parents = v;
		v = &v[out->n_parents++];
		memset(v, 0, sizeof(*v));
		v->parent.id = db_col_int64(st, 0);
		if (org_read_date(db, st, 1, &v->valid_from, e) || org_read_date(db, st, 2, &v->valid_to, e)) {
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	return out->n_parents ? history_name_parents(db, out, e) : 0;
}

int org_unit_history(db_t *db, int64_t id, unit_history_t *out, err_t *e)
{
	memset(out, 0, sizeof(*out));
	if (history_names(db, id, out, e) || history_attributes(db, id, out, e) || history_parents(db, id, out, e) ||
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

/* ------------------------------------------------------------------ */
/* lineage                                                             */

/* The edges of lineage_walk (core/org.h) read from the merges and splits
 * of event_units: back, the sources of the events unit_id is a target of,
 * newest first; forward, the targets of the events it is a source of,
 * oldest first. */
static int lineage_neighbours(void *ctx, int64_t unit_id, lineage_dir_t dir, lineage_edge_t *out,
			      size_t cap, size_t *n, err_t *e)
{
	db_t *db = ctx;
	db_stmt_t *st = NULL;
	query_t q;
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
	query_init(&q);
	query_add(&q, sql, QI(unit_id), QI(unit_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n < cap) {
			out[*n].unit_id = db_col_int64(st, 0);
			out[*n].event_id = db_col_int64(st, 1);
			(*n)++;
		}
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
