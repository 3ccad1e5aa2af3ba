/*
 * unit_json.h - the JSON form of units, events and lineage, shared by the
 * HTTP API and the CLI's --json output so that both say the same thing
 * (the shapes are documented in docs/api.md and src/api/openapi.json).
 *
 * Ownership: every function returns a new jansson reference the caller owns
 * (json_decref), or NULL when memory runs out.
 */
#ifndef UB_UNIT_JSON_H
#define UB_UNIT_JSON_H

#include <jansson.h>

#include "core/unit.h"
#include "store/org_store.h"

json_t *json_date(date_t d);
/* null for DATE_OPEN, else the last day (to - 1). */
json_t *json_last_day(date_t valid_to);
json_t *unit_ref_json(const unit_ref_t *r);
json_t *unit_json(const unit_t *u);
json_t *unit_list_json(const unit_list_t *l, date_t as_of);
json_t *event_json(const event_t *ev);
json_t *unit_detail_json(const unit_t *u, const unit_history_t *h);
json_t *lineage_json(const unit_t *u, const lineage_t *l);
json_t *level_json(const level_t *lv);
/* Nested tree from a subtree list (parents before children). */
json_t *tree_json(const unit_list_t *l, date_t as_of);

#endif
