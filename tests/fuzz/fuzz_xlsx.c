/*
 * fuzz_xlsx.c - the XLSX reader of member lists (io/xlsx_reader.h), over
 * the bytes of a file as it is uploaded: xlsx_open_buffer, then every
 * sheet read to its end (each begun twice, the second time left half
 * read, as an importer that looks at a sheet before reading it does).
 *
 * The seeds (xlsx/) hold workbooks saved by LibreOffice and two written
 * with Python's zipfile, one of them with its parts stored rather than
 * compressed, so that mutations reach the XML (a changed byte still fails
 * the part's CRC, but only once the part has been parsed).
 *
 * Properties: a refusal is an error whose strings are UTF-8, of kind
 * ERR_BAD_REQUEST (ERR_NOT_FOUND only for a missing sheet); a row has
 * 1..max_columns cells, its last one not empty, every cell UTF-8 of at
 * most max_cell bytes with a type of sheet.h; rows go down the sheet, at
 * most max_rows of them, numbered 1..1048576; xlsx_close releases
 * everything (LeakSanitizer).
 */
#include "fuzz.h"
#include "core/text.h"
#include "io/xlsx_reader.h"

static void check_refusal(const err_t *e)
{
	fuzz_check_err(e);
	FUZZ_CHECK(e->kind == ERR_BAD_REQUEST || e->kind == ERR_NOT_FOUND);
	FUZZ_CHECK(strncmp(e->code, "xlsx_", 5) == 0);
}

/* Reads the sheet begun to its end (or max rows); returns 0 or -1. */
static int read_rows(xlsx_reader_t *x, const sheet_limits_t *lim, size_t max, err_t *e)
{
	sheet_row_t row;
	size_t last = 0, n = 0;
	int rc;

	while (n < max && (rc = xlsx_next_row(x, &row, e)) == 1) {
		n++;
		FUZZ_CHECK(n <= lim->max_rows);
		FUZZ_CHECK(row.line > last && row.line <= 1048576);
		last = row.line;
		FUZZ_CHECK(row.n >= 1 && row.n <= lim->max_columns);
		FUZZ_CHECK(row.cells[row.n - 1][0] != '\0');
		for (size_t k = 0; k < row.n; k++) {
			FUZZ_CHECK(strlen(row.cells[k]) <= lim->max_cell);
			FUZZ_CHECK(text_utf8(row.cells[k]));
			FUZZ_CHECK(row.types[k] <= SHEET_ERROR);
		}
	}
	return n < max && rc < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const sheet_limits_t lim = { .max_columns = 64, .max_cell = 1024, .max_rows = 1000,
				     .max_bytes = 4 * 1024 * 1024 };
	xlsx_reader_t *x = NULL;
	err_t e;

	err_clear(&e);
	if (xlsx_open_buffer(data, size, &lim, &x, &e) != 0) {
		FUZZ_CHECK(x == NULL);
		check_refusal(&e);
		return 0;
	}
	for (size_t i = 0; i < xlsx_sheet_count(x) && i < 8; i++) {
		FUZZ_CHECK(text_utf8(xlsx_sheet_name(x, i)));
		err_clear(&e);
		if (xlsx_begin_sheet(x, i, &e) != 0 || read_rows(x, &lim, 2, &e) != 0 ||
		    xlsx_begin_sheet(x, i, &e) != 0 || read_rows(x, &lim, (size_t)-1, &e) != 0)
			check_refusal(&e);
	}
	FUZZ_CHECK(xlsx_sheet_name(x, xlsx_sheet_count(x)) == NULL);
	xlsx_close(x);
	return 0;
}
