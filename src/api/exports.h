/*
 * exports.h - member lists written to files (issue 16, item 6): the one
 * function behind GET /api/v1/exports/members and `unionbase export`.
 */
#ifndef UB_EXPORTS_H
#define UB_EXPORTS_H

#include <stddef.h>

#include "core/access.h"
#include "core/err.h"
#include "io/member_export.h"
#include "store/db.h"
#include "store/members.h"

/* Writes the members q selects (every page of member_list: q->limit and
 * q->cursor are the function's own) to the file at path, in fmt, with
 * the sensitive columns when who may read them (sensitive.read); *count
 * the members written. One audit row member.export_list (the unit, the
 * format, the count, whether sensitive columns were written), written
 * to audit_db (db itself, or the primary when db is the read copy).
 * Returns 0 or -1 with e (the file is then incomplete: the caller
 * removes it). */
int api_export_members(db_t *db, db_t *audit_db, const principal_t *who, member_query_t *q, const unit_t *unit,
		       member_export_format_t fmt, const char *path, const char *tmpdir, size_t *count,
		       err_t *e);

#endif
