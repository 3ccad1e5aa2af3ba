// forms.test.js - indicators, report forms and their approval by the
// level above (issue 18, docs/reports.md), through the API and the command
// line, on the store UNIONBASE_TEST_PG chooses: the catalogue; a commune's
// six-month report entered, checked against the records, submitted,
// returned, resubmitted, approved and locked (its values frozen while the
// records change), unlocked; refusals; values added up the tree; the same
// form from the command line.
//
// Each test brings the reports it reads to the state it needs itself (the
// values entered, returnedBoth()), so that it passes alone and after the
// tests before it, whatever they left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, assertError, BIN, TODAY, xlsxTexts } from './server.js';

// The command line, on the server's database: {code, stdout, stderr}.
function runBin(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, UNIONBASE_TODAY: TODAY }, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const D = '2025-08-01';
const P = '2025H2';
let s;
const as = {};

async function caller(name, unit, roles) {
  const pw = `${name}-mat-khau-2025`;
  const r = await s.post('/api/v1/users', { username: name, display_name: `Người ${name}`, unit, roles, password: pw });
  assert.equal(r.status, 201, r.text);
  const l = await s.login(name, pw);
  assert.equal(l.status, 200, l.r.text);
  as[name] = { auth: false, cookie: l.cookie, csrf: l.csrf };
}

async function member(full_name, unit, digital = false) {
  const r = await s.post('/api/v1/members', { full_name, birth_date: '1985-03-04', unit, joined_on: D, ethnicity: '01', digital });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

const form = (unit, period = P, f = 'commune_half') => `/api/v1/forms/${f}/${unit}/${period}`;
const put = (unit, body, who, period = P) => s.request('PUT', form(unit, period), { body, ...(who ? as[who] : {}) });
const step = (unit, what, body, who) => s.post(`${form(unit)}/${what}`, body, who ? as[who] : {});

// RF1's and RF2's reports of P returned by the province, from none, a draft
// or returned (as the tests before leave them): RF1's members reported as
// the records count them (its distance 0, the only one measured), RF2 with
// no figure the records also give (no distance).
async function returnedBoth() {
  const rf1 = (await s.get(form('RF1'), undefined, as['head.rf1'])).body;
  const r = await put('RF1', { values: { members: rf1.values.members.computed } }, 'head.rf1');
  assert.equal(r.status, 200, r.text);
  for (const [unit, who] of [['RF1', 'head.rf1'], ['RF2', 'head.rf2']]) {
    const sub = await step(unit, 'submit', {}, who);
    assert.equal(sub.status, 200, `${unit}: ${sub.text}`);
    const back = await step(unit, 'return', { reason: 'Xem lại số liệu' }, 'approver.24');
    assert.equal(back.status, 200, `${unit}: ${back.text}`);
  }
}

before(async () => {
  s = await startServer();
  const mk = (b) => s.op('/api/v1/units', { date: '2025-07-01', kind: 'territorial', ...b }, 201);
  await mk({ code: 'RF1', name_vi: 'Xã Báo Cáo', name_en: 'Report Commune', level: 'commune', parent: '24' });
  await mk({ code: 'RF1.1', name_vi: 'Chi hội Thôn Một', name_en: 'Hamlet One', level: 'branch', parent: 'RF1' });
  await mk({ code: 'RF2', name_vi: 'Xã Số Hai', name_en: 'Second Commune', level: 'commune', parent: '24' });
  await mk({ code: 'RF2.1', name_vi: 'Chi hội Thôn Hai', name_en: 'Hamlet Two', level: 'branch', parent: 'RF2' });
  await mk({ code: 'RF3', name_vi: 'Xã Chưa Báo Cáo', name_en: 'Silent Commune', level: 'commune', parent: '24' });
  for (const [i, n] of ['Hoa', 'Lan', 'Mai', 'Cúc'].entries()) await member(`Nguyễn Thị ${n}`, 'RF1.1', i < 2);
  for (const [i, n] of ['Đào', 'Huệ', 'Sen', 'Quỳnh'].entries()) await member(`Trần Thị ${n}`, 'RF2.1', i < 1);
  await caller('head.rf1', 'RF1', ['entry']);
  await caller('head.rf2', 'RF2', ['entry']);
  await caller('viewer.rf1', 'RF1', ['viewer']);
  await caller('approver.24', '24', ['approver']);
  await caller('approver.rf2', 'RF2', ['approver']);
});
after(async () => { if (s) await s.stop(); });

test('the catalogue: computed, entered and formula indicators; forms of a level and a kind of period', async () => {
  const inds = (await s.ok('/api/v1/indicators')).items;
  const by = Object.fromEntries(inds.map((i) => [i.code, i]));
  for (const c of ['members', 'members_digital', 'branches']) assert.equal(by[c]?.source, 'computed', c);
  assert.equal(by.members_digital.at_most, 'members');
  assert.ok(inds.some((i) => i.source === 'entered'));
  const share = by.members_digital_share;
  assert.deepEqual([share.source, share.numerator, share.denominator, share.factor], ['formula', 'members_digital', 'members', 100]);
  for (const i of inds) assert.ok(i.name_vi && i.name_en, i.code);
  const forms = (await s.ok('/api/v1/forms')).items;
  const half = forms.find((f) => f.code === 'commune_half');
  assert.deepEqual([half.level, half.period_type], ['commune', 'half']);
  for (const f of forms) for (const c of f.indicators) assert.ok(by[c], `${f.code}: ${c}`);
  assert.deepEqual(forms.map((f) => f.period_type).sort().filter((x, i, a) => a.indexOf(x) === i), ['half', 'term', 'year']);
});

test('a commune enters her six-month report, explains a difference from the records, is returned, resubmits; the province approves and the values are frozen', async () => {
  const empty = (await s.get(form('RF1'), undefined, as['head.rf1'])).body;
  assert.equal(empty.status, 'none');
  assert.deepEqual([empty.from, empty.to, empty.due], ['2025-07-01', '2025-12-31', '2026-01-10']);
  assert.equal(empty.values.members.computed, 4);
  assert.equal(empty.values.members.value, null);
  assert.equal(empty.values.members_digital.computed, 2);
  assert.equal(empty.values.members_digital_share.value, 50);
  assert.equal(empty.values.members_digital_share.enterable, false);

  // she reports 5 members (her paper book has one more), 3 supervision sessions
  const r = await put('RF1', { values: { members: 5, supervision_sessions: 3 }, comments: { members: 'theo sổ giấy' } }, 'head.rf1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'draft');
  assert.deepEqual(r.body.values.members, { value: 5, computed: 4, difference: 1, below: null, enterable: true, comment: 'theo sổ giấy', needs_explanation: true });
  assert.equal(r.body.values.supervision_sessions.value, 3);

  const noWhy = await step('RF1', 'submit', {}, 'head.rf1');
  const e = assertError(noWhy, 422, 'invalid');
  assert.deepEqual(e.details.map((d) => [d.field, d.code, d.indicator, d.difference]), [['explanation', 'explanation_required', 'members', '1']]);
  assertError(await step('RF1', 'submit', { explanation: '   ' }, 'head.rf1'), 422, 'invalid');
  const sub = await step('RF1', 'submit', { explanation: 'Một hội viên mới chưa nhập vào hệ thống' }, 'head.rf1');
  assert.equal(sub.status, 200, sub.text);
  assert.equal(sub.body.status, 'submitted');
  assert.equal(sub.body.submitted_by, 'head.rf1');
  // the province's inbox holds it; the commune's own officials have none, another commune's approver sees nothing of it
  const inbox = (await s.get('/api/v1/forms/inbox', undefined, as['approver.24'])).body;
  assert.deepEqual(inbox.items.map((x) => [x.form, x.unit.code, x.period, x.status, x.submitted_by]), [['commune_half', 'RF1', P, 'submitted', 'head.rf1']]);
  assert.equal(inbox.more, false);
  assertError(await s.get('/api/v1/forms/inbox', undefined, as['head.rf1']), 403, 'forbidden');
  assert.deepEqual((await s.get('/api/v1/forms/inbox', undefined, as['approver.rf2'])).body.items, []);
  assertError(await s.get('/api/v1/forms/inbox', { status: 'none' }, as['approver.24']), 400, 'bad_request');
  const cliInbox = await runBin(['report', 'inbox', '--json', '--db', s.db.url]);
  assert.equal(cliInbox.code, 0, cliInbox.stderr);
  assert.deepEqual(JSON.parse(cliInbox.stdout).items.map((x) => x.unit.code), ['RF1']);
  assertError(await put('RF1', { values: { supervision_sessions: 4 } }, 'head.rf1'), 409, 'locked');

  // her own unit's report is not hers to approve
  assertError(await step('RF1', 'approve', {}, 'head.rf1'), 403, 'forbidden');
  const blank = assertError(await step('RF1', 'return', { reason: ' ' }, 'approver.24'), 422, 'invalid');
  assert.deepEqual(blank.details.map((d) => [d.field, d.code]), [['reason', 'required']]);
  const back = await step('RF1', 'return', { reason: 'Thiếu số buổi tuyên truyền' }, 'approver.24');
  assert.equal(back.status, 200, back.text);
  assert.deepEqual([back.body.status, back.body.reason, back.body.decided_by], ['returned', 'Thiếu số buổi tuyên truyền', 'approver.24']);
  assertError(await step('RF1', 'return', { reason: 'lại' }, 'approver.24'), 409, 'wrong_status');
  assertError(await step('RF1', 'approve', {}, 'approver.24'), 409, 'wrong_status');
  const returned = (await s.get('/api/v1/forms/inbox', { status: 'returned' }, as['approver.24'])).body;
  assert.deepEqual(returned.items.map((x) => [x.unit.code, x.status]), [['RF1', 'returned']]);
  const cliReturned = await runBin(['report', 'inbox', '--status', 'returned', '--json', '--db', s.db.url]);
  assert.equal(cliReturned.code, 0, cliReturned.stderr);
  assert.deepEqual(JSON.parse(cliReturned.stdout), returned, 'the command line answers as the API');
  assert.deepEqual(JSON.parse((await runBin(['report', 'inbox', '--json', '--db', s.db.url])).stdout).items, []);
  const badStatus = await runBin(['report', 'inbox', '--status', 'none', '--db', s.db.url]);
  assert.equal(badStatus.code, 1);
  assert.match(badStatus.stderr, /submitted, returned, draft, approved/);
  assert.equal((await runBin(['report', 'form', 'commune_half', '--status', 'returned', '--db', s.db.url])).code, 2, '--status is the inbox\'s');

  const fixed = await put('RF1', { values: { comm_sessions: 6 } }, 'head.rf1');
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(fixed.body.status, 'returned');
  assert.equal(fixed.body.values.members.comment, 'theo sổ giấy', 'a value not sent keeps its comment');
  assert.equal((await step('RF1', 'submit', { explanation: 'Một hội viên mới chưa nhập' }, 'head.rf1')).body.status, 'submitted');
  const ok = await step('RF1', 'approve', {}, 'approver.24');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.status, 'approved');

  // the records change after approval: the approved report does not
  await member('Nguyễn Thị Mới', 'RF1.1', true);
  const frozen = (await s.get(form('RF1'), undefined, as['head.rf1'])).body;
  assert.equal(frozen.values.members.computed, 4);
  assert.equal(frozen.values.members_digital.computed, 2);
  assert.equal(frozen.values.members.value, 5);
  const v = await s.ok('/api/v1/indicators/members/value', { unit: 'RF1', period: P });
  assert.deepEqual([v.value, v.status], [5, 'approved']);
  // a figure she left blank is frozen as the records had it
  const dv = await s.ok('/api/v1/indicators/members_digital/value', { unit: 'RF1', period: P });
  assert.deepEqual([dv.value, dv.status], [2, 'approved']);
  const back2 = (await s.get(form('RF1'), undefined, as['head.rf1'])).body;
  assert.equal(back2.reason, '', 'the return\'s reason was answered by the submission');
  assertError(await put('RF1', { values: { members: 6 } }, 'head.rf1'), 409, 'locked');

  // unlocked, it is live again: the records' new count, the unit may correct it
  assertError(await step('RF1', 'unlock', {}, 'approver.24'), 422, 'invalid');
  const open = await step('RF1', 'unlock', { reason: 'Cần cập nhật số hội viên' }, 'approver.24');
  assert.equal(open.status, 200, open.text);
  assert.equal(open.body.status, 'returned');
  assert.equal(open.body.values.members.computed, 5);
  assert.equal(open.body.values.members.difference, 0);
  const audit = await s.ok('/api/v1/audit', { unit: 'RF1' });
  const actions = audit.items.filter((a) => a.record_type === 'report').map((a) => a.action);
  for (const a of ['report.values', 'report.submit', 'report.return', 'report.approve', 'report.unlock']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  // each entry says what the figures were and became
  const first = audit.items.filter((a) => a.action === 'report.values').at(-1);
  assert.deepEqual([first.before, first.after], [{ members: null, supervision_sessions: null }, { members: 5, supervision_sessions: 3 }]);
});

test('refusals: who may do what, values the indicator does not take, a form of another level or kind of period; nothing stored', async () => {
  assertError(await put('RF2', { values: { supervision_sessions: 1 } }, 'viewer.rf1'), 403, 'forbidden');
  assertError(await put('RF2', { values: { supervision_sessions: 1 } }, 'head.rf1'), 404, 'not_found');
  assertError(await s.get(form('RF2'), undefined, as['head.rf1']), 404, 'not_found');
  const bad = await put('RF2', {
    values: { members_digital_share: 40, comm_participants: 'bốn', supervision_sessions: 2.5, comm_sessions: -1, nope: 1, members_digital: 9 },
    comments: { draft_documents: 'không có số' },
  }, 'head.rf2');
  const e = assertError(bad, 422, 'invalid');
  const got = Object.fromEntries(e.details.map((d) => [d.field, d.code]));
  assert.deepEqual(got, {
    'values.members_digital_share': 'not_entered', 'values.comm_participants': 'not_a_number', 'values.supervision_sessions': 'too_precise',
    'values.comm_sessions': 'below_min', 'values.nope': 'not_on_form', 'values.members_digital': 'above_other',
    'comments.draft_documents': 'no_value',
  });
  // a note without its figure; a figure beyond what is kept
  const noFigure = assertError(await put('RF2', { values: { clubs: null }, comments: { clubs: 'x' } }, 'head.rf2'), 422, 'invalid');
  assert.deepEqual(noFigure.details.map((d) => [d.field, d.code]), [['comments.clubs', 'no_value']]);
  const huge = assertError(await put('RF2', { values: { funds_mobilised: 1e13 } }, 'head.rf2'), 422, 'invalid');
  assert.deepEqual(huge.details.map((d) => [d.field, d.code, d.max]), [['values.funds_mobilised', 'out_of_range', 1e12]]);
  // a key that is no code, however long or strange: refused at the object
  const odd = assertError(await put('RF2', { values: { ['Số hội viên '.repeat(20)]: 1, 'a\u0001b': 2 } }, 'head.rf2'), 422, 'invalid');
  assert.deepEqual(odd.details.map((d) => [d.field, d.code]), [['values', 'not_on_form'], ['values', 'not_on_form']]);
  const below = assertError(await put('RF2', { values: { members: 0 } }, 'head.rf2'), 422, 'invalid');
  assert.deepEqual(below.details.map((d) => [d.code, d.other, d.limit]), [['below_other', 'members_digital', '1']]);
  // her own unit's report is approved by the level above
  assert.equal((await put('RF2', { values: { clubs: 1 } }, 'approver.rf2')).status, 200);
  assert.equal((await step('RF2', 'submit', {}, 'approver.rf2')).status, 200);
  assertError(await step('RF2', 'approve', {}, 'approver.rf2'), 403, 'own_report');
  assertError(await step('RF1', 'approve', {}, 'approver.rf2'), 404, 'not_found');
  assert.equal((await step('RF2', 'return', { reason: 'chưa đủ' }, 'approver.24')).status, 200);
  assert.equal((await put('RF2', { values: { clubs: null } }, 'head.rf2')).status, 200);
  const after = (await s.get(form('RF2'), undefined, as['head.rf2'])).body;
  assert.equal(after.status, 'returned');
  assert.equal(after.values.supervision_sessions.value, null);
  assert.equal(after.values.clubs.value, null);
  assertError(await s.get(form('RF2', '2025Q3'), undefined, as['head.rf2']), 422, 'invalid');
  assertError(await s.get(form('RF2.1'), undefined, as['head.rf2']), 422, 'invalid');
  assertError(await s.get(form('RF2', 'H2-2025'), undefined, as['head.rf2']), 400, 'bad_request');
  assertError(await s.get(form('RF2', 'T2025-2030', 'commune_term'), undefined, as['head.rf2']), 400, 'bad_request');
  assertError(await s.get('/api/v1/forms/no_such_form/RF2/2025H2'), 404, 'not_found');
  assertError(await s.get('/api/v1/indicators/no_such/value', { unit: 'RF2', period: P }), 404, 'not_found');
  assertError(await s.get('/api/v1/indicators/members/value', { unit: 'RF2' }), 400, 'bad_request');
  // a period to come: nothing of it can be known yet
  for (const r of [await put('RF2', { values: { clubs: 1 } }, 'head.rf2', '2099H1'), await s.post(form('RF2', '2099H1') + '/submit', {}, as['head.rf2'])]) {
    const nb = assertError(r, 422, 'invalid');
    assert.deepEqual(nb.details.map((d) => [d.field, d.code, d.date]), [['period', 'not_begun', '2099-01-01']]);
  }
});

test('entered values add up the tree; computed ones come from the records at every level', async () => {
  const r = await put('RF2', { values: { supervision_sessions: 5, draft_documents: 2 } }, 'head.rf2');
  assert.equal(r.status, 200, r.text);
  // RF1's 3 sessions, as in its report of the test above (entered again
  // here: a draft or a returned report takes them); RF3 enters nothing
  const r1 = await put('RF1', { values: { supervision_sessions: 3 } }, 'head.rf1');
  assert.equal(r1.status, 200, r1.text);
  const prov = await s.ok('/api/v1/indicators/supervision_sessions/value', { unit: '24', period: P });
  assert.deepEqual([prov.value, prov.status], [8, 'entered']);
  const nation = await s.ok('/api/v1/indicators/supervision_sessions/value', { unit: 'VN', period: P });
  assert.equal(nation.value, 8);
  // every indicator at once: the same values
  const all = await s.ok('/api/v1/indicators/values', { unit: '24', period: P });
  assert.equal(all.mapped, false);
  const byCode = Object.fromEntries(all.items.map((x) => [x.indicator, x]));
  assert.deepEqual([byCode.supervision_sessions.value, byCode.supervision_sessions.status], [8, 'entered']);
  assert.equal(all.items.length, (await s.ok('/api/v1/indicators')).items.length);
  // one indicator asked alone (its figures counted by family) as in the list (all at once)
  const computed = (await s.ok('/api/v1/indicators')).items.filter((i) => i.source !== 'entered').map((i) => i.code);
  assert.ok(computed.includes('joined') && computed.includes('members_digital_share'));
  for (const code of computed) {
    const one = await s.ok(`/api/v1/indicators/${code}/value`, { unit: '24', period: P });
    assert.deepEqual([one.value, one.status], [byCode[code].value, byCode[code].status], code);
  }
  assert.ok(byCode.joined.value > 0 && byCode.members.value > 0, 'flows and stock both counted');
  const cliAll = await runBin(['indicators', 'values', '--unit', '24', '--period', P, '--json', '--db', s.db.url]);
  assert.equal(cliAll.code, 0, cliAll.stderr);
  assert.deepEqual(JSON.parse(cliAll.stdout), all);
  // the province's own form shows what its communes reported beside its own figure
  assert.equal((await put('RF2', { values: { children_sponsored: 7 } }, 'head.rf2')).status, 200);
  const pf = (await s.get(form('24', P, 'province_half'), undefined, as['approver.24'])).body;
  assert.deepEqual([pf.values.children_sponsored.below, pf.values.children_sponsored.enterable], [7, true]);
  assert.equal(pf.values.supervision_sessions.below, 8);
  assert.equal(pf.values.members_digital_share.below, null, 'a share: not entered');
  const docs = await s.ok('/api/v1/indicators/draft_documents/value', { unit: '24', period: P });
  assert.equal(docs.value, 2);
  const none = await s.ok('/api/v1/indicators/startup_ideas/value', { unit: '24', period: P });
  assert.deepEqual([none.value, none.status], [null, 'none']);
  const m = await s.ok('/api/v1/indicators/members/value', { unit: 'RF2', period: P });
  assert.deepEqual([m.value, m.status], [4, 'computed']);
  const share = await s.ok('/api/v1/indicators/members_digital_share/value', { unit: 'RF2', period: P });
  assert.deepEqual([share.value, share.status], [25, 'computed']);
  // the province: its members counted from the records, not the communes'
  // reports: the registry's count on P's last day (at least the eight of RF1.1
  // and RF2.1; RF1 reported 5 for its four in the test above)
  const pm = await s.ok('/api/v1/indicators/members/value', { unit: '24', period: P });
  assert.equal(pm.status, 'computed');
  const registry = await s.ok('/api/v1/reports/members', { unit: '24', as_of: '2025-12-31' });
  assert.equal(pm.value, registry.total, JSON.stringify(pm));
  assert.ok(pm.value >= 8, JSON.stringify(pm));
});

test('the overview of a level: each commune\'s state, who is late, whose figures stand furthest from the records', async () => {
  await returnedBoth();
  const o = await s.ok('/api/v1/forms/commune_half/overview', { unit: '24', period: P, sort: 'distance' });
  assert.deepEqual([o.form, o.unit.code, o.period, o.due], ['commune_half', '24', P, '2026-01-10']);
  const by = Object.fromEntries(o.items.map((x) => [x.unit.code, x]));
  // RF1: returned, its report of members as many as the records count
  assert.equal(by.RF1.status, 'returned');
  assert.deepEqual([by.RF1.distance, by.RF1.worst], [0, 'members']);
  assert.equal(by.RF2.status, 'returned');
  assert.equal(by.RF2.distance, null);
  // the other communes of 24 never opened theirs: late, since the due day has passed
  const others = o.items.filter((x) => !['RF1', 'RF2'].includes(x.unit.code));
  assert.ok(others.length > 0);
  for (const x of others) assert.deepEqual([x.status, x.late, x.distance], ['none', o.days_left < 0, null]);
  assert.equal(o.counts.none, others.length);
  assert.equal(o.counts.returned, 2);
  assert.equal(o.counts.late, o.days_left < 0 ? others.length + 2 : 0);
  assert.equal(o.items[0].unit.code, 'RF1', 'furthest from its records first: the only one measured');
  const mine = await s.get('/api/v1/forms/commune_half/overview', { period: P }, as['head.rf2']);
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.body.items.map((x) => x.unit.code), ['RF2']);
  assertError(await s.get('/api/v1/forms/commune_half/overview', { period: '2025' }), 422, 'invalid');
  assertError(await s.get('/api/v1/forms/commune_half/overview', { period: P, sort: 'x' }), 400, 'bad_request');
  assertError(await s.get('/api/v1/forms/commune_half/overview', { period: P, unit: 'RF1' }, as['head.rf2']), 404, 'not_found');
});

test('the command line: the same form, values entered, the indicators listed', async () => {
  // RF2's report returned (entered, submitted and approved below); RF1's
  // returned at distance 0, RF3's never opened: the overview's line
  await returnedBoth();
  const url = s.db.url;
  const j = await runBin(['report', 'form', 'commune_half', '--unit', 'RF2', '--period', P, '--json', '--db', url]);
  assert.equal(j.code, 0, j.stderr);
  const api = (await s.get(form('RF2'), undefined, as['head.rf2'])).body;
  assert.deepEqual(JSON.parse(j.stdout), api);
  const e = await runBin(['report', 'enter', 'commune_half', '--unit', 'RF2', '--period', P, 'clubs=2', '--comment', 'clubs=CLB mới', '--db', url]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /^commune_half returned: RF2 Xã Số Hai, 2025H2 \(2025-07-01 to 2025-12-31\), due 2026-01-10$/m);
  assert.match(e.stdout, /^clubs +2 +- +-$/m);
  const bad = await runBin(['report', 'enter', 'commune_half', '--unit', 'RF2', '--period', P, 'clubs=-3', '--db', url]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /values\.clubs is below 0/);
  const sub = await runBin(['report', 'submit', 'commune_half', '--unit', 'RF2', '--period', P, '--db', url]);
  assert.equal(sub.code, 0, sub.stderr);
  assert.equal((await s.get(form('RF2'), undefined, as['head.rf2'])).body.status, 'submitted');
  const ap = await runBin(['report', 'approve', 'commune_half', '--unit', 'RF2', '--period', P, '--reason', 'Đủ số liệu', '--json', '--db', url]);
  assert.equal(ap.code, 0, ap.stderr);
  assert.deepEqual([JSON.parse(ap.stdout).status, JSON.parse(ap.stdout).reason], ['approved', 'Đủ số liệu']);
  const list = await runBin(['indicators', 'list', '--json', '--db', url]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout).items.map((i) => i.code), (await s.ok('/api/v1/indicators')).items.map((i) => i.code));
  const ov = await runBin(['report', 'overview', 'commune_half', '--unit', '24', '--period', P, '--sort', 'distance', '--json', '--db', url]);
  assert.equal(ov.code, 0, ov.stderr);
  assert.deepEqual(JSON.parse(ov.stdout), await s.ok('/api/v1/forms/commune_half/overview', { unit: '24', period: P, sort: 'distance' }));
  assert.equal((await runBin(['report', 'form', 'commune_half', '--unit', '24', '--period', P, '--sort', 'distance', '--db', url])).code, 2, '--sort is the overview\'s');
  const ovBad = await runBin(['report', 'overview', 'commune_half', '--unit', '24', '--period', P, '--sort', 'size', '--db', url]);
  assert.equal(ovBad.code, 1);
  assert.match(ovBad.stderr, /sort/);
  const ovText = await runBin(['report', 'overview', 'commune_half', '--unit', '24', '--period', P, '--db', url]);
  assert.match(ovText.stdout, /^commune_half 24 2025H2, due 2026-01-10: 1 not started, 0 draft, 0 submitted, 1 approved, 1 returned, /m);
  assert.match(ovText.stdout, /^RF1 +returned .* 0\.0% members  Xã Báo Cáo$/m);
  // the union's document in Excel, from the API and the command line
  const x = await fetch(`${s.base}/api/v1/forms/commune_half/RF2/${P}/xlsx?lang=vi`, { headers: { Authorization: `Bearer ${s.adminToken}` } });
  assert.equal(x.status, 200, await x.clone().text());
  assert.match(x.headers.get('content-disposition'), new RegExp(`attachment; filename="bao-cao-commune_half-RF2-${P}\\.xlsx"`));
  const texts = xlsxTexts(Buffer.from(await x.arrayBuffer()));
  for (const want of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Xã Số Hai', 'Báo cáo sơ kết 6 tháng công tác Hội và phong trào phụ nữ (cấp xã)',
    `Kỳ báo cáo ${P} (01/07/2025 - 31/12/2025)`, 'Trạng thái: Đã duyệt', 'Chỉ tiêu', 'Tổng số hội viên', 'CLB mới', 'NGƯỜI LẬP BIỂU']) {
    assert.ok(texts.includes(want), `the document says ${want}: ${JSON.stringify(texts.slice(0, 60))}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ub-forms-'));
  const out = path.join(dir, 'bao-cao.xlsx');
  const cx = await runBin(['report', 'form', 'commune_half', '--unit', 'RF2', '--period', P, '--xlsx', out, '--lang', 'en', '--db', url]);
  assert.equal(cx.code, 0, cx.stderr);
  assert.ok(xlsxTexts(fs.readFileSync(out)).includes('Members'), 'in English');
  fs.rmSync(dir, { recursive: true, force: true });
  const usage = await runBin(['report', 'form', 'commune_half', '--db', url]);
  assert.equal(usage.code, 2);
});
