/*
 * card.c - the digital membership card (docs/members.md, "The membership
 * card"; docs/api.md): a member's card, the public check of a card shown,
 * and the rotation of the key cards are signed with.
 *
 *   GET  /api/v1/members/{id}/card   her card (herself, or record.read in scope)
 *   GET  /verify/{token}             public: valid today or not, and the
 *                                    unit's name; a page in Vietnamese, or
 *                                    JSON when asked (Accept: application/json)
 *   POST /api/v1/card-keys/rotate    a new key; every card before it stops
 *                                    verifying (the system admin)
 *
 * The verification page is the one page the server writes itself: its
 * words come from the web app's dictionaries (web/i18n/vi.json, en.json,
 * built into the program), it carries no script, and its one style sheet
 * is allowed by its hash. Cards shown that are not ours (not a token, or a
 * signature that fails) count against the address like failed log-ins:
 * beyond THROTTLE_PER_ADDRESS in the window, 429.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/words.h"
#include "api/views.h"
#include "io/card_json.h"
#include "io/embedded.h"
#include "io/unit_json.h"
#include "store/auth_store.h"
#include "store/card.h"

/* ---- a member's card ---- */

static int get_member_card(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char base[CARD_BASE_MAX + 1];
	member_card_t card;
	int64_t id = 0;
	bool self = false;

	if (api_member_readable(req, req->params[0], req->today, &id, &self, e) ||
	    card_issue(req->db, &req->who, id, &card, e))
		return -1;
	api_public_base(req, base, sizeof(base));
	resp->body = member_card_json(&card, req->today, base, e);
	return resp->body ? 0 : -1;
}

/* ---- the key ---- */

static int post_rotate(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { NULL };
	char pk_hex[2 * CARD_PUBLIC_BYTES + 1];
	int64_t retired = 0;
	card_key_t k;
	json_t *body;

	if (api_require(req, PERM_CARD_KEYS, e))
		return -1;
	if (!req->who.global)
		return err_fail(e, ERR_FORBIDDEN, "national_only",
				"only the system admin (an admin at the top of the tree) may do this");
	if (req->body_len > 0) {
		if (api_body_object(req, &body, e))
			return -1;
		api_only(body, allowed, "", e);
		json_decref(body);
		if (api_check_details(e))
			return -1;
	}
	if (card_key_rotate(req->db, &req->who, &k, &retired, e))
		return -1;
	sodium_bin2hex(pk_hex, sizeof(pk_hex), k.pk, sizeof(k.pk));
	sodium_memzero(k.seed, sizeof(k.seed));
	resp->body = json_pack("{s:{s:I, s:s, s:o}, s:I}", "key", "id", (json_int_t)k.id, "public_key", pk_hex,
			       "created_at", json_time(k.created_at), "retired", (json_int_t)retired);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* ---- the check of a card shown ---- */

/* The page's words: the web app's dictionaries (api/words.h). */
static const char *word(int lang, const char *key)
{
	return api_word(lang ? LANG_EN : LANG_VI, key);
}

/* The page's style: its hash is in the page's Content-Security-Policy, so
 * it needs no 'unsafe-inline'. */
static const char STYLE[] =
	"body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f6f4f1;color:#1d1d1f}"
	"main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;"
	"border-top:10px solid #8a1538}"
	"main.ok{border-top-color:#1b6e3a}main.bad{border-top-color:#a4161a}"
	"h1{font-size:1.8rem;margin:0 0 .75rem}.ok h1{color:#1b6e3a}.bad h1{color:#a4161a}"
	".unit{font-size:1.3rem;font-weight:600;margin:.25rem 0 1rem}"
	".muted{color:#555}.en{margin-top:1.5rem;padding-top:1rem;border-top:1px solid #ddd;color:#555}"
	"@media (prefers-color-scheme:dark){body{background:#121212;color:#eee}main{background:#1e1e1e}"
	".muted,.en{color:#bbb}.ok h1{color:#6fd08c}.bad h1{color:#ff8a8a}}";

static void page_csp(char *buf, size_t cap)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];

	crypto_hash_sha256(h, (const unsigned char *)STYLE, sizeof(STYLE) - 1);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	snprintf(buf, cap, "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; form-action 'none'", b64);
}

/* A growing text. */
typedef struct page {
	char *s;
	size_t len, cap;
	bool failed;
} page_t;

static void add(page_t *p, const char *s, size_t n)
{
	if (p->failed)
		return;
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4096;
		char *v;
		while (p->len + n + 1 > cap)
			cap *= 2;
		v = realloc(p->s, cap);
		if (!v) {
			p->failed = true;
			return;
		}
		p->s = v;
		p->cap = cap;
	}
	memcpy(p->s + p->len, s, n);
	p->len += n;
	p->s[p->len] = '\0';
}

static void add_raw(page_t *p, const char *s)
{
	add(p, s, strlen(s));
}

/* Text as HTML: & < > " ' escaped. */
static void add_text(page_t *p, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': add_raw(p, "&amp;"); break;
		case '<': add_raw(p, "&lt;"); break;
		case '>': add_raw(p, "&gt;"); break;
		case '"': add_raw(p, "&quot;"); break;
		case '\'': add_raw(p, "&#39;"); break;
		default: add(p, s, 1);
		}
	}
}

/* "<tag attrs>text</tag>" with the text escaped. */
static void add_el(page_t *p, const char *open, const char *text, const char *close)
{
	add_raw(p, open);
	add_text(p, text);
	add_raw(p, close);
}

/* The page: valid or not (or too many tries), the unit's name, the day. */
static char *verify_page(const card_check_t *c, date_t today, int minutes)
{
	char day[DATE_STR_LEN], shown[16], wait[16];
	const char *state = minutes ? "limited" : c->valid ? "valid" : "invalid";
	page_t p = { 0 };

	date_format(today, day);
	/* 2026-05-04 -> 04/05/2026, as people write a day here */
	snprintf(shown, sizeof(shown), "%.2s/%.2s/%.4s", day + 8, day + 5, day);
	snprintf(wait, sizeof(wait), "%d", minutes);
	add_raw(&p, "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		    "<meta name=\"robots\" content=\"noindex\">");
	add_el(&p, "<title>", word(0, "verify.title"), "</title>");
	/* the style as it is (its hash is in the policy; it holds no "<") */
	add_raw(&p, "<style>");
	add_raw(&p, STYLE);
	add_raw(&p, "</style></head><body>");
	add_raw(&p, c->valid ? "<main class=\"ok\"" : "<main class=\"bad\"");
	add_raw(&p, " data-testid=\"verify\" data-state=\"");
	add_raw(&p, state);
	add_raw(&p, "\">");
	add_el(&p, "<p class=\"muted\">", word(0, "app.tagline"), "</p>");
	if (minutes) {
		add_el(&p, "<h1 data-testid=\"verify-result\">", word(0, "verify.limited"), "</h1>");
		add_el(&p, "<p>", word(0, "verify.limited_hint"), " ");
		add_el(&p, "<span data-testid=\"verify-minutes\">", wait, "</span></p>");
	} else if (c->valid) {
		add_el(&p, "<h1 data-testid=\"verify-result\">", word(0, "verify.valid"), "</h1>");
		add_el(&p, "<p class=\"muted\">", word(0, "verify.unit"), "</p>");
		add_el(&p, "<p class=\"unit\" data-testid=\"verify-unit\">", c->unit.name_vi, "</p>");
	} else {
		add_el(&p, "<h1 data-testid=\"verify-result\">", word(0, "verify.invalid"), "</h1>");
		add_el(&p, "<p>", word(0, "verify.invalid_hint"), "</p>");
	}
	add_el(&p, "<p class=\"muted\">", word(0, "verify.on"), " ");
	add_el(&p, "<span data-testid=\"verify-day\">", shown, "</span></p>");
	/* the same, in English, for a visitor */
	add_raw(&p, "<div class=\"en\" lang=\"en\">");
	add_el(&p, "<p><strong>", word(1, minutes ? "verify.limited" : c->valid ? "verify.valid" : "verify.invalid"),
	       "</strong>");
	if (c->valid && !minutes) {
		add_raw(&p, " · ");
		add_text(&p, c->unit.name_en[0] ? c->unit.name_en : c->unit.name_vi);
	}
	add_raw(&p, "</p></div></main></body></html>\n");
	if (p.failed) {
		free(p.s);
		return NULL;
	}
	return p.s;
}

/* JSON when the client asks for it (Accept names application/json),
 * else the page. */
static bool wants_json(const api_req_t *req)
{
	const char *accept = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Accept");
	return accept && strstr(accept, "application/json") != NULL;
}

static int answer(api_req_t *req, api_resp_t *resp, const card_check_t *c, int minutes, err_t *e)
{
	if (wants_json(req)) {
		if (minutes)
			return err_fail(e, ERR_TOO_MANY, "too_many_requests",
					"too many cards checked that were not ours: try again in {minutes} minute(s)",
					ERR_INT("minutes", minutes));
		resp->body = json_pack("{s:b, s:o, s:o}", "valid", c->valid, "as_of", json_date(req->today), "unit",
				       c->valid ? json_pack("{s:s, s:s}", "name_vi", c->unit.name_vi, "name_en",
							    c->unit.name_en)
						: json_null());
		return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	resp->text = verify_page(c, req->today, minutes);
	if (!resp->text)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	resp->content_type = "text/html; charset=utf-8";
	page_csp(resp->csp, sizeof(resp->csp));
	if (minutes)
		resp->status = 429;
	return 0;
}

static int get_verify(api_req_t *req, api_resp_t *resp, err_t *e)
{
	char key[96];
	int64_t now = (int64_t)time(NULL), tries = 0, wait = 0;
	card_check_t c = { 0 };

	snprintf(key, sizeof(key), "verify:%s", req->client_addr);
	if (throttle_count(req->db, key, now, &tries, &wait, e))
		return -1;
	if (tries >= THROTTLE_PER_ADDRESS) {
		resp->retry_after = (int)(wait > 0 ? wait : 1);
		return answer(req, resp, &c, (int)((resp->retry_after + 59) / 60), e);
	}
	if (card_check(req->db, req->params[0], req->today, &c, e))
		return -1;
	if (c.forged && throttle_note(req->db, key, now, e))
		return -1;
	return answer(req, resp, &c, 0, e);
}

const api_route_t API_CARD_ROUTES[] = {
	{ "GET", "/api/v1/members/{}/card", get_member_card, ROUTE_WRITES },
	{ "POST", "/api/v1/card-keys/rotate", post_rotate, ROUTE_LOCKED },
	{ "GET", "/verify/{}", get_verify, ROUTE_PUBLIC | ROUTE_WRITES },
	{ NULL, NULL, NULL, 0 },
};
