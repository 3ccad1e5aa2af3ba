/*
 * xlsx_reader.h - the sheets of an XLSX workbook (Office Open XML, as
 * Excel, LibreOffice and libxlsxwriter save it) read row by row in the
 * shape of io/sheet.h, in bounded memory and time whatever the file holds
 * (issue 16: member lists of a million rows and more).
 *
 * What it reads. xlsx_open opens the zip (libzip) and reads, whole, the
 * small parts: the workbook (sheet names in order, the 1904 date system),
 * its relationships (which part is which sheet), the styles (which cell
 * styles show a number as a date) and the shared strings. A sheet is then
 * read as a stream (expat, 64 KiB at a time, the parser suspended at the
 * end of each row), twice: a first pass that looks only for its merged
 * cells (they come after the rows in the XML), then the rows.
 *
 * What a row holds (sheet.h): the text of each cell up to the last one
 * that is not empty; rows without any such cell are skipped; `line` is the
 * row's number as the spreadsheet shows it. Per cell:
 *   shared and inline strings (rich text runs joined, phonetic runs left
 *     out, OOXML's _xHHHH_ escapes decoded, spaces kept as written),
 *     a formula's text result: SHEET_TEXT;
 *   a number: SHEET_NUMBER, "%.15g" (so never an exponent for an integer
 *     below 1e15: a 12-digit ID number comes out as its digits; -0 is "0");
 *   a number whose style is a date format (built-in formats 14-17, 22,
 *     27-36, 50-58, or a custom format with d, m or y outside quotes,
 *     brackets and escapes): SHEET_DATE, "YYYY-MM-DD", with " HH:MM:SS"
 *     when the time (rounded to the second) is not midnight, in the 1900
 *     date system (serial 1 is 1900-01-01, serial 60 Excel's 1900-02-29)
 *     or the 1904 one; a serial below 1 (1900) or 0 (1904) or past
 *     9999-12-31 stays a number. A time format (built-in 18-21, 45-47, or
 *     h, m, s alone) is a number: a time is not a date;
 *   a date cell (t="d", ISO 8601): SHEET_DATE the same way;
 *   a boolean: SHEET_BOOL, "TRUE" or "FALSE"; an error: SHEET_ERROR as
 *     written ("#N/A").
 * A merged range gives its top-left cell's value and type to every cell of
 * the range, the rows below included, up to max_columns.
 *
 * What it refuses. Every refusal is ERR_BAD_REQUEST with one of the codes
 * below (except xlsx_cannot_open: ERR_NOT_FOUND; ERR_INTERNAL
 * "out_of_memory" and "xlsx_temp_file" when memory or the temporary file
 * fails):
 *   xlsx_cannot_open      the path cannot be opened (path)
 *   xlsx_not_a_workbook   not a zip, a damaged zip, or a zip without a
 *                         workbook (a CSV file renamed .xlsx, an .ods)
 *   xlsx_encrypted        a password-protected workbook (an OLE compound
 *                         file holding an EncryptedPackage, or an
 *                         encrypted zip entry)
 *   xlsx_old_format       an .xls (an OLE compound file with a Workbook
 *                         stream), or any other OLE file: "save as .xlsx"
 *   xlsx_bad_zip          a part that cannot be read whole (bad data, CRC)
 *                                             (part)
 *   xlsx_missing_part     a sheet whose part is not in the zip (part)
 *   xlsx_too_large        more than max_bytes uncompressed, a part packed
 *                         more than XLSX_MAX_RATIO to 1 beyond
 *                         XLSX_RATIO_FREE bytes (a real sheet packs about
 *                         10 to 1, one of styled empty cells 12 to 1;
 *                         deflate cannot pass about 1030 to 1, and zlib
 *                         packs "<row/>" repeated 690 to 1), a central directory over
 *                         XLSX_MAX_ENTRIES entries or XLSX_MAX_DIRECTORY
 *                         bytes, an XML tag that needs more than
 *                         XLSX_XML_MEMORY bytes of the parser   (part, max)
 *   xlsx_bad_xml          malformed XML, or XML that is not what the part
 *                         should hold                        (part, line)
 *   xlsx_doctype          a DOCTYPE (entity definitions)    (part, line)
 *   xlsx_too_deep         elements nested over XLSX_MAX_DEPTH
 *                                                       (part, line, max)
 *   xlsx_too_many_sheets  over XLSX_MAX_SHEETS sheets (max)
 *   xlsx_too_many_styles  over XLSX_MAX_STYLES cell styles (max); number
 *                         formats with an id past 65535 are ignored
 *   xlsx_too_many_strings more shared strings than XLSX_MAX_STRINGS or than
 *                         max_rows * max_columns (more than one sheet's
 *                         cells could use)                       (max)
 *   xlsx_too_many_merges  over XLSX_MAX_MERGES merged ranges in a sheet
 *                                                          (sheet, max)
 *   xlsx_overlapping_merges  two merged ranges over one cell
 *                                                  (sheet, line, column)
 *   xlsx_bad_reference    a cell, row or range reference that is not one
 *                         (a row number below 1 or over 1,048,576, a
 *                         column past XFD, rows out of order)
 *                                                     (sheet, line, ref)
 *   xlsx_too_many_rows    more than max_rows rows given, or a row past
 *                         1,048,576                   (sheet, line, max)
 *   xlsx_too_many_columns a value beyond max_columns (empty cells there
 *                         are ignored)        (sheet, line, column, max)
 *   xlsx_cell_too_long    a cell's text over max_cell bytes
 *                                             (sheet, line, column, max)
 *   xlsx_bad_string_index a shared string that is not in the table
 *                                      (sheet, line, column, index, max)
 * `line` is the row's number as the spreadsheet shows it, except for
 * xlsx_bad_xml, xlsx_doctype and xlsx_too_deep, where it is the line of the
 * part's XML text; `column` is 1-based (A is 1); `part` the zip entry.
 *
 * Bounds. max_bytes (sheet.h) counts the uncompressed bytes actually read:
 * those of the parts read at open, plus those of one reading of a sheet
 * (each of its two passes counted alone; a sheet begun again is read, and
 * counted, again). Time is linear in those bytes, plus at most
 * max_columns steps a row: an empty cell past max_columns costs nothing,
 * a merged range's fill costs a pointer per cell. Memory: the shared strings' text is kept in memory up to
 * XLSX_SST_MEMORY bytes; the strings after those go to an unlinked
 * temporary file in $TMPDIR (or /tmp), read back with pread through a
 * window of 64 KiB. The index of where each string starts takes about 4.1
 * bytes a string for the first 262,144 strings (1.1 MB), and 8 bytes a
 * string of a second temporary file for the rest, read back the same way:
 * the memory does not grow with the table. A row takes at most max_columns *
 * max_cell bytes of text, the merged ranges crossing it as much again (a
 * merge's value is kept once, the cells of its range point at it), the
 * merged ranges 16 bytes each, expat at most XLSX_XML_MEMORY, and the
 * first pass over a sheet (for its merged ranges) what precedes and
 * follows its rows: at most 1 MiB and 4 MiB of text, in buffers of twice
 * that at most (past those it parses the sheet whole). A fault in the XML
 * of a sheet's rows is refused when xlsx_next_row reaches it, the rows
 * before it given. Measured
 * (bench/xlsx_bench.c, BENCHMARKS.md 2026-12-06): a member list of
 * 1,000,000 rows and 4,000,067 shared strings (450 MB of XML, 56 MB
 * zipped) reads at 135,000 rows a second with a peak RSS of 15 MB; a table
 * of 16,000,067 strings is opened in 15 MB too.
 *
 * Ownership: xlsx_open gives a reader that owns everything it reads; free
 * it with xlsx_close. xlsx_open_buffer reads data[0..len) in place: it
 * must stay unchanged until xlsx_close. Sheet names belong to the reader
 * until xlsx_close; a row's cells (and its arrays) to the reader until its
 * next call of xlsx_next_row, xlsx_begin_sheet or xlsx_close. A reader is
 * used by one thread at a time.
 */
#ifndef UB_XLSX_READER_H
#define UB_XLSX_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "io/sheet.h"

#define XLSX_MAX_SHEETS ((size_t)4096)
#define XLSX_MAX_STYLES ((size_t)65536)          /* cell styles; custom number formats */
#define XLSX_MAX_STRINGS ((size_t)16 * 1024 * 1024)
#define XLSX_MAX_MERGES ((size_t)100000)         /* merged ranges in one sheet */
#define XLSX_MAX_DEPTH 64                        /* elements open at once */
#define XLSX_MAX_ENTRIES ((uint64_t)20000)       /* entries of the zip */
#define XLSX_MAX_DIRECTORY ((uint64_t)8 * 1024 * 1024) /* bytes of the zip's central directory */
#define XLSX_MAX_RATIO ((uint64_t)100)           /* uncompressed : compressed bytes of a part... */
#define XLSX_RATIO_FREE ((uint64_t)8 * 1024 * 1024) /* ...once it has given this many */
#define XLSX_XML_MEMORY ((size_t)16 * 1024 * 1024) /* expat's own memory, per part */
#define XLSX_SST_MEMORY ((size_t)8 * 1024 * 1024)  /* shared strings' text kept in memory */

typedef struct xlsx_reader xlsx_reader_t;

/* Opens the workbook at path and reads its workbook, relationships, styles
 * and shared strings. lim: the bounds (NULL: SHEET_LIMITS_DEFAULT), copied.
 * Returns 0 with *out, or -1 with e (a code above) and *out NULL. */
int xlsx_open(const char *path, const sheet_limits_t *lim, xlsx_reader_t **out, err_t *e);

/* The same over the bytes data[0..len), which must stay as they are until
 * xlsx_close (the fuzz target, and a file already in memory). */
int xlsx_open_buffer(const void *data, size_t len, const sheet_limits_t *lim, xlsx_reader_t **out, err_t *e);

/* The sheets in the workbook's order (hidden ones too), and the name of
 * sheet i (< xlsx_sheet_count; NULL beyond), UTF-8. */
size_t xlsx_sheet_count(const xlsx_reader_t *x);
const char *xlsx_sheet_name(const xlsx_reader_t *x, size_t i);

/* (Re)starts at sheet i's first row, after reading its merged ranges; may
 * be called again for the same or another sheet. Returns 0, or -1 with e
 * (ERR_NOT_FOUND "xlsx_no_sheet" when i is not a sheet's index). */
int xlsx_begin_sheet(xlsx_reader_t *x, size_t i, err_t *e);

/* Whether the sheet begun last had its merged ranges found without
 * parsing its rows (false: the sheet was parsed whole for them; see
 * xlsx_reader.c, "The first pass"). For the tests and benchmarks. */
bool xlsx_merges_scanned(const xlsx_reader_t *x);

/* The next row that has a non-empty cell: returns 1 and fills *row, 0 at
 * the end of the sheet, -1 with e. After -1 the sheet is over: further
 * calls return -1 (ERR_INTERNAL "xlsx_sheet_failed") until a sheet is
 * begun. Without a sheet begun: -1, ERR_INTERNAL "xlsx_no_sheet_begun". */
int xlsx_next_row(xlsx_reader_t *x, sheet_row_t *row, err_t *e);

/* Closes the zip and frees everything (NULL allowed). */
void xlsx_close(xlsx_reader_t *x);

#endif
