// utf8.test.js - a path or a query argument that is not valid UTF-8 (issue
// 13, finding 6): surrogates (%ED%A0%80 = U+D800), overlong forms
// (%E0%80%80, %C0%AF), code points above U+10FFFF (%F4%90%80%80), bytes
// that start no character (%FF, %80) and a sequence cut short (%E1%BB).
// Each answers 400 bad_request with a detail {field, code: "not_text"}
// naming the argument (or "path"), on SQLite and on PostgreSQL, never 500
// (once "out of memory": the error echoed the bytes and JSON refused them;
// on PostgreSQL the store's own error text). Valid UTF-8 beyond ASCII is
// still accepted everywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './server.js';

let s;
before(async () => { s = await startServer(); });
after(async () => { if (s) await s.stop(); });

const BAD = ['%ED%A0%80', '%ED%BF%BF', '%E0%80%80', '%C0%AF', '%F0%8F%BF%BF', '%F4%90%80%80', '%F5%80%80%80', '%FF', '%80', '%E1%BB'];
const DAY = '2025-08-01';

// Asserts the 400 and its detail on field; returns the error.
function notText(r, field, what) {
  const e = assertError(r, 400, 'bad_request', what);
  const d = e.details.filter((x) => x.field === field);
  assert.equal(d.length, 1, `${what}: one detail on ${field}: ${JSON.stringify(e)}`);
  assert.equal(d[0].code, 'not_text', `${what}: ${JSON.stringify(d[0])}`);
  assert.doesNotMatch(r.text, /out of memory/);
  return e;
}

test('a unit reference in the path that is not UTF-8: 400, every route', async () => {
  for (const b of BAD) {
    for (const tail of ['', '/children', '/ancestors', '/lineage']) {
      const p = `/api/v1/units/${b}${tail}`;
      notText(await s.get(p), 'path', `GET ${p}`);
      notText(await s.get(`/api/v1/units/x${b}y${tail}`, { as_of: DAY }), 'path', `GET ${p} in a code`);
    }
    for (const [op, body] of [['rename', { date: DAY, name_vi: 'Xã A', name_en: 'A' }], ['move', { date: DAY, parent: '01' }],
      ['close', { date: DAY }], ['attributes', { date: DAY, attributes: [] }], ['split', { date: DAY, into: [] }]]) {
      notText(await s.post(`/api/v1/units/${b}/${op}`, body), 'path', `POST ${op} ${b}`);
    }
    for (const op of ['disable', 'enable', 'erase']) {
      notText(await s.post(`/api/v1/users/${b}/${op}`, undefined), 'path', `POST users ${op} ${b}`);
    }
    notText(await s.get(`/api/v1/users/${b}/export`), 'path', `GET users export ${b}`);
    notText(await s.get(`/api/v1/users/${b}/consents`), 'path', `GET users consents ${b}`);
    notText(await s.post(`/api/v1/users/${b}/consents`, { purpose: 'x', granted: true }), 'path', `POST users consents ${b}`);
    notText(await s.request('DELETE', `/api/v1/tokens/${b}`), 'path', `DELETE tokens ${b}`);
  }
});

test('a query argument that is not UTF-8: 400 naming it, every endpoint', async () => {
  const args = {
    '/api/v1/units': ['parent', 'level', 'q', 'sort', 'cursor', 'as_of', 'limit'],
    '/api/v1/units/01': ['as_of'],
    '/api/v1/units/01/children': ['as_of', 'cursor', 'sort', 'limit'],
    '/api/v1/units/01/ancestors': ['as_of'],
    '/api/v1/units/24/lineage': ['as_of'],
    '/api/v1/tree': ['root', 'as_of', 'depth'],
    '/api/v1/events': ['unit', 'cursor', 'from', 'to', 'as_of', 'limit'],
    '/api/v1/audit': ['unit', 'user', 'record_type', 'record_id', 'action', 'from', 'to', 'cursor', 'limit'],
    '/api/v1/levels': ['anything'],
    '/api/v1/users': ['anything'],
    '/api/v1/tokens': ['anything'],
    '/api/v1/session': ['anything'],
    '/api/v1/openapi.json': ['anything'],
  };
  for (const [p, names] of Object.entries(args)) {
    for (const name of names) {
      for (const b of BAD) {
        const e = notText(await s.get(p, `${name}=a${b}b`), name, `GET ${p}?${name}=a${b}b`);
        assert.equal(e.arg, name, `GET ${p}?${name}: the error names the argument`);
      }
    }
  }
  // with a valid argument before it, and a write's query string too
  notText(await s.get('/api/v1/units', `level=commune&parent=%ED%A0%80`), 'parent', 'second argument');
  notText(await s.post('/api/v1/units/01/rename?note=%F4%90%80%80', { date: DAY, name_vi: 'Xã A', name_en: 'A' }), 'note', 'POST query');
});

test('a NUL byte in a query argument or its name: 400 not_text, not a value cut short', async () => {
  // "q=ab%00cd" once searched for "ab"
  for (const [p, name] of [['/api/v1/units', 'q'], ['/api/v1/members', 'q'], ['/api/v1/members', 'unit'],
    ['/api/v1/reports/members', 'as_of'], ['/api/v1/audit', 'action']]) {
    const e = notText(await s.get(p, `${name}=ab%00cd`), name, `GET ${p}?${name}=ab%00cd`);
    assert.equal(e.arg, name);
    assert.match(e.message, /control characters/);
  }
  const e = assertError(await s.get('/api/v1/units', 'q%00x=1'), 400, 'bad_request', 'a NUL in a name');
  assert.equal(e.details[0].code, 'not_text');
  // in the path: "/units/01%00/children" once answered unit 01 itself
  for (const p of ['/api/v1/units/01%00/children', '/api/v1/units/01%00zz', '/api/v1/units/%00', '/api/v1/members/1%00']) {
    const x = notText(await s.get(p), 'path', `GET ${p}`);
    assert.match(x.message, /control characters/);
  }
  notText(await s.post('/api/v1/units/01%00/rename', { date: DAY, name_vi: 'Xã A', name_en: 'A' }), 'path', 'POST with %00 in the path');
});

test('a query argument given twice: 400 naming it (which value counted was nowhere said)', async () => {
  for (const [p, q] of [['/api/v1/units', 'level=commune&level=branch'], ['/api/v1/members', 'unit=01&unit=24'], ['/api/v1/units', 'q=a&as_of=2025-08-01&q=b']]) {
    const e = assertError(await s.get(p, q), 400, 'bad_request', `${p}?${q}`);
    assert.deepEqual(e.details.map((d) => d.code), ['duplicate']);
    assert.equal(e.arg, q.split('=')[0]);
  }
});

test('a JSON body with a NUL in a string: 400 in words, not the JSON library\'s flag', async () => {
  const r = await s.request('POST', '/api/v1/units', { raw: '{"code":"X\\u0000","name_vi":"a"}', contentType: 'application/json' });
  const e = assertError(r, 400, 'bad_request');
  assert.doesNotMatch(e.message, /JSON_ALLOW_NUL/);
  assert.match(e.message, /U\+0000/);
});

test('a query argument whose name is not UTF-8: 400', async () => {
  for (const b of BAD) {
    const e = assertError(await s.get('/api/v1/units', `${b}=1`), 400, 'bad_request', `name ${b}`);
    assert.equal(e.details.length, 1, JSON.stringify(e));
    assert.equal(e.details[0].code, 'not_text');
  }
});

test('the audit filters on PostgreSQL and SQLite: 400, not the store\'s error', async () => {
  for (const name of ['unit', 'user', 'record_type', 'record_id', 'action', 'cursor']) {
    const r = await s.get('/api/v1/audit', `${name}=%ED%A0%80`);
    const e = notText(r, name, `audit ${name}`);
    assert.doesNotMatch(e.message, /encoding|UTF8|byte sequence/i);
  }
});

test('valid UTF-8 beyond ASCII is still accepted', async () => {
  // a code that does not exist: 404 naming it as sent
  const e = assertError(await s.get('/api/v1/units/%E1%BB%85'), 404, 'not_found', 'ễ');
  assert.equal(e.ref, 'ễ');
  // four-byte and boundary code points: U+D7FF, U+E000, U+10FFFF
  for (const c of ['%ED%9F%BF', '%EE%80%80', '%F4%8F%BF%BF', '%F0%9F%98%80']) {
    assertError(await s.get(`/api/v1/units/${c}`), 404, 'not_found', c);
    assert.equal((await s.get('/api/v1/units', `q=${c}`)).status, 200, `q=${c}`);
  }
  const r = await s.get('/api/v1/units', { q: 'Nguyễn Đào', level: 'commune' });
  assert.equal(r.status, 200);
  assert.equal((await s.get('/api/v1/audit', { record_id: 'người' })).status, 200);
  // a user who does not exist: 404 naming her as sent
  assertError(await s.get('/api/v1/audit', { user: 'người' }), 404, 'not_found', 'audit user');
});

test('the server logged no internal error', async () => {
  // requests of its own, one of each kind the tests above send, so that the
  // log holds something to check when this test runs alone (in file order
  // it holds theirs too)
  for (const b of BAD) {
    notText(await s.get(`/api/v1/units/${b}/children`), 'path', `GET children ${b}`);
    notText(await s.post(`/api/v1/units/${b}/rename`, { date: DAY, name_vi: 'Xã A', name_en: 'A' }), 'path', `POST rename ${b}`);
    notText(await s.post(`/api/v1/users/${b}/consents`, { purpose: 'x', granted: true }), 'path', `POST users consents ${b}`);
    notText(await s.get('/api/v1/units', `q=a${b}b`), 'q', `GET units q ${b}`);
    notText(await s.get('/api/v1/audit', `user=a${b}b`), 'user', `GET audit user ${b}`);
    assertError(await s.get('/api/v1/units', `${b}=1`), 400, 'bad_request', `name ${b}`);
  }
  notText(await s.get('/api/v1/members', 'q=ab%00cd'), 'q', 'a NUL in a query argument');
  notText(await s.get('/api/v1/units/01%00/children'), 'path', 'a NUL in the path');
  assertError(await s.request('POST', '/api/v1/units', { raw: '{"code":"X\\u0000","name_vi":"a"}', contentType: 'application/json' }), 400, 'bad_request');
  // internal errors are logged as "unionbase: METHOD PATH: message"
  assert.doesNotMatch(s.log, /^unionbase: (GET|POST|DELETE) /m);
  assert.doesNotMatch(s.log, /out of memory|invalid byte sequence/i);
});

// Found with tests/fuzz/fuzz_json's property "a string read is within its
// length in NFC": U+0958 (DEVANAGARI LETTER QA) is one code point as sent
// and two in NFC (it is excluded from composition), so a field within its
// bound as sent could be twice as long as the store keeps text. Lengths
// are counted in NFC (docs/api.md).
test('lengths are counted in NFC, also where NFC is longer than the text as sent', async () => {
  const QA = '\u0958';
  assert.equal(QA.normalize('NFC').length, 2);
  let e = assertError(await s.post('/api/v1/units/01/rename', { date: '2025-08-02', name_vi: 'Thành phố Hà Nội', name_en: 'Ha Noi City', note: QA.repeat(400) }), 422, 'invalid', 'note');
  assert.deepEqual(e.details.filter((d) => d.field === 'note').map((d) => [d.code, d.max]), [['too_long', 500]]);
  const l = await s.login('admin', s.adminPassword); // tokens are made logged in
  e = assertError(await s.post('/api/v1/tokens', { name: QA.repeat(60), roles: ['viewer'] }, { cookie: l.cookie, csrf: l.csrf }), 422, 'invalid', 'token name');
  assert.deepEqual(e.details.filter((d) => d.field === 'name').map((d) => [d.code, d.max]), [['too_long', 100]]);
  e = assertError(await s.post('/api/v1/units', { code: 'QA001', name_vi: QA.repeat(150), name_en: 'Qa', level: 'commune', parent: '01', date: DAY }), 422, 'invalid', 'name_vi');
  assert.deepEqual(e.details.filter((d) => d.field === 'name_vi').map((d) => [d.code, d.max]), [['too_long', 200]]);
  // within the bound in NFC: accepted
  const r = await s.post('/api/v1/units', { code: 'QA002', name_vi: QA.repeat(100), name_en: 'Qa', level: 'commune', parent: '01', date: DAY });
  assert.equal(r.status, 201, r.text.slice(0, 300));
  assert.equal([...r.body.name_vi].length, 200);
});

test('a path that is not UTF-8 is 400 whatever the method, never a 405 that echoes it (found by review)', async () => {
  for (const [m, p] of [['PUT', '/api/v1/units/%ff%fe'], ['GET', '/api/v1/units/%ff/rename'], ['PATCH', '/api/v1/units/%e0%80%80'],
    ['GET', '/api/v1/users/admin/sessions/%ed%a0%80']]) {
    const r = await s.request(m, p, { auth: false, validate: false, ...(m === 'GET' ? {} : { body: {} }) });
    assert.equal(r.status, 400, `${m} ${p}: ${r.text}`);
    assert.equal(r.body.error.code, 'bad_request');
    assert.ok(r.body.error.details.some((d) => d.field === 'path' && d.code === 'not_text'), r.text);
  }
});
