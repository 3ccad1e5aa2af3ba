// cli.test.js - the command line, used as people and scripts use it: every
// `units` subcommand on a fresh database of the store under test, human and
// --json output, one-line errors with a non-zero exit, UNIONBASE_DB, and the
// `user` commands (password from standard input, tokens that work).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, freshDatabase, Server } from './server.js';

let dir, db;

function ub(args, { input, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = execFile(BIN, args, { env: { ...process.env, ...env }, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

async function ok(args, opts) {
  const r = await ub(args, opts);
  assert.equal(r.code, 0, `unionbase ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

// The rows of a CSV the export wrote (RFC 4180: quoted fields may hold
// commas, quotes doubled, line breaks), as objects by the header's names.
function csvRows(text) {
  const rows = [[]];
  let field = '', quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { rows[rows.length - 1].push(field); field = ''; }
    else if (c === '\n') { rows[rows.length - 1].push(field.replace(/\r$/, '')); field = ''; rows.push([]); }
    else field += c;
  }
  if (field || rows[rows.length - 1].length) rows[rows.length - 1].push(field);
  const [head, ...body] = rows.filter((r) => r.length > 1);
  return body.map((r) => Object.fromEntries(r.map((v, i) => [head[i], v])));
}

async function json(args) {
  return JSON.parse(await ok([...args, '--json']));
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-cli-'));
  db = await freshDatabase(dir);
  const out = await ok(['init', db.url]);
  assert.match(out, /63 provinces until 2025-06-30, 34 from 2025-07-01, 54 ethnic groups/);
  assert.match(out, /user name: admin password: \S{16}/);
});

after(async () => {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('init is all or nothing: a refused init leaves a database that init can still create', async () => {
  const d2 = await freshDatabase(dir);
  try {
    const bad = await ub(['init', '--levels', 'central,commune', d2.url]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /central and province/);
    const good = await ok(['init', d2.url]);
    assert.match(good, /created \(schema \d+\)/);
    assert.match(good, /user name: admin password: /);
  } finally {
    await d2.drop();
  }
});

test('help, version, unknown commands', async () => {
  assert.match(await ok(['help']), /units list\|show\|tree\|lineage/);
  assert.match(await ok(['--version']), /^unionbase \d+\.\d+\.\d+ \(schema \d+\)/);
  assert.match(await ok(['units', 'help']), /merge SRC SRC\.\.\. --into CODE/);
  const r = await ub(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^unionbase: unknown command 'frobnicate'/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('reading the tree as of a date, for people and for scripts', async () => {
  const before = await json(['units', 'list', '--level', 'province', '--as-of', '2025-06-01', '--limit', '500', '--db', db.url]);
  assert.equal(before.items.length, 63);
  const now = await json(['units', 'list', '--level', 'province', '--as-of', '2025-07-01', '--limit', '500', '--db', db.url]);
  assert.equal(now.items.length, 34);
  const text = await ok(['units', 'list', '--level', 'province', '--as-of', '2025-07-01', '--db', db.url]);
  assert.match(text, /34 unit\(s\)/);
  assert.match(text, /24\s+Bắc Ninh \(province\)/);
  // UNIONBASE_DB instead of --db
  const viaEnv = await ok(['units', 'show', '46', '--as-of', '2025-07-01'], { env: { UNIONBASE_DB: db.url } });
  assert.match(viaEnv, /Huế/);
  assert.match(viaEnv, /Thừa Thiên Huế/);
  const lineage = await json(['units', 'lineage', '24', '--as-of', '2025-07-01', '--db', db.url]);
  assert.deepEqual(lineage.predecessors.map((p) => p.unit.code).sort(), ['24', '27']);
  const search = await json(['units', 'list', '--q', 'da nang', '--db', db.url]);
  assert.deepEqual(search.items.map((u) => u.name_vi), ['Đà Nẵng']);
  const tree = await json(['units', 'tree', 'VN', '--depth', '1', '--as-of', '2025-06-01', '--db', db.url]);
  assert.equal(tree.root.children.length, 63);
});

test('every reorganisation from the command line, with its events', async () => {
  const d = ['--db', db.url];
  await ok(['units', 'add', '--code', 'C1', '--name-vi', 'Xã Một', '--name-en', 'One', '--level', 'commune', '--parent', '24', '--date', '2025-08-01', ...d]);
  await ok(['units', 'add', '--code', 'C2', '--name-vi', 'Xã Hai', '--name-en', 'Two', '--level', 'commune', '--parent', '24', '--date', '2025-08-01', '--attr', 'border island', ...d]);
  await ok(['units', 'add', '--code', 'C1.1', '--name-vi', 'Chi hội A', '--name-en', 'A', '--level', 'branch', '--parent', 'C1', '--date', '2025-08-01', ...d]);
  await ok(['units', 'add', '--code', 'C1.2', '--name-vi', 'Chi hội B', '--name-en', 'B', '--level', 'branch', '--parent', 'C1', '--date', '2025-08-01', ...d]);
  await ok(['units', 'rename', 'C1', '--name-vi', 'Xã Một Mới', '--name-en', 'New One', '--date', '2025-09-01', ...d]);
  await ok(['units', 'move', 'C1.2', '--parent', 'C2', '--date', '2025-09-15', ...d]);
  const split = await ok(['units', 'split', 'C1', '--part', 'S1:Xã Bắc:North', '--part', 'S2:Xã Nam:South', '--child', 'C1.1=S1', '--date', '2025-10-01', ...d]);
  assert.match(split, /S1\s+Xã Bắc/);
  const merged = await json(['units', 'merge', 'S2', 'C2', '--code', 'M1', '--name-vi', 'Xã Hợp Nhất', '--name-en', 'Merged', '--date', '2025-11-01', ...d]);
  assert.equal(merged.code, 'M1');
  assert.equal(merged.child_count, 1); // C1.2 came from C2
  await ok(['units', 'move', 'C1.1', '--parent', 'M1', '--date', '2025-11-15', ...d]);
  await ok(['units', 'close', 'S1', '--date', '2025-12-01', ...d]);
  // a child that moves with its parent's merge keeps its parent history
  const c12 = await json(['units', 'show', 'C1.2', '--as-of', '2025-11-01', ...d]);
  assert.deepEqual(c12.parents.map((p) => p.parent.code), ['C1', 'C2', 'M1']);
  const events = await json(['units', 'events', 'C1.2', '--as-of', '2025-11-01', ...d]);
  // the merge that handed it from C2 to M1 is among its events too
  assert.deepEqual(events.items.map((e) => e.kind), ['merge', 'move', 'create']);
  const m1 = await json(['units', 'lineage', 'M1', '--as-of', '2025-11-01', ...d]);
  assert.deepEqual(m1.predecessors.map((p) => p.unit.code).sort(), ['C1', 'C2', 'S2']);
});

test('refusals: one line on stderr, exit 1, nothing changed', async () => {
  const d = ['--db', db.url];
  // a commune of its own under 24 (a plain init has none)
  await ok(['units', 'add', '--code', 'RF1', '--name-vi', 'Xã Từ Chối', '--name-en', 'Refusal', '--level', 'commune', '--parent', '24', '--date', '2025-08-01', ...d]);
  const snapshot = await ok(['units', 'events', '--limit', '500', '--json', ...d]);
  for (const [args, code] of [
    [['units', 'move', '24', '--parent', '24', '--date', '2025-08-01'], 'cycle'],
    [['units', 'add', '--code', '24', '--name-vi', 'X', '--name-en', 'X', '--level', 'province', '--parent', 'VN', '--date', '2025-08-01'], 'code_taken'],
    [['units', 'close', '24', '--date', '2026-01-01'], 'has_children'],
    [['units', 'rename', '27', '--name-vi', 'X', '--name-en', 'X', '--date', '2025-08-01'], 'unit_closed'],
    [['units', 'add', '--code', 'Z9', '--name-vi', 'X', '--name-en', 'X', '--level', 'province', '--parent', 'RF1', '--date', '2025-12-01'], 'level_order'],
  ]) {
    const r = await ub([...args, ...d]);
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, new RegExp(`\\[${code}\\]`), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const usage = await ub(['units', 'move', '24', ...d]);
  assert.equal(usage.code, 2);
  const badDate = await ub(['units', 'list', '--as-of', '2025-02-30', ...d]);
  assert.equal(badDate.code, 2);
  const noDb = await ub(['units', 'list'], { env: { UNIONBASE_DB: '' } });
  assert.equal(noDb.code, 1);
  assert.match(noDb.stderr, /--db DB or set UNIONBASE_DB/);
  assert.equal(await ok(['units', 'events', '--limit', '500', '--json', ...d]), snapshot);
});

test('operations files apply all or nothing, naming the bad line', async () => {
  const d = ['--db', db.url];
  const good = path.join(dir, 'ops.csv');
  fs.writeFileSync(good, 'op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n'
    + 'create,2026-02-01,F1,"Xã Phố, Một",F1,commune,,,24,,NQ 1\n'
    + 'create,2026-02-01,F2,Xã Hai,F2,commune,,,24,,\n');
  assert.match(await ok(['units', 'apply', good, ...d]), /2 operation\(s\) applied/);
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, 'op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n'
    + 'create,2026-02-01,F3,Xã Ba,F3,commune,,,24,,\n'
    + 'create,2026-02-01,F4,Xã Bốn,F4,commune,,,NOPE,,\n');
  const r = await ub(['units', 'apply', bad, ...d]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /line 3/);
  const f3 = await ub(['units', 'show', 'F3', '--as-of', '2026-02-01', ...d]);
  assert.equal(f3.code, 1, 'F3 of the refused file must not exist');
});

// Issue 13, finding 9: `units apply` refused nothing of these, or refused
// with a misleading error. Each now fails with the line (and column), the
// reason and a code, and nothing of the file is applied.
test('operations files: malformed files are refused with line, column and code, nothing applied', async () => {
  const d = ['--db', db.url];
  const head = 'op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n';
  const row = (code, name = `Xã ${code}`) => `create,2026-03-01,${code},${name},${code},commune,,,24,,\n`;
  const cases = [
    // a NUL byte cut the field silently: "Xa" was stored
    ['nul', Buffer.concat([Buffer.from(head + row('N1')), Buffer.from('create,2026-03-01,N2,Xa'), Buffer.from([0]),
      Buffer.from('Hai,N2,commune,,,24,,\n')]), /line 3, column 4 \(name_vi\): a NUL byte.*\[csv_nul_byte\]/],
    // a misspelt column was ignored, and the parent reported missing
    ['misspelt', 'op,date,code,name_vi,name_en,level,parnet\ncreate,2026-03-01,N1,Xã N1,N1,commune,24\n',
      /line 1, column 7: unknown column 'parnet' \(did you mean 'parent'\?\) \[unknown_column\]/],
    ['unknown', 'op,date,code,name_vi,name_en,level,parent,population\ncreate,2026-03-01,N1,Xã N1,N1,commune,24,5\n',
      /line 1, column 8: unknown column 'population' \(the columns are op, date, code, .*\) \[unknown_column\]/],
    // a column named twice: the first one was used, the second ignored
    ['twice', 'op,date,code,name_vi,name_en,level,parent,parent\ncreate,2026-03-01,N1,Xã N1,N1,commune,24,01\n',
      /line 1, column 8 \(parent\): column 7 has the same name \[csv_duplicate_column\]/],
    // 200,000 columns were accepted
    ['wide', 'op,date,code,name_vi,name_en,level,parent,' + Array.from({ length: 200000 }, (_, i) => `x${i}`).join(',')
      + '\ncreate,2026-03-01,N1,Xã N1,N1,commune,24\n', /line 1: more than 1024 columns \[csv_too_many_columns\]/],
    // an unclosed quote was reported as two missing fields
    ['unclosed', head + 'create,2026-03-01,N1,"Xã N1,N1,commune,,,24,,\n' + row('N2'),
      /line 2, column 4 \(name_vi\): the quoted value that starts here has no closing quote \[csv_unclosed_quote\]/],
    // a field and a row over their bounds
    ['long-field', head + row('N1', 'x'.repeat(70000)), /line 2, column 4 \(name_vi\): the field is longer than 65536 bytes \[csv_field_too_long\]/],
    ['long-row', 'op,date,code,' + Array.from({ length: 20 }, (_, i) => `c${i}`).join(',') + '\n'
      + 'create,2026-03-01,N1,' + Array.from({ length: 20 }, () => 'y'.repeat(60000)).join(',') + '\n',
      /line 2: the row is longer than 1048576 bytes \[csv_row_too_long\]/],
    // a value beyond the header (an unquoted comma) was dropped
    ['shifted', head + 'create,2026-03-01,N1,Xã N1, Một,N1,commune,,,24,,\n',
      /line 2, column 12: a field beyond the 11 columns of the header.*\[csv_extra_field\]/],
    ['latin1', Buffer.concat([Buffer.from(head + 'create,2026-03-01,N1,X'), Buffer.from([0xe3]), Buffer.from(',N1,commune,,,24,,\n')]),
      /line 2, column 4 \(name_vi\): the text is not UTF-8.*\[csv_not_utf8\]/],
  ];
  for (const [name, content, want] of cases) {
    const file = path.join(dir, `malformed-${name}.csv`);
    fs.writeFileSync(file, content);
    const r = await ub(['units', 'apply', file, ...d]);
    assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, want, name);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stdout, /applied/, name);
    for (const code of ['N1', 'N2']) {
      const u = await ub(['units', 'show', code, '--as-of', '2026-03-01', ...d]);
      assert.equal(u.code, 1, `${name}: ${code} must not exist`);
    }
  }
});

test('operations files: a folder is not read as an empty file', async () => {
  // was: fread's error taken for the end of the file, "the file is empty"
  const r = await ub(['units', 'apply', dir, '--db', db.url]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot read .*: Is a directory \[unreadable\]/);
});

test('operations files: every bad row is reported with its line and column, nothing applied', async () => {
  const d = ['--db', db.url];
  const file = path.join(dir, 'bad-rows.csv');
  fs.writeFileSync(file, 'op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note\n'
    + 'create,2026-03-01,R1,Xã R1,R1,commune,,,24,,\n'
    + 'craete,2026-03-01,R2,Xã R2,R2,commune,,,24,,\n'
    + 'create,2026-02-30,R3,Xã R3,R3,commune,,,24,,\n'
    + `create,2026-03-01,R4,${'n'.repeat(900)},R4,commune,,,24,,\n`);
  const r = await ub(['units', 'apply', file, ...d]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /operations file: 3 row\(s\) are not valid \[invalid\]/);
  assert.match(r.stderr, /line 3, op 'craete' is not an operation \(create, merge, rename, attributes, move, close\)/);
  assert.match(r.stderr, /line 4, date '2026-02-30' is not a day YYYY-MM-DD/);
  assert.match(r.stderr, /line 5, name_vi is too long \(at most 800 bytes\)/);
  const u = await ub(['units', 'show', 'R1', '--as-of', '2026-03-01', ...d]);
  assert.equal(u.code, 1, 'R1, a good row of the refused file, must not exist');
});

test('users: password from standard input, tokens that work, disable', async () => {
  const d = ['--db', db.url];
  const add = await ok(['user', 'add', 'lan', '--unit', '24', '--role', 'viewer', '--role', 'entry', '--display-name', 'Nguyễn Thị Lan', ...d], { input: 'mat-khau-rat-dai\n' });
  assert.match(add, /user lan created at 24/);
  assert.doesNotMatch(add, /password:/);
  const short = await ub(['user', 'add', 'mai', '--unit', '24', '--role', 'viewer', ...d], { input: 'short\n' });
  assert.equal(short.code, 1);
  assert.match(short.stderr, /at least 10 characters/);
  // issue 13, finding 10: a password longer than the limit is refused, not cut; one of white space is refused
  for (const n of [300, 400]) { // 900 bytes: read whole, then too long; 1,200: more than the line read
    const long = await ub(['user', 'add', 'mai', '--unit', '24', '--role', 'viewer', ...d], { input: 'ễ'.repeat(n) + '\n' });
    assert.notEqual(long.code, 0, long.stderr);
    assert.match(long.stderr, /too long \(at most 256 characters\)/);
  }
  const blank = await ub(['user', 'add', 'mai', '--unit', '24', '--role', 'viewer', ...d], { input: ' '.repeat(16) + '\n' });
  assert.equal(blank.code, 1);
  assert.match(blank.stderr, /more than white space/);
  // issue 14, item 5: one of the most common passwords, or one with digits added
  const common = await ub(['user', 'add', 'mai', '--unit', '24', '--role', 'viewer', ...d], { input: 'Password12345\n' });
  assert.equal(common.code, 1);
  assert.match(common.stderr, /is a common password, or one with digits added: choose another/);
  const list = await ok(['user', 'list', ...d]);
  assert.match(list, /lan\s+24\s+viewer entry/);
  assert.doesNotMatch(list, /\bmai\b/);
  const passwd = await ub(['user', 'passwd', 'lan', ...d], { input: 'iloveyou2024\n' });
  assert.equal(passwd.code, 1);
  assert.match(passwd.stderr, /common password/);
  assert.match(await ok(['user', 'passwd', 'lan', ...d], { input: 'mat-khau-moi-cua-lan\n' }), /password of lan changed/);
  const token = (await ok(['user', 'token', 'lan', '--name', 'script', '--role', 'viewer', ...d])).trim();
  assert.match(token, /^ubt_[A-Za-z0-9_-]{43}$/);
  const exp = await json(['user', 'export', 'lan', ...d].filter((a) => a !== '--json'));
  assert.equal(exp.account.username, 'lan');
  assert.equal(exp.api_tokens.length, 1);
  assert.ok(!JSON.stringify(exp).includes(token), 'an export never holds a secret');
  assert.match(await ok(['user', 'disable', 'lan', ...d]), /user lan disabled/);
  const dup = await ub(['user', 'add', 'lan', '--unit', '24', '--role', 'viewer', ...d], { input: 'mat-khau-rat-dai\n' });
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /username_taken/);
});

test('users: edit and reset from the command line (issue 14), audited', async () => {
  const d = ['--db', db.url];
  await ok(['user', 'add', 'hue', '--unit', '24', '--role', 'viewer', ...d], { input: 'mat-khau-rat-dai\n' });
  const edit = await ok(['user', 'edit', 'hue', '--display-name', 'Phạm Thị Huệ', '--unit', '01', '--role', 'viewer', '--role', 'entry', ...d]);
  assert.match(edit, /user hue: Phạm Thị Huệ, at 01, roles viewer entry/);
  assert.match(await ok(['user', 'list', ...d]), /hue\s+01\s+viewer entry/);
  const none = await ub(['user', 'edit', 'hue', ...d]);
  assert.equal(none.code, 2, none.stderr);
  const nowhere = await ub(['user', 'edit', 'hue', '--unit', 'ZZ404', ...d]);
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /ZZ404/);
  const reset = await ok(['user', 'reset', 'hue', ...d]);
  const m = /one-time password of hue: (\S{16})/.exec(reset);
  assert.ok(m, reset);
  const exp = JSON.parse(await ok(['user', 'export', 'hue', ...d]));
  assert.equal(exp.account.must_change_password ?? true, true);
  const actions = exp.actions ? JSON.stringify(exp.actions) : '';
  assert.ok(!actions.includes(m[1]), 'the one-time password is not kept in the audit');
  const gone = await ub(['user', 'reset', 'no.such.user', ...d]);
  assert.equal(gone.code, 1);
});

test('members from the command line: add (checked as the API checks), list with search, show', async () => {
  const d = ['--db', db.url];
  await ok(['units', 'add', '--code', 'MB1', '--name-vi', 'Xã Hội Viên', '--name-en', 'Members Commune', '--level', 'commune', '--parent', '24', '--date', '2025-08-01', ...d]);
  await ok(['units', 'add', '--code', 'MB1.1', '--name-vi', 'Chi hội Một', '--name-en', 'Branch One', '--level', 'branch', '--parent', 'MB1', '--date', '2025-08-01', ...d]);
  const add = ['members', 'add', '--full-name', 'Nguyễn  Thị Hoa', '--birth-date', '1990-05-04', '--unit', 'MB1.1', '--joined-on', '2025-09-01', ...d];
  // a man's century digit on a woman's ID number: refused with the API's code, nothing added
  const bad = await ub([...add, '--id-number', '001090012345']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /id_number.*4th digit.*\[invalid\]|\[invalid\].*id_number/s);
  const m = await json([...add, '--id-number', '001190012345', '--phone', '0912 345 678', '--field', 'digital=true', '--field', 'occupation=Nông dân']);
  assert.deepEqual([m.full_name, m.unit.code, m.joined_on, m.id_number, m.phone, m.digital, m.occupation], ['Nguyễn Thị Hoa', 'MB1.1', '2025-09-01', '001190012345', '+84912345678', true, 'Nông dân']);
  const list = await json(['members', 'list', '--q', 'nguyen hoa', '--as-of', '2025-09-01', ...d]);
  assert.deepEqual(list.items.map((x) => x.id), [m.id]);
  assert.deepEqual((await json(['members', 'list', '--q', 'nguyen hoa', '--as-of', '2025-08-31', ...d])).items, [], 'not yet a member');
  const shown = await json(['members', 'show', String(m.id), ...d]);
  assert.deepEqual(shown.history.map((h) => [h.unit.code, h.from, h.until]), [['MB1.1', '2025-09-01', null]]);
  const listed = await ok(['members', 'list', '--unit', 'MB1', '--as-of', '2025-09-01', ...d]);
  assert.match(listed, /Nguyễn Thị Hoa\s+1990-05-04\s+MB1\.1\s+since 2025-09-01/);
  const line = listed.split('\n').find((l) => l.includes('Nguyễn Thị Hoa'));
  assert.equal(line.indexOf('1990-05-04'), 9 + 32, 'the name padded to 32 columns by display width, not by bytes');
  // the figures: as the API gives them, and as a table for a spreadsheet
  const rep = await json(['report', 'members', '--unit', 'MB1', '--as-of', '2025-09-01', ...d]);
  assert.deepEqual([rep.total, rep.branches, rep.children.map((c) => [c.unit.code, c.total])], [1, 1, [['MB1.1', 1]]]);
  assert.equal(rep.breakdowns.ethnicity.reduce((a, x) => a + x.total, 0), 1, 'the command line reads everything');
  const csv = await ok(['report', 'members', '--unit', 'MB1', '--as-of', '2025-09-01', '--csv', ...d]);
  assert.equal(csv, 'unit,name,members,branches\n"MB1.1","Chi hội Một",1,1\n"MB1","total",1,1\n');
  assert.equal((await ub(['report', 'members', '--as-of', '2025-09-01', ...d])).code, 2, '--unit is required');
  // she moves to another branch, then leaves
  await ok(['units', 'add', '--code', 'MB1.2', '--name-vi', 'Chi hội Hai', '--name-en', 'Branch Two', '--level', 'branch', '--parent', 'MB1', '--date', '2025-08-01', ...d]);
  const x = (await json(['members', 'add', '--full-name', 'Lê Thị Chuyển', '--birth-date', '1980-02-02', '--unit', 'MB1.1', '--joined-on', '2025-08-15', ...d])).id;
  const moved = await json(['members', 'transfer', String(x), '--to', 'MB1.2', '--date', '2025-10-01', ...d]);
  assert.deepEqual(moved.history.map((h) => [h.unit.code, h.until]), [['MB1.1', '2025-09-30'], ['MB1.2', null]]);
  const gone = await json(['members', 'leave', String(x), '--reason', 'married_away', '--date', '2025-11-01', ...d]);
  assert.deepEqual(gone.history.map((h) => h.end_reason), ['transferred', 'married_away']);
  const again = await ub(['members', 'leave', String(x), '--reason', 'left', '--date', '2025-12-01', ...d]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not_a_member/);
  assert.equal((await ub(['members', 'leave', String(x), '--reason', 'eloped', ...d])).code, 2);
  // she comes back: rejoined, her history kept; not before she left
  const soon = await ub(['members', 'rejoin', String(x), '--unit', 'MB1.1', '--date', '2025-10-15', ...d]);
  assert.equal(soon.code, 1);
  assert.match(soon.stderr, /date_out_of_range/);
  assert.equal((await ub(['members', 'rejoin', String(x), ...d])).code, 2, '--unit is required');
  const back = await json(['members', 'rejoin', String(x), '--unit', 'MB1.1', '--date', '2025-12-01', ...d]);
  assert.deepEqual(back.history.map((h) => [h.unit.code, h.start_reason]), [['MB1.1', 'joined'], ['MB1.2', 'transferred'], ['MB1.1', 'rejoined']]);
  assert.match((await ub(['members', 'rejoin', String(x), '--unit', 'MB1.1', '--date', '2025-12-02', ...d])).stderr, /already_a_member/);
  assert.equal((await ub(['members', 'refuse', '1', ...d])).code, 2, '--reason is required');
  // dues: the commune's rate, her payment, once
  assert.match(await ok(['members', 'rate', 'MB1', '--year', '2025', '--amount', '24000', ...d]), /dues of MB1 for 2025: 24000 VND/);
  await ok(['members', 'pay', String(m.id), '--year', '2025', '--date', '2025-09-15', ...d]);
  const twice = await ub(['members', 'pay', String(m.id), '--year', '2025', '--date', '2025-09-16', ...d]);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /dues_paid/);
  assert.equal((await ub(['members', 'pay', String(m.id), '--year', '19x', ...d])).code, 2);
  // corrected: checked whole, as the API checks it
  const fixed = await json(['members', 'edit', String(m.id), '--phone', '0988 111 222', '--field', 'occupation=Giáo viên', ...d]);
  assert.deepEqual([fixed.phone, fixed.occupation], ['+84988111222', 'Giáo viên']);
  const wrong = await ub(['members', 'edit', String(m.id), '--birth-date', '1991-05-04', ...d]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /id_number/);
  assert.equal((await ub(['members', 'edit', String(m.id), ...d])).code, 2, 'nothing to correct');
  // the transfer inbox: one issued through the API (written here as the API writes it) awaits MB1.2
  await Server.prototype.sql.call({ db }, `INSERT INTO transfers (person_id, from_unit, to_unit, date, status, created_by, created_at) VALUES (${m.id}, (SELECT min(id) FROM units WHERE code = 'MB1.1'), (SELECT min(id) FROM units WHERE code = 'MB1.2'), '2025-10-01', 'pending', 'cli.test', '2025-10-01T08:00:00Z')`);
  assert.match(await ok(['members', 'transfers', '--unit', 'MB1.2', ...d]), /pending\s+2025-10-01\s+MB1\.1 -> MB1\.2\s+Nguyễn Thị Hoa/);
  assert.match(await ok(['members', 'transfers', '--unit', 'MB1.2', '--out', ...d]), /no transfers/);
  const outbox = await json(['members', 'transfers', '--unit', 'MB1', '--out', '--status', 'pending', ...d]);
  assert.deepEqual(outbox.map((t) => [t.status, t.from.code, t.to.code, t.member.full_name]), [['pending', 'MB1.1', 'MB1.2', 'Nguyễn Thị Hoa']]);
  assert.equal((await ub(['members', 'transfers', '--status', 'lost', ...d])).code, 2);
  const ahead = await ub(['members', 'accept', String(outbox[0].id), '--date', '2999-01-01', ...d]);
  assert.equal(ahead.code, 2, 'nothing recorded ahead of today');
  assert.match(ahead.stderr, /after today/);
  assert.match(await ok(['members', 'accept', String(outbox[0].id), '--date', '2025-10-01', ...d]), /accepted/);
  assert.deepEqual((await json(['members', 'transfers', '--unit', 'MB1.2', ...d])).map((t) => t.status), ['accepted']);
  // her personal data: exported whole, then erased
  const ex = await json(['members', 'export-personal', String(m.id), ...d]);
  assert.equal(ex.record.full_name, 'Nguyễn Thị Hoa');
  assert.deepEqual(ex.dues.map((x) => x.year), ['2025']);
  assert.match(await ok(['members', 'erase', String(m.id), ...d]), /erased/);
  assert.equal((await ub(['members', 'show', String(m.id), ...d])).code, 1, 'erased: not found');
  assert.equal((await ub(['members', 'show', 'abc', ...d])).code, 2);
  assert.equal((await ub(['members', 'list', '--as-of', '2025-02-30', ...d])).code, 2);
});

test('init --demo adds members with ten years of history: well-formed records whose figures add up', async () => {
  const d2 = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-demo-members-'));
  const demo = await freshDatabase(d2);
  try {
    const out = await ok(['init', '--demo', '--members', '400', demo.url], { env: { UNIONBASE_TODAY: '2026-12-01' } });
    const m = /demo members: (\d+) in (\d+) branches and groups, (\d+) of them left since, (\d+) moved/.exec(out);
    assert.ok(m, out);
    assert.equal(Number(m[1]), 400);
    const today = await json(['members', 'list', '--as-of', '2026-12-01', '--limit', '500', '--db', demo.url]);
    assert.equal(today.items.length, 400 - Number(m[3]), 'the members today: all but those who left');
    // every CCCD fits its record: century and sex digit, year of birth (the
    // export has every member's, one program for all of them)
    const rows = csvRows(await ok(['export', '--unit', 'VN', '--as-of', '2026-12-01', '--db', demo.url]));
    assert.equal(rows.length, today.items.length, 'every member of today exported');
    for (const r of rows) {
      const id = r['Số CCCD'];
      const year = Number(r['Ngày sinh'].slice(6));
      const digit = Number(id[3]);
      assert.equal(Math.floor(digit / 2), year >= 2000 ? 1 : 0, `${id} ${r['Ngày sinh']}`);
      if (r['Loại hội viên'] === 'Hội viên') assert.equal(digit % 2, 1, `${id}: a woman`);
      assert.equal(id.slice(4, 6), String(year % 100).padStart(2, '0'));
    }
    for (const it of today.items.slice(0, 5)) {
      const rec = await json(['members', 'show', String(it.id), '--as-of', '2026-12-01', '--db', demo.url]);
      assert.ok(rec.history[0].from >= '2010-01-01', 'within the demo units\' life');
    }
    // the same seed, the same members
    const again = await freshDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-demo-again-')));
    try {
      await ok(['init', '--demo', '--members', '400', again.url], { env: { UNIONBASE_TODAY: '2026-12-01' } });
      const other = await json(['members', 'list', '--as-of', '2026-12-01', '--limit', '500', '--db', again.url]);
      assert.deepEqual(other.items.map((x) => [x.full_name, x.birth_date]), today.items.map((x) => [x.full_name, x.birth_date]));
    } finally {
      await again.drop();
    }
    assert.equal((await ub(['init', '--members', '5', path.join(d2, 'x.db')])).code, 2, '--members needs --demo');
  } finally {
    await demo.drop();
    fs.rmSync(d2, { recursive: true, force: true });
  }
});
