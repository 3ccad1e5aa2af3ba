/*
 * audit.c - the audit trail (see audit.h).
 */
#include "store/audit.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/migrate.h"
#include "store/query.h"
#include "store/scope.h"

int audit_write(db_t *db, const principal_t *who, const char *action, int64_t unit_id,
		const char *record_type, const char *record_id, const char *before, const char *after,
		const char *detail, err_t *e)
{
	static const char sql[] =
		"INSERT INTO audit (at, user_id, username, client_addr, action, unit_id, record_type, record_id,"
		" before_value, after_value, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	db_stmt_t *st = NULL;
	char at[32];
	int rc;

	store_now_iso(at, sizeof(at));
	rc = db_prepare(db, sql, &st);
	if (rc == DB_OK)
		rc = db_bind_text(st, 1, at);
	if (rc == DB_OK)
		rc = who->user_id ? db_bind_int64(st, 2, who->user_id) : db_bind_null(st, 2);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, who->username);
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, who->client_addr);
	if (rc == DB_OK)
		rc = db_bind_text(st, 5, action);
	if (rc == DB_OK)
		rc = unit_id ? db_bind_int64(st, 6, unit_id) : db_bind_null(st, 6);
	if (rc == DB_OK)
		rc = db_bind_text(st, 7, record_type ? record_type : "");
	if (rc == DB_OK)
		rc = db_bind_text(st, 8, record_id ? record_id : "");
	if (rc == DB_OK)
		rc = db_bind_text(st, 9, before);
	if (rc == DB_OK)
		rc = db_bind_text(st, 10, after);
	if (rc == DB_OK)
		rc = db_bind_text(st, 11, detail ? detail : "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

char *audit_unit_text(const unit_t *u)
{
	char from[DATE_STR_LEN], to[DATE_STR_LEN];
	/* the parent's id beside its code (codes are reused): the trail is
	 * read back by officers whose scope may not hold the parent */
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
			      "id", (json_int_t)u->id, "code", u->code, "name_vi", u->name_vi,
			      "name_en", u->name_en, "level", u->level, "kind", u->kind,
			      "attributes", u->attributes, "valid_from", date_format(u->valid_from, from),
			      "valid_until", u->valid_to == DATE_OPEN ? json_null() : json_string(date_format(u->valid_to - 1, to)),
			      "parent", u->has_parent ? json_string(u->parent.code) : json_null(),
			      "parent_id", u->has_parent ? json_integer((json_int_t)u->parent.id) : json_null());
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return text;
}

int audit_unit(db_t *db, const principal_t *who, const char *action, const unit_t *before,
	       const unit_t *after, const char *detail, err_t *e)
{
	const unit_t *u = after ? after : before;
	char *b, *a;
	int r;

	if (!u)
		return err_fail(e, ERR_INTERNAL, NULL, "an audit row needs a unit");
	b = before ? audit_unit_text(before) : NULL;
	a = after ? audit_unit_text(after) : NULL;
	if ((before && !b) || (after && !a)) {
		free(b);
		free(a);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	r = audit_write(db, who, action, u->id, "unit", u->code, b, a, detail, e);
	free(b);
	free(a);
	return r;
}

int audit_failed_logins(db_t *db, int64_t user_id, int64_t *count, char last_at[32], err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*count = 0;
	last_at[0] = '\0';
	query_init(&q);
	query_add(&q, "SELECT count(*), max(at) FROM audit WHERE user_id = ? AND action = 'session.login_failed'"
		      " AND id > (SELECT coalesce(max(id), 0) FROM audit WHERE user_id = ? AND action = 'session.login')",
		  QI(user_id), QI(user_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	if ((rc = db_step(st)) == DB_ROW) {
		*count = db_col_int64(st, 0);
		if (*count)
			snprintf(last_at, 32, "%s", db_col_text(st, 1));
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

void audit_list_free(audit_list_t *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].before);
		free(l->items[i].after);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static char *dup_or_null(db_stmt_t *st, int col)
{
	return db_col_is_null(st, col) ? NULL : strdup(db_col_text(st, col));
}

int audit_search(db_t *db, const audit_query_t *q, audit_list_t *out, err_t *e)
{
	char day_to[DATE_STR_LEN];
	size_t cap = 0;
	db_stmt_t *st = NULL;
	query_t sq;
	int rc = DB_OK;

	memset(out, 0, sizeof(*out));
	query_init(&sq);
	query_sql(&sq, "SELECT id, at, user_id, username, client_addr, action, unit_id, record_type, record_id,"
		       " before_value, after_value, detail FROM audit a WHERE 1 = 1");
	if (q->unit_id)
		query_add(&sq, " AND a.unit_id = ?", QI(q->unit_id));
	if (q->user_id)
		query_add(&sq, " AND a.user_id = ?", QI(q->user_id));
	if (q->record_type)
		query_add(&sq, " AND a.record_type = ?", QT(q->record_type));
	if (q->record_id)
		query_add(&sq, " AND a.record_id = ?", QT(q->record_id));
	if (q->action)
		query_add(&sq, " AND a.action = ?", QT(q->action));
	if (q->from)
		query_add(&sq, " AND a.at >= ?", QT(q->from));
	if (q->to) {
		/* inclusive day: everything before the next day */
		date_t d;
		if (date_parse(q->to, &d) != 0) {
			err_field(e, "to", "not_a_date", "must be a date YYYY-MM-DD", ERR_STR("value", q->to));
			return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} must be a date YYYY-MM-DD", ERR_STR("arg", "to"));
		}
		query_add(&sq, " AND a.at < ?", QT(date_format(d + 1, day_to)));
	}
	if (q->before_id)
		query_add(&sq, " AND a.id < ?", QI(q->before_id));
	if (q->scope && !q->scope->global) {
		/* rows about a unit in scope, or about a user of such a unit */
		/* the units in scope drive it (IN, not a correlated EXISTS): a
		 * commune officer's few rows are found through the indexes on
		 * unit_id and user_id, not by reading the country's trail */
		query_sql(&sq, " AND (a.unit_id IN (");
		scope_units(&sq, q->scope);
		query_sql(&sq, ") OR a.user_id IN (SELECT u2.id FROM users u2 WHERE u2.unit_id IN (");
		scope_units(&sq, q->scope);
		query_sql(&sq, ")))");
	}
	query_add(&sq, " ORDER BY a.id DESC LIMIT ?", QI(q->limit + 1));
	if (query_prepare(db, &sq, &st, e))
		return -1;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		audit_row_t *r;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			audit_row_t *v = realloc(out->items, ncap * sizeof(*v));
			if (!v) {
				rc = DB_ERROR;
				break;
			}
			out->items = v;
			cap = ncap;
		}
		r = &out->items[out->n++];
		memset(r, 0, sizeof(*r));
		r->id = db_col_int64(st, 0);
		snprintf(r->at, sizeof(r->at), "%s", db_col_text(st, 1));
		r->user_id = db_col_int64(st, 2);
		snprintf(r->username, sizeof(r->username), "%s", db_col_text(st, 3));
		snprintf(r->client_addr, sizeof(r->client_addr), "%s", db_col_text(st, 4));
		snprintf(r->action, sizeof(r->action), "%s", db_col_text(st, 5));
		r->unit_id = db_col_int64(st, 6);
		snprintf(r->record_type, sizeof(r->record_type), "%s", db_col_text(st, 7));
		snprintf(r->record_id, sizeof(r->record_id), "%s", db_col_text(st, 8));
		r->before = dup_or_null(st, 9);
		r->after = dup_or_null(st, 10);
		snprintf(r->detail, sizeof(r->detail), "%s", db_col_text(st, 11));
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0) {
		audit_list_free(out);
		return rc == DB_ERROR && !db_errmsg(db)[0] ? err_fail(e, ERR_INTERNAL, NULL, "out of memory") : store_fail(db, rc, e);
	}
	if (out->n > (size_t)q->limit) {
		free(out->items[q->limit].before);
		free(out->items[q->limit].after);
		out->n = (size_t)q->limit;
		snprintf(out->next, sizeof(out->next), "%lld", (long long)out->items[q->limit - 1].id);
	}
	return 0;
}
