// Browser test of dues (hội phí), on a 360x740 phone in Vietnamese: an
// entry officer of a ward (Phường Kinh Bắc) sets the ward's rate for this
// year on the statistics page (an empty sum refused first), records a
// member's dues on her page (the hint says which rate applies and who set
// it; the sum left empty takes it; the list of her payments grows and the
// result is announced), records them again and reads the Vietnamese
// refusal beside the year; ticks "Chưa đóng hội phí năm …" on the members
// list and finds only the other member, the tick kept when she comes Back
// from a page; and the statistics show one member paid and the sum (then
// in English too). On every page visited, every text is from the page
// language's dictionary or data from the API (words.js).
// Screenshots: tests/artifacts/dues-rate-vi-phone.png,
// dues-member-vi-phone.png, dues-unpaid-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport, TODAY } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitCount, waitFocus,
  noHorizontalScroll, login, settled, announced, setLang, navTo,
} from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const WARD = '09187'; // Phường Kinh Bắc
const BRANCH = '09187.01'; // Chi hội Phụ nữ khu phố 1
const YEAR = TODAY.slice(0, 4);
const dmy = (iso) => iso.split('-').reverse().join('/');

const officer = { username: 'nga.entry', password: 'Nga-mat-khau-2025', display_name: 'Hoàng Thị Nga' };

let server;
let browser;
let payer; // the member whose dues are recorded

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...officer, unit: WARD, roles: ['entry'] });
  const add = async (full_name, birth_date) => {
    const r = await server.post('/api/v1/members', { full_name, birth_date, unit: BRANCH, joined_on: '2025-08-01' });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  payer = await add('Phạm Thị Hồng', '1984-06-15');
  await add('Vũ Thị Mai', '1991-11-20');
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

test('an officer sets the rate, records a member\'s dues once, finds who has not paid, and reads the sum', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'dues', async () => {
    // the statistics of her ward: no rate yet; an empty sum is refused
    await login(page, server.url('/#/reports/members'), officer);
    await page.getByTestId('report-dues-rate-form').waitFor();
    await settled(page);
    await waitText(page, '[data-testid="report-dues-rate-text"]', `Chưa có mức hội phí năm ${YEAR}.`);
    await page.getByTestId('report-dues-save').click();
    await waitText(page, '[data-testid="report-dues-amount-error"]', 'Không được để trống.');
    await waitFocus(page, '#report-dues-amount');
    await page.locator('#report-dues-amount').fill('24.000');
    await page.getByTestId('report-dues-save').click();
    const set = `Đã đặt mức hội phí năm ${YEAR} của Phường Kinh Bắc: 24.000 ₫.`;
    await waitText(page, '[data-testid="report-dues-rate-notice"]', set);
    await announced(page, set);
    await waitText(page, '[data-testid="report-dues-rate-text"]', `Mức hội phí năm ${YEAR}: 24.000 ₫ (do Phường Kinh Bắc đặt).`);
    assert.equal(await page.locator('#report-dues-amount').inputValue(), '', 'the form starts afresh');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'rate set');
    await shot(page, 'dues-rate-vi-phone.png');

    // her page: the rate her branch takes from the ward, her dues recorded
    await page.evaluate((id) => { location.hash = `#/members/${id}`; }, payer);
    await page.getByTestId('member-dues-form').waitFor();
    await page.getByTestId('member-dues-none').waitFor();
    assert.equal(await page.locator('#member-dues-year').inputValue(), YEAR);
    assert.equal(await page.locator('#member-dues-paid-on').inputValue(), dmy(TODAY));
    await waitText(page, '#member-dues-amount-hint',
      `Mức hội phí năm ${YEAR}: 24.000 ₫ (do Phường Kinh Bắc đặt). Để trống: ghi nhận theo mức này.`);
    await page.getByTestId('member-dues-save').click();
    const paid = `Đã ghi nhận hội phí năm ${YEAR} của Phạm Thị Hồng: 24.000 ₫, ngày đóng ${dmy(TODAY)}.`;
    await waitText(page, '[data-testid="member-dues-notice"]', paid);
    await announced(page, paid);
    await waitCount(page, '[data-testid="member-dues-row"]', 1);
    const cells = await page.locator('[data-testid="member-dues-row"] td').allTextContents();
    assert.deepEqual(cells.map((c) => c.trim()), [YEAR, '24.000 ₫', dmy(TODAY), 'Chi hội Phụ nữ khu phố 1']);
    assert.equal(await page.getByTestId('member-dues-none').count(), 0);
    await noHorizontalScroll(page);
    await checkWords(page, data, 'dues recorded');

    // again: the year is paid already, said beside it
    await page.getByTestId('member-dues-save').click();
    await waitText(page, '[data-testid="member-dues-year-error"]', `Hội phí năm ${YEAR} của hội viên này đã được ghi nhận.`);
    await waitFocus(page, '#member-dues-year');
    await announced(page, 'Chưa gửi được: có 1 chỗ cần sửa.', { assertive: true });
    assert.equal(await page.getByTestId('member-dues-notice').count(), 0, 'the earlier success is not left beside the refusal');
    await waitCount(page, '[data-testid="member-dues-row"]', 1);
    await checkWords(page, data, 'dues refused');
    await shot(page, 'dues-member-vi-phone.png');

    // the list: who has not paid this year, kept across Back
    await navTo(page, 'nav-members');
    await waitText(page, '[data-testid="members-count"]', '2 hội viên');
    await page.locator('#member-unpaid-filter').check();
    await waitText(page, '[data-testid="members-count"]', '1 hội viên');
    await waitCount(page, '[data-testid="member-row"]', 1);
    await waitText(page, '[data-testid="member-row"]', 'Vũ Thị Mai');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'unpaid filter');
    await shot(page, 'dues-unpaid-vi-phone.png');
    await page.getByTestId('member-row').getByRole('link', { name: 'Vũ Thị Mai' }).click();
    await page.getByTestId('member-details').waitFor();
    await page.goBack();
    await waitText(page, '[data-testid="members-count"]', '1 hội viên');
    assert.equal(await page.locator('#member-unpaid-filter').isChecked(), true);
    await waitText(page, '[data-testid="member-row"]', 'Vũ Thị Mai');

    // the statistics: one member paid, and the sum
    await navTo(page, 'nav-report');
    await waitText(page, '[data-testid="report-dues"] dt', `Hội phí năm ${YEAR}`);
    await waitText(page, '[data-testid="report-dues"] dd', '1 hội viên đã đóng, 24.000 ₫');
    await settled(page);
    await checkWords(page, data, 'statistics');
    // and in English, the sum as English writes it
    await setLang(page, 'en');
    await waitText(page, '[data-testid="report-dues"] dd', '1 member paid, 24,000 VND');
    await waitText(page, '[data-testid="report-dues-rate-text"]', `Dues for ${YEAR}: 24,000 VND (set by Kinh Bac Ward).`);
    await checkWords(page, data, 'statistics, English');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});
