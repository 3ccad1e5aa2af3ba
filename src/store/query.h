/*
 * query.h - SQL written once, bound once: a statement is built from
 * fragments that each carry their own values, so the text and the order of
 * its `?` placeholders cannot drift apart.
 *
 *   query_t q;
 *   query_init(&q);
 *   query_add(&q, "SELECT ... WHERE u.valid_from <= ? AND u.valid_to > ?", QD(d), QD(d));
 *   if (level)
 *           query_add(&q, " AND u.level = ?", QT(level));
 *   query_add(&q, " ORDER BY u.code LIMIT ?", QI(limit + 1));
 *   if (query_prepare(db, &q, &st, e)) ...   // prepares, binds every value
 *
 * Each fragment must be followed by exactly as many values as it has `?`
 * outside quoted literals; a mismatch, a statement over QUERY_MAX_SQL bytes
 * or more than QUERY_MAX_ARGS values makes query_prepare fail with
 * ERR_INTERNAL (a bug, found by the first test that runs the query).
 *
 * Text values are pointers: they must stay valid until query_prepare
 * returns (the driver copies them when binding). A query_t lives on the
 * caller's stack and owns no heap memory.
 */
#ifndef UB_QUERY_H
#define UB_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "store/db.h"

#define QUERY_MAX_SQL 16384
#define QUERY_MAX_ARGS 320

typedef enum query_type { QUERY_END = 0, QUERY_INT, QUERY_DATE, QUERY_TEXT } query_type_t;

typedef struct query_arg {
	query_type_t type;
	int64_t i;
	date_t d;
	const char *s; /* NULL binds SQL NULL */
} query_arg_t;

#define QI(v) ((query_arg_t){ .type = QUERY_INT, .i = (int64_t)(v) })
#define QD(v) ((query_arg_t){ .type = QUERY_DATE, .d = (v) })
#define QT(v) ((query_arg_t){ .type = QUERY_TEXT, .s = (v) })
#define QUERY_END_ARG ((query_arg_t){ .type = QUERY_END })

typedef struct query {
	char sql[QUERY_MAX_SQL];
	size_t len;
	query_arg_t args[QUERY_MAX_ARGS];
	int n_args;
	const char *bad; /* the first problem, or NULL */
} query_t;

/* Empties q. */
void query_init(query_t *q);
/* Appends a fragment and its values (one or more). */
#define query_add(q, frag, ...) query_add_((q), (frag), (const query_arg_t[]){ __VA_ARGS__, QUERY_END_ARG })
/* Appends a fragment without placeholders. */
#define query_sql(q, frag) query_add_((q), (frag), (const query_arg_t[]){ QUERY_END_ARG })

/* Use the macros above. args ends with a QUERY_END value. */
void query_add_(query_t *q, const char *frag, const query_arg_t *args);

/* Appends a fragment every placeholder of which is the day d (the as-of
 * joins repeat it). */
void query_add_dates(query_t *q, const char *frag, date_t d);

/* Prepares q on db and binds every value. Returns 0 and *st (the caller
 * finalizes it), or -1 with e. */
int query_prepare(db_t *db, const query_t *q, db_stmt_t **st, err_t *e);

/* Prepares and runs q, which returns no rows (or whose rows are ignored);
 * 0 or -1 with e. */
int query_run(db_t *db, const query_t *q, err_t *e);

#endif
