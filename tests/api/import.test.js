// import.test.js - member lists from files (issue 16): `unionbase import`
// on the store under test, with the results read back through the API.
// Files are laid out as unions keep them (title rows, column numbers under
// the header, signatures below), saved as Excel saves CSV (UTF-8 with a
// mark, UTF-16 "Unicode text", semicolons, Windows-1252 bytes typed in the
// TCVN3 font), with bad rows among the good; every bad row is reported by
// its line and column, the modes store all or nothing or the good rows,
// the same file twice changes nothing, and a kill in the middle of a
// commit leaves the database as it was.
//
// The list stored with its good rows is made by a fixture (once()) that the
// tests needing it await, so that a test passes alone and in file order; the
// kill runs on a server of its own, so that no later test meets a dead one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import os from 'node:os';
import zlib from 'node:zlib';
import { BIN, TODAY, startServer, startPeer, xlsxTexts } from './server.js';

const D = '2025-08-01';
let s, dir;

function ub(args) {
  return new Promise((resolve) => {
    execFile(BIN, [...args, '--db', s.db.url], { env: { ...process.env, ...s.env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function importJson(args) {
  const r = await ub(['import', ...args, '--json']);
  let report;
  try { report = JSON.parse(r.stdout); } catch { assert.fail(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`); }
  return { code: r.code, report, stderr: r.stderr };
}

function file(name, content, encoding = 'utf8') {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === 'string' ? Buffer.from(content, encoding) : content);
  return p;
}

// A CCCD that fits a woman born in `year` (core/person.h): province 001,
// century-and-sex digit, the year's last two digits, then n.
function cccd(year, n) {
  return `001${year < 2000 ? 1 : 3}${String(year % 100).padStart(2, '0')}${String(n).padStart(6, '0')}`;
}

async function count(sql, on = s) {
  return Number((await on.sql(sql)).trim());
}

before(async () => {
  s = await startServer();
  dir = fs.mkdtempSync(path.join(s.dir, 'files-'));
  const mk = (b) => s.op('/api/v1/units', { date: D, kind: 'territorial', ...b }, 201);
  await mk({ code: 'IC1', name_vi: 'Xã Nhập', name_en: 'Import Commune', level: 'commune', parent: '24' });
  await mk({ code: 'IC1.1', name_vi: 'Chi hội Thôn Đông', name_en: 'East Hamlet', level: 'branch', parent: 'IC1' });
  await mk({ code: 'IC1.2', name_vi: 'Chi hội Thôn Đoài', name_en: 'West Hamlet', level: 'branch', parent: 'IC1' });
  await mk({ code: 'IC2', name_vi: 'Xã Khác', name_en: 'Other Commune', level: 'commune', parent: '24' });
  await mk({ code: 'IC3', name_vi: 'Xã Bình An', name_en: 'Binh An', level: 'commune', parent: '24' });
  await mk({ code: 'IC3.1', name_vi: 'Chi hội Thôn Đông', name_en: 'East', level: 'branch', parent: 'IC3' });
  await mk({ code: 'IC3.2', name_vi: 'Chi hội Thôn Tây', name_en: 'West', level: 'branch', parent: 'IC3' });
  await mk({ code: 'IC2.1', name_vi: 'Chi hội Khác', name_en: 'Other Branch', level: 'branch', parent: 'IC2' });
});
after(async () => { if (s) await s.stop(); });

const TEMPLATE = [
  'HỘI LHPN XÃ NHẬP,,,,,,,',
  'DANH SÁCH HỘI VIÊN,,,,,,,',
  ',,,,,,,',
  'STT,Họ và tên,Ngày tháng năm sinh,Dân tộc,Số CCCD,Chi hội,Ngày vào Hội,SĐT',
  '(1),(2),(3),(4),(5),(6),(7),(8)',
  `1,Nguyễn Thị Hoa,05/03/1980,Kinh,${cccd(1980, 1)},Thôn Đông,01/09/2025,0912 345 678`,
  `2,Trần Thị Bích,1975,Tày,,Thôn Đoài,,`,
  `3,Lê Thị Lan,31/02/1990,Kinh,,IC1.2,,`,
  `4,"Phạm Thị Mai",2/4/1985,Mường,${cccd(1985, 4)},Chi hội Thôn Đoài,,0987654321`,
  `5,Đặng Thị Ánh,12/12/1992,Kinh,${cccd(1992, 5)},Thôn Bắc,,`,
  `6,Vũ Thị Hằng,01/01/2015,Kinh,,Thôn Đông,,`,
  `7,Bùi Thị Thu,07/07/1970,Kinh,${cccd(1970, 7)},Thôn Đông,,`,
  `8,Hồ Thị Nga,08/08/1980,Kinh,${cccd(1980, 1)},Thôn Đông,,`,
  '9,,,,,,,',
  ',,,,,,,',
  ',Người lập biểu,,,,Chủ tịch,,',
  ',(Ký ghi rõ họ tên),,,,,,',
  ',Nguyễn Thị Thư,,,,Lê Thị Hà,,',
].join('\r\n') + '\r\n';

// once(fn): fn run the first time it is asked for, its promise after that.
function once(fn) {
  let p = null;
  return () => (p ??= fn());
}

// The template's good rows stored (--mode good) under the name
// 'Danh sách xã Nhập.csv': three members of IC1, one import.
const storedList = once(() => importJson([file('template2.csv', '\ufeff' + TEMPLATE), '--unit', 'IC1', '--mode', 'good', '--name', 'Danh sách xã Nhập.csv']));

test('a list laid out as unions keep it: the table found, every bad row reported by line and column, a dry run stores nothing', async () => {
  const p = file('template.csv', '\ufeff' + TEMPLATE);
  const before = await count('SELECT count(*) AS n FROM persons');
  const { code, report } = await importJson([p, '--unit', 'IC1', '--dry-run']);
  assert.equal(code, 1, 'bad rows in a dry run: exit 1');
  assert.equal(report.file.header_line, 4);
  assert.equal(report.file.encoding, 'utf-8');
  assert.deepEqual(report.columns.map((c) => c.field),
    ['seq', 'full_name', 'birth_date', 'ethnicity', 'id_number', 'unit', 'joined_on', 'phone']);
  assert.equal(report.rows, 8);
  assert.equal(report.blank, 1, 'a row with only its number');
  assert.equal(report.after_end, 3, 'the signatures');
  const bad = report.errors.map((e) => `${e.line}:${e.column}:${e.field}:${e.code}`);
  assert.deepEqual(bad, [
    '7:3:birth_date:only_a_year',
    '8:3:birth_date:not_a_date',
    '10:6:unit:unknown_unit',
    '11:7:joined_on:under_age',
    '13:5:id_number:duplicate_in_file',
  ]);
  const dup = report.errors.find((e) => e.code === 'duplicate_in_file');
  assert.equal(dup.params.line, 6);
  assert.equal(report.errors[0].value, '1975');
  assert.equal(report.errors[0].header, 'Ngày tháng năm sinh');
  // a unit is quoted as the file names it, not as the code checked in its place
  assert.equal(report.errors[2].value, 'Thôn Bắc');
  assert.equal(report.errors[2].header, 'Chi hội');
  assert.match(report.errors[0].reason, /only a year/);
  assert.equal(report.valid, 3);
  assert.equal(report.invalid, 5);
  assert.equal(report.created, 3);
  assert.equal(report.stored, false);
  assert.equal(await count('SELECT count(*) AS n FROM persons'), before, 'a dry run stores nothing');
  assert.equal(await count('SELECT count(*) AS n FROM imports'), 0);
});

test('duplicates within a file are found however many rows it has: the keys past memory go to the scratch file', async () => {
  const name = (i) => `Lê Thị ${String.fromCharCode(65 + Math.floor(i / 26), 97 + (i % 26))}`;
  const rows = ['Họ và tên,Ngày sinh,Số CCCD'];
  for (let i = 1; i <= 40; i++) rows.push(`${name(i)},01/01/1980,${cccd(1980, 100 + i)}`);
  rows.push(`${name(3)},01/01/1980,${cccd(1980, 103)}`); // line 42: line 4's ID number
  rows.push('Không Số,02/02/1981,');
  for (let i = 41; i <= 60; i++) rows.push(`${name(i)},01/01/1980,${cccd(1980, 100 + i)}`);
  rows.push('không   số,02/02/1981,'); // line 64: line 43's name and birth, no ID number
  const p = file('many.csv', rows.join('\n') + '\n');
  const report = (env, args, on = s) => new Promise((resolve) => execFile(BIN, ['import', p, ...args, '--json', '--db', on.db.url],
    { env: { ...process.env, ...on.env, ...env } }, (err, stdout) => resolve(JSON.parse(stdout))));
  const codes = (r) => r.errors.map((e) => `${e.line}:${e.code}:${e.params.line}`);
  const run = async (env) => codes(await report(env, ['--unit', 'IC1.1', '--dry-run']));
  const want = ['42:duplicate_in_file:4', '64:duplicate_in_file:43'];
  assert.deepEqual(await run({}), want, 'in memory');
  // four slots hold three keys: moved out after every third row
  assert.deepEqual(await run({ UNIONBASE_IMPORT_SEEN_SLOTS: '4' }), want, 'in the scratch file');
  // stored, good rows only: the scratch file is let go before the last
  // writes, then once more at the end (under the sanitizers in CI); on a
  // database of its own, which no other test reads
  const k = await startServer();
  try {
    const mk = (b) => k.op('/api/v1/units', { date: D, kind: 'territorial', ...b }, 201);
    await mk({ code: 'IC9', name_vi: 'Xã Trùng', name_en: 'Duplicates Commune', level: 'commune', parent: '24' });
    await mk({ code: 'IC9.1', name_vi: 'Chi hội Trùng', name_en: 'Duplicates Branch', level: 'branch', parent: 'IC9' });
    const stored = await report({ UNIONBASE_IMPORT_SEEN_SLOTS: '4' }, ['--unit', 'IC9.1', '--mode', 'good'], k);
    assert.deepEqual(codes(stored), want);
    assert.equal(stored.stored, true);
    assert.equal(stored.created, 61);
    assert.equal(await count(`SELECT count(*) AS n FROM memberships m JOIN units u ON u.id = m.unit_id WHERE u.code = 'IC9.1'`, k), 61);
  } finally {
    await k.stop();
  }
});

test('all or nothing stores nothing when a row is bad; --mode good stores the good rows, with one audit row and provenance', async () => {
  const p = file('template2.csv', '\ufeff' + TEMPLATE);
  const before = await count('SELECT count(*) AS n FROM persons');
  const all = await importJson([p, '--unit', 'IC1']);
  assert.equal(all.code, 1);
  assert.equal(all.report.stored, false);
  assert.equal(all.report.errors.length, 5);
  assert.equal(await count('SELECT count(*) AS n FROM persons'), before);
  assert.equal(await count('SELECT count(*) AS n FROM imports'), 0);

  const good = await storedList();
  assert.equal(good.code, 0, good.stderr);
  assert.equal(good.report.stored, true);
  assert.equal(good.report.created, 3);
  assert.equal(good.report.errors.length, 5);
  assert.equal(await count('SELECT count(*) AS n FROM persons'), before + 3);

  // in the registry, where the file put them
  const east = await s.ok('/api/v1/members', { unit: 'IC1.1' });
  assert.deepEqual(east.items.map((m) => m.full_name), ['Nguyễn Thị Hoa', 'Bùi Thị Thu']);
  const west = await s.ok('/api/v1/members', { unit: 'IC1.2' });
  assert.deepEqual(west.items.map((m) => m.full_name), ['Phạm Thị Mai']);
  const hoa = await s.ok(`/api/v1/members/${east.items[0].id}`);
  assert.equal(hoa.birth_date, '1980-03-05');
  assert.equal(hoa.phone, '+84912345678');
  assert.equal(hoa.history[0].from, '2025-09-01');

  // one audit row for the import, none per member
  const audit = await s.ok('/api/v1/audit', { action: 'member.import' });
  assert.equal(audit.items.length, 1);
  assert.equal(audit.items[0].detail, 'Danh sách xã Nhập.csv');
  const after = audit.items[0].after;
  assert.equal(after.created, 3);
  assert.equal(after.mode, 'good');
  assert.match(after.file_sha256, /^[0-9a-f]{64}$/);
  assert.equal(await count(`SELECT count(*) AS n FROM audit WHERE action = 'member.create' AND unit_id IN (SELECT id FROM units WHERE code LIKE 'IC1%')`), 0);
  assert.equal(await count(`SELECT count(*) AS n FROM import_records WHERE import_id = ${good.report.import_id} AND action = 'created'`), 3);
});

test('the same file twice changes nothing; a changed row updates her record and names the import', async () => {
  await storedList();
  const p = file('template3.csv', '\ufeff' + TEMPLATE);
  const again = await importJson([p, '--unit', 'IC1', '--mode', 'good']);
  assert.equal(again.code, 0);
  assert.equal(again.report.created, 0);
  assert.equal(again.report.updated, 0);
  assert.equal(again.report.unchanged, 3);
  assert.equal(again.report.stored, false, 'nothing to store: no import recorded');

  const changed = file('template4.csv', '\ufeff' + TEMPLATE.replace('0912 345 678', '0913 000 111'));
  const upd = await importJson([changed, '--unit', 'IC1', '--mode', 'good']);
  assert.equal(upd.report.updated, 1);
  assert.equal(upd.report.unchanged, 2);
  const rows = (await s.sql(`SELECT r.fields, r.line, p.phone FROM import_records r JOIN persons p ON p.id = r.person_id WHERE r.import_id = ${upd.report.import_id}`)).trim().split('\n');
  assert.deepEqual(rows, ['phone|6|+84913000111']);
  // her record names both imports, with the file's line
  const east = await s.ok('/api/v1/members', { unit: 'IC1.1', q: 'nguyen thi hoa' });
  const hoa = await s.ok(`/api/v1/members/${east.items[0].id}`);
  assert.deepEqual(hoa.imports.map((o) => [o.file_name, o.line, o.action, o.fields]),
    [['Danh sách xã Nhập.csv', 6, 'created', ''], ['template4.csv', 6, 'updated', 'phone']]);
  const exported = await s.ok(`/api/v1/members/${east.items[0].id}/export`);
  assert.equal(exported.imports_of_her_record.length, 2);
});

test('Excel\'s other ways of saving: UTF-16 with tabs, semicolons, and Windows-1252 bytes typed in TCVN3', async () => {
  const rows = [
    ['Họ tên', 'Ngày sinh', 'Chi hội', 'Thôn'],
    ['Ngô Thị Hạnh', '03/03/1983', 'IC1.1', 'Thôn Đông'],
    ['Trịnh Thị Ngọc Ánh', '04/04/1984', 'IC1.2', 'Xóm Thượng'],
  ];
  const tsv = rows.map((r) => r.join('\t')).join('\r\n') + '\r\n';
  const utf16 = file('unicode.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tsv, 'utf16le')]));
  const u = await importJson([utf16, '--unit', 'IC1', '--dry-run']);
  assert.equal(u.code, 0, JSON.stringify(u.report.errors));
  assert.equal(u.report.file.encoding, 'utf-16le');
  assert.equal(u.report.file.separator, '\t');
  assert.equal(u.report.valid, 2);

  const semi = file('semi.csv', rows.map((r) => r.join(';')).join('\n') + '\n');
  const sc = await importJson([semi, '--unit', 'IC1', '--dry-run']);
  assert.equal(sc.report.file.separator, ';');
  assert.equal(sc.report.valid, 2);

  // TCVN3: "Ngô Thị Hạnh" as the .VnTime font's bytes, saved as ANSI
  const tcvn = file('tcvn3.csv', Buffer.from('H\xe4 t\xaan,Ng\xb5y sinh,Chi h\xe9i,Th\xabn\r\n'
    + 'Ng\xab Th\xde H\xb9nh,03/03/1983,IC1.1,Th\xabn \xa7\xabng\r\n'
    + 'Tr\xdenh Th\xde Ng\xe4c \xb8nh,04/04/1984,IC1.2,X\xe3m Th\xad\xeeng\r\n', 'latin1'));
  const t = await importJson([tcvn, '--unit', 'IC1', '--mode', 'good']);
  assert.equal(t.code, 0, JSON.stringify(t.report.errors));
  assert.equal(t.report.file.encoding, 'windows-1252');
  assert.deepEqual(t.report.columns.map((c) => [c.header, c.legacy]),
    [['Họ tên', 'tcvn3'], ['Ngày sinh', null], ['Chi hội', null], ['Thôn', 'tcvn3']]);
  const east = await s.ok('/api/v1/members', { unit: 'IC1.1', q: 'ngo thi hanh' });
  assert.deepEqual(east.items.map((m) => m.full_name), ['Ngô Thị Hạnh']);
  // TCVN3 has no capital Á: a name's words begin with capitals all the same
  const west = await s.ok('/api/v1/members', { unit: 'IC1.2', q: 'trinh' });
  assert.deepEqual(west.items.map((m) => m.full_name), ['Trịnh Thị Ngọc Ánh']);
  assert.equal((await s.ok(`/api/v1/members/${west.items[0].id}`)).hamlet, 'Xóm Thượng');
  const kept = await importJson([tcvn, '--unit', 'IC1', '--dry-run', '--keep-legacy']);
  assert.ok(kept.report.columns.every((c) => c.legacy === null));

  // Excel on a Vietnamese Windows: Windows-1258, tone marks after their vowels
  const w1258 = file('w1258.csv', fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fuzz', 'csv_stream', 'windows-1258.csv')));
  const w = await importJson([w1258, '--unit', 'IC1', '--dry-run']);
  assert.equal(w.report.file.encoding, 'windows-1258');
  assert.deepEqual(w.report.columns.map((c) => c.header).slice(0, 2), ['Họ và tên', 'Ngày sinh']);
});

// tests/fixtures/xlsx/members-vn.xlsx, saved by LibreOffice from
// members-vn.fods: title rows, the branch's cell merged down over its
// members, an ID number stored as a number (its leading 0 lost), dates as
// dates, signatures below
test('an XLSX workbook: merged branch cells, an ID number stored as a number, dates as dates; through the CLI and the API', async () => {
  const p = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'xlsx', 'members-vn.xlsx');
  const cli = await importJson([p, '--unit', 'IC3', '--dry-run']);
  assert.equal(cli.report.file.format, 'xlsx');
  assert.equal(cli.report.file.header_line, 4);
  assert.equal(cli.report.rows, 4);
  assert.equal(cli.report.after_end, 2);
  assert.deepEqual(cli.report.errors.map((e) => `${e.line}:${e.field}:${e.code}`),
    ['6:id_number:id_birth_year', '8:birth_date:out_of_range']);
  assert.equal(cli.report.errors[0].value, '014185000123', 'the leading 0 is back');
  assert.equal(cli.report.valid, 2);

  // the same file uploaded, checked and committed through the API
  const up = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC3', file_name: 'Danh sách.xlsx' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(up.status, 202, up.text);
  const job = await waitJob(up.body.id, 'checked');
  assert.equal(job.report.valid, 2);
  assert.equal(job.report.file.sheet, 'Danh sách');
  const errs = await s.ok(`/api/v1/imports/${job.id}/errors`);
  assert.equal(errs.total, 2);
  assert.equal(errs.unlisted, 0);
  assert.deepEqual([job.report.problems, job.report.problems_listed], [2, 2]);
  assert.equal(errs.items[0].line, 6);
  // the file again, with what is wrong in a first column, in Vietnamese;
  // read back by the importer, it is the same list (the new column is nothing)
  const x = await fetch(`${s.base}/api/v1/imports/${job.id}/errors.xlsx`, { headers: { Authorization: `Bearer ${s.adminToken}` } });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-disposition'), /attachment; filename="import-\d+-errors\.xlsx"/);
  const copy = file('errors.xlsx', Buffer.from(await x.arrayBuffer()));
  const again = await importJson([copy, '--unit', 'IC3', '--dry-run']);
  assert.equal(again.report.file.header_line, 4);
  assert.deepEqual(again.report.columns.map((c) => c.field).slice(0, 3), ['', 'seq', 'full_name']);
  assert.equal(again.report.columns[0].header, 'Lỗi');
  assert.deepEqual(again.report.errors.map((e) => `${e.line}:${e.field}:${e.code}`), ['6:id_number:id_birth_year', '8:birth_date:out_of_range']);
  assert.equal(again.report.valid, 2);
  const c = await s.post(`/api/v1/imports/${job.id}/commit`, { mode: 'good' });
  assert.equal(c.status, 202, c.text);
  const done = await waitJob(job.id, 'done');
  assert.equal(done.report.stored, true);
  assert.equal(done.report.created, 2);
  const east = await s.ok('/api/v1/members', { unit: 'IC3.1' });
  assert.deepEqual(east.items.map((m) => m.full_name).sort(), ['Nguyễn Thị Hoa', 'Trần Thị Bích Ngọc']);
});

async function waitJob(id, status, on = s) {
  for (let i = 0; i < 1200; i++) {
    const j = await on.ok(`/api/v1/imports/${id}`);
    if (j.status === status) return j;
    assert.ok(!['failed', 'interrupted'].includes(j.status), `job ${id}: ${JSON.stringify(j.failure)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`job ${id} never became ${status}`);
}

test('refusals: a unit outside the tree, a file without a header, a file that is not there', async () => {
  const p = file('ok.csv', 'Họ và tên,Ngày sinh\nNguyễn Thị Mơ,01/01/1990\n');
  const none = await importJson([p, '--unit', 'NOPE']);
  assert.equal(none.code, 1);
  assert.equal(none.report.error.code, 'not_found');
  assert.equal(none.report.error.message, 'no unit NOPE today');
  // a list from a pipe
  const piped = await new Promise((resolve) => {
    const child = execFile(BIN, ['import', '-', '--unit', 'IC1', '--dry-run', '--json', '--db', s.db.url], { env: { ...process.env, ...s.env } },
      (err, stdout) => resolve({ code: err ? err.code : 0, report: JSON.parse(stdout) }));
    child.stdin.end('Họ và tên,Ngày sinh,Chi hội\nNguyễn Thị Ống,01/01/1990,IC1.1\n');
  });
  assert.deepEqual([piped.code, piped.report.rows, piped.report.valid], [0, 1, 1]);
  // options as strict as the API's
  for (const args of [['--header-line', 'abc'], ['--header-line', '-1'], ['--header-line', '99999999999999999999'],
    ['--header-line', '0'], ['--column', '0=full_name'], ['--column', '99999=full_name']]) {
    const r = await ub(['import', p, '--unit', 'IC1', '--dry-run', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  // a branch named on a day before it existed: named by its code
  const early = await importJson([file('early.csv', 'Họ và tên,Ngày sinh,Chi hội,Ngày vào Hội\nNguyễn Thị Sớm,01/01/1990,IC1.1,01/01/2020\n'), '--unit', 'IC1', '--dry-run']);
  assert.deepEqual(early.report.errors.map((e) => `${e.code}:${e.reason}`), ['not_found:no unit IC1.1 on 2020-01-01']);
  // a file that could not be read has no copy of its bad rows
  const nul = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'nul.csv' }, raw: Buffer.from('Họ và tên\n\0\n'), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(nul.status, 202, nul.text);
  await waitJob(nul.body.id, 'failed').catch(() => {});
  let failed;
  for (let i = 0; i < 100 && failed?.status !== 'failed'; i++) {
    failed = await s.ok(`/api/v1/imports/${nul.body.id}`);
    if (failed.status !== 'failed') await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(failed.status, 'failed');
  const x = await s.get(`/api/v1/imports/${nul.body.id}/errors.xlsx`);
  assert.equal(x.status, 409);
  assert.equal(x.body.error.code, 'conflict');
  const noHeader = await importJson([file('nohead.csv', 'a,b\n1,2\n'), '--unit', 'IC1']);
  assert.equal(noHeader.report.error.code, 'no_header');
  // a file that cannot be read on after good rows: nothing stored, whichever mode
  // (past the rows read ahead for the header and the legacy fonts, and a
  // first batch of new records written in the transaction)
  const letters = (i) => [i % 26, Math.floor(i / 26) % 26, Math.floor(i / 676)].map((k) => String.fromCharCode(97 + k)).join('');
  const good = Array.from({ length: 2100 }, (_, i) => `Nguyễn Thị Cắt ${letters(i)},01/01/1990,IC1.1`).join('\n');
  const cut = file('cut.csv', Buffer.concat([Buffer.from(`Họ và tên,Ngày sinh,Chi hội\n${good}\nLê Thị `), Buffer.from([0]),
    Buffer.from(',03/03/1992,IC1.1\n')]));
  const persons = await count('SELECT count(*) AS n FROM persons');
  const imports = await count('SELECT count(*) AS n FROM imports');
  const broken = await importJson([cut, '--unit', 'IC1', '--mode', 'good']);
  assert.equal(broken.code, 1);
  assert.deepEqual(broken.report.errors, [], 'every row before the fault is good');
  assert.equal(broken.report.error.code, 'csv_nul_byte');
  assert.equal(await count('SELECT count(*) AS n FROM persons'), persons, 'the good rows before it are not stored');
  assert.equal(await count('SELECT count(*) AS n FROM imports'), imports);
  // one field on two columns: refused, not one of the values dropped
  const twice = await importJson([file('twice.csv', 'Họ và tên,Ngày sinh,Ghi chú,Năm sinh\nLê Thị Lan,1975,,05/03/1980\n'),
    '--unit', 'IC1', '--dry-run', '--column', 'Họ và tên=full_name', '--column', '2=birth_date', '--column', 'Năm sinh=birth_date']);
  assert.equal(twice.code, 1);
  assert.equal(twice.report.error.code, 'field_twice');
  assert.equal(twice.report.error.message, 'columns 2 and 4 are both birth_date: map one of them to none');
  const missing = await ub(['import', path.join(dir, 'missing.csv'), '--unit', 'IC1']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /could not be opened/);
  // the list's unit is a commune: a row without a branch has none to go to
  const noBranch = await importJson([p, '--unit', 'IC1', '--dry-run']);
  assert.deepEqual(noBranch.report.errors.map((e) => e.code), ['not_a_branch']);
});

test('a kill -9 in the middle of a commit leaves the database as it was, and the import runs again', async () => {
  const n = 20000;
  const lines = ['STT,Họ và tên,Ngày sinh,Số CCCD,Chi hội'];
  const given = ['Hoa', 'Lan', 'Mai', 'Hương', 'Ánh', 'Tuyết', 'Duyên', 'Hạnh', 'Thu', 'Nga', 'Yến'];
  for (let i = 0; i < n; i++) {
    const y = 1950 + (i % 50);
    lines.push(`${i + 1},Nguyễn Thị ${given[i % 11]} ${given[(i / 11 | 0) % 11]},${String(1 + (i % 28)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/${y},${cccd(y, 100000 + i)},${i % 2 ? 'IC1.1' : 'IC1.2'}`);
  }
  const p = file('big.csv', lines.join('\n') + '\n');
  const persons = await count('SELECT count(*) AS n FROM persons');
  const imports = await count('SELECT count(*) AS n FROM imports');
  // held 10 s once every row is read (the batches stored but for the last):
  // the kill at 1.5 s lands inside the commit's transaction however fast
  // the rows before go
  const env = { ...process.env, ...s.env, UNIONBASE_IMPORT_WRITING_MS: '10000' };
  const child = spawn(BIN, ['import', p, '--unit', 'IC1', '--db', s.db.url], { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGKILL');
  const end = await exited;
  assert.equal(end.signal, 'SIGKILL', `the import ended before the kill (${JSON.stringify(end)})`);
  assert.equal(await count('SELECT count(*) AS n FROM persons'), persons);
  assert.equal(await count('SELECT count(*) AS n FROM imports'), imports);
  const check = await ub(['check']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  // run again: the first rows of the same file
  const small = file('big-head.csv', lines.slice(0, 201).join('\n') + '\n');
  const again = await importJson([small, '--unit', 'IC1']);
  assert.equal(again.code, 0, JSON.stringify(again.report.errors?.slice(0, 3)));
  assert.equal(again.report.created, 200);
  assert.equal(await count('SELECT count(*) AS n FROM persons'), persons + 200);
});

// A raw request: the headers and as much of the body as given, then the
// answer's status line, without waiting for the rest of the body to go.
function rawRequest(head, body = '') {
  return new Promise((resolve, reject) => {
    const url = new URL(s.base);
    const sock = net.connect(Number(url.port), url.hostname, () => sock.write(head + body));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (/\r\n\r\n/.test(got)) { sock.destroy(); resolve(got); }
    });
    sock.on('error', (e) => (got ? resolve(got) : reject(e)));
    sock.on('close', () => resolve(got));
    sock.setTimeout(10000, () => { sock.destroy(); reject(new Error('no answer')); });
  });
}

test('an upload is refused before its body is read: no caller, a file too large, not a file', async () => {
  const head = (extra) => `POST /api/v1/imports?unit=IC1 HTTP/1.1\r\nHost: ${new URL(s.base).host}\r\nContent-Type: application/octet-stream\r\n${extra}\r\n`;
  // 1 GB announced, nothing sent: the answer comes at once
  const anon = await rawRequest(head('Content-Length: 1000000000\r\n'));
  assert.match(anon, /^HTTP\/1\.1 401/);
  const big = await rawRequest(head(`Authorization: Bearer ${s.adminToken}\r\nContent-Length: 1000000000\r\n`));
  assert.match(big, /^HTTP\/1\.1 413/);
  assert.match(big, /"max":256/);
  const noLength = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1' }, raw: 'a', headers: { 'Content-Type': 'text/csv' } });
  assert.equal(noLength.status, 415);
  const json = await s.post('/api/v1/imports', { a: 1 });
  assert.equal(json.status, 415);
  const viewer = await s.post('/api/v1/users', { username: 'import.viewer', display_name: 'Người xem', unit: 'IC1', roles: ['viewer'], password: 'mat-khau-xem-2025' });
  assert.equal(viewer.status, 201, viewer.text);
  const l = await s.login('import.viewer', 'mat-khau-xem-2025');
  const tok = await s.post('/api/v1/tokens', { name: 'x', roles: ['viewer'] }, { cookie: l.cookie, csrf: l.csrf });
  assert.equal(tok.status, 201, tok.text);
  const denied = await rawRequest(head(`Authorization: Bearer ${tok.body.secret}\r\nContent-Length: 1000\r\n`));
  assert.match(denied, /^HTTP\/1\.1 403/);
});

test('a job answers its uploader only', async () => {
  const p = file('own.csv', 'Họ và tên,Ngày sinh,Chi hội\nNguyễn Thị Riêng,01/01/1990,IC1.1\n');
  const up = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'own.csv' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(up.status, 202);
  await waitJob(up.body.id, 'checked');
  const r = await s.post('/api/v1/users', { username: 'import.other', display_name: 'Cán bộ khác', unit: 'IC1', roles: ['entry'], password: 'mat-khau-khac-2025' });
  assert.equal(r.status, 201, r.text);
  const other = await s.login('import.other', 'mat-khau-khac-2025');
  for (const path of [`/api/v1/imports/${up.body.id}`, `/api/v1/imports/${up.body.id}/errors`]) {
    const g = await s.get(path, {}, { cookie: other.cookie });
    assert.equal(g.status, 404, path);
  }
  const c = await s.post(`/api/v1/imports/${up.body.id}/commit`, {}, { cookie: other.cookie, csrf: other.csrf });
  assert.equal(c.status, 404);
  const mine = await s.get('/api/v1/imports', {}, { cookie: other.cookie });
  assert.deepEqual(mine.body.items, []);
  // the check's options are checked
  const bad = await s.post(`/api/v1/imports/${up.body.id}/check`, { mapping: [{ column: 0, field: 'nope' }], header_line: 99, extra: 1 });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.error.details.map((d) => d.field).sort(), ['extra', 'header_line', 'mapping[0]']);
  // one column a field, one field a column, a column by its number or its header
  const twice = await s.post(`/api/v1/imports/${up.body.id}/check`, { mapping: [
    { column: 2, field: 'full_name' }, { column: 3, field: 'full_name' }, { column: 2, field: 'birth_date' },
    { header: 'Chi hội', column: 4, field: 'unit' }] });
  assert.equal(twice.status, 422, twice.text);
  assert.deepEqual(twice.body.error.details.map((d) => `${d.field}:${d.code}:${d.value ?? ''}`),
    ['mapping[1]:duplicate:full_name', 'mapping[2]:duplicate:2', 'mapping[3]:invalid:']);
  // another's job and none at all: the same words
  const none = await s.get('/api/v1/imports/99999', {}, { cookie: other.cookie });
  const hers = await s.get(`/api/v1/imports/${up.body.id}`, {}, { cookie: other.cookie });
  const huge = await s.get('/api/v1/imports/9223372036854775808', {}, { cookie: other.cookie });
  assert.deepEqual([none.status, hers.status, huge.status], [404, 404, 404]);
  assert.equal(none.body.error.message, hers.body.error.message);
  assert.equal(huge.body.error.message, hers.body.error.message);
});

test('all or nothing with a bad row stores nothing and leaves the job open: its good rows are stored next, then it is done', async () => {
  const p = file('some-bad.csv', 'Họ và tên,Ngày sinh,Chi hội\nTrần Thị Mở,02/02/1991,IC1.1\nTrần Thị Sai,31/02/1991,IC1.1\n');
  const up = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'some-bad.csv' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(up.status, 202, up.text);
  await waitJob(up.body.id, 'checked');
  const persons = await count('SELECT count(*) AS n FROM persons');
  assert.equal((await s.post(`/api/v1/imports/${up.body.id}/commit`, { mode: 'all' })).status, 202);
  const all = await waitJob(up.body.id, 'done');
  assert.deepEqual([all.report.stored, all.report.valid, all.report.invalid, all.report.created], [false, 1, 1, 1]);
  assert.equal(await count('SELECT count(*) AS n FROM persons'), persons);
  const good = await s.post(`/api/v1/imports/${up.body.id}/commit`, { mode: 'good' });
  assert.equal(good.status, 202, good.text);
  const done = await waitJob(up.body.id, 'done');
  assert.deepEqual([done.report.stored, done.report.created], [true, 1]);
  assert.equal(await count('SELECT count(*) AS n FROM persons'), persons + 1);
  const third = await s.post(`/api/v1/imports/${up.body.id}/commit`, { mode: 'good' });
  assert.equal(third.status, 409);
  assert.equal(third.body.error.code, 'import_done');
});

test('a server killed in the middle of a commit: the database is as it was, the job shows interrupted and commits again', async () => {
  // a server of its own: the one the other tests share stays up whatever
  // happens here; it holds a commit 10 s once every row is read (the
  // batches stored but for the last), where it is killed
  const k = await startServer({ env: { UNIONBASE_IMPORT_WRITING_MS: '10000' } });
  let dead = false; // killed, and no peer has taken over yet
  try {
    const mk = (b) => k.op('/api/v1/units', { date: D, kind: 'territorial', ...b }, 201);
    await mk({ code: 'IC1', name_vi: 'Xã Nhập', name_en: 'Import Commune', level: 'commune', parent: '24' });
    await mk({ code: 'IC1.1', name_vi: 'Chi hội Thôn Đông', name_en: 'East Hamlet', level: 'branch', parent: 'IC1' });
    await mk({ code: 'IC1.2', name_vi: 'Chi hội Thôn Đoài', name_en: 'West Hamlet', level: 'branch', parent: 'IC1' });
    const n = 4000;
    const lines = ['Họ và tên,Ngày sinh,Số CCCD,Chi hội'];
    const given = ['Hoa', 'Lan', 'Mai', 'Hương', 'Ánh', 'Tuyết', 'Duyên', 'Hạnh', 'Thu', 'Nga', 'Yến'];
    for (let i = 0; i < n; i++) {
      const y = 1950 + (i % 50);
      lines.push(`Phan Thị ${given[i % 11]} ${given[(i / 11 | 0) % 11]},${String(1 + (i % 28)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/${y},${cccd(y, 300000 + i)},IC1.${1 + (i % 2)}`);
    }
    const body = Buffer.from(lines.join('\n') + '\n');
    const up = await k.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'lon.csv' }, raw: body, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(up.status, 202, up.text);
    const checked = await waitJob(up.body.id, 'checked', k);
    assert.equal(checked.report.valid, n, JSON.stringify(checked.report));
    const persons = await count('SELECT count(*) AS n FROM persons', k);
    const c = await k.post(`/api/v1/imports/${up.body.id}/commit`, { mode: 'all' });
    assert.equal(c.status, 202);
    // once it has read every row, the server dies
    for (let i = 0; ; i++) {
      const j = await k.ok(`/api/v1/imports/${up.body.id}`);
      assert.equal(j.status, 'committing', 'the commit ended before the kill');
      if (j.progress.phase === 'writing') break;
      assert.ok(i < 1500, `no writing step in 30 s: ${JSON.stringify(j)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // meanwhile its bad rows are being written again: no copy of the last check's
    for (const what of ['errors.xlsx', 'errors']) {
      const x = await k.get(`/api/v1/imports/${up.body.id}/${what}`);
      assert.equal(x.status, 409, what);
      assert.equal(x.body.error.code, 'import_running', what);
    }
    dead = true;
    k.proc.child.kill('SIGKILL');
    await new Promise((r) => k.proc.child.once('exit', r));
    assert.equal(await count('SELECT count(*) AS n FROM persons', k), persons, 'nothing of the commit stayed');
    // another process on the same database (and spool folder) takes over
    const peer = await startPeer(k, { env: { ...k.env, UNIONBASE_IMPORT_WRITING_MS: '' } });
    k.proc = peer.proc;
    k.base = peer.base;
    dead = false;
    const j = await k.ok(`/api/v1/imports/${up.body.id}`);
    assert.equal(j.status, 'interrupted');
    const again = await k.post(`/api/v1/imports/${up.body.id}/commit`, { mode: 'all' });
    assert.equal(again.status, 202, again.text);
    const done = await waitJob(up.body.id, 'done', k);
    assert.equal(done.report.created, n);
    assert.equal(await count('SELECT count(*) AS n FROM persons', k), persons + n);
  } finally {
    // stop() drops the database in any case; with the process killed and no
    // peer in its place it also reports the early exit, which would hide
    // the test's own failure
    await k.stop().catch((e) => { if (!dead) throw e; });
  }
});

// Export, then import, changes nothing: on the demo's generated members,
// through the API (CSV and XLSX) and the command line.
test('an export imported again changes nothing; sensitive columns follow the caller\'s rights; formulas are neutralised', async () => {
  const demo = await startServer({ demo: true, members: 300 });
  try {
    // a commune of the demo with members, and a formula in a note
    const communes = await demo.ok('/api/v1/units', { level: 'commune', limit: 50 });
    let unit = null, count = 0;
    for (const c of communes.items) {
      const l = await demo.ok('/api/v1/members', { unit: c.code, limit: 500 });
      if (l.items.length > count) { unit = c.code; count = l.items.length; }
    }
    assert.ok(unit && count >= 3, 'a commune with members');
    const list = await demo.ok('/api/v1/members', { unit, limit: 500 });
    const p = await demo.request('PATCH', `/api/v1/members/${list.items[0].id}`, { body: { notes: '=HYPERLINK("http://x","y")' } });
    assert.equal(p.status, 200, p.text);
    // notes that begin with an apostrophe come back with it
    for (const [i, notes] of [[1, "'ghi chú"], [2, "'=1+1"]]) {
      const q = await demo.request('PATCH', `/api/v1/members/${list.items[i].id}`, { body: { notes } });
      assert.equal(q.status, 200, q.text);
    }
    const get = async (query) => {
      const r = await fetch(`${demo.base}/api/v1/exports/members?${new URLSearchParams(query)}`, { headers: { Authorization: `Bearer ${demo.adminToken}` } });
      assert.equal(r.status, 200, await r.clone().text());
      return { type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), bytes: Buffer.from(await r.arrayBuffer()) };
    };
    const csv = await get({ unit, format: 'csv' });
    assert.match(csv.type, /^text\/csv/);
    assert.match(csv.disposition, new RegExp(`attachment; filename="hoi-vien-${unit.replace('.', '\\.')}-\\d{4}-\\d{2}-\\d{2}\\.csv"`));
    const text = csv.bytes.toString('utf8');
    assert.ok(text.startsWith('\ufeffSTT,Họ và tên,Ngày sinh,'), text.slice(0, 80));
    assert.match(text, /Số CCCD/);
    assert.match(text, /"'=HYPERLINK\(""http:\/\/x"",""y""\)"/, 'the formula follows an apostrophe');
    assert.match(text, /"''ghi chú"/);
    assert.match(text, /"''=1\+1"/);
    assert.equal(text.trim().split('\r\n').length, count + 1);
    const xlsx = await get({ unit, format: 'xlsx' });
    assert.equal(xlsx.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    for (const [name, bytes] of [['back.csv', csv.bytes], ['back.xlsx', xlsx.bytes]]) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, bytes);
      const r = await new Promise((resolve) => execFile(BIN, ['import', f, '--unit', unit, '--json', '--db', demo.db.url], { env: { ...process.env, ...demo.env }, maxBuffer: 64 << 20 }, (err, stdout) => resolve(JSON.parse(stdout))));
      assert.deepEqual([r.rows, r.valid, r.created, r.updated, r.unchanged, r.stored], [count, count, 0, 0, count, false], `${name}: ${JSON.stringify(r.errors.slice(0, 3))}`);
    }
    // the command line writes the same file
    const out = path.join(dir, 'cli.csv');
    await new Promise((resolve, reject) => execFile(BIN, ['export', '--unit', unit, '--output', out, '--db', demo.db.url], { env: { ...process.env, ...demo.env } }, (err) => (err ? reject(err) : resolve())));
    assert.equal(fs.readFileSync(out, 'utf8'), text);
    // without sensitive.read: no ID numbers, no ethnic group
    const u = await demo.post('/api/v1/users', { username: 'export.viewer', display_name: 'Người xem', unit, roles: ['viewer'], password: 'mat-khau-xem-2025' });
    assert.equal(u.status, 201, u.text);
    const l = await demo.login('export.viewer', 'mat-khau-xem-2025');
    const r = await fetch(`${demo.base}/api/v1/exports/members?unit=${unit}`, { headers: { Cookie: `ub_session=${l.cookie}` } });
    const plain = await r.text();
    assert.equal(r.status, 200);
    assert.doesNotMatch(plain.split('\r\n')[0], /CCCD|Dân tộc|Tôn giáo|Hoàn cảnh/);
    assert.match(plain.split('\r\n')[0], /Họ và tên/);
    // every export is audited
    const audit = await demo.ok('/api/v1/audit', { action: 'member.export_list' });
    assert.equal(audit.items.length, 4);
    assert.deepEqual(audit.items.map((a) => a.after.sensitive), [false, true, true, true]);
  } finally {
    await demo.stop();
  }
});


test('the membership report in the union\'s layout, as XLSX: through the API and the command line', async () => {
  const r = await fetch(`${s.base}/api/v1/reports/members.xlsx?unit=IC1&lang=vi`, { headers: { Authorization: `Bearer ${s.adminToken}` } });
  assert.equal(r.status, 200, await r.clone().text());
  assert.match(r.headers.get('content-disposition'), /attachment; filename="bao-cao-hoi-vien-IC1-\d{4}-\d{2}-\d{2}\.xlsx"/);
  const texts = xlsxTexts(Buffer.from(await r.arrayBuffer()));
  for (const want of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'BÁO CÁO SỐ LƯỢNG HỘI VIÊN',
    'Xã Nhập', 'Chi hội Thôn Đông', 'Chi hội Thôn Đoài', 'Tổng cộng', 'NGƯỜI LẬP BIỂU', 'TM. BAN THƯỜNG VỤ', '(Ký, ghi rõ họ tên)']) {
    assert.ok(texts.includes(want), `the report says ${want}: ${JSON.stringify(texts.slice(0, 40))}`);
  }
  assert.ok(texts.some((x) => /^Tính đến ngày \d{2}\/\d{2}\/\d{4}$/.test(x)), 'the day');
  const en = await fetch(`${s.base}/api/v1/reports/members.xlsx?unit=IC1&lang=en`, { headers: { Authorization: `Bearer ${s.adminToken}` } });
  assert.ok(xlsxTexts(Buffer.from(await en.arrayBuffer())).includes('MEMBERSHIP REPORT'));
  const out = path.join(dir, 'report.xlsx');
  const cli = await ub(['report', 'members', '--unit', 'IC1', '--xlsx', out]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(xlsxTexts(fs.readFileSync(out)).includes('BÁO CÁO SỐ LƯỢNG HỘI VIÊN'));
});

test('an import\'s files are deleted after the spool\'s retention: the job says expired and cannot run again', async () => {
  const p = file('old.csv', 'Họ và tên,Ngày sinh,Chi hội\nNguyễn Thị Cũ,01/01/1990,IC1.1\n');
  const up = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'old.csv' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(up.status, 202);
  await waitJob(up.body.id, 'checked');
  // eight days unchanged (the default keeps 7), then any upload sweeps
  await s.sql(`UPDATE import_jobs SET updated_at = '2000-01-01T00:00:00Z' WHERE id = ${up.body.id}`);
  const next = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'new.csv' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(next.status, 202);
  const j = await s.ok(`/api/v1/imports/${up.body.id}`);
  assert.equal(j.status, 'expired');
  assert.equal(j.report.valid, 1, 'its report stays');
  const again = await s.post(`/api/v1/imports/${up.body.id}/commit`, { mode: 'all' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'import_expired');
  assert.equal(again.body.error.days, 7);
  for (const what of ['errors.xlsx', 'errors']) {
    const x = await s.get(`/api/v1/imports/${up.body.id}/${what}`);
    assert.equal(x.status, 409, what);
    assert.equal(x.body.error.code, 'import_expired', what);
  }
  await waitJob(next.body.id, 'checked');
});

// The spool folder of the server under test: the one that holds job id's
// folder, beside the SQLite file or in the server's $TMPDIR.
function spoolOf(id) {
  const places = [];
  if (!/^postgres(ql)?:\/\//.test(s.db.url)) places.push(`${s.db.url.replace(/^sqlite:/, '')}.imports`);
  const tmp = (s.env && s.env.TMPDIR) || process.env.TMPDIR || os.tmpdir();
  for (const d of fs.readdirSync(tmp)) if (d.startsWith('unionbase-imports-')) places.push(path.join(tmp, d));
  const spool = places.find((d) => fs.existsSync(path.join(d, String(id))));
  assert.ok(spool, `no spool folder holds job ${id} among ${places.join(', ')}`);
  return spool;
}

test('a folder left in the spool by another database under the next job\'s number (a restored backup) is replaced: the upload is checked', async () => {
  const p = file('spool-a.csv', 'Họ và tên,Ngày sinh,Chi hội\nNguyễn Thị Sót,01/01/1990,IC1.1\n');
  const first = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'spool-a.csv' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(first.status, 202);
  await waitJob(first.body.id, 'checked');
  const stale = path.join(spoolOf(first.body.id), String(first.body.id + 1));
  fs.mkdirSync(stale, { mode: 0o700, recursive: true }); // there already when an earlier run left it
  fs.writeFileSync(path.join(stale, 'file'), 'Họ và tên\nnot this file\n');
  fs.writeFileSync(path.join(stale, 'errors.jsonl'), '{}\n');
  const next = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'spool-a.csv' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(next.status, 202, JSON.stringify(next.body));
  assert.equal(next.body.id, first.body.id + 1);
  const j = await waitJob(next.body.id, 'checked');
  assert.equal(j.report.rows, 1);
  assert.equal(j.report.valid, 1, 'the upload is read, not the file left behind');
});

test('an import counts its new members into the figures at its end, its changed ones row by row: they agree with the members (unionbase check)', async () => {
  const n = 400;
  const given = ['Hoa', 'Lan', 'Mai', 'Hương', 'Ánh', 'Tuyết', 'Duyên', 'Hạnh', 'Thu', 'Nga', 'Yến'];
  const rows = (phone) => {
    const lines = ['Họ và tên,Ngày sinh,Số CCCD,Chi hội,Số điện thoại,Tôn giáo'];
    for (let i = 0; i < n; i++) {
      const y = 1950 + (i % 50);
      lines.push(`Lý Thị ${given[i % 11]} ${given[(i / 11 | 0) % 11]},${String(1 + (i % 28)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/${y},${cccd(y, 500000 + i)},IC2.1,${phone(i)},${i % 3 ? '' : 'Phật giáo'}`);
    }
    return lines.join('\n') + '\n';
  };
  const before = (await s.ok('/api/v1/reports/members', { unit: 'IC2' })).total;
  const r = await importJson([file('large.csv', rows(() => '')), '--unit', 'IC2']);
  assert.equal(r.code, 0, JSON.stringify(r.report.errors?.slice(0, 3)));
  assert.equal(r.report.created, n);
  const after = await s.ok('/api/v1/reports/members', { unit: 'IC2' });
  assert.equal(after.total, before + n);
  // the same people, one in four with a phone now, and 5 new
  const changed = rows((i) => (i % 4 ? '' : `09${String(10000000 + i)}`)) +
    [0, 1, 2, 3, 4].map((i) => `Lý Thị Mới ${given[i]},03/03/1985,${cccd(1985, 700000 + i)},IC2.1,,Công giáo`).join('\n') + '\n';
  const r2 = await importJson([file('large2.csv', changed), '--unit', 'IC2']);
  assert.equal(r2.code, 0, JSON.stringify(r2.report.errors?.slice(0, 3)));
  assert.deepEqual([r2.report.created, r2.report.updated, r2.report.unchanged], [5, n / 4, n - n / 4]);
  assert.equal((await s.ok('/api/v1/reports/members', { unit: 'IC2' })).total, before + n + 5);
  await assertFiguresAgree();
});

test('new members who joined before the 2025 reform, in a branch it moved: counted under the tree of each day; the figures agree (unionbase check)', async () => {
  // the demo's tree: the branch's ancestry has rows that end on the reform
  // (its old commune and province) and rows that go on (the new ones)
  const demo = await startServer({ demo: true });
  try {
    const one = async (sql) => (await demo.sql(sql)).trim().split('|');
    const open = "'9999-12-31'";
    const [branch, branchFrom] = await one(`SELECT u.code, CAST(u.valid_from AS TEXT) FROM units u WHERE u.level = 'branch' AND u.valid_to = ${open}
      AND u.valid_from < '2020-01-01' AND EXISTS (SELECT 1 FROM ancestry a WHERE a.descendant = u.id AND a.valid_to <> ${open}) ORDER BY u.code LIMIT 1`);
    assert.ok(branch, 'a branch of the demo moved by the reform');
    const [commune] = await one(`SELECT c.code FROM units u JOIN ancestry a ON a.descendant = u.id AND a.valid_to = ${open}
      JOIN units c ON c.id = a.ancestor AND c.level = 'commune' WHERE u.code = '${branch}' AND u.valid_to = ${open}`);
    const lines = ['Họ và tên,Ngày sinh,Số CCCD,Chi hội,Ngày gia nhập Hội,Dân tộc'];
    const from = Date.parse(`${branchFrom}T00:00:00Z`), reform = Date.parse('2025-07-01T00:00:00Z');
    for (let i = 0; i < 12; i++) {
      const joined = new Date(from + Math.floor(((reform - from) * (i + 1)) / 12) - 86400000).toISOString().slice(0, 10);
      const y = 1960 + i;
      lines.push(`Hà Thị Cũ ${['Hoa', 'Lan', 'Mai', 'Hương', 'Ánh', 'Nga'][i % 6]} ${['Xuân', 'Thu'][i % 2]},0${1 + (i % 9)}/03/${y},${cccd(y, 810000 + i)},${branch},${joined.split('-').reverse().join('/')},${i % 2 ? 'Tày' : 'Kinh'}`);
    }
    const run = (args) => new Promise((resolve) => {
      execFile(BIN, [...args, '--db', demo.db.url], { env: { ...process.env, ...demo.env } }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
    });
    const r = await run(['import', file('before-reform.csv', lines.join('\n') + '\n'), '--unit', commune, '--mode', 'all', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).created, 12, r.stdout);
    const check = await run(['check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /figures: \d+ rows checked, 0 differences/);
  } finally {
    await demo.stop();
  }
});

// Ten days after the pinned today: a change recorded ahead.
function tenDaysAhead() {
  return new Date(Date.parse(`${TODAY}T00:00:00Z`) + 10 * 86400000).toISOString().slice(0, 10);
}

function territorialUnit(b) {
  return s.op('/api/v1/units', { date: D, kind: 'territorial', ...b }, 201);
}

// unionbase check on the shared server's database: the kept figures agree
// with a recount from the members.
async function assertFiguresAgree() {
  const check = await ub(['check']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /figures: \d+ rows checked, 0 differences/);
}

test('rows of a branch whose merge is recorded ahead: stored one by one, their stays carried on to the merged branch; the figures agree', async () => {
  const ahead = tenDaysAhead();
  const mk = territorialUnit;
  await mk({ code: 'IC5', name_vi: 'Xã Sáp Nhập', name_en: 'Merging Commune', level: 'commune', parent: '24' });
  await mk({ code: 'IC5.1', name_vi: 'Chi hội Bến', name_en: 'Wharf', level: 'branch', parent: 'IC5' });
  await mk({ code: 'IC5.2', name_vi: 'Chi hội Chợ', name_en: 'Market', level: 'branch', parent: 'IC5' });
  await s.op('/api/v1/units/merge', { date: ahead, sources: ['IC5.1', 'IC5.2'], into: { code: 'IC5.9', name_vi: 'Chi hội Bến Chợ', name_en: 'Wharf Market', level: 'branch' } }, 201);
  const lines = ['Họ và tên,Ngày sinh,Số CCCD,Chi hội'];
  for (let i = 0; i < 6; i++) lines.push(`Đinh Thị Sáp ${['Hoa', 'Lan', 'Mai', 'Hương', 'Ánh', 'Nga'][i]},0${i + 1}/02/1990,${cccd(1990, 900000 + i)},${i % 2 ? 'IC5.1' : 'IC5.2'}`);
  const r = await importJson([file('merging.csv', lines.join('\n') + '\n'), '--unit', 'IC5']);
  assert.equal(r.code, 0, JSON.stringify(r.report.errors));
  assert.equal(r.report.created, 6);
  const m = await s.ok('/api/v1/members', { unit: 'IC5.1', q: 'Đinh Thị Sáp Lan' });
  assert.equal(m.items.length, 1);
  const before = new Date(Date.parse(`${ahead}T00:00:00Z`) - 86400000).toISOString().slice(0, 10);
  const h = await s.ok(`/api/v1/members/${m.items[0].id}`);
  assert.deepEqual(h.history.map((x) => [x.unit.code, x.until]), [['IC5.1', before], ['IC5.9', null]]);
  await assertFiguresAgree();
});

test('a list of a commune whose merge is recorded ahead: its branches go on, under the merged commune; the new members are counted and found', async () => {
  // the branches have no end of their own (they are batched); their rows
  // up to the list's commune end on the merge day
  const ahead = tenDaysAhead();
  const mk = territorialUnit;
  await mk({ code: 'IC8', name_vi: 'Xã Sắp Gộp', name_en: 'Merging Soon', level: 'commune', parent: '24' });
  await mk({ code: 'IC8.1', name_vi: 'Chi hội Sắp Gộp', name_en: 'Merging Branch', level: 'branch', parent: 'IC8' });
  await mk({ code: 'IC9', name_vi: 'Xã Bên Cạnh', name_en: 'Next Door', level: 'commune', parent: '24' });
  await s.op('/api/v1/units/merge', { date: ahead, sources: ['IC8', 'IC9'], into: { code: 'IC89', name_vi: 'Xã Gộp Hai', name_en: 'Merged Two', level: 'commune' } }, 201);
  const lines = ['Họ và tên,Ngày sinh,Số CCCD,Chi hội'];
  for (let i = 0; i < 5; i++) lines.push(`Mạc Thị Gộp ${['Hoa', 'Lan', 'Mai', 'Hương', 'Ánh'][i]},0${i + 1}/04/1991,${cccd(1991, 950000 + i)},IC8.1`);
  const r = await importJson([file('merging-commune.csv', lines.join('\n') + '\n'), '--unit', 'IC8']);
  assert.equal(r.code, 0, JSON.stringify(r.report));
  assert.equal(r.report.created, 5);
  assert.equal((await s.ok('/api/v1/members', { unit: 'IC8', q: 'mac thi gop' })).items.length, 5);
  await assertFiguresAgree();
});

test('new members stored in batches around one stored alone: each counted once, found by name, and the same file again changes nothing', async () => {
  // 2,000 a batch (IMPORT_BATCH_ROWS): a batch, one row of a branch whose
  // merge is recorded ahead (stored alone, between the batches), a batch,
  // and the rest
  const ahead = tenDaysAhead();
  const mk = territorialUnit;
  await mk({ code: 'IC7', name_vi: 'Xã Ba Đợt', name_en: 'Three Rounds', level: 'commune', parent: '24' });
  for (const c of ['IC7.1', 'IC7.2', 'IC7.3']) await mk({ code: c, name_vi: `Chi hội ${c}`, name_en: c, level: 'branch', parent: 'IC7' });
  await s.op('/api/v1/units/merge', { date: ahead, sources: ['IC7.2', 'IC7.3'], into: { code: 'IC7.9', name_vi: 'Chi hội Gộp', name_en: 'Merged', level: 'branch' } }, 201);
  const given = ['Hoa', 'Lan', 'Mai', 'Hương', 'Ánh', 'Tuyết', 'Duyên', 'Hạnh', 'Thu', 'Nga', 'Yến'];
  const lines = ['Họ và tên,Ngày sinh,Số CCCD,Chi hội'];
  for (let i = 0; i < 4100; i++) {
    const y = 1950 + (i % 50);
    const name = i === 5 ? 'Phan Thị Đầu Đợt' : i === 4050 ? 'Phan Thị Cuối Đợt' : `Vi Thị ${given[i % 11]} ${given[(i / 11 | 0) % 11]}`;
    lines.push(`${name},${String(1 + (i % 28)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/${y},${cccd(y, 400000 + i)},${i === 2000 ? 'IC7.2' : 'IC7.1'}`);
  }
  const body = lines.join('\n') + '\n';
  const before = (await s.ok('/api/v1/reports/members', { unit: '24' })).total;
  const r = await importJson([file('rounds.csv', body), '--unit', 'IC7']);
  assert.equal(r.code, 0, JSON.stringify(r.report.errors?.slice(0, 3)));
  assert.equal(r.report.created, 4100);
  assert.equal((await s.ok('/api/v1/reports/members', { unit: '24' })).total, before + 4100);
  for (const q of ['phan thi dau dot', 'Phan Thị Cuối Đợt']) {
    const found = await s.ok('/api/v1/members', { unit: '24', q });
    assert.equal(found.items.length, 1, q);
  }
  // the one stored alone: her branch merges ahead, today she is still the list's
  const again = await importJson([file('rounds.csv', body), '--unit', 'IC7']);
  assert.equal(again.code, 0, JSON.stringify(again.report.errors?.slice(0, 3)));
  assert.deepEqual([again.report.created, again.report.updated, again.report.unchanged], [0, 0, 4100]);
  await assertFiguresAgree();
});

test('a first import into a new database, and a small one after: the indexes are as the schema makes them, the search rows and figures agree', async () => {
  // a first list adds more search rows than the database holds: on SQLite
  // the indexes by person are made again after the rows go in; a second,
  // smaller list adds its rows to them
  const own = await startServer();
  const indexes = () => own.sql(/^postgres/.test(own.db.url)
    ? "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
    : "SELECT name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY 1");
  try {
    await own.op('/api/v1/units', { date: D, kind: 'territorial', code: 'FI1', name_vi: 'Xã Đầu Tiên', name_en: 'First', level: 'commune', parent: '24' }, 201);
    await own.op('/api/v1/units', { date: D, kind: 'territorial', code: 'FI1.1', name_vi: 'Chi hội Đầu Tiên', name_en: 'First Branch', level: 'branch', parent: 'FI1' }, 201);
    const schema = await indexes();
    assert.match(schema, /person_words_person .*\(person_id\)/);
    assert.match(schema, /member_words_person .*\(person_id\)/);
    const run = (args) => new Promise((resolve) => {
      execFile(BIN, [...args, '--db', own.db.url], { env: { ...process.env, ...own.env } }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
    });
    const list = (rows) => ['Họ và tên,Ngày sinh,Số CCCD,Chi hội', ...rows.map(([name, n]) => `${name},05/05/1985,${cccd(1985, n)},FI1.1`)].join('\n') + '\n';
    // SQLite: the schema's version moves when the indexes are made again
    const lite = !/^postgres/.test(own.db.url);
    const version = async () => (lite ? Number((await own.sql('PRAGMA schema_version')).trim()) : 0);
    const v0 = await version();
    const first = await run(['import', file('first.csv', list([['Đinh Thị Một', 7001], ['Đinh Thị Hai', 7002], ['Đinh Thị Ba', 7003]])), '--unit', 'FI1', '--mode', 'all']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(await indexes(), schema);
    const v1 = await version();
    if (lite) assert.ok(v1 > v0, `the first import made the indexes again: schema version ${v0} -> ${v1}`);
    const second = await run(['import', file('second.csv', list([['Đinh Thị Bốn', 7004], ['Đinh Thị Hai Đổi', 7002]])), '--unit', 'FI1', '--mode', 'all']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /1 new members?, 1 updated/);
    assert.equal(await indexes(), schema);
    assert.equal(await version(), v1, 'the second import added its rows to the indexes');
    // her changed name replaced her search rows (found by her person)
    assert.equal((await own.ok('/api/v1/members', { unit: 'FI1', q: 'dinh thi hai doi' })).items.length, 1);
    assert.deepEqual((await own.ok('/api/v1/members', { unit: 'FI1', q: 'dinh thi hai' })).items.map((m) => m.full_name), ['Đinh Thị Hai Đổi']);
    const check = await run(['check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /figures: \d+ rows checked, 0 differences/);
    if (lite) assert.equal((await own.sql('PRAGMA integrity_check')).trim(), 'ok');
  } finally {
    await own.stop();
  }
});

test('a job left running by an earlier server that had this one\'s pid (a container restarted) shows interrupted, and runs again', async () => {
  const p = file('pid.csv', 'Họ và tên,Ngày sinh,Chi hội\nNguyễn Thị Pid,01/01/1990,IC1.1\n');
  const up = await s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'pid.csv' }, raw: fs.readFileSync(p), headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(up.status, 202);
  await waitJob(up.body.id, 'checked');
  await s.sql(`UPDATE import_jobs SET status = 'committing', runner = '${os.hostname()} ${s.proc.child.pid} 0123456789abcdef' WHERE id = ${up.body.id}`);
  assert.equal((await s.ok(`/api/v1/imports/${up.body.id}`)).status, 'interrupted');
  // without a nonce (written by an older version): not this process's either
  await s.sql(`UPDATE import_jobs SET runner = '${os.hostname()} ${s.proc.child.pid}' WHERE id = ${up.body.id}`);
  assert.equal((await s.ok(`/api/v1/imports/${up.body.id}`)).status, 'interrupted');
  // another host's runner is taken to be alive
  await s.sql(`UPDATE import_jobs SET runner = 'elsewhere.invalid ${s.proc.child.pid} 0123456789abcdef' WHERE id = ${up.body.id}`);
  assert.equal((await s.ok(`/api/v1/imports/${up.body.id}`)).status, 'committing');
  await s.sql(`UPDATE import_jobs SET runner = '${os.hostname()} ${s.proc.child.pid} 0123456789abcdef' WHERE id = ${up.body.id}`);
  assert.equal((await s.post(`/api/v1/imports/${up.body.id}/check`, {})).status, 202);
  await waitJob(up.body.id, 'checked');
});

test('past the problems a job lists, its report, its list and its error copy say how many more there were', async () => {
  const peer = await startPeer({ ...s, args: [...(s.args || []), '--import-problems', '3'] });
  try {
    const rows = ['Họ và tên,Ngày sinh,Chi hội'];
    for (const given of ['Hoa', 'Lan', 'Mai', 'Huệ', 'Cúc']) rows.push(`Nguyễn Thị ${given},31/02/1990,IC1.1`);
    rows.push('Nguyễn Thị Đúng,01/01/1991,IC1.1');
    const up = await peer.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'nhieu-loi.csv' }, raw: Buffer.from(rows.join('\n') + '\n'), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(up.status, 202, up.text);
    let job;
    for (let i = 0; i < 600 && job?.status !== 'checked'; i++) {
      job = await peer.ok(`/api/v1/imports/${up.body.id}`);
      if (job.status !== 'checked') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(job.status, 'checked', JSON.stringify(job));
    assert.deepEqual([job.report.valid, job.report.invalid, job.report.problems, job.report.problems_listed], [1, 5, 5, 3]);
    const errs = await peer.ok(`/api/v1/imports/${up.body.id}/errors`);
    assert.deepEqual([errs.total, errs.unlisted, errs.next_offset], [3, 2, null]);
    assert.deepEqual(errs.items.map((e) => e.line), [2, 3, 4]);
    for (const [lang, title] of [['vi', 'Lỗi (chỉ liệt kê 3 lỗi đầu tiên; còn 2 lỗi nữa không có ở đây)'],
      ['en', 'Error (the first 3 problems only; 2 more are not listed)']]) {
      const x = await fetch(`${peer.base}/api/v1/imports/${up.body.id}/errors.xlsx?lang=${lang}`, { headers: { Authorization: `Bearer ${s.adminToken}` } });
      assert.equal(x.status, 200);
      const texts = xlsxTexts(Buffer.from(await x.arrayBuffer()));
      assert.ok(texts.includes(title), JSON.stringify(texts.slice(0, 10)));
    }
    const page = await peer.ok(`/api/v1/imports/${up.body.id}/errors`, { limit: 1 });
    assert.deepEqual([page.total, page.unlisted, page.next_offset], [3, 2, 1]);
  } finally {
    await peer.stop();
  }
});

test('export --output: a file replaced only once whole, and only a file the export made removed on failure', async () => {
  const out = path.join(dir, 'hoi-vien.csv');
  fs.writeFileSync(out, 'cũ\n');
  const ok = await ub(['export', '--unit', 'IC1', '--output', out]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(fs.readFileSync(out, 'utf8'), /Họ và tên/);
  assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'members\' personal data: the owner\'s alone');
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('hoi-vien.csv.')), [], 'no file left beside it');
  // a link to a device that refuses writes: the export fails, the link stays
  const link = path.join(dir, 'day-full');
  fs.symlinkSync('/dev/full', link);
  const full = await ub(['export', '--unit', 'IC1', '--output', link]);
  assert.equal(full.code, 1);
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still there');
  assert.ok(fs.existsSync('/dev/full'));
  const none = await ub(['export', '--unit', 'IC1', '--output', path.join(dir, 'khong-co', 'x.csv')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /cannot be written/);
});

test('one user\'s uploads past her share of the running jobs are refused before anything is kept', async () => {
  const list = (n, from) => {
    const lines = ['Họ và tên,Ngày sinh,Số CCCD,Chi hội'];
    for (let i = 0; i < n; i++) lines.push(`Vũ Thị Hàng,01/01/1980,${cccd(1980, from + i)},IC1.1`);
    return Buffer.from(lines.join('\n') + '\n');
  };
  const send = (body) => s.request('POST', '/api/v1/imports', { query: { unit: 'IC1', file_name: 'hang.csv' }, raw: body, headers: { 'Content-Type': 'application/octet-stream' } });
  // two long checks take the two places that run; two more wait their turn
  const long = await Promise.all([send(list(60000, 700000)), send(list(60000, 800000))]);
  for (const a of long) assert.equal(a.status, 202, a.text);
  const small = list(10, 900000);
  const waiting = [await send(small), await send(small)];
  for (const a of waiting) assert.equal(a.status, 202, a.text);
  const refused = await send(small);
  for (const a of long) {
    assert.equal((await s.ok(`/api/v1/imports/${a.body.id}`)).status, 'checking', 'a long check ended before the last upload: make the files larger');
  }
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.body.error.code, 'unavailable');
  // the refused upload left no job behind
  assert.equal(await count("SELECT count(*) AS n FROM import_jobs WHERE file_name = 'hang.csv'"), 4);
  for (const a of [...long, ...waiting]) await waitJob(a.body.id, 'checked');
});

// A server whose jobs hold their place 1.5 s after writing their last
// status (the moment a busy server takes to close the run's connection),
// and a job of one new member in a commune of its own there, checked.
async function lingeringCheckedJob(code, name, serial, env = { UNIONBASE_IMPORT_LINGER_MS: '1500' }) {
  const slow = await startServer({ env });
  try {
    await slow.op('/api/v1/units', { date: D, kind: 'territorial', code, name_vi: `Xã ${name}`, name_en: `${code} Commune`, level: 'commune', parent: '24' }, 201);
    await slow.op('/api/v1/units', { date: D, kind: 'territorial', code: `${code}.1`, name_vi: `Chi hội ${name}`, name_en: `${code} Branch`, level: 'branch', parent: code }, 201);
    const body = Buffer.from(`Họ và tên,Ngày sinh,Số CCCD,Chi hội\nĐỗ Thị ${name},03/03/1983,${cccd(1983, serial)},${code}.1\n`);
    const up = await slow.request('POST', '/api/v1/imports', { query: { unit: code, file_name: `${code}.csv` }, raw: body, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(up.status, 202, up.text);
    let job;
    for (let i = 0; i < 600 && (job = await slow.ok(`/api/v1/imports/${up.body.id}`)).status !== 'checked'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(job.status, 'checked');
    return { slow, id: up.body.id };
  } catch (e) {
    await slow.stop();
    throw e;
  }
}

test('a commit sent as soon as the check is done waits for the job to let go, and is not refused as running', async () => {
  const { slow, id } = await lingeringCheckedJob('LC1', 'Chờ', 4242);
  try {
    const commit = await slow.post(`/api/v1/imports/${id}/commit`, { mode: 'all' });
    assert.equal(commit.status, 202, commit.text);
    let job;
    for (let i = 0; i < 600 && (job = await slow.ok(`/api/v1/imports/${id}`)).status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual([job.status, job.report.stored, job.report.created], ['done', true, 1]);
  } finally {
    await slow.stop();
  }
});

test('a job whose run has written its last status is shown by its row, even while the run lets go', async () => {
  // while the run lets go, its row is made to say a commit of an earlier
  // server with this pid ran
  const { slow, id } = await lingeringCheckedJob('LG1', 'Buông', 4343);
  try {
    await slow.sql(`UPDATE import_jobs SET status = 'committing', runner = '${os.hostname()} ${slow.proc.child.pid} 0123456789abcdef' WHERE id = ${id}`);
    assert.equal((await slow.ok(`/api/v1/imports/${id}`)).status, 'interrupted');
  } finally {
    await slow.stop();
  }
});

test('a commit says when every row is read and it writes the search rows and figures', async () => {
  // the server holds the commit 1.5 s once it says so (a million rows
  // write for a minute there)
  const { slow, id } = await lingeringCheckedJob('WR1', 'Ghi', 4444, { UNIONBASE_IMPORT_WRITING_MS: '1500' });
  try {
    const checked = await slow.ok(`/api/v1/imports/${id}`);
    assert.deepEqual(checked.progress, { rows: 0, phase: null });
    assert.equal((await slow.post(`/api/v1/imports/${id}/commit`, { mode: 'all' })).status, 202);
    const seen = [];
    let job;
    for (let i = 0; i < 1200 && (job = await slow.ok(`/api/v1/imports/${id}`)).status !== 'done'; i++) {
      seen.push(`${job.status} ${job.progress.phase} ${job.progress.rows}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(seen.includes('committing writing 1'), seen.join(', '));
    // (null 0: the moment its last status is written)
    assert.ok(seen.every((x) => /^committing ((reading|writing) [01]|null 0)$/.test(x)), seen.join(', '));
    assert.deepEqual([job.status, job.progress.phase, job.report.created], ['done', null, 1]);
  } finally {
    await slow.stop();
  }
});

test('the command line\'s progress on a terminal says when a commit writes the search rows and figures, a dry run never', async () => {
  const own = await startServer();
  try {
    await own.op('/api/v1/units', { date: D, kind: 'territorial', code: 'TT1', name_vi: 'Xã Màn Hình', name_en: 'TT1 Commune', level: 'commune', parent: '24' }, 201);
    await own.op('/api/v1/units', { date: D, kind: 'territorial', code: 'TT1.1', name_vi: 'Chi hội Màn Hình', name_en: 'TT1 Branch', level: 'branch', parent: 'TT1' }, 201);
    const p = file('terminal.csv', `Họ và tên,Ngày sinh,Số CCCD,Chi hội\nLê Thị Màn Hình,04/04/1984,${cccd(1984, 4545)},TT1.1\n`);
    const quote = (x) => `'${x.replace(/'/g, "'\\''")}'`;
    // script(1) gives the program a terminal
    const onTerminal = (args) => new Promise((resolve) => {
      const cmd = [BIN, 'import', p, '--unit', 'TT1', ...args, '--db', own.db.url].map(quote).join(' ');
      execFile('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...own.env } }, (err, stdout) => resolve({ code: err ? err.code : 0, stdout }));
    });
    const dry = await onTerminal(['--dry-run']);
    assert.equal(dry.code, 0, dry.stdout);
    assert.match(dry.stdout, /it would add 1 new members/);
    assert.doesNotMatch(dry.stdout, /writing/);
    const r = await onTerminal(['--mode', 'all']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /1 rows read; writing the search rows and figures\.\.\.\r\x1b\[K/);
  } finally {
    await own.stop();
  }
});

test('a long bad value is quoted cut, at a character, in the report', async () => {
  const long = 'Dân tộc '.repeat(100);
  const r = await importJson([file('long.csv', `Họ và tên,Ngày sinh,Dân tộc,Chi hội\nNguyễn Thị Dài,01/01/1990,${long},IC1.1\n`), '--unit', 'IC1', '--dry-run']);
  const e = r.report.errors.find((x) => x.field === 'ethnicity');
  assert.ok(e, JSON.stringify(r.report.errors));
  assert.ok(Buffer.byteLength(e.value) <= 203, `${Buffer.byteLength(e.value)} bytes`);
  assert.ok(e.value.endsWith('…') && long.startsWith(e.value.slice(0, -1)), e.value);
});

test('a spool folder that others may enter, or a link, is refused: the server does not start', async () => {
  const open = fs.mkdtempSync(path.join(s.dir, 'spool-'));
  fs.chmodSync(open, 0o755);
  const link = path.join(s.dir, 'spool-link');
  fs.symlinkSync(open, link);
  for (const [spool, why] of [[open, /others may enter it/], [link, /not a folder/]]) {
    const r = await new Promise((resolve) => {
      execFile(BIN, ['serve', '--db', s.db.url, '--listen', '127.0.0.1:0', '--spool', spool], { env: { ...process.env, ...s.env }, timeout: 20000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stderr }));
    });
    assert.notEqual(r.code, 0, spool);
    assert.match(r.stderr, why);
  }
});
