/*
 * unit_json.c - see unit_json.h. jansson escapes every string, so names
 * holding markup travel as text.
 */
#include "io/unit_json.h"

#include <stdlib.h>
#include <string.h>

json_t *json_date(date_t d)
{
	char buf[DATE_STR_LEN];
	return json_string(date_format(d, buf));
}

json_t *json_last_day(date_t valid_to)
{
	return valid_to == DATE_OPEN ? json_null() : json_date(valid_to - 1);
}

json_t *unit_ref_json(const unit_ref_t *r)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->id, "code", r->code,
			 "name_vi", r->name_vi, "name_en", r->name_en);
}

static json_t *attributes_json(const char *attrs)
{
	json_t *a = json_array();
	const char *p = attrs;

	while (a && *p) {
		size_t len = strcspn(p, " ");
		if (len)
			json_array_append_new(a, json_stringn(p, len));
		p += len;
		while (*p == ' ')
			p++;
	}
	return a;
}

json_t *unit_json(const unit_t *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I}",
			 "id", (json_int_t)u->id, "code", u->code, "name_vi", u->name_vi,
			 "name_en", u->name_en, "level", u->level, "kind", u->kind,
			 "attributes", attributes_json(u->attributes),
			 "valid_from", json_date(u->valid_from),
			 "valid_until", json_last_day(u->valid_to),
			 "parent", u->has_parent ? unit_ref_json(&u->parent) : json_null(),
			 "child_count", (json_int_t)u->child_count);
}

json_t *unit_list_json(const unit_list_t *l, date_t as_of)
{
	json_t *items = json_array();

	for (size_t i = 0; items && i < l->n; i++)
		json_array_append_new(items, unit_json(&l->items[i]));
	return json_pack("{s:o, s:o, s:o}", "as_of", json_date(as_of), "items", items,
			 "next", l->next[0] ? json_string(l->next) : json_null());
}

static json_t *refs_json(const unit_ref_t *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, unit_ref_json(&v[i]));
	return a;
}

json_t *event_json(const event_t *ev)
{
	return json_pack("{s:I, s:s, s:o, s:s, s:o, s:o}", "id", (json_int_t)ev->id, "kind", ev->kind,
			 "date", json_date(ev->date), "note", ev->note,
			 "sources", refs_json(ev->sources, ev->n_sources),
			 "targets", refs_json(ev->targets, ev->n_targets));
}

json_t *unit_detail_json(const unit_t *u, const unit_history_t *h)
{
	json_t *j = unit_json(u), *names = json_array(), *parents = json_array(), *events = json_array();
	json_t *attrs = json_array();

	for (size_t i = 0; names && i < h->n_names; i++)
		json_array_append_new(names, json_pack("{s:s, s:s, s:o, s:o}", "name_vi", h->names[i].name_vi,
						       "name_en", h->names[i].name_en,
						       "valid_from", json_date(h->names[i].valid_from),
						       "valid_until", json_last_day(h->names[i].valid_to)));
	for (size_t i = 0; attrs && i < h->n_attributes; i++)
		json_array_append_new(attrs, json_pack("{s:o, s:o, s:o}", "attributes",
						       attributes_json(h->attributes[i].attributes),
						       "valid_from", json_date(h->attributes[i].valid_from),
						       "valid_until", json_last_day(h->attributes[i].valid_to)));
	for (size_t i = 0; parents && i < h->n_parents; i++)
		json_array_append_new(parents, json_pack("{s:o, s:o, s:o}", "parent", unit_ref_json(&h->parents[i].parent),
							 "valid_from", json_date(h->parents[i].valid_from),
							 "valid_until", json_last_day(h->parents[i].valid_to)));
	for (size_t i = 0; events && i < h->events.n; i++)
		json_array_append_new(events, event_json(&h->events.items[i]));
	if (j) {
		json_object_set_new(j, "names", names);
		json_object_set_new(j, "attribute_history", attrs);
		json_object_set_new(j, "parents", parents);
		json_object_set_new(j, "events", events);
	} else {
		json_decref(attrs);
		json_decref(names);
		json_decref(parents);
		json_decref(events);
	}
	return j;
}

static json_t *lineage_side_json(const lineage_entry_t *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:o, s:i, s:o}", "unit", unit_json(&v[i].unit),
						   "depth", v[i].depth, "event", event_json(&v[i].event)));
	return a;
}

json_t *lineage_json(const unit_t *u, const lineage_t *l)
{
	return json_pack("{s:o, s:o, s:o}", "unit", unit_json(u),
			 "predecessors", lineage_side_json(l->pred, l->n_pred),
			 "successors", lineage_side_json(l->succ, l->n_succ));
}

json_t *level_json(const level_t *lv)
{
	return json_pack("{s:s, s:i, s:s, s:s}", "key", lv->key, "rank", lv->rank, "name_vi", lv->name_vi,
			 "name_en", lv->name_en);
}

json_t *tree_json(const unit_list_t *l, date_t as_of)
{
	json_t **nodes;
	json_t *root, *out;

	if (l->n == 0)
		return NULL;
	nodes = calloc(l->n, sizeof(json_t *));
	if (!nodes)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		nodes[i] = unit_json(&l->items[i]);
		if (nodes[i])
			json_object_set_new(nodes[i], "children", json_array());
	}
	/* parents come before children: attach each node to the first node
	 * whose id is its parent's */
	for (size_t i = 1; i < l->n; i++) {
		for (size_t k = 0; k < i; k++) {
			if (l->items[k].id == l->items[i].parent.id && nodes[k] && nodes[i]) {
				json_array_append(json_object_get(nodes[k], "children"), nodes[i]);
				break;
			}
		}
	}
	root = nodes[0];
	for (size_t i = 1; i < l->n; i++)
		json_decref(nodes[i]);
	free(nodes);
	out = json_pack("{s:o, s:o}", "as_of", json_date(as_of), "root", root ? root : json_null());
	return out;
}
