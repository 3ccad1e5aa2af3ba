/*
 * util.h - what every module of the store shares: turning a driver failure
 * into an err_t, joining or owning a transaction, the time as text.
 */
#ifndef UB_STORE_UTIL_H
#define UB_STORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/db.h"

/* Sets e from the last failure of db: ERR_CONFLICT for a unique violation,
 * ERR_UNAVAILABLE code "store_unavailable" when the database cannot be
 * reached, code "busy" for DB_BUSY (retry the transaction), ERR_INTERNAL
 * otherwise. */
void store_fail_(db_t *db, int rc, err_t *e);

/* store_fail_ that returns -1, for `return store_fail(...)`. */
static inline int store_fail(db_t *db, int rc, err_t *e)
{
	store_fail_(db, rc, e);
	return -1;
}

/* Prepares sql; 0, or -1 with e. */
int store_prep(db_t *db, const char *sql, db_stmt_t **st, err_t *e);

/* Joins the caller's transaction or opens one; *own says which. */
int store_tx_begin(db_t *db, bool *own, err_t *e);

/* Ends what store_tx_begin started: commits an owned transaction when r is
 * 0, rolls it back otherwise; a joined transaction is left to its owner.
 * Returns 0, or -1 when r was non-zero or the commit failed. */
int store_tx_end(db_t *db, bool own, int r, err_t *e);

/* Gives PostgreSQL's planner the statistics of the rows now in the tables,
 * this transaction's too (SQLite plans from its rules: nothing to do). Call
 * it after a bulk load, never before one: a table analysed empty is planned
 * as staying empty, and the sequential scans cached for its foreign-key
 * checks then read the whole table at every insert (`init --demo` took
 * over 400 s instead of 72). Returns 0, or -1 with e. */
int store_analyze(db_t *db, err_t *e);

/* ANALYZE of the tables named (SQL written in the program: "persons,
 * memberships"), on PostgreSQL only, in the caller's transaction: a long
 * load that fills tables while it reads them (an import) runs it now and
 * then, so that its later statements are planned for the rows it added,
 * not for the empty tables the statistics still describe. */
int store_analyze_tables(db_t *db, const char *tables, err_t *e);

/* The statistics of tables that one long transaction fills from (nearly)
 * empty, taken again as it fills them: store_growth_step counts one change,
 * and runs store_analyze_tables on the 256th and again each time the count
 * doubles (a few ANALYZEs for any length). PostgreSQL's autovacuum never
 * sees a transaction's own rows: without this its planner goes on planning
 * every statement for the empty tables of the start. For init's tree and
 * the generator's; not for changes to tables already full, whose statistics
 * are right (each ANALYZE would cost a sample of every table for nothing).
 * Start from STORE_GROWTH_INIT. Returns 0, or -1 with e. */
typedef struct store_growth {
	size_t changes, next;
} store_growth_t;
#define STORE_GROWTH_INIT { 0, 256 }
int store_growth_step(db_t *db, store_growth_t *g, const char *tables, err_t *e);

/* Readies the connection for one long write transaction of many rows (an
 * import): on SQLite a page cache of STORE_BULK_CACHE_MB for it, so
 * that the pages it changes stay in memory instead of being written to
 * the log and read back again and again (a profile of a 20,000-row
 * import spent a third of its time so). 48 MiB, not 64: an import of
 * an XLSX of a million rows with shared strings peaked at 183 MB with 64,
 * and the workbooks Excel allows (1,048,576 rows) may hold more strings
 * (issue 16: under 200 MB); 200,000 rows were stored no slower
 * (BENCHMARKS.md, 2026-12-06). Nothing on PostgreSQL, whose cache is the
 * server's. The cache stays for the connection's life, or until
 * store_cache_mb. */
#define STORE_BULK_CACHE_MB 48
int store_bulk_writes(db_t *db, err_t *e);

/* SQLite: a page cache of mb MiB for the connection's next statements
 * (PRAGMA cache_size; it holds until changed again, and may change inside
 * a transaction: pages not yet written stay). Nothing on PostgreSQL.
 * Returns 0, or -1 with e. */
int store_cache_mb(db_t *db, int mb, err_t *e);

/* The page cache for statements that sort many rows into tables in their
 * keys' order (an import's search rows at its end, the generator's
 * indexes): SQLite sorts in as much memory as the page cache may hold,
 * and rows written in their keys' order need few pages at a time. At an
 * import's page cache of 64 MiB, beside the keys it had seen, a million
 * rows peaked at 226 MB at their end, past the 200 MB an import may use
 * (BENCHMARKS.md, 2026-12-06 01:11). */
#define STORE_SORT_CACHE_MB 32

/* SQLite: the number a PRAGMA that reads a setting answers ("PRAGMA
 * threads") into *out. Returns 0, or -1 with e (also when it answers no
 * row). */
int store_pragma_int(db_t *db, const char *pragma, int64_t *out, err_t *e);

/* SQLite, outside a transaction: the connection's temporary storage in
 * memory, its setting before (PRAGMA temp_store: 0, 1 or 2) into *was,
 * which store_temp_put_back sets again. In a long transaction of many
 * small statements (the generator's tree: 113,000 units and their
 * history) each statement keeps the pages it changes in a statement
 * journal that spills to a temporary file past 64 KiB, and each
 * temporary table of a query (a recursive walk's queue) opens a pager of
 * its own: the tree's three phases took 92 s so and 37 s in memory
 * (--members 100000, BENCHMARKS.md). Not for a transaction with large
 * temporary tables or sorts of its own (the member load's: gigabytes at
 * national size). A change drops the connection's TEMP tables. Nothing
 * on PostgreSQL (*was -1). Return 0, or -1 with e. */
int store_temp_in_memory(db_t *db, int *was, err_t *e);
int store_temp_put_back(db_t *db, int was, err_t *e);

/* After a bulk load is committed, outside any transaction: PostgreSQL's
 * VACUUM (ANALYZE), whose visibility map lets an index be read alone (a
 * province's search counted its rows from the table's pages instead: 35 ms
 * at the median on a million members, 14 ms after). Nothing on SQLite, whose
 * VACUUM rewrites the file. Returns 0, or -1 with e. */
int store_vacuum(db_t *db, err_t *e);

/* Room for item n of the array v of *cap items of `size` bytes: v itself,
 * or v moved to twice the room (16 at first) when it is full. Returns the
 * array, the caller's to free, or NULL with e when memory runs out (v is
 * then unchanged and still the caller's). */
void *store_grow(void *v, size_t *cap, size_t n, size_t size, err_t *e);

/* Now as ISO 8601 UTC text ("2026-11-26T11:40:04Z"). */
void store_now_iso(char *buf, size_t cap);

/* v in decimal into buf, as "%" PRId64 writes it, for the bulk loads'
 * values (db_bulk_row takes text): snprintf cost a load more than the
 * digits. Returns buf. */
#define STORE_INT_TEXT 21 /* "-9223372036854775808" + NUL */
char *store_int_text(int64_t v, char buf[STORE_INT_TEXT]);

#endif
