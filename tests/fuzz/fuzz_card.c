/*
 * fuzz_card.c - membership cards as phones send them (GET /verify/{token},
 * public): core/card.h's token reader, and the public address a card's URL
 * starts with (card_base_ok).
 *
 * Properties: a token read has a version, two positive ids and a payload
 * within its bound, and is exactly the base64url of its payload and
 * signature (one text per token); it never verifies under a key made here
 * (nobody but the server signs); an address accepted holds only the
 * characters allowed and fits its bound.
 */
#include <sodium.h>
#include <stdbool.h>

#include "core/card.h"
#include "fuzz.h"

static unsigned char g_pk[CARD_PUBLIC_BYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv) // NOLINT(readability-non-const-parameter): libFuzzer's signature
{
	unsigned char seed[CARD_SEED_BYTES];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	card_key_new(seed, g_pk);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	unsigned char bytes[CARD_TOKEN_BYTES_MAX];
	char again[CARD_TOKEN_BUF];
	card_token_t t;

	if (!s)
		return 0;
	if (card_token_parse(s, &t) == 0) {
		FUZZ_CHECK(t.claim.key_id > 0 && t.claim.stay_id > 0);
		FUZZ_CHECK(t.payload_len >= 3 && t.payload_len <= CARD_PAYLOAD_MAX && t.payload[0] == CARD_VERSION);
		memcpy(bytes, t.payload, t.payload_len);
		memcpy(bytes + t.payload_len, t.sig, CARD_SIG_BYTES);
		sodium_bin2base64(again, sizeof(again), bytes, t.payload_len + CARD_SIG_BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		FUZZ_CHECK(strcmp(again, s) == 0);
		FUZZ_CHECK(!card_token_verify(&t, g_pk));
	} else {
		FUZZ_CHECK(t.claim.key_id == 0 && t.payload_len == 0);
	}
	if (card_base_ok(s)) {
		FUZZ_CHECK(strlen(s) <= CARD_BASE_MAX);
		FUZZ_CHECK(!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8));
		FUZZ_CHECK(strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_~/") == strlen(s));
	}
	free(s);
	return 0;
}
