/*
 * card.h - the digital membership card in the store (docs/members.md, "The
 * membership card"; docs/security.md, "Card keys"): the server's signing
 * keys, a member's card, and the check of a card's token.
 *
 * The keys (Ed25519) live in the table card_keys, shared by every server
 * of a deployment: the first one is made when a card is first asked for,
 * and a rotation makes a new one and retires every older one, whose cards
 * then stop verifying. A card is the card of one stay (membership): it
 * verifies while that stay holds, so a transfer, leaving or death ends it
 * (the new stay needs a new card).
 *
 * Ownership: plain structs; nothing to free.
 */
#ifndef UB_STORE_CARD_H
#define UB_STORE_CARD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/access.h"
#include "core/card.h"
#include "core/err.h"
#include "core/person.h"
#include "core/unit.h"
#include "store/db.h"
#include "store/members.h"

typedef struct card_key {
	int64_t id;
	unsigned char seed[CARD_SEED_BYTES];  /* the secret */
	unsigned char pk[CARD_PUBLIC_BYTES];
	int64_t created_at;                   /* Unix seconds */
	int64_t retired_at;                   /* 0 while cards are signed with it */
} card_key_t;

/* The key cards are signed with now: the newest that is not retired. When
 * there is none, the first is made and audited (card_key.create, as who);
 * only then is a write transaction needed (the caller's, or one of its
 * own). Returns 0 or -1 with e. */
int card_key_current(db_t *db, const principal_t *who, card_key_t *out, err_t *e);

/* Makes a new key and retires every other one at once: the cards they
 * signed stop verifying. Audited as card_key.rotate (before: the ids of
 * the keys in use; after: the new key's id and public key). *retired
 * receives how many were retired. One transaction (or the caller's). */
int card_key_rotate(db_t *db, const principal_t *who, card_key_t *out, int64_t *retired, err_t *e);

/* What a member's card shows. */
typedef struct member_card {
	int64_t person_id;
	char full_name[PERSON_NAME_BUF];
	unit_ref_t unit;         /* her unit, as of today */
	member_kind_t kind;
	date_t since;            /* the first day of her continuous membership */
	int64_t stay_id;         /* the stay it is the card of */
	char token[CARD_TOKEN_BUF];
} member_card_t;

/* The card of person_id on who->today, signed with the current key (made
 * when there is none: see card_key_current). ERR_NOT_FOUND for no such
 * person (or an erased one); 409 not_a_member (date) when no stay of hers
 * holds today. Scope is the caller's business. */
int card_issue(db_t *db, const principal_t *who, int64_t person_id, member_card_t *out, err_t *e);

/* The answer to a card shown: valid, and the unit's names, or not. */
typedef struct card_check {
	bool valid;
	bool forged;             /* not a token, or a signature that fails (or an unknown key) */
	unit_ref_t unit;         /* her unit as of today, when valid; zero otherwise */
} card_check_t;

/* Checks token on day today: valid when it is well formed, its signature
 * is good under its key, that key is not retired, and the stay it names
 * holds today (for a person not erased). The same queries run whatever
 * fails, so the time taken says little about why. Returns 0 (the answer
 * in *out, valid or not) or -1 with e when the store fails. */
int card_check(db_t *db, const char *token, date_t today, card_check_t *out, err_t *e);

#endif
