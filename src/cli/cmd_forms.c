/*
 * cmd_forms.c - the union's report forms on the command line, as the API
 * does them (api/reports.c, docs/reports.md):
 *   unionbase indicators list [--json] --db DB
 *   unionbase report form FORM --unit CODE --period P [--json|--xlsx FILE [--lang vi|en]] --db DB
 *   unionbase report enter FORM --unit CODE --period P CODE=VALUE... [--comment CODE=TEXT]... --db DB
 *   unionbase report submit FORM --unit CODE --period P [--explanation TEXT] --db DB
 *   unionbase report approve FORM --unit CODE --period P --db DB
 *   unionbase report return|unlock FORM --unit CODE --period P --reason TEXT --db DB
 *   unionbase report overview FORM --unit CODE --period P [--sort distance] [--json] --db DB
 *   unionbase report inbox [--status S] [--json] --db DB
 *   unionbase indicators values --unit CODE --period P [--mapped] [--json] --db DB
 *   unionbase indicators series CODE --unit CODE --to P [--count N] [--mapped] [--json] --db DB
 *   unionbase indicators children CODE --unit CODE --period P [--mapped] [--json] --db DB
 * The command line holds every right, everywhere: the level-above rule of
 * approval is the API's callers'.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "store/reports.h"

static const char FORMS_HELP[] =
	"usage: unionbase report form FORM --unit CODE --period P [--json|--xlsx FILE [--lang vi|en]] --db DB\n"
	"       unionbase report enter FORM --unit CODE --period P CODE=VALUE... [--comment CODE=TEXT]... --db DB\n"
	"       unionbase report submit FORM --unit CODE --period P [--explanation TEXT] --db DB\n"
	"       unionbase report approve FORM --unit CODE --period P --db DB\n"
	"       unionbase report return|unlock FORM --unit CODE --period P --reason TEXT --db DB\n"
	"       unionbase report overview FORM --unit CODE --period P [--sort distance] [--json] --db DB\n"
	"       unionbase report inbox [--status submitted|returned|draft|approved] [--json] --db DB\n"
	"  a unit's report form for a period (2026-05, 2026Q2, 2026H1, 2026, T2026-2031):\n"
	"  its values, what the records say and the difference (--xlsx: as the\n"
	"  union's document in Excel); enter values (VALUE\n"
	"  'null' clears one), submit it, approve it (its values are then locked and\n"
	"  frozen), return it or unlock it with a reason; the overview: the state of\n"
	"  the form of every unit of its level below CODE, who is late, how far each\n"
	"  one's figures stand from its records; the inbox: every form below in a\n"
	"  state (submitted: awaiting approval), the longest waiting first\n";

static const char INDICATORS_HELP[] =
	"usage: unionbase indicators list [--json] --db DB\n"
	"       unionbase indicators values --unit CODE --period P [--mapped] [--json] --db DB\n"
	"       unionbase indicators series CODE --unit CODE --to P [--count N] [--mapped] [--json] --db DB\n"
	"       unionbase indicators children CODE --unit CODE --period P [--mapped] [--json] --db DB\n"
	"  the indicators of the catalogue: code, source, roll-up, name; the value\n"
	"  of each for a unit and a period, and where it comes from; one\n"
	"  indicator's value over the N periods (10; at most 40) that end with P,\n"
	"  or for each unit directly below; --mapped: each period's figures on\n"
	"  today's units\n";

/* Prints a number of the form's JSON (or "-" for null) in width columns. */
static void print_number(json_t *v, int width)
{
	if (json_is_integer(v))
		printf(" %*lld", width, (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf(" %*.3g", width, json_real_value(v));
	else
		printf(" %*s", width, "-");
}

static void print_form(json_t *f)
{
	json_t *unit = json_object_get(f, "unit"), *values = json_object_get(f, "values"), *code;
	size_t i;

	printf("%s %s: %s %s, %s (%s to %s), due %s\n", json_string_value(json_object_get(f, "form")),
	       json_string_value(json_object_get(f, "status")), json_string_value(json_object_get(unit, "code")),
	       json_string_value(json_object_get(unit, "name_vi")), json_string_value(json_object_get(f, "period")),
	       json_string_value(json_object_get(f, "from")), json_string_value(json_object_get(f, "to")),
	       json_string_value(json_object_get(f, "due")));
	printf("%-32s %12s %12s %12s\n", "indicator", "value", "records", "difference");
	json_array_foreach(json_object_get(f, "indicators"), i, code) {
		json_t *v = json_object_get(values, json_string_value(code));
		printf("%-32s", json_string_value(code));
		print_number(json_object_get(v, "value"), 12);
		print_number(json_object_get(v, "computed"), 12);
		print_number(json_object_get(v, "difference"), 12);
		printf("%s\n", json_is_true(json_object_get(v, "enterable")) ? "" : "  (not entered)");
	}
}

static void print_overview(json_t *o)
{
	json_t *c = json_object_get(o, "counts"), *x;
	size_t i;

	printf("%s %s %s, due %s: %lld not started, %lld draft, %lld submitted, %lld approved, %lld returned, %lld late\n",
	       json_string_value(json_object_get(o, "form")), json_string_value(json_object_get(json_object_get(o, "unit"), "code")),
	       json_string_value(json_object_get(o, "period")), json_string_value(json_object_get(o, "due")),
	       (long long)json_integer_value(json_object_get(c, "none")), (long long)json_integer_value(json_object_get(c, "draft")),
	       (long long)json_integer_value(json_object_get(c, "submitted")),
	       (long long)json_integer_value(json_object_get(c, "approved")),
	       (long long)json_integer_value(json_object_get(c, "returned")), (long long)json_integer_value(json_object_get(c, "late")));
	json_array_foreach(json_object_get(o, "items"), i, x) {
		json_t *d = json_object_get(x, "distance");
		printf("%-12s %-10s%s", json_string_value(json_object_get(json_object_get(x, "unit"), "code")),
		       json_string_value(json_object_get(x, "status")), json_is_true(json_object_get(x, "late")) ? " late" : "     ");
		if (json_is_number(d))
			printf(" %6.1f%% %s", json_number_value(d) * 100, json_string_value(json_object_get(x, "worst")));
		printf("  %s\n", json_string_value(json_object_get(json_object_get(x, "unit"), "name_vi")));
	}
}

/* "CODE=VALUE" into values (VALUE a number or null). Returns 0 or -1. */
static int add_value(json_t *values, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char code[IND_CODE_MAX + 1], *end = NULL;
	double v;

	if (!eq || eq == arg || (size_t)(eq - arg) > IND_CODE_MAX)
		return -1;
	snprintf(code, sizeof(code), "%.*s", (int)(eq - arg), arg);
	if (strcmp(eq + 1, "null") == 0)
		return json_object_set_new(values, code, json_null());
	v = strtod(eq + 1, &end);
	if (!eq[1] || *end)
		return -1;
	return json_object_set_new(values, code, json_real(v));
}

static int add_text(json_t *texts, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char code[IND_CODE_MAX + 1];

	if (!eq || eq == arg || (size_t)(eq - arg) > IND_CODE_MAX)
		return -1;
	snprintf(code, sizeof(code), "%.*s", (int)(eq - arg), arg);
	return json_object_set_new(texts, code, json_string(eq + 1));
}

/* A step of the API's report forms (api_report_step) or, with figures,
 * of the indicators' figures (api_indicator_step: indicator, query), as
 * the command line. */
typedef struct step_call {
	const char *step, *form, *unit, *period, *indicator;
	bool figures;
	json_t *query, *body; /* NULL: none */
} step_call_t;

/* Runs c on the database at url; the answer into *out (the caller's).
 * CLI_EXIT_OK, or the exit code of a failure, told on stderr. */
static int run_step(const char *url, const step_call_t *c, json_t **out)
{
	principal_t who;
	db_t *db = cli_open_db(url);
	err_t e;
	int rc;

	*out = NULL;
	if (!db)
		return CLI_EXIT_FAIL;
	cli_principal(&who);
	err_clear(&e);
	rc = c->figures ? api_indicator_step(db, &who, c->step, c->indicator ? c->indicator : "", c->query, out, &e)
			  : api_report_step(db, &who, c->step, c->form ? c->form : "", c->unit ? c->unit : "",
					    c->period ? c->period : "", c->query, c->body, out, &e);
	db_close(db);
	return rc ? cli_fail(&e) : CLI_EXIT_OK;
}

/* unionbase report inbox [--status S] [--json] --db DB: the forms below
 * in state S, submitted (awaiting approval) by default. */
static int inbox(const char *url, json_t *query, bool json)
{
	json_t *out = NULL, *x;
	size_t i;
	int rc = run_step(url, &(step_call_t){ .step = "inbox", .query = query }, &out);

	if (rc)
		return rc;
	if (json)
		return cli_print_json(out);
	json_array_foreach(json_object_get(out, "items"), i, x) {
		printf("%-16s %-12s %-10s %-10s %-16s ", json_string_value(json_object_get(x, "form")),
		       json_string_value(json_object_get(json_object_get(x, "unit"), "code")),
		       json_string_value(json_object_get(x, "period")), json_string_value(json_object_get(x, "status")),
		       json_string_value(json_object_get(x, "submitted_by")));
		printf("%s\n", json_string_value(json_object_get(json_object_get(x, "unit"), "name_vi")));
	}
	json_decref(out);
	return CLI_EXIT_OK;
}

int cmd_report_form(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },	       { "unit", required_argument, NULL, 'u' },
		{ "period", required_argument, NULL, 'p' },    { "json", no_argument, NULL, 'j' },
		{ "comment", required_argument, NULL, 'c' },   { "explanation", required_argument, NULL, 'x' },
		{ "reason", required_argument, NULL, 'r' },    { "sort", required_argument, NULL, 's' },
		{ "xlsx", required_argument, NULL, 'X' },      { "lang", required_argument, NULL, 'L' },
		{ "status", required_argument, NULL, 'S' },    { NULL, 0, NULL, 0 },
	};
	const char *step = argv[0], *url = NULL, *unit = NULL, *period = NULL, *form, *xlsx = NULL;
	json_t *body = json_object(), *values = json_object(), *comments = json_object(), *query = json_object(),
	       *out = NULL;
	bool json = false, bad = !body || !values || !comments || !query;
	int c, rc;

	optind = 1;
	while (!bad && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'u': unit = optarg; break;
		case 'p': period = optarg; break;
		case 'j': json = true; break;
		case 'c': bad = add_text(comments, optarg) != 0; break;
		case 'x': json_object_set_new(body, "explanation", json_string(optarg)); break;
		case 'r': json_object_set_new(body, "reason", json_string(optarg)); break;
		case 's': bad = strcmp(step, "overview") != 0 || json_object_set_new(query, "sort", json_string(optarg)); break;
		case 'X': xlsx = optarg; json_object_set_new(body, "path", json_string(optarg)); break;
		case 'L':
			bad = strcmp(optarg, "vi") != 0 && strcmp(optarg, "en") != 0;
			json_object_set_new(body, "lang", json_string(optarg));
			break;
		case 'S': bad = strcmp(step, "inbox") != 0 || json_object_set_new(query, "status", json_string(optarg)); break;
		default: bad = true;
		}
	}
	form = optind < argc ? argv[optind++] : NULL;
	if (!strcmp(step, "inbox")) {
		json_decref(values);
		json_decref(comments);
		json_decref(body);
		rc = bad || form || unit || period || xlsx ? (fputs(FORMS_HELP, stderr), CLI_EXIT_USAGE)
							 : inbox(url, query, json);
		json_decref(query);
		return rc;
	}
	/* the overview's unit and period are its query's */
	if (!strcmp(step, "overview") && unit && period)
		bad = json_object_set_new(query, "unit", json_string(unit)) || json_object_set_new(query, "period", json_string(period));
	while (!bad && optind < argc)
		bad = strcmp(step, "enter") != 0 || add_value(values, argv[optind++]) != 0;
	if (!bad && !strcmp(step, "enter")) {
		json_object_set(body, "values", values);
		if (json_object_size(comments))
			json_object_set(body, "comments", comments);
	}
	json_decref(values);
	json_decref(comments);
	if (xlsx && (strcmp(step, "form") != 0 || json))
		bad = true;
	if (xlsx)
		step = "xlsx";
	/* approval takes a note, the other steps a reason: --reason is either */
	if (!strcmp(step, "approve") && json_object_get(body, "reason")) {
		json_object_set(body, "note", json_object_get(body, "reason"));
		json_object_del(body, "reason");
	}
	if (bad || !form || !unit || !period) {
		json_decref(body);
		json_decref(query);
		fputs(FORMS_HELP, stderr);
		return CLI_EXIT_USAGE;
	}
	rc = run_step(url,
		      &(step_call_t){ .step = step, .form = form, .unit = unit, .period = period,
				      .query = json_object_size(query) ? query : NULL,
				      .body = json_object_size(body) ? body : NULL },
		      &out);
	json_decref(body);
	json_decref(query);
	if (rc)
		return rc;
	if (json)
		return cli_print_json(out);
	if (xlsx) {
		printf("%s: %s %s %s\n", xlsx, form, unit, period);
		json_decref(out);
		return CLI_EXIT_OK;
	}
	if (!strcmp(step, "overview")) {
		print_overview(out);
		json_decref(out);
		return CLI_EXIT_OK;
	}
	print_form(out);
	for (size_t i = 0; i < json_array_size(json_object_get(out, "warnings")); i++) {
		json_t *w = json_array_get(json_object_get(out, "warnings"), i);
		fprintf(stderr, "unionbase: warning: %s changed much from the last period\n",
			json_string_value(json_object_get(w, "indicator")));
	}
	json_decref(out);
	return CLI_EXIT_OK;
}

bool cmd_report_is_form_step(const char *s)
{
	static const char *const steps[] = { "form", "enter", "submit", "approve", "return", "unlock", "overview", "inbox" };

	for (size_t i = 0; s && i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(s, steps[i]) == 0)
			return true;
	return false;
}

/* A figure of the API (value, status) after its label. */
static void print_figure(json_t *x, const char *label, int width)
{
	printf("%-*s", width, label ? label : "");
	print_number(json_object_get(x, "value"), 14);
	printf("  %s\n", json_string_value(json_object_get(x, "status")));
}

/* unionbase indicators values|series|children [CODE] --unit CODE
 * (--period P | --to P [--count N]) [--mapped] [--json] --db DB */
static int indicator_figures(const char *step, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },	    { "unit", required_argument, NULL, 'u' },
		{ "period", required_argument, NULL, 'p' }, { "to", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },  { "mapped", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },	    { NULL, 0, NULL, 0 },
	};
	bool series = strcmp(step, "series") == 0, values = strcmp(step, "values") == 0, json = false, bad;
	json_t *query = json_object(), *out = NULL, *x;
	const char *url = NULL, *code = NULL;
	size_t i;
	int c, rc;

	optind = 1;
	bad = !query;
	while (!bad && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'u': bad = json_object_set_new(query, "unit", json_string(optarg)) != 0; break;
		case 'p': bad = series || json_object_set_new(query, "period", json_string(optarg)) != 0; break;
		case 't': bad = !series || json_object_set_new(query, "to", json_string(optarg)) != 0; break;
		case 'c': bad = !series || json_object_set_new(query, "count", json_string(optarg)) != 0; break;
		case 'm': bad = json_object_set_new(query, "mapped", json_string("true")) != 0; break;
		case 'j': json = true; break;
		default: bad = true;
		}
	}
	if (!values)
		code = optind < argc ? argv[optind++] : NULL;
	if (bad || (!values && !code) || optind < argc || !json_object_get(query, "unit") ||
	    !json_object_get(query, series ? "to" : "period")) {
		json_decref(query);
		fputs(INDICATORS_HELP, stderr);
		return CLI_EXIT_USAGE;
	}
	rc = run_step(url, &(step_call_t){ .step = step, .indicator = code, .figures = true, .query = query }, &out);
	json_decref(query);
	if (rc)
		return rc;
	if (json)
		return cli_print_json(out);
	json_array_foreach(json_object_get(out, "items"), i, x) {
		if (values)
			print_figure(x, json_string_value(json_object_get(x, "indicator")), 32);
		else if (series)
			print_figure(x, json_string_value(json_object_get(x, "period")), 24);
		else
			print_figure(x, json_string_value(json_object_get(json_object_get(x, "unit"), "code")), 24);
	}
	json_decref(out);
	return CLI_EXIT_OK;
}

int cmd_indicators(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL;
	indicator_t *v = NULL;
	bool json = false;
	size_t n = 0;
	json_t *items;
	db_t *db;
	err_t e;
	int c;

	if (argc >= 2 && (!strcmp(argv[1], "values") || !strcmp(argv[1], "series") || !strcmp(argv[1], "children")))
		return indicator_figures(argv[1], argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "list") != 0) {
		bool help = argc >= 2 && !strcmp(argv[1], "help");
		fputs(INDICATORS_HELP, help ? stdout : stderr);
		return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'j': json = true; break;
		default: return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc - 1)
		return cli_usage("indicators list: too many arguments");
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	err_clear(&e);
	c = report_indicators(db, &v, &n, &e);
	db_close(db);
	if (c)
		return cli_fail(&e);
	if (!json) {
		for (size_t i = 0; i < n; i++)
			printf("%-32s %-9s %-7s %s\n", v[i].code, ind_source_name(v[i].source), ind_rollup_name(v[i].rollup),
			       v[i].name_vi);
		free(v);
		return CLI_EXIT_OK;
	}
	items = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", v[i].code, "name_vi",
						       v[i].name_vi, "name_en", v[i].name_en, "source",
						       ind_source_name(v[i].source), "rollup", ind_rollup_name(v[i].rollup)));
	free(v);
	return cli_print_json(json_pack("{s:o}", "items", items));
}
