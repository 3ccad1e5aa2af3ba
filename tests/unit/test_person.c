/* Unit tests of core/person: names, ages, ID numbers and phone numbers as
 * the registry's forms and imports check them (issue 15, item 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/person.h"

static date_t day(const char *s)
{
	date_t d = 0;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

/* The one detail e holds: its field and code. */
static void expect_detail(const err_t *e, const char *field, const char *code)
{
	assert_int_equal(e->n_details, 1);
	assert_string_equal(e->details[0].field, field);
	assert_string_equal(e->details[0].code, code);
}

static void names_are_nfc_trimmed_and_collapsed(void **state)
{
	char *out = NULL;
	err_t e;
	(void)state;

	err_clear(&e);
	/* NFD in, with tabs and double spaces: NFC out, one space between words */
	assert_int_equal(person_name("  Nguye\xcc\x82\xcc\x83n \t Thi\xcc\xa3  Hoa ", "full_name", &out, &e), 0);
	assert_string_equal(out, "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Hoa");
	free(out);
	assert_int_equal(person_name("H\xe1\xbb\x93 Th\xe1\xbb\x8b Ng\xe1\xbb\x8d" "c-Anh O'Neil", "full_name", &out, &e), 0);
	free(out);
	/* a letter NFC cannot compose keeps its one mark (q + acute) */
	assert_int_equal(person_name("Q\xcc\x81uy", "full_name", &out, &e), 0);
	free(out);
	assert_int_equal(e.n_details, 0);
}

static void names_refused(void **state)
{
	static const struct { const char *in, *code; } bad[] = {
		{ "", "required" }, { "   ", "required" }, { "Nguy\xe1\xbb\x85n 2", "bad_characters" },
		{ "Lan<script>", "bad_characters" }, { "Lan\xe2\x80\x8b" "Anh", "format_chars" },
		/* marks stacked on a letter (they draw over the lines around),
		 * or with no letter under them */
		{ "A\xcc\x81\xcc\x81\xcc\x81", "bad_characters" }, { "L\xc3\xaa Th\xe1\xbb\x8b Ha\xcc\x81\xcc\x81\xcc\x81", "bad_characters" },
		{ "Lan \xcc\x81" "Anh", "bad_characters" }, { "Lan-\xcc\x81", "bad_characters" },
	};
	char *out = NULL;
	char longname[300];
	err_t e;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(person_name(bad[i].in, "full_name", &out, &e), -1);
		assert_null(out);
		expect_detail(&e, "full_name", bad[i].code);
	}
	memset(longname, 'a', 101);
	longname[101] = '\0';
	err_clear(&e);
	assert_int_equal(person_name(longname, "full_name", &out, &e), -1);
	expect_detail(&e, "full_name", "too_long");
}

static void ages_count_whole_years(void **state)
{
	(void)state;
	assert_int_equal(person_age(day("2008-06-15"), day("2026-06-14")), 17);
	assert_int_equal(person_age(day("2008-06-15"), day("2026-06-15")), 18);
	/* born on 29 February: 18 on 1 March of a common year */
	assert_int_equal(person_age(day("2008-02-29"), day("2026-02-28")), 17);
	assert_int_equal(person_age(day("2008-02-29"), day("2026-03-01")), 18);
}

static void birth_and_join_dates(void **state)
{
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(person_check_birth(day("1990-01-01"), day("2026-12-01"), "birth_date", &e), 0);
	assert_int_equal(person_check_birth(day("2026-12-02"), day("2026-12-01"), "birth_date", &e), -1);
	expect_detail(&e, "birth_date", "in_future");
	err_clear(&e);
	assert_int_equal(person_check_birth(day("1900-01-01"), day("2026-12-01"), "birth_date", &e), -1);
	expect_detail(&e, "birth_date", "out_of_range");
	err_clear(&e);
	assert_int_equal(person_check_join_age(day("2008-06-15"), day("2026-06-15"), MEMBER_REGULAR, "joined_on", &e), 0);
	assert_int_equal(person_check_join_age(day("2008-06-15"), day("2026-06-14"), MEMBER_REGULAR, "joined_on", &e), -1);
	expect_detail(&e, "joined_on", "under_age");
	err_clear(&e);
	/* an honorary member has no age limit */
	assert_int_equal(person_check_join_age(day("2010-01-01"), day("2026-01-01"), MEMBER_HONORARY, "joined_on", &e), 0);
}

static void id_numbers(void **state)
{
	char out[PERSON_ID_BUF];
	person_id_kind_t k;
	date_t b90 = day("1990-05-04"), b03 = day("2003-11-20");
	err_t e;
	(void)state;

	err_clear(&e);
	/* Hà Nội (001), a woman born 1990 */
	assert_int_equal(person_id_number("001 190 012345", true, b90, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), 0);
	assert_string_equal(out, "001190012345");
	assert_int_equal(k, ID_CCCD);
	/* Cà Mau (096), a woman born 2003 */
	assert_int_equal(person_id_number("096303000001", true, b03, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), 0);
	/* a 9-digit CMND: accepted, flagged */
	assert_int_equal(person_id_number("012345678", true, b90, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), 0);
	assert_int_equal(k, ID_CMND);
	/* a man's digit: refused for a member, fine for an honorary member */
	assert_int_equal(person_id_number("001090012345", true, b90, SEX_MALE, MEMBER_HONORARY, "id_number", out, &k, &e), 0);
	assert_int_equal(e.n_details, 0);
	assert_int_equal(person_id_number("001090012345", true, b90, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), -1);
	expect_detail(&e, "id_number", "id_sex");
	err_clear(&e);
	/* 003 is no province's code (Cao Bằng is 004) */
	assert_int_equal(person_id_number("003190012345", true, b90, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), -1);
	expect_detail(&e, "id_number", "id_province");
	err_clear(&e);
	/* a 2000s digit for a birth in 1990 */
	assert_int_equal(person_id_number("001390012345", true, b90, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), -1);
	expect_detail(&e, "id_number", "id_century");
	err_clear(&e);
	/* the year digits say 1991 */
	assert_int_equal(person_id_number("001191012345", true, b90, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), -1);
	expect_detail(&e, "id_number", "id_birth_year");
	err_clear(&e);
	static const char *const junk[] = { "", "12345", "0011900123456", "00119001234x", "001-190-012345" };
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		err_clear(&e);
		assert_int_equal(person_id_number(junk[i], true, b90, SEX_FEMALE, MEMBER_REGULAR, "id_number", out, &k, &e), -1);
		expect_detail(&e, "id_number", "not_an_id_number");
	}
}

/* The province codes above are those of data/provinces-63.csv. */
static void province_codes_are_the_63(void **state)
{
	char path[512], line[256];
	FILE *f;
	int n = 0;
	(void)state;

	snprintf(path, sizeof(path), "%s/data/provinces-63.csv", SOURCE_ROOT);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		char id[PERSON_ID_BUF], out[PERSON_ID_BUF];
		person_id_kind_t k;
		err_t e;
		err_clear(&e);
		snprintf(id, sizeof(id), "0%.2s190012345", line);
		assert_int_equal(person_id_number(id, true, day("1990-01-01"), SEX_FEMALE, MEMBER_REGULAR, "id", out, &k, &e), 0);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 63);
}

static void phone_numbers(void **state)
{
	static const struct { const char *in, *out; } good[] = {
		{ "0912 345 678", "+84912345678" }, { "+84 912.345.678", "+84912345678" },
		{ "84912345678", "+84912345678" }, { "(024) 3825 1234", "+842438251234" },
		{ " 0386-123-456", "+84386123456" },
	};
	static const char *const bad[] = { "", "12345", "0112345678", "091234567", "+1 202 555 0100", "0912 345 67a", "+84+912345678" };
	char out[PERSON_PHONE_BUF];
	err_t e;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err_clear(&e);
		assert_int_equal(person_phone(good[i].in, "phone", out, &e), 0);
		assert_string_equal(out, good[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(person_phone(bad[i], "phone", out, &e), -1);
		expect_detail(&e, "phone", "not_a_phone");
	}
}

/* Given name first, then middle names, then family name; a < ă < â; a
 * given name's tone before the other names (every Anh before any Ánh). */
static void names_sort_the_vietnamese_way(void **state)
{
	static const char *const sorted[] = { "Nguyễn Thị An", "Nguyễn Thị Anh", "Phạm Thị Anh", "Lê Thị Ánh",
					      "Trần Thị Ánh", "Lê Thị Ân", "Phạm Thị Ăn Nhi" };
	char *prev = NULL;
	(void)state;

	for (size_t i = 0; i < sizeof(sorted) / sizeof(sorted[0]); i++) {
		char *key = NULL;
		assert_int_equal(person_sort_key(sorted[i], &key), 0);
		if (prev)
			assert_true(strcmp(prev, key) < 0);
		free(prev);
		prev = key;
	}
	free(prev);
}

/* person_born_by is the last birth that gives the age: every day around
 * it agrees with person_age, 29 February included. */
static void born_by_agrees_with_age(void **state)
{
	static const char *const DAYS[] = { "2026-06-30", "2024-02-29", "2025-02-28", "2025-03-01", "2026-01-01" };
	static const int AGES[] = { 0, 18, 31, 46, 61, 120 };
	(void)state;

	for (size_t i = 0; i < sizeof(DAYS) / sizeof(DAYS[0]); i++)
		for (size_t k = 0; k < sizeof(AGES) / sizeof(AGES[0]); k++) {
			date_t on = day(DAYS[i]), last = person_born_by(on, AGES[k]);
			assert_true(person_age(last, on) >= AGES[k]);
			assert_true(person_age(last + 1, on) < AGES[k]);
		}
	/* born on 29 February: 61 on 1 March of a common year */
	assert_int_equal(person_born_by(day("2021-03-01"), 61), day("1960-03-01"));
	assert_int_equal(person_born_by(day("2021-02-28"), 61), day("1960-02-28"));
}

static void public_circumstances(void **state)
{
	(void)state;
	assert_true(person_circumstance_public("poor"));
	assert_true(person_circumstance_public("near_poor"));
	assert_true(person_circumstance_public("single_mother"));
	assert_true(person_circumstance_public("migrant_worker"));
	assert_false(person_circumstance_public("disabled"));
	assert_false(person_circumstance_public("benh_hiem_ngheo"));
	assert_false(person_circumstance_public(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_are_nfc_trimmed_and_collapsed),
		cmocka_unit_test(names_refused),
		cmocka_unit_test(ages_count_whole_years),
		cmocka_unit_test(birth_and_join_dates),
		cmocka_unit_test(id_numbers),
		cmocka_unit_test(province_codes_are_the_63),
		cmocka_unit_test(phone_numbers),
		cmocka_unit_test(names_sort_the_vietnamese_way),
		cmocka_unit_test(born_by_agrees_with_age),
		cmocka_unit_test(public_circumstances),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
