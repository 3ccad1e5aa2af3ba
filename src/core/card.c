/*
 * card.c - the membership card's token (see card.h).
 */
#include "core/card.h"

#include <sodium.h>
#include <string.h>

#define CONTEXT_LEN (sizeof(CARD_CONTEXT) - 1)

void card_key_new(unsigned char seed[CARD_SEED_BYTES], unsigned char pk[CARD_PUBLIC_BYTES])
{
	randombytes_buf(seed, CARD_SEED_BYTES);
	card_key_public(seed, pk);
}

void card_key_public(const unsigned char seed[CARD_SEED_BYTES], unsigned char pk[CARD_PUBLIC_BYTES])
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES];

	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(sk, sizeof(sk));
}

/* Writes v (> 0) as unsigned LEB128 at out; returns the bytes written. */
static size_t varint_put(unsigned char *out, uint64_t v)
{
	size_t n = 0;

	do {
		unsigned char b = (unsigned char)(v & 0x7f);
		v >>= 7;
		out[n++] = (unsigned char)(b | (v ? 0x80 : 0));
	} while (v);
	return n;
}

/* Reads an unsigned LEB128 in its shortest form from in[*at..len) into a
 * positive *v. Returns 0, or -1 (cut short, too long, a needless trailing
 * zero group, zero, or beyond int64_t). */
static int varint_get(const unsigned char *in, size_t len, size_t *at, int64_t *v)
{
	uint64_t x = 0;
	size_t i = *at;

	for (unsigned shift = 0; shift < 7 * CARD_VARINT_MAX; shift += 7) {
		unsigned char b;
		if (i >= len)
			return -1;
		b = in[i++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			/* the shortest form: a last group of zero only for the number 0 */
			if ((b == 0 && shift > 0) || x == 0 || x > (uint64_t)INT64_MAX)
				return -1;
			*v = (int64_t)x;
			*at = i;
			return 0;
		}
	}
	return -1;
}

static size_t payload_put(const card_claim_t *c, unsigned char out[CARD_PAYLOAD_MAX])
{
	size_t n = 0;

	out[n++] = CARD_VERSION;
	n += varint_put(out + n, (uint64_t)c->key_id);
	n += varint_put(out + n, (uint64_t)c->stay_id);
	return n;
}

/* What is signed: the context, then the payload. */
static size_t signed_message(const unsigned char *payload, size_t len, unsigned char out[CONTEXT_LEN + CARD_PAYLOAD_MAX])
{
	memcpy(out, CARD_CONTEXT, CONTEXT_LEN);
	memcpy(out + CONTEXT_LEN, payload, len);
	return CONTEXT_LEN + len;
}

int card_token_sign(const card_claim_t *claim, const unsigned char seed[CARD_SEED_BYTES], char out[CARD_TOKEN_BUF],
		    err_t *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char bytes[CARD_TOKEN_BYTES_MAX], msg[CONTEXT_LEN + CARD_PAYLOAD_MAX];
	size_t n, m;

	out[0] = '\0';
	if (claim->key_id <= 0 || claim->stay_id <= 0)
		return err_fail(e, ERR_INTERNAL, NULL, "a card names a key and a membership");
	n = payload_put(claim, bytes);
	m = signed_message(bytes, n, msg);
	crypto_sign_seed_keypair(pk, sk, seed);
	crypto_sign_detached(bytes + n, NULL, msg, m, sk);
	sodium_memzero(sk, sizeof(sk));
	sodium_bin2base64(out, CARD_TOKEN_BUF, bytes, n + CARD_SIG_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int card_token_parse(const char *text, card_token_t *t)
{
	unsigned char bytes[CARD_TOKEN_BYTES_MAX];
	char again[CARD_TOKEN_BUF];
	size_t len = strnlen(text, CARD_TOKEN_MAX + 1), n = 0, at = 1;

	memset(t, 0, sizeof(*t));
	if (len == 0 || len > CARD_TOKEN_MAX ||
	    sodium_base642bin(bytes, sizeof(bytes), text, len, NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	/* one text per token: the unused bits of the last character are zero */
	sodium_bin2base64(again, sizeof(again), bytes, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (strcmp(again, text) != 0 || n < 1 + 2 + CARD_SIG_BYTES || bytes[0] != CARD_VERSION ||
	    varint_get(bytes, n - CARD_SIG_BYTES, &at, &t->claim.key_id) ||
	    varint_get(bytes, n - CARD_SIG_BYTES, &at, &t->claim.stay_id) || at != n - CARD_SIG_BYTES) {
		memset(t, 0, sizeof(*t));
		return -1;
	}
	memcpy(t->payload, bytes, at);
	t->payload_len = at;
	memcpy(t->sig, bytes + at, CARD_SIG_BYTES);
	return 0;
}

bool card_token_verify(const card_token_t *t, const unsigned char pk[CARD_PUBLIC_BYTES])
{
	unsigned char msg[CONTEXT_LEN + CARD_PAYLOAD_MAX];
	size_t m;

	if (t->payload_len == 0 || t->payload_len > CARD_PAYLOAD_MAX)
		return false;
	m = signed_message(t->payload, t->payload_len, msg);
	return crypto_sign_verify_detached(t->sig, msg, m, pk) == 0;
}

date_t card_member_since(const card_span_t *stays, size_t n, size_t cur)
{
	size_t i = cur;

	if (cur >= n)
		return 0;
	while (i > 0 && stays[i - 1].to == stays[i].from)
		i--;
	return stays[i].from;
}

bool card_base_ok(const char *url)
{
	static const char HOST[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]";
	static const char PATH[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~/-";
	size_t n = strnlen(url, CARD_BASE_MAX + 1), host;
	const char *p;

	if (n > CARD_BASE_MAX)
		return false;
	if (!strncmp(url, "https://", 8))
		p = url + 8;
	else if (!strncmp(url, "http://", 7))
		p = url + 7;
	else
		return false;
	host = strspn(p, HOST);
	if (host == 0)
		return false;
	p += host;
	return *p == '\0' || (*p == '/' && strspn(p, PATH) == strlen(p));
}
