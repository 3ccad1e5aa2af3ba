/*
 * member_load.c - members with their history in bulk (see member_load.h).
 */
#include "store/member_load.h"

#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "store/audit.h"
#include "store/member_rows.h"
#include "store/member_tally.h"
#include "store/org_internal.h"
#include "store/query.h"
#include "store/util.h"

#define LOAD_BATCH MEMBER_LOAD_BATCH
/* SQLite's page cache for the load (MiB): the one index it cannot set
 * aside (persons' ID numbers, unique) takes its rows at random places */
#define LOAD_CACHE_MB 1024

/* ... and while it sorts (the search rows, the indexes): SQLite's sorter
 * sorts chunks of the page cache's size, each on a thread of its own
 * (PRAGMA threads) while the next is read, then merges them on both. With
 * the whole 1 GiB a chunk, it sorted on one thread (generating a million
 * members: 73.5 s with it, 63-64 s with 32 or 64 MiB). */
#define SORT_CACHE_MB STORE_SORT_CACHE_MB

#define NAME_UNITS MEMBER_LOAD_NAME_UNITS

/* The tables whose indexes the load sets aside; member_words' are built
 * after the figures, whose rebuild makes its rows when the load does not
 * count them itself. */
static const char *const TABLES[] = { "persons", "memberships", "person_words", "dues_payments" };
static const char *const LATE_TABLES[] = { "member_words" };

/* PostgreSQL: the tables whose foreign keys the load sets aside (checked
 * row by row, they were half the cost of its COPYs and of the figures'
 * upserts) and puts back at the end, which checks every row at once; the
 * figures' tables are written at the end, so theirs come back last.
 * SQLite's are switched off for the load (member_load_mode). */
static const char *const FK_TABLES[] = { "persons", "memberships", "person_words", "dues_payments" };
static const char *const LATE_FK_TABLES[] = { "member_words", "member_tally", "member_days" };

typedef struct load_row {
	member_row_t row; /* first: store/member_rows.h reads it */
	member_kind_t kind;
	load_stay_t stays[LOAD_STAYS_MAX];
	size_t n_stays;
	load_payment_t pay[LOAD_PAYMENTS_MAX];
	size_t n_pay;
} load_row_t;

/* A batch of members: filled by member_load_add, counted (the figures and
 * search rows, on a thread of its own), then stored. */
typedef struct batch {
	load_row_t *rows;
	size_t n;
	int64_t *word_units; /* by row: the province of her open stay, or 0 */
	int64_t *name_units; /* by row, NAME_UNITS each: the units between her
				province and her branch (her commune), then 0s */
} batch_t;

/* An index or a foreign key set aside: its name, the statement that
 * drops it and the one that makes it again. */
typedef struct aside {
	char *name, *drop, *sql;
	bool late;
} aside_t;

/* The open ancestry (valid_to DATE_OPEN), by descendant: its ancestors
 * and their tier (how many levels rank above theirs: 0 the nation, 1 a
 * province). What member_tally.c's statements join. The same shape holds
 * every ancestry row at the two highest levels, with its dates, for the
 * figures by day ('@' rows). */
typedef struct open_line {
	int64_t *unit;     /* descendants, sorted */
	size_t *first;     /* unit[i]'s ancestors: anc[first[i]] up to anc[first[i + 1]] */
	int64_t *anc;
	int *tier;
	char (*row)[2 * DATE_STR_LEN]; /* each ancestry row's "AF AT" (the day lines only) */
	date_t *from, *to;             /* and its days */
	size_t n, n_anc;
} open_line_t;

/* A figure counted: unit, dim and value -> n, amount. */
typedef struct figure {
	int64_t unit;
	uint64_t key; /* dim's id << 32 | value: a day number + DAY_BIAS, a year, or a text's id */
	uint64_t packed; /* the value of a figure by day, its parts packed (V_D...; see pack_*) */
	int64_t n, amount;
} figure_t;

/* Pairs of days interned (the "AF AT" of the figures by day). */
typedef struct pairs {
	uint64_t *pair; /* AF << 32 | AT, each a day + DAY_BIAS */
	size_t n, cap;
	uint32_t *slot; /* open addressing: index + 1, 0 empty */
	size_t n_slots;
} pairs_t;

/* Texts interned: dims ("total", "start:joined", ...) and text values. */
typedef struct words {
	char **text;
	size_t n, cap;
	uint32_t *slot; /* open addressing: index + 1, 0 empty */
	size_t n_slots;
} words_t;

/* The folded name and sort key of each name met so far (at most
 * NAMES_KEPT names; the others' are made each time): the country's names
 * repeat (the generator's, a few thousand in all), and making them
 * (text_fold, person_sort_key) was a twelfth of the storing thread's time
 * (perf of 300,000 members). */
#define NAMES_KEPT 65536
typedef struct names {
	words_t name;
	char **fold, **key; /* by the name's id in `name`, owned */
	size_t cap;
} names_t;

/* How a dim's value is kept while counting, and written. The figures by
 * day ('@' dims) keep theirs packed in figure_t.packed, not as texts: at
 * 20 million members their texts ("DAY AF AT REASON", ...) were millions,
 * and interning them took a third of the generator's time. Parts: D a day
 * number + DAY_BIAS (22 bits), i and j pairs of days "AF AT" (of
 * l->pairs: 21 bits each), t a text of l->values (21 bits), YMD a text day
 * that may be no real day (a 29 February birthday in a common year: 23
 * bits). */
typedef enum value_kind {
	V_NONE, V_DAY, V_YEAR, V_TEXT,
	V_D,          /* "DAY" */
	V_D_TEXT,     /* "DAY TEXT": D, t */
	V_AGE,        /* "DAY BAND": YMD, band */
	V_D_ROW_TEXT, /* "DAY AF AT REASON": D, i, t */
	V_D_ROW_ROW,  /* "DAY AF AT OF OT": D, i, j */
	V_YEAR_ROW,   /* "YEAR AF AT": year, i */
	V_D_ROW,      /* "DAY AF AT": D, i */
} value_kind_t;

/* The '@' dims (store/member_tally.c, day_rows). */
typedef enum at_dim {
	AT_TOTAL, AT_HONORARY, AT_DIGITAL, AT_ETH, AT_RELIGION, AT_EDUCATION, AT_OCCUPATION, AT_CIRC, AT_AGE,
	AT_S, AT_E, AT_IN, AT_OUT, AT_DUES, AT_PAID, AT_DIMS
} at_dim_t;

#define DAY_VALUE_BUF (5 * DATE_STR_LEN + 16 + PERSON_TEXT_BUF)
#define PACK_BITS 21
#define PACK_MAX ((uint64_t)1 << PACK_BITS)
#define DAY_BITS 22

#define ETHNIC_CODE_BUF 16
#define DAY_BIAS 200000 /* day numbers from before 1970 stay positive */

struct member_load {
	db_t *db;
	principal_t who;
	/* Two batches: while the counter counts one, this thread stores the
	 * other (counted before it) and fills it again. The counting is a
	 * fifth of a load's work and needs no database. */
	batch_t batch[2];
	batch_t *fill;    /* being filled */
	batch_t *counted; /* counted, or being counted: stored next */
	pthread_t counter;
	bool counter_running;
	int counter_rc;
	err_t counter_err;
	int64_t next_id;
	size_t total;
	aside_t *aside;
	size_t n_aside, cap_aside;
	void (*on_phase)(const void *ctx, const char *phase);
	const void *phase_ctx;
	/* the figures and search rows counted here (while the figures are
	 * kept), else recounted at the end */
	bool counting;
	int64_t under;  /* the units counted: those ever under this one (0: all) */
	date_t latest;  /* the latest start or end of a stay counted */
	open_line_t line;
	open_line_t days; /* every ancestry row at the two highest levels */
	figure_t *fig; /* open addressing, unit 0 empty */
	size_t n_fig, cap_fig;
	words_t dims, values;
	names_t names;
	pairs_t pairs;
	value_kind_t *dim_kind; /* by dim id */
	size_t cap_dim_kind;
	int64_t at_dim[AT_DIMS]; /* the '@' dims' ids + 1 (0: not interned yet) */
	int names_from, names_to; /* the tiers of those units */
	char (*ethnic)[ETHNIC_CODE_BUF]; /* the ethnic groups' codes */
	size_t n_ethnic, cap_ethnic;
	int64_t cache_kib;      /* SQLite: the connection's page cache before (KiB, negative) */
	int threads;            /* and its sort threads */
	int64_t temp_secure;    /* and its temporary database's secure_delete */
	bool changed;           /* those three changed, not put back yet */
};

static int read_lineage(member_load_t *l, open_line_t *line, bool days, err_t *e);
static int exec_sql(db_t *db, const char *sql, err_t *e);

/* PRAGMA journal_mode = mode: *took whether the database has it now. A
 * busy or locked file (another connection open) is not an error here. */
static int journal_mode(db_t *db, const char *mode, bool *took, err_t *e)
{
	char sql[64];
	db_stmt_t *st = NULL;
	int rc;

	*took = false;
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return store_fail(db, rc, e);
	rc = db_step(st);
	*took = rc == DB_ROW && db_col_text(st, 0) && strcmp(db_col_text(st, 0), mode) == 0;
	db_finalize(st);
	return rc == DB_ROW || rc == DB_BUSY ? 0 : store_fail(db, rc, e);
}

int member_load_mode(db_t *db, bool on, err_t *e)
{
	bool took;

	if (db_dialect(db) != DB_SQLITE)
		return 0;
	if (!on)
		/* the foreign keys must be checked again; the log comes back at
		 * the next open at the latest (db_sqlite.c sets it), so a
		 * reader holding the file now costs nothing */
		return exec_sql(db, "PRAGMA foreign_keys = ON", e) || journal_mode(db, "wal", &took, e) ||
			       exec_sql(db, "PRAGMA synchronous = NORMAL", e)
			       ? -1
			       : 0;
	/* another connection holds the file: the log stays, which costs room
	 * on disk, nothing else; under the rollback journal, a commit is
	 * made durable in full */
	if (journal_mode(db, "delete", &took, e) || (took && exec_sql(db, "PRAGMA synchronous = FULL", e)))
		return -1;
	return exec_sql(db, "PRAGMA foreign_keys = OFF", e);
}

static int aside_add(member_load_t *l, const char *name, const char *drop, const char *sql, bool late, err_t *e)
{
	aside_t *v = store_grow(l->aside, &l->cap_aside, l->n_aside, sizeof(*v), e);

	if (!v)
		return -1;
	l->aside = v;
	v[l->n_aside].name = strdup(name);
	v[l->n_aside].drop = strdup(drop);
	v[l->n_aside].sql = strdup(sql);
	v[l->n_aside].late = late;
	if (!v[l->n_aside].name || !v[l->n_aside].drop || !v[l->n_aside].sql) {
		free(v[l->n_aside].name);
		free(v[l->n_aside].drop);
		free(v[l->n_aside].sql);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	l->n_aside++;
	return 0;
}

/* Reads the droppable indexes of table: on SQLite those with a statement
 * (not a constraint's), on PostgreSQL those no constraint owns. */
static int find_indexes(member_load_t *l, const char *table, bool late, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	if (db_dialect(l->db) == DB_SQLITE)
		query_add(&q, "SELECT name, sql, '\"' || name || '\"' FROM sqlite_master WHERE type = 'index'"
			      " AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", QT(table));
	else
		query_add(&q, "SELECT i.indexname, i.indexdef, format('%I', i.indexname) FROM pg_indexes i"
			      " WHERE i.schemaname = current_schema() AND i.tablename = ? AND NOT EXISTS (SELECT 1"
			      " FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)"
			      " ORDER BY i.indexname", QT(table));
	if (query_prepare(l->db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		char drop[320];
		/* the names come from the catalogue, quoted all the same */
		if (strchr(db_col_text(st, 0), '"')) {
			r = err_set(e, ERR_INTERNAL, NULL, "an index name with a quote");
			break;
		}
		snprintf(drop, sizeof(drop), "DROP INDEX %s", db_col_text(st, 2));
		r = aside_add(l, db_col_text(st, 0), drop, db_col_text(st, 1), late, e);
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(l->db, rc, e);
	return r;
}

static int exec_sql(db_t *db, const char *sql, err_t *e)
{
	int rc = db_exec(db, sql);

	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* PostgreSQL: reads the foreign keys of table (FK_TABLES). */
static int find_fkeys(member_load_t *l, const char *table, bool late, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_add(&q, "SELECT c.conname, format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, c.conname),"
		      " format('ALTER TABLE %I ADD CONSTRAINT %I ', t.relname, c.conname) || pg_get_constraintdef(c.oid)"
		      " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
		      " WHERE c.contype = 'f' AND t.relname = ? AND n.nspname = current_schema()"
		      " ORDER BY c.conname", QT(table));
	if (query_prepare(l->db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW)
		r = aside_add(l, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), late, e);
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(l->db, rc, e);
	return r;
}

/* PostgreSQL: the load's tables and those their foreign keys refer to,
 * quoted, in the order of their names, joined by ", " into sql; *n says
 * how many. */
static int lock_list(member_load_t *l, char *sql, size_t size, size_t *n, err_t *e)
{
	const char *const *lists[] = { FK_TABLES, LATE_FK_TABLES };
	const size_t counts[] = { sizeof(FK_TABLES) / sizeof(FK_TABLES[0]),
				  sizeof(LATE_FK_TABLES) / sizeof(LATE_FK_TABLES[0]) };
	db_stmt_t *st = NULL;
	query_t q;
	size_t at = 0;
	int rc, r = 0;

	*n = 0;
	query_init(&q);
	query_sql(&q, "SELECT format('%I', t.relname), t.relname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
		      " WHERE n.nspname = current_schema() AND t.relkind = 'r' AND (t.relname IN (");
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			query_sql(&q, ") OR t.oid IN (SELECT c.confrelid FROM pg_constraint c JOIN pg_class f ON f.oid = c.conrelid"
				      " WHERE c.contype = 'f' AND f.relnamespace = n.oid AND f.relname IN (");
		for (size_t k = 0, first = 1; k < 2; k++)
			for (size_t i = 0; i < counts[k]; i++, first = 0)
				query_add(&q, first ? "?" : ", ?", QT(lists[k][i]));
	}
	query_sql(&q, "))) ORDER BY t.relname");
	if (query_prepare(l->db, &q, &st, e))
		return -1;
	sql[0] = '\0';
	while (!r && (rc = db_step(st)) == DB_ROW) {
		int w = snprintf(sql + at, size - at, "%s%s", at ? ", " : "", db_col_text(st, 0));
		if (w < 0 || (size_t)w >= size - at)
			r = err_set(e, ERR_INTERNAL, NULL, "too many tables to lock");
		else {
			at += (size_t)w;
			(*n)++;
		}
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(l->db, rc, e);
	return r;
}

/* The one text sql answers, into out. */
static int one_text(db_t *db, const char *sql, char *out, size_t size, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc;

	if ((rc = db_prepare(db, sql, &st)) != DB_OK)
		return store_fail(db, rc, e);
	if ((rc = db_step(st)) == DB_ROW)
		ub_strlcpy(out, db_col_text(st, 0), size);
	db_finalize(st);
	return rc == DB_ROW ? 0 : store_fail(db, rc, e);
}

/* How many tries lock_tables makes with its short waits (a second or two
 * in all) before it waits as long as it takes. */
#define LOCK_TRIES 50

/* PostgreSQL: takes every lock the load's drops need, up front, in one
 * statement: its tables and those their foreign keys refer to (dropping a
 * foreign key locks both), exclusively until the load commits. Taken drop
 * by drop, each an upgrade of the load's own reads, a reader that held one
 * of them and waited for another made a deadlock, which PostgreSQL ends
 * by aborting one side after deadlock_timeout (1 s by default): here the
 * load. Here each table's wait is bounded (lock_timeout, which counts
 * each lock apart: half of deadlock_timeout shared among the tables), and
 * a try that runs out gives back what it took (a savepoint) and tries
 * again after the readers in its way are done, so that no reader waits on
 * it long enough to be aborted. After LOCK_TRIES it waits unbounded: an
 * autovacuum in its way gives way only to a wait past deadlock_timeout,
 * and a deadlock then is retried the same way. */
static int lock_tables(member_load_t *l, err_t *e)
{
	char list[1024], sql[1100], old[64], deadlock[32], wait[64];
	size_t n;
	long ms;
	query_t q;
	int rc;

	if (lock_list(l, list, sizeof(list), &n, e))
		return -1;
	if (!n)
		return 0;
	if (one_text(l->db, "SELECT current_setting('lock_timeout')", old, sizeof(old), e) ||
	    one_text(l->db, "SELECT setting FROM pg_settings WHERE name = 'deadlock_timeout'", deadlock, sizeof(deadlock),
		     e))
		return -1;
	ms = strtol(deadlock, NULL, 10) / 2 / (long)n;
	snprintf(wait, sizeof(wait), "SET LOCAL lock_timeout = %ld", ms > 0 ? ms : 1);
	snprintf(sql, sizeof(sql), "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", list);
	if (exec_sql(l->db, wait, e) || exec_sql(l->db, "SAVEPOINT member_load_lock", e))
		return -1;
	for (int tries = 1; (rc = db_exec(l->db, sql)) == DB_BUSY; tries++) {
		if (exec_sql(l->db, "ROLLBACK TO SAVEPOINT member_load_lock", e))
			return -1;
		nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
		/* (undone by each rollback to the savepoint: set again) */
		if (tries >= LOCK_TRIES && exec_sql(l->db, "SET LOCAL lock_timeout = 0", e))
			return -1;
	}
	if (rc != DB_OK)
		return store_fail(l->db, rc, e);
	query_init(&q);
	query_add(&q, "SELECT set_config('lock_timeout', ?, true)", QT(old));
	return exec_sql(l->db, "RELEASE SAVEPOINT member_load_lock", e) || query_run(l->db, &q, e) ? -1 : 0;
}

/* Sets the indexes aside, then (PostgreSQL) the foreign keys, which are
 * made again after the indexes, in the order found. */
static int set_aside(member_load_t *l, err_t *e)
{
	bool pg = db_dialect(l->db) == DB_POSTGRESQL;

	if (pg && lock_tables(l, e))
		return -1;

	for (size_t i = 0; i < sizeof(TABLES) / sizeof(TABLES[0]); i++)
		if (find_indexes(l, TABLES[i], false, e))
			return -1;
	for (size_t i = 0; i < sizeof(LATE_TABLES) / sizeof(LATE_TABLES[0]); i++)
		if (find_indexes(l, LATE_TABLES[i], true, e))
			return -1;
	for (size_t i = 0; pg && i < sizeof(FK_TABLES) / sizeof(FK_TABLES[0]); i++)
		if (find_fkeys(l, FK_TABLES[i], false, e))
			return -1;
	for (size_t i = 0; pg && i < sizeof(LATE_FK_TABLES) / sizeof(LATE_FK_TABLES[0]); i++)
		if (find_fkeys(l, LATE_FK_TABLES[i], true, e))
			return -1;
	for (size_t i = 0; i < l->n_aside; i++)
		if (exec_sql(l->db, l->aside[i].drop, e))
			return -1;
	return 0;
}

static int build_indexes(member_load_t *l, bool late, err_t *e)
{
	for (size_t i = 0; i < l->n_aside; i++)
		if (l->aside[i].late == late && exec_sql(l->db, l->aside[i].sql, e))
			return -1;
	return 0;
}

static int read_ethnic(member_load_t *l, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_sql(&q, "SELECT code FROM ethnic_groups");
	if (query_prepare(l->db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		char(*v)[ETHNIC_CODE_BUF] = store_grow(l->ethnic, &l->cap_ethnic, l->n_ethnic, sizeof(*v), e);
		if (!v) {
			r = -1;
			break;
		}
		l->ethnic = v;
		ub_strlcpy(l->ethnic[l->n_ethnic++], db_col_text(st, 0), ETHNIC_CODE_BUF);
	}
	db_finalize(st);
	return r || rc == DB_DONE ? r : store_fail(l->db, rc, e);
}

/* SQLite: the page cache, sort threads and temporary secure_delete the
 * connection had, each put back even when another fails (the first
 * failure is the one said). */
static int restore_settings(member_load_t *l, err_t *e)
{
	char sql[3][64];
	int r = 0;

	if (!l->changed)
		return 0;
	l->changed = false;
	snprintf(sql[0], sizeof(sql[0]), "PRAGMA cache_size = %lld", (long long)l->cache_kib);
	snprintf(sql[1], sizeof(sql[1]), "PRAGMA threads = %d", l->threads);
	snprintf(sql[2], sizeof(sql[2]), "PRAGMA temp.secure_delete = %lld", (long long)l->temp_secure);
	for (size_t i = 0; i < 3; i++) {
		err_t later;
		err_clear(&later);
		if (exec_sql(l->db, sql[i], r ? &later : e))
			r = -1;
	}
	return r;
}

/* The tiers of the levels between the provinces (tier 1) and the lowest
 * two: the units that get a member's whole name's search row. */
static int name_tiers(member_load_t *l, err_t *e)
{
	int64_t levels = 0;
	query_t q;

	query_init(&q);
	query_sql(&q, "SELECT count(*) FROM levels");
	if (org_query_int(l->db, &q, &levels, e))
		return -1;
	l->names_from = 2;
	l->names_to = (int)levels - 3;
	return 0;
}

int member_load_begin(db_t *db, const principal_t *who, member_load_t **out, err_t *e)
{
	member_load_t *l;
	query_t q;
	int64_t last = 0, threads = 0;

	*out = NULL;
	if (!db_in_transaction(db))
		return err_set(e, ERR_INTERNAL, NULL, "member_load_begin outside a transaction");
	if (!(l = calloc(1, sizeof(*l))))
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	l->db = db;
	l->who = *who;
	*out = l;
	for (size_t i = 0; i < 2; i++)
		if (!(l->batch[i].rows = calloc(LOAD_BATCH, sizeof(*l->batch[i].rows))) ||
		    !(l->batch[i].word_units = calloc(LOAD_BATCH, sizeof(*l->batch[i].word_units))) ||
		    !(l->batch[i].name_units = calloc((size_t)LOAD_BATCH * NAME_UNITS, sizeof(*l->batch[i].name_units))))
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	l->fill = &l->batch[0];
	l->counted = &l->batch[1];
	if (db_dialect(db) == DB_SQLITE) {
		/* and a thread to help each sort (the indexes, the search rows);
		 * all three settings put back at the end (restore_settings) */
		if (store_pragma_int(db, "PRAGMA cache_size", &l->cache_kib, e) ||
		    store_pragma_int(db, "PRAGMA threads", &threads, e) ||
		    store_pragma_int(db, "PRAGMA temp.secure_delete", &l->temp_secure, e))
			return -1;
		l->threads = (int)threads;
		l->changed = true;
		/* its scratch tables, gigabytes at national size, are dropped
		 * when moved in: Debian's SQLite zeroes and writes every page
		 * freed (SECURE_DELETE), where the temporary file, deleted when
		 * the connection closes, has nothing to keep hidden */
		if (store_cache_mb(l->db, LOAD_CACHE_MB, e) || exec_sql(db, "PRAGMA threads = 2", e) ||
		    exec_sql(db, "PRAGMA temp.secure_delete = 0", e))
			return -1;
	}
	if (read_ethnic(l, e) || name_tiers(l, e))
		return -1;
	/* the write lock is held: no one else numbers persons meanwhile */
	query_init(&q);
	query_sql(&q, "SELECT coalesce(max(id), 0) FROM persons");
	if (org_query_int(db, &q, &last, e))
		return -1;
	l->next_id = last + 1;
	l->latest = DATE_FIRST;
	if (member_tally_kept(db, &l->counting, e))
		return -1;
	if (read_lineage(l, &l->line, false, e) || (l->counting && read_lineage(l, &l->days, true, e)))
		return -1;
	return member_tally_load_tables(db, l->counting, e) || set_aside(l, e) ? -1 : 0;
}

static int bulk_fail(db_t *db, int rc, db_bulk_t *bulk, err_t *e)
{
	if (bulk)
		db_bulk_end(bulk);
	return store_fail(db, rc, e);
}

/* ---- counting the figures as member_tally.c's statements would ---- */

/* What is counted of one member: her record (with its folded name), her
 * stays and her payments. */
typedef struct counted {
	const member_row_t *row;
	member_kind_t kind;
	const load_stay_t *stays;
	size_t n_stays;
	const load_payment_t *pay;
	size_t n_pay;
} counted_t;

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Doubles an open-addressing table of slots (index + 1, 0 empty; `first`
 * slots when empty) over n items, item i hashed by hash_of(items, i). */
static int slots_grow(uint32_t **slot, size_t *n_slots, size_t first, size_t n,
		      uint64_t (*hash_of)(const void *items, size_t i), const void *items, err_t *e)
{
	size_t cap = *n_slots ? *n_slots * 2 : first;
	uint32_t *grown = calloc(cap, sizeof(*grown));

	if (!grown)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)hash_of(items, i) & (cap - 1);
		while (grown[k])
			k = (k + 1) & (cap - 1);
		grown[k] = (uint32_t)i + 1;
	}
	free(*slot);
	*slot = grown;
	*n_slots = cap;
	return 0;
}

static uint64_t text_hash_of(const void *items, size_t i)
{
	return hash_text(((char *const *)items)[i]);
}

static int words_grow(words_t *w, err_t *e)
{
	return slots_grow(&w->slot, &w->n_slots, 64, w->n, text_hash_of, w->text, e);
}

/* The id of text in w, or -1 when w does not have it. */
static int64_t word_find(const words_t *w, const char *text)
{
	if (!w->n_slots)
		return -1;
	for (size_t k = (size_t)hash_text(text) & (w->n_slots - 1); w->slot[k]; k = (k + 1) & (w->n_slots - 1))
		if (strcmp(w->text[w->slot[k] - 1], text) == 0)
			return w->slot[k] - 1;
	return -1;
}

/* The id of text in w, added if new; -1 with e. */
static int64_t word_id(words_t *w, const char *text, err_t *e)
{
	int64_t id = word_find(w, text);
	size_t k;
	char **v;

	if (id >= 0)
		return id;
	if (2 * (w->n + 1) > w->n_slots && words_grow(w, e))
		return -1;
	for (k = (size_t)hash_text(text) & (w->n_slots - 1); w->slot[k]; k = (k + 1) & (w->n_slots - 1))
		;
	if (w->n >= UINT32_MAX - 1 || !(v = store_grow(w->text, &w->cap, w->n, sizeof(*v), e)))
		return w->n >= UINT32_MAX - 1 ? err_set(e, ERR_INTERNAL, NULL, "too many texts") : -1;
	w->text = v;
	if (!(w->text[w->n] = strdup(text)))
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	w->slot[k] = (uint32_t)++w->n;
	return (int64_t)w->n - 1;
}

static void words_free(words_t *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->text[i]);
	free(w->text);
	free(w->slot);
}

/* Keeps the folded name and sort key that r has for its name. */
static int names_keep(names_t *c, const member_row_t *r, err_t *e)
{
	char **fold, **key, *f, *k;
	int64_t id;

	if (c->name.n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;

		if (!(fold = realloc(c->fold, cap * sizeof(*fold))))
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		c->fold = fold;
		if (!(key = realloc(c->key, cap * sizeof(*key))))
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		c->key = key;
		c->cap = cap;
	}
	f = strdup(r->fold);
	k = strdup(r->key);
	if (!f || !k || (id = word_id(&c->name, r->p.full_name, e)) < 0) {
		free(f);
		free(k);
		return f && k ? -1 : err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	c->fold[id] = f;
	c->key[id] = k;
	return 0;
}

/* member_row_set, its texts taken from the names met before. */
static int row_set(names_t *c, member_row_t *r, const person_t *p, err_t *e)
{
	int64_t id = word_find(&c->name, p->full_name);

	if (id < 0) {
		if (member_row_set(r, p, e))
			return -1;
		if (c->name.n < NAMES_KEPT && names_keep(c, r, e)) {
			member_row_clear(r);
			return -1;
		}
		return 0;
	}
	r->p = *p;
	r->fold = strdup(c->fold[id]);
	r->key = strdup(c->key[id]);
	if (r->fold && r->key)
		return 0;
	member_row_clear(r);
	return err_set(e, ERR_INTERNAL, NULL, "out of memory");
}

static void names_free(names_t *c)
{
	for (size_t i = 0; i < c->name.n; i++) {
		free(c->fold[i]);
		free(c->key[i]);
	}
	free(c->fold);
	free(c->key);
	words_free(&c->name);
}

static uint64_t fig_hash(int64_t unit, uint64_t key, uint64_t packed)
{
	return hash64(((uint64_t)unit * 31 + key) * 0x9e3779b97f4a7c15ULL + packed);
}

/* Asks the kernel for 2 MiB pages under a large table probed at random
 * (the figures: a gigabyte at national size, each addition a miss of
 * the processor's page translations with 4 KiB pages). Advice: where the
 * kernel gives none (transparent huge pages off), nothing changes, so a
 * refusal is no failure. */
static void advise_huge_pages(void *p, size_t len)
{
	uintptr_t from = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, to = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
}

static int fig_grow(member_load_t *l, err_t *e)
{
	size_t cap = l->cap_fig ? l->cap_fig * 2 : 1 << 16;
	figure_t *v = calloc(cap, sizeof(*v));

	if (!v)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	advise_huge_pages(v, cap * sizeof(*v));
	for (size_t i = 0; i < l->cap_fig; i++) {
		size_t k;
		if (!l->fig[i].unit)
			continue;
		for (k = (size_t)fig_hash(l->fig[i].unit, l->fig[i].key, l->fig[i].packed) & (cap - 1); v[k].unit;
		     k = (k + 1) & (cap - 1))
			;
		v[k] = l->fig[i];
	}
	free(l->fig);
	l->fig = v;
	l->cap_fig = cap;
	return 0;
}

/* Adds n and amount to the figure (unit, key, packed). */
static int fig_add_n(member_load_t *l, int64_t unit, uint64_t key, uint64_t packed, int64_t n, int64_t amount,
		     err_t *e)
{
	size_t k;

	if (2 * (l->n_fig + 1) > l->cap_fig && fig_grow(l, e))
		return -1;
	for (k = (size_t)fig_hash(unit, key, packed) & (l->cap_fig - 1); l->fig[k].unit; k = (k + 1) & (l->cap_fig - 1))
		if (l->fig[k].unit == unit && l->fig[k].key == key && l->fig[k].packed == packed)
			break;
	if (!l->fig[k].unit) {
		l->fig[k].unit = unit;
		l->fig[k].key = key;
		l->fig[k].packed = packed;
		l->n_fig++;
	}
	l->fig[k].n += n;
	l->fig[k].amount += amount;
	return 0;
}

/* Adds 1 and amount to the figure (unit, key). */
static int fig_add(member_load_t *l, int64_t unit, uint64_t key, int64_t amount, err_t *e)
{
	return fig_add_n(l, unit, key, 0, 1, amount, e);
}

/* The key of dim (its value of kind `kind`), -1 with e. */
static int64_t dim_key(member_load_t *l, const char *dim, value_kind_t kind, err_t *e)
{
	int64_t id = word_id(&l->dims, dim, e);
	value_kind_t *v;

	if (id < 0)
		return -1;
	if ((size_t)id >= l->cap_dim_kind) {
		if (!(v = store_grow(l->dim_kind, &l->cap_dim_kind, (size_t)id, sizeof(*v), e)))
			return -1;
		l->dim_kind = v;
	}
	l->dim_kind[id] = kind;
	return id;
}

static uint64_t key_of(int64_t dim, uint32_t value)
{
	return (uint64_t)dim << 32 | value;
}

/* The ancestors of unit in the open ancestry: *from..*to of line.anc. */
static void ancestors(const open_line_t *line, int64_t unit, size_t *from, size_t *to)
{
	size_t lo = 0, hi = line->n;

	*from = *to = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (line->unit[mid] < unit)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < line->n && line->unit[lo] == unit) {
		*from = line->first[lo];
		*to = line->first[lo + 1];
	}
}

static bool under(const open_line_t *line, int64_t unit, int64_t ancestor)
{
	size_t a, b;

	ancestors(line, unit, &a, &b);
	for (size_t i = a; i < b; i++)
		if (line->anc[i] == ancestor)
			return true;
	return false;
}

static int read_lineage(member_load_t *l, open_line_t *line, bool days, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap_u = 0, cap_a = 0, cap_t = 0, cap_f = 0, cap_r = 0, cap_from = 0, cap_to = 0;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_sql(&q, "SELECT a.descendant, a.ancestor, (SELECT count(*) FROM levels r WHERE r.rank < tl.rank),"
		      " CAST(a.valid_from AS TEXT), CAST(a.valid_to AS TEXT)"
		      " FROM ancestry a JOIN units tu ON tu.id = a.ancestor JOIN levels tl ON tl.key = tu.level");
	query_sql(&q, days ? " WHERE (SELECT count(*) FROM levels r WHERE r.rank < tl.rank) <= 1"
			   : " WHERE a.valid_to = '9999-12-31'");
	/* under it at any time: a branch under a commune today may leave it
	 * on a day recorded ahead (a merge of the commune) */
	if (l->under)
		query_add(&q, " AND a.descendant IN (SELECT w.descendant FROM ancestry w WHERE w.ancestor = ?)",
			  QI(l->under));
	query_sql(&q, " ORDER BY a.descendant");
	if (query_prepare(l->db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		int64_t d = db_col_int64(st, 0);
		if (!line->n || line->unit[line->n - 1] != d) {
			int64_t *u = store_grow(line->unit, &cap_u, line->n, sizeof(*u), e);
			size_t *f = u ? store_grow(line->first, &cap_f, line->n + 1, sizeof(*f), e) : NULL;
			if (u)
				line->unit = u;
			if (!f) {
				r = -1;
				break;
			}
			line->first = f;
			line->unit[line->n] = d;
			line->first[line->n++] = line->n_anc;
		}
		int64_t *a = store_grow(line->anc, &cap_a, line->n_anc, sizeof(*a), e);
		int *t = a ? store_grow(line->tier, &cap_t, line->n_anc, sizeof(*t), e) : NULL;
		if (a)
			line->anc = a;
		if (!t) {
			r = -1;
			break;
		}
		line->tier = t;
		if (days) {
			char(*row)[2 * DATE_STR_LEN] = store_grow(line->row, &cap_r, line->n_anc, sizeof(*row), e);
			if (!row) {
				r = -1;
				break;
			}
			line->row = row;
			snprintf(line->row[line->n_anc], sizeof(line->row[0]), "%.10s %.10s", db_col_text(st, 3),
				 db_col_text(st, 4));
			date_t *f = store_grow(line->from, &cap_from, line->n_anc, sizeof(*f), e);
			if (f)
				line->from = f;
			date_t *t2 = f ? store_grow(line->to, &cap_to, line->n_anc, sizeof(*t2), e) : NULL;
			if (!t2) {
				r = -1;
				break;
			}
			line->to = t2;
			char first[DATE_STR_LEN];
			snprintf(first, sizeof(first), "%.10s", line->row[line->n_anc]);
			if (line->n_anc >= PACK_MAX || date_parse(first, &line->from[line->n_anc]) ||
			    date_parse(line->row[line->n_anc] + 11, &line->to[line->n_anc])) {
				r = err_set(e, ERR_INTERNAL, NULL, "ancestry: more rows than the figures by day can tell apart,"
								   " or a day that is no date");
				break;
			}
		}
		line->anc[line->n_anc] = db_col_int64(st, 1);
		line->tier[line->n_anc++] = (int)db_col_int64(st, 2);
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		return store_fail(l->db, rc, e);
	if (!r) {
		size_t *f = store_grow(line->first, &cap_f, line->n + 1, sizeof(*f), e);
		if (!f)
			return -1;
		line->first = f;
		line->first[line->n] = line->n_anc;
	}
	return r;
}

/* Adds the figure (dim, value) at each ancestor of unit of the two
 * highest levels (all of them with every_level). */
static int count_at(member_load_t *l, int64_t unit, bool every_level, int64_t dim, uint32_t value, int64_t amount,
		    err_t *e)
{
	size_t a, b;

	ancestors(&l->line, unit, &a, &b);
	for (size_t i = a; i < b; i++)
		if ((every_level || l->line.tier[i] <= 1) && fig_add(l, l->line.anc[i], key_of(dim, value), amount, e))
			return -1;
	return 0;
}

static int text_value(member_load_t *l, const char *text, uint32_t *out, err_t *e)
{
	int64_t id = word_id(&l->values, text, e);

	*out = (uint32_t)id;
	return id < 0 ? -1 : 0;
}

/* Her stock at the end of time: her open stay's unit and its ancestors. */
static int count_stock(member_load_t *l, const counted_t *r, const load_stay_t *open, err_t *e)
{
	const person_t *p = &r->row->p;
	static const struct {
		const char *dim;
		size_t off;
	} TEXTS[] = {
		{ "religion", offsetof(person_t, religion) },
		{ "education", offsetof(person_t, education) },
		{ "occupation", offsetof(person_t, occupation) },
		{ "circ", offsetof(person_t, circumstances) },
	};
	int64_t dim;
	uint32_t v;

	if ((dim = dim_key(l, "total", V_NONE, e)) < 0 || count_at(l, open->unit_id, true, dim, 0, 0, e))
		return -1;
	if (r->kind == MEMBER_HONORARY &&
	    ((dim = dim_key(l, "honorary", V_NONE, e)) < 0 || count_at(l, open->unit_id, false, dim, 0, 0, e)))
		return -1;
	if (p->digital && ((dim = dim_key(l, "digital", V_NONE, e)) < 0 || count_at(l, open->unit_id, false, dim, 0, 0, e)))
		return -1;
	if ((dim = dim_key(l, "born", V_DAY, e)) < 0 ||
	    count_at(l, open->unit_id, false, dim, (uint32_t)(p->birth_date + DAY_BIAS), 0, e))
		return -1;
	if ((dim = dim_key(l, "eth", V_TEXT, e)) < 0 || text_value(l, p->ethnicity, &v, e) ||
	    count_at(l, open->unit_id, false, dim, v, 0, e))
		return -1;
	for (size_t k = 0; k < sizeof(TEXTS) / sizeof(TEXTS[0]); k++)
		if ((dim = dim_key(l, TEXTS[k].dim, V_TEXT, e)) < 0 ||
		    text_value(l, (const char *)p + TEXTS[k].off, &v, e) || count_at(l, open->unit_id, false, dim, v, 0, e))
			return -1;
	return 0;
}

/* The other stay of a move: the one that ends (starts, with ends) on day. */
static const load_stay_t *other_stay(const counted_t *r, date_t day, bool ends)
{
	for (size_t k = 0; k < r->n_stays; k++)
		if ((ends ? r->stays[k].to : r->stays[k].from) == day)
			return &r->stays[k];
	return NULL;
}

/* A stay's start or end at the two highest levels, by day; a move counts
 * only where its other stay is outside the unit's subtree. */
static int count_event(member_load_t *l, const counted_t *r, const load_stay_t *s, bool start, err_t *e)
{
	const char *reason = start ? s->start_reason : s->end_reason;
	bool moved = strcmp(reason, "transferred") == 0;
	const load_stay_t *o = moved ? other_stay(r, start ? s->from : s->to, start) : NULL;
	char dim_text[LOAD_REASON_BUF + 8];
	size_t a, b;
	int64_t dim;

	if (moved)
		ub_strlcpy(dim_text, start ? "tin" : "tout", sizeof(dim_text));
	else
		snprintf(dim_text, sizeof(dim_text), "%s%s", start ? "start:" : "end:", reason);
	if ((dim = dim_key(l, dim_text, V_DAY, e)) < 0)
		return -1;
	ancestors(&l->line, s->unit_id, &a, &b);
	for (size_t i = a; i < b; i++) {
		if (l->line.tier[i] > 1 || (o && under(&l->line, o->unit_id, l->line.anc[i])))
			continue;
		if (fig_add(l, l->line.anc[i], key_of(dim, (uint32_t)((start ? s->from : s->to) + DAY_BIAS)), 0, e))
			return -1;
	}
	return 0;
}

/* The words of her name at the province of her open stay ('word'), each
 * once: as many as her search rows there (store/members.c,
 * member_rows_words, splits the same folded name the same way). */
static int count_words(member_load_t *l, const counted_t *r, int64_t province, err_t *e)
{
	char *copy, *save = NULL, *seen[PERSON_NAME_BUF / 2];
	size_t n_seen = 0;
	int64_t dim = dim_key(l, "word", V_TEXT, e);
	int failed = 0;

	if (dim < 0)
		return -1;
	if (!(copy = strdup(r->row->fold)))
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	for (char *w = strtok_r(copy, " ", &save); w && !failed; w = strtok_r(NULL, " ", &save)) {
		bool again = false;
		uint32_t v;
		for (size_t k = 0; k < n_seen && !again; k++)
			again = strcmp(seen[k], w) == 0;
		if (again || n_seen == sizeof(seen) / sizeof(seen[0]))
			continue;
		seen[n_seen++] = w;
		failed = text_value(l, w, &v, e) || fig_add(l, province, key_of(dim, v), 0, e) ? -1 : 0;
	}
	free(copy);
	return failed;
}

/* ---- the figures by day ('@' rows, store/member_tally.h) ---- */

static const struct {
	const char *name;
	value_kind_t kind;
} AT[AT_DIMS] = {
	{ "@total", V_D },		{ "@honorary", V_D },	   { "@digital", V_D },	    { "@eth", V_D_TEXT },
	{ "@religion", V_D_TEXT },	{ "@education", V_D_TEXT }, { "@occupation", V_D_TEXT }, { "@circ", V_D_TEXT },
	{ "@age", V_AGE },		{ "@s", V_D_ROW_TEXT },	   { "@e", V_D_ROW_TEXT },   { "@in", V_D_ROW_ROW },
	{ "@out", V_D_ROW_ROW },	{ "@dues", V_YEAR_ROW },   { "@paid", V_D_ROW },
};

static uint64_t pack_day(date_t d)
{
	return (uint64_t)((int64_t)d + DAY_BIAS);
}

static date_t unpack_day(uint64_t v)
{
	return (date_t)((int64_t)(v & (((uint64_t)1 << DAY_BITS) - 1)) - DAY_BIAS);
}

static uint64_t part(uint64_t v, int at)
{
	return (v >> at) & (PACK_MAX - 1);
}

/* The id of text as a packed part (t), -1 with e. */
static int64_t packed_text(member_load_t *l, const char *text, err_t *e)
{
	int64_t id = word_id(&l->values, text, e);

	if (id >= (int64_t)PACK_MAX)
		return err_set(e, ERR_INTERNAL, NULL, "more texts than the figures by day can tell apart");
	return id;
}

static uint64_t pair_hash_of(const void *items, size_t i)
{
	return hash64(((const uint64_t *)items)[i]);
}

static int pairs_grow(pairs_t *p, err_t *e)
{
	return slots_grow(&p->slot, &p->n_slots, 1024, p->n, pair_hash_of, p->pair, e);
}

/* The id of the pair of days (af, at), added if new; -1 with e. */
static int64_t pair_id(member_load_t *l, date_t af, date_t at, err_t *e)
{
	pairs_t *p = &l->pairs;
	uint64_t v = pack_day(af) << 32 | pack_day(at);
	uint64_t *grown;
	size_t k;

	if (2 * (p->n + 1) > p->n_slots && pairs_grow(p, e))
		return -1;
	for (k = (size_t)hash64(v) & (p->n_slots - 1); p->slot[k]; k = (k + 1) & (p->n_slots - 1))
		if (p->pair[p->slot[k] - 1] == v)
			return p->slot[k] - 1;
	if (p->n >= PACK_MAX)
		return err_set(e, ERR_INTERNAL, NULL, "more pairs of days than the figures by day can tell apart");
	if (!(grown = store_grow(p->pair, &p->cap, p->n, sizeof(*grown), e)))
		return -1;
	p->pair = grown;
	p->pair[p->n] = v;
	p->slot[k] = (uint32_t)++p->n;
	return (int64_t)p->n - 1;
}

/* The pair "AF AT" of ancestry row i for an event on day: its first day
 * taken as the event's when earlier (member_tally.c, day_flows). */
static int64_t row_on(member_load_t *l, size_t i, date_t day, err_t *e)
{
	return pair_id(l, l->days.from[i] > day ? l->days.from[i] : day, l->days.to[i], e);
}

/* Adds n (and amount) to the figure by day `dim` at ancestor, its value
 * packed. */
static int day_add(member_load_t *l, int64_t ancestor, at_dim_t dim, uint64_t packed, int64_t n, int64_t amount,
		   err_t *e)
{
	if (!l->at_dim[dim]) {
		int64_t id = dim_key(l, AT[dim].name, AT[dim].kind, e);
		if (id < 0)
			return -1;
		l->at_dim[dim] = id + 1;
	}
	return fig_add_n(l, ancestor, key_of(l->at_dim[dim] - 1, 0), packed, n, amount, e);
}

/* "AF AT" of pair id */
static void pair_text(const member_load_t *l, uint64_t id, char out[2 * DATE_STR_LEN])
{
	uint64_t v = l->pairs.pair[id];

	date_format(unpack_day(v >> 32), out);
	out[DATE_STR_LEN - 1] = ' ';
	date_format(unpack_day(v), out + DATE_STR_LEN);
}

/* The text of a packed value of kind (write_figures). */
static void unpack_value(const member_load_t *l, value_kind_t kind, uint64_t v, char *out, size_t cap)
{
	char day[DATE_STR_LEN], own[2 * DATE_STR_LEN], other[2 * DATE_STR_LEN];

	if (kind != V_AGE && kind != V_YEAR_ROW)
		date_format(unpack_day(v), day);
	switch (kind) {
	case V_D: snprintf(out, cap, "%s", day); break;
	case V_D_TEXT: snprintf(out, cap, "%s %s", day, l->values.text[part(v, DAY_BITS)]); break;
	case V_AGE:
		snprintf(out, cap, "%04d-%02d-%02d %d", (int)(v >> 9 & 0x3fff), (int)(v >> 5 & 0xf), (int)(v & 0x1f),
			 (int)(v >> 23 & 3));
		break;
	case V_D_ROW_TEXT:
		pair_text(l, part(v, DAY_BITS), own);
		snprintf(out, cap, "%s %s %s", day, own, l->values.text[part(v, DAY_BITS + PACK_BITS)]);
		break;
	case V_D_ROW_ROW:
		pair_text(l, part(v, DAY_BITS), own);
		pair_text(l, part(v, DAY_BITS + PACK_BITS), other);
		snprintf(out, cap, "%s %s %s", day, own, other);
		break;
	case V_YEAR_ROW:
		pair_text(l, part(v, 16), own);
		snprintf(out, cap, "%d %s", (int)(v & 0xffff), own);
		break;
	case V_D_ROW:
		pair_text(l, part(v, DAY_BITS), own);
		snprintf(out, cap, "%s %s", day, own);
		break;
	default: out[0] = '\0'; break;
	}
}

/* The members of a stay under one ancestry row of her unit, from the
 * later of their first days to the earlier of their ends: +1 and -1
 * ('@total'; at the nation by each field too, "DAY TEXT"). */
static int day_members(member_load_t *l, const person_t *p, member_kind_t kind, size_t i, date_t ist, date_t ien,
		       err_t *e)
{
	const struct {
		at_dim_t dim;
		const char *text;
	} FIELDS[] = {
		{ AT_ETH, p->ethnicity }, { AT_RELIGION, p->religion }, { AT_EDUCATION, p->education },
		{ AT_OCCUPATION, p->occupation }, { AT_CIRC, p->circumstances },
	};
	int64_t anc = l->days.anc[i], t[sizeof(FIELDS) / sizeof(FIELDS[0])] = { 0 };
	bool ends = ien != DATE_OPEN;

	if (l->days.tier[i] == 0)
		for (size_t k = 0; k < sizeof(FIELDS) / sizeof(FIELDS[0]); k++)
			if ((t[k] = packed_text(l, FIELDS[k].text, e)) < 0)
				return -1;
	for (int sign = 1; sign >= (ends ? -1 : 1); sign -= 2) {
		uint64_t day = pack_day(sign > 0 ? ist : ien);
		if (day_add(l, anc, AT_TOTAL, day, sign, 0, e))
			return -1;
		if (l->days.tier[i] != 0)
			continue;
		if ((kind == MEMBER_HONORARY && day_add(l, anc, AT_HONORARY, day, sign, 0, e)) ||
		    (p->digital && day_add(l, anc, AT_DIGITAL, day, sign, 0, e)))
			return -1;
		for (size_t k = 0; k < sizeof(FIELDS) / sizeof(FIELDS[0]); k++)
			if (day_add(l, anc, FIELDS[k].dim, day | (uint64_t)t[k] << DAY_BITS, sign, 0, e))
				return -1;
	}
	return 0;
}

/* A text day "YYYY-MM-DD" packed as YMD (it may be no real day). */
static uint64_t pack_ymd(const char *s)
{
	return (uint64_t)strtol(s, NULL, 10) << 9 | (uint64_t)strtol(s + 5, NULL, 10) << 5 |
	       (uint64_t)strtol(s + 8, NULL, 10);
}

/* Those members at the nation by age band: cut at the birthdays of 31,
 * 46 and 61 (text days: born on 29 February, "YYYY-02-29" of a common
 * year compares as 1 March does), each piece +1 in its band and -1 at its
 * end ("DAY BAND"). */
static int day_ages(member_load_t *l, const person_t *p, size_t i, date_t istd, date_t iend, err_t *e)
{
	static const int AGES[] = { 31, 46, 61 };
	char born[DATE_STR_LEN], ist[DATE_STR_LEN], ien[DATE_STR_LEN], limit[5][DATE_STR_LEN + 8];

	date_format(p->birth_date, born);
	date_format(istd, ist);
	date_format(iend, ien);
	snprintf(limit[0], sizeof(limit[0]), "%s", ist);
	for (int k = 0; k < 3; k++)
		snprintf(limit[k + 1], sizeof(limit[0]), "%d%s", (int)strtol(born, NULL, 10) + AGES[k], born + 4);
	snprintf(limit[4], sizeof(limit[0]), "9999-12-31");
	for (int band = 0; band < 4; band++) {
		const char *st = strcmp(ist, limit[band]) > 0 ? ist : limit[band];
		const char *en = strcmp(ien, limit[band + 1]) < 0 ? ien : limit[band + 1];
		if (strcmp(st, en) >= 0)
			continue;
		if (day_add(l, l->days.anc[i], AT_AGE, pack_ymd(st) | (uint64_t)band << 23, 1, 0, e))
			return -1;
		if (strcmp(en, "9999-12-31") != 0 &&
		    day_add(l, l->days.anc[i], AT_AGE, pack_ymd(en) | (uint64_t)band << 23, -1, 0, e))
			return -1;
	}
	return 0;
}

/* A move's other stay at the same ancestor: '@in' ('@out') with each of
 * its unit's ancestry rows there ("DAY AF AT OF OT"). */
static int day_move(member_load_t *l, const load_stay_t *o, size_t i, bool start, date_t day, err_t *e)
{
	size_t a, b;

	ancestors(&l->days, o->unit_id, &a, &b);
	for (size_t j = a; j < b; j++) {
		int64_t own, other;
		if (l->days.anc[j] != l->days.anc[i])
			continue;
		if ((own = row_on(l, i, day, e)) < 0 || (other = row_on(l, j, day, e)) < 0 ||
		    day_add(l, l->days.anc[i], start ? AT_IN : AT_OUT,
			    pack_day(day) | (uint64_t)own << DAY_BITS | (uint64_t)other << (DAY_BITS + PACK_BITS), 1, 0,
			    e))
			return -1;
	}
	return 0;
}

/* A stay's start or end at the nation ("DAY AF AT REASON"). */
static int day_event(member_load_t *l, size_t i, at_dim_t dim, date_t day, const char *reason, err_t *e)
{
	int64_t t = packed_text(l, reason, e), row = t < 0 ? -1 : row_on(l, i, day, e);

	return row < 0 ? -1
		       : day_add(l, l->days.anc[i], dim,
				 pack_day(day) | (uint64_t)row << DAY_BITS | (uint64_t)t << (DAY_BITS + PACK_BITS), 1, 0, e);
}

/* Of her stays (n of them), the one that ends (starts, with ends false)
 * on day. */
static const load_stay_t *stay_on(const load_stay_t *stays, size_t n, date_t day, bool ends)
{
	for (size_t k = 0; k < n; k++)
		if ((ends ? stays[k].to : stays[k].from) == day)
			return &stays[k];
	return NULL;
}

/* Everything of her stay s (of kind, one of her n stays) by day, at each
 * ancestry row of its unit. */
static int day_stay(member_load_t *l, const person_t *p, member_kind_t kind, const load_stay_t *stays, size_t n,
		    const load_stay_t *s, err_t *e)
{
	bool ends = s->to != DATE_OPEN;
	const load_stay_t *before = strcmp(s->start_reason, "transferred") == 0 ? stay_on(stays, n, s->from, true) : NULL;
	const load_stay_t *after =
		ends && strcmp(s->end_reason, "transferred") == 0 ? stay_on(stays, n, s->to, false) : NULL;
	size_t a, b;

	if (!l->days.row) /* no ancestry at the two highest levels: nothing counts */
		return 0;
	ancestors(&l->days, s->unit_id, &a, &b);
	for (size_t i = a; i < b; i++) {
		date_t ist = s->from > l->days.from[i] ? s->from : l->days.from[i];
		date_t ien = s->to < l->days.to[i] ? s->to : l->days.to[i];
		if (ist < ien && (day_members(l, p, kind, i, ist, ien, e) ||
				  (l->days.tier[i] == 0 && day_ages(l, p, i, ist, ien, e))))
			return -1;
		if (l->days.tier[i] != 0)
			continue;
		if (day_event(l, i, AT_S, s->from, s->start_reason, e) ||
		    (ends && day_event(l, i, AT_E, s->to, s->end_reason, e)) ||
		    (before && day_move(l, before, i, true, s->from, e)) || (after && day_move(l, after, i, false, s->to, e)))
			return -1;
	}
	return 0;
}

/* A payment at the nation: '@dues' by year ("YEAR AF AT"), '@paid' by day
 * ("DAY AF AT"), n and the sum in amount. */
static int day_payment(member_load_t *l, const load_payment_t *p, err_t *e)
{
	size_t a, b;

	if (!l->days.row)
		return 0;
	ancestors(&l->days, p->unit_id, &a, &b);
	for (size_t i = a; i < b; i++) {
		if (l->days.tier[i] != 0)
			continue;
		int64_t row = pair_id(l, l->days.from[i], l->days.to[i], e), paid = row < 0 ? -1 : row_on(l, i, p->paid_on, e);
		if (p->year < 0 || p->year > 0xffff)
			return err_set(e, ERR_INTERNAL, NULL, "a payment's year out of range");
		if (paid < 0 ||
		    day_add(l, l->days.anc[i], AT_DUES, (uint64_t)p->year | (uint64_t)row << 16, 1, p->amount, e) ||
		    day_add(l, l->days.anc[i], AT_PAID, pack_day(p->paid_on) | (uint64_t)paid << DAY_BITS, 1, p->amount, e))
			return -1;
	}
	return 0;
}

/* Notes unit as one of the NAME_UNITS of name_units. */
static int name_unit(int64_t *name_units, int64_t unit, err_t *e)
{
	for (size_t k = 0; k < NAME_UNITS; k++)
		if (!name_units[k]) {
			name_units[k] = unit;
			return 0;
		}
	return err_fail(e, ERR_INTERNAL, NULL, "more than {n} levels between a province and a branch",
			ERR_INT("n", NAME_UNITS));
}

/* Everything of r counted, and the province (*word_unit, 0 none) and the
 * units between it and her branch (name_units, NAME_UNITS of them, 0 after
 * the last) of her open stay noted for her search rows. */
static int count_member(member_load_t *l, const counted_t *r, int64_t *word_unit, int64_t *name_units, err_t *e)
{
	int64_t dues, paid;

	*word_unit = 0;
	memset(name_units, 0, NAME_UNITS * sizeof(name_units[0]));
	for (size_t k = 0; k < r->n_stays; k++) {
		const load_stay_t *s = &r->stays[k];
		if (s->from > l->latest)
			l->latest = s->from;
		if (s->to != DATE_OPEN && s->to > l->latest)
			l->latest = s->to;
		if (count_event(l, r, s, true, e) || (s->to != DATE_OPEN && count_event(l, r, s, false, e)) ||
		    day_stay(l, &r->row->p, r->kind, r->stays, r->n_stays, s, e))
			return -1;
		if (s->to == DATE_OPEN) {
			size_t from, to;
			if (count_stock(l, r, s, e))
				return -1;
			ancestors(&l->line, s->unit_id, &from, &to);
			for (size_t j = from; j < to; j++)
				if (l->line.tier[j] == 1)
					*word_unit = l->line.anc[j];
				else if (l->line.tier[j] >= l->names_from && l->line.tier[j] <= l->names_to &&
					 name_unit(name_units, l->line.anc[j], e))
					return -1;
		}
	}
	if (*word_unit && count_words(l, r, *word_unit, e))
		return -1;
	if ((dues = dim_key(l, "dues", V_YEAR, e)) < 0 || (paid = dim_key(l, "paid", V_DAY, e)) < 0)
		return -1;
	for (size_t k = 0; k < r->n_pay; k++) {
		const load_payment_t *p = &r->pay[k];
		if (count_at(l, p->unit_id, false, dues, (uint32_t)p->year, p->amount, e) ||
		    count_at(l, p->unit_id, false, paid, (uint32_t)(p->paid_on + DAY_BIAS), p->amount, e) ||
		    day_payment(l, p, e))
			return -1;
	}
	return 0;
}

/* Row i of batch b counted (count_member). */
static int count_row(member_load_t *l, batch_t *b, size_t i, err_t *e)
{
	const load_row_t *r = &b->rows[i];
	counted_t c = { &r->row, r->kind, r->stays, r->n_stays, r->pay, r->n_pay };

	return count_member(l, &c, &b->word_units[i], &b->name_units[i * NAME_UNITS], e);
}

/* The figures counted, into MEMBER_LOAD_TALLY. */
static int write_figures(member_load_t *l, const char *table, err_t *e)
{
	static const char *const COLS[] = { "unit_id", "dim", "value", "n", "amount" };
	char unit[24], value[DAY_VALUE_BUF], n[24], amount[24];
	db_bulk_t *bulk = NULL;
	int rc = db_bulk_begin(l->db, table, COLS, 5, &bulk);

	for (size_t i = 0; rc == DB_OK && i < l->cap_fig; i++) {
		const figure_t *f = &l->fig[i];
		size_t dim = (size_t)(f->key >> 32);
		uint32_t v = (uint32_t)f->key;
		const char *val = value;

		if (!f->unit || (f->n == 0 && f->amount == 0)) /* counted in and out again: no figure */
			continue;
		switch (l->dim_kind[dim]) {
		case V_NONE: val = ""; break;
		case V_DAY: date_format((date_t)((int64_t)v - DAY_BIAS), value); break;
		case V_YEAR: snprintf(value, sizeof(value), "%u", v); break;
		case V_TEXT: val = l->values.text[v]; break;
		default: unpack_value(l, l->dim_kind[dim], f->packed, value, sizeof(value)); break;
		}
		store_int_text(f->unit, unit);
		store_int_text(f->n, n);
		store_int_text(f->amount, amount);
		const char *row[] = { unit, l->dims.text[dim], val, n, amount };
		rc = db_bulk_row(bulk, row);
	}
	if (rc != DB_OK)
		return bulk_fail(l->db, rc, bulk, e);
	rc = db_bulk_end(bulk);
	return rc == DB_OK ? 0 : store_fail(l->db, rc, e);
}

static int write_stays(member_load_t *l, const batch_t *b, err_t *e)
{
	static const char *const COLS[] = { "person_id", "unit_id",    "kind",        "valid_from",
					    "valid_to",  "start_reason", "end_reason" };
	char id[24], unit[24], from[DATE_STR_LEN], to[DATE_STR_LEN];
	db_bulk_t *bulk = NULL;
	int rc = db_bulk_begin(l->db, "memberships", COLS, 7, &bulk);

	for (size_t i = 0; rc == DB_OK && i < b->n; i++) {
		const load_row_t *r = &b->rows[i];
		store_int_text(l->next_id + (int64_t)i, id);
		for (size_t k = 0; rc == DB_OK && k < r->n_stays; k++) {
			const load_stay_t *s = &r->stays[k];
			const char *v[] = { id, unit, member_kind_name(r->kind), date_format(s->from, from),
					    date_format(s->to, to), s->start_reason, s->end_reason[0] ? s->end_reason : NULL };
			store_int_text(s->unit_id, unit);
			rc = db_bulk_row(bulk, v);
		}
	}
	if (rc != DB_OK)
		return bulk_fail(l->db, rc, bulk, e);
	rc = db_bulk_end(bulk);
	return rc == DB_OK ? 0 : store_fail(l->db, rc, e);
}

static int write_payments(member_load_t *l, const batch_t *b, err_t *e)
{
	static const char *const COLS[] = { "person_id", "year", "unit_id", "amount", "paid_on", "recorded_by",
					    "recorded_at" };
	char id[STORE_INT_TEXT], year[STORE_INT_TEXT], unit[STORE_INT_TEXT], amount[STORE_INT_TEXT];
	char day[DATE_STR_LEN], ts[32];
	db_bulk_t *bulk = NULL;
	int rc = db_bulk_begin(l->db, "dues_payments", COLS, 7, &bulk);

	store_now_iso(ts, sizeof(ts));
	for (size_t i = 0; rc == DB_OK && i < b->n; i++) {
		const load_row_t *r = &b->rows[i];
		store_int_text(l->next_id + (int64_t)i, id);
		for (size_t k = 0; rc == DB_OK && k < r->n_pay; k++) {
			const load_payment_t *p = &r->pay[k];
			const char *v[] = { id, year, unit, amount, date_format(p->paid_on, day), l->who.username, ts };
			store_int_text(p->year, year);
			store_int_text(p->unit_id, unit);
			store_int_text(p->amount, amount);
			rc = db_bulk_row(bulk, v);
		}
	}
	if (rc != DB_OK)
		return bulk_fail(l->db, rc, bulk, e);
	rc = db_bulk_end(bulk);
	return rc == DB_OK ? 0 : store_fail(l->db, rc, e);
}

static void clear_rows(batch_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		member_row_clear(&b->rows[i].row);
	b->n = 0;
}

static int count_batch(member_load_t *l, batch_t *b, err_t *e)
{
	for (size_t i = 0; i < b->n; i++)
		if (count_row(l, b, i, e))
			return -1;
	return 0;
}

static void *counter_thread(void *arg)
{
	member_load_t *l = arg;

	err_clear(&l->counter_err);
	l->counter_rc = count_batch(l, l->counted, &l->counter_err);
	return NULL;
}

/* Waits for the counter; its failure, if any, becomes e's. */
static int join_counter(member_load_t *l, err_t *e)
{
	if (!l->counter_running)
		return 0;
	pthread_join(l->counter, NULL);
	l->counter_running = false;
	if (!l->counter_rc)
		return 0;
	*e = l->counter_err;
	return -1;
}

/* The batch into its tables, its members numbered from l->next_id. */
static int store_batch(member_load_t *l, batch_t *b, err_t *e)
{
	int rc;

	if (member_rows_persons(l->db, b->rows, b->n, sizeof(b->rows[0]), l->next_id, e) ||
	    member_rows_words(l->db, MEMBER_BATCH_PERSON_WORDS, b->rows, b->n, sizeof(b->rows[0]), l->next_id, NULL,
			      e) ||
	    (l->counting && member_rows_words(l->db, "member_words", b->rows, b->n, sizeof(b->rows[0]),
					      l->next_id, b->word_units, e)) ||
	    (l->counting && member_rows_names(l->db, "member_words", b->rows, b->n, sizeof(b->rows[0]),
					      l->next_id, b->name_units, NAME_UNITS, e)) ||
	    write_stays(l, b, e) || write_payments(l, b, e))
		return -1;
	if ((rc = db_sync_ids(l->db, "persons")) != DB_OK)
		return store_fail(l->db, rc, e);
	l->next_id += (int64_t)b->n;
	l->total += b->n;
	clear_rows(b);
	return 0;
}

/* Hands the batch filled to the counter and stores the one it counted
 * before; the stored one is filled next. */
static int flush(member_load_t *l, err_t *e)
{
	batch_t *stored = l->counted;

	if (join_counter(l, e))
		return -1;
	l->counted = l->fill;
	l->fill = stored;
	if (l->counted->n && l->counting) {
		if (pthread_create(&l->counter, NULL, counter_thread, l) == 0)
			l->counter_running = true;
		else if (count_batch(l, l->counted, e)) /* no thread to be had: counted here */
			return -1;
	}
	return stored->n ? store_batch(l, stored, e) : 0;
}

/* Stores both batches: the first flush hands the last one filled to the
 * counter, the second stores it. */
static int flush_all(member_load_t *l, err_t *e)
{
	if (flush(l, e))
		return -1;
	return flush(l, e);
}

void member_load_on_phase(member_load_t *l, void (*fn)(const void *ctx, const char *phase), const void *ctx)
{
	l->on_phase = fn;
	l->phase_ctx = ctx;
}

/* Says phase begins; returns 0 for chaining with ||. */
static int phase(member_load_t *l, const char *name)
{
	if (l->on_phase)
		l->on_phase(l->phase_ctx, name);
	return 0;
}

/* What the counting above relies on, and the foreign keys not checked
 * row by row: units that go on, stays in order that do not overlap and
 * only the last of them open, days the store accepts, each payment in a
 * stay of hers in its unit, an ethnic group on record. */
static int check_member(const member_load_t *l, const load_member_t *m, err_t *e)
{
	for (size_t k = 0; k < m->n_stays + m->n_pay; k++) {
		int64_t unit = k < m->n_stays ? m->stays[k].unit_id : m->pay[k - m->n_stays].unit_id;
		size_t a, b;
		ancestors(&l->line, unit, &a, &b);
		if (a == b)
			return err_fail(e, ERR_INVALID, "invalid",
					"unit {id} does not go on: members are loaded into units without an end",
					ERR_INT("id", unit));
	}
	for (size_t k = 0; k < m->n_stays; k++) {
		const load_stay_t *s = &m->stays[k];
		if (s->from < DATE_FIRST || s->from >= s->to || (k && s->from < m->stays[k - 1].to) ||
		    (s->to == DATE_OPEN && k + 1 < m->n_stays) || !s->start_reason[0])
			return err_set(e, ERR_INTERNAL, NULL, "member_load_add: stays out of order");
	}
	for (size_t k = 0; k < m->n_pay; k++) {
		const load_payment_t *p = &m->pay[k];
		bool held = false;
		for (size_t j = 0; j < m->n_stays && !held; j++)
			held = m->stays[j].unit_id == p->unit_id && date_in(p->paid_on, m->stays[j].from, m->stays[j].to);
		if (!held)
			return err_set(e, ERR_INTERNAL, NULL, "member_load_add: a payment outside her stays");
	}
	if (m->p.birth_date < DATE_FIRST)
		return err_set(e, ERR_INTERNAL, NULL, "member_load_add: a birth date before 1900");
	for (size_t k = 0; m->p.ethnicity[0] && k <= l->n_ethnic; k++) {
		if (k == l->n_ethnic)
			return err_fail(e, ERR_INVALID, "invalid", "no ethnic group has the code {code}",
					ERR_STR("code", m->p.ethnicity));
		if (strcmp(l->ethnic[k], m->p.ethnicity) == 0)
			break;
	}
	return 0;
}

int member_load_add(member_load_t *l, const load_member_t *m, err_t *e)
{
	load_row_t *r;

	if (m->n_stays < 1 || m->n_stays > LOAD_STAYS_MAX || m->n_pay > LOAD_PAYMENTS_MAX)
		return err_set(e, ERR_INTERNAL, NULL, "member_load_add: stays or payments out of bounds");
	if (check_member(l, m, e))
		return -1;
	if (l->fill->n == LOAD_BATCH && flush(l, e))
		return -1;
	r = &l->fill->rows[l->fill->n];
	if (row_set(&l->names, &r->row, &m->p, e))
		return -1;
	r->kind = m->kind;
	r->n_stays = m->n_stays;
	memcpy(r->stays, m->stays, m->n_stays * sizeof(m->stays[0]));
	r->n_pay = m->n_pay;
	memcpy(r->pay, m->pay, m->n_pay * sizeof(m->pay[0]));
	l->fill->n++;
	return 0;
}

int member_load_end(member_load_t *l, const char *what, err_t *e)
{
	/* the search rows by word go into person_words in its key's order
	 * (member_tally_load_words_end) before the indexes are built; the
	 * figures counted here join the kept ones (or, were they not kept,
	 * everything is counted afresh) */
	if (flush_all(l, e) || store_cache_mb(l->db, SORT_CACHE_MB, e) || phase(l, "words") ||
	    member_tally_load_words_end(l->db, e) || phase(l, "indexes") || build_indexes(l, false, e) ||
	    store_analyze(l->db, e) || store_cache_mb(l->db, LOAD_CACHE_MB, e) || phase(l, "figures"))
		return -1;
	if (l->counting ? write_figures(l, MEMBER_LOAD_TALLY, e) || member_tally_load_end(l->db, l->latest, e)
			: member_tally_rebuild(l->db, e))
		return -1;
	if (store_cache_mb(l->db, SORT_CACHE_MB, e) || phase(l, "search") || build_indexes(l, true, e) || restore_settings(l, e))
		return -1;
	return audit_write(l->db, &l->who, "member.generate", 0, "members", NULL, NULL, NULL, what, e);
}

void member_load_free(member_load_t *l)
{
	err_t ignored;

	if (!l)
		return;
	/* a load that failed: its own failure is the one said */
	err_clear(&ignored);
	(void)join_counter(l, &ignored);
	(void)restore_settings(l, &ignored);
	for (size_t i = 0; i < 2; i++) {
		clear_rows(&l->batch[i]);
		free(l->batch[i].rows);
		free(l->batch[i].word_units);
		free(l->batch[i].name_units);
	}
	for (size_t i = 0; i < l->n_aside; i++) {
		free(l->aside[i].name);
		free(l->aside[i].drop);
		free(l->aside[i].sql);
	}
	free(l->aside);
	free(l->line.unit);
	free(l->line.first);
	free(l->line.anc);
	free(l->line.tier);
	free(l->days.unit);
	free(l->days.first);
	free(l->days.anc);
	free(l->days.tier);
	free(l->days.row);
	free(l->days.from);
	free(l->days.to);
	free(l->fig);
	words_free(&l->dims);
	words_free(&l->values);
	names_free(&l->names);
	free(l->pairs.pair);
	free(l->pairs.slot);
	free(l->dim_kind);
	free(l->ethnic);
	free(l);
}

/* ---- an import's new records counted (store/members.h, member_batch_t) ---- */

int member_load_count_begin(db_t *db, int64_t under, member_load_t **out, err_t *e)
{
	member_load_t *l;

	if (!(*out = l = calloc(1, sizeof(*l))))
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	l->db = db;
	l->under = under;
	l->latest = DATE_FIRST;
	if (member_tally_kept(db, &l->counting, e))
		return -1;
	if (!l->counting)
		return 0;
	return name_tiers(l, e) || read_lineage(l, &l->line, false, e) || read_lineage(l, &l->days, true, e) ? -1 : 0;
}

bool member_load_counting(const member_load_t *l)
{
	return l->counting;
}

int member_load_count(member_load_t *l, const member_row_t *row, member_kind_t kind, int64_t unit_id, date_t joined,
		      int64_t *word_unit, int64_t *name_units, err_t *e)
{
	load_stay_t stay = { .unit_id = unit_id, .from = joined, .to = DATE_OPEN, .start_reason = "joined" };
	counted_t c = { row, kind, &stay, 1, NULL, 0 };
	size_t a, b;

	*word_unit = 0;
	memset(name_units, 0, NAME_UNITS * sizeof(name_units[0]));
	if (!l->counting)
		return 0;
	ancestors(&l->line, unit_id, &a, &b);
	if (a == b)
		return err_set(e, ERR_INTERNAL, NULL, "member_load_count: unit %lld is not one that goes on under unit %lld",
			       (long long)unit_id, (long long)l->under);
	return count_member(l, &c, word_unit, name_units, e);
}

int member_load_count_end(member_load_t *l, err_t *e)
{
	if (!l->counting)
		return 0;
	l->counting = false; /* counted in once only */
	return member_tally_load_tables(l->db, true, e) || write_figures(l, MEMBER_LOAD_TALLY, e) ||
			       member_tally_load_end(l->db, l->latest, e)
		       ? -1
		       : 0;
}

/* ---- everyone's figures by day, from the database ---- */

/* One person's record and stays as read, until her last stay. */
typedef struct fill_person {
	int64_t id;
	person_t p;
	load_stay_t *stays;
	member_kind_t *kinds;
	size_t n, cap;
} fill_person_t;

/* Counts her stays (if any) and empties the list. */
static int fill_flush(member_load_t *l, fill_person_t *f, err_t *e)
{
	for (size_t k = 0; k < f->n; k++)
		if (day_stay(l, &f->p, f->kinds[k], f->stays, f->n, &f->stays[k], e))
			return -1;
	f->n = 0;
	return 0;
}

/* Adds the stay of row st (columns 8 on) to f, her record (1-7) first when
 * it is a new person's. */
static int fill_row(member_load_t *l, fill_person_t *f, db_stmt_t *st, err_t *e)
{
	int64_t id = db_col_int64(st, 0);
	load_stay_t *s;

	if (id != f->id) {
		if (fill_flush(l, f, e))
			return -1;
		memset(&f->p, 0, sizeof(f->p));
		f->id = id;
		if (db_col_date(st, 1, &f->p.birth_date))
			return err_set(e, ERR_INTERNAL, NULL, "person %lld: a date of birth that is no date", (long long)id);
		ub_strlcpy(f->p.ethnicity, db_col_text(st, 2), sizeof(f->p.ethnicity));
		ub_strlcpy(f->p.religion, db_col_text(st, 3), sizeof(f->p.religion));
		ub_strlcpy(f->p.education, db_col_text(st, 4), sizeof(f->p.education));
		ub_strlcpy(f->p.occupation, db_col_text(st, 5), sizeof(f->p.occupation));
		ub_strlcpy(f->p.circumstances, db_col_text(st, 6), sizeof(f->p.circumstances));
		f->p.digital = db_col_int64(st, 7) != 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		load_stay_t *stays = realloc(f->stays, cap * sizeof(*stays));
		member_kind_t *kinds = stays ? realloc(f->kinds, cap * sizeof(*kinds)) : NULL;
		if (stays)
			f->stays = stays;
		if (!kinds)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		f->kinds = kinds;
		f->cap = cap;
	}
	s = &f->stays[f->n];
	memset(s, 0, sizeof(*s));
	s->unit_id = db_col_int64(st, 8);
	f->kinds[f->n] = strcmp(db_col_text(st, 9), "honorary") == 0 ? MEMBER_HONORARY : MEMBER_REGULAR;
	if (db_col_date(st, 10, &s->from) || db_col_date(st, 11, &s->to))
		return err_set(e, ERR_INTERNAL, NULL, "person %lld: a stay's day that is no date", (long long)id);
	ub_strlcpy(s->start_reason, db_col_text(st, 12), sizeof(s->start_reason));
	ub_strlcpy(s->end_reason, db_col_text(st, 13), sizeof(s->end_reason));
	f->n++;
	return 0;
}

/* Everyone's stays, person by person, counted. */
static int fill_stays(member_load_t *l, err_t *e)
{
	fill_person_t f = { .id = -1 };
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_sql(&q, "SELECT m.person_id, p.birth_date, coalesce(p.ethnicity, ''), p.religion, p.education, p.occupation,"
		      " p.circumstances, p.digital, m.unit_id, m.kind, m.valid_from, m.valid_to, m.start_reason,"
		      " coalesce(m.end_reason, '') FROM memberships m JOIN persons p ON p.id = m.person_id"
		      " ORDER BY m.person_id, m.valid_from");
	if (query_prepare(l->db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW)
		r = fill_row(l, &f, st, e);
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(l->db, rc, e);
	if (!r)
		r = fill_flush(l, &f, e);
	free(f.stays);
	free(f.kinds);
	return r;
}

/* Everyone's payments, counted. */
static int fill_payments(member_load_t *l, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_sql(&q, "SELECT unit_id, year, paid_on, amount FROM dues_payments");
	if (query_prepare(l->db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		load_payment_t p = { .unit_id = db_col_int64(st, 0), .year = (int)db_col_int64(st, 1),
				     .amount = db_col_int64(st, 3) };
		r = db_col_date(st, 2, &p.paid_on) ? err_set(e, ERR_INTERNAL, NULL, "a payment's day that is no date")
						   : day_payment(l, &p, e);
	}
	db_finalize(st);
	if (!r && rc != DB_DONE)
		r = store_fail(l->db, rc, e);
	return r;
}

int member_load_days_fill(db_t *db, err_t *e)
{
	member_load_t *l;
	bool kept = false, own = false;
	query_t q;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = member_tally_kept(db, &kept, e);
	if (r || !kept)
		return store_tx_end(db, own, r, e);
	if (!(l = calloc(1, sizeof(*l))))
		return store_tx_end(db, own, err_set(e, ERR_INTERNAL, NULL, "out of memory"), e);
	l->db = db;
	query_init(&q);
	query_sql(&q, "DELETE FROM member_days");
	r = query_run(db, &q, e) || read_lineage(l, &l->days, true, e) || fill_stays(l, e) || fill_payments(l, e) ||
	    write_figures(l, "member_days", e) || member_tally_days_units(db, e) ? -1 : 0;
	member_load_free(l);
	return store_tx_end(db, own, r, e);
}
