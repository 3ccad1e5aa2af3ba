/*
 * fuzz_csv.c - the CSV reader of `units apply` and of the reference data,
 * through its public header only (io/csv_table.h; its rules are being made
 * stricter, issue 13 finding 9, and this target follows whatever they
 * become).
 *
 * Properties: csv_table_parse either fails with an error whose strings are
 * UTF-8, leaving an empty table, or gives rows whose fields are readable
 * NUL-terminated strings, lines that never go backwards and never beyond the
 * input's line count; csv_col and csv_field answer for any name and column;
 * csv_table_free releases everything (LeakSanitizer checks).
 */
#include "fuzz.h"
#include "io/csv_table.h"

/* Lines as the reader counts them: a line ends at LF, CR LF or a lone CR
 * (a file saved by an old Mac program). Counting LF alone was this
 * target's own mistake (found by it: "eo\n\rtw"). */
static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "op", "date", "code", "parent", "name_vi", "name_en", "level", "", NULL };
	csv_table_t t;
	err_t e;
	size_t lines = count_lines(data, size), last = 0, bytes = 0;

	err_clear(&e);
	if (csv_table_parse((const char *)data, size, &t, &e) != 0) {
		fuzz_check_err(&e);
		FUZZ_CHECK(t.n_rows == 0 && t.rows == NULL && t.header.n == 0);
		csv_table_free(&t);
		return 0;
	}
	for (size_t i = 0; i < t.header.n; i++)
		bytes += strlen(t.header.fields[i]);
	for (size_t r = 0; r < t.n_rows; r++) {
		const csv_row_t *row = &t.rows[r];
		FUZZ_CHECK(row->n > 0);
		FUZZ_CHECK(row->line >= 1 && row->line <= lines && row->line >= last);
		last = row->line;
		for (size_t i = 0; i < row->n; i++)
			bytes += strlen(row->fields[i]);
		for (int c = -1; c <= (int)row->n; c++)
			(void)strlen(csv_field(row, c));
	}
	/* fields hold no more bytes than the input did */
	FUZZ_CHECK(bytes <= size);
	for (int i = 0; names[i]; i++) {
		int c = csv_col(&t, names[i]);
		FUZZ_CHECK(c >= -1 && c < (int)t.header.n);
		if (c >= 0)
			FUZZ_CHECK(strcmp(t.header.fields[c], names[i]) == 0);
	}
	csv_table_free(&t);
	return 0;
}
