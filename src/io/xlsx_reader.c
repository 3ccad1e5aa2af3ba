/*
 * xlsx_reader.c - see xlsx_reader.h.
 *
 * Every XML part is read through one `xpass_t`: a zip entry (libzip) fed
 * CHUNK bytes at a time into expat's own buffer, the bytes counted against
 * max_bytes and the entry's compression ratio as they come (what a zip
 * declares may lie; what zip_fread gives cannot). Expat allocates through a
 * memory suite with a budget (XLSX_XML_MEMORY), because it keeps a whole
 * start tag in memory and a tag of a gigabyte is one attribute away. A
 * DOCTYPE stops the parser at once, so no entity is ever defined.
 *
 * The small parts (workbook, relationships, styles) are parsed whole at
 * open; so is the shared-string table, whose text goes to memory and, past
 * XLSX_SST_MEMORY, to an unlinked temporary file. Its index of offsets is
 * kept in memory for the first SST_INDEX_MEMORY strings (a 64-bit base per
 * block of SST_BLOCK strings, a 32-bit delta per string) and, past them, in
 * a second temporary file (a 64-bit offset per string), so that a table of
 * millions of strings costs no more memory than one of a quarter million.
 * A sheet is read twice: first for its merged ranges (they follow the
 * rows; the rows' bytes are skipped unparsed where the sheet is written
 * the common way, "The first pass" below), then parsed for the rows: the
 * end-of-row handler suspends the parser
 * (XML_StopParser resumable), so exactly one row is ready at a time and no
 * queue is needed; xlsx_next_row resumes it.
 *
 * Element names are matched by their local name (after any prefix): some
 * writers prefix the SpreadsheetML namespace ("x:row"), and the strict
 * variant of the format uses other namespace URIs for the same names.
 */
#include "io/xlsx_reader.h"

#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/date.h"

#define CHUNK 65536               /* bytes fed to expat at a time */
#define XPATH_CAP 512             /* bytes of a part's name */
#define SHEET_NAME_CAP 256        /* bytes of a sheet name kept (Excel allows 31 characters) */
#define MAX_ROW 1048576u          /* Excel's last row */
#define MAX_COL 16384u            /* Excel's last column, XFD */
#define SST_BLOCK 64              /* strings per base offset of the index */
#define SST_WBUF ((size_t)256 * 1024) /* bytes buffered before a write to the temporary file */
#define SST_WINDOW ((size_t)64 * 1024) /* bytes read ahead from it, going on in the table's order */
#define SST_JUMP ((size_t)4 * 1024)    /* bytes read after a jump elsewhere */
#define SST_INDEX_MEMORY ((size_t)256 * 1024) /* strings indexed in memory; the rest in a file */
#define EMPTY_SLOT SIZE_MAX
#define CFB_DIR_SECTORS 64        /* directory sectors of an OLE file looked at */
#define FMT_IDS 65536u            /* number format ids remembered */

/* ---- expat's memory, with a budget ---- */

/* The suite's functions take no context: the budget of the parser being
 * created or run is set in this thread for the duration of the call, and
 * every block remembers its budget in a header, so that a free or a
 * realloc finds it whenever it happens. */
typedef struct xml_mem {
	size_t used, max;
	bool over; /* a request was refused for the budget */
} xml_mem_t;

typedef union mem_head {
	struct {
		xml_mem_t *m;
		size_t n;
	} h;
	max_align_t align;
} mem_head_t;

static _Thread_local xml_mem_t *mem_current;

static void *mem_malloc(size_t n)
{
	xml_mem_t *m = mem_current;
	mem_head_t *h;

	if (!m)
		return NULL;
	if (n > m->max - m->used) {
		m->over = true;
		return NULL;
	}
	h = malloc(sizeof(*h) + n);
	if (!h)
		return NULL;
	h->h.m = m;
	h->h.n = n;
	m->used += n;
	return h + 1;
}

static void mem_free(void *p)
{
	mem_head_t *h;

	if (!p)
		return;
	h = (mem_head_t *)p - 1;
	h->h.m->used -= h->h.n;
	free(h);
}

static void *mem_realloc(void *p, size_t n)
{
	mem_head_t *h, *nh;
	xml_mem_t *m;
	size_t old;

	if (!p)
		return mem_malloc(n);
	h = (mem_head_t *)p - 1;
	m = h->h.m;
	old = h->h.n;
	if (n > old && n - old > m->max - m->used) {
		m->over = true;
		return NULL;
	}
	nh = realloc(h, sizeof(*nh) + n);
	if (!nh)
		return NULL;
	m->used = m->used - old + n;
	nh->h.n = n;
	return nh + 1;
}

static const XML_Memory_Handling_Suite mem_suite = { mem_malloc, mem_realloc, mem_free };

/* ---- growing buffers ---- */

typedef struct buf {
	char *s;
	size_t len, cap;
} buf_t;

static int buf_reserve(buf_t *b, size_t extra)
{
	size_t cap;
	char *v;

	if (b->cap - b->len > extra)
		return 0;
	if (extra > SIZE_MAX / 4 - b->len)
		return -1;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= extra)
		cap *= 2;
	v = realloc(b->s, cap);
	if (!v)
		return -1;
	b->s = v;
	b->cap = cap;
	return 0;
}

/* Grows *v (of *cap elements of size sz) to hold at least need. */
static int grow(void **v, size_t *cap, size_t need, size_t sz)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2 / sz)
			return -1;
		n *= 2;
	}
	p = realloc(*v, n * sz);
	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

/* ---- the reader ---- */

enum { E_OTHER = 0, E_C, E_V, E_T, E_R, E_ROW, E_RPH, E_IS, E_SHEETDATA, E_SHEETS, E_SHEET, E_SI, E_SST,
       E_MERGECELLS, E_MERGECELL, E_NUMFMTS, E_NUMFMT, E_CELLXFS, E_XF, E_WBPR, E_REL };

typedef enum cell_kind { CK_NUMBER, CK_SHARED, CK_STR, CK_INLINE, CK_BOOL, CK_ERROR, CK_DATE } cell_kind_t;

typedef enum fmt_kind { FMT_OTHER = 1, FMT_DATE, FMT_TIME } fmt_kind_t;

typedef struct xlsx_reader xlsx_reader_t;

/* One XML part being read. */
typedef struct xpass {
	xlsx_reader_t *x;
	err_t *e;
	XML_Parser p;
	zip_file_t *f;
	char part[XPATH_CAP];
	uint64_t read;   /* uncompressed bytes of this part read so far */
	uint64_t comp;   /* its compressed size, for the ratio */
	uint64_t base;   /* bytes counted before this part */
	xml_mem_t mem;
	int mode;        /* which relationships (REL_*) */
	int depth;
	unsigned char stack[XLSX_MAX_DEPTH];
	bool failed;     /* e holds the error */
	bool suspended;  /* a row is ready; resume for the next */
	bool finished;
} xpass_t;

enum { REL_ROOT = 1, REL_WORKBOOK };

typedef struct xsheet {
	char *name;
	char *rid;
	char *path;
} xsheet_t;

typedef struct sst {
	size_t n;          /* strings */
	uint64_t *base;    /* base[i / SST_BLOCK]: where block i / SST_BLOCK starts */
	uint32_t *delta;   /* delta[i]: where string i starts, from its block's base */
	size_t cap;        /* of delta, at most SST_INDEX_MEMORY */
	uint64_t end;      /* bytes of text */
	buf_t mem;         /* the text of the first strings, up to XLSX_SST_MEMORY */
	uint64_t mem_end;  /* where the text in the file starts (once there is one) */
	int fd;            /* the temporary file with the rest, -1 before */
	buf_t wbuf;        /* text not yet written to fd */
	buf_t win;         /* text read ahead from fd... */
	uint64_t win_off;  /* ...from this offset of the file */
	int ifd;           /* the offsets of strings SST_INDEX_MEMORY on, -1 before */
	buf_t iwbuf;       /* offsets not yet written to ifd */
	buf_t iwin;        /* offsets read ahead from ifd... */
	size_t iwin_first; /* ...from this string's on (counted from SST_INDEX_MEMORY) */
} sst_t;

typedef struct merge {
	uint32_t r1, c1, r2, c2; /* 1-based, c2 cut at max_columns */
} merge_t;

typedef struct active {
	merge_t m;
	char *value;         /* the top-left cell's text (NULL: empty), malloc'd */
	unsigned char type;
} active_t;

/* The sheet being read. */
typedef struct sheet_read {
	xpass_t pass;
	bool open;           /* pass holds a parser */
	enum { SH_NONE, SH_READING, SH_DONE, SH_FAILED } state;
	const char *name;
	merge_t *merges;
	size_t n_merges, cap_merges, next_merge, count_merges;
	bool scanned;        /* its merged ranges found without parsing its rows */
	active_t *active;
	size_t n_active, cap_active;
	bool active_changed;
	/* the row */
	size_t row, prev_row, rows_given;
	bool in_row;
	buf_t text;          /* its cells' text, one after the other */
	size_t *off;         /* off[k]: column k+1's text in text, or EMPTY_SLOT */
	unsigned char *types;
	const char **cells;
	size_t n_slots, cap_slots;
	/* the cell */
	size_t row_n;        /* cells of the row ready, up to the last non-empty one */
	bool in_cell, collect, too_long;
	size_t col, prev_col, style;
	cell_kind_t kind;
	buf_t val;
} sheet_read_t;

struct xlsx_reader {
	zip_t *zip;
	sheet_limits_t lim;
	uint64_t open_bytes;     /* bytes of the parts read at open */
	bool date1904;
	xsheet_t *sheets;
	size_t n_sheets, cap_sheets;
	xsheet_t **by_rid;       /* the sheets in the order of their rid */
	char workbook[XPATH_CAP], styles[XPATH_CAP], strings[XPATH_CAP];
	unsigned char *fmt_kind; /* [FMT_IDS]: 0 not defined, else fmt_kind_t */
	unsigned char *xf_date;  /* cell style i shows a number as a date */
	size_t n_xf, cap_xf;
	sst_t sst;
	buf_t si;                /* the shared string being read */
	bool si_collect, si_long;
	size_t max_strings;      /* shared strings kept at most */
	size_t val_max;          /* bytes of a value's XML text gathered before it is too long */
	sheet_read_t sh;
};

/* ---- errors ---- */

static int oom(err_t *e)
{
	return err_fail(e, ERR_INTERNAL, "out_of_memory", "out of memory");
}

static size_t xml_line(const xpass_t *ps)
{
	return ps->p ? (size_t)XML_GetCurrentLineNumber(ps->p) : 0;
}

/* Fails the pass from inside a handler: the error goes into e, and the
 * parser stops for good. Returns -1. */
static int pass_stop(xpass_t *ps)
{
	ps->failed = true;
	if (ps->p)
		XML_StopParser(ps->p, XML_FALSE);
	return -1;
}

static int xml_fail(xpass_t *ps, const char *code, const char *what)
{
	char tmpl[256];

	snprintf(tmpl, sizeof(tmpl), "{part}, line {line}: %s", what);
	err_fail(ps->e, ERR_BAD_REQUEST, code, tmpl, ERR_STR("part", ps->part), ERR_INT("line", xml_line(ps)));
	return pass_stop(ps);
}

static int too_large(err_t *e, const char *part, uint64_t max, const char *what)
{
	return err_fail(e, ERR_BAD_REQUEST, "xlsx_too_large", what, ERR_STR("part", part), ERR_INT("max", max));
}

static int bad_zip(err_t *e, const char *part, const char *why)
{
	char tmpl[256];

	snprintf(tmpl, sizeof(tmpl), "the workbook is damaged: {part} cannot be read (%s)", why);
	return err_fail(e, ERR_BAD_REQUEST, "xlsx_bad_zip", tmpl, ERR_STR("part", part));
}

/* ---- names and attributes ---- */

static const char *local_name(const char *qname)
{
	const char *c = strrchr(qname, ':');
	return c ? c + 1 : qname;
}

static const char *attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(local_name(atts[i]), name) == 0)
			return atts[i + 1];
	return NULL;
}

static unsigned char elem_id(const char *qname)
{
	const char *n = local_name(qname);

	switch (n[0]) {
	case 'c':
		if (!n[1])
			return E_C;
		if (strcmp(n, "cellXfs") == 0)
			return E_CELLXFS;
		break;
	case 'v':
		if (!n[1])
			return E_V;
		break;
	case 't':
		if (!n[1])
			return E_T;
		break;
	case 'r':
		if (!n[1])
			return E_R;
		if (strcmp(n, "row") == 0)
			return E_ROW;
		if (strcmp(n, "rPh") == 0)
			return E_RPH;
		break;
	case 'i':
		if (strcmp(n, "is") == 0)
			return E_IS;
		break;
	case 's':
		if (strcmp(n, "sheetData") == 0)
			return E_SHEETDATA;
		if (strcmp(n, "sheet") == 0)
			return E_SHEET;
		if (strcmp(n, "sheets") == 0)
			return E_SHEETS;
		if (strcmp(n, "si") == 0)
			return E_SI;
		if (strcmp(n, "sst") == 0)
			return E_SST;
		break;
	case 'm':
		if (strcmp(n, "mergeCell") == 0)
			return E_MERGECELL;
		if (strcmp(n, "mergeCells") == 0)
			return E_MERGECELLS;
		break;
	case 'n':
		if (strcmp(n, "numFmt") == 0)
			return E_NUMFMT;
		if (strcmp(n, "numFmts") == 0)
			return E_NUMFMTS;
		break;
	case 'x':
		if (strcmp(n, "xf") == 0)
			return E_XF;
		break;
	case 'w':
		if (strcmp(n, "workbookPr") == 0)
			return E_WBPR;
		break;
	case 'R':
		if (strcmp(n, "Relationship") == 0)
			return E_REL;
		break;
	default:
		break;
	}
	return E_OTHER;
}

/* The element `up` levels above the one being opened (1: its parent). */
static unsigned char pass_up(const xpass_t *ps, int up)
{
	return ps->depth >= up ? ps->stack[ps->depth - up] : E_OTHER;
}

/* Pushes the element opened; fails past XLSX_MAX_DEPTH. Returns 0 or -1. */
static int pass_enter(xpass_t *ps, unsigned char id)
{
	if (ps->depth >= XLSX_MAX_DEPTH) {
		char tmpl[128];
		snprintf(tmpl, sizeof(tmpl), "{part}, line {line}: elements nested more than %d deep", XLSX_MAX_DEPTH);
		err_fail(ps->e, ERR_BAD_REQUEST, "xlsx_too_deep", tmpl, ERR_STR("part", ps->part),
			 ERR_INT("line", xml_line(ps)), ERR_INT("max", XLSX_MAX_DEPTH));
		return pass_stop(ps);
	}
	ps->stack[ps->depth++] = id;
	return 0;
}

/* Pops the element closed; returns its id. */
static unsigned char pass_leave(xpass_t *ps)
{
	return ps->depth > 0 ? ps->stack[--ps->depth] : E_OTHER;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xml_fail(ud, "xlsx_doctype", "a DOCTYPE, which a workbook never has (it could define entities)");
}

static void XMLCALL plain_end(void *ud, const XML_Char *name)
{
	(void)name;
	pass_leave(ud);
}

/* ---- reading a part ---- */

static void pass_close(xpass_t *ps)
{
	if (ps->p)
		XML_ParserFree(ps->p);
	if (ps->f)
		zip_fclose(ps->f);
	ps->p = NULL;
	ps->f = NULL;
}

/* Opens part `name` for parsing, bytes counted after base. Returns 0, 1
 * when the zip has no such part, -1 with e. */
static int pass_open(xpass_t *ps, xlsx_reader_t *x, const char *name, uint64_t base, err_t *e)
{
	const uint64_t max = x->lim.max_bytes;
	zip_stat_t st;
	zip_int64_t idx;

	memset(ps, 0, sizeof(*ps));
	ps->x = x;
	ps->e = e;
	ps->base = base;
	ps->mem.max = XLSX_XML_MEMORY;
	snprintf(ps->part, sizeof(ps->part), "%s", name);
	idx = zip_name_locate(x->zip, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return 1;
	zip_stat_init(&st);
	if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) != 0)
		return bad_zip(e, name, zip_strerror(x->zip));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return err_fail(e, ERR_BAD_REQUEST, "xlsx_encrypted",
				"the workbook is protected by a password: save it without one");
	if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0))
		return bad_zip(e, name, "unknown compression method");
	if (st.valid & ZIP_STAT_COMP_SIZE)
		ps->comp = st.comp_size;
	if (st.valid & ZIP_STAT_SIZE) {
		if (st.size > max - base)
			return too_large(e, name, max, "the workbook holds more than {max} bytes uncompressed ({part})");
		if (st.size > XLSX_RATIO_FREE && st.size / XLSX_MAX_RATIO > ps->comp)
			return too_large(e, name, XLSX_MAX_RATIO,
					 "{part} is packed more than {max} to 1: not a spreadsheet (a zip bomb?)");
	}
	ps->f = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
	if (!ps->f)
		return bad_zip(e, name, zip_strerror(x->zip));
	mem_current = &ps->mem;
	ps->p = XML_ParserCreate_MM(NULL, &mem_suite, NULL);
	mem_current = NULL;
	if (!ps->p) {
		pass_close(ps);
		return oom(e);
	}
	XML_SetUserData(ps->p, ps);
	XML_SetStartDoctypeDeclHandler(ps->p, on_doctype);
	return 0;
}

/* An expat failure that no handler reported. Returns -1. */
static int pass_xml_error(xpass_t *ps)
{
	enum XML_Error code = XML_GetErrorCode(ps->p);

	if (ps->failed)
		return -1;
	ps->failed = true;
	if (code == XML_ERROR_NO_MEMORY && ps->mem.over)
		return err_fail(ps->e, ERR_BAD_REQUEST, "xlsx_too_large",
				"{part}, line {line}: an XML tag needs more than {max} bytes to read",
				ERR_STR("part", ps->part), ERR_INT("line", xml_line(ps)), ERR_INT("max", XLSX_XML_MEMORY));
	if (code == XML_ERROR_NO_MEMORY)
		return oom(ps->e);
	{
		char tmpl[256];
		snprintf(tmpl, sizeof(tmpl), "{part}, line {line}: the XML is malformed (%s)", XML_ErrorString(code));
		return err_fail(ps->e, ERR_BAD_REQUEST, "xlsx_bad_xml", tmpl, ERR_STR("part", ps->part),
				ERR_INT("line", xml_line(ps)));
	}
}

/* Counts n more bytes read from the part. Returns 0, or -1 with e. */
static int pass_count(xpass_t *ps, uint64_t n)
{
	const uint64_t max = ps->x->lim.max_bytes;

	ps->read += n;
	if (ps->read > max - ps->base) {
		ps->failed = true;
		return too_large(ps->e, ps->part, max, "the workbook holds more than {max} bytes uncompressed ({part})");
	}
	if (ps->read > XLSX_RATIO_FREE && ps->read / XLSX_MAX_RATIO > ps->comp) {
		ps->failed = true;
		return too_large(ps->e, ps->part, XLSX_MAX_RATIO,
				 "{part} is packed more than {max} to 1: not a spreadsheet (a zip bomb?)");
	}
	return 0;
}

/* Runs the parser on: returns 1 when a handler suspended it (a row is
 * ready), 0 at the end of the part, -1 with ps->e. */
static int pass_run(xpass_t *ps)
{
	enum XML_Status st;

	if (ps->finished)
		return 0;
	if (ps->suspended) {
		XML_ParsingStatus status;

		ps->suspended = false;
		mem_current = &ps->mem;
		st = XML_ResumeParser(ps->p);
		mem_current = NULL;
		if (st == XML_STATUS_SUSPENDED) {
			ps->suspended = true;
			return 1;
		}
		if (st == XML_STATUS_ERROR)
			return pass_xml_error(ps);
		XML_GetParsingStatus(ps->p, &status);
		if (status.parsing == XML_FINISHED) {
			ps->finished = true;
			return 0;
		}
	}
	for (;;) {
		zip_int64_t n;
		void *b;

		mem_current = &ps->mem;
		b = XML_GetBuffer(ps->p, CHUNK);
		mem_current = NULL;
		if (!b)
			return pass_xml_error(ps);
		n = zip_fread(ps->f, b, CHUNK);
		if (n < 0) {
			ps->failed = true;
			return bad_zip(ps->e, ps->part, zip_file_strerror(ps->f));
		}
		if (pass_count(ps, (uint64_t)n))
			return -1;
		mem_current = &ps->mem;
		st = XML_ParseBuffer(ps->p, (int)n, n == 0);
		mem_current = NULL;
		if (st == XML_STATUS_SUSPENDED) {
			ps->suspended = true;
			return 1;
		}
		if (st == XML_STATUS_ERROR)
			return pass_xml_error(ps);
		if (n == 0) {
			ps->finished = true;
			return 0;
		}
	}
}

/* Parses part `name` whole with the handlers given, counting its bytes
 * into x->open_bytes. Returns 0, 1 when there is no such part, -1 with e. */
static int read_part(xlsx_reader_t *x, const char *name, int mode, XML_StartElementHandler start,
		     XML_CharacterDataHandler chars, err_t *e)
{
	xpass_t ps;
	int r = pass_open(&ps, x, name, x->open_bytes, e);

	if (r)
		return r;
	ps.mode = mode;
	XML_SetElementHandler(ps.p, start, plain_end);
	if (chars)
		XML_SetCharacterDataHandler(ps.p, chars);
	r = pass_run(&ps);
	x->open_bytes += ps.read;
	pass_close(&ps);
	return r < 0 ? -1 : 0;
}

/* ---- part names ---- */

/* The part a relationship's target names: target, relative to the folder
 * of part `from` ("" for the package), or absolute ("/xl/..."), with "."
 * and ".." resolved. Returns 0, or -1 when it does not fit. */
static int part_path(char out[XPATH_CAP], const char *from, const char *target)
{
	char tmp[XPATH_CAP * 2];
	const char *slash = strrchr(from, '/');
	size_t o = 0;
	int w;

	if (target[0] == '/')
		w = snprintf(tmp, sizeof(tmp), "%s", target + 1);
	else
		w = snprintf(tmp, sizeof(tmp), "%.*s%s", slash ? (int)(slash - from + 1) : 0, from, target);
	if (w < 0 || (size_t)w >= sizeof(tmp))
		return -1;
	for (const char *s = tmp; *s;) {
		size_t n = strcspn(s, "/\\");
		if ((n == 1 && s[0] == '.') || n == 0) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			while (o > 0 && out[o - 1] != '/')
				o--;
		} else {
			if (o + n + 1 >= XPATH_CAP)
				return -1;
			memcpy(out + o, s, n);
			o += n;
			out[o++] = '/';
		}
		s += n;
		if (*s)
			s++;
	}
	if (o == 0)
		return -1;
	out[o - 1] = '\0'; /* the last '/' */
	return 0;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* ---- the workbook and its relationships ---- */

static char *dup_cut(const char *s, size_t cap)
{
	size_t n = strlen(s);
	char *d;

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* not inside a character */
	}
	d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void add_sheet(xpass_t *ps, const char *name, const char *rid)
{
	xlsx_reader_t *x = ps->x;
	xsheet_t *s;

	if (x->n_sheets == XLSX_MAX_SHEETS) {
		err_fail(ps->e, ERR_BAD_REQUEST, "xlsx_too_many_sheets", "the workbook has more than {max} sheets",
			 ERR_INT("max", XLSX_MAX_SHEETS));
		pass_stop(ps);
		return;
	}
	if (grow((void **)&x->sheets, &x->cap_sheets, x->n_sheets + 1, sizeof(*x->sheets))) {
		oom(ps->e);
		pass_stop(ps);
		return;
	}
	s = &x->sheets[x->n_sheets];
	s->name = dup_cut(name ? name : "", SHEET_NAME_CAP);
	s->rid = dup_cut(rid ? rid : "", XPATH_CAP);
	s->path = NULL;
	if (!s->name || !s->rid) {
		free(s->name);
		free(s->rid);
		oom(ps->e);
		pass_stop(ps);
		return;
	}
	x->n_sheets++;
}

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xpass_t *ps = ud;
	unsigned char id = elem_id(name), parent = pass_up(ps, 1);

	if (ps->failed || pass_enter(ps, id))
		return;
	if (id == E_WBPR) {
		const char *v = attr(atts, "date1904");
		ps->x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	} else if (id == E_SHEET && parent == E_SHEETS) {
		add_sheet(ps, attr(atts, "name"), attr(atts, "id"));
	}
}

static int rid_cmp(const void *a, const void *b)
{
	return strcmp((*(xsheet_t *const *)a)->rid, (*(xsheet_t *const *)b)->rid);
}

/* The first sheet without a part whose relationship id is rid, or NULL
 * (x->by_rid is sorted by rid). */
static xsheet_t *sheet_by_rid(xlsx_reader_t *x, const char *rid)
{
	size_t lo = 0, hi = x->n_sheets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(x->by_rid[mid]->rid, rid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < x->n_sheets && strcmp(x->by_rid[lo]->rid, rid) == 0; lo++)
		if (!x->by_rid[lo]->path)
			return x->by_rid[lo];
	return NULL;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xpass_t *ps = ud;
	xlsx_reader_t *x = ps->x;
	unsigned char id = elem_id(name);
	const char *rid, *type, *target, *mode;
	char path[XPATH_CAP];

	if (ps->failed || pass_enter(ps, id) || id != E_REL)
		return;
	rid = attr(atts, "Id");
	type = attr(atts, "Type");
	target = attr(atts, "Target");
	mode = attr(atts, "TargetMode");
	if (!rid || !type || !target || (mode && strcmp(mode, "External") == 0))
		return;
	if (ps->mode == REL_ROOT) {
		if (!x->workbook[0] && ends_with(type, "/officeDocument") && part_path(path, "", target) == 0)
			memcpy(x->workbook, path, sizeof(path));
		return;
	}
	if (part_path(path, x->workbook, target))
		return;
	if (ends_with(type, "/worksheet") || ends_with(type, "/chartsheet") || ends_with(type, "/dialogsheet")) {
		xsheet_t *s = sheet_by_rid(x, rid);
		if (s && !(s->path = dup_cut(path, XPATH_CAP))) {
			oom(ps->e);
			pass_stop(ps);
		}
	} else if (ends_with(type, "/styles") && !x->styles[0]) {
		memcpy(x->styles, path, sizeof(path));
	} else if (ends_with(type, "/sharedStrings") && !x->strings[0]) {
		memcpy(x->strings, path, sizeof(path));
	}
}

/* ---- styles: which cell styles are dates ---- */

static bool word_at(const char *s, const char *w)
{
	for (; *w; s++, w++)
		if (*s == '\0' || (*s | 0x20) != *w)
			return false;
	return true;
}

/* The next date or time letter in s (lower case), skipping what is not
 * one; 0 at the end. For the look-ahead of 'm'. */
static char next_letter(const char *s)
{
	for (; *s; s++) {
		char c = (char)(*s | 0x20);
		if (c == 'd' || c == 'm' || c == 'y' || c == 'h' || c == 's')
			return c;
		if (*s == '"' || *s == '[' || *s == ';')
			return 0;
	}
	return 0;
}

/* What a number format shows: a date (d, y, or m as month outside
 * quotes, brackets and escapes), a time (h, s, m as minutes: after h or
 * before s), or something else. */
static fmt_kind_t format_kind(const char *f)
{
	bool date = false, time = false;
	char last = 0;

	for (const char *s = f; *s; s++) {
		char c = (char)(*s | 0x20);
		if (*s == '"') {
			const char *q = strchr(s + 1, '"');
			if (!q)
				break;
			s = q;
		} else if (*s == '\\' || *s == '_' || *s == '*') {
			if (!s[1])
				break;
			s++; /* an escaped, padding or fill character */
		} else if (*s == '[') {
			/* [Red], [$-42A], [<100]; [h], [mm], [ss] are elapsed time */
			const char *q = strchr(s + 1, ']');
			if (!q)
				break;
			if (strspn(s + 1, "hHmMsS") == (size_t)(q - s - 1) && q > s + 1) {
				time = true;
				last = 'h'; /* [h]:mm: minutes */
			}
			s = q;
		} else if (word_at(s, "am/pm")) {
			s += 4;
		} else if (word_at(s, "a/p")) {
			s += 2;
		} else if (c == 'd' || c == 'y') {
			date = true;
			last = c;
		} else if (c == 'h' || c == 's') {
			time = true;
			last = c;
		} else if (c == 'm') {
			while ((s[1] | 0x20) == 'm')
				s++;
			if (last == 'h' || next_letter(s + 1) == 's') {
				time = true;
				last = 'n'; /* minutes */
			} else {
				date = true;
				last = 'm';
			}
		}
	}
	return date ? FMT_DATE : time ? FMT_TIME : FMT_OTHER;
}

static fmt_kind_t builtin_kind(unsigned long id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
		return FMT_DATE;
	if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
		return FMT_TIME;
	return FMT_OTHER;
}

/* A decimal number of at most 9 digits, or -1. */
static long small_num(const char *s)
{
	long v = 0;
	size_t i = 0;

	if (!s || !*s)
		return -1;
	for (; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xpass_t *ps = ud;
	xlsx_reader_t *x = ps->x;
	unsigned char id = elem_id(name), parent = pass_up(ps, 1);
	long fmt;

	if (ps->failed || pass_enter(ps, id))
		return;
	if (id == E_NUMFMT && parent == E_NUMFMTS) {
		const char *code = attr(atts, "formatCode");
		fmt = small_num(attr(atts, "numFmtId"));
		if (fmt < 0 || (unsigned long)fmt >= FMT_IDS || !code)
			return;
		if (!x->fmt_kind && !(x->fmt_kind = calloc(FMT_IDS, 1))) {
			oom(ps->e);
			pass_stop(ps);
			return;
		}
		x->fmt_kind[fmt] = (unsigned char)format_kind(code);
	} else if (id == E_XF && parent == E_CELLXFS) {
		fmt_kind_t k;
		if (x->n_xf == XLSX_MAX_STYLES) {
			err_fail(ps->e, ERR_BAD_REQUEST, "xlsx_too_many_styles", "the workbook has more than {max} cell styles",
				 ERR_INT("max", XLSX_MAX_STYLES));
			pass_stop(ps);
			return;
		}
		if (grow((void **)&x->xf_date, &x->cap_xf, x->n_xf + 1, 1)) {
			oom(ps->e);
			pass_stop(ps);
			return;
		}
		fmt = small_num(attr(atts, "numFmtId"));
		k = fmt < 0 ? FMT_OTHER
		    : (x->fmt_kind && (unsigned long)fmt < FMT_IDS && x->fmt_kind[fmt]) ? (fmt_kind_t)x->fmt_kind[fmt]
											: builtin_kind((unsigned long)fmt);
		x->xf_date[x->n_xf++] = k == FMT_DATE;
	}
}

/* ---- shared strings ---- */

static int write_all(int fd, const char *s, size_t n, err_t *e)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, s + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_set(e, ERR_INTERNAL, "xlsx_temp_file", "cannot write the temporary file: %s",
				       w < 0 ? strerror(errno) : "no space");
		done += (size_t)w;
	}
	return 0;
}

/* Writes what is buffered for either temporary file. Returns 0 or -1. */
static int sst_flush(sst_t *t, err_t *e)
{
	if (t->fd >= 0 && write_all(t->fd, t->wbuf.s, t->wbuf.len, e))
		return -1;
	t->wbuf.len = 0;
	if (t->ifd >= 0 && write_all(t->ifd, t->iwbuf.s, t->iwbuf.len, e))
		return -1;
	t->iwbuf.len = 0;
	return 0;
}

/* Creates a temporary file, unlinked, in $TMPDIR (or /tmp): gone when the
 * reader closes it, or the process ends. Returns 0 with *fd, or -1. */
static int temp_file(int *fd, err_t *e)
{
	const char *dir = getenv("TMPDIR");
	char path[XPATH_CAP];

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/unionbase-xlsx-XXXXXX", dir);
	*fd = mkstemp(path);
	if (*fd < 0)
		return err_set(e, ERR_INTERNAL, "xlsx_temp_file", "cannot create a temporary file in %s: %s", dir,
			       strerror(errno));
	unlink(path);
	return 0;
}

/* Starts the temporary file for the strings that do not fit in memory. The
 * first ones stay there: they are the ones most used (a table lists strings
 * as they first appear: the headers, then the few values of a column such
 * as the ethnic group). */
static int sst_spill(sst_t *t, err_t *e)
{
	if (temp_file(&t->fd, e))
		return -1;
	t->mem_end = t->mem.len;
	if (buf_reserve(&t->wbuf, SST_WBUF) || buf_reserve(&t->win, SST_WINDOW))
		return oom(e);
	return 0;
}

/* Indexes string i, which starts at t->end. Returns 0 or -1. */
static int sst_index(xlsx_reader_t *x, size_t i, err_t *e)
{
	sst_t *t = &x->sst;
	uint64_t d;

	if (i >= SST_INDEX_MEMORY) {
		if (t->ifd < 0 && (temp_file(&t->ifd, e) || buf_reserve(&t->iwbuf, SST_WBUF) ||
				   buf_reserve(&t->iwin, SST_WINDOW)))
			return t->ifd < 0 ? -1 : oom(e);
		if (t->iwbuf.len + sizeof(t->end) > SST_WBUF && sst_flush(t, e))
			return -1;
		memcpy(t->iwbuf.s + t->iwbuf.len, &t->end, sizeof(t->end));
		t->iwbuf.len += sizeof(t->end);
		return 0;
	}
	if (i == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		uint32_t *dv;
		uint64_t *bv;
		if (cap > SST_INDEX_MEMORY)
			cap = SST_INDEX_MEMORY;
		dv = realloc(t->delta, cap * sizeof(*dv));
		if (!dv)
			return oom(e);
		t->delta = dv;
		bv = realloc(t->base, (cap / SST_BLOCK + 1) * sizeof(*bv));
		if (!bv)
			return oom(e);
		t->base = bv;
		t->cap = cap;
	}
	if (i % SST_BLOCK == 0)
		t->base[i / SST_BLOCK] = t->end;
	d = t->end - t->base[i / SST_BLOCK];
	if (d > UINT32_MAX)
		return too_large(e, x->strings, UINT32_MAX, "{part}: shared strings too long to index (over {max} bytes in 64)");
	t->delta[i] = (uint32_t)d;
	return 0;
}

static int sst_add(xlsx_reader_t *x, const char *s, size_t len, err_t *e)
{
	sst_t *t = &x->sst;

	if (t->n == x->max_strings)
		return err_fail(e, ERR_BAD_REQUEST, "xlsx_too_many_strings", "the workbook has more than {max} shared strings",
				ERR_INT("max", x->max_strings));
	if (sst_index(x, t->n, e))
		return -1;
	if (t->fd < 0 && t->mem.len + len > XLSX_SST_MEMORY && sst_spill(t, e))
		return -1;
	if (t->fd < 0) {
		if (buf_reserve(&t->mem, len))
			return oom(e);
		memcpy(t->mem.s + t->mem.len, s, len);
		t->mem.len += len;
	} else {
		if (t->wbuf.len + len > SST_WBUF && sst_flush(t, e))
			return -1;
		if (buf_reserve(&t->wbuf, len))
			return oom(e);
		memcpy(t->wbuf.s + t->wbuf.len, s, len);
		t->wbuf.len += len;
	}
	t->end += len;
	t->n++;
	return 0;
}

static int sst_pread(int fd, char *dst, size_t len, uint64_t off, size_t *got, err_t *e)
{
	size_t done = 0;

	*got = 0;
	while (done < len) {
		ssize_t r = pread(fd, dst + done, len - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, ERR_INTERNAL, "xlsx_temp_file", "cannot read the temporary file: %s",
				       strerror(errno));
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return 0;
}

static int temp_cut_short(err_t *e)
{
	return err_set(e, ERR_INTERNAL, "xlsx_temp_file", "the temporary file was cut short");
}

/* How many bytes to read into a window at offset `at` of its file, when
 * it held [from, from + len) before: SST_WINDOW going on forward (cells
 * mostly use strings in the order of the table), SST_JUMP after a jump
 * back or far ahead, so that a sheet whose cells jump about the table
 * costs a small read a cell, not a window's. */
static size_t window_size(uint64_t at, uint64_t from, size_t len)
{
	return at >= from && at - from < (uint64_t)len + SST_WINDOW ? SST_WINDOW : SST_JUMP;
}

/* Where string i starts (i == n: where the text ends), from the index in
 * memory or the window of offsets read ahead from its file (refilled from
 * i on). Returns 0 or -1 with e. */
static int sst_off(sst_t *t, size_t i, uint64_t *off, err_t *e)
{
	size_t j, got;

	if (i == t->n) {
		*off = t->end;
		return 0;
	}
	if (i < SST_INDEX_MEMORY) {
		*off = t->base[i / SST_BLOCK] + t->delta[i];
		return 0;
	}
	j = i - SST_INDEX_MEMORY;
	if (j < t->iwin_first || j - t->iwin_first >= t->iwin.len / sizeof(*off)) {
		size_t want = window_size((uint64_t)j * sizeof(*off), (uint64_t)t->iwin_first * sizeof(*off), t->iwin.len);
		t->iwin.len = 0;
		if (sst_pread(t->ifd, t->iwin.s, want, (uint64_t)j * sizeof(*off), &got, e))
			return -1;
		if (got < sizeof(*off))
			return temp_cut_short(e);
		t->iwin_first = j;
		t->iwin.len = got;
	}
	memcpy(off, t->iwin.s + (j - t->iwin_first) * sizeof(*off), sizeof(*off));
	return 0;
}

/* Where string i starts and its length in bytes. Returns 0 or -1 with e. */
static int sst_span(sst_t *t, size_t i, uint64_t *off, size_t *len, err_t *e)
{
	uint64_t end = 0;

	if (sst_off(t, i, off, e) || sst_off(t, i + 1, &end, e))
		return -1;
	if (end < *off || end > t->end)
		return temp_cut_short(e);
	*len = (size_t)(end - *off);
	return 0;
}

/* Copies the len bytes of text at off to dst: from memory, from the window
 * read ahead, or from the file (refilling the window). Returns 0, or -1
 * with e. */
static int sst_copy(sst_t *t, uint64_t off, size_t len, char *dst, err_t *e)
{
	size_t got;

	if (t->fd < 0 || off < t->mem_end) {
		memcpy(dst, t->mem.s + off, len);
		return 0;
	}
	off -= t->mem_end;
	if (off < t->win_off || off + len > t->win_off + t->win.len) {
		size_t want = window_size(off, t->win_off, t->win.len);
		if (len >= want) {
			if (sst_pread(t->fd, dst, len, off, &got, e))
				return -1;
			goto check;
		}
		t->win.len = 0;
		if (sst_pread(t->fd, t->win.s, want, off, &got, e))
			return -1;
		t->win_off = off;
		t->win.len = got;
		if (got < len)
			goto check;
	}
	memcpy(dst, t->win.s + (off - t->win_off), len);
	return 0;
check:
	return got < len ? temp_cut_short(e) : 0;
}

static void sst_free(sst_t *t)
{
	free(t->base);
	free(t->delta);
	free(t->mem.s);
	free(t->wbuf.s);
	free(t->win.s);
	free(t->iwbuf.s);
	free(t->iwin.s);
	if (t->fd >= 0)
		close(t->fd);
	if (t->ifd >= 0)
		close(t->ifd);
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->ifd = -1;
}

/* Appends XML text to b unless it would pass max: then *too_long. */
static int gather(buf_t *b, const char *s, int len, size_t max, bool *too_long)
{
	if (len <= 0 || *too_long)
		return 0;
	if ((size_t)len > max - b->len) {
		*too_long = true;
		return 0;
	}
	if (buf_reserve(b, (size_t)len))
		return -1;
	memcpy(b->s + b->len, s, (size_t)len);
	b->len += (size_t)len;
	return 0;
}

/* OOXML writes characters XML cannot hold as _xHHHH_ (and a "_x" that
 * is text as _x005F_x). Decodes them in s[0..len) in place (the result is
 * never longer); returns the new length. NUL and surrogates stay as
 * written. */
static size_t unescape_ooxml(char *s, size_t len)
{
	static const char HEX[] = "0123456789abcdef";
	size_t r = 0, w = 0;

	while (r < len) {
		if (s[r] == '_' && r + 6 < len && s[r + 1] == 'x' && s[r + 6] == '_') {
			unsigned cp = 0;
			int k;
			for (k = 2; k < 6; k++) {
				const char *h = s[r + k] ? strchr(HEX, s[r + k] | 0x20) : NULL;
				if (!h)
					break;
				cp = cp * 16 + (unsigned)(h - HEX);
			}
			if (k == 6 && cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
				if (cp < 0x80) {
					s[w++] = (char)cp;
				} else if (cp < 0x800) {
					s[w++] = (char)(0xC0 | (cp >> 6));
					s[w++] = (char)(0x80 | (cp & 0x3F));
				} else {
					s[w++] = (char)(0xE0 | (cp >> 12));
					s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
					s[w++] = (char)(0x80 | (cp & 0x3F));
				}
				r += 7;
				continue;
			}
		}
		s[w++] = s[r++];
	}
	return w;
}

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xpass_t *ps = ud;
	xlsx_reader_t *x = ps->x;
	unsigned char id = elem_id(name), parent = pass_up(ps, 1), grand = pass_up(ps, 2);
	(void)atts;

	if (ps->failed || pass_enter(ps, id))
		return;
	if (id == E_SI && parent == E_SST) {
		x->si.len = 0;
		x->si_long = false;
	} else if (id == E_T) {
		/* a plain string's text, or a rich text run's; not a phonetic run's */
		x->si_collect = parent == E_SI || (parent == E_R && grand == E_SI);
	}
}

static void XMLCALL sst_chars(void *ud, const XML_Char *s, int len)
{
	xpass_t *ps = ud;
	xlsx_reader_t *x = ps->x;

	if (!ps->failed && x->si_collect && gather(&x->si, s, len, x->val_max, &x->si_long)) {
		oom(ps->e);
		pass_stop(ps);
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	xpass_t *ps = ud;
	xlsx_reader_t *x = ps->x;
	unsigned char id = pass_leave(ps);
	size_t len;
	(void)name;

	if (ps->failed)
		return;
	if (id == E_T) {
		x->si_collect = false;
	} else if (id == E_SI && pass_up(ps, 1) == E_SST) {
		len = x->si_long ? x->si.len : unescape_ooxml(x->si.s, x->si.len);
		/* a string over max_cell is kept one byte too long, so that a cell
		 * that uses it is refused with its row and column */
		if (x->si_long || len > x->lim.max_cell)
			len = x->lim.max_cell + 1 < x->si.len ? x->lim.max_cell + 1 : x->si.len;
		if (sst_add(x, x->si.s ? x->si.s : "", len, ps->e))
			pass_stop(ps);
	}
}

/* ---- recognising the file ---- */

/* The bytes of the file: in memory (mem) or a file descriptor. */
typedef struct src {
	const unsigned char *mem;
	int fd;
	uint64_t size;
} src_t;

static size_t src_read(const src_t *s, uint64_t off, void *buf, size_t n)
{
	size_t done = 0;

	if (off >= s->size)
		return 0;
	if (n > s->size - off)
		n = (size_t)(s->size - off);
	if (s->mem) {
		memcpy(buf, s->mem + off, n);
		return n;
	}
	while (done < n) {
		ssize_t r = pread(s->fd, (char *)buf + done, n - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return done;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* An OLE compound file's directory entry name (UTF-16LE) equals ascii. */
static bool cfb_name_is(const unsigned char *ent, const char *ascii)
{
	size_t n = strlen(ascii);
	unsigned len = ent[64] | (unsigned)ent[65] << 8; /* bytes, the final NUL included */

	if (len != (n + 1) * 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ent[2 * i] != (unsigned char)ascii[i] || ent[2 * i + 1] != 0)
			return false;
	return true;
}

/* An OLE compound file: Excel's password-protected workbooks are one (an
 * EncryptedPackage stream), and so are .xls files (a Workbook or Book
 * stream) and other old Office files. Looks at the directory's first
 * sectors through the FAT. Returns -1 with e. */
static int cfb_refuse(const src_t *s, err_t *e)
{
	unsigned char h[512], sec[4096], fat[4];
	unsigned shift;
	uint32_t dir;

	if (src_read(s, 0, h, sizeof(h)) != sizeof(h))
		goto old;
	shift = h[0x1E] | (unsigned)h[0x1F] << 8;
	if (shift != 9 && shift != 12)
		goto old;
	dir = le32(h + 0x30);
	for (int k = 0; k < CFB_DIR_SECTORS && dir < 0xFFFFFFFAu; k++) {
		size_t size = (size_t)1 << shift, got = src_read(s, ((uint64_t)dir + 1) << shift, sec, size);
		uint32_t per = (uint32_t)(size / 4), fat_index = dir / per;
		for (size_t o = 0; o + 128 <= got; o += 128) {
			if (cfb_name_is(sec + o, "EncryptedPackage") || cfb_name_is(sec + o, "EncryptionInfo"))
				return err_fail(e, ERR_BAD_REQUEST, "xlsx_encrypted",
						"the workbook is protected by a password: open it, remove the password and save it again");
			if (cfb_name_is(sec + o, "Workbook") || cfb_name_is(sec + o, "Book"))
				goto old;
		}
		/* the next directory sector: the FAT's first 109 sectors are
		 * listed in the header */
		if (fat_index >= 109 || got != size)
			break;
		if (src_read(s, (((uint64_t)le32(h + 0x4C + (size_t)4 * fat_index) + 1) << shift) + (uint64_t)(dir % per) * 4, fat,
			     4) != 4)
			break;
		dir = le32(fat);
	}
old:
	return err_fail(e, ERR_BAD_REQUEST, "xlsx_old_format",
			"this is an old Excel file (.xls) or another old Office file, not an .xlsx workbook: open it and save it as .xlsx (Excel Workbook)");
}

/* Before libzip reads the central directory into memory, its size and
 * entries are bounded from the end-of-directory record (and ZIP64's).
 * Returns 0, or -1 with e. */
static int zip_precheck(const src_t *s, err_t *e)
{
	unsigned char tail[22 + 65535], z[56];
	size_t n = s->size < sizeof(tail) ? (size_t)s->size : sizeof(tail);
	uint64_t entries, dir_size;
	size_t at;

	if (n < 22 || src_read(s, s->size - n, tail, n) != n)
		goto not_zip;
	for (at = n - 22 + 1; at-- > 0;)
		if (memcmp(tail + at, "PK\5\6", 4) == 0)
			break;
	if (at == (size_t)-1)
		goto not_zip;
	entries = tail[at + 10] | (unsigned)tail[at + 11] << 8;
	dir_size = le32(tail + at + 12);
	if ((entries == 0xFFFF || dir_size == 0xFFFFFFFFu || le32(tail + at + 16) == 0xFFFFFFFFu) && at >= 20 &&
	    memcmp(tail + at - 20, "PK\6\7", 4) == 0) {
		if (src_read(s, le64(tail + at - 20 + 8), z, sizeof(z)) != sizeof(z) || memcmp(z, "PK\6\6", 4) != 0)
			goto not_zip;
		entries = le64(z + 32);
		dir_size = le64(z + 40);
	}
	if (entries > XLSX_MAX_ENTRIES)
		return too_large(e, "", XLSX_MAX_ENTRIES, "the zip holds more than {max} files: not a spreadsheet");
	if (dir_size > XLSX_MAX_DIRECTORY)
		return too_large(e, "", XLSX_MAX_DIRECTORY,
				 "the zip's list of files takes more than {max} bytes: not a spreadsheet");
	return 0;
not_zip:
	return err_fail(e, ERR_BAD_REQUEST, "xlsx_not_a_workbook",
			"the file is not an .xlsx workbook (its zip is incomplete or damaged)");
}

/* Refuses what is not a zip, with the best reason. Returns 0 or -1. */
static int sniff(const src_t *s, err_t *e)
{
	static const unsigned char CFB[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
	unsigned char m[8];

	if (src_read(s, 0, m, sizeof(m)) == sizeof(m) && memcmp(m, CFB, 8) == 0)
		return cfb_refuse(s, e);
	if (src_read(s, 0, m, 4) != 4 || (memcmp(m, "PK\3\4", 4) != 0 && memcmp(m, "PK\5\6", 4) != 0))
		return err_fail(e, ERR_BAD_REQUEST, "xlsx_not_a_workbook",
				"the file is not an .xlsx workbook (a CSV or text file renamed? save it as .xlsx, or import it as CSV)");
	return zip_precheck(s, e);
}

/* ---- opening ---- */

static int not_a_workbook(err_t *e)
{
	return err_fail(e, ERR_BAD_REQUEST, "xlsx_not_a_workbook",
			"the file is a zip but not an .xlsx workbook (no workbook inside; an .ods? save it as .xlsx)");
}

/* Reads the parts named at open. Returns 0 or -1 with e. */
static int read_workbook(xlsx_reader_t *x, err_t *e)
{
	int r = read_part(x, "_rels/.rels", REL_ROOT, rels_start, NULL, e);

	if (r < 0)
		return -1;
	if (!x->workbook[0])
		snprintf(x->workbook, sizeof(x->workbook), "xl/workbook.xml");
	r = read_part(x, x->workbook, 0, workbook_start, NULL, e);
	if (r < 0)
		return -1;
	if (r > 0)
		return not_a_workbook(e);
	{
		char rels[XPATH_CAP * 2];
		const char *slash = strrchr(x->workbook, '/');
		int dir = slash ? (int)(slash - x->workbook + 1) : 0;

		if (x->n_sheets) {
			x->by_rid = malloc(x->n_sheets * sizeof(*x->by_rid)); // NOLINT(bugprone-sizeof-expression): an array of pointers
			if (!x->by_rid)
				return oom(e);
			for (size_t i = 0; i < x->n_sheets; i++)
				x->by_rid[i] = &x->sheets[i];
			qsort(x->by_rid, x->n_sheets, sizeof(*x->by_rid), rid_cmp); // NOLINT(bugprone-sizeof-expression): idem
		}
		snprintf(rels, sizeof(rels), "%.*s_rels/%s.rels", dir, x->workbook, x->workbook + dir);
		if (read_part(x, rels, REL_WORKBOOK, rels_start, NULL, e) < 0)
			return -1;
	}
	if (!x->styles[0])
		snprintf(x->styles, sizeof(x->styles), "xl/styles.xml");
	if (!x->strings[0])
		snprintf(x->strings, sizeof(x->strings), "xl/sharedStrings.xml");
	if (read_part(x, x->styles, 0, styles_start, NULL, e) < 0)
		return -1;
	{
		xpass_t ps;
		r = pass_open(&ps, x, x->strings, x->open_bytes, e);
		if (r)
			return r < 0 ? -1 : 0;
		XML_SetElementHandler(ps.p, sst_start, sst_end);
		XML_SetCharacterDataHandler(ps.p, sst_chars);
		r = pass_run(&ps);
		x->open_bytes += ps.read;
		pass_close(&ps);
		if (r < 0)
			return -1;
	}
	if (sst_flush(&x->sst, e))
		return -1;
	return 0;
}

static int open_zip(xlsx_reader_t *x, const sheet_limits_t *lim, err_t *e)
{
	x->lim = lim ? *lim : SHEET_LIMITS_DEFAULT; // NOLINT(bugprone-implicit-widening-of-multiplication-result): sheet.h's constant 32 * 1024
	x->val_max = x->lim.max_cell < SIZE_MAX / 16 ? x->lim.max_cell * 8 + 16 : SIZE_MAX / 2;
	/* a string no sheet's cells could all use is not needed */
	x->max_strings = XLSX_MAX_STRINGS;
	if (x->lim.max_columns && x->lim.max_rows < XLSX_MAX_STRINGS / x->lim.max_columns)
		x->max_strings = x->lim.max_rows * x->lim.max_columns;
	if (read_workbook(x, e))
		return -1;
	return 0;
}

static xlsx_reader_t *reader_new(void)
{
	xlsx_reader_t *x = calloc(1, sizeof(*x));

	if (x) {
		x->sst.fd = -1;
		x->sst.ifd = -1;
	}
	return x;
}

int xlsx_open(const char *path, const sheet_limits_t *lim, xlsx_reader_t **out, err_t *e)
{
	xlsx_reader_t *x;
	struct stat st;
	src_t s = { NULL, -1, 0 };
	int zerr = 0;

	*out = NULL;
	s.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s.fd < 0) {
		char tmpl[256];
		snprintf(tmpl, sizeof(tmpl), "cannot open {path}: %s", strerror(errno));
		return err_fail(e, ERR_NOT_FOUND, "xlsx_cannot_open", tmpl, ERR_STR("path", path));
	}
	if (fstat(s.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(s.fd);
		return err_fail(e, ERR_BAD_REQUEST, "xlsx_not_a_workbook", "{path} is not a file", ERR_STR("path", path));
	}
	s.size = (uint64_t)st.st_size;
	if (sniff(&s, e)) {
		close(s.fd);
		return -1;
	}
	x = reader_new();
	if (!x) {
		close(s.fd);
		return oom(e);
	}
	x->zip = zip_fdopen(s.fd, 0, &zerr); /* closes s.fd when it succeeds */
	if (!x->zip) {
		close(s.fd);
		xlsx_close(x);
		return err_fail(e, ERR_BAD_REQUEST, "xlsx_not_a_workbook",
				"the file is not an .xlsx workbook (its zip is damaged)");
	}
	if (open_zip(x, lim, e)) {
		xlsx_close(x);
		return -1;
	}
	*out = x;
	return 0;
}

int xlsx_open_buffer(const void *data, size_t len, const sheet_limits_t *lim, xlsx_reader_t **out, err_t *e)
{
	src_t s = { data, -1, len };
	xlsx_reader_t *x;
	zip_source_t *zs;
	zip_error_t ze;

	*out = NULL;
	if (sniff(&s, e))
		return -1;
	x = reader_new();
	if (!x)
		return oom(e);
	zip_error_init(&ze);
	zs = zip_source_buffer_create(data, len, 0, &ze);
	if (zs)
		x->zip = zip_open_from_source(zs, ZIP_RDONLY, &ze);
	zip_error_fini(&ze);
	if (!x->zip) {
		if (zs)
			zip_source_free(zs);
		xlsx_close(x);
		return err_fail(e, ERR_BAD_REQUEST, "xlsx_not_a_workbook",
				"the file is not an .xlsx workbook (its zip is damaged)");
	}
	if (open_zip(x, lim, e)) {
		xlsx_close(x);
		return -1;
	}
	*out = x;
	return 0;
}

size_t xlsx_sheet_count(const xlsx_reader_t *x)
{
	return x->n_sheets;
}

const char *xlsx_sheet_name(const xlsx_reader_t *x, size_t i)
{
	return i < x->n_sheets ? x->sheets[i].name : NULL;
}

/* ---- references ---- */

/* A cell reference "B7" (at most 3 letters, column <= XFD; row 1..MAX_ROW
 * when `row` is wanted, else any digits). Returns the column, or 0; *end
 * after it. */
static size_t parse_ref(const char *s, uint32_t *row, const char **end)
{
	size_t col = 0, i = 0, r = 0, d = 0;

	while (s[i] >= 'A' && s[i] <= 'Z') {
		if (i == 3)
			return 0;
		col = col * 26 + (size_t)(s[i] - 'A' + 1);
		i++;
	}
	if (col == 0 || col > MAX_COL)
		return 0;
	while (s[i + d] >= '0' && s[i + d] <= '9') {
		if (d < 8)
			r = r * 10 + (size_t)(s[i + d] - '0');
		d++;
	}
	if (d == 0 || d > 7 || r < 1 || r > MAX_ROW)
		return 0;
	if (row)
		*row = (uint32_t)r;
	*end = s + i + d;
	return col;
}

/* ---- the sheet: merged ranges ---- */

static int sheet_fail(sheet_read_t *sr, const char *code, const char *what, const err_arg_t *extra, int n)
{
	err_arg_t args[ERR_MAX_PARAMS];
	char tmpl[320];
	int k = 0;

	args[k++] = ERR_STR("sheet", sr->name);
	args[k++] = ERR_INT("line", sr->row);
	for (int i = 0; i < n && k < ERR_MAX_PARAMS; i++)
		args[k++] = extra[i];
	snprintf(tmpl, sizeof(tmpl), "sheet {sheet}, row {line}: %s", what);
	err_failv(sr->pass.e, ERR_BAD_REQUEST, code, tmpl, args, k);
	return pass_stop(&sr->pass);
}

static int bad_ref(sheet_read_t *sr, const char *ref, const char *what)
{
	const err_arg_t a = ERR_STR("ref", ref);
	return sheet_fail(sr, "xlsx_bad_reference", what, &a, 1);
}

static void add_merge(sheet_read_t *sr, const char *ref)
{
	const size_t max_cols = sr->pass.x->lim.max_columns;
	const char *end;
	uint32_t r1 = 0, r2 = 0, t;
	size_t c1 = parse_ref(ref, &r1, &end), c2 = 0;
	merge_t *m;

	if (c1 && *end == ':')
		c2 = parse_ref(end + 1, &r2, &end);
	if (!c1 || (c2 && *end) || (!c2 && *end)) {
		sr->row = 0;
		bad_ref(sr, ref, "a merged range '{ref}' that is not one");
		return;
	}
	if (++sr->count_merges > XLSX_MAX_MERGES) {
		const err_arg_t a = ERR_INT("max", XLSX_MAX_MERGES);
		sr->row = r1;
		sheet_fail(sr, "xlsx_too_many_merges", "more than {max} merged ranges", &a, 1);
		return;
	}
	if (!c2 || (r1 == r2 && c1 == c2))
		return; /* one cell */
	if (r1 > r2) {
		t = r1;
		r1 = r2;
		r2 = t;
	}
	if (c1 > c2) {
		size_t u = c1;
		c1 = c2;
		c2 = u;
	}
	if (c1 > max_cols)
		return; /* wholly beyond the columns read */
	if (grow((void **)&sr->merges, &sr->cap_merges, sr->n_merges + 1, sizeof(*sr->merges))) {
		oom(sr->pass.e);
		pass_stop(&sr->pass);
		return;
	}
	m = &sr->merges[sr->n_merges++];
	m->r1 = r1;
	m->r2 = r2;
	m->c1 = (uint32_t)c1;
	m->c2 = (uint32_t)(c2 < max_cols ? c2 : max_cols);
}

static void XMLCALL merges_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xpass_t *ps = ud;
	sheet_read_t *sr = &ps->x->sh;
	unsigned char id = elem_id(name), parent = pass_up(ps, 1);

	if (ps->failed || pass_enter(ps, id))
		return;
	if (id == E_MERGECELL && parent == E_MERGECELLS) {
		const char *ref = attr(atts, "ref");
		add_merge(sr, ref ? ref : "");
	}
}

static int merge_cmp(const void *a, const void *b)
{
	const merge_t *m = a, *n = b;
	return m->r1 != n->r1 ? (m->r1 < n->r1 ? -1 : 1) : m->c1 != n->c1 ? (m->c1 < n->c1 ? -1 : 1) : 0;
}

/* The first pass reads a sheet's merged ranges, which follow its rows.
 * Expat's tokenising of the rows was a third of an import of an XLSX list
 * (a million rows: 5 of 15 s), so the pass looks at the bytes itself:
 * what comes before the rows (up to and with the <sheetData> tag: the
 * head) and what follows them (after its </sheetData>: the tail) are
 * parsed as one document, the rows between them skipped unparsed. Only
 * '<' can begin markup in well-formed XML, so the tags are found by their
 * '<'. Anything out of the common way sends the pass back to expat over
 * the whole sheet, as before, so that it finds the same ranges and
 * reports a fault with its line: a comment, CDATA, a processing
 * instruction or DOCTYPE outside the rows (a BOM and the XML declaration
 * at the start apart), a mergeCells, mergeCell or sheetData tag among the
 * rows, a second sheetData, an empty <sheetData/>, a head or tail past
 * its bound, more than a few blanks in the rows' end tag, or a fault the
 * short document's parse meets. A fault in the XML of the rows is found
 * by the second pass, when the reader reaches it. The bytes are counted
 * against the same limits either way. */
#define SCAN_HEAD_MAX ((size_t)1024 * 1024)     /* bytes before the rows */
#define SCAN_TAIL_MAX ((size_t)4 * 1024 * 1024) /* after them: 100,000 ranges of 37 bytes fit */
#define SCAN_PREFIX_MAX 32
#define SCAN_BLANKS_MAX 16                      /* blanks before the end tag's '>' */

typedef struct merge_scan {
	buf_t head, tail;
	size_t start;  /* where the head's markup begins: after a BOM and the XML declaration */
	char prefix[SCAN_PREFIX_MAX + 1]; /* the rows' tag's namespace prefix, with its ':' */
	char end_tag[SCAN_PREFIX_MAX + 16]; /* "</" prefix "sheetData" */
	size_t end_len;
	bool in_rows;  /* the head is whole */
	bool ended;    /* the rows' end tag has been seen */
	bool give_up;  /* parse the sheet whole */
	size_t from;   /* where in tail the scan goes on */
} merge_scan_t;

static bool name_char(char c)
{
	return c && !strchr(" \t\r\n/>=\"'<", c);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The local name of the tag whose name begins at s[0..len): its length
 * in *n (the name's, prefix included), the local part's start in *local.
 * false when the name runs to the end of s (cut by a read). */
static bool tag_name(const char *s, size_t len, size_t *n, const char **local)
{
	const char *colon;

	for (*n = 0; *n < len && name_char(s[*n]); ++*n)
		;
	if (*n >= len)
		return false;
	colon = memchr(s, ':', *n);
	*local = colon ? colon + 1 : s;
	return true;
}

static bool is_local(const char *local, const char *name, size_t n, const char *want)
{
	size_t k = strlen(want);
	return (size_t)(name + n - local) == k && memcmp(local, want, k) == 0;
}

/* Where the head's markup begins: past a UTF-8 BOM and the XML
 * declaration. false when the head does not hold them whole yet. */
static bool skip_declaration(merge_scan_t *m)
{
	const char *s = m->head.s;
	size_t len = m->head.len, i = 0;

	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	if (len - i >= 2 && s[i] == '<' && s[i + 1] == '?') {
		const char *q;
		for (q = s + i; (q = memchr(q, '?', len - (size_t)(q - s))) != NULL; q++)
			if ((size_t)(q - s) + 1 < len && q[1] == '>')
				break;
		if (!q)
			return false;
		i = (size_t)(q - s) + 2;
	}
	m->start = i;
	return true;
}

/* Looks for the <sheetData> tag in the head: 1 found (the head cut after
 * its '>', what followed it into the tail), 0 not yet, -1 give up, -2 no
 * memory. */
static int scan_head(merge_scan_t *m)
{
	const char *s = m->head.s;
	size_t len = m->head.len;

	if (!skip_declaration(m))
		return 0;
	for (size_t i = m->start; i < len; i++) {
		size_t n, k, j;
		const char *local;
		char quote = 0;

		if (s[i] != '<')
			continue;
		if (i + 1 >= len)
			return 0;
		if (s[i + 1] == '!' || s[i + 1] == '?')
			return -1;
		if (s[i + 1] == '/')
			continue;
		if (!tag_name(s + i + 1, len - i - 1, &n, &local))
			return 0;
		if (!is_local(local, s + i + 1, n, "sheetData"))
			continue;
		k = (size_t)(local - (s + i + 1));
		if (k > SCAN_PREFIX_MAX)
			return -1;
		/* its '>', past any quoted attribute value */
		for (j = i + 1 + n; j < len && (quote || s[j] != '>'); j++) {
			if (quote && s[j] == quote)
				quote = 0;
			else if (!quote && (s[j] == '"' || s[j] == '\''))
				quote = s[j];
		}
		if (j >= len)
			return 0;
		if (s[j - 1] == '/')
			return -1; /* <sheetData/>: no rows, nothing to skip */
		memcpy(m->prefix, s + i + 1, k);
		m->prefix[k] = '\0';
		m->end_len = (size_t)snprintf(m->end_tag, sizeof(m->end_tag), "</%ssheetData", m->prefix);
		if (buf_reserve(&m->tail, len - j))
			return -2;
		memcpy(m->tail.s, s + j + 1, len - j - 1);
		m->tail.len = len - j - 1;
		m->head.len = j + 1;
		m->in_rows = true;
		return 1;
	}
	return 0;
}

/* Whether the tag at s[i] ('<') is the rows' end tag: 1 yes (*after past
 * its '>'), 0 no, -1 cut by the read (more bytes needed), -2 give up
 * (too many blanks before its '>'). */
static int end_tag_at(const merge_scan_t *m, const char *s, size_t len, size_t i, size_t *after)
{
	size_t j;

	if (len - i < m->end_len + 1)
		return memcmp(s + i, m->end_tag, len - i < m->end_len ? len - i : m->end_len) == 0 ? -1 : 0;
	if (memcmp(s + i, m->end_tag, m->end_len) != 0)
		return 0;
	for (j = i + m->end_len; j < len && blank(s[j]) && j - i - m->end_len <= SCAN_BLANKS_MAX; j++)
		;
	if (j - i - m->end_len > SCAN_BLANKS_MAX)
		return -2;
	if (j >= len)
		return -1;
	if (s[j] != '>')
		return 0;
	*after = j + 1;
	return 1;
}

/* Scans the tail for the rows' end, then over what follows it: until the
 * end tag only what may begin it is kept; markup the short document must
 * not meet sets give_up (see above). */
static void scan_tail(merge_scan_t *m)
{
	char *s = m->tail.s;
	size_t len = m->tail.len, i = m->from, after = 0;

	while (!m->give_up && i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		const char *local, *name;
		size_t n;
		int t;

		if (!lt) {
			i = len;
			break;
		}
		i = (size_t)(lt - s);
		if (i + 1 >= len)
			break; /* "<" cut by the read */
		if (s[i + 1] == '!' || s[i + 1] == '?') {
			/* in the rows: text or a comment, which no range is in */
			m->give_up = m->ended;
			i++;
			continue;
		}
		t = end_tag_at(m, s, len, i, &after);
		if (t == -1)
			break;
		if (t == -2 || (t == 1 && m->ended)) {
			m->give_up = true;
			break;
		}
		if (t == 1) {
			/* what follows is the tail */
			memmove(s, s + after, len - after);
			len -= after;
			m->tail.len = len;
			m->ended = true;
			i = 0;
			continue;
		}
		/* a tag's name, after its '<' or '</' */
		name = s + i + 1 + (s[i + 1] == '/');
		if (!tag_name(name, len - (size_t)(name - s), &n, &local))
			break;
		if (is_local(local, name, n, "sheetData"))
			m->give_up = true;
		else if (is_local(local, name, n, "mergeCells") || is_local(local, name, n, "mergeCell"))
			m->give_up = !m->ended; /* ranges among the rows */
		i++;
	}
	m->from = i;
	if (m->ended)
		return;
	/* the rows: nothing before the place the scan goes on is kept */
	memmove(s, s + i, len - i);
	m->tail.len = len - i;
	m->from = 0;
}

/* Reads the sheet's bytes into m: 0 with m->ended when the head and the
 * tail were found within their bounds, 0 without to fall back, -1 with e
 * (a limit passed, a damaged zip, no memory). */
static int scan_bytes(xpass_t *ps, merge_scan_t *m)
{
	char *chunk = malloc(CHUNK);
	int r = 0;

	if (!chunk)
		return oom(ps->e);
	for (;;) {
		zip_int64_t n = zip_fread(ps->f, chunk, CHUNK);
		if (n < 0) {
			r = bad_zip(ps->e, ps->part, zip_file_strerror(ps->f));
			break;
		}
		if ((r = pass_count(ps, (uint64_t)n)) != 0 || n == 0)
			break;
		buf_t *into = m->in_rows ? &m->tail : &m->head;
		if (into->len + (size_t)n > (m->in_rows ? SCAN_TAIL_MAX : SCAN_HEAD_MAX)) {
			m->give_up = true;
			break;
		}
		if (buf_reserve(into, (size_t)n)) {
			r = oom(ps->e);
			break;
		}
		memcpy(into->s + into->len, chunk, (size_t)n);
		into->len += (size_t)n;
		if (!m->in_rows) {
			int h = scan_head(m);
			if (h == -2) {
				r = oom(ps->e);
				break;
			}
			if (h < 0) {
				m->give_up = true;
				break;
			}
		}
		if (m->in_rows) {
			scan_tail(m);
			if (m->give_up)
				break;
		}
	}
	free(chunk);
	return r;
}

/* Feeds s[0..len) to the parser CHUNK bytes at a time, so that expat
 * keeps no copy of it whole. */
static enum XML_Status feed(xpass_t *ps, const char *s, size_t len, bool last)
{
	enum XML_Status st = XML_STATUS_OK;
	size_t done = 0;

	do {
		size_t n = len - done < CHUNK ? len - done : CHUNK;
		st = XML_Parse(ps->p, s ? s + done : "", (int)n, last && done + n == len);
		done += n;
	} while (st == XML_STATUS_OK && done < len);
	return st;
}

/* Parses the head, the rows' end tag and the tail as one document with
 * merges_start: 0 done, 1 to fall back (a fault met, whether expat's or a
 * handler's: the whole sheet's parse reports it with its line). */
static int parse_scanned(xpass_t *ps, const merge_scan_t *m)
{
	char end[SCAN_PREFIX_MAX + 16];
	int n = snprintf(end, sizeof(end), "</%ssheetData>", m->prefix);
	enum XML_Status st;

	XML_SetElementHandler(ps->p, merges_start, plain_end);
	mem_current = &ps->mem;
	st = feed(ps, m->head.s, m->head.len, false);
	if (st == XML_STATUS_OK)
		st = feed(ps, end, (size_t)n, false);
	if (st == XML_STATUS_OK)
		st = feed(ps, m->tail.s, m->tail.len, true);
	mem_current = NULL;
	return st == XML_STATUS_OK && !ps->failed ? 0 : 1;
}

/* The merged ranges by the scan above: 0 read, 1 to fall back, -1 with
 * e; 2 when the zip has no such part. */
static int scan_merges(xlsx_reader_t *x, const char *path, err_t *e)
{
	sheet_read_t *sr = &x->sh;
	merge_scan_t m = { 0 };
	int r = pass_open(&sr->pass, x, path, x->open_bytes, e);

	if (r)
		return r > 0 ? 2 : -1;
	r = scan_bytes(&sr->pass, &m);
	if (!r && m.ended && !m.give_up)
		r = parse_scanned(&sr->pass, &m);
	else if (!r)
		r = 1;
	pass_close(&sr->pass);
	free(m.head.s);
	free(m.tail.s);
	sr->scanned = r == 0;
	if (r == 1) {
		sr->n_merges = 0;
		sr->count_merges = 0;
		err_clear(e);
	}
	return r;
}

bool xlsx_merges_scanned(const xlsx_reader_t *x)
{
	return x->sh.scanned;
}

/* The first pass: the sheet's merged ranges, sorted by their top row. */
static int read_merges(xlsx_reader_t *x, const char *path, err_t *e)
{
	sheet_read_t *sr = &x->sh;
	int r = scan_merges(x, path, e);

	if (r == 2)
		return 1;
	if (r < 0)
		return -1;
	if (r == 1) {
		r = pass_open(&sr->pass, x, path, x->open_bytes, e);
		if (r)
			return r;
		XML_SetElementHandler(sr->pass.p, merges_start, plain_end);
		r = pass_run(&sr->pass);
		pass_close(&sr->pass);
		if (r < 0)
			return -1;
	}
	if (sr->n_merges)
		qsort(sr->merges, sr->n_merges, sizeof(*sr->merges), merge_cmp);
	return 0;
}

/* ---- the sheet: cells ---- */

/* Makes room for columns 1..col in the row's slots (col <= max_columns). */
static int slots_reserve(sheet_read_t *sr, size_t col)
{
	if (col > sr->cap_slots) {
		size_t cap = sr->cap_slots;
		if (grow((void **)&sr->off, &cap, col, sizeof(*sr->off)))
			return -1;
		cap = sr->cap_slots;
		if (grow((void **)&sr->types, &cap, col, sizeof(*sr->types)))
			return -1;
		cap = sr->cap_slots;
		if (grow((void **)&sr->cells, &cap, col, sizeof(*sr->cells)))
			return -1;
		sr->cap_slots = cap;
	}
	while (sr->n_slots < col) {
		sr->off[sr->n_slots] = EMPTY_SLOT;
		sr->types[sr->n_slots] = SHEET_TEXT;
		sr->n_slots++;
	}
	return 0;
}

static void XMLCALL row_start(void *ud, const XML_Char *name, const XML_Char **atts);
static void XMLCALL row_end(void *ud, const XML_Char *name);
static void XMLCALL row_chars(void *ud, const XML_Char *s, int len);

/* A serial day number as "YYYY-MM-DD[ HH:MM:SS]". False when it is not a
 * day Excel shows as a date (below 1; 1904: below 0; after 9999-12-31). */
static bool serial_date(double v, bool d1904, char out[32])
{
	long long secs, days;
	unsigned sec;
	char day[DATE_STR_LEN];

	if (!(v >= 0 && v < 2958466.0))
		return false;
	secs = (long long)(v * 86400.0 + 0.5);
	days = secs / 86400;
	sec = (unsigned)(secs % 86400);
	if (d1904)
		days += 1462; /* 1904-01-01 in the 1900 system */
	if (days < 1 || days > 2958465)
		return false;
	if (days == 60) {
		/* Excel's 1900-02-29, kept from Lotus 1-2-3: a day that never was */
		snprintf(day, sizeof(day), "1900-02-29");
	} else {
		/* serial 1 is 1900-01-01; after the false leap day, serials are one ahead */
		date_format((date_t)(days - (days < 60 ? 25568 : 25569)), day);
	}
	if (sec == 0)
		snprintf(out, 32, "%s", day);
	else
		snprintf(out, 32, "%s %02u:%02u:%02u", day, sec / 3600, sec / 60 % 60, sec % 60);
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* An ISO 8601 date cell ("2024-03-05", "2024-03-05T08:30:00[.000][Z]") as
 * sheet.h writes dates. False when it is not one. */
static bool iso_date(const char *s, size_t len, char out[32])
{
	char day[DATE_STR_LEN];
	date_t d;

	if (len < 10)
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse(day, &d))
		return false;
	if (len == 10 || (len >= 19 && memcmp(s + 10, "T00:00:00", 9) == 0 && (len == 19 || s[19] == '.' || s[19] == 'Z'))) {
		snprintf(out, 32, "%s", day);
		return true;
	}
	if (len < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || !all_digits(s + 11, 2) ||
	    !all_digits(s + 14, 2) || !all_digits(s + 17, 2))
		return false;
	snprintf(out, 32, "%s %.8s", day, s + 11);
	return true;
}

/* A number's text as a double: only what a spreadsheet writes (digits,
 * sign, point, exponent), finite. */
static bool parse_number(const char *s, double *v)
{
	char *end;

	if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' && errno != ERANGE;
}

/* Trims ASCII spaces of val in place; NUL-terminates it. */
static char *val_trim(buf_t *b)
{
	char *s = b->s;
	size_t n = b->len;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	s[n] = '\0';
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Stores a cell's text (len bytes at s, or at offset sst_at of the shared
 * strings' text when s is NULL) in the row. Returns 0 or -1. */
static int cell_store(sheet_read_t *sr, const char *s, size_t len, uint64_t sst_at, unsigned char type)
{
	xlsx_reader_t *x = sr->pass.x;
	char *dst;

	if (slots_reserve(sr, sr->col) || buf_reserve(&sr->text, len + 1))
		return oom(sr->pass.e);
	dst = sr->text.s + sr->text.len;
	if (s)
		memcpy(dst, s, len);
	else if (sst_copy(&x->sst, sst_at, len, dst, sr->pass.e))
		return -1;
	dst[len] = '\0';
	sr->off[sr->col - 1] = sr->text.len;
	sr->types[sr->col - 1] = type;
	sr->text.len += len + 1;
	return 0;
}

/* The cell just closed: its value, as sheet.h writes it, into the row. */
static int cell_finish(sheet_read_t *sr)
{
	xlsx_reader_t *x = sr->pass.x;
	const size_t max_cell = x->lim.max_cell;
	const char *text = NULL;
	char tmp[40];
	size_t len = 0;
	uint64_t sst_at = 0;
	unsigned char type = SHEET_TEXT;
	char *v;
	double d;

	if (sr->too_long)
		goto too_long;
	if (buf_reserve(&sr->val, 1))
		return oom(sr->pass.e);
	sr->val.s[sr->val.len] = '\0';
	switch (sr->kind) {
	case CK_SHARED: {
		long i;
		v = val_trim(&sr->val);
		if (!*v)
			return 0;
		i = small_num(v);
		if (i < 0 || (size_t)i >= x->sst.n) {
			const err_arg_t a[] = { ERR_INT("column", sr->col), ERR_STR("index", v), ERR_INT("max", x->sst.n) };
			return sheet_fail(sr, "xlsx_bad_string_index", "column {column}: shared string {index} is not in the table of {max}", a, 3);
		}
		if (sst_span(&x->sst, (size_t)i, &sst_at, &len, sr->pass.e))
			goto failed;
		break;
	}
	case CK_STR:
	case CK_INLINE:
		len = unescape_ooxml(sr->val.s, sr->val.len);
		text = sr->val.s;
		break;
	case CK_BOOL:
		v = val_trim(&sr->val);
		if (!*v)
			return 0;
		text = (strcmp(v, "0") == 0 || strcmp(v, "false") == 0) ? "FALSE" : "TRUE";
		len = strlen(text);
		type = SHEET_BOOL;
		break;
	case CK_ERROR:
		text = val_trim(&sr->val);
		len = strlen(text);
		type = SHEET_ERROR;
		break;
	case CK_DATE:
		text = val_trim(&sr->val);
		len = strlen(text);
		if (iso_date(text, len, tmp)) {
			text = tmp;
			len = strlen(tmp);
			type = SHEET_DATE;
		}
		break;
	case CK_NUMBER:
	default:
		text = val_trim(&sr->val);
		len = strlen(text);
		if (!parse_number(text, &d))
			break; /* as written */
		if (sr->style < x->n_xf && x->xf_date[sr->style] && serial_date(d, x->date1904, tmp)) {
			type = SHEET_DATE;
		} else {
			snprintf(tmp, sizeof(tmp), "%.15g", d == 0 ? 0.0 : d); /* -0 is 0 */
			type = SHEET_NUMBER;
		}
		text = tmp;
		len = strlen(tmp);
		break;
	}
	if (len == 0)
		return 0;
	if (len > max_cell)
		goto too_long;
	if (sr->col > x->lim.max_columns) {
		const err_arg_t a[] = { ERR_INT("column", sr->col), ERR_INT("max", x->lim.max_columns) };
		return sheet_fail(sr, "xlsx_too_many_columns", "column {column}: a value beyond the {max} columns read", a, 2);
	}
	if (cell_store(sr, text, len, sst_at, type))
		goto failed;
	return 0;
failed:
	sr->pass.failed = true;
	XML_StopParser(sr->pass.p, XML_FALSE);
	return -1;
too_long: {
	const err_arg_t a[] = { ERR_INT("column", sr->col), ERR_INT("max", max_cell) };
	return sheet_fail(sr, "xlsx_cell_too_long", "column {column}: the cell holds more than {max} bytes", a, 2);
}
}

static void cell_begin(sheet_read_t *sr, const XML_Char **atts)
{
	const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
	long style = small_num(s);

	if (r) {
		const char *end;
		uint32_t row;
		size_t col = parse_ref(r, &row, &end);
		if (!col || *end) {
			bad_ref(sr, r, "a cell reference '{ref}' that is not one");
			return;
		}
		sr->col = col;
	} else {
		/* follows the cell before; past every column a sheet can have,
		 * it stays there (an empty cell there is ignored) */
		sr->col = sr->prev_col < SIZE_MAX / 2 ? sr->prev_col + 1 : sr->prev_col;
	}
	sr->prev_col = sr->col;
	sr->kind = !t || strcmp(t, "n") == 0 ? CK_NUMBER
		   : strcmp(t, "s") == 0     ? CK_SHARED
		   : strcmp(t, "str") == 0   ? CK_STR
		   : strcmp(t, "inlineStr") == 0 ? CK_INLINE
		   : strcmp(t, "b") == 0     ? CK_BOOL
		   : strcmp(t, "e") == 0     ? CK_ERROR
		   : strcmp(t, "d") == 0     ? CK_DATE
					     : CK_NUMBER;
	sr->style = style < 0 ? 0 : (size_t)style;
	sr->val.len = 0;
	sr->too_long = false;
	sr->in_cell = true;
}

static void row_begin(sheet_read_t *sr, const XML_Char **atts)
{
	const char *r = attr(atts, "r");
	size_t n = sr->prev_row + 1;

	if (r) {
		long v = small_num(r);
		if (v < 1 || (unsigned long)v > MAX_ROW) {
			sr->row = n;
			bad_ref(sr, r, "a row number '{ref}' that is not one (rows are 1 to 1048576)");
			return;
		}
		if ((size_t)v <= sr->prev_row) {
			sr->row = n;
			bad_ref(sr, r, "row {ref} comes after a row below it: the sheet's rows are out of order");
			return;
		}
		n = (size_t)v;
	} else if (n > MAX_ROW) {
		const err_arg_t a = ERR_INT("max", MAX_ROW);
		sr->row = n;
		sheet_fail(sr, "xlsx_too_many_rows", "a sheet has at most {max} rows", &a, 1);
		return;
	}
	sr->row = sr->prev_row = n;
	sr->text.len = 0;
	for (size_t k = 0; k < sr->n_slots; k++)
		sr->off[k] = EMPTY_SLOT;
	sr->n_slots = 0;
	sr->prev_col = 0;
	sr->in_row = true;
}

static void XMLCALL row_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xpass_t *ps = ud;
	sheet_read_t *sr = &ps->x->sh;
	unsigned char id = elem_id(name), parent = pass_up(ps, 1), grand = pass_up(ps, 2);

	if (ps->failed || pass_enter(ps, id))
		return;
	switch (id) {
	case E_ROW:
		if (parent == E_SHEETDATA)
			row_begin(sr, atts);
		break;
	case E_C:
		if (parent == E_ROW && sr->in_row)
			cell_begin(sr, atts);
		break;
	case E_V:
		sr->collect = parent == E_C && sr->in_cell && sr->kind != CK_INLINE;
		break;
	case E_T:
		sr->collect = sr->in_cell && sr->kind == CK_INLINE &&
			      (parent == E_IS || (parent == E_R && grand == E_IS));
		break;
	default:
		break;
	}
}

static void XMLCALL row_chars(void *ud, const XML_Char *s, int len)
{
	xpass_t *ps = ud;
	sheet_read_t *sr = &ps->x->sh;

	if (!ps->failed && sr->collect && gather(&sr->val, s, len, ps->x->val_max, &sr->too_long)) {
		oom(ps->e);
		pass_stop(ps);
	}
}

static int active_cmp(const void *a, const void *b)
{
	const active_t *m = a, *n = b;
	return m->m.c1 != n->m.c1 ? (m->m.c1 < n->m.c1 ? -1 : 1) : 0;
}

/* Brings the merged ranges that cross this row into sr->active, keeping
 * the value of those whose top row this is. Returns 0 or -1. */
static int merges_for_row(sheet_read_t *sr)
{
	const uint32_t row = (uint32_t)sr->row;
	size_t k = 0;

	for (size_t i = 0; i < sr->n_active; i++) {
		if (sr->active[i].m.r2 < row) {
			free(sr->active[i].value);
			sr->active_changed = true;
		} else {
			sr->active[k++] = sr->active[i];
		}
	}
	sr->n_active = k;
	for (; sr->next_merge < sr->n_merges && sr->merges[sr->next_merge].r1 <= row; sr->next_merge++) {
		const merge_t *m = &sr->merges[sr->next_merge];
		active_t *a;
		if (m->r2 < row)
			continue; /* wholly in rows the sheet does not have */
		if (grow((void **)&sr->active, &sr->cap_active, sr->n_active + 1, sizeof(*sr->active)))
			return oom(sr->pass.e);
		a = &sr->active[sr->n_active++];
		a->m = *m;
		a->value = NULL;
		a->type = SHEET_TEXT;
		sr->active_changed = true;
		if (m->r1 == row && m->c1 <= sr->n_slots && sr->off[m->c1 - 1] != EMPTY_SLOT) {
			const char *v = sr->text.s + sr->off[m->c1 - 1];
			size_t n = strlen(v);
			if (!(a->value = malloc(n + 1)))
				return oom(sr->pass.e);
			memcpy(a->value, v, n + 1);
			a->type = sr->types[m->c1 - 1];
		}
	}
	if (sr->active_changed) {
		/* ranges do not overlap, so that at most max_columns of them hold a
		 * value at once */
		qsort(sr->active, sr->n_active, sizeof(*sr->active), active_cmp);
		sr->active_changed = false;
	}
	for (size_t i = 1; i < sr->n_active; i++)
		if (sr->active[i].m.c1 <= sr->active[i - 1].m.c2) {
			const err_arg_t a = ERR_INT("column", sr->active[i].m.c1);
			return sheet_fail(sr, "xlsx_overlapping_merges", "column {column}: two merged ranges overlap here", &a, 1);
		}
	return 0;
}

/* The row's cells as sheet.h gives them, merged ranges filled in; the
 * count up to the last non-empty one. */
static int row_cells(sheet_read_t *sr, size_t *n)
{
	for (size_t k = 0; k < sr->n_slots; k++)
		sr->cells[k] = sr->off[k] == EMPTY_SLOT ? "" : sr->text.s + sr->off[k];
	if (sr->n_merges && merges_for_row(sr))
		return -1;
	for (size_t i = 0; i < sr->n_active; i++) {
		const active_t *a = &sr->active[i];
		size_t from = sr->n_slots;
		if (a->m.c2 > sr->n_slots) {
			if (slots_reserve(sr, a->m.c2))
				return oom(sr->pass.e);
			for (size_t k = from; k < sr->n_slots; k++)
				sr->cells[k] = "";
		}
		for (size_t c = a->m.c1; c <= a->m.c2; c++) {
			sr->cells[c - 1] = a->value ? a->value : "";
			sr->types[c - 1] = a->type;
		}
	}
	*n = sr->n_slots;
	while (*n && !sr->cells[*n - 1][0])
		(*n)--;
	return 0;
}

static void XMLCALL row_end(void *ud, const XML_Char *name)
{
	xpass_t *ps = ud;
	sheet_read_t *sr = &ps->x->sh;
	unsigned char id = pass_leave(ps);
	size_t n = 0;
	(void)name;

	if (ps->failed)
		return;
	switch (id) {
	case E_V:
	case E_T:
		sr->collect = false;
		break;
	case E_C:
		if (sr->in_cell) {
			sr->in_cell = false;
			sr->collect = false;
			cell_finish(sr);
		}
		break;
	case E_ROW:
		if (!sr->in_row)
			break;
		sr->in_row = false;
		if (row_cells(sr, &n)) {
			pass_stop(ps);
			break;
		}
		if (n == 0)
			break;
		if (++sr->rows_given > ps->x->lim.max_rows) {
			const err_arg_t a = ERR_INT("max", ps->x->lim.max_rows);
			sheet_fail(sr, "xlsx_too_many_rows", "the sheet has more than {max} rows", &a, 1);
			break;
		}
		sr->row_n = n;
		XML_StopParser(ps->p, XML_TRUE); /* a row is ready */
		break;
	default:
		break;
	}
}

/* ---- the sheet: the public calls ---- */

static void sheet_end(sheet_read_t *sr)
{
	pass_close(&sr->pass);
	for (size_t i = 0; i < sr->n_active; i++)
		free(sr->active[i].value);
	sr->n_active = 0;
	sr->n_merges = sr->next_merge = sr->count_merges = 0;
	sr->row = sr->prev_row = sr->rows_given = sr->n_slots = 0;
	sr->in_row = sr->in_cell = sr->collect = false;
	sr->state = SH_NONE;
}

int xlsx_begin_sheet(xlsx_reader_t *x, size_t i, err_t *e)
{
	sheet_read_t *sr = &x->sh;
	const xsheet_t *s;
	int r;

	sheet_end(sr);
	sr->state = SH_FAILED; /* until it has begun */
	if (i >= x->n_sheets)
		return err_fail(e, ERR_NOT_FOUND, "xlsx_no_sheet", "the workbook has no sheet {index} (it has {count})",
				ERR_INT("index", i), ERR_INT("count", x->n_sheets));
	s = &x->sheets[i];
	sr->name = s->name;
	if (!s->path)
		goto missing;
	r = read_merges(x, s->path, e);
	if (r < 0)
		return -1;
	if (r > 0)
		goto missing;
	r = pass_open(&sr->pass, x, s->path, x->open_bytes, e);
	if (r < 0)
		return -1;
	if (r > 0)
		goto missing;
	XML_SetElementHandler(sr->pass.p, row_start, row_end);
	XML_SetCharacterDataHandler(sr->pass.p, row_chars);
	sr->state = SH_READING;
	return 0;
missing:
	return err_fail(e, ERR_BAD_REQUEST, "xlsx_missing_part", "the workbook's sheet {sheet} is missing ({part})",
			ERR_STR("sheet", s->name), ERR_STR("part", s->path ? s->path : s->rid));
}

int xlsx_next_row(xlsx_reader_t *x, sheet_row_t *row, err_t *e)
{
	sheet_read_t *sr = &x->sh;
	int r;

	switch (sr->state) {
	case SH_NONE:
		return err_fail(e, ERR_INTERNAL, "xlsx_no_sheet_begun", "no sheet begun (xlsx_begin_sheet)");
	case SH_FAILED:
		return err_fail(e, ERR_INTERNAL, "xlsx_sheet_failed", "the sheet's reading failed before: begin it again");
	case SH_DONE:
		return 0;
	case SH_READING:
	default:
		break;
	}
	sr->pass.e = e;
	r = pass_run(&sr->pass);
	if (r < 0) {
		sr->state = SH_FAILED;
		pass_close(&sr->pass);
		return -1;
	}
	if (r == 0) {
		sr->state = SH_DONE;
		pass_close(&sr->pass);
		return 0;
	}
	row->cells = sr->cells;
	row->types = sr->types;
	row->n = sr->row_n;
	row->line = sr->row;
	return 1;
}

void xlsx_close(xlsx_reader_t *x)
{
	sheet_read_t *sr;

	if (!x)
		return;
	sr = &x->sh;
	sheet_end(sr);
	free(sr->merges);
	free(sr->active);
	free(sr->text.s);
	free(sr->off);
	free(sr->types);
	free(sr->cells);
	free(sr->val.s);
	for (size_t i = 0; i < x->n_sheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
		free(x->sheets[i].path);
	}
	free(x->sheets);
	free(x->by_rid);
	free(x->fmt_kind);
	free(x->xf_date);
	free(x->si.s);
	sst_free(&x->sst);
	if (x->zip)
		zip_discard(x->zip);
	free(x);
}
