/*
 * targets.c - a unit's targets for a congress term, and where it stands
 * against each (docs/reports.md, Targets; store/targets.h, core/target.h):
 *   GET /api/v1/targets/{unit}/{term}
 *   PUT /api/v1/targets/{unit}/{term}   {"targets": {CODE: {"value", "direction", "allowance"} | null}}
 * The level above sets a unit's targets (report.approve, the unit strictly
 * inside its scope): it hands them down, with the room the unit has to
 * lower one. The unit's own officials (record.write) set the targets no
 * one handed down, and adjust those handed down within that room.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "api/api.h"
#include "core/target.h"
#include "store/audit.h"
#include "store/org_store.h"
#include "store/targets.h"

#define TARGETS_BODY_MAX 64 /* targets in one request */

typedef struct targets_req {
	unit_t unit;
	period_t term;
	char term_code[PERIOD_CODE_MAX];
	report_ctx_t c;
	report_ctx_t before; /* the six months before the term: the baselines */
	bool has_before;
	indicator_t *inds; /* the catalogue, malloc'd */
	size_t n_inds;
} targets_req_t;

static void targets_req_free(targets_req_t *t)
{
	free(t->inds);
	t->inds = NULL;
}

/* The day the term's tree is read on: its last day, or today while it
 * runs. */
static date_t term_day(const api_req_t *req, const targets_req_t *t)
{
	return t->term.to < req->today ? t->term.to : req->today;
}

/* The unit and term of the path: the unit in the caller's scope (on the
 * term's last day, or today while it runs), the period a term. */
static int targets_req(api_req_t *req, targets_req_t *t, err_t *e)
{
	memset(t, 0, sizeof(*t));
	t->term.type = PERIOD_TERM;
	if (api_period_arg(req->params[1], "term", &t->term, e))
		return -1;
	if (t->term.type != PERIOD_TERM) {
		err_field(e, "term", "not_a_term", "is not a congress term (such as T2026-2031)");
		return api_check_details(e);
	}
	period_format(&t->term, t->term_code);
	if (api_unit_in_scope(req, req->params[0], term_day(req, t), &t->unit, e))
		return -1;
	report_ctx_init(&t->c, req->db, req->today, t->unit.id, &t->term);
	t->has_before = target_baseline_ctx(&t->c, &t->before) == 0;
	return report_indicators(req->db, &t->inds, &t->n_inds, e);
}

/* The code of unit id (as of the term's last day, or today). */
static int unit_code(api_req_t *req, const targets_req_t *t, int64_t id, char *out, size_t cap, err_t *e)
{
	unit_t u;

	if (org_unit_view(req->db, id, term_day(req, t), &u, e))
		return -1;
	snprintf(out, cap, "%s", u.code);
	return 0;
}

static json_t *opt_milli(bool has, int64_t v)
{
	return has ? api_milli_json(v) : json_null();
}

/* One target and where the unit stands: counted into summary[status]. */
static json_t *target_json(api_req_t *req, targets_req_t *t, const indicator_t *ind, const target_row_t *row,
			   int64_t elapsed, int64_t *summary, err_t *e)
{
	char set_by_unit[UNIT_CODE_MAX + 1], from[UNIT_CODE_MAX + 1];
	bool has_baseline = false;
	int64_t baseline = 0, expected;
	target_status_t st;
	report_value_t v;

	set_by_unit[0] = '\0';
	if (target_progress(&t->c, t->has_before ? &t->before : NULL, ind, &v, &has_baseline, &baseline, e) ||
	    (row->set_by_unit && unit_code(req, t, row->set_by_unit, set_by_unit, sizeof(set_by_unit), e)) ||
	    unit_code(req, t, row->unit_id, from, sizeof(from), e))
		return NULL;
	/* with no start to draw the path from, only the target itself counts;
	 * the value and the path's point are compared as the indicator is
	 * written (2.832 members is 3), as they are shown */
	expected = ind_round(has_baseline ? target_expected(baseline, row->value, elapsed) : row->value, ind->decimals);
	v.value = ind_round(v.value, ind->decimals);
	st = target_status(row->direction, v.has, v.value, expected, row->value, elapsed);
	summary[st]++;
	return json_pack("{s:s, s:o, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:s}", "indicator", ind->code,
			 "target", api_milli_json(row->value), "direction", target_direction_name(row->direction), "base",
			 opt_milli(row->has_base, row->base), "allowance", opt_milli(row->has_base, row->allowance),
			 "set_by", row->set_by, "set_by_unit", set_by_unit[0] ? json_string(set_by_unit) : json_null(), "inherited_from",
			 row->unit_id == t->unit.id ? json_null() : json_string(from), "value",
			 opt_milli(v.has, v.value), "value_status", v.has ? report_value_status_name(v.status) : "none",
			 "baseline", opt_milli(has_baseline, baseline), "expected", api_milli_json(expected), "status",
			 target_status_name(st));
}

static json_t *summary_json(const int64_t *summary)
{
	json_t *o = json_object();
	int64_t total = 0;

	for (int s = 0; o && s < TARGET_STATUSES; s++) {
		json_object_set_new(o, target_status_name((target_status_t)s), json_integer(summary[s]));
		total += summary[s];
	}
	if (o)
		json_object_set_new(o, "total", json_integer(total));
	return o;
}

static int answer_targets(api_req_t *req, targets_req_t *t, api_resp_t *resp, err_t *e)
{
	int64_t summary[TARGET_STATUSES] = { 0 }, elapsed = target_elapsed(&t->term, req->today);
	char from[DATE_STR_LEN], to[DATE_STR_LEN];
	json_t *items = json_array(), *unit;
	int r = 0;

	for (size_t i = 0; !r && items && i < t->n_inds; i++) {
		target_row_t row;
		bool found = false;
		json_t *o;
		r = target_holding(req->db, t->term_code, t->unit.id, term_day(req, t), &t->inds[i], &row, &found, e);
		if (r || !found)
			continue;
		o = target_json(req, t, &t->inds[i], &row, elapsed, summary, e);
		if (!o) {
			r = e->kind == ERR_NONE ? err_fail(e, ERR_INTERNAL, NULL, "out of memory") : -1;
			break;
		}
		json_array_append_new(items, o);
	}
	targets_req_free(t);
	if (r || !items) {
		json_decref(items);
		return r ? -1 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	unit = json_pack("{s:s, s:s, s:s, s:s}", "code", t->unit.code, "name_vi", t->unit.name_vi, "name_en",
			 t->unit.name_en, "level", t->unit.level);
	resp->body = json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:o}", "unit", unit ? unit : json_object(), "term",
			       t->term_code, "from", date_format(t->term.from, from), "to", date_format(t->term.to, to),
			       "elapsed", json_real((double)elapsed / 1000.0), "summary", summary_json(summary),
			       "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int get_targets(api_req_t *req, api_resp_t *resp, err_t *e)
{
	targets_req_t t = { .inds = NULL };

	if (api_require(req, PERM_RECORD_READ, e) || targets_req(req, &t, e)) {
		targets_req_free(&t);
		return -1;
	}
	return answer_targets(req, &t, resp, e);
}

/* ---- setting them ---- */

/* Whether the caller sets the targets of her own unit (within what was
 * handed down) rather than those of a unit below her. The whole tree's
 * officials set the top's as its own: no one is above it. */
static bool own_unit(const api_req_t *req, const targets_req_t *t)
{
	return req->who.unit_id == t->unit.id;
}

/* A number of the body as thousandths for ind: a detail under field when
 * it is not one. Returns 0 when *out was set. */
static int number_of(json_t *v, const indicator_t *ind, const char *field, int64_t *out, err_t *e)
{
	if (!json_is_number(v))
		return err_field(e, field, "not_a_number", "is not a number"), -1;
	if (fabs(json_number_value(v)) * IND_MILLI > (double)IND_VALUE_MAX)
		return err_field(e, field, "out_of_range", "must be between {min} and {max}",
				 ERR_INT("min", -(IND_VALUE_MAX / IND_MILLI)), ERR_INT("max", IND_VALUE_MAX / IND_MILLI)), -1;
	if (ind_milli_from_double(json_number_value(v), ind->decimals, out))
		return err_field(e, field, "too_precise", "takes a number with at most {decimals} decimals",
				 ERR_INT("decimals", ind->decimals)), -1;
	return 0;
}

/* The direction of spec (default `def`): a detail when it names none. */
static void direction_of(json_t *spec, const char *field, target_direction_t def, target_direction_t *out, err_t *e)
{
	json_t *v = json_object_get(spec, "direction");
	char sub[IND_CODE_MAX + 32];

	*out = def;
	snprintf(sub, sizeof(sub), "%s.direction", field);
	if (v && !json_is_string(v))
		err_field(e, sub, "not_a_string", "is not a string");
	else if (v && target_direction_parse(json_string_value(v), out))
		err_field(e, sub, "not_one_of", "{value} is not one of {allowed}", ERR_STR("value", json_string_value(v)),
			  ERR_STR("allowed", "at_least, at_most"));
}

/* What the body asks of one target into row, unless it is null (*clear);
 * details on e for what is wrong. From above: any value, with its
 * direction and room (allowance). The unit's own: a target of its own,
 * or the one handed down adjusted within its room. */
static int read_target(api_req_t *req, targets_req_t *t, const indicator_t *ind, json_t *spec, const char *field,
		       target_row_t *row, bool *clear, err_t *e)
{
	static const char *const allowed[] = { "value", "direction", "allowance", NULL };
	char sub[IND_CODE_MAX + 32];
	bool bound = false;
	target_row_t b;

	memset(row, 0, sizeof(*row));
	snprintf(row->indicator, sizeof(row->indicator), "%s", ind->code);
	row->unit_id = t->unit.id;
	row->set_by_unit = req->who.unit_id;
	*clear = json_is_null(spec);
	if (own_unit(req, t) && target_bound(req->db, t->term_code, t->unit.id, term_day(req, t), ind, &b, &bound, e))
		return -1;
	if (bound && *clear)
		return err_field(e, field, "managed_from_above", "{indicator} was handed down by the level above",
				 ERR_STR("indicator", ind->code)), 0;
	if (*clear)
		return 0;
	if (!json_is_object(spec))
		return err_field(e, field, "not_an_object", "is not an object"), 0;
	api_only(spec, allowed, field, e);
	snprintf(sub, sizeof(sub), "%s.value", field);
	if (!json_object_get(spec, "value"))
		err_field(e, sub, "required", "is required");
	else if (number_of(json_object_get(spec, "value"), ind, sub, &row->value, e) == 0)
		ind_check_value(ind, row->value, sub, e);
	direction_of(spec, field, bound ? b.direction : TARGET_AT_LEAST, &row->direction, e);
	snprintf(sub, sizeof(sub), "%s.allowance", field);
	if (!own_unit(req, t)) {
		/* handed down: the value, and the room the unit has below it */
		row->has_base = true;
		row->base = row->value;
		if (json_object_get(spec, "allowance") &&
		    number_of(json_object_get(spec, "allowance"), ind, sub, &row->allowance, e) == 0 && row->allowance < 0)
			err_field(e, sub, "below_min", "must be at least {limit}", ERR_STR("limit", "0"));
		return 0;
	}
	if (json_object_get(spec, "allowance"))
		err_field(e, sub, "managed_from_above", "the room of {indicator} is given by the level above",
			  ERR_STR("indicator", ind->code));
	if (bound)
		target_adjust(&b, row, json_object_get(spec, "value") != NULL, field, e);
	return 0;
}

/* The audit form of a target row: a JSON text (malloc'd), or NULL. */
static char *row_text(const target_row_t *r)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:o, s:o}", "indicator", r->indicator, "value", api_milli_json(r->value),
			      "direction", target_direction_name(r->direction), "base", opt_milli(r->has_base, r->base),
			      "allowance", opt_milli(r->has_base, r->allowance));
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return s;
}

/* Stores one target (or removes it), audited with what it was. */
static int store_target(api_req_t *req, targets_req_t *t, const target_row_t *row, bool clear, err_t *e)
{
	char id[IND_CODE_MAX + UNIT_CODE_MAX + PERIOD_CODE_MAX + 4], *before = NULL, *after = NULL;
	target_row_t cur;
	bool found = false;
	int r;

	if (target_get(req->db, t->term_code, t->unit.id, row->indicator, &cur, &found, e))
		return -1;
	if (clear && !found)
		return 0;
	before = found ? row_text(&cur) : NULL;
	after = clear ? NULL : row_text(row);
	/* the same target set again: nothing to store, nothing to audit */
	if (before && after && strcmp(before, after) == 0) {
		free(before);
		free(after);
		return 0;
	}
	snprintf(id, sizeof(id), "%s/%s/%s", t->unit.code, t->term_code, row->indicator);
	r = clear ? target_delete(req->db, t->term_code, t->unit.id, row->indicator, e)
		  : target_put(req->db, t->term_code, row, &req->who, e);
	if (!r)
		r = audit_write(req->db, &req->who, clear ? "target.remove" : "target.set", t->unit.id, "target", id,
				before, after, NULL, e);
	free(before);
	free(after);
	return r;
}

/* Who may set the unit's targets: the level above (report.approve, the
 * unit strictly inside its scope), or the unit's own officials. */
static int setter(api_req_t *req, const targets_req_t *t, err_t *e)
{
	date_t d = term_day(req, t);

	if (own_unit(req, t))
		return api_require(req, PERM_RECORD_WRITE, e);
	if (api_require(req, PERM_REPORT_APPROVE, e))
		return -1;
	/* the command line holds the whole tree: the top's too, which no unit
	 * is above */
	return req->who.global ? 0 : api_unit_for_change(req, t->unit.code, d, e);
}

static int put_targets(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "targets", NULL };
	target_row_t rows[TARGETS_BODY_MAX];
	bool clears[TARGETS_BODY_MAX];
	targets_req_t t = { .inds = NULL };
	json_t *body = NULL, *targets, *spec;
	const char *code;
	size_t n = 0;
	int r = 0;

	if (api_require(req, PERM_RECORD_WRITE, e) || targets_req(req, &t, e) || setter(req, &t, e) ||
	    api_body_object(req, &body, e)) {
		targets_req_free(&t);
		return -1;
	}
	api_only(body, allowed, "", e);
	targets = json_object_get(body, "targets");
	if (!targets)
		err_field(e, "targets", "required", "is required");
	else if (!json_is_object(targets))
		err_field(e, "targets", "not_an_object", "is not an object");
	else if (json_object_size(targets) > TARGETS_BODY_MAX)
		err_field(e, "targets", "too_many", "holds at most {max}", ERR_INT("max", TARGETS_BODY_MAX));
	if (api_check_details(e))
		targets = NULL;
	json_object_foreach(targets, code, spec) {
		char field[IND_CODE_MAX + 16];
		const indicator_t *ind = ind_code_valid(code) ? report_indicator_in(t.inds, t.n_inds, code) : NULL;
		if (ind_code_valid(code))
			snprintf(field, sizeof(field), "targets.%s", code);
		else
			snprintf(field, sizeof(field), "targets");
		if (!ind) {
			err_field(e, field, "unknown_indicator", "{value} is no indicator", ERR_STR("value", code));
			continue;
		}
		r = read_target(req, &t, ind, spec, field, &rows[n], &clears[n], e);
		if (r)
			break;
		n++;
	}
	if (!r)
		r = api_check_details(e);
	for (size_t i = 0; !r && i < n; i++)
		r = store_target(req, &t, &rows[i], clears[i], e);
	json_decref(body);
	if (r) {
		targets_req_free(&t);
		return -1;
	}
	return answer_targets(req, &t, resp, e);
}

/* ---- the command line's way in ---- */

int api_target_step(db_t *db, const principal_t *who, const char *step, const char *unit, const char *term,
		    json_t *body, json_t **out, err_t *e)
{
	const char *params[] = { unit, term };

	*out = NULL;
	if (strcmp(step, "show") == 0)
		return api_call(db, who, get_targets, params, 2, NULL, NULL, out, e);
	if (strcmp(step, "set") == 0)
		return api_call(db, who, put_targets, params, 2, NULL, body, out, e);
	return err_fail(e, ERR_INTERNAL, NULL, "no targets step {value}", ERR_STR("value", step));
}

const api_route_t API_TARGET_ROUTES[] = {
	{ "GET", "/api/v1/targets/{}/{}", get_targets, 0 },
	{ "PUT", "/api/v1/targets/{}/{}", put_targets, ROUTE_LOCKED },
	{ NULL, NULL, NULL, 0 },
};
