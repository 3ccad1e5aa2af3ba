/*
 * text.h - Vietnamese text: normalisation, search folding, sort keys.
 *
 * Vietnamese arrives in NFC (precomposed "ễ") and in NFD (e + circumflex +
 * tilde) depending on the keyboard and the operating system. We store NFC,
 * search on a folded form ("Nguyễn Thị Đào" -> "nguyen thi dao": case folded,
 * marks stripped, đ -> d, white space collapsed) and sort on a key that puts
 * the Vietnamese alphabet in its own order (a ă â b c d đ e ê ... o ô ơ ...
 * u ư ...) with tones as a second level (ngang, huyền, hỏi, ngã, sắc, nặng).
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

/* True when s is valid UTF-8 without NUL or C0 control characters other
 * than tab, newline and carriage return. */
bool text_valid(const char *s);

/* True when s is valid UTF-8 (any code point but NUL). */
bool text_utf8(const char *s);

/* NFC form of s, with surrounding white space trimmed. Returns 0, or -1 when
 * s is not valid UTF-8 or memory runs out. */
int text_nfc(const char *s, char **out);

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

/* The first invisible formatting character of valid UTF-8 s (Unicode
 * category Cf: right-to-left overrides and isolates, zero-width spaces and
 * joiners, the byte order mark, soft hyphens), which in a name would let it
 * pose as another or hide what it says; 0 when there is none. */
int32_t text_format_char(const char *s);

/* Writes "U+XXXX" for code point cp into buf (cap >= 12). */
void text_code_point_name(int32_t cp, char *buf, size_t cap);

#endif
