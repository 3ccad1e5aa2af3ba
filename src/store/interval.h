/*
 * interval.h - writing facts that hold over time: the rows of a table keyed
 * by an owner (a unit, later a member) with a half-open [valid_from,
 * valid_to) interval, one row per owner on any day (names, parents,
 * attributes, memberships). History is never rewritten: a change on day d
 * cuts the interval that contains d and starts a new one; an owner that
 * ends on d has every interval stop the day before.
 *
 * table and key_col are SQL names written in the program, never text from
 * a request. Each function runs inside the caller's transaction and
 * returns 0 or -1 with e.
 */
#ifndef UB_INTERVAL_H
#define UB_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "store/db.h"

/* The interval of owner `key` that contains d: *from and *to, *found false
 * when none does. */
int interval_at(db_t *db, const char *table, const char *key_col, int64_t key, date_t d, date_t *from, date_t *to,
		bool *found, err_t *e);

/* As interval_at, for a table whose rows also hold an integer column
 * value_col (unit_parents and its parent_id): *value is that column of the
 * interval that contains d. */
int interval_value_at(db_t *db, const char *table, const char *key_col, int64_t key, const char *value_col, date_t d,
		      int64_t *value, date_t *from, date_t *to, bool *found, err_t *e);

/* Cuts the interval of `key` that starts on `from` so that it ends on d
 * (d after from): the caller then inserts the row that holds from d. */
int interval_cut(db_t *db, const char *table, const char *key_col, int64_t key, date_t from, date_t d, err_t *e);

/* Ends every interval of `key` on d: rows starting on or after d are
 * removed, the one containing d stops the day before. */
int interval_end(db_t *db, const char *table, const char *key_col, int64_t key, date_t d, err_t *e);

#endif
