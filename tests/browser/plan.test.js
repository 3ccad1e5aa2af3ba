// Browser tests of the plan page (issue 14, item 1): a province admin, on a
// 360x740 phone screen in Vietnamese, uploads the CSV of her province's
// commune merger, previews it (nothing written), applies it, and opens the
// new commune from the result, whose events list the merger. A file with bad
// lines is refused line by line, and a plan naming a commune outside her
// province is refused at its line, both in Vietnamese; nothing is written.
// Every word on the page comes from the dictionaries (words.js).
// Screenshots: tests/artifacts/plan-preview-vi-phone.png, plan-refused-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport } from './server.js';
import { launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, noHorizontalScroll, login, navTo } from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const DAY = '2026-01-01';
const NOTE = 'Nghị quyết 9999/NQ-UBTVQH15';
const HEADER = 'op,date,code,name_vi,name_en,level,kind,attributes,parent,sources,note';

let server;
let browser;
const lan = { username: 'lan.plan', password: 'Lan-mat-khau-2025', display_name: 'Trần Thị Lan' };

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...lan, unit: '24', roles: ['admin'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

const file = (name, ...rows) => ({ name, mimeType: 'text/csv', buffer: Buffer.from([HEADER, ...rows].join('\r\n') + '\r\n') });

// previewFile: choose f and ask for the preview; its name, which the page
// shows, is her data like the API's (data: watchData's set).
async function previewFile(page, f, data) {
  data.add(f.name);
  await page.getByTestId('plan-file').setInputFiles(f);
  await page.getByTestId('plan-preview').click();
}

async function formErrorLines(page) {
  await page.getByTestId('form-error').waitFor();
  return (await page.getByTestId('form-error').locator('p').allTextContents()).map((x) => x.trim());
}

test('a province admin previews and applies her communes\' merger from a CSV plan', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'plan', async () => {
    await login(page, server.url('/#/'), lan);
    await navTo(page, 'nav-plan');
    await waitText(page, 'main h1', 'Sắp xếp đơn vị theo kế hoạch');
    assert.equal(await page.title(), 'Sắp xếp đơn vị theo kế hoạch — unionbase');
    await checkWords(page, data, 'plan page');

    // no file chosen
    await page.getByTestId('plan-preview').click();
    await waitText(page, '[data-testid="plan-file-error"]', 'Hãy chọn tệp kế hoạch.');

    // bad lines: each named, nothing sent further
    await previewFile(page, file('sai.csv', `merge,2026-02-30,09999,Phường Mới,New Ward,commune,,,,09187 07210,`, `gop,${DAY},07616,,,,,,,,`), data);
    const bad = await formErrorLines(page);
    assert.equal(bad[0], 'Tệp có 2 lỗi, chưa thay đổi gì:');
    assert.match(bad[1], /^Dòng 2, cột date: /);
    assert.match(bad[2], /^Dòng 3, cột op: /);
    await noHorizontalScroll(page);
    await shot(page, 'plan-refused-vi-phone.png');
    await checkWords(page, data, 'bad lines');
    // the refusal is worded again in the language she switches to
    await page.getByTestId('lang-switch').selectOption('en');
    await waitText(page, '[data-testid="form-error"]', 'The file has 2 problems; nothing was changed:');
    // the page's title follows the words a moment later (an effect after the render)
    await page.waitForFunction(() => document.title !== 'Sắp xếp đơn vị theo kế hoạch — unionbase');
    await checkWords(page, data, 'bad lines, in English');
    await page.getByTestId('lang-switch').selectOption('vi');
    await waitText(page, '[data-testid="form-error"]', 'Tệp có 2 lỗi, chưa thay đổi gì:');

    // a commune of another province: refused at its line, as if it did not exist
    await previewFile(page, file('ngoai.csv', `rename,${DAY},07616,Xã Tây Yên Tử Mới,New Tay Yen Tu Commune,,,,,,`, `merge,${DAY},09999,Phường Mới,New Ward,commune,territorial,,,09187 00004,${NOTE}`), data);
    const outside = await formErrorLines(page);
    assert.match(outside[0], /^Dòng 3: Không có đơn vị mã 00004/);
    await checkWords(page, data, 'outside her scope');

    // the merger: preview, nothing written yet
    await previewFile(page, file('sap-xep.csv',
      `merge,${DAY},09999,Phường Kinh Bắc Mới,New Kinh Bac Ward,commune,territorial,urban,,09187 07210,${NOTE}`,
      `rename,${DAY},07616,Xã Tây Yên Tử Mới,New Tay Yen Tu Commune,,,,,,${NOTE}`), data);
    await page.getByTestId('plan-preview-result').waitFor();
    await waitText(page, '#plan-preview-heading', 'Xem trước: 2 thay đổi');
    const steps = page.locator('[data-testid="plan-preview-result"] [data-testid="plan-steps"] li');
    assert.equal(await steps.count(), 2);
    assert.match(await steps.nth(0).textContent(), /Hợp nhất.*Từ: .*Phường Bắc Giang.*Phường Kinh Bắc 09187.*Thành: Phường Kinh Bắc Mới.*8 đơn vị trực thuộc/s);
    assert.equal(await page.locator('[data-testid="plan-preview-result"] a').count(), 0, 'nothing to link to yet');
    await noHorizontalScroll(page);
    await shot(page, 'plan-preview-vi-phone.png');
    await checkWords(page, data, 'preview');
    const before = await page.evaluate(async () => (await fetch('/api/v1/units/09999?as_of=2026-01-01')).status);
    assert.equal(before, 404, 'the preview wrote nothing');

    // apply: every unit it touched is one click away
    await page.getByTestId('plan-apply').click();
    await waitText(page, '#plan-applied-heading', 'Đã áp dụng 2 thay đổi');
    await checkWords(page, data, 'applied');
    await page.locator('[data-testid="plan-applied"] a', { hasText: 'Phường Kinh Bắc Mới' }).click();
    await waitText(page, 'main h1', 'Phường Kinh Bắc Mới');
    await waitText(page, '[data-testid="events"] li[data-kind="merge"] .node-meta', NOTE);
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});
