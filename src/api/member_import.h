/*
 * member_import.h - a member list file checked row by row with the
 * registry's own rules and stored (issue 16, items 4-5): the one engine of
 * `unionbase import`, and of the API's import jobs.
 *
 * Each row (io/member_rows.h) is checked as a new member's body is
 * (api_member_check), its unit found among the branches and groups of the
 * list's unit (by code, or by name: "Chi hội 3", "Thôn Đông"), and matched
 * to the records already kept:
 *   - by ID number: a member of the list's unit today is updated with the
 *     fields the file has (the others stay as they are; nothing is written
 *     when nothing differs); a member of another unit, or a former member,
 *     is refused (transfer her, or rejoin her, from her page);
 *   - without one: a member of the same branch or group with the same
 *     name (folded) and date of birth and no ID number is the same person;
 *   - two rows of the file with the same ID number (or, without one, the
 *     same name and date of birth) are refused from the second on.
 * A dry run checks and counts, reading only. A run that stores writes
 * everything in one transaction: all or nothing (one bad row stores
 * nothing), or the good rows only; a crash or a kill leaves the database
 * as it was. The import's own row, its audit row and each record's
 * provenance are written with it (store/imports.h).
 *
 * Every bad row is reported through on_error, each problem with the line
 * and column it stands at, so that the report of a million rows is never
 * held in memory. What the checks need is bounded: the ID numbers (and
 * names with dates) seen, as 64-bit hashes (two different keys may share
 * one with a chance of about n^2 / 2^65: 3e-8 for a million rows).
 *
 * Ownership: member_import_report_t owns its columns
 * (member_import_report_free); an import_error_t's strings live for the
 * call of on_error.
 */
#ifndef UB_MEMBER_IMPORT_H
#define UB_MEMBER_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/access.h"
#include "core/err.h"
#include "io/member_rows.h"
#include "store/db.h"

/* The longest value or header a report quotes (bytes; longer ones are
 * cut, with "…"). */
#define IMPORT_SHOWN_MAX 200

typedef struct import_error {
	size_t line;                 /* the file's line or the sheet's row */
	size_t column;               /* 1-based; 0: no column of the file holds it */
	const char *header;          /* that column's header, "" */
	const char *field;           /* the member key, "" for the row's own problem */
	const char *value;           /* the value as read, "" */
	const err_detail_t *detail;  /* code, message (English) and parameters */
} import_error_t;

typedef struct member_import_opts {
	member_rows_opts_t rows;     /* the file and how to read it (its ethnic groups are filled in) */
	const char *unit;            /* the code of the unit the list belongs to, today */
	const char *file_name;       /* as the user named it (NULL: the path's) */
	bool dry_run;
	bool good_only;              /* store the good rows; else all or nothing */
	void (*on_error)(void *ctx, const import_error_t *err);
	void (*on_progress)(void *ctx, size_t rows); /* every IMPORT_PROGRESS_EVERY rows */
	/* once, when a commit has read every row and writes its last (the
	 * search rows and figures: some 45 s at a million rows) */
	void (*on_writing)(void *ctx, size_t rows);
	void *ctx;
} member_import_opts_t;

#define IMPORT_PROGRESS_EVERY 100

/* Waits as many milliseconds as the environment variable `name` says (up
 * to 10 s; none when unset): a test's hold on an import at one of its
 * steps. UNIONBASE_IMPORT_WRITING_MS holds a commit that long once it
 * says it writes (on_writing), for the tests that see it say so or kill
 * it there. */
void member_import_test_pause(const char *name);

typedef struct member_import_report {
	size_t rows;                 /* data rows read */
	size_t valid, invalid;
	size_t created, updated, unchanged; /* stored, or (a dry run) what would be */
	size_t blank, after_end;     /* rows left out (member_rows.h) */
	bool stored;                 /* the database holds the import */
	int64_t import_id;           /* its id when stored */
	char format[8], encoding[16], sheet[MEMBER_ROWS_HEADER_BUF];
	char separator;
	size_t header_line;
	member_column_t *columns;
	size_t n_columns;
	char file_sha256[65];
	int64_t file_size;
} member_import_report_t;

/* Runs the import as who (record.write is the caller's to check; the
 * list's unit must lie in who's scope: else 404 not_found, as for a unit
 * that does not exist). Returns 0 with *out (nothing stored when it says
 * so: a dry run, or rows refused in all-or-nothing mode), or -1 with e:
 * the file cannot be read (its reader's refusal), or the store failed
 * (nothing stored). */
int member_import_run(db_t *db, const principal_t *who, const member_import_opts_t *o, member_import_report_t *out,
		      err_t *e);

void member_import_report_free(member_import_report_t *r);

/* {"line","column","header","field","value","code","reason","params"}: a
 * bad row's problem as the CLI and the API report it. NULL: no memory. */
json_t *import_error_json(const import_error_t *err);

/* {"rows","valid","invalid","created","updated","unchanged","blank",
 * "after_end","stored","dry_run","mode","import_id","file":{"sha256",
 * "size","format","encoding","separator","sheet","header_line"},
 * "columns":[{"column","header","field","legacy"}]}. */
json_t *member_import_report_json(const member_import_report_t *r, const member_import_opts_t *o);

#endif
