/*
 * users.c - user management for admins: list, create, edit, disable,
 * enable, reset a password, see and end a user's sessions and tokens.
 * Users of units outside the admin's scope do not exist for her (404).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/views.h"
#include "store/auth_store.h"
#include "store/privacy.h"

static int get_users(api_req_t *req, api_resp_t *resp, err_t *e)
{
	user_list_t l;
	json_t *items;

	if (api_require(req, PERM_USER_READ, e) || users_list(req->db, &req->who, &l, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++)
		json_array_append_new(items, user_json(&l.items[i]));
	user_list_free(&l);
	resp->body = json_pack("{s:o}", "items", items);
	return 0;
}

/* The unit of a user's "unit" field, today, in the caller's scope; one
 * outside it gets the 422 a code naming no unit gets. */
static int unit_field(api_req_t *req, const char *unit_code, unit_t *unit, err_t *e)
{
	if (api_unit_in_scope(req, unit_code, req->today, unit, e) == 0)
		return 0;
	if (e->kind != ERR_NOT_FOUND)
		return -1;
	/* the answer api_unit_in_scope gives, moved onto the field */
	err_clear(e);
	err_field(e, "unit", "not_found", "no unit with code {value} on {date}", ERR_STR("value", unit_code),
		  ERR_DATE("date", req->today));
	return err_fail(e, ERR_INVALID, "invalid", "no unit with code {ref} on {date}", ERR_STR("ref", unit_code),
			ERR_DATE("date", req->today));
}

/* The largest id "person_id" may name. */
#define PERSON_ID_MAX 999999999999999LL

/* "person_id" of a user's body: absent (*has false), null (0: none), or
 * the id of a member in the caller's scope; a member outside it gets the
 * detail a member nobody has gets (store/auth_store.c check_person). */
static int person_field(json_t *body, bool *has, int64_t *id, err_t *e)
{
	json_t *v = json_object_get(body, "person_id");

	*has = v != NULL;
	*id = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > PERSON_ID_MAX)
		return err_field(e, "person_id", "out_of_range", "must be a member's id, from {min} to {max}",
				 ERR_INT("min", 1), ERR_INT("max", PERSON_ID_MAX));
	*id = (int64_t)json_integer_value(v);
	return 0;
}

/* After the body's checks: the member of "person_id" lies in the caller's
 * scope, else 422 worded as for an id nobody has. */
static int person_in_scope(api_req_t *req, int64_t id, err_t *e)
{
	char ref[24];
	bool yes = false;

	if (!id)
		return 0;
	if (api_member_in_scope(req, id, &yes, e))
		return -1;
	if (yes)
		return 0;
	snprintf(ref, sizeof(ref), "%lld", (long long)id);
	err_field(e, "person_id", "no_member", "no member with id {value}", ERR_STR("value", ref));
	return err_fail(e, ERR_INVALID, "invalid", "no member with id {ref}", ERR_STR("ref", ref));
}

static int post_user(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "username", "display_name", "unit", "roles", "password", "person_id", NULL };
	char username[USERNAME_MAX * 4 + 8], display[UNIT_NAME_BUF], unit_code[UNIT_CODE_MAX * 4 + 8];
	char password[PASSWORD_MAX_LEN * 4 + 8];
	unsigned roles = 0;
	json_t *body;
	user_t u = { 0 };
	unit_t unit = { 0 };
	int64_t person = 0;
	bool has_person;

	if (api_require(req, PERM_USER_MANAGE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_str(body, "username", true, USERNAME_MAX, username, sizeof(username), e);
	api_str(body, "display_name", false, UNIT_NAME_MAX, display, sizeof(display), e);
	api_str(body, "unit", true, UNIT_CODE_MAX, unit_code, sizeof(unit_code), e);
	api_roles(body, "roles", &roles, e);
	api_str(body, "password", true, PASSWORD_MAX_LEN, password, sizeof(password), e);
	person_field(body, &has_person, &person, e);
	json_decref(body);
	if (api_check_details(e))
		return -1;
	if (unit_field(req, unit_code, &unit, e) || person_in_scope(req, person, e))
		return -1;
	if (roles && !roles_grantable(roles, req->who.roles)) {
		err_field(e, "roles", "beyond_own_roles", "must give no right beyond your own roles (or be member alone)");
		return err_fail(e, ERR_INVALID, "invalid", "the user's fields are not valid");
	}
	if (!req->who.global && !user_manageable(req->who.unit_id, unit.id, roles)) {
		err_field(e, "roles", "managed_from_above", "an admin of your own unit is appointed from the unit above");
		return err_fail(e, ERR_INVALID, "invalid", "the user's fields are not valid");
	}
	if (user_create(req->db, &req->who, username, display, unit_code, roles, person, password, &u, e))
		return -1;
	resp->status = 201;
	resp->body = user_json(&u);
	return 0;
}

/* 403 managed_from_above for an admin of the caller's own unit (issue 13,
 * finding 5: two admins of one unit disabled and erased each other). The
 * admin at the root has no unit above: hers are managed from the command
 * line. */
static int api_require_manageable(api_req_t *req, const user_t *u, err_t *e)
{
	if (user_manageable(req->who.unit_id, u->unit_id, u->roles))
		return 0;
	return err_fail(e, ERR_FORBIDDEN, "managed_from_above",
			"{username} is an admin of your own unit: she is managed from the unit above",
			ERR_STR("username", u->username));
}

static int set_disabled(api_req_t *req, api_resp_t *resp, bool disabled, err_t *e)
{
	user_t u = { 0 };

	if (api_require(req, PERM_USER_MANAGE, e))
		return -1;
	if (user_by_name(req->db, req->params[0], req->today, &u, NULL, e) || !api_id_in_scope(req, u.unit_id))
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such user");
	if (u.id == req->who.user_id && disabled)
		return err_fail(e, ERR_CONFLICT, "conflict", "you cannot disable your own account");
	if (api_require_manageable(req, &u, e))
		return -1;
	if (user_set_disabled(req->db, &req->who, u.id, disabled, e) || user_by_id(req->db, u.id, req->today, &u, e))
		return -1;
	resp->body = user_json(&u);
	return 0;
}

static int post_disable(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return set_disabled(req, resp, true, e);
}

static int post_enable(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return set_disabled(req, resp, false, e);
}

/* The user named in the path, when the caller may see her: herself, or an
 * admin whose scope holds her unit; else 404. */
static int user_for(api_req_t *req, bool self_ok, user_t *u, err_t *e)
{
	err_t probe;

	err_clear(&probe);
	if (user_by_name(req->db, req->params[0], req->today, u, NULL, &probe) != 0) {
		if (probe.kind != ERR_NOT_FOUND) {
			*e = probe;
			return -1;
		}
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such user");
	}
	if (self_ok && u->id == req->who.user_id)
		return 0;
	if (!access_allows(req->who.roles, PERM_USER_MANAGE) || !api_id_in_scope(req, u->unit_id))
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such user");
	return 0;
}

/* What she does to her own account needs her logged in (a leaked token must
 * not export her data or change her consents); an admin acting on another
 * user goes by her roles, whichever way she came in. */
static int require_session_for_self(api_req_t *req, const user_t *u, err_t *e)
{
	return u->id == req->who.user_id ? api_require_session(req, e) : 0;
}

static int get_export(api_req_t *req, api_resp_t *resp, err_t *e)
{
	user_t u;

	if (user_for(req, true, &u, e) || require_session_for_self(req, &u, e) || privacy_export_user(req->db, &req->who, u.id, &resp->body, e))
		return -1;
	return 0;
}

static int post_erase(api_req_t *req, api_resp_t *resp, err_t *e)
{
	user_t u;

	if (api_require(req, PERM_USER_MANAGE, e) || user_for(req, false, &u, e))
		return -1;
	if (u.id == req->who.user_id)
		return err_fail(e, ERR_CONFLICT, "conflict", "ask another admin to erase your own account");
	if (api_require_manageable(req, &u, e))
		return -1;
	if (privacy_erase_user(req->db, &req->who, u.id, e) || user_by_id(req->db, u.id, req->today, &u, e))
		return -1;
	resp->body = user_json(&u);
	return 0;
}

static int get_consents(api_req_t *req, api_resp_t *resp, err_t *e)
{
	json_t *items = NULL;
	user_t u;

	if (user_for(req, true, &u, e) || consent_list(req->db, u.id, &items, e))
		return -1;
	resp->body = json_pack("{s:o}", "items", items);
	return 0;
}

static int post_consent(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "purpose", "date", "withdraw", NULL };
	char purpose[CONSENT_PURPOSE_MAX * 4 + 1];
	json_t *body, *items = NULL;
	bool withdraw;
	date_t d = 0;
	user_t u;

	if (user_for(req, true, &u, e) || require_session_for_self(req, &u, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_str(body, "purpose", true, CONSENT_PURPOSE_MAX, purpose, sizeof(purpose), e);
	api_date(body, "date", req->today, &d, e);
	withdraw = json_is_true(json_object_get(body, "withdraw"));
	json_decref(body);
	if (api_check_details(e) || consent_record(req->db, &req->who, u.id, purpose, d, withdraw, e) ||
	    consent_list(req->db, u.id, &items, e))
		return -1;
	resp->status = 201;
	resp->body = json_pack("{s:o}", "items", items);
	return 0;
}

/* PATCH /api/v1/users/{username}: her display name, unit, roles and
 * member record (person_id: a member's own account), each when given. The rules of creation hold for the user as she is and as
 * she will be: in scope, not an admin of the caller's own unit, roles the
 * caller's cover (or member alone). */
static int patch_user(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "display_name", "unit", "roles", "person_id", NULL };
	char display[UNIT_NAME_BUF] = "", unit_code[UNIT_CODE_MAX * 4 + 8] = "";
	bool has_display, has_unit, has_roles, has_person;
	int64_t person = 0;
	unsigned roles = 0;
	json_t *body;
	user_t u = { 0 }, out = { 0 };
	unit_t unit = { 0 };

	if (api_require(req, PERM_USER_MANAGE, e) || user_for(req, false, &u, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	has_display = json_object_get(body, "display_name") != NULL;
	has_unit = json_object_get(body, "unit") != NULL;
	has_roles = json_object_get(body, "roles") != NULL;
	if (has_display && api_str(body, "display_name", true, UNIT_NAME_MAX, display, sizeof(display), e) == 0 &&
	    !*display)
		err_field(e, "display_name", "required", "is required");
	if (has_unit)
		api_str(body, "unit", true, UNIT_CODE_MAX, unit_code, sizeof(unit_code), e);
	if (has_roles)
		api_roles(body, "roles", &roles, e);
	person_field(body, &has_person, &person, e);
	json_decref(body);
	if (api_check_details(e))
		return -1;
	if (u.erased)
		return err_fail(e, ERR_CONFLICT, "user_erased", "the account {username} was erased: it cannot be used again",
				ERR_STR("username", u.username));
	if (api_require_manageable(req, &u, e))
		return -1;
	if ((has_unit && unit_field(req, unit_code, &unit, e)) || (person != u.person_id && person_in_scope(req, person, e)))
		return -1;
	if (has_roles && roles && !roles_grantable(roles, req->who.roles)) {
		err_field(e, "roles", "beyond_own_roles", "must give no right beyond your own roles (or be member alone)");
		return err_fail(e, ERR_INVALID, "invalid", "the user's fields are not valid");
	}
	if (!req->who.global && !user_manageable(req->who.unit_id, has_unit ? unit.id : u.unit_id, has_roles ? roles : u.roles)) {
		err_field(e, "roles", "managed_from_above", "an admin of your own unit is appointed from the unit above");
		return err_fail(e, ERR_INVALID, "invalid", "the user's fields are not valid");
	}
	if (user_update(req->db, &req->who, u.id, has_display ? display : NULL, has_unit ? unit.id : 0,
			has_roles ? roles : 0, has_person ? &person : NULL, &out, e))
		return -1;
	resp->body = user_json(&out);
	return 0;
}

/* POST /api/v1/users/{username}/password-reset: a one-time password, in
 * the answer only; she changes it at her next log-in. */
static int post_password_reset(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char password[17];
	user_t u = { 0 };

	if (api_require(req, PERM_USER_MANAGE, e) || user_for(req, false, &u, e))
		return -1;
	if (u.erased)
		return err_fail(e, ERR_CONFLICT, "user_erased", "the account {username} was erased: it cannot be used again",
				ERR_STR("username", u.username));
	if (api_require_manageable(req, &u, e) || user_reset_password(req->db, &req->who, u.id, password, e))
		return -1;
	if (user_by_id(req->db, u.id, req->today, &u, e)) {
		sodium_memzero(password, sizeof(password));
		return -1;
	}
	resp->body = json_pack("{s:o, s:s}", "user", user_json(&u), "password", password);
	sodium_memzero(password, sizeof(password));
	return 0;
}

/* The user of a sessions or tokens route: an admin's, in scope; her own
 * needs her logged in (a token cannot act on the account itself). A
 * change to an admin of the caller's own unit is made from above. */
static int user_for_sessions(api_req_t *req, bool change, user_t *u, err_t *e)
{
	if (api_require(req, PERM_USER_MANAGE, e) || user_for(req, false, u, e) || require_session_for_self(req, u, e))
		return -1;
	if (change && u->id != req->who.user_id && api_require_manageable(req, u, e))
		return -1;
	return 0;
}

static int get_user_sessions(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char digest[65] = "";
	session_list_t l;
	json_t *items;
	user_t u;

	if (user_for_sessions(req, false, &u, e))
		return -1;
	if (req->session_id)
		secret_digest(req->session_id, digest);
	if (sessions_list(req->db, u.id, (int64_t)time(NULL), req->session_id ? digest : NULL, &l, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++)
		json_array_append_new(items, json_pack("{s:s, s:o, s:o, s:s, s:b}", "id", l.items[i].id, "created_at",
						       json_time(l.items[i].created_at), "last_seen_at",
						       json_time(l.items[i].last_seen_at), "client_addr",
						       l.items[i].client_addr, "current", l.items[i].current));
	session_list_free(&l);
	resp->body = json_pack("{s:o}", "items", items);
	return 0;
}

static int delete_user_session(api_req_t *req, api_resp_t *resp, err_t *e)
{
	user_t u;

	if (user_for_sessions(req, true, &u, e) || session_revoke(req->db, &req->who, u.id, req->params[1], e))
		return -1;
	resp->body = json_pack("{s:b}", "ok", 1);
	return 0;
}

static int get_user_tokens(api_req_t *req, api_resp_t *resp, err_t *e)
{
	token_list_t l;
	json_t *items;
	user_t u;

	if (user_for_sessions(req, false, &u, e) || tokens_list(req->db, u.id, &l, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++)
		json_array_append_new(items, token_json(&l.items[i]));
	token_list_free(&l);
	resp->body = json_pack("{s:o}", "items", items);
	return 0;
}

static int delete_user_token(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char *end = NULL;
	long long id;
	user_t u;

	if (user_for_sessions(req, true, &u, e))
		return -1;
	id = strtoll(req->params[1], &end, 10);
	if (!end || *end || id <= 0)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such token");
	if (token_revoke(req->db, &req->who, u.id, id, e))
		return -1;
	resp->body = json_pack("{s:b}", "ok", 1);
	return 0;
}

const api_route_t API_USER_ROUTES[] = {
	{ "GET", "/api/v1/users/{}/export", get_export, ROUTE_WRITES },
	{ "POST", "/api/v1/users/{}/erase", post_erase, ROUTE_LOCKED },
	{ "GET", "/api/v1/users/{}/consents", get_consents, 0 },
	{ "POST", "/api/v1/users/{}/consents", post_consent, 0 },
	{ "GET", "/api/v1/users", get_users, 0 },
	{ "POST", "/api/v1/users", post_user, ROUTE_LOCKED },
	{ "POST", "/api/v1/users/{}/disable", post_disable, ROUTE_LOCKED },
	{ "POST", "/api/v1/users/{}/enable", post_enable, ROUTE_LOCKED },
	{ "PATCH", "/api/v1/users/{}", patch_user, ROUTE_LOCKED },
	{ "POST", "/api/v1/users/{}/password-reset", post_password_reset, ROUTE_LOCKED },
	{ "GET", "/api/v1/users/{}/sessions", get_user_sessions, 0 },
	{ "DELETE", "/api/v1/users/{}/sessions/{}", delete_user_session, ROUTE_LOCKED },
	{ "GET", "/api/v1/users/{}/tokens", get_user_tokens, 0 },
	{ "DELETE", "/api/v1/users/{}/tokens/{}", delete_user_token, ROUTE_LOCKED },
	{ NULL, NULL, NULL, 0 },
};
