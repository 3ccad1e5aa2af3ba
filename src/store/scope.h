/*
 * scope.h - which units a caller may see: the subtree of her unit, judged on
 * her today's tree (principal_t.today). Each unit is judged by its latest
 * position: a unit that exists today by where it stands today, a closed
 * unit by where it stood on its last day, a future unit by where it stands
 * on its first day. The roots of a scope are the caller's unit and the
 * units it was formed from (its lineage predecessors), so that the officers
 * of a merged province also see the history of the provinces it came from.
 *
 * Every check is SQL on the ancestry table (store/ancestry.h): a condition
 * joined into a list's query, or one query that marks a whole set of units.
 * Nothing here walks the tree or runs a query per unit.
 */
#ifndef UB_SCOPE_H
#define UB_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/access.h"
#include "core/err.h"
#include "store/db.h"
#include "store/query.h"

/* Fills who->roots, who->n_roots and who->global from who->unit_id, as of
 * who->today. When who->org_version is known (> 0: read with her user's
 * row), the scope the connection read at that version is used again. */
int scope_load(db_t *db, principal_t *who, err_t *e);

/* Appends to q " AND <condition>" that holds when the unit whose id is the
 * SQL expression col lies in who's scope; appends nothing for a global
 * scope. col is SQL written in the program, never text from a request. */
void scope_filter(query_t *q, const principal_t *who, const char *col);
/* The most values scope_filter binds: the roots (padded to at most
 * PRINCIPAL_MAX_ROOTS) and the six days of its rule. */
#define SCOPE_FILTER_VALUES (PRINCIPAL_MAX_ROOTS + 6)

/* Appends a subquery (no parentheses) that selects the ids of the units in
 * who's scope, for "x IN (...)" where a whole scope drives a query (the
 * events of a province). Not for a global scope (it would list every unit). */
void scope_units(query_t *q, const principal_t *who);

/* in[i] = ids[i] lies in who's scope, for i < n (ids may repeat and may
 * be 0, which is never in scope unless the scope is global). One query per
 * SCOPE_MARK_CHUNK ids. Returns 0 or -1 with e. */
#define SCOPE_MARK_CHUNK 256
int scope_mark(db_t *db, const principal_t *who, const int64_t *ids, size_t n, bool *in, err_t *e);

/* *yes when unit_id lies in who's scope. */
int scope_contains(db_t *db, const principal_t *who, int64_t unit_id, bool *yes, err_t *e);

#endif
