/*
 * cmd_report.c - `unionbase report members --unit CODE [--as-of DATE]
 * [--json|--csv]`: a unit's membership figures on a day, as GET
 * /api/v1/reports/members gives them (the same store function and JSON),
 * or as a table: one line per child and the total, for a spreadsheet.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/member_json.h"
#include "store/member_stats.h"
#include "store/org_store.h"

static const char REPORT_HELP[] =
	"usage: unionbase report members --unit CODE [--as-of YYYY-MM-DD] [--json|--csv] --db DB\n"
	"  a unit's members on that day (today by default), the tree as it stood\n"
	"  then: total, branches and groups, each child's; --json: everything the\n"
	"  API gives (by kind, age, ethnic group); --csv: unit,name,members,branches\n";

/* A CSV field: quoted, its quotes doubled (names may hold commas). */
static void csv_text(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void print_csv(const unit_t *u, const member_stats_t *s)
{
	printf("unit,name,members,branches\n");
	for (size_t i = 0; i < s->n_children; i++) {
		csv_text(s->children[i].unit.code);
		putchar(',');
		csv_text(s->children[i].unit.name_vi);
		printf(",%lld,%lld\n", (long long)s->children[i].total, (long long)s->children[i].branches);
	}
	if (s->direct) {
		csv_text(u->code);
		putchar(',');
		csv_text(u->name_vi);
		printf(",%lld,\n", (long long)s->direct);
	}
	csv_text(u->code);
	printf(",\"total\",%lld,%lld\n", (long long)s->total, (long long)s->branches);
}

static void print_text(const unit_t *u, date_t d, const member_stats_t *s)
{
	char day[DATE_STR_LEN];

	printf("%s %s on %s: %lld members (%lld honorary, %lld with digital capacity) in %lld branches and groups\n",
	       u->code, u->name_vi, date_format(d, day), (long long)s->total, (long long)s->honorary,
	       (long long)s->digital, (long long)s->branches);
	for (size_t i = 0; i < s->n_children; i++)
		printf("  %-14s %-40s %8lld  %6lld\n", s->children[i].unit.code, s->children[i].unit.name_vi,
		       (long long)s->children[i].total, (long long)s->children[i].branches);
	if (s->direct)
		printf("  %-14s %-40s %8lld\n", u->code, "(in the unit itself)", (long long)s->direct);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' }, { "unit", required_argument, NULL, 'u' },
		{ "as-of", required_argument, NULL, 'o' }, { "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' }, { NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *code = NULL, *as_of = NULL;
	bool json = false, csv = false;
	member_stats_t s;
	principal_t who;
	int c, rc = CLI_EXIT_OK;
	date_t d;
	unit_t u;
	db_t *db;
	err_t e;

	if (argc < 2 || strcmp(argv[1], "members") != 0) {
		fputs(REPORT_HELP, argc >= 2 && !strcmp(argv[1], "help") ? stdout : stderr);
		return argc >= 2 && !strcmp(argv[1], "help") ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'u': code = optarg; break;
		case 'o': as_of = optarg; break;
		case 'j': json = true; break;
		case 'c': csv = true; break;
		default: return CLI_EXIT_USAGE;
		}
	}
	cli_principal(&who);
	d = who.today;
	if (!code || (as_of && date_parse(as_of, &d) != 0) || (json && csv))
		return cli_usage("report members --unit CODE [--as-of YYYY-MM-DD] [--json|--csv]");
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	err_clear(&e);
	if (org_unit_get(db, code, d, &u, &e) || member_stats(db, u.id, d, true, &s, &e)) {
		db_close(db);
		return cli_fail(&e);
	}
	if (json)
		rc = cli_print_json(member_stats_json(&u, d, &s, true));
	else if (csv)
		print_csv(&u, &s);
	else
		print_text(&u, d, &s);
	member_stats_free(&s);
	db_close(db);
	return rc;
}
