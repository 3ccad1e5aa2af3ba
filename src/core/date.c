/*
 * date.c - see date.h. Conversions go through the C library (timegm and
 * gmtime_r) rather than a calendar routine of our own.
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

int date_parse(const char *s, date_t *out)
{
	struct tm tm, back, want;
	time_t t;
	int i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = two_digits(s) * 100 + two_digits(s + 2) - 1900;
	tm.tm_mon = two_digits(s + 5) - 1;
	tm.tm_mday = two_digits(s + 8);
	tm.tm_hour = 12; /* away from any day boundary */
	if (tm.tm_year + 1900 < DATE_MIN_YEAR || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1)
		return -1;
	want = tm;
	t = timegm(&tm);
	if (t == (time_t)-1 || !gmtime_r(&t, &back))
		return -1;
	/* timegm normalises 2025-02-30 into March: a round trip catches it. */
	if (back.tm_year != want.tm_year || back.tm_mon != want.tm_mon || back.tm_mday != want.tm_mday)
		return -1;
	/* t is noon: t - 12 h is a whole number of days, also before 1970 */
	*out = (date_t)((t - 43200) / 86400);
	return 0;
}

char *date_format(date_t d, char buf[DATE_STR_LEN])
{
	struct tm tm;
	time_t t = (time_t)d * 86400 + 43200;
	unsigned y, m, dd;

	if (gmtime_r(&t, &tm)) {
		y = (unsigned)(tm.tm_year + 1900) % 10000u;
		m = (unsigned)(tm.tm_mon + 1) % 100u;
		dd = (unsigned)tm.tm_mday % 100u;
	} else {
		y = m = dd = 0; /* 0000-00-00 */
	}
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
