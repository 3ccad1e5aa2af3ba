/* Unit tests of core/member_columns: member lists' headers as unions write
 * them, where the table begins and where it ends (issue 16, item 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/member_columns.h"

static void guess_is(const char *header, const char *key)
{
	mcol_t f = mcol_guess(header);
	if (strcmp(mcol_key(f), key) != 0)
		fail_msg("'%s' guessed as '%s', not '%s'", header, mcol_key(f), key);
}

static void names_fields_as_people_head_them(void **state)
{
	(void)state;
	guess_is("STT", "seq");
	guess_is("Số TT", "seq");
	guess_is("Họ và tên", "full_name");
	guess_is("HỌ VÀ TÊN", "full_name");
	guess_is("Ho ten", "full_name");
	guess_is("Họ và tên hội viên", "full_name");
	guess_is("Full name", "full_name");
	guess_is("Ngày tháng năm sinh", "birth_date");
	guess_is("Ngày, tháng, năm sinh", "birth_date");
	guess_is("Ngày sinh (dd/mm/yyyy)", "birth_date");
	guess_is("NS", "birth_date");
	guess_is("Date of birth", "birth_date");
	guess_is("Dân tộc", "ethnicity");
	guess_is("Số CCCD", "id_number");
	guess_is("Số CCCD/CMND", "id_number");
	guess_is("Số định danh cá nhân", "id_number");
	guess_is("CMND", "id_number");
	guess_is("Chi hội", "unit");
	guess_is("Chi/tổ hội", "unit");
	guess_is("Ngày vào Hội", "joined_on");
	guess_is("Ngày kết nạp", "joined_on");
	guess_is("Số điện thoại", "phone");
	guess_is("SĐT", "phone");
	guess_is("Tôn giáo", "religion");
	guess_is("Trình độ học vấn", "education");
	guess_is("Trình độ chuyên môn", "qualification");
	guess_is("Lý luận chính trị", "political_theory");
	guess_is("Nghề nghiệp", "occupation");
	guess_is("Thôn/xóm", "hamlet");
	guess_is("Tổ dân phố", "hamlet");
	guess_is("Địa chỉ", "street");
	guess_is("Hoàn cảnh gia đình", "circumstances");
	guess_is("Năng lực số", "digital");
	guess_is("Đảng viên", "party_member");
	guess_is("Ghi chú", "notes");
	/* NFD input reads alike */
	guess_is("Ho\xcc\xa3 va\xcc\x80 te\xcc\x82n", "full_name");
	/* typed in TCVN3 and VNI, seen as Windows-1252 */
	guess_is("H\xc3\xa4 v\xc2\xb5 t\xc2\xaan", "full_name");
	guess_is("Ng\xc3\xa0y sinh", "birth_date");
	guess_is("Ho\xc3\xaf va\xc3\xb8 te\xc3\xa2n", "full_name");
	/* nothing guessed */
	guess_is("ĐT", "");
	guess_is("DANH SÁCH HỘI VIÊN CHI HỘI THÔN ĐÔNG", "");
	guess_is("", "");
	guess_is("\xff", "");
}

static void finds_the_header_among_title_rows(void **state)
{
	const char *title[] = { "DANH SÁCH HỘI VIÊN", "", "" };
	const char *header[] = { "STT", "Họ và tên", "Ngày sinh", "Dân tộc", "Số CCCD", "Họ tên" };
	const char *names_only[] = { "Họ và tên", "Ghi" };
	mcol_t f[6];
	size_t named;
	(void)state;

	named = mcol_guess_row(title, 3, f);
	assert_false(mcol_is_header(f, 3, named));
	named = mcol_guess_row(header, 6, f);
	assert_int_equal(named, 4);
	assert_true(mcol_is_header(f, 6, named));
	assert_int_equal(f[0], MCOL_SEQ);
	assert_int_equal(f[1], MCOL_FULL_NAME);
	assert_int_equal(f[5], MCOL_NONE); /* a second name column goes nowhere */
	named = mcol_guess_row(names_only, 2, f);
	assert_false(mcol_is_header(f, 2, named));
}

static void finds_where_the_table_ends(void **state)
{
	const char *sign[] = { "", "Người lập biểu", "", "", "TM. BAN CHẤP HÀNH" };
	const char *sign2[] = { "(Ký, ghi rõ họ tên)" };
	const char *total[] = { "Tổng cộng: 60 hội viên" };
	const char *dated[] = { "", "", "Hoài Đức, ngày 05 tháng 3 năm 2026" };
	const char *member[] = { "12", "Tổng Thị Hoa", "Chủ tịch chi hội" };
	const char *hamlet[] = { "Công Thị Lan", "Cộng Hòa" };
	(void)state;

	assert_true(mcol_is_footer(sign, 5));
	assert_true(mcol_is_footer(sign2, 1));
	assert_true(mcol_is_footer(total, 1));
	assert_true(mcol_is_footer(dated, 3));
	assert_false(mcol_is_footer(member, 3));
	assert_false(mcol_is_footer(hamlet, 2));
	/* only the row's first value counts, a number too */
	const char *numbered[] = { "(2)", "Người lập biểu" };
	const char *spaces[] = { "   ", "Tổng cộng" };
	const char *signed_ascii[] = { "Ky ten" };
	const char *dash[] = { "—", "Người lập biểu" }; /* no letter, but past ASCII: folded, as before */
	assert_false(mcol_is_footer(numbered, 2));
	assert_false(mcol_is_footer(spaces, 2));
	assert_false(mcol_is_footer(dash, 2));
	assert_true(mcol_is_footer(signed_ascii, 1));
}

static void skips_column_numbers(void **state)
{
	const char *nums[] = { "1", "2", "3", "", "4" };
	const char *paren[] = { "(1)", "(2)", "(3)" };
	const char *data[] = { "1", "Nguyễn Thị Hoa", "1980" };
	const char *gap[] = { "1", "3" };
	(void)state;

	assert_true(mcol_is_numbering(nums, 5));
	assert_true(mcol_is_numbering(paren, 3));
	assert_false(mcol_is_numbering(data, 3));
	assert_false(mcol_is_numbering(gap, 2));
}

static void keys_round_trip(void **state)
{
	(void)state;
	for (int f = 0; f < MCOL_COUNT; f++) {
		mcol_t back;
		assert_int_equal(mcol_parse(mcol_key((mcol_t)f), &back), 0);
		assert_int_equal(back, f);
	}
	mcol_t x;
	assert_int_equal(mcol_parse("name", &x), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_fields_as_people_head_them),
		cmocka_unit_test(finds_the_header_among_title_rows),
		cmocka_unit_test(finds_where_the_table_ends),
		cmocka_unit_test(skips_column_numbers),
		cmocka_unit_test(keys_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
