/*
 * text.h - Vietnamese text: normalisation, search folding, sort keys.
 *
 * Vietnamese arrives in NFC (precomposed "ễ") and in NFD (e + circumflex +
 * tilde) depending on the keyboard and the operating system. We store NFC,
 * search on a folded form ("Nguyễn Thị Đào" -> "nguyen thi dao": case folded,
 * marks stripped, đ -> d, white space collapsed) and sort on a key that puts
 * the Vietnamese alphabet in its own order (a ă â b c d đ e ê ... o ô ơ ...
 * u ư ...) with tones as a second level within each word (ngang, huyền,
 * hỏi, ngã, sắc, nặng): word by word, as a dictionary orders syllables.
 * Built on utf8proc; no I/O.
 *
 * Ownership: every char ** out parameter receives a string allocated with
 * malloc that the caller frees with free().
 */
#ifndef UB_TEXT_H
#define UB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * UTF-8 here is strict (RFC 3629): the shortest form of a Unicode scalar
 * value, so no surrogates (U+D800..U+DFFF, CESU-8), no overlong forms
 * (C0 80, E0 80 80) and nothing above U+10FFFF (F4 90 80 80, F5..FF).
 * utf8proc_iterate decodes it; these are the only checks of UTF-8 in the
 * program (err.c's messages, the API's query strings and paths, JSON
 * strings through jansson's own check).
 */

/* True when s is valid UTF-8 without NUL or C0 control characters other
 * than tab, newline and carriage return, and without DEL. */
bool text_valid(const char *s);

/* True when s is valid UTF-8 (any code point but NUL). False for NULL. */
bool text_utf8(const char *s);

/* Bytes (1 to 4) of the valid UTF-8 character s starts with, or 0 when s
 * does not start with one or is empty. Reads no byte past a NUL. */
size_t text_utf8_char(const char *s);

/* Columns valid UTF-8 s takes on a terminal: utf8proc_charwidth of each
 * code point (combining marks 0, wide East Asian characters 2), so that
 * "Nguyễn" typed in NFD is 6 like its NFC form. For aligning text output. */
size_t text_width(const char *s);

/* True when s is valid text (text_valid) made only of letters that are
 * composed already and compose with nothing (ASCII, Latin-1, Latin
 * Extended-A, ơ ư and the Vietnamese block U+1EA0..U+1EF9): such text is
 * its own NFC. False leaves it open. */
bool text_composed(const char *s);

/* NFC form of s, with surrounding white space trimmed. Returns 0, or -1 when
 * s is not valid UTF-8 or memory runs out. */
int text_nfc(const char *s, char **out);

/* s in NFC with the first letter of each word in upper case ("trịnh
 * thị ngọc ánh" -> "Trịnh Thị Ngọc Ánh"), the rest as it was: a name
 * from a font that had no capital for its letter. Returns 0 or -1
 * (invalid UTF-8, no memory). */
int text_capitalise_words(const char *s, char **out);

/* Search form of s (see above). Returns 0 or -1 (invalid UTF-8, no memory). */
int text_fold(const char *s, char **out);

/* Vietnamese collation key of s: compare keys with strcmp (bytewise). Keys
 * are valid UTF-8 without NUL. Returns 0 or -1. */
int text_sort_key(const char *s, char **out);

/* Number of code points in valid UTF-8 s. */
size_t text_length(const char *s);

/* True when valid UTF-8 s holds nothing but white space (Unicode separators
 * and the ASCII blanks), or nothing at all. */
bool text_blank(const char *s);

/* Whether the n bytes of word begin a word of the len bytes of text, its
 * first or one after a space (SQL's (' ' || text) LIKE '% word%' without
 * the wildcards): what a name search asks of a folded name. */
bool text_word_begins(const char *text, size_t len, const char *word, size_t n);

/* The first invisible formatting character of valid UTF-8 s (Unicode
 * category Cf: right-to-left overrides and isolates, zero-width spaces and
 * joiners, the byte order mark, soft hyphens), which in a name would let it
 * pose as another or hide what it says; 0 when there is none. */
int32_t text_format_char(const char *s);

/* Writes "U+XXXX" for code point cp into buf (cap >= 12). */
void text_code_point_name(int32_t cp, char *buf, size_t cap);

#endif
