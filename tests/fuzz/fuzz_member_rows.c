/*
 * fuzz_member_rows.c - a member list as uploaded, read as member records
 * (io/member_rows.h): the table found below its title rows, its columns
 * named, TCVN3/VNI text converted, values turned into the API's member
 * fields. member_rows_open takes a path: the input is written to a file of
 * its own in /tmp (mkstemp), removed once a descriptor holds it open, and
 * read through /proc/self/fd, so that a failing check leaves nothing
 * behind. Its format is sniffed (format NULL): a zip (PK) is read as XLSX,
 * anything else as CSV. keep_legacy is the lowest bit of the input's
 * middle byte, so that both ways are tried. An input that begins with 'M'
 * is read a second time with a mapping by column numbers its next bytes
 * make (one field on two columns is refused, field_twice).
 *
 * Properties: a refusal is an error whose strings are UTF-8, of kind
 * ERR_BAD_REQUEST (nothing in a file is an internal error); the format is
 * "csv" or "xlsx", a CSV's encoding and separator are the reader's; each
 * column is numbered in order, names a field (mcol_t), has a UTF-8 header
 * and a legacy encoding NULL, "tcvn3" or "vni" (always NULL with
 * keep_legacy); a row's fields are member keys (never "seq" or ""),
 * their values non-empty UTF-8 texts, or booleans for the yes/no fields
 * (digital, party_member), and its JSON (an update's patch) has the same
 * members; after the last row the fields are all absent; a problem is a detail on a
 * date field with one of the codes the header names; rows' lines strictly
 * increase, after the header's; member_rows_close releases everything
 * (LeakSanitizer).
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "core/member_columns.h"
#include "core/text.h"
#include "io/member_rows.h"

static const ethnic_group_t ETHNIC[] = {
	{ "01", "Kinh", "Kinh" }, { "02", "Tày", "Tay" }, { "03", "Thái", "Thai" },
	{ "06", "Mường", "Muong" }, { "12", "Ê Đê", "Ede" }, { "13", "Ba Na", "Bahnar" },
};

static void check_refusal(const err_t *e)
{
	fuzz_check_err(e);
	FUZZ_CHECK(e->kind == ERR_BAD_REQUEST);
	FUZZ_CHECK(e->code[0] != '\0');
}

/* A member key naming a field that is imported. */
static mcol_t member_key(const char *key)
{
	mcol_t f = MCOL_NONE;

	FUZZ_CHECK(mcol_parse(key, &f) == 0);
	FUZZ_CHECK(f != MCOL_NONE && f != MCOL_SEQ);
	return f;
}

/* Only imported fields have values: texts of UTF-8 without a NUL before
 * their length, yes/no fields as booleans. The JSON of the fields (what
 * an update of a record sends) has the same members. */
static void check_row(const member_row_t *row, const err_t *problems)
{
	json_t *j = member_fields_json(&row->f);
	size_t n = 0;

	FUZZ_CHECK(j != NULL);
	for (int c = 0; c < MCOL_COUNT; c++) {
		const mval_t *v = &row->f.v[c];
		if (v->kind == MVAL_ABSENT)
			continue;
		n++;
		FUZZ_CHECK(c != MCOL_NONE && c != MCOL_SEQ);
		FUZZ_CHECK(json_object_get(j, mcol_key((mcol_t)c)) != NULL);
		if (v->kind == MVAL_TRUE || v->kind == MVAL_FALSE) {
			FUZZ_CHECK(c == MCOL_DIGITAL || c == MCOL_PARTY_MEMBER);
			continue;
		}
		FUZZ_CHECK(v->kind == MVAL_TEXT);
		FUZZ_CHECK(v->len > 0);
		FUZZ_CHECK(strlen(v->text) == v->len);
		FUZZ_CHECK(text_utf8(v->text));
	}
	FUZZ_CHECK(json_object_size(j) == n);
	json_decref(j);
	fuzz_check_err(problems);
	for (int i = 0; i < problems->n_details; i++) {
		const err_detail_t *d = &problems->details[i];
		mcol_t f = member_key(d->field);
		FUZZ_CHECK(f == MCOL_BIRTH_DATE || f == MCOL_JOINED_ON);
		FUZZ_CHECK(strcmp(d->code, "not_a_date") == 0 || strcmp(d->code, "only_a_year") == 0 ||
			   strcmp(d->code, "two_digit_year") == 0);
		/* the value stays as read, for the report to quote */
		FUZZ_CHECK(row->f.v[f].kind == MVAL_TEXT);
	}
}

static void check_columns(const member_rows_t *r, bool keep_legacy)
{
	size_t n = 0;
	const member_column_t *c = member_rows_columns(r, &n);

	FUZZ_CHECK(n >= 1 && c != NULL);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(c[i].column == i + 1);
		FUZZ_CHECK(c[i].field >= MCOL_NONE && c[i].field < MCOL_COUNT);
		FUZZ_CHECK(memchr(c[i].header, '\0', sizeof(c[i].header)) != NULL);
		FUZZ_CHECK(text_utf8(c[i].header));
		FUZZ_CHECK(c[i].legacy == NULL || strcmp(c[i].legacy, "tcvn3") == 0 || strcmp(c[i].legacy, "vni") == 0);
		FUZZ_CHECK(!keep_legacy || c[i].legacy == NULL);
	}
}

/* A mapping by column numbers, as the wizard sends one: the fuzzer's
 * bytes choose which columns are mapped to what (two columns of one field
 * are refused: field_twice). */
static size_t mapping_from(const uint8_t *data, size_t size, member_map_entry_t *map)
{
	size_t n = 0;

	for (size_t i = 0; i + 1 < size && n < 6; i += 2)
		map[n++] = (member_map_entry_t){ .column = 1 + data[i] % 8,
						 .field = (mcol_t)(1 + data[i + 1] % (MCOL_COUNT - 1)) };
	return n;
}

static void read_file(const char *path, bool keep_legacy, const member_map_entry_t *map, size_t n_map)
{
	member_rows_opts_t o = {
		.path = path,
		.map = n_map ? map : NULL,
		.n_map = n_map,
		.keep_legacy = keep_legacy,
		.ethnic = ETHNIC,
		.n_ethnic = sizeof(ETHNIC) / sizeof(ETHNIC[0]),
		.lim = { .max_columns = 64, .max_cell = 4096, .max_rows = 10000, .max_bytes = 4 * 1024 * 1024 },
	};
	member_rows_t *r = NULL;
	member_row_t row = { 0 };
	err_t e, problems;
	size_t line = 0, last;
	int rc;

	err_clear(&e);
	rc = member_rows_open(&o, &r, &e);
	if (rc != 0) {
		FUZZ_CHECK(r == NULL);
		check_refusal(&e);
		return;
	}
	FUZZ_CHECK(strcmp(member_rows_format(r), "csv") == 0 || strcmp(member_rows_format(r), "xlsx") == 0);
	FUZZ_CHECK(text_utf8(member_rows_sheet(r)));
	if (strcmp(member_rows_format(r), "csv") == 0) {
		FUZZ_CHECK(member_rows_sheet(r)[0] == '\0');
		FUZZ_CHECK(member_rows_encoding(r)[0] != '\0');
		FUZZ_CHECK(member_rows_separator(r) && strchr(",;\t", member_rows_separator(r)));
	}
	check_columns(r, keep_legacy);
	last = member_rows_header_line(r);
	FUZZ_CHECK(last >= 1);
	while ((rc = member_rows_next(r, &row, &line, &problems, &e)) == 1) {
		FUZZ_CHECK(line > last);
		last = line;
		check_row(&row, &problems);
	}
	if (rc < 0)
		check_refusal(&e);
	else
		FUZZ_CHECK(member_rows_next(r, &row, &line, &problems, &e) == 0);
	for (int c = 0; c < MCOL_COUNT; c++)
		FUZZ_CHECK(row.f.v[c].kind == MVAL_ABSENT);
	member_row_free(&row);
	member_rows_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32] = "/tmp/fuzz_member_rows.XXXXXX";
	int fd = mkstemp(path);
	size_t done = 0;

	if (fd < 0) {
		perror("mkstemp");
		abort();
	}
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0) {
			perror("write");
			abort();
		}
		done += (size_t)w;
	}
	close(fd);
	/* read through a descriptor of the file, gone from the folder at
	 * once: nothing is left behind, even if a check fails */
	fd = open(path, O_RDONLY);
	unlink(path);
	if (fd < 0) {
		perror("open");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	read_file(path, size && (data[size / 2] & 1), NULL, 0);
	/* again by a mapping its first bytes make, when they begin with 'M' */
	if (size > 2 && data[0] == 'M') {
		member_map_entry_t map[6];
		read_file(path, false, map, mapping_from(data + 1, size < 13 ? size - 1 : 12, map));
	}
	close(fd);
	return 0;
}
