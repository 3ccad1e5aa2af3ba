/*
 * date.h - calendar dates as day numbers.
 *
 * A date_t counts days since 1970-01-01 (proleptic Gregorian), so intervals
 * compare with < and the day before is d - 1. Validity intervals in unionbase
 * are half-open [from, to): `to` is the first day the state no longer holds,
 * and DATE_OPEN marks "still holds" (stored as 9999-12-31). Users see the last
 * day (to - 1) or null.
 */
#ifndef UB_DATE_H
#define UB_DATE_H

#include <stdbool.h>
#include <stdint.h>

typedef int32_t date_t;

#define DATE_STR_LEN 11      /* "YYYY-MM-DD" + NUL */
#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 9999
extern const date_t DATE_OPEN;  /* 9999-12-31 */
extern const date_t DATE_FIRST; /* 1900-01-01, the first day date_parse accepts */

/* Parses exactly "YYYY-MM-DD" (a real calendar day, year 1900..9999).
 * Returns 0 and sets *out, or -1 on anything else. */
int date_parse(const char *s, date_t *out);

/* Writes "YYYY-MM-DD" into buf (DATE_STR_LEN bytes). Returns buf. */
char *date_format(date_t d, char buf[DATE_STR_LEN]);

/* The year, month (1-12) and day of the month of d. */
void date_ymd(date_t d, int *y, int *m, int *day);

/* The day y-m-day (a real calendar day, year 1900..9999) into *out.
 * Returns 0, or -1 on anything else. */
int date_from_ymd(int y, int m, int day, date_t *out);

/* Today: UNIONBASE_TODAY=YYYY-MM-DD when it is set to a valid date (tests,
 * demos, training), else the day in the local time zone. The one place
 * unionbase reads the clock for "today": call it once at the edge (per
 * request, per command) and pass the day down. */
date_t date_today(void);

/* 1 January of d's year. */
date_t date_year_start(date_t d);

/* True when d lies in [from, to). */
bool date_in(date_t d, date_t from, date_t to);

#endif
