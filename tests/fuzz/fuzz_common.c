/* fuzz_common.c - see fuzz.h. */
#include "fuzz.h"

#include <jansson.h>

#include "core/text.h"

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* json_string refuses what is not UTF-8: the server's error answer would
 * then be the 500 "out of memory" of issue 13, finding 6. */
static void check_str(const char *s, size_t cap)
{
	json_t *j;

	FUZZ_CHECK(memchr(s, '\0', cap) != NULL);
	FUZZ_CHECK(text_utf8(s));
	j = json_string(s);
	FUZZ_CHECK(j != NULL);
	json_decref(j);
}

static void check_params(const err_param_t *p, int n, int max)
{
	FUZZ_CHECK(n >= 0 && n <= max);
	for (int i = 0; i < n; i++) {
		check_str(p[i].name, sizeof(p[i].name));
		check_str(p[i].text, sizeof(p[i].text));
		FUZZ_CHECK(p[i].type == ERR_PARAM_INT || p[i].type == ERR_PARAM_STR);
	}
}

void fuzz_check_err(const err_t *e)
{
	check_str(e->code, sizeof(e->code));
	check_str(e->message, sizeof(e->message));
	check_params(e->params, e->n_params, ERR_MAX_PARAMS);
	FUZZ_CHECK(e->n_details >= 0 && e->n_details <= ERR_MAX_DETAILS);
	for (int i = 0; i < e->n_details; i++) {
		const err_detail_t *d = &e->details[i];
		check_str(d->field, sizeof(d->field));
		check_str(d->code, sizeof(d->code));
		check_str(d->message, sizeof(d->message));
		check_params(d->params, d->n_params, ERR_MAX_DETAIL_PARAMS);
	}
}
