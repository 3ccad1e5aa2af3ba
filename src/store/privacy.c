/*
 * privacy.c - consent, export and erasure of personal data (see privacy.h).
 */
#include "store/privacy.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/password.h"
#include "core/text.h"
#include "store/audit.h"
#include "store/auth_store.h"
#include "store/members.h"
#include "store/migrate.h"
#include "store/member_tally.h"
#include "store/util.h"

static int run(db_t *db, db_stmt_t *st, int rc, err_t *e)
{
	if (rc == DB_OK && (rc = db_step(st)) == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* Checks a consent's purpose: a detail on "purpose" and -1 when bad. */
static int check_purpose(const char *purpose, err_t *e)
{
	if (purpose && *purpose && text_valid(purpose) && text_length(purpose) <= CONSENT_PURPOSE_MAX)
		return 0;
	if (!purpose || !*purpose)
		err_field(e, "purpose", "required", "is required");
	else if (!text_valid(purpose))
		err_field(e, "purpose", "not_text", "must be text without control characters");
	else
		err_field(e, "purpose", "too_long", "is too long (at most {max} characters)", ERR_INT("max", CONSENT_PURPOSE_MAX));
	return err_fail(e, ERR_INVALID, "invalid", "the consent is not valid");
}

/* Records the consent (or its withdrawal) of subject (subject_type
 * "user" or "member", id) in the caller's transaction, audited with
 * unit_id. */
/* The day the open consent of subject for purpose was given into *given,
 * *open false when there is none. */
static int open_consent(db_t *db, const char *subject_type, int64_t subject_id, const char *purpose, bool *open,
			date_t *given, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*open = false;
	if (db_prepare(db, "SELECT given_on FROM consents WHERE subject_type = ? AND subject_id = ? AND purpose = ?"
			   " AND withdrawn_on IS NULL ORDER BY given_on LIMIT 1", &st) != DB_OK)
		return store_fail(db, DB_ERROR, e);
	rc = db_bind_text(st, 1, subject_type);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, subject_id);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, purpose);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*open = true;
		rc = db_col_date(st, 0, given);
	}
	db_finalize(st);
	return rc == DB_OK || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

/* Gives (or withdraws) subject's consent to purpose on day `given`. What
 * holds already changes nothing and writes no audit row: a consent given
 * twice is one consent, a withdrawal of none withdraws nothing. A
 * withdrawal dated before the consent was given is refused (422
 * before_given on "date"). */
static int consent_write(db_t *db, const principal_t *who, const char *subject_type, int64_t subject_id,
			 int64_t unit_id, const char *purpose, date_t given, bool withdraw, err_t *e)
{
	char day[DATE_STR_LEN], id[32], detail[CONSENT_PURPOSE_MAX * 4 + 64];
	db_stmt_t *st = NULL;
	date_t since = 0;
	bool open = false;
	int r, rc;

	if (open_consent(db, subject_type, subject_id, purpose, &open, &since, e))
		return -1;
	if (open != withdraw)
		return 0;
	if (withdraw && given < since) {
		err_field(e, "date", "before_given", "is before the consent was given ({date})", ERR_DATE("date", since));
		return err_fail(e, ERR_INVALID, "invalid", "the request has invalid fields");
	}
	if (!withdraw) {
		r = db_prepare(db, "INSERT INTO consents (subject_type, subject_id, purpose, given_on, recorded_at, recorded_by)"
				   " VALUES (?, ?, ?, ?, ?, ?)", &st) == DB_OK ? 0 : store_fail(db, DB_ERROR, e);
		if (!r) {
			rc = db_bind_text(st, 1, subject_type);
			if (rc == DB_OK)
				rc = db_bind_int64(st, 2, subject_id);
			if (rc == DB_OK)
				rc = db_bind_text(st, 3, purpose);
			if (rc == DB_OK)
				rc = db_bind_date(st, 4, given);
			if (rc == DB_OK)
				rc = db_bind_int64(st, 5, (int64_t)time(NULL));
			if (rc == DB_OK)
				rc = db_bind_text(st, 6, who->username);
			r = run(db, st, rc, e);
		}
	} else {
		r = db_prepare(db, "UPDATE consents SET withdrawn_on = ? WHERE subject_type = ? AND subject_id = ?"
				   " AND purpose = ? AND withdrawn_on IS NULL", &st) == DB_OK ? 0 : store_fail(db, DB_ERROR, e);
		if (!r) {
			rc = db_bind_date(st, 1, given);
			if (rc == DB_OK)
				rc = db_bind_text(st, 2, subject_type);
			if (rc == DB_OK)
				rc = db_bind_int64(st, 3, subject_id);
			if (rc == DB_OK)
				rc = db_bind_text(st, 4, purpose);
			r = run(db, st, rc, e);
		}
	}
	if (r)
		return -1;
	snprintf(id, sizeof(id), "%lld", (long long)subject_id);
	snprintf(detail, sizeof(detail), "%s %s on %s", withdraw ? "withdrawn:" : "given:", purpose,
		 date_format(given, day));
	return audit_write(db, who, withdraw ? "consent.withdraw" : "consent.give", unit_id, subject_type, id, NULL, NULL,
			   detail, e);
}

int consent_record(db_t *db, const principal_t *who, int64_t user_id, const char *purpose, date_t given,
		   bool withdraw, err_t *e)
{
	user_t u;
	bool own;
	int r;

	if (check_purpose(purpose, e) || store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &u, e);
	if (!r)
		r = consent_write(db, who, "user", user_id, u.unit_id, purpose, given, withdraw, e);
	return store_tx_end(db, own, r, e);
}

/* ISO 8601 UTC text of Unix seconds. */
static json_t *iso_time(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* A list of words as a JSON array. */
static json_t *words(const char *text)
{
	json_t *a = json_array();
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", text);
	for (char *w = strtok_r(buf, " ", &save); a && w; w = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(w));
	return a;
}

/* A column's value in an export: times as ISO text, role lists as arrays,
 * audited values as the JSON they hold, the rest as text. */
static json_t *export_value(const char *col, const char *v)
{
	size_t n = strlen(col);
	json_error_t je;
	json_t *j;

	if (!v)
		return json_null();
	if (n > 3 && strcmp(col + n - 3, "_at") == 0 && strcmp(col, "at") != 0 && v[0] >= '0' && v[0] <= '9' &&
	    !strchr(v, '-'))
		return iso_time(strtoll(v, NULL, 10));
	if (strcmp(col, "roles") == 0)
		return words(v);
	if (strcmp(col, "before_value") == 0 || strcmp(col, "after_value") == 0) {
		j = json_loads(v, 0, &je);
		return j ? j : json_string(v);
	}
	return json_string(v);
}

/* Rows of a query with one int64 parameter as a JSON array of objects
 * named by cols. */
static int rows_json(db_t *db, const char *sql, int64_t arg, const char *const *cols, json_t **out, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*out = json_array();
	rc = db_prepare(db, sql, &st);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 1, arg);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_t *o = json_object();
		for (int i = 0; cols[i]; i++)
			json_object_set_new(o, cols[i], export_value(cols[i], db_col_is_null(st, i) ? NULL : db_col_text(st, i)));
		json_array_append_new(*out, o);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return store_fail(db, rc, e);
	}
	return 0;
}

int consent_list(db_t *db, int64_t user_id, json_t **out, err_t *e)
{
	static const char *const cols[] = { "purpose", "given_on", "withdrawn_on", "recorded_by", NULL };

	return rows_json(db, "SELECT purpose, given_on, withdrawn_on, recorded_by FROM consents"
			     " WHERE subject_type = 'user' AND subject_id = ? ORDER BY given_on, id",
			 user_id, cols, out, e);
}

int privacy_export_user(db_t *db, const principal_t *who, int64_t user_id, json_t **out, err_t *e)
{
	static const char *const token_cols[] = { "name", "roles", "created_at", "expires_at", "last_used_at", "revoked_at", NULL };
	static const char *const session_cols[] = { "created_at", "last_seen_at", "client_addr", NULL };
	static const char *const audit_cols[] = { "at", "username", "client_addr", "action", "record_type", "record_id",
						  "before_value", "after_value", "detail", NULL };
	json_t *consents = NULL, *tokens = NULL, *sessions = NULL, *actions = NULL, *about = NULL;
	char roles[64], id[32];
	user_t u;
	bool own;
	int r;

	*out = NULL;
	if (store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &u, e);
	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	if (!r)
		r = consent_list(db, user_id, &consents, e);
	if (!r)
		r = rows_json(db, "SELECT name, roles, created_at, expires_at, last_used_at, revoked_at FROM api_tokens"
				  " WHERE user_id = ? ORDER BY id", user_id, token_cols, &tokens, e);
	if (!r)
		r = rows_json(db, "SELECT created_at, last_seen_at, client_addr FROM sessions WHERE user_id = ?"
				  " ORDER BY created_at", user_id, session_cols, &sessions, e);
	if (!r)
		r = rows_json(db, "SELECT at, username, client_addr, action, record_type, record_id, before_value,"
				  " after_value, detail FROM audit WHERE user_id = ? ORDER BY id", user_id, audit_cols,
			      &actions, e);
	if (!r)
		r = rows_json(db, "SELECT at, username, client_addr, action, record_type, record_id, before_value,"
				  " after_value, detail FROM audit WHERE record_type = 'user' AND record_id = CAST(? AS TEXT)"
				  " ORDER BY id", user_id, audit_cols, &about, e);
	if (!r) {
		roles_format(u.roles, roles, sizeof(roles));
		*out = json_pack("{s:s, s:{s:I, s:s, s:s, s:s, s:o, s:b, s:o}, s:o, s:o, s:o, s:o, s:o}",
				 "exported_for", u.username,
				 "account", "id", (json_int_t)u.id, "username", u.username, "display_name",
				 u.display_name, "unit", u.unit_code, "roles", words(roles), "disabled", u.disabled,
				 "created_at", iso_time(u.created_at),
				 "consents", consents, "api_tokens", tokens, "sessions", sessions,
				 "audit_of_her_actions", actions, "audit_of_her_account", about);
		consents = tokens = sessions = actions = about = NULL;
		if (!*out)
			r = err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	if (!r)
		r = audit_write(db, who, "user.export", u.unit_id, "user", id, NULL, NULL, u.username, e);
	json_decref(consents);
	json_decref(tokens);
	json_decref(sessions);
	json_decref(actions);
	json_decref(about);
	if (r) {
		json_decref(*out);
		*out = NULL;
	}
	return store_tx_end(db, own, r, e);
}

int privacy_erase_user(db_t *db, const principal_t *who, int64_t user_id, err_t *e)
{
	char name[64], id[32], unusable[SECRET_TEXT_MAX + 8];
	db_stmt_t *st = NULL;
	user_t u;
	bool own;
	int r, rc;

	snprintf(name, sizeof(name), "erased-%lld", (long long)user_id);
	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	/* not an argon2 hash: no password ever matches it */
	secret_new("erased:", unusable, sizeof(unusable));
	if (store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &u, e);
	if (!r)
		r = db_prepare(db, "UPDATE users SET username = ?, display_name = ?, password_hash = ?, roles = '',"
				   " disabled = " USER_ERASED_TEXT ", person_id = NULL WHERE id = ?", &st) == DB_OK
			? 0 : store_fail(db, DB_ERROR, e);
	if (!r) {
		rc = db_bind_text(st, 1, name);
		if (rc == DB_OK)
			rc = db_bind_text(st, 2, "(đã xóa / erased)");
		if (rc == DB_OK)
			rc = db_bind_text(st, 3, unusable);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 4, user_id);
		r = run(db, st, rc, e);
	}
	if (!r)
		r = db_prepare(db, "DELETE FROM sessions WHERE user_id = ?", &st) == DB_OK
			? run(db, st, db_bind_int64(st, 1, user_id), e) : store_fail(db, DB_ERROR, e);
	if (!r)
		r = db_prepare(db, "UPDATE api_tokens SET revoked_at = ?, name = 'erased' WHERE user_id = ?", &st) == DB_OK
			? run(db, st, db_bind_int64(st, 1, (int64_t)time(NULL)) == DB_OK ? db_bind_int64(st, 2, user_id) : DB_ERROR, e)
			: store_fail(db, DB_ERROR, e);
	if (!r)
		r = audit_write(db, who, "user.erase", u.unit_id, "user", id, NULL, NULL, "anonymised on request", e);
	return store_tx_end(db, own, r, e);
}

/* ---- members ---- */

int member_consent_record(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, const char *purpose,
			  date_t given, bool withdraw, err_t *e)
{
	bool own;
	int r;

	if (check_purpose(purpose, e) || store_tx_begin(db, &own, e))
		return -1;
	r = consent_write(db, who, "member", person_id, unit_id, purpose, given, withdraw, e);
	return store_tx_end(db, own, r, e);
}

int member_consent_list(db_t *db, int64_t person_id, json_t **out, err_t *e)
{
	static const char *const cols[] = { "purpose", "given_on", "withdrawn_on", "recorded_by", NULL };

	return rows_json(db, "SELECT purpose, given_on, withdrawn_on, recorded_by FROM consents"
			     " WHERE subject_type = 'member' AND subject_id = ? ORDER BY given_on, id",
			 person_id, cols, out, e);
}

int privacy_export_member(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, json_t **out,
			  err_t *e)
{
	static const char *const person_cols[] = { "full_name", "birth_date", "sex", "ethnicity", "religion",
						   "education", "qualification", "political_theory", "occupation",
						   "id_number", "id_kind", "phone", "hamlet", "street", "circumstances",
						   "digital", "party_member", "notes", "created_at", "updated_at", NULL };
	static const char *const stay_cols[] = { "unit_code", "kind", "valid_from", "valid_to", "start_reason",
						 "end_reason", NULL };
	static const char *const transfer_cols[] = { "from_code", "to_code", "date", "status", "note", "reason",
						     "created_by", "decided_by", "decided_on", NULL };
	static const char *const dues_cols[] = { "year", "amount", "paid_on", "unit_code", NULL };
	static const char *const audit_cols[] = { "at", "username", "client_addr", "action", "record_type", "record_id",
						  "before_value", "after_value", "detail", NULL };
	static const char *const import_cols[] = { "import_id", "file_name", "line", "action", "fields", "created_by",
						   "created_at", NULL };
	json_t *record = NULL, *stays = NULL, *transfers = NULL, *dues = NULL, *consents = NULL, *about = NULL,
	       *imports = NULL;
	char id[32];
	bool own;
	int r;

	*out = NULL;
	snprintf(id, sizeof(id), "%lld", (long long)person_id);
	if (store_tx_begin(db, &own, e))
		return -1;
	r = rows_json(db, "SELECT full_name, birth_date, sex, ethnicity, religion, education, qualification,"
			  " political_theory, occupation, id_number, id_kind, phone, hamlet, street, circumstances,"
			  " digital, party_member, notes, created_at, updated_at FROM persons WHERE id = ?",
		      person_id, person_cols, &record, e);
	if (!r)
		r = rows_json(db, "SELECT u.code, m.kind, m.valid_from, m.valid_to, m.start_reason, m.end_reason"
				  " FROM memberships m JOIN units u ON u.id = m.unit_id WHERE m.person_id = ?"
				  " ORDER BY m.valid_from", person_id, stay_cols, &stays, e);
	if (!r)
		r = rows_json(db, "SELECT f.code, t2.code, t.date, t.status, t.note, t.reason, t.created_by, t.decided_by,"
				  " t.decided_on FROM transfers t JOIN units f ON f.id = t.from_unit"
				  " JOIN units t2 ON t2.id = t.to_unit WHERE t.person_id = ? ORDER BY t.id",
			      person_id, transfer_cols, &transfers, e);
	if (!r)
		r = rows_json(db, "SELECT d.year, d.amount, d.paid_on, u.code FROM dues_payments d JOIN units u"
				  " ON u.id = d.unit_id WHERE d.person_id = ? ORDER BY d.year", person_id, dues_cols, &dues, e);
	if (!r)
		r = member_consent_list(db, person_id, &consents, e);
	if (!r)
		r = rows_json(db, "SELECT at, username, client_addr, action, record_type, record_id, before_value,"
				  " after_value, detail FROM audit WHERE record_type = 'member' AND record_id = CAST(? AS TEXT)"
				  " ORDER BY id", person_id, audit_cols, &about, e);
	if (!r)
		r = rows_json(db, "SELECT i.id, i.file_name, r.line, r.action, r.fields, i.created_by, i.created_at"
				  " FROM import_records r JOIN imports i ON i.id = r.import_id WHERE r.person_id = ?"
				  " ORDER BY i.id", person_id, import_cols, &imports, e);
	if (!r && json_array_size(record) != 1)
		r = err_fail(e, ERR_NOT_FOUND, "not_found", "no member with id {ref}", ERR_STR("ref", id));
	if (!r) {
		*out = json_pack("{s:s, s:O, s:o, s:o, s:o, s:o, s:o, s:o}", "exported_for", id, "record",
				 json_array_get(record, 0), "memberships", stays, "transfers", transfers, "dues", dues,
				 "consents", consents, "audit_of_her_record", about, "imports_of_her_record", imports);
		stays = transfers = dues = consents = about = imports = NULL;
		if (!*out)
			r = err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	if (!r)
		r = audit_write(db, who, "member.export", unit_id, "member", id, NULL, NULL, NULL, e);
	json_decref(record);
	json_decref(imports);
	json_decref(stays);
	json_decref(transfers);
	json_decref(dues);
	json_decref(consents);
	json_decref(about);
	if (r) {
		json_decref(*out);
		*out = NULL;
	}
	return store_tx_end(db, own, r, e);
}

/* 1 July of the year person_id was born: what an erased record keeps of
 * her date of birth, for the figures by age. */
static int year_of_birth(db_t *db, int64_t person_id, date_t *out, err_t *e)
{
	char born[DATE_STR_LEN], kept[DATE_STR_LEN];
	db_stmt_t *st = NULL;
	date_t d = 0;
	int rc;

	rc = db_prepare(db, "SELECT birth_date FROM persons WHERE id = ?", &st);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 1, person_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = db_col_date(st, 0, &d) == 0 ? DB_ROW : DB_ERROR;
	db_finalize(st);
	if (rc == DB_DONE) {
		char ref[32];
		snprintf(ref, sizeof(ref), "%lld", (long long)person_id);
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no member with id {ref}", ERR_STR("ref", ref));
	}
	if (rc != DB_ROW)
		return store_fail(db, rc < 0 ? rc : DB_ERROR, e);
	snprintf(kept, sizeof(kept), "%.4s-07-01", date_format(d, born));
	return date_parse(kept, out) == 0 ? 0 : err_fail(e, ERR_INTERNAL, NULL, "a date of birth that is no date");
}

/* Her membership ends with her record, or a nameless member no one can
 * find would count for ever: the stay that holds today ends today ("left")
 * and her pending transfers are cancelled. A stay that began today is kept
 * (a stay of no day cannot be), and counts until someone ends it. */
static int end_membership(db_t *db, const principal_t *who, int64_t person_id, err_t *e)
{
	member_t m;

	if (member_get(db, person_id, who->today, &m, e))
		return -1;
	if (m.current && m.m.valid_from < who->today)
		return member_end_stay(db, who, person_id, who->today, "left", 0, e);
	return member_cancel_transfers(db, who, person_id, 0, who->today, "erased", e);
}

int privacy_erase_member(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, err_t *e)
{
	date_t kept = 0;
	db_stmt_t *st = NULL;
	char id[32];
	bool own;
	int r, rc;

	snprintf(id, sizeof(id), "%lld", (long long)person_id);
	if (store_tx_begin(db, &own, e))
		return -1;
	r = end_membership(db, who, person_id, e);
	if (!r)
		r = year_of_birth(db, person_id, &kept, e);
	if (!r)
		r = member_tally_person(db, person_id, -1, e);
	if (!r)
		r = db_prepare(db, "UPDATE persons SET full_name = ?, name_fold = '', name_key = '', id_number = NULL,"
				   " id_kind = NULL, phone = NULL, religion = '', education = '', qualification = '',"
				   " political_theory = '', occupation = '', hamlet = '', street = '', circumstances = '',"
				   " notes = '', address_province = '', address_commune = '', birth_date = ?, erased = 1"
				   " WHERE id = ?", &st) == DB_OK
			? 0 : store_fail(db, DB_ERROR, e);
	if (!r) {
		rc = db_bind_text(st, 1, "(đã xóa / erased)");
		if (rc == DB_OK)
			rc = db_bind_date(st, 2, kept);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 3, person_id);
		r = run(db, st, rc, e);
	}
	if (!r)
		r = db_prepare(db, "DELETE FROM person_words WHERE person_id = ?", &st) == DB_OK
			? run(db, st, db_bind_int64(st, 1, person_id), e) : store_fail(db, DB_ERROR, e);
	/* after her words went: the kept search rows are made from them */
	if (!r)
		r = member_tally_person(db, person_id, 1, e);
	/* the free text of her transfers may name her, her family, her address */
	if (!r)
		r = db_prepare(db, "UPDATE transfers SET note = '', reason = '' WHERE person_id = ?", &st) == DB_OK
			? run(db, st, db_bind_int64(st, 1, person_id), e) : store_fail(db, DB_ERROR, e);
	/* an account of hers no longer names the record: the link would say
	 * whose it was (the account itself is erased on its own request) */
	if (!r)
		r = db_prepare(db, "UPDATE users SET person_id = NULL WHERE person_id = ?", &st) == DB_OK
			? run(db, st, db_bind_int64(st, 1, person_id), e) : store_fail(db, DB_ERROR, e);
	if (!r)
		r = audit_write(db, who, "member.erase", unit_id, "member", id, NULL, NULL, NULL, e);
	return store_tx_end(db, own, r, e);
}
