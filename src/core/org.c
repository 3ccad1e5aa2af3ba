/*
 * org.c - rules of the organisation tree (see org.h). Messages name units by
 * code and days as the user sees them (last day = valid_to - 1).
 */
#include "core/org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int org_check_alive(const unit_t *u, date_t d, err_t *e)
{
	if (d < u->valid_from)
		return err_fail(e, ERR_CONFLICT, "date_out_of_range",
				"unit {unit} does not exist yet on {date}: it starts on {from}", ERR_STR("unit", u->code),
				ERR_DATE("date", d), ERR_DATE("from", u->valid_from));
	if (d >= u->valid_to)
		return err_fail(e, ERR_CONFLICT, "unit_closed",
				"unit {unit} no longer exists on {date}: its last day was {until}", ERR_STR("unit", u->code),
				ERR_DATE("date", d), ERR_DATE("until", u->valid_to - 1));
	return 0;
}

int org_check_changeable(const unit_t *u, date_t d, err_t *e)
{
	if (org_check_alive(u, d, e))
		return -1;
	if (d == u->valid_from)
		return err_fail(e, ERR_CONFLICT, "date_out_of_range",
				"unit {unit} starts on {from} and cannot be changed on its first day",
				ERR_STR("unit", u->code), ERR_DATE("date", d), ERR_DATE("from", u->valid_from));
	return 0;
}

int org_check_level(const unit_t *parent, int child_rank, const char *child_level, err_t *e)
{
	if (child_rank > parent->level_rank)
		return 0;
	if (!child_level)
		return err_fail(e, ERR_CONFLICT, "level_order",
				"a unit of this level cannot be placed under {parent}, a {parent_level}: a child's level must be below its parent's",
				ERR_STR("parent", parent->code), ERR_STR("parent_level", parent->level));
	return err_fail(e, ERR_CONFLICT, "level_order",
			"a {level} cannot be placed under {parent}, a {parent_level}: a child's level must be below its parent's",
			ERR_STR("level", child_level), ERR_STR("parent", parent->code),
			ERR_STR("parent_level", parent->level));
}

int org_check_parent(const unit_t *parent, int child_rank, date_t from, date_t to, err_t *e)
{
	if (parent->valid_from > from)
		return err_fail(e, ERR_CONFLICT, "parent_not_valid", "parent {parent} does not exist yet on {date}",
				ERR_STR("parent", parent->code), ERR_DATE("date", from));
	if (parent->valid_to < to) {
		if (to == DATE_OPEN)
			return err_fail(e, ERR_CONFLICT, "parent_not_valid",
					"parent {parent} closes after {until}; a unit cannot outlive its parent",
					ERR_STR("parent", parent->code), ERR_DATE("until", parent->valid_to - 1));
		return err_fail(e, ERR_CONFLICT, "parent_not_valid", "parent {parent} closes after {until}, before {date}",
				ERR_STR("parent", parent->code), ERR_DATE("until", parent->valid_to - 1),
				ERR_DATE("date", to - 1));
	}
	return org_check_level(parent, child_rank, NULL, e);
}

int org_check_no_cycle(int64_t unit_id, const char *unit_code, const int64_t *ancestors,
		       size_t n, err_t *e)
{
	for (size_t i = 0; i < n; i++)
		if (ancestors[i] == unit_id)
			return err_fail(e, ERR_CONFLICT, "cycle",
					"unit {unit} cannot be placed under itself or one of its descendants",
					ERR_STR("unit", unit_code));
	return 0;
}

int org_check_not_same_day(const char *what, date_t interval_from, date_t d, err_t *e)
{
	if (interval_from == d)
		return err_fail(e, ERR_CONFLICT, strcmp(what, "parent") == 0 ? "two_parents" : "same_day_change",
				"the {what} already changes on {date}; a unit has one {what} on any day",
				ERR_STR("what", what), ERR_DATE("date", d));
	return 0;
}

int org_check_close(const unit_t *u, date_t d, int64_t n_children, err_t *e)
{
	if (org_check_changeable(u, d, e))
		return -1;
	if (n_children > 0)
		return err_fail(e, ERR_CONFLICT, "has_children",
				"unit {unit} still has {count} child unit(s) on or after {date}: move, merge or close them first",
				ERR_STR("unit", u->code), ERR_INT("count", n_children), ERR_DATE("date", d));
	return 0;
}

int org_check_code_free(const char *code, date_t from, const unit_t *holder, err_t *e)
{
	if (!holder)
		return 0;
	if (holder->valid_to == DATE_OPEN)
		return err_fail(e, ERR_CONFLICT, "code_taken", "code {value} is used by {name} ({level}) from {from}",
				ERR_STR("value", code), ERR_STR("name", holder->name_vi), ERR_STR("level", holder->level),
				ERR_DATE("from", holder->valid_from > from ? holder->valid_from : from));
	return err_fail(e, ERR_CONFLICT, "code_taken", "code {value} is used by {name} ({level}) until {until}",
			ERR_STR("value", code), ERR_STR("name", holder->name_vi), ERR_STR("level", holder->level),
			ERR_DATE("until", holder->valid_to - 1));
}

int org_check_merge_plan(size_t n_sources, bool into_new, bool into_existing, err_t *e)
{
	if (into_new == into_existing)
		return err_set(e, ERR_INVALID, "invalid", "a merge goes into a new unit or an existing one");
	if (n_sources < 1 || (into_new && n_sources < 2) || n_sources > ORG_MERGE_SOURCES_MAX) {
		if (n_sources > ORG_MERGE_SOURCES_MAX) {
			err_field(e, "sources", "too_many", "has too many units (at most {max})",
				  ERR_INT("max", ORG_MERGE_SOURCES_MAX));
			return err_fail(e, ERR_INVALID, "invalid", "too many units to merge");
		}
		err_field(e, "sources", "too_few", "needs {min} or more units", ERR_INT("min", into_new ? 2 : 1));
		return err_fail(e, ERR_INVALID, "invalid", "not enough units to merge");
	}
	return 0;
}

int org_check_merge_source(const unit_t *sources, size_t i, err_t *e)
{
	for (size_t j = 0; j < i; j++)
		if (sources[j].id == sources[i].id) {
			err_field(e, "sources", "duplicate", "unit {value} is listed twice", ERR_STR("value", sources[i].code));
			return err_fail(e, ERR_INVALID, "invalid", "unit {value} is listed twice", ERR_STR("value", sources[i].code));
		}
	return 0;
}

int org_check_merge_parent(const char *parent_code, const unit_t *sources, size_t n, err_t *e)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(parent_code, sources[i].code) == 0) {
			err_field(e, "into.parent", "is_merged", "cannot be {value}, one of the merged units",
				  ERR_STR("value", parent_code));
			return err_fail(e, ERR_INVALID, "invalid", "the new unit cannot be placed under a unit merged into it");
		}
	return 0;
}

int org_check_split_plan(size_t n_parts, err_t *e)
{
	if (n_parts < 2 || n_parts > ORG_SPLIT_PARTS_MAX) {
		if (n_parts > ORG_SPLIT_PARTS_MAX)
			err_field(e, "into", "too_many", "has too many new units (at most {max})",
				  ERR_INT("max", ORG_SPLIT_PARTS_MAX));
		else
			err_field(e, "into", "too_few", "needs {min} or more new units", ERR_INT("min", 2));
		return err_fail(e, ERR_INVALID, "invalid", "a split needs from 2 to {max} new units",
				ERR_INT("max", ORG_SPLIT_PARTS_MAX));
	}
	return 0;
}

int org_check_split_part(const unit_spec_t *parts, size_t i, err_t *e)
{
	char field[32];

	for (size_t j = 0; j < i; j++)
		if (strcmp(parts[i].code, parts[j].code) == 0) {
			snprintf(field, sizeof(field), ORG_SPLIT_PART_FIELD "code", i);
			err_field(e, field, "duplicate", "code {value} is used twice", ERR_STR("value", parts[i].code));
			return err_fail(e, ERR_INVALID, "invalid", "two new units have the same code");
		}
	return 0;
}

static bool child_is_assigned(const char *child, const child_assign_t *assign, size_t n_assign)
{
	for (size_t k = 0; k < n_assign; k++)
		if (strcmp(assign[k].child, child) == 0)
			return true;
	return false;
}

static bool is_part_code(const char *code, const unit_spec_t *parts, size_t n_parts)
{
	for (size_t i = 0; i < n_parts; i++)
		if (strcmp(code, parts[i].code) == 0)
			return true;
	return false;
}

int org_check_split_children(const char *unit_code, const char *const *children, size_t n_children,
			     const unit_spec_t *parts, size_t n_parts, const child_assign_t *assign,
			     size_t n_assign, err_t *e)
{
	bool bad = false;

	for (size_t i = 0; i < n_children; i++)
		if (!child_is_assigned(children[i], assign, n_assign)) {
			err_field(e, "children", "not_assigned", "child {value} is not assigned to a new unit",
				  ERR_STR("value", children[i]));
			bad = true;
		}
	for (size_t k = 0; k < n_assign; k++)
		if (!is_part_code(assign[k].part, parts, n_parts)) {
			err_field(e, "children", "not_a_new_unit", "{value} is not one of the new units",
				  ERR_STR("value", assign[k].part));
			bad = true;
		}
	if (bad)
		return err_fail(e, ERR_INVALID, "invalid", "every child of {ref} must go to one of the new units",
				ERR_STR("ref", unit_code));
	return 0;
}

typedef struct step_list {
	lineage_step_t *v;
	size_t n, cap;
} step_list_t;

static bool step_seen(const step_list_t *l, int64_t id, int64_t start)
{
	if (id == start)
		return true;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].unit_id == id)
			return true;
	return false;
}

static int step_push(step_list_t *l, lineage_step_t s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		lineage_step_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

int lineage_walk(int64_t start, lineage_dir_t dir, lineage_neighbours_fn fn, void *ctx,
		 lineage_step_t **steps, size_t *n, err_t *e)
{
	step_list_t l = {0};
	lineage_edge_t *edges;
	size_t head = 0;
	int64_t from = start;
	int depth = 0;

	*steps = NULL;
	*n = 0;
	edges = malloc(LINEAGE_FANOUT * sizeof(*edges));
	if (!edges)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	/* breadth-first: the queue is the list itself, read from head */
	for (;;) {
		size_t k = 0;
		if (fn(ctx, from, dir, edges, LINEAGE_FANOUT, &k, e) != 0)
			goto fail;
		for (size_t i = 0; i < k && l.n < LINEAGE_MAX; i++) {
			lineage_step_t s = { edges[i].unit_id, edges[i].event_id, depth + 1 };
			if (step_seen(&l, s.unit_id, start))
				continue;
			if (step_push(&l, s) != 0) {
				err_fail(e, ERR_INTERNAL, NULL, "out of memory");
				goto fail;
			}
		}
		if (head >= l.n)
			break;
		from = l.v[head].unit_id;
		depth = l.v[head].depth;
		head++;
	}
	free(edges);
	*steps = l.v;
	*n = l.n;
	return 0;
fail:
	free(edges);
	free(l.v);
	return -1;
}

size_t lineage_heir(const char *code, const lineage_target_t *targets, size_t n)
{
	size_t best = 0;

	for (size_t i = 0; i < n; i++)
		if (code && targets[i].code && strcmp(targets[i].code, code) == 0)
			return i;
	for (size_t i = 1; i < n; i++)
		if (targets[i].unit_id < targets[best].unit_id)
			best = i;
	return best;
}
