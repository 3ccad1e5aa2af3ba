/*
 * reports.c - indicators, report forms, their entry, submission and
 * approval by the level above (docs/reports.md, store/reports.h):
 *   GET  /api/v1/indicators
 *   GET  /api/v1/indicators/{code}/value?unit=CODE&period=P
 *   GET  /api/v1/forms
 *   GET  /api/v1/forms/{form}/{unit}/{period}
 *   PUT  /api/v1/forms/{form}/{unit}/{period}         {"values": {CODE: number|null}, "comments": {CODE: text}}
 *   POST /api/v1/forms/{form}/{unit}/{period}/submit  {"explanation": text}
 *   POST /api/v1/forms/{form}/{unit}/{period}/approve
 *   POST /api/v1/forms/{form}/{unit}/{period}/return  {"reason": text}
 *   POST /api/v1/forms/{form}/{unit}/{period}/unlock  {"reason": text}
 * A unit enters and submits its own forms; a unit above it (strictly
 * inside the caller's scope) approves, returns and unlocks them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include "api/api.h"
#include "api/words.h"
#include "core/text.h"
#include "io/form_xlsx.h"
#include "store/org_store.h"
#include "io/unit_json.h"
#include "store/audit.h"
#include "store/reports.h"
#include "store/scope.h"
#include "store/util.h"

#define SERIES_MAX 40     /* periods of a series */
#define CHILDREN_MAX 1000 /* units directly below one */

json_t *api_milli_json(int64_t v)
{
	return v % IND_MILLI == 0 ? json_integer(v / IND_MILLI) : json_real(ind_milli_to_double(v));
}

static json_t *value_json(const report_value_t *v)
{
	return v->has ? api_milli_json(v->value) : json_null();
}

static json_t *indicator_json(const indicator_t *ind)
{
	json_t *levels = json_array(), *o;
	char buf[IND_LEVELS_BUF], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", ind->levels);
	for (char *l = strtok_r(buf, " ", &save); levels && l; l = strtok_r(NULL, " ", &save))
		json_array_append_new(levels, json_string(l));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i}", "code", ind->code, "name_vi", ind->name_vi,
		      "name_en", ind->name_en, "measure_vi", ind->measure_vi, "measure_en", ind->measure_en, "source",
		      ind_source_name(ind->source), "rollup", ind_rollup_name(ind->rollup), "levels",
		      levels ? levels : json_array(), "decimals", ind->decimals);
	if (!o)
		return NULL;
	if (ind->source == IND_COMPUTED)
		json_object_set_new(o, "figure", json_string(ind->figure));
	if (ind->source == IND_FORMULA) {
		json_object_set_new(o, "numerator", json_string(ind->numerator));
		json_object_set_new(o, "denominator", json_string(ind->denominator));
		json_object_set_new(o, "factor", api_milli_json(ind->factor));
	}
	json_object_set_new(o, "min", ind->has_min ? api_milli_json(ind->min) : json_null());
	json_object_set_new(o, "max", ind->has_max ? api_milli_json(ind->max) : json_null());
	json_object_set_new(o, "at_most", ind->at_most[0] ? json_string(ind->at_most) : json_null());
	json_object_set_new(o, "change_warn", ind->has_change_warn ? api_milli_json(ind->change_warn) : json_null());
	json_object_set_new(o, "tolerance", ind->has_tolerance ? api_milli_json(ind->tolerance) : json_null());
	return o;
}

static int get_indicators(api_req_t *req, api_resp_t *resp, err_t *e)
{
	indicator_t *v = NULL;
	json_t *items;
	size_t n = 0;

	if (api_require(req, PERM_RECORD_READ, e) || report_indicators(req->db, &v, &n, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, indicator_json(&v[i]));
	free(v);
	resp->body = json_pack("{s:o}", "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static json_t *form_def_json(const report_form_t *f)
{
	json_t *codes = json_array();

	for (size_t i = 0; codes && i < f->n; i++)
		json_array_append_new(codes, json_string(f->codes[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o}", "code", f->code, "name_vi", f->name_vi, "name_en",
			 f->name_en, "level", f->level, "period_type", period_type_name(f->period_type), "due_days",
			 f->due_days, "indicators", codes ? codes : json_array());
}

static int get_forms(api_req_t *req, api_resp_t *resp, err_t *e)
{
	report_form_t *v = NULL;
	json_t *items;
	size_t n = 0;

	if (api_require(req, PERM_RECORD_READ, e) || report_forms(req->db, &v, &n, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, form_def_json(&v[i]));
	free(v);
	resp->body = json_pack("{s:o}", "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* The day a unit is named on for period p: its last day, or today while
 * it runs. */
static date_t unit_day(const api_req_t *req, const period_t *p)
{
	return p->to < req->today ? p->to : req->today;
}

int api_period_arg(const char *s, const char *name, period_t *p, err_t *e)
{
	if (!s || !*s) {
		err_field(e, name, "required", "is required");
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} is required", ERR_STR("arg", name));
	}
	if (period_parse(s, name, p, e))
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} is not a period", ERR_STR("arg", name));
	return 0;
}

static int view_unit(api_req_t *req, const period_t *p, bool *mapped, unit_t *u, err_t *e);

static int get_indicator_value(api_req_t *req, api_resp_t *resp, err_t *e)
{
	indicator_t ind = { .source = IND_ENTERED };
	bool mapped = false;
	report_value_t v;
	report_ctx_t c;
	period_t p = { .type = PERIOD_YEAR };
	unit_t u;

	if (api_require(req, PERM_RECORD_READ, e) || api_period_arg(api_query(req, "period"), "period", &p, e) ||
	    report_indicator_get(req->db, req->params[0], &ind, e) || view_unit(req, &p, &mapped, &u, e))
		return -1;
	report_ctx_init(&c, req->db, req->today, u.id, &p);
	c.mapped = mapped;
	c.by_family = true;
	if (report_value(&c, &ind, &v, e))
		return -1;
	resp->body = json_pack("{s:s, s:s, s:s, s:b, s:o, s:s}", "indicator", ind.code, "unit", u.code, "period",
			       c.period_code, "mapped", mapped, "value", value_json(&v), "status",
			       v.has ? report_value_status_name(v.status) : "none");
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}


/* The unit of the query (the caller's own by default), in scope on d. */
static int query_unit(api_req_t *req, date_t d, unit_t *u, err_t *e)
{
	const char *code = api_query(req, "unit");
	char own[UNIT_CODE_MAX + 24];

	if (!code || !*code) {
		snprintf(own, sizeof(own), "id:%lld", (long long)req->who.unit_id);
		code = own;
	}
	return api_unit_in_scope(req, code, d, u, e);
}

/* in[i]: whether the unit ids[i] lies in the caller's scope (by its place
 * today): a unit that left it since the period stays out of her answers. */
static int in_scope(api_req_t *req, const int64_t *ids, size_t n, bool **in, err_t *e)
{
	*in = calloc(n ? n : 1, sizeof(**in));
	if (!*in)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	if (scope_mark(req->db, &req->who, ids, n, *in, e)) {
		free(*in);
		*in = NULL;
		return -1;
	}
	return 0;
}

/* Of the units of a subtree (kids->items[1..], below its first), those in
 * the caller's scope, moved to the front: their number into *kept. */
static int kids_in_scope(api_req_t *req, unit_list_t *kids, size_t *kept, err_t *e)
{
	size_t n = kids->n > 1 ? kids->n - 1 : 0;
	int64_t *ids = calloc(n ? n : 1, sizeof(*ids));
	bool *in = NULL;

	*kept = 0;
	if (!ids)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++)
		ids[i] = kids->items[i + 1].id;
	if (in_scope(req, ids, n, &in, e)) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (in[i])
			kids->items[1 + (*kept)++] = kids->items[i + 1];
	free(ids);
	free(in);
	return 0;
}

/* The view the query asks for (mapped=true: onto today's units, else the
 * tree as it stood) and the query's unit, resolved on that view's tree
 * day: today, or the period's end (today while it runs). */
static int view_unit(api_req_t *req, const period_t *p, bool *mapped, unit_t *u, err_t *e)
{
	static const char *const YESNO[] = { "true", "false", NULL };
	int m = 0;

	*mapped = false;
	if (api_query_choice(req, "mapped", YESNO, "true, false", &m, e))
		return -1;
	*mapped = m == 1;
	return query_unit(req, *mapped ? req->today : unit_day(req, p), u, e);
}

static json_t *point_json(const char *period, const report_value_t *v)
{
	return json_pack("{s:s, s:o, s:s}", "period", period, "value", value_json(v), "status",
			 v->has ? report_value_status_name(v->status) : "none");
}

/* GET /api/v1/indicators/{code}/series?unit=CODE&to=P&count=N: the value
 * of one indicator for a unit over the N periods of P's type that end
 * with P, oldest first: a chart over time. */
static int get_indicator_series(api_req_t *req, api_resp_t *resp, err_t *e)
{
	period_t ps[SERIES_MAX] = { { .type = PERIOD_YEAR } };
	indicator_t ind = { .source = IND_ENTERED };
	json_t *items;
	int count = 0, n = 1;
	bool mapped = false;
	unit_t u;

	if (api_require(req, PERM_RECORD_READ, e) || api_query_int(req, "count", 10, 1, SERIES_MAX, &count, e) ||
	    api_period_arg(api_query(req, "to"), "to", &ps[0], e) || report_indicator_get(req->db, req->params[0], &ind, e) ||
	    view_unit(req, &ps[0], &mapped, &u, e))
		return -1;
	/* back from `to`: ps[] newest first, answered oldest first */
	while (n < count && period_previous(&ps[n - 1], &ps[n]) == 0)
		n++;
	items = json_array();
	for (int i = n - 1; items && i >= 0; i--) {
		report_ctx_t c;
		report_value_t v;
		char code[PERIOD_CODE_MAX];
		report_ctx_init(&c, req->db, req->today, u.id, &ps[i]);
		c.mapped = mapped;
		c.by_family = true;
		if (report_value(&c, &ind, &v, e)) {
			json_decref(items);
			return -1;
		}
		period_format(&ps[i], code);
		json_array_append_new(items, point_json(code, &v));
	}
	resp->body = json_pack("{s:s, s:s, s:b, s:o}", "indicator", ind.code, "unit", u.code, "mapped", mapped, "items",
			       items ? items : json_array());
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* GET /api/v1/indicators/{code}/children?unit=CODE&period=P: the value of
 * one indicator for each unit directly below, on the period's last day
 * (today while it runs): a chart across units. */
static int get_indicator_children(api_req_t *req, api_resp_t *resp, err_t *e)
{
	indicator_t ind = { .source = IND_ENTERED };
	period_t p = { .type = PERIOD_YEAR };
	unit_list_t kids = { 0 };
	char code[PERIOD_CODE_MAX];
	bool mapped = false;
	size_t kept = 0;
	json_t *items;
	unit_t u;
	int r = 0;

	if (api_require(req, PERM_RECORD_READ, e) || api_period_arg(api_query(req, "period"), "period", &p, e) ||
	    report_indicator_get(req->db, req->params[0], &ind, e) || view_unit(req, &p, &mapped, &u, e) ||
	    org_subtree(req->db, u.id, mapped ? req->today : unit_day(req, &p), 1, CHILDREN_MAX + 1, &kids, e))
		return -1;
	period_format(&p, code);
	if (kids_in_scope(req, &kids, &kept, e)) {
		unit_list_free(&kids);
		return -1;
	}
	items = json_array();
	/* kids.items[0] is the unit itself */
	for (size_t i = 1; !r && items && i <= kept; i++) {
		report_ctx_t c;
		report_value_t v;
		report_ctx_init(&c, req->db, req->today, kids.items[i].id, &p);
		c.mapped = mapped;
		c.by_family = true;
		r = report_value(&c, &ind, &v, e);
		if (!r)
			json_array_append_new(items, json_pack("{s:{s:s, s:s, s:s}, s:o, s:s}", "unit", "code", kids.items[i].code,
							       "name_vi", kids.items[i].name_vi, "name_en",
							       kids.items[i].name_en, "value", value_json(&v), "status",
							       v.has ? report_value_status_name(v.status) : "none"));
	}
	unit_list_free(&kids);
	if (r || !items) {
		json_decref(items);
		return r ? -1 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	resp->body = json_pack("{s:s, s:s, s:s, s:b, s:o}", "indicator", ind.code, "unit", u.code, "period", code, "mapped",
			       mapped, "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* GET /api/v1/indicators/values?unit=&period=[&mapped=]: the value of
 * every indicator for a unit and a period, its code, value and status
 * each, in the catalogue's order. */
static int get_indicator_values(api_req_t *req, api_resp_t *resp, err_t *e)
{
	indicator_t *inds = NULL;
	bool mapped = false;
	size_t n = 0;
	json_t *items;
	report_ctx_t c;
	period_t p = { .type = PERIOD_YEAR };
	unit_t u;
	int r = 0;

	if (api_require(req, PERM_RECORD_READ, e) || api_period_arg(api_query(req, "period"), "period", &p, e) ||
	    view_unit(req, &p, &mapped, &u, e) || report_indicators(req->db, &inds, &n, e))
		return -1;
	/* one context: the registry's figures are counted once for all */
	report_ctx_init(&c, req->db, req->today, u.id, &p);
	c.mapped = mapped;
	items = json_array();
	for (size_t i = 0; !r && items && i < n; i++) {
		report_value_t v;
		r = report_value(&c, &inds[i], &v, e);
		if (!r)
			json_array_append_new(items, json_pack("{s:s, s:o, s:s}", "indicator", inds[i].code, "value",
							       value_json(&v), "status",
							       v.has ? report_value_status_name(v.status) : "none"));
	}
	free(inds);
	if (r) {
		json_decref(items);
		return -1;
	}
	resp->body = json_pack("{s:s, s:s, s:b, s:o}", "unit", u.code, "period", c.period_code, "mapped", mapped, "items",
			       items ? items : json_array());
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* ---- one form of one unit for one period ---- */

typedef struct form_req {
	report_form_t form;
	unit_t unit;
	report_ctx_t c;
	report_state_t state;
	indicator_t *inds; /* of the catalogue (all), malloc'd */
	size_t n_inds;
} form_req_t;

static void form_req_free(form_req_t *f)
{
	free(f->inds);
	f->inds = NULL;
}

/* The form, unit and period of the path, the unit in the caller's scope,
 * of the form's level, the period of its type. */
static int form_req(api_req_t *req, form_req_t *f, err_t *e)
{
	period_t p = { .type = PERIOD_YEAR };

	memset(f, 0, sizeof(*f));
	if (report_form_get(req->db, req->params[0], &f->form, e) || api_period_arg(req->params[2], "period", &p, e))
		return -1;
	if (p.type != f->form.period_type) {
		err_field(e, "period", "wrong_period", "form {form} is for a period of type {type}",
			  ERR_STR("form", f->form.code), ERR_STR("type", period_type_name(f->form.period_type)));
		return api_check_details(e);
	}
	if (api_unit_in_scope(req, req->params[1], unit_day(req, &p), &f->unit, e))
		return -1;
	if (strcmp(f->unit.level, f->form.level) != 0) {
		err_field(e, "unit", "wrong_level", "form {form} is filled by a unit of level {level}",
			  ERR_STR("form", f->form.code), ERR_STR("level", f->form.level));
		return api_check_details(e);
	}
	report_ctx_init(&f->c, req->db, req->today, f->unit.id, &p);
	return report_state_get(&f->c, f->form.code, &f->state, e) ||
			       report_indicators(req->db, &f->inds, &f->n_inds, e)
		       ? -1 : 0;
}

static json_t *form_json(form_req_t *f, const api_req_t *req, err_t *e)
{
	char from[DATE_STR_LEN], to[DATE_STR_LEN], due[DATE_STR_LEN];
	json_t *values = json_object(), *order = json_array(), *o;

	for (size_t i = 0; values && order && i < f->form.n; i++) {
		const indicator_t *ind = report_indicator_in(f->inds, f->n_inds, f->form.codes[i]);
		char comment[REPORT_TEXT_BUF];
		report_value_t v, c, below = { .has = false };
		json_t *one;
		if (!ind)
			continue;
		if (report_form_value(&f->c, &f->form, &f->state, ind, &v, &c, comment, sizeof(comment), e)) {
			json_decref(values);
			json_decref(order);
			return NULL;
		}
		/* what the units below reported, beside the unit's own figure */
		if (report_enterable(&f->form, ind) && report_below(&f->c, ind, &below, e)) {
			json_decref(values);
			json_decref(order);
			return NULL;
		}
		one = json_pack("{s:o, s:o, s:o, s:o, s:b, s:s}", "value", value_json(&v), "computed", value_json(&c),
				"difference", v.has && c.has && report_enterable(&f->form, ind) ? api_milli_json(v.value - c.value) : json_null(),
				"below", report_enterable(&f->form, ind) ? value_json(&below) : json_null(), "enterable", report_enterable(&f->form, ind),
				"comment", comment);
		if (one && c.has && v.has && report_enterable(&f->form, ind))
			json_object_set_new(one, "needs_explanation", json_boolean(ind_needs_explanation(ind, v.value, c.value)));
		json_object_set_new(values, ind->code, one);
		json_array_append_new(order, json_string(ind->code));
	}
	(void)req;
	o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "form", f->form.code, "unit",
		      unit_json(&f->unit), "period", f->c.period_code, "from", date_format(f->c.period.from, from), "to",
		      date_format(f->c.period.to, to), "due", date_format(f->c.period.to + f->form.due_days, due),
		      "status", report_status_name(f->state.status), "explanation", f->state.explanation, "reason",
		      f->state.reason, "submitted_by", f->state.submitted_by, "decided_by", f->state.decided_by,
		      "indicators", order ? order : json_array(), "values", values ? values : json_object());
	if (!o)
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	return o;
}

static int answer_form(form_req_t *f, api_req_t *req, api_resp_t *resp, err_t *e)
{
	resp->body = form_json(f, req, e);
	form_req_free(f);
	return resp->body ? 0 : -1;
}

static int get_form(api_req_t *req, api_resp_t *resp, err_t *e)
{
	form_req_t f = { .inds = NULL };

	if (api_require(req, PERM_RECORD_READ, e) || form_req(req, &f, e)) {
		form_req_free(&f);
		return -1;
	}
	return answer_form(&f, req, resp, e);
}

static const char *form_word(void *ctx, const char *key)
{
	return api_word(*(lang_t *)ctx, key);
}

/* The form of f as the union's document in Excel, into path, in lang. */
static int form_xlsx_file(api_req_t *req, form_req_t *f, lang_t lang, const char *path, err_t *e)
{
	unit_list_t above = { 0 };
	form_xlsx_opts_t x = { .inds = f->inds, .n_inds = f->n_inds, .english = lang == LANG_EN, .today = req->today,
			       .word = form_word, .ctx = &lang, .tmpdir = api_spool_dir() };
	json_t *form = form_json(f, req, e);
	int r = form ? 0 : -1;

	if (!r)
		r = org_ancestors(req->db, f->unit.id, unit_day(req, &f->c.period), &above, e);
	if (!r) {
		x.form = form;
		x.title = lang == LANG_EN ? f->form.name_en : f->form.name_vi;
		x.above = above.n ? (lang == LANG_EN ? above.items[above.n - 1].name_en : above.items[above.n - 1].name_vi) : "";
		r = form_xlsx_write(&x, path, e);
	}
	unit_list_free(&above);
	json_decref(form);
	return r;
}

/* lang=vi|en of the query string (vi by default). */
static lang_t lang_arg(const char *s)
{
	return s && !strcmp(s, "en") ? LANG_EN : LANG_VI;
}

/* GET /api/v1/forms/{form}/{unit}/{period}/xlsx?lang=vi|en: the form as
 * the union's document in Excel (io/form_xlsx.h). */
static int get_form_xlsx(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char path[600];
	form_req_t f = { .inds = NULL };
	int fd, r;

	if (api_require(req, PERM_RECORD_READ, e) || form_req(req, &f, e)) {
		form_req_free(&f);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/form-XXXXXX", api_spool_dir());
	fd = mkstemp(path);
	r = fd < 0 ? err_fail(e, ERR_INTERNAL, NULL, "no room for the report") : 0;
	if (fd >= 0) {
		close(fd);
		r = form_xlsx_file(req, &f, lang_arg(api_query(req, "lang")), path, e);
		fd = r ? -1 : open(path, O_RDONLY);
		unlink(path);
		if (!r && fd < 0)
			r = err_fail(e, ERR_INTERNAL, NULL, "the report cannot be read back");
	}
	if (r) {
		form_req_free(&f);
		return -1;
	}
	resp->has_file = true;
	resp->file_fd = fd;
	resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	snprintf(resp->disposition, sizeof(resp->disposition), "attachment; filename=\"bao-cao-%s-%s-%s.xlsx\"",
		 f.form.code, f.unit.code, f.c.period_code);
	form_req_free(&f);
	return 0;
}

/* The form as the union's document for the command line: body {"path",
 * "lang"}; answers the form. */
static int cli_form_xlsx(api_req_t *req, api_resp_t *resp, err_t *e)
{
	form_req_t f = { .inds = NULL };
	json_t *body = NULL;
	int r;

	if (api_body_object(req, &body, e) || form_req(req, &f, e)) {
		json_decref(body);
		form_req_free(&f);
		return -1;
	}
	r = json_string_value(json_object_get(body, "path"))
		    ? form_xlsx_file(req, &f, lang_arg(json_string_value(json_object_get(body, "lang"))),
				     json_string_value(json_object_get(body, "path")), e)
		    : err_fail(e, ERR_INTERNAL, NULL, "no path for the report");
	json_decref(body);
	if (r) {
		form_req_free(&f);
		return -1;
	}
	return answer_form(&f, req, resp, e);
}

/* 409 locked while the form is submitted or approved; 422 not_begun for
 * a period that has not begun (no figure of it can be known). */
static int form_open(const form_req_t *f, err_t *e)
{
	char first[DATE_STR_LEN];

	if (f->state.status == REPORT_SUBMITTED || f->state.status == REPORT_APPROVED)
		return err_fail(e, ERR_CONFLICT, "locked", "form {form} is {status}: its values cannot change",
				ERR_STR("form", f->form.code), ERR_STR("status", report_status_name(f->state.status)));
	if (f->c.period.from > f->c.today) {
		err_field(e, "period", "not_begun", "begins on {date}", ERR_STR("date", date_format(f->c.period.from, first)));
		return api_check_details(e);
	}
	return 0;
}

/* A text field of at most REPORT_TEXT_MAX characters ("" when absent). */
static void text_field(json_t *body, const char *key, bool required, char *dst, size_t cap, err_t *e)
{
	api_str(body, key, required, REPORT_TEXT_MAX, dst, cap, e);
}

/* The value an at_most rule compares with: what this request sets, else
 * what the unit has. */
static int limit_of(form_req_t *f, json_t *values, const char *code, bool *has, int64_t *limit, err_t *e)
{
	const indicator_t *other = report_indicator_in(f->inds, f->n_inds, code);
	json_t *v = json_object_get(values, code);
	report_value_t cur;

	*has = false;
	if (!other)
		return 0;
	if (v && json_is_number(v)) {
		*has = ind_milli_from_double(json_number_value(v), other->decimals, limit) == 0;
		return 0;
	}
	if (v)
		return 0;
	if (report_value(&f->c, other, &cur, e))
		return -1;
	*has = cur.has;
	*limit = cur.value;
	return 0;
}

static bool on_form(const form_req_t *f, const char *code)
{
	for (size_t i = 0; i < f->form.n; i++)
		if (strcmp(f->form.codes[i], code) == 0)
			return true;
	return false;
}

/* A value of code locked by another form (submitted or approved). */
static int locked_elsewhere(form_req_t *f, const char *code, err_t *e)
{
	char form[IND_CODE_MAX + 1];
	report_status_t st;
	bool locked = false;

	if (report_locked(&f->c, code, &locked, form, sizeof(form), &st, e))
		return -1;
	if (locked)
		return err_fail(e, ERR_CONFLICT, "locked", "{indicator} is on form {form}, which is {status}",
				ERR_STR("indicator", code), ERR_STR("form", form), ERR_STR("status", report_status_name(st)));
	return 0;
}

/* The field a problem of member key of the body's `what` ("values",
 * "comments") stands at: "values.members"; the object itself for a key
 * that is no code (it may be any text, longer than a field name holds). */
static void member_field(const char *what, const char *key, char *out, size_t cap)
{
	if (ind_code_valid(key))
		snprintf(out, cap, "%s.%s", what, key);
	else
		snprintf(out, cap, "%s", what);
}

/* The comment on code in comments, checked as text (NFC) into dst: a
 * detail on "comments.CODE" when it is not. Returns 0, or -1 when
 * memory runs out. */
static int comment_text(json_t *comments, const char *code, char *dst, size_t cap, err_t *e)
{
	char field[IND_CODE_MAX + 16];
	json_t *one = json_object();

	dst[0] = '\0';
	member_field("comments", code, field, sizeof(field));
	if (!one || json_object_set(one, field, json_object_get(comments, code))) {
		json_decref(one);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	api_str(one, field, false, REPORT_TEXT_MAX, dst, cap, e);
	json_decref(one);
	return 0;
}

/* Stores the body's values (checked by check_entries), each with its
 * comment (the body's, else the one it had); a value beyond its change
 * from last period into warnings. */
static int store_entries(form_req_t *f, api_req_t *req, json_t *values, json_t *comments, json_t *warnings,
			 err_t *e)
{
	const char *code;
	json_t *v;

	json_object_foreach(values, code, v) {
		const indicator_t *ind = report_indicator_in(f->inds, f->n_inds, code);
		char comment[REPORT_TEXT_BUF] = "";
		report_value_t before, own;
		int64_t value = 0;
		bool clear = json_is_null(v);

		if (!ind || locked_elsewhere(f, code, e))
			return -1;
		if (!clear && ind_milli_from_double(json_number_value(v), ind->decimals, &value))
			return err_fail(e, ERR_INTERNAL, NULL, "a value checked is not one");
		if (json_object_get(comments, code)) {
			if (comment_text(comments, code, comment, sizeof(comment), e))
				return -1;
		} else if (report_own_value(&f->c, code, &own, comment, sizeof(comment), e))
			return -1;
		if (report_value_put(&f->c, &req->who, code, clear, value, comment, e))
			return -1;
		if (clear || !ind->has_change_warn)
			continue;
		if (report_previous_value(&f->c, ind, &before, e))
			return -1;
		if (before.has && ind_change_warns(ind, value, before.value))
			json_array_append_new(warnings, json_pack("{s:s, s:s, s:o, s:o}", "indicator", code, "code",
								  "large_change", "value", api_milli_json(value), "previous",
								  api_milli_json(before.value)));
	}
	return 0;
}

/* value of ind below that of an indicator it bounds (at_most): a detail
 * below_other. */
static int check_bounding(form_req_t *f, json_t *values, const indicator_t *ind, int64_t value, const char *field,
			  err_t *e)
{
	for (size_t i = 0; i < f->n_inds; i++) {
		const indicator_t *other = &f->inds[i];
		bool has = false;
		int64_t v = 0;
		if (strcmp(other->at_most, ind->code) != 0)
			continue;
		if (limit_of(f, values, other->code, &has, &v, e))
			return -1;
		if (has && value < v) {
			char lim[32];
			ind_milli_format(v, lim, sizeof(lim));
			err_field(e, field, "below_other", "is below {other} ({limit})", ERR_STR("other", other->code),
				  ERR_STR("limit", lim));
			return 0;
		}
	}
	return 0;
}

/* The checks of one value of the body, as details on e. */
static int check_entry(form_req_t *f, json_t *values, const char *code, json_t *v, err_t *e)
{
	const indicator_t *ind = report_indicator_in(f->inds, f->n_inds, code);
	char field[IND_CODE_MAX + 16];
	bool has = false;
	int64_t value = 0, limit = 0;

	member_field("values", code, field, sizeof(field));
	if (!ind || !on_form(f, code))
		return err_field(e, field, "not_on_form", "is not on form {form}", ERR_STR("form", f->form.code)), 0;
	if (!report_enterable(&f->form, ind))
		return err_field(e, field, "not_entered", "is not entered by a unit of level {level}",
				 ERR_STR("level", f->form.level)), 0;
	if (json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return err_field(e, field, "not_a_number", "is not a number"), 0;
	if (fabs(json_number_value(v)) * IND_MILLI > (double)IND_VALUE_MAX)
		return err_field(e, field, "out_of_range", "must be between {min} and {max}",
				 ERR_INT("min", -(IND_VALUE_MAX / IND_MILLI)), ERR_INT("max", IND_VALUE_MAX / IND_MILLI)), 0;
	if (ind_milli_from_double(json_number_value(v), ind->decimals, &value))
		return err_field(e, field, "too_precise", "takes a number with at most {decimals} decimals",
				 ERR_INT("decimals", ind->decimals)), 0;
	if (ind_check_value(ind, value, field, e))
		return 0;
	if (ind->at_most[0]) {
		if (limit_of(f, values, ind->at_most, &has, &limit, e))
			return -1;
		if (has && ind_check_at_most(ind, value, limit, field, e))
			return 0;
	}
	return check_bounding(f, values, ind, value, field, e);
}

/* Every value and comment of the body checked before any is stored: the
 * problems as details (422), nothing stored. */
static int check_entries(form_req_t *f, json_t *values, json_t *comments, err_t *e)
{
	char field[IND_CODE_MAX + 16], text[REPORT_TEXT_BUF];
	const char *code;
	json_t *v;

	json_object_foreach(values, code, v)
		if (check_entry(f, values, code, v, e))
			return -1;
	json_object_foreach(comments, code, v) {
		member_field("comments", code, field, sizeof(field));
		if (!json_object_get(values, code) || json_is_null(json_object_get(values, code)))
			err_field(e, field, "no_value", "goes with a value in values");
		else if (comment_text(comments, code, text, sizeof(text), e))
			return -1;
	}
	return api_check_details(e);
}

/* The form's path as an audit record id: "commune_half/IC1/2026H1". */
static void record_id(const form_req_t *f, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s/%s", f->form.code, f->unit.code, f->c.period_code);
}

static int audit_with(api_req_t *req, form_req_t *f, const char *action, const char *before, const char *after,
		      const char *detail, err_t *e)
{
	char id[IND_CODE_MAX + UNIT_CODE_MAX + PERIOD_CODE_MAX + 4];

	record_id(f, id, sizeof(id));
	return audit_write(req->db, &req->who, action, f->unit.id, "report", id, before, after, detail, e);
}

static int audit(api_req_t *req, form_req_t *f, const char *action, const char *detail, err_t *e)
{
	return audit_with(req, f, action, NULL, NULL, detail, e);
}

/* The unit's own values of the codes of `values` as they stand, as an
 * audit text {CODE: number|null} (malloc'd; NULL when memory runs out). */
static char *own_values_text(form_req_t *f, json_t *values, err_t *e)
{
	json_t *o = json_object();
	const char *code;
	json_t *v;
	char *text;

	json_object_foreach(values, code, v) {
		report_value_t own;
		if (!o || report_own_value(&f->c, code, &own, NULL, 0, e)) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, code, own.has ? api_milli_json(own.value) : json_null());
	}
	text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!text && e->kind == ERR_NONE)
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	return text;
}

/* An object member of the body: *out NULL when absent; 422 when not an object. */
static void object_member(json_t *body, const char *key, json_t **out, err_t *e)
{
	*out = json_object_get(body, key);
	if (*out && !json_is_object(*out)) {
		err_field(e, key, "invalid", "is not an object");
		*out = NULL;
	}
}

/* The codes of values, "a, b, c", into out (cut to fit). */
static void codes_of(json_t *values, char *out, size_t cap)
{
	const char *k;
	json_t *v;
	size_t len = 0;

	out[0] = '\0';
	json_object_foreach(values, k, v) {
		int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", k);
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
}

static int put_form(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "values", "comments", NULL };
	json_t *body = NULL, *values = NULL, *comments = NULL, *warnings = NULL;
	char detail[512] = "", *before = NULL, *after = NULL;
	form_req_t f = { .inds = NULL };
	int r;

	if (api_require(req, PERM_RECORD_WRITE, e) || form_req(req, &f, e) || form_open(&f, e) ||
	    api_body_object(req, &body, e)) {
		form_req_free(&f);
		return -1;
	}
	api_only(body, allowed, "", e);
	object_member(body, "values", &values, e);
	object_member(body, "comments", &comments, e);
	if (!values && !e->n_details)
		err_field(e, "values", "required", "is required");
	warnings = json_array();
	r = api_check_details(e) || check_entries(&f, values, comments, e);
	/* what the values were and became, for the audit trail */
	if (!r && !(before = own_values_text(&f, values, e)))
		r = -1;
	if (!r)
		r = store_entries(&f, req, values, comments, warnings, e);
	if (!r && !(after = own_values_text(&f, values, e)))
		r = -1;
	if (!r)
		codes_of(values, detail, sizeof(detail));
	if (!r && f.state.status == REPORT_NONE) {
		f.state.status = REPORT_DRAFT;
		r = report_state_set(&f.c, f.form.code, &f.state, e);
	}
	if (!r)
		r = audit_with(req, &f, "report.values", before, after, detail, e);
	free(before);
	free(after);
	json_decref(body);
	if (r) {
		json_decref(warnings);
		form_req_free(&f);
		return -1;
	}
	if (answer_form(&f, req, resp, e)) {
		json_decref(warnings);
		return -1;
	}
	json_object_set_new(resp->body, "warnings", warnings ? warnings : json_array());
	return 0;
}

/* The differences from the records beyond tolerance that the
 * explanation must account for: a detail each when there is none. */
static int check_differences(form_req_t *f, const char *explanation, err_t *e)
{
	for (size_t i = 0; i < f->form.n; i++) {
		const indicator_t *ind = report_indicator_in(f->inds, f->n_inds, f->form.codes[i]);
		report_value_t v, c;
		if (!ind || !report_enterable(&f->form, ind) || ind->source != IND_COMPUTED)
			continue;
		if (report_own_value(&f->c, ind->code, &v, NULL, 0, e) || report_computed(&f->c, ind, &c, e))
			return -1;
		if (!explanation[0] && v.has && c.has && ind_needs_explanation(ind, v.value, c.value)) {
			char diff[32];
			ind_milli_format(v.value - c.value, diff, sizeof(diff));
			err_field(e, "explanation", "explanation_required",
				  "is required: {indicator} differs from the records by {difference}",
				  ERR_STR("indicator", ind->code), ERR_STR("difference", diff));
		}
	}
	return api_check_details(e);
}

/* The body of a step: a text field, required or not. */
static int step_body(api_req_t *req, const char *key, bool required, char *dst, size_t cap, err_t *e)
{
	const char *allowed[] = { key, NULL };
	json_t *body = NULL;

	dst[0] = '\0';
	if (!req->body_len && !required)
		return 0;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	text_field(body, key, required, dst, cap, e);
	json_decref(body);
	if (dst[0] && text_blank(dst)) {
		dst[0] = '\0';
		if (required)
			err_field(e, key, "required", "is required");
	}
	return api_check_details(e);
}

static int post_submit(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char explanation[REPORT_TEXT_BUF];
	form_req_t f = { .inds = NULL };

	if (api_require(req, PERM_RECORD_WRITE, e) || form_req(req, &f, e) || form_open(&f, e) ||
	    step_body(req, "explanation", false, explanation, sizeof(explanation), e) ||
	    check_differences(&f, explanation, e)) {
		form_req_free(&f);
		return -1;
	}
	f.state.status = REPORT_SUBMITTED;
	f.state.reason[0] = '\0'; /* a return's reason was answered by this submission */
	snprintf(f.state.explanation, sizeof(f.state.explanation), "%s", explanation);
	snprintf(f.state.submitted_by, sizeof(f.state.submitted_by), "%s", req->who.username);
	f.state.decided_by[0] = '\0';
	if (report_state_set(&f.c, f.form.code, &f.state, e) || audit(req, &f, "report.submit", explanation, e)) {
		form_req_free(&f);
		return -1;
	}
	return answer_form(&f, req, resp, e);
}

/* The caller (holding report.approve) decides on the form of a unit
 * below her: 403 own_report on her own unit's; 404 (as a unit that does
 * not exist) outside her scope. */
static int decider(api_req_t *req, form_req_t *f, err_t *e)
{
	if (!req->who.global && req->who.unit_id == f->unit.id)
		return err_fail(e, ERR_FORBIDDEN, "own_report", "a unit's report is approved by the level above it");
	/* four eyes: whoever submitted a report does not decide on it (the
	 * command line, the program itself, user 0, holds every right) */
	if (req->who.user_id && f->state.submitted_by[0] && strcmp(f->state.submitted_by, req->who.username) == 0)
		return err_fail(e, ERR_FORBIDDEN, "own_report", "a report is decided on by someone other than who submitted it");
	return api_unit_for_change(req, f->unit.code, unit_day(req, &f->c.period), e);
}

static int status_is(const form_req_t *f, report_status_t want, err_t *e)
{
	if (f->state.status == want)
		return 0;
	return err_fail(e, ERR_CONFLICT, "wrong_status", "form {form} is {status}, not {want}",
			ERR_STR("form", f->form.code), ERR_STR("status", report_status_name(f->state.status)),
			ERR_STR("want", report_status_name(want)));
}

static int post_approve(api_req_t *req, api_resp_t *resp, err_t *e)
{
	form_req_t f = { .inds = NULL };

	if (api_require(req, PERM_REPORT_APPROVE, e) || form_req(req, &f, e) || decider(req, &f, e) ||
	    status_is(&f, REPORT_SUBMITTED, e) ||
	    step_body(req, "note", false, f.state.reason, sizeof(f.state.reason), e) || report_freeze(&f.c, &f.form, &f.state, f.inds, f.n_inds, e)) {
		form_req_free(&f);
		return -1;
	}
	f.state.status = REPORT_APPROVED;
	snprintf(f.state.decided_by, sizeof(f.state.decided_by), "%s", req->who.username);
	if (report_state_set(&f.c, f.form.code, &f.state, e) || audit(req, &f, "report.approve", f.state.reason, e)) {
		form_req_free(&f);
		return -1;
	}
	return answer_form(&f, req, resp, e);
}

/* Return (a submitted form) or unlock (an approved one): back to its
 * unit, with a reason. */
static int send_back(api_req_t *req, api_resp_t *resp, report_status_t from, const char *action, err_t *e)
{
	form_req_t f = { .inds = NULL };

	if (api_require(req, PERM_REPORT_APPROVE, e) || form_req(req, &f, e) || decider(req, &f, e) ||
	    status_is(&f, from, e) ||
	    step_body(req, "reason", true, f.state.reason, sizeof(f.state.reason), e) ||
	    (from == REPORT_APPROVED && report_snapshot_clear(&f.c, f.form.code, e))) {
		form_req_free(&f);
		return -1;
	}
	f.state.status = REPORT_RETURNED;
	snprintf(f.state.decided_by, sizeof(f.state.decided_by), "%s", req->who.username);
	if (report_state_set(&f.c, f.form.code, &f.state, e) || audit(req, &f, action, f.state.reason, e)) {
		form_req_free(&f);
		return -1;
	}
	return answer_form(&f, req, resp, e);
}

static int post_return(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return send_back(req, resp, REPORT_SUBMITTED, "report.return", e);
}

static int post_unlock(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return send_back(req, resp, REPORT_APPROVED, "report.unlock", e);
}

/* ---- the overview of a level ---- */

/* Of the overview's rows, those whose unit lies in the caller's scope
 * today, kept in order: their number into *n. */
static int rows_in_scope(api_req_t *req, report_row_t *rows, size_t *n, err_t *e)
{
	int64_t *ids = calloc(*n ? *n : 1, sizeof(*ids));
	size_t kept = 0;
	bool *in = NULL;

	if (!ids)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < *n; i++)
		ids[i] = rows[i].unit.id;
	if (in_scope(req, ids, *n, &in, e)) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if (in[i])
			rows[kept++] = rows[i];
	*n = kept;
	free(ids);
	free(in);
	return 0;
}

static int by_distance(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double dx = json_is_number(json_object_get(x, "distance")) ? json_number_value(json_object_get(x, "distance")) : -1;
	double dy = json_is_number(json_object_get(y, "distance")) ? json_number_value(json_object_get(y, "distance")) : -1;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	/* then by code, as the list came (qsort is not stable) */
	return strcmp(json_string_value(json_object_get(json_object_get(x, "unit"), "code")),
		      json_string_value(json_object_get(json_object_get(y, "unit"), "code")));
}

/* GET /api/v1/forms/{form}/overview?unit=&period=&sort=code|distance:
 * the units of the form's level below the one asked (her own by
 * default): each one's state, whether it is late, how far its figures
 * stand from its records; and the counts of each state. */
static int overview(api_req_t *req, const char *form_code, const char *code, const char *period, const char *sort,
		    api_resp_t *resp, err_t *e)
{
	static const char *const SORTS[] = { "code", "distance", NULL };
	char own[UNIT_CODE_MAX + 24], due_text[DATE_STR_LEN], pc[PERIOD_CODE_MAX];
	int64_t counts[5] = { 0 }, late_n = 0;
	indicator_t *inds = NULL;
	report_row_t *rows = NULL;
	size_t n = 0, n_inds = 0;
	report_form_t form;
	json_t *items, *o, *c;
	period_t p = { .type = PERIOD_YEAR };
	date_t due;
	unit_t u;
	int r = 0;

	if (api_require(req, PERM_RECORD_READ, e) || report_form_get(req->db, form_code, &form, e) ||
	    api_period_arg(period, "period", &p, e))
		return -1;
	if (sort && strcmp(sort, SORTS[0]) != 0 && strcmp(sort, SORTS[1]) != 0) {
		err_field(e, "sort", "not_one_of", "'{value}' is not one of {allowed}", ERR_STR("value", sort),
			  ERR_STR("allowed", "code, distance"));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} is not valid", ERR_STR("arg", "sort"));
	}
	if (p.type != form.period_type) {
		err_field(e, "period", "wrong_period", "form {form} is for a period of type {type}", ERR_STR("form", form.code),
			  ERR_STR("type", period_type_name(form.period_type)));
		return api_check_details(e);
	}
	if (!code || !*code) {
		snprintf(own, sizeof(own), "id:%lld", (long long)req->who.unit_id);
		code = own;
	}
	if (api_unit_in_scope(req, code, unit_day(req, &p), &u, e) || report_indicators(req->db, &inds, &n_inds, e))
		return -1;
	period_format(&p, pc);
	if (report_overview(req->db, form.code, form.level, u.id, pc, unit_day(req, &p), &rows, &n, e) ||
	    rows_in_scope(req, rows, &n, e)) {
		free(rows);
		free(inds);
		return -1;
	}
	due = p.to + form.due_days;
	items = json_array();
	for (size_t i = 0; !r && items && i < n; i++) {
		bool late = req->today > due && rows[i].status != REPORT_SUBMITTED && rows[i].status != REPORT_APPROVED;
		int64_t share = 0;
		const char *worst = NULL;
		bool has = false;
		if (rows[i].status != REPORT_NONE)
			r = report_distance(req->db, req->today, &form, inds, n_inds, &rows[i], &p, &share, &worst, &has, e);
		counts[rows[i].status]++;
		late_n += late;
		json_array_append_new(items, json_pack("{s:{s:s, s:s, s:s}, s:s, s:b, s:s, s:s, s:o, s:o}", "unit", "code",
						       rows[i].unit.code, "name_vi", rows[i].unit.name_vi, "name_en",
						       rows[i].unit.name_en, "status", report_status_name(rows[i].status),
						       "late", late, "submitted_by", rows[i].submitted_by, "decided_by",
						       rows[i].decided_by, "distance", has ? api_milli_json(share) : json_null(),
						       "worst", worst ? json_string(worst) : json_null()));
	}
	free(rows);
	free(inds);
	if (r) {
		json_decref(items);
		return -1;
	}
	if (items && sort && strcmp(sort, "distance") == 0) {
		size_t m = json_array_size(items);
		json_t **v = calloc(m ? m : 1, sizeof(json_t *)), *sorted = json_array();
		for (size_t i = 0; v && i < m; i++)
			v[i] = json_incref(json_array_get(items, i));
		if (v)
			qsort(v, m, sizeof(json_t *), by_distance);
		for (size_t i = 0; v && sorted && i < m; i++)
			json_array_append(sorted, v[i]);
		for (size_t i = 0; v && i < m; i++)
			json_decref(v[i]);
		free(v);
		json_decref(items);
		items = sorted;
	}
	c = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "none", (json_int_t)counts[REPORT_NONE], "draft",
		      (json_int_t)counts[REPORT_DRAFT], "submitted", (json_int_t)counts[REPORT_SUBMITTED], "approved",
		      (json_int_t)counts[REPORT_APPROVED], "returned", (json_int_t)counts[REPORT_RETURNED], "late",
		      (json_int_t)late_n);
	o = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:I, s:o, s:o}", "form", form.code, "unit", "code", u.code,
		      "name_vi", u.name_vi, "name_en", u.name_en, "period", pc, "due",
		      date_format(due, due_text), "days_left", (json_int_t)(due - req->today), "counts", c ? c : json_object(),
		      "items", items ? items : json_array());
	resp->body = o;
	return o ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int get_overview(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return overview(req, req->params[0], api_query(req, "unit"), api_query(req, "period"), api_query(req, "sort"), resp,
			e);
}

/* ---- the approval inbox ---- */

#define INBOX_MAX 500

/* GET /api/v1/forms/inbox[?status=submitted|returned|draft|approved]:
 * the forms of the units below the caller (in her scope, not her own) in
 * that state (submitted: awaiting her decision), the longest waiting
 * first; `more` when there are more than INBOX_MAX. */
static int get_inbox(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const STATUSES[] = { "submitted", "returned", "draft", "approved", NULL };
	static const report_status_t BY[] = { REPORT_SUBMITTED, REPORT_RETURNED, REPORT_DRAFT, REPORT_APPROVED };
	report_inbox_item_t *rows = NULL;
	report_status_t status;
	json_t *items;
	size_t n = 0;
	int which = 0, r = 0;

	if (api_require(req, PERM_REPORT_APPROVE, e) ||
	    api_query_choice(req, "status", STATUSES, "submitted, returned, draft, approved", &which, e))
		return -1;
	status = which ? BY[which - 1] : REPORT_SUBMITTED;
	if (report_inbox(req->db, &req->who, status, INBOX_MAX + 1, &rows, &n, e))
		return -1;
	items = json_array();
	for (size_t i = 0; !r && items && i < n && i < INBOX_MAX; i++) {
		period_t p = { .type = PERIOD_YEAR };
		err_t ignored;
		unit_t u;
		err_clear(&ignored);
		/* the code was checked when the form was stored */
		if (period_parse(rows[i].period, "period", &p, &ignored))
			continue;
		r = org_unit_view(req->db, rows[i].unit_id, unit_day(req, &p), &u, e);
		if (!r)
			json_array_append_new(items, json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:s}", "form", rows[i].form,
							       "unit", "code", u.code, "name_vi", u.name_vi, "name_en",
							       u.name_en, "period", rows[i].period, "status",
							       report_status_name(rows[i].status), "submitted_by",
							       rows[i].submitted_by));
	}
	free(rows);
	if (r || !items) {
		json_decref(items);
		return r ? -1 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	resp->body = json_pack("{s:s, s:o, s:b}", "status", report_status_name(status), "items", items, "more",
			       n > INBOX_MAX);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* ---- the command line's ways in ---- */

static const struct {
	const char *step;
	api_handler_fn fn;
} STEPS[] = {
	{ "form", get_form },	      { "enter", put_form },	   { "submit", post_submit },
	{ "approve", post_approve }, { "return", post_return }, { "unlock", post_unlock },
	{ "overview", get_overview }, { "xlsx", cli_form_xlsx },
	{ "inbox", get_inbox },
};

int api_report_step(db_t *db, const principal_t *who, const char *step, const char *form, const char *unit,
		    const char *period, json_t *query, json_t *body, json_t **out, err_t *e)
{
	const char *params[] = { form, unit, period };

	*out = NULL;
	for (size_t i = 0; i < sizeof(STEPS) / sizeof(STEPS[0]); i++)
		if (strcmp(STEPS[i].step, step) == 0)
			return api_call(db, who, STEPS[i].fn, params, 3, query, body, out, e);
	return err_fail(e, ERR_INTERNAL, NULL, "no report step {value}", ERR_STR("value", step));
}

int api_indicator_step(db_t *db, const principal_t *who, const char *step, const char *code, json_t *query,
		       json_t **out, err_t *e)
{
	const char *params[] = { code };

	*out = NULL;
	if (strcmp(step, "series") == 0)
		return api_call(db, who, get_indicator_series, params, 1, query, NULL, out, e);
	if (strcmp(step, "children") == 0)
		return api_call(db, who, get_indicator_children, params, 1, query, NULL, out, e);
	if (strcmp(step, "values") == 0)
		return api_call(db, who, get_indicator_values, params, 0, query, NULL, out, e);
	return err_fail(e, ERR_INTERNAL, NULL, "no indicator step {value}", ERR_STR("value", step));
}

const api_route_t API_REPORT_ROUTES[] = {
	{ "GET", "/api/v1/indicators", get_indicators, 0 },
	{ "GET", "/api/v1/indicators/values", get_indicator_values, ROUTE_READ_COPY },
	{ "GET", "/api/v1/indicators/{}/value", get_indicator_value, ROUTE_READ_COPY },
	{ "GET", "/api/v1/indicators/{}/series", get_indicator_series, ROUTE_READ_COPY },
	{ "GET", "/api/v1/indicators/{}/children", get_indicator_children, ROUTE_READ_COPY },
	{ "GET", "/api/v1/forms", get_forms, 0 },
	{ "GET", "/api/v1/forms/inbox", get_inbox, 0 },
	{ "GET", "/api/v1/forms/{}/overview", get_overview, ROUTE_READ_COPY },
	{ "GET", "/api/v1/forms/{}/{}/{}", get_form, 0 },
	{ "GET", "/api/v1/forms/{}/{}/{}/xlsx", get_form_xlsx, 0 },
	{ "PUT", "/api/v1/forms/{}/{}/{}", put_form, ROUTE_LOCKED },
	{ "POST", "/api/v1/forms/{}/{}/{}/submit", post_submit, ROUTE_LOCKED },
	{ "POST", "/api/v1/forms/{}/{}/{}/approve", post_approve, ROUTE_LOCKED },
	{ "POST", "/api/v1/forms/{}/{}/{}/return", post_return, ROUTE_LOCKED },
	{ "POST", "/api/v1/forms/{}/{}/{}/unlock", post_unlock, ROUTE_LOCKED },
	{ NULL, NULL, NULL, 0 },
};
