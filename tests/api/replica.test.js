// replica.test.js - reports read from a read copy (issue 17, item 4):
// `serve --read-db URL` sends statistics, indicator values and exports to
// a PostgreSQL streaming replica while writes go to the primary, and only
// while the replica's lag stays within --read-max-lag; every answer read
// there says how far behind it may be (Unionbase-Read-Copy-Lag and
// -Max-Lag headers).
//
// PostgreSQL run only (UNIONBASE_TEST_PG set): the test starts a primary
// of its own and a replica of it (scripts/pg-test-server.sh start and
// replica, pg_basebackup and streaming replication) and two servers on
// them: `primary` (--db only: writes and the primary's figures) and `copy`
// (--db and --read-db). The refusals of --read-db run on both stores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, startPeer, freshDatabase, BIN, REPO, TODAY } from './server.js';

const execFileP = promisify(execFile);
const PG = Boolean(process.env.UNIONBASE_TEST_PG);
const MAX_LAG = 2; // seconds: --read-max-lag of `copy`
const SCRIPT = path.join(REPO, 'scripts', 'pg-test-server.sh');

let state = null; // the own PostgreSQL's state folder
let primaryUrl, replicaUrl, primary, copy, branch;

async function pgServer(...args) {
  const { stdout } = await execFileP(SCRIPT, args, { env: { ...process.env, UNIONBASE_PG_STATE: state } });
  return stdout.trim().split('\n').pop();
}

before(async () => {
  if (!PG) return;
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-replica-'));
  primaryUrl = await pgServer('start');
  replicaUrl = await pgServer('replica');
  primary = await startServer({ demo: true, members: 40, database: { url: primaryUrl, drop: async () => {} } });
  copy = await startPeer(primary, { args: ['--read-db', replicaUrl, '--read-max-lag', String(MAX_LAG)] });
  const m = await primary.ok('/api/v1/members', { limit: 1 });
  branch = m.items[0].unit.code;
});

after(async () => {
  await Promise.all([copy?.stop(), primary?.stop()]);
  if (state) {
    await pgServer('stop').catch(() => {});
    fs.rmSync(state, { recursive: true, force: true });
  }
});

const report = (s) => s.get('/api/v1/reports/members', { unit: 'VN' });
const lagOf = (r) => r.headers.get('unionbase-read-copy-lag');

// Polls `copy` until pred(answer) holds (at most 20 s); returns the answer.
async function until(pred, what) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const r = await report(copy);
    assert.equal(r.status, 200, r.text);
    if (pred(r)) return r;
    assert.ok(Date.now() < deadline, `${what}: not within 20 s (last: lag ${lagOf(r)}, total ${r.body.total})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function addMember(name) {
  const r = await primary.post('/api/v1/members', { full_name: name, birth_date: '1984-05-06', unit: branch, joined_on: TODAY, ethnicity: '01' });
  assert.equal(r.status, 201, r.text);
}

async function replicaSql(text) {
  const { stdout } = await execFileP('psql', [replicaUrl, '-v', 'ON_ERROR_STOP=1', '-qtA', '-c', text]);
  return stdout.trim();
}

test('the figures are read from the replica, and are right there after a write', { skip: !PG && 'PostgreSQL only' }, async () => {
  const first = await until((r) => lagOf(r) !== null, 'the replica serving');
  assert.equal(first.headers.get('unionbase-read-copy-max-lag'), String(MAX_LAG));
  assert.ok(Number(lagOf(first)) <= MAX_LAG, `lag ${lagOf(first)}`);
  const before = (await primary.ok('/api/v1/reports/members', { unit: 'VN' })).total;
  assert.equal(first.body.total, before, 'the replica and the primary agree before the write');
  await addMember('Trần Thị Bản Sao');
  const after = (await primary.ok('/api/v1/reports/members', { unit: 'VN' })).total;
  assert.equal(after, before + 1);
  // every answer meanwhile: from the replica within the bound, or the primary's
  const seen = await until((r) => {
    if (lagOf(r) === null) assert.equal(r.body.total, after, 'an answer without the header is the primary\'s');
    else assert.ok(Number(lagOf(r)) <= MAX_LAG && [before, after].includes(r.body.total), `lag ${lagOf(r)}, total ${r.body.total}`);
    return lagOf(r) !== null && r.body.total === after;
  }, 'the write on the replica');
  // the same figures as the primary's, every one of them
  const full = await primary.ok('/api/v1/reports/members', { unit: 'VN' });
  assert.deepEqual(seen.body, full);
  // indicator values go there too
  const v = await copy.get('/api/v1/indicators/members/value', { unit: 'VN', period: TODAY.slice(0, 7) });
  assert.equal(v.status, 200, v.text);
  assert.ok(lagOf(v) !== null, 'an indicator value is read from the replica');
});

test('a replica that lags beyond --read-max-lag is passed by: the primary answers', { skip: !PG && 'PostgreSQL only' }, async () => {
  await until((r) => lagOf(r) !== null, 'the replica serving');
  await replicaSql('SELECT pg_wal_replay_pause()');
  try {
    await addMember('Lê Thị Chậm');
    const now = (await primary.ok('/api/v1/reports/members', { unit: 'VN' })).total;
    // within the bound the replica may answer with the figure before; past it, never
    const start = Date.now();
    let r;
    do {
      r = await report(copy);
      assert.equal(r.status, 200, r.text);
      if (lagOf(r) === null) assert.equal(r.body.total, now);
      else assert.ok(Number(lagOf(r)) <= MAX_LAG, `lag ${lagOf(r)}`);
      await new Promise((res) => setTimeout(res, 200));
    } while (Date.now() - start < (MAX_LAG + 1) * 1000);
    r = await report(copy);
    assert.equal(lagOf(r), null, `still read from a replica paused for ${MAX_LAG + 1} s`);
    assert.equal(r.body.total, now);
  } finally {
    await replicaSql('SELECT pg_wal_replay_resume()');
  }
  const back = await until((r) => lagOf(r) !== null, 'the replica serving again');
  assert.equal(back.body.total, (await primary.ok('/api/v1/reports/members', { unit: 'VN' })).total);
  assert.match(copy.log, /reports go to the primary: the read copy lags more than --read-max-lag/);
  assert.match(copy.log, /reports go to the read copy again/);
});

test('an export is read from the replica and audited on the primary', { skip: !PG && 'PostgreSQL only' }, async () => {
  // a member of its own (not the first test's), on the replica before the export
  await addMember('Đinh Thị Xuất Khẩu');
  const total = (await primary.ok('/api/v1/reports/members', { unit: 'VN' })).total;
  await until((r) => lagOf(r) !== null && r.body.total === total, 'the new member on the replica');
  const r = await copy.get('/api/v1/exports/members', { unit: 'VN', format: 'csv' });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.ok(lagOf(r) !== null, 'the export was read from the replica');
  assert.match(r.text, /Đinh Thị Xuất Khẩu/);
  const audit = await primary.ok('/api/v1/audit', { action: 'member.export_list' });
  assert.ok(audit.items.some((a) => a.action === 'member.export_list'), JSON.stringify(audit.items.slice(0, 3)));
  // writes and the member pages never go there
  const m = await copy.get('/api/v1/members', { unit: branch, limit: 1 });
  assert.equal(m.status, 200);
  assert.equal(lagOf(m), null);
});

test('a replica that stops is passed by, and taken again when it is back', { skip: !PG && 'PostgreSQL only' }, async () => {
  await until((r) => lagOf(r) !== null, 'the replica serving');
  const dir = path.join(fs.readFileSync(path.join(state, 'current'), 'utf8').split('\n')[0], 'replica');
  const pgCtl = async (...a) => {
    const bindir = fs.readdirSync('/usr/lib/postgresql').sort((x, y) => Number(x) - Number(y)).pop();
    const cmd = [`/usr/lib/postgresql/${bindir}/bin/pg_ctl`, '-D', dir, ...a];
    const [file, args] = process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', ...cmd]] : [cmd[0], cmd.slice(1)];
    await execFileP(file, args, { cwd: '/' });
  };
  await pgCtl('-m', 'fast', '-w', 'stop');
  try {
    const r = await report(copy);
    assert.equal(r.status, 200, r.text);
    assert.equal(lagOf(r), null);
    assert.equal(r.body.total, (await primary.ok('/api/v1/reports/members', { unit: 'VN' })).total);
    assert.match(copy.log, /reports go to the primary: the read copy cannot be reached/);
  } finally {
    await pgCtl('-l', path.join(dir, '..', 'replica-server.log'), '-w', 'start');
  }
  await until((r) => lagOf(r) !== null, 'the replica serving after its restart');
});

// The processes of the own replica: its postmaster and its children.
async function replicaPids() {
  const dir = path.join(fs.readFileSync(path.join(state, 'current'), 'utf8').split('\n')[0], 'replica');
  const main = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
  const { stdout } = await execFileP('pgrep', ['-P', main]).catch(() => ({ stdout: '' }));
  return [main, ...stdout.split('\n').filter(Boolean)];
}

test('a replica that hangs is passed by within seconds', { skip: !PG && 'PostgreSQL only' }, async () => {
  await until((r) => lagOf(r) !== null, 'the replica serving');
  const pids = await replicaPids();
  await execFileP('kill', ['-STOP', ...pids]);
  try {
    const t0 = Date.now();
    const r = await report(copy);
    assert.equal(r.status, 200, r.text);
    assert.equal(lagOf(r), null, 'answered by the primary');
    assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
    assert.equal(r.body.total, (await primary.ok('/api/v1/reports/members', { unit: 'VN' })).total);
  } finally {
    await execFileP('kill', ['-CONT', ...pids]);
  }
  await until((r) => lagOf(r) !== null, 'the replica serving after it woke');
});

// serve with a bad --read-db: an error, no server
async function serveFails(args, pattern) {
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const t = setTimeout(() => child.kill('SIGKILL'), 20000);
  const code = await new Promise((res) => child.on('exit', (c) => res(c)));
  clearTimeout(t);
  assert.notEqual(code, 0, `serve ${args.join(' ')} started:\n${out}`);
  assert.match(out, pattern);
}

test('--read-db refuses what is no replica', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-replica-'));
  const db = await freshDatabase(dir);
  try {
    await execFileP(BIN, ['init', db.url]);
    await serveFails(['--db', db.url, '--read-max-lag', '5'], /--read-max-lag goes with --read-db/);
    if (PG) {
      await serveFails(['--db', db.url, '--read-db', db.url], /not a streaming replica of --db: it is not a replica/);
      if (replicaUrl) {
        // a replica, but of another database (and another cluster)
        await serveFails(['--db', db.url, '--read-db', replicaUrl], /not a streaming replica of --db: it replays another database/);
      }
      await serveFails(['--db', db.url, '--read-db', path.join(dir, 'x.db')], /PostgreSQL streaming replica/);
    } else {
      await serveFails(['--db', db.url, '--read-db', db.url], /PostgreSQL streaming replica/);
    }
    await serveFails(['--db', db.url, '--read-db', 'postgresql://nobody@127.0.0.1:1/none'], /--read-db/);
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
