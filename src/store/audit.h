/*
 * audit.h - the audit trail: who did what, when, from where, to which unit
 * and record, with the values before and after. Append-only: nothing in the
 * program updates or deletes a row, and the schema's triggers refuse it.
 * Rows are written in the transaction of the change they describe, so a
 * change that rolls back leaves no row and a change that lands always has
 * one.
 */
#ifndef UB_AUDIT_H
#define UB_AUDIT_H

#include <stdint.h>

#include "core/access.h"
#include "core/err.h"
#include "core/unit.h"
#include "store/db.h"

/* Appends one row. before/after are JSON texts or NULL; unit_id 0 for
 * none. Returns 0 or -1 with e. */
int audit_write(db_t *db, const principal_t *who, const char *action, int64_t unit_id,
		const char *record_type, const char *record_id, const char *before, const char *after,
		const char *detail, err_t *e);

/* The audit form of a unit: a JSON text (malloc'd, caller frees), or NULL
 * when memory runs out. */
char *audit_unit_text(const unit_t *u);

/* Writes a row for a unit change with the unit's state before (NULL: it did
 * not exist) and after. */
int audit_unit(db_t *db, const principal_t *who, const char *action, const unit_t *before,
	       const unit_t *after, const char *detail, err_t *e);

/* The failed log-ins of user_id since her last log-in (all of them when
 * she never logged in): *count, and in last_at the time of the latest ("" for
 * none), for the notice shown when she logs in. Returns 0 or -1 with e. */
int audit_failed_logins(db_t *db, int64_t user_id, int64_t *count, char last_at[32], err_t *e);

typedef struct audit_row {
	int64_t id;
	char at[32];
	int64_t user_id;
	char username[64];
	char client_addr[64];
	char action[40];
	int64_t unit_id;
	char record_type[32];
	char record_id[64];
	char *before;  /* malloc'd JSON text or NULL */
	char *after;
	char detail[NOTE_MAX * 4 + 128]; /* a note of NOTE_MAX characters, a consent purpose */
} audit_row_t;

typedef struct audit_list {
	audit_row_t *items;
	size_t n;
	char next[64];
} audit_list_t;

void audit_list_free(audit_list_t *l);

typedef struct audit_query {
	int64_t unit_id;           /* 0: any */
	int64_t user_id;           /* 0: any */
	const char *record_type;   /* NULL: any */
	const char *record_id;     /* NULL: any */
	const char *action;        /* NULL: any */
	const char *from;          /* "YYYY-MM-DD" inclusive, NULL: any */
	const char *to;            /* "YYYY-MM-DD" inclusive, NULL: any */
	const principal_t *scope;  /* only rows about units in this caller's scope (and rows of
				      users of those units); NULL: all */
	int limit;
	int64_t before_id;         /* keyset: rows with id < before_id; 0: newest */
} audit_query_t;

/* Newest first. */
int audit_search(db_t *db, const audit_query_t *q, audit_list_t *out, err_t *e);

#endif
