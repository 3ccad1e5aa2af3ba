/*
 * views.h - JSON views of users, tokens and audit rows for the API (units
 * have theirs in io/unit_json.h, shared with the CLI). New references,
 * owned by the caller.
 */
#ifndef UB_API_VIEWS_H
#define UB_API_VIEWS_H

#include <jansson.h>

#include "core/err.h"
#include "store/audit.h"
#include "store/auth_store.h"

json_t *user_json(const user_t *u);
json_t *token_json(const api_token_t *t);
json_t *roles_json(unsigned roles);
/* unit: the audited unit's reference (NULL for none). */
json_t *audit_row_json(const audit_row_t *r, json_t *unit);
/* ISO 8601 UTC text of a Unix time, null for 0. */
json_t *json_time(int64_t t);

/* Reads a list of role names under key into *mask; a detail on a problem. */
int api_roles(json_t *obj, const char *key, unsigned *mask, err_t *e);

#endif
