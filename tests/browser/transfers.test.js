// Browser test of a member's transfer ("giới thiệu sinh hoạt"), her leaving
// the union and the members' statistics (issue 15, item 8), on a 360x740
// phone in Vietnamese. An entry officer of Phường Kinh Bắc (Bắc Ninh) sends
// a member to a branch of Phường Ba Đình (Hà Nội), outside her scope: the
// page says a transfer was sent and awaits the receiving unit. An officer of
// Hà Nội sees it counted beside "Giới thiệu sinh hoạt", accepts it, and the
// card says so; the member's history shows the move on the accepted day,
// and the statistics of both wards lose and gain one. Another transfer is
// refused with a reason (none at first: refused in place), which the sender
// reads in her outbox. A third member leaves the union, after her officer
// confirms the day and the reason; a day before her stay began is refused
// beside the date; then she rejoins ("Kết nạp lại"). A former member of
// Bắc Ninh typed in anew by the Hà Nội officer is recognised by her ID
// number and joins again from her old record. On every page, every text is
// the dictionaries' or the API's data (words.js).
// Screenshots: tests/artifacts/transfer-sent-vi-phone.png,
// transfers-inbox-vi-phone.png, member-report-vi-phone.png, member-left-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport, TODAY } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitCount, waitFocus,
  noHorizontalScroll, login, settled, announced, setLang, navTo,
} from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const SENDER = '09187'; // Phường Kinh Bắc, Bắc Ninh
const RECEIVER = '00004'; // Phường Ba Đình, Hà Nội
const dmy = (iso) => iso.split('-').reverse().join('/');
const yesterday = (() => {
  const d = new Date(`${TODAY}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
})();

const sender = { username: 'anh.kinhbac', password: 'Anh-mat-khau-2025', display_name: 'Phạm Thị Anh' };
const receiver = { username: 'binh.hanoi', password: 'Binh-mat-khau-2025', display_name: 'Vũ Thị Bình' };

let server;
let browser;
const ids = {};

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...sender, unit: SENDER, roles: ['entry'] });
  await server.createUser({ ...receiver, unit: '01', roles: ['entry'] });
  const add = async (key, full_name, unit, extra = {}) => {
    const r = await server.post('/api/v1/members', { full_name, birth_date: '1980-04-04', unit, joined_on: '2025-08-01', ...extra });
    assert.equal(r.status, 201, r.text);
    ids[key] = r.body.id;
  };
  await add('moves', 'Đinh Thị Chuyển', `${SENDER}.01`, { ethnicity: '01', digital: true });
  await add('stays', 'Cao Thị Ở', `${SENDER}.01`);
  await add('leaves', 'Lương Thị Rời', `${SENDER}.02`);
  await add('there', 'Hà Thị Sẵn', `${RECEIVER}.01`);
  await add('former', 'Mạc Thị Cũ', `${SENDER}.02`, { id_number: '001180012345' });
  const left = await server.post(`/api/v1/members/${ids.former}/leave`, { date: '2025-09-01', reason: 'moved_away' });
  assert.equal(left.status, 200, left.text);
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

async function open(who) {
  const opened = await openPage(browser, PHONE);
  opened.data = watchData(opened.page);
  await login(opened.page, server.url('/#/'), who);
  return opened;
}

// total: the statistics page's total of a unit, as shown.
async function total(page, unit) {
  await page.evaluate((u) => { location.hash = `#/reports/members?unit=${u}`; }, unit);
  await page.locator(`[data-testid="report"][data-code="${unit}"]`).waitFor();
  await settled(page);
  return Number((await page.getByTestId('report-total').locator('dd').textContent()).replace(/\D/g, ''));
}

// transfer: on her page, send her to unit `to` (today), with a note.
async function transfer(page, id, to, note) {
  await page.evaluate((i) => { location.hash = `#/members/${i}`; }, id);
  await page.getByTestId('member-details').waitFor();
  await page.getByTestId('member-transfer').click();
  await waitFocus(page, '#member-transfer-heading');
  assert.equal(await page.locator('#member-transfer-date').inputValue(), dmy(TODAY));
  await page.locator('#member-transfer-to').fill(to);
  if (note) await page.locator('#member-transfer-note').fill(note);
  await page.getByTestId('member-transfer-save').click();
}

test('a transfer to another province: sent, counted in the inbox, accepted; history and figures follow', { timeout: 240000 }, async () => {
  const a = await open(sender);
  const b = await open(receiver);
  await withArtifactOnFailure(a.page, 'transfer-send', async () => {
    const before = { sender: await total(a.page, SENDER), receiver: await total(b.page, RECEIVER) };
    assert.deepEqual(before, { sender: 3, receiver: 1 });
    // the statistics add up: the branches' rows and the total
    await waitCount(a.page, '[data-testid="report-child"]', 5);
    await waitText(a.page, '[data-testid="report-child"][data-code="09187.01"] td', '2');
    await waitText(a.page, '[data-testid="report-digital"] dd', '33,3% (1 hội viên)');
    await waitText(a.page, '[data-testid="report-age-table"]', 'Từ 46 đến 60 tuổi');
    // Chart.js (served from /vendor/, embedded in the binary) drew the charts
    await a.page.waitForFunction(() => [...document.querySelectorAll('.chart canvas')].every((c) => {
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      return data.some((x, i) => i % 4 === 3 && x > 0);
    }));
    await noHorizontalScroll(a.page);
    await checkWords(a.page, a.data, 'statistics');
    await shot(a.page, 'member-report-vi-phone.png');
    await setLang(a.page, 'en');
    await waitText(a.page, '[data-testid="report-digital"] dd', '33.3% (1 member)');
    await checkWords(a.page, a.data, 'statistics, English');
    await setLang(a.page, 'vi');

    await transfer(a.page, ids.moves, `${RECEIVER}.01`, 'Theo chồng về Hà Nội');
    await waitText(a.page, '[data-testid="member-notice"]',
      `Đã gửi giấy giới thiệu sinh hoạt của Đinh Thị Chuyển đến Chi hội Phụ nữ tổ dân phố 3 (ngày chuyển ${dmy(TODAY)}). Hội viên vẫn sinh hoạt tại Chi hội Phụ nữ khu phố 1 cho đến khi đơn vị nhận tiếp nhận.`);
    await announced(a.page, 'Đã gửi giấy giới thiệu sinh hoạt của Đinh Thị Chuyển');
    await waitFocus(a.page, '[data-testid="member-transfer"]');
    await waitCount(a.page, '[data-testid="member-stay"]', 1);
    await noHorizontalScroll(a.page);
    await checkWords(a.page, a.data, 'transfer sent');
    await shot(a.page, 'transfer-sent-vi-phone.png');
    // a second one while the first awaits its answer: refused for the form
    await transfer(a.page, ids.moves, `${RECEIVER}.01`);
    await waitText(a.page, '[data-testid="member-transfer-form"] [data-testid="form-error"]',
      'Hội viên này đang có một giấy giới thiệu sinh hoạt chờ trả lời.');
    await checkWords(a.page, a.data, 'transfer refused');
  });
  await withArtifactOnFailure(b.page, 'transfer-accept', async () => {
    await b.page.reload();
    await waitText(b.page, '[data-testid="transfers-badge"]', '1');
    await navTo(b.page, 'nav-transfers');
    await waitText(b.page, '[data-testid="transfers-count"]', '1 giấy giới thiệu');
    const card = b.page.locator(`[data-testid="transfer"]`).filter({ hasText: 'Đinh Thị Chuyển' });
    const text = (await card.textContent()).replace(/\s+/g, ' ');
    assert.match(text, /04\/04\/1980/);
    assert.match(text, /Chi hội Phụ nữ khu phố 1 09187\.01/);
    assert.match(text, /Chi hội Phụ nữ tổ dân phố 3 00004\.01/);
    assert.match(text, /Theo chồng về Hà Nội/);
    assert.match(text, /Chờ trả lời/);
    await noHorizontalScroll(b.page);
    await checkWords(b.page, b.data, 'inbox');
    await shot(b.page, 'transfers-inbox-vi-phone.png');
    await card.getByTestId('transfer-accept').click();
    const acceptDate = b.page.locator('[id$="-date"]').first();
    assert.equal(await acceptDate.inputValue(), dmy(TODAY));
    // a day after today: refused beside the date before she is asked
    await acceptDate.fill('01/01/2099');
    await card.getByTestId('transfer-accept-save').click();
    await waitText(b.page, '[data-testid="transfer-accept-form"] [data-testid$="-date-error"]',
      `Ngày này sau hôm nay (${dmy(TODAY)}): chỉ ghi việc đã xảy ra.`);
    assert.equal(await card.getByTestId('transfer-accept-save-confirm').count(), 0, 'not asked about a day ahead');
    // a day before the letter's: refused there too, in the API's words
    await acceptDate.fill(dmy(yesterday));
    await card.getByTestId('transfer-accept-save').click();
    await waitText(b.page, '[data-testid="transfer-accept-form"] [data-testid$="-date-error"]',
      `Ngày nhận trước ngày ghi trên giấy giới thiệu (${dmy(TODAY)}).`);
    assert.equal(await card.getByTestId('transfer-accept-save-confirm').count(), 0, 'not asked about a day before');
    await acceptDate.fill(dmy(TODAY));
    assert.equal(await b.page.locator('[data-testid="transfer-accept-form"] [data-testid$="-date-error"]').count(), 0, 'no stale error');
    await card.getByTestId('transfer-accept-save').click();
    await card.getByTestId('transfer-accept-save-confirm').click();
    await waitText(b.page, '[data-testid="transfer"] [data-testid="transfer-status"]', 'Đã tiếp nhận');
    await announced(b.page, `Đã tiếp nhận Đinh Thị Chuyển vào Chi hội Phụ nữ tổ dân phố 3 từ ngày ${dmy(TODAY)}.`);
    await waitFocus(b.page, '[data-testid="transfer"] h3');
    await waitText(b.page, '[data-testid="transfer-decided"]', `binh.hanoi, ngày ${dmy(TODAY)}`);
    await b.page.waitForFunction(() => !document.querySelector('[data-testid="transfers-badge"]'));
    await checkWords(b.page, b.data, 'inbox, accepted');
    // her history: the move on the accepted day
    await card.getByRole('link', { name: 'Đinh Thị Chuyển' }).click();
    await b.page.getByTestId('member-details').waitFor();
    await waitCount(b.page, '[data-testid="member-stay"]', 2);
    const stays = (await b.page.getByTestId('member-stay').allTextContents()).map((s) => s.replace(/\s+/g, ' '));
    // (the API says "transferred" of a letter accepted as of a move inside a
    // scope: the history names the units, not the way)
    assert.match(stays[0], new RegExp(`Chi hội Phụ nữ tổ dân phố 3.*Từ ${dmy(TODAY)} đến nay.*Bắt đầu: Chuyển sinh hoạt từ Chi hội Phụ nữ khu phố 1`));
    assert.match(stays[1], new RegExp(`Chi hội Phụ nữ khu phố 1.*${dmy(yesterday)}.*Kết thúc: Chuyển sinh hoạt sang Chi hội Phụ nữ tổ dân phố 3`));
    await checkWords(b.page, b.data, 'member moved');
    assert.equal(await total(b.page, RECEIVER), 2, 'the receiving ward gained her');
    assert.deepEqual(realProblems(b.problems), []);
  });
  assert.equal(await total(a.page, SENDER), 2, 'the sending ward lost her');
  assert.deepEqual(realProblems(a.problems), []);
  await a.context.close();
  await b.context.close();
});

test('a refused transfer: a reason is required, and the sender reads it', { timeout: 180000 }, async () => {
  let hers; // CSS selector of her transfer's card (by its id)
  const a = await open(sender);
  await transfer(a.page, ids.stays, `${RECEIVER}.01`);
  await a.page.getByTestId('member-notice').waitFor();
  const b = await open(receiver);
  await withArtifactOnFailure(b.page, 'transfer-refuse', async () => {
    await navTo(b.page, 'nav-transfers');
    // her card, by her name: the inbox may hold another letter (the test
    // above's, when it stopped before accepting it); by its id from then on,
    // as its status changes
    const pending = b.page.locator('[data-testid="transfer"][data-status="pending"]').filter({ hasText: 'Cao Thị Ở' });
    await pending.waitFor();
    hers = `[data-testid="transfer"][data-id="${await pending.getAttribute('data-id')}"]`;
    const card = b.page.locator(hers);
    await card.getByTestId('transfer-refuse').click();
    await card.getByTestId('transfer-refuse-save').click();
    await waitText(b.page, `${hers} [data-testid$="-reason-error"]`, 'Không được để trống.');
    await waitFocus(b.page, `${hers} textarea[id$="-reason"]`);
    await card.locator('textarea[id$="-reason"]').fill('Chưa đủ hồ sơ chuyển sinh hoạt');
    await card.getByTestId('transfer-refuse-save').click();
    await waitText(b.page, `${hers} [data-testid="transfer-status"]`, 'Đã từ chối');
    await announced(b.page, 'Đã từ chối giới thiệu sinh hoạt của Cao Thị Ở.');
    await checkWords(b.page, b.data, 'refused');
  });
  await withArtifactOnFailure(a.page, 'transfer-refused-seen', async () => {
    await navTo(a.page, 'nav-transfers');
    // her transfer awaits no answer: not among the outbox's pending ones
    // (which may hold another, as the inbox may), once that list is loaded
    const outbox = a.page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname === '/api/v1/transfers' && u.searchParams.get('box') === 'out' && u.searchParams.get('status') === 'pending';
    });
    await a.page.getByTestId('transfers-box-out').click();
    await outbox;
    await a.page.getByTestId('transfers-count').waitFor();
    await settled(a.page);
    assert.equal(await a.page.locator(hers).count(), 0, 'her transfer is no longer pending');
    await a.page.locator('#transfers-status').selectOption('refused');
    const card = a.page.locator(`${hers}[data-status="refused"]`);
    await card.waitFor();
    const text = (await card.textContent()).replace(/\s+/g, ' ');
    assert.match(text, /Cao Thị Ở/);
    assert.match(text, /Lý do từ chối:? ?Chưa đủ hồ sơ chuyển sinh hoạt/);
    assert.match(text, new RegExp(`Người từ chối:? ?binh\\.hanoi, ngày ${dmy(TODAY).replace(/\//g, '\\/')}`));
    await noHorizontalScroll(a.page);
    await checkWords(a.page, a.data, 'outbox, refused');
    await setLang(a.page, 'en');
    await waitText(a.page, `${hers} [data-testid="transfer-status"]`, 'Refused');
    await checkWords(a.page, a.data, 'outbox, refused, English');
    await setLang(a.page, 'vi');
    assert.deepEqual(realProblems(a.problems), []);
  });
  await a.context.close();
  await b.context.close();
});

test('leaving the union: a day before her stay is refused at the date; confirmed, her stay ends', { timeout: 120000 }, async () => {
  const a = await open(sender);
  await withArtifactOnFailure(a.page, 'member-leave', async () => {
    await a.page.evaluate((i) => { location.hash = `#/members/${i}`; }, ids.leaves);
    await a.page.getByTestId('member-details').waitFor();
    await a.page.getByTestId('member-leave').click();
    await waitFocus(a.page, '#member-leave-heading');
    // no reason chosen: refused before she is asked to confirm
    await a.page.getByTestId('member-leave-save').click();
    await waitText(a.page, '[data-testid="member-leave-reason-error"]', 'Không được để trống.');
    await waitFocus(a.page, '#member-leave-reason');
    assert.equal(await a.page.getByTestId('member-leave-save-confirm').count(), 0, 'not asked');
    await a.page.locator('#member-leave-reason').selectOption('married_away');
    await a.page.locator('#member-leave-date').fill('01/08/2025');
    await a.page.getByTestId('member-leave-save').click();
    await waitText(a.page, '.confirm p', 'Ghi nhận Lương Thị Rời ra khỏi Hội từ ngày 01/08/2025, lý do: Lấy chồng xa?');
    await a.page.getByTestId('member-leave-save-confirm').click();
    await waitText(a.page, '[data-testid="member-leave-date-error"]', '01/08/2025');
    await waitFocus(a.page, '#member-leave-date');
    await checkWords(a.page, a.data, 'leave refused');
    await a.page.locator('#member-leave-date').fill(dmy(TODAY));
    await a.page.getByTestId('member-leave-save').click();
    await a.page.getByTestId('member-leave-save-confirm').click();
    await waitText(a.page, '[data-testid="member-notice"]', `Đã ghi nhận Lương Thị Rời ra khỏi Hội từ ngày ${dmy(TODAY)}.`);
    await announced(a.page, `Đã ghi nhận Lương Thị Rời ra khỏi Hội từ ngày ${dmy(TODAY)}.`);
    await waitText(a.page, '[data-testid="member-stay"]', 'Kết thúc: Lấy chồng nơi khác');
    await waitText(a.page, '[data-testid="member-stay"]', dmy(yesterday));
    assert.equal(await a.page.getByTestId('member-actions').count(), 0, 'no actions for a former member');
    await waitFocus(a.page, 'main h1');
    await noHorizontalScroll(a.page);
    await checkWords(a.page, a.data, 'member left');
    await shot(a.page, 'member-left-vi-phone.png');
    // she comes back: "Kết nạp lại", the unit required, then recorded
    await a.page.getByTestId('member-rejoin').click();
    await waitFocus(a.page, '#member-rejoin-heading');
    await a.page.getByTestId('member-rejoin-save').click();
    await waitText(a.page, '[data-testid="member-rejoin-unit-error"]', 'Không được để trống.');
    await a.page.locator('#member-rejoin-unit').fill(`${SENDER}.01`);
    await a.page.locator('#member-rejoin-date').fill(dmy(TODAY));
    await a.page.getByTestId('member-rejoin-save').click();
    await waitText(a.page, '[data-testid="member-notice"]', `từ ngày ${dmy(TODAY)}`);
    await waitText(a.page, '[data-testid="member-notice"]', 'Đã kết nạp lại vào');
    await waitCount(a.page, '[data-testid="member-stay"]', 2);
    await a.page.getByTestId('member-actions').waitFor();
    assert.equal(await a.page.getByTestId('member-rejoin').count(), 0, 'no rejoining while she is a member');
    await noHorizontalScroll(a.page);
    await checkWords(a.page, a.data, 'member rejoined');
    assert.deepEqual(realProblems(a.problems), []);
  });
  await a.context.close();
});

test('a former member typed in anew elsewhere: her ID number finds her record, and she joins again from it', { timeout: 120000 }, async () => {
  const b = await open(receiver);
  await withArtifactOnFailure(b.page, 'member-rejoin-former', async () => {
    await b.page.evaluate(() => { location.hash = '#/members'; });
    await b.page.getByTestId('members-add').click();
    await b.page.locator('#member-full-name').fill('Mac Thi Cu');
    await b.page.locator('#member-birth-date').fill('04/04/1980');
    await b.page.locator('#member-unit').fill(`${RECEIVER}.01`);
    await b.page.locator('#member-id-number').fill('001180012345');
    await b.page.getByTestId('member-save').click();
    await waitText(b.page, '[data-testid="form-error"]', 'Số định danh 001180012345 thuộc hồ sơ của một hội viên cũ');
    await b.page.getByTestId('member-rejoin-former').waitFor();
    await noHorizontalScroll(b.page);
    await checkWords(b.page, b.data, 'former member found');
    await b.page.getByTestId('member-rejoin-former').getByRole('button').click();
    await waitText(b.page, '[data-testid="member-notice"]', 'Đã kết nạp lại Mạc Thị Cũ từ hồ sơ cũ.');
    await waitCount(b.page, '[data-testid="member-stay"]', 2);
    await waitText(b.page, 'main h1', 'Mạc Thị Cũ'); // her record, not the name typed
    await checkWords(b.page, b.data, 'former member rejoined');
    assert.deepEqual(realProblems(b.problems), []);
  });
  await b.context.close();
});
