// users.test.js - user administration (issue 14, item 2): an admin edits a
// user's display name, unit and roles; resets her password to a one-time one,
// which she must change before anything else; sees and ends her sessions and
// tokens. The rules of creation hold for every action: scope (404 as for a
// user nobody has), roles her own cover, an admin of her own unit managed
// from above, an erased account unchanged. Everything is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './server.js';

let s;
const PW = 'mat-khau-du-dai-1';
let prov; // a province admin of 24: {token, cookie, csrf}

async function adminOf(username, unit) {
  await s.op('/api/v1/users', { username, unit, roles: ['admin'], password: PW }, 201);
  const a = await s.login(username, PW);
  const t = await s.request('POST', '/api/v1/tokens', { cookie: a.cookie, csrf: a.csrf, body: { name: 'test', roles: ['admin'] } });
  assert.equal(t.status, 201, t.text);
  return { token: t.body.secret, cookie: a.cookie, csrf: a.csrf };
}

const patch = (name, body, opts = {}) => s.request('PATCH', `/api/v1/users/${name}`, { body, ...opts });

before(async () => {
  s = await startServer();
  for (const [code, parent, level] of [['U1', '24', 'commune'], ['U2', '24', 'commune'], ['U1.1', 'U1', 'branch']]) {
    await s.op('/api/v1/units', { code, name_vi: `Đơn vị ${code}`, name_en: code, level, parent, date: '2025-08-01' }, 201);
  }
  prov = await adminOf('u.prov', '24');
});

after(async () => { if (s) await s.stop(); });

test('an admin edits a user of her scope: display name, unit, roles; audited as user.update', async () => {
  await s.op('/api/v1/users', { username: 'u.lan', display_name: 'Lan', unit: 'U1', roles: ['viewer'], password: PW }, 201);
  const o = { auth: prov.token };
  let r = await patch('u.lan', { display_name: 'Nguyễn Thị Lan', unit: 'U2', roles: ['viewer', 'entry'] }, o);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.display_name, 'Nguyễn Thị Lan');
  assert.equal(r.body.unit.code, 'U2');
  assert.deepEqual(r.body.roles, ['viewer', 'entry']);
  assert.equal(r.body.must_change_password, false);
  // only what is sent changes; nothing sent, nothing written
  r = await patch('U.LAN', { display_name: 'Lan N.' }, o);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.unit.code, 'U2');
  r = await patch('u.lan', {}, o);
  assert.equal(r.status, 200, r.text);
  const rows = (await s.ok('/api/v1/audit', { action: 'user.update', record_type: 'user', record_id: String(r.body.id) })).items;
  assert.equal(rows.length, 2, JSON.stringify(rows));
  assert.equal(rows[1].before.unit, 'U1');
  assert.equal(rows[1].after.unit, 'U2');
  assert.equal(rows[1].after.roles, 'viewer entry');
  assert.equal(rows[1].user, 'u.prov');
});

test('editing keeps the rules: fields checked, roles within hers, scope, managed from above, erased', async () => {
  const o = { auth: prov.token };
  await s.op('/api/v1/users', { username: 'u.mai', unit: 'U1', roles: ['viewer'], password: PW }, 201);
  let e = assertError(await patch('u.mai', { display_name: '', roles: [], unit: 7, extra: 1 }, o), 422, 'invalid');
  const codes = Object.fromEntries(e.details.map((d) => [d.field, d.code]));
  assert.deepEqual(codes, { extra: 'unknown_field', display_name: 'required', roles: 'too_few', unit: 'not_a_string' });
  // a unit outside her scope is a unit nobody has
  e = assertError(await patch('u.mai', { unit: '01' }, o), 422, 'invalid');
  assert.equal(e.details[0].field, 'unit');
  assert.equal(e.details[0].code, 'not_found');
  // member alone, or roles hers cover; never an admin of her own unit
  assert.equal((await patch('u.mai', { roles: ['member'] }, o)).status, 200);
  e = assertError(await patch('u.mai', { roles: ['admin'], unit: '24' }, o), 422, 'invalid');
  assert.equal(e.details[0].code, 'managed_from_above');
  assert.equal((await patch('u.mai', { roles: ['admin'] }, o)).status, 200, 'an admin of a commune below: fine');
  // herself and the admins of her own unit: from above
  await s.op('/api/v1/users', { username: 'u.prov2', unit: '24', roles: ['admin'], password: PW }, 201);
  assertError(await patch('u.prov2', { display_name: 'X' }, o), 403, 'managed_from_above');
  assertError(await patch('u.prov', { display_name: 'X' }, o), 403, 'managed_from_above');
  // a commune admin cannot reach a user of the province or of another
  // commune (a user of U2 of its own, not the test above's u.lan)
  await s.op('/api/v1/users', { username: 'u.nga', unit: 'U2', roles: ['viewer'], password: PW }, 201);
  const com = await adminOf('u.com1', 'U1');
  for (const name of ['u.prov2', 'u.nga', 'no.such.user']) {
    const r = await patch(name, { display_name: 'X' }, { auth: com.token });
    assertError(r, 404, 'not_found', name);
    assert.equal(r.body.error.message, 'no such user');
  }
  // a viewer: 403 before anything is looked up
  await s.op('/api/v1/users', { username: 'u.view', unit: '24', roles: ['viewer'], password: PW }, 201);
  const v = await s.login('u.view', PW);
  assertError(await patch('no.such.user', { display_name: 'X' }, { cookie: v.cookie, csrf: v.csrf }), 403, 'forbidden');
  // an erased account is never changed again
  await s.op('/api/v1/users', { username: 'u.gone', unit: 'U1', roles: ['viewer'], password: PW }, 201);
  const gone = await s.op('/api/v1/users/u.gone/erase', undefined, 200);
  assertError(await patch(gone.username, { display_name: 'X' }, o), 409, 'user_erased');
  assertError(await s.request('POST', `/api/v1/users/${gone.username}/password-reset`, o), 409, 'user_erased');
});

test('a reset password is one-time: her sessions end, she must change it before anything else', async () => {
  await s.op('/api/v1/users', { username: 'u.hoa', unit: 'U1', roles: ['viewer'], password: PW }, 201);
  const old = await s.login('u.hoa', PW);
  const t = await s.request('POST', '/api/v1/tokens', { cookie: old.cookie, csrf: old.csrf, body: { name: 'script', roles: ['viewer'] } });
  assert.equal(t.status, 201);
  const r = await s.request('POST', '/api/v1/users/u.hoa/password-reset', { auth: prov.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.user.must_change_password, true);
  const once = r.body.password;
  assert.match(once, /^[A-Za-z0-9]{16}$/);
  assertError(await s.get('/api/v1/session', undefined, { cookie: old.cookie }), 401, 'unauthorized');
  assert.equal((await s.login('u.hoa', PW)).status, 401, 'the old password is gone');
  const l = await s.login('u.hoa', once);
  assert.equal(l.status, 200);
  assert.equal(l.user.must_change_password, true);
  const me = { cookie: l.cookie, csrf: l.csrf };
  assert.equal((await s.get('/api/v1/session', undefined, me)).status, 200, 'who she is: allowed');
  for (const [m, p] of [['GET', '/api/v1/units'], ['GET', '/api/v1/tokens'], ['POST', '/api/v1/tokens']]) {
    assertError(await s.request(m, p, { ...me, body: m === 'POST' ? { name: 'x', roles: ['viewer'] } : undefined }), 403, 'password_change_required', `${m} ${p}`);
  }
  // her tokens died with the reset (a taken-over account is recovered this way)
  assertError(await s.get('/api/v1/units', undefined, { auth: t.body.secret }), 401, 'unauthorized', 'her token is revoked');
  // not the one-time password again
  const same = assertError(await s.request('POST', '/api/v1/session/password', { ...me, body: { current_password: once, new_password: once } }), 422, 'invalid');
  assert.equal(same.details[0].code, 'same_as_current');
  // nor one of the most common passwords (issue 14, item 5)
  const common = assertError(await s.request('POST', '/api/v1/session/password', { ...me, body: { current_password: once, new_password: 'Matkhau12345' } }), 422, 'invalid');
  assert.deepEqual(common.details.map((d) => [d.field, d.code]), [['new_password', 'common_password']]);
  assert.equal((await s.get('/api/v1/session', undefined, me)).body.user.must_change_password, true, 'still to be changed');
  const ch = await s.request('POST', '/api/v1/session/password', { ...me, body: { current_password: once, new_password: 'mat-khau-moi-cua-hoa' } });
  assert.equal(ch.status, 200, ch.text);
  assert.equal((await s.get('/api/v1/units', undefined, me)).status, 200, 'free again');
  assert.equal((await s.get('/api/v1/session', undefined, me)).body.user.must_change_password, false);
  assertError(await s.get('/api/v1/units', undefined, { auth: t.body.secret }), 401, 'unauthorized', 'and stays revoked after the change');
  const rows = (await s.ok('/api/v1/audit', { action: 'user.password_reset', record_type: 'user', record_id: String(r.body.user.id) })).items;
  assert.equal(rows.length, 1);
  assert.equal(rows[0].after.must_change_password, true);
  assert.ok(!JSON.stringify(rows).includes(once), 'the password is not in the audit');
  // log-out is open while the change is due
  await s.request('POST', '/api/v1/users/u.hoa/password-reset', { auth: prov.token });
  const again = await s.login('u.hoa', (await s.request('POST', '/api/v1/users/u.hoa/password-reset', { auth: prov.token })).body.password);
  assert.equal((await s.request('DELETE', '/api/v1/session', { cookie: again.cookie, csrf: again.csrf })).status, 200);
});

test('an admin sees and ends a user\'s sessions and tokens; audited; her own need her logged in', async () => {
  await s.op('/api/v1/users', { username: 'u.thu', unit: 'U1.1', roles: ['viewer'], password: PW }, 201);
  const a = await s.login('u.thu', PW);
  const b = await s.login('u.thu', PW);
  const t = await s.request('POST', '/api/v1/tokens', { cookie: a.cookie, csrf: a.csrf, body: { name: 'báo cáo', roles: ['viewer'] } });
  const o = { auth: prov.token };
  let r = await s.get('/api/v1/users/u.thu/sessions', undefined, o);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items.length, 2);
  assert.ok(r.body.items.every((x) => /^[0-9a-f]{16}$/.test(x.id) && x.current === false));
  const d = await s.request('DELETE', `/api/v1/users/u.thu/sessions/${r.body.items[0].id}`, o);
  assert.equal(d.status, 200, d.text);
  const alive = await Promise.all([a, b].map(async (x) => (await s.get('/api/v1/session', undefined, { cookie: x.cookie })).status));
  assert.deepEqual(alive.sort(), [200, 401], 'one session ended, the other lives');
  assertError(await s.request('DELETE', `/api/v1/users/u.thu/sessions/${r.body.items[0].id}`, o), 404, 'not_found');
  assertError(await s.request('DELETE', '/api/v1/users/u.thu/sessions/zz', o), 404, 'not_found');
  r = await s.get('/api/v1/users/u.thu/tokens', undefined, o);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((x) => x.name), ['báo cáo']);
  assert.equal((await s.request('DELETE', `/api/v1/users/u.thu/tokens/${t.body.token.id}`, o)).status, 200);
  assertError(await s.get('/api/v1/units', undefined, { auth: t.body.secret }), 401, 'unauthorized');
  assertError(await s.request('DELETE', `/api/v1/users/u.thu/tokens/${t.body.token.id}`, o), 404, 'not_found');
  const rows = (await s.ok('/api/v1/audit', { user: 'u.prov' })).items.map((x) => `${x.action} ${x.detail}`);
  assert.ok(rows.includes('session.revoke u.thu') && rows.includes('token.revoke báo cáo'), rows.join());
  // a commune admin elsewhere: as if she did not exist
  const com = await adminOf('u.com2', 'U2');
  assertError(await s.get('/api/v1/users/u.thu/sessions', undefined, { auth: com.token }), 404, 'not_found');
  assertError(await s.get('/api/v1/users/u.thu/tokens', undefined, { auth: com.token }), 404, 'not_found');
  // her own: with her session, not with a token; the current one marked
  const own = await s.get('/api/v1/users/u.prov/sessions', undefined, { cookie: prov.cookie });
  assert.equal(own.status, 200, own.text);
  assert.ok(own.body.items.some((x) => x.current));
  assertError(await s.get('/api/v1/users/u.prov/sessions', undefined, o), 403, 'session_required');
  // an admin of her own unit: seen, changed from above
  await s.op('/api/v1/users', { username: 'u.prov3', unit: '24', roles: ['admin'], password: PW }, 201);
  const p3 = await s.login('u.prov3', PW);
  const h = (await s.get('/api/v1/users/u.prov3/sessions', undefined, o)).body.items[0].id;
  assertError(await s.request('DELETE', `/api/v1/users/u.prov3/sessions/${h}`, o), 403, 'managed_from_above');
  assert.equal((await s.request('DELETE', `/api/v1/users/u.prov3/sessions/${h}`)).status, 200, 'the system admin can');
  assertError(await s.get('/api/v1/session', undefined, { cookie: p3.cookie }), 401, 'unauthorized');
});
