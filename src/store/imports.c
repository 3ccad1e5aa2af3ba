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
	query_add(&q, "UPDATE imports SET file_sha256 = ?, file_size = ?, rows_read = ?, valid = ?, invalid = ?,"
		      " created = ?, updated = ?, unchanged = ? WHERE id = ?",
		  QT(rec->file_sha256), QI(rec->file_size), QI(rec->rows), QI(rec->valid), QI(rec->invalid),
		  QI(rec->created), QI(rec->updated), QI(rec->unchanged), QI(rec->id));
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

int import_origins(db_t *db, int64_t person_id, import_origin_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT i.id, i.file_name, r.line, r.action, r.fields, i.created_by, i.created_at"
		      " FROM import_records r JOIN imports i ON i.id = r.import_id WHERE r.person_id = ? ORDER BY i.id",
		  QI(person_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		import_origin_t *g = store_grow(*out, &cap, *n, sizeof(**out), e), *o;
		if (!g) {
			r = -1;
			break;
		}
		*out = g;
		o = &(*out)[(*n)++];
		o->import_id = db_col_int64(st, 0);
		snprintf(o->file_name, sizeof(o->file_name), "%s", db_col_text(st, 1));
		o->line = db_col_int64(st, 2);
		snprintf(o->action, sizeof(o->action), "%s", db_col_text(st, 3));
		snprintf(o->fields, sizeof(o->fields), "%s", db_col_text(st, 4));
		snprintf(o->created_by, sizeof(o->created_by), "%s", db_col_text(st, 5));
		snprintf(o->created_at, sizeof(o->created_at), "%s", db_col_text(st, 6));
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* ---- jobs ---- */

void import_job_free(import_job_t *j)
{
	if (!j)
		return;
	free(j->options);
	free(j->report);
	free(j->error);
	j->options = j->report = j->error = NULL;
}

static char *col_dup(db_stmt_t *st, int col)
{
	return db_col_is_null(st, col) ? NULL : strdup(db_col_text(st, col));
}

#define JOB_COLS \
	"id, unit_id, user_id, username, file_name, file_size, status, options, report, error, import_id, runner," \
	" created_at, updated_at"

static int job_from_row(db_stmt_t *st, import_job_t *j)
{
	memset(j, 0, sizeof(*j));
	j->id = db_col_int64(st, 0);
	j->unit_id = db_col_int64(st, 1);
	j->user_id = db_col_int64(st, 2);
	snprintf(j->username, sizeof(j->username), "%s", db_col_text(st, 3));
	snprintf(j->file_name, sizeof(j->file_name), "%s", db_col_text(st, 4));
	j->file_size = db_col_int64(st, 5);
	snprintf(j->status, sizeof(j->status), "%s", db_col_text(st, 6));
	j->options = col_dup(st, 7);
	j->report = col_dup(st, 8);
	j->error = col_dup(st, 9);
	j->import_id = db_col_is_null(st, 10) ? 0 : db_col_int64(st, 10);
	snprintf(j->runner, sizeof(j->runner), "%s", db_col_text(st, 11));
	snprintf(j->created_at, sizeof(j->created_at), "%s", db_col_text(st, 12));
	snprintf(j->updated_at, sizeof(j->updated_at), "%s", db_col_text(st, 13));
	if (!j->options || (!db_col_is_null(st, 8) && !j->report) || (!db_col_is_null(st, 9) && !j->error)) {
		import_job_free(j);
		return -1;
	}
	return 0;
}

int import_job_create(db_t *db, import_job_t *j, err_t *e)
{
	query_t q;

	store_now_iso(j->created_at, sizeof(j->created_at));
	snprintf(j->updated_at, sizeof(j->updated_at), "%s", j->created_at);
	query_init(&q);
	query_add(&q, "INSERT INTO import_jobs (unit_id, user_id, username, file_name, file_size, status, options, runner,"
		      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		  QI(j->unit_id), QI(j->user_id), QT(j->username), QT(j->file_name), QI(j->file_size), QT(j->status),
		  QT(j->options ? j->options : "{}"), QT(j->runner), QT(j->created_at), QT(j->updated_at));
	return org_query_int(db, &q, &j->id, e);
}

int import_job_get(db_t *db, int64_t id, import_job_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add(&q, "SELECT " JOB_COLS " FROM import_jobs WHERE id = ?", QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW && job_from_row(st, out))
		r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
	else if (rc == DB_DONE)
		r = err_set(e, ERR_NOT_FOUND, "not_found", "no import job %lld", (long long)id);
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(db, rc, e);
	return r;
}

/* value as a parameter: NULL keeps the column ("" sets NULL) */
static void set_text(query_t *q, const char *col, const char *value, bool *first)
{
	if (!value)
		return;
	query_sql(q, *first ? " " : ", ");
	query_sql(q, col);
	query_add(q, " = ?", QT(value[0] ? value : NULL));
	*first = false;
}

/* The UPDATE of import_job_update, without its WHERE; ts (the time now,
 * filled here) is bound by reference, so it is the caller's. */
static void job_set(query_t *q, char ts[32], const char *status, const char *runner, const char *options,
		    const char *report, const char *error, int64_t import_id)
{
	bool first = false;

	store_now_iso(ts, 32);
	query_init(q);
	query_add(q, "UPDATE import_jobs SET updated_at = ?", QT(ts));
	set_text(q, "status", status, &first);
	set_text(q, "runner", runner, &first);
	set_text(q, "options", options, &first);
	set_text(q, "report", report, &first);
	set_text(q, "error", error, &first);
	if (import_id)
		query_add(q, ", import_id = ?", QI(import_id));
}

int import_job_update(db_t *db, int64_t id, const char *status, const char *runner, const char *options,
		      const char *report, const char *error, int64_t import_id, err_t *e)
{
	char ts[32];
	query_t q;

	job_set(&q, ts, status, runner, options, report, error, import_id);
	query_add(&q, " WHERE id = ?", QI(id));
	return query_run(db, &q, e);
}

/* Runs q, an UPDATE ... RETURNING of one row at most: *changed says
 * whether it changed one. */
static int update_one(db_t *db, const query_t *q, bool *changed, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*changed = false;
	if (query_prepare(db, q, &st, e))
		return -1;
	rc = db_step(st);
	*changed = rc == DB_ROW;
	if (rc == DB_ROW)
		rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

int import_job_claim(db_t *db, const import_job_t *was, const char *status, const char *runner, const char *options,
		     bool *claimed, err_t *e)
{
	char ts[32];
	query_t q;

	job_set(&q, ts, status, runner, options, NULL, "", 0);
	query_add(&q, " WHERE id = ? AND status = ? AND updated_at = ? RETURNING id", QI(was->id), QT(was->status),
		  QT(was->updated_at));
	return update_one(db, &q, claimed, e);
}

int import_job_expire(db_t *db, int64_t id, const char *before, bool *done, err_t *e)
{
	char ts[32];
	query_t q;

	store_now_iso(ts, sizeof(ts));
	query_init(&q);
	query_add(&q, "UPDATE import_jobs SET status = 'expired', updated_at = ? WHERE id = ? AND updated_at < ?"
		      " AND status <> 'expired' RETURNING id",
		  QT(ts), QI(id), QT(before));
	return update_one(db, &q, done, e);
}

int import_job_stale(db_t *db, const char *before, int64_t **ids, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	*ids = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT id FROM import_jobs WHERE updated_at < ? AND status <> 'expired' ORDER BY id", QT(before));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t *g = store_grow(*ids, &cap, *n, sizeof(**ids), e);
		if (!g) {
			r = -1;
			break;
		}
		*ids = g;
		(*ids)[(*n)++] = db_col_int64(st, 0);
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return r;
}

int import_job_list(db_t *db, int64_t user_id, int limit, import_job_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT " JOB_COLS " FROM import_jobs WHERE user_id = ? ORDER BY id DESC LIMIT ?", QI(user_id),
		  QI(limit));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		import_job_t *g = store_grow(*out, &cap, *n, sizeof(**out), e);
		if (!g) {
			r = -1;
			break;
		}
		*out = g;
		if (job_from_row(st, &(*out)[*n])) {
			r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
			break;
		}
		(*n)++;
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		for (size_t i = 0; i < *n; i++)
			import_job_free(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* ---- templates ---- */

void import_template_free(import_template_t *t)
{
	if (!t)
		return;
	free(t->mapping);
	t->mapping = NULL;
}

int import_template_save(db_t *db, const principal_t *who, int64_t unit_id, const char *name, const char *mapping,
			 err_t *e)
{
	char ts[32];
	bool own = false;
	query_t q;
	int r;

	store_now_iso(ts, sizeof(ts));
	if (store_tx_begin(db, &own, e))
		return -1;
	query_init(&q);
	query_add(&q, "DELETE FROM import_templates WHERE unit_id = ? AND name = ?", QI(unit_id), QT(name));
	r = query_run(db, &q, e);
	if (!r) {
		query_init(&q);
		query_add(&q, "INSERT INTO import_templates (name, unit_id, mapping, created_by, created_at)"
			      " VALUES (?, ?, ?, ?, ?)",
			  QT(name), QI(unit_id), QT(mapping), QT(who->username), QT(ts));
		r = query_run(db, &q, e);
	}
	return store_tx_end(db, own, r, e);
}

int import_template_list(db_t *db, const int64_t *unit_ids, size_t n_units, import_template_t **out, size_t *n,
			 err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc = DB_DONE, r = 0;

	*out = NULL;
	*n = 0;
	if (!n_units)
		return 0;
	query_init(&q);
	query_sql(&q, "SELECT id, name, unit_id, mapping, created_by, created_at FROM import_templates WHERE unit_id IN (");
	for (size_t i = 0; i < n_units; i++)
		query_add(&q, i ? ", ?" : "?", QI(unit_ids[i]));
	query_sql(&q, ") ORDER BY name, id");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		import_template_t *g = store_grow(*out, &cap, *n, sizeof(**out), e), *t;
		if (!g) {
			r = -1;
			break;
		}
		*out = g;
		t = &(*out)[*n];
		memset(t, 0, sizeof(*t));
		t->id = db_col_int64(st, 0);
		snprintf(t->name, sizeof(t->name), "%s", db_col_text(st, 1));
		t->unit_id = db_col_int64(st, 2);
		t->mapping = strdup(db_col_text(st, 3));
		snprintf(t->created_by, sizeof(t->created_by), "%s", db_col_text(st, 4));
		snprintf(t->created_at, sizeof(t->created_at), "%s", db_col_text(st, 5));
		if (!t->mapping) {
			r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
			break;
		}
		(*n)++;
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(db, rc, e);
	if (r) {
		for (size_t i = 0; i < *n; i++)
			import_template_free(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}
