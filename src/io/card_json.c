/*
 * card_json.c - a membership card as JSON (see card_json.h).
 */
#include "io/card_json.h"

#include <stdio.h>
#include <stdlib.h>

#include "io/qr.h"
#include "io/unit_json.h"

void card_url(const char *base, const char *token, char out[CARD_URL_BUF])
{
	snprintf(out, CARD_URL_BUF, "%s/verify/%s", base, token);
}

json_t *member_card_json(const member_card_t *c, date_t issued_on, const char *base, err_t *e)
{
	char url[CARD_URL_BUF], *svg;
	json_t *j;
	qr_t q;

	card_url(base, c->token, url);
	if (qr_encode(url, &q, e))
		return NULL;
	svg = qr_svg(&q);
	j = svg ? json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:{s:s, s:i, s:i}}", "id", (json_int_t)c->person_id,
			    "full_name", c->full_name, "unit", unit_ref_json(&c->unit), "kind",
			    member_kind_name(c->kind), "member_since", json_date(c->since), "issued_on",
			    json_date(issued_on), "token", c->token, "verify_url", url, "qr", "svg", svg, "version",
			    q.version, "modules", q.width)
		: NULL;
	free(svg);
	qr_free(&q);
	if (!j)
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	return j;
}
