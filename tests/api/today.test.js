// today.test.js - where "today" comes from. Every other test runs against a
// server whose today the harness pinned (UNIONBASE_TODAY, see server.js), so
// this file checks the two paths themselves:
//   - unpinned, the server and the CLI take the day of the system clock in
//     their local time zone: run in a zone chosen so that its day differs from
//     the day in UTC right now, the answer must be the zone's day;
//   - pinned to a day far from the clock's, the server and the CLI use that
//     day for as_of and for operations without a date, and serve says so in
//     its log;
//   - a pin that is not a day is refused at start-up by serve and by every
//     command (exit 2, naming UNIONBASE_TODAY), never silently ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, TODAY, startServer, runBin, addDays } from './server.js';

const HOUR = 3600 * 1000;

// A POSIX time zone (glibc reads it without tzdata) whose calendar day
// differs from the UTC day now and for at least the next hour: UTC+14 in the
// afternoon UTC (its day is tomorrow's), UTC-12 in the morning UTC (its day is
// yesterday's). dayAt(ms) is that zone's day at a time.
function farZone(now = Date.now()) {
  const east = new Date(now).getUTCHours() >= 11;
  const offset = east ? 14 : -12;
  return {
    tz: east ? '<+14>-14' : '<-12>+12',
    dayAt: (ms) => new Date(ms + offset * HOUR).toISOString().slice(0, 10),
    utcDayAt: (ms) => new Date(ms).toISOString().slice(0, 10),
  };
}

// Runs the program (or another); resolves {code, stdout, stderr} whatever the exit.
function ub(args, env, file = BIN) {
  const full = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  return new Promise((resolve) => {
    execFile(file, args, { env: full, timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('unpinned: the server and the CLI take the clock\'s day in their local time zone, not in UTC', async () => {
  const zone = farZone();
  const env = { UNIONBASE_TODAY: undefined, TZ: zone.tz };
  const s = await startServer({ env });
  try {
    assert.doesNotMatch(s.log, /pinned/, 'no pin, no "pinned" in the log');
    const t0 = Date.now();
    const r = await s.ok('/api/v1/units', { level: 'province' });
    const cli = JSON.parse((await runBin(['units', 'list', '--level', 'province', '--json', '--db', s.db.url], env)).stdout);
    const t1 = Date.now();
    // the day in that zone when the requests were made (two days only if
    // its midnight fell in between: either is right then)
    const want = new Set([zone.dayAt(t0), zone.dayAt(t1)]);
    assert.ok(want.has(r.as_of), `the server's today ${r.as_of} is the day in ${zone.tz}: ${[...want]}`);
    assert.ok(want.has(cli.as_of), `the CLI's today ${cli.as_of} is the day in ${zone.tz}: ${[...want]}`);
    // the zone was chosen so that this tells local time from UTC
    assert.notEqual(r.as_of, zone.utcDayAt(t0), 'not the UTC day');
    assert.equal(r.items.length, 34);
  } finally {
    await s.stop();
  }
});

test('unpinned, in the zone the tests run in: the server\'s today is the system date', async () => {
  // the system date as date(1) gives it: the C library's reading of TZ, as
  // the server's (node reads some TZ values differently, e.g. '<+07>-7')
  const systemDate = async () => (await ub(['+%F'], {}, 'date')).stdout.trim();
  const s = await startServer({ env: { UNIONBASE_TODAY: undefined } });
  try {
    const before = await systemDate();
    const r = await s.ok('/api/v1/units', { level: 'province' });
    const after = await systemDate();
    assert.match(before, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok([before, after].includes(r.as_of), `${r.as_of} is the system date ${before}`);
  } finally {
    await s.stop();
  }
});

test('pinned: the server and the CLI use UNIONBASE_TODAY for as_of and for operations without a date, and serve logs it', async () => {
  // a day far from the clock's (and from the harness's pin), a leap day
  const PIN = TODAY === '2032-02-29' ? '2036-02-29' : '2032-02-29';
  const env = { UNIONBASE_TODAY: PIN, TZ: farZone().tz }; // a pin is a day: no zone moves it
  const s = await startServer({ env });
  try {
    assert.match(s.log, new RegExp(`today is pinned to ${PIN} \\(UNIONBASE_TODAY\\)`));
    assert.equal((await s.ok('/api/v1/units', { level: 'province' })).as_of, PIN);
    assert.equal((await s.ok('/api/v1/tree', { depth: 1 })).as_of, PIN);
    const u = await s.op('/api/v1/units', { code: 'PIN1', name_vi: 'Xã Ghim', name_en: 'Pinned Commune', level: 'commune', parent: '01' }, 201);
    assert.equal(u.valid_from, PIN, 'a unit created without a date starts on the pinned day');
    const c = await s.op('/api/v1/units', { code: 'PIN2', name_vi: 'Xã Đóng', name_en: 'Closed Commune', level: 'commune', parent: '01', date: '2025-08-01' }, 201);
    const closed = await s.op('/api/v1/units/PIN2/close', {}, 200);
    assert.equal(closed.id, c.id);
    assert.equal(closed.valid_until, addDays(PIN, -1), 'a close without a date ends the day before the pinned day');
    assert.equal((await s.get('/api/v1/units/PIN2')).status, 404, 'closed today');
    const cli = JSON.parse((await runBin(['units', 'show', 'PIN1', '--json', '--db', s.db.url], env)).stdout);
    assert.equal(cli.valid_from, PIN);
    const list = JSON.parse((await runBin(['units', 'list', '--level', 'province', '--json', '--db', s.db.url], env)).stdout);
    assert.equal(list.as_of, PIN);
  } finally {
    await s.stop();
  }
});

test('a pin that is not a day is refused at start-up by serve and every command, naming UNIONBASE_TODAY', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-today-'));
  try {
    const db = path.join(dir, 'pin.db');
    const ok = await ub(['init', db], { UNIONBASE_TODAY: '2028-02-29' }); // a leap day is a day
    assert.equal(ok.code, 0, ok.stderr);
    for (const bad of ['2027-02-29', '2031-13-01', '2031-1-1', '31-01-01', 'tomorrow', ' 2031-01-01', '2031-01-01T00:00']) {
      const env = { UNIONBASE_TODAY: bad };
      for (const args of [['serve', '--db', db, '--listen', '127.0.0.1:0'], ['units', 'list', '--db', db],
        ['user', 'list', '--db', db], ['init', path.join(dir, 'never.db')]]) {
        const r = await ub(args, env);
        const what = `UNIONBASE_TODAY='${bad}' unionbase ${args[0]}`;
        assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.stderr}`);
        assert.match(r.stderr, /^unionbase: UNIONBASE_TODAY='.*' is not a day YYYY-MM-DD/, what);
        assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
        assert.equal(r.stdout, '', what);
      }
      assert.ok(!fs.existsSync(path.join(dir, 'never.db')), `UNIONBASE_TODAY='${bad}' init created nothing`);
    }
    // empty is unset: the clock
    const r = await ub(['units', 'list', '--level', 'province', '--json', '--db', db], { UNIONBASE_TODAY: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).items.length, 34);
    // help and --version read no date
    assert.equal((await ub(['--version'], { UNIONBASE_TODAY: 'tomorrow' })).code, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
