/*
 * privacy.h - personal data under Decree 13/2023/ND-CP: consent per person,
 * a person's data exported on request, and erasure by anonymisation. The
 * persons are user accounts and members (subject_type "member"), with
 * the same three operations.
 */
#ifndef UB_PRIVACY_H
#define UB_PRIVACY_H

#include <jansson.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "store/db.h"

#define CONSENT_PURPOSE_MAX 200 /* characters */

/* Records consent of user user_id to purpose given on `given`, or its
 * withdrawal (withdraw true: the open consent to purpose ends on `given`).
 * Audited. */
int consent_record(db_t *db, const principal_t *who, int64_t user_id, const char *purpose, date_t given,
		   bool withdraw, err_t *e);

/* The consents of user user_id as a JSON array (new reference). */
int consent_list(db_t *db, int64_t user_id, json_t **out, err_t *e);

/* Everything unionbase holds about user user_id, as one JSON object (new
 * reference): her account, consents, tokens (never secrets), sessions (times
 * and addresses), the audit rows about her account and those of her own
 * actions. The export itself is audited. */
int privacy_export_user(db_t *db, const principal_t *who, int64_t user_id, json_t **out, err_t *e);

/* Erases user user_id by anonymisation: name and display name replaced,
 * password made unusable, disabled, sessions ended, tokens revoked,
 * consents kept as dated facts of the (now nameless) account. Counts and the audit trail
 * (kept by law, append-only) stay right: the account row keeps its id.
 * Audited. */
int privacy_erase_user(db_t *db, const principal_t *who, int64_t user_id, err_t *e);

/* ---- members (the registry: subject_type "member") ---- */

/* Consent of member person_id (her unit unit_id, for the audit row), as
 * consent_record. The caller has checked she exists and is in scope. */
int member_consent_record(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, const char *purpose,
			  date_t given, bool withdraw, err_t *e);
int member_consent_list(db_t *db, int64_t person_id, json_t **out, err_t *e);

/* Everything held about member person_id: her record (every column, raw),
 * her memberships, transfers, dues, consents and the audit rows about her.
 * Audited as member.export. */
int privacy_export_member(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, json_t **out,
			  err_t *e);

/* Erases member person_id by anonymisation, so that the counts stay right:
 * her name, ID number, phone, address, religion, notes and the other
 * personal fields are cleared, her date of birth kept only as its year
 * (1 July), her search words deleted, and she is left out of every list;
 * her memberships, dues and ethnic group stay, nameless, for the figures
 * of the past. Her membership ends today ("left"; her pending transfers
 * cancelled), since no one could end it afterwards. An account linked to
 * her record (users.person_id) is unlinked; her card no longer verifies.
 * Audited as member.erase. */
int privacy_erase_member(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, err_t *e);

#endif
