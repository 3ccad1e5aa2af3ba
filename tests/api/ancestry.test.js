// ancestry.test.js - the ancestry table through the program as users run
// it: `unionbase check` agrees with the tree after init --demo and after
// reorganisations through the API (a province's commune moved, merged,
// split, closed), and says what differs, exit 1, when the table was changed
// behind the program's back. Scoped reads answer from it: a commune officer
// sees her subtree on any date, and nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, BIN } from './server.js';

let s;
before(async () => { s = await startServer({ demo: true }); });
after(async () => { if (s) await s.stop(); });

function check(json = false) {
  const r = spawnSync(BIN, ['check', '--db', s.db.url, ...(json ? ['--json'] : [])], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('check agrees with the tree after init --demo and after reorganisations through the API', async () => {
  let r = check();
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /ancestry: \d+ units checked, 0 differences/);
  assert.match(r.out, /figures: \d+ rows checked, 0 differences/);
  // reorganise a piece of 01 (Hà Nội): create, move, merge, split, close
  const D = '2026-02-01';
  const mk = (code, level, parent) => s.op('/api/v1/units', { code, name_vi: `Đơn vị ${code}`, name_en: code, level, parent, date: D }, 201);
  await mk('AN1', 'commune', '01');
  await mk('AN2', 'commune', '01');
  await mk('AN1.1', 'branch', 'AN1');
  await mk('AN1.1.1', 'group', 'AN1.1');
  await mk('AN2.1', 'branch', 'AN2');
  await s.op('/api/v1/units/AN1.1/move', { date: '2026-03-01', parent: 'AN2' }, 200);
  await s.op('/api/v1/units/merge', { date: '2026-04-01', sources: ['AN1', 'AN2'], into: { code: 'AN3', name_vi: 'Xã AN3', name_en: 'AN3', level: 'commune' } }, 201);
  await s.op('/api/v1/units/AN3/split', { date: '2026-05-01', into: [{ code: 'AN4', name_vi: 'Xã AN4', name_en: 'AN4', level: 'commune' }, { code: 'AN5', name_vi: 'Xã AN5', name_en: 'AN5', level: 'commune' }], children: { 'AN1.1': 'AN4', 'AN2.1': 'AN5' } }, 201);
  await s.op('/api/v1/units/AN2.1/close', { date: '2026-06-01' }, 200);
  r = check(true);
  assert.equal(r.code, 0, r.out + r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.ok, true);
  assert.equal(j.ancestry.differences, 0);
  assert.equal(j.figures.differences, 0); // the members' figures moved with the units
  assert.ok(j.ancestry.checked > 1345, `checked ${j.ancestry.checked} units`);
  // the group followed its branch through every change
  const anc = async (as_of) => (await s.ok('/api/v1/units/AN1.1.1/ancestors', { as_of })).items.map((u) => u.code);
  assert.deepEqual(await anc('2026-02-01'), ['VN', '01', 'AN1', 'AN1.1']);
  assert.deepEqual(await anc('2026-03-01'), ['VN', '01', 'AN2', 'AN1.1']);
  assert.deepEqual(await anc('2026-04-01'), ['VN', '01', 'AN3', 'AN1.1']);
  assert.deepEqual(await anc('2026-05-01'), ['VN', '01', 'AN4', 'AN1.1']);
});

test('check finds a table changed behind the program\'s back, and says where', async () => {
  await s.sql("DELETE FROM ancestry WHERE depth = 2 AND descendant = (SELECT max(descendant) FROM ancestry WHERE depth = 2)");
  const r = check();
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /ancestry differs for unit id \d+: (a row missing from the table|an interval ends on another day) \(ancestor id \d+ at depth 2, \d{4}-\d\d-\d\d \.\. \d{4}-\d\d-\d\d\)/);
  assert.match(r.out, /[1-9]\d* differences/);
});
