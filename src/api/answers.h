/*
 * answers.h - answers made from the organisation tree alone, kept by the
 * server (one store a process, shared by its threads) with the tree's
 * version they were read at (store/org_store.h, org_version). A request
 * whose caller's row read the same version (principal_t.org_version, 1 or
 * more) gets the kept answer without a query: at that version the tree is
 * the same, so the answer is. Any change to the tree raises the version, in
 * whatever process made it, so a kept answer is never served stale.
 *
 * The key must name everything the answer depends on besides the tree: the
 * caller's scope (answers_key), the route and its arguments.
 *
 * Ownership: answers_new's store is the caller's (answers_free); it keeps
 * copies of what it is given, and answers_get returns a new JSON value the
 * caller owns. All calls are thread-safe.
 */
#ifndef UB_ANSWERS_H
#define UB_ANSWERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/access.h"

#define ANSWERS_KEY_MAX 1024

typedef struct answers answers_t;

/* A store that keeps answers of at most budget bytes of JSON text in all,
 * the least recently used going first. NULL without memory. */
answers_t *answers_new(size_t budget);
void answers_free(answers_t *c);

/* key = "<what>|<the caller's scope>|<today>|<arg>|<arg2>". False when it
 * does not fit (the answer is then neither looked up nor kept). */
bool answers_key(char key[ANSWERS_KEY_MAX], const char *what, const principal_t *who, const char *arg,
		 const char *arg2);

/* A copy of the answer kept for key at who->org_version, or NULL (also for
 * c NULL). */
json_t *answers_get(answers_t *c, const principal_t *who, const char *key);

/* Keeps a copy of body for key at version (the version of the snapshot it
 * was read in), when that is the version who's scope was read at. Without
 * memory, or for an answer larger than a tenth of the budget, nothing is
 * kept. c NULL: nothing. */
void answers_keep(answers_t *c, const principal_t *who, int64_t version, const char *key, const json_t *body);

#endif
