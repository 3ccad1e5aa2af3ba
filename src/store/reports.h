/*
 * reports.h - indicators, report forms, the values units enter per period,
 * and the forms' submission and approval, in the store (docs/reports.md).
 *
 * A value entered is kept per (indicator, period, unit): two forms that
 * share an indicator share its value. A form's state is kept per (form,
 * period, unit): draft, submitted, approved or returned; no row is a form
 * not started. An approved form keeps a snapshot of every value it showed
 * (form_snapshots): later corrections of the records do not rewrite it,
 * and its entered values cannot change (report_locked) until it is
 * unlocked.
 *
 * The value of an indicator for a unit and period (report_value): the
 * approved snapshot's, if a form holding it is approved; otherwise, by its
 * source: computed from the registry (store/member_stats.h) on the
 * period's last day (today while it runs), and its flows over the period;
 * entered: the unit's own value, or the sum of those entered below it
 * (each value counted unless a unit between holds its own); a formula:
 * the ratio of its terms' values. A value entered below counts on the tree
 * of its unit's last day in the period: a unit merged away within it
 * counts where it stood then. The mapped view (report_ctx_t.mapped) puts
 * the values of a period onto today's units instead.
 *
 * Ownership: arrays returned by report_indicators and report_forms are
 * malloc'd and the caller's (free). Every other struct is plain data.
 */
#ifndef UB_REPORTS_H
#define UB_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "core/indicator.h"
#include "core/period.h"
#include "core/unit.h"
#include "store/db.h"

#define REPORT_FORM_MAX 64      /* indicators on a form */
#define REPORT_TEXT_MAX 1000    /* characters of an explanation, a reason, a comment */
#define REPORT_TEXT_BUF (REPORT_TEXT_MAX * 4 + 1)

typedef struct report_form {
	char code[IND_CODE_MAX + 1];
	char name_vi[IND_NAME_BUF], name_en[IND_NAME_BUF];
	char level[32];          /* the level that fills it */
	period_type_t period_type;
	int due_days;            /* due this many days after the period's last day */
	size_t n;
	char codes[REPORT_FORM_MAX][IND_CODE_MAX + 1]; /* its indicators, in order */
} report_form_t;

typedef enum report_status {
	REPORT_NONE,      /* not started */
	REPORT_DRAFT,
	REPORT_SUBMITTED,
	REPORT_APPROVED,
	REPORT_RETURNED,
} report_status_t;

const char *report_status_name(report_status_t s); /* "none", "draft", ... */

typedef struct report_state {
	report_status_t status;
	char explanation[REPORT_TEXT_BUF]; /* of the differences from the records, at submission */
	char reason[REPORT_TEXT_BUF];      /* of a return or an unlock */
	char submitted_by[64], decided_by[64];
} report_state_t;

/* ---- the catalogue ---- */

/* Indicators in the catalogue, into *n. Returns 0 or -1 with e. */
int report_catalogue_size(db_t *db, int64_t *n, err_t *e);

/* Adds or replaces an indicator, a form (and its list). The catalogue
 * loader's (io/report_catalogue.h): it checks them first. Each returns 0
 * or -1 with e. */
int report_indicator_put(db_t *db, const indicator_t *ind, int position, err_t *e);
int report_form_put(db_t *db, const report_form_t *f, int position, err_t *e);

/* Every indicator (catalogue order) into *out, *n. Returns 0 or -1 with e. */
int report_indicators(db_t *db, indicator_t **out, size_t *n, err_t *e);

/* The indicator `code`: 404 not_found when there is none. */
int report_indicator_get(db_t *db, const char *code, indicator_t *out, err_t *e);

/* Every form (catalogue order) into *out, *n. Returns 0 or -1 with e. */
int report_forms(db_t *db, report_form_t **out, size_t *n, err_t *e);

/* The form `code`: 404 not_found when there is none. */
int report_form_get(db_t *db, const char *code, report_form_t *out, err_t *e);

/* ---- values ---- */

typedef enum value_status { VALUE_NONE, VALUE_COMPUTED, VALUE_ENTERED, VALUE_APPROVED } value_status_t;

const char *report_value_status_name(value_status_t s); /* "none", "computed", "entered", "approved" */

typedef struct report_value {
	bool has;               /* false: no value (nothing entered, a ratio over 0, a period to come) */
	int64_t value;          /* milli */
	value_status_t status;
} report_value_t;

/* The registry's figures of a unit for a period, counted once and read by
 * each computed indicator. */
typedef struct report_figures {
	bool counted, any;      /* any: false for a period that has not begun */
	bool flows;             /* counted with the period's flows (joined, left, transfers, dues) */
	int64_t members, members_digital, members_honorary, branches, joined, left, transfers_in, transfers_out,
		dues_paid, dues_amount;
} report_figures_t;

typedef struct report_ctx {
	db_t *db;
	date_t today;
	/* false: the tree as it stood (each value on its unit's last day in
	 * the period); true: mapped onto the units of today: the registry's
	 * figures mapped
	 * (store/member_stats.h), each value entered counted for the unit its
	 * unit became, a formula of those; no approved snapshot (a unit's
	 * figure of then is its area's of then). Set after report_ctx_init. */
	bool mapped;
	/* true: few indicators are asked (a chart's one): the registry's
	 * figures are counted by family as they are asked, the members' on the
	 * day without the period's flows until one is (at the top of the tree
	 * the flows are a third of the count). false: all at once. Set after
	 * report_ctx_init. */
	bool by_family;
	int64_t unit_id;
	period_t period;
	char period_code[PERIOD_CODE_MAX];
	report_figures_t figures;
} report_ctx_t;

/* A context for unit_id and period p (nothing read yet). */
void report_ctx_init(report_ctx_t *c, db_t *db, date_t today, int64_t unit_id, const period_t *p);

/* The value of ind (see the top of this file) into *out. Returns 0 or -1
 * with e. */
int report_value(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e);

/* A way to the value of a formula's term (report_value's own, or
 * store/targets.c's value to date), depth the formulas' nesting so far. */
typedef int (*report_value_fn)(report_ctx_t *c, const indicator_t *ind, int depth, report_value_t *out, err_t *e);

/* The value of formula ind: the ratio of its terms' values, each by fn;
 * out->has false when one has none or the denominator is 0. Fails past
 * nesting too deep. Returns 0 or -1 with e. */
int report_formula(report_ctx_t *c, const indicator_t *ind, int depth, report_value_fn fn, report_value_t *out,
		   err_t *e);

/* The value computed from the records (a computed indicator's), whatever
 * was entered or approved; out->has false for other sources. */
int report_computed(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e);

/* What the units below entered of ind, added up as a unit above with no
 * value of its own would show it (out->has false for an indicator not
 * entered, or nothing entered below). */
int report_below(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e);

/* The unit's own entered value and comment (comment may be NULL). */
int report_own_value(report_ctx_t *c, const char *code, report_value_t *out, char *comment, size_t cap, err_t *e);

/* The same indicator's value for the period before (a warning's base). */
int report_previous_value(report_ctx_t *c, const indicator_t *ind, report_value_t *out, err_t *e);

/* Sets (or with clear, removes) the unit's value of code for the period,
 * with a comment. The caller checks it and the form's state. Returns 0 or
 * -1 with e. */
int report_value_put(report_ctx_t *c, const principal_t *who, const char *code, bool clear, int64_t value,
		     const char *comment, err_t *e);

/* ---- forms' states ---- */

/* The state of form for the unit and period of c (REPORT_NONE when not
 * started). Returns 0 or -1 with e. */
int report_state_get(report_ctx_t *c, const char *form, report_state_t *out, err_t *e);

/* Sets the state of form (status, explanation, reason, by whom). */
int report_state_set(report_ctx_t *c, const char *form, const report_state_t *s, err_t *e);

/* Whether a form holding code is submitted or approved for the unit and
 * period of c: *locked, and that form's code and status. */
int report_locked(report_ctx_t *c, const char *code, bool *locked, char *form, size_t cap, report_status_t *status,
		  err_t *e);

/* One unit of an overview: a unit of the form's level below the one
 * asked, and its form's state for the period. */
typedef struct report_row {
	unit_ref_t unit;
	report_status_t status;
	char submitted_by[64], decided_by[64];
} report_row_t;

/* The units of `level` in unit_id's subtree on day d (itself too, when of
 * that level), by code, each with the state of form for period, into
 * *out (malloc'd, the caller's) and *n. Returns 0 or -1 with e. */
int report_overview(db_t *db, const char *form, const char *level, int64_t unit_id, const char *period, date_t d,
		    report_row_t **out, size_t *n, err_t *e);

/* One form of the approval inbox (report_inbox). */
typedef struct report_inbox_item {
	char form[IND_CODE_MAX + 1];
	char period[PERIOD_CODE_MAX];
	int64_t unit_id;
	report_status_t status;
	char submitted_by[64];
} report_inbox_item_t;

/* The forms in `status` of the units in who's scope other than her own,
 * the longest waiting first, at most max, into *out (malloc'd, the
 * caller's) and *n. Returns 0 or -1 with e. */
int report_inbox(db_t *db, const principal_t *who, report_status_t status, size_t max, report_inbox_item_t **out,
		 size_t *n, err_t *e);

/* The snapshot of an approved form: puts one value (value and computed,
 * each maybe absent), or removes them all (unlock). */
int report_snapshot_put(report_ctx_t *c, const char *form, const char *code, const report_value_t *value,
			const report_value_t *computed, err_t *e);
int report_snapshot_clear(report_ctx_t *c, const char *form, err_t *e);

/* The snapshot's value and computed value of code in form (has false when
 * not kept). */
int report_snapshot_get(report_ctx_t *c, const char *form, const char *code, report_value_t *value,
			report_value_t *computed, err_t *e);

/* ---- a form's figures ---- */

/* The indicator of inds[0..n) with code, or NULL. */
const indicator_t *report_indicator_in(const indicator_t *inds, size_t n, const char *code);

/* Whether a unit filling form enters ind itself (rather than it being
 * computed or added up). */
bool report_enterable(const report_form_t *form, const indicator_t *ind);

/* One indicator of form as it stands for the unit and period of c, its
 * state `state`: its value (the snapshot's once approved; else the unit's
 * own where it enters it, the figure otherwise), what the records say,
 * and the unit's comment (comment may be NULL). Returns 0 or -1 with e. */
int report_form_value(report_ctx_t *c, const report_form_t *form, const report_state_t *state, const indicator_t *ind,
		      report_value_t *value, report_value_t *computed, char *comment, size_t cap, err_t *e);

/* Keeps the snapshot of every value form shows as it stands now (its
 * approval): a figure left blank as what it stood for (the records', the
 * sum below), what the levels above count. inds[0..n) the catalogue. */
int report_freeze(report_ctx_t *c, const report_form_t *form, const report_state_t *state, const indicator_t *inds,
		  size_t n, err_t *e);

/* How far a unit's reported figures stand from its records (the
 * overview's order): the largest share |reported - records| / records
 * (records 0: / 1) among the indicators of form it reports that the
 * records also give, in thousandths, into *share, and which into *worst
 * (a code of inds); *has false when it reports none of them. row the
 * unit and its form's state for period p; inds[0..n) the catalogue. */
int report_distance(db_t *db, date_t today, const report_form_t *form, const indicator_t *inds, size_t n,
		    const report_row_t *row, const period_t *p, int64_t *share, const char **worst, bool *has, err_t *e);

#endif
