/* Unit tests of core/tally: counting texts, grouping them by their folded
 * form under their most frequent spelling, the largest groups kept and the
 * rest summed, words counted once a text, a filter on words, and the bound
 * on distinct texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tally.h"

static const text_group_t *find(const text_groups_t *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->groups[i].key, key))
			return &g->groups[i];
	return NULL;
}

static void groups_by_folded_text(void **state)
{
	tally_t t = { 0 };
	text_groups_t g;
	(void)state;

	assert_int_equal(tally_add(&t, "Đại học", 5), 0);
	assert_int_equal(tally_add(&t, "đại học", 2), 0);
	assert_int_equal(tally_add(&t, "Dai  hoc", 1), 0);
	assert_int_equal(tally_add(&t, "Đại học", 1), 0); /* the same text again */
	assert_int_equal(tally_add(&t, "Trung cấp", 4), 0);
	assert_int_equal(tally_add(&t, "", 3), 0);
	assert_int_equal(tally_add(&t, "   ", 1), 0);
	assert_int_equal(t.n, 6);
	assert_int_equal(text_groups_make(&t, 10, false, NULL, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.groups[0].key, "dai hoc");
	assert_string_equal(g.groups[0].label, "Đại học");
	assert_int_equal(g.groups[0].n, 9);
	assert_string_equal(g.groups[1].label, "Trung cấp");
	assert_int_equal(g.none, 4);
	assert_int_equal(g.other, 0);
	text_groups_free(&g);
	tally_free(&t);
}

static void the_largest_are_kept_the_rest_summed(void **state)
{
	tally_t t = { 0 };
	text_groups_t g;
	char key[16];
	int64_t sum;
	(void)state;

	for (int i = 1; i <= 30; i++) {
		snprintf(key, sizeof(key), "nghe %02d", i);
		assert_int_equal(tally_add(&t, key, i), 0);
	}
	assert_int_equal(text_groups_make(&t, 5, false, NULL, &g), 0);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.groups[0].key, "nghe 30");
	assert_string_equal(g.groups[4].key, "nghe 26");
	assert_int_equal(g.other_groups, 25);
	sum = g.other + g.none;
	for (size_t i = 0; i < g.n; i++)
		sum += g.groups[i].n;
	assert_int_equal(sum, 30 * 31 / 2);
	text_groups_free(&g);
	/* ties: by key */
	tally_free(&t);
	assert_int_equal(tally_add(&t, "b", 1), 0);
	assert_int_equal(tally_add(&t, "a", 1), 0);
	assert_int_equal(text_groups_make(&t, 1, false, NULL, &g), 0);
	assert_string_equal(g.groups[0].key, "a");
	assert_int_equal(g.other, 1);
	text_groups_free(&g);
	tally_free(&t);
}

static bool no_disabled(const char *w)
{
	return strcmp(w, "disabled") != 0;
}

static void words_count_once_a_text(void **state)
{
	tally_t t = { 0 };
	text_groups_t g;
	(void)state;

	assert_int_equal(tally_add(&t, "poor disabled", 2), 0);
	assert_int_equal(tally_add(&t, "Poor  poor single_mother", 3), 0);
	assert_int_equal(tally_add(&t, "disabled", 4), 0);
	assert_int_equal(tally_add(&t, "", 5), 0);
	assert_int_equal(text_groups_make(&t, 10, true, NULL, &g), 0);
	assert_int_equal(find(&g, "poor")->n, 5);
	assert_int_equal(find(&g, "disabled")->n, 6);
	assert_int_equal(find(&g, "single_mother")->n, 3);
	assert_int_equal(g.none, 5);
	text_groups_free(&g);
	/* a word left out: those with no other word count as none */
	assert_int_equal(text_groups_make(&t, 10, true, no_disabled, &g), 0);
	assert_null(find(&g, "disabled"));
	assert_int_equal(find(&g, "poor")->n, 5);
	assert_int_equal(g.none, 9);
	text_groups_free(&g);
	tally_free(&t);
}

static void distinct_texts_are_bounded(void **state)
{
	tally_t t = { 0 };
	text_groups_t g;
	char key[24];
	int64_t sum;
	(void)state;

	for (size_t i = 0; i < TALLY_MAX_KEYS + 10; i++) {
		snprintf(key, sizeof(key), "x%zu", i);
		assert_int_equal(tally_add(&t, key, 1), 0);
	}
	assert_int_equal(t.n, TALLY_MAX_KEYS);
	assert_int_equal(t.overflow, 10);
	assert_int_equal(tally_add(&t, "x0", 1), 0); /* one held is still counted */
	assert_int_equal(text_groups_make(&t, 3, false, NULL, &g), 0);
	assert_string_equal(g.groups[0].key, "x0");
	assert_int_equal(g.groups[0].n, 2);
	sum = g.other + g.none;
	for (size_t i = 0; i < g.n; i++)
		sum += g.groups[i].n;
	assert_int_equal(sum, (int64_t)TALLY_MAX_KEYS + 11);
	text_groups_free(&g);
	tally_free(&t);
}

static void empty_tally(void **state)
{
	tally_t t = { 0 };
	text_groups_t g;
	(void)state;

	assert_int_equal(text_groups_make(&t, 5, false, NULL, &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.other + g.none, 0);
	text_groups_free(&g);
	tally_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(groups_by_folded_text),
		cmocka_unit_test(the_largest_are_kept_the_rest_summed),
		cmocka_unit_test(words_count_once_a_text),
		cmocka_unit_test(distinct_texts_are_bounded),
		cmocka_unit_test(empty_tally),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
