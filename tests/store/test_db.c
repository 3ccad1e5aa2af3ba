/*
 * Store tests of db.h, run on SQLite and PostgreSQL alike: placeholders,
 * types, transactions, error classes, bulk load, migrations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/migrate.h"
#include "store/util.h"
#include "store_fixture.h"

static db_t *table_db(void)
{
	db_t *db = fixture_empty_db();
	char *sql = db_expand(db, "CREATE TABLE t (id @ID@, name TEXT NOT NULL UNIQUE, n BIGINT, d @DATE@, k TEXT @BINARY@)");
	assert_non_null(sql);
	assert_int_equal(db_exec(db, sql), DB_OK);
	free(sql);
	return db;
}

static int64_t insert(db_t *db, const char *name, int64_t n, const char *d)
{
	db_stmt_t *st = NULL;
	int64_t id;
	date_t dd;

	assert_int_equal(db_prepare(db, "INSERT INTO t (name, n, d) VALUES (?, ?, ?) RETURNING id", &st), DB_OK);
	assert_int_equal(db_bind_text(st, 1, name), DB_OK);
	assert_int_equal(db_bind_int64(st, 2, n), DB_OK);
	if (d) {
		assert_int_equal(date_parse(d, &dd), 0);
		assert_int_equal(db_bind_date(st, 3, dd), DB_OK);
	} else {
		assert_int_equal(db_bind_null(st, 3), DB_OK);
	}
	assert_int_equal(db_step(st), DB_ROW);
	id = db_col_int64(st, 0);
	db_finalize(st);
	return id;
}

static int64_t count(db_t *db)
{
	db_stmt_t *st = NULL;
	int64_t n;
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM t", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}

static void values_round_trip(void **state)
{
	db_t *db = table_db();
	db_stmt_t *st = NULL;
	date_t d;
	(void)state;

	insert(db, "Nguyễn Thị Đào <b>'?'</b>", INT64_C(9007199254740993), "2025-07-01");
	insert(db, "null date", -5, NULL);
	assert_int_equal(db_prepare(db, "SELECT name, n, d, '?' FROM t WHERE n > ? ORDER BY n DESC", &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, -10), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "Nguyễn Thị Đào <b>'?'</b>");
	assert_true(db_col_int64(st, 1) == INT64_C(9007199254740993));
	assert_int_equal(db_col_date(st, 2, &d), 0);
	assert_string_equal(db_col_text(st, 2), "2025-07-01");
	assert_string_equal(db_col_text(st, 3), "?"); /* a quoted ? is not a placeholder */
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_is_null(st, 2));
	assert_int_equal(db_col_date(st, 2, &d), 0);
	assert_int_equal(d, DATE_OPEN);
	assert_string_equal(db_col_text(st, 2), "");
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_step(st), DB_DONE);
	/* run again after a reset, with other bindings */
	assert_int_equal(db_reset(st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, 0), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	db_close(db);
}

static void dates_compare_as_dates(void **state)
{
	db_t *db = table_db();
	db_stmt_t *st = NULL;
	date_t d;
	(void)state;

	insert(db, "a", 1, "2025-06-30");
	insert(db, "b", 2, "2025-07-01");
	insert(db, "c", 3, "9999-12-31");
	assert_int_equal(db_prepare(db, "SELECT name FROM t WHERE d >= ? ORDER BY d", &st), DB_OK);
	date_parse("2025-07-01", &d);
	assert_int_equal(db_bind_date(st, 1, d), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "b");
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "c");
	assert_int_equal(db_step(st), DB_DONE);
	db_finalize(st);
	db_close(db);
}

static void unique_violation_is_classified(void **state)
{
	db_t *db = table_db();
	db_stmt_t *st = NULL;
	(void)state;

	insert(db, "once", 1, NULL);
	assert_int_equal(db_prepare(db, "INSERT INTO t (name) VALUES (?)", &st), DB_OK);
	assert_int_equal(db_bind_text(st, 1, "once"), DB_OK);
	assert_int_equal(db_step(st), DB_UNIQUE);
	assert_true(strlen(db_errmsg(db)) > 0);
	db_finalize(st);
	/* NOT NULL is a constraint, not a uniqueness problem */
	assert_int_equal(db_prepare(db, "INSERT INTO t (n) VALUES (1)", &st), DB_OK);
	assert_int_equal(db_step(st), DB_CONSTRAINT);
	db_finalize(st);
	/* a syntax error is an error */
	assert_int_equal(db_prepare(db, "SELEC nonsense", &st) == DB_OK ? db_step(st) : DB_ERROR, DB_ERROR);
	db_finalize(st);
	db_close(db);
}

static void rollback_leaves_nothing(void **state)
{
	db_t *db = table_db();
	(void)state;

	assert_int_equal(db_begin(db), DB_OK);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_begin(db), DB_ERROR); /* no nesting */
	insert(db, "x", 1, NULL);
	insert(db, "y", 2, NULL);
	assert_int_equal(count(db), 2);
	assert_int_equal(db_rollback(db), DB_OK);
	assert_false(db_in_transaction(db));
	assert_int_equal(count(db), 0);
	assert_int_equal(db_begin(db), DB_OK);
	insert(db, "z", 3, NULL);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(count(db), 1);
	assert_int_equal(db_commit(db), DB_ERROR); /* none open */
	assert_int_equal(db_rollback(db), DB_OK);  /* harmless */
	db_close(db);
}

/* db_begin_read sends its BEGIN with the first statement: a read that
 * runs none (an answer kept by the server) ends without a round trip; one
 * that runs some reads one snapshot from its first statement on, on both
 * stores. */
static void a_read_snapshot_begins_at_its_first_statement(void **state)
{
	db_t *db = table_db(), *r = NULL;
	char msg[256];
	(void)state;

	assert_int_equal(db_open(fixture_url(), &r, msg, sizeof(msg)), DB_OK);
	assert_int_equal(db_begin_read(r), DB_OK);
	assert_true(db_in_transaction(r));
	assert_int_equal(db_begin_read(r), DB_ERROR); /* no nesting */
	assert_int_equal(db_commit(r), DB_OK);
	assert_false(db_in_transaction(r));
	assert_int_equal(db_begin_read(r), DB_OK);
	assert_int_equal(db_rollback(r), DB_OK);
	assert_false(db_in_transaction(r));

	assert_int_equal(db_begin_read(r), DB_OK);
	insert(db, "before the first read", 1, NULL);
	assert_int_equal(count(r), 1); /* the snapshot starts here */
	insert(db, "after it", 2, NULL);
	assert_int_equal(count(r), 1);
	assert_int_equal(db_commit(r), DB_OK);
	assert_int_equal(count(r), 2);
	db_close(r);
	db_close(db);
}

static int g_freed;
static void count_free(void *p)
{
	free(p);
	g_freed++;
}

/* What the layers above keep on a connection (db_ext) is freed when it is
 * replaced and when the connection closes. */
static void kept_values_are_freed_with_the_connection(void **state)
{
	db_t *db = table_db();
	(void)state;

	g_freed = 0;
	assert_null(db_ext(db, DB_EXT_SCOPE));
	db_ext_set(db, DB_EXT_SCOPE, malloc(8), count_free);
	assert_non_null(db_ext(db, DB_EXT_SCOPE));
	db_ext_set(db, DB_EXT_SCOPE, malloc(8), count_free);
	assert_int_equal(g_freed, 1);
	db_close(db);
	assert_int_equal(g_freed, 2);
}

static void close_rolls_back_an_open_transaction(void **state)
{
	db_t *db = table_db();
	(void)state;

	assert_int_equal(db_begin(db), DB_OK);
	insert(db, "lost", 1, NULL);
	db_close(db); /* like a crash mid-write */
	{
		char msg[256];
		db_t *again = NULL;
		assert_int_equal(db_open(fixture_url(), &again, msg, sizeof(msg)), DB_OK);
		assert_int_equal(count(again), 0);
		db_close(again);
	}
}

/* A writer of the gate test: on its own connection, waits for its turn
 * (wait_ms), then inserts its name and commits; or, `alone`, inserts it
 * outside a transaction. */
typedef struct writer {
	const char *name;
	int wait_ms;
	bool alone;
	pthread_t thread;
	int begun; /* db_begin's answer */
	int done;  /* 0: inserted and committed */
} writer_t;

static void *write_one(void *arg)
{
	writer_t *w = arg;
	char msg[256];
	db_t *db = NULL;
	db_stmt_t *st = NULL;

	w->done = -1;
	if (db_open(fixture_url(), &db, msg, sizeof(msg)) != DB_OK)
		return NULL;
	db_set_wait_limit(db, w->wait_ms);
	w->begun = w->alone ? DB_OK : db_begin(db);
	if (w->begun == DB_OK && db_prepare(db, "INSERT INTO t (name) VALUES (?)", &st) == DB_OK &&
	    db_bind_text(st, 1, w->name) == DB_OK && db_step(st) == DB_DONE) {
		db_finalize(st);
		w->done = w->alone || db_commit(db) == DB_OK ? 0 : -1;
	} else if (st)
		db_finalize(st);
	db_close(db);
	return NULL;
}

/* Waits until n writers of this process wait for db's file. */
static void wait_for_writers(db_t *db, int n)
{
	for (int i = 0; i < 100000 && db_writers_waiting(db) != n; i++)
		usleep(100);
	assert_int_equal(db_writers_waiting(db), n);
}

/* Starts w, and waits until it is the n-th writer waiting for db's file. */
static void queue_writer(db_t *db, writer_t *w, int n)
{
	assert_int_equal(pthread_create(&w->thread, NULL, write_one, w), 0);
	wait_for_writers(db, n);
}

/* Commits db's transaction; a and b, queued behind it, then write. */
static void commit_then_writers(db_t *db, writer_t *a, writer_t *b)
{
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(pthread_join(a->thread, NULL), 0);
	assert_int_equal(pthread_join(b->thread, NULL), 0);
	assert_int_equal(a->done, 0);
	assert_int_equal(b->done, 0);
}

/* SQLite: the writers of one process take their turns in the order they
 * asked, each handed the lock as the one before ends (committed, rolled
 * back, or its connection closed); one that waits past its limit fails
 * busy and leaves the queue without holding up those behind it; a write
 * outside a transaction queues too. */
static void writers_take_turns_in_order(void **state)
{
	writer_t w[] = { { .name = "B", .wait_ms = 60000 }, { .name = "C", .wait_ms = 50 }, { .name = "D", .wait_ms = 60000 },
			 { .name = "E", .wait_ms = 60000 }, { .name = "F", .wait_ms = 60000, .alone = true },
			 { .name = "G", .wait_ms = 60000 } };
	db_t *db = table_db(), *closer = NULL;
	db_stmt_t *st = NULL;
	char msg[256], names[16] = "";
	(void)state;

	if (db_dialect(db) != DB_SQLITE) {
		db_close(db);
		return;
	}
	assert_int_equal(db_begin(db), DB_OK);
	insert(db, "A", 1, NULL);
	queue_writer(db, &w[0], 1);
	/* C gives up while B waits ahead of it */
	assert_int_equal(pthread_create(&w[1].thread, NULL, write_one, &w[1]), 0);
	assert_int_equal(pthread_join(w[1].thread, NULL), 0);
	assert_int_equal(w[1].begun, DB_BUSY);
	wait_for_writers(db, 1);
	queue_writer(db, &w[2], 2);
	commit_then_writers(db, &w[0], &w[2]);
	/* a connection closed in the middle of its write hands the lock on */
	assert_int_equal(db_open(fixture_url(), &closer, msg, sizeof(msg)), DB_OK);
	assert_int_equal(db_begin(closer), DB_OK);
	assert_int_equal(pthread_create(&w[3].thread, NULL, write_one, &w[3]), 0);
	wait_for_writers(db, 1);
	db_close(closer);
	assert_int_equal(pthread_join(w[3].thread, NULL), 0);
	assert_int_equal(w[3].done, 0);
	/* a write outside a transaction waits in the queue, not in SQLite's
	 * busy handler, and keeps its place */
	assert_int_equal(db_begin(db), DB_OK);
	queue_writer(db, &w[4], 1);
	queue_writer(db, &w[5], 2);
	commit_then_writers(db, &w[4], &w[5]);
	assert_int_equal(db_prepare(db, "SELECT name FROM t ORDER BY id", &st), DB_OK);
	while (db_step(st) == DB_ROW)
		strncat(names, db_col_text(st, 0), sizeof(names) - strlen(names) - 1);
	db_finalize(st);
	assert_string_equal(names, "ABDEFG");
	db_close(db);
}

/* A reader of the WAL tests: read transactions on its own connection,
 * one after another, each holding its snapshot 2 ms, until told to stop;
 * with hold, one snapshot held until then (a report counting a large
 * commune under load, seconds long). */
typedef struct reader {
	pthread_t thread;
	atomic_int stop;
	atomic_int reads;
	bool hold;
} reader_t;

static void *read_on(void *arg)
{
	reader_t *r = arg;
	char msg[256];
	db_t *db = NULL;
	db_stmt_t *st = NULL;

	if (db_open(fixture_url(), &db, msg, sizeof(msg)) != DB_OK)
		return NULL;
	while (!atomic_load(&r->stop)) {
		if (db_begin_read(db) != DB_OK)
			break;
		if (db_prepare(db, "SELECT count(*) FROM t", &st) == DB_OK && db_step(st) == DB_ROW)
			atomic_fetch_add(&r->reads, 1);
		db_finalize(st);
		st = NULL;
		do
			usleep(r->hold ? 1000 : 2000);
		while (r->hold && !atomic_load(&r->stop));
		(void)db_rollback(db);
	}
	db_close(db);
	return NULL;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* n writes of 64 KiB (16 pages) into t, each its own transaction. */
static void write_blobs(db_t *db, int from, int n)
{
	static char blob[65536];
	db_stmt_t *st = NULL;
	char name[32];

	memset(blob, 'x', sizeof(blob) - 1);
	for (int i = from; i < from + n; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		assert_int_equal(db_begin(db), DB_OK);
		assert_int_equal(db_prepare(db, "INSERT INTO t (name, k) VALUES (?, ?)", &st), DB_OK);
		assert_int_equal(db_bind_text(st, 1, name), DB_OK);
		assert_int_equal(db_bind_text(st, 2, blob), DB_OK);
		assert_int_equal(db_step(st), DB_DONE);
		db_finalize(st);
		assert_int_equal(db_commit(db), DB_OK);
	}
}

static int64_t wal_frames(db_t *db)
{
	db_stmt_t *st = NULL;
	int64_t frames;

	assert_int_equal(db_prepare(db, "PRAGMA wal_checkpoint(PASSIVE)", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	frames = db_col_int64(st, 1);
	db_finalize(st);
	return frames;
}

/* Starts the readers r[0..n-1] a little apart, and waits (10 s at most)
 * until each has read once: the writes after come under their reading. */
static void start_readers(reader_t *r, int n)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(pthread_create(&r[i].thread, NULL, read_on, &r[i]), 0);
		usleep(700);
	}
	for (int i = 0; i < n; i++)
		for (int w = 0; w < 10000 && atomic_load(&r[i].reads) == 0; w++)
			usleep(1000);
}

static void stop_readers(reader_t *r, int n)
{
	for (int i = 0; i < n; i++) {
		atomic_store(&r[i].stop, 1);
		assert_int_equal(pthread_join(r[i].thread, NULL), 0);
		if (atomic_load(&r[i].reads) == 0)
			fail_msg("reader %d never read", i);
	}
}

/* Writes from `from` on, 25 at a time, until the WAL holds fewer pages
 * than below, or 3,000 writes (48,000 pages) were made; returns the WAL's
 * pages at the end. Waiting for the WAL to be started over, not counting
 * on it by a given write: a try waits at most its 200 ms or so for the
 * readers, and on a loaded machine a reader can be held up longer, which
 * puts the next try 4,096 pages later (CI once saw this fail with a fixed
 * count of writes). */
static int64_t write_until_wal_below(db_t *db, int from, int64_t below)
{
	int64_t frames = below;

	for (int i = from; i < from + 3000 && frames >= below; i += 25) {
		write_blobs(db, i, 25);
		frames = wal_frames(db);
	}
	return frames;
}

/* SQLite: the WAL is started over once it is long, though readers come
 * one after another and some reader always holds a snapshot in it (under
 * the month-end mix it had grown to 320 MiB in 30 s). Without our RESTART
 * checkpoints it only grows under these readers: 3,000 writes of 64 KiB
 * leave it 48,000 pages long. */
static void the_wal_is_restarted_under_constant_reading(void **state)
{
	/* static: a failed assertion leaves the test while the threads run */
	static reader_t r[3];
	db_t *db = table_db();
	int64_t longest = 0, frames = 0;
	(void)state;

	if (db_dialect(db) != DB_SQLITE) {
		db_close(db);
		return;
	}
	memset(r, 0, sizeof(r));
	start_readers(r, 3);
	for (int i = 0; i < 3000 && frames >= longest; i += 25) {
		longest = frames;
		write_blobs(db, i, 25);
		frames = wal_frames(db);
	}
	stop_readers(r, 3);
	if (frames >= longest)
		fail_msg("the WAL was never started over: %lld pages after 3,000 writes", (long long)frames);
	db_close(db);
}

/* SQLite: a reader that keeps its snapshot in a long WAL does not make
 * every write wait for it. Starting the WAL over waits for the readers of
 * older snapshots, holding the write lock; with a report
 * seconds long, each commit after the WAL's 4,096th page waited the whole
 * 200 ms, and the month-end mix at 20,000,000 members made 5 writes a
 * second (BENCHMARKS.md 2026-12-05). After one such wait in vain the next
 * comes only after as many pages again: 400 writes past the mark (6,400
 * pages) once took 80 s, now a second or two (the bound: 20 s). Once the
 * long reader is gone the WAL starts over, though short readers still
 * come one after another (by our RESTART: SQLite would not by itself). */
static void a_long_reader_does_not_hold_every_write_up(void **state)
{
	/* static: a failed assertion leaves the test while the thread runs */
	static reader_t h, r[3];
	db_t *db = table_db();
	struct timespec t0;
	double took;
	int64_t pinned, frames;
	(void)state;

	if (db_dialect(db) != DB_SQLITE) {
		db_close(db);
		return;
	}
	write_blobs(db, 0, 1);
	memset(&h, 0, sizeof(h));
	memset(r, 0, sizeof(r));
	h.hold = true;
	assert_int_equal(pthread_create(&h.thread, NULL, read_on, &h), 0);
	for (int i = 0; i < 10000 && atomic_load(&h.reads) == 0; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&h.reads), 1);
	write_blobs(db, 1, 270); /* past the 4,096th page */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	write_blobs(db, 271, 400);
	took = seconds_since(&t0);
	/* the short readers start while the long one still holds the WAL: a
	 * pause in the writes with no reader in the WAL would let SQLite
	 * start it over by itself */
	start_readers(r, 3);
	pinned = wal_frames(db);
	atomic_store(&h.stop, 1);
	assert_int_equal(pthread_join(h.thread, NULL), 0);
	if (took >= 20.0)
		fail_msg("400 writes beside a long reader took %.1f s", took);
	assert_true(pinned > 4096);
	/* the long reader gone, short ones coming: the WAL is started over
	 * (fewer pages in it than when the long reader went) */
	frames = write_until_wal_below(db, 671, pinned);
	stop_readers(r, 3);
	if (frames >= pinned)
		fail_msg("the WAL was not started over after the long reader: %lld pages", (long long)frames);
	db_close(db);
}

/* Whether this process maps the file at path (/proc/self/maps). */
static bool mapped(const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	size_t n = strlen(path);
	bool yes = false;

	assert_non_null(f);
	while (!yes && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, path);
		yes = p && (p[n] == '\n' || p[n] == '\0');
	}
	fclose(f);
	return yes;
}

/* Kilobytes of this process's maps of the file at path that are resident
 * (/proc/self/smaps): pages read through them. */
static long mapped_kb(const char *path)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[4096];
	size_t n = strlen(path);
	bool in = false;
	long kb = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *end = NULL;
		(void)strtoul(line, &end, 16);
		if (end != line && *end == '-') { /* a map's first line: its addresses, then its file */
			char *p = strstr(line, path);
			in = p && p[n] == '\n';
		} else if (in && strncmp(line, "Rss:", 4) == 0) {
			kb += strtol(line + 4, NULL, 10);
		}
	}
	fclose(f);
	return kb;
}

/* Whether another process finds the lock this one holds on the database
 * file while a connection is open (os_unix.c's SHARED range, 510 bytes at
 * 0x40000002): what a CLI command looks at before it takes the file and
 * its WAL for itself. */
static bool locked_for_others(const char *path)
{
	pid_t me = getpid(), child = fork();
	int status = 0;

	assert_true(child >= 0);
	if (child == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0x40000002, .l_len = 510 };
		int fd = open(path, O_RDWR);
		_exit(fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid == me ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* sum(length(k)) and count(*) of t, read on db in a transaction of its own. */
static void read_t(db_t *db, int64_t *rows, int64_t *bytes)
{
	db_stmt_t *st = NULL;

	assert_int_equal(db_begin_read(db), DB_OK);
	assert_int_equal(db_prepare(db, "SELECT count(*), coalesce(sum(length(k)), 0) FROM t", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	*rows = db_col_int64(st, 0);
	*bytes = db_col_int64(st, 1);
	db_finalize(st);
	assert_int_equal(db_rollback(db), DB_OK);
}

static void exec_ok(db_t *db, const char *sql)
{
	if (db_exec(db, sql) != DB_OK)
		fail_msg("%s: %s", sql, db_errmsg(db));
}

/* SQLite: a reader's pages come from one map of the file a process
 * (store/sqlite_map.h), kept across the commits of other connections;
 * what it reads is what those commits wrote, after checkpoints that
 * overwrite the file's pages in place, grow it past the first map, and
 * shrink it (VACUUM); a snapshot held meanwhile still reads its own rows.
 * The map goes with the last connection to the file. */
static void readers_see_every_commit_through_the_shared_map(void **state)
{
	db_t *db = table_db(), *r = NULL;
	const char *url = fixture_url(), *path = url + 7, *env = getenv("UNIONBASE_SQLITE_MAP");
	bool map_on = !env || strcmp(env, "off") != 0;
	int64_t rows, bytes, held_rows, held_bytes;
	db_stmt_t *st = NULL;
	char msg[256];
	(void)state;

	if (db_dialect(db) != DB_SQLITE) {
		db_close(db);
		return;
	}
	assert_int_equal(db_open(url, &r, msg, sizeof(msg)), DB_OK);
	assert_true(mapped(path) == map_on);
	write_blobs(db, 0, 40);
	exec_ok(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	read_t(r, &rows, &bytes);
	assert_int_equal(rows, 40);
	assert_int_equal(bytes, 40 * 65535);
	/* the pages came through the map; both connections' locks hold */
	assert_true((mapped_kb(path) > 0) == map_on);
	assert_true(locked_for_others(path));
	/* the file's pages overwritten in place by a checkpoint */
	exec_ok(db, "UPDATE t SET k = substr(k, 1, 1000) WHERE name < 'h2'");
	exec_ok(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	read_t(r, &rows, &bytes);
	assert_int_equal(rows, 40);
	assert_int_equal(bytes, 12 * 1000 + 28 * 65535); /* h0, h1, h10..h19 cut */
	/* a snapshot held while others commit and checkpoint (passively: its
	 * pages may not be overwritten) reads its own rows */
	assert_int_equal(db_begin_read(r), DB_OK);
	assert_int_equal(db_prepare(r, "SELECT count(*), coalesce(sum(length(k)), 0) FROM t", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	held_rows = db_col_int64(st, 0);
	held_bytes = db_col_int64(st, 1);
	assert_int_equal(db_reset(st), DB_OK);
	/* the file past the first map (64 MiB): 1,100 more rows of 64 KiB */
	write_blobs(db, 2000, 1100);
	exec_ok(db, "DELETE FROM t WHERE name < 'h2'");
	exec_ok(db, "PRAGMA wal_checkpoint(PASSIVE)");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int64(st, 0), held_rows);
	assert_int_equal(db_col_int64(st, 1), held_bytes);
	db_finalize(st);
	assert_int_equal(db_rollback(r), DB_OK);
	exec_ok(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	read_t(r, &rows, &bytes);
	assert_int_equal(rows, 28 + 1100);
	assert_int_equal(bytes, (28 + 1100) * (int64_t)65535);
	/* the file shrunk under the map */
	exec_ok(db, "DELETE FROM t WHERE length(name) = 5");
	exec_ok(db, "VACUUM");
	exec_ok(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	read_t(r, &rows, &bytes);
	assert_int_equal(rows, 28);
	assert_int_equal(bytes, 28 * 65535);
	db_close(r);
	assert_true(locked_for_others(path)); /* db's, after r's descriptor went */
	read_t(db, &rows, &bytes);
	assert_int_equal(rows, 28);
	db_close(db);
	assert_false(mapped(path));
}

static void bulk_load_many_rows(void **state)
{
	db_t *db = table_db();
	static const char *const cols[] = { "name", "n", "d", "k" };
	db_bulk_t *b = NULL;
	char name[32], n[32];
	(void)state;

	assert_int_equal(db_bulk_begin(db, "t", cols, 4, &b), DB_ERROR); /* needs a transaction */
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_bulk_begin(db, "t", cols, 4, &b), DB_OK);
	for (int i = 0; i < 5000; i++) {
		const char *row[4];
		snprintf(name, sizeof(name), "tab\there\\%d\n", i);
		snprintf(n, sizeof(n), "%d", i);
		row[0] = name;
		row[1] = n;
		row[2] = i % 2 ? "2025-07-01" : NULL;
		row[3] = "k";
		assert_int_equal(db_bulk_row(b, row), DB_OK);
	}
	assert_int_equal(db_bulk_end(b), DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(count(db), 5000);
	{
		db_stmt_t *st = NULL;
		assert_int_equal(db_prepare(db, "SELECT name, d FROM t WHERE n = 7", &st), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), "tab\there\\7\n");
		assert_string_equal(db_col_text(st, 1), "2025-07-01");
		db_finalize(st);
	}
	db_close(db);
}

/* rows rows into table, named prefix-i: d NULL in every third, k '' in
 * every second; the status of the first call that fails, or of the end. */
static int bulk_rows(db_t *db, const char *table, const char *prefix, int rows)
{
	static const char *const cols[] = { "name", "n", "d", "k" };
	db_bulk_t *b = NULL;
	char name[64], n[32];
	int rc = db_bulk_begin(db, table, cols, 4, &b);

	for (int i = 0; rc == DB_OK && i < rows; i++) {
		const char *row[4] = { name, n, i % 3 ? "2025-07-01" : NULL, i % 2 ? "" : "k" };
		snprintf(name, sizeof(name), "%s-%d", prefix, i);
		snprintf(n, sizeof(n), "%d", i);
		rc = db_bulk_row(b, row);
	}
	if (rc != DB_OK) {
		db_bulk_end(b);
		return rc;
	}
	return db_bulk_end(b);
}

static int64_t count_where(db_t *db, const char *sql, const char *arg)
{
	db_stmt_t *st = NULL;
	int64_t n;

	assert_int_equal(db_prepare(db, sql, &st), DB_OK);
	assert_int_equal(db_bind_text(st, 1, arg), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}

/* SQLite inserts a bulk's rows many to a statement when the connection's
 * foreign keys are off (the generator's), the last few one by one: the
 * passes of a bulk test, with them on and (SQLite) off. */
static int fk_passes(db_t *db)
{
	return db_dialect(db) == DB_SQLITE ? 2 : 1;
}

static void fk_pass(db_t *db, int pass)
{
	if (db_dialect(db) == DB_SQLITE)
		assert_int_equal(db_exec(db, pass ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON"), DB_OK);
}

/* ... and keeps its statements for the next bulk: every length around
 * the group's size keeps every value, NULL and '' apart. */
static void bulk_loads_of_any_length_keep_every_value(void **state)
{
	static const int LENGTHS[] = { 0, 1, 31, 32, 33, 64, 95 };
	db_t *db = table_db();
	char prefix[16], like[24];
	(void)state;

	for (int round = 0; round < 2 * fk_passes(db); round++)
		for (size_t k = 0; k < sizeof(LENGTHS) / sizeof(LENGTHS[0]); k++) {
			int rows = LENGTHS[k];
			snprintf(prefix, sizeof(prefix), "r%d-%d", round, rows);
			snprintf(like, sizeof(like), "%s-%%", prefix);
			fk_pass(db, round / 2);
			assert_int_equal(db_begin(db), DB_OK);
			assert_int_equal(bulk_rows(db, "t", prefix, rows), DB_OK);
			assert_int_equal(db_commit(db), DB_OK);
			assert_int_equal(count_where(db, "SELECT count(*) FROM t WHERE name LIKE ?", like), rows);
			assert_int_equal(count_where(db, "SELECT count(*) FROM t WHERE name LIKE ? AND d IS NULL", like),
					 (rows + 2) / 3);
			assert_int_equal(count_where(db, "SELECT count(*) FROM t WHERE name LIKE ? AND k = ''", like), rows / 2);
			assert_int_equal(count_where(db, "SELECT count(*) FROM t WHERE name LIKE ? AND k IS NULL", like), 0);
			assert_int_equal(count_where(db, "SELECT coalesce(sum(n), 0) FROM t WHERE name LIKE ?", like),
					 (int64_t)rows * (rows - 1) / 2);
		}
	db_close(db);
}

/* More tables than the connection keeps statements for, each loaded
 * twice. */
static void bulk_loads_of_many_tables_in_turn(void **state)
{
	db_t *db = table_db();
	char sql[160], table[16], name[32];
	(void)state;

	for (int i = 0; i < 12; i++) {
		snprintf(sql, sizeof(sql), "CREATE TABLE t%d (name TEXT NOT NULL UNIQUE, n BIGINT, d TEXT, k TEXT)", i);
		assert_int_equal(db_exec(db, sql), DB_OK);
	}
	fk_pass(db, fk_passes(db) - 1);
	assert_int_equal(db_begin(db), DB_OK);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 12; i++) {
			snprintf(table, sizeof(table), "t%d", i);
			snprintf(name, sizeof(name), "p%d", pass);
			assert_int_equal(bulk_rows(db, table, name, 40), DB_OK);
		}
	assert_int_equal(db_commit(db), DB_OK);
	for (int i = 0; i < 12; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM t%d WHERE name LIKE ?", i);
		assert_int_equal(count_where(db, sql, "p%"), 80);
	}
	db_close(db);
}

/* A refused row fails the load, by its own call, a later one's, or the
 * end's; nothing after it is written, and the rollback keeps nothing. */
static void a_refused_row_fails_the_bulk_load(void **state)
{
	db_t *db = table_db();
	(void)state;

	insert(db, "dup-40", 1, NULL);
	for (int pass = 0; pass < fk_passes(db); pass++) {
		char ok[8];
		fk_pass(db, pass);
		assert_int_equal(db_begin(db), DB_OK);
		assert_int_not_equal(bulk_rows(db, "t", "dup", 70), DB_OK);
		assert_int_equal(db_rollback(db), DB_OK);
		assert_int_equal(count(db), 1 + 70 * pass);
		/* the connection loads again after it */
		snprintf(ok, sizeof(ok), "ok%d", pass);
		assert_int_equal(db_begin(db), DB_OK);
		assert_int_equal(bulk_rows(db, "t", ok, 70), DB_OK);
		assert_int_equal(db_commit(db), DB_OK);
		assert_int_equal(count(db), 1 + 70 * (pass + 1));
	}
	db_close(db);
}

static void binary_collation_orders_bytes(void **state)
{
	db_t *db = table_db();
	static const char *const cols[] = { "name", "k" };
	const char *rows[][2] = { { "1", "b" }, { "2", "B" }, { "3", "\x02z" }, { "4", "a" } };
	db_bulk_t *b = NULL;
	db_stmt_t *st = NULL;
	const char *want[] = { "3", "2", "4", "1" };
	(void)state;

	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_bulk_begin(db, "t", cols, 2, &b), DB_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(db_bulk_row(b, rows[i]), DB_OK);
	assert_int_equal(db_bulk_end(b), DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(db_prepare(db, "SELECT name FROM t ORDER BY k", &st), DB_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), want[i]);
	}
	db_finalize(st);
	db_close(db);
}

static void migrations_apply_once_and_are_checked(void **state)
{
	db_t *db = fixture_empty_db();
	int v = -1;
	err_t e;
	(void)state;

	err_clear(&e);
	assert_int_equal(migrate_version(db, &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(migrate_check(db, &e), -1);
	assert_string_equal(e.code, "schema_missing");
	assert_int_equal(migrate_apply(db, &e), 0);
	assert_int_equal(migrate_apply(db, &e), 0); /* idempotent */
	assert_int_equal(migrate_version(db, &v, &e), 0);
	assert_int_equal(v, SCHEMA_VERSION);
	assert_int_equal(migrate_check(db, &e), 0);
	assert_int_equal(db_exec(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'"), DB_OK);
	assert_int_equal(migrate_check(db, &e), -1);
	assert_string_equal(e.code, "schema_too_new");
	db_close(db);
}

/* PostgreSQL sessions are set as db_pg.c says: UTC, ISO dates, no JIT
 * (whose compiling cost more than it saved in every query measured). */
static void postgresql_sessions_are_set(void **state)
{
	static const char *const want[][2] = { { "TimeZone", "UTC" }, { "DateStyle", "ISO, YMD" }, { "jit", "off" } };
	db_t *db = fixture_empty_db();
	(void)state;

	if (db_dialect(db) == DB_POSTGRESQL)
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			db_stmt_t *st = NULL;
			assert_int_equal(db_prepare(db, "SELECT current_setting(?)", &st), DB_OK);
			assert_int_equal(db_bind_text(st, 1, want[i][0]), DB_OK);
			assert_int_equal(db_step(st), DB_ROW);
			assert_string_equal(db_col_text(st, 0), want[i][1]);
			db_finalize(st);
		}
	db_close(db);
}

static void setting_is(db_t *db, const char *name, const char *want)
{
	db_stmt_t *st = NULL;

	assert_int_equal(db_prepare(db, "SELECT current_setting(?)", &st), DB_OK);
	assert_int_equal(db_bind_text(st, 1, name), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), want);
	db_finalize(st);
}

static char *setting_now(db_t *db, const char *name)
{
	db_stmt_t *st = NULL;
	char *v;

	assert_int_equal(db_prepare(db, "SELECT current_setting(?)", &st), DB_OK);
	assert_int_equal(db_bind_text(st, 1, name), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	v = strdup(db_col_text(st, 0));
	db_finalize(st);
	return v;
}

/* A server's page-answering connections read their snapshots without
 * parallel workers (db_set_interactive: SET LOCAL with each BEGIN), also
 * after a reconnect; outside a snapshot, and on other connections, the
 * server's setting holds. A read that runs no statement sends nothing: its
 * BEGIN and COMMIT succeed on a connection whose backend is gone. Nothing
 * to do on SQLite. */
static void an_interactive_connection_starts_no_parallel_workers(void **state)
{
	db_t *db = fixture_empty_db(), *other = NULL;
	db_stmt_t *st = NULL;
	char msg[256], *server_default;
	int64_t pid;
	int rc = DB_OK;
	(void)state;

	assert_int_equal(db_set_interactive(db), DB_OK);
	if (db_dialect(db) != DB_POSTGRESQL) {
		db_close(db);
		return;
	}
	server_default = setting_now(db, "max_parallel_workers_per_gather");
	assert_string_not_equal(server_default, "0");
	assert_int_equal(db_begin_read(db), DB_OK);
	setting_is(db, "max_parallel_workers_per_gather", "0");
	assert_int_equal(db_commit(db), DB_OK);
	setting_is(db, "max_parallel_workers_per_gather", server_default);
	assert_int_equal(db_open(fixture_url(), &other, msg, sizeof(msg)), DB_OK);
	assert_int_equal(db_begin_read(other), DB_OK);
	setting_is(other, "max_parallel_workers_per_gather", server_default);
	assert_int_equal(db_commit(other), DB_OK);

	assert_int_equal(db_prepare(db, "SELECT pg_backend_pid()", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	pid = db_col_int64(st, 0);
	db_finalize(st);
	assert_int_equal(db_prepare(other, "SELECT pg_terminate_backend(?)", &st), DB_OK);
	assert_int_equal(db_bind_int64(st, 1, pid), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	db_finalize(st);
	db_close(other);
	for (int tries = 0; tries < 50 && rc >= 0; tries++) {
		/* no statement: nothing sent, so nothing fails */
		assert_int_equal(db_begin_read(db), DB_OK);
		assert_int_equal(db_commit(db), DB_OK);
		assert_int_equal(db_prepare(db, "SELECT 1", &st), DB_OK);
		rc = db_step(st);
		db_finalize(st);
		if (rc >= 0)
			usleep(100000); /* the backend may take a moment to go */
	}
	assert_int_equal(rc, DB_CONNECT);
	assert_int_equal(db_ensure_connected(db), DB_OK);
	assert_int_equal(db_begin_read(db), DB_OK);
	setting_is(db, "max_parallel_workers_per_gather", "0");
	assert_int_equal(db_rollback(db), DB_OK);
	free(server_default);
	db_close(db);
}

static void bad_urls_fail_cleanly(void **state)
{
	char msg[256];
	db_t *db = NULL;
	(void)state;

	assert_int_equal(db_open("mysql://x", &db, msg, sizeof(msg)), DB_CONNECT);
	assert_null(db);
	assert_int_equal(db_open("", &db, msg, sizeof(msg)), DB_CONNECT);
	assert_int_equal(db_open("sqlite:/nonexistent-dir/x.db", &db, msg, sizeof(msg)), DB_CONNECT);
	assert_int_equal(db_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", &db, msg, sizeof(msg)), DB_CONNECT);
	assert_non_null(strstr(msg, "PostgreSQL"));
}

/* store_int_text writes what "%" PRId64 writes, at the edges too. */
static void int_text_writes_what_printf_writes(void **state)
{
	const int64_t edges[] = { 0, 1, -1, 9, 10, -10, 99, 100, 123456789, -987654321, INT64_MAX, INT64_MIN,
				  INT64_MIN + 1 };
	char got[STORE_INT_TEXT], want[32];
	uint64_t x = 88172645463325252ULL;
	(void)state;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		snprintf(want, sizeof(want), "%" PRId64, edges[i]);
		assert_string_equal(store_int_text(edges[i], got), want);
	}
	for (int i = 0; i < 100000; i++) { /* xorshift: any bits */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* shifted right at least once: v >= 0, so -v is defined */
		int64_t v = (int64_t)(x >> (unsigned)(i % 63 + 1));
		snprintf(want, sizeof(want), "%" PRId64, i % 2 ? v : -v);
		assert_string_equal(store_int_text(i % 2 ? v : -v, got), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_round_trip),
		cmocka_unit_test(int_text_writes_what_printf_writes),
		cmocka_unit_test(dates_compare_as_dates),
		cmocka_unit_test(unique_violation_is_classified),
		cmocka_unit_test(rollback_leaves_nothing),
		cmocka_unit_test(close_rolls_back_an_open_transaction),
		cmocka_unit_test(a_read_snapshot_begins_at_its_first_statement),
		cmocka_unit_test(kept_values_are_freed_with_the_connection),
		cmocka_unit_test(an_interactive_connection_starts_no_parallel_workers),
		cmocka_unit_test(writers_take_turns_in_order),
		cmocka_unit_test(the_wal_is_restarted_under_constant_reading),
		cmocka_unit_test(a_long_reader_does_not_hold_every_write_up),
		cmocka_unit_test(readers_see_every_commit_through_the_shared_map),
		cmocka_unit_test(bulk_load_many_rows),
		cmocka_unit_test(bulk_loads_of_any_length_keep_every_value),
		cmocka_unit_test(bulk_loads_of_many_tables_in_turn),
		cmocka_unit_test(a_refused_row_fails_the_bulk_load),
		cmocka_unit_test(binary_collation_orders_bytes),
		cmocka_unit_test(migrations_apply_once_and_are_checked),
		cmocka_unit_test(postgresql_sessions_are_set),
		cmocka_unit_test(bad_urls_fail_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
