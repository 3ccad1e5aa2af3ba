/* Unit tests of io/csv_stream: member lists saved as CSV by the programs
 * people use, read row by row (issue 16): the encodings and separators
 * they write, the lines a user is told, and every refusal. */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "io/csv_stream.h"

static long long param_int(const err_t *e, const char *name)
{
	const err_param_t *p = err_param(e, name);
	if (!p) {
		fail_msg("no parameter %s in '%s'", name, e->message);
		return 0;
	}
	return p->num;
}

/* Every row of data[0..len) as "line:cell|cell|..." lines. */
static char *rows_of(const void *data, size_t len, const sheet_limits_t *lim, char *sep, const char **enc)
{
	csv_stream_t *s = NULL;
	size_t cap = 4096, n = 0;
	char *out = malloc(cap);
	sheet_row_t row;
	err_t e;
	int r;

	err_clear(&e);
	assert_non_null(out);
	out[0] = '\0';
	if (csv_stream_open_buffer(data, len, lim, &s, &e) != 0)
		fail_msg("open: %s %s", e.code, e.message);
	if (sep)
		*sep = csv_stream_separator(s);
	if (enc)
		*enc = csv_stream_encoding(s);
	while ((r = csv_stream_next(s, &row, &e)) == 1) {
		char line[64];
		int k = snprintf(line, sizeof(line), "%zu:", row.line);
		size_t need = (size_t)k + 2;
		for (size_t i = 0; i < row.n; i++)
			need += strlen(row.cells[i]) + 1;
		while (cap - n < need) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		n += (size_t)sprintf(out + n, "%s", line);
		for (size_t i = 0; i < row.n; i++) {
			assert_int_equal(row.types[i], SHEET_TEXT);
			n += (size_t)sprintf(out + n, "%s%s", i ? "|" : "", row.cells[i]);
		}
		n += (size_t)sprintf(out + n, "\n");
	}
	if (r != 0)
		fail_msg("next: %s %s", e.code, e.message);
	csv_stream_close(s);
	return out;
}

static void check_rows(const char *data, const char *want, char want_sep)
{
	char sep = 0;
	char *got = rows_of(data, strlen(data), NULL, &sep, NULL);
	assert_string_equal(got, want);
	assert_int_equal(sep, want_sep);
	free(got);
}

/* The refusal `code` at line (and column when not 0), after the rows
 * before it were read. */
static err_t refused_at(const void *data, size_t len, const sheet_limits_t *lim, const char *code, long long line,
			long long column)
{
	csv_stream_t *s = NULL;
	sheet_row_t row;
	err_t e;
	int r = 1;

	err_clear(&e);
	if (csv_stream_open_buffer(data, len, lim, &s, &e) == 0) {
		while ((r = csv_stream_next(s, &row, &e)) == 1)
			;
		if (r == 0)
			fail_msg("expected %s, but the file was read", code);
		/* and again: an error stays */
		err_t again;
		err_clear(&again);
		assert_int_equal(csv_stream_next(s, &row, &again), -1);
		assert_string_equal(again.code, code);
		csv_stream_close(s);
	}
	if (strcmp(e.code, code) != 0)
		fail_msg("expected %s, got %s: %s", code, e.code, e.message);
	assert_int_equal(param_int(&e, "line"), line);
	if (column)
		assert_int_equal(param_int(&e, "column"), column);
	return e;
}

static void reads_what_excel_writes(void **state)
{
	(void)state;
	/* UTF-8 with a mark, title rows with empty cells, CR LF */
	check_rows("\xEF\xBB\xBF" "DANH SÁCH HỘI VIÊN,,,\r\n,,,\r\nSTT,Họ và tên,Ngày sinh,Chi hội\r\n"
		   "1,Nguyễn Thị Hoa,05/03/1980,Chi hội 1\r\n2,\"Trần Thị \"\"Bé\"\" Ba\",1975,\r\n",
		   "1:DANH SÁCH HỘI VIÊN\n3:STT|Họ và tên|Ngày sinh|Chi hội\n4:1|Nguyễn Thị Hoa|05/03/1980|Chi hội 1\n"
		   "5:2|Trần Thị \"Bé\" Ba|1975\n",
		   ',');
	/* semicolons (a European locale), a separator inside quotes */
	check_rows("STT;Họ tên;Địa chỉ\n1;Lê Thị Lan;\"thôn Đông; xã Đức Thượng\"\n2;Phạm Thị Mai;\n",
		   "1:STT|Họ tên|Địa chỉ\n2:1|Lê Thị Lan|thôn Đông; xã Đức Thượng\n3:2|Phạm Thị Mai\n", ';');
	/* tabs; commas in the values */
	check_rows("Họ tên\tGhi chú\nHoa\ta, b, c\nLan\td, e\n", "1:Họ tên|Ghi chú\n2:Hoa|a, b, c\n3:Lan|d, e\n", '\t');
	/* Excel's first line "sep=;" names the separator and is not a row */
	check_rows("sep=;\r\na,b;c\r\n", "2:a,b|c\n", ';');
	/* but only , ; or tab (csv_stream.h): "sep=|" is a row like any other
	 * (found by tests/fuzz/fuzz_csv_stream.c) */
	check_rows("sep=|\na|b,c\n", "1:sep=|\n2:a|b|c\n", ',');
}

static void tells_the_line_a_row_starts_on(void **state)
{
	(void)state;
	/* a quoted value over lines; CR alone; blank lines; no end of line */
	check_rows("a,b\n\"x\ny\nz\",2\n\n\n3,4\r5,6", "1:a|b\n2:x\ny\nz|2\n7:3|4\n8:5|6\n", ',');
}

static char *utf16(const char *utf8, const char *to, const char *mark, size_t mark_len, size_t *len)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t in_left = strlen(utf8), cap = in_left * 4 + 8, out_left = cap - mark_len;
	char *buf = malloc(cap), *in = (char *)utf8, *out;

	assert_non_null(buf);
	assert_true(cd != (iconv_t)-1);
	memcpy(buf, mark, mark_len);
	out = buf + mark_len;
	assert_true(iconv(cd, &in, &in_left, &out, &out_left) != (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(out - buf);
	return buf;
}

static void reads_utf16_with_and_without_mark(void **state)
{
	static const char doc[] = "Họ và tên\tNgày sinh\r\nNguyễn Thị Hoa\t05/03/1980\r\nĐặng Thị Ánh\t1/1/1990\r\n";
	static const char want[] = "1:Họ và tên|Ngày sinh\n2:Nguyễn Thị Hoa|05/03/1980\n3:Đặng Thị Ánh|1/1/1990\n";
	struct { const char *to, *mark; size_t mark_len; const char *enc; } cases[] = {
		{ "UTF-16LE", "\xFF\xFE", 2, "utf-16le" },
		{ "UTF-16BE", "\xFE\xFF", 2, "utf-16be" },
		{ "UTF-16LE", "", 0, "utf-16le" },
		{ "UTF-16BE", "", 0, "utf-16be" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		const char *enc = NULL;
		char sep = 0;
		char *data = utf16(doc, cases[i].to, cases[i].mark, cases[i].mark_len, &len);
		char *got = rows_of(data, len, NULL, &sep, &enc);
		assert_string_equal(got, want);
		assert_string_equal(enc, cases[i].enc);
		assert_int_equal(sep, '\t');
		free(got);
		free(data);
	}
}

static void reads_other_bytes_as_windows_1252(void **state)
{
	/* TCVN3 "Nguyễn Thị Hoa" as saved in ANSI: the bytes shown as Windows-1252 */
	static const char doc[] = "H\xe4 t\xaan,N\xa8m\nNguy\xd6n Th\xdb Hoa,1980\n\x80,x\n";
	const char *enc = NULL;
	char *got;
	(void)state;
	got = rows_of(doc, strlen(doc), NULL, NULL, &enc);
	assert_string_equal(enc, "windows-1252");
	assert_string_equal(got, "1:Hä t\xc2\xaan|N\xc2\xa8m\n2:NguyÖn ThÛ Hoa|1980\n3:€|x\n");
	free(got);
	/* the five bytes Windows-1252 leaves undefined are U+0081 etc., as
	 * Windows reads them; glibc's converter refused them (csv_bad_encoding),
	 * found by tests/fuzz/fuzz_csv_stream.c's property */
	got = rows_of("a,b\n\x81\xe9,c\n\x8d\x8f\x90\x9d\n", 14, NULL, NULL, &enc);
	assert_string_equal(enc, "windows-1252");
	assert_string_equal(got, "1:a|b\n2:\xc2\x81\xc3\xa9|c\n3:\xc2\x8d\xc2\x8f\xc2\x90\xc2\x9d\n");
	free(got);
}

static void reads_windows_1258(void **state)
{
	/* Excel on a Vietnamese Windows saves a CSV in Windows-1258: tone
	 * marks are bytes of their own after the vowel (iconv -t CP1258) */
	static const char doc[] =
		"\x48\x6f\xf2\x20\x76\xe0\x20\x74\xea\x6e\x2c\x4e\x67\xe0\x79\x20"
		"\x73\x69\x6e\x68\x0a\x4e\x67\x75\x79\xea\xde\x6e\x20\x54\x68\x69"
		"\xf2\x20\x48\xfd\xf5\x6e\x67\x2c\x31\x39\x38\x30\x0a\xd0\xe3\xf2"
		"\x6e\x67\x20\x54\x68\x69\xf2\x20\x4d\x79\xde\x20\x44\x75\x79\xea"
		"\x6e\x2c\x31\x39\x37\x35\x0a";
	const char *enc = NULL;
	char *got;
	(void)state;
	got = rows_of(doc, strlen(doc), NULL, NULL, &enc);
	assert_string_equal(enc, "windows-1258");
	assert_string_equal(got, "1:Họ và tên|Ngày sinh\n2:Nguyễn Thị Hương|1980\n3:Đặng Thị Mỹ Duyên|1975\n");
	free(got);
	/* a mark on the last letter of the file comes out too */
	got = rows_of("a,Th\xe0nh,Thi\xf2\nb,Tu\xfd,Nga\xf2", strlen("a,Th\xe0nh,Thi\xf2\nb,Tu\xfd,Nga\xf2"), NULL, NULL, &enc);
	assert_string_equal(enc, "windows-1258");
	assert_string_equal(got, "1:a|Thành|Thị\n2:b|Tuư|Ngạ\n");
	free(got);
}

/* Many rows over many chunks: a CR LF cut at a chunk's edge counts once. */
static void reads_large_files_across_chunks(void **state)
{
	size_t rows = 30000, cap = rows * 40, n = 0, got = 0, last = 0;
	char *data = malloc(cap);
	csv_stream_t *s = NULL;
	sheet_row_t row;
	err_t e;
	(void)state;

	assert_non_null(data);
	for (size_t i = 0; i < rows; i++)
		n += (size_t)sprintf(data + n, "%zu,Nguyễn Thị %zu\r\n", i + 1, i);
	err_clear(&e);
	assert_int_equal(csv_stream_open_buffer(data, n, NULL, &s, &e), 0);
	while (csv_stream_next(s, &row, &e) == 1) {
		got++;
		assert_int_equal(row.line, got);
		assert_int_equal(strtoul(row.cells[0], NULL, 10), got);
		last = row.line;
	}
	assert_int_equal(e.kind, ERR_NONE);
	assert_int_equal(got, rows);
	assert_int_equal(last, rows);
	csv_stream_close(s);
	free(data);
}

/* UTF-8 with a stray byte near the top: still UTF-8, refused at the
 * byte's line (it was read whole as Windows-1252, every name garbled) */
static void stray_byte_early(void)
{
	size_t n = 0;
	char data[2048];

	for (size_t i = 0; i < 12; i++)
		n += (size_t)sprintf(data + n, "%sNguyễn Thị Hương,2\n", i == 3 ? "\xff" : "");
	refused_at(data, n, NULL, "csv_not_utf8", 4, 1);
}

/* UTF-8 through the part read first, then not */
static void not_utf8_later(void)
{
	size_t n = 0, lines = 4000;
	char *data = malloc(lines * 32 + 16);

	assert_non_null(data);
	for (size_t i = 0; i < lines; i++)
		n += (size_t)sprintf(data + n, "Nguyễn Thị %zu,2\n", i);
	n += (size_t)sprintf(data + n, "x,\xff\n");
	refused_at(data, n, NULL, "csv_not_utf8", (long long)lines + 1, 2);
	free(data);
}

static void refuses_malformed_files(void **state)
{
	sheet_limits_t lim = SHEET_LIMITS_DEFAULT;
	(void)state;

	refused_at("a,b\n1,2\n3,\0\n", 12, NULL, "csv_nul_byte", 3, 2);
	refused_at("a,b\n1,x\"y\n", 10, NULL, "csv_stray_quote", 2, 2);
	refused_at("a,b\n1,\"x\"y\n", 11, NULL, "csv_text_after_quote", 2, 2);
	refused_at("a,b\n1,2\n3,\"4\n5\n", 15, NULL, "csv_unclosed_quote", 3, 2);
	not_utf8_later();
	stray_byte_early();
	lim.max_columns = 3;
	refused_at("a,b,c\n1,2,3,,,\n1,2,3,4\n", 23, &lim, "csv_too_many_columns", 3, 4);
	lim = SHEET_LIMITS_DEFAULT;
	lim.max_cell = 4;
	refused_at("a,b\n1234,12345\n", 15, &lim, "csv_field_too_long", 2, 2);
	lim = SHEET_LIMITS_DEFAULT;
	lim.max_rows = 2;
	refused_at("a\nb\n\nc\n", 7, &lim, "csv_too_many_rows", 4, 0);
	lim = SHEET_LIMITS_DEFAULT;
	lim.max_bytes = 10;
	refused_at("a,b\n1,2\n3,4\n5,6\n", 16, &lim, "csv_too_large", 1, 0);
	/* "sep=" then a NUL byte: NUL was taken for the separator and the line
	 * for Excel's hint (found by tests/fuzz/fuzz_csv_stream.c) */
	refused_at("sep=\0\r\na,b\n", 11, NULL, "csv_nul_byte", 1, 1);
	/* UTF-16 cut in the middle of a character */
	refused_at("\xFF\xFE" "a\0,\0b", 7, NULL, "csv_bad_encoding", 1, 0);
}

static void reads_empty_files(void **state)
{
	char *got;
	(void)state;
	got = rows_of("", 0, NULL, NULL, NULL);
	assert_string_equal(got, "");
	free(got);
	got = rows_of("\xEF\xBB\xBF,,\r\n\r\n", 7, NULL, NULL, NULL);
	assert_string_equal(got, "");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_what_excel_writes),
		cmocka_unit_test(tells_the_line_a_row_starts_on),
		cmocka_unit_test(reads_utf16_with_and_without_mark),
		cmocka_unit_test(reads_other_bytes_as_windows_1252),
		cmocka_unit_test(reads_windows_1258),
		cmocka_unit_test(reads_large_files_across_chunks),
		cmocka_unit_test(refuses_malformed_files),
		cmocka_unit_test(reads_empty_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
