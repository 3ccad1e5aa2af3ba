/*
 * legacy_vn.c - see legacy_vn.h.
 *
 * Every function first brings its text back to the legacy bytes (each
 * character's CP1252 or Latin-1 byte), then reads the bytes in one
 * encoding. The tables are the bytes' meanings; the encoder searches them
 * rather than keeping inverse tables, as it serves tests and fixtures.
 */
#include "core/legacy_vn.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/vn_syllable.h"

/* Windows-1252 0x80..0x9F (the rest of its bytes are Latin-1). The five
 * bytes it leaves undefined are the C1 controls of the same value, as
 * Windows' MultiByteToWideChar gives them. */
static const uint16_t CP1252_HIGH[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
	0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

/* TCVN3 (VN3), bytes 0xA0..0xFF: the letter, 0 where the byte is not one
 * (kept as its CP1252 character). Unikey's "TCVN3" table; glibc's
 * TCVN5712-1 agrees on every byte listed. */
static const uint16_t TCVN3[96] = {
	0,      0x0102, 0x00c2, 0x00ca, 0x00d4, 0x01a0, 0x01af, 0x0110, /* A0 - Ă Â Ê Ô Ơ Ư Đ */
	0x0103, 0x00e2, 0x00ea, 0x00f4, 0x01a1, 0x01b0, 0x0111, 0,      /* A8 ă â ê ô ơ ư đ - */
	0,      0,      0,      0,      0,      0x00e0, 0x1ea3, 0x00e3, /* B0 - - - - - à ả ã */
	0x00e1, 0x1ea1, 0,      0x1eb1, 0x1eb3, 0x1eb5, 0x1eaf, 0,      /* B8 á ạ - ằ ẳ ẵ ắ - */
	0,      0,      0,      0,      0,      0,      0x1eb7, 0x1ea7, /* C0 - - - - - - ặ ầ */
	0x1ea9, 0x1eab, 0x1ea5, 0x1ead, 0x00e8, 0,      0x1ebb, 0x1ebd, /* C8 ẩ ẫ ấ ậ è - ẻ ẽ */
	0x00e9, 0x1eb9, 0x1ec1, 0x1ec3, 0x1ec5, 0x1ebf, 0x1ec7, 0x00ec, /* D0 é ẹ ề ể ễ ế ệ ì */
	0x1ec9, 0,      0,      0,      0x0129, 0x00ed, 0x1ecb, 0x00f2, /* D8 ỉ - - - ĩ í ị ò */
	0,      0x1ecf, 0x00f5, 0x00f3, 0x1ecd, 0x1ed3, 0x1ed5, 0x1ed7, /* E0 - ỏ õ ó ọ ồ ổ ỗ */
	0x1ed1, 0x1ed9, 0x1edd, 0x1edf, 0x1ee1, 0x1edb, 0x1ee3, 0x00f9, /* E8 ố ộ ờ ở ỡ ớ ợ ù */
	0,      0x1ee7, 0x0169, 0x00fa, 0x1ee5, 0x1eeb, 0x1eed, 0x1eef, /* F0 - ủ ũ ú ụ ừ ử ữ */
	0x1ee9, 0x1ef1, 0x1ef3, 0x1ef7, 0x1ef9, 0x00fd, 0x1ef5, 0,      /* F8 ứ ự ỳ ỷ ỹ ý ỵ - */
};

/* VNI-Windows marks: a shape (circumflex, breve) and a tone, in Unikey's
 * order of tones. */
enum { SHAPE_NONE, SHAPE_CIRCUMFLEX, SHAPE_BREVE };
enum { TONE_NONE, TONE_ACUTE, TONE_GRAVE, TONE_HOOK, TONE_TILDE, TONE_DOT };
static const utf8proc_int32_t SHAPE_MARK[] = { 0, 0x0302, 0x0306 };
static const utf8proc_int32_t TONE_MARK[] = { 0, 0x0301, 0x0300, 0x0309, 0x0303, 0x0323 };

/* VNI-Windows bytes 0xC0..0xDF (capitals) and 0xE0..0xFF (lower case) have
 * the same meaning at the same offset: either a letter of their own or a
 * mark for the vowel before. Unikey's "VNI-WIN" table; xvnkb's vni.h
 * agrees. */
static const struct vni_code {
	uint16_t upper, lower; /* a letter of its own */
	uint8_t shape, tone;   /* else a mark, when either is set */
} VNI[32] = {
	[0x00] = { 0, 0, SHAPE_CIRCUMFLEX, TONE_GRAVE }, /* À à */
	[0x01] = { 0, 0, SHAPE_CIRCUMFLEX, TONE_ACUTE }, /* Á á */
	[0x02] = { 0, 0, SHAPE_CIRCUMFLEX, TONE_NONE },  /* Â â */
	[0x03] = { 0, 0, SHAPE_CIRCUMFLEX, TONE_TILDE }, /* Ã ã */
	[0x04] = { 0, 0, SHAPE_CIRCUMFLEX, TONE_DOT },   /* Ä ä */
	[0x05] = { 0, 0, SHAPE_CIRCUMFLEX, TONE_HOOK },  /* Å å */
	[0x06] = { 0x1ec8, 0x1ec9, 0, 0 },               /* Æ æ: Ỉ ỉ */
	[0x08] = { 0, 0, SHAPE_BREVE, TONE_GRAVE },      /* È è */
	[0x09] = { 0, 0, SHAPE_BREVE, TONE_ACUTE },      /* É é */
	[0x0a] = { 0, 0, SHAPE_BREVE, TONE_NONE },       /* Ê ê */
	[0x0b] = { 0, 0, SHAPE_BREVE, TONE_DOT },        /* Ë ë */
	[0x0c] = { 0x00cc, 0x00ec, 0, 0 },               /* Ì ì: Ì ì */
	[0x0d] = { 0x00cd, 0x00ed, 0, 0 },               /* Í í: Í í */
	[0x0e] = { 0x1ef4, 0x1ef5, 0, 0 },               /* Î î: Ỵ ỵ */
	[0x0f] = { 0, 0, SHAPE_NONE, TONE_DOT },         /* Ï ï */
	[0x11] = { 0x0110, 0x0111, 0, 0 },               /* Ñ ñ: Đ đ */
	[0x12] = { 0x1eca, 0x1ecb, 0, 0 },               /* Ò ò: Ị ị */
	[0x13] = { 0x0128, 0x0129, 0, 0 },               /* Ó ó: Ĩ ĩ */
	[0x14] = { 0x01a0, 0x01a1, 0, 0 },               /* Ô ô: Ơ ơ */
	[0x15] = { 0, 0, SHAPE_NONE, TONE_TILDE },       /* Õ õ */
	[0x16] = { 0x01af, 0x01b0, 0, 0 },               /* Ö ö: Ư ư */
	[0x18] = { 0, 0, SHAPE_NONE, TONE_GRAVE },       /* Ø ø */
	[0x19] = { 0, 0, SHAPE_NONE, TONE_ACUTE },       /* Ù ù */
	[0x1a] = { 0, 0, SHAPE_BREVE, TONE_HOOK },       /* Ú ú */
	[0x1b] = { 0, 0, SHAPE_NONE, TONE_HOOK },        /* Û û */
	[0x1c] = { 0, 0, SHAPE_BREVE, TONE_TILDE },      /* Ü ü */
};

const char *legacy_enc_name(legacy_enc_t enc)
{
	switch (enc) {
	case LEGACY_TCVN3: return "tcvn3";
	case LEGACY_VNI: return "vni";
	default: return NULL;
	}
}

int legacy_enc_parse(const char *name, legacy_enc_t *out)
{
	static const legacy_enc_t all[] = { LEGACY_TCVN3, LEGACY_VNI };

	for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++) {
		const char *a = legacy_enc_name(all[i]), *b = name;
		while (*a && (*b | 0x20) == *a)
			a++, b++;
		if (!*a && !*b) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

static utf8proc_int32_t cp1252_char(unsigned char b)
{
	return b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : b;
}

/* The byte whose CP1252 (or Latin-1) character cp is; -1 for none. */
static int legacy_byte(utf8proc_int32_t cp)
{
	if (cp >= 0 && cp < 0x100)
		return (int)cp;
	for (int i = 0; i < 32; i++)
		if (CP1252_HIGH[i] == cp)
			return 0x80 + i;
	return -1;
}

static bool vni_is_mark(unsigned char b)
{
	return b >= 0xc0 && (VNI[b & 0x1f].shape || VNI[b & 0x1f].tone);
}

static bool vni_is_letter(unsigned char b)
{
	return b >= 0xc0 && VNI[b & 0x1f].lower;
}

/* True when byte b is a letter or mark of enc: a CP1252 character with
 * that byte cannot be written in enc. */
static bool enc_code(legacy_enc_t enc, unsigned char b)
{
	if (enc == LEGACY_TCVN3)
		return b >= 0xa0 && TCVN3[b - 0xa0];
	return vni_is_mark(b) || vni_is_letter(b);
}

int legacy_cp1252_to_utf8(const char *bytes, size_t len, char **out)
{
	char *r;
	size_t n = 0;

	*out = NULL;
	if (!bytes || len > (SIZE_MAX - 1) / 3 || memchr(bytes, 0, len))
		return -1;
	r = malloc(3 * len + 1); /* CP1252 characters take 3 bytes at most */
	if (!r)
		return -1;
	for (size_t i = 0; i < len; i++)
		n += (size_t)utf8proc_encode_char(cp1252_char((unsigned char)bytes[i]), (utf8proc_uint8_t *)r + n);
	r[n] = '\0';
	*out = r;
	return 0;
}

/* The legacy bytes of UTF-8 in, NUL-terminated, in *bytes (malloc'd).
 * Returns 0 or -1 (not UTF-8, a character no byte gives, no memory). */
static int to_bytes(const char *in, unsigned char **bytes, size_t *len)
{
	size_t cap = strlen(in), n = 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)in;
	unsigned char *b = malloc(cap + 1);

	if (!b)
		return -1;
	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
		int byte = k > 0 ? legacy_byte(cp) : -1;
		if (byte < 0) {
			free(b);
			return -1;
		}
		b[n++] = (unsigned char)byte;
		p += k;
	}
	b[n] = '\0';
	*bytes = b;
	*len = n;
	return 0;
}

/* Code points decoded from the bytes, with room for what VNI adds: at most
 * two code points per byte (a letter and a mark from its two bytes give
 * three). `lower_code` marks the TCVN3 letters that came from a
 * lower-case code. */
typedef struct cps {
	utf8proc_int32_t *cp;
	bool *lower_code;
	size_t n;
} cps_t;

static int cps_init(cps_t *c, size_t bytes)
{
	c->n = 0;
	c->cp = malloc((2 * bytes + 1) * sizeof *c->cp);
	c->lower_code = calloc(2 * bytes + 1, sizeof *c->lower_code);
	return c->cp && c->lower_code ? 0 : -1;
}

static void cps_free(cps_t *c)
{
	free(c->cp);
	free(c->lower_code);
}

static bool ascii_upper(utf8proc_int32_t c)
{
	return c >= 'A' && c <= 'Z';
}

static bool ascii_lower(utf8proc_int32_t c)
{
	return c >= 'a' && c <= 'z';
}

static bool word_char(utf8proc_int32_t c)
{
	utf8proc_category_t k = utf8proc_category(c);
	return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_ME;
}

/* Text typed in a capital font (.VnTimeH) shows its lower-case codes as
 * capitals: so does a word whose ASCII letters are all capitals, two or
 * more, and every word of a value whose ASCII letters are all capitals,
 * two or more ("L£ THÞ Mü" -> "LÊ THỊ MỸ"). */
static bool all_caps(const cps_t *c, size_t from, size_t to)
{
	size_t upper = 0, lower = 0;

	for (size_t i = from; i < to; i++) {
		upper += ascii_upper(c->cp[i]);
		lower += ascii_lower(c->cp[i]);
	}
	return upper >= 2 && lower == 0;
}

static void tcvn3_capital_words(cps_t *c)
{
	bool value_caps = all_caps(c, 0, c->n);
	size_t i = 0;

	while (i < c->n) {
		size_t start = i;
		while (i < c->n && word_char(c->cp[i]))
			i++;
		if (value_caps || all_caps(c, start, i))
			for (size_t j = start; j < i; j++)
				if (c->lower_code[j])
					c->cp[j] = utf8proc_toupper(c->cp[j]);
		if (i == start)
			i++;
	}
}

static void decode_tcvn3(const unsigned char *b, size_t len, cps_t *c)
{
	for (size_t i = 0; i < len; i++) {
		utf8proc_int32_t letter = b[i] >= 0xa0 ? TCVN3[b[i] - 0xa0] : 0;
		c->lower_code[c->n] = letter && utf8proc_islower(letter);
		c->cp[c->n++] = letter ? letter : cp1252_char(b[i]);
	}
	tcvn3_capital_words(c);
}

/* The vowel a VNI mark may follow: an ASCII vowel or VNI's own ơ, ư. */
static utf8proc_int32_t vni_vowel(unsigned char b)
{
	if (b < 0x80)
		return b && strchr("aeiouyAEIOUY", b) ? b : 0;
	if (b >= 0xc0 && ((b & 0x1f) == 0x14 || (b & 0x1f) == 0x16))
		return b >= 0xe0 ? VNI[b & 0x1f].lower : VNI[b & 0x1f].upper;
	return 0;
}

static bool vni_mark_fits(utf8proc_int32_t vowel, const struct vni_code *m)
{
	utf8proc_int32_t v = utf8proc_tolower(vowel);
	if (m->shape == SHAPE_CIRCUMFLEX)
		return v == 'a' || v == 'e' || v == 'o';
	if (m->shape == SHAPE_BREVE)
		return v == 'a';
	return true;
}

static void decode_vni(const unsigned char *b, size_t len, cps_t *c)
{
	for (size_t i = 0; i < len; i++) {
		utf8proc_int32_t v = vni_vowel(b[i]);
		const struct vni_code *code = b[i] >= 0xc0 ? &VNI[b[i] & 0x1f] : NULL;
		if (v && i + 1 < len && vni_is_mark(b[i + 1]) && vni_mark_fits(v, &VNI[b[i + 1] & 0x1f])) {
			const struct vni_code *m = &VNI[b[++i] & 0x1f];
			c->cp[c->n++] = v;
			if (m->shape)
				c->cp[c->n++] = SHAPE_MARK[m->shape];
			if (m->tone)
				c->cp[c->n++] = TONE_MARK[m->tone];
		} else if (code && code->lower) {
			c->cp[c->n++] = b[i] >= 0xe0 ? code->lower : code->upper;
		} else {
			c->cp[c->n++] = cp1252_char(b[i]);
		}
	}
}

/* The code points as UTF-8 in NFC, in *out (malloc'd). */
static int cps_to_nfc(const cps_t *c, char **out)
{
	char *u = malloc(4 * c->n + 1);
	utf8proc_uint8_t *nfc = NULL;
	size_t n = 0;
	utf8proc_ssize_t k;

	if (!u)
		return -1;
	for (size_t i = 0; i < c->n; i++)
		n += (size_t)utf8proc_encode_char(c->cp[i], (utf8proc_uint8_t *)u + n);
	u[n] = '\0';
	k = utf8proc_map((const utf8proc_uint8_t *)u, 0, &nfc, UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	free(u);
	if (k < 0)
		return -1;
	*out = (char *)nfc;
	return 0;
}

int legacy_to_unicode(const char *in, legacy_enc_t enc, char **out)
{
	unsigned char *b = NULL;
	size_t len;
	cps_t c = { 0 };
	int rc = -1;

	*out = NULL;
	if (!in || (enc != LEGACY_TCVN3 && enc != LEGACY_VNI) || to_bytes(in, &b, &len) < 0)
		return -1;
	if (cps_init(&c, len) < 0)
		goto out;
	if (enc == LEGACY_TCVN3)
		decode_tcvn3(b, len, &c);
	else
		decode_vni(b, len, &c);
	rc = cps_to_nfc(&c, out);
out:
	cps_free(&c);
	free(b);
	return rc;
}

/* --- the encoder ------------------------------------------------------ */

/* TCVN3's byte for letter cp (its lower-case code when it has no capital);
 * 0 when it has none. */
static unsigned char tcvn3_letter(utf8proc_int32_t cp)
{
	utf8proc_int32_t lower = utf8proc_tolower(cp);

	for (int i = 0; i < 96; i++)
		if (TCVN3[i] == cp)
			return (unsigned char)(0xa0 + i);
	for (int i = 0; i < 96; i++)
		if (lower != cp && TCVN3[i] == lower)
			return (unsigned char)(0xa0 + i);
	return 0;
}

/* VNI's byte for a letter of its own (đ, ơ, ư, the i with a tone, ỵ); 0
 * when cp is not one. */
static unsigned char vni_own_letter(utf8proc_int32_t cp)
{
	for (int i = 0; i < 32; i++) {
		if (VNI[i].lower && VNI[i].lower == cp)
			return (unsigned char)(0xe0 + i);
		if (VNI[i].upper && VNI[i].upper == cp)
			return (unsigned char)(0xc0 + i);
	}
	return 0;
}

static unsigned char vni_mark_byte(int shape, int tone, bool upper)
{
	for (int i = 0; i < 32; i++)
		if ((VNI[i].shape || VNI[i].tone) && VNI[i].shape == shape && VNI[i].tone == tone)
			return (unsigned char)((upper ? 0xc0 : 0xe0) + i);
	return 0;
}

static utf8proc_int32_t horn_letter(utf8proc_int32_t base)
{
	switch (base) {
	case 'o': return 0x01a1;
	case 'O': return 0x01a0;
	case 'u': return 0x01b0;
	case 'U': return 0x01af;
	default: return 0;
	}
}

/* VNI's bytes for Vietnamese letter cp in b[0..1]; the count, 0 when cp is
 * not a Vietnamese vowel with marks or a letter of VNI's own. */
static int vni_letter(utf8proc_int32_t cp, unsigned char *b)
{
	utf8proc_int32_t d[4], base;
	int boundclass = 0, shape = SHAPE_NONE, tone = TONE_NONE;
	bool horn = false;
	utf8proc_ssize_t k;

	if ((b[0] = vni_own_letter(cp)) != 0)
		return 1;
	k = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE, &boundclass);
	if (k < 2 || k > 3 || d[0] >= 0x80 || !vni_vowel((unsigned char)d[0]))
		return 0;
	for (utf8proc_ssize_t i = 1; i < k; i++) {
		int t = 0;
		while (t < 6 && TONE_MARK[t] != d[i])
			t++;
		if (d[i] == 0x031b)
			horn = true;
		else if (d[i] == SHAPE_MARK[SHAPE_CIRCUMFLEX] || d[i] == SHAPE_MARK[SHAPE_BREVE])
			shape = d[i] == SHAPE_MARK[SHAPE_BREVE] ? SHAPE_BREVE : SHAPE_CIRCUMFLEX;
		else if (t > 0 && t < 6)
			tone = t;
		else
			return 0;
	}
	base = d[0];
	if (horn) {
		/* ơ, ư are letters of VNI's own, a tone byte after them */
		b[0] = vni_own_letter(horn_letter(base));
		if (!b[0])
			return 0;
	} else {
		b[0] = (unsigned char)base;
	}
	if (shape == SHAPE_NONE && tone == TONE_NONE)
		return 1;
	b[1] = vni_mark_byte(shape, tone, ascii_upper(base));
	return b[1] ? 2 : 0;
}

/* Appends the bytes of code point cp written in enc; -1 when enc cannot
 * write it. */
static int encode_char(utf8proc_int32_t cp, legacy_enc_t enc, char *b, size_t *n)
{
	unsigned char letter[2];
	int k = 0, byte;

	if (cp < 0x80) {
		b[(*n)++] = (char)cp;
		return 0;
	}
	if (enc == LEGACY_TCVN3)
		k = (letter[0] = tcvn3_letter(cp)) != 0;
	else
		k = vni_letter(cp, letter);
	for (int i = 0; i < k; i++)
		b[(*n)++] = (char)letter[i];
	if (k)
		return 0;
	byte = legacy_byte(cp);
	if (byte < 0 || enc_code(enc, (unsigned char)byte))
		return -1;
	b[(*n)++] = (char)byte;
	return 0;
}

int legacy_from_unicode(const char *in, legacy_enc_t enc, char **out)
{
	utf8proc_uint8_t *nfc = NULL;
	const utf8proc_uint8_t *p;
	char *b = NULL;
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	if (!in || (enc != LEGACY_TCVN3 && enc != LEGACY_VNI))
		return -1;
	if (utf8proc_map((const utf8proc_uint8_t *)in, 0, &nfc, UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE) < 0)
		return -1;
	/* two bytes per code point at most, and a code point takes one byte
	 * of UTF-8 at least */
	b = malloc(2 * strlen((const char *)nfc) + 1);
	if (!b)
		goto out;
	for (p = nfc; *p;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
		if (k <= 0 || encode_char(cp, enc, b, &n) < 0)
			goto out;
		p += k;
	}
	rc = legacy_cp1252_to_utf8(b, n, out);
out:
	free(b);
	free(nfc);
	return rc;
}

/* --- detection -------------------------------------------------------- */

/* Characters between words: white space, ASCII other than letters, the
 * no-break space and the General Punctuation block (CP1252's quotes and
 * dashes). Every byte TCVN3 or VNI uses for a letter is a word character. */
static bool separator(utf8proc_int32_t cp)
{
	utf8proc_category_t k;

	if (cp < 0x80)
		return !ascii_upper(cp) && !ascii_lower(cp);
	if (cp == 0xa0 || (cp >= 0x2000 && cp <= 0x206f))
		return true;
	k = utf8proc_category(cp);
	return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL || k == UTF8PROC_CATEGORY_ZP;
}

/* Whether `word` reads as a syllable in enc; *changed when the reading
 * differs from the word as written. */
static bool reads_as_syllable(const char *word, legacy_enc_t enc, bool *changed)
{
	char *u = NULL;
	bool ok;

	*changed = false;
	if (legacy_to_unicode(word, enc, &u) < 0)
		return false;
	*changed = strcmp(u, word) != 0;
	ok = *changed && vn_syllable_valid(u);
	free(u);
	return ok;
}

static bool all_legacy(const char *word)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)word;

	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
		if (k <= 0 || legacy_byte(cp) < 0)
			return false;
		p += k;
	}
	return true;
}

static bool utf8_valid(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;

	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
		if (k <= 0)
			return false;
		p += k;
	}
	return true;
}

/* The evidence of one word that has a character beyond ASCII. */
static void score_word(legacy_score_t *s, const char *word)
{
	bool as_is, tcvn3, vni, tcvn3_changed, vni_changed;

	s->words++;
	if (!all_legacy(word)) {
		s->unicode++;
		return;
	}
	as_is = vn_syllable_valid(word);
	tcvn3 = reads_as_syllable(word, LEGACY_TCVN3, &tcvn3_changed);
	vni = reads_as_syllable(word, LEGACY_VNI, &vni_changed);
	if (as_is && !tcvn3 && !vni)
		s->unicode++;
	if (tcvn3 && !as_is && !vni)
		s->tcvn3++;
	if (vni && !as_is && !tcvn3)
		s->vni++;
	s->tcvn3_bad += tcvn3_changed && !tcvn3;
	s->vni_bad += vni_changed && !vni;
}

void legacy_score_add(legacy_score_t *s, const char *value)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)value;
	char word[64];

	if (!value || !utf8_valid(value))
		return;
	while (*p) {
		size_t n = 0;
		bool wide = false, whole = true;
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		/* one word: its characters up to the next separator */
		while ((k = utf8proc_iterate(p, -1, &cp)) > 0 && *p && !separator(cp)) {
			if (n + (size_t)k < sizeof word)
				memcpy(word + n, p, (size_t)k);
			else
				whole = false; /* longer than any syllable: garble or not Vietnamese */
			n += (size_t)k;
			wide |= cp >= 0x80;
			p += k;
		}
		if (n && wide && whole) {
			word[n] = '\0';
			score_word(s, word);
		} else if (n && wide) {
			s->words++;
		}
		if (*p && n == 0)
			p += k; /* the separator */
	}
}

static bool clearly(unsigned good, unsigned bad, unsigned unicode, unsigned other)
{
	unsigned long long g = good;

	return good >= LEGACY_MIN_WORDS && g >= 4ULL * unicode && g >= 4ULL * other && 2ULL * bad <= g;
}

legacy_enc_t legacy_score_verdict(const legacy_score_t *s)
{
	if (clearly(s->tcvn3, s->tcvn3_bad, s->unicode, s->vni))
		return LEGACY_TCVN3;
	if (clearly(s->vni, s->vni_bad, s->unicode, s->tcvn3))
		return LEGACY_VNI;
	return LEGACY_NONE;
}
