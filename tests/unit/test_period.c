/* Unit tests of core/period: codes read and written back, the days of each
 * type (leap years, halves, the July-to-June terms), strict refusals with
 * their codes, the period of a day, the period before, and containment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/period.h"
#include "core/text.h"

static date_t day(const char *s)
{
	date_t d = 0;

	if (date_parse(s, &d) != 0)
		fail_msg("not a day: %s", s);
	return d;
}

/* The period of a code the test knows to be good. */
static period_t period(const char *code)
{
	period_t p;
	err_t e;

	err_clear(&e);
	if (period_parse(code, "period", &p, &e) != 0)
		fail_msg("%s refused: %s", code, e.n_details ? e.details[0].message : "");
	return p;
}

static void assert_code(const period_t *p, const char *code)
{
	char buf[PERIOD_CODE_MAX];

	period_format(p, buf);
	assert_string_equal(buf, code);
}

static void assert_days(const char *code, const char *from, const char *to)
{
	period_t p = period(code);
	char a[DATE_STR_LEN], b[DATE_STR_LEN];

	date_format(p.from, a);
	date_format(p.to, b);
	if (strcmp(a, from) != 0 || strcmp(b, to) != 0)
		fail_msg("%s: %s .. %s, expected %s .. %s", code, a, b, from, to);
}

static void type_names_round_trip(void **state)
{
	static const char *const names[] = { "month", "quarter", "half", "year", "term" };
	period_type_t t;
	(void)state;

	for (int i = 0; i < PERIOD_TYPES; i++) {
		assert_string_equal(period_type_name((period_type_t)i), names[i]);
		assert_int_equal(period_type_parse(names[i], &t), 0);
		assert_int_equal(t, i);
	}
	assert_string_equal(period_type_name(PERIOD_TYPES), "unknown");
	assert_int_equal(period_type_parse("Month", &t), -1);
	assert_int_equal(period_type_parse("months", &t), -1);
	assert_int_equal(period_type_parse("", &t), -1);
	assert_int_equal(period_type_parse(NULL, &t), -1);
}

static void codes_round_trip(void **state)
{
	static const struct {
		const char *code;
		period_type_t type;
		int year, n;
	} cases[] = {
		{ "2026-05", PERIOD_MONTH, 2026, 5 },     { "2026-01", PERIOD_MONTH, 2026, 1 },
		{ "2026-12", PERIOD_MONTH, 2026, 12 },    { "2026Q1", PERIOD_QUARTER, 2026, 1 },
		{ "2026Q2", PERIOD_QUARTER, 2026, 2 },    { "2026Q4", PERIOD_QUARTER, 2026, 4 },
		{ "2026H1", PERIOD_HALF, 2026, 1 },       { "2026H2", PERIOD_HALF, 2026, 2 },
		{ "2026", PERIOD_YEAR, 2026, 0 },         { "T2026-2031", PERIOD_TERM, 2026, 0 },
		{ "T2021-2026", PERIOD_TERM, 2021, 0 },   { "1900", PERIOD_YEAR, 1900, 0 },
		{ "1900-01", PERIOD_MONTH, 1900, 1 },     { "9998", PERIOD_YEAR, 9998, 0 },
		{ "9998-12", PERIOD_MONTH, 9998, 12 },    { "9998Q4", PERIOD_QUARTER, 9998, 4 },
		{ "T1901-1906", PERIOD_TERM, 1901, 0 },   { "T9991-9996", PERIOD_TERM, 9991, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		period_t p = period(cases[i].code);
		assert_int_equal(p.type, cases[i].type);
		assert_int_equal(p.year, cases[i].year);
		assert_int_equal(p.n, cases[i].n);
		assert_code(&p, cases[i].code);
		assert_true(p.from <= p.to);
		assert_true(strlen(cases[i].code) < PERIOD_CODE_MAX);
	}
}

static void each_type_has_its_days(void **state)
{
	(void)state;

	assert_days("2024-02", "2024-02-01", "2024-02-29"); /* a leap year */
	assert_days("2025-02", "2025-02-01", "2025-02-28");
	assert_days("1900-02", "1900-02-01", "1900-02-28"); /* no leap day in 1900 */
	assert_days("2026-05", "2026-05-01", "2026-05-31");
	assert_days("2026-04", "2026-04-01", "2026-04-30");
	assert_days("2026-12", "2026-12-01", "2026-12-31");
	assert_days("2026Q1", "2026-01-01", "2026-03-31");
	assert_days("2024Q1", "2024-01-01", "2024-03-31");
	assert_days("2026Q2", "2026-04-01", "2026-06-30");
	assert_days("2026Q3", "2026-07-01", "2026-09-30");
	assert_days("2026Q4", "2026-10-01", "2026-12-31");
	assert_days("2026H1", "2026-01-01", "2026-06-30");
	assert_days("2026H2", "2026-07-01", "2026-12-31");
	assert_days("2026", "2026-01-01", "2026-12-31");
	assert_days("2024", "2024-01-01", "2024-12-31");
	assert_days("T2021-2026", "2021-07-01", "2026-06-30");
	assert_days("T2026-2031", "2026-07-01", "2031-06-30");
	assert_days("1900", "1900-01-01", "1900-12-31");
	assert_days("9998", "9998-01-01", "9998-12-31");
	assert_days("T9991-9996", "9991-07-01", "9996-06-30");
	/* a year is 365 or 366 days, a term five years' worth */
	assert_int_equal(period("2024").to - period("2024").from + 1, 366);
	assert_int_equal(period("2026").to - period("2026").from + 1, 365);
	assert_int_equal(period("T2026-2031").to - period("T2026-2031").from + 1, 365 * 5 + 1); /* 29 February 2028 */
}

/* Refuses s and checks the one detail: field "period", code and value. */
static void assert_refused(const char *s, const char *code, const char *value)
{
	period_t p = { .type = PERIOD_YEAR, .year = 1234, .n = 0, .from = 7, .to = 8 };
	err_t e;

	err_clear(&e);
	if (period_parse(s, "period", &p, &e) != -1)
		fail_msg("accepted: '%s'", s ? s : "(null)");
	assert_int_equal(e.n_details, 1);
	assert_string_equal(e.details[0].field, "period");
	if (strcmp(e.details[0].code, code) != 0)
		fail_msg("'%s': code %s, expected %s", s ? s : "(null)", e.details[0].code, code);
	assert_non_null(err_detail_param(&e.details[0], "value"));
	if (value)
		assert_string_equal(err_detail_param(&e.details[0], "value")->text, value);
	assert_true(text_utf8(err_detail_param(&e.details[0], "value")->text));
	assert_true(text_utf8(e.details[0].message));
	/* a field check: the caller fails, with the kind it chooses */
	assert_int_equal(e.kind, ERR_NONE);
	/* *out untouched */
	assert_int_equal(p.year, 1234);
	assert_int_equal(p.from, 7);
}

static void refuses_what_is_not_a_period(void **state)
{
	static const char *const bad[] = {
		"2026-13", "2026-00", "2026Q5", "2026Q0", "2026H3", "2026H0", "2026q2", "2026h1",
		"t2026-2031", " 2026", "2026 ", "+2026", "-2026", "20261", "2026-5", "2026-05-01",
		"2026Q", "2026Q12", "2026-1a", "202", "1899", "1899-12", "9999", "9999-01", "0000",
		"T1896-1901", /* the right years, before the first one taken */
		"2026\t", "2026\n", "T 2026-2031", "T2026–2031", /* an en dash */
		"２０２６",                                      /* full-width digits */
		"2026/05", "2026M05", "Q2 2026",
	};
	err_t e;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i], "invalid_period", bad[i]);
	assert_refused("", "invalid_period", "");
	assert_refused(NULL, "invalid_period", "");

	/* the message quotes the value */
	err_clear(&e);
	assert_int_equal(period_parse("2026-13", "period", &(period_t){ 0 }, &e), -1);
	assert_string_equal(e.details[0].message,
			    "'2026-13' is not a period (2026-05, 2026Q2, 2026H1, 2026 or T2026-2031)");
	/* no err_t: still refused */
	assert_int_equal(period_parse("2026-13", "period", &(period_t){ 0 }, NULL), -1);
	assert_int_equal(period_parse("2026-12", "period", &(period_t){ 0 }, NULL), 0);
}

static void refuses_terms_in_the_wrong_years(void **state)
{
	static const char *const bad[] = {
		"T2026-2030", "T2025-2030", "T2026-2026", "T2031-2026", "T2027-2032", "T2026-2036", "T0000-0005",
	};
	err_t e;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i], "invalid_term", bad[i]);
	err_clear(&e);
	assert_int_equal(period_parse("T2025-2030", "term", &(period_t){ 0 }, &e), -1);
	assert_string_equal(e.details[0].field, "term");
	assert_string_equal(e.details[0].message,
			    "'T2025-2030' is not a term: terms are five years from 2021, 2026, 2031, ... (T2026-2031)");
}

static void quotes_long_and_broken_values_safely(void **state)
{
	char longer[1001], vi[3 * 300 + 1];
	const err_param_t *v;
	err_t e;
	(void)state;

	/* a long value is cut to what a parameter holds */
	memset(longer, '2', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_refused(longer, "invalid_period", NULL);
	err_clear(&e);
	assert_int_equal(period_parse(longer, "period", &(period_t){ 0 }, &e), -1);
	v = err_detail_param(&e.details[0], "value");
	assert_int_equal(strlen(v->text), ERR_PARAM_TEXT - 1);
	assert_int_equal(strncmp(v->text, longer, ERR_PARAM_TEXT - 1), 0);
	assert_true(strlen(e.details[0].message) < sizeof(e.details[0].message));

	/* ... at a character boundary: "ễ" is 3 bytes and 95 is no multiple of 3 */
	for (size_t i = 0; i < 300; i++)
		memcpy(vi + 3 * i, "\xe1\xbb\x85", 3);
	vi[sizeof(vi) - 1] = '\0';
	assert_refused(vi, "invalid_period", NULL);
	err_clear(&e);
	assert_int_equal(period_parse(vi, "period", &(period_t){ 0 }, &e), -1);
	v = err_detail_param(&e.details[0], "value");
	assert_int_equal(strlen(v->text) % 3, 0);
	assert_true(strlen(v->text) >= ERR_PARAM_TEXT - 3);
	assert_int_equal(strncmp(v->text, vi, strlen(v->text)), 0);

	/* bytes that are not UTF-8 come back as '?' */
	assert_refused("2026\xff", "invalid_period", "2026?");
	assert_refused("\xc3\x28" "2026", "invalid_period", "?(2026");
	assert_refused("2026Q\xe1\xbb", "invalid_period", "2026Q??");
	assert_refused("T2026\xc0\xae" "2031", "invalid_period", "T2026??2031");
}

/* period_of(t, day(d)) is the period with that code, and holds d. */
static void assert_of(period_type_t t, const char *d, const char *code)
{
	period_t p;
	char buf[PERIOD_CODE_MAX];

	if (period_of(t, day(d), &p) != 0)
		fail_msg("no %s holds %s", period_type_name(t), d);
	period_format(&p, buf);
	if (strcmp(buf, code) != 0)
		fail_msg("the %s of %s is %s, expected %s", period_type_name(t), d, buf, code);
	assert_true(p.from <= day(d) && day(d) <= p.to);
	assert_int_equal(p.from, period(code).from);
	assert_int_equal(p.to, period(code).to);
}

/* Asserts the periods of day d: month, quarter, half, year and term. */
static void assert_all_of(const char *d, const char *m, const char *q, const char *h, const char *y,
			  const char *term)
{
	assert_of(PERIOD_MONTH, d, m);
	assert_of(PERIOD_QUARTER, d, q);
	assert_of(PERIOD_HALF, d, h);
	assert_of(PERIOD_YEAR, d, y);
	assert_of(PERIOD_TERM, d, term);
}

static void period_of_awkward_days(void **state)
{
	period_t p;
	(void)state;

	assert_all_of("2026-01-01", "2026-01", "2026Q1", "2026H1", "2026", "T2021-2026");
	assert_all_of("2024-02-29", "2024-02", "2024Q1", "2024H1", "2024", "T2021-2026");
	assert_all_of("2026-03-31", "2026-03", "2026Q1", "2026H1", "2026", "T2021-2026");
	assert_all_of("2026-04-01", "2026-04", "2026Q2", "2026H1", "2026", "T2021-2026");
	assert_all_of("2026-06-30", "2026-06", "2026Q2", "2026H1", "2026", "T2021-2026");
	assert_all_of("2026-07-01", "2026-07", "2026Q3", "2026H2", "2026", "T2026-2031");
	assert_all_of("2026-12-31", "2026-12", "2026Q4", "2026H2", "2026", "T2026-2031");
	assert_all_of("2021-06-30", "2021-06", "2021Q2", "2021H1", "2021", "T2016-2021");
	assert_all_of("2021-07-01", "2021-07", "2021Q3", "2021H2", "2021", "T2021-2026");
	assert_all_of("2031-06-30", "2031-06", "2031Q2", "2031H1", "2031", "T2026-2031");
	assert_all_of("2031-07-01", "2031-07", "2031Q3", "2031H2", "2031", "T2031-2036");
	assert_all_of("2028-12-31", "2028-12", "2028Q4", "2028H2", "2028", "T2026-2031");

	/* the ends of the range: 1900 has years but no term before T1901-1906,
	 * and 9998's second half is after the last term */
	assert_of(PERIOD_YEAR, "1900-01-01", "1900");
	assert_of(PERIOD_MONTH, "1900-01-01", "1900-01");
	assert_int_equal(period_of(PERIOD_TERM, day("1900-01-01"), &p), -1);
	assert_int_equal(period_of(PERIOD_TERM, day("1901-06-30"), &p), -1);
	assert_of(PERIOD_TERM, "1901-07-01", "T1901-1906");
	assert_of(PERIOD_YEAR, "9998-12-31", "9998");
	assert_of(PERIOD_HALF, "9998-12-31", "9998H2");
	assert_of(PERIOD_TERM, "9996-06-30", "T9991-9996");
	assert_int_equal(period_of(PERIOD_TERM, day("9996-07-01"), &p), -1);
	for (int t = 0; t < PERIOD_TYPES; t++) {
		assert_int_equal(period_of((period_type_t)t, DATE_FIRST - 1, &p), -1);
		assert_int_equal(period_of((period_type_t)t, day("9999-01-01"), &p), -1);
		assert_int_equal(period_of((period_type_t)t, DATE_OPEN, &p), -1);
		assert_int_equal(period_of((period_type_t)t, INT32_MAX, &p), -1);
		assert_int_equal(period_of((period_type_t)t, INT32_MIN, &p), -1);
	}
	assert_int_equal(period_of(PERIOD_TYPES, day("2026-01-01"), &p), -1);
}

/* Day by day over three terms: each day's period holds it, the periods
 * tile the days (a period starts the day after the one before ends) and
 * period_previous steps back to the one before. */
static void periods_tile_the_days(void **state)
{
	date_t first = day("2014-01-01"), last = day("2034-12-31");
	(void)state;

	for (int t = 0; t < PERIOD_TYPES; t++) {
		period_t before, p, back;
		assert_int_equal(period_of((period_type_t)t, first - 1, &before), 0);
		for (date_t d = first; d <= last; d++) {
			assert_int_equal(period_of((period_type_t)t, d, &p), 0);
			assert_true(p.from <= d && d <= p.to);
			if (p.from == before.from)
				continue;
			assert_int_equal(p.from, before.to + 1);
			assert_int_equal(period_previous(&p, &back), 0);
			assert_int_equal(back.from, before.from);
			assert_int_equal(back.to, before.to);
			assert_int_equal(back.n, before.n);
			before = p;
		}
	}
}

static void assert_previous(const char *code, const char *prev)
{
	period_t p = period(code), q;

	assert_int_equal(period_previous(&p, &q), 0);
	assert_code(&q, prev);
	assert_int_equal(q.type, p.type);
	assert_int_equal(q.to + 1, p.from);
}

static void previous_steps_back_across_years(void **state)
{
	period_t p, q;
	(void)state;

	assert_previous("2026-01", "2025-12");
	assert_previous("2026-05", "2026-04");
	assert_previous("2024-03", "2024-02");
	assert_previous("2026Q1", "2025Q4");
	assert_previous("2026Q3", "2026Q2");
	assert_previous("2026H1", "2025H2");
	assert_previous("2026H2", "2026H1");
	assert_previous("2026", "2025");
	assert_previous("2000", "1999");
	assert_previous("T2026-2031", "T2021-2026");
	assert_previous("T2021-2026", "T2016-2021");

	/* nothing before the first of each */
	static const char *const firsts[] = { "1900-01", "1900Q1", "1900H1", "1900", "T1901-1906" };
	for (size_t i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
		p = period(firsts[i]);
		assert_int_equal(period_previous(&p, &q), -1);
	}
	/* what is not a period has none */
	assert_int_equal(period_previous(NULL, &q), -1);
	p = period("2026-05");
	p.n = 13;
	assert_int_equal(period_previous(&p, &q), -1);
	p = period("2026");
	p.type = PERIOD_TYPES;
	assert_int_equal(period_previous(&p, &q), -1);
	p = period("T2026-2031");
	p.year = 2025;
	assert_int_equal(period_previous(&p, &q), -1);
	p = period("2026");
	p.year = INT32_MIN;
	assert_int_equal(period_previous(&p, &q), -1);
}

static void within_compares_days(void **state)
{
	static const struct {
		const char *inner, *outer;
		bool within;
	} cases[] = {
		{ "2026-05", "2026H1", true },       { "2026-05", "2026H2", false },
		{ "2026-05", "2026Q2", true },       { "2026-06", "2026Q3", false },
		{ "2026Q2", "2026H1", true },        { "2026Q3", "2026H1", false },
		{ "2026H1", "2026", true },          { "2026H2", "2026", true },
		{ "2026", "2026H1", false },         { "2026", "2026", true },
		{ "2026", "T2026-2031", false },     /* straddles the start of the term */
		{ "2026", "T2021-2026", false },     /* and the end of the one before */
		{ "2027", "T2026-2031", true },      { "2031", "T2026-2031", false },
		{ "2026H1", "T2021-2026", true },    { "2026H2", "T2026-2031", true },
		{ "2026-06", "T2021-2026", true },   { "2026-07", "T2026-2031", true },
		{ "2026-07", "T2021-2026", false },  { "T2026-2031", "2027", false },
		{ "T2026-2031", "T2026-2031", true }, { "T2021-2026", "T2026-2031", false },
		{ "2025-12", "2026", false },
	};
	period_t p;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		period_t a = period(cases[i].inner), b = period(cases[i].outer);
		if (period_within(&a, &b) != cases[i].within)
			fail_msg("%s within %s: expected %s", cases[i].inner, cases[i].outer,
				 cases[i].within ? "true" : "false");
	}
	p = period("2026");
	assert_false(period_within(NULL, &p));
	assert_false(period_within(&p, NULL));
}

static void format_of_a_period_made_by_hand(void **state)
{
	period_t p = { .type = PERIOD_QUARTER, .year = 2026, .n = 3 };
	char buf[PERIOD_CODE_MAX];
	(void)state;

	assert_code(&p, "2026Q3");
	p.type = PERIOD_TYPES;
	period_format(&p, buf);
	assert_string_equal(buf, "");
	/* out of range: cut, but never past the buffer */
	p.type = PERIOD_TERM;
	p.year = -1;
	period_format(&p, buf);
	assert_true(strlen(buf) < PERIOD_CODE_MAX);
	p.type = PERIOD_MONTH;
	p.year = INT32_MAX;
	p.n = INT32_MIN;
	period_format(&p, buf);
	assert_true(strlen(buf) < PERIOD_CODE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(type_names_round_trip),
		cmocka_unit_test(codes_round_trip),
		cmocka_unit_test(each_type_has_its_days),
		cmocka_unit_test(refuses_what_is_not_a_period),
		cmocka_unit_test(refuses_terms_in_the_wrong_years),
		cmocka_unit_test(quotes_long_and_broken_values_safely),
		cmocka_unit_test(period_of_awkward_days),
		cmocka_unit_test(periods_tile_the_days),
		cmocka_unit_test(previous_steps_back_across_years),
		cmocka_unit_test(within_compares_days),
		cmocka_unit_test(format_of_a_period_made_by_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
