/*
 * copy.c - whole-database copy between stores (see copy.h). Rows are read
 * as text and written with the target's bulk load (COPY on PostgreSQL), in
 * one transaction, then the identity generators are moved past the copied
 * ids.
 */
#include "store/copy.h"

#include <stdio.h>
#include <string.h>

#include "store/member_tally.h"
#include "store/migrate.h"
#include "store/util.h"

static const char *const LEVEL_COLS[] = { "key", "rank", "name_vi", "name_en", NULL };
static const char *const UNIT_COLS[] = { "id", "code", "level", "kind", "valid_from", "valid_to", NULL };
static const char *const ATTRIBUTE_COLS[] = { "unit_id", "attributes", "valid_from", "valid_to", NULL };
static const char *const NAME_COLS[] = { "unit_id", "name_vi", "name_en", "search_key", "sort_key", "valid_from", "valid_to", NULL };
static const char *const PARENT_COLS[] = { "unit_id", "parent_id", "valid_from", "valid_to", NULL };
static const char *const ANCESTRY_COLS[] = { "descendant", "ancestor", "depth", "valid_from", "valid_to", NULL };
static const char *const EVENT_COLS[] = { "id", "kind", "date", "note", "recorded_at", NULL };
static const char *const EVENT_UNIT_COLS[] = { "event_id", "unit_id", "role", NULL };
static const char *const ETHNIC_COLS[] = { "code", "name_vi", "name_en", NULL };
static const char *const USER_COLS[] = { "id", "username", "display_name", "unit_id", "roles", "password_hash",
					 "disabled", "created_at", "password_changed_at", "must_change_password",
					 "person_id", NULL };
static const char *const TOKEN_COLS[] = { "id", "user_id", "name", "token_hash", "roles", "created_at",
					  "expires_at", "last_used_at", "revoked_at", NULL };
static const char *const CONSENT_COLS[] = { "id", "subject_type", "subject_id", "purpose", "given_on",
					    "withdrawn_on", "recorded_at", "recorded_by", NULL };
static const char *const AUDIT_COLS[] = { "id", "at", "user_id", "username", "client_addr", "action", "unit_id",
					  "record_type", "record_id", "before_value", "after_value", "detail", NULL };
static const char *const PERSON_COLS[] = { "id", "full_name", "name_fold", "name_key", "birth_date", "sex",
					   "ethnicity", "religion", "education", "qualification", "political_theory",
					   "occupation", "id_number", "id_kind", "phone", "address_province",
					   "address_commune", "hamlet", "street", "circumstances", "digital",
					   "party_member", "notes", "erased", "created_at", "updated_at", NULL };
static const char *const PERSON_WORD_COLS[] = { "word", "person_id", "name_key", "name_fold", NULL };
static const char *const MEMBERSHIP_COLS[] = { "id", "person_id", "unit_id", "kind", "valid_from", "valid_to",
					       "start_reason", "end_reason", NULL };
static const char *const TRANSFER_COLS[] = { "id", "person_id", "from_unit", "to_unit", "date", "status", "note",
					     "reason", "created_by", "created_at", "decided_by", "decided_at",
					     "decided_on", NULL };
static const char *const IMPORT_COLS[] = { "id", "unit_id", "file_name", "file_sha256", "file_size", "format", "mode",
					   "rows_read", "valid", "invalid", "created", "updated", "unchanged",
					   "created_by", "created_at", NULL };
static const char *const IMPORT_RECORD_COLS[] = { "person_id", "import_id", "line", "action", "fields", NULL };
static const char *const IMPORT_JOB_COLS[] = { "id", "unit_id", "user_id", "username", "file_name", "file_size",
					       "status", "options", "report", "error", "import_id", "runner",
					       "created_at", "updated_at", NULL };
static const char *const IMPORT_TEMPLATE_COLS[] = { "id", "name", "unit_id", "mapping", "created_by", "created_at",
						    NULL };
static const char *const INDICATOR_COLS[] = { "code", "position", "name_vi", "name_en", "measure_vi", "measure_en",
					       "source", "figure", "numerator", "denominator", "factor", "rollup",
					       "levels", "min_value", "max_value", "at_most", "change_warn", "tolerance",
					       "decimals", NULL };
static const char *const FORM_COLS[] = { "code", "position", "name_vi", "name_en", "level", "period_type", "due_days",
					  NULL };
static const char *const FORM_INDICATOR_COLS[] = { "form", "indicator", "position", NULL };
static const char *const VALUE_COLS[] = { "unit_id", "period", "indicator", "value", "comment", "updated_by",
					   "updated_at", NULL };
static const char *const FORM_REPORT_COLS[] = { "form", "unit_id", "period", "status", "explanation", "reason",
						 "submitted_by", "decided_by", "updated_at", NULL };
static const char *const SNAPSHOT_COLS[] = { "form", "unit_id", "period", "indicator", "value", "computed", NULL };
static const char *const TARGET_COLS[] = { "indicator", "term", "unit_id", "value", "direction", "base", "allowance",
					    "set_by_unit", "set_by", "updated_at", NULL };
static const char *const DUES_RATE_COLS[] = { "unit_id", "year", "amount", NULL };
static const char *const CARD_KEY_COLS[] = { "id", "public_key", "secret_key", "created_at", "retired_at", NULL };
static const char *const DUES_PAYMENT_COLS[] = { "person_id", "year", "unit_id", "amount", "paid_on", "recorded_by",
						 "recorded_at", NULL };

const table_def_t STORE_TABLES[] = {
	{ "levels", LEVEL_COLS, "rank", 0 },
	{ "units", UNIT_COLS, "id", 1 },
	{ "unit_names", NAME_COLS, "unit_id, valid_from", 0 },
	{ "unit_parents", PARENT_COLS, "unit_id, valid_from", 0 },
	{ "unit_attributes", ATTRIBUTE_COLS, "unit_id, valid_from", 0 },
	{ "ancestry", ANCESTRY_COLS, "descendant, ancestor, valid_from", 0 },
	{ "events", EVENT_COLS, "id", 1 },
	{ "event_units", EVENT_UNIT_COLS, "event_id, unit_id, role", 0 },
	{ "ethnic_groups", ETHNIC_COLS, "code", 0 },
	/* sessions and log-in failures are not copied: they belong to the
	 * running servers of the source, not to the records */
	/* persons before users: an account may be a member's own (person_id) */
	{ "persons", PERSON_COLS, "id", 1 },
	{ "person_words", PERSON_WORD_COLS, "word, person_id", 0 },
	{ "users", USER_COLS, "id", 1 },
	{ "api_tokens", TOKEN_COLS, "id", 1 },
	{ "audit", AUDIT_COLS, "id", 1 },
	{ "consents", CONSENT_COLS, "id", 1 },
	{ "memberships", MEMBERSHIP_COLS, "id", 1 },
	{ "transfers", TRANSFER_COLS, "id", 1 },
	{ "dues_rates", DUES_RATE_COLS, "unit_id, year", 0 },
	{ "dues_payments", DUES_PAYMENT_COLS, "person_id, year", 0 },
	/* the card keys, secrets included: the copy is the same deployment,
	 * whose cards must go on verifying (docs/security.md, Card keys) */
	{ "card_keys", CARD_KEY_COLS, "id", 1 },
	{ "imports", IMPORT_COLS, "id", 1 },
	{ "import_records", IMPORT_RECORD_COLS, "person_id, import_id", 0 },
	/* the jobs' files stay in the source's spool folder: copied, they
	 * are a history of what was uploaded */
	{ "import_jobs", IMPORT_JOB_COLS, "id", 1 },
	{ "import_templates", IMPORT_TEMPLATE_COLS, "id", 1 },
	{ "indicators", INDICATOR_COLS, "code", 0 },
	{ "forms", FORM_COLS, "code", 0 },
	{ "form_indicators", FORM_INDICATOR_COLS, "form, indicator", 0 },
	{ "indicator_values", VALUE_COLS, "indicator, period, unit_id", 0 },
	{ "form_reports", FORM_REPORT_COLS, "form, period, unit_id", 0 },
	{ "form_snapshots", SNAPSHOT_COLS, "form, period, unit_id, indicator", 0 },
	{ "targets", TARGET_COLS, "indicator, term, unit_id", 0 },
	{ NULL, NULL, NULL, 0 },
};

/* The most columns of a table (persons has 26). */
#define COPY_COLS_MAX DB_BULK_COLS_MAX

static int ncols(const char *const *cols)
{
	int n = 0;
	while (cols[n])
		n++;
	return n;
}

static int count_rows(db_t *db, const char *table, int64_t *n, err_t *e)
{
	char sql[256];
	db_stmt_t *st = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	rc = db_prepare(db, sql, &st);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*n = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

static int copy_table(db_t *from, db_t *to, const table_def_t *t, copy_progress_fn progress, void *ctx,
		      err_t *e)
{
	char sql[1024];
	size_t len;
	int n = ncols(t->columns), rc;
	int64_t rows = 0, total = 0;
	db_stmt_t *st = NULL;
	db_bulk_t *b = NULL;
	const char *vals[COPY_COLS_MAX];

	if (n > COPY_COLS_MAX)
		return err_fail(e, ERR_INTERNAL, NULL, "table {table} has more columns than a copy holds",
				ERR_STR("table", t->name));
	if (count_rows(from, t->name, &total, e))
		return -1;
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? ", " : "", t->columns[i]);
	snprintf(sql + len, sizeof(sql) - len, " FROM %s ORDER BY %s", t->name, t->order_by);
	rc = db_prepare(from, sql, &st);
	if (rc != DB_OK)
		return store_fail(from, rc, e);
	rc = db_bulk_begin(to, t->name, t->columns, n, &b);
	if (rc != DB_OK) {
		db_finalize(st);
		return store_fail(to, rc, e);
	}
	while ((rc = db_step(st)) == DB_ROW) {
		for (int i = 0; i < n; i++)
			vals[i] = db_col_is_null(st, i) ? NULL : db_col_text(st, i);
		rc = db_bulk_row(b, vals);
		if (rc != DB_OK)
			break;
		if (++rows % 50000 == 0 && progress)
			progress(ctx, t->name, rows, total);
	}
	if (rc != DB_DONE) {
		int code = rc;
		db_t *culprit = db_errmsg(to)[0] ? to : from;
		db_bulk_end(b);
		db_finalize(st);
		return store_fail(culprit, code, e);
	}
	db_finalize(st);
	rc = db_bulk_end(b);
	if (rc != DB_OK)
		return store_fail(to, rc, e);
	if (progress)
		progress(ctx, t->name, rows, total);
	if (t->has_id && (rc = db_sync_ids(to, t->name)) != DB_OK)
		return store_fail(to, rc, e);
	return 0;
}

int store_copy(db_t *from, db_t *to, copy_progress_fn progress, void *ctx, err_t *e)
{
	int64_t existing = 0;
	int r = 0, rc;

	if (migrate_check(from, e) || migrate_apply(to, e))
		return -1;
	if (count_rows(to, "units", &existing, e))
		return -1;
	if (existing > 0)
		return err_fail(e, ERR_CONFLICT, "not_empty",
				"the target already holds {count} units: copy only into a new, empty database",
				ERR_INT("count", existing));
	/* one transaction on each side: a consistent picture of the source,
	 * all or nothing in the target */
	rc = db_begin_read(from);
	if (rc != DB_OK)
		return store_fail(from, rc, e);
	rc = db_begin(to);
	if (rc != DB_OK) {
		db_rollback(from);
		return store_fail(to, rc, e);
	}
	/* the target was just created: its levels (none) and meta (version)
	 * are replaced by the source's */
	rc = db_exec(to, "DELETE FROM levels");
	if (rc != DB_OK)
		r = store_fail(to, rc, e);
	for (const table_def_t *t = STORE_TABLES; !r && t->name; t++)
		r = copy_table(from, to, t, progress, ctx, e);
	/* the figures kept in the writes are counted afresh from what came,
	 * planned from the statistics of what came */
	if (!r)
		r = store_analyze(to, e) || member_tally_rebuild(to, e);
	db_rollback(from);
	if (r) {
		db_rollback(to);
		return -1;
	}
	rc = db_commit(to);
	if (rc != DB_OK)
		return store_fail(to, rc, e);
	/* the statistics again, with the kept tables', and the visibility map:
	 * without them the first minutes of a copied country ran its scoped
	 * reads 10 to 50 times slower, until autovacuum came by */
	return store_vacuum(to, e);
}
