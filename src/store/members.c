/*
 * members.c - the member registry in the store (see members.h).
 *
 * A person's name is kept three ways: as written (NFC), folded for search
 * (name_fold, one row per word in person_words for "begins a word of the
 * name"), and as a sort key (person_sort_key). A membership is an interval
 * like every history here; a person's stays never overlap (the unique
 * index on (person_id, valid_from) is the backstop, member_add the check).
 */
#include "store/members.h"
#include "store/member_load.h"
#include "store/member_rows.h"
#include "store/member_tally.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/audit.h"
#include "store/org_internal.h"
#include "store/query.h"
#include "store/scope.h"
#include "store/util.h"

/* The columns of a person, in the order read_person reads them. */
#define PERSON_COLS                                                                                    \
	"p.id, p.full_name, p.birth_date, p.sex, coalesce(p.ethnicity, ''), p.religion, p.education,"   \
	" p.qualification, p.political_theory, p.occupation, coalesce(p.id_number, ''),"               \
	" coalesce(p.id_kind, ''), coalesce(p.phone, ''), p.hamlet, p.street, p.circumstances,"        \
	" p.digital, p.party_member, p.notes"
#define PERSON_NCOLS 19

/* The columns of a membership, after a person's. */
#define STAY_COLS "m.id, m.unit_id, m.kind, m.valid_from, m.valid_to, m.start_reason, coalesce(m.end_reason, '')"
#define STAY_NCOLS 7

void member_list_free(member_list_t *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/* ---- reading ---- */

static int read_person(db_t *db, db_stmt_t *st, person_t *p, err_t *e)
{
	const char *kind;

	memset(p, 0, sizeof(*p));
	p->id = db_col_int64(st, 0);
	copy_text(p->full_name, sizeof(p->full_name), db_col_text(st, 1));
	if (org_read_date(db, st, 2, &p->birth_date, e))
		return -1;
	p->sex = strcmp(db_col_text(st, 3), "male") == 0 ? SEX_MALE : SEX_FEMALE;
	copy_text(p->ethnicity, sizeof(p->ethnicity), db_col_text(st, 4));
	copy_text(p->religion, sizeof(p->religion), db_col_text(st, 5));
	copy_text(p->education, sizeof(p->education), db_col_text(st, 6));
	copy_text(p->qualification, sizeof(p->qualification), db_col_text(st, 7));
	copy_text(p->political_theory, sizeof(p->political_theory), db_col_text(st, 8));
	copy_text(p->occupation, sizeof(p->occupation), db_col_text(st, 9));
	copy_text(p->id_number, sizeof(p->id_number), db_col_text(st, 10));
	kind = db_col_text(st, 11);
	p->id_kind = strcmp(kind, "cccd") == 0 ? ID_CCCD : strcmp(kind, "cmnd") == 0 ? ID_CMND : ID_NONE;
	copy_text(p->phone, sizeof(p->phone), db_col_text(st, 12));
	copy_text(p->hamlet, sizeof(p->hamlet), db_col_text(st, 13));
	copy_text(p->street, sizeof(p->street), db_col_text(st, 14));
	copy_text(p->circumstances, sizeof(p->circumstances), db_col_text(st, 15));
	p->digital = db_col_int64(st, 16) != 0;
	p->party_member = db_col_int64(st, 17) != 0;
	copy_text(p->notes, sizeof(p->notes), db_col_text(st, 18));
	return 0;
}

/* A membership from column `at` on (STAY_COLS); its unit's id in
 * m->unit.id, named later (name_stays). */
static int read_stay(db_t *db, db_stmt_t *st, int at, membership_t *m, err_t *e)
{
	memset(m, 0, sizeof(*m));
	m->id = db_col_int64(st, at);
	m->unit.id = db_col_int64(st, at + 1);
	m->kind = strcmp(db_col_text(st, at + 2), "honorary") == 0 ? MEMBER_HONORARY : MEMBER_REGULAR;
	if (org_read_date(db, st, at + 3, &m->valid_from, e) || org_read_date(db, st, at + 4, &m->valid_to, e))
		return -1;
	copy_text(m->start_reason, sizeof(m->start_reason), db_col_text(st, at + 5));
	copy_text(m->end_reason, sizeof(m->end_reason), db_col_text(st, at + 6));
	return 0;
}

/* Names the units of stays[i] (every stride bytes from first) as of day d,
 * or each stay's first day when d is 0: one org_unit_refs. */
static int name_stays(db_t *db, membership_t *first, size_t n, size_t stride, date_t d, err_t *e)
{
	int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	date_t *days = malloc((n ? n : 1) * sizeof(*days));
	unit_ref_t *refs = malloc((n ? n : 1) * sizeof(*refs));
	int r = -1;

	if (!ids || !days || !refs) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const membership_t *m = (const membership_t *)(const void *)((const char *)first + i * stride);
		ids[i] = m->unit.id;
		days[i] = d ? d : m->valid_from;
	}
	if (n && org_unit_refs(db, ids, days, n, refs, e))
		goto out;
	for (size_t i = 0; i < n; i++)
		((membership_t *)(void *)((char *)first + i * stride))->unit = refs[i];
	r = 0;
out:
	free(ids);
	free(days);
	free(refs);
	return r;
}

int member_get(db_t *db, int64_t id, date_t d, member_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_add(&q, "SELECT " PERSON_COLS ", " STAY_COLS " FROM persons p"
		      " LEFT JOIN memberships m ON m.person_id = p.id AND m.valid_from <= ? AND m.valid_to > ?"
		      " WHERE p.id = ? AND p.erased = 0",
		  QD(d), QD(d), QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		r = read_person(db, st, &out->p, e);
		out->current = !db_col_is_null(st, PERSON_NCOLS);
		if (!r && out->current)
			r = read_stay(db, st, PERSON_NCOLS, &out->m, e);
	}
	db_finalize(st);
	if (rc == DB_DONE) {
		char ref[24];
		snprintf(ref, sizeof(ref), "%lld", (long long)id);
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no member with id {ref}", ERR_STR("ref", ref));
	}
	if (rc != DB_ROW)
		return store_fail(db, rc, e);
	if (!r && out->current)
		r = name_stays(db, &out->m, 1, sizeof(membership_t), d, e);
	return r;
}

int member_history(db_t *db, int64_t id, membership_t **out, size_t *n, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT " STAY_COLS " FROM memberships m WHERE m.person_id = ? ORDER BY m.valid_from", QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		void *v = store_grow(*out, &cap, *n, sizeof(**out), e);
		if (!v) {
			r = -1;
			break;
		}
		*out = v;
		r = read_stay(db, st, 0, &(*out)[*n], e);
		if (!r)
			(*n)++;
	}
	db_finalize(st);
	if (!r && rc < 0)
		r = store_fail(db, rc, e);
	if (!r)
		r = name_stays(db, *out, *n, sizeof(membership_t), 0, e);
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* ---- the list ---- */

/* q's words into words[] (folded, at most MEMBER_SEARCH_WORDS), or its
 * digits into digits when it holds nothing else (an ID number or phone
 * being typed). fold is the caller's buffer to free. */
static int split_query(const char *text, char **fold, const char *words[MEMBER_SEARCH_WORDS], size_t *n,
		       char digits[24])
{
	size_t k = 0;
	char *save = NULL;

	*n = 0;
	digits[0] = '\0';
	if (text_fold(text, fold))
		return -1;
	for (const char *p = *fold; *p && k + 1 < 24; p++) {
		if (*p >= '0' && *p <= '9')
			digits[k++] = *p;
		else if (*p != ' ' && *p != '+' && *p != '.' && *p != '-') {
			k = 0;
			break;
		}
	}
	digits[k] = '\0';
	if (k)
		return 0;
	for (char *w = strtok_r(*fold, " ", &save); w && *n < MEMBER_SEARCH_WORDS; w = strtok_r(NULL, " ", &save))
		words[(*n)++] = w;
	return 0;
}

/* The last day on which one born then is `years` old on d: d's month and
 * day that many years before (28 February for 29 February in a common
 * year; person_age counts her a year older on 1 March). */
static date_t born_by(date_t d, int years)
{
	char buf[DATE_STR_LEN], day[DATE_STR_LEN];
	date_t out = 0;
	int y;

	date_format(d, buf);
	y = (int)strtol(buf, NULL, 10) - years;
	snprintf(day, sizeof(day), "%04d%s", y < 1900 ? 1900 : y, buf + 4);
	if (date_parse(day, &out) != 0) {
		day[8] = '2';
		day[9] = '8';
		if (date_parse(day, &out) != 0)
			out = DATE_FIRST;
	}
	return out;
}

/* The filters of mq other than the words and the unit. circ_like is the
 * caller's buffer for the circumstance pattern. */
static void add_filters(query_t *q, const member_query_t *mq, char *circ_like, size_t cap)
{
	if (mq->kind)
		query_add(q, " AND m.kind = ?", QT(mq->kind == 2 ? "honorary" : "member"));
	if (mq->age_min > 0)
		query_add(q, " AND p.birth_date <= ?", QD(born_by(mq->as_of, mq->age_min)));
	if (mq->age_max > 0)
		query_add(q, " AND p.birth_date > ?", QD(born_by(mq->as_of, mq->age_max + 1)));
	if (mq->ethnicity)
		query_add(q, " AND p.ethnicity = ?", QT(mq->ethnicity));
	if (mq->circumstance) {
		/* a word among words separated by spaces */
		snprintf(circ_like, cap, "%% %s %%", mq->circumstance);
		query_add(q, " AND (' ' || p.circumstances || ' ') LIKE ?", QT(circ_like));
	}
	if (mq->digital)
		query_add(q, " AND p.digital = ?", QI(mq->digital == 1));
	if (mq->dues_unpaid)
		query_add(q, " AND NOT EXISTS (SELECT 1 FROM dues_payments dp WHERE dp.person_id = p.id AND dp.year = ?)",
			  QI(mq->dues_unpaid));
}

/* Whether mq has filters of add_filters (on the stay or the record). */
static bool has_filters(const member_query_t *mq)
{
	return mq->kind || mq->age_min > 0 || mq->age_max > 0 || mq->ethnicity || mq->circumstance || mq->digital ||
	       mq->dues_unpaid;
}

/* The greatest UTF-8 character: word || MAX_CHAR bounds every word that
 * begins with word, bytewise. */
#define MAX_CHAR "\xf4\x8f\xbf\xbf"

/* Which rows a search reads first (docs/members.md, "Search"):
 * - DRIVE_UNIT: the unit's members, when they are few (a branch, a
 *   commune), then sorted;
 * - DRIVE_WORD: the people with a rare word of the query, then sorted;
 * - DRIVE_WORD_WALK: the people of one word (a word of the query whose
 *   beginning only one word of any name has: "huong", "nguyen") in name
 *   order, stopping at the page's last row;
 * - DRIVE_NAME: everyone in name order, stopping likewise.
 * For a province on a day the kept search rows hold (member_words:
 * member_words_tier), DRIVE_WORD and DRIVE_WORD_WALK read them, not
 * person_words, and need no stays to find her members; the walk of the word
 * '' is the province's members in name order (the kept DRIVE_NAME). A
 * commune has only the rows '': its search walks them, every word checked
 * on the folded name (at most her members' index entries, never a record
 * but the page's: 15,000 members at 20 million, where reading the stays
 * and records of the commune took 0.5-1 s).
 * A walk reads about (page / the share of its rows that match) rows: a
 * common name in a province, a few thousand index entries. The people of
 * a given name are together in name order (it sorts by the given name
 * first), so a word walk, not the name walk, serves "lan" or "huong". */
typedef enum search_driver { DRIVE_UNIT, DRIVE_WORD, DRIVE_WORD_WALK, DRIVE_NAME } search_driver_t;

/* Rows a sorting driver may bring: the unit's members and a word's people
 * are counted up to this many (an index range each). The words are
 * counted further, up to SEARCH_PROBE * SEARCH_WORD_SPAN, to pick the
 * rarest for a walk. */
#define SEARCH_PROBE 2000
/* A province's kept rows of a word are read whole, names checked and
 * sorted in the index, when fewer than this (pick_kept_word). */
#define SEARCH_KEPT_RANGE 5000
#define SEARCH_WORD_SPAN 50
/* A province's kept range of at most this many words, whose page is taken
 * inside it, is read as the merge of its words' walks (pick_merge). */
#define SEARCH_MERGE_MAX 8
#define SEARCH_MERGE_WORD 64

/* No word of the query: a kept walk of the whole names (word ''). */
#define NO_WORD ((size_t)-1)

typedef struct search_plan {
	search_driver_t driver;
	bool kept;                     /* reads member_words (of mq->unit_id) */
	size_t word;                   /* the word of DRIVE_WORD and DRIVE_WORD_WALK, or NO_WORD */
	char walk_word[ORG_CURSOR_MAX]; /* the one word a DRIVE_WORD_WALK reads */
	/* a kept DRIVE_WORD_WALK of several words: its rows read at most
	 * (0: all); when they do not fill the page, the range of the word
	 * `fallback` (DRIVE_WORD) is read instead */
	int64_t budget;
	size_t fallback;
	int64_t walk_total; /* the walk's rows (without a cursor) */
	/* a kept DRIVE_WORD whose page is taken inside its range: the
	 * range's words (n_merge > 0), whose walks are merged in name order */
	char merge[SEARCH_MERGE_MAX][SEARCH_MERGE_WORD];
	size_t n_merge;
	bool province;  /* kept rows of a province (tier 1): every word's rows */
	int64_t fewest; /* a province's: the rows of the query's rarest word */
	/* the page found by leaping between the words' walks (leap_page),
	 * when it was: plan->driver is then DRIVE_WORD over its rows */
	const struct leap *leap;
} search_plan_t;

/* Runs q, whose one row holds an integer and, with text, two texts that
 * *same says are equal and not NULL (text: the first one). q is consumed. */
static int probe_row(db_t *db, query_t *q, int64_t *n, bool *same, char *text, size_t cap, err_t *e)
{
	db_stmt_t *st = NULL;
	int r = query_prepare(db, q, &st, e);

	if (!r) {
		int rc = db_step(st);
		if (rc == DB_ROW) {
			*n = db_col_int64(st, 0);
			if (text) {
				const char *lo = db_col_text(st, 1), *hi = db_col_text(st, 2);
				/* NULL (no word at all) reads as "": not one word */
				*same = !db_col_is_null(st, 1) && !db_col_is_null(st, 2) && strcmp(lo, hi) == 0;
				copy_text(text, cap, lo);
			}
		} else
			r = store_fail(db, rc < 0 ? rc : DB_ERROR, e);
	}
	db_finalize(st);
	return r;
}

/* The rows of person_words (unit_id 0), or of unit_id's kept rows, whose
 * word begins with word. */
static void word_range(query_t *q, int64_t unit_id, const char *word, const char *upper)
{
	if (unit_id)
		query_add(q, "FROM member_words WHERE unit_id = ? AND word >= ? AND word < ?", QI(unit_id), QT(word),
			  QT(upper));
	else
		query_add(q, "FROM person_words WHERE word >= ? AND word < ?", QT(word), QT(upper));
}

/* How many rows word's range has, counted up to cap, in *n; *one whether
 * they all have one word, then that word in one_word. */
static int count_word(db_t *db, int64_t unit_id, const char *word, const char *upper, int64_t cap, int64_t *n,
		      bool *one, char *one_word, size_t one_cap, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "SELECT (SELECT count(*) FROM (SELECT 1 ");
	word_range(&q, unit_id, word, upper);
	query_add(&q, " LIMIT ?) t), (SELECT min(word) ", QI(cap));
	word_range(&q, unit_id, word, upper);
	query_sql(&q, "), (SELECT max(word) ");
	word_range(&q, unit_id, word, upper);
	query_sql(&q, ")");
	return probe_row(db, &q, n, one, one_word, one_cap, e);
}

/* Picks, among the words of the query, the one whose people a driver
 * reads from person_words: the rarest, when fewer than limit
 * (DRIVE_WORD); else one whose beginning only one word has, the least
 * common (DRIVE_WORD_WALK); else plan->driver is left as it came. */
static int pick_word(db_t *db, const char *const *words, char (*uppers)[ORG_CURSOR_MAX], size_t n_words,
		     int64_t limit, search_plan_t *plan, err_t *e)
{
	int64_t n = 0, fewest = limit, walk = INT64_MAX;

	for (size_t i = 0; i < n_words; i++) {
		char lo[ORG_CURSOR_MAX];
		bool one = false;

		if (count_word(db, 0, words[i], uppers[i], limit * SEARCH_WORD_SPAN, &n, &one, lo, sizeof(lo), e))
			return -1;
		if (n < fewest) {
			fewest = n;
			plan->driver = DRIVE_WORD;
			plan->word = i;
		} else if (plan->driver != DRIVE_WORD && one && n < walk) {
			walk = n;
			plan->driver = DRIVE_WORD_WALK;
			plan->word = i;
			copy_text(plan->walk_word, sizeof(plan->walk_word), lo);
		}
	}
	return 0;
}

/* How many of unit_id's kept search rows have a word in [word, upper):
 * from its 'word' figures (store/member_tally.h), exact, in *n; *one
 * whether they all have one word, then that word in one_word. */
static int kept_word_count(db_t *db, int64_t unit_id, const char *word, const char *upper, int64_t *n, bool *one,
			   char *one_word, size_t one_cap, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q,
		  "SELECT coalesce(sum(n), 0), min(value), max(value) FROM member_tally WHERE unit_id = ? AND dim = 'word'"
		  " AND value >= ? AND value < ? AND n > 0",
		  QI(unit_id), QT(word), QT(upper));
	return probe_row(db, &q, n, one, one_word, one_cap, e);
}

/* The cursor of a search: the last row of the page before, if any. */
typedef struct search_after {
	const char *key;
	int64_t id;
} search_after_t;

/* The search's words as written for a filter: folded (ub_words) and
 * as LIKE patterns (word_pattern). */
typedef struct search_words {
	const char *const *words;
	char (*likes)[2 * ORG_CURSOR_MAX + 4];
	size_t n;
} search_words_t;

/* That every word of the search but `skip` begins a word of col, a
 * folded name: on SQLite one call of ub_words (store/db.h), which halves
 * the cost of a range's filter at 20 million members; else a LIKE each. */
static void words_filter(query_t *q, db_t *db, const char *col, const search_words_t *sw, size_t skip)
{
	bool sqlite = db_dialect(db) == DB_SQLITE, any = false;

	for (size_t i = 0; i < sw->n; i++) {
		if (i == skip)
			continue;
		if (!sqlite) {
			query_sql(q, " AND (' ' || ");
			query_sql(q, col);
			query_add(q, ") LIKE ? ESCAPE '\\'", QT(sw->likes[i]));
			continue;
		}
		if (!any) {
			query_sql(q, " AND ub_words(");
			query_sql(q, col);
		}
		query_add(q, ", ?", QT(sw->words[i]));
		any = true;
	}
	if (any)
		query_sql(q, ")");
}

/* How many of the first `rows` rows of a kept walk of walk_word (after
 * the cursor) hold every other word of the query (i != skip),
 * counted up to `stop`: the walk stops there. */
static int walk_matches(db_t *db, int64_t unit_id, const char *walk_word, const search_words_t *sw, size_t skip,
			const search_after_t *after, int64_t rows, int64_t stop, int64_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM (SELECT 1 FROM (SELECT w.name_fold FROM member_words w WHERE w.unit_id = ?"
		      " AND w.word = ?",
		  QI(unit_id), QT(walk_word));
	if (after->id)
		query_add(&q, " AND (w.name_key, w.person_id) > (?, ?)", QT(after->key), QI(after->id));
	query_add(&q, " ORDER BY w.name_key, w.person_id LIMIT ?) w WHERE true", QI(rows));
	words_filter(&q, db, "w.name_fold", sw, skip);
	query_add(&q, " LIMIT ?) t", QI(stop));
	return probe_row(db, &q, n, NULL, NULL, 0, e);
}

/* How many rows a kept walk of walk_word has (after the cursor), counted
 * up to cap. */
static int walk_left(db_t *db, int64_t unit_id, const char *walk_word, const search_after_t *after, int64_t cap,
		     int64_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM (SELECT 1 FROM member_words w WHERE w.unit_id = ? AND w.word = ?",
		  QI(unit_id), QT(walk_word));
	if (after->id)
		query_add(&q, " AND (w.name_key, w.person_id) > (?, ?)", QT(after->key), QI(after->id));
	query_add(&q, " LIMIT ?) t", QI(cap));
	return probe_row(db, &q, n, NULL, NULL, 0, e);
}

/* Whether a budgeted walk (plan->budget) fills the page, looked at
 * before it is taken (when the page cannot be taken inside the walk's
 * rows: page_in_range): else, unless the walk ends within its budget,
 * the plan becomes its fallback range. The plan is left unbudgeted. */
static int walk_or_range(db_t *db, const member_query_t *mq, search_plan_t *plan,
			 const search_words_t *sw, const search_after_t *after, err_t *e)
{
	int64_t matches = 0, left;

	if (walk_matches(db, mq->unit_id, plan->walk_word, sw, plan->word, after, plan->budget,
			 (int64_t)mq->limit + 1, &matches, e))
		return -1;
	left = plan->walk_total;
	if (matches <= mq->limit && after->id &&
	    walk_left(db, mq->unit_id, plan->walk_word, after, plan->budget, &left, e))
		return -1;
	if (matches <= mq->limit && left >= plan->budget) {
		plan->driver = DRIVE_WORD;
		plan->word = plan->fallback;
	}
	plan->budget = 0;
	return 0;
}

/* The fewest rows of a walk looked at before it is taken for a query of
 * several words; with no word to walk, a word's range read whole
 * (DRIVE_WORD) rather than the walk of the whole names up to this many
 * rows (about 15 ms at 20 million members). */
#define SEARCH_WALK_PROBE 2000
#define SEARCH_RANGE_MAX 60000

/* The same among a province's kept rows, whose 'word' figures give each
 * word's range exactly. Every way reads one index range that holds each
 * whole name:
 * - a small range (under limit) is read whole, its names checked and
 *   sorted in the index and only the page's people read (DRIVE_WORD);
 * - else a walk of one word in name order (DRIVE_WORD_WALK) stops at the
 *   page's end: taken for a query of one word; for several, tried with
 *   a budget of a quarter of the smallest range's rows (2,000 at least),
 *   the page taken inside its rows (kept_walk), and when they do not fill
 *   it (nor end the walk: a last page) the smallest range is read instead
 *   (as the merge of its words' walks when it can be: pick_merge), so
 *   that the walk costs at most about a quarter of a range more than the
 *   better way. Where the page cannot be taken inside the rows (a filter on the
 *   record or stay, a scope that holds part of the province), the budget's
 *   rows are looked at first for the page's matches (walk_or_range);
 * - else the smallest range, read whole however long: never longer than
 *   the walk's word. Names sort by the given name first: at 20 million
 *   members, in the province of Hà Nội (938,000 members), the walk of
 *   "nguyen" (367,000 rows) for "nguyen thi thu" meets "Thủy" near its
 *   end (56 ms), while the range of "thu" holds 84,000 (17 ms); "ngo thi
 *   t" walks "thi", whose given names each hold a run of "Ngô Thị", the
 *   first after 7,000 rows;
 * - with no word to walk (each word begins several: "th"), the smallest
 *   range when under SEARCH_RANGE_MAX, else the walk of the whole names
 *   ('', NO_WORD), which stops early when they match often. */
static int pick_kept_word(db_t *db, const member_query_t *mq, const char *const *words,
			  char (*uppers)[ORG_CURSOR_MAX], size_t n_words, search_plan_t *plan, err_t *e)
{
	int64_t limit = mq->probe > 0 ? mq->probe : SEARCH_KEPT_RANGE;
	int64_t range_max = mq->probe > 0 ? 10 * (int64_t)mq->probe : SEARCH_RANGE_MAX;
	int64_t walk_rows = mq->probe > 0 ? 2 * (int64_t)mq->probe : SEARCH_WALK_PROBE;
	int64_t n = 0, fewest = INT64_MAX, walk = INT64_MAX;
	size_t rarest = NO_WORD, walked = NO_WORD;

	plan->driver = DRIVE_WORD_WALK;
	plan->word = NO_WORD;
	plan->walk_word[0] = '\0';
	for (size_t i = 0; i < n_words; i++) {
		char lo[ORG_CURSOR_MAX];
		bool one = false;

		if (kept_word_count(db, mq->unit_id, words[i], uppers[i], &n, &one, lo, sizeof(lo), e))
			return -1;
		if (n < fewest) {
			fewest = n;
			rarest = i;
		}
		if (one && n < walk) {
			walk = n;
			walked = i;
			copy_text(plan->walk_word, sizeof(plan->walk_word), lo);
		}
	}
	plan->fewest = rarest == NO_WORD ? 0 : fewest;
	if (rarest != NO_WORD && fewest < limit && (walked == NO_WORD || fewest < walk)) {
		plan->driver = DRIVE_WORD;
		plan->word = rarest;
		return 0;
	}
	if (walked != NO_WORD) {
		plan->word = walked;
		/* the walk's word has the fewest rows: the walk reads no more
		 * than the smallest range, and stops at the page's end */
		if (n_words == 1 || walk == fewest)
			return 0;
		plan->budget = fewest / 4 > walk_rows ? fewest / 4 : walk_rows;
		plan->fallback = rarest;
		plan->walk_total = walk;
		return 0;
	}
	if (rarest != NO_WORD && (walked != NO_WORD || fewest < range_max)) {
		plan->driver = DRIVE_WORD;
		plan->word = rarest;
	}
	return 0;
}

static const char *plan_name(const search_plan_t *plan)
{
	static const char *const NAMES[] = {
		[DRIVE_UNIT] = "unit",
		[DRIVE_WORD] = "word",
		[DRIVE_WORD_WALK] = "word walk",
		[DRIVE_NAME] = "name walk",
	};
	/* a kept plan reads a word's range or walks a word, the word ''
	 * being the unit's whole names */
	if (plan->leap)
		return "words leapfrog (kept)";
	if (plan->kept)
		return plan->driver == DRIVE_WORD ? (plan->n_merge ? "word merge (kept)" : "word (kept)")
		       : plan->word == NO_WORD	  ? "name walk (kept)"
						  : "word walk (kept)";
	return NAMES[plan->driver];
}

/* mq's plan; the words are the folded words of the query, uppers their
 * upper bounds. */
static int plan_search(db_t *db, const member_query_t *mq, const char *const *words, char (*uppers)[ORG_CURSOR_MAX],
		       size_t n_words, bool digits, search_plan_t *plan, err_t *e)
{
	int64_t limit = mq->probe > 0 ? mq->probe : SEARCH_PROBE, n = 0;
	query_t q;

	memset(plan, 0, sizeof(*plan));
	plan->driver = DRIVE_UNIT;
	if (digits || (!mq->unit_id && mq->scope && !mq->scope->global))
		return 0;
	if (mq->unit_id) {
		int tier = 0;
		if (!mq->unkept && member_words_tier(db, mq->unit_id, mq->as_of, &tier, e))
			return -1;
		plan->kept = tier != 0;
		plan->province = tier == 1;
		if (tier == 1)
			return pick_kept_word(db, mq, words, uppers, n_words, plan, e);
		if (tier == 2) {
			/* a commune's whole names in name order, each word
			 * checked on them: never more rows than her members */
			plan->driver = DRIVE_WORD_WALK;
			plan->word = NO_WORD;
			return 0;
		}
		query_init(&q);
		query_add(&q, "SELECT count(*) FROM (SELECT 1 FROM ancestry a, memberships m WHERE a.ancestor = ?"
			      " AND a.valid_from <= ? AND a.valid_to > ? AND m.unit_id = a.descendant"
			      " AND m.valid_from <= ? AND m.valid_to > ? LIMIT ?) t",
			  QI(mq->unit_id), QD(mq->as_of), QD(mq->as_of), QD(mq->as_of), QD(mq->as_of), QI(limit));
		if (probe_row(db, &q, &n, NULL, NULL, 0, e))
			return -1;
		if (n < limit)
			return 0;
	}
	plan->driver = DRIVE_NAME;
	return pick_word(db, words, uppers, n_words, limit, plan, e);
}

/* word for "LIKE ? ESCAPE '\'": its % _ and \ escaped, between "% " and
 * "%" (the beginning of a word of " " || name_fold). */
static void word_pattern(const char *word, char *out, size_t cap)
{
	size_t k = 0;

	out[k++] = '%';
	out[k++] = ' ';
	for (; *word && k + 3 < cap; word++) {
		if (*word == '%' || *word == '_' || *word == '\\')
			out[k++] = '\\';
		out[k++] = *word;
	}
	out[k++] = '%';
	out[k] = '\0';
}

/* Whether a page found among mq->unit_id's kept rows alone is the page:
 * no filter on the record or stay, and the whole unit in the caller's
 * scope (so that its scope drops none of the page's rows). */
static int page_in_rows(db_t *db, const member_query_t *mq, bool *inside, err_t *e)
{
	*inside = false;
	if (has_filters(mq))
		return 0;
	if (!mq->scope || mq->scope->global) {
		*inside = true;
		return 0;
	}
	/* the scope is judged on the caller's today, the kept rows at the
	 * end of time: a unit moved into the province from a later day is in
	 * the rows, not in the scope */
	if (mq->as_of > mq->scope->today)
		return 0;
	return scope_contains(db, mq->scope, mq->unit_id, inside, e);
}

/* Whether a kept word range (DRIVE_WORD of a province), or a budgeted
 * walk, may take the page itself, before the stays and records are read
 * (page_in_rows). */
static int page_in_range(db_t *db, const member_query_t *mq, const search_plan_t *plan, bool *inside, err_t *e)
{
	*inside = false;
	if (!plan->kept || !(plan->driver == DRIVE_WORD || plan->budget))
		return 0;
	return page_in_rows(db, mq, inside, e);
}

/* The words of unit_id's kept rows in [word, upper), into out: *n_out
 * of them, or 0 when more than SEARCH_MERGE_MAX or one does not fit.
 * Found in the rows themselves, one seek of the walk's index a word (the
 * rows a word has are in the 'word' figures, but a figure out of step
 * would drop people from the answer). */
static int range_words(db_t *db, int64_t unit_id, const char *word, const char *upper,
		       char (*out)[SEARCH_MERGE_WORD], size_t *n_out, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t n = 0;
	bool fits = true;
	query_t q;
	int rc = DB_DONE, r;

	query_init(&q);
	query_add(&q,
		  "WITH RECURSIVE t(word) AS (SELECT min(word) FROM member_words WHERE unit_id = ? AND word >= ?"
		  " AND word < ? UNION ALL SELECT (SELECT min(w.word) FROM member_words w WHERE w.unit_id = ?"
		  " AND w.word > t.word AND w.word < ?) FROM t WHERE t.word IS NOT NULL)"
		  " SELECT word FROM t WHERE word IS NOT NULL LIMIT ?",
		  QI(unit_id), QT(word), QT(upper), QI(unit_id), QT(upper), QI(SEARCH_MERGE_MAX + 1));
	r = query_prepare(db, &q, &st, e);
	while (!r && fits && (rc = db_step(st)) == DB_ROW) {
		const char *v = db_col_text(st, 0);
		fits = n < SEARCH_MERGE_MAX && strlen(v) < SEARCH_MERGE_WORD;
		if (fits)
			copy_text(out[n++], SEARCH_MERGE_WORD, v);
	}
	if (!r && fits && rc != DB_DONE)
		r = store_fail(db, rc < 0 ? rc : DB_ERROR, e);
	db_finalize(st);
	*n_out = !r && fits ? n : 0;
	return r;
}

/* When the page is taken inside a province's kept range (page_inside),
 * the range the plan reads (its word, or a budgeted walk's fallback once
 * the walk gave way), when of a few words, is read as the merge of their
 * walks in name order (kept_range): it stops at the page's end, reads no
 * more rows than the range and sorts none. At 20 million members, province 66, "nguyen thi
 * thu": its range of "thu" and "thuy" (45,000 rows) holds the page's
 * "Thủy"s after the 25,000 of "thu" (Bùi Thu Anh, ...) and 12,000 of
 * "thuy" (by family name: Bùi, Đặng, ... before Nguyễn). */
static int pick_merge(db_t *db, const member_query_t *mq, search_plan_t *plan, const char *const *words,
		      char (*uppers)[ORG_CURSOR_MAX], err_t *e)
{
	if (!plan->kept || plan->driver != DRIVE_WORD || plan->word == NO_WORD)
		return 0;
	return range_words(db, mq->unit_id, words[plan->word], uppers[plan->word], plan->merge, &plan->n_merge, e);
}

/* ---- a province's search of several words, leaping (SQLite) ----
 *
 * Each word of the query is among a province's kept rows the merge of the
 * walks of its few words ("thu": thu, thuy), each walk an index range in
 * name order (an arm). The page is the people in all of them: the words
 * take turns to reach the furthest row any has reached (a leapfrog join),
 * stepping an arm a few rows, else seeking it in its index, so that the
 * rows between two people of the page that lack a word are skipped, not
 * read. At 20 million members, province 66, "nguyen thi thu": the range
 * of "thu" and "thuy" reads 37,000 rows before the page's first "Nguyễn
 * Thị Thủy" (9 ms); leaping, 1,055 steps, 180 of them seeks. Only on SQLite,
 * where an arm is a statement held open in this process: on PostgreSQL
 * each seek would be a round trip. The leap is given a budget of a
 * quarter of the rarest word's rows (a seek counted as LEAP_SEEK_COST
 * rows): words that are often near each other in name order but seldom
 * in one name cost more seeks than a range's rows, and then the range
 * (or walk) is read instead: about a quarter more in all, 2,000 rows at
 * least (listing the words' ranges and preparing the walks are not
 * counted). */

/* pages of more rows bind too many values: 2 a row, and besides them the
 * day (2), the cursor (2), the limit and the caller's scope */
#define LEAP_PAGE_MAX 128
_Static_assert(2 * LEAP_PAGE_MAX + 5 + SCOPE_FILTER_VALUES <= QUERY_MAX_ARGS, "a leaped page's values fit a query");
/* a seek (a statement reset, bound and stepped), in rows stepped */
#define LEAP_SEEK_COST 8
/* rows an arm steps towards its mark before it seeks */
#define LEAP_STEPS 4
#define LEAP_BUDGET_MIN 2000

typedef struct leap_arm {
	db_stmt_t *st;
	const char *key; /* its row's name_key: SQLite's text until its next step; NULL when no row is left */
	int64_t id;
} leap_arm_t;

/* Owns the arms' statements and the page's keys (leap_free). */
typedef struct leap {
	leap_arm_t arms[MEMBER_SEARCH_WORDS][SEARCH_MERGE_MAX];
	size_t n_arms[MEMBER_SEARCH_WORDS];
	size_t n_words;
	int64_t budget; /* rows left to step (a seek: LEAP_SEEK_COST) */
	char mark[ORG_CURSOR_MAX];
	int64_t mark_id;
	size_t n; /* the page found */
	int64_t ids[LEAP_PAGE_MAX + 1];
	char *keys[LEAP_PAGE_MAX + 1];
} leap_t;

static void leap_free(leap_t *lp)
{
	if (!lp)
		return;
	for (size_t i = 0; i < lp->n_words; i++)
		for (size_t k = 0; k < lp->n_arms[i]; k++)
			db_finalize(lp->arms[i][k].st);
	for (size_t i = 0; i < lp->n; i++)
		free(lp->keys[i]);
	free(lp);
}

/* (name_key, person_id) order: text as SQLite's BINARY (bytes, unsigned) */
static int key_cmp(const char *ka, int64_t ia, const char *kb, int64_t ib)
{
	int c = strcmp(ka, kb);
	return c ? c : (ia > ib) - (ia < ib);
}

/* The arm's next row. */
static int arm_step(db_t *db, leap_t *lp, leap_arm_t *a, err_t *e)
{
	int rc = db_step(a->st);

	lp->budget--;
	if (rc == DB_ROW) {
		a->key = db_col_text(a->st, 0);
		a->id = db_col_int64(a->st, 1);
		return 0;
	}
	a->key = NULL;
	return rc == DB_DONE ? 0 : store_fail(db, rc < 0 ? rc : DB_ERROR, e);
}

/* The arm at its first row at or after the mark: a few steps, else a seek. */
static int arm_reach(db_t *db, leap_t *lp, leap_arm_t *a, err_t *e)
{
	for (int s = 0; s < LEAP_STEPS && a->key && key_cmp(a->key, a->id, lp->mark, lp->mark_id) < 0; s++)
		if (arm_step(db, lp, a, e))
			return -1;
	if (!a->key || key_cmp(a->key, a->id, lp->mark, lp->mark_id) >= 0)
		return 0;
	lp->budget -= LEAP_SEEK_COST - 1;
	int rc = db_reset(a->st);
	if (rc == DB_OK)
		rc = db_bind_text(a->st, 3, lp->mark);
	if (rc == DB_OK)
		rc = db_bind_int64(a->st, 4, lp->mark_id);
	return rc == DB_OK ? arm_step(db, lp, a, e) : store_fail(db, rc, e);
}

/* Word i's first row at or after the mark, into *first (NULL: none). */
static int word_reach(db_t *db, leap_t *lp, size_t i, leap_arm_t **first, err_t *e)
{
	*first = NULL;
	for (size_t k = 0; k < lp->n_arms[i]; k++) {
		leap_arm_t *a = &lp->arms[i][k];
		if (arm_reach(db, lp, a, e))
			return -1;
		if (a->key && (!*first || key_cmp(a->key, a->id, (*first)->key, (*first)->id) < 0))
			*first = a;
	}
	return 0;
}

/* Leaps until want people have every word, or no word has a row left
 * (*done), or the budget or a key too long for the mark ends it (not
 * *done: the page must be read another way). */
static int leap_page(db_t *db, leap_t *lp, size_t want, bool *done, err_t *e)
{
	size_t agreed = 0, i = 0;
	leap_arm_t *first = NULL;

	*done = false;
	while (lp->n < want) {
		if (lp->budget <= 0)
			return 0;
		if (word_reach(db, lp, i, &first, e))
			return -1;
		if (!first)
			break;
		if (key_cmp(first->key, first->id, lp->mark, lp->mark_id) == 0) {
			agreed++;
		} else {
			if (strlen(first->key) >= sizeof(lp->mark))
				return 0;
			copy_text(lp->mark, sizeof(lp->mark), first->key);
			lp->mark_id = first->id;
			agreed = 1;
		}
		if (agreed == lp->n_words) {
			lp->keys[lp->n] = strdup(lp->mark);
			if (!lp->keys[lp->n])
				return err_set(e, ERR_INTERNAL, NULL, "out of memory");
			lp->ids[lp->n++] = lp->mark_id;
			/* the next person: the same key, a higher id, or a higher key */
			lp->mark_id++;
			agreed = 0;
		}
		i = (i + 1) % lp->n_words;
	}
	*done = true;
	return 0;
}

/* Opens word i's arms: the walks of its range's words, each at its first
 * row after the cursor; *fits is false when the range has too many words
 * to merge (range_words). */
static int leap_open_word(db_t *db, leap_t *lp, int64_t unit_id, size_t i, const char *word, const char *upper,
			  bool *fits, err_t *e)
{
	char names[SEARCH_MERGE_MAX][SEARCH_MERGE_WORD];
	size_t n = 0;

	if (range_words(db, unit_id, word, upper, names, &n, e))
		return -1;
	*fits = n > 0;
	for (size_t k = 0; k < n; k++) {
		leap_arm_t *a = &lp->arms[i][k];
		int rc = db_prepare(db,
				    "SELECT name_key, person_id FROM member_words INDEXED BY member_words_walk"
				    " WHERE unit_id = ? AND word = ? AND (name_key, person_id) >= (?, ?)"
				    " ORDER BY name_key, person_id",
				    &a->st);
		if (rc != DB_OK)
			return store_fail(db, rc, e);
		lp->n_arms[i] = k + 1;
		rc = db_bind_int64(a->st, 1, unit_id);
		if (rc == DB_OK)
			rc = db_bind_text(a->st, 2, names[k]);
		if (rc == DB_OK)
			rc = db_bind_text(a->st, 3, lp->mark);
		if (rc == DB_OK)
			rc = db_bind_int64(a->st, 4, lp->mark_id);
		if (rc != DB_OK)
			return store_fail(db, rc, e);
		if (arm_step(db, lp, a, e))
			return -1;
	}
	return 0;
}

/* The page of a province's search of several words found by leaping,
 * into *out (the caller's to leap_free), or *out NULL when the search is
 * not one to leap (another store, one word, a filter, part of the
 * province in scope, a long page, a word of many words), or the leap gave
 * up (its budget): then the plan's way reads it. */
static int leap_search(db_t *db, const member_query_t *mq, const search_plan_t *plan, const char *const *words,
		       char (*uppers)[ORG_CURSOR_MAX], size_t n_words, const search_after_t *after, leap_t **out,
		       err_t *e)
{
	bool inside = false, fits = true, done = false;
	leap_t *lp;

	*out = NULL;
	/* a cursor's key counts only with its id (as in the plans behind) */
	if (db_dialect(db) != DB_SQLITE || mq->unleaped || !plan->province || n_words < 2 || mq->limit + 1 > LEAP_PAGE_MAX ||
	    after->id == INT64_MAX || strlen(after->key) >= ORG_CURSOR_MAX)
		return 0;
	if (page_in_rows(db, mq, &inside, e))
		return -1;
	if (!inside)
		return 0;
	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	lp->n_words = n_words;
	copy_text(lp->mark, sizeof(lp->mark), after->id ? after->key : "");
	lp->mark_id = after->id ? after->id + 1 : 0;
	lp->budget = mq->probe > 0 ? 4 * (int64_t)mq->probe : plan->fewest / 4;
	if (lp->budget < (mq->probe > 0 ? 1 : LEAP_BUDGET_MIN))
		lp->budget = mq->probe > 0 ? 1 : LEAP_BUDGET_MIN;
	for (size_t i = 0; i < n_words && fits; i++)
		if (leap_open_word(db, lp, mq->unit_id, i, words[i], uppers[i], &fits, e)) {
			leap_free(lp);
			return -1;
		}
	if (fits && leap_page(db, lp, (size_t)mq->limit + 1, &done, e)) {
		leap_free(lp);
		return -1;
	}
	if (!fits || !done) {
		leap_free(lp);
		return 0;
	}
	*out = lp;
	return 0;
}

/* The page found by leaping as table w (person_id, name_key). */
static void leap_rows(query_t *q, const leap_t *lp)
{
	query_sql(q, "(SELECT column1 AS person_id, column2 AS name_key FROM (VALUES ");
	for (size_t i = 0; i < lp->n; i++)
		query_add(q, i ? ", (?, ?)" : "(?, ?)", QI(lp->ids[i]), QT(lp->keys[i]));
	query_sql(q, ")) w");
}

/* The merge of the walks of plan->merge's words (kept_range): each
 * person once (her name may hold two of the words), at most limit of
 * them. A person comes at most once a word, next to herself in the
 * order, so the first limit * n_merge rows of the walks hold the first
 * limit people. SQLite merges the arms of a compound SELECT by its ORDER
 * BY, each in its index's order; PostgreSQL merges them (Merge Append)
 * when each arm has its own ORDER BY and LIMIT, which also bound it: the
 * first limit people are among the first limit rows of each arm. */
static void kept_merge(query_t *q, db_t *db, const member_query_t *mq, const search_plan_t *plan,
		       const search_words_t *sw, const char *after_key, int64_t after_id, int64_t limit)
{
	bool sqlite = db_dialect(db) == DB_SQLITE;

	query_sql(q, "(SELECT w.person_id, w.name_key FROM (");
	for (size_t k = 0; k < plan->n_merge; k++) {
		query_sql(q, k ? " UNION ALL " : "");
		query_sql(q, sqlite ? "SELECT w.person_id, w.name_key FROM member_words w INDEXED BY member_words_walk"
				    : "(SELECT w.person_id, w.name_key FROM member_words w");
		query_add(q, " WHERE w.unit_id = ? AND w.word = ?", QI(mq->unit_id), QT(plan->merge[k]));
		words_filter(q, db, "w.name_fold", sw, plan->word);
		if (after_id)
			query_add(q, " AND (w.name_key, w.person_id) > (?, ?)", QT(after_key), QI(after_id));
		if (!sqlite)
			query_add(q, " ORDER BY w.name_key, w.person_id LIMIT ?)", QI(limit));
	}
	query_add(q, " ORDER BY 2, 1 LIMIT ?) w GROUP BY w.name_key, w.person_id ORDER BY w.name_key, w.person_id LIMIT ?) w",
		  QI(limit * (int64_t)plan->n_merge), QI(limit));
}

/* A province's kept rows of the plan's word as table w (person_id,
 * name_key): the other words checked on each row's name, one row a
 * person, in name order after the cursor; the page's rows only when
 * page_inside. */
static void kept_range(query_t *q, db_t *db, const member_query_t *mq, const search_plan_t *plan,
		       char (*uppers)[ORG_CURSOR_MAX], const search_words_t *sw, const char *after_key, int64_t after_id,
		       bool page_inside)
{
	if (plan->leap) {
		leap_rows(q, plan->leap);
		return;
	}
	if (page_inside && plan->n_merge) {
		kept_merge(q, db, mq, plan, sw, after_key, after_id, (int64_t)mq->limit + 1);
		return;
	}
	query_add(q, "(SELECT w.person_id, w.name_key FROM member_words w WHERE w.unit_id = ? AND w.word >= ?"
		     " AND w.word < ?",
		  QI(mq->unit_id), QT(sw->words[plan->word]), QT(uppers[plan->word]));
	words_filter(q, db, "w.name_fold", sw, plan->word);
	if (after_id)
		query_add(q, " AND (w.name_key, w.person_id) > (?, ?)", QT(after_key), QI(after_id));
	query_sql(q, " GROUP BY w.name_key, w.person_id ORDER BY w.name_key, w.person_id");
	if (page_inside)
		query_add(q, " LIMIT ?", QI(mq->limit + 1));
	query_sql(q, ") w");
}

/* A province's kept rows of the walk's word as table w (person_id,
 * name_key): at most plan->budget of them after the cursor, in name
 * order, the other words checked on each row's name, up to the page's
 * rows (the walk stops there). */
static void kept_walk(query_t *q, db_t *db, const member_query_t *mq, const search_plan_t *plan,
		      const search_words_t *sw, const char *after_key, int64_t after_id)
{
	query_sql(q, "(SELECT w.person_id, w.name_key FROM (SELECT w.person_id, w.name_key, w.name_fold FROM ");
	query_sql(q, db_dialect(db) == DB_SQLITE ? "member_words w INDEXED BY member_words_walk" : "member_words w");
	query_add(q, " WHERE w.unit_id = ? AND w.word = ?", QI(mq->unit_id), QT(plan->walk_word));
	if (after_id)
		query_add(q, " AND (w.name_key, w.person_id) > (?, ?)", QT(after_key), QI(after_id));
	query_add(q, " ORDER BY w.name_key, w.person_id LIMIT ?) w WHERE true", QI(plan->budget));
	words_filter(q, db, "w.name_fold", sw, plan->word);
	query_add(q, " LIMIT ?) w", QI(mq->limit + 1));
}

int member_list(db_t *db, const member_query_t *mq, member_list_t *out, err_t *e)
{
	char after_key[ORG_CURSOR_MAX] = "", last_key[ORG_CURSOR_MAX] = "", digits[24] = "", phone[32] = "", id_like[32] = "";
	char uppers[MEMBER_SEARCH_WORDS][ORG_CURSOR_MAX], likes[MEMBER_SEARCH_WORDS][2 * ORG_CURSOR_MAX + 4];
	char circ_like[PERSON_TEXT_BUF + 8];
	const char *words[MEMBER_SEARCH_WORDS];
	char *fold = NULL;
	size_t n_words = 0, cap = 0;
	const char *order;
	search_plan_t plan;
	leap_t *leap = NULL;
	bool page_inside = false, by_w, sub;
	int64_t after_id = 0;
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	if (mq->cursor && *mq->cursor && org_cursor_decode(mq->cursor, after_key, sizeof(after_key), &after_id, e))
		return -1;
	if (mq->q && *mq->q && split_query(mq->q, &fold, words, &n_words, digits)) {
		free(fold);
		return err_fail(e, ERR_BAD_REQUEST, "bad_request", "the search is not text");
	}
	for (size_t i = 0; i < n_words; i++) {
		snprintf(uppers[i], sizeof(uppers[i]), "%s" MAX_CHAR, words[i]);
		word_pattern(words[i], likes[i], sizeof(likes[i]));
	}
	search_after_t after = { .key = after_key, .id = after_id };
	search_words_t sw = { .words = words, .likes = likes, .n = n_words };

	if (plan_search(db, mq, words, uppers, n_words, digits[0] != '\0', &plan, e) ||
	    leap_search(db, mq, &plan, words, uppers, n_words, &after, &leap, e)) {
		free(fold);
		return -1;
	}
	if (leap) {
		plan.leap = leap;
		plan.driver = DRIVE_WORD;
		plan.budget = 0;
	} else if (page_in_range(db, mq, &plan, &page_inside, e) ||
		   (page_inside && pick_merge(db, mq, &plan, words, uppers, e)) ||
		   (plan.budget && !page_inside && walk_or_range(db, mq, &plan, &sw, &after, e))) {
		free(fold);
		return -1;
	}
	/* a budgeted walk that did not fill the page, unless it ended
	 * within its budget, gives way to its range */
	for (;;) {
		/* w is a subquery of the page's rows (person_id, name_key) */
		sub = plan.kept && (plan.driver == DRIVE_WORD || plan.budget);
		out->plan = plan_name(&plan);
		if (leap && !leap->n)
			break; /* no one has every word */
		/* the tables in the driver's order (CROSS JOIN keeps SQLite to it; the
		 * conditions that join them are in WHERE) */
		query_init(&q);
		query_sql(&q, DB_PLAN_EACH_RUN "SELECT " PERSON_COLS ", " STAY_COLS ", p.name_key FROM ");
		switch (plan.driver) {
		case DRIVE_UNIT:
			/* without a unit (the caller's scope, or digits): the planner's choice */
			query_sql(&q, mq->unit_id ? "ancestry a CROSS JOIN memberships m CROSS JOIN persons p"
						  : "memberships m, persons p");
			break;
		case DRIVE_WORD:
			if (plan.kept)
				kept_range(&q, db, mq, &plan, uppers, &sw, after_key, after_id, page_inside);
			else
				query_add(&q, "(SELECT DISTINCT person_id FROM person_words WHERE word >= ? AND word < ?) w",
					  QT(words[plan.word]), QT(uppers[plan.word]));
			query_sql(&q, " CROSS JOIN memberships m CROSS JOIN persons p");
			break;
		case DRIVE_WORD_WALK:
			if (sub) {
				kept_walk(&q, db, mq, &plan, &sw, after_key, after_id);
				query_sql(&q, " CROSS JOIN memberships m CROSS JOIN persons p");
				break;
			}
			if (plan.kept && db_dialect(db) == DB_SQLITE)
				query_sql(&q, "member_words w INDEXED BY member_words_walk CROSS JOIN memberships m");
			else if (plan.kept)
				/* PostgreSQL takes each row's stays in the walk's
				 * order only behind this fence: it estimated a
				 * commune's rows to meet a few dozen of its stays
				 * (not thousands) and so read them all and sorted
				 * them for the page, at 2 million members a commune of
				 * 13,588 members' list in 180 ms, not 15 */
				query_sql(&q, "member_words w CROSS JOIN LATERAL (SELECT * FROM memberships m"
					      " WHERE m.person_id = w.person_id OFFSET 0) m");
			else
				query_sql(&q, "person_words w CROSS JOIN memberships m"); /* its key is the walk's order */
			break;
		case DRIVE_NAME:
			query_sql(&q, db_dialect(db) == DB_SQLITE ? "persons p INDEXED BY persons_name" : "persons p");
			query_sql(&q, " CROSS JOIN memberships m");
			break;
		}
		if (plan.driver != DRIVE_UNIT && mq->unit_id && !plan.kept)
			query_sql(&q, " CROSS JOIN ancestry a");
		if (plan.driver == DRIVE_WORD_WALK && !sub)
			query_sql(&q, " CROSS JOIN persons p");
		query_add(&q, " WHERE m.person_id = p.id AND m.valid_from <= ? AND m.valid_to > ? AND p.erased = 0",
			  QD(mq->as_of), QD(mq->as_of));
		if (plan.driver == DRIVE_WORD || sub)
			query_sql(&q, " AND m.person_id = w.person_id");
		if (plan.driver == DRIVE_WORD_WALK && plan.kept && !sub)
			query_add(&q, " AND w.unit_id = ?", QI(mq->unit_id));
		if (plan.driver == DRIVE_WORD_WALK && !sub)
			query_add(&q, " AND w.word = ? AND m.person_id = w.person_id", QT(plan.walk_word));
		if (mq->unit_id && !plan.kept)
			query_add(&q, " AND a.descendant = m.unit_id AND a.ancestor = ? AND a.valid_from <= ? AND a.valid_to > ?",
				  QI(mq->unit_id), QD(mq->as_of), QD(mq->as_of));
		if (mq->scope)
			scope_filter(&q, mq->scope, "m.unit_id");
		if (!sub && plan.driver == DRIVE_WORD_WALK)
			words_filter(&q, db, "w.name_fold", &sw, plan.word);
		else if (!sub)
			words_filter(&q, db, "p.name_fold", &sw, plan.driver == DRIVE_WORD ? plan.word : NO_WORD);
		add_filters(&q, mq, circ_like, sizeof(circ_like));
		if (digits[0]) {
			/* an ID number begins with them; a phone, typed 0912... or 84912... */
			const char *national = digits[0] == '0' ? digits + 1 : strncmp(digits, "84", 2) == 0 ? digits + 2 : digits;
			snprintf(id_like, sizeof(id_like), "%s%%", digits);
			snprintf(phone, sizeof(phone), "+84%s%%", national);
			if (mq->id_prefix)
				query_add(&q, " AND (p.id_number LIKE ? OR p.phone LIKE ?)", QT(id_like), QT(phone));
			else
				query_add(&q, " AND (p.id_number = ? OR p.phone LIKE ?)", QT(digits), QT(phone));
		}
		/* the walk's (the kept range's) own columns, so that its index gives
		 * the order */
		by_w = plan.driver == DRIVE_WORD_WALK || (plan.kept && plan.driver == DRIVE_WORD);
		order = by_w ? "w.name_key, w.person_id" : "p.name_key, p.id";
		if (after_id) {
			query_add(&q, by_w ? " AND (w.name_key, w.person_id) > (?, ?)" : " AND (p.name_key, p.id) > (?, ?)",
				  QT(after_key), QI(after_id));
		}
		query_sql(&q, " ORDER BY ");
		query_sql(&q, order);
		query_add(&q, " LIMIT ?", QI(mq->limit + 1));
		r = query_prepare(db, &q, &st, e);
		while (!r && (rc = db_step(st)) == DB_ROW) {
			void *v = store_grow(out->items, &cap, out->n, sizeof(*out->items), e);
			if (!v) {
				r = -1;
				break;
			}
			out->items = v;
			member_t *m = &out->items[out->n];
			memset(m, 0, sizeof(*m));
			m->current = true;
			r = read_person(db, st, &m->p, e);
			if (!r)
				r = read_stay(db, st, PERSON_NCOLS, &m->m, e);
			if (!r && out->n == (size_t)mq->limit) {
				/* the row after the page: the page's last row makes the cursor */
				if (org_cursor_encode(last_key, out->items[out->n - 1].p.id, out->next, sizeof(out->next)))
					r = err_set(e, ERR_INTERNAL, NULL, "a name too long for a cursor");
				break;
			}
			if (!r) {
				copy_text(last_key, sizeof(last_key), db_col_text(st, PERSON_NCOLS + STAY_NCOLS));
				out->n++;
			}
		}
		if (!r && rc < 0 && st)
			r = store_fail(db, rc, e);
		db_finalize(st);
		st = NULL;
		if (r || !plan.budget || out->next[0])
			break;
		int64_t left = plan.walk_total;
		if (after.id && (r = walk_left(db, mq->unit_id, plan.walk_word, &after, plan.budget, &left, e)) != 0)
			break;
		if (left < plan.budget)
			break;
		member_list_free(out);
		memset(out, 0, sizeof(*out));
		cap = 0;
		plan.driver = DRIVE_WORD;
		plan.word = plan.fallback;
		plan.budget = 0;
		if (page_inside && (r = pick_merge(db, mq, &plan, words, uppers, e)) != 0)
			break;
	}
	free(fold);
	leap_free(leap);
	if (!r && out->n)
		r = name_stays(db, &out->items[0].m, out->n, sizeof(member_t), mq->as_of, e);
	if (r)
		member_list_free(out);
	return r;
}

/* ---- writing ---- */

/* A membership's unit: of the two lowest levels and existing on day d. */
/* The unit that takes over unit_id's members on ends, the day it ends:
 * the target of that day's merge or split that has it among its sources
 * (of a split, the part that kept its code, else the first: the rule of
 * org_write.c's split_heir), of its level; 0 when it closes (or its
 * members would go to a unit of another level, which a merge refuses). */
static int successor(db_t *db, int64_t unit_id, date_t ends, int64_t *next, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT coalesce((SELECT t.unit_id FROM event_units s JOIN events ev ON ev.id = s.event_id"
		      " JOIN event_units t ON t.event_id = s.event_id AND t.role = 'target' AND t.unit_id <> s.unit_id"
		      " JOIN units su ON su.id = s.unit_id JOIN units tu ON tu.id = t.unit_id AND tu.level = su.level"
		      " WHERE s.unit_id = ? AND s.role = 'source' AND ev.date = ?"
		      " ORDER BY CASE WHEN tu.code = su.code THEN 0 ELSE 1 END, t.unit_id LIMIT 1), 0)",
		  QI(unit_id), QD(ends));
	return org_query_int(db, &q, next, e);
}

int member_unit_facts(db_t *db, int64_t unit_id, member_unit_facts_t *f, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	memset(f, 0, sizeof(*f));
	f->unit_id = unit_id;
	query_init(&q);
	query_add(&q, "SELECT (SELECT count(*) FROM levels b WHERE b.rank > l.rank), u.valid_from, u.valid_to, u.code"
		      " FROM units u JOIN levels l ON l.key = u.level WHERE u.id = ?",
		  QI(unit_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		f->found = true;
		f->below = db_col_int64(st, 0);
		snprintf(f->code, sizeof(f->code), "%s", db_col_text(st, 3) ? db_col_text(st, 3) : "");
		if (db_col_date(st, 1, &f->from) || db_col_date(st, 2, &f->to))
			rc = DB_ERROR;
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(db, rc, e);
	/* her stay holds until she leaves: a unit whose end is recorded must
	 * hand it on, as its merge or split does its members' (insert_stay) */
	if (f->found && f->to != DATE_OPEN && successor(db, unit_id, f->to, &f->successor, e))
		return -1;
	return 0;
}

int member_check_unit_facts(const member_unit_facts_t *f, date_t d, err_t *e)
{
	if (!f->found || f->from > d || f->to <= d) {
		/* by its code: an internal id means nothing to the user */
		err_field(e, "unit", "not_found", "no unit {value} on {date}", ERR_STR("value", f->code), ERR_DATE("date", d));
		return err_fail(e, ERR_INVALID, "invalid", "the unit does not exist on {date}", ERR_DATE("date", d));
	}
	if (f->below > 1) {
		err_field(e, "unit", "not_a_branch", "is not a branch or a group");
		return err_fail(e, ERR_INVALID, "invalid", "a member belongs to a branch or a group");
	}
	if (f->to != DATE_OPEN && !f->successor) {
		err_field(e, "unit", "unit_ends", "closes on {date}: she joins another unit", ERR_DATE("date", f->to - 1));
		return err_fail(e, ERR_INVALID, "invalid", "the unit closes on {date}", ERR_DATE("date", f->to - 1));
	}
	return 0;
}

int member_check_unit(db_t *db, int64_t unit_id, date_t d, err_t *e)
{
	member_unit_facts_t f;

	if (member_unit_facts(db, unit_id, &f, e))
		return -1;
	return member_check_unit_facts(&f, d, e);
}

int member_by_id_number(db_t *db, const char *id_number, int64_t *id, bool *current, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*id = 0;
	*current = false;
	query_init(&q);
	query_add(&q, "SELECT p.id, EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.valid_to = ?)"
		      " FROM persons p WHERE p.id_number = ?",
		  QD(DATE_OPEN), QT(id_number));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_col_int64(st, 0);
		*current = db_col_int64(st, 1) != 0;
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

int member_by_id_numbers(db_t *db, const char *const *id_numbers, size_t n, int64_t *ids, bool *current, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	if (n > MEMBER_ID_LOOKUP_MAX)
		return err_set(e, ERR_INTERNAL, NULL, "member_by_id_numbers: too many");
	for (size_t i = 0; i < n; i++) {
		ids[i] = 0;
		if (current)
			current[i] = false;
	}
	if (!n)
		return 0;
	query_init(&q);
	query_add(&q, "SELECT p.id_number, p.id, EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id"
		      " AND m.valid_to = ?) FROM persons p WHERE p.id_number IN (?",
		  QD(DATE_OPEN), QT(id_numbers[0]));
	for (size_t i = 1; i < n; i++)
		query_add(&q, ", ?", QT(id_numbers[i]));
	query_sql(&q, ")");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *got = db_col_text(st, 0);
		/* every one asked for that is this (a list may name one twice) */
		for (size_t i = 0; got && i < n; i++)
			if (strcmp(id_numbers[i], got) == 0) {
				ids[i] = db_col_int64(st, 1);
				if (current)
					current[i] = db_col_int64(st, 2) != 0;
			}
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

/* 409 id_number_taken when another person than `self` holds id_number;
 * for a new record (self 0), 409 former_member when she is no member
 * today (she rejoins rather). */
static int check_id_free(db_t *db, const char *id_number, int64_t self, err_t *e)
{
	int64_t holder = 0;
	bool current = false;

	if (member_by_id_number(db, id_number, &holder, &current, e))
		return -1;
	if (!holder || holder == self)
		return 0;
	if (!self && !current)
		return err_fail(e, ERR_CONFLICT, "former_member",
				"ID number {value} is a former member's: she joins again (rejoin)",
				ERR_STR("value", id_number));
	return err_fail(e, ERR_CONFLICT, "id_number_taken", "ID number {value} is another person's",
			ERR_STR("value", id_number));
}

static int check_ethnicity(db_t *db, const char *code, err_t *e)
{
	int64_t n = 0;
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM ethnic_groups WHERE code = ?", QT(code));
	if (org_query_int(db, &q, &n, e))
		return -1;
	if (!n) {
		err_field(e, "ethnicity", "not_one_of", "'{value}' is not the code of an ethnic group",
			  ERR_STR("value", code));
		return err_fail(e, ERR_INVALID, "invalid", "unknown ethnic group");
	}
	return 0;
}

static int insert_person(db_t *db, person_t *p, const char *fold, const char *key, err_t *e)
{
	char ts[32];
	query_t q;

	store_now_iso(ts, sizeof(ts));
	query_init(&q);
	query_add(&q, "INSERT INTO persons (full_name, name_fold, name_key, birth_date, sex, ethnicity, religion,"
		      " education, qualification, political_theory, occupation, id_number, id_kind, phone, hamlet,"
		      " street, circumstances, digital, party_member, notes, created_at, updated_at)"
		      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		  QT(p->full_name), QT(fold), QT(key), QD(p->birth_date), QT(person_sex_name(p->sex)),
		  QT(p->ethnicity[0] ? p->ethnicity : NULL), QT(p->religion), QT(p->education), QT(p->qualification),
		  QT(p->political_theory), QT(p->occupation), QT(p->id_number[0] ? p->id_number : NULL),
		  QT(person_id_kind_name(p->id_kind)), QT(p->phone[0] ? p->phone : NULL), QT(p->hamlet), QT(p->street),
		  QT(p->circumstances), QI(p->digital), QI(p->party_member), QT(p->notes), QT(ts), QT(ts));
	return org_query_int(db, &q, &p->id, e);
}

/* One person_words row per distinct word of fold, with her sort key and
 * fold (a search's walk reads them from its index). */
static int insert_words(db_t *db, int64_t id, const char *fold, const char *key, err_t *e)
{
	char *copy = strdup(fold), *save = NULL;
	int r = 0;

	if (!copy)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	for (char *w = strtok_r(copy, " ", &save); w && !r; w = strtok_r(NULL, " ", &save)) {
		query_t q;
		query_init(&q);
		query_add(&q, "INSERT INTO person_words (word, person_id, name_key, name_fold) VALUES (?, ?, ?, ?)"
			      " ON CONFLICT DO NOTHING",
			  QT(w), QI(id), QT(key), QT(fold));
		r = query_run(db, &q, e);
	}
	free(copy);
	return r;
}

/* The day unit_id ends (DATE_OPEN: it goes on). */
static int unit_end(db_t *db, int64_t unit_id, date_t *ends, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*ends = DATE_OPEN;
	query_init(&q);
	query_add(&q, "SELECT valid_to FROM units WHERE id = ?", QI(unit_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW && db_col_date(st, 0, ends))
		rc = DB_ERROR;
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

static int audit_stay(db_t *db, const principal_t *who, const char *action, int64_t person_id, int64_t unit_id,
		      date_t d, const char *reason, int64_t to_unit, err_t *e);

/* Her open stay from `from` in unit_id (written already) goes on past a
 * recorded end of the unit: a unit whose end is recorded (a merge or split
 * dated ahead, or one entered after the fact) hands it on the day it ends
 * to its successor, as it did its members: the stay ends there
 * ("transferred") and goes on in the successor, audited as
 * member.transfer, and so on while the successor ends too.
 * member_check_unit has refused a unit without one. */
static int carry_on(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, member_kind_t kind,
		    date_t from, err_t *e)
{
	for (int hops = 0; hops < 64; hops++) {
		date_t ends = DATE_OPEN;
		int64_t next = 0;
		query_t q;

		if (unit_end(db, unit_id, &ends, e))
			return -1;
		if (ends == DATE_OPEN)
			return 0;
		if (successor(db, unit_id, ends, &next, e))
			return -1;
		if (!next)
			return err_fail(e, ERR_INVALID, "invalid", "the unit closes on {date}", ERR_DATE("date", ends - 1));
		query_init(&q);
		query_add(&q, "UPDATE memberships SET valid_to = ?, end_reason = 'transferred' WHERE person_id = ?"
			      " AND valid_from = ?",
			  QD(ends), QI(person_id), QD(from));
		if (query_run(db, &q, e) ||
		    audit_stay(db, who, "member.transfer", person_id, unit_id, ends, "transferred", next, e))
			return -1;
		query_init(&q);
		query_add(&q, "INSERT INTO memberships (person_id, unit_id, kind, valid_from, valid_to, start_reason)"
			      " VALUES (?, ?, ?, ?, ?, 'transferred')",
			  QI(person_id), QI(next), QT(member_kind_name(kind)), QD(ends), QD(DATE_OPEN));
		if (query_run(db, &q, e))
			return -1;
		unit_id = next;
		from = ends;
	}
	return err_fail(e, ERR_INTERNAL, NULL, "a unit's successors do not end");
}

/* Her stay from `from` in unit_id, until she leaves (carry_on: past a
 * recorded end of the unit, in its successor). */
static int insert_stay(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, member_kind_t kind,
		       date_t from, const char *reason, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO memberships (person_id, unit_id, kind, valid_from, valid_to, start_reason)"
		      " VALUES (?, ?, ?, ?, ?, ?)",
		  QI(person_id), QI(unit_id), QT(member_kind_name(kind)), QD(from), QD(DATE_OPEN), QT(reason));
	if (query_run(db, &q, e))
		return -1;
	return carry_on(db, who, person_id, unit_id, kind, from, e);
}

/* The audit row of a new member: where and how she joined, by her record's
 * id, never her name or sensitive data: the trail is append-only, so what
 * it holds of her would outlive her erasure (and it is read by admins
 * without sensitive.read). */
static int audit_join(db_t *db, const principal_t *who, const person_t *p, int64_t unit_id, member_kind_t kind,
		      date_t joined, err_t *e)
{
	char id[24], day[DATE_STR_LEN], *after;
	json_t *j;
	int r;

	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	j = json_pack("{s:I, s:s, s:s}", "unit_id", (json_int_t)unit_id, "joined_on", date_format(joined, day), "kind",
		      member_kind_name(kind));
	after = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!after)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	r = audit_write(db, who, "member.create", unit_id, "member", id, NULL, after, NULL, e);
	free(after);
	return r;
}

/* The provenance of a record an import created or changed. */
static int record_origin(db_t *db, int64_t person_id, const member_origin_t *o, const char *action,
			 const char *fields, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "INSERT INTO import_records (person_id, import_id, line, action, fields) VALUES (?, ?, ?, ?, ?)",
		  QI(person_id), QI(o->import_id), QI(o->line), QT(action), QT(fields));
	return query_run(db, &q, e);
}

static int add_member(db_t *db, const principal_t *who, person_t *p, int64_t unit_id, member_kind_t kind,
		      date_t joined, const member_origin_t *origin, err_t *e)
{
	char *fold = NULL, *key = NULL;
	bool own = false;
	int r;

	if (text_fold(p->full_name, &fold) || person_sort_key(p->full_name, &key)) {
		free(fold);
		free(key);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	r = store_tx_begin(db, &own, e);
	if (r) {
		free(fold);
		free(key);
		return -1;
	}
	/* an import has checked its rows in its own write transaction */
	if (!origin)
		r = member_check_unit(db, unit_id, joined, e);
	if (!r && !origin && p->ethnicity[0])
		r = check_ethnicity(db, p->ethnicity, e);
	if (!r && !origin && p->id_number[0])
		r = check_id_free(db, p->id_number, 0, e);
	if (!r)
		r = insert_person(db, p, fold, key, e);
	if (!r)
		r = insert_words(db, p->id, fold, key, e);
	/* the join is audited before the stay, which may be carried on to a
	 * merge's target at once (and audited as a transfer) */
	if (!r)
		r = origin ? record_origin(db, p->id, origin, "created", "", e) :
			     audit_join(db, who, p, unit_id, kind, joined, e);
	if (!r)
		r = insert_stay(db, who, p->id, unit_id, kind, joined, "joined", e);
	if (!r)
		r = member_tally_person(db, p->id, 1, e);
	free(fold);
	free(key);
	return store_tx_end(db, own, r, e);
}

int member_add(db_t *db, const principal_t *who, person_t *p, int64_t unit_id, member_kind_t kind, date_t joined,
	       err_t *e)
{
	return add_member(db, who, p, unit_id, kind, joined, NULL, e);
}

int member_add_imported(db_t *db, const principal_t *who, person_t *p, int64_t unit_id, member_kind_t kind,
			date_t joined, const member_origin_t *origin, err_t *e)
{
	return add_member(db, who, p, unit_id, kind, joined, origin, e);
}

/* ---- new records of an import, in bulk ---- */

typedef struct batch_row {
	member_row_t row; /* first: the rows' functions read it (store/member_rows.h) */
	int64_t unit_id;
	member_kind_t kind;
	date_t joined;
	int64_t line;
} batch_row_t;

struct member_batch {
	batch_row_t *rows;
	size_t n, cap;
	int64_t under;        /* the unit the rows' units are under */
	member_load_t *count; /* the figures of the rows stored: from the first store to member_batches_end */
	int64_t *word_units;  /* by row: her province (member_load_count) */
	int64_t *name_units;  /* by row, MEMBER_LOAD_NAME_UNITS each: the units between it and her branch */
	size_t cap_units;
};

int member_id_number_last(db_t *db, const char *prefix, char out[PERSON_ID_BUF], bool *found, err_t *e)
{
	char lo[PERSON_ID_BUF], hi[PERSON_ID_BUF];
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*found = false;
	out[0] = '\0';
	if (strlen(prefix) + 6 >= PERSON_ID_BUF)
		return err_set(e, ERR_INTERNAL, NULL, "member_id_number_last: prefix too long");
	snprintf(lo, sizeof(lo), "%s000000", prefix);
	snprintf(hi, sizeof(hi), "%s999999", prefix);
	query_init(&q);
	/* planned at each run: in a load's long transaction a plan kept from
	 * its start (persons empty) scans the whole table at every call */
	query_add(&q, DB_PLAN_EACH_RUN "SELECT max(id_number) FROM persons WHERE id_number BETWEEN ? AND ?", QT(lo),
		  QT(hi));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW && !db_col_is_null(st, 0)) {
		*found = true;
		copy_text(out, PERSON_ID_BUF, db_col_text(st, 0));
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

int member_batch_new(int64_t under, member_batch_t **out, err_t *e)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	(*out)->under = under;
	return 0;
}

static void batch_clear(member_batch_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		member_row_clear(&b->rows[i].row);
	b->n = 0;
}

int member_batches_end(db_t *db, member_batch_t *b, err_t *e)
{
	int r = b->count ? member_load_count_end(b->count, e) : 0;

	member_load_free(b->count);
	b->count = NULL;
	return r || member_tally_batches_end(db, e) ? -1 : 0;
}

void member_batch_free(member_batch_t *b)
{
	if (!b)
		return;
	batch_clear(b);
	member_load_free(b->count);
	free(b->rows);
	free(b->word_units);
	free(b->name_units);
	free(b);
}

size_t member_batch_count(const member_batch_t *b)
{
	return b->n;
}

int member_batch_add(member_batch_t *b, const person_t *p, int64_t unit_id, member_kind_t kind, date_t joined,
		     int64_t line, err_t *e)
{
	batch_row_t *r, *rows = store_grow(b->rows, &b->cap, b->n, sizeof(*rows), e);

	if (!rows)
		return -1;
	b->rows = rows;
	r = &b->rows[b->n];
	memset(r, 0, sizeof(*r));
	if (member_row_set(&r->row, p, e))
		return -1;
	r->unit_id = unit_id;
	r->kind = kind;
	r->joined = joined;
	r->line = line;
	b->n++;
	return 0;
}

static int bulk_fail(db_t *db, int rc, db_bulk_t *bulk, err_t *e)
{
	if (bulk)
		db_bulk_end(bulk);
	return store_fail(db, rc, e);
}

int member_row_set(member_row_t *r, const person_t *p, err_t *e)
{
	r->fold = r->key = NULL;
	if (text_fold(p->full_name, &r->fold) || person_sort_key(p->full_name, &r->key)) {
		member_row_clear(r);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	r->p = *p;
	return 0;
}

void member_row_clear(member_row_t *r)
{
	free(r->fold);
	free(r->key);
	r->fold = r->key = NULL;
}

static const member_row_t *row_at(const void *rows, size_t i, size_t stride)
{
	return (const member_row_t *)(const void *)((const char *)rows + i * stride);
}

/* The persons rows: the columns insert_person writes, and the id. */
int member_rows_persons(db_t *db, const void *rows, size_t n, size_t stride, int64_t first_id, err_t *e)
{
	static const char *const COLS[] = {
		"id", "full_name", "name_fold", "name_key", "birth_date", "sex", "ethnicity", "religion", "education",
		"qualification", "political_theory", "occupation", "id_number", "id_kind", "phone", "hamlet", "street",
		"circumstances", "digital", "party_member", "notes", "created_at", "updated_at",
	};
	char ts[32], id[24], day[DATE_STR_LEN];
	db_bulk_t *bulk = NULL;
	int rc;

	store_now_iso(ts, sizeof(ts));
	rc = db_bulk_begin(db, "persons", COLS, (int)(sizeof(COLS) / sizeof(COLS[0])), &bulk);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		const member_row_t *r = row_at(rows, i, stride);
		const person_t *p = &r->p;
		const char *v[sizeof(COLS) / sizeof(COLS[0])] = {
			id, p->full_name, r->fold, r->key, date_format(p->birth_date, day),
			person_sex_name(p->sex), p->ethnicity[0] ? p->ethnicity : NULL, p->religion, p->education,
			p->qualification, p->political_theory, p->occupation, p->id_number[0] ? p->id_number : NULL,
			person_id_kind_name(p->id_kind), p->phone[0] ? p->phone : NULL, p->hamlet, p->street,
			p->circumstances, p->digital ? "1" : "0", p->party_member ? "1" : "0", p->notes, ts, ts,
		};
		store_int_text(first_id + (int64_t)i, id);
		rc = db_bulk_row(bulk, v);
	}
	if (rc != DB_OK)
		return bulk_fail(db, rc, bulk, e);
	rc = db_bulk_end(bulk);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* The person_words rows: each distinct word of her folded name (what
 * insert_words writes); with units, the member_words rows of the same
 * words and the whole name's, at units[i]. */
int member_rows_words(db_t *db, const char *table, const void *rows, size_t n, size_t stride, int64_t first_id,
		      const int64_t *units, err_t *e)
{
	static const char *const COLS[] = { "word", "person_id", "name_key", "name_fold" };
	static const char *const UNIT_COLS[] = { "unit_id", "word", "person_id", "name_key", "name_fold" };
	char id[24], unit[24];
	db_bulk_t *bulk = NULL;
	int rc;

	rc = units ? db_bulk_begin(db, table, UNIT_COLS, 5, &bulk) : db_bulk_begin(db, table, COLS, 4, &bulk);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		const member_row_t *r = row_at(rows, i, stride);
		char *copy, *save = NULL, *seen[PERSON_NAME_BUF / 2];
		size_t n_seen = 0;

		if (units && !units[i])
			continue;
		if (!(copy = strdup(r->fold))) {
			rc = DB_ERROR;
			break;
		}
		store_int_text(first_id + (int64_t)i, id);
		if (units) {
			const char *v[] = { unit, "", id, r->key, r->fold };
			store_int_text(units[i], unit);
			rc = db_bulk_row(bulk, v);
		}
		for (char *w = strtok_r(copy, " ", &save); w && rc == DB_OK; w = strtok_r(NULL, " ", &save)) {
			bool again = false;
			for (size_t k = 0; k < n_seen && !again; k++)
				again = strcmp(seen[k], w) == 0;
			if (again || n_seen == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[n_seen++] = w;
			const char *v[] = { w, id, r->key, r->fold };
			const char *vu[] = { unit, w, id, r->key, r->fold };
			rc = db_bulk_row(bulk, units ? vu : v);
		}
		free(copy);
	}
	if (rc != DB_OK)
		return bulk_fail(db, rc, bulk, e);
	rc = db_bulk_end(bulk);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* The member_words rows '' (the whole name) at units[i * per_row + k],
 * none where that is 0. */
int member_rows_names(db_t *db, const char *table, const void *rows, size_t n, size_t stride, int64_t first_id,
		      const int64_t *units, size_t per_row, err_t *e)
{
	static const char *const COLS[] = { "unit_id", "word", "person_id", "name_key", "name_fold" };
	char id[24], unit[24];
	db_bulk_t *bulk = NULL;
	int rc = db_bulk_begin(db, table, COLS, 5, &bulk);

	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		const member_row_t *r = row_at(rows, i, stride);
		const char *v[] = { unit, "", id, r->key, r->fold };

		store_int_text(first_id + (int64_t)i, id);
		for (size_t k = 0; rc == DB_OK && k < per_row && units[i * per_row + k]; k++) {
			store_int_text(units[i * per_row + k], unit);
			rc = db_bulk_row(bulk, v);
		}
	}
	if (rc != DB_OK)
		return bulk_fail(db, rc, bulk, e);
	rc = db_bulk_end(bulk);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

/* An import's words go to the batches' tables first: person_words and
 * member_words get them all at the end, in their keys' order
 * (member_tally_batches_end). */
static int bulk_words(db_t *db, const member_batch_t *b, int64_t first_id, err_t *e)
{
	return member_tally_batch_tables(db, e) ||
	       member_rows_words(db, MEMBER_BATCH_PERSON_WORDS, b->rows, b->n, sizeof(b->rows[0]), first_id, NULL, e)
		       ? -1
		       : 0;
}

/* Counts the batch's records into the figures (member_load_count; the
 * count begins at the first batch) and writes their search rows by unit
 * into MEMBER_BATCH_WORDS, as the figures are kept. */
static int count_batch(db_t *db, member_batch_t *b, int64_t first_id, err_t *e)
{
	if (!b->count && member_load_count_begin(db, b->under, &b->count, e)) {
		member_load_free(b->count);
		b->count = NULL;
		return -1;
	}
	if (!member_load_counting(b->count))
		return 0;
	if (b->n > b->cap_units) {
		int64_t *w = realloc(b->word_units, b->n * sizeof(*w));
		int64_t *u = w ? realloc(b->name_units, b->n * MEMBER_LOAD_NAME_UNITS * sizeof(*u)) : NULL;
		if (w)
			b->word_units = w;
		if (!u)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		b->name_units = u;
		b->cap_units = b->n;
	}
	for (size_t i = 0; i < b->n; i++) {
		const batch_row_t *r = &b->rows[i];
		if (member_load_count(b->count, &r->row, r->kind, r->unit_id, r->joined, &b->word_units[i],
				      &b->name_units[i * MEMBER_LOAD_NAME_UNITS], e))
			return -1;
	}
	return member_rows_words(db, MEMBER_BATCH_WORDS, b->rows, b->n, sizeof(b->rows[0]), first_id, b->word_units,
				 e) ||
			       member_rows_names(db, MEMBER_BATCH_WORDS, b->rows, b->n, sizeof(b->rows[0]), first_id,
						 b->name_units, MEMBER_LOAD_NAME_UNITS, e)
		       ? -1
		       : 0;
}

/* The memberships rows (insert_stay's, for units that go on) and the
 * import_records rows (record_origin's, "created"). */
static int bulk_stays(db_t *db, const member_batch_t *b, int64_t first_id, int64_t import_id, err_t *e)
{
	static const char *const STAY[] = { "person_id", "unit_id", "kind", "valid_from", "valid_to", "start_reason" };
	static const char *const ORIGIN[] = { "person_id", "import_id", "line", "action", "fields" };
	char id[24], unit[24], imp[24], line[24], from[DATE_STR_LEN], to[DATE_STR_LEN];
	db_bulk_t *bulk = NULL;
	int rc = db_bulk_begin(db, "memberships", STAY, 6, &bulk);

	date_format(DATE_OPEN, to);
	for (size_t i = 0; rc == DB_OK && i < b->n; i++) {
		const batch_row_t *r = &b->rows[i];
		const char *v[] = { id, unit, member_kind_name(r->kind), date_format(r->joined, from), to, "joined" };
		store_int_text(first_id + (int64_t)i, id);
		snprintf(unit, sizeof(unit), "%lld", (long long)r->unit_id);
		rc = db_bulk_row(bulk, v);
	}
	if (rc != DB_OK)
		return bulk_fail(db, rc, bulk, e);
	if ((rc = db_bulk_end(bulk)) != DB_OK)
		return store_fail(db, rc, e);
	bulk = NULL;
	rc = db_bulk_begin(db, "import_records", ORIGIN, 5, &bulk);
	snprintf(imp, sizeof(imp), "%lld", (long long)import_id);
	for (size_t i = 0; rc == DB_OK && i < b->n; i++) {
		const char *v[] = { id, imp, line, "created", "" };
		store_int_text(first_id + (int64_t)i, id);
		snprintf(line, sizeof(line), "%lld", (long long)b->rows[i].line);
		rc = db_bulk_row(bulk, v);
	}
	if (rc != DB_OK)
		return bulk_fail(db, rc, bulk, e);
	rc = db_bulk_end(bulk);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int member_batch_store(db_t *db, member_batch_t *b, int64_t import_id, err_t *e)
{
	int64_t last = 0;
	query_t q;
	int rc;

	if (!b->n)
		return 0;
	if (!db_in_transaction(db))
		return err_set(e, ERR_INTERNAL, NULL, "member_batch_store outside a transaction");
	/* the write lock is held (on PostgreSQL every write transaction takes
	 * the one advisory lock first, db_pg.c): no one else numbers persons
	 * meanwhile. The ids are max + 1 on, and the sequence is moved past
	 * them after (db_sync_ids); a rollback leaves it ahead, which makes a
	 * gap in the ids, never a clash. */
	query_init(&q);
	query_sql(&q, "SELECT coalesce(max(id), 0) FROM persons");
	if (org_query_int(db, &q, &last, e) || member_rows_persons(db, b->rows, b->n, sizeof(b->rows[0]), last + 1, e) || bulk_words(db, b, last + 1, e) ||
	    bulk_stays(db, b, last + 1, import_id, e))
		return -1;
	if ((rc = db_sync_ids(db, "persons")) != DB_OK)
		return store_fail(db, rc, e);
	/* the figures added to the kept ones once, at the end: on PostgreSQL
	 * each addition makes a new version of the same figure rows (MVCC) */
	if (count_batch(db, b, last + 1, e))
		return -1;
	batch_clear(b);
	return 0;
}

int member_audit_read(db_t *db, const principal_t *who, int64_t unit_id, const char *id, err_t *e)
{
	return audit_write(db, who, "member.sensitive_read", unit_id, "member", id, NULL, NULL,
			   "ethnicity, religion, id_number, circumstances", e);
}

/* ---- leaving and moving ---- */

/* The stay of person_id that holds day d: its id, unit, kind and bounds.
 * 409 not_a_member when none does. */
static int stay_on(db_t *db, int64_t person_id, date_t d, membership_t *m, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_add(&q, "SELECT " STAY_COLS " FROM memberships m WHERE m.person_id = ? AND m.valid_from <= ?"
		      " AND m.valid_to > ?",
		  QI(person_id), QD(d), QD(d));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		r = read_stay(db, st, 0, m, e);
	db_finalize(st);
	if (rc == DB_DONE)
		return err_fail(e, ERR_CONFLICT, "not_a_member", "she is not a member on {date}", ERR_DATE("date", d));
	if (rc != DB_ROW)
		return store_fail(db, rc, e);
	return r;
}

/* A stay can end on d only after its first day, and only when nothing is
 * recorded after it (the stay is open). */
/* A stay ends after its first day; a move to another unit may fall on the
 * first day too (moving: true), and then the stay moves whole, as when a
 * member was entered in the wrong branch. */
static int check_can_end(const membership_t *m, date_t d, bool moving, err_t *e)
{
	if (m->valid_from > d || (m->valid_from == d && !moving))
		return err_fail(e, ERR_CONFLICT, "date_out_of_range",
				"her stay there began on {from}: it can end only after that day", ERR_DATE("date", d),
				ERR_DATE("from", m->valid_from));
	if (m->valid_to != DATE_OPEN)
		return err_fail(e, ERR_CONFLICT, "date_out_of_range",
				"her history after {date} is recorded already: change it from its last stay",
				ERR_DATE("date", d), ERR_DATE("from", m->valid_from));
	return 0;
}

static int audit_stay(db_t *db, const principal_t *who, const char *action, int64_t person_id, int64_t unit_id,
		      date_t d, const char *reason, int64_t to_unit, err_t *e)
{
	char id[24], day[DATE_STR_LEN], *after;
	json_t *j;
	int r;

	snprintf(id, sizeof(id), "%lld", (long long)person_id);
	j = json_pack("{s:I, s:s, s:s}", "unit_id", (json_int_t)unit_id, "date", date_format(d, day), "reason", reason);
	if (j && to_unit)
		json_object_set_new(j, "to_unit_id", json_integer(to_unit));
	after = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!after)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	r = audit_write(db, who, action, unit_id, "member", id, NULL, after, NULL, e);
	free(after);
	return r;
}

static int audit_transfer(db_t *db, const principal_t *who, const char *action, int64_t unit_id, int64_t id,
			  const char *detail, err_t *e)
{
	char rid[24];

	snprintf(rid, sizeof(rid), "%lld", (long long)id);
	return audit_write(db, who, action, unit_id, "transfer", rid, NULL, NULL, detail, e);
}

int member_rejoin(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, member_kind_t kind, date_t d,
		  err_t *e)
{
	membership_t *h = NULL, last = { 0 };
	size_t n = 0;
	bool own = false;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = member_history(db, person_id, &h, &n, e);
	if (!r && n)
		last = h[n - 1];
	free(h);
	if (!r && n && last.valid_to == DATE_OPEN)
		r = err_fail(e, ERR_CONFLICT, "already_a_member", "she is a member since {from}",
			     ERR_DATE("from", last.valid_from));
	else if (!r && n && d < last.valid_to)
		r = err_fail(e, ERR_CONFLICT, "date_out_of_range", "she was a member until {until}: she rejoins on it or later",
			     ERR_DATE("date", d), ERR_DATE("until", last.valid_to));
	if (!r)
		r = member_check_unit(db, unit_id, d, e);
	if (!r)
		r = member_tally_person(db, person_id, -1, e);
	if (!r) /* before the stay, which may be carried on and audited at once */
		r = audit_stay(db, who, "member.rejoin", person_id, unit_id, d, "rejoined", 0, e);
	if (!r)
		r = insert_stay(db, who, person_id, unit_id, kind, d, "rejoined", e);
	if (!r)
		r = member_tally_person(db, person_id, 1, e);
	return store_tx_end(db, own, r, e);
}

int member_count_in(db_t *db, int64_t unit_id, date_t d, int64_t *n, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "SELECT count(*) FROM memberships WHERE unit_id = ? AND valid_to > ?", QI(unit_id), QD(d));
	return org_query_int(db, &q, n, e);
}

int member_stays_outliving_units(db_t *db, FILE *report, size_t *n, err_t *e)
{
	char from[DATE_STR_LEN], to[DATE_STR_LEN];
	db_stmt_t *st = NULL;
	date_t a = 0, b = 0;
	query_t q;
	int rc;

	*n = 0;
	query_init(&q);
	query_sql(&q, "SELECT m.person_id, u.code, u.valid_to, m.valid_to FROM memberships m JOIN units u ON u.id = m.unit_id"
		      " WHERE m.valid_to > u.valid_to ORDER BY m.person_id, m.valid_from");
	if (query_prepare(db, &q, &st, e))
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (report && *n < 100 && db_col_date(st, 2, &a) == 0 && db_col_date(st, 3, &b) == 0)
			fprintf(report, "member %lld: her stay in %s %s%s, after the unit's last day (%s)\n",
				(long long)db_col_int64(st, 0), db_col_text(st, 1),
				b == DATE_OPEN ? "goes on" : "lasts until ", b == DATE_OPEN ? "" : date_format(b - 1, to),
				date_format(a - 1, from));
		(*n)++;
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

/* A stay and whose it is. */
typedef struct person_stay {
	int64_t person_id;
	membership_t m;
} person_stay_t;

int member_move_all(db_t *db, const principal_t *who, int64_t from_unit, int64_t to_unit, date_t d, int64_t *moved,
		    err_t *e)
{
	person_stay_t *v = NULL;
	size_t n = 0, cap = 0;
	db_stmt_t *st = NULL;
	query_t q;
	int r, rc = DB_DONE;

	*moved = 0;
	query_init(&q);
	query_add(&q, "SELECT " STAY_COLS ", m.person_id FROM memberships m WHERE m.unit_id = ? AND m.valid_to > ?"
		      " ORDER BY m.id",
		  QI(from_unit), QD(d));
	r = query_prepare(db, &q, &st, e);
	while (!r && (rc = db_step(st)) == DB_ROW) {
		void *g = store_grow(v, &cap, n, sizeof(*v), e);
		if (!g) {
			r = -1;
			break;
		}
		v = g;
		v[n].person_id = db_col_int64(st, STAY_NCOLS);
		r = read_stay(db, st, 0, &v[n++].m, e);
	}
	if (!r && rc < 0)
		r = store_fail(db, rc, e);
	db_finalize(st);
	for (size_t i = 0; i < n && !r; i++) {
		const membership_t *m = &v[i].m;
		int64_t person = v[i].person_id;
		r = member_tally_person(db, person, -1, e);
		/* a stay that begins on d or later is the target's whole */
		if (!r && m->valid_from >= d) {
			query_init(&q);
			query_add(&q, "UPDATE memberships SET unit_id = ? WHERE id = ?", QI(to_unit), QI(m->id));
			r = query_run(db, &q, e);
		} else if (!r) {
			query_init(&q);
			query_add(&q, "UPDATE memberships SET valid_to = ?, end_reason = 'transferred' WHERE id = ?", QD(d),
				  QI(m->id));
			r = query_run(db, &q, e);
		}
		if (!r && m->valid_from < d) {
			query_init(&q);
			query_add(&q, "INSERT INTO memberships (person_id, unit_id, kind, valid_from, valid_to, start_reason,"
				      " end_reason) VALUES (?, ?, ?, ?, ?, 'transferred', ?)",
				  QI(person), QI(to_unit), QT(member_kind_name(m->kind)), QD(d), QD(m->valid_to),
				  QT(m->end_reason[0] ? m->end_reason : NULL));
			r = query_run(db, &q, e);
		}
		if (!r)
			r = member_tally_person(db, person, 1, e);
		if (!r)
			r = audit_stay(db, who, "member.transfer", person, from_unit, d, "transferred", to_unit, e);
		if (!r)
			r = member_cancel_transfers(db, who, person, 0, d, "transferred", e);
	}
	if (!r)
		*moved = (int64_t)n;
	free(v);
	return r;
}

int member_cancel_transfers(db_t *db, const principal_t *who, int64_t person_id, int64_t except, date_t d,
			    const char *why, err_t *e)
{
	int64_t ids[8], units[8];
	size_t n = 0;
	db_stmt_t *st = NULL;
	char ts[32];
	query_t q;
	int r, rc = DB_DONE;

	query_init(&q);
	query_add(&q, "SELECT id, from_unit FROM transfers WHERE person_id = ? AND status = 'pending' AND id <> ?"
		      " ORDER BY id LIMIT 8",
		  QI(person_id), QI(except));
	r = query_prepare(db, &q, &st, e);
	while (!r && n < 8 && (rc = db_step(st)) == DB_ROW) {
		ids[n] = db_col_int64(st, 0);
		units[n++] = db_col_int64(st, 1);
	}
	if (!r && rc < 0)
		r = store_fail(db, rc, e);
	db_finalize(st);
	store_now_iso(ts, sizeof(ts));
	for (size_t i = 0; !r && i < n; i++) {
		query_init(&q);
		/* never decided before the day it was issued for (a leave dated
		 * earlier than the transfer ends it too) */
		query_add(&q, "UPDATE transfers SET status = 'cancelled', reason = ?, decided_by = ?, decided_at = ?,"
			      " decided_on = CASE WHEN date > ? THEN date ELSE ? END WHERE id = ?",
			  QT(why), QT(who->username), QT(ts), QD(d), QD(d), QI(ids[i]));
		r = query_run(db, &q, e) || audit_transfer(db, who, "transfer.cancel", units[i], ids[i], why, e) ? -1 : 0;
	}
	return r;
}

/* Her stay that ends on day d, if any (*found). Returns 0 or -1 with e. */
static int stay_ending(db_t *db, int64_t person_id, date_t d, membership_t *m, bool *found, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	*found = false;
	query_init(&q);
	query_add(&q, "SELECT " STAY_COLS " FROM memberships m WHERE m.person_id = ? AND m.valid_to = ?", QI(person_id),
		  QD(d));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		r = read_stay(db, st, 0, m, e);
		*found = r == 0;
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(db, rc, e);
	return r;
}

/* A move to to_unit on the first day of her open stay m: she was never a
 * day in m's unit, so the stay is to_unit's whole, kept in its row (a card
 * names a stay's id, and ids are never given twice: nothing is deleted
 * but a stay older than m). When the move takes her back to where a move
 * of that same day took her from, that earlier stay goes on instead, as if
 * she had never left it: m takes over its start, and it goes. Dues she
 * paid in m's unit from that day on go with her. Returns 0 or -1 with e. */
static int move_whole(db_t *db, const principal_t *who, int64_t person_id, const membership_t *m, int64_t to_unit,
		      err_t *e)
{
	membership_t before = { 0 };
	bool found = false, back;
	date_t from = m->valid_from;
	query_t q;

	if (stay_ending(db, person_id, m->valid_from, &before, &found, e))
		return -1;
	back = found && before.unit.id == to_unit && before.kind == m->kind &&
	       strcmp(before.end_reason, "transferred") == 0;
	query_init(&q);
	query_add(&q, "UPDATE dues_payments SET unit_id = ? WHERE person_id = ? AND unit_id = ? AND paid_on >= ?",
		  QI(to_unit), QI(person_id), QI(m->unit.id), QD(m->valid_from));
	if (query_run(db, &q, e))
		return -1;
	if (back) {
		query_init(&q);
		query_add(&q, "DELETE FROM memberships WHERE id = ?", QI(before.id));
		if (query_run(db, &q, e))
			return -1;
		from = before.valid_from;
	}
	query_init(&q);
	query_add(&q, "UPDATE memberships SET unit_id = ?, valid_from = ?, start_reason = ? WHERE id = ?", QI(to_unit),
		  QD(from), QT(back ? before.start_reason : m->start_reason), QI(m->id));
	if (query_run(db, &q, e))
		return -1;
	return carry_on(db, who, person_id, to_unit, m->kind, from, e);
}

/* member_end_stay, keeping the pending transfer `except` (the one being
 * accepted) and cancelling her others: a stay that ends takes them with it. */
static int end_stay(db_t *db, const principal_t *who, int64_t person_id, date_t d, const char *reason,
		    int64_t to_unit, int64_t except, err_t *e)
{
	membership_t m = { 0 };
	bool own = false;
	query_t q;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = stay_on(db, person_id, d, &m, e);
	if (!r)
		r = check_can_end(&m, d, to_unit != 0, e);
	if (!r && to_unit)
		r = member_check_unit(db, to_unit, d, e);
	if (!r)
		r = member_tally_person(db, person_id, -1, e);
	/* audited before the next stay, which may be carried on to a merge's
	 * target at once (and audited as a transfer of its own) */
	if (!r)
		r = audit_stay(db, who, to_unit ? "member.transfer" : "member.leave", person_id, m.unit.id, d, reason,
			       to_unit, e);
	if (!r && m.valid_from == d) {
		r = move_whole(db, who, person_id, &m, to_unit, e);
	} else if (!r) {
		query_init(&q);
		query_add(&q, "UPDATE memberships SET valid_to = ?, end_reason = ? WHERE id = ?", QD(d), QT(reason),
			  QI(m.id));
		r = query_run(db, &q, e);
		if (!r && to_unit)
			r = insert_stay(db, who, person_id, to_unit, m.kind, d, "transferred", e);
	}
	if (!r)
		r = member_tally_person(db, person_id, 1, e);
	if (!r)
		r = member_cancel_transfers(db, who, person_id, except, d, reason, e);
	return store_tx_end(db, own, r, e);
}

int member_end_stay(db_t *db, const principal_t *who, int64_t person_id, date_t d, const char *reason,
		    int64_t to_unit, err_t *e)
{
	return end_stay(db, who, person_id, d, reason, to_unit, 0, e);
}

/* ---- transfers ---- */

void transfer_list_free(transfer_list_t *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

#define TRANSFER_COLS                                                                                  \
	"t.id, t.person_id, p.full_name, p.birth_date, t.from_unit, t.to_unit, t.date, t.status, t.note," \
	" t.reason, t.created_by, coalesce(t.decided_by, ''), t.decided_on"

static int read_transfer(db_t *db, db_stmt_t *st, transfer_t *t, err_t *e)
{
	memset(t, 0, sizeof(*t));
	t->id = db_col_int64(st, 0);
	t->person_id = db_col_int64(st, 1);
	copy_text(t->full_name, sizeof(t->full_name), db_col_text(st, 2));
	if (org_read_date(db, st, 3, &t->birth_date, e) || org_read_date(db, st, 6, &t->date, e))
		return -1;
	t->from.id = db_col_int64(st, 4);
	t->to.id = db_col_int64(st, 5);
	copy_text(t->status, sizeof(t->status), db_col_text(st, 7));
	copy_text(t->note, sizeof(t->note), db_col_text(st, 8));
	copy_text(t->reason, sizeof(t->reason), db_col_text(st, 9));
	copy_text(t->created_by, sizeof(t->created_by), db_col_text(st, 10));
	copy_text(t->decided_by, sizeof(t->decided_by), db_col_text(st, 11));
	if (!db_col_is_null(st, 12) && org_read_date(db, st, 12, &t->decided_on, e))
		return -1;
	return 0;
}

/* Names the two units of transfers[0..n) as of each one's date. */
static int name_transfer_units(db_t *db, transfer_t *v, size_t n, err_t *e)
{
	int64_t *ids = malloc((2 * n + 1) * sizeof(*ids));
	date_t *days = malloc((2 * n + 1) * sizeof(*days));
	unit_ref_t *refs = malloc((2 * n + 1) * sizeof(*refs));
	int r = -1;

	if (!ids || !days || !refs) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ids[2 * i] = v[i].from.id;
		ids[2 * i + 1] = v[i].to.id;
		days[2 * i] = days[2 * i + 1] = v[i].date;
	}
	if (n && org_unit_refs(db, ids, days, 2 * n, refs, e))
		goto out;
	for (size_t i = 0; i < n; i++) {
		v[i].from = refs[2 * i];
		v[i].to = refs[2 * i + 1];
	}
	r = 0;
out:
	free(ids);
	free(days);
	free(refs);
	return r;
}

int transfer_get(db_t *db, int64_t id, transfer_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	query_init(&q);
	query_add(&q, "SELECT " TRANSFER_COLS " FROM transfers t JOIN persons p ON p.id = t.person_id WHERE t.id = ?",
		  QI(id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		r = read_transfer(db, st, out, e);
	db_finalize(st);
	if (rc == DB_DONE) {
		char ref[24];
		snprintf(ref, sizeof(ref), "%lld", (long long)id);
		return err_fail(e, ERR_NOT_FOUND, "not_found", "no transfer with id {ref}", ERR_STR("ref", ref));
	}
	if (rc != DB_ROW)
		return store_fail(db, rc, e);
	return r ? -1 : name_transfer_units(db, out, 1, e);
}

int transfer_list(db_t *db, const principal_t *scope, bool incoming, const char *status, int limit,
		  transfer_list_t *out, err_t *e)
{
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc, r = 0;

	memset(out, 0, sizeof(*out));
	query_init(&q);
	query_sql(&q, "SELECT " TRANSFER_COLS " FROM transfers t JOIN persons p ON p.id = t.person_id WHERE 1 = 1");
	if (status)
		query_add(&q, " AND t.status = ?", QT(status));
	if (scope)
		scope_filter(&q, scope, incoming ? "t.to_unit" : "t.from_unit");
	query_add(&q, " ORDER BY t.id DESC LIMIT ?", QI(limit));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		void *v = store_grow(out->items, &cap, out->n, sizeof(*out->items), e);
		if (!v) {
			r = -1;
			break;
		}
		out->items = v;
		r = read_transfer(db, st, &out->items[out->n], e);
		if (!r)
			out->n++;
	}
	db_finalize(st);
	if (!r && rc < 0)
		r = store_fail(db, rc, e);
	if (!r)
		r = name_transfer_units(db, out->items, out->n, e);
	if (r)
		transfer_list_free(out);
	return r;
}


int transfer_create(db_t *db, const principal_t *who, int64_t person_id, date_t d, int64_t to_unit,
		    const char *note, int64_t *id, err_t *e)
{
	membership_t m = { 0 };
	int64_t pending = 0;
	bool own = false;
	char ts[32];
	query_t q;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = stay_on(db, person_id, d, &m, e);
	if (!r)
		r = check_can_end(&m, d, true, e);
	if (!r)
		r = member_check_unit(db, to_unit, d, e);
	if (!r) {
		query_init(&q);
		query_add(&q, "SELECT count(*) FROM transfers WHERE person_id = ? AND status = 'pending'", QI(person_id));
		r = org_query_int(db, &q, &pending, e);
	}
	if (!r && pending)
		r = err_fail(e, ERR_CONFLICT, "transfer_pending", "a transfer of hers awaits its answer already");
	if (!r) {
		store_now_iso(ts, sizeof(ts));
		query_init(&q);
		query_add(&q, "INSERT INTO transfers (person_id, from_unit, to_unit, date, status, note, created_by,"
			      " created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id",
			  QI(person_id), QI(m.unit.id), QI(to_unit), QD(d), QT(note ? note : ""), QT(who->username),
			  QT(ts));
		r = org_query_int(db, &q, id, e);
	}
	if (!r)
		r = audit_transfer(db, who, "transfer.create", m.unit.id, *id, note, e);
	return store_tx_end(db, own, r, e);
}

int transfer_decide(db_t *db, const principal_t *who, int64_t id, transfer_decision_t what, date_t d,
		    const char *reason, err_t *e)
{
	static const char *const STATUS[] = { "accepted", "refused", "cancelled" };
	static const char *const ACTION[] = { "transfer.accept", "transfer.refuse", "transfer.cancel" };
	transfer_t t = { 0 };
	bool own = false;
	char ts[32];
	query_t q;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = transfer_get(db, id, &t, e);
	if (!r && strcmp(t.status, "pending") != 0)
		r = err_fail(e, ERR_CONFLICT, "transfer_decided", "the transfer is {status} already",
			     ERR_STR("status", t.status));
	if (!r && what == TRANSFER_ACCEPT) {
		membership_t m = { 0 };
		/* she may have left, or moved, since it was issued */
		r = stay_on(db, t.person_id, d, &m, e);
		if (!r && m.unit.id != t.from.id)
			r = err_fail(e, ERR_CONFLICT, "not_a_member", "she is not a member of the sending unit on {date}",
				     ERR_DATE("date", d));
		if (!r)
			r = end_stay(db, who, t.person_id, d, "transferred", t.to.id, id, e);
	}
	if (!r) {
		store_now_iso(ts, sizeof(ts));
		query_init(&q);
		query_add(&q, "UPDATE transfers SET status = ?, reason = ?, decided_by = ?, decided_at = ?, decided_on = ?"
			      " WHERE id = ?",
			  QT(STATUS[what]), QT(reason ? reason : ""), QT(who->username), QT(ts), QD(d), QI(id));
		r = query_run(db, &q, e);
	}
	if (!r)
		r = audit_transfer(db, who, ACTION[what], what == TRANSFER_CANCEL ? t.from.id : t.to.id, id, reason, e);
	return store_tx_end(db, own, r, e);
}

/* ---- corrections ---- */

/* The names of the fields of a and b that differ, comma-separated. */
void member_changed_fields(const person_t *a, const person_t *b, char *out, size_t cap)
{
	struct { const char *name; bool differs; } f[] = {
		{ "full_name", strcmp(a->full_name, b->full_name) != 0 },
		{ "birth_date", a->birth_date != b->birth_date },
		{ "sex", a->sex != b->sex },
		{ "ethnicity", strcmp(a->ethnicity, b->ethnicity) != 0 },
		{ "religion", strcmp(a->religion, b->religion) != 0 },
		{ "education", strcmp(a->education, b->education) != 0 },
		{ "qualification", strcmp(a->qualification, b->qualification) != 0 },
		{ "political_theory", strcmp(a->political_theory, b->political_theory) != 0 },
		{ "occupation", strcmp(a->occupation, b->occupation) != 0 },
		{ "id_number", strcmp(a->id_number, b->id_number) != 0 },
		{ "phone", strcmp(a->phone, b->phone) != 0 },
		{ "hamlet", strcmp(a->hamlet, b->hamlet) != 0 },
		{ "street", strcmp(a->street, b->street) != 0 },
		{ "circumstances", strcmp(a->circumstances, b->circumstances) != 0 },
		{ "digital", a->digital != b->digital },
		{ "party_member", a->party_member != b->party_member },
		{ "notes", strcmp(a->notes, b->notes) != 0 },
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].differs && len + strlen(f[i].name) + 3 < cap)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "", f[i].name);
}

static int replace_words(db_t *db, int64_t id, const char *fold, const char *key, err_t *e)
{
	query_t q;

	query_init(&q);
	query_add(&q, "DELETE FROM person_words WHERE person_id = ?", QI(id));
	return query_run(db, &q, e) || insert_words(db, id, fold, key, e) ? -1 : 0;
}

static int update_member(db_t *db, const principal_t *who, const person_t *p, const member_origin_t *origin,
			 char *changed, size_t cap, err_t *e)
{
	char *fold = NULL, *key = NULL, ts[32], rid[24];
	member_t before;
	bool own = false;
	query_t q;
	int r;

	if (text_fold(p->full_name, &fold) || person_sort_key(p->full_name, &key)) {
		free(fold);
		free(key);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	r = store_tx_begin(db, &own, e);
	if (!r)
		r = member_get(db, p->id, who->today, &before, e);
	if (!r)
		member_changed_fields(&before.p, p, changed, cap);
	if (!r && origin && !changed[0]) {
		/* the file says what the record says */
		free(fold);
		free(key);
		return store_tx_end(db, own, 0, e);
	}
	if (!r && p->ethnicity[0])
		r = check_ethnicity(db, p->ethnicity, e);
	if (!r && p->id_number[0])
		r = check_id_free(db, p->id_number, p->id, e);
	if (!r)
		r = member_tally_person(db, p->id, -1, e);
	if (!r) {
		store_now_iso(ts, sizeof(ts));
		query_init(&q);
		query_add(&q, "UPDATE persons SET full_name = ?, name_fold = ?, name_key = ?, birth_date = ?, sex = ?,"
			      " ethnicity = ?, religion = ?, education = ?, qualification = ?, political_theory = ?,"
			      " occupation = ?, id_number = ?, id_kind = ?, phone = ?, hamlet = ?, street = ?,"
			      " circumstances = ?, digital = ?, party_member = ?, notes = ?, updated_at = ? WHERE id = ?",
			  QT(p->full_name), QT(fold), QT(key), QD(p->birth_date), QT(person_sex_name(p->sex)),
			  QT(p->ethnicity[0] ? p->ethnicity : NULL), QT(p->religion), QT(p->education),
			  QT(p->qualification), QT(p->political_theory), QT(p->occupation),
			  QT(p->id_number[0] ? p->id_number : NULL), QT(person_id_kind_name(p->id_kind)),
			  QT(p->phone[0] ? p->phone : NULL), QT(p->hamlet), QT(p->street), QT(p->circumstances),
			  QI(p->digital), QI(p->party_member), QT(p->notes), QT(ts), QI(p->id));
		r = query_run(db, &q, e);
	}
	if (!r)
		r = replace_words(db, p->id, fold, key, e);
	/* after her words: the kept search rows are made from them */
	if (!r)
		r = member_tally_person(db, p->id, 1, e);
	if (!r && origin)
		r = record_origin(db, p->id, origin, "updated", changed, e);
	else if (!r) {
		snprintf(rid, sizeof(rid), "%lld", (long long)p->id);
		r = audit_write(db, who, "member.update", before.current ? before.m.unit.id : 0, "member", rid, NULL, NULL,
				changed, e);
	}
	free(fold);
	free(key);
	return store_tx_end(db, own, r, e);
}

int member_update(db_t *db, const principal_t *who, const person_t *p, err_t *e)
{
	char changed[512];
	return update_member(db, who, p, NULL, changed, sizeof(changed), e);
}

int member_update_imported(db_t *db, const principal_t *who, const person_t *p, const member_origin_t *origin,
			   char *changed, size_t cap, err_t *e)
{
	return update_member(db, who, p, origin, changed, cap, e);
}

/* ---- probable duplicates ---- */

/* The ancestor of unit_id on d one level above the two lowest (its
 * commune, with the default levels); 0 when there is none. */
static int commune_of(db_t *db, int64_t unit_id, date_t d, int64_t *out, err_t *e)
{
	query_t q;

	*out = 0;
	query_init(&q);
	query_add(&q, "SELECT coalesce(max(a.ancestor), 0) FROM ancestry a JOIN units u ON u.id = a.ancestor"
		      " JOIN levels l ON l.key = u.level WHERE a.descendant = ? AND a.valid_from <= ? AND a.valid_to > ?"
		      " AND (SELECT count(*) FROM levels b WHERE b.rank > l.rank) = 2",
		  QI(unit_id), QD(d), QD(d));
	return org_query_int(db, &q, out, e);
}

int member_duplicates(db_t *db, const person_t *p, int64_t unit_id, date_t d, member_t *out, size_t cap, size_t *n,
		      err_t *e)
{
	int64_t commune = 0;
	char *fold = NULL;
	db_stmt_t *st = NULL;
	query_t q;
	int rc = DB_DONE, r;

	*n = 0;
	if (text_fold(p->full_name, &fold))
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	r = commune_of(db, unit_id, d, &commune, e);
	if (r) {
		free(fold);
		return -1;
	}
	query_init(&q);
	query_add(&q, "SELECT " PERSON_COLS ", " STAY_COLS " FROM persons p JOIN memberships m ON m.person_id = p.id"
		      " AND m.valid_from <= ? AND m.valid_to > ? WHERE p.erased = 0 AND p.id <> ? AND (",
		  QD(d), QD(d), QI(p->id));
	query_add(&q, "(p.name_fold = ? AND p.birth_date = ? AND m.unit_id IN (SELECT a.descendant FROM ancestry a"
		      " WHERE a.ancestor = ? AND a.valid_from <= ? AND a.valid_to > ?))",
		  QT(fold), QD(p->birth_date), QI(commune), QD(d), QD(d));
	query_add(&q, " OR p.phone = ?) ORDER BY p.id LIMIT ?", QT(p->phone[0] ? p->phone : NULL), QI((int64_t)cap));
	r = query_prepare(db, &q, &st, e);
	while (!r && (rc = db_step(st)) == DB_ROW && *n < cap) {
		member_t *m = &out[*n];
		memset(m, 0, sizeof(*m));
		m->current = true;
		r = read_person(db, st, &m->p, e);
		if (!r)
			r = read_stay(db, st, PERSON_NCOLS, &m->m, e);
		if (!r)
			(*n)++;
	}
	if (!r && st && rc < 0)
		r = store_fail(db, rc, e);
	db_finalize(st);
	free(fold);
	if (!r && *n)
		r = name_stays(db, &out[0].m, *n, sizeof(member_t), d, e);
	return r;
}

/* ---- dues ---- */

int dues_rate_set(db_t *db, const principal_t *who, int64_t unit_id, int year, int64_t amount, err_t *e)
{
	char rid[48], detail[64];
	bool own = false;
	query_t q;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	query_init(&q);
	query_add(&q, "DELETE FROM dues_rates WHERE unit_id = ? AND year = ?", QI(unit_id), QI(year));
	r = query_run(db, &q, e);
	if (!r) {
		query_init(&q);
		query_add(&q, "INSERT INTO dues_rates (unit_id, year, amount) VALUES (?, ?, ?)", QI(unit_id), QI(year),
			  QI(amount));
		r = query_run(db, &q, e);
	}
	if (!r) {
		snprintf(rid, sizeof(rid), "%lld/%d", (long long)unit_id, year);
		snprintf(detail, sizeof(detail), "%lld", (long long)amount);
		r = audit_write(db, who, "dues.rate", unit_id, "dues", rid, NULL, NULL, detail, e);
	}
	return store_tx_end(db, own, r, e);
}

int dues_rate_get(db_t *db, int64_t unit_id, int year, date_t d, int64_t *amount, int64_t *from_unit, bool *found,
		  err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc;

	*found = false;
	*amount = 0;
	*from_unit = 0;
	query_init(&q);
	query_add(&q, "SELECT r.amount, r.unit_id FROM dues_rates r JOIN ancestry a ON a.ancestor = r.unit_id"
		      " AND a.descendant = ?",
		  QI(unit_id));
	query_add_dates(&q, " AND a.valid_from <= ? AND a.valid_to > ?", d);
	query_add(&q, " WHERE r.year = ? ORDER BY a.depth LIMIT 1", QI(year));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*amount = db_col_int64(st, 0);
		*from_unit = db_col_int64(st, 1);
		*found = true;
	}
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : store_fail(db, rc, e);
}

int dues_pay(db_t *db, const principal_t *who, int64_t person_id, int year, int64_t amount, date_t paid_on,
	     err_t *e)
{
	membership_t m = { 0 };
	int64_t paid = 0, from = 0;
	char ts[32], rid[48], detail[64];
	bool own = false, found = false;
	query_t q;
	int r;

	if (store_tx_begin(db, &own, e))
		return -1;
	r = stay_on(db, person_id, paid_on, &m, e);
	if (!r) {
		query_init(&q);
		query_add(&q, "SELECT count(*) FROM dues_payments WHERE person_id = ? AND year = ?", QI(person_id),
			  QI(year));
		r = org_query_int(db, &q, &paid, e);
	}
	if (!r && paid)
		r = err_fail(e, ERR_CONFLICT, "dues_paid", "her dues for {year} are paid already", ERR_INT("year", year));
	if (!r && amount < 0) {
		r = dues_rate_get(db, m.unit.id, year, paid_on, &amount, &from, &found, e);
		if (!r && !found) {
			err_field(e, "amount", "no_rate", "no dues are set for {year}: give the amount", ERR_INT("year", year));
			r = err_fail(e, ERR_INVALID, "invalid", "no dues are set for that year");
		}
	}
	if (!r)
		r = member_tally_person(db, person_id, -1, e);
	if (!r) {
		store_now_iso(ts, sizeof(ts));
		query_init(&q);
		query_add(&q, "INSERT INTO dues_payments (person_id, year, unit_id, amount, paid_on, recorded_by, recorded_at)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?)",
			  QI(person_id), QI(year), QI(m.unit.id), QI(amount), QD(paid_on), QT(who->username), QT(ts));
		r = query_run(db, &q, e);
	}
	if (!r)
		r = member_tally_person(db, person_id, 1, e);
	if (!r) {
		snprintf(rid, sizeof(rid), "%lld", (long long)person_id);
		snprintf(detail, sizeof(detail), "%d: %lld", year, (long long)amount);
		r = audit_write(db, who, "dues.pay", m.unit.id, "member", rid, NULL, NULL, detail, e);
	}
	return store_tx_end(db, own, r, e);
}

int dues_list(db_t *db, int64_t person_id, dues_payment_t **out, size_t *n, err_t *e)
{
	membership_t *stays = NULL;
	db_stmt_t *st = NULL;
	size_t cap = 0;
	query_t q;
	int rc = DB_DONE, r = 0;

	*out = NULL;
	*n = 0;
	query_init(&q);
	query_add(&q, "SELECT year, amount, paid_on, unit_id FROM dues_payments WHERE person_id = ? ORDER BY year DESC",
		  QI(person_id));
	if (query_prepare(db, &q, &st, e))
		return -1;
	while (!r && (rc = db_step(st)) == DB_ROW) {
		void *v = store_grow(*out, &cap, *n, sizeof(**out), e);
		if (!v) {
			r = -1;
			break;
		}
		*out = v;
		memset(&(*out)[*n], 0, sizeof(**out));
		(*out)[*n].year = (int)db_col_int64(st, 0);
		(*out)[*n].amount = db_col_int64(st, 1);
		r = org_read_date(db, st, 2, &(*out)[*n].paid_on, e);
		(*out)[*n].unit.id = db_col_int64(st, 3);
		if (!r)
			(*n)++;
	}
	db_finalize(st);
	if (!r && rc < 0)
		r = store_fail(db, rc, e);
	if (!r && *n) {
		/* name each unit as of the day she paid there */
		stays = calloc(*n, sizeof(*stays));
		if (!stays) {
			err_set(e, ERR_INTERNAL, NULL, "out of memory");
			r = -1;
		} else {
			for (size_t i = 0; i < *n; i++) {
				stays[i].unit.id = (*out)[i].unit.id;
				stays[i].valid_from = (*out)[i].paid_on;
			}
			r = name_stays(db, stays, *n, sizeof(*stays), 0, e);
			for (size_t i = 0; !r && i < *n; i++)
				(*out)[i].unit = stays[i].unit;
			free(stays);
		}
	}
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}
