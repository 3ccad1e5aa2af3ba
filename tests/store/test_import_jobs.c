/*
 * test_import_jobs.c - an import job is claimed for a run only as it was
 * read: a second server that read it at the same time, or the sweep that
 * expired it meanwhile, leaves it to the one that changed it first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/imports.h"
#include "store_fixture.h"

static int64_t some_unit(db_t *db)
{
	db_stmt_t *st = NULL;
	int64_t id = 0;

	if (db_prepare(db, "SELECT min(id) FROM units", &st) != DB_OK || db_step(st) != DB_ROW)
		fail_msg("%s", db_errmsg(db));
	id = db_col_int64(st, 0);
	db_finalize(st);
	return id;
}

/* A job checked, as its row reads now (*out owns its texts). */
static void checked_job(db_t *db, import_job_t *out)
{
	import_job_t j = { .unit_id = some_unit(db), .user_id = 1, .file_size = 10 };
	err_t e;

	err_clear(&e);
	snprintf(j.username, sizeof(j.username), "mai");
	snprintf(j.file_name, sizeof(j.file_name), "danh-sach.csv");
	snprintf(j.status, sizeof(j.status), "checked");
	snprintf(j.runner, sizeof(j.runner), "host 1 nonce");
	j.options = "{}";
	if (import_job_create(db, &j, &e) || import_job_get(db, j.id, out, &e))
		fail_msg("%s", e.message);
}

static void a_job_is_claimed_once_as_it_was_read(void **state)
{
	db_t *db = fixture_seeded_db();
	import_job_t was = { 0 }, now = { 0 };
	bool claimed = false;
	err_t e;

	(void)state;
	err_clear(&e);
	checked_job(db, &was);
	if (import_job_claim(db, &was, "committing", "host 2 a", NULL, &claimed, &e))
		fail_msg("%s", e.message);
	assert_true(claimed);
	assert_int_equal(import_job_get(db, was.id, &now, &e), 0);
	assert_string_equal(now.status, "committing");
	assert_string_equal(now.runner, "host 2 a");
	assert_string_equal(now.options, "{}");
	import_job_free(&now);
	/* another server read it as checked, too: too late */
	assert_int_equal(import_job_claim(db, &was, "committing", "host 3 b", NULL, &claimed, &e), 0);
	assert_false(claimed);
	assert_int_equal(import_job_get(db, was.id, &now, &e), 0);
	assert_string_equal(now.runner, "host 2 a");
	import_job_free(&now);
	import_job_free(&was);
	db_close(db);
}

static void an_expired_job_is_not_claimed(void **state)
{
	db_t *db = fixture_seeded_db();
	import_job_t was = { 0 }, now = { 0 };
	bool claimed = true, expired = false;
	err_t e;

	(void)state;
	err_clear(&e);
	checked_job(db, &was);
	assert_int_equal(import_job_expire(db, was.id, "9999-01-01T00:00:00Z", &expired, &e), 0);
	assert_true(expired);
	assert_int_equal(import_job_claim(db, &was, "checking", "host 2 a", "{\"sheet\":\"x\"}", &claimed, &e), 0);
	assert_false(claimed);
	assert_int_equal(import_job_get(db, was.id, &now, &e), 0);
	assert_string_equal(now.status, "expired");
	assert_string_equal(now.options, "{}");
	import_job_free(&now);
	import_job_free(&was);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_job_is_claimed_once_as_it_was_read),
		cmocka_unit_test(an_expired_job_is_not_claimed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
