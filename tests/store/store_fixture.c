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

const char *fixture_url(void)
{
	const char *env = getenv("UNIONBASE_TEST_DB");

	if (!g_url[0]) {
		if (env && *env)
			snprintf(g_url, sizeof(g_url), "%s", env);
		else
			snprintf(g_url, sizeof(g_url), "sqlite:/tmp/unionbase-store-test-%d.db", (int)getpid());
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
