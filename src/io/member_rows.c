/*
 * member_rows.c - see member_rows.h.
 *
 * The first rows are read ahead and kept (at most MCOL_HEADER_SCAN to find
 * the header, then MEMBER_ROWS_SAMPLE more to find each column's legacy
 * encoding), then handed out before the rows still in the file: the
 * memory is those rows, whatever the file's size.
 */
#include "io/member_rows.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/legacy_vn.h"
#include "core/text.h"
#include "io/csv_stream.h"
#include "io/member_export.h"
#include "io/xlsx_reader.h"

/* A row kept: its cells copied. */
typedef struct kept_row {
	char **cells;
	unsigned char *types;
	size_t n, line;
} kept_row_t;

struct member_rows {
	member_rows_opts_t o;
	char format[8];
	char sheet[MEMBER_ROWS_HEADER_BUF];
	csv_stream_t *csv;
	xlsx_reader_t *xlsx;

	kept_row_t *ahead;          /* rows read ahead, handed out first */
	size_t n_ahead, next_ahead, cap_ahead;
	bool source_done;

	size_t header_line;
	member_column_t *cols;
	size_t n_cols;
	mcol_t *field_of;           /* by 0-based column: the field, over n_cols */
	legacy_enc_t *legacy_of;    /* by 0-based column: the legacy encoding to convert from */

	bool ended;                 /* the table's end was met */
	size_t after_end, blank;

	char **ethnic_fold;         /* each group's name_vi and name_en folded (2 * n_ethnic), once needed */
};

/* ---- the source ---- */

static int source_next(member_rows_t *r, sheet_row_t *row, err_t *e)
{
	if (r->source_done)
		return 0;
	int got = r->xlsx ? xlsx_next_row(r->xlsx, row, e) : csv_stream_next(r->csv, row, e);
	if (got == 0)
		r->source_done = true;
	return got;
}

static void kept_free(kept_row_t *k)
{
	for (size_t i = 0; k->cells && i < k->n; i++)
		free(k->cells[i]);
	free(k->cells);
	free(k->types);
	memset(k, 0, sizeof(*k));
}

static int keep(member_rows_t *r, const sheet_row_t *row, err_t *e)
{
	kept_row_t *k;

	if (r->n_ahead == r->cap_ahead) {
		size_t cap = r->cap_ahead ? r->cap_ahead * 2 : 64;
		kept_row_t *v = realloc(r->ahead, cap * sizeof(*v));
		if (!v)
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		r->ahead = v;
		r->cap_ahead = cap;
	}
	k = &r->ahead[r->n_ahead];
	memset(k, 0, sizeof(*k));
	k->cells = calloc(row->n ? row->n : 1, sizeof(char *));
	k->types = malloc(row->n ? row->n : 1);
	if (!k->cells || !k->types) {
		kept_free(k);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	k->line = row->line;
	for (size_t i = 0; i < row->n; i++, k->n++) {
		k->cells[i] = strdup(row->cells[i]);
		if (!k->cells[i]) {
			kept_free(k);
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		}
		k->types[i] = row->types[i];
	}
	r->n_ahead++;
	return 0;
}

/* Reads ahead until `want` rows are kept or the file ends. */
static int read_ahead(member_rows_t *r, size_t want, err_t *e)
{
	sheet_row_t row;
	int got;

	while (r->n_ahead < want) {
		got = source_next(r, &row, e);
		if (got <= 0)
			return got;
		if (keep(r, &row, e))
			return -1;
	}
	return 0;
}

static sheet_row_t as_row(const kept_row_t *k)
{
	return (sheet_row_t){ .cells = (const char *const *)k->cells, .types = k->types, .n = k->n, .line = k->line };
}

/* ---- the header ---- */

/* src into dst[cap], cut before the character that would not fit: a
 * header is shown and written as JSON, and a cut inside a character is no
 * UTF-8 (src is UTF-8, the readers' cells and the converter's text). */
static void copy_header(char *dst, size_t cap, const char *src)
{
	size_t n = 0, k;

	while ((k = text_utf8_char(src + n)) != 0 && n + k < cap)
		n += k;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int set_columns(member_rows_t *r, const kept_row_t *h, const mcol_t *fields, err_t *e)
{
	r->n_cols = h->n;
	r->cols = calloc(h->n ? h->n : 1, sizeof(*r->cols));
	r->field_of = calloc(h->n ? h->n : 1, sizeof(*r->field_of));
	r->legacy_of = calloc(h->n ? h->n : 1, sizeof(*r->legacy_of));
	if (!r->cols || !r->field_of || !r->legacy_of)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < h->n; i++) {
		r->cols[i].column = i + 1;
		copy_header(r->cols[i].header, sizeof(r->cols[i].header), h->cells[i]);
		r->cols[i].field = fields[i];
		r->field_of[i] = fields[i];
	}
	r->header_line = h->line;
	return 0;
}

static bool same_words(const char *a, const char *b)
{
	char *x = NULL, *y = NULL;
	bool same = text_fold(a, &x) == 0 && text_fold(b, &y) == 0 && strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

/* The mapping laid over header row h into fields[0..h->n); how many of
 * its entries named by header found their column. */
static size_t apply_map(const member_rows_t *r, const kept_row_t *h, mcol_t *fields)
{
	size_t found = 0;

	for (size_t i = 0; i < h->n; i++)
		fields[i] = MCOL_NONE;
	for (size_t m = 0; m < r->o.n_map; m++) {
		const member_map_entry_t *x = &r->o.map[m];
		if (x->column) {
			if (x->column <= h->n)
				fields[x->column - 1] = x->field;
			continue;
		}
		for (size_t i = 0; i < h->n; i++)
			if (h->cells[i][0] && same_words(h->cells[i], x->header)) {
				fields[i] = x->field;
				found++;
				break;
			}
	}
	return found;
}

static size_t map_by_header(const member_rows_t *r)
{
	size_t n = 0;
	for (size_t m = 0; m < r->o.n_map; m++)
		n += r->o.map[m].column == 0;
	return n;
}

/* Whether row h is the header: the one named, or the first that holds
 * every header of the mapping, or (no mapping) the first that names a
 * full name and one more field. */
static bool is_header(const member_rows_t *r, const kept_row_t *h, mcol_t *fields)
{
	if (r->o.header_line && h->line != r->o.header_line)
		return false;
	if (r->o.map) {
		size_t want = map_by_header(r);
		return apply_map(r, h, fields) == want && (want || r->o.header_line || h == r->ahead);
	}
	size_t named = mcol_guess_row((const char *const *)h->cells, h->n, fields);
	return r->o.header_line || mcol_is_header(fields, h->n, named);
}

static int find_header(member_rows_t *r, err_t *e)
{
	size_t scan = r->o.header_line ? r->o.header_line : MCOL_HEADER_SCAN;

	if (read_ahead(r, scan, e) < 0)
		return -1;
	for (size_t i = 0; i < r->n_ahead; i++) {
		kept_row_t *h = &r->ahead[i];
		mcol_t *fields = calloc(h->n ? h->n : 1, sizeof(*fields));
		bool yes;

		if (!fields)
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		yes = is_header(r, h, fields);
		if (yes && set_columns(r, h, fields, e)) {
			free(fields);
			return -1;
		}
		free(fields);
		if (yes) {
			r->next_ahead = i + 1;
			return 0;
		}
	}
	if (r->o.header_line)
		return err_fail(e, ERR_BAD_REQUEST, "no_header", "row {line} is not in the file, or holds none of the "
				"mapping's headers", ERR_INT("line", r->o.header_line));
	return err_fail(e, ERR_BAD_REQUEST, "no_header",
			"no row among the first {max} heads a member list: one must name the full name (\"Họ và tên\") "
			"and another field",
			ERR_INT("max", MCOL_HEADER_SCAN));
}

static int check_name_column(const member_rows_t *r, err_t *e)
{
	for (size_t i = 0; i < r->n_cols; i++)
		if (r->field_of[i] == MCOL_FULL_NAME)
			return 0;
	return err_fail(e, ERR_BAD_REQUEST, "no_name_column", "no column is the full name");
}

/* A mapping that gives one field two columns (the command line's
 * --column, whose entries nothing else compares) is refused:
 * one value would be dropped, and a problem with it reported against the
 * other's column. */
static int check_fields_once(const member_rows_t *r, err_t *e)
{
	for (size_t i = 0; i < r->n_cols; i++)
		for (size_t j = 0; r->field_of[i] != MCOL_NONE && j < i; j++)
			if (r->field_of[j] == r->field_of[i])
				return err_fail(e, ERR_BAD_REQUEST, "field_twice",
						"columns {first} and {second} are both {value}: map one of them to none",
						ERR_INT("first", j + 1), ERR_INT("second", i + 1),
						ERR_STR("value", mcol_key(r->field_of[i])));
	return 0;
}

/* The headers as they read in the file's legacy font. */
static void headers_from(member_rows_t *r, legacy_enc_t enc)
{
	for (size_t c = 0; c < r->n_cols; c++) {
		char *u = NULL;
		if (legacy_to_unicode(r->cols[c].header, enc, &u) == 0)
			copy_header(r->cols[c].header, sizeof(r->cols[c].header), u);
		free(u);
	}
}

/* Each mapped column's legacy encoding, from the rows read ahead after
 * the header (MEMBER_ROWS_SAMPLE of them): core/legacy_vn.h weighs the
 * words of all its values. */
static int find_legacy(member_rows_t *r, err_t *e)
{
	legacy_score_t *sc;
	legacy_enc_t file = LEGACY_NONE;
	bool one = true;

	if (r->o.keep_legacy)
		return 0;
	if (read_ahead(r, r->next_ahead + MEMBER_ROWS_SAMPLE, e) < 0)
		return -1;
	sc = calloc(r->n_cols ? r->n_cols : 1, sizeof(*sc));
	if (!sc)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t c = 0; c < r->n_cols; c++) {
		if (r->field_of[c] == MCOL_NONE)
			continue;
		for (size_t i = r->next_ahead; i < r->n_ahead; i++)
			if (c < r->ahead[i].n && r->ahead[i].types[c] == SHEET_TEXT)
				legacy_score_add(&sc[c], r->ahead[i].cells[c]);
		r->legacy_of[c] = legacy_score_verdict(&sc[c]);
		if (r->legacy_of[c] != LEGACY_NONE) {
			one = one && (file == LEGACY_NONE || file == r->legacy_of[c]);
			file = r->legacy_of[c];
		}
	}
	/* A file is typed in one font: its short columns ("Tµy", "N÷"), too
	 * short to tell alone, are in the font its long ones were found in,
	 * unless they hold Unicode. */
	for (size_t c = 0; one && file != LEGACY_NONE && c < r->n_cols; c++)
		if (r->field_of[c] != MCOL_NONE && r->legacy_of[c] == LEGACY_NONE && !sc[c].unicode && sc[c].words)
			r->legacy_of[c] = file;
	for (size_t c = 0; c < r->n_cols; c++)
		r->cols[c].legacy = r->legacy_of[c] == LEGACY_NONE ? NULL : legacy_enc_name(r->legacy_of[c]);
	if (one && file != LEGACY_NONE)
		headers_from(r, file);
	free(sc);
	return 0;
}

/* ---- values ---- */

static void trim(const char *s, char *out, size_t cap)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static bool all_digits(const char *s, size_t *n)
{
	*n = strlen(s);
	for (size_t i = 0; i < *n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return *n > 0;
}

/* A day as people type it into ISO form; the detail says why not. */
/* Three whole numbers of v separated by one of "/-. " (the same twice),
 * each at most 4 digits: their values and widths, *sep the separator.
 * False for anything else. */
static bool date_parts(const char *v, long part[3], int width[3], char *sep)
{
	const char *p = v;

	*sep = 0;
	for (int i = 0; i < 3; i++) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return false;
		errno = 0;
		part[i] = strtol(p, &end, 10);
		width[i] = (int)(end - p);
		if (errno || width[i] > 4)
			return false;
		p = end;
		if (i < 2) {
			if (!*p || !strchr("/-. ", *p) || (*sep && *p != *sep))
				return false;
			*sep = *p++;
		}
	}
	return *p == '\0';
}

/* A day as people type it into ISO form; the detail says why not. */
/* "YYYY-MM-DD" into iso (11 bytes), as snprintf's "%04ld-%02ld-%02ld"
 * cut at 10 would write it; by hand for the common case, two of them a
 * row being a fiftieth of a dry run. */
static void iso_day(long y, long m, long d, char *iso)
{
	if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99) {
		snprintf(iso, 11, "%04ld-%02ld-%02ld", y, m, d);
		return;
	}
	long parts[] = { y / 100, y % 100, m, d };
	char *w = iso;
	for (int i = 0; i < 4; i++) {
		if (i >= 2)
			*w++ = '-';
		*w++ = (char)('0' + parts[i] / 10);
		*w++ = (char)('0' + parts[i] % 10);
	}
	*w = '\0';
}

static bool read_day(const char *v, unsigned char type, const char *field, char *iso, err_t *problems)
{
	long part[3];
	int width[3];
	char sep;
	date_t d;
	size_t n;

	if (type == SHEET_DATE && strlen(v) >= 10) {
		snprintf(iso, 11, "%s", v);
		return true;
	}
	if (date_parts(v, part, width, &sep)) {
		if (width[0] == 4 && sep == '-')
			iso_day(part[0], part[1], part[2], iso);
		else if (width[0] <= 2 && width[1] <= 2 && width[2] <= 2) {
			err_field(problems, field, "two_digit_year", "'{value}' has a year of two digits: write all four",
				  ERR_STR("value", v));
			return false;
		} else if (width[0] <= 2 && width[1] <= 2 && width[2] == 4)
			iso_day(part[2], part[1], part[0], iso);
		else
			iso[0] = '\0';
		if (iso[0] && date_parse(iso, &d) == 0)
			return true;
	}
	if (all_digits(v, &n) && n == 4) {
		err_field(problems, field, "only_a_year", "'{value}' is only a year: the full date is needed",
			  ERR_STR("value", v));
		return false;
	}
	err_field(problems, field, "not_a_date", "'{value}' is not a date (dd/mm/yyyy)", ERR_STR("value", v));
	return false;
}

static bool is_one_of(const char *folded, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcmp(folded, words[i]) == 0)
			return true;
	return false;
}

static const char *const YES[] = { "x", "co", "yes", "true", "1", "v", "y", "dang vien", "co nang luc so", NULL };
static const char *const NO[] = { "khong", "no", "false", "0", "n", "-", NULL };
static const char *const FEMALE[] = { "nu", "f", "female", "woman", "phu nu", NULL };
static const char *const MALE[] = { "nam", "m", "male", "man", NULL };
static const char *const MEMBER[] = { "hoi vien", "hv", "member", "chinh thuc", NULL };
static const char *const HONORARY[] = { "danh du", "hoi vien danh du", "hvdd", "honorary", "honorary member", NULL };

/* The code of the ethnic group named (or numbered) `folded` into code
 * (8 bytes); false when none is. */
static int fold_ethnic_names(member_rows_t *r)
{
	r->ethnic_fold = calloc(2 * r->o.n_ethnic + 1, sizeof(*r->ethnic_fold));
	if (!r->ethnic_fold)
		return -1;
	for (size_t i = 0; i < r->o.n_ethnic; i++)
		if (text_fold(r->o.ethnic[i].name_vi, &r->ethnic_fold[2 * i]) ||
		    text_fold(r->o.ethnic[i].name_en, &r->ethnic_fold[2 * i + 1]))
			return -1;
	return 0;
}

static void free_ethnic_names(member_rows_t *r)
{
	for (size_t i = 0; r->ethnic_fold && i < 2 * r->o.n_ethnic; i++)
		free(r->ethnic_fold[i]);
	free(r->ethnic_fold);
	r->ethnic_fold = NULL;
}

static bool ethnic_code(member_rows_t *r, const char *folded, char *code)
{
	size_t n;

	if (all_digits(folded, &n) && n <= 2) {
		snprintf(code, 8, "%02ld", strtol(folded, NULL, 10));
		return true;
	}
	if (!r->ethnic_fold && fold_ethnic_names(r)) {
		free_ethnic_names(r);
		return false;
	}
	for (size_t i = 0; i < r->o.n_ethnic; i++)
		if (strcmp(r->ethnic_fold[2 * i], folded) == 0 || strcmp(r->ethnic_fold[2 * i + 1], folded) == 0) {
			snprintf(code, 8, "%s", r->o.ethnic[i].code);
			return true;
		}
	return false;
}

/* The leading zeros a number lost: a CCCD has 12 digits and a CMND 9, and
 * both may begin with 0; a mobile number has 0 and 9 digits. */
static void restore_zeros(mcol_t f, const char *v, char *out, size_t cap)
{
	size_t n;

	if (!all_digits(v, &n)) {
		snprintf(out, cap, "%s", v);
		return;
	}
	if (f == MCOL_ID_NUMBER && (n == 10 || n == 11))
		snprintf(out, cap, "%0*d%s", (int)(12 - n), 0, v);
	else if ((f == MCOL_ID_NUMBER && n == 8) || (f == MCOL_PHONE && (n == 9 || (n == 10 && v[0] == '2'))))
		snprintf(out, cap, "0%s", v);
	else
		snprintf(out, cap, "%s", v);
}

/* A row being read into: where each field's text begins in row->buf. */
typedef struct row_build {
	member_row_t *row;
	size_t used;
	size_t at[MCOL_COUNT];
} row_build_t;

/* Field f of the row: kind, and for MVAL_TEXT the text v (copied). Each
 * field has one column (check_fields_once). */
static int put(row_build_t *b, mcol_t f, mval_kind_t kind, const char *v)
{
	size_t n = kind == MVAL_TEXT ? strlen(v) + 1 : 0;

	if (b->used + n > b->row->cap) {
		size_t cap = b->row->cap ? b->row->cap : 256;
		char *grown;
		while (cap < b->used + n)
			cap *= 2;
		if (!(grown = realloc(b->row->buf, cap)))
			return -1;
		b->row->buf = grown;
		b->row->cap = cap;
	}
	b->row->f.v[f] = (mval_t){ .kind = kind, .len = n ? n - 1 : 0 };
	b->at[f] = b->used;
	if (n)
		memcpy(b->row->buf + b->used, v, n);
	b->used += n;
	return 0;
}

/* The texts' places once the buffer no longer moves. */
static void put_done(row_build_t *b)
{
	for (int f = 0; f < MCOL_COUNT; f++)
		if (b->row->f.v[f].kind == MVAL_TEXT)
			b->row->f.v[f].text = b->row->buf + b->at[f];
}

/* Sets field f of the row from cell v. */
static int put_value(member_rows_t *r, row_build_t *b, mcol_t f, const char *v, unsigned char type, err_t *problems)
{
	char iso[16], buf[128];
	char *folded = NULL;
	int rc = 0;

	if (f == MCOL_BIRTH_DATE || f == MCOL_JOINED_ON)
		/* a value that is no day stays as read, for the report to quote */
		return put(b, f, MVAL_TEXT, read_day(v, type, mcol_key(f), iso, problems) ? iso : v);
	if (f == MCOL_ID_NUMBER || f == MCOL_PHONE) {
		/* only a number is rewritten; text stays whole (cut at
		 * sizeof(buf) bytes it could end inside a character) */
		if (type != SHEET_NUMBER || strlen(v) >= sizeof(buf))
			return put(b, f, MVAL_TEXT, v);
		restore_zeros(f, v, buf, sizeof(buf));
		return put(b, f, MVAL_TEXT, buf);
	}
	if (f != MCOL_SEX && f != MCOL_KIND && f != MCOL_DIGITAL && f != MCOL_PARTY_MEMBER && f != MCOL_ETHNICITY)
		return put(b, f, MVAL_TEXT, v);
	if (text_fold(v, &folded))
		return put(b, f, MVAL_TEXT, v);
	if (f == MCOL_SEX)
		rc = put(b, f, MVAL_TEXT, is_one_of(folded, FEMALE) ? "female" : is_one_of(folded, MALE) ? "male" : v);
	else if (f == MCOL_KIND)
		rc = put(b, f, MVAL_TEXT,
			 is_one_of(folded, MEMBER) ? "member" : is_one_of(folded, HONORARY) ? "honorary" : v);
	else if (f == MCOL_ETHNICITY) {
		char code[8];
		rc = put(b, f, MVAL_TEXT, ethnic_code(r, folded, code) ? code : v);
	} else if (is_one_of(folded, YES))
		rc = put(b, f, MVAL_TRUE, NULL);
	else if (is_one_of(folded, NO))
		rc = put(b, f, MVAL_FALSE, NULL);
	else
		rc = put(b, f, MVAL_TEXT, v);
	free(folded);
	return rc;
}

/* ---- rows ---- */

/* Whether row has a value in a mapped column other than the row number. */
static bool has_data(const member_rows_t *r, const sheet_row_t *row)
{
	for (size_t i = 0; i < row->n && i < r->n_cols; i++)
		if (r->field_of[i] != MCOL_NONE && r->field_of[i] != MCOL_SEQ && !text_blank(row->cells[i]))
			return true;
	return false;
}

static int to_fields(member_rows_t *r, const sheet_row_t *row, member_row_t *out, err_t *problems, err_t *e)
{
	row_build_t b = { .row = out };
	bool csv = strcmp(r->format, "csv") == 0;
	char small[256]; /* most cells: no allocation of their own */

	memset(&out->f, 0, sizeof(out->f));
	for (size_t i = 0; i < row->n && i < r->n_cols; i++) {
		mcol_t f = r->field_of[i];
		size_t len;
		char *v;
		if (f == MCOL_NONE || f == MCOL_SEQ || !row->cells[i][0])
			continue;
		len = strlen(row->cells[i]);
		v = len < sizeof(small) ? small : malloc(len + 1);
		if (!v) {
			memset(&out->f, 0, sizeof(out->f));
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		}
		trim(csv ? member_export_unguard(row->cells[i]) : row->cells[i], v, len + 1);
		if (r->legacy_of[i] != LEGACY_NONE && row->types[i] == SHEET_TEXT) {
			char *u = NULL;
			/* a value the encoding cannot have given stays as it is */
			if (legacy_to_unicode(v, r->legacy_of[i], &u) == 0) {
				if (v != small)
					free(v);
				v = u;
				/* the legacy fonts lack most capitals: a name's words begin with one */
				if (f == MCOL_FULL_NAME && text_capitalise_words(u, &u) == 0) {
					free(v);
					v = u;
				}
			}
		}
		int rc = v[0] ? put_value(r, &b, f, v, row->types[i], problems) : 0;
		if (v != small)
			free(v);
		if (rc) {
			memset(&out->f, 0, sizeof(out->f));
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		}
	}
	put_done(&b);
	return 0;
}

/* The next row of the table, kept or from the file. */
static int raw_next(member_rows_t *r, sheet_row_t *row, err_t *e)
{
	if (r->next_ahead < r->n_ahead) {
		*row = as_row(&r->ahead[r->next_ahead++]);
		return 1;
	}
	return source_next(r, row, e);
}

int member_rows_next(member_rows_t *r, member_row_t *row, size_t *line, err_t *problems, err_t *e)
{
	sheet_row_t s;
	int got;

	memset(&row->f, 0, sizeof(row->f));
	*line = 0;
	err_clear(problems);
	while ((got = raw_next(r, &s, e)) == 1) {
		if (r->ended) {
			r->after_end++;
			continue;
		}
		if (s.line == r->header_line + 1 && mcol_is_numbering(s.cells, s.n))
			continue;
		if (mcol_is_footer(s.cells, s.n)) {
			r->ended = true;
			r->after_end++;
			continue;
		}
		if (!has_data(r, &s)) {
			r->blank++;
			continue;
		}
		*line = s.line;
		return to_fields(r, &s, row, problems, e) ? -1 : 1;
	}
	return got;
}

void member_row_free(member_row_t *row)
{
	free(row->buf);
	*row = (member_row_t){ 0 };
}

json_t *member_fields_json(const member_fields_t *f)
{
	json_t *obj = json_object();

	for (int c = 0; obj && c < MCOL_COUNT; c++) {
		const mval_t *v = &f->v[c];
		json_t *j = v->kind == MVAL_TEXT  ? json_stringn(v->text, v->len) :
			    v->kind == MVAL_TRUE  ? json_true() :
			    v->kind == MVAL_FALSE ? json_false() :
						    NULL;
		if (v->kind == MVAL_ABSENT)
			continue;
		if (!j || json_object_set_new(obj, mcol_key((mcol_t)c), j)) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* ---- opening ---- */

static int open_source(member_rows_t *r, err_t *e)
{
	unsigned char magic[4] = { 0 };
	FILE *f;
	const char *format = r->o.format;

	if (!format) {
		f = fopen(r->o.path, "rb");
		if (!f)
			return err_fail(e, ERR_INTERNAL, "csv_read_failed", "the file could not be opened");
		size_t got = fread(magic, 1, 4, f);
		fclose(f);
		/* a zip (XLSX), or an OLE file (an old .xls, or an encrypted
		 * workbook), which the XLSX reader names as such */
		format = got == 4 && (memcmp(magic, "PK\x03\x04", 4) == 0 || memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0) ?
				 "xlsx" : "csv";
	}
	snprintf(r->format, sizeof(r->format), "%s", format);
	if (strcmp(format, "xlsx") == 0)
		return xlsx_open(r->o.path, &r->o.lim, &r->xlsx, e);
	if (strcmp(format, "csv") != 0)
		return err_fail(e, ERR_BAD_REQUEST, "unknown_format", "'{value}' files cannot be read",
				ERR_STR("value", format));
	return csv_stream_open(r->o.path, &r->o.lim, &r->csv, e);
}

static void forget_rows(member_rows_t *r)
{
	for (size_t i = 0; i < r->n_ahead; i++)
		kept_free(&r->ahead[i]);
	r->n_ahead = r->next_ahead = 0;
	r->source_done = false;
	free(r->cols);
	free(r->field_of);
	free(r->legacy_of);
	r->cols = NULL;
	r->field_of = NULL;
	r->legacy_of = NULL;
	r->n_cols = 0;
}

/* The table: in a CSV file, or in the sheet named, else the first sheet
 * of a workbook whose first rows hold a header (title sheets, notes and
 * instructions before it are passed over). */
static int find_table(member_rows_t *r, err_t *e)
{
	size_t n;
	bool named = false;
	err_t first;

	if (!r->xlsx)
		return find_header(r, e);
	n = xlsx_sheet_count(r->xlsx);
	err_clear(&first);
	for (size_t i = 0; i < n; i++) {
		const char *name = xlsx_sheet_name(r->xlsx, i);
		err_t tmp;

		if (r->o.sheet && strcmp(name, r->o.sheet) != 0)
			continue;
		named = true;
		forget_rows(r);
		err_clear(&tmp);
		if (xlsx_begin_sheet(r->xlsx, i, e))
			return -1;
		if (find_header(r, &tmp) == 0) {
			snprintf(r->sheet, sizeof(r->sheet), "%s", name);
			return 0;
		}
		if (strcmp(tmp.code, "no_header") != 0 || r->o.sheet) {
			*e = tmp;
			return -1;
		}
		if (!first.code[0])
			first = tmp;
	}
	if (r->o.sheet && !named)
		return err_fail(e, ERR_BAD_REQUEST, "unknown_sheet", "the workbook has no sheet called {name}",
				ERR_STR("name", r->o.sheet));
	if (!n)
		return err_fail(e, ERR_BAD_REQUEST, "no_header", "the workbook has no sheet");
	*e = first;
	return -1;
}

int member_rows_open(const member_rows_opts_t *o, member_rows_t **out, err_t *e)
{
	member_rows_t *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	r->o = *o;
	if (open_source(r, e) || find_table(r, e) || check_name_column(r, e) || check_fields_once(r, e) ||
	    find_legacy(r, e)) {
		member_rows_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

const char *member_rows_format(const member_rows_t *r)
{
	return r->format;
}

const char *member_rows_sheet(const member_rows_t *r)
{
	return r->sheet;
}

size_t member_rows_header_line(const member_rows_t *r)
{
	return r->header_line;
}

const char *member_rows_encoding(const member_rows_t *r)
{
	return r->csv ? csv_stream_encoding(r->csv) : "";
}

char member_rows_separator(const member_rows_t *r)
{
	if (!r->csv)
		return '\0';
	return csv_stream_separator(r->csv);
}

const member_column_t *member_rows_columns(const member_rows_t *r, size_t *n)
{
	*n = r->n_cols;
	return r->cols;
}

size_t member_rows_after_end(const member_rows_t *r)
{
	return r->after_end;
}

size_t member_rows_blank(const member_rows_t *r)
{
	return r->blank;
}

void member_rows_close(member_rows_t *r)
{
	if (!r)
		return;
	csv_stream_close(r->csv);
	xlsx_close(r->xlsx);
	forget_rows(r);
	free(r->ahead);
	free_ethnic_names(r);
	free(r);
}
