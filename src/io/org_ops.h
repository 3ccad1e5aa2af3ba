/*
 * org_ops.h - reorganisation operations read from CSV, and the reference
 * data every database starts with.
 *
 * An operations file has the columns
 *   op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note
 * with op one of create, merge, rename, attributes, move, close (see data/demo-units.csv
 * and docs/api.md for what each needs). Operations are applied in date order
 * (stable: for one date, in file order), through the same store functions
 * the API uses, so every invariant holds for loaded data too.
 *
 * The reference data (built in): the central union VN (from 1930-10-20, the
 * union's founding day), the 63 provinces as they stood from 2008-08-01 to
 * 2025-06-30, the 34 provinces formed from them on 2025-07-01 (merges, and
 * one rename: Thừa Thiên Huế became Huế), and the 54 ethnic groups.
 */
#ifndef UB_ORG_OPS_H
#define UB_ORG_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/access.h"
#include "core/err.h"
#include "store/db.h"

/* Loads the levels (default: central, province, district, commune, branch,
 * group; or the comma-separated keys in `levels`), the reference data and,
 * when demo is true, the built-in demo units, in one transaction (or in
 * the caller's, when one is open).
 * Returns 0, or -1 with e (the line of the failing operation in the message)
 * and nothing written. */
int org_seed(db_t *db, const char *levels, bool demo, date_t today, err_t *e);

/* Applies the operations of an operations CSV document (in date order) in
 * one transaction, as `who` (named in the audit trail). *applied counts
 * them. Nothing is applied unless the whole file reads: the document is
 * parsed by csv_table (its refusals: csv_table.h), the header checked
 * (unknown_column with a suggestion, missing_column, unnamed_column), and
 * every row checked (op, date, byte bounds) before the first is applied;
 * the bad rows are each a detail ("line 3, date"; parameters line, column,
 * value or max) of one error `invalid` (parameters file, count). At most
 * 200,000 operations (`too_large`). An operation the store refuses stops
 * the file there, with its own code and the file and line added.
 * Returns 0 or -1 with e; nothing is written on failure. */
int org_ops_apply_csv(db_t *db, const principal_t *who, const char *csv, size_t len, size_t *applied,
		      err_t *e);

/* A plan: an operations file read and checked (as org_ops_apply_csv does
 * before applying), its operations in the order they apply, for a caller
 * that checks or previews each one itself (the API checks the caller's
 * scope before each, inside its own transaction). Owned by the caller:
 * release it with org_plan_free. */
typedef struct org_plan org_plan_t;

/* One operation of a plan; the strings are borrowed from the plan ("" when
 * the file leaves the column empty). sources: codes separated by spaces. */
typedef struct org_plan_op {
	const char *op, *code, *parent, *sources;
	date_t date;
	size_t line; /* the line of the file it was read from */
} org_plan_op_t;

/* Reads csv[0..len) into *out, with every refusal org_ops_apply_csv makes
 * before applying anything. origin names the file in messages and in the
 * errors' parameter `file`; NULL leaves both without it (the API's plan is
 * not a file). Returns 0, or -1 with e and *out NULL. */
int org_plan_read(const char *csv, size_t len, const char *origin, org_plan_t **out, err_t *e);
size_t org_plan_count(const org_plan_t *p);
/* Operation i (< org_plan_count) into *out. */
void org_plan_get(const org_plan_t *p, size_t i, org_plan_op_t *out);
/* Applies operation i as `who` through the store (joining the caller's
 * transaction). Returns 0, or -1 with the store's refusal and the
 * parameters line and (with an origin) file. */
int org_plan_apply(db_t *db, const principal_t *who, const org_plan_t *p, size_t i, err_t *e);
void org_plan_free(org_plan_t *p);

#endif
