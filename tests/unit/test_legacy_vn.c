/* Unit tests of core/legacy_vn (TCVN3 and VNI text seen as CP1252, back
 * to Unicode; detection per column) and core/vn_syllable.
 *
 * The letter table below is the test's own copy, taken from sources other
 * than the module's (Unikey's tables): TCVN3 from glibc's iconv
 * TCVN5712-1, byte by byte (iconv -f TCVN5712-1 -t UTF-8), VNI from
 * xvnkb's vni.h (github.com/lamdao/xvnkb). Each legacy column is its bytes
 * as CP1252 characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/legacy_vn.h"
#include "core/vn_syllable.h"

/* The 134 letters with marks: unicode, TCVN3, what TCVN3 reads back (the
 * lower case where TCVN3 has no capital), VNI. */
static const struct letter {
	const char *unicode, *tcvn3, *tcvn3_reads, *vni;
} LETTERS[] = {
	{ "á", "¸", "á", "aù" },
	{ "Á", "¸", "á", "AÙ" },
	{ "à", "µ", "à", "aø" },
	{ "À", "µ", "à", "AØ" },
	{ "ả", "¶", "ả", "aû" },
	{ "Ả", "¶", "ả", "AÛ" },
	{ "ã", "·", "ã", "aõ" },
	{ "Ã", "·", "ã", "AÕ" },
	{ "ạ", "¹", "ạ", "aï" },
	{ "Ạ", "¹", "ạ", "AÏ" },
	{ "â", "©", "â", "aâ" },
	{ "Â", "¢", "Â", "AÂ" },
	{ "ấ", "Ê", "ấ", "aá" },
	{ "Ấ", "Ê", "ấ", "AÁ" },
	{ "ầ", "Ç", "ầ", "aà" },
	{ "Ầ", "Ç", "ầ", "AÀ" },
	{ "ẩ", "È", "ẩ", "aå" },
	{ "Ẩ", "È", "ẩ", "AÅ" },
	{ "ẫ", "É", "ẫ", "aã" },
	{ "Ẫ", "É", "ẫ", "AÃ" },
	{ "ậ", "Ë", "ậ", "aä" },
	{ "Ậ", "Ë", "ậ", "AÄ" },
	{ "ă", "¨", "ă", "aê" },
	{ "Ă", "¡", "Ă", "AÊ" },
	{ "ắ", "¾", "ắ", "aé" },
	{ "Ắ", "¾", "ắ", "AÉ" },
	{ "ằ", "»", "ằ", "aè" },
	{ "Ằ", "»", "ằ", "AÈ" },
	{ "ẳ", "¼", "ẳ", "aú" },
	{ "Ẳ", "¼", "ẳ", "AÚ" },
	{ "ẵ", "½", "ẵ", "aü" },
	{ "Ẵ", "½", "ẵ", "AÜ" },
	{ "ặ", "Æ", "ặ", "aë" },
	{ "Ặ", "Æ", "ặ", "AË" },
	{ "é", "Ð", "é", "eù" },
	{ "É", "Ð", "é", "EÙ" },
	{ "è", "Ì", "è", "eø" },
	{ "È", "Ì", "è", "EØ" },
	{ "ẻ", "Î", "ẻ", "eû" },
	{ "Ẻ", "Î", "ẻ", "EÛ" },
	{ "ẽ", "Ï", "ẽ", "eõ" },
	{ "Ẽ", "Ï", "ẽ", "EÕ" },
	{ "ẹ", "Ñ", "ẹ", "eï" },
	{ "Ẹ", "Ñ", "ẹ", "EÏ" },
	{ "ê", "ª", "ê", "eâ" },
	{ "Ê", "£", "Ê", "EÂ" },
	{ "ế", "Õ", "ế", "eá" },
	{ "Ế", "Õ", "ế", "EÁ" },
	{ "ề", "Ò", "ề", "eà" },
	{ "Ề", "Ò", "ề", "EÀ" },
	{ "ể", "Ó", "ể", "eå" },
	{ "Ể", "Ó", "ể", "EÅ" },
	{ "ễ", "Ô", "ễ", "eã" },
	{ "Ễ", "Ô", "ễ", "EÃ" },
	{ "ệ", "Ö", "ệ", "eä" },
	{ "Ệ", "Ö", "ệ", "EÄ" },
	{ "ó", "ã", "ó", "où" },
	{ "Ó", "ã", "ó", "OÙ" },
	{ "ò", "ß", "ò", "oø" },
	{ "Ò", "ß", "ò", "OØ" },
	{ "ỏ", "á", "ỏ", "oû" },
	{ "Ỏ", "á", "ỏ", "OÛ" },
	{ "õ", "â", "õ", "oõ" },
	{ "Õ", "â", "õ", "OÕ" },
	{ "ọ", "ä", "ọ", "oï" },
	{ "Ọ", "ä", "ọ", "OÏ" },
	{ "ô", "«", "ô", "oâ" },
	{ "Ô", "¤", "Ô", "OÂ" },
	{ "ố", "è", "ố", "oá" },
	{ "Ố", "è", "ố", "OÁ" },
	{ "ồ", "å", "ồ", "oà" },
	{ "Ồ", "å", "ồ", "OÀ" },
	{ "ổ", "æ", "ổ", "oå" },
	{ "Ổ", "æ", "ổ", "OÅ" },
	{ "ỗ", "ç", "ỗ", "oã" },
	{ "Ỗ", "ç", "ỗ", "OÃ" },
	{ "ộ", "é", "ộ", "oä" },
	{ "Ộ", "é", "ộ", "OÄ" },
	{ "ơ", "¬", "ơ", "ô" },
	{ "Ơ", "¥", "Ơ", "Ô" },
	{ "ớ", "í", "ớ", "ôù" },
	{ "Ớ", "í", "ớ", "ÔÙ" },
	{ "ờ", "ê", "ờ", "ôø" },
	{ "Ờ", "ê", "ờ", "ÔØ" },
	{ "ở", "ë", "ở", "ôû" },
	{ "Ở", "ë", "ở", "ÔÛ" },
	{ "ỡ", "ì", "ỡ", "ôõ" },
	{ "Ỡ", "ì", "ỡ", "ÔÕ" },
	{ "ợ", "î", "ợ", "ôï" },
	{ "Ợ", "î", "ợ", "ÔÏ" },
	{ "ú", "ó", "ú", "uù" },
	{ "Ú", "ó", "ú", "UÙ" },
	{ "ù", "ï", "ù", "uø" },
	{ "Ù", "ï", "ù", "UØ" },
	{ "ủ", "ñ", "ủ", "uû" },
	{ "Ủ", "ñ", "ủ", "UÛ" },
	{ "ũ", "ò", "ũ", "uõ" },
	{ "Ũ", "ò", "ũ", "UÕ" },
	{ "ụ", "ô", "ụ", "uï" },
	{ "Ụ", "ô", "ụ", "UÏ" },
	{ "ư", "\xc2\xad", "ư", "ö" },
	{ "Ư", "¦", "Ư", "Ö" },
	{ "ứ", "ø", "ứ", "öù" },
	{ "Ứ", "ø", "ứ", "ÖÙ" },
	{ "ừ", "õ", "ừ", "öø" },
	{ "Ừ", "õ", "ừ", "ÖØ" },
	{ "ử", "ö", "ử", "öû" },
	{ "Ử", "ö", "ử", "ÖÛ" },
	{ "ữ", "÷", "ữ", "öõ" },
	{ "Ữ", "÷", "ữ", "ÖÕ" },
	{ "ự", "ù", "ự", "öï" },
	{ "Ự", "ù", "ự", "ÖÏ" },
	{ "í", "Ý", "í", "í" },
	{ "Í", "Ý", "í", "Í" },
	{ "ì", "×", "ì", "ì" },
	{ "Ì", "×", "ì", "Ì" },
	{ "ỉ", "Ø", "ỉ", "æ" },
	{ "Ỉ", "Ø", "ỉ", "Æ" },
	{ "ĩ", "Ü", "ĩ", "ó" },
	{ "Ĩ", "Ü", "ĩ", "Ó" },
	{ "ị", "Þ", "ị", "ò" },
	{ "Ị", "Þ", "ị", "Ò" },
	{ "ý", "ý", "ý", "yù" },
	{ "Ý", "ý", "ý", "YÙ" },
	{ "ỳ", "ú", "ỳ", "yø" },
	{ "Ỳ", "ú", "ỳ", "YØ" },
	{ "ỷ", "û", "ỷ", "yû" },
	{ "Ỷ", "û", "ỷ", "YÛ" },
	{ "ỹ", "ü", "ỹ", "yõ" },
	{ "Ỹ", "ü", "ỹ", "YÕ" },
	{ "ỵ", "þ", "ỵ", "î" },
	{ "Ỵ", "þ", "ỵ", "Î" },
	{ "đ", "®", "đ", "ñ" },
	{ "Đ", "§", "Đ", "Ñ" },
};

/* Words of the reference data and the demo (the CSV files of data/, io/gen_members.c)
 * that are Vietnamese syllables. */
static const char *const VALID_WORDS[] = {
	"A", "An", "Ba", "Ban", "Biên", "Bon", "Bu", "Buôn", "Bà", "Bàng", "Bành", "Bàu", "Bái", "Bát",
	"Bãi", "Bình", "Bích", "Bòng", "Bó", "Bù", "Bùi", "Búng", "Bút", "Bạc", "Bạch", "Bản", "Bảng", "Bảo",
	"Bắc", "Bằng", "Bến", "Bể", "Bố", "Bồi", "Bổn", "Bờ", "Bừ", "Cai", "Cang", "Cao", "Cha", "Chan",
	"Chay", "Chi", "Chiềng", "Choản", "Chu", "Chuối", "Chàm", "Châu", "Chè", "Ché", "Chí", "Chính",
	"Chăm", "Chơ", "Chướng", "Chạy", "Chải", "Chẩn", "Chế", "Chờ", "Chợ", "Chứt", "Co", "Coọng", "Cu",
	"Cà", "Cái", "Cám", "Cán", "Cát", "Cô", "Côn", "Công", "Cù", "Cú", "Cúc", "Căn", "Cơ", "Cương", "Cả",
	"Cấp", "Cầm", "Cần", "Cầu", "Cẩm", "Cỏ", "Cốc", "Cống", "Cồn", "Cộp", "Cụm", "Củm", "Cửa", "Danh",
	"Dao", "Dinh", "Diệp", "Dung", "Dào", "Dân", "Dìu", "Dũng", "Dương", "Dầu", "Dế", "Dề", "Dữ", "E",
	"Gia", "Giang", "Giác", "Giáo", "Giáy", "Gió", "Giảng", "Giẻ", "Giốc", "Giờ", "Gành", "Gãy", "Gòn",
	"Gạo", "Gấm", "Ha", "Hang", "Hiến", "Hiền", "Hiển", "Hiệu", "Ho", "Hoa", "Hoàn", "Hoàng", "Hua",
	"Huyền", "Huyện", "Huế", "Huệ", "Huồi", "Huổi", "Hy", "Hà", "Hán", "Hía", "Hòa", "Hòn", "Hóa",
	"Hùng", "Hưng", "Hưu", "Hương", "Hướng", "Hạ", "Hạc", "Hạnh", "Hải", "Hảo", "Hậu", "Hằng", "Họ",
	"Học", "Hốc", "Hồ", "Hồi", "Hồng", "Hội", "Hới", "Hợp", "Hủ", "Hữu", "Ia", "Iệc", "Ka", "Keng",
	"Khai", "Khe", "Khiên", "Khuôn", "Khuổi", "Khá", "Khám", "Kháng", "Khánh", "Khê", "Khò", "Khô",
	"Không", "Khúng", "Khơ", "Khương", "Khẩu", "Khừ", "Kim", "Kinh", "Kiên", "Kiếm", "Kiến", "Kiều",
	"Ko", "Kon", "Kăn", "Kạn", "Kết", "Kỳ", "La", "Lai", "Lam", "Lan", "Lang", "Lao", "Liên", "Liêu",
	"Loan", "Long", "Lum", "Làng", "Lành", "Lào", "Lá", "Lác", "Lát", "Lâm", "Lãnh", "Lèn", "Lê", "Lìm",
	"Lìn", "Lò", "Lòng", "Ló", "Lô", "Lôi", "Lù", "Lý", "Lăng", "Lũng", "Lư", "Lưu", "Lương", "Lưới",
	"Lạ", "Lạc", "Lạn", "Lạng", "Lạt", "Lầu", "Lập", "Lếch", "Lệ", "Lốp", "Lộc", "Lớn", "Lụa", "Lủng",
	"Lự", "Ma", "Mai", "Mau", "Minh", "Moóc", "Mu", "Mun", "Máng", "Mã", "Mèo", "Mé", "Mò", "Mòn",
	"Móng", "Mông", "Mù", "Mú", "Măm", "Mũi", "Mơ", "Mường", "Mạ", "Mạch", "Mảng", "Mẫu", "Mận", "Mập",
	"Mằm", "Mế", "Mỏ", "Mồ", "Mộc", "Một", "Mới", "Mỹ", "Na", "Nai", "Nam", "Nga", "Nghi", "Nghĩa",
	"Nghẹt", "Nghệ", "Nghị", "Nguyên", "Nguyễn", "Ngà", "Ngài", "Ngàn", "Ngày", "Ngái", "Ngáo", "Ngân",
	"Ngãi", "Ngòi", "Ngô", "Ngọc", "Ngự", "Nha", "Nho", "Nhà", "Nhàn", "Nhé", "Nhì", "Nhông", "Nhơn",
	"Nhất", "Ninh", "Nà", "Nàng", "Ná", "Nôn", "Nông", "Nùng", "Năm", "Nậm", "Nẵng", "Nặm", "Nọi", "Nội",
	"Oóc", "Pa", "Phan", "Phong", "Phán", "Phát", "Phìn", "Phình", "Phòng", "Phô", "Phù", "Phùng", "Phú",
	"Phúc", "Phăng", "Phương", "Phước", "Phường", "Phạm", "Phật", "Phố", "Phụ", "Phụng", "Phủ", "Pi",
	"Pom", "Poọng", "Pu", "Pà", "Pá", "Pác", "Péo", "Pò", "Pạt", "Pả", "Pắc", "Pồng", "Quan", "Quang",
	"Quy", "Quyên", "Quý", "Quảng", "Quận", "Quế", "Quốc", "Rai", "Rang", "Ray", "Riễng", "Ro", "Ru",
	"Rơ", "Rịa", "Sa", "San", "Sau", "Sen", "Si", "Sim", "Sin", "Sinh", "Son", "Song", "Sài", "Sán",
	"Sâm", "Séo", "Sì", "Sín", "Sóc", "Sông", "Súp", "Sơn", "Sại", "Sấm", "Sầm", "Sắn", "Sốp", "Sở",
	"Ta", "Tam", "Than", "Thanh", "Thin", "Thiên", "Thiết", "Tho", "Thuận", "Thuột", "Thành", "Thác",
	"Thái", "Tháp", "Thèn", "Thúy", "Thơ", "Thơm", "Thường", "Thạnh", "Thảo", "Thầu", "Thắm", "Thắng",
	"Thẻn", "Thị", "Thọ", "Thống", "Thổ", "Thục", "Thụy", "Thủ", "Thủy", "Thừa", "Tin", "Tiên", "Tiến",
	"Tiền", "Tiểu", "Toại", "Trang", "Tranh", "Tre", "Tri", "Triêng", "Triều", "Trung", "Trà", "Tràm",
	"Trào", "Trác", "Trê", "Trì", "Trí", "Trù", "Trùng", "Trăng", "Trường", "Trấn", "Trần", "Trị",
	"Trịnh", "Trực", "Tu", "Tum", "Tuy", "Tuyên", "Tuyết", "Tuấn", "Tà", "Tàu", "Tày", "Tá", "Tát",
	"Tâm", "Tân", "Tây", "Tè", "Tép", "Tô", "Tôn", "Túy", "Tý", "Tăng", "Tĩnh", "Tạ", "Tạng", "Tả",
	"Tồn", "Tổ", "Tộc", "Tụ", "Từ", "Tử", "Uyên", "Vang", "Vi", "Vinh", "Việt", "Voi", "Vàng", "Vân",
	"Vì", "Vòng", "Văn", "Vĩ", "Vĩnh", "Vũ", "Vũng", "Vạc", "Vển", "Vị", "Vỹ", "Xim", "Xinh", "Xoài",
	"Xu", "Xuyên", "Xuân", "Xá", "Xát", "Xã", "Xén", "Xóm", "Xôm", "Xơ", "Xốp", "Y", "Yên", "Yến", "an",
	"biên", "biến", "biển", "bon", "buôn", "bán", "bánh", "bản", "bảo", "bộ", "chiếu", "chuyển", "chính",
	"chăn", "chưa", "chế", "chỉnh", "chống", "chợ", "chức", "các", "công", "cơ", "cư", "cấp", "cẩm",
	"cộng", "danh", "doanh", "du", "dân", "dược", "dệt", "dịch", "dữ", "gian", "giáo", "giới", "hoạt",
	"huyện", "hải", "học", "hội", "hợp", "khi", "khu", "khóm", "không", "khối", "kinh", "kiệm", "kỷ",
	"liệu", "loại", "làm", "làng", "lên", "lý", "lập", "lịch", "mua", "mô", "môi", "mốc", "mục", "nguồn",
	"người", "nhân", "ninh", "niệm", "nuôi", "năm", "nữ", "phân", "phòng", "phường", "phỏng", "phố",
	"phổ", "phụ", "quyết", "quản", "rau", "rác", "sau", "sinh", "sản", "sắp", "số", "sở", "thuộc",
	"thành", "thái", "thôn", "thông", "thúc", "thương", "thị", "thổ", "thức", "tiết", "tiểu", "toàn",
	"truyền", "trên", "trí", "trước", "trường", "trạng", "trấn", "trật", "trồng", "trợ", "tác", "tên",
	"tôm", "tại", "tỉnh", "tổ", "từ", "tự", "vay", "viên", "và", "về", "vệ", "vốn", "vụ", "vực", "xã",
	"xóm", "xếp", "Á", "Ánh", "Ây", "Ê", "Ôi", "Đinh", "Điền", "Điều", "Điện", "Đoài", "Đu", "Đà", "Đài",
	"Đàm", "Đàn", "Đào", "Đá", "Đê", "Đình", "Đôn", "Đông", "Đăng", "Đưng", "Đại", "Đảo", "Đất", "Đẳng",
	"Đặc", "Đặng", "Định", "Đốc", "Đồn", "Đồng", "Đổi", "Đỗ", "Động", "Đục", "Đứa", "Đức", "đường",
	"đại", "đảo", "đẳng", "địa", "đối", "đồng", "động", "Ơ", "Ưn", "ấp", "Ẳng", "Ếch",
};

/* Syllables of rare rhymes, and spellings of the old and new styles. */
static const char *const MORE_VALID[] = {
	"khuya", "nghiêng", "giếng", "gì", "gìn", "giữa", "quyết", "quỳnh", "quýt", "thuở", "huơ", "xoong",
	"khuỷu", "ngoằn", "oẳn", "khuếch", "huỳnh", "tuyển", "người", "hươu", "khoèo", "ngoặt", "chuyện",
	"yêu", "yến", "ươm", "uống", "oái", "ngoáy", "khuây", "quấy", "loét", "đường", "rượu", "xuất",
	"thuật", "NGUYỄN", "hoà", "hòa", "THỊ", "Ưng", "Ơn", "Ánh", "Mỹ", "Duyên", "Tuyết", "Thượng",
	/* NFD: e + circumflex + tilde */
	"Nguye\xcc\x82\xcc\x83n",
};

/* Not syllables: legacy garble, foreign words, a stop final without sắc or
 * nặng, two tones, letters outside the alphabet, more than one word. */
static const char *const INVALID_WORDS[] = {
	"NguyÔn", "ThÞ", "Nguyeãn", "Tröông", "Leâ", "Hoaø", "Café", "José", "Street", "Pleiku", "Khmer",
	"hàt", "thàp", "Viet", "ănh", "bbb", "kh", "a1", "", "Hà Nội", "Nguyễ", "chuyênh", "hoàá",
	"Zoë", "naïve", "Müller", "façade", "Đắk", "Lắk", "Mnông", "Xtiêng", "Hrê",
};

static void syllables_of_real_words_are_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof VALID_WORDS / sizeof VALID_WORDS[0]; i++)
		if (!vn_syllable_valid(VALID_WORDS[i]))
			fail_msg("not a syllable: %s", VALID_WORDS[i]);
	for (size_t i = 0; i < sizeof MORE_VALID / sizeof MORE_VALID[0]; i++)
		if (!vn_syllable_valid(MORE_VALID[i]))
			fail_msg("not a syllable: %s", MORE_VALID[i]);
	for (size_t i = 0; i < sizeof INVALID_WORDS / sizeof INVALID_WORDS[0]; i++)
		if (vn_syllable_valid(INVALID_WORDS[i]))
			fail_msg("a syllable: %s", INVALID_WORDS[i]);
	assert_false(vn_syllable_valid(NULL));
	assert_false(vn_syllable_valid("ho\xff"));
}

static void check_to(const char *in, legacy_enc_t enc, const char *want)
{
	char *out = NULL;
	if (legacy_to_unicode(in, enc, &out) != 0)
		fail_msg("%s: %s refused", legacy_enc_name(enc), in);
	if (strcmp(out, want) != 0)
		fail_msg("%s: %s read as %s, not %s", legacy_enc_name(enc), in, out, want);
	free(out);
}

static void check_from(const char *in, legacy_enc_t enc, const char *want)
{
	char *out = NULL;
	if (legacy_from_unicode(in, enc, &out) != 0)
		fail_msg("%s: cannot write %s", legacy_enc_name(enc), in);
	if (strcmp(out, want) != 0)
		fail_msg("%s: %s written as %s, not %s", legacy_enc_name(enc), in, out, want);
	free(out);
}

static void every_letter_reads_as_the_tables_say(void **state)
{
	(void)state;
	assert_int_equal(sizeof LETTERS / sizeof LETTERS[0], 134);
	for (size_t i = 0; i < sizeof LETTERS / sizeof LETTERS[0]; i++) {
		check_to(LETTERS[i].tcvn3, LEGACY_TCVN3, LETTERS[i].tcvn3_reads);
		check_to(LETTERS[i].vni, LEGACY_VNI, LETTERS[i].unicode);
	}
}

/* Unicode -> legacy -> Unicode for every letter, alone and in a word. */
static void every_letter_round_trips(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof LETTERS / sizeof LETTERS[0]; i++) {
		const struct letter *l = &LETTERS[i];
		char word[32], tcvn3[32], vni[32], reads[32];

		check_from(l->unicode, LEGACY_TCVN3, l->tcvn3);
		check_from(l->unicode, LEGACY_VNI, l->vni);
		/* between letters, as in a word: "t" + letter + "n" */
		snprintf(word, sizeof word, "t%sn", l->unicode);
		snprintf(tcvn3, sizeof tcvn3, "t%sn", l->tcvn3);
		snprintf(vni, sizeof vni, "t%sn", l->vni);
		snprintf(reads, sizeof reads, "t%sn", l->tcvn3_reads);
		check_from(word, LEGACY_TCVN3, tcvn3);
		check_from(word, LEGACY_VNI, vni);
		check_to(tcvn3, LEGACY_TCVN3, reads);
		check_to(vni, LEGACY_VNI, word);
	}
}

static void words_and_names_convert(void **state)
{
	(void)state;
	check_to("NguyÔn ThÞ Hoa", LEGACY_TCVN3, "Nguyễn Thị Hoa");
	check_to("Nguyeãn Thò Hoa", LEGACY_VNI, "Nguyễn Thị Hoa");
	check_to("aù", LEGACY_VNI, "á");
	check_to("\xc2\xb8", LEGACY_TCVN3, "á"); /* U+00B8, the byte 0xB8 */
	check_from("Trần Thị Thu Hương", LEGACY_TCVN3, "TrÇn ThÞ Thu H\xc2\xad¬ng");
	check_from("Trần Thị Thu Hương", LEGACY_VNI, "Traàn Thò Thu Höông");
	check_from("Đặng Thị Ngọc Ánh", LEGACY_TCVN3, "§Æng ThÞ Ngäc ¸nh");
	check_from("Đặng Thị Ngọc Ánh", LEGACY_VNI, "Ñaëng Thò Ngoïc AÙnh");
	check_from("xã Đức Thượng, huyện Hoài Đức", LEGACY_VNI, "xaõ Ñöùc Thöôïng, huyeän Hoaøi Ñöùc");
	check_to("xaõ Ñöùc Thöôïng, huyeän Hoaøi Ñöùc", LEGACY_VNI, "xã Đức Thượng, huyện Hoài Đức");
	/* VNI's mark bytes of either case after a letter of either case */
	check_to("Aù AÙ aÙ", LEGACY_VNI, "Á Á á");
	check_to("NGUYEÃN THÒ", LEGACY_VNI, "NGUYỄN THỊ");
	/* a mark byte that fits no letter before it is kept */
	check_to("uâ nù", LEGACY_VNI, "uâ nù");
}

/* TCVN3 has no code for most capitals: a word typed in a capital font
 * comes back in capitals, other letters from lower-case codes in lower
 * case. */
static void tcvn3_capitals(void **state)
{
	(void)state;
	check_to("NGUYÔN THÞ HOA", LEGACY_TCVN3, "NGUYỄN THỊ HOA");
	check_to("NguyÔn ThÞ Hoa", LEGACY_TCVN3, "Nguyễn Thị Hoa");
	check_to("Hå", LEGACY_TCVN3, "Hồ");
	check_to("¸nh", LEGACY_TCVN3, "ánh");
	check_to("§\xc2\xb5o", LEGACY_TCVN3, "Đào");
	check_to("¥n", LEGACY_TCVN3, "Ơn");
	check_from("Hoàng Thị Ơn", LEGACY_TCVN3, "Hoµng ThÞ ¥n");
	check_from("Vũ Thị Ưng", LEGACY_TCVN3, "Vò ThÞ ¦ng");
	check_from("PHẠM THỊ ÁNH TUYẾT", LEGACY_TCVN3, "PH¹M THÞ ¸NH TUYÕT");
	check_to("PH¹M THÞ ¸NH TUYÕT", LEGACY_TCVN3, "PHẠM THỊ ÁNH TUYẾT");
}

/* Characters that are not letters of the encoding are kept; characters no
 * byte gives are refused. */
static void other_characters(void **state)
{
	char *out = (char *)"x";
	(void)state;

	check_to("25°C, “Hoa” – 3€", LEGACY_TCVN3, "25°C, “Hoa” – 3€");
	check_to("“Hoa” – 3€", LEGACY_VNI, "“Hoa” – 3€");
	/* the Latin-1 reading: U+0093 U+0094 are the bytes 0x93 0x94 */
	check_to("\xc2\x93Hoa\xc2\x94", LEGACY_VNI, "“Hoa”");
	check_to("\xc2\x93Hå\xc2\x94", LEGACY_TCVN3, "“Hồ”");
	check_to("", LEGACY_VNI, "");
	assert_int_equal(legacy_to_unicode("Nguyễn", LEGACY_TCVN3, &out), -1);
	assert_null(out);
	assert_int_equal(legacy_to_unicode("ab\xff", LEGACY_VNI, &out), -1);
	assert_int_equal(legacy_to_unicode("ab", LEGACY_NONE, &out), -1);
	assert_int_equal(legacy_to_unicode(NULL, LEGACY_VNI, &out), -1);
	/* a character whose byte is a letter of the encoding cannot be written */
	assert_int_equal(legacy_from_unicode("ä", LEGACY_TCVN3, &out), -1);
	assert_int_equal(legacy_from_unicode("ñ", LEGACY_VNI, &out), -1);
	assert_int_equal(legacy_from_unicode("日", LEGACY_VNI, &out), -1);
	assert_null(out);
	check_from("25°C – Å", LEGACY_TCVN3, "25°C – Å");
	check_from("Nguye\xcc\x82\xcc\x83n", LEGACY_VNI, "Nguyeãn"); /* NFD in */
}

static void names_and_cp1252(void **state)
{
	char *out = NULL;
	legacy_enc_t e = LEGACY_NONE;
	(void)state;

	assert_string_equal(legacy_enc_name(LEGACY_TCVN3), "tcvn3");
	assert_string_equal(legacy_enc_name(LEGACY_VNI), "vni");
	assert_null(legacy_enc_name(LEGACY_NONE));
	assert_int_equal(legacy_enc_parse("VNI", &e), 0);
	assert_int_equal(e, LEGACY_VNI);
	assert_int_equal(legacy_enc_parse("tcvn3", &e), 0);
	assert_int_equal(e, LEGACY_TCVN3);
	assert_int_equal(legacy_enc_parse("tcvn", &e), -1);
	assert_int_equal(legacy_enc_parse(NULL, &e), -1);

	assert_int_equal(legacy_cp1252_to_utf8("Nguy\xd4n \x80\x81\x93\x9f\xb8\xff", 13, &out), 0);
	assert_string_equal(out, "NguyÔn €\xc2\x81“Ÿ¸ÿ");
	free(out);
	assert_int_equal(legacy_cp1252_to_utf8("", 0, &out), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(legacy_cp1252_to_utf8("a\0b", 3, &out), -1);
	assert_null(out);
	/* every byte but NUL, and back to the same bytes through the encoder's
	 * reading of CP1252 */
	{
		char all[255];
		for (int i = 0; i < 255; i++)
			all[i] = (char)(i + 1);
		assert_int_equal(legacy_cp1252_to_utf8(all, sizeof all, &out), 0);
		assert_int_equal(strlen(out) > 255, 1);
		free(out);
	}
}

/* --- detection ------------------------------------------------------- */

static legacy_enc_t verdict_of(const char *const *values, size_t n)
{
	legacy_score_t s = { 0 };
	for (size_t i = 0; i < n; i++)
		legacy_score_add(&s, values[i]);
	return legacy_score_verdict(&s);
}

static legacy_enc_t verdict_one(const char *value)
{
	return verdict_of(&value, 1);
}

/* Genuine Unicode Vietnamese, English, French-ish words, ASCII, numbers,
 * dates: never legacy, alone or as a column. */
static const char *const NEGATIVES[] = {
	"Nguyễn Thị Hoa", "Đắk Lắk", "Hà Nội", "Lê Thu Hà", "Trần Thị Tâm", "Lê Văn Tám", "Châu Thành",
	"Hòa Bình", "Thái Bình", "Tây Ninh", "Bà Rịa - Vũng Tàu", "thôn Đông", "xã Đức Thượng", "Hoài Đức",
	"Lê Thị Mỹ Duyên", "Phạm Thị Ánh Tuyết", "Đặng Thị Ngọc Ánh", "Hoàng Thị Ơn", "Vũ Thị Ưng",
	"Cà Mau", "Bến Tre", "Trà Vinh", "Lâm Đồng", "Tân Châu", "Tâm", "Lê", "Hà", "Thành", "Ánh", "Tú",
	"Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hoa", /* NFD */
	"NGUYỄN THỊ HOA", "nguyen thi hoa", "Nguyen Thi Hoa", "Tran Thi Thu Huong",
	"Café", "José", "Crème brûlée", "Zoë", "naïve", "São Paulo", "Müller", "Ñoño", "Gómez", "Renée",
	"Noël", "Françoise", "Hélène", "déjà vu", "pâté", "Mé", "Thé", "Ré", "à la carte", "Bogotá",
	"Vietnam Women’s Union’s 8 outstanding achievements in 2021",
	"National Seminar “Fostering Vietnamese family values: status and solutions”",
	"0912345678", "+84 912 345 678", "2024-05-01", "01/05/2024", "1.234,50 €", "25°C", "100%",
	"", "   ", "N/A", "-", "Hội LHPN xã", "Chi hội Phụ nữ thôn Phù Cầm",
};

static void negatives_are_never_legacy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof NEGATIVES / sizeof NEGATIVES[0]; i++)
		if (verdict_one(NEGATIVES[i]) != LEGACY_NONE)
			fail_msg("%s: detected as %s", NEGATIVES[i], legacy_enc_name(verdict_one(NEGATIVES[i])));
	assert_int_equal(verdict_of(NEGATIVES, sizeof NEGATIVES / sizeof NEGATIVES[0]), LEGACY_NONE);
}

/* The names and shares of io/gen_members.c. */
static const struct weighted {
	const char *text;
	int weight;
} FAMILY[] = {
	{ "Nguyễn", 384 }, { "Trần", 121 }, { "Lê", 95 }, { "Phạm", 70 }, { "Hoàng", 51 }, { "Phan", 45 },
	{ "Vũ", 39 },      { "Đặng", 21 },  { "Bùi", 20 }, { "Đỗ", 14 },   { "Hồ", 13 },    { "Ngô", 13 },
	{ "Dương", 10 },   { "Lý", 5 },     { "Đào", 20 }, { "Đinh", 20 }, { "Mai", 10 },   { "Trịnh", 10 },
	{ "Lương", 10 },   { "Tạ", 9 },
}, MIDDLE[] = {
	{ "Thị", 700 }, { "Ngọc", 60 }, { "Thu", 50 }, { "Thanh", 50 }, { "Minh", 30 },
	{ "Kim", 30 },  { "Hồng", 30 }, { "Thúy", 20 }, { "Bích", 20 }, { "Phương", 10 },
};

static const char *const GIVEN[] = {
	"Hoa", "Lan", "Hương", "Mai", "Hạnh", "Thảo", "Trang", "Linh", "Ngọc", "Phương", "Hằng", "Thủy",
	"Yến", "Nga", "Huyền", "Dung", "Hiền", "Loan", "Nhung", "Vân", "Anh", "Châu", "Oanh", "Tuyết",
	"Xuân", "Hồng", "Quyên", "Diệp", "Liên", "Thơm", "Hậu", "Gấm", "Nhàn", "Tâm", "Thắm", "Ánh",
	"Cúc", "Đào", "Hải", "Hòa", "Huệ", "Lệ", "Lụa", "Mơ", "Na", "Ngân", "Nhi", "Quế", "Sen", "Thoa",
};

#define NAMES 1000

static uint32_t next_random(uint32_t *x)
{
	/* xorshift32: the same names on every run */
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static const char *pick(uint32_t *x, const struct weighted *v, size_t n)
{
	int total = 0, r;
	for (size_t i = 0; i < n; i++)
		total += v[i].weight;
	if (total <= 0)
		return v[0].text;
	r = (int)(next_random(x) % (uint32_t)total);
	for (size_t i = 0; i < n; i++) {
		if (r < v[i].weight)
			return v[i].text;
		r -= v[i].weight;
	}
	return v[n - 1].text;
}

/* NAMES full names, malloc'd, in Unicode and in each encoding. */
static char **make_names(legacy_enc_t enc)
{
	uint32_t x = 2463534242u;
	char **names = calloc(NAMES, sizeof *names);

	assert_non_null(names);
	for (size_t i = 0; i < NAMES; i++) {
		char name[128];
		snprintf(name, sizeof name, "%s %s %s", pick(&x, FAMILY, sizeof FAMILY / sizeof FAMILY[0]),
			 pick(&x, MIDDLE, sizeof MIDDLE / sizeof MIDDLE[0]),
			 GIVEN[next_random(&x) % (sizeof GIVEN / sizeof GIVEN[0])]);
		if (enc == LEGACY_NONE)
			names[i] = strdup(name);
		else
			assert_int_equal(legacy_from_unicode(name, enc, &names[i]), 0);
		assert_non_null(names[i]);
	}
	return names;
}

static void free_names(char **names)
{
	for (size_t i = 0; i < NAMES; i++)
		free(names[i]);
	free(names);
}

/* Verdicts on columns of `size` names each; the share that named `want`,
 * and the count that named another encoding in *wrong. */
static double accuracy(char **names, size_t size, legacy_enc_t want, size_t *wrong)
{
	size_t right = 0, columns = 0;

	*wrong = 0;
	for (size_t i = 0; i + size <= NAMES; i += size, columns++) {
		legacy_enc_t v = verdict_of((const char *const *)names + i, size);
		right += v == want;
		*wrong += v != want && v != LEGACY_NONE;
	}
	return (double)right / (double)columns;
}

/* Detection measured on 1,000 names of io/gen_members' lists: each name
 * alone, columns of 5, 20 and all 1,000. The figures are printed; a
 * legacy verdict on Unicode names fails the test, as does a wrong
 * encoding. */
static void detection_on_generated_names(void **state)
{
	static const legacy_enc_t encs[] = { LEGACY_NONE, LEGACY_TCVN3, LEGACY_VNI };
	static const size_t sizes[] = { 1, 5, 20, NAMES };
	(void)state;

	for (size_t e = 0; e < 3; e++) {
		char **names = make_names(encs[e]);
		for (size_t k = 0; k < 4; k++) {
			size_t wrong;
			double share = accuracy(names, sizes[k], encs[e], &wrong);
			print_message("detection %-7s columns of %4zu names: %5.1f%% right, %zu wrong encoding\n",
				      encs[e] ? legacy_enc_name(encs[e]) : "unicode", sizes[k], 100.0 * share, wrong);
			assert_int_equal(wrong, 0);
			if (encs[e] == LEGACY_NONE || sizes[k] >= 20)
				assert_true(share == 1.0);
		}
		free_names(names);
	}
}

/* The sample addresses and names of the brief, typed in each encoding, as
 * one column; and a column where a few legacy values sit among ASCII. */
static void legacy_columns_are_detected(void **state)
{
	static const char *const values[] = {
		"Nguyễn Thị Hoa", "Trần Thị Thu Hương", "Lê Thị Mỹ Duyên", "Phạm Thị Ánh Tuyết",
		"Đặng Thị Ngọc Ánh", "Hoàng Thị Ơn", "Vũ Thị Ưng", "thôn Đông", "xã Đức Thượng", "Hoài Đức",
		"Chi hội Phụ nữ thôn Phù Cầm", "Giáo viên", "Nông dân", "Hà Nội", "12/03/1985", "0912345678",
	};
	static const legacy_enc_t encs[] = { LEGACY_TCVN3, LEGACY_VNI };
	(void)state;

	for (size_t e = 0; e < 2; e++) {
		const char *col[sizeof values / sizeof values[0]];
		char *enc[sizeof values / sizeof values[0]];
		for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
			assert_int_equal(legacy_from_unicode(values[i], encs[e], &enc[i]), 0);
			col[i] = enc[i];
		}
		assert_int_equal(verdict_of(col, sizeof col / sizeof col[0]), encs[e]);
		for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
			char *back = NULL;
			assert_int_equal(legacy_to_unicode(enc[i], encs[e], &back), 0);
			/* TCVN3 has no capital Á: "Ánh" comes back in lower case */
			if (encs[e] == LEGACY_TCVN3 && strstr(values[i], "Ánh")) {
				char *enc2 = NULL;
				assert_non_null(strstr(back, "ánh"));
				assert_int_equal(legacy_from_unicode(back, encs[e], &enc2), 0);
				assert_string_equal(enc2, enc[i]);
				free(enc2);
			} else {
				assert_string_equal(back, values[i]);
			}
			free(back);
			free(enc[i]);
		}
	}
	/* typed in capital fonts (.VnTimeH, VNI with caps lock) */
	{
		static const char *const tcvn3[] = { "NGUYÔN THÞ HOA", "TRÇN THÞ THU HÂ­¥NG", "L£ THÞ Mü DUY£N" };
		static const char *const vni[] = { "NGUYEÃN THÒ HOA", "TRAÀN THÒ THU HÖÔNG", "LEÂ THÒ MYÕ DUYEÂN" };
		assert_int_equal(verdict_of(tcvn3, 3), LEGACY_TCVN3);
		assert_int_equal(verdict_of(vni, 3), LEGACY_VNI);
		check_to(tcvn3[2], LEGACY_TCVN3, "LÊ THỊ MỸ DUYÊN");
		check_to(vni[2], LEGACY_VNI, "LÊ THỊ MỸ DUYÊN");
	}
	/* mixed: legacy among Unicode is not clear */
	{
		static const char *const mixed[] = { "NguyÔn ThÞ Hoa", "Trần Thị Thu Hương", "Lê Thị Mỹ Duyên",
						      "Hoàng Thị Ơn", "Phạm Thị Ánh Tuyết" };
		assert_int_equal(verdict_of(mixed, 5), LEGACY_NONE);
	}
	/* evidence adds nothing for invalid UTF-8 or NULL */
	{
		legacy_score_t s = { 0 };
		legacy_score_add(&s, NULL);
		legacy_score_add(&s, "NguyÔn\xff");
		legacy_score_add(&s, "12345 abc");
		assert_int_equal(s.tcvn3 + s.vni + s.unicode, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syllables_of_real_words_are_valid),
		cmocka_unit_test(every_letter_reads_as_the_tables_say),
		cmocka_unit_test(every_letter_round_trips),
		cmocka_unit_test(words_and_names_convert),
		cmocka_unit_test(tcvn3_capitals),
		cmocka_unit_test(other_characters),
		cmocka_unit_test(names_and_cp1252),
		cmocka_unit_test(negatives_are_never_legacy),
		cmocka_unit_test(detection_on_generated_names),
		cmocka_unit_test(legacy_columns_are_detected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
