/*
 * unit.c - field rules for units (see unit.h).
 */
#include "core/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

const char *const UNIT_ATTRIBUTES[] = {
	"border", "city", "coastal", "ethnic_minority", "island", "mountain",
	"rural", "special_zone", "urban", NULL,
};

const char *const UNIT_KINDS[] = { "territorial", "enterprise", "agency", "network", NULL };

const char UNIT_ATTRIBUTE_LIST[] = "border, city, coastal, ethnic_minority, island, mountain, rural, special_zone, urban";
const char UNIT_KIND_LIST[] = "territorial, enterprise, agency, network";

int ub_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap == 0)
		return -1;
	if (n >= cap) {
		memcpy(dst, src, cap - 1);
		dst[cap - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int unit_code_check(const char *code, const char *field, err_t *e)
{
	size_t n = strlen(code);

	if (n == 0)
		return err_field(e, field, "required", "is required");
	if (n > UNIT_CODE_MAX)
		return err_field(e, field, "too_long", "is too long (at most {max} characters)", ERR_INT("max", UNIT_CODE_MAX));
	for (const char *p = code; *p; p++) {
		char c = *p;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return err_field(e, field, "bad_characters", "may contain only {allowed}",
					 ERR_STR("allowed", UNIT_CODE_CHARS));
	}
	return 0;
}

int unit_name_normalise(char *name, size_t cap, const char *field, err_t *e)
{
	char *nfc = NULL;
	int rc = -1;

	if (name[0] == '\0')
		return err_field(e, field, "required", "is required");
	if (text_nfc(name, &nfc) != 0)
		return err_field(e, field, "not_text", "must be text without control characters");
	if (nfc[0] == '\0')
		err_field(e, field, "required", "is required");
	else if (text_format_char(nfc)) {
		char cp[16];
		text_code_point_name(text_format_char(nfc), cp, sizeof(cp));
		err_field(e, field, "format_chars", "must not hold invisible formatting characters ({value})",
			  ERR_STR("value", cp));
	} else if (text_length(nfc) > UNIT_NAME_MAX)
		err_field(e, field, "too_long", "is too long (at most {max} characters)", ERR_INT("max", UNIT_NAME_MAX));
	else if (ub_strlcpy(name, nfc, cap) != 0)
		err_field(e, field, "too_many_bytes", "is too long (at most {max} bytes of UTF-8)", ERR_INT("max", cap - 1));
	else
		rc = 0;
	free(nfc);
	return rc;
}

bool unit_kind_valid(const char *kind)
{
	for (int i = 0; UNIT_KINDS[i]; i++)
		if (strcmp(kind, UNIT_KINDS[i]) == 0)
			return true;
	return false;
}

static int attribute_index(const char *word, size_t len)
{
	for (int i = 0; UNIT_ATTRIBUTES[i]; i++)
		if (strlen(UNIT_ATTRIBUTES[i]) == len && strncmp(UNIT_ATTRIBUTES[i], word, len) == 0)
			return i;
	return -1;
}

int unit_attributes_normalise(char *attrs, size_t cap, const char *field, err_t *e)
{
	bool seen[32] = {0};
	char out[UNIT_ATTRS_BUF] = "";
	const char *p = attrs;
	int rc = 0;

	while (*p) {
		size_t len;
		int idx;
		while (*p == ' ' || *p == ',')
			p++;
		len = strcspn(p, " ,");
		if (len == 0)
			break;
		idx = attribute_index(p, len);
		if (idx < 0) {
			char word[41];
			snprintf(word, sizeof(word), "%.*s", (int)(len > 40 ? 40 : len), p);
			rc = err_field(e, field, "not_one_of", "has an unknown word '{value}' (use {allowed})",
				       ERR_STR("value", word), ERR_STR("allowed", UNIT_ATTRIBUTE_LIST));
		}
		else
			seen[idx] = true;
		p += len;
	}
	if (rc)
		return rc;
	/* UNIT_ATTRIBUTES is sorted, so walking it yields a sorted list */
	for (int i = 0; UNIT_ATTRIBUTES[i]; i++) {
		size_t len = strlen(out);
		if (seen[i])
			snprintf(out + len, sizeof(out) - len, "%s%s", len ? " " : "", UNIT_ATTRIBUTES[i]);
	}
	if (ub_strlcpy(attrs, out, cap) != 0)
		return err_field(e, field, "too_many", "has too many words (at most {max})",
				 ERR_INT("max", UNIT_ATTRIBUTE_COUNT));
	return 0;
}

static int level_key_check(const char *key, const char *field, err_t *e)
{
	if (key[0] == '\0')
		return err_field(e, field, "required", "is required");
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return err_field(e, field, "bad_characters", "may contain only {allowed}", ERR_STR("allowed", "a-z _"));
	return 0;
}

int unit_spec_normalise(unit_spec_t *s, const char *prefix, err_t *e)
{
	char f[64];
	int bad = 0;

#define FIELD(name) (snprintf(f, sizeof(f), "%s%s", prefix, name), f)
	if (unit_code_check(s->code, FIELD("code"), e))
		bad = 1;
	if (unit_name_normalise(s->name_vi, sizeof(s->name_vi), FIELD("name_vi"), e))
		bad = 1;
	if (unit_name_normalise(s->name_en, sizeof(s->name_en), FIELD("name_en"), e))
		bad = 1;
	if (level_key_check(s->level, FIELD("level"), e))
		bad = 1;
	if (s->kind[0] == '\0')
		ub_strlcpy(s->kind, "territorial", sizeof(s->kind));
	else if (!unit_kind_valid(s->kind)) {
		err_field(e, FIELD("kind"), "not_one_of", "must be one of {allowed}", ERR_STR("value", s->kind),
			  ERR_STR("allowed", UNIT_KIND_LIST));
		bad = 1;
	}
	if (unit_attributes_normalise(s->attributes, sizeof(s->attributes), FIELD("attributes"), e))
		bad = 1;
	if (s->parent[0] && unit_code_check(s->parent, FIELD("parent"), e))
		bad = 1;
#undef FIELD
	if (bad)
		return err_fail(e, ERR_INVALID, "invalid", "the unit's fields are not valid");
	return 0;
}
