/*
 * person.c - see person.h.
 */
#include "core/person.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/text.h"

/* The codes of the 63 provinces as they stood before 2025
 * (data/provinces-63.csv; tests/unit/test_person.c checks the two agree). */
static const char *const PROVINCE_63[] = {
	"01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25",
	"26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45", "46", "48",
	"49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70", "72", "74", "75",
	"77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96",
};

const char *person_sex_name(person_sex_t s)
{
	return s == SEX_MALE ? "male" : "female";
}

const char *member_kind_name(member_kind_t k)
{
	return k == MEMBER_HONORARY ? "honorary" : "member";
}

const char *person_id_kind_name(person_id_kind_t k)
{
	return k == ID_CCCD ? "cccd" : k == ID_CMND ? "cmnd" : NULL;
}

int person_sex_parse(const char *s, person_sex_t *out)
{
	if (s && strcmp(s, "female") == 0)
		*out = SEX_FEMALE;
	else if (s && strcmp(s, "male") == 0)
		*out = SEX_MALE;
	else
		return -1;
	return 0;
}

int member_kind_parse(const char *s, member_kind_t *out)
{
	if (s && strcmp(s, "member") == 0)
		*out = MEMBER_REGULAR;
	else if (s && strcmp(s, "honorary") == 0)
		*out = MEMBER_HONORARY;
	else
		return -1;
	return 0;
}

/* ---- names ---- */

/* c: cp's category (utf8proc_category), looked up once per character */
static bool is_space(int32_t cp, utf8proc_category_t c)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || c == UTF8PROC_CATEGORY_ZS;
}

static bool name_char(int32_t cp, utf8proc_category_t c)
{
	if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) /* letters and marks */
		return true;
	return cp == '\'' || cp == 0x2019 /* ’ */ || cp == '-' || cp == '.';
}

static bool is_mark(utf8proc_category_t c)
{
	return c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
}

/* Marks that may follow one letter once composed (NFC): Vietnamese has none
 * left then; a letter NFC cannot compose keeps one. Marks stacked beyond
 * that ("A" and sixty acute accents) only draw over the lines around
 * them. */
#define NAME_MARKS_MAX 1

/* Copies nfc into a new string with runs of white space made one space
 * (nfc is trimmed already); the first character that may not stand in a
 * name into *bad (0 when none): a mark with no letter before it, or one
 * beyond NAME_MARKS_MAX on a letter, is such a character. NULL when memory
 * runs out. */
static char *collapse_spaces(const char *nfc, int32_t *bad)
{
	size_t len = strlen(nfc), o = 0;
	char *out = malloc(len + 1);
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)nfc;
	bool in_space = false, after_letter = false;
	int marks = 0;

	*bad = 0;
	if (!out)
		return NULL;
	while (*p) {
		int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0)
			break; /* cannot happen: text_nfc gave valid UTF-8 */
		utf8proc_category_t c = utf8proc_category(cp);
		if (is_space(cp, c)) {
			in_space = true;
			after_letter = false;
			marks = 0;
		} else {
			if (in_space && o)
				out[o++] = ' ';
			bool mark = is_mark(c);
			marks = mark ? marks + 1 : 0;
			if (!*bad && (!name_char(cp, c) || (mark && (!after_letter || marks > NAME_MARKS_MAX))))
				*bad = cp;
			if (!mark)
				after_letter = c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
			in_space = false;
			memcpy(out + o, p, (size_t)n);
			o += (size_t)n;
		}
		p += n;
	}
	out[o] = '\0';
	return out;
}

int person_name(const char *in, const char *field, char **out, err_t *e)
{
	char *nfc = NULL, *name;
	int32_t bad, fmt;
	char shown[8] = "";

	*out = NULL;
	if (!in || text_blank(in))
		return err_field(e, field, "required", "is required");
	fmt = text_format_char(in);
	if (fmt) {
		char cp[12];
		text_code_point_name(fmt, cp, sizeof(cp));
		return err_field(e, field, "format_chars", "holds an invisible formatting character ({value})",
				 ERR_STR("value", cp));
	}
	if (text_nfc(in, &nfc))
		return err_field(e, field, "not_text", "is not text");
	name = collapse_spaces(nfc, &bad);
	free(nfc);
	if (!name)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	if (bad) {
		utf8proc_encode_char(bad, (utf8proc_uint8_t *)shown);
		free(name);
		return err_field(e, field, "bad_characters", "holds '{value}', which has no place in a name",
				 ERR_STR("value", shown));
	}
	if (text_length(name) > PERSON_NAME_MAX) {
		free(name);
		return err_field(e, field, "too_long", "is too long (at most {max} characters)",
				 ERR_INT("max", PERSON_NAME_MAX));
	}
	*out = name;
	return 0;
}

int person_sort_key(const char *full_name, char **out)
{
	size_t len = strlen(full_name);
	char *order = malloc(len + 2);
	const char *last, *first;
	int r;

	*out = NULL;
	if (!order)
		return -1;
	/* "Nguyễn Thị Minh Hoa" -> "Hoa Thị Minh Nguyễn": the given name (the
	 * last word), the middle names, the family name (the first word) */
	last = strrchr(full_name, ' ');
	first = strchr(full_name, ' ');
	if (!last)
		snprintf(order, len + 2, "%s", full_name);
	else if (first == last)
		snprintf(order, len + 2, "%s %.*s", last + 1, (int)(first - full_name), full_name);
	else
		snprintf(order, len + 2, "%s %.*s %.*s", last + 1, (int)(last - first - 1), first + 1,
			 (int)(first - full_name), full_name);
	r = text_sort_key(order, out);
	free(order);
	return r;
}

/* ---- dates ---- */

int person_age(date_t birth, date_t on)
{
	int by, bm, bd, y, m, d, age;

	date_ymd(birth, &by, &bm, &bd);
	date_ymd(on, &y, &m, &d);
	age = y - by;
	/* born on 29 February: a year older on 1 March of a common year */
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

date_t person_born_by(date_t on, int age)
{
	/* person_age falls as the birth moves later: the last birth that
	 * still gives `age`, by bisection over a range that holds it */
	date_t lo = on - (date_t)(age + 1) * 367, hi = on - (date_t)(age > 0 ? age - 1 : 0) * 365 + 1;

	while (hi - lo > 1) {
		date_t mid = lo + (hi - lo) / 2;
		if (person_age(mid, on) >= age)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

bool person_circumstance_public(const char *word)
{
	static const char *const PUBLIC[] = { "poor", "near_poor", "single_mother", "migrant_worker" };

	for (size_t i = 0; i < sizeof(PUBLIC) / sizeof(PUBLIC[0]); i++)
		if (strcmp(word, PUBLIC[i]) == 0)
			return true;
	return false;
}

int person_check_birth(date_t birth, date_t today, const char *field, err_t *e)
{
	if (birth > today)
		return err_field(e, field, "in_future", "is after today ({date})", ERR_DATE("date", today));
	if (person_age(birth, today) > PERSON_MAX_AGE)
		return err_field(e, field, "out_of_range", "is more than {max} years ago", ERR_INT("max", PERSON_MAX_AGE));
	return 0;
}

int person_check_join_age(date_t birth, date_t joined, member_kind_t kind, const char *field, err_t *e)
{
	if (joined < birth)
		return err_field(e, field, "before_birth", "is before her date of birth ({date})", ERR_DATE("date", birth));
	if (kind == MEMBER_HONORARY || person_age(birth, joined) >= MEMBER_MIN_AGE)
		return 0;
	return err_field(e, field, "under_age", "she is under {min} on {date}", ERR_INT("min", MEMBER_MIN_AGE),
			 ERR_DATE("date", joined));
}

/* ---- ID numbers ---- */

/* in without spaces and dots into out (at most cap - 1 characters);
 * false when anything but digits remains or it does not fit. */
static bool digits_only(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '.')
			continue;
		if (*p < '0' || *p > '9' || n + 1 >= cap)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return true;
}

static bool province_63(const char *two)
{
	for (size_t i = 0; i < sizeof(PROVINCE_63) / sizeof(PROVINCE_63[0]); i++)
		if (two[0] == PROVINCE_63[i][0] && two[1] == PROVINCE_63[i][1])
			return true;
	return false;
}

/* The CCCD's own checks against the record (person.h). */
static int check_cccd(const char *id, date_t birth, person_sex_t sex, member_kind_t kind, const char *field, err_t *e)
{
	char prov[4] = { id[0], id[1], id[2], '\0' }, yy[3] = { id[4], id[5], '\0' };
	int y, m, d, digit = id[3] - '0', bad = 0;

	if (id[0] != '0' || !province_63(id + 1))
		bad += err_field(e, field, "id_province", "begins with {value}, which is no province's code",
				 ERR_STR("value", prov)) != 0;
	date_ymd(birth, &y, &m, &d);
	if (digit / 2 != (y - 1900) / 100 || y < 1900 || y > 2099)
		bad += err_field(e, field, "id_century", "has a 4th digit that does not fit a birth in {year}",
				 ERR_INT("year", y)) != 0;
	else if (kind == MEMBER_REGULAR && digit % 2 != (sex == SEX_FEMALE ? 1 : 0))
		bad += err_field(e, field, "id_sex", "has a 4th digit that does not fit her sex") != 0;
	if ((yy[0] - '0') * 10 + (yy[1] - '0') != y % 100)
		bad += err_field(e, field, "id_birth_year", "has {value} for the year of birth, not {year}",
				 ERR_STR("value", yy), ERR_INT("year", y)) != 0;
	return bad ? -1 : 0;
}

int person_id_number(const char *in, bool has_birth, date_t birth, person_sex_t sex, member_kind_t kind,
		     const char *field, char out[PERSON_ID_BUF], person_id_kind_t *kind_out, err_t *e)
{
	char buf[PERSON_ID_BUF] = { 0 };
	size_t n;

	*kind_out = ID_NONE;
	out[0] = '\0';
	if (!in || !digits_only(in, buf, sizeof(buf)) || ((n = strlen(buf)) != 12 && n != 9))
		return err_field(e, field, "not_an_id_number", "is not an ID number (12 digits, or 9 for an old CMND)");
	if (n == 12 && has_birth && check_cccd(buf, birth, sex, kind, field, e))
		return -1;
	memcpy(out, buf, n + 1);
	*kind_out = n == 12 ? ID_CCCD : ID_CMND;
	return 0;
}

/* ---- phone numbers ---- */

int person_phone(const char *in, const char *field, char out[PERSON_PHONE_BUF], err_t *e)
{
	char digits[24];
	const char *nsn;
	size_t n = 0, len;

	out[0] = '\0';
	for (const char *p = in ? in : ""; *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-' || *p == '(' || *p == ')' || (*p == '+' && n == 0))
			continue;
		if (*p < '0' || *p > '9' || n + 1 >= sizeof(digits))
			return err_field(e, field, "not_a_phone", "is not a Vietnamese phone number");
		digits[n++] = *p;
	}
	digits[n] = '\0';
	/* the national significant number, after 0 or the country code 84 */
	if (digits[0] == '0')
		nsn = digits + 1;
	else if (strncmp(digits, "84", 2) == 0 && (n == 11 || n == 12))
		nsn = digits + 2;
	else
		return err_field(e, field, "not_a_phone", "is not a Vietnamese phone number");
	len = strlen(nsn);
	if (!((len == 9 && strchr("35789", nsn[0])) || (len == 10 && nsn[0] == '2')))
		return err_field(e, field, "not_a_phone", "is not a Vietnamese phone number");
	memcpy(out, "+84", 3);
	memcpy(out + 3, nsn, len + 1);
	return 0;
}
