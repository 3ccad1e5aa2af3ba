/*
 * targets.h - the targets of a congress term per unit and indicator, and
 * the values to date they are measured against (docs/reports.md,
 * Targets; core/target.h for the status).
 *
 * A row of table targets is a unit's target for an indicator over a
 * term: set by the level above (handed down: base is the value it set,
 * allowance how far the unit may lower its ambition), or by the unit
 * itself (no base). A share (an indicator whose roll-up is a ratio) holds
 * for every unit below the one it is set for, unless one sets its own: the
 * nearest unit above with a target for it hands it down (target_inherited).
 * A count is each unit's own: a commune's target of 20 clubs is not its
 * branches' each.
 *
 * Ownership: the arrays target_list returns are malloc'd and the
 * caller's (free). Every other struct is plain data.
 */
#ifndef UB_TARGETS_H
#define UB_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "core/indicator.h"
#include "core/period.h"
#include "core/target.h"
#include "store/db.h"
#include "store/reports.h"

/* The unit's own targets for term (catalogue order) into *out, *n.
 * Returns 0 or -1 with e. */
int target_list(db_t *db, const char *term, int64_t unit_id, target_row_t **out, size_t *n, err_t *e);

/* The unit's own target for code: *found false when it has none. */
int target_get(db_t *db, const char *term, int64_t unit_id, const char *code, target_row_t *out, bool *found,
	       err_t *e);

/* The nearest unit above unit_id on day d with a target for code (its
 * row into *out): *found false when none has one. */
int target_inherited(db_t *db, const char *term, int64_t unit_id, date_t d, const char *code, target_row_t *out,
		     bool *found, err_t *e);

/* The target that holds for unit_id on day d: its own, else for a share
 * (ind's roll-up a ratio) the nearest unit above's (target_inherited);
 * *found false when none does. */
int target_holding(db_t *db, const char *term, int64_t unit_id, date_t d, const indicator_t *ind, target_row_t *out,
		   bool *found, err_t *e);

/* What binds unit_id's own officials for ind: the target handed down to
 * the unit (its row set from above, with the room given), or a share's
 * held from the nearest unit above as it stands there, with no room
 * (base its value, allowance 0: the room given to that unit is that
 * unit's, not the units' below). *found false when nothing binds. */
int target_bound(db_t *db, const char *term, int64_t unit_id, date_t d, const indicator_t *ind, target_row_t *out,
		 bool *found, err_t *e);

/* Adds or replaces the row t for term, as set by who. */
int target_put(db_t *db, const char *term, const target_row_t *t, const principal_t *who, err_t *e);

/* Removes the unit's target for code (none is no error). */
int target_delete(db_t *db, const char *term, int64_t unit_id, const char *code, err_t *e);

/* The context of the six months before c's term (the baselines' period),
 * into *out: -1 when there is none (it lies before the first period
 * kept, or has not begun by today). Its figures are counted once for
 * every target: pass it to each target_progress. */
int target_baseline_ctx(const report_ctx_t *c, report_ctx_t *out);

/* Where a unit stands on an indicator over a term, on c's today: the
 * value to date (the term's own if it has one; else, for an entered
 * figure, the sum (a flow) or the latest (a stock) of its six-month
 * values so far; a formula of those), and the baseline the path starts
 * from (0 for a flow; for a stock or a share, its value in `before`, the
 * six months before the term (target_baseline_ctx; NULL: none), and
 * has_baseline false when it has none). c is the term's context. Returns
 * 0 or -1 with e. */
int target_progress(report_ctx_t *c, report_ctx_t *before, const indicator_t *ind, report_value_t *value,
		    bool *has_baseline, int64_t *baseline, err_t *e);

#endif
