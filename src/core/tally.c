/*
 * tally.c - counting free text for the membership figures (see tally.h).
 */
#include "core/tally.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* FNV-1a, 64 bits. */
static uint64_t hash_text(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of key in slots[cap] (cap a power of two): its own, or the free
 * one where it would go. */
static size_t find_slot(const tally_item_t *slots, size_t cap, const char *key)
{
	size_t i = (size_t)hash_text(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Twice the room (64 slots at first), the keys moved over. */
static int grow(tally_t *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	tally_item_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].key)
			slots[find_slot(slots, cap, t->slots[i].key)] = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

int tally_add(tally_t *t, const char *key, int64_t n)
{
	size_t i;
	char *copy;

	if (t->cap) {
		i = find_slot(t->slots, t->cap, key);
		if (t->slots[i].key) {
			t->slots[i].n += n;
			return 0;
		}
	}
	if (t->n >= (t->limit ? t->limit : TALLY_MAX_KEYS)) {
		t->overflow += n;
		return 0;
	}
	/* at most half full, so that a probe ends soon */
	if ((t->n + 1) * 2 > t->cap && grow(t))
		return -1;
	copy = strdup(key);
	if (!copy)
		return -1;
	i = find_slot(t->slots, t->cap, key);
	t->slots[i].key = copy;
	t->slots[i].n = n;
	t->n++;
	return 0;
}

void tally_free(tally_t *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ---- groups ---- */

/* A group being built: its folded key, count, and the text counted most
 * under it (label, label_n), in a table like a tally's. */
typedef struct group {
	char *key;
	int64_t n;
	const char *label; /* a key of the raw tally: not owned */
	int64_t label_n;
} group_t;

typedef struct groups {
	group_t *slots;
	size_t cap, n;
} groups_t;

static size_t group_slot(const group_t *slots, size_t cap, const char *key)
{
	size_t i = (size_t)hash_text(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Adds n members written `label` under the folded key (taken over by the
 * table, or freed). */
static int group_add(groups_t *g, char *key, const char *label, int64_t n)
{
	size_t i;

	if ((g->n + 1) * 2 > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		group_t *slots = calloc(cap, sizeof(*slots));
		if (!slots) {
			free(key);
			return -1;
		}
		for (size_t k = 0; k < g->cap; k++)
			if (g->slots[k].key)
				slots[group_slot(slots, cap, g->slots[k].key)] = g->slots[k];
		free(g->slots);
		g->slots = slots;
		g->cap = cap;
	}
	i = group_slot(g->slots, g->cap, key);
	if (g->slots[i].key) {
		free(key);
	} else {
		g->slots[i].key = key;
		g->n++;
	}
	g->slots[i].n += n;
	/* the most frequent text names the group; ties: the first in byte order */
	if (label && (n > g->slots[i].label_n ||
		      (n == g->slots[i].label_n && g->slots[i].label && strcmp(label, g->slots[i].label) < 0))) {
		g->slots[i].label = label;
		g->slots[i].label_n = n;
	}
	return 0;
}

static void groups_free(groups_t *g)
{
	for (size_t i = 0; i < g->cap; i++)
		free(g->slots[i].key);
	free(g->slots);
}

/* True when the word p[0..len) of folded (words separated by one space)
 * came before p already. */
static bool seen_before(const char *folded, const char *p, size_t len)
{
	for (const char *q = folded; q < p;) {
		size_t l = strcspn(q, " ");
		if (l == len && strncmp(q, p, len) == 0)
			return true;
		q += l;
		if (*q == ' ')
			q++;
	}
	return false;
}

/* Each distinct word of the folded text that keep accepts, added for n
 * members; *kept says whether any was. */
static int add_words(groups_t *g, const char *folded, int64_t n, bool (*keep)(const char *), bool *kept)
{
	*kept = false;
	for (const char *p = folded; *p;) {
		size_t len = strcspn(p, " ");
		if (len && !seen_before(folded, p, len)) {
			char *w = strndup(p, len);
			if (!w)
				return -1;
			if (keep && !keep(w)) {
				free(w);
			} else {
				*kept = true;
				/* a word is its own label: the folded form is what it means */
				if (group_add(g, w, NULL, n))
					return -1;
			}
		}
		p += len;
		if (*p == ' ')
			p++;
	}
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const text_group_t *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

int text_groups_make(const tally_t *t, size_t top, bool words, bool (*keep)(const char *word), text_groups_t *out)
{
	groups_t g = { 0 };
	text_group_t *all = NULL;
	size_t n = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; !r && i < t->cap; i++) {
		const tally_item_t *it = &t->slots[i];
		char *folded = NULL;
		bool kept = false;
		if (!it->key || it->n == 0) /* counted in and out again */
			continue;
		if (text_fold(it->key, &folded)) {
			r = -1;
			break;
		}
		if (!*folded) {
			out->none += it->n;
			free(folded);
		} else if (words) {
			r = add_words(&g, folded, it->n, keep, &kept);
			free(folded);
			if (!r && !kept)
				out->none += it->n;
		} else {
			r = group_add(&g, folded, it->key, it->n);
		}
	}
	if (!r && g.n) {
		all = calloc(g.n, sizeof(*all));
		if (!all)
			r = -1;
	}
	for (size_t i = 0; !r && all && i < g.cap; i++) {
		group_t *s = &g.slots[i];
		if (!s->key)
			continue;
		all[n].key = s->key;
		all[n].label = strdup(s->label ? s->label : s->key);
		all[n].n = s->n;
		s->key = NULL;
		if (!all[n].label) {
			free(all[n].key);
			r = -1;
		} else {
			n++;
		}
	}
	groups_free(&g);
	if (r) {
		for (size_t i = 0; i < n; i++) {
			free(all[i].key);
			free(all[i].label);
		}
		free(all);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	if (n)
		qsort(all, n, sizeof(*all), by_count);
	out->other = t->overflow;
	for (size_t i = top; i < n; i++) {
		out->other += all[i].n;
		out->other_groups++;
		free(all[i].key);
		free(all[i].label);
	}
	out->groups = all;
	out->n = n < top ? n : top;
	return 0;
}

void text_groups_free(text_groups_t *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->groups[i].key);
		free(g->groups[i].label);
	}
	free(g->groups);
	memset(g, 0, sizeof(*g));
}
