/*
 * read_copy.h - how far a read copy (a PostgreSQL streaming replica,
 * `serve --read-db`) stands behind its primary, so that the server sends
 * reports to it only while it is fresh enough (docs/operations.md, "Read
 * copies").
 */
#ifndef UB_READ_COPY_H
#define UB_READ_COPY_H

#include <stdbool.h>

#include "core/err.h"
#include "store/db.h"

/* What read_copy_lag found. */
typedef struct read_copy {
	bool usable;      /* the copy may be read, lag being its bound */
	double lag;       /* seconds */
	const char *why;  /* when not usable (and no failure): why, a static text */
	bool copy_failed; /* when it failed: the copy did (else the primary did) */
} read_copy_t;

/* An upper bound, in seconds, on how much older what copy shows is than
 * what primary holds. When copy has replayed everything primary had
 * written (committed or not) when asked, waiting for that up to wait_ms
 * milliseconds (a commit reaches a replica nearby within a millisecond or
 * two): the time since asked. Else the time since primary committed the
 * last transaction copy has replayed, by primary's clock; after a quiet
 * while, that is long ago, and the wait spares the first report after a
 * write the primary. Not usable (out->why) when copy is no replica (not
 * in recovery: a server of its own, or one promoted since), replays
 * another cluster or database or another timeline than primary's (a
 * failover it did not follow), or is behind with no commit replayed
 * since it started: no bound can be stated. Both connections outside a
 * transaction; both PostgreSQL (ERR_INVALID otherwise). Returns 0 or -1
 * with e (a connection failed: out->copy_failed says which). */
int read_copy_lag(db_t *primary, db_t *copy, int wait_ms, read_copy_t *out, err_t *e);

#endif
