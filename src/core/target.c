/*
 * target.c - a term's targets and where a unit stands against them
 * (target.h).
 */
#include "core/target.h"

#include <stdio.h>
#include <string.h>

static const char *const DIRECTIONS[] = { "at_least", "at_most" };
static const char *const STATUSES[TARGET_STATUSES] = { "no_data", "behind", "on_track", "reached", "missed" };

const char *target_direction_name(target_direction_t d)
{
	return d == TARGET_AT_MOST ? DIRECTIONS[1] : DIRECTIONS[0];
}

int target_direction_parse(const char *s, target_direction_t *out)
{
	if (!s)
		return -1;
	if (strcmp(s, DIRECTIONS[0]) == 0)
		*out = TARGET_AT_LEAST;
	else if (strcmp(s, DIRECTIONS[1]) == 0)
		*out = TARGET_AT_MOST;
	else
		return -1;
	return 0;
}

const char *target_status_name(target_status_t s)
{
	return s >= 0 && s < TARGET_STATUSES ? STATUSES[s] : "unknown";
}

int64_t target_elapsed(const period_t *term, date_t today)
{
	int64_t days = (int64_t)term->to - term->from + 1, gone = (int64_t)today - term->from + 1;

	if (gone <= 0)
		return 0;
	if (gone >= days)
		return 1000;
	return gone * 1000 / days;
}

int64_t target_expected(int64_t baseline, int64_t target, int64_t elapsed)
{
	/* both below IND_VALUE_MAX (10^15) and elapsed <= 1000: no overflow
	 * in 64 bits; C's division rounds towards zero, so towards the
	 * baseline, which asks no more than the path does */
	return baseline + (target - baseline) * elapsed / 1000;
}

bool target_meets(target_direction_t d, int64_t value, int64_t goal)
{
	return d == TARGET_AT_MOST ? value <= goal : value >= goal;
}

target_status_t target_status(target_direction_t d, bool has, int64_t value, int64_t expected, int64_t target,
			      int64_t elapsed)
{
	if (!has)
		return TARGET_NO_DATA;
	if (target_meets(d, value, target))
		return TARGET_REACHED;
	if (elapsed >= 1000)
		return TARGET_MISSED;
	return target_meets(d, value, expected) ? TARGET_ON_TRACK : TARGET_BEHIND;
}

bool target_within(target_direction_t d, int64_t base, int64_t allowance, int64_t v)
{
	return d == TARGET_AT_MOST ? v <= base + allowance : v >= base - allowance;
}

void target_adjust(const target_row_t *bound, target_row_t *row, bool has_value, const char *field, err_t *e)
{
	char sub[IND_CODE_MAX + 32], lim[32];

	if (row->direction != bound->direction) {
		snprintf(sub, sizeof(sub), "%s.direction", field);
		err_field(e, sub, "managed_from_above", "the direction of {indicator} is given by the level above",
			  ERR_STR("indicator", row->indicator));
	}
	row->has_base = true;
	row->base = bound->base;
	row->allowance = bound->allowance;
	if (!has_value || target_within(row->direction, row->base, row->allowance, row->value))
		return;
	ind_milli_format(row->direction == TARGET_AT_MOST ? row->base + row->allowance : row->base - row->allowance, lim,
			 sizeof(lim));
	snprintf(sub, sizeof(sub), "%s.value", field);
	err_field(e, sub, "beyond_allowance", "is less ambitious than the level above allows ({limit})",
		  ERR_STR("limit", lim));
}
