// Browser test of a member's personal data (Law 91/2025/QH15), on a
// 360x740 phone in Vietnamese: an entry officer of a ward (Phường Kinh
// Bắc) opens a member's page, reads that no consent is recorded, is
// refused an empty purpose beside the field, records a consent, withdraws
// it (asked again first), downloads everything held about her (a JSON file
// named after her id, holding her name and the consent), and erases her
// (the warning says what goes and what stays; asked again): the members
// list then says so and no longer has her, and her page reads "not found".
// A viewer of the ward sees no such section on her page. On every page
// visited, every text is from the page language's dictionary or data from
// the API (words.js).
// Screenshots: tests/artifacts/member-privacy-vi-phone.png,
// member-erased-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, sanitizerReport, TODAY } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitCount, waitFocus, waitHash,
  noHorizontalScroll, login, settled, announced,
} from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const WARD = '09187'; // Phường Kinh Bắc
const BRANCH = '09187.01'; // Chi hội Phụ nữ khu phố 1
const dmy = (iso) => iso.split('-').reverse().join('/');
const NAME = 'Trần Thị Riêng';
const PURPOSE = 'Liên lạc qua điện thoại';

const officer = { username: 'lan.entry', password: 'Lan-mat-khau-2025', display_name: 'Đỗ Thị Lan' };
const viewer = { username: 'thu.viewer', password: 'Thu-mat-khau-2025', display_name: 'Lê Thị Thu' };

let server;
let browser;
let id; // the member whose data is handled
let otherId; // the member who stays

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...officer, unit: WARD, roles: ['entry'] });
  await server.createUser({ ...viewer, unit: WARD, roles: ['viewer'] });
  const add = async (full_name, birth_date, more = {}) => {
    const r = await server.post('/api/v1/members', { full_name, birth_date, unit: BRANCH, joined_on: '2025-08-01', ...more });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  id = await add(NAME, '1987-03-09', { phone: '0913 000 777' });
  otherId = await add('Vũ Thị Mai', '1991-11-20');
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

test('an officer records and withdraws a consent, downloads a member\'s data and erases her', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'member-privacy', async () => {
    await login(page, server.url(`/#/members/${id}`), officer);
    await page.getByTestId('member-privacy').waitFor();
    await page.getByTestId('member-consents-none').waitFor();
    await settled(page);

    // an empty purpose is refused beside the field
    await page.getByTestId('member-consent-save').click();
    await waitText(page, '[data-testid="member-consent-purpose-error"]', 'Không được để trống.');
    await waitFocus(page, '#member-consent-purpose');

    // a consent recorded, dated today by default
    assert.equal(await page.locator('#member-consent-date').inputValue(), dmy(TODAY));
    await page.locator('#member-consent-purpose').fill(PURPOSE);
    await page.getByTestId('member-consent-save').click();
    const given = `Đã ghi nhận đồng ý “${PURPOSE}” ngày ${dmy(TODAY)}.`;
    await waitText(page, '[data-testid="member-consent-notice"]', given);
    await announced(page, given);
    await waitCount(page, '[data-testid="member-consent-row"]', 1);
    const cells = async () => (await page.locator('[data-testid="member-consent-row"] td').allTextContents()).map((c) => c.trim());
    assert.deepEqual(await cells(), [PURPOSE, dmy(TODAY), '—', 'Rút lại']);
    assert.equal(await page.locator('#member-consent-purpose').inputValue(), '', 'the form starts afresh');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'consent given');

    // withdrawn, asked again first
    await page.getByTestId('member-consent-withdraw').click();
    await waitText(page, '[data-testid="member-privacy"] .confirm', `Ghi nhận rút lại đồng ý “${PURPOSE}” từ hôm nay (${dmy(TODAY)})?`);
    await checkWords(page, data, 'withdrawal asked');
    await page.getByTestId('member-consent-withdraw-confirm').click();
    const withdrawn = `Đã ghi nhận rút lại đồng ý “${PURPOSE}” ngày ${dmy(TODAY)}.`;
    await waitText(page, '[data-testid="member-consent-notice"]', withdrawn);
    await announced(page, withdrawn);
    await page.locator('[data-testid="member-consent-row"][data-open="false"]').waitFor();
    assert.deepEqual(await cells(), [PURPOSE, dmy(TODAY), dmy(TODAY), '']);
    assert.equal(await page.getByTestId('member-consent-withdraw').count(), 0, 'nothing left to withdraw');

    // everything held about her, as a file named after her id
    const downloading = page.waitForEvent('download');
    await page.getByTestId('member-export').click();
    const download = await downloading;
    const file = `hoi-vien-${id}.json`;
    assert.equal(download.suggestedFilename(), file);
    const held = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(held.record.full_name, NAME);
    assert.deepEqual(held.consents.map((c) => [c.purpose, c.given_on, c.withdrawn_on]), [[PURPOSE, TODAY, TODAY]]);
    await waitText(page, '[data-testid="member-export-done"]', `Đã tải về tệp ${file}.`);
    await announced(page, `Đã tải về tệp ${file}.`);
    await checkWords(page, data, 'exported');

    // erased: the warning says what goes and what stays; asked again
    await waitText(page, '[data-testid="member-erase-warning"]', 'Không thể hoàn tác.');
    await waitText(page, '[data-testid="member-erase-warning"]', 'Vẫn giữ, không kèm tên: quá trình sinh hoạt, hội phí đã đóng');
    await page.getByTestId('member-erase').click();
    await waitText(page, '[data-testid="member-privacy"] .confirm', `Xóa dữ liệu cá nhân của ${NAME}? Không thể hoàn tác.`);
    await noHorizontalScroll(page);
    await checkWords(page, data, 'erasure asked');
    await shot(page, 'member-privacy-vi-phone.png');
    await page.getByTestId('member-erase-confirm').click();

    // the members list says so, and has only the other member
    await waitHash(page, /^#\/members(\?|$)/);
    const erased = `Đã xóa dữ liệu cá nhân của ${NAME}. Hồ sơ không còn trong danh sách; số liệu thống kê vẫn tính hội viên này.`;
    await waitText(page, '[data-testid="members-notice"]', erased);
    await waitText(page, '[data-testid="announce-polite"]', erased);
    await waitText(page, '[data-testid="members-count"]', '1 hội viên');
    await waitCount(page, '[data-testid="member-row"]', 1);
    await waitText(page, '[data-testid="member-row"]', 'Vũ Thị Mai');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'erased');
    await shot(page, 'member-erased-vi-phone.png');

    // her page reads "not found"
    await page.evaluate((x) => { location.hash = `#/members/${x}`; }, id);
    await page.getByRole('link', { name: 'Về danh sách hội viên' }).waitFor();
    assert.equal(await page.getByTestId('member-details').count(), 0);
    await checkWords(page, data, 'her page after erasure');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('a viewer sees no personal-data section on a member\'s page', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'member-privacy-viewer', async () => {
    await login(page, server.url(`/#/members/${otherId}`), viewer);
    await page.getByTestId('member-details').waitFor();
    await settled(page);
    assert.equal(await page.getByTestId('member-privacy').count(), 0);
    assert.equal(await page.getByTestId('member-erase').count(), 0);
    await checkWords(page, data, 'viewer');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});
