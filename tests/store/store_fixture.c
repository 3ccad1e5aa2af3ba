/* store_fixture.c - see store_fixture.h. */
#include "store_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/org_ops.h"
#include "store/migrate.h"

static char g_url[512];

unit_t fixture_unit(db_t *db, const char *code, date_t d)
{
	char day[DATE_STR_LEN];
	unit_t u;
	err_t e;

	err_clear(&e);
	if (org_unit_get(db, code, d, &u, &e))
		fail_msg("unit %s on %s: %s", code, date_format(d, day), e.message);
	return u;
}

/* The test program's own name (test_bulk, ...), from /proc/self/exe. */
static const char *program_name(void)
{
	static char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *slash;

	if (n <= 0) {
		fail_msg("cannot read /proc/self/exe");
		return "";
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	return slash ? slash + 1 : exe;
}

/* sqlite:DIR/store.db -> sqlite:DIR/store-PROGRAM.db */
static void sqlite_url_of_program(const char *env, const char *prog)
{
	const char *slash = strrchr(env, '/');
	const char *dot = strrchr(slash ? slash : env, '.');
	int stem = dot ? (int)(dot - env) : (int)strlen(env);

	if (snprintf(g_url, sizeof(g_url), "%.*s-%s%s", stem, env, prog, dot ? dot : "") >= (int)sizeof(g_url))
		fail_msg("UNIONBASE_TEST_DB is too long");
}

/* postgresql://HOST/NAME[?...] -> postgresql://HOST/NAME_PROGRAM[?...], the
 * database created (empty, from template1) when it is not there yet. */
static void pg_url_of_program(const char *env, const char *prog)
{
	const char *scheme = strstr(env, "://");
	const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
	const char *query;
	char name[128], sql[256], msg[256];
	db_t *db = NULL;
	db_stmt_t *st = NULL;
	int rc;

	if (!slash || slash[1] == '\0' || slash[1] == '?') {
		fail_msg("UNIONBASE_TEST_DB names no database: %s", env);
		return;
	}
	query = strchr(slash, '?');
	if (!query)
		query = slash + strlen(slash);
	if (snprintf(name, sizeof(name), "%.*s_%s", (int)(query - slash - 1), slash + 1, prog) >= (int)sizeof(name) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
		fail_msg("cannot name a database after %s and %s", env, prog);
	if (snprintf(g_url, sizeof(g_url), "%.*s/%s%s", (int)(slash - env), env, name, query) >= (int)sizeof(g_url))
		fail_msg("UNIONBASE_TEST_DB is too long");
	if (db_open(env, &db, msg, sizeof(msg)) != DB_OK)
		fail_msg("cannot open %s: %s", env, msg);
	if (db_prepare(db, "SELECT 1 FROM pg_database WHERE datname = ?", &st) != DB_OK ||
	    db_bind_text(st, 1, name) != DB_OK)
		fail_msg("cannot look for database %s: %s", name, db_errmsg(db));
	rc = db_step(st);
	db_finalize(st);
	if (rc == DB_DONE) {
		snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
		if (db_exec(db, sql) != DB_OK)
			fail_msg("cannot create database %s: %s", name, db_errmsg(db));
	} else if (rc != DB_ROW) {
		fail_msg("cannot look for database %s: %s", name, db_errmsg(db));
	}
	db_close(db);
}

/* Each test program has a database of its own, named after the program, so
 * that meson runs them at once. */
const char *fixture_url(void)
{
	const char *env = getenv("UNIONBASE_TEST_DB");

	if (g_url[0])
		return g_url;
	if (!env || !*env)
		snprintf(g_url, sizeof(g_url), "sqlite:/tmp/unionbase-store-test-%d.db", (int)getpid());
	else if (strncmp(env, "postgres", 8) == 0)
		pg_url_of_program(env, program_name());
	else if (strncmp(env, "sqlite:", 7) == 0)
		sqlite_url_of_program(env, program_name());
	else {
		char url[sizeof(g_url)];
		snprintf(url, sizeof(url), "sqlite:%s", env); /* a bare path is SQLite's, as db_open takes it */
		sqlite_url_of_program(url, program_name());
	}
	return g_url;
}

date_t fixture_today(void)
{
	static date_t today;
	static bool pinned;
	char buf[DATE_STR_LEN];

	if (!pinned) {
		today = date_today();
		setenv("UNIONBASE_TODAY", date_format(today, buf), 0);
		today = date_today();
		pinned = true;
	}
	return today;
}

static void remove_sqlite_files(const char *path)
{
	char p[600];
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };

	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

db_t *fixture_empty_db(void)
{
	const char *url = fixture_url();
	char msg[512];
	db_t *db = NULL;

	(void)fixture_today();
	db_share_file_maps(); /* SQLite read as the server reads it (store/sqlite_map.h) */
	if (strncmp(url, "sqlite:", 7) == 0)
		remove_sqlite_files(url + 7);
	if (db_open(url, &db, msg, sizeof(msg)) != DB_OK)
		fail_msg("cannot open %s: %s", url, msg);
	if (db_dialect(db) == DB_POSTGRESQL &&
	    db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public") != DB_OK)
		fail_msg("cannot empty %s: %s", url, db_errmsg(db));
	return db;
}

db_t *fixture_seeded_db(void)
{
	db_t *db = fixture_empty_db();
	err_t e;

	err_clear(&e);
	if (migrate_apply(db, &e) || org_seed(db, NULL, false, fixture_today(), &e))
		fail_msg("cannot seed: %s", e.message);
	return db;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 2 > *cap) {
		*cap = (*cap + n) * 2 + 1024;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[(*len)++] = '|';
	(*buf)[*len] = '\0';
}

char *fixture_snapshot(db_t *db)
{
	static const char *const queries[] = {
		"SELECT id, code, level, kind, valid_from, valid_to FROM units ORDER BY id",
		"SELECT unit_id, attributes, valid_from, valid_to FROM unit_attributes ORDER BY unit_id, valid_from",
		"SELECT descendant, ancestor, depth, valid_from, valid_to FROM ancestry ORDER BY descendant, ancestor, valid_from",
		"SELECT unit_id, name_vi, name_en, valid_from, valid_to FROM unit_names ORDER BY unit_id, valid_from",
		"SELECT unit_id, parent_id, valid_from, valid_to FROM unit_parents ORDER BY unit_id, valid_from",
		"SELECT id, kind, date, note FROM events ORDER BY id",
		"SELECT event_id, unit_id, role FROM event_units ORDER BY event_id, unit_id, role",
	};
	char *buf = NULL;
	size_t len = 0, cap = 0;

	append(&buf, &len, &cap, "snapshot");
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		db_stmt_t *st = NULL;
		int rc;
		assert_int_equal(db_prepare(db, queries[q], &st), DB_OK);
		while ((rc = db_step(st)) == DB_ROW)
			for (int c = 0; c < db_col_count(st); c++)
				append(&buf, &len, &cap, db_col_text(st, c));
		assert_int_equal(rc, DB_DONE);
		db_finalize(st);
		append(&buf, &len, &cap, "--");
	}
	return buf;
}

int64_t fixture_int(db_t *db, const char *sql)
{
	db_stmt_t *st = NULL;
	int64_t n;

	assert_int_equal(db_prepare(db, sql, &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}
