/*
 * cmd_import.c - `unionbase import FILE --unit CODE`: a member list from a
 * CSV or XLSX file into the registry (api/member_import.h, the engine of
 * the API's imports too), with every bad row reported by its line.
 *
 * With --json the report is one JSON object whose "errors" come first and
 * are written as they are found, so that a file of a million bad rows is
 * never held in memory; the counts follow them.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/member_import.h"
#include "cli/cli.h"

static const char IMPORT_HELP[] =
	"usage: unionbase import FILE --unit CODE [--dry-run] [--mode all|good] [--json]\n"
	"                        [--sheet NAME] [--header-line N] [--column HEADER=FIELD]...\n"
	"                        [--format csv|xlsx] [--keep-legacy] [--name NAME] --db DB\n"
	"  a member list (CSV in UTF-8, UTF-16, Windows-1258 or -1252, comma, semicolon or\n"
	"  tab; or an XLSX workbook) into the unit CODE (a branch or group, or a unit\n"
	"  above them whose branches the file's \"Chi hội\" column names). The header\n"
	"  is found below the title rows and the table ends before the signatures;\n"
	"  columns are named by their headers (--column \"Họ tên=full_name\" or\n"
	"  --column 3=full_name to say it yourself; FIELD is a member key, or 'none').\n"
	"  Rows are matched to the members kept by ID number: the same file twice\n"
	"  changes nothing. FILE '-' is standard input (a pipe or a device is read\n"
	"  into a temporary file first, up to 256 MiB).\n"
	"  --dry-run      check every row and say what would be stored; store nothing\n"
	"  --mode all     store every row or none (the default): one bad row stores nothing\n"
	"  --mode good    store the good rows, report the bad ones\n"
	"  --keep-legacy  leave text typed in TCVN3 or VNI as it is\n"
	"  --json         {\"errors\":[{\"line\",\"column\",\"header\",\"field\",\"value\",\"code\",\n"
	"                 \"reason\",\"params\"}],\"rows\",\"valid\",\"invalid\",\"created\",...}\n"
	"  exit status: 0 when every row is good, or with --mode good; 1 when rows\n"
	"  were refused and (--mode all, --dry-run) nothing was stored\n";

#define PIPE_MAX ((off_t)256 << 20) /* a list read from a pipe: as an upload's default bound */

/* A list that is not a regular file ("-": standard input, a pipe, a
 * device) copied into an unlinked temporary file, since it is read more
 * than once (its hash, then its rows): *fd is it (-1 for a regular file,
 * read where it is), *path the name to read it by. Returns 0, or -1 after
 * saying why. */
static int spool_input(const char *arg, int *fd, char *path, size_t cap)
{
	const char *tmpdir = getenv("TMPDIR");
	char tmpl[4096];
	struct stat st;
	char buf[65536];
	off_t total = 0;
	ssize_t got;
	int in;

	*fd = -1;
	snprintf(path, cap, "%s", arg);
	if (strcmp(arg, "-") != 0 && (stat(arg, &st) != 0 || S_ISREG(st.st_mode)))
		return 0; /* a file, or none: the reader says which */
	in = strcmp(arg, "-") == 0 ? STDIN_FILENO : open(arg, O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "unionbase: %s could not be opened: %s\n", arg, strerror(errno));
		return -1;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/unionbase-import-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	*fd = mkstemp(tmpl);
	if (*fd < 0) {
		fprintf(stderr, "unionbase: no room for a copy of %s: %s\n", arg, strerror(errno));
		if (in != STDIN_FILENO)
			close(in);
		return -1;
	}
	unlink(tmpl);
	while ((got = read(in, buf, sizeof(buf))) > 0 && total <= PIPE_MAX) {
		total += got;
		if (write(*fd, buf, (size_t)got) != got) {
			got = -1;
			break;
		}
	}
	if (in != STDIN_FILENO)
		close(in);
	if (got < 0 || total > PIPE_MAX) {
		fprintf(stderr, "unionbase: %s %s\n", arg,
			got < 0 ? "could not be read whole" : "holds more than 256 MiB: save it to a file first");
		close(*fd);
		*fd = -1;
		return -1;
	}
	snprintf(path, cap, "/proc/self/fd/%d", *fd);
	return 0;
}

typedef struct out {
	bool json;
	bool progress;               /* a terminal to draw on */
	size_t errors;
} out_t;

static void column_name(size_t column, bool letters, char *buf, size_t cap)
{
	char tmp[16];
	size_t n = 0;

	if (!letters) {
		snprintf(buf, cap, "%zu", column);
		return;
	}
	for (size_t c = column; c && n < sizeof(tmp); c = (c - 1) / 26)
		tmp[n++] = (char)('A' + (c - 1) % 26);
	for (size_t i = 0; i < n && i + 1 < cap; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n < cap ? n : cap - 1] = '\0';
}

static void on_error(void *ctx, const import_error_t *err)
{
	out_t *o = ctx;

	if (o->progress)
		fputs("\r\033[K", stderr);
	if (o->json) {
		json_t *j = import_error_json(err);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
		printf("%s\n    %s", o->errors ? "," : "", s ? s : "{}");
		free(s);
		json_decref(j);
	} else {
		char col[16] = "";
		if (err->column)
			column_name(err->column, false, col, sizeof(col));
		printf("line %zu", err->line);
		if (err->column)
			printf(", column %s%s%s%s", col, err->header[0] ? " (" : "", err->header, err->header[0] ? ")" : "");
		else if (err->field[0])
			printf(", %s", err->field);
		/* the value, unless the message quotes it already */
		bool quote = err->value[0] && !strstr(err->detail->message, err->value);
		printf(": %s%s%s%s [%s]\n", quote ? "'" : "", quote ? err->value : "", quote ? "' " : "",
		       err->detail->message, err->detail->code);
	}
	o->errors++;
}

static void on_progress(void *ctx, size_t rows)
{
	out_t *o = ctx;

	if (o->progress)
		fprintf(stderr, "\r\033[K%zu rows read", rows);
}

/* the last writes of a commit of a million rows take some 45 s: the bar
 * says what it waits for */
static void on_writing(void *ctx, size_t rows)
{
	out_t *o = ctx;

	if (o->progress)
		fprintf(stderr, "\r\033[K%zu rows read; writing the search rows and figures...", rows);
}

/* "HEADER=FIELD" or "N=FIELD" into an entry. */
static int parse_column(const char *arg, member_map_entry_t *m)
{
	const char *eq = strrchr(arg, '=');
	char *end;

	memset(m, 0, sizeof(*m));
	if (!eq || eq == arg)
		return -1;
	if (strcmp(eq + 1, "none") == 0)
		m->field = MCOL_NONE;
	else if (mcol_parse(eq + 1, &m->field) || m->field == MCOL_NONE)
		return -1;
	errno = 0;
	m->column = strtoul(arg, &end, 10);
	if (end == eq && (arg[0] < '0' || arg[0] > '9' || m->column < 1 || m->column > 16384 || errno == ERANGE))
		return -1; /* a column by its number: 1 to 16384, as the API takes it */
	if (end != eq) {
		m->column = 0;
		if ((size_t)(eq - arg) >= sizeof(m->header))
			return -1;
		memcpy(m->header, arg, (size_t)(eq - arg));
	}
	return 0;
}

static void print_json_tail(const member_import_report_t *r, const member_import_opts_t *o, const out_t *out)
{
	json_t *j = member_import_report_json(r, o);
	char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;

	/* the object's members after "errors": its braces dropped */
	printf("%s],\n", out->errors ? "\n  " : "");
	if (s && strlen(s) > 4)
		printf("%.*s\n}\n", (int)(strlen(s) - 4), s + 2);
	free(s);
	json_decref(j);
}

static void print_text(const member_import_report_t *r, const member_import_opts_t *o)
{
	printf("%s: %zu rows (header on line %zu", o->file_name ? o->file_name : o->rows.path, r->rows, r->header_line);
	if (r->blank)
		printf(", %zu without data", r->blank);
	if (r->after_end)
		printf(", %zu below the table", r->after_end);
	printf("): %zu good, %zu refused\n", r->valid, r->invalid);
	for (size_t i = 0; i < r->n_columns; i++)
		if (r->columns[i].legacy)
			printf("column %zu (%s) was typed in %s: converted to Unicode\n", r->columns[i].column,
			       r->columns[i].header, r->columns[i].legacy);
	if (r->stored)
		printf("stored as import %lld: %zu new members, %zu updated, %zu unchanged\n", (long long)r->import_id,
		       r->created, r->updated, r->unchanged);
	else if (o->dry_run)
		printf("dry run, nothing stored: it would add %zu new members, update %zu, leave %zu unchanged\n",
		       r->created, r->updated, r->unchanged);
	else if (r->invalid && !o->good_only)
		printf("nothing stored: %zu rows were refused (--mode good stores the good ones)\n", r->invalid);
	else
		printf("nothing to store: the %zu good rows are kept as the file says\n", r->unchanged);
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' },	      { "unit", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },	      { "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },	      { "sheet", required_argument, NULL, 's' },
		{ "header-line", required_argument, NULL, 'l' }, { "column", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },	      { "keep-legacy", no_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'N' },	      { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static member_map_entry_t map[MEMBER_ROWS_MAP_MAX];
	member_import_opts_t o = { .rows.lim = SHEET_LIMITS_DEFAULT };
	char spooled[4096];
	int spool_fd = -1;
	member_import_report_t r;
	out_t out = { 0 };
	const char *url = NULL;
	size_t n_map = 0;
	principal_t who;
	int c, rc;
	db_t *db;
	err_t e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 'u': o.unit = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'm':
			if (strcmp(optarg, "all") != 0 && strcmp(optarg, "good") != 0)
				return cli_usage("--mode is all or good");
			o.good_only = strcmp(optarg, "good") == 0;
			break;
		case 'j': out.json = true; break;
		case 's': o.rows.sheet = optarg; break;
		case 'l': {
			int line;
			if (cli_number(optarg, 1, MCOL_HEADER_SCAN, &line))
				return cli_usage("--header-line takes a line from 1 to %d", MCOL_HEADER_SCAN);
			o.rows.header_line = (size_t)line;
			break;
		}
		case 'c':
			if (n_map == MEMBER_ROWS_MAP_MAX || parse_column(optarg, &map[n_map++]))
				return cli_usage("--column HEADER=FIELD or N=FIELD, FIELD a member key or none: '%s'", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "xlsx") != 0)
				return cli_usage("--format is csv or xlsx");
			o.rows.format = optarg;
			break;
		case 'k': o.rows.keep_legacy = true; break;
		case 'N': o.file_name = optarg; break;
		case 'h': fputs(IMPORT_HELP, stdout); return CLI_EXIT_OK;
		default: return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !o.unit)
		return cli_usage("import FILE --unit CODE [--dry-run] [--mode all|good] [--json]");
	if (spool_input(argv[optind], &spool_fd, spooled, sizeof(spooled)))
		return CLI_EXIT_FAIL;
	o.rows.path = spooled;
	if (!o.file_name && spool_fd >= 0)
		o.file_name = strcmp(argv[optind], "-") == 0 ? "stdin" : argv[optind];
	if (n_map) {
		o.rows.map = map;
		o.rows.n_map = n_map;
	}
	o.on_error = on_error;
	o.on_progress = on_progress;
	o.on_writing = on_writing;
	o.ctx = &out;
	out.progress = isatty(STDERR_FILENO) != 0;
	db = cli_open_db(url);
	if (!db) {
		if (spool_fd >= 0)
			close(spool_fd);
		return CLI_EXIT_FAIL;
	}
	cli_principal(&who);
	err_clear(&e);
	if (out.json)
		printf("{\n  \"errors\": [");
	rc = member_import_run(db, &who, &o, &r, &e);
	db_close(db);
	if (spool_fd >= 0)
		close(spool_fd);
	if (out.progress)
		fputs("\r\033[K", stderr);
	if (rc) {
		if (out.json) {
			json_t *j = json_pack("{s:s, s:s}", "code", e.code, "message", e.message);
			char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
			printf("],\n  \"error\": %s\n}\n", t ? t : "{}");
			free(t);
			json_decref(j);
		}
		return cli_fail(&e);
	}
	if (out.json)
		print_json_tail(&r, &o, &out);
	else
		print_text(&r, &o);
	rc = r.invalid && (o.dry_run || !o.good_only) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	member_import_report_free(&r);
	return rc;
}
