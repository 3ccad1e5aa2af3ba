/*
 * auth_store.c - users, sessions, tokens and throttling (see auth_store.h).
 */
#include "store/auth_store.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "store/audit.h"
#include "store/migrate.h"
#include "store/util.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/scope.h"

/* A user with her unit's code and its name on today's date (or, for a unit
 * closed or not yet opened, its last or first name), and the tree's
 * version: USER_COLS from users u USER_JOINS, whose four placeholders are
 * all today. */
#define USER_COLS                                                                               \
	"u.id, u.username, u.display_name, u.unit_id, u.roles, u.disabled, u.created_at,"        \
	" u.password_hash, uu.code, un.name_vi, u.must_change_password, coalesce(u.person_id, 0)," \
	" (SELECT n FROM org_version WHERE id = 1)"
#define USER_N_COLS 13
#define USER_JOINS                                                            \
	" JOIN units uu ON uu.id = u.unit_id"                                 \
	" LEFT JOIN unit_names un ON un.unit_id = uu.id AND ("               \
	"  (un.valid_from <= ? AND un.valid_to > ?)"                         \
	"  OR (uu.valid_to <= ? AND un.valid_to = uu.valid_to)"              \
	"  OR (uu.valid_from > ? AND un.valid_from = uu.valid_from))"
#define USER_SELECT "SELECT " USER_COLS " FROM users u" USER_JOINS

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* How long recording a token's or a session's last use waits for the write
 * lock: past it, the use is recorded by a later request (at most once a
 * minute anyway), and the read it is part of goes on. */
#define TOUCH_WAIT_MS 50

/* Runs a prepared touch (bound when rc is DB_OK): 0, also when the write
 * lock stayed taken; -1 with e on any other failure. */
static int touch(db_t *db, db_stmt_t *st, int rc, err_t *e)
{
	if (rc == DB_OK && (rc = db_step_within(st, TOUCH_WAIT_MS)) == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	if (rc == DB_BUSY)
		return 0;
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

static int finish(db_t *db, db_stmt_t *st, int rc, err_t *e)
{
	if (rc == DB_OK && (rc = db_step(st)) == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

void user_list_free(user_list_t *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void token_list_free(token_list_t *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int username_check(const char *name, const char *field, err_t *e)
{
	size_t n = strlen(name);

	if (n < 3 || n > USERNAME_MAX)
		return n < 3 ? err_field(e, field, "too_short", "is too short (at least {min} characters)", ERR_INT("min", 3))
			     : err_field(e, field, "too_long", "is too long (at most {max} characters)", ERR_INT("max", USERNAME_MAX));
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return err_field(e, field, "bad_characters", "may contain only {allowed}", ERR_STR("allowed", "a-z 0-9 . _ -"));
	if (strncmp(name, "erased-", 7) == 0)
		return err_field(e, field, "reserved", "may not start with '{prefix}' (kept for erased accounts)",
				 ERR_STR("prefix", "erased-"));
	return 0;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Reads a USER_SELECT row into u (and the hash, when wanted). */
static void read_user(db_stmt_t *st, user_t *u, char *hash)
{
	err_t ignore;

	memset(u, 0, sizeof(*u));
	u->id = db_col_int64(st, 0);
	ub_strlcpy(u->username, db_col_text(st, 1), sizeof(u->username));
	ub_strlcpy(u->display_name, db_col_text(st, 2), sizeof(u->display_name));
	u->unit_id = db_col_int64(st, 3);
	if (roles_parse(db_col_text(st, 4), &u->roles, "roles", (err_clear(&ignore), &ignore)) != 0)
		u->roles = 0;
	/* users.disabled: 0 active, 1 disabled, USER_ERASED erased */
	u->disabled = db_col_int64(st, 5) != 0;
	u->erased = db_col_int64(st, 5) == USER_ERASED;
	u->created_at = db_col_int64(st, 6);
	if (hash)
		ub_strlcpy(hash, db_col_text(st, 7), PASSWORD_HASH_MAX);
	ub_strlcpy(u->unit_code, db_col_text(st, 8), sizeof(u->unit_code));
	ub_strlcpy(u->unit_name_vi, db_col_text(st, 9), sizeof(u->unit_name_vi));
	u->must_change_password = db_col_int64(st, 10) != 0;
	u->person_id = db_col_int64(st, 11);
	u->org_version = db_col_int64(st, 12);
}

static int user_one(db_t *db, const char *where, const char *text, int64_t id, date_t today, user_t *out,
		    char hash[PASSWORD_HASH_MAX], err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	query_init(&q);
	query_add_dates(&q, USER_SELECT, today);
	if (text)
		query_add(&q, where, QT(text));
	else
		query_add(&q, where, QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		read_user(st, out, hash);
		db_finalize(st);
		return 0;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	return err_fail(e, ERR_NOT_FOUND, "not_found", "no such user");
}

int user_by_name(db_t *db, const char *username, date_t today, user_t *out, char hash[PASSWORD_HASH_MAX], err_t *e)
{
	char name[USERNAME_MAX + 1];

	if (ub_strlcpy(name, username, sizeof(name)) || !text_valid(name))
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such user");
	lower(name);
	return user_one(db, " WHERE u.username = ?", name, 0, today, out, hash, e);
}

int user_by_id(db_t *db, int64_t id, date_t today, user_t *out, err_t *e)
{
	return user_one(db, " WHERE u.id = ?", NULL, id, today, out, NULL, e);
}

static char *user_audit_text(const user_t *u)
{
	char roles[64];
	json_t *j;
	char *text;

	roles_format(u->roles, roles, sizeof(roles));
	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)u->id, "username", u->username,
		      "display_name", u->display_name, "unit", u->unit_code, "roles", roles,
		      "disabled", u->disabled);
	/* shown only while it holds, so that the rows of before stay as they were */
	if (j && u->must_change_password)
		json_object_set_new(j, "must_change_password", json_true());
	if (j && u->person_id)
		json_object_set_new(j, "person_id", json_integer((json_int_t)u->person_id));
	text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return text;
}

static int audit_user(db_t *db, const principal_t *who, const char *action, const user_t *before,
		      const user_t *after, err_t *e)
{
	const user_t *u = after ? after : before;
	char *b, *a;
	char id[32];
	int r;

	if (!u)
		return err_fail(e, ERR_INTERNAL, NULL, "an audit row needs a user");
	b = before ? user_audit_text(before) : NULL;
	a = after ? user_audit_text(after) : NULL;
	snprintf(id, sizeof(id), "%lld", (long long)u->id);
	r = audit_write(db, who, action, u->unit_id, "user", id, b, a, u->username, e);
	free(b);
	free(a);
	return r;
}

/* The member record person_id may be linked to user_id (0 for a new
 * account): a person of the registry, not erased, whom no other account
 * is linked to. 422 not_found on person_id, 409 person_linked. */
static int check_person(db_t *db, int64_t person_id, int64_t user_id, err_t *e)
{
	db_stmt_t *st = NULL;
	char ref[24];
	int rc;

	snprintf(ref, sizeof(ref), "%lld", (long long)person_id);
	if (store_prep(db, "SELECT count(*) FROM persons WHERE id = ? AND erased = 0", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, person_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		rc = db_col_int64(st, 0) > 0 ? DB_OK : DB_DONE;
	}
	db_finalize(st);
	if (rc == DB_DONE) {
		err_field(e, "person_id", "no_member", "no member with id {value}", ERR_STR("value", ref));
		return err_fail(e, ERR_INVALID, "invalid", "no member with id {ref}", ERR_STR("ref", ref));
	}
	if (rc != DB_OK)
		return store_fail(db, rc, e);
	if (store_prep(db, "SELECT count(*) FROM users WHERE person_id = ? AND id <> ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, person_id);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, user_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		rc = db_col_int64(st, 0) > 0 ? DB_UNIQUE : DB_OK;
	db_finalize(st);
	if (rc == DB_UNIQUE)
		return err_fail(e, ERR_CONFLICT, "person_linked", "member {person} already has an account",
				ERR_INT("person", person_id));
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int user_create(db_t *db, const principal_t *who, const char *username, const char *display_name,
		const char *unit_ref, unsigned roles, int64_t person_id, const char *password, user_t *out, err_t *e)
{
	char name[USERNAME_MAX + 1] = "", display[UNIT_NAME_BUF] = "", hash[PASSWORD_HASH_MAX];
	db_stmt_t *st = NULL;
	unit_t unit = { 0 };
	int64_t id = 0, now = now_s();
	char roles_text[64];
	bool own;
	int r, rc;

	if (ub_strlcpy(name, username, sizeof(name)) && text_length(username) > USERNAME_MAX)
		err_field(e, "username", "too_long", "is too long (at most {max} characters)", ERR_INT("max", USERNAME_MAX));
	lower(name);
	username_check(name, "username", e);
	if (ub_strlcpy(display, display_name && *display_name ? display_name : name, sizeof(display)))
		err_field(e, "display_name", "too_long", "is too long (at most {max} characters)", ERR_INT("max", UNIT_NAME_MAX));
	else
		unit_name_normalise(display, sizeof(display), "display_name", e);
	if (!roles || (roles & ~(unsigned)ROLE_ALL))
		err_field(e, "roles", "required", "needs at least one known role");
	password_check_new(password, "password", e);
	if (e && e->n_details)
		return err_fail(e, ERR_INVALID, "invalid", "the user's fields are not valid");
	if (password_hash(password, hash, e))
		return -1;
	roles_format(roles, roles_text, sizeof(roles_text));
	if (store_tx_begin(db, &own, e))
		return -1;
	r = org_unit_get(db, unit_ref, who->today, &unit, e);
	if (r && e && e->kind == ERR_NOT_FOUND) {
		err_clear(e);
		err_field(e, "unit", "not_found", "no unit with code {value} today", ERR_STR("value", unit_ref));
		r = err_fail(e, ERR_INVALID, "invalid", "no unit with code {ref} today", ERR_STR("ref", unit_ref));
	}
	if (!r && person_id)
		r = check_person(db, person_id, 0, e);
	if (!r)
		r = store_prep(db, "INSERT INTO users (username, display_name, unit_id, roles, password_hash, disabled,"
			     " created_at, password_changed_at, person_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id",
			     &st, e);
	if (!r) {
		rc = db_bind_text(st, 1, name);
		if (rc == DB_OK)
			rc = db_bind_text(st, 2, display);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 3, unit.id);
		if (rc == DB_OK)
			rc = db_bind_text(st, 4, roles_text);
		if (rc == DB_OK)
			rc = db_bind_text(st, 5, hash);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 6, now);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 7, now);
		if (rc == DB_OK)
			rc = person_id ? db_bind_int64(st, 8, person_id) : db_bind_null(st, 8);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			id = db_col_int64(st, 0);
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc == DB_UNIQUE)
			r = err_fail(e, ERR_CONFLICT, "username_taken", "the user name {username} is taken", ERR_STR("username", name));
		else if (rc != DB_OK)
			r = store_fail(db, rc, e);
	}
	if (!r)
		r = user_by_id(db, id, who->today, out, e);
	if (!r)
		r = audit_user(db, who, "user.create", NULL, out, e);
	sodium_memzero(hash, sizeof(hash));
	return store_tx_end(db, own, r, e);
}

int users_list(db_t *db, const principal_t *who, user_list_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add_dates(&q, USER_SELECT " WHERE 1 = 1", who->today);
	scope_filter(&q, who, "u.unit_id");
	query_sql(&q, " ORDER BY u.username LIMIT 5000");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			user_t *v = realloc(out->items, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				user_list_free(out);
				return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
			}
			out->items = v;
			cap = ncap;
		}
		read_user(st, &out->items[out->n++], NULL);
	}
	db_finalize(st);
	if (rc < 0) {
		user_list_free(out);
		return store_fail(db, rc, e);
	}
	return 0;
}

static int exec_i(db_t *db, const char *sql, int64_t a, int64_t b, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, sql, &st, e))
		return -1;
	rc = db_bind_int64(st, 1, a);
	if (rc == DB_OK && strchr(strchr(sql, '?') + 1, '?'))
		rc = db_bind_int64(st, 2, b);
	return finish(db, st, rc, e);
}

int user_set_disabled(db_t *db, const principal_t *who, int64_t user_id, bool disabled, err_t *e)
{
	user_t before = { 0 }, after = { 0 };
	bool own;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &before, e);
	if (!r && before.erased)
		r = err_fail(e, ERR_CONFLICT, "user_erased", "the account {username} was erased: it cannot be used again",
			     ERR_STR("username", before.username));
	if (!r)
		r = exec_i(db, "UPDATE users SET disabled = ? WHERE id = ?", disabled ? 1 : 0, user_id, e);
	if (!r && disabled)
		r = exec_i(db, "DELETE FROM sessions WHERE user_id = ?", user_id, 0, e);
	if (!r && disabled)
		r = exec_i(db, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now_s(),
			   user_id, e);
	if (!r)
		r = user_by_id(db, user_id, who->today, &after, e);
	if (!r)
		r = audit_user(db, who, disabled ? "user.disable" : "user.enable", &before, &after, e);
	return store_tx_end(db, own, r, e);
}

/* ERR_CONFLICT user_erased for an erased account, which cannot change. */
static int refuse_erased(const user_t *u, err_t *e)
{
	if (!u->erased)
		return 0;
	return err_fail(e, ERR_CONFLICT, "user_erased", "the account {username} was erased: it cannot be used again",
			ERR_STR("username", u->username));
}

int user_update(db_t *db, const principal_t *who, int64_t user_id, const char *display_name, int64_t unit_id,
		unsigned roles, const int64_t *person_id, user_t *out, err_t *e)
{
	char display[UNIT_NAME_BUF] = "", roles_text[64];
	user_t before = { 0 };
	db_stmt_t *st = NULL;
	bool own;
	int r, rc;

	if (display_name) {
		if (!*display_name)
			err_field(e, "display_name", "required", "is required");
		else if (ub_strlcpy(display, display_name, sizeof(display)))
			err_field(e, "display_name", "too_long", "is too long (at most {max} characters)",
				  ERR_INT("max", UNIT_NAME_MAX));
		else
			unit_name_normalise(display, sizeof(display), "display_name", e);
	}
	if (roles & ~(unsigned)ROLE_ALL)
		err_field(e, "roles", "required", "needs at least one known role");
	if (e && e->n_details)
		return err_fail(e, ERR_INVALID, "invalid", "the user's fields are not valid");
	if (store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &before, e);
	if (!r)
		r = refuse_erased(&before, e);
	if (!r && person_id && *person_id && *person_id != before.person_id)
		r = check_person(db, *person_id, user_id, e);
	if (!r && (!display_name || !strcmp(display, before.display_name)) && (!unit_id || unit_id == before.unit_id) &&
	    (!roles || roles == before.roles) && (!person_id || *person_id == before.person_id)) {
		/* nothing changes: no row to write, none to audit */
		*out = before;
		return store_tx_end(db, own, r, e);
	}
	if (!r) {
		roles_format(roles ? roles : before.roles, roles_text, sizeof(roles_text));
		r = store_prep(db, "UPDATE users SET display_name = ?, unit_id = ?, roles = ?, person_id = ? WHERE id = ?",
			       &st, e);
	}
	if (!r) {
		int64_t person = person_id ? *person_id : before.person_id;
		rc = db_bind_text(st, 1, display_name ? display : before.display_name);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, unit_id ? unit_id : before.unit_id);
		if (rc == DB_OK)
			rc = db_bind_text(st, 3, roles_text);
		if (rc == DB_OK)
			rc = person ? db_bind_int64(st, 4, person) : db_bind_null(st, 4);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 5, user_id);
		r = finish(db, st, rc, e);
	}
	if (!r)
		r = user_by_id(db, user_id, who->today, out, e);
	if (!r)
		r = audit_user(db, who, "user.update", &before, out, e);
	return store_tx_end(db, own, r, e);
}

int user_reset_password(db_t *db, const principal_t *who, int64_t user_id, char password_out[17], err_t *e)
{
	char hash[PASSWORD_HASH_MAX];
	user_t before = { 0 }, after = { 0 };
	db_stmt_t *st = NULL;
	bool own;
	int r, rc;

	password_generate(password_out);
	if (password_hash(password_out, hash, e))
		return -1;
	if (store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &before, e);
	if (!r)
		r = refuse_erased(&before, e);
	if (!r)
		r = store_prep(db, "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = 1"
				   " WHERE id = ?", &st, e);
	if (!r) {
		rc = db_bind_text(st, 1, hash);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, now_s());
		if (rc == DB_OK)
			rc = db_bind_int64(st, 3, user_id);
		r = finish(db, st, rc, e);
	}
	/* whoever held her old password is logged out, and the tokens made
	 * with it die (a reset is how a taken-over account is recovered:
	 * suspended tokens would come back to life at her next password) */
	if (!r)
		r = exec_i(db, "DELETE FROM sessions WHERE user_id = ?", user_id, 0, e);
	if (!r)
		r = exec_i(db, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now_s(),
			   user_id, e);
	if (!r)
		r = user_by_id(db, user_id, who->today, &after, e);
	if (!r)
		r = audit_user(db, who, "user.password_reset", &before, &after, e);
	sodium_memzero(hash, sizeof(hash));
	if (store_tx_end(db, own, r, e)) {
		sodium_memzero(password_out, 17);
		return -1;
	}
	return 0;
}

int user_set_password(db_t *db, const principal_t *who, int64_t user_id, const char *password,
		      const char *keep_session_hash, err_t *e)
{
	char hash[PASSWORD_HASH_MAX];
	db_stmt_t *st = NULL;
	user_t u = { 0 };
	bool own;
	int r, rc;

	if (password_check_new(password, "new_password", e))
		return err_fail(e, ERR_INVALID, "invalid", "the new password is not acceptable");
	if (password_hash(password, hash, e))
		return -1;
	if (store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &u, e);
	if (!r)
		r = store_prep(db, "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = 0"
				   " WHERE id = ?", &st, e);
	if (!r) {
		rc = db_bind_text(st, 1, hash);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, now_s());
		if (rc == DB_OK)
			rc = db_bind_int64(st, 3, user_id);
		r = finish(db, st, rc, e);
	}
	if (!r) {
		if (store_prep(db, keep_session_hash ? "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?"
					       : "DELETE FROM sessions WHERE user_id = ?", &st, e))
			r = -1;
		else {
			rc = db_bind_int64(st, 1, user_id);
			if (rc == DB_OK && keep_session_hash)
				rc = db_bind_text(st, 2, keep_session_hash);
			r = finish(db, st, rc, e);
		}
	}
	if (!r)
		r = audit_user(db, who, "user.password", &u, &u, e);
	sodium_memzero(hash, sizeof(hash));
	return store_tx_end(db, own, r, e);
}

int user_rehash(db_t *db, int64_t user_id, const char *password, err_t *e)
{
	char hash[PASSWORD_HASH_MAX];
	db_stmt_t *st = NULL;
	int rc;

	if (password_hash(password, hash, e) || store_prep(db, "UPDATE users SET password_hash = ? WHERE id = ?", &st, e))
		return -1;
	rc = db_bind_text(st, 1, hash);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, user_id);
	return finish(db, st, rc, e);
}

int principal_for_user(db_t *db, const user_t *u, const char *client_addr, date_t today, principal_t *out, err_t *e)
{
	memset(out, 0, sizeof(*out));
	out->today = today;
	out->user_id = u->id;
	ub_strlcpy(out->username, u->username, sizeof(out->username));
	out->unit_id = u->unit_id;
	out->roles = u->roles;
	out->person_id = u->person_id;
	out->org_version = u->org_version;
	ub_strlcpy(out->client_addr, client_addr ? client_addr : "", sizeof(out->client_addr));
	return scope_load(db, out, e);
}

/* ---- sessions ---- */

int session_create(db_t *db, int64_t user_id, const char *client_addr, char id_out[SECRET_TEXT_MAX],
		   char csrf_out[SECRET_TEXT_MAX], err_t *e)
{
	char digest[65];
	db_stmt_t *st = NULL;
	int64_t now = now_s();
	int rc;

	secret_new("", id_out, SECRET_TEXT_MAX);
	secret_new("", csrf_out, SECRET_TEXT_MAX);
	secret_digest(id_out, digest);
	/* sessions nobody will use again go at each log-in: the table holds
	 * only live ones */
	if (store_prep(db, "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, now - SESSION_IDLE_SECONDS);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, now - SESSION_ABSOLUTE_SECONDS);
	if (finish(db, st, rc, e))
		return -1;
	if (store_prep(db, "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, client_addr)"
		     " VALUES (?, ?, ?, ?, ?, ?)", &st, e))
		return -1;
	rc = db_bind_text(st, 1, digest);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, user_id);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, csrf_out);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 4, now);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 5, now);
	if (rc == DB_OK)
		rc = db_bind_text(st, 6, client_addr ? client_addr : "");
	return finish(db, st, rc, e);
}

int session_lookup(db_t *db, const char *id, int64_t now, date_t today, user_t *user, char csrf_out[SECRET_TEXT_MAX],
		   err_t *e)
{
	char digest[65];
	db_stmt_t *st = NULL;
	query_t q;
	int64_t user_id = 0, created = 0, seen = 0;
	int rc;

	if (strlen(id) >= SECRET_TEXT_MAX)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "log in first");
	secret_digest(id, digest);
	/* the session and its user in one query: one round trip a request */
	query_init(&q);
	query_add_dates(&q,
			"SELECT " USER_COLS ", s.user_id, s.csrf_token, s.created_at, s.last_seen_at"
			" FROM sessions s JOIN users u ON u.id = s.user_id" USER_JOINS,
			today);
	query_add(&q, " WHERE s.id_hash = ?", QT(digest));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		read_user(st, user, NULL);
		user_id = db_col_int64(st, USER_N_COLS);
		ub_strlcpy(csrf_out, db_col_text(st, USER_N_COLS + 1), SECRET_TEXT_MAX);
		created = db_col_int64(st, USER_N_COLS + 2);
		seen = db_col_int64(st, USER_N_COLS + 3);
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	if (!user_id)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "log in first");
	if (now - seen > SESSION_IDLE_SECONDS || now - created > SESSION_ABSOLUTE_SECONDS) {
		/* its row goes now if the write lock comes at once, else at
		 * the next log-in's sweep (session_create): a refusal does not
		 * wait 10 s for a lock, on libmicrohttpd's polling thread for
		 * an upload's first call */
		err_t ignore;
		err_clear(&ignore);
		if (store_prep(db, "DELETE FROM sessions WHERE id_hash = ?", &st, &ignore) == 0)
			(void)touch(db, st, db_bind_text(st, 1, digest), &ignore);
		return err_fail(e, ERR_UNAUTHORIZED, "session_expired", "the session has expired: log in again");
	}
	if (user->disabled)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "this account is disabled");
	/* touch at most once a minute: a write per request would be a waste */
	if (now - seen >= 60 && store_prep(db, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", &st, e) == 0) {
		rc = db_bind_int64(st, 1, now);
		if (rc == DB_OK)
			rc = db_bind_text(st, 2, digest);
		return touch(db, st, rc, e);
	}
	return 0;
}

int session_delete(db_t *db, const char *id, err_t *e)
{
	char digest[65];
	db_stmt_t *st = NULL;

	secret_digest(id, digest);
	if (store_prep(db, "DELETE FROM sessions WHERE id_hash = ?", &st, e))
		return -1;
	return finish(db, st, db_bind_text(st, 1, digest), e);
}

void session_list_free(session_list_t *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int sessions_list(db_t *db, int64_t user_id, int64_t now, const char *current_hash, session_list_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_prep(db, "SELECT id_hash, created_at, last_seen_at, client_addr FROM sessions"
			   " WHERE user_id = ? AND last_seen_at >= ? AND created_at >= ?"
			   " ORDER BY created_at DESC, id_hash", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, user_id);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, now - SESSION_IDLE_SECONDS);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 3, now - SESSION_ABSOLUTE_SECONDS);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		user_session_t *s;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			user_session_t *v = realloc(out->items, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				session_list_free(out);
				return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
			}
			out->items = v;
			cap = ncap;
		}
		s = &out->items[out->n++];
		memset(s, 0, sizeof(*s));
		snprintf(s->id, sizeof(s->id), "%.*s", SESSION_HANDLE_LEN, db_col_text(st, 0));
		s->current = current_hash && strcmp(current_hash, db_col_text(st, 0)) == 0;
		s->created_at = db_col_int64(st, 1);
		s->last_seen_at = db_col_int64(st, 2);
		ub_strlcpy(s->client_addr, db_col_text(st, 3), sizeof(s->client_addr));
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0) {
		session_list_free(out);
		return store_fail(db, rc, e);
	}
	return 0;
}

/* The audit form of a session: its handle, when and where it began. */
static char *session_audit_text(const char *handle, int64_t created_at, const char *client_addr)
{
	json_t *j = json_pack("{s:s, s:I, s:s}", "id", handle, "created_at", (json_int_t)created_at, "client_addr",
			      client_addr);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return text;
}

int session_revoke(db_t *db, const principal_t *who, int64_t user_id, const char *handle, err_t *e)
{
	char digest[65] = "", addr[64] = "", id[32];
	db_stmt_t *st = NULL;
	int64_t created = 0;
	user_t u = { 0 };
	char *b = NULL;
	bool own, found = false;
	int r, rc;

	/* a handle is hex of a fixed length: anything else names no session */
	if (strlen(handle) != SESSION_HANDLE_LEN || strspn(handle, "0123456789abcdef") != SESSION_HANDLE_LEN)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such session");
	if (store_tx_begin(db, &own, e))
		return -1;
	r = user_by_id(db, user_id, who->today, &u, e);
	if (!r)
		r = store_prep(db, "SELECT id_hash, created_at, client_addr FROM sessions WHERE user_id = ?"
				   " AND substr(id_hash, 1, 16) = ?", &st, e);
	if (!r) {
		rc = db_bind_int64(st, 1, user_id);
		if (rc == DB_OK)
			rc = db_bind_text(st, 2, handle);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			ub_strlcpy(digest, db_col_text(st, 0), sizeof(digest));
			created = db_col_int64(st, 1);
			ub_strlcpy(addr, db_col_text(st, 2), sizeof(addr));
			found = true;
			rc = DB_OK;
		} else if (rc == DB_DONE) {
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc != DB_OK)
			r = store_fail(db, rc, e);
	}
	if (!r && !found)
		r = err_fail(e, ERR_NOT_FOUND, "not_found", "no such session");
	if (!r && store_prep(db, "DELETE FROM sessions WHERE id_hash = ?", &st, e))
		r = -1;
	if (!r)
		r = finish(db, st, db_bind_text(st, 1, digest), e);
	if (!r) {
		b = session_audit_text(handle, created, addr);
		snprintf(id, sizeof(id), "%lld", (long long)user_id);
		r = b ? audit_write(db, who, "session.revoke", u.unit_id, "user", id, b, NULL, u.username, e)
		      : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	free(b);
	return store_tx_end(db, own, r, e);
}

/* ---- tokens ---- */

/* Reads TOKEN_COLS from column at on. */
static void read_token_at(db_stmt_t *st, int at, api_token_t *t)
{
	err_t ignore;

	memset(t, 0, sizeof(*t));
	t->id = db_col_int64(st, at);
	t->user_id = db_col_int64(st, at + 1);
	ub_strlcpy(t->name, db_col_text(st, at + 2), sizeof(t->name));
	err_clear(&ignore);
	if (roles_parse(db_col_text(st, at + 3), &t->roles, "roles", &ignore))
		t->roles = 0;
	t->created_at = db_col_int64(st, at + 4);
	t->expires_at = db_col_int64(st, at + 5);
	t->last_used_at = db_col_int64(st, at + 6);
	t->revoked_at = db_col_int64(st, at + 7);
}

static int read_token(db_stmt_t *st, api_token_t *t)
{
	read_token_at(st, 0, t);
	return 0;
}

#define TOKEN_COLS "id, user_id, name, roles, created_at, expires_at, last_used_at, revoked_at"

/* The audit form of a token (never its secret): malloc'd JSON text. */
static char *token_audit_text(const api_token_t *t)
{
	char roles[64];
	json_t *j;
	char *text;

	roles_format(t->roles, roles, sizeof(roles));
	j = json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)t->id, "name", t->name, "roles", roles,
		      "expires_at", t->expires_at ? json_integer(t->expires_at) : json_null(),
		      "revoked_at", t->revoked_at ? json_integer(t->revoked_at) : json_null());
	text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return text;
}

int token_create(db_t *db, const principal_t *who, const user_t *u, const char *name, unsigned roles,
		 int64_t expires_at, char secret_out[SECRET_TEXT_MAX], api_token_t *out, err_t *e)
{
	char digest[65], roles_text[64], id[32];
	db_stmt_t *st = NULL;
	int64_t now = now_s(), tid = 0;
	bool own;
	int r, rc;

	if (!name || !*name)
		err_field(e, "name", "required", "is required");
	else if (!text_valid(name))
		err_field(e, "name", "not_text", "must be text without control characters");
	else if (text_length(name) > TOKEN_NAME_MAX)
		err_field(e, "name", "too_long", "is too long (at most {max} characters)", ERR_INT("max", TOKEN_NAME_MAX));
	if (!roles || !roles_within(roles, u->roles))
		err_field(e, "roles", "beyond_own_roles", "must give no right beyond your own roles");
	if (expires_at && expires_at <= now)
		err_field(e, "expires_at", "not_in_future", "must be in the future");
	if (e && e->n_details)
		return err_fail(e, ERR_INVALID, "invalid", "the token's fields are not valid");
	secret_new("ubt_", secret_out, SECRET_TEXT_MAX);
	secret_digest(secret_out, digest);
	roles_format(roles, roles_text, sizeof(roles_text));
	if (store_tx_begin(db, &own, e))
		return -1;
	r = store_prep(db, "INSERT INTO api_tokens (user_id, name, token_hash, roles, created_at, expires_at)"
		     " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", &st, e);
	if (!r) {
		rc = db_bind_int64(st, 1, u->id);
		if (rc == DB_OK)
			rc = db_bind_text(st, 2, name);
		if (rc == DB_OK)
			rc = db_bind_text(st, 3, digest);
		if (rc == DB_OK)
			rc = db_bind_text(st, 4, roles_text);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 5, now);
		if (rc == DB_OK)
			rc = expires_at ? db_bind_int64(st, 6, expires_at) : db_bind_null(st, 6);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			tid = db_col_int64(st, 0);
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc != DB_OK)
			r = store_fail(db, rc, e);
	}
	if (!r) {
		memset(out, 0, sizeof(*out));
		out->id = tid;
		out->user_id = u->id;
		ub_strlcpy(out->name, name, sizeof(out->name));
		out->roles = roles;
		out->created_at = now;
		out->expires_at = expires_at;
		char *after = token_audit_text(out);
		snprintf(id, sizeof(id), "%lld", (long long)tid);
		r = after ? audit_write(db, who, "token.create", u->unit_id, "token", id, NULL, after, name, e)
			  : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		free(after);
	}
	return store_tx_end(db, own, r, e);
}

int token_lookup(db_t *db, const char *secret, int64_t now, date_t today, user_t *user, api_token_t *tok, err_t *e)
{
	char digest[65];
	db_stmt_t *st = NULL;
	query_t q;
	int rc;
	bool found = false;

	if (strlen(secret) >= SECRET_TEXT_MAX)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "the token is not valid");
	secret_digest(secret, digest);
	/* the token and its user in one query: one round trip a request */
	query_init(&q);
	query_add_dates(&q,
			"SELECT " USER_COLS ", t.id, t.user_id, t.name, t.roles, t.created_at, t.expires_at,"
			" t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id" USER_JOINS,
			today);
	query_add(&q, " WHERE t.token_hash = ?", QT(digest));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		read_user(st, user, NULL);
		read_token_at(st, USER_N_COLS, tok);
		found = true;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	if (!found || tok->revoked_at || (tok->expires_at && tok->expires_at <= now))
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "the token is not valid (unknown, revoked or expired)");
	if (user->disabled)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "the token's user is disabled");
	/* a token never has more rights than its user has now */
	tok->roles = roles_covered(tok->roles, user->roles);
	if (now - tok->last_used_at >= 60 && store_prep(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", &st, e) == 0) {
		rc = db_bind_int64(st, 1, now);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, tok->id);
		return touch(db, st, rc, e);
	}
	return 0;
}

int tokens_list(db_t *db, int64_t user_id, token_list_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_prep(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE user_id = ? ORDER BY id", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, user_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			api_token_t *v = realloc(out->items, ncap * sizeof(*v));
			if (!v) {
				db_finalize(st);
				token_list_free(out);
				return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
			}
			out->items = v;
			cap = ncap;
		}
		read_token(st, &out->items[out->n++]);
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc < 0) {
		token_list_free(out);
		return store_fail(db, rc, e);
	}
	return 0;
}

int token_revoke(db_t *db, const principal_t *who, int64_t user_id, int64_t token_id, err_t *e)
{
	db_stmt_t *st = NULL;
	char id[32];
	api_token_t before = { 0 }, after;
	int64_t unit_id = 0;
	bool own, found = false;
	char *b = NULL, *a = NULL;
	int r, rc;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = store_prep(db, "SELECT t.id, t.user_id, t.name, t.roles, t.created_at, t.expires_at, t.last_used_at,"
			   " t.revoked_at, u.unit_id FROM api_tokens t JOIN users u ON u.id = t.user_id"
			   " WHERE t.id = ? AND t.user_id = ? AND t.revoked_at IS NULL", &st, e);
	if (!r) {
		rc = db_bind_int64(st, 1, token_id);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, user_id);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			read_token(st, &before);
			unit_id = db_col_int64(st, 8);
			found = true;
			rc = DB_OK;
		} else if (rc == DB_DONE) {
			rc = DB_OK;
		}
		db_finalize(st);
		if (rc != DB_OK)
			r = store_fail(db, rc, e);
	}
	if (!r && !found)
		r = err_fail(e, ERR_NOT_FOUND, "not_found", "no such token");
	after = before;
	after.revoked_at = (int64_t)time(NULL);
	if (!r)
		r = exec_i(db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", after.revoked_at, token_id, e);
	if (!r) {
		b = token_audit_text(&before);
		a = token_audit_text(&after);
		snprintf(id, sizeof(id), "%lld", (long long)token_id);
		r = a && b ? audit_write(db, who, "token.revoke", unit_id, "token", id, b, a, before.name, e)
			   : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	free(b);
	free(a);
	return store_tx_end(db, own, r, e);
}

/* ---- throttling ---- */

int throttle_count(db_t *db, const char *key, int64_t now, int64_t *n, int64_t *retry_after, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	*n = 0;
	*retry_after = 0;
	if (store_prep(db, "SELECT count(*), min(at) FROM login_failures WHERE key = ? AND at > ?", &st, e))
		return -1;
	rc = db_bind_text(st, 1, key);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, now - THROTTLE_WINDOW_SECONDS);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*n = db_col_int64(st, 0);
		if (*n)
			*retry_after = db_col_int64(st, 1) + THROTTLE_WINDOW_SECONDS - now;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* Records one failure of `key` for the claim. */
static int throttle_record(db_t *db, const char *key, const char *claim, int64_t now, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if (store_prep(db, "INSERT INTO login_failures (key, at, claim) VALUES (?, ?, ?)", &st, e))
		return -1;
	rc = db_bind_text(st, 1, key);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 2, now);
	if (rc == DB_OK)
		rc = db_bind_text(st, 3, claim);
	return finish(db, st, rc, e);
}

int throttle_note(db_t *db, const char *key, int64_t now, err_t *e)
{
	db_stmt_t *st = NULL;
	bool own;
	int r, rc;

	if (store_tx_begin(db, &own, e))
		return -1;
	/* what left the window goes (the key's own rows: its index) */
	r = store_prep(db, "DELETE FROM login_failures WHERE key = ? AND at < ?", &st, e);
	if (!r) {
		rc = db_bind_text(st, 1, key);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, now - THROTTLE_WINDOW_SECONDS);
		r = finish(db, st, rc, e);
	}
	if (!r)
		r = throttle_record(db, key, "", now, e);
	return store_tx_end(db, own, r, e);
}

/* The three counters of an attempt, with their limits. */
typedef struct throttle_keys {
	char key[3][USERNAME_MAX * 4 + 96];
	int64_t limit[3];
} throttle_keys_t;

static void throttle_keys(const char *account, const char *addr, throttle_keys_t *k)
{
	snprintf(k->key[0], sizeof(k->key[0]), "pair:%s|%s", account, addr);
	snprintf(k->key[1], sizeof(k->key[1]), "addr:%s", addr);
	snprintf(k->key[2], sizeof(k->key[2]), "user:%s", account);
	k->limit[0] = THROTTLE_PER_PAIR;
	k->limit[1] = THROTTLE_PER_ADDRESS;
	k->limit[2] = THROTTLE_PER_ACCOUNT;
}

int throttle_claim(db_t *db, const char *account, const char *addr, int64_t now, throttle_claim_t *claim,
		   int64_t *retry_after, err_t *e)
{
	throttle_keys_t k = { 0 };
	bool own;
	int r = 0;

	*retry_after = 0;
	memset(claim, 0, sizeof(*claim));
	secret_new("", claim->id, sizeof(claim->id));
	ub_strlcpy(claim->account, account, sizeof(claim->account));
	ub_strlcpy(claim->addr, addr, sizeof(claim->addr));
	throttle_keys(account, addr, &k);
	if (store_tx_begin(db, &own, e))
		return -1;
	/* keep the table small: what left every window goes */
	r = exec_i(db, "DELETE FROM login_failures WHERE at < ?", now - THROTTLE_WINDOW_SECONDS, 0, e);
	for (int i = 0; !r && i < 3; i++) {
		int64_t n = 0, wait = 0;
		r = throttle_count(db, k.key[i], now, &n, &wait, e);
		if (!r && n >= k.limit[i] && wait > *retry_after)
			*retry_after = wait;
	}
	if (!r && *retry_after > 0)
		r = err_fail(e, ERR_TOO_MANY, "too_many_requests", "too many failed attempts: try again in {minutes} minute(s)",
			     ERR_INT("minutes", (*retry_after + 59) / 60));
	for (int i = 0; !r && i < 3; i++)
		r = throttle_record(db, k.key[i], claim->id, now, e);
	return store_tx_end(db, own, r, e);
}

int throttle_release(db_t *db, const throttle_claim_t *claim, err_t *e)
{
	throttle_keys_t k = { 0 };
	db_stmt_t *st = NULL;
	bool own;
	int r;

	throttle_keys(claim->account, claim->addr, &k);
	if (store_tx_begin(db, &own, e))
		return -1;
	r = store_prep(db, "DELETE FROM login_failures WHERE claim = ? OR key = ?", &st, e);
	if (!r) {
		int rc = db_bind_text(st, 1, claim->id);
		if (rc == DB_OK)
			rc = db_bind_text(st, 2, k.key[0]);
		r = finish(db, st, rc, e);
	}
	return store_tx_end(db, own, r, e);
}
