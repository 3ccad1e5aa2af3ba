/*
 * gen_country.h - a synthetic national organisation tree, deterministic from
 * a seed, for benchmarks, load tests and demonstrations at national size.
 *
 * On a database fresh from `unionbase init` (the central union VN, the 63
 * provinces until 2025-06-30 and the 34 from 2025-07-01), gen_country adds:
 *   - about 700 districts (level `district`) under the 63 provinces;
 *   - about 10,000 communes, wards and townships under them, from 2008-08-01;
 *   - about 100,000 women's union branches (chi hội) under the communes and
 *     groups (tổ phụ nữ) under some branches;
 *   - the 2025-07-01 reform: the communes of the provinces that formed each
 *     of the 34 are merged (a few continue alone and are moved) into about
 *     3,321 communes directly under the new province; the merges hand the
 *     branches over to the new communes; the districts are closed.
 * Names are Vietnamese, composed from lists; codes follow the reference and
 * demo data (5-digit communes, 27D01 districts, 00004.03 branches,
 * 00004.03.1 groups) and are unique on every date.
 *
 * Every change goes through the store's operations (org_create, org_merge,
 * org_move, org_close), the same the API uses, so every invariant and every
 * table they maintain holds. Everything runs in one transaction: on failure
 * nothing is written.
 *
 * One artefact of generating after init: init has already given the 63
 * provinces their end (2025-06-30), and the store never lets a unit be
 * created under a parent that ends, so each district is created on
 * 2008-07-31 under VN, and moved under its province from 2008-08-01 once it
 * has been closed on 2025-07-01 (see docs/operations.md).
 *
 * Ownership: nothing to free; gen_country allocates and releases its own
 * working memory.
 */
#ifndef UB_GEN_COUNTRY_H
#define UB_GEN_COUNTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/err.h"
#include "store/db.h"

#define GEN_SCALE_MIN 0.001
#define GEN_SCALE_MAX 3.0

/* Called now and then while the tree is written: the phase ("create",
 * "reform", "districts"), operations done and the phase's total. */
typedef void (*gen_progress_fn)(void *ctx, const char *phase, size_t done, size_t total);

typedef struct gen_opts {
	uint64_t seed;        /* same seed and scale, same tree */
	double scale;         /* 1.0: national size; GEN_SCALE_MIN..GEN_SCALE_MAX */
	int provinces;        /* 0: all 63; else only the first N of the 63 (file
			       * order) get districts and communes (small tests) */
	gen_progress_fn progress; /* NULL: silent */
	void *progress_ctx;
} gen_opts_t;

/* What was written. Counts before the reform are as of 2025-06-30, after it
 * as of 2025-07-01. */
typedef struct gen_stats {
	size_t districts;      /* all closed on 2025-07-01 */
	size_t communes;       /* before the reform */
	size_t branches;       /* on both sides of the reform */
	size_t groups;
	size_t new_communes;   /* after the reform: merged + continued */
	size_t merges;         /* new communes formed by a merge */
	size_t continued;      /* communes that continued alone (moved) */
	size_t units;          /* units created, all levels */
} gen_stats_t;

/* Generates the tree into db as `who` (named in the audit trail). Refuses
 * (ERR_CONFLICT, code "not_empty") a database that already holds districts
 * or communes, and (ERR_INVALID) one whose levels lack commune or branch
 * (district and group are used when configured). Joins the caller's
 * transaction or runs in its own. Returns 0 and fills *stats, or -1 with e
 * (naming the operation that failed) and nothing written. */
int gen_country(db_t *db, const principal_t *who, const gen_opts_t *o, gen_stats_t *stats, err_t *e);

#endif
