// generate.test.js - `unionbase generate` on a small scale, on the store under
// test: the tree it writes as of 2025-06-30 and 2025-07-01 (63 provinces
// become 34, districts close, communes merge, no branch or group is lost),
// read back through `units tree`; the same seed gives the same tree; a
// database that already holds communes is refused and left as it was;
// --members adds members whose figures add up on both sides of the reform,
// on both views of time (mapped onto today's units, the national total is
// the same and a series runs on across the reform), and whose flows over a
// period reconcile with the totals at its ends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, freshDatabase, startServer } from './server.js';

// A small country: the first 6 of the 63 provinces (01 02 04 06 08 10), which
// become parts of 01, 04, 08 (08 + 02), 19 (06 with 19) and 15 (10 with 15).
const SMALL = ['--scale', '0.02', '--provinces', '6', '--seed', '7'];

let dir, db, stats;

function ub(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: process.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function ok(args) {
  const r = await ub(args);
  assert.equal(r.code, 0, `unionbase ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

// Every unit of the tree as of a date: [{code, name_vi, level, parent, ...}].
async function units(url, asOf) {
  const t = JSON.parse(await ok(['units', 'tree', 'VN', '--depth', '6', '--as-of', asOf, '--json', '--db', url]));
  const out = [];
  const walk = (n, parent) => {
    out.push({ ...n, parentCode: parent ? parent.code : null, parentLevel: parent ? parent.level : null, children: undefined });
    for (const c of n.children) walk(c, n);
  };
  walk(t.root, null);
  return out;
}

function count(list, level) {
  return list.filter((u) => u.level === level).length;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-generate-'));
  db = await freshDatabase(dir);
  await ok(['init', db.url]);
  stats = JSON.parse(await ok(['generate', '--db', db.url, ...SMALL, '--json']));
});

after(async () => {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('help lists generate; bad options are usage errors', async () => {
  assert.match(await ok(['help']), /generate --db DB \[--seed S\] \[--scale F\]/);
  assert.match(await ok(['generate', '--help']), /--provinces N/);
  for (const bad of [['--scale', '0'], ['--scale', 'x'], ['--seed', 'abc'], ['--provinces', '64'], ['extra']]) {
    const r = await ub(['generate', '--db', db.url, ...bad]);
    assert.equal(r.code, 2, `generate ${bad.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('the summary adds up', () => {
  const b = stats.before_reform, a = stats.after_reform;
  assert.equal(stats.seed, 7);
  assert.ok(b.districts >= 6, `districts ${b.districts}`);
  assert.ok(b.communes >= 12 && b.branches >= 5 * b.communes, JSON.stringify(b));
  assert.ok(a.communes >= 5 && a.communes < b.communes, JSON.stringify(a));
  assert.equal(a.merged + a.continued, a.communes);
  assert.equal(a.branches, b.branches);
  assert.equal(stats.units_created, b.districts + b.communes + b.branches + b.groups + a.merged);
  // how long each phase took, for the benchmarks
  for (const phase of ['create', 'reform', 'districts']) assert.ok(stats.phases[phase] >= 0, JSON.stringify(stats.phases));
  assert.equal(stats.phases.members, undefined, 'no members asked for');
});

test('as of 2025-06-30: 63 provinces, districts under them, communes under districts', async () => {
  const u = await units(db.url, '2025-06-30');
  const b = stats.before_reform;
  assert.equal(count(u, 'province'), 63);
  assert.equal(count(u, 'district'), b.districts);
  assert.equal(count(u, 'commune'), b.communes);
  assert.equal(count(u, 'branch'), b.branches);
  assert.equal(count(u, 'group'), b.groups);
  for (const x of u) {
    const want = { district: 'province', commune: 'district', branch: 'commune', group: 'branch' }[x.level];
    if (want) assert.equal(x.parentLevel, want, `${x.code} ${x.level} under ${x.parentCode}`);
  }
  // the six provinces filled are the first six; districts carry their code
  for (const x of u.filter((v) => v.level === 'district')) {
    assert.match(x.code, /^(01|02|04|06|08|10)D\d\d$/);
    assert.ok(x.code.startsWith(x.parentCode), `${x.code} under ${x.parentCode}`);
    assert.match(x.name_vi, /^(Huyện|Quận|Thị xã|Thành phố) \S/);
  }
  for (const x of u.filter((v) => v.level === 'commune')) {
    assert.match(x.code, /^\d{5}$/);
    assert.match(x.name_vi, /^(Xã|Phường|Thị trấn) \S/);
  }
  for (const x of u.filter((v) => v.level === 'branch')) {
    assert.match(x.code, /^\d{5}\.\d\d$/);
    assert.match(x.name_vi, /^Chi hội Phụ nữ \S/);
    assert.match(x.name_en, /Women's Branch$/);
  }
  for (const x of u.filter((v) => v.level === 'group')) assert.match(x.name_vi, /^Tổ (phụ nữ|hợp tác phụ nữ) /);
  // codes are unique on the date
  assert.equal(new Set(u.map((x) => x.code)).size, u.length);
});

test('as of 2025-07-01: 34 provinces, no district, fewer communes, every branch and group kept', async () => {
  const old = await units(db.url, '2025-06-30');
  const u = await units(db.url, '2025-07-01');
  const a = stats.after_reform;
  assert.equal(count(u, 'province'), 34);
  assert.equal(count(u, 'district'), 0);
  assert.equal(count(u, 'commune'), a.communes);
  const codes = (list, level) => list.filter((x) => x.level === level).map((x) => x.code).sort();
  assert.deepEqual(codes(u, 'branch'), codes(old, 'branch'), 'the same branches on both sides of the reform');
  assert.deepEqual(codes(u, 'group'), codes(old, 'group'));
  for (const x of u) {
    const want = { commune: 'province', branch: 'commune', group: 'branch' }[x.level];
    if (want) assert.equal(x.parentLevel, want, `${x.code} ${x.level} under ${x.parentCode}`);
  }
  // communes sit only under the provinces formed from the six filled
  const parents = new Set(u.filter((x) => x.level === 'commune').map((x) => x.parentCode));
  for (const p of parents) assert.ok(['01', '04', '08', '15', '19'].includes(p), `a commune under ${p}`);
  assert.equal(new Set(u.map((x) => x.code)).size, u.length);
});

test('a merged commune knows the communes it was formed from', async () => {
  const u = await units(db.url, '2025-07-01');
  const merged = u.filter((x) => x.level === 'commune' && x.valid_from === '2025-07-01');
  assert.ok(merged.length >= 1);
  const l = JSON.parse(await ok(['units', 'lineage', merged[0].code, '--as-of', '2025-07-01', '--json', '--db', db.url]));
  assert.ok(l.predecessors.length >= 2, `${merged[0].code} from ${l.predecessors.length} communes`);
  for (const p of l.predecessors) {
    assert.equal(p.unit.level, 'commune');
    assert.equal(p.unit.valid_until, '2025-06-30');
    assert.equal(p.event.kind, 'merge');
  }
  // the new commune takes the code of its seat, one of the communes merged
  assert.ok(l.predecessors.some((p) => p.unit.code === merged[0].code));
  const text = await ok(['units', 'lineage', merged[0].code, '--as-of', '2025-07-01', '--db', db.url]);
  assert.match(text, /from \(merge 2025-07-01\)/);
});

test('the same seed gives the same tree; generate twice is refused and changes nothing', async () => {
  const d2 = await freshDatabase(dir);
  try {
    await ok(['init', d2.url]);
    const again = JSON.parse(await ok(['generate', '--db', d2.url, ...SMALL, '--json']));
    assert.deepEqual({ ...again, seconds: 0, phases: {} }, { ...stats, seconds: 0, phases: {} });
    const strip = (list) => list.map((x) => [x.code, x.name_vi, x.name_en, x.level, x.attributes, x.parentCode, x.valid_from].join('|'));
    for (const d of ['2025-06-30', '2025-07-01'])
      assert.deepEqual(strip(await units(d2.url, d)), strip(await units(db.url, d)), `tree as of ${d}`);

    const r = await ub(['generate', '--db', d2.url, ...SMALL]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^unionbase: the database already holds (districts|communes).*\[not_empty\]/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(count(await units(d2.url, '2025-07-01'), 'commune'), stats.after_reform.communes);
  } finally {
    await d2.drop();
  }
});

test('generated members: figures add up level by level on both sides of the 2025 reform, and nobody is lost by it', async () => {
  const d2 = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-genm-'));
  const m = await freshDatabase(d2);
  // the hundred and more reports below are asked of a server on the
  // database (a program each costs a process under the sanitizers); the
  // command line's report is the API's handler (cli.test.js covers it)
  const srv = await startServer({ database: m });
  try {
    const out = await ok(['generate', ...SMALL, '--members', '3000', '--db', m.url]);
    assert.match(out, /members: 3000 in \d+ branches and groups, \d+ of them left since, \d+ moved; \d+ dues payments/);
    // written in bulk, the figures counted by the load itself: the recount agrees
    assert.match(await ok(['check', '--db', m.url]), /figures: \d+ rows checked, 0 differences/);
    // ten years of dues, at the rate set at the top for each year
    const dues = JSON.parse(await ok(['report', 'members', '--unit', 'VN', '--as-of', '2025-12-31', '--json', '--db', m.url]));
    assert.equal(dues.dues.year, 2025);
    assert.ok(dues.dues.paid > 0 && dues.dues.paid <= dues.total + 1000, JSON.stringify(dues.dues));
    assert.equal(dues.dues.amount, dues.dues.paid * 12000);
    // members only, on a tree already there
    assert.equal((await ub(['generate', '--no-tree', '--db', m.url])).code, 2, '--no-tree needs --members');
    // extra: the command line's options --mapped and --from DAY
    const rep = async (unit, asOf, extra = []) => {
      const from = extra.indexOf('--from');
      const r = await srv.request('GET', '/api/v1/reports/members', {
        query: { unit, as_of: asOf, mapped: extra.includes('--mapped') ? 'true' : undefined, from: from >= 0 ? extra[from + 1] : undefined },
      });
      assert.equal(r.status, 200, `report ${unit} ${asOf} ${extra.join(' ')}: ${r.text}`);
      return r.body;
    };
    const report = (unit, asOf) => rep(unit, asOf);
    for (const asOf of ['2024-12-31', '2026-06-30']) {
      const vn = await report('VN', asOf);
      assert.ok(vn.total > 0, `members on ${asOf}`);
      assert.equal(vn.direct + vn.children.reduce((a, c) => a + c.total, 0), vn.total, `VN on ${asOf}`);
      // one level further down, for every province with members
      for (const p of vn.children.filter((c) => c.total > 0)) {
        const r = await report(p.unit.code, asOf);
        assert.equal(r.total, p.total, `${p.unit.code} on ${asOf}: its own figure is its row in VN's`);
        assert.equal(r.direct + r.children.reduce((a, c) => a + c.total, 0), r.total, `${p.unit.code} on ${asOf}`);
      }
      const list = JSON.parse(await ok(['members', 'list', '--as-of', asOf, '--limit', '500', '--json', '--db', m.url]));
      assert.ok(list.items.length <= vn.total);
    }
    // the nation's figure on a day is the number of stays that hold it
    const before = await report('VN', '2024-12-31');
    const after = await report('VN', '2025-07-01');
    assert.equal(before.children.length, 63);
    assert.equal(after.children.length, 34);
    // nobody is lost by the reform: the day before and the day of it count alike, but for those who joined or left that day
    const day = await report('VN', '2025-06-30');
    assert.ok(Math.abs(day.total - after.total) <= 5, `${day.total} on 2025-06-30, ${after.total} on 2025-07-01`);

    // mapped onto today's units: the national total is the one of the day;
    // a unit is its direct members plus its children, today's children
    const sum = (xs) => xs.reduce((a, c) => a + c, 0);
    for (const asOf of ['2020-06-30', '2024-12-31', '2025-06-30', '2025-07-01', '2026-06-30']) {
      const [a, mm] = [await rep('VN', asOf), await rep('VN', asOf, ['--mapped'])];
      assert.equal(mm.total, a.total, `VN on ${asOf}: the same on both views`);
      assert.equal(mm.children.length, 34, 'today\'s provinces');
      assert.equal(mm.direct + sum(mm.children.map((c) => c.total)), mm.total, `VN mapped on ${asOf}`);
      for (const p of mm.children.filter((c) => c.total > 0)) {
        const r = await rep(p.unit.code, asOf, ['--mapped']);
        assert.equal(r.total, p.total, `${p.unit.code} mapped on ${asOf}`);
        assert.equal(r.direct + sum(r.children.map((c) => c.total)), r.total, `${p.unit.code} mapped on ${asOf}`);
      }
    }
    // across the merger: a province of today counts on the eve of the reform
    // what the provinces it was formed from counted then, and the series runs
    // on: the day of the reform is the eve plus that day's changes
    const eve = await rep('VN', '2025-06-30', ['--mapped']);
    for (const p of eve.children.filter((c) => c.total > 0)) {
      const l = JSON.parse(await ok(['units', 'lineage', p.unit.code, '--as-of', '2025-07-01', '--json', '--db', m.url]));
      const old = l.predecessors.filter((x) => x.depth === 1 && x.unit.level === 'province').map((x) => x.unit.code);
      let was = 0;
      for (const code of old.length ? old : [p.unit.code]) was += (await rep(code, '2025-06-30')).total;
      assert.equal(p.total, was, `${p.unit.code} on 2025-06-30, mapped: the provinces ${old.join(' ')} of that day`);
      const f = (await rep(p.unit.code, '2025-07-01', ['--mapped', '--from', '2025-07-01'])).flows;
      assert.equal(f.opening, p.total);
      assert.equal(f.closing, (await rep(p.unit.code, '2025-07-01', ['--mapped'])).total);
    }
    // flows reconcile: closing = opening + joiners + in - leavers - out; on
    // the mapped view (one set of units for every date) the opening is the
    // total of the period's eve and the closing the total of its last day
    for (const [from, to, eveDay] of [['2025-01-01', '2025-12-31', '2024-12-31'], ['2024-07-01', '2026-06-30', '2024-06-30'], ['2018-01-01', '2024-12-31', '2017-12-31']]) {
      const units = ['VN', ...eve.children.filter((c) => c.total > 0).map((c) => c.unit.code)];
      for (const unit of units) {
        const r = await rep(unit, to, ['--mapped', '--from', from]);
        const f = r.flows;
        assert.equal(f.closing, f.opening + f.joiners.total + f.transfers_in - f.leavers.total - f.transfers_out, `${unit} ${from}..${to}: ${JSON.stringify(f)}`);
        assert.equal(f.closing, r.total, `${unit} on ${to}`);
        assert.equal(f.opening, (await rep(unit, eveDay, ['--mapped'])).total, `${unit} on ${eveDay}`);
        if (unit === 'VN') {
          assert.ok(f.joiners.total > 0 && f.leavers.total > 0, JSON.stringify(f));
          assert.equal(f.transfers_in + f.transfers_out, 0, 'no move leaves the country');
        }
      }
      // as of the day (the tree of `to`), within a year without a reform
      if (from >= '2025-07-01' || to < '2025-07-01') {
        const f = (await rep('VN', to, ['--from', from])).flows;
        assert.equal(f.opening, (await rep('VN', eveDay)).total);
      }
    }
    // the breakdowns the generator fills, today and on a past day (read
    // from the nation's figures by day): each sums to the total
    const today = await rep('VN', '2026-06-30');
    for (const r of [today, await rep('VN', '2022-03-15')]) {
      for (const b of ['religion', 'education', 'occupation']) {
        const x = r.breakdowns[b];
        assert.equal(sum(x.groups.map((g) => g.total)) + x.other + x.none, r.total, `${b} on ${r.as_of}`);
      }
      assert.equal(sum(Object.values(r.breakdowns.age)), r.total, `ages on ${r.as_of}: ${JSON.stringify(r.breakdowns.age)}`);
    }
    assert.ok(today.breakdowns.education.groups.some((g) => g.key === 'dai hoc' && g.label === 'Đại học'));
    assert.ok(today.breakdowns.circumstances.groups.some((g) => g.key === 'disabled'), 'the admin sees sensitive data');
  } finally {
    await srv.stop();
    fs.rmSync(d2, { recursive: true, force: true });
  }
});
