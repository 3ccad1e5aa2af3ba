/*
 * vn_syllable.c - see vn_syllable.h.
 *
 * The word is first brought to a plain form: lower case, the tone mark
 * taken off and remembered, the letters with a circumflex, breve or horn
 * (â ă ê ô ơ ư) kept as such. That form is split into an onset and a
 * rhyme by trying each onset it begins with, and the rhyme is looked up as
 * a nucleus (glide and vowel) followed by one of the finals the nucleus
 * takes.
 */
#include "core/vn_syllable.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

enum tone { TONE_NONE, TONE_ACUTE, TONE_GRAVE, TONE_HOOK, TONE_TILDE, TONE_DOT };

/* Finals, one bit each in a nucleus's mask. */
enum {
	F_NONE = 1 << 0, F_C = 1 << 1, F_CH = 1 << 2, F_M = 1 << 3, F_N = 1 << 4, F_NG = 1 << 5, F_NH = 1 << 6,
	F_P = 1 << 7, F_T = 1 << 8, F_I = 1 << 9, F_Y = 1 << 10, F_O = 1 << 11, F_U = 1 << 12,
};
#define F_STOPS (F_C | F_CH | F_P | F_T)

static const struct final {
	const char *text;
	unsigned bit;
} FINALS[] = {
	{ "", F_NONE }, { "c", F_C }, { "ch", F_CH }, { "m", F_M }, { "n", F_N }, { "ng", F_NG }, { "nh", F_NH },
	{ "p", F_P },   { "t", F_T }, { "i", F_I },   { "y", F_Y }, { "o", F_O }, { "u", F_U },
};

/* The nuclei, with the glide o/u when there is one, and the finals each
 * takes (the vần of the standard orthography; a few rare ones such as
 * "oong" of loanwords included). "iê" is written "yê" at the start of a
 * syllable and after the glide u ("yên", "uyên"); both are listed. */
static const struct nucleus {
	const char *text;
	unsigned finals;
} NUCLEI[] = {
	{ "a", F_NONE | F_C | F_CH | F_M | F_N | F_NG | F_NH | F_P | F_T | F_I | F_Y | F_O | F_U },
	{ "ă", F_C | F_M | F_N | F_NG | F_P | F_T },
	{ "â", F_C | F_M | F_N | F_NG | F_P | F_T | F_U | F_Y },
	{ "e", F_NONE | F_C | F_M | F_N | F_NG | F_P | F_T | F_O },
	{ "ê", F_NONE | F_CH | F_M | F_N | F_NH | F_P | F_T | F_U },
	{ "i", F_NONE | F_CH | F_M | F_N | F_NH | F_P | F_T | F_U },
	{ "ia", F_NONE },
	{ "iê", F_C | F_M | F_N | F_NG | F_P | F_T | F_U },
	{ "yê", F_C | F_M | F_N | F_NG | F_P | F_T | F_U },
	{ "o", F_NONE | F_C | F_M | F_N | F_NG | F_P | F_T | F_I },
	{ "oo", F_C | F_NG },
	{ "ô", F_NONE | F_C | F_M | F_N | F_NG | F_P | F_T | F_I },
	{ "ơ", F_NONE | F_M | F_N | F_P | F_T | F_I },
	{ "u", F_NONE | F_C | F_M | F_N | F_NG | F_P | F_T | F_I },
	{ "ua", F_NONE },
	{ "uô", F_C | F_M | F_N | F_NG | F_T | F_I },
	{ "ư", F_NONE | F_C | F_M | F_N | F_NG | F_T | F_I | F_U },
	{ "ưa", F_NONE },
	{ "ươ", F_C | F_M | F_N | F_NG | F_P | F_T | F_I | F_U },
	{ "y", F_NONE },
	/* with the glide */
	{ "oa", F_NONE | F_C | F_CH | F_M | F_N | F_NG | F_NH | F_P | F_T | F_I | F_Y | F_O },
	{ "oă", F_C | F_M | F_N | F_NG | F_T },
	{ "oe", F_NONE | F_N | F_T | F_O },
	{ "uâ", F_N | F_NG | F_T | F_Y },
	{ "uê", F_NONE | F_CH | F_NH },
	{ "uơ", F_NONE },
	{ "uy", F_NONE | F_CH | F_N | F_NH | F_P | F_T | F_U },
	{ "uya", F_NONE },
	{ "uyê", F_N | F_T },
};

/* Longest first where one is the start of another, so that "nghe" is tried
 * as ngh + e before ng + he; every onset that fits is tried anyway. */
static const char *const ONSETS[] = {
	"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
	"h",   "k",  "l",  "m",  "n",  "p",  "r",  "s",  "t",  "v",  "x",  "",
};

static bool rhyme_valid(const char *r, enum tone tone)
{
	for (size_t i = 0; i < sizeof NUCLEI / sizeof NUCLEI[0]; i++) {
		size_t n = strlen(NUCLEI[i].text);
		if (strncmp(r, NUCLEI[i].text, n) != 0)
			continue;
		for (size_t j = 0; j < sizeof FINALS / sizeof FINALS[0]; j++) {
			if (!(NUCLEI[i].finals & FINALS[j].bit) || strcmp(r + n, FINALS[j].text) != 0)
				continue;
			/* a syllable closed by a stop takes only sắc or nặng */
			if ((FINALS[j].bit & F_STOPS) && tone != TONE_ACUTE && tone != TONE_DOT)
				return false;
			return true;
		}
	}
	return false;
}

static enum tone tone_of(utf8proc_int32_t mark)
{
	switch (mark) {
	case 0x0301: return TONE_ACUTE;
	case 0x0300: return TONE_GRAVE;
	case 0x0309: return TONE_HOOK;
	case 0x0303: return TONE_TILDE;
	case 0x0323: return TONE_DOT;
	default: return TONE_NONE;
	}
}

/* The letter `base` with the circumflex, breve or horn `mark`, or 0 when
 * Vietnamese has no such letter. */
static utf8proc_int32_t with_mark(utf8proc_int32_t base, utf8proc_int32_t mark)
{
	static const utf8proc_int32_t pairs[][3] = {
		{ 'a', 0x0302, 0x00e2 }, { 'a', 0x0306, 0x0103 }, { 'e', 0x0302, 0x00ea },
		{ 'o', 0x0302, 0x00f4 }, { 'o', 0x031b, 0x01a1 }, { 'u', 0x031b, 0x01b0 },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if (pairs[i][0] == base && pairs[i][1] == mark)
			return pairs[i][2];
	return 0;
}

/* A letter of the Vietnamese alphabet without marks: a-z but f j w z, and đ. */
static bool plain_letter(utf8proc_int32_t c)
{
	return (c >= 'a' && c <= 'z' && c != 'f' && c != 'j' && c != 'w' && c != 'z') || c == 0x0111;
}

typedef struct plain {
	utf8proc_int32_t letters[VN_SYLLABLE_MAX];
	size_t n;
	enum tone tone;
} plain_t;

/* Adds one decomposed code point to the plain form; false when the word
 * cannot be a syllable (a second tone, a mark on the wrong letter, a
 * character outside the alphabet, too long). */
static bool plain_add(plain_t *p, utf8proc_int32_t c)
{
	enum tone t = tone_of(c);

	if (t != TONE_NONE) {
		if (p->tone != TONE_NONE || p->n == 0)
			return false;
		p->tone = t;
		return true;
	}
	if (c == 0x0302 || c == 0x0306 || c == 0x031b) {
		utf8proc_int32_t m = p->n ? with_mark(p->letters[p->n - 1], c) : 0;
		if (!m)
			return false;
		p->letters[p->n - 1] = m;
		return true;
	}
	c = utf8proc_tolower(c);
	if (!plain_letter(c) || p->n == VN_SYLLABLE_MAX)
		return false;
	p->letters[p->n++] = c;
	return true;
}

/* The plain form of `word` as UTF-8 in buf (cap >= 3 * VN_SYLLABLE_MAX + 1)
 * and its tone; false when it is not made of Vietnamese letters. */
static bool plain_form(const char *word, char *buf, enum tone *tone)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)word;
	plain_t p = { .n = 0, .tone = TONE_NONE };
	size_t len = 0;

	while (*s) {
		utf8proc_int32_t cp, d[4];
		int boundclass = 0;
		utf8proc_ssize_t n = utf8proc_iterate(s, -1, &cp), k;
		if (n <= 0)
			return false;
		s += n;
		k = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE, &boundclass);
		if (k <= 0 || k > 4)
			return false;
		for (utf8proc_ssize_t i = 0; i < k; i++)
			if (!plain_add(&p, d[i]))
				return false;
	}
	if (p.n == 0)
		return false;
	for (size_t i = 0; i < p.n; i++)
		len += (size_t)utf8proc_encode_char(p.letters[i], (utf8proc_uint8_t *)buf + len);
	buf[len] = '\0';
	*tone = p.tone;
	return true;
}

bool vn_syllable_valid(const char *word)
{
	char plain[3 * VN_SYLLABLE_MAX + 1];
	enum tone tone;

	if (!word || !plain_form(word, plain, &tone))
		return false;
	for (size_t i = 0; i < sizeof ONSETS / sizeof ONSETS[0]; i++) {
		size_t n = strlen(ONSETS[i]);
		if (strncmp(plain, ONSETS[i], n) != 0)
			continue;
		if (rhyme_valid(plain + n, tone))
			return true;
		/* gi before i or iê keeps one i: "gì" (gi + i), "giếng" (gi +
		 * iêng); the u of qu is the glide of the rhymes with one:
		 * "quỳnh" (qu + uynh), "quyết" (qu + uyêt) */
		if ((strcmp(ONSETS[i], "gi") == 0 || strcmp(ONSETS[i], "qu") == 0) && rhyme_valid(plain + n - 1, tone))
			return true;
	}
	return false;
}
