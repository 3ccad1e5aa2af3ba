/* Unit tests of core/target: the share of a term gone on awkward days,
 * the straight path from the baseline to the target, each status in both
 * directions, and the room a unit has to adjust a target handed down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/period.h"
#include "core/target.h"

static date_t day(const char *s)
{
	date_t d = 0;

	if (date_parse(s, &d) != 0)
		fail_msg("not a day: %s", s);
	return d;
}

static period_t term(const char *code)
{
	period_t p;
	err_t e;

	err_clear(&e);
	if (period_parse(code, "term", &p, &e) != 0)
		fail_msg("%s refused", code);
	return p;
}

static void names_round_trip(void **state)
{
	target_direction_t d;
	(void)state;

	assert_string_equal(target_direction_name(TARGET_AT_LEAST), "at_least");
	assert_string_equal(target_direction_name(TARGET_AT_MOST), "at_most");
	assert_int_equal(target_direction_parse("at_most", &d), 0);
	assert_int_equal(d, TARGET_AT_MOST);
	assert_int_equal(target_direction_parse("at_least", &d), 0);
	assert_int_equal(d, TARGET_AT_LEAST);
	assert_int_equal(target_direction_parse("At_most", &d), -1);
	assert_int_equal(target_direction_parse("", &d), -1);
	assert_int_equal(target_direction_parse(NULL, &d), -1);
	assert_string_equal(target_status_name(TARGET_NO_DATA), "no_data");
	assert_string_equal(target_status_name(TARGET_BEHIND), "behind");
	assert_string_equal(target_status_name(TARGET_ON_TRACK), "on_track");
	assert_string_equal(target_status_name(TARGET_REACHED), "reached");
	assert_string_equal(target_status_name(TARGET_MISSED), "missed");
	assert_string_equal(target_status_name(TARGET_STATUSES), "unknown");
}

/* T2026-2031 has 1,826 days (29 February 2028 among them). */
static void elapsed_on_awkward_days(void **state)
{
	period_t t = term("T2026-2031");
	(void)state;

	assert_int_equal(target_elapsed(&t, day("2026-06-30")), 0);
	assert_int_equal(target_elapsed(&t, day("2021-01-01")), 0);
	assert_int_equal(target_elapsed(&t, day("2026-07-01")), 1 * 1000 / 1826);
	assert_int_equal(target_elapsed(&t, day("2027-01-01")), 185 * 1000 / 1826);
	assert_int_equal(target_elapsed(&t, day("2028-02-29")), 609 * 1000 / 1826);
	assert_int_equal(target_elapsed(&t, day("2028-12-31")), 915 * 1000 / 1826);
	assert_int_equal(target_elapsed(&t, day("2031-06-29")), 1825 * 1000 / 1826);
	assert_int_equal(target_elapsed(&t, day("2031-06-30")), 1000);
	assert_int_equal(target_elapsed(&t, day("2040-01-01")), 1000);
}

static void expected_follows_the_path(void **state)
{
	(void)state;
	assert_int_equal(target_expected(0, 100000, 0), 0);
	assert_int_equal(target_expected(0, 100000, 500), 50000);
	assert_int_equal(target_expected(0, 100000, 1000), 100000);
	assert_int_equal(target_expected(60000, 80000, 250), 65000);
	/* a falling target (at most): towards the baseline when rounding */
	assert_int_equal(target_expected(10000, 5000, 333), 8335);
	assert_int_equal(target_expected(1, 2, 999), 1);
	/* the largest values kept do not overflow */
	assert_int_equal(target_expected(-1000000000000000LL, 1000000000000000LL, 999), 998000000000000LL);
}

static void status_at_least(void **state)
{
	(void)state;
	/* 80% by the end; 60% at the start; a quarter of the way: 65% expected */
	assert_int_equal(target_status(TARGET_AT_LEAST, false, 0, target_expected(60000, 80000, 250), 80000, 250), TARGET_NO_DATA);
	assert_int_equal(target_status(TARGET_AT_LEAST, true, 80000, target_expected(60000, 80000, 250), 80000, 250), TARGET_REACHED);
	assert_int_equal(target_status(TARGET_AT_LEAST, true, 90000, target_expected(60000, 80000, 250), 80000, 250), TARGET_REACHED);
	assert_int_equal(target_status(TARGET_AT_LEAST, true, 65000, target_expected(60000, 80000, 250), 80000, 250), TARGET_ON_TRACK);
	assert_int_equal(target_status(TARGET_AT_LEAST, true, 64999, target_expected(60000, 80000, 250), 80000, 250), TARGET_BEHIND);
	assert_int_equal(target_status(TARGET_AT_LEAST, true, 79999, target_expected(60000, 80000, 1000), 80000, 1000), TARGET_MISSED);
	assert_int_equal(target_status(TARGET_AT_LEAST, true, 80000, target_expected(60000, 80000, 1000), 80000, 1000), TARGET_REACHED);
	/* a flow from 0: nothing yet on the first day is on track */
	assert_int_equal(target_status(TARGET_AT_LEAST, true, 0, target_expected(0, 20000, 0), 20000, 0), TARGET_ON_TRACK);
}

static void status_at_most(void **state)
{
	(void)state;
	/* poor households: at most 2% by the end, 4% at the start */
	assert_int_equal(target_status(TARGET_AT_MOST, true, 2000, target_expected(4000, 2000, 100), 2000, 100), TARGET_REACHED);
	assert_int_equal(target_status(TARGET_AT_MOST, true, 3000, target_expected(4000, 2000, 500), 2000, 500), TARGET_ON_TRACK);
	assert_int_equal(target_status(TARGET_AT_MOST, true, 3001, target_expected(4000, 2000, 500), 2000, 500), TARGET_BEHIND);
	assert_int_equal(target_status(TARGET_AT_MOST, true, 2001, target_expected(4000, 2000, 1000), 2000, 1000), TARGET_MISSED);
	assert_false(target_meets(TARGET_AT_MOST, 2001, 2000));
	assert_true(target_meets(TARGET_AT_LEAST, 2001, 2000));
}

static void within_the_room_given(void **state)
{
	(void)state;
	/* 85% handed down, 5 points of room: 80 is the least ambitious allowed */
	assert_true(target_within(TARGET_AT_LEAST, 85000, 5000, 80000));
	assert_false(target_within(TARGET_AT_LEAST, 85000, 5000, 79999));
	assert_true(target_within(TARGET_AT_LEAST, 85000, 5000, 99000));
	assert_true(target_within(TARGET_AT_LEAST, 85000, 0, 85000));
	assert_false(target_within(TARGET_AT_LEAST, 85000, 0, 84999));
	assert_true(target_within(TARGET_AT_MOST, 2000, 500, 2500));
	assert_false(target_within(TARGET_AT_MOST, 2000, 500, 2501));
	assert_true(target_within(TARGET_AT_MOST, 2000, 500, 0));
}

/* The unit's own change to a target handed down: the base and room are
 * the level above's, its direction too, and the value stays within. */
static void adjusted_within_the_room(void **state)
{
	target_row_t bound = { .indicator = "members_digital_share", .direction = TARGET_AT_LEAST, .has_base = true,
			       .base = 85000, .allowance = 5000 };
	target_row_t row = { .indicator = "members_digital_share", .direction = TARGET_AT_LEAST, .value = 82000 };
	err_t e;

	(void)state;
	err_clear(&e);
	target_adjust(&bound, &row, true, "targets.members_digital_share", &e);
	assert_int_equal(e.n_details, 0);
	assert_true(row.has_base);
	assert_int_equal(row.base, 85000);
	assert_int_equal(row.allowance, 5000);

	row = (target_row_t){ .indicator = "members_digital_share", .direction = TARGET_AT_MOST, .value = 95000 };
	target_adjust(&bound, &row, true, "targets.members_digital_share", &e);
	assert_int_equal(e.n_details, 2);
	assert_string_equal(e.details[0].field, "targets.members_digital_share.direction");
	assert_string_equal(e.details[0].code, "managed_from_above");
	/* against the direction asked (at most): 85 + 5 */
	assert_string_equal(e.details[1].field, "targets.members_digital_share.value");
	assert_string_equal(e.details[1].code, "beyond_allowance");
	assert_string_equal(e.details[1].params[0].text, "90");

	err_clear(&e);
	row = (target_row_t){ .indicator = "members_digital_share", .direction = TARGET_AT_LEAST, .value = 79999 };
	target_adjust(&bound, &row, true, "t", &e);
	assert_int_equal(e.n_details, 1);
	assert_string_equal(e.details[0].params[0].text, "80");
	err_clear(&e);
	target_adjust(&bound, &row, false, "t", &e); /* no value asked: none to check */
	assert_int_equal(e.n_details, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),	     cmocka_unit_test(elapsed_on_awkward_days),
		cmocka_unit_test(expected_follows_the_path), cmocka_unit_test(status_at_least),
		cmocka_unit_test(status_at_most),	     cmocka_unit_test(within_the_room_given),
		cmocka_unit_test(adjusted_within_the_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
