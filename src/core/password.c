/*
 * password.c - see password.h.
 */
#include "core/password.h"

#include <errno.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/common_passwords.h"
#include "core/text.h"

static sem_t g_slots;
static bool g_ready;

int password_init(void)
{
	if (g_ready)
		return 0;
	if (sodium_init() < 0)
		return -1;
	if (sem_init(&g_slots, 0, PASSWORD_CONCURRENT) != 0)
		return -1;
	g_ready = true;
	return 0;
}

static int take_slot(err_t *e)
{
	struct timespec until;

	if (!g_ready && password_init() != 0)
		return err_fail(e, ERR_INTERNAL, NULL, "libsodium cannot start");
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (sem_timedwait(&g_slots, &until) != 0) {
		if (errno != EINTR)
			return err_fail(e, ERR_UNAVAILABLE, "unavailable", "too many log-ins at once: try again in a moment");
	}
	return 0;
}

static void give_slot(void)
{
	sem_post(&g_slots);
}

static int cmp_entry(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

static bool listed(const char *word)
{
	return bsearch(word, COMMON_PASSWORDS, COMMON_PASSWORDS_N, sizeof(COMMON_PASSWORDS[0]), cmp_entry) != NULL;
}

/* True when pw, with A-Z lower-cased, is on the list or is an entry followed
 * by nothing but digits ("password12345"): adding digits is the first
 * variation a guesser tries. A password with a byte beyond ASCII is never
 * common, as no entry has one. */
static bool is_common(const char *pw)
{
	char low[PASSWORD_MAX_LEN + 1];
	size_t n;
	bool found = false;

	for (n = 0; pw[n] && (unsigned char)pw[n] < 0x80 && n < PASSWORD_MAX_LEN; n++)
		low[n] = (char)(pw[n] >= 'A' && pw[n] <= 'Z' ? pw[n] - 'A' + 'a' : pw[n]);
	low[n] = '\0';
	/* stopped early: a byte beyond ASCII (or a length beyond the bound),
	 * which no entry has */
	if (pw[n] == '\0') {
		/* the whole password, then without its last digit, and so on
		 * while the characters taken off are digits */
		while (!(found = listed(low)) && n > 0 && low[n - 1] >= '0' && low[n - 1] <= '9')
			low[--n] = '\0';
	}
	sodium_memzero(low, sizeof(low));
	return found;
}

int password_check_new(const char *pw, const char *field, err_t *e)
{
	size_t n = text_length(pw);

	if (n < PASSWORD_MIN_LEN)
		return err_field(e, field, "too_short", "is too short (at least {min} characters)",
				 ERR_INT("min", PASSWORD_MIN_LEN));
	if (n > PASSWORD_MAX_LEN)
		return err_field(e, field, "too_long", "is too long (at most {max} characters)",
				 ERR_INT("max", PASSWORD_MAX_LEN));
	if (text_blank(pw))
		return err_field(e, field, "blank", "must hold more than white space");
	if (is_common(pw))
		return err_field(e, field, "common_password",
				 "is a common password, or one with digits added: choose another");
	return 0;
}

int password_hash(const char *pw, char out[PASSWORD_HASH_MAX], err_t *e)
{
	int rc;

	if (take_slot(e))
		return -1;
	rc = crypto_pwhash_str_alg(out, pw, strlen(pw), PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
				   crypto_pwhash_ALG_ARGON2ID13);
	give_slot();
	if (rc != 0)
		return err_fail(e, ERR_UNAVAILABLE, "unavailable", "out of memory while hashing a password");
	return 0;
}

int password_verify(const char *hash, const char *pw, err_t *e)
{
	int rc;

	if (take_slot(e))
		return -1;
	rc = crypto_pwhash_str_verify(hash, pw, strlen(pw));
	give_slot();
	if (rc != 0)
		return err_fail(e, ERR_UNAUTHORIZED, "unauthorized", "wrong user name or password");
	return 0;
}

int password_burn(const char *pw, err_t *e)
{
	static const char salt_source[] = "unionbase: no such user";
	unsigned char out[32], salt[crypto_pwhash_SALTBYTES];
	int rc;

	crypto_generichash(salt, sizeof(salt), (const unsigned char *)salt_source, sizeof(salt_source) - 1, NULL, 0);
	if (take_slot(e))
		return -1;
	rc = crypto_pwhash(out, sizeof(out), pw, strlen(pw), salt, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
			   crypto_pwhash_ALG_ARGON2ID13);
	give_slot();
	sodium_memzero(out, sizeof(out));
	return rc == 0 ? 0 : err_fail(e, ERR_UNAVAILABLE, "unavailable", "out of memory while hashing a password");
}

bool password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0;
}

void secret_new(const char *prefix, char *out, size_t cap)
{
	unsigned char raw[32];
	char b64[64];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, cap, "%s%s", prefix, b64);
	sodium_memzero(raw, sizeof(raw));
}

void secret_digest(const char *secret, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void password_generate(char out[17])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	for (int i = 0; i < 16; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[16] = '\0';
}

bool secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}
