// access.test.js - the access matrix: every operation of the OpenAPI document,
// called by every role from inside and outside its scope, with an API token
// and with a session cookie, answers what the rules below say.
//
// On the demo database the system admin creates, through the API, users with
// each role at: the root VN (admin only), province 24, a commune of 24, and
// province 01 with a commune of it (out-of-scope checks). Each logs in
// (POST /api/v1/session) and makes herself an API token with her role
// (POST /api/v1/tokens, cookie + X-CSRF-Token).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, today } from './server.js';
import { METHODS } from './openapi.js';

// ---- the rules ---------------------------------------------------------------
//
// The permission matrix (docs/security.md): what each role may do in her
// unit's subtree. 1: allowed; 0: 403 forbidden.
//
//   read        GET levels, units, units/{code}, children, ancestors, lineage, tree, events
//   reorganise  POST units, units/merge, units/plan, units/{code}/rename, attributes, move, close, split
//   users       GET users; POST users, users/{username}/disable, /enable, /erase (never
//               on her own account: 409); PATCH users/{username}, POST /password-reset,
//               GET /sessions, /tokens, DELETE /sessions/{id}, /tokens/{id} (an admin of
//               her own unit, herself included, is edited and reset from above: 403
//               managed_from_above; her own sessions and tokens need her session)
//   audit       GET audit
//   records     GET members, members/{id}, members/{id}/card, reports/members, transfers (members whose
//               unit lies in scope)
//   card_keys   POST card-keys/rotate: admins, and only the system admin (403 national_only for others)
//   record_write POST members (the unit in scope), members/{id}/leave, /transfer,
//               transfers/{id}/accept, /refuse, /cancel
//   self        GET/DELETE session, POST session/password, GET/POST tokens, DELETE tokens/{id}
//   person      GET users/{username}/export, GET/POST users/{username}/consents:
//               'own': her own only; 'scope': also the users of her scope.
//               Her own export and consent changes, token making, and revoking
//               another of her tokens need her logged in: 403 session_required
//               with a token.
//               Another user she may not see is answered as a user nobody has (404).
//
const MATRIX = {
  //           read  reorganise  users     audit     self     person        records    record_write    card_keys     approve
  viewer:   { read: 1, reorganise: 0, users: 0, audit: 0, self: 1, person: 'own', records: 1, record_write: 0, card_keys: 0, approve: 0 },
  entry:    { read: 1, reorganise: 0, users: 0, audit: 0, self: 1, person: 'own', records: 1, record_write: 1, card_keys: 0, approve: 0 },
  approver: { read: 1, reorganise: 0, users: 0, audit: 0, self: 1, person: 'own', records: 1, record_write: 1, card_keys: 0, approve: 1 },
  admin:    { read: 1, reorganise: 1, users: 1, audit: 1, self: 1, person: 'scope', records: 1, record_write: 1, card_keys: 1, approve: 1 },
  member:   { read: 0, reorganise: 0, users: 0, audit: 0, self: 1, person: 'own', records: 0, record_write: 0, card_keys: 0, approve: 0 },
};
// The member role's "her own record": an account linked to a member record
// (User.person_id) reaches, for that record only, these operations (by
// session; by token those marked session need her logged in: 403
// session_required); every other operation, and these on any other id, is
// refused with 403 forbidden before anything is looked up. Checked on every
// operation of the document by the last test of this file.
const OWN_RECORD = { getMember: 'any', getMemberCard: 'any', listMemberConsents: 'any', recordMemberConsent: 'session', exportMember: 'session' };
//
// How the answer follows:
//   no caller (no token, no cookie, a bad one)   401 unauthorized, except the public operations
//   the role does not allow it                   403 forbidden, whatever the unit (existing, in scope
//                                                or not), and nothing changed
//   allowed, the unit in scope                   2xx
//   allowed, a unit outside scope                404 not_found, the very answer given for a code that
//                                                names no unit at all (so existence does not leak);
//                                                a unit named in a body (parent, unit of a user) gets
//                                                what a code naming no unit gets there: 422 invalid
//   lists (units, children, events, tree, ancestors, lineage, users, audit)
//                                                only what lies in scope
// Scope: the caller's unit and its subtree on today's tree, with the units
// it was formed from (a merged province's officers see its predecessors); the
// admin at VN has everything. A user of another unit, outside scope, is
// answered as a user that does not exist.
//
// Every operation of the document, by what it needs:
const OPERATIONS = {
  getHealth: 'public', getOpenApi: 'public', logIn: 'public', verifyCard: 'public',
  getMemberCard: 'records', rotateCardKey: 'card_keys',
  listLevels: 'read', listUnits: 'read', getUnit: 'read', listChildren: 'read', listAncestors: 'read',
  getLineage: 'read', getTree: 'read', listEvents: 'read',
  createUnit: 'reorganise', renameUnit: 'reorganise', setUnitAttributes: 'reorganise', moveUnit: 'reorganise', closeUnit: 'reorganise',
  mergeUnits: 'reorganise', splitUnit: 'reorganise', applyPlan: 'reorganise',
  listUsers: 'users', createUser: 'users', disableUser: 'users', enableUser: 'users', eraseUser: 'users',
  updateUser: 'users', resetPassword: 'users', listUserSessions: 'users', revokeUserSession: 'users',
  listUserTokens: 'users', revokeUserToken: 'users',
  exportUser: 'person', listConsents: 'person', recordConsent: 'person',
  listAudit: 'audit',
  listMemberConsents: 'record_write', recordMemberConsent: 'record_write', exportMember: 'record_write', eraseMember: 'record_write',
  listEthnicGroups: 'self', getDuesRate: 'records', setDuesRate: 'record_write', payDues: 'record_write', listMembers: 'records', getMember: 'records', createMember: 'record_write', reportMembers: 'records',
  updateMember: 'record_write', leaveMember: 'record_write', rejoinMember: 'record_write', transferMember: 'record_write', listTransfers: 'records', acceptTransfer: 'record_write',
  refuseTransfer: 'record_write', cancelTransfer: 'record_write',
  uploadImport: 'record_write', listImports: 'record_write', getImport: 'record_write', listImportErrors: 'record_write',
  downloadImportErrors: 'record_write', checkImport: 'record_write', commitImport: 'record_write',
  listImportTemplates: 'record_write', saveImportTemplate: 'record_write',
  exportMembers: 'records', reportMembersXlsx: 'records',
  listIndicators: 'records', getIndicatorValue: 'records', getIndicatorValues: 'records', listReportForms: 'records', getReportForm: 'records', getReportFormXlsx: 'records', getReportOverview: 'records',
  putReportValues: 'record_write', submitReportForm: 'record_write',
  approveReportForm: 'approve', returnReportForm: 'approve', unlockReportForm: 'approve',
  getReportInbox: 'approve', getTargets: 'records', putTargets: 'record_write', getIndicatorSeries: 'records', getIndicatorChildren: 'records',
  getSession: 'self', logOut: 'self', changePassword: 'self', listTokens: 'self', createToken: 'self', revokeToken: 'self',
};
const ROLES = Object.keys(MATRIX);

// ---- set-up ------------------------------------------------------------------

let s;
const NOW = today();
const NOWHERE = 'ZZ404';            // a code that names no unit, ever
const NOBODY = 'no.such.user';      // a user name nobody has
const P = {};                       // places: code of root, prov, commune, sibling, branch, group, other, otherCommune
const callers = {};                 // name -> {name, role, place, username, password, token, cookie, csrf, user}
const universe = {};                // place code -> Set of unit ids in its scope (computed as the system admin);
                                    // the root's scope is everything: a set that has every id
const todayTree = {};               // place code -> Set of unit ids of its subtree today
let PW_N = 0;

const password = () => `access-pw-${++PW_N}-${Math.random().toString(36).slice(2, 8)}`;

// Request options that make `c` the caller, through her token or her session.
function as(c, via = 'token') {
  if (via === 'token') return { auth: c.token };
  return { cookie: c.cookie, csrf: c.csrf };
}

// Scopes (universe, todayTree) are worked out once and again only after a
// write changed the units: a test that uses them awaits scopes() first, so it
// sees every unit the tests before it made, whichever ran.
let scopesStale = true;
const changesUnits = (method, p, status) => method === 'POST' && /^\/api\/v1\/units(\/|$)/.test(p) && status < 300;

async function call(method, p, opts = {}) {
  const r = await s.request(method, p, opts);
  if (changesUnits(method, p, r.status)) scopesStale = true;
  return r;
}

// s.op, marking the scopes stale.
async function op(p, body, expect) {
  const r = await s.op(p, body, expect);
  if (changesUnits('POST', p, 200)) scopesStale = true;
  return r;
}

async function scopes() {
  if (scopesStale) await refreshScopes();
}

// Every item of a paged list as caller opts.
async function allItems(p, query, opts) {
  const items = [];
  let cursor;
  for (let pages = 0; pages < 100; pages++) {
    const r = await s.get(p, { ...query, limit: 500, cursor }, opts);
    assert.equal(r.status, 200, `GET ${p} ${JSON.stringify(query)}: ${r.text.slice(0, 300)}`);
    items.push(...r.body.items);
    if (r.body.next === null) return items;
    cursor = r.body.next;
  }
  throw new Error(`GET ${p}: too many pages`);
}

function treeIds(node, out = new Set()) {
  out.add(node.id);
  for (const c of node.children || []) treeIds(c, out);
  return out;
}

async function subtree(ref, as_of) {
  const t = await s.ok('/api/v1/tree', { root: ref, depth: 6, as_of });
  return treeIds(t.root);
}

// The scope of each place, worked out from what the system admin sees, by the
// rule of docs/security.md: a unit lies in the scope of place X when, on its
// reference day (today for a unit valid today, its last day for a closed one,
// its first day for a future one), X or a unit X was formed from (X's lineage
// predecessors) is the unit itself or one of its ancestors that day.
function dayBefore(d) {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() - 1);
  return t.toISOString().slice(0, 10);
}

async function referenceChains() {
  const events = await allItems('/api/v1/events', {}, {});
  // the reference days only: today, the last day of each unit that ended
  // (an event that ends units), the first of each that begins after today
  const days = new Set([NOW]);
  for (const e of events) {
    if (['close', 'merge', 'split'].includes(e.kind)) days.add(dayBefore(e.date));
    if (e.date > NOW) days.add(e.date);
  }
  const info = new Map(); // id -> {valid_from, valid_until, at: Map(day -> parent id or 0)}
  const trees = [];
  const list = [...days];
  for (let i = 0; i < list.length; i += 8) {
    trees.push(...await Promise.all(list.slice(i, i + 8).map(async (d) => [d, await s.get('/api/v1/tree', { root: P.root, depth: 6, as_of: d })])));
  }
  for (const [d, r] of trees) {
    if (r.status === 404) continue; // before the root existed
    assert.equal(r.status, 200, r.text);
    const walk = (n) => {
      let rec = info.get(n.id);
      if (!rec) info.set(n.id, rec = { valid_from: n.valid_from, valid_until: n.valid_until, at: new Map() });
      rec.at.set(d, n.parent ? n.parent.id : 0);
      for (const c of n.children) walk(c);
    };
    walk(r.body.root);
  }
  // id -> the chain of its ancestors on its reference day, itself first
  const chains = new Map();
  for (const [id, rec] of info) {
    const day = rec.valid_until ?? (rec.valid_from > NOW ? rec.valid_from : NOW);
    assert.ok(rec.at.has(day), `unit id:${id}: its reference day ${day} is among the days read`);
    const chain = [];
    for (let n = id; n && chain.length < 64; n = info.get(n)?.at.get(day)) chain.push(n);
    chains.set(id, chain);
  }
  return chains;
}

async function scopeOf(code, chains) {
  const roots = new Set([await idOf(code)]);
  const l = await s.ok(`/api/v1/units/${code}/lineage`, { as_of: NOW });
  for (const p of l.predecessors) roots.add(p.unit.id);
  const ids = new Set();
  for (const [id, chain] of chains) if (chain.some((n) => roots.has(n))) ids.add(id);
  return ids;
}

async function makeCaller(name, role, place) {
  const username = name.toLowerCase();
  const pw = password();
  const r = await s.post('/api/v1/users', { username, display_name: `Cán bộ ${name}`, unit: place, roles: [role], password: pw });
  assert.equal(r.status, 201, `create ${username}: ${r.text}`);
  const l = await s.login(username, pw);
  assert.equal(l.status, 200, `log-in of ${username}: ${l.r.text}`);
  const t = await s.post('/api/v1/tokens', { name: `${name} token`, roles: [role] }, { cookie: l.cookie, csrf: l.csrf });
  assert.equal(t.status, 201, `token of ${username}: ${t.text}`);
  callers[name] = { name, role, place, username, password: pw, token: t.body.secret, tokenId: t.body.token.id, cookie: l.cookie, csrf: l.csrf, user: l.user };
}

before(async () => {
  s = await startServer({ demo: true });
  P.root = 'VN';
  P.prov = '24';
  P.other = '01';
  const kids = (await s.ok(`/api/v1/units/${P.prov}/children`, { as_of: NOW })).items;
  assert.ok(kids.length >= 2, 'province 24 has communes today');
  P.commune = kids[0].code;
  P.sibling = kids[1].code;
  const branches = (await s.ok(`/api/v1/units/${P.commune}/children`, { as_of: NOW })).items;
  const withGroups = branches.find((b) => b.child_count > 0);
  assert.ok(withGroups, `a branch of ${P.commune} has groups`);
  P.branch = withGroups.code;
  P.group = (await s.ok(`/api/v1/units/${P.branch}/children`, { as_of: NOW })).items[0].code;
  P.siblingBranch = (await s.ok(`/api/v1/units/${P.sibling}/children`, { as_of: NOW })).items[0].code;
  P.otherCommune = (await s.ok(`/api/v1/units/${P.other}/children`, { as_of: NOW })).items[0].code;

  const wanted = [['vn.admin', 'admin', P.root]];
  for (const role of ROLES) {
    wanted.push([`p24.${role}`, role, P.prov], [`c24.${role}`, role, P.commune], [`p01.${role}`, role, P.other]);
  }
  wanted.push(['c01.viewer', 'viewer', P.otherCommune], ['c01.admin', 'admin', P.otherCommune]);
  // two at a time: the server hashes at most two passwords at once
  for (let i = 0; i < wanted.length; i += 2) await Promise.all(wanted.slice(i, i + 2).map((w) => makeCaller(...w)));

  await scopes();
});

// (Re)computes the scope of every place, after writes made new units.
async function refreshScopes() {
  scopesStale = false;
  const chains = await referenceChains();
  for (const code of [P.prov, P.commune, P.other, P.otherCommune]) {
    universe[code] = await scopeOf(code, chains);
    todayTree[code] = await subtree(code, NOW);
  }
  universe[P.root] = { has: () => true };
  todayTree[P.root] = await subtree(P.root, NOW);
}
after(async () => { if (s) await s.stop(); });

// What lies in and outside the scope of each place, for the checks below.
function targets(place) {
  switch (place) {
    case P.root: return { inside: [P.root, P.prov, P.commune, P.group, P.other], outside: [] };
    case P.prov: return { inside: [P.prov, P.commune, P.group, P.siblingBranch], outside: [P.root, P.other, P.otherCommune] };
    case P.commune: return { inside: [P.commune, P.branch, P.group], outside: [P.root, P.prov, P.sibling, P.siblingBranch, P.other, P.otherCommune] };
    case P.other: return { inside: [P.other, P.otherCommune], outside: [P.root, P.prov, P.commune, P.group] };
    case P.otherCommune: return { inside: [P.otherCommune], outside: [P.other, P.prov, P.commune] };
    default: throw new Error(place);
  }
}

// The error answer with the unit reference taken out, to compare a unit
// outside scope with one that does not exist.
function shape(r, ref) {
  let text = JSON.stringify({ status: r.status, body: r.body });
  const id = /^id:([0-9]+)$/.exec(ref);
  if (id) text = text.replace(new RegExp(`\\bid ${id[1]}\\b`, 'g'), 'id <ref>'); // "no unit with id 7"
  // the reference as a whole token only: "01" must not be cut out of the
  // date 2026-12-01 (nor "24" out of the 24th of a month)
  const esc = ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![\\w:.-])${esc}(?![\\w.-])`, 'g'), '<ref>');
}

async function idOf(code, as_of = NOW) {
  return (await s.ok(`/api/v1/units/${code}`, { as_of })).id;
}

// The read operations that take a unit.
const UNIT_READS = {
  getUnit: (u) => [`/api/v1/units/${u}`, {}],
  listChildren: (u) => [`/api/v1/units/${u}/children`, {}],
  listAncestors: (u) => [`/api/v1/units/${u}/ancestors`, {}],
  getLineage: (u) => [`/api/v1/units/${u}/lineage`, {}],
  getTree: (u) => ['/api/v1/tree', { root: u }],
  listEvents: (u) => ['/api/v1/events', { unit: u }],
  listUnits: (u) => ['/api/v1/units', { parent: u }],
};

// Fails listing (the first of) the departures from the rules collected in bad.
function none(bad, what = 'departures from the matrix') {
  if (bad.length) assert.fail(`${bad.length} ${what}:\n  ${bad.slice(0, 25).join('\n  ')}${bad.length > 25 ? '\n  ...' : ''}`);
}

// ---- the tests -----------------------------------------------------------------

test('the matrix names every operation of the OpenAPI document, and every caller exists', () => {
  const ops = [];
  for (const [p, item] of Object.entries(s.doc.paths)) for (const m of METHODS) if (item[m]) ops.push(item[m].operationId);
  assert.deepEqual(ops.filter((id) => !OPERATIONS[id]), [], 'operations missing from OPERATIONS');
  assert.deepEqual(Object.keys(OPERATIONS).filter((id) => !ops.includes(id)), [], 'OPERATIONS names no operation the document lacks');
  for (const [id, need] of Object.entries(OPERATIONS)) if (need !== 'public') assert.ok(need in MATRIX.viewer, `${id}: ${need}`);
  assert.equal(Object.keys(callers).length, 1 + 3 * ROLES.length + 2);
  for (const c of Object.values(callers)) assert.deepEqual(c.user.roles, [c.role], `${c.name}: her roles`);
});

const NO_CALLER = [
  ['nothing', { auth: false }],
  ['an unknown token', { auth: 'ubt_' + 'x'.repeat(43) }],
  ['a malformed Authorization header', { auth: false, headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } }],
  ['an unknown session cookie', { cookie: 'x'.repeat(43), csrf: 'y'.repeat(43) }],
  ['an empty session cookie', { cookie: '' }],
];

// [method, path, operationId] of every operation, with sample path values.
function everyOperation(sample = { code: P.prov, id: '1', username: 'admin', token: 'AQ' }) {
  const out = [];
  for (const [template, item] of Object.entries(s.doc.paths)) {
    for (const m of METHODS) if (item[m]) out.push([m.toUpperCase(), template.replace(/\{(\w+)\}/g, (_, k) => sample[k]), item[m].operationId]);
  }
  return out;
}

test('no caller: 401 unauthorized on every operation but /healthz, the OpenAPI document and log-in', async () => {
  const bad = [];
  for (const [m, p, opId] of everyOperation()) {
    if (OPERATIONS[opId] === 'public') continue;
    const body = m === 'GET' || m === 'DELETE' ? undefined : {};
    for (const [what, opts] of NO_CALLER) {
      const r = await call(m, p, { ...opts, body });
      if (r.status !== 401 || r.body?.error?.code !== 'unauthorized') bad.push(`${m} ${p} with ${what} -> ${r.status} ${r.body?.error?.code}`);
    }
  }
  none(bad);
});

test('the public operations answer without a caller, whatever stale or foreign credentials come along', async () => {
  const bad = [];
  for (const [m, p, opId] of everyOperation()) {
    if (OPERATIONS[opId] !== 'public') continue;
    for (const [what, opts] of NO_CALLER) {
      // log-in looks at the body: {} is 422; the others answer 200. Not
      // checked against the document here: a 401 is itself the failure.
      const r = await call(m, p, { ...opts, body: m === 'POST' ? {} : undefined, validate: false });
      const want = opId === 'logIn' ? 422 : 200;
      if (r.status !== want) bad.push(`${m} ${p}${m === 'POST' ? ' {}' : ''} with ${what} -> ${r.status} ${r.text.slice(0, 100)}, wanted ${want}`);
    }
  }
  none(bad);
});

test('every role, every unit read, from inside and outside its scope, by token and by session', async () => {
  await scopes();
  const bad = [];
  const check = (ok, what) => { if (!ok) bad.push(what); };
  // the answers for units that do not exist, per operation (as the system admin)
  const missing = {};
  for (const [op, f] of Object.entries(UNIT_READS)) {
    const [p, q] = f(NOWHERE);
    missing[op] = await call('GET', p, { query: q });
    assertError(missing[op], 404, 'not_found', `${op} ${NOWHERE}`);
  }
  // the callers in parallel (the server has a pool of threads): the same
  // answers, sooner
  await Promise.all(Object.values(callers).map(async (c) => {
    const { inside, outside } = targets(c.place);
    const may = MATRIX[c.role].read;
    for (const via of ['token', 'session']) {
      const who = `${c.name} (${via})`;
      const lv = await call('GET', '/api/v1/levels', as(c, via));
      check(lv.status === (may ? 200 : 403), `${who} GET levels -> ${lv.status}`);
      for (const [op, f] of Object.entries(UNIT_READS)) {
        for (const u of inside) {
          const [p, q] = f(u);
          const r = await call('GET', p, { query: q, ...as(c, via) });
          if (may) check(r.status === 200, `${who} ${op} ${u} (in scope) -> ${r.status} ${r.text.slice(0, 120)}`);
          else check(r.status === 403 && r.body.error.code === 'forbidden', `${who} ${op} ${u} -> ${r.status}, wanted 403 forbidden`);
        }
        for (const u of [...outside, NOWHERE]) {
          const [p, q] = f(u);
          const r = await call('GET', p, { query: q, ...as(c, via) });
          if (!may) {
            check(r.status === 403 && r.body.error.code === 'forbidden', `${who} ${op} ${u} -> ${r.status}, wanted 403 forbidden`);
          } else {
            check(shape(r, u) === shape(missing[op], NOWHERE),
              `${who} ${op} ${u} (outside scope) -> ${r.status} ${r.text.slice(0, 150)}, wanted what ${NOWHERE} gets: ${missing[op].text.slice(0, 150)}`);
          }
        }
      }
    }
  }));
  none(bad);
});

test('a unit outside scope named by internal id, or by a code on an earlier date, is hidden the same way', async () => {
  await scopes();
  const bad = [];
  const ghost = 'id:99999999';
  const missing = await call('GET', `/api/v1/units/${ghost}`);
  assertError(missing, 404, 'not_found');
  for (const c of Object.values(callers).filter((x) => MATRIX[x.role].read)) {
    for (const u of targets(c.place).outside) {
      const ref = `id:${await idOf(u)}`;
      const r = await call('GET', `/api/v1/units/${ref}`, as(c));
      if (shape(r, ref) !== shape(missing, ghost)) bad.push(`${c.name} GET ${ref} (${u}) -> ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  none(bad);
  // 24 named Bắc Giang until 2025-06-30: a predecessor of today's 24, in the
  // scope of its officers; 27 (old Bắc Ninh) too; not in a commune's
  const old = '2025-06-01';
  for (const [name, code, want] of [['p24.viewer', '24', 200], ['p24.viewer', '27', 200], ['c24.viewer', '24', 404],
    ['p01.viewer', '24', 404], ['p01.viewer', '27', 404], ['vn.admin', '27', 200]]) {
    const r = await call('GET', `/api/v1/units/${code}`, { query: { as_of: old }, ...as(callers[name]) });
    assert.equal(r.status, want, `${name} GET /units/${code}?as_of=${old}: ${r.text.slice(0, 200)}`);
    if (want === 404) {
      const m = await call('GET', `/api/v1/units/${NOWHERE}`, { query: { as_of: old }, ...as(callers[name]) });
      assert.equal(shape(r, code), shape(m, NOWHERE));
    }
  }
});

test('lists hold only what lies in scope: units, children, search, tree, ancestors, lineage, events', async () => {
  await scopes();
  const places = { 'vn.admin': P.root, 'p24.viewer': P.prov, 'c24.viewer': P.commune, 'p01.approver': P.other, 'c01.viewer': P.otherCommune };
  const ids = (items) => new Set(items.map((u) => u.id));
  const sorted = (set) => [...set].sort((a, b) => a - b);
  await Promise.all(Object.entries(places).map(async ([name, place]) => {
    const c = callers[name];
    const scope = universe[place];
    const now = todayTree[place];
    // every unit valid today: exactly her subtree
    const units = await allItems('/api/v1/units', {}, as(c));
    assert.deepEqual(sorted(ids(units)), sorted(now), `${name}: GET /units is her subtree today`);
    // by level
    const provinces = await allItems('/api/v1/units', { level: 'province' }, as(c, 'session'));
    const wantProv = { [P.root]: 34, [P.prov]: 1, [P.other]: 1, [P.commune]: 0, [P.otherCommune]: 0 }[place];
    assert.equal(provinces.length, wantProv, `${name}: provinces ${provinces.map((u) => u.code)}`);
    if (wantProv === 1) assert.equal(provinces[0].code, place);
    const communes = await allItems('/api/v1/units', { level: 'commune' }, as(c));
    const adminCommunes = await allItems('/api/v1/units', { level: 'commune' }, {});
    assert.deepEqual(sorted(ids(communes)), sorted(new Set(adminCommunes.filter((u) => now.has(u.id)).map((u) => u.id))), `${name}: communes`);
    // search
    for (const q of ['bac', 'phu nu', 'ha']) {
      const found = await allItems('/api/v1/units', { q }, as(c));
      const all = await allItems('/api/v1/units', { q }, {});
      assert.deepEqual(sorted(ids(found)), sorted(new Set(all.filter((u) => now.has(u.id)).map((u) => u.id))), `${name}: search ${q}`);
    }
    // on an earlier date: only units of her scope
    const before = await allItems('/api/v1/units', { as_of: '2025-06-01' }, as(c));
    for (const u of before) assert.ok(scope.has(u.id), `${name}: ${u.code} on 2025-06-01 is outside her scope`);
    const adminBefore = await allItems('/api/v1/units', { as_of: '2025-06-01' }, {});
    assert.deepEqual(sorted(ids(before)), sorted(new Set(adminBefore.filter((u) => scope.has(u.id)).map((u) => u.id))), `${name}: units on 2025-06-01`);
    // children of her unit: the system admin's answer
    const kids = await allItems(`/api/v1/units/${place}/children`, {}, as(c));
    const adminKids = await allItems(`/api/v1/units/${place}/children`, {}, {});
    assert.deepEqual(kids.map((u) => u.id), adminKids.map((u) => u.id), `${name}: children of ${place}`);
    // her tree starts at her unit and holds her subtree
    const t = await call('GET', '/api/v1/tree', { query: { depth: 6 }, ...as(c) });
    assert.equal(t.status, 200);
    assert.equal(t.body.root.code, place, `${name}: GET /tree starts at her unit`);
    assert.deepEqual(sorted(treeIds(t.body.root)), sorted(now), `${name}: her tree is her subtree`);
    const t2 = await call('GET', '/api/v1/tree', as(c, 'session'));
    assert.equal(t2.body.root.code, place, `${name}: GET /tree (default depth) starts at her unit`);
    // ancestors of a group: only those in scope
    if (now.has(await idOf(P.group)) || place === P.root) {
      const a = await call('GET', `/api/v1/units/${P.group}/ancestors`, as(c));
      const aa = await call('GET', `/api/v1/units/${P.group}/ancestors`);
      assert.deepEqual(a.body.items.map((u) => u.code), aa.body.items.filter((u) => scope.has(u.id)).map((u) => u.code), `${name}: ancestors of ${P.group}`);
    }
    const mine = await call('GET', `/api/v1/units/${place}/ancestors`, as(c));
    assert.ok(mine.body.items.every((u) => scope.has(u.id)), `${name}: ancestors of her own unit ${mine.text}`);
    if (place !== P.root) assert.deepEqual(mine.body.items, [], `${name}: her unit's ancestors lie outside her scope`);
    // lineage of her unit: entries in scope
    const lin = await call('GET', `/api/v1/units/${place}/lineage`, as(c));
    for (const e of [...lin.body.predecessors, ...lin.body.successors]) assert.ok(scope.has(e.unit.id), `${name}: lineage entry ${e.unit.code}`);
    if (lin.body.unit.parent) assert.ok(scope.has(lin.body.unit.parent.id), `${name}: the parent shown with her unit`);
    // events: only events about units of her scope, and all of them
    const ev = await allItems('/api/v1/events', {}, as(c));
    const adminEv = await allItems('/api/v1/events', {}, {});
    const touches = (e) => [...e.sources, ...e.targets].some((u) => scope.has(u.id));
    for (const e of ev) assert.ok(touches(e), `${name}: event ${e.id} ${e.kind} ${JSON.stringify(e.targets)} lies outside her scope`);
    assert.deepEqual(ev.map((e) => e.id), adminEv.filter(touches).map((e) => e.id), `${name}: every event of her scope`);
  }));
  // the Done-when: a commune officer gets 404 for another commune, sees only her subtree
  const c = callers['c24.viewer'];
  assertError(await call('GET', `/api/v1/units/${P.sibling}`, as(c)), 404, 'not_found');
  assert.deepEqual((await call('GET', '/api/v1/units', { query: { level: 'province' }, ...as(c) })).body.items, []);
});

// ---- writes: the reorganisation of units ---------------------------------------

const D1 = '2025-08-01';
const D2 = '2025-09-01';
const D3 = '2025-10-01';
const D4 = '2025-11-01';
const LEVEL_BELOW = { province: 'commune', commune: 'branch', branch: 'group' };

const newUnit = (code, level, parent, date = D1) => ({ code, name_vi: `Đơn vị ${code}`, name_en: `Unit ${code}`, level, parent, date });

// A fingerprint of the tree around `code` (as the system admin): unchanged
// when a refused write changed nothing.
async function fingerprint(...codes) {
  const out = [];
  for (const code of codes) {
    const r = await call('GET', `/api/v1/units/${code}`, { query: { as_of: D1 } });
    out.push(r.status === 200 ? r.body : r.status);
  }
  out.push((await call('GET', '/api/v1/events', { query: { limit: 5 } })).body.items.map((e) => e.id));
  return JSON.stringify(out);
}

test('roles without reorganise get 403 forbidden on every write, in scope, outside and for no unit; nothing changes', async () => {
  // a unit of each scope to try on
  const spot = { [P.prov]: 'W24', [P.commune]: 'W24C', [P.other]: 'W01' };
  await op('/api/v1/units', newUnit('W24', 'commune', P.prov), 201);
  await op('/api/v1/units', newUnit('W24C', 'branch', P.commune), 201);
  await op('/api/v1/units', newUnit('W01', 'commune', P.other), 201);
  const before = await fingerprint('W24', 'W24C', 'W01');
  const bad = [];
  for (const c of Object.values(callers).filter((x) => !MATRIX[x.role].reorganise)) {
    for (const u of [spot[c.place], 'W24', 'W01', NOWHERE]) {
      const level = u === 'W24C' ? 'group' : 'branch';
      const writes = [
        ['POST', '/api/v1/units', newUnit(`N-${c.username}`, level, u, D2)],
        ['POST', `/api/v1/units/${u}/rename`, { date: D2, name_vi: 'Tên mới', name_en: 'New name' }],
        ['POST', `/api/v1/units/${u}/attributes`, { date: D2, attributes: ['border'] }],
        ['POST', `/api/v1/units/${u}/move`, { date: D2, parent: c.place === P.commune ? P.commune : P.prov }],
        ['POST', `/api/v1/units/${u}/close`, { date: D2 }],
        ['POST', '/api/v1/units/merge', { date: D2, sources: [u], into: { code: `M-${c.username}`, name_vi: 'Hợp nhất', name_en: 'Merged', level: 'commune' } }],
        ['POST', `/api/v1/units/${u}/split`, { date: D2, into: [{ code: `S1-${c.username}`, name_vi: 'Một', name_en: 'One', level: 'commune' }, { code: `S2-${c.username}`, name_vi: 'Hai', name_en: 'Two', level: 'commune' }], children: {} }],
        ['POST', '/api/v1/units/plan', { csv: `op,date,code,name_vi,name_en\nrename,${D2},${u},Tên mới,New name\n` }],
      ];
      for (const via of ['token', 'session']) {
        for (const [m, p, body] of writes) {
          const r = await call(m, p, { body, ...as(c, via) });
          if (r.status !== 403 || r.body.error.code !== 'forbidden') bad.push(`${c.name} (${via}) ${m} ${p} -> ${r.status} ${r.text.slice(0, 120)}`);
        }
      }
    }
  }
  none(bad);
  assert.equal(await fingerprint('W24', 'W24C', 'W01'), before, 'nothing changed');
});

test('admins reorganise inside their scope: create, rename, move, close, merge, split', async () => {
  // each admin runs the whole life of some units of her own: create, rename,
  // move, close, merge, split
  const admins = [
    ['vn.admin', P.other, 'province', 'token'],
    ['p24.admin', P.prov, 'province', 'session'],
    ['c24.admin', P.commune, 'commune', 'token'],
    ['p01.admin', P.other, 'province', 'session'],
    ['c01.admin', P.otherCommune, 'commune', 'token'],
  ];
  for (const [name, place, level, via] of admins) {
    const c = callers[name];
    const t = name.replace('.', '').toUpperCase(); // code prefix
    const l1 = LEVEL_BELOW[level];
    const l2 = LEVEL_BELOW[l1];
    const o = as(c, via);
    const ok = async (p, body, want) => {
      const r = await call('POST', p, { body, ...o });
      assert.equal(r.status, want, `${name} (${via}) POST ${p} ${JSON.stringify(body)}: ${r.text.slice(0, 300)}`);
      return r.body;
    };
    await ok('/api/v1/units', newUnit(`${t}A`, l1, place), 201);
    await ok('/api/v1/units', newUnit(`${t}B`, l1, place), 201);
    await ok('/api/v1/units', newUnit(`${t}C`, l2, `${t}B`), 201);
    await ok('/api/v1/units', newUnit(`${t}X`, l1, place), 201);
    await ok('/api/v1/units', newUnit(`${t}Y`, l1, place), 201);
    const rn = await ok(`/api/v1/units/${t}A/rename`, { date: D2, name_vi: `Đổi tên ${t}`, name_en: `Renamed ${t}` }, 200);
    assert.equal(rn.name_vi, `Đổi tên ${t}`);
    const at = await ok(`/api/v1/units/${t}A/attributes`, { date: D2, attributes: ['border', 'mountain'] }, 200);
    assert.deepEqual(at.attributes, ['border', 'mountain']);
    const mv = await ok(`/api/v1/units/${t}C/move`, { date: D2, parent: `${t}A` }, 200);
    assert.equal(mv.parent.code, `${t}A`);
    await ok(`/api/v1/units/${t}X/close`, { date: D2 }, 200);
    const mg = await ok('/api/v1/units/merge', { date: D3, sources: [`${t}B`, `${t}Y`], into: { code: `${t}E`, name_vi: `Hợp nhất ${t}`, name_en: `Merged ${t}`, level: l1 } }, 201);
    assert.equal(mg.unit.parent.code, place);
    const sp = await ok(`/api/v1/units/${t}A/split`, { date: D4, into: [{ code: `${t}F`, name_vi: `Tách ${t} 1`, name_en: 'Split 1', level: l1 }, { code: `${t}G`, name_vi: `Tách ${t} 2`, name_en: 'Split 2', level: l1 }], children: { [`${t}C`]: `${t}F` } }, 201);
    assert.deepEqual(sp.units.map((u) => u.code), [`${t}F`, `${t}G`]);
  }

  // a root can only be made by the system admin (a unit needs a parent)
  const e = assertError(await call('POST', '/api/v1/units', { body: { code: 'R1', name_vi: 'Gốc', name_en: 'Root', level: 'central', date: D1 }, ...as(callers['p24.admin']) }), 422, 'invalid');
  assert.ok(e.details.some((d) => d.field === 'parent'));
});

// Outside scope: the admins of 24 and of a commune of 24 try units of 01
// (made by the system admin), and the admin of 01 units of 24. Each try is
// compared with the same request naming a unit that does not exist. Every
// unit named here is made by tryOutside itself (not by the test above), so
// that each try is on a unit that exists whichever test runs first or alone.
const OUTSIDE = [
  // admin, a unit of hers (level 1 and 2 below her), a unit outside, a child of it
  ['p24.admin', 'I24', 'I24B', 'O1', 'O3'],
  ['c24.admin', 'I24C', 'I24CG', 'O1', 'O3'],
  ['p01.admin', 'O2', 'O3', 'I24', 'I24C'],
];
let outsideMade = false;

async function tryOutside(tries) {
  if (!outsideMade) {
    outsideMade = true;
    await op('/api/v1/units', newUnit('O1', 'commune', P.other), 201);
    await op('/api/v1/units', newUnit('O2', 'commune', P.other), 201);
    await op('/api/v1/units', newUnit('O3', 'branch', 'O1'), 201);
    await op('/api/v1/units', newUnit('I24', 'commune', P.prov), 201);
    await op('/api/v1/units', newUnit('I24C', 'branch', P.commune), 201);
    await op('/api/v1/units', newUnit('I24B', 'branch', 'I24'), 201);
    await op('/api/v1/units', newUnit('I24CG', 'group', 'I24C'), 201);
  }
  const bad = [];
  for (const [name, mineL1, mineL2, foreign, foreignChild] of OUTSIDE) {
    const c = callers[name];
    const before = await fingerprint(foreign, foreignChild, mineL1, mineL2);
    for (const via of ['token', 'session']) {
      const o = as(c, via);
      for (const build of tries({ c, mineL1, mineL2 })) {
        const [p, opts] = build(foreign);
        const [pm, optsm] = build(NOWHERE);
        const r = await call('POST', p, { ...opts, ...o });
        const rm = await call('POST', pm, { ...optsm, ...o });
        if (shape(r, foreign) !== shape(rm, NOWHERE)) {
          bad.push(`${name} (${via}) POST ${p} ${JSON.stringify(opts.body)} -> ${r.status} ${r.text.slice(0, 160)}; ` +
            `for a code naming no unit: ${rm.status} ${rm.text.slice(0, 160)}`);
        }
      }
    }
    assert.equal(await fingerprint(foreign, foreignChild, mineL1, mineL2), before, `${name}: nothing changed`);
  }
  return bad;
}

const body = (b) => ({ body: b });

test('admins: a unit outside scope, in the path or among merge sources and targets, is 404 word for word like a missing one', async () => {
  none(await tryOutside(({ c, mineL1 }) => [
    (u) => [`/api/v1/units/${u}/rename`, body({ date: D2, name_vi: 'Chiếm', name_en: 'Taken' })],
    (u) => [`/api/v1/units/${u}/attributes`, body({ date: D2, attributes: ['island'] })],
    (u) => [`/api/v1/units/${u}/move`, body({ date: D2, parent: c.place })],
    (u) => [`/api/v1/units/${u}/close`, body({ date: D3 })],
    (u) => [`/api/v1/units/${u}/split`, body({ date: D3, into: [{ code: 'Q1', name_vi: 'Q1', name_en: 'Q1', level: 'commune' }, { code: 'Q2', name_vi: 'Q2', name_en: 'Q2', level: 'commune' }], children: {} })],
    (u) => ['/api/v1/units/merge', body({ date: D3, sources: [u, mineL1], into: { code: 'Q3', name_vi: 'Q3', name_en: 'Q3', level: 'commune' } })],
    (u) => ['/api/v1/units/merge', body({ date: D3, sources: [mineL1, u], into: { code: 'Q4', name_vi: 'Q4', name_en: 'Q4', level: 'commune' } })],
    (u) => ['/api/v1/units/merge', body({ date: D3, sources: [mineL1], into: u })],
    (u) => ['/api/v1/units/plan', body({ csv: `op,date,code,name_vi,name_en\nrename,${D2},${u},Chiếm,Taken\n` })],
    (u) => ['/api/v1/units/plan', body({ csv: `op,date,code,name_vi,name_en,level,sources\nmerge,${D3},Q6,Q6,Q6,commune,${mineL1} ${u}\n` })],
  ]));
});

test('admins: a parent outside scope in a body (create, move) is answered like a parent that names no unit (422 invalid)', async () => {
  none(await tryOutside(({ mineL2 }) => [
    (u) => ['/api/v1/units', body(newUnit('Q5', 'branch', u, D2))],
    (u) => [`/api/v1/units/${mineL2}/move`, body({ date: D3, parent: u })],
  ]));
});

// ---- users and audit ---------------------------------------------------------------

test('users: only admins, and only the users of their scope; users of other units do not exist for them', async () => {
  await scopes();
  const bad = [];
  const all = (await call('GET', '/api/v1/users')).body.items;
  assert.ok(all.length >= Object.keys(callers).length + 1);
  for (const c of Object.values(callers)) {
    for (const via of ['token', 'session']) {
      const r = await call('GET', '/api/v1/users', as(c, via));
      if (!MATRIX[c.role].users) {
        if (r.status !== 403 || r.body.error.code !== 'forbidden') bad.push(`${c.name} (${via}) GET /users -> ${r.status}`);
        continue;
      }
      assert.equal(r.status, 200, `${c.name} GET /users: ${r.text.slice(0, 200)}`);
      const want = all.filter((u) => todayTree[c.place].has(u.unit.id)).map((u) => u.username);
      assert.deepEqual(r.body.items.map((u) => u.username), want, `${c.name}: the users of her scope`);
      assert.ok(r.body.items.every((u) => todayTree[c.place].has(u.unit.id)));
    }
  }
  none(bad);
  // a commune admin sees her commune's users only (every caller made there,
  // and whoever other tests made there, nobody else)
  const seen = (await call('GET', '/api/v1/users', as(callers['c24.admin']))).body.items;
  for (const r of ROLES) assert.ok(seen.some((u) => u.username === `c24.${r}`), `c24.admin sees c24.${r}`);
  for (const u of seen) assert.ok(todayTree[P.commune].has(u.unit.id), `c24.admin sees ${u.username} of ${u.unit.code}, outside her commune`);
  assert.ok(!seen.some((u) => /^(p24|p01|c01|vn)\./.test(u.username)), 'no caller of another place');
});

test('creating, disabling and enabling users: admins in scope; others 403; outside scope as if absent', async () => {
  await scopes();
  const bad = [];
  const pw = password();
  const nobodyUnit = await call('POST', '/api/v1/users', { body: { username: 'probe.nowhere', unit: NOWHERE, roles: ['viewer'], password: pw } });
  assertError(nobodyUnit, 422, 'invalid');
  const nobodyUser = await call('POST', `/api/v1/users/${NOBODY}/disable`);
  assertError(nobodyUser, 404, 'not_found');
  for (const c of Object.values(callers)) {
    const inside = c.place;
    for (const via of ['token', 'session']) {
      const o = as(c, via);
      const who = `${c.name} (${via})`;
      const uname = `u.${c.username}.${via}`;
      const r = await call('POST', '/api/v1/users', { body: { username: uname, unit: inside, roles: ['viewer'], password: pw }, ...o });
      if (!MATRIX[c.role].users) {
        if (r.status !== 403 || r.body.error.code !== 'forbidden') bad.push(`${who} POST /users -> ${r.status}`);
        for (const action of ['disable', 'enable']) {
          const d = await call('POST', `/api/v1/users/p24.viewer/${action}`, o);
          if (d.status !== 403 || d.body.error.code !== 'forbidden') bad.push(`${who} ${action} -> ${d.status}`);
        }
        continue;
      }
      if (r.status !== 201) { bad.push(`${who} POST /users in scope (${inside}) -> ${r.status} ${r.text.slice(0, 200)}`); continue; }
      assert.equal(r.body.unit.code, inside);
      const d = await call('POST', `/api/v1/users/${uname}/disable`, o);
      if (d.status !== 200 || d.body.disabled !== true) bad.push(`${who} disable ${uname} -> ${d.status}`);
      const en = await call('POST', `/api/v1/users/${uname}/enable`, o);
      if (en.status !== 200 || en.body.disabled !== false) bad.push(`${who} enable ${uname} -> ${en.status}`);
      // outside scope: a unit outside is answered as a code naming no unit;
      // a user of another unit as a user nobody has
      for (const u of targets(c.place).outside) {
        const ro = await call('POST', '/api/v1/users', { body: { username: `x.${c.username}`, unit: u, roles: ['viewer'], password: pw }, ...o });
        if (shape(ro, u) !== shape(nobodyUnit, NOWHERE)) bad.push(`${who} POST /users unit ${u} -> ${ro.status} ${ro.text.slice(0, 160)}`);
      }
      for (const other of Object.values(callers).filter((x) => !todayTree[c.place].has(x.user.unit.id))) {
        for (const action of ['disable', 'enable']) {
          const ro = await call('POST', `/api/v1/users/${other.username}/${action}`, o);
          if (shape(ro, other.username) !== shape(nobodyUser, NOBODY)) bad.push(`${who} ${action} ${other.username} -> ${ro.status} ${ro.text.slice(0, 160)}`);
        }
      }
    }
  }
  none(bad);
  // nobody outside scope was disabled: every caller still works
  for (const c of Object.values(callers)) assert.equal((await call('GET', '/api/v1/session', as(c))).status, 200, `${c.name} still works`);
});

// The user-administration operations of issue 14 on user `name`, as the
// caller opts: [label, method, path, body].
function adminOps(name, handle = '0123456789abcdef', tokenId = '999999') {
  return [
    ['edit', 'PATCH', `/api/v1/users/${name}`, { display_name: 'Tên mới' }],
    ['sessions', 'GET', `/api/v1/users/${name}/sessions`, undefined],
    ['tokens', 'GET', `/api/v1/users/${name}/tokens`, undefined],
    ['end session', 'DELETE', `/api/v1/users/${name}/sessions/${handle}`, undefined],
    ['revoke token', 'DELETE', `/api/v1/users/${name}/tokens/${tokenId}`, undefined],
    ['reset', 'POST', `/api/v1/users/${name}/password-reset`, undefined], // last: it ends her sessions
  ];
}

test('editing, resetting, sessions and tokens of users: admins in scope; others 403; outside scope as if absent', async () => {
  await scopes();
  const bad = [];
  const nobody = {};
  for (const [label, m, p, b] of adminOps(NOBODY)) nobody[label] = await call(m, p, { body: b });
  for (const r of Object.values(nobody)) assertError(r, 404, 'not_found');
  for (const c of Object.values(callers)) {
    for (const via of ['token', 'session']) {
      const o = as(c, via);
      const who = `${c.name} (${via})`;
      if (!MATRIX[c.role].users) {
        for (const name of ['p24.viewer', NOBODY]) {
          for (const [label, m, p, b] of adminOps(name)) {
            const r = await call(m, p, { body: b, ...o });
            if (r.status !== 403 || r.body.error.code !== 'forbidden') bad.push(`${who} ${label} ${name} -> ${r.status}`);
          }
        }
        continue;
      }
      // a viewer of her place, made for this: every operation works
      const uname = `adm.${c.username}.${via}`;
      const pw = password();
      await s.op('/api/v1/users', { username: uname, unit: c.place, roles: ['viewer'], password: pw }, 201);
      const l = await s.login(uname, pw);
      const t = await s.request('POST', '/api/v1/tokens', { cookie: l.cookie, csrf: l.csrf, body: { name: 't', roles: ['viewer'] } });
      const sess = await call('GET', `/api/v1/users/${uname}/sessions`, o);
      if (sess.status !== 200 || sess.body.items.length !== 1) { bad.push(`${who} sessions ${uname} -> ${sess.status} ${sess.text.slice(0, 160)}`); continue; }
      for (const [label, m, p, b] of adminOps(uname, sess.body.items[0].id, String(t.body.token.id))) {
        const r = await call(m, p, { body: b, ...o });
        if (r.status !== 200) bad.push(`${who} ${label} ${uname} -> ${r.status} ${r.text.slice(0, 160)}`);
      }
      // a user of another place: as a user nobody has
      for (const other of Object.values(callers).filter((x) => !todayTree[c.place].has(x.user.unit.id))) {
        for (const [label, m, p, b] of adminOps(other.username)) {
          const r = await call(m, p, { body: b, ...o });
          if (shape(r, other.username) !== shape(nobody[label], NOBODY)) bad.push(`${who} ${label} ${other.username} -> ${r.status} ${r.text.slice(0, 160)}`);
        }
      }
      // herself: edited and reset from above; her sessions and tokens with her session only
      for (const [label, m, p, b] of adminOps(c.username).filter(([l]) => l === 'edit' || l === 'reset')) {
        const r = await call(m, p, { body: b, ...o });
        if (r.status !== 403 || r.body.error.code !== 'managed_from_above') bad.push(`${who} ${label} herself -> ${r.status} ${r.text.slice(0, 120)}`);
      }
      const own = await call('GET', `/api/v1/users/${c.username}/tokens`, o);
      const want = via === 'token' ? 403 : 200;
      if (own.status !== want) bad.push(`${who} her own tokens -> ${own.status}`);
    }
  }
  none(bad);
  for (const c of Object.values(callers)) assert.equal((await call('GET', '/api/v1/session', as(c))).status, 200, `${c.name} still works`);
});

test('audit: only admins, only rows of their scope; a unit or user outside scope as if absent', async () => {
  const bad = [];
  await scopes();
  const all = await allItems('/api/v1/audit', {}, {});
  const usersAll = (await call('GET', '/api/v1/users')).body.items;
  const unitOfUser = new Map(usersAll.map((u) => [u.username, u.unit.id]));
  const missingUnit = await call('GET', '/api/v1/audit', { query: { unit: NOWHERE } });
  assertError(missingUnit, 404, 'not_found');
  const missingUser = await call('GET', '/api/v1/audit', { query: { user: NOBODY } });
  assertError(missingUser, 404, 'not_found');
  for (const c of Object.values(callers)) {
    for (const via of ['token', 'session']) {
      const o = as(c, via);
      const who = `${c.name} (${via})`;
      if (!MATRIX[c.role].audit) {
        for (const q of [{}, { unit: c.place }, { user: c.username }]) {
          const r = await call('GET', '/api/v1/audit', { query: q, ...o });
          if (r.status !== 403 || r.body.error.code !== 'forbidden') bad.push(`${who} GET /audit ${JSON.stringify(q)} -> ${r.status}`);
        }
        continue;
      }
      if (via === 'session') continue; // the lists once per admin are enough
      const scope = universe[c.place];
      const rows = await allItems('/api/v1/audit', {}, o);
      // every row is about a unit of her scope or a user of such a unit
      const mine = (row) => (row.unit && scope.has(row.unit.id)) || (unitOfUser.has(row.user) && todayTree[c.place].has(unitOfUser.get(row.user)));
      for (const row of rows) if (!mine(row)) bad.push(`${who} sees audit row ${row.id} ${row.action} ${row.user} ${row.unit?.code}`);
      // and all of them (up to the last row both saw)
      const last = Math.min(rows[0].id, all[0].id);
      const want = all.filter((row) => row.id <= last && mine(row)).map((row) => row.id);
      const got = rows.filter((row) => row.id <= last).map((row) => row.id);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        const g = new Set(got);
        const w = new Set(want);
        bad.push(`${who}: rows of her scope missing: ${want.filter((x) => !g.has(x)).slice(0, 10)}; extra: ${got.filter((x) => !w.has(x)).slice(0, 10)}`);
      }
      // her own unit and her own log-in
      const r = await call('GET', '/api/v1/audit', { query: { unit: c.place }, ...o });
      assert.equal(r.status, 200);
      assert.ok(r.body.items.every((row) => row.unit && row.unit.code === c.place), `${who}: ?unit=${c.place}`);
      const ru = await call('GET', '/api/v1/audit', { query: { user: c.username, action: 'session.login' }, ...o });
      assert.ok(ru.body.items.length >= 1, `${who}: her log-in`);
      // outside: as if absent
      for (const u of targets(c.place).outside) {
        const ro = await call('GET', '/api/v1/audit', { query: { unit: u }, ...o });
        if (shape(ro, u) !== shape(missingUnit, NOWHERE)) bad.push(`${who} GET /audit?unit=${u} -> ${ro.status} ${ro.text.slice(0, 150)}`);
      }
      for (const other of Object.values(callers).filter((x) => !todayTree[c.place].has(x.user.unit.id))) {
        const ro = await call('GET', '/api/v1/audit', { query: { user: other.username }, ...o });
        if (shape(ro, other.username) !== shape(missingUser, NOBODY)) bad.push(`${who} GET /audit?user=${other.username} -> ${ro.status}`);
      }
    }
  }
  none(bad);
});

// ---- the caller's own session and tokens ---------------------------------------

test('every role: who am I, her own tokens (a subset of her roles), never another user\'s', async () => {
  const bad = [];
  for (const c of Object.values(callers)) {
    for (const via of ['token', 'session']) {
      const o = as(c, via);
      const who = `${c.name} (${via})`;
      const me = await call('GET', '/api/v1/session', o);
      if (me.status !== 200 || me.body.user.username !== c.username || me.body.via !== via) bad.push(`${who} GET /session -> ${me.status} ${me.text.slice(0, 120)}`);
      if (via === 'session' && me.body.csrf_token !== c.csrf) bad.push(`${who}: csrf_token of GET /session`);
      const list = await call('GET', '/api/v1/tokens', o);
      if (list.status !== 200 || !list.body.items.some((t) => t.id === c.tokenId)) bad.push(`${who} GET /tokens -> ${list.status}`);
      // logged in, a token with her role: fine; with a role she has not: 422;
      // with a token: no token is made at all (403 session_required)
      const t = await call('POST', '/api/v1/tokens', { body: { name: `extra ${via}`, roles: [c.role] }, ...o });
      const made = via === 'session' ? 201 : 403;
      if (t.status !== made) bad.push(`${who} POST /tokens [${c.role}] -> ${t.status} ${t.text.slice(0, 120)}`);
      if (via === 'token' && t.body?.error?.code !== 'session_required') bad.push(`${who} POST /tokens: ${t.text.slice(0, 120)}`);
      const other = c.role === 'admin' ? 'member' : 'admin';
      const t2 = await call('POST', '/api/v1/tokens', { body: { name: 'more', roles: [other] }, ...o });
      if (t2.status !== (via === 'session' ? 422 : 403)) bad.push(`${who} POST /tokens [${other}] -> ${t2.status}`);
      // revoke the new one (logged in); anybody else's token is not hers (404)
      if (t.status === 201) {
        const byToken = await call('DELETE', `/api/v1/tokens/${t.body.token.id}`, as(c, 'token'));
        if (byToken.status !== 403) bad.push(`${who} DELETE her other token with a token -> ${byToken.status}`);
        const d = await call('DELETE', `/api/v1/tokens/${t.body.token.id}`, o);
        if (d.status !== 200) bad.push(`${who} DELETE her token -> ${d.status}`);
      }
      const someoneElse = Object.values(callers).find((x) => x !== c);
      const d2 = await call('DELETE', `/api/v1/tokens/${someoneElse.tokenId}`, as(c, 'session'));
      if (d2.status !== 404) bad.push(`${who} DELETE ${someoneElse.name}'s token -> ${d2.status}`);
    }
  }
  none(bad);
  // nobody's token was revoked by somebody else
  for (const c of Object.values(callers)) assert.equal((await call('GET', '/api/v1/tokens', as(c))).status, 200, c.name);
});

test('a token carries its roles only: an admin\'s viewer token cannot write, and a token never outgrows its user', async () => {
  // a province admin who also holds viewer makes herself a viewer-only token
  const pw = password();
  await s.op('/api/v1/users', { username: 'p24.both', unit: P.prov, roles: ['viewer', 'admin'], password: pw }, 201);
  const l = await s.login('p24.both', pw);
  const t = await call('POST', '/api/v1/tokens', { body: { name: 'read only', roles: ['viewer'] }, cookie: l.cookie, csrf: l.csrf });
  assert.equal(t.status, 201, t.text);
  const o = { auth: t.body.secret };
  assert.equal((await call('GET', `/api/v1/units/${P.prov}`, o)).status, 200);
  assertError(await call('POST', `/api/v1/units/${P.commune}/rename`, { body: { date: D2, name_vi: 'X', name_en: 'X' }, ...o }), 403, 'forbidden');
  assertError(await call('GET', '/api/v1/users', o), 403, 'forbidden');
  assertError(await call('GET', '/api/v1/audit', o), 403, 'forbidden');
  // nor make tokens, revoke her other tokens, export her data or change her consents (issue 13, findings 3 and 4)
  assertError(await call('POST', '/api/v1/tokens', { body: { name: 'escalate', roles: ['admin'] }, ...o }), 403, 'session_required');
  assertError(await call('POST', '/api/v1/tokens', { body: { name: 'same', roles: ['viewer'] }, ...o }), 403, 'session_required');
  const adminToken = await call('POST', '/api/v1/tokens', { body: { name: 'admin work', roles: ['admin'] }, cookie: l.cookie, csrf: l.csrf });
  assert.equal(adminToken.status, 201, adminToken.text);
  assertError(await call('DELETE', `/api/v1/tokens/${adminToken.body.token.id}`, o), 403, 'session_required');
  assert.equal((await call('GET', '/api/v1/users', { auth: adminToken.body.secret })).status, 200, 'her admin token lives');
  assertError(await call('GET', '/api/v1/users/p24.both/export', o), 403, 'session_required');
  assertError(await call('POST', '/api/v1/users/p24.both/consents', { body: { purpose: 'thống kê', date: D1 }, ...o }), 403, 'session_required');
  assert.equal((await call('GET', '/api/v1/users/p24.both/consents', o)).status, 200, 'reading her consents is fine');
  // the session itself still has both
  assert.equal((await call('GET', '/api/v1/users', { cookie: l.cookie })).status, 200);
});

test('personal data: her own always; another user\'s only for an admin in scope; else as if absent', async () => {
  await scopes();
  const bad = [];
  const nobody = {
    export: await call('GET', `/api/v1/users/${NOBODY}/export`),
    consents: await call('GET', `/api/v1/users/${NOBODY}/consents`),
    record: await call('POST', `/api/v1/users/${NOBODY}/consents`, { body: { purpose: 'thử', date: D1 } }),
  };
  for (const r of Object.values(nobody)) assertError(r, 404, 'not_found');
  const all = Object.values(callers);
  // the others tried: someone at every place, and an admin
  const others = ['vn.admin', 'p24.viewer', 'p24.member', 'c24.entry', 'p01.approver', 'c01.viewer'].map((k) => callers[k]);
  await Promise.all(all.map(async (c) => {
    for (const via of ['token', 'session']) {
      const o = as(c, via);
      const who = `${c.name} (${via})`;
      // her own: logged in; with a token 403 session_required (a leaked token must not export her data)
      const ex = await call('GET', `/api/v1/users/${c.username}/export`, o);
      const rc = await call('POST', `/api/v1/users/${c.username}/consents`, { body: { purpose: `thống kê ${via}`, date: D1 }, ...o });
      if (via === 'session') {
        if (ex.status !== 200 || ex.body.exported_for !== c.username) bad.push(`${who} export herself -> ${ex.status}`);
        if (rc.status !== 201 || !rc.body.items.some((x) => x.purpose === `thống kê ${via}`)) bad.push(`${who} record her consent -> ${rc.status}`);
      } else {
        if (ex.status !== 403 || ex.body.error.code !== 'session_required') bad.push(`${who} export herself -> ${ex.status}`);
        if (rc.status !== 403 || rc.body.error.code !== 'session_required') bad.push(`${who} record her consent -> ${rc.status}`);
      }
      const lc = await call('GET', `/api/v1/users/${c.username}/consents`, o);
      if (lc.status !== 200) bad.push(`${who} her consents -> ${lc.status}`);
      // the others
      for (const other of others.filter((x) => x !== c)) {
        const visible = MATRIX[c.role].person === 'scope' && todayTree[c.place].has(other.user.unit.id);
        const tries = {
          export: await call('GET', `/api/v1/users/${other.username}/export`, o),
          consents: await call('GET', `/api/v1/users/${other.username}/consents`, o),
        };
        if (via === 'token') tries.record = await call('POST', `/api/v1/users/${other.username}/consents`, { body: { purpose: 'thử', date: D1 }, ...o });
        for (const [k, r] of Object.entries(tries)) {
          if (visible) {
            if (r.status !== (k === 'record' ? 201 : 200)) bad.push(`${who} ${k} of ${other.name} (in scope) -> ${r.status}`);
          } else if (shape(r, other.username) !== shape(nobody[k], NOBODY)) {
            bad.push(`${who} ${k} of ${other.name} -> ${r.status} ${r.text.slice(0, 100)}, wanted what a user nobody has gets`);
          }
        }
      }
    }
  }));
  none(bad);
});

test('erasing users: admins in scope, never their own account; others 403; outside scope as if absent', async () => {
  await scopes();
  const bad = [];
  const nobody = await call('POST', `/api/v1/users/${NOBODY}/erase`);
  assertError(nobody, 404, 'not_found');
  for (const c of Object.values(callers)) {
    for (const via of ['token', 'session']) {
      const o = as(c, via);
      const who = `${c.name} (${via})`;
      if (!MATRIX[c.role].users) {
        for (const u of [c.username, 'p24.viewer', NOBODY]) {
          const r = await call('POST', `/api/v1/users/${u}/erase`, o);
          if (r.status !== 403 || r.body.error.code !== 'forbidden') bad.push(`${who} erase ${u} -> ${r.status}`);
        }
        continue;
      }
      const self = await call('POST', `/api/v1/users/${c.username}/erase`, o);
      if (self.status !== 409 || self.body.error.code !== 'conflict') bad.push(`${who} erase herself -> ${self.status}`);
      for (const other of Object.values(callers).filter((x) => !todayTree[c.place].has(x.user.unit.id))) {
        const r = await call('POST', `/api/v1/users/${other.username}/erase`, o);
        if (shape(r, other.username) !== shape(nobody, NOBODY)) bad.push(`${who} erase ${other.name} (outside) -> ${r.status} ${r.text.slice(0, 100)}`);
      }
      // a user of her unit, made for this (by the system admin)
      const mine = `e.${c.username}.${via}`;
      await s.op('/api/v1/users', { username: mine, unit: c.place, roles: ['viewer'], password: password() }, 201);
      const r = await call('POST', `/api/v1/users/${mine}/erase`, o);
      if (r.status !== 200 || r.body.disabled !== true || !/^erased-/.test(r.body.username)) bad.push(`${who} erase ${mine} -> ${r.status} ${r.text.slice(0, 100)}`);
    }
  }
  none(bad);
  for (const c of Object.values(callers)) assert.equal((await call('GET', '/api/v1/session', as(c))).status, 200, `${c.name} still works`);
});

test('no answer to a caller names a unit outside her scope (not even the parent of her own unit)', async () => {
  await scopes();
  const bad = [];
  // every object with an id and a code is a unit (or a reference to one)
  const refs = (v, out = []) => {
    if (Array.isArray(v)) v.forEach((x) => refs(x, out));
    else if (v && typeof v === 'object') {
      if (Number.isInteger(v.id) && typeof v.code === 'string') out.push(v);
      Object.values(v).forEach((x) => refs(x, out));
    }
    return out;
  };
  for (const name of ['p24.viewer', 'c24.viewer', 'p01.viewer', 'c01.viewer']) {
    const c = callers[name];
    const scope = universe[c.place];
    const reads = [
      ['/api/v1/units', {}], ['/api/v1/units', { q: 'phu' }], ['/api/v1/units', { as_of: '2025-06-01' }],
      [`/api/v1/units/${c.place}`, {}], [`/api/v1/units/${c.place}/children`, {}], [`/api/v1/units/${c.place}/ancestors`, {}],
      [`/api/v1/units/${c.place}/lineage`, {}], ['/api/v1/tree', {}], ['/api/v1/events', { limit: 500 }],
    ];
    for (const [p, q] of reads) {
      const r = await call('GET', p, { query: q, ...as(c) });
      assert.equal(r.status, 200, `${name} GET ${p}: ${r.text.slice(0, 200)}`);
      const out = [...new Set(refs(r.body).filter((u) => !scope.has(u.id)).map((u) => u.code))];
      if (out.length) bad.push(`${name} GET ${p} ${JSON.stringify(q)} names ${out.join(', ')}`);
    }
  }
  none(bad, 'answers naming units outside scope');
});

test('every role may change her own password and log out', async () => {
  // users of their own (one per role, at the province), so that the callers
  // of the other tests keep their passwords and sessions
  const bad = [];
  const list = [];
  for (const role of ROLES) {
    const username = `pw.${role}`;
    const pw = password();
    await s.op('/api/v1/users', { username, unit: P.prov, roles: [role], password: pw }, 201);
    const l = await s.login(username, pw);
    assert.equal(l.status, 200, `log-in of ${username}: ${l.r.text}`);
    const t = await s.post('/api/v1/tokens', { name: `${username} token`, roles: [role] }, { cookie: l.cookie, csrf: l.csrf });
    assert.equal(t.status, 201, t.text);
    list.push({ name: username, password: pw, token: t.body.secret, cookie: l.cookie, csrf: l.csrf });
  }
  // two at a time: each change hashes a password
  for (let i = 0; i < list.length; i += 2) {
    await Promise.all(list.slice(i, i + 2).map(async (c) => {
      const np = `${c.password}-new`;
      const r = await call('POST', '/api/v1/session/password', { body: { current_password: c.password, new_password: np }, ...as(c, 'session') });
      if (r.status !== 200) bad.push(`${c.name} change her password -> ${r.status} ${r.text.slice(0, 100)}`);
      else c.password = np;
      const viaToken = await call('DELETE', '/api/v1/session', as(c, 'token'));
      if (viaToken.status !== 200) bad.push(`${c.name} DELETE /session with a token -> ${viaToken.status}`);
      const out = await call('DELETE', '/api/v1/session', as(c, 'session'));
      if (out.status !== 200) bad.push(`${c.name} log out -> ${out.status}`);
      const after = await call('GET', '/api/v1/session', as(c, 'session'));
      if (after.status !== 401) bad.push(`${c.name} her session after log-out -> ${after.status}`);
      const tok = await call('GET', '/api/v1/session', as(c, 'token'));
      if (tok.status !== 200) bad.push(`${c.name} her token after log-out -> ${tok.status}`);
      const again = await s.login(c.name, c.password);
      if (again.status !== 200) bad.push(`${c.name} log in with her new password -> ${again.status}`);
    }));
  }
  none(bad);
});

// ---- the member registry -----------------------------------------------------

test('members: records to read for every role but member; to write for entry, approver and admin', async () => {
  const bad = [];
  for (const c of Object.values(callers)) {
    for (const via of ['token', 'session']) {
      const r = await call('GET', '/api/v1/members', as(c, via));
      const want = MATRIX[c.role].records ? 200 : 403;
      if (r.status !== want) bad.push(`${c.name} (${via}) GET members -> ${r.status}, wanted ${want}`);
      const w = await call('POST', '/api/v1/members', { body: { full_name: 'Thử Quyền', birth_date: '1990-01-01', unit: 'khong-co' }, ...as(c, via) });
      // with the right, the unknown unit is refused (422); without it, 403 first
      const wantW = MATRIX[c.role].record_write ? 422 : 403;
      if (w.status !== wantW) bad.push(`${c.name} (${via}) POST members -> ${w.status}, wanted ${wantW}`);
    }
  }
  none(bad);
});

test('report forms and targets: to read for every role but member; to enter for entry, approver and admin; to approve for approver and admin', async () => {
  const bad = [];
  const form = `/api/v1/forms/commune_half/${NOWHERE}/2025H2`;
  for (const c of Object.values(callers)) {
    for (const via of ['token', 'session']) {
      // with the right, the unit that names nothing is 404; without it, 403 first
      const checks = [
        ['GET', '/api/v1/indicators', undefined, MATRIX[c.role].records ? 200 : 403],
        ['GET', form, undefined, MATRIX[c.role].records ? 404 : 403],
        ['PUT', form, { values: { clubs: 1 } }, MATRIX[c.role].record_write ? 404 : 403],
        ['POST', `${form}/submit`, {}, MATRIX[c.role].record_write ? 404 : 403],
        ['POST', `${form}/approve`, {}, MATRIX[c.role].approve ? 404 : 403],
        ['POST', `${form}/unlock`, { reason: 'x' }, MATRIX[c.role].approve ? 404 : 403],
        ['GET', '/api/v1/forms/inbox', undefined, MATRIX[c.role].approve ? 200 : 403],
        ['GET', `/api/v1/targets/${NOWHERE}/T2026-2031`, undefined, MATRIX[c.role].records ? 404 : 403],
        ['PUT', `/api/v1/targets/${NOWHERE}/T2026-2031`, { targets: { clubs: { value: 1 } } }, MATRIX[c.role].record_write ? 404 : 403],
      ];
      for (const [m, p, body, want] of checks) {
        const r = await call(m, p, { body, ...as(c, via) });
        if (r.status !== want) bad.push(`${c.name} (${via}) ${m} ${p} -> ${r.status}, wanted ${want}`);
      }
    }
  }
  none(bad);
});

// ---- the member's own account, and the card key ------------------------------------

test('card keys: only the system admin rotates them; other admins 403 national_only, other roles 403 forbidden', async () => {
  const bad = [];
  for (const c of Object.values(callers)) {
    if (c.name === 'vn.admin') continue;
    for (const via of ['token', 'session']) {
      const r = await call('POST', '/api/v1/card-keys/rotate', { body: {}, ...as(c, via) });
      const want = c.role === 'admin' ? 'national_only' : 'forbidden';
      if (r.status !== 403 || r.body.error.code !== want) bad.push(`${c.name} (${via}) rotate -> ${r.status} ${r.text.slice(0, 100)}`);
    }
  }
  none(bad);
  for (const via of ['token', 'session']) {
    const r = await call('POST', '/api/v1/card-keys/rotate', { body: {}, ...as(callers['vn.admin'], via) });
    assert.equal(r.status, 200, `vn.admin (${via}) rotate: ${r.text}`);
  }
});

test('a member\'s own account: her record, card, consents and export, and nothing else, on every operation', async () => {
  // two members of a group of the commune of 24; an account linked to the first
  const mk = async (name) => {
    const r = await call('POST', '/api/v1/members', { body: { full_name: name, birth_date: '1980-02-03', unit: P.group, joined_on: D1 } });
    assert.equal(r.status, 201, r.text);
    return String(r.body.id);
  };
  const mine = await mk('Nguyễn Thị Chính');
  const other = await mk('Trần Thị Khác');
  const pw = password();
  const u = await call('POST', '/api/v1/users', { body: { username: 'c24.self', unit: P.group, roles: ['member'], password: pw, person_id: Number(mine) }, ...as(callers['c24.admin'], 'session') });
  assert.equal(u.status, 201, u.text);
  const l = await s.login('c24.self', pw);
  assert.equal(l.status, 200, l.r.text);
  const t = await s.post('/api/v1/tokens', { name: 'self', roles: ['member'] }, { cookie: l.cookie, csrf: l.csrf });
  assert.equal(t.status, 201, t.text);
  const me = { token: t.body.secret, cookie: l.cookie, csrf: l.csrf };
  const bad = [];
  const samples = {};
  for (const id of [mine, other, '99999999']) {
    for (const [m, p, opId] of everyOperation({ code: P.commune, id, username: 'admin', token: 'AQ' })) {
      const need = OPERATIONS[opId];
      if (need === 'public' || need === 'self') continue; // the account's own pages: tested above for every role
      if (need === 'person') continue;                     // a user's data by user name: tested above
      if (opId === 'recordMemberConsent') samples[id] = p;
      for (const via of ['token', 'session']) {
        const body = opId === 'recordMemberConsent' ? { purpose: `thử ${via}`, date: D1 } : m === 'GET' || m === 'DELETE' ? undefined : {};
        const r = await call(m, p, { body, ...as(me, via) });
        const own = id === mine && OWN_RECORD[opId];
        let want = [403, 'forbidden'];
        if (own === 'any' || (own === 'session' && via === 'session')) want = [200, null];
        else if (own === 'session') want = [403, 'session_required'];
        const code = r.body?.error?.code ?? null;
        if (r.status !== want[0] || (want[1] && code !== want[1])) bad.push(`${m} ${p} (${via}) -> ${r.status} ${code}, wanted ${want.join(' ')}`);
      }
    }
  }
  none(bad);
  // what she read is hers, whole
  const rec = await call('GET', `/api/v1/members/${mine}`, as(me, 'session'));
  assert.deepEqual([rec.body.full_name, rec.body.masked], ['Nguyễn Thị Chính', []]);
  const card = await call('GET', `/api/v1/members/${mine}/card`, as(me));
  assert.equal(card.body.full_name, 'Nguyễn Thị Chính');
  // an unlinked member account (the callers above) reaches none of it
  for (const name of ['c24.member', 'p24.member']) {
    for (const p of [`/api/v1/members/${mine}`, `/api/v1/members/${mine}/card`, `/api/v1/members/${mine}/consents`]) {
      assertError(await call('GET', p, as(callers[name])), 403, 'forbidden', `${name} ${p}`);
    }
  }
  // an admin outside the commune cannot link an account to her record: as if there were none
  const out = await call('POST', '/api/v1/users', { body: { username: 'c01.link', unit: P.otherCommune, roles: ['member'], password: password(), person_id: Number(other) }, ...as(callers['c01.admin'], 'session') });
  const none0 = await call('POST', '/api/v1/users', { body: { username: 'c01.link', unit: P.otherCommune, roles: ['member'], password: password(), person_id: 99999999 }, ...as(callers['c01.admin'], 'session') });
  assert.equal(shape(out, other), shape(none0, '99999999'));
});
