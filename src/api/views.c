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
	return json_pack("{s:I, s:s, s:s, s:{s:I, s:s, s:s}, s:o, s:b, s:b, s:b, s:o, s:o}", "id", (json_int_t)u->id,
			 "username", u->username, "display_name", u->display_name, "unit", "id",
			 (json_int_t)u->unit_id, "code", u->unit_code, "name_vi", u->unit_name_vi, "roles",
			 roles_json(u->roles), "disabled", u->disabled, "erased", u->erased, "must_change_password",
			 u->must_change_password, "created_at", json_time(u->created_at), "person_id",
			 u->person_id ? json_integer((json_int_t)u->person_id) : json_null());
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
	if (!a || json_is_null(a))
		return err_field(e, key, "required", "is required");
	if (!json_is_array(a))
		return err_field(e, key, "not_a_list", "must be a list of roles ({allowed})", ERR_STR("allowed", ROLE_LIST));
	if (json_array_size(a) == 0)
		return err_field(e, key, "too_few", "needs at least {min} role", ERR_INT("min", 1));
	if (json_array_size(a) > 8)
		return err_field(e, key, "too_many", "has too many roles (at most {max})", ERR_INT("max", 8));
	json_array_foreach(a, i, v) {
		role_t r;
		if (!json_is_string(v))
			return err_field(e, key, "not_a_list", "must be a list of roles ({allowed})", ERR_STR("allowed", ROLE_LIST));
		if (role_parse(json_string_value(v), &r) != 0 || strlen(json_string_value(v)) != json_string_length(v))
			return err_field(e, key, "not_one_of", "has an unknown role '{value}' (use {allowed})",
					 ERR_STR("value", json_string_value(v)), ERR_STR("allowed", ROLE_LIST));
		*mask |= (unsigned)r;
	}
	return 0;
}
