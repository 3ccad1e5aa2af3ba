// hardening.test.js - regression tests for what an independent review of
// the access layer found: a unit is changed only from above its own level of
// the caller's scope, the tree's root alone gives global scope, events name
// no unit outside the caller's scope, history cannot end before a recorded
// change, bodies must be JSON from our own site, and junk in a path is a 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './server.js';

let s;
const PW = 'mat-khau-du-dai-1';

async function tokenFor(username, unit, roles) {
  await s.op('/api/v1/users', { username, unit, roles, password: PW }, 201);
  const a = await s.login(username, PW);
  const t = await s.request('POST', '/api/v1/tokens', { cookie: a.cookie, csrf: a.csrf, body: { name: 'test', roles } });
  assert.equal(t.status, 201, t.text);
  return t.body.secret;
}

before(async () => {
  s = await startServer();
  for (const [code, parent, level] of [['H1', '24', 'commune'], ['H1.1', 'H1', 'branch'], ['H1.2', 'H1', 'branch'], ['H2', '24', 'commune']]) {
    await s.op('/api/v1/units', { code, name_vi: `Đơn vị ${code}`, name_en: code, level, parent, date: '2025-08-01' }, 201);
  }
});

after(async () => { if (s) await s.stop(); });

test('a commune admin manages what is below her commune, not the commune itself', async () => {
  const tok = await tokenFor('admin.h1', 'H1', ['admin']);
  const split = await s.post('/api/v1/units/H1/split', {
    date: '2025-09-01', into: [{ code: 'HX1', name_vi: 'X1', name_en: 'X1' }, { code: 'HX2', name_vi: 'X2', name_en: 'X2' }],
    children: { 'H1.1': 'HX1', 'H1.2': 'HX2' },
  }, { auth: tok });
  assertError(split, 404, 'not_found', 'split of her own commune');
  assertError(await s.post('/api/v1/units/H1/close', { date: '2025-09-01' }, { auth: tok }), 404, 'not_found');
  assertError(await s.post('/api/v1/units/H1/rename', { date: '2025-09-01', name_vi: 'Y', name_en: 'Y' }, { auth: tok }), 404, 'not_found');
  assertError(await s.post('/api/v1/units/merge', { date: '2025-09-01', sources: ['H1', 'H2'], into: { code: 'HM', name_vi: 'M', name_en: 'M', level: 'commune' } }, { auth: tok }), 404, 'not_found');
  // below it she may
  const r = await s.post('/api/v1/units/H1.1/rename', { date: '2025-09-01', name_vi: 'Chi hội mới', name_en: 'New' }, { auth: tok });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.parent.code, 'H1');
  const m = await s.post('/api/v1/units/merge', { date: '2025-10-01', sources: ['H1.1', 'H1.2'], into: { code: 'H1.9', name_vi: 'Chi hội gộp', name_en: 'Merged', level: 'branch' } }, { auth: tok });
  assert.equal(m.status, 201, m.text);
  assert.equal(m.body.unit.parent.code, 'H1', 'the new unit stays under her commune');
});

test('only the root of the tree gives global scope, not any unit without a parent', async () => {
  await s.op('/api/v1/units', { code: 'NET1', name_vi: 'Mạng lưới', name_en: 'Network', level: 'central', kind: 'network', date: '2025-08-01' }, 201);
  const tok = await tokenFor('viewer.net', 'NET1', ['viewer']);
  const list = await s.get('/api/v1/units', { level: 'province' }, { auth: tok });
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 0);
  assertError(await s.get('/api/v1/units/01', {}, { auth: tok }), 404, 'not_found');
  assert.equal((await s.get('/api/v1/units/NET1', {}, { auth: tok })).status, 200);
});

test('events name no unit outside the caller\'s scope', async () => {
  // units of its own (the other tests keep H1 and H2 as they are)
  for (const [code, parent, level] of [['H5', '24', 'commune'], ['H5.1', 'H5', 'branch'], ['H6', '24', 'commune']]) {
    await s.op('/api/v1/units', { code, name_vi: `Đơn vị ${code}`, name_en: code, level, parent, date: '2025-08-01' }, 201);
  }
  const tok = await tokenFor('viewer.h6', 'H6', ['viewer']);
  // H6 takes over a branch from H5 by a merge of H5 into H6 made by the system admin
  await s.op('/api/v1/units/merge', { date: '2025-11-01', sources: ['H5'], into: 'H6' }, 200);
  const detail = await s.get('/api/v1/units/H6', { as_of: '2025-11-01' }, { auth: tok });
  assert.equal(detail.status, 200);
  for (const ev of detail.body.events) {
    for (const ref of [...ev.sources, ...ev.targets]) assert.notEqual(ref.code, '24', JSON.stringify(ev));
  }
  const events = await s.get('/api/v1/events', {}, { auth: tok });
  for (const ev of events.body.items) {
    for (const ref of [...ev.sources, ...ev.targets]) {
      assert.ok(['H6', 'H5', 'H5.1'].includes(ref.code), `event names ${ref.code}`);
    }
  }
});

test('history is never rewritten: a unit cannot end before a change already recorded', async () => {
  await s.op('/api/v1/units', { code: 'R1', name_vi: 'R1', name_en: 'R1', level: 'commune', parent: '24', date: '2025-08-01' }, 201);
  await s.op('/api/v1/units/R1/rename', { date: '2026-03-01', name_vi: 'R1 mới', name_en: 'R1 new' }, 200);
  assertError(await s.post('/api/v1/units/R1/close', { date: '2026-01-01' }), 409, 'date_out_of_range');
  assertError(await s.post('/api/v1/units/merge', { date: '2026-01-01', sources: ['R1'], into: '24' }), 409);
  const r = await s.post('/api/v1/units/R1/close', { date: '2026-04-01' });
  assert.equal(r.status, 200, r.text);
});

test('state-changing requests must be JSON from our own site', async () => {
  const text = await s.request('POST', '/api/v1/session', { raw: '{"username":"admin","password":"x"}', headers: { 'Content-Type': 'text/plain' }, auth: false, validate: false });
  assert.equal(text.status, 415, text.text);
  assert.equal(text.body.error.code, 'unsupported_media_type');
  const form = await s.request('POST', '/api/v1/units', { raw: 'code=X', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, validate: false });
  assert.equal(form.status, 415);
  const cross = await s.request('POST', '/api/v1/session', { body: { username: 'admin', password: s.adminPassword }, headers: { Origin: 'https://evil.example' }, auth: false, validate: false });
  assert.equal(cross.status, 403, cross.text);
  assert.equal(cross.body.error.code, 'cross_origin');
  assert.equal(cross.headers.getSetCookie().length, 0, 'no session for a cross-site log-in');
  const site = await s.request('POST', '/api/v1/units', { body: {}, headers: { 'Sec-Fetch-Site': 'cross-site' }, validate: false });
  assert.equal(site.status, 403);
  const same = await s.request('POST', '/api/v1/session', { body: { username: 'admin', password: s.adminPassword }, headers: { Origin: s.base }, auth: false });
  assert.equal(same.status, 200, same.text);
});

test('junk in a path or a query is a 404 or 400, never a 500', async () => {
  for (const p of [`/api/v1/units/${'a'.repeat(39)}%C3%A9`, '/api/v1/units/id:0']) {
    const r = await s.request('GET', p, { validate: false });
    assert.equal(r.status, 404, `${p}: ${r.status} ${r.text}`);
    assert.doesNotThrow(() => JSON.parse(r.text));
  }
  // not UTF-8, or a NUL (which cut the path short): 400 (issue 13, finding
  // 6; utf8.test.js has every route)
  for (const p of ['/api/v1/units/%FF', '/api/v1/units/%C3%28', '/api/v1/units/%00']) {
    const r = await s.request('GET', p, { validate: false });
    assert.equal(r.status, 400, `${p}: ${r.status} ${r.text}`);
    assert.doesNotThrow(() => JSON.parse(r.text));
  }
  const q = await s.request('GET', '/api/v1/units', { query: 'parent=%FF', validate: false });
  assert.equal(q.status, 400, q.text);
  const c = await s.request('GET', '/api/v1/units', { query: 'cursor=_w', validate: false });
  assert.equal(c.status, 400, c.text);
});

test('erased- names are kept for erased accounts', async () => {
  const r = await s.post('/api/v1/users', { username: 'erased-99', unit: '24', roles: ['viewer'], password: PW });
  assertError(r, 422, 'invalid');
});

test('pages cannot be framed', async () => {
  const r = await fetch(s.base + '/');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.match(r.headers.get('content-security-policy') || '', /frame-ancestors 'none'/);
});

test('the audit trail hides a parent outside the caller\'s scope, as the unit\'s history does (issue 13, finding 7)', async () => {
  // a commune of province 01 moves into province 24; 24's admin reads its audit rows
  await s.op('/api/v1/units', { code: 'HMV', name_vi: 'Xã Di Chuyển', name_en: 'Moving', level: 'commune', parent: '01', date: '2025-08-01' }, 201);
  await s.op('/api/v1/units/HMV/move', { parent: '24', date: '2025-09-01' }, 200);
  const tok = await tokenFor('admin.p24.audit', '24', ['admin']);
  const hist = await s.get('/api/v1/units/HMV', {}, { auth: tok });
  assert.equal(hist.status, 200, hist.text);
  assert.ok(!hist.text.includes('"code":"01"'), 'the history names no unit of province 01');
  const r = await s.get('/api/v1/audit', { unit: 'HMV' }, { auth: tok });
  assert.equal(r.status, 200, r.text);
  const move = r.body.items.find((x) => x.action === 'unit.move');
  assert.ok(move, JSON.stringify(r.body.items.map((x) => x.action)));
  assert.equal(move.before.parent, null, 'before: the parent in province 01 is hidden');
  assert.equal(move.after.parent, '24', 'after: her own province is shown');
  const create = r.body.items.find((x) => x.action === 'unit.create');
  if (create) assert.equal(create.after.parent, null, 'its creation under 01 is hidden too');
  assert.ok(!r.text.includes('"parent":"01"'), 'no row names province 01');
  // the admin at the root sees everything
  const all = await s.get('/api/v1/audit', { unit: 'HMV' });
  assert.equal(all.body.items.find((x) => x.action === 'unit.move').before.parent, '01');
});

test('a split or merge cannot move, name or rewrite a child that has since left the caller\'s scope (found by review)', async () => {
  // HS1 under province 01; its branch HS1.9 moves to province 24 later
  await s.op('/api/v1/units', { code: 'HS1', name_vi: 'Xã Tách', name_en: 'Split', level: 'commune', parent: '01', date: '2025-08-01' }, 201);
  await s.op('/api/v1/units', { code: 'HS1.1', name_vi: 'Chi hội Một', name_en: 'One', level: 'branch', parent: 'HS1', date: '2025-08-01' }, 201);
  await s.op('/api/v1/units', { code: 'HS1.9', name_vi: 'Chi hội Bí mật', name_en: 'Secret', level: 'branch', parent: 'HS1', date: '2025-08-01' }, 201);
  await s.op('/api/v1/units', { code: 'HS2', name_vi: 'Xã Nhận', name_en: 'Receiver', level: 'commune', parent: '24', date: '2025-08-01' }, 201);
  await s.op('/api/v1/units/HS1.9/move', { parent: 'HS2', date: '2026-01-01' }, 200);
  const tok = await tokenFor('admin.p01.split', '01', ['admin']);
  const into = [{ code: 'HSA', name_vi: 'A', name_en: 'A', level: 'commune' }, { code: 'HSB', name_vi: 'B', name_en: 'B', level: 'commune' }];
  const before = (await s.get('/api/v1/units/HS1.9')).body;
  for (const body of [
    { date: '2025-09-01', into, children: { 'HS1.1': 'HSA' }, dry_run: true },
    { date: '2025-09-01', into, children: { 'HS1.1': 'HSA', 'HS1.9': 'HSB' }, dry_run: true },
    { date: '2025-09-01', into, children: { 'HS1.1': 'HSA', 'HS1.9': 'HSB' } },
  ]) {
    const r = await s.post('/api/v1/units/HS1/split', body, { auth: tok });
    const err = assertError(r, 403, 'children_out_of_scope', JSON.stringify(body));
    assert.equal(err.count, 1);
    assert.ok(!r.text.includes('HS1.9') && !r.text.includes('Bí mật'), r.text);
  }
  await s.op('/api/v1/units', { code: 'HS3', name_vi: 'Xã Ba', name_en: 'Three', level: 'commune', parent: '01', date: '2025-08-01' }, 201);
  const merge = await s.post('/api/v1/units/merge', { date: '2025-09-01', sources: ['HS1', 'HS3'], into: { code: 'HSM', name_vi: 'M', name_en: 'M', level: 'commune' }, dry_run: true }, { auth: tok });
  assertError(merge, 403, 'children_out_of_scope');
  assert.deepEqual((await s.get('/api/v1/units/HS1.9')).body, before, 'its history is untouched');
});

test('code_taken does not name a unit outside the caller\'s scope (found by review)', async () => {
  await s.op('/api/v1/units', { code: 'HCT1', name_vi: 'Xã Bí Danh', name_en: 'Hidden', level: 'commune', parent: '01', date: '2025-08-01' }, 201);
  const tok = await tokenFor('admin.p24.codes', '24', ['admin']);
  const body = { code: 'HCT1', name_vi: 'X', name_en: 'X', level: 'commune', parent: '24', date: '2025-09-01' };
  for (const dry of [true, false]) {
    const r = await s.post('/api/v1/units', { ...body, dry_run: dry }, { auth: tok });
    const err = assertError(r, 409, 'code_taken', `dry_run ${dry}`);
    assert.equal(err.value, 'HCT1');
    assert.equal(err.name, undefined, r.text);
    assert.equal(err.level, undefined, r.text);
    assert.ok(!r.text.includes('Bí Danh'), r.text);
  }
  // the root admin, whose scope holds it, is told which unit holds the code
  const root = assertError(await s.post('/api/v1/units', body), 409, 'code_taken');
  assert.equal(root.name, 'Xã Bí Danh');
});
