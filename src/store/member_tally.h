/*
 * member_tally.h - the membership figures kept exact inside every write
 * (docs/architecture.md, "Figures kept inside the writes"), so that a
 * nation's or a province's statistics are read from a few thousand rows,
 * not counted from a million stays.
 *
 * Table member_tally (unit_id, dim, value, n, amount) holds the figures of
 * the state at the end of time: the stays that still hold (valid_to
 * 9999-12-31) and the tree as it will stand (the ancestry rows that still
 * hold). Every unit has its members ('total') and its branches and groups
 * ('branches'); the units of the two highest levels (the nation and the
 * provinces) also have:
 *   - their members by what the statistics break them down by: 'honorary',
 *     'digital', 'born' (by date of birth), 'eth' (ethnic group code),
 *     'religion', 'education', 'occupation', 'circ' (the texts as stored);
 *   - every stay's start and end, by day: 'start:<reason>' (joined,
 *     rejoined, ...), 'end:<reason>' (moved_away, died, ...), and 'tin' and
 *     'tout' for a transfer from (to) a unit outside the subtree; a transfer
 *     within it counts neither way. The members on a day before are the
 *     total less the starts after it plus the ends after it;
 *   - dues payments by year ('dues') and by day paid ('paid'), n and the
 *     sum in amount;
 * and the provinces (the second-highest level) how many of their search
 * rows (member_words, below) each word has ('word', the word), which a
 * search reads to choose how to walk them (store/members.c).
 * The figures hold for any day on or after meta 'tally_from', the last day
 * on which a stay or the tree changed; member_stats reads them for such a
 * day and counts from the stays before it.
 *
 * Table member_days (unit_id, dim, value, n, amount), schema 26, holds the
 * figures by day (dims beginning '@'), kept by the same statements in the
 * same writes, which answer any day for the nation on the view as of that
 * day (whose tree is that day's). A stay counts
 * under each ancestry row of her unit at the ancestor from the later of
 * their first days (+1) to the earlier of their ends (-1), so that the
 * sum of the rows of days up to d is the members on d: at the nation and
 * at the provinces '@total' ("DAY"), at the nation also '@honorary',
 * '@digital', '@eth', '@religion', '@education', '@occupation', '@circ'
 * ("DAY TEXT") and '@age' ("DAY BAND": each stay cut at the birthdays that
 * move her between bands). At the nation, the flows, by the day of the
 * event and the ancestry row of the unit ("DAY AF AT ...", AF the row's
 * first day or the event's when later: the row is among the units counted
 * on a tree's day t, never before the event, when AF <= t < AT): '@s' and
 * '@e' ("DAY AF AT REASON": each stay's start and end, n 1), '@in' and
 * '@out' ("DAY AF AT OF OT": a move's other stay's row, to tell a move
 * within the units counted from one across their edge), '@paid' ("DAY AF
 * AT"), and the dues of a year, '@dues' ("YEAR AF AT"), n and amount.
 * At both levels, '@branches' ("DAY": a branch or group under each
 * ancestry row, +1 and -1; its rows lie within its life).
 * store/member_stats.c, day_pass, reads them.
 *
 * Table member_words (unit_id, word, name_key, person_id, name_fold) is
 * kept the same way for the search of a province's or a commune's members:
 * for each member at the end of time, at the unit of the second-highest
 * level above her stay, a row for each word of her name (as in
 * person_words) and a row '' for the whole name, and at each unit between
 * it and the branches (her commune; schema 27) the row '' only. One index on all its
 * columns gives a province's or a commune's members in name order, or a
 * province's with a word, without reading the stays or the records.
 *
 * Each write takes its part out and puts it back: member_tally_person
 * (-1) before a person's stays, record or dues change, (+1) after (and
 * after her person_words); and
 * ancestry_refresh does the same for everyone with a stay or a payment in
 * the units whose ancestry it rewrites (member_tally_work). A row may be
 * left at zero.
 */
#ifndef UB_MEMBER_TALLY_H
#define UB_MEMBER_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/date.h"
#include "core/err.h"
#include "store/db.h"

/* Takes out (sign -1) or puts back (+1) everything of one person's: her
 * stays, her record's fields while a stay holds, her payments. The +1 call
 * moves 'tally_from' to her stays' last change. Nothing while the figures
 * are suspended. Returns 0 or -1 with e. */
int member_tally_person(db_t *db, int64_t person_id, int sign, err_t *e);

/* New records stored together (store/members.h, member_batch_store) are
 * counted in memory (store/member_load.h, member_load_count_begin); their
 * search rows wait in two temporary tables, made by
 * member_tally_batch_tables: by word in MEMBER_BATCH_PERSON_WORDS (of
 * person_words' columns), by unit in MEMBER_BATCH_WORDS (member_words').
 * member_tally_batches_end puts those of every batch into person_words
 * and member_words, in their keys' order: rows added at random places of
 * an index larger than the cache cost more than the records themselves.
 * All in the caller's write transaction, the end before its commit;
 * nothing between them reads the search rows of these people. Each
 * returns 0 or -1 with e. */
#define MEMBER_BATCH_PERSON_WORDS "batch_person_words"
#define MEMBER_BATCH_WORDS "tally_batch_words"
int member_tally_batch_tables(db_t *db, err_t *e);
int member_tally_batches_end(db_t *db, err_t *e);

/* The same for the units listed in ancestry_work under run (their branches) and for
 * everyone with a stay or a payment in them; the +1 call moves
 * 'tally_from' to their ancestry's last change. For ancestry_refresh. */
int member_tally_work(db_t *db, int64_t run, int sign, err_t *e);

/* For a bulk load that counts its people's figures and search rows itself
 * (store/member_load.c, the generator's): whether the figures are kept
 * (not suspended) at all; the scratch table it fills, made here:
 * MEMBER_LOAD_TALLY with member_tally's columns (its search rows by unit go
 * straight into member_words, whose indexes it has set aside); and at its
 * end, member_tally_load_end adds MEMBER_LOAD_TALLY into member_tally
 * (and member_days), drops it, and moves 'tally_from' on to `latest`, the
 * latest day a stay of the load's starts or ends. store/test_bulk.c compares what such a load counts with the
 * recount. Each returns 0 or -1 with e. */
#define MEMBER_LOAD_TALLY "tally_load"
int member_tally_kept(db_t *db, bool *kept, err_t *e);

/* Adds the units' figures by day ('@branches') of every unit: the part of
 * them no person's rows hold (store/member_load.h, member_load_days_fill,
 * counts the rest). Returns 0 or -1 with e. */
int member_tally_days_units(db_t *db, err_t *e);

/* member_tally_rebuild without the figures by day: for the migration to
 * schema 15, which comes before their table (schema 26 fills them:
 * store/member_load.h, member_load_days_fill).
 * Returns 0 or -1 with e. */
int member_tally_rebuild_15(db_t *db, err_t *e);

/* Whether unit_id's figures by day are kept (*hold): the figures are
 * kept and it is of the highest level. Returns 0 or -1 with e. */
int member_tally_days(db_t *db, int64_t unit_id, bool *hold, err_t *e);

/* The temporary tables of a bulk load (store/member_load.h): the search
 * rows of its people by word (MEMBER_BATCH_PERSON_WORDS) and, when it counts
 * (the figures are kept), the figures it counted (MEMBER_LOAD_TALLY).
 * member_tally_load_words_end moves the search rows by word into
 * person_words in its key's order (the table is its key on SQLite, and
 * PostgreSQL keeps its primary key through the load); those by unit went
 * into member_words as they came, in no order: its indexes, set aside,
 * sort them when they are built (sorting them before too cost a tenth of
 * the load). member_tally_load_end adds the figures to the kept ones. Each
 * returns 0 or -1 with e. */
int member_tally_load_tables(db_t *db, bool counting, err_t *e);
int member_tally_load_words_end(db_t *db, err_t *e);
int member_tally_load_end(db_t *db, date_t latest, err_t *e);

/* Stops keeping the figures (a bulk load: `generate`), until
 * member_tally_rebuild. Reads count from the stays meanwhile. */
int member_tally_suspend(db_t *db, err_t *e);

/* Recounts the table from the stays, payments and ancestry, and keeps it
 * from then on. In the caller's transaction, or its own. After a bulk load
 * in the same transaction, call store_analyze first: PostgreSQL plans the
 * count from statistics, and without them it ran past 20 minutes for a
 * million members. */
int member_tally_rebuild(db_t *db, err_t *e);

/* Whether the figures can be read for day d: kept, and d on or after
 * 'tally_from'. */
int member_tally_holds(db_t *db, date_t d, bool *holds, err_t *e);

/* Which kept search rows (member_words) a search of unit_id's members on
 * day d can read, in *tier: 1, a province's words and whole names; 2, the
 * whole names of a unit between the provinces and the branches (a
 * commune); 0, none (the figures not kept, d before 'tally_from', or
 * unit_id of another level). */
int member_words_tier(db_t *db, int64_t unit_id, date_t d, int *tier, err_t *e);

/* Whether unit_id is of the two highest levels (its full figures kept). */
int member_tally_full(db_t *db, int64_t unit_id, bool *full, err_t *e);

/* Recounts both tables (figures and search rows) into scratch tables and
 * compares: each row that differs is a
 * line on report (may be NULL; beyond 100 only counted) and counts in
 * *n_diff; *n_rows the rows compared. *kept false (nothing compared)
 * while suspended. Returns 0 (also when rows differ) or -1 with e. */
int member_tally_check(db_t *db, FILE *report, bool *kept, size_t *n_rows, size_t *n_diff, err_t *e);

#endif
