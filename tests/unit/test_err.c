/* Unit tests of core/err: codes, parameters, message templates, details. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "core/org.h"
#include "core/password.h"
#include "core/text.h"
#include "core/unit.h"

static void fail_sets_code_params_and_message(void **state)
{
	err_t e;
	date_t d;
	const err_param_t *p;
	(void)state;

	err_clear(&e);
	assert_int_equal(date_parse("2026-12-01", &d), 0);
	assert_int_equal(err_fail(&e, ERR_NOT_FOUND, "not_found", "no unit with code {ref} on {date}",
				  ERR_STR("ref", "zzz"), ERR_DATE("date", d)), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.code, "not_found");
	assert_string_equal(e.message, "no unit with code zzz on 2026-12-01");
	assert_int_equal(e.n_params, 2);
	p = err_param(&e, "ref");
	assert_non_null(p);
	assert_int_equal(p->type, ERR_PARAM_STR);
	assert_string_equal(p->text, "zzz");
	p = err_param(&e, "date");
	assert_non_null(p);
	assert_int_equal(p->type, ERR_PARAM_STR);
	assert_string_equal(p->text, "2026-12-01");
	assert_null(err_param(&e, "nothing"));
	assert_int_equal(err_http_status(e.kind), 404);

	/* a later failure replaces the parameters; NULL code: the kind's */
	assert_int_equal(err_fail(&e, ERR_INTERNAL, NULL, "out of memory"), -1);
	assert_string_equal(e.code, "internal");
	assert_int_equal(e.n_params, 0);
	assert_string_equal(e.message, "out of memory");

	/* NULL e is allowed */
	assert_int_equal(err_fail(NULL, ERR_INTERNAL, NULL, "x"), -1);
	assert_int_equal(err_field(NULL, "f", "required", "is required"), -1);
}

static void templates_fill_in_integers_and_strings(void **state)
{
	err_t e;
	const err_param_t *p;
	(void)state;

	err_clear(&e);
	err_fail(&e, ERR_CONFLICT, "has_children", "unit {unit} still has {count} child unit(s); {unit} again, {nothing} stays {",
		 ERR_STR("unit", "24"), ERR_INT("count", 3));
	assert_string_equal(e.message, "unit 24 still has 3 child unit(s); 24 again, {nothing} stays {");
	p = err_param(&e, "count");
	assert_non_null(p);
	assert_int_equal(p->type, ERR_PARAM_INT);
	assert_int_equal(p->num, 3);
	/* large and negative integers */
	err_fail(&e, ERR_BAD_REQUEST, NULL, "{a} {b}", ERR_INT("a", -5), ERR_INT("b", 9007199254740993LL));
	assert_string_equal(e.message, "-5 9007199254740993");
	/* a NULL string is "" */
	err_fail(&e, ERR_BAD_REQUEST, NULL, "[{v}]", ERR_STR("v", NULL));
	assert_string_equal(e.message, "[]");
	/* a template is not a printf format */
	err_fail(&e, ERR_BAD_REQUEST, NULL, "100%s {v}%d", ERR_STR("v", "%n"));
	assert_string_equal(e.message, "100%s %n%d");
}

static void fields_carry_codes_and_params(void **state)
{
	err_t e;
	const err_param_t *p;
	(void)state;

	err_clear(&e);
	assert_int_equal(err_field(&e, "display_name", "too_long", "is too long (at most {max} characters)",
				   ERR_INT("max", 200)), -1);
	assert_int_equal(err_field(&e, "name_vi", "required", "is required"), -1);
	assert_int_equal(e.kind, ERR_NONE); /* details first, then fail once */
	assert_int_equal(e.n_details, 2);
	assert_string_equal(e.details[0].field, "display_name");
	assert_string_equal(e.details[0].code, "too_long");
	assert_string_equal(e.details[0].message, "is too long (at most 200 characters)");
	p = err_detail_param(&e.details[0], "max");
	assert_non_null(p);
	assert_int_equal(p->num, 200);
	assert_int_equal(e.details[1].n_params, 0);
	/* failing keeps the details */
	err_fail(&e, ERR_INVALID, "invalid", "the request has invalid fields");
	assert_int_equal(e.n_details, 2);
	assert_int_equal(err_http_status(e.kind), 422);
	err_clear(&e);
	assert_int_equal(e.n_details, 0);
	assert_int_equal(e.n_params, 0);
	assert_int_equal(e.kind, ERR_NONE);
	assert_string_equal(e.code, "");
	assert_string_equal(e.message, "");
}

static void the_old_calls_still_work(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(err_detail(&e, "note", "must be valid text of at most %d characters", 500), -1);
	assert_string_equal(e.details[0].code, "invalid");
	assert_string_equal(e.details[0].message, "must be valid text of at most 500 characters");
	assert_int_equal(e.details[0].n_params, 0);
	err_fail(&e, ERR_NOT_FOUND, "not_found", "{ref}", ERR_STR("ref", "x"));
	assert_int_equal(e.n_params, 1);
	/* err_set's message is new: the parameters of the earlier one go */
	assert_int_equal(err_set(&e, ERR_CONFLICT, "parent_not_valid", "parent %s: %s", "24", "closed"), -1);
	assert_string_equal(e.message, "parent 24: closed");
	assert_string_equal(e.code, "parent_not_valid");
	assert_int_equal(e.n_params, 0);
	assert_int_equal(e.n_details, 1);
	/* an error's own message or parameter as an argument: read before written */
	err_fail(&e, ERR_CONFLICT, "unit_closed", "unit {unit} no longer exists", ERR_STR("unit", "27"));
	err_set(&e, ERR_CONFLICT, "parent_not_valid", "parent %s: %s", "27", e.message);
	assert_string_equal(e.message, "parent 27: unit 27 no longer exists");
	err_fail(&e, ERR_NOT_FOUND, "not_found", "{ref}", ERR_STR("ref", "zzz"));
	err_fail(&e, ERR_INVALID, "invalid", "{a} {ref}", ERR_STR("a", err_param(&e, "ref")->text),
		 ERR_STR("ref", err_param(&e, "ref")->text));
	assert_string_equal(e.message, "zzz zzz");
	err_detail(&e, "x", "%s!", e.details[0].message);
	assert_string_equal(e.details[1].message, "must be valid text of at most 500 characters!");
}

static void parameter_names_are_checked(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	/* names that would clash with the object's own members, or are not
	 * [a-z_]+, are left out */
	err_fail(&e, ERR_INVALID, "invalid", "{code}{message}{details}{field}{Bad}{ok}", ERR_STR("code", "c"),
		 ERR_STR("message", "m"), ERR_STR("Bad", "b"), ERR_STR("ok", "k"));
	assert_int_equal(e.n_params, 1);
	assert_string_equal(e.params[0].name, "ok");
	assert_string_equal(e.message, "{code}{message}{details}{field}{Bad}k");
	err_field(&e, "f", "x", "{field}", ERR_STR("field", "no"), ERR_STR("a_very_long_parameter_name", "no"));
	assert_int_equal(e.details[0].n_params, 0);
	/* err_add_param: added, replaced, refused when full */
	err_fail(&e, ERR_INVALID, "invalid", "x", ERR_INT("line", 1));
	assert_int_equal(err_add_param(&e, ERR_STR("file", "a.csv")), 0);
	assert_int_equal(err_add_param(&e, ERR_INT("line", 7)), 0);
	assert_int_equal(e.n_params, 2);
	assert_int_equal(err_param(&e, "line")->num, 7);
	assert_int_equal(err_add_param(&e, ERR_STR("code", "no")), -1);
	for (int i = 0; i < ERR_MAX_PARAMS; i++) {
		char name[8];
		snprintf(name, sizeof(name), "p_%c", 'a' + i);
		err_add_param(&e, ERR_INT(name, i));
	}
	assert_int_equal(e.n_params, ERR_MAX_PARAMS);
	assert_int_equal(err_add_param(&e, ERR_INT("one_more", 1)), -1);
}

static void strings_are_cut_at_a_character_and_kept_utf8(void **state)
{
	char longname[400] = "";
	err_t e;
	const err_param_t *p;
	(void)state;

	/* 100 × "ễ" (3 bytes each): cut below ERR_PARAM_TEXT at a whole character */
	for (int i = 0; i < 100; i++)
		strcat(longname, "\xe1\xbb\x85");
	err_clear(&e);
	err_fail(&e, ERR_CONFLICT, "code_taken", "used by {name}", ERR_STR("name", longname));
	p = err_param(&e, "name");
	assert_non_null(p);
	assert_true(strlen(p->text) < ERR_PARAM_TEXT);
	assert_int_equal(strlen(p->text) % 3, 0);
	assert_memory_equal(p->text, longname, strlen(p->text));
	/* invalid bytes become '?' */
	err_field(&e, "q", "not_one_of", "'{value}'", ERR_STR("value", "a\xff" "b"));
	assert_string_equal(e.details[0].message, "'a?b'");
	assert_string_equal(err_detail_param(&e.details[0], "value")->text, "a?b");
}

static void more_than_the_details_kept(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	for (int i = 0; i < ERR_MAX_DETAILS + 5; i++)
		err_field(&e, "f", "too_long", "is too long (at most {max} characters)", ERR_INT("max", i));
	assert_int_equal(e.n_details, ERR_MAX_DETAILS);
	assert_string_equal(e.details[ERR_MAX_DETAILS - 1].code, "more_errors");
	assert_string_equal(e.details[ERR_MAX_DETAILS - 1].field, "");
	assert_int_equal(e.details[ERR_MAX_DETAILS - 1].n_params, 0);
	assert_string_equal(e.details[ERR_MAX_DETAILS - 2].code, "too_long");
}

static void copies_prefix_the_field(void **state)
{
	err_t sub, e;
	(void)state;

	err_clear(&sub);
	err_clear(&e);
	err_field(&sub, "name_vi", "too_long", "is too long (at most {max} characters)", ERR_INT("max", 200));
	err_field_copy(&e, "into[1].", &sub.details[0]);
	assert_int_equal(e.n_details, 1);
	assert_string_equal(e.details[0].field, "into[1].name_vi");
	assert_string_equal(e.details[0].code, "too_long");
	assert_int_equal(err_detail_param(&e.details[0], "max")->num, 200);
}

/* Every check of core gives a code from the vocabulary and the parameters
 * its message names. */
static void core_checks_give_codes(void **state)
{
	char name[UNIT_NAME_BUF];
	unit_spec_t s;
	unsigned mask;
	err_t e;
	(void)state;

	err_clear(&e);
	unit_code_check("", "code", &e);
	unit_code_check("E/1", "code", &e);
	unit_code_check("EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE", "code", &e);
	assert_string_equal(e.details[0].code, "required");
	assert_string_equal(e.details[1].code, "bad_characters");
	assert_string_equal(err_detail_param(&e.details[1], "allowed")->text, UNIT_CODE_CHARS);
	assert_string_equal(e.details[2].code, "too_long");
	assert_int_equal(err_detail_param(&e.details[2], "max")->num, UNIT_CODE_MAX);

	/* 200 characters of 3 bytes: fine; 201: too long, counted in characters */
	err_clear(&e);
	name[0] = '\0';
	for (int i = 0; i < UNIT_NAME_MAX; i++)
		strcat(name, "\xe1\xbb\x85");
	assert_int_equal(unit_name_normalise(name, sizeof(name), "name_vi", &e), 0);
	strcat(name, "x");
	assert_int_equal(unit_name_normalise(name, sizeof(name), "name_vi", &e), -1);
	assert_string_equal(e.details[0].code, "too_long");
	assert_int_equal(err_detail_param(&e.details[0], "max")->num, UNIT_NAME_MAX);
	assert_string_equal(e.details[0].message, "is too long (at most 200 characters)");

	err_clear(&e);
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "E1");
	snprintf(s.name_vi, sizeof(s.name_vi), "Xã");
	snprintf(s.name_en, sizeof(s.name_en), "X");
	snprintf(s.level, sizeof(s.level), "commune");
	snprintf(s.kind, sizeof(s.kind), "company");
	snprintf(s.attributes, sizeof(s.attributes), "border volcano");
	assert_int_equal(unit_spec_normalise(&s, "into.", &e), -1);
	assert_string_equal(e.code, "invalid");
	assert_int_equal(e.n_details, 2);
	assert_string_equal(e.details[0].field, "into.kind");
	assert_string_equal(e.details[0].code, "not_one_of");
	assert_string_equal(err_detail_param(&e.details[0], "value")->text, "company");
	assert_string_equal(err_detail_param(&e.details[0], "allowed")->text, UNIT_KIND_LIST);
	assert_string_equal(e.details[1].field, "into.attributes");
	assert_string_equal(e.details[1].code, "not_one_of");
	assert_string_equal(err_detail_param(&e.details[1], "value")->text, "volcano");

	err_clear(&e);
	assert_int_equal(roles_parse("viewer chief", &mask, "roles", &e), -1);
	assert_string_equal(e.details[0].code, "not_one_of");
	assert_string_equal(err_detail_param(&e.details[0], "value")->text, "chief");
	assert_string_equal(err_detail_param(&e.details[0], "allowed")->text, ROLE_LIST);
	assert_int_equal(roles_parse("", &mask, "roles", &e), -1);
	assert_string_equal(e.details[1].code, "required");

	/* passwords are counted in characters: 9 three-byte letters are short */
	err_clear(&e);
	assert_int_equal(password_check_new("\xe1\xbb\x85\xe1\xbb\x85\xe1\xbb\x85\xe1\xbb\x85\xe1\xbb\x85"
					    "\xe1\xbb\x85\xe1\xbb\x85\xe1\xbb\x85\xe1\xbb\x85", "password", &e), -1);
	assert_string_equal(e.details[0].code, "too_short");
	assert_int_equal(err_detail_param(&e.details[0], "min")->num, PASSWORD_MIN_LEN);
	assert_int_equal(password_check_new("0123456789", "password", &e), 0);
}

static void core_conflicts_carry_params(void **state)
{
	unit_t u, parent;
	date_t d, from;
	err_t e;
	(void)state;

	memset(&u, 0, sizeof(u));
	memset(&parent, 0, sizeof(parent));
	snprintf(u.code, sizeof(u.code), "24");
	date_parse("2025-07-01", &from);
	u.valid_from = from;
	u.valid_to = from + 30;
	err_clear(&e);
	date_parse("2025-06-01", &d);
	assert_int_equal(org_check_alive(&u, d, &e), -1);
	assert_string_equal(e.code, "date_out_of_range");
	assert_string_equal(err_param(&e, "unit")->text, "24");
	assert_string_equal(err_param(&e, "date")->text, "2025-06-01");
	assert_string_equal(err_param(&e, "from")->text, "2025-07-01");
	assert_string_equal(e.message, "unit 24 does not exist yet on 2025-06-01: it starts on 2025-07-01");
	assert_int_equal(org_check_alive(&u, from + 30, &e), -1);
	assert_string_equal(e.code, "unit_closed");
	assert_string_equal(err_param(&e, "until")->text, "2025-07-30");
	assert_int_equal(org_check_close(&u, from + 1, 2, &e), -1);
	assert_string_equal(e.code, "has_children");
	assert_int_equal(err_param(&e, "count")->num, 2);

	snprintf(parent.code, sizeof(parent.code), "VN");
	snprintf(parent.level, sizeof(parent.level), "central");
	parent.level_rank = 1;
	assert_int_equal(org_check_level(&parent, 1, "province", &e), -1);
	assert_string_equal(e.code, "level_order");
	assert_string_equal(err_param(&e, "level")->text, "province");
	assert_string_equal(err_param(&e, "parent")->text, "VN");
	assert_string_equal(err_param(&e, "parent_level")->text, "central");
	assert_int_equal(org_check_level(&parent, 0, NULL, &e), -1);
	assert_null(err_param(&e, "level"));
	assert_int_equal(org_check_not_same_day("parent", from, from, &e), -1);
	assert_string_equal(e.code, "two_parents");
	assert_string_equal(err_param(&e, "what")->text, "parent");

	snprintf(parent.name_vi, sizeof(parent.name_vi), "Bắc Ninh");
	snprintf(parent.level, sizeof(parent.level), "province");
	parent.valid_from = from;
	parent.valid_to = DATE_OPEN;
	assert_int_equal(org_check_code_free("24", from, &parent, &e), -1);
	assert_string_equal(e.code, "code_taken");
	assert_string_equal(err_param(&e, "value")->text, "24");
	assert_string_equal(err_param(&e, "name")->text, "Bắc Ninh");
	assert_string_equal(err_param(&e, "from")->text, "2025-07-01");
	assert_string_equal(e.message, "code 24 is used by Bắc Ninh (province) from 2025-07-01");
}

static void lists_match_their_arrays(void **state)
{
	char buf[256] = "";
	int n = 0;
	(void)state;

	for (int i = 0; UNIT_ATTRIBUTES[i]; i++, n++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? ", " : "", UNIT_ATTRIBUTES[i]);
	assert_string_equal(buf, UNIT_ATTRIBUTE_LIST);
	assert_int_equal(n, UNIT_ATTRIBUTE_COUNT);
	buf[0] = '\0';
	for (int i = 0; UNIT_KINDS[i]; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? ", " : "", UNIT_KINDS[i]);
	assert_string_equal(buf, UNIT_KIND_LIST);
}

/* Issue 13, finding 6: parameters and messages quote what users sent; a
 * surrogate, an overlong form or a code point above U+10FFFF passed the
 * old check, and the error could then not be written as JSON (500 "out of
 * memory"). Every byte that starts no valid character becomes '?'. */
static void surrogates_overlongs_and_beyond_become_question_marks(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "a\xed\xa0\x80" "b", "a???b" },         /* U+D800 */
		{ "a\xe0\x80\x80" "b", "a???b" },         /* overlong U+0000 */
		{ "a\xc0\xaf" "b", "a??b" },              /* overlong '/' */
		{ "a\xf4\x90\x80\x80" "b", "a????b" },    /* U+110000 */
		{ "a\xf0\x8f\xbf\xbf" "b", "a????b" },    /* overlong U+FFFF */
		{ "\xe1\xbb", "??" },                     /* cut short */
		{ "\xe1\xbb\x85\xed\xa0\x80", "\xe1\xbb\x85???" }, /* ễ, then a surrogate */
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF stays */
	};
	err_t e;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in, *want = cases[i].want;
		err_clear(&e);
		err_fail(&e, ERR_NOT_FOUND, "not_found", "no unit with code {ref}", ERR_STR("ref", in));
		assert_string_equal(err_param(&e, "ref")->text, want);
		assert_true(text_utf8(e.message));
		assert_true(text_utf8(err_param(&e, "ref")->text));
		err_field(&e, in, "not_text", "'{value}'", ERR_STR("value", in));
		assert_string_equal(err_detail_param(&e.details[0], "value")->text, want);
		assert_string_equal(e.details[0].field, want);
		assert_true(text_utf8(e.details[0].message));
		/* the printf-style calls too */
		err_set(&e, ERR_BAD_REQUEST, "bad_request", "got %s", in);
		assert_true(text_utf8(e.message));
		err_detail(&e, "f", "got %s", in);
		assert_true(text_utf8(e.details[1].message));
		/* found by tests/fuzz/fuzz_text: the error's own code was
		 * copied as it was (codes are the program's words, but an
		 * err_t is written as JSON whatever it holds) */
		err_fail(&e, ERR_BAD_REQUEST, in, "x");
		assert_string_equal(e.code, want);
		err_set(&e, ERR_BAD_REQUEST, in, "x");
		assert_string_equal(e.code, want);
		/* a template that holds the bytes itself */
		err_fail(&e, ERR_BAD_REQUEST, "bad_request", in);
		assert_string_equal(e.message, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fail_sets_code_params_and_message),
		cmocka_unit_test(templates_fill_in_integers_and_strings),
		cmocka_unit_test(fields_carry_codes_and_params),
		cmocka_unit_test(the_old_calls_still_work),
		cmocka_unit_test(parameter_names_are_checked),
		cmocka_unit_test(strings_are_cut_at_a_character_and_kept_utf8),
		cmocka_unit_test(more_than_the_details_kept),
		cmocka_unit_test(copies_prefix_the_field),
		cmocka_unit_test(core_checks_give_codes),
		cmocka_unit_test(core_conflicts_carry_params),
		cmocka_unit_test(lists_match_their_arrays),
		cmocka_unit_test(surrogates_overlongs_and_beyond_become_question_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
