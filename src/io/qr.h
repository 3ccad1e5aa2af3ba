/*
 * qr.h - QR codes for the membership card (docs/members.md): the text is
 * encoded by libqrencode (error correction level M, the modes it finds
 * shortest, the smallest version that holds it), and the matrix of modules
 * drawn here, as SVG for the API and the web app and as UTF-8 half blocks
 * for a terminal. No outside tool.
 *
 * Ownership: qr_encode fills a qr_t whose modules the caller releases with
 * qr_free; qr_svg and qr_text return malloc'd text the caller frees.
 */
#ifndef UB_QR_H
#define UB_QR_H

#include <stddef.h>

#include "core/err.h"

#define QR_TEXT_MAX 1024 /* bytes of text encoded: a card's URL is a tenth of it */
#define QR_QUIET_SVG 4   /* modules of light margin, as the standard asks */
#define QR_QUIET_TEXT 2  /* on a terminal, where lines are dear */

typedef struct qr {
	int version;          /* 1..40 */
	int width;            /* modules a side: 17 + 4 * version */
	unsigned char *dark;  /* width * width: 1 dark, 0 light, row by row */
} qr_t;

/* Encodes text (at most QR_TEXT_MAX bytes) at level M. Returns 0, or -1
 * with ERR_INTERNAL (too long, out of memory). */
int qr_encode(const char *text, qr_t *out, err_t *e);

void qr_free(qr_t *q);

/* The code as an SVG document: a white square with a margin of
 * QR_QUIET_SVG modules and one black path, one unit a module (viewBox;
 * it scales to any size). NULL when memory runs out. */
char *qr_svg(const qr_t *q);

/* The code for a terminal: two rows of modules a line in the characters
 * █ ▀ ▄ and space, a margin of QR_QUIET_TEXT modules, each line ending in
 * a newline. The light modules are the blocks (a terminal's text is light
 * on dark), so the code reads as it is on a dark terminal. NULL when
 * memory runs out. */
char *qr_text(const qr_t *q);

#endif
