// reports-reorg.test.js - report figures across a reorganisation (issue 18
// item 7, docs/reports.md, "Across reorganisations"), through the API on
// the store UNIONBASE_TEST_PG chooses: two communes that reported for the
// second half of 2025 are merged on 1 January 2026, a third closed within
// the half after reporting. As the tree stood, each value counts where its
// unit stood on its last day in the period (the closed one too); mapped
// onto today's units, the merged communes' values and members count for
// the commune they became, over a series and across the units below; a
// merged-away commune's report is still approved and kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { BIN, TODAY, startServer, assertError } from './server.js';

const P = '2025H2';
let s;

const put = (unit, values) => s.request('PUT', `/api/v1/forms/commune_half/${unit}/${P}`, { body: { values } });
const value = (code, unit, mapped, period = P) => s.ok(`/api/v1/indicators/${code}/value`, { unit, period, ...(mapped ? { mapped: 'true' } : {}) });

before(async () => {
  s = await startServer();
  const mk = (b) => s.op('/api/v1/units', { date: '2025-07-01', kind: 'territorial', ...b }, 201);
  await mk({ code: 'RG1', name_vi: 'Xã Trước Một', name_en: 'Before One', level: 'commune', parent: '24' });
  await mk({ code: 'RG1.1', name_vi: 'Chi hội Thôn Một', name_en: 'Hamlet One', level: 'branch', parent: 'RG1' });
  await mk({ code: 'RG2', name_vi: 'Xã Trước Hai', name_en: 'Before Two', level: 'commune', parent: '24' });
  await mk({ code: 'RG2.1', name_vi: 'Chi hội Thôn Hai', name_en: 'Hamlet Two', level: 'branch', parent: 'RG2' });
  await mk({ code: 'RG5', name_vi: 'Xã Giải Thể', name_en: 'Closed Commune', level: 'commune', parent: '24' });
  for (const [unit, n] of [['RG1.1', 2], ['RG2.1', 3]]) {
    for (let i = 0; i < n; i++) {
      const r = await s.post('/api/v1/members', { full_name: `Vũ Thị ${['Hoa', 'Lan', 'Mai'][i]} ${unit === 'RG1.1' ? 'Một' : 'Hai'}`, birth_date: '1982-01-02', unit, joined_on: '2025-08-01', ethnicity: '01' });
      assert.equal(r.status, 201, r.text);
    }
  }
  for (const [unit, v] of [['RG1', 3], ['RG2', 5], ['RG5', 7]]) {
    const r = await put(unit, { supervision_sessions: v });
    assert.equal(r.status, 200, r.text);
  }
  // RG1's report submitted before the merge, by the commune's head
  const pw = 'head.rg1-mat-khau-2026';
  assert.equal((await s.post('/api/v1/users', { username: 'head.rg1', display_name: 'Người RG1', unit: 'RG1', roles: ['entry'], password: pw })).status, 201);
  const l = await s.login('head.rg1', pw);
  assert.equal(l.status, 200, l.r.text);
  const sub = await s.post(`/api/v1/forms/commune_half/RG1/${P}/submit`, {}, { auth: false, cookie: l.cookie, csrf: l.csrf });
  assert.equal(sub.status, 200, sub.text);
  await s.op('/api/v1/units/RG5/close', { date: '2025-11-01' }, 200);
  // a commune of 24 then, of 01 since
  await mk({ code: 'RG6', name_vi: 'Xã Chuyển Đi', name_en: 'Moved Away', level: 'commune', parent: '24' });
  await s.op('/api/v1/units/RG6/move', { date: '2026-01-01', parent: '01' }, 200);
  await s.op('/api/v1/units/merge', {
    date: '2026-01-01', sources: ['RG1', 'RG2'],
    into: { code: 'RG3', name_vi: 'Xã Sau Hợp Nhất', name_en: 'After Merger', level: 'commune', kind: 'territorial', parent: '24' },
  }, 201);
});
after(async () => { if (s) await s.stop(); });

test('as the tree stood: each value where its unit stood on its last day in the period, the closed commune\'s too', async () => {
  const prov = await value('supervision_sessions', '24', false);
  assert.deepEqual([prov.value, prov.status, prov.mapped], [15, 'entered', false]);
  assert.equal((await value('supervision_sessions', 'RG1', false)).value, 3);
  assert.equal((await value('members', 'RG2', false)).value, 3);
  // the commune of the merger did not exist then
  assertError(await s.get('/api/v1/indicators/supervision_sessions/value', { unit: 'RG3', period: P }), 404, 'not_found');
});

test('mapped onto today\'s units: the merged communes count for the one they became, over a series and across the units below', async () => {
  const m = await value('supervision_sessions', 'RG3', true);
  assert.deepEqual([m.value, m.status, m.mapped, m.unit], [8, 'entered', true, 'RG3']);
  assert.equal((await value('members', 'RG3', true)).value, 5);
  assert.equal((await value('supervision_sessions', '24', true)).value, 15, 'the closed commune counts for what its parent became');
  const ser = await s.ok('/api/v1/indicators/members/series', { unit: 'RG3', to: '2026H1', count: 3, mapped: 'true' });
  assert.deepEqual(ser.items.map((i) => [i.period, i.value]), [['2025H1', 0], ['2025H2', 5], ['2026H1', 5]]);
  assert.equal(ser.mapped, true);
  // the province's series across the reform: the same on both views (nothing left it)
  for (const mapped of ['true', 'false']) {
    const ps = await s.ok('/api/v1/indicators/supervision_sessions/series', { unit: '24', to: '2026H1', count: 3, mapped });
    assert.deepEqual(ps.items.map((i) => [i.period, i.value]), [['2025H1', null], ['2025H2', 15], ['2026H1', null]], mapped);
  }
  // a merged commune's series as it stood ends with it; mapped, its successor carries it
  const rg1 = await s.ok('/api/v1/indicators/supervision_sessions/series', { unit: 'RG1', to: '2025H2', count: 1 });
  assert.deepEqual(rg1.items.map((i) => i.value), [3]);
  const kids = await s.ok('/api/v1/indicators/supervision_sessions/children', { unit: '24', period: P, mapped: 'true' });
  const by = Object.fromEntries(kids.items.map((i) => [i.unit.code, i.value]));
  assert.equal(by.RG3, 8);
  assert.ok(!('RG1' in by) && !('RG5' in by), 'units of today only');
  const then = await s.ok('/api/v1/indicators/supervision_sessions/children', { unit: '24', period: P });
  const was = Object.fromEntries(then.items.map((i) => [i.unit.code, i.value]));
  assert.deepEqual([was.RG1, was.RG2, was.RG3], [3, 5, undefined]);
  assertError(await s.get('/api/v1/indicators/members/value', { unit: 'RG3', period: P, mapped: 'yes' }), 400, 'bad_request');

  // the command line answers as the API
  const cli = (args) => new Promise((resolve) => execFile(BIN, [...args, '--db', s.db.url], { env: { ...process.env, UNIONBASE_TODAY: TODAY } },
    (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr })));
  const cs = await cli(['indicators', 'series', 'members', '--unit', 'RG3', '--to', '2026H1', '--count', '3', '--mapped', '--json']);
  assert.equal(cs.code, 0, cs.stderr);
  assert.deepEqual(JSON.parse(cs.stdout), ser);
  const ck = await cli(['indicators', 'children', 'supervision_sessions', '--unit', '24', '--period', P, '--json']);
  assert.equal(ck.code, 0, ck.stderr);
  assert.deepEqual(JSON.parse(ck.stdout), then);
  // every indicator at once, on either view
  const allMapped = await s.ok('/api/v1/indicators/values', { unit: 'RG3', period: P, mapped: 'true' });
  const mappedBy = Object.fromEntries(allMapped.items.map((i) => [i.indicator, i.value]));
  assert.deepEqual([allMapped.mapped, mappedBy.supervision_sessions, mappedBy.members], [true, 8, 5]);
  assertError(await s.get('/api/v1/indicators/values', { unit: 'RG3', period: P }), 404, 'not_found');
  const cv = await cli(['indicators', 'values', '--unit', 'RG3', '--period', P, '--mapped', '--json']);
  assert.equal(cv.code, 0, cv.stderr);
  assert.deepEqual(JSON.parse(cv.stdout), allMapped);
  const text = await cli(['indicators', 'children', 'supervision_sessions', '--unit', '24', '--period', P, '--mapped']);
  assert.match(text.stdout, /^RG3 +8 +entered$/m);
  assert.equal((await cli(['indicators', 'children', 'members', '--unit', '24', '--to', P])).code, 2, '--to is the series\'');
  const far = await cli(['indicators', 'series', 'members', '--unit', '24', '--to', P, '--count', '41']);
  assert.equal(far.code, 1);
  assert.match(far.stderr, /count/);
});

test('a unit that has left the caller\'s scope since stays out of her figures\' lists', async () => {
  const pw = 'prov.24-mat-khau-2026';
  assert.equal((await s.post('/api/v1/users', { username: 'prov.24', display_name: 'Người Tỉnh', unit: '24', roles: ['approver'], password: pw })).status, 201);
  const l = await s.login('prov.24', pw);
  const who = { auth: false, cookie: l.cookie, csrf: l.csrf };
  const kids = (await s.get('/api/v1/indicators/members/children', { unit: '24', period: P }, who)).body;
  assert.ok(kids.items.some((i) => i.unit.code === 'RG1'));
  assert.ok(!kids.items.some((i) => i.unit.code === 'RG6'), 'RG6 is 01\'s now');
  const ov = (await s.get('/api/v1/forms/commune_half/overview', { unit: '24', period: P }, who)).body;
  assert.ok(ov.items.some((i) => i.unit.code === 'RG1'));
  assert.ok(!ov.items.some((i) => i.unit.code === 'RG6'));
  // the whole tree's official sees where it stood
  const all = await s.ok('/api/v1/indicators/members/children', { unit: '24', period: P });
  assert.ok(all.items.some((i) => i.unit.code === 'RG6'));
});

test('a commune merged away keeps its report: approved after the merger, frozen, and still counted for its successor', async () => {
  const ap = await s.post(`/api/v1/forms/commune_half/RG1/${P}/approve`, {});
  assert.equal(ap.status, 200, ap.text);
  assert.equal(ap.body.status, 'approved');
  assert.equal(ap.body.values.supervision_sessions.value, 3);
  assert.equal((await value('supervision_sessions', 'RG1', false)).status, 'approved');
  assert.equal((await value('supervision_sessions', 'RG3', true)).value, 8);
  assert.equal((await value('supervision_sessions', '24', false)).value, 15);
  // four eyes: who submitted a report does not decide on it
  assert.equal((await s.post(`/api/v1/forms/commune_half/RG2/${P}/submit`, {})).status, 200);
  assertError(await s.post(`/api/v1/forms/commune_half/RG2/${P}/approve`, {}), 403, 'own_report');
  assertError(await s.post(`/api/v1/forms/commune_half/RG2/${P}/return`, { reason: 'x' }), 403, 'own_report');
});
