/* Unit tests of core/text: NFC, search folding, Vietnamese sort order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

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
	/* word by word: a word's tones decide before the next word's letters,
	 * as a dictionary orders syllables (every "Anh" before any "Ánh") */
	assert_true(cmp_keys("Anh Thị Lê", "Ánh Thị An") < 0);
	assert_true(cmp_keys("ba con", "bà ba") < 0);
	assert_true(cmp_keys("An Thị Lê", "Anh Thị An") < 0);
	assert_true(cmp_keys("Ánh Thị An", "Ánh Thị Bình") < 0);
}

static void length_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(text_length("Huế"), 3);
	assert_int_equal(text_length(""), 0);
}

/* A search word begins a word of a folded name: its first, or one after
 * a space; never the middle of a word; % and _ are letters, not wildcards. */
static void a_word_begins_a_word_of_the_name(void **state)
{
	const char *name = "nguyen thi thuy";
	size_t len = strlen(name);
	(void)state;

	assert_true(text_word_begins(name, len, "nguyen", 6));
	assert_true(text_word_begins(name, len, "ng", 2));
	assert_true(text_word_begins(name, len, "thu", 3));
	assert_true(text_word_begins(name, len, "thuy", 4));
	assert_true(text_word_begins(name, len, "", 0));
	assert_false(text_word_begins(name, len, "guyen", 5));
	assert_false(text_word_begins(name, len, "huy", 3));
	assert_false(text_word_begins(name, len, "thuyy", 5));
	assert_false(text_word_begins(name, len, "thi thuy x", 10));
	assert_true(text_word_begins(name, len, "thi thuy", 8)); /* the bytes, spaces and all */
	assert_false(text_word_begins("50% lan", 7, "5_", 2));
	assert_true(text_word_begins("50% lan", 7, "50%", 3));
	assert_false(text_word_begins("", 0, "a", 1));
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

/* The forms strict UTF-8 refuses (RFC 3629; issue 13, finding 6): each is
 * refused by text_utf8 and text_valid, alone and inside other text, and
 * text_utf8_char finds no character at its first byte. */
static const char *const NOT_UTF8[] = {
	"\xed\xa0\x80",         /* U+D800, a surrogate */
	"\xed\xbf\xbf",         /* U+DFFF */
	"\xed\xa0\xbd\xed\xb8\x80", /* a surrogate pair in CESU-8 */
	"\xe0\x80\x80",         /* U+0000, overlong in three bytes */
	"\xc0\x80",             /* U+0000, overlong in two */
	"\xc0\xaf",             /* '/', overlong */
	"\xc1\xbf",             /* U+007F, overlong */
	"\xe0\x9f\xbf",         /* U+07FF, overlong */
	"\xf0\x8f\xbf\xbf",     /* U+FFFF, overlong */
	"\xf4\x90\x80\x80",     /* U+110000, above U+10FFFF */
	"\xf5\x80\x80\x80",     /* a lead byte that cannot start a character */
	"\xf8\x88\x80\x80\x80", /* five bytes */
	"\xff", "\xfe", "\x80", "\xbf", /* no lead byte */
	"\xe1\xbb",             /* "ễ" cut short */
	"\xf0\x9f\x98",         /* U+1F600 cut short */
	"\xc3\x28",             /* a lead byte without its continuation */
};

static void strict_utf8_refuses_surrogates_overlongs_and_beyond(void **state)
{
	char buf[64];
	(void)state;

	for (size_t i = 0; i < sizeof(NOT_UTF8) / sizeof(NOT_UTF8[0]); i++) {
		const char *bad = NOT_UTF8[i];
		char *out = NULL;
		assert_false(text_utf8(bad));
		assert_false(text_valid(bad));
		assert_int_equal(text_utf8_char(bad), 0);
		snprintf(buf, sizeof(buf), "Xã %s Lỗi", bad);
		assert_false(text_utf8(buf));
		assert_false(text_valid(buf));
		assert_int_equal(text_nfc(buf, &out), -1);
		assert_null(out);
		assert_int_equal(text_fold(buf, &out), -1);
		assert_int_equal(text_sort_key(buf, &out), -1);
	}
}

static void strict_utf8_accepts_every_scalar_value(void **state)
{
	/* the boundaries around what is refused above */
	static const struct { const char *s; size_t n; } ok[] = {
		{ "A", 1 }, { "\x7f", 1 }, { "\xc2\x80", 2 }, { "\xdf\xbf", 2 }, { "\xe0\xa0\x80", 3 },
		{ "\xed\x9f\xbf", 3 }, /* U+D7FF */ { "\xee\x80\x80", 3 }, /* U+E000 */
		{ "\xef\xbf\xbe", 3 }, /* U+FFFE: a noncharacter, still UTF-8 */
		{ "\xf0\x90\x80\x80", 4 }, /* U+10000 */ { "\xf4\x8f\xbf\xbf", 4 }, /* U+10FFFF */
		{ "\xe1\xbb\x85", 3 }, /* ễ */ { "\xc4\x91", 2 }, /* đ */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_true(text_utf8(ok[i].s));
		assert_int_equal(text_utf8_char(ok[i].s), ok[i].n);
	}
	assert_true(text_valid("\xf4\x8f\xbf\xbf"));
	assert_false(text_valid("\x7f")); /* DEL is UTF-8 but not text */
	assert_true(text_utf8(""));
	assert_int_equal(text_utf8_char(""), 0);
	assert_false(text_utf8(NULL));
	/* the character at s only: what follows does not matter */
	assert_int_equal(text_utf8_char("\xe1\xbb\x85\xff"), 3);
}

/* Columns on a terminal: marks take none, so NFC and NFD agree. */
static void width_counts_columns_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("Xã Tân Lập"), 10);
	assert_int_equal(text_width("Nguye\xcc\x82\xcc\x83n"), 6);
	assert_int_equal(text_width("Nguy\xe1\xbb\x85n"), 6);
	assert_int_equal(text_width("\xe4\xb8\xad"), 2); /* a wide character */
}

static void capitalises_words(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(text_capitalise_words("trịnh thị ngọc ánh", &out), 0);
	assert_string_equal(out, "Trịnh Thị Ngọc Ánh");
	free(out);
	/* NFD in, NFC out; the rest of a word keeps its case */
	assert_int_equal(text_capitalise_words("a\xcc\x81nh McKay", &out), 0);
	assert_string_equal(out, "Ánh McKay");
	free(out);
	assert_int_equal(text_capitalise_words("\xff", &out), -1);
	assert_null(out);
}

/* ---- the fast path of composed letters against utf8proc's full path ---- */

static utf8proc_int32_t ref_d_bar(utf8proc_int32_t cp, void *data)
{
	(void)data;
	return cp == 0x0110 || cp == 0x0111 ? 'd' : cp;
}

/* What text_nfc and text_fold gave before their fast path: utf8proc's map,
 * then trimmed or squeezed. */
static char *reference(const char *s, bool fold)
{
	utf8proc_uint8_t *r = NULL;
	utf8proc_option_t o = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE;
	char *w, *out;
	bool space = true;

	if (fold)
		o |= UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_LUMP;
	assert_true(utf8proc_map_custom((const utf8proc_uint8_t *)s, 0, &r, o, fold ? ref_d_bar : NULL, NULL) >= 0);
	out = w = (char *)r;
	for (const char *p = (const char *)r; *p; p++) {
		bool blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
		if (blank && (space || !fold)) {
			if (!fold && !space)
				*w++ = *p;
			continue;
		}
		*w++ = *p;
		if (blank)
			w[-1] = ' ';
		space = blank;
	}
	while (w > out && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\n' || w[-1] == '\r'))
		w--;
	*w = '\0';
	return out;
}

static void same_as_full_path(const char *s)
{
	for (int fold = 0; fold < 2; fold++) {
		char *want = reference(s, fold), *got = NULL;
		assert_int_equal(fold ? text_fold(s, &got) : text_nfc(s, &got), 0);
		if (strcmp(got, want) != 0)
			fail_msg("%s of '%s': '%s', full path '%s'", fold ? "fold" : "nfc", s, got, want);
		free(got);
		free(want);
	}
}

static void composed_letters_take_the_full_paths_answer(void **state)
{
	static const utf8proc_int32_t ranges[][2] = { { 0x20, 0x7e }, { 0xa0, 0x17f }, { 0x1a0, 0x1a1 },
						       { 0x1af, 0x1b0 }, { 0x1ea0, 0x1ef9 } };
	utf8proc_int32_t cps[512];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		for (utf8proc_int32_t cp = ranges[i][0]; cp <= ranges[i][1]; cp++)
			cps[n++] = cp;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			utf8proc_uint8_t s[16] = { 'x' };
			size_t k = 1;
			k += (size_t)utf8proc_encode_char(cps[i], s + k);
			k += (size_t)utf8proc_encode_char(cps[j], s + k);
			s[k++] = 'x';
			s[k] = '\0';
			same_as_full_path((const char *)s);
		}
	same_as_full_path("  Nguyễn\tThị  Minh\r\nKhai  ");
	same_as_full_path("ĐẶNG  Ơn ƯỚC Œuvre Straße ŉ ſ İ ĸ");
	same_as_full_path("");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capitalises_words),
		cmocka_unit_test(folding_ignores_case_marks_and_d_bar),
		cmocka_unit_test(nfd_and_nfc_fold_alike),
		cmocka_unit_test(composed_letters_take_the_full_paths_answer),
		cmocka_unit_test(invalid_utf8_and_controls_are_refused),
		cmocka_unit_test(vietnamese_alphabet_order),
		cmocka_unit_test(tones_are_a_second_level),
		cmocka_unit_test(length_counts_code_points),
		cmocka_unit_test(blank_and_format_characters),
		cmocka_unit_test(a_word_begins_a_word_of_the_name),
		cmocka_unit_test(strict_utf8_refuses_surrogates_overlongs_and_beyond),
		cmocka_unit_test(strict_utf8_accepts_every_scalar_value),
		cmocka_unit_test(width_counts_columns_not_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
