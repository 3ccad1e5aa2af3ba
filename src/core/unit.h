/*
 * unit.h - the organisation's units as the rest of the program sees them.
 *
 * A unit (the central union, a province, a commune, a branch, a group, or a
 * union base in an enterprise or agency) has an internal id that never
 * changes, a code that names it on any one date, names that change by
 * renaming, a level, a kind, attributes and a validity interval [valid_from,
 * valid_to). Its parent is recorded by interval in the store. Everything here
 * is plain data with fixed-size buffers: a unit_t owns no heap memory, so
 * copying one is safe and there is nothing to free.
 *
 * Field rules (lengths, allowed words) are checked by unit_spec_normalise
 * before anything reaches the store.
 */
#ifndef UB_UNIT_H
#define UB_UNIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"

#define UNIT_CODE_MAX 32          /* bytes */
#define UNIT_NAME_MAX 200         /* code points */
#define UNIT_NAME_BUF (UNIT_NAME_MAX * 4 + 1)
#define LEVEL_KEY_MAX 31
#define UNIT_KIND_MAX 15
#define UNIT_ATTRS_BUF 256
#define NOTE_MAX 500              /* code points */

typedef struct unit_ref {
	int64_t id;
	char code[UNIT_CODE_MAX + 1];
	char name_vi[UNIT_NAME_BUF];
	char name_en[UNIT_NAME_BUF];
} unit_ref_t;

typedef struct unit {
	int64_t id;
	char code[UNIT_CODE_MAX + 1];
	char name_vi[UNIT_NAME_BUF];     /* as of the date asked */
	char name_en[UNIT_NAME_BUF];
	char level[LEVEL_KEY_MAX + 1];
	int level_rank;                  /* 0 at the top; larger is lower */
	char kind[UNIT_KIND_MAX + 1];    /* territorial, enterprise, agency, network */
	char attributes[UNIT_ATTRS_BUF]; /* space-separated words, sorted */
	date_t valid_from;
	date_t valid_to;                 /* exclusive; DATE_OPEN while it exists */
	bool has_parent;                 /* as of the date asked */
	unit_ref_t parent;
	int64_t child_count;             /* as of the date asked */
} unit_t;

typedef struct level {
	char key[LEVEL_KEY_MAX + 1];
	int rank;
	char name_vi[64];
	char name_en[64];
} level_t;

/* What a caller asks for when it creates a unit (create, the new unit of a
 * merge, the parts of a split). Strings are NUL-terminated; empty means "not
 * given". */
typedef struct unit_spec {
	char code[UNIT_CODE_MAX + 1];
	char name_vi[UNIT_NAME_BUF];
	char name_en[UNIT_NAME_BUF];
	char level[LEVEL_KEY_MAX + 1];
	char kind[UNIT_KIND_MAX + 1];
	char attributes[UNIT_ATTRS_BUF];
	char parent[UNIT_CODE_MAX + 1];
} unit_spec_t;

/* Copies src into a fixed buffer of size cap. Returns 0, or -1 when it does
 * not fit (dst then holds a truncated copy). */
int ub_strlcpy(char *dst, const char *src, size_t cap);

/* Checks that code is 1..UNIT_CODE_MAX characters of A-Z a-z 0-9 . _ -
 * Returns 0, or -1 with an ERR_INVALID detail for `field`. */
int unit_code_check(const char *code, const char *field, err_t *e);

/* Checks and normalises a name in place: NFC, trimmed, 1..UNIT_NAME_MAX code
 * points, valid UTF-8. Returns 0, or -1 with a detail for `field`. */
int unit_name_normalise(char *name, size_t cap, const char *field, err_t *e);

/* True when kind is one of the four unit kinds. */
bool unit_kind_valid(const char *kind);

/* Normalises a space- or comma-separated attribute list in place (known
 * words only, sorted, no duplicates). Returns 0 or -1 with a detail. */
int unit_attributes_normalise(char *attrs, size_t cap, const char *field, err_t *e);

/* Checks every field of a spec (code, names, level key syntax, kind default
 * "territorial", attributes) and normalises it in place. prefix is put in
 * front of field names in details ("into." for a merge target). Collects
 * all problems; returns 0 or -1 with kind ERR_INVALID. */
int unit_spec_normalise(unit_spec_t *s, const char *prefix, err_t *e);

/* The words unit_attributes_normalise accepts, NULL-terminated. */
extern const char *const UNIT_ATTRIBUTES[];
extern const char *const UNIT_KINDS[];
/* The same lists as text, for messages and error parameters ("border,
 * city, ..."). */
extern const char UNIT_ATTRIBUTE_LIST[];
extern const char UNIT_KIND_LIST[];
#define UNIT_ATTRIBUTE_COUNT 9
/* The characters a unit code may hold, as error parameter "allowed". */
#define UNIT_CODE_CHARS "A-Z a-z 0-9 . _ -"

#endif
