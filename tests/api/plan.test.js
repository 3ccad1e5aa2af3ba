// plan.test.js - a plan of reorganisation operations through the API
// (issue 14, item 1): POST /api/v1/units/plan takes the CSV `units apply`
// reads. A preview (dry_run) runs every operation and writes nothing; the
// real call applies all of them in one transaction, in date order; a plan
// with one refused operation writes none and names the line; a file that is
// not an operations file is refused line by line before anything runs; and
// each operation is checked against the caller's scope as its own route
// checks it, counting the units an earlier line of the plan created. Runs on
// the store UNIONBASE_TEST_PG chooses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './server.js';

const D1 = '2025-08-01';
const D2 = '2025-09-01';
const NOTE = 'Nghị quyết 1656/NQ-UBTVQH15';
const HEADER = 'op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note';

let s;
let lan; // an admin of province 24
before(async () => {
  s = await startServer();
  const mk = (b) => s.op('/api/v1/units', { date: D1, kind: 'territorial', ...b }, 201);
  await mk({ code: 'PL1', name_vi: 'Xã Một', name_en: 'Mot Commune', level: 'commune', parent: '24' });
  await mk({ code: 'PL2', name_vi: 'Xã Hai', name_en: 'Hai Commune', level: 'commune', parent: '24' });
  await mk({ code: 'PL3', name_vi: 'Xã Ba', name_en: 'Ba Commune', level: 'commune', parent: '24' });
  await mk({ code: 'PL1.1', name_vi: 'Chi hội 1.1', name_en: 'Branch 1.1', level: 'branch', parent: 'PL1' });
  await mk({ code: 'PL2.1', name_vi: 'Chi hội 2.1', name_en: 'Branch 2.1', level: 'branch', parent: 'PL2' });
  await mk({ code: 'OT1', name_vi: 'Xã Khác', name_en: 'Other Commune', level: 'commune', parent: '01' });
  const pw = 'Lan-mat-khau-2025';
  const r = await s.post('/api/v1/users', { username: 'lan.plan', display_name: 'Trần Thị Lan', unit: '24', roles: ['admin'], password: pw });
  assert.equal(r.status, 201, r.text);
  const l = await s.login('lan.plan', pw);
  lan = { cookie: l.cookie, csrf: l.csrf };
});
after(async () => { if (s) await s.stop(); });

const TABLES = ['units', 'unit_names', 'unit_parents', 'events', 'event_units', 'ancestry', 'audit'];
async function snapshot() {
  const out = {};
  for (const t of TABLES) out[t] = (await s.sql(`SELECT * FROM ${t}`)).split('\n').sort().join('\n');
  return out;
}

const csv = (...rows) => [HEADER, ...rows].join('\n') + '\n';
const D3 = '2025-10-01';
// The 2025 way, written out of order: a rename dated after the merge that
// creates its unit (line 2), two communes merged into a new one (line 3), a
// branch created under the new commune (line 4), a third commune's
// attributes changed (line 5, which records no event).
const PLAN = csv(
  `rename,${D3},PLM,Phường Mới,Moi Ward,,,,,,${NOTE}`,
  `merge,${D2},PLM,Xã Mới,Moi Commune,commune,territorial,,,PL1 PL2,${NOTE}`,
  `create,${D2},PLM.9,Chi hội 9,Branch 9,branch,territorial,,PLM,,`,
  `attributes,${D2},PL3,,,,,urban,,,`,
);

function checkPlanAnswer(b, dry) {
  assert.equal(b.dry_run, dry);
  assert.equal(b.count, 4);
  assert.deepEqual(b.operations.map((o) => [o.line, o.op, o.date, o.code]),
    [[3, 'merge', D2, 'PLM'], [4, 'create', D2, 'PLM.9'], [5, 'attributes', D2, 'PL3'], [2, 'rename', D3, 'PLM']]);
  const [merge, create, attrs, rename] = b.operations;
  assert.equal(merge.event.kind, 'merge');
  assert.equal(merge.event.note, NOTE);
  assert.deepEqual(merge.event.sources.map((u) => u.code).sort(), ['PL1', 'PL2']);
  assert.deepEqual(merge.event.targets.map((u) => u.code), ['PLM']);
  assert.deepEqual(merge.moved.map((m) => [m.unit.code, m.from.code, m.to.code]).sort(),
    [['PL1.1', 'PL1', 'PLM'], ['PL2.1', 'PL2', 'PLM']]);
  assert.equal(create.event.kind, 'create');
  assert.deepEqual(create.moved, []);
  assert.equal(attrs.event, null);
  assert.equal(rename.event.kind, 'rename');
  assert.equal(rename.event.targets[0].name_vi, 'Phường Mới');
}

test('a preview runs every operation in date order, answers what each did and writes nothing', async () => {
  const before = await snapshot();
  const r = await s.post('/api/v1/units/plan', { csv: PLAN, dry_run: true });
  assert.equal(r.status, 200, r.text);
  checkPlanAnswer(r.body, true);
  assert.deepEqual(await snapshot(), before, 'the preview wrote nothing');
  assertError(await s.get('/api/v1/units/PLM', { as_of: D2 }), 404, 'not_found');
});

test('a refused operation stops the plan: nothing is written, the error names its line', async () => {
  const before = await snapshot();
  // line 2 is fine; line 3 takes a code PL1.1 holds
  const bad = csv(`rename,${D2},PL3,Xã Ba Mới,Ba Moi Commune,,,,,,`, `create,${D2},PL1.1,Chi hội trùng,Duplicate Branch,branch,territorial,,PL3,,`);
  for (const dry_run of [true, false]) {
    const r = await s.post('/api/v1/units/plan', { csv: bad, dry_run });
    const e = assertError(r, 409, 'code_taken');
    assert.equal(e.line, 3);
    assert.equal(e.value, 'PL1.1');
    assert.deepEqual(await snapshot(), before, `dry_run ${dry_run}: nothing written`);
  }
});

test('the real call applies the whole plan in one transaction', async () => {
  const r = await s.post('/api/v1/units/plan', { csv: PLAN });
  assert.equal(r.status, 200, r.text);
  checkPlanAnswer(r.body, false);
  const m = await s.ok('/api/v1/units/PLM', { as_of: D3 });
  assert.equal(m.name_vi, 'Phường Mới');
  const kids = await s.ok('/api/v1/units/PLM/children', { as_of: D2 });
  assert.deepEqual(kids.items.map((u) => u.code).sort(), ['PL1.1', 'PL2.1', 'PLM.9']);
  assertError(await s.get('/api/v1/units/PL1', { as_of: D2 }), 404, 'not_found');
  const ev = await s.ok('/api/v1/events', { unit: 'PLM', as_of: D3 });
  assert.deepEqual(ev.items.map((e) => e.kind).sort(), ['merge', 'rename']);
  // a branch the merger handed to the new commune lists it too: one click
  // from every unit it touched
  const branch = await s.ok('/api/v1/events', { unit: 'PL1.1', as_of: D2 });
  assert.deepEqual(branch.items.map((e) => [e.kind, e.date]), [['merge', D2], ['create', D1]]);
  const page = await s.ok('/api/v1/units/PL2.1', { as_of: D2 });
  assert.deepEqual(page.events.map((e) => e.kind).sort(), ['create', 'merge']);
  // an officer of the branch alone: the merger names nothing she may see,
  // so it is not listed (found by review: it came as an event naming nothing)
  const pw = 'Chi-hoi-mat-khau-2025';
  assert.equal((await s.post('/api/v1/users', { username: 'bra.plan', display_name: 'Lê Thị Bình', unit: 'PL1.1', roles: ['viewer'], password: pw })).status, 201);
  const b = await s.login('bra.plan', pw);
  const mine = await s.get('/api/v1/events', { unit: 'PL1.1', as_of: D2 }, { cookie: b.cookie });
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.body.items.map((e) => e.kind), ['create']);
  const own = await s.get('/api/v1/units/PL1.1', { as_of: D2 }, { cookie: b.cookie });
  assert.deepEqual(own.body.events.map((e) => e.kind), ['create']);
  // applying it again is refused at its first line: PL1 has ended
  const again = assertError(await s.post('/api/v1/units/plan', { csv: PLAN }), 409, 'unit_closed');
  assert.equal(again.line, 3);
});

test('a file that is not an operations file is refused line by line before anything runs', async () => {
  const before = await snapshot();
  const rows = assertError(await s.post('/api/v1/units/plan', {
    csv: csv(`fuse,${D2},PL3,,,,,,,,`, `rename,2025-02-30,PL3,A,B,,,,,,`, `close,${D2},${'X'.repeat(80)},,,,,,,,`),
  }), 422, 'invalid');
  assert.equal(rows.count, 3);
  const at = (f) => rows.details.find((d) => d.field === f);
  assert.deepEqual([at('line 2, op').code, at('line 2, op').line, at('line 2, op').column, at('line 2, op').value], ['not_one_of', 2, 'op', 'fuse']);
  assert.deepEqual([at('line 3, date').code, at('line 3, date').value], ['not_a_date', '2025-02-30']);
  assert.equal(at('line 4, code').code, 'too_many_bytes');
  const quote = assertError(await s.post('/api/v1/units/plan', { csv: csv(`rename,${D2},PL3,"Xã Ba,B,,,,,,`) }), 400, 'csv_unclosed_quote');
  assert.equal(quote.line, 2);
  const col = assertError(await s.post('/api/v1/units/plan', { csv: 'op,date,code,sourcse\n' }), 422, 'unknown_column');
  assert.deepEqual([col.line, col.column, col.name, col.suggestion], [1, 4, 'sourcse', 'sources']);
  assertError(await s.post('/api/v1/units/plan', { csv: 'op,date\n' }), 422, 'missing_column');
  assertError(await s.post('/api/v1/units/plan', { csv: '' }), 400, 'csv_empty');
  const twice = assertError(await s.post('/api/v1/units/plan', { csv: 'op,date,code,op\n' }), 400, 'csv_duplicate_column');
  assert.deepEqual([twice.line, twice.column, twice.first], [1, 4, 1]);
  const extra = assertError(await s.post('/api/v1/units/plan', { csv: csv(`close,${D2},PL3,,,,,,,,,x`) }), 400, 'csv_extra_field');
  assert.deepEqual([extra.line, extra.columns], [2, 11]);
  const none = assertError(await s.post('/api/v1/units/plan', { dry_run: 'yes' }), 422, 'invalid');
  assert.deepEqual(none.details.map((d) => [d.field, d.code]).sort(), [['csv', 'required'], ['dry_run', 'not_a_boolean']]);
  assertError(await s.post('/api/v1/units/plan', { csv: ['x'] }), 422, 'invalid');
  assert.deepEqual(await snapshot(), before);
});

test("each operation is checked against the caller's scope, counting units the plan created", async () => {
  const before = await snapshot();
  const as = (body) => s.post('/api/v1/units/plan', body, { cookie: lan.cookie, csrf: lan.csrf });
  // in her province: a commune created, then a branch under it, then renamed
  const mine = csv(`create,${D2},PL4,Xã Bốn,Bon Commune,commune,territorial,,24,,`,
    `create,${D2},PL4.1,Chi hội 4.1,Branch 4.1,branch,territorial,,PL4,,`,
    `rename,${D3},PL4.1,Chi hội Bốn Một,Branch Four One,,,,,,`);
  const ok = await as({ csv: mine, dry_run: true });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.count, 3);
  // a commune of another province, as if it did not exist, at its line
  const other = assertError(await as({ csv: csv(`rename,${D2},PL3,Xã Ba Mới,Ba Moi Commune,,,,,,`, `merge,${D2},PLX,Xã X,X Commune,commune,territorial,,,PL3 OT1,`) }), 404, 'not_found');
  assert.equal(other.line, 3);
  assert.equal(other.ref, 'OT1');
  // her own province is changed from above
  assert.equal(assertError(await as({ csv: csv(`rename,${D2},24,Tỉnh Khác,Other Province,,,,,,`) }), 404, 'not_found').line, 2);
  // a parent outside her scope, or none (a new root)
  const parent = assertError(await as({ csv: csv(`move,${D2},PL3,,,,,,01,,`) }), 422, 'invalid');
  assert.equal(parent.line, 2);
  assert.deepEqual(parent.details.map((d) => [d.field, d.code]), [['parent', 'not_found']]);
  const root = assertError(await as({ csv: csv(`create,${D2},PLR,Gốc,Root,central,territorial,,,,`) }), 422, 'invalid');
  assert.deepEqual(root.details.map((d) => [d.field, d.code]), [['parent', 'required']]);
  // a code held outside her scope: refused at its line, the holder unnamed
  const taken = assertError(await as({ csv: csv(`rename,${D2},PL3,Xã Ba Mới,Ba Moi Commune,,,,,,`, `create,${D2},OT1,Xã Trùng,Dup Commune,commune,territorial,,24,,`) }), 409, 'code_taken');
  assert.equal(taken.line, 3);
  assert.equal(taken.name, undefined);
  assert.deepEqual(await snapshot(), before, 'nothing written');
});

test('a merge is refused when a unit that comes under a source later lies outside her scope today', async () => {
  // found by review: the merge re-parents every later stay under its
  // sources, so it would rewrite the history of a branch now in Hà Nội
  const mk = (b) => s.op('/api/v1/units', { date: D1, kind: 'territorial', ...b }, 201);
  await mk({ code: 'PX1', name_vi: 'Xã X1', name_en: 'X1 Commune', level: 'commune', parent: '24' });
  await mk({ code: 'PX2', name_vi: 'Xã X2', name_en: 'X2 Commune', level: 'commune', parent: '24' });
  await mk({ code: 'FX', name_vi: 'Chi hội FX', name_en: 'FX Branch', level: 'branch', parent: 'OT1' });
  await s.op('/api/v1/units/FX/move', { date: '2025-11-01', parent: 'PX1' });
  await s.op('/api/v1/units/FX/move', { date: '2025-12-01', parent: 'OT1' });
  const before = await snapshot();
  const as = (p, body) => s.post(p, body, { cookie: lan.cookie, csrf: lan.csrf });
  const plan = assertError(await as('/api/v1/units/plan', { csv: csv(`merge,2025-10-15,PXM,Xã XM,XM Commune,commune,territorial,,,PX1 PX2,`) }), 403, 'children_out_of_scope');
  assert.deepEqual([plan.line, plan.count], [2, 1]);
  const body = { date: '2025-10-15', sources: ['PX1', 'PX2'], into: { code: 'PXM', name_vi: 'Xã XM', name_en: 'XM Commune', level: 'commune' } };
  assert.equal(assertError(await as('/api/v1/units/merge', { ...body, dry_run: true }), 403, 'children_out_of_scope').count, 1);
  assertError(await as('/api/v1/units/merge', body), 403, 'children_out_of_scope');
  assertError(await as('/api/v1/units/PX1/split', { date: '2025-10-15', into: [{ code: 'PXA', name_vi: 'Xã A', name_en: 'A', level: 'commune' }, { code: 'PXB', name_vi: 'Xã B', name_en: 'B', level: 'commune' }], children: {} }), 403, 'children_out_of_scope');
  assert.deepEqual(await snapshot(), before, 'nothing written');
});
