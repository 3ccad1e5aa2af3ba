/*
 * member_load.h - members with their history written in bulk: the
 * generator's way in (io/gen_members.h) at the scale of the whole country
 * (issue 17: 20 million members). Not for data typed or imported, which
 * go through the registry's own writes (store/members.h); an import's new
 * records are counted by the same code, though (member_load_count_begin,
 * below).
 *
 * The load sets aside the secondary indexes of the member tables
 * (persons, memberships, person_words, member_words, dues_payments: those
 * a DROP INDEX can drop) and builds them again at its end, each by one
 * sort: rows put at random places of an index larger than the cache cost
 * more than the rows themselves. Records go in batches (db_bulk: COPY on
 * PostgreSQL), their name words wait in a temporary table and go into
 * person_words in its key's order, their search rows by unit straight into
 * member_words (its indexes, set aside, sort them); the figures are
 * counted by the load in memory, as member_tally.c's statements define
 * them, and added to the kept ones (recounted by member_tally_rebuild
 * when they are not kept). One audit row says what was loaded
 * (member.generate). On PostgreSQL the dropped indexes lock the member
 * tables against every reader until the load commits: a load is for a
 * database no one uses meanwhile.
 *
 * Everything runs in the caller's write transaction: a failure, a crash or
 * a kill leaves the database as it was. The caller vouches for the rows
 * (the generator makes them valid): the load checks that each stay's and
 * payment's unit goes on (it has no end), that stays follow one another
 * with only the last open, that each payment falls in a stay of hers in
 * its unit, and that her ethnic group exists; the rest is what the
 * database's constraints check.
 */
#ifndef UB_MEMBER_LOAD_H
#define UB_MEMBER_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "core/person.h"
#include "store/db.h"
#include "store/member_rows.h"
#include "store/members.h"

#define LOAD_STAYS_MAX 4     /* stays of one member */
#define LOAD_PAYMENTS_MAX 16 /* dues payments of one member */
#define LOAD_REASON_BUF 32
/* The units between a member's province and her branch that get her whole
 * name's search row (store/member_tally.h): at most this many levels. */
#define MEMBER_LOAD_NAME_UNITS 4

/* One stay: in unit_id from `from` until `to` (DATE_OPEN while it holds). */
typedef struct load_stay {
	int64_t unit_id;
	date_t from, to;
	char start_reason[LOAD_REASON_BUF]; /* "joined", "transferred", ... */
	char end_reason[LOAD_REASON_BUF];   /* "" while it holds */
} load_stay_t;

/* Her dues for `year`, paid on paid_on in unit_id (the unit of her stay
 * that day). */
typedef struct load_payment {
	int year;
	int64_t unit_id;
	int64_t amount;
	date_t paid_on;
} load_payment_t;

typedef struct load_member {
	person_t p;
	member_kind_t kind;
	load_stay_t stays[LOAD_STAYS_MAX]; /* in order, each from the day the last ends or later */
	size_t n_stays;                    /* 1..LOAD_STAYS_MAX */
	load_payment_t pay[LOAD_PAYMENTS_MAX];
	size_t n_pay;
} load_member_t;

typedef struct member_load member_load_t;

/* Members are stored a batch at a time; the figures of the next batch are
 * counted on a thread of the load's own meanwhile. */
#define MEMBER_LOAD_BATCH 1024

/* Begins a load as `who` inside the caller's write transaction; *out is
 * the caller's, freed by member_load_free. Returns 0 or -1 with e. */
int member_load_begin(db_t *db, const principal_t *who, member_load_t **out, err_t *e);
/* Calls fn(ctx, phase) as the end of the load begins each of its phases
 * ("words", "indexes", "figures", "search"), for a progress display. */
void member_load_on_phase(member_load_t *l, void (*fn)(const void *ctx, const char *phase), const void *ctx);
/* Adds one member (copied); written a batch after the one she is in
 * fills, or by member_load_end. Returns 0 or -1 with e (then the caller
 * rolls back). */
int member_load_add(member_load_t *l, const load_member_t *m, err_t *e);
/* Writes what is left, builds the indexes, the figures and the search
 * rows, writes the audit row (detail: `what`). Returns 0 or -1 with e. */
int member_load_end(member_load_t *l, const char *what, err_t *e);
/* Frees l (NULL is fine); an unended load leaves the transaction to be
 * rolled back. */
void member_load_free(member_load_t *l);

/* The figures of an import's new records (store/members.h,
 * member_batch_t), each with one stay that holds, from the day she joined,
 * in a unit that goes on and is or was under `under` (0: any unit; a unit
 * under it today may leave it on a day recorded ahead), counted in memory
 * as the generator's are, rather than by member_tally.c's statements over
 * each batch (41% of a million rows' commit, 2026-12-06). In the caller's
 * write transaction, which no change of the tree comes into meanwhile:
 * the begin reads the ancestry of the units under `under` once. *out is
 * the caller's (member_load_free). Nothing is counted while the figures
 * are suspended (member_load_counting false).
 * member_load_count counts one record (its folded name in row) and says
 * where her search rows go: *word_unit her province (0: none), and
 * name_units (MEMBER_LOAD_NAME_UNITS of them, 0 after the last) the units
 * between it and her branch; a unit never under `under`, or with an end,
 * is an error, not a figure lost. member_load_count_end adds what was counted
 * to the kept figures and moves 'tally_from' to the latest day joined;
 * once (a second call adds nothing). Each returns 0 or -1 with e. */
int member_load_count_begin(db_t *db, int64_t under, member_load_t **out, err_t *e);
bool member_load_counting(const member_load_t *l);
int member_load_count(member_load_t *l, const member_row_t *row, member_kind_t kind, int64_t unit_id, date_t joined,
		      int64_t *word_unit, int64_t *name_units, err_t *e);
int member_load_count_end(member_load_t *l, err_t *e);

/* SQLite, before the transaction of a load that adds much to the file
 * (`on`) and after it (`on` false): the rollback journal instead of the
 * write-ahead log, which would hold a copy of every page the load writes
 * (as large again as the database) until the end; and the foreign keys
 * not checked at every row (a stay's person and unit, a payment's: two
 * lookups each; the load checks that each unit goes on, and numbers the
 * persons itself); a commit under the journal is made durable in full.
 * With another connection open the log stays (after the connection's
 * busy timeout). Going back, only a failure to check the foreign keys
 * again is one (the log comes back at the next open at the latest).
 * Nothing on PostgreSQL. Returns 0 or -1 with e. */
int member_load_mode(db_t *db, bool on, err_t *e);

/* Counts everyone's figures by day (table member_days, store/member_tally.h)
 * afresh, in C, reading each stay and payment once: the migration to
 * schema 26 (the statements of store/member_tally.c, which keep them
 * inside the writes, sort every contribution of everyone: minutes for a
 * million members, hours for the country). Nothing while the figures are
 * suspended. In the caller's transaction, or one of its own; unionbase
 * check compares the result with the statements' recount. Returns 0 or -1 with e. */
int member_load_days_fill(db_t *db, err_t *e);

#endif
