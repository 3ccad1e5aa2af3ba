/*
 * csv_stream.h - a member list saved as CSV, read row by row in bounded
 * memory whatever the file's size (issue 16), through libcsv.
 *
 * What Excel and LibreOffice write is read as they write it:
 *   - the encoding: UTF-8 with or without a byte order mark; UTF-16 (what
 *     Excel calls "Unicode text") with its mark, little- or big-endian, or
 *     without one when the zero bytes say which; and anything else that is
 *     not UTF-8 as Windows-1252 ("ANSI"), each byte one character (the
 *     five bytes it leaves undefined, 0x81 0x8D 0x8F 0x90 0x9D, as U+0081
 *     etc., as Windows reads them), so that text typed in the legacy TCVN3
 *     or VNI fonts reaches the importer as the characters those bytes show
 *     (core/legacy_vn.h converts them);
 *   - the separator: comma, semicolon or tab, whichever divides the first
 *     lines into the same number of fields most often (title rows above
 *     the header included), or the one a first line `sep=;` names, as
 *     Excel does (only these three: `sep=|` is a row like any other);
 *   - quoted fields with separators, quotes ("") and line ends inside;
 *     LF, CR LF or CR line ends.
 * Rows whose cells are all empty are skipped; a row's empty cells at its
 * end are not counted (sheet_row_t.n). Each row tells the line it starts
 * on, the file's own line (the first line is 1, the byte order mark or
 * `sep=` line included).
 *
 * Refusals are ERR_BAD_REQUEST with the parameters line (and column when
 * there is one) and max for a bound: csv_nul_byte, csv_not_utf8 (a file
 * that began as UTF-8 and stops being it), csv_bad_encoding (bytes that
 * are no UTF-16), csv_stray_quote, csv_text_after_quote,
 * csv_unclosed_quote, csv_too_many_columns (a value beyond
 * limits.max_columns; empty cells beyond it are ignored),
 * csv_field_too_long (limits.max_cell), csv_too_many_rows
 * (limits.max_rows), csv_too_large (more than limits.max_bytes read), and
 * csv_read_failed (ERR_INTERNAL: the file could not be read).
 *
 * Ownership: csv_stream_open* give a reader the caller releases with
 * csv_stream_close; a row's cells belong to the reader (sheet.h).
 * csv_stream_open_buffer reads the caller's buffer in place: it must
 * outlive the reader.
 */
#ifndef UB_CSV_STREAM_H
#define UB_CSV_STREAM_H

#include <stddef.h>

#include "core/err.h"
#include "io/sheet.h"

typedef struct csv_stream csv_stream_t;

/* Opens the file at path, reads its beginning to find the encoding and
 * the separator. Returns 0, or -1 with e (csv_read_failed when it cannot
 * be opened or read). */
int csv_stream_open(const char *path, const sheet_limits_t *lim, csv_stream_t **out, err_t *e);

/* The same over data[0..len) (tests, fuzzing). */
int csv_stream_open_buffer(const void *data, size_t len, const sheet_limits_t *lim, csv_stream_t **out, err_t *e);

/* "utf-8", "utf-16le", "utf-16be" or "windows-1252". */
const char *csv_stream_encoding(const csv_stream_t *s);

/* ',', ';' or '\t'. */
char csv_stream_separator(const csv_stream_t *s);

/* The next row that is not empty into *row: 1, or 0 at the end of the
 * file, or -1 with e. After an error every call fails again. */
int csv_stream_next(csv_stream_t *s, sheet_row_t *row, err_t *e);

/* NULL allowed. */
void csv_stream_close(csv_stream_t *s);

#endif
