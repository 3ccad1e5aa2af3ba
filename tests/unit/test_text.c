/* Unit tests of core/text: NFC, search folding, Vietnamese sort order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static void check_fold(const char *in, const char *want)
{
	char *out = NULL;
	assert_int_equal(text_fold(in, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void folding_ignores_case_marks_and_d_bar(void **state)
{
	(void)state;
	check_fold("Nguyễn Thị Đào", "nguyen thi dao");
	check_fold("BẮC NINH", "bac ninh");
	check_fold("Đà Nẵng", "da nang");
	check_fold("  Hồ   Chí\tMinh ", "ho chi minh");
	check_fold("Thừa Thiên Huế", "thua thien hue");
}

static void nfd_and_nfc_fold_alike(void **state)
{
	/* "Nguyễn" typed with combining marks: e + U+0302 + U+0303 */
	const char *nfd = "Nguye\xcc\x82\xcc\x83n";
	char *a = NULL, *b = NULL;
	(void)state;

	check_fold(nfd, "nguyen");
	assert_int_equal(text_nfc(nfd, &a), 0);
	assert_string_equal(a, "Nguy\xe1\xbb\x85n"); /* precomposed ễ */
	assert_int_equal(text_sort_key(nfd, &b), 0);
	free(a);
	assert_int_equal(text_sort_key("Nguyễn", &a), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void invalid_utf8_and_controls_are_refused(void **state)
{
	char *out = NULL;
	(void)state;

	assert_false(text_valid("abc\xff"));
	assert_false(text_valid("a\x01" "b"));
	assert_true(text_valid("tab\tok\n"));
	assert_int_equal(text_fold("\xc3\x28", &out), -1);
	assert_null(out);
	assert_int_equal(text_nfc("\xe2\x82", &out), -1);
}

static int cmp_keys(const char *a, const char *b)
{
	char *ka = NULL, *kb = NULL;
	int c;

	assert_int_equal(text_sort_key(a, &ka), 0);
	assert_int_equal(text_sort_key(b, &kb), 0);
	c = strcmp(ka, kb);
	free(ka);
	free(kb);
	return c;
}

static void vietnamese_alphabet_order(void **state)
{
	/* in alphabetical order, each before the next */
	static const char *const words[] = {
		"An", "Ăn", "Ân", "Bắc", "Cà Mau", "Dương", "Đà Nẵng", "Đắk Lắk", "Điện Biên", "Gia Lai",
		"Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hồ Chí Minh",
		"Hưng Yên", "Khánh Hòa", "Ô Môn", "Ơn", "Phú Thọ", "Quảng Bình", "Thái Bình", "Thừa Thiên Huế",
		"Uông Bí", "Ưu", "Vĩnh Long", "Yên Bái", NULL,
	};
	(void)state;

	for (int i = 1; words[i]; i++)
		if (cmp_keys(words[i - 1], words[i]) >= 0)
			fail_msg("'%s' should sort before '%s'", words[i - 1], words[i]);
}

static void tones_are_a_second_level(void **state)
{
	(void)state;
	/* ngang < huyền < hỏi < ngã < sắc < nặng, on the same letters */
	assert_true(cmp_keys("ma", "mà") < 0);
	assert_true(cmp_keys("mà", "mả") < 0);
	assert_true(cmp_keys("mả", "mã") < 0);
	assert_true(cmp_keys("mã", "má") < 0);
	assert_true(cmp_keys("má", "mạ") < 0);
	/* but letters decide first */
	assert_true(cmp_keys("mạ", "mb") < 0);
	/* case does not matter */
	assert_int_equal(cmp_keys("HÀ NỘI", "hà nội"), 0);
	/* a shorter word first */
	assert_true(cmp_keys("Hà", "Hà Nội") < 0);
	/* digits before letters */
	assert_true(cmp_keys("Ấp 3", "Ấp A") < 0);
}

static void length_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(text_length("Huế"), 3);
	assert_int_equal(text_length(""), 0);
}

static void blank_and_format_characters(void **state)
{
	char buf[16];
	(void)state;

	assert_true(text_blank(""));
	assert_true(text_blank("            "));
	assert_true(text_blank("\t \xe3\x80\x80 \xc2\xa0"));   /* ideographic and no-break spaces */
	assert_false(text_blank("  a  "));
	assert_false(text_blank("\xe1\xbb\x85"));                  /* ễ */
	assert_int_equal(text_format_char("Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b"), 0);
	assert_int_equal(text_format_char("a\xe2\x80\xae" "b"), 0x202E); /* right-to-left override */
	assert_int_equal(text_format_char("a\xe2\x80\x8b"), 0x200B);  /* zero-width space */
	assert_int_equal(text_format_char("\xef\xbb\xbf" "a"), 0xFEFF);  /* byte order mark */
	text_code_point_name(0x202E, buf, sizeof(buf));
	assert_string_equal(buf, "U+202E");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folding_ignores_case_marks_and_d_bar),
		cmocka_unit_test(nfd_and_nfc_fold_alike),
		cmocka_unit_test(invalid_utf8_and_controls_are_refused),
		cmocka_unit_test(vietnamese_alphabet_order),
		cmocka_unit_test(tones_are_a_second_level),
		cmocka_unit_test(length_counts_code_points),
		cmocka_unit_test(blank_and_format_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
