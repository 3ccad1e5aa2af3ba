/*
 * period.h - the reporting periods of the union's reports.
 *
 * A report covers a month, a quarter, six months (a "half"), a year or a
 * congress term, each written as a code:
 *
 *     month    2026-05
 *     quarter  2026Q2
 *     half     2026H1          (January to June; H2 is July to December)
 *     year     2026
 *     term     T2026-2031
 *
 * A congress term is five years, from 1 July of its first year to 30 June
 * of its last: the grassroots congresses that open a term are held in the
 * first half of its first year, so its reports start in July. Terms begin in
 * ..., 2016, 2021, 2026, 2031, ... (a year a with a % 5 == 1): T2021-2026 is
 * 2021-07-01 .. 2026-06-30, T2026-2031 is 2026-07-01 .. 2031-06-30.
 *
 * Codes are read strictly, as the program writes them: four-digit years
 * from PERIOD_MIN_YEAR to PERIOD_MAX_YEAR, upper-case Q, H and T, two-digit
 * months, no surrounding white space, no sign, nothing after. "2026q2",
 * " 2026", "+2026" and "2026-5" are refused, so that a code names one period
 * in one way and can be compared as text.
 *
 * Unlike the validity intervals of date.h, which are half-open, a period's
 * `to` is its last day, included, as reports show it: the half-open end is
 * to + 1.
 *
 * A period_t is plain data: it owns no memory, copies are safe and there is
 * nothing to free. No I/O.
 */
#ifndef UB_PERIOD_H
#define UB_PERIOD_H

#include <stdbool.h>

#include "core/date.h"
#include "core/err.h"

typedef enum period_type { PERIOD_MONTH, PERIOD_QUARTER, PERIOD_HALF, PERIOD_YEAR, PERIOD_TERM, PERIOD_TYPES } period_type_t;

#define PERIOD_CODE_MAX 16 /* "T2026-2031" and NUL, with room */

/* Every day of a period lies in these years (a term's first and last year
 * too). 9999 is left out: its last day is DATE_OPEN, which stands for "still
 * holds", not a day a report can end on. */
#define PERIOD_MIN_YEAR DATE_MIN_YEAR
#define PERIOD_MAX_YEAR (DATE_MAX_YEAR - 1)

typedef struct period {
	period_type_t type;
	int year;        /* the first year (a term's first year) */
	int n;           /* month 1-12, quarter 1-4, half 1-2; 0 for a year or a term */
	date_t from, to; /* its first and last day, both included */
} period_t;

/* "month", "quarter", "half", "year", "term" ("unknown" for anything else). */
const char *period_type_name(period_type_t t);

/* The type named s (as period_type_name writes it, in lower case).
 * Returns 0, or -1 when unknown (no err). */
int period_type_parse(const char *s, period_type_t *out);

/* Parses a code (see above) into *out. Returns 0, or -1 with a detail for
 * `field` (the caller fails, as with the other field checks), *out then
 * untouched:
 *   - "invalid_period" for anything that is not a code, a month or quarter
 *     or half that does not exist, or a year outside the range; parameter
 *     "value", what was given (cut and made valid UTF-8 by err.c);
 *   - "invalid_term" for a term whose years are wrong (T2026-2030,
 *     T2025-2030), with the same parameter.
 * Strict: no surrounding white space, no leading '+', no lower-case 'q',
 * 'h' or 't'. s may be NULL (refused). */
int period_parse(const char *s, const char *field, period_t *out, err_t *e);

/* The code of p into out ("" when p's type is unknown). */
void period_format(const period_t *p, char out[PERIOD_CODE_MAX]);

/* The period of type t that holds day d. Returns 0, or -1 when out of range
 * (a day before the first term, T1901-1906, has no term) or t is unknown. */
int period_of(period_type_t t, date_t d, period_t *out);

/* The period of the same type just before p (2026Q1 -> 2025Q4; T2026-2031
 * -> T2021-2026). Returns 0 or -1 when out of range (or p is not a period). */
int period_previous(const period_t *p, period_t *out);

/* Whether every day of inner lies in outer. */
bool period_within(const period_t *inner, const period_t *outer);

#endif
