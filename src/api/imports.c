/*
 * imports.c - member lists imported through the API (issue 16, items 5
 * and 7): a file uploaded for a unit becomes a job that is checked (a dry
 * run of api/member_import.h) and, when the user says so, committed; the
 * web app polls it for its progress and pages through its bad rows.
 *
 *   POST /api/v1/imports?unit=CODE&file_name=NAME[&template=NAME]
 *        the file as application/octet-stream (ROUTE_UPLOAD: streamed to
 *        the spool folder, up to serve --upload-max-mb) -> 202 the job
 *   GET  /api/v1/imports                 the caller's jobs, newest first
 *   GET  /api/v1/imports/{id}            status, progress, report, failure
 *   GET  /api/v1/imports/{id}/errors?offset=&limit=   the bad rows
 *   GET  /api/v1/imports/{id}/errors.xlsx?lang=vi|en   the file with a first
 *        column that says what is wrong with each bad row
 *   POST /api/v1/imports/{id}/check      {"mapping":[{"column"|"header",
 *        "field"}],"header_line","sheet","keep_legacy"} -> 202, checked again
 *   POST /api/v1/imports/{id}/commit     {"mode":"all"|"good"} -> 202
 *   GET  /api/v1/import-templates[?unit=CODE], POST /api/v1/import-templates
 *        {"unit","name","mapping","header_line"}: mappings saved for files
 *        of the same shape, for a unit and the units below it
 *
 * A job belongs to the user who uploaded it: another user, whatever her
 * rights, gets 404 (its file and its bad rows hold members' personal
 * data). A job runs in a thread of its own with a connection of its own,
 * as the user who asked, with her scope at the time she asked; at most
 * JOBS_AT_ONCE run at once in a server, the others wait their turn in the
 * order they were sent (api/job_queue.h). Its row in
 * import_jobs (store/imports.h) holds its status and report; its progress
 * is in the memory of the process running it. A job whose process is gone
 * (killed in the middle of a commit: the database is as it was) shows as
 * "interrupted" and can be checked or committed again: its file is kept.
 *
 * Spool folder: <spool>/<job id>/file (the upload) and errors.jsonl (the
 * bad rows of its last run, one JSON object per line), deleted when the
 * job has not changed for serve --spool-days (the job then says
 * "expired"): at the server's start and at every upload.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/member_import.h"
#include "api/job_queue.h"
#include "api/words.h"
#include "io/error_copy.h"
#include "io/unit_json.h"
#include "store/imports.h"
#include "store/org_store.h"

#define JOBS_AT_ONCE 2
#define JOBS_LISTED 50
#define ERRORS_PAGE_MAX 500
#define PROBLEMS_KEPT 100000 /* bad rows' problems written to a job's file */
#define FILE_NAME_MAX 255

/* ---- progress of the jobs this process runs ---- */

#define RUNNING_MAX 64
#define RUNNING_PER_USER 4 /* one user's jobs running or waiting: the others' go on */

static pthread_mutex_t g_running_lock = PTHREAD_MUTEX_INITIALIZER;
/* signalled when a slot is let go; on CLOCK_MONOTONIC (running_init) */
static pthread_cond_t g_running_freed;
static pthread_once_t g_running_once = PTHREAD_ONCE_INIT;
static struct {
	int64_t id;     /* 0: a free slot */
	int64_t user_id;
	size_t rows;
	bool writing; /* a commit's last writes, every row read */
	bool ending; /* its last status is being written: it lets go next */
} g_running[RUNNING_MAX];
/* jobs of this process that ended without their row saying so (no
 * connection to write it with): shown as interrupted, to run again */
static int64_t g_orphans[RUNNING_MAX];
static int g_orphan_next;
/* the jobs run JOBS_AT_ONCE at a time, in the order they were started */
static job_queue_t g_queue = JOB_QUEUE_INIT(JOBS_AT_ONCE);

/* Whether this process may start one more job of user_id: a free slot,
 * and fewer than RUNNING_PER_USER of hers. Under g_running_lock. */
static bool room_locked(int64_t user_id)
{
	int free_slots = 0, hers = 0;

	for (int i = 0; i < RUNNING_MAX; i++) {
		if (!g_running[i].id)
			free_slots++;
		else if (g_running[i].user_id == user_id)
			hers++;
	}
	return free_slots > 0 && hers < RUNNING_PER_USER;
}

static bool running_room(int64_t user_id)
{
	bool ok;

	pthread_mutex_lock(&g_running_lock);
	ok = room_locked(user_id);
	pthread_mutex_unlock(&g_running_lock);
	return ok;
}

/* Claims a progress slot for job id of user_id; false when this process
 * runs too many already, or too many of hers. */
static bool running_claim(int64_t id, int64_t user_id)
{
	bool ok = false;

	pthread_mutex_lock(&g_running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (g_running[i].id == id) {
			/* running already: a second start would run it twice */
			pthread_mutex_unlock(&g_running_lock);
			return false;
		}
	for (int i = 0; i < RUNNING_MAX && !ok && room_locked(user_id); i++)
		if (!g_running[i].id) {
			g_running[i].id = id;
			g_running[i].user_id = user_id;
			g_running[i].rows = 0;
			g_running[i].writing = false;
			g_running[i].ending = false;
			ok = true;
		}
	/* run again: no longer an orphan */
	for (int i = 0; ok && i < RUNNING_MAX; i++)
		if (g_orphans[i] == id)
			g_orphans[i] = 0;
	pthread_mutex_unlock(&g_running_lock);
	return ok;
}

static void running_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&g_running_freed, &a);
	pthread_condattr_destroy(&a);
}

static void running_set(int64_t id, size_t rows, bool done)
{
	pthread_once(&g_running_once, running_init);
	pthread_mutex_lock(&g_running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (g_running[i].id == id) {
			g_running[i].rows = rows;
			if (done) {
				g_running[i].id = 0;
				pthread_cond_broadcast(&g_running_freed);
			}
		}
	pthread_mutex_unlock(&g_running_lock);
}

/* Job id is about to write its last status (wait_ending waits for it). */
static void running_ending(int64_t id)
{
	pthread_mutex_lock(&g_running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (g_running[i].id == id)
			g_running[i].ending = true;
	pthread_mutex_unlock(&g_running_lock);
}

static void orphan_add(int64_t id)
{
	pthread_mutex_lock(&g_running_lock);
	g_orphans[g_orphan_next] = id;
	g_orphan_next = (g_orphan_next + 1) % RUNNING_MAX;
	pthread_mutex_unlock(&g_running_lock);
}

static bool orphan(int64_t id)
{
	bool yes = false;

	pthread_mutex_lock(&g_running_lock);
	for (int i = 0; i < RUNNING_MAX && !yes; i++)
		yes = g_orphans[i] == id;
	pthread_mutex_unlock(&g_running_lock);
	return yes;
}

/* Whether this process holds job id's slot (live: for a run that has
 * not written its last status yet), its rows read so far and whether it
 * writes its last rows (writing may be NULL). */
static bool holds_slot(int64_t id, bool live, size_t *rows, bool *writing)
{
	bool yes = false;

	pthread_mutex_lock(&g_running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (g_running[i].id == id && !(live && g_running[i].ending)) {
			*rows = g_running[i].rows;
			if (writing)
				*writing = g_running[i].writing;
			yes = true;
		}
	pthread_mutex_unlock(&g_running_lock);
	return yes;
}

/* Whether this process runs job id, or lets go of it, and its rows read
 * so far. */
static bool running_rows(int64_t id, size_t *rows)
{
	return holds_slot(id, false, rows, NULL);
}

/* Claims job id's progress slot before its row says it runs: 409
 * import_running when this process runs it already (two commits sent at
 * once), 503 when it runs too many. */
static int running(err_t *e)
{
	return err_fail(e, ERR_CONFLICT, "import_running", "the import is running ({status})",
			ERR_STR("status", "running"));
}

static int busy(err_t *e)
{
	return err_fail(e, ERR_UNAVAILABLE, "unavailable",
			"too many imports are running (yours, or all of them): try again in a while");
}

#define ENDING_WAIT_MS 5000

/* Waits ENDING_WAIT_MS at most while this process holds job id's slot
 * for a run that is ending. A job writes its last
 * status before it closes its connection and lets go of its slot: a
 * commit sent as soon as the status said "checked" came in between, and
 * was refused. A slot held by a run that is not ending (one just claimed)
 * is not waited for. */
static void wait_ending(int64_t id)
{
	struct timespec until;
	bool held = true, ending = false;

	pthread_once(&g_running_once, running_init);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ENDING_WAIT_MS / 1000;
	pthread_mutex_lock(&g_running_lock);
	for (;;) {
		held = ending = false;
		for (int i = 0; i < RUNNING_MAX && !held; i++)
			if (g_running[i].id == id) {
				held = true;
				ending = g_running[i].ending;
			}
		if (!held || !ending || pthread_cond_timedwait(&g_running_freed, &g_running_lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&g_running_lock);
}

/* ended: the job's row says it is not running (a run again): a slot still
 * held is that of its last run, about to be let go. */
static int claim_or_refuse(int64_t id, int64_t user_id, bool ended, err_t *e)
{
	size_t rows;

	if (ended)
		wait_ending(id);
	if (running_rows(id, &rows))
		return running(e);
	if (running_claim(id, user_id))
		return 0;
	/* claimed meanwhile by another request for the same job */
	return running_rows(id, &rows) ? running(e) : busy(e);
}

/* "host pid" of this process. */
static char g_nonce[17];
static pthread_once_t g_nonce_once = PTHREAD_ONCE_INIT;

static void nonce_init(void)
{
	unsigned char b[8];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(g_nonce, sizeof(g_nonce), b, sizeof(b));
}

/* "host pid nonce": the nonce tells this process from an earlier one
 * that had its pid (a server restarted in a container is pid 1 again). */
static void runner_name(char *buf, size_t cap)
{
	char host[64] = "";

	pthread_once(&g_nonce_once, nonce_init);
	gethostname(host, sizeof(host) - 1);
	snprintf(buf, cap, "%s %ld %s", host, (long)getpid(), g_nonce);
}

static bool runner_is_me(const char *runner)
{
	char me[96];

	runner_name(me, sizeof(me));
	return strcmp(me, runner) == 0;
}

/* Whether the process named by runner is gone: on this host, an earlier
 * process with this one's pid, or a pid that no longer runs. A runner on
 * another host is taken to be alive; this process's own jobs are told
 * by running_rows and orphan. */
static bool runner_gone(const char *runner)
{
	char me[96], host[96], *end = NULL;
	const char *sp1 = strchr(runner, ' ');
	long pid;

	runner_name(me, sizeof(me));
	if (strcmp(me, runner) == 0)
		return false;
	if (!sp1 || (size_t)(sp1 - runner) >= sizeof(host))
		return false;
	snprintf(host, sizeof(host), "%.*s ", (int)(sp1 - runner), runner);
	if (strncmp(me, host, strlen(host)) != 0)
		return false; /* another host's */
	errno = 0;
	pid = strtol(sp1 + 1, &end, 10);
	if (errno || !end || (*end && *end != ' ') || pid <= 0)
		return false;
	if (pid == (long)getpid())
		return true; /* an earlier process with our pid (its nonce differs, or it had none) */
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* ---- the job's files ---- */

static void job_dir(int64_t id, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%lld", api_spool_dir(), (long long)id);
}

static void job_file(int64_t id, const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%lld/%s", api_spool_dir(), (long long)id, name);
}

/* ---- running a job ---- */

typedef struct job_run {
	int64_t id;
	bool commit;
	bool good_only;
	principal_t who;
	char unit_code[UNIT_CODE_MAX + 1];
	char file_name[IMPORT_FILE_NAME_BUF];
	json_t *options;        /* owned */
	job_turn_t turn;        /* its place in g_queue */
	FILE *errors;
	size_t n_errors;        /* found; the first g_problems_kept are in errors */
} job_run_t;

static size_t g_problems_kept = PROBLEMS_KEPT;

void api_imports_set_problems_kept(int kept)
{
	if (kept > 0)
		g_problems_kept = (size_t)kept;
}

static void on_job_error(void *ctx, const import_error_t *err)
{
	job_run_t *run = ctx;
	json_t *j = import_error_json(err);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	/* the first ones: the report says how many more there are */
	if (s && run->errors && run->n_errors < g_problems_kept)
		fprintf(run->errors, "%s\n", s);
	run->n_errors++;
	free(s);
	json_decref(j);
}

static void on_job_progress(void *ctx, size_t rows)
{
	job_run_t *run = ctx;
	running_set(run->id, rows, false);
}

static void on_job_writing(void *ctx, size_t rows)
{
	job_run_t *run = ctx;

	pthread_mutex_lock(&g_running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (g_running[i].id == run->id) {
			g_running[i].rows = rows;
			g_running[i].writing = true;
		}
	pthread_mutex_unlock(&g_running_lock);
}

/* The options of a check (validated when they were given) into o. */
static void options_into(json_t *opts, member_rows_opts_t *o, member_map_entry_t *map)
{
	json_t *m = json_object_get(opts, "mapping"), *v;
	size_t i;

	o->header_line = (size_t)json_integer_value(json_object_get(opts, "header_line"));
	o->sheet = json_string_value(json_object_get(opts, "sheet"));
	o->keep_legacy = json_is_true(json_object_get(opts, "keep_legacy"));
	o->format = json_string_value(json_object_get(opts, "format"));
	if (!json_is_array(m) || !json_array_size(m))
		return;
	json_array_foreach(m, i, v) {
		if (i == MEMBER_ROWS_MAP_MAX)
			break;
		memset(&map[i], 0, sizeof(map[i]));
		map[i].column = (size_t)json_integer_value(json_object_get(v, "column"));
		snprintf(map[i].header, sizeof(map[i].header), "%s",
			 json_string_value(json_object_get(v, "header")) ? json_string_value(json_object_get(v, "header")) : "");
		mcol_parse(json_string_value(json_object_get(v, "field")), &map[i].field);
		o->n_map = i + 1;
	}
	o->map = map;
}

/* A failure as the job shows it: its code, message and parameters (the
 * line and column of a reader's refusal, a bound). */
static char *err_text(const err_t *e)
{
	json_t *j = json_pack("{s:s, s:s}", "code", e->code[0] ? e->code : "internal", "message", e->message);
	char *s;

	for (int i = 0; j && i < e->n_params; i++)
		json_object_set_new(j, e->params[i].name, e->params[i].type == ERR_PARAM_INT
								  ? json_integer(e->params[i].num)
								  : json_string(e->params[i].text));
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

/* Runs the import of run on db; the job's row says how it went. Returns
 * -1 when the row could not be written (the job then shows interrupted). */
static int run_on(db_t *db, job_run_t *run)
{
	member_map_entry_t *map = calloc(MEMBER_ROWS_MAP_MAX, sizeof(*map));
	member_import_opts_t o = { .rows.lim = SHEET_LIMITS_DEFAULT };
	member_import_report_t rep;
	char path[640], errors[640], *text = NULL;
	err_t e;
	int rc;

	job_file(run->id, "file", path, sizeof(path));
	job_file(run->id, "errors.jsonl", errors, sizeof(errors));
	run->errors = map ? fopen(errors, "w") : NULL;
	o.rows.path = path;
	if (map)
		options_into(run->options, &o.rows, map);
	o.unit = run->unit_code;
	o.file_name = run->file_name;
	o.dry_run = !run->commit;
	o.good_only = run->good_only;
	o.on_error = on_job_error;
	o.on_progress = on_job_progress;
	o.on_writing = on_job_writing;
	o.ctx = run;
	err_clear(&e);
	rc = run->errors ? member_import_run(db, &run->who, &o, &rep, &e)
			 : err_fail(&e, ERR_INTERNAL, "internal", "the report of bad rows cannot be written");
	if (run->errors)
		fclose(run->errors);
	running_ending(run->id);
	if (rc) {
		text = err_text(&e);
		rc = import_job_update(db, run->id, "failed", NULL, NULL, "", text ? text : "{}", 0, &e);
	} else {
		json_t *j = member_import_report_json(&rep, &o);
		if (j && (json_object_set_new(j, "problems", json_integer((json_int_t)run->n_errors)) ||
			  json_object_set_new(j, "problems_listed",
					      json_integer((json_int_t)(run->n_errors < g_problems_kept
									   ? run->n_errors
									   : g_problems_kept))))) {
			json_decref(j);
			j = NULL;
		}
		text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		rc = import_job_update(db, run->id, run->commit ? "done" : "checked", NULL, NULL, text ? text : "{}", "",
				       rep.stored ? rep.import_id : 0, &e);
		member_import_report_free(&rep);
	}
	if (rc)
		fprintf(stderr, "unionbase: import job %lld: its status could not be written: %s\n", (long long)run->id,
			e.message);
	free(text);
	free(map);
	return rc ? -1 : 0;
}

static void *job_thread(void *arg)
{
	job_run_t *run = arg;
	char msg[256];
	db_t *db = NULL;

	job_queue_wait(&g_queue, &run->turn);
	if (db_open(api_db_url(), &db, msg, sizeof(msg)) == DB_OK) {
		if (run_on(db, run))
			orphan_add(run->id);
		/* keeps a job from letting go of its slot after its last status
		 * is written, for the tests of what comes in meanwhile (a
		 * commit as soon as the check is done) */
		member_import_test_pause("UNIONBASE_IMPORT_LINGER_MS");
	} else {
		fprintf(stderr, "unionbase: import job %lld: %s\n", (long long)run->id, msg);
		orphan_add(run->id);
	}
	if (db)
		db_close(db);
	job_queue_done(&g_queue);
	running_set(run->id, 0, true);
	json_decref(run->options);
	free(run);
	return NULL;
}

/* Starts the job's thread; its progress slot is claimed (claim_or_refuse)
 * and its row marked as running. It takes its turn here, in the request's
 * thread: jobs run in the order they were sent. */
static int start_job(job_run_t *run, err_t *e)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	job_queue_add(&g_queue, &run->turn);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, job_thread, run);
	pthread_attr_destroy(&attr);
	if (rc) {
		job_queue_drop(&g_queue, &run->turn);
		running_set(run->id, 0, true);
		json_decref(run->options);
		free(run);
		return err_fail(e, ERR_INTERNAL, NULL, "cannot start the import");
	}
	return 0;
}

/* ---- keeping files no longer than needed ----
 *
 * An uploaded list is members' personal data: its file and its bad rows
 * are deleted once its job has not changed for the spool's retention
 * (serve --spool-days, 7 by default), and the job says "expired". */

static int g_spool_days = 7;

void api_imports_set_retention(int days)
{
	if (days > 0)
		g_spool_days = days;
}

static void remove_job_files(int64_t id)
{
	char path[640];

	job_file(id, "file", path, sizeof(path));
	unlink(path);
	job_file(id, "errors.jsonl", path, sizeof(path));
	unlink(path);
	job_dir(id, path, sizeof(path));
	rmdir(path);
}

/* A new job's folder. One of its number already there belongs to no job
 * of this database (the number was just given): another database's, this
 * one restored from a backup or made anew beside the old spool. It goes,
 * or every upload failed until the numbers passed it. */
static int make_job_dir(int64_t id, const char *dir)
{
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	fprintf(stderr, "unionbase: import job %lld: %s was left by another database: replaced\n", (long long)id, dir);
	remove_job_files(id);
	return mkdir(dir, 0700);
}

int api_imports_sweep(db_t *db, err_t *e)
{
	char before[32];
	int64_t *ids = NULL;
	size_t n = 0;
	time_t t = time(NULL) - (time_t)g_spool_days * 86400;
	struct tm tm;
	int r = 0;

	gmtime_r(&t, &tm);
	strftime(before, sizeof(before), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (import_job_stale(db, before, &ids, &n, e))
		return -1;
	for (size_t i = 0; !r && i < n; i++) {
		size_t rows;
		bool expired = false;
		if (running_rows(ids[i], &rows))
			continue; /* a long job of ours, still going */
		/* marked first, and only if still stale: a job run again
		 * meanwhile (by another server) keeps its files */
		r = import_job_expire(db, ids[i], before, &expired, e);
		if (!r && expired)
			remove_job_files(ids[i]);
	}
	free(ids);
	return r;
}

/* ---- JSON ---- */

static json_t *parse_or_null(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_null();
}

/* The status shown: a job marked running whose process is gone was
 * interrupted. A run of this process that has written its last status
 * (it lets go next) no longer vouches for the row: what the row says
 * then was written after it. */
static const char *shown_status(const import_job_t *j, size_t *rows, bool *running, bool *writing)
{
	bool active = !strcmp(j->status, "checking") || !strcmp(j->status, "committing");

	*rows = 0;
	if (writing)
		*writing = false;
	*running = active && holds_slot(j->id, true, rows, writing);
	if (active && !*running && (runner_gone(j->runner) || (runner_is_me(j->runner) && orphan(j->id))))
		return "interrupted";
	return j->status;
}

static json_t *job_json(api_req_t *req, const import_job_t *j)
{
	unit_t u;
	err_t e;
	size_t rows;
	bool running, writing;
	const char *status = shown_status(j, &rows, &running, &writing);
	json_t *unit;

	err_clear(&e);
	unit = org_unit_view(req->db, j->unit_id, req->today, &u, &e) == 0 ?
		       json_pack("{s:I, s:s, s:s}", "id", (json_int_t)u.id, "code", u.code, "name_vi", u.name_vi) :
		       json_null();
	return json_pack("{s:I, s:o, s:s, s:I, s:s, s:{s:I, s:o}, s:o, s:o, s:o, s:o*, s:s, s:s, s:s}", "id",
			 (json_int_t)j->id, "unit", unit, "file_name", j->file_name, "file_size",
			 (json_int_t)j->file_size, "status", status, "progress", "rows", (json_int_t)rows, "phase",
			 running ? json_string(writing ? "writing" : "reading") : json_null(), "options",
			 parse_or_null(j->options), "report", parse_or_null(j->report), "failure",
			 parse_or_null(j->error), "import_id", j->import_id ? json_integer(j->import_id) : json_null(),
			 "created_by", j->username, "created_at", j->created_at, "updated_at", j->updated_at);
}

/* ---- reading a request ---- */

static int path_id(const char *s, int64_t *id, err_t *e)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || v <= 0 || errno == ERANGE)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such import");
	*id = v;
	return 0;
}

/* The caller's own job {id}: another's is "not found". */
static int own_job(api_req_t *req, import_job_t *j, err_t *e)
{
	int64_t id = 0;

	if (path_id(req->params[0], &id, e))
		return -1;
	/* none, and another's, alike: the same words */
	if (import_job_get(req->db, id, j, e))
		return e->kind == ERR_NOT_FOUND ? err_fail(e, ERR_NOT_FOUND, "not_found", "no such import") : -1;
	if (j->user_id != req->who.user_id || !j->user_id) {
		import_job_free(j);
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no such import");
	}
	return 0;
}

/* A mapping as the API takes it: [{"column": N | "header": TEXT, "field":
 * KEY}], each checked. */
static void check_mapping(json_t *m, err_t *e)
{
	json_t *v;
	size_t i;

	if (!m || json_is_null(m))
		return;
	if (!json_is_array(m) || json_array_size(m) > MEMBER_ROWS_MAP_MAX) {
		err_field(e, "mapping", "not_a_list", "must be a list of at most {max} columns",
			  ERR_INT("max", MEMBER_ROWS_MAP_MAX));
		return;
	}
	json_array_foreach(m, i, v) {
		char field[32];
		json_t *col = json_object_get(v, "column"), *hdr = json_object_get(v, "header"),
		       *f = json_object_get(v, "field");
		mcol_t x;

		snprintf(field, sizeof(field), "mapping[%zu]", i);
		if (!json_is_object(v) || !json_is_string(f) || mcol_parse(json_string_value(f), &x) ||
		    (col && (!json_is_integer(col) || json_integer_value(col) < 1 || json_integer_value(col) > 16384)) ||
		    (hdr && (!json_is_string(hdr) || json_string_length(hdr) >= MEMBER_ROWS_HEADER_BUF)) ||
		    (!col && !hdr) || (col && hdr)) {
			err_field(e, field, "invalid",
				  "must be {\"column\": 1.., or \"header\": text, and \"field\": a member key or \"\"}");
			continue;
		}
		/* one column a field, one field a column ("" leaves columns out) */
		for (size_t k = 0; k < i; k++) {
			json_t *w = json_array_get(m, k);
			const char *wf = json_string_value(json_object_get(w, "field"));
			bool same_field = wf && *wf && !strcmp(wf, json_string_value(f));
			bool same_column = json_equal(json_object_get(w, "column"), col) ||
					   json_equal(json_object_get(w, "header"), hdr);
			if (same_field || same_column) {
				char what[MEMBER_ROWS_HEADER_BUF];
				if (same_field)
					snprintf(what, sizeof(what), "%s", wf);
				else if (col)
					snprintf(what, sizeof(what), "%lld", (long long)json_integer_value(col));
				else
					snprintf(what, sizeof(what), "%s", json_string_value(hdr));
				err_field(e, field, "duplicate", "{value} is listed twice", ERR_STR("value", what));
				break;
			}
		}
	}
}

/* The options of a check from a body: only the known members, checked. */
static int read_options(json_t *body, json_t **out, err_t *e)
{
	static const char *const allowed[] = { "mapping", "header_line", "sheet", "keep_legacy", "format", NULL };
	json_t *hl = json_object_get(body, "header_line"), *sheet = json_object_get(body, "sheet"),
	       *fmt = json_object_get(body, "format"), *kl = json_object_get(body, "keep_legacy");

	api_only(body, allowed, "", e);
	check_mapping(json_object_get(body, "mapping"), e);
	if (hl && !json_is_null(hl) && (!json_is_integer(hl) || json_integer_value(hl) < 0 ||
					json_integer_value(hl) > MCOL_HEADER_SCAN))
		err_field(e, "header_line", "out_of_range", "must be a line from 1 to {max} (or {min}: found)",
			  ERR_INT("min", 0), ERR_INT("max", MCOL_HEADER_SCAN));
	if (sheet && !json_is_null(sheet) && (!json_is_string(sheet) || json_string_length(sheet) > 255))
		err_field(e, "sheet", "not_a_string", "must be a sheet's name");
	if (fmt && !json_is_null(fmt) &&
	    (!json_is_string(fmt) || (strcmp(json_string_value(fmt), "csv") != 0 && strcmp(json_string_value(fmt), "xlsx") != 0)))
		err_field(e, "format", "not_one_of", "must be csv or xlsx");
	if (kl && !json_is_null(kl) && !json_is_boolean(kl))
		err_field(e, "keep_legacy", "not_a_boolean", "must be true or false");
	if (api_check_details(e))
		return -1;
	*out = json_deep_copy(body);
	return *out ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* A run of job j by the caller. */
static job_run_t *new_run(api_req_t *req, const import_job_t *j, const char *options, err_t *e)
{
	job_run_t *run = calloc(1, sizeof(*run));
	unit_t u;

	if (!run) {
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	if (org_unit_view(req->db, j->unit_id, req->today, &u, e)) {
		free(run);
		return NULL;
	}
	run->id = j->id;
	run->who = req->who;
	snprintf(run->unit_code, sizeof(run->unit_code), "%s", u.code);
	snprintf(run->file_name, sizeof(run->file_name), "%s", j->file_name);
	run->options = json_loads(options, 0, NULL);
	if (!run->options)
		run->options = json_object();
	return run;
}

/* ---- routes ---- */

static int answer_job(api_req_t *req, api_resp_t *resp, int64_t id, int status, err_t *e)
{
	import_job_t j;

	if (import_job_get(req->db, id, &j, e))
		return -1;
	resp->status = status;
	resp->body = job_json(req, &j);
	import_job_free(&j);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* The file name as the user's computer named it: its last part, text. */
static int file_name_arg(api_req_t *req, char *out, size_t cap, err_t *e)
{
	const char *v = api_query(req, "file_name"), *slash;

	if (!v || !*v)
		v = "upload";
	slash = strrchr(v, '/');
	if (slash)
		v = slash + 1;
	if (strlen(v) > FILE_NAME_MAX || strpbrk(v, "\r\n"))
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "file_name is at most {max} bytes on one line",
				ERR_STR("arg", "file_name"), ERR_INT("max", FILE_NAME_MAX));
	snprintf(out, cap, "%s", v);
	return 0;
}

/* The mapping of the template called name, saved for the unit or one above it. */
static int template_options(api_req_t *req, int64_t unit_id, const char *name, char **out, err_t *e);

static int post_import(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *code = api_query(req, "unit"), *tpl = api_query(req, "template");
	char dir[600], dest[640], *options = NULL;
	import_job_t j;
	unit_t u;
	int r;

	memset(&j, 0, sizeof(j));
	if (api_require(req, PERM_RECORD_WRITE, e) || file_name_arg(req, j.file_name, sizeof(j.file_name), e))
		return -1;
	if (!code || !*code)
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "give the list's unit: ?unit=CODE", ERR_STR("arg", "unit"));
	if (org_unit_get(req->db, code, req->today, &u, e) || !api_id_in_scope(req, u.id)) {
		err_clear(e);
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit with code {ref} on {date}", ERR_STR("ref", code),
				ERR_DATE("date", req->today));
	}
	/* refused before a job or a file is kept for it */
	if (!running_room(req->who.user_id))
		return busy(e);
	if (tpl && template_options(req, u.id, tpl, &options, e))
		return -1;
	if (api_imports_sweep(req->db, e)) {
		free(options);
		return -1;
	}
	j.unit_id = u.id;
	j.user_id = req->who.user_id;
	snprintf(j.username, sizeof(j.username), "%s", req->who.username);
	j.file_size = (int64_t)req->upload_size;
	snprintf(j.status, sizeof(j.status), "checking");
	j.options = options ? options : strdup("{}");
	runner_name(j.runner, sizeof(j.runner));
	r = j.options ? import_job_create(req->db, &j, e) : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	if (!r) {
		job_dir(j.id, dir, sizeof(dir));
		job_file(j.id, "file", dest, sizeof(dest));
		if (make_job_dir(j.id, dir) != 0 || rename(req->upload_path, dest) != 0) {
			fprintf(stderr, "unionbase: import job %lld: cannot keep the file in %s: %s\n", (long long)j.id, dir,
				strerror(errno));
			import_job_update(req->db, j.id, "failed", NULL, NULL, NULL,
					  "{\"code\":\"internal\",\"message\":\"the file could not be kept\"}", 0, e);
			r = err_fail(e, ERR_INTERNAL, NULL, "the file could not be kept");
		}
	}
	if (!r) {
		job_run_t *run = claim_or_refuse(j.id, j.user_id, false, e) ? NULL : new_run(req, &j, j.options, e);
		if (!run)
			running_set(j.id, 0, true);
		r = run ? start_job(run, e) : -1;
		/* taken meanwhile by another upload: the job waits for a check */
		if (r)
			import_job_update(req->db, j.id, "failed", NULL, NULL, NULL,
					  "{\"code\":\"unavailable\",\"message\":\"the check could not start: check it again\"}",
					  0, e);
	}
	import_job_free(&j);
	return r ? -1 : answer_job(req, resp, j.id, 202, e);
}

static int get_imports(api_req_t *req, api_resp_t *resp, err_t *e)
{
	import_job_t *v = NULL;
	json_t *items;
	size_t n = 0;

	if (api_require(req, PERM_RECORD_WRITE, e) || import_job_list(req->db, req->who.user_id, JOBS_LISTED, &v, &n, e))
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		if (items)
			json_array_append_new(items, job_json(req, &v[i]));
		import_job_free(&v[i]);
	}
	free(v);
	resp->body = items ? json_pack("{s:o}", "items", items) : NULL;
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int get_import(api_req_t *req, api_resp_t *resp, err_t *e)
{
	import_job_t j;

	if (api_require(req, PERM_RECORD_WRITE, e) || own_job(req, &j, e))
		return -1;
	resp->body = job_json(req, &j);
	import_job_free(&j);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* The report of j's last run, for its bad rows: refused while a run
 * rewrites them (409 import_running) and once they are deleted (409
 * import_expired). *report is the report, NULL before a first run
 * (owned by the caller). Returns 0 or -1 with e. */
static int last_report(const import_job_t *j, json_t **report, err_t *e)
{
	size_t rows;
	bool running;
	const char *status = shown_status(j, &rows, &running, NULL);

	*report = NULL;
	if (!strcmp(status, "expired"))
		return err_fail(e, ERR_CONFLICT, "import_expired", "the file was deleted after {days} days: upload it again",
				ERR_INT("days", g_spool_days));
	if (!strcmp(status, "checking") || !strcmp(status, "committing"))
		return err_fail(e, ERR_CONFLICT, "import_running", "the import has no report yet ({status})",
				ERR_STR("status", status));
	*report = j->report ? json_loads(j->report, 0, NULL) : NULL;
	return 0;
}

/* The problems of the last run found beyond those listed */
static json_int_t unlisted(const json_t *report)
{
	json_int_t found = json_integer_value(json_object_get(report, "problems"));
	json_int_t listed = json_integer_value(json_object_get(report, "problems_listed"));

	return found > listed ? found - listed : 0;
}

static int get_import_errors(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char path[640], *line = NULL;
	int offset = 0, limit = 100;
	size_t cap = 0, total = 0;
	json_t *items, *report;
	import_job_t j;
	FILE *f;

	if (api_require(req, PERM_RECORD_WRITE, e) || own_job(req, &j, e))
		return -1;
	if (last_report(&j, &report, e)) {
		import_job_free(&j);
		return -1;
	}
	import_job_free(&j);
	if (api_query_int(req, "offset", 0, 0, INT_MAX, &offset, e) ||
	    api_query_int(req, "limit", 100, 1, ERRORS_PAGE_MAX, &limit, e)) {
		json_decref(report);
		return -1;
	}
	items = json_array();
	if (!items) {
		json_decref(report);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	job_file(j.id, "errors.jsonl", path, sizeof(path));
	f = fopen(path, "r");
	while (f && getline(&line, &cap, f) > 0) {
		if (total >= (size_t)offset && json_array_size(items) < (size_t)limit) {
			json_t *x = json_loads(line, 0, NULL);
			if (x)
				json_array_append_new(items, x);
		}
		total++;
	}
	free(line);
	if (f)
		fclose(f);
	resp->body = json_pack("{s:o, s:I, s:o, s:I}", "items", items, "total", (json_int_t)total, "next_offset",
			       (size_t)offset + json_array_size(items) < total ?
				       json_integer((json_int_t)offset + (json_int_t)json_array_size(items)) :
				       json_null(),
			       "unlisted", unlisted(report));
	json_decref(report);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* ---- the bad rows as an XLSX copy of the file ---- */

typedef struct notes {
	FILE *f;                /* errors.jsonl */
	json_t *pending;        /* read, of a later line */
	lang_t lang;
	char text[4096];
} notes_t;

/* One problem in words: "Ngày sinh: ..." (the column's header, the
 * detail's words with its parameters, else the English reason). */
static void note_of(const notes_t *n, json_t *err, char *out, size_t cap)
{
	const char *header = json_string_value(json_object_get(err, "header"));
	const char *code = json_string_value(json_object_get(err, "code"));
	const char *reason = json_string_value(json_object_get(err, "reason"));
	char key[64], said[512];

	const char *tmpl;

	snprintf(key, sizeof(key), "detail.%s", code ? code : "");
	tmpl = code ? api_word_pick(n->lang, key, json_object_get(err, "params")) : NULL;
	if (tmpl)
		api_word_fill(tmpl, json_object_get(err, "params"), said, sizeof(said));
	else
		snprintf(said, sizeof(said), "%s", reason ? reason : "");
	snprintf(out, cap, "%s%s%s", header && *header ? header : "", header && *header ? ": " : "", said);
}

/* The problems of line, from the file of bad rows read in step. */
static const char *annotate(void *ctx, size_t line)
{
	notes_t *n = ctx;
	char *buf = NULL;
	size_t cap = 0, len = 0;

	n->text[0] = '\0';
	for (;;) {
		if (!n->pending) {
			if (!n->f || getline(&buf, &cap, n->f) <= 0)
				break;
			n->pending = json_loads(buf, 0, NULL);
			if (!n->pending)
				continue;
		}
		size_t at = (size_t)json_integer_value(json_object_get(n->pending, "line"));
		if (at > line)
			break;
		if (at == line) {
			char one[1024];
			note_of(n, n->pending, one, sizeof(one));
			len += (size_t)snprintf(n->text + len, sizeof(n->text) - len, "%s%s", len ? "; " : "", one);
			if (len >= sizeof(n->text))
				len = sizeof(n->text) - 1;
		}
		json_decref(n->pending);
		n->pending = NULL;
	}
	free(buf);
	return n->text;
}

/* The error column's title; when problems were left unlisted, it says
 * that only the first ones are in the column. */
static const char *column_title(lang_t lang, const json_t *report, char *buf, size_t cap)
{
	json_int_t more = unlisted(report);
	json_t *p;
	const char *tmpl;

	if (!more)
		return api_word(lang, "import.errors.column");
	p = json_pack("{s:I, s:I}", "listed", json_integer_value(json_object_get(report, "problems_listed")),
		      "unlisted", more);
	tmpl = p ? api_word_pick(lang, "import.errors.column_cut", p) : NULL;
	if (!tmpl) {
		json_decref(p);
		return api_word(lang, "import.errors.column");
	}
	api_word_fill(tmpl, p, buf, cap);
	json_decref(p);
	return buf;
}

static int get_import_errors_xlsx(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *lang = api_query(req, "lang");
	char in[640], errs[640], out[600], title[512];
	json_t *report = NULL, *file;
	error_copy_opts_t o = { .lim = SHEET_LIMITS_DEFAULT };
	notes_t n = { 0 };
	import_job_t j;
	int fd, r;

	if (api_require(req, PERM_RECORD_WRITE, e) || own_job(req, &j, e))
		return -1;
	n.lang = lang && !strcmp(lang, "en") ? LANG_EN : LANG_VI;
	if (last_report(&j, &report, e)) {
		import_job_free(&j);
		return -1;
	}
	file = json_object_get(report, "file");
	if (!file) {
		/* never checked, or its file could not be read: no rows to copy */
		r = strcmp(j.status, "failed") == 0
			    ? err_fail(e, ERR_CONFLICT, "conflict", "the file could not be read: it has no bad rows to show")
			    : err_fail(e, ERR_CONFLICT, "import_running", "the import has no report yet ({status})",
				       ERR_STR("status", j.status));
		import_job_free(&j);
		json_decref(report);
		return r;
	}
	job_file(j.id, "file", in, sizeof(in));
	job_file(j.id, "errors.jsonl", errs, sizeof(errs));
	snprintf(out, sizeof(out), "%s/report-XXXXXX", api_spool_dir());
	o.in_path = in;
	o.format = json_string_value(json_object_get(file, "format"));
	o.sheet = json_string_value(json_object_get(file, "sheet"));
	o.header_line = (size_t)json_integer_value(json_object_get(file, "header_line"));
	o.column_title = column_title(n.lang, report, title, sizeof(title));
	o.annotate = annotate;
	o.ctx = &n;
	o.tmpdir = api_spool_dir();
	n.f = fopen(errs, "r");
	fd = mkstemp(out);
	r = fd < 0 ? err_fail(e, ERR_INTERNAL, NULL, "no room for the report") : 0;
	if (fd >= 0)
		close(fd);
	if (!r)
		r = error_copy_xlsx(&o, out, e);
	if (n.f)
		fclose(n.f);
	json_decref(n.pending);
	json_decref(report);
	fd = r ? -1 : open(out, O_RDONLY);
	if (fd >= 0 || r)
		unlink(out);
	import_job_free(&j);
	if (r)
		return -1;
	if (fd < 0)
		return err_fail(e, ERR_INTERNAL, NULL, "the report cannot be read back");
	resp->has_file = true;
	resp->file_fd = fd;
	resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	snprintf(resp->disposition, sizeof(resp->disposition), "attachment; filename=\"import-%s-errors.xlsx\"",
		 req->params[0]);
	return 0;
}

/* Whether job j may run again now: not running, not done (a commit that
 * stored nothing, all or nothing with bad rows, may run again: with the
 * good rows only, or after the mapping changed). */
static int may_run(const import_job_t *j, err_t *e)
{
	size_t rows;
	bool running;
	const char *status = shown_status(j, &rows, &running, NULL);

	if (!strcmp(status, "checking") || !strcmp(status, "committing"))
		return err_fail(e, ERR_CONFLICT, "import_running", "the import is running ({status})",
				ERR_STR("status", status));
	if (!strcmp(status, "done") && j->import_id)
		return err_fail(e, ERR_CONFLICT, "import_done", "the import is done: upload the file again to import it again");
	if (!strcmp(status, "expired"))
		return err_fail(e, ERR_CONFLICT, "import_expired",
				"the file was deleted after {days} days: upload it again", ERR_INT("days", g_spool_days));
	return 0;
}

/* The refusal of a run of job id that another server started, or the
 * sweep expired, after it was read: as it stands now. Returns -1 with e. */
static int changed_meanwhile(db_t *db, int64_t id, err_t *e)
{
	import_job_t now;

	if (import_job_get(db, id, &now, e))
		return -1;
	if (!may_run(&now, e)) {
		err_fail(e, ERR_CONFLICT, "import_running", "the import is running ({status})", ERR_STR("status", now.status));
	}
	import_job_free(&now);
	return -1;
}

static int rerun(api_req_t *req, api_resp_t *resp, import_job_t *j, const char *options, bool commit, bool good,
		 err_t *e)
{
	char runner[96];
	job_run_t *run;
	bool claimed;

	runner_name(runner, sizeof(runner));
	if (claim_or_refuse(j->id, j->user_id, true, e))
		return -1;
	run = new_run(req, j, options ? options : j->options, e);
	if (!run) {
		running_set(j->id, 0, true);
		return -1;
	}
	run->commit = commit;
	run->good_only = good;
	if (import_job_claim(req->db, j, commit ? "committing" : "checking", runner, options, &claimed, e) ||
	    (!claimed && changed_meanwhile(req->db, j->id, e))) {
		running_set(j->id, 0, true);
		json_decref(run->options);
		free(run);
		return -1;
	}
	if (start_job(run, e)) {
		err_t tmp;
		err_clear(&tmp);
		/* its status back as it was; failing that, shown interrupted */
		if (import_job_update(req->db, j->id, j->status, NULL, NULL, NULL, NULL, 0, &tmp))
			orphan_add(j->id);
		return -1;
	}
	return answer_job(req, resp, j->id, 202, e);
}

static int post_check(api_req_t *req, api_resp_t *resp, err_t *e)
{
	json_t *body = NULL, *opts = NULL;
	char *text = NULL;
	import_job_t j;
	int r;

	if (api_require(req, PERM_RECORD_WRITE, e) || own_job(req, &j, e))
		return -1;
	r = may_run(&j, e) || api_body_object(req, &body, e) || read_options(body, &opts, e) ? -1 : 0;
	if (!r) {
		text = json_dumps(opts, JSON_COMPACT);
		r = text ? rerun(req, resp, &j, text, false, false, e) : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	free(text);
	json_decref(body);
	json_decref(opts);
	import_job_free(&j);
	return r;
}

static int post_commit(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "mode", NULL };
	json_t *body = NULL, *mode;
	bool good = false;
	import_job_t j;
	int r;

	if (api_require(req, PERM_RECORD_WRITE, e) || own_job(req, &j, e))
		return -1;
	r = may_run(&j, e) || api_body_object(req, &body, e) ? -1 : 0;
	if (!r) {
		api_only(body, allowed, "", e);
		mode = json_object_get(body, "mode");
		if (mode && !json_is_null(mode) &&
		    (!json_is_string(mode) || (strcmp(json_string_value(mode), "all") != 0 && strcmp(json_string_value(mode), "good") != 0)))
			err_field(e, "mode", "not_one_of", "must be all or good");
		good = json_is_string(mode) && !strcmp(json_string_value(mode), "good");
		r = api_check_details(e);
	}
	if (!r)
		r = rerun(req, resp, &j, NULL, true, good, e);
	json_decref(body);
	import_job_free(&j);
	return r;
}

/* ---- templates ---- */

/* The unit and the units above it, as ids. */
static int unit_and_above(api_req_t *req, int64_t unit_id, int64_t *ids, size_t cap, size_t *n, err_t *e)
{
	unit_list_t l = { 0 };

	if (org_ancestors(req->db, unit_id, req->today, &l, e))
		return -1;
	*n = 0;
	ids[(*n)++] = unit_id;
	for (size_t i = 0; i < l.n && *n < cap; i++)
		ids[(*n)++] = l.items[i].id;
	unit_list_free(&l);
	return 0;
}

static int template_options(api_req_t *req, int64_t unit_id, const char *name, char **out, err_t *e)
{
	import_template_t *v = NULL;
	int64_t ids[32];
	size_t n_ids = 0, n = 0;
	int r = 0;

	*out = NULL;
	if (unit_and_above(req, unit_id, ids, 32, &n_ids, e) || import_template_list(req->db, ids, n_ids, &v, &n, e))
		return -1;
	/* the nearest unit's template of that name */
	for (size_t k = 0; k < n_ids && !*out; k++)
		for (size_t i = 0; i < n && !*out; i++)
			if (v[i].unit_id == ids[k] && !strcmp(v[i].name, name))
				*out = strdup(v[i].mapping);
	if (!*out)
		r = err_fail(e, ERR_NOT_FOUND, "not_found", "no template called {ref} for this unit",
			     ERR_STR("ref", name));
	for (size_t i = 0; i < n; i++)
		import_template_free(&v[i]);
	free(v);
	return r;
}

static int get_templates(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *code = api_query(req, "unit");
	import_template_t *v = NULL;
	int64_t ids[32];
	size_t n_ids = 0, n = 0;
	json_t *items;
	unit_t u;

	if (api_require(req, PERM_RECORD_WRITE, e))
		return -1;
	if (!code || !*code) {
		if (org_unit_view(req->db, req->who.unit_id, req->today, &u, e))
			return -1;
	} else if (org_unit_get(req->db, code, req->today, &u, e) || !api_id_in_scope(req, u.id)) {
		err_clear(e);
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit with code {ref} on {date}", ERR_STR("ref", code),
				ERR_DATE("date", req->today));
	}
	if (unit_and_above(req, u.id, ids, 32, &n_ids, e) || import_template_list(req->db, ids, n_ids, &v, &n, e))
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *m = parse_or_null(v[i].mapping);
		if (items)
			json_array_append_new(items, json_pack("{s:I, s:s, s:o, s:s, s:s}", "id", (json_int_t)v[i].id,
							       "name", v[i].name, "options", m, "created_by",
							       v[i].created_by, "created_at", v[i].created_at));
		else
			json_decref(m);
		import_template_free(&v[i]);
	}
	free(v);
	resp->body = items ? json_pack("{s:o}", "items", items) : NULL;
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int post_template(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "unit", "name", "mapping", "header_line", "sheet", "keep_legacy",
					       "format", NULL };
	char code[UNIT_CODE_MAX * 4 + 8] = "", name[128 * 4] = "", *text = NULL;
	json_t *body = NULL, *opts = NULL;
	unit_t u;
	int r;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_str(body, "unit", true, UNIT_CODE_MAX, code, sizeof(code), e);
	api_str(body, "name", true, 100, name, sizeof(name), e);
	if (!json_is_array(json_object_get(body, "mapping")))
		err_field(e, "mapping", "required", "is required");
	json_object_del(body, "unit");
	json_object_del(body, "name");
	r = api_check_details(e) || read_options(body, &opts, e) ? -1 : 0;
	if (!r && (org_unit_get(req->db, code, req->today, &u, e) || !api_id_in_scope(req, u.id))) {
		err_clear(e);
		err_field(e, "unit", "not_found", "no unit {value} today", ERR_STR("value", code));
		r = api_check_details(e);
	}
	if (!r) {
		text = json_dumps(opts, JSON_COMPACT);
		r = text ? import_template_save(req->db, &req->who, u.id, name, text, e)
			 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	if (!r) {
		resp->status = 201;
		resp->body = json_pack("{s:s, s:s, s:O}", "unit", u.code, "name", name, "options", opts);
		r = resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	free(text);
	json_decref(body);
	json_decref(opts);
	return r;
}

const api_route_t API_IMPORT_ROUTES[] = {
	{ "POST", "/api/v1/imports", post_import, ROUTE_UPLOAD },
	{ "GET", "/api/v1/imports", get_imports, 0 },
	{ "GET", "/api/v1/imports/{}", get_import, 0 },
	{ "GET", "/api/v1/imports/{}/errors", get_import_errors, 0 },
	{ "GET", "/api/v1/imports/{}/errors.xlsx", get_import_errors_xlsx, 0 },
	{ "POST", "/api/v1/imports/{}/check", post_check, 0 },
	{ "POST", "/api/v1/imports/{}/commit", post_commit, 0 },
	{ "GET", "/api/v1/import-templates", get_templates, 0 },
	{ "POST", "/api/v1/import-templates", post_template, 0 },
	{ NULL, NULL, NULL, 0 },
};
