/*
 * words.c - see words.h.
 */
#include "api/words.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "io/embedded.h"

static json_t *g_words[2];
static pthread_once_t g_words_once = PTHREAD_ONCE_INIT;

static void load_words(void)
{
	static const char *const files[2] = { "web/i18n/vi.json", "web/i18n/en.json" };

	for (int i = 0; i < 2; i++) {
		const embedded_file_t *f = embedded_find(files[i]);
		g_words[i] = f ? json_loadb((const char *)f->data, f->len, 0, NULL) : NULL;
	}
}

static const char *lookup(lang_t lang, const char *key)
{
	pthread_once(&g_words_once, load_words);
	return g_words[lang] ? json_string_value(json_object_get(g_words[lang], key)) : NULL;
}

const char *api_word(lang_t lang, const char *key)
{
	const char *w = lookup(lang, key);
	return w ? w : key;
}

int api_word_has(lang_t lang, const char *key)
{
	return lookup(lang, key) != NULL;
}

/* Whether every {name} of tmpl is a member of params; *holes their count. */
static bool fillable(const char *tmpl, json_t *params, int *holes)
{
	*holes = 0;
	for (const char *o = strchr(tmpl, '{'); o; o = strchr(o + 1, '{')) {
		const char *c = strchr(o, '}');
		char name[40];
		if (!c || c - o >= 40)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)(c - o - 1), o + 1);
		if (!json_object_get(params, name))
			return false;
		(*holes)++;
	}
	return true;
}

const char *api_word_pick(lang_t lang, const char *base, json_t *params)
{
	const char *key, *best = NULL;
	size_t len = strlen(base);
	int best_holes = -1;
	json_t *v;

	pthread_once(&g_words_once, load_words);
	if (!g_words[lang])
		return NULL;
	json_object_foreach(g_words[lang], key, v) {
		int holes;
		if (strncmp(key, base, len) != 0 || (key[len] && key[len] != '.') || !json_is_string(v) ||
		    !fillable(json_string_value(v), params, &holes))
			continue;
		if (holes > best_holes || (best && holes == best_holes && strlen(json_string_value(v)) < strlen(best))) {
			best = json_string_value(v);
			best_holes = holes;
		}
	}
	return best;
}

/* "2026-12-02" as people read it: "02/12/2026". */
static bool day_of(const char *s, char *out, size_t cap)
{
	static const char SHAPE[] = "dddd-dd-dd";

	for (size_t i = 0; i < sizeof(SHAPE) - 1; i++)
		if (SHAPE[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != SHAPE[i])
			return false;
	if (s[10])
		return false;
	snprintf(out, cap, "%.2s/%.2s/%.4s", s + 8, s + 5, s);
	return true;
}

void api_word_fill(const char *tmpl, json_t *params, char *out, size_t cap)
{
	size_t n = 0;

	if (!cap)
		return;
	while (*tmpl && n + 1 < cap) {
		const char *close = *tmpl == '{' ? strchr(tmpl, '}') : NULL;
		if (close && close - tmpl < 40) {
			char name[40];
			json_t *v;
			snprintf(name, sizeof(name), "%.*s", (int)(close - tmpl - 1), tmpl + 1);
			v = json_object_get(params, name);
			if (json_is_string(v) || json_is_integer(v)) {
				char num[32];
				const char *s = json_is_string(v) ? json_string_value(v) : num;
				if (json_is_integer(v))
					snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
				else if (day_of(s, num, sizeof(num)))
					s = num;
				n += (size_t)snprintf(out + n, cap - n, "%s", s);
				if (n >= cap)
					n = cap - 1;
				tmpl = close + 1;
				continue;
			}
		}
		out[n++] = *tmpl++;
	}
	out[n] = '\0';
}
