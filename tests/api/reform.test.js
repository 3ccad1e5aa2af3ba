// reform.test.js - the reference data of a plain `init` seen through the API:
// 63 provinces until 2025-06-30, 34 from 2025-07-01, codes reused across the
// reform (24 was Bắc Giang, is the new Bắc Ninh), lineage through the merges,
// Huế continuing under a new name, search, sorting, paging, tree, levels and
// the events of the reform.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, readCsv, fold, viCompare, today } from './server.js';

const OLD = '2025-06-01';
const LAST_OLD = '2025-06-30';
const NEW = '2025-07-01';
const P63 = readCsv('data/provinces-63.csv');
const P34 = readCsv('data/provinces-34.csv');

let s;
before(async () => { s = await startServer(); });
after(async () => { if (s) await s.stop(); });

const byCode = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

test('provinces as of 2025-06-01: the 63 of the reference data, sorted by code', async () => {
  const body = await s.ok('/api/v1/units', { level: 'province', as_of: OLD, limit: 500 });
  assert.equal(body.as_of, OLD);
  assert.equal(body.next, null);
  assert.equal(body.items.length, 63);
  assert.deepEqual(body.items.map((u) => u.code), P63.map((p) => p.code).sort());
  const names = Object.fromEntries(body.items.map((u) => [u.code, u]));
  for (const p of P63) {
    assert.equal(names[p.code].name_vi, p.name_vi.normalize('NFC'), `name_vi of ${p.code}`);
    assert.equal(names[p.code].name_en, p.name_en, `name_en of ${p.code}`);
  }
  for (const u of body.items) {
    assert.equal(u.level, 'province');
    assert.equal(u.parent?.code, 'VN', `parent of ${u.code}`);
    assert.ok(u.valid_from <= OLD);
    assert.equal(u.child_count, 0);
  }
  // the 52 provinces merged away end on 2025-06-30; the 11 that continue are open
  const continuing = new Set(P34.filter((p) => p.merged_from === p.code).map((p) => p.code));
  for (const u of body.items) {
    assert.equal(u.valid_until, continuing.has(u.code) ? null : LAST_OLD, `valid_until of ${u.code}`);
  }
});

test('provinces as of 2025-07-01: the 34 of the reference data', async () => {
  const body = await s.ok('/api/v1/units', { level: 'province', as_of: NEW, limit: 500 });
  assert.equal(body.as_of, NEW);
  assert.equal(body.next, null);
  assert.equal(body.items.length, 34);
  assert.deepEqual(body.items.map((u) => u.code), P34.map((p) => p.code).sort());
  const names = Object.fromEntries(body.items.map((u) => [u.code, u]));
  for (const p of P34) {
    assert.equal(names[p.code].name_vi, p.name_vi.normalize('NFC'), `name_vi of ${p.code}`);
    assert.equal(names[p.code].valid_until, null);
    if (p.merged_from !== p.code) assert.equal(names[p.code].valid_from, NEW, `valid_from of new ${p.code}`);
  }
});

test('provinces as of 2025-06-30 (the last day before the reform) are still 63', async () => {
  const body = await s.ok('/api/v1/units', { level: 'province', as_of: LAST_OLD, limit: 500 });
  assert.equal(body.items.length, 63);
});

test('paging: 63 provinces in pages of 10 give the same list as one page', async () => {
  const whole = (await s.ok('/api/v1/units', { level: 'province', as_of: OLD, limit: 500 })).items;
  const first = await s.ok('/api/v1/units', { level: 'province', as_of: OLD, limit: 10 });
  assert.equal(first.items.length, 10);
  assert.equal(typeof first.next, 'string');
  const paged = await s.all('/api/v1/units', { level: 'province', as_of: OLD }, 10);
  assert.deepEqual(paged, whole);
  // a cursor is for the query it came from: the second page follows the first
  const second = await s.ok('/api/v1/units', { level: 'province', as_of: OLD, limit: 10, cursor: first.next });
  assert.deepEqual(second.items, whole.slice(10, 20));
  // limit 1 and the default
  const one = await s.ok('/api/v1/units', { level: 'province', as_of: NEW, limit: 1 });
  assert.equal(one.items.length, 1);
  assert.equal(typeof one.next, 'string');
  const dflt = await s.ok('/api/v1/units', { level: 'province', as_of: OLD });
  assert.equal(dflt.items.length, 63, 'default limit is 100');
  assert.equal(dflt.next, null);
});

test('paging with sort=name follows the Vietnamese order across pages', async () => {
  const whole = (await s.ok('/api/v1/units', { level: 'province', as_of: OLD, sort: 'name', limit: 500 })).items;
  assert.equal(whole.length, 63);
  const paged = await s.all('/api/v1/units', { level: 'province', as_of: OLD, sort: 'name' }, 7);
  assert.deepEqual(paged, whole);
});

test('sort=name is the Vietnamese alphabetical order (a ă â ... d đ ... o ô ơ ... u ư)', async () => {
  for (const as_of of [OLD, NEW]) {
    const items = (await s.ok('/api/v1/units', { level: 'province', as_of, sort: 'name', limit: 500 })).items;
    const names = items.map((u) => u.name_vi);
    for (let i = 1; i < names.length; i++) {
      assert.ok(viCompare(names[i - 1], names[i]) <= 0, `${as_of}: "${names[i - 1]}" is listed before "${names[i]}"`);
    }
    const sorted = [...names].sort(viCompare);
    assert.deepEqual(names, sorted);
  }
  // the explicit default
  const byCodeList = (await s.ok('/api/v1/units', { level: 'province', as_of: NEW, sort: 'code', limit: 500 })).items;
  assert.deepEqual(byCodeList.map((u) => u.code), [...byCodeList].sort(byCode).map((u) => u.code));
});

test('today (no as_of) there are 34 provinces and as_of says which day today is', async () => {
  const body = await s.ok('/api/v1/units', { level: 'province' });
  assert.equal(body.as_of, today());
  assert.equal(body.items.length, 34);
});

test('code 24 is Bắc Giang on 2025-06-01 and the new Bắc Ninh on 2025-07-01, two different units', async () => {
  const oldU = await s.ok('/api/v1/units/24', { as_of: OLD });
  const newU = await s.ok('/api/v1/units/24', { as_of: NEW });
  assert.equal(oldU.name_vi, 'Bắc Giang');
  assert.equal(oldU.code, '24');
  assert.equal(oldU.valid_until, LAST_OLD);
  assert.equal(newU.name_vi, 'Bắc Ninh');
  assert.equal(newU.name_en, 'Bac Ninh');
  assert.equal(newU.code, '24');
  assert.equal(newU.valid_from, NEW);
  assert.equal(newU.valid_until, null);
  assert.equal(newU.level, 'province');
  assert.equal(newU.kind, 'territorial');
  assert.equal(newU.parent.code, 'VN');
  assert.notEqual(oldU.id, newU.id);
  // the old Bắc Ninh, code 27, does not exist after the reform
  const old27 = await s.ok('/api/v1/units/27', { as_of: OLD });
  assert.equal(old27.name_vi, 'Bắc Ninh');
  assert.notEqual(old27.id, newU.id);
  assert.equal((await s.get('/api/v1/units/27', { as_of: NEW })).status, 404);
  // by internal id: the old unit is found on its own dates only
  const viaId = await s.ok(`/api/v1/units/id:${oldU.id}`, { as_of: OLD });
  assert.deepEqual(viaId, oldU);
  assert.equal((await s.get(`/api/v1/units/id:${oldU.id}`, { as_of: NEW })).status, 404);
  assert.deepEqual(await s.ok(`/api/v1/units/id:${newU.id}`, { as_of: NEW }), newU);
  assert.equal((await s.get(`/api/v1/units/id:${newU.id}`, { as_of: OLD })).status, 404);
});

test('unit detail: names, parents and events with their intervals', async () => {
  const newU = await s.ok('/api/v1/units/24', { as_of: NEW });
  assert.deepEqual(newU.names, [{ name_vi: 'Bắc Ninh', name_en: 'Bac Ninh', valid_from: NEW, valid_until: null }]);
  assert.equal(newU.parents.length, 1);
  assert.equal(newU.parents[0].parent.code, 'VN');
  assert.equal(newU.parents[0].valid_from, NEW);
  assert.equal(newU.parents[0].valid_until, null);
  const merge = newU.events.find((e) => e.kind === 'merge');
  assert.ok(merge, 'the new Bắc Ninh lists its merge event');
  assert.equal(merge.date, NEW);
  assert.deepEqual(merge.targets.map((t) => t.id), [newU.id]);
  assert.deepEqual(merge.sources.map((x) => x.code).sort(), ['24', '27']);
  const oldU = await s.ok('/api/v1/units/24', { as_of: OLD });
  assert.ok(oldU.events.some((e) => e.id === merge.id), 'Bắc Giang lists the merge it went into');
  assert.equal(oldU.names.at(-1).valid_until, LAST_OLD);
  assert.equal(oldU.parents.at(-1).valid_until, LAST_OLD);
  const dates = oldU.events.map((e) => e.date);
  assert.deepEqual(dates, [...dates].sort(), 'events oldest first');
});

test('lineage of 24 as of 2025-07-01: predecessors 24 Bắc Giang and 27 Bắc Ninh', async () => {
  const l = await s.ok('/api/v1/units/24/lineage', { as_of: NEW });
  assert.equal(l.unit.code, '24');
  assert.equal(l.unit.name_vi, 'Bắc Ninh');
  assert.equal(l.unit.valid_from, NEW);
  assert.deepEqual(l.predecessors.map((p) => [p.unit.code, p.unit.name_vi]).sort(),
    [['24', 'Bắc Giang'], ['27', 'Bắc Ninh']]);
  for (const p of l.predecessors) {
    assert.equal(p.depth, 1);
    assert.equal(p.event.kind, 'merge');
    assert.equal(p.event.date, NEW);
    assert.deepEqual(p.event.targets.map((t) => t.id), [l.unit.id]);
    assert.equal(p.unit.valid_until, LAST_OLD, 'a predecessor is shown as on its last day');
    assert.notEqual(p.unit.id, l.unit.id);
  }
  assert.deepEqual(l.successors, []);
});

test('lineage of the old 27 as of 2025-06-01: successor 24 (the new Bắc Ninh)', async () => {
  const newU = await s.ok('/api/v1/units/24', { as_of: NEW });
  const l = await s.ok('/api/v1/units/27/lineage', { as_of: OLD });
  assert.equal(l.unit.code, '27');
  assert.equal(l.unit.name_vi, 'Bắc Ninh');
  assert.deepEqual(l.predecessors, []);
  assert.equal(l.successors.length, 1);
  const [succ] = l.successors;
  assert.equal(succ.unit.code, '24');
  assert.equal(succ.unit.name_vi, 'Bắc Ninh');
  assert.equal(succ.unit.id, newU.id);
  assert.equal(succ.depth, 1);
  assert.equal(succ.event.kind, 'merge');
  assert.equal(succ.event.date, NEW);
  // Bắc Giang too
  const lg = await s.ok('/api/v1/units/24/lineage', { as_of: OLD });
  assert.equal(lg.unit.name_vi, 'Bắc Giang');
  assert.deepEqual(lg.successors.map((x) => x.unit.id), [newU.id]);
});

test('lineage of every province of the reform matches merged_from', async () => {
  for (const p of P34) {
    const from = p.merged_from.split(' ').sort();
    const l = await s.ok(`/api/v1/units/${p.code}/lineage`, { as_of: NEW });
    if (from.length === 1 && from[0] === p.code) {
      assert.deepEqual(l.predecessors, [], `${p.code} ${p.name_vi} continues: no predecessors`);
      const before = await s.ok(`/api/v1/units/${p.code}`, { as_of: OLD });
      assert.equal(before.id, l.unit.id, `${p.code} continues as the same unit`);
    } else {
      assert.deepEqual(l.predecessors.map((x) => x.unit.code).sort(), from, `predecessors of ${p.code} ${p.name_vi}`);
      const eventIds = new Set(l.predecessors.map((x) => x.event.id));
      assert.equal(eventIds.size, 1, `one merge event makes ${p.code}`);
    }
    assert.deepEqual(l.successors, []);
  }
});

test('46 Thừa Thiên Huế renamed Huế continues as the same unit, without lineage', async () => {
  const a = await s.ok('/api/v1/units/46', { as_of: OLD });
  const b = await s.ok('/api/v1/units/46', { as_of: NEW });
  assert.equal(a.name_vi, 'Thừa Thiên Huế');
  assert.equal(a.name_en, 'Thua Thien Hue');
  assert.equal(b.name_vi, 'Huế');
  assert.equal(b.name_en, 'Hue');
  assert.equal(a.id, b.id);
  assert.equal(a.valid_from, b.valid_from);
  assert.equal(a.valid_until, null);
  assert.equal(b.valid_until, null);
  const names = [...b.names].sort((x, y) => (x.valid_from < y.valid_from ? -1 : 1));
  assert.equal(names.length, 2);
  assert.deepEqual(names[0], { name_vi: 'Thừa Thiên Huế', name_en: 'Thua Thien Hue', valid_from: a.valid_from, valid_until: LAST_OLD });
  assert.deepEqual(names[1], { name_vi: 'Huế', name_en: 'Hue', valid_from: NEW, valid_until: null });
  const rename = b.events.find((e) => e.kind === 'rename');
  assert.ok(rename, 'a rename event');
  assert.equal(rename.date, NEW);
  assert.deepEqual(rename.sources.map((x) => x.id), [a.id]);
  assert.deepEqual(rename.targets.map((x) => x.id), [a.id]);
  assert.ok(!b.events.some((e) => e.kind === 'merge'));
  for (const as_of of [OLD, NEW]) {
    const l = await s.ok('/api/v1/units/46/lineage', { as_of });
    assert.equal(l.unit.id, a.id);
    assert.deepEqual(l.predecessors, []);
    assert.deepEqual(l.successors, []);
  }
});

test('children of VN: 63 then 34, the same as the list filtered by parent', async () => {
  for (const [as_of, n] of [[OLD, 63], [NEW, 34]]) {
    const kids = await s.ok('/api/v1/units/VN/children', { as_of, limit: 500 });
    assert.equal(kids.as_of, as_of);
    assert.equal(kids.items.length, n);
    assert.equal(kids.next, null);
    const list = await s.ok('/api/v1/units', { parent: 'VN', as_of, limit: 500 });
    assert.deepEqual(kids.items, list.items);
    const vn = await s.ok('/api/v1/units/VN', { as_of });
    assert.equal(vn.child_count, n);
    assert.equal(vn.parent, null);
    assert.equal(vn.level, 'central');
    const paged = await s.all('/api/v1/units/VN/children', { as_of }, 20);
    assert.deepEqual(paged, kids.items);
    const byName = await s.all('/api/v1/units/VN/children', { as_of, sort: 'name' }, 20);
    assert.deepEqual(byName.map((u) => u.code).sort(), kids.items.map((u) => u.code).sort());
    assert.deepEqual(byName.map((u) => u.name_vi), [...byName.map((u) => u.name_vi)].sort(viCompare));
  }
  // a province has no children in a plain init
  const none = await s.ok('/api/v1/units/24/children', { as_of: NEW });
  assert.deepEqual(none.items, []);
  assert.equal(none.next, null);
});

test('ancestors: root first, the unit itself left out', async () => {
  const a = await s.ok('/api/v1/units/24/ancestors', { as_of: NEW });
  assert.equal(a.as_of, NEW);
  assert.deepEqual(a.items.map((u) => u.code), ['VN']);
  assert.equal(a.items[0].parent, null);
  assert.equal(a.items[0].child_count, 34);
  const b = await s.ok('/api/v1/units/27/ancestors', { as_of: OLD });
  assert.deepEqual(b.items.map((u) => u.code), ['VN']);
  assert.equal(b.items[0].child_count, 63);
  const root = await s.ok('/api/v1/units/VN/ancestors', { as_of: NEW });
  assert.deepEqual(root.items, []);
});

test('search: "bac ninh", "BẮC NINH" and NFD input find Bắc Ninh', async () => {
  for (const q of ['bac ninh', 'BẮC NINH', 'Bắc Ninh'.normalize('NFD'), 'Bắc Ninh', 'BAC NINH']) {
    const body = await s.ok('/api/v1/units', { q, as_of: NEW });
    assert.ok(body.items.some((u) => u.code === '24' && u.name_vi === 'Bắc Ninh'), `q=${JSON.stringify(q)} finds 24 Bắc Ninh`);
    for (const u of body.items) {
      assert.ok([u.name_vi, u.name_en, u.code].some((x) => fold(x).includes('bac ninh')), `q=${JSON.stringify(q)} found ${u.code} ${u.name_vi}`);
    }
  }
  const old = await s.ok('/api/v1/units', { q: 'bac ninh', as_of: OLD });
  assert.deepEqual(old.items.map((u) => u.code), ['27'], 'on 2025-06-01 Bắc Ninh is 27');
  const giang = await s.ok('/api/v1/units', { q: 'bắc giang', as_of: NEW });
  assert.deepEqual(giang.items, [], 'Bắc Giang no longer exists on 2025-07-01');
});

test('search: "d" finds "đ" (da nang, dak lak, dien bien)', async () => {
  const cases = [['da nang', '48', 'Đà Nẵng'], ['DA NANG', '48', 'Đà Nẵng'], ['đà nẵng', '48', 'Đà Nẵng'],
    ['dak lak', '66', 'Đắk Lắk'], ['dien bien', '11', 'Điện Biên'], ['ho chi minh', '79', 'Hồ Chí Minh']];
  for (const [q, code, name] of cases) {
    const body = await s.ok('/api/v1/units', { q, as_of: NEW, level: 'province' });
    assert.ok(body.items.some((u) => u.code === code && u.name_vi === name), `q=${q} finds ${code} ${name}`);
  }
  // "dong" finds Đồng Nai, Đồng Tháp and Lâm Đồng; every hit contains it once folded
  const dong = await s.ok('/api/v1/units', { q: 'dong', as_of: NEW, level: 'province' });
  const codes = dong.items.map((u) => u.code);
  for (const c of ['75', '82', '68']) assert.ok(codes.includes(c), `q=dong finds ${c}: ${codes}`);
  for (const u of dong.items) assert.ok([u.name_vi, u.name_en, u.code].some((x) => fold(x).includes('dong')));
  // codes are searched too
  const byCodeQ = await s.ok('/api/v1/units', { q: '46', as_of: NEW });
  assert.ok(byCodeQ.items.some((u) => u.code === '46'));
  // a word that names nothing
  assert.deepEqual((await s.ok('/api/v1/units', { q: 'zzzqqq', as_of: NEW })).items, []);
});

test('search combines with level, parent and paging', async () => {
  const q = 'a';
  const whole = (await s.ok('/api/v1/units', { q, parent: 'VN', as_of: OLD, limit: 500 })).items;
  assert.ok(whole.length > 10, `q=a finds many provinces (${whole.length})`);
  for (const u of whole) assert.equal(u.parent.code, 'VN');
  const paged = await s.all('/api/v1/units', { q, parent: 'VN', as_of: OLD }, 5);
  assert.deepEqual(paged, whole);
  const central = (await s.ok('/api/v1/units', { level: 'central', as_of: NEW })).items;
  assert.deepEqual(central.map((u) => u.code), ['VN']);
});

test('tree: the root VN with its 34 (or 63) provinces', async () => {
  const t1 = await s.ok('/api/v1/tree', { as_of: NEW, depth: 1 });
  assert.equal(t1.as_of, NEW);
  assert.equal(t1.root.code, 'VN');
  assert.equal(t1.root.parent, null);
  assert.equal(t1.root.children.length, 34);
  assert.equal(t1.root.child_count, 34);
  assert.deepEqual(t1.root.children.map((u) => u.code).sort(), P34.map((p) => p.code).sort());
  for (const c of t1.root.children) assert.ok(!c.children || c.children.length === 0, 'depth 1 stops at the provinces');
  const t2 = await s.ok('/api/v1/tree', { as_of: OLD });
  assert.equal(t2.root.children.length, 63, 'default root VN, default depth 2');
  for (const c of t2.root.children) {
    assert.deepEqual(c.children ?? [], [], 'no units below provinces in a plain init');
    assert.equal(c.parent.code, 'VN');
  }
  const sub = await s.ok('/api/v1/tree', { as_of: NEW, root: '24', depth: 6 });
  assert.equal(sub.root.code, '24');
  assert.equal(sub.root.name_vi, 'Bắc Ninh');
  assert.deepEqual(sub.root.children ?? [], []);
  const subOld = await s.ok('/api/v1/tree', { as_of: OLD, root: '24', depth: 1 });
  assert.equal(subOld.root.name_vi, 'Bắc Giang');
});

test('levels: from the top down, the default configuration', async () => {
  const body = await s.ok('/api/v1/levels');
  const keys = body.items.map((l) => l.key);
  assert.deepEqual(keys, ['central', 'province', 'district', 'commune', 'branch', 'group']);
  assert.equal(body.items[0].rank, 0);
  for (let i = 1; i < body.items.length; i++) assert.ok(body.items[i].rank > body.items[i - 1].rank);
  for (const l of body.items) {
    assert.ok(l.name_vi.length > 0);
    assert.ok(l.name_en.length > 0);
  }
});

test('events of the reform: 23 merges and the rename of Huế on 2025-07-01', async () => {
  const evs = await s.all('/api/v1/events', { from: NEW, to: NEW });
  for (const e of evs) assert.equal(e.date, NEW);
  const merges = evs.filter((e) => e.kind === 'merge');
  assert.equal(merges.length, 23);
  const expected = P34.filter((p) => p.merged_from !== p.code)
    .map((p) => `${p.code}<-${p.merged_from.split(' ').sort().join(',')}`).sort();
  const got = merges.map((e) => `${e.targets[0].code}<-${e.sources.map((x) => x.code).sort().join(',')}`).sort();
  assert.deepEqual(got, expected);
  const renames = evs.filter((e) => e.kind === 'rename');
  assert.deepEqual(renames.map((e) => e.targets[0].code), ['46']);
  const bn = merges.find((e) => e.targets[0].code === '24');
  assert.equal(bn.targets[0].name_vi, 'Bắc Ninh');
  assert.deepEqual(bn.sources.map((x) => x.name_vi).sort(), ['Bắc Giang', 'Bắc Ninh']);
});

test('events: newest first, paged, filtered by unit and dates', async () => {
  const all = await s.all('/api/v1/events', {});
  assert.ok(all.length >= 24);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].date >= all[i].date, 'newest first');
  assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'no event twice');
  const paged = await s.all('/api/v1/events', {}, 7);
  assert.deepEqual(paged, all);
  const first = await s.ok('/api/v1/events', { limit: 3 });
  assert.deepEqual(first.items, all.slice(0, 3));
  assert.equal(typeof first.next, 'string');

  const before = await s.all('/api/v1/events', { to: LAST_OLD });
  for (const e of before) assert.ok(e.date <= LAST_OLD);
  const from = await s.all('/api/v1/events', { from: NEW });
  for (const e of from) assert.ok(e.date >= NEW);
  assert.equal(before.length + from.length, all.length);

  const newBN = await s.ok('/api/v1/units/24', { as_of: NEW });
  const mine = await s.all('/api/v1/events', { unit: '24', as_of: NEW });
  assert.ok(mine.some((e) => e.kind === 'merge' && e.targets.some((t) => t.id === newBN.id)));
  for (const e of mine) assert.ok([...e.sources, ...e.targets].some((x) => x.id === newBN.id), `event ${e.id} touches the new Bắc Ninh`);
  const bg = await s.ok('/api/v1/units/24', { as_of: OLD });
  const bgEvents = await s.all('/api/v1/events', { unit: '24', as_of: OLD });
  assert.ok(bgEvents.some((e) => e.kind === 'merge' && e.sources.some((x) => x.id === bg.id)));
  for (const e of bgEvents) assert.ok([...e.sources, ...e.targets].some((x) => x.id === bg.id));
  assert.deepEqual(bgEvents.map((e) => e.id).sort(), bg.events.map((e) => e.id).sort(), 'the same events as the unit detail');
  const byId = await s.all('/api/v1/events', { unit: `id:${bg.id}`, as_of: OLD });
  assert.deepEqual(byId, bgEvents);
});
