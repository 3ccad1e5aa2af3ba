/*
 * answers.c - see answers.h. A hash table of the kept answers and a list of
 * them from the most to the least recently used, under one mutex: a look-up
 * holds it for a hash and a string compare, not for the copy (the kept
 * value is held by a reference meanwhile: jansson counts references
 * atomically). A page replaced or evicted is freed under the lock.
 */
#include "api/answers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

#define BUCKETS 1024 /* a power of two */

typedef struct answer {
	struct answer *hnext;        /* in its bucket */
	struct answer *prev, *next;  /* in the use list, most recent first */
	int64_t version;
	size_t bytes;                /* its JSON text's length */
	uint32_t hash;
	json_t *body;
	char key[];
} answer_t;

struct answers {
	pthread_mutex_t lock;
	answer_t *buckets[BUCKETS];
	answer_t *first, *last;
	size_t bytes, budget;
};

answers_t *answers_new(size_t budget)
{
	answers_t *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->budget = budget;
	return c;
}

static void answer_destroy(answer_t *a)
{
	json_decref(a->body);
	free(a);
}

void answers_free(answers_t *c)
{
	if (!c)
		return;
	for (answer_t *a = c->first, *next; a; a = next) {
		next = a->next;
		answer_destroy(a);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* FNV-1a */
static uint32_t hash_of(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

bool answers_key(char key[ANSWERS_KEY_MAX], const char *what, const principal_t *who, const char *arg,
		 const char *arg2)
{
	char day[DATE_STR_LEN];
	size_t len;
	int n;

	n = snprintf(key, ANSWERS_KEY_MAX, "%s|%s", what, who->global ? "*" : "");
	for (size_t i = 0; !who->global && i < who->n_roots && n > 0 && (size_t)n < ANSWERS_KEY_MAX; i++)
		n += snprintf(key + n, ANSWERS_KEY_MAX - (size_t)n, "%s%lld", i ? "," : "", (long long)who->roots[i]);
	if (n < 0 || (size_t)n >= ANSWERS_KEY_MAX)
		return false;
	len = (size_t)n;
	n = snprintf(key + len, ANSWERS_KEY_MAX - len, "|%s|%s|%s", date_format(who->today, day), arg ? arg : "",
		     arg2 ? arg2 : "");
	return n > 0 && (size_t)n < ANSWERS_KEY_MAX - len;
}

static answer_t **slot_of(answers_t *c, const char *key, uint32_t h)
{
	answer_t **p = &c->buckets[h & (BUCKETS - 1)];

	/* the analyzer cannot see that drop() takes an answer out of its
	 * bucket before it is freed (it supposes one missing from there) */
	while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0)) // NOLINT(clang-analyzer-unix.Malloc)
		p = &(*p)->hnext;
	return p;
}

static void unlink_use(answers_t *c, answer_t *a)
{
	if (a->prev)
		a->prev->next = a->next;
	else
		c->first = a->next;
	if (a->next)
		a->next->prev = a->prev;
	else
		c->last = a->prev;
	a->prev = a->next = NULL;
}

static void link_first(answers_t *c, answer_t *a)
{
	a->prev = NULL;
	a->next = c->first;
	if (c->first)
		c->first->prev = a;
	c->first = a;
	if (!c->last)
		c->last = a;
}

/* Takes a out of the table and the list (the lock held); the caller
 * destroys it. */
static void drop(answers_t *c, answer_t *a)
{
	answer_t **p = slot_of(c, a->key, a->hash);

	if (*p == a)
		*p = a->hnext;
	unlink_use(c, a);
	c->bytes -= a->bytes;
}

json_t *answers_get(answers_t *c, const principal_t *who, const char *key)
{
	uint32_t h = hash_of(key);
	json_t *body = NULL, *copy;
	answer_t *a;

	if (!c || who->org_version <= 0)
		return NULL;
	pthread_mutex_lock(&c->lock);
	a = *slot_of(c, key, h);
	if (a && a->version == who->org_version) {
		unlink_use(c, a);
		link_first(c, a);
		body = json_incref(a->body);
	}
	pthread_mutex_unlock(&c->lock);
	if (!body)
		return NULL;
	copy = json_deep_copy(body);
	json_decref(body);
	return copy;
}

void answers_keep(answers_t *c, const principal_t *who, int64_t version, const char *key, const json_t *body)
{
	size_t klen = strlen(key), bytes;
	answer_t *a, **p, *old;

	if (!c || who->org_version <= 0 || version != who->org_version)
		return;
	bytes = json_dumpb(body, NULL, 0, JSON_COMPACT);
	if (bytes == 0 || bytes > c->budget / 10 || !(a = calloc(1, sizeof(*a) + klen + 1)))
		return;
	if (!(a->body = json_deep_copy(body))) {
		free(a);
		return;
	}
	memcpy(a->key, key, klen + 1);
	a->hash = hash_of(key);
	a->version = version;
	a->bytes = bytes;
	pthread_mutex_lock(&c->lock);
	p = slot_of(c, key, a->hash);
	if (*p) {
		old = *p;
		drop(c, old);
		answer_destroy(old);
		p = slot_of(c, key, a->hash);
	}
	a->hnext = *p;
	*p = a;
	link_first(c, a);
	c->bytes += bytes;
	/* the least recently used go (a reference of a reader's copy in
	 * progress keeps its body alive) */
	for (answer_t *x = c->last, *prev; c->bytes > c->budget && x && x != a; x = prev) {
		prev = x->prev;
		drop(c, x);
		answer_destroy(x);
	}
	pthread_mutex_unlock(&c->lock);
}
