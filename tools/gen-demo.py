#!/usr/bin/env python3
"""Generate data/demo-units.csv, the demo data loaded by `unionbase init --demo`.

    python3 tools/gen-demo.py            # write data/demo-units.csv and check it
    python3 tools/gen-demo.py --check    # only check the existing file

Standard library only. The output is deterministic (fixed random seed).

What it contains:
  * For each of the 34 provinces of 2025-07-01: 3 to 5 communes/wards/special
    zones (level commune) with their real post-reform names and codes (list of
    2025 commune-level units, Nghị quyết 202/2025/QH15 and the UBTVQH
    resolutions on the 2025 commune arrangement), 3 to 5 women's union branches
    (chi hội) under each, and 1 to 3 groups (tổ) under about half the branches.
    Hamlet, village and residential-group names are plausible, not verified.
  * Ten years of history before the reform: every one of those communes
    existed from 2010-01-01 (under its 2025 name and code) in a district of
    one of the 63 provinces (table OLD: the old province follows from the
    commune's code; district names are plausible, not verified), with its
    branches (most from 2010, some founded later) and groups founded over the
    years; on 2025-07-01 each commune moves under its new province and the
    districts close, as the reform ended the district level.
  * A worked pre-reform history in the new Bắc Ninh (24): two districts of the
    old Bắc Ninh (27), six old communes/wards with real pre-2025 codes, two real
    renames (a commune made a ward in 2021, a town made a city in 2021), a branch
    move, a branch rename, and the 2025-07-01 merges (Nghị quyết
    1658/NQ-UBTVQH15) into Xã Yên Phong (09193) and Phường Từ Sơn (09367),
    followed by the closing of the two districts.

The check replays the operations on top of the reference data (VN, the 63
provinces valid until 2025-06-30, the 34 from 2025-07-01) and enforces the
invariants of docs/api.md: parent valid on the date and of a higher level,
codes unique on any date, merge sources valid the day before, no children
left on close, no operation on a closed unit.
"""

import csv
import datetime as dt
import io
import os
import random
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data", "demo-units.csv")
COLUMNS = ["op", "date", "code", "name_vi", "name_en", "level", "kind",
           "attributes", "parent", "sources", "note"]
LEVELS = ["central", "province", "district", "commune", "branch", "group"]
KINDS = {"territorial", "enterprise", "agency", "network"}
ATTRS = ["city", "border", "ethnic_minority", "island", "mountain", "coastal",
         "special_zone", "urban", "rural"]
REFORM = "2025-07-01"
NQ_BN = "Nghị quyết 1658/NQ-UBTVQH15"

# ---------------------------------------------------------------- names

def fold(s):
    """ASCII transliteration of a Vietnamese string: 'Đàm Thủy' -> 'Dam Thuy'."""
    s = s.replace("Đ", "D").replace("đ", "d")
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


UNIT_PREFIX = [("Đặc khu ", "Special Zone"), ("Thị trấn ", "Township"),
               ("Thị xã ", "Town"), ("Thành phố ", "City"), ("Huyện ", "District"),
               ("Phường ", "Ward"), ("Xã ", "Commune")]


def unit_en(name_vi):
    if name_vi.startswith("Quận "):
        rest = name_vi[len("Quận "):]
        return "District " + rest if rest.isdigit() else fold(rest) + " Urban District"
    for p, en in UNIT_PREFIX:
        if name_vi.startswith(p):
            return "%s %s" % (fold(name_vi[len(p):]), en)
    raise ValueError(name_vi)


# place prefix -> (English for a number, English for a name)
PLACE_PREFIX = [
    ("tiểu thương chợ ", None, "{} Market Traders"),
    ("tiểu khu ", "Subzone {}", "{} Subzone"),
    ("khu dân cư số ", "Residential Area {}", None),
    ("khu dân cư ", "Residential Area {}", "{} Residential Area"),
    ("tổ dân phố ", "Residential Group {}", "{} Residential Group"),
    ("khu phố ", "Quarter {}", "{} Quarter"),
    ("khối phố ", "Block {}", "{} Block"),
    ("khu vực ", "Area {}", "{} Area"),
    ("khối ", "Block {}", "{} Block"),
    ("khóm ", "Cluster {}", "{} Cluster"),
    ("khu ", "Zone {}", "{} Zone"),
    ("thôn ", "Hamlet {}", "{} Hamlet"),
    ("xóm ", "Hamlet {}", "{} Hamlet"),
    ("ấp ", "Hamlet {}", "{} Hamlet"),
    ("bản ", "Village {}", "{} Village"),
    ("buôn ", None, "Buon {} Village"),
    ("bon ", None, "Bon {} Village"),
    ("làng ", None, "{} Village"),
    ("đảo ", None, "{} Island"),
]


def place_en(place):
    for p, num, named in PLACE_PREFIX:
        if place.startswith(p):
            rest = place[len(p):]
            if re.fullmatch(r"\d+", rest) and num:
                return num.format(rest)
            return named.format(fold(rest))
    raise ValueError(place)


def branch_names(place):
    return "Chi hội Phụ nữ " + place, place_en(place) + " Women's Branch"


# ---------------------------------------------------------------- groups

FLOWERS = ["Hoa Sen", "Hoa Mai", "Hoa Hồng", "Hướng Dương", "Hoa Đào",
           "Hoa Cúc", "Hoa Sim", "Hoa Lan"]
FLOWERS_MOUNTAIN = ["Hoa Ban", "Hoa Mận", "Hoa Đào", "Hoa Sở", "Hoa Tam Giác Mạch"]

THEMES = {
    "urban": [("Tổ phụ nữ tự quản an ninh trật tự", "Women's Self-Managed Public Order Group"),
              ("Tổ phụ nữ kinh doanh", "Women Entrepreneurs' Group"),
              ("Tổ phụ nữ phân loại rác tại nguồn", "Women's Waste Sorting Group")],
    "rural": [("Tổ hợp tác phụ nữ trồng rau an toàn", "Women's Safe Vegetable Cooperative Group"),
              ("Tổ phụ nữ chăn nuôi", "Women's Livestock Group"),
              ("Tổ phụ nữ tự quản bảo vệ môi trường", "Women's Self-Managed Environment Group")],
    "mountain": [("Tổ phụ nữ dệt thổ cẩm", "Women's Brocade Weaving Group"),
                 ("Tổ phụ nữ trồng dược liệu", "Women's Medicinal Plant Group"),
                 ("Tổ phụ nữ làm du lịch cộng đồng", "Women's Community Tourism Group")],
    "border": [("Tổ truyền thông phòng, chống mua bán người",
                "Anti-Human-Trafficking Outreach Group"),
               ("Tổ phụ nữ tự quản đường biên, mốc giới",
                "Women's Border Marker Self-Management Group")],
    "coastal": [("Tổ phụ nữ chế biến hải sản", "Women's Seafood Processing Group"),
                ("Tổ phụ nữ làm dịch vụ du lịch biển", "Women's Beach Tourism Services Group"),
                ("Tổ phụ nữ tự quản bảo vệ môi trường biển",
                 "Women's Self-Managed Marine Environment Group")],
    "south": [("Tổ hợp tác phụ nữ nuôi tôm", "Women's Shrimp Farming Cooperative Group"),
              ("Tổ phụ nữ làm bánh dân gian", "Women's Traditional Cake Group")],
}


def group_candidates(attrs, south):
    a = set(attrs)
    mountain = bool(a & {"mountain", "ethnic_minority"}) and not south
    flowers = FLOWERS_MOUNTAIN if mountain else FLOWERS
    cands = [("Tổ phụ nữ tiết kiệm vay vốn " + f,
              fold(f) + " Women's Savings and Credit Group") for f in flowers]
    themes = []
    for key in ("urban", "rural", "border", "coastal"):
        if key in a:
            themes += THEMES[key]
    if "island" in a or "special_zone" in a:
        themes += [t for t in THEMES["coastal"] if "du lịch" not in t[0]]
    if mountain:
        themes += THEMES["mountain"]
    if south and "rural" in a:
        themes += THEMES["south"]
    return cands, list(dict.fromkeys(themes))


# ---------------------------------------------------------------- data
# Province -> list of (code, name_vi, attributes, places, south)
# places: list of place names, or ("prefix", N) for numbered places 1..N.

U = "urban"
R = "rural"


def n(prefix, upto):
    return (prefix, upto)


PROVINCES = {
    "01": [
        ("00004", "Phường Ba Đình", [U], n("tổ dân phố ", 24)),
        ("00070", "Phường Hoàn Kiếm", [U], n("tổ dân phố ", 30)),
        ("09700", "Xã Ba Vì", ["ethnic_minority", "mountain", R],
         ["thôn Yên Sơn", "thôn Hợp Nhất", "thôn Hợp Sơn", "thôn Bặn", "thôn Mít"]),
        ("10489", "Xã Hương Sơn", [R],
         ["thôn Yến Vỹ", "thôn Đục Khê", "thôn Hội Xá", "thôn Tiên Mai", "thôn Phú Yên"]),
    ],
    "04": [
        ("01273", "Phường Thục Phán", [U], n("tổ dân phố ", 20)),
        ("01392", "Xã Trường Hà", ["border", "ethnic_minority", "mountain", R],
         ["xóm Pác Bó", "xóm Khuổi Nậm", "xóm Nặm Lìn", "xóm Nà Mạ", "xóm Nà Sác"]),
        ("01501", "Xã Đàm Thủy", ["border", "ethnic_minority", "mountain", R],
         ["xóm Bản Giốc", "xóm Pác Ngà", "xóm Nà Ray", "xóm Đông Si", "xóm Lũng Nọi"]),
        ("01558", "Xã Hạ Lang", ["border", "ethnic_minority", "mountain", R],
         ["xóm Bản Khúng", "xóm Nà Thin", "xóm Lũng Mu", "xóm Bản Hía"]),
    ],
    "08": [
        ("02215", "Phường Minh Xuân", [U], n("tổ dân phố ", 18)),
        ("00694", "Phường Hà Giang 1", ["mountain", U], n("tổ dân phố ", 15)),
        ("00715", "Xã Lũng Cú", ["border", "ethnic_minority", "mountain", R],
         ["thôn Lô Lô Chải", "thôn Thèn Pả", "thôn Séo Lủng", "thôn Lũng Cú", "thôn Đoàn Kết"]),
        ("02545", "Xã Tân Trào", ["ethnic_minority", "mountain", R],
         ["thôn Tân Lập", "thôn Mỏ Ché", "thôn Cả", "thôn Bòng", "thôn Lũng Búng"]),
    ],
    "11": [
        ("03127", "Phường Điện Biên Phủ", [U], n("tổ dân phố ", 20)),
        ("03158", "Xã Sín Thầu", ["border", "ethnic_minority", "mountain", R],
         ["bản A Pa Chải", "bản Tá Ko Khừ", "bản Sín Thầu", "bản Tả Ló San"]),
        ("03160", "Xã Mường Nhé", ["border", "ethnic_minority", "mountain", R],
         ["bản Mường Nhé", "bản Nậm Vì", "bản Huổi Lếch", "bản Nậm Pố", "bản Chuyên Gia"]),
        ("03325", "Xã Mường Phăng", ["ethnic_minority", "mountain", R],
         ["bản Phăng", "bản Xôm", "bản Co Khô", "bản Khẩu Chu", "bản Bánh"]),
    ],
    "12": [
        ("03408", "Phường Tân Phong", [U], n("tổ dân phố ", 22)),
        ("03445", "Xã Mường Tè", ["border", "ethnic_minority", "mountain", R],
         ["bản Nậm Củm", "bản Phìn Khò", "bản Pa Sì", "bản Cang", "bản Mường Tè"]),
        ("03571", "Xã Dào San", ["border", "ethnic_minority", "mountain", R],
         ["bản Tả Phìn", "bản Dào San", "bản Mò Sì San", "bản Sin Chải", "bản Ma Ký"]),
        ("03595", "Xã Than Uyên", ["ethnic_minority", "mountain", R],
         ["bản Nà Ban", "bản Nà Phát", "bản Nà Hán", "bản Pắc Pạt", "bản Mường Cang"]),
    ],
    "14": [
        ("03646", "Phường Tô Hiệu", [U], n("tổ dân phố ", 12)),
        ("03980", "Phường Mộc Châu", ["mountain", U], n("tiểu khu ", 14)),
        ("04231", "Xã Sốp Cộp", ["border", "ethnic_minority", "mountain", R],
         ["bản Pá Hốc", "bản Nà Vạc", "bản Hua Mường", "bản Co Chạy", "bản Sốp Cộp"]),
        ("04222", "Xã Chiềng Khương", ["border", "ethnic_minority", "mountain", R],
         ["bản Khá", "bản Lạ", "bản Chiềng Mé", "bản Tân Lập", "bản Hua Mường"]),
        ("03808", "Xã Mường La", ["ethnic_minority", "mountain", R],
         ["bản Nà Pồng", "bản Bó Ưn", "bản Tạng Ẳng", "bản Nà Lốc"]),
    ],
    "15": [
        ("02647", "Phường Lào Cai", ["border", U], n("tổ dân phố ", 25)),
        ("03006", "Phường Sa Pa", ["ethnic_minority", "mountain", U], n("tổ dân phố ", 12)),
        ("04252", "Phường Yên Bái", [U], n("tổ dân phố ", 20)),
        ("02701", "Xã Y Tý", ["border", "ethnic_minority", "mountain", R],
         ["thôn Mò Phú Chải", "thôn Choản Thèn", "thôn Lao Chải", "thôn Hồng Ngài", "thôn Sín Chải"]),
        ("04456", "Xã Mù Cang Chải", ["ethnic_minority", "mountain", R],
         ["bản Lìm Mông", "bản Thái Bừ", "bản Mồ Dề", "bản Chế Cu Nha", "bản Dế Xu Phình"]),
    ],
    "19": [
        ("05443", "Phường Phan Đình Phùng", [U], n("tổ dân phố ", 28)),
        ("01843", "Phường Bắc Kạn", ["mountain", U], n("tổ dân phố ", 14)),
        ("01906", "Xã Ba Bể", ["ethnic_minority", "mountain", R],
         ["thôn Pác Ngòi", "thôn Bó Lù", "thôn Cốc Tộc", "thôn Nà Mằm", "thôn Bản Cám"]),
        ("05569", "Xã Định Hóa", ["ethnic_minority", "mountain", R],
         ["xóm Khuôn Tát", "xóm Bản Quyên", "xóm Nà Mòn", "xóm Tân Thái", "xóm Đồng Hút"]),
    ],
    "20": [
        ("05983", "Phường Lương Văn Tri", [U], n("khối ", 12)),
        ("06184", "Xã Đồng Đăng", ["border", "ethnic_minority", "mountain", R],
         ["khu Thống Nhất", "khu Hòa Bình", "thôn Nà Lầu", "thôn Bản Vển", "thôn Khòn Khuyên"]),
        ("06541", "Xã Mẫu Sơn", ["border", "ethnic_minority", "mountain", R],
         ["thôn Khuổi Cấp", "thôn Pò Đứa", "thôn Khuổi Tát", "thôn Bản Lòng"]),
        ("06463", "Xã Chi Lăng", ["ethnic_minority", "mountain", R],
         ["thôn Quang Trung", "thôn Ba Nàng", "thôn Bằng Giang", "thôn Đồng Bành"]),
    ],
    "22": [
        ("06688", "Phường Hạ Long", ["coastal", U], n("khu phố ", 10)),
        ("06712", "Phường Móng Cái 1", ["border", "coastal", U], n("khu ", 9)),
        ("06838", "Xã Bình Liêu", ["border", "ethnic_minority", "mountain", R],
         ["thôn Nà Ếch", "thôn Sông Moóc", "thôn Bình Đẳng", "thôn Nà Khau", "thôn Pắc Pò"]),
        ("06994", "Đặc khu Vân Đồn", ["island", "coastal", "special_zone"],
         ["khu 3", "khu 7", "thôn Đông Hải", "thôn Nà Sắn", "thôn Quan Lạn"]),
        ("07192", "Đặc khu Cô Tô", ["island", "coastal", "special_zone"],
         ["khu 1", "khu 3", "thôn Hải Tiến", "thôn Nam Hải", "thôn Hải Hà"]),
    ],
    # 24: Xã Yên Phong (09193) and Phường Từ Sơn (09367) come from the merges
    # of the worked example; three more units are created directly.
    "24": [
        ("07210", "Phường Bắc Giang", [U], n("tổ dân phố ", 26)),
        ("09187", "Phường Kinh Bắc", [U], n("khu phố ", 14)),
        ("07616", "Xã Tây Yên Tử", ["ethnic_minority", "mountain", R],
         ["thôn Thác Nhông", "thôn Nghẹt", "thôn Đồng Riễng", "thôn Khuân Cầu", "thôn Đồng Chu"]),
    ],
    "25": [
        ("07900", "Phường Việt Trì", [U], n("tổ dân phố ", 20)),
        ("04795", "Phường Hòa Bình", ["mountain", U], n("tổ dân phố ", 18)),
        ("05200", "Xã Mai Châu", ["ethnic_minority", "mountain", R],
         ["bản Lác", "bản Pom Coọng", "bản Văn", "bản Chiềng Sại", "bản Nà Phòn"]),
        ("08515", "Xã Hy Cương", [R], n("khu ", 8)),
    ],
    "31": [
        ("11311", "Phường Hồng Bàng", [U], n("tổ dân phố ", 22)),
        ("10525", "Phường Hải Dương", [U], n("khu dân cư số ", 15)),
        ("11914", "Đặc khu Cát Hải", ["island", "coastal", "special_zone"],
         ["tổ dân phố 1", "tổ dân phố 3", "thôn Việt Hải", "thôn Gia Luận", "thôn Hiền Hào"]),
        ("11948", "Đặc khu Bạch Long Vĩ", ["island", "special_zone"], n("khu dân cư số ", 4)),
        ("11824", "Xã Vĩnh Bảo", [R],
         ["thôn Đông", "thôn Đoài", "thôn Nam", "thôn Bắc", "thôn Trung"]),
    ],
    "33": [
        ("11953", "Phường Phố Hiến", [U], n("tổ dân phố ", 16)),
        ("13225", "Phường Thái Bình", [U], n("tổ dân phố ", 24)),
        ("12826", "Xã Thái Thụy", ["coastal", R],
         ["thôn Tân Bồi", "thôn Đông Hồ", "thôn Trung Hòa", "thôn An Định", "thôn Đông Tân"]),
        ("12019", "Xã Văn Giang", [R],
         ["thôn Xuân Quan", "thôn Phụng Công", "thôn Đại Hưng", "thôn Cửu Cao"]),
    ],
    "37": [
        ("14329", "Phường Hoa Lư", [U], n("tổ dân phố ", 20)),
        ("13669", "Phường Nam Định", [U], n("tổ dân phố ", 26)),
        ("13285", "Phường Phủ Lý", [U], n("tổ dân phố ", 18)),
        ("14638", "Xã Kim Sơn", ["coastal", R], n("xóm ", 15)),
        ("14404", "Xã Cúc Phương", ["ethnic_minority", "mountain", R],
         ["thôn Sấm", "thôn Nga 1", "thôn Nga 2", "thôn Đồng Tâm", "thôn Sạng"]),
    ],
    "38": [
        ("14797", "Phường Hạc Thành", [U], n("tổ dân phố ", 20)),
        ("16531", "Phường Sầm Sơn", ["coastal", U], n("tổ dân phố ", 16)),
        ("14845", "Xã Mường Lát", ["border", "ethnic_minority", "mountain", R],
         ["bản Lát", "bản Poọng", "bản Xim", "bản Mau", "bản Sáy"]),
        ("15013", "Xã Na Mèo", ["border", "ethnic_minority", "mountain", R],
         ["bản Na Mèo", "bản Son", "bản Sa Ná", "bản Cá Nọi", "bản Na Pọng"]),
    ],
    "40": [
        ("16681", "Phường Thành Vinh", [U], n("khối ", 16)),
        ("16732", "Phường Cửa Lò", ["coastal", U], n("khối ", 12)),
        ("16813", "Xã Mường Xén", ["border", "ethnic_minority", "mountain", R],
         ["bản Hòa Lý", "bản Huồi Giảng", "bản Xốp Tụ", "bản Lưu Phong", "bản Hòa Tây"]),
        ("16822", "Xã Keng Đu", ["border", "ethnic_minority", "mountain", R],
         ["bản Keng Đu", "bản Huồi Khe", "bản Cha Nga", "bản Nậm Khiên"]),
        ("17971", "Xã Kim Liên", [R],
         ["xóm Sen 1", "xóm Sen 2", "xóm Hoàng Trù", "xóm Mậu 1", "xóm Mậu 2"]),
    ],
    "42": [
        ("18073", "Phường Thành Sen", [U], n("tổ dân phố ", 20)),
        ("18196", "Xã Sơn Kim 1", ["border", "mountain", R],
         ["thôn Khe Máng", "thôn Tây Sơn", "thôn Sơn Bằng", "thôn Làng Chè"]),
        ("18373", "Xã Tiên Điền", [R],
         ["thôn Tiên Thành", "thôn Tiên Yên", "thôn Xuân Tiên", "thôn Hồng Lam", "thôn Tiên Hải"]),
        ("18673", "Xã Cẩm Xuyên", [R], n("thôn ", 12)),
    ],
    "44": [
        ("18880", "Phường Đồng Hới", ["coastal", U], n("tổ dân phố ", 16)),
        ("19333", "Phường Đông Hà", [U], n("khu phố ", 12)),
        ("19742", "Đặc khu Cồn Cỏ", ["island", "special_zone"], n("khu dân cư số ", 3)),
        ("19432", "Xã Lao Bảo", ["border", "ethnic_minority", "mountain", R],
         ["khóm Khe Đá", "khóm Tây Chính", "khóm Ka Tăng", "bản Bích La Vạc", "bản Duy Tân"]),
        ("18904", "Xã Dân Hóa", ["border", "ethnic_minority", "mountain", R],
         ["bản Ka Oóc", "bản Hà Vi", "bản Bãi Dinh", "bản Tà Vòng", "bản Ra Mai"]),
    ],
    "46": [
        ("19789", "Phường Thuận Hóa", [U], n("tổ dân phố ", 22)),
        ("19753", "Phường Phú Xuân", [U], n("tổ dân phố ", 20)),
        ("19900", "Phường Thuận An", ["coastal", U], n("tổ dân phố ", 12)),
        ("20056", "Xã A Lưới 1", ["border", "ethnic_minority", "mountain", R],
         ["thôn Ka Nôn", "thôn Pa E", "thôn Kăn Sâm", "thôn A Ka", "thôn Pi Ây"]),
    ],
    "48": [
        ("20242", "Phường Hải Châu", [U], n("tổ dân phố ", 30)),
        ("20410", "Phường Hội An", ["coastal", U],
         ["khối phố An Hội", "khối phố Cẩm Phô", "khối phố Minh An", "khối phố Sơn Phong",
          "khối phố Phước Hội"]),
        ("20341", "Phường Tam Kỳ", [U], n("khối phố ", 10)),
        ("20455", "Xã Tây Giang", ["border", "ethnic_minority", "mountain", R],
         ["thôn A Tép", "thôn Agrồng", "thôn Đhrồng", "thôn Bhlô Bền", "thôn Arớh"]),
        ("20320", "Xã Hòa Vang", [R],
         ["thôn Cẩm Toại", "thôn Hòa Khương", "thôn Phú Sơn", "thôn Túy Loan"]),
    ],
    "51": [
        ("21025", "Phường Cẩm Thành", [U], n("tổ dân phố ", 18)),
        ("21548", "Đặc khu Lý Sơn", ["island", "coastal", "special_zone"],
         ["thôn Đông An Vĩnh", "thôn Tây An Vĩnh", "thôn Đông An Hải", "thôn Tây An Hải",
          "thôn An Bình"]),
        ("23293", "Phường Kon Tum", ["ethnic_minority", U], n("tổ dân phố ", 16)),
        ("23377", "Xã Bờ Y", ["border", "ethnic_minority", "mountain", R],
         ["làng Đăk Mế", "thôn Bắc Phong", "làng Iệc", "thôn Nông Nhầy", "thôn Bắc Phong 2"]),
    ],
    "52": [
        ("21583", "Phường Quy Nhơn", ["coastal", U], n("khu phố ", 12)),
        ("23575", "Phường Pleiku", ["ethnic_minority", U], n("tổ dân phố ", 20)),
        ("21607", "Xã Nhơn Châu", ["island", "coastal", R],
         ["thôn Đông", "thôn Tây", "thôn Trung"]),
        ("23857", "Xã Đức Cơ", ["border", "ethnic_minority", "mountain", R],
         ["làng Mook Trê", "làng Grôn", "làng Chan", "làng Ia Bang", "làng Dơr"]),
    ],
    "56": [
        ("22366", "Phường Nha Trang", ["coastal", U], n("tổ dân phố ", 20)),
        ("22736", "Đặc khu Trường Sa", ["island", "special_zone"],
         ["đảo Trường Sa", "đảo Song Tử Tây", "đảo Sinh Tồn"]),
        ("22759", "Phường Phan Rang", ["coastal", U], n("khu phố ", 10)),
        ("22846", "Xã Vĩnh Hải", ["coastal", R],
         ["thôn Thái An", "thôn Vĩnh Hy", "thôn Cầu Gãy", "thôn Đá Hang"]),
        ("22888", "Xã Phước Dinh", ["coastal", "ethnic_minority", R],
         ["thôn Vĩnh Trường", "thôn Sơn Hải 1", "thôn Sơn Hải 2", "thôn Từ Thiện",
          "thôn Bầu Ngứ"]),
    ],
    "66": [
        ("24133", "Phường Buôn Ma Thuột", ["ethnic_minority", U], n("tổ dân phố ", 18)),
        ("22015", "Phường Tuy Hòa", ["coastal", U], n("khu phố ", 12)),
        ("24235", "Xã Buôn Đôn", ["border", "ethnic_minority", R],
         ["buôn Trí A", "buôn Ea Mar", "buôn Jang Lành", "buôn Ko Đing", "buôn Drăng Phôk"]),
        ("24214", "Xã Ia Lốp", ["border", "ethnic_minority", R], n("thôn ", 10)),
    ],
    "68": [
        ("24781", "Phường Xuân Hương - Đà Lạt", ["mountain", U], n("tổ dân phố ", 24)),
        ("22945", "Phường Phan Thiết", ["coastal", U], n("khu phố ", 14)),
        ("23272", "Đặc khu Phú Quý", ["island", "coastal", "special_zone"],
         ["thôn Mỹ Khê", "thôn Quý Thạnh", "thôn Triều Dương", "thôn Phú Long", "thôn Hội An"]),
        ("24736", "Xã Quảng Trực", ["border", "ethnic_minority", "mountain", R],
         ["bon Bu Prăng", "bon Bu Dar", "bon Bu Lum", "thôn 1", "thôn 2"]),
        ("24848", "Xã Lạc Dương", ["ethnic_minority", "mountain", R],
         ["thôn Bon Đưng 1", "thôn Bon Đưng 2", "thôn Đarahoa", "thôn Đăng Lèn"]),
    ],
    "75": [
        ("26041", "Phường Trấn Biên", [U], n("khu phố ", 16)),
        ("25195", "Phường Bình Phước", [U], n("khu phố ", 10)),
        ("25270", "Xã Lộc Ninh", ["border", "ethnic_minority", R], n("ấp ", 9)),
        ("25222", "Xã Bù Gia Mập", ["border", "ethnic_minority", "mountain", R],
         ["thôn Bù Lư", "thôn Bình Tiến", "thôn Đắk Á", "bon Bu Dốt", "thôn Đắk Khâu"]),
    ],
    "79": [
        ("26740", "Phường Sài Gòn", [U], n("khu phố ", 16)),
        ("26743", "Phường Bến Thành", [U], n("khu phố ", 12)),
        ("25747", "Phường Thủ Dầu Một", [U], n("khu phố ", 14)),
        ("26732", "Đặc khu Côn Đảo", ["island", "coastal", "special_zone"],
         n("khu dân cư số ", 10)),
        ("27664", "Xã Cần Giờ", ["coastal", R],
         ["ấp Đồng Tranh", "ấp Đồng Hòa", "ấp Long Thạnh", "ấp Long Hòa", "ấp Thạnh Bình"]),
    ],
    "80": [
        ("25459", "Phường Tân Ninh", [U], n("khu phố ", 10)),
        ("27694", "Phường Long An", [U], n("khu phố ", 12)),
        ("25489", "Xã Tân Lập", ["border", R],
         ["ấp Tân Khai", "ấp Tân Đông", "ấp Tân Xuân", "ấp Tân Thanh", "ấp Tân Tiến"]),
        ("25681", "Xã Bến Cầu", ["border", R],
         ["ấp Thuận Tây", "ấp Bàu Tràm Lớn", "ấp Voi", "ấp Rừng Dầu"]),
    ],
    "82": [
        ("29869", "Phường Cao Lãnh", [U], n("khóm ", 10)),
        ("28261", "Phường Mỹ Tho", [U], n("khu phố ", 12)),
        ("29971", "Xã Thường Phước", ["border", R], n("ấp ", 6)),
        ("29926", "Xã Tân Hồng", ["border", R], n("ấp ", 8)),
        ("28594", "Xã Chợ Gạo", [R], n("ấp ", 9)),
    ],
    "86": [
        ("29590", "Phường Thanh Đức", [U], n("khóm ", 8)),
        ("28789", "Phường Bến Tre", [U], n("khu phố ", 10)),
        ("29242", "Phường Trà Vinh", ["ethnic_minority", U], n("khóm ", 10)),
        ("29461", "Xã Trà Cú", ["ethnic_minority", R],
         ["ấp Sóc Chuối", "ấp Ba Cụm", "ấp Chợ", "ấp Xoài Xiêm", "ấp Cà Hom"]),
        ("29182", "Xã Thạnh Phú", ["coastal", R], n("ấp ", 10)),
    ],
    "91": [
        ("30316", "Phường Châu Đốc", ["border", U],
         ["khóm Vĩnh Đông 1", "khóm Vĩnh Đông 2", "khóm Châu Long 1", "khóm Châu Long 2",
          "khóm Vĩnh Tây 3"]),
        ("31078", "Đặc khu Phú Quốc", ["island", "coastal", "special_zone"],
         ["khu phố 1", "khu phố 5", "ấp Gành Gió", "ấp Bãi Bổn", "ấp Rạch Hàm"]),
        ("31108", "Đặc khu Kiên Hải", ["island", "coastal", "special_zone"],
         ["ấp Bãi Chướng", "ấp Bãi Nhà A", "ấp Bãi Nhà B", "ấp Hòn Nam"]),
        ("30544", "Xã Tri Tôn", ["ethnic_minority", "mountain", R],
         ["ấp Tô Thuận", "ấp Phước Lộc", "ấp Ta Ngáo", "ấp Tà Dung", "ấp Sóc Tức"]),
    ],
    "92": [
        ("31135", "Phường Ninh Kiều", [U], n("khu vực ", 12)),
        ("31507", "Phường Sóc Trăng", ["ethnic_minority", U], n("khóm ", 10)),
        ("31321", "Phường Vị Thanh", [U], n("khu vực ", 8)),
        ("31633", "Xã Cù Lao Dung", ["island", "coastal", R],
         ["ấp Phước Hòa A", "ấp Phước Hòa B", "ấp Bình Danh", "ấp An Quới", "ấp Phạm Thành Hơn"]),
    ],
    "96": [
        ("32002", "Phường An Xuyên", [U], n("khóm ", 10)),
        ("31825", "Phường Bạc Liêu", ["coastal", U], n("khóm ", 12)),
        ("32191", "Xã Năm Căn", ["coastal", R], n("ấp ", 8)),
        ("32248", "Xã Đất Mũi", ["coastal", R],
         ["ấp Mũi", "ấp Khai Long", "ấp Xóm Mới", "ấp Kiến Vàng", "ấp Cồn Mũi"]),
    ],
}

SOUTH = {"75", "79", "80", "82", "86", "91", "92", "96"}

# Non-territorial branches (market traders' networks), added to a ward.
EXTRA_BRANCHES = {
    "00070": [("tiểu thương chợ Đồng Xuân", "network")],
    "26743": [("tiểu thương chợ Bến Thành", "network")],
}

# ---------------------------------------------------------------- before 2025
# Every commune above existed before the reform, under a district of one of
# the 63 provinces: (old province, district). The old province follows from
# the commune's code (codes were given in the order of the 63 provinces; the
# check below holds the table to it). District names are plausible, from
# memory, not checked against the official list; the communes keep their
# 2025 names before the reform (their earlier names are not modelled).
OLD = {
    "00004": ("01", "Quận Ba Đình"), "00070": ("01", "Quận Hoàn Kiếm"),
    "09700": ("01", "Huyện Ba Vì"), "10489": ("01", "Huyện Mỹ Đức"),
    "01273": ("04", "Thành phố Cao Bằng"), "01392": ("04", "Huyện Hà Quảng"),
    "01501": ("04", "Huyện Trùng Khánh"), "01558": ("04", "Huyện Hạ Lang"),
    "02215": ("08", "Thành phố Tuyên Quang"), "00694": ("02", "Thành phố Hà Giang"),
    "00715": ("02", "Huyện Đồng Văn"), "02545": ("08", "Huyện Sơn Dương"),
    "03127": ("11", "Thành phố Điện Biên Phủ"), "03158": ("11", "Huyện Mường Nhé"),
    "03160": ("11", "Huyện Mường Nhé"), "03325": ("11", "Huyện Điện Biên"),
    "03408": ("12", "Thành phố Lai Châu"), "03445": ("12", "Huyện Mường Tè"),
    "03571": ("12", "Huyện Phong Thổ"), "03595": ("12", "Huyện Than Uyên"),
    "03646": ("14", "Thành phố Sơn La"), "03980": ("14", "Huyện Mộc Châu"),
    "04231": ("14", "Huyện Sốp Cộp"), "04222": ("14", "Huyện Sông Mã"),
    "03808": ("14", "Huyện Mường La"),
    "02647": ("10", "Thành phố Lào Cai"), "03006": ("10", "Thị xã Sa Pa"),
    "04252": ("15", "Thành phố Yên Bái"), "02701": ("10", "Huyện Bát Xát"),
    "04456": ("15", "Huyện Mù Cang Chải"),
    "05443": ("19", "Thành phố Thái Nguyên"), "01843": ("06", "Thành phố Bắc Kạn"),
    "01906": ("06", "Huyện Ba Bể"), "05569": ("19", "Huyện Định Hóa"),
    "05983": ("20", "Thành phố Lạng Sơn"), "06184": ("20", "Huyện Cao Lộc"),
    "06541": ("20", "Huyện Cao Lộc"), "06463": ("20", "Huyện Chi Lăng"),
    "06688": ("22", "Thành phố Hạ Long"), "06712": ("22", "Thành phố Móng Cái"),
    "06838": ("22", "Huyện Bình Liêu"), "06994": ("22", "Huyện Vân Đồn"),
    "07192": ("22", "Huyện Cô Tô"),
    "07210": ("24", "Thành phố Bắc Giang"), "09187": ("27", "Thành phố Bắc Ninh"),
    "07616": ("24", "Huyện Sơn Động"),
    "07900": ("25", "Thành phố Việt Trì"), "04795": ("17", "Thành phố Hòa Bình"),
    "05200": ("17", "Huyện Mai Châu"), "08515": ("25", "Thành phố Việt Trì"),
    "11311": ("31", "Quận Hồng Bàng"), "10525": ("30", "Thành phố Hải Dương"),
    "11914": ("31", "Huyện Cát Hải"), "11948": ("31", "Huyện Bạch Long Vĩ"),
    "11824": ("31", "Huyện Vĩnh Bảo"),
    "11953": ("33", "Thành phố Hưng Yên"), "13225": ("34", "Thành phố Thái Bình"),
    "12826": ("34", "Huyện Thái Thụy"), "12019": ("33", "Huyện Văn Giang"),
    "14329": ("37", "Thành phố Hoa Lư"), "13669": ("36", "Thành phố Nam Định"),
    "13285": ("35", "Thành phố Phủ Lý"), "14638": ("37", "Huyện Kim Sơn"),
    "14404": ("37", "Huyện Nho Quan"),
    "14797": ("38", "Thành phố Thanh Hóa"), "16531": ("38", "Thành phố Sầm Sơn"),
    "14845": ("38", "Huyện Mường Lát"), "15013": ("38", "Huyện Quan Sơn"),
    "16681": ("40", "Thành phố Vinh"), "16732": ("40", "Thị xã Cửa Lò"),
    "16813": ("40", "Huyện Kỳ Sơn"), "16822": ("40", "Huyện Kỳ Sơn"),
    "17971": ("40", "Huyện Nam Đàn"),
    "18073": ("42", "Thành phố Hà Tĩnh"), "18196": ("42", "Huyện Hương Sơn"),
    "18373": ("42", "Huyện Nghi Xuân"), "18673": ("42", "Huyện Cẩm Xuyên"),
    "18880": ("44", "Thành phố Đồng Hới"), "19333": ("45", "Thành phố Đông Hà"),
    "19742": ("45", "Huyện Cồn Cỏ"), "19432": ("45", "Huyện Hướng Hóa"),
    "18904": ("44", "Huyện Minh Hóa"),
    "19789": ("46", "Quận Thuận Hóa"), "19753": ("46", "Quận Phú Xuân"),
    "19900": ("46", "Huyện Phú Vang"), "20056": ("46", "Huyện A Lưới"),
    "20242": ("48", "Quận Hải Châu"), "20410": ("49", "Thành phố Hội An"),
    "20341": ("49", "Thành phố Tam Kỳ"), "20455": ("49", "Huyện Tây Giang"),
    "20320": ("48", "Huyện Hòa Vang"),
    "21025": ("51", "Thành phố Quảng Ngãi"), "21548": ("51", "Huyện Lý Sơn"),
    "23293": ("62", "Thành phố Kon Tum"), "23377": ("62", "Huyện Ngọc Hồi"),
    "21583": ("52", "Thành phố Quy Nhơn"), "23575": ("64", "Thành phố Pleiku"),
    "21607": ("52", "Thành phố Quy Nhơn"), "23857": ("64", "Huyện Đức Cơ"),
    "22366": ("56", "Thành phố Nha Trang"), "22736": ("56", "Huyện Trường Sa"),
    "22759": ("58", "Thành phố Phan Rang - Tháp Chàm"), "22846": ("58", "Huyện Ninh Hải"),
    "22888": ("58", "Huyện Thuận Nam"),
    "24133": ("66", "Thành phố Buôn Ma Thuột"), "22015": ("54", "Thành phố Tuy Hòa"),
    "24235": ("66", "Huyện Buôn Đôn"), "24214": ("66", "Huyện Ea Súp"),
    "24781": ("68", "Thành phố Đà Lạt"), "22945": ("60", "Thành phố Phan Thiết"),
    "23272": ("60", "Huyện Phú Quý"), "24736": ("67", "Huyện Tuy Đức"),
    "24848": ("68", "Huyện Lạc Dương"),
    "26041": ("75", "Thành phố Biên Hòa"), "25195": ("70", "Thành phố Đồng Xoài"),
    "25270": ("70", "Huyện Lộc Ninh"), "25222": ("70", "Huyện Bù Gia Mập"),
    "26740": ("79", "Quận 1"), "26743": ("79", "Quận 1"),
    "25747": ("74", "Thành phố Thủ Dầu Một"), "26732": ("77", "Huyện Côn Đảo"),
    "27664": ("79", "Huyện Cần Giờ"),
    "25459": ("72", "Thành phố Tây Ninh"), "27694": ("80", "Thành phố Tân An"),
    "25489": ("72", "Huyện Tân Biên"), "25681": ("72", "Huyện Bến Cầu"),
    "29869": ("87", "Thành phố Cao Lãnh"), "28261": ("82", "Thành phố Mỹ Tho"),
    "29971": ("87", "Huyện Hồng Ngự"), "29926": ("87", "Huyện Tân Hồng"),
    "28594": ("82", "Huyện Chợ Gạo"),
    "29590": ("86", "Thành phố Vĩnh Long"), "28789": ("83", "Thành phố Bến Tre"),
    "29242": ("84", "Thành phố Trà Vinh"), "29461": ("84", "Huyện Trà Cú"),
    "29182": ("83", "Huyện Thạnh Phú"),
    "30316": ("89", "Thành phố Châu Đốc"), "31078": ("91", "Thành phố Phú Quốc"),
    "31108": ("91", "Huyện Kiên Hải"), "30544": ("89", "Huyện Tri Tôn"),
    "31135": ("92", "Quận Ninh Kiều"), "31507": ("94", "Thành phố Sóc Trăng"),
    "31321": ("93", "Thành phố Vị Thanh"), "31633": ("94", "Huyện Cù Lao Dung"),
    "32002": ("96", "Thành phố Cà Mau"), "31825": ("95", "Thành phố Bạc Liêu"),
    "32191": ("96", "Huyện Năm Căn"), "32248": ("96", "Huyện Ngọc Hiển"),
}

# ---------------------------------------------------------------- history (24)

HISTORY_START = "2010-01-01"
D_YP, D_TS = "27D01", "27D02"
OLD_COMMUNES = {
    # code: (name, district, [branch places], rural/urban)
    "09217": ("Xã Đông Tiến", D_YP, ["thôn Phù Cầm", "thôn Đông Xuyên"], R),
    "09223": ("Xã Trung Nghĩa", D_YP, ["thôn Trác Bút", "thôn Phong Xá"], R),
    "09232": ("Xã Long Châu", D_YP, ["thôn Long Khám", "thôn Châu Cầu"], R),
    "09391": ("Phường Tân Hồng", D_TS, ["khu phố Dương Lôi", "khu phố Tân Lập"], U),
    "09394": ("Phường Đình Bảng", D_TS, ["khu phố Đình", "khu phố Trung Hòa"], U),
    "09397": ("Xã Phù Chẩn", D_TS, ["thôn Phù Chẩn", "thôn Hạ Giang"], R),
}
MERGES = [
    ("09193", "Xã Yên Phong", [R], ["09217", "09223", "09232"],
     NQ_BN + ": Xã Yên Phong trên cơ sở thị trấn Chờ và các xã Đông Tiến, Trung Nghĩa, "
     "Long Châu (demo: thị trấn Chờ không mô phỏng)"),
    ("09367", "Phường Từ Sơn", [U], ["09391", "09394", "09397"],
     NQ_BN + ": Phường Từ Sơn trên cơ sở các phường Đông Ngàn, Tân Hồng, Phù Chẩn, "
     "Đình Bảng (demo: phường Đông Ngàn không mô phỏng)"),
]


# ---------------------------------------------------------------- build

def row(**kw):
    r = {c: "" for c in COLUMNS}
    r.update(kw)
    return r


def attr_str(attrs):
    return " ".join(a for a in ATTRS if a in attrs)


def create(date, code, name_vi, name_en, level, parent, attrs=(), kind="territorial", note=""):
    return row(op="create", date=date, code=code, name_vi=name_vi, name_en=name_en,
               level=level, kind=kind, attributes=attr_str(attrs), parent=parent, note=note)


def pick_places(rng, spec, k):
    if isinstance(spec, tuple):
        prefix, upto = spec
        nums = sorted(rng.sample(range(1, upto + 1), min(k, upto)))
        return ["%s%d" % (prefix, x) for x in nums]
    return list(spec[:k])


def make_groups(rng, date, bcode, kind, attrs, south, out_now, out_later):
    """Groups under branch bcode; date() gives each its first day."""
    flowers, themes = group_candidates(attrs, south)
    count = rng.choice([1, 1, 2, 2, 3])
    pool = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.25:
            pool.append("num")
        elif roll < 0.65 or not themes:
            pool.append(rng.choice(flowers))
        else:
            pool.append(rng.choice(themes))
    seen, num = set(), 0
    for i, g in enumerate(pool, 1):
        if g == "num":
            num += 1
            g = ("Tổ phụ nữ số %d" % num, "Women's Group No. %d" % num)
        if g[0] in seen:
            num += 1
            g = ("Tổ phụ nữ số %d" % num, "Women's Group No. %d" % num)
        seen.add(g[0])
        code = "%s.%d" % (bcode, i)
        if rng.random() < 0.12 and i == len(pool) and i > 1:
            out_later.append(create("2025-10-20", code, g[0], g[1], "group", bcode,
                                    note="Thành lập nhân kỷ niệm 95 năm Ngày thành lập Hội LHPN "
                                         "Việt Nam (20/10/1930 - 20/10/2025)", kind=kind))
        else:
            out_now.append(create(date(), code, g[0], g[1], "group", bcode, kind=kind))


def day_in(rng, lo, hi):
    """A day in [lo, hi], both ISO dates."""
    a, b = dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)
    return (a + dt.timedelta(days=rng.randrange((b - a).days + 1))).isoformat()


def district_attrs(name, commune_attrs):
    urban = name.startswith(("Quận ", "Thành phố ", "Thị xã "))
    keep = [a for a in commune_attrs if a in ("border", "coastal", "ethnic_minority", "island", "mountain")]
    return keep + [U if urban else R]


def check_old_table(provinces34):
    """OLD names a source of the new province for every commune, in the
    order of the codes (communes were numbered province by province)."""
    errors = []
    for prov, communes in PROVINCES.items():
        sources = provinces34[prov]
        last = ""
        for code, name, _, _ in sorted(communes):
            if code not in OLD:
                errors.append("%s %s: no pre-reform district in OLD" % (code, name))
                continue
            old = OLD[code][0]
            if old not in sources:
                errors.append("%s %s: old province %s is not a source of %s" % (code, name, old, prov))
            if old < last:
                errors.append("%s %s: old province %s after %s out of code order" % (code, name, old, last))
            last = max(last, old)
    return errors


def build():
    rng = random.Random(20250701)
    # dates come from a generator of their own, so that the places and
    # groups drawn from rng stay those of earlier versions of the demo
    when = random.Random(20160101)
    rows = []

    # --- 1. worked history in the old Bắc Ninh (27) -------------------------
    d0 = HISTORY_START
    start = "Dữ liệu demo: trạng thái tại 01/01/2010"
    rows.append(create(d0, D_YP, "Huyện Yên Phong", "Yen Phong District", "district", "27", [R],
                       note=start))
    rows.append(create(d0, D_TS, "Thị xã Từ Sơn", "Tu Son Town", "district", "27", [U],
                       note=start))
    for code, (name, dist, places, ur) in OLD_COMMUNES.items():
        rows.append(create(d0, code, name, unit_en(name), "commune", dist, [ur]))
    for code, (name, dist, places, ur) in OLD_COMMUNES.items():
        for i, p in enumerate(places, 1):
            vi, en = branch_names(p)
            rows.append(create(d0, "%s.%02d" % (code, i), vi, en, "branch", code))
    rows.append(row(op="rename", date="2021-02-01", code="09397", name_vi="Phường Phù Chẩn",
                    name_en="Phu Chan Ward",
                    note="Nghị quyết 1191/NQ-UBTVQH14: thành lập phường Phù Chẩn thuộc thị xã Từ Sơn"))
    rows.append(row(op="rename", date="2021-11-01", code=D_TS, name_vi="Thành phố Từ Sơn",
                    name_en="Tu Son City",
                    note="Nghị quyết 387/NQ-UBTVQH15: thành lập thành phố Từ Sơn thuộc tỉnh Bắc Ninh"))
    rows.append(create("2022-03-08", "09223.01.1", "Tổ phụ nữ tiết kiệm vay vốn Hoa Sen",
                       "Hoa Sen Women's Savings and Credit Group", "group", "09223.01"))
    rows.append(create("2022-03-08", "09394.01.1", "Tổ phụ nữ kinh doanh",
                       "Women Entrepreneurs' Group", "group", "09394.01"))
    rows.append(row(op="move", date="2023-06-01", code="09391.02", parent="09394",
                    note="Điều chỉnh địa giới: khu phố Tân Lập chuyển về phường Đình Bảng quản lý"))
    rows.append(row(op="rename", date="2024-01-01", code="09397.01",
                    name_vi="Chi hội Phụ nữ khu phố Phù Chẩn",
                    name_en="Phu Chan Quarter Women's Branch",
                    note="Đổi tên thôn thành khu phố sau khi xã Phù Chẩn lên phường"))

    # --- 2. the other communes, from 2010 under the districts of the 63
    # provinces, and on 2025-07-01 under the 34 ---------------------------
    later, reform, closes, districts = [], [], [], {}
    for prov in sorted(PROVINCES):
        south = prov in SOUTH
        if prov == "24":
            for code, name, attrs, sources, note in MERGES:
                reform.append(row(op="merge", date=REFORM, code=code, name_vi=name,
                                  name_en=unit_en(name), level="commune", kind="territorial",
                                  attributes=attr_str(attrs), parent="24",
                                  sources=" ".join(sources), note=note))
            for d in (D_YP, D_TS):
                closes.append(row(op="close", date=REFORM, code=d,
                                  note="Kết thúc hoạt động cấp huyện từ 01/7/2025"))
        for code, name, attrs, spec in PROVINCES[prov]:
            old, dname = OLD[code]
            if (old, dname) not in districts:
                taken = sum(1 for k in districts if k[0] == old) + (2 if old == "27" else 0)
                dcode = "%sD%02d" % (old, taken + 1)
                districts[(old, dname)] = dcode
                rows.append(create(d0, dcode, dname, unit_en(dname), "district", old,
                                   district_attrs(dname, attrs),
                                   note="Dữ liệu demo: cấp huyện trước 01/7/2025 (tên chưa đối chiếu "
                                        "danh mục chính thức)"))
                closes.append(row(op="close", date=REFORM, code=dcode,
                                  note="Kết thúc hoạt động cấp huyện từ 01/7/2025"))
            rows.append(create(d0, code, name, unit_en(name), "commune", districts[(old, dname)], attrs))
            reform.append(row(op="move", date=REFORM, code=code, parent=prov,
                              note="Trực thuộc tỉnh từ 01/7/2025 (dữ liệu demo; tên trước sắp xếp "
                                   "không mô phỏng)"))
            k = rng.randint(3, 5)
            places = pick_places(rng, spec, k)
            branches = [(p, "territorial") for p in places] + EXTRA_BRANCHES.get(code, [])
            for i, (p, kind) in enumerate(branches, 1):
                bcode = "%s.%02d" % (code, i)
                vi, en = branch_names(p)
                battrs = ["urban"] if kind != "territorial" else []
                born = d0 if when.random() < 0.85 else day_in(when, "2011-01-01", "2024-12-31")
                rows.append(create(born, bcode, vi, en, "branch", code, battrs, kind=kind))
                if rng.random() < 0.5:
                    make_groups(rng, lambda: day_in(when, max(born, "2010-06-01"), "2025-06-30"),
                                bcode, kind, attrs, south, rows, later)
    rows.extend(reform)
    rows.extend(closes)
    rows.extend(later)
    rows.sort(key=lambda r: r["date"])  # stable: parents stay before children
    return rows


def write(rows, path):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: unicodedata.normalize("NFC", v) for k, v in r.items()})
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


# ---------------------------------------------------------------- check

def day_before(d):
    return (dt.date.fromisoformat(d) - dt.timedelta(days=1)).isoformat()


class Unit:
    def __init__(self, uid, code, level, start, parent):
        self.id, self.code, self.level = uid, code, level
        self.start, self.end = start, None          # end: last valid day, None = open
        self.parents = [(start, parent)]            # (from, parent id or None)

    def valid(self, d):
        return self.start <= d and (self.end is None or d <= self.end)

    def parent_on(self, d):
        cur = None
        for f, p in self.parents:
            if f <= d:
                cur = p
        return cur


def check(path):
    errors = []
    units = []

    def err(i, msg):
        errors.append("row %d: %s" % (i, msg))

    def add(code, level, start, parent, end=None):
        u = Unit(len(units), code, level, start, parent)
        u.end = end
        units.append(u)
        return u

    def find(code, d):
        hits = [u for u in units if u.code == code and u.valid(d)]
        return hits[0] if len(hits) == 1 else (None if not hits else "ambiguous")

    def code_free(code, start):
        return all(not (u.code == code and (u.end is None or u.end >= start)) for u in units)

    def children(u, d):
        return [c for c in units if c.valid(d) and c.parent_on(d) == u.id]

    def rank(level):
        return LEVELS.index(level)

    vn = add("VN", "central", "0000-01-01", None)
    for fn, start, end in (("provinces-63.csv", "0000-01-01", "2025-06-30"),
                           ("provinces-34.csv", REFORM, None)):
        with open(os.path.join(ROOT, "data", fn), encoding="utf-8") as f:
            for r in csv.DictReader(f):
                add(r["code"], "province", start, vn.id, end)

    raw = open(path, encoding="utf-8").read()
    if unicodedata.normalize("NFC", raw) != raw:
        errors.append("file is not NFC")
    rows = list(csv.DictReader(io.StringIO(raw)))
    with open(path, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    if header != COLUMNS:
        errors.append("header %r" % header)

    last_date = ""
    for i, r in enumerate(rows, 2):
        op, d, code = r["op"], r["date"], r["code"]
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d):
            err(i, "bad date %r" % d)
            continue
        if d < last_date:
            err(i, "date goes backwards")
        last_date = d
        if r["name_en"] and not r["name_en"].isascii():
            err(i, "name_en not ASCII: %r" % r["name_en"])
        for a in r["attributes"].split():
            if a not in ATTRS:
                err(i, "unknown attribute %r" % a)
        if op in ("create", "merge"):
            if r["level"] not in LEVELS or r["kind"] not in KINDS:
                err(i, "bad level/kind")
                continue
            if not (r["name_vi"] and r["name_en"]):
                err(i, "missing name")
            fmt = {"commune": r"\d{5}", "branch": r"\d{5}\.\d{2}",
                   "group": r"\d{5}\.\d{2}\.\d", "district": r"\d\dD\d\d"}[r["level"]]
            if not re.fullmatch(fmt, code):
                err(i, "code %r does not fit level %s" % (code, r["level"]))
            parent = find(r["parent"], d)
            if not isinstance(parent, Unit):
                err(i, "parent %r not valid on %s" % (r["parent"], d))
                continue
            if rank(parent.level) >= rank(r["level"]):
                err(i, "level_order: %s under %s" % (r["level"], parent.level))
            if not code_free(code, d):
                err(i, "code_taken: %s" % code)
            if op == "merge":
                prev = day_before(d)
                srcs = []
                for s in r["sources"].split():
                    u = find(s, prev)
                    if not isinstance(u, Unit):
                        err(i, "source %s not valid on %s" % (s, prev))
                    elif u.end is not None:
                        err(i, "source %s already closed" % s)
                    else:
                        srcs.append(u)
                if len(srcs) < 2:
                    err(i, "merge needs at least two sources")
                new = add(code, r["level"], d, parent.id)
                for s in srcs:
                    for c in children(s, d):
                        c.parents.append((d, new.id))
                    s.end = prev
            else:
                add(code, r["level"], d, parent.id)
        elif op in ("rename", "move", "close"):
            u = find(code, d)
            if not isinstance(u, Unit):
                err(i, "unit_closed: %s not valid on %s" % (code, d))
                continue
            if op == "rename" and not (r["name_vi"] and r["name_en"]):
                err(i, "rename without names")
            if op == "move":
                p = find(r["parent"], d)
                if not isinstance(p, Unit):
                    err(i, "new parent %r not valid" % r["parent"])
                    continue
                if rank(p.level) >= rank(u.level):
                    err(i, "level_order on move")
                u.parents.append((d, p.id))
            if op == "close":
                left = children(u, d)
                if left:
                    err(i, "has_children: %s" % " ".join(c.code for c in left))
                if u.end is not None:
                    err(i, "already closed")
                u.end = day_before(d)
        else:
            err(i, "unknown op %r" % op)

    # Final invariant: a unit's parent is valid on every day the unit has it.
    for u in units:
        if u.level in ("central", "province"):
            continue
        for j, (f, p) in enumerate(u.parents):
            until = u.parents[j + 1][0] if j + 1 < len(u.parents) else None
            last = day_before(until) if until else u.end
            pu = units[p]
            if pu.start > f or (pu.end is not None and (last is None or last > pu.end)):
                errors.append("parent_not_valid: %s under %s from %s to %s"
                              % (u.code, pu.code, f, last))

    counts = {}
    for r in rows:
        key = (r["op"], r["level"] or "-")
        counts[key] = counts.get(key, 0) + 1
    return rows, counts, errors


def main():
    if "--check" not in sys.argv[1:]:
        write(build(), OUT)
    rows, counts, errors = check(OUT)
    with open(os.path.join(ROOT, "data", "provinces-34.csv"), encoding="utf-8") as f:
        errors += check_old_table({r["code"]: r["merged_from"].split() for r in csv.DictReader(f)})
    print("%s: %d rows" % (os.path.relpath(OUT, ROOT), len(rows)))
    for (op, level), c in sorted(counts.items()):
        print("  %-7s %-9s %5d" % (op, level, c))
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
