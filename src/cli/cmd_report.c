/*
 * cmd_report.c - `unionbase report members --unit CODE [--as-of DATE]
 * [--from DATE] [--to DATE] [--mapped] [--json|--csv]`: a unit's
 * membership figures on a day, as GET /api/v1/reports/members gives them
 * (the same store function and JSON), or as a table: one line per child
 * and the total, for a spreadsheet. The command line holds every right, so
 * the sensitive breakdowns are always counted.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "api/words.h"
#include "cli/cli.h"
#include "io/stats_xlsx.h"
#include "core/text.h"
#include "io/member_json.h"
#include "store/member_stats.h"
#include "store/org_store.h"

static const char REPORT_HELP[] =
	"usage: unionbase report members --unit CODE [--as-of YYYY-MM-DD] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
	"                                [--mapped] [--json|--csv|--xlsx FILE [--lang vi|en]] --db DB\n"
	"  a unit's members on that day (today by default), the tree as it stood\n"
	"  then (--mapped: counted in the units of today, through the merges and\n"
	"  splits since): total, branches and groups, each child's, the\n"
	"  breakdowns, and the flows from --from (1 January) to --to (the as-of\n"
	"  day): joiners, leavers, transfers, dues; --json: everything the API\n"
	"  gives; --csv: unit,name,members,branches; --xlsx: the union's report in\n"
	"  Excel (title, units, breakdowns, flows, signature block) into FILE\n";

#define NAME_COLUMNS 40 /* the width of the name column, in terminal columns */
#define TEXT_SHOWN 5    /* groups of a text breakdown in the text output */

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

/* s and spaces up to `columns` terminal columns (by display width, not
 * bytes: "Xã Tân Lập" is 10 columns and 13 bytes); at least one space. */
static void print_groups(const char *title, const text_groups_t *g)
{
	if (!g->n && !g->other && !g->none)
		return;
	printf("  by %s:", title);
	for (size_t i = 0; i < g->n && i < TEXT_SHOWN; i++)
		printf("%s %s %lld", i ? "," : "", g->groups[i].label, (long long)g->groups[i].n);
	if (g->n > TEXT_SHOWN || g->other) {
		int64_t rest = g->other;
		for (size_t i = TEXT_SHOWN; i < g->n; i++)
			rest += g->groups[i].n;
		printf("%s others %lld", g->n ? "," : "", (long long)rest);
	}
	if (g->none)
		printf("%s not given %lld", g->n || g->other ? "," : "", (long long)g->none);
	putchar('\n');
}

static void print_flows(const member_flows_t *f)
{
	char from[DATE_STR_LEN], to[DATE_STR_LEN];

	printf("  from %s to %s: %lld members before, %lld joined (%lld again), %lld transferred in,"
	       " %lld left (moved away %lld, married away %lld, left %lld, died %lld, other %lld),"
	       " %lld transferred out, %lld members at the end; dues paid %lld times, %lld VND\n",
	       date_format(f->from, from), date_format(f->to, to), (long long)f->opening,
	       (long long)f->joined + (long long)f->rejoined, (long long)f->rejoined, (long long)f->transfers_in,
	       (long long)f->left_total, (long long)f->left[LEAVE_MOVED_AWAY], (long long)f->left[LEAVE_MARRIED_AWAY],
	       (long long)f->left[LEAVE_LEFT], (long long)f->left[LEAVE_DIED], (long long)f->left[LEAVE_OTHER],
	       (long long)f->transfers_out, (long long)f->closing, (long long)f->dues_paid, (long long)f->dues_amount);
}

static void print_text(const unit_t *u, date_t d, const member_stats_t *s)
{
	static const char *const AGES[] = { "under 31", "31-45", "46-60", "over 60" };
	char day[DATE_STR_LEN], units_day[DATE_STR_LEN];

	printf("%s %s on %s: %lld members (%lld honorary, %lld with digital capacity) in %lld branches and groups\n",
	       u->code, u->name_vi, date_format(d, day), (long long)s->total, (long long)s->honorary,
	       (long long)s->digital, (long long)s->branches);
	if (s->mapped)
		printf("  counted in the units of %s\n", date_format(s->tree_date, units_day));
	for (size_t i = 0; i < s->n_children; i++) {
		printf("  %-14s ", s->children[i].unit.code);
		cli_print_padded(s->children[i].unit.name_vi, NAME_COLUMNS);
		printf("%8lld  %6lld\n", (long long)s->children[i].total, (long long)s->children[i].branches);
	}
	if (s->direct) {
		printf("  %-14s ", u->code);
		cli_print_padded("(in the unit itself)", NAME_COLUMNS);
		printf("%8lld\n", (long long)s->direct);
	}
	printf("  by age:");
	for (int i = 0; i < 4; i++)
		printf("%s %s %lld", i ? "," : "", AGES[i], (long long)s->age[i]);
	putchar('\n');
	if (s->n_ethnicity) {
		printf("  by ethnic group:");
		for (size_t i = 0; i < s->n_ethnicity && i < TEXT_SHOWN; i++)
			printf("%s %s %lld", i ? "," : "", s->ethnicity[i].name_vi[0] ? s->ethnicity[i].name_vi : "-",
			       (long long)s->ethnicity[i].n);
		putchar('\n');
	}
	print_groups("religion", &s->religion);
	print_groups("education", &s->education);
	print_groups("occupation", &s->occupation);
	print_groups("circumstances", &s->circumstances);
	if (s->has_flows)
		print_flows(&s->flows);
}

static const char *report_word(void *ctx, const char *key)
{
	return api_word(*(lang_t *)ctx, key);
}

/* The union's report in Excel (io/stats_xlsx.h), as GET
 * /api/v1/reports/members.xlsx writes it. */
static int write_xlsx(db_t *db, const unit_t *u, const member_stats_opts_t *o, const member_stats_t *s, lang_t lang,
		      const char *path)
{
	stats_xlsx_opts_t x = { .unit = u, .as_of = o->as_of, .today = o->today, .stats = s, .word = report_word,
				.ctx = &lang };
	unit_list_t above = { 0 };
	err_t e;
	int r;

	err_clear(&e);
	r = org_ancestors(db, u->id, member_stats_tree_date(o), &above, &e);
	x.above = !r && above.n ? above.items[above.n - 1].name_vi : "";
	if (!r)
		r = stats_xlsx_write(&x, path, &e);
	unit_list_free(&above);
	if (r)
		return cli_fail(&e);
	fprintf(stderr, "report written to %s\n", path);
	return CLI_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },	  { "unit", required_argument, NULL, 'u' },
		{ "as-of", required_argument, NULL, 'o' }, { "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },	  { "mapped", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },	  { "csv", no_argument, NULL, 'c' },
		{ "xlsx", required_argument, NULL, 'x' }, { "lang", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *code = NULL, *as_of = NULL, *from = NULL, *to = NULL, *xlsx = NULL;
	lang_t lang = LANG_VI;
	member_stats_opts_t o = { .with_sensitive = true, .flows = true };
	bool json = false, csv = false;
	member_stats_t s;
	principal_t who;
	int c, rc = CLI_EXIT_OK;
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
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'm': o.mapped = true; break;
		case 'j': json = true; break;
		case 'c': csv = true; break;
		case 'x': xlsx = optarg; break;
		case 'L':
			if (strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0)
				return cli_usage("--lang is vi or en");
			lang = strcmp(optarg, "en") == 0 ? LANG_EN : LANG_VI;
			break;
		default: return CLI_EXIT_USAGE;
		}
	}
	cli_principal(&who);
	o.today = o.as_of = who.today;
	if (!code || optind + 1 < argc || (as_of && date_parse(as_of, &o.as_of) != 0) || json + csv + !!xlsx > 1)
		return cli_usage("report members --unit CODE [--as-of YYYY-MM-DD] [--from YYYY-MM-DD] [--to YYYY-MM-DD]"
				 " [--mapped] [--json|--csv]");
	o.from = date_year_start(o.as_of);
	o.to = o.as_of;
	if ((from && date_parse(from, &o.from) != 0) || (to && date_parse(to, &o.to) != 0) || o.to >= DATE_OPEN)
		return cli_usage("--from and --to are days YYYY-MM-DD before 9999-12-31");
	if (o.to < o.from)
		return cli_usage("--to is before --from (by default 1 January of the as-of day's year)");
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	err_clear(&e);
	if (org_unit_get(db, code, member_stats_tree_date(&o), &u, &e) || member_stats(db, u.id, &o, &s, &e)) {
		db_close(db);
		return cli_fail(&e);
	}
	if (xlsx)
		rc = write_xlsx(db, &u, &o, &s, lang, xlsx);
	else if (json)
		rc = cli_print_json(member_stats_json(&u, o.as_of, &s, true));
	else if (csv)
		print_csv(&u, &s);
	else
		print_text(&u, o.as_of, &s);
	member_stats_free(&s);
	db_close(db);
	return rc;
}
