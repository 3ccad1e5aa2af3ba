/*
 * org_store.h - the organisation tree in the store: queries as of a date and
 * the reorganisation operations.
 *
 * Each operation runs in one transaction: it loads the facts, asks core/org.h
 * whether the change is allowed, writes the new intervals and records an
 * event. On any failure nothing is changed. When the caller already holds a
 * transaction (db_in_transaction), operations join it and leave commit or
 * rollback to the caller (used by init to load reference data in one go).
 *
 * A unit reference `ref` is a code, resolved on the date of the request, or
 * "id:N" for an internal id.
 *
 * Ownership: unit_list_t, event_t and event_list_t own malloc'd arrays that
 * the caller releases with the matching *_free (safe on zeroed structs).
 *
 * Written in four files by topic: org_read.c (units as of a date, lists,
 * ancestors, subtrees), org_events.c (events, history, lineage, unit
 * references), org_write.c (the operations), org_refdata.c (levels, ethnic
 * groups); what they share is in the private org_internal.h.
 */
#ifndef UB_ORG_STORE_H
#define UB_ORG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/err.h"
#include "core/org.h"
#include "core/unit.h"
#include "store/db.h"

#define ORG_PAGE_MAX 500
/* The tables a change to the tree writes and its ancestry's refresh reads
 * (store/ancestry.c): what a long run of changes analyses as it grows
 * them (store_growth_step). */
#define ORG_TREE_TABLES "units, unit_names, unit_attributes, unit_parents, ancestry, ancestry_work"
/* A cursor holds a sort key and an id in URL-safe base64, within half its
 * bytes before encoding (org_cursor_encode): room for the key of the
 * longest name the rules accept, a person's 100 characters of any script
 * (401 bytes for 100 characters outside the BMP) or a unit's */
#define ORG_CURSOR_MAX 2048

typedef struct unit_list {
	unit_t *items;
	size_t n;
	char next[ORG_CURSOR_MAX]; /* "" when there is no next page */
} unit_list_t;

void unit_list_free(unit_list_t *l);

typedef struct event {
	int64_t id;
	char kind[16];
	date_t date;
	char note[NOTE_MAX * 4 + 1];
	unit_ref_t *sources;
	size_t n_sources;
	unit_ref_t *targets;
	size_t n_targets;
} event_t;

void event_free(event_t *ev);

typedef struct event_list {
	event_t *items;
	size_t n;
	char next[ORG_CURSOR_MAX];
} event_list_t;

void event_list_free(event_list_t *l);

typedef struct name_span {
	char name_vi[UNIT_NAME_BUF];
	char name_en[UNIT_NAME_BUF];
	date_t valid_from, valid_to;
} name_span_t;

typedef struct parent_span {
	unit_ref_t parent;
	date_t valid_from, valid_to;
} parent_span_t;

typedef struct attr_span {
	char attributes[UNIT_ATTRS_BUF];
	date_t valid_from, valid_to;
} attr_span_t;

typedef struct unit_history {
	name_span_t *names;
	size_t n_names;
	attr_span_t *attributes;
	size_t n_attributes;
	parent_span_t *parents;
	size_t n_parents;
	event_list_t events;
} unit_history_t;

void unit_history_free(unit_history_t *h);

typedef struct lineage_entry {
	unit_t unit;     /* as of a day inside its own validity */
	int depth;
	event_t event;
} lineage_entry_t;

typedef struct lineage {
	lineage_entry_t *pred;
	size_t n_pred;
	lineage_entry_t *succ;
	size_t n_succ;
} lineage_t;

void lineage_free(lineage_t *l);

/* ---- levels ---- */

/* All levels, top first: *out is malloc'd (caller frees). */
int org_levels(db_t *db, level_t **out, size_t *n, err_t *e);
/* One level by key; ERR_INVALID (detail on `field`) when unknown. */
int org_level_get(db_t *db, const char *key, const char *field, level_t *out, err_t *e);
/* Replaces the configured levels (init only, before any unit exists). */
int org_levels_set(db_t *db, const level_t *levels, size_t n, err_t *e);

/* ---- reads ---- */

/* The unit `ref` as of d; ERR_NOT_FOUND when no such unit exists that day. */
int org_unit_get(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e);

/* The unit `ref` names on d, or else the one that held the code nearest
 * before d, or else the first after (as of a day inside its own validity).
 * ERR_NOT_FOUND when the code never named a unit. */
int org_unit_nearest(db_t *db, const char *ref, date_t d, unit_t *out, err_t *e);

/* The ids of the units that have parent_id as their parent on some day on
 * or after d: the children a merge or split of it on d re-parents (also
 * one whose stay under it begins after d). *ids is malloc'd (NULL when
 * there are none); the caller frees it. Returns 0 or -1 with e. */
int org_child_ids_from(db_t *db, int64_t parent_id, date_t d, int64_t **ids, size_t *n, err_t *e);

/* The unit with this id as of a day inside its validity: d clamped into
 * [valid_from, valid_to - 1]. ERR_NOT_FOUND for an unknown id. */
int org_unit_view(db_t *db, int64_t id, date_t d, unit_t *out, err_t *e);

typedef struct unit_query {
	date_t as_of;
	const char *level;   /* NULL: any */
	int64_t parent_id;   /* 0: any */
	const char *q;       /* NULL: no search */
	int limit;           /* 1..ORG_PAGE_MAX */
	const char *cursor;  /* NULL or "": first page */
	bool sort_name;      /* Vietnamese name order instead of code order */
	const principal_t *scope; /* only units in this caller's scope; NULL: all */
} unit_query_t;

/* ERR_BAD_REQUEST for a malformed cursor. */
int org_units_list(db_t *db, const unit_query_t *q, unit_list_t *out, err_t *e);

/* The units of the n_levels levels given (1..8) that exist on d and go
 * on for good (no end recorded), all in the order of their codes (then
 * ids), whatever their level: their ids and first days. *out is the
 * caller's to free. For the generator, which needs thousands of them
 * without their names. Returns 0 or -1 with e. */
typedef struct unit_start {
	int64_t id;
	date_t from;
} unit_start_t;
#define ORG_LASTING_LEVELS_MAX 8
int org_units_lasting(db_t *db, const char *const *levels, size_t n_levels, date_t d, unit_start_t **out,
		      size_t *n, err_t *e);

/* Ancestors of unit id as of d, root first, the unit itself excluded. */
int org_ancestors(db_t *db, int64_t id, date_t d, unit_list_t *out, err_t *e);

/* The unit and its descendants as of d down to `depth` levels below it,
 * parents before children; each item's parent.id links it to its parent.
 * More than `max` units: ERR_TOO_LARGE (ask for fewer levels). */
int org_subtree(db_t *db, int64_t id, date_t d, int depth, size_t max, unit_list_t *out, err_t *e);

int org_lineage(db_t *db, int64_t id, date_t d, lineage_t *out, err_t *e);

/* The ids only of the lineage of id in one direction (the scope's roots
 * need no names): *steps is malloc'd, owned by the caller (free()). */
int org_lineage_ids(db_t *db, int64_t id, lineage_dir_t dir, lineage_step_t **steps, size_t *n, err_t *e);

/* The references (code and names) of units ids[0..n), each as of days[i]
 * clamped into its validity, into out[0..n): a few queries whatever n is.
 * ERR_NOT_FOUND for an unknown id. */
int org_unit_refs(db_t *db, const int64_t *ids, const date_t *days, size_t n, unit_ref_t *out, err_t *e);

int org_unit_history(db_t *db, int64_t id, unit_history_t *out, err_t *e);

/* Events, newest first; unit_id 0 for all units; from/to inclusive bounds
 * (pass 0 and DATE_OPEN for none); scope NULL for all, else only events
 * that touch a unit in that caller's scope. */
int org_events(db_t *db, const principal_t *scope, int64_t unit_id, date_t from, date_t to, int limit,
	       const char *cursor, event_list_t *out, err_t *e);

int org_event_get(db_t *db, int64_t id, event_t *out, err_t *e);

/* The id of the newest event. Inside a write transaction (one writer at a
 * time on both stores) that is the event the transaction just recorded.
 * ERR_NOT_FOUND when there is none. */
int org_event_last(db_t *db, int64_t *id, err_t *e);

/* ---- operations ----
 * Each records an event and an audit row per unit it changes, naming `who`
 * (never NULL); note may be NULL. Scope and permission are the caller's
 * business (api/ checks them before calling). */

/* Creates the unit spec describes on day d. spec is normalised in place.
 * *out receives the new unit as of d. */
int org_create(db_t *db, const principal_t *who, unit_spec_t *spec, date_t d, const char *note, unit_t *out, err_t *e);

int org_rename(db_t *db, const principal_t *who, const char *ref, date_t d, const char *name_vi, const char *name_en,
	       const char *note, unit_t *out, err_t *e);

/* Sets the attributes of ref from day d on (space- or comma-separated
 * words of UNIT_ATTRIBUTES; "" for none): the interval that holds on d is
 * cut and a new one starts, as a rename does for names. Recorded in the
 * audit trail (unit.attributes) and in the unit's history of attributes;
 * no event (events are changes of names, places and lineage). */
int org_set_attributes(db_t *db, const principal_t *who, const char *ref, date_t d, const char *attributes,
		       const char *note, unit_t *out, err_t *e);

int org_move(db_t *db, const principal_t *who, const char *ref, date_t d, const char *parent_ref, const char *note,
	     unit_t *out, err_t *e);

int org_close(db_t *db, const principal_t *who, const char *ref, date_t d, const char *note, unit_t *out, err_t *e);

/* Merges sources[0..n) on d into a new unit (into_new, normalised in place)
 * or an existing one (into_ref); exactly one of the two is non-NULL. *out is
 * the target as of d, *event_id the merge event. */
int org_merge(db_t *db, const principal_t *who, const char *const *sources, size_t n, date_t d, unit_spec_t *into_new,
	      const char *into_ref, const char *note, unit_t *out, int64_t *event_id, err_t *e);

/* Splits ref on d into parts[0..n) (normalised in place; level defaults to
 * the unit's, parent to its parent), giving each child of ref to the part
 * assign names (child_assign_t is in core/org.h, with the checks of the
 * plan). out receives the parts as of d. */
int org_split(db_t *db, const principal_t *who, const char *ref, date_t d, unit_spec_t *parts, size_t n,
	      const child_assign_t *assign, size_t n_assign, const char *note,
	      unit_list_t *out, int64_t *event_id, err_t *e);

/* ---- reference data ---- */

int org_ethnic_group_add(db_t *db, const char *code, const char *name_vi, const char *name_en,
			 err_t *e);
int org_ethnic_group_count(db_t *db, int64_t *n, err_t *e);

typedef struct ethnic_group {
	char code[8];
	char name_vi[64], name_en[64];
} ethnic_group_t;

/* Every ethnic group, by code: *out malloc'd (caller frees). */
int org_ethnic_groups(db_t *db, ethnic_group_t **out, size_t *n, err_t *e);

/* The tree's version: a number that every change to the tree (units, their
 * names, parents and attributes, the ancestry, the events, the levels)
 * sets anew in the change's own transaction (schema 30's triggers: a
 * random positive number, never compared but for equality). What was read
 * of the tree at version n still holds while the version reads n. In a
 * read transaction, the version of its snapshot. Returns 0 or -1 with e. */
int org_version(db_t *db, int64_t *n, err_t *e);

#endif
