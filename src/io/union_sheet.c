/*
 * union_sheet.c - see union_sheet.h.
 */
#include "io/union_sheet.h"

#include <stdio.h>
#include <string.h>

const char *union_word(const union_sheet_t *s, const char *key)
{
	return s->word(s->ctx, key);
}

void union_put(union_sheet_t *s, lxw_row_t r, lxw_col_t c, const char *text, lxw_format *f)
{
	if (!s->rc && text && *text)
		s->rc = worksheet_write_string(s->ws, r, c, text, f);
}

void union_merged(union_sheet_t *s, lxw_row_t r, lxw_col_t c1, lxw_col_t c2, const char *text, lxw_format *f)
{
	if (!s->rc)
		s->rc = worksheet_merge_range(s->ws, r, c1, r, c2, text, f);
}

void union_number(union_sheet_t *s, lxw_row_t r, lxw_col_t c, double n, lxw_format *f)
{
	if (!s->rc)
		s->rc = worksheet_write_number(s->ws, r, c, n, f);
}

static lxw_format *format(union_sheet_t *s, bool bold, bool center, bool border, double size)
{
	lxw_format *f = workbook_add_format(s->wb);

	if (!f)
		return NULL;
	if (bold)
		format_set_bold(f);
	if (center)
		format_set_align(f, LXW_ALIGN_CENTER);
	if (border)
		format_set_border(f, LXW_BORDER_THIN);
	if (size > 0)
		format_set_font_size(f, size);
	format_set_font_name(f, "Times New Roman");
	format_set_text_wrap(f);
	return f;
}

int union_sheet_open(union_sheet_t *s, const char *path, const char *tmpdir, lxw_col_t last, err_t *e)
{
	lxw_workbook_options wo = { .constant_memory = LXW_FALSE, .tmpdir = (char *)tmpdir };

	s->rc = LXW_NO_ERROR;
	s->row = 0;
	s->last = last;
	s->wb = workbook_new_opt(path, &wo);
	if (!s->wb)
		return err_fail(e, ERR_INTERNAL, NULL, "the report cannot be created");
	s->ws = workbook_add_worksheet(s->wb, NULL);
	s->bold = format(s, true, true, false, 0);
	s->center = format(s, false, true, false, 0);
	s->title = format(s, true, true, false, 14);
	s->italic = format(s, false, true, false, 0);
	s->head = format(s, true, true, true, 0);
	s->cell = format(s, false, false, true, 0);
	s->num = format(s, false, false, true, 0);
	s->dec = format(s, false, false, true, 0);
	s->total = format(s, true, false, true, 0);
	if (!s->ws || !s->bold || !s->center || !s->title || !s->italic || !s->head || !s->cell || !s->num || !s->dec ||
	    !s->total) {
		workbook_close(s->wb);
		s->wb = NULL;
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	}
	format_set_italic(s->italic);
	format_set_num_format(s->num, "#,##0");
	format_set_num_format(s->dec, "#,##0.0##");
	format_set_num_format(s->total, "#,##0");
	worksheet_set_paper(s->ws, 9); /* A4 */
	worksheet_fit_to_pages(s->ws, 1, 0);
	return 0;
}

void union_dmy(date_t d, char *out, size_t cap)
{
	char iso[DATE_STR_LEN];

	date_format(d, iso);
	snprintf(out, cap, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

void union_heading(union_sheet_t *s, const char *above, const char *unit_name, const char *title, const char *line)
{
	char text[512];
	lxw_col_t mid = (lxw_col_t)((s->last - 1) / 2);

	snprintf(text, sizeof(text), "%s %s", union_word(s, "report.x.union_of"), above);
	union_merged(s, 0, 0, mid, above[0] ? text : union_word(s, "report.x.union"), s->center);
	union_merged(s, 0, mid + 1, s->last, union_word(s, "report.x.republic"), s->bold);
	union_merged(s, 1, 0, mid, unit_name, s->bold);
	union_merged(s, 1, mid + 1, s->last, union_word(s, "report.x.motto"), s->bold);
	union_merged(s, 3, 0, s->last, title, s->title);
	union_merged(s, 4, 0, s->last, line, s->italic);
	s->row = 6;
}

/* tmpl with {day}, {month} and {year} of d. */
static void fill_day(const char *tmpl, date_t d, char *out, size_t cap)
{
	char iso[DATE_STR_LEN];
	size_t n = 0;

	date_format(d, iso);
	while (*tmpl && n + 5 < cap) {
		if (!strncmp(tmpl, "{day}", 5) || !strncmp(tmpl, "{month}", 7) || !strncmp(tmpl, "{year}", 6)) {
			const char *part = tmpl[1] == 'd' ? iso + 8 : tmpl[1] == 'm' ? iso + 5 : iso;
			size_t len = tmpl[1] == 'y' ? 4 : 2;
			memcpy(out + n, part, len);
			n += len;
			tmpl = strchr(tmpl, '}') + 1;
			continue;
		}
		out[n++] = *tmpl++;
	}
	out[n] = '\0';
}

void union_signatures(union_sheet_t *s, date_t today)
{
	lxw_col_t mid = (lxw_col_t)((s->last - 1) / 2);
	char when[256];

	fill_day(union_word(s, "report.x.place_date"), today, when, sizeof(when));
	s->row++;
	union_merged(s, s->row++, mid + 1, s->last, when, s->italic);
	union_merged(s, s->row, 0, mid, union_word(s, "report.x.preparer"), s->bold);
	union_merged(s, s->row++, mid + 1, s->last, union_word(s, "report.x.for_committee"), s->bold);
	union_merged(s, s->row, 0, mid, union_word(s, "report.x.sign"), s->italic);
	union_merged(s, s->row++, mid + 1, s->last, union_word(s, "report.x.chair"), s->bold);
	union_merged(s, s->row++, mid + 1, s->last, union_word(s, "report.x.sign"), s->italic);
}

int union_sheet_close(union_sheet_t *s, err_t *e)
{
	lxw_error rc;

	if (!s->wb)
		return err_fail(e, ERR_INTERNAL, NULL, "the report was not created");
	rc = workbook_close(s->wb);
	s->wb = NULL;
	if (s->rc || rc)
		return err_fail(e, ERR_INTERNAL, NULL, "the report cannot be written: {reason}",
				ERR_STR("reason", lxw_strerror(s->rc ? s->rc : rc)));
	return 0;
}
