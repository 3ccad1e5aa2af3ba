// Browser tests of the reorganisation screens (issue 14, item 1), on a
// 360x740 phone screen in Vietnamese: from a unit's page an admin renames a
// branch and moves it under another commune, each with its date and legal
// basis; a refused move is explained in Vietnamese beside the field; the
// unit's page then lists the events. The merge wizard merges into a new unit
// and into an existing one; the create form adds a branch under a ward, the
// close form ends a branch (refused while one has units below). A province
// admin sees no forms on her own unit (it is changed only from above), a
// viewer none at all. Every word on the page comes from the dictionaries
// (words.js). The split wizard is tested in reorg-split.test.js.
// Screenshots: tests/artifacts/reorg-rename-vi-phone.png, reorg-move-refused-vi-phone.png,
// reorg-merge-preview-vi-phone.png, reorg-merge-existing-vi-phone.png, reorg-close-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport, TODAY } from './server.js';
import { launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, noHorizontalScroll, login } from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };

let server;
let browser;
const lan = { username: 'lan.province', password: 'Lan-mat-khau-2025', display_name: 'Trần Thị Lan' };
const hoa = { username: 'hoa.viewer', password: 'Hoa-mat-khau-2025', display_name: 'Phạm Thị Hoa' };

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...lan, unit: '24', roles: ['admin'] });
  await server.createUser({ ...hoa, unit: '24', roles: ['viewer'] });
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

test('a province admin renames and moves a branch from its page', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'reorg-unit', async () => {
    await login(page, server.url('/#/units/09217.01'), lan);
    await waitText(page, 'main h1', 'Chi hội Phụ nữ thôn Phù Cầm');
    await page.getByTestId('reorg-panel').waitFor();

    // rename, today, with its legal basis
    await page.getByTestId('reorg-rename').click();
    const form = page.getByTestId('reorg-rename-form');
    await form.waitFor();
    assert.equal(await page.locator('#reorg-date').inputValue(), ddmmyyyy(TODAY));
    await page.locator('#reorg-name-vi').fill('Chi hội Phụ nữ khu dân cư Phù Cầm');
    await page.locator('#reorg-name-en').fill('Phu Cam Residential Area Women\'s Branch');
    await page.locator('#reorg-note').fill('Nghị quyết 15/NQ-HĐND');
    await noHorizontalScroll(page);
    await shot(page, 'reorg-rename-vi-phone.png');
    await checkWords(page, data, 'rename form');
    await page.getByTestId('reorg-submit').click();
    await waitText(page, '[data-testid="reorg-done"]', 'Đã đổi tên thành “Chi hội Phụ nữ khu dân cư Phù Cầm”.');
    await waitText(page, 'main h1', 'Chi hội Phụ nữ khu dân cư Phù Cầm');
    await waitText(page, '[data-testid="events"] li[data-kind="rename"] .node-meta', 'Nghị quyết 15/NQ-HĐND');

    // a move under a branch: refused, in Vietnamese, at the field
    await page.getByTestId('reorg-move').click();
    await page.getByTestId('reorg-move-form').waitFor();
    await page.locator('#reorg-parent').fill('09391.01');
    await page.getByTestId('reorg-parent-name').waitFor();
    await page.locator('#reorg-note').fill('Quyết định 7/QĐ-UBND');
    await page.getByTestId('reorg-submit').click();
    await page.getByTestId('form-error').waitFor();
    const refused = (await page.getByTestId('form-error').textContent()).trim();
    assert.match(refused, /phải ở cấp thấp hơn|không thể trực thuộc/, refused);
    await noHorizontalScroll(page);
    await shot(page, 'reorg-move-refused-vi-phone.png');
    await checkWords(page, data, 'move refused');

    // an unknown parent: at the field
    await page.locator('#reorg-parent').fill('khong-co');
    await page.getByTestId('reorg-submit').click();
    assert.match(await fieldError(page, 'reorg-parent'), /Không có đơn vị mã khong-co/);

    // the move under Phường Từ Sơn
    await page.locator('#reorg-parent').fill('09367');
    await page.getByTestId('reorg-submit').click();
    await waitText(page, '[data-testid="reorg-done"]', 'Đã chuyển Chi hội Phụ nữ khu dân cư Phù Cầm sang trực thuộc Phường Từ Sơn.');
    await waitText(page, '.facts a[href*="09367"]', 'Phường Từ Sơn');
    await waitText(page, '[data-testid="events"] li[data-kind="move"] .node-meta', 'Quyết định 7/QĐ-UBND');
    await checkWords(page, data, 'after the move');

    // her own province: no forms to change it, only to add under it
    await page.goto(server.url('/#/units/24'));
    await page.getByTestId('reorg-panel').waitFor();
    assert.equal(await page.getByTestId('reorg-rename').count(), 0);
    assert.equal(await page.getByTestId('reorg-create').count(), 1);
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('a viewer sees no reorganisation forms', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  await withArtifactOnFailure(page, 'reorg-viewer', async () => {
    await login(page, server.url('/#/units/09367'), hoa);
    await waitText(page, 'main h1', 'Phường Từ Sơn');
    assert.equal(await page.getByTestId('reorg-panel').count(), 0);
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('the merge wizard: a refused code in Vietnamese, the preview, confirm, the tree after', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'reorg-merge', async () => {
    await login(page, server.url('/#/units/09193'), lan);
    await waitText(page, 'main h1', 'Xã Yên Phong');
    await page.getByTestId('reorg-merge').click();
    const form = page.getByTestId('reorg-merge-form');
    await form.waitFor();
    await page.getByTestId('reorg-source-09223.01').check();
    await page.getByTestId('reorg-source-09223.02').check();
    // a code another unit holds: the server refuses it, said in Vietnamese at the field
    await page.locator('#reorg-code').fill('09232.01');
    await page.locator('#reorg-name-vi').fill('Chi hội Phụ nữ thôn Trác Bút - Phong Xá');
    await page.locator('#reorg-name-en').fill('Trac But - Phong Xa Women\'s Branch');
    await page.locator('#reorg-note').fill('Nghị quyết 202/2025/QH15');
    await page.getByTestId('reorg-preview').click();
    assert.match(await fieldError(page, 'reorg-code'), /^Mã 09232\.01 đã được dùng cho đơn vị “Chi hội Phụ nữ thôn Long Khám”/);
    assert.equal(await page.getByTestId('reorg-preview-result').count(), 0);
    await checkWords(page, data, 'merge refused');

    // a free code: the preview shows the units before and after, and what moves
    await page.locator('#reorg-code').fill('09223.09');
    await page.getByTestId('reorg-preview').click();
    await page.getByTestId('reorg-preview-result').waitFor();
    await waitText(page, '[data-testid="reorg-before"]', 'Chi hội Phụ nữ thôn Trác Bút');
    const moved = await page.getByTestId('reorg-moved').evaluateAll((els) => els.map((e) => e.dataset.code));
    assert.deepEqual(moved, ['09223.01.1']);
    await noHorizontalScroll(page);
    await shot(page, 'reorg-merge-preview-vi-phone.png');
    await checkWords(page, data, 'merge preview');
    // nothing was written by the preview
    const still = await (await server.api()).request('GET', '/api/v1/units/09223.01');
    assert.equal(still.status, 200);
    assert.equal(still.body.valid_until, null);

    await page.getByTestId('reorg-confirm').click();
    await waitText(page, '[data-testid="reorg-done"]', 'Đã hợp nhất thành Chi hội Phụ nữ thôn Trác Bút - Phong Xá.');
    await waitText(page, 'main h1', 'Chi hội Phụ nữ thôn Trác Bút - Phong Xá');
    await page.locator('[data-testid="events"] li[data-kind="merge"]').waitFor();
    await page.locator('[data-testid="tree-node"][data-code="09223.01.1"]').waitFor();
    await checkWords(page, data, 'after the merge');
    // the event is on the page of each unit it touched: a source, as on its last day
    await page.locator('[data-testid="predecessor"][data-code="09223.01"] a').click();
    await waitText(page, 'main h1', 'Chi hội Phụ nữ thôn Trác Bút');
    // this merger, and the 2025 one that handed the branch to Xã Yên Phong
    await page.locator('[data-testid="events"] li[data-kind="merge"]').filter({ hasText: ddmmyyyy(TODAY) }).waitFor();
    await page.locator('[data-testid="events"] li[data-kind="merge"]').filter({ hasText: '01/07/2025' }).waitFor();
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('the merge wizard into an existing unit: one of the merged branches carries on', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'reorg-merge-existing', async () => {
    await login(page, server.url('/#/units/09187'), lan);
    await waitText(page, 'main h1', 'Phường Kinh Bắc');
    await page.getByTestId('reorg-merge').click();
    await page.getByTestId('reorg-merge-form').waitFor();
    await page.getByTestId('reorg-source-09187.01').check();
    await page.getByTestId('reorg-source-09187.02').check();
    await page.getByTestId('reorg-into-existing').check();
    assert.equal(await page.locator('#reorg-name-vi').count(), 0, 'no names for an existing unit');
    await page.locator('#reorg-into').fill('09187.01');
    await waitText(page, '[data-testid="reorg-into-name"]', 'Chi hội Phụ nữ khu phố 1');
    await page.locator('#reorg-note').fill('Nghị quyết 12/NQ-HĐND');
    await page.getByTestId('reorg-preview').click();
    await page.getByTestId('reorg-preview-result').waitFor();
    // the branch merged into carries on; the other ends and hands over its groups
    await waitText(page, '[data-testid="reorg-before"]', 'tiếp tục hoạt động');
    await waitText(page, '[data-testid="reorg-before"]', `hoạt động đến hết ngày ${ddmmyyyy(dayBefore(TODAY))}`);
    await page.locator('[data-testid="reorg-target"][data-code="09187.01"]').waitFor();
    const moved = await page.getByTestId('reorg-moved').evaluateAll((els) => els.map((e) => e.dataset.code));
    assert.deepEqual(moved, ['09187.02.1', '09187.02.2']);
    await noHorizontalScroll(page);
    await shot(page, 'reorg-merge-existing-vi-phone.png');
    await checkWords(page, data, 'merge into an existing unit: preview');

    await page.getByTestId('reorg-confirm').click();
    await waitText(page, '[data-testid="reorg-done"]', 'Đã sáp nhập vào Chi hội Phụ nữ khu phố 1.');
    await waitText(page, 'main h1', 'Chi hội Phụ nữ khu phố 1');
    await waitText(page, '[data-testid="events"] li[data-kind="merge"] .node-meta', 'Nghị quyết 12/NQ-HĐND');
    await page.locator('[data-testid="tree-node"][data-code="09187.02.1"]').waitFor();
    await page.locator('[data-testid="tree-node"][data-code="09187.01.1"]').waitFor();
    await checkWords(page, data, 'after the merge into an existing unit');
    const ended = await (await server.api()).request('GET', `/api/v1/units/09187.02?as_of=${TODAY}`);
    assert.equal(ended.status, 404, 'the other branch has ended');
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});

test('create a branch under a ward, then close another branch', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'reorg-create-close', async () => {
    await login(page, server.url('/#/units/07210'), lan);
    await waitText(page, 'main h1', 'Phường Bắc Giang');
    await page.getByTestId('reorg-create').click();
    await page.getByTestId('reorg-create-form').waitFor();
    assert.equal(await page.locator('#reorg-level').inputValue(), 'branch', 'a branch under a ward by default');
    await page.locator('#reorg-code').fill('07210.04');
    await page.locator('#reorg-name-vi').fill('Chi hội Phụ nữ tổ dân phố 30');
    await page.locator('#reorg-name-en').fill('Residential Group 30 Women\'s Branch');
    await page.locator('#reorg-note').fill('Quyết định 21/QĐ-HPN');
    await checkWords(page, data, 'create form');
    await page.getByTestId('reorg-submit').click();
    await waitText(page, '[data-testid="reorg-done"]', 'Đã thành lập Chi hội Phụ nữ tổ dân phố 30.');
    await waitText(page, 'main h1', 'Chi hội Phụ nữ tổ dân phố 30');
    await page.locator('[data-testid="events"] li[data-kind="create"]').waitFor();
    // listed under the ward
    await page.locator('.facts a[href*="07210"]').click();
    await waitText(page, 'main h1', 'Phường Bắc Giang');
    await page.locator('[data-testid="tree-node"][data-code="07210.04"]').waitFor();
    await checkWords(page, data, 'after the create');

    // a branch with groups under it cannot be closed: said in Vietnamese
    await page.goto(server.url('/#/units/07210.02'));
    await waitText(page, 'main h1', 'Chi hội Phụ nữ tổ dân phố 24');
    await page.getByTestId('reorg-close').click();
    await page.getByTestId('reorg-close-form').waitFor();
    await page.getByTestId('reorg-submit').click();
    await waitText(page, '[data-testid="form-error"]', 'Chưa thể giải thể');
    await checkWords(page, data, 'close refused');

    // one without: closed, its page on its last day says so
    await page.goto(server.url('/#/units/07210.01'));
    await waitText(page, 'main h1', 'Chi hội Phụ nữ tổ dân phố 5');
    await page.getByTestId('reorg-close').click();
    await page.getByTestId('reorg-close-form').waitFor();
    await page.locator('#reorg-note').fill('Nghị quyết 4/NQ-HPN');
    await noHorizontalScroll(page);
    await shot(page, 'reorg-close-vi-phone.png');
    await checkWords(page, data, 'close form');
    await page.getByTestId('reorg-submit').click();
    await waitText(page, '[data-testid="reorg-done"]', 'Đã giải thể Chi hội Phụ nữ tổ dân phố 5.');
    await waitText(page, '.facts', ddmmyyyy(dayBefore(TODAY)));
    await waitText(page, '[data-testid="events"] li[data-kind="close"] .node-meta', 'Nghị quyết 4/NQ-HPN');
    await checkWords(page, data, 'after the close');
    // gone from the ward today
    await page.goto(server.url('/#/units/07210'));
    await page.locator('[data-testid="tree-node"][data-code="07210.04"]').waitFor();
    assert.equal(await page.locator('[data-testid="tree-node"][data-code="07210.01"]').count(), 0);
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});
