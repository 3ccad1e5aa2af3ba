/*
 * member_json.h - the JSON form of members (docs/api.md, "Members";
 * src/api/openapi.json: Member, MemberListItem), shared by the API and the
 * command line's --json output.
 *
 * Ownership: each function returns a new jansson reference the caller owns
 * (json_decref), or NULL when memory runs out.
 */
#ifndef UB_MEMBER_JSON_H
#define UB_MEMBER_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/member_stats.h"
#include "store/members.h"

/* Who she is and her stay on the day asked (unit, kind, joined_on: null
 * when she has none that day): a list item. */
json_t *member_head_json(const member_t *m);

/* Her record with her history hist[0..n). Without unmasked, the sensitive
 * fields (ethnicity, religion, ID number, circumstances) are null (the ID
 * number: its last four digits) and named in "masked". */
json_t *member_json(const member_t *m, const membership_t *hist, size_t n, bool unmasked);

/* A transfer: {"id","member":{"id","full_name","birth_date"},"from","to",
 * "date","status","note","reason","created_by","decided_by","decided_on"}. */
json_t *transfer_json(const transfer_t *t);

/* Her dues payments: [{"year","amount","paid_on","unit"}]. */
json_t *dues_json(const dues_payment_t *v, size_t n);

/* The figures of unit u (as of the tree's day) on day d (GET
 * /api/v1/reports/members): without with_sensitive, ethnicity and religion
 * null and the circumstances' public words only, the three named in
 * "masked"; "flows" null when none were counted. */
json_t *member_stats_json(const unit_t *u, date_t d, const member_stats_t *s, bool with_sensitive);

#endif
