/*
 * org_ops.c - operations files and reference data (see org_ops.h).
 *
 * Reference data and demo operations are turned into one list of operations,
 * sorted by date (reference data first on a tie, then file order), and
 * applied in a single transaction. Sorting by date is what lets the demo's
 * 2020 districts be created under a province that the reference data closes
 * in 2025: when they are created, the province still has an open end.
 */
#include "io/org_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/unit.h"
#include "io/csv_table.h"
#include "io/embedded.h"
#include "store/org_store.h"
#include "store/util.h"

#define SOURCES_BUF 1024
#define REFORM_DATE "2025-07-01"
#define PROVINCES_63_FROM "2008-08-01"
#define ROOT_FROM "1930-10-20"
#define REFORM_NOTE "Nghị quyết 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh"

typedef struct op {
	char op[16];
	date_t date;
	unit_spec_t spec;       /* create, merge target; rename uses names */
	char sources[SOURCES_BUF];
	char note[NOTE_MAX * 4 + 1];
	const char *origin;     /* file name for messages */
	size_t line;
	int prio;               /* 0 reference data, 1 other files */
	size_t seq;
} op_t;

typedef struct op_list {
	op_t *v;
	size_t n, cap;
} op_list_t;

static op_t *op_new(op_list_t *l, err_t *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		op_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			err_fail(e, ERR_INTERNAL, NULL, "out of memory");
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(op_t));
	l->v[l->n].seq = l->n;
	return &l->v[l->n++];
}

static int op_cmp(const void *a, const void *b)
{
	const op_t *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio - y->prio;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Copies a field, failing with a line-numbered error when it is too long. */
static int field_copy(char *dst, size_t cap, const char *src, const op_t *o, const char *name, err_t *e)
{
	if (ub_strlcpy(dst, src, cap) != 0)
		return err_fail(e, ERR_INVALID, "invalid", "{file} line {line}: {column} is too long", ERR_STR("file", o->origin),
				ERR_INT("line", o->line), ERR_STR("column", name), ERR_INT("max", cap - 1));
	return 0;
}

static int op_from_row(const csv_table_t *t, const csv_row_t *r, op_t *o, err_t *e)
{
	static const char *const cols[] = { "op", "date", "code", "name_vi", "name_en", "level", "kind",
					    "attributes", "parent", "sources", "note" };
	int c[11];

	for (int i = 0; i < 11; i++)
		c[i] = csv_col(t, cols[i]);
	if (c[0] < 0 || c[1] < 0 || c[2] < 0)
		return err_fail(e, ERR_INVALID, "invalid", "{file}: the header needs at least op, date and code",
				ERR_STR("file", o->origin));
	o->line = r->line;
	if (field_copy(o->op, sizeof(o->op), csv_field(r, c[0]), o, "op", e))
		return -1;
	if (date_parse(csv_field(r, c[1]), &o->date) != 0)
		return err_fail(e, ERR_INVALID, "invalid", "{file} line {line}: date '{value}' is not YYYY-MM-DD",
				ERR_STR("file", o->origin), ERR_INT("line", o->line), ERR_STR("value", csv_field(r, c[1])));
	if (field_copy(o->spec.code, sizeof(o->spec.code), csv_field(r, c[2]), o, "code", e) ||
	    field_copy(o->spec.name_vi, sizeof(o->spec.name_vi), csv_field(r, c[3]), o, "name_vi", e) ||
	    field_copy(o->spec.name_en, sizeof(o->spec.name_en), csv_field(r, c[4]), o, "name_en", e) ||
	    field_copy(o->spec.level, sizeof(o->spec.level), csv_field(r, c[5]), o, "level", e) ||
	    field_copy(o->spec.kind, sizeof(o->spec.kind), csv_field(r, c[6]), o, "kind", e) ||
	    field_copy(o->spec.attributes, sizeof(o->spec.attributes), csv_field(r, c[7]), o, "attributes", e) ||
	    field_copy(o->spec.parent, sizeof(o->spec.parent), csv_field(r, c[8]), o, "parent", e) ||
	    field_copy(o->sources, sizeof(o->sources), csv_field(r, c[9]), o, "sources", e) ||
	    field_copy(o->note, sizeof(o->note), csv_field(r, c[10]), o, "note", e))
		return -1;
	return 0;
}

static int ops_from_csv(const char *data, size_t len, const char *origin, int prio, op_list_t *l, err_t *e)
{
	csv_table_t t;
	int r = 0;

	if (csv_table_parse(data, len, &t, e)) {
		if (e) {
			char msg[sizeof(e->message)];
			snprintf(msg, sizeof(msg), "%s", e->message);
			snprintf(e->message, sizeof(e->message), "%s: %s", origin, msg);
			err_add_param(e, ERR_STR("file", origin));
		}
		return -1;
	}
	for (size_t i = 0; i < t.n_rows && !r; i++) {
		op_t *o = op_new(l, e);
		if (!o) {
			r = -1;
			break;
		}
		o->origin = origin;
		o->prio = prio;
		r = op_from_row(&t, &t.rows[i], o, e);
	}
	csv_table_free(&t);
	return r;
}

/* Splits a space-separated list of codes into ptrs (pointing into buf). */
static size_t split_codes(char *buf, const char **ptrs, size_t cap)
{
	size_t n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(buf, " ", &save); tok && n < cap; tok = strtok_r(NULL, " ", &save))
		ptrs[n++] = tok;
	return n;
}

static int op_apply(db_t *db, const principal_t *who, op_t *o, err_t *e)
{
	unit_t out;
	const char *note = o->note[0] ? o->note : NULL;
	int r;

	if (strcmp(o->op, "create") == 0) {
		r = org_create(db, who, &o->spec, o->date, note, &out, e);
	} else if (strcmp(o->op, "rename") == 0) {
		r = org_rename(db, who, o->spec.code, o->date, o->spec.name_vi, o->spec.name_en, note, &out, e);
	} else if (strcmp(o->op, "attributes") == 0) {
		r = org_set_attributes(db, who, o->spec.code, o->date, o->spec.attributes, note, &out, e);
	} else if (strcmp(o->op, "move") == 0) {
		r = org_move(db, who, o->spec.code, o->date, o->spec.parent, note, &out, e);
	} else if (strcmp(o->op, "close") == 0) {
		r = org_close(db, who, o->spec.code, o->date, note, &out, e);
	} else if (strcmp(o->op, "merge") == 0) {
		const char *src[64];
		size_t n = split_codes(o->sources, src, 64);
		r = org_merge(db, who, src, n, o->date, &o->spec, NULL, note, &out, NULL, e);
	} else {
		r = err_fail(e, ERR_INVALID, "invalid", "unknown operation '{value}'", ERR_STR("value", o->op));
	}
	if (r && e) {
		char msg[sizeof(e->message)];
		snprintf(msg, sizeof(msg), "%s", e->message);
		snprintf(e->message, sizeof(e->message), "%s line %zu (%s %s): %s", o->origin, o->line,
			 o->op, o->spec.code, msg);
		/* where, for a program: the error's own parameters stay */
		err_add_param(e, ERR_STR("file", o->origin));
		err_add_param(e, ERR_INT("line", o->line));
	}
	return r;
}

static int apply_all(db_t *db, const principal_t *who, op_list_t *l, err_t *e)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(op_t), op_cmp);
	for (size_t i = 0; i < l->n; i++)
		if (op_apply(db, who, &l->v[i], e))
			return -1;
	return 0;
}

static const embedded_file_t *builtin(const char *name, err_t *e)
{
	const embedded_file_t *f = embedded_find(name);
	if (!f)
		err_fail(e, ERR_INTERNAL, NULL, "built-in file {file} is missing from this build", ERR_STR("file", name));
	return f;
}

/* The reference timeline: root, 63 provinces, the 2025 reform. */
static int reference_ops(op_list_t *l, err_t *e)
{
	const embedded_file_t *f63 = builtin("data/provinces-63.csv", e);
	const embedded_file_t *f34 = f63 ? builtin("data/provinces-34.csv", e) : NULL;
	csv_table_t t63 = {0}, t34 = {0};
	op_t *o;
	int r = -1;

	if (!f34)
		return -1;
	if (csv_table_parse((const char *)f63->data, f63->len, &t63, e) ||
	    csv_table_parse((const char *)f34->data, f34->len, &t34, e))
		goto out;
	if (!(o = op_new(l, e)))
		goto out;
	o->origin = "reference data";
	ub_strlcpy(o->op, "create", sizeof(o->op));
	date_parse(ROOT_FROM, &o->date);
	ub_strlcpy(o->spec.code, "VN", sizeof(o->spec.code));
	ub_strlcpy(o->spec.name_vi, "Hội Liên hiệp Phụ nữ Việt Nam", sizeof(o->spec.name_vi));
	ub_strlcpy(o->spec.name_en, "Vietnam Women's Union", sizeof(o->spec.name_en));
	ub_strlcpy(o->spec.level, "central", sizeof(o->spec.level));
	ub_strlcpy(o->note, "Thành lập ngày 20/10/1930", sizeof(o->note));

	for (size_t i = 0; i < t63.n_rows; i++) {
		const csv_row_t *row = &t63.rows[i];
		if (!(o = op_new(l, e)))
			goto out;
		o->origin = "data/provinces-63.csv";
		o->line = row->line;
		ub_strlcpy(o->op, "create", sizeof(o->op));
		date_parse(PROVINCES_63_FROM, &o->date);
		ub_strlcpy(o->spec.code, csv_field(row, csv_col(&t63, "code")), sizeof(o->spec.code));
		ub_strlcpy(o->spec.name_vi, csv_field(row, csv_col(&t63, "name_vi")), sizeof(o->spec.name_vi));
		ub_strlcpy(o->spec.name_en, csv_field(row, csv_col(&t63, "name_en")), sizeof(o->spec.name_en));
		ub_strlcpy(o->spec.level, "province", sizeof(o->spec.level));
		ub_strlcpy(o->spec.attributes,
			   strcmp(csv_field(row, csv_col(&t63, "kind")), "city") == 0 ? "city" : "",
			   sizeof(o->spec.attributes));
		ub_strlcpy(o->spec.parent, "VN", sizeof(o->spec.parent));
	}
	for (size_t i = 0; i < t34.n_rows; i++) {
		const csv_row_t *row = &t34.rows[i];
		const char *code = csv_field(row, csv_col(&t34, "code"));
		const char *from = csv_field(row, csv_col(&t34, "merged_from"));
		bool continues = strcmp(code, from) == 0;
		const char *name_vi = csv_field(row, csv_col(&t34, "name_vi"));
		const char *kind = csv_field(row, csv_col(&t34, "kind"));
		bool renamed = false, retyped = false;

		if (continues) {
			/* the same unit goes on; only a changed name is an event, and
			 * a changed kind (Huế became a centrally run city) changes
			 * its attributes from that day */
			for (size_t k = 0; k < t63.n_rows; k++)
				if (strcmp(csv_field(&t63.rows[k], csv_col(&t63, "code")), code) == 0) {
					renamed = strcmp(csv_field(&t63.rows[k], csv_col(&t63, "name_vi")), name_vi) != 0;
					retyped = strcmp(csv_field(&t63.rows[k], csv_col(&t63, "kind")), kind) != 0;
				}
			if (retyped) {
				if (!(o = op_new(l, e)))
					goto out;
				o->origin = "data/provinces-34.csv";
				o->line = row->line;
				ub_strlcpy(o->op, "attributes", sizeof(o->op));
				date_parse(REFORM_DATE, &o->date);
				ub_strlcpy(o->spec.code, code, sizeof(o->spec.code));
				ub_strlcpy(o->spec.attributes, strcmp(kind, "city") == 0 ? "city" : "",
					   sizeof(o->spec.attributes));
				ub_strlcpy(o->note, REFORM_NOTE, sizeof(o->note));
			}
			if (!renamed)
				continue;
		}
		if (!(o = op_new(l, e)))
			goto out;
		o->origin = "data/provinces-34.csv";
		o->line = row->line;
		ub_strlcpy(o->op, continues ? "rename" : "merge", sizeof(o->op));
		date_parse(REFORM_DATE, &o->date);
		ub_strlcpy(o->spec.code, code, sizeof(o->spec.code));
		ub_strlcpy(o->spec.name_vi, name_vi, sizeof(o->spec.name_vi));
		ub_strlcpy(o->spec.name_en, csv_field(row, csv_col(&t34, "name_en")), sizeof(o->spec.name_en));
		ub_strlcpy(o->spec.level, "province", sizeof(o->spec.level));
		ub_strlcpy(o->spec.attributes,
			   strcmp(csv_field(row, csv_col(&t34, "kind")), "city") == 0 ? "city" : "",
			   sizeof(o->spec.attributes));
		ub_strlcpy(o->spec.parent, "VN", sizeof(o->spec.parent));
		ub_strlcpy(o->sources, from, sizeof(o->sources));
		ub_strlcpy(o->note, REFORM_NOTE, sizeof(o->note));
	}
	r = 0;
out:
	csv_table_free(&t63);
	csv_table_free(&t34);
	return r;
}

static int ethnic_groups(db_t *db, err_t *e)
{
	const embedded_file_t *f = builtin("data/ethnic-groups.csv", e);
	csv_table_t t;
	int r = 0;

	if (!f || csv_table_parse((const char *)f->data, f->len, &t, e))
		return -1;
	for (size_t i = 0; i < t.n_rows && !r; i++)
		r = org_ethnic_group_add(db, csv_field(&t.rows[i], csv_col(&t, "code")),
					 csv_field(&t.rows[i], csv_col(&t, "name_vi")),
					 csv_field(&t.rows[i], csv_col(&t, "name_en")), e);
	csv_table_free(&t);
	return r;
}

static const level_t DEFAULT_LEVELS[] = {
	{ "central", 0, "Trung ương", "Central" },
	{ "province", 1, "Tỉnh, thành phố", "Province" },
	{ "district", 2, "Huyện, quận", "District" },
	{ "commune", 3, "Xã, phường, đặc khu", "Commune" },
	{ "branch", 4, "Chi hội", "Branch" },
	{ "group", 5, "Tổ phụ nữ", "Group" },
};
#define N_DEFAULT_LEVELS (sizeof(DEFAULT_LEVELS) / sizeof(DEFAULT_LEVELS[0]))

/* "central,province,commune,..." -> levels, known keys keep their names. */
static int parse_levels(const char *spec, level_t *out, size_t cap, size_t *n, err_t *e)
{
	char buf[512], *save = NULL;

	*n = 0;
	if (ub_strlcpy(buf, spec, sizeof(buf)))
		return err_fail(e, ERR_INVALID, "invalid", "the level list is too long");
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		level_t *lv;
		if (*n == cap)
			return err_fail(e, ERR_INVALID, "invalid", "at most {max} levels", ERR_INT("max", cap));
		for (const char *p = tok; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
				return err_fail(e, ERR_INVALID, "invalid", "level '{value}' must be lower-case letters",
						ERR_STR("value", tok));
		lv = &out[*n];
		memset(lv, 0, sizeof(*lv));
		if (ub_strlcpy(lv->key, tok, sizeof(lv->key)))
			return err_fail(e, ERR_INVALID, "invalid", "level '{value}' is too long", ERR_STR("value", tok),
					ERR_INT("max", sizeof(lv->key) - 1));
		lv->rank = (int)*n;
		ub_strlcpy(lv->name_vi, tok, sizeof(lv->name_vi));
		ub_strlcpy(lv->name_en, tok, sizeof(lv->name_en));
		for (size_t k = 0; k < N_DEFAULT_LEVELS; k++)
			if (strcmp(DEFAULT_LEVELS[k].key, tok) == 0) {
				ub_strlcpy(lv->name_vi, DEFAULT_LEVELS[k].name_vi, sizeof(lv->name_vi));
				ub_strlcpy(lv->name_en, DEFAULT_LEVELS[k].name_en, sizeof(lv->name_en));
			}
		for (size_t k = 0; k < *n; k++)
			if (strcmp(out[k].key, lv->key) == 0)
				return err_fail(e, ERR_INVALID, "invalid", "level '{value}' is listed twice", ERR_STR("value", lv->key));
		(*n)++;
	}
	if (*n < 2)
		return err_fail(e, ERR_INVALID, "invalid", "give at least {min} levels", ERR_INT("min", 2));
	return 0;
}

static bool has_level(const level_t *lv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(lv[i].key, key) == 0)
			return true;
	return false;
}

int org_seed(db_t *db, const char *levels, bool demo, date_t today, err_t *e)
{
	level_t lv[16];
	size_t n_lv = 0;
	op_list_t ops = {0};
	bool own;
	int r;

	if (levels && *levels) {
		if (parse_levels(levels, lv, 16, &n_lv, e))
			return -1;
		if (!has_level(lv, n_lv, "central") || !has_level(lv, n_lv, "province"))
			return err_fail(e, ERR_INVALID, "invalid", "the levels must include central and province (the reference data uses them)");
		if (demo && !(has_level(lv, n_lv, "district") && has_level(lv, n_lv, "commune") &&
			      has_level(lv, n_lv, "branch") && has_level(lv, n_lv, "group")))
			return err_fail(e, ERR_INVALID, "invalid", "the demo data needs the levels district, commune, branch and group");
	} else {
		memcpy(lv, DEFAULT_LEVELS, sizeof(DEFAULT_LEVELS));
		n_lv = N_DEFAULT_LEVELS;
	}
	if (store_tx_begin(db, &own, e))
		return -1;
	r = org_levels_set(db, lv, n_lv, e);
	if (!r)
		r = ethnic_groups(db, e);
	if (!r)
		r = reference_ops(&ops, e);
	if (!r && demo) {
		const embedded_file_t *f = builtin("data/demo-units.csv", e);
		r = f ? ops_from_csv((const char *)f->data, f->len, "data/demo-units.csv", 1, &ops, e) : -1;
	}
	if (!r) {
		principal_t init;
		principal_system(&init, "init", today);
		r = apply_all(db, &init, &ops, e);
	}
	free(ops.v);
	return store_tx_end(db, own, r, e);
}

int org_ops_apply_csv(db_t *db, const principal_t *who, const char *csv, size_t len, size_t *applied, err_t *e)
{
	op_list_t ops = {0};
	int r, rc;

	*applied = 0;
	r = ops_from_csv(csv, len, "operations file", 1, &ops, e);
	if (r) {
		free(ops.v);
		return -1;
	}
	rc = db_begin(db);
	if (rc != DB_OK) {
		free(ops.v);
		return err_set(e, ERR_INTERNAL, NULL, "%s", db_errmsg(db));
	}
	r = apply_all(db, who, &ops, e);
	free(ops.v);
	if (r) {
		db_rollback(db);
		return -1;
	}
	rc = db_commit(db);
	if (rc != DB_OK)
		return err_set(e, ERR_INTERNAL, NULL, "%s", db_errmsg(db));
	*applied = ops.n;
	return 0;
}
