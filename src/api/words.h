/*
 * words.h - the web app's dictionaries (web/i18n/vi.json, en.json, built
 * into the binary) for the few answers the server words itself: the card's
 * check page, an import's report of bad rows.
 */
#ifndef UB_WORDS_H
#define UB_WORDS_H

#include <jansson.h>
#include <stddef.h>

typedef enum lang { LANG_VI = 0, LANG_EN = 1 } lang_t;

/* The word of key in lang; the key itself when the dictionary lacks it
 * (the i18n browser test keeps them whole). Loaded once, thread-safe. */
const char *api_word(lang_t lang, const char *key);

/* Whether the dictionary has key. */
int api_word_has(lang_t lang, const char *key);

/* The form of key base ("detail.out_of_range" or one of its
 * "detail.out_of_range.*") whose placeholders params all holds, the one
 * saying the most: the web app's choice (web/lib/errors.js, pick). NULL
 * when none fits. */
const char *api_word_pick(lang_t lang, const char *base, json_t *params);

/* tmpl with each {name} replaced by params' member name (a string or an
 * integer, a day YYYY-MM-DD as dd/mm/yyyy; left as it is when params
 * lacks it), into out[cap]. */
void api_word_fill(const char *tmpl, json_t *params, char *out, size_t cap);

#endif
