/*
 * vn_syllable.h - is a word one well-formed Vietnamese syllable?
 *
 * Written Vietnamese is a string of syllables, each spelt as an onset
 * (b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x, or
 * none), a rhyme (an optional glide o/u, a vowel nucleus, an optional
 * final: c ch m n ng nh p t, or the glides i y o u) and at most one tone
 * mark. core/legacy_vn.c uses the check to tell text typed in a legacy
 * encoding (TCVN3, VNI) from Unicode: a garbled word is rarely a syllable,
 * the same word read in the right encoding nearly always is.
 *
 * The rhymes are those of the standard orthography as taught in Vietnamese
 * primary schools (Tiếng Việt 1, the "vần" tables), written out in
 * vn_syllable.c. The check is deliberately a little lenient: it does not
 * check where the tone mark sits ("hòa" and "hoà" both pass), nor c/k/q
 * and g/gh, ng/ngh spelling rules ("ke" passes like "ce"), so that any
 * spelling a typist of the 1990s used is accepted. It is strict on what
 * separates syllables from garble: one tone at most; the stop finals c,
 * ch, p, t only with the sắc or nặng tone (so a word without marks that
 * ends in one, "Viet", is not a syllable as written); letters outside the
 * Vietnamese alphabet (f j w z, other accented letters) refuse the word.
 *
 * Pure function of its input; no allocation, no I/O.
 */
#ifndef UB_VN_SYLLABLE_H
#define UB_VN_SYLLABLE_H

#include <stdbool.h>

/* Longest syllable checked, in letters ("nghiêng" has 7). */
#define VN_SYLLABLE_MAX 8

/* True when UTF-8 `word` (NFC or NFD, any case) is one Vietnamese syllable
 * as described above. False for NULL, the empty string, invalid UTF-8,
 * anything with a space, digit or punctuation in it. */
bool vn_syllable_valid(const char *word);

#endif
