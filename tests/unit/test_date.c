/* Unit tests of core/date: strict parsing, formatting, the open end, and
 * today (pinned by UNIONBASE_TODAY, else the clock's day in the local time
 * zone). The tests of today set and restore TZ and UNIONBASE_TODAY
 * themselves, so they hold on any day, in any zone, with or without a pin
 * in the environment they run in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"

static void parses_and_formats_round_trip(void **state)
{
	char buf[DATE_STR_LEN];
	date_t d;
	(void)state;

	assert_int_equal(date_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(date_parse("2025-07-01", &d), 0);
	assert_string_equal(date_format(d, buf), "2025-07-01");
	assert_int_equal(date_parse("2024-02-29", &d), 0);
	assert_string_equal(date_format(d - 1, buf), "2024-02-28");
	assert_string_equal(date_format(d + 1, buf), "2024-03-01");
}

static void refuses_what_is_not_a_day(void **state)
{
	static const char *const bad[] = {
		"", "2025-7-01", "2025-07-1", "2025/07/01", "2025-02-29", "2025-13-01", "2025-00-10",
		"2025-04-31", "20250701", "2025-07-01T00:00", " 2025-07-01", "abcd-ef-gh", "1899-12-31",
		"2025-07-0x", NULL,
	};
	date_t d;
	(void)state;

	for (int i = 0; bad[i]; i++)
		assert_int_equal(date_parse(bad[i], &d), -1);
	assert_int_equal(date_parse(NULL, &d), -1);
}

static void open_end_is_the_last_day_of_9999(void **state)
{
	char buf[DATE_STR_LEN];
	date_t d;
	(void)state;

	assert_int_equal(date_parse("9999-12-31", &d), 0);
	assert_int_equal(d, DATE_OPEN);
	assert_string_equal(date_format(DATE_OPEN, buf), "9999-12-31");
	assert_int_equal(date_parse("1900-01-01", &d), 0);
	assert_int_equal(d, DATE_FIRST);
}

static void intervals_are_half_open(void **state)
{
	date_t a, b;
	(void)state;

	date_parse("2008-08-01", &a);
	date_parse("2025-07-01", &b);
	assert_true(date_in(a, a, b));
	assert_true(date_in(b - 1, a, b));
	assert_false(date_in(b, a, b));
	assert_false(date_in(a - 1, a, b));
}

/* An environment variable to set for one test and put back afterwards. */
typedef struct {
	const char *name;
	char *saved; /* NULL: was unset */
} saved_env_t;

static saved_env_t env_save(const char *name)
{
	const char *v = getenv(name);
	saved_env_t s = { name, v ? strdup(v) : NULL };
	return s;
}

static void env_restore(saved_env_t *s)
{
	if (s->saved)
		setenv(s->name, s->saved, 1);
	else
		unsetenv(s->name);
	free(s->saved);
	s->saved = NULL;
	tzset();
}

/* The calendar day of t in the current local time zone, worked out here. */
static date_t local_day(time_t t)
{
	struct tm tm;
	char buf[DATE_STR_LEN];
	date_t d = 0;

	assert_non_null(localtime_r(&t, &tm));
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	assert_int_equal(date_parse(buf, &d), 0);
	return d;
}

/* date_today() in zone tz (POSIX TZ syntax, read by glibc without tzdata),
 * checked against the local day before and after the call (a midnight in
 * between makes either right). */
static date_t today_in(const char *tz)
{
	time_t t0, t1;
	date_t d;

	setenv("TZ", tz, 1);
	tzset();
	t0 = time(NULL);
	d = date_today();
	t1 = time(NULL);
	if (d != local_day(t0) && d != local_day(t1))
		fail_msg("TZ=%s: date_today() is not the local day", tz);
	return d;
}

static void today_is_the_pinned_day(void **state)
{
	saved_env_t pin = env_save("UNIONBASE_TODAY"), tz = env_save("TZ");
	char buf[DATE_STR_LEN];
	static const char *const days[] = { "2028-02-29", "2031-01-01", "1900-01-01", "9999-12-30" };
	(void)state;

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		setenv("UNIONBASE_TODAY", days[i], 1);
		assert_string_equal(date_format(date_today(), buf), days[i]);
		/* a pin is a day: no time zone moves it */
		setenv("TZ", "<+14>-14", 1);
		tzset();
		assert_string_equal(date_format(date_today(), buf), days[i]);
		setenv("TZ", "<-12>+12", 1);
		tzset();
		assert_string_equal(date_format(date_today(), buf), days[i]);
		unsetenv("TZ");
		tzset();
	}
	env_restore(&pin);
	env_restore(&tz);
}

static void today_unpinned_is_the_local_day(void **state)
{
	saved_env_t pin = env_save("UNIONBASE_TODAY"), tz = env_save("TZ");
	date_t east, west;
	(void)state;

	unsetenv("UNIONBASE_TODAY");
	(void)today_in("UTC0");
	(void)today_in("<+0545>-5:45");
	(void)today_in("<+07>-7"); /* Việt Nam */
	/* 26 hours apart: the two zones are never on the same day, so this
	 * tells a local day from a UTC one at any hour */
	east = today_in("<+14>-14");
	west = today_in("<-12>+12");
	if (east - west != 1 && east - west != 2) {
		/* a midnight in either zone between the two calls: once more */
		east = today_in("<+14>-14");
		west = today_in("<-12>+12");
	}
	assert_true(east - west == 1 || east - west == 2);
	/* empty is unset */
	setenv("UNIONBASE_TODAY", "", 1);
	(void)today_in("<+07>-7");
	env_restore(&pin);
	env_restore(&tz);
}

static void today_ignores_a_pin_that_is_not_a_day(void **state)
{
	/* core falls back to the clock; the program refuses such a pin at
	 * start-up (src/cli/main.c, tests/api/today.test.js) */
	saved_env_t pin = env_save("UNIONBASE_TODAY"), tz = env_save("TZ");
	static const char *const bad[] = { "2027-02-29", "2031-13-01", "tomorrow", "2031-1-1", " 2031-01-01" };
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("UNIONBASE_TODAY", bad[i], 1);
		(void)today_in("<+07>-7");
	}
	env_restore(&pin);
	env_restore(&tz);
}

static void year_start_is_the_first_of_january(void **state)
{
	char buf[DATE_STR_LEN];
	date_t d;
	(void)state;

	assert_int_equal(date_parse("2026-12-01", &d), 0);
	assert_string_equal(date_format(date_year_start(d), buf), "2026-01-01");
	assert_int_equal(date_parse("2024-01-01", &d), 0);
	assert_int_equal(date_year_start(d), d);
	assert_int_equal(date_parse("2024-12-31", &d), 0);
	assert_string_equal(date_format(date_year_start(d), buf), "2024-01-01");
}

/* Day d as the C library's calendar has it (date.c's own arithmetic is
 * checked against it), and the same through date_format, date_ymd,
 * date_parse and date_from_ymd. */
static void same_as_the_c_library(date_t d)
{
	char buf[DATE_STR_LEN], want[32];
	time_t t = (time_t)d * 86400 + 43200;
	struct tm tm;
	date_t back;
	int y, m, day;

	assert_non_null(gmtime_r(&t, &tm));
	snprintf(want, sizeof(want), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	assert_string_equal(date_format(d, buf), want);
	date_ymd(d, &y, &m, &day);
	assert_int_equal(y, tm.tm_year + 1900);
	assert_int_equal(m, tm.tm_mon + 1);
	assert_int_equal(day, tm.tm_mday);
	assert_int_equal(date_parse(buf, &back), 0);
	assert_int_equal(back, d);
	assert_int_equal(date_from_ymd(y, m, day, &back), 0);
	assert_int_equal(back, d);
	/* the last day of its month: the day after it is none */
	t += 86400;
	assert_non_null(gmtime_r(&t, &tm));
	if (tm.tm_mon + 1 != m)
		assert_int_equal(date_from_ymd(y, m, day + 1, &back), -1);
}

/* Every day from 1900 to 2200, and every 7th after it to 9999. */
static void every_day_is_written_and_read_back(void **state)
{
	char buf[DATE_STR_LEN];
	date_t d;
	(void)state;

	for (d = DATE_FIRST; d < DATE_FIRST + 300 * 366; d++)
		same_as_the_c_library(d);
	for (; d <= DATE_OPEN; d += 7)
		same_as_the_c_library(d);
	same_as_the_c_library(DATE_OPEN);
	assert_string_equal(date_format(DATE_OPEN, buf), "9999-12-31");
}

/* 29 February: every fourth year, but not in a century year unless it
 * divides by 400. */
static void leap_days_follow_the_gregorian_rule(void **state)
{
	static const char *const leap[] = { "2000-02-29", "2024-02-29", "2400-02-29", "1904-02-29", NULL };
	static const char *const common[] = { "1900-02-29", "2100-02-29", "2023-02-29", "9999-02-29", NULL };
	date_t d;
	(void)state;

	for (int i = 0; leap[i]; i++)
		assert_int_equal(date_parse(leap[i], &d), 0);
	for (int i = 0; common[i]; i++)
		assert_int_equal(date_parse(common[i], &d), -1);
	assert_int_equal(date_from_ymd(2025, 4, 31, &d), -1);
	assert_int_equal(date_from_ymd(2025, 0, 1, &d), -1);
	assert_int_equal(date_from_ymd(2025, 13, 1, &d), -1);
	assert_int_equal(date_from_ymd(2025, 1, 0, &d), -1);
	assert_int_equal(date_from_ymd(1899, 12, 31, &d), -1);
	assert_int_equal(date_from_ymd(10000, 1, 1, &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_and_formats_round_trip),
		cmocka_unit_test(every_day_is_written_and_read_back),
		cmocka_unit_test(leap_days_follow_the_gregorian_rule),
		cmocka_unit_test(refuses_what_is_not_a_day),
		cmocka_unit_test(open_end_is_the_last_day_of_9999),
		cmocka_unit_test(intervals_are_half_open),
		cmocka_unit_test(today_is_the_pinned_day),
		cmocka_unit_test(today_unpinned_is_the_local_day),
		cmocka_unit_test(today_ignores_a_pin_that_is_not_a_day),
		cmocka_unit_test(year_start_is_the_first_of_january),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
