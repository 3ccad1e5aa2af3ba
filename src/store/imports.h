/*
 * imports.h - the member lists imported from files (issue 16, item 5):
 * one row per import that stored anything (who, the file's name, size and
 * SHA-256, the unit, the mode, the counts), one audit row for it
 * ("member.import"), and for each record it created or changed a row of
 * provenance (store/members.h, member_add_imported) naming the import and
 * the file's line.
 *
 * Ownership: plain structs with fixed buffers.
 */
#ifndef UB_IMPORTS_H
#define UB_IMPORTS_H

#include <stdint.h>

#include "core/access.h"
#include "core/err.h"
#include "store/db.h"

#define IMPORT_FILE_NAME_BUF 256

typedef struct import_rec {
	int64_t id;
	int64_t unit_id;
	char file_name[IMPORT_FILE_NAME_BUF];  /* as the user named it */
	char file_sha256[65];                  /* hex */
	int64_t file_size;
	char format[8];                        /* csv, xlsx */
	char mode[8];                          /* all, good */
	int64_t rows, valid, invalid, created, updated, unchanged;
	char created_by[64];
	char created_at[32];
} import_rec_t;

/* Records the import rec (its counts still zero, its file's hash and size
 * perhaps not known yet) and sets rec->id and rec->created_by, in the
 * caller's transaction, before its records are written. Returns 0 or -1
 * with e. */
int import_begin(db_t *db, const principal_t *who, import_rec_t *rec, err_t *e);

/* Stores rec's counts and its file's hash and size, and writes the
 * import's audit row, in the caller's transaction, after its records.
 * Returns 0 or -1 with e. */
int import_finish(db_t *db, const principal_t *who, const import_rec_t *rec, err_t *e);

/* ERR_NOT_FOUND when there is no such import. */
int import_get(db_t *db, int64_t id, import_rec_t *out, err_t *e);

/* The provenance of person_id's record: each import that created or
 * changed it, oldest first. */
typedef struct import_origin {
	int64_t import_id;
	char file_name[IMPORT_FILE_NAME_BUF];
	int64_t line;
	char action[12];                      /* created, updated */
	char fields[512];                     /* the fields an update changed */
	char created_by[64];
	char created_at[32];
} import_origin_t;

/* Into *out (malloc'd, caller frees) and *n. */
int import_origins(db_t *db, int64_t person_id, import_origin_t **out, size_t *n, err_t *e);

/* ---- the API's import jobs (api/imports.c) ----
 *
 * A job is a file uploaded for a unit by a user: checked (a dry run),
 * then committed. Its row keeps what the API shows (the status, the
 * options of the last check as JSON, the last report as JSON, the error
 * as JSON, the import it stored) and which process runs it (runner:
 * "host pid"), so that a job whose process is gone can be told from one
 * still running. The file and the bad rows are in the server's spool
 * folder. */
typedef struct import_job {
	int64_t id;
	int64_t unit_id;
	int64_t user_id;
	char username[64];
	char file_name[IMPORT_FILE_NAME_BUF];
	int64_t file_size;
	char status[16];      /* checking, checked, committing, done, failed, expired (its files deleted) */
	char *options;        /* JSON text, malloc'd */
	char *report;         /* JSON text or NULL, malloc'd */
	char *error;          /* JSON text or NULL, malloc'd */
	int64_t import_id;    /* 0 until it stored */
	char runner[96];
	char created_at[32], updated_at[32];
} import_job_t;

void import_job_free(import_job_t *j);

/* Records a new job (status, options and runner as given); sets j->id and
 * its times. */
int import_job_create(db_t *db, import_job_t *j, err_t *e);

/* ERR_NOT_FOUND when there is none. *out owns its texts (import_job_free). */
int import_job_get(db_t *db, int64_t id, import_job_t *out, err_t *e);

/* Sets the status, runner and the texts given (NULL: kept as they are;
 * "" sets NULL), and import_id when not 0. */
int import_job_update(db_t *db, int64_t id, const char *status, const char *runner, const char *options,
		      const char *report, const char *error, int64_t import_id, err_t *e);

/* import_job_update of status, runner and options (NULL: kept), its
 * error cleared, only if job was->id is still as it was read (its status
 * and updated_at): another server may have run it, or the sweep expired
 * it, since. *claimed says whether it was. */
int import_job_claim(db_t *db, const import_job_t *was, const char *status, const char *runner, const char *options,
		     bool *claimed, err_t *e);

/* The jobs last changed before `before` (an ISO timestamp as the store
 * writes them) that still have their files: not "expired". Into *ids
 * (malloc'd) and *n. */
int import_job_stale(db_t *db, const char *before, int64_t **ids, size_t *n, err_t *e);

/* Marks job id "expired" if it is still unchanged since before and not
 * expired yet (another server may have run it again meanwhile): *done
 * says whether it was, and so whether its files may go. */
int import_job_expire(db_t *db, int64_t id, const char *before, bool *done, err_t *e);

/* The jobs of user_id, newest first, at most limit: into *out (malloc'd,
 * each freed with import_job_free, then the array). */
int import_job_list(db_t *db, int64_t user_id, int limit, import_job_t **out, size_t *n, err_t *e);

/* ---- saved column mappings ---- */

typedef struct import_template {
	int64_t id;
	char name[128];
	int64_t unit_id;
	char *mapping;        /* JSON text, malloc'd */
	char created_by[64];
	char created_at[32];
} import_template_t;

/* Saves (or replaces, same unit and name) a mapping. */
int import_template_save(db_t *db, const principal_t *who, int64_t unit_id, const char *name, const char *mapping,
			 err_t *e);

/* The mappings saved for any of unit_ids[0..n_units) (a unit and those
 * above it), by name; *out malloc'd, each freed with import_template_free. */
int import_template_list(db_t *db, const int64_t *unit_ids, size_t n_units, import_template_t **out, size_t *n,
			 err_t *e);

void import_template_free(import_template_t *t);

#endif
