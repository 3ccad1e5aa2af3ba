/*
 * sheet.h - a table read row by row from a member list as people keep
 * them (issue 16): a CSV file (io/csv_stream.h) or a sheet of an XLSX
 * workbook (io/xlsx_reader.h). The importer reads either through this one
 * shape, in bounded memory whatever the file's size.
 *
 * A row holds the cells as text: UTF-8 (not necessarily NFC: the importer
 * normalises), "" for an empty cell. What the text came from is told per
 * cell, because a spreadsheet's number has lost what a person typed (the
 * leading 0 of an ID number or a phone number stored as a number); dates
 * stored as serial numbers are given as "YYYY-MM-DD" (with " HH:MM:SS"
 * when the time of day is not midnight).
 *
 * Ownership: a row's cells belong to the reader that gave it, valid until
 * its next call; copy what must outlive it.
 */
#ifndef UB_SHEET_H
#define UB_SHEET_H

#include <stddef.h>
#include <stdint.h>

typedef enum sheet_cell_type {
	SHEET_TEXT = 0,  /* text as typed (every cell of a CSV file) */
	SHEET_NUMBER,    /* a number, written as C's "%.15g" would (no exponent below 1e15) */
	SHEET_DATE,      /* a number shown as a date: "YYYY-MM-DD" */
	SHEET_BOOL,      /* "TRUE" or "FALSE" */
	SHEET_ERROR,     /* a formula's error as shown ("#N/A", "#REF!") */
} sheet_cell_type_t;

typedef struct sheet_row {
	const char *const *cells;          /* cells[0..n) */
	const unsigned char *types;        /* types[0..n): sheet_cell_type_t */
	size_t n;                          /* up to the last cell that is not empty */
	size_t line;                       /* CSV: the 1-based line the record starts on;
					      XLSX: the row's number as the spreadsheet shows it */
} sheet_row_t;

/* The bounds a reader keeps whatever the file claims; every refusal is
 * ERR_BAD_REQUEST with a code of the reader's and the parameters line (and
 * column, 1-based, when there is one) and max. */
typedef struct sheet_limits {
	size_t max_columns;    /* a cell beyond this column: refused */
	size_t max_cell;       /* bytes of one cell's text */
	size_t max_rows;       /* rows read from one sheet */
	uint64_t max_bytes;    /* bytes read in all (an XLSX: uncompressed, every part read) */
} sheet_limits_t;

#define SHEET_LIMITS_DEFAULT \
	((sheet_limits_t){ .max_columns = 1024, .max_cell = (size_t)32 * 1024, .max_rows = 2000000, \
			   .max_bytes = (uint64_t)4 * 1024 * 1024 * 1024 })

#endif
