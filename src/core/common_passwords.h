/*
 * common_passwords.h - the list of the most common passwords, compiled in:
 * scripts/embed_list.py generates its definition at build time from
 * src/core/common_passwords.txt (the source, licence and rule are in that
 * file's header). Constant data in core/: no reading at run time, no
 * start-up step, and safe to read from any thread.
 */
#ifndef UB_COMMON_PASSWORDS_H
#define UB_COMMON_PASSWORDS_H

#include <stddef.h>

/* Lower-case ASCII words of at least 6 characters, sorted in strcmp order
 * (for bsearch), without duplicates. Static storage: never freed. */
extern const char *const COMMON_PASSWORDS[];
extern const size_t COMMON_PASSWORDS_N;

#endif
