/* Unit tests of io/csv_table through its header: rows and the lines they
 * start on (what `units apply` quotes in its errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "io/csv_table.h"

static void parse_ok(const char *text, csv_table_t *t)
{
	err_t e;

	err_clear(&e);
	assert_int_equal(csv_table_parse(text, strlen(text), t, &e), 0);
}

/* Found by tests/fuzz/fuzz_csv (input "z\n\xb0\xb0"): a last row of one
 * field without a newline after it was said to start on the line after
 * it, the line counter having moved on before libcsv gave the field. */
static void a_last_row_without_newline_keeps_its_line(void **state)
{
	csv_table_t t;
	(void)state;

	parse_ok("z\n\xb0\xb0", &t);
	assert_int_equal(t.n_rows, 1);
	assert_int_equal(t.rows[0].line, 2);
	csv_table_free(&t);

	parse_ok("code\nA\nB", &t);
	assert_int_equal(t.n_rows, 2);
	assert_int_equal(t.rows[0].line, 2);
	assert_int_equal(t.rows[1].line, 3);
	assert_string_equal(csv_field(&t.rows[1], 0), "B");
	csv_table_free(&t);

	parse_ok("code,name\r\nA,x\r\nB,y", &t);
	assert_int_equal(t.rows[1].line, 3);
	csv_table_free(&t);
}

static void rows_start_where_they_start(void **state)
{
	csv_table_t t;
	(void)state;

	/* a quoted field over two lines; a blank line skipped */
	parse_ok("code,note\nA,\"one\ntwo\"\n\nB,x\n", &t);
	assert_int_equal(t.n_rows, 2);
	assert_int_equal(t.rows[0].line, 2);
	assert_string_equal(csv_field(&t.rows[0], 1), "one\ntwo");
	assert_int_equal(t.rows[1].line, 5);
	assert_int_equal(csv_col(&t, "note"), 1);
	assert_int_equal(csv_col(&t, "nope"), -1);
	assert_string_equal(csv_field(&t.rows[1], 7), "");
	csv_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_last_row_without_newline_keeps_its_line),
		cmocka_unit_test(rows_start_where_they_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
