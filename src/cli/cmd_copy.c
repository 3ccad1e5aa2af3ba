/*
 * cmd_copy.c - `unionbase copy FROM TO`: copies a whole database between
 * stores (SQLite <-> PostgreSQL), with progress on a terminal.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/copy.h"

static void show_progress(void *ctx, const char *table, int64_t rows, int64_t total)
{
	(void)ctx;
	fprintf(stderr, "\r%-14s %10lld / %lld rows", table, (long long)rows, (long long)total);
	if (rows == total)
		fputc('\n', stderr);
	fflush(stderr);
}

int cmd_copy(int argc, char **argv)
{
	char msg[512];
	db_t *from = NULL, *to = NULL;
	int rc = CLI_EXIT_FAIL;
	err_t e;

	if (argc != 3)
		return cli_usage("usage: unionbase copy FROM TO (each a file path, sqlite:PATH or postgresql://...)");
	if (strcmp(argv[1], argv[2]) == 0)
		return cli_usage("copy: FROM and TO are the same database");
	from = cli_open_db(argv[1]);
	if (!from)
		return CLI_EXIT_FAIL;
	if (db_open(argv[2], &to, msg, sizeof(msg)) != DB_OK) {
		fprintf(stderr, "unionbase: %s\n", msg);
		db_close(from);
		return CLI_EXIT_FAIL;
	}
	err_clear(&e);
	if (store_copy(from, to, isatty(STDERR_FILENO) ? show_progress : NULL, NULL, &e))
		rc = cli_fail(&e);
	else {
		printf("copied %s to %s\n", argv[1], argv[2]);
		rc = CLI_EXIT_OK;
	}
	db_close(from);
	db_close(to);
	return rc;
}
