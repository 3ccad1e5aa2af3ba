/* Unit tests of core/password's checks of a new password: the list of the
 * most common passwords and the rule that refuses them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/common_passwords.h"
#include "core/password.h"

/* The code of the one detail password_check_new gave pw, or "" when it was
 * accepted. Static storage: overwritten by the next call. */
static const char *check(const char *pw)
{
	static err_t e;
	static char code[32];

	err_clear(&e);
	if (password_check_new(pw, "password", &e) == 0) {
		assert_int_equal(e.n_details, 0);
		return "";
	}
	assert_int_equal(e.n_details, 1);
	assert_string_equal(e.details[0].field, "password");
	snprintf(code, sizeof(code), "%s", e.details[0].code);
	return code;
}

/* bsearch needs the generated table in strcmp order, and the rule needs
 * lower-case entries of at least 6 characters (see the list's header) */
static void the_list_is_sorted_lower_case_and_long_enough(void **state)
{
	(void)state;
	assert_true(COMMON_PASSWORDS_N > 25000);
	for (size_t i = 0; i < COMMON_PASSWORDS_N; i++) {
		const char *w = COMMON_PASSWORDS[i];

		assert_true(strlen(w) >= 6);
		for (const char *c = w; *c; c++)
			assert_false(*c >= 'A' && *c <= 'Z');
		if (i > 0)
			assert_true(strcmp(COMMON_PASSWORDS[i - 1], w) < 0);
	}
}

static void common_passwords_are_refused(void **state)
{
	(void)state;
	/* on the list as they are, whatever the case of A-Z */
	assert_string_equal(check("qwertyuiop"), "common_password");
	assert_string_equal(check("QwertyUIOP"), "common_password");
	assert_string_equal(check("1q2w3e4r5t6y"), "common_password");
	/* a listed one followed by digits only */
	assert_string_equal(check("password12345"), "common_password");
	assert_string_equal(check("PASSWORD2024"), "common_password");
	assert_string_equal(check("123456789012"), "common_password");
	/* Vietnamese favourites and the entries unionbase added to the list */
	assert_string_equal(check("anhyeuem2024"), "common_password");
	assert_string_equal(check("Matkhau123"), "common_password");
	assert_string_equal(check("iloveyou12"), "common_password");
	assert_string_equal(check("Demo@12345"), "common_password");
	assert_string_equal(check("Abcd@12345"), "common_password");
	/* up to the longest password taken: 8 letters and 248 digits */
	char longest[PASSWORD_MAX_LEN + 1];
	memcpy(longest, "password", 8);
	memset(longest + 8, '1', PASSWORD_MAX_LEN - 8);
	longest[PASSWORD_MAX_LEN] = '\0';
	assert_string_equal(check(longest), "common_password");
}

static void other_variations_are_taken(void **state)
{
	(void)state;
	assert_string_equal(check("password12345!"), "");        /* not only digits after it */
	assert_string_equal(check("passwordabc"), "");           /* letters after it */
	assert_string_equal(check("x9password"), "");            /* something before it */
	assert_string_equal(check("0123456789"), "");
	assert_string_equal(check("mat-khau-moi-cua-hoa"), "");
	assert_string_equal(check("anh yeu em 2024"), "");
	/* beyond ASCII: no entry has such a letter */
	assert_string_equal(check("m\xe1\xba\xadtkh\xe1\xba\xa9u123"), "");   /* mậtkhẩu123 */
}

static void the_other_checks_come_first(void **state)
{
	(void)state;
	assert_string_equal(check("password1"), "too_short");    /* listed, and 9 characters */
	assert_string_equal(check("            "), "blank");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_list_is_sorted_lower_case_and_long_enough),
		cmocka_unit_test(common_passwords_are_refused),
		cmocka_unit_test(other_variations_are_taken),
		cmocka_unit_test(the_other_checks_come_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
