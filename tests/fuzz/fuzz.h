/*
 * fuzz.h - what every libFuzzer target here shares (see README.md).
 *
 * A target is a program built with clang -fsanitize=fuzzer,address,undefined
 * (meson -Dfuzz=true, scripts/fuzz.sh): libFuzzer calls
 * LLVMFuzzerTestOneInput with each input; AddressSanitizer and
 * UndefinedBehaviorSanitizer catch memory and arithmetic errors, and
 * FUZZ_CHECK the properties the target states (it aborts, which libFuzzer
 * reports as a crash and saves the input).
 *
 * Ownership: fuzz_cstr returns a malloc'd copy that the caller frees.
 */
#ifndef UB_FUZZ_H
#define UB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                            \
	do {                                                                                        \
		if (!(cond)) {                                                                      \
			fprintf(stderr, "%s:%d: property does not hold: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                    \
		}                                                                                   \
	} while (0)

/* data[0..size) as a NUL-terminated string (cut at its first NUL), or
 * NULL when memory runs out. Defined in fuzz_common.c. */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* Fails unless every string of e (code, message, parameters, details) is
 * strict UTF-8 inside its array: what the server writes as JSON. Defined in
 * fuzz_common.c. */
void fuzz_check_err(const err_t *e);

#endif
