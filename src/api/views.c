/* views.c - see views.h. */
#include "api/views.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

json_t *json_time(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *roles_json(unsigned roles)
{
	json_t *a = json_array();

	for (unsigned bit = 1; a && bit <= ROLE_MEMBER; bit <<= 1)
		if (roles & bit)
			json_array_append_new(a, json_string(role_name((role_t)bit)));
	return a;
}

json_t *user_json(const user_t *u)
{
	return json_pack("{s:I, s:s, s:s, s:{s:I, s:s, s:s}, s:o, s:b, s:o}", "id", (json_int_t)u->id,
			 "username", u->username, "display_name", u->display_name, "unit", "id",
			 (json_int_t)u->unit_id, "code", u->unit_code, "name_vi", u->unit_name_vi, "roles",
			 roles_json(u->roles), "disabled", u->disabled, "created_at", json_time(u->created_at));
}

json_t *token_json(const api_token_t *t)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)t->id, "name", t->name,
			 "roles", roles_json(t->roles), "created_at", json_time(t->created_at),
			 "expires_at", json_time(t->expires_at), "last_used_at", json_time(t->last_used_at),
			 "revoked_at", json_time(t->revoked_at));
}

static json_t *parse_or_null(const char *text)
{
	json_error_t je;
	json_t *j;

	if (!text)
		return json_null();
	j = json_loads(text, 0, &je);
	return j ? j : json_string(text);
}

json_t *audit_row_json(const audit_row_t *r, json_t *unit)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:s}", "id", (json_int_t)r->id,
			 "at", r->at, "user", r->username, "client_addr", r->client_addr, "action", r->action,
			 "unit", unit ? unit : json_null(), "record_type", r->record_type, "record_id", r->record_id,
			 "before", parse_or_null(r->before), "after", parse_or_null(r->after), "detail", r->detail);
}

int api_roles(json_t *obj, const char *key, unsigned *mask, err_t *e)
{
	json_t *a = json_object_get(obj, key), *v;
	size_t i;

	*mask = 0;
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > 8)
		return err_detail(e, key, "must be a list of roles (viewer, entry, approver, admin, member)");
	json_array_foreach(a, i, v) {
		role_t r;
		if (!json_is_string(v) || role_parse(json_string_value(v), &r) != 0)
			return err_detail(e, key, "unknown role; use viewer, entry, approver, admin or member");
		*mask |= (unsigned)r;
	}
	return 0;
}
