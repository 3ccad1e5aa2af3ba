/*
 * scope.h - which units a caller may see: the subtree of her unit, judged on
 * today's tree. Each unit is judged by its latest position: a unit that
 * exists today by its parent today, a closed unit by its parent on its last
 * day, a future unit by its parent on its first day. The roots of a scope
 * are the caller's unit and the units it was formed from (its lineage
 * predecessors), so that the officers of a merged province also see the
 * history of the provinces it came from.
 */
#ifndef UB_SCOPE_H
#define UB_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/access.h"
#include "core/err.h"
#include "store/db.h"

/* Fills who->roots, who->n_roots and who->global from who->unit_id. */
int scope_load(db_t *db, principal_t *who, err_t *e);

/* *yes when unit_id lies in who's scope. */
int scope_contains(db_t *db, const principal_t *who, int64_t unit_id, bool *yes, err_t *e);

/* Writes into buf an SQL condition "col IN (...)" that holds for the units
 * in who's scope ("1 = 1" for a global scope). The condition has
 * *n_dates placeholders, all to be bound to today, in the order they appear.
 * Returns 0 or -1 when buf is too small. */
int scope_sql(const principal_t *who, const char *col, char *buf, size_t cap, int *n_dates);

#endif
