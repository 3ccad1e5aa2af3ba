// targets.test.js - a congress term's targets per unit (issue 18 item 6,
// docs/reports.md, Targets), through the API and the command line, on the
// store UNIONBASE_TEST_PG chooses: the province hands targets down with
// room to adjust them; the commune adjusts within it, sets targets of her
// own, and sees where she stands on each (reached, on track, behind,
// missed, no data) and how many are reached; a share set above holds below;
// refusals store nothing; every change is audited with what it was.
// Each test sets the targets it reads itself, so that it passes alone and
// after the tests before it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startServer, assertError, BIN, TODAY } from './server.js';

function runBin(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, UNIONBASE_TODAY: TODAY } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

// The term the tests measure: the one from 1 July 2026, which the API
// tests' days (after 2026-04-01) reach from its first day on.
const T = 'T2026-2031';
const BEGUN = TODAY >= '2026-07-01';
const ENDED = TODAY > '2031-06-30';
// the six months of the term holding today (its last, once it is over)
const H = ENDED ? '2031H1' : `${TODAY.slice(0, 4)}H${TODAY.slice(5, 7) <= '06' ? 1 : 2}`;
let s;
const as = {};

async function caller(name, unit, roles) {
  const pw = `${name}-mat-khau-2026`;
  const r = await s.post('/api/v1/users', { username: name, display_name: `Người ${name}`, unit, roles, password: pw });
  assert.equal(r.status, 201, r.text);
  const l = await s.login(name, pw);
  assert.equal(l.status, 200, l.r.text);
  as[name] = { auth: false, cookie: l.cookie, csrf: l.csrf };
}

const path = (unit, term = T) => `/api/v1/targets/${unit}/${term}`;
const put = (unit, targets, who, term = T) => s.request('PUT', path(unit, term), { body: { targets }, ...(who ? as[who] : {}) });
const show = async (unit, who) => {
  const r = await s.get(path(unit), undefined, who ? as[who] : {});
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const item = (body, code) => body.items.find((i) => i.indicator === code);

before(async () => {
  s = await startServer();
  const mk = (b) => s.op('/api/v1/units', { date: '2025-07-01', kind: 'territorial', ...b }, 201);
  await mk({ code: 'TG1', name_vi: 'Xã Chỉ Tiêu', name_en: 'Target Commune', level: 'commune', parent: '24' });
  await mk({ code: 'TG1.1', name_vi: 'Chi hội Thôn Đích', name_en: 'Goal Hamlet', level: 'branch', parent: 'TG1' });
  await mk({ code: 'TG2', name_vi: 'Xã Kế Thừa', name_en: 'Heir Commune', level: 'commune', parent: '24' });
  for (const [i, n] of ['Hoa', 'Lan', 'Mai', 'Cúc'].entries()) {
    const r = await s.post('/api/v1/members', { full_name: `Lê Thị ${n}`, birth_date: '1988-05-06', unit: 'TG1.1', joined_on: '2026-01-15', ethnicity: '01', digital: i < 2 });
    assert.equal(r.status, 201, r.text);
  }
  await caller('approver.24', '24', ['approver']);
  await caller('head.tg1', 'TG1', ['entry']);
  await caller('head.tg2', 'TG2', ['entry']);
  await caller('viewer.tg1', 'TG1', ['viewer']);
});
after(async () => { if (s) await s.stop(); });

test('the province hands targets down; each has its value to date, the path\'s point for today and a status; "N of M reached" is counted', { skip: !BEGUN && 'the term begins on 2026-07-01' }, async () => {
  const r = await put('TG1', {
    members: { value: 2 },
    members_digital_share: { value: 80, allowance: 10 },
    clubs: { value: 3 },
    supervision_sessions: { value: 10 },
  }, 'approver.24');
  assert.equal(r.status, 200, r.text);
  const b = r.body;
  assert.deepEqual([b.unit.code, b.term, b.from, b.to], ['TG1', T, '2026-07-01', '2031-06-30']);
  assert.ok(b.elapsed >= 0 && b.elapsed <= 1);
  // catalogue order
  assert.deepEqual(b.items.map((i) => i.indicator), ['members', 'members_digital_share', 'clubs', 'supervision_sessions']);
  const share = item(b, 'members_digital_share');
  assert.deepEqual([share.target, share.direction, share.base, share.allowance, share.set_by, share.set_by_unit, share.inherited_from],
    [80, 'at_least', 80, 10, 'approver.24', '24', null]);
  // 2 of 4 members with digital capacity, today as on the term's eve
  assert.deepEqual([share.value, share.value_status, share.baseline], [50, 'computed', 50]);
  // compared with the path's point as it is shown (one decimal)
  assert.equal(share.status, share.expected <= 50 ? 'on_track' : ENDED ? 'missed' : 'behind');
  // the path's point, written with the share's one decimal
  assert.ok(Math.abs(share.expected - (50 + 30 * b.elapsed)) <= 0.05 + 1e-9, `${share.expected}`);
  assert.deepEqual([item(b, 'members').value, item(b, 'members').status], [4, 'reached']);
  assert.deepEqual([item(b, 'clubs').value, item(b, 'clubs').status], [null, 'no_data']);
  assert.deepEqual(b.summary, { no_data: 2, behind: share.status === 'behind' ? 1 : 0, on_track: share.status === 'on_track' ? 1 : 0, reached: 1, missed: share.status === 'missed' ? 1 : 0, total: 4 });

  // the commune's six-month report feeds the figures entered
  const f = await s.request('PUT', `/api/v1/forms/commune_half/TG1/${H}`, { body: { values: { clubs: 5, supervision_sessions: 4 } }, ...as['head.tg1'] });
  assert.equal(f.status, 200, f.text);
  const now = await show('TG1', 'head.tg1');
  assert.deepEqual([item(now, 'clubs').value, item(now, 'clubs').status], [5, 'reached']);
  const sess = item(now, 'supervision_sessions');
  assert.deepEqual([sess.value, sess.baseline, sess.value_status], [4, 0, 'entered']);
  assert.ok(Math.abs(sess.expected - 10 * now.elapsed) <= 0.5, `${sess.expected}`);
  assert.ok(Number.isInteger(sess.expected), 'sessions are whole');
  assert.equal(sess.status, sess.expected <= 4 ? 'on_track' : ENDED ? 'missed' : 'behind');
  assert.equal(now.summary.reached, 2);
  assert.equal(now.summary.total, 4);
});

test('the commune adjusts a target handed down within its room, and sets targets of her own', async () => {
  assert.equal((await put('TG1', { members_digital_share: { value: 80, allowance: 10 } }, 'approver.24')).status, 200);
  const low = assertError(await put('TG1', { members_digital_share: { value: 65 } }, 'head.tg1'), 422, 'invalid');
  assert.deepEqual(low.details.map((d) => [d.field, d.code, d.limit]), [['targets.members_digital_share.value', 'beyond_allowance', '70']]);
  const ok = await put('TG1', { members_digital_share: { value: 70 } }, 'head.tg1');
  assert.equal(ok.status, 200, ok.text);
  const share = item(ok.body, 'members_digital_share');
  assert.deepEqual([share.target, share.base, share.allowance, share.set_by, share.set_by_unit], [70, 80, 10, 'head.tg1', 'TG1']);
  // more ambitious is always hers to choose
  assert.equal(item((await put('TG1', { members_digital_share: { value: 95 } }, 'head.tg1')).body, 'members_digital_share').target, 95);
  for (const [spec, field] of [
    [{ value: 75, allowance: 20 }, 'targets.members_digital_share.allowance'],
    [{ value: 75, direction: 'at_most' }, 'targets.members_digital_share.direction'],
    [null, 'targets.members_digital_share'],
  ]) {
    const e = assertError(await put('TG1', { members_digital_share: spec }, 'head.tg1'), 422, 'invalid', JSON.stringify(spec));
    assert.deepEqual(e.details.map((d) => [d.field, d.code]), [[field, 'managed_from_above']]);
  }
  // her own: no one handed it down
  const own = await put('TG1', { comm_sessions: { value: 12 } }, 'head.tg1');
  assert.equal(own.status, 200, own.text);
  assert.deepEqual([item(own.body, 'comm_sessions').base, item(own.body, 'comm_sessions').allowance], [null, null]);
  const gone = await put('TG1', { comm_sessions: null }, 'head.tg1');
  assert.equal(item(gone.body, 'comm_sessions'), undefined);
  // the province may lower it, and take it back
  const back = await put('TG1', { members_digital_share: { value: 60, allowance: 0 } }, 'approver.24');
  assert.deepEqual([item(back.body, 'members_digital_share').target, item(back.body, 'members_digital_share').base], [60, 60]);
});

test('a share set for the province holds for each commune below it that has none of its own', async () => {
  // TG1 has a share of its own, handed down by the province (as the test
  // above leaves it); TG2 has none
  assert.equal((await put('TG1', { members_digital_share: { value: 60, allowance: 0 } }, 'approver.24')).status, 200);
  const r = await s.request('PUT', path('24'), { body: { targets: { members_digital_share: { value: 75 } } } });
  assert.equal(r.status, 200, r.text);
  const heir = await show('TG2', 'head.tg2');
  const share = item(heir, 'members_digital_share');
  assert.deepEqual([share.target, share.inherited_from, share.base, share.allowance], [75, '24', 75, 0]);
  // a count is each unit's own: none handed down to the commune
  assert.equal(item(heir, 'clubs'), undefined);
  assert.equal(item(await show('TG1', 'head.tg1'), 'members_digital_share').inherited_from, null);
  // what was handed down binds the commune that inherits it
  const e = assertError(await put('TG2', { members_digital_share: { value: 74 } }, 'head.tg2'), 422, 'invalid');
  assert.deepEqual(e.details.map((d) => [d.code, d.limit]), [['beyond_allowance', '75']]);
  // room given to the province is the province's: the commune below has none of it
  assert.equal((await s.request('PUT', path('24'), { body: { targets: { members_digital_share: { value: 75, allowance: 5 } } } })).status, 200);
  const noRoom = assertError(await put('TG2', { members_digital_share: { value: 73 } }, 'head.tg2'), 422, 'invalid');
  assert.deepEqual(noRoom.details.map((d) => [d.code, d.limit]), [['beyond_allowance', '75']]);
  const up = await put('TG2', { members_digital_share: { value: 76 } }, 'head.tg2');
  assert.equal(up.status, 200, up.text);
  assert.deepEqual([item(up.body, 'members_digital_share').target, item(up.body, 'members_digital_share').inherited_from], [76, null]);
});

test('refusals: not a term, unknown indicators, bad numbers, fields, callers; nothing stored', async () => {
  const before = await show('TG1', 'head.tg1');
  assertError(await s.get(path('TG1', '2026')), 422, 'invalid');
  const nt = assertError(await put('TG1', { clubs: { value: 1 } }, 'approver.24', '2026H1'), 422, 'invalid');
  assert.deepEqual(nt.details.map((d) => [d.field, d.code]), [['term', 'not_a_term']]);
  const bt = assertError(await s.get(path('TG1', 'T2026-2030')), 400, 'bad_request');
  assert.deepEqual(bt.details.map((d) => [d.field, d.code]), [['term', 'invalid_term']]);
  const bad = assertError(await put('TG1', {
    clubs: { value: 4 },
    nope: { value: 1 },
    members: { value: 1.5 },
    supervision_sessions: { value: 'mười' },
    trusted_addresses: { value: 2, allowance: -1 },
    comm_sessions: { value: 2, why: 'x' },
    training_courses: { value: 2, direction: 'sideways' },
    training_participants: { value: 2, direction: 5 },
    digital_trained: {},
    funds_mobilised: 7,
  }, 'approver.24'), 422, 'invalid');
  assert.deepEqual(bad.details.map((d) => [d.field, d.code]).sort(), [
    ['targets.comm_sessions.why', 'unknown_field'],
    ['targets.digital_trained.value', 'required'],
    ['targets.funds_mobilised', 'not_an_object'],
    ['targets.members.value', 'too_precise'],
    ['targets.nope', 'unknown_indicator'],
    ['targets.supervision_sessions.value', 'not_a_number'],
    ['targets.training_courses.direction', 'not_one_of'],
    ['targets.training_participants.direction', 'not_a_string'],
    ['targets.trusted_addresses.allowance', 'below_min'],
  ]);
  assertError(await s.request('PUT', path('TG1'), { body: { target: {} }, ...as['approver.24'] }), 422, 'invalid');
  assertError(await s.request('PUT', path('TG1'), { body: { targets: [] }, ...as['approver.24'] }), 422, 'invalid');
  assertError(await put('TG1', { clubs: { value: 1 } }, 'viewer.tg1'), 403, 'forbidden');
  assertError(await put('TG2', { clubs: { value: 1 } }, 'head.tg1'), 404, 'not_found');
  assertError(await s.get(path('TG2'), undefined, as['head.tg1']), 404, 'not_found');
  // the commune is not the province's: the level above sets its own
  assertError(await put('24', { clubs: { value: 1 } }, 'head.tg1'), 404, 'not_found');
  assert.deepEqual((await show('TG1', 'head.tg1')).items, before.items);
});

test('every change is audited with what the target was and became', async () => {
  // the changes audited: the province sets TG1's share and lowers it, the
  // commune sets a target of her own and removes it (a target set again as
  // it was is not audited: 80 first, so that 60 is a change whatever the
  // share was)
  for (const [targets, who] of [
    [{ members_digital_share: { value: 80, allowance: 10 } }, 'approver.24'],
    [{ members_digital_share: { value: 60, allowance: 0 } }, 'approver.24'],
    [{ comm_sessions: { value: 12 } }, 'head.tg1'],
    [{ comm_sessions: null }, 'head.tg1'],
  ]) {
    const r = await put('TG1', targets, who);
    assert.equal(r.status, 200, `${JSON.stringify(targets)}: ${r.text}`);
  }
  const audit = await s.ok('/api/v1/audit', { unit: 'TG1' });
  const rows = audit.items.filter((a) => a.record_type === 'target');
  const actions = rows.map((a) => a.action);
  assert.ok(actions.includes('target.set') && actions.includes('target.remove'), `${actions}`);
  const lowered = rows.find((a) => a.action === 'target.set' && a.record_id === `TG1/${T}/members_digital_share` && a.user === 'approver.24' && a.before);
  assert.ok(lowered, JSON.stringify(rows.slice(0, 3)));
  assert.deepEqual([lowered.before.value, lowered.after.value], [80, 60], 'the newest: 80 lowered to 60');
  const removed = rows.find((a) => a.action === 'target.remove' && a.record_id === `TG1/${T}/comm_sessions`);
  assert.deepEqual([removed?.user, removed?.before?.value, removed?.after], ['head.tg1', 12, null], JSON.stringify(removed));
});

test('the command line: the same targets, set and shown', async () => {
  const url = s.db.url;
  const j = await runBin(['targets', 'show', '--unit', 'TG1', '--term', T, '--json', '--db', url]);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), await show('TG1', 'head.tg1'));
  // TG2's share of its own (76: above the province's 75 when it has one, as
  // the test above leaves it), and the two set below: 3 targets
  assert.equal((await put('TG2', { members_digital_share: { value: 76 } }, 'head.tg2')).status, 200);
  const set = await runBin(['targets', 'set', '--unit', 'TG2', '--term', T, 'clubs=2', '--allowance', 'clubs=1', 'households_5k3s=3', '--at-most', 'households_5k3s', '--db', url]);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /TG2 T2026-2031 \(2026-07-01 to 2031-06-30\): \d+ of 3 targets reached/);
  const clubs = item(await show('TG2', 'head.tg2'), 'clubs');
  assert.deepEqual([clubs.target, clubs.allowance, clubs.set_by_unit], [2, 1, null]);
  assert.equal(item(await show('TG2', 'head.tg2'), 'households_5k3s').direction, 'at_most');
  const bad = await runBin(['targets', 'set', '--unit', 'TG2', '--term', T, 'clubs=-1', '--db', url]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /clubs/);
  for (const args of [['targets'], ['targets', 'show', '--unit', 'TG2', '--db', url], ['targets', 'set', '--unit', 'TG2', '--term', T, '--db', url], ['targets', 'show', '--unit', 'TG2', '--term', T, 'clubs=1', '--db', url]]) {
    const u = await runBin(args);
    assert.equal(u.code, 2, `${args}: ${u.stderr}`);
  }
});

test('charts\' figures: an indicator over periods for a unit, and across the units below it', async () => {
  const ser = await s.get('/api/v1/indicators/members/series', { unit: 'TG1', to: '2026H2', count: 3 }, as['head.tg1']);
  assert.equal(ser.status, 200, ser.text);
  assert.deepEqual(ser.body.items.map((i) => i.period), ['2025H2', '2026H1', '2026H2']);
  // the members joined on 2026-01-15
  assert.deepEqual(ser.body.items.slice(0, 2).map((i) => [i.value, i.status]), [[0, 'computed'], [4, 'computed']]);
  const q = (await s.get('/api/v1/indicators/clubs/series', { unit: 'TG1', to: '2026Q4' }, as['head.tg1'])).body;
  assert.equal(q.items.length, 10);
  assert.equal(q.items[9].period, '2026Q4');
  const kids = await s.get('/api/v1/indicators/members/children', { unit: '24', period: '2026H1' }, as['approver.24']);
  assert.equal(kids.status, 200, kids.text);
  const by = Object.fromEntries(kids.body.items.map((i) => [i.unit.code, i.value]));
  assert.deepEqual([by.TG1, by.TG2], [4, 0]);
  assert.equal(kids.body.items.find((i) => i.unit.code === 'TG1').unit.name_vi, 'Xã Chỉ Tiêu');
  // the commune sees her own units only
  assertError(await s.get('/api/v1/indicators/members/children', { unit: '24', period: '2026H1' }, as['head.tg1']), 404, 'not_found');
  const one = await s.get('/api/v1/indicators/members/children', { period: '2026H1' }, as['head.tg1']);
  assert.deepEqual(one.body.items.map((i) => [i.unit.code, i.value]), [['TG1.1', 4]]);
  assertError(await s.get('/api/v1/indicators/members/series', { unit: 'TG1', to: '2026H2', count: 0 }), 400, 'bad_request');
  assertError(await s.get('/api/v1/indicators/members/series', { unit: 'TG1', to: '2026H2', count: 41 }), 400, 'bad_request');
  assertError(await s.get('/api/v1/indicators/members/series', { unit: 'TG1' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/indicators/nope/series', { unit: 'TG1', to: '2026H2' }), 404, 'not_found');
  assertError(await s.get('/api/v1/indicators/members/children', { unit: 'TG1' }), 400, 'bad_request');
});
