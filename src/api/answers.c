/*
 * answers.c - see answers.h. A few answers per connection, replaced round
 * robin: a connection serves the callers of one thread, and a kept answer
 * is a unit page of a few kilobytes.
 */
#include "api/answers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWERS_N 32

typedef struct answer {
	int64_t version; /* 0: empty */
	char *key;
	json_t *body;
} answer_t;

typedef struct answers {
	answer_t a[ANSWERS_N];
	size_t next;
} answers_t;

static void answers_free(void *p)
{
	answers_t *c = p;

	for (size_t i = 0; i < ANSWERS_N; i++) {
		free(c->a[i].key);
		json_decref(c->a[i].body);
	}
	free(c);
}

bool answers_key(char key[ANSWERS_KEY_MAX], const char *what, const principal_t *who, const char *arg,
		 const char *arg2)
{
	char day[16];
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

json_t *answers_get(db_t *db, const principal_t *who, const char *key)
{
	const answers_t *c = db_ext(db, DB_EXT_ANSWERS);

	if (who->org_version <= 0)
		return NULL;
	for (size_t i = 0; c && i < ANSWERS_N; i++)
		if (c->a[i].version == who->org_version && strcmp(c->a[i].key, key) == 0)
			return json_deep_copy(c->a[i].body);
	return NULL;
}

void answers_keep(db_t *db, const principal_t *who, int64_t version, const char *key, const json_t *body)
{
	answers_t *c = db_ext(db, DB_EXT_ANSWERS);
	answer_t *x;
	char *k;
	json_t *copy;

	if (who->org_version <= 0 || version != who->org_version)
		return;
	if (!c) {
		if (!(c = calloc(1, sizeof(*c))))
			return;
		db_ext_set(db, DB_EXT_ANSWERS, c, answers_free);
	}
	k = strdup(key);
	copy = json_deep_copy(body);
	if (!k || !copy) {
		free(k);
		json_decref(copy);
		return;
	}
	x = &c->a[c->next];
	c->next = (c->next + 1) % ANSWERS_N;
	free(x->key);
	json_decref(x->body);
	x->key = k;
	x->body = copy;
	x->version = version;
}
