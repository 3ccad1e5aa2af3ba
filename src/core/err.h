/*
 * err.h - errors as values.
 *
 * Every function in unionbase that can fail returns 0 on success and -1 on
 * failure, and fills an err_t the caller passed in. The err_t carries what a
 * user needs to see and a kind that the API maps to an HTTP status and the
 * CLI to an exit code:
 *
 *   - a stable machine code ("cycle", "not_found", ...) and its parameters
 *     (integers and strings: {"ref": "zzz", "date": "2026-12-01"});
 *   - per-field details, each with its own code ("required", "too_long",
 *     ...) and parameters ({"max": 200});
 *   - an English message for each, for scripts and logs.
 *
 * A program (the web app) translates the code and fills in the parameters;
 * the codes and their parameters are listed in docs/api.md and in the
 * OpenAPI document (src/api/openapi.json). Messages are templates in which
 * {name} stands for the parameter of that name, so that the English text and
 * the parameters cannot disagree, and the template can go into a dictionary
 * as it is:
 *
 *     return err_field(e, "display_name", "too_long",
 *                      "is too long (at most {max} characters)", ERR_INT("max", 200));
 *     return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit with code {ref} on {date}",
 *                     ERR_STR("ref", ref), ERR_DATE("date", d));
 *
 * err_set (printf-style, no parameters) stays for messages whose variable
 * parts are diagnostics rather than parameters (a database's own message, an
 * internal failure). err_detail is the old printf-style detail: it gives the
 * detail the generic code "invalid" and no parameters (kept so that callers
 * not yet converted compile; new code uses err_field).
 *
 * No allocation: an err_t lives on the caller's stack (about 14 KiB).
 * err_clear resets it in constant time, without touching the arrays.
 */
#ifndef UB_ERR_H
#define UB_ERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"

typedef enum err_kind {
	ERR_NONE = 0,
	ERR_BAD_REQUEST,   /* malformed input: 400 */
	ERR_INVALID,       /* well-formed but unacceptable field values: 422 */
	ERR_NOT_FOUND,     /* 404 */
	ERR_CONFLICT,      /* an invariant of the data would break: 409 */
	ERR_TOO_LARGE,     /* 413 */
	ERR_INTERNAL,      /* a bug or a store failure: 500 */
	ERR_UNAUTHORIZED,  /* no valid credentials: 401 */
	ERR_FORBIDDEN,     /* credentials valid, action not allowed: 403 */
	ERR_TOO_MANY,      /* throttled: 429 */
	ERR_UNAVAILABLE,   /* try again later: 503 */
	ERR_MEDIA_TYPE     /* a body that is not JSON: 415 */
} err_kind_t;

#define ERR_MAX_DETAILS 16
#define ERR_MAX_PARAMS 6      /* per error */
#define ERR_MAX_DETAIL_PARAMS 4 /* per detail */
#define ERR_PARAM_NAME 16     /* bytes, NUL included */
#define ERR_PARAM_TEXT 96     /* bytes, NUL included: longer strings are cut
				 at a character boundary */

typedef enum err_param_type {
	ERR_PARAM_INT = 1,
	ERR_PARAM_STR,
	ERR_PARAM_DATE         /* given as a date_t, kept and shown as "YYYY-MM-DD" */
} err_param_type_t;

/* A parameter as stored: a string parameter (and a date) is held as text. */
typedef struct err_param {
	char name[ERR_PARAM_NAME];  /* [a-z_]+, not code, message, field, details */
	err_param_type_t type;      /* ERR_PARAM_INT or ERR_PARAM_STR */
	long long num;
	char text[ERR_PARAM_TEXT];  /* valid UTF-8 */
} err_param_t;

/* A parameter as given to err_field and err_fail: build it with ERR_INT,
 * ERR_STR or ERR_DATE. The strings are copied; they need not outlive the
 * call. A NULL string counts as "". */
typedef struct err_arg {
	const char *name;
	err_param_type_t type;
	long long num;
	const char *text;
} err_arg_t;

#define ERR_INT(name, v) ((err_arg_t){ (name), ERR_PARAM_INT, (long long)(v), NULL })
#define ERR_STR(name, s) ((err_arg_t){ (name), ERR_PARAM_STR, 0, (s) })
#define ERR_DATE(name, d) ((err_arg_t){ (name), ERR_PARAM_DATE, (long long)(d), NULL })

typedef struct err_detail {
	char field[64];     /* the request field: "name_vi", "into.code", "into[1].level" */
	char code[24];      /* "required", "too_long", ... ("invalid" when unconverted) */
	char message[192];  /* in English, without the field's name: "is required" */
	int n_params;
	err_param_t params[ERR_MAX_DETAIL_PARAMS];
} err_detail_t;

typedef struct err {
	err_kind_t kind;
	char code[32];      /* stable, machine-readable: "not_found", "cycle", ... */
	char message[384];  /* for the user, in English */
	int n_params;
	err_param_t params[ERR_MAX_PARAMS];
	int n_details;
	err_detail_t details[ERR_MAX_DETAILS];
} err_t;

/* Clears e (kind ERR_NONE, no code, message, parameters or details). */
void err_clear(err_t *e);

/* ---- the calls to use ---- */

/* Sets kind, code, the message from template tmpl and the parameters
 * (replacing any earlier ones); keeps the details already added, so that
 * field checks can collect details first, then fail once. e may be NULL.
 * Returns -1, so that callers can write `return err_fail(...)`. */
int err_failv(err_t *e, err_kind_t kind, const char *code, const char *tmpl, const err_arg_t *args, int n);

/* Appends a field detail with its code, message template and parameters.
 * Beyond ERR_MAX_DETAILS the last detail becomes {"code": "more_errors"}.
 * e may be NULL. Returns -1. */
int err_fieldv(err_t *e, const char *field, const char *code, const char *tmpl, const err_arg_t *args, int n);

/* err_fail(e, kind, code, tmpl, ERR_...(...)...) and
 * err_field(e, field, code, tmpl, ERR_...(...)...): the same with 0 to 4
 * parameters written in place (each checked by the compiler to be an
 * err_arg_t). */
#define ERR_NARGS_(...) ERR_NARGS_N_(__VA_ARGS__, 4, 3, 2, 1, 0, ERR_NARGS_NONE_)
#define ERR_NARGS_N_(t, a1, a2, a3, a4, n, ...) n
#define ERR_CAT_(a, b) a##b
#define ERR_CAT(a, b) ERR_CAT_(a, b)
#define err_fail(e, kind, code, ...) ERR_CAT(err_fail_, ERR_NARGS_(__VA_ARGS__))(e, kind, code, __VA_ARGS__)
#define err_field(e, field, code, ...) ERR_CAT(err_field_, ERR_NARGS_(__VA_ARGS__))(e, field, code, __VA_ARGS__)

static inline int err_fail_0(err_t *e, err_kind_t kind, const char *code, const char *tmpl)
{
	return err_failv(e, kind, code, tmpl, NULL, 0);
}
static inline int err_fail_1(err_t *e, err_kind_t kind, const char *code, const char *tmpl, err_arg_t a)
{
	return err_failv(e, kind, code, tmpl, &a, 1);
}
static inline int err_fail_2(err_t *e, err_kind_t kind, const char *code, const char *tmpl, err_arg_t a,
			     err_arg_t b)
{
	const err_arg_t v[] = { a, b };
	return err_failv(e, kind, code, tmpl, v, 2);
}
static inline int err_fail_3(err_t *e, err_kind_t kind, const char *code, const char *tmpl, err_arg_t a,
			     err_arg_t b, err_arg_t c)
{
	const err_arg_t v[] = { a, b, c };
	return err_failv(e, kind, code, tmpl, v, 3);
}
static inline int err_fail_4(err_t *e, err_kind_t kind, const char *code, const char *tmpl, err_arg_t a,
			     err_arg_t b, err_arg_t c, err_arg_t d)
{
	const err_arg_t v[] = { a, b, c, d };
	return err_failv(e, kind, code, tmpl, v, 4);
}

static inline int err_field_0(err_t *e, const char *field, const char *code, const char *tmpl)
{
	return err_fieldv(e, field, code, tmpl, NULL, 0);
}
static inline int err_field_1(err_t *e, const char *field, const char *code, const char *tmpl, err_arg_t a)
{
	return err_fieldv(e, field, code, tmpl, &a, 1);
}
static inline int err_field_2(err_t *e, const char *field, const char *code, const char *tmpl, err_arg_t a,
			      err_arg_t b)
{
	const err_arg_t v[] = { a, b };
	return err_fieldv(e, field, code, tmpl, v, 2);
}
static inline int err_field_3(err_t *e, const char *field, const char *code, const char *tmpl, err_arg_t a,
			      err_arg_t b, err_arg_t c)
{
	const err_arg_t v[] = { a, b, c };
	return err_fieldv(e, field, code, tmpl, v, 3);
}
static inline int err_field_4(err_t *e, const char *field, const char *code, const char *tmpl, err_arg_t a,
			      err_arg_t b, err_arg_t c, err_arg_t d)
{
	const err_arg_t v[] = { a, b, c, d };
	return err_fieldv(e, field, code, tmpl, v, 4);
}

/* Adds parameter a to the error (replacing one of the same name), for a
 * caller that puts context around an error from below (a file's line).
 * Returns 0, or -1 when there is no room or the name is not allowed. */
int err_add_param(err_t *e, err_arg_t a);

/* True when e holds a detail on field. */
bool err_has_detail(const err_t *e, const char *field);

/* Appends a copy of detail src (from another err_t) with its field prefixed:
 * prefix "into." makes "name_vi" "into.name_vi". Returns -1. */
int err_field_copy(err_t *e, const char *prefix, const err_detail_t *src);

/* The parameter of that name of the error (err_param) or of a detail
 * (err_detail_param), or NULL. */
const err_param_t *err_param(const err_t *e, const char *name);
const err_param_t *err_detail_param(const err_detail_t *d, const char *name);

/* ---- printf-style, without parameters ---- */

void err_vset(err_t *e, err_kind_t kind, const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
void err_vdetail(err_t *e, const char *field, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Sets kind, code and a printf-style message, and drops the parameters of
 * an earlier error (the message is new); keeps the details. For messages
 * whose variables are diagnostics, not parameters. e may be NULL. Returns
 * -1; defined here so that static analysers see it. */
static inline int err_set(err_t *e, err_kind_t kind, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int err_set(err_t *e, err_kind_t kind, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, kind, code, fmt, ap);
	va_end(ap);
	return -1;
}

/* Compatibility: appends a detail with code "invalid", a printf-style
 * message and no parameters. Use err_field. Returns -1. */
static inline int err_detail(err_t *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int err_detail(err_t *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vdetail(e, field, fmt, ap);
	va_end(ap);
	return -1;
}

/* The HTTP status that goes with a kind. */
int err_http_status(err_kind_t kind);

/* The default code word for a kind ("not_found", "invalid", ...). */
const char *err_kind_code(err_kind_t kind);

#endif
