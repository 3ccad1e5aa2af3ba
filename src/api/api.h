/*
 * api.h - the HTTP server: libmicrohttpd with a thread pool, one database
 * connection per worker thread, routes registered per resource.
 *
 * A request reads top to bottom: server.c bounds and collects it, finds the
 * route, hands an api_req_t to the resource's handler (units.c, ...), which
 * parses and validates the input, calls the store, and fills an api_resp_t
 * with JSON; server.c sends it. All JSON goes through jansson, all SQL
 * through bound parameters.
 *
 * Ownership: a handler puts a new JSON reference into resp->body; server.c
 * releases it after sending. Strings in api_req_t belong to the request and
 * live until the handler returns.
 */
#ifndef UB_API_H
#define UB_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "core/member_columns.h"
#include "core/period.h"
#include "core/person.h"
#include "core/unit.h"
#include "store/db.h"

#define API_BODY_MAX ((size_t)64 * 1024)
/* How answers are written: a number that is not whole with 15 significant
 * digits, as it was meant (43.478, not jansson's 43.478000000000002). */
#define API_JSON_REAL JSON_REAL_PRECISION(15)
#define API_QUERY_MAX 4096
#define API_MAX_PARAMS 4

struct MHD_Connection;

typedef struct api_req {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	bool path_nul;            /* the path held a %00 (cut short at it when decoded) */
	const char *params[API_MAX_PARAMS]; /* {captures} of the route, URL-decoded */
	const char *body;                   /* NUL-terminated, may be empty */
	size_t body_len;
	db_t *db;                           /* the queries' connection: the primary's, or the read copy's
					       while a ROUTE_READ_COPY route runs there */
	db_t *primary;                      /* the primary's connection: writes go here */
	date_t today;
	principal_t who;                    /* the authenticated caller */
	char client_addr[64];
	const char *session_id;             /* the session cookie's secret, or NULL */
	char csrf_token[64];                /* the session's CSRF token, when by session */
	bool secure_cookies;
	/* ROUTE_UPLOAD: the file received, in the spool folder; the handler
	 * renames it to keep it, else it is removed after the answer */
	const char *upload_path;
	unsigned long long upload_size;
	/* called from the command line (api_call, no conn): the query
	 * string's arguments, a JSON object of strings, or NULL */
	json_t *query;
	/* the server's kept answers (api/answers.h), NULL for none */
	struct answers *answers;
} api_req_t;

typedef struct api_resp {
	int status;
	json_t *body;
	char set_cookie[256];               /* a Set-Cookie header to send, or "" */
	int retry_after;                    /* seconds for a Retry-After header, or 0 */
	/* an answer that is not JSON (the card's verification page): malloc'd
	 * text that server.c sends as content_type and frees; body stays NULL */
	char *text;
	const char *content_type;
	char csp[160];                      /* a Content-Security-Policy of the page, or "" */
	/* an answer sent from an open file (a download): server.c sends it
	 * as content_type and closes it; body and text stay NULL */
	bool has_file;
	int file_fd;
	char disposition[160];              /* a Content-Disposition header, or "" */
	bool from_read_copy;                /* answered from the read copy: its lag is sent */
	double read_copy_lag;               /* then: at most this many seconds behind the primary */
} api_resp_t;

typedef int (*api_handler_fn)(api_req_t *req, api_resp_t *resp, err_t *e);

enum {
	ROUTE_PUBLIC = 1, /* answers without a caller */
	ROUTE_WRITES = 2, /* a GET that writes too (an audit row): not run in a read snapshot */
	ROUTE_LOCKED = 4, /* checks and writes in one write transaction: what was checked is what is changed */
	ROUTE_UPLOAD = 8, /* the body is a file (application/octet-stream), streamed to the spool folder
			     under its own limit (api_options_t.upload_max_mb), its sender authenticated and
			     holding record.write before a byte of it is read: api_req_t.upload_path */
	ROUTE_READ_COPY = 16, /* a report, statistics or an export: read from the read copy (serve --read-db)
				 while it is fresh enough, else from the primary; its writes (an audit row)
				 go to api_req_t.primary */
	ROUTE_SEARCH = 32,    /* with a non-empty q, a search typed by someone who waits for it: served in
				 the searches' lane, whose threads go first for the processor (api/server.c) */
};

typedef struct api_route {
	const char *method;
	const char *pattern; /* "/api/v1/units/{}/children" */
	api_handler_fn fn;
	unsigned flags;
} api_route_t;

/* Routes of each resource, NULL-terminated arrays. */
extern const api_route_t API_UNIT_ROUTES[];
extern const api_route_t API_SESSION_ROUTES[];
extern const api_route_t API_USER_ROUTES[];
extern const api_route_t API_AUDIT_ROUTES[];
extern const api_route_t API_MEMBER_ROUTES[];
extern const api_route_t API_REPORT_ROUTES[];
extern const api_route_t API_TARGET_ROUTES[];
extern const api_route_t API_CARD_ROUTES[];
extern const api_route_t API_IMPORT_ROUTES[];
extern const api_route_t API_EXPORT_ROUTES[];

#define SESSION_COOKIE "ub_session"

/* A report form as the API does it, for the command line (api/reports.c):
 * step "form" (GET /api/v1/forms/{form}/{unit}/{period}), "enter" (PUT,
 * body {"values", "comments"}), "submit" (body {"explanation"}),
 * "approve", "return" or "unlock" (body {"reason"}), "overview" (query
 * {"unit", "period", "sort"}: GET /api/v1/forms/{form}/overview),
 * "xlsx" (body {"path", "lang"}) or "inbox" (query {"status"}: GET
 * /api/v1/forms/inbox); query and body may be NULL.
 * The form as JSON into *out (the caller's). In one transaction (or the
 * caller's). Returns 0 or -1 with e (unknown step: ERR_INTERNAL). */
int api_report_step(db_t *db, const principal_t *who, const char *step, const char *form, const char *unit,
		    const char *period, json_t *query, json_t *body, json_t **out, err_t *e);

/* Runs a route's handler fn for the command line: as who, with the path's
 * captures params[0..n-1], the query string's arguments query (a JSON
 * object of strings) and body (each NULL: none), in one transaction (or
 * the caller's). The answer's JSON into *out (the caller's). Returns 0
 * or -1 with e. */
int api_call(db_t *db, const principal_t *who, api_handler_fn fn, const char *const *params, size_t n, json_t *query,
	     json_t *body, json_t **out, err_t *e);

/* The indicators' figures as the API gives them, for the command line
 * (api/reports.c): step "series" (GET /api/v1/indicators/{code}/series,
 * query {"unit", "to", "count", "mapped"}), "children" (…/children,
 * query {"unit", "period", "mapped"}) or "values" (GET
 * /api/v1/indicators/values, code unused, query {"unit", "period",
 * "mapped"}). The answer into *out (the
 * caller's). Returns 0 or -1 with e (unknown step: ERR_INTERNAL). */
int api_indicator_step(db_t *db, const principal_t *who, const char *step, const char *code, json_t *query,
		       json_t **out, err_t *e);

/* The targets of a unit for a term as the API does them, for the command
 * line (api/targets.c): step "show" (GET /api/v1/targets/{unit}/{term})
 * or "set" (PUT, body {"targets"}). The answer into *out (the caller's).
 * Returns 0 or -1 with e (unknown step: ERR_INTERNAL). */
int api_target_step(db_t *db, const principal_t *who, const char *step, const char *unit, const char *term,
		    json_t *body, json_t **out, err_t *e);

/* A JSON number of thousandths (core/indicator.h): an integer when whole. */
json_t *api_milli_json(int64_t v);

/* A period (core/period.h) from the query string or a path segment named
 * name: 400 bad_request naming it when absent or not a period. */
int api_period_arg(const char *s, const char *name, period_t *p, err_t *e);

/* Fails with 403 forbidden unless the caller's roles grant p. */
int api_require(api_req_t *req, perm_t p, err_t *e);

/* 0 when the caller logged in with her password (a session), else -1 with
 * ERR_FORBIDDEN code session_required: what she does to her own account
 * (API tokens, consents, the export of her data, her password) needs the
 * person, not a token, which may have leaked and may hold fewer rights. */
int api_require_session(api_req_t *req, err_t *e);

/* Resolves a unit the caller asks about on day d: ERR_NOT_FOUND, worded
 * like a unit that does not exist, when it lies outside her scope. */
int api_unit_in_scope(api_req_t *req, const char *ref, date_t d, unit_t *out, err_t *e);

/* A unit that an operation dated d changes: strictly inside the caller's
 * scope (its parent in scope too), else ERR_NOT_FOUND worded like a unit
 * that does not exist. Errors about the date (unit_closed, ...) are left
 * to the operation. */
int api_unit_for_change(api_req_t *req, const char *ref, date_t d, err_t *e);

/* The same for a unit named as a parent in a body field: outside the
 * caller's scope it gets the 422 a parent that does not exist gets. */
int api_parent_in_scope(api_req_t *req, const char *ref, date_t d, const char *field, err_t *e);

/* A new member's record from a request body (POST /api/v1/members) into
 * p, every problem a detail on e (core/person.h's rules); the unit's code
 * into unit_code[unit_cap] and the day she joins (today by default) into
 * *joined. Shared with `unionbase members add`, so that both check alike.
 * A unit_cap of UNIT_CODE_MAX * 4 + 8 holds any code the body may send. */
struct person;
void api_member_read(json_t *body, date_t today, struct person *p, member_kind_t *kind, char *unit_code,
		     size_t unit_cap, date_t *joined, err_t *e);
/* api_member_read of fields already taken out of their body (an import's
 * row: io/member_rows.h), checked by the same rules. */
void api_member_check(const member_fields_t *f, date_t today, struct person *p, member_kind_t *kind,
		      char *unit_code, size_t unit_cap, date_t *joined, err_t *e);
/* The member keys of body as fields (borrowing its strings). */
void api_member_fields(json_t *body, member_fields_t *out);

/* True when person_id is the caller's own member record: a `member` whose
 * account is linked to it (users.person_id). */
bool api_own_record(const api_req_t *req, int64_t person_id);

/* The member named by the path segment ref, for a read: her own record
 * (*self true), or, with record.read, one whose unit on day d (a former
 * member: her last) lies in the caller's scope. Without either right: 403
 * forbidden before anything is looked up; outside scope: 404 worded like
 * an id that does not exist. Her id into *id. */
int api_member_readable(api_req_t *req, const char *ref, date_t d, int64_t *id, bool *self, err_t *e);

/* *yes when member id exists (not erased) and her unit today (a former
 * member: her last) lies in the caller's scope. */
int api_member_in_scope(api_req_t *req, int64_t id, bool *yes, err_t *e);

/* The server's address as the people who scan a card reach it, without a
 * trailing slash: serve --public-url, else the request's own (its Host,
 * or behind a trusted proxy X-Forwarded-Host and -Proto). */
void api_public_base(const api_req_t *req, char *buf, size_t cap);

/* Corrects the record of member id with the fields of patch (PATCH
 * /api/v1/members/{id}: the record checked whole by api_member_read's
 * rules), as who; shared with `unionbase members edit`. Scope is the
 * caller's business. Returns 0 or -1 with e (details on the fields). */
int api_member_patch(db_t *db, const principal_t *who, int64_t id, json_t *patch, err_t *e);

/* The member list's filters from the query string (GET /api/v1/members,
 * and its export): kind, age_min, age_max, ethnicity and circumstance
 * (sensitive: only with sensitive.read, else 403), digital, dues_unpaid.
 * 400 for a value out of place. */
struct member_query;
int api_member_filters(api_req_t *req, struct member_query *q, err_t *e);

/* Her record with the member keys of patch laid over it (her unit, kind
 * and day of joining from her stay today, else her last), checked whole
 * as a new member's body is, into *out (out->id hers): what
 * api_member_patch stores, for an import to store its own way. Returns 0
 * or -1 with e (details on the fields). */
int api_member_merge(db_t *db, const principal_t *who, int64_t id, json_t *patch, struct person *out, err_t *e);

typedef struct api_options {
	const char *db_url;
	const char *listen;  /* "127.0.0.1:8080" */
	int threads;         /* worker threads; 0 picks a default */
	const char *web_dir; /* serve the web app from here instead of the built-in copy */
	bool secure_cookies; /* mark the session cookie Secure (served over TLS) */
	bool trust_proxy;    /* take the client address from X-Forwarded-For (behind a proxy) */
	const char *public_url; /* the address cards' QR codes point to ("https://host"), or NULL */
	bool quiet;          /* no access log */
	/* slow clients (docs/operations.md, 2.2): 0 (or -1 for the per-address
	 * limit) picks the default */
	int max_connections;        /* open connections in all */
	int max_connections_per_ip; /* from one client address; 0: no limit */
	int header_timeout;         /* seconds for a request line and headers */
	int body_timeout;           /* seconds for a body, after its headers */
	/* imports (api/imports.c) */
	const char *spool_dir;      /* uploaded files and the jobs' reports; NULL: beside a SQLite
				       database (DB.imports/), else $TMPDIR/unionbase-imports */
	int upload_max_mb;          /* an uploaded file's bytes; 0 picks 256 */
	int upload_timeout;         /* seconds for an upload's body; 0 picks 600 */
	int spool_days;             /* an import's files are deleted after this many days unchanged; 0: 7 */
	int problems_kept;          /* a job's bad rows' problems listed, the first ones; 0: 100,000 */
	/* a read copy (docs/operations.md, "Read copies") */
	const char *read_db_url;    /* a PostgreSQL streaming replica of db_url, or NULL */
	int read_max_lag;           /* seconds it may stand behind before reports go to the primary; 0: 10 */
} api_options_t;

/* The import jobs' files kept days days (api/imports.c), and the sweep
 * that deletes older ones (at the server's start, at every upload):
 * their jobs become "expired". Returns 0 or -1 with e. */
void api_imports_set_retention(int days);
/* A job lists the first kept problems of its bad rows (0 keeps the
 * default, 100,000); its report counts the rest. */
void api_imports_set_problems_kept(int kept);
int api_imports_sweep(db_t *db, err_t *e);

/* The server's spool folder and database, for the import jobs' threads. */
const char *api_spool_dir(void);
const char *api_db_url(void);

/* Runs the server until SIGINT or SIGTERM. Returns 0 or -1 with e. */
int api_serve(const api_options_t *opt, err_t *e);

/* ---- helpers for handlers (http.c) ---- */

/* Fails with 400 bad_request unless the path and every query argument
 * (name and value, as URL-decoded) are strict UTF-8 (core/text.h): a
 * detail {field: the argument's name or "path", code: "not_text"}, and
 * the argument's name as the error's `arg`. server.c calls it on every
 * API request before the handler, so handlers and the store see UTF-8
 * only. */
int api_check_utf8(api_req_t *req, err_t *e);

/* A query string argument, or NULL. */
const char *api_query(api_req_t *req, const char *name);
/* as_of from the query string, today by default; ERR_BAD_REQUEST if bad. */
int api_query_date(api_req_t *req, const char *name, date_t def, date_t *out, err_t *e);
/* An integer argument within [min, max], def when absent. */
int api_query_int(api_req_t *req, const char *name, int def, int min, int max, int *out, err_t *e);
/* The query argument `name` as one of list (NULL-terminated): *out its
 * index + 1, 0 when absent; 400 not_one_of (allowed: the words, for the
 * message) otherwise. */
int api_query_choice(api_req_t *req, const char *name, const char *const *list, const char *allowed, int *out,
		     err_t *e);
/* Parses the body as a JSON object; ERR_BAD_REQUEST when it is not. The
 * caller owns *out. */
int api_body_object(api_req_t *req, json_t **out, err_t *e);

/* Reads optional/required string members, adding a detail to e on a
 * problem (required, not_a_string, not_text, too_long, too_many_bytes).
 * max bounds the length in characters (code points of the NFC form, as
 * the store keeps text); dst[cap] bounds the bytes, so give cap room for
 * 4 bytes a character (max * 4 + 1): text that does not fit as sent is
 * kept in NFC (trimmed) when that fits. Return 0 or -1. */
int api_str(json_t *obj, const char *key, bool required, size_t max, char *dst, size_t cap, err_t *e);
/* A date member, def when absent or null; a detail on a bad one. */
int api_date(json_t *obj, const char *key, date_t def, date_t *out, err_t *e);
/* api_str and api_date of a value already taken out of its body (v as
 * api_value_of gives it, or a member list's cell), key naming it. */
int api_value_str(const mval_t *v, const char *key, bool required, size_t max, char *dst, size_t cap, err_t *e);
int api_value_date(const mval_t *v, const char *key, date_t def, date_t *out, err_t *e);
/* JSON value v (NULL: absent) as a field's value; *out borrows its text. */
void api_value_of(json_t *v, mval_t *out);
/* Fails with an unknown_field detail per member of obj not in allowed
 * (NULL-ended); prefix ("into", "into[1]") names obj in the detail's field
 * ("into.extra"). */
int api_only(json_t *obj, const char *const *allowed, const char *prefix, err_t *e);
/* After collecting details: ERR_INVALID when there are any. */
int api_check_details(err_t *e);

#endif
