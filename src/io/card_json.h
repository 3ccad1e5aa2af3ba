/*
 * card_json.h - the JSON form of a membership card (docs/api.md, GET
 * /api/v1/members/{id}/card; src/api/openapi.json: MemberCard), shared by
 * the API and `unionbase members card --json`: who she is, her unit, since
 * when she is a member, the token, the URL that checks it and the QR code
 * that holds the URL, as SVG (io/qr.h).
 *
 * Ownership: a new jansson reference the caller owns (json_decref).
 */
#ifndef UB_CARD_JSON_H
#define UB_CARD_JSON_H

#include <jansson.h>

#include "core/date.h"
#include "core/err.h"
#include "store/card.h"

/* The URL a card's QR code holds: base (card_base_ok) + "/verify/" + the
 * token, into out (CARD_URL_BUF bytes). */
#define CARD_URL_BUF (CARD_BASE_MAX + 8 + CARD_TOKEN_BUF)
void card_url(const char *base, const char *token, char out[CARD_URL_BUF]);

/* {"id","full_name","unit","kind","member_since","issued_on","token",
 * "verify_url","qr":{"svg","version","modules"}}, or NULL with e. */
json_t *member_card_json(const member_card_t *c, date_t issued_on, const char *base, err_t *e);

#endif
