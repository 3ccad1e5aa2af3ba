// demo.test.js - the demo database (`init --demo`) through the API: communes,
// branches and groups under the 34 provinces. Only what the contract promises
// is relied on: there are communes under province 24 on 2025-07-01. The rest
// checks that the reads agree with each other on real-looking data: children,
// list by parent, ancestors, tree, search, paging, child counts, lineage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fold, viCompare } from './server.js';

const NEW = '2025-07-01';
const OLD = '2025-06-01';

let s;
let levels;
before(async () => {
  s = await startServer({ demo: true });
  levels = Object.fromEntries((await s.ok('/api/v1/levels')).items.map((l) => [l.key, l.rank]));
});
after(async () => { if (s) await s.stop(); });

test('the reform still reads 63 then 34 provinces with the demo data', async () => {
  assert.equal((await s.all('/api/v1/units', { level: 'province', as_of: OLD })).length, 63);
  assert.equal((await s.all('/api/v1/units', { level: 'province', as_of: NEW })).length, 34);
  const l = await s.ok('/api/v1/units/24/lineage', { as_of: NEW });
  assert.deepEqual(l.predecessors.filter((p) => p.depth === 1).map((p) => p.unit.code).sort(), ['24', '27']);
});

test('province 24 has communes on 2025-07-01; children, list by parent and child_count agree', async () => {
  const p24 = await s.ok('/api/v1/units/24', { as_of: NEW });
  const kids = await s.all('/api/v1/units/24/children', { as_of: NEW });
  assert.ok(kids.length > 0, 'communes under 24');
  assert.equal(p24.child_count, kids.length);
  assert.ok(kids.some((k) => k.level === 'commune'), 'at least one commune');
  for (const k of kids) {
    assert.equal(k.parent.id, p24.id, `${k.code} is a child of the new 24`);
    assert.ok(levels[k.level] > levels.province, `${k.code} is below a province`);
    assert.ok(k.valid_from <= NEW && (k.valid_until === null || k.valid_until >= NEW));
  }
  const byParent = await s.all('/api/v1/units', { parent: '24', as_of: NEW });
  assert.deepEqual(byParent, kids);
  const codes = kids.map((k) => k.code);
  assert.deepEqual(codes, [...codes].sort(), 'sorted by code');
  assert.equal(new Set(codes).size, codes.length);
  // paging in small pages gives the same list
  if (kids.length > 2) assert.deepEqual(await s.all('/api/v1/units/24/children', { as_of: NEW }, 2), kids);
  const byName = await s.all('/api/v1/units/24/children', { as_of: NEW, sort: 'name' }, 3);
  assert.deepEqual(byName.map((k) => k.id).sort(), kids.map((k) => k.id).sort());
  for (let i = 1; i < byName.length; i++) {
    assert.ok(viCompare(byName[i - 1].name_vi, byName[i].name_vi) <= 0, `"${byName[i - 1].name_vi}" before "${byName[i].name_vi}"`);
  }
  const communes = await s.all('/api/v1/units', { parent: '24', level: 'commune', as_of: NEW });
  assert.deepEqual(communes, kids.filter((k) => k.level === 'commune'));
});

test('ancestors and the tree of 24 agree with the children lists', async () => {
  const kids = await s.all('/api/v1/units/24/children', { as_of: NEW });
  const first = kids[0];
  const anc = await s.ok(`/api/v1/units/${first.code}/ancestors`, { as_of: NEW });
  assert.deepEqual(anc.items.map((u) => u.code), ['VN', '24']);
  const t = await s.ok('/api/v1/tree', { root: '24', as_of: NEW, depth: 3 });
  assert.deepEqual(t.root.children.map((c) => c.id).sort(), kids.map((k) => k.id).sort());
  let seen = 0;
  const visit = async (node, depth) => {
    if (depth < 3) {
      assert.equal((node.children ?? []).length, node.child_count, `children of ${node.code} in the tree`);
      for (const c of node.children ?? []) {
        assert.equal(c.parent.id, node.id);
        assert.ok(levels[c.level] > levels[node.level], `${c.code} (${c.level}) below ${node.code} (${node.level})`);
        await visit(c, depth + 1);
      }
    } else {
      assert.deepEqual(node.children ?? [], []);
    }
    seen++;
  };
  await visit(t.root, 0);
  assert.ok(seen > kids.length, 'the tree goes below the communes');
  // one grandchild, its ancestors, its place in the children of its parent
  const withKids = t.root.children.find((c) => c.child_count > 0);
  if (withKids) {
    const gc = withKids.children[0];
    const a = await s.ok(`/api/v1/units/${gc.code}/ancestors`, { as_of: NEW });
    assert.deepEqual(a.items.map((u) => u.code), ['VN', '24', withKids.code]);
    const list = await s.all(`/api/v1/units/${withKids.code}/children`, { as_of: NEW });
    assert.deepEqual(list.map((u) => u.id).sort(), withKids.children.map((u) => u.id).sort());
    const d = await s.ok(`/api/v1/units/${gc.code}`, { as_of: NEW });
    assert.equal(d.parent.id, withKids.id);
    assert.ok(d.names.length >= 1 && d.parents.length >= 1);
  }
});

test('search finds demo units by their names without diacritics, in any case, NFC or NFD', async () => {
  const kids = await s.all('/api/v1/units/24/children', { as_of: NEW });
  const target = kids.find((k) => k.name_vi !== fold(k.name_vi)) || kids[0];
  const folded = fold(target.name_vi);
  for (const q of [folded, target.name_vi.toUpperCase(), target.name_vi.normalize('NFD'), target.name_vi]) {
    const found = await s.all('/api/v1/units', { q, as_of: NEW });
    assert.ok(found.some((u) => u.id === target.id), `q=${JSON.stringify(q)} finds ${target.name_vi}`);
    for (const u of found) {
      assert.ok([u.name_vi, u.name_en, u.code].some((x) => fold(x).includes(folded)), `q=${q}: ${u.name_vi} matches`);
    }
  }
  const inProvince = await s.all('/api/v1/units', { q: folded, parent: '24', as_of: NEW });
  assert.ok(inProvince.some((u) => u.id === target.id));
  for (const u of inProvince) assert.equal(u.parent.code, '24');
});

test('every commune of 24 has a lineage the API can answer, and predecessors are real units', async () => {
  const kids = await s.all('/api/v1/units/24/children', { as_of: NEW });
  for (const k of kids.slice(0, 40)) {
    const l = await s.ok(`/api/v1/units/id:${k.id}/lineage`, { as_of: NEW });
    assert.equal(l.unit.id, k.id);
    for (const p of l.predecessors) {
      assert.ok(p.event.kind === 'merge' || p.event.kind === 'split');
      const back = await s.ok(`/api/v1/units/id:${p.unit.id}/lineage`, { as_of: p.unit.valid_until ?? NEW });
      assert.ok(back.successors.some((x) => x.unit.id === k.id), `${p.unit.code} lists ${k.code} as a successor`);
    }
  }
});

test('the commune merger of 2025-07-01 in the demo data is consistent', async () => {
  const evs = (await s.all('/api/v1/events', { from: NEW, to: NEW }))
    .filter((e) => e.kind === 'merge' && e.targets.length === 1);
  const provinceCodes = new Set((await s.all('/api/v1/units', { level: 'province', as_of: NEW })).map((u) => u.code));
  const communeMerges = [];
  for (const e of evs) {
    const t = await s.ok(`/api/v1/units/id:${e.targets[0].id}`, { as_of: NEW });
    if (t.level !== 'province') communeMerges.push([e, t]);
    else assert.ok(provinceCodes.has(t.code));
  }
  for (const [e, t] of communeMerges) {
    for (const src of e.sources) {
      if (src.id === t.id) continue;
      const r = await s.get(`/api/v1/units/id:${src.id}`, { as_of: NEW });
      assert.equal(r.status, 404, `source ${src.code} of merge ${e.id} no longer exists on ${NEW}`);
      const last = await s.ok(`/api/v1/units/id:${src.id}`, { as_of: '2025-06-30' });
      assert.equal(last.valid_until, '2025-06-30');
    }
  }
});

test('the whole demo tree as of 2025-07-01 is consistent from the root down (depth 3)', async () => {
  const t = await s.ok('/api/v1/tree', { as_of: NEW, depth: 3 });
  assert.equal(t.root.code, 'VN');
  assert.equal(t.root.children.length, 34);
  let total = 0;
  for (const p of t.root.children) {
    assert.equal((p.children ?? []).length, p.child_count, `children of ${p.code}`);
    for (const c of p.children ?? []) {
      assert.equal((c.children ?? []).length, c.child_count, `children of ${c.code}`);
      for (const g of c.children ?? []) assert.deepEqual(g.children ?? [], []);
      total++;
    }
  }
  assert.ok(total > 34, `units below the provinces: ${total}`);
  const tOld = await s.ok('/api/v1/tree', { as_of: OLD, depth: 1 });
  assert.equal(tOld.root.children.length, 63);
});
