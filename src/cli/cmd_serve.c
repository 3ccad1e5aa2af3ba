/*
 * cmd_serve.c - `unionbase serve --db DB --listen HOST:PORT`: runs the HTTP
 * server until interrupted. --public-url (or UNIONBASE_PUBLIC_URL) is the
 * address membership cards' QR codes point to (docs/members.md); --spool
 * the folder of uploaded member lists (api/imports.c); --read-db a
 * PostgreSQL streaming replica the reports, statistics and exports are
 * read from while it lags at most --read-max-lag seconds (10)
 * (docs/operations.md, "Read copies").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/card.h"
#include "store/db.h"

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "web", required_argument, NULL, 'w' },
		{ "secure-cookies", no_argument, NULL, 's' },
		{ "trust-proxy", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-connections", required_argument, NULL, 'c' },
		{ "max-connections-per-ip", required_argument, NULL, 'i' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "body-timeout", required_argument, NULL, 'B' },
		{ "public-url", required_argument, NULL, 'u' },
		{ "spool", required_argument, NULL, 'S' },
		{ "upload-max-mb", required_argument, NULL, 'M' },
		{ "upload-timeout", required_argument, NULL, 'U' },
		{ "spool-days", required_argument, NULL, 'D' },
		{ "import-problems", required_argument, NULL, 'P' },
		{ "read-db", required_argument, NULL, 'R' },
		{ "read-max-lag", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	api_options_t opt = { .listen = "127.0.0.1:8080", .max_connections_per_ip = -1 };
	const char *web_env = getenv("UNIONBASE_WEB_DIR");
	const char *public_env = getenv("UNIONBASE_PUBLIC_URL");
	const char *pinned = getenv("UNIONBASE_TODAY"); /* checked in main.c */
	err_t e;
	int c;

	db_share_file_maps();
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': opt.db_url = optarg; break;
		case 'l': opt.listen = optarg; break;
		case 'w': opt.web_dir = optarg; break;
		case 's': opt.secure_cookies = true; break;
		case 'p': opt.trust_proxy = true; break;
		case 'q': opt.quiet = true; break;
		case 'u': opt.public_url = optarg; break;
		case 't':
			if (cli_number(optarg, 1, 128, &opt.threads))
				return cli_usage("serve: --threads takes a number from 1 to 128");
			break;
		case 'c':
			if (cli_number(optarg, 1, 1000000, &opt.max_connections))
				return cli_usage("serve: --max-connections takes a number from 1 to 1000000");
			break;
		case 'i':
			if (cli_number(optarg, 0, 1000000, &opt.max_connections_per_ip))
				return cli_usage("serve: --max-connections-per-ip takes a number from 0 (no limit) to 1000000");
			break;
		case 'H':
			if (cli_number(optarg, 1, 3600, &opt.header_timeout))
				return cli_usage("serve: --header-timeout takes seconds from 1 to 3600");
			break;
		case 'B':
			if (cli_number(optarg, 1, 3600, &opt.body_timeout))
				return cli_usage("serve: --body-timeout takes seconds from 1 to 3600");
			break;
		case 'S': opt.spool_dir = optarg; break;
		case 'M':
			if (cli_number(optarg, 1, 65536, &opt.upload_max_mb))
				return cli_usage("serve: --upload-max-mb takes MiB from 1 to 65536");
			break;
		case 'U':
			if (cli_number(optarg, 1, 86400, &opt.upload_timeout))
				return cli_usage("serve: --upload-timeout takes seconds from 1 to 86400");
			break;
		case 'D':
			if (cli_number(optarg, 1, 3650, &opt.spool_days))
				return cli_usage("serve: --spool-days takes days from 1 to 3650");
			break;
		case 'P':
			if (cli_number(optarg, 1, 10000000, &opt.problems_kept))
				return cli_usage("serve: --import-problems takes a number from 1 to 10000000");
			break;
		case 'R': opt.read_db_url = optarg; break;
		case 'L':
			if (cli_number(optarg, 1, 86400, &opt.read_max_lag))
				return cli_usage("serve: --read-max-lag takes seconds from 1 to 86400");
			break;
		default: return cli_usage("serve: unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("serve: unexpected argument '%s'", argv[optind]);
	if (!opt.db_url)
		opt.db_url = getenv("UNIONBASE_DB");
	if (!opt.db_url || !*opt.db_url)
		return cli_usage("serve: give --db DB or set UNIONBASE_DB");
	if (opt.read_max_lag && !opt.read_db_url)
		return cli_usage("serve: --read-max-lag goes with --read-db");
	if (!opt.web_dir && web_env && *web_env)
		opt.web_dir = web_env;
	if (!opt.public_url && public_env && *public_env)
		opt.public_url = public_env;
	if (opt.public_url && !card_base_ok(opt.public_url))
		return cli_usage("serve: --public-url (or UNIONBASE_PUBLIC_URL) is http:// or https://, a host and an optional"
				 " path, as people reach the server: https://hoilhpn.example.vn");
	if (pinned && *pinned)
		fprintf(stderr, "unionbase: today is pinned to %s (UNIONBASE_TODAY)\n", pinned);
	err_clear(&e);
	if (api_serve(&opt, &e))
		return cli_fail(&e);
	return CLI_EXIT_OK;
}
