/*
 * server.c - the HTTP server (see api.h): limits, routing, one database
 * connection per worker thread, JSON and static responses.
 *
 * Limits are enforced before a handler runs: a body over API_BODY_MAX or a
 * query string over API_QUERY_MAX gets 413. Every API answer is JSON; an
 * error is {"error":{"code","message",<params>,"details"}} (error_json).
 * Anything outside /api/ and /healthz is the web app: its files are built
 * into the binary (or read from --web DIR during development), and unknown
 * paths without a file extension get index.html so that deep links work.
 */
#include "api/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api/auth.h"
#include "api/route.h"
#include "core/password.h"
#include "io/embedded.h"
#include "store/migrate.h"
#include "store/util.h"

typedef struct req_ctx {
	char *body;
	size_t len;
	bool too_large;
	char segs[512];  /* copies of the captured path segments */
} req_ctx_t;

/* ---- database connections: one per worker thread ---- */

static const char *g_db_url;
static const char *g_web_dir;
static bool g_secure_cookies;
static bool g_trust_proxy;
static bool g_quiet;
static pthread_mutex_t g_conns_lock = PTHREAD_MUTEX_INITIALIZER;
static db_t *g_conns[256];
static size_t g_n_conns;
static _Thread_local db_t *tls_db;

static db_t *thread_db(err_t *e)
{
	char msg[256];
	db_t *db = NULL;

	if (tls_db) {
		if (db_ensure_connected(tls_db) != DB_OK) {
			err_set(e, ERR_UNAVAILABLE, "store_unavailable", "%s", db_errmsg(tls_db));
			return NULL;
		}
		return tls_db;
	}
	if (db_open(g_db_url, &db, msg, sizeof(msg)) != DB_OK) {
		err_set(e, ERR_INTERNAL, "store_unavailable", "%s", msg);
		return NULL;
	}
	pthread_mutex_lock(&g_conns_lock);
	if (g_n_conns == sizeof(g_conns) / sizeof(g_conns[0])) {
		pthread_mutex_unlock(&g_conns_lock);
		db_close(db);
		err_fail(e, ERR_INTERNAL, "store_unavailable", "too many database connections");
		return NULL;
	}
	g_conns[g_n_conns++] = db;
	pthread_mutex_unlock(&g_conns_lock);
	tls_db = db;
	return db;
}

static void close_all_dbs(void)
{
	pthread_mutex_lock(&g_conns_lock);
	for (size_t i = 0; i < g_n_conns; i++)
		db_close(g_conns[i]);
	g_n_conns = 0;
	pthread_mutex_unlock(&g_conns_lock);
}

/* ---- responses ---- */

static enum MHD_Result send_buffer_h(struct MHD_Connection *conn, int status, const char *type,
				     const void *data, size_t len, enum MHD_ResponseMemoryMode mode,
				     const api_resp_t *extra)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free((void *)data);
		return MHD_NO;
	}
	if (extra && extra->set_cookie[0])
		MHD_add_response_header(r, "Set-Cookie", extra->set_cookie);
	if (extra && extra->retry_after > 0) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%d", extra->retry_after);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	/* no page of ours may be framed (clickjacking); the page's own policy
	 * is in its meta tag, this header adds what a meta tag cannot */
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy", "frame-ancestors 'none'");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	ret = MHD_queue_response(conn, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_buffer(struct MHD_Connection *conn, int status, const char *type,
				   const void *data, size_t len, enum MHD_ResponseMemoryMode mode)
{
	return send_buffer_h(conn, status, type, data, len, mode, NULL);
}

static enum MHD_Result send_json_h(struct MHD_Connection *conn, int status, json_t *body, const api_resp_t *extra)
{
	static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"details\":[]}}";
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	if (!text)
		return send_buffer(conn, 500, "application/json; charset=utf-8", oom, sizeof(oom) - 1,
				   MHD_RESPMEM_PERSISTENT);
	return send_buffer_h(conn, status, "application/json; charset=utf-8", text, strlen(text),
			     MHD_RESPMEM_MUST_FREE, extra);
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *body)
{
	return send_json_h(conn, status, body, NULL);
}

/* Adds the parameters to obj, beside its other members (err.h keeps their
 * names clear of code, message, field and details). */
static void add_params(json_t *obj, const err_param_t *p, int n)
{
	for (int i = 0; obj && i < n; i++)
		json_object_set_new(obj, p[i].name, p[i].type == ERR_PARAM_INT ? json_integer((json_int_t)p[i].num)
									: json_string(p[i].text));
}

/* {"error": {"code", "message", <params>..., "details": [{"field", "code",
 * "message", <params>...}]}}: the parameters are members of the object they
 * belong to (docs/api.md, "Errors"). */
static json_t *error_json(const err_t *e)
{
	json_t *details = json_array(), *err;

	for (int i = 0; details && i < e->n_details; i++) {
		const err_detail_t *d = &e->details[i];
		json_t *j = json_pack("{s:s, s:s, s:s}", "field", d->field, "code", d->code[0] ? d->code : "invalid",
				      "message", d->message);
		add_params(j, d->params, d->n_params);
		json_array_append_new(details, j);
	}
	err = json_pack("{s:s, s:s}", "code", e->code[0] ? e->code : err_kind_code(e->kind), "message", e->message);
	add_params(err, e->params, e->n_params);
	if (err)
		json_object_set_new(err, "details", details ? details : json_array());
	else
		json_decref(details);
	return err ? json_pack("{s:o}", "error", err) : NULL;
}

static enum MHD_Result send_error_h(struct MHD_Connection *conn, const err_t *e, const api_resp_t *extra)
{
	json_t *j = error_json(e);
	enum MHD_Result r = send_json_h(conn, err_http_status(e->kind), j, extra);
	json_decref(j);
	return r;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, const err_t *e)
{
	return send_error_h(conn, e, NULL);
}

static enum MHD_Result send_simple_error(struct MHD_Connection *conn, err_kind_t kind, const char *code,
					 const char *message)
{
	err_t e;
	err_clear(&e);
	err_fail(&e, kind, code, message);
	return send_error(conn, &e);
}

/* ---- static files ---- */

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".html"))
		return "text/html; charset=utf-8";
	if (!strcmp(dot, ".js") || !strcmp(dot, ".mjs"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".json"))
		return "application/json; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".png"))
		return "image/png";
	if (!strcmp(dot, ".ico"))
		return "image/x-icon";
	if (!strcmp(dot, ".webmanifest"))
		return "application/manifest+json";
	return "application/octet-stream";
}

/* Reads dir/rel into a malloc'd buffer; NULL when absent or unsafe. */
static char *read_disk_file(const char *dir, const char *rel, size_t *len)
{
	char path[1024];
	struct stat st;
	char *buf;
	FILE *f;

	if (strstr(rel, "..") || snprintf(path, sizeof(path), "%s/%s", dir, rel) >= (int)sizeof(path))
		return NULL;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)16 * 1024 * 1024)
		return NULL;
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[st.st_size] = '\0';
		*len = (size_t)st.st_size;
	}
	return buf;
}

static enum MHD_Result send_static(struct MHD_Connection *conn, const char *url)
{
	char name[600];
	const char *rel = url + 1;
	const embedded_file_t *f;

	if (!*rel)
		rel = "index.html";
	if (strlen(rel) > 500 || strstr(rel, ".."))
		return send_simple_error(conn, ERR_NOT_FOUND, "not_found", "no such file");
	/* deep links into the app: paths without an extension are the app */
	if (!strchr(strrchr(rel, '/') ? strrchr(rel, '/') : rel, '.'))
		rel = "index.html";
	if (strncmp(rel, "vendor/", 7) == 0) {
		snprintf(name, sizeof(name), "%s", rel);
	} else {
		if (g_web_dir) {
			size_t len = 0;
			char *data = read_disk_file(g_web_dir, rel, &len);
			if (data)
				return send_buffer(conn, 200, content_type(rel), data, len, MHD_RESPMEM_MUST_FREE);
			return send_simple_error(conn, ERR_NOT_FOUND, "not_found", "no such file");
		}
		snprintf(name, sizeof(name), "web/%s", rel);
	}
	f = embedded_find(name);
	if (!f)
		return send_simple_error(conn, ERR_NOT_FOUND, "not_found", "no such file");
	return send_buffer(conn, 200, content_type(rel), f->data, f->len, MHD_RESPMEM_PERSISTENT);
}

/* ---- routing ---- */

static const api_route_t *const ROUTE_TABLES[] = {
	API_UNIT_ROUTES, API_SESSION_ROUTES, API_USER_ROUTES, API_AUDIT_ROUTES, NULL,
};

static const api_route_t *find_route(const char *method, const char *url, req_ctx_t *ctx,
				     const char **params, bool *path_known)
{
	*path_known = false;
	for (int t = 0; ROUTE_TABLES[t]; t++)
		for (const api_route_t *r = ROUTE_TABLES[t]; r->method; r++) {
			const char *tmp[API_MAX_PARAMS] = {0};
			if (!api_route_match(r->pattern, url, ctx->segs, sizeof(ctx->segs), tmp))
				continue;
			*path_known = true;
			if (strcmp(r->method, method) == 0) {
				memcpy(params, tmp, sizeof(tmp));
				return r;
			}
		}
	return NULL;
}

/* The methods the routes matching url accept, as an Allow header value. */
static void allowed_methods(const char *url, req_ctx_t *ctx, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int t = 0; ROUTE_TABLES[t]; t++)
		for (const api_route_t *r = ROUTE_TABLES[t]; r->method; r++) {
			const char *tmp[API_MAX_PARAMS] = {0};
			if (api_route_match(r->pattern, url, ctx->segs, sizeof(ctx->segs), tmp) && !strstr(buf, r->method))
				len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", r->method);
			if (len >= cap)
				return;
		}
}

static enum MHD_Result send_method_not_allowed(struct MHD_Connection *conn, const char *method,
					       const char *url, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	err_t e;
	json_t *j;
	char *text;

	err_clear(&e);
	err_fail(&e, ERR_BAD_REQUEST, "method_not_allowed", "{method} is not allowed on {path}", ERR_STR("method", method),
		 ERR_STR("path", url));
	j = error_json(&e);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Allow", allow);
	ret = MHD_queue_response(conn, 405, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- the request cycle ---- */

typedef struct query_size {
	size_t total;
} query_size_t;

static enum MHD_Result add_query_size(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	query_size_t *q = cls;
	(void)kind;
	q->total += strlen(key) + 2 + (value ? strlen(value) : 0);
	return MHD_YES;
}

static enum MHD_Result handle_health(struct MHD_Connection *conn)
{
	err_t e;
	db_t *db;
	int version = 0;
	json_t *j;
	enum MHD_Result r;

	err_clear(&e);
	db = thread_db(&e);
	if (!db || migrate_version(db, &version, &e)) {
		json_t *body = json_pack("{s:s, s:s}", "status", "unavailable", "message", e.message);
		r = send_json(conn, 503, body);
		json_decref(body);
		return r;
	}
	j = json_pack("{s:s, s:i}", "status", "ok", "schema_version", version);
	r = send_json(conn, 200, j);
	json_decref(j);
	return r;
}

/*
 * A write that meets a concurrent writer (PostgreSQL serialisation failure,
 * SQLite lock after its busy timeout) failed as a whole and changed
 * nothing: run it again a few times, after a short random pause, before
 * answering 500 busy. A read whose database connection broke is run again
 * on a fresh connection (the next request of any kind gets one).
 */
/* A read runs in one snapshot: its queries see one state of the database
 * (a unit page never mixes a unit from before a merge with events from
 * after it), and on SQLite the read lock is taken once, not per query. */
static int run_route(const api_route_t *route, api_req_t *req, api_resp_t *resp, err_t *e)
{
	int rc;

	if (strcmp(req->method, "GET") != 0 || (route->flags & ROUTE_WRITES))
		return route->fn(req, resp, e);
	rc = db_begin_read(req->db);
	if (rc != DB_OK)
		return store_fail(req->db, rc, e);
	if (route->fn(req, resp, e)) {
		db_rollback(req->db);
		return -1;
	}
	rc = db_commit(req->db);
	return rc == DB_OK ? 0 : store_fail(req->db, rc, e);
}

static int run_handler(const api_route_t *route, api_req_t *req, api_resp_t *resp, err_t *e)
{
	for (int attempt = 0;; attempt++) {
		int rc;
		err_clear(e);
		resp->status = 200;
		resp->body = NULL;
		resp->set_cookie[0] = '\0';
		resp->retry_after = 0;
		rc = api_authenticate(req, !(route->flags & ROUTE_PUBLIC), e);
		if (rc == 0)
			rc = run_route(route, req, resp, e);
		if (rc != 0 && strcmp(e->code, "store_unavailable") == 0 && attempt < 4 &&
		    db_ensure_connected(req->db) == DB_OK && strcmp(req->method, "GET") == 0) {
			/* the connection broke (server restart, failover): a read
			 * runs again; a write answers 503, because the commit may
			 * have landed before the connection went */
			json_decref(resp->body);
			resp->body = NULL;
			continue;
		}
		if (rc == 0 || strcmp(e->code, "busy") != 0 || attempt == 4)
			return rc;
		json_decref(resp->body);
		resp->body = NULL;
		usleep((useconds_t)(1000 * (5 + (int)randombytes_uniform(20)) * (attempt + 1)));
	}
}

/*
 * A state-changing request must carry JSON (a plain HTML form cannot send
 * application/json across sites without a CORS preflight, which we never
 * grant) and must not come from another site's page (Origin,
 * Sec-Fetch-Site). This also stops log-in CSRF, which the CSRF token cannot:
 * there is no session yet.
 */
static int check_request_origin(struct MHD_Connection *conn, const char *method, size_t body_len, err_t *e)
{
	const char *type, *origin, *site, *host, *p;

	if (!strcmp(method, "GET") || !strcmp(method, "HEAD") || !strcmp(method, "OPTIONS"))
		return 0;
	type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	if (body_len > 0 && (!type || strncasecmp(type, "application/json", 16) != 0 ||
			     (type[16] != '\0' && type[16] != ';' && type[16] != ' ')))
		return err_fail(e, ERR_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json");
	site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site && strcmp(site, "cross-site") == 0)
		return err_fail(e, ERR_FORBIDDEN, "cross_origin", "requests from other sites are refused");
	origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	host = g_trust_proxy ? MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Host") : NULL;
	if (!host)
		host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	if (origin && strcmp(origin, "null") != 0) {
		p = strstr(origin, "://");
		if (!host || !p || strcasecmp(p + 3, host) != 0)
			return err_fail(e, ERR_FORBIDDEN, "cross_origin", "requests from other sites are refused");
	} else if (origin) {
		return err_fail(e, ERR_FORBIDDEN, "cross_origin", "requests from other sites are refused");
	}
	return 0;
}

/* Behind a trusted proxy: did the browser come over TLS? */
static bool forwarded_https(struct MHD_Connection *conn)
{
	const char *proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
	return proto && strcasecmp(proto, "https") == 0;
}

/*
 * One line per API request on stderr: time, client, caller, method, path
 * (never the query string, which may hold names being searched), status,
 * milliseconds.
 */
static void access_log(const api_req_t *req, int status, const struct timespec *t0)
{
	struct timespec t1;
	char at[32], path[256];
	time_t now = time(NULL);
	struct tm tm;

	if (g_quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (gmtime_r(&now, &tm))
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(at, sizeof(at), "-");
	/* the path is URL-decoded: control characters would forge lines */
	{
		size_t i = 0;
		for (const char *p = req->path; *p && i < sizeof(path) - 4; p++) {
			unsigned char c = (unsigned char)*p;
			if (c < 0x20 || c == 0x7f)
				i += (size_t)snprintf(path + i, sizeof(path) - i, "%%%02X", c);
			else
				path[i++] = (char)c;
		}
		path[i] = '\0';
	}
	fprintf(stderr, "%s %s %s %s %s %d %.1fms\n", at, req->client_addr,
		req->who.username[0] ? req->who.username : "-", req->method, path, status,
		(double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
}

static enum MHD_Result dispatch(struct MHD_Connection *conn, const char *url, const char *method,
				req_ctx_t *ctx)
{
	api_req_t req;
	api_resp_t resp;
	struct timespec t0;
	const api_route_t *route;
	bool known;
	err_t e;
	enum MHD_Result r;
	query_size_t qs = { 0 };

	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query_size, &qs);
	if (qs.total > API_QUERY_MAX)
		return send_simple_error(conn, ERR_TOO_LARGE, "too_large", "the query string is too long");
	if (ctx->too_large)
		return send_simple_error(conn, ERR_TOO_LARGE, "too_large", "the request body is too large (at most 64 KiB)");
	if (strcmp(url, "/healthz") == 0) {
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return send_method_not_allowed(conn, method, url, "GET, HEAD");
		return handle_health(conn);
	}
	if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0) {
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return send_method_not_allowed(conn, method, url, "GET, HEAD");
		return send_static(conn, url);
	}
	memset(&req, 0, sizeof(req));
	route = find_route(method, url, ctx, req.params, &known);
	if (!route) {
		err_clear(&e);
		if (known) {
			char allow[64];
			allowed_methods(url, ctx, allow, sizeof(allow));
			return send_method_not_allowed(conn, method, url, allow);
		}
		return send_simple_error(conn, ERR_NOT_FOUND, "not_found", "no such API endpoint");
	}
	err_clear(&e);
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	req.conn = conn;
	req.secure_cookies = g_secure_cookies || (g_trust_proxy && forwarded_https(conn));
	api_client_addr(conn, g_trust_proxy, req.client_addr, sizeof(req.client_addr));
	req.method = method;
	req.path = url;
	req.body = ctx->body ? ctx->body : "";
	req.body_len = ctx->len;
	req.today = date_today();
	if (api_check_utf8(&req, &e))
		return send_error(conn, &e);
	if (check_request_origin(conn, method, ctx->len, &e))
		return send_error(conn, &e);
	req.db = thread_db(&e);
	if (!req.db)
		return send_error(conn, &e);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (run_handler(route, &req, &resp, &e) != 0) {
		json_decref(resp.body);
		if (e.kind == ERR_NONE)
			err_fail(&e, ERR_INTERNAL, "internal", "the handler failed without saying why");
		if (e.kind == ERR_INTERNAL)
			fprintf(stderr, "unionbase: %s %s: %s\n", method, url, e.message);
		access_log(&req, err_http_status(e.kind), &t0);
		return send_error_h(conn, &e, &resp);
	}
	access_log(&req, resp.status, &t0);
	r = send_json_h(conn, resp.status, resp.body, &resp);
	json_decref(resp.body);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	req_ctx_t *ctx = *con_cls;
	(void)cls;
	(void)version;

	if (!ctx) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		*con_cls = ctx;
		if (cl && strtoull(cl, NULL, 10) > API_BODY_MAX)
			ctx->too_large = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!ctx->too_large && ctx->len + *upload_data_size <= API_BODY_MAX) {
			char *b = realloc(ctx->body, ctx->len + *upload_data_size + 1);
			if (!b)
				return MHD_NO;
			memcpy(b + ctx->len, upload_data, *upload_data_size);
			ctx->len += *upload_data_size;
			b[ctx->len] = '\0';
			ctx->body = b;
		} else {
			ctx->too_large = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(conn, url, method, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	req_ctx_t *ctx = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (ctx) {
		free(ctx->body);
		free(ctx);
		*con_cls = NULL;
	}
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, err_t *e)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end = NULL;
	long port;

	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return err_fail(e, ERR_INVALID, "invalid", "--listen wants HOST:PORT, e.g. 127.0.0.1:8080");
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return err_fail(e, ERR_INVALID, "invalid", "--listen: bad port '{value}'", ERR_STR("value", colon + 1));
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
		return err_fail(e, ERR_INVALID, "invalid", "--listen: '{value}' is not an IPv4 address", ERR_STR("value", host));
	return 0;
}

/* Each worker thread's malloc arena would otherwise hand its free top back
 * to the kernel (madvise) after nearly every request and fault the pages in
 * again on the next: 6% of the unit page's time under load, and 15-30% more
 * requests a second without it (BENCHMARKS.md). Up to 16 MiB per arena is
 * kept; an allocation of 1 MiB or more (a large tree's JSON) is mapped on its
 * own and returned when freed, so a rare large answer is not kept. A
 * refusal costs only speed. */
static void keep_heap_between_requests(void)
{
	(void)mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
	(void)mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
}

int api_serve(const api_options_t *opt, err_t *e)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	sigset_t set;
	db_t *db = NULL;
	char msg[256];
	int sig = 0;
	unsigned int threads = opt->threads > 0 ? (unsigned int)opt->threads : 8;

	if (parse_listen(opt->listen, &sa, e))
		return -1;
	keep_heap_between_requests();
	if (password_init() != 0)
		return err_fail(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	if (db_open(opt->db_url, &db, msg, sizeof(msg)) != DB_OK)
		return err_set(e, ERR_INTERNAL, "store_unavailable", "%s", msg);
	if (migrate_check(db, e)) {
		db_close(db);
		return -1;
	}
	db_close(db);
	g_db_url = opt->db_url;
	g_web_dir = opt->web_dir;
	g_secure_cookies = opt->secure_cookies;
	g_trust_proxy = opt->trust_proxy;
	g_quiet = opt->quiet;

	/* worker threads inherit this mask; the main thread waits for them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
			     on_request, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_THREAD_POOL_SIZE, threads,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
			     MHD_OPTION_END);
	if (!d)
		return err_set(e, ERR_INTERNAL, "listen_failed", "cannot listen on %s: %s", opt->listen,
			       strerror(errno));
	fprintf(stderr, "unionbase: serving http://%s/ (%u threads)\n", opt->listen, threads);
	if (sigwait(&set, &sig) != 0)
		sig = 0;
	fprintf(stderr, "unionbase: stopping\n");
	MHD_stop_daemon(d);
	close_all_dbs();
	return 0;
}
