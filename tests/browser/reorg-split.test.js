// Browser test of the split wizard (issue 14, item 1), on a 360x740 phone
// screen in Vietnamese: a province admin splits Xã Tây Yên Tử into two new
// communes and says where each of its branches goes. A branch left without
// a new unit and a code another unit holds are explained in Vietnamese beside
// their fields; the preview shows the commune ending and each new commune
// with the branches it receives; an edit clears the preview; confirming opens
// the commune on its last day, whose events list the split and whose lineage
// links the new communes, which hold the branches. Every word on the page
// comes from the dictionaries (words.js).
// Screenshots: tests/artifacts/reorg-split-refused-vi-phone.png, reorg-split-preview-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport, TODAY } from './server.js';
import { launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitFocus, noHorizontalScroll, login } from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };

let server;
let browser;
const lan = { username: 'lan.province', password: 'Lan-mat-khau-2025', display_name: 'Trần Thị Lan' };

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

const ddmmyyyy = (iso) => iso.split('-').reverse().join('/');
const dayBefore = (iso) => {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

async function fieldError(page, id) {
  const el = page.getByTestId(`${id}-error`);
  await el.waitFor();
  assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true', `${id} is marked invalid`);
  return (await el.textContent()).trim();
}

async function fillPart(page, i, { code, vi, en }) {
  await page.locator(`#reorg-part-${i}-code`).fill(code);
  await page.locator(`#reorg-part-${i}-name-vi`).fill(vi);
  await page.locator(`#reorg-part-${i}-name-en`).fill(en);
}

test('the split wizard: refusals in Vietnamese, the preview, confirm, the new communes after', { timeout: 240000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'reorg-split', async () => {
    await login(page, server.url('/#/units/07616'), lan);
    await waitText(page, 'main h1', 'Xã Tây Yên Tử');
    await page.getByTestId('reorg-split').click();
    await page.getByTestId('reorg-split-form').waitFor();
    await waitText(page, '[data-testid="reorg-split-form"] h3', 'Chia tách Xã Tây Yên Tử');
    // the form moves the focus once it has drawn (an effect): wait for it
    await waitFocus(page, '[data-testid="reorg-split-form"] h3');
    assert.equal(await page.getByTestId('reorg-part').count(), 2);
    assert.equal(await page.locator('#reorg-date').inputValue(), ddmmyyyy(TODAY));

    // a third part can be added and removed again
    await page.getByTestId('reorg-part-add').click();
    assert.equal(await page.getByTestId('reorg-part').count(), 3);
    await page.getByTestId('reorg-part-2-remove').click();
    assert.equal(await page.getByTestId('reorg-part').count(), 2);

    // the second part takes a code Phường Bắc Giang holds; a branch has no part yet
    await fillPart(page, 0, { code: '07617', vi: 'Xã Thác Nhông', en: 'Thac Nhong Commune' });
    await fillPart(page, 1, { code: '07210', vi: 'Xã Đồng Riễng', en: 'Dong Rieng Commune' });
    await page.locator('#reorg-child-07616-01').selectOption({ label: 'Đơn vị mới 1' });
    await page.locator('#reorg-child-07616-02').selectOption({ label: 'Đơn vị mới 2' });
    await page.locator('#reorg-note').fill('Nghị quyết 35/NQ-HĐND');
    await page.getByTestId('reorg-preview').click();
    assert.equal(await fieldError(page, 'reorg-child-07616-03'), 'Chọn đơn vị mới mà đơn vị này chuyển về.');
    await waitFocus(page, '#reorg-child-07616-03'); // the first invalid field

    await page.locator('#reorg-child-07616-03').selectOption({ label: 'Đơn vị mới 2' });
    await page.getByTestId('reorg-preview').click();
    assert.match(await fieldError(page, 'reorg-part-1-code'), /^Mã 07210 đã được dùng cho đơn vị “Phường Bắc Giang”/);
    await waitFocus(page, '#reorg-part-1-code');
    assert.equal(await page.getByTestId('reorg-preview-result').count(), 0);
    await noHorizontalScroll(page);
    await shot(page, 'reorg-split-refused-vi-phone.png');
    await checkWords(page, data, 'split refused');

    // a free code: the commune before, each new commune after with its branches
    await page.locator('#reorg-part-1-code').fill('07618');
    await page.getByTestId('reorg-preview').click();
    await page.getByTestId('reorg-preview-result').waitFor();
    await waitFocus(page, '#reorg-preview-heading');
    await waitText(page, '[data-testid="reorg-before"]', 'Xã Tây Yên Tử');
    await waitText(page, '[data-testid="reorg-before"]', `hoạt động đến hết ngày ${ddmmyyyy(dayBefore(TODAY))}`);
    const receives = (code) => page.locator(`[data-testid="reorg-target"][data-code="${code}"] [data-testid="reorg-moved"]`)
      .evaluateAll((els) => els.map((e) => e.dataset.code));
    assert.deepEqual(await receives('07617'), ['07616.01']);
    assert.deepEqual(await receives('07618'), ['07616.02', '07616.03']);
    await waitText(page, '[data-testid="reorg-after"]', '3 đơn vị trực thuộc được chuyển sang các đơn vị mới.');
    await noHorizontalScroll(page);
    await shot(page, 'reorg-split-preview-vi-phone.png');
    await checkWords(page, data, 'split preview');
    // nothing was written by the preview
    const still = await (await server.api()).request('GET', '/api/v1/units/07616');
    assert.equal(still.status, 200);
    assert.equal(still.body.valid_until, null);

    // an edit after the preview clears it; preview again
    await page.locator('#reorg-part-0-name-en').fill('Thac Nhong Commune ');
    assert.equal(await page.getByTestId('reorg-preview-result').count(), 0);
    await page.getByTestId('reorg-preview').click();
    await page.getByTestId('reorg-preview-result').waitFor();

    await page.getByTestId('reorg-confirm').click();
    await waitText(page, '[data-testid="reorg-done"]', 'Đã chia tách Xã Tây Yên Tử thành Xã Thác Nhông, Xã Đồng Riễng.');
    await waitText(page, '[data-testid="events"] li[data-kind="split"] .node-meta', 'Nghị quyết 35/NQ-HĐND');
    await page.locator('[data-testid="successor"][data-code="07617"]').waitFor();
    await page.locator('[data-testid="successor"][data-code="07618"]').waitFor();
    await checkWords(page, data, 'after the split');

    // a new commune, from its first day: its branches and the event
    await page.locator('[data-testid="successor"][data-code="07618"] a').click();
    await waitText(page, 'main h1', 'Xã Đồng Riễng');
    await page.locator('[data-testid="tree-node"][data-code="07616.02"]').waitFor();
    await page.locator('[data-testid="tree-node"][data-code="07616.03"]').waitFor();
    await page.locator('[data-testid="events"] li[data-kind="split"]').waitFor();
    await checkWords(page, data, 'a new commune');

    // the province's tree today: the new communes, not the old one
    await page.goto(server.url('/#/units/24'));
    await page.locator('[data-testid="tree-node"][data-code="07617"]').waitFor();
    await page.locator('[data-testid="tree-node"][data-code="07618"]').waitFor();
    assert.equal(await page.locator('[data-testid="tree-node"][data-code="07616"]').count(), 0);
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});
