/*
 * session.c - log-in, log-out, who am I, password change, and the caller's
 * own API tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/views.h"
#include "store/audit.h"
#include "store/auth_store.h"

/* The audit row of a log-in, failed log-in or log-out: record_id is the
 * user's id (empty for an unknown name), detail the name that was given. */
static int audit_login(api_req_t *req, const char *action, const user_t *u, const char *username)
{
	principal_t who;
	char id[32] = "";
	err_t ignore;
	int rc;

	memset(&who, 0, sizeof(who));
	who.user_id = u ? u->id : 0;
	snprintf(who.username, sizeof(who.username), "%s", u ? u->username : username);
	snprintf(who.client_addr, sizeof(who.client_addr), "%s", req->client_addr);
	if (u)
		snprintf(id, sizeof(id), "%lld", (long long)u->id);
	err_clear(&ignore);
	/* its own transaction: a failed log-in leaves a trace even though
	 * nothing else is written */
	rc = audit_write(req->db, &who, action, u ? u->unit_id : 0, "user", id, NULL, NULL, username, &ignore);
	if (rc)
		fprintf(stderr, "unionbase: cannot write the audit of %s: %s\n", action, ignore.message);
	return rc;
}

/*
 * Claims one attempt against the throttle before the password is checked
 * (store/auth_store.h: per account and address, per address, per account).
 * A right password gives the attempt back (throttle_release). Over a limit:
 * 429 with Retry-After, and nothing recorded.
 */
static int claim_attempt(api_req_t *req, const char *account, int64_t now, throttle_claim_t *claim,
			 api_resp_t *resp, err_t *e)
{
	int64_t wait = 0;

	if (throttle_claim(req->db, account, req->client_addr, now, claim, &wait, e) == 0)
		return 0;
	if (e->kind == ERR_TOO_MANY)
		resp->retry_after = (int)wait;
	return -1;
}

static int post_session(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "username", "password", NULL };
	char username[USERNAME_MAX * 4 + 8], password[PASSWORD_MAX_LEN * 4 + 8], hash[PASSWORD_HASH_MAX];
	char sid[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX], failed_at[32];
	int64_t failed = 0;
	throttle_claim_t claim;
	json_t *body;
	user_t u = { 0 };
	err_t probe;
	int64_t now = (int64_t)time(NULL);

	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_str(body, "username", true, USERNAME_MAX, username, sizeof(username), e);
	api_str(body, "password", true, PASSWORD_MAX_LEN, password, sizeof(password), e);
	json_decref(body);
	if (api_check_details(e))
		return -1;
	for (char *p = username; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (claim_attempt(req, username, now, &claim, resp, e))
		return -1;
	err_clear(&probe);
	if (user_by_name(req->db, username, req->today, &u, hash, &probe) != 0 || u.disabled) {
		/* as slow as a wrong password, so that timing does not tell
		 * which names exist */
		err_t ignore;
		err_clear(&ignore);
		password_burn(password, &ignore);
		if (probe.kind == ERR_NONE)
			err_fail(&probe, ERR_UNAUTHORIZED, "unauthorized", "disabled");
	} else {
		password_verify(hash, password, &probe);
	}
	if (probe.kind != ERR_NONE) {
		if (probe.kind == ERR_UNAVAILABLE) {
			*e = probe;
			return -1;
		}
		audit_login(req, "session.login_failed", probe.kind == ERR_NOT_FOUND ? NULL : &u, username);
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "wrong user name or password");
	}
	if (password_needs_rehash(hash) && user_rehash(req->db, u.id, password, e))
		return -1;
	/* a fresh id at every log-in; a session the browser still holds ends */
	if (req->session_id && session_delete(req->db, req->session_id, e))
		return -1;
	if (throttle_release(req->db, &claim, e) ||
	    session_create(req->db, u.id, req->client_addr, sid, csrf, e))
		return -1;
	/* guesses at her password since she last came in: she is told, since
	 * a guesser only holds back his own address (issue 13, finding 11) */
	if (audit_failed_logins(req->db, u.id, &failed, failed_at, e))
		return -1;
	audit_login(req, "session.login", &u, u.username);
	api_session_cookie(req, resp, sid);
	resp->body = json_pack("{s:o, s:s, s:{s:I, s:o}}", "user", user_json(&u), "csrf_token", csrf, "failed_logins",
			       "count", (json_int_t)failed, "last_at", failed ? json_string(failed_at) : json_null());
	return 0;
}

static int get_session(api_req_t *req, api_resp_t *resp, err_t *e)
{
	user_t u = { 0 };

	if (user_by_id(req->db, req->who.user_id, req->today, &u, e))
		return -1;
	resp->body = json_pack("{s:o, s:s?, s:s}", "user", user_json(&u),
			       "csrf_token", req->who.session_ok ? req->csrf_token : NULL,
			       "via", req->who.token_id ? "token" : "session");
	return 0;
}

static int delete_session(api_req_t *req, api_resp_t *resp, err_t *e)
{
	user_t u = { 0 };

	if (req->session_id && session_delete(req->db, req->session_id, e))
		return -1;
	if (user_by_id(req->db, req->who.user_id, req->today, &u, e))
		return -1;
	audit_login(req, "session.logout", &u, u.username);
	api_session_cookie(req, resp, NULL);
	resp->body = json_pack("{s:b}", "ok", 1);
	return 0;
}

static int post_password(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "current_password", "new_password", NULL };
	char cur[PASSWORD_MAX_LEN * 4 + 8], next[PASSWORD_MAX_LEN * 4 + 8], hash[PASSWORD_HASH_MAX], digest[65] = "";
	throttle_claim_t claim;
	int64_t now = (int64_t)time(NULL);
	json_t *body;
	user_t u = { 0 };

	/* a leaked read-only token must not become a way to guess and change
	 * the password: only the person, logged in, changes it */
	if (api_require_session(req, e))
		return -1;
	if (api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_str(body, "current_password", true, PASSWORD_MAX_LEN, cur, sizeof(cur), e);
	api_str(body, "new_password", true, PASSWORD_MAX_LEN, next, sizeof(next), e);
	json_decref(body);
	if (api_check_details(e))
		return -1;
	/* a one-time password an admin gave is not kept by typing it again */
	if (strcmp(cur, next) == 0) {
		err_field(e, "new_password", "same_as_current", "must differ from the current password");
		return err_fail(e, ERR_INVALID, "invalid", "the new password is not acceptable");
	}
	if (user_by_name(req->db, req->who.username, req->today, &u, hash, e))
		return -1;
	if (claim_attempt(req, u.username, now, &claim, resp, e))
		return -1;
	if (password_verify(hash, cur, e)) {
		if (e->kind != ERR_UNAUTHORIZED)
			return -1;
		audit_login(req, "user.password_failed", &u, u.username);
		err_clear(e);
		err_field(e, "current_password", "wrong_password", "is not your current password");
		return err_fail(e, ERR_INVALID, "invalid", "the current password is wrong");
	}
	if (throttle_release(req->db, &claim, e))
		return -1;
	if (req->session_id)
		secret_digest(req->session_id, digest);
	if (user_set_password(req->db, &req->who, u.id, next, req->session_id ? digest : NULL, e))
		return -1;
	resp->body = json_pack("{s:b}", "ok", 1);
	return 0;
}

/* ---- the caller's API tokens ---- */

static int get_tokens(api_req_t *req, api_resp_t *resp, err_t *e)
{
	token_list_t l;
	json_t *items;

	if (tokens_list(req->db, req->who.user_id, &l, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++)
		json_array_append_new(items, token_json(&l.items[i]));
	token_list_free(&l);
	resp->body = json_pack("{s:o}", "items", items);
	return 0;
}

static int post_token(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "name", "roles", "expires_at", NULL };
	char name[TOKEN_NAME_MAX * 4 + 1], secret[SECRET_TEXT_MAX];
	unsigned roles = 0;
	int64_t expires_at = 0;
	api_token_t tok;
	json_t *body;
	user_t u = { 0 };

	/* a token cannot make tokens: one that expires would make one that
	 * does not, and outlive its own revocation (issue 13, finding 3) */
	if (api_require_session(req, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_str(body, "name", true, TOKEN_NAME_MAX, name, sizeof(name), e);
	api_roles(body, "roles", &roles, e);
	{
		date_t d = INT32_MIN;
		if (api_date(body, "expires_at", INT32_MIN, &d, e) == 0 && d != INT32_MIN)
			expires_at = ((int64_t)d + 1) * 86400; /* through the end of that day (UTC) */
	}
	json_decref(body);
	if (api_check_details(e))
		return -1;
	if (user_by_id(req->db, req->who.user_id, req->today, &u, e))
		return -1;
	if (token_create(req->db, &req->who, &u, name, roles, expires_at, secret, &tok, e))
		return -1;
	resp->status = 201;
	resp->body = json_pack("{s:o, s:s}", "token", token_json(&tok), "secret", secret);
	return 0;
}

static int delete_token(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char *end = NULL;
	long long id = strtoll(req->params[0], &end, 10);

	if (!end || *end || id <= 0)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such token");
	/* a token may revoke itself (a script that finds it leaked); her other
	 * tokens only she, logged in, revokes */
	if (id != req->who.token_id && api_require_session(req, e))
		return -1;
	if (token_revoke(req->db, &req->who, req->who.user_id, id, e))
		return -1;
	resp->body = json_pack("{s:b}", "ok", 1);
	return 0;
}

const api_route_t API_SESSION_ROUTES[] = {
	{ "POST", "/api/v1/session", post_session, ROUTE_PUBLIC },
	{ "GET", "/api/v1/session", get_session, 0 },
	{ "DELETE", "/api/v1/session", delete_session, 0 },
	{ "POST", "/api/v1/session/password", post_password, 0 },
	{ "GET", "/api/v1/tokens", get_tokens, 0 },
	{ "POST", "/api/v1/tokens", post_token, 0 },
	{ "DELETE", "/api/v1/tokens/{}", delete_token, 0 },
	{ NULL, NULL, NULL, 0 },
};
