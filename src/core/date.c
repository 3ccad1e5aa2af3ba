/*
 * date.c - see date.h. Days and calendar dates convert by H. Hinnant's
 * "chrono-Compatible Low-Level Date Algorithms" (days_from_civil and
 * civil_from_days, placed in the public domain:
 * https://howardhinnant.github.io/date_algorithms.html), not the C
 * library's timegm and gmtime_r, which this file used until they showed
 * in the profiles: each takes the time zone's lock, and timegm searches
 * by repeated conversions (8% of an import's check of a million rows,
 * 2026-12-06; the generator formats hundreds of millions of days). The
 * unit tests compare with the C library over every day from 1900 to 2200
 * and every 7th to 9999, and refuse the day after each month's last.
 */
#include "core/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const date_t DATE_OPEN = 2932896; /* 9999-12-31; checked in the unit tests */
const date_t DATE_FIRST = -25567; /* 1900-01-01; checked in the unit tests */

static int two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool leap_year(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int y, int m)
{
	static const int DAYS[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap_year(y) ? 29 : DAYS[m - 1];
}

/* Hinnant's days_from_civil: days since 1970-01-01 of y-m-d, in eras of
 * 400 years (146,097 days) from 0000-03-01. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                  /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

void date_ymd(date_t d, int *y, int *m, int *day)
{
	int64_t z = (int64_t)d + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                       /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                     /* [0, 11] from March */

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int date_from_ymd(int y, int m, int day, date_t *out)
{
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 1 || m > 12 || day < 1 || day > days_in_month(y, m))
		return -1;
	*out = (date_t)days_from_civil(y, m, day);
	return 0;
}

int date_parse(const char *s, date_t *out)
{
	int i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	return date_from_ymd(two_digits(s) * 100 + two_digits(s + 2), two_digits(s + 5), two_digits(s + 8), out);
}

char *date_format(date_t d, char buf[DATE_STR_LEN])
{
	int yy, mm, ddd;
	unsigned y, m, dd;

	date_ymd(d, &yy, &mm, &ddd);
	y = (unsigned)yy % 10000u;
	m = (unsigned)mm % 100u;
	dd = (unsigned)ddd % 100u;
	/* the digits by hand: a generator formats hundreds of millions of
	 * days, and snprintf was most of the cost of each */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + dd / 10);
	buf[9] = (char)('0' + dd % 10);
	buf[10] = '\0';
	return buf;
}

date_t date_today(void)
{
	const char *pinned = getenv("UNIONBASE_TODAY");
	time_t now = time(NULL);
	struct tm lt;
	char buf[DATE_STR_LEN];
	date_t d = 0;

	if (pinned && *pinned && date_parse(pinned, &d) == 0)
		return d;
	if (!localtime_r(&now, &lt))
		return (date_t)(now / 86400);
	snprintf(buf, sizeof(buf), "%04u-%02u-%02u", (unsigned)(lt.tm_year + 1900) % 10000u,
		 (unsigned)(lt.tm_mon + 1) % 100u, (unsigned)lt.tm_mday % 100u);
	if (date_parse(buf, &d) != 0)
		return (date_t)(now / 86400);
	return d;
}

bool date_in(date_t d, date_t from, date_t to)
{
	return d >= from && d < to;
}

date_t date_year_start(date_t d)
{
	char buf[DATE_STR_LEN];
	date_t out = d;

	date_format(d, buf);
	memcpy(buf + 4, "-01-01", 7);
	return date_parse(buf, &out) == 0 ? out : d;
}
