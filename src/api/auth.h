/*
 * auth.h - authentication, CSRF, permission and scope checks for handlers
 * (see auth.c). The declarations handlers use most (api_require,
 * api_unit_in_scope, api_unit_for_change) are in api.h.
 */
#ifndef UB_API_AUTH_H
#define UB_API_AUTH_H

#include <stdbool.h>

#include "api/api.h"

/* The client's address as text: the socket's peer, or, when trust_proxy,
 * the last address in X-Forwarded-For (the one our own proxy added). */
void api_client_addr(struct MHD_Connection *conn, bool trust_proxy, char *buf, size_t cap);

/* Finds the caller (API token or session cookie) and fills req->who. When
 * `required`, no caller is ERR_UNAUTHORIZED, and a cookie-authenticated
 * state-changing request without the right X-CSRF-Token is ERR_FORBIDDEN
 * (code csrf). When not required (public routes), a bad cookie is ignored. */
int api_authenticate(api_req_t *req, bool required, err_t *e);

/* True when unit_id lies in the caller's scope (one query: for one unit;
 * a list's units are marked together with api_scope_mark). */
bool api_id_in_scope(api_req_t *req, int64_t unit_id);

/* in[i] = ids[i] lies in the caller's scope, for a whole answer at once
 * (store/scope.h scope_mark). Returns 0 or -1 with e. */
int api_scope_mark(api_req_t *req, const int64_t *ids, size_t n, bool *in, err_t *e);

/* Sets the session cookie in resp (value NULL clears it). */
void api_session_cookie(api_req_t *req, api_resp_t *resp, const char *value);

#endif
