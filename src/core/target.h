/*
 * target.h - a term's targets and where a unit stands against them
 * (docs/reports.md, Targets).
 *
 * A target is set per indicator, unit and congress term: "at least 80%
 * of members meet digital capacity by the end of the term", "at most 2%
 * of households poor". Its status on a day of the term compares the
 * value to date with the straight path from the term's start (the
 * baseline: the value before the term began, 0 for a flow counted over
 * the term) to the target at its end:
 *   reached   the value meets the target;
 *   on_track  it meets the path's point for the share of the term gone;
 *   behind    it does not;
 *   missed    the term is over and the target was not reached;
 *   no_data   there is no value yet.
 * A target handed down by the level above may be adjusted by the unit
 * itself within the allowance the level above gave: it may always be
 * more ambitious, and less ambitious by at most the allowance.
 *
 * Ownership: none; plain data, no I/O (store/targets.h keeps the rows).
 */
#ifndef UB_TARGET_H
#define UB_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/indicator.h"
#include "core/period.h"

typedef enum target_direction { TARGET_AT_LEAST, TARGET_AT_MOST } target_direction_t;

typedef enum target_status {
	TARGET_NO_DATA,
	TARGET_BEHIND,
	TARGET_ON_TRACK,
	TARGET_REACHED,
	TARGET_MISSED,
	TARGET_STATUSES
} target_status_t;

/* A unit's target for an indicator over a term. */
typedef struct target_row {
	char indicator[IND_CODE_MAX + 1];
	int64_t unit_id;                 /* the unit it holds for */
	int64_t value;                   /* milli */
	target_direction_t direction;
	bool has_base;                   /* handed down by the level above */
	int64_t base, allowance;         /* milli: what it set, and the room it gave */
	int64_t set_by_unit;             /* the unit whose official set it last; 0: the command line */
	char set_by[64];
} target_row_t;

/* "at_least", "at_most". */
const char *target_direction_name(target_direction_t d);

/* 0, or -1 when s names no direction. */
int target_direction_parse(const char *s, target_direction_t *out);

/* "no_data", "behind", "on_track", "reached", "missed". */
const char *target_status_name(target_status_t s);

/* The share of term gone by the end of day `today`, in thousandths: 0
 * before it begins, 1000 from its last day on. */
int64_t target_elapsed(const period_t *term, date_t today);

/* The path's point at `elapsed` (thousandths of the term): baseline +
 * (target - baseline) * elapsed / 1000, rounded towards the baseline. */
int64_t target_expected(int64_t baseline, int64_t target, int64_t elapsed);

/* Whether value meets goal in direction d. */
bool target_meets(target_direction_t d, int64_t value, int64_t goal);

/* The status of a target (see above) whose path's point today is
 * `expected` (target_expected, maybe rounded as the indicator is
 * written); has false: no value yet. */
target_status_t target_status(target_direction_t d, bool has, int64_t value, int64_t expected, int64_t target,
			      int64_t elapsed);

/* Whether a unit's own value v for a target handed down as base, with
 * allowance (>= 0), is within what the level above allows. */
bool target_within(target_direction_t d, int64_t base, int64_t allowance, int64_t v);

/* The unit's own officials' row for a target that binds the unit (bound:
 * handed down, with its base and allowance; store/targets.h,
 * target_bound): row takes bound's base and allowance. A detail on e
 * under field (field.direction, field.value) when row changes the
 * direction (managed_from_above) or, has_value, its value lies beyond the
 * allowance (beyond_allowance, {limit}: the least ambitious value
 * allowed). */
void target_adjust(const target_row_t *bound, target_row_t *row, bool has_value, const char *field, err_t *e);

#endif
