/*
 * fuzz_cursor.c - page cursors (org_cursor_decode, org_cursor_encode in
 * store/org_internal.h): a cursor comes back in a query string, so it is
 * outside input.
 *
 * Properties: decoding any text either fails with 400 bad_request or gives a
 * UTF-8 key that fits its buffer; what decodes encodes again and decodes to
 * the same key and id; a key (UTF-8, no 0x1f) and id that encode decode back
 * to themselves.
 */
#include <stdbool.h>

#include "core/text.h"
#include "fuzz.h"
#include "store/org_internal.h"

static void round_trip(const char *key, int64_t id)
{
	char cur[ORG_CURSOR_MAX * 2], back[ORG_CURSOR_MAX];
	int64_t id2 = 0;
	err_t e;

	err_clear(&e);
	if (org_cursor_encode(key, id, cur, sizeof(cur)) != 0)
		return;
	FUZZ_CHECK(org_cursor_decode(cur, back, sizeof(back), &id2, &e) == 0);
	FUZZ_CHECK(strcmp(back, key) == 0 && id2 == id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char key[ORG_CURSOR_MAX], small[8];
	int64_t id = 0;
	err_t e;

	if (!s)
		return 0;
	err_clear(&e);
	if (org_cursor_decode(s, key, sizeof(key), &id, &e) == 0) {
		FUZZ_CHECK(strlen(key) < sizeof(key) && text_utf8(key));
		round_trip(key, id);
	} else {
		FUZZ_CHECK(e.kind == ERR_BAD_REQUEST);
		fuzz_check_err(&e);
	}
	/* a key buffer too small for the key */
	err_clear(&e);
	if (org_cursor_decode(s, small, sizeof(small), &id, &e) == 0)
		FUZZ_CHECK(strlen(small) < sizeof(small));
	/* the input as a key, its length as an id */
	if (text_utf8(s) && !strchr(s, 0x1f))
		round_trip(s, (int64_t)size * 7919 - 1000);
	free(s);
	return 0;
}
