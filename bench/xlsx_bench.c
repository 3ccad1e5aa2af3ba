/*
 * xlsx_bench.c - writes a big member list as .xlsx and reads it back with
 * io/xlsx_reader, for the reader's memory and speed (issue 16: "peak RSS
 * under 200 MB whatever the file's size").
 *
 *   xlsx_bench gen FILE ROWS       a member list the way Excel saves one:
 *                                  shared strings (four unique per row:
 *                                  name, ID number, phone, address, so
 *                                  4 million for a million rows), birth
 *                                  dates as date cells, the branch merged
 *                                  down over every 20 rows, a title above
 *   xlsx_bench gen-lxw FILE ROWS   the same rows through libxlsxwriter in
 *                                  constant-memory mode (inline strings)
 *   xlsx_bench read FILE           reads sheet 1 whole; prints rows, time,
 *                                  rows per second, checks a few cells
 *
 * Measure the reading's peak memory with /usr/bin/time -v (Maximum
 * resident set size). Not built by meson; build it after `make`:
 *
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc \
 *      bench/xlsx_bench.c build/src/libunionbase.a build/src/libubcore.a \
 *      $(pkg-config --cflags --libs libzip expat xlsxwriter libutf8proc) \
 *      -o build/xlsx_bench
 *
 * gen writes the sheet and the shared strings to temporary files first,
 * then zips them (libzip compresses from the files), so it needs little
 * memory itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "core/err.h"
#include "io/xlsx_reader.h"

static const char *const ETHNIC[] = { "Kinh", "Tày", "Thái", "Mường", "Khmer", "H'Mông", "Nùng", "Dao" };
static const char *const SURNAME[] = { "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ" };
static const char *const MIDDLE[] = { "Thị", "Thị Thu", "Thị Ngọc", "Thị Bích", "Thị Mai", "Thị Hồng" };
static const char *const GIVEN[] = { "Hoa", "Lan", "Mai", "Hương", "Ngọc", "Thảo", "Trang", "Hạnh", "Yến", "Nga" };

#define BRANCHES 50
#define MERGE_EVERY 20

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Writes s as XML text. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static void col_ref(char *out, int col, size_t row)
{
	sprintf(out, "%c%zu", 'A' + col, row);
}

/* The row's unique texts. */
static void person(size_t i, char name[96], char id[16], char phone[16], char addr[128])
{
	snprintf(name, 96, "%s %s %s %zu", SURNAME[i % 10], MIDDLE[i / 10 % 6], GIVEN[i / 60 % 10], i);
	snprintf(id, 16, "0%02zu1%02zu%06zu", i % 96 + 1, i % 100, i % 1000000);
	snprintf(phone, 16, "09%08zu", i * 7 % 100000000);
	snprintf(addr, 128, "Số %zu, thôn %zu, xã Bình An %zu", i % 300 + 1, i % 17 + 1, i);
}

static int gen(const char *path, size_t rows)
{
	static const char *const head[] = { "STT", "Họ và tên", "Ngày sinh", "Dân tộc", "Số CCCD", "Chi hội",
					    "Số điện thoại", "Địa chỉ" };
	char sheet_path[] = "/tmp/xlsx-bench-sheet-XXXXXX", sst_path[] = "/tmp/xlsx-bench-sst-XXXXXX";
	FILE *sh, *st;
	size_t n_sst = 0, first_row = 4;
	char ref[16], name[96], id[16], phone[16], addr[128];
	int fd1 = mkstemp(sheet_path), fd2 = mkstemp(sst_path), err = 0;
	zip_t *z;

	if (fd1 < 0 || fd2 < 0)
		return 1;
	sh = fdopen(fd1, "w");
	st = fdopen(fd2, "w");
	/* fixed strings first: the headers, the title, ethnic groups, branches */
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst "
	      "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
	      st);
	for (int k = 0; k < 8; k++, n_sst++)
		fprintf(st, "<si><t>%s</t></si>", head[k]);
	fprintf(st, "<si><t>DANH SÁCH HỘI VIÊN</t></si>");
	n_sst++;
	for (int k = 0; k < 8; k++, n_sst++)
		fprintf(st, "<si><t>%s</t></si>", ETHNIC[k]);
	for (int k = 0; k < BRANCHES; k++, n_sst++)
		fprintf(st, "<si><t>Chi hội %d</t></si>", k + 1);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet "
	      "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
	      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>8</v></c></row><row r=\"3\">",
	      sh);
	for (int k = 0; k < 8; k++) {
		col_ref(ref, k, 3);
		fprintf(sh, "<c r=\"%s\" t=\"s\"><v>%d</v></c>", ref, k);
	}
	fputs("</row>", sh);
	for (size_t i = 0; i < rows; i++) {
		size_t r = first_row + i, base = n_sst;
		person(i, name, id, phone, addr);
		fprintf(st, "<si><t>");
		xml_text(st, name);
		fprintf(st, "</t></si><si><t>%s</t></si><si><t>%s</t></si><si><t>", id, phone);
		xml_text(st, addr);
		fprintf(st, "</t></si>");
		n_sst += 4;
		fprintf(sh, "<row r=\"%zu\"><c r=\"A%zu\"><v>%zu</v></c><c r=\"B%zu\" t=\"s\"><v>%zu</v></c>"
			    "<c r=\"C%zu\" s=\"1\"><v>%zu</v></c><c r=\"D%zu\" t=\"s\"><v>%zu</v></c>"
			    "<c r=\"E%zu\" t=\"s\"><v>%zu</v></c>",
			r, r, i + 1, r, base, r, 25000 + i % 20000, r, 9 + i % 8, r, base + 1);
		if (i % MERGE_EVERY == 0)
			fprintf(sh, "<c r=\"F%zu\" t=\"s\"><v>%zu</v></c>", r, (size_t)17 + i / MERGE_EVERY % BRANCHES);
		else
			fprintf(sh, "<c r=\"F%zu\"/>", r);
		fprintf(sh, "<c r=\"G%zu\" t=\"s\"><v>%zu</v></c><c r=\"H%zu\" t=\"s\"><v>%zu</v></c></row>", r, base + 2, r,
			base + 3);
	}
	fputs("</sheetData><mergeCells><mergeCell ref=\"A1:H1\"/>", sh);
	for (size_t i = 0; i < rows; i += MERGE_EVERY) {
		size_t last = i + MERGE_EVERY - 1 < rows ? i + MERGE_EVERY - 1 : rows - 1;
		if (last > i)
			fprintf(sh, "<mergeCell ref=\"F%zu:F%zu\"/>", first_row + i, first_row + last);
	}
	fputs("</mergeCells></worksheet>", sh);
	fputs("</sst>", st);
	fclose(sh);
	fclose(st);

	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (!z)
		return 1;
	{
		static const char ct[] = "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
		static const char rels[] = "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
					   "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
		static const char wb[] = "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
					 "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
					 "<sheet name=\"Danh sách\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
		static const char wbrels[] = "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
					     "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
					     "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
					     "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
		static const char styles[] = "<?xml version=\"1.0\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
					     "<cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";
		const char *names[] = { "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml" };
		const char *data[] = { ct, rels, wb, wbrels, styles };
		for (int k = 0; k < 5; k++)
			zip_file_add(z, names[k], zip_source_buffer(z, data[k], strlen(data[k]), 0), 0);
		zip_file_add(z, "xl/worksheets/sheet1.xml", zip_source_file(z, sheet_path, 0, -1), 0);
		zip_file_add(z, "xl/sharedStrings.xml", zip_source_file(z, sst_path, 0, -1), 0);
	}
	err = zip_close(z);
	unlink(sheet_path);
	unlink(sst_path);
	if (err) {
		fprintf(stderr, "zip: %s\n", zip_strerror(z));
		return 1;
	}
	printf("gen: %s, %zu rows, %zu shared strings\n", path, rows, n_sst);
	return 0;
}

static int gen_lxw(const char *path, size_t rows)
{
	lxw_workbook_options o = { .constant_memory = 1, .tmpdir = NULL };
	lxw_workbook *wb = workbook_new_opt(path, &o);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Danh sách");
	lxw_format *date = workbook_add_format(wb);
	char name[96], id[16], phone[16], addr[128], branch[32];

	format_set_num_format(date, "dd/mm/yyyy");
	worksheet_write_string(ws, 0, 0, "DANH SÁCH HỘI VIÊN", NULL);
	for (size_t i = 0; i < rows; i++) {
		lxw_row_t r = (lxw_row_t)(i + 3);
		person(i, name, id, phone, addr);
		snprintf(branch, sizeof(branch), "Chi hội %zu", i / MERGE_EVERY % BRANCHES + 1);
		worksheet_write_number(ws, r, 0, (double)(i + 1), NULL);
		worksheet_write_string(ws, r, 1, name, NULL);
		worksheet_write_number(ws, r, 2, 25000.0 + (double)(i % 20000), date);
		worksheet_write_string(ws, r, 3, ETHNIC[i % 8], NULL);
		worksheet_write_string(ws, r, 4, id, NULL);
		worksheet_write_string(ws, r, 5, branch, NULL);
		worksheet_write_string(ws, r, 6, phone, NULL);
		worksheet_write_string(ws, r, 7, addr, NULL);
	}
	if (workbook_close(wb) != LXW_NO_ERROR)
		return 1;
	printf("gen-lxw: %s, %zu rows\n", path, rows);
	return 0;
}

static int read_all(const char *path)
{
	xlsx_reader_t *x;
	sheet_row_t row;
	err_t e;
	size_t rows = 0, cells = 0, dates = 0;
	double t0 = now(), t1;
	int rc;

	err_clear(&e);
	if (xlsx_open(path, NULL, &x, &e)) {
		fprintf(stderr, "open: %s: %s\n", e.code, e.message);
		return 1;
	}
	t1 = now();
	if (xlsx_begin_sheet(x, 0, &e)) {
		fprintf(stderr, "begin: %s: %s\n", e.code, e.message);
		xlsx_close(x);
		return 1;
	}
	while ((rc = xlsx_next_row(x, &row, &e)) == 1) {
		rows++;
		cells += row.n;
		if (row.n > 2 && row.types[2] == SHEET_DATE)
			dates++;
		/* every member's branch is filled in from its merged range */
		if (row.line >= 4 && row.n > 5 && strncmp(row.cells[5], "Chi hội ", strlen("Chi hội ")) != 0) {
			fprintf(stderr, "row %zu: branch '%s'\n", row.line, row.cells[5]);
			rc = -2;
			break;
		}
	}
	xlsx_close(x);
	if (rc == -1) {
		fprintf(stderr, "read: %s: %s\n", e.code, e.message);
		return 1;
	}
	if (rc == -2)
		return 1;
	{
		double t = now() - t0;
		printf("read: %s: %zu rows, %zu cells, %zu dates; open %.2f s, total %.2f s, %.0f rows/s\n", path, rows,
		       cells, dates, t1 - t0, t, (double)rows / t);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], (size_t)strtoul(argv[3], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "gen-lxw") == 0)
		return gen_lxw(argv[2], (size_t)strtoul(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return read_all(argv[2]);
	fprintf(stderr, "usage: xlsx_bench gen FILE ROWS | gen-lxw FILE ROWS | read FILE\n");
	return 2;
}
