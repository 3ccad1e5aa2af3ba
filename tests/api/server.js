// server.js - a real unionbase server for one test file, and a client for it.
//
// startServer() creates a fresh database (a SQLite file in a temporary folder,
// or, when UNIONBASE_TEST_PG names a PostgreSQL server, a new database on it),
// runs `unionbase init [--demo] DB`, starts `unionbase serve` on a free port,
// waits for /healthz and loads the OpenAPI document the server serves. Every
// response that goes through the returned client is checked against that
// document (status documented, body valid against the schema); a test that
// wants to see a mismatch itself passes {validate: false}.
//
// Today: the harness reads the clock once, when this module loads, and pins
// that day (UNIONBASE_TODAY) for every program it starts (init, serve, the
// CLI of cli.test.js, through process.env). A test and the server it talks to
// therefore always agree on "today", even when the run crosses midnight or the
// machine's time zone is far from UTC. today() and TODAY are that day.
// today.test.js starts servers without the pin (the clock path) and with
// another pin. Session and token expiry and the audit trail's times are
// wall-clock seconds, not this day.
//
// Ports: a server is started on a port the kernel handed out a moment before
// (freePort); it counts as started only once its own log says it serves that
// port, so a test never talks to another test's server that took the port in
// between. A port taken meanwhile is retried on another.
//
// Environment:
//   UNIONBASE_BIN      the program (default: build/unionbase at the repo top)
//   UNIONBASE_TEST_PG  base URL of a PostgreSQL server where the tests may
//                      CREATE DATABASE, e.g. postgresql://unionbase@127.0.0.1:5433/postgres
//   UNIONBASE_TODAY    when set, the day pinned instead of the clock's
//   UNIONBASE_TEST_TEMPLATES  a folder: the first startServer of a kind runs
//                      init and `user token` on a template database there,
//                      the later ones start from a copy (tests/templates.js).
//                      Unset: every server runs init.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { Contract } from './openapi.js';
import { template, pgCreate, copyFile } from '../templates.js';

const execFileP = promisify(execFile);

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.UNIONBASE_BIN ? path.resolve(process.env.UNIONBASE_BIN)
  : path.join(REPO, 'build', 'unionbase');

const REQUEST_TIMEOUT_MS = 30000;

// ---- today ---------------------------------------------------------------------

// The calendar day of a time in the local time zone (the zone the servers
// started here run in: they inherit TZ).
export function localDay(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// ISO day arithmetic, in UTC so that no time zone or DST shifts a day.
export function addDays(iso, n) {
  const t = new Date(`${iso}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

// The fixtures of the tests are dated up to FIXTURES_END: the tests read
// "today's" tree expecting those changes to have happened. A pin before it
// is a mistake in the run, not in the program: say so at once.
export const FIXTURES_END = '2026-04-01';

export const TODAY = process.env.UNIONBASE_TODAY || localDay();
process.env.UNIONBASE_TODAY = TODAY;
assert.ok(/^\d{4}-\d{2}-\d{2}$/.test(TODAY) && TODAY > FIXTURES_END,
  `the API tests need today (${TODAY}) to be a day YYYY-MM-DD after their fixtures (${FIXTURES_END}): set UNIONBASE_TODAY to one`);

// The server's "today": the day the harness pinned.
export function today() {
  return TODAY;
}

// env for a child process: the harness's environment with extra on top
// (a key whose value is undefined is removed: {UNIONBASE_TODAY: undefined}
// runs the program on the clock).
function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const [k, v] of Object.entries(extra)) if (v === undefined || v === null) delete env[k];
  return env;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function run(file, args, what, env = process.env) {
  try {
    return await execFileP(file, args, { maxBuffer: 64 << 20, env });
  } catch (e) {
    throw new Error(`${what} failed (exit ${e.code}): ${file} ${args.join(' ')}\n${e.stdout || ''}${e.stderr || ''}`);
  }
}

// A fresh database (a copy of the PostgreSQL database template when given):
// {url, drop()}.
async function createDatabase(dir, template = null) {
  const base = process.env.UNIONBASE_TEST_PG;
  if (!base) return { url: path.join(dir, `unionbase-${crypto.randomBytes(4).toString('hex')}.db`), drop: async () => {} };
  const name = 'ub_' + crypto.randomBytes(6).toString('hex');
  const url = await pgCreate(base, name, template);
  return {
    url,
    drop: async () => {
      try {
        await run('psql', [base, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], 'DROP DATABASE');
      } catch {
        await run('psql', [base, '-q', '-c', `DROP DATABASE IF EXISTS ${name}`], 'DROP DATABASE').catch(() => {});
      }
    },
  };
}

// Runs init (with --demo and members when demo) on url, then makes the
// admin's API token: {password, token}.
async function initDatabase(url, demo, members, env) {
  const init = await run(BIN, demo ? ['init', '--demo', '--members', String(members), url] : ['init', url], 'unionbase init', env);
  const pw = /user name: admin password: (\S+)/.exec(init.stdout);
  assert.ok(pw, `init did not print the admin password:\n${init.stdout}`);
  // the tests act as the system admin through an API token unless they
  // ask for another caller (request option auth)
  const tok = await run(BIN, ['user', 'token', 'admin', '--name', 'api-tests', '--db', url], 'unionbase user token', env);
  return { password: pw[1], token: tok.stdout.trim() };
}

// A copy of the template of this kind for a server in dir: {db, admin} (admin:
// the template's {password, token}); null when there is none (templates.js).
async function fromTemplate(dir, demo, members, env) {
  const pg = process.env.UNIONBASE_TEST_PG || null;
  const tpl = await template({ bin: BIN, pg, kind: [demo, members, env.UNIONBASE_TODAY || null],
    init: (url) => initDatabase(url, demo, members, env) });
  if (!tpl) return null;
  const db = pg ? await createDatabase(dir, tpl.name) : { url: copyFile(tpl, dir), drop: async () => {} };
  return { db, admin: tpl.answer };
}

function startProcess(db, port, env = process.env, args = []) {
  const child = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const log = { text: '' };
  const keep = (chunk) => {
    log.text += chunk.toString();
    if (log.text.length > 1 << 20) log.text = log.text.slice(-(1 << 19));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.on('error', (e) => { log.text += `\nspawn error: ${e.message}`; });
  return { child, log, exited };
}

// Waits until the process says it serves base (so the port is its own, not
// another server's that took it since freePort), then for /healthz.
async function waitHealthy(base, proc, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const serving = `serving ${base}/`;
  let dead = null;
  proc.exited.then((x) => { dead = x; });
  while (Date.now() < deadline) {
    if (dead) return { ok: false, dead };
    if (!proc.log.text.includes(serving)) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    try {
      const r = await fetch(base + '/healthz', { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) { await r.text(); return { ok: true }; }
      await r.text();
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ok: false, dead };
}

// Starts a server on a fresh database. Options: demo (init --demo; members:
// how many demo members, none by default, so that tests count their own); env:
// variables for init and serve on top of the harness's (undefined removes
// one: {UNIONBASE_TODAY: undefined} runs them on the clock); args: more
// options for serve (['--header-timeout', '2']); database: {url, drop()} of
// an empty database made by the test itself (on a server of its own), used
// instead of a fresh one of the store under test.
export async function startServer({ demo = false, members = 0, env: extra = {}, args = [], database = null } = {}) {
  assert.ok(fs.existsSync(BIN), `${BIN} does not exist: build it first (ninja -C build) or set UNIONBASE_BIN`);
  const env = childEnv(extra);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-api-'));
  // a PostgreSQL database's spool folder is in $TMPDIR: in the server's own
  // folder, so that stop() removes it with the rest (peers share it)
  if (!('TMPDIR' in extra)) env.TMPDIR = dir;
  const copy = !database && Object.keys(extra).length === 0 ? await fromTemplate(dir, demo, members, env) : null;
  const db = copy ? copy.db : database || await createDatabase(dir);
  let proc = null;
  try {
    const { password, token: adminToken } = copy ? copy.admin : await initDatabase(db.url, demo, members, env);
    let base = null;
    for (let attempt = 0; attempt < 5 && !base; attempt++) {
      const port = await freePort();
      proc = startProcess(db.url, port, env, args);
      const h = await waitHealthy(`http://127.0.0.1:${port}`, proc, 30000);
      if (h.ok) { base = `http://127.0.0.1:${port}`; break; }
      if (!h.dead) {
        proc.child.kill('SIGKILL');
        throw new Error(`unionbase serve did not answer /healthz within 30 s:\n${proc.log.text}`);
      }
      // the port may have been taken between freePort() and bind(): try another
      if (!/address|bind|in use/i.test(proc.log.text) || attempt === 4) {
        throw new Error(`unionbase serve exited (${JSON.stringify(h.dead)}):\n${proc.log.text}`);
      }
    }
    const server = new Server(base, proc, db, dir);
    server.env = env;
    server.args = args;
    server.port = Number(new URL(base).port);
    server.adminPassword = password;
    server.adminToken = adminToken;
    await server.loadContract();
    return server;
  } catch (e) {
    if (proc) proc.child.kill('SIGKILL');
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

// Starts one more server process on the database of `server` (several
// servers behind a proxy share one database). Its stop() leaves the
// database to the first server. args: its options for serve (default: the
// first server's).
export async function startPeer(server, { args = server.args, env = server.env } = {}) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const proc = startProcess(server.db.url, port, env, args);
    const h = await waitHealthy(`http://127.0.0.1:${port}`, proc, 30000);
    if (h.ok) {
      const peer = new Server(`http://127.0.0.1:${port}`, proc, { url: server.db.url, drop: async () => {} }, null);
      peer.env = env;
      peer.adminToken = server.adminToken;
      peer.adminPassword = server.adminPassword;
      await peer.loadContract();
      return peer;
    }
    proc.child.kill('SIGKILL');
    if (!/address|bind|in use/i.test(proc.log.text)) throw new Error(`peer server failed:\n${proc.log.text}`);
  }
  throw new Error('no free port for a peer server');
}

// Runs the program with args; returns {stdout, stderr}; throws on a non-zero exit.
// env: as for startServer.
export function runBin(args, env = {}) {
  return run(BIN, args, `unionbase ${args[0]}`, childEnv(env));
}

// A fresh empty database of the store under test: {url, drop()}.
export function freshDatabase(dir) {
  return createDatabase(dir);
}

// The contract of each OpenAPI document served, by its text: the servers of a
// test file share one, and its validators compile once (a Contract is 0.6 s
// to make, its schemas several more to compile, 2026-12-05).
const contracts = new Map();

export class Server {
  constructor(base, proc, db, dir) {
    this.base = base;
    this.proc = proc;
    this.db = db;
    this.dir = dir;
    this.contract = null;
    this.exercised = new Set(); // "get /api/v1/units/{code}" of documented operations seen
  }

  get log() { return this.proc.log.text; }

  async loadContract() {
    const r = await fetch(this.base + '/api/v1/openapi.json', { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await r.text();
    assert.equal(r.status, 200, `GET /api/v1/openapi.json -> ${r.status}: ${text.slice(0, 500)}`);
    this.doc = JSON.parse(text);
    let contract = contracts.get(text);
    if (!contract) contracts.set(text, (contract = new Contract(this.doc)));
    this.contract = contract;
  }

  // request(method, path, {query, body, raw, headers, validate, auth, cookie, csrf, from}) ->
  //   {status, headers, body, text}
  // auth: undefined = the admin's API token (unless cookie is given); a
  // string = that bearer token; false = no Authorization header.
  // cookie: a session id sent as the ub_session cookie; csrf: an
  // X-CSRF-Token header. from: the local address to connect from (any
  // 127.x.y.z: the server sees another client address).
  // query: object (undefined/null values left out) or a ready string;
  // body: a value sent as JSON; raw: a string/Buffer sent as is.
  async request(method, p, { query, body, raw, headers = {}, validate = true, auth, cookie, csrf, from } = {}) {
    const bearer = auth === undefined ? (cookie === undefined ? this.adminToken : false) : auth;
    if (bearer) headers = { Authorization: `Bearer ${bearer}`, ...headers };
    if (cookie !== undefined) headers = { Cookie: `ub_session=${cookie}`, ...headers };
    if (csrf !== undefined) headers = { 'X-CSRF-Token': csrf, ...headers };
    let qs = '';
    if (typeof query === 'string') qs = query ? '?' + query.replace(/^\?/, '') : '';
    else if (query) {
      const u = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) u.set(k, String(v));
      const s = u.toString();
      qs = s ? '?' + s : '';
    }
    const init = { method, headers: { Accept: 'application/json', ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    } else if (raw !== undefined) {
      init.body = raw;
      init.headers['Content-Type'] ??= 'application/json';
    }
    const res = from ? await requestFrom(from, this.base + p + qs, init) : await fetch(this.base + p + qs, init);
    const text = await res.text();
    const out = { status: res.status, headers: res.headers, text, body: undefined };
    const where = `${method} ${p}${qs.length > 200 ? qs.slice(0, 200) + '...' : qs} -> ${res.status}`;
    if (text.length) {
      try { out.body = JSON.parse(text); } catch { out.body = undefined; }
    }
    // every error answer, validated or not: codes and parameters a program can use
    if (out.body && typeof out.body === 'object' && 'error' in out.body) checkErrorCodes(out.body, where);
    if (validate) {
      const ct = res.headers.get('content-type') || '';
      if (res.status >= 200 && res.status < 300 && !/^application\/json\b/i.test(ct)) {
        // a download: a type the document gives for it
        const template = this.contract.checkBinary({ method, pathname: p.split('?')[0], status: res.status, contentType: ct });
        this.exercised.add(`${method.toLowerCase()} ${template}`);
        return out;
      }
      assert.match(ct, /^application\/json\b/i, `${where}: Content-Type is "${ct}", not application/json`);
      assert.ok(out.body !== undefined, `${where}: the body is not JSON: ${text.slice(0, 300)}`);
      const pathname = p.split('?')[0];
      const template = this.contract.check({ method, pathname, status: res.status, body: out.body, requestBody: body });
      if (template && this.doc.paths[template][method.toLowerCase()]) this.exercised.add(`${method.toLowerCase()} ${template}`);
    }
    return out;
  }

  // Runs SQL directly on the test's database (behind the server's back):
  // sqlite3 on the SQLite file, psql on the PostgreSQL database. Returns the
  // output (rows as "a|b" lines); throws when the statement fails.
  async sql(text) {
    const url = this.db.url;
    if (/^postgres(ql)?:\/\//.test(url)) {
      return (await run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qtA', '-c', text], 'psql')).stdout;
    }
    const file = url.replace(/^sqlite:/, '');
    return (await run('sqlite3', ['-bail', '-cmd', '.timeout 10000', file, text], 'sqlite3')).stdout;
  }

  // Logs in through POST /api/v1/session: {status, r, cookie, csrf, user}
  // (cookie and csrf undefined when it failed). opts: from, validate.
  async login(username, password, opts = {}) {
    const r = await this.request('POST', '/api/v1/session', { auth: false, body: { username, password }, ...opts });
    const m = /(?:^|\n)ub_session=([^;]*)/.exec(r.headers.getSetCookie().join('\n'));
    if (r.status !== 200) return { status: r.status, r };
    assert.ok(m && m[1], `log-in of ${username}: no ub_session cookie in ${JSON.stringify(r.headers.getSetCookie())}`);
    return { status: r.status, r, cookie: m[1], csrf: r.body.csrf_token, user: r.body.user };
  }

  get(p, query, opts = {}) { return this.request('GET', p, { ...opts, query }); }
  post(p, body, opts = {}) { return this.request('POST', p, { ...opts, body }); }

  // GET expecting 200; returns the body.
  async ok(p, query) {
    const r = await this.get(p, query);
    assert.equal(r.status, 200, `GET ${p} ${JSON.stringify(query || {})} -> ${r.status}: ${r.text.slice(0, 500)}`);
    return r.body;
  }

  // POST expecting one of the given statuses (default 200/201); returns the body.
  async op(p, body, expect = [200, 201]) {
    const r = await this.post(p, body);
    const want = [].concat(expect);
    assert.ok(want.includes(r.status), `POST ${p} ${JSON.stringify(body)} -> ${r.status} (wanted ${want.join('/')}): ${r.text.slice(0, 800)}`);
    return r.body;
  }

  // Every item of a paged list, following `next` until null. Checks that pages
  // do not overlap and that no page is larger than limit.
  async all(p, query = {}, limit = 500) {
    const items = [];
    let cursor;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 1000, `GET ${p}: more than 1000 pages`);
      const body = await this.ok(p, { ...query, limit, cursor });
      assert.ok(body.items.length <= limit, `GET ${p}: page of ${body.items.length} items with limit ${limit}`);
      items.push(...body.items);
      if (body.next === null) break;
      assert.ok(body.items.length > 0, `GET ${p}: an empty page with a next cursor`);
      assert.notEqual(body.next, cursor, `GET ${p}: the cursor did not move`);
      cursor = body.next;
    }
    return items;
  }

  // Stops the server and removes its database. Fails when the process died
  // before, exited with an error, or wrote a sanitizer report.
  async stop() {
    let status = null;
    const { child, exited } = this.proc;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10000);
      status = await exited;
      clearTimeout(t);
    } else {
      status = await exited;
      status.before_stop = true;
    }
    await this.db.drop();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    const log = this.proc.log.text;
    if (/AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer/.test(log)) {
      throw new Error(`the server reported a sanitizer error:\n${log.slice(-20000)}`);
    }
    if (status.before_stop) throw new Error(`the server had exited during the tests (${JSON.stringify(status)}):\n${log.slice(-5000)}`);
    if (status.signal === 'SIGKILL') throw new Error(`the server did not stop on SIGTERM within 10 s:\n${log.slice(-5000)}`);
    if (status.code !== 0 && status.signal !== 'SIGTERM') {
      throw new Error(`the server exited with ${JSON.stringify(status)} on SIGTERM:\n${log.slice(-5000)}`);
    }
  }
}

// fetch() cannot choose the local address: node:http can. Answers what
// fetch would (status, headers as a Headers object, text()).
function requestFrom(localAddress, url, init) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method,
      headers: init.headers, localAddress, timeout: REQUEST_TIMEOUT_MS,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: h, text: async () => text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${init.method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

// ---- helpers shared by the test files -------------------------------------

// Search form of a string, as the contract describes search: case folded,
// marks stripped, đ -> d, white space collapsed.
export function fold(s) {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

// Vietnamese alphabetical order, word by word (core/text.h): a word's
// letters in the order a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v
// x y (case ignored), then its tones (ngang, huyền, hỏi, ngã, sắc, nặng),
// then the next word. Returns a key whose arrays compare element by element.
const VI_LETTERS = 'a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z'.split(' ');
const VI_RANK = new Map(VI_LETTERS.map((c, i) => [c, i + 100]));
const VI_TONES = ['\u0300', '\u0309', '\u0303', '\u0301', '\u0323'];
export function viKey(s) {
  const out = [];
  let tones = [];
  const endWord = () => { out.push(0, ...tones); tones = []; };
  for (const ch of s.normalize('NFC').toLowerCase()) {
    // strip tones (grave, acute, hook, tilde, dot below) but keep the letter
    // marks that make distinct letters (breve, circumflex, horn); đ is a letter.
    const nfd = ch.normalize('NFD');
    const base = nfd.replace(/[\u0300\u0301\u0303\u0309\u0323]/g, '').normalize('NFC');
    if (VI_RANK.has(base)) {
      out.push(VI_RANK.get(base));
      tones.push(10 + VI_TONES.findIndex((t) => nfd.includes(t)) + 1);
    } else if (/\s/.test(base)) {
      if (out.length && out[out.length - 1] !== 1) { endWord(); out.push(1); }
    } else out.push(base.codePointAt(0) < 100 ? base.codePointAt(0) : base.codePointAt(0) + 1000);
  }
  endWord();
  return out;
}
export function viCompare(a, b) {
  const x = viKey(a), y = viKey(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

// Reads a CSV of the shipped reference data (simple: no quoted commas).
export function readCsv(rel) {
  const [head, ...lines] = fs.readFileSync(path.join(REPO, rel), 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

// Fails unless body is an error whose code and every detail's code are
// machine codes, with parameters (integers and strings) beside them: what a
// program needs to say the error in another language (docs/api.md, Errors).
const ERROR_MEMBERS = new Set(['code', 'message', 'details']);
const DETAIL_MEMBERS = new Set(['field', 'code', 'message']);
export function checkErrorCodes(body, where = '') {
  const e = body && body.error;
  const code = /^[a-z][a-z_]*$/;
  assert.ok(e && typeof e === 'object', `${where}: no error object`);
  assert.ok(typeof e.code === 'string' && code.test(e.code), `${where}: the error has no machine code: ${JSON.stringify(e).slice(0, 300)}`);
  assert.ok(typeof e.message === 'string' && e.message.length > 0, `${where}: the error has no message`);
  assert.ok(Array.isArray(e.details), `${where}: details is not a list`);
  const params = (o, members, what) => {
    for (const [k, v] of Object.entries(o)) {
      if (members.has(k)) continue;
      assert.match(k, code, `${where}: ${what}: parameter name ${k}`);
      assert.ok(Number.isInteger(v) || typeof v === 'string', `${where}: ${what}: parameter ${k} is ${JSON.stringify(v)}, not an integer or a string`);
    }
  };
  params(e, ERROR_MEMBERS, 'error');
  for (const d of e.details) {
    const what = `detail ${JSON.stringify(d).slice(0, 200)}`;
    assert.ok(d && typeof d === 'object' && typeof d.field === 'string', `${where}: ${what}: no field`);
    assert.ok(typeof d.code === 'string' && code.test(d.code), `${where}: ${what}: no machine code`);
    assert.ok(typeof d.message === 'string' && d.message.length > 0, `${where}: ${what}: no message`);
    params(d, DETAIL_MEMBERS, what);
  }
}

// Asserts an error answer: status and code; returns the error object.
export function assertError(r, status, code, what = '') {
  const e = r.body && r.body.error;
  assert.equal(r.status, status, `${what} expected ${status} ${code}, got ${r.status}: ${r.text.slice(0, 500)}`);
  assert.ok(e, `${what}: no error object in ${r.text.slice(0, 300)}`);
  if (code) {
    const codes = [].concat(code);
    assert.ok(codes.includes(e.code), `${what} expected code ${codes.join(' or ')}, got ${e.code}: ${e.message}`);
  }
  return e;
}

// The text cells of an XLSX file (its shared and inline strings), read with
// node's zlib: enough to see what a report says.
export function xlsxTexts(buf) {
  const texts = [];
  let eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'a zip file');
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extra = buf.readUInt16LE(p + 30), comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString();
    p += 46 + nameLen + extra + comment;
    if (!/^xl\/(sharedStrings|worksheets\/sheet\d+)\.xml$/.test(name)) continue;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    const xml = (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
    for (const m of xml.matchAll(/<t[^>]*>([^<]*)<\/t>/g)) texts.push(m[1].replace(/&amp;/g, '&'));
  }
  return texts;
}
