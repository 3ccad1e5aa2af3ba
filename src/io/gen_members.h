/*
 * gen_members.h - synthetic members for the demo and for benchmarks,
 * deterministic from a seed (issue 15, item 8).
 *
 * Members are spread over the branches and groups that exist on `today`
 * (units of the two lowest levels), each one's unit drawn at random; they
 * are written unit by unit, in the order of the units' codes (a unit's
 * members have neighbouring ids, as when each branch's list is imported
 * in turn; a commune's mostly). Each joins on a day within her
 * unit's life: most within the last ten years, about a third in the ten
 * years before (so that every date of the last ten has members on the
 * books), aged 18 to 70 then (a few honorary
 * members, some of them men). Names are composed in the real proportions
 * of Vietnamese family names (Nguyễn about 38%, Trần 11%, Lê 9.5%, ...),
 * with Vietnamese middle and given names; ethnic groups mostly Kinh, with
 * the groups of the northern midlands; religion, education and household
 * circumstances (poor, near_poor, disabled, single_mother, migrant_worker)
 * in rough proportions; ID numbers are well-formed CCCDs
 * (core/person.h) that fit the record, unique; phone numbers are mobile
 * numbers. Some members later leave (moved away, married away, left,
 * died) and some move to another branch, so the history has depth.
 *
 * Dues are paid for most of the ten years in which a member was on the
 * books, in the unit she was in that day, at the top unit's rate
 * (GEN_DUES_A_YEAR VND, set for the years that have none).
 *
 * The records are valid by construction and written in bulk
 * (store/member_load.h: indexes built again after, figures counted once,
 * one audit row member.generate), fast enough for the whole country
 * (issue 17: 20 million members). One transaction (or the caller's): on
 * failure nothing is written. Outside a caller's transaction, SQLite's
 * rollback journal is used for it instead of the write-ahead log.
 */
#ifndef UB_GEN_MEMBERS_H
#define UB_GEN_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "store/db.h"

#define GEN_MEMBERS_MAX ((size_t)25000000)
#define GEN_DUES_A_YEAR 12000 /* VND a year: 1,000 a month */

typedef struct gen_members_opts {
	uint64_t seed;   /* the same seed, count and tree: the same members */
	size_t count;    /* 1..GEN_MEMBERS_MAX */
	date_t today;    /* members join before it, within ten years */
	/* called now and then: phase "members" with done of total, then the
	 * load's phases (store/member_load.h) with 0 of 0; may be NULL */
	void (*progress)(void *ctx, const char *phase, size_t done, size_t total);
	void *progress_ctx;
} gen_members_opts_t;

typedef struct gen_members_result {
	size_t members;   /* persons added */
	size_t left;      /* of them, who left since */
	size_t moved;     /* who moved to another branch */
	size_t units;     /* branches and groups they were spread over */
	size_t payments;  /* dues payments */
} gen_members_result_t;

/* Adds o->count members as `who`. Fails with ERR_INVALID when the tree has
 * no branch or group on o->today. Returns 0 or -1 with e. */
int gen_members(db_t *db, const principal_t *who, const gen_members_opts_t *o, gen_members_result_t *out,
		err_t *e);

#endif
