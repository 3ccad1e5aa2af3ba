/*
 * card.h - the digital membership card's token (docs/members.md, "The
 * membership card"): what the card's QR code carries, signed with the
 * server's card key (Ed25519, libsodium crypto_sign_*), and the day her
 * membership began. Pure functions: the keys and the memberships they are
 * checked against live in the store (store/card.h).
 *
 * The token is base64url without padding of
 *
 *   version (1 byte, CARD_VERSION)
 *   key id   (unsigned LEB128, the shortest form)
 *   stay id  (unsigned LEB128, the shortest form: memberships.id)
 *   signature (64 bytes) over CARD_CONTEXT followed by the bytes above
 *
 * The stay names the person (memberships.person_id), so her id is not
 * carried: 5 characters fewer in the QR code. With a key id under 128 and
 * a stay id under 2^21 (2 million) the token is 92 characters; a stay id
 * under 2^28 (268 million) makes it 94. A signature cannot be cut shorter:
 * an Ed25519 signature is 64 bytes or it is nothing.
 *
 * A token is read strictly: one encoding per token (base64url as this
 * encoder writes it, the shortest integers), so changing any character
 * makes it a token that does not verify.
 *
 * Ownership: no heap; the caller's buffers.
 */
#ifndef UB_CARD_H
#define UB_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"

#define CARD_VERSION 1
#define CARD_CONTEXT "unionbase membership card"
#define CARD_SEED_BYTES 32       /* an Ed25519 secret key's seed (crypto_sign_SEEDBYTES) */
#define CARD_PUBLIC_BYTES 32     /* crypto_sign_PUBLICKEYBYTES */
#define CARD_SIG_BYTES 64        /* crypto_sign_BYTES */
#define CARD_VARINT_MAX 9        /* LEB128 of a positive int64_t */
#define CARD_PAYLOAD_MAX (1 + 2 * CARD_VARINT_MAX)
#define CARD_TOKEN_BYTES_MAX (CARD_PAYLOAD_MAX + CARD_SIG_BYTES)
/* base64url of the longest token (83 bytes), and the bound on what is read */
#define CARD_TOKEN_MAX 111
#define CARD_TOKEN_BUF (CARD_TOKEN_MAX + 1)

/* What a card says: which key signed it, and which stay (membership) it
 * is the card of. Both positive. */
typedef struct card_claim {
	int64_t key_id;
	int64_t stay_id;
} card_claim_t;

/* A token read (card_token_parse), its signature not yet checked. */
typedef struct card_token {
	card_claim_t claim;
	unsigned char payload[CARD_PAYLOAD_MAX]; /* version and the two integers, as sent */
	size_t payload_len;
	unsigned char sig[CARD_SIG_BYTES];
} card_token_t;

/* A new key: its seed (the secret) and public key, from libsodium's
 * random source (sodium_init must have run: password_init). */
void card_key_new(unsigned char seed[CARD_SEED_BYTES], unsigned char pk[CARD_PUBLIC_BYTES]);

/* The public key of a seed. */
void card_key_public(const unsigned char seed[CARD_SEED_BYTES], unsigned char pk[CARD_PUBLIC_BYTES]);

/* Signs claim with the key of seed into out (base64url, NUL-terminated).
 * Returns 0, or -1 with ERR_INTERNAL for a claim that is not two positive
 * ids. */
int card_token_sign(const card_claim_t *claim, const unsigned char seed[CARD_SEED_BYTES], char out[CARD_TOKEN_BUF],
		    err_t *e);

/* Reads text as a token of this version into *t: 0, or -1 when it is not
 * one (too long, not base64url as card_token_sign writes it, another
 * version, an integer not in its shortest form or not positive, bytes
 * left over). Nothing says which: a card is valid or it is not. */
int card_token_parse(const char *text, card_token_t *t);

/* True when t's signature is good under the public key pk. */
bool card_token_verify(const card_token_t *t, const unsigned char pk[CARD_PUBLIC_BYTES]);

/* The longest public address of a server that a card's URL starts with. */
#define CARD_BASE_MAX 200

/* True when url may begin a card's URL: http:// or https://, a host name
 * or address (and port), and optionally a path of letters, digits and
 * . _ ~ / - (a server behind a proxy under /hoi), at most CARD_BASE_MAX
 * bytes: nothing that would need escaping in a QR code or a page. */
bool card_base_ok(const char *url);

/* One stay of a membership history: [from, to), DATE_OPEN while it lasts. */
typedef struct card_span {
	date_t from, to;
} card_span_t;

/* "Member since": the first day of the continuous membership that
 * stays[cur] belongs to. stays[0..n) are a person's stays, oldest first;
 * a stay that begins the day the one before it ends (a transfer) continues
 * it, a gap (she left and re-joined) starts a new one. 0 when cur is not
 * below n. */
date_t card_member_since(const card_span_t *stays, size_t n, size_t cur);

#endif
