/*
 * main.c - the unionbase program: dispatches to one file per subcommand.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/text.h"
#include "store/migrate.h"

#ifndef UB_VERSION
#define UB_VERSION "0.0.0"
#endif

static const char HELP[] =
	"unionbase - the information system of a women's union, at every level\n"
	"\n"
	"usage: unionbase COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  init [--demo] [--levels L1,L2,...] DB\n"
	"                       create (or migrate) a database with the reference data:\n"
	"                       the central union, 63 provinces until 2025-06-30 merged\n"
	"                       into 34 from 2025-07-01, the 54 ethnic groups; --demo adds\n"
	"                       communes, branches and groups to look at\n"
	"  serve --db DB --listen HOST:PORT [--threads N] [--web DIR] [--secure-cookies]\n"
	"        [--trust-proxy] [--quiet] [--max-connections N] [--max-connections-per-ip N]\n"
	"        [--header-timeout S] [--body-timeout S] [--public-url URL]\n"
	"        [--spool DIR] [--upload-max-mb N] [--upload-timeout S] [--spool-days N]\n"
	"        [--import-problems N] [--read-db URL [--read-max-lag S]]\n"
	"                       --trust-proxy behind a reverse proxy: cookies Secure,\n"
	"                       client address from X-Forwarded-For; --quiet: no access\n"
	"                       log (one line per API request on stderr); connections at\n"
	"                       most 4096 in all, 128 per client address (no limit with\n"
	"                       --trust-proxy; 0: none); a request's line and headers\n"
	"                       within 10 s, its body within 30 s; --public-url (or\n"
	"                       UNIONBASE_PUBLIC_URL): the address membership cards'\n"
	"                       QR codes point to (https://host; else the request's\n"
	"                       own Host); --spool: the folder of uploaded member\n"
	"                       lists and their reports (DB.imports/ beside a SQLite\n"
	"                       database), an upload at most 256 MiB within 600 s,\n"
	"                       its files deleted after 7 days unchanged, a job's first\n"
	"                       100,000 problems listed (--import-problems); --read-db:\n"
	"                       a PostgreSQL streaming replica the reports, statistics\n"
	"                       and exports are read from while it lags at most\n"
	"                       --read-max-lag seconds (10), else from --db\n"
	"                       serve the JSON API under /api/v1/ and the web app at /\n"
	"  units list|show|tree|lineage|events|add|rename|attributes|move|merge|split|\n"
	"        close|apply\n"
	"                       the organisation tree as of any date, and its\n"
	"                       reorganisation; 'unionbase units help' for details\n"
	"  members list|show|add|edit|card|...\n"
	"                       the member registry; 'unionbase members help' for details\n"
	"  import FILE --unit CODE [--dry-run] [--mode all|good] [--json]\n"
	"                       a member list from a CSV or XLSX file, every bad row\n"
	"                       reported by its line; 'unionbase import --help'\n"
	"  export --unit CODE [--format csv|xlsx] [--output FILE]\n"
	"                       a unit's members as a file import reads back\n"
	"  report members --unit CODE [--as-of DATE] [--from DATE] [--to DATE] [--mapped] [--json|--csv]\n"
	"                       a unit's membership figures on a day\n"
	"  report form|enter|submit|approve|return|unlock|overview FORM --unit CODE --period P\n"
	"                       a unit's report form for a period, its entry and its\n"
	"                       approval by the level above; 'unionbase report help'\n"
	"  indicators list|values|series|children [CODE] [--unit CODE --period P] [--json]\n"
	"                       the indicators of the report forms; their values,\n"
	"                       over periods and across the units below\n"
	"  targets show|set --unit CODE --term T [CODE=VALUE...]\n"
	"                       a unit's targets for a congress term and where it\n"
	"                       stands; 'unionbase targets help'\n"
	"  user add|list|edit|disable|enable|passwd|token\n"
	"                       user accounts and API tokens; 'unionbase user help'\n"
	"  card rotate-key --db DB\n"
	"                       a new key for membership cards: every card signed\n"
	"                       before stops verifying (audited)\n"
	"  check --db DB        verify the tables the store keeps derived (ancestry\n"
	"                       through time) against a walk of the tree\n"
	"  generate --db DB [--seed S] [--scale F]\n"
	"                       add a synthetic national tree (districts, 10,000\n"
	"                       communes, 100,000 branches and groups, the 2025 reform)\n"
	"                       to a database fresh from init; 'unionbase generate --help'\n"
	"  copy FROM TO         copy a whole database between stores (SQLite and\n"
	"                       PostgreSQL, either way) into a new, empty one\n"
	"  help                 this text\n"
	"  --version            the program's version\n"
	"\n"
	"DB is a file path, sqlite:PATH or postgresql://USER@HOST:PORT/NAME. Commands\n"
	"that open a database take --db DB or read UNIONBASE_DB. Every command prints\n"
	"for people by default and JSON with --json; on error it prints one line to\n"
	"stderr and exits non-zero.\n";

int cli_number(const char *text, long min, long max, int *out)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (!*text || *end || errno == ERANGE || n < min || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("unionbase: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'unionbase help')\n", stderr);
	return CLI_EXIT_USAGE;
}

int cli_fail(const err_t *e)
{
	fprintf(stderr, "unionbase: %s", e->message[0] ? e->message : "failed");
	if (e->code[0] && e->kind != ERR_INTERNAL)
		fprintf(stderr, " [%s]", e->code);
	for (int i = 0; i < e->n_details; i++)
		fprintf(stderr, "%s%s %s", i ? "; " : ": ", e->details[i].field, e->details[i].message);
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

db_t *cli_open_db(const char *url)
{
	char msg[512];
	db_t *db = NULL;
	err_t e;

	if (!url || !*url)
		url = getenv("UNIONBASE_DB");
	if (!url || !*url) {
		fprintf(stderr, "unionbase: no database: give --db DB or set UNIONBASE_DB\n");
		return NULL;
	}
	if (db_open(url, &db, msg, sizeof(msg)) != DB_OK) {
		fprintf(stderr, "unionbase: %s\n", msg);
		return NULL;
	}
	err_clear(&e);
	if (migrate_check(db, &e)) {
		cli_fail(&e);
		db_close(db);
		return NULL;
	}
	return db;
}

void cli_principal(principal_t *who)
{
	struct passwd pw, *found = NULL;
	char buf[1024], name[64];

	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &found) != 0 || !found)
		snprintf(name, sizeof(name), "cli:uid%u", (unsigned)geteuid());
	else
		snprintf(name, sizeof(name), "cli:%.40s", found->pw_name);
	principal_system(who, name, date_today());
}

void cli_print_padded(const char *s, size_t columns)
{
	size_t w = text_width(s);

	fputs(s, stdout);
	printf("%*s", w < columns ? (int)(columns - w) : 1, "");
}

int cli_print_json(json_t *j)
{
	if (!j) {
		fprintf(stderr, "unionbase: out of memory\n");
		return CLI_EXIT_FAIL;
	}
	json_dumpf(j, stdout, JSON_INDENT(2) | API_JSON_REAL);
	fputc('\n', stdout);
	json_decref(j);
	return CLI_EXIT_OK;
}

/* UNIONBASE_TODAY pins "today" (core/date.h). A value that is not a day is
 * refused before any command runs, rather than silently replaced by the
 * system clock. Returns 0 when it is unset, empty or a valid day. */
static int check_pinned_today(void)
{
	const char *v = getenv("UNIONBASE_TODAY");
	date_t d;

	if (!v || !*v || date_parse(v, &d) == 0)
		return 0;
	fprintf(stderr, "unionbase: UNIONBASE_TODAY='%.40s' is not a day YYYY-MM-DD: "
		"give a valid day, or unset it to use the system clock\n", v);
	return -1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";

	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(HELP, stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("unionbase %s (schema %d)\n", UB_VERSION, SCHEMA_VERSION);
		return CLI_EXIT_OK;
	}
	if (check_pinned_today())
		return CLI_EXIT_USAGE;
	if (!strcmp(cmd, "init"))
		return cmd_init(argc - 1, argv + 1);
	if (!strcmp(cmd, "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(cmd, "units"))
		return cmd_units(argc - 1, argv + 1);
	if (!strcmp(cmd, "members"))
		return cmd_members(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return argc > 2 && cmd_report_is_form_step(argv[2]) ? cmd_report_form(argc - 2, argv + 2)
								      : cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "indicators"))
		return cmd_indicators(argc - 1, argv + 1);
	if (!strcmp(cmd, "targets"))
		return cmd_targets(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "copy"))
		return cmd_copy(argc - 1, argv + 1);
	if (!strcmp(cmd, "user"))
		return cmd_user(argc - 1, argv + 1);
	if (!strcmp(cmd, "card"))
		return cmd_card(argc - 1, argv + 1);
	if (!strcmp(cmd, "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - 1, argv + 1);
	if (!strcmp(cmd, "generate"))
		return cmd_generate(argc - 1, argv + 1);
	return cli_usage("unknown command '%s'", cmd);
}
