/*
 * member_import.c - see member_import.h.
 */
#include "api/member_import.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "core/person.h"
#include "core/text.h"
#include "store/imports.h"
#include "store/member_tally.h"
#include "store/members.h"
#include "store/org_store.h"
#include "store/scope.h"
#include "store/util.h"

#define SUBTREE_MAX 200000  /* units below the list's unit that a row may name */
#define DUPLICATES_CAP 16
#define IMPORT_BATCH_ROWS 2000 /* new records stored together (member_batch_t) */

/* A unit a row may name: by code, or by its name folded (with and
 * without its level's word: "chi hoi 3" and "3"). */
typedef struct named_unit named_unit_t;
typedef named_unit_t *unit_ptr_t; /* an entry of the sorted lists */
struct named_unit {
	int64_t id;
	char code[UNIT_CODE_MAX + 1];
	char *fold, *bare;
	bool known;                /* facts read */
	member_unit_facts_t facts; /* what member_check_unit reads of it */
};

/* The keys seen (64-bit hashes) with the line of the row that had each
 * first: in memory, an open-addressing table of at most SEEN_SLOTS_MAX
 * slots (32 MB), and past that in a scratch SQLite file of its own
 * (deleted once open) with a small cache, so that memory stays the same
 * whatever the file's size: a file of 8.5 million rows (256 MB) would
 * take 272 MB in memory. The file alone cost a fifth of a dry run
 * (profiled at 200,000 rows), so a list of up to 1.5 million rows never
 * touches it. */
typedef struct seen_slot {
	uint64_t h;    /* 0: empty (a key hashing to 0 is kept as 1) */
	uint64_t line;
} seen_slot_t;

typedef struct seen {
	seen_slot_t *slots;
	size_t cap, n;     /* slots (a power of two) and keys in them */
	size_t max_slots;  /* SEEN_SLOTS_MAX, or less in a test */
	db_t *db;          /* the keys moved out of memory; NULL until then */
	db_stmt_t *add, *find;
} seen_t;

/* A row read ahead, as member_rows_next gave it (row owned, its buffer
 * reused by the rows read into it after). */
typedef struct ahead_row {
	member_row_t row;
	size_t line;
	err_t problems;
} ahead_row_t;

/* What the registry has of an ID number of the rows read ahead. */
typedef struct id_known {
	char id_number[PERSON_ID_BUF];
	int64_t id;
} id_known_t;

typedef struct run {
	db_t *db;
	const principal_t *who;
	const member_import_opts_t *o;
	member_import_report_t *rep;
	member_rows_t *rows;
	unit_t unit;                 /* the list's */
	ethnic_group_t *ethnic;
	size_t n_ethnic;
	named_unit_t *units;         /* the list's unit and those below it */
	size_t n_units;
	named_unit_t **by_id, **by_code, **by_fold, **by_bare; /* units, sorted so */
	seen_t seen;
	member_origin_t origin;
	size_t next_analyze;         /* rows stored when the statistics are brought up to date next */
	member_batch_t *batch;       /* new records not written yet */
	id_known_t known[MEMBER_ID_LOOKUP_MAX]; /* of their ID numbers, sorted */
	size_t n_known;
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
} run_t;

void member_import_test_pause(const char *name)
{
	const char *env = getenv(name);
	long ms = env ? strtol(env, NULL, 10) : 0;
	struct timespec t;

	if (ms <= 0 || ms > 10000)
		return;
	t.tv_sec = ms / 1000;
	t.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* ---- the keys seen ---- */

#define SEEN_CACHE_KB 16384
#define SEEN_SLOTS_FIRST ((size_t)1 << 16)
#define SEEN_SLOTS_MAX ((size_t)1 << 21)

/* UNIONBASE_IMPORT_SEEN_SLOTS (a power of two, at least 4) makes the
 * table small, for the tests of the scratch file. */
static int seen_open(seen_t *s, err_t *e)
{
	const char *env = getenv("UNIONBASE_IMPORT_SEEN_SLOTS");
	unsigned long long v = env ? strtoull(env, NULL, 10) : 0;

	*s = (seen_t){ .max_slots = SEEN_SLOTS_MAX };
	if (v >= 4 && v <= SEEN_SLOTS_MAX && (v & (v - 1)) == 0)
		s->max_slots = (size_t)v;
	s->cap = s->max_slots < SEEN_SLOTS_FIRST ? s->max_slots : SEEN_SLOTS_FIRST;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	return 0;
}

static int scratch_open(seen_t *s, err_t *e)
{
	const char *tmp = getenv("TMPDIR");
	char path[512], url[600], msg[256];
	int fd;

	snprintf(path, sizeof(path), "%s/unionbase-seen-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return err_fail(e, ERR_INTERNAL, NULL, "no room for the import's scratch file: {reason}",
				ERR_STR("reason", strerror(errno)));
	close(fd);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (db_open(url, &s->db, msg, sizeof(msg)) != DB_OK) {
		unlink(path);
		s->db = NULL;
		return err_fail(e, ERR_INTERNAL, NULL, "the import's scratch file cannot be opened: {reason}",
				ERR_STR("reason", msg));
	}
	/* gone from the folder at once: nothing is left behind, even by a kill */
	unlink(path);
	snprintf(msg, sizeof(msg),
		 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA mmap_size=0; PRAGMA cache_size=-%d;"
		 " CREATE TABLE seen (h INTEGER PRIMARY KEY, line INTEGER NOT NULL)",
		 SEEN_CACHE_KB);
	/* one transaction for the whole run, never committed (a statement
	 * of its own each wrote its pages to the file at every row: a dry
	 * run of a million rows went from 11 s to 44 s); rolled back without
	 * a journal at db_close, which leaves the file in any state: it is
	 * deleted already */
	if (db_exec(s->db, msg) != DB_OK || db_begin(s->db) != DB_OK ||
	    db_prepare(s->db, "INSERT INTO seen (h, line) VALUES (?, ?)", &s->add) != DB_OK ||
	    db_prepare(s->db, "SELECT line FROM seen WHERE h = ?", &s->find) != DB_OK)
		return store_fail(s->db, DB_ERROR, e);
	return 0;
}

/* Safe to call again: the run lets it go before its last writes. */
static void seen_close(seen_t *s)
{
	db_finalize(s->add);
	db_finalize(s->find);
	db_close(s->db);
	free(s->slots);
	*s = (seen_t){ 0 };
}

static seen_slot_t *slot_of(const seen_t *s, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);

	while (s->slots[i].h && s->slots[i].h != h)
		i = (i + 1) & (s->cap - 1);
	return &s->slots[i];
}

/* Doubles the table when it holds 3/4 of its slots. */
static int seen_grow(seen_t *s, err_t *e)
{
	seen_slot_t *old = s->slots;
	size_t old_cap = s->cap;

	s->slots = calloc(old_cap * 2, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old;
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	s->cap = old_cap * 2;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].h)
			*slot_of(s, old[i].h) = old[i];
	free(old);
	return 0;
}

/* Moves every key of the full table into the scratch file. */
static int seen_spill(seen_t *s, err_t *e)
{
	if (!s->db && scratch_open(s, e))
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		int64_t key;
		if (!s->slots[i].h)
			continue;
		memcpy(&key, &s->slots[i].h, sizeof(key));
		db_reset(s->add);
		if (db_bind_int64(s->add, 1, key) != DB_OK ||
		    db_bind_int64(s->add, 2, (int64_t)s->slots[i].line) != DB_OK || db_step(s->add) != DB_DONE)
			return store_fail(s->db, DB_ERROR, e);
	}
	db_reset(s->add);
	memset(s->slots, 0, s->cap * sizeof(*s->slots));
	s->n = 0;
	return 0;
}

/* The line key h was first seen on in the scratch file: *line, 0 if never. */
static int scratch_find(seen_t *s, uint64_t h, size_t *line, err_t *e)
{
	int64_t key;
	int rc;

	*line = 0;
	if (!s->db)
		return 0;
	memcpy(&key, &h, sizeof(key));
	db_reset(s->find);
	if (db_bind_int64(s->find, 1, key) != DB_OK)
		return store_fail(s->db, DB_ERROR, e);
	rc = db_step(s->find);
	if (rc == DB_ROW)
		*line = (size_t)db_col_int64(s->find, 0);
	else if (rc != DB_DONE)
		return store_fail(s->db, rc, e);
	db_reset(s->find);
	return 0;
}

/* Adds key h seen on line; *first is the line it was first seen on (0 when
 * it is new). Returns 0 or -1 with e. */
static int seen_add(seen_t *s, uint64_t h, size_t line, size_t *first, err_t *e)
{
	seen_slot_t *slot;

	*first = 0;
	h = h ? h : 1;
	slot = slot_of(s, h);
	if (slot->h) {
		*first = (size_t)slot->line;
		return 0;
	}
	if (scratch_find(s, h, first, e) || *first)
		return *first ? 0 : -1;
	if (s->n + 1 > s->cap / 4 * 3) {
		if (s->cap < s->max_slots ? seen_grow(s, e) : seen_spill(s, e))
			return -1;
		slot = slot_of(s, h);
	}
	*slot = (seen_slot_t){ .h = h, .line = line };
	s->n++;
	return 0;
}

static uint64_t key_hash(const run_t *r, const char *key)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h = 0;

	crypto_shorthash(out, (const unsigned char *)key, strlen(key), r->hash_key);
	memcpy(&h, out, sizeof(h));
	return h;
}

/* ---- reporting ---- */

/* The first column of the file that holds field key. */
static const member_column_t *column_of(const run_t *r, const char *key)
{
	size_t n;
	const member_column_t *c = member_rows_columns(r->rows, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(mcol_key(c[i].field), key) == 0)
			return &c[i];
	return NULL;
}

/* s as shown in a report: at most IMPORT_SHOWN_MAX bytes, cut at a
 * character's start and marked with "…" (a cell of 32,000 characters,
 * quoted in each of a million bad rows, would fill the disk). */
static const char *shown(const char *s, char *buf, size_t cap)
{
	size_t n = strlen(s);

	if (n <= IMPORT_SHOWN_MAX)
		return s;
	n = IMPORT_SHOWN_MAX;
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	snprintf(buf, cap, "%.*s…", (int)n, s);
	return buf;
}

/* Reports detail d of the row at line, quoting its field's value as read
 * (as_read: after the reader's conversions, such as 05/03/1980 to
 * 1980-03-05, but before the checks set its unit's code). */
static void report_detail(run_t *r, size_t line, const member_fields_t *as_read, const err_detail_t *d)
{
	const member_column_t *c = d->field[0] ? column_of(r, d->field) : NULL;
	char value[IMPORT_SHOWN_MAX + 8], header[IMPORT_SHOWN_MAX + 8];
	const char *val = "";
	import_error_t err;
	mcol_t f = MCOL_NONE;

	if (d->field[0] && mcol_parse(d->field, &f) == 0) {
		const mval_t *v = &as_read->v[f];
		if (v->kind == MVAL_TEXT)
			val = shown(v->text, value, sizeof(value));
		else if (v->kind == MVAL_TRUE || v->kind == MVAL_FALSE)
			val = v->kind == MVAL_TRUE ? "true" : "false";
	}
	err = (import_error_t){ .line = line,
				.column = c ? c->column : 0,
				.header = c ? shown(c->header, header, sizeof(header)) : "",
				.field = d->field,
				.value = val,
				.detail = d };
	if (r->o->on_error)
		r->o->on_error(r->o->ctx, &err);
}

/* The details of src on fields that e has none on yet. */
static void add_new_details(err_t *e, const err_t *src)
{
	for (int i = 0; i < src->n_details; i++)
		if (!err_has_detail(e, src->details[i].field))
			err_field_copy(e, "", &src->details[i]);
}

/* A refusal of the store as a detail of the row (one without details of
 * its own: id_number_taken, not_a_member). */
static void refusal_as_detail(err_t *row, const err_t *e, const char *field)
{
	if (e->n_details) {
		add_new_details(row, e);
		return;
	}
	err_field(row, field, e->code, "{message}", ERR_STR("message", e->message));
}

/* Whether a store failure must stop the run (not a refusal of the row). */
static bool fatal(const err_t *e)
{
	return e->kind != ERR_INVALID && e->kind != ERR_CONFLICT;
}

/* ---- units ---- */

/* name folded, and without the words units are called by ("Chi hội Phụ
 * nữ tổ dân phố 3" is also "to dan pho 3"): *fold and *bare malloc'd. */
static int fold_bare(const char *name, char **fold, char **bare)
{
	static const char *const WORDS[] = { "chi hoi ", "to hoi ", "chi to hoi ", "hoi lhpn ", "hoi phu nu ",
					     "to phu nu ", "phu nu ", NULL };
	const char *b;
	bool again = true;

	*bare = NULL;
	if (text_fold(name, fold))
		return -1;
	b = *fold;
	while (again) {
		again = false;
		for (int i = 0; WORDS[i]; i++)
			if (strncmp(b, WORDS[i], strlen(WORDS[i])) == 0) {
				b += strlen(WORDS[i]);
				again = true;
			}
	}
	*bare = strdup(b);
	return *bare ? 0 : -1;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = (*(named_unit_t *const *)a)->id, y = (*(named_unit_t *const *)b)->id;
	return (x > y) - (x < y);
}

static int by_code(const void *a, const void *b)
{
	return strcmp((*(named_unit_t *const *)a)->code, (*(named_unit_t *const *)b)->code);
}

static int by_fold(const void *a, const void *b)
{
	return strcmp((*(named_unit_t *const *)a)->fold, (*(named_unit_t *const *)b)->fold);
}

static int by_bare(const void *a, const void *b)
{
	return strcmp((*(named_unit_t *const *)a)->bare, (*(named_unit_t *const *)b)->bare);
}

/* The units in four orders, for a row's unit found by halving, not by
 * reading a province's thousands of units at every row. */
static int sort_units(run_t *r, err_t *e)
{
	named_unit_t ***orders[] = { &r->by_id, &r->by_code, &r->by_fold, &r->by_bare };
	int (*cmp[])(const void *, const void *) = { by_id, by_code, by_fold, by_bare };

	for (size_t k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		named_unit_t **a = calloc(r->n_units ? r->n_units : 1, sizeof(unit_ptr_t));
		if (!a)
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		for (size_t i = 0; i < r->n_units; i++)
			a[i] = &r->units[i];
		qsort(a, r->n_units, sizeof(unit_ptr_t), cmp[k]);
		*orders[k] = a;
	}
	return 0;
}

/* The units of `order` (sorted by cmp) that compare equal to key: the
 * first as *from, how many as the answer. */
static size_t equal_range(named_unit_t **order, size_t n, const named_unit_t *key,
			  int (*cmp)(const void *, const void *), size_t *from)
{
	size_t lo = 0, hi = n, count = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(&order[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (lo + count < n && cmp(&order[lo + count], &key) == 0)
		count++;
	return count;
}

static int load_units(run_t *r, err_t *e)
{
	unit_list_t l = { 0 };

	if (org_subtree(r->db, r->unit.id, r->who->today, 64, SUBTREE_MAX, &l, e))
		return -1;
	r->units = calloc(l.n ? l.n : 1, sizeof(*r->units));
	if (!r->units) {
		unit_list_free(&l);
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	for (size_t i = 0; i < l.n; i++, r->n_units++) {
		named_unit_t *u = &r->units[i];
		u->id = l.items[i].id;
		snprintf(u->code, sizeof(u->code), "%s", l.items[i].code);
		if (fold_bare(l.items[i].name_vi, &u->fold, &u->bare)) {
			unit_list_free(&l);
			return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
		}
	}
	unit_list_free(&l);
	return sort_units(r, e);
}

/* The unit of the list with id, or NULL. */
static named_unit_t *unit_by_id(const run_t *r, int64_t id)
{
	named_unit_t key = { .id = id }, *k = &key, **found;

	found = bsearch(&k, r->by_id, r->n_units, sizeof(unit_ptr_t), by_id);
	return found ? *found : NULL;
}

static bool in_list_unit(const run_t *r, int64_t id)
{
	return unit_by_id(r, id) != NULL;
}

/* The unit a row's cell names: a code, or a name of one of the units of
 * the list (folded, with or without "Chi hội"); more than one of that
 * name: none (ambiguous). */
static const named_unit_t *unit_named(const run_t *r, const char *cell, bool *ambiguous)
{
	const named_unit_t *found = NULL;
	named_unit_t key = { 0 };
	size_t from, n;

	*ambiguous = false;
	(void)ub_strlcpy(key.code, cell, sizeof(key.code)); /* one that long names no unit */
	if (strlen(cell) < sizeof(key.code) && equal_range(r->by_code, r->n_units, &key, by_code, &from))
		return r->by_code[from];
	if (fold_bare(cell, &key.fold, &key.bare)) {
		free(key.fold);
		return NULL;
	}
	for (int k = 0; k < 2 && !*ambiguous; k++) {
		named_unit_t **order = k ? r->by_bare : r->by_fold;
		n = equal_range(order, r->n_units, &key, k ? by_bare : by_fold, &from);
		for (size_t i = from; i < from + n; i++) {
			if (found && found->id != order[i]->id) {
				*ambiguous = true;
				found = NULL;
				break;
			}
			found = order[i];
		}
	}
	free(key.fold);
	free(key.bare);
	return found;
}

/* The unit's code as the row's unit field (borrowed: the run keeps it). */
static mval_t code_value(const char *code)
{
	return (mval_t){ .kind = MVAL_TEXT, .text = code, .len = strlen(code) };
}

/* Sets the row's unit to the code of the unit it names (or the list's
 * when it names none); *unit_id that unit. A detail when it names none
 * of the list's units. */
static void row_unit(run_t *r, member_fields_t *row, int64_t *unit_id, err_t *row_e)
{
	const mval_t *v = &row->v[MCOL_UNIT];
	const named_unit_t *u;
	bool ambiguous;

	*unit_id = 0;
	if (v->kind != MVAL_TEXT) {
		*unit_id = r->unit.id;
		row->v[MCOL_UNIT] = code_value(r->unit.code);
		return;
	}
	u = unit_named(r, v->text, &ambiguous);
	if (!u) {
		err_field(row_e, "unit", ambiguous ? "ambiguous_unit" : "unknown_unit",
			  ambiguous ? "'{value}' names more than one branch or group of {unit}" :
				      "'{value}' is not a branch or group of {unit}",
			  ERR_STR("value", v->text), ERR_STR("unit", r->unit.name_vi));
		row->v[MCOL_UNIT] = code_value(r->unit.code);
		return;
	}
	*unit_id = u->id;
	row->v[MCOL_UNIT] = code_value(u->code);
}

/* ---- matching ---- */

typedef enum action { ACT_CREATE, ACT_UPDATE } action_t;

/* ID number p->id_number is record *id's. Unless she is a member of the
 * list's unit today (then *id stays, to be updated), the row is refused
 * and *id is 0: who she is and where is told only when her unit (today's,
 * or her last) lies in the caller's scope, as POST
 * /api/v1/members tells it. */
static int held_elsewhere(run_t *r, const person_t *p, int64_t *id, err_t *row_e, err_t *e)
{
	date_t today = r->who->today;
	membership_t *h = NULL;
	size_t n = 0, at;
	bool seen = false, now = false;
	int64_t unit;

	if (member_history(r->db, *id, &h, &n, e))
		return -1;
	/* her stay today, or her last: a move recorded ahead (her branch
	 * merged next month) leaves her in the list's unit until then */
	at = n ? n - 1 : 0;
	for (size_t i = 0; i < n; i++)
		if (h[i].valid_from <= today && today < h[i].valid_to) {
			at = i;
			now = true;
		}
	unit = n ? h[at].unit.id : 0;
	if (now && in_list_unit(r, unit)) {
		free(h);
		return 0;
	}
	if (n && scope_contains(r->db, r->who, unit, &seen, e)) {
		free(h);
		return -1;
	}
	if (seen && !now)
		err_field(row_e, "id_number", "former_member",
			  "ID number {value} is a former member's (of {unit}): rejoin her from her page",
			  ERR_STR("value", p->id_number), ERR_STR("unit", h[at].unit.code));
	else if (seen)
		err_field(row_e, "id_number", "id_number_taken",
			  "ID number {value} is a member's of {unit}: transfer her from there",
			  ERR_STR("value", p->id_number), ERR_STR("unit", h[at].unit.code));
	else
		err_field(row_e, "id_number", "id_number_taken", "ID number {value} is another person's",
			  ERR_STR("value", p->id_number));
	free(h);
	*id = 0;
	return 0;
}

static int by_id_number(const void *a, const void *b)
{
	return strcmp(((const id_known_t *)a)->id_number, ((const id_known_t *)b)->id_number);
}

/* The ID numbers of rows ahead[0..n) into r->known, with what the
 * registry has of each, in one lookup. A value that is not an ID number
 * is left out: its row is refused before any lookup. */
static int look_ahead(run_t *r, const ahead_row_t *ahead, size_t n, err_t *e)
{
	const char *numbers[MEMBER_ID_LOOKUP_MAX];
	int64_t ids[MEMBER_ID_LOOKUP_MAX];
	person_id_kind_t kind;
	err_t ignored;

	r->n_known = 0;
	for (size_t i = 0; i < n; i++) {
		const mval_t *v = &ahead[i].row.f.v[MCOL_ID_NUMBER];
		const char *raw = v->kind == MVAL_TEXT ? v->text : NULL;
		id_known_t *k = &r->known[r->n_known];
		err_clear(&ignored);
		if (raw && person_id_number(raw, false, 0, SEX_FEMALE, MEMBER_REGULAR, "id_number", k->id_number, &kind,
					    &ignored) == 0)
			numbers[r->n_known++] = k->id_number;
	}
	if (member_by_id_numbers(r->db, numbers, r->n_known, ids, NULL, e))
		return -1;
	for (size_t i = 0; i < r->n_known; i++)
		r->known[i].id = ids[i];
	qsort(r->known, r->n_known, sizeof(r->known[0]), by_id_number);
	return 0;
}

/* Who has ID number id_number (*id, 0: no one), from what look_ahead found when it asked. Rows
 * stored since cannot have changed it: an ID number is looked up only on
 * the first row that has it (a second is a duplicate_in_file), and no row
 * changes a record's ID number (it is what matched her). */
static int id_number_holder(run_t *r, const char *id_number, int64_t *id, err_t *e)
{
	id_known_t key = { .id = 0 };
	const id_known_t *k;
	bool current;

	(void)ub_strlcpy(key.id_number, id_number, sizeof(key.id_number)); /* it fits: checked */
	k = bsearch(&key, r->known, r->n_known, sizeof(r->known[0]), by_id_number);
	if (!k)
		return member_by_id_number(r->db, id_number, id, &current, e);
	*id = k->id;
	return 0;
}

/* The record this row is of, when the registry has it: by ID number, or
 * by name and date of birth in her unit. *id 0: a new record. Problems
 * as details on row_e; -1 only for a store failure. */
static int match(run_t *r, const person_t *p, int64_t unit_id, size_t line, int64_t *id, err_t *row_e, err_t *e)
{
	char key[PERSON_NAME_BUF + 64], *fold = NULL;
	size_t first = 0;

	*id = 0;
	if (!p->id_number[0] && text_fold(p->full_name, &fold))
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	if (p->id_number[0]) {
		(void)ub_strlcpy(key, "id:", sizeof(key));
		(void)ub_strlcpy(key + 3, p->id_number, sizeof(key) - 3); /* it fits: PERSON_ID_BUF */
	} else
		snprintf(key, sizeof(key), "nb:%s|%lld", fold, (long long)p->birth_date);
	if (seen_add(&r->seen, key_hash(r, key), line, &first, e)) {
		free(fold);
		return -1;
	}
	if (first) {
		free(fold);
		err_field(row_e, p->id_number[0] ? "id_number" : "full_name", "duplicate_in_file",
			  "the same person as on line {line} of the file", ERR_INT("line", first));
		return 0;
	}
	if (p->id_number[0]) {
		free(fold);
		if (id_number_holder(r, p->id_number, id, e))
			return -1;
		if (!*id)
			return 0;
		return held_elsewhere(r, p, id, row_e, e);
	}
	/* no ID number: the same name and birth in the same unit, without one */
	member_t dup[DUPLICATES_CAP];
	size_t n = 0;
	int rc = member_duplicates(r->db, p, unit_id, r->who->today, dup, DUPLICATES_CAP, &n, e);
	for (size_t i = 0; !rc && i < n; i++) {
		char *f = NULL;
		if (text_fold(dup[i].p.full_name, &f)) {
			rc = err_fail(e, ERR_INTERNAL, NULL, "out of memory");
			break;
		}
		if (dup[i].current && dup[i].m.unit.id == unit_id && !dup[i].p.id_number[0] &&
		    dup[i].p.birth_date == p->birth_date && strcmp(f, fold) == 0)
			*id = dup[i].p.id;
		free(f);
	}
	free(fold);
	return rc;
}

/* ---- one row ---- */

static const char *const NOT_FOR_UPDATE[] = { "unit", "joined_on", "kind", NULL };

/* The row's fields laid over record id, checked whole (api_member_merge);
 * what would change into changed. */
static int merge_update(run_t *r, int64_t id, const member_fields_t *row, person_t *p, char *changed, size_t cap,
			err_t *row_e, err_t *e)
{
	json_t *patch = member_fields_json(row);
	member_t before;
	err_t tmp;
	int rc;

	if (!patch)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	for (int i = 0; NOT_FOR_UPDATE[i]; i++)
		json_object_del(patch, NOT_FOR_UPDATE[i]);
	err_clear(&tmp);
	rc = api_member_merge(r->db, r->who, id, patch, p, &tmp);
	json_decref(patch);
	if (rc) {
		if (tmp.n_details) {
			add_new_details(row_e, &tmp);
			return 0;
		}
		*e = tmp;
		return -1;
	}
	if (member_get(r->db, id, r->who->today, &before, e))
		return -1;
	member_changed_fields(&before.p, p, changed, cap);
	return 0;
}

static bool known_ethnicity(const run_t *r, const char *code)
{
	for (size_t i = 0; i < r->n_ethnic; i++)
		if (strcmp(r->ethnic[i].code, code) == 0)
			return true;
	return false;
}

/* member_check_unit, reading each unit once. */
static int check_unit(run_t *r, int64_t unit_id, date_t d, err_t *e)
{
	named_unit_t *u = unit_by_id(r, unit_id);

	if (!u)
		return member_check_unit(r->db, unit_id, d, e);
	if (!u->known) {
		if (member_unit_facts(r->db, unit_id, &u->facts, e))
			return -1;
		u->known = true;
	}
	return member_check_unit_facts(&u->facts, d, e);
}

/* Checks the row with the registry's rules: details on row_e. */
static void check_row(run_t *r, member_fields_t *row, person_t *p, int64_t *unit_id, member_kind_t *kind,
		      date_t *joined, err_t *row_e)
{
	char unit_code[UNIT_CODE_MAX * 4 + 8];
	err_t tmp;

	row_unit(r, row, unit_id, row_e);
	err_clear(&tmp);
	api_member_check(row, r->who->today, p, kind, unit_code, sizeof(unit_code), joined, &tmp);
	add_new_details(row_e, &tmp);
	if (p->ethnicity[0] && !known_ethnicity(r, p->ethnicity) && !err_has_detail(row_e, "ethnicity"))
		err_field(row_e, "ethnicity", "not_one_of", "'{value}' is not an ethnic group",
			  ERR_STR("value", p->ethnicity));
}

/* PostgreSQL plans each statement from the tables' statistics, which
 * still describe them as they were before the import: past a few thousand
 * rows of its own, lookups in the tables it fills turn into scans of
 * them, and the import slows with the square of its size (50,000 rows ran
 * for more than ten minutes). So the statistics of those tables are taken
 * again, inside the transaction, each time the rows stored have grown
 * fourfold. */
static int fresh_statistics(run_t *r, err_t *e)
{
	size_t stored = r->rep->created + r->rep->updated;

	if (stored < r->next_analyze)
		return 0;
	r->next_analyze = stored * 4;
	return store_analyze_tables(r->db, "persons, person_words, memberships, import_records", e);
}

/* Stores a row the checks above passed. The store checks again; in the
 * import's write transaction nothing can have changed since, so any
 * refusal now is a failure of the whole run (rolled back), never a bad
 * row: a refusal after some of the row's writes would leave them in the
 * transaction. */
/* Whether a new record in unit_id can go into the batch: a unit that
 * goes on (no end recorded, so no stay to carry on to a successor). */
static bool batchable(const run_t *r, int64_t unit_id)
{
	const named_unit_t *u = unit_by_id(r, unit_id);
	return u && u->known && u->facts.found && u->facts.to == DATE_OPEN;
}

static int flush_batch(run_t *r, err_t *e)
{
	return member_batch_store(r->db, r->batch, r->origin.import_id, e);
}

/* Stores a row the checks above passed: a new record in the batch (or
 * at once, when her stay is carried on), a changed one at once. The
 * store checks an update again; in the import's write transaction
 * nothing can have changed since, so any refusal now is a failure of the
 * whole run (rolled back), never a bad row: a refusal after some of the
 * row's writes would leave them in the transaction. */
static int store_row(run_t *r, action_t act, person_t *p, int64_t unit_id, member_kind_t kind, date_t joined,
		     size_t line, err_t *e)
{
	char changed[512];
	int rc;

	r->origin.line = (int64_t)line;
	if (act == ACT_CREATE && batchable(r, unit_id)) {
		rc = member_batch_add(r->batch, p, unit_id, kind, joined, (int64_t)line, e);
		if (!rc && member_batch_count(r->batch) >= IMPORT_BATCH_ROWS)
			rc = flush_batch(r, e);
	} else if (act == ACT_CREATE)
		rc = member_add_imported(r->db, r->who, p, unit_id, kind, joined, &r->origin, e);
	else
		rc = member_update_imported(r->db, r->who, p, &r->origin, changed, sizeof(changed), e);
	if (rc)
		return -1;
	if (act == ACT_CREATE)
		r->rep->created++;
	else if (changed[0])
		r->rep->updated++;
	else
		r->rep->unchanged++;
	return fresh_statistics(r, e);
}

/* Checks (and stores) the row at line, as_read as the file gave it. */
static int one_row(run_t *r, const member_fields_t *as_read, size_t line, const err_t *problems, err_t *e)
{
	member_fields_t row = *as_read;
	member_kind_t kind = MEMBER_REGULAR;
	int64_t unit_id = 0, id = 0;
	char changed[512] = "";
	date_t joined = 0;
	err_t row_e, tmp;
	person_t p;
	int rc = 0;

	err_clear(&row_e);
	add_new_details(&row_e, problems);
	/* a value the reader could not convert is reported as its problem,
	 * not again by the checks */
	for (int i = 0; i < problems->n_details; i++) {
		mcol_t f;
		if (mcol_parse(problems->details[i].field, &f) == 0)
			row.v[f] = (mval_t){ .kind = MVAL_ABSENT };
	}
	check_row(r, &row, &p, &unit_id, &kind, &joined, &row_e);
	if (!row_e.n_details && unit_id) {
		err_clear(&tmp);
		if (check_unit(r, unit_id, joined, &tmp)) {
			if (fatal(&tmp))
				rc = (*e = tmp, -1);
			else
				refusal_as_detail(&row_e, &tmp, "unit");
		}
	}
	if (!rc && !row_e.n_details)
		rc = match(r, &p, unit_id, line, &id, &row_e, e);
	if (!rc && !row_e.n_details && id)
		rc = merge_update(r, id, &row, &p, changed, sizeof(changed), &row_e, e);
	if (!rc && !row_e.n_details && !r->o->dry_run && !(r->o->good_only == false && r->rep->invalid))
		rc = store_row(r, id ? ACT_UPDATE : ACT_CREATE, &p, unit_id, kind, joined, line, e);
	else if (!rc && !row_e.n_details)
		/* what storing would do: a dry run, or a run that will store nothing */
		*(id ? (changed[0] ? &r->rep->updated : &r->rep->unchanged) : &r->rep->created) += 1;
	if (!rc && row_e.n_details) {
		r->rep->invalid++;
		for (int i = 0; i < row_e.n_details; i++)
			report_detail(r, line, as_read, &row_e.details[i]);
	} else if (!rc)
		r->rep->valid++;
	return rc;
}

/* ---- the run ---- */

/* The file's SHA-256 and size, taken on a thread of its own while the
 * rows are read: reading the file twice in turn was a twentieth of a dry
 * run, and the machine has a second core. */
typedef struct file_hash {
	const char *path;
	pthread_t thread;
	bool started;
	int rc;
	err_t e;
	char sha256[65]; /* hex, as member_import_report_t's file_sha256 */
	int64_t size;
} file_hash_t;

static void *hash_file(void *arg)
{
	file_hash_t *h = arg;
	unsigned char buf[65536], out[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	FILE *f = fopen(h->path, "rb");
	size_t got;

	if (!f) {
		h->rc = err_fail(&h->e, ERR_INTERNAL, "csv_read_failed", "the file could not be opened");
		return NULL;
	}
	crypto_hash_sha256_init(&st);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		crypto_hash_sha256_update(&st, buf, got);
		h->size += (int64_t)got;
	}
	if (ferror(f)) {
		fclose(f);
		h->rc = err_fail(&h->e, ERR_INTERNAL, "csv_read_failed", "the file could not be read");
		return NULL;
	}
	fclose(f);
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(h->sha256, sizeof(h->sha256), out, sizeof(out));
	return NULL;
}

static int hash_start(file_hash_t *h, const char *path, err_t *e)
{
	*h = (file_hash_t){ .path = path };
	if (pthread_create(&h->thread, NULL, hash_file, h) != 0)
		return err_fail(e, ERR_INTERNAL, NULL, "no thread to hash the file: {reason}",
				ERR_STR("reason", strerror(errno)));
	h->started = true;
	return 0;
}

/* Waits for the hash; into rep with rc 0, or -1 with e (which an earlier
 * failure, rc -1, keeps). */
static int hash_end(file_hash_t *h, member_import_report_t *rep, int rc, err_t *e)
{
	if (!h->started)
		return rc;
	pthread_join(h->thread, NULL);
	h->started = false;
	if (rc)
		return rc;
	if (h->rc) {
		*e = h->e;
		return -1;
	}
	memcpy(rep->file_sha256, h->sha256, sizeof(rep->file_sha256));
	rep->file_size = h->size;
	return 0;
}

static int copy_columns(run_t *r, err_t *e)
{
	size_t n;
	const member_column_t *c = member_rows_columns(r->rows, &n);
	member_import_report_t *rep = r->rep;

	rep->columns = calloc(n ? n : 1, sizeof(*c));
	if (!rep->columns)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	memcpy(rep->columns, c, n * sizeof(*c));
	rep->n_columns = n;
	snprintf(rep->format, sizeof(rep->format), "%s", member_rows_format(r->rows));
	snprintf(rep->encoding, sizeof(rep->encoding), "%s", member_rows_encoding(r->rows));
	snprintf(rep->sheet, sizeof(rep->sheet), "%s", member_rows_sheet(r->rows));
	rep->separator = member_rows_separator(r->rows);
	rep->header_line = member_rows_header_line(r->rows);
	return 0;
}

static int list_unit(run_t *r, err_t *e)
{
	bool yes = false;
	err_t tmp;

	err_clear(&tmp);
	if (org_unit_get(r->db, r->o->unit, r->who->today, &r->unit, &tmp)) {
		if (tmp.kind != ERR_NOT_FOUND) {
			*e = tmp;
			return -1;
		}
	} else if (scope_contains(r->db, r->who, r->unit.id, &yes, e))
		return -1;
	if (!yes)
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no unit {ref} today", ERR_STR("ref", r->o->unit));
	return 0;
}

/* ---- reading ---- */

/* Reads up to MEMBER_ID_LOOKUP_MAX rows into ahead: their number into *n;
 * returns member_rows_next's last answer. (Read on a thread of its own,
 * a batch ahead, a dry run of a million rows took 5.1 s instead of 5.3 s
 * for twice the CPU time: the two cores here do not add up.) */
static int read_ahead(run_t *r, ahead_row_t *ahead, size_t *n, err_t *e)
{
	int got = 1;

	for (*n = 0; *n < MEMBER_ID_LOOKUP_MAX; ++*n) {
		ahead_row_t *a = &ahead[*n];
		if ((got = member_rows_next(r->rows, &a->row, &a->line, &a->problems, e)) != 1)
			break;
	}
	return got;
}

/* Checks (and stores) every row of the file. Returns 0, or -1 with e. */
static int read_rows(run_t *r, err_t *e)
{
	ahead_row_t *ahead = calloc(MEMBER_ID_LOOKUP_MAX, sizeof(*ahead));
	size_t n = 0;
	int got = 1, rc = 0;

	if (!ahead)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	while (!rc && got == 1) {
		got = read_ahead(r, ahead, &n, e);
		rc = got < 0 || look_ahead(r, ahead, n, e) ? -1 : 0;
		for (size_t i = 0; i < n; i++) {
			if (!rc)
				rc = one_row(r, &ahead[i].row.f, ahead[i].line, &ahead[i].problems, e);
			if (!rc && ++r->rep->rows % IMPORT_PROGRESS_EVERY == 0 && r->o->on_progress)
				r->o->on_progress(r->o->ctx, r->rep->rows);
		}
	}
	for (size_t i = 0; i < MEMBER_ID_LOOKUP_MAX; i++)
		member_row_free(&ahead[i].row);
	free(ahead);
	if (rc)
		return -1;
	r->rep->blank = member_rows_blank(r->rows);
	r->rep->after_end = member_rows_after_end(r->rows);
	return 0;
}

static void file_name_of(const member_import_opts_t *o, char *out, size_t cap)
{
	const char *name = o->file_name;

	if (!name) {
		name = strrchr(o->rows.path, '/');
		name = name ? name + 1 : o->rows.path;
	}
	snprintf(out, cap, "%s", name);
}

/* Opens the transaction and records the import, unless a dry run. */
static int begin(run_t *r, bool *own, import_rec_t *rec, err_t *e)
{
	memset(rec, 0, sizeof(*rec));
	if (r->o->dry_run) {
		/* one snapshot for every row's lookups: the same state
		 * throughout, and not a read transaction of each statement's
		 * own (a seventh of a dry run's time on SQLite) */
		if (db_in_transaction(r->db))
			return 0;
		int rc = db_begin_read(r->db);
		if (rc != DB_OK)
			return store_fail(r->db, rc, e);
		*own = true;
		return 0;
	}
	rec->unit_id = r->unit.id;
	file_name_of(r->o, rec->file_name, sizeof(rec->file_name));
	snprintf(rec->format, sizeof(rec->format), "%s", r->rep->format);
	snprintf(rec->mode, sizeof(rec->mode), "%s", r->o->good_only ? "good" : "all");
	if (store_bulk_writes(r->db, e) || store_tx_begin(r->db, own, e))
		return -1;
	if (import_begin(r->db, r->who, rec, e))
		return store_tx_end(r->db, *own, -1, e);
	r->origin.import_id = rec->id;
	return 0;
}

/* Commits what the rows stored, or rolls it all back: a failure, rows
 * refused in all-or-nothing mode, or nothing to store. */
static int end(run_t *r, bool own, import_rec_t *rec, int rc, err_t *e)
{
	member_import_report_t *rep = r->rep;

	if (r->o->dry_run) {
		if (own)
			db_rollback(r->db);
		return rc;
	}
	if (!rc && (rep->invalid && !r->o->good_only)) {
		/* nothing is stored, and the counts say what storing would do */
		store_tx_end(r->db, own, -1, e);
		return 0;
	}
	if (!rc && !rep->created && !rep->updated) {
		store_tx_end(r->db, own, -1, e);
		return 0;
	}
	/* every row is read: the keys seen (up to 48 MiB) go, and the page
	 * cache shrinks, before the last writes sort the search rows in */
	if (!rc && r->o->on_writing)
		r->o->on_writing(r->o->ctx, rep->rows);
	if (!rc)
		member_import_test_pause("UNIONBASE_IMPORT_WRITING_MS");
	seen_close(&r->seen);
	if (!rc)
		rc = flush_batch(r, e) || store_cache_mb(r->db, STORE_SORT_CACHE_MB, e) ||
		     member_batches_end(r->db, r->batch, e);
	if (!rc) {
		rec->rows = (int64_t)rep->rows;
		rec->valid = (int64_t)rep->valid;
		rec->invalid = (int64_t)rep->invalid;
		rec->created = (int64_t)rep->created;
		rec->updated = (int64_t)rep->updated;
		rec->unchanged = (int64_t)rep->unchanged;
		snprintf(rec->file_sha256, sizeof(rec->file_sha256), "%s", rep->file_sha256);
		rec->file_size = rep->file_size;
		rc = import_finish(r->db, r->who, rec, e);
	}
	rc = store_tx_end(r->db, own, rc, e);
	if (!rc) {
		rep->stored = true;
		rep->import_id = rec->id;
	}
	return rc;
}

static void run_free(run_t *r)
{
	for (size_t i = 0; i < r->n_units; i++) {
		free(r->units[i].fold);
		free(r->units[i].bare);
	}
	free(r->units);
	free(r->by_id);
	free(r->by_code);
	free(r->by_fold);
	free(r->by_bare);
	free(r->ethnic);
	member_batch_free(r->batch);
	seen_close(&r->seen);
	member_rows_close(r->rows);
}

int member_import_run(db_t *db, const principal_t *who, const member_import_opts_t *o, member_import_report_t *out,
		      err_t *e)
{
	member_rows_opts_t ro = o->rows;
	run_t r = { .db = db, .who = who, .o = o, .rep = out, .next_analyze = 1000 };
	file_hash_t hash = { .started = false };
	import_rec_t rec;
	bool own = false;
	int rc;

	memset(out, 0, sizeof(*out));
	randombytes_buf(r.hash_key, sizeof(r.hash_key));
	rc = hash_start(&hash, ro.path, e) || list_unit(&r, e) || member_batch_new(r.unit.id, &r.batch, e) ||
	     seen_open(&r.seen, e) || org_ethnic_groups(db, &r.ethnic, &r.n_ethnic, e);
	if (!rc) {
		ro.ethnic = r.ethnic;
		ro.n_ethnic = r.n_ethnic;
		rc = member_rows_open(&ro, &r.rows, e) || copy_columns(&r, e);
	}
	if (!rc)
		rc = begin(&r, &own, &rec, e);
	/* the units below, in the run's snapshot or under its write lock:
	 * the tree the rows are checked against, as they are stored */
	if (!rc) {
		rc = load_units(&r, e) || read_rows(&r, e) ? -1 : 0;
		rc = end(&r, own, &rec, hash_end(&hash, out, rc, e), e);
	}
	rc = hash_end(&hash, out, rc, e);
	run_free(&r);
	if (rc)
		member_import_report_free(out);
	return rc ? -1 : 0;
}

/* ---- JSON ---- */

static json_t *params_json(const err_detail_t *d)
{
	json_t *p = json_object();

	for (int i = 0; p && i < d->n_params; i++)
		json_object_set_new(p, d->params[i].name, d->params[i].type == ERR_PARAM_INT ?
								  json_integer(d->params[i].num) :
								  json_string(d->params[i].text));
	return p;
}

json_t *import_error_json(const import_error_t *err)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "line", (json_int_t)err->line, "column",
			 (json_int_t)err->column, "header", err->header, "field", err->field, "value", err->value, "code",
			 err->detail->code, "reason", err->detail->message, "params", params_json(err->detail));
}

static json_t *columns_json(const member_import_report_t *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_columns; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s?}", "column", (json_int_t)r->columns[i].column,
						   "header", r->columns[i].header, "field",
						   mcol_key(r->columns[i].field), "legacy", r->columns[i].legacy));
	return a;
}

json_t *member_import_report_json(const member_import_report_t *r, const member_import_opts_t *o)
{
	char sep[2] = { r->separator, '\0' };

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:s, s:o*, s:{s:s, s:I, s:s, s:s, s:s, "
			 "s:s, s:I}, s:o}",
			 "rows", (json_int_t)r->rows, "valid", (json_int_t)r->valid, "invalid", (json_int_t)r->invalid,
			 "created", (json_int_t)r->created, "updated", (json_int_t)r->updated, "unchanged",
			 (json_int_t)r->unchanged, "blank", (json_int_t)r->blank, "after_end", (json_int_t)r->after_end,
			 "stored", r->stored, "dry_run", o->dry_run, "mode", o->good_only ? "good" : "all", "import_id",
			 r->stored ? json_integer(r->import_id) : NULL, "file", "sha256", r->file_sha256, "size",
			 (json_int_t)r->file_size, "format", r->format, "encoding", r->encoding, "separator", sep, "sheet",
			 r->sheet, "header_line", (json_int_t)r->header_line, "columns", columns_json(r));
}

void member_import_report_free(member_import_report_t *r)
{
	free(r->columns);
	r->columns = NULL;
	r->n_columns = 0;
}
