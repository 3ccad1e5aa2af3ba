// operations.test.js - every reorganisation operation through POST (create,
// rename, move, merge into a new and into an existing unit, split with its
// children mapping, close) and its effects seen through the GET endpoints:
// the unit as of dates before and after, its names and parents with their
// intervals, its events, children, ancestors, tree and lineage.
//
// The units are our own, created under the province 01 (Hà Nội, which
// continues through the 2025 reform) from 2025-08-01 on a plain `init`. Each
// test makes the units it works on (its own codes), so that it passes alone
// and in any order; counts are compared with what they were just before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, today, addDays } from './server.js';

const D1 = '2025-08-01';
const D2 = '2025-09-01';
const D2_LAST = '2025-08-31';
const D3 = '2025-10-01';
const D3_LAST = '2025-09-30';
const D4 = '2025-11-01';
const D4_LAST = '2025-10-31';

let s;
before(async () => { s = await startServer(); });
after(async () => { if (s) await s.stop(); });

function commune(code, name, extra = {}) {
  return { code, name_vi: `Xã ${name}`, name_en: `${name.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')} Commune`, level: 'commune', parent: '01', date: D1, ...extra };
}
function branch(code, parent, extra = {}) {
  return { code, name_vi: `Chi hội ${code}`, name_en: `Branch ${code}`, level: 'branch', parent, date: D1, ...extra };
}
const create = (spec) => s.op('/api/v1/units', spec, 201);
const unitAt = (sel, as_of) => s.ok(`/api/v1/units/${sel}`, { as_of });
const codesOf = (items) => items.map((u) => u.code).sort();
const stripDetail = ({ names, attribute_history, parents, events, ...u }) => u; // eslint-disable-line no-unused-vars
const sortBy = (k) => (a, b) => (a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0);

test('create: a commune under a province, seen from its first day on', async () => {
  const before01 = await unitAt('01', D1);
  const u = await create(commune('T0001', 'Thử Nghiệm', { kind: 'territorial', attributes: ['rural', 'border'], note: 'Quyết định 1/QĐ-TEST' }));
  assert.equal(u.code, 'T0001');
  assert.equal(u.name_vi, 'Xã Thử Nghiệm');
  assert.equal(u.name_en, 'Thu Nghiem Commune');
  assert.equal(u.level, 'commune');
  assert.equal(u.kind, 'territorial');
  assert.deepEqual([...u.attributes].sort(), ['border', 'rural']);
  assert.equal(u.valid_from, D1);
  assert.equal(u.valid_until, null);
  assert.equal(u.parent.code, '01');
  assert.equal(u.parent.id, before01.id);
  assert.equal(u.child_count, 0);

  const got = await unitAt('T0001', D1);
  assert.deepEqual(stripDetail(got), u, 'GET answers what POST answered');
  assert.deepEqual(await unitAt(`id:${u.id}`, D1), got);
  assert.deepEqual(got.names, [{ name_vi: 'Xã Thử Nghiệm', name_en: 'Thu Nghiem Commune', valid_from: D1, valid_until: null }]);
  assert.equal(got.parents.length, 1);
  assert.equal(got.parents[0].parent.code, '01');
  assert.equal(got.parents[0].valid_from, D1);
  assert.equal(got.parents[0].valid_until, null);
  assert.equal(got.events.length, 1);
  const [ev] = got.events;
  assert.equal(ev.kind, 'create');
  assert.equal(ev.date, D1);
  assert.equal(ev.note, 'Quyết định 1/QĐ-TEST');
  assert.deepEqual(ev.sources, []);
  assert.deepEqual(ev.targets.map((t) => [t.id, t.code, t.name_vi]), [[u.id, 'T0001', 'Xã Thử Nghiệm']]);

  assert.equal((await s.get('/api/v1/units/T0001', { as_of: '2025-07-31' })).status, 404, 'not before its first day');
  assert.equal((await s.get(`/api/v1/units/id:${u.id}`, { as_of: '2025-07-31' })).status, 404);
  const after01 = await unitAt('01', D1);
  assert.equal(after01.child_count, before01.child_count + 1);
  assert.ok(codesOf((await s.ok('/api/v1/units/01/children', { as_of: D1 })).items).includes('T0001'));
  assert.ok(!codesOf((await s.ok('/api/v1/units/01/children', { as_of: '2025-07-31' })).items).includes('T0001'));
  const latest = await s.ok('/api/v1/events', { limit: 1 });
  assert.equal(latest.items[0].id, ev.id, 'the newest event');
  const lin = await s.ok('/api/v1/units/T0001/lineage', { as_of: D1 });
  assert.deepEqual(lin.predecessors, []);
  assert.deepEqual(lin.successors, []);
});

test('create: defaults (kind territorial, no attributes), levels below and another kind', async () => {
  const u = await create(commune('T0002', 'Mặc Định'));
  assert.equal(u.kind, 'territorial');
  assert.deepEqual(u.attributes, []);
  const b = await create(branch('T0002-1', 'T0002'));
  assert.equal(b.level, 'branch');
  assert.equal(b.parent.code, 'T0002');
  const g = await create({ code: 'T0002-1-1', name_vi: 'Tổ phụ nữ 1', name_en: 'Group 1', level: 'group', parent: 'T0002-1', date: D1 });
  assert.equal(g.level, 'group');
  const anc = await s.ok('/api/v1/units/T0002-1-1/ancestors', { as_of: D1 });
  assert.deepEqual(anc.items.map((x) => x.code), ['VN', '01', 'T0002', 'T0002-1']);
  assert.equal(anc.items[2].child_count, 1);
  const dn = await create({ code: 'DN0001', name_vi: 'Cơ sở Hội Công ty May 10', name_en: 'May 10 Company union base', level: 'commune', kind: 'enterprise', attributes: ['urban'], parent: '01', date: D1 });
  assert.equal(dn.kind, 'enterprise');
  assert.deepEqual(dn.attributes, ['urban']);
  // a unit created later in the month
  const later = await create(commune('T0009', 'Giữa Tháng', { date: '2025-08-15' }));
  assert.equal(later.parent.code, '01');
  assert.equal(later.valid_from, '2025-08-15');
  // the tree shows the chain
  const t = await s.ok('/api/v1/tree', { root: 'T0002', as_of: D1, depth: 2 });
  assert.equal(t.root.code, 'T0002');
  assert.deepEqual(t.root.children.map((x) => x.code), ['T0002-1']);
  assert.deepEqual(t.root.children[0].children.map((x) => x.code), ['T0002-1-1']);
});

test('create: without a date the unit starts today', async () => {
  const u = await create({ code: 'T0010', name_vi: 'Xã Hôm Nay', name_en: 'Hom Nay Commune', level: 'commune', parent: '01' });
  assert.equal(u.valid_from, today());
  assert.equal((await s.ok('/api/v1/units/T0010')).id, u.id);
});

test('create: a code is reused on another date (27 was Bắc Ninh until 2025-06-30)', async () => {
  const u = await create({ code: '27', name_vi: 'Xã Hai Mươi Bảy', name_en: 'Hai Muoi Bay Commune', level: 'commune', parent: '01', date: D1 });
  const oldBN = await unitAt('27', '2025-06-01');
  assert.equal(oldBN.name_vi, 'Bắc Ninh');
  assert.equal(oldBN.level, 'province');
  const now = await unitAt('27', D1);
  assert.equal(now.id, u.id);
  assert.notEqual(now.id, oldBN.id);
  assert.equal((await s.get('/api/v1/units/27', { as_of: '2025-07-15' })).status, 404, 'no unit 27 between the two');
});

test('rename: new names from the date on, same unit, no lineage', async () => {
  await create(commune('T0006', 'Mặc Định'));
  const before = await unitAt('T0006', D1);
  const r = await s.op('/api/v1/units/T0006/rename', { date: D2, name_vi: 'Phường Đổi Tên', name_en: 'Doi Ten Ward', note: 'NQ 1/2025' }, 200);
  assert.equal(r.id, before.id);
  assert.equal(r.code, 'T0006');
  assert.equal(r.name_vi, 'Phường Đổi Tên');
  assert.equal(r.name_en, 'Doi Ten Ward');
  assert.equal(r.valid_from, D1);
  assert.equal(r.valid_until, null);
  assert.equal((await unitAt('T0006', D2_LAST)).name_vi, 'Xã Mặc Định');
  const after = await unitAt('T0006', D2);
  assert.deepEqual(stripDetail(after), r);
  assert.deepEqual([...after.names].sort(sortBy('valid_from')), [
    { name_vi: 'Xã Mặc Định', name_en: 'Mac Dinh Commune', valid_from: D1, valid_until: D2_LAST },
    { name_vi: 'Phường Đổi Tên', name_en: 'Doi Ten Ward', valid_from: D2, valid_until: null },
  ]);
  assert.deepEqual(after.events.map((e) => e.kind), ['create', 'rename']);
  const ev = after.events[1];
  assert.equal(ev.date, D2);
  assert.equal(ev.note, 'NQ 1/2025');
  assert.deepEqual(ev.sources.map((x) => x.id), [before.id]);
  assert.deepEqual(ev.targets.map((x) => x.id), [before.id]);
  const lin = await s.ok('/api/v1/units/T0006/lineage', { as_of: D2 });
  assert.deepEqual([lin.predecessors, lin.successors], [[], []]);
  const found = await s.ok('/api/v1/units', { q: 'doi ten', as_of: D2 });
  assert.ok(found.items.some((u) => u.id === before.id), 'search finds the new name');
  // a second rename, naming the unit by internal id
  const r2 = await s.op(`/api/v1/units/id:${before.id}/rename`, { date: D3, name_vi: 'Phường Ba', name_en: 'Ba Ward' }, 200);
  assert.equal(r2.name_vi, 'Phường Ba');
  const d = await unitAt('T0006', D3);
  assert.equal(d.names.length, 3);
  assert.equal((await unitAt('T0006', D3_LAST)).name_vi, 'Phường Đổi Tên');
});

test('move: another parent from the date on; children come along', async () => {
  await create(commune('T0003', 'Di Chuyển'));
  await create(branch('T0003-1', 'T0003'));
  const p01 = await unitAt('01', D2);
  const p04 = await unitAt('04', D2);
  const p01Last = await unitAt('01', D2_LAST);
  const r = await s.op('/api/v1/units/T0003/move', { date: D2, parent: '04', note: 'điều chỉnh địa giới' }, 200);
  assert.equal(r.code, 'T0003');
  assert.equal(r.parent.code, '04');
  assert.equal(r.valid_from, D1);
  assert.equal(r.child_count, 1);
  assert.equal((await unitAt('T0003', D2_LAST)).parent.code, '01');
  const after = await unitAt('T0003', D2);
  assert.deepEqual(stripDetail(after), r);
  assert.deepEqual([...after.parents].sort(sortBy('valid_from')).map((p) => [p.parent.code, p.valid_from, p.valid_until]),
    [['01', D1, D2_LAST], ['04', D2, null]]);
  assert.deepEqual(after.events.map((e) => e.kind), ['create', 'move']);
  assert.deepEqual(after.events[1].sources.map((x) => x.id), [r.id]);
  assert.deepEqual(after.events[1].targets.map((x) => x.id), [r.id]);
  assert.ok(!codesOf((await s.ok('/api/v1/units/01/children', { as_of: D2, limit: 500 })).items).includes('T0003'));
  assert.ok(codesOf((await s.ok('/api/v1/units/04/children', { as_of: D2 })).items).includes('T0003'));
  assert.ok(codesOf((await s.ok('/api/v1/units/01/children', { as_of: D2_LAST, limit: 500 })).items).includes('T0003'));
  assert.equal((await unitAt('01', D2)).child_count, p01.child_count - 1);
  assert.equal((await unitAt('04', D2)).child_count, p04.child_count + 1);
  assert.equal((await unitAt('01', D2_LAST)).child_count, p01Last.child_count, 'the day before is as it was');
  assert.deepEqual((await s.ok('/api/v1/units/T0003-1/ancestors', { as_of: D2 })).items.map((x) => x.code), ['VN', '04', 'T0003']);
  assert.deepEqual((await s.ok('/api/v1/units/T0003-1/ancestors', { as_of: D2_LAST })).items.map((x) => x.code), ['VN', '01', 'T0003']);
  const lin = await s.ok('/api/v1/units/T0003/lineage', { as_of: D2 });
  assert.deepEqual([lin.predecessors, lin.successors], [[], []]);
  const listed = await s.ok('/api/v1/units', { parent: '04', as_of: D2 });
  assert.ok(listed.items.some((u) => u.code === 'T0003'));
});

test('close: the day before the date becomes the last day', async () => {
  const u = await create(commune('T0004', 'Giải Thể'));
  const r = await s.op('/api/v1/units/T0004/close', { date: D3, note: 'giải thể' }, 200);
  assert.equal(r.id, u.id);
  assert.equal(r.code, 'T0004');
  assert.equal(r.valid_from, D1);
  assert.equal(r.valid_until, D3_LAST);
  const last = await unitAt('T0004', D3_LAST);
  assert.equal(last.valid_until, D3_LAST);
  assert.equal([...last.names].sort(sortBy('valid_from')).at(-1).valid_until, D3_LAST);
  assert.equal([...last.parents].sort(sortBy('valid_from')).at(-1).valid_until, D3_LAST);
  assert.deepEqual(last.events.map((e) => e.kind), ['create', 'close']);
  const ev = last.events[1];
  assert.equal(ev.date, D3);
  assert.deepEqual(ev.sources.map((x) => x.id), [u.id]);
  assert.deepEqual(ev.targets.map((x) => x.id), [u.id]);
  assert.equal((await s.get('/api/v1/units/T0004', { as_of: D3 })).status, 404);
  assert.equal((await s.get(`/api/v1/units/id:${u.id}`, { as_of: D3 })).status, 404);
  assert.ok(!codesOf((await s.ok('/api/v1/units/01/children', { as_of: D3, limit: 500 })).items).includes('T0004'));
  assert.ok(codesOf((await s.ok('/api/v1/units/01/children', { as_of: D3_LAST, limit: 500 })).items).includes('T0004'));
  // a group, then its branch once it has no children left
  await create(commune('T0007', 'Có Chi Hội'));
  await create(branch('T0007-1', 'T0007'));
  await create({ code: 'T0007-1-1', name_vi: 'Tổ phụ nữ 7', name_en: 'Group 7', level: 'group', parent: 'T0007-1', date: D1 });
  await s.op('/api/v1/units/T0007-1-1/close', { date: D2 }, 200);
  assert.equal((await unitAt('T0007-1', D2)).child_count, 0);
  const b = await s.op('/api/v1/units/T0007-1/close', { date: D3 }, 200);
  assert.equal(b.valid_until, D3_LAST);
  // the code is free again afterwards
  const again = await create(commune('T0004', 'Tái Lập', { date: D4 }));
  assert.notEqual(again.id, u.id);
});

test('merge into a new unit: sources end the day before, children move, lineage links them', async () => {
  const a = await create(commune('T0101', 'Hợp Một'));
  const b = await create(commune('T0102', 'Hợp Hai'));
  const a1 = await create(branch('T0101-1', 'T0101'));
  const b1 = await create(branch('T0102-1', 'T0102'));
  const r = await s.op('/api/v1/units/merge', {
    date: D3, sources: ['T0101', 'T0102'], note: 'NQ sáp nhập',
    into: { code: 'T0103', name_vi: 'Xã Hợp Nhất', name_en: 'Hop Nhat Commune', level: 'commune', kind: 'territorial', attributes: ['rural'] },
  }, 201);
  const m = r.unit;
  assert.equal(m.code, 'T0103');
  assert.equal(m.name_vi, 'Xã Hợp Nhất');
  assert.equal(m.valid_from, D3);
  assert.equal(m.valid_until, null);
  assert.equal(m.parent.code, '01', 'the parent of the first source');
  assert.equal(m.child_count, 2);
  assert.deepEqual(m.attributes, ['rural']);
  assert.ok(![a.id, b.id].includes(m.id));
  assert.equal(r.event.kind, 'merge');
  assert.equal(r.event.date, D3);
  assert.equal(r.event.note, 'NQ sáp nhập');
  assert.deepEqual(r.event.sources.map((x) => x.id).sort(), [a.id, b.id].sort());
  assert.deepEqual(r.event.targets.map((x) => x.id), [m.id]);
  assert.deepEqual(stripDetail(await unitAt('T0103', D3)), m);

  for (const src of ['T0101', 'T0102']) {
    assert.equal((await unitAt(src, D3_LAST)).valid_until, D3_LAST);
    assert.equal((await s.get(`/api/v1/units/${src}`, { as_of: D3 })).status, 404);
  }
  const kids = await s.ok('/api/v1/units/T0103/children', { as_of: D3 });
  assert.deepEqual(kids.items.map((x) => x.id).sort(), [a1.id, b1.id].sort(), 'the children keep their ids');
  const a1d = await unitAt('T0101-1', D3);
  assert.deepEqual([...a1d.parents].sort(sortBy('valid_from')).map((p) => [p.parent.code, p.valid_from, p.valid_until]),
    [['T0101', D1, D3_LAST], ['T0103', D3, null]]);
  assert.deepEqual((await s.ok('/api/v1/units/T0101-1/ancestors', { as_of: D3 })).items.map((x) => x.code), ['VN', '01', 'T0103']);
  assert.deepEqual((await s.ok('/api/v1/units/T0101-1/ancestors', { as_of: D3_LAST })).items.map((x) => x.code), ['VN', '01', 'T0101']);

  const lin = await s.ok('/api/v1/units/T0103/lineage', { as_of: D3 });
  assert.equal(lin.unit.id, m.id);
  assert.deepEqual(lin.predecessors.map((p) => p.unit.id).sort(), [a.id, b.id].sort());
  for (const p of lin.predecessors) {
    assert.equal(p.depth, 1);
    assert.equal(p.event.id, r.event.id);
    assert.equal(p.unit.valid_until, D3_LAST, 'shown as on its last day');
  }
  assert.deepEqual(lin.successors, []);
  const linA = await s.ok('/api/v1/units/T0101/lineage', { as_of: D3_LAST });
  assert.deepEqual(linA.successors.map((x) => [x.unit.id, x.depth, x.event.id]), [[m.id, 1, r.event.id]]);
  assert.deepEqual(linA.predecessors, []);
  assert.ok((await unitAt('T0101', D3_LAST)).events.some((e) => e.id === r.event.id));
  assert.ok((await unitAt('T0103', D3)).events.some((e) => e.id === r.event.id));
  // the branches merely changed parent: no lineage of their own
  const linA1 = await s.ok('/api/v1/units/T0101-1/lineage', { as_of: D3 });
  assert.deepEqual([linA1.predecessors, linA1.successors], [[], []]);
});

test('merge into a new unit that reuses a source code and takes another parent', async () => {
  const c1 = await create(commune('T0111', 'Cũ Một'));
  const c2 = await create(commune('T0112', 'Cũ Hai'));
  const r = await s.op('/api/v1/units/merge', {
    date: D3, sources: ['T0111', 'T0112'],
    into: { code: 'T0111', name_vi: 'Xã Mới', name_en: 'Moi Commune', level: 'commune', parent: '04' },
  }, 201);
  assert.equal(r.unit.code, 'T0111');
  assert.equal(r.unit.parent.code, '04');
  assert.notEqual(r.unit.id, c1.id);
  assert.equal((await unitAt('T0111', D3_LAST)).id, c1.id);
  assert.equal((await unitAt('T0111', D3)).id, r.unit.id);
  assert.equal((await s.get('/api/v1/units/T0112', { as_of: D3 })).status, 404);
  const lin = await s.ok('/api/v1/units/T0111/lineage', { as_of: D3 });
  assert.deepEqual(lin.predecessors.map((p) => p.unit.id).sort(), [c1.id, c2.id].sort());
});

test('merge into an existing unit that is one of the sources: it continues, the others end', async () => {
  const e = await create(commune('T0201', 'Tiếp Nhận'));
  const f = await create(commune('T0202', 'Bị Nhập'));
  const e1 = await create(branch('T0201-1', 'T0201'));
  const f1 = await create(branch('T0202-1', 'T0202'));
  const r = await s.op('/api/v1/units/merge', { date: D3, sources: ['T0201', 'T0202'], into: 'T0201' }, 200);
  assert.equal(r.unit.id, e.id);
  assert.equal(r.unit.code, 'T0201');
  assert.equal(r.unit.valid_from, D1);
  assert.equal(r.unit.valid_until, null);
  assert.equal(r.unit.child_count, 2);
  assert.equal(r.event.kind, 'merge');
  assert.deepEqual(r.event.targets.map((x) => x.id), [e.id]);
  assert.ok(r.event.sources.some((x) => x.id === f.id));
  assert.equal((await unitAt('T0201', D3)).id, e.id);
  assert.equal((await unitAt('T0202', D3_LAST)).valid_until, D3_LAST);
  assert.equal((await s.get('/api/v1/units/T0202', { as_of: D3 })).status, 404);
  const kids = await s.ok('/api/v1/units/T0201/children', { as_of: D3 });
  assert.deepEqual(kids.items.map((x) => x.id).sort(), [e1.id, f1.id].sort());
  const lin = await s.ok('/api/v1/units/T0201/lineage', { as_of: D3 });
  assert.ok(lin.predecessors.some((p) => p.unit.id === f.id && p.depth === 1 && p.event.id === r.event.id));
  assert.ok(!lin.predecessors.some((p) => p.unit.id === e.id), 'the target is not its own predecessor');
  const linF = await s.ok('/api/v1/units/T0202/lineage', { as_of: D3_LAST });
  assert.deepEqual(linF.successors.map((x) => [x.unit.id, x.depth]), [[e.id, 1]]);
});

test('merge into another existing unit: every source ends', async () => {
  const g = await create(commune('T0203', 'Nguồn Một'));
  const h = await create(commune('T0204', 'Nguồn Hai'));
  const k = await create(commune('T0205', 'Đích'));
  const r = await s.op('/api/v1/units/merge', { date: D3, sources: ['T0203', 'T0204'], into: 'T0205', note: 'sáp nhập' }, 200);
  assert.equal(r.unit.id, k.id);
  assert.deepEqual(r.event.sources.map((x) => x.id).sort(), [g.id, h.id].sort());
  assert.deepEqual(r.event.targets.map((x) => x.id), [k.id]);
  for (const src of ['T0203', 'T0204']) assert.equal((await s.get(`/api/v1/units/${src}`, { as_of: D3 })).status, 404);
  const lin = await s.ok('/api/v1/units/T0205/lineage', { as_of: D3 });
  assert.deepEqual(lin.predecessors.map((p) => p.unit.id).sort(), [g.id, h.id].sort());
});

test('split: the unit ends, its children go where the mapping says', async () => {
  const sp = await create(commune('T0301', 'Chia Tách'));
  const k1 = await create(branch('T0301-1', 'T0301'));
  const k2 = await create(branch('T0301-2', 'T0301'));
  const k3 = await create(branch('T0301-3', 'T0301'));
  const r = await s.op('/api/v1/units/T0301/split', {
    date: D3, note: 'chia tách',
    into: [
      { code: 'T0302', name_vi: 'Xã Tách Một', name_en: 'Tach Mot Commune', level: 'commune' },
      { code: 'T0303', name_vi: 'Xã Tách Hai', name_en: 'Tach Hai Commune', level: 'commune', attributes: ['mountain'] },
    ],
    children: { 'T0301-1': 'T0302', 'T0301-2': 'T0303', 'T0301-3': 'T0303' },
  }, 201);
  assert.deepEqual(r.units.map((u) => u.code), ['T0302', 'T0303']);
  for (const u of r.units) {
    assert.equal(u.valid_from, D3);
    assert.equal(u.valid_until, null);
    assert.equal(u.parent.code, '01', 'each new unit takes the parent of the unit split');
    assert.equal(u.level, 'commune');
  }
  assert.deepEqual(r.units[1].attributes, ['mountain']);
  assert.equal(r.event.kind, 'split');
  assert.equal(r.event.date, D3);
  assert.deepEqual(r.event.sources.map((x) => x.id), [sp.id]);
  assert.deepEqual(r.event.targets.map((x) => x.id).sort(), r.units.map((u) => u.id).sort());
  assert.equal((await unitAt('T0301', D3_LAST)).valid_until, D3_LAST);
  assert.equal((await s.get('/api/v1/units/T0301', { as_of: D3 })).status, 404);
  assert.deepEqual((await s.ok('/api/v1/units/T0302/children', { as_of: D3 })).items.map((x) => x.id), [k1.id]);
  assert.deepEqual((await s.ok('/api/v1/units/T0303/children', { as_of: D3 })).items.map((x) => x.id).sort(), [k2.id, k3.id].sort());
  const lin = await s.ok('/api/v1/units/T0302/lineage', { as_of: D3 });
  assert.deepEqual(lin.predecessors.map((p) => [p.unit.id, p.depth, p.event.id]), [[sp.id, 1, r.event.id]]);
  const linS = await s.ok('/api/v1/units/T0301/lineage', { as_of: D3_LAST });
  assert.deepEqual(linS.successors.map((x) => x.unit.code).sort(), ['T0302', 'T0303']);
  for (const x of linS.successors) assert.equal(x.depth, 1);
  assert.deepEqual((await Promise.all(['T0302', 'T0303'].map((c) => unitAt(c, D3)))).map((u) => u.child_count), [1, 2]);
  assert.deepEqual(r.units.map((u) => u.child_count), [1, 2], 'the units answered are as of the date, with their children');
});

// mergeOnD3(prefix): communes <prefix>1 and <prefix>2, each with a branch
// (<prefix>1-1, <prefix>2-1), merged into a new <prefix>3 on D3.
async function mergeOnD3(prefix) {
  for (const n of [1, 2]) {
    await create(commune(`${prefix}${n}`, `Nguồn ${prefix}${n}`));
    await create(branch(`${prefix}${n}-1`, `${prefix}${n}`));
  }
  return s.op('/api/v1/units/merge', {
    date: D3, sources: [`${prefix}1`, `${prefix}2`],
    into: { code: `${prefix}3`, name_vi: `Xã Hợp ${prefix}`, name_en: `Merged ${prefix}`, level: 'commune' },
  }, 201);
}

test('lineage is transitive: merge then split', async () => {
  // T0123 made from T0121 and T0122 on D3; split on D4
  const merged = await mergeOnD3('T012');
  const m = await unitAt('T0123', D3);
  assert.equal(m.id, merged.unit.id);
  const r = await s.op('/api/v1/units/T0123/split', {
    date: D4,
    into: [
      { code: 'T0124', name_vi: 'Xã Sau Một', name_en: 'Sau Mot Commune', level: 'commune' },
      { code: 'T0125', name_vi: 'Xã Sau Hai', name_en: 'Sau Hai Commune', level: 'commune' },
    ],
    children: { 'T0121-1': 'T0124', 'T0122-1': 'T0125' },
  }, 201);
  const lin = await s.ok('/api/v1/units/T0124/lineage', { as_of: D4 });
  const preds = lin.predecessors.map((p) => [p.unit.code, p.depth]).sort();
  assert.deepEqual(preds, [['T0121', 2], ['T0122', 2], ['T0123', 1]]);
  const mid = lin.predecessors.find((p) => p.unit.code === 'T0123');
  assert.equal(mid.unit.id, m.id);
  assert.equal(mid.unit.valid_until, D4_LAST);
  assert.equal(mid.event.id, r.event.id);
  const linA = await s.ok('/api/v1/units/T0121/lineage', { as_of: D3_LAST });
  assert.deepEqual(linA.successors.map((x) => [x.unit.code, x.depth]).sort(), [['T0123', 1], ['T0124', 2], ['T0125', 2]]);
  const linM = await s.ok('/api/v1/units/T0123/lineage', { as_of: D3 });
  assert.deepEqual(linM.predecessors.map((x) => [x.unit.code, x.depth]).sort(), [['T0121', 1], ['T0122', 1]]);
  assert.deepEqual(linM.successors.map((x) => [x.unit.code, x.depth]).sort(), [['T0124', 1], ['T0125', 1]]);
});

test('the tree of 01 shows the reorganised units as of each date', async () => {
  await mergeOnD3('T013');
  const check = (node, depth, max) => {
    if (depth < max) {
      assert.ok(Array.isArray(node.children), `${node.code} has children listed`);
      assert.equal(node.children.length, node.child_count, `children of ${node.code}`);
      for (const c of node.children) {
        assert.equal(c.parent.id, node.id);
        check(c, depth + 1, max);
      }
    } else {
      assert.deepEqual(node.children ?? [], [], `${node.code} at the depth limit`);
    }
  };
  for (const as_of of [D1, D3_LAST, D3, D4]) {
    const t = await s.ok('/api/v1/tree', { root: '01', as_of, depth: 3 });
    check(t.root, 0, 3);
    const kids = await s.all('/api/v1/units/01/children', { as_of });
    assert.deepEqual(t.root.children.map((c) => c.id).sort(), kids.map((c) => c.id).sort(), `tree and children agree on ${as_of}`);
  }
  const t = await s.ok('/api/v1/tree', { root: '01', as_of: D3, depth: 2 });
  const m = t.root.children.find((c) => c.code === 'T0133');
  assert.deepEqual(m.children.map((c) => c.code).sort(), ['T0131-1', 'T0132-1']);
  const t2 = await s.ok('/api/v1/tree', { root: '01', as_of: D3_LAST, depth: 2 });
  assert.deepEqual(t2.root.children.filter((c) => /^T013/.test(c.code)).map((c) => [c.code, c.children.map((k) => k.code)]).sort(),
    [['T0131', ['T0131-1']], ['T0132', ['T0132-1']]], 'the day before the merge');
});

test('the events list has every kind, newest first, and filters by unit', async () => {
  // one operation of each kind, three of them on D2
  for (const code of ['T0141', 'T0142', 'T0143', 'T0147']) await create(commune(code, `Sự Kiện ${code}`));
  await s.op('/api/v1/units/T0141/rename', { date: D2, name_vi: 'Xã Sự Kiện Mới', name_en: 'Su Kien Moi Commune' }, 200);
  await s.op('/api/v1/units/T0142/move', { date: D2, parent: '04' }, 200);
  await s.op('/api/v1/units/T0147/close', { date: D2 }, 200);
  await s.op('/api/v1/units/merge', { date: D3, sources: ['T0142', 'T0143'], into: { code: 'T0144', name_vi: 'Xã T0144', name_en: 'T0144', level: 'commune' } }, 201);
  await s.op('/api/v1/units/T0144/split', { date: D4, into: [{ code: 'T0145', name_vi: 'Xã T0145', name_en: 'T0145', level: 'commune' }, { code: 'T0146', name_vi: 'Xã T0146', name_en: 'T0146', level: 'commune' }], children: {} }, 201);
  const all = await s.all('/api/v1/events', { from: D1 });
  const kinds = new Set(all.map((e) => e.kind));
  for (const k of ['create', 'rename', 'move', 'merge', 'split', 'close']) assert.ok(kinds.has(k), `an event of kind ${k}`);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].date >= all[i].date);
  const t2 = await unitAt('T0141', D3);
  assert.deepEqual(t2.events.map((e) => e.kind), ['create', 'rename']);
  const mine = await s.all('/api/v1/events', { unit: 'T0141', as_of: D3 });
  assert.deepEqual(mine.map((e) => e.id), [...t2.events].reverse().map((e) => e.id), 'newest first, the same events as the detail');
  const window = await s.all('/api/v1/events', { from: D2, to: D2 });
  assert.ok(window.length >= 3);
  for (const e of window) assert.equal(e.date, D2);
});

test('operations without a date take effect today', async () => {
  const u = await create({ code: 'T0011', name_vi: 'Xã Đóng Hôm Nay', name_en: 'Dong Hom Nay Commune', level: 'commune', parent: '01', date: D1 });
  const r = await s.op('/api/v1/units/T0011/close', {}, 200);
  assert.equal(r.valid_until, addDays(today(), -1), 'the last day is the day before the server\'s today');
  assert.equal(r.id, u.id);
  assert.equal((await s.get('/api/v1/units/T0011')).status, 404);
});

test('attributes change through time: cut at the date, the past kept, audited, not an event', async () => {
  await create(commune('T0A01', 'Biên Giới', { attributes: ['border', 'mountain'] }));
  const u = await s.op('/api/v1/units/T0A01/attributes', { date: D3, attributes: ['mountain'], note: 'Quyết định 2/QĐ-TEST' }, 200);
  assert.deepEqual(u.attributes, ['mountain']);
  assert.deepEqual((await unitAt('T0A01', D3_LAST)).attributes, ['border', 'mountain']);
  assert.deepEqual((await unitAt('T0A01', D3)).attributes, ['mountain']);
  const detail = await unitAt('T0A01', D3);
  assert.deepEqual(detail.attribute_history, [
    { attributes: ['border', 'mountain'], valid_from: D1, valid_until: D3_LAST },
    { attributes: ['mountain'], valid_from: D3, valid_until: null },
  ]);
  assert.deepEqual(detail.events.map((e) => e.kind), ['create']);
  // refused, nothing changed: the same day twice, an unknown word, no list
  let r = await s.post('/api/v1/units/T0A01/attributes', { date: D3, attributes: ['island'] });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.error.code, 'same_day_change');
  r = await s.post('/api/v1/units/T0A01/attributes', { date: D4, attributes: ['volcano'] });
  assert.equal(r.status, 422, r.text);
  r = await s.post('/api/v1/units/T0A01/attributes', { date: D4, attributes: 'border' });
  assert.equal(r.status, 422, r.text);
  r = await s.post('/api/v1/units/T0A01/attributes', { date: D4 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual((await unitAt('T0A01', D4)).attribute_history.length, 2);
  // the audit trail has it with before and after
  const audit = await s.ok('/api/v1/audit', { unit: 'T0A01', action: 'unit.attributes' });
  assert.equal(audit.items.length, 1);
  assert.equal(audit.items[0].before.attributes, 'border mountain');
  assert.equal(audit.items[0].after.attributes, 'mountain');
});
