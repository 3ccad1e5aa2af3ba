/*
 * org.h - the rules of the organisation tree through time.
 *
 * The store loads the facts an operation needs (the unit, the parent it would
 * get, the parent's ancestors on the date, how many children it has) and asks
 * these functions whether the operation is allowed; only then does it write.
 * Each check returns 0, or -1 with an ERR_CONFLICT (or ERR_INVALID) err_t
 * whose code is one of the invariant names below. No I/O here.
 *
 * Invariants (error codes):
 *   cycle              a unit cannot become its own ancestor
 *   parent_not_valid   a parent must exist over the whole time it is parent
 *   two_parents        a unit has one parent on any day
 *   date_out_of_range  no operation dated before a unit exists
 *   unit_closed        no operation dated on or after a unit is closed
 *   level_order        a child's level is below its parent's
 *   code_taken         a code names one unit on any one date
 *   has_children       a unit with children cannot be closed
 *   same_day_change    one change of a kind (name, parent) per unit per day
 *
 * The plan of a merge or a split (how many units, none twice, every child
 * placed) is checked here too, over the codes and ids the request names;
 * those refusals are ERR_INVALID "invalid" with a detail on the field.
 */
#ifndef UB_ORG_H
#define UB_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/unit.h"

/* Unit u must exist on day d (valid_from <= d < valid_to). */
int org_check_alive(const unit_t *u, date_t d, err_t *e);

/* An operation that changes u from day d on (rename, move, close, being a
 * source of a merge or split) needs u to exist on d and on the day before:
 * a unit cannot be changed on the day it was created. */
int org_check_changeable(const unit_t *u, date_t d, err_t *e);

/* parent may be the parent of a unit of rank child_rank over [from, to):
 * parent exists over the whole interval and its level is above. */
int org_check_parent(const unit_t *parent, int child_rank, date_t from, date_t to, err_t *e);

/* Moving unit_id under a parent whose ancestors on the date are
 * ancestors[0..n) (the parent itself included) would make a cycle. */
int org_check_no_cycle(int64_t unit_id, const char *unit_code, const int64_t *ancestors,
		       size_t n, err_t *e);

/* A change of parent or name starting on d in an interval that starts on
 * interval_from: refused when they are the same day (the unit would have two
 * parents, or two names, that day). what is "parent" or "name". */
int org_check_not_same_day(const char *what, date_t interval_from, date_t d, err_t *e);

/* Closing u on d (its last day d - 1) with n_children units under it on or
 * after d. */
int org_check_close(const unit_t *u, date_t d, int64_t n_children, err_t *e);

/* A code is free for [from, DATE_OPEN) when no other unit holds it then;
 * holder is the unit that does (or NULL when none). */
int org_check_code_free(const char *code, date_t from, const unit_t *holder, err_t *e);

/* Level rank check between a parent and a child (level_order);
 * child_level is the child's level key, or NULL when not known. */
int org_check_level(const unit_t *parent, int child_rank, const char *child_level, err_t *e);

/*
 * Plans of merges and splits. Each check is called where the store has the
 * facts it needs, in the order the store resolves them (so the first
 * problem a request meets is the one reported), and returns 0, or -1 with an
 * ERR_INVALID err_t, code "invalid", and a detail on the field named below.
 */
#define ORG_MERGE_SOURCES_MAX 1000
#define ORG_SPLIT_PARTS_MAX 100
/* The field prefix of part i of a split ("into[1]."), for details. */
#define ORG_SPLIT_PART_FIELD "into[%zu]."

/* A merge goes into exactly one target, a new unit or an existing one (no
 * detail when not), from 1..ORG_MERGE_SOURCES_MAX sources, two or more
 * into a new unit (detail on "sources"). */
int org_check_merge_plan(size_t n_sources, bool into_new, bool into_existing, err_t *e);

/* Source i, resolved to sources[i], is not the same unit as one of
 * sources[0..i) (by id: a code and "id:N" may name the same unit). Detail
 * on "sources". */
int org_check_merge_source(const unit_t *sources, size_t i, err_t *e);

/* The parent code asked for the new unit of a merge is not the code of one
 * of sources[0..n). Detail on "into.parent". */
int org_check_merge_parent(const char *parent_code, const unit_t *sources, size_t n, err_t *e);

/* A split makes 2..ORG_SPLIT_PARTS_MAX parts. Detail on "into". */
int org_check_split_plan(size_t n_parts, err_t *e);

/* Part i does not reuse the code of one of parts[0..i). Detail on
 * ORG_SPLIT_PART_FIELD of i. */
int org_check_split_part(const unit_spec_t *parts, size_t i, err_t *e);

/* Which new part of a split a child of the split unit goes to. */
typedef struct child_assign {
	char child[UNIT_CODE_MAX + 1]; /* code of a child of the split unit */
	char part[UNIT_CODE_MAX + 1];  /* code of the new part it goes to */
} child_assign_t;

/* Splitting the unit unit_code, whose children from the split's date on
 * are children[0..n_children) (one code per parent interval, so a code may
 * repeat), into parts[0..n_parts): every child is assigned by
 * assign[0..n_assign), and every assignment names one of the parts. Every
 * problem is a detail on "children"; then the one error names unit_code. */
int org_check_split_children(const char *unit_code, const char *const *children, size_t n_children,
			     const unit_spec_t *parts, size_t n_parts, const child_assign_t *assign,
			     size_t n_assign, err_t *e);

/*
 * Lineage: predecessors and successors through merges and splits,
 * transitively. The graph is read through a callback so that the walk
 * (breadth-first, each unit once, depth counted from the start) is the same
 * whatever holds the edges.
 */
typedef enum lineage_dir { LINEAGE_BACK = 0, LINEAGE_FORWARD = 1 } lineage_dir_t;

typedef struct lineage_edge {
	int64_t unit_id;   /* the neighbour */
	int64_t event_id;  /* the merge or split that links them */
} lineage_edge_t;

/* Fills out[0..*n) with the neighbours of unit_id in direction dir, at most
 * cap of them; returns 0 or -1 with e set. */
typedef int (*lineage_neighbours_fn)(void *ctx, int64_t unit_id, lineage_dir_t dir,
				     lineage_edge_t *out, size_t cap, size_t *n, err_t *e);

typedef struct lineage_step {
	int64_t unit_id;
	int64_t event_id;
	int depth;         /* 1 for a direct predecessor or successor */
} lineage_step_t;

#define LINEAGE_MAX 4096   /* steps in one direction; a walk beyond is cut */
#define LINEAGE_FANOUT 256 /* neighbours of one unit */

/* Walks from start in direction dir. *steps receives a malloc'd array of *n
 * steps, owned by the caller (free()). The start unit is not included.
 * Returns 0 or -1 (callback failure, no memory). */
int lineage_walk(int64_t start, lineage_dir_t dir, lineage_neighbours_fn fn, void *ctx,
		 lineage_step_t **steps, size_t *n, err_t *e);

/*
 * The heir of a unit that ended in a merge or a split: the one unit its
 * members are counted under in figures mapped onto today's units
 * (docs/members.md, "Mapped onto today's units"). A merge has one target,
 * its heir. A split's heir is the new unit that took the split unit's code
 * (the seat keeps the name of the place), else the first unit it was split
 * into (the lowest id: the new units are created in the order the split
 * lists them). All of a unit's members go to one heir, so totals stay whole
 * and the same for every date asked.
 */
typedef struct lineage_target {
	int64_t unit_id;
	const char *code;
} lineage_target_t;

/* The index in targets[0..n) of the heir of a unit with code `code`;
 * n must be at least 1. */
size_t lineage_heir(const char *code, const lineage_target_t *targets, size_t n);

#endif
