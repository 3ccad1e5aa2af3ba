/*
 * members.c - the member registry's routes (docs/members.md, docs/api.md):
 * add a member, list and search the members of a subtree on a day, read
 * one member with her history.
 *
 * A member lies in the caller's scope when her last unit does (the one
 * she is in today, or the one she left from), whatever the day asked. Sensitive data (ethnicity,
 * religion, ID number, household circumstances: Law 91/2025/QH15) appear
 * only on a member's own page: masked without sensitive.read, and every
 * unmasked read leaves an audit row. Lists carry none of it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/words.h"
#include "core/person.h"
#include "core/text.h"
#include "io/member_json.h"
#include "io/stats_xlsx.h"
#include "io/unit_json.h"
#include "store/member_stats.h"
#include "store/imports.h"
#include "store/members.h"
#include "store/org_store.h"
#include "store/privacy.h"

/* ---- reading a body ---- */

/* JSON member key of body as a field's value. */
static mval_t member_of(json_t *body, const char *key)
{
	mval_t v;

	api_value_of(json_object_get(body, key), &v);
	return v;
}

/* The date v named key (absent: today) of a change, which is recorded on
 * the day it happens or later, never ahead: after_today (date). A typo
 * such as 2062 for 2026 would otherwise lock her history, since later
 * changes must follow it. */
static int change_date_value(const mval_t *v, const char *key, date_t today, date_t *d, err_t *e)
{
	if (api_value_date(v, key, today, d, e))
		return -1;
	if (*d > today)
		return err_field(e, key, "after_today", "is after today ({date})", ERR_DATE("date", today));
	return 0;
}

static int change_date(json_t *body, const char *key, date_t today, date_t *d, err_t *e)
{
	mval_t v = member_of(body, key);

	return change_date_value(&v, key, today, d, e);
}

/* An optional free-text field into dst (PERSON_TEXT_BUF): NFC, without
 * the blanks around it, so that the same words are stored the same way
 * whatever keyboard typed them. */
static void text_field(const mval_t *v, const char *key, char *dst, err_t *e)
{
	char *nfc = NULL;
	const char *from;
	size_t len;

	if (api_value_str(v, key, false, PERSON_TEXT_MAX, dst, PERSON_TEXT_BUF, e) || !*dst)
		return;
	if (text_nfc(dst, &nfc)) {
		dst[0] = '\0';
		err_field(e, key, "not_text", "must be text without control characters");
		return;
	}
	from = nfc + strspn(nfc, " \t\r\n");
	len = strlen(from);
	while (len && strchr(" \t\r\n", from[len - 1]))
		len--;
	if (len >= PERSON_TEXT_BUF)
		err_field(e, key, "too_many_bytes", "is too long (at most {max} bytes of UTF-8)",
			  ERR_INT("max", PERSON_TEXT_BUF - 1));
	else {
		memcpy(dst, from, len);
		dst[len] = '\0';
	}
	free(nfc);
}

/* An optional boolean (absent or null: false). */
static bool bool_value(const mval_t *v, const char *key, err_t *e)
{
	if (v->kind == MVAL_ABSENT)
		return false;
	if (v->kind != MVAL_TRUE && v->kind != MVAL_FALSE) {
		err_field(e, key, "not_a_boolean", "must be true or false");
		return false;
	}
	return v->kind == MVAL_TRUE;
}

static bool bool_field(json_t *body, const char *key, err_t *e)
{
	mval_t v = member_of(body, key);

	return bool_value(&v, key, e);
}

/* An optional enumeration read by parse (absent or null: def). */
static int enum_value(const mval_t *v, const char *key, const char *allowed, int (*parse)(const char *, int *),
		      int def, err_t *e)
{
	int out = def;

	if (v->kind == MVAL_ABSENT)
		return def;
	if (v->kind != MVAL_TEXT)
		err_field(e, key, "not_a_string", "must be a string");
	else if (parse(v->text, &out) != 0)
		err_field(e, key, "not_one_of", "'{value}' is not one of {allowed}", ERR_STR("value", v->text),
			  ERR_STR("allowed", allowed));
	return out;
}

static int enum_field(json_t *body, const char *key, const char *allowed, int (*parse)(const char *, int *), int def,
		      err_t *e)
{
	mval_t v = member_of(body, key);

	return enum_value(&v, key, allowed, parse, def, e);
}

static int parse_sex(const char *s, int *out)
{
	person_sex_t v = SEX_FEMALE;
	int r = person_sex_parse(s, &v);
	*out = (int)v;
	return r;
}

static int parse_kind(const char *s, int *out)
{
	member_kind_t v = MEMBER_REGULAR;
	int r = member_kind_parse(s, &v);
	*out = (int)v;
	return r;
}

/* The free-text fields of a record, where each goes in person_t. */
static const struct {
	mcol_t field;
	size_t at;
} TEXT_FIELDS[] = {
	{ MCOL_RELIGION, offsetof(person_t, religion) },
	{ MCOL_EDUCATION, offsetof(person_t, education) },
	{ MCOL_QUALIFICATION, offsetof(person_t, qualification) },
	{ MCOL_POLITICAL_THEORY, offsetof(person_t, political_theory) },
	{ MCOL_OCCUPATION, offsetof(person_t, occupation) },
	{ MCOL_HAMLET, offsetof(person_t, hamlet) },
	{ MCOL_STREET, offsetof(person_t, street) },
	{ MCOL_CIRCUMSTANCES, offsetof(person_t, circumstances) },
	{ MCOL_NOTES, offsetof(person_t, notes) },
};

void api_member_check(const member_fields_t *f, date_t today, person_t *p, member_kind_t *kind, char *unit_code,
		      size_t unit_cap, date_t *joined, err_t *e)
{
	char name[PERSON_NAME_BUF + 64], id[64] = "", phone[64] = "";
	char *nfc = NULL;
	bool has_birth = false;

	memset(p, 0, sizeof(*p));
	if (api_value_str(&f->v[MCOL_FULL_NAME], "full_name", true, PERSON_NAME_MAX, name, sizeof(name), e) == 0 &&
	    person_name(name, "full_name", &nfc, e) == 0)
		(void)ub_strlcpy(p->full_name, nfc, sizeof(p->full_name)); /* it fits: PERSON_NAME_MAX */
	free(nfc);
	if (f->v[MCOL_BIRTH_DATE].kind == MVAL_ABSENT)
		err_field(e, "birth_date", "required", "is required");
	else
		has_birth = api_value_date(&f->v[MCOL_BIRTH_DATE], "birth_date", 0, &p->birth_date, e) == 0 &&
			    person_check_birth(p->birth_date, today, "birth_date", e) == 0;
	p->sex = (person_sex_t)enum_value(&f->v[MCOL_SEX], "sex", "female, male", parse_sex, SEX_FEMALE, e);
	*kind = (member_kind_t)enum_value(&f->v[MCOL_KIND], "kind", "member, honorary", parse_kind, MEMBER_REGULAR, e);
	if (*kind == MEMBER_REGULAR && p->sex == SEX_MALE)
		err_field(e, "sex", "not_one_of", "a member is a woman (a man may be an honorary member)",
			  ERR_STR("value", "male"), ERR_STR("allowed", "female"));
	api_value_str(&f->v[MCOL_UNIT], "unit", true, UNIT_CODE_MAX, unit_code, unit_cap, e);
	if (change_date_value(&f->v[MCOL_JOINED_ON], "joined_on", today, joined, e))
		*joined = 0;
	if (has_birth && *joined)
		person_check_join_age(p->birth_date, *joined, *kind, "joined_on", e);
	api_value_str(&f->v[MCOL_ETHNICITY], "ethnicity", false, 7, p->ethnicity, sizeof(p->ethnicity), e);
	if (api_value_str(&f->v[MCOL_ID_NUMBER], "id_number", false, 40, id, sizeof(id), e) == 0 && id[0])
		person_id_number(id, has_birth, p->birth_date, p->sex, *kind, "id_number", p->id_number, &p->id_kind, e);
	if (api_value_str(&f->v[MCOL_PHONE], "phone", false, 40, phone, sizeof(phone), e) == 0 && phone[0])
		person_phone(phone, "phone", p->phone, e);
	for (size_t i = 0; i < sizeof(TEXT_FIELDS) / sizeof(TEXT_FIELDS[0]); i++)
		text_field(&f->v[TEXT_FIELDS[i].field], mcol_key(TEXT_FIELDS[i].field), (char *)p + TEXT_FIELDS[i].at, e);
	p->digital = bool_value(&f->v[MCOL_DIGITAL], "digital", e);
	p->party_member = bool_value(&f->v[MCOL_PARTY_MEMBER], "party_member", e);
}

void api_member_fields(json_t *body, member_fields_t *out)
{
	for (int c = 0; c < MCOL_COUNT; c++)
		if (c == MCOL_NONE || c == MCOL_SEQ)
			out->v[c] = (mval_t){ .kind = MVAL_ABSENT };
		else
			api_value_of(json_object_get(body, mcol_key((mcol_t)c)), &out->v[c]);
}

void api_member_read(json_t *body, date_t today, person_t *p, member_kind_t *kind, char *unit_code, size_t unit_cap,
		     date_t *joined, err_t *e)
{
	member_fields_t f;

	api_member_fields(body, &f);
	api_member_check(&f, today, p, kind, unit_code, unit_cap, joined, e);
}

/* ---- routes ---- */

#define DUPLICATES_MAX 10

static json_t *member_answer(api_req_t *req, int64_t id, date_t d, err_t *e);
static int add_origins(api_req_t *req, json_t *j, int64_t id, err_t *e);
static int add_dues(api_req_t *req, json_t *j, int64_t id, err_t *e);

/* "possible_duplicates": the records in the caller's scope that may be the
 * same person (member_duplicates), for her to look at; added, not refused.
 * Records outside her scope are not named. */
static int add_duplicates(api_req_t *req, json_t *body, const person_t *p, int64_t unit_id, date_t d, err_t *e)
{
	member_t found[DUPLICATES_MAX];
	json_t *list = json_array();
	size_t n = 0;

	if (!list || member_duplicates(req->db, p, unit_id, d, found, DUPLICATES_MAX, &n, e)) {
		json_decref(list);
		return list ? -1 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		if (api_id_in_scope(req, found[i].m.unit.id))
			json_array_append_new(list, member_head_json(&found[i]));
	json_object_set_new(body, "possible_duplicates", list);
	return 0;
}

/* The unit with code on d, in *u; 422 not_found on field when there is
 * none that day (in scope today perhaps, but not there yet, or no more).
 * Returns 0, or -1 with e. */
static int unit_on_day(api_req_t *req, const char *code, date_t d, const char *field, unit_t *u, err_t *e)
{
	if (!org_unit_get(req->db, code, d, u, e))
		return 0;
	if (e->kind != ERR_NOT_FOUND)
		return -1;
	err_clear(e);
	err_field(e, field, "not_found", "no unit with code {value} on {date}", ERR_STR("value", code),
		  ERR_DATE("date", d));
	return err_fail(e, ERR_INVALID, "invalid", "no unit with code {ref} on {date}", ERR_STR("ref", code),
			ERR_DATE("date", d));
}

/* With other fields refused, what is wrong with the unit too, so that the
 * form shows every problem at once: its details join e's, as of the day
 * she joins (today when that day is refused). Nothing to add when the unit
 * is missing or refused already. Returns -1 only
 * when the store fails (e then holds that). */
static int unit_details(api_req_t *req, const char *code, date_t d, err_t *e)
{
	unit_t u;
	err_t probe;

	if (!code[0] || err_has_detail(e, "unit"))
		return 0;
	if (!d || err_has_detail(e, "joined_on"))
		d = req->today; /* the day of joining refused: today's tree says what it is */
	err_clear(&probe);
	if (!api_parent_in_scope(req, code, d, "unit", &probe) && !unit_on_day(req, code, d, "unit", &u, &probe) &&
	    !member_check_unit(req->db, u.id, d, &probe))
		return 0;
	if (!probe.n_details) {
		*e = probe;
		return -1;
	}
	for (int i = 0; i < probe.n_details; i++)
		err_field_copy(e, "", &probe.details[i]);
	return 0;
}

/* A former member p joins unit_code (in the caller's scope) again on d,
 * as kind: a member is a woman of age on d (field date_field); the unit
 * must exist on d. */
static int rejoin_into(api_req_t *req, const person_t *p, const char *unit_code, member_kind_t kind, date_t d,
		       const char *date_field, err_t *e)
{
	unit_t u;

	if (kind == MEMBER_REGULAR && p->sex == SEX_MALE)
		err_field(e, "kind", "not_one_of", "a member is a woman (a man may be an honorary member)",
			  ERR_STR("value", "member"), ERR_STR("allowed", "honorary"));
	person_check_join_age(p->birth_date, d, kind, date_field, e);
	if (api_check_details(e) || api_parent_in_scope(req, unit_code, d, "unit", e) ||
	    unit_on_day(req, unit_code, d, "unit", &u, e))
		return -1;
	return member_rejoin(req->db, &req->who, p->id, u.id, kind, d, e);
}

/* Whether the record id is the former member the form describes: her
 * name (folded: marks, case and spacing aside) and date of birth are the
 * record's, and she did not die. Returns 0 with *same, or -1 with e. */
static int is_former_member(api_req_t *req, int64_t id, const person_t *given, date_t d, bool *same, err_t *e)
{
	char *a = NULL, *b = NULL;
	membership_t *h = NULL;
	size_t n = 0;
	member_t m;
	int r = 0;

	*same = false;
	if (member_get(req->db, id, d, &m, e) || member_history(req->db, id, &h, &n, e))
		return -1;
	if (text_fold(given->full_name, &a) || text_fold(m.p.full_name, &b))
		r = err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	else
		*same = strcmp(a, b) == 0 && m.p.birth_date == given->birth_date &&
			!(n && strcmp(h[n - 1].end_reason, "died") == 0);
	free(a);
	free(b);
	free(h);
	return r;
}

/* POST /api/v1/members with "rejoin": true: the former member whose ID
 * number, name and date of birth the form gives (the officer has her
 * papers in hand) joins the caller's unit again, whichever unit she left;
 * her record stays as it was. One answer for every mismatch (no record
 * holds the number, or hers has another name or date of birth, or says she
 * died): 422 no_former_member on id_number, which tells a guesser nothing; 409
 * id_number_taken when she is a member today (her unit transfers her), as
 * a new record with that number is told. */
static int rejoin_by_id_number(api_req_t *req, api_resp_t *resp, const person_t *given, const char *unit_code,
			       member_kind_t kind, date_t d, err_t *e)
{
	bool current = false, same = false;
	int64_t id = 0;
	member_t m;

	if (!given->id_number[0]) {
		err_field(e, "id_number", "required", "is required to find her record");
		return api_check_details(e);
	}
	if (member_by_id_number(req->db, given->id_number, &id, &current, e))
		return -1;
	if (id && current)
		return err_fail(e, ERR_CONFLICT, "id_number_taken", "ID number {value} is another person's",
				ERR_STR("value", given->id_number));
	if (id && is_former_member(req, id, given, d, &same, e))
		return -1;
	if (!same) {
		err_field(e, "id_number", "no_former_member",
			  "no former member's record holds ID number {value} with this name and date of birth",
			  ERR_STR("value", given->id_number));
		return api_check_details(e);
	}
	if (member_get(req->db, id, d, &m, e) || rejoin_into(req, &m.p, unit_code, kind, d, "joined_on", e))
		return -1;
	resp->status = 201;
	resp->body = member_answer(req, id, d, e);
	if (!resp->body)
		return -1;
	json_object_set_new(resp->body, "rejoined", json_true());
	return 0;
}

static int post_member(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "full_name", "birth_date", "sex", "kind", "unit", "joined_on",
					       "ethnicity", "id_number", "phone", "religion", "education",
					       "qualification", "political_theory", "occupation", "hamlet", "street",
					       "circumstances", "digital", "party_member", "notes", "rejoin", NULL };
	char unit_code[UNIT_CODE_MAX * 4 + 8] = "";
	member_kind_t kind = MEMBER_REGULAR;
	date_t joined = 0;
	json_t *body;
	bool rejoin;
	unit_t unit;
	person_t p;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	rejoin = bool_field(body, "rejoin", e);
	api_member_read(body, req->today, &p, &kind, unit_code, sizeof(unit_code), &joined, e);
	json_decref(body);
	if (!rejoin && e->n_details && unit_details(req, unit_code, joined, e))
		return -1;
	if (api_check_details(e))
		return -1;
	if (rejoin)
		return rejoin_by_id_number(req, resp, &p, unit_code, kind, joined, e);
	if (api_parent_in_scope(req, unit_code, joined, "unit", e) ||
	    unit_on_day(req, unit_code, joined, "unit", &unit, e))
		return -1;
	if (member_add(req->db, &req->who, &p, unit.id, kind, joined, e))
		return -1;
	resp->status = 201;
	resp->body = member_answer(req, p.id, joined, e);
	if (!resp->body)
		return -1;
	return add_duplicates(req, resp->body, &p, unit.id, joined, e);
}

/* A query argument that must be one of list (NULL-ended): its index + 1
 * in *out, 0 when absent; 400 naming the argument otherwise. */
int api_member_filters(api_req_t *req, member_query_t *q, err_t *e)
{
	static const char *const KINDS[] = { "member", "honorary", NULL };
	static const char *const YESNO[] = { "true", "false", NULL };
	const char *eth = api_query(req, "ethnicity"), *circ = api_query(req, "circumstance");

	if (api_query_choice(req, "kind", KINDS, "member, honorary", &q->kind, e) ||
	    api_query_choice(req, "digital", YESNO, "true, false", &q->digital, e) ||
	    api_query_int(req, "age_min", 0, 0, PERSON_MAX_AGE, &q->age_min, e) ||
	    api_query_int(req, "age_max", 0, 0, PERSON_MAX_AGE, &q->age_max, e) ||
	    api_query_int(req, "dues_unpaid", 0, DUES_YEAR_MIN, DUES_YEAR_MAX, &q->dues_unpaid, e))
		return -1;
	if (eth && *eth) {
		if (!access_allows(req->who.roles, PERM_SENSITIVE_READ))
			return err_fail(e, ERR_FORBIDDEN, "forbidden", "you lack the permission {permission}",
					ERR_STR("permission", "sensitive.read"));
		if (strlen(eth) > 7)
			return err_fail(e, ERR_BAD_REQUEST, "bad_request", "ethnicity is a code", ERR_STR("arg", "ethnicity"));
		q->ethnicity = eth;
	}
	if (circ && *circ) {
		if (strlen(circ) > 40 || strspn(circ, "abcdefghijklmnopqrstuvwxyz_") != strlen(circ))
			return err_fail(e, ERR_BAD_REQUEST, "bad_request", "circumstance is a word of a-z and _",
					ERR_STR("arg", "circumstance"));
		if (!access_allows(req->who.roles, PERM_SENSITIVE_READ))
			return err_fail(e, ERR_FORBIDDEN, "forbidden", "you lack the permission {permission}",
					ERR_STR("permission", "sensitive.read"));
		q->circumstance = circ;
	}
	return 0;
}

static int get_members(api_req_t *req, api_resp_t *resp, err_t *e)
{
	member_query_t q = { .scope = &req->who };
	const char *unit = api_query(req, "unit"), *sort = api_query(req, "sort");
	member_list_t l;
	json_t *items;
	unit_t u;

	if (api_query_date(req, "as_of", req->today, &q.as_of, e) ||
	    api_query_int(req, "limit", 50, 1, ORG_PAGE_MAX, &q.limit, e))
		return -1;
	if (sort && *sort && strcmp(sort, "name") != 0) {
		err_field(e, "sort", "not_one_of", "must be one of {allowed}", ERR_STR("value", sort),
			  ERR_STR("allowed", "name"));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "sort must be name", ERR_STR("arg", "sort"));
	}
	if (api_require(req, PERM_RECORD_READ, e) || api_member_filters(req, &q, e))
		return -1;
	if (unit && *unit) {
		if (api_unit_in_scope(req, unit, q.as_of, &u, e))
			return -1;
		q.unit_id = u.id;
	}
	q.q = api_query(req, "q");
	/* the beginning of an ID number would tell it digit by digit to one
	 * who may not read it: without sensitive.read, only the whole one */
	q.id_prefix = access_allows(req->who.roles, PERM_SENSITIVE_READ);
	q.cursor = api_query(req, "cursor");
	if (member_list(req->db, &q, &l, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++)
		json_array_append_new(items, member_head_json(&l.items[i]));
	resp->body = json_pack("{s:o, s:o, s:o}", "as_of", json_date(q.as_of), "items", items, "next",
			       l.next[0] ? json_string(l.next) : json_null());
	member_list_free(&l);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* The id in the path: digits only, else not found (like an unknown id). */
static int path_id(const char *s, int64_t *id, err_t *e)
{
	char *end = NULL;
	long long v;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18 || (v = strtoll(s, &end, 10)) <= 0)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no member with id {ref}", ERR_STR("ref", s ? s : ""));
	*id = v;
	return 0;
}

/* A member's unit for the scope check: her last stay's (the one that
 * holds today, or the one she left from), whatever the day asked. A unit
 * she has moved away from no longer reads or changes her record: it holds
 * today's data, which her new unit keeps. */
static int64_t member_unit(const membership_t *h, size_t n)
{
	return n ? h[n - 1].unit.id : 0;
}

bool api_own_record(const api_req_t *req, int64_t person_id)
{
	return person_id > 0 && req->who.person_id == person_id && (req->who.roles & ROLE_MEMBER);
}

int api_member_readable(api_req_t *req, const char *ref, date_t d, int64_t *id, bool *self, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	member_t m;
	bool in;

	*self = false;
	/* her own record: a member's account reaches it and nothing else */
	if (req->who.person_id && req->who.roles & ROLE_MEMBER && path_id(ref, id, &(err_t){ 0 }) == 0 &&
	    api_own_record(req, *id)) {
		*self = true;
		return 0;
	}
	if (api_require(req, PERM_RECORD_READ, e) || path_id(ref, id, e) || member_get(req->db, *id, d, &m, e) ||
	    member_history(req->db, *id, &h, &n, e))
		return -1;
	in = api_id_in_scope(req, member_unit(h, n));
	free(h);
	if (!in)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no member with id {ref}", ERR_STR("ref", ref));
	return 0;
}

int api_member_in_scope(api_req_t *req, int64_t id, bool *yes, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	member_t m;
	err_t probe;

	*yes = false;
	err_clear(&probe);
	if (member_get(req->db, id, req->today, &m, &probe)) {
		if (probe.kind == ERR_NOT_FOUND)
			return 0;
		*e = probe;
		return -1;
	}
	if (member_history(req->db, id, &h, &n, e))
		return -1;
	*yes = api_id_in_scope(req, member_unit(h, n));
	free(h);
	return 0;
}

static int get_member(api_req_t *req, api_resp_t *resp, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	int64_t id = 0, unit_id;
	bool unmasked = access_allows(req->who.roles, PERM_SENSITIVE_READ), self = false;
	date_t d;
	member_t m;
	char rid[24];

	if (api_query_date(req, "as_of", req->today, &d, e) || api_member_readable(req, req->params[0], d, &id, &self, e) ||
	    member_get(req->db, id, d, &m, e) || member_history(req->db, id, &h, &n, e))
		return -1;
	unit_id = member_unit(h, n);
	snprintf(rid, sizeof(rid), "%lld", (long long)id);
	/* every read of her sensitive data by someone else is on record (Law
	 * 91/2025/QH15); she sees her own whole, as her right of access */
	if (self)
		unmasked = true;
	else if (unmasked && member_audit_read(req->db, &req->who, unit_id, rid, e)) {
		free(h);
		return -1;
	}
	resp->body = member_json(&m, h, n, unmasked);
	free(h);
	if (!resp->body)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	return add_dues(req, resp->body, id, e) || add_origins(req, resp->body, id, e) ? -1 : 0;
}

/* ---- leaving and transfers ---- */

static const char *const LEAVE_REASONS[] = { "moved_away", "married_away", "left", "died", NULL };
#define LEAVE_REASON_LIST "moved_away, married_away, left, died"

/* Member `ref` (the path's id) for a change dated d: in the caller's scope
 * by her unit on d (a former member: her last), else 404 like an unknown
 * id; her record into *m. */
static int member_for_change(api_req_t *req, const char *ref, date_t d, member_t *m, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	int64_t id = 0;
	bool in;

	if (path_id(ref, &id, e) || member_get(req->db, id, d, m, e) || member_history(req->db, id, &h, &n, e))
		return -1;
	in = api_id_in_scope(req, member_unit(h, n));
	free(h);
	if (!in)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no member with id {ref}", ERR_STR("ref", ref));
	return 0;
}

/* "dues": her payments, on her record. */
static int add_dues(api_req_t *req, json_t *j, int64_t id, err_t *e)
{
	dues_payment_t *v = NULL;
	size_t n = 0;
	json_t *a;

	if (dues_list(req->db, id, &v, &n, e))
		return -1;
	a = dues_json(v, n);
	free(v);
	if (!a)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	json_object_set_new(j, "dues", a);
	return 0;
}

/* Her record as of d, with her history, as the answer's member. */
/* "imports": the imports that created or changed her record, and the
 * line of each file (store/imports.h). */
static int add_origins(api_req_t *req, json_t *j, int64_t id, err_t *e)
{
	import_origin_t *v = NULL;
	json_t *a;
	size_t n = 0;

	if (import_origins(req->db, id, &v, &n, e))
		return -1;
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s}", "import_id",
						   (json_int_t)v[i].import_id, "file_name", v[i].file_name, "line",
						   (json_int_t)v[i].line, "action", v[i].action, "fields", v[i].fields,
						   "by", v[i].created_by, "at", v[i].created_at));
	free(v);
	if (!a)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	json_object_set_new(j, "imports", a);
	return 0;
}

static json_t *member_answer(api_req_t *req, int64_t id, date_t d, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	member_t m;
	json_t *j;

	bool unmasked = access_allows(req->who.roles, PERM_SENSITIVE_READ);
	char rid[24];

	if (member_get(req->db, id, d, &m, e) || member_history(req->db, id, &h, &n, e))
		return NULL;
	snprintf(rid, sizeof(rid), "%lld", (long long)id);
	/* the answer of a change shows her sensitive data as a read does */
	if (unmasked && member_audit_read(req->db, &req->who, member_unit(h, n), rid, e)) {
		free(h);
		return NULL;
	}
	j = member_json(&m, h, n, unmasked);
	free(h);
	if (!j) {
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	if (add_dues(req, j, id, e) || add_origins(req, j, id, e)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static bool one_of(const char *v, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(v, list[i]))
			return true;
	return false;
}

/* PATCH: the record's fields she may correct; a membership changes through
 * leave and transfer, never here. */
static const char *const PATCH_FIELDS[] = { "full_name", "birth_date", "sex", "ethnicity", "id_number", "phone",
					    "religion", "education", "qualification", "political_theory",
					    "occupation", "hamlet", "street", "circumstances", "digital",
					    "party_member", "notes", NULL };

/* Her record as a request body with the patch laid over it, so that the
 * rules of a new member's body (api_member_read) check the result whole:
 * a new date of birth against her ID number and the day she joined. */
static json_t *patched_body(const member_t *m, const membership_t *stay, json_t *patch)
{
	json_t *j = member_json(m, NULL, 0, true);

	if (!j)
		return NULL;
	json_object_set_new(j, "unit", json_string(stay->unit.code));
	json_object_set_new(j, "joined_on", json_date(stay->valid_from));
	json_object_set_new(j, "kind", json_string(member_kind_name(stay->kind)));
	json_object_update(j, patch);
	return j;
}

int api_member_merge(db_t *db, const principal_t *who, int64_t id, json_t *patch, person_t *out, err_t *e)
{
	char unit_code[UNIT_CODE_MAX * 4 + 8];
	membership_t *h = NULL;
	json_t *merged = NULL;
	member_kind_t kind;
	size_t n = 0;
	date_t joined = 0;
	member_t m;
	int r = -1;

	if (member_get(db, id, who->today, &m, e) || member_history(db, id, &h, &n, e))
		return -1;
	/* her stay today, else her last */
	merged = n ? patched_body(&m, m.current ? &m.m : &h[n - 1], patch) : NULL;
	if (!merged) {
		err_fail(e, ERR_INTERNAL, NULL, "a record without a stay, or out of memory");
	} else {
		api_member_read(merged, who->today, out, &kind, unit_code, sizeof(unit_code), &joined, e);
		out->id = m.p.id;
		r = api_check_details(e);
	}
	json_decref(merged);
	free(h);
	return r;
}

int api_member_patch(db_t *db, const principal_t *who, int64_t id, json_t *patch, err_t *e)
{
	person_t p;

	api_only(patch, PATCH_FIELDS, "", e);
	if (api_check_details(e) || api_member_merge(db, who, id, patch, &p, e))
		return -1;
	return member_update(db, who, &p, e);
}

static int patch_member(api_req_t *req, api_resp_t *resp, err_t *e)
{
	json_t *body;
	member_t m;
	int r;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	r = member_for_change(req, req->params[0], req->today, &m, e) ||
	    api_member_patch(req->db, &req->who, m.p.id, body, e) ? -1 : 0;
	json_decref(body);
	if (r)
		return -1;
	resp->body = member_answer(req, m.p.id, req->today, e);
	return resp->body ? 0 : -1;
}

static int post_leave(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "date", "reason", NULL };
	char reason[32] = "";
	json_t *body;
	date_t d = 0;
	member_t m;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	change_date(body, "date", req->today, &d, e);
	if (api_str(body, "reason", true, 20, reason, sizeof(reason), e) == 0 && !one_of(reason, LEAVE_REASONS))
		err_field(e, "reason", "not_one_of", "'{value}' is not one of {allowed}", ERR_STR("value", reason),
			  ERR_STR("allowed", LEAVE_REASON_LIST));
	json_decref(body);
	if (api_check_details(e) || member_for_change(req, req->params[0], d, &m, e) ||
	    member_end_stay(req->db, &req->who, m.p.id, d, reason, 0, e))
		return -1;
	resp->body = member_answer(req, m.p.id, d - 1, e);
	return resp->body ? 0 : -1;
}

/* A former member joins again, in a branch or group of the caller's scope
 * (her record in scope by the unit she left from): the rules of a new
 * member's joining (her age on the day, not before her birth). */
static int post_rejoin(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "unit", "date", "kind", NULL };
	char unit_code[UNIT_CODE_MAX * 4 + 8] = "";
	member_kind_t kind = MEMBER_REGULAR;
	json_t *body;
	date_t d = 0;
	member_t m;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	change_date(body, "date", req->today, &d, e);
	api_str(body, "unit", true, UNIT_CODE_MAX, unit_code, sizeof(unit_code), e);
	kind = (member_kind_t)enum_field(body, "kind", "member, honorary", parse_kind, MEMBER_REGULAR, e);
	json_decref(body);
	if (api_check_details(e) || member_for_change(req, req->params[0], d, &m, e) ||
	    rejoin_into(req, &m.p, unit_code, kind, d, "date", e))
		return -1;
	resp->body = member_answer(req, m.p.id, d, e);
	return resp->body ? 0 : -1;
}

/* The store names the receiving unit "unit" (as a new member's); this
 * request calls it "to", where the form shows what is wrong with it.
 * Returns -1. */
static int to_field(err_t *e)
{
	for (int i = 0; i < e->n_details; i++)
		if (!strcmp(e->details[i].field, "unit"))
			snprintf(e->details[i].field, sizeof(e->details[i].field), "to");
	return -1;
}

/* Inside her scope, the caller moves her at once; to a unit outside it,
 * she issues a transfer that the receiving unit accepts or refuses. */
static int post_transfer(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "to", "date", "note", NULL };
	char to[UNIT_CODE_MAX * 4 + 8] = "", note[NOTE_MAX * 4 + 1] = "";
	json_t *body, *member, *tj = NULL;
	int64_t tid = 0;
	transfer_t t;
	date_t d = 0;
	member_t m;
	unit_t u;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	change_date(body, "date", req->today, &d, e);
	api_str(body, "to", true, UNIT_CODE_MAX, to, sizeof(to), e);
	api_str(body, "note", false, NOTE_MAX, note, sizeof(note), e);
	json_decref(body);
	if (api_check_details(e) || member_for_change(req, req->params[0], d, &m, e) ||
	    unit_on_day(req, to, d, "to", &u, e))
		return -1;
	if (m.current && m.m.unit.id == u.id) {
		err_field(e, "to", "same_as_current", "is the unit she is in");
		return api_check_details(e);
	}
	if (api_id_in_scope(req, u.id)) {
		if (member_end_stay(req->db, &req->who, m.p.id, d, "transferred", u.id, e))
			return to_field(e);
	} else if (transfer_create(req->db, &req->who, m.p.id, d, u.id, note, &tid, e) ||
		   transfer_get(req->db, tid, &t, e) || !(tj = transfer_json(&t))) {
		return e->kind ? to_field(e) : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	member = member_answer(req, m.p.id, d, e);
	if (!member) {
		json_decref(tj);
		return -1;
	}
	resp->status = tj ? 201 : 200;
	resp->body = json_pack("{s:o, s:o}", "member", member, "transfer", tj ? tj : json_null());
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int get_transfers(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *box = api_query(req, "box"), *status = api_query(req, "status");
	static const char *const STATUSES[] = { "pending", "accepted", "refused", "cancelled", NULL };
	transfer_list_t l;
	json_t *items;
	int limit;

	if (api_query_int(req, "limit", 100, 1, ORG_PAGE_MAX, &limit, e))
		return -1;
	if (box && *box && strcmp(box, "in") != 0 && strcmp(box, "out") != 0) {
		err_field(e, "box", "not_one_of", "'{value}' is not one of {allowed}", ERR_STR("value", box),
			  ERR_STR("allowed", "in, out"));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "box must be in or out", ERR_STR("arg", "box"));
	}
	if (status && *status && !one_of(status, STATUSES)) {
		err_field(e, "status", "not_one_of", "'{value}' is not one of {allowed}", ERR_STR("value", status),
			  ERR_STR("allowed", "pending, accepted, refused, cancelled"));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "unknown status", ERR_STR("arg", "status"));
	}
	if (api_require(req, PERM_RECORD_READ, e) ||
	    transfer_list(req->db, &req->who, !box || !*box || !strcmp(box, "in"), status && *status ? status : NULL,
			  limit, &l, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++)
		json_array_append_new(items, transfer_json(&l.items[i]));
	transfer_list_free(&l);
	resp->body = json_pack("{s:o}", "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* Decides transfer `ref`: the receiving unit accepts or refuses, the
 * sending unit cancels; a transfer whose deciding side lies outside the
 * caller's scope is 404 like an unknown id. */
static int decide(api_req_t *req, api_resp_t *resp, transfer_decision_t what, err_t *e)
{
	static const char *const allowed[] = { "date", "reason", NULL };
	char reason[NOTE_MAX * 4 + 1] = "";
	json_t *body;
	int64_t id = 0;
	transfer_t t;
	date_t d = 0;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	change_date(body, "date", req->today, &d, e);
	api_str(body, "reason", what == TRANSFER_REFUSE, NOTE_MAX, reason, sizeof(reason), e);
	json_decref(body);
	if (api_check_details(e) || path_id(req->params[0], &id, e))
		return -1;
	if (transfer_get(req->db, id, &t, e))
		return -1;
	if (!api_id_in_scope(req, what == TRANSFER_CANCEL ? t.from.id : t.to.id))
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no transfer with id {ref}", ERR_STR("ref", req->params[0]));
	/* the receiving unit takes her on the day asked or later: an earlier
	 * day would rewrite the sending unit's figures */
	if (what == TRANSFER_ACCEPT && d < t.date) {
		err_field(e, "date", "before_issued", "is before the day the transfer was issued for ({date})",
			  ERR_DATE("date", t.date));
		return api_check_details(e);
	}
	if (transfer_decide(req->db, &req->who, id, what, d, reason, e) || transfer_get(req->db, id, &t, e))
		return -1;
	resp->body = transfer_json(&t);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int post_accept(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return decide(req, resp, TRANSFER_ACCEPT, e);
}

static int post_refuse(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return decide(req, resp, TRANSFER_REFUSE, e);
}

static int post_cancel(api_req_t *req, api_resp_t *resp, err_t *e)
{
	return decide(req, resp, TRANSFER_CANCEL, e);
}

/* ---- dues ---- */

/* The year in the path: DUES_YEAR_MIN..DUES_YEAR_MAX, else 404 (no such
 * resource) like an unknown id. */
static int path_year(const char *s, int *year, err_t *e)
{
	char *end = NULL;
	long v = strtol(s ? s : "", &end, 10);

	if (!s || !*s || *end || strlen(s) != 4 || v < DUES_YEAR_MIN || v > DUES_YEAR_MAX)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no year {ref}", ERR_STR("ref", s ? s : ""));
	*year = (int)v;
	return 0;
}

/* {"unit","year","amount","set_by"}: the dues that apply to u in year (its
 * own or its nearest ancestor's, null when none is set). */
static int rate_answer(api_req_t *req, const unit_t *u, int year, date_t d, api_resp_t *resp, err_t *e)
{
	int64_t amount = 0, from = 0;
	bool found = false;
	unit_t setter;
	json_t *by = json_null();

	if (dues_rate_get(req->db, u->id, year, d, &amount, &from, &found, e))
		return -1;
	if (found && from != u->id) {
		/* an ancestor in scope, or the one that set it named by code only when it is */
		if (org_unit_view(req->db, from, d, &setter, e))
			return -1;
		if (api_id_in_scope(req, from)) {
			unit_ref_t ref = { .id = setter.id };
			snprintf(ref.code, sizeof(ref.code), "%s", setter.code);
			snprintf(ref.name_vi, sizeof(ref.name_vi), "%s", setter.name_vi);
			snprintf(ref.name_en, sizeof(ref.name_en), "%s", setter.name_en);
			by = unit_ref_json(&ref);
		}
	} else if (found) {
		unit_ref_t ref = { .id = u->id };
		snprintf(ref.code, sizeof(ref.code), "%s", u->code);
		snprintf(ref.name_vi, sizeof(ref.name_vi), "%s", u->name_vi);
		snprintf(ref.name_en, sizeof(ref.name_en), "%s", u->name_en);
		by = unit_ref_json(&ref);
	}
	resp->body = json_pack("{s:s, s:i, s:o, s:o}", "unit", u->code, "year", year, "amount",
			       found ? json_integer(amount) : json_null(), "set_by", by);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int get_dues_rate(api_req_t *req, api_resp_t *resp, err_t *e)
{
	unit_t u;
	int year = 0;

	date_t d;

	if (api_query_date(req, "as_of", req->today, &d, e) || api_require(req, PERM_RECORD_READ, e) ||
	    path_year(req->params[1], &year, e) || api_unit_in_scope(req, req->params[0], d, &u, e))
		return -1;
	return rate_answer(req, &u, year, d, resp, e);
}

static int put_dues_rate(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "amount", NULL };
	json_t *body, *amount;
	unit_t u;
	int year = 0;

	date_t d;

	if (api_query_date(req, "as_of", req->today, &d, e) || api_require(req, PERM_RECORD_WRITE, e) ||
	    path_year(req->params[1], &year, e) || api_unit_in_scope(req, req->params[0], d, &u, e) ||
	    api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	amount = json_object_get(body, "amount");
	if (!amount || json_is_null(amount))
		err_field(e, "amount", "required", "is required");
	else if (!json_is_integer(amount) || json_integer_value(amount) < 0 || json_integer_value(amount) > DUES_AMOUNT_MAX)
		err_field(e, "amount", "out_of_range", "must be a whole number of dong from {min} to {max}", ERR_INT("min", 0),
			  ERR_INT("max", DUES_AMOUNT_MAX));
	if (api_check_details(e) ||
	    dues_rate_set(req->db, &req->who, u.id, year, (int64_t)json_integer_value(amount), e)) {
		json_decref(body);
		return -1;
	}
	json_decref(body);
	return rate_answer(req, &u, year, d, resp, e);
}

static int post_dues(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "year", "amount", "paid_on", NULL };
	dues_payment_t *v = NULL;
	json_t *body, *year, *amount;
	int64_t sum = -1;
	size_t n = 0;
	date_t paid_on = 0;
	member_t m;
	int y = 0;

	if (api_require(req, PERM_RECORD_WRITE, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	change_date(body, "paid_on", req->today, &paid_on, e);
	year = json_object_get(body, "year");
	amount = json_object_get(body, "amount");
	if (!year || json_is_null(year))
		err_field(e, "year", "required", "is required");
	else if (!json_is_integer(year) || json_integer_value(year) < DUES_YEAR_MIN || json_integer_value(year) > DUES_YEAR_MAX)
		err_field(e, "year", "out_of_range", "must be a year from {min} to {max}", ERR_INT("min", DUES_YEAR_MIN),
			  ERR_INT("max", DUES_YEAR_MAX));
	else
		y = (int)json_integer_value(year);
	if (amount && !json_is_null(amount)) {
		if (!json_is_integer(amount) || json_integer_value(amount) < 0 || json_integer_value(amount) > DUES_AMOUNT_MAX)
			err_field(e, "amount", "out_of_range", "must be a whole number of dong from {min} to {max}",
				  ERR_INT("min", 0), ERR_INT("max", DUES_AMOUNT_MAX));
		else
			sum = (int64_t)json_integer_value(amount);
	}
	json_decref(body);
	if (api_check_details(e) || member_for_change(req, req->params[0], paid_on, &m, e) ||
	    dues_pay(req->db, &req->who, m.p.id, y, sum, paid_on, e) || dues_list(req->db, m.p.id, &v, &n, e))
		return -1;
	resp->status = 201;
	for (size_t i = 0; i < n; i++)
		if (v[i].year == y)
			resp->body = json_pack("{s:i, s:I, s:o, s:o}", "year", y, "amount", (json_int_t)v[i].amount, "paid_on",
					       json_date(v[i].paid_on), "unit", unit_ref_json(&v[i].unit));
	free(v);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* ---- personal data (Law 91/2025/QH15) ---- */

/* Who may act on a member's personal data, besides those who hold her data
 * whole: nobody else (the erasure), she herself, or she herself logged in
 * with her password (what changes her consents or takes her data away: a
 * leaked token must not, as for a user's own account). */
typedef enum privacy_self { SELF_NO, SELF_YES, SELF_BY_SESSION } privacy_self_t;

/* Member `ref` in the caller's scope (by her unit today, else her last),
 * and that unit. Everything here is about one person: record.write and
 * sensitive.read, the rights of those who hold her data whole; or she
 * herself, as `self` says. */
static int member_for_privacy(api_req_t *req, privacy_self_t self, member_t *m, int64_t *unit_id, err_t *e)
{
	membership_t *h = NULL;
	size_t n = 0;
	int64_t id = 0;

	if (self != SELF_NO && req->who.person_id && path_id(req->params[0], &id, &(err_t){ 0 }) == 0 &&
	    api_own_record(req, id)) {
		if (self == SELF_BY_SESSION && api_require_session(req, e))
			return -1;
		if (member_get(req->db, id, req->today, m, e))
			return -1;
	} else if (api_require(req, PERM_RECORD_WRITE, e) || api_require(req, PERM_SENSITIVE_READ, e) ||
		   member_for_change(req, req->params[0], req->today, m, e)) {
		return -1;
	}
	if (member_history(req->db, m->p.id, &h, &n, e))
		return -1;
	*unit_id = member_unit(h, n);
	free(h);
	return 0;
}

static int get_member_consents(api_req_t *req, api_resp_t *resp, err_t *e)
{
	int64_t unit_id = 0;
	json_t *items = NULL;
	member_t m;

	if (member_for_privacy(req, SELF_YES, &m, &unit_id, e) || member_consent_list(req->db, m.p.id, &items, e))
		return -1;
	resp->body = json_pack("{s:o}", "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int post_member_consent(api_req_t *req, api_resp_t *resp, err_t *e)
{
	static const char *const allowed[] = { "purpose", "date", "withdraw", NULL };
	char purpose[CONSENT_PURPOSE_MAX * 4 + 1] = "";
	int64_t unit_id = 0;
	json_t *body, *items = NULL;
	date_t d = 0;
	member_t m;
	bool withdraw;

	if (member_for_privacy(req, SELF_BY_SESSION, &m, &unit_id, e) || api_body_object(req, &body, e))
		return -1;
	api_only(body, allowed, "", e);
	api_str(body, "purpose", true, CONSENT_PURPOSE_MAX, purpose, sizeof(purpose), e);
	change_date(body, "date", req->today, &d, e);
	withdraw = bool_field(body, "withdraw", e);
	json_decref(body);
	if (api_check_details(e) ||
	    member_consent_record(req->db, &req->who, m.p.id, unit_id, purpose, d, withdraw, e) ||
	    member_consent_list(req->db, m.p.id, &items, e))
		return -1;
	resp->body = json_pack("{s:o}", "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static int get_member_export(api_req_t *req, api_resp_t *resp, err_t *e)
{
	int64_t unit_id = 0;
	member_t m;

	if (member_for_privacy(req, SELF_BY_SESSION, &m, &unit_id, e) ||
	    privacy_export_member(req->db, &req->who, m.p.id, unit_id, &resp->body, e))
		return -1;
	return 0;
}

static int post_member_erase(api_req_t *req, api_resp_t *resp, err_t *e)
{
	int64_t unit_id = 0;
	member_t m;

	if (member_for_privacy(req, SELF_NO, &m, &unit_id, e) || privacy_erase_member(req->db, &req->who, m.p.id, unit_id, e))
		return -1;
	resp->body = json_pack("{s:b}", "ok", 1);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

/* ---- statistics ---- */

/* The period of the flows: from (1 January of as_of's year by default)
 * to (as_of by default), from <= to; 400 naming the argument otherwise. */
static int report_period(api_req_t *req, member_stats_opts_t *o, err_t *e)
{
	if (api_query_date(req, "from", date_year_start(o->as_of), &o->from, e) || api_query_date(req, "to", o->as_of, &o->to, e))
		return -1;
	if (o->to < o->from) {
		err_field(e, "to", "before_from", "is before from ({date})", ERR_DATE("date", o->from));
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "{arg} is before from", ERR_STR("arg", "to"));
	}
	o->flows = true;
	return 0;
}

/* The report's figures for the query string's unit, day, view and period. */
static int report_stats(api_req_t *req, member_stats_opts_t *o, unit_t *u, member_stats_t *s, err_t *e)
{
	static const char *const YESNO[] = { "true", "false", NULL };
	const char *code = api_query(req, "unit");
	char own[UNIT_CODE_MAX + 24];
	int mapped = 0;

	o->today = req->today;
	o->with_sensitive = access_allows(req->who.roles, PERM_SENSITIVE_READ);
	if (api_query_date(req, "as_of", req->today, &o->as_of, e) ||
	    api_query_choice(req, "mapped", YESNO, "true, false", &mapped, e) || report_period(req, o, e) ||
	    api_require(req, PERM_RECORD_READ, e))
		return -1;
	o->mapped = mapped == 1;
	if (!code || !*code) {
		snprintf(own, sizeof(own), "id:%lld", (long long)req->who.unit_id);
		code = own;
	}
	/* the unit as it stands on the day of the units counted in: today's
	 * for the mapped view */
	return api_unit_in_scope(req, code, member_stats_tree_date(o), u, e) || member_stats(req->db, u->id, o, s, e)
		       ? -1 : 0;
}

static int get_member_report(api_req_t *req, api_resp_t *resp, err_t *e)
{
	member_stats_opts_t o = { 0 };
	member_stats_t s;
	unit_t u;

	if (report_stats(req, &o, &u, &s, e))
		return -1;
	resp->body = member_stats_json(&u, o.as_of, &s, o.with_sensitive);
	member_stats_free(&s);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

static const char *report_word(void *ctx, const char *key)
{
	return api_word(*(lang_t *)ctx, key);
}

/* GET /api/v1/reports/members.xlsx: the same figures as the union's report
 * in Excel (io/stats_xlsx.h), in the language asked (lang=vi|en). */
static int get_member_report_xlsx(api_req_t *req, api_resp_t *resp, err_t *e)
{
	const char *lang_arg = api_query(req, "lang");
	lang_t lang = lang_arg && !strcmp(lang_arg, "en") ? LANG_EN : LANG_VI;
	member_stats_opts_t o = { 0 };
	stats_xlsx_opts_t x = { .word = report_word, .ctx = &lang };
	unit_list_t above = { 0 };
	char path[600], day[DATE_STR_LEN];
	member_stats_t s;
	unit_t u;
	int fd, r;

	if (report_stats(req, &o, &u, &s, e))
		return -1;
	r = org_ancestors(req->db, u.id, member_stats_tree_date(&o), &above, e);
	x.unit = &u;
	x.above = !r && above.n ? above.items[above.n - 1].name_vi : "";
	x.as_of = o.as_of;
	x.today = req->today;
	x.stats = &s;
	x.tmpdir = api_spool_dir();
	snprintf(path, sizeof(path), "%s/report-XXXXXX", api_spool_dir());
	fd = r ? -1 : mkstemp(path);
	if (!r && fd < 0)
		r = err_fail(e, ERR_INTERNAL, NULL, "no room for the report");
	if (fd >= 0) {
		close(fd);
		r = stats_xlsx_write(&x, path, e);
		fd = r ? -1 : open(path, O_RDONLY);
		unlink(path);
		if (!r && fd < 0)
			r = err_fail(e, ERR_INTERNAL, NULL, "the report cannot be read back");
	}
	unit_list_free(&above);
	member_stats_free(&s);
	if (r)
		return -1;
	resp->has_file = true;
	resp->file_fd = fd;
	resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	snprintf(resp->disposition, sizeof(resp->disposition), "attachment; filename=\"bao-cao-hoi-vien-%s-%s.xlsx\"",
		 u.code, date_format(o.as_of, day));
	return 0;
}

/* The 54 ethnic groups, for the forms' choice (any caller). */
static int get_ethnic_groups(api_req_t *req, api_resp_t *resp, err_t *e)
{
	ethnic_group_t *g = NULL;
	json_t *items;
	size_t n = 0;

	if (org_ethnic_groups(req->db, &g, &n, e))
		return -1;
	items = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "code", g[i].code, "name_vi", g[i].name_vi,
						       "name_en", g[i].name_en));
	free(g);
	resp->body = json_pack("{s:o}", "items", items);
	return resp->body ? 0 : err_fail(e, ERR_INTERNAL, NULL, "out of memory");
}

const api_route_t API_MEMBER_ROUTES[] = {
	{ "GET", "/api/v1/ethnic-groups", get_ethnic_groups, 0 },
	{ "GET", "/api/v1/reports/members", get_member_report, ROUTE_READ_COPY },
	{ "GET", "/api/v1/reports/members.xlsx", get_member_report_xlsx, ROUTE_READ_COPY },
	{ "GET", "/api/v1/members", get_members, ROUTE_SEARCH },
	{ "POST", "/api/v1/members", post_member, ROUTE_LOCKED },
	{ "GET", "/api/v1/members/{}", get_member, ROUTE_WRITES },
	{ "PATCH", "/api/v1/members/{}", patch_member, ROUTE_LOCKED },
	{ "POST", "/api/v1/members/{}/leave", post_leave, ROUTE_LOCKED },
	{ "POST", "/api/v1/members/{}/rejoin", post_rejoin, ROUTE_LOCKED },
	{ "POST", "/api/v1/members/{}/dues", post_dues, ROUTE_LOCKED },
	{ "GET", "/api/v1/members/{}/consents", get_member_consents, 0 },
	{ "POST", "/api/v1/members/{}/consents", post_member_consent, ROUTE_LOCKED },
	{ "GET", "/api/v1/members/{}/export", get_member_export, ROUTE_WRITES },
	{ "POST", "/api/v1/members/{}/erase", post_member_erase, ROUTE_LOCKED },
	{ "GET", "/api/v1/units/{}/dues/{}", get_dues_rate, 0 },
	{ "PUT", "/api/v1/units/{}/dues/{}", put_dues_rate, ROUTE_LOCKED },
	{ "POST", "/api/v1/members/{}/transfer", post_transfer, ROUTE_LOCKED },
	{ "GET", "/api/v1/transfers", get_transfers, 0 },
	{ "POST", "/api/v1/transfers/{}/accept", post_accept, ROUTE_LOCKED },
	{ "POST", "/api/v1/transfers/{}/refuse", post_refuse, ROUTE_LOCKED },
	{ "POST", "/api/v1/transfers/{}/cancel", post_cancel, ROUTE_LOCKED },
	{ NULL, NULL, NULL, 0 },
};
