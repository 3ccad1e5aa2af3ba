/*
 * org.c - rules of the organisation tree (see org.h). Messages name units by
 * code and days as the user sees them (last day = valid_to - 1).
 */
#include "core/org.h"

#include <stdlib.h>
#include <string.h>

int org_check_alive(const unit_t *u, date_t d, err_t *e)
{
	char a[DATE_STR_LEN], b[DATE_STR_LEN];

	if (d < u->valid_from)
		return err_set(e, ERR_CONFLICT, "date_out_of_range",
			       "unit %s does not exist yet on %s: it starts on %s", u->code,
			       date_format(d, a), date_format(u->valid_from, b));
	if (d >= u->valid_to)
		return err_set(e, ERR_CONFLICT, "unit_closed",
			       "unit %s no longer exists on %s: its last day was %s", u->code,
			       date_format(d, a), date_format(u->valid_to - 1, b));
	return 0;
}

int org_check_changeable(const unit_t *u, date_t d, err_t *e)
{
	char a[DATE_STR_LEN];

	if (org_check_alive(u, d, e))
		return -1;
	if (d == u->valid_from)
		return err_set(e, ERR_CONFLICT, "date_out_of_range",
			       "unit %s starts on %s and cannot be changed on its first day",
			       u->code, date_format(d, a));
	return 0;
}

int org_check_level(const unit_t *parent, int child_rank, const char *child_level, err_t *e)
{
	if (child_rank <= parent->level_rank)
		return err_set(e, ERR_CONFLICT, "level_order",
			       "a %s cannot be placed under %s, a %s: a child's level must be below its parent's",
			       child_level, parent->code, parent->level);
	return 0;
}

int org_check_parent(const unit_t *parent, int child_rank, date_t from, date_t to, err_t *e)
{
	char a[DATE_STR_LEN], b[DATE_STR_LEN];

	if (parent->valid_from > from)
		return err_set(e, ERR_CONFLICT, "parent_not_valid",
			       "parent %s does not exist yet on %s", parent->code, date_format(from, a));
	if (parent->valid_to < to) {
		if (to == DATE_OPEN)
			return err_set(e, ERR_CONFLICT, "parent_not_valid",
				       "parent %s closes after %s; a unit cannot outlive its parent",
				       parent->code, date_format(parent->valid_to - 1, a));
		return err_set(e, ERR_CONFLICT, "parent_not_valid",
			       "parent %s closes after %s, before %s", parent->code,
			       date_format(parent->valid_to - 1, a), date_format(to - 1, b));
	}
	return org_check_level(parent, child_rank, "unit of this level", e);
}

int org_check_no_cycle(int64_t unit_id, const char *unit_code, const int64_t *ancestors,
		       size_t n, err_t *e)
{
	for (size_t i = 0; i < n; i++)
		if (ancestors[i] == unit_id)
			return err_set(e, ERR_CONFLICT, "cycle",
				       "unit %s cannot be placed under itself or one of its descendants",
				       unit_code);
	return 0;
}

int org_check_not_same_day(const char *what, date_t interval_from, date_t d, err_t *e)
{
	char a[DATE_STR_LEN];

	if (interval_from == d)
		return err_set(e, ERR_CONFLICT, strcmp(what, "parent") == 0 ? "two_parents" : "same_day_change",
			       "the %s already changes on %s; a unit has one %s on any day", what,
			       date_format(d, a), what);
	return 0;
}

int org_check_close(const unit_t *u, date_t d, int64_t n_children, err_t *e)
{
	char a[DATE_STR_LEN];

	if (org_check_changeable(u, d, e))
		return -1;
	if (n_children > 0)
		return err_set(e, ERR_CONFLICT, "has_children",
			       "unit %s still has %lld child unit(s) on or after %s: move, merge or close them first",
			       u->code, (long long)n_children, date_format(d, a));
	return 0;
}

int org_check_code_free(const char *code, date_t from, const unit_t *holder, err_t *e)
{
	char a[DATE_STR_LEN], b[DATE_STR_LEN];

	if (!holder)
		return 0;
	if (holder->valid_to == DATE_OPEN)
		return err_set(e, ERR_CONFLICT, "code_taken",
			       "code %s is used by %s (%s) from %s", code, holder->name_vi,
			       holder->level, date_format(holder->valid_from > from ? holder->valid_from : from, a));
	return err_set(e, ERR_CONFLICT, "code_taken",
		       "code %s is used by %s (%s) until %s", code, holder->name_vi, holder->level,
		       date_format(holder->valid_to - 1, b));
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
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
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
				err_set(e, ERR_INTERNAL, NULL, "out of memory");
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
