/*
 * member_json.c - see member_json.h.
 */
#include "io/member_json.h"

#include "core/access.h"
#include "io/unit_json.h"

#include <stdio.h>

static const char *const SENSITIVE[] = { "ethnicity", "religion", "id_number", "circumstances", NULL };

static json_t *text_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *stay_json(const membership_t *m)
{
	return json_pack("{s:o, s:s, s:o, s:o, s:s, s:o}", "unit", unit_ref_json(&m->unit), "kind",
			 member_kind_name(m->kind), "from", json_date(m->valid_from), "until", json_last_day(m->valid_to),
			 "start_reason", m->start_reason, "end_reason", text_or_null(m->end_reason));
}

json_t *member_head_json(const member_t *m)
{
	return json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:o}", "id", (json_int_t)m->p.id, "full_name",
			 m->p.full_name, "birth_date", json_date(m->p.birth_date), "sex", person_sex_name(m->p.sex),
			 "kind", m->current ? json_string(member_kind_name(m->m.kind)) : json_null(), "unit",
			 m->current ? unit_ref_json(&m->m.unit) : json_null(), "joined_on",
			 m->current ? json_date(m->m.valid_from) : json_null());
}

/* The sensitive fields, unmasked or masked (ID number: its last four
 * digits; the others: null) with "masked" naming them. */
static void add_sensitive(json_t *j, const person_t *p, bool unmasked)
{
	char masked_id[PERSON_ID_BUF];
	json_t *masked = json_array();

	if (unmasked) {
		json_object_set_new(j, "ethnicity", text_or_null(p->ethnicity));
		json_object_set_new(j, "religion", json_string(p->religion));
		json_object_set_new(j, "id_number", text_or_null(p->id_number));
		json_object_set_new(j, "circumstances", json_string(p->circumstances));
	} else {
		access_mask(p->id_number, masked_id, sizeof(masked_id));
		json_object_set_new(j, "ethnicity", json_null());
		json_object_set_new(j, "religion", json_null());
		json_object_set_new(j, "id_number", p->id_number[0] ? json_string(masked_id) : json_null());
		json_object_set_new(j, "circumstances", json_null());
		for (int i = 0; SENSITIVE[i]; i++)
			json_array_append_new(masked, json_string(SENSITIVE[i]));
	}
	json_object_set_new(j, "masked", masked);
}

json_t *member_json(const member_t *m, const membership_t *hist, size_t n, bool unmasked)
{
	const person_t *p = &m->p;
	json_t *j = member_head_json(m), *h = json_array();

	for (size_t i = 0; h && i < n; i++)
		json_array_append_new(h, stay_json(&hist[i]));
	if (!j || !h) {
		json_decref(j);
		json_decref(h);
		return NULL;
	}
	json_object_set_new(j, "id_kind", p->id_kind ? json_string(person_id_kind_name(p->id_kind)) : json_null());
	json_object_set_new(j, "phone", text_or_null(p->phone));
	json_object_set_new(j, "education", json_string(p->education));
	json_object_set_new(j, "qualification", json_string(p->qualification));
	json_object_set_new(j, "political_theory", json_string(p->political_theory));
	json_object_set_new(j, "occupation", json_string(p->occupation));
	json_object_set_new(j, "hamlet", json_string(p->hamlet));
	json_object_set_new(j, "street", json_string(p->street));
	json_object_set_new(j, "digital", json_boolean(p->digital));
	json_object_set_new(j, "party_member", json_boolean(p->party_member));
	json_object_set_new(j, "notes", json_string(p->notes));
	add_sensitive(j, p, unmasked);
	json_object_set_new(j, "history", h);
	return j;
}


json_t *transfer_json(const transfer_t *t)
{
	return json_pack("{s:I, s:{s:I, s:s, s:o}, s:o, s:o, s:o, s:s, s:s, s:o, s:s, s:o, s:o}", "id",
			 (json_int_t)t->id, "member", "id", (json_int_t)t->person_id, "full_name", t->full_name,
			 "birth_date", json_date(t->birth_date), "from", unit_ref_json(&t->from), "to",
			 unit_ref_json(&t->to), "date", json_date(t->date), "status", t->status, "note", t->note,
			 "reason", text_or_null(t->reason), "created_by", t->created_by, "decided_by",
			 text_or_null(t->decided_by), "decided_on", t->decided_on ? json_date(t->decided_on) : json_null());
}

/* {"groups":[{"key","label","total"}],"other","other_groups","none"}. */
static json_t *groups_json(const text_groups_t *g)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < g->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "key", g->groups[i].key, "label", g->groups[i].label,
						   "total", (json_int_t)g->groups[i].n));
	return json_pack("{s:o, s:I, s:I, s:I}", "groups", a, "other", (json_int_t)g->other, "other_groups",
			 (json_int_t)g->other_groups, "none", (json_int_t)g->none);
}

static json_t *flows_json(const member_flows_t *f)
{
	json_t *leavers = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)f->left_total, "moved_away",
				    (json_int_t)f->left[LEAVE_MOVED_AWAY], "married_away",
				    (json_int_t)f->left[LEAVE_MARRIED_AWAY], "left", (json_int_t)f->left[LEAVE_LEFT],
				    "died", (json_int_t)f->left[LEAVE_DIED], "other", (json_int_t)f->left[LEAVE_OTHER]);

	return json_pack("{s:o, s:o, s:I, s:{s:I, s:I, s:I}, s:o, s:I, s:I, s:I, s:{s:I, s:I}}", "from",
			 json_date(f->from), "to", json_date(f->to), "opening", (json_int_t)f->opening, "joiners",
			 "total", (json_int_t)f->joined + (json_int_t)f->rejoined, "joined", (json_int_t)f->joined, "rejoined",
			 (json_int_t)f->rejoined, "leavers", leavers, "transfers_in", (json_int_t)f->transfers_in,
			 "transfers_out", (json_int_t)f->transfers_out, "closing", (json_int_t)f->closing, "dues", "paid",
			 (json_int_t)f->dues_paid, "amount", (json_int_t)f->dues_amount);
}

json_t *member_stats_json(const unit_t *u, date_t d, const member_stats_t *s, bool with_sensitive)
{
	static const char *const BANDS[MEMBER_AGE_BANDS] = { "under_31", "31_45", "46_60", "over_60", "unknown" };
	json_t *children = json_array(), *age = json_object(), *eth = with_sensitive ? json_array() : json_null();
	json_t *breakdowns, *masked = with_sensitive ? json_array() : json_pack("[s, s, s]", "ethnicity", "religion",
										 "circumstances");
	unit_ref_t ref = { .id = u->id };

	snprintf(ref.code, sizeof(ref.code), "%s", u->code);
	snprintf(ref.name_vi, sizeof(ref.name_vi), "%s", u->name_vi);
	snprintf(ref.name_en, sizeof(ref.name_en), "%s", u->name_en);
	for (size_t i = 0; children && i < s->n_children; i++)
		json_array_append_new(children, json_pack("{s:o, s:I, s:I}", "unit", unit_ref_json(&s->children[i].unit),
							  "total", (json_int_t)s->children[i].total, "branches",
							  (json_int_t)s->children[i].branches));
	for (int i = 0; age && i < MEMBER_AGE_BANDS - 1; i++)
		json_object_set_new(age, BANDS[i], json_integer(s->age[i]));
	for (size_t i = 0; with_sensitive && eth && i < s->n_ethnicity; i++)
		json_array_append_new(eth, json_pack("{s:o, s:s, s:s, s:I}", "code",
						     s->ethnicity[i].key[0] ? json_string(s->ethnicity[i].key) : json_null(),
						     "name_vi", s->ethnicity[i].name_vi, "name_en", s->ethnicity[i].name_en,
						     "total", (json_int_t)s->ethnicity[i].n));
	breakdowns = json_pack("{s:o, s:{s:I, s:I}, s:o, s:o, s:o, s:o, s:o}", "age", age, "kind", "member",
			       (json_int_t)(s->total - s->honorary), "honorary", (json_int_t)s->honorary, "ethnicity", eth,
			       "religion", with_sensitive ? groups_json(&s->religion) : json_null(), "education",
			       groups_json(&s->education), "occupation", groups_json(&s->occupation), "circumstances",
			       groups_json(&s->circumstances));
	return json_pack("{s:o, s:o, s:b, s:o, s:I, s:I, s:I, s:I, s:I, s:{s:i, s:I, s:I}, s:o, s:o, s:o, s:o}", "unit",
			 unit_ref_json(&ref), "as_of", json_date(d), "mapped", s->mapped, "units_as_of",
			 json_date(s->tree_date), "total", (json_int_t)s->total, "direct", (json_int_t)s->direct,
			 "honorary", (json_int_t)s->honorary, "digital", (json_int_t)s->digital, "branches",
			 (json_int_t)s->branches, "dues", "year", s->dues_year, "paid", (json_int_t)s->dues_paid,
			 "amount", (json_int_t)s->dues_amount, "children", children, "breakdowns", breakdowns, "flows",
			 s->has_flows ? flows_json(&s->flows) : json_null(), "masked", masked);
}

json_t *dues_json(const dues_payment_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:I, s:o, s:o}", "year", v[i].year, "amount",
						   (json_int_t)v[i].amount, "paid_on", json_date(v[i].paid_on), "unit",
						   unit_ref_json(&v[i].unit)));
	return a;
}
