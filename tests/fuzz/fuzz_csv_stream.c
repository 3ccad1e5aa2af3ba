/*
 * fuzz_csv_stream.c - the streaming CSV reader of member lists
 * (io/csv_stream.h) over the bytes of a file as it is uploaded: opened
 * with csv_stream_open_buffer twice, with small limits (max_columns 64,
 * max_cell 4096, max_rows 10000, max_bytes 1 MiB) and with the defaults,
 * and read to its end.
 *
 * Properties: a refusal is an error whose strings are UTF-8, of kind
 * ERR_BAD_REQUEST with a csv_ code and a line within the file, and the
 * next call gives it again; a file that is not UTF-16 is never refused as
 * bytes of no character (csv_bad_encoding: Windows-1252 has none); the encoding and separator are ones the
 * header names; a row has 1..max_columns cells, the last one not empty,
 * each a NUL-terminated UTF-8 string of at most max_cell bytes and of type
 * SHEET_TEXT; rows never go backwards, never start beyond the input's last
 * line, are at most max_rows; the cells of all rows hold at most three
 * bytes per byte of input (a Windows-1252 byte becomes up to three bytes
 * of UTF-8); the end, once met, is met again; csv_stream_close releases
 * everything (LeakSanitizer).
 */
#include "fuzz.h"
#include "core/text.h"
#include "io/csv_stream.h"

/* Lines as the reader counts them: a line ends at LF, CR LF or a lone CR. */
static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	return n;
}

static long long param(const err_t *e, const char *name)
{
	const err_param_t *p = err_param(e, name);
	return p && p->type == ERR_PARAM_INT ? p->num : -1;
}

/* Whether the reader may take data for UTF-16: a byte order mark, or a
 * zero byte (csv_stream.c counts them). Anything else is UTF-8 or, when it
 * is not, Windows-1252: each byte one character. */
static bool maybe_utf16(const uint8_t *data, size_t size)
{
	return (size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF))) ||
	       memchr(data, 0, size) != NULL;
}

static void check_refusal(const err_t *e, size_t lines, const uint8_t *data, size_t size)
{
	fuzz_check_err(e);
	FUZZ_CHECK(e->kind == ERR_BAD_REQUEST);
	FUZZ_CHECK(strncmp(e->code, "csv_", 4) == 0);
	FUZZ_CHECK(param(e, "line") >= 1 && (size_t)param(e, "line") <= lines);
	/* csv_bad_encoding is for bytes that are no UTF-16: a file read as
	 * Windows-1252 has none (the five bytes it leaves undefined included) */
	FUZZ_CHECK(strcmp(e->code, "csv_bad_encoding") != 0 || maybe_utf16(data, size));
}

static void read_all(const uint8_t *data, size_t size, const sheet_limits_t *lim)
{
	csv_stream_t *s = NULL;
	sheet_row_t row;
	err_t e, again;
	const char *enc;
	size_t lines, last = 0, rows = 0, bytes = 0;
	bool utf16;
	int rc;

	err_clear(&e);
	if (csv_stream_open_buffer(data, size, lim, &s, &e) != 0) {
		FUZZ_CHECK(s == NULL);
		check_refusal(&e, count_lines(data, size), data, size);
		return;
	}
	enc = csv_stream_encoding(s);
	FUZZ_CHECK(strcmp(enc, "utf-8") == 0 || strcmp(enc, "utf-16le") == 0 || strcmp(enc, "utf-16be") == 0 ||
		   strcmp(enc, "windows-1252") == 0 || strcmp(enc, "windows-1258") == 0);
	FUZZ_CHECK(strchr(",;\t", csv_stream_separator(s)) && csv_stream_separator(s) != '\0');
	/* UTF-16: the lines are the decoded text's; a line end takes two bytes
	 * at least, so the count of lines is bounded, not known */
	utf16 = strncmp(enc, "utf-16", 6) == 0;
	lines = utf16 ? size / 2 + 1 : count_lines(data, size);
	while ((rc = csv_stream_next(s, &row, &e)) == 1) {
		rows++;
		FUZZ_CHECK(rows <= lim->max_rows);
		FUZZ_CHECK(row.line >= 1 && row.line <= lines && row.line >= last);
		last = row.line;
		FUZZ_CHECK(row.n >= 1 && row.n <= lim->max_columns);
		FUZZ_CHECK(row.cells[row.n - 1][0] != '\0');
		for (size_t k = 0; k < row.n; k++) {
			size_t len = strlen(row.cells[k]);
			FUZZ_CHECK(len <= lim->max_cell);
			FUZZ_CHECK(text_utf8(row.cells[k]));
			FUZZ_CHECK(row.types[k] == SHEET_TEXT);
			bytes += len;
		}
		FUZZ_CHECK(bytes <= 3 * size);
	}
	err_clear(&again);
	if (rc < 0) {
		check_refusal(&e, lines, data, size);
		/* an error stays */
		FUZZ_CHECK(csv_stream_next(s, &row, &again) == -1);
		FUZZ_CHECK(strcmp(again.code, e.code) == 0);
	} else {
		FUZZ_CHECK(csv_stream_next(s, &row, &again) == 0);
	}
	csv_stream_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const sheet_limits_t small = { .max_columns = 64, .max_cell = 4096, .max_rows = 10000,
				       .max_bytes = 1024 * 1024 };
	const sheet_limits_t dflt = SHEET_LIMITS_DEFAULT;

	read_all(data, size, &small);
	read_all(data, size, &dflt);
	return 0;
}
