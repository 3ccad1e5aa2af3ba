/*
 * audit.c - reading the audit trail (admins; rows about units in scope and
 * users of those units). There is no route that changes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/views.h"
#include "core/text.h"
#include "store/audit.h"
#include "store/auth_store.h"
#include "store/org_store.h"

static const char *arg(api_req_t *req, const char *name, size_t max, err_t *e)
{
	const char *v = api_query(req, name);

	if (!v || !*v)
		return NULL;
	if (text_length(v) > max)
		err_field(e, name, "too_long", "is too long (at most {max} characters)", ERR_INT("max", max));
	return v;
}

/* The unit of each row as it is today (refs[i].id 0 for a row without
 * one), read together: *refs is malloc'd, the caller frees it. */
static int unit_refs(api_req_t *req, const audit_list_t *l, unit_ref_t **refs, err_t *e)
{
	int64_t *ids = NULL;
	date_t *days = NULL;
	unit_ref_t *found = NULL;
	size_t n = 0;
	int r = 0;

	*refs = calloc(l->n ? l->n : 1, sizeof(**refs));
	ids = malloc((l->n ? l->n : 1) * sizeof(*ids));
	days = malloc((l->n ? l->n : 1) * sizeof(*days));
	found = malloc((l->n ? l->n : 1) * sizeof(*found));
	if (!*refs || !ids || !days || !found) {
		free(*refs);
		*refs = NULL;
		free(ids);
		free(days);
		free(found);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	for (size_t i = 0; !r && i < l->n; i++)
		if (l->items[i].unit_id) {
			ids[n] = l->items[i].unit_id;
			days[n++] = req->today;
		}
	if (!r && n)
		r = org_unit_refs(req->db, ids, days, n, found, e);
	for (size_t i = 0, k = 0; !r && i < l->n; i++)
		if (l->items[i].unit_id)
			(*refs)[i] = found[k++];
	free(ids);
	free(days);
	free(found);
	if (r) {
		free(*refs);
		*refs = NULL;
	}
	return r;
}

/* The unit state (before or after) of a row that names a parent, or NULL. */
static json_t *with_parent(json_t *row, const char *side)
{
	json_t *v = json_object_get(row, side);

	return json_is_object(v) && json_is_string(json_object_get(v, "parent")) ? v : NULL;
}

/* A unit's before and after name its parent, which may lie outside the
 * caller's scope (a unit moved in from another province): hidden as the
 * unit's own history hides it (issue 13, finding 7). All rows are judged
 * with one scope query, by the parent's id; a row written before the id was
 * recorded (its code alone is ambiguous) keeps its parent only for the
 * admin at the root. */
/* A before or after that names a parent. */
typedef struct named_parent {
	json_t *state;
} named_parent_t;

static int hide_parents_outside_scope(api_req_t *req, json_t *items, err_t *e)
{
	static const char *const sides[] = { "before", "after" };
	size_t n = 0, cap = json_array_size(items) * 2, i;
	named_parent_t *states;
	json_t *row;
	int64_t *ids;
	bool *in;
	int r;

	if (req->who.global || cap == 0)
		return 0;
	states = calloc(cap, sizeof(*states));
	ids = calloc(cap, sizeof(*ids));
	in = calloc(cap, sizeof(*in));
	if (!states || !ids || !in) {
		free(states);
		free(ids);
		free(in);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	json_array_foreach(items, i, row)
		for (size_t k = 0; k < 2 && n < cap; k++) {
			json_t *v = with_parent(row, sides[k]);
			if (v) {
				states[n].state = v;
				ids[n++] = (int64_t)json_integer_value(json_object_get(v, "parent_id"));
			}
		}
	r = api_scope_mark(req, ids, n, in, e);
	for (size_t k = 0; !r && k < n; k++)
		if (!ids[k] || !in[k]) {
			json_object_set_new(states[k].state, "parent", json_null());
			json_object_set_new(states[k].state, "parent_id", json_null());
		}
	free(states);
	free(ids);
	free(in);
	return r;
}

static int get_audit(api_req_t *req, api_resp_t *resp, err_t *e)
{
	unit_ref_t *refs = NULL;
	audit_query_t q;
	audit_list_t l;
	const char *unit, *user, *cursor;
	json_t *items;
	date_t d;

	if (api_require(req, PERM_AUDIT_READ, e))
		return -1;
	memset(&q, 0, sizeof(q));
	q.scope = &req->who;
	unit = arg(req, "unit", UNIT_CODE_MAX + 3, e);
	user = arg(req, "user", USERNAME_MAX, e);
	q.record_type = arg(req, "record_type", 30, e);
	q.record_id = arg(req, "record_id", 60, e);
	q.action = arg(req, "action", 38, e);
	q.from = arg(req, "from", 10, e);
	q.to = arg(req, "to", 10, e);
	cursor = arg(req, "cursor", 20, e);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "to" : "from", *v = i ? q.to : q.from;
		if (v && date_parse(v, &d))
			err_field(e, name, "not_a_date", "must be a date YYYY-MM-DD", ERR_STR("value", v));
		else if (v && d >= DATE_OPEN) /* as every query date: see api_query_date */
			err_field(e, name, "too_late", "must be a day before 9999-12-31 (which stands for \"still holds\")",
				  ERR_STR("value", v));
	}
	if (e->n_details)
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "the query string is not valid");
	if (api_query_int(req, "limit", 100, 1, 500, &q.limit, e))
		return -1;
	if (cursor) {
		char *end = NULL;
		q.before_id = strtoll(cursor, &end, 10);
		if (!end || *end || q.before_id <= 0)
			return err_fail(e, ERR_BAD_REQUEST, "bad_request", "the cursor is not valid");
	}
	if (unit) {
		unit_t u;
		err_t probe;
		err_clear(&probe);
		/* a unit of today, or one that held the code before */
		if (org_unit_nearest(req->db, unit, req->today, &u, &probe) || !api_id_in_scope(req, u.id)) {
			if (probe.kind != ERR_NONE && probe.kind != ERR_NOT_FOUND) {
				*e = probe;
				return -1;
			}
			return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit with code {ref}", ERR_STR("ref", unit));
		}
		q.unit_id = u.id;
	}
	if (user) {
		user_t who;
		if (user_by_name(req->db, user, req->today, &who, NULL, e) || !api_id_in_scope(req, who.unit_id))
			return err_fail(e, ERR_NOT_FOUND, "not_found", "no such user");
		q.user_id = who.id;
	}
	if (audit_search(req->db, &q, &l, e))
		return -1;
	if (unit_refs(req, &l, &refs, e)) {
		audit_list_free(&l);
		return -1;
	}
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++) {
		json_t *ref = NULL;
		if (refs && l.items[i].unit_id && refs[i].id)
			ref = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)refs[i].id, "code", refs[i].code, "name_vi",
					refs[i].name_vi);
		json_array_append_new(items, audit_row_json(&l.items[i], ref));
	}
	free(refs);
	if (!items || hide_parents_outside_scope(req, items, e)) {
		json_decref(items);
		audit_list_free(&l);
		return items ? -1 : err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	resp->body = json_pack("{s:o, s:o}", "items", items, "next", l.next[0] ? json_string(l.next) : json_null());
	audit_list_free(&l);
	return 0;
}

const api_route_t API_AUDIT_ROUTES[] = {
	{ "GET", "/api/v1/audit", get_audit, 0 },
	{ NULL, NULL, NULL, 0 },
};
