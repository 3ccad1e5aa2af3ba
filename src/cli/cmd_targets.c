/*
 * cmd_targets.c - a unit's targets for a congress term on the command
 * line, as the API does them (api/targets.c, docs/reports.md, Targets):
 *   unionbase targets show --unit CODE --term T [--json] --db DB
 *   unionbase targets set --unit CODE --term T CODE=VALUE... [--allowance CODE=A]... [--at-most CODE]... --db DB
 * The command line holds every right: the targets it sets for a unit
 * below the top are handed down, as the level above sets them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/indicator.h"

static const char TARGETS_HELP[] =
	"usage: unionbase targets show --unit CODE --term T [--json] --db DB\n"
	"       unionbase targets set --unit CODE --term T CODE=VALUE... [--allowance CODE=A]... [--at-most CODE]...\n"
	"                             [--json] --db DB\n"
	"  the targets of a unit for a congress term (T2026-2031): each with the\n"
	"  value to date, the path's point for today and its status (reached, on\n"
	"  track, behind, missed, no data), and how many are reached; set sets\n"
	"  them (VALUE 'null' removes one), handed down with the room the unit\n"
	"  has to lower each (--allowance), at least the value unless --at-most\n";

/* The target spec of code in targets, made when absent (NULL: no memory). */
static json_t *spec_of(json_t *targets, const char *code)
{
	json_t *s = json_object_get(targets, code);

	if (s)
		return s;
	s = json_object();
	if (s && json_object_set_new(targets, code, s))
		return NULL;
	return s;
}

/* "CODE=NUMBER" into key of the spec of CODE ('null' VALUE: the target
 * removed). Returns 0 or -1 when arg is not one. */
static int add_number(json_t *targets, const char *arg, const char *key)
{
	const char *eq = strchr(arg, '=');
	char code[IND_CODE_MAX + 1], *end = NULL;
	json_t *spec;
	double v;

	if (!eq || eq == arg || (size_t)(eq - arg) > IND_CODE_MAX)
		return -1;
	snprintf(code, sizeof(code), "%.*s", (int)(eq - arg), arg);
	if (!strcmp(key, "value") && !strcmp(eq + 1, "null"))
		return json_object_set_new(targets, code, json_null());
	v = strtod(eq + 1, &end);
	spec = eq[1] && !*end ? spec_of(targets, code) : NULL;
	if (!json_is_object(spec))
		return -1;
	return json_object_set_new(spec, key, json_real(v));
}

static int add_at_most(json_t *targets, const char *code)
{
	json_t *spec = spec_of(targets, code);

	return json_is_object(spec) ? json_object_set_new(spec, "direction", json_string("at_most")) : -1;
}

static void print_number(json_t *v, int width)
{
	if (json_is_number(v))
		printf(" %*.*f", width, json_is_integer(v) ? 0 : 3, json_number_value(v));
	else
		printf(" %*s", width, "-");
}

static void print_targets(json_t *o)
{
	json_t *s = json_object_get(o, "summary"), *x;
	size_t i;

	printf("%s %s (%s to %s): %lld of %lld targets reached, %lld on track, %lld behind, %lld missed, %lld no data\n",
	       json_string_value(json_object_get(json_object_get(o, "unit"), "code")),
	       json_string_value(json_object_get(o, "term")), json_string_value(json_object_get(o, "from")),
	       json_string_value(json_object_get(o, "to")), (long long)json_integer_value(json_object_get(s, "reached")),
	       (long long)json_integer_value(json_object_get(s, "total")),
	       (long long)json_integer_value(json_object_get(s, "on_track")),
	       (long long)json_integer_value(json_object_get(s, "behind")),
	       (long long)json_integer_value(json_object_get(s, "missed")),
	       (long long)json_integer_value(json_object_get(s, "no_data")));
	printf("%-32s %-8s %12s %12s %12s  %s\n", "indicator", "", "target", "to date", "expected", "status");
	json_array_foreach(json_object_get(o, "items"), i, x) {
		printf("%-32s %-8s", json_string_value(json_object_get(x, "indicator")),
		       strcmp(json_string_value(json_object_get(x, "direction")), "at_most") ? "at least" : "at most");
		print_number(json_object_get(x, "target"), 12);
		print_number(json_object_get(x, "value"), 12);
		print_number(json_object_get(x, "expected"), 12);
		printf("  %s\n", json_string_value(json_object_get(x, "status")));
	}
}

int cmd_targets(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },	       { "unit", required_argument, NULL, 'u' },
		{ "term", required_argument, NULL, 't' },      { "json", no_argument, NULL, 'j' },
		{ "allowance", required_argument, NULL, 'a' }, { "at-most", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *step = argc > 1 ? argv[1] : "", *url = NULL, *unit = NULL, *term = NULL;
	json_t *targets = json_object(), *body, *out = NULL;
	bool json = false, set = !strcmp(step, "set"), bad = !targets || (!set && strcmp(step, "show") != 0);
	principal_t who;
	db_t *db;
	err_t e;
	int c, rc;

	if (!strcmp(step, "help")) {
		json_decref(targets);
		fputs(TARGETS_HELP, stdout);
		return CLI_EXIT_OK;
	}
	optind = 1;
	while (!bad && (c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'u': unit = optarg; break;
		case 't': term = optarg; break;
		case 'j': json = true; break;
		case 'a': bad = !set || add_number(targets, optarg, "allowance") != 0; break;
		case 'm': bad = !set || add_at_most(targets, optarg) != 0; break;
		default: bad = true;
		}
	}
	while (!bad && optind < argc - 1)
		bad = !set || add_number(targets, argv[1 + optind++], "value") != 0;
	if (bad || !unit || !term || (set && !json_object_size(targets))) {
		json_decref(targets);
		fputs(TARGETS_HELP, stderr);
		return CLI_EXIT_USAGE;
	}
	body = json_pack("{s:o}", "targets", targets);
	db = body ? cli_open_db(url) : NULL;
	if (!db) {
		json_decref(body);
		return CLI_EXIT_FAIL;
	}
	cli_principal(&who);
	err_clear(&e);
	rc = api_target_step(db, &who, step, unit, term, set ? body : NULL, &out, &e);
	json_decref(body);
	db_close(db);
	if (rc)
		return cli_fail(&e);
	if (json)
		return cli_print_json(out);
	print_targets(out);
	json_decref(out);
	return CLI_EXIT_OK;
}
