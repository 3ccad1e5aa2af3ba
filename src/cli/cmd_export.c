/*
 * cmd_export.c - `unionbase export --unit CODE [--format csv|xlsx]
 * [--as-of DATE] [--q TEXT] [--output FILE]`: a unit's members as a file
 * (api/exports.h, the function behind GET /api/v1/exports/members), in the
 * columns `unionbase import` reads back. The command line holds every
 * right: the sensitive columns are written, and the export audited.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/exports.h"
#include "cli/cli.h"
#include "store/org_store.h"

static const char EXPORT_HELP[] =
	"usage: unionbase export --unit CODE [--format csv|xlsx] [--as-of YYYY-MM-DD] [--q TEXT]\n"
	"                        [--output FILE] --db DB\n"
	"  the members of the unit and the units below it on the day (today by\n"
	"  default), found by --q as the member list finds them, as CSV (UTF-8,\n"
	"  the default) or XLSX, to FILE or to standard output; the columns are\n"
	"  those `unionbase import` reads: export, then import, changes nothing\n";

/* Copies the file at path to standard output. */
static int copy_out(const char *path)
{
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int r = 0;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			r = -1;
	if (ferror(f))
		r = -1;
	fclose(f);
	return fflush(stdout) == 0 ? r : -1;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },	    { "unit", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' }, { "as-of", required_argument, NULL, 'o' },
		{ "q", required_argument, NULL, 'q' },	    { "output", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *code = NULL, *as_of = NULL, *output = NULL;
	member_export_format_t fmt = EXPORT_CSV;
	member_query_t q = { 0 };
	char tmp[4096] = "/tmp/unionbase-export-XXXXXX";
	const char *path;
	principal_t who;
	size_t n = 0;
	int c, rc;
	unit_t u;
	db_t *db;
	err_t e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'u': code = optarg; break;
		case 'o': as_of = optarg; break;
		case 'q': q.q = optarg; break;
		case 'O': output = optarg; break;
		case 'f':
			if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "xlsx") != 0)
				return cli_usage("--format is csv or xlsx");
			fmt = strcmp(optarg, "xlsx") == 0 ? EXPORT_XLSX : EXPORT_CSV;
			break;
		case 'h': fputs(EXPORT_HELP, stdout); return CLI_EXIT_OK;
		default: return CLI_EXIT_USAGE;
		}
	}
	cli_principal(&who);
	q.as_of = who.today;
	if (!code || optind != argc || (as_of && date_parse(as_of, &q.as_of) != 0))
		return cli_usage("export --unit CODE [--format csv|xlsx] [--as-of YYYY-MM-DD] [--q TEXT] [--output FILE]");
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	err_clear(&e);
	if (org_unit_get(db, code, q.as_of, &u, &e)) {
		db_close(db);
		return cli_fail(&e);
	}
	q.unit_id = u.id;
	q.id_prefix = true;
	if (output) {
		struct stat st;
		/* a new or regular file is written beside it and renamed over
		 * it once whole; anything else (a link, a device, a pipe) is
		 * written as it is, and never removed */
		if (lstat(output, &st) != 0 || S_ISREG(st.st_mode)) {
			int fd;
			snprintf(tmp, sizeof(tmp), "%s.XXXXXX", output);
			fd = strlen(output) + 8 < sizeof(tmp) ? mkstemp(tmp) : -1;
			if (fd < 0) {
				db_close(db);
				fprintf(stderr, "unionbase: %s cannot be written: %s\n", output,
					strlen(output) + 8 < sizeof(tmp) ? strerror(errno) : "the name is too long");
				return CLI_EXIT_FAIL;
			}
			close(fd);
			path = tmp;
		} else {
			path = output;
		}
	} else {
		int fd = mkstemp(tmp);
		if (fd < 0) {
			db_close(db);
			fprintf(stderr, "unionbase: no room for a temporary file: %s\n", strerror(errno));
			return CLI_EXIT_FAIL;
		}
		close(fd);
		path = tmp;
	}
	rc = api_export_members(db, db, &who, &q, &u, fmt, path, NULL, &n, &e);
	db_close(db);
	if (rc) {
		if (path == tmp)
			unlink(path);
		return cli_fail(&e);
	}
	if (!output) {
		rc = copy_out(path);
		unlink(path);
		if (rc) {
			fprintf(stderr, "unionbase: the file could not be written out\n");
			return CLI_EXIT_FAIL;
		}
	} else if (path == tmp && rename(tmp, output) != 0) {
		fprintf(stderr, "unionbase: %s cannot be written: %s\n", output, strerror(errno));
		unlink(tmp);
		return CLI_EXIT_FAIL;
	} else {
		fprintf(stderr, "%zu members written to %s\n", n, output);
	}
	return CLI_EXIT_OK;
}
