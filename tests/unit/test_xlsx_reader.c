/* Unit tests of io/xlsx_reader: workbooks saved by LibreOffice (the
 * committed fixtures, tests/fixtures/xlsx/, rebuilt by make-fixtures.sh),
 * written by libxlsxwriter here, and written by hand here with libzip (the
 * shapes Excel and other writers use: prefixed elements, absolute part
 * names, inline strings, rows and cells without references); then every
 * refusal, each with its code and parameters, from hostile files built at
 * run time so that nothing big is committed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>
#if HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif

#include "core/err.h"
#include "io/xlsx_reader.h"

#define FIXTURES SOURCE_ROOT "/tests/fixtures/xlsx/"
#define MAX_ROWS 64
#define MAX_CELLS 16

/* The rows of a sheet, copied. */
typedef struct rows {
	size_t n;
	size_t line[MAX_ROWS];
	size_t cells[MAX_ROWS];
	char *cell[MAX_ROWS][MAX_CELLS];
	unsigned char type[MAX_ROWS][MAX_CELLS];
} rows_t;

static char tmpdir[256];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/xlsx-test-XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static void rows_free(rows_t *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < r->cells[i] && k < MAX_CELLS; k++)
			free(r->cell[i][k]);
	memset(r, 0, sizeof(*r));
}

/* Reads sheet i whole into r (MAX_ROWS rows, MAX_CELLS cells kept). */
static void read_sheet(xlsx_reader_t *x, size_t i, rows_t *r)
{
	sheet_row_t row;
	err_t e;
	int rc;

	memset(r, 0, sizeof(*r));
	err_clear(&e);
	if (xlsx_begin_sheet(x, i, &e) != 0)
		fail_msg("begin_sheet %zu: %s: %s", i, e.code, e.message);
	while ((rc = xlsx_next_row(x, &row, &e)) == 1) {
		size_t k = r->n++;
		assert_true(k < MAX_ROWS);
		assert_true(row.n > 0);
		assert_true(row.cells[row.n - 1][0] != '\0');
		r->line[k] = row.line;
		r->cells[k] = row.n;
		for (size_t c = 0; c < row.n && c < MAX_CELLS; c++) {
			r->cell[k][c] = strdup(row.cells[c]);
			r->type[k][c] = row.types[c];
		}
	}
	if (rc != 0)
		fail_msg("next_row: %s: %s", e.code, e.message);
	assert_int_equal(xlsx_next_row(x, &row, &e), 0); /* stays at the end */
}

static xlsx_reader_t *open_ok(const char *path, const sheet_limits_t *lim)
{
	xlsx_reader_t *x = NULL;
	err_t e;

	err_clear(&e);
	if (xlsx_open(path, lim, &x, &e) != 0)
		fail_msg("open %s: %s: %s", path, e.code, e.message);
	return x;
}

static void assert_cell(const rows_t *r, size_t i, size_t k, const char *text, unsigned char type)
{
	assert_true(i < r->n);
	if (k >= r->cells[i]) {
		assert_string_equal("", text);
		return;
	}
	assert_string_equal(r->cell[i][k], text);
	if (r->type[i][k] != type)
		fail_msg("row %zu cell %zu '%s': type %d, not %d", r->line[i], k + 1, text, r->type[i][k], type);
}

static long long param_int(const err_t *e, const char *name)
{
	const err_param_t *p = err_param(e, name);
	if (!p) {
		fail_msg("no parameter %s in '%s'", name, e->message);
		return 0;
	}
	assert_int_equal(p->type, ERR_PARAM_INT);
	return p->num;
}

static const char *param_str(const err_t *e, const char *name)
{
	const err_param_t *p = err_param(e, name);
	if (!p) {
		fail_msg("no parameter %s in '%s'", name, e->message);
		return "";
	}
	return p->text;
}

/* ---- workbooks written by hand ---- */

typedef struct part {
	const char *name;
	const char *data; /* NUL-terminated unless len */
	size_t len;
	bool store;       /* not compressed */
} part_t;

/* Writes a zip of parts[0..n) at path. */
static void write_zip(const char *path, const part_t *parts, size_t n)
{
	int err = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);

	assert_non_null(z);
	for (size_t i = 0; i < n; i++) {
		size_t len = parts[i].len ? parts[i].len : strlen(parts[i].data);
		zip_source_t *s = zip_source_buffer(z, parts[i].data, len, 0);
		zip_int64_t idx;
		assert_non_null(s);
		idx = zip_file_add(z, parts[i].name, s, ZIP_FL_OVERWRITE);
		assert_true(idx >= 0);
		if (parts[i].store)
			assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
	}
	assert_int_equal(zip_close(z), 0);
}

static void tmp_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	   "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define REL_NS "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\""
#define REL_TYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char ROOT_RELS[] = "<?xml version=\"1.0\"?><Relationships " REL_NS ">"
				"<Relationship Id=\"rId1\" Type=\"" REL_TYPE "officeDocument\" Target=\"xl/workbook.xml\"/>"
				"</Relationships>";
static const char WB_RELS[] = "<?xml version=\"1.0\"?><Relationships " REL_NS ">"
			      "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
			      "<Relationship Id=\"rId2\" Type=\"" REL_TYPE "styles\" Target=\"styles.xml\"/>"
			      "<Relationship Id=\"rId3\" Type=\"" REL_TYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
			      "</Relationships>";
static const char WORKBOOK[] = "<?xml version=\"1.0\"?><workbook " NS "><sheets>"
			       "<sheet name=\"Trang 1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

/* Cell styles: 0 General; 1 dd/mm/yyyy (custom, with a locale); 2 built-in
 * 14 (a date); 3 h:mm:ss (a time); 4 [Red]0.00; 5 "d" quoted; 6 mm:ss;
 * 7 yyyy-mm-dd hh:mm; 8 built-in 20 (h:mm); 9 built-in 22; 10 [h]:mm;
 * 11 mmm (month alone); 12 0\d (an escaped d); 13 yy; 14 AM/PM time. */
static const char STYLES[] =
	"<?xml version=\"1.0\"?><styleSheet " NS "><numFmts count=\"12\">"
	"<numFmt numFmtId=\"164\" formatCode=\"[$-42A]dd/mm/yyyy;@\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"h:mm:ss\"/>"
	"<numFmt numFmtId=\"166\" formatCode=\"[Red]0.00\"/>"
	"<numFmt numFmtId=\"167\" formatCode=\"&quot;d&quot;0\"/>"
	"<numFmt numFmtId=\"168\" formatCode=\"mm:ss\"/>"
	"<numFmt numFmtId=\"169\" formatCode=\"yyyy-mm-dd hh:mm\"/>"
	"<numFmt numFmtId=\"170\" formatCode=\"[h]:mm\"/>"
	"<numFmt numFmtId=\"171\" formatCode=\"mmm\"/>"
	"<numFmt numFmtId=\"172\" formatCode=\"0\\d\"/>"
	"<numFmt numFmtId=\"173\" formatCode=\"yy\"/>"
	"<numFmt numFmtId=\"174\" formatCode=\"h:mm AM/PM\"/>"
	"</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs count=\"15\">"
	"<xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/><xf numFmtId=\"165\"/><xf numFmtId=\"166\"/>"
	"<xf numFmtId=\"167\"/><xf numFmtId=\"168\"/><xf numFmtId=\"169\"/><xf numFmtId=\"20\"/><xf numFmtId=\"22\"/>"
	"<xf numFmtId=\"170\"/><xf numFmtId=\"171\"/><xf numFmtId=\"172\"/><xf numFmtId=\"173\"/><xf numFmtId=\"174\"/>"
	"</cellXfs></styleSheet>";

/* A workbook of one sheet (its XML: sheet), with shared strings (sst, or
 * none when NULL) and the styles above, at tmpdir/name. Returns the path
 * in out. */
static void write_book(char *out, size_t cap, const char *name, const char *sheet, const char *sst)
{
	part_t parts[6] = {
		{ "[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>", 0, false },
		{ "_rels/.rels", ROOT_RELS, 0, false },
		{ "xl/workbook.xml", WORKBOOK, 0, false },
		{ "xl/_rels/workbook.xml.rels", WB_RELS, 0, false },
		{ "xl/styles.xml", STYLES, 0, false },
		{ "xl/worksheets/sheet1.xml", sheet, 0, false },
	};
	part_t all[7];

	memcpy(all, parts, sizeof(parts));
	tmp_path(out, cap, name);
	if (sst)
		all[6] = (part_t){ "xl/sharedStrings.xml", sst, 0, false };
	write_zip(out, all, sst ? 7 : 6);
}

/* A sheet's XML around the rows (and what follows sheetData). */
static char *sheet_xml(const char *rows, const char *after)
{
	const char *head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet " NS "><sheetData>";
	size_t n = strlen(head) + strlen(rows) + strlen(after) + 32;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s</sheetData>%s</worksheet>", head, rows, after);
	return s;
}

/* Opens a one-sheet workbook made of rows (and after) and reads it into r. */
static void read_rows(const char *rows, const char *after, const char *sst, const sheet_limits_t *lim, rows_t *r)
{
	char path[512], *xml = sheet_xml(rows, after);
	xlsx_reader_t *x;

	write_book(path, sizeof(path), "book.xlsx", xml, sst);
	x = open_ok(path, lim);
	assert_int_equal(xlsx_sheet_count(x), 1);
	read_sheet(x, 0, r);
	xlsx_close(x);
	free(xml);
	unlink(path);
}

/* Expects the refusal `code` from opening (rc, x, e: what the open gave)
 * or, when it opened, from reading its first sheet; returns the error. */
static err_t refusal(int rc, xlsx_reader_t *x, err_t e, const char *code)
{
	sheet_row_t row;

	if (rc == 0) {
		assert_non_null(x);
		rc = xlsx_begin_sheet(x, 0, &e);
		while (rc == 0 && (rc = xlsx_next_row(x, &row, &e)) == 1)
			rc = 0;
		if (rc == -1) {
			/* after a failure the sheet stays failed */
			err_t again;
			err_clear(&again);
			assert_int_equal(xlsx_next_row(x, &row, &again), -1);
			assert_string_equal(again.code, "xlsx_sheet_failed");
		}
		xlsx_close(x);
		if (rc != -1)
			fail_msg("expected %s, but the workbook was read", code);
	} else {
		assert_null(x);
	}
	if (strcmp(e.code, code) != 0)
		fail_msg("expected %s, got %s: %s", code, e.code, e.message);
	assert_true(e.kind == ERR_BAD_REQUEST || e.kind == ERR_NOT_FOUND);
	return e;
}

static err_t refused_path(const char *path, const sheet_limits_t *lim, const char *code)
{
	xlsx_reader_t *x = NULL;
	err_t e;
	int rc;

	err_clear(&e);
	rc = xlsx_open(path, lim, &x, &e);
	return refusal(rc, x, e, code);
}

static err_t refused_rows(const char *rows, const char *after, const char *sst, const sheet_limits_t *lim,
			  const char *code)
{
	char path[512], *xml = sheet_xml(rows, after);
	err_t e;

	write_book(path, sizeof(path), "bad.xlsx", xml, sst);
	e = refused_path(path, lim, code);
	free(xml);
	unlink(path);
	return e;
}

/* Expects the refusal `code` of a workbook whose sheet is `xml`. */
static err_t refused_rows_xml(const char *xml, const char *code)
{
	char path[512];
	err_t e;

	write_book(path, sizeof(path), "bad.xlsx", xml, NULL);
	e = refused_path(path, NULL, code);
	unlink(path);
	return e;
}

static err_t refused_bytes(const void *data, size_t len, const char *code)
{
	char path[512];
	FILE *f;
	err_t e, e2;
	xlsx_reader_t *x = NULL;
	int rc;

	tmp_path(path, sizeof(path), "bytes.xlsx");
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	e = refused_path(path, NULL, code);
	unlink(path);
	/* the same through the buffer */
	err_clear(&e2);
	rc = xlsx_open_buffer(data, len, NULL, &x, &e2);
	e2 = refusal(rc, x, e2, code);
	assert_string_equal(e2.message, e.message);
	return e;
}

/* ---- LibreOffice's fixtures ---- */

static void reads_a_vietnamese_member_list(void **state)
{
	xlsx_reader_t *x = open_ok(FIXTURES "members-vn.xlsx", NULL);
	const char *title = "HỘI LIÊN HIỆP PHỤ NỮ XÃ BÌNH AN";
	rows_t r;
	(void)state;

	assert_int_equal(xlsx_sheet_count(x), 2);
	assert_string_equal(xlsx_sheet_name(x, 0), "Danh sách");
	assert_string_equal(xlsx_sheet_name(x, 1), "Ghi chú");
	assert_null(xlsx_sheet_name(x, 2));
	read_sheet(x, 0, &r);
	assert_int_equal(r.n, 9);
	/* the titles, merged across A:H, are in every cell of their range */
	assert_int_equal(r.line[0], 1);
	assert_int_equal(r.cells[0], 8);
	for (size_t k = 0; k < 8; k++)
		assert_cell(&r, 0, k, title, SHEET_TEXT);
	assert_cell(&r, 1, 7, "DANH SÁCH HỘI VIÊN NĂM 2025", SHEET_TEXT);
	/* row 3 is empty: skipped */
	assert_int_equal(r.line[2], 4);
	assert_cell(&r, 2, 0, "STT", SHEET_TEXT);
	assert_cell(&r, 2, 1, "Họ và tên", SHEET_TEXT);
	assert_cell(&r, 2, 2, "Ngày sinh", SHEET_TEXT);
	assert_cell(&r, 2, 3, "Dân tộc", SHEET_TEXT);
	assert_cell(&r, 2, 4, "Số CCCD", SHEET_TEXT);
	assert_cell(&r, 2, 5, "Chi hội", SHEET_TEXT);
	assert_cell(&r, 2, 7, "Ghi chú", SHEET_TEXT);
	/* the members */
	assert_int_equal(r.line[3], 5);
	assert_cell(&r, 3, 0, "1", SHEET_NUMBER);
	assert_cell(&r, 3, 1, "Nguyễn Thị Hoa", SHEET_TEXT);
	assert_cell(&r, 3, 2, "1980-03-05", SHEET_DATE);
	assert_cell(&r, 3, 4, "001180012345", SHEET_TEXT);
	assert_cell(&r, 3, 5, "Chi hội Thôn Đông", SHEET_TEXT);
	assert_cell(&r, 3, 6, "0912345678", SHEET_TEXT);
	assert_int_equal(r.cells[3], 7);
	/* a date typed as text; an ID number stored as a number; the branch
	 * merged down F5:F7 */
	assert_int_equal(r.line[4], 6);
	assert_cell(&r, 4, 2, "05/03/1980", SHEET_TEXT);
	assert_cell(&r, 4, 4, "14185000123", SHEET_NUMBER);
	assert_cell(&r, 4, 5, "Chi hội Thôn Đông", SHEET_TEXT);
	assert_cell(&r, 4, 6, "", SHEET_TEXT);
	assert_cell(&r, 4, 7, "số CCCD nhập là số", SHEET_TEXT);
	assert_int_equal(r.line[5], 7);
	assert_cell(&r, 5, 2, "1999-12-31", SHEET_DATE);
	assert_cell(&r, 5, 5, "Chi hội Thôn Đông", SHEET_TEXT);
	assert_int_equal(r.cells[5], 6);
	/* serial 61, the first day after Excel's false 1900-02-29 */
	assert_int_equal(r.line[6], 8);
	assert_cell(&r, 6, 2, "1900-03-01", SHEET_DATE);
	assert_cell(&r, 6, 4, "", SHEET_TEXT);
	assert_cell(&r, 6, 5, "Chi hội Thôn Tây", SHEET_TEXT);
	/* the signature lines */
	assert_int_equal(r.line[7], 10);
	assert_int_equal(r.cells[7], 7);
	assert_cell(&r, 7, 0, "", SHEET_TEXT);
	assert_cell(&r, 7, 6, "Người lập biểu", SHEET_TEXT);
	assert_int_equal(r.line[8], 11);
	assert_cell(&r, 8, 6, "(Ký, ghi rõ họ tên)", SHEET_TEXT);
	rows_free(&r);

	read_sheet(x, 1, &r);
	assert_int_equal(r.n, 2);
	assert_cell(&r, 0, 0, "Danh sách do chi hội lập", SHEET_TEXT);
	assert_cell(&r, 1, 0, "", SHEET_TEXT);
	assert_cell(&r, 1, 1, "2025", SHEET_NUMBER);
	rows_free(&r);

	/* begun again, the first sheet reads the same */
	read_sheet(x, 0, &r);
	assert_int_equal(r.n, 9);
	assert_cell(&r, 5, 5, "Chi hội Thôn Đông", SHEET_TEXT);
	rows_free(&r);
	xlsx_close(x);
}

static void reads_every_kind_of_value(void **state)
{
	xlsx_reader_t *x = open_ok(FIXTURES "types.xlsx", NULL);
	rows_t r;
	(void)state;

	assert_string_equal(xlsx_sheet_name(x, 0), "Kiểu");
	read_sheet(x, 0, &r);
	assert_int_equal(r.n, 6);
	assert_cell(&r, 0, 1, "TRUE", SHEET_BOOL);
	assert_cell(&r, 0, 2, "FALSE", SHEET_BOOL);
	/* formulas: their cached results */
	assert_cell(&r, 1, 1, "42", SHEET_NUMBER);
	assert_cell(&r, 1, 2, "Chi hội", SHEET_TEXT);
	assert_cell(&r, 1, 3, "#DIV/0!", SHEET_ERROR);
	/* rich text: the runs joined */
	assert_cell(&r, 2, 1, "Hội Liên hiệp Phụ nữ", SHEET_TEXT);
	/* a date with a time; a time alone is a number */
	assert_cell(&r, 3, 1, "2024-03-05 08:30:15", SHEET_DATE);
	assert_cell(&r, 3, 2, "0.354166666666667", SHEET_NUMBER);
	assert_cell(&r, 4, 1, "3.25", SHEET_NUMBER);
	assert_cell(&r, 4, 2, "123456789012", SHEET_NUMBER);
	assert_cell(&r, 4, 3, "-7", SHEET_NUMBER);
	assert_cell(&r, 4, 4, "0.1", SHEET_NUMBER);
	/* spaces kept; entities decoded */
	assert_cell(&r, 5, 1, " hai bên ", SHEET_TEXT);
	assert_cell(&r, 5, 2, "<b> & \"x\"", SHEET_TEXT);
	rows_free(&r);
	xlsx_close(x);
}

static void reads_the_1904_date_system(void **state)
{
	xlsx_reader_t *x = open_ok(FIXTURES "date1904.xlsx", NULL);
	rows_t r;
	(void)state;

	read_sheet(x, 0, &r);
	assert_int_equal(r.n, 3);
	assert_cell(&r, 1, 0, "1980-03-05", SHEET_DATE);
	assert_cell(&r, 1, 1, "1", SHEET_NUMBER);
	assert_cell(&r, 2, 0, "1904-01-02", SHEET_DATE);
	rows_free(&r);
	xlsx_close(x);
}

/* ---- libxlsxwriter ---- */

#if HAVE_XLSXWRITER
static void write_lxw(const char *path, bool constant_memory)
{
	lxw_workbook_options o = { .constant_memory = constant_memory, .tmpdir = tmpdir };
	lxw_workbook *wb = workbook_new_opt(path, &o);
	lxw_worksheet *ws, *ws2;
	lxw_format *date, *merge;
	lxw_datetime dt = { 1980, 3, 5, 0, 0, 0 };
	lxw_datetime dtt = { 2024, 12, 31, 23, 59, 59 };

	assert_non_null(wb);
	ws = workbook_add_worksheet(wb, "Hội viên");
	ws2 = workbook_add_worksheet(wb, "Trang 2");
	date = workbook_add_format(wb);
	format_set_num_format(date, "dd/mm/yyyy");
	merge = workbook_add_format(wb);
	format_set_align(merge, LXW_ALIGN_CENTER);
	worksheet_merge_range(ws, 0, 0, 0, 3, "Danh sách", merge);
	worksheet_write_string(ws, 1, 0, "Họ và tên", NULL);
	worksheet_write_string(ws, 1, 1, "Ngày sinh", NULL);
	worksheet_write_string(ws, 1, 2, "Số CCCD", NULL);
	worksheet_write_string(ws, 1, 3, "Đoàn viên", NULL);
	worksheet_write_string(ws, 2, 0, "Hà Thị Thu", NULL);
	worksheet_write_datetime(ws, 2, 1, &dt, date);
	worksheet_write_number(ws, 2, 2, 31180012345.0, NULL);
	worksheet_write_boolean(ws, 2, 3, 1, NULL);
	worksheet_write_string(ws, 3, 0, "hai\ndòng _x0041_", NULL);
	worksheet_write_datetime(ws, 3, 1, &dtt, date);
	worksheet_write_formula_num(ws, 3, 2, "=1+1", NULL, 2);
	worksheet_write_string(ws2, 4, 2, "C5", NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void reads_libxlsxwriter(void **state)
{
	char path[512];
	(void)state;

	for (int cm = 0; cm <= 1; cm++) {
		xlsx_reader_t *x;
		rows_t r;

		tmp_path(path, sizeof(path), cm ? "lxw-cm.xlsx" : "lxw.xlsx");
		write_lxw(path, cm);
		x = open_ok(path, NULL);
		assert_int_equal(xlsx_sheet_count(x), 2);
		assert_string_equal(xlsx_sheet_name(x, 0), "Hội viên");
		read_sheet(x, 0, &r);
		assert_int_equal(r.n, 4);
		assert_int_equal(r.line[0], 1);
		assert_int_equal(r.cells[0], 4);
		assert_cell(&r, 0, 0, "Danh sách", SHEET_TEXT);
		assert_cell(&r, 0, 3, "Danh sách", SHEET_TEXT);
		assert_cell(&r, 1, 3, "Đoàn viên", SHEET_TEXT);
		assert_cell(&r, 2, 0, "Hà Thị Thu", SHEET_TEXT);
		assert_cell(&r, 2, 1, "1980-03-05", SHEET_DATE);
		assert_cell(&r, 2, 2, "31180012345", SHEET_NUMBER);
		assert_cell(&r, 2, 3, "TRUE", SHEET_BOOL);
		/* libxlsxwriter 1.1 writes "_x0041_" as it is, which Excel (and
		 * so the reader) shows as "A" */
		assert_cell(&r, 3, 0, "hai\ndòng A", SHEET_TEXT);
		assert_cell(&r, 3, 1, "2024-12-31 23:59:59", SHEET_DATE);
		assert_cell(&r, 3, 2, "2", SHEET_NUMBER);
		rows_free(&r);
		read_sheet(x, 1, &r);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.line[0], 5);
		assert_int_equal(r.cells[0], 3);
		assert_cell(&r, 0, 2, "C5", SHEET_TEXT);
		rows_free(&r);
		xlsx_close(x);
		unlink(path);
	}
}

/* Past XLSX_SST_MEMORY the shared strings go to a temporary file. */
static void many_shared_strings_spill_to_a_file(void **state)
{
	char path[512], want[64];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	xlsx_reader_t *x;
	sheet_row_t row;
	err_t e;
	size_t n = 0;
	const size_t rows = 110000; /* 110,000 strings of about 90 bytes: 10 MB */
	(void)state;

	tmp_path(path, sizeof(path), "many.xlsx");
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, NULL);
	for (size_t i = 0; i < rows; i++) {
		char s[128];
		snprintf(s, sizeof(s), "Nguyễn Thị Hội Viên Số %zu, thôn Đông, xã Bình An, huyện Tây Sơn %zu", i, i * 7);
		worksheet_write_string(ws, (lxw_row_t)i, 0, s, NULL);
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	x = open_ok(path, NULL);
	err_clear(&e);
	assert_int_equal(xlsx_begin_sheet(x, 0, &e), 0);
	while (xlsx_next_row(x, &row, &e) == 1) {
		snprintf(want, sizeof(want), "Nguyễn Thị Hội Viên Số %zu, ", n);
		assert_int_equal(row.line, n + 1);
		assert_memory_equal(row.cells[0], want, strlen(want));
		n++;
	}
	assert_int_equal(e.kind, ERR_NONE);
	assert_int_equal(n, rows);
	xlsx_close(x);
	unlink(path);
}

/* Past 262,144 strings (SST_INDEX_MEMORY) the index of where each string
 * starts goes to a file too: here 296,000 short strings (the index's
 * buffer written by itself past 294,912), then 4,000 of 2 KiB (the text
 * past 8 MiB goes to its file, both buffers written together). Cells read
 * them in the table's order (the first sheet) and out of it (the second:
 * across the boundary, backwards, a window away, the last string). */
#define MANY_SHORT 296000

static const char *many_string(char *buf, size_t size, size_t i)
{
	int n = snprintf(buf, size, "hv%zu", i);

	if (i >= MANY_SHORT)
		for (size_t k = (size_t)n; k < 2048 && k + 1 < size; k++, n++)
			buf[k] = (char)('a' + (i + k) % 26);
	buf[n] = '\0';
	return buf;
}

static void the_index_of_very_many_strings_goes_to_a_file(void **state)
{
	static const size_t jumps[] = { 262143, 262144, 0, 299999, 262145, 100000, 262144 + 8191, 262144 + 8192,
					262144 + 8190, 262144 + 16389, 1, 262144, 299998, 262144 + 32768, 250000,
					MANY_SHORT - 1, MANY_SHORT, 297000, 296500 };
	char path[512], want[2100];
	lxw_workbook *wb;
	lxw_worksheet *ws, *ws2;
	xlsx_reader_t *x;
	sheet_row_t row;
	err_t e;
	size_t n = 0;
	const size_t rows = 300000;
	(void)state;

	tmp_path(path, sizeof(path), "index.xlsx");
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, NULL);
	ws2 = workbook_add_worksheet(wb, NULL);
	for (size_t i = 0; i < rows; i++)
		worksheet_write_string(ws, (lxw_row_t)i, 0, many_string(want, sizeof(want), i), NULL);
	for (size_t i = 0; i < sizeof(jumps) / sizeof(*jumps); i++)
		worksheet_write_string(ws2, (lxw_row_t)i, 0, many_string(want, sizeof(want), jumps[i]), NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	x = open_ok(path, NULL);
	err_clear(&e);
	assert_int_equal(xlsx_begin_sheet(x, 0, &e), 0);
	while (xlsx_next_row(x, &row, &e) == 1) {
		assert_string_equal(row.cells[0], many_string(want, sizeof(want), n));
		n++;
	}
	assert_int_equal(e.kind, ERR_NONE);
	assert_int_equal(n, rows);
	n = 0;
	assert_int_equal(xlsx_begin_sheet(x, 1, &e), 0);
	while (xlsx_next_row(x, &row, &e) == 1) {
		assert_string_equal(row.cells[0], many_string(want, sizeof(want), jumps[n]));
		n++;
	}
	assert_int_equal(e.kind, ERR_NONE);
	assert_int_equal(n, sizeof(jumps) / sizeof(*jumps));
	xlsx_close(x);
	unlink(path);
}
#endif

/* ---- shapes other writers use ---- */

static void reads_prefixed_elements_and_absolute_targets(void **state)
{
	/* Excel's strict-conformance habit and some generators: a prefixed
	 * namespace, part names from the package root, capitals in the name */
	static const char root[] = "<Relationships " REL_NS "><Relationship Id=\"R1\" Type=\"" REL_TYPE
				   "officeDocument\" Target=\"/xl/Workbook.xml\"/></Relationships>";
	static const char wb[] = "<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
				 "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
				 "<x:workbookPr date1904=\"1\"/><x:sheets>"
				 "<x:sheet name=\"Một\" sheetId=\"1\" r:id=\"R9\"/>"
				 "<x:sheet name=\"Hai\" sheetId=\"2\" r:id=\"R2\"/>"
				 "<x:sheet name=\"Mất\" sheetId=\"3\" r:id=\"R7\"/></x:sheets></x:workbook>";
	static const char rels[] = "<Relationships " REL_NS ">"
				   "<Relationship Id=\"R2\" Type=\"" REL_TYPE "worksheet\" Target=\"/xl/ws/b.xml\"/>"
				   "<Relationship Id=\"R9\" Type=\"" REL_TYPE "worksheet\" Target=\"./ws/../ws/a.xml\"/>"
				   "<Relationship Id=\"R7\" Type=\"" REL_TYPE "worksheet\" Target=\"ws/none.xml\"/>"
				   "<Relationship Id=\"R3\" Type=\"" REL_TYPE "hyperlink\" Target=\"http://x/\" TargetMode=\"External\"/>"
				   "</Relationships>";
	static const char a[] = "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
				"<x:sheetData><x:row r=\"2\"><x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>một</x:t></x:is></x:c>"
				"<x:c r=\"C2\"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>";
	static const char b[] = "<worksheet " NS "><sheetData><row><c t=\"inlineStr\"><is><t>hai</t></is></c></row>"
				"</sheetData></worksheet>";
	const part_t parts[] = {
		{ "_rels/.rels", root, 0, false },
		{ "xl/Workbook.xml", wb, 0, false },
		{ "xl/_rels/Workbook.xml.rels", rels, 0, false },
		{ "xl/ws/a.xml", a, 0, false },
		{ "xl/ws/b.xml", b, 0, false },
	};
	char path[512];
	xlsx_reader_t *x;
	rows_t r;
	err_t e;
	(void)state;

	tmp_path(path, sizeof(path), "prefixed.xlsx");
	write_zip(path, parts, sizeof(parts) / sizeof(parts[0]));
	x = open_ok(path, NULL);
	assert_int_equal(xlsx_sheet_count(x), 3);
	assert_string_equal(xlsx_sheet_name(x, 0), "Một");
	read_sheet(x, 0, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.line[0], 2);
	assert_cell(&r, 0, 0, "", SHEET_TEXT);
	assert_cell(&r, 0, 1, "một", SHEET_TEXT);
	assert_cell(&r, 0, 2, "0", SHEET_NUMBER);
	rows_free(&r);
	read_sheet(x, 1, &r);
	assert_int_equal(r.line[0], 1);
	assert_cell(&r, 0, 0, "hai", SHEET_TEXT);
	rows_free(&r);
	/* a sheet whose part is missing; an index that is no sheet */
	err_clear(&e);
	assert_int_equal(xlsx_begin_sheet(x, 2, &e), -1);
	assert_string_equal(e.code, "xlsx_missing_part");
	assert_string_equal(param_str(&e, "sheet"), "Mất");
	assert_string_equal(param_str(&e, "part"), "xl/ws/none.xml");
	err_clear(&e);
	assert_int_equal(xlsx_begin_sheet(x, 3, &e), -1);
	assert_string_equal(e.code, "xlsx_no_sheet");
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	xlsx_close(x);
	unlink(path);
}

static void reads_inline_and_shared_strings_and_escapes(void **state)
{
	static const char sst[] =
		"<sst " NS " count=\"4\" uniqueCount=\"4\">"
		"<si><t>Hà Nội</t></si>"
		"<si><r><rPr><b/></rPr><t>Chi </t></r><r><t xml:space=\"preserve\">hội </t></r><r><t>1</t></r>"
		"<rPh sb=\"0\" eb=\"1\"><t>ちかい</t></rPh><phoneticPr fontId=\"1\"/></si>"
		"<si><t>a_x000D__x000A_b _x005F_x0041_ _xD800_ _x0000_ _x00e9_ _x20AC_ _xZZZZ_</t></si>"
		"<si><t/></si></sst>";
	rows_t r;
	(void)state;

	read_rows("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v> 2 </v></c>"
		  "<c t=\"s\"><v>3</v></c><c t=\"inlineStr\"><is><r><t>in</t></r><r><t>line</t></r>"
		  "<rPh><t>x</t></rPh></is></c></row>"
		  "<row><c r=\"C2\" t=\"str\"><f>A1&amp;\"!\"</f><v>Hà Nội!</v></c><c t=\"e\"><v>#N/A</v></c>"
		  "<c t=\"b\"><v>0</v></c><c t=\"d\"><v>2024-02-29T00:00:00</v></c>"
		  "<c t=\"d\"><v>2024-02-29T13:05:09.000</v></c><c t=\"d\"><v>2023-02-29</v></c></row>",
		  "", sst, NULL, &r);
	assert_int_equal(r.n, 2);
	assert_cell(&r, 0, 0, "Hà Nội", SHEET_TEXT);
	assert_cell(&r, 0, 1, "Chi hội 1", SHEET_TEXT);
	assert_cell(&r, 0, 2, "a\r\nb _x0041_ _xD800_ _x0000_ é € _xZZZZ_", SHEET_TEXT);
	assert_cell(&r, 0, 3, "", SHEET_TEXT);
	assert_cell(&r, 0, 4, "inline", SHEET_TEXT);
	assert_int_equal(r.line[1], 2);
	assert_cell(&r, 1, 1, "", SHEET_TEXT);
	assert_cell(&r, 1, 2, "Hà Nội!", SHEET_TEXT);
	assert_cell(&r, 1, 3, "#N/A", SHEET_ERROR);
	assert_cell(&r, 1, 4, "FALSE", SHEET_BOOL);
	assert_cell(&r, 1, 5, "2024-02-29", SHEET_DATE);
	assert_cell(&r, 1, 6, "2024-02-29 13:05:09", SHEET_DATE);
	assert_cell(&r, 1, 7, "2023-02-29", SHEET_TEXT); /* not a day: as written */
	rows_free(&r);
}

static void reads_numbers_and_dates_by_their_style(void **state)
{
	rows_t r;
	(void)state;

	read_rows(
		/* row 1: numbers in General */
		"<row r=\"1\"><c><v>1E+15</v></c><c><v>123456789012</v></c><c><v>-0</v></c>"
		"<c><v>0.30000000000000004</v></c><c><v>1e-5</v></c><c><v>99999999999999</v></c><c><v>nan</v></c></row>"
		/* row 2: the 1900 system's edges, in a custom date format */
		"<row r=\"2\"><c s=\"1\"><v>1</v></c><c s=\"1\"><v>59</v></c><c s=\"1\"><v>60</v></c><c s=\"1\"><v>61</v></c>"
		"<c s=\"1\"><v>0</v></c><c s=\"1\"><v>2958465</v></c><c s=\"1\"><v>2958466</v></c><c s=\"1\"><v>-1</v></c>"
		"<c s=\"2\"><v>45356.5</v></c><c s=\"2\"><v>45356.99999999</v></c></row>"
		/* row 3: formats that are not dates, and ones that are */
		"<row r=\"3\"><c s=\"3\"><v>0.5</v></c><c s=\"4\"><v>45356</v></c><c s=\"5\"><v>45356</v></c>"
		"<c s=\"6\"><v>0.5</v></c><c s=\"7\"><v>45356.25</v></c><c s=\"8\"><v>0.5</v></c><c s=\"9\"><v>45356</v></c>"
		"<c s=\"10\"><v>1.5</v></c><c s=\"11\"><v>45356</v></c><c s=\"12\"><v>45356</v></c><c s=\"13\"><v>45356</v></c>"
		"<c s=\"14\"><v>0.5</v></c><c s=\"99\"><v>45356</v></c></row>",
		"", NULL, NULL, &r);
	assert_int_equal(r.n, 3);
	assert_cell(&r, 0, 0, "1e+15", SHEET_NUMBER);
	assert_cell(&r, 0, 1, "123456789012", SHEET_NUMBER);
	assert_cell(&r, 0, 2, "0", SHEET_NUMBER);
	assert_cell(&r, 0, 3, "0.3", SHEET_NUMBER);
	assert_cell(&r, 0, 4, "1e-05", SHEET_NUMBER);
	assert_cell(&r, 0, 5, "99999999999999", SHEET_NUMBER);
	assert_cell(&r, 0, 6, "nan", SHEET_TEXT); /* not a number: as written */
	assert_cell(&r, 1, 0, "1900-01-01", SHEET_DATE);
	assert_cell(&r, 1, 1, "1900-02-28", SHEET_DATE);
	assert_cell(&r, 1, 2, "1900-02-29", SHEET_DATE); /* Excel's day that never was */
	assert_cell(&r, 1, 3, "1900-03-01", SHEET_DATE);
	assert_cell(&r, 1, 4, "0", SHEET_NUMBER); /* Excel's 1900-01-00 */
	assert_cell(&r, 1, 5, "9999-12-31", SHEET_DATE);
	assert_cell(&r, 1, 6, "2958466", SHEET_NUMBER);
	assert_cell(&r, 1, 7, "-1", SHEET_NUMBER);
	assert_cell(&r, 1, 8, "2024-03-05 12:00:00", SHEET_DATE);
	assert_cell(&r, 1, 9, "2024-03-06", SHEET_DATE); /* rounded to the second */
	assert_cell(&r, 2, 0, "0.5", SHEET_NUMBER);      /* h:mm:ss */
	assert_cell(&r, 2, 1, "45356", SHEET_NUMBER);    /* [Red]0.00 */
	assert_cell(&r, 2, 2, "45356", SHEET_NUMBER);    /* "d"0 */
	assert_cell(&r, 2, 3, "0.5", SHEET_NUMBER);      /* mm:ss: minutes */
	assert_cell(&r, 2, 4, "2024-03-05 06:00:00", SHEET_DATE); /* yyyy-mm-dd hh:mm */
	assert_cell(&r, 2, 5, "0.5", SHEET_NUMBER);      /* built-in 20, h:mm */
	assert_cell(&r, 2, 6, "2024-03-05", SHEET_DATE); /* built-in 22 */
	assert_cell(&r, 2, 7, "1.5", SHEET_NUMBER);      /* [h]:mm */
	assert_cell(&r, 2, 8, "2024-03-05", SHEET_DATE); /* mmm: a month */
	assert_cell(&r, 2, 9, "45356", SHEET_NUMBER);    /* 0\d */
	assert_cell(&r, 2, 10, "2024-03-05", SHEET_DATE); /* yy */
	assert_cell(&r, 2, 11, "0.5", SHEET_NUMBER);     /* h:mm AM/PM */
	assert_cell(&r, 2, 12, "45356", SHEET_NUMBER);   /* a style that is not in the table */
	rows_free(&r);
}

static void follows_cells_and_rows_without_references(void **state)
{
	rows_t r;
	(void)state;

	read_rows("<row><c t=\"inlineStr\"><is><t>a</t></is></c><c/><c t=\"inlineStr\"><is><t>c</t></is></c></row>"
		  "<row r=\"5\"><c r=\"D5\"><v>4</v></c><c><v>5</v></c><c r=\"B5\"><v>2</v></c></row>"
		  "<row><c r=\"A6\" s=\"0\"/><c r=\"B6\"><v></v></c></row>" /* nothing: skipped */
		  "<row><c r=\"C7\"><v>3</v></c></row>",
		  "", NULL, NULL, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.line[0], 1);
	assert_int_equal(r.cells[0], 3);
	assert_cell(&r, 0, 0, "a", SHEET_TEXT);
	assert_cell(&r, 0, 1, "", SHEET_TEXT);
	assert_cell(&r, 0, 2, "c", SHEET_TEXT);
	assert_int_equal(r.line[1], 5);
	assert_int_equal(r.cells[1], 5);
	assert_cell(&r, 1, 0, "", SHEET_TEXT);
	assert_cell(&r, 1, 1, "2", SHEET_NUMBER);
	assert_cell(&r, 1, 3, "4", SHEET_NUMBER);
	assert_cell(&r, 1, 4, "5", SHEET_NUMBER);
	assert_int_equal(r.line[2], 7);
	assert_cell(&r, 2, 2, "3", SHEET_NUMBER);
	rows_free(&r);
}

static void fills_merged_ranges(void **state)
{
	sheet_limits_t lim = SHEET_LIMITS_DEFAULT;
	rows_t r;
	(void)state;

	/* a branch merged down A2:A4 (row 3 not in the file at all), a
	 * title across A1:E1 read with max_columns 3, a range whose top row
	 * is missing (C6:C7), a number merged across B2:C2 */
	lim.max_columns = 3;
	read_rows("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Tiêu đề</t></is></c></row>"
		  "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Chi hội 1</t></is></c><c r=\"B2\"><v>7</v></c>"
		  "<c r=\"C2\"><v>99</v></c></row>"
		  "<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
		  "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>Chi hội 2</t></is></c></row>"
		  "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>y</t></is></c></row>",
		  "<mergeCells count=\"4\"><mergeCell ref=\"A2:A4\"/><mergeCell ref=\"A1:E1\"/>"
		  "<mergeCell ref=\"B2:C2\"/><mergeCell ref=\"C6:C7\"/><mergeCell ref=\"D9\"/>"
		  "<mergeCell ref=\"F1:G9\"/></mergeCells>",
		  NULL, &lim, &r);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.cells[0], 3);
	assert_cell(&r, 0, 2, "Tiêu đề", SHEET_TEXT);
	assert_cell(&r, 1, 0, "Chi hội 1", SHEET_TEXT);
	assert_cell(&r, 1, 2, "7", SHEET_NUMBER); /* the hidden 99 is not what shows */
	assert_int_equal(r.line[2], 4);
	assert_cell(&r, 2, 0, "Chi hội 1", SHEET_TEXT);
	assert_cell(&r, 2, 1, "x", SHEET_TEXT);
	assert_cell(&r, 3, 0, "Chi hội 2", SHEET_TEXT);
	assert_int_equal(r.cells[4], 1); /* C7: the top-left C6 is empty */
	rows_free(&r);
}

/* A one-sheet workbook of sheet XML `xml` read into r; whether its
 * merged ranges were found without parsing its rows into *scanned. */
static void read_sheet_xml(const char *xml, rows_t *r, bool *scanned)
{
	char path[512];
	xlsx_reader_t *x;

	write_book(path, sizeof(path), "scan.xlsx", xml, NULL);
	x = open_ok(path, NULL);
	read_sheet(x, 0, r);
	*scanned = xlsx_merges_scanned(x);
	xlsx_close(x);
	unlink(path);
}

/* Row 1's A1 "đầu" merged across A1:C1 (C1 holds it when the range is
 * read; `merged` false: when it is not) and a row 2 of "x": what each
 * sheet below must give, by the short way when `scan`. */
static void assert_merged(const char *xml, bool merged, bool scan, const char *what)
{
	bool scanned = false;
	rows_t r;

	read_sheet_xml(xml, &r, &scanned);
	if (r.n != 2 || r.cells[0] != (merged ? 3 : 1))
		fail_msg("%s: %zu rows, %zu cells in the first", what, r.n, r.n ? r.cells[0] : 0);
	if (merged)
		assert_cell(&r, 0, 2, "đầu", SHEET_TEXT);
	assert_cell(&r, 1, 0, "x", SHEET_TEXT);
	if (scanned != scan)
		fail_msg("%s: the ranges %s", what, scanned ? "found by the scan" : "found by parsing the whole sheet");
	rows_free(&r);
}

#define ROW1 "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>đầu</t></is></c></row>"
#define ROW2 "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
#define MERGE "<mergeCells count=\"1\"><mergeCell ref=\"A1:C1\"/></mergeCells>"

/* The merged ranges are found past the rows without parsing them
 * (xlsx_reader.c, "The first pass"), or by parsing the whole sheet when
 * it is written out of the common way: either way the ranges the whole
 * sheet's parse finds (differences a review found between the two). */
static void finds_merged_ranges_however_the_sheet_is_written(void **state)
{
	static const struct {
		const char *xml;
		bool merged, scan;
		const char *what;
	} sheets[] = {
		{ "<?xml version=\"1.0\"?><worksheet " NS "><sheetData>" ROW1 ROW2 "</sheetData>" MERGE "</worksheet>",
		  true, true, "plain" },
		{ "\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n<worksheet " NS ">\r\n<sheetData>" ROW1 ROW2 "</sheetData>\r\n" MERGE
		  "</worksheet>",
		  true, true, "a BOM, CRLF" },
		{ "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x:sheetData a=\"1>2\">"
		  ROW1 ROW2 "</x:sheetData \n>" MERGE "</x:worksheet>",
		  true, true, "prefixed, an attribute with '>', blanks in the end tag" },
		{ "<worksheet " NS ">" MERGE "<sheetData>" ROW1 ROW2 "</sheetData></worksheet>", true, true,
		  "ranges before the rows" },
		{ "<worksheet " NS "><sheetData><sheetDataX/>" ROW1
		  "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t><![CDATA[x]]></t></is></c></row>"
		  "</sheetData>" MERGE "</worksheet>",
		  true, true, "markup in the rows that looks like their end" },
		{ "<worksheet " NS "><!-- <sheetData> --><sheetData>" ROW1 ROW2 "</sheetData>" MERGE "</worksheet>", true,
		  false, "a comment before the rows" },
		{ "<worksheet " NS "><sheetData>" ROW1 ROW2 "</sheetData>" MERGE "<!-- </sheetData> --></worksheet>", true,
		  false, "an end tag in a comment after the rows" },
		{ "<worksheet " NS "><sheetData>" ROW1 ROW2 "</sheetData>" MERGE "<?x </sheetData>?></worksheet>", true,
		  false, "an end tag in an instruction after the rows" },
		{ "<worksheet " NS "><sheetData>" ROW1 ROW2 "</sheetData><!-- </sheetData>" MERGE "--></worksheet>", false,
		  false, "ranges in a comment" },
		{ "<worksheet " NS "><sheetData>" ROW1 ROW2 MERGE "</sheetData></worksheet>", true, false,
		  "ranges among the rows" },
		{ "<worksheet " NS "><sheetData>" ROW1 ROW2 "</sheetData>" MERGE "<sheetData/></worksheet>", true, false,
		  "a second sheetData" },
		{ "<worksheet " NS "><sheetData>" ROW1 ROW2 "</sheetData                 >" MERGE "</worksheet>", true,
		  false, "many blanks in the end tag" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(sheets) / sizeof(sheets[0]); i++)
		assert_merged(sheets[i].xml, sheets[i].merged, sheets[i].scan, sheets[i].what);
}

/* A fault the short document meets is reported by the whole sheet's
 * parse, with the line it is on. */
static void reports_a_fault_after_the_rows_on_its_line(void **state)
{
	char xml[4096], *p = xml;
	err_t e;
	(void)state;

	p += sprintf(p, "<worksheet " NS "><sheetData>\n");
	for (int i = 1; i <= 10; i++)
		p += sprintf(p, "<row r=\"%d\"><c><v>%d</v></c></row>\n", i, i);
	p += sprintf(p, "</sheetData>\n");
	for (int i = 0; i < XLSX_MAX_DEPTH + 6; i++)
		p += sprintf(p, "<a>");
	p += sprintf(p, "\n</worksheet>");
	e = refused_rows_xml(xml, "xlsx_too_deep");
	assert_int_equal(param_int(&e, "line"), 13);
}

/* The rows' end tag cut by the 64 KiB the first pass reads at a time,
 * at each of its bytes. */
static void finds_merged_ranges_across_reads(void **state)
{
	static const char head[] = "<worksheet " NS "><sheetData>" ROW1 ROW2;
	static const char end[] = "</sheetData>";
	const size_t chunk = 65536;
	(void)state;

	for (size_t cut = 0; cut <= sizeof(end); cut++) {
		/* blanks between the rows put the end tag at chunk - cut */
		size_t fill = chunk - cut - (sizeof(head) - 1);
		size_t n = chunk + 256;
		char *xml = malloc(n);
		int w;

		assert_non_null(xml);
		w = snprintf(xml, n, "%s%*s%s%s</worksheet>", head, (int)fill, "", end, MERGE);
		assert_true(w > 0 && (size_t)w < n);
		assert_int_equal(strstr(xml, end) - xml, (long)(chunk - cut));
		assert_merged(xml, true, true, "the end tag across two reads");
		free(xml);
	}
}

/* ---- refusals ---- */

static void refuses_what_is_not_a_workbook(void **state)
{
	static const char csv[] = "STT,Họ và tên\n1,Nguyễn Thị Hoa\n";
	const part_t ods[] = { { "mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0, true },
			       { "content.xml", "<x/>", 0, false } };
	char path[512];
	err_t e;
	(void)state;

	refused_bytes(csv, sizeof(csv) - 1, "xlsx_not_a_workbook");
	refused_bytes("", 0, "xlsx_not_a_workbook");
	/* a zip without a workbook; a zip cut short */
	tmp_path(path, sizeof(path), "ods.xlsx");
	write_zip(path, ods, 2);
	refused_path(path, NULL, "xlsx_not_a_workbook");
	{
		FILE *f = fopen(path, "rb");
		char buf[200];
		size_t n;
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		refused_bytes(buf, n < 100 ? n : 100, "xlsx_not_a_workbook");
	}
	unlink(path);
	e = refused_path("/nonexistent/x.xlsx", NULL, "xlsx_cannot_open");
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(param_str(&e, "path"), "/nonexistent/x.xlsx");
}

/* An OLE compound file with one directory sector naming streams[]. */
static void refuses_ole(const char *const *streams, const char *code)
{
	unsigned char f[1024];

	memset(f, 0, sizeof(f));
	memcpy(f, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
	f[0x1E] = 9;                   /* 512-byte sectors */
	f[0x30] = 0;                   /* the directory starts at sector 0 */
	f[0x4C] = 0xFE;                /* no FAT sector listed */
	f[0x4D] = f[0x4E] = f[0x4F] = 0xFF;
	for (size_t i = 0; streams[i]; i++) {
		unsigned char *ent = f + 512 + 128 * i;
		size_t n = strlen(streams[i]);
		for (size_t k = 0; k < n; k++)
			ent[2 * k] = (unsigned char)streams[i][k];
		ent[64] = (unsigned char)((n + 1) * 2);
	}
	refused_bytes(f, sizeof(f), code);
}

static void refuses_encrypted_and_old_files(void **state)
{
	static const char *const encrypted[] = { "Root Entry", "\x06" "DataSpaces", "EncryptionInfo", "EncryptedPackage", NULL };
	static const char *const xls[] = { "Root Entry", "Workbook", "\x05SummaryInformation", NULL };
	static const char *const doc[] = { "Root Entry", "WordDocument", NULL };
	(void)state;

	refuses_ole(encrypted, "xlsx_encrypted");
	refuses_ole(xls, "xlsx_old_format");
	refuses_ole(doc, "xlsx_old_format");
}

static void refuses_malformed_xml_and_doctypes(void **state)
{
	err_t e;
	(void)state;

	e = refused_rows("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>\n<row r=\"2\"><c></row>", "", NULL, NULL,
			 "xlsx_bad_xml");
	assert_int_equal(param_int(&e, "line"), 2);
	assert_string_equal(param_str(&e, "part"), "xl/worksheets/sheet1.xml");
	/* a billion laughs in the sheet, and in the shared strings */
	{
		char path[512];
		static const char bomb[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
					   "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n"
					   "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row>"
					   "</sheetData></worksheet>";
		static const char sst_bomb[] = "<?xml version=\"1.0\"?>\n\n<!DOCTYPE sst [<!ENTITY a \"aaaa\">]><sst/>";
		write_book(path, sizeof(path), "bomb.xlsx", bomb, NULL);
		e = refused_path(path, NULL, "xlsx_doctype");
		assert_int_equal(param_int(&e, "line"), 2);
		assert_string_equal(param_str(&e, "part"), "xl/worksheets/sheet1.xml");
		write_book(path, sizeof(path), "bomb.xlsx", "<worksheet/>", sst_bomb);
		e = refused_path(path, NULL, "xlsx_doctype");
		assert_int_equal(param_int(&e, "line"), 3);
		assert_string_equal(param_str(&e, "part"), "xl/sharedStrings.xml");
		unlink(path);
	}
	/* nested deeper than XLSX_MAX_DEPTH */
	{
		char deep[100 * 7 + 1] = "";
		for (int i = 0; i < 100; i++)
			strcat(deep, "<a>");
		e = refused_rows(deep, "", NULL, NULL, "xlsx_too_deep");
		assert_int_equal(param_int(&e, "max"), XLSX_MAX_DEPTH);
		assert_int_equal(param_int(&e, "line"), 1);
	}
}

static void refuses_values_beyond_the_bounds(void **state)
{
	sheet_limits_t lim = SHEET_LIMITS_DEFAULT;
	static const char sst[] = "<sst " NS "><si><t>0123456789</t></si><si><t>01234567890</t></si></sst>";
	err_t e;
	(void)state;

	/* a value past max_columns */
	e = refused_rows("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"XFD2\"><v>1</v></c></row>", "",
			 NULL, NULL, "xlsx_too_many_columns");
	assert_int_equal(param_int(&e, "line"), 2);
	assert_int_equal(param_int(&e, "column"), 16384);
	assert_int_equal(param_int(&e, "max"), 1024);
	assert_string_equal(param_str(&e, "sheet"), "Trang 1");
	/* a cell over max_cell: inline, shared, a number */
	lim.max_cell = 10;
	e = refused_rows("<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>01234567890</t></is></c></row>", "", NULL, &lim,
			 "xlsx_cell_too_long");
	assert_int_equal(param_int(&e, "line"), 3);
	assert_int_equal(param_int(&e, "column"), 2);
	assert_int_equal(param_int(&e, "max"), 10);
	e = refused_rows("<row r=\"4\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>", "", sst, &lim,
			 "xlsx_cell_too_long");
	assert_int_equal(param_int(&e, "line"), 4);
	assert_int_equal(param_int(&e, "column"), 2);
	e = refused_rows("<row r=\"4\"><c><v>12345678901</v></c></row>", "", NULL, &lim, "xlsx_cell_too_long");
	assert_int_equal(param_int(&e, "column"), 1);
	/* more rows than max_rows (empty rows do not count) */
	lim = SHEET_LIMITS_DEFAULT;
	lim.max_rows = 2;
	e = refused_rows("<row><c><v>1</v></c></row><row/><row><c><v>1</v></c></row><row><c><v>1</v></c></row>", "", NULL,
			 &lim, "xlsx_too_many_rows");
	assert_int_equal(param_int(&e, "line"), 4);
	assert_int_equal(param_int(&e, "max"), 2);
	/* more bytes than max_bytes */
	lim = SHEET_LIMITS_DEFAULT;
	lim.max_bytes = 2000;
	e = refused_path(FIXTURES "members-vn.xlsx", &lim, "xlsx_too_large");
	assert_int_equal(param_int(&e, "max"), 2000);
}

static void refuses_bad_references(void **state)
{
	static const char sst[] = "<sst " NS "><si><t>x</t></si></sst>";
	err_t e;
	(void)state;

	e = refused_rows("<row r=\"-1\"><c><v>1</v></c></row>", "", NULL, NULL, "xlsx_bad_reference");
	assert_string_equal(param_str(&e, "ref"), "-1");
	assert_int_equal(param_int(&e, "line"), 1);
	e = refused_rows("<row r=\"99999999999\"/>", "", NULL, NULL, "xlsx_bad_reference");
	assert_string_equal(param_str(&e, "ref"), "99999999999");
	e = refused_rows("<row r=\"1048577\"/>", "", NULL, NULL, "xlsx_bad_reference");
	e = refused_rows("<row r=\"5\"/><row r=\"3\"/>", "", NULL, NULL, "xlsx_bad_reference");
	assert_string_equal(param_str(&e, "ref"), "3");
	e = refused_rows("<row r=\"2\"><c r=\"XFE2\"><v>1</v></c></row>", "", NULL, NULL, "xlsx_bad_reference");
	assert_string_equal(param_str(&e, "ref"), "XFE2");
	assert_int_equal(param_int(&e, "line"), 2);
	e = refused_rows("<row r=\"2\"><c r=\"a2\"/></row>", "", NULL, NULL, "xlsx_bad_reference");
	e = refused_rows("<row r=\"1\"/>", "<mergeCells><mergeCell ref=\"A1:\"/></mergeCells>", NULL, NULL,
			 "xlsx_bad_reference");
	assert_string_equal(param_str(&e, "ref"), "A1:");
	/* a shared string that is not in the table */
	e = refused_rows("<row r=\"3\"><c r=\"B3\" t=\"s\"><v>1</v></c></row>", "", sst, NULL, "xlsx_bad_string_index");
	assert_int_equal(param_int(&e, "line"), 3);
	assert_int_equal(param_int(&e, "column"), 2);
	assert_string_equal(param_str(&e, "index"), "1");
	assert_int_equal(param_int(&e, "max"), 1);
	e = refused_rows("<row r=\"3\"><c t=\"s\"><v>-1</v></c></row>", "", sst, NULL, "xlsx_bad_string_index");
	e = refused_rows("<row r=\"3\"><c t=\"s\"><v>0</v></c></row>", "", NULL, NULL, "xlsx_bad_string_index");
	assert_int_equal(param_int(&e, "max"), 0);
	/* overlapping merged ranges */
	e = refused_rows("<row r=\"1\"><c><v>1</v></c></row>", "<mergeCells><mergeCell ref=\"A1:B2\"/><mergeCell ref=\"B1:C2\"/></mergeCells>",
			 NULL, NULL, "xlsx_overlapping_merges");
	assert_int_equal(param_int(&e, "line"), 1);
	assert_int_equal(param_int(&e, "column"), 2);
}

static void refuses_too_many_merges_strings_and_styles(void **state)
{
	const size_t n = XLSX_MAX_MERGES + 1;
	char *merges = malloc(n * 40 + 64), *p = merges;
	sheet_limits_t lim = SHEET_LIMITS_DEFAULT;
	err_t e;
	(void)state;

	assert_non_null(merges);
	p += sprintf(p, "<mergeCells>");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "<mergeCell ref=\"A%zu:B%zu\"/>", i % 1000000 + 1, i % 1000000 + 1);
	sprintf(p, "</mergeCells>");
	e = refused_rows("<row r=\"1\"><c><v>1</v></c></row>", merges, NULL, NULL, "xlsx_too_many_merges");
	assert_int_equal(param_int(&e, "max"), XLSX_MAX_MERGES);
	free(merges);
	/* more shared strings than max_rows * max_columns cells */
	lim.max_rows = 2;
	lim.max_columns = 2;
	e = refused_rows("<row r=\"1\"/>", "", "<sst><si><t>1</t></si><si/><si/><si/><si/></sst>", &lim,
			 "xlsx_too_many_strings");
	assert_int_equal(param_int(&e, "max"), 4);
}

static void refuses_zip_bombs(void **state)
{
	const size_t n = 24 * 1024 * 1024;
	char *big = malloc(n + 256), path[512];
	err_t e;
	(void)state;

	assert_non_null(big);
	/* 24 MB of empty rows packs about 700 to 1 */
	strcpy(big, "<worksheet><sheetData>");
	for (size_t k = strlen(big); k + 6 < n; k += 6)
		memcpy(big + k, "<row/>", 6);
	strcpy(big + n - n % 6, "</sheetData></worksheet>");
	write_book(path, sizeof(path), "bomb.xlsx", big, NULL);
	e = refused_path(path, NULL, "xlsx_too_large");
	assert_int_equal(param_int(&e, "max"), XLSX_MAX_RATIO);
	assert_string_equal(param_str(&e, "part"), "xl/worksheets/sheet1.xml");
	/* a tag longer than expat's budget, stored (no compression) */
	{
		const part_t parts[] = {
			{ "_rels/.rels", ROOT_RELS, 0, false },
			{ "xl/workbook.xml", WORKBOOK, 0, false },
			{ "xl/_rels/workbook.xml.rels", WB_RELS, 0, false },
			{ "xl/worksheets/sheet1.xml", big, 0, true },
		};
		srand(1);
		strcpy(big, "<worksheet a=\"");
		for (size_t k = strlen(big); k < n; k++)
			big[k] = (char)('a' + rand() % 26);
		strcpy(big + n, "\"/>");
		write_zip(path, parts, 4);
		e = refused_path(path, NULL, "xlsx_too_large");
		assert_int_equal(param_int(&e, "max"), XLSX_XML_MEMORY);
		assert_int_equal(param_int(&e, "line"), 1);
	}
	unlink(path);
	free(big);
}

/* A million empty cells cost time linear in their bytes, and nothing
 * else: no refusal, no column kept. */
static void ignores_a_million_empty_cells(void **state)
{
	const size_t n = 1000000;
	char *rows = malloc(n * 4 + 256), *p = rows;
	rows_t r;
	clock_t t0 = clock();
	(void)state;

	assert_non_null(rows);
	p += sprintf(p, "<row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c>");
	for (size_t i = 0; i < n; i++) {
		memcpy(p, "<c/>", 4);
		p += 4;
	}
	sprintf(p, "<c r=\"XFD1\" s=\"1\"/></row><row r=\"2\"><c r=\"B2\"><v>1</v></c></row>");
	read_rows(rows, "", NULL, NULL, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.cells[0], 1);
	assert_int_equal(r.cells[1], 2);
	rows_free(&r);
	free(rows);
	/* well under a second without sanitizers; generous with them */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 20.0);
}

static void refuses_damaged_data_and_huge_directories(void **state)
{
	char path[512];
	unsigned char *buf;
	long len;
	FILE *f;
	err_t e;
	const char *hit;
	(void)state;

	/* a stored sheet with one byte changed: its CRC fails */
	{
		static const char sheet[] = "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>MARKER</t></is></c></row>"
					    "</sheetData></worksheet>";
		const part_t parts[] = {
			{ "_rels/.rels", ROOT_RELS, 0, false },
			{ "xl/workbook.xml", WORKBOOK, 0, false },
			{ "xl/_rels/workbook.xml.rels", WB_RELS, 0, false },
			{ "xl/worksheets/sheet1.xml", sheet, 0, true },
		};
		tmp_path(path, sizeof(path), "crc.xlsx");
		write_zip(path, parts, 4);
	}
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	hit = NULL;
	for (long i = 0; i + 6 <= len && !hit; i++)
		if (memcmp(buf + i, "MARKER", 6) == 0)
			hit = (const char *)buf + i;
	assert_non_null(hit);
	buf[hit - (const char *)buf] = 'N';
	e = refused_bytes(buf, (size_t)len, "xlsx_bad_zip");
	assert_string_equal(param_str(&e, "part"), "xl/worksheets/sheet1.xml");
	/* a central directory that claims 30,000 entries */
	buf[hit - (const char *)buf] = 'M';
	for (long i = len - 22; i >= 0; i--)
		if (memcmp(buf + i, "PK\5\6", 4) == 0) {
			buf[i + 10] = 30000 & 0xFF;
			buf[i + 11] = 30000 >> 8;
			break;
		}
	e = refused_bytes(buf, (size_t)len, "xlsx_too_large");
	assert_int_equal(param_int(&e, "max"), XLSX_MAX_ENTRIES);
	free(buf);
	unlink(path);
}

static void calls_out_of_order(void **state)
{
	xlsx_reader_t *x = open_ok(FIXTURES "date1904.xlsx", NULL);
	sheet_row_t row;
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(xlsx_next_row(x, &row, &e), -1);
	assert_string_equal(e.code, "xlsx_no_sheet_begun");
	assert_int_equal(xlsx_begin_sheet(x, 9, &e), -1);
	assert_int_equal(xlsx_next_row(x, &row, &e), -1);
	assert_string_equal(e.code, "xlsx_sheet_failed");
	/* begun, left half-read, begun again, closed half-read */
	assert_int_equal(xlsx_begin_sheet(x, 0, &e), 0);
	assert_int_equal(xlsx_next_row(x, &row, &e), 1);
	assert_int_equal(xlsx_begin_sheet(x, 0, &e), 0);
	assert_int_equal(xlsx_next_row(x, &row, &e), 1);
	assert_int_equal(row.line, 1);
	assert_int_equal(xlsx_next_row(x, &row, &e), 1);
	xlsx_close(x);
	xlsx_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_a_vietnamese_member_list),
		cmocka_unit_test(reads_every_kind_of_value),
		cmocka_unit_test(reads_the_1904_date_system),
#if HAVE_XLSXWRITER
		cmocka_unit_test(reads_libxlsxwriter),
		cmocka_unit_test(many_shared_strings_spill_to_a_file),
		cmocka_unit_test(the_index_of_very_many_strings_goes_to_a_file),
#endif
		cmocka_unit_test(reads_prefixed_elements_and_absolute_targets),
		cmocka_unit_test(reads_inline_and_shared_strings_and_escapes),
		cmocka_unit_test(reads_numbers_and_dates_by_their_style),
		cmocka_unit_test(follows_cells_and_rows_without_references),
		cmocka_unit_test(fills_merged_ranges),
		cmocka_unit_test(finds_merged_ranges_however_the_sheet_is_written),
		cmocka_unit_test(finds_merged_ranges_across_reads),
		cmocka_unit_test(reports_a_fault_after_the_rows_on_its_line),
		cmocka_unit_test(refuses_what_is_not_a_workbook),
		cmocka_unit_test(refuses_encrypted_and_old_files),
		cmocka_unit_test(refuses_malformed_xml_and_doctypes),
		cmocka_unit_test(refuses_values_beyond_the_bounds),
		cmocka_unit_test(refuses_bad_references),
		cmocka_unit_test(refuses_too_many_merges_strings_and_styles),
		cmocka_unit_test(refuses_zip_bombs),
		cmocka_unit_test(ignores_a_million_empty_cells),
		cmocka_unit_test(refuses_damaged_data_and_huge_directories),
		cmocka_unit_test(calls_out_of_order),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
