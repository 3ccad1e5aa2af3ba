/*
 * sqlite_map.h - database files read through one memory map a process.
 *
 * A VFS over SQLite's own ("unix") that answers the pager's requests for
 * a page of a database file (xFetch) from one read-only shared map of the
 * file, made once for every connection of the process that opens it. The
 * server's connections open through it (db_share_file_maps in db.h).
 *
 * Why: SQLite's own map (PRAGMA mmap_size) is made per connection and
 * torn down whenever another connection has committed; without it, each
 * such commit empties every connection's page cache, and each page is
 * read again through pread. Under the month-end mix (a write every few
 * milliseconds, a dozen connections) either way most of the server's time
 * went to the kernel (BENCHMARKS.md 2026-12-03 09:45, 2026-12-04 05:38).
 * The map here stays: a page read again after a commit is a pointer into
 * it. It is as safe to keep as SQLite's own map is within a transaction,
 * for the same reasons (wal.c, pager.c): a checkpoint writes a page back
 * into the file only up to the oldest snapshot still read, so a page a
 * reader takes from the file is never rewritten while it reads it; the
 * file grows (a checkpoint's pages past its end) at any time, and then a
 * page past the size a connection last saw is read with xRead; it shrinks
 * only in a checkpoint that has written back every frame, to the size of
 * the newest snapshot, so no live snapshot has a page past the new end. A
 * connection takes the file's size again when the pager lets the whole
 * map go (xUnfetch of no page: a transaction that sees another's commit),
 * when the map is turned on, and after its own checkpoint. A page past the
 * map is read with xRead too.
 *
 * Every connection of the process to a file counts in the file's entry,
 * mapped or not: the descriptor the map is made from is opened by the
 * first and closed with the last, since closing any descriptor of a file
 * drops every POSIX lock the process holds on it. A file whose path names
 * another file by the time it is mapped is not opened (SQLITE_CANTOPEN).
 *
 * A file truncated from outside while the server runs (copied over, or
 * restored in place) is a crash (SIGBUS) instead of an I/O error, as
 * with SQLite's own map; UNIONBASE_SQLITE_MAP=off reads without a map.
 *
 * The map is read-only and shared (MAP_SHARED): what a checkpoint writes
 * through the file is what the map shows. It grows by a new map (twice
 * the file) when the file outgrows it; older maps stay until the last
 * connection to the file closes, as a transaction may still hold pages of
 * one. Not on a 32-bit process.
 */
#ifndef UNIONBASE_STORE_SQLITE_MAP_H
#define UNIONBASE_STORE_SQLITE_MAP_H

#include <stdbool.h>

/* The VFS's name, for sqlite3_open_v2. */
#define SQLITE_MAP_VFS "unionbase-map"

/* Registers the VFS (not as the default) over SQLite's "unix": SQLITE_OK,
 * or SQLite's error. Once a process, before the first open through it. */
int sqlite_map_register(void);

/* Whether the connections should open through it: not when the
 * environment says UNIONBASE_SQLITE_MAP=off, nor on a 32-bit process. */
bool sqlite_map_wanted(void);

#endif
