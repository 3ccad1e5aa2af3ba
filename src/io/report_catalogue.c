/*
 * report_catalogue.c - see report_catalogue.h.
 */
#include "io/report_catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/indicator.h"
#include "core/period.h"
#include "io/csv_table.h"
#include "store/reports.h"
#include "store/util.h"

static const char *const IND_COLS[] = { "code",      "name_vi",     "name_en",    "measure_vi", "measure_en",
					"source",    "figure",      "numerator",  "denominator", "factor",
					"rollup",    "levels",      "min",        "max",        "at_most",
					"change_warn", "tolerance", "decimals" };
#define N_IND_COLS (sizeof(IND_COLS) / sizeof(IND_COLS[0]))

static const char *const FORM_COLS[] = { "code", "name_vi", "name_en", "level", "period_type", "due_days",
					 "indicators" };
#define N_FORM_COLS (sizeof(FORM_COLS) / sizeof(FORM_COLS[0]))

#define TERMS_MAX 8

/* A refusal of row r of file: ERR_INTERNAL, the build's data is wrong. */
static int bad_row(const char *file, const csv_row_t *r, const char *what, err_t *e)
{
	return err_fail(e, ERR_INTERNAL, NULL, "{file} line {line}: {reason}", ERR_STR("file", file),
			ERR_INT("line", r->line), ERR_STR("reason", what));
}

static int text(const char *file, const csv_row_t *r, const char *v, char *dst, size_t cap, err_t *e)
{
	if (strlen(v) >= cap)
		return bad_row(file, r, "a text is too long", e);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* An optional number: *has false when empty. */
static int opt_milli(const char *file, const csv_row_t *r, const char *v, bool *has, int64_t *out, err_t *e)
{
	*has = v[0] != '\0';
	*out = 0;
	if (*has && ind_milli_parse(v, out))
		return bad_row(file, r, "a number is not one", e);
	return 0;
}

/* Column i of row r of table t. */
#define F(i) csv_field(r, csv_col(t, IND_COLS[i]))

static int read_indicator(const csv_table_t *t, const csv_row_t *r, indicator_t *ind, err_t *e)
{
	static const char *const file = "data/indicators.csv";
	bool has_factor = false;
	int64_t decimals = 0;
	bool has_decimals = false;

	memset(ind, 0, sizeof(*ind));
	if (!ind_code_valid(F(0)))
		return bad_row(file, r, "the code is not one", e);
	if (text(file, r, F(0), ind->code, sizeof(ind->code), e) ||
	    text(file, r, F(1), ind->name_vi, sizeof(ind->name_vi), e) ||
	    text(file, r, F(2), ind->name_en, sizeof(ind->name_en), e) ||
	    text(file, r, F(3), ind->measure_vi, sizeof(ind->measure_vi), e) ||
	    text(file, r, F(4), ind->measure_en, sizeof(ind->measure_en), e) ||
	    text(file, r, F(6), ind->figure, sizeof(ind->figure), e) ||
	    text(file, r, F(7), ind->numerator, sizeof(ind->numerator), e) ||
	    text(file, r, F(8), ind->denominator, sizeof(ind->denominator), e) ||
	    text(file, r, F(11), ind->levels, sizeof(ind->levels), e) ||
	    text(file, r, F(14), ind->at_most, sizeof(ind->at_most), e))
		return -1;
	if (!ind->name_vi[0] || !ind->name_en[0])
		return bad_row(file, r, "a name is missing", e);
	if (ind_source_parse(F(5), &ind->source))
		return bad_row(file, r, "the source is not computed, entered or formula", e);
	if (ind_rollup_parse(F(10), &ind->rollup))
		return bad_row(file, r, "the roll-up is not sum, ratio, latest or none", e);
	if (opt_milli(file, r, F(9), &has_factor, &ind->factor, e) || opt_milli(file, r, F(12), &ind->has_min, &ind->min, e) ||
	    opt_milli(file, r, F(13), &ind->has_max, &ind->max, e) ||
	    opt_milli(file, r, F(15), &ind->has_change_warn, &ind->change_warn, e) ||
	    opt_milli(file, r, F(16), &ind->has_tolerance, &ind->tolerance, e) ||
	    opt_milli(file, r, F(17), &has_decimals, &decimals, e))
		return -1;
	if (!has_factor)
		ind->factor = IND_MILLI;
	ind->decimals = (int)(decimals / IND_MILLI);
	if (decimals % IND_MILLI || ind->decimals < 0 || ind->decimals > IND_MAX_DECIMALS)
		return bad_row(file, r, "decimals is not 0 to 3", e);
	if ((ind->source == IND_COMPUTED) != (ind->figure[0] != '\0') ||
	    (ind->figure[0] && !ind_figure_known(ind->figure)))
		return bad_row(file, r, "a computed indicator names a figure the registry computes, and only it does", e);
	if ((ind->source == IND_FORMULA) != (ind->numerator[0] != '\0') ||
	    (ind->source != IND_FORMULA && ind->denominator[0]))
		return bad_row(file, r, "a formula has a numerator, and only a formula has one", e);
	if (ind->at_most[0] && !ind_code_valid(ind->at_most))
		return bad_row(file, r, "at_most is not a code", e);
	return 0;
}

#undef F

/* Whether code is one of inds[0..n). */
static bool known(const indicator_t *inds, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(inds[i].code, code) == 0)
			return true;
	return false;
}

/* The references between indicators: terms, at_most, unique codes, and
 * formulas only over indicators above them in the file (so no cycle). */
static int check_references(const csv_table_t *t, const indicator_t *inds, size_t n, err_t *e)
{
	static const char *const file = "data/indicators.csv";
	char codes[TERMS_MAX][IND_CODE_MAX + 1];
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const csv_row_t *r = &t->rows[i];
		if (known(inds, i, inds[i].code))
			return bad_row(file, r, "the code is there twice", e);
		if (inds[i].at_most[0] && !known(inds, n, inds[i].at_most))
			return bad_row(file, r, "at_most names no indicator", e);
		for (int k = 0; k < 2; k++) {
			const char *terms = k ? inds[i].denominator : inds[i].numerator;
			if (ind_terms(terms, codes, TERMS_MAX, &m))
				return bad_row(file, r, "a formula's terms are not codes", e);
			for (size_t j = 0; j < m; j++)
				if (!known(inds, i, codes[j]))
					return bad_row(file, r, "a formula names an indicator not above it", e);
		}
	}
	return 0;
}

static int read_form(const csv_table_t *t, const csv_row_t *r, const indicator_t *inds, size_t n_inds,
		     report_form_t *f, err_t *e)
{
	static const char *const file = "data/forms.csv";
	char list[REPORT_FORM_MAX * (IND_CODE_MAX + 1)], *save = NULL;
	const char *due = csv_field(r, csv_col(t, "due_days"));
	char *end = NULL;
	long days;

	memset(f, 0, sizeof(*f));
	if (!ind_code_valid(csv_field(r, csv_col(t, "code"))))
		return bad_row(file, r, "the code is not one", e);
	if (text(file, r, csv_field(r, csv_col(t, "code")), f->code, sizeof(f->code), e) ||
	    text(file, r, csv_field(r, csv_col(t, "name_vi")), f->name_vi, sizeof(f->name_vi), e) ||
	    text(file, r, csv_field(r, csv_col(t, "name_en")), f->name_en, sizeof(f->name_en), e) ||
	    text(file, r, csv_field(r, csv_col(t, "level")), f->level, sizeof(f->level), e) ||
	    text(file, r, csv_field(r, csv_col(t, "indicators")), list, sizeof(list), e))
		return -1;
	if (period_type_parse(csv_field(r, csv_col(t, "period_type")), &f->period_type))
		return bad_row(file, r, "the period type is not month, quarter, half, year or term", e);
	days = strtol(due, &end, 10);
	if (!*due || *end || days < 0 || days > 366)
		return bad_row(file, r, "due_days is not 0 to 366", e);
	f->due_days = (int)days;
	for (char *c = strtok_r(list, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		if (f->n == REPORT_FORM_MAX || !known(inds, n_inds, c))
			return bad_row(file, r, "an indicator of the form is not in the catalogue", e);
		snprintf(f->codes[f->n++], sizeof(f->codes[0]), "%s", c);
	}
	return f->n ? 0 : bad_row(file, r, "the form has no indicators", e);
}

static int load(db_t *db, size_t *loaded, err_t *e)
{
	csv_table_t ti, tf;
	indicator_t *inds = NULL;
	report_form_t f;
	int r;

	if (csv_table_builtin("data/indicators.csv", IND_COLS, N_IND_COLS, &ti, e))
		return -1;
	if (csv_table_builtin("data/forms.csv", FORM_COLS, N_FORM_COLS, &tf, e)) {
		csv_table_free(&ti);
		return -1;
	}
	inds = calloc(ti.n_rows ? ti.n_rows : 1, sizeof(*inds));
	if (!inds) {
		csv_table_free(&ti);
		csv_table_free(&tf);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	r = 0;
	for (size_t i = 0; !r && i < ti.n_rows; i++)
		r = read_indicator(&ti, &ti.rows[i], &inds[i], e);
	if (!r)
		r = check_references(&ti, inds, ti.n_rows, e);
	for (size_t i = 0; !r && i < ti.n_rows; i++)
		r = report_indicator_put(db, &inds[i], (int)i, e);
	for (size_t i = 0; !r && i < tf.n_rows; i++)
		r = read_form(&tf, &tf.rows[i], inds, ti.n_rows, &f, e) || report_form_put(db, &f, (int)i, e);
	if (!r)
		*loaded = ti.n_rows;
	free(inds);
	csv_table_free(&ti);
	csv_table_free(&tf);
	return r;
}

int report_catalogue_load(db_t *db, size_t *loaded, err_t *e)
{
	int64_t n = 0;
	bool own = false;
	int r;

	*loaded = 0;
	if (store_tx_begin(db, &own, e))
		return -1;
	r = report_catalogue_size(db, &n, e);
	if (!r && n == 0)
		r = load(db, loaded, e);
	return store_tx_end(db, own, r, e);
}
