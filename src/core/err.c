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

void err_vset(err_t *e, err_kind_t kind, const char *code, const char *fmt, va_list ap)
{
	if (!e)
		return;
	e->kind = kind;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : err_kind_code(kind));
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
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
	}
	return "internal";
}
