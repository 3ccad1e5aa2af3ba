/*
 * person.h - the rules of a member's record that need no database: her
 * name, ID number, phone number and age (issue 15, item 3).
 *
 * Each check adds a detail on the field it is given (the API's member name,
 * "id_number") with a machine code and the parameters the message needs,
 * and returns -1; 0 when the value is good. The caller collects the details
 * of every field before refusing, so a form learns all its problems at
 * once.
 *
 * Sources:
 * - Members are Vietnamese women aged 18 or over; honorary members may be
 *   of any sex (Điều lệ Hội LHPN Việt Nam, khóa XIII, Điều 3; docs/members.md).
 * - The 12-digit citizen identity number (CCCD, "số định danh cá nhân"):
 *   digits 1-3 the code of the province where the birth was registered,
 *   digit 4 the century of birth and sex (1900-1999: man 0, woman 1;
 *   2000-2099: man 2, woman 3), digits 5-6 the last two digits of the year
 *   of birth (Nghị định 137/2015/NĐ-CP, Điều 13; Thông tư 59/2021/TT-BCA,
 *   Điều 4, which replaced Thông tư 07/2016/TT-BCA). The province codes are
 *   those of the 63 provinces (data/provinces-63.csv) preceded by 0: the
 *   2025 reform changed no ID number. The old 9-digit CMND is accepted and
 *   flagged as such.
 * - Phone numbers: Vietnam's numbering plan since 2018 (Thông tư
 *   22/2014/TT-BTTTT as amended): mobile numbers are 0 + 9 digits beginning
 *   3, 5, 7, 8 or 9; fixed lines 0 + 10 digits beginning 2 (area code 2xx).
 *   Stored as +84 and the national number.
 *
 * Ownership: the *out of person_name and person_sort_key is malloc'd; the
 * caller frees it.
 */
#ifndef UB_PERSON_H
#define UB_PERSON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/err.h"

#define PERSON_NAME_MAX 100  /* characters */
#define PERSON_ID_BUF 13     /* 12 digits + NUL */
#define PERSON_PHONE_BUF 16  /* "+84" + up to 10 digits + NUL, with room */
#define MEMBER_MIN_AGE 18
#define PERSON_MAX_AGE 120

typedef enum person_sex { SEX_FEMALE = 0, SEX_MALE = 1 } person_sex_t;
typedef enum member_kind { MEMBER_REGULAR = 0, MEMBER_HONORARY = 1 } member_kind_t;
typedef enum person_id_kind { ID_NONE = 0, ID_CCCD = 1, ID_CMND = 2 } person_id_kind_t;

/* "female"/"male", "member"/"honorary", "cccd"/"cmnd"/NULL. */
const char *person_sex_name(person_sex_t s);
const char *member_kind_name(member_kind_t k);
const char *person_id_kind_name(person_id_kind_t k);
/* Parses the names above; -1 for anything else. */
int person_sex_parse(const char *s, person_sex_t *out);
int member_kind_parse(const char *s, member_kind_t *out);

/* The Vietnamese sort key of a full name (text_sort_key) taken in the
 * order names are sorted in: given name, then middle names, then family
 * name ("Nguyễn Thị Hoa" sorts as "Hoa Thị Nguyễn"). *out malloc'd.
 * Returns 0 or -1 (invalid UTF-8, no memory). */
int person_sort_key(const char *full_name, char **out);

/* A person's full name as written: NFC, trimmed, inner white space
 * collapsed to one space. Details: required (empty or blank), format_chars
 * (an invisible formatting character), bad_characters (anything but
 * letters, marks, spaces and ' - . : a digit in a name is a typing slip),
 * too_long (over PERSON_NAME_MAX characters). */
int person_name(const char *in, const char *field, char **out, err_t *e);

/* The number of whole years from birth to day on (her age that day). */
int person_age(date_t birth, date_t on);

/* The last date of birth of one who is `age` or older on day on: she is
 * age or older exactly when born on it or before (person_age's rule, 29
 * February included), so that a store can count ages by comparing dates. */
date_t person_born_by(date_t on, int age);

/* A word of the household circumstances (folded: lower case) that may be
 * counted for callers without sensitive.read: poor, near_poor,
 * single_mother, migrant_worker. Not disabled (health, sensitive under Law
 * 91/2025/QH15) nor any other word, which free text may make anything. */
bool person_circumstance_public(const char *word);

/* A date of birth on day today: not after it (in_future), at most
 * PERSON_MAX_AGE years before it (out_of_range, max). */
int person_check_birth(date_t birth, date_t today, const char *field, err_t *e);

/* Nobody joins before she is born: before_birth (date: the birth); a
 * member (not an honorary member) is MEMBER_MIN_AGE or over on the day
 * she joins: under_age (min, date) on field. */
int person_check_join_age(date_t birth, date_t joined, member_kind_t kind, const char *field, err_t *e);

/* An ID number: spaces and dots removed, 12 digits (CCCD) or 9 (CMND), into
 * out; *kind says which. A CCCD is checked against the record when
 * has_birth: id_province (value: the 3-digit code), id_century (the 4th
 * digit does not fit the year of birth), id_sex (it does not fit her sex;
 * only for a member), id_birth_year (digits 5-6). Anything else:
 * not_an_id_number. */
int person_id_number(const char *in, bool has_birth, date_t birth, person_sex_t sex, member_kind_t kind,
		     const char *field, char out[PERSON_ID_BUF], person_id_kind_t *kind_out, err_t *e);

/* A Vietnamese phone number as people write it ("0912 345 678",
 * "+84 912.345.678", "(024) 3825 1234", "84912345678") into out as
 * "+84912345678". Anything else: not_a_phone. */
int person_phone(const char *in, const char *field, char out[PERSON_PHONE_BUF], err_t *e);

#endif
