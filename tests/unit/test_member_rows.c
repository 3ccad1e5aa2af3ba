/* Unit tests of io/member_rows: regressions found with
 * tests/fuzz/fuzz_member_rows.c (each input is kept as a seed there). A
 * member list is written to a temporary file, as member_rows_open reads a
 * path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "io/member_rows.h"

/* data[0..len) in a new file; its path into path[] (unlinked by the caller). */
static void write_file(char *path, const char *data, size_t len)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Opens data as a member list (format sniffed) and checks that every
 * column's header is UTF-8 and begins as want[i] does, cut before a
 * character at most. */
static void headers_are_utf8(const char *data, size_t len, const char *const *want, size_t n_want,
			     const char *legacy)
{
	char path[] = "/tmp/test_member_rows.XXXXXX";
	member_rows_opts_t o = { .path = path, .lim = SHEET_LIMITS_DEFAULT };
	member_rows_t *r = NULL;
	const member_column_t *c;
	err_t e;
	size_t n;

	write_file(path, data, len);
	err_clear(&e);
	if (member_rows_open(&o, &r, &e) != 0)
		fail_msg("open: %s %s", e.code, e.message);
	c = member_rows_columns(r, &n);
	assert_int_equal(n, n_want);
	for (size_t i = 0; i < n; i++) {
		size_t len_got = strlen(c[i].header);
		assert_true(len_got < MEMBER_ROWS_HEADER_BUF);
		if (!text_utf8(c[i].header))
			fail_msg("column %zu: header not UTF-8 (%zu bytes)", i + 1, len_got);
		if (strncmp(c[i].header, want[i], len_got) != 0)
			print_message("column %zu: \"%.40s\" for \"%.40s\"\n", i + 1, c[i].header, want[i]);
		/* a prefix of what it should be, short of one character at most */
		assert_true(strncmp(c[i].header, want[i], len_got) == 0);
		assert_true(strlen(want[i]) - len_got < 4);
	}
	assert_string_equal(c[0].legacy ? c[0].legacy : "", legacy);
	member_rows_close(r);
	unlink(path);
}

/* A header longer than the 256 bytes kept was cut at a byte count, inside
 * a character: not UTF-8 (the API writes it as JSON). Both where the cell
 * is copied and where a legacy header is converted (TCVN3 "é" is "ộ",
 * three bytes for two). */
static void cuts_long_headers_between_characters(void **state)
{
	char data[2048], want[1024];
	size_t n = 0, w = 0;
	const char *cols[2] = { "Họ và tên", want };
	(void)state;

	/* UTF-8: "Ghi chú: " and 200 "é" (two bytes each) */
	n = (size_t)sprintf(data, "Họ và tên,Ghi chú: ");
	w = (size_t)sprintf(want, "Ghi chú: ");
	for (int i = 0; i < 200; i++) {
		n += (size_t)sprintf(data + n, "é");
		w += (size_t)sprintf(want + w, "é");
	}
	n += (size_t)sprintf(data + n, "\nNguyễn Thị Hoa,x\n");
	want[MEMBER_ROWS_HEADER_BUF] = '\0';
	headers_are_utf8(data, n, cols, 2, "");

	/* TCVN3 saved as ANSI (the fuzzer's input, shortened): "Hä vµ tªn"
	 * and "Ghi chó: " with 130 bytes 0xE9, which read as "ộ" */
	n = (size_t)sprintf(data, "H\xe4 v\xb5 t\xaan,Ghi ch\xf3: ");
	w = (size_t)sprintf(want, "Ghi chú: ");
	for (int i = 0; i < 130; i++) {
		data[n++] = '\xe9';
		w += (size_t)sprintf(want + w, "ộ");
	}
	n += (size_t)sprintf(data + n, "\r\nNguy\xd6n Th\xdb Hoa,t\xb5y\r\nTr\xc7n Th\xdb M\xfc,x\xf3m Th\xad\xee"
				       "ng\r\n");
	want[MEMBER_ROWS_HEADER_BUF] = '\0';
	headers_are_utf8(data, n, cols, 2, "tcvn3");
}

/* An ID or phone number typed as text was copied into 128 bytes: a longer
 * one was cut, inside a character at times, and then json_string refused
 * it and the row failed as "out of memory" (ERR_INTERNAL). It stays whole,
 * for the registry's own checks to refuse. */
static void keeps_long_phone_and_id_text_whole(void **state)
{
	char path[] = "/tmp/test_member_rows.XXXXXX";
	char data[1024], phone[512], id[256];
	member_rows_opts_t o = { .path = path, .lim = SHEET_LIMITS_DEFAULT };
	member_rows_t *r = NULL;
	member_row_t row = { 0 };
	err_t e, problems;
	size_t n = 0, p = 0, line = 0;
	(void)state;

	for (int i = 0; i < 100; i++)
		p += (size_t)sprintf(phone + p, "é");
	memset(id, '1', 200);
	id[200] = '\0';
	n = (size_t)snprintf(data, sizeof(data), "Họ và tên,Số điện thoại,Số CCCD\nNguyễn Thị Hoa,%s,%s\n", phone, id);
	write_file(path, data, n);
	err_clear(&e);
	if (member_rows_open(&o, &r, &e) != 0)
		fail_msg("open: %s %s", e.code, e.message);
	if (member_rows_next(r, &row, &line, &problems, &e) != 1)
		fail_msg("next: %s %s", e.code, e.message);
	assert_int_equal(line, 2);
	assert_int_equal(row.f.v[MCOL_PHONE].kind, MVAL_TEXT);
	assert_string_equal(row.f.v[MCOL_PHONE].text, phone);
	assert_int_equal(row.f.v[MCOL_PHONE].len, strlen(phone));
	assert_string_equal(row.f.v[MCOL_ID_NUMBER].text, id);
	assert_int_equal(row.f.v[MCOL_BIRTH_DATE].kind, MVAL_ABSENT);
	member_row_free(&row);
	member_rows_close(r);
	unlink(path);
}

/* One row read after another into the same member_row_t: a long value
 * grows its buffer, and every text then points into the new one (a
 * pointer into the old buffer is read by ASan as a use after free). Yes/no
 * columns are booleans, dates ISO days, absent fields absent; a value the
 * reader cannot convert stays as read, with its problem. */
static void rows_reuse_their_buffer(void **state)
{
	char path[] = "/tmp/test_member_rows.XXXXXX";
	static char data[8192];
	char note[3001];
	const member_map_entry_t map[] = {
		{ .column = 1, .field = MCOL_FULL_NAME }, { .column = 2, .field = MCOL_BIRTH_DATE },
		{ .column = 3, .field = MCOL_PARTY_MEMBER }, { .column = 4, .field = MCOL_NOTES },
	};
	member_rows_opts_t o = { .path = path, .map = map, .n_map = 4, .header_line = 1, .lim = SHEET_LIMITS_DEFAULT };
	member_rows_t *r = NULL;
	member_row_t row = { 0 };
	err_t e, problems;
	size_t n, line = 0;
	json_t *j;
	(void)state;

	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	n = (size_t)snprintf(data, sizeof(data),
			     "Họ và tên,Ngày sinh,Đảng viên,Ghi chú\n"
			     "Lê Thị Lan,5/3/1980,x,một\n"
			     "Trần Thị Mai,1981-02-03,không,%s\n"
			     "Đỗ Thị Hà,1975,,\n",
			     note);
	write_file(path, data, n);
	err_clear(&e);
	if (member_rows_open(&o, &r, &e) != 0)
		fail_msg("open: %s %s", e.code, e.message);

	assert_int_equal(member_rows_next(r, &row, &line, &problems, &e), 1);
	assert_int_equal(line, 2);
	assert_string_equal(row.f.v[MCOL_FULL_NAME].text, "Lê Thị Lan");
	assert_string_equal(row.f.v[MCOL_BIRTH_DATE].text, "1980-03-05");
	assert_int_equal(row.f.v[MCOL_PARTY_MEMBER].kind, MVAL_TRUE);
	assert_string_equal(row.f.v[MCOL_NOTES].text, "một");
	assert_int_equal(row.f.v[MCOL_NOTES].len, strlen("một"));
	assert_int_equal(problems.n_details, 0);

	assert_int_equal(member_rows_next(r, &row, &line, &problems, &e), 1);
	assert_true(row.cap > sizeof(note));
	assert_string_equal(row.f.v[MCOL_FULL_NAME].text, "Trần Thị Mai");
	assert_string_equal(row.f.v[MCOL_BIRTH_DATE].text, "1981-02-03");
	assert_int_equal(row.f.v[MCOL_PARTY_MEMBER].kind, MVAL_FALSE);
	assert_string_equal(row.f.v[MCOL_NOTES].text, note);
	j = member_fields_json(&row.f);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 4);
	assert_true(json_is_false(json_object_get(j, "party_member")));
	assert_string_equal(json_string_value(json_object_get(j, "full_name")), "Trần Thị Mai");
	json_decref(j);

	assert_int_equal(member_rows_next(r, &row, &line, &problems, &e), 1);
	assert_int_equal(line, 4);
	assert_string_equal(row.f.v[MCOL_FULL_NAME].text, "Đỗ Thị Hà");
	assert_string_equal(row.f.v[MCOL_BIRTH_DATE].text, "1975");
	assert_int_equal(problems.n_details, 1);
	assert_string_equal(problems.details[0].field, "birth_date");
	assert_string_equal(problems.details[0].code, "only_a_year");
	for (int c = 0; c < MCOL_COUNT; c++)
		if (c != MCOL_FULL_NAME && c != MCOL_BIRTH_DATE)
			assert_int_equal(row.f.v[c].kind, MVAL_ABSENT);

	assert_int_equal(member_rows_next(r, &row, &line, &problems, &e), 0);
	for (int c = 0; c < MCOL_COUNT; c++)
		assert_int_equal(row.f.v[c].kind, MVAL_ABSENT);
	member_row_free(&row);
	assert_null(row.buf);
	member_rows_close(r);
	unlink(path);
}

/* A mapping that gives one field two columns, by their numbers or by a
 * header and a number, is refused when the file is opened: one of the values
 * would be lost, and a problem with it reported against the other. */
static void refuses_a_field_twice(void **state)
{
	static const char data[] = "Họ và tên,Ngày sinh,Ghi chú,Năm sinh\nLê Thị Lan,1975,,05/03/1980\n";
	const member_map_entry_t by_number[] = {
		{ .column = 1, .field = MCOL_FULL_NAME },
		{ .column = 2, .field = MCOL_BIRTH_DATE },
		{ .column = 4, .field = MCOL_BIRTH_DATE },
	};
	const member_map_entry_t by_header[] = {
		{ .header = "Họ và tên", .field = MCOL_FULL_NAME },
		{ .header = "Ghi chú", .field = MCOL_NOTES },
		{ .column = 4, .field = MCOL_NOTES },
	};
	const member_map_entry_t *maps[] = { by_number, by_header };
	const size_t n_maps[] = { 3, 3 };
	const char *field[] = { "birth_date", "notes" };
	(void)state;

	for (size_t m = 0; m < 2; m++) {
		char path[] = "/tmp/test_member_rows.XXXXXX";
		member_rows_opts_t o = { .path = path, .map = maps[m], .n_map = n_maps[m], .lim = SHEET_LIMITS_DEFAULT };
		member_rows_t *r = NULL;
		err_t e;

		write_file(path, data, sizeof(data) - 1);
		err_clear(&e);
		assert_int_equal(member_rows_open(&o, &r, &e), -1);
		assert_null(r);
		assert_int_equal(e.kind, ERR_BAD_REQUEST);
		assert_string_equal(e.code, "field_twice");
		if (!strstr(e.message, field[m]))
			fail_msg("map %zu: %s", m, e.message);
		unlink(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cuts_long_headers_between_characters),
		cmocka_unit_test(keeps_long_phone_and_id_text_whole),
		cmocka_unit_test(rows_reuse_their_buffer),
		cmocka_unit_test(refuses_a_field_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
