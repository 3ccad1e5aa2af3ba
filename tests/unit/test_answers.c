/* Unit tests of api/answers: an answer is found by its key at the version
 * it was kept at, never at another; the least recently used go first when
 * the budget is full; threads that look up and keep at once see whole
 * answers (ASan and the thread count catch a torn one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/answers.h"

static principal_t who_at(int64_t unit, int64_t version)
{
	principal_t p;

	memset(&p, 0, sizeof(p));
	p.unit_id = unit;
	p.roots[0] = unit;
	p.n_roots = 1;
	p.today = 20000;
	p.org_version = version;
	return p;
}

static json_t *page(const char *name)
{
	return json_pack("{s:s, s:s}", "name_vi", name, "pad", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
}

static const char *name_of(json_t *j)
{
	return json_string_value(json_object_get(j, "name_vi"));
}

static void found_at_its_version_only(void **state)
{
	answers_t *c = answers_new(1 << 20);
	principal_t p = who_at(7, 3), q = who_at(8, 3);
	char key[ANSWERS_KEY_MAX], other[ANSWERS_KEY_MAX];
	json_t *body = page("Xã Một"), *got;
	(void)state;

	assert_true(answers_key(key, "unit", &p, "19663", "2026-12-07"));
	assert_true(answers_key(other, "unit", &q, "19663", "2026-12-07"));
	assert_string_not_equal(key, other); /* the scope is in the key */
	assert_null(answers_get(c, &p, key));
	answers_keep(c, &p, 3, key, body);
	got = answers_get(c, &p, key);
	assert_non_null(got);
	assert_true(got != body); /* a copy of its own */
	assert_string_equal(name_of(got), "Xã Một");
	json_decref(got);
	assert_null(answers_get(c, &q, other));
	p.org_version = 4; /* the tree changed */
	assert_null(answers_get(c, &p, key));
	/* read in a snapshot of another version than her scope's: not kept */
	answers_keep(c, &p, 5, key, body);
	assert_null(answers_get(c, &p, key));
	/* no version known: nothing kept, nothing found */
	p.org_version = 0;
	answers_keep(c, &p, 0, key, body);
	assert_null(answers_get(c, &p, key));
	assert_null(answers_get(NULL, &p, key));
	json_decref(body);
	answers_free(c);
}

static void the_least_recently_used_go_first(void **state)
{
	/* pages of about 80 bytes of JSON: a budget of 1,000 holds 12 */
	answers_t *c = answers_new(1000), *small = answers_new(100);
	principal_t p = who_at(7, 1);
	char k[20][ANSWERS_KEY_MAX];
	json_t *body = page("x"), *got;
	int kept = 0;
	(void)state;

	for (int i = 0; i < 20; i++) {
		char code[8];
		snprintf(code, sizeof(code), "U%d", i);
		assert_true(answers_key(k[i], "unit", &p, code, ""));
		answers_keep(c, &p, 1, k[i], body);
		json_decref(answers_get(c, &p, k[0])); /* k[0] used all along */
	}
	for (int i = 0; i < 20; i++) {
		got = answers_get(c, &p, k[i]);
		kept += got != NULL;
		json_decref(got);
	}
	assert_true(kept >= 10 && kept <= 13);
	got = answers_get(c, &p, k[0]);
	assert_non_null(got); /* the most used stayed */
	json_decref(got);
	assert_null(answers_get(c, &p, k[1])); /* the least recently used went */
	got = answers_get(c, &p, k[19]);
	assert_non_null(got); /* the newest stayed */
	json_decref(got);
	/* a page over a tenth of the budget is never kept */
	answers_keep(small, &p, 1, k[0], body);
	assert_null(answers_get(small, &p, k[0]));
	answers_free(small);
	json_decref(body);
	answers_free(c);
}

typedef struct worker {
	answers_t *c;
	int id;
	int found;
} worker_t;

static void *work(void *arg)
{
	worker_t *w = arg;
	principal_t p = who_at(7, 1);
	char key[ANSWERS_KEY_MAX], code[16];

	for (int i = 0; i < 4000; i++) {
		json_t *got, *body;
		snprintf(code, sizeof(code), "U%d", (i * 7 + w->id) % 50);
		answers_key(key, "unit", &p, code, "");
		got = answers_get(w->c, &p, key);
		if (got) {
			/* a whole page: the one kept for this key */
			if (strcmp(name_of(got), code) != 0)
				fail_msg("%s found under %s", name_of(got), code);
			w->found++;
			json_decref(got);
			continue;
		}
		body = page(code);
		answers_keep(w->c, &p, 1, key, body);
		json_decref(body);
	}
	return NULL;
}

static void threads_share_it_safely(void **state)
{
	answers_t *c = answers_new(4000); /* about 40 pages of 50: evictions all along */
	worker_t w[4];
	pthread_t t[4];
	(void)state;

	for (int i = 0; i < 4; i++) {
		w[i] = (worker_t){ .c = c, .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_true(w[0].found + w[1].found + w[2].found + w[3].found > 1000);
	answers_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(found_at_its_version_only),
		cmocka_unit_test(the_least_recently_used_go_first),
		cmocka_unit_test(threads_share_it_safely),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
