/*
 * units.c - the organisation tree over HTTP: reads as of a date, and one
 * POST per reorganisation operation (see docs/api.md). Handlers parse and
 * validate the request, call store/org_store.h, and answer JSON from
 * io/unit_json.h. No SQL and no domain rules here.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "api/answers.h"
#include "api/auth.h"
#include "core/text.h"
#include "io/embedded.h"
#include "io/org_ops.h"
#include "io/unit_json.h"
#include "store/org_store.h"
#include "store/util.h"

/* A tree answer holds at most this many units (about 10 MB of JSON). */
#define TREE_MAX_UNITS 10000
/* The longest search text, in characters. */
#define Q_MAX 200

/* ---- scope ----
 * An answer is judged whole: its handler gathers every unit it would show
 * (units, their parents, the units its events name), asks once which lie in
 * the caller's scope (one query per SCOPE_MARK_CHUNK units), then drops or
 * hides the others. */

typedef struct judged {
	int64_t *ids;  /* gathered, then the ones in scope, sorted */
	size_t n, cap;
	bool all;      /* a global scope: everything is in */
	bool no_mem;
} judged_t;

static void judged_add(judged_t *j, int64_t id)
{
	if (!id || j->no_mem)
		return;
	if (j->n == j->cap) {
		size_t ncap = j->cap ? j->cap * 2 : 64;
		int64_t *v = realloc(j->ids, ncap * sizeof(*v));
		if (!v) {
			j->no_mem = true;
			return;
		}
		j->ids = v;
		j->cap = ncap;
	}
	j->ids[j->n++] = id;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Asks which gathered units lie in scope and keeps those. */
static int judged_run(api_req_t *req, judged_t *j, err_t *e)
{
	bool *in;
	size_t w = 0;

	j->all = req->who.global;
	if (j->all)
		return 0;
	if (j->no_mem)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (j->n == 0)
		return 0;
	qsort(j->ids, j->n, sizeof(*j->ids), cmp_id);
	for (size_t i = 0; i < j->n; i++)
		if (w == 0 || j->ids[w - 1] != j->ids[i])
			j->ids[w++] = j->ids[i];
	j->n = w;
	in = malloc(j->n * sizeof(*in));
	if (!in)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (api_scope_mark(req, j->ids, j->n, in, e)) {
		free(in);
		return -1;
	}
	w = 0;
	for (size_t i = 0; i < j->n; i++)
		if (in[i])
			j->ids[w++] = j->ids[i];
	j->n = w;
	free(in);
	return 0;
}

static bool judged_in(const judged_t *j, int64_t id)
{
	return j->all || (j->n && bsearch(&id, j->ids, j->n, sizeof(*j->ids), cmp_id) != NULL);
}

static void judged_free(judged_t *j)
{
	free(j->ids);
	memset(j, 0, sizeof(*j));
}

static void gather_unit(judged_t *j, const unit_t *u)
{
	judged_add(j, u->id);
	if (u->has_parent)
		judged_add(j, u->parent.id);
}

static void gather_event(judged_t *j, const event_t *ev)
{
	for (size_t i = 0; i < ev->n_sources; i++)
		judged_add(j, ev->sources[i].id);
	for (size_t i = 0; i < ev->n_targets; i++)
		judged_add(j, ev->targets[i].id);
}

/* The parent of the top of a caller's scope lies outside it: say nothing
 * about it. */
static void hide_parent(const judged_t *j, unit_t *u)
{
	if (u->has_parent && !judged_in(j, u->parent.id)) {
		u->has_parent = false;
		memset(&u->parent, 0, sizeof(u->parent));
	}
}

/* hide_parent for one unit on its own (an answer about one unit). */
static int hide_parent_outside_scope(api_req_t *req, unit_t *u, err_t *e)
{
	judged_t j = { 0 };
	int r;

	gather_unit(&j, u);
	r = judged_run(req, &j, e);
	if (!r)
		hide_parent(&j, u);
	judged_free(&j);
	return r;
}

/* Drops the units outside the caller's scope (keeping the order) and hides
 * the parents outside it. */
static void keep_units(const judged_t *j, unit_list_t *l)
{
	size_t w = 0;

	for (size_t i = 0; i < l->n; i++)
		if (judged_in(j, l->items[i].id)) {
			l->items[w] = l->items[i];
			hide_parent(j, &l->items[w++]);
		}
	l->n = w;
}

static int keep_in_scope(api_req_t *req, unit_list_t *l, err_t *e)
{
	judged_t j = { 0 };
	int r;

	for (size_t i = 0; i < l->n; i++)
		gather_unit(&j, &l->items[i]);
	r = judged_run(req, &j, e);
	if (!r)
		keep_units(&j, l);
	judged_free(&j);
	return r;
}

/* Drops the units outside the caller's scope from an event's sources and
 * targets: an event that touched her unit does not name the others. */
static void redact_refs(const judged_t *j, unit_ref_t *v, size_t *n)
{
	size_t w = 0;

	for (size_t i = 0; i < *n; i++)
		if (judged_in(j, v[i].id))
			v[w++] = v[i];
	*n = w;
}

static void redact_event(const judged_t *j, event_t *ev)
{
	redact_refs(j, ev->sources, &ev->n_sources);
	redact_refs(j, ev->targets, &ev->n_targets);
}

/* Drops the events that, redacted, name no unit: a merge or split that
 * handed a unit in scope from one parent to another, both outside the
 * caller's scope (found by review: a branch head saw her province's
 * mergers as events naming nothing, with their notes). */
static void drop_blank_events(event_list_t *l)
{
	size_t w = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->items[i].n_sources || l->items[i].n_targets)
			l->items[w++] = l->items[i];
		else
			event_free(&l->items[i]);
	}
	l->n = w;
}

static void keep_side(const judged_t *j, lineage_entry_t *v, size_t *n)
{
	size_t w = 0;

	for (size_t i = 0; i < *n; i++) {
		if (judged_in(j, v[i].unit.id)) {
			v[w] = v[i];
			hide_parent(j, &v[w].unit);
			redact_event(j, &v[w].event);
			w++;
		} else {
			event_free(&v[i].event);
		}
	}
	*n = w;
}

/* A lineage without the units outside scope, and the unit it is about with
 * its parent hidden when that lies outside. */
static int keep_lineage_in_scope(api_req_t *req, unit_t *u, lineage_t *l, err_t *e)
{
	judged_t j = { 0 };
	int r;

	gather_unit(&j, u);
	for (size_t i = 0; i < l->n_pred; i++) {
		gather_unit(&j, &l->pred[i].unit);
		gather_event(&j, &l->pred[i].event);
	}
	for (size_t i = 0; i < l->n_succ; i++) {
		gather_unit(&j, &l->succ[i].unit);
		gather_event(&j, &l->succ[i].event);
	}
	r = judged_run(req, &j, e);
	if (!r) {
		hide_parent(&j, u);
		keep_side(&j, l->pred, &l->n_pred);
		keep_side(&j, l->succ, &l->n_succ);
	}
	judged_free(&j);
	return r;
}

/* A unit's history without the parents outside the caller's scope, its
 * events naming only units in scope, and the unit's own parent hidden when
 * that lies outside. */
static int keep_history_in_scope(api_req_t *req, unit_t *u, unit_history_t *h, err_t *e)
{
	judged_t j = { 0 };
	size_t w = 0;
	int r;

	gather_unit(&j, u);
	for (size_t i = 0; i < h->n_parents; i++)
		judged_add(&j, h->parents[i].parent.id);
	for (size_t i = 0; i < h->events.n; i++)
		gather_event(&j, &h->events.items[i]);
	r = judged_run(req, &j, e);
	if (!r) {
		hide_parent(&j, u);
		for (size_t i = 0; i < h->n_parents; i++)
			if (judged_in(&j, h->parents[i].parent.id))
				h->parents[w++] = h->parents[i];
		h->n_parents = w;
		for (size_t i = 0; i < h->events.n; i++)
			redact_event(&j, &h->events.items[i]);
		drop_blank_events(&h->events);
	}
	judged_free(&j);
	return r;
}

static int redact_events(api_req_t *req, event_list_t *l, err_t *e)
{
	judged_t j = { 0 };
	int r;

	for (size_t i = 0; i < l->n; i++)
		gather_event(&j, &l->items[i]);
	r = judged_run(req, &j, e);
	for (size_t i = 0; !r && i < l->n; i++)
		redact_event(&j, &l->items[i]);
	judged_free(&j);
	return r;
}

/* The parents of a list's units outside the caller's scope, hidden. */
static int hide_parents(api_req_t *req, unit_list_t *l, err_t *e)
{
	judged_t j = { 0 };
	int r;

	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].has_parent)
			judged_add(&j, l->items[i].parent.id);
	r = judged_run(req, &j, e);
	for (size_t i = 0; !r && i < l->n; i++)
		hide_parent(&j, &l->items[i]);
	judged_free(&j);
	return r;
}

/* ---- reads ---- */

static int get_levels(api_req_t *req, api_resp_t *resp, err_t *e)
{
	level_t *lv = NULL;
	size_t n = 0;
	json_t *items;

	if (api_require(req, PERM_UNIT_READ, e) || org_levels(req->db, &lv, &n, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, level_json(&lv[i]));
	free(lv);
	resp->body = json_pack("{s:o}", "items", items);
	return 0;
}

static int check_level_arg(const char *level, err_t *e)
{
	if (strlen(level) > LEVEL_KEY_MAX) {
		err_field(e, "level", "too_long", "is too long (at most {max} characters)", ERR_INT("max", LEVEL_KEY_MAX));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "level is too long");
	}
	for (const char *p = level; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_')) {
			err_field(e, "level", "bad_characters", "may contain only {allowed}", ERR_STR("allowed", "a-z _"));
			return err_fail(e, ERR_BAD_REQUEST, "bad_request", "level must be a level name such as province");
		}
	return 0;
}

static int list_common(api_req_t *req, unit_query_t *q, err_t *e)
{
	const char *sort = api_query(req, "sort");

	memset(q, 0, sizeof(*q));
	if (api_require(req, PERM_UNIT_READ, e))
		return -1;
	if (api_query_date(req, "as_of", req->today, &q->as_of, e) ||
	    api_query_int(req, "limit", 100, 1, ORG_PAGE_MAX, &q->limit, e))
		return -1;
	q->cursor = api_query(req, "cursor");
	if (sort && strcmp(sort, "name") == 0)
		q->sort_name = true;
	else if (sort && *sort && strcmp(sort, "code") != 0) {
		err_field(e, "sort", "not_one_of", "must be one of {allowed}", ERR_STR("value", sort),
			  ERR_STR("allowed", "code, name"));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "sort must be code or name");
	}
	return 0;
}

static int answer_list(api_req_t *req, unit_query_t *q, api_resp_t *resp, err_t *e)
{
	unit_list_t l;

	q->scope = &req->who;
	if (org_units_list(req->db, q, &l, e))
		return -1;
	if (hide_parents(req, &l, e)) {
		unit_list_free(&l);
		return -1;
	}
	resp->body = unit_list_json(&l, q->as_of);
	unit_list_free(&l);
	return 0;
}

static int get_units(api_req_t *req, api_resp_t *resp, err_t *e)
{
	unit_query_t q;
	const char *parent;
	unit_t p;

	if (list_common(req, &q, e))
		return -1;
	q.level = api_query(req, "level");
	if (q.level && !*q.level)
		q.level = NULL;
	if (q.level && check_level_arg(q.level, e))
		return -1;
	q.q = api_query(req, "q");
	if (q.q && text_length(q.q) > Q_MAX) {
		err_field(e, "q", "too_long", "is too long (at most {max} characters)", ERR_INT("max", Q_MAX));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "q is too long (at most {max} characters)",
				ERR_INT("max", Q_MAX));
	}
	parent = api_query(req, "parent");
	if (parent && *parent) {
		if (api_unit_in_scope(req, parent, q.as_of, &p, e))
			return -1;
		q.parent_id = p.id;
	}
	return answer_list(req, &q, resp, e);
}

/* A unit page answers from the tree alone: the page kept at the tree's
 * version, when there is one, is sent without a query (api/answers.h). The
 * month-end's officers open their unit's page again and again. */
static int get_unit(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char key[ANSWERS_KEY_MAX], day[DATE_STR_LEN];
	unit_history_t h;
	int64_t version = 0;
	bool keyed;
	date_t d;
	unit_t u;

	if (api_require(req, PERM_UNIT_READ, e) || api_query_date(req, "as_of", req->today, &d, e))
		return -1;
	keyed = req->answers && answers_key(key, "unit", &req->who, req->params[0], date_format(d, day));
	if (keyed && (resp->body = answers_get(req->answers, &req->who, key)))
		return 0;
	if (api_unit_in_scope(req, req->params[0], d, &u, e) || org_unit_history(req->db, u.id, &h, e))
		return -1;
	if (keep_history_in_scope(req, &u, &h, e)) {
		unit_history_free(&h);
		return -1;
	}
	resp->body = unit_detail_json(&u, &h);
	unit_history_free(&h);
	if (!resp->body)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	/* kept when the snapshot's version is known; a failed read of it
	 * only leaves the page unkept */
	if (keyed && req->who.org_version > 0) {
		err_t ignore;
		err_clear(&ignore);
		if (org_version(req->db, &version, &ignore) == 0)
			answers_keep(req->answers, &req->who, version, key, resp->body);
	}
	return 0;
}

static int get_children(api_req_t *req, api_resp_t *resp, err_t *e)
{
	unit_query_t q;
	unit_t u;

	if (list_common(req, &q, e) || api_unit_in_scope(req, req->params[0], q.as_of, &u, e))
		return -1;
	q.parent_id = u.id;
	return answer_list(req, &q, resp, e);
}

static int get_ancestors(api_req_t *req, api_resp_t *resp, err_t *e)
{
	unit_list_t l;
	date_t d;
	unit_t u;

	if (api_require(req, PERM_UNIT_READ, e) || api_query_date(req, "as_of", req->today, &d, e) ||
	    api_unit_in_scope(req, req->params[0], d, &u, e) || org_ancestors(req->db, u.id, d, &l, e))
		return -1;
	if (keep_in_scope(req, &l, e)) {
		unit_list_free(&l);
		return -1;
	}
	resp->body = unit_list_json(&l, d);
	json_object_del(resp->body, "next");
	unit_list_free(&l);
	return 0;
}

static int get_lineage(api_req_t *req, api_resp_t *resp, err_t *e)
{
	lineage_t l;
	date_t d;
	unit_t u;

	if (api_require(req, PERM_UNIT_READ, e) || api_query_date(req, "as_of", req->today, &d, e) ||
	    api_unit_in_scope(req, req->params[0], d, &u, e) || org_lineage(req->db, u.id, d, &l, e))
		return -1;
	if (keep_lineage_in_scope(req, &u, &l, e)) {
		lineage_free(&l);
		return -1;
	}
	resp->body = lineage_json(&u, &l);
	lineage_free(&l);
	return 0;
}

static int get_tree(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *root = api_query(req, "root");
	unit_list_t l;
	int depth;
	date_t d;
	unit_t u;

	if (api_require(req, PERM_UNIT_READ, e) || api_query_date(req, "as_of", req->today, &d, e) ||
	    api_query_int(req, "depth", 2, 1, 6, &depth, e))
		return -1;
	if (root && *root) {
		if (api_unit_in_scope(req, root, d, &u, e))
			return -1;
	} else if (org_unit_view(req->db, req->who.unit_id, d, &u, e)) {
		/* without a root asked for: the caller's own unit */
		return -1;
	}
	if (org_subtree(req->db, u.id, d, depth, TREE_MAX_UNITS, &l, e))
		return -1;
	if (keep_in_scope(req, &l, e)) {
		unit_list_free(&l);
		return -1;
	}
	resp->body = tree_json(&l, d);
	unit_list_free(&l);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int get_events(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *unit = api_query(req, "unit");
	date_t as_of, from, to;
	event_list_t l;
	json_t *items;
	int64_t unit_id = 0;
	int limit;
	unit_t u;

	if (api_query_date(req, "as_of", req->today, &as_of, e) ||
	    api_query_date(req, "from", DATE_FIRST, &from, e) || api_query_date(req, "to", DATE_OPEN, &to, e) ||
	    api_query_int(req, "limit", 100, 1, ORG_PAGE_MAX, &limit, e))
		return -1;
	if (api_require(req, PERM_UNIT_READ, e))
		return -1;
	if (unit && *unit) {
		if (api_unit_in_scope(req, unit, as_of, &u, e))
			return -1;
		unit_id = u.id;
	}
	/* every event of a unit in scope is in scope (it names that unit), so
	 * the scope filter is needed only for the list of all events */
	if (org_events(req->db, unit_id ? NULL : &req->who, unit_id, from, to, limit, api_query(req, "cursor"), &l, e))
		return -1;
	if (redact_events(req, &l, e)) {
		event_list_free(&l);
		return -1;
	}
	drop_blank_events(&l);
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++)
		json_array_append_new(items, event_json(&l.items[i]));
	resp->body = json_pack("{s:o, s:o}", "items", items, "next", l.next[0] ? json_string(l.next) : json_null());
	event_list_free(&l);
	return 0;
}

static int get_openapi(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const embedded_file_t *f = embedded_find("api/openapi.json");
	json_error_t je;

	(void)req;
	if (!f)
		return err_fail(e, ERR_INTERNAL, NULL, "the OpenAPI document is missing from this build");
	resp->body = json_loadb((const char *)f->data, f->len, 0, &je);
	if (!resp->body)
		return err_set(e, ERR_INTERNAL, NULL, "the built-in OpenAPI document is not valid JSON: %s", je.text);
	return 0;
}

/* ---- writes ---- */

/* Creating a unit without a parent (a new root) is for the system admin. */
static int need_global(api_req_t *req, err_t *e)
{
	if (req->who.global)
		return 0;
	err_field(e, "parent", "required", "is required");
	return err_fail(e, ERR_INVALID, "invalid", "a unit needs a parent");
}

/* Reads the word list in member "attributes" of obj (absent or null:
 * none) into buf as space-separated words; a detail on a bad one. */
static void read_attributes(json_t *obj, char *buf, size_t cap, err_t *e)
{
	json_t *attrs = json_object_get(obj, "attributes");
	size_t i;
	json_t *a;

	buf[0] = '\0';
	if (!attrs || json_is_null(attrs))
		return;
	if (!json_is_array(attrs)) {
		err_field(e, "attributes", "not_a_list", "must be a list of words ({allowed})",
			  ERR_STR("allowed", UNIT_ATTRIBUTE_LIST));
		return;
	}
	json_array_foreach(attrs, i, a) {
		size_t len = strlen(buf);
		if (!json_is_string(a)) {
			err_field(e, "attributes", "not_a_list", "must be a list of words ({allowed})",
				  ERR_STR("allowed", UNIT_ATTRIBUTE_LIST));
			return;
		}
		if (json_string_length(a) > 40) {
			err_field(e, "attributes", "not_one_of", "has an unknown word '{value}' (use {allowed})",
				  ERR_STR("value", json_string_value(a)), ERR_STR("allowed", UNIT_ATTRIBUTE_LIST));
			return;
		}
		if (len + json_string_length(a) + 2 > cap) {
			err_field(e, "attributes", "too_many", "has too many words (at most {max})",
				  ERR_INT("max", UNIT_ATTRIBUTE_COUNT));
			return;
		}
		snprintf(buf + len, cap - len, "%s%s", len ? " " : "", json_string_value(a));
	}
}

/* Reads the members of a unit spec from obj, details on its own field
 * names (the caller prefixes them for a nested spec). */
static void read_spec(json_t *obj, unit_spec_t *s, err_t *e)
{
	memset(s, 0, sizeof(*s));
	api_str(obj, "code", true, UNIT_CODE_MAX, s->code, sizeof(s->code), e);
	api_str(obj, "name_vi", true, UNIT_NAME_MAX, s->name_vi, sizeof(s->name_vi), e);
	api_str(obj, "name_en", true, UNIT_NAME_MAX, s->name_en, sizeof(s->name_en), e);
	api_str(obj, "level", false, LEVEL_KEY_MAX, s->level, sizeof(s->level), e);
	api_str(obj, "kind", false, UNIT_KIND_MAX, s->kind, sizeof(s->kind), e);
	api_str(obj, "parent", false, UNIT_CODE_MAX, s->parent, sizeof(s->parent), e);
	read_attributes(obj, s->attributes, sizeof(s->attributes), e);
}

static const char *const SPEC_FIELDS[] = { "code", "name_vi", "name_en", "level", "kind", "attributes", "parent", NULL };

/* ---- dry runs ----
 * An operation whose body holds "dry_run": true runs as it would, inside a
 * transaction the handler opens (the store's operation joins it), and its
 * answer is read inside that transaction; then everything is rolled back:
 * no unit, interval, event or audit row is left. The checks and refusals
 * are the real call's, in the same order. The answer (200) is the real
 * one's with "dry_run": true, the event the operation would record and,
 * for a merge or split, "moved": the children that would change parent. */

static json_t *event_and(api_req_t *req, int64_t event_id, const char *key, json_t *value, err_t *e);

/* The answer of a dry run of create, rename, move or close: the event the
 * operation recorded and the unit (taken over), read inside the dry run's
 * transaction. NULL on failure. */
static json_t *dry_answer(api_req_t *req, json_t *unit, err_t *e)
{
	int64_t ev = 0;
	json_t *j;

	if (org_event_last(req->db, &ev, e)) {
		json_decref(unit);
		return NULL;
	}
	j = event_and(req, ev, "unit", unit, e);
	if (j)
		json_object_set_new(j, "dry_run", json_true());
	return j;
}

/* Reads the optional member "dry_run" of body: true, false or null. */
static bool read_dry_run(json_t *body, err_t *e)
{
	json_t *v = json_object_get(body, "dry_run");

	if (!v || json_is_null(v))
		return false;
	if (!json_is_boolean(v)) {
		err_field(e, "dry_run", "not_a_boolean", "must be true or false");
		return false;
	}
	return json_is_true(v);
}

/* Opens the transaction of a dry run (nothing when !dry). */
static int dry_begin(api_req_t *req, bool dry, err_t *e)
{
	int rc;

	if (!dry)
		return 0;
	rc = db_begin(req->db);
	return rc == DB_OK ? 0 : store_fail(req->db, rc, e);
}

/* A code_taken refusal names the unit holding the code (its name and
 * level): for a holder outside the caller's scope that would answer what a
 * unit outside scope must not, so the refusal keeps the code and the day
 * only (found by review: a dry run made it a lookup of any unit). */
static void hide_code_holder(api_req_t *req, err_t *e)
{
	const err_param_t *code = err_param(e, "value"), *from = err_param(e, "from"), *until = err_param(e, "until");
	const err_param_t *line_param = err_param(e, "line");
	long long line = line_param ? line_param->num : 0;
	char value[UNIT_CODE_MAX * 4 + 8], day[DATE_STR_LEN];
	unit_t holder;
	date_t d;
	err_t probe;

	if (req->who.global || strcmp(e->code, "code_taken") != 0 || !code || (!from && !until))
		return;
	ub_strlcpy(value, code->text, sizeof(value));
	ub_strlcpy(day, from ? from->text : until->text, sizeof(day));
	err_clear(&probe);
	if (date_parse(day, &d) != 0 || org_unit_get(req->db, value, d, &holder, &probe) != 0 ||
	    api_id_in_scope(req, holder.id))
		return;
	if (from)
		err_fail(e, ERR_CONFLICT, "code_taken", "code {value} is used by another unit from {from}",
			 ERR_STR("value", value), ERR_DATE("from", d));
	else
		err_fail(e, ERR_CONFLICT, "code_taken", "code {value} is used by another unit until {until}",
			 ERR_STR("value", value), ERR_DATE("until", d));
	if (line) /* a plan's refusal keeps its line */
		err_add_param(e, ERR_INT("line", line));
}

/* Ends an operation, a dry run or not: rolls a dry run's transaction back
 * whatever happened, and hides a code's holder outside scope. Returns r. */
static int dry_end(api_req_t *req, bool dry, int r, err_t *e)
{
	if (dry && db_in_transaction(req->db))
		db_rollback(req->db);
	if (r)
		hide_code_holder(req, e);
	return r;
}

/* A child that an operation hands to another parent. */
typedef struct moved {
	int64_t id;
	unit_ref_t from;
} moved_t;

typedef struct moved_list {
	moved_t *items;
	size_t n, cap;
} moved_list_t;

static void moved_free(moved_list_t *m)
{
	free(m->items);
	memset(m, 0, sizeof(*m));
}

static void ref_of(const unit_t *u, unit_ref_t *r)
{
	memset(r, 0, sizeof(*r));
	r->id = u->id;
	ub_strlcpy(r->code, u->code, sizeof(r->code));
	ub_strlcpy(r->name_vi, u->name_vi, sizeof(r->name_vi));
	ub_strlcpy(r->name_en, u->name_en, sizeof(r->name_en));
}

/* Appends the children of the unit `ref` names on d (every page) to m.
 * A ref that names no unit that day adds nothing: the operation itself
 * then refuses it with its own error. */
static int moved_add_children(api_req_t *req, const char *ref, date_t d, moved_list_t *m, err_t *e)
{
	unit_query_t q = { .as_of = d, .limit = ORG_PAGE_MAX };
	char cursor[ORG_CURSOR_MAX] = "";
	unit_ref_t from;
	unit_t parent;
	err_t probe;

	err_clear(&probe);
	if (org_unit_get(req->db, ref, d, &parent, &probe))
		return 0;
	ref_of(&parent, &from);
	q.parent_id = parent.id;
	do {
		unit_list_t l = { 0 };
		q.cursor = cursor;
		if (org_units_list(req->db, &q, &l, e))
			return -1;
		for (size_t i = 0; i < l.n; i++) {
			if (m->n == m->cap) {
				size_t cap = m->cap ? m->cap * 2 : 16;
				moved_t *p = realloc(m->items, cap * sizeof(*p));
				if (!p) {
					unit_list_free(&l);
					return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
				}
				m->items = p;
				m->cap = cap;
			}
			m->items[m->n].id = l.items[i].id;
			m->items[m->n].from = from;
			m->n++;
		}
		ub_strlcpy(cursor, l.next, sizeof(cursor));
		unit_list_free(&l);
	} while (cursor[0]);
	return 0;
}

/* 403 children_out_of_scope when a unit that the sources refs[0..n) (as
 * they stand on d) are the parent of on d or any day after lies outside
 * the caller's scope today: a merge or split re-parents every such stay,
 * so it would rewrite the history of a unit that has since moved to
 * another province (found by review twice: a split named such a child in
 * its refusal; a child that came under a source only after d was re-parented
 * without a word). Neither the child nor its code is named. A ref that
 * names no unit on d is left to the operation's own refusal. */
static int children_in_scope(api_req_t *req, const char *const *refs, size_t n, date_t d, err_t *e)
{
	size_t out = 0;

	if (req->who.global)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int64_t *ids = NULL;
		size_t k = 0;
		bool *in;
		unit_t src;
		err_t probe;
		int r;
		err_clear(&probe);
		if (org_unit_get(req->db, refs[i], d, &src, &probe))
			continue;
		if (org_child_ids_from(req->db, src.id, d, &ids, &k, e))
			return -1;
		in = k ? calloc(k, sizeof(*in)) : NULL;
		if (k && !in) {
			free(ids);
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		}
		r = k ? api_scope_mark(req, ids, k, in, e) : 0;
		for (size_t c = 0; !r && c < k; c++)
			out += !in[c];
		free(ids);
		free(in);
		if (r)
			return -1;
	}
	if (out)
		return err_fail(e, ERR_FORBIDDEN, "children_out_of_scope",
				"{count} of the children this would move lie outside your scope today: the unit above must do it",
				ERR_INT("count", (int64_t)out));
	return 0;
}

/* [{"unit","from","to"}] for the children in m as they stand on d (read
 * inside the dry run's transaction, after the operation). NULL on failure. */
static json_t *moved_json(api_req_t *req, const moved_list_t *m, date_t d, err_t *e)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->n; i++) {
		unit_t c;
		unit_ref_t now;
		if (org_unit_view(req->db, m->items[i].id, d, &c, e)) {
			json_decref(a);
			return NULL;
		}
		ref_of(&c, &now);
		json_array_append_new(a, json_pack("{s:o, s:o, s:o}", "unit", unit_ref_json(&now), "from",
						   unit_ref_json(&m->items[i].from), "to",
						   c.has_parent ? unit_ref_json(&c.parent) : json_null()));
	}
	if (!a)
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	return a;
}

static int post_unit(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "code", "name_vi", "name_en", "level", "kind", "attributes",
					       "parent", "date", "note", "dry_run", NULL };
	char note[NOTE_MAX * 4 + 1];
	unit_spec_t s;
	json_t *body;
	date_t d = 0;
	unit_t u;
	bool dry;

	if (api_require(req, PERM_UNIT_REORGANISE, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	read_spec(body, &s, e);
	if (!s.level[0] && !err_has_detail(e, "level"))
		err_field(e, "level", "required", "is required");
	api_date(body, "date", req->today, &d, e);
	api_str(body, "note", false, NOTE_MAX, note, sizeof(note), e);
	dry = read_dry_run(body, e);
	json_decref(body);
	if (api_check_details(e) || (s.parent[0] ? api_parent_in_scope(req, s.parent, d, "parent", e) : need_global(req, e)) ||
	    dry_begin(req, dry, e))
		return -1;
	if (org_create(req->db, &req->who, &s, d, note[0] ? note : NULL, &u, e) || hide_parent_outside_scope(req, &u, e))
		return dry_end(req, dry, -1, e);
	resp->status = dry ? 200 : 201;
	resp->body = dry ? dry_answer(req, unit_json(&u), e) : unit_json(&u);
	return dry_end(req, dry, resp->body ? 0 : -1, e);
}

static int post_rename(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "date", "name_vi", "name_en", "note", "dry_run", NULL };
	char vi[UNIT_NAME_BUF], en[UNIT_NAME_BUF], note[NOTE_MAX * 4 + 1];
	json_t *body;
	date_t d = 0;
	unit_t u;
	bool dry;

	if (api_require(req, PERM_UNIT_REORGANISE, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_date(body, "date", req->today, &d, e);
	api_str(body, "name_vi", true, UNIT_NAME_MAX, vi, sizeof(vi), e);
	api_str(body, "name_en", true, UNIT_NAME_MAX, en, sizeof(en), e);
	api_str(body, "note", false, NOTE_MAX, note, sizeof(note), e);
	dry = read_dry_run(body, e);
	json_decref(body);
	if (api_check_details(e) || api_unit_for_change(req, req->params[0], d, e) || dry_begin(req, dry, e))
		return -1;
	if (org_rename(req->db, &req->who, req->params[0], d, vi, en, note[0] ? note : NULL, &u, e) ||
	    hide_parent_outside_scope(req, &u, e))
		return dry_end(req, dry, -1, e);
	resp->body = dry ? dry_answer(req, unit_json(&u), e) : unit_json(&u);
	return dry_end(req, dry, resp->body ? 0 : -1, e);
}

static int post_attributes(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "date", "attributes", "note", NULL };
	char attrs[UNIT_ATTRS_BUF], note[NOTE_MAX * 4 + 1];
	json_t *body;
	date_t d = 0;
	unit_t u;

	if (api_require(req, PERM_UNIT_REORGANISE, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_date(body, "date", req->today, &d, e);
	if (!json_is_array(json_object_get(body, "attributes")))
		err_field(e, "attributes", "required", "is required: a list of words, [] for none");
	else
		read_attributes(body, attrs, sizeof(attrs), e);
	api_str(body, "note", false, sizeof(note) - 1, note, sizeof(note), e);
	json_decref(body);
	if (api_check_details(e) || api_unit_for_change(req, req->params[0], d, e) ||
	    org_set_attributes(req->db, &req->who, req->params[0], d, attrs, note[0] ? note : NULL, &u, e))
		return -1;
	if (hide_parent_outside_scope(req, &u, e))
		return -1;
	resp->body = unit_json(&u);
	return 0;
}

static int post_move(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "date", "parent", "note", "dry_run", NULL };
	char parent[UNIT_CODE_MAX + 4], note[NOTE_MAX * 4 + 1];
	json_t *body;
	date_t d = 0;
	unit_t u;
	bool dry;

	if (api_require(req, PERM_UNIT_REORGANISE, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_date(body, "date", req->today, &d, e);
	api_str(body, "parent", true, sizeof(parent) - 1, parent, sizeof(parent), e);
	api_str(body, "note", false, NOTE_MAX, note, sizeof(note), e);
	dry = read_dry_run(body, e);
	json_decref(body);
	if (api_check_details(e) || api_unit_for_change(req, req->params[0], d, e) ||
	    api_parent_in_scope(req, parent, d, "parent", e) || dry_begin(req, dry, e))
		return -1;
	if (org_move(req->db, &req->who, req->params[0], d, parent, note[0] ? note : NULL, &u, e) ||
	    hide_parent_outside_scope(req, &u, e))
		return dry_end(req, dry, -1, e);
	resp->body = dry ? dry_answer(req, unit_json(&u), e) : unit_json(&u);
	return dry_end(req, dry, resp->body ? 0 : -1, e);
}

static int post_close(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "date", "note", "dry_run", NULL };
	char note[NOTE_MAX * 4 + 1];
	json_t *body;
	date_t d = 0;
	unit_t u;
	bool dry;

	if (api_require(req, PERM_UNIT_REORGANISE, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_date(body, "date", req->today, &d, e);
	api_str(body, "note", false, NOTE_MAX, note, sizeof(note), e);
	dry = read_dry_run(body, e);
	json_decref(body);
	if (api_check_details(e) || api_unit_for_change(req, req->params[0], d, e) || dry_begin(req, dry, e))
		return -1;
	if (org_close(req->db, &req->who, req->params[0], d, note[0] ? note : NULL, &u, e) ||
	    hide_parent_outside_scope(req, &u, e))
		return dry_end(req, dry, -1, e);
	resp->body = dry ? dry_answer(req, unit_json(&u), e) : unit_json(&u);
	return dry_end(req, dry, resp->body ? 0 : -1, e);
}

/* Event event_id as the caller may see it (units outside her scope left
 * out), or NULL on failure. */
static json_t *scoped_event_json(api_req_t *req, int64_t event_id, err_t *e)
{
	event_list_t one = { .n = 1 };
	event_t ev;
	json_t *j;

	if (org_event_get(req->db, event_id, &ev, e))
		return NULL;
	one.items = &ev;
	j = redact_events(req, &one, e) ? NULL : event_json(&ev);
	event_free(&ev);
	return j;
}

static json_t *event_and(api_req_t *req, int64_t event_id, const char *key, json_t *value, err_t *e)
{
	json_t *ev = scoped_event_json(req, event_id, e);

	if (!ev) {
		json_decref(value);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "event", ev, key, value);
}

#define MERGE_SOURCES_MAX 64

static int post_merge(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "date", "sources", "into", "note", "dry_run", NULL };
	char codes[MERGE_SOURCES_MAX][UNIT_CODE_MAX + 4], into_ref[UNIT_CODE_MAX + 4] = "";
	char note[NOTE_MAX * 4 + 1];
	const char *src[MERGE_SOURCES_MAX], *handed[MERGE_SOURCES_MAX];
	unit_spec_t spec;
	moved_list_t moved = { 0 };
	bool into_new = false, dry;
	json_t *body, *sources, *into, *v;
	size_t n = 0, n_handed = 0, i;
	int64_t ev = 0;
	date_t d = 0;
	unit_t u;
	int r = -1;

	if (api_require(req, PERM_UNIT_REORGANISE, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_date(body, "date", req->today, &d, e);
	api_str(body, "note", false, NOTE_MAX, note, sizeof(note), e);
	dry = read_dry_run(body, e);
	sources = json_object_get(body, "sources");
	if (!sources || json_is_null(sources)) {
		err_field(e, "sources", "required", "is required");
	} else if (!json_is_array(sources)) {
		err_field(e, "sources", "not_a_list", "must be a list of unit codes");
	} else if (json_array_size(sources) == 0) {
		err_field(e, "sources", "too_few", "needs at least {min} unit", ERR_INT("min", 1));
	} else if (json_array_size(sources) > MERGE_SOURCES_MAX) {
		err_field(e, "sources", "too_many", "has too many units (at most {max})", ERR_INT("max", MERGE_SOURCES_MAX));
	} else {
		json_array_foreach(sources, i, v) {
			if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > UNIT_CODE_MAX + 3) {
				err_field(e, "sources", "not_a_list", "must be a list of unit codes");
				break;
			}
			memcpy(codes[n], json_string_value(v), json_string_length(v) + 1);
			src[n] = codes[n];
			n++;
		}
	}
	into = json_object_get(body, "into");
	if (json_is_string(into)) {
		api_str(body, "into", true, sizeof(into_ref) - 1, into_ref, sizeof(into_ref), e);
	} else if (json_is_object(into)) {
		err_t sub;
		err_clear(&sub);
		into_new = true;
		api_only(into, SPEC_FIELDS, "into", e);
		read_spec(into, &spec, &sub);
		for (int k = 0; k < sub.n_details; k++)
			err_field_copy(e, "into.", &sub.details[k]);
	} else if (!into || json_is_null(into)) {
		err_field(e, "into", "required", "is required");
	} else {
		err_field(e, "into", "not_a_code_or_unit", "must be a unit code or a new unit");
	}
	for (i = 0; i < n && !e->n_details && e->kind == ERR_NONE; i++)
		api_unit_for_change(req, src[i], d, e);
	if (e->kind == ERR_NONE && !into_new && into_ref[0])
		api_unit_for_change(req, into_ref, d, e);
	if (e->kind == ERR_NONE && into_new && spec.parent[0])
		api_parent_in_scope(req, spec.parent, d, "into.parent", e);
	/* a source that is also the target keeps its children: they do not move */
	for (i = 0; i < n; i++)
		if (into_new || strcmp(src[i], into_ref) != 0)
			handed[n_handed++] = src[i];
	for (i = 0; i < n_handed && e->kind == ERR_NONE && !e->n_details; i++)
		moved_add_children(req, handed[i], d, &moved, e);
	if (e->kind == ERR_NONE && !e->n_details)
		children_in_scope(req, handed, n_handed, d, e);
	if (e->kind == ERR_NONE && !api_check_details(e) && dry_begin(req, dry, e) == 0) {
		if (!org_merge(req->db, &req->who, src, n, d, into_new ? &spec : NULL, into_new ? NULL : into_ref,
			       note[0] ? note : NULL, &u, &ev, e)) {
			resp->status = into_new && !dry ? 201 : 200;
			if (hide_parent_outside_scope(req, &u, e) == 0) {
				resp->body = event_and(req, ev, "unit", unit_json(&u), e);
				r = resp->body ? 0 : -1;
			}
			if (r == 0 && dry) {
				json_t *m = moved_json(req, &moved, d, e);
				json_object_set_new(resp->body, "dry_run", json_true());
				r = m ? json_object_set_new(resp->body, "moved", m) : -1;
			}
		}
		r = dry_end(req, dry, r, e);
		if (r && resp->body) {
			json_decref(resp->body);
			resp->body = NULL;
		}
	}
	moved_free(&moved);
	json_decref(body);
	return r;
}

#define SPLIT_PARTS_MAX 32
#define SPLIT_CHILDREN_MAX 2000

static int post_split(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "date", "into", "children", "note", "dry_run", NULL };
	char note[NOTE_MAX * 4 + 1];
	unit_spec_t *parts = NULL;
	child_assign_t *assign = NULL;
	size_t n_parts = 0, n_assign = 0, i;
	json_t *body, *into, *children, *v, *items;
	const char *key;
	unit_list_t out;
	moved_list_t moved = { 0 };
	int64_t ev = 0;
	date_t d = 0;
	bool dry;
	int r = -1;

	if (api_require(req, PERM_UNIT_REORGANISE, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_date(body, "date", req->today, &d, e);
	api_str(body, "note", false, NOTE_MAX, note, sizeof(note), e);
	dry = read_dry_run(body, e);
	into = json_object_get(body, "into");
	children = json_object_get(body, "children");
	if (!into || json_is_null(into)) {
		err_field(e, "into", "required", "is required");
	} else if (!json_is_array(into)) {
		err_field(e, "into", "not_a_list", "must be a list of new units");
	} else if (json_array_size(into) < 2) {
		err_field(e, "into", "too_few", "needs at least {min} new units", ERR_INT("min", 2));
	} else if (json_array_size(into) > SPLIT_PARTS_MAX) {
		err_field(e, "into", "too_many", "has too many new units (at most {max})", ERR_INT("max", SPLIT_PARTS_MAX));
	} else {
		parts = calloc(json_array_size(into), sizeof(*parts));
		if (!parts) {
			json_decref(body);
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		}
		json_array_foreach(into, i, v) {
			char item[32];
			err_t sub;
			err_clear(&sub);
			snprintf(item, sizeof(item), "into[%zu]", i);
			if (!json_is_object(v)) {
				err_field(e, item, "not_an_object", "must be an object (a new unit)");
				continue;
			}
			api_only(v, SPEC_FIELDS, item, e);
			read_spec(v, &parts[n_parts++], &sub);
			snprintf(item, sizeof(item), "into[%zu].", i);
			for (int k = 0; k < sub.n_details; k++)
				err_field_copy(e, item, &sub.details[k]);
		}
	}
	if (children && !json_is_null(children)) {
		if (!json_is_object(children)) {
			err_field(e, "children", "not_an_object", "must map child codes to new unit codes");
		} else if (json_object_size(children) > SPLIT_CHILDREN_MAX) {
			err_field(e, "children", "too_many", "has too many children (at most {max})",
				  ERR_INT("max", SPLIT_CHILDREN_MAX));
		} else if (json_object_size(children) > 0) {
			assign = calloc(json_object_size(children), sizeof(*assign));
			if (!assign) {
				free(parts);
				json_decref(body);
				return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
			}
			json_object_foreach(children, key, v) {
				if (!json_is_string(v) || strlen(key) > UNIT_CODE_MAX ||
				    json_string_length(v) > UNIT_CODE_MAX) {
					err_field(e, "children", "not_an_object", "must map child codes to new unit codes");
					break;
				}
				ub_strlcpy(assign[n_assign].child, key, sizeof(assign[n_assign].child));
				ub_strlcpy(assign[n_assign].part, json_string_value(v), sizeof(assign[n_assign].part));
				n_assign++;
			}
		}
	}
	if (!e->n_details)
		api_unit_for_change(req, req->params[0], d, e);
	for (i = 0; i < n_parts && e->kind == ERR_NONE && !e->n_details; i++)
		if (parts[i].parent[0]) {
			char field[48];
			snprintf(field, sizeof(field), "into[%zu].parent", i);
			api_parent_in_scope(req, parts[i].parent, d, field, e);
		}
	if (e->kind == ERR_NONE && !e->n_details && moved_add_children(req, req->params[0], d, &moved, e) == 0)
		children_in_scope(req, &req->params[0], 1, d, e);
	if (e->kind == ERR_NONE && !api_check_details(e) && dry_begin(req, dry, e) == 0) {
		if (!org_split(req->db, &req->who, req->params[0], d, parts, n_parts, assign, n_assign,
			       note[0] ? note : NULL, &out, &ev, e)) {
			if (hide_parents(req, &out, e) == 0) {
				items = json_array();
				for (i = 0; items && i < out.n; i++)
					json_array_append_new(items, unit_json(&out.items[i]));
				resp->status = dry ? 200 : 201;
				resp->body = event_and(req, ev, "units", items, e);
				r = resp->body ? 0 : -1;
			}
			if (r == 0 && dry) {
				json_t *m = moved_json(req, &moved, d, e);
				json_object_set_new(resp->body, "dry_run", json_true());
				r = m ? json_object_set_new(resp->body, "moved", m) : -1;
			}
			unit_list_free(&out);
		}
		r = dry_end(req, dry, r, e);
		if (r && resp->body) {
			json_decref(resp->body);
			resp->body = NULL;
		}
	}
	moved_free(&moved);
	free(parts);
	free(assign);
	json_decref(body);
	return r;
}

/* ---- plans ----
 * POST /units/plan applies an operations file (the CSV `units apply`
 * reads, io/org_ops.h) all or nothing, or previews it (dry_run): each
 * operation is checked against the caller's scope as its own route checks
 * it, inside the plan's one transaction, so a unit an earlier line created
 * counts; the first refusal stops the plan with the line it came from. */

#define PLAN_SOURCES_BUF 1024

/* The scope checks of one merge line: every source changed from above,
 * the new unit's parent in scope, and every child that moves in scope
 * (collected into moved for the answer). */
static int plan_merge_in_scope(api_req_t *req, const org_plan_op_t *op, moved_list_t *moved, err_t *e)
{
	char buf[PLAN_SOURCES_BUF], *save = NULL;
	const char *src[PLAN_SOURCES_BUF / 2];
	size_t n = 0;

	ub_strlcpy(buf, op->sources, sizeof(buf));
	for (char *tok = strtok_r(buf, " ", &save); tok && n < PLAN_SOURCES_BUF / 2; tok = strtok_r(NULL, " ", &save)) {
		if (api_unit_for_change(req, tok, op->date, e) || moved_add_children(req, tok, op->date, moved, e))
			return -1;
		src[n++] = tok;
	}
	if (op->parent[0] && api_parent_in_scope(req, op->parent, op->date, "parent", e))
		return -1;
	return children_in_scope(req, src, n, op->date, e);
}

/* What the route of op's kind checks before calling the store. */
static int plan_op_in_scope(api_req_t *req, const org_plan_op_t *op, moved_list_t *moved, err_t *e)
{
	if (strcmp(op->op, "create") == 0)
		return op->parent[0] ? api_parent_in_scope(req, op->parent, op->date, "parent", e) : need_global(req, e);
	if (strcmp(op->op, "merge") == 0)
		return plan_merge_in_scope(req, op, moved, e);
	if (api_unit_for_change(req, op->code, op->date, e))
		return -1;
	if (strcmp(op->op, "move") == 0)
		return api_parent_in_scope(req, op->parent, op->date, "parent", e);
	return 0;
}

/* The newest event's id, 0 when there is none. */
static int last_event(api_req_t *req, int64_t *id, err_t *e)
{
	err_t probe;

	err_clear(&probe);
	*id = 0;
	if (org_event_last(req->db, id, &probe) == 0 || probe.kind == ERR_NOT_FOUND)
		return 0;
	*e = probe;
	return -1;
}

/* {"line", "op", "date", "code", "event", "moved"} for an operation just
 * applied: the event it recorded (null for attributes, which records
 * none) and the children a merge handed to the new unit. */
static json_t *plan_step_json(api_req_t *req, const org_plan_op_t *op, int64_t ev, const moved_list_t *moved,
			      err_t *e)
{
	json_t *event = ev ? scoped_event_json(req, ev, e) : json_null();
	json_t *m = event ? moved_json(req, moved, op->date, e) : NULL;

	if (!m) {
		json_decref(event);
		return NULL;
	}
	return json_pack("{s:I, s:s, s:o, s:s, s:o, s:o}", "line", (json_int_t)op->line, "op", op->op, "date",
			 json_date(op->date), "code", op->code, "event", event, "moved", m);
}

/* Checks and applies operation i of plan, appending its answer to out.
 * A refusal gets the operation's line. */
static int plan_step(api_req_t *req, const org_plan_t *plan, size_t i, json_t *out, err_t *e)
{
	moved_list_t moved = { 0 };
	int64_t before = 0, after = 0;
	org_plan_op_t op;
	json_t *item = NULL;

	org_plan_get(plan, i, &op);
	if (plan_op_in_scope(req, &op, &moved, e)) {
		err_add_param(e, ERR_INT("line", (int64_t)op.line));
	} else if (last_event(req, &before, e) == 0 && org_plan_apply(req->db, &req->who, plan, i, e) == 0 &&
		   last_event(req, &after, e) == 0) {
		item = plan_step_json(req, &op, after != before ? after : 0, &moved, e);
	}
	moved_free(&moved);
	return item ? json_array_append_new(out, item) : -1;
}

/* Applies every operation of plan in the transaction the caller opened,
 * into a new array *out (NULL on failure). */
static int plan_run(api_req_t *req, const org_plan_t *plan, json_t **out, err_t *e)
{
	json_t *ops = json_array();

	*out = NULL;
	if (!ops)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < org_plan_count(plan); i++)
		if (plan_step(req, plan, i, ops, e)) {
			hide_code_holder(req, e);
			json_decref(ops);
			return -1;
		}
	*out = ops;
	return 0;
}

static int post_plan(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "csv", "dry_run", NULL };
	org_plan_t *plan = NULL;
	json_t *body, *csv, *ops = NULL;
	bool dry;
	int rc;

	if (api_require(req, PERM_UNIT_REORGANISE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	dry = read_dry_run(body, e);
	csv = json_object_get(body, "csv");
	if (!csv || json_is_null(csv))
		err_field(e, "csv", "required", "is required");
	else if (!json_is_string(csv))
		err_field(e, "csv", "not_a_string", "must be a string");
	if (api_check_details(e) ||
	    org_plan_read(json_string_value(csv), json_string_length(csv), NULL, &plan, e)) {
		json_decref(body);
		return -1;
	}
	json_decref(body);
	rc = db_begin(req->db);
	if (rc != DB_OK) {
		org_plan_free(plan);
		return store_fail(req->db, rc, e);
	}
	if (plan_run(req, plan, &ops, e) == 0 && !dry && (rc = db_commit(req->db)) != DB_OK) {
		json_decref(ops);
		ops = NULL;
		store_fail(req->db, rc, e);
	}
	if (db_in_transaction(req->db))
		db_rollback(req->db);
	org_plan_free(plan);
	if (!ops)
		return -1;
	resp->body = json_pack("{s:b, s:I, s:o}", "dry_run", dry, "count", (json_int_t)json_array_size(ops),
			       "operations", ops);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

const api_route_t API_UNIT_ROUTES[] = {
	{ "GET", "/api/v1/openapi.json", get_openapi, ROUTE_PUBLIC },
	{ "GET", "/api/v1/levels", get_levels, 0 },
	{ "GET", "/api/v1/tree", get_tree, 0 },
	{ "GET", "/api/v1/events", get_events, 0 },
	{ "GET", "/api/v1/units", get_units, ROUTE_SEARCH },
	{ "POST", "/api/v1/units", post_unit, 0 },
	{ "POST", "/api/v1/units/merge", post_merge, 0 },
	{ "POST", "/api/v1/units/plan", post_plan, 0 },
	{ "GET", "/api/v1/units/{}", get_unit, 0 },
	{ "GET", "/api/v1/units/{}/children", get_children, 0 },
	{ "GET", "/api/v1/units/{}/ancestors", get_ancestors, 0 },
	{ "GET", "/api/v1/units/{}/lineage", get_lineage, 0 },
	{ "POST", "/api/v1/units/{}/rename", post_rename, 0 },
	{ "POST", "/api/v1/units/{}/attributes", post_attributes, 0 },
	{ "POST", "/api/v1/units/{}/move", post_move, 0 },
	{ "POST", "/api/v1/units/{}/close", post_close, 0 },
	{ "POST", "/api/v1/units/{}/split", post_split, 0 },
	{ NULL, NULL, NULL, 0 },
};
