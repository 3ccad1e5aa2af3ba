// Browser test of the members' statistics (issue 15, item 6), on a 360x740
// phone in Vietnamese: an entry officer of Bắc Ninh opens the figures of
// Xã Đông Tiến on the eve of the 2025 reform (its branches below it; the
// changes since 1 January: one joined, one moved away; the charts by
// education and by family circumstances with their tables), chooses a
// longer period (the changes add up to the members at its end), is refused
// beside the field for a period that ends before it starts, then counts in
// today's units: Xã Yên Phong, which Đông Tiến became, with the branches
// as they are today; then in English. A viewer sees that religion and
// ethnic groups are hidden and disability not counted. On every page
// visited, every text is from the page language's dictionary or data from
// the API (words.js).
// Screenshots: tests/artifacts/report-flows-vi-phone.png,
// report-mapped-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, sanitizerReport, TODAY } from './server.js';
import {
  launch, openPage, withArtifactOnFailure, shot, waitText, waitHash, waitFocus, noHorizontalScroll, login, settled,
  setLang, logout,
} from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const dmy = (iso) => iso.split('-').reverse().join('/');

const officer = { username: 'hanh.entry', password: 'Hanh-mat-khau-2025', display_name: 'Đỗ Thị Hạnh' };
const viewer = { username: 'lan.viewer', password: 'Lan-mat-khau-2025', display_name: 'Bùi Thị Lan' };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...officer, unit: '24', roles: ['entry'] });
  await server.createUser({ ...viewer, unit: '24', roles: ['viewer'] });
  const add = async (body) => {
    const r = await server.post('/api/v1/members', { birth_date: '1984-06-15', ...body });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  // Xã Đông Tiến (09217), before the reform
  await add({ full_name: 'Nguyễn Thị Hương', unit: '09217.01', joined_on: '2024-03-01', education: 'Đại học', religion: 'Phật giáo', circumstances: 'poor' });
  await add({ full_name: 'Trần Thị Thơm', unit: '09217.02', joined_on: '2024-05-01', education: 'đại học', circumstances: 'disabled' });
  const left = await add({ full_name: 'Lê Thị Nhung', unit: '09217.01', joined_on: '2025-02-01' });
  const r = await server.post(`/api/v1/members/${left}/leave`, { date: '2025-04-01', reason: 'moved_away' });
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

// The figures of a chart's table: {label: number as shown}.
async function table(page, testid) {
  const rows = await page.locator(`[data-testid="${testid}-table"] tbody tr`).all();
  const out = {};
  for (const r of rows) out[(await r.locator('th').textContent()).trim()] = (await r.locator('td').textContent()).trim();
  return out;
}

const flow = (page, what) => page.locator(`[data-testid="report-flow-${what}"] td`).textContent();

test('an officer reads a commune\'s figures, the changes of a period, and the same members in today\'s units', { timeout: 180000 }, async () => {
  const { page } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'report', async () => {
    await login(page, server.url('/#/reports/members?unit=09217&as_of=2025-06-30'), officer);
    await page.getByTestId('report').waitFor();
    await settled(page);
    await waitText(page, '#report-heading', 'Xã Đông Tiến, ngày 30/06/2025');
    await waitText(page, '[data-testid="report-total"]', '2');
    // the changes since 1 January: one joined and moved away
    await waitText(page, '#report-flows-heading', 'Biến động từ 01/01/2025 đến 30/06/2025');
    assert.deepEqual(await Promise.all(['opening', 'joined', 'in', 'left', 'left-moved_away', 'out', 'closing'].map((w) => flow(page, w))),
      ['2', '1', '0', '1', '1', '0', '2']);
    await waitText(page, '[data-testid="report-flow-opening"]', 'Hội viên ngày 31/12/2024');
    await waitText(page, '[data-testid="report-flow-left-moved_away"]', 'Chuyển đi nơi khác');
    // the charts' tables: written three ways, one group; circumstances in words
    assert.deepEqual(await table(page, 'report-education'), { 'Đại học': '2' });
    assert.deepEqual(await table(page, 'report-circumstances'), { 'Hộ nghèo': '1', 'Khuyết tật': '1' });
    assert.deepEqual(await table(page, 'report-religion'), { 'Phật giáo': '1', 'Chưa ghi': '1' });
    // the same figures as the union's report in Excel
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-xlsx').click()]);
    assert.match(file.suggestedFilename(), /^bao-cao-hoi-vien-.+-2025-06-30\.xlsx$/);
    assert.equal(readFileSync(await file.path()).subarray(0, 2).toString('latin1'), 'PK');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'a commune on the eve of the reform');
    await shot(page, 'report-flows-vi-phone.png');

    // a longer period: from 1 January 2024 every one of them joined in it
    await page.locator('#report-from').fill('01/01/2024');
    await page.getByTestId('report-show').click();
    await waitHash(page, /from=2024-01-01/);
    await waitText(page, '#report-flows-heading', 'Biến động từ 01/01/2024 đến 30/06/2025');
    await waitText(page, '[data-testid="report-flow-joined"] td', '3');
    assert.deepEqual(await Promise.all(['opening', 'joined', 'left', 'closing'].map((w) => flow(page, w))), ['0', '3', '1', '2']);
    // a period that ends before it starts: said beside "Đến ngày"
    await page.locator('#report-to').fill('31/12/2023');
    await page.getByTestId('report-show').click();
    await waitText(page, '[data-testid="report-to-error"]', '“Biến động từ ngày” không được sau “Đến ngày”.');
    await waitFocus(page, '#report-to');
    await checkWords(page, data, 'a period refused');

    // in today's units: Xã Yên Phong, which Đông Tiến became on 1 July 2025
    await page.locator('#report-to').fill('');
    await page.locator('#report-unit').fill('09193');
    await page.getByTestId('report-mapped').check();
    await page.getByTestId('report-show').click();
    await waitHash(page, /mapped=true/);
    await page.locator('[data-testid="report"][data-mapped="true"]').waitFor();
    await waitText(page, '[data-testid="report-mapped-note"]', `Tính theo các đơn vị như tại ngày ${dmy(TODAY)}.`);
    await waitText(page, '#report-heading', 'Xã Yên Phong, ngày 30/06/2025');
    await waitText(page, '[data-testid="report-total"]', '2');
    await waitText(page, '[data-testid="report-child"][data-code="09217.01"]', '1');
    await waitText(page, '[data-testid="report-child"][data-code="09217.02"]', '1');
    assert.equal(await page.locator('[data-testid="report-child"][data-code="09217"]').count(), 0, 'today\'s units only');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'mapped');
    await shot(page, 'report-mapped-vi-phone.png');

    // in English
    await setLang(page, 'en');
    await waitText(page, '[data-testid="report-mapped-note"]', 'Counted in the units as they are on');
    await waitText(page, '#report-flows-heading', 'Changes from');
    assert.deepEqual(await table(page, 'report-circumstances'), { 'Poor household': '1', Disability: '1' });
    await checkWords(page, data, 'mapped, in English');
    await setLang(page, 'vi');
  });
});

test('a viewer: religion and ethnic groups hidden, disability not counted', { timeout: 120000 }, async () => {
  const { page } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'report-viewer', async () => {
    await login(page, server.url('/#/reports/members?unit=09217&as_of=2025-06-30'), viewer);
    await page.getByTestId('report').waitFor();
    await settled(page);
    await page.getByTestId('report-religion-masked').waitFor();
    await page.getByTestId('report-ethnicity-masked').waitFor();
    await page.getByTestId('report-circumstances-masked').waitFor();
    assert.deepEqual(await table(page, 'report-circumstances'), { 'Hộ nghèo': '1', 'Chưa ghi': '1' });
    await checkWords(page, data, 'viewer');
    await logout(page);
  });
});
