// kept.test.js - what a server keeps of the organisation tree (each
// caller's scope, store/scope.c; unit pages, api/answers.h), kept with the
// tree's version and used while the version stands, is never stale: a
// change made through another server or the command line shows on the
// next request, and callers of different scopes never get each other's
// pages. Each read is repeated, so that every thread of the server (a
// connection each, with its kept scopes; the unit pages are kept once for
// the process) has answered it before the change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startServer, startPeer, runBin, BIN } from './server.js';

let a, b, officer;
const D = '2026-02-01';
const REPEAT = 24;

before(async () => {
  a = await startServer();
  b = await startPeer(a);
  const mk = (code) => a.op('/api/v1/units', { code, name_vi: `Xã ${code}`, name_en: code, level: 'commune', parent: '01', date: D }, 201);
  for (const c of ['KP1', 'KP2', 'KP3']) await mk(c);
  await withInput(['user', 'add', 'kp.officer', '--unit', 'KP2', '--role', 'viewer', '--db', a.db.url], 'mat-khau-cua-can-bo\n');
  const t = await runBin(['user', 'token', 'kp.officer', '--name', 'kept', '--db', a.db.url]);
  officer = t.stdout.trim();
});
after(async () => {
  if (b) await b.stop();
  if (a) await a.stop();
});

function withInput(args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(BIN, args, (err, stdout, stderr) => (err ? reject(new Error(stdout + stderr)) : resolve(stdout)));
    child.stdin.end(input);
  });
}

async function many(server, path, query, opts = {}) {
  const out = [];
  for (let i = 0; i < REPEAT; i++) out.push(await server.get(path, query, opts));
  return out;
}

test('a unit page kept by one server shows a change made by another server or by the command line at once', async () => {
  for (const r of await many(a, '/api/v1/units/KP1')) assert.equal(r.body.name_vi, 'Xã KP1');
  await b.op('/api/v1/units/KP1/rename', { date: '2026-03-01', name_vi: 'Xã Kẹp Mới', name_en: 'KP1 new' }, 200);
  for (const r of await many(a, '/api/v1/units/KP1')) {
    assert.equal(r.status, 200);
    assert.equal(r.body.name_vi, 'Xã Kẹp Mới');
    assert.equal(r.body.names.length, 2);
  }
  await runBin(['units', 'rename', 'KP1', '--name-vi', 'Xã Kẹp Ba', '--name-en', 'KP1 third', '--date', '2026-03-15', '--db', a.db.url]);
  for (const r of await many(a, '/api/v1/units/KP1')) assert.equal(r.body.name_vi, 'Xã Kẹp Ba');
  // the page of an earlier day is kept apart
  for (const r of await many(a, '/api/v1/units/KP1', { as_of: '2026-02-15' })) assert.equal(r.body.name_vi, 'Xã KP1');
});

test('an officer\'s kept scope follows a merge into her commune made by another server', async () => {
  const auth = { auth: officer };
  for (const r of await many(a, '/api/v1/units/KP3', { as_of: '2026-02-15' }, auth)) assert.equal(r.status, 404);
  for (const r of await many(a, '/api/v1/units/KP2', undefined, auth)) {
    assert.equal(r.status, 200);
    assert.ok(!r.body.events.some((ev) => ev.kind === 'merge'));
  }
  await b.op('/api/v1/units/merge', { date: '2026-03-01', sources: ['KP2', 'KP3'], into: 'KP2' }, 200);
  // KP3 was formed into her commune: its history is hers now
  for (const r of await many(a, '/api/v1/units/KP3', { as_of: '2026-02-15' }, auth)) {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.code, 'KP3');
  }
  for (const r of await many(a, '/api/v1/units/KP2', undefined, auth)) assert.ok(r.body.events.some((ev) => ev.kind === 'merge'));
});

test('callers of different scopes never get each other\'s kept pages', async () => {
  const auth = { auth: officer };
  for (let i = 0; i < REPEAT; i++) {
    const admin = await a.get('/api/v1/units/KP2');
    const hers = await a.get('/api/v1/units/KP2', undefined, auth);
    assert.equal(admin.status, 200);
    assert.equal(hers.status, 200);
    assert.equal(admin.body.parent.code, '01');
    assert.equal(hers.body.parent, null); // above her scope: not said
    assert.equal((await a.get('/api/v1/units/01')).status, 200);
    assert.equal((await a.get('/api/v1/units/01', undefined, auth)).status, 404);
  }
});
