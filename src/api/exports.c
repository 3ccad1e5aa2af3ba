/*
 * exports.c - member lists as CSV or XLSX files (see exports.h):
 *
 *   GET /api/v1/exports/members?unit=CODE&format=csv|xlsx&as_of=&q=&kind=
 *       &age_min=&age_max=&ethnicity=&circumstance=&digital=&dues_unpaid=
 *
 * the members GET /api/v1/members would list (all pages), as a file to
 * download (Content-Disposition: attachment). `record.read`; the sensitive
 * columns only with `sensitive.read`. The file is written to the spool
 * folder and sent from there (never held in memory), then removed. Read
 * from the read copy when there is one (its audit row on the primary).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/exports.h"
#include "store/audit.h"
#include "store/org_store.h"

static int audit_export(db_t *db, const principal_t *who, const unit_t *unit, member_export_format_t fmt, size_t n,
			bool sensitive, err_t *e)
{
	json_t *j = json_pack("{s:s, s:I, s:b}", "format", fmt == EXPORT_XLSX ? "xlsx" : "csv", "count", (json_int_t)n,
			      "sensitive", sensitive);
	char *after = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int r;

	json_decref(j);
	if (!after)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	r = audit_write(db, who, "member.export_list", unit ? unit->id : 0, "unit", unit ? unit->code : "", NULL, after,
			sensitive ? "ethnicity, religion, id_number, circumstances" : NULL, e);
	free(after);
	return r;
}

int api_export_members(db_t *db, db_t *audit_db, const principal_t *who, member_query_t *q, const unit_t *unit,
		       member_export_format_t fmt, const char *path, const char *tmpdir, size_t *count, err_t *e)
{
	member_export_opts_t o = { .format = fmt, .sensitive = access_allows(who->roles, PERM_SENSITIVE_READ),
				   .tmpdir = tmpdir };
	char cursor[ORG_CURSOR_MAX] = "";
	ethnic_group_t *eth = NULL;
	member_export_t *x = NULL;
	member_list_t l;
	int r;

	*count = 0;
	if (org_ethnic_groups(db, &eth, &o.n_ethnic, e))
		return -1;
	o.ethnic = eth;
	r = member_export_begin(path, &o, &x, e);
	q->limit = ORG_PAGE_MAX;
	while (!r) {
		q->cursor = cursor[0] ? cursor : NULL;
		if (member_list(db, q, &l, e)) {
			r = -1;
			break;
		}
		for (size_t i = 0; !r && i < l.n; i++)
			r = member_export_row(x, &l.items[i], e);
		snprintf(cursor, sizeof(cursor), "%s", l.next);
		member_list_free(&l);
		if (!cursor[0])
			break;
	}
	q->cursor = NULL; /* it pointed into this function's own buffer */
	if (x) {
		*count = member_export_count(x);
		if (r)
			member_export_abort(x);
		else
			r = member_export_end(x, e);
	}
	free(eth);
	return r ? -1 : audit_export(audit_db, who, unit, fmt, *count, o.sensitive, e);
}

static int get_export(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *fmt = api_query(req, "format"), *code = api_query(req, "unit");
	member_query_t q = { .scope = &req->who };
	member_export_format_t f = EXPORT_CSV;
	char path[600], day[DATE_STR_LEN];
	unit_t u, *unit = NULL;
	size_t n = 0;
	int fd, r;

	if (api_require(req, PERM_RECORD_READ, e) || api_query_date(req, "as_of", req->today, &q.as_of, e) ||
	    api_member_filters(req, &q, e))
		return -1;
	if (fmt && *fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "xlsx") != 0)
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "format is csv or xlsx", ERR_STR("arg", "format"));
	if (fmt && !strcmp(fmt, "xlsx"))
		f = EXPORT_XLSX;
	if (code && *code) {
		if (api_unit_in_scope(req, code, q.as_of, &u, e))
			return -1;
		q.unit_id = u.id;
		unit = &u;
	}
	q.q = api_query(req, "q");
	q.id_prefix = access_allows(req->who.roles, PERM_SENSITIVE_READ);
	snprintf(path, sizeof(path), "%s/export-XXXXXX", api_spool_dir());
	fd = mkstemp(path);
	if (fd < 0)
		return err_fail(e, ERR_INTERNAL, NULL, "no room for the file");
	close(fd);
	r = api_export_members(req->db, req->primary, &req->who, &q, unit, f, path, api_spool_dir(), &n, e);
	fd = r ? -1 : open(path, O_RDONLY);
	unlink(path);
	if (r)
		return -1;
	if (fd < 0)
		return err_fail(e, ERR_INTERNAL, NULL, "the file cannot be read back");
	resp->file_fd = fd;
	resp->has_file = true;
	resp->content_type = f == EXPORT_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
					      : "text/csv; charset=utf-8";
	snprintf(resp->disposition, sizeof(resp->disposition), "attachment; filename=\"hoi-vien-%s-%s.%s\"",
		 unit ? unit->code : "all", date_format(q.as_of, day), f == EXPORT_XLSX ? "xlsx" : "csv");
	return 0;
}

const api_route_t API_EXPORT_ROUTES[] = {
	{ "GET", "/api/v1/exports/members", get_export, ROUTE_WRITES | ROUTE_READ_COPY },
	{ NULL, NULL, NULL, 0 },
};
