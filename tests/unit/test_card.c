/* Unit tests of core/card: the membership card's token (its size, its
 * strict reading, every tampering refused) and "member since". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/card.h"

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static unsigned char g_seed[CARD_SEED_BYTES], g_pk[CARD_PUBLIC_BYTES];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	card_key_new(g_seed, g_pk);
	return 0;
}

static void make(int64_t key, int64_t stay, char out[CARD_TOKEN_BUF])
{
	card_claim_t c = { key, stay };
	err_t e;

	err_clear(&e);
	assert_int_equal(card_token_sign(&c, g_seed, out, &e), 0);
}

static bool verifies(const char *text, const unsigned char pk[CARD_PUBLIC_BYTES])
{
	card_token_t t;
	return card_token_parse(text, &t) == 0 && card_token_verify(&t, pk);
}

static void a_token_reads_back_and_verifies(void **state)
{
	char text[CARD_TOKEN_BUF];
	card_token_t t;

	(void)state;
	make(3, 1234567, text);
	assert_int_equal(card_token_parse(text, &t), 0);
	assert_int_equal(t.claim.key_id, 3);
	assert_int_equal(t.claim.stay_id, 1234567);
	assert_true(card_token_verify(&t, g_pk));
	/* base64url: nothing a URL path would need to escape */
	assert_int_equal(strspn(text, B64URL), strlen(text));
}

static void its_length_grows_with_the_ids(void **state)
{
	/* 1 + 1 + n + 64 bytes as base64url without padding */
	static const struct { int64_t key, stay; size_t len; } cases[] = {
		{ 1, 1, 90 },                 /* 67 bytes */
		{ 1, 16383, 91 },             /* 2 bytes of stay id */
		{ 1, 2097151, 92 },           /* 2^21 - 1: 3 bytes */
		{ 1, 20000000, 94 },          /* 20 million: 4 bytes */
		{ 127, 268435455, 94 },       /* 2^28 - 1 */
		{ 128, 268435456, 96 },          /* 2 + 5 bytes of ids */
		{ INT64_MAX, INT64_MAX, CARD_TOKEN_MAX },
	};
	char text[CARD_TOKEN_BUF];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make(cases[i].key, cases[i].stay, text);
		assert_int_equal(strlen(text), cases[i].len);
		assert_true(verifies(text, g_pk));
	}
}

static void every_character_changed_fails(void **state)
{
	char text[CARD_TOKEN_BUF], bad[CARD_TOKEN_BUF];
	size_t len;

	(void)state;
	make(2, 987654, text);
	len = strlen(text);
	for (size_t i = 0; i < len; i++) {
		for (const char *c = B64URL; *c; c++) {
			if (*c == text[i])
				continue;
			memcpy(bad, text, len + 1);
			bad[i] = *c;
			assert_false(verifies(bad, g_pk));
		}
	}
}

static void every_byte_flipped_fails(void **state)
{
	unsigned char bytes[CARD_TOKEN_BYTES_MAX], copy[CARD_TOKEN_BYTES_MAX];
	char text[CARD_TOKEN_BUF], bad[CARD_TOKEN_BUF * 2];
	size_t n = 0;

	(void)state;
	make(5, 4242, text);
	assert_int_equal(sodium_base642bin(bytes, sizeof(bytes), text, strlen(text), NULL, &n, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	for (size_t i = 0; i < n; i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(copy, bytes, n);
			copy[i] ^= (unsigned char)(1u << bit);
			sodium_bin2base64(bad, sizeof(bad), copy, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			assert_false(verifies(bad, g_pk));
		}
	}
	/* a byte added or taken away */
	sodium_bin2base64(bad, sizeof(bad), bytes, n - 1, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_false(verifies(bad, g_pk));
	bytes[n] = 0;
	sodium_bin2base64(bad, sizeof(bad), bytes, n + 1, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_false(verifies(bad, g_pk));
}

static void another_key_or_a_forged_claim_fails(void **state)
{
	unsigned char seed2[CARD_SEED_BYTES], pk2[CARD_PUBLIC_BYTES];
	char text[CARD_TOKEN_BUF], other[CARD_TOKEN_BUF];
	card_token_t t, u;

	(void)state;
	card_key_new(seed2, pk2);
	make(1, 100, text);
	assert_true(verifies(text, g_pk));
	assert_false(verifies(text, pk2));
	/* the signature of one stay's card under another stay's claim */
	make(1, 101, other);
	assert_int_equal(card_token_parse(text, &t), 0);
	assert_int_equal(card_token_parse(other, &u), 0);
	memcpy(u.sig, t.sig, sizeof(t.sig));
	assert_false(card_token_verify(&u, g_pk));
}

static void only_the_strict_form_is_read(void **state)
{
	char text[CARD_TOKEN_BUF], bad[CARD_TOKEN_BUF + 8];
	unsigned char bytes[CARD_TOKEN_BYTES_MAX + 4];
	size_t n = 0;
	card_token_t t;

	(void)state;
	make(1, 300, text);
	assert_int_equal(card_token_parse("", &t), -1);
	/* padding, another alphabet, a space, one character too many */
	snprintf(bad, sizeof(bad), "%s=", text);
	assert_int_equal(card_token_parse(bad, &t), -1);
	memcpy(bad, text, strlen(text) + 1);
	bad[3] = '+';
	assert_int_equal(card_token_parse(bad, &t), -1);
	bad[3] = ' ';
	assert_int_equal(card_token_parse(bad, &t), -1);
	memset(bad, 'A', CARD_TOKEN_MAX + 1);
	bad[CARD_TOKEN_MAX + 1] = '\0';
	assert_int_equal(card_token_parse(bad, &t), -1);
	/* the stay id 300 written with a needless zero group: 0xac 0x82 0x00 */
	assert_int_equal(sodium_base642bin(bytes, sizeof(bytes), text, strlen(text), NULL, &n, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	assert_int_equal(bytes[2], 0xac);
	assert_int_equal(bytes[3], 0x02);
	memmove(bytes + 5, bytes + 4, n - 4);
	bytes[3] = 0x82;
	bytes[4] = 0x00;
	sodium_bin2base64(bad, sizeof(bad), bytes, n + 1, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(card_token_parse(bad, &t), -1);
	/* another version */
	assert_int_equal(sodium_base642bin(bytes, sizeof(bytes), text, strlen(text), NULL, &n, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	bytes[0] = CARD_VERSION + 1;
	sodium_bin2base64(bad, sizeof(bad), bytes, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(card_token_parse(bad, &t), -1);
}

static void a_claim_names_two_positive_ids(void **state)
{
	char text[CARD_TOKEN_BUF];
	card_claim_t c = { 0, 5 };
	err_t e;

	(void)state;
	err_clear(&e);
	assert_int_equal(card_token_sign(&c, g_seed, text, &e), -1);
	c.key_id = 1;
	c.stay_id = -1;
	err_clear(&e);
	assert_int_equal(card_token_sign(&c, g_seed, text, &e), -1);
}

static void the_public_key_follows_from_the_seed(void **state)
{
	unsigned char pk[CARD_PUBLIC_BYTES];

	(void)state;
	card_key_public(g_seed, pk);
	assert_memory_equal(pk, g_pk, sizeof(pk));
}

static void member_since_follows_transfers_not_gaps(void **state)
{
	date_t d1, d2, d3, d4, d5;
	card_span_t stays[4];

	(void)state;
	assert_int_equal(date_parse("2015-03-01", &d1), 0);
	assert_int_equal(date_parse("2019-06-01", &d2), 0); /* transferred */
	assert_int_equal(date_parse("2021-01-01", &d3), 0); /* left */
	assert_int_equal(date_parse("2023-09-01", &d4), 0); /* re-joined */
	assert_int_equal(date_parse("2025-07-01", &d5), 0); /* transferred */
	stays[0] = (card_span_t){ d1, d2 };
	stays[1] = (card_span_t){ d2, d3 };
	stays[2] = (card_span_t){ d4, d5 };
	stays[3] = (card_span_t){ d5, DATE_OPEN };
	assert_int_equal(card_member_since(stays, 4, 3), d4);
	assert_int_equal(card_member_since(stays, 4, 2), d4);
	assert_int_equal(card_member_since(stays, 4, 1), d1);
	assert_int_equal(card_member_since(stays, 4, 0), d1);
	assert_int_equal(card_member_since(stays, 4, 4), 0);
	assert_int_equal(card_member_since(stays, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_token_reads_back_and_verifies),
		cmocka_unit_test(its_length_grows_with_the_ids),
		cmocka_unit_test(every_character_changed_fails),
		cmocka_unit_test(every_byte_flipped_fails),
		cmocka_unit_test(another_key_or_a_forged_claim_fails),
		cmocka_unit_test(only_the_strict_form_is_read),
		cmocka_unit_test(a_claim_names_two_positive_ids),
		cmocka_unit_test(the_public_key_follows_from_the_seed),
		cmocka_unit_test(member_since_follows_transfers_not_gaps),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
