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
#include "store/member_tally.h"
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

static int slots_add(slots_t *s, const unit_t *u, err_t *e)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		slot_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].id = u->id;
	s->v[s->n].from = u->valid_from;
	s->n++;
	return 0;
}

/* The units of the two lowest levels on day d that stay open. */
static int load_slots(db_t *db, date_t d, slots_t *s, err_t *e)
{
	level_t *levels = NULL;
	size_t n_levels = 0;
	int r;

	if (org_levels(db, &levels, &n_levels, e))
		return -1;
	r = 0;
	for (size_t k = n_levels >= 2 ? n_levels - 2 : 0; !r && k < n_levels; k++) {
		unit_query_t q = { .as_of = d, .level = levels[k].key, .limit = ORG_PAGE_MAX };
		char cursor[ORG_CURSOR_MAX] = "";
		do {
			unit_list_t l = { 0 };
			q.cursor = cursor;
			r = org_units_list(db, &q, &l, e);
			for (size_t i = 0; !r && i < l.n; i++)
				if (l.items[i].valid_to == DATE_OPEN)
					r = slots_add(s, &l.items[i], e);
			ub_strlcpy(cursor, l.next, sizeof(cursor));
			unit_list_free(&l);
		} while (!r && cursor[0]);
	}
	free(levels);
	return r;
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

/* Person i's record, joining on *joined; her kind into *kind. */
static void make_person(rng_t *r, size_t i, date_t joined, person_t *p, member_kind_t *kind)
{
	bool honorary = rng_chance(r, 0.01), man = honorary && rng_chance(r, 0.5);
	int age = 18 + (int)(rng_below(r, 30) + rng_below(r, 25)); /* 18..71, most in their thirties and forties */
	const char *prov = rng_chance(r, 0.9) ? ONE_OF(r, BIRTH_PROVINCES) : ONE_OF(r, OTHER_PROVINCES);
	int year, mobile;
	char born[DATE_STR_LEN];

	memset(p, 0, sizeof(*p));
	*kind = honorary ? MEMBER_HONORARY : MEMBER_REGULAR;
	p->sex = man ? SEX_MALE : SEX_FEMALE;
	p->birth_date = years_before(joined, age, r);
	if (person_age(p->birth_date, joined) < MEMBER_MIN_AGE)
		p->birth_date -= 366;
	snprintf(p->full_name, sizeof(p->full_name), "%s %s %s", PICK(r, FAMILY),
		 man ? ONE_OF(r, MEN_MIDDLE) : PICK(r, MIDDLE), man ? ONE_OF(r, MEN_GIVEN) : ONE_OF(r, GIVEN));
	snprintf(p->ethnicity, sizeof(p->ethnicity), "%s", PICK(r, ETHNICITY));
	year = (int)strtol(date_format(p->birth_date, born), NULL, 10);
	/* a CCCD that fits her: birth province, century and sex, year; the
	 * person's index makes it unique */
	snprintf(p->id_number, sizeof(p->id_number), "0%s%d%02d%06zu", prov,
		 (year >= 2000 ? 2 : 0) + (p->sex == SEX_FEMALE ? 1 : 0), year % 100, i % 1000000);
	p->id_kind = ID_CCCD;
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

/* Her later history: she may leave, or move to another branch. */
static int later_history(db_t *db, const principal_t *who, rng_t *r, const slots_t *s, int64_t id, int64_t unit_id,
			 date_t joined, date_t today, gen_members_result_t *out, err_t *e)
{
	date_t when;

	if (today - joined < 60)
		return 0;
	when = day_between(r, joined + 30, today);
	if (rng_chance(r, 0.08)) {
		out->left++;
		return member_end_stay(db, who, id, when, PICK(r, LEAVING), 0, e);
	}
	if (rng_chance(r, 0.05)) {
		const slot_t *to = &s->v[rng_below(r, s->n)];
		if (to->from >= when || to->id == unit_id)
			return 0; /* no unit yet, or her own: she stays */
		out->moved++;
		return member_end_stay(db, who, id, when, "transferred", to->id, e);
	}
	return 0;
}

static int add_all(db_t *db, const principal_t *who, const gen_members_opts_t *o, const slots_t *s,
		   gen_members_result_t *out, err_t *e)
{
	rng_t r = { o->seed };
	date_t start = o->today - HISTORY_YEARS * 365, earliest = o->today - STANDING_YEARS * 365;

	if (!s->v || !s->n)
		return 0;
	for (size_t i = 0; i < o->count; i++) {
		const slot_t *u = &s->v[rng_below(&r, s->n)];
		date_t from = u->from > start ? u->from : start, long_ago = u->from > earliest ? u->from : earliest;
		member_kind_t kind;
		date_t joined;
		person_t p;

		if (long_ago + 1 < start && rng_chance(&r, STANDING_SHARE)) {
			joined = day_between(&r, long_ago + 1, start);
		} else {
			if (from >= o->today - 1)
				continue; /* a unit made yesterday gets nobody */
			joined = day_between(&r, from + 1, o->today);
		}
		make_person(&r, i, joined, &p, &kind);
		forms_fields(o->seed, i, &p);
		if (member_add(db, who, &p, u->id, kind, joined, e) ||
		    later_history(db, who, &r, s, p.id, u->id, joined, o->today, out, e))
			return -1;
		out->members++;
	}
	return 0;
}

int gen_members(db_t *db, const principal_t *who, const gen_members_opts_t *o, gen_members_result_t *out,
		err_t *e)
{
	slots_t s = { 0 };
	bool own = false;
	int r;

	memset(out, 0, sizeof(*out));
	if (o->count < 1 || o->count > GEN_MEMBERS_MAX)
		return err_fail(e, ERR_INVALID, "invalid", "the number of members must be 1..{max}",
				ERR_INT("max", (int64_t)GEN_MEMBERS_MAX));
	if (store_tx_begin(db, &own, e))
		return -1;
	r = load_slots(db, o->today, &s, e);
	if (!r && s.n == 0)
		r = err_fail(e, ERR_INVALID, "invalid", "no branch or group exists on {date} to add members to",
			     ERR_DATE("date", o->today));
	/* the figures are counted once at the end, not kept member by member */
	if (!r)
		r = member_tally_suspend(db, e);
	if (!r) {
		out->units = s.n;
		r = add_all(db, who, o, &s, out, e);
	}
	if (!r)
		r = store_analyze(db, e) || member_tally_rebuild(db, e);
	free(s.v);
	return store_tx_end(db, own, r, e);
}
