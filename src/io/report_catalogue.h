/*
 * report_catalogue.h - the starting catalogue of indicators and report
 * forms (data/indicators.csv, data/forms.csv, built into the program; the
 * columns are described in docs/reports.md), checked whole and loaded into
 * the store.
 */
#ifndef UB_REPORT_CATALOGUE_H
#define UB_REPORT_CATALOGUE_H

#include "core/err.h"
#include "store/db.h"

/* Loads the catalogue unless the database has indicators already (an
 * official's own catalogue is never overwritten), in the caller's
 * transaction or one of its own. *loaded: the indicators loaded (0 when
 * there were some). Returns 0, or -1 with e (a row of the files that is
 * not valid is ERR_INTERNAL: the build is broken). */
int report_catalogue_load(db_t *db, size_t *loaded, err_t *e);

#endif
