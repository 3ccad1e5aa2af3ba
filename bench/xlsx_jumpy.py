#!/usr/bin/env python3
"""xlsx_jumpy.py - a hostile workbook for the XLSX reader (issue 16: "a
hostile file costs bounded time and memory"): a table of STRINGS shared
strings (about 45 bytes each, so that their text passes the reader's 8 MB
in memory) and a sheet of CELLS cells, five a row, each pointing at a
random one of them, so that the reader's windows over its temporary files
are of no help. Read it with bench/xlsx_bench.c:

    python3 bench/xlsx_jumpy.py /tmp/jumpy.xlsx 1000000 1000000
    /usr/bin/time -f "%e s %M KB" build/xlsx_bench read /tmp/jumpy.xlsx

Standard library only; deterministic (a fixed linear congruential walk).
"""
import sys
import zipfile

if len(sys.argv) != 4:
    sys.exit("usage: xlsx_jumpy.py FILE STRINGS CELLS")
if len(sys.argv) != 4:
    sys.exit("usage: xlsx_jumpy.py FILE STRINGS CELLS")
path, nstr, ncells = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
wrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
         '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    z.writestr("[Content_Types].xml", ct); z.writestr("_rels/.rels", rels)
    z.writestr("xl/workbook.xml", wb); z.writestr("xl/_rels/workbook.xml.rels", wrels)
    with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for i in range(nstr):
            f.write(("<si><t>Hội viên số %d, thôn Đông Hòa, xã Bình An</t></si>" % i).encode())
        f.write(b"</sst>")
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        k = 0
        rows = ncells // 5
        for r in range(1, rows + 1):
            out = ['<row r="%d">' % r]
            for c in range(5):
                k = (k * 1103515245 + 12345) % (1 << 31)
                out.append('<c t="s"><v>%d</v></c>' % (k % nstr))
            out.append('</row>')
            f.write("".join(out).encode())
        f.write(b"</sheetData></worksheet>")
