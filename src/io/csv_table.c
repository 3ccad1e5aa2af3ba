/*
 * csv_table.c - see csv_table.h. libcsv calls back once per field and once
 * per record; we gather them into rows.
 */
#include "io/csv_table.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct builder {
	csv_table_t *t;
	csv_row_t cur;
	size_t cur_cap;
	size_t rows_cap;
	size_t line;        /* line the parser has reached */
	size_t row_line;    /* line the current row started on */
	bool have_header;
	bool oom;
} builder_t;

static void on_field(void *s, size_t len, void *data)
{
	builder_t *b = data;
	char *f;

	if (b->oom)
		return;
	if (b->cur.n == 0)
		b->cur.line = b->row_line;
	if (b->cur.n == b->cur_cap) {
		size_t cap = b->cur_cap ? b->cur_cap * 2 : 8;
		char **v = realloc(b->cur.fields, cap * sizeof(*v));
		if (!v) {
			b->oom = true;
			return;
		}
		b->cur.fields = v;
		b->cur_cap = cap;
	}
	f = malloc(len + 1);
	if (!f) {
		b->oom = true;
		return;
	}
	if (len)
		memcpy(f, s, len);
	f[len] = '\0';
	b->cur.fields[b->cur.n++] = f;
}

static void row_free(csv_row_t *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->fields[i]);
	free(r->fields);
	r->fields = NULL;
	r->n = 0;
}

static void on_record(int c, void *data)
{
	builder_t *b = data;
	(void)c;

	if (b->oom)
		return;
	/* a blank line gives one empty field: skip it */
	if (b->cur.n == 0 || (b->cur.n == 1 && b->cur.fields[0][0] == '\0')) {
		row_free(&b->cur);
		b->cur_cap = 0;
		return;
	}
	if (!b->have_header) {
		b->t->header = b->cur;
		b->have_header = true;
	} else {
		if (b->t->n_rows == b->rows_cap) {
			size_t cap = b->rows_cap ? b->rows_cap * 2 : 64;
			csv_row_t *v = realloc(b->t->rows, cap * sizeof(*v));
			if (!v) {
				b->oom = true;
				row_free(&b->cur);
				return;
			}
			b->t->rows = v;
			b->rows_cap = cap;
		}
		b->t->rows[b->t->n_rows++] = b->cur;
	}
	memset(&b->cur, 0, sizeof(b->cur));
	b->cur_cap = 0;
}

int csv_table_parse(const char *data, size_t len, csv_table_t *out, err_t *e)
{
	struct csv_parser p;
	builder_t b;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.t = out;
	b.line = 1;
	b.row_line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* a byte order mark, as Excel writes */
	if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	/* feed line by line so that we know where each record starts */
	while (pos < len && !b.oom) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t chunk = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
		if (csv_parse(&p, data + pos, chunk, on_field, on_record, &b) != chunk) {
			size_t line = b.line;
			csv_free(&p);
			row_free(&b.cur);
			csv_table_free(out);
			return err_fail(e, ERR_BAD_REQUEST, "bad_csv", "line {line}: {reason}", ERR_INT("line", line),
					ERR_STR("reason", csv_strerror(csv_error(&p))));
		}
		pos += chunk;
		if (nl) /* a last line without one is still this line */
			b.line++;
		/* a record that has not started yet starts on the next line */
		if (b.cur.n == 0)
			b.row_line = b.line;
	}
	if (!b.oom && csv_fini(&p, on_field, on_record, &b) != 0) {
		size_t line = b.line;
		csv_free(&p);
		row_free(&b.cur);
		csv_table_free(out);
		return err_fail(e, ERR_BAD_REQUEST, "bad_csv", "line {line}: {reason}", ERR_INT("line", line),
				ERR_STR("reason", csv_strerror(csv_error(&p))));
	}
	csv_free(&p);
	row_free(&b.cur);
	if (b.oom) {
		csv_table_free(out);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	if (!b.have_header)
		return err_fail(e, ERR_BAD_REQUEST, "bad_csv", "the file is empty");
	return 0;
}

void csv_table_free(csv_table_t *t)
{
	if (!t)
		return;
	row_free(&t->header);
	for (size_t i = 0; i < t->n_rows; i++)
		row_free(&t->rows[i]);
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
