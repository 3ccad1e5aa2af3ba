/*
 * cmd_init.c - `unionbase init [--demo [--members N]] [--levels L,...] DB`:
 * creates the schema (or migrates an older one) and, on an empty database,
 * loads the reference data; --demo adds the demo units and DEMO_MEMBERS
 * members with ten years of history (io/gen_members.h; --members 0 for
 * none). Running it again on an initialised database only migrates.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/gen_members.h"
#include "io/org_ops.h"
#include "io/report_catalogue.h"
#include "store/migrate.h"
#include "store/auth_store.h"
#include "store/org_store.h"
#include "store/util.h"
#include <stdlib.h>

/* The first system admin: user `admin` at the root unit VN, with a
 * generated password (printed by the caller once the transaction lands). */
static int create_admin(db_t *db, const principal_t *who, char password[17], err_t *e)
{
	user_t u;

	password_generate(password);
	return user_create(db, who, "admin", "Quản trị hệ thống", "VN", ROLE_ADMIN, 0, password, &u, e);
}

#define DEMO_MEMBERS 30000
#define DEMO_SEED 20251001

/* The demo's members, when asked for: n of them (0: none). */
static int demo_members(db_t *db, const principal_t *who, size_t n, gen_members_result_t *out, err_t *e)
{
	gen_members_opts_t o = { .seed = DEMO_SEED, .count = n, .today = who->today };

	memset(out, 0, sizeof(*out));
	return n ? gen_members(db, who, &o, out, e) : 0;
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "demo", no_argument, NULL, 'd' },
		{ "levels", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'b' },
		{ "members", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *levels = NULL, *members_text = NULL;
	size_t members = DEMO_MEMBERS;
	gen_members_result_t gm;
	bool demo = false;
	char msg[512], password[17] = "";
	int c, version = 0, rc = CLI_EXIT_FAIL;
	int64_t units = 0;
	size_t loaded = 0;
	db_t *db = NULL;
	principal_t who;
	err_t e;

	cli_principal(&who);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': demo = true; break;
		case 'l': levels = optarg; break;
		case 'b': url = optarg; break;
		case 'm': members_text = optarg; break;
		default: return cli_usage("init: unknown option");
		}
	}
	if (members_text) {
		char *end = NULL;
		unsigned long long n = strtoull(members_text, &end, 10);
		if (!demo || !end || *end || members_text[0] == '-' || n > GEN_MEMBERS_MAX)
			return cli_usage("init: --members takes 0..%zu, with --demo", GEN_MEMBERS_MAX);
		members = (size_t)n;
	}
	if (optind < argc)
		url = argv[optind++];
	if (optind < argc)
		return cli_usage("init: too many arguments");
	if (!url)
		url = getenv("UNIONBASE_DB");
	if (!url || !*url)
		return cli_usage("init: name the database: unionbase init [--demo] DB");
	err_clear(&e);
	if (db_open(url, &db, msg, sizeof(msg)) != DB_OK) {
		fprintf(stderr, "unionbase: %s\n", msg);
		return CLI_EXIT_FAIL;
	}
	/* all or nothing: a database is either created whole (schema,
	 * reference data, first admin) or left as it was */
	rc = db_begin(db) == DB_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	if (rc != CLI_EXIT_OK) {
		fprintf(stderr, "unionbase: %s\n", db_errmsg(db));
		goto out;
	}
	if (migrate_version(db, &version, &e) || migrate_apply(db, &e))
		goto fail;
	if (version > 0) {
		/* a database from before the report forms gets their catalogue */
		if (report_catalogue_load(db, &loaded, &e))
			goto fail;
		if (db_commit(db) != DB_OK) {
			fprintf(stderr, "unionbase: %s\n", db_errmsg(db));
			rc = CLI_EXIT_FAIL;
			goto out;
		}
		printf("%s: schema at version %d%s\n", url, SCHEMA_VERSION,
		       version < SCHEMA_VERSION ? " (migrated)" : " (already initialised)");
		if (demo || levels)
			fprintf(stderr, "unionbase: the database already holds data; --demo and --levels apply only to a new database\n");
		rc = demo || levels ? CLI_EXIT_FAIL : CLI_EXIT_OK;
		goto out;
	}
	if (org_seed(db, levels, demo, who.today, &e) || report_catalogue_load(db, &loaded, &e) ||
	    org_ethnic_group_count(db, &units, &e) ||
	    create_admin(db, &who, password, &e) || demo_members(db, &who, demo ? members : 0, &gm, &e))
		goto fail;
	if (db_commit(db) != DB_OK) {
		fprintf(stderr, "unionbase: %s\n", db_errmsg(db));
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	/* the database is whole once committed: a failed clean-up is said, and
	 * the admin's password is still shown (it is shown nowhere else) */
	if (demo && store_vacuum(db, &e)) {
		fprintf(stderr, "unionbase: warning: the database is created, but tidying it up failed (%s);"
				" it works as it is, and the database's own VACUUM ANALYZE can be run later\n", e.message);
		err_clear(&e);
	}
	printf("%s: created (schema %d), reference data loaded: 63 provinces until 2025-06-30, 34 from 2025-07-01, %lld ethnic groups%s\n",
	       url, SCHEMA_VERSION, (long long)units, demo ? ", demo units" : "");
	if (demo && gm.members)
		printf("demo members: %zu in %zu branches and groups, %zu of them left since, %zu moved\n", gm.members,
		       gm.units, gm.left, gm.moved);
	printf("system admin created: user name: admin password: %s\n", password);
	printf("(shown once: write it down, then change it after logging in)\n");
	rc = CLI_EXIT_OK;
	goto out;
fail:
	db_rollback(db);
	rc = cli_fail(&e);
out:
	db_close(db);
	return rc;
}
