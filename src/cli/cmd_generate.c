/*
 * cmd_generate.c - `unionbase generate --db DB [--seed S] [--scale F]`: a
 * synthetic national tree (io/gen_country.h) in a database fresh from
 * `unionbase init`, for benchmarks and load tests. Progress goes to a
 * terminal on stderr; the summary to stdout (--json for scripts).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/gen_country.h"
#include "io/gen_members.h"
#include "store/util.h"

static const char GENERATE_HELP[] =
	"usage: unionbase generate --db DB [--seed S] [--scale F] [--provinces N] [--members N [--no-tree]] [--json]\n"
	"  on a database fresh from 'unionbase init' (no --demo), adds a synthetic\n"
	"  national tree, the same for the same seed and scale: about 700 districts,\n"
	"  10,000 communes and 100,000 branches and groups under the 63 provinces\n"
	"  from 2008-08-01, merged on 2025-07-01 into about 3,321 communes under the\n"
	"  34 provinces (districts closed, branches handed over). --scale 0.01 makes\n"
	"  a hundredth of it (from 0.001 to 3; default 1); --provinces N fills only\n"
	"  the first N of the 63 (for quick tests); --seed defaults to 1.\n"
	"  --members N then adds N members (up to 25,000,000) with ten years of\n"
	"  history (joins, leavers, moves, dues) to the branches and groups of\n"
	"  today (--no-tree: to the tree the database holds already, generated\n"
	"  or not).\n";

typedef struct progress_state {
	bool tty;
	const char *last_phase;
	struct timespec start;
	/* when each phase began (seconds from the start), for --json */
	struct {
		const char *phase;
		double began;
	} phases[16];
	size_t n_phases;
} progress_state_t;

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_progress(void *ctx, const char *phase, size_t done, size_t total)
{
	progress_state_t *ps = ctx;
	static const struct {
		const char *phase, *what;
	} WORDS[] = {
		{ "create", "creating units until 2025-06-30" },
		{ "reform", "2025-07-01: merging communes" },
		{ "districts", "2025-07-01: closing districts" },
		{ "members", "members with their history" },
		{ "words", "members: their names' words in order" },
		{ "indexes", "members: building the indexes" },
		{ "figures", "members: counting the figures" },
		{ "search", "members: the provinces' search rows" },
	};
	const char *what = phase;

	if ((!ps->n_phases || strcmp(ps->phases[ps->n_phases - 1].phase, phase) != 0) &&
	    ps->n_phases < sizeof(ps->phases) / sizeof(ps->phases[0])) {
		ps->phases[ps->n_phases].phase = phase;
		ps->phases[ps->n_phases++].began = seconds_since(&ps->start);
	}
	if (!ps->tty)
		return;
	for (size_t i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
		if (strcmp(WORDS[i].phase, phase) == 0)
			what = WORDS[i].what;
	if (ps->last_phase && strcmp(ps->last_phase, phase) != 0)
		fputc('\n', stderr);
	ps->last_phase = phase;
	if (!total) {
		fprintf(stderr, "\rgenerate: %s %.0fs ", what, seconds_since(&ps->start));
		fflush(stderr);
		return;
	}
	/* the creation total is an estimate: never show more than 100% */
	fprintf(stderr, "\rgenerate: %s: %zu/%zu (%d%%) %.0fs ", what, done, done > total ? done : total,
		total ? (int)(done >= total ? 100 : done * 100 / total) : 100, seconds_since(&ps->start));
	fflush(stderr);
}

/* out with "phases": {phase: seconds it took, ...}; out may be NULL (no
 * memory), which cli_print_json reports. */
static json_t *with_phases(json_t *out, const progress_state_t *ps, double total)
{
	json_t *phases = json_object();

	for (size_t i = 0; phases && i < ps->n_phases; i++) {
		double end = i + 1 < ps->n_phases ? ps->phases[i + 1].began : total;
		json_object_set_new(phases, ps->phases[i].phase,
				    json_real(round((end - ps->phases[i].began) * 1000) / 1000));
	}
	if (out && phases)
		json_object_set_new(out, "phases", phases);
	else
		json_decref(phases);
	return out;
}

int cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'b' }, { "seed", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'S' }, { "provinces", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' }, { "members", required_argument, NULL, 'm' },
		{ "no-tree", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *url = NULL;
	gen_opts_t o = { .seed = 1, .scale = 1.0 };
	progress_state_t ps = { 0 };
	gen_stats_t st = { 0 };
	gen_members_result_t gm = { 0 };
	size_t members = 0;
	principal_t who;
	bool json = false, tree = true;
	char *end = NULL;
	double secs;
	db_t *db;
	err_t e;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': url = optarg; break;
		case 's':
			o.seed = strtoull(optarg, &end, 10);
			if (!*optarg || *end || *optarg == '-')
				return cli_usage("--seed takes a whole number, not '%s'", optarg);
			break;
		case 'S':
			o.scale = strtod(optarg, &end);
			if (!*optarg || *end || !(o.scale >= GEN_SCALE_MIN && o.scale <= GEN_SCALE_MAX))
				return cli_usage("--scale takes a number from %g to %g, not '%s'", GEN_SCALE_MIN,
						 GEN_SCALE_MAX, optarg);
			break;
		case 'p': {
			long n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 1 || n > 63)
				return cli_usage("--provinces takes a number from 1 to 63, not '%s'", optarg);
			o.provinces = (int)n;
			break;
		}
		case 'j': json = true; break;
		case 'n': tree = false; break;
		case 'm': {
			unsigned long long n = strtoull(optarg, &end, 10);
			if (!*optarg || *end || *optarg == '-' || n < 1 || n > GEN_MEMBERS_MAX)
				return cli_usage("--members takes a number from 1 to %zu, not '%s'", GEN_MEMBERS_MAX, optarg);
			members = (size_t)n;
			break;
		}
		case 'h': fputs(GENERATE_HELP, stdout); return CLI_EXIT_OK;
		default: return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage("generate: unexpected argument '%s'", argv[optind]);
	if (!tree && !members)
		return cli_usage("generate: --no-tree goes with --members N");
	db = cli_open_db(url);
	if (!db)
		return CLI_EXIT_FAIL;
	/* the audit trail names the generator, as it names init for the
	 * reference data */
	principal_system(&who, "generate", date_today());
	ps.tty = isatty(STDERR_FILENO) != 0;
	clock_gettime(CLOCK_MONOTONIC, &ps.start);
	o.progress = on_progress;
	o.progress_ctx = &ps;
	err_clear(&e);
	rc = tree ? gen_country(db, &who, &o, &st, &e) : 0;
	if (!rc && members) {
		gen_members_opts_t mo = { .seed = o.seed,
					  .count = members,
					  .today = who.today,
					  .progress = on_progress,
					  .progress_ctx = &ps };
		rc = gen_members(db, &who, &mo, &gm, &e);
	}
	if (ps.tty && ps.last_phase)
		fputc('\n', stderr);
	/* what was generated is committed: a failed clean-up is only said */
	if (!rc && store_vacuum(db, &e)) {
		fprintf(stderr, "unionbase: warning: the data is generated, but tidying the database up failed (%s);"
				" the database's own VACUUM ANALYZE can be run later\n", e.message);
		err_clear(&e);
	}
	db_close(db);
	if (rc)
		return cli_fail(&e);
	secs = seconds_since(&ps.start);
	if (json) {
		json_t *out = json_pack("{s:I, s:f, s:f, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I}}",
						"seed", (json_int_t)o.seed, "scale", o.scale, "seconds", secs,
						"units_created", (json_int_t)st.units,
						"before_reform", "districts", (json_int_t)st.districts,
						"communes", (json_int_t)st.communes, "branches", (json_int_t)st.branches,
						"groups", (json_int_t)st.groups,
						"after_reform", "communes", (json_int_t)st.new_communes,
						"merged", (json_int_t)st.merges, "continued", (json_int_t)st.continued,
						"branches", (json_int_t)st.branches, "groups", (json_int_t)st.groups,
						"members", "added", (json_int_t)gm.members, "left", (json_int_t)gm.left,
						"moved", (json_int_t)gm.moved, "units", (json_int_t)gm.units,
						"dues_payments", (json_int_t)gm.payments);
		return cli_print_json(with_phases(out, &ps, secs));
	}
	printf("generated (seed %llu, scale %g) in %.1f s: %zu units, %zu members\n", (unsigned long long)o.seed,
	       o.scale, secs, st.units, gm.members);
	if (gm.members)
		printf("  members: %zu in %zu branches and groups, %zu of them left since, %zu moved; %zu dues"
		       " payments\n",
		       gm.members, gm.units, gm.left, gm.moved, gm.payments);
	if (!tree)
		return CLI_EXIT_OK;
	printf("  until 2025-06-30: %zu districts, %zu communes, %zu branches, %zu groups\n", st.districts,
	       st.communes, st.branches, st.groups);
	printf("  from 2025-07-01:  %zu communes (%zu merged, %zu continued alone), districts closed,\n"
	       "                    the branches handed over to the new communes\n",
	       st.new_communes, st.merges, st.continued);
	return CLI_EXIT_OK;
}
