/* err.c - see err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(err_t *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* Messages quote what users sent and are cut at a byte count: keep them
 * valid UTF-8 (JSON needs it), with '?' for any byte that is not. */
static void make_utf8(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq(p);
		if (n == 0) {
			*p++ = '?';
		} else {
			p += n;
		}
	}
}

void err_vset(err_t *e, err_kind_t kind, const char *code, const char *fmt, va_list ap)
{
	if (!e)
		return;
	e->kind = kind;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : err_kind_code(kind));
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	make_utf8(e->message);
}

void err_vdetail(err_t *e, const char *field, const char *fmt, va_list ap)
{
	err_detail_t *d;

	if (!e)
		return;
	if (e->n_details >= ERR_MAX_DETAILS) {
		d = &e->details[ERR_MAX_DETAILS - 1];
		snprintf(d->message, sizeof(d->message), "more errors not shown");
		return;
	}
	d = &e->details[e->n_details++];
	snprintf(d->field, sizeof(d->field), "%s", field ? field : "");
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	make_utf8(d->message);
	make_utf8(d->field);
}

int err_http_status(err_kind_t kind)
{
	switch (kind) {
	case ERR_NONE: return 200;
	case ERR_BAD_REQUEST: return 400;
	case ERR_INVALID: return 422;
	case ERR_NOT_FOUND: return 404;
	case ERR_CONFLICT: return 409;
	case ERR_TOO_LARGE: return 413;
	case ERR_INTERNAL: return 500;
	case ERR_UNAUTHORIZED: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_TOO_MANY: return 429;
	case ERR_UNAVAILABLE: return 503;
	case ERR_MEDIA_TYPE: return 415;
	}
	return 500;
}

const char *err_kind_code(err_kind_t kind)
{
	switch (kind) {
	case ERR_NONE: return "ok";
	case ERR_BAD_REQUEST: return "bad_request";
	case ERR_INVALID: return "invalid";
	case ERR_NOT_FOUND: return "not_found";
	case ERR_CONFLICT: return "conflict";
	case ERR_TOO_LARGE: return "too_large";
	case ERR_INTERNAL: return "internal";
	case ERR_UNAUTHORIZED: return "unauthorized";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_TOO_MANY: return "too_many_requests";
	case ERR_UNAVAILABLE: return "unavailable";
	case ERR_MEDIA_TYPE: return "unsupported_media_type";
	}
	return "internal";
}
