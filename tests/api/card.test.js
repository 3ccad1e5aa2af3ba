// card.test.js - the digital membership card (issue 15, item 7) and the
// member's own account (item 4), through the API and the command line, on
// the store UNIONBASE_TEST_PG chooses: a member's card and its QR code, the
// public check of a card (valid; tampered; after she leaves, after a
// transfer; after the key is rotated), its throttle, who may rotate the
// key; an account linked to her record that reaches her record, her card,
// her consents and her export, and nothing else.
//
// Hoa's own account is made by a fixture (once()) that every test needing
// it awaits, so that a test passes alone and in file order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, assertError, today, BIN } from './server.js';

const D = '2025-08-01';
const NOW = today();
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let s;
const as = {}; // callers by name: {cookie, csrf, token, user}
const ids = {}; // members by name: id

async function caller(name, unit, roles, extra = {}) {
  const pw = `${name}-mat-khau-2025`;
  const r = await s.post('/api/v1/users', { username: name, display_name: `Người ${name}`, unit, roles, password: pw, ...extra });
  assert.equal(r.status, 201, r.text);
  const l = await s.login(name, pw);
  assert.equal(l.status, 200, l.r.text);
  const t = await s.post('/api/v1/tokens', { name: `${name} token`, roles }, { cookie: l.cookie, csrf: l.csrf });
  assert.equal(t.status, 201, t.text);
  as[name] = { cookie: l.cookie, csrf: l.csrf, token: t.body.secret, user: l.user, password: pw };
  return as[name];
}

const bySession = (who) => ({ auth: false, cookie: as[who].cookie, csrf: as[who].csrf });
const byToken = (who) => ({ auth: as[who].token });

async function member(name, full_name, unit, joined_on = D) {
  const r = await s.post('/api/v1/members', { full_name, birth_date: '1985-03-04', unit, joined_on, ethnicity: '01', religion: 'Không' });
  assert.equal(r.status, 201, r.text);
  ids[name] = r.body.id;
  return r.body;
}

// GET /verify/{token}: JSON (checked against the document), or the page.
// once(fn): fn run the first time it is asked for, its promise after that.
function once(fn) {
  let p = null;
  return () => (p ??= fn());
}

// Hoa's own account, linked to her record by the system admin.
const hoaAccount = once(() => caller('hoa.nguyen', 'TC1.1', ['member'], { person_id: ids.hoa }));

const check = (token, opts = {}) => s.request('GET', `/verify/${token}`, { auth: false, ...opts });
const page = (token, opts = {}) => s.request('GET', `/verify/${token}`, { auth: false, headers: { Accept: 'text/html' }, validate: false, ...opts });

before(async () => {
  s = await startServer();
  const mk = (b) => s.op('/api/v1/units', { date: '2025-07-01', kind: 'territorial', ...b }, 201);
  await mk({ code: 'TC1', name_vi: 'Xã Thẻ', name_en: 'Card Commune', level: 'commune', parent: '24' });
  await mk({ code: 'TC1.1', name_vi: 'Chi hội Thôn Đông', name_en: 'East Hamlet Branch', level: 'branch', parent: 'TC1' });
  await mk({ code: 'TC1.2', name_vi: 'Chi hội Thôn Tây', name_en: 'West Hamlet Branch', level: 'branch', parent: 'TC1' });
  await mk({ code: 'TO1', name_vi: 'Xã Khác', name_en: 'Other Commune', level: 'commune', parent: '01' });
  await mk({ code: 'TO1.1', name_vi: 'Chi hội Khác', name_en: 'Other Branch', level: 'branch', parent: 'TO1' });
  await member('hoa', 'Nguyễn Thị Hoa', 'TC1.1');
  await member('lan', 'Trần Thị Lan', 'TC1.1');
  await member('mai', 'Lê Thị Mai', 'TC1.1');
  await member('cuc', 'Phạm Thị Cúc', 'TC1.1');
  await member('dao', 'Đỗ Thị Đào', 'TO1.1');
  await caller('head.tc1', 'TC1', ['entry']);
  await caller('viewer.to1', 'TO1', ['viewer']);
  await caller('admin.24', '24', ['admin']);
  await caller('admin.01', '01', ['admin']);
});
after(async () => { if (s) await s.stop(); });

test('a branch head opens a member\'s card: her name, unit, since when, the token and its QR code', async () => {
  const r = await s.get(`/api/v1/members/${ids.hoa}/card`, undefined, bySession('head.tc1'));
  assert.equal(r.status, 200, r.text);
  const c = r.body;
  assert.deepEqual([c.id, c.full_name, c.unit.code, c.unit.name_vi, c.kind, c.member_since, c.issued_on],
    [ids.hoa, 'Nguyễn Thị Hoa', 'TC1.1', 'Chi hội Thôn Đông', 'member', D, NOW]);
  // a version byte, key and stay ids and 64 bytes of signature: 90..94 characters
  assert.ok(c.token.length >= 90 && c.token.length <= 94, `token of ${c.token.length} characters`);
  assert.match(c.token, /^[A-Za-z0-9_-]+$/);
  assert.equal(c.verify_url, `${s.base}/verify/${c.token}`);
  assert.match(c.qr.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
  assert.equal(c.qr.modules, 17 + 4 * c.qr.version);
  assert.ok(c.qr.version <= 8, `QR version ${c.qr.version}`);
  // the first card made the first key, audited
  const a = await s.ok('/api/v1/audit', { action: 'card_key.create' });
  assert.equal(a.items.length, 1);
  assert.equal(a.items[0].after.public_key.length, 64);
  assert.ok(!JSON.stringify(a.items[0]).includes('secret'), 'no secret in the audit trail');
  // outside the officer's scope: as an id nobody has
  const other = await s.get(`/api/v1/members/${ids.dao}/card`, undefined, bySession('head.tc1'));
  const nobody = await s.get('/api/v1/members/99999999/card', undefined, bySession('head.tc1'));
  assertError(other, 404, 'not_found');
  assert.equal(other.body.error.message.replace(String(ids.dao), 'N'), nobody.body.error.message.replace('99999999', 'N'));
  // a viewer of another province: the same
  assertError(await s.get(`/api/v1/members/${ids.hoa}/card`, undefined, byToken('viewer.to1')), 404, 'not_found');
  assert.equal((await s.get(`/api/v1/members/${ids.dao}/card`, undefined, byToken('viewer.to1'))).status, 200);
});

test('the check of a valid card says valid and the unit\'s name, and nothing about her', async () => {
  const c = (await s.get(`/api/v1/members/${ids.lan}/card`)).body;
  const r = await check(c.token);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { valid: true, as_of: NOW, unit: { name_vi: 'Chi hội Thôn Đông', name_en: 'East Hamlet Branch' } });
  const p = await page(c.token);
  assert.equal(p.status, 200);
  assert.match(p.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.match(p.text, /<html lang="vi">/);
  assert.match(p.text, /data-state="valid"/);
  assert.match(p.text, /<h1 data-testid="verify-result">Thẻ hợp lệ<\/h1>/);
  assert.match(p.text, /Chi hội Thôn Đông/);
  assert.ok(!p.text.includes('Lan') && !r.text.includes('Lan'), 'not her name');
  // no script, and the style allowed by its hash only
  assert.ok(!/<script/i.test(p.text));
  const csp = p.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  assert.match(csp, /frame-ancestors 'none'/);
  const style = /<style>([^<]*)<\/style>/.exec(p.text)[1];
  const { createHash } = await import('node:crypto');
  assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'the policy holds the style\'s hash');
});

test('a card changed in any character, or that is no card at all, is not valid', async () => {
  const c = (await s.get(`/api/v1/members/${ids.lan}/card`)).body;
  const bad = [];
  for (let i = 0; i < c.token.length; i++) {
    const next = B64URL[(B64URL.indexOf(c.token[i]) + 1) % 64];
    const t = c.token.slice(0, i) + next + c.token.slice(i + 1);
    // from an address of its own each 25, so that the throttle stays out of it
    const r = await check(t, { from: `127.0.1.${1 + Math.floor(i / 25)}` });
    if (r.status !== 200 || r.body.valid !== false || r.body.unit !== null) bad.push(`${i}: ${r.status} ${r.text}`);
  }
  assert.deepEqual(bad, []);
  for (const t of ['x', 'A'.repeat(200), '%E1%BA%A1', c.token + 'A', c.token.slice(0, -1)]) {
    const r = await check(t, { from: '127.0.2.1' });
    assert.equal(r.status, 200, `${t}: ${r.text}`);
    assert.equal(r.body.valid, false, t);
  }
  // its last two characters each the next one (a fixed 'AA' is the genuine card once in 4,096 signatures)
  const changed = c.token.slice(0, -2) + [...c.token.slice(-2)].map((ch) => B64URL[(B64URL.indexOf(ch) + 1) % 64]).join('');
  const p = await page(changed, { from: '127.0.2.1' });
  assert.match(p.text, /data-state="invalid"/);
  assert.match(p.text, /Thẻ không hợp lệ/);
  // (the genuine one still is)
  assert.equal((await check(c.token)).body.valid, true);
});

test('leaving ends the card; a transfer ends the old stay\'s card and the new one verifies', async () => {
  const mai = (await s.get(`/api/v1/members/${ids.mai}/card`)).body;
  const cuc = (await s.get(`/api/v1/members/${ids.cuc}/card`)).body;
  assert.equal((await check(mai.token)).body.valid, true);
  // Mai moves away today: her stay ends, her card with it
  const l = await s.post(`/api/v1/members/${ids.mai}/leave`, { date: NOW, reason: 'moved_away' });
  assert.equal(l.status, 200, l.text);
  assert.deepEqual((await check(mai.token)).body, { valid: false, as_of: NOW, unit: null });
  assertError(await s.get(`/api/v1/members/${ids.mai}/card`), 409, 'not_a_member');
  // Cúc moves to the other branch today: a new stay, a new card; her
  // membership goes on, so she is a member since she joined
  const t = await s.post(`/api/v1/members/${ids.cuc}/transfer`, { to: 'TC1.2', date: NOW });
  assert.equal(t.status, 200, t.text);
  assert.equal((await check(cuc.token)).body.valid, false);
  const again = (await s.get(`/api/v1/members/${ids.cuc}/card`)).body;
  assert.notEqual(again.token, cuc.token);
  assert.deepEqual([again.unit.code, again.member_since], ['TC1.2', D]);
  assert.deepEqual((await check(again.token)).body.unit, { name_vi: 'Chi hội Thôn Tây', name_en: 'West Hamlet Branch' });
});

test('only the system admin rotates the key; every card before it stops verifying', async () => {
  const before = (await s.get(`/api/v1/members/${ids.hoa}/card`)).body;
  assert.equal((await check(before.token)).body.valid, true);
  assertError(await s.post('/api/v1/card-keys/rotate', {}, bySession('admin.24')), 403, 'national_only');
  assertError(await s.post('/api/v1/card-keys/rotate', {}, byToken('head.tc1')), 403, 'forbidden');
  assertError(await s.post('/api/v1/card-keys/rotate', { now: true }), 422, 'invalid');
  assert.equal((await check(before.token)).body.valid, true, 'nothing changed');
  const r = await s.post('/api/v1/card-keys/rotate', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.retired, 1);
  assert.match(r.body.key.public_key, /^[0-9a-f]{64}$/);
  // the old card: genuine, no longer valid (and such checks do not count against anyone)
  assert.deepEqual((await check(before.token)).body, { valid: false, as_of: NOW, unit: null });
  const after = (await s.get(`/api/v1/members/${ids.hoa}/card`)).body;
  assert.equal((await check(after.token)).body.valid, true);
  const a = await s.ok('/api/v1/audit', { action: 'card_key.rotate' });
  assert.equal(a.items.length, 1);
  assert.deepEqual(a.items[0].before, { retired: [1] });
  assert.equal(a.items[0].after.id, r.body.key.id);
  // with no body at all, too
  const r2 = await s.request('POST', '/api/v1/card-keys/rotate');
  assert.equal(r2.status, 200, r2.text);
  assert.equal((await check(after.token)).body.valid, false);
});

test('cards that are not ours are throttled by address like log-ins; genuine cards no longer valid are not', async () => {
  const c = (await s.get(`/api/v1/members/${ids.lan}/card`)).body;
  const forged = c.token.slice(0, 10) + (c.token[10] === 'A' ? 'B' : 'A') + c.token.slice(11);
  const from = '127.0.3.1';
  for (let i = 0; i < 30; i++) {
    const r = await check(forged, { from });
    assert.equal(r.status, 200, `${i}: ${r.text}`);
  }
  const r = await check(c.token, { from });
  const e = assertError(r, 429, 'too_many_requests');
  assert.ok(e.minutes >= 1 && e.minutes <= 15);
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  const p = await page(c.token, { from });
  assert.equal(p.status, 429);
  assert.match(p.text, /data-state="limited"/);
  assert.ok(Number(p.headers.get('retry-after')) >= 1);
  // another address is not held back
  assert.equal((await check(c.token, { from: '127.0.3.2' })).body.valid, true);
  // a genuine card that is no longer valid counts for nothing: 40 of them
  const old = (await s.get(`/api/v1/members/${ids.hoa}/card`)).body.token;
  await s.post('/api/v1/card-keys/rotate', {});
  for (let i = 0; i < 40; i++) {
    const x = await check(old, { from: '127.0.3.3' });
    assert.equal(x.status, 200);
    assert.equal(x.body.valid, false);
  }
});

test('a member\'s own account: linked by an admin in scope, once; audited', async () => {
  // a member nobody has, and one outside the admin's scope: the same answer
  const nobody = await s.post('/api/v1/users', { username: 'x.nobody', unit: '01', roles: ['member'], password: 'mat-khau-rat-dai', person_id: 99999999 }, bySession('admin.01'));
  const outside = await s.post('/api/v1/users', { username: 'x.outside', unit: '01', roles: ['member'], password: 'mat-khau-rat-dai', person_id: ids.hoa }, bySession('admin.01'));
  const en = assertError(nobody, 422, 'invalid');
  const eo = assertError(outside, 422, 'invalid');
  assert.deepEqual(en.details.map((d) => [d.field, d.code]), [['person_id', 'no_member']]);
  assert.deepEqual(eo.details.map((d) => [d.field, d.code]), [['person_id', 'no_member']]);
  assert.equal(eo.message.replace(String(ids.hoa), 'N'), en.message.replace('99999999', 'N'));
  const bad = await s.post('/api/v1/users', { username: 'x.bad', unit: '01', roles: ['member'], password: 'mat-khau-rat-dai', person_id: 'hoa' });
  assert.deepEqual(assertError(bad, 422, 'invalid').details.map((d) => [d.field, d.code]), [['person_id', 'out_of_range']]);
  // the admin links Hoa's own account
  const hoa = await hoaAccount();
  assert.equal(hoa.user.person_id, ids.hoa);
  // one account a record
  const twice = await s.post('/api/v1/users', { username: 'hoa.two', unit: 'TC1.1', roles: ['member'], password: 'mat-khau-rat-dai', person_id: ids.hoa });
  const e = assertError(twice, 409, 'person_linked');
  assert.equal(e.person, ids.hoa);
  // linked and unlinked by PATCH, audited as user.update
  const lan = await s.post('/api/v1/users', { username: 'lan.tran', unit: 'TC1.1', roles: ['member'], password: 'mat-khau-rat-dai' }, bySession('admin.24'));
  assert.equal(lan.status, 201, lan.text);
  assert.equal(lan.body.person_id, null);
  const linked = await s.request('PATCH', '/api/v1/users/lan.tran', { body: { person_id: ids.lan }, ...bySession('admin.24') });
  assert.equal(linked.status, 200, linked.text);
  assert.equal(linked.body.person_id, ids.lan);
  assertError(await s.request('PATCH', '/api/v1/users/lan.tran', { body: { person_id: ids.hoa } }), 409, 'person_linked');
  const unlinked = await s.request('PATCH', '/api/v1/users/lan.tran', { body: { person_id: null } });
  assert.equal(unlinked.body.person_id, null);
  const rows = (await s.ok('/api/v1/audit', { record_type: 'user', record_id: lan.body.id, action: 'user.update' })).items;
  assert.deepEqual(rows.map((x) => [x.before.person_id ?? null, x.after.person_id ?? null]), [[ids.lan, null], [null, ids.lan]]);
  const created = (await s.ok('/api/v1/audit', { record_type: 'user', record_id: hoa.user.id, action: 'user.create' })).items[0];
  assert.equal(created.after.person_id, ids.hoa);
});

test('a member reaches her own record, card, consents and export, and nothing else', async () => {
  await hoaAccount();
  for (const [via, o] of [['session', bySession('hoa.nguyen')], ['token', byToken('hoa.nguyen')]]) {
    const rec = await s.get(`/api/v1/members/${ids.hoa}`, undefined, o);
    assert.equal(rec.status, 200, `${via}: ${rec.text}`);
    assert.deepEqual([rec.body.full_name, rec.body.masked, rec.body.religion], ['Nguyễn Thị Hoa', [], 'Không'], 'her own record, whole');
    const card = await s.get(`/api/v1/members/${ids.hoa}/card`, undefined, o);
    assert.equal(card.status, 200, card.text);
    assert.equal((await check(card.body.token)).body.valid, true);
    assert.equal((await s.get(`/api/v1/members/${ids.hoa}/consents`, undefined, o)).status, 200);
    const give = await s.post(`/api/v1/members/${ids.hoa}/consents`, { purpose: `thẻ ${via}`, date: D }, o);
    const ex = await s.get(`/api/v1/members/${ids.hoa}/export`, undefined, o);
    if (via === 'session') {
      assert.equal(give.status, 200, give.text);
      assert.equal(ex.status, 200, ex.text);
    } else {
      assertError(give, 403, 'session_required');
      assertError(ex, 403, 'session_required');
    }
    assertError(await s.post(`/api/v1/members/${ids.hoa}/erase`, {}, o), 403, 'forbidden');
    // anybody else: refused before anything is looked up
    for (const other of [ids.lan, ids.dao, 99999999]) {
      for (const p of ['', '/card', '/consents', '/export']) {
        assertError(await s.get(`/api/v1/members/${other}${p}`, undefined, o), 403, 'forbidden', `${via} ${other}${p}`);
      }
    }
    for (const p of ['/api/v1/members', '/api/v1/transfers', '/api/v1/reports/members', '/api/v1/units/TC1', '/api/v1/tree', '/api/v1/levels', '/api/v1/users', '/api/v1/audit']) {
      assertError(await s.get(p, undefined, o), 403, 'forbidden', `${via} ${p}`);
    }
    for (const [p, body] of [[`/api/v1/members/${ids.hoa}/leave`, { reason: 'left' }], [`/api/v1/members/${ids.hoa}/transfer`, { to: 'TC1.2' }],
      [`/api/v1/members/${ids.hoa}/dues`, { year: 2026 }], ['/api/v1/card-keys/rotate', {}]]) {
      assertError(await s.post(p, body, o), 403, 'forbidden', `${via} POST ${p}`);
    }
    assertError(await s.request('PATCH', `/api/v1/members/${ids.hoa}`, { body: { phone: '0912 345 678' }, ...o }), 403, 'forbidden');
  }
  // her reads of her own record are not in the audit trail as another's reads are
  const reads = (await s.ok('/api/v1/audit', { action: 'member.sensitive_read', user: 'hoa.nguyen' })).items;
  assert.equal(reads.length, 0);
  // an account with the link but without the member role reaches nothing of it
  const v = await caller('hoa.viewer', 'TO1', ['viewer']);
  await s.request('PATCH', '/api/v1/users/hoa.viewer', { body: { person_id: ids.dao } });
  assertError(await s.get(`/api/v1/members/${ids.hoa}`, undefined, { auth: v.token }), 404, 'not_found');
  assert.equal((await s.get(`/api/v1/members/${ids.dao}`, undefined, { auth: v.token })).status, 200, 'as a viewer in scope');
});

test('erasing her record unlinks her account; her card stops verifying', async () => {
  await hoaAccount();
  const c = (await s.get(`/api/v1/members/${ids.hoa}/card`)).body;
  assert.equal((await check(c.token)).body.valid, true);
  const r = await s.post(`/api/v1/members/${ids.hoa}/erase`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal((await check(c.token)).body.valid, false);
  const u = (await s.ok('/api/v1/users')).items.find((x) => x.username === 'hoa.nguyen');
  assert.equal(u.person_id, null);
});

// ---- the command line ----------------------------------------------------------

// Runs the command line; input (a password, for user add) on its standard
// input, which is closed in any case.
function cli(args, env = {}, input = '') {
  return new Promise((resolve) => {
    const child = execFile(BIN, args, { env: { ...process.env, ...env }, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

test('unionbase members card, card rotate-key and user add --person', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-card-'));
  await member('en', 'Vũ Thị Én', 'TO1.1');
  // a member who left today: no card for her (her own, not Mai's, who leaves in a test above)
  await member('nga', 'Hồ Thị Nga', 'TC1.1');
  const l = await s.post(`/api/v1/members/${ids.nga}/leave`, { date: NOW, reason: 'moved_away' });
  assert.equal(l.status, 200, l.text);
  try {
    const svg = path.join(dir, 'the.svg');
    const r = await cli(['members', 'card', String(ids.lan), '--db', s.db.url, '--url', 'https://hoilhpn.example.vn', '--svg', svg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^membership card of Trần Thị Lan/m);
    assert.match(r.stdout, /^unit: TC1\.1 Chi hội Thôn Đông$/m);
    const url = /^check: (https:\/\/hoilhpn\.example\.vn\/verify\/([A-Za-z0-9_-]+))$/m.exec(r.stdout);
    assert.ok(url, r.stdout);
    assert.match(r.stdout, /[█▀▄]/, 'the code in half blocks');
    assert.match(fs.readFileSync(svg, 'utf8'), /^<svg xmlns=/);
    assert.equal((await check(url[2])).body.valid, true, 'the card the command line made verifies on the server');
    const j = await cli(['members', 'card', String(ids.lan), '--db', s.db.url, '--json'], { UNIONBASE_PUBLIC_URL: 'https://a.example.vn' });
    assert.equal(j.code, 0, j.stderr);
    const card = JSON.parse(j.stdout);
    assert.equal(card.verify_url, `https://a.example.vn/verify/${card.token}`);
    const bad = await cli(['members', 'card', String(ids.lan), '--db', s.db.url, '--url', 'javascript:alert(1)']);
    assert.equal(bad.code, 2, bad.stderr);
    const gone = await cli(['members', 'card', String(ids.nga), '--db', s.db.url]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /not a member/);
    const rot = await cli(['card', 'rotate-key', '--db', s.db.url]);
    assert.equal(rot.code, 0, rot.stderr);
    assert.match(rot.stdout, /older key\(s\) retired/);
    assert.equal((await check(url[2])).body.valid, false);
    const rows = (await s.ok('/api/v1/audit', { action: 'card_key.rotate' })).items;
    assert.match(rows[0].user, /^cli:/);
    const u = await cli(['user', 'add', 'dao.do', '--unit', 'TO1.1', '--role', 'member', '--person', String(ids.en), '--db', s.db.url], {}, 'mat-khau-cua-dao-1\n');
    assert.equal(u.code, 0, u.stderr);
    assert.match(u.stdout, new RegExp(`her member record: ${ids.en}`));
    const twice = await cli(['user', 'add', 'dao.two', '--unit', 'TO1.1', '--role', 'member', '--person', String(ids.en), '--db', s.db.url], {}, 'mat-khau-cua-dao-2\n');
    assert.equal(twice.code, 1);
    const un = await cli(['user', 'edit', 'dao.do', '--person', 'none', '--db', s.db.url]);
    assert.equal(un.code, 0, un.stderr);
    const list = await cli(['user', 'list', '--json', '--db', s.db.url]);
    assert.match(list.stdout, /"username":"dao.do","unit":"TO1.1","roles":"member","disabled":false,"person_id":null/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
