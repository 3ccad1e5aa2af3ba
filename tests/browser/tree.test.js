// Browser test of the organisation tree: a real server (tests/browser/server.js)
// and Debian's chromium driven by playwright-core.
//
// Covers: the tree opens on the central union with 34 provinces on 2025-07-01
// and 63 on 2025-06-01 (the as-of picker reloads everything); lazy expansion;
// diacritic-free search; unit details with lineage (24 Bắc Ninh came from
// 24 Bắc Giang and 27 Bắc Ninh) and lineage links that land inside each unit's
// validity; the API's error message shown on a bad code; Vietnamese by default,
// English after the switch, kept after a reload; no horizontal scroll at
// 360 px; and a unit name holding markup shown as text with no script run.
// A child list longer than a page loads the rest behind "show more".
// Screenshots go to tests/artifacts/.
//
// Every test logs in as the system admin first (the password `init` printed).
// The tests share one server; each passes alone and in any order (the
// province the markup test adds exists from 2025-08-01 only, after the dates
// the others count provinces on).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, sanitizerReport, TODAY } from './server.js';
import {
  ARTIFACTS, launch, openPage as open, realProblems, withArtifactOnFailure,
  waitCount, waitText, waitHash, noHorizontalScroll, login,
} from './ui.js';

const PROVINCES = '[data-testid="tree"] [data-testid="tree-node"][data-depth="1"]';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

// openPage: a fresh context, logged in as the system admin through the
// log-in page (every page is behind it), on the tree.
async function openPage(viewport) {
  const opened = await open(browser, viewport);
  await login(opened.page, server.url('/'), server.admin);
  return opened;
}

// dmy: 2025-07-01 as the app writes it in Vietnamese, 01/07/2025.
const dmy = (iso) => iso.split('-').reverse().join('/');

// setAsOf: type the day into the as-of field the Vietnamese way (dd/mm/yyyy,
// which the field takes in English too); the URL follows.
// Sets the as-of date and waits for the root's children of that date: the
// tree of the date before may have as many provinces (today's and
// 2025-07-01's are both 34), and it is taken down while the new one loads.
async function setAsOf(page, date) {
  const children = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/units/VN/children' && u.searchParams.get('as_of') === date;
  });
  await page.getByTestId('as-of').fill(dmy(date));
  await waitHash(page, new RegExp(`as_of=${date}`));
  await children;
}

// api: GET as the admin.
async function api(p) {
  const res = await (await server.api()).get(p);
  return { status: res.status, body: res.body };
}

test('the tree through time, search, details with lineage, language, phone', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage();
  await withArtifactOnFailure(page, 'tree', async () => {
    await page.goto(server.url('/'));

    // Opens in Vietnamese on today's tree, rooted at the central union.
    await page.getByTestId('tree').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
    assert.equal(await page.getByTestId('as-of').inputValue(), dmy(TODAY), 'the server\'s today (the browser\'s clock is set to it)');
    assert.equal(await page.locator('h1').first().textContent(), 'Cây tổ chức');
    assert.equal(await page.locator('[data-testid="tree"] > [data-testid="tree-node"]').getAttribute('data-code'), 'VN');

    // 2025-07-01: 34 provinces.
    await setAsOf(page, '2025-07-01');
    await waitCount(page, PROVINCES, 34);
    await waitText(page, '[data-testid="unit-count"]', '34 đơn vị');
    const names = await page.locator(`${PROVINCES} > .node-row .node-name`).allTextContents();
    assert.ok(names.includes('Bắc Ninh') && names.includes('Huế'), `34 provinces: ${names.join(', ')}`);
    assert.ok(!names.includes('Bắc Giang'), 'Bắc Giang is no province on 2025-07-01');
    await page.screenshot({ path: path.join(ARTIFACTS, 'tree-vi.png'), fullPage: true });

    // Lazy expansion: open a province with children and see exactly them.
    const provinces = (await api('/api/v1/units?level=province&as_of=2025-07-01&limit=500')).body.items;
    const withKids = provinces.find((p) => p.child_count > 0);
    assert.ok(withKids, 'the demo database has communes under some province');
    const kids = (await api(`/api/v1/units/${encodeURIComponent(withKids.code)}/children?as_of=2025-07-01&limit=500`)).body.items;
    const node = page.locator(`${PROVINCES}[data-code="${withKids.code}"]`);
    const toggle = node.locator(':scope > .node-row button.toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const kidSel = `${PROVINCES}[data-code="${withKids.code}"] [data-testid="tree-node"][data-depth="2"]`;
    await waitCount(page, kidSel, kids.length);
    assert.deepEqual(
      await page.locator(kidSel).evaluateAll((els) => els.map((e) => e.dataset.code)),
      kids.map((k) => k.code),
    );
    await toggle.click();
    await waitCount(page, kidSel, 0);

    // Search without diacritics finds Bắc Ninh (code 24 on this date).
    await page.getByTestId('search-input').fill('bac ninh');
    const hit = page.locator('[data-testid="search-result"][data-code="24"]');
    await hit.waitFor();
    assert.match(await hit.textContent(), /Bắc Ninh/);
    assert.equal(await page.getByTestId('tree').count(), 0, 'search results replace the tree');
    const shown = await page.locator('[data-testid="search-result"]').count();
    assert.match(await page.getByTestId('unit-count').textContent(), new RegExp(`\\b${shown}\\b`));

    // Details of 24 on 2025-07-01, with its lineage: 24 Bắc Giang + 27 Bắc Ninh.
    await hit.locator('a').first().click();
    await page.locator('[data-testid="unit-details"][data-code="24"]').waitFor();
    await waitHash(page, /^#\/units\/24\?as_of=2025-07-01$/);
    assert.equal(await page.locator('[data-testid="unit-details"] h1').textContent(), 'Bắc Ninh');
    await page.locator('[data-testid="lineage"] [data-testid="predecessor"]').first().waitFor();
    const preds = page.locator('[data-testid="lineage"] [data-testid="predecessor"]');
    const predCodes = (await preds.evaluateAll((els) => els.map((e) => e.dataset.code))).sort();
    assert.deepEqual(predCodes, ['24', '27']);
    assert.match(await preds.locator('xpath=self::*[@data-code="24"]').textContent(), /Bắc Giang/);
    assert.match(await preds.locator('xpath=self::*[@data-code="27"]').textContent(), /Bắc Ninh/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'unit-vi.png'), fullPage: true });

    // A predecessor link opens that unit on its last day: the old 24, Bắc Giang.
    await preds.locator('xpath=self::*[@data-code="24"]').locator('a').click();
    await waitHash(page, /^#\/units\/24\?as_of=2025-06-30$/);
    await waitText(page, '[data-testid="unit-details"] h1', 'Bắc Giang');
    assert.equal(await page.getByTestId('as-of').inputValue(), '30/06/2025');
    const succ = page.locator('[data-testid="lineage"] [data-testid="successor"][data-code="24"]');
    await succ.waitFor();
    assert.match(await succ.textContent(), /Bắc Ninh/);
    // ... and its successor link opens the new 24 on its first day.
    await succ.locator('a').click();
    await waitHash(page, /^#\/units\/24\?as_of=2025-07-01$/);
    await waitText(page, '[data-testid="unit-details"] h1', 'Bắc Ninh');

    // An unknown code: the API's not_found, said in Vietnamese with its
    // parameters (the code and the day, written the Vietnamese way).
    const missing = await api('/api/v1/units/NO-SUCH-UNIT?as_of=2025-07-01');
    assert.equal(missing.status, 404);
    assert.deepEqual([missing.body.error.code, missing.body.error.ref, missing.body.error.date], ['not_found', 'NO-SUCH-UNIT', '2025-07-01']);
    await page.goto(server.url('/#/units/NO-SUCH-UNIT?as_of=2025-07-01'));
    await waitText(page, '[role="alert"]', 'Không có đơn vị mã NO-SUCH-UNIT vào ngày 01/07/2025.');
    assert.ok(!(await page.locator('[role="alert"]').textContent()).includes(missing.body.error.message), 'not the English message');

    // Back to the tree, then 2025-06-01: 63 provinces.
    await page.goto(server.url('/#/?as_of=2025-07-01'));
    await waitCount(page, PROVINCES, 34);
    await setAsOf(page, '2025-06-01');
    await waitCount(page, PROVINCES, 63);
    await waitText(page, '[data-testid="unit-count"]', '63 đơn vị');
    const oldNames = await page.locator(`${PROVINCES} > .node-row .node-name`).allTextContents();
    assert.ok(oldNames.includes('Bắc Giang') && oldNames.includes('Thừa Thiên Huế'), 'the 63 provinces');

    // English, and it survives a reload.
    await page.getByTestId('lang-switch').selectOption('en');
    await waitText(page, 'h1', 'Organisation tree');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await waitText(page, '[data-testid="unit-count"]', '63 units');
    await page.screenshot({ path: path.join(ARTIFACTS, 'tree-en.png'), fullPage: true });
    await page.reload();
    await waitCount(page, PROVINCES, 63);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.locator('h1').first().textContent(), 'Organisation tree');
    assert.equal(await page.getByTestId('lang-switch').inputValue(), 'en');
    assert.equal(await page.getByTestId('as-of').inputValue(), '1 Jun 2025', 'English dates in the field too');

    // A 360 px phone: no horizontal scroll on the tree (one level open) or a unit.
    await page.setViewportSize({ width: 360, height: 740 });
    await setAsOf(page, '2025-07-01');
    await waitCount(page, PROVINCES, 34);
    await page.locator(`${PROVINCES}[data-code="${withKids.code}"] > .node-row button.toggle`).click();
    await waitCount(page, kidSel, kids.length);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'tree-en-phone.png'), fullPage: true });
    await page.goto(server.url('/#/units/24?as_of=2025-07-01'));
    await page.locator('[data-testid="lineage"] [data-testid="predecessor"]').first().waitFor();
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'unit-en-phone.png'), fullPage: true });

    // Back in Vietnamese on the phone.
    await page.getByTestId('lang-switch').selectOption('vi');
    await page.goto(server.url('/#/?as_of=2025-07-01'));
    await waitText(page, '[data-testid="unit-count"]', '34 đơn vị');

    // Huế's attributes through time: none until 2025-06-30, a city from 2025-07-01.
    await page.goto(server.url('/#/units/46?as_of=2025-07-01'));
    const attrHistory = page.getByTestId('attribute-history');
    await attrHistory.waitFor();
    assert.equal(await attrHistory.locator(':scope > ol > li').count(), 2);
    assert.match(await attrHistory.innerText(), /30\/06\/2025/);
    await noHorizontalScroll(page);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'tree-vi-phone.png'), fullPage: true });

    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('long child lists come page by page behind "show more"', { timeout: 60000 }, async () => {
  const { context, page, problems } = await openPage();
  await withArtifactOnFailure(page, 'pages', async () => {
    // The app asks for large pages; ask the server for pages of 2 instead.
    await page.route('**/api/v1/units/VN/children?*', (route) => {
      route.continue({ url: route.request().url().replace(/limit=\d+/, 'limit=2') });
    });
    await page.goto(server.url('/#/?as_of=2025-07-01'));
    await waitCount(page, PROVINCES, 2);
    await waitText(page, '[data-testid="unit-count"]', '2/34');
    for (let shown = 2; shown < 34; shown += 2) {
      await page.locator('[data-testid="tree"] button.more').click();
      await waitCount(page, PROVINCES, shown + 2);
    }
    await waitText(page, '[data-testid="unit-count"]', '34 đơn vị');
    assert.equal(await page.locator('[data-testid="tree"] button.more').count(), 0);
    const codes = await page.locator(PROVINCES).evaluateAll((els) => els.map((e) => e.dataset.code));
    assert.equal(new Set(codes).size, 34, 'no province twice');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

const XSS_DATE = '2025-08-01';

test('a unit name holding markup is shown as text and runs nothing', { timeout: 120000 }, async () => {
  const nameVi = '<img src=x onerror="window.__xss=1;alert(1)"> Hội <b>đậm</b>';
  const nameEn = '<script>window.__xss=2;alert(2)</script>';
  const created = await server.post('/api/v1/units', {
    code: 'XSS1', name_vi: nameVi, name_en: nameEn, level: 'province',
    kind: 'territorial', attributes: [], parent: 'VN', date: XSS_DATE, note: 'XSS test',
  });
  assert.equal(created.status, 201, created.text);

  const { context, page, problems, dialogs } = await openPage();
  await withArtifactOnFailure(page, 'xss', async () => {
    await page.goto(server.url(`/#/?as_of=${XSS_DATE}`));
    const node = page.locator(`${PROVINCES}[data-code="XSS1"]`);
    await node.waitFor();
    assert.equal(await node.locator('.node-name').textContent(), nameVi);

    await page.getByTestId('search-input').fill('XSS1');
    const hit = page.locator('[data-testid="search-result"][data-code="XSS1"]');
    await hit.waitFor();
    assert.equal(await hit.locator('a').textContent(), nameVi);

    await hit.locator('a').click();
    await page.locator('[data-testid="unit-details"][data-code="XSS1"]').waitFor();
    assert.equal(await page.locator('[data-testid="unit-details"] h1').textContent(), nameVi);
    await waitText(page, '[data-testid="unit-details"]', nameEn);

    await page.getByTestId('lang-switch').selectOption('en');
    await waitText(page, '[data-testid="unit-details"] h1', nameEn);

    await page.waitForTimeout(300);
    assert.equal(await page.locator('main img, main script, main b').count(), 0);
    assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined');
    assert.deepEqual(dialogs, []);
    await page.screenshot({ path: path.join(ARTIFACTS, 'xss.png'), fullPage: true });
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

// The clear button pressed just as the search box's pause ended (after the
// render that ends it, before its effect put the word in the URL): the word
// came back with its results, and stayed (a CI run clicked in that window
// once). The page's clock is paused so that the window is hit every time.
test('the search box stays clear when cleared as the typing pause ends', { timeout: 60000 }, async () => {
  const { context, page, problems } = await openPage();
  await withArtifactOnFailure(page, 'search-clear-race', async () => {
    await page.getByTestId('tree').waitFor();
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
    await page.getByTestId('search-input').fill('bac ninh');
    const clear = page.locator('form.search button');
    await clear.waitFor();
    await page.clock.runFor(250); // the pause ends: rendered, its effect not run
    await clear.dispatchEvent('click');
    await page.clock.runFor(2000);
    assert.equal(await page.getByTestId('search-input').inputValue(), '');
    assert.doesNotMatch(await page.evaluate(() => location.hash), /q=/);
    await page.getByTestId('tree').waitFor();
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});
