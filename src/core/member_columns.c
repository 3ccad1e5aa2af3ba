/*
 * member_columns.c - see member_columns.h. The aliases are written folded
 * (no marks, lower case, đ as d) with single spaces for punctuation, the
 * form a header is brought to before it is compared.
 */
#include "core/member_columns.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/legacy_vn.h"
#include "core/text.h"

static const char *const KEYS[MCOL_COUNT] = {
	"",           "seq",       "full_name",  "birth_date",    "sex",       "kind",
	"unit",       "joined_on", "ethnicity",  "id_number",     "phone",     "religion",
	"education",  "qualification", "political_theory", "occupation", "hamlet", "street",
	"circumstances", "digital", "party_member", "notes",
};

typedef struct alias {
	mcol_t field;
	const char *text;
} alias_t;

/* From the member lists of unions and the forms of the Vietnam Women's
 * Union (Sổ danh sách hội viên; Mẫu 2A/HVPN), and the English names. */
static const alias_t ALIASES[] = {
	{ MCOL_SEQ, "stt" }, { MCOL_SEQ, "tt" }, { MCOL_SEQ, "so tt" }, { MCOL_SEQ, "so thu tu" },
	{ MCOL_SEQ, "no" }, { MCOL_SEQ, "number" },

	{ MCOL_FULL_NAME, "ho va ten" }, { MCOL_FULL_NAME, "ho ten" }, { MCOL_FULL_NAME, "hoten" },
	{ MCOL_FULL_NAME, "ho va ten hoi vien" }, { MCOL_FULL_NAME, "ten hoi vien" }, { MCOL_FULL_NAME, "ten" },
	{ MCOL_FULL_NAME, "full name" }, { MCOL_FULL_NAME, "name" },

	{ MCOL_BIRTH_DATE, "ngay sinh" }, { MCOL_BIRTH_DATE, "ngay thang nam sinh" }, { MCOL_BIRTH_DATE, "ns" },
	{ MCOL_BIRTH_DATE, "sinh ngay" }, { MCOL_BIRTH_DATE, "ngay thang sinh" }, { MCOL_BIRTH_DATE, "nam sinh" },
	{ MCOL_BIRTH_DATE, "date of birth" }, { MCOL_BIRTH_DATE, "birth date" }, { MCOL_BIRTH_DATE, "dob" },
	{ MCOL_BIRTH_DATE, "born" },

	{ MCOL_SEX, "gioi tinh" }, { MCOL_SEX, "gioi" }, { MCOL_SEX, "gt" }, { MCOL_SEX, "sex" },
	{ MCOL_SEX, "gender" }, { MCOL_SEX, "nam nu" },

	{ MCOL_KIND, "loai hoi vien" }, { MCOL_KIND, "loai" }, { MCOL_KIND, "kind" }, { MCOL_KIND, "hoi vien danh du" },

	{ MCOL_UNIT, "chi hoi" }, { MCOL_UNIT, "to hoi" }, { MCOL_UNIT, "chi to hoi" }, { MCOL_UNIT, "ma chi hoi" },
	{ MCOL_UNIT, "ten chi hoi" }, { MCOL_UNIT, "sinh hoat tai chi hoi" }, { MCOL_UNIT, "don vi" },
	{ MCOL_UNIT, "branch" }, { MCOL_UNIT, "unit" },

	{ MCOL_JOINED_ON, "ngay vao hoi" }, { MCOL_JOINED_ON, "ngay ket nap" }, { MCOL_JOINED_ON, "ngay gia nhap" },
	{ MCOL_JOINED_ON, "ngay tham gia" }, { MCOL_JOINED_ON, "ngay vao" }, { MCOL_JOINED_ON, "vao hoi" },
	{ MCOL_JOINED_ON, "ngay gia nhap hoi" }, { MCOL_JOINED_ON, "joined" }, { MCOL_JOINED_ON, "joined on" },
	{ MCOL_JOINED_ON, "date joined" },

	{ MCOL_ETHNICITY, "dan toc" }, { MCOL_ETHNICITY, "ethnicity" }, { MCOL_ETHNICITY, "ethnic group" },

	{ MCOL_ID_NUMBER, "so cccd" }, { MCOL_ID_NUMBER, "cccd" }, { MCOL_ID_NUMBER, "so can cuoc" },
	{ MCOL_ID_NUMBER, "can cuoc" }, { MCOL_ID_NUMBER, "so can cuoc cong dan" }, { MCOL_ID_NUMBER, "so dinh danh" },
	{ MCOL_ID_NUMBER, "so dinh danh ca nhan" }, { MCOL_ID_NUMBER, "ma dinh danh" }, { MCOL_ID_NUMBER, "cmnd" },
	{ MCOL_ID_NUMBER, "so cmnd" }, { MCOL_ID_NUMBER, "cmnd cccd" }, { MCOL_ID_NUMBER, "so cmnd cccd" },
	{ MCOL_ID_NUMBER, "id number" }, { MCOL_ID_NUMBER, "identity number" },

	{ MCOL_PHONE, "so dien thoai" }, { MCOL_PHONE, "dien thoai" }, { MCOL_PHONE, "sdt" },
	{ MCOL_PHONE, "so dt" }, { MCOL_PHONE, "dt di dong" }, { MCOL_PHONE, "di dong" }, { MCOL_PHONE, "phone" },
	{ MCOL_PHONE, "mobile" }, { MCOL_PHONE, "telephone" },

	{ MCOL_RELIGION, "ton giao" }, { MCOL_RELIGION, "religion" },

	{ MCOL_EDUCATION, "trinh do hoc van" }, { MCOL_EDUCATION, "hoc van" }, { MCOL_EDUCATION, "trinh do van hoa" },
	{ MCOL_EDUCATION, "van hoa" }, { MCOL_EDUCATION, "tdhv" }, { MCOL_EDUCATION, "education" },

	{ MCOL_QUALIFICATION, "trinh do chuyen mon" }, { MCOL_QUALIFICATION, "chuyen mon" },
	{ MCOL_QUALIFICATION, "tdcm" }, { MCOL_QUALIFICATION, "qualification" },

	{ MCOL_POLITICAL_THEORY, "ly luan chinh tri" }, { MCOL_POLITICAL_THEORY, "trinh do ly luan chinh tri" },
	{ MCOL_POLITICAL_THEORY, "trinh do ly luan" }, { MCOL_POLITICAL_THEORY, "llct" },
	{ MCOL_POLITICAL_THEORY, "political theory" },

	{ MCOL_OCCUPATION, "nghe nghiep" }, { MCOL_OCCUPATION, "nghe" }, { MCOL_OCCUPATION, "cong viec" },
	{ MCOL_OCCUPATION, "occupation" }, { MCOL_OCCUPATION, "job" },

	{ MCOL_HAMLET, "thon" }, { MCOL_HAMLET, "xom" }, { MCOL_HAMLET, "ap" }, { MCOL_HAMLET, "ban" },
	{ MCOL_HAMLET, "to dan pho" }, { MCOL_HAMLET, "khu pho" }, { MCOL_HAMLET, "thon xom" },
	{ MCOL_HAMLET, "thon to dan pho" }, { MCOL_HAMLET, "hamlet" }, { MCOL_HAMLET, "village" },

	{ MCOL_STREET, "dia chi" }, { MCOL_STREET, "so nha" }, { MCOL_STREET, "noi o" }, { MCOL_STREET, "cho o" },
	{ MCOL_STREET, "noi o hien nay" }, { MCOL_STREET, "cho o hien nay" }, { MCOL_STREET, "dia chi thuong tru" },
	{ MCOL_STREET, "address" }, { MCOL_STREET, "street" },

	{ MCOL_CIRCUMSTANCES, "hoan canh" }, { MCOL_CIRCUMSTANCES, "hoan canh gia dinh" },
	{ MCOL_CIRCUMSTANCES, "circumstances" },

	{ MCOL_DIGITAL, "nang luc so" }, { MCOL_DIGITAL, "ky nang so" }, { MCOL_DIGITAL, "co nang luc so" },
	{ MCOL_DIGITAL, "digital" },

	{ MCOL_PARTY_MEMBER, "dang vien" }, { MCOL_PARTY_MEMBER, "la dang vien" }, { MCOL_PARTY_MEMBER, "party member" },

	{ MCOL_NOTES, "ghi chu" }, { MCOL_NOTES, "notes" }, { MCOL_NOTES, "note" },
};

/* The words that begin the block below a table. */
static const char *const FOOTERS[] = {
	"nguoi lap", "nguoi ky", "ky ten", "ky ghi ro", "ky va ghi ro", "ky dong dau", "xac nhan", "tm ",
	"t m ", "chu tich", "pho chu tich", "truong ban", "thu truong", "tong cong", "tong so",
	"prepared by", "signature", "total",
};

const char *mcol_key(mcol_t f)
{
	return f >= 0 && f < MCOL_COUNT ? KEYS[f] : "";
}

int mcol_parse(const char *key, mcol_t *out)
{
	for (int f = 0; f < MCOL_COUNT; f++)
		if (strcmp(key, KEYS[f]) == 0) {
			*out = (mcol_t)f;
			return 0;
		}
	return -1;
}

/* s folded, with everything but ASCII letters and digits read as one
 * space, trimmed; *out malloc'd. */
static int words_of(const char *s, char **out)
{
	char *f = NULL, *w;
	size_t n = 0;

	*out = NULL;
	if (text_fold(s, &f))
		return -1;
	w = f;
	for (const char *c = f; *c; c++) {
		if (isalnum((unsigned char)*c) && !((unsigned char)*c & 0x80))
			w[n++] = *c;
		else if (n && w[n - 1] != ' ')
			w[n++] = ' ';
	}
	while (n && w[n - 1] == ' ')
		n--;
	w[n] = '\0';
	*out = f;
	return 0;
}

/* Whether words begins with the words of prefix. */
static bool begins_with(const char *words, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(words, prefix, n) == 0 && (words[n] == '\0' || words[n] == ' ');
}

static mcol_t guess_words(const char *header)
{
	char *w = NULL;
	mcol_t best = MCOL_NONE;
	size_t best_len = 0;

	if (words_of(header, &w))
		return MCOL_NONE;
	for (size_t i = 0; i < sizeof(ALIASES) / sizeof(ALIASES[0]); i++) {
		size_t len = strlen(ALIASES[i].text);
		if (len > best_len && begins_with(w, ALIASES[i].text)) {
			best = ALIASES[i].field;
			best_len = len;
		}
	}
	free(w);
	return best;
}

mcol_t mcol_guess(const char *header)
{
	mcol_t f = guess_words(header);

	/* a header typed in a legacy font: "Hä vµ tªn" */
	for (int enc = LEGACY_TCVN3; f == MCOL_NONE && enc <= LEGACY_VNI; enc++) {
		char *u = NULL;
		if (legacy_to_unicode(header, (legacy_enc_t)enc, &u) == 0 && strcmp(u, header) != 0)
			f = guess_words(u);
		free(u);
	}
	return f;
}

size_t mcol_guess_row(const char *const *cells, size_t n, mcol_t *out)
{
	bool seen[MCOL_COUNT] = { false };
	size_t named = 0;

	for (size_t i = 0; i < n; i++) {
		mcol_t f = mcol_guess(cells[i]);
		if (f != MCOL_NONE && seen[f])
			f = MCOL_NONE;
		out[i] = f;
		if (f != MCOL_NONE) {
			seen[f] = true;
			named += f != MCOL_SEQ;
		}
	}
	return named;
}

bool mcol_is_header(const mcol_t *fields, size_t n, size_t named)
{
	for (size_t i = 0; i < n; i++)
		if (fields[i] == MCOL_FULL_NAME)
			return named >= 2;
	return false;
}

/* "..., ngay 05 thang 3 nam 2026": a place and a date, the line above the
 * signatures. */
static bool date_line(const char *w)
{
	const char *d = strstr(w, "ngay "), *m = d ? strstr(d, " thang ") : NULL;
	return m && strstr(m, " nam ");
}

/* Whether s has a letter: a byte past ASCII may begin one ("Đ"). */
static bool may_have_letters(const char *s)
{
	for (; *s; s++)
		if (isalpha((unsigned char)*s) || (unsigned char)*s >= 0x80)
			return true;
	return false;
}

bool mcol_is_footer(const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *w = NULL;
		bool yes = false;

		if (!cells[i][0])
			continue;
		/* every footer has words: a row's number (most rows begin with
		 * one) is none, and folding it was a twentieth of a dry run */
		if (!may_have_letters(cells[i]))
			return false;
		if (words_of(cells[i], &w))
			return false;
		/* a space after the words so that "tm " and "cong " match whole words */
		size_t len = strlen(w);
		char *sp = realloc(w, len + 2);
		if (!sp) {
			free(w);
			return false;
		}
		w = sp;
		w[len] = ' ';
		w[len + 1] = '\0';
		for (size_t k = 0; !yes && k < sizeof(FOOTERS) / sizeof(FOOTERS[0]); k++)
			yes = strncmp(w, FOOTERS[k], strlen(FOOTERS[k])) == 0;
		yes = yes || date_line(w);
		free(w);
		/* only the row's first value: a hamlet may be called "Tổng ..." */
		return yes;
	}
	return false;
}

/* "12" or "(12)" as a number, -1 otherwise. */
static long column_number(const char *s)
{
	char *end;
	long v;
	bool paren = *s == '(';

	s += paren;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (paren && *end++ != ')')
		return -1;
	return *end || v > 1000 ? -1 : v;
}

bool mcol_is_numbering(const char *const *cells, size_t n)
{
	long last = 0;
	size_t present = 0;

	for (size_t i = 0; i < n; i++) {
		long v;
		if (!cells[i][0])
			continue;
		v = column_number(cells[i]);
		if (v != last + 1)
			return false;
		last = v;
		present++;
	}
	return present >= 2;
}
