// lanes.test.js - a request that waits does not hold up the others (issue
// 17; src/api/server.c, "lanes"): with one thread for reads, a write that
// waits for the write lock (held here from outside the server, as a CLI
// import would hold it) leaves the reads answering at once, and is itself
// done as soon as the lock is free. Before the lanes, the thread that ran
// the write was the thread of the read's connection too, and the read
// waited as long as the write did. Runs on the store UNIONBASE_TEST_PG
// chooses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { startServer } from './server.js';

const HOLD_MS = 3000;
let s;

before(async () => { s = await startServer({ args: ['--threads', '1'] }); });
after(async () => { if (s) await s.stop(); });

const isPg = (url) => /^postgres(ql)?:\/\//.test(url);

// Holds the store's write lock from another process for ms: resolves once
// it is held, to {released} (a promise of its release).
function holdWriteLock(url, ms) {
  // the lock the store's writes take (db_pg.c: WRITE_LOCK_KEY; SQLite's own)
  return holdLock(url, isPg(url) ? 'SELECT pg_advisory_xact_lock(730512025);' : '', ms);
}

// Runs a transaction from another process, `sql` in it, for ms.
async function holdLock(url, sql, ms) {
  const pg = isPg(url);
  const child = pg
    ? spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qtA'], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn('sqlite3', ['-bail', url.replace(/^sqlite:/, '')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const released = new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited ${code}`))));
  });
  const held = new Promise((resolve) => child.stdout.once('data', resolve));
  child.stdin.write(`${pg ? 'BEGIN;' : 'BEGIN IMMEDIATE;'} ${sql} SELECT 'held';\n`);
  await held;
  setTimeout(() => child.stdin.end('COMMIT;\n'), ms);
  return { released };
}

test('a write waiting for the lock leaves the reads answering at once', async () => {
  const { released } = await holdWriteLock(s.db.url, HOLD_MS);
  const t0 = Date.now();
  const write = s.post('/api/v1/units', { date: '2025-07-01', kind: 'territorial', code: 'LN1', name_vi: 'Xã Làn', name_en: 'Lane Commune', level: 'commune', parent: '24' })
    .then((r) => ({ r, ms: Date.now() - t0 }));
  await new Promise((resolve) => setTimeout(resolve, 200)); // the write is waiting now
  for (let i = 0; i < 5; i++) {
    const r0 = Date.now();
    const r = await s.get('/api/v1/units/24');
    assert.equal(r.status, 200, r.text);
    assert.ok(Date.now() - r0 < 1000, `a read took ${Date.now() - r0} ms while a write waited`);
  }
  await released;
  const { r, ms } = await write;
  assert.equal(r.status, 201, r.text);
  assert.ok(ms >= HOLD_MS - 500, `the write waited for the lock (${ms} ms)`);
  assert.equal((await s.get('/api/v1/units/LN1')).status, 200);
});

// A GET that writes (a member's page, whose sensitive fields leave an audit
// row) waits for the lock with the writes: before, it waited in the
// readers' lane and held up the reads behind it.
test('a read that writes its audit row waits with the writes, not before the reads', async () => {
  const unit = (code, level, parent) => s.post('/api/v1/units', { date: '2025-07-01', kind: 'territorial', code, name_vi: `Làn ${code}`, name_en: `Lane ${code}`, level, parent });
  assert.equal((await unit('LN2', 'commune', '24')).status, 201);
  assert.equal((await unit('LN2.1', 'branch', 'LN2')).status, 201);
  const m = await s.post('/api/v1/members', { full_name: 'Lò Thị Làn', birth_date: '1985-03-04', unit: 'LN2.1', joined_on: '2025-08-01', ethnicity: '01', religion: 'Không' });
  assert.equal(m.status, 201, m.text);
  const { released } = await holdWriteLock(s.db.url, HOLD_MS);
  const t0 = Date.now();
  const page = s.get(`/api/v1/members/${m.body.id}`).then((r) => ({ r, ms: Date.now() - t0 }));
  await new Promise((resolve) => setTimeout(resolve, 200)); // it is waiting now
  for (let i = 0; i < 3; i++) {
    const r0 = Date.now();
    const r = await s.get('/api/v1/units/24');
    assert.equal(r.status, 200, r.text);
    assert.ok(Date.now() - r0 < 1000, `a read took ${Date.now() - r0} ms while a member's page waited to write`);
  }
  await released;
  const { r, ms } = await page;
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.full_name, 'Lò Thị Làn');
  // (PostgreSQL's audit insert takes no lock of ours: it need not wait)
  if (!/^postgres(ql)?:\/\//.test(s.db.url)) assert.ok(ms >= HOLD_MS - 500, `the page waited for the lock (${ms} ms)`);
});

// A write whose client gave up while it waited in its lane is not run: the
// client may have sent it again, and both would be done. The two writers'
// threads wait for the lock; the third write waits in the lane's queue,
// and its client leaves after 1.5 s.
test('a write whose client left while it waited in the lane is not done', async () => {
  const body = (code) => ({ date: '2025-07-01', kind: 'territorial', code, name_vi: `Xã ${code}`, name_en: `Commune ${code}`, level: 'commune', parent: '24' });
  const { released } = await holdWriteLock(s.db.url, HOLD_MS);
  const first = [s.post('/api/v1/units', body('LN3')), s.post('/api/v1/units', body('LN4'))];
  await new Promise((resolve) => setTimeout(resolve, 200)); // both threads wait
  const left = new Promise((resolve) => {
    const req = http.request(`${s.base}/api/v1/units`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.adminToken}` },
    });
    req.on('error', () => resolve());
    req.end(JSON.stringify(body('LN5')));
    setTimeout(() => { req.destroy(); resolve(); }, 1500);
  });
  await left;
  await released;
  for (const r of await Promise.all(first)) assert.equal(r.status, 201, r.text);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the lane has reached it
  assert.equal((await s.get('/api/v1/units/LN5')).status, 404, 'the write of the client that left was done');
});

// /healthz reads the store too: when the store stalls (here a table it
// reads is locked; in life a failover), the checks wait in the readers'
// lane, and libmicrohttpd's two threads go on answering the rest. Before,
// they ran on those threads, and two checks stopped the whole server.
// PostgreSQL only: SQLite's readers meet no lock.
test('health checks that wait for the store hold up no one else', { skip: !process.env.UNIONBASE_TEST_PG && 'SQLite: a read meets no lock' }, async () => {
  const { released } = await holdLock(s.db.url, 'LOCK TABLE meta IN ACCESS EXCLUSIVE MODE;', HOLD_MS);
  const checks = [1, 2, 3].map(() => s.request('GET', '/healthz', { auth: false }));
  await new Promise((resolve) => setTimeout(resolve, 200)); // they wait now
  const t0 = Date.now();
  const page = await fetch(`${s.base}/`);
  assert.equal(page.status, 200);
  await page.text();
  assert.ok(Date.now() - t0 < 1000, `the web app's page took ${Date.now() - t0} ms while health checks waited`);
  await released;
  for (const r of await Promise.all(checks)) assert.equal(r.status, 200, r.text);
});

// An expired session is refused at once while the lock is held: its row is
// deleted only if the lock comes within 50 ms (the next log-in's sweep
// takes it otherwise). Before, the refusal waited up to 10 s for the lock,
// and an upload's refusal did so on one of libmicrohttpd's two polling
// threads, holding up every connection of that thread.
test('an expired session is refused at once while the write lock is held, an upload\'s too', async () => {
  const username = 'lane.expired';
  const password = 'pw-lane-expired-7f3k2';
  assert.equal((await s.post('/api/v1/users', { username, unit: '24', roles: ['entry'], password })).status, 201);
  const l = await s.login(username, password);
  assert.equal(l.status, 200, l.r.text);
  await s.sql(`UPDATE sessions SET last_seen_at = last_seen_at - ${31 * 60} WHERE user_id = (SELECT id FROM users WHERE username = '${username}')`);
  const { released } = await holdWriteLock(s.db.url, HOLD_MS);
  for (const send of [
    () => s.get('/api/v1/units/24', undefined, { cookie: l.cookie }),
    () => s.request('POST', '/api/v1/imports', { cookie: l.cookie, csrf: l.csrf, query: { unit: '24', file_name: 'x.csv' }, raw: Buffer.from('a\n'), headers: { 'Content-Type': 'application/octet-stream' } }),
  ]) {
    const t0 = Date.now();
    const r = await send();
    assert.equal(r.status, 401, r.text);
    // PostgreSQL deletes the row without the store's write lock: the
    // upload then finds no session at all
    assert.ok(['session_expired', 'unauthorized'].includes(r.body.error.code), r.text);
    assert.ok(Date.now() - t0 < 1000, `refused after ${Date.now() - t0} ms with the lock held`);
  }
  await released;
  // with the lock free, the refusal deletes the row
  assert.equal((await s.get('/api/v1/units/24', undefined, { cookie: l.cookie })).status, 401);
  assert.equal((await s.sql(`SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = '${username}')`)).trim(), '0');
});

// A search (GET /api/v1/members or /api/v1/units with q) has a lane of its
// own, whose threads go first for the processor: an officer typing a name
// does not wait behind the unit pages, lists and health checks queued in
// the readers' lane. Here the readers' one thread waits (a unit page
// meets its events' table locked from outside), a list waits behind it,
// and the searches are answered meanwhile. PostgreSQL only: SQLite's readers meet
// no lock.
test('searches are answered while the readers\' lane waits', { skip: !process.env.UNIONBASE_TEST_PG && 'SQLite: a read meets no lock' }, async () => {
  const { released } = await holdLock(s.db.url, 'LOCK TABLE events IN ACCESS EXCLUSIVE MODE;', HOLD_MS);
  const page = s.get('/api/v1/units/24');
  await new Promise((resolve) => setTimeout(resolve, 200)); // the readers' thread waits now
  let listed = false;
  const list = s.get('/api/v1/members?unit=24').then((r) => { listed = true; return r; });
  // a q of spaces only is a list, and waits with the lists
  let spaced = false;
  const spaces = s.get('/api/v1/members?unit=24&q=%20%20').then((r) => { spaced = true; return r; });
  for (const path of ['/api/v1/members?unit=24&q=l%C3%A0n', '/api/v1/units?q=ha%20noi']) {
    const t0 = Date.now();
    const r = await s.get(path);
    assert.equal(r.status, 200, r.text);
    assert.ok(Date.now() - t0 < 1000, `a search took ${Date.now() - t0} ms while the readers' lane waited`);
  }
  assert.equal(listed, false, 'the list, in the readers\' lane, was answered before the unit page');
  assert.equal(spaced, false, 'a q of spaces only was answered as a search');
  await released;
  assert.equal((await page).status, 200);
  assert.equal((await list).status, 200);
  assert.equal((await spaces).status, 200);
});

// The lanes' threads stand back for the processor in turn (server.c,
// LANE_NICE): searches and writes at the server's own priority, reads and
// reports 5 below it; each thread named for its lane. Read from Linux's
// /proc: the 14th field after the command's name is the nice value.
test('the readers\' and reports\' threads stand back for the searches and writes', async () => {
  const dir = `/proc/${s.proc.child.pid}/task`;
  const lanes = {};
  for (const tid of fs.readdirSync(dir)) {
    const name = fs.readFileSync(`${dir}/${tid}/comm`, 'utf8').trim();
    const stat = fs.readFileSync(`${dir}/${tid}/stat`, 'utf8');
    const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    (lanes[name] ||= []).push(nice);
  }
  const own = lanes.unionbase?.[0];
  assert.equal(typeof own, 'number', JSON.stringify(lanes));
  assert.deepEqual(lanes['ub-read'], [own + 5]); // --threads 1
  assert.deepEqual(lanes['ub-report'], [own + 5, own + 5]);
  assert.deepEqual(lanes['ub-write'], [own, own]);
  assert.deepEqual(lanes['ub-search'], [own, own, own, own]);
});
