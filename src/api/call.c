/*
 * call.c - a route's handler run for the command line (api.h, api_call):
 * the same checks and the same JSON as over HTTP, without the server.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/util.h"

int api_call(db_t *db, const principal_t *who, api_handler_fn fn, const char *const *params, size_t n, json_t *query,
	     json_t *body, json_t **out, err_t *e)
{
	api_resp_t resp = { 0 };
	api_req_t req = { 0 };
	char *text = NULL;
	bool own = false;
	int r;

	*out = NULL;
	if (n > API_MAX_PARAMS)
		return err_fail(e, ERR_INTERNAL, NULL, "too many path parameters");
	req.db = db;
	req.primary = db;
	req.who = *who;
	req.today = who->today;
	req.query = query;
	for (size_t i = 0; i < n; i++)
		req.params[i] = params[i];
	req.body = "";
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text)
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		req.body = text;
		req.body_len = strlen(text);
	}
	r = store_tx_begin(db, &own, e);
	if (!r)
		r = store_tx_end(db, own, fn(&req, &resp, e), e);
	free(text);
	if (r) {
		json_decref(resp.body);
		return -1;
	}
	*out = resp.body;
	return 0;
}
