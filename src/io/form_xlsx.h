/*
 * form_xlsx.h - a unit's report form for a period as the union's document
 * in Excel (issue 18, item 8): the heading of a union document, the
 * form's title, the period and the unit's status, one row per indicator
 * (its name, its measure, the figure, what the member records say, the
 * difference, the note), the explanation of the differences, and the
 * signature block. Its words come from the caller (the web app's
 * dictionaries, "report.x.*" and "forms.status.*"), so the document is in
 * the user's language.
 */
#ifndef UB_FORM_XLSX_H
#define UB_FORM_XLSX_H

#include <jansson.h>

#include "core/date.h"
#include "core/err.h"
#include "core/indicator.h"

typedef struct form_xlsx_opts {
	const json_t *form;            /* as GET /api/v1/forms/{form}/{unit}/{period} answers */
	const char *title;             /* the form's name in the document's language */
	const char *above;             /* the name of the unit above, "" at the top */
	const indicator_t *inds;       /* the catalogue (names and measures) */
	size_t n_inds;
	bool english;                  /* names and measures in English */
	date_t today;                  /* the signature's day */
	const char *(*word)(void *ctx, const char *key);
	void *ctx;
	const char *tmpdir;            /* libxlsxwriter's temporary files; NULL: $TMPDIR */
} form_xlsx_opts_t;

/* Writes the document to path. Returns 0 or -1 with e. */
int form_xlsx_write(const form_xlsx_opts_t *o, const char *path, err_t *e);

#endif
