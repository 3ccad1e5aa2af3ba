/*
 * reports.c - see reports.h.
 */
#include "store/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/member_stats.h"
#include "store/org_internal.h"
#include "store/query.h"
#include "store/scope.h"
#include "store/util.h"

/* A formula's terms may be formulas; the catalogue loader refuses cycles,
 * and this bounds the depth whatever the table holds. */
#define FORMULA_DEPTH 4
#define TERMS_MAX 8

static const char *const STATUS_NAMES[] = { "none", "draft", "submitted", "approved", "returned" };
static const char *const VALUE_STATUS_NAMES[] = { "none", "computed", "entered", "approved" };

const char *report_status_name(report_status_t s)
{
	return (unsigned)s < sizeof(STATUS_NAMES) / sizeof(STATUS_NAMES[0]) ? STATUS_NAMES[s] : "none";
}

const char *report_value_status_name(value_status_t s)
{
	return (unsigned)s < sizeof(VALUE_STATUS_NAMES) / sizeof(VALUE_STATUS_NAMES[0]) ? VALUE_STATUS_NAMES[s] : "none";
}

/* ---- the catalogue ---- */

int report_catalogue_size(db_t *db, int64_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "SELECT count(*) FROM indicators");
	return org_query_int(db, &q, n, e);
}

/* An optional number: its value, or SQL NULL. */
static query_arg_t opt_int(bool has, int64_t v)
{
	return has ? QI(v) : QT(NULL);
}

int report_indicator_put(db_t *db, const indicator_t *ind, int position, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q,
		  "INSERT INTO indicators (code, position, name_vi, name_en, measure_vi, measure_en, source, figure,"
		  " numerator, denominator, factor, rollup, levels, min_value, max_value, at_most, change_warn,"
		  " tolerance, decimals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		  QT(ind->code), QI(position), QT(ind->name_vi), QT(ind->name_en), QT(ind->measure_vi),
		  QT(ind->measure_en), QT(ind_source_name(ind->source)), QT(ind->figure), QT(ind->numerator),
		  QT(ind->denominator), QI(ind->factor), QT(ind_rollup_name(ind->rollup)), QT(ind->levels),
		  opt_int(ind->has_min, ind->min), opt_int(ind->has_max, ind->max), QT(ind->at_most),
		  opt_int(ind->has_change_warn, ind->change_warn), opt_int(ind->has_tolerance, ind->tolerance),
		  QI(ind->decimals));
	query_sql(&q, " ON CONFLICT (code) DO UPDATE SET position = excluded.position, name_vi = excluded.name_vi,"
		      " name_en = excluded.name_en, measure_vi = excluded.measure_vi, measure_en = excluded.measure_en,"
		      " source = excluded.source, figure = excluded.figure, numerator = excluded.numerator,"
		      " denominator = excluded.denominator, factor = excluded.factor, rollup = excluded.rollup,"
		      " levels = excluded.levels, min_value = excluded.min_value, max_value = excluded.max_value,"
		      " at_most = excluded.at_most, change_warn = excluded.change_warn, tolerance = excluded.tolerance,"
		      " decimals = excluded.decimals");
	return query_run(db, &q, e);
}

int report_form_put(db_t *db, const report_form_t *f, int position, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q,
		  "INSERT INTO forms (code, position, name_vi, name_en, level, period_type, due_days)"
		  " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET position = excluded.position,"
		  " name_vi = excluded.name_vi, name_en = excluded.name_en, level = excluded.level,"
		  " period_type = excluded.period_type, due_days = excluded.due_days",
		  QT(f->code), QI(position), QT(f->name_vi), QT(f->name_en), QT(f->level),
		  QT(period_type_name(f->period_type)), QI(f->due_days));
	if (query_run(db, &q, e))
		return -1;
	query_init(&q);
	query_add(&q, "DELETE FROM form_indicators WHERE form = ?", QT(f->code));
	if (query_run(db, &q, e))
		return -1;
	for (size_t i = 0; i < f->n; i++) {
		query_init(&q);
		query_add(&q, "INSERT INTO form_indicators (form, indicator, position) VALUES (?, ?, ?)", QT(f->code),
			  QT(f->codes[i]), QI((int64_t)i));
		if (query_run(db, &q, e))
			return -1;
	}
	return 0;
}

#define INDICATOR_SELECT                                                                                       \
	"SELECT code, name_vi, name_en, measure_vi, measure_en, source, figure, numerator, denominator, factor," \
	" rollup, levels, min_value, max_value, at_most, change_warn, tolerance, decimals FROM indicators"

static void read_opt(db_stmt_t *st, int col, bool *has, int64_t *v)
{
	*has = !db_col_is_null(st, col);
	*v = *has ? db_col_int64(st, col) : 0;
}

static void read_indicator(db_stmt_t *st, void *out)
{
	indicator_t *ind = out;

	memset(ind, 0, sizeof(*ind));
	copy_text(ind->code, sizeof(ind->code), db_col_text(st, 0));
	copy_text(ind->name_vi, sizeof(ind->name_vi), db_col_text(st, 1));
	copy_text(ind->name_en, sizeof(ind->name_en), db_col_text(st, 2));
	copy_text(ind->measure_vi, sizeof(ind->measure_vi), db_col_text(st, 3));
	copy_text(ind->measure_en, sizeof(ind->measure_en), db_col_text(st, 4));
	if (ind_source_parse(db_col_text(st, 5), &ind->source))
		ind->source = IND_ENTERED;
	copy_text(ind->figure, sizeof(ind->figure), db_col_text(st, 6));
	copy_text(ind->numerator, sizeof(ind->numerator), db_col_text(st, 7));
	copy_text(ind->denominator, sizeof(ind->denominator), db_col_text(st, 8));
	ind->factor = db_col_int64(st, 9);
	if (ind_rollup_parse(db_col_text(st, 10), &ind->rollup))
		ind->rollup = ROLLUP_NONE;
	copy_text(ind->levels, sizeof(ind->levels), db_col_text(st, 11));
	read_opt(st, 12, &ind->has_min, &ind->min);
	read_opt(st, 13, &ind->has_max, &ind->max);
	copy_text(ind->at_most, sizeof(ind->at_most), db_col_text(st, 14));
	read_opt(st, 15, &ind->has_change_warn, &ind->change_warn);
	read_opt(st, 16, &ind->has_tolerance, &ind->tolerance);
	ind->decimals = (int)db_col_int64(st, 17);
}

/* Every row of sql, each read by read into an element of size bytes:
 * into *out (malloc'd, the caller's) and *n. Returns 0 or -1 with e. */
static int read_all(db_t *db, const char *sql, size_t size, void (*read)(db_stmt_t *, void *), void **out, size_t *n,
		    err_t *e)
{
	char *v = NULL;
	size_t cap = 0;
	db_stmt_t *st = NULL;
	int rc = DB_DONE, r = 0;

	*out = NULL;
	*n = 0;
	if (store_prep(db, sql, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		char *g = store_grow(v, &cap, *n, size, e);
		if (!g) {
			r = -1;
			break;
		}
		v = g;
		read(st, v + size * (*n)++);
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

int report_indicators(db_t *db, indicator_t **out, size_t *n, err_t *e)
{
	void *v = NULL;
	int r = read_all(db, INDICATOR_SELECT " ORDER BY position, code", sizeof(**out), read_indicator, &v, n, e);

	*out = v;
	return r;
}

/* The row of select (a SELECT with no WHERE) whose code is code, into
 * out by read; ERR_NOT_FOUND with message (its {ref} the code) when there
 * is none. Returns 0 or -1 with e. */
static int one_by_code(db_t *db, const char *select, const char *code, void (*read)(db_stmt_t *, void *), void *out,
		       const char *message, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_sql(&q, select);
	query_add(&q, " WHERE code = ?", QT(code));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		read(st, out);
	db_finalize(st);
	if (rc == DB_DONE)
		return err_fail(e, ERR_NOT_FOUND, "not_found", message, ERR_STR("ref", code));
	return rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

int report_indicator_get(db_t *db, const char *code, indicator_t *out, err_t *e)
{
	return one_by_code(db, INDICATOR_SELECT, code, read_indicator, out, "no indicator {ref}", e);
}

/* The indicators of form f->code into f. */
static int form_codes(db_t *db, report_form_t *f, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	f->n = 0;
	query_init(&q);
	query_add(&q, "SELECT indicator FROM form_indicators WHERE form = ? ORDER BY position, indicator", QT(f->code));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW && f->n < REPORT_FORM_MAX)
		copy_text(f->codes[f->n++], sizeof(f->codes[0]), db_col_text(st, 0));
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

#define FORM_SELECT "SELECT code, name_vi, name_en, level, period_type, due_days FROM forms"

static void read_form(db_stmt_t *st, void *out)
{
	report_form_t *f = out;

	memset(f, 0, sizeof(*f));
	copy_text(f->code, sizeof(f->code), db_col_text(st, 0));
	copy_text(f->name_vi, sizeof(f->name_vi), db_col_text(st, 1));
	copy_text(f->name_en, sizeof(f->name_en), db_col_text(st, 2));
	copy_text(f->level, sizeof(f->level), db_col_text(st, 3));
	if (period_type_parse(db_col_text(st, 4), &f->period_type))
		f->period_type = PERIOD_YEAR;
	f->due_days = (int)db_col_int64(st, 5);
}

int report_forms(db_t *db, report_form_t **out, size_t *n, err_t *e)
{
	void *v = NULL;
	int r = read_all(db, FORM_SELECT " ORDER BY position, code", sizeof(**out), read_form, &v, n, e);

	*out = v;
	for (size_t i = 0; !r && i < *n; i++)
		r = form_codes(db, &(*out)[i], e);
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int report_form_get(db_t *db, const char *code, report_form_t *out, err_t *e)
{
	return one_by_code(db, FORM_SELECT, code, read_form, out, "no form {ref}", e) || form_codes(db, out, e) ? -1 : 0;
}

/* ---- values ---- */

void report_ctx_init(report_ctx_t *c, db_t *db, date_t today, int64_t unit_id, const period_t *p)
{
	memset(c, 0, sizeof(*c));
	c->db = db;
	c->today = today;
	c->unit_id = unit_id;
	c->period = *p;
	period_format(p, c->period_code);
}

/* The figures that are the period's flows, not counts on its last day. */
static bool flow_figure(const char *name)
{
	static const char *const STOCK[] = { "members", "members_digital", "members_honorary", "branches" };

	for (size_t i = 0; i < sizeof(STOCK) / sizeof(STOCK[0]); i++)
		if (strcmp(STOCK[i], name) == 0)
			return false;
	return true;
}

/* The registry's figures of the unit over the period, once: members on
 * its last day (today while it runs), and (all of them, or by_family
 * when `flows`) flows over its days until then. */
static int figures(report_ctx_t *c, bool flows, err_t *e)
{
	report_figures_t *f = &c->figures;
	member_stats_opts_t o = { 0 };
	member_stats_t s;

	if (f->counted && (f->flows || !flows))
		return 0;
	f->counted = true;
	f->flows = flows || !c->by_family;
	if (c->period.from > c->today)
		return 0;
	o.as_of = c->period.to < c->today ? c->period.to : c->today;
	o.today = c->today;
	o.mapped = c->mapped;
	o.lean = true; /* the totals alone: no breakdowns, no children */
	o.flows = f->flows;
	o.from = c->period.from;
	o.to = o.as_of;
	if (member_stats(c->db, c->unit_id, &o, &s, e)) {
		f->counted = false;
		return -1;
	}
	f->any = true;
	f->members = s.total;
	f->members_digital = s.digital;
	f->members_honorary = s.honorary;
	f->branches = s.branches;
	f->joined = s.flows.joined + s.flows.rejoined;
	f->left = s.flows.left_total;
	f->transfers_in = s.flows.transfers_in;
	f->transfers_out = s.flows.transfers_out;
	f->dues_paid = s.flows.dues_paid;
	f->dues_amount = s.flows.dues_amount;
	member_stats_free(&s);
	return 0;
}

static bool figure_of(const report_figures_t *f, const char *name, int64_t *v)
{
	const struct {
		const char *name;
		int64_t v;
	} all[] = {
		{ "members", f->members },
		{ "members_digital", f->members_digital },
		{ "members_honorary", f->members_honorary },
		{ "branches", f->branches },
		{ "joined", f->joined },
		{ "left", f->left },
		{ "transfers_in", f->transfers_in },
		{ "transfers_out", f->transfers_out },
		{ "dues_paid", f->dues_paid },
		{ "dues_amount", f->dues_amount },
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i].name, name) == 0) {
			*v = all[i].v * IND_MILLI;
			return true;
		}
	return false;
}

int report_computed(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e)
{
	memset(out, 0, sizeof(*out));
	if (ind->source != IND_COMPUTED)
		return 0;
	if (figures(c, flow_figure(ind->figure), e))
		return -1;
	if (c->figures.any && figure_of(&c->figures, ind->figure, &out->value)) {
		out->has = true;
		out->status = VALUE_COMPUTED;
	}
	return 0;
}

int report_own_value(report_ctx_t *c, const char *code, report_value_t *out, char *comment, size_t cap, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	if (comment && cap)
		comment[0] = '\0';
	query_init(&q);
	query_add(&q, "SELECT value, comment FROM indicator_values WHERE indicator = ? AND period = ? AND unit_id = ?",
		  QT(code), QT(c->period_code), QI(c->unit_id));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->has = true;
		out->value = db_col_int64(st, 0);
		out->status = VALUE_ENTERED;
		if (comment && cap)
			copy_text(comment, cap, db_col_text(st, 1));
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(c->db, rc, e);
}

/* The sum of the values of code entered below the unit, each counted
 * unless a unit between holds its own: the tree of the period's last day. */
/* The condition that ancestry row X covers the last day within the period
 * of its descendant, the unit u (the period's last day, or u's own when
 * it ended within it): the tree of that day. Binds (to, from, to). No
 * date arithmetic: the row reaches past the period's end, or to u's. */
#define LAST_DAY(x) " " x ".valid_from <= ? AND " x ".valid_to > ? AND (" x ".valid_to > ? OR " x ".valid_to >= u.valid_to)"
#define LAST_DAY_ARGS(c) QD((c)->period.to), QD((c)->period.from), QD((c)->period.to)

/* The sum of the values entered below the unit for the period, each on
 * the tree of its unit's last day in the period (a unit merged away in it
 * counts where it stood then), and each counted unless a unit between
 * them holds its own. */
static int entered_below(report_ctx_t *c, const char *code, report_value_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	int64_t levels = 0;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	/* values of one level only (the commune's, say): none lies between
	 * the unit and another's, a child's level being always below its
	 * parent's (org_check_level), and the probes for one, two thirds of
	 * the national roll-up's sums, are left out */
	query_init(&q);
	query_add(&q,
		  "SELECT count(DISTINCT u.level) FROM indicator_values v JOIN units u ON u.id = v.unit_id"
		  " WHERE v.indicator = ? AND v.period = ?",
		  QT(code), QT(c->period_code));
	if (org_query_int(c->db, &q, &levels, e))
		return -1;
	query_init(&q);
	/* read from the values entered (few), each checked against the
	 * tree: not from the unit's subtree (the nation's is every unit) */
	query_add(&q,
		  "SELECT sum(v.value), count(*) FROM indicator_values v JOIN units u ON u.id = v.unit_id"
		  " WHERE v.indicator = ? AND v.period = ?"
		  " AND EXISTS (SELECT 1 FROM ancestry a WHERE a.descendant = v.unit_id AND a.ancestor = ? AND a.depth > 0"
		  " AND" LAST_DAY("a") ")",
		  QT(code), QT(c->period_code), QI(c->unit_id), LAST_DAY_ARGS(c));
	/* a value of a unit between: from the value's few ancestors, each
	 * looked up by the key (CROSS JOIN keeps SQLite to that order: from
	 * the values of the same indicator it read every one for each); the
	 * unit between lay under this one while it stood above the value's
	 * within the period */
	if (levels > 1)
		query_add(&q,
		  " AND NOT EXISTS (SELECT 1 FROM ancestry b CROSS JOIN indicator_values w"
		  " WHERE b.descendant = v.unit_id AND b.depth > 0 AND" LAST_DAY("b")
		  " AND w.indicator = v.indicator AND w.period = v.period AND w.unit_id = b.ancestor"
		  " AND EXISTS (SELECT 1 FROM ancestry t WHERE t.descendant = b.ancestor AND t.ancestor = ? AND t.depth > 0"
		  " AND t.valid_from <= ? AND t.valid_to > ? AND t.valid_from < b.valid_to AND t.valid_to > b.valid_from))",
		  LAST_DAY_ARGS(c), QI(c->unit_id), QD(c->period.to), QD(c->period.from));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW && db_col_int64(st, 1) > 0) {
		out->has = true;
		out->value = db_col_int64(st, 0);
		out->status = VALUE_ENTERED;
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(c->db, rc, e);
}

/* ---- mapped onto today's units ---- */

typedef struct entry {
	int64_t unit, value;
} entry_t;

static int by_unit(const void *a, const void *b)
{
	int64_t x = ((const entry_t *)a)->unit, y = ((const entry_t *)b)->unit;

	return (x > y) - (x < y);
}

/* Every value entered of code for the period, by unit, into *out (malloc'd). */
static int entries_of(report_ctx_t *c, const char *code, entry_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT unit_id, value FROM indicator_values WHERE indicator = ? AND period = ? ORDER BY unit_id",
		  QT(code), QT(c->period_code));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		entry_t *g = store_grow(*out, &cap, *n, sizeof(**out), e);
		if (!g) {
			r = -1;
			break;
		}
		*out = g;
		(*out)[*n].unit = db_col_int64(st, 0);
		(*out)[(*n)++].value = db_col_int64(st, 1);
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(c->db, rc, e);
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* Whether unit id lies in the subtree of `top` on day t. */
static int in_subtree(db_t *db, int64_t id, int64_t top, date_t t, bool *yes, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*yes = false;
	query_init(&q);
	query_add(&q, "SELECT 1 FROM ancestry WHERE descendant = ? AND ancestor = ? AND valid_from <= ? AND valid_to > ?",
		  QI(id), QI(top), QD(t), QD(t));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	*yes = rc == DB_ROW;
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

/* Whether a unit above entry's on its last day in the period is among
 * kept[0..n) (sorted by unit): then its value stands for this one. */
static int covered(report_ctx_t *c, int64_t unit, const entry_t *kept, size_t n, bool *yes, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*yes = false;
	query_init(&q);
	query_add(&q, "SELECT a.ancestor FROM ancestry a JOIN units u ON u.id = a.descendant"
		      " WHERE a.descendant = ? AND a.depth > 0 AND" LAST_DAY("a"),
		  QI(unit), LAST_DAY_ARGS(c));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	while (!*yes && (rc = db_step(st)) == DB_ROW) {
		entry_t key = { .unit = db_col_int64(st, 0) };
		*yes = bsearch(&key, kept, n, sizeof(*kept), by_unit) != NULL;
	}
	if (*yes)
		rc = DB_DONE;
	db_finalize(st);
	return rc == DB_DONE ? 0 : store_fail(c->db, rc, e);
}

/* The values entered for the period mapped onto the units of today (as
 * the registry's mapped figures are): each value counts
 * for the unit its unit became (member_stats_heir) when that lies in this
 * unit's subtree, unless a unit that stood above it within the period
 * (on its last day there) holds a value that counts here too. */
static int entered_mapped(report_ctx_t *c, const char *code, report_value_t *out, err_t *e)
{
	date_t t = c->today;
	entry_t *all = NULL;
	size_t n = 0, kept = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = entries_of(c, code, &all, &n, e);
	for (size_t i = 0; !r && i < n; i++) {
		int64_t heir = 0;
		bool here = false;
		r = member_stats_heir(c->db, all[i].unit, t, &heir, e);
		if (!r && heir)
			r = in_subtree(c->db, heir, c->unit_id, t, &here, e);
		if (!r && here)
			all[kept++] = all[i];
	}
	/* kept stays sorted by unit: entries_of read them so */
	for (size_t i = 0; !r && i < kept; i++) {
		bool below = false;
		r = covered(c, all[i].unit, all, kept, &below, e);
		if (!r && !below) {
			out->has = true;
			out->value += all[i].value;
			out->status = VALUE_ENTERED;
		}
	}
	free(all);
	return r;
}

/* The value approved for code: a snapshot of an approved form. */
static int approved_value(report_ctx_t *c, const char *code, report_value_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add(&q,
		  "SELECT s.value FROM form_snapshots s JOIN form_reports r ON r.form = s.form AND r.period = s.period"
		  " AND r.unit_id = s.unit_id WHERE s.indicator = ? AND s.period = ? AND s.unit_id = ?"
		  " AND r.status = 'approved' AND s.value IS NOT NULL ORDER BY s.form LIMIT 1",
		  QT(code), QT(c->period_code), QI(c->unit_id));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->has = true;
		out->value = db_col_int64(st, 0);
		out->status = VALUE_APPROVED;
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(c->db, rc, e);
}

static int value_at(report_ctx_t *c, const indicator_t *ind, int depth, report_value_t *out, err_t *e);
static int formula_value(report_ctx_t *c, const indicator_t *ind, int depth, report_value_t *out, err_t *e);

/* The sum of the values of terms ("a + b"): *has false when one has none. */
/* The sum of the values of terms ("a + b"), each by fn: *has false when
 * one has none. */
static int terms_sum(report_ctx_t *c, const char *terms, int depth, report_value_fn fn, int64_t *sum, bool *has,
		     err_t *e)
{
	char codes[TERMS_MAX][IND_CODE_MAX + 1];
	size_t n = 0;

	*sum = 0;
	*has = true;
	if (ind_terms(terms, codes, TERMS_MAX, &n))
		return err_fail(e, ERR_INTERNAL, NULL, "the formula terms '{value}' are not codes", ERR_STR("value", terms));
	for (size_t i = 0; i < n && *has; i++) {
		indicator_t term = { .source = IND_ENTERED };
		report_value_t v;
		if (report_indicator_get(c->db, codes[i], &term, e) || fn(c, &term, depth + 1, &v, e))
			return -1;
		*has = v.has;
		*sum += v.value;
	}
	return 0;
}

int report_formula(report_ctx_t *c, const indicator_t *ind, int depth, report_value_fn fn, report_value_t *out,
		   err_t *e)
{
	int64_t num = 0, den = IND_MILLI;
	bool has_num = false, has_den = true;

	memset(out, 0, sizeof(*out));
	if (depth >= FORMULA_DEPTH)
		return err_fail(e, ERR_INTERNAL, NULL, "indicator {ref}: formulas nested too deep", ERR_STR("ref", ind->code));
	if (terms_sum(c, ind->numerator, depth, fn, &num, &has_num, e) ||
	    (ind->denominator[0] && terms_sum(c, ind->denominator, depth, fn, &den, &has_den, e)))
		return -1;
	if (has_num && has_den && ind_ratio(num, den, ind->factor, &out->value) == 0) {
		out->has = true;
		out->status = VALUE_COMPUTED;
	}
	return 0;
}

static int formula_value(report_ctx_t *c, const indicator_t *ind, int depth, report_value_t *out, err_t *e)
{
	return report_formula(c, ind, depth, value_at, out, e);
}

/* The mapped view: a value is what the values of its period add up to on
 * today's tree; a unit's own value of then stands for its area of then. */
static int mapped_value(report_ctx_t *c, const indicator_t *ind, int depth, report_value_t *out, err_t *e)
{
	if (ind->source == IND_FORMULA)
		return formula_value(c, ind, depth, out, e);
	if (ind->source == IND_COMPUTED)
		return report_computed(c, ind, out, e);
	if (ind->rollup == ROLLUP_NONE)
		return report_own_value(c, ind->code, out, NULL, 0, e);
	return entered_mapped(c, ind->code, out, e);
}

static int value_at(report_ctx_t *c, const indicator_t *ind, int depth, report_value_t *out, err_t *e)
{
	if (c->mapped)
		return mapped_value(c, ind, depth, out, e);
	if (approved_value(c, ind->code, out, e))
		return -1;
	if (out->has)
		return 0;
	if (ind->source == IND_FORMULA)
		return formula_value(c, ind, depth, out, e);
	if (report_own_value(c, ind->code, out, NULL, 0, e))
		return -1;
	if (out->has)
		return 0;
	if (ind->source == IND_COMPUTED)
		return report_computed(c, ind, out, e);
	if (ind->rollup == ROLLUP_NONE)
		return 0;
	return entered_below(c, ind->code, out, e);
}

int report_below(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e)
{
	memset(out, 0, sizeof(*out));
	if (ind->source != IND_ENTERED || ind->rollup == ROLLUP_NONE)
		return 0;
	return entered_below(c, ind->code, out, e);
}

int report_value(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e)
{
	return value_at(c, ind, 0, out, e);
}

int report_previous_value(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e)
{
	report_ctx_t before;
	period_t p = { .type = PERIOD_YEAR };

	memset(out, 0, sizeof(*out));
	if (period_previous(&c->period, &p))
		return 0;
	report_ctx_init(&before, c->db, c->today, c->unit_id, &p);
	return report_value(&before, ind, out, e);
}

int report_value_put(report_ctx_t *c, const principal_t *who, const char *code, bool clear, int64_t value,
		     const char *comment, err_t *e)
{
	char now[32];
	query_t q;

	query_init(&q);
	if (clear) {
		query_add(&q, "DELETE FROM indicator_values WHERE indicator = ? AND period = ? AND unit_id = ?", QT(code),
			  QT(c->period_code), QI(c->unit_id));
		return query_run(c->db, &q, e);
	}
	store_now_iso(now, sizeof(now));
	query_add(&q,
		  "INSERT INTO indicator_values (unit_id, period, indicator, value, comment, updated_by, updated_at)"
		  " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (indicator, period, unit_id) DO UPDATE SET"
		  " value = excluded.value, comment = excluded.comment, updated_by = excluded.updated_by,"
		  " updated_at = excluded.updated_at",
		  QI(c->unit_id), QT(c->period_code), QT(code), QI(value), QT(comment ? comment : ""), QT(who->username),
		  QT(now));
	return query_run(c->db, &q, e);
}

/* ---- forms' states ---- */

static report_status_t status_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(STATUS_NAMES) / sizeof(STATUS_NAMES[0]); i++)
		if (strcmp(s, STATUS_NAMES[i]) == 0)
			return (report_status_t)i;
	return REPORT_NONE;
}

int report_state_get(report_ctx_t *c, const char *form, report_state_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add(&q,
		  "SELECT status, explanation, reason, submitted_by, decided_by FROM form_reports"
		  " WHERE form = ? AND period = ? AND unit_id = ?",
		  QT(form), QT(c->period_code), QI(c->unit_id));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->status = status_parse(db_col_text(st, 0));
		copy_text(out->explanation, sizeof(out->explanation), db_col_text(st, 1));
		copy_text(out->reason, sizeof(out->reason), db_col_text(st, 2));
		copy_text(out->submitted_by, sizeof(out->submitted_by), db_col_text(st, 3));
		copy_text(out->decided_by, sizeof(out->decided_by), db_col_text(st, 4));
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(c->db, rc, e);
}

int report_state_set(report_ctx_t *c, const char *form, const report_state_t *s, err_t *e)
{
	char now[32];
	query_t q;

	store_now_iso(now, sizeof(now));
	query_init(&q);
	query_add(&q,
		  "INSERT INTO form_reports (form, unit_id, period, status, explanation, reason, submitted_by, decided_by,"
		  " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (form, period, unit_id) DO UPDATE SET"
		  " status = excluded.status, explanation = excluded.explanation, reason = excluded.reason,"
		  " submitted_by = excluded.submitted_by, decided_by = excluded.decided_by, updated_at = excluded.updated_at",
		  QT(form), QI(c->unit_id), QT(c->period_code), QT(report_status_name(s->status)), QT(s->explanation),
		  QT(s->reason), QT(s->submitted_by), QT(s->decided_by), QT(now));
	return query_run(c->db, &q, e);
}

int report_locked(report_ctx_t *c, const char *code, bool *locked, char *form, size_t cap, report_status_t *status,
		  err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*locked = false;
	*status = REPORT_NONE;
	if (cap)
		form[0] = '\0';
	query_init(&q);
	query_add(&q,
		  "SELECT r.form, r.status FROM form_reports r JOIN form_indicators fi ON fi.form = r.form"
		  " WHERE fi.indicator = ? AND r.period = ? AND r.unit_id = ? AND r.status IN ('submitted', 'approved')"
		  " ORDER BY r.status, r.form LIMIT 1",
		  QT(code), QT(c->period_code), QI(c->unit_id));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*locked = true;
		copy_text(form, cap, db_col_text(st, 0));
		*status = status_parse(db_col_text(st, 1));
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(c->db, rc, e);
}

int report_snapshot_put(report_ctx_t *c, const char *form, const char *code, const report_value_t *value,
			const report_value_t *computed, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q,
		  "INSERT INTO form_snapshots (form, unit_id, period, indicator, value, computed) VALUES (?, ?, ?, ?, ?, ?)"
		  " ON CONFLICT (form, period, unit_id, indicator) DO UPDATE SET value = excluded.value,"
		  " computed = excluded.computed",
		  QT(form), QI(c->unit_id), QT(c->period_code), QT(code), opt_int(value->has, value->value),
		  opt_int(computed->has, computed->value));
	return query_run(c->db, &q, e);
}

int report_snapshot_clear(report_ctx_t *c, const char *form, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "DELETE FROM form_snapshots WHERE form = ? AND period = ? AND unit_id = ?", QT(form),
		  QT(c->period_code), QI(c->unit_id));
	return query_run(c->db, &q, e);
}

int report_snapshot_get(report_ctx_t *c, const char *form, const char *code, report_value_t *value,
			report_value_t *computed, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(value, 0, sizeof(*value));
	memset(computed, 0, sizeof(*computed));
	query_init(&q);
	query_add(&q,
		  "SELECT value, computed FROM form_snapshots WHERE form = ? AND period = ? AND unit_id = ?"
		  " AND indicator = ?",
		  QT(form), QT(c->period_code), QI(c->unit_id), QT(code));
	if (query_prepare(c->db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		read_opt(st, 0, &value->has, &value->value);
		read_opt(st, 1, &computed->has, &computed->value);
		value->status = computed->status = VALUE_APPROVED;
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(c->db, rc, e);
}

int report_overview(db_t *db, const char *form, const char *level, int64_t unit_id, const char *period, date_t d,
		    report_row_t **out, size_t *n, err_t *e)
{
	report_row_t *v = NULL;
	size_t cap = 0;
	db_stmt_t *st = NULL;
	query_t q;
	int rc = DB_DONE, r = 0;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q,
		  "SELECT u.id, u.code, nm.name_vi, nm.name_en, coalesce(r.status, 'none'), coalesce(r.submitted_by, ''),"
		  " coalesce(r.decided_by, '') FROM ancestry a JOIN units u ON u.id = a.descendant AND u.level = ?"
		  " JOIN unit_names nm ON nm.unit_id = u.id AND nm.valid_from <= ? AND nm.valid_to > ?"
		  " LEFT JOIN form_reports r ON r.form = ? AND r.period = ? AND r.unit_id = u.id"
		  " WHERE a.ancestor = ? AND a.valid_from <= ? AND a.valid_to > ? ORDER BY u.code",
		  QT(level), QD(d), QD(d), QT(form), QT(period), QI(unit_id), QD(d), QD(d));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		report_row_t *g = store_grow(v, &cap, *n, sizeof(*v), e), *x;
		if (!g) {
			r = -1;
			break;
		}
		v = g;
		x = &v[(*n)++];
		memset(x, 0, sizeof(*x));
		x->unit.id = db_col_int64(st, 0);
		copy_text(x->unit.code, sizeof(x->unit.code), db_col_text(st, 1));
		copy_text(x->unit.name_vi, sizeof(x->unit.name_vi), db_col_text(st, 2));
		copy_text(x->unit.name_en, sizeof(x->unit.name_en), db_col_text(st, 3));
		x->status = status_parse(db_col_text(st, 4));
		copy_text(x->submitted_by, sizeof(x->submitted_by), db_col_text(st, 5));
		copy_text(x->decided_by, sizeof(x->decided_by), db_col_text(st, 6));
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

int report_inbox(db_t *db, const principal_t *who, report_status_t status, size_t max, report_inbox_item_t **out,
		 size_t *n, err_t *e)
{
	report_inbox_item_t *v = NULL;
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT r.form, r.period, r.unit_id, r.status, r.submitted_by FROM form_reports r"
		      " WHERE r.status = ? AND r.unit_id <> ?",
		  QT(report_status_name(status)), QI(who->unit_id));
	scope_filter(&q, who, "r.unit_id");
	query_add(&q, " ORDER BY r.updated_at, r.form, r.unit_id, r.period LIMIT ?", QI((int64_t)max));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		report_inbox_item_t *g = store_grow(v, &cap, *n, sizeof(*v), e), *x;
		if (!g) {
			r = -1;
			break;
		}
		v = g;
		x = &v[(*n)++];
		memset(x, 0, sizeof(*x));
		copy_text(x->form, sizeof(x->form), db_col_text(st, 0));
		copy_text(x->period, sizeof(x->period), db_col_text(st, 1));
		x->unit_id = db_col_int64(st, 2);
		x->status = status_parse(db_col_text(st, 3));
		copy_text(x->submitted_by, sizeof(x->submitted_by), db_col_text(st, 4));
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

/* ---- a form's figures ---- */

bool report_enterable(const report_form_t *form, const indicator_t *ind)
{
	return ind->source != IND_FORMULA && ind_entered_at(ind, form->level);
}

int report_form_value(report_ctx_t *c, const report_form_t *form, const report_state_t *state, const indicator_t *ind,
		      report_value_t *value, report_value_t *computed, char *comment, size_t cap, err_t *e)
{
	report_value_t own;

	if (state->status == REPORT_APPROVED) {
		if (report_snapshot_get(c, form->code, ind->code, value, computed, e))
			return -1;
		return report_own_value(c, ind->code, &own, comment, cap, e);
	}
	if (report_computed(c, ind, computed, e))
		return -1;
	if (report_enterable(form, ind))
		return report_own_value(c, ind->code, value, comment, cap, e);
	if (comment && cap)
		comment[0] = '\0';
	return report_value(c, ind, value, e);
}

const indicator_t *report_indicator_in(const indicator_t *inds, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(inds[i].code, code) == 0)
			return &inds[i];
	return NULL;
}

int report_freeze(report_ctx_t *c, const report_form_t *form, const report_state_t *state, const indicator_t *inds,
		  size_t n, err_t *e)
{
	for (size_t i = 0; i < form->n; i++) {
		const indicator_t *ind = report_indicator_in(inds, n, form->codes[i]);
		report_value_t v, rec;
		if (!ind)
			continue;
		if (report_form_value(c, form, state, ind, &v, &rec, NULL, 0, e))
			return -1;
		if (!v.has && report_value(c, ind, &v, e))
			return -1;
		if (report_snapshot_put(c, form->code, ind->code, &v, &rec, e))
			return -1;
	}
	return 0;
}

int report_distance(db_t *db, date_t today, const report_form_t *form, const indicator_t *inds, size_t n,
		    const report_row_t *row, const period_t *p, int64_t *share, const char **worst, bool *has, err_t *e)
{
	report_ctx_t c;

	*has = false;
	*share = 0;
	*worst = NULL;
	report_ctx_init(&c, db, today, row->unit.id, p);
	for (size_t i = 0; i < form->n; i++) {
		const indicator_t *ind = report_indicator_in(inds, n, form->codes[i]);
		report_value_t v, rec;
		int64_t d, s;
		if (!ind || ind->source != IND_COMPUTED || !ind_entered_at(ind, form->level))
			continue;
		if (row->status == REPORT_APPROVED ? report_snapshot_get(&c, form->code, ind->code, &v, &rec, e)
						   : report_own_value(&c, ind->code, &v, NULL, 0, e) ||
							     report_computed(&c, ind, &rec, e))
			return -1;
		if (!v.has || !rec.has)
			continue;
		d = v.value > rec.value ? v.value - rec.value : rec.value - v.value;
		if (ind_ratio(d, rec.value > IND_MILLI ? rec.value : IND_MILLI, IND_MILLI, &s))
			continue;
		if (!*has || s > *share) {
			*share = s;
			*worst = ind->code;
		}
		*has = true;
	}
	return 0;
}
