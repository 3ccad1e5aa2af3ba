/*
 * cmd_members.c - `unionbase members ...`: the member registry from the
 * command line, through the same store functions and the same checks as
 * the API (api_member_read reads the options as it reads a request body).
 * The command line acts as the program itself: every unit, sensitive data
 * unmasked (whoever can open the database can read it anyway); what it adds
 * is audited under cli:<login name>.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/card.h"
#include "core/password.h"
#include "core/text.h"
#include "io/card_json.h"
#include "io/member_json.h"
#include "io/qr.h"
#include "io/unit_json.h"
#include "store/card.h"
#include "store/members.h"
#include "store/org_store.h"
#include "store/privacy.h"
#include "store/scope.h"

static const char MEMBERS_HELP[] =
	"usage: unionbase members COMMAND [OPTIONS] --db DB\n"
	"\n"
	"  list [--unit CODE] [--q TEXT] [--as-of YYYY-MM-DD] [--limit N] [--json]\n"
	"                       the members on that day (today by default), by name;\n"
	"                       --q: words that begin words of the name (no diacritics\n"
	"                       needed), or the first digits of an ID number or phone\n"
	"  show ID [--as-of YYYY-MM-DD] [--json]\n"
	"                       a member's record and history\n"
	"  add --full-name N --birth-date D --unit CODE [--joined-on D] [--sex female|male]\n"
	"      [--kind member|honorary] [--ethnicity CODE] [--id-number N] [--phone P]\n"
	"      [--field NAME=VALUE ...] [--rejoin] [--json]\n"
	"                       adds a member, checked as the API checks her (--field:\n"
	"                       religion, education, qualification, political_theory,\n"
	"                       occupation, hamlet, street, circumstances, notes;\n"
	"                       digital=true, party_member=true); --rejoin: the former\n"
	"                       member whose ID number and date of birth these are joins\n"
	"                       again, her record kept as it is\n"
	"  edit ID [--full-name N] [--birth-date D] [--sex S] [--ethnicity C] [--id-number N]\n"
	"      [--phone P] [--field NAME=VALUE ...] [--json]\n"
	"                       corrects her record, checked whole as the API checks it\n"
	"  leave ID --reason moved_away|married_away|left|died [--date D]\n"
	"                       her stay ends on D (today by default)\n"
	"  rejoin ID --unit CODE [--date D] [--kind member|honorary]\n"
	"                       a former member joins again, in that branch or group\n"
	"  transfer ID --to CODE [--date D]\n"
	"                       she moves to that branch or group on D\n"
	"  transfers [--unit CODE] [--out] [--status pending|accepted|refused|cancelled]\n"
	"      [--limit N] [--json]\n"
	"                       the transfers a unit's subtree receives (its inbox), or\n"
	"                       sends with --out; newest first; every unit's without --unit\n"
	"  accept TRANSFER [--date D] | refuse TRANSFER --reason TEXT\n"
	"                       answers a transfer issued through the API\n"
	"  pay ID --year Y [--amount VND] [--date D]\n"
	"                       her dues for the year (the rate that applies by default)\n"
	"  rate CODE --year Y --amount VND\n"
	"                       the dues a unit sets for a year\n"
	"  card ID [--svg FILE] [--url BASE] [--json]\n"
	"                       her membership card today, its QR code drawn on the\n"
	"                       terminal (--svg FILE: written as SVG too); --url: the\n"
	"                       server's address as people reach it (default\n"
	"                       UNIONBASE_PUBLIC_URL, else http://localhost:8080)\n"
	"  export-personal ID   everything held about her, as JSON (audited)\n"
	"  erase ID             her personal data erased by anonymisation (audited);\n"
	"                       her memberships stay, nameless, for the figures\n";

typedef struct mopts {
	const char *db, *unit, *q, *as_of_text, *limit_text, *date_text, *reason, *to, *year, *amount, *status, *svg,
		*url;
	json_t *body; /* add: the options as a request body */
	bool json, out, rejoin;
	char **args;
	int n_args;
	principal_t who;
} mopts_t;

/* --field NAME=VALUE into body: "true"/"false" for the two booleans. */
static int add_field(json_t *body, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char name[40];

	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(name))
		return cli_usage("--field takes NAME=VALUE, not '%s'", spec);
	memcpy(name, spec, (size_t)(eq - spec));
	name[eq - spec] = '\0';
	if (!strcmp(name, "digital") || !strcmp(name, "party_member"))
		json_object_set_new(body, name, json_boolean(!strcmp(eq + 1, "true")));
	else
		json_object_set_new(body, name, json_string(eq + 1));
	return 0;
}

static int parse_opts(int argc, char **argv, mopts_t *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },        { "unit", required_argument, NULL, 'u' },
		{ "q", required_argument, NULL, 'q' },         { "as-of", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },     { "json", no_argument, NULL, 'j' },
		{ "full-name", required_argument, NULL, 'n' }, { "birth-date", required_argument, NULL, 'B' },
		{ "joined-on", required_argument, NULL, 'J' }, { "sex", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },      { "ethnicity", required_argument, NULL, 'e' },
		{ "id-number", required_argument, NULL, 'i' }, { "phone", required_argument, NULL, 'p' },
		{ "field", required_argument, NULL, 'f' },     { "date", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },    { "to", required_argument, NULL, 't' },
		{ "year", required_argument, NULL, 'y' },      { "amount", required_argument, NULL, 'a' },
		{ "status", required_argument, NULL, 'T' },    { "out", no_argument, NULL, 'O' },
		{ "svg", required_argument, NULL, 'S' },       { "url", required_argument, NULL, 'U' },
		{ "rejoin", no_argument, NULL, 'R' },          { NULL, 0, NULL, 0 },
	};
	static const struct { int c; const char *key; } BODY[] = {
		{ 'n', "full_name" }, { 'B', "birth_date" }, { 'J', "joined_on" }, { 's', "sex" }, { 'k', "kind" },
		{ 'e', "ethnicity" }, { 'i', "id_number" }, { 'p', "phone" }, { 'u', "unit" },
	};
	int c;

	memset(o, 0, sizeof(*o));
	cli_principal(&o->who);
	o->body = json_object();
	if (!o->body)
		return cli_usage("out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		for (size_t i = 0; i < sizeof(BODY) / sizeof(BODY[0]); i++)
			if (BODY[i].c == c)
				json_object_set_new(o->body, BODY[i].key, json_string(optarg));
		switch (c) {
		case 'b': o->db = optarg; break;
		case 'u': o->unit = optarg; break;
		case 'q': o->q = optarg; break;
		case 'o': o->as_of_text = optarg; break;
		case 'l': o->limit_text = optarg; break;
		case 'j': o->json = true; break;
		case 'd': o->date_text = optarg; break;
		case 'r': o->reason = optarg; break;
		case 't': o->to = optarg; break;
		case 'y': o->year = optarg; break;
		case 'a': o->amount = optarg; break;
		case 'T': o->status = optarg; break;
		case 'O': o->out = true; break;
		case 'R': o->rejoin = true; break;
		case 'S': o->svg = optarg; break;
		case 'U': o->url = optarg; break;
		case 'f':
			if (add_field(o->body, optarg))
				return CLI_EXIT_USAGE;
			break;
		case '?': return CLI_EXIT_USAGE;
		default: break;
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	return 0;
}

static void mopts_free(mopts_t *o)
{
	json_decref(o->body);
	o->body = NULL;
}

/* The day of --as-of, today by default. */
static int as_of(const mopts_t *o, date_t *d)
{
	*d = o->who.today;
	if (o->as_of_text && date_parse(o->as_of_text, d) != 0)
		return cli_usage("--as-of takes YYYY-MM-DD, not '%s'", o->as_of_text);
	return 0;
}

static void print_member_line(const member_t *m)
{
	char born[DATE_STR_LEN], since[DATE_STR_LEN];

	printf("%-8lld ", (long long)m->p.id);
	cli_print_padded(m->p.full_name, 32);
	printf("%s  %-12s since %s%s\n", date_format(m->p.birth_date, born), m->current ? m->m.unit.code : "-",
	       m->current ? date_format(m->m.valid_from, since) : "-",
	       m->current && m->m.kind == MEMBER_HONORARY ? "  (honorary)" : "");
}

static int do_list(db_t *db, mopts_t *o, err_t *e)
{
	member_query_t q = { .q = o->q, .id_prefix = true, .limit = 100 };
	member_list_t l;
	unit_t u;
	int rc;

	if (as_of(o, &q.as_of))
		return CLI_EXIT_USAGE;
	if (o->limit_text) {
		char *end = NULL;
		long v = strtol(o->limit_text, &end, 10);
		if (!end || *end || v < 1 || v > ORG_PAGE_MAX)
			return cli_usage("--limit takes 1..%d", ORG_PAGE_MAX);
		q.limit = (int)v;
	}
	if (o->unit) {
		if (org_unit_get(db, o->unit, q.as_of, &u, e))
			return cli_fail(e);
		q.unit_id = u.id;
	}
	if (member_list(db, &q, &l, e))
		return cli_fail(e);
	if (o->json) {
		json_t *items = json_array();
		for (size_t i = 0; items && i < l.n; i++)
			json_array_append_new(items, member_head_json(&l.items[i]));
		rc = cli_print_json(json_pack("{s:o, s:o, s:o}", "as_of", json_date(q.as_of), "items", items, "next",
					      l.next[0] ? json_string(l.next) : json_null()));
	} else {
		for (size_t i = 0; i < l.n; i++)
			print_member_line(&l.items[i]);
		rc = CLI_EXIT_OK;
	}
	member_list_free(&l);
	return rc;
}

/* Prints member id as of d: her record (--json) or a summary. */
static int show_member(db_t *db, const mopts_t *o, int64_t id, date_t d, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	member_t m;
	int rc = CLI_EXIT_OK;

	if (member_get(db, id, d, &m, e) || member_history(db, id, &h, &n, e))
		return cli_fail(e);
	if (o->json) {
		rc = cli_print_json(member_json(&m, h, n, true));
	} else {
		print_member_line(&m);
		for (size_t i = 0; i < n; i++) {
			char from[DATE_STR_LEN], until[DATE_STR_LEN];
			printf("  %s .. %s  %-12s %s%s%s\n", date_format(h[i].valid_from, from),
			       h[i].valid_to == DATE_OPEN ? "" : date_format(h[i].valid_to - 1, until), h[i].unit.code,
			       h[i].start_reason, h[i].end_reason[0] ? " -> " : "", h[i].end_reason);
		}
	}
	free(h);
	return rc;
}

static int do_show(db_t *db, mopts_t *o, err_t *e)
{
	char *end = NULL;
	long long id;
	date_t d;

	if (o->n_args != 1)
		return cli_usage("members show ID");
	id = strtoll(o->args[0], &end, 10);
	if (!end || *end || id <= 0)
		return cli_usage("members show: '%s' is not a member id", o->args[0]);
	if (as_of(o, &d))
		return CLI_EXIT_USAGE;
	return show_member(db, o, id, d, e);
}

/* add --rejoin: the former member whose ID number, name (folded) and date
 * of birth the options give joins unit u again on d (POST /api/v1/members
 * with rejoin; one refusal for every mismatch, as there). */
static int add_rejoin(db_t *db, mopts_t *o, const person_t *given, const unit_t *u, member_kind_t kind, date_t d,
		      err_t *e)
{
	char *a = NULL, *b = NULL;
	membership_t *h = NULL;
	bool current = false, same = false;
	int64_t id = 0;
	size_t n = 0;
	member_t m = { 0 };

	if (!given->id_number[0])
		return cli_usage("members add --rejoin: --id-number is required to find her record");
	if (member_by_id_number(db, given->id_number, &id, &current, e))
		return cli_fail(e);
	if (id && current)
		return cli_usage("members add --rejoin: ID number %s is a member's today: her unit transfers her",
				 given->id_number);
	if (id && (member_get(db, id, d, &m, e) || member_history(db, id, &h, &n, e)))
		return cli_fail(e);
	if (id && !text_fold(given->full_name, &a) && !text_fold(m.p.full_name, &b))
		same = strcmp(a, b) == 0 && m.p.birth_date == given->birth_date &&
		       !(n && strcmp(h[n - 1].end_reason, "died") == 0);
	free(a);
	free(b);
	free(h);
	if (!same)
		return cli_usage("members add --rejoin: no former member's record holds ID number %s with this name and"
				 " date of birth",
				 given->id_number);
	if (kind == MEMBER_REGULAR && m.p.sex == SEX_MALE)
		return cli_usage("a man rejoins as an honorary member only (--kind honorary)");
	person_check_join_age(m.p.birth_date, d, kind, "joined_on", e);
	if (api_check_details(e) || member_rejoin(db, &o->who, id, u->id, kind, d, e))
		return cli_fail(e);
	if (o->json)
		return show_member(db, o, id, d, e);
	printf("member %lld rejoined %s\n", (long long)id, u->code);
	return CLI_EXIT_OK;
}

static int do_add(db_t *db, mopts_t *o, err_t *e)
{
	char unit_code[UNIT_CODE_MAX * 4 + 8] = "";
	member_kind_t kind = MEMBER_REGULAR;
	date_t joined = 0;
	person_t p;
	unit_t u;

	if (o->n_args)
		return cli_usage("members add takes options only");
	api_member_read(o->body, o->who.today, &p, &kind, unit_code, sizeof(unit_code), &joined, e);
	if (api_check_details(e) || org_unit_get(db, unit_code, joined, &u, e))
		return cli_fail(e);
	if (o->rejoin)
		return add_rejoin(db, o, &p, &u, kind, joined, e);
	if (member_add(db, &o->who, &p, u.id, kind, joined, e))
		return cli_fail(e);
	if (!o->json)
		printf("member %lld added\n", (long long)p.id);
	return o->json ? show_member(db, o, p.id, joined, e) : CLI_EXIT_OK;
}

/* The one argument, a positive id, into *id. */
static int one_id(const mopts_t *o, const char *usage, int64_t *id)
{
	char *end = NULL;
	long long v;

	if (o->n_args != 1)
		return cli_usage("%s", usage);
	v = strtoll(o->args[0], &end, 10);
	if (!end || *end || v <= 0)
		return cli_usage("'%s' is not an id", o->args[0]);
	*id = v;
	return 0;
}

/* --date, today by default; a change is dated on the day it happens or
 * later, never ahead (as through the API). */
static int op_date(const mopts_t *o, date_t *d)
{
	char today[DATE_STR_LEN];

	*d = o->who.today;
	if (o->date_text && date_parse(o->date_text, d) != 0)
		return cli_usage("--date takes YYYY-MM-DD, not '%s'", o->date_text);
	if (*d > o->who.today)
		return cli_usage("--date %s is after today (%s): record only what has happened", o->date_text,
				 date_format(o->who.today, today));
	return 0;
}

static int do_leave(db_t *db, mopts_t *o, err_t *e)
{
	static const char *const REASONS[] = { "moved_away", "married_away", "left", "died" };
	bool known = false;
	int64_t id = 0;
	date_t d;

	if (one_id(o, "members leave ID --reason R [--date D]", &id) || op_date(o, &d))
		return CLI_EXIT_USAGE;
	for (size_t i = 0; o->reason && i < sizeof(REASONS) / sizeof(REASONS[0]); i++)
		known = known || !strcmp(o->reason, REASONS[i]);
	if (!known)
		return cli_usage("--reason takes moved_away, married_away, left or died");
	if (member_end_stay(db, &o->who, id, d, o->reason, 0, e))
		return cli_fail(e);
	if (o->json)
		return show_member(db, o, id, d - 1, e);
	printf("member %lld left\n", (long long)id);
	return CLI_EXIT_OK;
}

/* rejoin ID --unit CODE [--date D] [--kind member|honorary] */
static int do_rejoin(db_t *db, mopts_t *o, err_t *e)
{
	json_t *k = json_object_get(o->body, "kind");
	const char *kind_text = k ? json_string_value(k) : "member";
	member_kind_t kind = MEMBER_REGULAR;
	int64_t id = 0;
	member_t m;
	unit_t u;
	date_t d;

	if (one_id(o, "members rejoin ID --unit CODE [--date D] [--kind member|honorary]", &id) || op_date(o, &d))
		return CLI_EXIT_USAGE;
	if (!o->unit)
		return cli_usage("members rejoin: --unit is required");
	if (member_kind_parse(kind_text, &kind) != 0)
		return cli_usage("--kind takes member or honorary, not '%s'", kind_text);
	if (member_get(db, id, d, &m, e) || org_unit_get(db, o->unit, d, &u, e))
		return cli_fail(e);
	if (kind == MEMBER_REGULAR && m.p.sex == SEX_MALE)
		return cli_usage("a man rejoins as an honorary member only (--kind honorary)");
	person_check_join_age(m.p.birth_date, d, kind, "date", e);
	if (api_check_details(e) || member_rejoin(db, &o->who, id, u.id, kind, d, e))
		return cli_fail(e);
	if (o->json)
		return show_member(db, o, id, d, e);
	printf("member %lld rejoined %s\n", (long long)id, u.code);
	return CLI_EXIT_OK;
}

static int do_transfer(db_t *db, mopts_t *o, err_t *e)
{
	int64_t id = 0;
	unit_t u;
	date_t d;

	if (one_id(o, "members transfer ID --to CODE [--date D]", &id) || op_date(o, &d))
		return CLI_EXIT_USAGE;
	if (!o->to)
		return cli_usage("members transfer: --to CODE is required");
	if (org_unit_get(db, o->to, d, &u, e) || member_end_stay(db, &o->who, id, d, "transferred", u.id, e))
		return cli_fail(e);
	if (o->json)
		return show_member(db, o, id, d, e);
	printf("member %lld moved to %s\n", (long long)id, u.code);
	return CLI_EXIT_OK;
}

/* accept or refuse transfer ID */
static int decide(db_t *db, mopts_t *o, transfer_decision_t what, err_t *e)
{
	int64_t id = 0;
	date_t d;

	if (one_id(o, what == TRANSFER_ACCEPT ? "members accept TRANSFER [--date D]" : "members refuse TRANSFER --reason TEXT",
		   &id) ||
	    op_date(o, &d))
		return CLI_EXIT_USAGE;
	if (what == TRANSFER_REFUSE && (!o->reason || !*o->reason))
		return cli_usage("members refuse: --reason is required");
	if (transfer_decide(db, &o->who, id, what, d, o->reason, e))
		return cli_fail(e);
	printf("transfer %lld %s\n", (long long)id, what == TRANSFER_ACCEPT ? "accepted" : "refused");
	return CLI_EXIT_OK;
}

static int number(const char *text, const char *name, long long lo, long long hi, long long *out);

/* transfers: a unit's inbox (or outbox), every unit's without --unit */
static int do_transfers(db_t *db, mopts_t *o, err_t *e)
{
	static const char *const STATUSES[] = { "pending", "accepted", "refused", "cancelled" };
	principal_t scope = o->who;
	transfer_list_t l;
	long long limit = 100;
	bool known = !o->status;
	unit_t u;

	if (o->n_args)
		return cli_usage("members transfers takes no argument ('%s')", o->args[0]);
	for (size_t i = 0; o->status && i < sizeof(STATUSES) / sizeof(STATUSES[0]); i++)
		known = known || !strcmp(o->status, STATUSES[i]);
	if (!known)
		return cli_usage("--status is one of pending, accepted, refused, cancelled, not '%s'", o->status);
	if (o->limit_text && number(o->limit_text, "--limit", 1, ORG_PAGE_MAX, &limit))
		return CLI_EXIT_USAGE;
	if (o->unit) {
		if (org_unit_get(db, o->unit, o->who.today, &u, e))
			return cli_fail(e);
		scope.unit_id = u.id;
		if (scope_load(db, &scope, e))
			return cli_fail(e);
	}
	if (transfer_list(db, o->unit ? &scope : NULL, !o->out, o->status, (int)limit, &l, e))
		return cli_fail(e);
	if (o->json) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < l.n; i++)
			json_array_append_new(a, transfer_json(&l.items[i]));
		if (cli_print_json(a)) {
			transfer_list_free(&l);
			return cli_usage("out of memory");
		}
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const transfer_t *t = &l.items[i];
			char day[DATE_STR_LEN];
			printf("%-6lld %-10s %s  %s -> %s  %s (%lld)\n", (long long)t->id, t->status, date_format(t->date, day),
			       t->from.code, t->to.code, t->full_name, (long long)t->person_id);
		}
		if (!l.n)
			printf("no transfers\n");
	}
	transfer_list_free(&l);
	return CLI_EXIT_OK;
}

static int do_accept(db_t *db, mopts_t *o, err_t *e)
{
	return decide(db, o, TRANSFER_ACCEPT, e);
}

static int do_refuse(db_t *db, mopts_t *o, err_t *e)
{
	return decide(db, o, TRANSFER_REFUSE, e);
}

/* A whole number within [lo, hi] from text, or -1 after a usage error. */
static int number(const char *text, const char *name, long long lo, long long hi, long long *out)
{
	char *end = NULL;
	long long v;

	if (!text)
		return cli_usage("%s is required", name);
	v = strtoll(text, &end, 10);
	if (!*text || !end || *end || v < lo || v > hi)
		return cli_usage("%s takes a whole number from %lld to %lld, not '%s'", name, lo, hi, text);
	*out = v;
	return 0;
}

static int do_pay(db_t *db, mopts_t *o, err_t *e)
{
	long long year = 0, amount = -1;
	int64_t id = 0;
	date_t d;

	if (one_id(o, "members pay ID --year Y [--amount VND] [--date D]", &id) || op_date(o, &d) ||
	    number(o->year, "--year", DUES_YEAR_MIN, DUES_YEAR_MAX, &year) ||
	    (o->amount && number(o->amount, "--amount", 0, DUES_AMOUNT_MAX, &amount)))
		return CLI_EXIT_USAGE;
	if (dues_pay(db, &o->who, id, (int)year, amount, d, e))
		return cli_fail(e);
	printf("dues of %lld paid for member %lld\n", year, (long long)id);
	return CLI_EXIT_OK;
}

static int do_rate(db_t *db, mopts_t *o, err_t *e)
{
	long long year = 0, amount = 0;
	unit_t u;

	if (o->n_args != 1 || number(o->year, "--year", DUES_YEAR_MIN, DUES_YEAR_MAX, &year) ||
	    number(o->amount, "--amount", 0, DUES_AMOUNT_MAX, &amount))
		return o->n_args != 1 ? cli_usage("members rate CODE --year Y --amount VND") : CLI_EXIT_USAGE;
	if (org_unit_get(db, o->args[0], o->who.today, &u, e) || dues_rate_set(db, &o->who, u.id, (int)year, amount, e))
		return cli_fail(e);
	printf("dues of %s for %lld: %lld VND\n", u.code, year, amount);
	return CLI_EXIT_OK;
}

static int do_edit(db_t *db, mopts_t *o, err_t *e)
{
	int64_t id = 0;

	if (one_id(o, "members edit ID [--full-name N] ... [--field NAME=VALUE]", &id))
		return CLI_EXIT_USAGE;
	if (json_object_size(o->body) == 0)
		return cli_usage("members edit: nothing to correct");
	if (api_member_patch(db, &o->who, id, o->body, e))
		return cli_fail(e);
	if (o->json)
		return show_member(db, o, id, o->who.today, e);
	printf("member %lld corrected\n", (long long)id);
	return CLI_EXIT_OK;
}

/* Her unit today, else her last: the unit her personal data's audit rows name. */
static int privacy_unit(db_t *db, int64_t id, date_t d, int64_t *unit_id, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	member_t m;

	if (member_get(db, id, d, &m, e) || member_history(db, id, &h, &n, e))
		return -1;
	*unit_id = m.current ? m.m.unit.id : n ? h[n - 1].unit.id : 0;
	free(h);
	return 0;
}

static int do_export(db_t *db, mopts_t *o, err_t *e)
{
	int64_t id = 0, unit_id = 0;
	json_t *j = NULL;

	if (one_id(o, "members export-personal ID", &id))
		return CLI_EXIT_USAGE;
	if (privacy_unit(db, id, o->who.today, &unit_id, e) || privacy_export_member(db, &o->who, id, unit_id, &j, e))
		return cli_fail(e);
	return cli_print_json(j);
}

static int do_erase(db_t *db, mopts_t *o, err_t *e)
{
	int64_t id = 0, unit_id = 0;

	if (one_id(o, "members erase ID", &id))
		return CLI_EXIT_USAGE;
	if (privacy_unit(db, id, o->who.today, &unit_id, e) || privacy_erase_member(db, &o->who, id, unit_id, e))
		return cli_fail(e);
	printf("member %lld erased\n", (long long)id);
	return CLI_EXIT_OK;
}

/* Writes text to path (created or replaced). Returns 0, or -1 after saying why. */
static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	size_t n = strlen(text);

	if (!f || fwrite(text, 1, n, f) != n) {
		if (f)
			fclose(f);
		fprintf(stderr, "unionbase: cannot write %s\n", path);
		return -1;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "unionbase: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* Her card today: its words, the URL its QR code holds and the code drawn
 * on the terminal (and as SVG into --svg), or the API's JSON (--json). */
static int do_card(db_t *db, mopts_t *o, err_t *e)
{
	const char *base = o->url ? o->url : getenv("UNIONBASE_PUBLIC_URL");
	char url[CARD_URL_BUF], since[DATE_STR_LEN], *text = NULL, *svg = NULL;
	member_card_t card;
	int64_t id = 0;
	qr_t q = { 0 };
	int rc = CLI_EXIT_FAIL;

	if (one_id(o, "members card ID [--svg FILE] [--url BASE] [--json]", &id))
		return CLI_EXIT_USAGE;
	if (!base || !*base)
		base = "http://localhost:8080";
	if (!card_base_ok(base))
		return cli_usage("--url (or UNIONBASE_PUBLIC_URL) is http:// or https://, a host and an optional path, not '%s'",
				 base);
	if (password_init() != 0)
		return cli_usage("libsodium cannot start");
	if (card_issue(db, &o->who, id, &card, e))
		return cli_fail(e);
	card_url(base, card.token, url);
	if (qr_encode(url, &q, e))
		return cli_fail(e);
	if (o->svg && (!(svg = qr_svg(&q)) || write_file(o->svg, svg)))
		goto out;
	if (o->json) {
		json_t *j = member_card_json(&card, o->who.today, base, e);
		rc = j ? cli_print_json(j) : cli_fail(e);
		goto out;
	}
	text = qr_text(&q);
	if (!text)
		goto out;
	printf("membership card of %s (member %lld)\n", card.full_name, (long long)card.person_id);
	printf("unit: %s %s\n", card.unit.code, card.unit.name_vi);
	printf("%s since %s\n", card.kind == MEMBER_HONORARY ? "honorary member" : "member",
	       date_format(card.since, since));
	printf("check: %s\n", url);
	printf("QR version %d (%d modules a side)\n%s", q.version, q.width, text);
	rc = CLI_EXIT_OK;
out:
	free(text);
	free(svg);
	qr_free(&q);
	return rc;
}

typedef int (*members_fn)(db_t *db, mopts_t *o, err_t *e);

static const struct {
	const char *name;
	members_fn fn;
} MEMBER_COMMANDS[] = {
	{ "list", do_list },
	{ "show", do_show },
	{ "add", do_add },
	{ "edit", do_edit },
	{ "leave", do_leave },
	{ "transfer", do_transfer },
	{ "transfers", do_transfers },
	{ "rejoin", do_rejoin },
	{ "accept", do_accept },
	{ "refuse", do_refuse },
	{ "pay", do_pay },
	{ "rate", do_rate },
	{ "card", do_card },
	{ "export-personal", do_export },
	{ "erase", do_erase },
};

int cmd_members(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "help";
	mopts_t o;
	db_t *db;
	err_t e;
	int rc;

	if (!strcmp(sub, "help") || !strcmp(sub, "--help")) {
		fputs(MEMBERS_HELP, stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(MEMBER_COMMANDS) / sizeof(MEMBER_COMMANDS[0]); i++) {
		if (strcmp(sub, MEMBER_COMMANDS[i].name) != 0)
			continue;
		rc = parse_opts(argc - 1, argv + 1, &o);
		if (rc) {
			mopts_free(&o);
			return rc;
		}
		db = cli_open_db(o.db);
		if (!db) {
			mopts_free(&o);
			return CLI_EXIT_FAIL;
		}
		err_clear(&e);
		rc = MEMBER_COMMANDS[i].fn(db, &o, &e);
		db_close(db);
		mopts_free(&o);
		return rc;
	}
	return cli_usage("members: unknown command '%s'", sub);
}
