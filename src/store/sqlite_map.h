/*
 * sqlite_map.h - database files read through one memory map a process.
 *
 * A VFS over SQLite's own ("unix") that answers the pager's requests for
 * a page of a database file (xFetch) from one read-only shared map of the
 * file, made once for every connection of the process that opens it.
 *
 * Why: SQLite's own map (PRAGMA mmap_size) is made per connection and
 * torn down whenever another connection has committed; without it, each
 * such commit empties every connection's page cache, and each page is
 * read again through pread. Under the month-end mix (a write every few
 * milliseconds, a dozen connections) either way most of the server's time
 * went to the kernel (BENCHMARKS.md 2026-12-03 09:45, 2026-12-04 05:38).
 * The map here stays: a page read again after a commit is a pointer into
 * it. It is safe to keep, as SQLite's own is safe within a transaction:
 * in WAL mode a checkpoint writes a page into the file only when no reader
 * may still want the page's older version from the file, and the file
 * grows and shrinks only between the readers' transactions, when each
 * connection takes its size again (xUnfetch of the whole file); a page
 * past that size, or past the map, is read with xRead as before.
 *
 * The map is read-only and shared (MAP_SHARED): what a checkpoint writes
 * through the file is what the map shows. It grows by a new map (twice
 * the file) when the file outgrows it; older maps stay until the last
 * connection to the file closes, as a transaction may still hold pages of
 * one.
 */
#ifndef UNIONBASE_STORE_SQLITE_MAP_H
#define UNIONBASE_STORE_SQLITE_MAP_H

#include <stdbool.h>

/* The VFS's name, for sqlite3_open_v2. */
#define SQLITE_MAP_VFS "unionbase-map"

/* Registers the VFS (not as the default) over the default one: SQLITE_OK,
 * or SQLite's error. Once a process, before the first open through it. */
int sqlite_map_register(void);

/* Whether the connections should open through it: not when the
 * environment says UNIONBASE_SQLITE_MAP=off (read at the first call). */
bool sqlite_map_wanted(void);

#endif
