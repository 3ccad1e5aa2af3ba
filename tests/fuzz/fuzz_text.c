/*
 * fuzz_text.c - UTF-8 checks, Vietnamese folding and sort keys (core/text.h)
 * and the error messages that quote what users sent (core/err.h).
 *
 * The input is up to three strings separated by NUL bytes: the text, a
 * message template and a parameter name. Properties:
 *   - text_utf8 agrees with an independent strict decoder written here from
 *     the table of RFC 3629 (a surrogate, an overlong form or a code point
 *     above U+10FFFF is not UTF-8), and text_utf8_char with its lengths;
 *   - text_valid implies text_utf8; text_length counts code points;
 *   - text_nfc, text_fold and text_sort_key fail on what is not UTF-8 (out
 *     NULL), and on text give UTF-8 (folded: trimmed, single spaces; sort
 *     key: no byte below KEY_SEP except none, strcmp-comparable);
 *   - every string an err_t holds after err_fail, err_field, err_set,
 *     err_detail, err_add_param and err_field_copy with these strings as
 *     template, field, code, parameter and name is UTF-8 (fuzz_check_err).
 */
#include <stdbool.h>

#include "core/err.h"
#include "core/text.h"
#include "fuzz.h"

/* RFC 3629, section 4: the length of the well-formed sequence at s, 0 if
 * there is none. Written apart from utf8proc on purpose. */
static size_t ref_char(const unsigned char *s)
{
	unsigned c = s[0];

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] >= 0x80 && s[1] <= 0xBF) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return (s[1] >= lo && s[1] <= hi && s[2] >= 0x80 && s[2] <= 0xBF) ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return (s[1] >= lo && s[1] <= hi && s[2] >= 0x80 && s[2] <= 0xBF && s[3] >= 0x80 && s[3] <= 0xBF) ? 4 : 0;
	}
	return 0;
}

/* Whole-string reference check; *chars counts the code points. */
static bool ref_utf8(const char *s, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;

	*chars = 0;
	while (*p) {
		size_t n = ref_char(p);
		if (!n)
			return false;
		p += n;
		++*chars;
	}
	return true;
}

static void check_text(const char *s)
{
	size_t chars = 0;
	bool utf8 = ref_utf8(s, &chars);
	char *out = NULL;

	FUZZ_CHECK(text_utf8(s) == utf8);
	FUZZ_CHECK(text_utf8_char(s) == ref_char((const unsigned char *)s));
	if (text_valid(s))
		FUZZ_CHECK(utf8);
	if (utf8)
		FUZZ_CHECK(text_length(s) == chars);

	if (text_nfc(s, &out) == 0) {
		FUZZ_CHECK(utf8 && text_valid(s));
		FUZZ_CHECK(text_valid(out));
	} else {
		FUZZ_CHECK(out == NULL);
	}
	free(out);
	out = NULL;

	if (text_fold(s, &out) == 0) {
		size_t n = strlen(out);
		FUZZ_CHECK(text_valid(s));
		FUZZ_CHECK(text_utf8(out));
		FUZZ_CHECK(!strstr(out, "  "));
		FUZZ_CHECK(n == 0 || (out[0] != ' ' && out[n - 1] != ' '));
	} else {
		FUZZ_CHECK(out == NULL);
	}
	free(out);
	out = NULL;

	if (text_sort_key(s, &out) == 0) {
		FUZZ_CHECK(text_valid(s));
		FUZZ_CHECK(text_utf8(out)); /* PostgreSQL keeps it as text */
		FUZZ_CHECK(strchr(out, 0x01) != NULL); /* the level separator */
	} else {
		FUZZ_CHECK(out == NULL);
	}
	free(out);
}

static void check_err(const char *s, const char *tmpl, const char *name)
{
	err_t e, other;

	err_clear(&e);
	err_fail(&e, ERR_NOT_FOUND, "not_found", tmpl, ERR_STR("ref", s), ERR_STR(name, s), ERR_INT("max", 7));
	fuzz_check_err(&e);
	err_failv(&e, ERR_BAD_REQUEST, s, s, NULL, 0);
	fuzz_check_err(&e);
	/* more than ERR_MAX_DETAILS: the last becomes "more_errors" */
	for (int i = 0; i < ERR_MAX_DETAILS + 2; i++)
		err_field(&e, s, s, tmpl, ERR_STR("value", s), ERR_STR(name, tmpl), ERR_INT("n", i));
	fuzz_check_err(&e);
	err_set(&e, ERR_INTERNAL, NULL, "%s: %s", s, e.message);
	err_detail(&e, s, "%s %s", tmpl, e.details[0].message);
	(void)err_add_param(&e, ERR_STR(name, s));
	(void)err_add_param(&e, ERR_DATE("date", (date_t)strlen(s) * 997));
	fuzz_check_err(&e);

	err_clear(&other);
	for (int i = 0; i < e.n_details; i++)
		err_field_copy(&other, s, &e.details[i]);
	err_field_copy(&e, tmpl, &e.details[0]); /* a detail copied into its own error */
	fuzz_check_err(&other);
	fuzz_check_err(&e);
	if (err_param(&e, name))
		FUZZ_CHECK(text_utf8(err_param(&e, name)->text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3);
	const char *s, *tmpl, *name;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	/* three strings: the text, a template, a name */
	s = buf;
	tmpl = s + strlen(s) + 1;
	if (tmpl > buf + size)
		tmpl = buf + size + 1;
	name = tmpl + strlen(tmpl) + 1;
	if (name > buf + size + 1)
		name = buf + size + 2;
	check_text(s);
	check_err(s, tmpl, name);
	free(buf);
	return 0;
}
