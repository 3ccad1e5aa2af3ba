/*
 * text.c - see text.h.
 */
#include "core/text.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* utf8proc_iterate refuses surrogates, overlong forms and anything above
 * U+10FFFF (tests/unit/test_text.c holds it to that). With a negative
 * length it reads up to 4 bytes, but only while they are continuation
 * bytes, so never past a NUL. */
static utf8proc_ssize_t utf8_next(const char *s, utf8proc_int32_t *cp)
{
	return utf8proc_iterate((const utf8proc_uint8_t *)s, -1, cp);
}

size_t text_utf8_char(const char *s)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	if (!s || !*s)
		return 0;
	n = utf8_next(s, &cp);
	return n > 0 ? (size_t)n : 0;
}

/* Valid UTF-8 without NUL; with `text`, also without C0 controls other
 * than tab, newline and carriage return, and without DEL. */
static bool utf8_check(const char *s, bool text)
{
	const char *p = s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	if (!s)
		return false;
	while (*p) {
		if ((unsigned char)*p < 0x80) /* ASCII needs no decoding */
			n = 1, cp = (unsigned char)*p;
		else if ((n = utf8_next(p, &cp)) <= 0)
			return false;
		if (text && ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f))
			return false;
		p += n;
	}
	return true;
}

bool text_valid(const char *s)
{
	return utf8_check(s, true);
}

bool text_utf8(const char *s)
{
	return utf8_check(s, false);
}

static char *trim_dup(const char *s)
{
	size_t len;
	char *r;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	r = malloc(len + 1);
	if (!r)
		return NULL;
	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

/*
 * The fast path. Nearly every name and address is written in letters
 * that are already composed and cannot compose with their neighbours:
 * ASCII, Latin-1, Latin Extended-A, ơ ư and the Vietnamese block
 * (U+1EA0..U+1EF9). All of them are starters (combining class 0) whose
 * NFC quick check is Yes, so a string of nothing else is its own NFC,
 * and its search form is the concatenation of each letter's.
 * tests/unit/test_text.c checks every such letter and every pair of them
 * against the full path. Profiled on an import, utf8proc's map was a
 * quarter of the time of a dry run.
 */
static bool composed_letter(utf8proc_int32_t cp)
{
	return (cp >= 0x20 && cp < 0x7f) || cp == '\t' || cp == '\n' || cp == '\r' || (cp >= 0xa0 && cp <= 0x17f) ||
	       cp == 0x1a0 || cp == 0x1a1 || cp == 0x1af || cp == 0x1b0 || (cp >= 0x1ea0 && cp <= 0x1ef9);
}

bool text_composed(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	while (*p) {
		if (*p < 0x80) {
			if (!composed_letter(*p))
				return false;
			p++;
			continue;
		}
		n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0 || !composed_letter(cp))
			return false;
		p += n;
	}
	return true;
}

int text_nfc(const char *s, char **out)
{
	utf8proc_uint8_t *r = NULL;
	utf8proc_ssize_t n;

	*out = NULL;
	if (s && text_composed(s)) {
		*out = trim_dup(s);
		return *out ? 0 : -1;
	}
	if (!text_valid(s))
		return -1;
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &r,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0)
		return -1;
	*out = trim_dup((const char *)r);
	free(r);
	return *out ? 0 : -1;
}

int text_capitalise_words(const char *s, char **out)
{
	size_t len = strlen(s), n = 0;
	utf8proc_uint8_t *buf;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	bool word_start = true;
	int r;

	*out = NULL;
	if (!text_utf8(s))
		return -1;
	/* a code point's upper case takes at most 4 bytes, as any does */
	buf = malloc(len * 4 + 1);
	if (!buf)
		return -1;
	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
		if (k <= 0) {
			free(buf);
			return -1;
		}
		/* a combining mark (NFD) belongs to the letter before it */
		if (word_start && utf8proc_category(cp) != UTF8PROC_CATEGORY_MN)
			cp = utf8proc_toupper(cp);
		n += (size_t)utf8proc_encode_char(cp, buf + n);
		word_start = cp == ' ' || cp == '\t' || (word_start && utf8proc_category(cp) == UTF8PROC_CATEGORY_MN);
		p += k;
	}
	buf[n] = '\0';
	r = text_nfc((const char *)buf, out);
	free(buf);
	return r;
}

/* đ and Đ have no decomposition, so stripping marks leaves them alone;
 * a search for "d" must still find them. */
static utf8proc_int32_t fold_extra(utf8proc_int32_t cp, void *data)
{
	(void)data;
	if (cp == 0x0110 || cp == 0x0111)
		return 'd';
	return cp;
}

/* Collapses runs of white space into one space and trims, in place. */
static void squeeze_spaces(char *s)
{
	char *w = s;
	bool space = true; /* drops leading spaces */

	for (char *r = s; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			if (!space)
				*w++ = ' ';
			space = true;
		} else {
			*w++ = *r;
			space = false;
		}
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

static const utf8proc_option_t FOLD_OPTIONS = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
					       UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_LUMP;

/* The search form of each composed letter above U+007F, as the full path
 * gives it (at most 8 bytes: a letter folds to at most three). Index:
 * code point - 0xa0 for U+00A0..U+017F, then ơ ư and U+1EA0..U+1EF9. */
enum { FOLD_LATIN = 0x17f - 0xa0 + 1, FOLD_HORN = 4, FOLD_VIET = 0x1ef9 - 0x1ea0 + 1 };
static char fold_table[FOLD_LATIN + FOLD_HORN + FOLD_VIET][8];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;
static bool fold_ready;

static int fold_slot(utf8proc_int32_t cp)
{
	static const utf8proc_int32_t horn[FOLD_HORN] = { 0x1a0, 0x1a1, 0x1af, 0x1b0 };

	if (cp >= 0xa0 && cp <= 0x17f)
		return cp - 0xa0;
	for (int i = 0; i < FOLD_HORN; i++)
		if (cp == horn[i])
			return FOLD_LATIN + i;
	return FOLD_LATIN + FOLD_HORN + (cp - 0x1ea0);
}

static void fold_table_fill(void)
{
	static const utf8proc_int32_t ranges[][2] = { { 0xa0, 0x17f }, { 0x1a0, 0x1a1 }, { 0x1af, 0x1b0 },
						       { 0x1ea0, 0x1ef9 } };

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		for (utf8proc_int32_t cp = ranges[i][0]; cp <= ranges[i][1]; cp++) {
			utf8proc_uint8_t in[8] = { 0 }, *r = NULL;
			utf8proc_encode_char(cp, in);
			if (utf8proc_map_custom(in, 0, &r, FOLD_OPTIONS, fold_extra, NULL) < 0 ||
			    strlen((const char *)r) >= sizeof(fold_table[0])) {
				free(r);
				return; /* fold_ready stays false: the full path for all */
			}
			memcpy(fold_table[fold_slot(cp)], r, strlen((const char *)r) + 1);
			free(r);
		}
	fold_ready = true;
}

/* The search form of s made of composed letters (text_composed), before
 * its spaces are squeezed: each letter's own. NULL when memory runs out. */
static char *fold_composed(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), w = 0;
	/* a letter of 2 or 3 bytes folds to at most 7 */
	char *r = malloc(len * 4 + 1);
	utf8proc_int32_t cp;

	if (!r)
		return NULL;
	while (*p) {
		if (*p < 0x80) {
			r[w++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
			p++;
			continue;
		}
		p += utf8proc_iterate(p, -1, &cp);
		for (const char *f = fold_table[fold_slot(cp)]; *f; f++)
			r[w++] = *f;
	}
	r[w] = '\0';
	return r;
}

int text_fold(const char *s, char **out)
{
	utf8proc_uint8_t *r = NULL;
	utf8proc_ssize_t n;

	*out = NULL;
	if (s && text_composed(s) && pthread_once(&fold_once, fold_table_fill) == 0 && fold_ready) {
		if (!(*out = fold_composed(s)))
			return -1;
		squeeze_spaces(*out);
		return 0;
	}
	if (!text_valid(s))
		return -1;
	n = utf8proc_map_custom((const utf8proc_uint8_t *)s, 0, &r, FOLD_OPTIONS, fold_extra, NULL);
	if (n < 0)
		return -1;
	squeeze_spaces((char *)r);
	*out = (char *)r;
	return 0;
}

/*
 * The sort key has, for each word, two levels separated by 0x01: first one
 * byte per letter in Vietnamese alphabetical order (letters with breve,
 * circumflex or horn are letters of their own), then one byte per letter
 * for its tone; 0x02 separates the words. Digits sort before letters, a
 * space before both; any other character keeps its UTF-8 bytes, which sort
 * after all of these.
 */
enum { KEY_SEP = 0x01, KEY_SPACE = 0x02, KEY_DIGIT0 = 0x10, KEY_LETTER0 = 0x20 };

static const char *const ALPHABET[] = {
	"a", "a\xcc\x86", "a\xcc\x82", "b", "c", "d", "\xc4\x91", "e", "e\xcc\x82", "f", "g", "h",
	"i", "j", "k", "l", "m", "n", "o", "o\xcc\x82", "o\xcc\x9b", "p", "q", "r", "s", "t",
	"u", "u\xcc\x9b", "v", "w", "x", "y", "z",
};

enum {
	MOD_NONE = 0, MOD_BREVE = 0x0306, MOD_CIRCUMFLEX = 0x0302, MOD_HORN = 0x031B,
};

static int tone_rank(utf8proc_int32_t cp)
{
	switch (cp) {
	case 0x0300: return 1; /* huyền */
	case 0x0309: return 2; /* hỏi */
	case 0x0303: return 3; /* ngã */
	case 0x0301: return 4; /* sắc */
	case 0x0323: return 5; /* nặng */
	default: return 0;
	}
}

static int letter_index(utf8proc_int32_t base, utf8proc_int32_t mod)
{
	char want[8];
	size_t n = 0;

	if (base == 0x0111) {
		memcpy(want, "\xc4\x91", 3);
	} else {
		want[n++] = (char)base;
		if (mod) {
			n += (size_t)utf8proc_encode_char(mod, (utf8proc_uint8_t *)want + n);
		}
		want[n] = '\0';
	}
	for (size_t i = 0; i < sizeof(ALPHABET) / sizeof(ALPHABET[0]); i++)
		if (strcmp(ALPHABET[i], want) == 0)
			return (int)i;
	return -1;
}

typedef struct keybuf {
	char *p;
	size_t len, cap;
} keybuf_t;

static int kb_put(keybuf_t *b, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	if (!b->p || b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 64) + n;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int kb_byte(keybuf_t *b, int c)
{
	unsigned char ch = (unsigned char)c;
	return kb_put(b, &ch, 1);
}

/* A word's tones follow its letters, before the next word: words are
 * ordered as syllables are in a Vietnamese dictionary (all "Anh" before
 * every "Ánh", whatever follows them), a word's letters first. KEY_SEP,
 * below every letter, keeps a shorter word first ("An" < "Anh"). */
static int end_word(keybuf_t *prim, keybuf_t *tone)
{
	if (kb_byte(prim, KEY_SEP) || (tone->len && kb_put(prim, tone->p, tone->len)))
		return -1;
	tone->len = 0;
	if (tone->p)
		tone->p[0] = '\0';
	return 0;
}

int text_sort_key(const char *s, char **out)
{
	utf8proc_uint8_t *nfd = NULL;
	keybuf_t prim = {0}, tone = {0};
	const utf8proc_uint8_t *p;
	int rc = -1;

	*out = NULL;
	if (!text_valid(s))
		return -1;
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &nfd,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD) < 0)
		return -1;
	p = nfd;
	while (*p) {
		utf8proc_int32_t cp, next, mod = MOD_NONE;
		int t = 0, idx;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0)
			goto out;
		p += n;
		/* gather the combining marks that follow the base character */
		while (*p) {
			utf8proc_ssize_t m = utf8proc_iterate(p, -1, &next);
			if (m <= 0)
				goto out;
			if (next == MOD_BREVE || next == MOD_CIRCUMFLEX || next == MOD_HORN) {
				mod = next;
			} else if (tone_rank(next)) {
				t = tone_rank(next);
			} else {
				break;
			}
			p += m;
		}
		idx = (cp < 0x80 && cp >= 'a' && cp <= 'z') || cp == 0x0111 ? letter_index(cp, mod) : -1;
		if (idx < 0 && mod && cp < 0x80)
			idx = letter_index(cp, MOD_NONE);
		if (idx >= 0) {
			if (kb_byte(&prim, KEY_LETTER0 + idx) || kb_byte(&tone, '0' + t))
				goto out;
		} else if (cp >= '0' && cp <= '9') {
			if (kb_byte(&prim, KEY_DIGIT0 + (int)(cp - '0')))
				goto out;
		} else if (cp == ' ' || cp == '\t') {
			if (prim.len && prim.p[prim.len - 1] != KEY_SPACE && (end_word(&prim, &tone) || kb_byte(&prim, KEY_SPACE)))
				goto out;
		} else {
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
			/* ASCII punctuation is prefixed so that it sorts after the
			 * letters without colliding with their key bytes; keys stay
			 * valid UTF-8, which PostgreSQL requires of text */
			if (m == 1) {
				if (kb_byte(&prim, 0x7E) || kb_byte(&prim, enc[0]))
					goto out;
			} else if (kb_put(&prim, enc, (size_t)m)) {
				goto out;
			}
		}
	}
	if (end_word(&prim, &tone))
		goto out;
	*out = prim.p;
	prim.p = NULL;
	rc = 0;
out:
	free(prim.p);
	free(tone.p);
	free(nfd);
	return rc;
}

size_t text_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t n = 0;

	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len = utf8proc_iterate(p, -1, &cp);
		if (len <= 0) { /* not UTF-8: a byte a column */
			n++;
			p++;
			continue;
		}
		if (utf8proc_charwidth(cp) > 0)
			n += (size_t)utf8proc_charwidth(cp);
		p += len;
	}
	return n;
}

size_t text_length(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

/* The first code point of valid UTF-8 s for which fn is true, or 0 (also
 * for invalid UTF-8, which callers have refused before). */
static int32_t find_code_point(const char *s, bool (*fn)(utf8proc_int32_t))
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	while (*p) {
		if (*p < 0x80) /* ASCII needs no decoding */
			n = 1, cp = *p;
		else if ((n = utf8proc_iterate(p, -1, &cp)) <= 0)
			break;
		if (fn(cp))
			return cp;
		p += n;
	}
	return 0;
}

static bool is_not_space(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f')
		return false;
	return c != UTF8PROC_CATEGORY_ZS && c != UTF8PROC_CATEGORY_ZL && c != UTF8PROC_CATEGORY_ZP;
}

static bool is_format(utf8proc_int32_t cp)
{
	return cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_CF;
}

bool text_blank(const char *s)
{
	return find_code_point(s, is_not_space) == 0;
}

bool text_word_begins(const char *text, size_t len, const char *word, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if ((i == 0 || text[i - 1] == ' ') && memcmp(text + i, word, n) == 0)
			return true;
	return false;
}

int32_t text_format_char(const char *s)
{
	return find_code_point(s, is_format);
}

void text_code_point_name(int32_t cp, char *buf, size_t cap)
{
	snprintf(buf, cap, "U+%04X", (unsigned)cp);
}
