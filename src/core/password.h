/*
 * password.h - password hashing with argon2id (libsodium) and the random
 * secrets of sessions and API tokens.
 *
 * Parameters: at least OWASP's minimum for argon2id (19 MiB of memory, 2
 * passes). At most PASSWORD_CONCURRENT hashes run at once in a process, so
 * that a burst of log-ins cannot exhaust memory; a caller that waits longer
 * than a few seconds for its turn gets ERR_UNAVAILABLE.
 */
#ifndef UB_PASSWORD_H
#define UB_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define PASSWORD_HASH_MAX 128   /* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN_LEN 10
#define PASSWORD_MAX_LEN 256
#define PASSWORD_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define PASSWORD_OPSLIMIT 2
#define PASSWORD_CONCURRENT 2
#define SECRET_TEXT_MAX 64      /* base64url of 32 random bytes, NUL included */

/* Initialises libsodium; call once at start-up. Returns 0 or -1. */
int password_init(void);

/* Checks a new password: its length in characters (code points:
 * PASSWORD_MIN_LEN..MAX; up to 4 bytes each), that it is more than white
 * space, and that it is not one of the most common passwords
 * (core/common_passwords.h), lower-cased (A-Z), nor one of them followed by
 * digits only. Returns 0, or -1 with one detail on `field`: too_short,
 * too_long, blank or common_password. */
int password_check_new(const char *pw, const char *field, err_t *e);

/* Hashes pw into out (PASSWORD_HASH_MAX bytes). Returns 0 or -1 with e. */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX], err_t *e);

/* 0 when pw matches hash; -1 with ERR_UNAUTHORIZED when not (or
 * ERR_UNAVAILABLE when no hashing slot came free). */
int password_verify(const char *hash, const char *pw, err_t *e);

/* Spends the time of a verification without a real hash (log-in of an
 * unknown user). Returns 0 or -1 (no hashing slot). */
int password_burn(const char *pw, err_t *e);

/* True when hash was made with weaker parameters than today's. */
bool password_needs_rehash(const char *hash);

/* A new random secret, base64url (no padding), prefixed with prefix:
 * out holds prefix + 43 characters. */
void secret_new(const char *prefix, char *out, size_t cap);

/* The hex SHA-256 of a secret, as stored (65 bytes with the NUL). */
void secret_digest(const char *secret, char out[65]);

/* A password of 16 random letters and digits, for users created without
 * one; out must hold 17 bytes. */
void password_generate(char out[17]);

/* Constant-time equality of two strings. */
bool secret_equal(const char *a, const char *b);

#endif
