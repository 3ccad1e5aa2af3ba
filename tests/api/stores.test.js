// stores.test.js - what the store behind the API must guarantee: two servers
// on one database agree at once (nothing shared lives in one process), and
// `unionbase copy` moves a whole database between SQLite and PostgreSQL and
// back without losing anything. Runs on SQLite, and on PostgreSQL when
// UNIONBASE_TEST_PG is set (then the copy goes SQLite -> PostgreSQL -> SQLite).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, startPeer, runBin, freshDatabase } from './server.js';

let a, b;

before(async () => {
  a = await startServer({ demo: true });
  b = await startPeer(a);
});

after(async () => {
  if (b) await b.stop();
  if (a) await a.stop();
});

test('two servers on one database: a write through one is read through the other at once', async () => {
  const created = await a.op('/api/v1/units', {
    code: 'PEER1', name_vi: 'Xã Hai Máy', name_en: 'Two Servers Commune', level: 'commune', parent: '24', date: '2025-08-01',
  }, 201);
  const seen = await b.ok('/api/v1/units/PEER1', { as_of: '2025-08-01' });
  assert.equal(seen.id, created.id);
  assert.equal(seen.name_vi, 'Xã Hai Máy');

  await b.op('/api/v1/units/PEER1/rename', { date: '2025-09-01', name_vi: 'Xã Đổi Tên', name_en: 'Renamed' }, 200);
  const renamed = await a.ok('/api/v1/units/PEER1', { as_of: '2025-09-01' });
  assert.equal(renamed.name_vi, 'Xã Đổi Tên');
  assert.equal(renamed.names.length, 2);

  // the same code cannot be taken twice, whichever server is asked
  const r = await b.post('/api/v1/units', {
    code: 'PEER1', name_vi: 'Khác', name_en: 'Other', level: 'commune', parent: '24', date: '2025-10-01',
  });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'code_taken');

  // lists agree page by page
  const la = await a.all('/api/v1/units', { level: 'commune', as_of: '2025-09-01' }, 50);
  const lb = await b.all('/api/v1/units', { level: 'commune', as_of: '2025-09-01' }, 50);
  assert.deepEqual(lb, la);
});

test('concurrent writes through both servers all land, none twice', async () => {
  // a commune of its own to write under
  await a.op('/api/v1/units', {
    code: 'CONC', name_vi: 'Xã Đồng Thời', name_en: 'Concurrent Commune', level: 'commune', parent: '24', date: '2025-08-01',
  }, 201);
  const writes = [];
  for (let i = 0; i < 20; i++) {
    const s = i % 2 ? a : b;
    writes.push(s.op('/api/v1/units', {
      code: `CONC${i}`, name_vi: `Chi hội ${i}`, name_en: `Branch ${i}`, level: 'branch', parent: 'CONC', date: '2025-10-01',
    }, 201));
  }
  const made = await Promise.all(writes);
  assert.equal(new Set(made.map((u) => u.id)).size, 20);
  const kids = await a.all('/api/v1/units/CONC/children', { as_of: '2025-10-01' });
  assert.equal(kids.length, 20);
});

test('copy round trip: the store under test -> SQLite -> the store under test, then SQLite -> SQLite, loses nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-copy-'));
  const back = await freshDatabase(dir);
  try {
    const file = path.join(dir, 'copy.db');
    await runBin(['copy', a.db.url, file]);
    await runBin(['copy', file, back.url]);
    const again = path.join(dir, 'again.db');
    await runBin(['copy', back.url, `sqlite:${again}`]);
    // the same answers from the original and from the copies
    for (const url of [file, back.url, again]) {
      for (const args of [
        ['units', 'list', '--level', 'province', '--as-of', '2025-06-01', '--limit', '500', '--json'],
        ['units', 'list', '--level', 'commune', '--as-of', '2025-10-01', '--limit', '500', '--json'],
        ['units', 'show', '24', '--as-of', '2025-07-01', '--json'],
        ['units', 'lineage', '24', '--as-of', '2025-07-01', '--json'],
        ['units', 'events', '--limit', '500', '--json'],
      ]) {
        const want = await runBin([...args, '--db', a.db.url]);
        const got = await runBin([...args, '--db', url]);
        assert.deepEqual(JSON.parse(got.stdout), JSON.parse(want.stdout), `${args.join(' ')} on ${url}`);
      }
    }
    // copying into a database that holds data is refused
    await assert.rejects(runBin(['copy', file, back.url]), /not_empty|already holds/);
  } finally {
    await back.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
