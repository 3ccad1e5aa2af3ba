// accounts.test.js - who may make, disable, enable and erase whom (issue 13,
// finding 5): an admin gives only the roles she holds (or member alone); an
// admin of her own unit is managed from the unit above; an erased account
// stays erased.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './server.js';

let s;
const PW = 'mat-khau-du-dai-1';

async function adminToken(username, unit) {
  await s.op('/api/v1/users', { username, unit, roles: ['admin'], password: PW }, 201);
  const a = await s.login(username, PW);
  const t = await s.request('POST', '/api/v1/tokens', { cookie: a.cookie, csrf: a.csrf, body: { name: 'test', roles: ['admin'] } });
  assert.equal(t.status, 201, t.text);
  return t.body.secret;
}

before(async () => {
  s = await startServer();
  for (const [code, parent, level] of [['A1', '24', 'commune'], ['A1.1', 'A1', 'branch']]) {
    await s.op('/api/v1/units', { code, name_vi: `Đơn vị ${code}`, name_en: code, level, parent, date: '2025-08-01' }, 201);
  }
});

after(async () => { if (s) await s.stop(); });

const newUser = (username, unit, roles) => ({ username, unit, roles, password: PW });

test('an admin gives only the roles she holds, or member alone', async () => {
  const tok = await adminToken('acc.a1', 'A1');
  const mk = (body) => s.post('/api/v1/users', body, { auth: tok });
  const e = assertError(await mk(newUser('acc.both', 'A1.1', ['admin', 'member'])), 422, 'invalid', 'admin and member');
  assert.ok(e.details.some((d) => d.field === 'roles' && d.code === 'beyond_own_roles'), JSON.stringify(e.details));
  assert.equal((await s.get('/api/v1/users/acc.both/consents')).status, 404, 'nobody was made');
  assert.equal((await mk(newUser('acc.member', 'A1.1', ['member']))).status, 201, 'a member account');
  assert.equal((await mk(newUser('acc.viewer', 'A1', ['viewer', 'entry']))).status, 201, 'officers of her own unit');
  assert.equal((await mk(newUser('acc.branch', 'A1.1', ['admin']))).status, 201, 'an admin below her unit');
  const peer = assertError(await mk(newUser('acc.peer', 'A1', ['admin'])), 422, 'invalid', 'an admin of her own unit');
  assert.ok(peer.details.some((d) => d.field === 'roles' && d.code === 'managed_from_above'), JSON.stringify(peer.details));
});

test('two admins of one unit cannot disable or erase each other; the unit above can', async () => {
  const a = await adminToken('acc.peer1', 'A1');
  await s.op('/api/v1/users', newUser('acc.peer2', 'A1', ['admin']), 201);
  for (const action of ['disable', 'erase']) {
    const r = assertError(await s.post(`/api/v1/users/acc.peer2/${action}`, {}, { auth: a }), 403, 'managed_from_above', action);
    assert.equal(r.username, 'acc.peer2');
  }
  const peer = (await s.get('/api/v1/users')).body.items.find((u) => u.username === 'acc.peer2');
  assert.equal(peer.disabled, false, 'she was not touched');
  // the province above (here the root) can
  const d = await s.post('/api/v1/users/acc.peer2/disable', {});
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.disabled, true);
  // and a non-admin of her own unit she manages herself
  await s.op('/api/v1/users', newUser('acc.clerk', 'A1', ['entry']), 201);
  assert.equal((await s.post('/api/v1/users/acc.clerk/disable', {}, { auth: a })).status, 200);
});

test('an erased account cannot be enabled again and holds no roles', async () => {
  await s.op('/api/v1/users', newUser('acc.gone', 'A1.1', ['viewer', 'entry']), 201);
  const id = (await s.get('/api/v1/users')).body.items.find((u) => u.username === 'acc.gone').id;
  const er = await s.post('/api/v1/users/acc.gone/erase', {});
  assert.equal(er.status, 200, er.text);
  assert.equal(er.body.erased, true);
  assert.equal(er.body.disabled, true);
  assert.deepEqual(er.body.roles, []);
  const name = er.body.username;
  assert.equal(name, `erased-${id}`);
  const en = assertError(await s.post(`/api/v1/users/${name}/enable`, {}), 409, 'user_erased');
  assert.equal(en.username, name);
  const after = (await s.get('/api/v1/users')).body.items.find((u) => u.id === id);
  assert.equal(after.disabled, true);
  assert.equal(after.erased, true);
  assertError(await s.post(`/api/v1/users/${name}/disable`, {}), 409, 'user_erased', 'nor disabled again');
});
