/*
 * gen_members.c - synthetic members (see gen_members.h).
 */
#include "io/gen_members.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/person.h"
#include "io/rng.h"
#include "store/members.h"
#include "store/member_load.h"
#include "store/org_store.h"
#include "store/util.h"

#define HISTORY_YEARS 10
/* A union has members on the first day of any window: this share joined
 * before the last ten years, within the twenty before today. */
#define STANDING_SHARE 0.35
#define STANDING_YEARS 20

typedef struct weighted {
	const char *text;
	int weight; /* per thousand */
} weighted_t;

/* Family names and their shares (per thousand) of the population, as
 * commonly cited from the 2005 naming studies (Lê Trung Hoa, "Họ và tên
 * người Việt Nam"): Nguyễn 38.4%, Trần 12.1%, Lê 9.5%, ... */
static const weighted_t FAMILY[] = {
	{ "Nguyễn", 384 }, { "Trần", 121 }, { "Lê", 95 }, { "Phạm", 70 }, { "Hoàng", 51 }, { "Phan", 45 },
	{ "Vũ", 39 },      { "Đặng", 21 },  { "Bùi", 20 }, { "Đỗ", 14 },   { "Hồ", 13 },    { "Ngô", 13 },
	{ "Dương", 10 },   { "Lý", 5 },     { "Đào", 20 }, { "Đinh", 20 }, { "Mai", 10 },   { "Trịnh", 10 },
	{ "Lương", 10 },   { "Tạ", 9 },
};

static const weighted_t MIDDLE[] = {
	{ "Thị", 700 }, { "Ngọc", 60 }, { "Thu", 50 }, { "Thanh", 50 }, { "Minh", 30 },
	{ "Kim", 30 },  { "Hồng", 30 }, { "Thúy", 20 }, { "Bích", 20 }, { "Phương", 10 },
};

static const char *const GIVEN[] = {
	"Hoa", "Lan", "Hương", "Mai", "Hạnh", "Thảo", "Trang", "Linh", "Ngọc", "Phương", "Hằng", "Thủy",
	"Yến", "Nga", "Huyền", "Dung", "Hiền", "Loan", "Nhung", "Vân", "Anh", "Châu", "Oanh", "Tuyết",
	"Xuân", "Hồng", "Quyên", "Diệp", "Liên", "Thơm", "Hậu", "Gấm", "Nhàn", "Tâm", "Thắm", "Ánh",
	"Cúc", "Đào", "Hải", "Hòa", "Huệ", "Lệ", "Lụa", "Mơ", "Na", "Ngân", "Nhi", "Quế", "Sen", "Thoa",
};

static const char *const MEN_GIVEN[] = { "Hùng", "Dũng", "Minh", "Tuấn", "Nam", "Sơn", "Quang", "Thắng" };
static const char *const MEN_MIDDLE[] = { "Văn", "Đức", "Minh", "Quang", "Hữu" };

/* Ethnic groups of the northern midlands, where the demo's provinces lie
 * (codes of data/ethnic-groups.csv), per thousand. */
static const weighted_t ETHNICITY[] = {
	{ "01", 930 }, { "07", 20 }, { "02", 15 }, { "18", 12 }, { "15", 8 }, { "04", 5 },
	{ "06", 5 },   { "09", 5 },
};

static const weighted_t LEAVING[] = {
	{ "moved_away", 400 }, { "married_away", 250 }, { "left", 250 }, { "died", 100 },
};

static const char *const OCCUPATIONS[] = {
	"Nông dân", "Công nhân", "Buôn bán", "Giáo viên", "Cán bộ, công chức", "Nội trợ", "Hưu trí", "Học sinh, sinh viên",
};

/* The provinces the demo's members were mostly born in (CCCD codes: 0 + the
 * code of data/provinces-63.csv): Hà Nội, Bắc Giang, Bắc Ninh. */
static const char *const BIRTH_PROVINCES[] = { "01", "24", "27" };
static const char *const OTHER_PROVINCES[] = { "22", "25", "26", "30", "31", "33", "34", "35", "36", "37", "38", "40" };

static const char *pick(rng_t *r, const weighted_t *v, size_t n)
{
	int total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += v[i].weight;
	x = (int)rng_below(r, (size_t)total);
	for (size_t i = 0; i < n; i++) {
		if (x < v[i].weight)
			return v[i].text;
		x -= v[i].weight;
	}
	return v[0].text;
}

#define PICK(r, v) pick((r), (v), sizeof(v) / sizeof((v)[0]))
#define ONE_OF(r, v) ((v)[rng_below((r), sizeof(v) / sizeof((v)[0]))])

/* A branch or group that members join. */
typedef struct slot {
	int64_t id;
	date_t from; /* the unit's first day */
} slot_t;

typedef struct slots {
	slot_t *v;
	size_t n, cap;
} slots_t;

static int slots_add(slots_t *s, int64_t id, date_t from, err_t *e)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		slot_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		memset(v + s->cap, 0, (cap - s->cap) * sizeof(*v));
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].id = id;
	s->v[s->n].from = from;
	s->n++;
	return 0;
}

/* The years whose dues members pay: year[k] from start[k] until
 * start[k + 1], amount[k] VND; n of them (0: no top unit to set them at). */
typedef struct dues_years {
	int year[HISTORY_YEARS];
	date_t start[HISTORY_YEARS + 1];
	int64_t amount[HISTORY_YEARS];
	int n;
} dues_years_t;

/* The next serial number of each beginning of an ID number: province
 * code (two digits here), century and sex, year of birth. */
#define ID_PROVINCES 100
typedef struct id_serials {
	unsigned next[ID_PROVINCES * 4 * 100];
	bool known[ID_PROVINCES * 4 * 100]; /* next read from the records */
} id_serials_t;

/* The units of the two lowest levels on day d that go on, in the order
 * of their codes: a branch, then its groups, then the next branch; a
 * commune's branches mostly one after the other (a branch moved to
 * another commune keeps its code). */
static int load_slots(db_t *db, date_t d, slots_t *s, err_t *e)
{
	level_t *levels = NULL;
	size_t n_levels = 0, lowest = 0;
	const char *keys[2];
	unit_start_t *v = NULL;
	size_t n = 0;
	int r;

	if (org_levels(db, &levels, &n_levels, e))
		return -1;
	for (size_t k = n_levels >= 2 ? n_levels - 2 : 0; k < n_levels; k++)
		keys[lowest++] = levels[k].key;
	r = lowest ? org_units_lasting(db, keys, lowest, d, &v, &n, e) : 0;
	for (size_t i = 0; !r && i < n; i++)
		r = slots_add(s, v[i].id, v[i].from, e);
	free(v);
	free(levels);
	return r;
}

/* How many of count members each of the n slots gets: each member's slot
 * drawn at random (a generator of its own, from the seed): the same
 * distribution as drawing each member's slot in turn, not the same draws.
 * *out is the caller's to free. Returns 0 or -1 with e. */
static int slot_counts(uint64_t seed, size_t count, size_t n, size_t **out, err_t *e)
{
	rng_t r = { seed ^ 0x5DEECE66DULL };
	size_t *c = calloc(n, sizeof(*c));

	if (!c) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++)
		c[rng_below(&r, n)]++;
	*out = c;
	return 0;
}

/* A day in [from, to) (to > from). */
static date_t day_between(rng_t *r, date_t from, date_t to)
{
	return from + (date_t)rng_below(r, (size_t)(to - from));
}

static date_t years_before(date_t d, int years, rng_t *r)
{
	/* whole years of 365.25 days, then a day within the year before */
	return d - (date_t)(years * 36525 / 100) - (date_t)rng_below(r, 365);
}

/* Person i's record, joining on *joined; her kind into *kind, the
 * province code of her ID number into prov and her year of birth into
 * *year (id_number makes the number). */
static void make_person(rng_t *r, size_t i, date_t joined, person_t *p, member_kind_t *kind, char prov_out[4],
			int *year_out)
{
	/* one draw after the other in statements of their own: the order in
	 * which a call's arguments, or an operator's operands, are evaluated
	 * is the compiler's, and differed between our two builds */
	bool honorary = rng_chance(r, 0.01), man = honorary && rng_chance(r, 0.5);
	int early = (int)rng_below(r, 30), late = (int)rng_below(r, 25);
	int age = 18 + early + late; /* 18..71, most in their thirties and forties */
	const char *prov = rng_chance(r, 0.9) ? ONE_OF(r, BIRTH_PROVINCES) : ONE_OF(r, OTHER_PROVINCES);
	const char *given, *middle, *family;
	int mobile;
	char born[DATE_STR_LEN];

	memset(p, 0, sizeof(*p));
	*kind = honorary ? MEMBER_HONORARY : MEMBER_REGULAR;
	p->sex = man ? SEX_MALE : SEX_FEMALE;
	p->birth_date = years_before(joined, age, r);
	if (person_age(p->birth_date, joined) < MEMBER_MIN_AGE)
		p->birth_date -= 366;
	given = man ? ONE_OF(r, MEN_GIVEN) : ONE_OF(r, GIVEN);
	middle = man ? ONE_OF(r, MEN_MIDDLE) : PICK(r, MIDDLE);
	family = PICK(r, FAMILY);
	snprintf(p->full_name, sizeof(p->full_name), "%s %s %s", family, middle, given);
	snprintf(p->ethnicity, sizeof(p->ethnicity), "%s", PICK(r, ETHNICITY));
	*year_out = (int)strtol(date_format(p->birth_date, born), NULL, 10);
	ub_strlcpy(prov_out, prov, 4);
	if (rng_chance(r, 0.8)) {
		mobile = "35789"[rng_below(r, 5)] - '0';
		snprintf(p->phone, sizeof(p->phone), "+84%d%08zu", mobile, (i * 7919 + 13) % 100000000);
	}
	snprintf(p->occupation, sizeof(p->occupation), "%s", ONE_OF(r, OCCUPATIONS));
	p->digital = rng_chance(r, 0.45);
	p->party_member = rng_chance(r, 0.08);
}

/* The fields of the union's forms that the figures break down (religion,
 * education, circumstances), in rough national proportions, some written
 * in lower case as people type them. Drawn from a generator of their own
 * (seeded by the seed and her index), so that adding them changed nothing
 * else the generator makes from the same seed. */
static const weighted_t RELIGION[] = {
	{ "", 300 }, { "Không", 560 }, { "Phật giáo", 80 }, { "Công giáo", 40 }, { "Tin Lành", 10 },
	{ "Cao Đài", 5 }, { "Hòa Hảo", 5 },
};

static const weighted_t EDUCATION[] = {
	{ "", 150 },        { "Tiểu học", 100 }, { "Trung học cơ sở", 250 }, { "Trung học phổ thông", 250 },
	{ "Trung cấp", 80 }, { "Cao đẳng", 50 },  { "Đại học", 100 },         { "đại học", 10 },
	{ "Sau đại học", 10 },
};

static void forms_fields(uint64_t seed, size_t i, person_t *p)
{
	static const struct {
		const char *word;
		double chance;
	} CIRCUMSTANCES[] = {
		{ "poor", 0.05 }, { "near_poor", 0.06 }, { "disabled", 0.02 }, { "single_mother", 0.03 },
		{ "migrant_worker", 0.04 },
	};
	rng_t r = { seed ^ ((uint64_t)(i + 1) * 0xD1B54A32D192ED03ULL) };
	size_t n = 0;

	snprintf(p->religion, sizeof(p->religion), "%s", PICK(&r, RELIGION));
	snprintf(p->education, sizeof(p->education), "%s", PICK(&r, EDUCATION));
	for (size_t k = 0; k < sizeof(CIRCUMSTANCES) / sizeof(CIRCUMSTANCES[0]); k++)
		if (rng_chance(&r, CIRCUMSTANCES[k].chance))
			n += (size_t)snprintf(p->circumstances + n, sizeof(p->circumstances) - n, "%s%s", n ? " " : "",
					      CIRCUMSTANCES[k].word);
}

/* Her later history: she may leave, or move to another branch. The same
 * seed, count and tree make the same people and moves. */
static void later_history(rng_t *r, const slots_t *s, load_member_t *m, date_t today, gen_members_result_t *out)
{
	load_stay_t *first = &m->stays[0];
	date_t when;

	if (today - first->from < 60)
		return;
	when = day_between(r, first->from + 30, today);
	if (rng_chance(r, 0.08)) {
		out->left++;
		first->to = when;
		ub_strlcpy(first->end_reason, PICK(r, LEAVING), sizeof(first->end_reason));
		return;
	}
	if (rng_chance(r, 0.05)) {
		const slot_t *to = &s->v[rng_below(r, s->n)];
		if (to->from >= when || to->id == first->unit_id)
			return; /* no unit yet, or her own: she stays */
		out->moved++;
		first->to = when;
		ub_strlcpy(first->end_reason, "transferred", sizeof(first->end_reason));
		m->stays[1] = (load_stay_t){ .unit_id = to->id, .from = when, .to = DATE_OPEN };
		ub_strlcpy(m->stays[1].start_reason, "transferred", sizeof(m->stays[1].start_reason));
		m->n_stays = 2;
	}
}

/* The dues of the ten years: for each year in which she was a member
 * until today, most likely paid on a day of it in the unit she was in
 * then (less likely this year, which is not over). Drawn from a generator
 * of her own, as forms_fields. */
static void pay_dues(const dues_years_t *y, uint64_t seed, size_t i, date_t today, load_member_t *m,
		     gen_members_result_t *out)
{
	rng_t r = { seed ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL) };

	m->n_pay = 0;
	for (int k = 0; k < y->n && m->n_pay < LOAD_PAYMENTS_MAX; k++) {
		date_t from = y->start[k], to = y->start[k + 1] < today ? y->start[k + 1] : today;
		for (size_t j = 0; j < m->n_stays; j++) {
			const load_stay_t *st = &m->stays[j];
			date_t a = st->from > from ? st->from : from, b = st->to < to ? st->to : to;
			if (a >= b)
				continue;
			if (rng_chance(&r, y->start[k + 1] > today ? 0.6 : 0.9)) {
				m->pay[m->n_pay++] = (load_payment_t){ .year = y->year[k],
								       .unit_id = st->unit_id,
								       .amount = y->amount[k],
								       .paid_on = day_between(&r, a, b) };
				out->payments++;
			}
			break;
		}
	}
}

/* A CCCD that fits her (core/person.h): birth province, century and sex,
 * year, then the next serial number of that beginning, after those on
 * record (so that a second run, or the demo's members, collide with
 * nothing). Returns 0 or -1 with e. */
static int id_number(db_t *db, id_serials_t *ids, const char *prov, person_t *p, int year, err_t *e)
{
	int cs = (year >= 2000 ? 2 : 0) + (p->sex == SEX_FEMALE ? 1 : 0);
	size_t k = ((size_t)strtol(prov, NULL, 10) % ID_PROVINCES * 4 + (size_t)cs) * 100 + (size_t)(year % 100);
	char prefix[PERSON_ID_BUF], last[PERSON_ID_BUF];
	bool found = false;

	snprintf(prefix, sizeof(prefix), "0%s%d%02d", prov, cs, year % 100);
	if (!ids->known[k]) {
		if (member_id_number_last(db, prefix, last, &found, e))
			return -1;
		ids->next[k] = found ? (unsigned)strtoul(last + strlen(prefix), NULL, 10) + 1 : 0;
		ids->known[k] = true;
	}
	if (ids->next[k] > 999999)
		return err_fail(e, ERR_INVALID, "invalid", "no ID number is left for those born in {year} in province {code}",
				ERR_INT("year", year), ERR_STR("code", prov));
	snprintf(p->id_number, sizeof(p->id_number), "%s%06u", prefix, ids->next[k]++);
	p->id_kind = ID_CCCD;
	return 0;
}

/* What every member is made from, and what the run counts. */
typedef struct gen_run {
	db_t *db;
	rng_t r;
	id_serials_t *ids;
	const gen_members_opts_t *o;
	const slots_t *s;
	const dues_years_t *y;
	gen_members_result_t *out;
} gen_run_t;

/* Member i, joining slot u (on a day of its life), into m; 1 when the
 * slot gets nobody (a unit made yesterday). Returns 0, 1 or -1 with e. */
static int make_member(gen_run_t *g, const slot_t *u, size_t i, load_member_t *m, err_t *e)
{
	const gen_members_opts_t *o = g->o;
	rng_t *r = &g->r;
	date_t start = o->today - HISTORY_YEARS * 365, earliest = o->today - STANDING_YEARS * 365;
	date_t from = u->from > start ? u->from : start, long_ago = u->from > earliest ? u->from : earliest;
	date_t joined;
	char prov[4];
	int year;

	if (long_ago + 1 < start && rng_chance(r, STANDING_SHARE)) {
		joined = day_between(r, long_ago + 1, start);
	} else {
		if (from >= o->today - 1)
			return 1;
		joined = day_between(r, from + 1, o->today);
	}
	make_person(r, i, joined, &m->p, &m->kind, prov, &year);
	if (id_number(g->db, g->ids, prov, &m->p, year, e))
		return -1;
	forms_fields(o->seed, i, &m->p);
	m->stays[0] = (load_stay_t){ .unit_id = u->id, .from = joined, .to = DATE_OPEN };
	ub_strlcpy(m->stays[0].start_reason, "joined", sizeof(m->stays[0].start_reason));
	m->n_stays = 1;
	later_history(r, g->s, m, o->today, g->out);
	pay_dues(g->y, o->seed, i, o->today, m, g->out);
	return 0;
}

/* The members, written slot by slot: a unit's members have neighbouring
 * ids, as when each branch's list is imported in turn (the way a union
 * takes the registry up), and a unit's figures read far fewer pages of
 * the persons: a commune's members at 20,000,000 lie in about a ninth as
 * many runs of 16 ids (1,333 against 11,722 for commune 04384, drawn in id
 * order; docs/architecture.md, "Where a unit's records lie"). */
static int add_all(db_t *l_db, member_load_t *l, const gen_members_opts_t *o, const slots_t *s, const dues_years_t *y,
		   gen_members_result_t *out, err_t *e)
{
	gen_run_t g = { .db = l_db, .r = { o->seed }, .o = o, .s = s, .y = y, .out = out };
	load_member_t *m;
	size_t *counts = NULL, i = 0;
	int rc = 0;

	if (!s->v || !s->n)
		return 0;
	if (slot_counts(o->seed, o->count, s->n, &counts, e))
		return -1;
	g.ids = calloc(1, sizeof(*g.ids));
	m = calloc(1, sizeof(*m));
	if (!g.ids || !m) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		rc = -1;
	}
	for (size_t k = 0; !rc && k < s->n; k++) {
		for (size_t c = 0; !rc && c < counts[k]; c++, i++) {
			rc = make_member(&g, &s->v[k], i, m, e);
			if (rc == 1) {
				rc = 0;
				continue;
			}
			if (!rc)
				rc = member_load_add(l, m, e);
			if (!rc)
				out->members++;
			if (o->progress && i % 10000 == 0)
				o->progress(o->progress_ctx, "members", i, o->count);
		}
	}
	free(counts);
	free(g.ids);
	free(m);
	return rc;
}

/* The top unit on today (the dues' rates are set there). */
static int top_unit(db_t *db, date_t today, int64_t *id, err_t *e)
{
	level_t *levels = NULL;
	size_t n_levels = 0;
	unit_list_t l = { 0 };
	int r;

	*id = 0;
	if (org_levels(db, &levels, &n_levels, e))
		return -1;
	r = n_levels ? 0 : err_set(e, ERR_INTERNAL, NULL, "no levels");
	if (!r) {
		unit_query_t q = { .as_of = today, .level = levels[0].key, .limit = 1, .cursor = "" };
		r = org_units_list(db, &q, &l, e);
	}
	if (!r && l.n)
		*id = l.items[0].id;
	unit_list_free(&l);
	free(levels);
	return r;
}

/* The ten years' dues at the top: those set, or GEN_DUES_A_YEAR set now. */
static int dues_years(db_t *db, const principal_t *who, date_t today, dues_years_t *y, err_t *e)
{
	int64_t top = 0, amount = 0, from = 0;
	char day[DATE_STR_LEN];
	date_t d = date_year_start(today);
	int this_year;

	memset(y, 0, sizeof(*y));
	this_year = (int)strtol(date_format(today, day), NULL, 10);
	if (top_unit(db, today, &top, e))
		return -1;
	for (int k = 1; k < HISTORY_YEARS; k++)
		d = date_year_start(d - 1);
	for (int k = 0; k < HISTORY_YEARS; k++) {
		bool found = false;
		y->year[k] = this_year - HISTORY_YEARS + 1 + k;
		y->start[k] = d;
		d = date_year_start(d + 366);
		if (top && dues_rate_get(db, top, y->year[k], today, &amount, &from, &found, e))
			return -1;
		if (top && !found) {
			amount = GEN_DUES_A_YEAR;
			if (dues_rate_set(db, who, top, y->year[k], amount, e))
				return -1;
		}
		y->amount[k] = top ? amount : 0;
	}
	y->start[HISTORY_YEARS] = d;
	y->n = top ? HISTORY_YEARS : 0;
	return 0;
}

static void load_phase(const void *ctx, const char *phase)
{
	const gen_members_opts_t *o = ctx;

	if (o->progress)
		o->progress(o->progress_ctx, phase, 0, 0);
}

int gen_members(db_t *db, const principal_t *who, const gen_members_opts_t *o, gen_members_result_t *out,
		err_t *e)
{
	slots_t s = { 0 };
	dues_years_t y;
	member_load_t *l = NULL;
	bool own = false, journal = false;
	char what[128];
	int r;

	memset(out, 0, sizeof(*out));
	if (o->count < 1 || o->count > GEN_MEMBERS_MAX)
		return err_fail(e, ERR_INVALID, "invalid", "the number of members must be 1..{max}",
				ERR_INT("max", (int64_t)GEN_MEMBERS_MAX));
	/* a load of many pages: the rollback journal holds only the pages it
	 * changes of those the file had, the log would hold all it writes */
	if (!db_in_transaction(db)) {
		journal = true;
		if (member_load_mode(db, true, e)) {
			err_t e2;
			err_clear(&e2);
			member_load_mode(db, false, &e2); /* the failure said is the first */
			return -1;
		}
	}
	r = store_tx_begin(db, &own, e);
	if (!r)
		r = load_slots(db, o->today, &s, e);
	if (!r && s.n == 0)
		r = err_fail(e, ERR_INVALID, "invalid", "no branch or group exists on {date} to add members to",
			     ERR_DATE("date", o->today));
	if (!r)
		r = dues_years(db, who, o->today, &y, e) || member_load_begin(db, who, &l, e);
	if (!r) {
		out->units = s.n;
		member_load_on_phase(l, load_phase, o);
		r = add_all(db, l, o, &s, &y, out, e);
	}
	if (!r) {
		snprintf(what, sizeof(what), "%zu members, %zu left, %zu moved, %zu dues payments", out->members, out->left,
			 out->moved, out->payments);
		r = member_load_end(l, what, e);
	}
	member_load_free(l);
	free(s.v);
	r = store_tx_end(db, own, r, e);
	if (journal) {
		err_t e2;
		err_clear(&e2);
		if (member_load_mode(db, false, r ? &e2 : e))
			r = -1;
	}
	return r;
}
