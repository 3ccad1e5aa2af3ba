// Browser tests of focus, announcements and what survives (issue 14, items
// 4 and 7), against a real server with the demo data:
//   - one whole task with the keyboard only (Tab, Enter, Space; no clicks):
//     log in, open a province from the tree, open the rename form of its
//     reorganisation panel, fill it, send it; focus checked at each step;
//   - focus after a navigation (the page's h1) and after actions (a closed
//     form gives it back to its button, a revoked token to its list);
//   - a refused form: focus on the first invalid field, the refusal said in
//     the live region (log-in, tokens, users, audit filters);
//   - each page's document title, in both languages;
//   - Back from a unit restores the tree's open branches and the scroll;
//   - a form survives a session expiry (the session deleted through the
//     API), without its password, and is empty once sent.
// Each test has its own browser context and logs in once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, sanitizerReport, REPO } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, waitText, waitHash, fillLogin, login,
  setLang, settled, focused, waitFocus, tabTo, announced, endSession,
} from './ui.js';

const DESKTOP = { width: 1366, height: 800 };
const words = (lang) => JSON.parse(readFileSync(path.join(REPO, 'web', 'i18n', `${lang}.json`), 'utf8'));
const vi = words('vi');
const en = words('en');
const title = (page) => `${page} — unionbase`;

let server;
let browser;
let provinces; // VN's provinces today, from the API

before(async () => {
  server = await startServer();
  browser = await launch();
  const kids = await (await server.api()).get('/api/v1/units/VN/children?limit=500');
  assert.equal(kids.status, 200, kids.text);
  provinces = kids.body.items.filter((u) => u.child_count > 0);
  assert.ok(provinces.length >= 3, 'the demo data has provinces with communes');
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

// heading: wait for focus on the main h1 and return its text.
async function focusedHeading(page) {
  await waitFocus(page, 'main h1');
  return (await focused(page)).text;
}

const node = (code) => `[data-testid="tree-node"][data-code="${code}"]`;

test('a whole task with the keyboard only: log in, open a unit from the tree, rename it', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  const unit = provinces[0];
  const renamed = { vi: `${unit.name_vi} (mới)`, en: `${unit.name_en || unit.name_vi} (new)` };
  await withArtifactOnFailure(page, 'keyboard-task', async () => {
    await page.goto(server.url('/'));
    await waitFocus(page, '#login-username');
    await page.keyboard.type(server.admin.username);
    await page.keyboard.press('Tab');
    await waitFocus(page, '#login-password');
    await page.keyboard.type(server.admin.password);
    await page.keyboard.press('Enter');
    assert.equal(await focusedHeading(page), vi['tree.title'], 'after logging in: the tree\'s heading');

    // The province's link in the tree, reached with Tab, opened with Enter.
    await page.locator(node(unit.code)).waitFor();
    await tabTo(page, `${node(unit.code)} > .node-row a.node-name`);
    await page.keyboard.press('Enter');
    await waitHash(page, new RegExp(`^#/units/${unit.code}`));
    await waitText(page, 'main h1', unit.name_vi);
    assert.equal(await focusedHeading(page), unit.name_vi, 'the unit\'s page: its heading');

    // The rename form: opened with Space, focus on its heading.
    await tabTo(page, '[data-testid="reorg-rename"]');
    await page.keyboard.press('Space');
    await waitFocus(page, '[data-testid="reorg-rename-form"] h3');
    for (const [id, text] of [['#reorg-name-vi', renamed.vi], ['#reorg-name-en', renamed.en]]) {
      await page.keyboard.press('Tab');
      await waitFocus(page, id);
      await page.keyboard.press('Control+A');
      await page.keyboard.type(text);
    }
    await page.keyboard.press('Tab');
    await waitFocus(page, '#reorg-date'); // today, as it is
    await page.keyboard.press('Tab');
    await waitFocus(page, '#reorg-note');
    await page.keyboard.type('Nghị quyết 1/NQ-HĐND');
    await page.keyboard.press('Enter');

    // Done: the page shows the new name, focus is on it, and it is said.
    await waitText(page, '[data-testid="reorg-done"]', renamed.vi);
    await waitText(page, 'main h1', renamed.vi);
    assert.equal(await focusedHeading(page), renamed.vi);
    await announced(page, vi['reorg.renamed'].replace('{name}', renamed.vi));
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('focus after navigation and after actions', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  await withArtifactOnFailure(page, 'focus-navigation', async () => {
    await login(page, server.url('/'), server.admin);
    assert.equal(await focusedHeading(page), vi['tree.title']);
    for (const [nav, key] of [['nav-users', 'users.title'], ['nav-audit', 'audit.title'], ['nav-tree', 'tree.title']]) {
      await page.getByTestId(nav).click();
      assert.equal(await focusedHeading(page), vi[key], `after ${nav}`);
    }
    const unit = provinces[1];
    await page.locator(`${node(unit.code)} > .node-row a.node-name`).click();
    await waitText(page, 'main h1', unit.name_vi);
    assert.equal(await focusedHeading(page), unit.name_vi);
    await page.goBack();
    assert.equal(await focusedHeading(page), vi['tree.title'], 'after Back');

    // A form closed gives focus back to the button that opened it.
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-table').waitFor();
    await page.getByTestId('users-add').click();
    await waitFocus(page, '#user-new-heading');
    await page.locator('[data-testid="user-form"] button:not([type="submit"])').click();
    await waitFocus(page, '[data-testid="users-add"]');

    // A token revoked: its buttons are gone, focus goes to the list's heading.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-tokens').click();
    assert.equal(await focusedHeading(page), vi['tokens.title']);
    await page.locator('#token-name').fill('Báo cáo');
    await page.getByTestId('token-create').click();
    await waitFocus(page, '#secret-heading');
    await page.getByTestId('token-done').click();
    await waitFocus(page, '[data-testid="token-create"]');
    await page.getByTestId('token-revoke').click();
    await waitFocus(page, '.confirm');
    await page.getByTestId('token-revoke-confirm').click();
    await page.locator('[data-testid="token-row"][data-state="revoked"]').waitFor();
    await waitFocus(page, '#tokens-list-heading');
    await announced(page, vi['tokens.revoked_done'].replace('{name}', 'Báo cáo'));
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('a refused form: focus on the first invalid field, the refusal said in the live region', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  const refused = (n) => vi['form.refused.other'].replace('{n}', n);
  await withArtifactOnFailure(page, 'refused-forms', async () => {
    await page.goto(server.url('/'));
    await page.getByTestId('login-form').waitFor();
    await fillLogin(page, server.admin.username, 'not-the-password');
    await announced(page, vi['login.wrong'], { assertive: true });
    await waitFocus(page, '#login-password');
    await fillLogin(page, server.admin.username, server.admin.password);
    await page.getByTestId('tree').waitFor();

    await page.evaluate(() => { location.hash = '#/account/tokens'; });
    await page.getByTestId('token-create').click();
    await waitFocus(page, '#token-name');
    await announced(page, refused(1), { assertive: true });

    await page.evaluate(() => { location.hash = '#/users'; });
    await page.getByTestId('users-add').click();
    await page.getByTestId('user-create').click();
    await waitFocus(page, '#user-username');
    await announced(page, refused(3), { assertive: true }); // user name, display name, password

    await page.evaluate(() => { location.hash = '#/audit'; });
    await page.locator('#audit-to').fill('01/01/2020');
    await page.locator('#audit-from').fill('31/12/2020');
    await page.getByTestId('audit-apply').click();
    await waitFocus(page, '#audit-to');
    await announced(page, refused(1), { assertive: true });
    assert.equal(await page.getByTestId('audit-to-error').textContent(), vi['audit.bad_range']);
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('each page has its own title, in both languages', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  const unit = provinces[2];
  const pages = [
    ['#/', () => 'tree.title', '[data-testid="tree"]'],
    [`#/units/${unit.code}`, (lang) => (lang === 'vi' ? unit.name_vi : unit.name_en), '[data-testid="unit-details"]'],
    ['#/users', () => 'users.title', '[data-testid="users-table"]'],
    ['#/audit', () => 'audit.title', '[data-testid="audit-filters"]'],
    ['#/account/password', () => 'password.title', '[data-testid="password-form"]'],
    ['#/account/tokens', () => 'tokens.title', '[data-testid="token-form"]'],
    ['#/nowhere', () => 'notfound.title', 'main h1'],
  ];
  await withArtifactOnFailure(page, 'titles', async () => {
    await page.goto(server.url('/'));
    await page.getByTestId('login-form').waitFor();
    // the title is set in an effect, after the form is drawn (under load, a
    // moment later)
    await page.waitForFunction((w) => document.title === w, title(vi['login.title'])).catch(() => {});
    assert.equal(await page.title(), title(vi['login.title']));
    await login(page, null, server.admin);
    for (const lang of ['vi', 'en']) {
      const dict = lang === 'vi' ? vi : en;
      await setLang(page, lang);
      for (const [hash, name, ready] of pages) {
        await page.evaluate((h) => { location.hash = h; }, hash);
        await page.locator(ready).first().waitFor();
        const key = name(lang);
        const want = title(key in dict ? dict[key] : key);
        await page.waitForFunction((w) => document.title === w, want).catch(() => {});
        assert.equal(await page.title(), want, `${hash} in ${lang}`);
      }
    }
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('Back from a unit shows the tree as she left it: open branches and scroll', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  const province = provinces[provinces.length - 1];
  await withArtifactOnFailure(page, 'tree-back', async () => {
    await login(page, server.url('/'), server.admin);
    await page.locator(node(province.code)).waitFor();
    await page.locator(`${node(province.code)} > .node-row button.toggle`).click();
    const communes = page.locator(`${node(province.code)} [data-testid="tree-node"][data-depth="2"]`);
    await communes.first().waitFor();
    const commune = await page.locator(`${node(province.code)} [data-testid="tree-node"][data-depth="2"]:has(button.toggle)`)
      .first().getAttribute('data-code');
    await page.locator(`${node(commune)} > .node-row button.toggle`).click();
    const branch = page.locator(`${node(commune)} [data-testid="tree-node"][data-depth="3"]`).last();
    await branch.waitFor();
    await settled(page);
    await branch.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 50));
    await page.waitForTimeout(300); // the scroll is written a moment after it stops
    const y = await page.evaluate(() => window.scrollY);
    assert.ok(y > 200, `the tree is scrolled (${y})`);
    const code = await branch.getAttribute('data-code');
    await branch.locator('a.node-name').first().click();
    await page.locator(`[data-testid="unit-details"][data-code="${code}"]`).waitFor();

    await page.goBack();
    await page.locator(`${node(commune)} [data-testid="tree-node"][data-depth="3"]`).last().waitFor();
    for (const c of [province.code, commune]) {
      assert.equal(await page.locator(`${node(c)} > .node-row button.toggle`).getAttribute('aria-expanded'), 'true', `${c} open`);
    }
    await page.waitForFunction((want) => Math.abs(window.scrollY - want) <= 2, y).catch(() => {});
    assert.equal(await page.evaluate(() => Math.round(window.scrollY)), y, 'the scroll is back');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('a form survives a session expiry: she logs in again and finds it filled, but for the password', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  const newcomer = { username: 'mai.draft', display_name: 'Lê Thị Mai', password: 'Mai-mat-khau-2025' };
  await withArtifactOnFailure(page, 'draft-expiry', async () => {
    await login(page, server.url('/#/users'), server.admin);
    await page.getByTestId('users-add').click();
    await page.locator('#user-username').fill(newcomer.username);
    await page.locator('#user-display-name').fill(newcomer.display_name);
    await page.getByTestId('user-role-entry').check();
    await page.locator('#user-password').fill(newcomer.password);

    // The session ends on the server; sending the form finds it gone.
    await endSession(context, server, page);
    await page.getByTestId('user-create').click();
    await page.getByTestId('login-expired').waitFor();
    await announced(page, vi['login.expired'], { assertive: true });
    await fillLogin(page, server.admin.username, server.admin.password);

    // Back on the page, the form open and filled as she left it, bar the password.
    await page.getByTestId('user-form').waitFor();
    assert.equal(await page.locator('#user-username').inputValue(), newcomer.username);
    assert.equal(await page.locator('#user-display-name').inputValue(), newcomer.display_name);
    assert.equal(await page.getByTestId('user-role-entry').isChecked(), true);
    assert.equal(await page.locator('#user-password').inputValue(), '', 'never the password');
    assert.equal(await focusedHeading(page), vi['users.title']);

    await page.locator('#user-password').fill(newcomer.password);
    await page.getByTestId('user-create').click();
    await page.locator(`[data-testid="user-row"][data-username="${newcomer.username}"]`).waitFor();
    // Sent: the next form starts empty.
    await page.getByTestId('users-add').click();
    assert.equal(await page.locator('#user-username').inputValue(), '');
    assert.equal(await page.locator('#user-display-name').inputValue(), '');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('a reorganisation form survives a session expiry too: the form open, its fields and legal basis filled', { timeout: 120000 }, async () => {
  const { context, page, problems } = await openPage(browser, DESKTOP);
  await withArtifactOnFailure(page, 'reorg-draft-expiry', async () => {
    await login(page, server.url('/#/units/09217.01'), server.admin);
    await page.getByTestId('reorg-rename').click();
    await page.getByTestId('reorg-rename-form').waitFor();
    await page.locator('#reorg-name-vi').fill('Chi hội Phụ nữ khu Phù Cầm');
    await page.locator('#reorg-note').fill('Nghị quyết 7/NQ-HĐND');
    await endSession(context, server, page);
    await page.getByTestId('reorg-submit').click();
    await page.getByTestId('login-expired').waitFor();
    await fillLogin(page, server.admin.username, server.admin.password);
    await page.getByTestId('reorg-rename-form').waitFor();
    assert.equal(await page.locator('#reorg-name-vi').inputValue(), 'Chi hội Phụ nữ khu Phù Cầm');
    assert.equal(await page.locator('#reorg-note').inputValue(), 'Nghị quyết 7/NQ-HĐND');
    await page.getByTestId('reorg-submit').click();
    await waitText(page, 'main h1', 'Chi hội Phụ nữ khu Phù Cầm');
    // sent: the panel starts closed, the next form empty of her words
    await page.getByTestId('reorg-rename').click();
    assert.equal(await page.locator('#reorg-note').inputValue(), '');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});
