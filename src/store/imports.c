/*
 * imports.c - see imports.h.
 */
#include "store/imports.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/org_internal.h"
#include "store/query.h"
#include "store/util.h"

int import_begin(db_t *db, const principal_t *who, import_rec_t *rec, err_t *e)
{
	query_t q;

	snprintf(rec->created_by, sizeof(rec->created_by), "%s", who->username);
	store_now_iso(rec->created_at, sizeof(rec->created_at));
	query_init(&q);
	query_add(&q, "INSERT INTO imports (unit_id, file_name, file_sha256, file_size, format, mode, rows_read, valid,"
		      " invalid, created, updated, unchanged, created_by, created_at)"
		      " VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, ?, ?) RETURNING id",
		  QI(rec->unit_id), QT(rec->file_name), QT(rec->file_sha256), QI(rec->file_size), QT(rec->format),
		  QT(rec->mode), QT(rec->created_by), QT(rec->created_at));
	return org_query_int(db, &q, &rec->id, e);
}

int import_finish(db_t *db, const principal_t *who, const import_rec_t *rec, err_t *e)
{
	char id[24], *after;
	json_t *j;
	query_t q;
	int r;

	query_init(&q);
	query_add(&q, "UPDATE imports SET rows_read = ?, valid = ?, invalid = ?, created = ?, updated = ?, unchanged = ?"
		      " WHERE id = ?",
		  QI(rec->rows), QI(rec->valid), QI(rec->invalid), QI(rec->created), QI(rec->updated),
		  QI(rec->unchanged), QI(rec->id));
	if (query_run(db, &q, e))
		return -1;
	j = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "file_name", rec->file_name,
		      "file_sha256", rec->file_sha256, "file_size", (json_int_t)rec->file_size, "format", rec->format,
		      "mode", rec->mode, "rows", (json_int_t)rec->rows, "valid", (json_int_t)rec->valid, "invalid",
		      (json_int_t)rec->invalid, "created", (json_int_t)rec->created, "updated",
		      (json_int_t)rec->updated, "unchanged", (json_int_t)rec->unchanged);
	after = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!after)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	snprintf(id, sizeof(id), "%lld", (long long)rec->id);
	r = audit_write(db, who, "member.import", rec->unit_id, "import", id, NULL, after, rec->file_name, e);
	free(after);
	return r;
}

int import_get(db_t *db, int64_t id, import_rec_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add(&q, "SELECT id, unit_id, file_name, file_sha256, file_size, format, mode, rows_read, valid, invalid,"
		      " created, updated, unchanged, created_by, created_at FROM imports WHERE id = ?",
		  QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_col_int64(st, 0);
		out->unit_id = db_col_int64(st, 1);
		snprintf(out->file_name, sizeof(out->file_name), "%s", db_col_text(st, 2));
		snprintf(out->file_sha256, sizeof(out->file_sha256), "%s", db_col_text(st, 3));
		out->file_size = db_col_int64(st, 4);
		snprintf(out->format, sizeof(out->format), "%s", db_col_text(st, 5));
		snprintf(out->mode, sizeof(out->mode), "%s", db_col_text(st, 6));
		out->rows = db_col_int64(st, 7);
		out->valid = db_col_int64(st, 8);
		out->invalid = db_col_int64(st, 9);
		out->created = db_col_int64(st, 10);
		out->updated = db_col_int64(st, 11);
		out->unchanged = db_col_int64(st, 12);
		snprintf(out->created_by, sizeof(out->created_by), "%s", db_col_text(st, 13));
		snprintf(out->created_at, sizeof(out->created_at), "%s", db_col_text(st, 14));
	} else if (rc == DB_DONE)
		r = err_set(e, ERR_NOT_FOUND, "not_found", "no import %lld", (long long)id);
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(db, rc, e);
	return r;
}
