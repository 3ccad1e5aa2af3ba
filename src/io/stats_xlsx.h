/*
 * stats_xlsx.h - a unit's membership figures as the union's report in
 * Excel (issue 16, item 6): the heading of a union document (the union
 * above and the unit on the left, the national motto on the right), the
 * title and the day, one row per unit below with its members and its
 * branches and groups and the total, the breakdowns (age, ethnic group,
 * religion, education, occupation, digital capacity, honorary members),
 * the flows of the period, and the signature block ("..., ngày ... tháng
 * ... năm ...", the preparer and the standing committee).
 *
 * The words come from the caller (the web app's dictionaries, "report.x.*"
 * keys), so the report is in the user's language.
 */
#ifndef UB_STATS_XLSX_H
#define UB_STATS_XLSX_H

#include "core/date.h"
#include "core/err.h"
#include "core/unit.h"
#include "store/member_stats.h"

typedef struct stats_xlsx_opts {
	const unit_t *unit;
	const char *above;                     /* the name of the unit above, "" at the top */
	date_t as_of;
	date_t today;                          /* the signature's day */
	const member_stats_t *stats;
	const char *(*word)(void *ctx, const char *key); /* a dictionary's word */
	void *ctx;
	const char *tmpdir;                    /* libxlsxwriter's temporary files; NULL: $TMPDIR */
} stats_xlsx_opts_t;

/* Writes the report to path. Returns 0 or -1 with e. */
int stats_xlsx_write(const stats_xlsx_opts_t *o, const char *path, err_t *e);

#endif
