/*
 * test_indicator.c - core/indicator.h: numbers in thousandths, formulas'
 * terms and ratios, the levels that enter an indicator, the checks of a
 * value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/indicator.h"

static void milli_from_text(void **state)
{
	int64_t v = 0;
	(void)state;

	assert_int_equal(ind_milli_parse("100", &v), 0);
	assert_int_equal(v, 100000);
	assert_int_equal(ind_milli_parse("0.5", &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(ind_milli_parse("-2.125", &v), 0);
	assert_int_equal(v, -2125);
	for (const char *bad[] = { "", "-", ".", "1.2345", "1e3", " 1", "1 ", "abc", "99999999999999999999", NULL }, **b = bad; *b; b++)
		assert_int_equal(ind_milli_parse(*b, &v), -1);
}

static void milli_from_json(void **state)
{
	int64_t v = 0;
	char buf[32];
	(void)state;

	assert_int_equal(ind_milli_from_double(1204, 0, &v), 0);
	assert_int_equal(v, 1204000);
	assert_int_equal(ind_milli_from_double(12.5, 0, &v), -1); /* 12.5 people */
	assert_int_equal(ind_milli_from_double(12.5, 1, &v), 0);
	assert_int_equal(v, 12500);
	assert_int_equal(ind_milli_from_double(0.1 + 0.2, 1, &v), 0); /* a double's own error is no decimal */
	assert_int_equal(v, 300);
	assert_int_equal(ind_milli_from_double(1e300, 0, &v), -1);
	ind_milli_format(-1250, buf, sizeof(buf));
	assert_string_equal(buf, "-1.25");
	ind_milli_format(7000, buf, sizeof(buf));
	assert_string_equal(buf, "7");
}

static void ratios_and_terms(void **state)
{
	char codes[4][IND_CODE_MAX + 1];
	int64_t v = 0;
	size_t n = 0;
	(void)state;

	assert_int_equal(ind_ratio(75000, 183000, 100000, &v), 0);
	assert_int_equal(v, 40984); /* 40.984% */
	assert_int_equal(ind_ratio(1000, 0, 100000, &v), -1);
	assert_int_equal(ind_terms("a + b_2+c", codes, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(codes[1], "b_2");
	assert_int_equal(ind_terms("", codes, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ind_terms("A", codes, 4, &n), -1);
	assert_int_equal(ind_terms("a + b + c + d + e", codes, 4, &n), -1);
	assert_true(ind_code_valid("members_digital"));
	assert_false(ind_code_valid("9x"));
	assert_false(ind_code_valid(""));
	assert_true(ind_figure_known("members"));
	assert_false(ind_figure_known("nope"));
}

static void levels_and_checks(void **state)
{
	indicator_t ind;
	err_t e;
	(void)state;

	memset(&ind, 0, sizeof(ind));
	snprintf(ind.code, sizeof(ind.code), "%s", "members_digital");
	snprintf(ind.levels, sizeof(ind.levels), "%s", "province commune");
	assert_true(ind_entered_at(&ind, "commune"));
	assert_true(ind_entered_at(&ind, "province"));
	assert_false(ind_entered_at(&ind, "commun"));
	assert_false(ind_entered_at(&ind, "branch"));
	ind.has_min = true;
	ind.min = 0;
	snprintf(ind.at_most, sizeof(ind.at_most), "%s", "members");
	err_clear(&e);
	assert_int_equal(ind_check_value(&ind, -1000, "values.x", &e), -1);
	assert_string_equal(e.details[0].code, "below_min");
	assert_int_equal(ind_check_value(&ind, 0, "values.x", &e), 0);
	err_clear(&e);
	assert_int_equal(ind_check_at_most(&ind, 5000, 4000, "values.x", &e), -1);
	assert_string_equal(e.details[0].code, "above_other");
	assert_int_equal(ind_check_at_most(&ind, 4000, 4000, "values.x", &e), 0);
	ind.has_change_warn = true;
	ind.change_warn = 500;
	assert_true(ind_change_warns(&ind, 16000, 10000) == true);
	assert_false(ind_change_warns(&ind, 14000, 10000));
	assert_false(ind_change_warns(&ind, 14000, 0));
	assert_true(ind_needs_explanation(&ind, 5000, 4000));
	ind.has_tolerance = true;
	ind.tolerance = 1000;
	assert_false(ind_needs_explanation(&ind, 5000, 4000));
}

static void round_to_decimals(void **state)
{
	(void)state;
	assert_int_equal(ind_round(2832, 0), 3000);
	assert_int_equal(ind_round(2499, 0), 2000);
	assert_int_equal(ind_round(2500, 0), 3000);
	assert_int_equal(ind_round(-2500, 0), -3000);
	assert_int_equal(ind_round(47322, 1), 47300);
	assert_int_equal(ind_round(47350, 1), 47400);
	assert_int_equal(ind_round(47355, 2), 47360);
	assert_int_equal(ind_round(47355, 3), 47355);
	assert_int_equal(ind_round(47355, 9), 47355);
	assert_int_equal(ind_round(IND_VALUE_MAX - 1, 0), IND_VALUE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_to_decimals),
		cmocka_unit_test(milli_from_text),
		cmocka_unit_test(milli_from_json),
		cmocka_unit_test(ratios_and_terms),
		cmocka_unit_test(levels_and_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
