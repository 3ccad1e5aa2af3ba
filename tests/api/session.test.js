// session.test.js - log-in, log-out and who am I; the same answer for a
// wrong password and an unknown user; session fixation; CSRF; throttling of
// failed log-ins per account and per client address; session time-outs;
// password change; API tokens (shown once, a subset of the roles, revocable,
// dead with a disabled user); oversize and malformed bodies on these
// endpoints. Sessions are driven by hand: the ub_session cookie and the
// X-CSRF-Token header (request options cookie and csrf).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './server.js';

let s;
const PW = {};
let n = 0;

// A user made through the API (as the system admin): her name and password.
async function user(prefix, { unit = '01', roles = ['viewer'] } = {}) {
  const username = `${prefix}.${++n}`;
  const password = `pw-${username}-${Math.random().toString(36).slice(2, 10)}`;
  const r = await s.post('/api/v1/users', { username, unit, roles, password });
  assert.equal(r.status, 201, r.text);
  PW[username] = password;
  return username;
}

async function login(username, password = PW[username], opts = {}) {
  const l = await s.login(username, password, opts);
  assert.equal(l.status, 200, `log-in of ${username}: ${l.r.text}`);
  return l;
}

// The Set-Cookie header of a response, parsed: {value, attrs: Set of lower-case names, maxAge}.
function setCookie(r) {
  const all = r.headers.getSetCookie();
  const line = all.find((x) => x.startsWith('ub_session='));
  if (!line) return null;
  const [first, ...rest] = line.split(';').map((x) => x.trim());
  const attrs = new Map(rest.map((a) => { const [k, v] = a.split('='); return [k.toLowerCase(), v ?? true]; }));
  return { value: first.slice('ub_session='.length), attrs, line };
}

const me = (opts) => s.request('GET', '/api/v1/session', opts);
// a day far ahead of the wall clock (token expiry is wall-clock time), and the
// first moment after it: a token expiring then works for decades, whatever
// year the tests run in
const FAR_YEAR = new Date().getUTCFullYear() + 70;
const FAR = `${FAR_YEAR}-12-31`;
const AFTER_FAR = `${FAR_YEAR + 1}-01-01T00:00:00Z`;
const unitCount = async () => (await s.all('/api/v1/units', { as_of: '2025-09-01', level: 'commune' })).length;

before(async () => { s = await startServer(); });
after(async () => { if (s) await s.stop(); });

// ---- log-in, who am I, log-out ---------------------------------------------------

test('log in: the user, a CSRF token and a HttpOnly, SameSite=Strict session cookie; who am I; log out', async () => {
  const name = await user('lan');
  const r = await s.request('POST', '/api/v1/session', { auth: false, body: { username: name, password: PW[name] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.user.username, name);
  assert.deepEqual(r.body.user.roles, ['viewer']);
  assert.equal(r.body.user.unit.code, '01');
  assert.ok(r.body.csrf_token.length >= 32, 'a CSRF token of at least 32 characters');
  const c = setCookie(r);
  assert.ok(c, `a ub_session cookie: ${r.headers.getSetCookie()}`);
  assert.ok(c.value.length >= 32, 'a session id of at least 32 characters');
  assert.ok(c.attrs.has('httponly'), c.line);
  assert.equal(String(c.attrs.get('samesite')).toLowerCase(), 'strict', c.line);
  assert.equal(c.attrs.get('path'), '/', c.line);
  assert.ok(!c.attrs.has('secure'), 'no Secure flag without --secure-cookies');
  assert.notEqual(c.value, r.body.csrf_token, 'the CSRF token is not the session id');

  const who = await me({ cookie: c.value });
  assert.equal(who.status, 200);
  assert.equal(who.body.user.username, name);
  assert.equal(who.body.csrf_token, r.body.csrf_token);
  assert.equal(who.body.via, 'session');
  assert.equal(who.headers.get('set-cookie'), null, 'a read sets no cookie');

  // any case of the user name
  const l2 = await login(name.toUpperCase(), PW[name]);
  assert.equal(l2.user.username, name);
  assert.notEqual(l2.cookie, c.value, 'every log-in makes a new session');

  // log out: the cookie is cleared, the session is gone, the other one lives
  const out = await s.request('DELETE', '/api/v1/session', { cookie: c.value, csrf: r.body.csrf_token });
  assert.equal(out.status, 200, out.text);
  assert.deepEqual(out.body, { ok: true });
  const cleared = setCookie(out);
  assert.ok(cleared && cleared.value === '' && cleared.attrs.get('max-age') === '0', `the cookie is cleared: ${cleared?.line}`);
  assertError(await me({ cookie: c.value }), 401, 'unauthorized', 'the session after log-out');
  assert.equal((await me({ cookie: l2.cookie })).status, 200, 'her other session goes on');
});

test('no caller: GET /session and DELETE /session are 401', async () => {
  assertError(await me({ auth: false }), 401, 'unauthorized');
  assertError(await s.request('DELETE', '/api/v1/session', { auth: false }), 401, 'unauthorized');
});

test('a wrong password and an unknown user get the very same 401; so does a disabled account', async () => {
  const name = await user('mai');
  const wrong = await s.request('POST', '/api/v1/session', { auth: false, body: { username: name, password: 'not-her-password' } });
  const unknown = await s.request('POST', '/api/v1/session', { auth: false, body: { username: 'nobody.at.all', password: 'not-her-password' } });
  assertError(wrong, 401, 'unauthorized');
  assert.equal(unknown.status, wrong.status);
  assert.deepEqual(unknown.body, wrong.body, 'the same body for an unknown user');
  assert.equal(setCookie(wrong), null, 'no cookie on a failed log-in');
  assert.equal(setCookie(unknown), null);
  // a disabled user with her right password
  await s.op(`/api/v1/users/${name}/disable`, undefined, 200);
  const disabled = await s.request('POST', '/api/v1/session', { auth: false, body: { username: name, password: PW[name] } });
  assert.deepEqual({ status: disabled.status, body: disabled.body }, { status: wrong.status, body: wrong.body }, 'a disabled account: the same answer');
  await s.op(`/api/v1/users/${name}/enable`, undefined, 200);
  await login(name);
});

// ---- session fixation -------------------------------------------------------------

test('session fixation: a cookie held before log-in is never the session after it, and stops working', async () => {
  const name = await user('hoa');
  // a value an attacker planted in the browser
  const planted = 'attacker-chosen-session-id-0123456789abcdef';
  const r = await s.request('POST', '/api/v1/session', { cookie: planted, body: { username: name, password: PW[name] } });
  assert.equal(r.status, 200, r.text);
  const c = setCookie(r);
  assert.ok(c && c.value && c.value !== planted, 'a new id, not the planted one');
  assertError(await me({ cookie: planted }), 401, 'unauthorized', 'the planted id');
  assert.equal((await me({ cookie: c.value })).status, 200);

  // a real session presented at a new log-in (the same user or another) ends
  const first = await login(name);
  const second = await login(name, PW[name], { cookie: first.cookie });
  assert.notEqual(second.cookie, first.cookie);
  assertError(await me({ cookie: first.cookie }), 401, 'unauthorized', 'the old id after log-in');
  assert.equal((await me({ cookie: second.cookie })).status, 200);
  const other = await user('hoa2');
  const third = await login(other, PW[other], { cookie: second.cookie });
  assert.notEqual(third.cookie, second.cookie);
  assertError(await me({ cookie: second.cookie }), 401, 'unauthorized', 'her id after another user logged in with it');
  assert.equal((await me({ cookie: third.cookie })).body.user.username, other);

  // after log-out the id is dead, even with its CSRF token
  await s.request('DELETE', '/api/v1/session', { cookie: third.cookie, csrf: third.csrf });
  assertError(await me({ cookie: third.cookie }), 401, 'unauthorized', 'the id after log-out');
  assertError(await s.request('POST', '/api/v1/tokens', { cookie: third.cookie, csrf: third.csrf, body: { name: 'x', roles: ['viewer'] } }), 401, 'unauthorized');
});

// ---- CSRF -------------------------------------------------------------------------

test('CSRF: a cookie-authenticated write without the X-CSRF-Token, or with a wrong one, is 403 csrf and changes nothing', async () => {
  const name = await user('csrf', { unit: 'VN', roles: ['admin'] });
  const a = await login(name);
  const b = await login(name); // another session of hers: another token
  assert.notEqual(a.csrf, b.csrf, 'each session has its own CSRF token');
  const before = await unitCount();
  const unit = (code) => ({ code, name_vi: `Xã ${code}`, name_en: code, level: 'commune', parent: '01', date: '2025-08-01' });
  for (const [what, csrf] of [['no header', undefined], ['an empty one', ''], ['a wrong one', 'x'.repeat(43)], ['another session\'s', b.csrf], ['the session id', a.cookie]]) {
    const r = await s.request('POST', '/api/v1/units', { cookie: a.cookie, csrf, body: unit('CS01') });
    assertError(r, 403, 'csrf', `POST /units with ${what}`);
    assertError(await s.request('POST', '/api/v1/tokens', { cookie: a.cookie, csrf, body: { name: 'x', roles: ['admin'] } }), 403, 'csrf', `POST /tokens with ${what}`);
    assertError(await s.request('POST', '/api/v1/session/password', { cookie: a.cookie, csrf, body: { current_password: PW[name], new_password: 'a-new-password-1' } }), 403, 'csrf');
    assertError(await s.request('POST', `/api/v1/users/${name}/consents`, { cookie: a.cookie, csrf, body: { purpose: 'x' } }), 403, 'csrf');
    assertError(await s.request('DELETE', '/api/v1/session', { cookie: a.cookie, csrf }), 403, 'csrf', `DELETE /session with ${what}`);
  }
  assert.equal(await unitCount(), before, 'no unit was created');
  assert.equal((await me({ cookie: a.cookie })).status, 200, 'the session was not ended');
  assert.deepEqual((await s.get('/api/v1/tokens', {}, { cookie: a.cookie })).body.items, [], 'no token was created');
  assert.deepEqual((await s.get(`/api/v1/users/${name}/consents`, {}, { cookie: a.cookie })).body.items, []);
  await login(name); // the password did not change
  // with it: works
  const ok = await s.request('POST', '/api/v1/units', { cookie: a.cookie, csrf: a.csrf, body: unit('CS01') });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(await unitCount(), before + 1);
  // reads need none
  assert.equal((await s.get('/api/v1/units/CS01', { as_of: '2025-08-01' }, { cookie: a.cookie })).status, 200);
  // bearer requests need none, and a stray header does no harm
  const t = await s.request('POST', '/api/v1/tokens', { cookie: a.cookie, csrf: a.csrf, body: { name: 'script', roles: ['admin'] } });
  assert.equal(t.status, 201, t.text);
  assert.equal((await s.request('POST', '/api/v1/units', { auth: t.body.secret, body: unit('CS02') })).status, 201);
  assert.equal((await s.request('POST', '/api/v1/units', { auth: t.body.secret, csrf: 'nonsense', body: unit('CS03') })).status, 201);
  assert.equal(await unitCount(), before + 3);
  // log-in itself needs none
  await login(name);
});

// ---- throttling -------------------------------------------------------------------

const wrongLogin = (username, from) => s.request('POST', '/api/v1/session', { auth: false, from, body: { username, password: 'wrong-password-guess' } });

function retryAfter(r) {
  const v = r.headers.get('retry-after');
  assert.match(String(v), /^[0-9]+$/, `Retry-After is a number of seconds: ${v}`);
  const secs = Number(v);
  assert.ok(secs >= 1 && secs <= 15 * 60 + 1, `Retry-After ${secs} lies within the 15-minute window`);
  return secs;
}

test('throttling per account and address: the 6th failure is 429 with Retry-After, even with the right password; the owner elsewhere still gets in', async () => {
  const name = await user('thr');
  const from = '127.0.1.1';
  for (let i = 0; i < 5; i++) assertError(await wrongLogin(name, from), 401, 'unauthorized', `failure ${i + 1}`);
  const sixth = await wrongLogin(name, from);
  assertError(sixth, 429, 'too_many_requests', '6th attempt');
  retryAfter(sixth);
  const right = await s.request('POST', '/api/v1/session', { auth: false, from, body: { username: name, password: PW[name] } });
  assertError(right, 429, 'too_many_requests', 'the right password while throttled');
  retryAfter(right);
  assert.equal(setCookie(right), null, 'no session');
  // issue 13, finding 11: five guesses no longer lock the account itself
  await login(name, PW[name], { from: '127.0.1.2' });
  // an unknown account's name is throttled the same way (no enumeration)
  for (let i = 0; i < 5; i++) await wrongLogin('ghost.account', '127.0.1.20');
  assertError(await wrongLogin('ghost.account', '127.0.1.20'), 429, 'too_many_requests');
  // the window passes (the failures are aged in the database): she gets in from there too
  await s.sql("UPDATE login_failures SET at = at - 901");
  await login(name, PW[name], { from });
});

test('throttling per account from anywhere: 50 failures from many addresses hold the account back, the admin\'s too', async () => {
  const name = await user('thr.wide');
  for (let i = 0; i < 50; i++) assertError(await wrongLogin(name, `127.0.4.${1 + (i % 10)}`), 401, 'unauthorized', `failure ${i + 1}`);
  const r = await s.request('POST', '/api/v1/session', { auth: false, from: '127.0.4.99', body: { username: name, password: PW[name] } });
  assertError(r, 429, 'too_many_requests', 'the 51st attempt, from a new address');
  retryAfter(r);
  await s.sql("UPDATE login_failures SET at = at - 901");
  await login(name, PW[name], { from: '127.0.4.99' });
});

test('she is told at log-in how many guesses at her password were made since her last visit (issue 13, finding 11)', async () => {
  const name = await user('thr.notice');
  const first = await s.request('POST', '/api/v1/session', { auth: false, body: { username: name, password: PW[name] } });
  assert.deepEqual(first.body.failed_logins, { count: 0, last_at: null });
  for (let i = 0; i < 3; i++) await wrongLogin(name, `127.0.6.${i + 1}`);
  const next = await s.request('POST', '/api/v1/session', { auth: false, body: { username: name, password: PW[name] } });
  assert.equal(next.body.failed_logins.count, 3);
  assert.match(next.body.failed_logins.last_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const again = await s.request('POST', '/api/v1/session', { auth: false, body: { username: name, password: PW[name] } });
  assert.deepEqual(again.body.failed_logins, { count: 0, last_at: null }, 'counted from her last log-in');
});

test('throttling: one good log-in does not take back the failures of other attempts (issue 13, finding 2)', async () => {
  const name = await user('thr.known');
  const from = '127.0.5.1';
  // 8 wrong guesses against different accounts, then one good log-in, in the same second, over and over
  let throttled = null;
  for (let round = 0; round < 5 && !throttled; round++) {
    for (let i = 0; i < 8; i++) {
      const r = await wrongLogin(`victim.${round}.${i}`, from);
      if (r.status === 429) { throttled = { round, i }; break; }
      assertError(r, 401, 'unauthorized');
    }
    if (!throttled) await login(name, PW[name], { from });
  }
  assert.ok(throttled, 'the address is held back after 30 failures, good log-ins in between or not');
  assert.equal(throttled.round * 8 + throttled.i, 30, '429 at the 31st guess');
});

test('throttling: a successful log-in clears the account\'s failures from that address', async () => {
  const name = await user('thr.clear');
  for (let i = 0; i < 4; i++) assertError(await wrongLogin(name, '127.0.2.1'), 401, 'unauthorized');
  await login(name, PW[name], { from: '127.0.2.1' });
  for (let i = 0; i < 5; i++) assertError(await wrongLogin(name, '127.0.2.1'), 401, 'unauthorized', `failure ${i + 1} after a success`);
  assertError(await wrongLogin(name, '127.0.2.1'), 429, 'too_many_requests');
});

test('throttling per client address: after 30 failures from one address, every log-in from it is 429; other addresses are not affected', async () => {
  const name = await user('thr.addr');
  const from = '127.0.3.1';
  // 30 failures spread over accounts (none reaches 5 of its own)
  for (let i = 0; i < 30; i++) assertError(await wrongLogin(`guess.${i % 10}`, from), 401, 'unauthorized', `failure ${i + 1}`);
  const r = await s.request('POST', '/api/v1/session', { auth: false, from, body: { username: name, password: PW[name] } });
  assertError(r, 429, 'too_many_requests', 'the right password from a throttled address');
  retryAfter(r);
  assertError(await wrongLogin(`guess.new`, from), 429, 'too_many_requests');
  await login(name, PW[name], { from: '127.0.3.2' });
  await login(name); // 127.0.0.1
});

// ---- time-outs ----------------------------------------------------------------------

test('sessions end 30 minutes after the last request, and 12 hours after log-in: 401 session_expired', async () => {
  const name = await user('late');
  const idle = await login(name);
  const old = await login(name);
  const fresh = await login(name);
  // the clock moves in the database: idle 31 minutes / logged in 13 hours ago (seen just now)
  const id = (await s.get('/api/v1/session', {}, { cookie: fresh.cookie })).body.user.id;
  const sessions = (await s.sql(`SELECT id_hash FROM sessions WHERE user_id = ${id} ORDER BY created_at, id_hash`)).trim().split('\n');
  assert.equal(sessions.length, 3);
  // the sessions cannot be told apart by their hashes here: age them all, then refresh one
  await s.sql(`UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60 WHERE user_id = ${id}`);
  assertError(await me({ cookie: idle.cookie }), 401, 'session_expired', 'idle 31 minutes');
  assertError(await me({ cookie: idle.cookie }), 401, 'unauthorized', 'an expired session is gone');
  await s.sql(`UPDATE sessions SET last_seen_at = ${Math.floor(Date.now() / 1000)}, created_at = created_at - 13 * 3600 WHERE user_id = ${id}`);
  assertError(await me({ cookie: old.cookie }), 401, 'session_expired', 'logged in 13 hours ago, active now');
  assertError(await s.request('POST', '/api/v1/tokens', { cookie: fresh.cookie, csrf: fresh.csrf, body: { name: 'x', roles: ['viewer'] } }), 401, 'session_expired');
  // a new log-in works
  const again = await login(name);
  assert.equal((await me({ cookie: again.cookie })).status, 200);
});

// ---- password change ----------------------------------------------------------------

test('password change: wrong current or too short 422, then other sessions end, the new password works and the old does not', async () => {
  const name = await user('pwc');
  const a = await login(name);
  const b = await login(name);
  const tok = await s.request('POST', '/api/v1/tokens', { cookie: a.cookie, csrf: a.csrf, body: { name: 'script', roles: ['viewer'] } });
  assert.equal(tok.status, 201);
  const change = (body, who = a) => s.request('POST', '/api/v1/session/password', { cookie: who.cookie, csrf: who.csrf, body });
  const wrong = assertError(await change({ current_password: 'not-the-password', new_password: 'a-long-new-password' }), 422, 'invalid', 'wrong current password');
  assert.ok(wrong.details.some((d) => d.field === 'current_password'), JSON.stringify(wrong.details));
  const short = assertError(await change({ current_password: PW[name], new_password: 'short' }), 422, 'invalid', 'a 5-character password');
  assert.ok(short.details.some((d) => d.field === 'new_password'), JSON.stringify(short.details));
  assertError(await change({ current_password: PW[name], new_password: '123456789' }), 422, 'invalid', '9 characters');
  assertError(await change({ current_password: PW[name], new_password: 'x'.repeat(257) }), 422, 'invalid', '257 characters');
  assertError(await change({ current_password: PW[name] }), 422, 'invalid', 'no new password');
  assertError(await change({ current_password: PW[name], new_password: 'a-long-new-password', extra: 1 }), 422, 'invalid', 'an unknown field');
  // nothing changed so far
  assert.equal((await me({ cookie: b.cookie })).status, 200);
  await login(name);
  const ok = await change({ current_password: PW[name], new_password: 'hoa-10-ky!' }); // 10 characters: the minimum
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.body, { ok: true });
  assert.equal((await me({ cookie: a.cookie })).status, 200, 'the session that changed it goes on');
  assertError(await me({ cookie: b.cookie }), 401, 'unauthorized', 'her other session ended');
  assertError((await s.login(name, PW[name])).r, 401, 'unauthorized', 'the old password');
  await login(name, 'hoa-10-ky!');
  // never through an API token: a leaked token must not become a way to
  // guess and change the password
  const c = await login(name, 'hoa-10-ky!');
  const viaToken = await s.request('POST', '/api/v1/session/password', { auth: tok.body.secret, body: { current_password: 'hoa-10-ky!', new_password: 'the-third-password' } });
  assertError(viaToken, 403, 'session_required', 'password change with a token');
  assert.equal((await me({ cookie: c.cookie })).status, 200, 'her session is untouched');
  await login(name, 'hoa-10-ky!');
});

test('password change is throttled like log-in, and failures are audited', async () => {
  const name = 'pw.guess';
  await s.op('/api/v1/users', { username: name, unit: '24', roles: ['viewer'], password: 'right-password-1' }, 201);
  const a = (await s.login(name, 'right-password-1', { from: '127.0.0.77' }));
  const codes = [];
  for (let i = 0; i < 6; i++) {
    const r = await s.request('POST', '/api/v1/session/password', { auth: false, from: '127.0.0.77', cookie: a.cookie, csrf: a.csrf, body: { current_password: `wrong-${i}-guess`, new_password: 'another-password' }, validate: false });
    codes.push(r.status);
  }
  assert.deepEqual(codes.slice(0, 5), [422, 422, 422, 422, 422]);
  assert.equal(codes[5], 429);
  const audit = await s.ok('/api/v1/audit', { action: 'user.password_failed', user: name });
  assert.equal(audit.items.length, 5);
});

// ---- API tokens -------------------------------------------------------------------------

test('API tokens: the secret is shown once and works as Bearer; lists never show secrets; revoked tokens are dead at once', async () => {
  const name = await user('tok', { unit: '01', roles: ['viewer', 'entry'] });
  const l = await login(name);
  const mk = (body, who = l) => s.request('POST', '/api/v1/tokens', { cookie: who.cookie, csrf: who.csrf, body });
  const t1 = await mk({ name: 'export script', roles: ['viewer'] });
  assert.equal(t1.status, 201, t1.text);
  assert.match(t1.body.secret, /^ubt_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(t1.body.token.roles, ['viewer']);
  assert.equal(t1.body.token.revoked_at, null);
  assert.equal(t1.body.token.expires_at, null);
  const t2 = await mk({ name: 'two roles', roles: ['entry', 'viewer'], expires_at: FAR });
  assert.equal(t2.status, 201, t2.text);
  assert.deepEqual(t2.body.token.roles, ['viewer', 'entry']);
  assert.equal(t2.body.token.expires_at, AFTER_FAR, `it works through the end of ${FAR} (UTC)`);
  assert.notEqual(t1.body.secret, t2.body.secret);

  // it works as Bearer, without cookie or CSRF token
  const who = await me({ auth: t1.body.secret });
  assert.equal(who.status, 200);
  assert.equal(who.body.user.username, name);
  assert.equal(who.body.via, 'token');
  assert.equal(who.body.csrf_token, null);
  assert.equal((await s.get('/api/v1/units/01', {}, { auth: t1.body.secret })).status, 200);

  // the list: her tokens, never a secret
  const list = await s.request('GET', '/api/v1/tokens', { auth: t1.body.secret });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((t) => t.name), ['export script', 'two roles']);
  assert.ok(!list.text.includes(t1.body.secret) && !list.text.includes(t2.body.secret), 'no secret in the list');
  assert.ok(!list.text.includes('ubt_'), 'nothing that looks like a secret');
  assert.ok(list.body.items[0].last_used_at, 'last_used_at is set once used');
  // another user sees only hers
  const other = await user('tok.other');
  const lo = await login(other);
  assert.deepEqual((await s.get('/api/v1/tokens', {}, { cookie: lo.cookie })).body.items, []);

  // roles she does not hold: 422 naming roles
  for (const roles of [['admin'], ['viewer', 'approver'], ['member']]) {
    const e = assertError(await mk({ name: 'more', roles }), 422, 'invalid', `roles ${roles}`);
    assert.ok(e.details.some((d) => d.field === 'roles'), JSON.stringify(e.details));
  }
  for (const body of [{ name: 'x', roles: [] }, { name: 'x', roles: ['root'] }, { name: '', roles: ['viewer'] }, { roles: ['viewer'] },
    { name: 'x', roles: 'viewer' }, { name: 'x', roles: ['viewer'], expires_at: '2020-01-01' }, { name: 'x', roles: ['viewer'], expires_at: 'soon' },
    { name: 'x', roles: ['viewer'], secret: 'ubt_mine' }, { name: 'x'.repeat(101), roles: ['viewer'] }]) {
    assertError(await mk(body), 422, 'invalid', JSON.stringify(body));
  }
  // a token cannot make tokens (issue 13, finding 3: an expiring one made one that never expired)
  assertError(await s.request('POST', '/api/v1/tokens', { auth: t1.body.secret, body: { name: 'up', roles: ['entry'] } }), 403, 'session_required');
  assertError(await s.request('POST', '/api/v1/tokens', { auth: t2.body.secret, body: { name: 'same', roles: ['viewer'] } }), 403, 'session_required');
  assert.equal((await s.get('/api/v1/tokens', {}, { cookie: l.cookie })).body.items.length, 2, 'nothing was made');
  // nor revoke her other tokens (issue 13, finding 4)
  assertError(await s.request('DELETE', `/api/v1/tokens/${t2.body.token.id}`, { auth: t1.body.secret }), 403, 'session_required');
  assert.equal((await me({ auth: t2.body.secret })).status, 200, 'the other token lives');

  // revoke: 401 at once; the list shows when; revoking again is 404; not someone else's
  assertError(await s.request('DELETE', `/api/v1/tokens/${t1.body.token.id}`, { cookie: lo.cookie, csrf: lo.csrf }), 404, 'not_found', 'another user\'s token');
  assert.equal((await me({ auth: t1.body.secret })).status, 200, 'still alive');
  const d = await s.request('DELETE', `/api/v1/tokens/${t1.body.token.id}`, { cookie: l.cookie, csrf: l.csrf });
  assert.equal(d.status, 200, d.text);
  assert.deepEqual(d.body, { ok: true });
  assertError(await me({ auth: t1.body.secret }), 401, 'unauthorized', 'a revoked token');
  assertError(await s.request('GET', '/api/v1/tokens', { auth: t1.body.secret }), 401, 'unauthorized');
  const after = (await s.get('/api/v1/tokens', {}, { cookie: l.cookie })).body.items.find((t) => t.id === t1.body.token.id);
  assert.ok(after.revoked_at, 'revoked_at is set');
  assertError(await s.request('DELETE', `/api/v1/tokens/${t1.body.token.id}`, { cookie: l.cookie, csrf: l.csrf }), 404, 'not_found', 'revoked twice');
  for (const id of ['999999', 'abc', '0', '-1', '1e3']) {
    assertError(await s.request('DELETE', `/api/v1/tokens/${id}`, { cookie: l.cookie, csrf: l.csrf }), 404, 'not_found', `token ${id}`);
  }
  // a token can revoke itself
  assert.equal((await s.request('DELETE', `/api/v1/tokens/${t2.body.token.id}`, { auth: t2.body.secret })).status, 200);
  assertError(await me({ auth: t2.body.secret }), 401, 'unauthorized');
  // an expired token is dead (its expiry moved into the past in the database)
  const t3 = await mk({ name: 'soon', roles: ['viewer'], expires_at: FAR });
  assert.equal((await me({ auth: t3.body.secret })).status, 200);
  await s.sql(`UPDATE api_tokens SET expires_at = ${Math.floor(Date.now() / 1000) - 1} WHERE id = ${t3.body.token.id}`);
  assertError(await me({ auth: t3.body.secret }), 401, 'unauthorized', 'an expired token');
  // things that are not tokens
  for (const h of ['Bearer ', `Bearer ${l.cookie}`, `Bearer ${t1.body.secret.slice(0, -1)}`, `bearer ${t3.body.secret}`, `Token ${t3.body.secret}`]) {
    assertError(await me({ auth: false, headers: { Authorization: h } }), 401, 'unauthorized', `Authorization: ${h.slice(0, 20)}`);
  }
});

test('a disabled user\'s tokens and sessions stop working, and stay dead when she is enabled again', async () => {
  const name = await user('dis');
  const l = await login(name);
  const t = await s.request('POST', '/api/v1/tokens', { cookie: l.cookie, csrf: l.csrf, body: { name: 'script', roles: ['viewer'] } });
  assert.equal((await me({ auth: t.body.secret })).status, 200);
  await s.op(`/api/v1/users/${name}/disable`, undefined, 200);
  assertError(await me({ auth: t.body.secret }), 401, 'unauthorized', 'her token');
  assertError(await me({ cookie: l.cookie }), 401, 'unauthorized', 'her session');
  await s.op(`/api/v1/users/${name}/enable`, undefined, 200);
  assertError(await me({ auth: t.body.secret }), 401, 'unauthorized', 'her token after enable');
  assertError(await me({ cookie: l.cookie }), 401, 'unauthorized', 'her session after enable');
  const l2 = await login(name);
  const items = (await s.get('/api/v1/tokens', {}, { cookie: l2.cookie })).body.items;
  assert.ok(items.every((x) => x.revoked_at), 'her old tokens are revoked');
});

test('a viewer\'s token reads but cannot write; a member\'s token reads no units', async () => {
  const name = await user('view', { unit: 'VN', roles: ['viewer'] });
  const l = await login(name);
  const t = (await s.request('POST', '/api/v1/tokens', { cookie: l.cookie, csrf: l.csrf, body: { name: 'r', roles: ['viewer'] } })).body.secret;
  assert.equal((await s.get('/api/v1/units', { level: 'province' }, { auth: t })).status, 200);
  const before = await unitCount();
  assertError(await s.request('POST', '/api/v1/units', { auth: t, body: { code: 'V1', name_vi: 'X', name_en: 'X', level: 'commune', parent: '01', date: '2025-08-01' } }), 403, 'forbidden');
  assertError(await s.request('POST', '/api/v1/units/01/rename', { auth: t, body: { date: '2025-08-01', name_vi: 'X', name_en: 'X' } }), 403, 'forbidden');
  assertError(await s.request('POST', '/api/v1/users', { auth: t, body: { username: 'v.made', unit: '01', roles: ['viewer'], password: 'long-enough-pw' } }), 403, 'forbidden');
  assert.equal(await unitCount(), before);
  const m = await user('memb', { unit: '01', roles: ['member'] });
  const lm = await login(m);
  const tm = (await s.request('POST', '/api/v1/tokens', { cookie: lm.cookie, csrf: lm.csrf, body: { name: 'm', roles: ['member'] } })).body.secret;
  assertError(await s.get('/api/v1/units/01', {}, { auth: tm }), 403, 'forbidden');
  assert.equal((await me({ auth: tm })).status, 200);
});

// ---- oversize and malformed bodies ----------------------------------------------------------

test('oversize bodies: 413 too_large on every new endpoint, before anything else', async () => {
  const name = await user('big', { unit: 'VN', roles: ['admin'] });
  const l = await login(name);
  const huge = JSON.stringify({ username: name, password: 'x'.repeat(70 * 1024) });
  const paths = [['POST', '/api/v1/session'], ['POST', '/api/v1/session/password'], ['POST', '/api/v1/tokens'], ['POST', '/api/v1/users'],
    ['POST', `/api/v1/users/${name}/consents`], ['POST', `/api/v1/users/${name}/disable`], ['DELETE', '/api/v1/session'], ['DELETE', '/api/v1/tokens/1']];
  for (const [m, p] of paths) {
    for (const opts of [{ auth: false }, {}, { cookie: l.cookie, csrf: l.csrf }]) {
      assertError(await s.request(m, p, { raw: huge, ...opts }), 413, 'too_large', `${m} ${p} ${JSON.stringify(Object.keys(opts))}`);
    }
  }
  // exactly at the limit is not too large
  const pad = 64 * 1024 - JSON.stringify({ username: name, password: '' }).length;
  const atLimit = await s.request('POST', '/api/v1/session', { auth: false, raw: JSON.stringify({ username: name, password: 'x'.repeat(pad) }) });
  assert.notEqual(atLimit.status, 413, 'a body of exactly 64 KiB');
  assert.equal(atLimit.status, 422, 'a password over 256 bytes is refused as invalid');
  // a long query string
  assertError(await s.get('/api/v1/audit', { user: 'x'.repeat(5000) }), 413, 'too_large');
  assertError(await s.get('/api/v1/tokens', { q: 'x'.repeat(5000) }, { auth: false }), 413, 'too_large');
  // the session still works, nothing changed
  assert.equal((await me({ cookie: l.cookie })).status, 200);
});

test('malformed bodies: 400 bad_request; wrong fields: 422 invalid naming them', async () => {
  const name = await user('bad', { unit: 'VN', roles: ['admin'] });
  const l = await login(name);
  const cs = { cookie: l.cookie, csrf: l.csrf };
  for (const raw of ['{"username":', '', '[]', '"x"', 'null', '{"username":"a","username":"b","password":"c"}', 'username=a&password=b']) {
    assertError(await s.request('POST', '/api/v1/session', { auth: false, raw }), 400, 'bad_request', `log-in body ${JSON.stringify(raw)}`);
    assertError(await s.request('POST', '/api/v1/session/password', { ...cs, raw }), 400, 'bad_request', `password body ${JSON.stringify(raw)}`);
    assertError(await s.request('POST', '/api/v1/tokens', { ...cs, raw }), 400, 'bad_request', `token body ${JSON.stringify(raw)}`);
    assertError(await s.request('POST', '/api/v1/users', { raw }), 400, 'bad_request', `user body ${JSON.stringify(raw)}`);
    assertError(await s.request('POST', `/api/v1/users/${name}/consents`, { raw }), 400, 'bad_request', `consent body ${JSON.stringify(raw)}`);
  }
  const bad = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","password":"x"}')]);
  assertError(await s.request('POST', '/api/v1/session', { auth: false, raw: bad }), 400, 'bad_request', 'invalid UTF-8');
  // fields
  const fields = async (p, body, want, opts = {}) => {
    const e = assertError(await s.request('POST', p, { body, ...opts }), 422, 'invalid', `${p} ${JSON.stringify(body).slice(0, 80)}`);
    for (const f of want) assert.ok(e.details.some((d) => d.field === f), `${p}: details name ${f}: ${JSON.stringify(e.details)}`);
  };
  await fields('/api/v1/session', {}, ['username', 'password'], { auth: false });
  await fields('/api/v1/session', { username: 1, password: true }, ['username', 'password'], { auth: false });
  await fields('/api/v1/session', { username: name, password: 'x', remember: true }, ['remember'], { auth: false });
  await fields('/api/v1/session/password', { current_password: 1, new_password: ['x'] }, ['current_password', 'new_password'], cs);
  await fields('/api/v1/users', { username: 'A B', unit: 'VN', roles: ['viewer'], password: 'long-enough-pw' }, ['username']);
  await fields('/api/v1/users', { username: 'ab', unit: 'VN', roles: ['viewer'], password: 'long-enough-pw' }, ['username']);
  await fields('/api/v1/users', { username: 'ok.name', unit: 'VN', roles: ['viewer'], password: 'short' }, ['password']);
  await fields('/api/v1/users', { username: 'ok.name', unit: 'VN', roles: ['chief'], password: 'long-enough-pw' }, ['roles']);
  await fields('/api/v1/users', { username: 'ok.name', roles: ['viewer'], password: 'long-enough-pw' }, ['unit']);
  await fields('/api/v1/users', { username: 'ok.name', unit: 'NOWHERE9', roles: ['viewer'], password: 'long-enough-pw' }, ['unit']);
  await fields('/api/v1/users', { username: 'ok.name', unit: 'VN', roles: ['viewer'], password: 'long-enough-pw', admin: true }, ['admin']);
  await fields(`/api/v1/users/${name}/consents`, { date: '2025-02-30' }, ['purpose', 'date']);
  // a name taken: 409
  assertError(await s.request('POST', '/api/v1/users', { body: { username: name.toUpperCase(), unit: 'VN', roles: ['viewer'], password: 'long-enough-pw' } }), 409, 'username_taken');
  // nothing was created
  const users = (await s.get('/api/v1/users')).body.items.map((u) => u.username);
  assert.ok(!users.includes('ok.name'));
});
