/*
 * period.c - reporting periods (see period.h). Days are found through
 * date.c's calendar (date_from_ymd, date_ymd): a period is worked out as a
 * first month and a length in months.
 */
#include "core/period.h"

#include <stdio.h>
#include <string.h>

/* A congress term: TERM_YEARS years from 1 July of a year a with
 * a % TERM_YEARS == TERM_YEAR_MOD (..., 2021, 2026, 2031, ...). It starts in
 * July because the grassroots congresses that open a term are held in the
 * first half of its first year. */
enum { TERM_YEARS = 5, TERM_YEAR_MOD = 1, TERM_FIRST_MONTH = 7 };

static const struct {
	const char *name;
	int months;   /* its length */
	int per_year; /* how many start in a year (n is 1..per_year); 0: n is 0 */
} TYPES[PERIOD_TYPES] = {
	[PERIOD_MONTH] = { "month", 1, 12 },
	[PERIOD_QUARTER] = { "quarter", 3, 4 },
	[PERIOD_HALF] = { "half", 6, 2 },
	[PERIOD_YEAR] = { "year", 12, 0 },
	[PERIOD_TERM] = { "term", TERM_YEARS * 12, 0 },
};

static bool type_ok(period_type_t t)
{
	return (unsigned)t < PERIOD_TYPES;
}

const char *period_type_name(period_type_t t)
{
	return type_ok(t) ? TYPES[t].name : "unknown";
}

int period_type_parse(const char *s, period_type_t *out)
{
	for (int t = 0; s && t < PERIOD_TYPES; t++)
		if (strcmp(s, TYPES[t].name) == 0) {
			*out = (period_type_t)t;
			return 0;
		}
	return -1;
}

/* ---- days ---- */

static bool term_year(int a)
{
	return a % TERM_YEARS == TERM_YEAR_MOD;
}

/* The first month of period (t, year, n), 1-12 in `year`. */
static int first_month(period_type_t t, int n)
{
	if (t == PERIOD_TERM)
		return TERM_FIRST_MONTH;
	return TYPES[t].per_year ? (n - 1) * TYPES[t].months + 1 : 1;
}

/* Builds period (t, year, n) into *out with its days. Returns 0, or -1 when
 * it is no period (n out of its range, a term in the wrong year) or a day
 * of it falls outside PERIOD_MIN_YEAR..PERIOD_MAX_YEAR; *out is then
 * untouched. */
static int make(period_type_t t, int year, int n, period_t *out)
{
	period_t p;
	date_t next;
	int first, after, next_y, next_m;

	if (!type_ok(t) || year < PERIOD_MIN_YEAR || year > PERIOD_MAX_YEAR)
		return -1;
	if (TYPES[t].per_year ? (n < 1 || n > TYPES[t].per_year) : n != 0)
		return -1;
	if (t == PERIOD_TERM && !term_year(year))
		return -1;
	first = first_month(t, n);
	/* the month after its last, counted from January of `year` (0) */
	after = first - 1 + TYPES[t].months;
	next_y = year + after / 12;
	next_m = after % 12 + 1;
	/* its last day is in next_y, or in the year before when next_m is January */
	if ((next_m == 1 ? next_y - 1 : next_y) > PERIOD_MAX_YEAR)
		return -1;
	p.type = t;
	p.year = year;
	p.n = n;
	if (date_from_ymd(year, first, 1, &p.from) != 0 || date_from_ymd(next_y, next_m, 1, &next) != 0)
		return -1;
	p.to = next - 1;
	*out = p;
	return 0;
}

/* ---- codes ---- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int number(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Reads the shape of a code: its type, first year and n, and a term's last
 * year into *last. Returns 0, or -1 when s has none of the five shapes. The
 * numbers are not checked here. */
static int scan(const char *s, period_type_t *t, int *year, int *n, int *last)
{
	size_t len = strlen(s);

	*n = 0;
	*last = 0;
	if (len == 10 && s[0] == 'T' && s[5] == '-' && digits(s + 1, 4) && digits(s + 6, 4)) {
		*t = PERIOD_TERM;
		*year = number(s + 1, 4);
		*last = number(s + 6, 4);
		return 0;
	}
	if (len < 4 || !digits(s, 4))
		return -1;
	*year = number(s, 4);
	if (len == 4) {
		*t = PERIOD_YEAR;
		return 0;
	}
	if (len == 7 && s[4] == '-' && digits(s + 5, 2)) {
		*t = PERIOD_MONTH;
		*n = number(s + 5, 2);
		return 0;
	}
	if (len == 6 && (s[4] == 'Q' || s[4] == 'H') && digits(s + 5, 1)) {
		*t = s[4] == 'Q' ? PERIOD_QUARTER : PERIOD_HALF;
		*n = number(s + 5, 1);
		return 0;
	}
	return -1;
}

int period_parse(const char *s, const char *field, period_t *out, err_t *e)
{
	period_type_t t;
	int year, n, last;

	if (s && scan(s, &t, &year, &n, &last) == 0) {
		/* the term's own rule first: T2025-2030 is a term in the wrong
		 * years, which says more than "not a period" */
		if (t == PERIOD_TERM && (!term_year(year) || last != year + TERM_YEARS))
			return err_field(e, field, "invalid_term",
					 "'{value}' is not a term: terms are five years from 2021, 2026, 2031, ... (T2026-2031)",
					 ERR_STR("value", s));
		if (make(t, year, n, out) == 0)
			return 0;
	}
	/* s is quoted as it came: err.c cuts a parameter to ERR_PARAM_TEXT at
	 * a character boundary and puts '?' for bytes that are not UTF-8 */
	return err_field(e, field, "invalid_period",
			 "'{value}' is not a period (2026-05, 2026Q2, 2026H1, 2026 or T2026-2031)",
			 ERR_STR("value", s));
}

void period_format(const period_t *p, char out[PERIOD_CODE_MAX])
{
	/* unsigned and cut, as in date.c: a period_t put together by hand
	 * cannot overrun out */
	unsigned y = (unsigned)p->year % 10000u, n = (unsigned)p->n % 100u;

	switch (p->type) {
	case PERIOD_MONTH: snprintf(out, PERIOD_CODE_MAX, "%04u-%02u", y, n); break;
	case PERIOD_QUARTER: snprintf(out, PERIOD_CODE_MAX, "%04uQ%u", y, n); break;
	case PERIOD_HALF: snprintf(out, PERIOD_CODE_MAX, "%04uH%u", y, n); break;
	case PERIOD_YEAR: snprintf(out, PERIOD_CODE_MAX, "%04u", y); break;
	case PERIOD_TERM: snprintf(out, PERIOD_CODE_MAX, "T%04u-%04u", y, (y + TERM_YEARS) % 10000u); break;
	case PERIOD_TYPES:
	default: out[0] = '\0'; break;
	}
}

/* ---- arithmetic ---- */

int period_of(period_type_t t, date_t d, period_t *out)
{
	int y, m, day, n = 0;

	if (!type_ok(t))
		return -1;
	date_ymd(d, &y, &m, &day);
	if (t == PERIOD_TERM) {
		/* January to June belong to the term that began the year before */
		if (m < TERM_FIRST_MONTH)
			y--;
		/* back to the term's first year; ((x % k) + k) % k stays in
		 * 0..k-1 for a negative x too */
		y -= ((y - TERM_YEAR_MOD) % TERM_YEARS + TERM_YEARS) % TERM_YEARS;
	} else if (TYPES[t].per_year) {
		n = (m - 1) / TYPES[t].months + 1;
	}
	return make(t, y, n, out);
}

int period_previous(const period_t *p, period_t *out)
{
	period_t cur;
	int year, n;

	/* p must be a period: its year in range also keeps year - TERM_YEARS
	 * from overflowing */
	if (!p || make(p->type, p->year, p->n, &cur) != 0)
		return -1;
	year = cur.year;
	n = cur.n;
	if (cur.type == PERIOD_TERM) {
		year -= TERM_YEARS;
	} else if (n > 1) {
		n--;
	} else {
		/* the last of the year before (n stays 0 for a year) */
		year--;
		n = TYPES[cur.type].per_year;
	}
	return make(cur.type, year, n, out);
}

bool period_within(const period_t *inner, const period_t *outer)
{
	return inner && outer && inner->from >= outer->from && inner->to <= outer->to;
}
