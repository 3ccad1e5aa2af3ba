// invariants.test.js - every reorganisation invariant tried through the API.
//
// Each case sends an operation that would break one invariant (cycle,
// parent_not_valid, two_parents, date_out_of_range, level_order, code_taken,
// has_children, unit_closed) or a split/merge the contract calls invalid, expects
// the documented 4xx and error code, and then proves that nothing changed: the
// affected units on several dates, the children of their parents, the lists
// and every event are compared with a snapshot taken before.
//
// Fixtures, on a plain `init`, under 01 (Hà Nội) from 2025-08-01:
//   T1000 commune > T1000-1 branch > T1000-1-1 group
//   T1001 commune, moved to 04 on 2025-10-01
//   T1002 commune, closed on 2025-09-01 (last day 2025-08-31)
//   T1003 commune > T1003-1 branch;  T1004 commune
//   T1005 commune > T1005-1, T1005-2 branches
//   T1006 commune from 2025-09-01, renamed on 2025-10-01
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { startServer, assertError } from './server.js';

const D1 = '2025-08-01';
const D3 = '2025-10-01';
const D4 = '2025-11-01';
const BEFORE = '2025-07-15';
const DATES = ['2025-06-01', BEFORE, D1, '2025-09-15', D3, D4];

let s;
const id = {};

async function create(spec) {
  const u = await s.op('/api/v1/units', { date: D1, kind: 'territorial', ...spec }, 201);
  id[u.code] = u.id;
  return u;
}
const commune = (code, parent = '01') => create({ code, name_vi: `Xã ${code}`, name_en: `${code} Commune`, level: 'commune', parent });
const branch = (code, parent) => create({ code, name_vi: `Chi hội ${code}`, name_en: `Branch ${code}`, level: 'branch', parent });

before(async () => {
  s = await startServer();
  await commune('T1000');
  await branch('T1000-1', 'T1000');
  await create({ code: 'T1000-1-1', name_vi: 'Tổ 1', name_en: 'Group 1', level: 'group', parent: 'T1000-1' });
  await commune('T1001');
  await s.op('/api/v1/units/T1001/move', { date: D3, parent: '04' }, 200);
  await commune('T1002');
  await s.op('/api/v1/units/T1002/close', { date: '2025-09-01' }, 200);
  await commune('T1003');
  await branch('T1003-1', 'T1003');
  await commune('T1004');
  await commune('T1005');
  await branch('T1005-1', 'T1005');
  await branch('T1005-2', 'T1005');
  await create({ code: 'T1006', name_vi: 'Xã T1006', name_en: 'T1006 Commune', level: 'commune', parent: '01', date: '2025-09-01' });
  await s.op('/api/v1/units/T1006/rename', { date: D3, name_vi: 'Phường T1006', name_en: 'T1006 Ward' }, 200);
  for (const [key, code, as_of] of [['VN', 'VN', D1], ['01', '01', D1], ['04', '04', D1], ['11', '11', D1],
    ['old24', '24', '2025-06-01'], ['old27', '27', '2025-06-01'], ['new24', '24', '2025-07-01']]) {
    id[key] = (await s.ok(`/api/v1/units/${code}`, { as_of })).id;
  }
});
after(async () => { if (s) await s.stop(); });

// Runs fns with at most n at a time; resolves to their results in order.
async function pool(fns, n = 8) {
  const out = new Array(fns.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, fns.length) }, async () => {
    while (next < fns.length) {
      const i = next++;
      out[i] = await fns[i]();
    }
  }));
  return out;
}

// Everything an operation on the fixtures could change.
async function snapshot() {
  const jobs = [];
  for (const [key, uid] of Object.entries(id)) {
    for (const as_of of DATES) {
      jobs.push([`${key}@${as_of}`, async () => {
        const r = await s.get(`/api/v1/units/id:${uid}`, { as_of });
        assert.ok(r.status === 200 || r.status === 404, `GET id:${uid} -> ${r.status}`);
        return r.status === 200 ? r.body : 404;
      }]);
    }
  }
  for (const as_of of DATES) {
    for (const level of ['commune', 'branch', 'province']) {
      jobs.push([`${level}@${as_of}`, () => s.all('/api/v1/units', { level, as_of })]);
    }
  }
  for (const code of ['T1000', 'T1003', 'T1005']) {
    jobs.push([`lineage ${code}`, () => s.ok(`/api/v1/units/${code}/lineage`, { as_of: D3 })]);
  }
  jobs.push(['events', () => s.all('/api/v1/events', {})]);
  const values = await pool(jobs.map(([, f]) => f));
  return Object.fromEntries(jobs.map(([k], i) => [k, values[i]]));
}

test('fixtures are in place', async () => {
  const baseline = await snapshot();
  assert.equal(baseline[`T1001@${D3}`].parent.code, '04');
  assert.equal(baseline[`T1002@${D1}`].valid_until, '2025-08-31');
  assert.equal(baseline['T1002@2025-09-15'], 404);
  assert.equal(baseline[`T1000@${D1}`].child_count, 1);
});

// [name, method path, body (or a function giving it), status, code(s), check(error)?]
const newCommune = (code, extra = {}) => ({ code, name_vi: `Xã ${code}`, name_en: `${code} Commune`, level: 'commune', ...extra });
const CASES = [
  // cycle: a unit cannot become its own ancestor
  ['cycle: move a commune under its own grandchild', '/api/v1/units/T1000/move', { date: D4, parent: 'T1000-1-1' }, 409, 'cycle'],
  ['cycle: move a commune under its child (by id)', '/api/v1/units/T1000/move', () => ({ date: D4, parent: `id:${id['T1000-1']}` }), 409, 'cycle'],
  ['cycle: move a unit under itself', '/api/v1/units/T1000/move', { date: D4, parent: 'T1000' }, 409, 'cycle'],

  // parent_not_valid: the parent must exist on the date, and for a create for the rest of the unit's life
  ['parent_not_valid: create under the old Bắc Ninh, which ends on 2025-06-30', '/api/v1/units',
    { ...newCommune('T1100'), parent: '27', date: '2025-06-01' }, 409, 'parent_not_valid'],
  ['parent_not_valid: create under a unit closed before the date', '/api/v1/units',
    { ...newCommune('T1101'), parent: 'T1002', date: D3 }, 409, 'parent_not_valid'],
  ['parent_not_valid: create under a unit that closes while the new one lives on', '/api/v1/units',
    { code: 'T1102', name_vi: 'Chi hội T1102', name_en: 'Branch T1102', level: 'branch', parent: 'T1002', date: '2025-08-15' }, 409, 'parent_not_valid'],
  ['parent_not_valid: move under the old Bắc Ninh (27), gone since 2025-06-30', '/api/v1/units/T1004/move',
    { date: D4, parent: '27' }, 409, 'parent_not_valid'],
  ['parent_not_valid: move under a unit that does not exist yet', '/api/v1/units/T1004/move',
    { date: '2025-08-15', parent: 'T1006' }, 409, 'parent_not_valid'],

  // two_parents: one parent on any day
  ['two_parents: a second move on the day of a recorded move', '/api/v1/units/T1001/move', { date: D3, parent: '11' }, 409, 'two_parents'],

  // date_out_of_range: no operation before the unit exists (naming it by id, since its code does not resolve then)
  ['date_out_of_range: rename before the unit exists', '/api/v1/units/id:{T1000}/rename',
    { date: BEFORE, name_vi: 'Xã Sớm', name_en: 'Som Commune' }, 409, 'date_out_of_range'],
  ['date_out_of_range: move before the unit exists', '/api/v1/units/id:{T1000}/move', { date: BEFORE, parent: '04' }, 409, 'date_out_of_range'],
  ['date_out_of_range: close before the unit exists', '/api/v1/units/id:{T1000-1-1}/close', { date: BEFORE }, 409, 'date_out_of_range'],
  ['date_out_of_range: merge sources before they exist', '/api/v1/units/merge',
    { date: BEFORE, sources: ['T1003', 'T1004'], into: newCommune('T1107') }, 409, 'date_out_of_range'],
  ['date_out_of_range: rename before the unit exists, by code', '/api/v1/units/T1000/rename',
    { date: BEFORE, name_vi: 'Xã Sớm', name_en: 'Som Commune' }, 409, 'date_out_of_range'],
  ['date_out_of_range: split before the unit exists', '/api/v1/units/id:{T1005}/split',
    { date: BEFORE, into: [newCommune('T1108'), newCommune('T1109')], children: {} }, 409, 'date_out_of_range'],

  // level_order: a child's level is below its parent's
  ['level_order: a province under a commune', '/api/v1/units',
    { code: 'T1103', name_vi: 'Tỉnh Sai', name_en: 'Wrong Province', level: 'province', parent: 'T1000', date: D4 }, 409, 'level_order'],
  ['level_order: a commune under a commune', '/api/v1/units', { ...newCommune('T1104'), parent: 'T1000', date: D4 }, 409, 'level_order'],
  ['level_order: a central unit under the central union', '/api/v1/units',
    { code: 'T1105', name_vi: 'Trung ương Hai', name_en: 'Second Centre', level: 'central', parent: 'VN', date: D4 }, 409, 'level_order'],
  ['level_order: move a commune under a branch', '/api/v1/units/T1004/move', { date: D4, parent: 'T1000-1' }, 409, 'level_order'],
  ['level_order: move a branch under another branch', '/api/v1/units/T1003-1/move', { date: D4, parent: 'T1005-1' }, 409, 'level_order'],
  ['level_order: merge into a new province under a province', '/api/v1/units/merge',
    { date: D4, sources: ['T1003', 'T1004'], into: { code: 'T1110', name_vi: 'Tỉnh Gộp', name_en: 'Merged Province', level: 'province' } }, 409, 'level_order'],
  ['level_order: split into provinces under a province', '/api/v1/units/T1005/split',
    { date: D4, into: [{ ...newCommune('T1111'), level: 'province' }, { ...newCommune('T1112'), level: 'province' }],
      children: { 'T1005-1': 'T1111', 'T1005-2': 'T1112' } }, 409, 'level_order'],

  // code_taken: a code names one unit on any one date
  ['code_taken: create with the code of a live commune', '/api/v1/units', { ...newCommune('T1000'), parent: '01', date: D4 }, 409, 'code_taken'],
  ['code_taken: create with a province code', '/api/v1/units', { ...newCommune('01'), parent: '01', date: D4 }, 409, 'code_taken'],
  ['code_taken: create before the holder exists, overlapping it afterwards', '/api/v1/units',
    { ...newCommune('T1000'), parent: '01', date: BEFORE }, 409, 'code_taken'],
  ['code_taken: create 24 while it is Bắc Giang', '/api/v1/units', { ...newCommune('24'), parent: '01', date: '2025-06-01' }, 409, 'code_taken'],
  ['code_taken: merge into a new unit with the code of another live unit', '/api/v1/units/merge',
    { date: D4, sources: ['T1003', 'T1004'], into: newCommune('T1001') }, 409, 'code_taken'],
  ['code_taken: split into a part with the code of a live unit', '/api/v1/units/T1005/split',
    { date: D4, into: [newCommune('T1000'), newCommune('T1113')], children: { 'T1005-1': 'T1000', 'T1005-2': 'T1113' } }, 409, 'code_taken'],

  // has_children: a unit with children on the date cannot be closed
  ['has_children: close a commune with a branch', '/api/v1/units/T1000/close', { date: D4 }, 409, 'has_children'],
  ['has_children: close a branch with a group', '/api/v1/units/T1000-1/close', { date: D4 }, 409, 'has_children'],
  ['has_children: close a province', '/api/v1/units/01/close', { date: D4 }, 409, 'has_children'],
  ['has_children: close the central union', '/api/v1/units/VN/close', { date: D4 }, 409, 'has_children'],

  // unit_closed: operations on a unit that does not exist on that date
  ['unit_closed: rename a closed unit', '/api/v1/units/T1002/rename', { date: D3, name_vi: 'Xã Muộn', name_en: 'Muon Commune' }, 409, 'unit_closed'],
  ['unit_closed: move a closed unit', '/api/v1/units/T1002/move', { date: D3, parent: '04' }, 409, 'unit_closed'],
  ['unit_closed: close a closed unit', '/api/v1/units/T1002/close', { date: D3 }, 409, 'unit_closed'],
  ['unit_closed: split a closed unit', '/api/v1/units/T1002/split', { date: D3, into: [newCommune('T1114'), newCommune('T1115')], children: {} }, 409, 'unit_closed'],
  ['unit_closed: merge a closed source', '/api/v1/units/merge', { date: D3, sources: ['T1002', 'T1003'], into: newCommune('T1116') }, 409, 'unit_closed'],
  ['unit_closed: merge into a closed unit', '/api/v1/units/merge', { date: D3, sources: ['T1003', 'T1004'], into: 'T1002' }, 409, 'unit_closed'],
  ['unit_closed: rename the old province 27 after the reform', '/api/v1/units/27/rename',
    { date: '2025-07-01', name_vi: 'Bắc Ninh Cũ', name_en: 'Old Bac Ninh' }, 409, 'unit_closed'],
  // a second change of the same kind on the same day: the contract lists no code for
  // it; any documented 409 code is accepted (see the report)
  ['same_day_change: a second rename on the day of a recorded rename', '/api/v1/units/T1006/rename', { date: D3, name_vi: 'Phường Khác', name_en: 'Other Ward' }, 409,
    'same_day_change'],
  // after its end, by id: both readings of the contract are allowed (see the report)
  ['unit_closed: rename a closed unit by id', '/api/v1/units/id:{T1002}/rename',
    { date: D3, name_vi: 'Xã Muộn', name_en: 'Muon Commune' }, 409, ['unit_closed', 'date_out_of_range']],

  // invalid (422): a split must place every child; a merge needs sources
  ['invalid: split without placing every child', '/api/v1/units/T1005/split',
    { date: D4, into: [newCommune('T1117'), newCommune('T1118')], children: { 'T1005-1': 'T1117' } }, 422, 'invalid',
    (e) => assert.ok(e.details.some((d) => `${d.field} ${d.message}`.includes('T1005-2')), `details name the unassigned child: ${JSON.stringify(e.details)}`)],
  ['invalid: split without any children mapping', '/api/v1/units/T1005/split',
    { date: D4, into: [newCommune('T1117'), newCommune('T1118')] }, 422, 'invalid',
    (e) => {
      const text = JSON.stringify(e.details);
      assert.ok(text.includes('T1005-1') && text.includes('T1005-2'), `details name both unassigned children: ${text}`);
    }],
  ['invalid: split mapping a child to a code not in into', '/api/v1/units/T1005/split',
    { date: D4, into: [newCommune('T1117'), newCommune('T1118')], children: { 'T1005-1': 'T1117', 'T1005-2': 'T9999' } }, 422, 'invalid'],
  ['invalid: merge without sources', '/api/v1/units/merge', { date: D4, into: newCommune('T1119') }, 422, 'invalid',
    (e) => assert.ok(e.details.some((d) => d.field === 'sources'), JSON.stringify(e.details))],
  ['invalid: create without name_vi', '/api/v1/units', { code: 'T1120', name_en: 'X', level: 'commune', parent: '01', date: D4 }, 422, 'invalid',
    (e) => assert.ok(e.details.some((d) => d.field === 'name_vi'), JSON.stringify(e.details))],
];

for (const [name, pathT, bodyT, status, code, check] of CASES) {
  test(name, async () => {
    const p = pathT.replace(/\{([^}]+)\}/g, (_, k) => { assert.ok(id[k], `fixture ${k}`); return id[k]; });
    const body = typeof bodyT === 'function' ? bodyT() : bodyT;
    const before = await snapshot();
    const r = await s.post(p, body);
    const now = await snapshot();
    const changed = Object.keys(before).filter((k) => !isDeepStrictEqual(now[k], before[k]));
    const e = assertError(r, status, code, `POST ${p} ${JSON.stringify(body)}:`);
    if (check) check(e);
    for (const k of Object.keys(before)) {
      assert.deepEqual(now[k], before[k], `${k} changed after a refused operation (changed: ${changed.join(', ')})`);
    }
    assert.deepEqual(Object.keys(now), Object.keys(before));
  });
}

test('the same operations succeed when they are right (on a copy of the fixtures)', async () => {
  // units like the fixtures, of this test's own (the refusals above keep theirs)
  await commune('T2000');
  await branch('T2000-1', 'T2000');
  await create({ code: 'T2000-1-1', name_vi: 'Tổ 1', name_en: 'Group 1', level: 'group', parent: 'T2000-1' });
  await commune('T2003');
  await branch('T2003-1', 'T2003');
  await commune('T2004');
  await commune('T2005');
  await branch('T2005-1', 'T2005');
  await branch('T2005-2', 'T2005');
  const r = await s.op('/api/v1/units/T2000-1-1/close', { date: D4 }, 200);
  assert.equal(r.valid_until, '2025-10-31');
  await s.op('/api/v1/units/T2000-1/close', { date: D4 }, 200);
  await s.op('/api/v1/units/T2000/close', { date: D4 }, 200);
  const m = await s.op('/api/v1/units/merge', { date: D4, sources: ['T2003', 'T2004'], into: newCommune('T2121') }, 201);
  assert.equal(m.unit.child_count, 1);
  const sp = await s.op('/api/v1/units/T2005/split', {
    date: D4, into: [newCommune('T2122'), newCommune('T2123')], children: { 'T2005-1': 'T2122', 'T2005-2': 'T2123' },
  }, 201);
  assert.equal(sp.units.length, 2);
  const again = await s.op('/api/v1/units', { ...newCommune('T2000'), parent: '01', date: D4 }, 201);
  assert.notEqual(again.id, id.T2000, 'the code is free once its unit has closed');
});
