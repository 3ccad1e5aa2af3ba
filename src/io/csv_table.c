/*
 * csv_table.c - see csv_table.h. libcsv calls back once per field and once
 * per record; we gather them into rows.
 *
 * The document is fed to libcsv in pieces of at most one line (and at most
 * PIECE bytes), so that we know the line of every record and field, can
 * stop at a NUL byte before libcsv takes it into a field, and can refuse a
 * field or a row as soon as it passes its bound. A row's fields are
 * gathered in one buffer and stored as one allocation (the pointers, then
 * the text), which keeps the memory of a table close to the size of its
 * document.
 */
#include "io/csv_table.h"
#include "io/embedded.h"

#include <csv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define PIECE 4096       /* bytes fed to libcsv at a time */
#define SUGGEST_MAX 64   /* names longer than this get no suggestion */

typedef struct builder {
	csv_table_t *t;
	err_t *e;
	/* the row being read: its fields' text, one after the other */
	char *text;
	size_t text_len, text_cap;
	size_t *starts;     /* starts[i]: offset of field i in text */
	size_t starts_cap;
	size_t n;           /* fields of this row so far */
	size_t rows_cap;
	size_t fields;      /* fields in the whole table */
	size_t seen;        /* fields seen in the whole document */
	size_t line;        /* line of the piece being parsed */
	size_t row_line;    /* line the current row started on */
	bool have_header;
	bool failed;        /* e holds the error */
} builder_t;

static const char *column_name(const builder_t *b, size_t column)
{
	if (!b->have_header || column == 0 || column > b->t->header.n || !b->t->header.fields[column - 1][0])
		return NULL;
	return b->t->header.fields[column - 1];
}

/* Fails with code: "line L, column C (name): what" (without the column
 * when column is 0, without the name when the column has none), with the
 * parameters line, column, name and extra. Returns -1. */
static int csv_fail(builder_t *b, const char *code, size_t line, size_t column, const char *what,
		    const err_arg_t *extra, int n_extra)
{
	const char *name = column_name(b, column);
	err_arg_t args[ERR_MAX_PARAMS];
	char tmpl[256];
	int n = 0;

	args[n++] = ERR_INT("line", line);
	if (column) {
		args[n++] = ERR_INT("column", column);
		if (name)
			args[n++] = ERR_STR("name", name);
	}
	for (int i = 0; i < n_extra && n < ERR_MAX_PARAMS - 1; i++)
		args[n++] = extra[i];
	snprintf(tmpl, sizeof(tmpl), "%s%s",
		 !column ? "line {line}: " : name ? "line {line}, column {column} ({name}): " : "line {line}, column {column}: ",
		 what);
	b->failed = true;
	return err_failv(b->e, ERR_BAD_REQUEST, code, tmpl, args, n);
}

static int csv_fail_max(builder_t *b, const char *code, size_t line, size_t column, const char *what, size_t max)
{
	const err_arg_t a = ERR_INT("max", max);
	return csv_fail(b, code, line, column, what, &a, 1);
}

static void oom(builder_t *b)
{
	b->failed = true;
	err_fail(b->e, ERR_INTERNAL, NULL, "out of memory");
}

/* Line ends in s[0..len): LF, CR LF and a CR alone each count once. */
static size_t line_ends(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
			n++;
	return n;
}

static void on_field(void *s, size_t len, void *data)
{
	builder_t *b = data;
	size_t column = b->n + 1;
	size_t line;
	char *f;

	if (b->failed)
		return;
	/* the field ends on b->line; its own line ends count back to its start */
	line = b->line - line_ends(s, len);
	b->seen++;
	if (b->n == CSV_MAX_COLUMNS) {
		csv_fail_max(b, "csv_too_many_columns", line, 0, "more than {max} columns", CSV_MAX_COLUMNS);
		return;
	}
	if (len > CSV_MAX_FIELD) {
		csv_fail_max(b, "csv_field_too_long", line, column, "the field is longer than {max} bytes", CSV_MAX_FIELD);
		return;
	}
	if (b->have_header && b->n >= b->t->header.n) {
		/* even an empty one: a row longer than the header is most often
		 * one whose values have shifted */
		const err_arg_t a = ERR_INT("columns", b->t->header.n);
		csv_fail(b, "csv_extra_field", line, column,
			 "a field beyond the {columns} columns of the header (is a comma inside a value not quoted?)", &a, 1);
		return;
	}
	if (b->fields + b->n >= CSV_MAX_FIELDS) {
		csv_fail_max(b, "csv_too_many_fields", line, 0, "the file has more than {max} fields", CSV_MAX_FIELDS);
		return;
	}
	if (b->n == b->starts_cap) {
		size_t cap = b->starts_cap ? b->starts_cap * 2 : 16;
		size_t *v = realloc(b->starts, cap * sizeof(*v));
		if (!v) {
			oom(b);
			return;
		}
		b->starts = v;
		b->starts_cap = cap;
	}
	if (b->text_cap - b->text_len < len + 1) {
		size_t cap = b->text_cap ? b->text_cap : 256;
		char *v;
		while (cap - b->text_len < len + 1)
			cap *= 2;
		v = realloc(b->text, cap);
		if (!v) {
			oom(b);
			return;
		}
		b->text = v;
		b->text_cap = cap;
	}
	f = b->text + b->text_len;
	if (len)
		memcpy(f, s, len);
	f[len] = '\0';
	if (!text_utf8(f)) {
		csv_fail(b, "csv_not_utf8", line, column, "the text is not UTF-8 (save the file as \"CSV UTF-8\")", NULL,
			 0);
		return;
	}
	b->starts[b->n++] = b->text_len;
	b->text_len += len + 1;
}

static void row_reset(builder_t *b)
{
	b->n = b->text_len = 0;
}

/* The current row as one allocation: the pointers, then the text. */
static int row_take(builder_t *b, csv_row_t *r)
{
	char **v = malloc(b->n * sizeof(char *) + b->text_len);
	char *text;

	if (!v)
		return -1;
	text = (char *)(v + b->n);
	memcpy(text, b->text, b->text_len);
	for (size_t i = 0; i < b->n; i++)
		v[i] = text + b->starts[i];
	r->fields = v;
	r->n = b->n;
	r->line = b->row_line;
	return 0;
}

static bool row_is_empty(const builder_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->text[b->starts[i]])
			return false;
	return true;
}

/* Two header columns of the same name: csv_col could only find the first. */
static void check_header(builder_t *b)
{
	const csv_row_t *h = &b->t->header;

	for (size_t i = 1; i < h->n; i++) {
		if (!h->fields[i][0])
			continue;
		for (size_t k = 0; k < i; k++)
			if (strcmp(h->fields[i], h->fields[k]) == 0) {
				const err_arg_t a = ERR_INT("first", k + 1);
				csv_fail(b, "csv_duplicate_column", h->line, i + 1,
					 "column {first} has the same name", &a, 1);
				return;
			}
	}
}

static void on_record(int c, void *data)
{
	builder_t *b = data;
	csv_row_t row;
	(void)c;

	if (b->failed)
		return;
	/* a blank line, or a row of empty fields (a spreadsheet's formatted
	 * but empty cells): nothing to keep */
	if (row_is_empty(b)) {
		row_reset(b);
		return;
	}
	if (b->have_header && b->t->n_rows == CSV_MAX_ROWS) {
		csv_fail_max(b, "csv_too_many_rows", b->row_line, 0, "the file has more than {max} rows", CSV_MAX_ROWS);
		return;
	}
	if (row_take(b, &row)) {
		oom(b);
		return;
	}
	b->fields += row.n;
	row_reset(b);
	if (!b->have_header) {
		b->t->header = row;
		b->have_header = true;
		check_header(b);
		return;
	}
	if (b->t->n_rows == b->rows_cap) {
		size_t cap = b->rows_cap ? b->rows_cap * 2 : 64;
		csv_row_t *v = realloc(b->t->rows, cap * sizeof(*v));
		if (!v) {
			free(row.fields);
			oom(b);
			return;
		}
		b->t->rows = v;
		b->rows_cap = cap;
	}
	b->t->rows[b->t->n_rows++] = row;
}

/* Length of the next piece of s[0..len) to parse: through the next line
 * end (LF, CR LF or CR), at most PIECE bytes, and stopping before a NUL
 * byte (0 when s starts with one). *eol tells whether it ends a line. */
static size_t next_piece(const char *s, size_t len, bool *eol)
{
	size_t max = len < PIECE ? len : PIECE;

	*eol = false;
	for (size_t i = 0; i < max; i++) {
		if (s[i] == '\0')
			return i;
		if (s[i] == '\n') {
			*eol = true;
			return i + 1;
		}
		if (s[i] == '\r') {
			*eol = true;
			return i + 1 < len && s[i + 1] == '\n' ? i + 2 : i + 1;
		}
	}
	return max;
}

/* No row has begun: no field seen, none being read. */
static bool between_rows(const struct csv_parser *p, const builder_t *b)
{
	return b->n == 0 && !p->quoted && p->entry_pos == 0;
}

/* Feeds data[pos..len) to p. Returns 0, or -1 with b->e set. */
static int feed(struct csv_parser *p, builder_t *b, const char *data, size_t pos, size_t len)
{
	size_t row_bytes = 0, quote_line = 1, quote_column = 1;

	while (pos < len) {
		bool eol, was_quoted = p->quoted;
		size_t seen = b->seen;
		size_t n = next_piece(data + pos, len - pos, &eol);

		if (between_rows(p, b)) {
			b->row_line = b->line;
			row_bytes = 0;
		}
		if (n == 0)
			return csv_fail(b, "csv_nul_byte", b->line, b->n + 1,
					"a NUL byte: this is not a text file (save it as \"CSV UTF-8\")", NULL, 0);
		if (csv_parse(p, data + pos, n, on_field, on_record, b) != n) {
			if (b->failed)
				return -1;
			if (csv_error(p) != CSV_EPARSE) {
				oom(b);
				return -1;
			}
			if (p->quoted)
				return csv_fail(b, "csv_text_after_quote", b->line, b->n + 1,
						"text after the closing quote (a quote inside a quoted value is written twice: \"\")",
						NULL, 0);
			return csv_fail(b, "csv_stray_quote", b->line, b->n + 1,
					"a quote inside a value that does not start with one (quote the whole value and write "
					"the quote twice: \"a \"\"b\"\" c\")",
					NULL, 0);
		}
		if (b->failed)
			return -1;
		/* a quoted field opened in this piece starts on its line */
		if (p->quoted && (!was_quoted || b->seen != seen)) {
			quote_line = b->line;
			quote_column = b->n + 1;
		}
		row_bytes += n; /* a piece holds at most one line end, so one row */
		if (row_bytes > CSV_MAX_ROW)
			return csv_fail_max(b, "csv_row_too_long", b->row_line, 0, "the row is longer than {max} bytes",
					    CSV_MAX_ROW);
		if (p->entry_pos > CSV_MAX_FIELD) {
			if (p->quoted && quote_line != b->line)
				return csv_fail_max(b, "csv_unclosed_quote", quote_line, quote_column,
						    "the quoted value that starts here runs on over {max} bytes: is its "
						    "closing quote missing?",
						    CSV_MAX_FIELD);
			return csv_fail_max(b, "csv_field_too_long", b->line, b->n + 1,
					    "the field is longer than {max} bytes", CSV_MAX_FIELD);
		}
		pos += n;
		if (eol)
			b->line++;
	}
	if (csv_fini(p, on_field, on_record, b) != 0)
		return csv_fail(b, "csv_unclosed_quote", quote_line, quote_column,
				"the quoted value that starts here has no closing quote", NULL, 0);
	return b->failed ? -1 : 0;
}

int csv_table_parse(const char *data, size_t len, csv_table_t *out, err_t *e)
{
	struct csv_parser p;
	builder_t b;
	size_t pos = 0;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.t = out;
	b.e = e;
	b.line = 1;
	b.row_line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* a byte order mark, as Excel writes */
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	csv_set_blk_size(&p, PIECE);
	r = feed(&p, &b, data, pos, len);
	csv_free(&p);
	free(b.text);
	free(b.starts);
	if (!r && !b.have_header)
		r = err_fail(e, ERR_BAD_REQUEST, "csv_empty", "the file is empty");
	if (r)
		csv_table_free(out);
	return r;
}

void csv_table_free(csv_table_t *t)
{
	if (!t)
		return;
	free(t->header.fields);
	for (size_t i = 0; i < t->n_rows; i++)
		free(t->rows[i].fields);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

int csv_col(const csv_table_t *t, const char *name)
{
	for (size_t i = 0; i < t->header.n; i++)
		if (strcmp(t->header.fields[i], name) == 0)
			return (int)i;
	return -1;
}

const char *csv_field(const csv_row_t *r, int col)
{
	if (col < 0 || (size_t)col >= r->n)
		return "";
	return r->fields[col];
}

/* name in the form names are compared in for a suggestion: ASCII lower
 * case, '-' and ' ' as '_', surrounding spaces dropped. Returns its length,
 * or 0 when it is empty or longer than SUGGEST_MAX. */
static size_t suggest_form(const char *name, char *out)
{
	static const char LOWER[] = "abcdefghijklmnopqrstuvwxyz";
	size_t n = 0, len;

	while (*name == ' ')
		name++;
	len = strlen(name);
	while (len && name[len - 1] == ' ')
		len--;
	if (len == 0 || len > SUGGEST_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c >= 'A' && c <= 'Z')
			c = LOWER[c - 'A'];
		else if (c == '-' || c == ' ')
			c = '_';
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/* Edit distance (insert, delete, replace, swap of neighbours) of a and b. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t k = 0; k <= lb; k++)
		d[0][k] = k;
	for (size_t i = 1; i <= la; i++)
		for (size_t k = 1; k <= lb; k++) {
			size_t best = d[i - 1][k - 1] + (a[i - 1] != b[k - 1]);
			if (d[i - 1][k] + 1 < best)
				best = d[i - 1][k] + 1;
			if (d[i][k - 1] + 1 < best)
				best = d[i][k - 1] + 1;
			if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1] && d[i - 2][k - 2] + 1 < best)
				best = d[i - 2][k - 2] + 1;
			d[i][k] = best;
		}
	return d[la][lb];
}

const char *csv_suggest(const char *name, const char *const *known, size_t n)
{
	char a[SUGGEST_MAX + 1], b[SUGGEST_MAX + 1];
	size_t la = suggest_form(name, a), best_d = 3;
	const char *best = NULL;

	if (!la)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t lb = suggest_form(known[i], b), d;
		if (!lb)
			continue;
		d = edit_distance(a, la, b, lb);
		/* at most 2 edits, and fewer than half the name's letters */
		if (d < best_d && 2 * d < lb) {
			best_d = d;
			best = known[i];
		}
	}
	return best;
}

static bool is_known(const char *name, const char *const *known, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, known[i]) == 0)
			return true;
	return false;
}

int csv_check_columns(const csv_table_t *t, const char *const *known, size_t n_known, size_t n_required,
		      err_t *e)
{
	const csv_row_t *h = &t->header;
	char allowed[ERR_PARAM_TEXT];
	size_t used = 0;

	allowed[0] = '\0';
	for (size_t i = 0; i < n_known; i++) {
		int w = snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", known[i]);
		if (w < 0 || (size_t)w >= sizeof(allowed) - used)
			break;
		used += (size_t)w;
	}
	for (size_t i = 0; i < h->n; i++) {
		const char *name = h->fields[i];
		const char *s;

		if (!name[0]) {
			for (size_t r = 0; r < t->n_rows; r++)
				if (i < t->rows[r].n && t->rows[r].fields[i][0])
					return err_fail(e, ERR_INVALID, "unnamed_column",
							"line {line}, column {column}: a value under a column that has no name",
							ERR_INT("line", t->rows[r].line), ERR_INT("column", i + 1));
			continue;
		}
		if (is_known(name, known, n_known))
			continue;
		s = csv_suggest(name, known, n_known);
		if (s)
			return err_fail(e, ERR_INVALID, "unknown_column",
					"line {line}, column {column}: unknown column '{name}' (did you mean '{suggestion}'?)",
					ERR_INT("line", h->line), ERR_INT("column", i + 1), ERR_STR("name", name),
					ERR_STR("suggestion", s));
		return err_fail(e, ERR_INVALID, "unknown_column",
				"line {line}, column {column}: unknown column '{name}' (the columns are {allowed})",
				ERR_INT("line", h->line), ERR_INT("column", i + 1), ERR_STR("name", name),
				ERR_STR("allowed", allowed));
	}
	for (size_t k = 0; k < n_required && k < n_known; k++)
		if (csv_col(t, known[k]) < 0)
			return err_fail(e, ERR_INVALID, "missing_column", "line {line}: the header has no column '{name}'",
					ERR_INT("line", h->line), ERR_STR("name", known[k]));
	return 0;
}

/* Puts origin in front of e's message and adds it as the parameter file. */
static void name_file(err_t *e, const char *origin)
{
	char msg[sizeof(e->message)];

	snprintf(msg, sizeof(msg), "%s", e->message);
	snprintf(e->message, sizeof(e->message), "%s: %s", origin, msg);
	err_add_param(e, ERR_STR("file", origin));
}

int csv_table_builtin(const char *name, const char *const *columns, size_t n, csv_table_t *t, err_t *e)
{
	const embedded_file_t *f = embedded_find(name);

	memset(t, 0, sizeof(*t));
	if (!f)
		return err_fail(e, ERR_INTERNAL, NULL, "built-in file {file} is missing from this build",
				ERR_STR("file", name));
	if (csv_table_parse((const char *)f->data, f->len, t, e) || csv_check_columns(t, columns, n, n, e)) {
		csv_table_free(t);
		name_file(e, name);
		return -1;
	}
	return 0;
}
