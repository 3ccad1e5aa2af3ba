/*
 * legacy_vn.h - Vietnamese typed in the legacy 8-bit font encodings TCVN3
 * (ABC: fonts .VnTime, .VnArial ...) and VNI (VNI-Windows: fonts VNI-Times
 * ...): telling them apart from Unicode, and converting them to Unicode NFC.
 *
 * Old member lists were typed in Excel with such fonts: the file holds the
 * font's byte for each letter, which a Unicode font shows as Western
 * characters ("Nguyễn" is "NguyÔn" in TCVN3, "Nguyeãn" in VNI). An XLSX
 * cell holds the Windows-1252 (CP1252) character of each byte; a CSV saved
 * as "ANSI" holds the bytes, which io/'s CSV reader decodes as CP1252
 * (legacy_cp1252_to_utf8). So every function here takes UTF-8 text in
 * which each legacy byte became one CP1252 character. The Latin-1 reading
 * (U+0080..U+009F for the bytes 0x80..0x9F), which some converters produce,
 * is accepted too.
 *
 * The encodings:
 * - TCVN3 is the VN3 subset of TCVN 5712:1993: one byte per letter, lower
 *   case only, but for the seven capitals Ă Â Ê Ô Ơ Ư Đ (0xA1..0xA7). The
 *   other capitals were typed with the capital fonts (.VnTimeH), which
 *   draw the lower-case codes as capitals: the bytes cannot tell. A
 *   letter from a lower-case code is converted to lower case, except where
 *   the text looks typed in a capital font: in a word whose ASCII letters
 *   are all capitals, two at least ("THÞ" -> "THỊ", but "ThÞ" -> "Thị",
 *   "Hå" -> "Hồ"), and in every word of a value whose ASCII letters are
 *   all capitals, two at least ("L£ THÞ Mü" -> "LÊ THỊ MỸ"). A capital
 *   alone among lower case ("¸nh" for "Ánh") comes back in lower case
 *   ("ánh"). Bytes VN3 does not use (0x80..0xA0,
 *   0xAF, 0xB0..0xB4, 0xBA, 0xBF..0xC5, 0xCD, 0xD9..0xDB, 0xE0, 0xF0, 0xFF)
 *   are kept as their CP1252 characters: the full TCVN 5712 (VN1) puts
 *   more capitals there, but the ABC fonts do not, and reading them as
 *   letters would turn a genuine "’" or "°" into one.
 * - VNI-Windows writes a vowel as its ASCII letter followed by one byte
 *   for its marks (tone, or circumflex/breve with or without tone: "aù"
 *   á, "aâ" â, "aá" ấ, "aê" ă, "aé" ắ), capitals with the upper-case
 *   mark bytes ("AÙ" Á); ơ ư đ, the i with a tone and ỵ have bytes of
 *   their own ("ô" ơ, "ö" ư, "ñ" đ, "í ì æ ó ò" í ì ỉ ĩ ị, "î" ỵ), and ơ,
 *   ư take a tone byte after them ("öù" ứ). A mark byte of either case is
 *   accepted after a letter of either case ("Aù" Á), as typists mixed the
 *   fonts' cases; a mark byte that fits no letter before it is kept as its
 *   CP1252 character.
 *
 * Sources of the tables (each checked against the others, and against the
 * test's own copy, tests/unit/test_legacy_vn.c, taken from a third):
 * - Unikey's converter tables: unikey/data.cpp in github.com/fcitx/
 *   fcitx5-unikey (Pham Kim Long's vnconv, "TCVN3" in SingleByteTables,
 *   "VNI-WIN" in DoubleByteTables), commit 6ea3b37.
 * - glibc's iconv TCVN5712-1 (iconvdata/tcvn5712-1.c): every byte
 *   0xA1..0xFE that TCVN3 uses decodes to the same letter.
 * - xvnkb (github.com/lamdao/xvnkb, Dao Hai Lam), tcvn.h (lower case) and
 *   vni.h, commit 00463256.
 * - the npm package vietnamese-conversion (github.com/duydev/
 *   vietnamese-conversion, src/charsets.ts): agrees for TCVN3 lower case
 *   and VNI, but for ỷ ỹ Ỷ Ỹ in its latest version ("ë ì Ë Ì", which are
 *   ặ-like and ì bytes of VNI; its earlier dist/charsets.js has "yû yõ" as
 *   the others do). Its TCVN3 capitals ("A¸" for Á) are its own device.
 *
 * Detection is per column: legacy_score_add looks at each word of a value
 * that has a character beyond ASCII, reads it as it stands and in each
 * encoding, and asks core/vn_syllable.h whether each reading is a
 * Vietnamese syllable; legacy_score_verdict names an encoding only when
 * its readings are syllables where the text as it stands is not, clearly
 * more often than the other way round. Text with any character no legacy
 * byte gives ("ễ", "ư", "đ": genuine Unicode Vietnamese) counts against
 * both encodings. Plain ASCII, numbers and dates give no evidence at all.
 *
 * Ownership: every char ** out parameter receives a string allocated with
 * malloc that the caller frees with free(); it is NULL when the function
 * fails.
 */
#ifndef UB_LEGACY_VN_H
#define UB_LEGACY_VN_H

#include <stddef.h>

typedef enum legacy_enc { LEGACY_NONE = 0, LEGACY_TCVN3, LEGACY_VNI } legacy_enc_t;

/* "tcvn3", "vni"; NULL for LEGACY_NONE or anything else. */
const char *legacy_enc_name(legacy_enc_t enc);

/* Parses "tcvn3" / "vni" (ASCII case ignored); -1 for anything else. */
int legacy_enc_parse(const char *name, legacy_enc_t *out);

/* UTF-8 `in`, legacy bytes seen as CP1252 (or Latin-1) characters, read in
 * encoding `enc` and converted to Unicode NFC. Characters that are not
 * letters in `enc` are kept. Returns 0, or -1 when in is not UTF-8, holds
 * a character that cannot be a legacy byte (beyond CP1252: "ễ", "“" is
 * fine), enc is not TCVN3 or VNI, or memory runs out. */
int legacy_to_unicode(const char *in, legacy_enc_t enc, char **out);

/* The inverse, for tests and for writing fixtures: UTF-8 `in` written in
 * `enc`, each byte as its CP1252 character. Upper-case letters TCVN3 has no
 * code for are written with the lower-case code (what a .VnTimeH typist
 * stored). Returns 0, or -1 when in is not UTF-8, holds a character the
 * encoding cannot write (a CP1252 character whose byte is one of its
 * letters, anything beyond CP1252 but Vietnamese letters), or memory runs
 * out. */
int legacy_from_unicode(const char *in, legacy_enc_t enc, char **out);

/*
 * Evidence from the values of one column, summed by legacy_score_add (start
 * from a zeroed struct). Counts are of words (maximal runs between white
 * space, ASCII punctuation and digits) that have a character beyond ASCII:
 *   words       all such words
 *   unicode     words only Unicode explains: a character no legacy byte
 *               gives, or a syllable as written that neither legacy reading
 *               makes one
 *   tcvn3, vni  words the encoding's reading turns into a syllable when
 *               they are not one as written
 *   tcvn3_bad,  words the encoding's reading changes into something that is
 *   vni_bad     not a syllable
 * Words that are syllables in more than one reading count for none.
 */
typedef struct legacy_score {
	unsigned words, unicode;
	unsigned tcvn3, tcvn3_bad;
	unsigned vni, vni_bad;
} legacy_score_t;

/* Adds the evidence of one value (UTF-8; NULL, empty or invalid UTF-8 adds
 * nothing). */
void legacy_score_add(legacy_score_t *s, const char *value);

/* The encoding the evidence points to, or LEGACY_NONE unless it is clear:
 * at least LEGACY_MIN_WORDS words for it, four times as many as for
 * Unicode and for the other encoding, and at most one changed word in
 * three that does not read as a syllable. */
#define LEGACY_MIN_WORDS 2
legacy_enc_t legacy_score_verdict(const legacy_score_t *s);

/* `len` bytes decoded as Windows-1252 into UTF-8 (*out NUL-terminated).
 * The five bytes CP1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D)
 * become U+0081 etc., as Windows decodes them. Returns 0, or -1 when the
 * bytes hold a NUL or memory runs out. */
int legacy_cp1252_to_utf8(const char *bytes, size_t len, char **out);

#endif
