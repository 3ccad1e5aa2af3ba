// Browser test of user administration (issue 14, item 2), on a 360x740 phone
// screen in Vietnamese: the admin edits a user (display name, roles), resets
// her password and reads the one-time password once; the user logs in with it
// and is made to change it before she sees anything else; afterwards she is
// let in. Also: the admin sees the user's sessions and ends one.
// Screenshots: tests/artifacts/users-edit-vi-phone.png, users-reset-vi-phone.png,
// password-forced-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitFocus, noHorizontalScroll, login, logout,
  fillLogin,
} from './ui.js';

const PHONE = { width: 360, height: 740 };

let server;
let browser;
let mai; // {username, password, display_name}

before(async () => {
  server = await startServer();
  browser = await launch();
  mai = { username: 'mai.officer', password: 'Mai-mat-khau-2025', display_name: 'Lê Thị Mai' };
  await server.createUser({ username: mai.username, display_name: mai.display_name, unit: '24', roles: ['viewer'], password: mai.password });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

test('an admin edits a user and resets her password; she logs in with it and must change it', { timeout: 180000 }, async () => {
  const { context, page, problems } = await openPage(browser, PHONE);
  await withArtifactOnFailure(page, 'users-admin', async () => {
    await login(page, server.url('/#/users'), server.admin);
    const row = page.locator(`[data-testid="user-row"][data-username="${mai.username}"]`);
    await row.waitFor();
    // the admin's own row offers nothing: she is managed from above
    const own = page.locator(`[data-testid="user-row"][data-username="${server.admin.username}"]`);
    assert.equal(await own.getByTestId('user-edit').count(), 0);
    assert.equal(await own.getByTestId('user-disable').count(), 0);

    // edit: a new display name and one more role
    await row.getByTestId('user-edit').click();
    const form = page.getByTestId('user-edit-form');
    await form.waitFor();
    await waitFocus(page, '#user-edit-heading');
    await page.locator('#user-edit-display-name').fill('Lê Thị Mai Anh');
    await page.getByTestId('user-edit-role-entry').check();
    await noHorizontalScroll(page);
    await shot(page, 'users-edit-vi-phone.png');
    await page.getByTestId('user-save').click();
    await waitText(page, '[data-testid="users-notice"]', 'Đã lưu thay đổi của Lê Thị Mai Anh.');
    await waitText(page, `[data-testid="user-row"][data-username="${mai.username}"] td:nth-child(2)`, 'Lê Thị Mai Anh');
    const roles = await row.locator('td').nth(3).textContent();
    assert.match(roles, /Nhập liệu|nhập/i, `roles shown: ${roles}`);

    // her sessions: she is logged in elsewhere; the admin ends it
    const other = await openPage(browser, PHONE);
    await login(other.page, server.url('/'), mai);
    await row.getByTestId('user-access').click();
    await page.getByTestId('user-session').first().waitFor();
    assert.equal(await page.getByTestId('user-session').count(), 1);
    await page.getByTestId('user-session-end').click();
    await waitText(page, '[data-testid="user-access-done"]', 'Đã kết thúc phiên đăng nhập.');
    await noHorizontalScroll(page);
    await page.getByTestId('user-access-close').click();
    await other.context.close();

    // reset: confirmed, the one-time password shown once
    await row.getByTestId('user-reset').click();
    await row.getByTestId('user-reset-confirm').click();
    const secret = page.getByTestId('user-reset-password');
    await secret.waitFor();
    const once = await secret.inputValue();
    assert.match(once, /^[A-Za-z0-9]{16}$/);
    await row.getByTestId('user-must-change').waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'users-reset-vi-phone.png');
    await page.getByTestId('user-reset-close').click();
    assert.equal(await page.getByTestId('user-reset-password').count(), 0, 'gone once closed');
    await logout(page);

    // she logs in with it: nothing but the password change
    await fillLogin(page, mai.username, once);
    await page.getByTestId('password-must-change').waitFor();
    assert.equal(await page.locator('main h1').textContent(), 'Đổi mật khẩu');
    assert.equal(await page.getByTestId('nav-tree').count(), 0, 'no navigation until she changes it');
    await noHorizontalScroll(page);
    await shot(page, 'password-forced-vi-phone.png');
    // the one-time password again is refused
    await page.locator('#password-current').fill(once);
    await page.locator('#password-new').fill(once);
    await page.locator('#password-again').fill(once);
    await page.getByTestId('password-submit').click();
    await page.locator('#password-new-error, [data-testid="password-form"] .field-error').first().waitFor();
    // a password of her own: she is let in
    const mine = 'Mai-mat-khau-moi-2025';
    await page.locator('#password-current').fill(once);
    await page.locator('#password-new').fill(mine);
    await page.locator('#password-again').fill(mine);
    await page.getByTestId('password-submit').click();
    await page.getByTestId('nav-tree').waitFor({ state: 'attached' });
    assert.equal(await page.getByTestId('password-must-change').count(), 0);
    await logout(page);
    await login(page, null, { username: mai.username, password: mine });
    await page.getByTestId('nav-tree').waitFor({ state: 'attached' });
  });
  assert.deepEqual(realProblems(problems), []);
  await context.close();
});
