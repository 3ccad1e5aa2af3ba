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

/* An upper bound, in seconds, on how much older what copy shows is than
 * what primary holds. When copy has replayed everything primary had
 * written (committed or not) when asked, waiting for that up to wait_ms
 * milliseconds (a commit reaches a replica nearby within a millisecond or
 * two): the time since asked. Else the time since primary committed the
 * last transaction copy has replayed (the two servers' clocks agree:
 * NTP); after a quiet while, that is long ago, and the wait spares the
 * first report after a write the primary. *usable false, and *lag 0, when copy is no replica
 * (not in recovery: a server of its own or one promoted since) or has
 * replayed no transaction yet and is behind: no bound can be stated.
 * Both connections outside a transaction; both PostgreSQL (ERR_INVALID
 * otherwise). Returns 0 or -1 with e (a connection failed). */
int read_copy_lag(db_t *primary, db_t *copy, int wait_ms, bool *usable, double *lag, err_t *e);

#endif
