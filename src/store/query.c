/* query.c - see query.h. */
#include "store/query.h"

#include <string.h>

#include "store/util.h"

void query_init(query_t *q)
{
	q->sql[0] = '\0';
	q->len = 0;
	q->n_args = 0;
	q->bad = NULL;
}

/* Placeholders in frag, outside quoted literals and identifiers. */
static int count_placeholders(const char *frag)
{
	char quote = 0;
	int n = 0;

	for (const char *p = frag; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?') {
			n++;
		}
	}
	return n;
}

static void append_text(query_t *q, const char *frag)
{
	size_t n = strlen(frag);

	if (q->len + n >= sizeof(q->sql)) {
		q->bad = "the statement is too long";
		return;
	}
	memcpy(q->sql + q->len, frag, n + 1);
	q->len += n;
}

static void append_arg(query_t *q, query_arg_t a)
{
	if (q->n_args >= QUERY_MAX_ARGS) {
		q->bad = "too many values";
		return;
	}
	q->args[q->n_args++] = a;
}

void query_add_(query_t *q, const char *frag, const query_arg_t *args)
{
	int given = 0;

	if (q->bad)
		return;
	append_text(q, frag);
	for (; args[given].type != QUERY_END; given++)
		append_arg(q, args[given]);
	if (!q->bad && given != count_placeholders(frag))
		q->bad = "a fragment's values do not match its placeholders";
}

void query_add_dates(query_t *q, const char *frag, date_t d)
{
	int n = count_placeholders(frag);

	if (q->bad)
		return;
	append_text(q, frag);
	for (int i = 0; i < n; i++)
		append_arg(q, QD(d));
}

static int bind_arg(db_stmt_t *st, int idx, const query_arg_t *a)
{
	switch (a->type) {
	case QUERY_INT: return db_bind_int64(st, idx, a->i);
	case QUERY_DATE: return db_bind_date(st, idx, a->d);
	case QUERY_TEXT: return db_bind_text(st, idx, a->s);
	case QUERY_END: break;
	}
	return DB_ERROR;
}

int query_prepare(db_t *db, const query_t *q, db_stmt_t **st, err_t *e)
{
	int rc = DB_OK;

	*st = NULL;
	if (q->bad)
		return err_set(e, ERR_INTERNAL, NULL, "store: %s: %.200s", q->bad, q->sql);
	if (store_prep(db, q->sql, st, e))
		return -1;
	for (int i = 0; i < q->n_args && rc == DB_OK; i++)
		rc = bind_arg(*st, i + 1, &q->args[i]);
	if (rc != DB_OK) {
		db_finalize(*st);
		*st = NULL;
		return store_fail(db, rc, e);
	}
	return 0;
}

int query_run(db_t *db, const query_t *q, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (query_prepare(db, q, &st, e))
		return -1;
	rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE || rc == DB_ROW ? 0 : store_fail(db, rc, e);
}
