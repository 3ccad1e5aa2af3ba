/* Unit tests of core/date: strict parsing, formatting, the open end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

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

static void today_is_a_plausible_day(void **state)
{
	date_t lo;
	(void)state;

	date_parse("2024-01-01", &lo);
	assert_true(date_today() > lo);
	assert_true(date_today() < DATE_OPEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_and_formats_round_trip),
		cmocka_unit_test(refuses_what_is_not_a_day),
		cmocka_unit_test(open_end_is_the_last_day_of_9999),
		cmocka_unit_test(intervals_are_half_open),
		cmocka_unit_test(today_is_a_plausible_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
