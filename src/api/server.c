/*
 * server.c - the HTTP server (see api.h): limits, routing, one database
 * connection per thread that answers (see "lanes"), JSON and static responses.
 *
 * Limits are enforced before a handler runs: a body over API_BODY_MAX or a
 * query string over API_QUERY_MAX bytes or QUERY_PARAMS_MAX parameters gets
 * 413. Slow clients are bounded by libmicrohttpd's limits (connections in
 * all and per client address, an idle timeout) and by two deadlines that
 * activity does not move, kept by a watchdog thread: one for a request's
 * line and headers, one for its body (see "deadlines" below). Every API
 * answer is JSON; an
 * error is {"error":{"code","message",<params>,"details"}} (error_json).
 * Anything outside /api/ and /healthz is the web app: its files are built
 * into the binary (or read from --web DIR during development), and unknown
 * paths without a file extension get index.html so that deep links work.
 */
#include "api/answers.h"
#include "api/api.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api/auth.h"
#include "api/route.h"
#include "core/password.h"
#include "io/embedded.h"
#include "store/migrate.h"
#include "store/read_copy.h"
#include "store/util.h"

/* libmicrohttpd's threads, which read requests and send answers (the
 * handlers run in the lanes' threads, see "lanes"), at most. */
#define POLL_THREADS 2

/* A query string with more parameters than this is refused (413) before
 * libmicrohttpd parses it: see on_uri. */
#define QUERY_PARAMS_MAX 100

typedef struct req_ctx {
	char *body;
	size_t len;
	bool too_large;
	int upload_fd;             /* ROUTE_UPLOAD: the spool file being written, else -1 */
	char upload_path[512];     /* "" when none */
	unsigned long long upload_len;
	bool path_nul;   /* the raw path held %00 (on_uri): decoded, it is cut short */
	char segs[512];  /* copies of the captured path segments */
	/* a request handed to a lane (see "lanes"): its answer, kept until
	 * the connection is resumed and queued then */
	bool handed;
	struct MHD_Response *answer;
	unsigned int status;
	bool failed;     /* the lane could not make the answer: close */
	struct MHD_Connection *conn; /* while handed: what the lane answers */
	long long handed_ms;         /* when it was handed (now_ms) */
	const char *url, *method;
	struct req_ctx *next;        /* the lane's queue */
} req_ctx_t;

/* ---- database connections: one per thread that answers ---- */

static const char *g_db_url;
static const char *g_web_dir;
static bool g_secure_cookies;
static bool g_trust_proxy;
static const char *g_public_url;
static bool g_quiet;
static char g_spool[512];
static unsigned long long g_upload_max = 256ULL << 20;
static long long g_upload_ms = 600000;
static pthread_mutex_t g_conns_lock = PTHREAD_MUTEX_INITIALIZER;
static db_t *g_conns[256];
static size_t g_n_conns;
static _Thread_local db_t *tls_db;
static _Thread_local bool tls_reports; /* a thread of the reports' lane */
/* what the server keeps of the tree's answers (api/answers.h): 4 MiB of
 * JSON, some 1,000 unit pages */
#define ANSWERS_BUDGET (4u << 20)
static answers_t *g_answers;

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
	/* a page's reads run without parallel workers; a report may use them */
	if (!tls_reports && db_set_interactive(db) != DB_OK) {
		err_set(e, ERR_INTERNAL, "store_unavailable", "%s", db_errmsg(db));
		db_close(db);
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

/* ---- the read copy (serve --read-db): one connection per thread that answers ----
 *
 * A report goes to the copy only while read_copy_lag bounds its lag by
 * g_read_max_lag; when the copy cannot be reached, does not answer within
 * READ_COPY_PROBE_MS, is no replica of this database, lags more, or fails
 * the report (a query cancelled by a recovery conflict, a dropped
 * connection), the primary answers (the copy's trouble is logged once, and
 * again once it is over). */

/* How long a report waits for the copy to replay what the primary had
 * written when it came (read_copy_lag). */
#define READ_COPY_WAIT_MS 50
/* How long the copy may stay silent during that look before it counts as
 * hung (db_set_wait_limit); the report itself has no limit. */
#define READ_COPY_PROBE_MS 2000
/* libpq's limits for the copy's connection, unless its URL sets them: a
 * host that went away is found within seconds, not at TCP's own pace. */
static const char *const READ_COPY_CONN[] = { "connect_timeout=3", "keepalives_idle=10", "keepalives_interval=3",
					      "keepalives_count=3", "tcp_user_timeout=10000" };

static char g_read_url[1024];
static double g_read_max_lag = 10;
static atomic_bool g_read_trouble;
static _Thread_local db_t *tls_read_db;

static void read_copy_trouble(bool trouble, const char *why, const char *detail)
{
	if (atomic_exchange(&g_read_trouble, trouble) == trouble)
		return;
	if (trouble)
		fprintf(stderr, "unionbase: reports go to the primary: the read copy %s%s%s\n", why, detail ? ": " : "",
			detail ? detail : "");
	else
		fprintf(stderr, "unionbase: reports go to the read copy again\n");
}

/* url with READ_COPY_CONN's settings it lacks, into g_read_url. */
static int read_copy_url(const char *url, err_t *e)
{
	size_t len = (size_t)snprintf(g_read_url, sizeof(g_read_url), "%s", url);
	char sep = strchr(url, '?') ? '&' : '?';

	for (size_t i = 0; i < sizeof(READ_COPY_CONN) / sizeof(READ_COPY_CONN[0]) && len < sizeof(g_read_url); i++) {
		size_t key = strcspn(READ_COPY_CONN[i], "=") + 1;
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)key, READ_COPY_CONN[i]);
		if (strstr(url, name))
			continue;
		len += (size_t)snprintf(g_read_url + len, sizeof(g_read_url) - len, "%c%s", sep, READ_COPY_CONN[i]);
		sep = '&';
	}
	if (len >= sizeof(g_read_url))
		return err_fail(e, ERR_INVALID, "invalid", "--read-db: the URL is too long");
	return 0;
}

static db_t *thread_read_db(void)
{
	char msg[256];
	db_t *db = NULL;

	if (tls_read_db) {
		if (db_ensure_connected(tls_read_db) == DB_OK)
			return tls_read_db;
		read_copy_trouble(true, "cannot be reached", db_errmsg(tls_read_db));
		return NULL;
	}
	if (db_open(g_read_url, &db, msg, sizeof(msg)) != DB_OK) {
		read_copy_trouble(true, "cannot be reached", msg);
		return NULL;
	}
	pthread_mutex_lock(&g_conns_lock);
	if (g_n_conns == sizeof(g_conns) / sizeof(g_conns[0])) {
		pthread_mutex_unlock(&g_conns_lock);
		db_close(db);
		return NULL;
	}
	g_conns[g_n_conns++] = db;
	pthread_mutex_unlock(&g_conns_lock);
	tls_read_db = db;
	return db;
}

/* The read copy's connection when a report may be read there now (its lag
 * into resp), else NULL: the primary answers (a failure of the primary's
 * own is the report's to meet). */
static db_t *fresh_read_copy(api_req_t *req, api_resp_t *resp)
{
	db_t *copy = g_read_url[0] ? thread_read_db() : NULL;
	read_copy_t rc;
	int r;
	err_t e;

	if (!copy)
		return NULL;
	err_clear(&e);
	db_set_wait_limit(copy, READ_COPY_PROBE_MS);
	r = read_copy_lag(req->primary, copy, READ_COPY_WAIT_MS, &rc, &e);
	db_set_wait_limit(copy, 0);
	if (r) {
		if (rc.copy_failed)
			read_copy_trouble(true, "cannot be reached", e.message);
		return NULL;
	}
	if (!rc.usable || rc.lag > g_read_max_lag) {
		read_copy_trouble(true, rc.usable ? "lags more than --read-max-lag" : rc.why, NULL);
		return NULL;
	}
	read_copy_trouble(false, NULL, NULL);
	resp->from_read_copy = true;
	resp->read_copy_lag = rc.lag;
	return copy;
}

/* Checks --read-db once at the start: PostgreSQL, reachable, a replica
 * of --db, and of this schema. A copy that fails later is passed by
 * (fresh_read_copy). */
static int open_read_copy(const api_options_t *opt, err_t *e)
{
	db_t *primary = NULL, *copy = NULL;
	read_copy_t rc = { 0 };
	char msg[256];
	int r = -1;

	g_read_url[0] = '\0';
	if (!opt->read_db_url)
		return 0;
	if (opt->read_max_lag > 0)
		g_read_max_lag = opt->read_max_lag;
	if (db_open(opt->db_url, &primary, msg, sizeof(msg)) != DB_OK)
		return err_set(e, ERR_INTERNAL, "store_unavailable", "%s", msg);
	if (db_dialect(primary) != DB_POSTGRESQL || strncmp(opt->read_db_url, "postgres", 8) != 0) {
		db_close(primary);
		return err_fail(e, ERR_INVALID, "invalid", "--read-db is a PostgreSQL streaming replica of a PostgreSQL --db");
	}
	if (read_copy_url(opt->read_db_url, e)) {
		db_close(primary);
		return -1;
	}
	if (db_open(g_read_url, &copy, msg, sizeof(msg)) != DB_OK)
		err_set(e, ERR_INTERNAL, "store_unavailable", "--read-db: %s", msg);
	else if (!migrate_check(copy, e) && !read_copy_lag(primary, copy, 1000, &rc, e)) {
		if (!rc.usable)
			err_set(e, ERR_INVALID, "invalid", "--read-db is not a streaming replica of --db: it %s", rc.why);
		else
			r = 0;
	}
	db_close(copy);
	db_close(primary);
	if (r) {
		g_read_url[0] = '\0';
		return -1;
	}
	fprintf(stderr, "unionbase: reports from the read copy while it lags at most %.0f s (now %.1f s)\n",
		g_read_max_lag, rc.lag);
	return 0;
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

/* An answer read from the read copy says how far behind it may be: the
 * web app shows it beside the figures (docs/operations.md). */
static void add_read_copy_headers(struct MHD_Response *r, const api_resp_t *resp)
{
	char v[32];

	if (!resp || !resp->from_read_copy)
		return;
	snprintf(v, sizeof(v), "%.1f", resp->read_copy_lag);
	MHD_add_response_header(r, "Unionbase-Read-Copy-Lag", v);
	snprintf(v, sizeof(v), "%.0f", g_read_max_lag);
	MHD_add_response_header(r, "Unionbase-Read-Copy-Max-Lag", v);
}

/* Sent with every answer of ours: no page of ours may be framed
 * (clickjacking); the page's own policy is in its meta tag, these headers
 * add what a meta tag cannot. */
static const char *const SECURITY_HEADERS[][2] = {
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
	{ "Content-Security-Policy", "frame-ancestors 'none'" },
	{ "Cache-Control", "no-cache" },
};

static void add_common_headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	for (size_t i = 0; i < sizeof(SECURITY_HEADERS) / sizeof(SECURITY_HEADERS[0]); i++)
		MHD_add_response_header(r, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
}

/* A lane's thread keeps its answer in the request (lane_run) instead. */
static _Thread_local req_ctx_t *tls_handed;

/* Queues r, or keeps it for a request handed to a lane, and gives r up. */
static enum MHD_Result answer(struct MHD_Connection *conn, unsigned int status, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (tls_handed) {
		tls_handed->answer = r;
		tls_handed->status = status;
		return MHD_YES;
	}
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

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
	add_read_copy_headers(r, extra);
	add_common_headers(r, type);
	ret = answer(conn, (unsigned int)status, r);
	return ret;
}

/* An answer that is not JSON (api_resp_t.text), with its page's own
 * Content-Security-Policy beside ours (both hold). Frees the text. */
static enum MHD_Result send_text(struct MHD_Connection *conn, api_resp_t *resp)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(resp->text), resp->text, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(resp->text);
		resp->text = NULL;
		return MHD_NO;
	}
	resp->text = NULL;
	if (resp->retry_after > 0) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%d", resp->retry_after);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	if (resp->csp[0])
		MHD_add_response_header(r, "Content-Security-Policy", resp->csp);
	MHD_add_response_header(r, "Vary", "Accept");
	add_read_copy_headers(r, resp);
	add_common_headers(r, resp->content_type ? resp->content_type : "text/plain; charset=utf-8");
	ret = answer(conn, (unsigned int)resp->status, r);
	return ret;
}

/* A download: the open file resp->file_fd, from its start to its end
 * (libmicrohttpd reads it as it sends and closes it). */
static enum MHD_Result send_file(struct MHD_Connection *conn, api_resp_t *resp)
{
	struct stat st;
	struct MHD_Response *r = NULL;
	enum MHD_Result ret;

	if (fstat(resp->file_fd, &st) == 0)
		r = MHD_create_response_from_fd64((uint64_t)st.st_size, resp->file_fd);
	if (!r) {
		close(resp->file_fd);
		return MHD_NO;
	}
	if (resp->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", resp->disposition);
	add_read_copy_headers(r, resp);
	add_common_headers(r, resp->content_type ? resp->content_type : "application/octet-stream");
	ret = answer(conn, (unsigned int)resp->status, r);
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
	char *text = body ? json_dumps(body, JSON_COMPACT | API_JSON_REAL) : NULL;

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
	API_UNIT_ROUTES,   API_SESSION_ROUTES, API_USER_ROUTES,	  API_AUDIT_ROUTES,
	API_MEMBER_ROUTES, API_CARD_ROUTES,    API_IMPORT_ROUTES, API_EXPORT_ROUTES, API_REPORT_ROUTES, API_TARGET_ROUTES, NULL,
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
	text = j ? json_dumps(j, JSON_COMPACT | API_JSON_REAL) : NULL;
	json_decref(j);
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	add_common_headers(r, "application/json; charset=utf-8");
	MHD_add_response_header(r, "Allow", allow);
	ret = answer(conn, 405, r);
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
/* A handler runs in one transaction when it needs one. A GET reads one
 * snapshot: its queries see one state of the database (a unit page never
 * mixes a unit from before a merge with events from after it), and SQLite
 * takes its read lock once, not per query. A ROUTE_LOCKED route holds the
 * writers' lock from before its first check: two requests, each allowed
 * alone, cannot combine into what neither may do (a role given and a unit
 * changed at once). Other writes open their own transactions in the store. */
/* A report on the read copy: one snapshot there; its writes (an audit row)
 * go to req->primary. */
static int run_on_copy(const api_route_t *route, api_req_t *req, db_t *copy, api_resp_t *resp, err_t *e)
{
	int rc = db_begin_read(copy), r;

	if (rc != DB_OK)
		return store_fail(copy, rc, e);
	req->db = copy;
	r = route->fn(req, resp, e);
	req->db = req->primary;
	if (r) {
		db_rollback(copy);
		return -1;
	}
	rc = db_commit(copy);
	if (rc == DB_OK)
		return 0;
	if (resp->has_file) {
		close(resp->file_fd);
		resp->has_file = false;
	}
	return store_fail(copy, rc, e);
}

/* Whether a report failed because of the copy rather than the request: a
 * query cancelled by a recovery conflict (busy), a connection that broke
 * or a copy that went silent. The primary then answers it. */
static bool copy_failure(const err_t *e)
{
	return strcmp(e->code, "busy") == 0 || strcmp(e->code, "store_unavailable") == 0;
}

static void clear_answer(api_resp_t *resp)
{
	json_decref(resp->body);
	resp->body = NULL;
	free(resp->text);
	resp->text = NULL;
	if (resp->has_file)
		close(resp->file_fd);
	resp->has_file = false;
	resp->disposition[0] = '\0';
	resp->content_type = NULL;
	resp->status = 200;
	resp->from_read_copy = false;
}

static int run_route(const api_route_t *route, api_req_t *req, api_resp_t *resp, err_t *e)
{
	db_t *copy = (route->flags & ROUTE_READ_COPY) ? fresh_read_copy(req, resp) : NULL;
	int rc;

	if (copy) {
		if (!run_on_copy(route, req, copy, resp, e))
			return 0;
		if (!copy_failure(e))
			return -1;
		read_copy_trouble(true, "failed a report", e->message);
		clear_answer(resp);
		err_clear(e);
	}
	if (route->flags & ROUTE_LOCKED)
		rc = db_begin(req->db);
	else if (strcmp(req->method, "GET") == 0 && !(route->flags & ROUTE_WRITES))
		rc = db_begin_read(req->db);
	else
		return route->fn(req, resp, e);
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
		free(resp->text);
		resp->text = NULL;
		resp->content_type = NULL;
		resp->csp[0] = '\0';
		resp->has_file = false;
		resp->disposition[0] = '\0';
		resp->from_read_copy = false;
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

/* A Host header fit to be written into a URL: a name or address and a
 * port, nothing else. */
static bool plain_host(const char *h)
{
	size_t n = h ? strlen(h) : 0;
	return n > 0 && n <= 255 &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

void api_public_base(const api_req_t *req, char *buf, size_t cap)
{
	const char *host = NULL;
	bool https = g_secure_cookies;
	size_t n;

	if (g_public_url && *g_public_url) {
		snprintf(buf, cap, "%s", g_public_url);
		n = strlen(buf);
		while (n > 0 && buf[n - 1] == '/')
			buf[--n] = '\0';
		return;
	}
	if (g_trust_proxy) {
		host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-Host");
		https = https || forwarded_https(req->conn);
	}
	if (!plain_host(host))
		host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Host");
	snprintf(buf, cap, "%s://%s", https ? "https" : "http", plain_host(host) ? host : "localhost");
}

/*
 * A field of the access log: printable ASCII as it is, every other byte
 * (controls, which would forge lines; spaces, which would shift fields;
 * bytes of UTF-8 or of no encoding at all, which a log reader might
 * interpret) and '%' itself as %XX, so the line is plain ASCII and the
 * bytes can be read back. Cut at cap, never in the middle of an escape;
 * "-" when empty.
 */
static void log_field(char *out, size_t cap, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p && i + 4 <= cap; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '%') {
			out[i++] = (char)*p;
		} else {
			out[i++] = '%';
			out[i++] = hex[*p >> 4];
			out[i++] = hex[*p & 15];
		}
	}
	if (i == 0 && cap > 1)
		out[i++] = '-';
	out[i] = '\0';
}

static void log_line(const char *client, const char *user, const char *method, const char *url, int status,
		     const struct timespec *t0)
{
	struct timespec t1;
	char at[32], addr[200], who[200], meth[64], path[256];
	time_t now = time(NULL);
	struct tm tm;

	if (g_quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (gmtime_r(&now, &tm))
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(at, sizeof(at), "-");
	log_field(addr, sizeof(addr), client);
	log_field(who, sizeof(who), user);
	log_field(meth, sizeof(meth), method);
	log_field(path, sizeof(path), url);
	fprintf(stderr, "%s %s %s %s %s %d %.1fms\n", at, addr, who, meth, path, status,
		(double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
}

/*
 * One line per API request on stderr: time, client, caller, method, path
 * (URL-decoded, never the query string, which may hold names being
 * searched), status, milliseconds. Each field goes through log_field.
 */
static void access_log(const api_req_t *req, int status, const struct timespec *t0)
{
	log_line(req->client_addr, req->who.username, req->method, req->path, status, t0);
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
	/* the API, and the one page of ours that is not the web app: a card's
	 * verification (/verify/{token}, public, through the API's routes) */
	if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0 && strncmp(url, "/verify/", 8) != 0) {
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return send_method_not_allowed(conn, method, url, "GET, HEAD");
		return send_static(conn, url);
	}
	memset(&req, 0, sizeof(req));
	err_clear(&e);
	req.conn = conn;
	req.secure_cookies = g_secure_cookies || (g_trust_proxy && forwarded_https(conn));
	api_client_addr(conn, g_trust_proxy, req.client_addr, sizeof(req.client_addr));
	req.method = method;
	req.path = url;
	req.path_nul = ctx->path_nul;
	req.answers = g_answers;
	req.body = ctx->body ? ctx->body : "";
	req.body_len = ctx->len;
	req.upload_path = ctx->upload_path[0] ? ctx->upload_path : NULL;
	req.upload_size = ctx->upload_len;
	req.today = date_today();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* text that is not UTF-8 is refused before anything reads it, the route
	 * table included (a 405 used to echo such a path) */
	if (api_check_utf8(&req, &e)) {
		access_log(&req, err_http_status(e.kind), &t0);
		return send_error(conn, &e);
	}
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
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	/* refused before the handler: logged like any other answer */
	if ((route->flags & ROUTE_UPLOAD) && !req.upload_path)
		/* the route's file did not arrive (a body of JSON is no file) */
		err_fail(&e, ERR_MEDIA_TYPE, "unsupported_media_type", "send the file as application/octet-stream");
	if (e.kind || check_request_origin(conn, method, (route->flags & ROUTE_UPLOAD) ? 0 : ctx->len, &e) ||
	    !(req.db = req.primary = thread_db(&e))) {
		access_log(&req, err_http_status(e.kind), &t0);
		return send_error(conn, &e);
	}
	if (run_handler(route, &req, &resp, &e) != 0) {
		json_decref(resp.body);
		free(resp.text);
		if (e.kind == ERR_NONE)
			err_fail(&e, ERR_INTERNAL, "internal", "the handler failed without saying why");
		if (e.kind == ERR_INTERNAL)
			fprintf(stderr, "unionbase: %s %s: %s\n", method, url, e.message);
		access_log(&req, err_http_status(e.kind), &t0);
		return send_error_h(conn, &e, &resp);
	}
	access_log(&req, resp.status, &t0);
	if (resp.has_file)
		return send_file(conn, &resp);
	if (resp.text)
		return send_text(conn, &resp);
	r = send_json_h(conn, resp.status, resp.body, &resp);
	json_decref(resp.body);
	return r;
}

/* ---- deadlines ----
 *
 * libmicrohttpd's connection timeout is an idle timeout: every byte
 * received starts it again, so a client that sends one header line every
 * few seconds (or one body byte) keeps a connection for ever. So each
 * connection also has a deadline that activity does not move:
 *
 *   - from the moment it opens, or has sent its last answer, the next
 *     request's line and headers must arrive within g_header_ms (a kept-
 *     alive connection that stays idle longer is closed too);
 *   - from the end of the headers, the body must arrive within g_body_ms;
 *   - while the handler runs and the answer is sent there is none (the idle
 *     timeout still closes a client that stops reading).
 *
 * libmicrohttpd offers no deadline of this kind and no way to close a
 * connection from outside its own callbacks, which are not called while a
 * request trickles in. So a watchdog thread shuts down (shutdown(2)) the
 * socket of a connection past its deadline; the worker thread that owns it
 * then reads end-of-file and closes it as it would any connection the
 * client dropped. The list of connections is kept from
 * MHD_OPTION_NOTIFY_CONNECTION; libmicrohttpd calls it (CLOSED) before it
 * closes the socket, and the watchdog shuts sockets down only under the
 * list's lock, so it never touches a descriptor that has been reused.
 */
typedef struct conn_watch {
	struct conn_watch *prev, *next;
	int fd;
	atomic_llong deadline; /* CLOCK_MONOTONIC milliseconds; 0: none */
	bool shut;             /* shut down by the watchdog (under g_watch_lock) */
} conn_watch_t;

static pthread_mutex_t g_watch_lock = PTHREAD_MUTEX_INITIALIZER;
static conn_watch_t *g_watch_head;
static atomic_bool g_watch_stop;
static long long g_header_ms = 10000, g_body_ms = 30000;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static conn_watch_t *watch_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* The connection's deadline: ms from now, or none (0). */
static void set_deadline(struct MHD_Connection *conn, long long ms)
{
	conn_watch_t *w = watch_of(conn);
	if (w)
		atomic_store(&w->deadline, ms ? now_ms() + ms : 0);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	conn_watch_t *w;
	(void)cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = calloc(1, sizeof(*w));
		if (!w || !ci) {
			free(w); /* no deadline for this one: only the idle timeout */
			return;
		}
		w->fd = ci->connect_fd;
		atomic_init(&w->deadline, now_ms() + g_header_ms);
		pthread_mutex_lock(&g_watch_lock);
		w->next = g_watch_head;
		if (g_watch_head)
			g_watch_head->prev = w;
		g_watch_head = w;
		pthread_mutex_unlock(&g_watch_lock);
		*socket_context = w;
		return;
	}
	w = *socket_context;
	if (!w)
		return;
	pthread_mutex_lock(&g_watch_lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		g_watch_head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&g_watch_lock);
	free(w);
	*socket_context = NULL;
}

/* Every 100 ms: shuts down the connections past their deadline. Says how
 * many on stderr, at most once every 10 s (an attack would flood the log). */
static void *watchdog(void *arg)
{
	const struct timespec tick = { 0, 100000000L }; /* 100 ms */
	long long reported = 0;
	unsigned long closed = 0;
	(void)arg;

	while (!atomic_load(&g_watch_stop)) {
		long long now;
		nanosleep(&tick, NULL);
		now = now_ms();
		pthread_mutex_lock(&g_watch_lock);
		for (conn_watch_t *w = g_watch_head; w; w = w->next) {
			long long d = atomic_load(&w->deadline);
			if (!w->shut && d != 0 && now >= d) {
				(void)shutdown(w->fd, SHUT_RDWR);
				w->shut = true;
				closed++;
			}
		}
		pthread_mutex_unlock(&g_watch_lock);
		if (closed && now - reported >= 10000) {
			fprintf(stderr, "unionbase: closed %lu connection(s) that did not send a request in time\n", closed);
			closed = 0;
			reported = now;
		}
	}
	return NULL;
}

/*
 * Called by libmicrohttpd as soon as a request line has arrived, before it
 * parses the query string into its connection's memory pool (64 KiB). A
 * query of about 600 parameters or more fills that pool, and libmicrohttpd
 * 0.9.75 then drops the connection without the 431 it means to send. So a
 * query over QUERY_PARAMS_MAX parameters or API_QUERY_MAX bytes is refused
 * here, with the 413 any oversize query gets: libmicrohttpd cannot queue an
 * answer before the headers, so this one is written to the socket directly
 * (a request line is parsed only once the previous answer has been sent,
 * so nothing of libmicrohttpd's is interleaved), and the socket is shut
 * for writing, which ends the connection whatever libmicrohttpd does next.
 * Returns the request's first context (on_request's *con_cls): NULL, or
 * &g_refused for a request answered here. Nothing is allocated here: when
 * it fills its pool, libmicrohttpd 0.9.75 closes the connection without
 * calling on_completed, which would leak it.
 */
static void answer_raw(struct MHD_Connection *conn, int status, const char *reason, const err_t *e)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	json_t *j = error_json(e);
	char *body = j ? json_dumps(j, JSON_COMPACT | API_JSON_REAL) : NULL;
	char head[1024], date[64] = "";
	time_t now = time(NULL);
	struct tm tm;
	size_t n, sent = 0;

	json_decref(j);
	if (!ci || !body) {
		free(body);
		return;
	}
	if (gmtime_r(&now, &tm))
		snprintf(date, sizeof(date), "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n", days[tm.tm_wday % 7],
			 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	n = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n%sConnection: close\r\n"
				 "Content-Type: application/json; charset=utf-8\r\n", status, reason, date);
	for (size_t i = 0; i < sizeof(SECURITY_HEADERS) / sizeof(SECURITY_HEADERS[0]) && n < sizeof(head); i++)
		n += (size_t)snprintf(head + n, sizeof(head) - n, "%s: %s\r\n", SECURITY_HEADERS[i][0],
				      SECURITY_HEADERS[i][1]);
	if (n < sizeof(head))
		n += (size_t)snprintf(head + n, sizeof(head) - n, "Content-Length: %zu\r\n\r\n", strlen(body));
	if (n < sizeof(head)) {
		/* a fresh socket's send buffer holds this at once; if not, the
		 * client gets what fitted and the connection ends */
		while (sent < n) {
			ssize_t k = send(ci->connect_fd, head + sent, n - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (k <= 0)
				break;
			sent += (size_t)k;
		}
		if (sent == n)
			(void)send(ci->connect_fd, body, strlen(body), MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	(void)shutdown(ci->connect_fd, SHUT_WR);
	free(body);
}

static req_ctx_t g_refused;
static req_ctx_t g_path_nul; /* on_uri's mark; on_request makes the context */

/* Whether the raw path (before '?') holds "%00": libmicrohttpd decodes it
 * into a C string, which the NUL would cut short without a word
 * ("/api/v1/units/01%00x" read unit 01). */
static bool path_has_nul(const char *uri, const char *q)
{
	size_t len = q ? (size_t)(q - uri) : strlen(uri);

	for (size_t i = 0; i + 2 < len; i++)
		if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
			return true;
	return false;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const char *q = uri ? strchr(uri, '?') : NULL;
	void *mark = uri && path_has_nul(uri, q) ? &g_path_nul : NULL;
	size_t params = 1;
	(void)cls;

	if (!q)
		return mark;
	for (const char *p = q + 1; *p; p++)
		params += *p == '&';
	if (strlen(q + 1) > API_QUERY_MAX || params > QUERY_PARAMS_MAX) {
		char path[600];
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		char client[64] = "-";
		struct timespec t0;
		err_t e;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		err_clear(&e);
		err_set(&e, ERR_TOO_LARGE, "too_large", "the query string is too long (at most %d bytes and %d parameters)",
			API_QUERY_MAX, QUERY_PARAMS_MAX);
		answer_raw(conn, 413, "Content Too Large", &e);
		if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, client,
				  sizeof(client));
		snprintf(path, sizeof(path), "%.*s", (int)(q - uri), uri);
		MHD_http_unescape(path); /* as libmicrohttpd decodes the paths of the others */
		log_line(client, NULL, NULL, path, 413, &t0);
		return &g_refused;
	}
	return mark;
}

/* ---- uploads ----
 *
 * A ROUTE_UPLOAD route's body is a file, as large as upload_max_mb, so it
 * is not gathered in memory: its sender is checked when the headers have
 * arrived (authenticated, holding record.write, from our own pages, the
 * file's type and size declared), then each piece is written to a file of
 * the spool folder as it arrives, within the upload's deadline. */

static bool is_upload(struct MHD_Connection *conn, const char *url, const char *method, req_ctx_t *ctx)
{
	const char *params[API_MAX_PARAMS];
	const api_route_t *r;
	bool known;

	(void)conn;
	if (strncmp(url, "/api/", 5) != 0)
		return false;
	r = find_route(method, url, ctx, params, &known);
	return r && (r->flags & ROUTE_UPLOAD);
}

/* The sender of an upload, checked before its body is read. */
static int check_uploader(struct MHD_Connection *conn, const char *url, const char *method, const char *cl,
			  err_t *e)
{
	const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	api_req_t req;

	if (check_request_origin(conn, method, 0, e))
		return -1;
	memset(&req, 0, sizeof(req));
	req.conn = conn;
	req.method = method;
	req.path = url;
	req.body = "";
	req.today = date_today();
	api_client_addr(conn, g_trust_proxy, req.client_addr, sizeof(req.client_addr));
	if (!(req.db = req.primary = thread_db(e)) || api_authenticate(&req, true, e) ||
	    api_require(&req, PERM_RECORD_WRITE, e))
		return -1;
	if (!type || strncasecmp(type, "application/octet-stream", 24) != 0)
		return err_fail(e, ERR_MEDIA_TYPE, "unsupported_media_type", "send the file as application/octet-stream");
	if (!cl)
		return err_fail(e, ERR_BAD_REQUEST, "length_required", "give the file's size (Content-Length)");
	if (strtoull(cl, NULL, 10) > g_upload_max)
		return err_fail(e, ERR_TOO_LARGE, "too_large", "the file is larger than {max} MiB",
				ERR_INT("max", (long long)(g_upload_max >> 20)));
	return 0;
}

static enum MHD_Result start_upload(struct MHD_Connection *conn, const char *url, const char *method, req_ctx_t *ctx,
				    const char *cl)
{
	err_t e;

	err_clear(&e);
	if (check_uploader(conn, url, method, cl, &e)) {
		ctx->too_large = true; /* nothing of the body is taken */
		set_deadline(conn, 0);
		return send_error(conn, &e);
	}
	snprintf(ctx->upload_path, sizeof(ctx->upload_path), "%s/upload-XXXXXX", g_spool);
	ctx->upload_fd = mkstemp(ctx->upload_path);
	if (ctx->upload_fd < 0) {
		fprintf(stderr, "unionbase: cannot create a file in %s: %s\n", g_spool, strerror(errno));
		ctx->upload_path[0] = '\0';
		ctx->too_large = true;
		set_deadline(conn, 0);
		return send_simple_error(conn, ERR_INTERNAL, "internal", "the file cannot be kept");
	}
	set_deadline(conn, g_upload_ms);
	return MHD_YES;
}

/* Writes a piece of an upload; past the limit (a sender that lied about
 * the size) the rest is read and dropped, and the answer is 413. */
static void take_upload(req_ctx_t *ctx, const char *data, size_t len)
{
	if (ctx->too_large || ctx->upload_len == ULLONG_MAX)
		return;
	if (ctx->upload_len + len > g_upload_max) {
		ctx->too_large = true;
		return;
	}
	while (len) {
		ssize_t w = write(ctx->upload_fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ctx->upload_len = ULLONG_MAX; /* the disk is full, or worse */
			return;
		}
		data += w;
		len -= (size_t)w;
		ctx->upload_len += (unsigned long long)w;
	}
}

const char *api_spool_dir(void)
{
	return g_spool;
}

const char *api_db_url(void)
{
	return g_db_url;
}

/* A PostgreSQL database's own name for a folder: its host, port and name
 * from the URL (never the user or password), other characters as '_', so
 * that servers of different databases never share job folders. */
static const char *pg_spool_name(const char *url, char *buf, size_t cap)
{
	const char *at = strrchr(url, '@'), *from = at ? at + 1 : strstr(url, "://");
	size_t n = 0;

	from = from ? from + (at ? 0 : 3) : url;
	for (; *from && *from != '?' && n + 1 < cap; from++)
		buf[n++] = isalnum((unsigned char)*from) || *from == '.' || *from == '-' ? *from : '_';
	buf[n] = '\0';
	return buf;
}

/* The spool folder holds members' files: in a shared folder such as /tmp
 * someone else could have made it first (or a link by its name) to read
 * them. It must be a folder of ours, not a link, that no one else may
 * enter. */
static int check_spool(err_t *e)
{
	struct stat st;
	const char *why = NULL;

	if (lstat(g_spool, &st) != 0)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a folder (a link or a file)";
	else if (st.st_uid != geteuid())
		why = "it belongs to another user";
	else if (st.st_mode & 077)
		why = "others may enter it (chmod 700)";
	if (why)
		return err_fail(e, ERR_INTERNAL, "spool", "the spool folder {path} cannot be used: {reason}",
				ERR_STR("path", g_spool), ERR_STR("reason", why));
	return 0;
}

/* The spool folder: given, or beside a SQLite database, or in $TMPDIR;
 * created (0700) when missing. */
static int make_spool(const api_options_t *opt, err_t *e)
{
	const char *tmp = getenv("TMPDIR");
	char name[256];

	if (opt->spool_dir)
		snprintf(g_spool, sizeof(g_spool), "%s", opt->spool_dir);
	else if (strncmp(opt->db_url, "postgres", 8) != 0)
		snprintf(g_spool, sizeof(g_spool), "%s.imports",
			 strncmp(opt->db_url, "sqlite:", 7) == 0 ? opt->db_url + 7 : opt->db_url);
	else
		snprintf(g_spool, sizeof(g_spool), "%s/unionbase-imports-%s", tmp && *tmp ? tmp : "/tmp",
			 pg_spool_name(opt->db_url, name, sizeof(name)));
	if (mkdir(g_spool, 0700) != 0 && errno != EEXIST)
		return err_fail(e, ERR_INTERNAL, "spool", "cannot create the spool folder {path}: {reason}",
				ERR_STR("path", g_spool), ERR_STR("reason", strerror(errno)));
	return check_spool(e);
}

/* ---- lanes ----
 *
 * libmicrohttpd's threads each poll many connections and, before the
 * lanes, ran each request's handler themselves: a handler that waited (a
 * write for the write lock, a report counting a large commune) held up
 * every other connection of its thread. Under the month-end mix (13
 * writing connections of 64, 8 threads) nearly every thread had a writer
 * waiting its turn, and a search that took 3 ms alone took 300 ms.
 *
 * Now a request to the API, once received whole, is suspended
 * (MHD_suspend_connection) and handed to one of four lanes, each a queue
 * served in order by threads of its own:
 *   - searches (a GET of a ROUTE_SEARCH route with a non-empty q: the
 *     names an officer types), LANE_SEARCH_THREADS: they do not wait
 *     behind the unit pages and lists queued in the readers' lane;
 *   - reads (GET, HEAD): --threads threads;
 *   - reports (the routes marked ROUTE_READ_COPY: statistics, report
 *     forms, exports), LANE_REPORT_THREADS: a national report cannot take
 *     every thread from the officers' pages and searches;
 *   - writes (any other method, and the GETs that write: a member's page
 *     with its audit row, a card's check with its throttle note),
 *     LANE_WRITE_THREADS: writes take their turns for the one write lock
 *     anyway; a second thread does a write's work before the lock (its
 *     checks, a password's hash) meanwhile.
 * When the processor is short, the lanes' threads stand back for it in
 * turn (LANE_NICE): searches and writes first (a write holds the one
 * write lock: a writer slowed would hold up every other), then reads and
 * reports. Under the month-end mix at 1,000,000 members the search
 * probe's median fell from about 40 to 20 ms; the unit pages, lists and
 * reports answered fewer (BENCHMARKS.md 2026-12-04).
 * A lane's thread runs the handler as before and keeps the answer in the
 * request (not if the request waited a second or more and its client has
 * gone meanwhile); the connection is resumed, and libmicrohttpd's thread queues
 * the answer (on_request). The web app's files are answered at once, by
 * libmicrohttpd's threads; /healthz reads the store, and a store that
 * stalls (a failover) must not stop those threads: it is a read.
 */
#define LANE_REPORT_THREADS 2
#define LANE_WRITE_THREADS 2
#define LANE_SEARCH_THREADS 4
#define LANE_THREADS_MAX 128 /* serve --threads at most */
/* A request that waited this long in its lane is run only if its client
 * is still there: a client that gave up may have sent the write again,
 * and running both would make it twice. */
#define LANE_CHECK_MS 1000

/* The client closed its end of conn, or the connection failed: a peek
 * finds the end of the stream (a pipelined next request is data, not an
 * end). */
static bool client_gone(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	char c;
	ssize_t n;

	if (!info)
		return false;
	n = recv(info->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

typedef enum lane_kind { LANE_READ, LANE_REPORT, LANE_WRITE, LANE_SEARCH, LANES } lane_kind_t;

typedef struct lane {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	req_ctx_t *head, *tail;
	bool stopping;
	pthread_t threads[LANE_THREADS_MAX];
	unsigned int n_threads;
} lane_t;

static lane_t g_lanes[LANES] = {
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER },
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER },
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER },
	{ .lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER },
};

/* Answers ctx's request on this lane's thread, then gives the connection
 * back to libmicrohttpd (ctx is not ours after that). */
static void lane_run(req_ctx_t *ctx)
{
	struct MHD_Connection *conn = ctx->conn;
	long long waited = now_ms() - ctx->handed_ms;
	enum MHD_Result done;

	tls_handed = ctx;
	if (waited >= LANE_CHECK_MS && client_gone(conn))
		done = MHD_NO; /* nobody to answer: the request is not run */
	else
		done = dispatch(conn, ctx->url, ctx->method, ctx);
	if (done != MHD_YES || !ctx->answer) {
		ctx->failed = true;
		if (ctx->answer) {
			MHD_destroy_response(ctx->answer);
			ctx->answer = NULL;
		}
	}
	tls_handed = NULL;
	MHD_resume_connection(conn);
}

/* How far each lane's threads stand back for the processor (nice, on
 * Linux a thread's own): the searches' and the writes' not at all, the
 * reads' and the reports' a little (by 10, the reports fell from 96 to
 * 20 a second under the month-end mix, BENCHMARKS.md 2026-12-04). A
 * report's or a read's own short writes (an export's audit row, a
 * token's last use) take the write lock at that priority. */
static const int LANE_NICE[LANES] = { [LANE_READ] = 5, [LANE_REPORT] = 5, [LANE_WRITE] = 0, [LANE_SEARCH] = 0 };

/* What each lane's threads are called (top -H, /proc/PID/task/N/comm). */
static const char *const LANE_NAME[LANES] = { [LANE_READ] = "ub-read", [LANE_REPORT] = "ub-report",
					      [LANE_WRITE] = "ub-write", [LANE_SEARCH] = "ub-search" };

/* Sets this lane thread's priority LANE_NICE below the one it was
 * started with (the process's: a server started at nice 10 keeps its
 * order); where the system refuses, the thread keeps it, and says so
 * once. Only the server's own work is ordered so: on PostgreSQL the
 * queries run in its backends. */
static void lane_yield(const lane_t *l)
{
	static atomic_bool told;
	int step = LANE_NICE[l - g_lanes], base;

	(void)prctl(PR_SET_NAME, LANE_NAME[l - g_lanes], 0, 0, 0); /* a name only: nothing depends on it */
	if (!step)
		return;
	errno = 0;
	base = getpriority(PRIO_PROCESS, 0);
	if ((base == -1 && errno) ||
	    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), base + step < 19 ? base + step : 19) != 0) {
		if (!atomic_exchange(&told, true))
			fprintf(stderr, "unionbase: the request threads run at one priority: %s\n", strerror(errno));
	}
}

static void *lane_thread(void *arg)
{
	lane_t *l = arg;

	lane_yield(l);
	tls_reports = l == &g_lanes[LANE_REPORT];

	for (;;) {
		req_ctx_t *ctx;

		pthread_mutex_lock(&l->lock);
		while (!l->head && !l->stopping)
			pthread_cond_wait(&l->ready, &l->lock);
		ctx = l->head;
		if (ctx) {
			l->head = ctx->next;
			if (!l->head)
				l->tail = NULL;
		}
		pthread_mutex_unlock(&l->lock);
		if (!ctx)
			return NULL; /* stopping, and nothing left */
		lane_run(ctx);
	}
}

/* The lane of a request to the API (see above). */
static lane_kind_t lane_of(struct MHD_Connection *conn, const char *url, const char *method, req_ctx_t *ctx)
{
	const char *params[API_MAX_PARAMS];
	const api_route_t *route;
	bool known = false;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return LANE_WRITE;
	route = find_route(method, url, ctx, params, &known);
	if (route && (route->flags & ROUTE_READ_COPY))
		return LANE_REPORT;
	/* a GET that writes (an audit row, a card's throttle note) waits for
	 * the write lock like any write: not in the readers' lane */
	if (route && (route->flags & ROUTE_WRITES))
		return LANE_WRITE;
	if (route && (route->flags & ROUTE_SEARCH)) {
		/* a q of spaces only is a list, as the handlers read it */
		const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "q");
		if (q && q[strspn(q, " \t")])
			return LANE_SEARCH;
	}
	return LANE_READ;
}

/* Hands the request to its lane, suspending the connection: true; false
 * when it is answered here (not the API, or the lanes stopping). */
static bool lane_hand(struct MHD_Connection *conn, const char *url, const char *method, req_ctx_t *ctx)
{
	lane_t *l;

	if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0 && strncmp(url, "/verify/", 8) != 0 &&
	    strcmp(url, "/healthz") != 0)
		return false;
	l = &g_lanes[lane_of(conn, url, method, ctx)];
	ctx->conn = conn;
	ctx->handed_ms = now_ms();
	ctx->url = url;
	ctx->method = method;
	ctx->next = NULL;
	pthread_mutex_lock(&l->lock);
	if (l->stopping || !l->n_threads) {
		pthread_mutex_unlock(&l->lock);
		return false;
	}
	ctx->handed = true;
	MHD_suspend_connection(conn);
	if (l->tail)
		l->tail->next = ctx;
	else
		l->head = ctx;
	l->tail = ctx;
	pthread_cond_signal(&l->ready);
	pthread_mutex_unlock(&l->lock);
	return true;
}

/* Every request handed is answered and each lane's threads have ended. */
static void lanes_stop(void)
{
	for (int k = 0; k < LANES; k++) {
		lane_t *l = &g_lanes[k];
		pthread_mutex_lock(&l->lock);
		l->stopping = true;
		pthread_cond_broadcast(&l->ready);
		pthread_mutex_unlock(&l->lock);
		for (unsigned int i = 0; i < l->n_threads; i++)
			pthread_join(l->threads[i], NULL);
		pthread_mutex_lock(&l->lock);
		l->n_threads = 0;
		pthread_mutex_unlock(&l->lock);
	}
}

static int lanes_start(unsigned int readers, err_t *e)
{
	const unsigned int want[LANES] = { readers, LANE_REPORT_THREADS, LANE_WRITE_THREADS, LANE_SEARCH_THREADS };

	for (int k = 0; k < LANES; k++) {
		lane_t *l = &g_lanes[k];
		l->stopping = false;
		l->head = l->tail = NULL;
		for (unsigned int i = 0; i < want[k] && i < LANE_THREADS_MAX; i++) {
			if (pthread_create(&l->threads[i], NULL, lane_thread, l) != 0) {
				lanes_stop();
				return err_fail(e, ERR_INTERNAL, NULL, "cannot start the request threads");
			}
			pthread_mutex_lock(&l->lock);
			l->n_threads = i + 1;
			pthread_mutex_unlock(&l->lock);
		}
	}
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	req_ctx_t *ctx = *con_cls;
	(void)cls;
	(void)version;

	if (ctx == &g_refused)
		return MHD_NO; /* on_uri answered it: close */
	if (!ctx || ctx == &g_path_nul) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		bool path_nul = ctx == &g_path_nul;
		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		ctx->path_nul = path_nul;
		ctx->upload_fd = -1;
		*con_cls = ctx;
		set_deadline(conn, g_body_ms);
		if (is_upload(conn, url, method, ctx))
			return start_upload(conn, url, method, ctx, cl);
		if (cl && strtoull(cl, NULL, 10) > API_BODY_MAX) {
			/* answered before the body is read: libmicrohttpd then
			 * closes the connection instead of reading it */
			ctx->too_large = true;
			set_deadline(conn, 0);
			return send_simple_error(conn, ERR_TOO_LARGE, "too_large",
						 "the request body is too large (at most 64 KiB)");
		}
		return MHD_YES;
	}
	if (*upload_data_size && ctx->upload_fd >= 0) {
		take_upload(ctx, upload_data, *upload_data_size);
		*upload_data_size = 0;
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
	set_deadline(conn, 0);
	if (ctx->upload_fd >= 0) {
		int failed = close(ctx->upload_fd) != 0 || ctx->upload_len == ULLONG_MAX;
		ctx->upload_fd = -1;
		if (ctx->too_large)
			return send_simple_error(conn, ERR_TOO_LARGE, "too_large", "the file is too large");
		if (failed)
			return send_simple_error(conn, ERR_INTERNAL, "internal", "the file could not be kept");
	}
	if (ctx->handed) {
		/* resumed: the lane's answer */
		struct MHD_Response *r = ctx->answer;
		enum MHD_Result ret;

		ctx->answer = NULL;
		if (ctx->failed || !r)
			return MHD_NO;
		ret = MHD_queue_response(conn, ctx->status, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (lane_hand(conn, url, method, ctx))
		return MHD_YES;
	return dispatch(conn, url, method, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	req_ctx_t *ctx = *con_cls;
	(void)cls;
	(void)toe;
	if (ctx && ctx != &g_refused && ctx != &g_path_nul) {
		if (ctx->answer)
			MHD_destroy_response(ctx->answer);
		if (ctx->upload_fd >= 0)
			close(ctx->upload_fd);
		if (ctx->upload_path[0])
			unlink(ctx->upload_path); /* kept files were renamed away by their handler */
		free(ctx->body);
		free(ctx);
		*con_cls = NULL;
	}
	/* the next request on this connection, if it is kept alive */
	set_deadline(conn, g_header_ms);
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
 * own and returned when freed, so a rare large answer is not kept.
 *
 * Arenas: two per usable processor (four at least), not glibc's eight. On two
 * cores the server's twenty-odd threads took sixteen arenas, each keeping
 * its free top and its fragments. With four (BENCHMARKS.md 2026-12-05
 * 07:30, alternated): the month-end mix at 20M members peaked at 92-95 MiB,
 * not 135-162 (the 100 MB target of issue 17), for 9% fewer of its requests
 * (median of six pairs; presumably threads waiting on a shared arena's
 * lock); the unit page
 * alone at 64 connections lost nothing (89 MiB, not 133). MALLOC_ARENA_MAX
 * or glibc.malloc.arena_max in GLIBC_TUNABLES, when the operator sets one,
 * decides instead (docs/operations.md 2.6). A refusal costs only speed or
 * memory. */
/* The processors this process may run on (a pinned server's or a
 * container's, as glibc counts them), else all that are online. The system
 * call itself: glibc's wrapper and CPU_COUNT need _GNU_SOURCE. */
static long usable_cpus(void)
{
	unsigned long mask[16] = { 0 }; /* 1,024 processors */
	long bytes = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask), n = 0;

	for (long i = 0; bytes > 0 && i < bytes / (long)sizeof(mask[0]); i++)
		n += __builtin_popcountl(mask[i]);
	return n > 0 ? n : sysconf(_SC_NPROCESSORS_ONLN);
}

static void keep_heap_between_requests(void)
{
	const char *tunables = getenv("GLIBC_TUNABLES");
	long arenas = 2 * usable_cpus();

	(void)mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
	(void)mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	if (arenas < 4)
		arenas = 4;
	if (arenas > 128)
		arenas = 128;
	if (!getenv("MALLOC_ARENA_MAX") && !(tunables && strstr(tunables, "malloc.arena_max")))
		(void)mallopt(M_ARENA_MAX, (int)arenas);
}

/*
 * Each connection takes a file descriptor, and so does each worker thread's
 * database connection (SQLite: the file, its -wal and -shm) and
 * libmicrohttpd's own (epoll and a wake-up pipe per thread). Raises the
 * soft limit towards the hard one so that max_conns fit, and returns how
 * many connections do fit.
 */
static unsigned int fit_fd_limit(unsigned int max_conns, unsigned int threads)
{
	struct rlimit rl;
	rlim_t reserve = 64 + (rlim_t)threads * 6, want = (rlim_t)max_conns + reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return max_conns;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		struct rlimit up = rl;
		up.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want) ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		return rl.rlim_cur > reserve + threads ? (unsigned int)(rl.rlim_cur - reserve) : threads;
	return max_conns;
}

int api_serve(const api_options_t *opt, err_t *e)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	sigset_t set;
	db_t *db = NULL;
	pthread_t dog;
	char msg[256];
	int sig = 0;
	unsigned int threads = opt->threads > 0 ? (unsigned int)opt->threads : 8;
	unsigned int max_conns = opt->max_connections > 0 ? (unsigned int)opt->max_connections : 4096;
	/* behind a trusted proxy every connection comes from the proxy */
	unsigned int per_ip = opt->max_connections_per_ip >= 0 ? (unsigned int)opt->max_connections_per_ip
				: opt->trust_proxy ? 0 : 128;
	unsigned int fit;

	if (parse_listen(opt->listen, &sa, e))
		return -1;
	if (max_conns < threads)
		return err_fail(e, ERR_INVALID, "invalid", "--max-connections must be at least --threads ({threads})",
				ERR_INT("threads", (long long)threads));
	fit = fit_fd_limit(max_conns, threads + LANE_REPORT_THREADS + LANE_WRITE_THREADS + LANE_SEARCH_THREADS + POLL_THREADS);
	if (fit < max_conns) {
		fprintf(stderr, "unionbase: the file descriptor limit allows only %u connections, not %u "
				"(raise LimitNOFILE or ulimit -n)\n", fit, max_conns);
		max_conns = fit;
	}
	g_header_ms = 1000LL * (opt->header_timeout > 0 ? opt->header_timeout : 10);
	g_body_ms = 1000LL * (opt->body_timeout > 0 ? opt->body_timeout : 30);
	keep_heap_between_requests();
	if (password_init() != 0)
		return err_fail(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	if (db_open(opt->db_url, &db, msg, sizeof(msg)) != DB_OK)
		return err_set(e, ERR_INTERNAL, "store_unavailable", "%s", msg);
	if (migrate_check(db, e)) {
		db_close(db);
		return -1;
	}
	g_db_url = opt->db_url;
	api_imports_set_retention(opt->spool_days);
	api_imports_set_problems_kept(opt->problems_kept);
	if (make_spool(opt, e) || api_imports_sweep(db, e)) {
		db_close(db);
		return -1;
	}
	db_close(db);
	if (open_read_copy(opt, e))
		return -1;
	g_db_url = opt->db_url;
	g_web_dir = opt->web_dir;
	if (!g_answers && !(g_answers = answers_new(ANSWERS_BUDGET)))
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	g_secure_cookies = opt->secure_cookies;
	g_trust_proxy = opt->trust_proxy;
	g_public_url = opt->public_url;
	g_quiet = opt->quiet;
	if (opt->upload_max_mb > 0)
		g_upload_max = (unsigned long long)opt->upload_max_mb << 20;
	g_upload_ms = 1000LL * (opt->upload_timeout > 0 ? opt->upload_timeout : 600);

	/* worker threads inherit this mask; the main thread waits for them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* A few threads polling every connection (epoll), the handlers in the
	 * lanes: a slow client costs a socket and up to 64 KiB, not a thread. */
	atomic_store(&g_watch_stop, false);
	if (pthread_create(&dog, NULL, watchdog, NULL) != 0)
		return err_fail(e, ERR_INTERNAL, NULL, "cannot start the connection watchdog");
	if (lanes_start(threads, e)) {
		atomic_store(&g_watch_stop, true);
		pthread_join(dog, NULL);
		return -1;
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
			     on_request, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_THREAD_POOL_SIZE, POLL_THREADS < threads ? POLL_THREADS : threads,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
			     MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
			     MHD_OPTION_CONNECTION_LIMIT, max_conns,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
			     MHD_OPTION_END);
	if (!d) {
		int err = errno;
		lanes_stop();
		atomic_store(&g_watch_stop, true);
		pthread_join(dog, NULL);
		return err_set(e, ERR_INTERNAL, "listen_failed", "cannot listen on %s: %s", opt->listen, strerror(err));
	}
	fprintf(stderr, "unionbase: serving http://%s/ (%u threads)\n", opt->listen, threads);
	if (sigwait(&set, &sig) != 0)
		sig = 0;
	fprintf(stderr, "unionbase: stopping\n");
	/* the lanes first: every suspended connection answered and resumed
	 * (libmicrohttpd may not stop with one suspended); then the watchdog:
	 * it must not shut down sockets being closed */
	lanes_stop();
	atomic_store(&g_watch_stop, true);
	pthread_join(dog, NULL);
	MHD_stop_daemon(d);
	close_all_dbs();
	answers_free(g_answers);
	g_answers = NULL;
	return 0;
}
