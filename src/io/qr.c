/*
 * qr.c - QR codes drawn as SVG and as terminal text (see qr.h).
 */
#include "io/qr.h"

#include <qrencode.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qr_encode(const char *text, qr_t *out, err_t *e)
{
	QRcode *c;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (strnlen(text, QR_TEXT_MAX + 1) > QR_TEXT_MAX)
		return err_fail(e, ERR_INTERNAL, NULL, "the text is too long for a QR code here");
	c = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!c)
		return err_fail(e, ERR_INTERNAL, NULL, "the QR code could not be made (out of memory)");
	n = (size_t)c->width * (size_t)c->width;
	out->dark = malloc(n);
	if (!out->dark) {
		QRcode_free(c);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	/* libqrencode's bit 0 of each byte: dark */
	for (size_t i = 0; i < n; i++)
		out->dark[i] = c->data[i] & 1;
	out->version = c->version;
	out->width = c->width;
	QRcode_free(c);
	return 0;
}

void qr_free(qr_t *q)
{
	if (!q)
		return;
	free(q->dark);
	q->dark = NULL;
	q->width = 0;
}

static bool dark_at(const qr_t *q, int x, int y)
{
	return x >= 0 && y >= 0 && x < q->width && y < q->width && q->dark[(size_t)y * (size_t)q->width + (size_t)x];
}

/* A growing text. */
typedef struct buf {
	char *s;
	size_t len, cap;
	bool failed;
} buf_t;

static void put(buf_t *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *v;
		while (b->len + n + 1 > cap)
			cap *= 2;
		v = realloc(b->s, cap);
		if (!v) {
			b->failed = true;
			return;
		}
		b->s = v;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_(buf_t *b, const char *s)
{
	put(b, s, strlen(s));
}

static char *finish(buf_t *b)
{
	if (b->failed || !b->s) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

char *qr_svg(const qr_t *q)
{
	int side = q->width + 2 * QR_QUIET_SVG;
	buf_t b = { 0 };
	char part[96];

	snprintf(part, sizeof(part),
		 "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">",
		 side, side);
	puts_(&b, part);
	snprintf(part, sizeof(part), "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", side, side);
	puts_(&b, part);
	puts_(&b, "<path fill=\"#000\" d=\"");
	/* each row's runs of dark modules as one rectangle each */
	for (int y = 0; y < q->width; y++) {
		for (int x = 0; x < q->width;) {
			int run = 0;
			if (!dark_at(q, x, y)) {
				x++;
				continue;
			}
			while (dark_at(q, x + run, y))
				run++;
			snprintf(part, sizeof(part), "M%d %dh%dv1h-%dz", x + QR_QUIET_SVG, y + QR_QUIET_SVG, run, run);
			puts_(&b, part);
			x += run;
		}
	}
	puts_(&b, "\"/></svg>");
	return finish(&b);
}

char *qr_text(const qr_t *q)
{
	/* indexed by (top dark) * 2 + (bottom dark); light modules drawn */
	static const char *const CELL[4] = { "\xe2\x96\x88", "\xe2\x96\x80", "\xe2\x96\x84", " " };
	int lo = -QR_QUIET_TEXT, hi = q->width + QR_QUIET_TEXT;
	buf_t b = { 0 };

	for (int y = lo; y < hi; y += 2) {
		for (int x = lo; x < hi; x++) {
			/* a row below the margin (an odd count of rows) is light */
			int top = dark_at(q, x, y), bottom = y + 1 < hi && dark_at(q, x, y + 1);
			puts_(&b, CELL[top * 2 + bottom]);
		}
		puts_(&b, "\n");
	}
	return finish(&b);
}
