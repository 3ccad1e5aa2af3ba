// audit.test.js - the audit trail. Every write made here (unit create,
// rename, move, merge, split, close; user create, disable, enable, erase;
// password change; token create and revoke; consent; log-in, failed log-in,
// log-out) is found in GET /api/v1/audit with the right user, client address
// (each actor connects from her own 127.x address), unit, record, time, and
// before/after values that match the change. The filters (unit, user,
// record_type/record_id, action, from/to) and paging work; a province admin
// sees only rows of her scope; no route changes or deletes a row, and in the
// database itself UPDATE and DELETE on the audit table fail.
//
// The writes are made by fixtures (once() each) that every test needing them
// awaits, so that a test passes alone and in any order. The rows' times are
// wall-clock UTC; the date filters are checked against the rows' own days.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, addDays } from './server.js';

let s;
const A = '127.0.5.5'; // the auditor's address (a system admin)
const B = '127.0.6.6'; // the target user's address
const D1 = '2025-08-01';
const D2 = '2025-09-01';
const D3 = '2025-10-01';
let T0;                 // ISO time before the first write (to the second)
const people = {};      // name -> {username, password, id, cookie, csrf}

const isoNow = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

// once(fn): fn run the first time it is asked for, its promise after that.
function once(fn) {
  let p = null;
  return () => (p ??= fn());
}

// Every audit row matching query, as the system admin (newest first).
async function rows(query = {}, opts = {}) {
  const out = [];
  let cursor;
  for (let i = 0; i < 50; i++) {
    const r = await s.get('/api/v1/audit', { ...query, limit: 500, cursor }, opts);
    assert.equal(r.status, 200, `GET /audit ${JSON.stringify(query)}: ${r.text.slice(0, 300)}`);
    out.push(...r.body.items);
    if (!r.body.next) return out;
    cursor = r.body.next;
  }
  throw new Error('too many pages');
}

// The one row of action about record (record_type, record_id).
async function one(action, recordType, recordId, extra = {}) {
  const found = (await rows({ action, record_type: recordType, record_id: String(recordId) })).filter((r) =>
    Object.entries(extra).every(([k, v]) => r[k] === v));
  assert.equal(found.length, 1, `one ${action} row about ${recordType} ${recordId} ${JSON.stringify(extra)}: ${JSON.stringify(found).slice(0, 600)}`);
  return found[0];
}

// Checks who, from where, when and which unit.
function by(row, username, addr, unitCode) {
  const what = `${row.action} ${row.record_type} ${row.record_id}`;
  assert.equal(row.user, username, `${what}: user`);
  assert.equal(row.client_addr, addr, `${what}: client address`);
  assert.ok(row.at >= T0 && row.at <= isoNow(), `${what}: at ${row.at} lies within the test (${T0}..)`);
  if (unitCode === null) assert.equal(row.unit, null, `${what}: no unit`);
  else assert.equal(row.unit?.code, unitCode, `${what}: unit ${JSON.stringify(row.unit)}`);
}

// The values of before/after that differ (parent_id goes with parent).
function changed(row) {
  const b = row.before || {};
  const a = row.after || {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => k !== 'parent_id' && JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  return Object.fromEntries(keys.sort().map((k) => [k, [b[k], a[k]]]));
}

const asA = () => ({ cookie: people.auditor.cookie, csrf: people.auditor.csrf, from: A });
const asB = () => ({ cookie: people.target.cookie, csrf: people.target.csrf, from: B });
const unitBody = (code, parent, level = 'commune', date = D1) => ({ code, name_vi: `Xã ${code}`, name_en: `${code} Commune`, level, parent, date });

async function post(p, body, opts, want = [200, 201]) {
  const r = await s.request('POST', p, { body, ...opts });
  assert.ok([].concat(want).includes(r.status), `POST ${p}: ${r.status} ${r.text.slice(0, 400)}`);
  return r.body;
}

before(async () => {
  s = await startServer();
  T0 = isoNow();
  // the auditor: a system admin of her own, logged in from A
  const mk = async (name, unit, roles) => {
    const password = `pw-${name}-0123456789`;
    const u = await post('/api/v1/users', { username: name, unit, roles, password }, {});
    people[name.split('.')[1]] = { username: name, password, id: u.id };
  };
  await mk('au.auditor', 'VN', ['admin']);
  await mk('au.target', '01', ['viewer']);
  await mk('au.p24', '24', ['admin']);
  await mk('au.p01', '01', ['admin']);
  for (const [k, addr] of [['auditor', A], ['target', B]]) {
    const l = await s.login(people[k].username, people[k].password, { from: addr });
    assert.equal(l.status, 200, l.r.text);
    Object.assign(people[k], { cookie: l.cookie, csrf: l.csrf });
  }
  // province admins use tokens (made while logged in, from 127.0.0.1)
  for (const k of ['p24', 'p01']) {
    const l = await s.login(people[k].username, people[k].password);
    const t = await post('/api/v1/tokens', { name: 'audit reader', roles: ['admin'] }, { cookie: l.cookie, csrf: l.csrf });
    people[k].token = t.secret;
  }
});
after(async () => { if (s) await s.stop(); });

// ---- the writes (fixtures) ---------------------------------------------------------------

const unitWrites = once(async () => {
  await post('/api/v1/units', unitBody('AU1', '24'), asA(), 201);
  await post('/api/v1/units/AU1/rename', { date: D2, name_vi: 'Phường AU1', name_en: 'AU1 Ward' }, asA(), 200);
  await post('/api/v1/units/AU1/move', { date: D3, parent: '01' }, asA(), 200);
  await post('/api/v1/units', unitBody('AU2', '24'), asA(), 201);
  await post('/api/v1/units/AU2/close', { date: D2 }, asA(), 200);
});

const mergeWrites = once(async () => {
  for (const [code, parent, level] of [['AU3', '24', 'commune'], ['AU4', '24', 'commune'], ['AU3-1', 'AU3', 'branch']]) {
    await post('/api/v1/units', unitBody(code, parent, level), asA(), 201);
  }
  await post('/api/v1/units/merge', { date: D2, sources: ['AU3', 'AU4'], into: { code: 'AU5', name_vi: 'Xã AU5', name_en: 'AU5 Commune', level: 'commune' } }, asA(), 201);
});

const splitWrites = once(async () => {
  for (const [code, parent, level] of [['AU6', '24', 'commune'], ['AU6-1', 'AU6', 'branch'], ['AU6-2', 'AU6', 'branch']]) {
    await post('/api/v1/units', unitBody(code, parent, level), asA(), 201);
  }
  await post('/api/v1/units/AU6/split', { date: D2, into: [{ code: 'AU7', name_vi: 'Xã AU7', name_en: 'AU7', level: 'commune' }, { code: 'AU8', name_vi: 'Xã AU8', name_en: 'AU8', level: 'commune' }], children: { 'AU6-1': 'AU7', 'AU6-2': 'AU8' } }, asA(), 201);
});

// au.new: created, disabled, enabled (her id); then erased
const userWrites = once(async () => {
  const u = await post('/api/v1/users', { username: 'au.new', display_name: 'Chị Mới', unit: '24', roles: ['viewer', 'entry'], password: 'a-password-of-hers' }, asA(), 201);
  await post('/api/v1/users/au.new/disable', undefined, asA(), 200);
  await post('/api/v1/users/au.new/enable', undefined, asA(), 200);
  return u;
});
const userErase = once(async () => {
  await userWrites();
  await post('/api/v1/users/au.new/erase', undefined, asA(), 200);
});

// the target: a failed log-in of hers and one of a user nobody has, from B
const failedLogins = once(async () => {
  const bad = await s.login(people.target.username, 'not-her-password', { from: B });
  assert.equal(bad.status, 401);
  const ghost = await s.login('au.ghost', 'whatever-password', { from: B });
  assert.equal(ghost.status, 401);
});

// the target's token, made and revoked in her session
const tokenWrites = once(async () => {
  const tok = await post('/api/v1/tokens', { name: 'her script', roles: ['viewer'] }, asB(), 201);
  const rv = await s.request('DELETE', `/api/v1/tokens/${tok.token.id}`, asB());
  assert.equal(rv.status, 200);
  return tok;
});

// the target's consent, its withdrawal, and her password change
const consentAndPassword = once(async () => {
  const t = people.target;
  await post(`/api/v1/users/${t.username}/consents`, { purpose: 'thống kê', date: D1 }, asB(), 201);
  await post(`/api/v1/users/${t.username}/consents`, { purpose: 'thống kê', date: D2, withdraw: true }, asB(), 201);
  const pw = await s.request('POST', '/api/v1/session/password', { ...asB(), body: { current_password: t.password, new_password: 'her-new-password' } });
  assert.equal(pw.status, 200, pw.text);
});

// the target logs out: after everything else done in her session
const logout = once(async () => {
  await tokenWrites();
  await consentAndPassword();
  const out = await s.request('DELETE', '/api/v1/session', asB());
  assert.equal(out.status, 200);
});

// every write of this file
async function everything() {
  await unitWrites();
  await mergeWrites();
  await splitWrites();
  await userErase();
  await failedLogins();
  await logout();
}

// ---- every write, found with its values ------------------------------------------------

test('unit create, rename, move, close: who, where, when, which unit, before and after', async () => {
  const au = people.auditor.username;
  await unitWrites();

  const c = await one('unit.create', 'unit', 'AU1');
  by(c, au, A, 'AU1');
  assert.equal(c.before, null, 'a create has nothing before');
  assert.equal(c.after.code, 'AU1');
  assert.equal(c.after.name_vi, 'Xã AU1');
  assert.equal(c.after.parent, '24');
  assert.equal(c.after.level, 'commune');
  assert.equal(c.after.valid_from, D1);
  assert.equal(c.after.valid_until, null);

  const rn = await one('unit.rename', 'unit', 'AU1');
  by(rn, au, A, 'AU1');
  assert.deepEqual(changed(rn), { name_en: ['AU1 Commune', 'AU1 Ward'], name_vi: ['Xã AU1', 'Phường AU1'] }, 'a rename changes the names');

  const mv = await one('unit.move', 'unit', 'AU1');
  by(mv, au, A, 'AU1');
  assert.deepEqual(changed(mv), { parent: ['24', '01'] }, 'a move changes the parent');
  assert.ok(Number.isInteger(mv.before.parent_id) && Number.isInteger(mv.after.parent_id) && mv.before.parent_id !== mv.after.parent_id,
    'the parents\' ids beside their codes');

  const cl = await one('unit.close', 'unit', 'AU2');
  by(cl, au, A, 'AU2');
  assert.deepEqual(changed(cl), { valid_until: [null, '2025-08-31'] }, 'a close ends the validity the day before');
});

test('merge: a row for each source (closed) and the target (new), who, where, when', async () => {
  const au = people.auditor.username;
  await mergeWrites();
  for (const src of ['AU3', 'AU4']) {
    const r = await one('unit.merge', 'unit', src);
    by(r, au, A, src);
    assert.deepEqual(changed(r), { valid_until: [null, '2025-08-31'] }, `merge: the source ${src} is closed`);
  }
  const target = await one('unit.merge', 'unit', 'AU5');
  by(target, au, A, 'AU5');
  assert.equal(target.before, null);
  assert.equal(target.after.parent, '24');
  assert.equal(target.after.valid_from, D2);
});

test('merge: the child that moved to the target has its row too', async () => {
  await mergeWrites();
  const child = await one('unit.merge', 'unit', 'AU3-1');
  by(child, people.auditor.username, A, 'AU3-1');
  assert.deepEqual(changed(child), { parent: ['AU3', 'AU5'] }, 'merge: the child moved to the target');
});

test('split: a row for the unit (closed) and each new part, who, where, when', async () => {
  const au = people.auditor.username;
  await splitWrites();
  const split = await one('unit.split', 'unit', 'AU6');
  by(split, au, A, 'AU6');
  assert.deepEqual(changed(split), { valid_until: [null, '2025-08-31'] }, 'split: the unit is closed');
  for (const part of ['AU7', 'AU8']) {
    const r = await one('unit.split', 'unit', part);
    by(r, au, A, part);
    assert.equal(r.before, null);
    assert.equal(r.after.parent, '24');
    assert.equal(r.after.valid_from, D2);
  }
});

test('split: the children that moved to the parts have their rows too', async () => {
  await splitWrites();
  for (const [kid, part] of [['AU6-1', 'AU7'], ['AU6-2', 'AU8']]) {
    const r = await one('unit.split', 'unit', kid);
    by(r, people.auditor.username, A, kid);
    assert.deepEqual(changed(r), { parent: ['AU6', part] }, `split: the child ${kid} moved to ${part}`);
  }
});

test('user create, disable, enable: who, where, which user, before and after (never a password)', async () => {
  const au = people.auditor.username;
  const u = await userWrites();
  const c = await one('user.create', 'user', u.id);
  by(c, au, A, '24');
  assert.equal(c.detail, 'au.new', 'her name is in detail');
  assert.equal(c.before, null);
  assert.equal(c.after.username, 'au.new');
  assert.equal(c.after.display_name, 'Chị Mới');
  assert.equal(c.after.unit, '24');
  assert.equal(c.after.roles, 'viewer entry');
  assert.equal(c.after.disabled, false);
  const d = await one('user.disable', 'user', u.id);
  by(d, au, A, '24');
  assert.deepEqual(changed(d), { disabled: [false, true] });
  const e = await one('user.enable', 'user', u.id);
  by(e, au, A, '24');
  assert.deepEqual(changed(e), { disabled: [true, false] });
  for (const r of [c, d, e]) {
    assert.ok(!/password|argon2|hash/i.test(JSON.stringify([r.before, r.after])), `${r.action}: no password in the trail`);
  }
  // erasure
  await userErase();
  const er = await one('user.erase', 'user', u.id);
  by(er, au, A, '24');
});

test('log-in and failed log-in: her name, her address, her unit, her record', async () => {
  const t = people.target;
  const id = String(t.id);
  // a failed log-in (wrong password), and one of a user nobody has
  await failedLogins();
  // the log-in of before(); her name is in detail, her id is the record
  const login = (await rows({ action: 'session.login', user: t.username }));
  assert.equal(login.length, 1, 'one log-in of hers');
  by(login[0], t.username, B, '01');
  const failed = await rows({ action: 'session.login_failed', user: t.username });
  assert.equal(failed.length, 1, 'one failed log-in of hers');
  by(failed[0], t.username, B, '01');
  const g = (await rows({ action: 'session.login_failed' })).filter((r) => r.user === 'au.ghost');
  assert.equal(g.length, 1, 'a failed log-in of an unknown user is recorded under the name given');
  assert.equal(g[0].client_addr, B);
  assert.equal(g[0].unit, null);
  // the record: user/<her id>, her name in detail (docs/api.md)
  assert.deepEqual([login[0].record_type, login[0].record_id, login[0].detail], ['user', id, t.username], 'session.login: record user/<her id>, her name in detail');
  assert.deepEqual([failed[0].record_type, failed[0].record_id, failed[0].detail], ['user', id, t.username], 'session.login_failed: record user/<her id>, her name in detail');
});

test('token create and revoke: her name, address, unit, the token, its values before and after (never its secret)', async () => {
  const t = people.target;
  const tok = await tokenWrites();
  const tc = await one('token.create', 'token', tok.token.id);
  by(tc, t.username, B, '01');
  assert.equal(tc.detail, 'her script');
  assert.ok(!JSON.stringify(tc).includes(tok.secret), 'never the secret');
  const tr = await one('token.revoke', 'token', tok.token.id);
  by(tr, t.username, B, '01');
  assert.ok(tc.after && tc.after.name === 'her script' && /viewer/.test(JSON.stringify(tc.after.roles)),
    `token.create: after shows the token's name and roles: ${JSON.stringify({ before: tc.before, after: tc.after })}`);
  assert.ok(tr.before && !tr.before.revoked_at && tr.after && tr.after.revoked_at,
    `token.revoke: before not revoked, after revoked: ${JSON.stringify({ before: tr.before, after: tr.after })}`);
});

test('consent and password change: her name, address, unit, record; never a password', async () => {
  const t = people.target;
  const id = String(t.id);
  await consentAndPassword();
  const give = await one('consent.give', 'user', id);
  by(give, t.username, B, '01');
  assert.match(give.detail, /thống kê/);
  by(await one('consent.withdraw', 'user', id), t.username, B, '01');
  const pc = await one('user.password', 'user', id);
  by(pc, t.username, B, '01');
  assert.equal(pc.detail, t.username);
  assert.ok(pc.before && pc.after, 'before and after of her account');
  assert.ok(!/password_hash|argon2|her-new-password|pw-au/.test(JSON.stringify(pc)), 'no password in the trail');
});

test('log-out: her name, address, unit and record', async () => {
  const t = people.target;
  await logout();
  const lo = await rows({ action: 'session.logout' });
  const mine = lo.filter((r) => r.user === t.username);
  assert.equal(mine.length, 1, `one log-out of hers: ${JSON.stringify(lo)}`);
  by(mine[0], t.username, B, '01');
  assert.deepEqual([mine[0].record_type, mine[0].record_id], ['user', String(t.id)], 'record user/<her id>');
  assert.equal((await rows({ action: 'session.logout', user: t.username })).length, 1, 'found by user');
});

// ---- searching ------------------------------------------------------------------------------

test('filters: unit (code or id), user, record, action, dates, and paging', async () => {
  const check = (list, pred, what) => {
    assert.ok(list.length > 0, `${what}: some rows`);
    for (const r of list) assert.ok(pred(r), `${what}: row ${r.id} ${r.action} ${r.record_id} ${r.user} does not match`);
  };
  await everything();
  const all = await rows();
  // unit: by code today, by id, and a closed unit
  const au1 = await rows({ unit: 'AU1' });
  check(au1, (r) => r.unit?.code === 'AU1', 'unit=AU1');
  assert.deepEqual(au1.map((r) => r.action).sort(), ['unit.create', 'unit.move', 'unit.rename']);
  const id1 = au1[0].unit.id;
  assert.deepEqual((await rows({ unit: `id:${id1}` })).map((r) => r.id), au1.map((r) => r.id), 'unit=id:N');
  assert.deepEqual((await rows({ unit: 'AU2' })).map((r) => r.action).sort(), ['unit.close', 'unit.create'], 'a closed unit');
  assert.deepEqual(au1.map((r) => r.id), all.filter((r) => r.unit?.id === id1).map((r) => r.id), 'every row of AU1');
  // user
  const byAuditor = await rows({ user: people.auditor.username });
  check(byAuditor, (r) => r.user === people.auditor.username, 'user=auditor');
  assert.ok(byAuditor.length >= 20, `${byAuditor.length} rows of the auditor`);
  assert.deepEqual((await rows({ user: people.auditor.username.toUpperCase() })).length, byAuditor.length, 'the user name in any case');
  // record
  const rec = await rows({ record_type: 'user', record_id: String(people.target.id) });
  check(rec, (r) => r.record_type === 'user' && r.record_id === String(people.target.id), 'record user/target');
  assert.ok(['user.create', 'user.password', 'consent.give', 'consent.withdraw'].every((a) => rec.some((r) => r.action === a)),
    `the history of her account: ${rec.map((r) => r.action)}`);
  check(await rows({ record_type: 'unit' }), (r) => r.record_type === 'unit', 'record_type=unit');
  // action, and two filters together
  check(await rows({ action: 'unit.rename' }), (r) => r.action === 'unit.rename', 'action');
  assert.equal((await rows({ unit: 'AU1', action: 'unit.rename' })).length, 1, 'unit and action');
  assert.deepEqual(await rows({ action: 'unit.rename', user: people.target.username }), [], 'nothing matches both');
  // dates: a row is dated by the UTC day of its time; from and to are days,
  // both included. Taken from the rows themselves, not from the clock (the
  // run may cross midnight UTC between a write and this read).
  const created = au1.find((r) => r.action === 'unit.create');
  const day = created.at.slice(0, 10);
  const onDay = await rows({ from: day, to: day });
  assert.ok(onDay.some((r) => r.id === created.id), `from=to=${day} holds the rows of that day`);
  for (const r of onDay) assert.equal(r.at.slice(0, 10), day, `row ${r.id} at ${r.at} is of ${day}`);
  const upTo = all[0].id;
  const split = [...await rows({ to: addDays(day, -1) }), ...await rows({ from: day })].filter((r) => r.id <= upTo);
  assert.deepEqual(split.map((r) => r.id).sort((a, b) => a - b), all.map((r) => r.id).sort((a, b) => a - b), `to=${addDays(day, -1)} and from=${day} share the trail out`);
  const oldest = all.at(-1).at.slice(0, 10);
  assert.deepEqual(await rows({ to: addDays(oldest, -1) }), [], 'nothing before the first row\'s day');
  assert.deepEqual(await rows({ from: addDays(all[0].at.slice(0, 10), 1) }), [], 'nothing after the last row\'s day');
  assert.equal((await rows({ from: '2000-01-01' })).length, all.length);
  // paging: newest first, no overlap, nothing lost
  const pages = [];
  let cursor;
  for (let i = 0; i < 1000; i++) {
    const r = await s.get('/api/v1/audit', { limit: 7, cursor });
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length <= 7);
    pages.push(...r.body.items);
    if (!r.body.next) break;
    cursor = r.body.next;
  }
  assert.deepEqual(pages.map((r) => r.id), all.map((r) => r.id), 'the pages add up to the whole trail');
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].id > all[i].id, 'newest first');
  // bad arguments: 400; unknown unit or user: 404
  for (const q of [{ from: '2025-13-01' }, { to: 'yesterday' }, { limit: 0 }, { limit: 501 }, { limit: 'x' }, { cursor: 'abc' }, { cursor: '-5' }]) {
    assertError(await s.get('/api/v1/audit', q), 400, 'bad_request', JSON.stringify(q));
  }
  assertError(await s.get('/api/v1/audit', { unit: 'ZZ404' }), 404, 'not_found');
  assertError(await s.get('/api/v1/audit', { user: 'no.such.user' }), 404, 'not_found');
});

test('a province admin sees only the rows of her scope', async () => {
  await everything();
  const all = await rows();
  const p24 = await rows({}, { auth: people.p24.token });
  const p01 = await rows({}, { auth: people.p01.token });
  const codes = (list) => new Set(list.filter((r) => r.unit).map((r) => r.unit.code));
  const c24 = codes(p24);
  const c01 = codes(p01);
  // 24's scope, worked out as the system admin: its subtree today, the units
  // closed under it, the provinces it was formed from
  const in24 = new Set();
  const walk = (n) => { in24.add(n.id); n.children.forEach(walk); };
  walk((await s.ok('/api/v1/tree', { root: '24', depth: 6 })).root);
  for (const code of ['AU2', 'AU3', 'AU4', 'AU6']) in24.add((await s.ok(`/api/v1/units/${code}`, { as_of: D1 })).id);
  for (const p of (await s.ok('/api/v1/units/24/lineage')).predecessors) in24.add(p.unit.id);
  const users24 = new Set([people.p24.username, 'au.new']);
  const about24 = (r) => (r.unit && in24.has(r.unit.id)) || users24.has(r.user);
  for (const r of p24) assert.ok(about24(r), `24 sees row ${r.id} ${r.action} ${r.user} ${r.unit?.code}, not of her scope`);
  const upTo = p24[0].id;
  const want = all.filter((r) => r.id <= upTo && about24(r)).map((r) => r.id);
  assert.deepEqual(p24.map((r) => r.id), want, 'every row of her scope');
  // what that means here
  for (const code of ['24', 'AU2', 'AU3', 'AU4', 'AU5', 'AU3-1', 'AU6', 'AU7', 'AU8', 'AU6-1']) assert.ok(c24.has(code), `24 sees ${code}`);
  assert.ok(!c24.has('AU1'), '24 does not see AU1, under 01 by today\'s tree');
  assert.ok(c01.has('AU1'), '01 sees AU1, with its history');
  for (const code of ['VN', '01']) assert.ok(!c24.has(code), `24 does not see ${code}`);
  for (const code of ['VN', '24', 'AU2', 'AU5']) assert.ok(!c01.has(code), `01 does not see ${code}`);
  assert.ok(p24.some((r) => r.user === people.p24.username && r.action === 'session.login'), '24 sees her own log-in');
  assert.ok(!p24.some((r) => r.user === people.target.username), '24 does not see the user of 01');
  assert.ok(!p24.some((r) => r.user === people.auditor.username && !(r.unit && in24.has(r.unit.id))), '24 sees the auditor only at work in 24');
  // out-of-scope filters answer as for what does not exist
  const ghost = await s.get('/api/v1/audit', { unit: 'ZZ404' }, { auth: people.p24.token });
  const out = await s.get('/api/v1/audit', { unit: '01' }, { auth: people.p24.token });
  assert.equal(out.status, 404);
  assert.deepEqual(out.body, JSON.parse(JSON.stringify(ghost.body).replaceAll('ZZ404', '01')));
  const ghostUser = await s.get('/api/v1/audit', { user: 'no.such.user' }, { auth: people.p24.token });
  const outUser = await s.get('/api/v1/audit', { user: people.target.username }, { auth: people.p24.token });
  assert.deepEqual({ status: outUser.status, body: outUser.body }, { status: ghostUser.status, body: ghostUser.body });
});

test('a province admin sees the log-ins, failed log-ins and log-outs of her users', async () => {
  await failedLogins();
  await logout();
  const p01 = await rows({ user: people.target.username }, { auth: people.p01.token });
  for (const a of ['session.login', 'session.login_failed', 'session.logout', 'user.password']) {
    assert.ok(p01.some((r) => r.action === a), `01's admin sees ${a} of her user: ${p01.map((r) => r.action)}`);
  }
});

// ---- append-only ----------------------------------------------------------------------------

test('no route changes or deletes an audit row: other methods are 405, no path per row', async () => {
  await unitWrites();
  const before = await rows();
  for (const m of ['PUT', 'PATCH', 'DELETE', 'POST']) {
    const r = await s.request(m, '/api/v1/audit', { ...(m === 'DELETE' ? {} : { body: { action: 'x' } }) });
    assertError(r, 405, 'method_not_allowed', `${m} /api/v1/audit`);
    assert.equal(r.headers.get('allow'), 'GET');
    const viaSession = await s.request(m, '/api/v1/audit', { cookie: people.auditor.cookie, csrf: people.auditor.csrf });
    assert.equal(viaSession.status, 405);
  }
  for (const m of ['GET', 'PUT', 'PATCH', 'DELETE', 'POST']) {
    assertError(await s.request(m, `/api/v1/audit/${before[0].id}`, { ...(['GET', 'DELETE'].includes(m) ? {} : { body: {} }) }), 404, 'not_found', `${m} /api/v1/audit/{id}`);
  }
  const after = await rows();
  assert.deepEqual(after.slice(-before.length), before, 'every row is as it was');
});

test('in the database itself, UPDATE and DELETE on the audit table fail and change nothing', async () => {
  await unitWrites();
  const before = await rows();
  const id = before.find((r) => r.action === 'unit.rename').id;
  const attempts = [
    `UPDATE audit SET action = 'unit.create' WHERE id = ${id}`,
    `UPDATE audit SET username = 'someone-else'`,
    `UPDATE audit SET before_value = NULL, after_value = NULL WHERE id = ${id}`,
    `DELETE FROM audit WHERE id = ${id}`,
    'DELETE FROM audit',
  ];
  for (const sql of attempts) {
    await assert.rejects(s.sql(sql), /append-only/, `${sql} must fail with the trigger's message`);
  }
  // inserting is how the program writes: still allowed
  const count = Number((await s.sql('SELECT count(*) FROM audit')).trim());
  assert.equal(count, before.length);
  const after = await rows();
  assert.deepEqual(after, before, 'every row is as it was');
});
