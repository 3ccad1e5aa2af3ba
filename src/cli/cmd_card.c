/*
 * cmd_card.c - `unionbase card rotate-key --db DB`: a new key for the
 * membership cards; every card signed before stops verifying (store/card.h,
 * docs/security.md "Card keys"). Audited as card_key.rotate under
 * cli:<login name>. The API's POST /api/v1/card-keys/rotate does the same
 * for the system admin.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/password.h"
#include "store/card.h"

static const char CARD_HELP[] =
	"usage: unionbase card rotate-key --db DB [--json]\n"
	"  rotate-key     a new key for membership cards; every older key is retired\n"
	"                 and the cards it signed stop verifying (for a key that may\n"
	"                 have leaked: a lost backup, a server taken over). Members\n"
	"                 get a new card by opening it again.\n";

int cmd_card(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub = argc > 1 ? argv[1] : "help", *url = NULL;
	char pk[2 * CARD_PUBLIC_BYTES + 1];
	int64_t retired = 0;
	bool json = false;
	principal_t who;
	card_key_t k;
	db_t *db;
	err_t e;
	int c, rc;

	if (!strcmp(sub, "help") || !strcmp(sub, "--help")) {
		fputs(CARD_HELP, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(sub, "rotate-key") != 0)
		return cli_usage("card: unknown command '%s'", sub);
	optind = 1;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'j': json = true; break;
		default: return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage("card rotate-key: unexpected argument '%s'", argv[optind]);
	if (password_init() != 0)
		return cli_usage("libsodium cannot start");
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	cli_principal(&who);
	err_clear(&e);
	if (card_key_rotate(db, &who, &k, &retired, &e)) {
		rc = cli_fail(&e);
	} else {
		sodium_bin2hex(pk, sizeof(pk), k.pk, sizeof(k.pk));
		if (json)
			rc = cli_print_json(json_pack("{s:{s:I, s:s}, s:I}", "key", "id", (json_int_t)k.id, "public_key", pk,
						      "retired", (json_int_t)retired));
		else {
			printf("card key %lld made (public key %s); %lld older key(s) retired: the cards they signed no longer verify\n",
			       (long long)k.id, pk, (long long)retired);
			rc = CLI_EXIT_OK;
		}
	}
	sodium_memzero(&k, sizeof(k));
	db_close(db);
	return rc;
}
