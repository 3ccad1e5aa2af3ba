/*
 * http.c - input helpers for handlers (see api.h): query arguments and JSON
 * bodies, each bounded and validated, problems reported as err_t details.
 */
#include "api/api.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define ARGS_SEEN_MAX 128 /* beyond QUERY_PARAMS_MAX, refused before this */

typedef struct bad_arg {
	err_t *e;
	bool found;
	const char *seen[ARGS_SEEN_MAX]; /* the names met so far */
	size_t n_seen;
} bad_arg_t;

/* Whether b has met the name key already (and notes it when not). */
static bool seen_before(bad_arg_t *b, const char *key)
{
	for (size_t i = 0; i < b->n_seen; i++)
		if (!strcmp(b->seen[i], key))
			return true;
	if (b->n_seen < ARGS_SEEN_MAX)
		b->seen[b->n_seen++] = key;
	return false;
}

/* Sizes are given because a decoded %00 would otherwise cut a name or a
 * value short without a word: "q=ab%00cd" would search for "ab". */
static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
				 const char *value, size_t value_size)
{
	bad_arg_t *b = cls;
	(void)kind;

	if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
		err_field(b->e, key, "not_text", "must be text without control characters");
		err_fail(b->e, ERR_BAD_REQUEST, "bad_request", "{arg} must be text without control characters",
			 ERR_STR("arg", key));
		b->found = true;
		return MHD_NO;
	}
	if (text_utf8(key) && (!value || text_utf8(value))) {
		if (!seen_before(b, key))
			return MHD_YES;
		/* which of two values would count is nowhere said: neither */
		err_field(b->e, key, "duplicate", "is given twice", ERR_STR("value", key));
		err_fail(b->e, ERR_BAD_REQUEST, "bad_request", "{arg} is given twice", ERR_STR("arg", key));
		b->found = true;
		return MHD_NO;
	}
	/* err.c turns the bytes of a name that is not UTF-8 into '?' */
	err_field(b->e, key, "not_text", "must be text in UTF-8");
	err_fail(b->e, ERR_BAD_REQUEST, "bad_request", "{arg} must be text in UTF-8", ERR_STR("arg", key));
	b->found = true;
	return MHD_NO;
}

int api_check_utf8(api_req_t *req, err_t *e)
{
	bad_arg_t b = { .e = e };

	if (req->path_nul) {
		err_field(e, "path", "not_text", "must be text without control characters");
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "the path must be text without control characters");
	}
	if (req->path && !text_utf8(req->path)) {
		err_field(e, "path", "not_text", "must be text in UTF-8");
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "the path must be text in UTF-8");
	}
	MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND, check_arg, &b);
	return b.found ? -1 : 0;
}

const char *api_query(api_req_t *req, const char *name)
{
	if (!req->conn)
		return json_string_value(json_object_get(req->query, name));
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
		err_field(e, name, "not_a_date", "must be a date YYYY-MM-DD", ERR_STR("value", v));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} must be a date YYYY-MM-DD", ERR_STR("arg", name));
	}
	if (*out >= DATE_OPEN) {
		/* 9999-12-31 stands for "still holds": as a day to read it would
		 * answer a list (empty), a unit (404) or a report each its own way */
		*out = def;
		err_field(e, name, "too_late", "must be a day before 9999-12-31 (which stands for \"still holds\")",
			  ERR_STR("value", v));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} must be a day before 9999-12-31",
				ERR_STR("arg", name));
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
		err_field(e, name, "out_of_range", "must be a whole number from {min} to {max}", ERR_INT("min", min),
			  ERR_INT("max", max));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} must be a whole number from {min} to {max}",
				ERR_STR("arg", name), ERR_INT("min", min), ERR_INT("max", max));
	}
	*out = (int)n;
	return 0;
}

int api_body_object(api_req_t *req, json_t **out, err_t *e)
{
	json_error_t je;

	*out = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!*out) {
		/* jansson's own words name its flag: "...without JSON_ALLOW_NUL" */
		const char *reason = json_error_code(&je) == json_error_null_character
			? "a string holds the character U+0000, which text may not"
			: je.text;
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "the body is not valid JSON: {reason} (line {line})",
				ERR_STR("reason", reason), ERR_INT("line", je.line), ERR_INT("column", je.column));
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "the body must be a JSON object");
	}
	return 0;
}

/* Characters in valid UTF-8 s as the store will keep it (NFC, trimmed): an
 * NFD "ễ" counts once. */
static size_t nfc_length(const char *s)
{
	char *nfc = NULL;
	size_t n;

	if (text_nfc(s, &nfc) != 0)
		return text_length(s);
	n = text_length(nfc);
	free(nfc);
	return n;
}

void api_value_of(json_t *v, mval_t *out)
{
	*out = (mval_t){ .kind = MVAL_ABSENT };
	if (!v || json_is_null(v))
		return;
	if (json_is_string(v))
		*out = (mval_t){ .kind = MVAL_TEXT, .text = json_string_value(v), .len = json_string_length(v) };
	else if (json_is_boolean(v))
		out->kind = json_is_true(v) ? MVAL_TRUE : MVAL_FALSE;
	else
		out->kind = MVAL_OTHER;
}

int api_value_str(const mval_t *v, const char *key, bool required, size_t max, char *dst, size_t cap, err_t *e)
{
	const char *s;
	size_t bytes;

	dst[0] = '\0';
	if (v->kind == MVAL_ABSENT) {
		if (required)
			return err_field(e, key, "required", "is required");
		return 0;
	}
	if (v->kind != MVAL_TEXT)
		return err_field(e, key, "not_a_string", "must be a string");
	s = v->text;
	bytes = strlen(s);
	if (bytes != v->len || !text_valid(s))
		return err_field(e, key, "not_text", "must be text without control characters");
	if (text_format_char(s)) {
		char cp[16];
		text_code_point_name(text_format_char(s), cp, sizeof(cp));
		return err_field(e, key, "format_chars", "must not hold invisible formatting characters ({value})",
				 ERR_STR("value", cp));
	}
	/* counted in NFC, as the store keeps text. NFC may have more code
	 * points than the text as sent (U+0958 is two: it is excluded from
	 * composition; found by tests/fuzz/fuzz_json), so only text that is
	 * its own NFC skips the normalisation */
	if ((!text_composed(s) || text_length(s) > max) && nfc_length(s) > max)
		return err_field(e, key, "too_long", "is too long (at most {max} characters)", ERR_INT("max", max));
	/* the buffer's bound: reached only by text of few characters and many
	 * bytes, such as a name typed in NFD; kept in NFC when that fits */
	if (bytes >= cap) {
		char *nfc = NULL;
		if (text_nfc(s, &nfc) != 0 || strlen(nfc) >= cap) {
			free(nfc);
			return err_field(e, key, "too_many_bytes", "is too long (at most {max} bytes of UTF-8)",
					 ERR_INT("max", cap - 1));
		}
		memcpy(dst, nfc, strlen(nfc) + 1);
		free(nfc);
	} else {
		memcpy(dst, s, bytes + 1);
	}
	if (required && !*dst)
		return err_field(e, key, "required", "is required");
	return 0;
}

int api_str(json_t *obj, const char *key, bool required, size_t max, char *dst, size_t cap, err_t *e)
{
	mval_t v;

	api_value_of(json_object_get(obj, key), &v);
	return api_value_str(&v, key, required, max, dst, cap, e);
}

int api_value_date(const mval_t *v, const char *key, date_t def, date_t *out, err_t *e)
{
	*out = def;
	if (v->kind == MVAL_ABSENT)
		return 0;
	if (v->kind != MVAL_TEXT)
		return err_field(e, key, "not_a_string", "must be a string");
	if (date_parse(v->text, out) != 0 || strlen(v->text) != v->len) {
		*out = def;
		return err_field(e, key, "not_a_date", "must be a date YYYY-MM-DD", ERR_STR("value", v->text));
	}
	if (*out >= DATE_OPEN) {
		/* 9999-12-31 stands for "still holds": no change happens on it */
		*out = def;
		return err_field(e, key, "too_late", "must be a day before 9999-12-31 (which stands for \"still holds\")",
				 ERR_STR("value", v->text));
	}
	return 0;
}

int api_date(json_t *obj, const char *key, date_t def, date_t *out, err_t *e)
{
	mval_t v;

	api_value_of(json_object_get(obj, key), &v);
	return api_value_date(&v, key, def, out, e);
}

int api_only(json_t *obj, const char *const *allowed, const char *prefix, err_t *e)
{
	const char *key;
	json_t *v;
	int r = 0;

	json_object_foreach(obj, key, v) {
		bool ok = false;
		char field[64];
		(void)v;
		for (int i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				ok = true;
		if (ok)
			continue;
		snprintf(field, sizeof(field), "%s%s%s", prefix, prefix[0] ? "." : "", key);
		r = err_field(e, field, "unknown_field", "is not a field here");
	}
	return r;
}

int api_check_details(err_t *e)
{
	if (e && e->n_details)
		return err_fail(e, ERR_INVALID, "invalid", "the request has invalid fields");
	return 0;
}

int api_query_choice(api_req_t *req, const char *name, const char *const *list, const char *allowed, int *out,
			err_t *e)
{
	const char *v = api_query(req, name);

	*out = 0;
	if (!v || !*v)
		return 0;
	for (int i = 0; list[i]; i++)
		if (!strcmp(v, list[i])) {
			*out = i + 1;
			return 0;
		}
	err_field(e, name, "not_one_of", "'{value}' is not one of {allowed}", ERR_STR("value", v),
		  ERR_STR("allowed", allowed));
	return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} is not one of the values allowed", ERR_STR("arg", name));
}
