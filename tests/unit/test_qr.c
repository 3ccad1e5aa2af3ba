/* Unit tests of io/qr: the membership card's QR code, its size for a
 * card's URL (the figures of docs/members.md), and its two drawings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/card.h"
#include "io/qr.h"

/* A card's URL with a token of n characters (the token's own alphabet). */
static void card_url(const char *base, size_t n, char *out, size_t cap)
{
	size_t len = (size_t)snprintf(out, cap, "%s/verify/", base);
	for (size_t i = 0; i < n && len + 1 < cap; i++)
		out[len++] = "Az09-_xQ"[i % 8];
	out[len] = '\0';
}

static int version_of(const char *text)
{
	qr_t q;
	err_t e;
	int v;

	err_clear(&e);
	assert_int_equal(qr_encode(text, &q, &e), 0);
	v = q.version;
	assert_int_equal(q.width, 17 + 4 * v);
	qr_free(&q);
	return v;
}

static void a_cards_url_fits_a_small_code(void **state)
{
	/* a token of 94 characters (a stay id up to 268 million) behind the
	 * hosts a deployment might have: at level M, version 7 (45 modules a
	 * side) holds 122 bytes, version 8 (49) 152 */
	static const struct { const char *base; int version; } cases[] = {
		{ "http://127.0.0.1:8080", 7 },
		{ "https://hoilhpn.org.vn", 8 },
		{ "https://thehoivien.hoilhpn.org.vn", 8 },
	};
	char url[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v;
		card_url(cases[i].base, 94, url, sizeof(url));
		v = version_of(url);
		printf("# %zu characters (%s + token of 94): QR version %d, %d modules a side\n", strlen(url),
		       cases[i].base, v, 17 + 4 * v);
		assert_int_equal(v, cases[i].version);
	}
	card_url("https://hoilhpn.org.vn", CARD_TOKEN_MAX, url, sizeof(url));
	printf("# the longest token (%d characters): QR version %d\n", CARD_TOKEN_MAX, version_of(url));
}

static void the_svg_draws_every_dark_module(void **state)
{
	char *svg;
	qr_t q;
	err_t e;
	size_t dark = 0, drawn = 0;
	const char *p;

	(void)state;
	err_clear(&e);
	assert_int_equal(qr_encode("https://hoilhpn.org.vn/verify/abc", &q, &e), 0);
	svg = qr_svg(&q);
	assert_non_null(svg);
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	/* the finder pattern's top row at the corner, inside the margin */
	assert_non_null(strstr(svg, "M4 4h7v1h-7z"));
	for (int i = 0; i < q.width * q.width; i++)
		dark += q.dark[i];
	for (p = strstr(svg, " d=\""); (p = strchr(p, 'h')) != NULL; p++) {
		/* "h{run}v1h-{run}z": count the first h of each rectangle */
		if (p[1] != '-')
			drawn += (size_t)strtol(p + 1, NULL, 10);
	}
	assert_int_equal(drawn, dark);
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
	qr_free(&q);
}

static void the_terminal_text_has_two_rows_a_line(void **state)
{
	char *text;
	qr_t q;
	err_t e;
	int lines = 0, side;

	(void)state;
	err_clear(&e);
	assert_int_equal(qr_encode("https://hoilhpn.org.vn/verify/abc", &q, &e), 0);
	text = qr_text(&q);
	assert_non_null(text);
	side = q.width + 2 * QR_QUIET_TEXT;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, (side + 1) / 2);
	/* the first line is margin: light blocks (3 bytes each) the whole way */
	for (int i = 0; i < side; i++)
		assert_memory_equal(text + 3 * i, "\xe2\x96\x88", 3);
	free(text);
	qr_free(&q);
}

static void too_long_a_text_is_refused(void **state)
{
	char *big = malloc(QR_TEXT_MAX + 2);
	qr_t q;
	err_t e;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', QR_TEXT_MAX + 1);
	big[QR_TEXT_MAX + 1] = '\0';
	err_clear(&e);
	assert_int_equal(qr_encode(big, &q, &e), -1);
	assert_int_equal(e.kind, ERR_INTERNAL);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_cards_url_fits_a_small_code),
		cmocka_unit_test(the_svg_draws_every_dark_module),
		cmocka_unit_test(the_terminal_text_has_two_rows_a_line),
		cmocka_unit_test(too_long_a_text_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
