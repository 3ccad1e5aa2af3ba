// dryrun.test.js - the preview of every reorganisation operation (issue 14,
// item 1): "dry_run": true in the body of create, rename, move, close, merge
// and split runs the whole operation inside a transaction and rolls it back.
// It answers 200 with what would result (the unit or units, the event, the
// children that would move), leaves nothing written (the tables holding
// units, their intervals, events, ancestry and the audit trail are compared
// row for row before and after) and refuses exactly what the real call
// refuses, with the same status and body. The real call afterwards answers
// what the preview said. Runs on the store UNIONBASE_TEST_PG chooses.
//
// Every test makes the state it needs: its own units, or the fixtures
// moved() and merged() (once() each, made by whichever test asks first), so
// that a test passes alone and in any order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.js';

const D1 = '2025-08-01';
const D2 = '2025-09-01';
const NOTE = 'Nghị quyết 202/2025/QH15';

let s;

// once(fn): fn run the first time it is asked for, its promise after that.
function once(fn) {
  let p = null;
  return () => (p ??= fn());
}

const mk = (b) => s.op('/api/v1/units', { date: D1, kind: 'territorial', ...b }, 201);

// A commune with two branches, another commune with one, a third without,
// under 01 from D1: P1 (P1.1, P1.2), P2 (P2.1), P3, for the prefix P.
async function tree(p) {
  await mk({ code: `${p}1`, name_vi: 'Xã Một', name_en: 'Mot Commune', level: 'commune', parent: '01' });
  await mk({ code: `${p}2`, name_vi: 'Xã Hai', name_en: 'Hai Commune', level: 'commune', parent: '01' });
  await mk({ code: `${p}3`, name_vi: 'Xã Ba', name_en: 'Ba Commune', level: 'commune', parent: '01' });
  await mk({ code: `${p}1.1`, name_vi: 'Chi hội 1.1', name_en: 'Branch 1.1', level: 'branch', parent: `${p}1` });
  await mk({ code: `${p}1.2`, name_vi: 'Chi hội 1.2', name_en: 'Branch 1.2', level: 'branch', parent: `${p}1` });
  await mk({ code: `${p}2.1`, name_vi: 'Chi hội 2.1', name_en: 'Branch 2.1', level: 'branch', parent: `${p}2` });
}

before(async () => {
  s = await startServer();
  // the tree the fixtures below change (the tests that preview a rename, a
  // move or a merge before making it have trees of their own)
  await tree('DR');
});
after(async () => { if (s) await s.stop(); });

// DR3 renamed "Xã Ba Mới" and DR2.1 moved under it, both on D2: DR2 is left
// without children, DR3 holds one.
const moved = once(async () => {
  await s.op('/api/v1/units/DR3/rename', { date: D2, name_vi: 'Xã Ba Mới', name_en: 'Ba Moi Commune', note: NOTE }, 200);
  await s.op('/api/v1/units/DR2.1/move', { date: D2, parent: 'DR3', note: NOTE }, 200);
});

// then DR1 and DR2 merged into DR12 on D2: DR1 and DR2 closed, DR12 holds
// DR1.1 and DR1.2.
const merged = once(async () => {
  await moved();
  await s.op('/api/v1/units/merge', { date: D2, sources: ['DR1', 'DR2'], into: { code: 'DR12', name_vi: 'Xã Một Hai', name_en: 'Mot Hai Commune', level: 'commune' }, note: NOTE }, 201);
});

const TABLES = ['units', 'unit_names', 'unit_parents', 'unit_attributes', 'events', 'event_units', 'ancestry', 'audit'];

// Every row of the tables an operation writes, as text, in one total order
// (ORDER BY 1, 2 left ties that PostgreSQL returned in another order).
async function snapshot() {
  const out = {};
  for (const t of TABLES) out[t] = (await s.sql(`SELECT * FROM ${t}`)).split('\n').sort().join('\n');
  return out;
}

async function count(table) {
  return Number((await s.sql(`SELECT count(*) FROM ${table}`)).trim());
}

// preview: POST with dry_run; asserts that nothing changed; returns the answer.
async function preview(path, body) {
  const before = await snapshot();
  const r = await s.post(path, { ...body, dry_run: true });
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 600)}`);
  assert.equal(r.body.dry_run, true);
  assert.deepEqual(await snapshot(), before, `${path}: the preview wrote nothing`);
  return r.body;
}

// sameRefusal: the preview and the real call refuse alike; nothing written.
async function sameRefusal(path, body, status, code) {
  const before = await snapshot();
  const dry = await s.post(path, { ...body, dry_run: true });
  const real = await s.post(path, body);
  assert.equal(real.status, status, `${path} ${JSON.stringify(body)}: ${real.text}`);
  assert.equal(real.body.error.code, code);
  assert.equal(dry.status, real.status, `${path}: the preview's status`);
  assert.deepEqual(dry.body, real.body, `${path}: the preview's refusal is the real call's`);
  assert.deepEqual(await snapshot(), before, `${path}: nothing written`);
}

const unitOnly = ({ id, ...u }) => u; // eslint-disable-line no-unused-vars

test('create: the preview answers the unit and the event, writes nothing; the real call the same unit', async () => {
  const body = { code: 'DR4', name_vi: 'Xã Bốn', name_en: 'Bon Commune', level: 'commune', parent: '01', date: D2, note: NOTE };
  const auditRows = await count('audit');
  const p = await preview('/api/v1/units', body);
  assert.equal(await count('audit'), auditRows, 'no audit row');
  assert.equal(p.unit.code, 'DR4');
  assert.equal(p.unit.parent.code, '01');
  assert.equal(p.event.kind, 'create');
  assert.equal(p.event.date, D2);
  assert.equal(p.event.note, NOTE);
  assert.deepEqual(p.event.targets.map((t) => t.code), ['DR4']);
  assert.equal((await s.get('/api/v1/units/DR4', { as_of: D2 })).status, 404, 'not created');
  const real = await s.op('/api/v1/units', body, 201);
  assert.deepEqual(unitOnly(real), unitOnly(p.unit));
});

test('rename, move, close: previews, then the real calls answer what they showed', async () => {
  // a tree of its own: DE3 not yet renamed, DE2.1 still under DE2
  await tree('DE');
  const rn = await preview('/api/v1/units/DE3/rename', { date: D2, name_vi: 'Xã Ba Mới', name_en: 'Ba Moi Commune', note: NOTE });
  assert.equal(rn.unit.name_vi, 'Xã Ba Mới');
  assert.equal(rn.event.kind, 'rename');
  assert.equal((await s.ok('/api/v1/units/DE3', { as_of: D2 })).name_vi, 'Xã Ba', 'not renamed');
  assert.deepEqual(await s.op('/api/v1/units/DE3/rename', { date: D2, name_vi: 'Xã Ba Mới', name_en: 'Ba Moi Commune', note: NOTE }, 200), rn.unit);

  const mv = await preview('/api/v1/units/DE2.1/move', { date: D2, parent: 'DE3', note: NOTE });
  assert.equal(mv.unit.parent.code, 'DE3');
  assert.equal(mv.event.kind, 'move');
  assert.equal((await s.ok('/api/v1/units/DE2.1', { as_of: D2 })).parent.code, 'DE2', 'not moved');
  assert.deepEqual(await s.op('/api/v1/units/DE2.1/move', { date: D2, parent: 'DE3', note: NOTE }, 200), mv.unit);

  const cl = await preview('/api/v1/units/DE1.2/close', { date: D2 });
  assert.equal(cl.event.kind, 'close');
  assert.equal(cl.unit.code, 'DE1.2');
  assert.equal(cl.unit.valid_until, '2025-08-31');
});

test('merge: the preview lists the children that move and the target; the real merge does it', async () => {
  // a tree of its own, DM2.1 moved to DM3 on the day of the merge
  await tree('DM');
  await s.op('/api/v1/units/DM2.1/move', { date: D2, parent: 'DM3', note: NOTE }, 200);
  const body = { date: D2, sources: ['DM1', 'DM2'], into: { code: 'DM12', name_vi: 'Xã Một Hai', name_en: 'Mot Hai Commune', level: 'commune' }, note: NOTE };
  const p = await preview('/api/v1/units/merge', body);
  assert.equal(p.unit.code, 'DM12');
  assert.equal(p.event.kind, 'merge');
  assert.deepEqual(p.event.sources.map((u) => u.code).sort(), ['DM1', 'DM2']);
  assert.deepEqual(p.event.targets.map((u) => u.code), ['DM12']);
  // DM2.1 is DM3's on that day, not DM2's; DM1's two branches move
  const moved = p.moved.map((m) => `${m.unit.code}:${m.from.code}>${m.to.code}`).sort();
  assert.deepEqual(moved, ['DM1.1:DM1>DM12', 'DM1.2:DM1>DM12']);
  assert.equal((await s.ok('/api/v1/units/DM1.1', { as_of: D2 })).parent.code, 'DM1', 'not moved');
  const real = await s.op('/api/v1/units/merge', body, 201);
  assert.deepEqual(unitOnly(real.unit), unitOnly(p.unit));
  assert.equal((await s.ok('/api/v1/units/DM1.1', { as_of: D2 })).parent.code, 'DM12');
});

test('split: the preview gives the new units and where each child goes', async () => {
  await merged();
  const body = {
    date: '2025-10-01',
    into: [{ code: 'DR12A', name_vi: 'Xã A', name_en: 'A Commune', level: 'commune' }, { code: 'DR12B', name_vi: 'Xã B', name_en: 'B Commune', level: 'commune' }],
    children: { 'DR1.1': 'DR12A', 'DR1.2': 'DR12B' },
    note: NOTE,
  };
  const p = await preview('/api/v1/units/DR12/split', body);
  assert.deepEqual(p.units.map((u) => u.code), ['DR12A', 'DR12B']);
  assert.equal(p.event.kind, 'split');
  const moved = p.moved.map((m) => `${m.unit.code}:${m.from.code}>${m.to.code}`).sort();
  assert.deepEqual(moved, ['DR1.1:DR12>DR12A', 'DR1.2:DR12>DR12B']);
});

test('merge into one of the sources: its own children are not listed as moving', async () => {
  await merged();
  // DR3 holds DR2.1 (moved there by moved()); DR12's children move to DR3
  const p = await preview('/api/v1/units/merge', { date: '2025-09-10', sources: ['DR12', 'DR3'], into: 'DR3' });
  const moved = p.moved.map((m) => `${m.unit.code}:${m.from.code}>${m.to.code}`).sort();
  assert.deepEqual(moved, ['DR1.1:DR12>DR3', 'DR1.2:DR12>DR3']);
});

test('split: two new units with one code are refused at the second one\'s code', async () => {
  await merged();
  const r = await s.post('/api/v1/units/DR12/split', {
    date: '2025-10-01', dry_run: true,
    into: [{ code: 'DR12A', name_vi: 'Xã A', name_en: 'A Commune', level: 'commune' }, { code: 'DR12A', name_vi: 'Xã B', name_en: 'B Commune', level: 'commune' }],
    children: { 'DR1.1': 'DR12A', 'DR1.2': 'DR12A' },
  });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.error.details.map((d) => [d.field, d.code]), [['into[1].code', 'duplicate']]);
});

test('refusals: the preview refuses what the real call refuses, with the same answer', async () => {
  // DR12 holding DR1.1 and DR1.2, DR1 closed, DR3 named "Xã Ba Mới" holding DR2.1
  await merged();
  // a code taken
  await sameRefusal('/api/v1/units', { code: 'DR12', name_vi: 'X', name_en: 'X', level: 'commune', parent: '01', date: D2 }, 409, 'code_taken');
  // closing a unit with children
  await sameRefusal('/api/v1/units/DR12/close', { date: '2025-09-15' }, 409, 'has_children');
  // a branch under a branch
  await sameRefusal('/api/v1/units/DR1.1/move', { date: '2025-09-15', parent: 'DR2.1' }, 409, 'level_order');
  // a merge of a closed unit
  await sameRefusal('/api/v1/units/merge', { date: '2025-09-15', sources: ['DR1', 'DR3'], into: 'DR3' }, 409, 'unit_closed');
  // a split leaving a child unassigned
  await sameRefusal('/api/v1/units/DR12/split', {
    date: '2025-09-15',
    into: [{ code: 'DRX', name_vi: 'Xã X', name_en: 'X', level: 'commune' }, { code: 'DRY', name_vi: 'Xã Y', name_en: 'Y', level: 'commune' }],
    children: { 'DR1.1': 'DRX' },
  }, 422, 'invalid');
  // the same name
  await sameRefusal('/api/v1/units/DR3/rename', { date: '2025-09-20', name_vi: 'Xã Ba Mới', name_en: 'Ba Moi Commune' }, 422, 'invalid');
  // nowhere
  await sameRefusal('/api/v1/units/ZZ404/close', { date: D2 }, 404, 'not_found');
});

test('dry_run must be true or false', async () => {
  // a unit of its own, which the real rename below changes
  await mk({ code: 'DR8', name_vi: 'Xã Tám', name_en: 'Tam Commune', level: 'commune', parent: '01' });
  const r = await s.post('/api/v1/units/DR8/close', { date: D2, dry_run: 'yes' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.error.details.map((d) => [d.field, d.code]), [['dry_run', 'not_a_boolean']]);
  const f = await s.post('/api/v1/units/DR8/rename', { date: '2025-09-25', name_vi: 'Xã Tám Mới', name_en: 'Tam Moi Commune', dry_run: false });
  assert.equal(f.status, 200, 'dry_run false: the real call');
  assert.equal(f.body.dry_run, undefined);
  assert.equal((await s.ok('/api/v1/units/DR8', { as_of: '2025-09-25' })).name_vi, 'Xã Tám Mới', 'renamed');
});

test('scope: a commune admin previews only what she may do, refused as the real call is', async () => {
  // DR12, the unit she is admin of, holding DR1.1
  await merged();
  const pw = 'Dry-run-pw-2025';
  await s.op('/api/v1/users', { username: 'dr.admin', display_name: 'Dry Run', unit: 'DR12', roles: ['admin'], password: pw }, 201);
  const l = await s.login('dr.admin', pw);
  assert.equal(l.status, 200);
  const as = { cookie: l.cookie, csrf: l.csrf };
  // her own unit: changed only from above (404, as for a unit she cannot see)
  const own = { date: '2025-09-20', name_vi: 'Xã Khác', name_en: 'Other' };
  const dry = await s.post('/api/v1/units/DR12/rename', { ...own, dry_run: true }, as);
  const real = await s.post('/api/v1/units/DR12/rename', own, as);
  assert.equal(real.status, 404);
  assert.deepEqual(dry.body, real.body);
  // a branch of hers: previewed
  const ok = await s.post('/api/v1/units/DR1.1/rename', { ...own, name_vi: 'Chi hội mới', dry_run: true }, as);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.unit.name_vi, 'Chi hội mới');
});
