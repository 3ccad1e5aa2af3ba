/*
 * cmd_units.c - `unionbase units ...`: the organisation tree from the command
 * line, through the same store functions as the API. Codes are resolved as
 * of --as-of (reads) or --date (operations), today by default.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/org_ops.h"
#include "io/unit_json.h"
#include "store/org_store.h"

static const char UNITS_HELP[] =
	"usage: unionbase units COMMAND [OPTIONS] --db DB\n"
	"\n"
	"reading (as of --as-of YYYY-MM-DD, today by default; --json for scripts):\n"
	"  list [--level L] [--parent CODE] [--q TEXT] [--sort code|name] [--limit N]\n"
	"  show CODE            a unit, its names, parents and events through time\n"
	"  tree [CODE] [--depth N]\n"
	"  lineage CODE         predecessors and successors through merges and splits\n"
	"  events [CODE]        reorganisation events, newest first\n"
	"\n"
	"changing (each takes --date YYYY-MM-DD, the first day of the new state, and\n"
	"an optional --note TEXT):\n"
	"  add --code C --name-vi N --name-en N --level L [--parent P] [--kind K] [--attr 'a b']\n"
	"  rename CODE --name-vi N --name-en N\n"
	"  attributes CODE --attr 'a b'   the unit's attributes from --date on ('' for none)\n"
	"  move CODE --parent P\n"
	"  close CODE\n"
	"  merge SRC SRC... --into CODE\n"
	"  merge SRC SRC... --code C --name-vi N --name-en N [--level L] [--parent P]\n"
	"  split CODE --part C:NAME_VI:NAME_EN --part ... [--child CHILD=C ...]\n"
	"  apply FILE.csv       apply an operations file (columns op,date,code,name_vi,\n"
	"                       name_en,level,kind,attributes,parent,sources,note; UTF-8):\n"
	"                       every row is checked first, then all are applied in\n"
	"                       date order, or none: a refusal names each bad line\n";

typedef struct uopts {
	const char *db, *level, *parent, *q, *sort, *code, *name_vi, *name_en, *kind, *attr, *note, *into;
	date_t as_of, date;
	bool has_date, json;
	int limit, depth;
	const char *parts[32];
	int n_parts;
	const char *children[512];
	int n_children;
	char **args;
	int n_args;
	principal_t who; /* the command line acts as the program itself */
} uopts_t;

static int parse_opts(int argc, char **argv, uopts_t *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' }, { "level", required_argument, NULL, 'l' },
		{ "parent", required_argument, NULL, 'p' }, { "q", required_argument, NULL, 'q' },
		{ "sort", required_argument, NULL, 's' }, { "code", required_argument, NULL, 'c' },
		{ "name-vi", required_argument, NULL, 'v' }, { "name-en", required_argument, NULL, 'e' },
		{ "kind", required_argument, NULL, 'k' }, { "attr", required_argument, NULL, 'a' },
		{ "note", required_argument, NULL, 'n' }, { "into", required_argument, NULL, 'i' },
		{ "as-of", required_argument, NULL, 'o' }, { "date", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' }, { "limit", required_argument, NULL, 'L' },
		{ "depth", required_argument, NULL, 'D' }, { "part", required_argument, NULL, 'P' },
		{ "child", required_argument, NULL, 'C' }, { NULL, 0, NULL, 0 },
	};
	char *end = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	cli_principal(&o->who);
	o->as_of = o->who.today;
	o->limit = 100;
	o->depth = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o->db = optarg; break;
		case 'l': o->level = optarg; break;
		case 'p': o->parent = optarg; break;
		case 'q': o->q = optarg; break;
		case 's': o->sort = optarg; break;
		case 'c': o->code = optarg; break;
		case 'v': o->name_vi = optarg; break;
		case 'e': o->name_en = optarg; break;
		case 'k': o->kind = optarg; break;
		case 'a': o->attr = optarg; break;
		case 'n': o->note = optarg; break;
		case 'i': o->into = optarg; break;
		case 'j': o->json = true; break;
		case 'o':
			if (date_parse(optarg, &o->as_of))
				return cli_usage("--as-of wants YYYY-MM-DD, not '%s'", optarg);
			break;
		case 'd':
			if (date_parse(optarg, &o->date))
				return cli_usage("--date wants YYYY-MM-DD, not '%s'", optarg);
			if (o->date >= DATE_OPEN)
				return cli_usage("--date wants a day before 9999-12-31 (which stands for \"still holds\")");
			o->has_date = true;
			break;
		case 'L':
			o->limit = (int)strtol(optarg, &end, 10);
			if (*end || o->limit < 1 || o->limit > ORG_PAGE_MAX)
				return cli_usage("--limit takes a number from 1 to %d", ORG_PAGE_MAX);
			break;
		case 'D':
			o->depth = (int)strtol(optarg, &end, 10);
			if (*end || o->depth < 1 || o->depth > 6)
				return cli_usage("--depth takes a number from 1 to 6");
			break;
		case 'P':
			if (o->n_parts == 32)
				return cli_usage("at most 32 --part");
			o->parts[o->n_parts++] = optarg;
			break;
		case 'C':
			if (o->n_children == 512)
				return cli_usage("at most 512 --child");
			o->children[o->n_children++] = optarg;
			break;
		default: return CLI_EXIT_USAGE;
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	return 0;
}

static void print_unit_line(const unit_t *u, int indent)
{
	char from[DATE_STR_LEN], to[DATE_STR_LEN];

	printf("%*s%-12s %s (%s)", indent, "", u->code, u->name_vi, u->level);
	if (u->valid_to != DATE_OPEN)
		printf("  %s – %s", date_format(u->valid_from, from), date_format(u->valid_to - 1, to));
	else if (u->valid_from > 0)
		printf("  from %s", date_format(u->valid_from, from));
	if (u->child_count)
		printf("  [%lld]", (long long)u->child_count);
	putchar('\n');
}

static int out_unit(const uopts_t *o, const unit_t *u)
{
	if (o->json)
		return cli_print_json(unit_json(u));
	print_unit_line(u, 0);
	return CLI_EXIT_OK;
}

static int do_list(db_t *db, const uopts_t *o, err_t *e)
{
	unit_query_t q = { .as_of = o->as_of, .level = o->level, .q = o->q, .limit = o->limit };
	unit_list_t l;
	unit_t p;

	if (o->sort && strcmp(o->sort, "name") == 0)
		q.sort_name = true;
	if (o->parent) {
		if (org_unit_get(db, o->parent, o->as_of, &p, e))
			return cli_fail(e);
		q.parent_id = p.id;
	}
	if (org_units_list(db, &q, &l, e))
		return cli_fail(e);
	if (o->json) {
		int rc = cli_print_json(unit_list_json(&l, o->as_of));
		unit_list_free(&l);
		return rc;
	}
	for (size_t i = 0; i < l.n; i++)
		print_unit_line(&l.items[i], 0);
	printf("%zu unit(s)%s\n", l.n, l.next[0] ? " (more: raise --limit)" : "");
	unit_list_free(&l);
	return CLI_EXIT_OK;
}

static int do_show(db_t *db, const uopts_t *o, err_t *e)
{
	char a[DATE_STR_LEN], b[DATE_STR_LEN];
	unit_history_t h;
	unit_t u;

	if (o->n_args != 1)
		return cli_usage("units show CODE");
	if (org_unit_get(db, o->args[0], o->as_of, &u, e) || org_unit_history(db, u.id, &h, e))
		return cli_fail(e);
	if (o->json) {
		int rc = cli_print_json(unit_detail_json(&u, &h));
		unit_history_free(&h);
		return rc;
	}
	printf("%s  %s / %s\n", u.code, u.name_vi, u.name_en);
	printf("  level %s, kind %s%s%s\n", u.level, u.kind, u.attributes[0] ? ", " : "", u.attributes);
	printf("  valid from %s%s%s\n", date_format(u.valid_from, a), u.valid_to == DATE_OPEN ? "" : " to ",
	       u.valid_to == DATE_OPEN ? "" : date_format(u.valid_to - 1, b));
	if (u.has_parent)
		printf("  parent %s %s\n", u.parent.code, u.parent.name_vi);
	printf("  %lld child unit(s)\n", (long long)u.child_count);
	for (size_t i = 0; i < h.n_names; i++)
		printf("  name  %s .. %s  %s\n", date_format(h.names[i].valid_from, a),
		       h.names[i].valid_to == DATE_OPEN ? "" : date_format(h.names[i].valid_to - 1, b), h.names[i].name_vi);
	for (size_t i = 0; h.n_attributes > 1 && i < h.n_attributes; i++)
		printf("  attributes  %s .. %s  %s\n", date_format(h.attributes[i].valid_from, a),
		       h.attributes[i].valid_to == DATE_OPEN ? "" : date_format(h.attributes[i].valid_to - 1, b),
		       h.attributes[i].attributes[0] ? h.attributes[i].attributes : "(none)");
	for (size_t i = 0; i < h.events.n; i++)
		printf("  event %s %s%s%s\n", date_format(h.events.items[i].date, a), h.events.items[i].kind,
		       h.events.items[i].note[0] ? ": " : "", h.events.items[i].note);
	unit_history_free(&h);
	return CLI_EXIT_OK;
}

static int do_tree(db_t *db, const uopts_t *o, err_t *e)
{
	unit_list_t l;
	unit_t u;

	if (org_unit_get(db, o->n_args ? o->args[0] : "VN", o->as_of, &u, e) ||
	    org_subtree(db, u.id, o->as_of, o->depth, 1000000, &l, e))
		return cli_fail(e);
	if (o->json) {
		int rc = cli_print_json(tree_json(&l, o->as_of));
		unit_list_free(&l);
		return rc;
	}
	/* depth-first print from the breadth-first list */
	{
		int *depth = calloc(l.n, sizeof(int));
		bool *done = calloc(l.n, sizeof(bool));
		size_t *stack = calloc(l.n + 1, sizeof(size_t));
		size_t sp = 0;
		if (!depth || !done || !stack) {
			free(depth);
			free(done);
			free(stack);
			unit_list_free(&l);
			return cli_fail(&(err_t){ .kind = ERR_INTERNAL, .message = "out of memory" });
		}
		stack[sp++] = 0;
		while (sp) {
			size_t i = stack[--sp];
			print_unit_line(&l.items[i], depth[i] * 2);
			/* push children in reverse so they print in order */
			for (size_t k = l.n; k-- > 1;)
				if (!done[k] && l.items[k].parent.id == l.items[i].id) {
					done[k] = true;
					depth[k] = depth[i] + 1;
					stack[sp++] = k;
				}
		}
		free(depth);
		free(done);
		free(stack);
	}
	unit_list_free(&l);
	return CLI_EXIT_OK;
}

static int do_lineage(db_t *db, const uopts_t *o, err_t *e)
{
	char a[DATE_STR_LEN];
	lineage_t l;
	unit_t u;

	if (o->n_args != 1)
		return cli_usage("units lineage CODE");
	if (org_unit_get(db, o->args[0], o->as_of, &u, e) || org_lineage(db, u.id, o->as_of, &l, e))
		return cli_fail(e);
	if (o->json) {
		int rc = cli_print_json(lineage_json(&u, &l));
		lineage_free(&l);
		return rc;
	}
	print_unit_line(&u, 0);
	for (size_t i = 0; i < l.n_pred; i++) {
		printf("  from (%s %s) ", l.pred[i].event.kind, date_format(l.pred[i].event.date, a));
		print_unit_line(&l.pred[i].unit, (l.pred[i].depth - 1) * 2);
	}
	for (size_t i = 0; i < l.n_succ; i++) {
		printf("  into (%s %s) ", l.succ[i].event.kind, date_format(l.succ[i].event.date, a));
		print_unit_line(&l.succ[i].unit, (l.succ[i].depth - 1) * 2);
	}
	if (!l.n_pred && !l.n_succ)
		printf("  no merges or splits\n");
	lineage_free(&l);
	return CLI_EXIT_OK;
}

static int do_events(db_t *db, const uopts_t *o, err_t *e)
{
	char a[DATE_STR_LEN];
	event_list_t l;
	int64_t id = 0;
	unit_t u;

	if (o->n_args > 1)
		return cli_usage("units events [CODE]");
	if (o->n_args == 1) {
		if (org_unit_get(db, o->args[0], o->as_of, &u, e))
			return cli_fail(e);
		id = u.id;
	}
	if (org_events(db, NULL, id, DATE_FIRST, DATE_OPEN, o->limit, NULL, &l, e))
		return cli_fail(e);
	if (o->json) {
		json_t *items = json_array();
		for (size_t i = 0; items && i < l.n; i++)
			json_array_append_new(items, event_json(&l.items[i]));
		event_list_free(&l);
		return cli_print_json(json_pack("{s:o}", "items", items));
	}
	for (size_t i = 0; i < l.n; i++) {
		const event_t *ev = &l.items[i];
		printf("%s %-7s", date_format(ev->date, a), ev->kind);
		for (size_t k = 0; k < ev->n_sources; k++)
			printf(" %s%s", k ? "+ " : "", ev->sources[k].code);
		printf(" ->");
		for (size_t k = 0; k < ev->n_targets; k++)
			printf(" %s %s", ev->targets[k].code, ev->targets[k].name_vi);
		printf("%s%s\n", ev->note[0] ? "  # " : "", ev->note);
	}
	event_list_free(&l);
	return CLI_EXIT_OK;
}

/* Fills a spec from --code/--name-vi/... (fields not given stay empty). */
static int spec_from_opts(const uopts_t *o, unit_spec_t *s)
{
	memset(s, 0, sizeof(*s));
	if ((o->code && ub_strlcpy(s->code, o->code, sizeof(s->code))) ||
	    (o->name_vi && ub_strlcpy(s->name_vi, o->name_vi, sizeof(s->name_vi))) ||
	    (o->name_en && ub_strlcpy(s->name_en, o->name_en, sizeof(s->name_en))) ||
	    (o->level && ub_strlcpy(s->level, o->level, sizeof(s->level))) ||
	    (o->kind && ub_strlcpy(s->kind, o->kind, sizeof(s->kind))) ||
	    (o->attr && ub_strlcpy(s->attributes, o->attr, sizeof(s->attributes))) ||
	    (o->parent && ub_strlcpy(s->parent, o->parent, sizeof(s->parent))))
		return cli_usage("a value is too long");
	return 0;
}

static int need_date(const uopts_t *o, const char *what)
{
	if (!o->has_date)
		return cli_usage("units %s needs --date YYYY-MM-DD (the first day of the change)", what);
	return 0;
}

static int do_add(db_t *db, const uopts_t *o, err_t *e)
{
	unit_spec_t s;
	unit_t u;

	if (need_date(o, "add") || spec_from_opts(o, &s))
		return CLI_EXIT_USAGE;
	if (!s.level[0])
		return cli_usage("units add needs --level");
	if (org_create(db, &o->who, &s, o->date, o->note, &u, e))
		return cli_fail(e);
	return out_unit(o, &u);
}

static int do_rename(db_t *db, const uopts_t *o, err_t *e)
{
	unit_t u;

	if (o->n_args != 1 || !o->name_vi || !o->name_en)
		return cli_usage("units rename CODE --name-vi N --name-en N --date D");
	if (need_date(o, "rename"))
		return CLI_EXIT_USAGE;
	if (org_rename(db, &o->who, o->args[0], o->date, o->name_vi, o->name_en, o->note, &u, e))
		return cli_fail(e);
	return out_unit(o, &u);
}

static int do_attributes(db_t *db, const uopts_t *o, err_t *e)
{
	unit_t u;

	if (o->n_args != 1 || !o->attr)
		return cli_usage("units attributes CODE --attr 'border island' --date D");
	if (need_date(o, "attributes"))
		return CLI_EXIT_USAGE;
	if (org_set_attributes(db, &o->who, o->args[0], o->date, o->attr, o->note, &u, e))
		return cli_fail(e);
	return out_unit(o, &u);
}

static int do_move(db_t *db, const uopts_t *o, err_t *e)
{
	unit_t u;

	if (o->n_args != 1 || !o->parent)
		return cli_usage("units move CODE --parent P --date D");
	if (need_date(o, "move"))
		return CLI_EXIT_USAGE;
	if (org_move(db, &o->who, o->args[0], o->date, o->parent, o->note, &u, e))
		return cli_fail(e);
	return out_unit(o, &u);
}

static int do_close(db_t *db, const uopts_t *o, err_t *e)
{
	unit_t u;

	if (o->n_args != 1)
		return cli_usage("units close CODE --date D");
	if (need_date(o, "close"))
		return CLI_EXIT_USAGE;
	if (org_close(db, &o->who, o->args[0], o->date, o->note, &u, e))
		return cli_fail(e);
	return out_unit(o, &u);
}

static int do_merge(db_t *db, const uopts_t *o, err_t *e)
{
	unit_spec_t s;
	int64_t ev;
	unit_t u;

	if (o->n_args < 1 || (!o->into && !o->code))
		return cli_usage("units merge SRC... --into CODE | --code C --name-vi N --name-en N, with --date D");
	if (need_date(o, "merge") || spec_from_opts(o, &s))
		return CLI_EXIT_USAGE;
	if (org_merge(db, &o->who, (const char *const *)o->args, (size_t)o->n_args, o->date, o->into ? NULL : &s,
		      o->into, o->note, &u, &ev, e))
		return cli_fail(e);
	return out_unit(o, &u);
}

static int do_split(db_t *db, const uopts_t *o, err_t *e)
{
	unit_spec_t parts[32];
	child_assign_t assign[512];
	unit_list_t out;
	int64_t ev;

	if (o->n_args != 1 || o->n_parts < 2)
		return cli_usage("units split CODE --part C:NAME_VI:NAME_EN --part ... [--child CHILD=C] --date D");
	if (need_date(o, "split"))
		return CLI_EXIT_USAGE;
	memset(parts, 0, sizeof(parts));
	for (int i = 0; i < o->n_parts; i++) {
		char buf[2 * UNIT_NAME_BUF + UNIT_CODE_MAX + 4], *save = NULL, *code, *vi, *en;
		if (ub_strlcpy(buf, o->parts[i], sizeof(buf)))
			return cli_usage("--part is too long");
		code = strtok_r(buf, ":", &save);
		vi = strtok_r(NULL, ":", &save);
		en = strtok_r(NULL, "", &save);
		if (!code || !vi || !en)
			return cli_usage("--part wants CODE:NAME_VI:NAME_EN, not '%s'", o->parts[i]);
		ub_strlcpy(parts[i].code, code, sizeof(parts[i].code));
		ub_strlcpy(parts[i].name_vi, vi, sizeof(parts[i].name_vi));
		ub_strlcpy(parts[i].name_en, en, sizeof(parts[i].name_en));
	}
	for (int i = 0; i < o->n_children; i++) {
		const char *eq = strchr(o->children[i], '=');
		size_t len = eq ? (size_t)(eq - o->children[i]) : 0;
		if (!eq || len == 0 || len > UNIT_CODE_MAX || ub_strlcpy(assign[i].part, eq + 1, sizeof(assign[i].part)))
			return cli_usage("--child wants CHILD=PART, not '%s'", o->children[i]);
		memcpy(assign[i].child, o->children[i], len);
		assign[i].child[len] = '\0';
	}
	if (org_split(db, &o->who, o->args[0], o->date, parts, (size_t)o->n_parts, assign, (size_t)o->n_children,
		      o->note, &out, &ev, e))
		return cli_fail(e);
	if (o->json) {
		int rc = cli_print_json(unit_list_json(&out, o->date));
		unit_list_free(&out);
		return rc;
	}
	for (size_t i = 0; i < out.n; i++)
		print_unit_line(&out.items[i], 0);
	unit_list_free(&out);
	return CLI_EXIT_OK;
}

static int do_apply(db_t *db, const uopts_t *o, err_t *e)
{
	size_t applied = 0, len = 0, cap = 1 << 16;
	char *buf;
	FILE *f;

	if (o->n_args != 1)
		return cli_usage("units apply FILE.csv");
	f = fopen(o->args[0], "rb");
	if (!f) {
		err_fail(e, ERR_NOT_FOUND, "not_found", "cannot open {file}", ERR_STR("file", o->args[0]));
		return cli_fail(e);
	}
	buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap && ferror(f)) {
			/* a folder, a device that fails: not an empty file */
			int err = errno;
			free(buf);
			fclose(f);
			err_fail(e, ERR_BAD_REQUEST, "unreadable", "cannot read {file}: {reason}", ERR_STR("file", o->args[0]),
				 ERR_STR("reason", strerror(err)));
			return cli_fail(e);
		}
		if (len < cap)
			break;
		if (cap >= (64u << 20)) {
			free(buf);
			buf = NULL;
			fclose(f);
			err_fail(e, ERR_TOO_LARGE, "too_large", "{file} is larger than {max} MiB", ERR_STR("file", o->args[0]),
				 ERR_INT("max", 64));
			return cli_fail(e);
		}
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (!buf) {
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		return cli_fail(e);
	}
	if (org_ops_apply_csv(db, &o->who, buf, len, &applied, e)) {
		free(buf);
		return cli_fail(e);
	}
	free(buf);
	printf("%zu operation(s) applied\n", applied);
	return CLI_EXIT_OK;
}

typedef int (*units_fn)(db_t *db, const uopts_t *o, err_t *e);

static const struct {
	const char *name;
	units_fn fn;
} UNIT_COMMANDS[] = {
	{ "list", do_list }, { "show", do_show }, { "tree", do_tree }, { "lineage", do_lineage },
	{ "events", do_events }, { "add", do_add }, { "rename", do_rename },
	{ "attributes", do_attributes }, { "move", do_move },
	{ "close", do_close }, { "merge", do_merge }, { "split", do_split }, { "apply", do_apply },
};

int cmd_units(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "help";
	uopts_t o;
	db_t *db;
	err_t e;
	int rc;

	if (!strcmp(sub, "help") || !strcmp(sub, "--help")) {
		fputs(UNITS_HELP, stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(UNIT_COMMANDS) / sizeof(UNIT_COMMANDS[0]); i++) {
		if (strcmp(sub, UNIT_COMMANDS[i].name) != 0)
			continue;
		rc = parse_opts(argc - 1, argv + 1, &o);
		if (rc)
			return rc;
		db = cli_open_db(o.db);
		if (!db)
			return CLI_EXIT_FAIL;
		err_clear(&e);
		rc = UNIT_COMMANDS[i].fn(db, &o, &e);
		db_close(db);
		return rc;
	}
	return cli_usage("units: unknown command '%s'", sub);
}
