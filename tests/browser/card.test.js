// Browser test of the digital membership card and the member's own account
// (issue 15, items 7 and 4), on a 360x740 phone in Vietnamese:
//   - a branch head opens a member's page, then her card: her name, unit,
//     member since, the QR code (an image the browser decoded, large on the
//     phone); printed, the card alone; the card's check opened as a phone
//     camera would open it says "Thẻ hợp lệ" and the unit's name, its style
//     allowed by the page's policy; a changed token says "Thẻ không hợp lệ";
//   - the system admin gives a member her own account on the users page
//     (the member record's number); she logs in and lands on her record
//     ("Hồ sơ của tôi", the only navigation entry), opens her card, and
//     reaches nothing else (the tree, the list, another member: not found).
// On every page of the app visited, every text is from the dictionary or
// data from the API (words.js). Screenshots: tests/artifacts/
// member-card-vi-phone.png, member-card-print.png, verify-vi-phone.png,
// member-own-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport, TODAY } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitCount, waitHash, noHorizontalScroll,
  login, settled,
} from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const BRANCH = '09187.01'; // Chi hội Phụ nữ khu phố 1, Phường Kinh Bắc
const JOINED = '2025-08-01';
const dmy = (iso) => iso.split('-').reverse().join('/');
const NAME = 'Phạm Thị Thẻ';

const head = { username: 'hanh.chihoi', password: 'Hanh-mat-khau-2025', display_name: 'Nguyễn Thị Hạnh' };
const member = { username: 'the.pham', password: 'The-mat-khau-2025', display_name: NAME };

let server;
let browser;
let id; // the member with a card
let otherId; // another member of the branch
let unitName; // the branch's name, as the API gives it
let verifyUrl; // her card's check, from the card page

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...head, unit: BRANCH, roles: ['entry'] });
  const add = async (full_name, birth_date) => {
    const r = await server.post('/api/v1/members', { full_name, birth_date, unit: BRANCH, joined_on: JOINED });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const m = await add(NAME, '1986-04-12');
  id = m.id;
  unitName = m.unit.name_vi;
  otherId = (await add('Vũ Thị Bên', '1990-10-02')).id;
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

test('a branch head opens a member\'s card: the QR code is there, on a phone and on paper; the check says valid', { timeout: 180000 }, async () => {
  const { page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'member-card', async () => {
    await login(page, server.url(`/#/members/${id}`), head);
    await page.getByTestId('member-card-link').click();
    await waitHash(page, new RegExp(`^#/members/${id}/card$`));
    await page.getByTestId('member-card').waitFor();
    await settled(page);
    await waitText(page, 'main h1', 'Thẻ hội viên');
    await waitText(page, '[data-testid="member-card-name"]', NAME);
    await waitText(page, '[data-testid="member-card-unit"]', unitName);
    await waitText(page, '[data-testid="member-card-since"]', dmy(JOINED));
    await waitText(page, '.member-card-issued', `Cấp ngày ${dmy(TODAY)}`);
    // the QR code: an SVG image the browser decoded, large on the phone
    const qr = page.getByTestId('member-card-qr');
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="member-card-qr"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    assert.equal(await qr.getAttribute('alt'), `Mã QR để kiểm tra thẻ hội viên của ${NAME}`);
    assert.ok(Number(await qr.getAttribute('data-version')) <= 8);
    const box = await qr.boundingBox();
    assert.ok(box.width >= 260, `the QR code is ${box.width} px wide on a 360 px phone`);
    await noHorizontalScroll(page);
    await checkWords(page, data, 'card');
    await shot(page, 'member-card-vi-phone.png');

    // on paper: the card alone
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.app-header').isVisible(), false, 'no header on paper');
    assert.equal(await page.getByTestId('member-card-print').isVisible(), false, 'no buttons on paper');
    assert.equal(await page.getByTestId('member-card').isVisible(), true);
    await shot(page, 'member-card-print.png');
    await page.emulateMedia({ media: 'screen' });

    // the check, as the phone that scans the code opens it
    verifyUrl = await page.getByTestId('member-card-check').getAttribute('href');
    assert.match(verifyUrl, new RegExp(`^${server.base}/verify/[A-Za-z0-9_-]{90,94}$`));
    await page.goto(verifyUrl);
    await waitText(page, '[data-testid="verify-result"]', 'Thẻ hợp lệ');
    assert.equal(await page.locator('[data-testid="verify"]').getAttribute('data-state'), 'valid');
    await waitText(page, '[data-testid="verify-unit"]', unitName);
    await waitText(page, '[data-testid="verify-day"]', dmy(TODAY));
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
    assert.ok(!(await page.content()).includes(NAME), 'the check does not name her');
    // its style applied: the policy allowed it by its hash
    const colour = await page.locator('[data-testid="verify-result"]').evaluate((el) => getComputedStyle(el).color);
    assert.equal(colour, 'rgb(27, 110, 58)');
    await noHorizontalScroll(page);
    await shot(page, 'verify-vi-phone.png');

    // a token changed in one character
    const token = verifyUrl.split('/').pop();
    const changed = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    await page.goto(`${server.base}/verify/${changed}`);
    await waitText(page, '[data-testid="verify-result"]', 'Thẻ không hợp lệ');
    assert.equal(await page.locator('[data-testid="verify"]').getAttribute('data-state'), 'invalid');
  });
  assert.deepEqual(realProblems(problems), []);
});

test('the admin gives a member her own account; she sees her record and her card, and nothing else', { timeout: 240000 }, async () => {
  // the admin, on the users page: the member record's number in the form
  {
    const { page, problems } = await openPage(browser);
    await withArtifactOnFailure(page, 'member-account-admin', async () => {
      await login(page, server.url('/#/users'), server.admin);
      await page.getByTestId('users-add').click();
      await page.locator('#user-username').fill(member.username);
      await page.locator('#user-display-name').fill(member.display_name);
      await page.locator('#user-unit').fill(BRANCH);
      // (the unit's name shows below its field: the form moves no more)
      await waitText(page, '[data-testid="user-unit-name"]', unitName);
      await page.getByTestId('user-role-viewer').uncheck();
      await page.getByTestId('user-role-member').check();
      await page.locator('#user-password').fill(member.password);
      // a number is wanted
      await page.locator('#user-person').fill('mot');
      await page.getByTestId('user-create').click();
      await waitText(page, '[data-testid="user-person-error"]', 'Hãy nhập một số, ví dụ 1234.');
      await page.locator('#user-person').fill(String(id));
      await page.getByTestId('user-create').click();
      await waitText(page, '[data-testid="users-notice"]', `Đã tạo tài khoản cho ${member.username}.`);
      const row = page.locator(`[data-testid="user-row"][data-username="${member.username}"]`);
      await waitText(page, `[data-testid="user-row"][data-username="${member.username}"] [data-testid="user-person"]`, `Hội viên số ${id}`);
      assert.match(await row.textContent(), /Hội viên/);
    });
    assert.deepEqual(realProblems(problems), []);
  }

  // she logs in and lands on her own record
  const { page, problems } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'member-account', async () => {
    await login(page, server.url('/'), member);
    await waitHash(page, new RegExp(`^#/members/${id}$`));
    await page.getByTestId('member-details').waitFor();
    await settled(page);
    await waitText(page, 'main h1', NAME);
    await waitText(page, '[data-testid="member-mine"]', 'Đây là hồ sơ của bạn.');
    // one navigation entry: her record
    await waitCount(page, 'nav a', 1);
    await waitText(page, '[data-testid="nav-my-record"]', 'Hồ sơ của tôi');
    assert.equal(await page.getByTestId('nav-my-record').getAttribute('aria-current'), 'page');
    assert.equal(await page.locator('.breadcrumb').count(), 0, 'no member list to go back to');
    // her consents and her data are hers; she does not erase herself
    await page.getByTestId('member-privacy').waitFor();
    assert.equal(await page.getByTestId('member-erase').count(), 0);
    await noHorizontalScroll(page);
    await checkWords(page, data, 'her record');
    await shot(page, 'member-own-vi-phone.png');

    // her card
    await page.getByTestId('member-card-link').click();
    await page.getByTestId('member-card').waitFor();
    await waitText(page, '[data-testid="member-card-name"]', NAME);
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="member-card-qr"]');
      return img && img.complete && img.naturalWidth > 0;
    });
    await waitCount(page, 'nav a', 1);
    assert.equal(await page.getByTestId('nav-my-record').getAttribute('aria-current'), 'true');
    await checkWords(page, data, 'her card');
    const token = (await page.getByTestId('member-card-check').getAttribute('href')).split('/').pop();
    const check = await fetch(`${server.base}/verify/${token}`, { headers: { Accept: 'application/json' } });
    assert.equal((await check.json()).valid, true);

    // nothing else: the home page is her record, the rest does not exist for her
    await page.evaluate(() => { location.hash = '#/'; });
    await waitHash(page, new RegExp(`^#/members/${id}$`));
    await page.getByTestId('member-details').waitFor();
    for (const p of ['#/members', `#/members/${otherId}`, `#/members/${otherId}/card`, '#/units/09187', '#/transfers', '#/users']) {
      await page.evaluate((h) => { location.hash = h; }, p);
      await waitText(page, 'main h1', 'Không tìm thấy trang');
      assert.equal(await page.getByTestId('member-details').count(), 0, p);
      await waitCount(page, 'nav a', 1);
    }
    await checkWords(page, data, 'not found');
  });
  assert.deepEqual(realProblems(problems), []);
});
