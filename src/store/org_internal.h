/*
 * org_internal.h - what the files of the organisation store share: the
 * as-of SELECT of a unit and the reading of its rows, the lookups every
 * operation starts from, page cursors, one-number queries.
 *
 * Private to src/store/org_*.c (org_read.c defines what is declared here;
 * org_events.c, org_write.c and org_refdata.c use it). The rest of the
 * program uses store/org_store.h, the one public interface of the
 * organisation store. Nothing here writes, and no rule of the tree lives
 * here (core/org.h has them).
 */
#ifndef UB_ORG_INTERNAL_H
#define UB_ORG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/unit.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/query.h"

/* The as-of SELECT: a unit with its name, attributes, parent, the parent's
 * name and its number of children valid on the day asked. Every `?` in it
 * is that day: append it with query_add_dates. Its rows are read by
 * org_read_unit. */
#define UNIT_SELECT                                                                              \
	"SELECT u.id, u.code, n.name_vi, n.name_en, u.level, l.rank, u.kind, ua.attributes,"     \
	" u.valid_from, u.valid_to, p.parent_id, pu.code, pn.name_vi, pn.name_en,"                \
	" (SELECT count(*) FROM unit_parents c WHERE c.parent_id = u.id"                          \
	"   AND c.valid_from <= ? AND c.valid_to > ?)"                                            \
	" FROM units u JOIN levels l ON l.key = u.level"                                          \
	" JOIN unit_names n ON n.unit_id = u.id AND n.valid_from <= ? AND n.valid_to > ?"         \
	" LEFT JOIN unit_parents p ON p.unit_id = u.id AND p.valid_from <= ? AND p.valid_to > ?"  \
	" LEFT JOIN units pu ON pu.id = p.parent_id"                                              \
	" LEFT JOIN unit_names pn ON pn.unit_id = pu.id AND pn.valid_from <= ? AND pn.valid_to > ?" \
	" LEFT JOIN unit_attributes ua ON ua.unit_id = u.id AND ua.valid_from <= ? AND ua.valid_to > ?"
/* The unit itself valid on the day: two more placeholders for that day. */
#define UNIT_ALIVE " u.valid_from <= ? AND u.valid_to > ?"

/* Copies src into dst[cap], cut if it does not fit: the store holds
 * nothing longer than the buffers it is read into. */
static inline void copy_text(char *dst, size_t cap, const char *src)
{
	(void)ub_strlcpy(dst, src, cap);
}

/* d moved into [from, to): from when it is before, the last day (to - 1)
 * when it is on or after to. */
static inline date_t clamp_into(date_t d, date_t from, date_t to)
{
	if (d < from)
		return from;
	if (d >= to)
		return to - 1;
	return d;
}

/* Column col of st's current row as a date. Returns 0, or -1 with
 * ERR_INTERNAL when it holds something else. */
int org_read_date(db_t *db, db_stmt_t *st, int col, date_t *out, err_t *e);

/* The current row of a UNIT_SELECT statement into *u (zeroed first).
 * Returns 0 or -1 with e. */
int org_read_unit(db_t *db, db_stmt_t *st, unit_t *u, err_t *e);

/* Appends *u to l, whose array holds *cap items and grows by doubling
 * (l owns it: unit_list_free). Returns 0, or -1 when out of memory (e is
 * the caller's to set). */
int org_list_push(unit_list_t *l, size_t *cap, const unit_t *u);

/* Steps st, a prepared UNIT_SELECT statement, appending each row to out,
 * at most max of them. The caller finalizes st, and frees out also on
 * failure. Returns 0 or -1 with e. */
int org_collect_units(db_t *db, db_stmt_t *st, unit_list_t *out, size_t max, err_t *e);

/* True, with *id, when ref has the form "id:N" (N > 0). */
bool org_ref_is_id(const char *ref, int64_t *id);

/* The unit with this id as of d, d not clamped: ERR_NOT_FOUND when it does
 * not exist that day. Returns 0 or -1 with e. */
int org_unit_at(db_t *db, int64_t id, date_t d, unit_t *out, err_t *e);

/* Runs q, which yields one row, and reads its first column as an integer
 * (a count, the id of an INSERT ... RETURNING id). A statement that yields
 * no row fails like a driver error. Returns 0 or -1 with e. */
int org_query_int(db_t *db, const query_t *q, int64_t *out, err_t *e);

/* Page cursors: base64url of "<key>\x1f<id>", the sort key and the id of
 * the last row of a page.
 * org_cursor_encode writes it into out[cap]: 0, or -1 when it does not fit
 * (e is the caller's to set).
 * org_cursor_decode reads one into key[cap] and *id: 0, or -1 with
 * ERR_BAD_REQUEST (a cursor comes from a request). */
int org_cursor_encode(const char *key, int64_t id, char *out, size_t cap);
int org_cursor_decode(const char *cursor, char *key, size_t cap, int64_t *id, err_t *e);

/* The not_found error of a unit named by code (id 0) or by id, on day d
 * (DATE_OPEN: on no particular day), worded and parametrised exactly as
 * api/auth.c words a unit outside the caller's scope. Returns -1. */
int org_not_found(const char *code, int64_t id, date_t d, err_t *e);

#endif
