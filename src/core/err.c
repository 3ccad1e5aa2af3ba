/* err.c - see err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

void err_clear(err_t *e)
{
	if (!e)
		return;
	/* constant time: the arrays are read only up to their counts */
	e->kind = ERR_NONE;
	e->code[0] = '\0';
	e->message[0] = '\0';
	e->n_params = 0;
	e->n_details = 0;
}

/* Messages quote what users sent and are cut at a byte count: keep them
 * valid UTF-8 (JSON needs it), with '?' for any byte that starts no
 * character of strict UTF-8 (text.h: a surrogate, an overlong form or a
 * code point above U+10FFFF gets one '?' a byte). */
static void make_utf8(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = text_utf8_char((const char *)p);
		if (n == 0) {
			*p++ = '?';
		} else {
			p += n;
		}
	}
}

/* Copies src into dst[cap], cut at a character boundary, as valid UTF-8. */
static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap) {
		n = cap - 1;
		/* back off to the start of a character */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	make_utf8(dst);
}

/* Names a parameter may have: [a-z_]+, short, not a member the error or
 * detail object already has. */
static bool param_name_ok(const char *name)
{
	static const char *const reserved[] = { "code", "message", "field", "details", "params", NULL };

	if (!name || !*name || strlen(name) >= ERR_PARAM_NAME)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	for (int i = 0; reserved[i]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return false;
	return true;
}

/* Stores args[0..n) into out[cap] (bad names left out); returns how many
 * were stored. */
static int store_params(err_param_t *out, int cap, const err_arg_t *args, int n)
{
	int k = 0;

	for (int i = 0; args && i < n && k < cap; i++) {
		err_param_t *p = &out[k];
		if (!param_name_ok(args[i].name))
			continue;
		memcpy(p->name, args[i].name, strlen(args[i].name) + 1);
		p->num = 0;
		p->text[0] = '\0';
		switch (args[i].type) {
		case ERR_PARAM_INT:
			p->type = ERR_PARAM_INT;
			p->num = args[i].num;
			break;
		case ERR_PARAM_DATE: {
			char buf[DATE_STR_LEN];
			p->type = ERR_PARAM_STR;
			copy_text(p->text, sizeof(p->text), date_format((date_t)args[i].num, buf));
			break;
		}
		case ERR_PARAM_STR:
		default:
			p->type = ERR_PARAM_STR;
			copy_text(p->text, sizeof(p->text), args[i].text ? args[i].text : "");
			break;
		}
		k++;
	}
	return k;
}

static const err_param_t *find_param(const err_param_t *p, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(p[i].name) == len && strncmp(p[i].name, name, len) == 0)
			return &p[i];
	return NULL;
}

/* Writes template tmpl into out[cap] with each {name} replaced by the
 * value of that parameter; a brace that names no parameter stays as it is. */
static void expand(char *out, size_t cap, const char *tmpl, const err_param_t *p, int n)
{
	size_t len = 0;

	out[0] = '\0';
	for (const char *t = tmpl ? tmpl : ""; *t && len + 1 < cap;) {
		if (*t == '{') {
			size_t k = strspn(t + 1, "abcdefghijklmnopqrstuvwxyz_");
			const err_param_t *v = t[1 + k] == '}' ? find_param(p, n, t + 1, k) : NULL;
			if (v) {
				int w;
				if (v->type == ERR_PARAM_INT)
					w = snprintf(out + len, cap - len, "%lld", v->num);
				else
					w = snprintf(out + len, cap - len, "%s", v->text);
				len += w > 0 ? (size_t)w : 0;
				if (len >= cap)
					len = cap - 1;
				t += k + 2;
				continue;
			}
		}
		out[len++] = *t++;
	}
	out[len] = '\0';
	make_utf8(out);
}

int err_failv(err_t *e, err_kind_t kind, const char *code, const char *tmpl, const err_arg_t *args, int n)
{
	err_param_t p[ERR_MAX_PARAMS];
	int np;

	if (!e)
		return -1;
	/* through copies: an argument may point into e itself */
	np = store_params(p, ERR_MAX_PARAMS, args, n);
	e->kind = kind;
	copy_text(e->code, sizeof(e->code), code ? code : err_kind_code(kind));
	memcpy(e->params, p, (size_t)np * sizeof(p[0]));
	e->n_params = np;
	expand(e->message, sizeof(e->message), tmpl, e->params, e->n_params);
	return -1;
}

/* The next free detail, or the last one turned into "more_errors". */
static err_detail_t *next_detail(err_t *e)
{
	err_detail_t *d;

	if (e->n_details >= ERR_MAX_DETAILS) {
		d = &e->details[ERR_MAX_DETAILS - 1];
		d->field[0] = '\0';
		snprintf(d->code, sizeof(d->code), "more_errors");
		snprintf(d->message, sizeof(d->message), "more errors not shown");
		d->n_params = 0;
		return NULL;
	}
	return &e->details[e->n_details++];
}

int err_fieldv(err_t *e, const char *field, const char *code, const char *tmpl, const err_arg_t *args, int n)
{
	err_param_t p[ERR_MAX_DETAIL_PARAMS];
	char f[sizeof(((err_detail_t *)0)->field)];
	err_detail_t *d;
	int np;

	if (!e)
		return -1;
	/* through copies: an argument may point into e itself */
	np = store_params(p, ERR_MAX_DETAIL_PARAMS, args, n);
	copy_text(f, sizeof(f), field ? field : "");
	if (!(d = next_detail(e)))
		return -1;
	memcpy(d->field, f, sizeof(f));
	copy_text(d->code, sizeof(d->code), code ? code : "invalid");
	memcpy(d->params, p, (size_t)np * sizeof(p[0]));
	d->n_params = np;
	expand(d->message, sizeof(d->message), tmpl, d->params, d->n_params);
	return -1;
}

int err_add_param(err_t *e, err_arg_t a)
{
	err_param_t p;

	if (!e || store_params(&p, 1, &a, 1) != 1)
		return -1;
	for (int i = 0; i < e->n_params; i++)
		if (strcmp(e->params[i].name, p.name) == 0) {
			e->params[i] = p;
			return 0;
		}
	if (e->n_params >= ERR_MAX_PARAMS)
		return -1;
	e->params[e->n_params++] = p;
	return 0;
}

int err_field_copy(err_t *e, const char *prefix, const err_detail_t *src)
{
	char field[sizeof(src->field)];
	err_detail_t *d;

	if (!e || !src)
		return -1;
	snprintf(field, sizeof(field), "%s%s", prefix ? prefix : "", src->field);
	if (!(d = next_detail(e)))
		return -1;
	if (d != src)
		*d = *src;
	copy_text(d->field, sizeof(d->field), field);
	return -1;
}

const err_param_t *err_param(const err_t *e, const char *name)
{
	return e && name ? find_param(e->params, e->n_params, name, strlen(name)) : NULL;
}

const err_param_t *err_detail_param(const err_detail_t *d, const char *name)
{
	return d && name ? find_param(d->params, d->n_params, name, strlen(name)) : NULL;
}

void err_vset(err_t *e, err_kind_t kind, const char *code, const char *fmt, va_list ap)
{
	char msg[sizeof(e->message)];

	if (!e)
		return;
	/* through a copy: callers may pass e->message itself as an argument
	 * ("parent %s: %s", ref, e->message) */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	e->kind = kind;
	copy_text(e->code, sizeof(e->code), code ? code : err_kind_code(kind));
	memcpy(e->message, msg, sizeof(msg));
	make_utf8(e->message);
	e->n_params = 0;
}

void err_vdetail(err_t *e, const char *field, const char *fmt, va_list ap)
{
	char msg[sizeof(((err_detail_t *)0)->message)];
	err_detail_t *d;

	if (!e)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap); /* before the detail changes: it may be an argument */
	if (!(d = next_detail(e)))
		return;
	copy_text(d->field, sizeof(d->field), field ? field : "");
	snprintf(d->code, sizeof(d->code), "invalid");
	memcpy(d->message, msg, sizeof(msg));
	make_utf8(d->message);
	d->n_params = 0;
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

bool err_has_detail(const err_t *e, const char *field)
{
	for (int i = 0; e && i < e->n_details; i++)
		if (strcmp(e->details[i].field, field) == 0)
			return true;
	return false;
}
