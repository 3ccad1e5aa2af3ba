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
#include "store/member_tally.h"
#include "store/org_store.h"
#include "store/util.h"

#define SOURCES_BUF 1024
#define OPS_MAX 200000 /* operations in one file */
#define REFORM_DATE "2025-07-01"
#define PROVINCES_63_FROM "2008-08-01"
#define ROOT_FROM "1930-10-20"
#define REFORM_NOTE "Nghị quyết 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh"

/* The columns of an operations file, in the order of op_t.f; the first
 * three are required. max: bytes (0: checked otherwise). */
enum { F_OP, F_DATE, F_CODE, F_NAME_VI, F_NAME_EN, F_LEVEL, F_KIND, F_ATTRIBUTES, F_PARENT, F_SOURCES, F_NOTE, F_N };
#define F_REQUIRED 3
static const char *const COLUMNS[F_N] = { "op",    "date",       "code",   "name_vi", "name_en", "level",
					  "kind",  "attributes", "parent", "sources", "note" };
static const size_t MAX_BYTES[F_N] = { 0, 0, UNIT_CODE_MAX, UNIT_NAME_BUF - 1, UNIT_NAME_BUF - 1, LEVEL_KEY_MAX,
				       UNIT_KIND_MAX, UNIT_ATTRS_BUF - 1, UNIT_CODE_MAX, SOURCES_BUF - 1, (size_t)NOTE_MAX * 4 };
static const char *const OPS[] = { "create", "merge", "rename", "attributes", "move", "close" };
#define OPS_ALLOWED "create, merge, rename, attributes, move, close"

typedef struct op {
	const char *f[F_N];     /* the values, "" when not given: borrowed from the
				   CSV table or string literals, which outlive the op */
	date_t date;
	const char *origin;     /* file name for messages, or NULL for none */
	size_t line;
	int prio;               /* 0 reference data, 1 other files */
	size_t seq;
} op_t;

typedef struct op_list {
	op_t *v;
	size_t n, cap;
} op_list_t;

static op_t *op_new(op_list_t *l, const char *origin, int prio, size_t line, err_t *e)
{
	op_t *o;

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
	o = &l->v[l->n];
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < F_N; i++)
		o->f[i] = "";
	o->seq = l->n++;
	o->origin = origin;
	o->prio = prio;
	o->line = line;
	return o;
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

/* Checks an operation's values before anything is applied, adding a detail
 * to e ("line 3, date") for each problem, and sets o->date. Returns the
 * number of problems. */
static int op_check(op_t *o, err_t *e)
{
	char where[48];
	size_t n_src = 0;
	int bad = 0;
	bool known = false;

	for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++)
		known = known || strcmp(o->f[F_OP], OPS[i]) == 0;
	if (!known) {
		snprintf(where, sizeof(where), "line %zu, op", o->line);
		err_field(e, where, "not_one_of", "'{value}' is not an operation ({allowed})", ERR_INT("line", o->line),
			  ERR_STR("column", "op"), ERR_STR("value", o->f[F_OP]), ERR_STR("allowed", OPS_ALLOWED));
		bad++;
	}
	if (date_parse(o->f[F_DATE], &o->date) != 0) {
		snprintf(where, sizeof(where), "line %zu, date", o->line);
		err_field(e, where, "not_a_date", "'{value}' is not a day YYYY-MM-DD", ERR_INT("line", o->line),
			  ERR_STR("column", "date"), ERR_STR("value", o->f[F_DATE]));
		bad++;
	}
	for (int i = F_CODE; i < F_N; i++)
		if (strlen(o->f[i]) > MAX_BYTES[i]) {
			snprintf(where, sizeof(where), "line %zu, %s", o->line, COLUMNS[i]);
			err_field(e, where, "too_many_bytes", "is too long (at most {max} bytes)", ERR_INT("line", o->line),
				  ERR_STR("column", COLUMNS[i]), ERR_INT("max", MAX_BYTES[i]));
			bad++;
		}
	for (const char *p = o->f[F_SOURCES]; *p;) {
		while (*p == ' ')
			p++;
		if (*p)
			n_src++;
		while (*p && *p != ' ')
			p++;
	}
	if (n_src > ORG_MERGE_SOURCES_MAX) {
		snprintf(where, sizeof(where), "line %zu, sources", o->line);
		err_field(e, where, "too_many", "lists more than {max} units", ERR_INT("line", o->line),
			  ERR_STR("column", "sources"), ERR_INT("max", ORG_MERGE_SOURCES_MAX));
		bad++;
	}
	return bad;
}

/* Puts origin in front of e's message and adds it as the parameter file. */
static void name_file(err_t *e, const char *origin)
{
	char msg[sizeof(e->message)];

	if (!e || !origin)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message);
	snprintf(e->message, sizeof(e->message), "%s: %s", origin, msg);
	err_add_param(e, ERR_STR("file", origin));
}

/* Reads an operations CSV document into t (which the ops added to l
 * borrow from: the caller frees it after them) and checks every row.
 * Returns 0, or -1 with e: the document's first malformed line, a header
 * that is not one of an operations file, or every bad row (details). */
static int ops_from_csv(const char *data, size_t len, const char *origin, int prio, csv_table_t *t, op_list_t *l,
			err_t *e)
{
	int col[F_N];
	int bad_rows = 0;

	if (csv_table_parse(data, len, t, e) || csv_check_columns(t, COLUMNS, F_N, F_REQUIRED, e)) {
		name_file(e, origin);
		return -1;
	}
	if (t->n_rows > OPS_MAX)
		return origin ? err_fail(e, ERR_TOO_LARGE, "too_large",
					 "{file}: more than {max} operations in one file (split it in several)",
					 ERR_STR("file", origin), ERR_INT("max", OPS_MAX))
			      : err_fail(e, ERR_TOO_LARGE, "too_large", "more than {max} operations (split them)",
					 ERR_INT("max", OPS_MAX));
	for (int i = 0; i < F_N; i++)
		col[i] = csv_col(t, COLUMNS[i]);
	for (size_t i = 0; i < t->n_rows; i++) {
		const csv_row_t *r = &t->rows[i];
		op_t *o = op_new(l, origin, prio, r->line, e);
		if (!o)
			return -1;
		for (int k = 0; k < F_N; k++)
			o->f[k] = csv_field(r, col[k]);
		if (op_check(o, e))
			bad_rows++;
	}
	if (bad_rows && origin)
		return err_fail(e, ERR_INVALID, "invalid", "{file}: {count} row(s) are not valid", ERR_STR("file", origin),
				ERR_INT("count", bad_rows));
	if (bad_rows)
		return err_fail(e, ERR_INVALID, "invalid", "{count} row(s) are not valid", ERR_INT("count", bad_rows));
	return 0;
}

static int op_apply(db_t *db, const principal_t *who, const op_t *o, err_t *e)
{
	const char *const *f = o->f;
	const char *note = f[F_NOTE][0] ? f[F_NOTE] : NULL;
	unit_spec_t spec;
	unit_t out;
	int r;

	/* the values' lengths were checked by op_check */
	memset(&spec, 0, sizeof(spec));
	ub_strlcpy(spec.code, f[F_CODE], sizeof(spec.code));
	ub_strlcpy(spec.name_vi, f[F_NAME_VI], sizeof(spec.name_vi));
	ub_strlcpy(spec.name_en, f[F_NAME_EN], sizeof(spec.name_en));
	ub_strlcpy(spec.level, f[F_LEVEL], sizeof(spec.level));
	ub_strlcpy(spec.kind, f[F_KIND], sizeof(spec.kind));
	ub_strlcpy(spec.attributes, f[F_ATTRIBUTES], sizeof(spec.attributes));
	ub_strlcpy(spec.parent, f[F_PARENT], sizeof(spec.parent));
	if (strcmp(f[F_OP], "create") == 0) {
		r = org_create(db, who, &spec, o->date, note, &out, e);
	} else if (strcmp(f[F_OP], "rename") == 0) {
		r = org_rename(db, who, spec.code, o->date, spec.name_vi, spec.name_en, note, &out, e);
	} else if (strcmp(f[F_OP], "attributes") == 0) {
		r = org_set_attributes(db, who, spec.code, o->date, spec.attributes, note, &out, e);
	} else if (strcmp(f[F_OP], "move") == 0) {
		r = org_move(db, who, spec.code, o->date, spec.parent, note, &out, e);
	} else if (strcmp(f[F_OP], "close") == 0) {
		r = org_close(db, who, spec.code, o->date, note, &out, e);
	} else if (strcmp(f[F_OP], "merge") == 0) {
		/* at most SOURCES_BUF - 1 bytes (op_check): at most half as many codes */
		const char *src[SOURCES_BUF / 2];
		char buf[SOURCES_BUF], *save = NULL;
		size_t n = 0;
		ub_strlcpy(buf, f[F_SOURCES], sizeof(buf));
		for (char *tok = strtok_r(buf, " ", &save); tok && n < SOURCES_BUF / 2; tok = strtok_r(NULL, " ", &save))
			src[n++] = tok;
		r = org_merge(db, who, src, n, o->date, &spec, NULL, note, &out, NULL, e);
	} else {
		r = err_fail(e, ERR_INVALID, "invalid", "unknown operation '{value}'", ERR_STR("value", f[F_OP]));
	}
	if (r && e) {
		char msg[sizeof(e->message)];
		snprintf(msg, sizeof(msg), "%s", e->message);
		snprintf(e->message, sizeof(e->message), "%s%sline %zu (%s %s): %s", o->origin ? o->origin : "",
			 o->origin ? " " : "", o->line, f[F_OP], spec.code, msg);
		/* where, for a program: the error's own parameters stay */
		if (o->origin)
			err_add_param(e, ERR_STR("file", o->origin));
		err_add_param(e, ERR_INT("line", o->line));
	}
	return r;
}

/* Applies the ops in order. growth, when given, counts each op: a tree
 * built from empty in one transaction (init) has its statistics taken again
 * as it grows (store_growth_step); a plan applied to a tree already full
 * passes NULL, its statistics being right already. */
static int apply_all(db_t *db, const principal_t *who, op_list_t *l, store_growth_t *growth, err_t *e)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(op_t), op_cmp);
	for (size_t i = 0; i < l->n; i++) {
		if (op_apply(db, who, &l->v[i], e))
			return -1;
		if (growth && store_growth_step(db, growth, ORG_TREE_TABLES, e)) {
			char msg[sizeof(e->message)];

			snprintf(msg, sizeof(msg), "%s", e->message);
			snprintf(e->message, sizeof(e->message), "analyze after %zu changes to the tree: %s", i + 1, msg);
			return -1;
		}
	}
	return 0;
}

static const embedded_file_t *builtin(const char *name, err_t *e)
{
	const embedded_file_t *f = embedded_find(name);
	if (!f)
		err_fail(e, ERR_INTERNAL, NULL, "built-in file {file} is missing from this build", ERR_STR("file", name));
	return f;
}

/* The reference timeline: root, 63 provinces, the 2025 reform, from the
 * tables t63 and t34 (filled here; the ops borrow from them, and the
 * caller frees them after the ops, also on failure). */
static int reference_ops(op_list_t *l, csv_table_t *t63, csv_table_t *t34, err_t *e)
{
	static const char *const cols63[] = { "code", "name_vi", "name_en", "kind" };
	static const char *const cols34[] = { "code", "name_vi", "name_en", "kind", "merged_from" };
	int c63_code, c63_vi, c63_en, c63_kind, c34_code, c34_vi, c34_en, c34_kind, c34_from;
	op_t *o;
	int bad = 0;

	if (csv_table_builtin("data/provinces-63.csv", cols63, 4, t63, e) ||
	    csv_table_builtin("data/provinces-34.csv", cols34, 5, t34, e))
		return -1;
	c63_code = csv_col(t63, "code");
	c63_vi = csv_col(t63, "name_vi");
	c63_en = csv_col(t63, "name_en");
	c63_kind = csv_col(t63, "kind");
	c34_code = csv_col(t34, "code");
	c34_vi = csv_col(t34, "name_vi");
	c34_en = csv_col(t34, "name_en");
	c34_kind = csv_col(t34, "kind");
	c34_from = csv_col(t34, "merged_from");

	if (!(o = op_new(l, "reference data", 0, 0, e)))
		return -1;
	o->f[F_OP] = "create";
	o->f[F_DATE] = ROOT_FROM;
	o->f[F_CODE] = "VN";
	o->f[F_NAME_VI] = "Hội Liên hiệp Phụ nữ Việt Nam";
	o->f[F_NAME_EN] = "Vietnam Women's Union";
	o->f[F_LEVEL] = "central";
	o->f[F_NOTE] = "Thành lập ngày 20/10/1930";
	bad += op_check(o, e);

	for (size_t i = 0; i < t63->n_rows; i++) {
		const csv_row_t *row = &t63->rows[i];
		if (!(o = op_new(l, "data/provinces-63.csv", 0, row->line, e)))
			return -1;
		o->f[F_OP] = "create";
		o->f[F_DATE] = PROVINCES_63_FROM;
		o->f[F_CODE] = csv_field(row, c63_code);
		o->f[F_NAME_VI] = csv_field(row, c63_vi);
		o->f[F_NAME_EN] = csv_field(row, c63_en);
		o->f[F_LEVEL] = "province";
		o->f[F_ATTRIBUTES] = strcmp(csv_field(row, c63_kind), "city") == 0 ? "city" : "";
		o->f[F_PARENT] = "VN";
		bad += op_check(o, e);
	}
	for (size_t i = 0; i < t34->n_rows; i++) {
		const csv_row_t *row = &t34->rows[i];
		const char *code = csv_field(row, c34_code);
		const char *from = csv_field(row, c34_from);
		bool continues = strcmp(code, from) == 0;
		const char *name_vi = csv_field(row, c34_vi);
		const char *kind = csv_field(row, c34_kind);
		bool renamed = false, retyped = false;

		if (continues) {
			/* the same unit goes on; only a changed name is an event, and
			 * a changed kind (Huế became a centrally run city) changes
			 * its attributes from that day */
			for (size_t k = 0; k < t63->n_rows; k++)
				if (strcmp(csv_field(&t63->rows[k], c63_code), code) == 0) {
					renamed = strcmp(csv_field(&t63->rows[k], c63_vi), name_vi) != 0;
					retyped = strcmp(csv_field(&t63->rows[k], c63_kind), kind) != 0;
				}
			if (retyped) {
				if (!(o = op_new(l, "data/provinces-34.csv", 0, row->line, e)))
					return -1;
				o->f[F_OP] = "attributes";
				o->f[F_DATE] = REFORM_DATE;
				o->f[F_CODE] = code;
				o->f[F_ATTRIBUTES] = strcmp(kind, "city") == 0 ? "city" : "";
				o->f[F_NOTE] = REFORM_NOTE;
				bad += op_check(o, e);
			}
			if (!renamed)
				continue;
		}
		if (!(o = op_new(l, "data/provinces-34.csv", 0, row->line, e)))
			return -1;
		o->f[F_OP] = continues ? "rename" : "merge";
		o->f[F_DATE] = REFORM_DATE;
		o->f[F_CODE] = code;
		o->f[F_NAME_VI] = name_vi;
		o->f[F_NAME_EN] = csv_field(row, c34_en);
		o->f[F_LEVEL] = "province";
		o->f[F_ATTRIBUTES] = strcmp(kind, "city") == 0 ? "city" : "";
		o->f[F_PARENT] = "VN";
		o->f[F_SOURCES] = from;
		o->f[F_NOTE] = REFORM_NOTE;
		bad += op_check(o, e);
	}
	if (bad)
		return err_fail(e, ERR_INTERNAL, NULL, "the built-in reference data is not valid");
	return 0;
}

static int ethnic_groups(db_t *db, err_t *e)
{
	static const char *const cols[] = { "code", "name_vi", "name_en" };
	csv_table_t t;
	int r = 0, c_code, c_vi, c_en;

	if (csv_table_builtin("data/ethnic-groups.csv", cols, 3, &t, e))
		return -1;
	c_code = csv_col(&t, "code");
	c_vi = csv_col(&t, "name_vi");
	c_en = csv_col(&t, "name_en");
	for (size_t i = 0; i < t.n_rows && !r; i++)
		r = org_ethnic_group_add(db, csv_field(&t.rows[i], c_code), csv_field(&t.rows[i], c_vi),
					 csv_field(&t.rows[i], c_en), e);
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
	csv_table_t t63 = {0}, t34 = {0}, tdemo = {0};
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
	/* the figures are counted once at the end, not unit by unit: each
	 * unit's ancestry_refresh would count everyone already under it */
	r = member_tally_suspend(db, e) || org_levels_set(db, lv, n_lv, e);
	if (!r)
		r = ethnic_groups(db, e);
	if (!r)
		r = reference_ops(&ops, &t63, &t34, e);
	if (!r && demo) {
		const embedded_file_t *f = builtin("data/demo-units.csv", e);
		r = f ? ops_from_csv((const char *)f->data, f->len, "data/demo-units.csv", 1, &tdemo, &ops, e) : -1;
	}
	if (!r) {
		principal_t init;
		store_growth_t growth = STORE_GROWTH_INIT;

		principal_system(&init, "init", today);
		r = apply_all(db, &init, &ops, &growth, e);
	}
	if (!r)
		r = member_tally_rebuild(db, e);
	free(ops.v);
	csv_table_free(&t63);
	csv_table_free(&t34);
	csv_table_free(&tdemo);
	return store_tx_end(db, own, r, e);
}

/* apply_all in a transaction of its own. Returns 0, or -1 with e and
 * nothing written. */
static int apply_in_tx(db_t *db, const principal_t *who, op_list_t *ops, err_t *e)
{
	if (db_begin(db) != DB_OK)
		return err_set(e, ERR_INTERNAL, NULL, "%s", db_errmsg(db));
	if (apply_all(db, who, ops, NULL, e)) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db) != DB_OK)
		return err_set(e, ERR_INTERNAL, NULL, "%s", db_errmsg(db));
	return 0;
}

struct org_plan {
	csv_table_t table; /* the values the operations borrow */
	op_list_t ops;     /* in the order they apply */
};

int org_plan_read(const char *csv, size_t len, const char *origin, org_plan_t **out, err_t *e)
{
	org_plan_t *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p) {
		err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		return -1;
	}
	if (ops_from_csv(csv, len, origin, 1, &p->table, &p->ops, e)) {
		org_plan_free(p);
		return -1;
	}
	if (p->ops.n)
		qsort(p->ops.v, p->ops.n, sizeof(op_t), op_cmp);
	*out = p;
	return 0;
}

size_t org_plan_count(const org_plan_t *p)
{
	return p->ops.n;
}

void org_plan_get(const org_plan_t *p, size_t i, org_plan_op_t *out)
{
	const op_t *o = &p->ops.v[i];

	out->op = o->f[F_OP];
	out->code = o->f[F_CODE];
	out->parent = o->f[F_PARENT];
	out->sources = o->f[F_SOURCES];
	out->date = o->date;
	out->line = o->line;
}

int org_plan_apply(db_t *db, const principal_t *who, const org_plan_t *p, size_t i, err_t *e)
{
	return op_apply(db, who, &p->ops.v[i], e);
}

void org_plan_free(org_plan_t *p)
{
	if (!p)
		return;
	free(p->ops.v);
	csv_table_free(&p->table);
	free(p);
}

int org_ops_apply_csv(db_t *db, const principal_t *who, const char *csv, size_t len, size_t *applied, err_t *e)
{
	org_plan_t *p = NULL;
	int r;

	*applied = 0;
	if (org_plan_read(csv, len, "operations file", &p, e))
		return -1;
	r = apply_in_tx(db, who, &p->ops, e);
	if (!r)
		*applied = p->ops.n;
	org_plan_free(p);
	return r;
}
