/*
 * member_rows.h - new member records written in bulk (db_bulk: COPY on
 * PostgreSQL), shared inside the store by an import's batches
 * (store/members.c, member_batch_t) and the generator's load
 * (store/member_load.h). Not for the layers above.
 */
#ifndef UB_MEMBER_ROWS_H
#define UB_MEMBER_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/person.h"
#include "store/db.h"
#include "store/members.h"

/* A record and the texts of its name that the store keeps: the folded
 * name and the sort key, each owned by the row (member_row_clear). */
typedef struct member_row {
	person_t p;
	char *fold, *key;
} member_row_t;

/* Copies p into r and makes its folded name and sort key. On failure r
 * owns nothing. Returns 0 or -1 with e (no memory). */
int member_row_set(member_row_t *r, const person_t *p, err_t *e);
/* Frees what r owns; r may be set again. */
void member_row_clear(member_row_t *r);

/* The rows are n structs `stride` bytes apart, each beginning with a
 * member_row_t; row i gets the id first_id + i. */

/* Writes their persons rows. Returns 0 or -1 with e. */
int member_rows_persons(db_t *db, const void *rows, size_t n, size_t stride, int64_t first_id, err_t *e);
/* Writes each distinct word of their folded names into `table`: with
 * units NULL, a table of person_words' columns (word, person_id,
 * name_key, name_fold); else one of member_words' (unit_id first), the
 * words and a row '' for the whole name at units[i], none where units[i]
 * is 0. Returns 0 or -1 with e. */
int member_rows_words(db_t *db, const char *table, const void *rows, size_t n, size_t stride, int64_t first_id,
		      const int64_t *units, err_t *e);
/* Writes into `table` (member_words' columns) a row '' for the whole name
 * at each of units[i * per_row] .. units[i * per_row + per_row - 1] up to
 * the first 0 (a commune's search rows). Returns 0 or -1 with e. */
int member_rows_names(db_t *db, const char *table, const void *rows, size_t n, size_t stride, int64_t first_id,
		      const int64_t *units, size_t per_row, err_t *e);

#endif
