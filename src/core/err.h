/*
 * err.h - errors as values.
 *
 * Every function in unionbase that can fail returns 0 on success and -1 on
 * failure, and fills an err_t the caller passed in. The err_t carries what a
 * user needs to see (a stable machine code such as "cycle", a message, and
 * per-field details) and a kind that the API maps to an HTTP status and the
 * CLI to an exit code. No allocation: an err_t lives on the caller's stack.
 */
#ifndef UB_ERR_H
#define UB_ERR_H

#include <stdarg.h>
#include <stddef.h>

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

typedef struct err_detail {
	char field[64];
	char message[192];
} err_detail_t;

typedef struct err {
	err_kind_t kind;
	char code[32];      /* stable, machine-readable: "not_found", "cycle", ... */
	char message[384];  /* for the user, in English */
	int n_details;
	err_detail_t details[ERR_MAX_DETAILS];
} err_t;

/* Clears e. */
void err_clear(err_t *e);

void err_vset(err_t *e, err_kind_t kind, const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
void err_vdetail(err_t *e, const char *field, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Sets kind, code and a printf-style message; keeps the details already
 * added (so field checks can collect details first, then fail once).
 * e may be NULL. Returns -1, so that callers can write
 * `return err_set(...)`; defined here so that static analysers see it. */
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

/* Appends a field detail (beyond ERR_MAX_DETAILS the last one says more
 * were left out). Returns -1. */
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
