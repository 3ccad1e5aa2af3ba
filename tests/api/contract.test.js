// contract.test.js - the OpenAPI document itself: served by the program and
// equal to src/api/openapi.json, well formed (every $ref resolves, every schema
// compiles in Ajv's strict mode, examples match their schemas), in step with
// docs/api.md, and exercised: every operation it describes is called here with
// a valid request and answers a documented 2xx whose body matches its schema.
// Security is declared: every operation needs a caller (bearer token or session
// cookie, plus the CSRF header for state-changing ones) except the public
// three, and documents the 401 and 403 it can give.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, REPO } from './server.js';
import { Contract, METHODS } from './openapi.js';

const FILE = path.join(REPO, 'src', 'api', 'openapi.json');
// the operations that answer without a caller
const PUBLIC = new Set(['get /healthz', 'get /api/v1/openapi.json', 'post /api/v1/session', 'get /verify/{token}']);
const API_MD = path.join(REPO, 'docs', 'api.md');

let s;
let doc;
before(async () => {
  s = await startServer();
  doc = s.doc;
});
after(async () => { if (s) await s.stop(); });

function walk(v, fn, where = '#') {
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, fn, `${where}/${i}`));
  else if (v && typeof v === 'object') {
    fn(v, where);
    for (const [k, x] of Object.entries(v)) walk(x, fn, `${where}/${k}`);
  }
}

test('GET /api/v1/openapi.json serves src/api/openapi.json', async () => {
  const r = await s.get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  const file = JSON.parse(fs.readFileSync(FILE, 'utf8'));
  assert.deepEqual(r.body, file, 'the served document is the source file (rebuild after editing it)');
  assert.equal(r.body.openapi, '3.1.0');
});

test('GET /healthz', async () => {
  const r = await s.get('/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.ok(Number.isInteger(r.body.schema_version) && r.body.schema_version >= 1);
});

test('the document is well formed', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.info.title && doc.info.version);
  // every $ref resolves
  walk(doc, (o, where) => {
    if (typeof o.$ref === 'string') {
      assert.match(o.$ref, /^#\//, `${where}: only local refs`);
      const target = o.$ref.slice(2).split('/').reduce((x, p) => x?.[p.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      assert.ok(target !== undefined, `${where}: $ref ${o.$ref} does not resolve`);
    }
  });
  // every schema compiles in strict mode, every response and request body too
  const c = new Contract(doc);
  c.compileAll();
  const tags = new Set((doc.tags || []).map((t) => t.name));
  const ids = new Set();
  for (const { template, method, op } of c.operations()) {
    const where = `${method.toUpperCase()} ${template}`;
    assert.ok(op.operationId, `${where}: operationId`);
    assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} is unique`);
    ids.add(op.operationId);
    assert.ok(op.summary, `${where}: summary`);
    for (const t of op.tags || []) assert.ok(tags.has(t), `${where}: tag ${t} is declared`);
    const statuses = Object.keys(op.responses);
    assert.ok(statuses.some((x) => /^2\d\d$/.test(x)), `${where}: a 2xx response`);
    assert.ok(statuses.includes('413') && statuses.includes('500'), `${where}: 413 and 500 are documented`);
    // a path or query argument that is not UTF-8 answers 400 on every API operation (utf8.test.js)
    if (template.startsWith('/api/')) assert.ok(statuses.includes('400'), `${where}: 400 is documented`);
    for (const st of statuses) {
      const resp = c.resolve(op.responses[st]);
      assert.ok(resp.description, `${where} ${st}: description`);
      // a download's 2xx is a file of its types; every other answer JSON
      const file = /^2/.test(st) && resp.content && !resp.content['application/json'];
      if (file) assert.ok(Object.keys(resp.content).length, `${where} ${st}: the file's types`);
      else assert.ok(resp.content?.['application/json']?.schema, `${where} ${st}: a JSON schema`);
    }
    // a POST takes a required body, or none at all (an action such as /disable)
    if (method === 'post' && op.requestBody) assert.ok(op.requestBody.required, `${where}: a request body is required when there is one`);
    if (method === 'post' && !op.requestBody) assert.match(template, /\/(disable|enable|erase|password-reset)$/, `${where}: a request body`);
    // security: the document's default (a caller) unless the operation is public
    const security = op.security ?? doc.security;
    const isPublic = PUBLIC.has(`${method} ${template}`);
    if (isPublic) {
      assert.deepEqual(op.security, [], `${where}: public, security []`);
    } else {
      assert.ok(Array.isArray(security) && security.length >= 2, `${where}: needs a caller (bearer or session)`);
      for (const req of security) for (const name of Object.keys(req)) assert.ok(doc.components.securitySchemes[name], `${where}: security scheme ${name} is declared`);
      assert.ok(security.some((r) => Object.keys(r).length === 1 && 'bearerToken' in r), `${where}: an API token alone is enough`);
      const bySession = security.find((r) => 'sessionCookie' in r);
      assert.ok(bySession, `${where}: a session cookie is accepted`);
      if (['post', 'put', 'patch', 'delete'].includes(method)) {
        assert.ok('csrfHeader' in bySession, `${where}: a state-changing request with the cookie needs X-CSRF-Token`);
        assert.ok(statuses.includes('403'), `${where}: 403 (csrf) is documented`);
        assert.ok(c.resolve(op.responses['403']).content['application/json'].schema, `${where}: 403 schema`);
      } else {
        assert.ok(!('csrfHeader' in bySession), `${where}: a read needs no CSRF header`);
      }
      assert.ok(statuses.includes('401'), `${where}: 401 is documented`);
    }
    // path parameters declared exactly once, matching the template
    const params = [...(doc.paths[template].parameters || []), ...(op.parameters || [])].map((p) => c.resolve(p));
    const inPath = params.filter((p) => p.in === 'path').map((p) => p.name).sort();
    const inTemplate = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(inPath, inTemplate, `${where}: path parameters`);
    for (const p of params) {
      assert.ok(p.schema, `${where}: parameter ${p.name} has a schema`);
      if (p.in === 'path') assert.equal(p.required, true);
    }
    const names = params.map((p) => `${p.in}:${p.name}`);
    assert.equal(new Set(names).size, names.length, `${where}: no parameter twice`);
  }
  for (const name of ['Unit', 'UnitDetail', 'Event', 'UnitList', 'Lineage', 'Tree', 'TreeNode', 'Level', 'LevelList', 'EventList', 'Error', 'Ancestors', 'MergeResult', 'SplitResult',
    'User', 'UserList', 'Token', 'TokenList', 'TokenCreated', 'AuditRow', 'AuditList', 'LoginResult', 'SessionInfo']) {
    assert.ok(doc.components.schemas[name], `components/schemas/${name}`);
  }
  for (const name of ['BadRequest', 'NotFound', 'MethodNotAllowed', 'Conflict', 'TooLarge', 'Invalid', 'Internal', 'Unauthorized', 'Forbidden', 'TooManyRequests', 'Unavailable']) {
    assert.ok(doc.components.responses[name], `components/responses/${name}`);
  }
  // the security schemes: the session cookie, its CSRF header, bearer tokens
  const sch = doc.components.securitySchemes;
  assert.deepEqual({ type: sch.sessionCookie.type, in: sch.sessionCookie.in, name: sch.sessionCookie.name }, { type: 'apiKey', in: 'cookie', name: 'ub_session' });
  assert.deepEqual({ type: sch.csrfHeader.type, in: sch.csrfHeader.in, name: sch.csrfHeader.name }, { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' });
  assert.deepEqual({ type: sch.bearerToken.type, scheme: sch.bearerToken.scheme }, { type: 'http', scheme: 'bearer' });
  // log-in: 429 with Retry-After, 503 when no hashing slot is free
  const login = doc.paths['/api/v1/session'].post;
  assert.ok(c.resolve(login.responses['429']).headers['Retry-After'].required, 'log-in 429 has a Retry-After header');
  assert.ok(login.responses['503'], 'log-in documents 503');
  // the error codes of 401 and 403
  const codesOf = (name) => {
    const s = doc.components.schemas[name].allOf[1].properties.error.properties.code;
    return s.enum || [s.const];
  };
  assert.deepEqual(codesOf('UnauthorizedError').sort(), ['session_expired', 'unauthorized']);
  assert.deepEqual(codesOf('ForbiddenError').sort(), ['children_out_of_scope', 'csrf', 'forbidden', 'managed_from_above', 'national_only', 'own_report', 'password_change_required', 'session_required']);
  assert.deepEqual(codesOf('RoleForbiddenError').sort(), ['forbidden', 'password_change_required']);
});

test('the examples in the document match their schemas', () => {
  const c = new Contract(doc);
  let n = 0;
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    for (const ex of schema.examples || []) {
      const v = c.ajv.getSchema('urn:unionbase:schemas:' + name);
      assert.ok(v(ex), `example of ${name}: ${c.ajv.errorsText(v.errors)}`);
      n++;
    }
  }
  assert.ok(n >= 5, 'request bodies have examples');
  // the objects shown in docs/api.md are valid
  const unit = {
    id: 25, code: '24', name_vi: 'Bắc Ninh', name_en: 'Bac Ninh', level: 'province', kind: 'territorial', attributes: ['border'],
    valid_from: '2025-07-01', valid_until: null, parent: { id: 1, code: 'VN', name_vi: 'Trung ương Hội LHPN Việt Nam', name_en: 'Central Union' }, child_count: 3,
  };
  const event = { id: 7, kind: 'merge', date: '2025-07-01', note: 'Nghị quyết 202/2025/QH15',
    sources: [{ id: 24, code: '24', name_vi: 'Bắc Giang' }, { id: 27, code: '27', name_vi: 'Bắc Ninh' }],
    targets: [{ id: 70, code: '24', name_vi: 'Bắc Ninh' }] };
  const check = (name, v) => {
    const f = c.ajv.getSchema('urn:unionbase:schemas:' + name);
    assert.ok(f(v), `${name}: ${c.ajv.errorsText(f.errors)}`);
  };
  const refuse = (name, v, why) => assert.ok(!c.ajv.getSchema('urn:unionbase:schemas:' + name)(v), `${name} must refuse ${why}`);
  check('Unit', unit);
  check('Event', event);
  check('Error', { error: { code: 'not_found', message: 'no unit with code 99 on 2025-07-01', ref: '99', date: '2025-07-01', details: [] } });
  check('InvalidError', { error: { code: 'invalid', message: 'bad', details: [{ field: 'name_vi', code: 'required', message: 'is required' }] } });
  check('InvalidError', { error: { code: 'invalid', message: 'the request has invalid fields', details: [
    { field: 'display_name', code: 'too_long', max: 200, message: 'is too long (at most 200 characters)' },
    { field: 'parent', code: 'not_found', value: 'zzz', date: '2026-12-01', message: 'no unit with code zzz on 2026-12-01' }] } });
  check('Lineage', { unit, predecessors: [{ unit, depth: 1, event }], successors: [] });
  check('Tree', { as_of: '2025-07-01', root: { ...unit, children: [{ ...unit, children: [] }] } });
  check('UnitDetail', { ...unit, names: [{ name_vi: 'Bắc Ninh', name_en: 'Bac Ninh', valid_from: '2025-07-01', valid_until: null }],
    attribute_history: [{ attributes: ['border'], valid_from: '2025-07-01', valid_until: null }],
    parents: [{ parent: unit.parent, valid_from: '2025-07-01', valid_until: null }], events: [event] });
  refuse('Unit', { ...unit, extra: 1 }, 'an unknown property');
  refuse('Unit', { ...unit, valid_from: '2025-02-30' }, 'an impossible date');
  refuse('Unit', { ...unit, kind: 'company' }, 'an unknown kind');
  refuse('Unit', (({ child_count, ...u }) => u)(unit), 'a missing child_count');
  refuse('Event', { ...event, kind: 'create' }, 'a create with sources');
  refuse('UnitList', { as_of: '2025-07-01', items: [unit] }, 'a list without next');
  refuse('InvalidError', { error: { code: 'invalid', message: 'bad', details: [] } }, 'invalid without details');
  refuse('InvalidError', { error: { code: 'invalid', message: 'bad', details: [{ field: 'name_vi', message: 'is required' }] } }, 'a detail without a code');
  refuse('InvalidError', { error: { code: 'invalid', message: 'bad', details: [{ field: 'name_vi', code: 'too_long', message: 'is too long' }] } }, 'too_long without max');
  refuse('InvalidError', { error: { code: 'invalid', message: 'bad', details: [{ field: 'name_vi', code: 'required', max: 3, message: 'is required' }] } }, 'a parameter its code does not have');
  refuse('Error', { error: { code: 'method_not_allowed', message: 'x', details: [] } }, 'method_not_allowed without method and path');
  refuse('ConflictError', { error: { code: 'not_found', message: 'x', details: [] } }, 'a 409 with another code');
  // the objects of the authentication section of docs/api.md
  const user = { id: 2, username: 'lan.bn', display_name: 'Nguyễn Thị Lan', unit: { id: 90, code: '24', name_vi: 'Bắc Ninh' }, roles: ['admin'], disabled: false, erased: false, must_change_password: false, created_at: '2025-07-01T08:30:00Z' };
  const token = { id: 3, name: 'export', roles: ['viewer'], created_at: '2025-07-01T08:30:00Z', expires_at: null, last_used_at: null, revoked_at: null };
  const row = { id: 9, at: '2025-07-01T08:30:00Z', user: 'admin', client_addr: '127.0.0.1', action: 'unit.rename', unit: { id: 90, code: '24', name_vi: 'Bắc Ninh' },
    record_type: 'unit', record_id: '24', before: { name_vi: 'A' }, after: { name_vi: 'B' }, detail: '' };
  check('User', user);
  check('Token', token);
  check('TokenCreated', { token, secret: 'ubt_' + 'a'.repeat(43) });
  check('AuditRow', row);
  check('AuditList', { items: [row, { ...row, unit: null, before: null, after: null }], next: null });
  check('LoginResult', { user, csrf_token: 'x'.repeat(43), failed_logins: { count: 0, last_at: null } });
  check('LoginResult', { user, csrf_token: 'x'.repeat(43), failed_logins: { count: 3, last_at: '2026-12-01T08:30:00Z' } });
  check('SessionInfo', { user, csrf_token: 'x'.repeat(43), via: 'session' });
  check('SessionInfo', { user, csrf_token: null, via: 'token' });
  check('UnauthorizedError', { error: { code: 'session_expired', message: 'the session has expired', details: [] } });
  check('ForbiddenError', { error: { code: 'csrf', message: 'send X-CSRF-Token', details: [] } });
  refuse('User', { ...user, password_hash: '$argon2id$...' }, 'a password hash');
  refuse('User', { ...user, roles: ['root'] }, 'an unknown role');
  refuse('Token', { ...token, secret: 'ubt_x' }, 'a secret in a listed token');
  refuse('SessionInfo', { user, csrf_token: null, via: 'session' }, 'a session without its CSRF token');
  refuse('AuditRow', { ...row, action: 'unit.delete' }, 'an unknown action');
  refuse('ForbiddenError', { error: { code: 'unauthorized', message: 'x', details: [] } }, 'a 403 with a 401 code');
});

test('every endpoint of docs/api.md is in the document', () => {
  const md = fs.readFileSync(API_MD, 'utf8');
  const heads = [...md.matchAll(/^### `(GET|POST|PUT|PATCH|DELETE) ([^`\s]+)`/gm)].map((m) => [m[1].toLowerCase(), m[2]]);
  assert.ok(heads.length >= 15, `endpoints found in docs/api.md: ${heads.length}`);
  for (const [method, p] of heads) {
    assert.ok(doc.paths[p]?.[method], `${method.toUpperCase()} ${p} (docs/api.md) is in the OpenAPI document`);
  }
  const documented = new Set(heads.map(([m, p]) => `${m} ${p}`));
  // the newer sections list endpoints as `METHOD /path...` in running text,
  // "`POST /api/v1/users/{username}/disable` and `/enable`" naming two
  for (const m of md.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)[^`]*`(?: and `(\/[^`]+)`)?/g)) {
    const method = m[1].toLowerCase();
    documented.add(`${method} ${m[2]}`);
    if (m[3]) documented.add(`${method} ${m[2].replace(/\/[^/]+$/, m[3])}`);
    assert.ok(doc.paths[m[2]]?.[method], `${m[1]} ${m[2]} (docs/api.md) is in the OpenAPI document`);
  }
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) assert.ok(documented.has(`${m} ${p}`), `${m.toUpperCase()} ${p} is described in docs/api.md`);
  }
});

// One valid call per operation, in an order that makes the writes possible.
const D = '2025-08-01';
const D2 = '2025-09-01';
const commune = (code, extra = {}) => ({ code, name_vi: `Xã ${code}`, name_en: `${code} Commune`, level: 'commune', parent: '01', date: D, ...extra });
const SAMPLES = [
  ['getHealth', 'GET', '/healthz'],
  ['getOpenApi', 'GET', '/api/v1/openapi.json'],
  ['listLevels', 'GET', '/api/v1/levels'],
  ['listUnits', 'GET', '/api/v1/units', { query: { level: 'province', as_of: '2025-07-01', q: 'ninh', sort: 'name', limit: 5 } }],
  ['createUnit', 'POST', '/api/v1/units', { body: commune('C0001', { kind: 'territorial', attributes: ['island'], note: 'x' }) }],
  ['createUnit', 'POST', '/api/v1/units', { body: commune('C0002') }],
  ['createUnit', 'POST', '/api/v1/units', { body: commune('C0003') }],
  ['createUnit', 'POST', '/api/v1/units', { body: commune('C0004') }],
  ['createUnit', 'POST', '/api/v1/units', { body: commune('C0005') }],
  ['createUnit', 'POST', '/api/v1/units', { body: commune('C0009') }],
  ['createUnit', 'POST', '/api/v1/units', { body: { code: 'C0005-1', name_vi: 'Chi hội 1', name_en: 'Branch 1', level: 'branch', parent: 'C0005', date: D } }],
  ['getUnit', 'GET', '/api/v1/units/C0001', { query: { as_of: D } }],
  ['listChildren', 'GET', '/api/v1/units/01/children', { query: { as_of: D, limit: 2, sort: 'code' } }],
  ['listAncestors', 'GET', '/api/v1/units/C0005-1/ancestors', { query: { as_of: D } }],
  ['getLineage', 'GET', '/api/v1/units/24/lineage', { query: { as_of: '2025-07-01' } }],
  ['renameUnit', 'POST', '/api/v1/units/C0001/rename', { body: { date: D2, name_vi: 'Phường C0001', name_en: 'C0001 Ward', note: 'x' } }],
  ['setUnitAttributes', 'POST', '/api/v1/units/C0001/attributes', { body: { date: D2, attributes: ['border', 'island'], note: 'x' } }],
  ['moveUnit', 'POST', '/api/v1/units/C0002/move', { body: { date: D2, parent: '04', note: 'x' } }],
  ['closeUnit', 'POST', '/api/v1/units/C0003/close', { body: { date: D2, note: 'x' } }],
  ['mergeUnits', 'POST', '/api/v1/units/merge', { body: { date: D2, sources: ['C0004', 'C0009'], into: { code: 'C0006', name_vi: 'Xã C0006', name_en: 'C0006 Commune', level: 'commune', kind: 'territorial', attributes: [] }, note: 'x' } }],
  ['splitUnit', 'POST', '/api/v1/units/C0005/split', { body: { date: D2, into: [{ code: 'C0007', name_vi: 'Xã C0007', name_en: 'C0007 Commune', level: 'commune' }, { code: 'C0008', name_vi: 'Xã C0008', name_en: 'C0008 Commune', level: 'commune', kind: 'territorial', attributes: [] }], children: { 'C0005-1': 'C0008' }, note: 'x' } }],
  ['mergeUnits', 'POST', '/api/v1/units/merge', { body: { date: '2025-10-01', sources: ['C0007', 'C0008'], into: 'C0008' } }],
  ['applyPlan', 'POST', '/api/v1/units/plan', { body: { dry_run: true, csv: 'op,date,code,name_vi,name_en,level,parent,sources\nrename,2025-11-01,C0008,Xã C0008 Mới,New C0008 Commune,,,\nmerge,2025-11-01,C0010,Xã C0010,C0010 Commune,commune,,C0001 C0002\n' } }],
  ['getTree', 'GET', '/api/v1/tree', { query: { as_of: D2, root: '01', depth: 3 } }],
  ['listEvents', 'GET', '/api/v1/events', { query: { unit: '01', as_of: D2, from: '2025-01-01', to: '2025-12-31', limit: 10 } }],
  // users, sessions, tokens, audit; a function computes a request from the
  // answers so far (ctx: operationId -> last body)
  ['createUser', 'POST', '/api/v1/users', { body: { username: 'sample.user', display_name: 'Người Mẫu', unit: '01', roles: ['viewer', 'entry'], password: 'sample-password-1' } }],
  ['listUsers', 'GET', '/api/v1/users'],
  ['disableUser', 'POST', '/api/v1/users/sample.user/disable'],
  ['enableUser', 'POST', '/api/v1/users/sample.user/enable'],
  ['logIn', 'POST', '/api/v1/session', { auth: false, body: { username: 'sample.user', password: 'sample-password-1' } }],
  ['getSession', 'GET', '/api/v1/session', (ctx) => ({ auth: false, headers: cookieAuth(ctx) })],
  ['createToken', 'POST', '/api/v1/tokens', (ctx) => ({ auth: false, headers: cookieAuth(ctx, true), body: { name: 'sample token', roles: ['viewer'], expires_at: `${new Date().getUTCFullYear() + 70}-12-31` } })],
  ['listTokens', 'GET', '/api/v1/tokens', (ctx) => ({ auth: ctx.createToken.secret })],
  ['revokeToken', 'DELETE', (ctx) => `/api/v1/tokens/${ctx.createToken.token.id}`, (ctx) => ({ auth: false, headers: cookieAuth(ctx, true) })],
  // an admin sees and revokes her tokens and sessions, edits her, resets her password
  ['createToken', 'POST', '/api/v1/tokens', (ctx) => ({ auth: false, headers: cookieAuth(ctx, true), body: { name: 'second token', roles: ['viewer'] } })],
  ['listUserTokens', 'GET', '/api/v1/users/sample.user/tokens'],
  ['revokeUserToken', 'DELETE', (ctx) => `/api/v1/users/sample.user/tokens/${ctx.createToken.token.id}`],
  ['changePassword', 'POST', '/api/v1/session/password', (ctx) => ({ auth: false, headers: cookieAuth(ctx, true), body: { current_password: 'sample-password-1', new_password: 'sample-password-2' } })],
  ['logOut', 'DELETE', '/api/v1/session', (ctx) => ({ auth: false, headers: cookieAuth(ctx, true) })],
  ['logIn', 'POST', '/api/v1/session', { auth: false, body: { username: 'sample.user', password: 'sample-password-2' } }],
  // transfers: sample.user (entry at 01) sends members to a branch of 04,
  // outside her scope; the admin (everything) answers
  ['createUnit', 'POST', '/api/v1/units', { body: { code: 'C0020', name_vi: 'Xã C0020', name_en: 'C0020', level: 'commune', parent: '04', date: '2025-07-01' } }],
  ['createUnit', 'POST', '/api/v1/units', { body: { code: 'C0020-1', name_vi: 'Chi hội C0020', name_en: 'C0020 Branch', level: 'branch', parent: 'C0020', date: '2025-07-01' } }],
  ...[1, 2, 3].flatMap((i) => [
    ['createMember', 'POST', '/api/v1/members', { body: { full_name: `Trần Thị Chuyển ${'ABC'[i - 1]}`, birth_date: '1985-01-01', unit: 'C0005-1', joined_on: '2025-08-01' } }],
    ['transferMember', 'POST', (ctx) => `/api/v1/members/${ctx.createMember.id}/transfer`, (ctx) => ({ auth: false, headers: cookieAuth(ctx, true), body: { to: 'C0020-1', date: '2025-08-20', note: `lần ${i}` } })],
  ]),
  ['listTransfers', 'GET', '/api/v1/transfers', { query: { box: 'in', status: 'pending', limit: 5 } }],
  ['acceptTransfer', 'POST', (ctx) => `/api/v1/transfers/${ctx.listTransfers.items[2].id}/accept`, { body: { date: '2025-08-25' } }],
  ['refuseTransfer', 'POST', (ctx) => `/api/v1/transfers/${ctx.listTransfers.items[1].id}/refuse`, { body: { reason: 'thiếu hồ sơ' } }],
  ['cancelTransfer', 'POST', (ctx) => `/api/v1/transfers/${ctx.listTransfers.items[0].id}/cancel`, (ctx) => ({ auth: false, headers: cookieAuth(ctx, true), body: {} })],
  ['leaveMember', 'POST', (ctx) => `/api/v1/members/${ctx.createMember.id}/leave`, { body: { date: '2025-09-10', reason: 'moved_away' } }],
  ['rejoinMember', 'POST', (ctx) => `/api/v1/members/${ctx.createMember.id}/rejoin`, { body: { unit: 'C0005-1', date: '2025-09-20' } }],
  ['eraseMember', 'POST', (ctx) => `/api/v1/members/${ctx.createMember.id}/erase`, { body: {} }],
  ['listUserSessions', 'GET', '/api/v1/users/sample.user/sessions'],
  ['revokeUserSession', 'DELETE', (ctx) => `/api/v1/users/sample.user/sessions/${ctx.listUserSessions.items[0].id}`],
  ['updateUser', 'PATCH', '/api/v1/users/sample.user', { body: { display_name: 'Người Mẫu Hai', unit: '04', roles: ['viewer'] } }],
  ['resetPassword', 'POST', '/api/v1/users/sample.user/password-reset'],
  ['listAudit', 'GET', '/api/v1/audit', { query: { action: 'unit.create', user: 'admin', from: '2000-01-01', to: '2999-12-31', limit: 5 } }],
  ['createMember', 'POST', '/api/v1/members', { body: { full_name: 'Nguyễn Thị Mẫu', birth_date: '1990-05-04', unit: 'C0005-1', joined_on: '2025-08-01', ethnicity: '01', id_number: '001190054321', phone: '0912 000 111', digital: true } }],
  ['listMembers', 'GET', '/api/v1/members', { query: { q: 'nguyen mau', as_of: '2025-08-01', sort: 'name', limit: 5 } }],
  ['getMember', 'GET', (ctx) => `/api/v1/members/${ctx.createMember.id}`, { query: { as_of: '2025-08-01' } }],
  ['updateMember', 'PATCH', (ctx) => `/api/v1/members/${ctx.createMember.id}`, { body: { phone: '0987 654 321', occupation: 'Giáo viên', digital: false } }],
  // her card, its check (public), the key rotated
  ['getMemberCard', 'GET', (ctx) => `/api/v1/members/${ctx.createMember.id}/card`],
  ['verifyCard', 'GET', (ctx) => `/verify/${ctx.getMemberCard.token}`, { auth: false }],
  ['rotateCardKey', 'POST', '/api/v1/card-keys/rotate', { body: {} }],
  ['createUser', 'POST', '/api/v1/users', (ctx) => ({ body: { username: 'sample.member', unit: 'C0005-1', roles: ['member'], password: 'sample-password-3', person_id: ctx.createMember.id } })],
  ['listEthnicGroups', 'GET', '/api/v1/ethnic-groups'],
  ['setDuesRate', 'PUT', '/api/v1/units/C0005/dues/2025', { query: { as_of: '2025-08-01' }, body: { amount: 24000 } }],
  ['getDuesRate', 'GET', '/api/v1/units/C0005-1/dues/2025', { query: { as_of: '2025-08-01' } }],
  ['recordMemberConsent', 'POST', (ctx) => `/api/v1/members/${ctx.createMember.id}/consents`, { body: { purpose: 'thống kê', date: '2025-08-05' } }],
  ['listMemberConsents', 'GET', (ctx) => `/api/v1/members/${ctx.createMember.id}/consents`],
  ['exportMember', 'GET', (ctx) => `/api/v1/members/${ctx.createMember.id}/export`],
  ['payDues', 'POST', (ctx) => `/api/v1/members/${ctx.createMember.id}/dues`, { body: { year: 2025, paid_on: '2025-08-10' } }],
  ['reportMembers', 'GET', '/api/v1/reports/members', { query: { unit: 'C0005', as_of: '2025-08-01' } }],
  ['reportMembers', 'GET', '/api/v1/reports/members', { query: { unit: '04', as_of: '2025-08-31', mapped: 'true', from: '2025-08-01', to: '2025-08-31' } }],
  ['reportMembersXlsx', 'GET', '/api/v1/reports/members.xlsx', { query: { unit: 'C0005', as_of: '2025-08-01', lang: 'vi' } }],
  // personal data: consent, export, erasure
  ['recordConsent', 'POST', '/api/v1/users/sample.user/consents', { body: { purpose: 'thống kê', date: '2025-08-01', withdraw: false } }],
  ['recordConsent', 'POST', '/api/v1/users/sample.user/consents', { body: { purpose: 'thống kê', date: '2025-09-01', withdraw: true } }],
  ['listConsents', 'GET', '/api/v1/users/sample.user/consents'],
  ['exportUser', 'GET', '/api/v1/users/sample.user/export'],
  ['eraseUser', 'POST', '/api/v1/users/sample.user/erase'],
  // a member list imported: uploaded (checked at once), checked again with a mapping, committed
  ['createUnit', 'POST', '/api/v1/units', { body: commune('C0030') }],
  ['createUnit', 'POST', '/api/v1/units', { body: { code: 'C0030-1', name_vi: 'Chi hội Nhập', name_en: 'Import Branch', level: 'branch', parent: 'C0030', date: D } }],
  ['uploadImport', 'POST', '/api/v1/imports', { query: { unit: 'C0030', file_name: 'danh-sach.csv' }, headers: { 'Content-Type': 'application/octet-stream' },
    raw: 'DANH SÁCH HỘI VIÊN,,\r\nHọ và tên,Ngày sinh,Chi hội\r\nNguyễn Thị Nhập,01/02/1985,C0030-1\r\nTrần Thị Lỗi,1975,C0030-1\r\n' }],
  ['getImport', 'GET', (ctx) => `/api/v1/imports/${ctx.uploadImport.id}`, { until: (b) => b.status === 'checked' }],
  ['listImportErrors', 'GET', (ctx) => `/api/v1/imports/${ctx.uploadImport.id}/errors`, { query: { offset: 0, limit: 10 } }],
  ['downloadImportErrors', 'GET', (ctx) => `/api/v1/imports/${ctx.uploadImport.id}/errors.xlsx`, { query: { lang: 'vi' } }],
  ['checkImport', 'POST', (ctx) => `/api/v1/imports/${ctx.uploadImport.id}/check`, { body: { mapping: [{ header: 'Họ và tên', field: 'full_name' }, { column: 2, field: 'birth_date' }, { header: 'Chi hội', field: 'unit' }], header_line: 2 } }],
  ['getImport', 'GET', (ctx) => `/api/v1/imports/${ctx.uploadImport.id}`, { until: (b) => b.status === 'checked' }],
  ['commitImport', 'POST', (ctx) => `/api/v1/imports/${ctx.uploadImport.id}/commit`, { body: { mode: 'good' } }],
  ['getImport', 'GET', (ctx) => `/api/v1/imports/${ctx.uploadImport.id}`, { until: (b) => b.status === 'done' && b.report.created === 1 }],
  ['listImports', 'GET', '/api/v1/imports'],
  ['saveImportTemplate', 'POST', '/api/v1/import-templates', { body: { unit: 'C0030', name: 'Mẫu của xã', mapping: [{ header: 'Họ và tên', field: 'full_name' }, { header: 'Ngày sinh', field: 'birth_date' }], header_line: 2 } }],
  ['listImportTemplates', 'GET', '/api/v1/import-templates', { query: { unit: 'C0030' } }],
  ['exportMembers', 'GET', '/api/v1/exports/members', { query: { unit: 'C0030', format: 'csv' } }],
  ['exportMembers', 'GET', '/api/v1/exports/members', { query: { unit: 'C0030', format: 'xlsx', q: 'nhap' } }],
  ['listIndicators', 'GET', '/api/v1/indicators'],
  ['listReportForms', 'GET', '/api/v1/forms'],
  ['getIndicatorValue', 'GET', '/api/v1/indicators/members/value', { query: { unit: 'C0030', period: '2025H2' } }],
  ['getIndicatorValues', 'GET', '/api/v1/indicators/values', { query: { unit: '01', period: '2025H2' } }],
  ['getReportForm', 'GET', '/api/v1/forms/commune_half/C0030/2025H2'],
  ['getReportFormXlsx', 'GET', '/api/v1/forms/commune_half/C0030/2025H2/xlsx', { query: { lang: 'en' } }],
  ['putReportValues', 'PUT', '/api/v1/forms/commune_half/C0030/2025H2', { body: { values: { supervision_sessions: 2, clubs: null }, comments: { supervision_sessions: 'x' } } }],
  // submitted by the commune's official (logged in here), decided on by the admin
  ['createUser', 'POST', '/api/v1/users', { body: { username: 'sample.head', display_name: 'Người Lập', unit: 'C0030', roles: ['entry'], password: 'sample-password-3' } }],
  ['logIn', 'POST', '/api/v1/session', { auth: false, body: { username: 'sample.head', password: 'sample-password-3' } }],
  ['submitReportForm', 'POST', '/api/v1/forms/commune_half/C0030/2025H2/submit', (ctx) => ({ auth: false, headers: cookieAuth(ctx, true), body: {} })],
  ['returnReportForm', 'POST', '/api/v1/forms/commune_half/C0030/2025H2/return', { body: { reason: 'x' } }],
  ['submitReportForm', 'POST', '/api/v1/forms/commune_half/C0030/2025H2/submit', (ctx) => ({ auth: false, headers: cookieAuth(ctx, true), body: { explanation: 'x' } })],
  ['getReportInbox', 'GET', '/api/v1/forms/inbox', { query: { status: 'submitted' } }],
  ['approveReportForm', 'POST', '/api/v1/forms/commune_half/C0030/2025H2/approve', { body: { note: 'x' } }],
  ['unlockReportForm', 'POST', '/api/v1/forms/commune_half/C0030/2025H2/unlock', { body: { reason: 'x' } }],
  ['getReportOverview', 'GET', '/api/v1/forms/commune_half/overview', { query: { unit: '01', period: '2025H2', sort: 'distance' } }],
  ['putTargets', 'PUT', '/api/v1/targets/C0030/T2026-2031', { body: { targets: { members_digital_share: { value: 80, allowance: 5 }, clubs: { value: 3, direction: 'at_least' }, households_5k3s: null } } }],
  ['getTargets', 'GET', '/api/v1/targets/C0030/T2026-2031'],
  ['getIndicatorSeries', 'GET', '/api/v1/indicators/members_digital_share/series', { query: { unit: 'C0030', to: '2025H2', count: 4 } }],
  ['getIndicatorChildren', 'GET', '/api/v1/indicators/members/children', { query: { unit: '01', period: '2025H2' } }],
];

// The session cookie (and CSRF header) of the last log-in of the samples.
function cookieAuth(ctx, csrf = false) {
  const h = { Cookie: `ub_session=${ctx.cookie}` };
  if (csrf) h['X-CSRF-Token'] = ctx.logIn.csrf_token;
  return h;
}

test('every operation of the document answers a documented 2xx that matches its schema', async () => {
  const c = new Contract(doc);
  const all = c.operations();
  const byId = new Map(all.map((o) => [o.op.operationId, o]));
  const sampled = new Set(SAMPLES.map(([opId]) => opId));
  for (const opId of byId.keys()) assert.ok(sampled.has(opId), `a sample call for ${opId}`);
  const ctx = {};
  for (const [opId, method, path0, opts0 = {}] of SAMPLES) {
    const o = byId.get(opId);
    const p = typeof path0 === 'function' ? path0(ctx) : path0;
    const opts = typeof opts0 === 'function' ? opts0(ctx) : opts0;
    assert.ok(o, `${opId} is in the document`);
    assert.equal(method.toLowerCase(), o.method, `${opId}: method`);
    assert.equal(c.matchPath(p, method), o.template, `${opId}: ${p} matches ${o.template}`);
    // until: a job's state to wait for (an import is checked in the background)
    const { until, ...req } = opts;
    let r = await s.request(method, p, req);
    for (let i = 0; until && r.status === 200 && !until(r.body) && i < 200; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      r = await s.request(method, p, req);
    }
    if (until) assert.ok(until(r.body), `${opId}: ${p} never reached the state awaited: ${r.text.slice(0, 500)}`);
    assert.ok(r.status >= 200 && r.status < 300, `${opId}: ${method} ${p} -> ${r.status}: ${r.text.slice(0, 500)}`);
    ctx[opId] = r.body;
    const sc = /ub_session=([^;]*)/.exec(r.headers.getSetCookie().join('\n'));
    if (opId === 'logIn') ctx.cookie = sc[1];
  }
  const missing = all.filter((o) => !s.exercised.has(`${o.method} ${o.template}`)).map((o) => `${o.method.toUpperCase()} ${o.template}`);
  assert.deepEqual(missing, [], 'every operation was exercised');
});

test('merge answers 201 for a new target and 200 for an existing one', async () => {
  await s.op('/api/v1/units', commune('C0010'), 201);
  await s.op('/api/v1/units', commune('C0011'), 201);
  await s.op('/api/v1/units', commune('C0012'), 201);
  const r1 = await s.post('/api/v1/units/merge', { date: D2, sources: ['C0010'], into: 'C0012' });
  assert.equal(r1.status, 200, r1.text);
  // C0012 changed on D2: it can end only later, not on that same day
  const same = await s.post('/api/v1/units/merge', { date: D2, sources: ['C0011', 'C0012'], into: { code: 'C0013', name_vi: 'Xã C0013', name_en: 'C0013 Commune', level: 'commune' } });
  assert.equal(same.status, 409, same.text);
  assert.equal(same.body.error.code, 'date_out_of_range');
  const r2 = await s.post('/api/v1/units/merge', { date: '2025-09-02', sources: ['C0011', 'C0012'], into: { code: 'C0013', name_vi: 'Xã C0013', name_en: 'C0013 Commune', level: 'commune' } });
  assert.equal(r2.status, 201, r2.text);
});

test('every path of the document exists (no 404 for a valid unit) and every other method is 405', async () => {
  // a commune, a member and an import of its own for {unit} and {id}: the
  // sample calls above make theirs, and this test passes without them (its
  // code is not C0030, which they create)
  await s.op('/api/v1/units', commune('C0040'), 201);
  await s.op('/api/v1/units', { code: 'C0040-1', name_vi: 'Chi hội C0040', name_en: 'C0040 Branch', level: 'branch', parent: 'C0040', date: D }, 201);
  const member = await s.op('/api/v1/members', { full_name: 'Lê Thị Đường', birth_date: '1988-02-03', unit: 'C0040-1', joined_on: D }, 201);
  const up = await s.request('POST', '/api/v1/imports', { query: { unit: 'C0040', file_name: 'duong.csv' }, headers: { 'Content-Type': 'application/octet-stream' },
    raw: 'Họ và tên,Ngày sinh,Chi hội\r\nPhạm Thị Đường,01/02/1985,C0040-1\r\nVõ Thị Lỗi,1975,C0040-1\r\n' });
  assert.equal(up.status, 202, up.text);
  // its errors are read once the check (in the background) is done
  let job = up.body;
  for (let i = 0; i < 200 && job.status !== 'checked'; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    job = await s.ok(`/api/v1/imports/${up.body.id}`);
  }
  assert.equal(job.status, 'checked', JSON.stringify(job).slice(0, 500));
  const idOf = (template) => (template.startsWith('/api/v1/members/') ? member.id : template.startsWith('/api/v1/imports/') ? up.body.id : 1);
  const wrong = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const p = template.replace('/indicators/{code}/', '/indicators/members/').replace('{code}', '01').replace('{id}', String(idOf(template))).replace('{username}', 'admin')
      .replace('{year}', '2025').replace('{form}', 'commune_half').replace('{unit}', 'C0040').replace('{period}', '2025H2').replace('{term}', 'T2026-2031');
    for (const m of METHODS.filter((x) => x !== 'head' && x !== 'options' && x !== 'trace')) {
      if (item[m]) {
        if (m === 'get' && /^\/api\/v1\/users\/\{username\}\/(export|sessions|tokens)$/.test(template)) {
          // her own data, with her API token: only logged in (session_required)
          const r = await s.request('GET', p);
          assert.equal(r.status, 403, `GET ${p}: ${r.text.slice(0, 300)}`);
          assert.equal(r.body.error.code, 'session_required');
        } else if (m === 'get') {
          const r = await s.get(p, /\/(value|values|overview|children)$/.test(template) ? { period: '2025H2' } : /\/series$/.test(template) ? { to: '2025H2' } : { as_of: '2025-07-01' });
          assert.equal(r.status, 200, `GET ${p}: ${r.text.slice(0, 300)}`);
        }
      } else if (!(m === 'get' && ['/api/v1/units/merge', '/api/v1/units/plan'].includes(template))) { // GET /units/merge may read unit "merge"
        const r = await s.request(m.toUpperCase(), p, { ...(['get', 'delete'].includes(m) ? {} : { body: {} }), validate: false });
        if (r.status !== 405) wrong.push(`${m.toUpperCase()} ${p} -> ${r.status}`);
        else s.contract.check({ method: m, pathname: p, status: r.status, body: r.body });
      }
    }
  }
  assert.deepEqual(wrong, [], 'every method a path does not document answers 405');
});
