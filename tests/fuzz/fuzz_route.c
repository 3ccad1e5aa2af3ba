/*
 * fuzz_route.c - query strings and route matching: the request target of an
 * HTTP request (path and query string, percent-encoded as a client sends
 * them) goes through libmicrohttpd's own parser and URL-decoding, in
 * process, over a socket pair; the handler then does what server.c does
 * before a handler runs: the UTF-8 check (api_check_utf8), the route match
 * against every route table (api_route_match, api/route.h), and reads the
 * query arguments the handlers read (api_query, api_query_int,
 * api_query_date).
 *
 * The input is the request target; bytes that cannot stand in a request
 * line (space, CR, LF, NUL, DEL and controls) are sent percent-encoded. An
 * input that does not start with '/' gets "/api/v1/" in front.
 *
 * Properties: when api_check_utf8 passes, the path and every argument's
 * name and value are UTF-8, else it fails with 400 bad_request; a matched
 * route's captures are non-empty, hold no '/', and are pieces of the path;
 * numbers are within their bounds; every error can be written as JSON.
 */
#include <microhttpd.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api.h"
#include "api/route.h"
#include "core/text.h"
#include "fuzz.h"

static struct MHD_Daemon *g_daemon;
static bool g_handled;

static const api_route_t *const *tables(void)
{
	static const api_route_t *const t[] = { API_UNIT_ROUTES, API_SESSION_ROUTES, API_USER_ROUTES, API_AUDIT_ROUTES,
						NULL };
	return t;
}

static enum MHD_Result all_utf8(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)cls;
	(void)kind;
	FUZZ_CHECK(text_utf8(key));
	FUZZ_CHECK(!value || text_utf8(value));
	return MHD_YES;
}

static void check_routes(const char *url)
{
	for (int t = 0; tables()[t]; t++)
		for (const api_route_t *r = tables()[t]; r->method; r++) {
			const char *params[API_MAX_PARAMS] = { 0 };
			char segs[512];
			if (!api_route_match(r->pattern, url, segs, sizeof(segs), params))
				continue;
			for (int i = 0; i < API_MAX_PARAMS && params[i]; i++) {
				FUZZ_CHECK(params[i] >= segs && params[i] < segs + sizeof(segs));
				FUZZ_CHECK(*params[i] && !strchr(params[i], '/'));
				FUZZ_CHECK(strstr(url, params[i]) != NULL);
			}
		}
}

static void check_request(struct MHD_Connection *conn, const char *url)
{
	static const char *const names[] = { "as_of", "from", "to", "limit", "depth", "cursor", "q", "parent", "root",
					     "unit", "sort", "level", "user", NULL };
	api_req_t req;
	err_t e;
	date_t d;
	int n;

	memset(&req, 0, sizeof(req));
	req.conn = conn;
	req.method = "GET";
	req.path = url;
	err_clear(&e);
	if (api_check_utf8(&req, &e) != 0) {
		FUZZ_CHECK(e.kind == ERR_BAD_REQUEST && e.n_details == 1);
		fuzz_check_err(&e);
		return;
	}
	FUZZ_CHECK(text_utf8(url));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, all_utf8, NULL);
	check_routes(url);
	for (int i = 0; names[i]; i++) {
		const char *v = api_query(&req, names[i]);
		FUZZ_CHECK(!v || text_utf8(v));
		err_clear(&e);
		if (api_query_int(&req, names[i], 42, -5, 500, &n, &e) == 0)
			FUZZ_CHECK(n == 42 || (n >= -5 && n <= 500));
		else
			fuzz_check_err(&e);
		err_clear(&e);
		if (api_query_date(&req, names[i], 7, &d, &e) == 0)
			FUZZ_CHECK(d == 7 || (d >= DATE_FIRST && d <= DATE_OPEN));
		else
			fuzz_check_err(&e);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	static const char ok[] = "ok";
	struct MHD_Response *r;
	enum MHD_Result ret;
	(void)cls;
	(void)method;
	(void)version;
	(void)upload_data;
	(void)con_cls;
	*upload_data_size = 0; /* a GET has no body; nothing to keep */

	check_request(conn, url);
	g_handled = true;
	r = MHD_create_response_from_buffer(sizeof(ok) - 1, (void *)ok, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) // NOLINT(readability-non-const-parameter): libFuzzer's signature
{
	(void)argc;
	(void)argv;
	/* no listening socket, no thread: connections come from
	 * MHD_add_connection and MHD_run drives them in this thread */
	g_daemon = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, NULL,
				    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
	if (!g_daemon) {
		fprintf(stderr, "fuzz_route: libmicrohttpd did not start\n");
		abort();
	}
	return 0;
}

/* The request line and headers for target data[0..size) into a malloc'd
 * buffer (the caller frees it). */
static char *request_text(const uint8_t *data, size_t size, size_t *len)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char tail[] = " HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
	char *buf = malloc(size * 3 + sizeof(tail) + 16);
	size_t n = 0;

	if (!buf)
		return NULL;
	/* a byte buffer sent with its length, not a string */
	memcpy(buf, "GET ", 4); // NOLINT(bugprone-not-null-terminated-result)
	n = 4;
	if (size == 0 || data[0] != '/') {
		memcpy(buf + n, "/api/v1/", 8); // NOLINT(bugprone-not-null-terminated-result)
		n += 8;
	}
	for (size_t i = 0; i < size; i++) {
		unsigned char c = data[i];
		if (c <= 0x20 || c == 0x7f || c == '#') {
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		} else {
			buf[n++] = (char)c;
		}
	}
	memcpy(buf + n, tail, sizeof(tail) - 1);
	*len = n + sizeof(tail) - 1;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un addr;
	char reply[512];
	size_t len = 0, sent = 0;
	char *req;
	int sv[2];

	if (size > 8192)
		return 0;
	req = request_text(data, size, &len);
	if (!req)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		free(req);
		return 0;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (MHD_add_connection(g_daemon, sv[1], (const struct sockaddr *)&addr, sizeof(addr)) != MHD_YES) {
		close(sv[0]);
		free(req);
		return 0;
	}
	g_handled = false;
	/* the socket buffer holds a request this size: write it whole, then
	 * let the daemon read, answer and close */
	while (sent < len) {
		ssize_t w = write(sv[0], req + sent, len - sent);
		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	for (int i = 0; i < 64; i++) {
		ssize_t r;
		MHD_run(g_daemon);
		r = recv(sv[0], reply, sizeof(reply), MSG_DONTWAIT);
		if (r == 0)
			break; /* answered and closed */
	}
	close(sv[0]);
	for (int i = 0; i < 4; i++)
		MHD_run(g_daemon);
	free(req);
	return 0;
}
