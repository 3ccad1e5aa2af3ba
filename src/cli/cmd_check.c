/*
 * cmd_check.c - `unionbase check --db DB [--json] [--repair]`: verifies the
 * tables the store derives and keeps exact itself against a recount of
 * what they are derived from, and says what differs: ancestry through
 * time (against a walk of the tree) and the membership figures kept in
 * the writes (store/member_tally.h, against a count of the stays); and it
 * lists the stays that outlive their unit, which no figure counts. With
 * --repair, figures that differ (or are not kept, after a bulk load) are
 * counted afresh. Exit 0 when everything agrees (or was repaired), 1 when
 * something differs or cannot be read.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/ancestry.h"
#include "store/member_tally.h"
#include "store/members.h"

typedef struct check_result {
	size_t units, ancestry_diffs;
	bool kept;
	size_t rows, tally_diffs;
	bool repaired;
	size_t stays_outliving;
} check_result_t;

static int run_checks(db_t *db, bool json, bool repair, check_result_t *c, err_t *e)
{
	FILE *report = json ? NULL : stdout;

	if (ancestry_check(db, report, &c->units, &c->ancestry_diffs, e) ||
	    member_tally_check(db, report, &c->kept, &c->rows, &c->tally_diffs, e) ||
	    member_stays_outliving_units(db, report, &c->stays_outliving, e))
		return -1;
	if (!repair || (c->kept && !c->tally_diffs))
		return 0;
	if (member_tally_rebuild(db, e))
		return -1;
	c->repaired = true;
	return 0;
}

int cmd_check(int argc, char **argv)
{
	const char *url = NULL;
	bool json = false, repair = false, ok;
	check_result_t c = { 0 };
	db_t *db;
	err_t e;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			url = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--repair"))
			repair = true;
		else
			return cli_usage("usage: unionbase check --db DB [--json] [--repair]");
	}
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	err_clear(&e);
	rc = run_checks(db, json, repair, &c, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	ok = c.ancestry_diffs == 0 && ((c.kept && c.tally_diffs == 0) || c.repaired) && c.stays_outliving == 0;
	if (json)
		return cli_print_json(json_pack("{s:b, s:{s:I, s:I}, s:{s:b, s:I, s:I, s:b}, s:{s:I}}", "ok", ok,
						"ancestry", "checked", (json_int_t)c.units, "differences",
						(json_int_t)c.ancestry_diffs, "figures", "kept", c.kept, "rows",
						(json_int_t)c.rows, "differences", (json_int_t)c.tally_diffs, "repaired",
						c.repaired, "stays", "outliving_units",
						(json_int_t)c.stays_outliving)) ||
			       !ok
			? CLI_EXIT_FAIL
			: CLI_EXIT_OK;
	printf("ancestry: %zu units checked, %zu differences%s\n", c.units, c.ancestry_diffs,
	       c.ancestry_diffs ? "" : ": the table agrees with the tree");
	if (!c.kept)
		printf("figures: not kept (after a bulk load)%s\n",
		       c.repaired ? ": counted afresh, kept from now on" : ": run 'unionbase check --repair'");
	else
		printf("figures: %zu rows checked, %zu differences%s\n", c.rows, c.tally_diffs,
		       c.repaired	      ? ": counted afresh"
		       : c.tally_diffs ? ": run 'unionbase check --repair'"
				       : ": the figures agree with the members");
	printf("stays: %zu outlive their unit%s\n", c.stays_outliving,
	       c.stays_outliving ? ": transfer each member to a unit that exists (unionbase members transfer)" : "");
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
