/*
 * member_stats.h - the membership statistics in the store (docs/members.md,
 * "Figures"): a unit's figures on a day, as GET /api/v1/reports/members and
 * `unionbase report members` give them.
 *
 * Two views of time. As of the day: the unit's subtree as the tree stood
 * that day. Mapped onto today's units: the members of that day counted in
 * the units as they are today (the tree of max(today, as_of)); a member in
 * a unit that no longer exists counts under the unit it became through its
 * merges and splits (core/org.h lineage_heir), or, when it was closed
 * without one, under what its parent became. Both views count the same
 * stays (those whose unit existed on the day), so a national total is the
 * same on both; in both a unit's total is its direct members plus its
 * children's totals.
 *
 * Flows over a period [from, to] are counted on one set of units, the
 * report's (the subtree on the tree's date, mapped or not), so that
 * closing = opening + joiners + transfers in - leavers - transfers out
 * holds exactly.
 *
 * Ownership: member_stats_t owns its children and text groups
 * (member_stats_free).
 */
#ifndef UB_MEMBER_STATS_H
#define UB_MEMBER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/tally.h"
#include "core/unit.h"
#include "store/db.h"

#define MEMBER_AGE_BANDS 5 /* under 31, 31-45, 46-60, over 60, and unknown */
#define MEMBER_BREAKDOWN_MAX 64
#define MEMBER_TEXT_TOP 20 /* groups of a free-text breakdown shown; the rest are "other" */

typedef struct member_count {
	char key[16];   /* an ethnic group's code ("" for none given) */
	char name_vi[64], name_en[64];
	int64_t n;
} member_count_t;

typedef struct member_child_count {
	unit_ref_t unit; /* a child of the unit, as of the tree's day */
	int64_t total;   /* members in its subtree */
	int64_t branches;
} member_child_count_t;

/* Why stays ended: the reasons of POST /api/v1/members/{id}/leave, and any
 * other (none today) so that the sum is every stay that ended. */
typedef enum member_leave_reason {
	LEAVE_MOVED_AWAY,
	LEAVE_MARRIED_AWAY,
	LEAVE_LEFT,
	LEAVE_DIED,
	LEAVE_OTHER,
	MEMBER_LEAVE_REASONS
} member_leave_reason_t;

typedef struct member_flows {
	date_t from, to;       /* the period, both days included */
	int64_t opening;       /* members on the day before `from` */
	int64_t joined;        /* stays that began in the period by joining */
	int64_t rejoined;      /* ... by joining again */
	int64_t left[MEMBER_LEAVE_REASONS]; /* stays that ended in it (on `from` .. `to`), by reason */
	int64_t left_total;
	int64_t transfers_in;  /* from a unit outside the report's units */
	int64_t transfers_out; /* to a unit outside them */
	int64_t closing;       /* members on `to` */
	int64_t dues_paid;     /* dues payments made in the period (paid_on) */
	int64_t dues_amount;   /* their sum, VND */
} member_flows_t;

typedef struct member_stats_opts {
	date_t as_of;        /* whose members */
	bool mapped;         /* onto today's units */
	date_t today;        /* for mapped: the units of max(today, as_of) */
	bool with_sensitive; /* ethnicity, religion and every circumstance counted */
	bool flows;          /* and the flows over [from, to] */
	date_t from, to;     /* from <= to */
	bool recount;        /* count from the stays even where the kept figures hold (tests, checks) */
	/* only the totals a report form reads (total, direct, digital,
	 * honorary, branches, dues, and the flows' joiners, leavers, transfers
	 * and dues): no breakdowns, no children, no opening and closing; what
	 * it gives is the full count's. The view as of the day only (the
	 * mapped view counts in full). */
	bool lean;
} member_stats_opts_t;

/* The day of the tree the figures are counted on: as_of, or for the
 * mapped view today (as_of when it lies ahead). Resolve the unit's code on
 * this day. */
static inline date_t member_stats_tree_date(const member_stats_opts_t *o)
{
	return o->mapped && o->today > o->as_of ? o->today : o->as_of;
}

/* The unit of day t that unit id became, into *out (0: none): itself when
 * it exists that day; else the heir of the merge or split that ended it
 * (core/org.h lineage_heir), and on from there; else, closed without one,
 * what its parent on its last day became. Returns 0 or -1 with e. */
int member_stats_heir(db_t *db, int64_t id, date_t t, int64_t *out, err_t *e);

typedef struct member_stats {
	bool mapped;
	date_t tree_date;      /* the day of the units counted in */
	int64_t total;         /* members in the subtree on the day */
	int64_t direct;        /* of them, in the unit itself */
	int64_t honorary;      /* of the total, honorary members */
	int64_t digital;       /* of the total, with digital capacity */
	int64_t branches;      /* branches and groups (units of the two lowest levels) in the subtree */
	int dues_year;         /* the day's year */
	int64_t dues_paid;     /* payments of that year's dues recorded in the subtree */
	int64_t dues_amount;   /* their sum, VND */
	int64_t age[MEMBER_AGE_BANDS]; /* by age on the day: <=30, 31-45, 46-60, >60 */
	member_count_t ethnicity[MEMBER_BREAKDOWN_MAX]; /* by ethnic group, largest first (with_sensitive) */
	size_t n_ethnicity;
	text_groups_t religion;      /* with_sensitive only */
	text_groups_t education, occupation;
	text_groups_t circumstances; /* by word; without with_sensitive the public words only */
	member_child_count_t *children; /* malloc'd; by code */
	size_t n_children;
	bool has_flows;
	member_flows_t flows;
	/* where the figures came from: the figures kept for the day's state
	 * (today's), those kept by day (a past day of the nation), or
	 * counted from the stays (store/member_tally.h) */
	enum { MEMBER_STATS_COUNTED, MEMBER_STATS_KEPT, MEMBER_STATS_BY_DAY } source;
} member_stats_t;

void member_stats_free(member_stats_t *s);

/* The figures of unit_id's subtree (the unit as of member_stats_tree_date)
 * on day o->as_of. A unit's total is its direct members plus its
 * children's totals, on both views. Read from the figures kept in the
 * writes (store/member_tally.h) for the nation and the provinces as of a
 * day after the last change, from the figures kept by day for the nation
 * on any other day (the view as of the day, every child a province, flows
 * that end on the day), counted from the stays otherwise. Returns 0
 * or -1 with e. */
int member_stats(db_t *db, int64_t unit_id, const member_stats_opts_t *o, member_stats_t *out, err_t *e);

#endif
