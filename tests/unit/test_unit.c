/* Unit tests of core/unit: field rules for codes, names, kinds, attributes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/unit.h"

static unit_spec_t good_spec(void)
{
	unit_spec_t s;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", "00004");
	snprintf(s.name_vi, sizeof(s.name_vi), "%s", "Phường Ba Đình");
	snprintf(s.name_en, sizeof(s.name_en), "%s", "Ba Dinh Ward");
	snprintf(s.level, sizeof(s.level), "%s", "commune");
	snprintf(s.parent, sizeof(s.parent), "%s", "01");
	return s;
}

static void a_good_spec_is_normalised(void **state)
{
	unit_spec_t s = good_spec();
	err_t e;
	(void)state;

	err_clear(&e);
	snprintf(s.attributes, sizeof(s.attributes), "%s", "urban, border urban");
	snprintf(s.name_vi, sizeof(s.name_vi), "%s", "  Phu\xcc\x9bo\xcc\x9b\xcc\x80ng Ba \xc4\x90i\xcc\x80nh "); /* NFD, spaces */
	assert_int_equal(unit_spec_normalise(&s, "", &e), 0);
	assert_string_equal(s.kind, "territorial");
	assert_string_equal(s.attributes, "border urban");
	assert_string_equal(s.name_vi, "Phường Ba Đình");
}

static void every_bad_field_is_reported(void **state)
{
	unit_spec_t s = good_spec();
	err_t e;
	(void)state;

	err_clear(&e);
	snprintf(s.code, sizeof(s.code), "%s", "a b");
	s.name_vi[0] = '\0';
	snprintf(s.kind, sizeof(s.kind), "%s", "company");
	snprintf(s.attributes, sizeof(s.attributes), "%s", "volcano");
	snprintf(s.level, sizeof(s.level), "%s", "Commune");
	assert_int_equal(unit_spec_normalise(&s, "into.", &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(e.n_details, 5);
	assert_string_equal(e.details[0].field, "into.code");
	assert_string_equal(e.details[1].field, "into.name_vi");
}

static void names_are_bounded_in_characters(void **state)
{
	char name[UNIT_NAME_BUF];
	err_t e;
	(void)state;

	err_clear(&e);
	/* 200 three-byte letters fit, 201 do not */
	name[0] = '\0';
	for (int i = 0; i < UNIT_NAME_MAX; i++)
		strcat(name, "ễ");
	assert_int_equal(unit_name_normalise(name, sizeof(name), "name_vi", &e), 0);
	snprintf(name, sizeof(name), "%s", "a");
	for (int i = 0; i < UNIT_NAME_MAX; i++)
		strcat(name, "a");
	assert_int_equal(unit_name_normalise(name, sizeof(name), "name_vi", &e), -1);
	snprintf(name, sizeof(name), "%s", "bad\xff");
	assert_int_equal(unit_name_normalise(name, sizeof(name), "name_vi", &e), -1);
	snprintf(name, sizeof(name), "%s", "   ");
	assert_int_equal(unit_name_normalise(name, sizeof(name), "name_vi", &e), -1);
}

static void codes_are_short_plain_words(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(unit_code_check("24", "code", &e), 0);
	assert_int_equal(unit_code_check("09193.01.1", "code", &e), 0);
	assert_int_equal(unit_code_check("27D01", "code", &e), 0);
	assert_int_equal(unit_code_check("", "code", &e), -1);
	assert_int_equal(unit_code_check("<b>", "code", &e), -1);
	assert_int_equal(unit_code_check("123456789012345678901234567890123", "code", &e), -1);
	assert_int_equal(unit_code_check("Đ1", "code", &e), -1);
}

static void strlcpy_reports_truncation(void **state)
{
	char small[4];
	(void)state;
	assert_int_equal(ub_strlcpy(small, "abc", sizeof(small)), 0);
	assert_int_equal(ub_strlcpy(small, "abcd", sizeof(small)), -1);
	assert_string_equal(small, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_good_spec_is_normalised),
		cmocka_unit_test(every_bad_field_is_reported),
		cmocka_unit_test(names_are_bounded_in_characters),
		cmocka_unit_test(codes_are_short_plain_words),
		cmocka_unit_test(strlcpy_reports_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
