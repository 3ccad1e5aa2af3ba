/*
 * fuzz_json.c - the JSON body reader and its field readers (api/api.h:
 * api_body_object, api_str, api_date, api_only, api_check_details;
 * api/views.h: api_roles), as the handlers of units, users, sessions,
 * tokens and consents call them, on nested objects and lists too (a
 * merge's "into", a split's "into" list).
 *
 * Properties: a body that is not a JSON object fails with 400 bad_request;
 * every string read fits its buffer and is text (core/text.h: UTF-8 without
 * control characters) of at most its length in characters once in NFC;
 * every error and detail can be written as JSON (fuzz_check_err); nothing
 * leaks.
 */
#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "api/views.h"
#include "core/password.h"
#include "core/text.h"
#include "core/unit.h"
#include "fuzz.h"
#include "store/auth_store.h"
#include "store/privacy.h"

static void read_str(json_t *obj, const char *key, bool required, size_t max, size_t cap, err_t *e)
{
	char *dst = malloc(cap);
	int n = e->n_details;

	if (!dst)
		return;
	memset(dst, 0x5a, cap);
	if (api_str(obj, key, required, max, dst, cap, e) == 0) {
		FUZZ_CHECK(memchr(dst, '\0', cap) != NULL);
		FUZZ_CHECK(text_valid(dst));
		if (*dst) {
			char *nfc = NULL;
			FUZZ_CHECK(text_nfc(dst, &nfc) == 0);
			FUZZ_CHECK(text_length(nfc) <= max);
			free(nfc);
		}
		FUZZ_CHECK(e->n_details == n || n == ERR_MAX_DETAILS);
	} else {
		FUZZ_CHECK(e->n_details > n || n == ERR_MAX_DETAILS);
		FUZZ_CHECK(dst[0] == '\0' || memchr(dst, '\0', cap) != NULL);
	}
	free(dst);
}

/* A unit spec, as read for POST /units and inside a merge or split. */
static void read_spec(json_t *obj, const char *prefix, err_t *e)
{
	static const char *const fields[] = { "code", "name_vi", "name_en", "level", "kind", "attributes", "parent", NULL };

	api_only(obj, fields, prefix, e);
	read_str(obj, "code", true, UNIT_CODE_MAX, UNIT_CODE_MAX * 4 + 1, e);
	read_str(obj, "name_vi", true, UNIT_NAME_MAX, UNIT_NAME_MAX * 4 + 1, e);
	read_str(obj, "name_en", true, UNIT_NAME_MAX, 80, e); /* a buffer under its bound in characters */
	read_str(obj, "level", false, LEVEL_KEY_MAX, LEVEL_KEY_MAX + 1, e);
	read_str(obj, "kind", false, UNIT_KIND_MAX, UNIT_KIND_MAX + 1, e);
	read_str(obj, "parent", false, UNIT_CODE_MAX, UNIT_CODE_MAX * 4 + 1, e);
}

static void read_body(json_t *body, err_t *e)
{
	static const char *const top[] = { "date", "note", "sources", "into", "children", "username", "password", "roles",
					   "expires_at", "name", "purpose", NULL };
	json_t *into = json_object_get(body, "into"), *v;
	date_t d = 0;
	unsigned roles = 0;
	size_t i;

	api_only(body, top, "", e);
	read_spec(body, "", e);
	read_str(body, "note", false, NOTE_MAX, NOTE_MAX * 4 + 1, e);
	read_str(body, "username", true, USERNAME_MAX, USERNAME_MAX * 4 + 8, e);
	read_str(body, "password", true, PASSWORD_MAX_LEN, PASSWORD_MAX_LEN * 4 + 8, e);
	read_str(body, "name", true, TOKEN_NAME_MAX, TOKEN_NAME_MAX * 4 + 1, e);
	read_str(body, "purpose", true, CONSENT_PURPOSE_MAX, CONSENT_PURPOSE_MAX * 4 + 1, e);
	if (api_date(body, "date", 17, &d, e) == 0 && json_is_string(json_object_get(body, "date")))
		FUZZ_CHECK(d >= DATE_FIRST && d <= DATE_OPEN);
	api_date(body, "expires_at", INT32_MIN, &d, e);
	if (api_roles(body, "roles", &roles, e) == 0)
		FUZZ_CHECK(roles != 0);
	if (json_is_object(into)) {
		read_spec(into, "into", e);
	} else if (json_is_array(into)) {
		json_array_foreach(into, i, v) {
			char prefix[32];
			snprintf(prefix, sizeof(prefix), "into[%zu]", i);
			if (json_is_object(v))
				read_spec(v, prefix, e);
		}
	}
	api_check_details(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	api_req_t req;
	json_t *body = NULL;
	char *text = fuzz_cstr(data, size);
	err_t e;

	if (!text)
		return 0;
	memset(&req, 0, sizeof(req));
	req.body = text;
	req.body_len = size;
	err_clear(&e);
	if (api_body_object(&req, &body, &e) != 0) {
		FUZZ_CHECK(body == NULL && e.kind == ERR_BAD_REQUEST);
		fuzz_check_err(&e);
	} else {
		FUZZ_CHECK(json_is_object(body));
		read_body(body, &e);
		FUZZ_CHECK(e.kind == ERR_NONE || e.kind == ERR_INVALID);
		fuzz_check_err(&e);
		json_decref(body);
	}
	free(text);
	return 0;
}
