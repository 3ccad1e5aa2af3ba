/*
 * indicator.h - the union's report indicators and what can be said of
 * their values without the store (docs/reports.md).
 *
 * An indicator's figure comes from one of three sources: computed from the
 * member registry's records (a figure of store/member_stats.h), entered
 * by officials per unit and period, or a formula: the sum of its
 * numerator's indicators over the sum of its denominator's, times a
 * factor (DHIS2's indicators are the same shape). Each has a roll-up rule
 * for the units above those that enter it, and the levels that enter it
 * (for a computed one: the levels that also report it, to be compared
 * with the records).
 *
 * Values are kept in thousandths (int64_t "milli"): sums are exact and the
 * same on both stores, and three decimals are more than any report uses.
 *
 * Ownership: none; every struct is plain data.
 */
#ifndef UB_INDICATOR_H
#define UB_INDICATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define IND_CODE_MAX 40       /* bytes of a code: [a-z0-9_] */
#define IND_NAME_BUF 256      /* a name, NUL included */
#define IND_MEASURE_BUF 64
#define IND_TERMS_BUF 256     /* a numerator or denominator: codes joined by " + " */
#define IND_LEVELS_BUF 64     /* level keys joined by spaces */
#define IND_MILLI 1000
#define IND_MAX_DECIMALS 3
/* the largest value kept, in thousandths: 10^12 units, so that the sum
 * of one over every unit of the country (10^5 and more) fits in int64 */
#define IND_VALUE_MAX ((int64_t)1000000000000000LL)

typedef enum ind_source { IND_COMPUTED, IND_ENTERED, IND_FORMULA } ind_source_t;
typedef enum ind_rollup { ROLLUP_SUM, ROLLUP_RATIO, ROLLUP_LATEST, ROLLUP_NONE } ind_rollup_t;

typedef struct indicator {
	char code[IND_CODE_MAX + 1];
	char name_vi[IND_NAME_BUF], name_en[IND_NAME_BUF];
	char measure_vi[IND_MEASURE_BUF], measure_en[IND_MEASURE_BUF];
	ind_source_t source;
	char figure[32];                   /* computed: the registry's figure (ind_figure_known) */
	char numerator[IND_TERMS_BUF];     /* formula */
	char denominator[IND_TERMS_BUF];   /* formula; "" is 1 */
	int64_t factor;                    /* formula, milli */
	ind_rollup_t rollup;
	char levels[IND_LEVELS_BUF];       /* the levels that enter (or report) it */
	bool has_min, has_max, has_change_warn, has_tolerance;
	int64_t min, max;                  /* bounds of an entered value, milli */
	int64_t change_warn;               /* a change from the last period beyond this share warns, milli (500: 50%) */
	int64_t tolerance;                 /* reported minus computed beyond this needs an explanation, milli */
	char at_most[IND_CODE_MAX + 1];    /* never above this indicator's value ("" none) */
	int decimals;                      /* 0..IND_MAX_DECIMALS */
} indicator_t;

const char *ind_source_name(ind_source_t s);
int ind_source_parse(const char *s, ind_source_t *out);   /* 0, or -1 when unknown */
const char *ind_rollup_name(ind_rollup_t r);
int ind_rollup_parse(const char *s, ind_rollup_t *out);   /* 0, or -1 when unknown */

/* Whether s is a code: 1..IND_CODE_MAX of [a-z0-9_], beginning with a letter. */
bool ind_code_valid(const char *s);

/* Whether the registry computes figure (members, members_digital, ...). */
bool ind_figure_known(const char *figure);

/* Whether level (a level key) is one of ind's levels. */
bool ind_entered_at(const indicator_t *ind, const char *level);

/* The codes of terms ("a + b + c") into codes[cap][IND_CODE_MAX + 1]:
 * their number into *n. Returns 0, or -1 when one is not a code or there
 * are more than cap. "" gives none. */
int ind_terms(const char *terms, char (*codes)[IND_CODE_MAX + 1], size_t cap, size_t *n);

/* A number written in a catalogue ("0.5", "100", "-2") into thousandths.
 * Returns 0, or -1 when it is not one, has more than IND_MAX_DECIMALS
 * decimals, or is beyond IND_VALUE_MAX. */
int ind_milli_parse(const char *s, int64_t *out);

/* A JSON number (a double) into thousandths, rounded to the indicator's
 * decimals. Returns 0, or -1 when it is not finite, beyond
 * IND_VALUE_MAX, or has more decimals than `decimals` allows (not
 * rounded away silently: 12.5 people is refused). */
int ind_milli_from_double(double v, int decimals, int64_t *out);

/* v (thousandths) rounded half away from zero to `decimals` decimals
 * (0..IND_MAX_DECIMALS; others leave it as it is). */
int64_t ind_round(int64_t v, int decimals);

/* Thousandths as text: "1204", "12.5", "-0.25" (no trailing zeros). */
void ind_milli_format(int64_t v, char *out, size_t cap);

/* Thousandths as a double (for JSON). */
double ind_milli_to_double(int64_t v);

/* The value of a formula: num / den * factor, in thousandths, rounded
 * half away from zero. Returns 0, or -1 when den is 0 (no value). */
int ind_ratio(int64_t num, int64_t den, int64_t factor, int64_t *out);

/* The problems of value v of ind as details on e under field (codes
 * below_min, above_max, too_precise): bounds only; the rules that need
 * other values are ind_check_at_most and ind_change_warns. Returns 0, or
 * -1 when one was added. */
int ind_check_value(const indicator_t *ind, int64_t v, const char *field, err_t *e);

/* v above the value `limit` of the indicator named ind->at_most: a detail
 * "above_other" (other, limit) on e under field. Returns 0 or -1. */
int ind_check_at_most(const indicator_t *ind, int64_t v, int64_t limit, const char *field, err_t *e);

/* Whether v changed from last period's `before` by more than ind's
 * change_warn share (a warning, not a refusal). */
bool ind_change_warns(const indicator_t *ind, int64_t v, int64_t before);

/* Whether a reported value v stands further from computed than ind's
 * tolerance (0 when none is set): an explanation is needed. */
bool ind_needs_explanation(const indicator_t *ind, int64_t v, int64_t computed);

#endif
