// errors.test.js - how the API answers what it cannot do: malformed JSON and
// query strings, bad dates, missing and invalid fields (422 with details),
// unknown units and paths (404), wrong methods (405), oversize bodies and query
// strings (413); and that markup in a name is plain text to a JSON API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './server.js';

let s;
before(async () => { s = await startServer(); });
after(async () => { if (s) await s.stop(); });

const NEW = '2025-07-01';
const good = (extra = {}) => ({ code: 'E0001', name_vi: 'Xã Lỗi', name_en: 'Loi Commune', level: 'commune', parent: '01', date: '2025-08-01', ...extra });

// The events list (newest first) and the communes, to show a refused request changed nothing.
async function state() {
  return {
    events: await s.all('/api/v1/events', {}),
    communes: await s.all('/api/v1/units', { level: 'commune', as_of: '2025-12-01' }),
  };
}

test('malformed JSON: 400 bad_request, nothing created', async () => {
  const before = await state();
  for (const raw of ['{"code":', '{code: "E0001"}', '', 'null x', '{"code":"E0001",}', "{'a':1}"]) {
    const r = await s.request('POST', '/api/v1/units', { raw });
    assertError(r, 400, 'bad_request', `body ${JSON.stringify(raw)}:`);
  }
  assertError(await s.request('POST', '/api/v1/units/01/rename', { raw: '{"date": "2025-08-01", "name_vi": ' }), 400, 'bad_request');
  assertError(await s.request('POST', '/api/v1/units/merge', { raw: '[' }), 400, 'bad_request');
  assertError(await s.request('POST', '/api/v1/units/01/split', { raw: '}' }), 400, 'bad_request');
  assertError(await s.request('POST', '/api/v1/units/01/move', { raw: 'parent=04' }), 400, 'bad_request');
  assertError(await s.request('POST', '/api/v1/units/01/close', { raw: '{"date":"2025-08-01"' }), 400, 'bad_request');
  assert.deepEqual(await state(), before);
});

test('invalid UTF-8 in a body: 400', async () => {
  const raw = Buffer.concat([Buffer.from('{"code":"E0002","name_vi":"X'), Buffer.from([0xff, 0xfe]), Buffer.from('","name_en":"x","level":"commune","parent":"01","date":"2025-08-01"}')]);
  assertError(await s.request('POST', '/api/v1/units', { raw }), 400, 'bad_request');
  assert.equal((await s.get('/api/v1/units/E0002', { as_of: '2025-08-01' })).status, 404);
});

test('a date in a query string that is not YYYY-MM-DD: 400 bad_request', async () => {
  for (const as_of of ['2025-13-01', '2025-02-30', '2025-7-1', '01/07/2025', 'yesterday', '2025-07-01T00:00:00', '20250701', '2025-07-01x']) {
    assertError(await s.get('/api/v1/units', { as_of }), 400, 'bad_request', `as_of=${as_of}`);
  }
  assertError(await s.get('/api/v1/units/24', { as_of: '2025-06-31' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/units/24/children', { as_of: 'x' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/units/24/ancestors', { as_of: 'x' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/units/24/lineage', { as_of: 'x' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/tree', { as_of: '2025-00-10' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/events', { from: '2025-1-1' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/events', { to: 'soon' }), 400, 'bad_request');
});

test('a date in a body that is not YYYY-MM-DD: 422 invalid naming the field, nothing changed', async () => {
  const before = await state();
  const bad = async (path, body, what) => {
    const e = assertError(await s.post(path, body), 422, 'invalid', what);
    assert.ok(e.details.some((d) => d.field === 'date'), `${what}: details name date: ${JSON.stringify(e.details)}`);
  };
  await bad('/api/v1/units', good({ date: '2025-02-30' }), 'body date 2025-02-30');
  await bad('/api/v1/units', good({ date: '1/8/2025' }), 'body date 1/8/2025');
  await bad('/api/v1/units/01/rename', { date: '2025-8-1', name_vi: 'A', name_en: 'A' }, 'rename date');
  await bad('/api/v1/units/01/close', { date: '2025-08-32' }, 'close date');
  assert.deepEqual(await state(), before);
});

test('a missing field: 422 invalid with a detail naming it', async () => {
  const before = await state();
  for (const field of ['code', 'name_vi', 'level']) {
    const body = good();
    delete body[field];
    const e = assertError(await s.post('/api/v1/units', body), 422, 'invalid', `without ${field}`);
    assert.ok(e.details.some((d) => d.field === field), `details name ${field}: ${JSON.stringify(e.details)}`);
  }
  const e = assertError(await s.post('/api/v1/units', { date: '2025-08-01' }), 422, 'invalid');
  const fields = e.details.map((d) => d.field);
  for (const f of ['code', 'name_vi', 'level']) assert.ok(fields.includes(f), `all missing fields are listed: ${fields}`);
  const nop = good();
  delete nop.parent;
  const e2 = assertError(await s.post('/api/v1/units', nop), 422, 'invalid', 'a commune without a parent');
  assert.ok(e2.details.some((d) => d.field === 'parent'), JSON.stringify(e2.details));
  const r = assertError(await s.post('/api/v1/units/01/rename', { date: '2025-08-01', name_en: 'X' }), 422, 'invalid');
  assert.ok(r.details.some((d) => d.field === 'name_vi'), JSON.stringify(r.details));
  const m = assertError(await s.post('/api/v1/units/01/move', { date: '2025-08-01' }), 422, 'invalid');
  assert.ok(m.details.some((d) => d.field === 'parent'), JSON.stringify(m.details));
  const g = assertError(await s.post('/api/v1/units/merge', { date: '2025-08-01', sources: ['01', '04'] }), 422, 'invalid');
  assert.ok(g.details.some((d) => d.field === 'into'), JSON.stringify(g.details));
  const sp = assertError(await s.post('/api/v1/units/01/split', { date: '2025-08-01' }), 422, 'invalid');
  assert.ok(sp.details.some((d) => d.field === 'into'), JSON.stringify(sp.details));
  assert.deepEqual(await state(), before);
});

test('a field of the wrong type, too long or not allowed: 422 invalid naming the field', async () => {
  const before = await state();
  const cases = [
    ['name_vi', { name_vi: 5 }],
    ['name_vi', { name_vi: '' }],
    ['name_vi', { name_vi: 'x'.repeat(201) }],
    ['name_vi', { name_vi: 'Xã ' + 'ễ'.repeat(199) }],
    ['name_en', { name_en: ['a'] }],
    ['code', { code: 12 }],
    ['code', { code: 'E 0001' }],
    ['code', { code: 'E/0001' }],
    ['code', { code: 'E'.repeat(33) }],
    ['code', { code: '' }],
    ['level', { level: 'planet' }],
    ['level', { level: 3 }],
    ['kind', { kind: 'company' }],
    ['attributes', { attributes: ['volcano'] }],
    ['attributes', { attributes: 'border' }],
    ['note', { note: 'n'.repeat(501) }],
    ['parent', { parent: 7 }],
  ];
  for (const [field, extra] of cases) {
    const e = assertError(await s.post('/api/v1/units', good(extra)), 422, 'invalid', JSON.stringify(extra).slice(0, 80));
    assert.ok(e.details.some((d) => d.field === field), `${JSON.stringify(extra).slice(0, 80)}: details name ${field}: ${JSON.stringify(e.details)}`);
  }
  // a JSON value that is not an object
  for (const body of [[1, 2], 'text', 42]) {
    const r = await s.post('/api/v1/units', body);
    assert.ok([400, 422].includes(r.status), `body ${JSON.stringify(body)} -> ${r.status}`);
  }
  const e = assertError(await s.post('/api/v1/units/01/rename', { date: '2025-08-01', name_vi: 'x'.repeat(201), name_en: 'x' }), 422, 'invalid');
  assert.ok(e.details.some((d) => d.field === 'name_vi'));
  const m = assertError(await s.post('/api/v1/units/merge', { date: '2025-08-01', sources: '01', into: '04' }), 422, 'invalid');
  assert.ok(m.details.some((d) => d.field === 'sources'), JSON.stringify(m.details));
  const into = assertError(await s.post('/api/v1/units/merge', { date: '2025-08-01', sources: ['01', '04'], into: { code: 'E0009', name_vi: '', name_en: 'x', level: 'province' } }), 422, 'invalid');
  assert.ok(into.details.some((d) => /name_vi/.test(d.field) || (d.field === 'into' && /name_vi/.test(d.message))), JSON.stringify(into.details));
  assert.deepEqual(await state(), before);
  // the limits themselves are accepted: 200 characters, 32-character code, 500-character note
  const ok = await s.op('/api/v1/units', good({ code: 'E'.repeat(32), name_vi: 'ễ'.repeat(200), note: 'n'.repeat(500) }), 201);
  assert.equal(ok.name_vi, 'ễ'.repeat(200));
});

test('an unknown unit: 404 not_found', async () => {
  const cases = [
    ['/api/v1/units/ZZZZ', {}],
    ['/api/v1/units/27', { as_of: NEW }],
    ['/api/v1/units/24', { as_of: '1900-01-01' }],
    ['/api/v1/units/id:999999', {}],
    ['/api/v1/units/ZZZZ/children', {}],
    ['/api/v1/units/ZZZZ/ancestors', {}],
    ['/api/v1/units/ZZZZ/lineage', {}],
    ['/api/v1/units/27/lineage', { as_of: NEW }],
    ['/api/v1/tree', { root: 'ZZZZ' }],
    ['/api/v1/units', { parent: 'ZZZZ' }],
    ['/api/v1/events', { unit: 'ZZZZ' }],
  ];
  for (const [p, q] of cases) {
    const e = assertError(await s.get(p, q), 404, 'not_found', `${p} ${JSON.stringify(q)}`);
    assert.ok(e.message.length > 0);
  }
});

test('an unknown path: 404 not_found', async () => {
  for (const p of ['/api/v1/nothing', '/api/v1/units/24/nothing', '/api/v2/units', '/api/v1/units/24/children/more', '/api/v1/', '/api/v1']) {
    assertError(await s.get(p), 404, 'not_found', p);
  }
  assertError(await s.post('/api/v1/nothing', {}), 404, 'not_found');
});

test('a known path with the wrong method: 405 method_not_allowed', async () => {
  const wrong = [];
  const cases = [
    ['DELETE', '/api/v1/units'], ['PUT', '/api/v1/units'], ['PATCH', '/api/v1/units/24'], ['DELETE', '/api/v1/units/24'],
    ['POST', '/api/v1/units/24'], ['POST', '/api/v1/levels'], ['POST', '/api/v1/tree'], ['POST', '/api/v1/events'],
    ['GET', '/api/v1/units/24/rename'], ['GET', '/api/v1/units/24/move'], ['GET', '/api/v1/units/24/close'],
    ['GET', '/api/v1/units/24/split'], ['POST', '/api/v1/units/24/children'], ['POST', '/api/v1/units/24/lineage'],
    ['POST', '/api/v1/units/24/ancestors'], ['POST', '/api/v1/openapi.json'], ['PUT', '/api/v1/units/merge'],
    ['POST', '/healthz'], ['PUT', '/healthz'], ['DELETE', '/healthz'],
  ];
  for (const [method, p] of cases) {
    const r = await s.request(method, p, { ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }), validate: false });
    if (r.status !== 405) { wrong.push(`${method} ${p} -> ${r.status}`); continue; }
    await s.request(method, p, method === 'GET' || method === 'DELETE' ? {} : { body: {} }).then((x) => assertError(x, 405, 'method_not_allowed', `${method} ${p}`));
  }
  assert.deepEqual(wrong, [], 'every wrong method answers 405');
});

test('a body over 64 KiB: 413 too_large, nothing created', async () => {
  const before = await state();
  const big = good({ code: 'E0003', note: 'x'.repeat(70 * 1024) });
  assertError(await s.post('/api/v1/units', big), 413, 'too_large');
  const raw = '{"date":"2025-08-01","name_vi":"A","name_en":"A","pad":"' + ' '.repeat(65 * 1024) + '"}';
  assertError(await s.request('POST', '/api/v1/units/01/rename', { raw }), 413, 'too_large');
  assert.deepEqual(await state(), before);
  // just under the limit is read (and then judged on its content)
  const under = '{"code":"E0004","name_vi":"Xã Dưới","name_en":"Duoi Commune","level":"commune","parent":"01","date":"2025-08-01"' +
    ' '.repeat(60 * 1024) + '}';
  const r = await s.request('POST', '/api/v1/units', { raw: under });
  assert.equal(r.status, 201, r.text.slice(0, 300));
});

test('a query string over 4 KiB: 413 too_large', async () => {
  assertError(await s.get('/api/v1/units', { q: 'a'.repeat(5000) }), 413, 'too_large');
  assertError(await s.get('/api/v1/units/24', { as_of: NEW, pad: 'b'.repeat(4200) }), 413, 'too_large');
  assertError(await s.get('/api/v1/events', { cursor: 'c'.repeat(8000) }), 413, 'too_large');
  const r = await s.get('/api/v1/units', { q: 'a'.repeat(3000) });
  assert.notEqual(r.status, 413, 'a 3 KB query string is within the limit');
});

test('query parameters out of bounds or malformed: 400 bad_request', async () => {
  // not a number, or a cursor the server never gave: malformed query string
  for (const [p, q] of [['/api/v1/units', { limit: 'ten' }], ['/api/v1/units', { limit: '1.5' }], ['/api/v1/units', { limit: '10abc' }],
    ['/api/v1/units', { cursor: 'not-a-cursor' }], ['/api/v1/events', { cursor: '!!' }], ['/api/v1/units/VN/children', { cursor: 'zz' }],
    ['/api/v1/tree', { depth: 'deep' }], ['/api/v1/events', { limit: 'x' }]]) {
    assertError(await s.get(p, q), 400, 'bad_request', `${p} ${JSON.stringify(q)}`);
  }
  // out of the documented bounds or not one of the allowed words: a malformed query string too
  for (const [p, q] of [['/api/v1/units', { limit: 0 }], ['/api/v1/units', { limit: 501 }], ['/api/v1/units', { limit: -1 }],
    ['/api/v1/units', { sort: 'size' }], ['/api/v1/units/VN/children', { limit: 0 }], ['/api/v1/units/VN/children', { sort: 'x' }],
    ['/api/v1/events', { limit: 501 }], ['/api/v1/tree', { depth: 0 }], ['/api/v1/tree', { depth: 7 }],
    ['/api/v1/units', { level: 'Province' }], ['/api/v1/units', { level: 'commune;' }]]) {
    assertError(await s.get(p, q), 400, 'bad_request', `${p} ${JSON.stringify(q)}`);
  }
  // a well-formed level key that no level has: nothing to list
  assert.deepEqual((await s.ok('/api/v1/units', { level: 'planet' })).items, []);
  // the bounds themselves are fine
  assert.equal((await s.ok('/api/v1/units', { limit: 500, as_of: NEW })).items.length, 35);
  assert.equal((await s.ok('/api/v1/units', { limit: 1, as_of: NEW })).items.length, 1);
  await s.ok('/api/v1/tree', { depth: 1 });
  await s.ok('/api/v1/tree', { depth: 6 });
});

test('markup in a name is stored and returned verbatim as JSON text', async () => {
  const name_vi = '<script>alert("xã")</script> & <b>Hội</b> \'q\' </textarea>';
  const name_en = '<img src=x onerror=alert(1)> &amp; "\\u003c" \u2028';
  const u = await s.op('/api/v1/units', good({ code: 'E0005', name_vi, name_en, note: '<i>ghi chú</i>' }), 201);
  assert.equal(u.name_vi, name_vi);
  assert.equal(u.name_en, name_en);
  const got = await s.ok('/api/v1/units/E0005', { as_of: '2025-08-01' });
  assert.equal(got.name_vi, name_vi);
  assert.equal(got.name_en, name_en);
  assert.equal(got.events[0].note, '<i>ghi chú</i>');
  const list = await s.ok('/api/v1/units', { q: 'script', as_of: '2025-08-01' });
  assert.ok(list.items.some((x) => x.name_vi === name_vi));
  const r = await s.get('/api/v1/units/E0005', { as_of: '2025-08-01' });
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.ok(!r.text.includes('&lt;'), 'no HTML escaping in JSON');
  const renamed = await s.op('/api/v1/units/E0005/rename', { date: '2025-09-01', name_vi: '"><svg onload=alert(1)>', name_en: '</script>' }, 200);
  assert.equal(renamed.name_vi, '"><svg onload=alert(1)>');
  assert.equal(renamed.name_en, '</script>');
});

test('names arriving in NFD are stored in NFC', async () => {
  const u = await s.op('/api/v1/units', good({ code: 'E0006', name_vi: 'Xã Quỳnh Lưu'.normalize('NFD') }), 201);
  assert.equal(u.name_vi, 'Xã Quỳnh Lưu'.normalize('NFC'));
});
