/*
 * member_stats.h - the membership statistics in the store (docs/members.md,
 * "Figures"): a unit's figures on a day, as GET /api/v1/reports/members and
 * `unionbase report members` give them.
 *
 * Ownership: member_stats_t owns its children (member_stats_free).
 */
#ifndef UB_MEMBER_STATS_H
#define UB_MEMBER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/unit.h"
#include "store/db.h"

#define MEMBER_AGE_BANDS 5 /* under 31, 31-45, 46-60, over 60, and unknown */
#define MEMBER_BREAKDOWN_MAX 64

typedef struct member_count {
	char key[16];   /* an ethnic group's code ("" for none given) */
	char name_vi[64], name_en[64];
	int64_t n;
} member_count_t;

typedef struct member_child_count {
	unit_ref_t unit; /* a child of the unit, as of the day */
	int64_t total;   /* members in its subtree */
	int64_t branches;
} member_child_count_t;

typedef struct member_stats {
	int64_t total;         /* members in the subtree on the day */
	int64_t direct;        /* of them, in the unit itself */
	int64_t honorary;      /* of the total, honorary members */
	int64_t digital;       /* of the total, with digital capacity */
	int64_t branches;      /* branches and groups (units of the two lowest levels) in the subtree */
	int dues_year;         /* the day's year */
	int64_t dues_paid;     /* payments of that year's dues recorded in the subtree */
	int64_t dues_amount;   /* their sum, VND */
	int64_t age[MEMBER_AGE_BANDS]; /* by age on the day: <=30, 31-45, 46-60, >60 */
	member_count_t ethnicity[MEMBER_BREAKDOWN_MAX]; /* by ethnic group, largest first */
	size_t n_ethnicity;
	member_child_count_t *children; /* malloc'd; by code */
	size_t n_children;
} member_stats_t;

void member_stats_free(member_stats_t *s);

/* The figures of unit_id's subtree on day d, the tree as it stood that day.
 * Ethnicity is counted only when with_sensitive. A unit's total is its
 * direct members plus its children's totals. Returns 0 or -1 with e. */
int member_stats(db_t *db, int64_t unit_id, date_t d, bool with_sensitive, member_stats_t *out, err_t *e);

#endif
