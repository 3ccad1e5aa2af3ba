/*
 * db_sqlite.c - the SQLite driver behind db.h.
 *
 * Every connection runs in WAL mode with foreign keys on and a busy timeout,
 * so that a server's threads and a CLI command can share one file. In a
 * server (db_share_file_maps) its pages come from one map of the file a
 * process (store/sqlite_map.h), unless UNIONBASE_SQLITE_MAP=off. Write
 * transactions start with BEGIN IMMEDIATE: the write lock is taken before
 * anything is read, so the checks an operation makes still hold when it
 * writes.
 *
 * Each connection is used by one thread at a time (db.h), so connections
 * are opened without a mutex of their own (SQLITE_OPEN_NOMUTEX), and the
 * library's memory statistics, which take one global mutex around every
 * allocation of every connection, are turned off before it initialises.
 * Statements are prepared SQLITE_PREPARE_PERSISTENT: db.c keeps them for
 * the life of the connection.
 */
#include "store/db_driver.h"

#include "core/text.h"
#include "store/sqlite_map.h"

#include <stdatomic.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct write_gate write_gate_t;

/* A bulk load inserts BULK_ROWS rows a statement: one INSERT of many
 * rows costs SQLite less per row than as many of one row (5,000,000 rows
 * of dues_payments' shape: 7.1 s one a statement, 4.9 s sixteen, 4.7 s
 * sixty-four). Its statements are kept by the connection, BULK_KEPT at
 * most, for the next batch of the same table: preparing one costs as much
 * as a few hundred rows.
 *
 * They are INSERT OR FAIL: a statement of many rows that could stop
 * half-way (a constraint) keeps a copy of every page it changes, to undo
 * itself alone, and past 64 KiB the copies go to a temporary file (a
 * million generated members: 6 times the writes). A failed bulk load
 * fails its transaction anyway (db.h). Under foreign keys (an import's
 * connection) the statement must be able to undo itself all the same,
 * so there the rows go one a statement, as before. */
#define BULK_ROWS 32
#define BULK_KEPT 8

typedef struct bulk_kept {
	char *sql; /* owned; NULL: a free place */
	sqlite3_stmt *h;
	unsigned long used; /* the connection's bulk_clock when last taken */
} bulk_kept_t;

typedef struct sqlite_db {
	struct db base;
	sqlite3 *h;
	write_gate_t *gate; /* its file's, or NULL (no file, or the table full) */
	bool holds_gate;
	atomic_int restart_at; /* without a gate: its own (wal_grown) */
	int wait_ms;        /* how long a write waits for the lock */
	bulk_kept_t bulk[BULK_KEPT];
	unsigned long bulk_clock;
} sqlite_db_t;

typedef struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
	bool done;
	bool stepped;    /* stepped since its last reset */
	bool holds_gate; /* a write outside a transaction, in the gate (s_step) */
} sqlite_stmt_t;

typedef struct sqlite_bulk {
	struct db_bulk base;
	sqlite3_stmt *h;    /* one row; owned */
	sqlite3_stmt *many; /* BULK_ROWS rows, kept by the connection; NULL until first needed */
	char *sql_many;     /* its text; owned; NULL when rows go one a statement */
	int ncols;
	int group;          /* rows a statement: BULK_ROWS, or 1 under foreign keys */
	bool failed;        /* a row was refused: the rest are not written */
	/* the rows waiting for the next statement: their values one after
	 * the other in buf, each at off[] with len[] bytes (off -1: NULL) */
	int nrows;
	char *buf;
	size_t used, cap;
	long off[BULK_ROWS * DB_BULK_COLS_MAX];
	int len[BULK_ROWS * DB_BULK_COLS_MAX];
} sqlite_bulk_t;

#define SDB(db) ((sqlite_db_t *)(db))
#define SST(st) ((sqlite_stmt_t *)(st))

static int classify(int rc, int ext)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DB_BUSY;
	case SQLITE_CONSTRAINT:
		if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
			return DB_UNIQUE;
		return DB_CONSTRAINT;
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB: return DB_CONNECT;
	default: return DB_ERROR;
	}
}

static int fail(db_t *db, int rc)
{
	sqlite3 *h = SDB(db)->h;
	return db_fail(db, classify(rc, sqlite3_extended_errcode(h)), "sqlite: %s", sqlite3_errmsg(h));
}

/* How long a writer waits for the write lock: for another process, SQLite's
 * busy timeout; for another connection of this one, the gate below. */
#define BUSY_MS 10000

/*
 * The write gate: the connections of one process to one file take their
 * turns to write in the order they asked. Without it a writer that finds
 * the lock taken sleeps in SQLite's busy handler (1, 2, 5 ... 100 ms) and
 * looks again, so the lock stood idle between writers and went to whoever
 * looked first: under the month-end mix (13 writing connections of 64)
 * an edit's p99 was 1-2 s for a write of a few milliseconds. A writer
 * now waits on a condition variable of its own and is handed the lock as
 * the writer before it ends. Other processes (a CLI import beside the
 * server) still meet SQLite's own lock and its busy handler.
 */
typedef struct gate_waiter {
	pthread_cond_t cond;
	bool granted;
	struct gate_waiter *next;
} gate_waiter_t;

struct write_gate {
	char path[4096];
	int users; /* connections open to it (gate_of, gate_release); 0: free */
	pthread_mutex_t lock;
	bool held;
	gate_waiter_t *head, *tail;
	int waiting;
	atomic_int restart_at; /* the WAL's pages before it is started over (wal_grown) */
};

#define GATES_MAX 32
static write_gate_t g_gates[GATES_MAX];
static size_t g_n_gates;
static pthread_mutex_t g_gates_lock = PTHREAD_MUTEX_INITIALIZER;

/* The gate of the file at path (absolute, as SQLite names it), made on
 * first use, for one more connection (give it back with gate_release);
 * NULL for no file or when GATES_MAX files are open: that file's writers
 * then wait in SQLite's busy handler alone. */
static write_gate_t *gate_of(const char *path)
{
	write_gate_t *g = NULL, *spare = NULL;

	if (!path || !*path || strlen(path) >= sizeof(g_gates[0].path))
		return NULL;
	pthread_mutex_lock(&g_gates_lock);
	for (size_t i = 0; i < g_n_gates && !g; i++) {
		if (g_gates[i].users && strcmp(g_gates[i].path, path) == 0)
			g = &g_gates[i];
		else if (!g_gates[i].users && !spare)
			spare = &g_gates[i];
	}
	if (!g && !spare && g_n_gates < GATES_MAX) {
		if (pthread_mutex_init(&g_gates[g_n_gates].lock, NULL) == 0)
			spare = &g_gates[g_n_gates++];
	}
	if (!g && spare) {
		/* no one waits at a gate without users: its queue is empty */
		g = spare;
		memcpy(g->path, path, strlen(path) + 1);
		atomic_store(&g->restart_at, 0);
	}
	if (g)
		g->users++;
	pthread_mutex_unlock(&g_gates_lock);
	return g;
}

/* A connection to g's file is closed: the last one frees g's place (an
 * import's scratch file would otherwise keep it for the process's life). */
static void gate_release(write_gate_t *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g_gates_lock);
	g->users--;
	pthread_mutex_unlock(&g_gates_lock);
}

/* Waits for g's turn, up to ms: DB_OK when it is ours, DB_BUSY when the
 * time ran out, DB_ERROR when out of memory. */
static int gate_enter(write_gate_t *g, int ms)
{
	pthread_condattr_t attr;
	struct timespec until;
	gate_waiter_t *w;
	bool ours;

	pthread_mutex_lock(&g->lock);
	if (!g->held && !g->head) {
		g->held = true;
		pthread_mutex_unlock(&g->lock);
		return DB_OK;
	}
	/* the queue's node: on the heap, as the other threads reach it */
	w = calloc(1, sizeof(*w));
	if (!w || pthread_condattr_init(&attr) != 0) {
		pthread_mutex_unlock(&g->lock);
		free(w);
		return DB_ERROR;
	}
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 || pthread_cond_init(&w->cond, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		pthread_mutex_unlock(&g->lock);
		free(w);
		return DB_ERROR;
	}
	pthread_condattr_destroy(&attr);
	if (g->tail)
		g->tail->next = w;
	else
		g->head = w;
	g->tail = w;
	g->waiting++;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!w->granted && pthread_cond_timedwait(&w->cond, &g->lock, &until) == 0)
		;
	ours = w->granted;
	g->waiting--;
	if (!ours) {
		/* out of the queue: the writers after it move up */
		gate_waiter_t **p = &g->head, *prev = NULL;
		while (*p && *p != w) {
			prev = *p;
			p = &(*p)->next;
		}
		if (*p)
			*p = w->next;
		if (g->tail == w)
			g->tail = prev;
	}
	pthread_mutex_unlock(&g->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
	return ours ? DB_OK : DB_BUSY;
}

/* Hands g to the writer that has waited longest, if any. */
static void gate_leave(write_gate_t *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->head) {
		gate_waiter_t *w = g->head;
		g->head = w->next;
		if (!g->head)
			g->tail = NULL;
		w->granted = true; /* g stays held: it is w's now */
		pthread_cond_signal(&w->cond);
	} else
		g->held = false;
	pthread_mutex_unlock(&g->lock);
}

/* Waits up to ms for the gate of db's file, if it has one: DB_OK when
 * db may write, else the failure set on db. */
static int gate_take(db_t *db, int ms)
{
	write_gate_t *g = SDB(db)->gate;
	int rc = g ? gate_enter(g, ms) : DB_OK;

	if (rc == DB_BUSY)
		return db_fail(db, DB_BUSY, "sqlite: database is locked (another write of this process held it for %d ms)",
			       ms);
	if (rc != DB_OK)
		return db_fail(db, DB_ERROR, "sqlite: out of memory waiting for the write lock");
	return DB_OK;
}

/*
 * The WAL is started over once it holds WAL_RESTART_FRAMES pages. SQLite
 * starts it over only when no reader holds a snapshot within it, and under
 * the month-end mix some reader always does: with passive checkpoints
 * alone the WAL grew for as long as the reads went on (80,000 pages,
 * 320 MiB, in 30 s at 1M members). A RESTART checkpoint copies the pages
 * back and waits for the readers of older snapshots to finish (new ones
 * read the file); the next write then starts the WAL over.
 *
 * That wait holds the write lock (SQLite's, and the gate: it runs in the
 * commit). Past WAL_RESTART_FRAMES each commit tries without waiting,
 * which costs what a passive checkpoint does and catches any moment
 * without old readers; only at a mark (restart_at) does a try wait, for
 * RESTART_WAIT_MS per WAL_RESTART_FRAMES pages in the WAL,
 * RESTART_WAIT_MAX_MS at most, and the next mark comes as many pages
 * later. (Each commit once waited its 200 ms: under the month-end mix at
 * 20,000,000 members a report holds its snapshot 3-4 s, the waits were in
 * vain, and the writes came to 5 a second, an edit's p50 3.2 s.) While
 * such readers overlap without a break the WAL has no bound: it grows
 * with the writes (about 100 MiB in that mix), and the writes slow down at
 * each mark the longer it is. Below WAL_RESTART_FRAMES, a passive
 * checkpoint every 1,000 pages, as SQLite's own wal_autocheckpoint does (a
 * WAL hook of ours replaces it). A checkpoint that cannot finish now is
 * tried again after a later commit: its answer is not the commit's.
 */
#define WAL_RESTART_FRAMES 4096
#define WAL_PASSIVE_FRAMES 1000
#define RESTART_WAIT_MS 200
#define RESTART_WAIT_MAX_MS 2000

/* A RESTART checkpoint of h's WAL, waiting for old readers up to ms. */
static int restart_wal(sqlite_db_t *db, sqlite3 *h, const char *name, int ms)
{
	int rc;

	sqlite3_busy_timeout(h, ms);
	rc = sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	sqlite3_busy_timeout(h, db->wait_ms);
	return rc;
}

static int wal_grown(void *arg, sqlite3 *h, const char *name, int frames)
{
	sqlite_db_t *db = arg;
	atomic_int *restart_at = db->gate ? &db->gate->restart_at : &db->restart_at;
	int at = atomic_load_explicit(restart_at, memory_order_relaxed);

	/* the WAL's pages only grow until it starts over: fewer than at the
	 * last mark tried means it did (or no mark was ever set) */
	if (at < WAL_RESTART_FRAMES || frames < at - WAL_RESTART_FRAMES) {
		atomic_store_explicit(restart_at, WAL_RESTART_FRAMES, memory_order_relaxed);
		at = WAL_RESTART_FRAMES;
	}
	if (frames >= at) {
		int64_t wait = (int64_t)RESTART_WAIT_MS * (frames / WAL_RESTART_FRAMES);
		int rc = restart_wal(db, h, name, (int)(wait < RESTART_WAIT_MAX_MS ? wait : RESTART_WAIT_MAX_MS));

		atomic_store_explicit(restart_at, rc == SQLITE_OK ? WAL_RESTART_FRAMES : frames + WAL_RESTART_FRAMES,
				      memory_order_relaxed);
	} else if (frames >= WAL_RESTART_FRAMES) {
		(void)restart_wal(db, h, name, 0);
	} else if (frames >= WAL_PASSIVE_FRAMES) {
		(void)sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	return SQLITE_OK;
}

static pthread_once_t g_setup_once = PTHREAD_ONCE_INIT;
static int g_setup_rc = SQLITE_OK;
static bool g_mapped;            /* store/sqlite_map.h's VFS is there */
static atomic_bool g_share_maps; /* db_share_file_maps: new connections open through it */

/* Runs once per process, before the first connection. */
static void library_setup(void)
{
	/* SQLITE_MISUSE here means the library was initialised before (by
	 * another user in this process): the statistics then stay on, which
	 * costs speed, not correctness, so the answer is not a failure */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	g_setup_rc = sqlite3_initialize();
	g_mapped = g_setup_rc == SQLITE_OK && sqlite_map_wanted();
	if (g_mapped)
		g_setup_rc = sqlite_map_register();
}

/* ub_words(text, word...): 1 when each word begins a word of text
 * (text_word_begins), 0 when one does not, NULL when text is NULL. */
static void ub_words(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	size_t len = (size_t)sqlite3_value_bytes(argv[0]);

	if (!text) {
		if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
			sqlite3_result_null(c);
		else
			sqlite3_result_error_nomem(c);
		return;
	}
	for (int i = 1; i < argc; i++) {
		const char *w = (const char *)sqlite3_value_text(argv[i]);
		if (!w && sqlite3_value_type(argv[i]) != SQLITE_NULL) {
			sqlite3_result_error_nomem(c);
			return;
		}
		if (!w || !text_word_begins(text, len, w, (size_t)sqlite3_value_bytes(argv[i]))) {
			sqlite3_result_int(c, 0);
			return;
		}
	}
	sqlite3_result_int(c, 1);
}

void db_share_file_maps(void)
{
	atomic_store(&g_share_maps, true);
}

static int s_open(const char *path, db_t **out, char *errbuf, size_t errlen)
{
	sqlite_db_t *db;
	bool mapped;
	int rc;

	if (pthread_once(&g_setup_once, library_setup) != 0 || g_setup_rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot initialise SQLite: %s", sqlite3_errstr(g_setup_rc));
		return DB_ERROR;
	}
	db = calloc(1, sizeof(*db));
	if (!db) {
		snprintf(errbuf, errlen, "out of memory");
		return DB_ERROR;
	}
	db->base.drv = &db_sqlite_driver;
	mapped = g_mapped && atomic_load(&g_share_maps);
	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, mapped ? SQLITE_MAP_VFS : NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot open %s: %s", path, db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		sqlite3_close(db->h);
		free(db);
		return DB_CONNECT;
	}
	sqlite3_busy_timeout(db->h, BUSY_MS);
	db->wait_ms = BUSY_MS;
	sqlite3_wal_hook(db->h, wal_grown, db);
	db->gate = gate_of(sqlite3_db_filename(db->h, "main"));
	/* Not SQLite's own memory map: each connection mapped the file for
	 * itself and tore the map down at every commit of another, and under
	 * the month-end mix at 1,000,000 members the server spent 90% of its
	 * time in the kernel faulting pages in and tearing page tables down
	 * (BENCHMARKS.md 2026-12-03 09:45). The map of store/sqlite_map.h is
	 * one a process and stays; mmap_size only turns it on. */
	rc = sqlite3_exec(db->h, mapped ? "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
					    " PRAGMA mmap_size=2147418112;"
					  : "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
					    " PRAGMA mmap_size=0;",
			  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db->h, "ub_words", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					     NULL, ub_words, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot open %s: %s", path, sqlite3_errmsg(db->h));
		sqlite3_close(db->h);
		free(db);
		return classify(rc, 0) == DB_ERROR ? DB_CONNECT : classify(rc, 0);
	}
	*out = &db->base;
	return DB_OK;
}

static void s_ended(db_t *db);

static void s_close(db_t *db)
{
	for (int i = 0; i < BULK_KEPT; i++) {
		sqlite3_finalize(SDB(db)->bulk[i].h);
		free(SDB(db)->bulk[i].sql);
	}
	/* SQLite rolls back a transaction left open; only then may the next
	 * writer have the gate */
	sqlite3_close(SDB(db)->h);
	s_ended(db);
	gate_release(SDB(db)->gate);
	free(db);
}

static int s_exec(db_t *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(SDB(db)->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int code = classify(rc, sqlite3_extended_errcode(SDB(db)->h));
		db_fail(db, code, "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return code;
	}
	return DB_OK;
}

static int s_prepare(db_t *db, const char *sql, db_stmt_t **out)
{
	sqlite_stmt_t *st = calloc(1, sizeof(*st));
	int rc;

	*out = NULL;
	if (!st)
		return db_fail(db, DB_ERROR, "out of memory");
	rc = sqlite3_prepare_v3(SDB(db)->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->h, NULL);
	if (rc != SQLITE_OK) {
		free(st);
		return fail(db, rc);
	}
	st->base.db = db;
	*out = &st->base;
	return DB_OK;
}

static int s_bind_int64(db_stmt_t *st, int idx, int64_t v)
{
	int rc = sqlite3_bind_int64(SST(st)->h, idx, v);
	return rc == SQLITE_OK ? DB_OK : fail(st->db, rc);
}

static int s_bind_text(db_stmt_t *st, int idx, const char *v)
{
	int rc = sqlite3_bind_text(SST(st)->h, idx, v, -1, SQLITE_TRANSIENT);
	return rc == SQLITE_OK ? DB_OK : fail(st->db, rc);
}

static int s_bind_null(db_stmt_t *st, int idx)
{
	int rc = sqlite3_bind_null(SST(st)->h, idx);
	return rc == SQLITE_OK ? DB_OK : fail(st->db, rc);
}

static void stmt_leave_gate(sqlite_stmt_t *s)
{
	if (s->holds_gate) {
		s->holds_gate = false;
		gate_leave(SDB(s->base.db)->gate);
	}
}

/* A write outside a transaction (a token's last use, an audit row) takes
 * its turn at the gate like a transaction's BEGIN, waiting up to ms: the
 * gate hands the lock from writer to writer at once, so a write that
 * polled for it in SQLite's busy handler would seldom find it free. It
 * keeps its turn until the statement is done or reset (RETURNING rows). */
static int step(db_stmt_t *st, int ms)
{
	sqlite_stmt_t *s = SST(st);
	sqlite_db_t *d = SDB(st->db);
	int rc;

	if (s->done)
		return DB_DONE;
	if (!s->stepped) {
		s->stepped = true;
		if (d->gate && sqlite3_get_autocommit(d->h) && !sqlite3_stmt_readonly(s->h)) {
			rc = gate_take(st->db, ms);
			if (rc != DB_OK) {
				s->done = true;
				return rc;
			}
			s->holds_gate = true;
		}
	}
	rc = sqlite3_step(s->h);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	/* after DONE or an error the statement gives DONE until reset (SQLite
	 * would run it again) */
	s->done = true;
	stmt_leave_gate(s);
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return fail(st->db, rc);
}

static int s_step(db_stmt_t *st) { return step(st, SDB(st->db)->wait_ms); }

static int s_reset(db_stmt_t *st)
{
	SST(st)->done = false;
	SST(st)->stepped = false;
	/* sqlite3_reset answers the error of the last step, if it failed
	 * (already reported by s_step): the reset itself cannot fail, and it
	 * ends the statement's read of the database */
	(void)sqlite3_reset(SST(st)->h);
	stmt_leave_gate(SST(st));
	return DB_OK;
}

static int s_clear_bindings(db_stmt_t *st)
{
	int rc = sqlite3_clear_bindings(SST(st)->h);
	return rc == SQLITE_OK ? DB_OK : fail(st->db, rc);
}

static void s_finalize(db_stmt_t *st)
{
	sqlite3_finalize(SST(st)->h);
	stmt_leave_gate(SST(st));
	free(st);
}

static int s_col_count(db_stmt_t *st) { return sqlite3_column_count(SST(st)->h); }
static bool s_col_is_null(db_stmt_t *st, int col) { return sqlite3_column_type(SST(st)->h, col) == SQLITE_NULL; }
static int64_t s_col_int64(db_stmt_t *st, int col) { return sqlite3_column_int64(SST(st)->h, col); }

static const char *s_col_text(db_stmt_t *st, int col)
{
	const unsigned char *t = sqlite3_column_text(SST(st)->h, col);
	return t ? (const char *)t : "";
}

static int s_begin(db_t *db)
{
	sqlite_db_t *d = SDB(db);
	int rc;

	rc = gate_take(db, d->wait_ms);
	if (rc != DB_OK)
		return rc;
	d->holds_gate = d->gate != NULL;
	rc = s_exec(db, "BEGIN IMMEDIATE");
	if (rc != DB_OK && d->holds_gate) {
		d->holds_gate = false;
		gate_leave(d->gate);
	}
	return rc;
}

static void s_ended(db_t *db)
{
	sqlite_db_t *d = SDB(db);

	if (d->holds_gate) {
		d->holds_gate = false;
		gate_leave(d->gate);
	}
}

static int s_step_within(db_stmt_t *st, int ms)
{
	sqlite3 *h = SDB(st->db)->h;
	int rc;

	sqlite3_busy_timeout(h, ms);
	rc = step(st, ms);
	sqlite3_busy_timeout(h, SDB(st->db)->wait_ms);
	return rc;
}

static void s_set_wait_limit(db_t *db, int ms)
{
	SDB(db)->wait_ms = ms > 0 ? ms : BUSY_MS;
	sqlite3_busy_timeout(SDB(db)->h, SDB(db)->wait_ms);
}

static int s_writers_waiting(db_t *db)
{
	write_gate_t *g = SDB(db)->gate;
	int n = 0;

	if (g) {
		pthread_mutex_lock(&g->lock);
		n = g->waiting;
		pthread_mutex_unlock(&g->lock);
	}
	return n;
}

/* In WAL mode a deferred transaction reads one snapshot without blocking
 * writers. */
static int s_begin_read(db_t *db) { return s_exec(db, "BEGIN DEFERRED"); }

/* "INSERT INTO table (columns) VALUES (?,...),..." of rows rows, into
 * sql[cap]; -1 when it does not fit. */
static int insert_sql(char *sql, size_t cap, const char *table, const char *const *columns, int ncols, int rows)
{
	size_t len = (size_t)snprintf(sql, cap, "INSERT OR FAIL INTO %s (", table);

	for (int i = 0; i < ncols && len < cap; i++)
		len += (size_t)snprintf(sql + len, cap - len, "%s%s", i ? "," : "", columns[i]);
	if (len < cap)
		len += (size_t)snprintf(sql + len, cap - len, ") VALUES ");
	for (int r = 0; r < rows && len < cap; r++)
		for (int i = 0; i < ncols && len < cap; i++)
			len += (size_t)snprintf(sql + len, cap - len, "%s%s%s", i ? "," : r ? ",(" : "(", "?",
						i + 1 == ncols ? ")" : "");
	return len < cap ? 0 : -1;
}

/* b's statement text for BULK_ROWS rows, or NULL with DB_ERROR set. */
static char *many_rows_sql(db_t *db, const char *table, const char *const *columns, int ncols)
{
	size_t cap = 2048 + (size_t)BULK_ROWS * ((size_t)ncols * 2 + 3);
	char *sql = malloc(cap);

	if (!sql)
		db_fail(db, DB_ERROR, "out of memory");
	else if (insert_sql(sql, cap, table, columns, ncols, BULK_ROWS)) {
		free(sql);
		sql = NULL;
		db_fail(db, DB_ERROR, "bulk load: too many columns");
	}
	return sql;
}

static int s_bulk_begin(db_t *db, const char *table, const char *const *columns, int ncols,
			db_bulk_t **out)
{
	char sql[2048];
	sqlite_bulk_t *b;
	int rc, fk = 1;

	if (ncols < 1 || ncols > DB_BULK_COLS_MAX || insert_sql(sql, sizeof(sql), table, columns, ncols, 1))
		return db_fail(db, DB_ERROR, "bulk load: too many columns");
	if (!(b = calloc(1, sizeof(*b))))
		return db_fail(db, DB_ERROR, "out of memory");
	b->base.db = db;
	b->ncols = ncols;
	b->group = 1;
	if (sqlite3_db_config(SDB(db)->h, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &fk) == SQLITE_OK && !fk) {
		if (!(b->sql_many = many_rows_sql(db, table, columns, ncols))) {
			free(b);
			return DB_ERROR;
		}
		b->group = BULK_ROWS;
	}
	rc = sqlite3_prepare_v2(SDB(db)->h, sql, -1, &b->h, NULL);
	if (rc != SQLITE_OK) {
		free(b->sql_many);
		free(b);
		return fail(db, rc);
	}
	*out = &b->base;
	return DB_OK;
}

/* The connection's statement for b's rows BULK_ROWS at a time, taken out
 * of its places (s_bulk_end puts it back); prepared when it has none. */
static int take_many(sqlite_bulk_t *b)
{
	sqlite_db_t *db = SDB(b->base.db);
	int rc;

	for (int i = 0; i < BULK_KEPT; i++)
		if (db->bulk[i].sql && db->bulk[i].h && strcmp(db->bulk[i].sql, b->sql_many) == 0) {
			b->many = db->bulk[i].h;
			db->bulk[i].h = NULL;
			return DB_OK;
		}
	rc = sqlite3_prepare_v3(db->h, b->sql_many, -1, SQLITE_PREPARE_PERSISTENT, &b->many, NULL);
	return rc == SQLITE_OK ? DB_OK : fail(b->base.db, rc);
}

/* Gives b's statement of many rows back to the connection, in the place
 * of its text, or a free one, or the one taken longest ago. */
static void give_back_many(sqlite_bulk_t *b)
{
	sqlite_db_t *db = SDB(b->base.db);
	int at = -1;

	if (!b->many)
		return;
	sqlite3_reset(b->many);
	sqlite3_clear_bindings(b->many);
	for (int i = 0; i < BULK_KEPT && at < 0; i++)
		if (db->bulk[i].sql && strcmp(db->bulk[i].sql, b->sql_many) == 0)
			at = i;
	for (int i = 0; i < BULK_KEPT && at < 0; i++)
		if (!db->bulk[i].sql)
			at = i;
	if (at < 0) {
		at = 0;
		for (int i = 1; i < BULK_KEPT; i++)
			if (db->bulk[i].used < db->bulk[at].used)
				at = i;
	}
	if (db->bulk[at].sql && strcmp(db->bulk[at].sql, b->sql_many) != 0) {
		sqlite3_finalize(db->bulk[at].h);
		free(db->bulk[at].sql);
		db->bulk[at].sql = NULL;
		db->bulk[at].h = NULL;
	}
	if (!db->bulk[at].sql) {
		db->bulk[at].sql = b->sql_many;
		b->sql_many = NULL;
	} else {
		sqlite3_finalize(db->bulk[at].h); /* another bulk of the same text gave one back meanwhile */
	}
	db->bulk[at].h = b->many;
	db->bulk[at].used = ++db->bulk_clock;
	b->many = NULL;
}

/* Binds the waiting rows, from the first, to h's parameters and runs it;
 * rows: how many h takes. */
static int insert_waiting(sqlite_bulk_t *b, sqlite3_stmt *h, int first, int rows)
{
	int rc = SQLITE_OK;

	/* SQLITE_STATIC: buf does not change until the step has read it */
	sqlite3_reset(h);
	for (int k = 0; k < rows * b->ncols && rc == SQLITE_OK; k++) {
		int v = first * b->ncols + k;
		rc = b->off[v] < 0 ? sqlite3_bind_null(h, k + 1)
				   : sqlite3_bind_text(h, k + 1, b->len[v] ? b->buf + b->off[v] : "", b->len[v],
						       SQLITE_STATIC);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(h);
	return rc == SQLITE_DONE ? DB_OK : fail(b->base.db, rc);
}

/* Inserts the waiting rows: BULK_ROWS of them by one statement, fewer
 * (the load's last) one by one. */
static int insert_rows(sqlite_bulk_t *b)
{
	int rc = DB_OK;

	if (b->nrows == BULK_ROWS) {
		rc = b->many ? DB_OK : take_many(b);
		if (rc == DB_OK)
			rc = insert_waiting(b, b->many, 0, BULK_ROWS);
	} else {
		for (int r = 0; r < b->nrows && rc == DB_OK; r++)
			rc = insert_waiting(b, b->h, r, 1);
	}
	b->nrows = 0;
	b->used = 0;
	b->failed = rc != DB_OK;
	return rc;
}

static int s_bulk_row(db_bulk_t *base, const char *const *values)
{
	sqlite_bulk_t *b = (sqlite_bulk_t *)base;
	int at = b->nrows * b->ncols;

	if (b->failed)
		return db_fail(base->db, DB_ERROR, "bulk load: a row before was refused");
	for (int i = 0; i < b->ncols; i++) {
		size_t n;
		if (!values[i]) {
			b->off[at + i] = -1;
			continue;
		}
		n = strlen(values[i]);
		if (n > (size_t)INT32_MAX) {
			b->failed = true;
			return db_fail(base->db, DB_ERROR, "bulk load: a value too long");
		}
		if (b->used + n > b->cap) {
			size_t cap = (b->used + n) * 2;
			char *grown = realloc(b->buf, cap);
			if (!grown) {
				b->failed = true;
				return db_fail(base->db, DB_ERROR, "out of memory");
			}
			b->buf = grown;
			b->cap = cap;
		}
		memcpy(b->buf + b->used, values[i], n);
		b->off[at + i] = (long)b->used;
		b->len[at + i] = (int)n;
		b->used += n;
	}
	return ++b->nrows == b->group ? insert_rows(b) : DB_OK;
}

static int s_bulk_end(db_bulk_t *base)
{
	sqlite_bulk_t *b = (sqlite_bulk_t *)base;
	int rc = b->failed ? DB_ERROR : insert_rows(b);

	give_back_many(b);
	sqlite3_finalize(b->h);
	free(b->sql_many);
	free(b->buf);
	free(b);
	return rc;
}

const db_driver_t db_sqlite_driver = {
	.name = "sqlite",
	.dialect = DB_SQLITE,
	.open = s_open,
	.close = s_close,
	.exec = s_exec,
	.prepare = s_prepare,
	.bind_int64 = s_bind_int64,
	.bind_text = s_bind_text,
	.bind_null = s_bind_null,
	.step = s_step,
	.step_within = s_step_within,
	.reset = s_reset,
	.clear_bindings = s_clear_bindings,
	.finalize = s_finalize,
	.col_count = s_col_count,
	.col_is_null = s_col_is_null,
	.col_int64 = s_col_int64,
	.col_text = s_col_text,
	.begin = s_begin,
	.begin_read = s_begin_read,
	.ended = s_ended,
	.set_wait_limit = s_set_wait_limit,
	.writers_waiting = s_writers_waiting,
	.bulk_begin = s_bulk_begin,
	.bulk_row = s_bulk_row,
	.bulk_end = s_bulk_end,
	.types = { "INTEGER PRIMARY KEY", "TEXT", "TEXT", "" },
};
