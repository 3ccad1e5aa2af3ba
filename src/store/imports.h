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

/* Records the import rec (its counts still zero) and sets rec->id and
 * rec->created_by, in the caller's transaction, before its records are
 * written. Returns 0 or -1 with e. */
int import_begin(db_t *db, const principal_t *who, import_rec_t *rec, err_t *e);

/* Stores rec's counts and writes the import's audit row, in the caller's
 * transaction, after its records. */
int import_finish(db_t *db, const principal_t *who, const import_rec_t *rec, err_t *e);

/* ERR_NOT_FOUND when there is no such import. */
int import_get(db_t *db, int64_t id, import_rec_t *out, err_t *e);

#endif
