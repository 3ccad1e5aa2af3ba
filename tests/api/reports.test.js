// reports.test.js - the membership statistics (issue 15, item 6) through the
// API and the CLI: breakdowns by education, occupation (folded text, the
// largest groups) and circumstances (by word), religion and disability only
// with sensitive.read; the flows of a period (joiners, leavers by reason,
// transfers across the edge, dues), which reconcile with the totals at both
// ends; the view mapped onto today's units (a split branch's members go to
// the part that kept its code); the figures add up on both views; bad
// periods refused; the CLI gives the same figures and aligns Vietnamese
// names by their width on screen. Runs on the store UNIONBASE_TEST_PG
// chooses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, runBin, today } from './server.js';

let s;
const as = {}; // callers by name: {cookie, csrf}
const id = {}; // members by name

async function caller(name, unit, roles) {
  const pw = `${name}-mat-khau-2025`;
  const r = await s.post('/api/v1/users', { username: name, display_name: `Cán bộ ${name}`, unit, roles, password: pw });
  assert.equal(r.status, 201, r.text);
  const l = await s.login(name, pw);
  as[name] = { cookie: l.cookie, csrf: l.csrf };
}

const report = (query, who) => s.get('/api/v1/reports/members', query, who ? { cookie: as[who].cookie } : {});
async function figures(query, who) {
  const r = await report(query, who);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function member(name, body) {
  const r = await s.post('/api/v1/members', { full_name: name, birth_date: '1985-04-04', ...body });
  assert.equal(r.status, 201, r.text);
  id[name] = r.body.id;
}

// RC1 (under the new 24) with branches RC1.1 and RC1.2; RC2 with RC2.1.
// Lan, Mai, Hoa, Nam (an honorary member), Cúc, Thu join in August and
// September 2025; Cúc moves from RC2.1 to RC1.1 on 15 October; Thu marries
// away on 1 November; RC1.2 is split on 1 December into RC1.2 (the code
// kept) and RC1.3, its members (Hoa, Nam) going with the first, and Nam
// moves to the second on 2 December; RC2.1, empty, is closed on 1 January
// 2026.
before(async () => {
  s = await startServer();
  const mk = (b) => s.op('/api/v1/units', { date: '2025-07-01', kind: 'territorial', ...b }, 201);
  await mk({ code: 'RC1', name_vi: 'Xã Rạng Đông', name_en: 'Rang Dong Commune', level: 'commune', parent: '24' });
  await mk({ code: 'RC1.1', name_vi: 'Chi hội Một', name_en: 'Branch One', level: 'branch', parent: 'RC1' });
  await mk({ code: 'RC1.2', name_vi: 'Chi hội Phụ nữ Đồng Tâm Hướng Thiện', name_en: 'Dong Tam Branch', level: 'branch', parent: 'RC1' });
  await mk({ code: 'RC2', name_vi: 'Xã Khác', name_en: 'Other Commune', level: 'commune', parent: '24' });
  await mk({ code: 'RC2.1', name_vi: 'Chi hội Khác', name_en: 'Other Branch', level: 'branch', parent: 'RC2' });
  await caller('entry.rc1', 'RC1', ['entry']);
  await caller('viewer.rc1', 'RC1', ['viewer']);
  await member('Nguyễn Thị Lan', { unit: 'RC1.1', joined_on: '2025-08-01', religion: 'Phật giáo', education: 'Đại học', occupation: 'Nông dân', circumstances: 'poor disabled', digital: true });
  await member('Trần Thị Mai', { unit: 'RC1.1', joined_on: '2025-08-01', religion: 'Không', education: 'đại học', occupation: 'nông dân', circumstances: 'near_poor' });
  await member('Lê Thị Hoa', { unit: 'RC1.2', joined_on: '2025-08-01', education: 'Dai hoc', circumstances: 'single_mother' });
  await member('Lê Văn Nam', { unit: 'RC1.2', joined_on: '2025-09-01', kind: 'honorary', sex: 'male', occupation: 'Công nhân' });
  await member('Phạm Thị Cúc', { unit: 'RC2.1', joined_on: '2025-08-01', education: 'Đại học' });
  await member('Vũ Thị Thu', { unit: 'RC1.1', joined_on: '2025-08-01' });
  await s.op(`/api/v1/members/${id['Phạm Thị Cúc']}/transfer`, { to: 'RC1.1', date: '2025-10-15' }, 200);
  await s.op(`/api/v1/members/${id['Vũ Thị Thu']}/leave`, { date: '2025-11-01', reason: 'married_away' }, 200);
  await s.request('PUT', '/api/v1/units/RC1/dues/2025', { body: { amount: 24000 } });
  await s.op(`/api/v1/members/${id['Nguyễn Thị Lan']}/dues`, { year: 2025, paid_on: '2025-09-01' }, 201);
  await s.op('/api/v1/units/RC1.2/split', {
    date: '2025-12-01', children: {},
    into: [{ code: 'RC1.2', name_vi: 'Chi hội Đồng Tâm', name_en: 'Dong Tam Branch', level: 'branch' }, { code: 'RC1.3', name_vi: 'Chi hội Hướng Thiện', name_en: 'Huong Thien Branch', level: 'branch' }],
  }, 201);
  await s.op(`/api/v1/members/${id['Lê Văn Nam']}/transfer`, { to: 'RC1.3', date: '2025-12-02' }, 200);
  await s.op('/api/v1/units/RC2.1/close', { date: '2026-01-01' }, 200);
});
after(async () => { if (s) await s.stop(); });

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const group = (b, key) => b.groups.find((g) => g.key === key);
const textTotal = (b) => sum(b.groups.map((g) => g.total)) + b.other + b.none;

test('breakdowns: free text grouped by its folded form, circumstances by word; religion and disability only with sensitive.read', async () => {
  const r = await figures({ unit: 'RC1', as_of: '2025-11-15' }, 'entry.rc1');
  // Lan, Mai, Cúc (RC1.1), Hoa, Nam (RC1.2); Thu has left
  assert.equal(r.total, 5);
  assert.deepEqual(r.breakdowns.kind, { member: 4, honorary: 1 });
  const edu = r.breakdowns.education;
  assert.deepEqual(edu.groups[0], { key: 'dai hoc', label: 'Đại học', total: 4 });
  assert.equal(edu.none, 1);
  for (const b of ['education', 'occupation', 'religion']) assert.equal(textTotal(r.breakdowns[b]), r.total, b);
  assert.equal(group(r.breakdowns.occupation, 'nong dan').total, 2);
  assert.equal(group(r.breakdowns.religion, 'phat giao').label, 'Phật giáo');
  const c = r.breakdowns.circumstances;
  assert.deepEqual(['poor', 'disabled', 'near_poor', 'single_mother'].map((w) => group(c, w)?.total), [1, 1, 1, 1]);
  assert.equal(c.none, 2);
  assert.deepEqual(r.masked, []);
  // a viewer: no ethnicity or religion; the circumstances' public words only
  const v = await figures({ unit: 'RC1', as_of: '2025-11-15' }, 'viewer.rc1');
  assert.equal(v.total, r.total);
  assert.equal(v.breakdowns.religion, null);
  assert.equal(v.breakdowns.ethnicity, null);
  assert.equal(group(v.breakdowns.circumstances, 'disabled'), undefined);
  assert.equal(group(v.breakdowns.circumstances, 'poor').total, 1);
  assert.equal(v.breakdowns.circumstances.none, 2, 'Lan still counts under poor: nothing tells who is disabled');
  assert.deepEqual(v.masked, ['ethnicity', 'religion', 'circumstances']);
  assert.deepEqual(v.breakdowns.education, r.breakdowns.education);
});

test('flows of a period: joiners, leavers by reason, transfers across the edge, dues; they reconcile with the totals', async () => {
  const check = (f) => assert.equal(f.closing, f.opening + f.joiners.total + f.transfers_in - f.leavers.total - f.transfers_out, JSON.stringify(f));
  // by default from 1 January of as_of's year to as_of
  const r = await figures({ unit: 'RC1', as_of: '2025-11-15' }, 'entry.rc1');
  const f = r.flows;
  assert.deepEqual([f.from, f.to], ['2025-01-01', '2025-11-15']);
  assert.deepEqual([f.opening, f.joiners.total, f.joiners.joined, f.transfers_in, f.transfers_out], [0, 5, 5, 1, 0]);
  assert.deepEqual(f.leavers, { total: 1, moved_away: 0, married_away: 1, left: 0, died: 0, other: 0 });
  assert.equal(f.closing, r.total);
  assert.deepEqual(f.dues, { paid: 1, amount: 24000 });
  assert.deepEqual(r.dues, { year: 2025, paid: 1, amount: 24000 });
  check(f);
  // the other side of Cúc's move
  const o = (await figures({ unit: 'RC2', as_of: '2025-11-15' })).flows;
  assert.deepEqual([o.joiners.total, o.transfers_out, o.closing], [1, 1, 0]);
  check(o);
  // the province: her move is inside it
  const p = (await figures({ unit: '24', as_of: '2025-11-15' })).flows;
  assert.deepEqual([p.transfers_in, p.transfers_out], [0, 0]);
  check(p);
  // a period of its own: opening and closing are the totals of its eve and its last day
  const oct = await figures({ unit: 'RC1', as_of: '2025-11-15', from: '2025-10-01', to: '2025-10-31' });
  const eve = await figures({ unit: 'RC1', as_of: '2025-09-30' });
  const end = await figures({ unit: 'RC1', as_of: '2025-10-31' });
  assert.deepEqual([oct.flows.opening, oct.flows.transfers_in, oct.flows.closing], [eve.total, 1, end.total]);
  check(oct.flows);
  // one day; the whole history
  check((await figures({ unit: 'RC1', from: '2025-10-15', to: '2025-10-15' })).flows);
  check((await figures({ unit: 'VN', from: '2000-01-01', mapped: 'true' })).flows);
});

test('mapped onto today\'s units: the split branch\'s members go to the part that kept its code; totals agree on both views', async () => {
  const m = await figures({ unit: 'RC1', as_of: '2025-11-15', mapped: 'true' }, 'entry.rc1');
  assert.equal(m.mapped, true);
  assert.equal(m.units_as_of, today());
  assert.deepEqual(m.children.map((c) => [c.unit.code, c.total]), [['RC1.1', 3], ['RC1.2', 2], ['RC1.3', 0]]);
  assert.equal(m.children.find((c) => c.unit.code === 'RC1.2').unit.name_vi, 'Chi hội Đồng Tâm', 'today\'s unit');
  const a = await figures({ unit: 'RC1', as_of: '2025-11-15' }, 'entry.rc1');
  assert.equal(a.mapped, false);
  assert.equal(a.units_as_of, '2025-11-15');
  assert.deepEqual(a.children.map((c) => [c.unit.code, c.total]), [['RC1.1', 3], ['RC1.2', 2]]);
  assert.equal(m.total, a.total);
  assert.deepEqual(m.breakdowns, a.breakdowns);
  // from the split on, both in the part that kept the code; then each where she went; the series runs on
  const split = await figures({ unit: 'RC1', as_of: '2025-12-01', mapped: 'true' });
  assert.deepEqual(split.children.map((c) => [c.unit.code, c.total]), [['RC1.1', 3], ['RC1.2', 2], ['RC1.3', 0]]);
  const after = await figures({ unit: 'RC1', as_of: '2025-12-02', mapped: 'true' });
  assert.deepEqual(after.children.map((c) => [c.unit.code, c.total]), [['RC1.1', 3], ['RC1.2', 1], ['RC1.3', 1]]);
  assert.equal((await figures({ unit: 'RC1', as_of: '2025-11-30', mapped: 'true' })).total, after.total);
  // the unit named as it is today: RC1.2 mapped is the new branch, as of the day the old one
  const b = await figures({ unit: 'RC1.2', as_of: '2025-11-15', mapped: 'true' });
  assert.deepEqual([b.unit.name_vi, b.total, b.branches], ['Chi hội Đồng Tâm', 2, 1]);
  // RC2.1, closed without an heir, counts where its parent is
  const rc2 = await figures({ unit: 'RC2', as_of: '2025-11-15', mapped: 'true' });
  assert.deepEqual([rc2.children, rc2.branches, rc2.flows.transfers_out], [[], 1, 1]);
  // the flows of the mapped view: the moves of the split are inside RC1
  const f = (await figures({ unit: 'RC1', as_of: '2025-12-31', mapped: 'true' })).flows;
  assert.deepEqual([f.transfers_in, f.transfers_out, f.closing], [1, 0, 5]);
});

test('the figures add up on both views, and the national total is the same on both', async () => {
  for (const asOf of ['2025-06-30', '2025-08-15', '2025-11-30', '2025-12-01', today()]) {
    const views = [];
    for (const mapped of ['false', 'true']) {
      const vn = await figures({ unit: 'VN', as_of: asOf, mapped });
      assert.equal(vn.direct + sum(vn.children.map((c) => c.total)), vn.total, `VN ${asOf} ${mapped}`);
      assert.equal(sum(Object.values(vn.breakdowns.age)), vn.total);
      for (const code of asOf < '2025-07-01' ? ['24'] : ['24', 'RC1']) {
        const u = await figures({ unit: code, as_of: asOf, mapped });
        assert.equal(u.direct + sum(u.children.map((c) => c.total)), u.total, `${code} ${asOf} ${mapped}`);
      }
      views.push(vn.total);
    }
    assert.equal(views[0], views[1], `VN on ${asOf}`);
  }
});

test('a period that ends before it starts, a bad mapped, a bad day: 400 naming the argument', async () => {
  let e = assertError(await report({ unit: 'RC1', from: '2025-06-01', to: '2025-05-31' }), 400, 'bad_request');
  assert.equal(e.arg, 'to');
  assert.deepEqual(e.details.map((d) => [d.field, d.code, d.date]), [['to', 'before_from', '2025-06-01']]);
  // to defaults to as_of
  e = assertError(await report({ unit: 'RC1', as_of: '2025-05-31', from: '2025-06-01' }), 400, 'bad_request');
  assert.equal(e.details[0].code, 'before_from');
  e = assertError(await report({ unit: 'RC1', mapped: 'yes' }), 400, 'bad_request');
  assert.deepEqual([e.arg, e.details[0].code, e.details[0].value], ['mapped', 'not_one_of', 'yes']);
  e = assertError(await report({ unit: 'RC1', to: '9999-12-31' }), 400, 'bad_request');
  assert.equal(e.details[0].code, 'too_late');
  e = assertError(await report({ unit: 'RC1', from: '2025-02-30' }), 400, 'bad_request');
  assert.deepEqual([e.arg, e.details[0].code], ['from', 'not_a_date']);
  // a unit that no longer exists today is not one of today's units
  assertError(await report({ unit: 'RC2.1', as_of: '2025-11-15', mapped: 'true' }), 404, 'not_found');
  assert.equal((await figures({ unit: 'RC2.1', as_of: '2025-11-15' })).branches, 1);
});

test('the CLI gives the API\'s figures, a spreadsheet\'s CSV, and aligns Vietnamese names by their width', async () => {
  const args = ['report', 'members', '--unit', 'RC1', '--as-of', '2025-11-15', '--mapped', '--db', s.db.url];
  const cli = JSON.parse((await runBin([...args, '--json'])).stdout);
  const api = await figures({ unit: 'RC1', as_of: '2025-11-15', mapped: 'true' });
  assert.deepEqual(cli, api);
  const csv = (await runBin([...args, '--csv'])).stdout.trim().split('\n');
  assert.deepEqual(csv, ['unit,name,members,branches', '"RC1.1","Chi hội Một",3,1', '"RC1.2","Chi hội Đồng Tâm",2,1',
    '"RC1.3","Chi hội Hướng Thiện",0,0', '"RC1","total",5,2']); // the branches of 2025-11-15, where they are now
  // the text: one line per child, the members' column at the same place on screen
  const text = (await runBin(['report', 'members', '--unit', 'RC1', '--as-of', '2025-11-15', '--db', s.db.url])).stdout;
  const rows = text.split('\n').filter((l) => /^ {2}RC1\.\d /.test(l));
  assert.equal(rows.length, 2);
  const column = (l) => [...l.normalize('NFC')].length; // these names are one column a character in NFC
  assert.equal(column(rows[0]), column(rows[1]), text);
  assert.match(text, /from 2025-01-01 to 2025-11-15: 0 members before, 5 joined .*1 transferred in/);
  assert.match(text, /by education: Đại học 4/);
  // a bad period is a usage error
  const bad = await runBin(['report', 'members', '--unit', 'RC1', '--from', '2025-06-01', '--to', '2025-05-01', '--db', s.db.url]).catch((x) => x);
  assert.match(String(bad.message), /exit 2\).*\n.*before --from/s);
});

// The nation's and provinces' figures come from those the writes keep
// (store/member_tally.h): a figure changed behind the program's back shows
// in the report, `check` finds it, and `check --repair` counts it afresh.
test('the nation\'s figures are those kept in the writes; check finds one changed, --repair counts them afresh', async () => {
  const check = (...more) => runBin(['check', '--db', s.db.url, ...more]).then(
    (r) => ({ code: 0, out: r.stdout }), (x) => ({ code: Number(/exit (\d+)/.exec(x.message)?.[1]), out: x.message }));
  const real = await figures({ unit: 'VN' });
  const past = await figures({ unit: 'VN', as_of: '2025-06-30' });
  let c = await check('--json');
  assert.equal(c.code, 0, c.out);
  const j = JSON.parse(c.out);
  assert.equal(j.figures.kept, true);
  assert.equal(j.figures.differences, 0);
  assert.ok(j.figures.rows > 0);
  await s.sql("UPDATE member_tally SET n = n + 5 WHERE dim = 'total' AND unit_id = (SELECT id FROM units WHERE code = 'VN')");
  assert.equal((await figures({ unit: 'VN' })).total, real.total + 5); // read, not counted
  // today's units, as of today: read as well (the units that are gone apart)
  assert.equal((await figures({ unit: 'VN', mapped: 'true' })).total, real.total + 5);
  assert.equal((await figures({ unit: 'VN', as_of: '2025-06-30' })).total, past.total); // a past day: counted
  // and a province's search row of a member's whole name goes missing
  await s.sql("DELETE FROM member_words WHERE word = '' AND person_id = (SELECT min(person_id) FROM member_words)"
    + " AND unit_id IN (SELECT id FROM units WHERE level = 'province')");
  c = await check();
  assert.equal(c.code, 1, c.out);
  assert.match(c.out, /member_tally kept, not counted: unit id \d+, total '': \d+/);
  assert.match(c.out, /member_words counted, not kept: unit id \d+, person id \d+, word ''/);
  assert.match(c.out, /figures: \d+ rows checked, 3 differences: run 'unionbase check --repair'/);
  c = await check('--repair');
  assert.equal(c.code, 0, c.out);
  assert.match(c.out, /figures: \d+ rows checked, 3 differences: counted afresh/);
  assert.deepEqual(await figures({ unit: 'VN' }), real);
  c = await check();
  assert.equal(c.code, 0, c.out);
  assert.match(c.out, /figures: \d+ rows checked, 0 differences: the figures agree with the members/);
  assert.match(c.out, /stays: 0 outlive their unit\n/);
  // a stay that outlives its unit (written behind the program) counts in no
  // figure after the unit's end: check lists it
  await s.sql("INSERT INTO memberships (person_id, unit_id, kind, valid_from, valid_to, start_reason)"
    + " SELECT (SELECT max(id) FROM persons), id, 'member', '2010-01-01', '9999-12-31', 'joined' FROM units"
    + " WHERE code = '24' AND valid_to < '9999-12-31'");
  c = await check();
  assert.equal(c.code, 1, c.out);
  assert.match(c.out, /member \d+: her stay in 24 goes on, after the unit's last day \(2025-06-30\)/);
  assert.match(c.out, /stays: 1 outlive their unit: transfer each member/);
});
