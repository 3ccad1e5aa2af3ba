// error-codes.test.js - errors a program can translate (issue 12, item 6):
// every error and every field detail carries a machine code and its
// parameters beside it, the English message is the code's template filled
// in, and lengths are counted in characters, not bytes. Covers every field
// check of the unit, user and token create bodies and a representative
// error of each kind. (Every answer any API test sees is also checked by
// server.js, checkErrorCodes: a detail without a code fails that test.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, checkErrorCodes } from './server.js';

let s;
before(async () => { s = await startServer(); });
after(async () => { if (s) await s.stop(); });

const DAY = '2025-08-01';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const E3 = 'ễ'; // 1 character, 3 bytes of UTF-8 in NFC
const unitBody = (extra = {}) => ({ code: 'C0001', name_vi: 'Xã Mã Lỗi', name_en: 'Code Test Commune', level: 'commune', parent: '01', date: DAY, ...extra });
const userBody = (extra = {}) => ({ username: 'code.test', display_name: 'Người Thử', unit: '01', roles: ['viewer'], password: 'a-long-enough-password', ...extra });

// The one detail on field (fails when there is none or more than one).
function detail(e, field) {
  const ds = e.details.filter((d) => d.field === field);
  assert.equal(ds.length, 1, `one detail on ${field}: ${JSON.stringify(e.details)}`);
  return ds[0];
}

// Asserts the detail on field: its code, exactly these parameters, and
// (when given) its message.
function hasDetail(e, field, code, params = {}, message) {
  const d = detail(e, field);
  const { field: f, code: c, message: m, ...rest } = d;
  assert.equal(c, code, `${field}: ${JSON.stringify(d)}`);
  assert.deepEqual(rest, params, `${field} ${code}: parameters of ${JSON.stringify(d)}`);
  if (message !== undefined) assert.equal(m, message);
  return d;
}

// The error's parameters (its members other than code, message, details).
function params(e) {
  const { code, message, details, ...rest } = e;
  return rest;
}

async function invalid(p, body, what, opts = {}) {
  return assertError(await s.post(p, body, opts), 422, 'invalid', what);
}

test('a detail or an error without a machine code fails the check every test runs', () => {
  const good = { error: { code: 'invalid', message: 'x', details: [{ field: 'name_vi', code: 'too_long', max: 200, message: 'is too long (at most 200 characters)' }] } };
  checkErrorCodes(good);
  const bad = [
    { error: { code: 'invalid', message: 'x', details: [{ field: 'name_vi', message: 'is required' }] } },
    { error: { code: 'invalid', message: 'x', details: [{ field: 'name_vi', code: '', message: 'is required' }] } },
    { error: { code: 'invalid', message: 'x', details: [{ field: 'name_vi', code: 'Too Long', message: 'is too long' }] } },
    { error: { code: 'invalid', message: 'x', details: [{ field: 'name_vi', code: 'too_long', max: { n: 1 }, message: 'is too long' }] } },
    { error: { message: 'x', details: [] } },
    { error: { code: 'not_found', message: 'x' } },
  ];
  for (const b of bad) assert.throws(() => checkErrorCodes(b, 'sample'), assert.AssertionError, JSON.stringify(b));
});

test('unit create: every field check has its code and parameters', async () => {
  // missing: required, one detail per field, the error without parameters
  const none = await invalid('/api/v1/units', { date: DAY }, 'an empty unit');
  for (const f of ['code', 'name_vi', 'name_en', 'level']) hasDetail(none, f, 'required', {}, 'is required');
  assert.deepEqual(params(none), {});
  assert.equal(none.message, 'the request has invalid fields');
  // types and text
  hasDetail(await invalid('/api/v1/units', unitBody({ name_vi: 5 })), 'name_vi', 'not_a_string', {}, 'must be a string');
  hasDetail(await invalid('/api/v1/units', unitBody({ name_en: ['a'] })), 'name_en', 'not_a_string');
  hasDetail(await invalid('/api/v1/units', unitBody({ name_vi: 'Xã\u0007Chuông' })), 'name_vi', 'not_text');
  hasDetail(await invalid('/api/v1/units', unitBody({ name_vi: '' })), 'name_vi', 'required');
  hasDetail(await invalid('/api/v1/units', unitBody({ attributes: 'border' })), 'attributes', 'not_a_list',
    { allowed: 'border, city, coastal, ethnic_minority, island, mountain, rural, special_zone, urban' });
  // lengths in characters: 201 three-byte letters are too long (603 bytes,
  // under the old bound of 800 bytes); 200 are fine, in NFC or in NFD
  hasDetail(await invalid('/api/v1/units', unitBody({ name_vi: E3.repeat(201) })), 'name_vi', 'too_long', { max: 200 },
    'is too long (at most 200 characters)');
  hasDetail(await invalid('/api/v1/units', unitBody({ name_en: 'x'.repeat(201) })), 'name_en', 'too_long', { max: 200 });
  hasDetail(await invalid('/api/v1/units', unitBody({ code: 'C'.repeat(33) })), 'code', 'too_long', { max: 32 });
  hasDetail(await invalid('/api/v1/units', unitBody({ note: 'ghi chú '.repeat(62) + 'ghi ch' })), 'note', 'too_long', { max: 500 });
  const long = await s.op('/api/v1/units', unitBody({ code: 'C0002', name_vi: E3.repeat(200), note: 'ễ'.repeat(500) }), 201);
  assert.equal(long.name_vi, E3.repeat(200));
  const au = await s.ok('/api/v1/audit', { action: 'unit.create', record_id: 'C0002' });
  assert.equal(au.items[0].detail, 'ễ'.repeat(500), 'the audit row holds the whole note (1,500 bytes)');
  const nfd = E3.normalize('NFD').repeat(200); // 1,000 bytes, 200 characters
  assert.ok(Buffer.byteLength(nfd) > 800);
  // (JSON Schema counts the 600 code points as sent: the document's bound is
  // for NFC, so this request is not checked against it)
  const n = await s.post('/api/v1/units', unitBody({ code: 'C0003', name_vi: nfd }), { validate: false });
  assert.equal(n.status, 201, n.text.slice(0, 300));
  assert.equal(n.body.name_vi, E3.repeat(200), 'kept in NFC');
  // values
  hasDetail(await invalid('/api/v1/units', unitBody({ code: 'C/1' })), 'code', 'bad_characters', { allowed: 'A-Z a-z 0-9 . _ -' },
    'may contain only A-Z a-z 0-9 . _ -');
  hasDetail(await invalid('/api/v1/units', unitBody({ kind: 'company' })), 'kind', 'not_one_of',
    { value: 'company', allowed: 'territorial, enterprise, agency, network' }, 'must be one of territorial, enterprise, agency, network');
  hasDetail(await invalid('/api/v1/units', unitBody({ attributes: ['border', 'volcano'] })), 'attributes', 'not_one_of',
    { value: 'volcano', allowed: 'border, city, coastal, ethnic_minority, island, mountain, rural, special_zone, urban' });
  hasDetail(await invalid('/api/v1/units', unitBody({ level: 'Commune' })), 'level', 'bad_characters', { allowed: 'a-z _' });
  // dates: not YYYY-MM-DD, or not a day of the calendar
  for (const date of ['2025-02-30', '1/8/2025', '2025-8-1', '']) {
    const e = await invalid('/api/v1/units', unitBody({ date }), `date ${date}`);
    hasDetail(e, 'date', 'not_a_date', { value: date }, 'must be a date YYYY-MM-DD');
  }
  hasDetail(await invalid('/api/v1/units', unitBody({ date: 20250801 })), 'date', 'not_a_string');
  // unknown fields, at the top and inside a nested object
  hasDetail(await invalid('/api/v1/units', unitBody({ colour: 'red' })), 'colour', 'unknown_field', {}, 'is not a field here');
  // the parent: none on that day (or none in scope: the same answer)
  const p = await invalid('/api/v1/units', unitBody({ parent: 'ZZZZ' }), 'an unknown parent');
  hasDetail(p, 'parent', 'not_found', { value: 'ZZZZ', date: DAY }, `no unit with code ZZZZ on ${DAY}`);
  assert.deepEqual(params(p), { ref: 'ZZZZ', date: DAY });
  assert.equal(p.message, `no unit with code ZZZZ on ${DAY}`);
  // several problems at once: all of them, each with its code
  const many = await invalid('/api/v1/units', { code: 'C/2', name_vi: E3.repeat(201), level: 5, date: '2025-02-30', extra: 1 });
  assert.deepEqual(many.details.map((d) => [d.field, d.code]).sort(), [
    ['date', 'not_a_date'], ['extra', 'unknown_field'], ['level', 'not_a_string'], ['name_en', 'required'], ['name_vi', 'too_long'],
  ]);
});

// The checks that the reorganisation store makes (store/org_write.c).
test('unit create: an unknown level', async () => {
  const e = await invalid('/api/v1/units', unitBody({ level: 'planet' }), 'level planet');
  hasDetail(e, 'level', 'unknown_level', { value: 'planet' });
  assert.deepEqual(params(e), { value: 'planet' });
});

test('unit create: a commune without a parent', async () => {
  const np = await invalid('/api/v1/units', (({ parent, ...b }) => b)(unitBody({ code: 'C0009' })), 'no parent');
  hasDetail(np, 'parent', 'required', { level: 'commune' });
  assert.deepEqual(params(np), { level: 'commune' });
});

test('unit create: a parent that exists only on other days', async () => {
  // 27 (old Bắc Ninh) ended on 2025-06-30: 409, not "no such unit"
  const p = assertError(await s.post('/api/v1/units', unitBody({ code: 'C0009', parent: '27' })), 409, 'parent_not_valid');
  assert.deepEqual(params(p), { parent: '27', date: DAY, until: '2025-06-30' });
});

test('merge and split: details of nested units name their place', async () => {
  const m = await invalid('/api/v1/units/merge', { date: DAY, sources: ['01', '04'], into: { code: 'C0010', name_vi: '', name_en: 'x', level: 'province', colour: 1 } });
  hasDetail(m, 'into.name_vi', 'required');
  hasDetail(m, 'into.colour', 'unknown_field');
  hasDetail(await invalid('/api/v1/units/merge', { date: DAY, sources: '01', into: '04' }), 'sources', 'not_a_list');
  hasDetail(await invalid('/api/v1/units/merge', { date: DAY, sources: [], into: '04' }), 'sources', 'too_few', { min: 1 });
  hasDetail(await invalid('/api/v1/units/merge', { date: DAY, sources: Array(65).fill('01'), into: '04' }), 'sources', 'too_many', { max: 64 });
  hasDetail(await invalid('/api/v1/units/merge', { date: DAY, sources: ['01', '04'], into: 7 }), 'into', 'not_a_code_or_unit');
  hasDetail(await invalid('/api/v1/units/merge', { date: DAY, sources: ['01', '04'] }), 'into', 'required');
  const sp = await invalid('/api/v1/units/01/split', { date: DAY, into: [{ code: 'C0011', name_vi: 'A', name_en: 'A', level: 'province' }, 5, { code: 'C 12', name_vi: 'B', name_en: 'B', level: 'province', extra: 1 }] });
  hasDetail(sp, 'into[1]', 'not_an_object');
  hasDetail(sp, 'into[2].extra', 'unknown_field');
  // (the code's characters are checked by the reorganisation itself, later)
  hasDetail(await invalid('/api/v1/units/01/split', { date: DAY, into: [{}] }), 'into', 'too_few', { min: 2 });
  hasDetail(await invalid('/api/v1/units/01/split', { date: DAY }), 'into', 'required');
  hasDetail(await invalid('/api/v1/units/01/split', { date: DAY, into: [], children: [] }), 'children', 'not_an_object');
});

test('user create: every field check has its code and parameters', async () => {
  const none = await invalid('/api/v1/users', {}, 'an empty user');
  for (const f of ['username', 'unit', 'password']) hasDetail(none, f, 'required', {}, 'is required');
  hasDetail(none, 'roles', 'required');
  hasDetail(await invalid('/api/v1/users', userBody({ username: 'ab' })), 'username', 'too_short', { min: 3 }, 'is too short (at least 3 characters)');
  hasDetail(await invalid('/api/v1/users', userBody({ username: 'a'.repeat(65) })), 'username', 'too_long', { max: 64 });
  hasDetail(await invalid('/api/v1/users', userBody({ username: 'A B' })), 'username', 'bad_characters', { allowed: 'a-z 0-9 . _ -' });
  hasDetail(await invalid('/api/v1/users', userBody({ username: 'erased-7' })), 'username', 'reserved', { prefix: 'erased-' });
  hasDetail(await invalid('/api/v1/users', userBody({ username: 7 })), 'username', 'not_a_string');
  // a display name: 200 characters of 3 bytes are fine, 201 too long
  hasDetail(await invalid('/api/v1/users', userBody({ display_name: E3.repeat(201) })), 'display_name', 'too_long', { max: 200 },
    'is too long (at most 200 characters)');
  hasDetail(await invalid('/api/v1/users', userBody({ display_name: 'Lan\u0001' })), 'display_name', 'not_text');
  // roles
  hasDetail(await invalid('/api/v1/users', userBody({ roles: ['viewer', 'chief'] })), 'roles', 'not_one_of',
    { value: 'chief', allowed: 'viewer, entry, approver, admin, member' });
  hasDetail(await invalid('/api/v1/users', userBody({ roles: [] })), 'roles', 'too_few', { min: 1 });
  hasDetail(await invalid('/api/v1/users', userBody({ roles: 'viewer' })), 'roles', 'not_a_list', { allowed: 'viewer, entry, approver, admin, member' });
  hasDetail(await invalid('/api/v1/users', userBody({ roles: Array(9).fill('viewer') })), 'roles', 'too_many', { max: 8 });
  // passwords are counted in characters: nine letters of 3 bytes are too short
  hasDetail(await invalid('/api/v1/users', userBody({ password: 'short' })), 'password', 'too_short', { min: 10 });
  hasDetail(await invalid('/api/v1/users', userBody({ password: E3.repeat(9) })), 'password', 'too_short', { min: 10 });
  hasDetail(await invalid('/api/v1/users', userBody({ password: 'p'.repeat(257) })), 'password', 'too_long', { max: 256 });
  hasDetail(await invalid('/api/v1/users', userBody({ password: 'Password12345' })), 'password', 'common_password', {},
    'is a common password, or one with digits added: choose another');
  // unknown field, unknown unit
  hasDetail(await invalid('/api/v1/users', userBody({ admin: true })), 'admin', 'unknown_field');
  const u = await invalid('/api/v1/users', userBody({ unit: 'zzz' }), 'an unknown unit');
  const d = hasDetail(u, 'unit', 'not_found', { value: 'zzz', date: detail(u, 'unit').date });
  assert.match(d.date, ISO_DATE);
  assert.equal(d.message, `no unit with code zzz on ${d.date}`);
  assert.deepEqual(params(u), { ref: 'zzz', date: d.date });
  // accepted: a long Vietnamese name, a password of ten 3-byte letters
  const ok = await s.op('/api/v1/users', userBody({ username: 'code.ok', display_name: E3.repeat(200), password: E3.repeat(10) }), 201);
  assert.equal(ok.display_name, E3.repeat(200));
  assert.equal((await s.login('code.ok', E3.repeat(10))).status, 200);
  // taken
  const t = assertError(await s.post('/api/v1/users', userBody({ username: 'code.ok' })), 409, 'username_taken');
  assert.deepEqual(params(t), { username: 'code.ok' });
  assert.equal(t.message, 'the user name code.ok is taken');
});

test('token create: every field check has its code and parameters', async () => {
  // tokens are made by the person logged in (a token cannot make tokens)
  const l = await s.login('admin', s.adminPassword);
  const me = { cookie: l.cookie, csrf: l.csrf };
  const none = await invalid('/api/v1/tokens', {}, 'an empty token', me);
  hasDetail(none, 'name', 'required');
  hasDetail(none, 'roles', 'required');
  // a name of 100 Vietnamese letters (300 bytes) is fine, 101 too long
  const made = await s.post('/api/v1/tokens', { name: E3.repeat(100), roles: ['viewer'] }, me);
  assert.equal(made.status, 201, made.text);
  const tok = made.body;
  assert.equal(tok.token.name, E3.repeat(100));
  hasDetail(await invalid('/api/v1/tokens', { name: E3.repeat(101), roles: ['viewer'] }, undefined, me), 'name', 'too_long', { max: 100 },
    'is too long (at most 100 characters)');
  hasDetail(await invalid('/api/v1/tokens', { name: 'x', roles: ['boss'] }, undefined, me), 'roles', 'not_one_of',
    { value: 'boss', allowed: 'viewer, entry, approver, admin, member' });
  for (const expires_at of ['2025-02-30', '30/12/2027', 'never']) {
    hasDetail(await invalid('/api/v1/tokens', { name: 'x', roles: ['viewer'], expires_at }, undefined, me), 'expires_at', 'not_a_date', { value: expires_at });
  }
  hasDetail(await invalid('/api/v1/tokens', { name: 'x', roles: ['viewer'], expires_at: '2020-01-01' }, undefined, me), 'expires_at', 'not_in_future', {},
    'must be in the future');
  hasDetail(await invalid('/api/v1/tokens', { name: 'x', roles: ['viewer'], scope: 'all' }, undefined, me), 'scope', 'unknown_field');
  // roles beyond the caller's own
  await s.op('/api/v1/users', userBody({ username: 'code.viewer', password: 'viewer-password-1' }), 201);
  const v = await s.login('code.viewer', 'viewer-password-1');
  const b = await invalid('/api/v1/tokens', { name: 'x', roles: ['admin'] }, 'an admin token from a viewer', { cookie: v.cookie, csrf: v.csrf });
  hasDetail(b, 'roles', 'beyond_own_roles', {}, 'must give no right beyond your own roles');
  // and what a viewer may not do at all: forbidden, naming the permission
  const f = assertError(await s.post('/api/v1/units', unitBody({ code: 'C0020' }), { cookie: v.cookie, csrf: v.csrf }), 403, 'forbidden');
  assert.deepEqual(params(f), { permission: 'unit.reorganise' });
  assert.equal(f.message, 'your roles do not allow this (unit.reorganise)');
});

test('a representative error of each kind: its code and parameters', async () => {
  // a commune and a user of its own to rename, move and log in as (not
  // C0002 and code.ok of the tests above: this one passes without them)
  await s.op('/api/v1/units', unitBody({ code: 'C0040' }), 201);
  await s.op('/api/v1/users', userBody({ username: 'code.kind', password: E3.repeat(10) }), 201);
  // 400: malformed JSON, a query date, a number out of bounds, a word
  const j = assertError(await s.request('POST', '/api/v1/units', { raw: '{"code":' }), 400, 'bad_request');
  assert.deepEqual(Object.keys(params(j)).sort(), ['column', 'line', 'reason']);
  assert.equal(j.line, 1);
  const q = assertError(await s.get('/api/v1/units', { as_of: '2025-02-30' }), 400, 'bad_request');
  assert.deepEqual(params(q), { arg: 'as_of' });
  assert.equal(q.message, 'as_of must be a date YYYY-MM-DD');
  hasDetail(q, 'as_of', 'not_a_date', { value: '2025-02-30' });
  const l = assertError(await s.get('/api/v1/units', { limit: 501 }), 400, 'bad_request');
  assert.deepEqual(params(l), { arg: 'limit', min: 1, max: 500 });
  hasDetail(l, 'limit', 'out_of_range', { min: 1, max: 500 }, 'must be a whole number from 1 to 500');
  hasDetail(assertError(await s.get('/api/v1/units', { sort: 'size' }), 400, 'bad_request'), 'sort', 'not_one_of', { value: 'size', allowed: 'code, name' });
  hasDetail(assertError(await s.get('/api/v1/units', { q: 'ễ'.repeat(201) }), 400, 'bad_request'), 'q', 'too_long', { max: 200 });
  assert.equal((await s.get('/api/v1/units', { q: 'ễ'.repeat(200) })).status, 200, '200 characters of 3 bytes');
  const a = assertError(await s.get('/api/v1/audit', { from: '2025-02-30', to: 'x' }), 400, 'bad_request');
  hasDetail(a, 'from', 'not_a_date', { value: '2025-02-30' });
  hasDetail(a, 'to', 'not_a_date', { value: 'x' });
  // 404: a unit, by code and by id; the same for one outside scope (access.test.js)
  const nf = assertError(await s.get('/api/v1/units/zzz', { as_of: '2026-12-01' }), 404, 'not_found');
  assert.deepEqual(params(nf), { ref: 'zzz', date: '2026-12-01' });
  assert.equal(nf.message, 'no unit with code zzz on 2026-12-01');
  const ni = assertError(await s.get('/api/v1/units/id:99999999', { as_of: '2026-12-01' }), 404, 'not_found');
  assert.deepEqual(params(ni), { ref: 'id:99999999', date: '2026-12-01' });
  assert.deepEqual(params(assertError(await s.get('/api/v1/nothing'), 404, 'not_found')), {});
  // 405
  const m = assertError(await s.request('DELETE', '/api/v1/units'), 405, 'method_not_allowed');
  assert.deepEqual(params(m), { method: 'DELETE', path: '/api/v1/units' });
  assert.equal(m.message, 'DELETE is not allowed on /api/v1/units');
  // 409: the invariants, each with the units and days it is about
  const taken = assertError(await s.post('/api/v1/units', unitBody({ code: '01', level: 'commune', parent: '04' })), 409, 'code_taken');
  assert.deepEqual(params(taken), { value: '01', name: 'Hà Nội', level: 'province', from: DAY });
  assert.equal(taken.message, `code 01 is used by Hà Nội (province) from ${DAY}`);
  const lo = assertError(await s.post('/api/v1/units', unitBody({ code: 'C0030', level: 'province', parent: '04' })), 409, 'level_order');
  assert.deepEqual(params(lo), { level: 'province', parent: '04', parent_level: 'province' });
  const pv = assertError(await s.post('/api/v1/units', unitBody({ code: 'C0031', parent: '27', date: '2025-06-01' })), 409, 'parent_not_valid');
  assert.deepEqual(params(pv), { parent: '27', until: '2025-06-30' });
  assert.equal(pv.message, 'parent 27 closes after 2025-06-30; a unit cannot outlive its parent');
  const closed = assertError(await s.post('/api/v1/units/27/rename', { date: DAY, name_vi: 'A', name_en: 'A' }), 409, 'unit_closed');
  assert.deepEqual(params(closed), { unit: '27', date: DAY, until: '2025-06-30' });
  const first = assertError(await s.post('/api/v1/units/C0040/rename', { date: DAY, name_vi: 'A', name_en: 'A' }), 409, 'date_out_of_range');
  assert.deepEqual(params(first), { unit: 'C0040', date: DAY, from: DAY });
  await s.op('/api/v1/units/C0040/rename', { date: '2025-09-01', name_vi: 'Xã Một', name_en: 'One' }, 200);
  const twice = assertError(await s.post('/api/v1/units/C0040/rename', { date: '2025-09-01', name_vi: 'Xã Hai', name_en: 'Two' }), 409, 'same_day_change');
  assert.deepEqual(params(twice), { what: 'name', date: '2025-09-01' });
  await s.op('/api/v1/units/C0040/move', { date: '2025-09-02', parent: '04' }, 200);
  const two = assertError(await s.post('/api/v1/units/C0040/move', { date: '2025-09-02', parent: '01' }), 409, 'two_parents');
  assert.deepEqual(params(two), { what: 'parent', date: '2025-09-02' });
  const hc = assertError(await s.post('/api/v1/units/04/close', { date: '2025-10-01' }), 409, 'has_children');
  assert.deepEqual(params(hc), { unit: '04', count: 1, date: '2025-10-01' });
  // 401, 403 csrf: no parameters
  assert.deepEqual(params(assertError(await s.get('/api/v1/units', {}, { auth: false }), 401, 'unauthorized')), {});
  const admin = await s.login('admin', s.adminPassword);
  assert.deepEqual(params(assertError(await s.post('/api/v1/tokens', { name: 'x', roles: ['viewer'] }, { cookie: admin.cookie }), 403, 'csrf')), {});
  // 413
  assertError(await s.post('/api/v1/units', unitBody({ note: 'x'.repeat(70 * 1024) })), 413, 'too_large');
  // 429: the minutes to wait
  await s.op('/api/v1/users', userBody({ username: 'code.throttle', password: 'throttle-password' }), 201);
  let r;
  for (let i = 0; i < 6; i++) r = await s.login('code.throttle', 'wrong-password!');
  const tm = assertError(r.r, 429, 'too_many_requests');
  assert.ok(Number.isInteger(tm.minutes) && tm.minutes >= 1 && tm.minutes <= 15, JSON.stringify(tm));
  assert.equal(tm.message, `too many failed attempts: try again in ${tm.minutes} minute(s)`);
  // 422 from a password change: the current password is wrong
  const me = await s.login('code.kind', E3.repeat(10));
  const pw = await invalid('/api/v1/session/password', { current_password: 'not-it-at-all', new_password: 'a-new-password' }, 'wrong current', { cookie: me.cookie, csrf: me.csrf });
  hasDetail(pw, 'current_password', 'wrong_password');
  const sh = await invalid('/api/v1/session/password', { current_password: E3.repeat(10), new_password: 'short' }, 'short new', { cookie: me.cookie, csrf: me.csrf });
  hasDetail(sh, 'new_password', 'too_short', { min: 10 });
});

test('consents: the purpose is counted in characters', async () => {
  // her own consents are changed by her logged in
  const l = await s.login('admin', s.adminPassword);
  const me = { cookie: l.cookie, csrf: l.csrf };
  hasDetail(await invalid('/api/v1/users/admin/consents', { purpose: E3.repeat(201) }, undefined, me), 'purpose', 'too_long', { max: 200 });
  hasDetail(await invalid('/api/v1/users/admin/consents', { date: '2025-02-30' }, undefined, me), 'date', 'not_a_date', { value: '2025-02-30' });
  const made = await s.post('/api/v1/users/admin/consents', { purpose: E3.repeat(200), date: DAY }, me);
  assert.equal(made.status, 201, made.text);
  const ok = made.body;
  assert.ok(ok.items.some((c) => c.purpose === E3.repeat(200)));
  // 600 bytes: the audit row holds all of it (no cut inside a character)
  const audit = await s.ok('/api/v1/audit', { action: 'consent.give' });
  assert.ok(audit.items.some((r) => r.detail.includes(E3.repeat(200))), 'the audit row holds the whole purpose');
});
