/*
 * csv_stream.c - see csv_stream.h.
 *
 * The file is read in chunks (RAW bytes), turned into UTF-8 (iconv for
 * UTF-16, Windows-1252 and -1258; UTF-8 as it is), and the text is fed to libcsv
 * in pieces that hold at most one line end, as csv_table.c does, so that a
 * row is complete after at most one piece and its line is known. The row
 * handed out lives in the reader's field buffer until the next call: the
 * memory is a few chunks and the longest row, whatever the file's size.
 */
#include "io/csv_stream.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define RAW 65536          /* bytes read at a time */
#define PIECE 4096         /* bytes fed to libcsv at a time */
#define SNIFF_LINES 50     /* lines looked at to choose the separator */

typedef enum enc { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE, ENC_CP1252, ENC_CP1258 } enc_t;

struct csv_stream {
	FILE *f;                    /* NULL when reading a buffer */
	const unsigned char *buf;   /* the caller's buffer */
	size_t buf_len, buf_pos;
	sheet_limits_t lim;
	enc_t enc;
	iconv_t cd;                 /* (iconv_t)-1 for UTF-8 */
	char sep;
	struct csv_parser p;
	bool p_ready;

	/* bytes read and not yet decoded */
	char raw[RAW];
	size_t raw_len;
	bool raw_eof;               /* nothing more to read */
	bool flushed;               /* the converter's last character out (CP1258 holds one back) */
	unsigned long long read_bytes;

	/* decoded text not yet fed to libcsv: text[pos..len) */
	char *text;
	size_t text_len, text_pos, text_cap;

	/* the row being read: its cells' text one after the other */
	char *cells_text;
	size_t cells_len, cells_cap;
	size_t *starts;
	size_t n, starts_cap;
	size_t kept;                /* cells kept (n counts the ones beyond the bound too) */
	const char **cells;         /* handed out */
	unsigned char *types;
	size_t cells_cap_ptrs;
	bool row_ready, finished;

	size_t line, row_line, rows;
	size_t quote_line, quote_column;
	size_t row_bytes;
	bool failed;
	err_t err;                  /* the error, given again by every later call */
};

/* ---- errors ---- */

static int fail(csv_stream_t *s, err_kind_t kind, const char *code, size_t line, size_t column, const char *what,
		const err_arg_t *extra)
{
	err_arg_t args[4];
	char tmpl[320];
	int n = 0;

	args[n++] = ERR_INT("line", line);
	if (column)
		args[n++] = ERR_INT("column", column);
	if (extra)
		args[n++] = *extra;
	snprintf(tmpl, sizeof(tmpl), "%s%s", column ? "line {line}, column {column}: " : "line {line}: ", what);
	s->failed = true;
	err_failv(&s->err, kind, code, tmpl, args, n);
	return -1;
}

static int fail_max(csv_stream_t *s, const char *code, size_t line, size_t column, const char *what,
		    unsigned long long max)
{
	const err_arg_t a = ERR_INT("max", max);
	return fail(s, ERR_BAD_REQUEST, code, line, column, what, &a);
}

static int oom(csv_stream_t *s)
{
	s->failed = true;
	return err_fail(&s->err, ERR_INTERNAL, NULL, "out of memory");
}

/* ---- reading and decoding ---- */

static int read_raw(csv_stream_t *s)
{
	size_t want = RAW - s->raw_len, got;

	if (s->raw_eof || !want)
		return 0;
	if (s->f) {
		got = fread(s->raw + s->raw_len, 1, want, s->f);
		if (got < want && ferror(s->f))
			return fail(s, ERR_INTERNAL, "csv_read_failed", s->line, 0, "the file could not be read", NULL);
		if (got < want)
			s->raw_eof = true;
	} else {
		got = s->buf_len - s->buf_pos < want ? s->buf_len - s->buf_pos : want;
		memcpy(s->raw + s->raw_len, s->buf + s->buf_pos, got);
		s->buf_pos += got;
		s->raw_eof = s->buf_pos == s->buf_len;
	}
	s->raw_len += got;
	s->read_bytes += got;
	if (s->read_bytes > s->lim.max_bytes)
		return fail_max(s, "csv_too_large", s->line, 0, "the file is larger than {max} bytes", s->lim.max_bytes);
	return 0;
}

static int text_room(csv_stream_t *s, size_t more)
{
	if (s->text_pos) {
		memmove(s->text, s->text + s->text_pos, s->text_len - s->text_pos);
		s->text_len -= s->text_pos;
		s->text_pos = 0;
	}
	if (s->text_cap - s->text_len < more) {
		size_t cap = s->text_len + more;
		char *v = realloc(s->text, cap);
		if (!v)
			return oom(s);
		s->text = v;
		s->text_cap = cap;
	}
	return 0;
}

/* Decodes what raw holds into text (an incomplete character at its end
 * stays for the next chunk, unless the file ends there). */
static int decode(csv_stream_t *s)
{
	char *in = s->raw, *out;
	size_t in_left = s->raw_len, out_left;

	/* UTF-16 to UTF-8 at most doubles... and a Windows-1252 byte takes at most 3 */
	if (text_room(s, s->raw_len * 3 + 4))
		return -1;
	if (s->enc == ENC_UTF8) {
		memcpy(s->text + s->text_len, s->raw, s->raw_len);
		s->text_len += s->raw_len;
		s->raw_len = 0;
		return 0;
	}
	out = s->text + s->text_len;
	out_left = s->text_cap - s->text_len;
	while (iconv(s->cd, &in, &in_left, &out, &out_left) == (size_t)-1 && errno != EINVAL) {
		unsigned char b = (unsigned char)*in;
		/* the five bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F
		 * 0x90 0x9D), which glibc's converter refuses: U+0081 etc., as
		 * Windows reads them (core/legacy_vn.h) */
		if ((s->enc == ENC_CP1252 || s->enc == ENC_CP1258) && errno == EILSEQ && b >= 0x80 && b < 0xA0 &&
		    out_left >= 2) {
			*out++ = (char)0xC2;
			*out++ = (char)b;
			out_left -= 2;
			in++;
			in_left--;
			continue;
		}
		return fail(s, ERR_BAD_REQUEST, "csv_bad_encoding", s->line, 0,
			    errno == EILSEQ ? "bytes that are not text in the file's encoding" : "the text could not be decoded",
			    NULL);
	}
	/* a letter waits for a tone mark that may follow: out at the end */
	if (s->raw_eof && !in_left && !s->flushed) {
		s->flushed = true;
		if (iconv(s->cd, NULL, NULL, &out, &out_left) == (size_t)-1)
			return fail(s, ERR_BAD_REQUEST, "csv_bad_encoding", s->line, 0, "the text could not be decoded", NULL);
	}
	s->text_len = (size_t)(out - s->text);
	if (in_left && s->raw_eof)
		return fail(s, ERR_BAD_REQUEST, "csv_bad_encoding", s->line, 0, "the file ends inside a character", NULL);
	memmove(s->raw, in, in_left);
	s->raw_len = in_left;
	return 0;
}

/* Makes at least `need` bytes of text available, or all that is left. */
static int fill(csv_stream_t *s, size_t need)
{
	while (s->text_len - s->text_pos < need && !(s->raw_eof && !s->raw_len)) {
		if (read_raw(s) || decode(s))
			return -1;
	}
	return 0;
}

/* ---- the beginning of the file ---- */

static bool utf8_prefix(const unsigned char *b, size_t len)
{
	size_t i = 0, good = 0, bad = 0;

	while (i < len) {
		unsigned char c = b[i];
		size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		char tmp[5] = { 0 };

		if (k && i + k > len && len - i < 4)
			break; /* a character cut by the chunk's end */
		if (k)
			memcpy(tmp, b + i, k);
		if (!k || i + k > len || text_utf8_char(tmp) != k) {
			bad++;
			i++;
			continue;
		}
		good += k > 1;
		i += k;
	}
	/* UTF-8 with a stray byte or two is UTF-8, refused at the byte's line
	 * (csv_not_utf8), not read whole as another encoding, its names
	 * garbled: legacy bytes that happen to form UTF-8 are rare */
	return !bad || (good >= 8 && bad * 20 <= good);
}

/* UTF-16 without a mark: most of the text is ASCII, so one byte of each
 * pair is zero. */
static enc_t zero_bytes_say(const unsigned char *b, size_t len)
{
	size_t even = 0, odd = 0, pairs = (len < 1024 ? len : 1024) / 2;

	for (size_t i = 0; i < pairs; i++) {
		even += b[2 * i] == 0;
		odd += b[2 * i + 1] == 0;
	}
	if (pairs >= 2 && odd * 10 >= pairs * 4 && even * 10 < pairs)
		return ENC_UTF16LE;
	if (pairs >= 2 && even * 10 >= pairs * 4 && odd * 10 < pairs)
		return ENC_UTF16BE;
	return ENC_UTF8;
}

/* Whether bytes that are not UTF-8 are Windows-1258, as Excel on a
 * Vietnamese Windows saves a CSV: its tone marks are bytes of their own
 * (0xCC grave, 0xEC acute, 0xD2 hook, 0xDE tilde, 0xF2 dot below) after
 * the vowel they sit on. Read as Windows-1252 they are Ì ì Ò Þ ò, which
 * TCVN3 and VNI, whose bytes are letters, put after a vowel almost never
 * (TCVN3's "Thị" is "Th" and 0xDE). So: at least two of them after a
 * vowel, and they a fifth of the bytes above ASCII or more. */
static bool looks_cp1258(const unsigned char *b, size_t len)
{
	static const char VOWELS[] = "aeiouyAEIOUY\xC2\xE2\xCA\xEA\xD4\xF4\xC3\xE3\xD5\xF5\xDD\xFD";
	size_t marks = 0, high = 0;

	for (size_t i = 0; i < len; i++) {
		if (b[i] < 0x80)
			continue;
		high++;
		if (i && (b[i] == 0xCC || b[i] == 0xEC || b[i] == 0xD2 || b[i] == 0xDE || b[i] == 0xF2) && b[i - 1] &&
		    strchr(VOWELS, b[i - 1]))
			marks++;
	}
	return marks >= 2 && marks * 5 >= high;
}

static int choose_encoding(csv_stream_t *s)
{
	const unsigned char *b = (const unsigned char *)s->raw;
	size_t skip = 0;
	const char *from = NULL;

	if (s->raw_len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) {
		s->enc = ENC_UTF8;
		skip = 3;
	} else if (s->raw_len >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
		s->enc = ENC_UTF16LE;
		skip = 2;
	} else if (s->raw_len >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
		s->enc = ENC_UTF16BE;
		skip = 2;
	} else {
		s->enc = zero_bytes_say(b, s->raw_len);
		if (s->enc == ENC_UTF8 && !utf8_prefix(b, s->raw_len))
			s->enc = looks_cp1258(b, s->raw_len) ? ENC_CP1258 : ENC_CP1252;
	}
	memmove(s->raw, s->raw + skip, s->raw_len - skip);
	s->raw_len -= skip;
	from = s->enc == ENC_UTF16LE ? "UTF-16LE"
	       : s->enc == ENC_UTF16BE ? "UTF-16BE"
	       : s->enc == ENC_CP1252  ? "CP1252"
	       : s->enc == ENC_CP1258  ? "CP1258"
				       : NULL;
	if (from) {
		s->cd = iconv_open("UTF-8", from);
		if (s->cd == (iconv_t)-1)
			return fail(s, ERR_INTERNAL, "csv_read_failed", 1, 0, "no converter from the file's encoding", NULL);
	}
	return 0;
}

/* The separator most lines agree on: for each of , ; and tab, the number
 * of lines among the first SNIFF_LINES (outside quotes) that hold it as
 * often as most lines do. */
static char choose_separator(const char *t, size_t len)
{
	static const char CAND[] = { ',', ';', '\t' };
	size_t counts[3][SNIFF_LINES] = { { 0 } };
	size_t lines = 0, best_score = 0;
	bool quoted = false;
	char best = ',';

	for (size_t i = 0; i < len && lines < SNIFF_LINES; i++) {
		if (t[i] == '"')
			quoted = !quoted;
		else if (!quoted && (t[i] == '\n' || t[i] == '\r')) {
			if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
				i++;
			lines++;
		} else if (!quoted)
			for (int c = 0; c < 3; c++)
				counts[c][lines] += t[i] == CAND[c];
	}
	if (lines < SNIFF_LINES && len && t[len - 1] != '\n' && t[len - 1] != '\r')
		lines++;
	for (int c = 0; c < 3; c++) {
		/* the most frequent count above zero, and how many lines have it */
		size_t mode_lines = 0;
		for (size_t a = 0; a < lines; a++) {
			size_t same = 0;
			if (!counts[c][a])
				continue;
			for (size_t b = 0; b < lines; b++)
				same += counts[c][b] == counts[c][a];
			if (same > mode_lines)
				mode_lines = same;
		}
		if (mode_lines > best_score) {
			best_score = mode_lines;
			best = CAND[c];
		}
	}
	return best;
}

/* Excel's hint on the first line: "sep=;". */
static bool sep_line(csv_stream_t *s)
{
	const char *t = s->text + s->text_pos;
	size_t len = s->text_len - s->text_pos, end;

	/* t[4] != NUL: strchr finds the string's own end ("sep=" then a NUL
	 * byte made NUL the separator); only the three separators csv_stream.h
	 * and the API name */
	if (len < 5 || strncmp(t, "sep=", 4) != 0 || t[4] == '\0' || !strchr(",;\t", t[4]))
		return false;
	end = 5;
	if (end < len && t[end] == '\r')
		end++;
	if (end < len && t[end] == '\n')
		end++;
	if (end != len && t[end - 1] != '\n' && t[end - 1] != '\r')
		return false;
	s->sep = t[4];
	s->text_pos += end;
	s->line++;
	return true;
}

/* ---- rows ---- */

static int cells_room(csv_stream_t *s, size_t len)
{
	if (s->kept == s->starts_cap) {
		size_t cap = s->starts_cap ? s->starts_cap * 2 : 32;
		size_t *v = realloc(s->starts, cap * sizeof(*v));
		if (!v)
			return oom(s);
		s->starts = v;
		s->starts_cap = cap;
	}
	if (s->cells_cap - s->cells_len < len + 1) {
		size_t cap = s->cells_cap ? s->cells_cap : 1024;
		char *v;
		while (cap - s->cells_len < len + 1)
			cap *= 2;
		v = realloc(s->cells_text, cap);
		if (!v)
			return oom(s);
		s->cells_text = v;
		s->cells_cap = cap;
	}
	return 0;
}

/* Line ends in t[0..len): LF, CR LF and a CR alone each count once. */
static size_t line_ends(const char *t, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (t[i] == '\n' || (t[i] == '\r' && (i + 1 == len || t[i + 1] != '\n')))
			n++;
	return n;
}

static void on_field(void *f, size_t len, void *data)
{
	csv_stream_t *s = data;
	size_t column = ++s->n;
	size_t line;
	char *c;

	if (s->failed)
		return;
	line = s->line - line_ends(f, len);
	if (column > s->lim.max_columns) {
		if (len)
			fail_max(s, "csv_too_many_columns", line, column, "a value beyond column {max}",
				 s->lim.max_columns);
		return;
	}
	if (len > s->lim.max_cell) {
		fail_max(s, "csv_field_too_long", line, column, "the field is longer than {max} bytes", s->lim.max_cell);
		return;
	}
	if (cells_room(s, len))
		return;
	c = s->cells_text + s->cells_len;
	memcpy(c, f, len);
	c[len] = '\0';
	if (!text_utf8(c)) {
		fail(s, ERR_BAD_REQUEST, "csv_not_utf8", line, column,
		     "the text is not UTF-8, though the file began as UTF-8 (save it as \"CSV UTF-8\")", NULL);
		return;
	}
	s->starts[s->kept++] = s->cells_len;
	s->cells_len += len + 1;
}

static void on_record(int c, void *data)
{
	csv_stream_t *s = data;
	(void)c;

	if (!s->failed)
		s->row_ready = true;
}

static void row_reset(csv_stream_t *s)
{
	s->n = s->kept = s->cells_len = 0;
	s->row_ready = false;
	s->row_bytes = 0;
}

/* Length of the next piece of t[0..len): through the next line end, at
 * most PIECE bytes, stopping before a NUL byte (0 when t starts with one).
 * *eol tells whether it ends a line. len is more than PIECE unless the
 * file ends within it, so a CR LF is never cut. */
static size_t next_piece(const char *t, size_t len, bool *eol)
{
	size_t max = len < PIECE ? len : PIECE;

	*eol = false;
	for (size_t i = 0; i < max; i++) {
		if (t[i] == '\0')
			return i;
		if (t[i] == '\n') {
			*eol = true;
			return i + 1;
		}
		if (t[i] == '\r') {
			*eol = true;
			return i + 1 < len && t[i + 1] == '\n' ? i + 2 : i + 1;
		}
	}
	return max;
}

static bool between_rows(const csv_stream_t *s)
{
	return s->n == 0 && !s->p.quoted && s->p.entry_pos == 0;
}

static int parse_failed(csv_stream_t *s)
{
	if (s->failed)
		return -1;
	if (csv_error(&s->p) != CSV_EPARSE)
		return oom(s);
	if (s->p.quoted)
		return fail(s, ERR_BAD_REQUEST, "csv_text_after_quote", s->line, s->n + 1,
			    "text after the closing quote (a quote inside a quoted value is written twice: \"\")", NULL);
	return fail(s, ERR_BAD_REQUEST, "csv_stray_quote", s->line, s->n + 1,
		    "a quote inside a value that does not start with one (quote the whole value and write the quote "
		    "twice: \"a \"\"b\"\" c\")",
		    NULL);
}

/* Feeds one piece. */
static int feed_piece(csv_stream_t *s)
{
	const char *t = s->text + s->text_pos;
	bool eol, was_quoted = s->p.quoted;
	size_t n, seen = s->n;

	n = next_piece(t, s->text_len - s->text_pos, &eol);
	if (between_rows(s))
		s->row_line = s->line;
	if (n == 0)
		return fail(s, ERR_BAD_REQUEST, "csv_nul_byte", s->line, s->n + 1,
			    "a NUL byte: this is not a text file (save it as \"CSV UTF-8\")", NULL);
	if (csv_parse(&s->p, t, n, on_field, on_record, s) != n)
		return parse_failed(s);
	if (s->failed)
		return -1;
	if (s->p.quoted && (!was_quoted || s->n != seen)) {
		s->quote_line = s->line;
		s->quote_column = s->n + 1;
	}
	s->row_bytes += n;
	if (s->p.entry_pos > s->lim.max_cell) {
		if (s->p.quoted && s->quote_line != s->line)
			return fail_max(s, "csv_unclosed_quote", s->quote_line, s->quote_column,
					"the quoted value that starts here runs on over {max} bytes: is its closing quote "
					"missing?",
					s->lim.max_cell);
		return fail_max(s, "csv_field_too_long", s->line, s->n + 1, "the field is longer than {max} bytes",
				s->lim.max_cell);
	}
	s->text_pos += n;
	if (eol)
		s->line++;
	return 0;
}

static int finish(csv_stream_t *s)
{
	s->finished = true;
	if (csv_fini(&s->p, on_field, on_record, s) != 0)
		return fail(s, ERR_BAD_REQUEST, "csv_unclosed_quote", s->quote_line, s->quote_column,
			    "the quoted value that starts here has no closing quote", NULL);
	return s->failed ? -1 : 0;
}

/* The cells of the row read, without the empty ones at its end. */
static int hand_out(csv_stream_t *s, sheet_row_t *row)
{
	size_t n = s->kept;

	while (n && !s->cells_text[s->starts[n - 1]])
		n--;
	if (n > s->cells_cap_ptrs) {
		const char **c = realloc(s->cells, n * sizeof(*c));
		unsigned char *t;
		if (!c)
			return oom(s);
		s->cells = c;
		t = realloc(s->types, n);
		if (!t)
			return oom(s);
		s->types = t;
		memset(s->types, SHEET_TEXT, n);
		s->cells_cap_ptrs = n;
	}
	for (size_t i = 0; i < n; i++)
		s->cells[i] = s->cells_text + s->starts[i];
	row->cells = s->cells;
	row->types = s->types;
	row->n = n;
	row->line = s->row_line;
	return 0;
}

static int give_error(csv_stream_t *s, err_t *e)
{
	*e = s->err;
	return -1;
}

int csv_stream_next(csv_stream_t *s, sheet_row_t *row, err_t *e)
{
	memset(row, 0, sizeof(*row));
	for (;;) {
		if (s->failed)
			return give_error(s, e);
		row_reset(s);
		while (!s->row_ready && !s->failed) {
			if (fill(s, PIECE + 1))
				break;
			if (s->text_pos == s->text_len) {
				if (s->finished || finish(s))
					break;
				if (!s->row_ready)
					return 0;
			} else
				feed_piece(s);
		}
		if (s->failed)
			return give_error(s, e);
		if (!s->row_ready)
			return 0;
		if (hand_out(s, row))
			return give_error(s, e);
		if (!row->n)
			continue; /* a blank line, or a row of empty cells */
		if (++s->rows > s->lim.max_rows) {
			fail_max(s, "csv_too_many_rows", s->row_line, 0, "the file has more than {max} rows",
				 s->lim.max_rows);
			return give_error(s, e);
		}
		return 1;
	}
}

/* ---- opening ---- */

static int start(csv_stream_t *s, err_t *e)
{
	if (csv_init(&s->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		oom(s);
		return give_error(s, e);
	}
	s->p_ready = true;
	csv_set_blk_size(&s->p, PIECE);
	if (read_raw(s) || choose_encoding(s) || fill(s, RAW))
		return give_error(s, e);
	if (!sep_line(s))
		s->sep = choose_separator(s->text + s->text_pos, s->text_len - s->text_pos);
	csv_set_delim(&s->p, (unsigned char)s->sep);
	return 0;
}

static csv_stream_t *new_stream(const sheet_limits_t *lim)
{
	csv_stream_t *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->lim = lim ? *lim : SHEET_LIMITS_DEFAULT;
	s->cd = (iconv_t)-1;
	s->text_cap = RAW * 3 + 4;
	s->text = malloc(s->text_cap);
	if (!s->text) {
		free(s);
		return NULL;
	}
	s->line = s->row_line = 1;
	return s;
}

int csv_stream_open(const char *path, const sheet_limits_t *lim, csv_stream_t **out, err_t *e)
{
	csv_stream_t *s = new_stream(lim);

	*out = NULL;
	if (!s)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	s->f = fopen(path, "rb");
	if (!s->f) {
		err_fail(e, ERR_INTERNAL, "csv_read_failed", "the file could not be opened: {reason}",
			 ERR_STR("reason", strerror(errno)));
		csv_stream_close(s);
		return -1;
	}
	if (start(s, e)) {
		csv_stream_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int csv_stream_open_buffer(const void *data, size_t len, const sheet_limits_t *lim, csv_stream_t **out, err_t *e)
{
	csv_stream_t *s = new_stream(lim);

	*out = NULL;
	if (!s)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	s->buf = data;
	s->buf_len = len;
	s->raw_eof = len == 0;
	if (start(s, e)) {
		csv_stream_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

const char *csv_stream_encoding(const csv_stream_t *s)
{
	static const char *const NAMES[] = { "utf-8", "utf-16le", "utf-16be", "windows-1252", "windows-1258" };
	return NAMES[s->enc];
}

char csv_stream_separator(const csv_stream_t *s)
{
	return s->sep;
}

void csv_stream_close(csv_stream_t *s)
{
	if (!s)
		return;
	if (s->f)
		fclose(s->f);
	if (s->cd != (iconv_t)-1)
		iconv_close(s->cd);
	if (s->p_ready)
		csv_free(&s->p);
	free(s->text);
	free(s->cells_text);
	free(s->starts);
	free(s->cells);
	free(s->types);
	free(s);
}
