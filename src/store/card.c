/*
 * card.c - card keys, a member's card and the check of a card (see card.h).
 *
 * A key is kept as two hex texts: the seed of its Ed25519 secret key (32
 * bytes; libsodium derives the 64-byte secret key from it) and its public
 * key. Times are Unix seconds, like the other times that are compared.
 */
#include "store/card.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"
#include "store/org_internal.h"
#include "store/org_store.h"
#include "store/query.h"
#include "store/util.h"

#define KEY_COLS "id, public_key, secret_key, created_at, coalesce(retired_at, 0)"

static int hex_to(const char *hex, unsigned char *out, size_t len)
{
	size_t n = 0;

	return strlen(hex) == 2 * len && sodium_hex2bin(out, len, hex, 2 * len, NULL, &n, NULL) == 0 && n == len ? 0 : -1;
}

/* A KEY_COLS row into k. */
static int read_key(db_stmt_t *st, card_key_t *k, err_t *e)
{
	memset(k, 0, sizeof(*k));
	k->id = db_col_int64(st, 0);
	k->created_at = db_col_int64(st, 3);
	k->retired_at = db_col_int64(st, 4);
	if (hex_to(db_col_text(st, 1), k->pk, sizeof(k->pk)) || hex_to(db_col_text(st, 2), k->seed, sizeof(k->seed))) {
		sodium_memzero(k, sizeof(*k));
		return err_fail(e, ERR_INTERNAL, NULL, "card key {id} is damaged in the database", ERR_INT("id", k->id));
	}
	return 0;
}

/* The newest key not retired into *k; *found false when there is none. */
static int key_newest(db_t *db, card_key_t *k, bool *found, err_t *e)
{
	db_stmt_t *st = NULL;
	int rc, r = 0;

	*found = false;
	if (store_prep(db, "SELECT " KEY_COLS " FROM card_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1", &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		r = read_key(st, k, e);
		*found = r == 0;
	}
	db_finalize(st);
	return rc < 0 ? store_fail(db, rc, e) : r;
}

/* Inserts a new random key into *k (id and times set). */
static int key_insert(db_t *db, card_key_t *k, err_t *e)
{
	char pk_hex[2 * CARD_PUBLIC_BYTES + 1], seed_hex[2 * CARD_SEED_BYTES + 1];
	db_stmt_t *st = NULL;
	int rc;

	memset(k, 0, sizeof(*k));
	card_key_new(k->seed, k->pk);
	k->created_at = (int64_t)time(NULL);
	sodium_bin2hex(pk_hex, sizeof(pk_hex), k->pk, sizeof(k->pk));
	sodium_bin2hex(seed_hex, sizeof(seed_hex), k->seed, sizeof(k->seed));
	if (store_prep(db, "INSERT INTO card_keys (public_key, secret_key, created_at) VALUES (?, ?, ?) RETURNING id", &st,
		       e)) {
		sodium_memzero(seed_hex, sizeof(seed_hex));
		return -1;
	}
	rc = db_bind_text(st, 1, pk_hex);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, seed_hex);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 3, k->created_at);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		k->id = db_col_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	sodium_memzero(seed_hex, sizeof(seed_hex));
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* The audit row of a key made (action card_key.create or .rotate): after
 * holds its id and public key, never the secret; before the ids retired. */
static int audit_key(db_t *db, const principal_t *who, const char *action, const card_key_t *k, json_t *retired,
		     err_t *e)
{
	char pk_hex[2 * CARD_PUBLIC_BYTES + 1], id[24];
	char *before = NULL, *after;
	json_t *a;
	int r;

	sodium_bin2hex(pk_hex, sizeof(pk_hex), k->pk, sizeof(k->pk));
	snprintf(id, sizeof(id), "%lld", (long long)k->id);
	a = json_pack("{s:I, s:s}", "id", (json_int_t)k->id, "public_key", pk_hex);
	after = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(a);
	if (retired) {
		json_t *b = json_pack("{s:O}", "retired", retired);
		before = b ? json_dumps(b, JSON_COMPACT) : NULL;
		json_decref(b);
	}
	if (!after || (retired && !before)) {
		free(after);
		free(before);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	r = audit_write(db, who, action, who->unit_id, "card_key", id, before, after, "", e);
	free(after);
	free(before);
	return r;
}

int card_key_current(db_t *db, const principal_t *who, card_key_t *out, err_t *e)
{
	bool found = false, own;
	int r;

	/* the usual case, read only: a key exists */
	if (key_newest(db, out, &found, e))
		return -1;
	if (found)
		return 0;
	/* the first card of the deployment: made under the writers' lock, so
	 * that two servers asking at once make one key */
	if (store_tx_begin(db, &own, e))
		return -1;
	r = key_newest(db, out, &found, e);
	if (!r && !found) {
		r = key_insert(db, out, e);
		if (!r)
			r = audit_key(db, who, "card_key.create", out, NULL, e);
	}
	if (store_tx_end(db, own, r, e)) {
		sodium_memzero(out, sizeof(*out));
		return -1;
	}
	return 0;
}

int card_key_rotate(db_t *db, const principal_t *who, card_key_t *out, int64_t *retired, err_t *e)
{
	json_t *ids = json_array();
	db_stmt_t *st = NULL;
	bool own;
	int r, rc;

	*retired = 0;
	if (!ids)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	if (store_tx_begin(db, &own, e)) {
		json_decref(ids);
		return -1;
	}
	r = store_prep(db, "SELECT id FROM card_keys WHERE retired_at IS NULL ORDER BY id", &st, e);
	if (!r) {
		while ((rc = db_step(st)) == DB_ROW)
			json_array_append_new(ids, json_integer((json_int_t)db_col_int64(st, 0)));
		db_finalize(st);
		if (rc < 0)
			r = store_fail(db, rc, e);
	}
	if (!r)
		r = key_insert(db, out, e);
	if (!r && !(r = store_prep(db, "UPDATE card_keys SET retired_at = ? WHERE retired_at IS NULL AND id <> ?", &st, e))) {
		rc = db_bind_int64(st, 1, out->created_at);
		if (rc == DB_OK)
			rc = db_bind_int64(st, 2, out->id);
		if (rc == DB_OK && (rc = db_step(st)) == DB_DONE)
			rc = DB_OK;
		db_finalize(st);
		if (rc != DB_OK)
			r = store_fail(db, rc, e);
	}
	if (!r) {
		*retired = (int64_t)json_array_size(ids);
		r = audit_key(db, who, "card_key.rotate", out, ids, e);
	}
	json_decref(ids);
	if (store_tx_end(db, own, r, e)) {
		sodium_memzero(out, sizeof(*out));
		*retired = 0;
		return -1;
	}
	return 0;
}

int card_issue(db_t *db, const principal_t *who, int64_t person_id, member_card_t *out, err_t *e)
{
	membership_t *h = NULL;
	card_span_t *spans = NULL;
	size_t n = 0, cur = 0;
	card_key_t key;
	card_claim_t claim;
	member_t *m = malloc(sizeof(*m));
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (!m)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	if (member_get(db, person_id, who->today, m, e))
		goto out;
	if (!m->current) {
		err_fail(e, ERR_CONFLICT, "not_a_member", "she is not a member on {date}", ERR_DATE("date", who->today));
		goto out;
	}
	if (member_history(db, person_id, &h, &n, e))
		goto out;
	spans = malloc((n ? n : 1) * sizeof(*spans));
	if (!spans) {
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		spans[i] = (card_span_t){ h[i].valid_from, h[i].valid_to };
		if (h[i].id == m->m.id)
			cur = i;
	}
	if (card_key_current(db, who, &key, e))
		goto out;
	claim = (card_claim_t){ key.id, m->m.id };
	r = card_token_sign(&claim, key.seed, out->token, e);
	sodium_memzero(&key, sizeof(key));
	if (r)
		goto out;
	out->person_id = m->p.id;
	copy_text(out->full_name, sizeof(out->full_name), m->p.full_name);
	out->unit = m->m.unit;
	out->kind = m->m.kind;
	out->since = card_member_since(spans, n, cur);
	out->stay_id = m->m.id;
out:
	free(spans);
	free(h);
	free(m);
	return r;
}

int card_check(db_t *db, const char *token, date_t today, card_check_t *out, err_t *e)
{
	static const unsigned char ZERO_SEED[CARD_SEED_BYTES] = { 0 };
	unsigned char pk[CARD_PUBLIC_BYTES];
	bool parsed, found = false, retired = false, signed_ok, current = false;
	db_stmt_t *st = NULL;
	card_token_t t;
	int64_t unit_id = 0;
	query_t q;
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	parsed = card_token_parse(token, &t) == 0;
	/* the same work whatever is wrong: a key looked up (a stand-in when
	 * there is none), a signature checked, a stay looked up */
	card_key_public(ZERO_SEED, pk);
	if (store_prep(db, "SELECT public_key, coalesce(retired_at, 0) FROM card_keys WHERE id = ?", &st, e))
		return -1;
	rc = db_bind_int64(st, 1, parsed ? t.claim.key_id : 0);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		found = hex_to(db_col_text(st, 0), pk, sizeof(pk)) == 0;
		retired = db_col_int64(st, 1) != 0;
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	if (rc != DB_OK)
		return store_fail(db, rc, e);
	signed_ok = card_token_verify(&t, pk) && parsed && found;
	query_init(&q);
	query_add(&q, "SELECT m.unit_id FROM memberships m JOIN persons p ON p.id = m.person_id"
		      " WHERE m.id = ? AND m.valid_from <= ? AND m.valid_to > ? AND p.erased = 0",
		  QI(parsed ? t.claim.stay_id : 0), QD(today), QD(today));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		unit_id = db_col_int64(st, 0);
		current = true;
	}
	db_finalize(st);
	if (rc < 0)
		return store_fail(db, rc, e);
	out->forged = !signed_ok;
	out->valid = signed_ok && !retired && current;
	if (out->valid)
		r = org_unit_refs(db, &unit_id, &today, 1, &out->unit, e);
	if (r)
		memset(out, 0, sizeof(*out));
	return r;
}
