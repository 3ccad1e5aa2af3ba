// server: start the real unionbase server for browser tests.
//
// startServer() makes a temporary directory, runs `unionbase init --demo DB`
// (or copies the database it made the first time: UNIONBASE_TEST_TEMPLATES,
// tests/templates.js), then `unionbase serve --db DB --listen 127.0.0.1:PORT` on a free port, waits
// for GET /healthz, and returns {base, url(path), admin, login(), api(),
// post(path, body), createUser(user), stop()}.
// `init` creates the first system admin and prints her one-time password on
// standard output ("... user name: admin password: XXXX"); startServer reads
// it from there into `admin` ({username, password}).
// env: variables added to the environment of init and serve (a test's hold
// on an import job, UNIONBASE_IMPORT_WRITING_MS).
// api() is an API client logged in as the admin (cookie + X-CSRF-Token, the
// way the web app does it); login(name, password) makes one for anyone else.
// The binary is $UNIONBASE_BIN or build/unionbase. The web app is the copy
// embedded in the binary, unless UNIONBASE_WEB_DIR (passed through from the
// environment) points the server at a folder: UNIONBASE_WEB_DIR=$PWD/web
// tests the files on disk without rebuilding.
//
// Today: TODAY is read from the clock once, when this module loads (or taken
// from UNIONBASE_TODAY when the run pins it), and pinned for init and serve
// (UNIONBASE_TODAY) and for the browser's clock (ui.js), so that the server,
// the web app and the test agree on "today" even across midnight.
// Ports: a server counts as started once its own log says it serves the port
// freePort handed out (not another test's server that took it meanwhile); a
// port taken between freePort and bind is retried on another.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { template, copyFile } from '../templates.js';

const run = promisify(execFile);
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The local calendar day of a time (the zone the server and chromium run in).
export function localDay(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export const TODAY = process.env.UNIONBASE_TODAY || localDay();
process.env.UNIONBASE_TODAY = TODAY;

export function binary() {
  const bin = process.env.UNIONBASE_BIN || 'build/unionbase';
  return path.isAbsolute(bin) ? bin : path.join(REPO, bin);
}

// freePort: bind port 0, read the port the kernel chose, release it.
export function freePort() {
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// members: how many demo members init adds (none by default: the tests
// make the members they count).
// db: the URL of an empty database made by the test itself (a PostgreSQL of
// its own) instead of a SQLite file in the temporary directory.
export async function startServer({ demo = true, members = 0, timeoutMs = 30000, args = [], db: dbUrl = null, env: extra = {} } = {}) {
  const bin = binary();
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build it first (make) or set UNIONBASE_BIN`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'unionbase-browser-'));
  const env = { ...process.env, ...extra };
  const init = async (url) => {
    const { stdout } = await run(bin, ['init', ...(demo ? ['--demo', '--members', String(members)] : []), url], { cwd: REPO, env, timeout: timeoutMs * 4 });
    return parseAdmin(stdout);
  };
  let db = dbUrl || path.join(dir, 'test.db');
  let admin;
  try {
    const tpl = dbUrl ? null : await template({ bin, kind: ['browser', demo, members, TODAY], init });
    if (tpl) {
      db = copyFile(tpl, dir);
      admin = tpl.answer;
    } else {
      admin = await init(db);
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`unionbase init failed: ${e.message}\n${e.stderr || ''}`);
  }

  // serve on a free port: started once its log says it serves that port
  let child, base, exited, exit, output;
  let stop;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const proc = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...args], {
      cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    output = '';
    exited = null;
    const keep = (chunk) => { output = (output + chunk).slice(-20000); };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    exit = new Promise((resolve) => proc.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }));

    // stop: end the server and remove its files. Returns its exit and output,
    // so a caller can look for sanitizer reports.
    stop = async () => {
      if (!exited) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => { if (!exited) proc.kill('SIGKILL'); }, 5000);
        await exit;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
      return { exit: exited, output };
    };

    const deadline = Date.now() + timeoutMs;
    let ready = false;
    while (!ready) {
      if (exited) break;
      if (output.includes(`serving ${base}/`)) {
        try {
          const res = await fetch(`${base}/healthz`);
          if (res.ok) ready = true;
        } catch (e) { /* not listening yet */ }
      }
      if (ready) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`unionbase serve did not answer /healthz within ${timeoutMs} ms:\n${output}`);
      }
      await sleep(100);
    }
    if (ready) break;
    // it exited: the port was taken since freePort (try another), or worse
    if (attempt < 4 && /cannot listen|address|in use/i.test(output)) continue;
    await stop();
    throw new Error(`unionbase serve exited (${JSON.stringify(exited)}) before it was ready:\n${output}`);
  }

  const server = {
    base,
    db,
    admin,
    url: (p) => base + p,
    output: () => output,
    today: TODAY,
    // login: an API client for this user, or an Error carrying the answer.
    login: (username, password) => login(base, username, password),
    // api: the admin's API client (logged in once, on first use).
    async api() {
      if (!adminClient) adminClient = await login(base, admin.username, admin.password);
      return adminClient;
    },
    // post: POST as the admin; {status, body, text}.
    async post(p, body) {
      return (await server.api()).request('POST', p, body);
    },
    // createUser: POST /api/v1/users as the admin; throws unless 201.
    async createUser(user) {
      const res = await server.post('/api/v1/users', user);
      if (res.status !== 201) throw new Error(`creating user ${user.username}: ${res.status} ${res.text}`);
      return res.body;
    },
    stop,
  };
  let adminClient = null;
  return server;
}

// parseAdmin: the first system admin's name and one-time password from the
// output of `unionbase init`: "system admin created: user name: admin password: XXXX".
export function parseAdmin(stdout) {
  const pw = /password:\s*(\S+)/.exec(stdout || '');
  if (!pw) throw new Error(`unionbase init printed no admin password:\n${stdout}`);
  const name = /user name:\s*(\S+)/.exec(stdout);
  return { username: name ? name[1] : 'admin', password: pw[1] };
}

// login: POST /api/v1/session, then a client that sends the session cookie
// and, on state-changing requests, the CSRF token. request() answers
// {status, body, text} whatever the status.
export async function login(base, username, password) {
  const res = await fetch(base + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const text = await res.text();
  if (res.status !== 200) {
    const err = new Error(`log-in as ${username}: ${res.status} ${text}`);
    err.status = res.status;
    throw err;
  }
  const body = JSON.parse(text);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  const csrf = body.csrf_token;
  async function request(method, p, reqBody) {
    const headers = { Cookie: cookie };
    if (reqBody !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
    const r = await fetch(base + p, {
      method, headers, body: reqBody === undefined ? undefined : JSON.stringify(reqBody),
    });
    const t = await r.text();
    let json = null;
    try { json = JSON.parse(t); } catch (e) { /* keep text */ }
    return { status: r.status, body: json, text: t, headers: r.headers };
  }
  return {
    user: body.user,
    cookie,
    csrf,
    request,
    get: (p) => request('GET', p),
    post: (p, b) => request('POST', p, b === undefined ? {} : b),
    del: (p) => request('DELETE', p),
  };
}

// sanitizerReport: the first AddressSanitizer / LeakSanitizer / UBSan report
// in a server's output, or null. Test builds use the sanitizers; a report
// means the server misbehaved while the browser used it.
export function sanitizerReport(output) {
  const m = /(==\d+==ERROR: \w+Sanitizer|runtime error:)[\s\S]{0,2000}/.exec(output || '');
  return m ? m[0] : null;
}
