/*
 * http.c - input helpers for handlers (see api.h): query arguments and JSON
 * bodies, each bounded and validated, problems reported as err_t details.
 */
#include "api/api.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

const char *api_query(api_req_t *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int api_query_date(api_req_t *req, const char *name, date_t def, date_t *out, err_t *e)
{
	const char *v = api_query(req, name);

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	if (date_parse(v, out) != 0) {
		err_detail(e, name, "must be a date YYYY-MM-DD");
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "%s must be a date YYYY-MM-DD", name);
	}
	return 0;
}

int api_query_int(api_req_t *req, const char *name, int def, int min, int max, int *out, err_t *e)
{
	const char *v = api_query(req, name);
	char *end = NULL;
	long n;

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	n = strtol(v, &end, 10);
	if (*end || n < min || n > max) {
		err_detail(e, name, "must be a whole number from %d to %d", min, max);
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "%s must be a whole number from %d to %d", name, min, max);
	}
	*out = (int)n;
	return 0;
}

int api_body_object(api_req_t *req, json_t **out, err_t *e)
{
	json_error_t je;

	*out = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!*out)
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "the body is not valid JSON: %s (line %d)",
			       je.text, je.line);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, ERR_BAD_REQUEST, "bad_request", "the body must be a JSON object");
	}
	return 0;
}

int api_str(json_t *obj, const char *key, bool required, size_t max, char *dst, size_t cap, err_t *e)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	dst[0] = '\0';
	if (!v || json_is_null(v)) {
		if (required)
			return err_detail(e, key, "is required");
		return 0;
	}
	if (!json_is_string(v))
		return err_detail(e, key, "must be a string");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || !text_valid(s))
		return err_detail(e, key, "must be text without control characters");
	if (strlen(s) > max || strlen(s) >= cap)
		return err_detail(e, key, "is too long (at most %zu bytes)", max < cap - 1 ? max : cap - 1);
	memcpy(dst, s, strlen(s) + 1);
	if (required && !*dst)
		return err_detail(e, key, "is required");
	return 0;
}

int api_date(json_t *obj, const char *key, date_t def, date_t *out, err_t *e)
{
	char buf[DATE_STR_LEN + 8];

	*out = def;
	if (!json_object_get(obj, key) || json_is_null(json_object_get(obj, key)))
		return 0;
	if (api_str(obj, key, true, DATE_STR_LEN - 1, buf, sizeof(buf), e))
		return -1;
	if (date_parse(buf, out) != 0)
		return err_detail(e, key, "must be a date YYYY-MM-DD");
	return 0;
}

int api_only(json_t *obj, const char *const *allowed, const char *prefix, err_t *e)
{
	const char *key;
	json_t *v;
	int r = 0;

	json_object_foreach(obj, key, v) {
		bool ok = false;
		(void)v;
		for (int i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				ok = true;
		if (!ok)
			r = err_detail(e, key, "is not a field here%s%s", prefix[0] ? " in " : "", prefix);
	}
	return r;
}

int api_check_details(err_t *e)
{
	if (e && e->n_details)
		return err_set(e, ERR_INVALID, "invalid", "the request has invalid fields");
	return 0;
}
