/*
 * gen_country.c - the synthetic national tree (see gen_country.h): name
 * lists, the plan drawn from a seeded generator, and its application through
 * the store's operations in date order, in one transaction.
 */
#include "io/gen_country.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/unit.h"
#include "io/csv_table.h"
#include "io/embedded.h"
#include "io/rng.h"
#include "store/org_store.h"
#include "store/member_tally.h"
#include "store/util.h"

#define TARGET_COMMUNES 10000.0
#define TARGET_DISTRICTS 700.0
#define TARGET_NEW_COMMUNES 3321.0
#define DISTRICT_FROM "2008-07-31" /* under VN for a day: see gen_country.h */
#define PROVINCE_FROM "2008-08-01"
#define REFORM_DATE "2025-07-01"
#define LAST_OLD_DAY "2025-06-30"
#define NOTE_GEN "Dữ liệu sinh tự động (unionbase generate)"
#define NOTE_MERGE "Sắp xếp đơn vị hành chính cấp xã từ 01/7/2025 (dữ liệu sinh tự động)"
#define NOTE_CONTINUE "Giữ nguyên, trực thuộc tỉnh từ 01/7/2025 (dữ liệu sinh tự động)"
#define NOTE_CLOSE "Kết thúc hoạt động cấp huyện từ 01/7/2025"
#define NOTE_PLACE "Trực thuộc tỉnh từ 01/8/2008 (dữ liệu sinh tự động)"
#define MAX_SOURCES 64
#define PLACE_BUF 96
#define PROGRESS_EVERY 200

/* x >= 0 rounded to the nearest whole number (no libm needed). */
static size_t round_size(double x)
{
	return x <= 0 ? 0 : (size_t)(x + 0.5);
}

/* ------------------------------------------------------------------ */
/* names                                                               */

typedef struct word {
	const char *vi, *en;
} word_t;

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Sino-Vietnamese syllables that make most place names: "Tân" + "Lập". */
static const word_t KINH1[] = {
	{ "Tân", "Tan" }, { "Phú", "Phu" }, { "An", "An" }, { "Bình", "Binh" }, { "Hòa", "Hoa" },
	{ "Long", "Long" }, { "Phước", "Phuoc" }, { "Vĩnh", "Vinh" }, { "Hưng", "Hung" },
	{ "Thanh", "Thanh" }, { "Quang", "Quang" }, { "Đức", "Duc" }, { "Minh", "Minh" },
	{ "Hồng", "Hong" }, { "Xuân", "Xuan" }, { "Yên", "Yen" }, { "Kim", "Kim" }, { "Thái", "Thai" },
	{ "Lạc", "Lac" }, { "Tiên", "Tien" }, { "Cẩm", "Cam" }, { "Hải", "Hai" }, { "Sơn", "Son" },
	{ "Trung", "Trung" }, { "Đại", "Dai" }, { "Mỹ", "My" }, { "Thuận", "Thuan" }, { "Gia", "Gia" },
	{ "Hiệp", "Hiep" }, { "Quảng", "Quang" }, { "Nghĩa", "Nghia" }, { "Hợp", "Hop" },
	{ "Đồng", "Dong" }, { "Liên", "Lien" }, { "Thạch", "Thach" }, { "Cao", "Cao" }, { "Vạn", "Van" },
	{ "Ngọc", "Ngoc" }, { "Phong", "Phong" }, { "Tam", "Tam" }, { "Hoàng", "Hoang" },
	{ "Thiện", "Thien" }, { "Khánh", "Khanh" }, { "Cát", "Cat" }, { "Nhân", "Nhan" },
	{ "Thọ", "Tho" }, { "Đông", "Dong" }, { "Tây", "Tay" },
};

static const word_t KINH2[] = {
	{ "Lập", "Lap" }, { "Hòa", "Hoa" }, { "Phú", "Phu" }, { "Bình", "Binh" }, { "Thành", "Thanh" },
	{ "Sơn", "Son" }, { "Hưng", "Hung" }, { "Lộc", "Loc" }, { "Thịnh", "Thinh" }, { "Phong", "Phong" },
	{ "Xuân", "Xuan" }, { "An", "An" }, { "Lợi", "Loi" }, { "Mỹ", "My" }, { "Tiến", "Tien" },
	{ "Hiệp", "Hiep" }, { "Trung", "Trung" }, { "Đông", "Dong" }, { "Tây", "Tay" }, { "Khánh", "Khanh" },
	{ "Thuận", "Thuan" }, { "Hải", "Hai" }, { "Long", "Long" }, { "Dương", "Duong" }, { "Hà", "Ha" },
	{ "Điền", "Dien" }, { "Vinh", "Vinh" }, { "Quý", "Quy" }, { "Nguyên", "Nguyen" }, { "Phúc", "Phuc" },
	{ "Thọ", "Tho" }, { "Tân", "Tan" }, { "Cường", "Cuong" }, { "Ninh", "Ninh" }, { "Lâm", "Lam" },
	{ "Hợp", "Hop" }, { "Yên", "Yen" }, { "Định", "Dinh" }, { "Kiều", "Kieu" }, { "Giang", "Giang" },
	{ "Hội", "Hoi" }, { "Nghĩa", "Nghia" }, { "Tường", "Tuong" }, { "Quang", "Quang" },
	{ "Thạnh", "Thanh" }, { "Đức", "Duc" }, { "Châu", "Chau" }, { "Lạc", "Lac" }, { "Tài", "Tai" },
	{ "Trường", "Truong" },
};

/* Tày, Thái, H'Mông-looking names of the northern mountains: "Nà" + "Mạ". */
static const word_t MOUNTAIN1[] = {
	{ "Nà", "Na" }, { "Pác", "Pac" }, { "Khuổi", "Khuoi" }, { "Lũng", "Lung" }, { "Bản", "Ban" },
	{ "Nậm", "Nam" }, { "Mường", "Muong" }, { "Phìn", "Phin" }, { "Sín", "Sin" }, { "Tả", "Ta" },
	{ "Huổi", "Huoi" }, { "Co", "Co" }, { "Pá", "Pa" }, { "Chiềng", "Chieng" }, { "Hua", "Hua" },
	{ "Cốc", "Coc" },
};

static const word_t MOUNTAIN2[] = {
	{ "Mạ", "Ma" }, { "Sác", "Sac" }, { "Ngà", "Nga" }, { "Lìn", "Lin" }, { "Pó", "Po" },
	{ "Chải", "Chai" }, { "Phăng", "Phang" }, { "Lay", "Lay" }, { "Khoang", "Khoang" },
	{ "Cang", "Cang" }, { "Luông", "Luong" }, { "Mòn", "Mon" }, { "Hán", "Han" }, { "Vạc", "Vac" },
	{ "Lòng", "Long" }, { "Tát", "Tat" },
};

/* Names of the Central Highlands: "Ea" + "Kly", "Kon" + "Rờ". */
static const word_t HIGHLAND1[] = {
	{ "Ea", "Ea" }, { "Krông", "Krong" }, { "Đắk", "Dak" }, { "Ia", "Ia" }, { "Kon", "Kon" },
	{ "Plei", "Plei" }, { "Đăk", "Dak" }, { "Chư", "Chu" },
};

static const word_t HIGHLAND2[] = {
	{ "Na", "Na" }, { "Bông", "Bong" }, { "Tu", "Tu" }, { "Sar", "Sar" }, { "Drai", "Drai" },
	{ "Rờ", "Ro" }, { "Kly", "Kly" }, { "Pơng", "Pong" }, { "Hlốp", "Hlop" }, { "Mơ", "Mo" },
	{ "Tô", "To" }, { "Jút", "Jut" }, { "Ring", "Ring" }, { "Blang", "Blang" },
};

/* Hamlets named for where they lie. */
static const word_t DIRECTIONS[] = {
	{ "Đông", "Dong" }, { "Tây", "Tay" }, { "Nam", "Nam" }, { "Bắc", "Bac" }, { "Trung", "Trung" },
	{ "Thượng", "Thuong" }, { "Hạ", "Ha" }, { "Đoài", "Doai" }, { "Giữa", "Giua" }, { "Chợ", "Cho" },
	{ "Đình", "Dinh" }, { "Mới", "Moi" },
};

static const word_t FLOWERS[] = {
	{ "Hoa Sen", "Hoa Sen" }, { "Hoa Mai", "Hoa Mai" }, { "Hoa Hồng", "Hoa Hong" },
	{ "Hướng Dương", "Huong Duong" }, { "Hoa Đào", "Hoa Dao" }, { "Hoa Cúc", "Hoa Cuc" },
	{ "Hoa Sim", "Hoa Sim" }, { "Hoa Lan", "Hoa Lan" },
};

static const word_t FLOWERS_MOUNTAIN[] = {
	{ "Hoa Ban", "Hoa Ban" }, { "Hoa Mận", "Hoa Man" }, { "Hoa Đào", "Hoa Dao" },
	{ "Hoa Sở", "Hoa So" }, { "Hoa Tam Giác Mạch", "Hoa Tam Giac Mach" },
};

typedef enum theme_ctx { T_ANY, T_URBAN, T_RURAL, T_MOUNTAIN, T_COASTAL, T_MEKONG } theme_ctx_t;

static const struct {
	theme_ctx_t ctx;
	word_t name;
} THEMES[] = {
	{ T_URBAN, { "Tổ phụ nữ kinh doanh", "Women Entrepreneurs' Group" } },
	{ T_URBAN, { "Tổ phụ nữ phân loại rác tại nguồn", "Women's Waste Sorting Group" } },
	{ T_URBAN, { "Tổ phụ nữ tự quản an ninh trật tự", "Women's Self-Managed Public Order Group" } },
	{ T_RURAL, { "Tổ hợp tác phụ nữ trồng rau an toàn", "Women's Safe Vegetable Cooperative Group" } },
	{ T_RURAL, { "Tổ phụ nữ chăn nuôi", "Women's Livestock Group" } },
	{ T_RURAL, { "Tổ phụ nữ tự quản bảo vệ môi trường", "Women's Self-Managed Environment Group" } },
	{ T_MOUNTAIN, { "Tổ phụ nữ dệt thổ cẩm", "Women's Brocade Weaving Group" } },
	{ T_MOUNTAIN, { "Tổ phụ nữ trồng dược liệu", "Women's Medicinal Plant Group" } },
	{ T_COASTAL, { "Tổ phụ nữ chế biến hải sản", "Women's Seafood Processing Group" } },
	{ T_MEKONG, { "Tổ hợp tác phụ nữ nuôi tôm", "Women's Shrimp Farming Cooperative Group" } },
	{ T_MEKONG, { "Tổ phụ nữ làm bánh dân gian", "Women's Traditional Cake Group" } },
};

/* ------------------------------------------------------------------ */
/* provinces                                                           */

typedef enum region {
	R_NORTH,     /* Red River delta, midlands: thôn, tổ dân phố */
	R_XOM,       /* xóm country (Hòa Bình, Thái Nguyên, Nghệ An) */
	R_MOUNTAIN,  /* northern mountains: bản, thôn */
	R_CENTRAL,   /* central coast: thôn, tổ dân phố */
	R_HIGHLANDS, /* Central Highlands: buôn, làng, thôn */
	R_SOUTH,     /* south-east: ấp, khu phố */
	R_MEKONG,    /* Mekong delta: ấp, khóm */
} region_t;

#define F_BORDER 1
#define F_COASTAL 2

/* Roughly how many communes, wards and townships each province had before
 * 2025 (weights only: the total is scaled to TARGET_COMMUNES). */
static const struct {
	const char *code;
	int communes;
	region_t region;
	int flags;
} PROVINCE_FACTS[] = {
	{ "01", 526, R_NORTH, 0 }, { "02", 193, R_MOUNTAIN, F_BORDER }, { "04", 161, R_MOUNTAIN, F_BORDER },
	{ "06", 108, R_MOUNTAIN, 0 }, { "08", 138, R_MOUNTAIN, 0 }, { "10", 152, R_MOUNTAIN, F_BORDER },
	{ "11", 129, R_MOUNTAIN, F_BORDER }, { "12", 106, R_MOUNTAIN, F_BORDER },
	{ "14", 200, R_MOUNTAIN, F_BORDER }, { "15", 173, R_MOUNTAIN, 0 }, { "17", 151, R_XOM, 0 },
	{ "19", 172, R_XOM, 0 }, { "20", 200, R_MOUNTAIN, F_BORDER },
	{ "22", 171, R_NORTH, F_BORDER | F_COASTAL }, { "24", 192, R_NORTH, 0 }, { "25", 225, R_NORTH, 0 },
	{ "26", 136, R_NORTH, 0 }, { "27", 121, R_NORTH, 0 }, { "30", 235, R_NORTH, 0 },
	{ "31", 217, R_NORTH, F_COASTAL }, { "33", 139, R_NORTH, 0 }, { "34", 260, R_NORTH, F_COASTAL },
	{ "35", 98, R_NORTH, 0 }, { "36", 204, R_NORTH, F_COASTAL }, { "37", 119, R_NORTH, F_COASTAL },
	{ "38", 547, R_CENTRAL, F_BORDER | F_COASTAL }, { "40", 412, R_XOM, F_BORDER | F_COASTAL },
	{ "42", 209, R_CENTRAL, F_BORDER | F_COASTAL }, { "44", 145, R_CENTRAL, F_BORDER | F_COASTAL },
	{ "45", 125, R_CENTRAL, F_BORDER | F_COASTAL }, { "46", 133, R_CENTRAL, F_BORDER | F_COASTAL },
	{ "48", 56, R_CENTRAL, F_COASTAL }, { "49", 233, R_CENTRAL, F_BORDER | F_COASTAL },
	{ "51", 173, R_CENTRAL, F_COASTAL }, { "52", 155, R_CENTRAL, F_COASTAL },
	{ "54", 110, R_CENTRAL, F_COASTAL }, { "56", 139, R_CENTRAL, F_COASTAL },
	{ "58", 65, R_CENTRAL, F_COASTAL }, { "60", 124, R_CENTRAL, F_COASTAL },
	{ "62", 102, R_HIGHLANDS, F_BORDER }, { "64", 218, R_HIGHLANDS, F_BORDER },
	{ "66", 184, R_HIGHLANDS, F_BORDER }, { "67", 71, R_HIGHLANDS, F_BORDER }, { "68", 142, R_HIGHLANDS, 0 },
	{ "70", 111, R_SOUTH, F_BORDER }, { "72", 94, R_SOUTH, F_BORDER }, { "74", 91, R_SOUTH, 0 },
	{ "75", 170, R_SOUTH, 0 }, { "77", 82, R_SOUTH, F_COASTAL }, { "79", 273, R_SOUTH, F_COASTAL },
	{ "80", 188, R_MEKONG, F_BORDER }, { "82", 172, R_MEKONG, F_COASTAL }, { "83", 157, R_MEKONG, F_COASTAL },
	{ "84", 106, R_MEKONG, F_COASTAL }, { "86", 107, R_MEKONG, 0 }, { "87", 143, R_MEKONG, F_BORDER },
	{ "89", 155, R_MEKONG, F_BORDER }, { "91", 144, R_MEKONG, F_BORDER | F_COASTAL },
	{ "92", 83, R_MEKONG, 0 }, { "93", 75, R_MEKONG, 0 }, { "94", 108, R_MEKONG, F_COASTAL },
	{ "95", 64, R_MEKONG, F_COASTAL }, { "96", 101, R_MEKONG, F_COASTAL },
};

typedef struct gprov {
	char code[8];
	char name_vi[96];
	bool city;
	region_t region;
	int flags;
	double weight;
	size_t n_communes, n_districts;
	size_t first_district;  /* into gen_t.districts */
} gprov_t;

typedef enum dkind { D_RURAL, D_URBAN_QUAN, D_URBAN_QUAN_NUM, D_CITY, D_TOWN } dkind_t;

typedef struct gdistrict {
	char code[16];
	dkind_t kind;
	int number;                                   /* Quận 1..12 */
	char place_vi[PLACE_BUF], place_en[PLACE_BUF]; /* "Tân Lập", or "" for a numbered one */
	size_t prov;
	size_t first_commune, n_communes;             /* into gen_t.communes */
} gdistrict_t;

typedef struct gcommune {
	char code[16];
	char place_vi[PLACE_BUF], place_en[PLACE_BUF]; /* a number for "Phường 3" */
	bool urban, township;
	char attrs[64];
	size_t district;
} gcommune_t;

typedef struct gen {
	db_t *db;
	const principal_t *who;
	const gen_opts_t *o;
	gen_stats_t *st;
	rng_t rng;
	gprov_t *provs;
	size_t n_provs;
	gdistrict_t *districts;
	size_t n_districts;
	gcommune_t *communes;
	size_t n_communes;
	bool has_groups;
	date_t d_district, d_from, d_reform;
	int next_code;
	const char *phase;
	size_t done, total;
	store_growth_t growth; /* changes to the tree in all; when to analyze next */
} gen_t;

/* Prefixes e's message with what was being done. Returns -1. */
static int op_failed(err_t *e, const char *op, const char *code)
{
	char msg[sizeof(e->message)];

	snprintf(msg, sizeof(msg), "%s", e->message);
	snprintf(e->message, sizeof(e->message), "generate: %s %s: %s", op, code, msg);
	return -1;
}

/* Counts one change to the tree and reports progress. The whole tree is
 * made in one transaction, so PostgreSQL's autovacuum never sees the
 * tables grow: its planner would go on planning every unit's statements
 * for the empty tables of the start (scans of units, unit_parents and
 * ancestry: quadratic, more than twelve minutes for the country's tree).
 * The statistics are taken again each time the changes double. Returns 0
 * or -1 with e. */
static int step_done(gen_t *g, err_t *e)
{
	g->done++;
	if (g->o->progress && (g->done % PROGRESS_EVERY == 0 || g->done == g->total))
		g->o->progress(g->o->progress_ctx, g->phase, g->done, g->total);
	return store_growth_step(g->db, &g->growth, ORG_TREE_TABLES, e) ? op_failed(e, "analyze", g->phase) : 0;
}

static void phase_start(gen_t *g, const char *phase, size_t total)
{
	g->phase = phase;
	g->done = 0;
	g->total = total;
	if (g->o->progress)
		g->o->progress(g->o->progress_ctx, phase, 0, total);
}


/* "Tân Lập" from two lists, never the same syllable twice. */
static void compose(rng_t *r, const word_t *a, size_t na, const word_t *b, size_t nb, char *vi, char *en)
{
	const word_t *x = &a[rng_below(r, na)], *y;

	do
		y = &b[rng_below(r, nb)];
	while (strcmp(x->vi, y->vi) == 0);
	snprintf(vi, PLACE_BUF, "%s %s", x->vi, y->vi);
	snprintf(en, PLACE_BUF, "%s %s", x->en, y->en);
}

static bool name_used(char (*used)[PLACE_BUF], size_t n, const char *vi)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(used[i], vi) == 0)
			return true;
	return false;
}

/* A place name not in used[0..n) (a few tries, then a number is added). */
static void unique_place(rng_t *r, const word_t *a, size_t na, const word_t *b, size_t nb,
			 char (*used)[PLACE_BUF], size_t n, char *vi, char *en)
{
	for (int tries = 0; tries < 20; tries++) {
		compose(r, a, na, b, nb, vi, en);
		if (!name_used(used, n, vi))
			return;
	}
	for (int k = 2;; k++) {
		char v2[PLACE_BUF], e2[PLACE_BUF];
		snprintf(v2, sizeof(v2), "%.80s %d", vi, k);
		snprintf(e2, sizeof(e2), "%.80s %d", en, k);
		if (!name_used(used, n, v2)) {
			memcpy(vi, v2, PLACE_BUF);
			memcpy(en, e2, PLACE_BUF);
			return;
		}
	}
}

/* ------------------------------------------------------------------ */
/* operations                                                          */

static void spec_fill(unit_spec_t *s, const char *code, const char *vi, const char *en, const char *level,
		      const char *kind, const char *attrs, const char *parent)
{
	memset(s, 0, sizeof(*s));
	ub_strlcpy(s->code, code, sizeof(s->code));
	ub_strlcpy(s->name_vi, vi, sizeof(s->name_vi));
	ub_strlcpy(s->name_en, en, sizeof(s->name_en));
	ub_strlcpy(s->level, level, sizeof(s->level));
	ub_strlcpy(s->kind, kind, sizeof(s->kind));
	ub_strlcpy(s->attributes, attrs, sizeof(s->attributes));
	ub_strlcpy(s->parent, parent, sizeof(s->parent));
}

static int create(gen_t *g, const char *code, const char *vi, const char *en, const char *level,
		  const char *kind, const char *attrs, const char *parent, date_t d, const char *note, err_t *e)
{
	unit_spec_t s;
	unit_t out;

	spec_fill(&s, code, vi, en, level, kind, attrs, parent);
	if (org_create(g->db, g->who, &s, d, note, &out, e))
		return op_failed(e, "create", code);
	g->st->units++;
	return step_done(g, e);
}

/* ------------------------------------------------------------------ */
/* the plan                                                            */

static const embedded_file_t *builtin(const char *name, err_t *e)
{
	const embedded_file_t *f = embedded_find(name);

	if (!f)
		err_set(e, ERR_INTERNAL, NULL, "built-in file %s is missing from this build", name);
	return f;
}

/* The 63 provinces with their weights; communes and districts per province
 * from the scale. */
static int plan_provinces(gen_t *g, const csv_table_t *t63, err_t *e)
{
	double total_w = 0;
	int c_code = csv_col(t63, "code"), c_name = csv_col(t63, "name_vi"), c_kind = csv_col(t63, "kind");

	g->provs = calloc(t63->n_rows, sizeof(*g->provs));
	if (!g->provs)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	g->n_provs = t63->n_rows;
	for (size_t i = 0; i < t63->n_rows; i++) {
		gprov_t *p = &g->provs[i];
		ub_strlcpy(p->code, csv_field(&t63->rows[i], c_code), sizeof(p->code));
		ub_strlcpy(p->name_vi, csv_field(&t63->rows[i], c_name), sizeof(p->name_vi));
		p->city = strcmp(csv_field(&t63->rows[i], c_kind), "city") == 0;
		p->weight = 150;
		p->region = R_NORTH;
		for (size_t k = 0; k < N_OF(PROVINCE_FACTS); k++)
			if (strcmp(PROVINCE_FACTS[k].code, p->code) == 0) {
				p->weight = PROVINCE_FACTS[k].communes;
				p->region = PROVINCE_FACTS[k].region;
				p->flags = PROVINCE_FACTS[k].flags;
			}
		total_w += p->weight;
	}
	for (size_t i = 0; i < g->n_provs; i++) {
		gprov_t *p = &g->provs[i];
		double c = p->weight * TARGET_COMMUNES / total_w * g->o->scale;
		double per_district = TARGET_COMMUNES / TARGET_DISTRICTS;

		if (g->o->provinces > 0 && i >= (size_t)g->o->provinces)
			continue; /* left empty */
		p->n_communes = c < 2 ? 2 : round_size(c);
		p->n_districts = round_size((double)p->n_communes / per_district);
		if (p->n_districts < 1)
			p->n_districts = 1;
		if (p->n_districts > 99)
			p->n_districts = 99;
		g->n_districts += p->n_districts;
		g->n_communes += p->n_communes;
	}
	g->districts = calloc(g->n_districts, sizeof(*g->districts));
	g->communes = calloc(g->n_communes, sizeof(*g->communes));
	if (!g->districts || !g->communes)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	return 0;
}

static void name_pair(rng_t *r, region_t region, bool mountain_names, char *vi, char *en,
		      char (*used)[PLACE_BUF], size_t n)
{
	if (mountain_names && region == R_MOUNTAIN)
		unique_place(r, MOUNTAIN1, N_OF(MOUNTAIN1), MOUNTAIN2, N_OF(MOUNTAIN2), used, n, vi, en);
	else if (mountain_names && region == R_HIGHLANDS)
		unique_place(r, HIGHLAND1, N_OF(HIGHLAND1), HIGHLAND2, N_OF(HIGHLAND2), used, n, vi, en);
	else
		unique_place(r, KINH1, N_OF(KINH1), KINH2, N_OF(KINH2), used, n, vi, en);
}

/* Districts and communes of province pi: codes, names, attributes. */
static int plan_province(gen_t *g, size_t pi, size_t *di, size_t *ci, err_t *e)
{
	gprov_t *p = &g->provs[pi];
	char (*dnames)[PLACE_BUF] = NULL;
	char (*cnames)[PLACE_BUF] = NULL;
	size_t base, rem;
	int quan_num = 0;

	p->first_district = *di;
	if (p->n_districts == 0)
		return 0; /* left empty (--provinces) */
	base = p->n_communes / p->n_districts;
	rem = p->n_communes % p->n_districts;
	dnames = calloc(p->n_districts, PLACE_BUF);
	if (!dnames)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	for (size_t k = 0; k < p->n_districts; k++) {
		gdistrict_t *d = &g->districts[(*di)++];
		size_t nc = base + (k < rem ? 1 : 0);
		dkind_t kind;
		bool mountain_names = rng_chance(&g->rng, 0.5);

		d->prov = pi;
		snprintf(d->code, sizeof(d->code), "%sD%02zu", p->code, k + 1);
		if (p->city && k < (p->n_districts * 2 + 4) / 5)
			kind = strcmp(p->code, "79") == 0 && quan_num < 12 ? D_URBAN_QUAN_NUM : D_URBAN_QUAN;
		else if (k == 0)
			kind = D_CITY;
		else
			kind = rng_chance(&g->rng, 0.1) ? D_TOWN : D_RURAL;
		d->kind = kind;
		if (kind == D_URBAN_QUAN_NUM) {
			d->number = ++quan_num;
			d->place_vi[0] = d->place_en[0] = '\0';
			snprintf(dnames[k], PLACE_BUF, "%d", quan_num);
		} else {
			name_pair(&g->rng, p->region, mountain_names && kind == D_RURAL, d->place_vi, d->place_en,
				  dnames, k);
			memcpy(dnames[k], d->place_vi, PLACE_BUF);
		}
		d->first_commune = *ci;
		d->n_communes = nc;
		cnames = calloc(nc ? nc : 1, PLACE_BUF);
		if (!cnames) {
			free(dnames);
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		for (size_t j = 0; j < nc; j++) {
			gcommune_t *c = &g->communes[(*ci)++];
			bool urban, township = false, numbered = false, coastal, border;

			c->district = (size_t)(d - g->districts);
			g->next_code += rng_range(&g->rng, 1, 5);
			snprintf(c->code, sizeof(c->code), "%05d", g->next_code);
			switch (kind) {
			case D_URBAN_QUAN: urban = true; break;
			case D_URBAN_QUAN_NUM: urban = numbered = true; break;
			case D_CITY: urban = rng_chance(&g->rng, 0.75); break;
			case D_TOWN: urban = rng_chance(&g->rng, 0.6); break;
			default: urban = township = j == 0; break;
			}
			if (numbered) {
				snprintf(c->place_vi, PLACE_BUF, "%zu", j + 1);
				snprintf(c->place_en, PLACE_BUF, "%zu", j + 1);
			} else if (township) {
				/* the township carries the district's name */
				memcpy(c->place_vi, d->place_vi, PLACE_BUF);
				memcpy(c->place_en, d->place_en, PLACE_BUF);
			} else {
				name_pair(&g->rng, p->region, !urban && mountain_names, c->place_vi, c->place_en, cnames, j);
			}
			memcpy(cnames[j], c->place_vi, PLACE_BUF);
			c->urban = urban;
			c->township = township;
			/* drawn in statements of their own (a call's arguments are
			 * evaluated in the compiler's order), coast first as the
			 * release build did */
			coastal = (p->flags & F_COASTAL) && rng_chance(&g->rng, 0.15);
			border = (p->flags & F_BORDER) && !urban && rng_chance(&g->rng, 0.12);
			snprintf(c->attrs, sizeof(c->attrs), "%s%s%s%s", urban ? "urban" : "rural",
				 !urban && (p->region == R_MOUNTAIN || p->region == R_HIGHLANDS) ? " mountain ethnic_minority" : "",
				 border ? " border" : "", coastal ? " coastal" : "");
		}
		free(cnames);
		cnames = NULL;
	}
	free(dnames);
	return 0;
}

static void district_names(const gdistrict_t *d, char *vi, size_t vcap, char *en, size_t ecap)
{
	switch (d->kind) {
	case D_URBAN_QUAN_NUM:
		snprintf(vi, vcap, "Quận %d", d->number);
		snprintf(en, ecap, "District %d", d->number);
		break;
	case D_URBAN_QUAN:
		snprintf(vi, vcap, "Quận %s", d->place_vi);
		snprintf(en, ecap, "%s Urban District", d->place_en);
		break;
	case D_CITY:
		snprintf(vi, vcap, "Thành phố %s", d->place_vi);
		snprintf(en, ecap, "%s City", d->place_en);
		break;
	case D_TOWN:
		snprintf(vi, vcap, "Thị xã %s", d->place_vi);
		snprintf(en, ecap, "%s Town", d->place_en);
		break;
	default:
		snprintf(vi, vcap, "Huyện %s", d->place_vi);
		snprintf(en, ecap, "%s District", d->place_en);
		break;
	}
}

static void commune_names(const gcommune_t *c, char *vi, size_t vcap, char *en, size_t ecap)
{
	bool numbered = c->place_vi[0] >= '0' && c->place_vi[0] <= '9';

	if (c->township) {
		snprintf(vi, vcap, "Thị trấn %s", c->place_vi);
		snprintf(en, ecap, "%s Township", c->place_en);
	} else if (c->urban && numbered) {
		snprintf(vi, vcap, "Phường %s", c->place_vi);
		snprintf(en, ecap, "Ward %s", c->place_en);
	} else if (c->urban) {
		snprintf(vi, vcap, "Phường %s", c->place_vi);
		snprintf(en, ecap, "%s Ward", c->place_en);
	} else {
		snprintf(vi, vcap, "Xã %s", c->place_vi);
		snprintf(en, ecap, "%s Commune", c->place_en);
	}
}

/* ------------------------------------------------------------------ */
/* branches and groups                                                 */

/* A hamlet named for where it lies ("Đông"), if one is still free. */
static int direction_place(rng_t *r, char (*used)[PLACE_BUF], size_t n, char *vi, char *en)
{
	size_t start = rng_below(r, N_OF(DIRECTIONS));

	for (size_t k = 0; k < N_OF(DIRECTIONS); k++) {
		const word_t *w = &DIRECTIONS[(start + k) % N_OF(DIRECTIONS)];
		if (!name_used(used, n, w->vi)) {
			snprintf(vi, PLACE_BUF, "%s", w->vi);
			snprintf(en, PLACE_BUF, "%s", w->en);
			return 0;
		}
	}
	return -1;
}

/* The place a branch serves: "thôn Đông", "tổ dân phố 5", "bản Nà Mạ",
 * with its English ("Dong Hamlet", "Residential Group 5", "Na Ma Village").
 * n is the branch's number in its commune; bare receives the place's own
 * name ("Đông", "5"), which used[0..n_used) must not hold yet. */
static void branch_place(gen_t *g, const gprov_t *p, const gcommune_t *c, int n, char (*used)[PLACE_BUF],
			 size_t n_used, char *bare, char *vi, char *en)
{
	rng_t *r = &g->rng;
	char pe[PLACE_BUF];
	const char *wvi = "thôn", *wen = "Hamlet";
	bool village = false, numbered = rng_chance(r, 0.2), mountain = false;

	if (c->urban && !c->township) {
		wvi = "tổ dân phố";
		wen = "Residential Group";
		if (p->region == R_SOUTH) {
			wvi = "khu phố";
			wen = "Quarter";
		} else if (p->region == R_MEKONG) {
			bool can_tho = strcmp(p->code, "92") == 0;
			wvi = can_tho ? "khu vực" : "khóm";
			wen = can_tho ? "Area" : "Cluster";
		}
		numbered = true;
	} else {
		switch (p->region) {
		case R_XOM:
			if (rng_chance(r, 0.7))
				wvi = "xóm";
			break;
		case R_MOUNTAIN:
			if (rng_chance(r, 0.5)) {
				wvi = "bản";
				wen = "Village";
				village = true;
			}
			mountain = rng_chance(r, 0.7);
			break;
		case R_HIGHLANDS:
			if (rng_chance(r, 0.5)) {
				bool buon = strcmp(p->code, "66") == 0 || strcmp(p->code, "67") == 0;
				wvi = buon ? "buôn" : "làng";
				wen = "Village";
				village = mountain = true;
			}
			break;
		case R_SOUTH:
		case R_MEKONG:
			wvi = "ấp";
			break;
		default:
			break;
		}
		numbered = numbered && !village;
	}
	if (numbered) {
		snprintf(bare, PLACE_BUF, "%d", n);
		snprintf(vi, PLACE_BUF, "%s %d", wvi, n);
		snprintf(en, PLACE_BUF, "%s %d", wen, n);
		return;
	}
	if (mountain && p->region == R_MOUNTAIN)
		unique_place(r, MOUNTAIN1, N_OF(MOUNTAIN1), MOUNTAIN2, N_OF(MOUNTAIN2), used, n_used, bare, pe);
	else if (mountain)
		unique_place(r, HIGHLAND1, N_OF(HIGHLAND1), HIGHLAND2, N_OF(HIGHLAND2), used, n_used, bare, pe);
	else if (!rng_chance(r, 0.3) || direction_place(r, used, n_used, bare, pe) != 0)
		unique_place(r, KINH1, N_OF(KINH1), KINH2, N_OF(KINH2), used, n_used, bare, pe);
	snprintf(vi, PLACE_BUF, "%s %s", wvi, bare);
	snprintf(en, PLACE_BUF, "%s %s", pe, wen);
}

static int make_groups(gen_t *g, const gprov_t *p, const gcommune_t *c, const char *bcode, const char *kind,
		       err_t *e)
{
	rng_t *r = &g->rng;
	int count;
	char prev[PLACE_BUF] = "";
	theme_ctx_t ctx = c->urban ? T_URBAN : T_RURAL;

	date_t from = g->d_from;

	if (!rng_chance(r, 0.2))
		return 0;
	count = rng_chance(r, 0.25) ? 2 : 1;
	if (!c->urban && (p->region == R_MOUNTAIN || p->region == R_HIGHLANDS))
		ctx = T_MOUNTAIN;
	else if (!c->urban && p->region == R_MEKONG)
		ctx = T_MEKONG;
	else if ((p->flags & F_COASTAL) && strstr(c->attrs, "coastal"))
		ctx = T_COASTAL;
	for (int i = 1; i <= count; i++) {
		char code[UNIT_CODE_MAX + 1], vi[PLACE_BUF * 2], en[PLACE_BUF * 2];
		/* founded on a day before the reform, in the order of their numbers */
		date_t d = from + (date_t)rng_below(r, (size_t)(g->d_reform - 1 - from));
		double roll = (double)rng_below(r, 1000) / 1000.0;
		snprintf(code, sizeof(code), "%s.%d", bcode, i);
		if (roll < 0.3) {
			snprintf(vi, sizeof(vi), "Tổ phụ nữ số %d", i);
			snprintf(en, sizeof(en), "Women's Group No. %d", i);
		} else if (roll < 0.7) {
			const word_t *f = ctx == T_MOUNTAIN ? &FLOWERS_MOUNTAIN[rng_below(r, N_OF(FLOWERS_MOUNTAIN))]
							    : &FLOWERS[rng_below(r, N_OF(FLOWERS))];
			snprintf(vi, sizeof(vi), "Tổ phụ nữ tiết kiệm vay vốn %s", f->vi);
			snprintf(en, sizeof(en), "%s Women's Savings and Credit Group", f->en);
		} else {
			/* a theme that fits the place (every place has one) */
			size_t cand[N_OF(THEMES)] = { 0 }, n = 0;
			const word_t *t;
			for (size_t k = 0; k < N_OF(THEMES); k++)
				if (THEMES[k].ctx == ctx || (ctx == T_COASTAL && THEMES[k].ctx == T_RURAL) ||
				    (ctx == T_MEKONG && THEMES[k].ctx == T_RURAL))
					cand[n++] = k;
			t = &THEMES[cand[rng_below(r, n)]].name;
			snprintf(vi, sizeof(vi), "%s", t->vi);
			snprintf(en, sizeof(en), "%s", t->en);
		}
		if (strcmp(vi, prev) == 0) {
			snprintf(vi, sizeof(vi), "Tổ phụ nữ số %d", i);
			snprintf(en, sizeof(en), "Women's Group No. %d", i);
		}
		snprintf(prev, sizeof(prev), "%s", vi);
		if (create(g, code, vi, en, "group", kind, "", bcode, d, NULL, e))
			return -1;
		g->st->groups++;
		from = d;
	}
	return 0;
}

static int make_branches(gen_t *g, const gprov_t *p, const gcommune_t *c, err_t *e)
{
	int n = rng_range(&g->rng, 5, 11);
	char used[16][PLACE_BUF];
	bool market = c->urban && !c->township && rng_chance(&g->rng, 0.1);

	for (int i = 1; i <= n + (market ? 1 : 0); i++) {
		char code[UNIT_CODE_MAX + 1], place_vi[PLACE_BUF], place_en[PLACE_BUF];
		char vi[PLACE_BUF * 2], en[PLACE_BUF * 2];
		const char *kind = "territorial";

		snprintf(code, sizeof(code), "%s.%02d", c->code, i);
		if (i > n) {
			char mv[PLACE_BUF], me[PLACE_BUF];
			compose(&g->rng, KINH1, N_OF(KINH1), KINH2, N_OF(KINH2), mv, me);
			snprintf(vi, sizeof(vi), "Chi hội Phụ nữ tiểu thương chợ %s", mv);
			snprintf(en, sizeof(en), "%s Market Traders Women's Branch", me);
			kind = "network";
		} else {
			branch_place(g, p, c, i, used, (size_t)(i - 1), used[i - 1], place_vi, place_en);
			snprintf(vi, sizeof(vi), "Chi hội Phụ nữ %s", place_vi);
			snprintf(en, sizeof(en), "%s Women's Branch", place_en);
		}
		if (create(g, code, vi, en, "branch", kind, i > n ? "urban" : "", c->code, g->d_from, NULL, e))
			return -1;
		g->st->branches++;
		if (g->has_groups && make_groups(g, p, c, code, kind, e))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* phases                                                              */

static size_t estimate_creates(const gen_t *g)
{
	/* districts + communes + about 9.8 branches and groups per commune */
	return g->n_districts + g->n_communes * (g->has_groups ? 11 : 9);
}

static int phase_create(gen_t *g, err_t *e)
{
	char vi[PLACE_BUF * 2], en[PLACE_BUF * 2];

	phase_start(g, "create", estimate_creates(g));
	for (size_t pi = 0; pi < g->n_provs; pi++) {
		const gprov_t *p = &g->provs[pi];
		for (size_t k = 0; k < p->n_districts; k++) {
			const gdistrict_t *d = &g->districts[p->first_district + k];
			district_names(d, vi, sizeof(vi), en, sizeof(en));
			if (create(g, d->code, vi, en, "district", "territorial", d->kind == D_RURAL ? "rural" : "urban", "VN",
				   g->d_district, NOTE_GEN, e))
				return -1;
			g->st->districts++;
			for (size_t j = 0; j < d->n_communes; j++) {
				const gcommune_t *c = &g->communes[d->first_commune + j];
				commune_names(c, vi, sizeof(vi), en, sizeof(en));
				if (create(g, c->code, vi, en, "commune", "territorial", c->attrs, d->code, g->d_from, NULL, e))
					return -1;
				g->st->communes++;
				if (make_branches(g, p, c, e))
					return -1;
			}
		}
	}
	return 0;
}

/* How many new communes each new province gets: one for every
 * TARGET_COMMUNES / TARGET_NEW_COMMUNES old ones in all, shared by the
 * number of old communes (largest remainder), at least one, at most as many
 * as it has old communes. */
static void share_new(const size_t *old, size_t n, size_t *out)
{
	size_t total_old = 0, given = 0, target;
	double *rem = calloc(n ? n : 1, sizeof(double));

	for (size_t i = 0; i < n; i++)
		total_old += old[i];
	target = round_size((double)total_old * TARGET_NEW_COMMUNES / TARGET_COMMUNES);
	if (target > total_old)
		target = total_old;
	for (size_t i = 0; i < n; i++) {
		double exact = total_old ? (double)target * (double)old[i] / (double)total_old : 0;
		out[i] = (size_t)exact;
		if (rem)
			rem[i] = exact - (double)out[i];
		given += out[i];
	}
	while (given < target && rem) {
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		if (rem[best] < 0)
			break;
		out[best]++;
		rem[best] = -1;
		given++;
	}
	for (size_t i = 0; i < n; i++) {
		if (out[i] < 1)
			out[i] = 1;
		if (out[i] > old[i])
			out[i] = old[i];
	}
	free(rem);
}

typedef struct newprov {
	char code[8];
	char sources[128];
	size_t *members; /* indices into gen_t.communes, in order */
	size_t n_members;
} newprov_t;

/* One new commune from the old communes m[0..n) of new province np. */
static int reform_one(gen_t *g, const newprov_t *np, const size_t *m, size_t n, char (*used)[PLACE_BUF],
		      size_t *n_used, err_t *e)
{
	const gcommune_t *seat = &g->communes[m[0]];
	const gdistrict_t *d = &g->districts[seat->district];
	const gprov_t *p = &g->provs[d->prov];
	unit_t out;

	if (n == 1) {
		if (org_move(g->db, g->who, seat->code, g->d_reform, np->code, NOTE_CONTINUE, &out, e))
			return op_failed(e, "move", seat->code);
		memcpy(used[(*n_used)++], seat->place_vi, PLACE_BUF);
		g->st->continued++;
	} else {
		const char *src[MAX_SOURCES];
		char place_vi[PLACE_BUF], place_en[PLACE_BUF], attrs[UNIT_ATTRS_BUF] = "";
		bool urban = false;
		unit_spec_t s;

		for (size_t i = 0; i < n; i++) {
			const gcommune_t *c = &g->communes[m[i]];
			size_t len = strlen(attrs);
			src[i] = c->code;
			urban = urban || c->urban;
			snprintf(attrs + len, sizeof(attrs) - len, " %s", c->attrs);
		}
		if (urban) {
			/* a ward: no longer rural */
			char *r;
			while ((r = strstr(attrs, "rural")) != NULL)
				memset(r, ' ', 5);
		} else {
			char *u;
			while ((u = strstr(attrs, "urban")) != NULL)
				memset(u, ' ', 5);
		}
		/* the new commune is named for its old district, for its seat,
		 * or anew; never twice in one province */
		if (d->place_vi[0] && !name_used(used, *n_used, d->place_vi) && rng_chance(&g->rng, 0.5)) {
			memcpy(place_vi, d->place_vi, PLACE_BUF);
			memcpy(place_en, d->place_en, PLACE_BUF);
		} else if (!(seat->place_vi[0] >= '0' && seat->place_vi[0] <= '9') &&
			   !name_used(used, *n_used, seat->place_vi) && rng_chance(&g->rng, 0.5)) {
			memcpy(place_vi, seat->place_vi, PLACE_BUF);
			memcpy(place_en, seat->place_en, PLACE_BUF);
		} else {
			name_pair(&g->rng, p->region, false, place_vi, place_en, used, *n_used);
		}
		memcpy(used[(*n_used)++], place_vi, PLACE_BUF);
		{
			char vi[PLACE_BUF * 2], en[PLACE_BUF * 2];
			snprintf(vi, sizeof(vi), "%s %s", urban ? "Phường" : "Xã", place_vi);
			snprintf(en, sizeof(en), "%s %s", place_en, urban ? "Ward" : "Commune");
			/* the new unit takes its seat's code (as provinces did) */
			spec_fill(&s, seat->code, vi, en, "commune", "territorial", attrs, np->code);
		}
		if (org_merge(g->db, g->who, src, n, g->d_reform, &s, NULL, NOTE_MERGE, &out, NULL, e))
			return op_failed(e, "merge into", seat->code);
		g->st->merges++;
		g->st->units++;
	}
	g->st->new_communes++;
	return step_done(g, e);
}

/* Splits n old communes into k groups of consecutive ones (sizes 1 and up,
 * most 2 to 4), writing the sizes to sizes[0..k). */
static void cluster_sizes(rng_t *r, size_t n, size_t k, size_t *sizes)
{
	size_t extra = n - k, cap = 7;

	if (k * cap < n)
		cap = (n + k - 1) / k + 2;
	for (size_t i = 0; i < k; i++)
		sizes[i] = 1;
	while (extra > 0) {
		size_t i = rng_below(r, k);
		if (sizes[i] >= cap)
			continue;
		sizes[i]++;
		extra--;
	}
}

static int phase_reform(gen_t *g, const csv_table_t *t34, err_t *e)
{
	int c_code = csv_col(t34, "code"), c_from = csv_col(t34, "merged_from");
	size_t n = t34->n_rows, *old = calloc(n ? n : 1, sizeof(size_t)), *k = calloc(n ? n : 1, sizeof(size_t));
	newprov_t *np = calloc(n ? n : 1, sizeof(*np));
	size_t total_new = 0;
	int r = -1;

	if (!old || !k || !np) {
		err_set(e, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char buf[128], *save = NULL;
		ub_strlcpy(np[i].code, csv_field(&t34->rows[i], c_code), sizeof(np[i].code));
		ub_strlcpy(np[i].sources, csv_field(&t34->rows[i], c_from), sizeof(np[i].sources));
		np[i].members = calloc(g->n_communes, sizeof(size_t));
		if (!np[i].members) {
			err_set(e, ERR_INTERNAL, NULL, "out of memory");
			goto out;
		}
		ub_strlcpy(buf, np[i].sources, sizeof(buf));
		for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			for (size_t pi = 0; pi < g->n_provs; pi++) {
				const gprov_t *p = &g->provs[pi];
				if (strcmp(p->code, tok) != 0)
					continue;
				for (size_t dk = 0; dk < p->n_districts; dk++) {
					const gdistrict_t *d = &g->districts[p->first_district + dk];
					for (size_t j = 0; j < d->n_communes; j++)
						np[i].members[np[i].n_members++] = d->first_commune + j;
				}
			}
		old[i] = np[i].n_members;
	}
	share_new(old, n, k);
	for (size_t i = 0; i < n; i++)
		total_new += old[i] ? k[i] : 0;
	phase_start(g, "reform", total_new);
	for (size_t i = 0; i < n; i++) {
		size_t *sizes, at = 0, n_used = 0;
		char (*used)[PLACE_BUF];
		if (!old[i])
			continue;
		sizes = calloc(k[i], sizeof(size_t));
		used = calloc(k[i], PLACE_BUF);
		if (!sizes || !used) {
			free(sizes);
			free(used);
			err_set(e, ERR_INTERNAL, NULL, "out of memory");
			goto out;
		}
		cluster_sizes(&g->rng, old[i], k[i], sizes);
		for (size_t c = 0; c < k[i]; c++) {
			size_t sz = sizes[c] > MAX_SOURCES ? MAX_SOURCES : sizes[c];
			if (reform_one(g, &np[i], np[i].members + at, sz, used, &n_used, e)) {
				free(sizes);
				free(used);
				goto out;
			}
			at += sizes[c];
		}
		free(sizes);
		free(used);
	}
	r = 0;
out:
	for (size_t i = 0; np && i < n; i++)
		free(np[i].members);
	free(np);
	free(old);
	free(k);
	return r;
}

/* Each district ends on the reform day, then takes its place under its
 * province for its whole life from the province's first day. */
static int phase_districts(gen_t *g, err_t *e)
{
	phase_start(g, "districts", g->n_districts);
	for (size_t i = 0; i < g->n_districts; i++) {
		const gdistrict_t *d = &g->districts[i];
		unit_t out;
		if (org_close(g->db, g->who, d->code, g->d_reform, NOTE_CLOSE, &out, e))
			return op_failed(e, "close", d->code);
		if (org_move(g->db, g->who, d->code, g->d_from, g->provs[d->prov].code, NOTE_PLACE, &out, e))
			return op_failed(e, "move", d->code);
		if (step_done(g, e))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

/* Refuses a database that already holds districts or communes. */
static int check_empty(db_t *db, const gen_t *g, err_t *e)
{
	static const char *const levels[] = { "district", "commune" };
	date_t dates[] = { g->d_reform - 1, g->d_reform, g->who->today };

	for (size_t l = 0; l < N_OF(levels); l++)
		for (size_t k = 0; k < N_OF(dates); k++) {
			unit_query_t q = { .as_of = dates[k], .level = levels[l], .limit = 1 };
			unit_list_t list;
			size_t n;
			if (org_units_list(db, &q, &list, e))
				return -1;
			n = list.n;
			unit_list_free(&list);
			if (n)
				return err_set(e, ERR_CONFLICT, "not_empty",
					       "the database already holds %ss: generate wants one fresh from "
					       "'unionbase init' (without --demo)", levels[l]);
		}
	return 0;
}

static int check_levels(db_t *db, gen_t *g, err_t *e)
{
	static const char *const need[] = { "district", "commune", "branch" };
	level_t lv;

	for (size_t i = 0; i < N_OF(need); i++)
		if (org_level_get(db, need[i], "levels", &lv, e)) {
			err_clear(e);
			return err_set(e, ERR_INVALID, "invalid",
				       "generate needs the levels district, commune and branch (and uses group when "
				       "configured); this database has no level '%s'", need[i]);
		}
	g->has_groups = org_level_get(db, "group", "levels", &lv, e) == 0;
	if (!g->has_groups)
		err_clear(e);
	return 0;
}

int gen_country(db_t *db, const principal_t *who, const gen_opts_t *o, gen_stats_t *stats, err_t *e)
{
	const embedded_file_t *f63 = builtin("data/provinces-63.csv", e);
	const embedded_file_t *f34 = f63 ? builtin("data/provinces-34.csv", e) : NULL;
	csv_table_t t63 = { 0 }, t34 = { 0 };
	gen_t g;
	bool own = false, tx = false, in_memory = false;
	int temp_was = -1;
	int r = -1;

	memset(stats, 0, sizeof(*stats));
	memset(&g, 0, sizeof(g));
	g.db = db;
	g.who = who;
	g.o = o;
	g.st = stats;
	g.growth = (store_growth_t)STORE_GROWTH_INIT;
	g.rng.s = o->seed ^ 0x756E696F6E626173ULL; /* "unionbas" */
	if (!(o->scale >= GEN_SCALE_MIN && o->scale <= GEN_SCALE_MAX))
		return err_set(e, ERR_INVALID, "invalid", "the scale must lie between %g and %g", GEN_SCALE_MIN,
			       GEN_SCALE_MAX);
	if (o->provinces < 0)
		return err_set(e, ERR_INVALID, "invalid", "the number of provinces cannot be negative");
	date_parse(DISTRICT_FROM, &g.d_district);
	date_parse(PROVINCE_FROM, &g.d_from);
	date_parse(REFORM_DATE, &g.d_reform);
	if (!f34)
		return -1;
	if (csv_table_parse((const char *)f63->data, f63->len, &t63, e) ||
	    csv_table_parse((const char *)f34->data, f34->len, &t34, e))
		goto out;
	if (store_bulk_writes(db, e))
		goto out;
	/* a transaction of the caller's keeps its own storage */
	if (!db_in_transaction(db)) {
		if (store_temp_in_memory(db, &temp_was, e))
			goto out;
		in_memory = true;
	}
	if (store_tx_begin(db, &own, e))
		goto out;
	tx = true;
	/* the figures are counted once at the end, not at each of the
	 * hundred thousand units' changes (each counted the units' members
	 * afresh: 2.3 ms a unit, most of it the count's own set-up) */
	if (check_levels(db, &g, e) || check_empty(db, &g, e) || plan_provinces(&g, &t63, e) ||
	    member_tally_suspend(db, e))
		goto out;
	{
		size_t di = 0, ci = 0;
		for (size_t pi = 0; pi < g.n_provs; pi++)
			if (plan_province(&g, pi, &di, &ci, e))
				goto out;
	}
	if (phase_create(&g, e) || phase_reform(&g, &t34, e) || phase_districts(&g, e) || store_analyze(db, e) ||
	    member_tally_rebuild(db, e))
		goto out;
	r = 0;
out:
	if (tx)
		r = store_tx_end(db, own, r, e);
	if (in_memory) {
		err_t later;
		/* the members that may follow on this connection sort gigabytes
		 * in temporary tables: back to their file. Should that fail
		 * (never seen), the tree stands committed and the run fails
		 * before them. */
		err_clear(&later);
		if (store_temp_put_back(db, temp_was, &later))
			r = r ? -1
			      : err_set(e, ERR_INTERNAL, NULL,
					"the tree is made, but its temporary storage was not put back: %s", later.message);
	}
	csv_table_free(&t63);
	csv_table_free(&t34);
	free(g.provs);
	free(g.districts);
	free(g.communes);
	if (r)
		memset(stats, 0, sizeof(*stats));
	return r;
}
