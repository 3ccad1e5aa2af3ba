/*
 * cmd_check.c - `unionbase check --db DB`: verifies the tables the store
 * derives and keeps exact itself (today: ancestry through time) against a
 * walk of what they are derived from, and says what differs. Exit 0 when
 * everything agrees, 1 when something differs or cannot be read.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/ancestry.h"

int cmd_check(int argc, char **argv)
{
	const char *url = NULL;
	bool json = false;
	size_t checked = 0, diffs = 0;
	db_t *db;
	err_t e;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			url = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else
			return cli_usage("usage: unionbase check --db DB [--json]");
	}
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	err_clear(&e);
	rc = ancestry_check(db, json ? NULL : stdout, &checked, &diffs, &e);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	if (json)
		return cli_print_json(json_pack("{s:b, s:{s:I, s:I}}", "ok", diffs == 0, "ancestry", "checked",
						(json_int_t)checked, "differences", (json_int_t)diffs)) ||
			       diffs
			? CLI_EXIT_FAIL
			: CLI_EXIT_OK;
	printf("ancestry: %zu units checked, %zu differences%s\n", checked, diffs,
	       diffs ? "" : ": the table agrees with the tree");
	return diffs ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
