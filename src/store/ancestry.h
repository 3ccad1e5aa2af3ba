/*
 * ancestry.h - ancestry through time: the table that makes "within this
 * unit's subtree on this date" a join.
 *
 * Table ancestry (descendant, ancestor, depth, valid_from, valid_to) holds a
 * row for every unit and every unit above it, with the half-open interval
 * over which the second is an ancestor of the first at that depth; each unit
 * is its own ancestor at depth 0 over its whole validity. It is derived from
 * units (validity) and unit_parents (parent intervals) alone, and every
 * function of the store that writes either of those calls ancestry_refresh
 * in the same transaction, so the table is exact at every commit.
 *
 * A row may be cut into several consecutive rows for the same pair when the
 * path between them changed (a branch moved between two communes of one
 * province stays under that province through two rows); as-of queries do
 * not care.
 *
 * What this module does not do: decide scope (store/scope.h does, on top of
 * this table) or check invariants (core/org.h).
 */
#ifndef UB_ANCESTRY_H
#define UB_ANCESTRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "store/db.h"

/* The statement that derives the ancestry rows of the units whose ids the
 * subquery `seed` gives, from units and unit_parents: a recursive walk up,
 * each step intersecting the interval so far with the parent interval.
 * Portable SQL (no date arithmetic, no GREATEST/LEAST). Used by the
 * migration that creates the table (ancestry_refresh uses
 * ANCESTRY_FILL_FROM). */
#define ANCESTRY_FILL_SQL(seed) ANCESTRY_FILL_FROM("units u WHERE u.id IN (" seed ")")

/* The same, for the units u of the FROM clause `from` (its WHERE too):
 * ancestry_refresh's join of its rows of ancestry_work, which SQLite reads
 * by the key's index where an IN list of them was built afresh at every
 * run. */
#define ANCESTRY_FILL_FROM(from)                                                                       \
	"WITH RECURSIVE a(descendant, ancestor, depth, vf, vt) AS ("                                   \
	" SELECT u.id, u.id, 0, u.valid_from, u.valid_to FROM " from                                   \
	" UNION ALL"                                                                                   \
	" SELECT a.descendant, p.parent_id, a.depth + 1,"                                              \
	"  CASE WHEN p.valid_from > a.vf THEN p.valid_from ELSE a.vf END,"                             \
	"  CASE WHEN p.valid_to < a.vt THEN p.valid_to ELSE a.vt END"                                  \
	" FROM a JOIN unit_parents p ON p.unit_id = a.ancestor AND p.valid_from < a.vt AND p.valid_to > a.vf" \
	" WHERE a.depth < 64)"                                                                         \
	" INSERT INTO ancestry (descendant, ancestor, depth, valid_from, valid_to)"                     \
	" SELECT descendant, ancestor, depth, vf, vt FROM a"

/* The ids a refresh lists in ancestry_work, its run bound to the
 * placeholder: a subquery for the refresh's delete and the figures'
 * filters (store/member_tally.c). */
#define ANCESTRY_WORK_IDS "SELECT id FROM ancestry_work WHERE run = ?"

/* Re-derives the rows of unit_id and of every unit ever below it, after a
 * write to unit_id's validity or parent intervals. Runs inside the caller's
 * write transaction (a handful of statements whatever the subtree's size).
 * Returns 0 or -1 with e. */
int ancestry_refresh(db_t *db, int64_t unit_id, err_t *e);

/* Checks the table against a walk up unit_parents, unit by unit: the rows
 * each unit should have (itself over its life, then each parent interval
 * and the parent's own intervals, intersected), with consecutive
 * intervals of one (ancestor, depth) merged on both sides. Each difference
 * is written as one line to `report` (may be NULL) and counted in *n_diff
 * (lines beyond the first 100 are only counted). *n_checked counts the
 * units compared. Reads in a snapshot, in memory proportional to the
 * table. Returns 0 (also when differences were found) or -1 with e. */
int ancestry_check(db_t *db, FILE *report, size_t *n_checked, size_t *n_diff, err_t *e);

#endif
