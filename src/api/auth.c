/*
 * auth.c - who is calling, and may she: the one place every request passes
 * through for authentication (session cookie or API token), CSRF checks,
 * permissions and scope. Handlers call api_require() and
 * api_unit_in_scope(); server.c calls api_authenticate() before any handler
 * of a non-public route.
 */
#include "api/auth.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/auth_store.h"
#include "store/org_store.h"
#include "store/scope.h"

/* The rightmost address of an X-Forwarded-For list, when it is one. */
static bool forwarded_for(const char *xff, char *buf, size_t cap)
{
	const char *last = strrchr(xff, ',');
	char addr[64];
	unsigned char bin[16];
	size_t n;

	last = last ? last + 1 : xff;
	while (*last == ' ')
		last++;
	n = strcspn(last, " ");
	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, last, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1)
		return false;
	snprintf(buf, cap, "%s", addr);
	return true;
}

void api_client_addr(struct MHD_Connection *conn, bool trust_proxy, char *buf, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const char *xff = trust_proxy ? MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For") : NULL;

	if (xff && forwarded_for(xff, buf, cap))
		return;
	snprintf(buf, cap, "unknown");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)cap);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)cap);
}

static bool state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

static int authenticate(api_req_t *req, bool required, err_t *e);

/* While her password is a one-time one an admin set, her log-in reaches
 * only who she is, the password change and log-out. */
static int require_changed_password(const api_req_t *req, const user_t *u, err_t *e)
{
	const char *m = req->method, *p = req->path;

	if (!u->must_change_password || (!strcmp(p, "/api/v1/session") && (!strcmp(m, "GET") || !strcmp(m, "DELETE"))) ||
	    (!strcmp(p, "/api/v1/session/password") && !strcmp(m, "POST")))
		return 0;
	return err_fail(e, ERR_FORBIDDEN, "password_change_required",
			"your password was reset: change it (POST /api/v1/session/password) before anything else");
}

int api_authenticate(api_req_t *req, bool required, err_t *e)
{
	int rc = authenticate(req, required, e);

	if (rc != 0 && !required && (e->kind == ERR_UNAUTHORIZED || e->kind == ERR_FORBIDDEN)) {
		/* a public route answers whatever credentials came along */
		err_clear(e);
		memset(&req->who, 0, sizeof(req->who));
		req->session_id = NULL;
		return 0;
	}
	return rc;
}

static int authenticate(api_req_t *req, bool required, err_t *e)
{
	const char *authz = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Authorization");
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	int64_t now = (int64_t)time(NULL);
	user_t user = { 0 };

	memset(&req->who, 0, sizeof(req->who));
	req->session_id = NULL;
	if (authz && strncmp(authz, "Bearer ", 7) == 0) {
		api_token_t tok;
		if (token_lookup(req->db, authz + 7, now, req->today, &user, &tok, e) ||
		    principal_for_user(req->db, &user, req->client_addr, req->today, &req->who, e))
			return -1;
		req->who.roles = tok.roles;
		req->who.token_id = tok.id;
		return require_changed_password(req, &user, e);
	}
	if (authz && *authz)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "the Authorization header must be 'Bearer <token>'");
	if (cookie && *cookie) {
		const char *sent;
		if (session_lookup(req->db, cookie, now, req->today, &user, req->csrf_token, e)) {
			if (!required && e->kind == ERR_UNAUTHORIZED) {
				err_clear(e);
				return 0;
			}
			return -1;
		}
		if (principal_for_user(req->db, &user, req->client_addr, req->today, &req->who, e))
			return -1;
		req->who.session_ok = 1;
		req->session_id = cookie;
		sent = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-CSRF-Token");
		if (required && state_changing(req->method) && (!sent || !secret_equal(sent, req->csrf_token)))
			return err_fail(e, ERR_FORBIDDEN, "csrf", "this request needs the X-CSRF-Token header given at log-in");
		return required ? require_changed_password(req, &user, e) : 0;
	}
	if (required)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "log in first (or send an API token)");
	return 0;
}

int api_require(api_req_t *req, perm_t p, err_t *e)
{
	if (access_allows(req->who.roles, p))
		return 0;
	return err_fail(e, ERR_FORBIDDEN, "forbidden", "your roles do not allow this ({permission})",
			ERR_STR("permission", perm_name(p)));
}

int api_require_session(api_req_t *req, err_t *e)
{
	if (req->who.session_ok)
		return 0;
	return err_fail(e, ERR_FORBIDDEN, "session_required",
			"do this after logging in with your password, not with an API token");
}

/* The answer for a unit that does not exist on d, and word for word for
 * one outside the caller's scope, so that nothing leaks: the functions
 * below give it for both. */
static int hide(const char *ref, date_t d, err_t *e)
{
	char *end = NULL;
	long long id;

	err_clear(e);
	if (strncmp(ref, "id:", 3) == 0) {
		id = strtoll(ref + 3, &end, 10);
		if (end && !*end && id > 0)
			return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit {ref} on {date}", ERR_STR("ref", ref),
					ERR_DATE("date", d));
	}
	return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit with code {ref} on {date}", ERR_STR("ref", ref),
			ERR_DATE("date", d));
}

/* *ok when u lies in the caller's scope and, when `inside`, strictly inside
 * it: its parent on the date in scope too. A unit may be changed only from
 * above: a commune's officers manage its branches, the province manages the
 * commune itself. */
static int check_scope(api_req_t *req, const unit_t *u, bool inside, bool *ok, err_t *e)
{
	int64_t ids[2] = { u->id, u->has_parent ? u->parent.id : 0 };
	bool in[2] = { false, false };

	*ok = false;
	if (req->who.global) {
		*ok = true;
		return 0;
	}
	if (scope_mark(req->db, &req->who, ids, inside ? 2 : 1, in, e))
		return -1;
	*ok = in[0] && (!inside || in[1]);
	return 0;
}

int api_unit_in_scope(api_req_t *req, const char *ref, date_t d, unit_t *out, err_t *e)
{
	bool yes = false;

	if (org_unit_get(req->db, ref, d, out, e))
		return e->kind == ERR_NOT_FOUND ? hide(ref, d, e) : -1;
	if (check_scope(req, out, false, &yes, e))
		return -1;
	return yes ? 0 : hide(ref, d, e);
}

int api_unit_for_change(api_req_t *req, const char *ref, date_t d, err_t *e)
{
	unit_t u;
	bool yes = false;
	err_t probe;

	err_clear(&probe);
	if (org_unit_nearest(req->db, ref, d, &u, &probe)) {
		if (probe.kind == ERR_NOT_FOUND)
			return hide(ref, d, e);
		*e = probe;
		return -1;
	}
	if (check_scope(req, &u, true, &yes, e))
		return -1;
	return yes ? 0 : hide(ref, d, e);
}

int api_parent_in_scope(api_req_t *req, const char *ref, date_t d, const char *field, err_t *e)
{
	unit_t u;
	bool yes = false;
	err_t probe;

	err_clear(&probe);
	if (org_unit_nearest(req->db, ref, d, &u, &probe) == 0) {
		if (check_scope(req, &u, false, &yes, e))
			return -1;
		if (yes)
			return 0;
	} else if (probe.kind != ERR_NOT_FOUND) {
		*e = probe;
		return -1;
	}
	/* the same answer for a parent outside the caller's scope as for one
	 * that does not exist (and as store/org_write.c, resolve_parent) */
	err_clear(e);
	err_field(e, field, "not_found", "no unit with code {value} on {date}", ERR_STR("value", ref), ERR_DATE("date", d));
	return err_fail(e, ERR_INVALID, "invalid", "no unit with code {ref} on {date}", ERR_STR("ref", ref),
			ERR_DATE("date", d));
}

bool api_id_in_scope(api_req_t *req, int64_t unit_id)
{
	bool yes = false;
	err_t e;

	err_clear(&e);
	return scope_contains(req->db, &req->who, unit_id, &yes, &e) == 0 && yes;
}

int api_scope_mark(api_req_t *req, const int64_t *ids, size_t n, bool *in, err_t *e)
{
	return scope_mark(req->db, &req->who, ids, n, in, e);
}

void api_session_cookie(api_req_t *req, api_resp_t *resp, const char *value)
{
	if (value)
		snprintf(resp->set_cookie, sizeof(resp->set_cookie),
			 SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", value,
			 (long long)SESSION_ABSOLUTE_SECONDS, req->secure_cookies ? "; Secure" : "");
	else
		snprintf(resp->set_cookie, sizeof(resp->set_cookie),
			 SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
			 req->secure_cookies ? "; Secure" : "");
}
