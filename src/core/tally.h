/*
 * tally.h - counting the values of free-text fields for the membership
 * figures (docs/members.md, "Figures"): the texts are counted as they come
 * (a hash table of the texts as stored), then grouped by their search form
 * (core/text.h text_fold: no case, no marks, đ as d, spaces collapsed), so
 * that "Đại học", "đại học" and "Dai hoc" are one group. The largest groups
 * are kept and the rest summed as "other", so the counts stay exact however
 * many ways a field is written.
 *
 * Ownership: a tally_t owns its keys (tally_free); a text_groups_t owns its
 * groups and their strings (text_groups_free). Both start zeroed.
 */
#ifndef UB_TALLY_H
#define UB_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Distinct texts a tally holds; what comes after them is counted in
 * `overflow`. Bounds the memory a report takes, whatever the data. */
#define TALLY_MAX_KEYS ((size_t)100000)

typedef struct tally_item {
	char *key; /* NULL: a free slot */
	int64_t n;
} tally_item_t;

typedef struct tally {
	tally_item_t *slots; /* open addressing, cap a power of two */
	size_t cap;
	size_t n;            /* keys held */
	int64_t overflow;    /* counted under keys beyond the limit */
	size_t limit;        /* keys held at most; 0: TALLY_MAX_KEYS */
} tally_t;

/* Adds n under key (copied on first sight). Returns 0, or -1 when memory
 * runs out (the tally is unchanged). */
int tally_add(tally_t *t, const char *key, int64_t n);

void tally_free(tally_t *t);

typedef struct text_group {
	char *key;   /* the folded form ("dai hoc") */
	char *label; /* its most frequent text as stored ("Đại học") */
	int64_t n;
} text_group_t;

typedef struct text_groups {
	text_group_t *groups; /* the largest first (ties: by key), at most `top` */
	size_t n;
	int64_t other;        /* in the groups left out, and in the tally's overflow */
	size_t other_groups;  /* how many groups were left out */
	int64_t none;         /* texts with nothing written (or no word kept) */
} text_groups_t;

/* The groups of the texts of t, the `top` largest kept. Without `words`,
 * each text is one value: the sum of the groups, other and none is what
 * was counted. With `words`, each distinct word of a text (split at
 * spaces, folded) counts for that text's members, only the words keep()
 * accepts (NULL: every word); `none` counts the texts with no word kept.
 * Returns 0, or -1 when memory runs out or a text is not UTF-8 (*out is
 * then empty). */
int text_groups_make(const tally_t *t, size_t top, bool words, bool (*keep)(const char *word), text_groups_t *out);

void text_groups_free(text_groups_t *g);

#endif
