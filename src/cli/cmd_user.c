/*
 * cmd_user.c - `unionbase user add|list|edit|disable|enable|passwd|reset|token`: user
 * accounts from the command line (for the first admins of a deployment and
 * for scripts). Passwords are read from standard input when it is not a
 * terminal, else generated and printed once.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/password.h"
#include "store/auth_store.h"
#include "store/org_store.h"
#include "store/privacy.h"

static const char USER_HELP[] =
	"usage: unionbase user COMMAND ... --db DB\n"
	"  add NAME --unit CODE --role ROLE [--role ROLE ...] [--display-name TEXT]\n"
	"           [--person ID]\n"
	"                 the password is read from standard input when it is not a\n"
	"                 terminal; otherwise one is generated and printed once;\n"
	"                 --person: the member record that is hers (a member's own\n"
	"                 account: with --role member she sees her record and card)\n"
	"  list [--json]\n"
	"  edit NAME [--display-name TEXT] [--unit CODE] [--role ROLE ...]\n"
	"            [--person ID|none]\n"
	"                 change what is given; --role replaces her roles\n"
	"  disable NAME | enable NAME\n"
	"  passwd NAME    a new password, read or generated as for add\n"
	"  reset NAME     a one-time password, printed once: she must change it at\n"
	"                 her next log-in; her sessions end\n"
	"  token NAME --name TEXT [--role ROLE ...]\n"
	"                 an API token with some of the user's roles, printed once\n"
	"  export NAME    everything held about her, as JSON (audited)\n"
	"  erase NAME     anonymise her account on request (audited; see docs/privacy.md)\n"
	"roles: viewer, entry, approver, admin, member\n";

/* Reads a password from stdin when it is not a terminal (first line), or
 * generates one. *generated says which. */
static int get_password(char *buf, size_t cap, bool *generated)
{
	*generated = false;
	if (!isatty(STDIN_FILENO)) {
		size_t n;
		if (!fgets(buf, (int)cap, stdin))
			return cli_usage("no password on standard input");
		n = strcspn(buf, "\r\n");
		/* a line that does not fit is refused, not cut: a cut password
		 * would not be the one its owner types */
		if (!buf[n] && !feof(stdin))
			return cli_usage("the password on standard input is too long (at most %d characters)",
					 PASSWORD_MAX_LEN);
		buf[n] = '\0';
		return 0;
	}
	password_generate(buf);
	*generated = true;
	return 0;
}

int cmd_user(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' }, { "unit", required_argument, NULL, 'u' },
		{ "role", required_argument, NULL, 'r' }, { "display-name", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' },
		{ "person", required_argument, NULL, 'P' }, { NULL, 0, NULL, 0 },
	};
	const char *sub = argc > 1 ? argv[1] : "help", *url = NULL, *unit = NULL, *display = NULL, *name = NULL;
	char roles_text[256] = "", password[PASSWORD_MAX_LEN * 4 + 2];
	unsigned roles = 0;
	int64_t person = 0;
	bool json = false, generated = false, has_person = false;
	principal_t who;
	db_t *db;
	user_t u = { 0 };
	err_t e;
	int c, rc = CLI_EXIT_FAIL;

	if (!strcmp(sub, "help") || !strcmp(sub, "--help")) {
		fputs(USER_HELP, stdout);
		return CLI_EXIT_OK;
	}
	optind = 1;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'u': unit = optarg; break;
		case 'd': display = optarg; break;
		case 'n': name = optarg; break;
		case 'j': json = true; break;
		case 'P':
		{
			char *end = NULL;
			long long v = strtoll(optarg, &end, 10);
			has_person = true;
			if (!strcmp(optarg, "none"))
				person = 0;
			else if (*optarg && !*end && v > 0)
				person = (int64_t)v;
			else
				return cli_usage("--person takes a member's id (or none, to unlink, with edit)");
			break;
		}
		case 'r':
		{
			size_t len = strlen(roles_text);
			if (len + strlen(optarg) + 2 > sizeof(roles_text))
				return cli_usage("too many --role");
			snprintf(roles_text + len, sizeof(roles_text) - len, " %s", optarg);
			break;
		}
		default: return CLI_EXIT_USAGE;
		}
	}
	err_clear(&e);
	if (roles_text[0] && roles_parse(roles_text, &roles, "role", &e))
		return cli_fail(&e);
	if (strcmp(sub, "list") != 0 && optind >= argc)
		return cli_usage("user %s needs a user name", sub);
	if (password_init() != 0)
		return cli_usage("libsodium cannot start");
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	cli_principal(&who);
	if (!strcmp(sub, "add")) {
		if (!unit || !roles) {
			db_close(db);
			return cli_usage("user add NAME --unit CODE --role ROLE");
		}
		if (get_password(password, sizeof(password), &generated) == 0 &&
		    user_create(db, &who, argv[optind], display, unit, roles, person, password, &u, &e) == 0) {
			printf("user %s created at %s\n", u.username, u.unit_code);
			if (u.person_id)
				printf("her member record: %lld\n", (long long)u.person_id);
			if (generated)
				printf("password: %s\n(shown once)\n", password);
			rc = CLI_EXIT_OK;
		} else {
			rc = e.kind ? cli_fail(&e) : CLI_EXIT_USAGE;
		}
	} else if (!strcmp(sub, "list")) {
		user_list_t l;
		if (users_list(db, &who, &l, &e) == 0) {
			for (size_t i = 0; i < l.n; i++) {
				char r[64];
				roles_format(l.items[i].roles, r, sizeof(r));
				char person_text[32] = "null";
				if (l.items[i].person_id)
					snprintf(person_text, sizeof(person_text), "%lld", (long long)l.items[i].person_id);
				if (json)
					printf("{\"username\":\"%s\",\"unit\":\"%s\",\"roles\":\"%s\",\"disabled\":%s,"
					       "\"person_id\":%s}\n",
					       l.items[i].username, l.items[i].unit_code, r,
					       l.items[i].disabled ? "true" : "false", person_text);
				else
					printf("%-20s %-12s %-24s %s%s%s\n", l.items[i].username, l.items[i].unit_code, r,
					       l.items[i].disabled ? "disabled" : "", l.items[i].person_id ? " member " : "",
					       l.items[i].person_id ? person_text : "");
			}
			user_list_free(&l);
			rc = CLI_EXIT_OK;
		} else {
			rc = cli_fail(&e);
		}
	} else if (!strcmp(sub, "edit")) {
		unit_t place = { 0 };
		user_t after = { 0 };
		if (!display && !unit && !roles && !has_person) {
			db_close(db);
			return cli_usage("user edit NAME [--display-name TEXT] [--unit CODE] [--role ROLE ...] [--person ID|none]");
		}
		if (user_by_name(db, argv[optind], who.today, &u, NULL, &e) == 0 &&
		    (!unit || org_unit_get(db, unit, who.today, &place, &e) == 0) &&
		    user_update(db, &who, u.id, display, place.id, roles, has_person ? &person : NULL, &after, &e) == 0) {
			char r[64];
			roles_format(after.roles, r, sizeof(r));
			printf("user %s: %s, at %s, roles %s", after.username, after.display_name, after.unit_code, r);
			if (after.person_id)
				printf(", member record %lld", (long long)after.person_id);
			printf("\n");
			rc = CLI_EXIT_OK;
		} else {
			rc = cli_fail(&e);
		}
	} else if (!strcmp(sub, "reset")) {
		char once[17];
		if (user_by_name(db, argv[optind], who.today, &u, NULL, &e) == 0 &&
		    user_reset_password(db, &who, u.id, once, &e) == 0) {
			printf("one-time password of %s: %s\n(shown once; she must change it at her next log-in)\n",
			       u.username, once);
			memset(once, 0, sizeof(once));
			rc = CLI_EXIT_OK;
		} else {
			rc = cli_fail(&e);
		}
	} else if (!strcmp(sub, "disable") || !strcmp(sub, "enable")) {
		if (user_by_name(db, argv[optind], who.today, &u, NULL, &e) == 0 &&
		    user_set_disabled(db, &who, u.id, !strcmp(sub, "disable"), &e) == 0) {
			printf("user %s %sd\n", u.username, sub);
			rc = CLI_EXIT_OK;
		} else {
			rc = cli_fail(&e);
		}
	} else if (!strcmp(sub, "passwd")) {
		if (user_by_name(db, argv[optind], who.today, &u, NULL, &e) == 0 &&
		    get_password(password, sizeof(password), &generated) == 0 &&
		    user_set_password(db, &who, u.id, password, NULL, &e) == 0) {
			printf("password of %s changed%s\n", u.username, generated ? "" : " (from standard input)");
			if (generated)
				printf("password: %s\n(shown once)\n", password);
			rc = CLI_EXIT_OK;
		} else {
			rc = e.kind ? cli_fail(&e) : CLI_EXIT_USAGE;
		}
	} else if (!strcmp(sub, "token")) {
		char secret[SECRET_TEXT_MAX];
		api_token_t tok;
		if (!name) {
			db_close(db);
			return cli_usage("user token NAME --name TEXT [--role ROLE]");
		}
		if (user_by_name(db, argv[optind], who.today, &u, NULL, &e) == 0 &&
		    token_create(db, &who, &u, name, roles ? roles : u.roles, 0, secret, &tok, &e) == 0) {
			printf("%s\n", secret);
			rc = CLI_EXIT_OK;
		} else {
			rc = cli_fail(&e);
		}
	} else if (!strcmp(sub, "export")) {
		json_t *j = NULL;
		if (user_by_name(db, argv[optind], who.today, &u, NULL, &e) == 0 &&
		    privacy_export_user(db, &who, u.id, &j, &e) == 0)
			rc = cli_print_json(j);
		else
			rc = cli_fail(&e);
	} else if (!strcmp(sub, "erase")) {
		if (user_by_name(db, argv[optind], who.today, &u, NULL, &e) == 0 && privacy_erase_user(db, &who, u.id, &e) == 0) {
			printf("user %s erased (now erased-%lld)\n", u.username, (long long)u.id);
			rc = CLI_EXIT_OK;
		} else {
			rc = cli_fail(&e);
		}
	} else {
		rc = cli_usage("user: unknown command '%s'", sub);
	}
	memset(password, 0, sizeof(password));
	db_close(db);
	return rc;
}
