/*
 * indicator.c - see indicator.h.
 */
#include "core/indicator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SOURCES[] = { "computed", "entered", "formula" };
static const char *const ROLLUPS[] = { "sum", "ratio", "latest", "none" };

/* What store/reports.c can take from member_stats for a unit and period. */
static const char *const FIGURES[] = { "members",  "members_digital", "members_honorary", "branches",
				       "joined",   "left",            "transfers_in",     "transfers_out",
				       "dues_paid", "dues_amount" };

static int name_index(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *ind_source_name(ind_source_t s)
{
	return (unsigned)s < sizeof(SOURCES) / sizeof(SOURCES[0]) ? SOURCES[s] : "";
}

int ind_source_parse(const char *s, ind_source_t *out)
{
	int i = name_index(s, SOURCES, sizeof(SOURCES) / sizeof(SOURCES[0]));

	if (i < 0)
		return -1;
	*out = (ind_source_t)i;
	return 0;
}

const char *ind_rollup_name(ind_rollup_t r)
{
	return (unsigned)r < sizeof(ROLLUPS) / sizeof(ROLLUPS[0]) ? ROLLUPS[r] : "";
}

int ind_rollup_parse(const char *s, ind_rollup_t *out)
{
	int i = name_index(s, ROLLUPS, sizeof(ROLLUPS) / sizeof(ROLLUPS[0]));

	if (i < 0)
		return -1;
	*out = (ind_rollup_t)i;
	return 0;
}

bool ind_code_valid(const char *s)
{
	size_t n = 0;

	if (!s || !(*s >= 'a' && *s <= 'z'))
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n <= IND_CODE_MAX;
}

bool ind_figure_known(const char *figure)
{
	return name_index(figure, FIGURES, sizeof(FIGURES) / sizeof(FIGURES[0])) >= 0;
}

bool ind_entered_at(const indicator_t *ind, const char *level)
{
	size_t n = strlen(level);

	for (const char *p = ind->levels; n && (p = strstr(p, level)); p += n)
		if ((p == ind->levels || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

int ind_terms(const char *terms, char (*codes)[IND_CODE_MAX + 1], size_t cap, size_t *n)
{
	char buf[IND_TERMS_BUF], *save = NULL;

	*n = 0;
	if (strlen(terms) >= sizeof(buf))
		return -1;
	memcpy(buf, terms, strlen(terms) + 1);
	for (char *t = strtok_r(buf, " +", &save); t; t = strtok_r(NULL, " +", &save)) {
		if (*n == cap || !ind_code_valid(t))
			return -1;
		memcpy(codes[*n], t, strlen(t) + 1);
		++*n;
	}
	return 0;
}

int ind_milli_parse(const char *s, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	int decimals = 0;
	bool neg = false, digits = false;
	const char *p = s;

	if (!s)
		return -1;
	if (*p == '-') {
		neg = true;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++, digits = true) {
		if (whole > IND_VALUE_MAX / IND_MILLI / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits = true) {
			if (++decimals > IND_MAX_DECIMALS)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
	if (*p || !digits)
		return -1;
	for (int i = decimals; i < IND_MAX_DECIMALS; i++)
		frac *= 10;
	*out = (whole * IND_MILLI + frac) * (neg ? -1 : 1);
	return 0;
}

int ind_milli_from_double(double v, int decimals, int64_t *out)
{
	double scaled = v * IND_MILLI, step = 1;

	if (!isfinite(v) || fabs(scaled) > (double)IND_VALUE_MAX)
		return -1;
	for (int i = decimals; i < IND_MAX_DECIMALS; i++)
		step *= 10;
	/* a value that needs more decimals than the indicator has is refused,
	 * but a double's own error (0.1 + 0.2) is not more decimals */
	double units = scaled / step;
	if (fabs(units - round(units)) > 1e-6)
		return -1;
	*out = (int64_t)llround(round(units) * step);
	return 0;
}

double ind_milli_to_double(int64_t v)
{
	return (double)v / IND_MILLI;
}

int ind_ratio(int64_t num, int64_t den, int64_t factor, int64_t *out)
{
	long double r;

	if (den == 0)
		return -1;
	/* num/den are both thousandths, factor too: (num / den) * factor */
	r = (long double)num * (long double)factor / (long double)den;
	if (fabsl(r) > (long double)IND_VALUE_MAX)
		return -1;
	*out = (int64_t)llroundl(r);
	return 0;
}

void ind_milli_format(int64_t v, char *out, size_t cap)
{
	int64_t a = v < 0 ? -v : v;
	int64_t frac = a % IND_MILLI;
	int n = snprintf(out, cap, "%s%lld", v < 0 ? "-" : "", (long long)(a / IND_MILLI));

	if (frac && n > 0 && (size_t)n < cap) {
		char f[8];
		snprintf(f, sizeof(f), "%03lld", (long long)frac);
		for (int i = 2; i > 0 && f[i] == '0'; i--)
			f[i] = '\0';
		snprintf(out + n, cap - (size_t)n, ".%s", f);
	}
}

int ind_check_value(const indicator_t *ind, int64_t v, const char *field, err_t *e)
{
	char lim[32];

	if (ind->has_min && v < ind->min) {
		ind_milli_format(ind->min, lim, sizeof(lim));
		return err_field(e, field, "below_min", "is below {limit}", ERR_STR("limit", lim));
	}
	if (ind->has_max && v > ind->max) {
		ind_milli_format(ind->max, lim, sizeof(lim));
		return err_field(e, field, "above_max", "is above {limit}", ERR_STR("limit", lim));
	}
	return 0;
}

int ind_check_at_most(const indicator_t *ind, int64_t v, int64_t limit, const char *field, err_t *e)
{
	char lim[32];

	if (!ind->at_most[0] || v <= limit)
		return 0;
	ind_milli_format(limit, lim, sizeof(lim));
	return err_field(e, field, "above_other", "is above {other} ({limit})", ERR_STR("other", ind->at_most),
			 ERR_STR("limit", lim));
}

bool ind_change_warns(const indicator_t *ind, int64_t v, int64_t before)
{
	long double change;

	if (!ind->has_change_warn || before == 0)
		return false;
	change = fabsl(((long double)v - (long double)before) / (long double)before);
	return change * IND_MILLI > (long double)ind->change_warn;
}

bool ind_needs_explanation(const indicator_t *ind, int64_t v, int64_t computed)
{
	int64_t d = v > computed ? v - computed : computed - v;

	return d > (ind->has_tolerance ? ind->tolerance : 0);
}

int64_t ind_round(int64_t v, int decimals)
{
	int64_t step = 1;

	if (decimals < 0 || decimals >= IND_MAX_DECIMALS)
		return v;
	for (int i = decimals; i < IND_MAX_DECIMALS; i++)
		step *= 10;
	return v >= 0 ? (v + step / 2) / step * step : -((-v + step / 2) / step * step);
}
