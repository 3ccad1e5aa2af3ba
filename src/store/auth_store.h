/*
 * auth_store.h - users, log-in sessions, API tokens and log-in throttling,
 * all kept in the database so that several servers share them.
 *
 * Secrets are never stored: a session id and an API token are random
 * strings shown once to their holder; the database keeps their SHA-256.
 * Passwords are kept as argon2id hashes (core/password.h).
 *
 * Every change here writes an audit row in its own transaction.
 */
#ifndef UB_AUTH_STORE_H
#define UB_AUTH_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/access.h"
#include "core/err.h"
#include "core/password.h"
#include "core/unit.h"
#include "store/db.h"

#define USERNAME_MAX 64
#define TOKEN_NAME_MAX 100 /* characters */
#define SESSION_IDLE_SECONDS ((int64_t)30 * 60)
#define SESSION_ABSOLUTE_SECONDS ((int64_t)12 * 60 * 60)
#define THROTTLE_WINDOW_SECONDS ((int64_t)15 * 60)
/* Failed attempts within the window: on one account from one address (the
 * guesser is held back, the owner elsewhere is not), from one address on
 * any accounts, and on one account from anywhere (a guesser with many
 * addresses; high enough that locking someone out takes at least ten). */
#define THROTTLE_PER_PAIR 5
#define THROTTLE_PER_ADDRESS 30
#define THROTTLE_PER_ACCOUNT 50

/* users.disabled of an erased account (0 active, 1 disabled): it can never
 * be enabled again. */
#define USER_ERASED 2
#define USER_ERASED_TEXT "2"

typedef struct user {
	int64_t id;
	char username[USERNAME_MAX + 1];
	char display_name[UNIT_NAME_BUF];
	int64_t unit_id;
	char unit_code[UNIT_CODE_MAX + 1];
	char unit_name_vi[UNIT_NAME_BUF];
	unsigned roles;
	bool disabled;
	bool erased;       /* anonymised on request: disabled for good, no roles */
	bool must_change_password; /* an admin reset it: one-time until she changes it */
	int64_t created_at;
	int64_t person_id;  /* the member record that is hers (a member's own account), 0 for none */
	int64_t org_version; /* the tree's version as the row was read (store/org_store.h) */
} user_t;

typedef struct user_list {
	user_t *items;
	size_t n;
} user_list_t;

void user_list_free(user_list_t *l);

/* Checks a user name: 3..64 of a-z 0-9 . _ - (lower case). */
int username_check(const char *name, const char *field, err_t *e);

/* Creates a user at unit `unit_ref` (a code, resolved today) with roles and
 * password, linked to the member record person_id (0: none; see
 * user_update). who is recorded in the audit. ERR_CONFLICT code
 * "username_taken" for a name in use. */
int user_create(db_t *db, const principal_t *who, const char *username, const char *display_name,
		const char *unit_ref, unsigned roles, int64_t person_id, const char *password, user_t *out, err_t *e);

/* A user by name (any case); ERR_NOT_FOUND when none. hash (may be NULL)
 * receives the password hash. */
int user_by_name(db_t *db, const char *username, date_t today, user_t *out, char hash[PASSWORD_HASH_MAX], err_t *e);
int user_by_id(db_t *db, int64_t id, date_t today, user_t *out, err_t *e);

/* Users of the units in who's scope, by name. */
int users_list(db_t *db, const principal_t *who, user_list_t *out, err_t *e);

/* Disables (or enables) a user; disabling ends her sessions and tokens. */
int user_set_disabled(db_t *db, const principal_t *who, int64_t user_id, bool disabled, err_t *e);

/* Changes a user's display name (NULL: kept), unit (0: kept), roles (0:
 * kept) and member record (person_id NULL: kept; *person_id 0: none) in
 * one audited step (user.update, before and after); fills *out with her
 * as she is now. ERR_CONFLICT user_erased for an erased account;
 * ERR_INVALID with a detail for a display name that is not acceptable.
 * A member record is one of the registry, not erased (else 422 not_found
 * on person_id), and an account's at most (else 409 person_linked, with
 * the parameter person): her own account, through which a `member` sees
 * her record and card. Who may do it is the caller's business
 * (api/users.c), and so is the record's scope. */
int user_update(db_t *db, const principal_t *who, int64_t user_id, const char *display_name, int64_t unit_id,
		unsigned roles, const int64_t *person_id, user_t *out, err_t *e);

/* Resets a password to a one-time one, generated into password_out (shown
 * once, never stored): she must change it at her next log-in, and until
 * then her log-in reaches nothing else. Ends her sessions and revokes her
 * API tokens. Audited as
 * user.password_reset (without the password). ERR_CONFLICT user_erased
 * for an erased account. */
int user_reset_password(db_t *db, const principal_t *who, int64_t user_id, char password_out[17], err_t *e);

/* Sets a new password (hashes it) and clears must_change_password; ends her other sessions (all but
 * keep_session_hash, which may be NULL). */
int user_set_password(db_t *db, const principal_t *who, int64_t user_id, const char *password,
		      const char *keep_session_hash, err_t *e);

/* Replaces a stored hash made with older parameters (no audit row: the
 * password did not change). */
int user_rehash(db_t *db, int64_t user_id, const char *password, err_t *e);

/* Fills a principal for user u (roles, unit, scope). */
int principal_for_user(db_t *db, const user_t *u, const char *client_addr, date_t today, principal_t *out, err_t *e);

/* ---- sessions ---- */

/* Starts a session for user_id. id_out receives the secret for the cookie,
 * csrf_out the CSRF token. */
int session_create(db_t *db, int64_t user_id, const char *client_addr, char id_out[SECRET_TEXT_MAX],
		   char csrf_out[SECRET_TEXT_MAX], err_t *e);

/* The session of secret id, still within its idle and absolute limits at
 * `now`: fills user and csrf_out and touches it. ERR_UNAUTHORIZED code
 * "session_expired" or "unauthorized" when it is not valid. Its writes
 * (the touch, an expired session's row deleted) wait 50 ms at most for
 * the write lock, and are left when it does not come. */
int session_lookup(db_t *db, const char *id, int64_t now, date_t today, user_t *user, char csrf_out[SECRET_TEXT_MAX],
		   err_t *e);

int session_delete(db_t *db, const char *id, err_t *e);

/* The length of a session's public handle: the first hex digits of its
 * stored SHA-256, which names it without giving it away. */
#define SESSION_HANDLE_LEN 16

typedef struct user_session {
	char id[SESSION_HANDLE_LEN + 1];
	int64_t created_at, last_seen_at;
	char client_addr[64];
	bool current; /* the session of keep_hash given to sessions_list */
} user_session_t;

typedef struct session_list {
	user_session_t *items;
	size_t n;
} session_list_t;

void session_list_free(session_list_t *l);

/* The live sessions of user_id at `now` (within their idle and absolute
 * limits), newest first. current_hash (may be NULL) marks the caller's. */
int sessions_list(db_t *db, int64_t user_id, int64_t now, const char *current_hash, session_list_t *out, err_t *e);

/* Ends the session of user_id whose handle is `handle`; audited as
 * session.revoke. ERR_NOT_FOUND when she has none such. */
int session_revoke(db_t *db, const principal_t *who, int64_t user_id, const char *handle, err_t *e);

/* ---- API tokens ---- */

typedef struct api_token {
	int64_t id;
	int64_t user_id;
	char name[TOKEN_NAME_MAX * 4 + 1]; /* up to TOKEN_NAME_MAX characters */
	unsigned roles;
	int64_t created_at, expires_at, last_used_at, revoked_at; /* 0: none */
} api_token_t;

typedef struct token_list {
	api_token_t *items;
	size_t n;
} token_list_t;

void token_list_free(token_list_t *l);

/* Creates a token for user u with roles (a subset of hers) and an optional
 * expiry (0: none). secret_out receives the token, shown once. */
int token_create(db_t *db, const principal_t *who, const user_t *u, const char *name, unsigned roles,
		 int64_t expires_at, char secret_out[SECRET_TEXT_MAX], api_token_t *out, err_t *e);

/* The user and token of a secret; ERR_UNAUTHORIZED when unknown, revoked,
 * expired or the user is disabled. */
int token_lookup(db_t *db, const char *secret, int64_t now, date_t today, user_t *user, api_token_t *tok, err_t *e);

int tokens_list(db_t *db, int64_t user_id, token_list_t *out, err_t *e);

/* Revokes token id of user_id; ERR_NOT_FOUND when she has none such. */
int token_revoke(db_t *db, const principal_t *who, int64_t user_id, int64_t token_id, err_t *e);

/* ---- throttling of failed log-ins ---- */

/* How many failures `key` had since now - THROTTLE_WINDOW_SECONDS, and the
 * seconds until the oldest of them leaves the window. */
int throttle_count(db_t *db, const char *key, int64_t now, int64_t *n, int64_t *retry_after, err_t *e);

/* Records one failure of key at now, for throttle_count (a counter of
 * its own, like "verify:ADDR" for the cards shown that were not ours);
 * the log-ins' claims clear the rows that left the window. One
 * transaction (or the caller's). */
int throttle_note(db_t *db, const char *key, int64_t now, err_t *e);

/* One attempt's claim: the random id its failure rows carry. */
typedef struct throttle_claim {
	char id[SECRET_TEXT_MAX];
	char account[USERNAME_MAX * 4 + 8];
	char addr[64];
} throttle_claim_t;

/* Claims one attempt on `account` from `addr` before a password is checked,
 * against THROTTLE_PER_PAIR, THROTTLE_PER_ADDRESS and THROTTLE_PER_ACCOUNT:
 * the counts and the new failure rows are one transaction under the write
 * lock, so parallel attempts cannot all pass. Over a limit: ERR_TOO_MANY
 * with *retry_after seconds, nothing recorded. Fills *claim. */
int throttle_claim(db_t *db, const char *account, const char *addr, int64_t now, throttle_claim_t *claim,
		   int64_t *retry_after, err_t *e);

/* A right password: takes back the rows of this claim (no other attempt's)
 * and the account's failures from this address. */
int throttle_release(db_t *db, const throttle_claim_t *claim, err_t *e);

#endif
