// Browser test: every message in the user's language (issue 14, items 3
// and 5). The forms that exist (log-in, password change, API tokens, users)
// refused by the server show the error's code in Vietnamese (and English),
// filled with its parameters, at its field, once; never the server's English
// message. The token expiry refuses a day that does not exist (02/30/2027
// must never make a token that never expires). A bad date in the URL is
// told in Vietnamese. On every page visited, every text node and every
// aria-label, title and placeholder is from the dictionaries of the page's
// language or data from the API (words.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport, TODAY } from './server.js';
import { launch, openPage, realProblems, withArtifactOnFailure, waitText, fillLogin, login } from './ui.js';
import { watchData, checkWords } from './words.js';

let server;
let browser;
let admin;
const dmy = (iso) => iso.split('-').reverse().join('/');
const viewer = { username: 'thu.viewer', password: 'Thu-mat-khau-2025', display_name: 'Lê Thị Thu' };

before(async () => {
  server = await startServer();
  browser = await launch();
  admin = await server.api();
  await server.createUser({ ...viewer, unit: '01', roles: ['viewer'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

// open: a fresh page whose API answers are recorded as data.
async function open() {
  const opened = await openPage(browser);
  opened.data = watchData(opened.page);
  return opened;
}

// fieldError: the one error shown at field id (fails if there are two).
async function fieldError(page, id) {
  const el = page.getByTestId(`${id}-error`);
  await el.waitFor();
  assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true', `${id} is marked invalid`);
  const box = page.locator(`.form-field:has(#${id})`);
  assert.equal(await box.locator('.field-error').count(), 1, `one error at ${id}`);
  return (await el.textContent()).trim();
}

test('log-in refused: in Vietnamese, then in English; every word from the dictionaries', { timeout: 120000 }, async () => {
  const { context, page, problems, data } = await open();
  await withArtifactOnFailure(page, 'messages-login', async () => {
    await page.goto(server.url('/'));
    await page.getByTestId('login-form').waitFor();
    await checkWords(page, data, 'log-in page');
    await fillLogin(page, 'nobody-at-all', 'not-a-password');
    await waitText(page, '[data-testid="login-error"]', 'Sai tên đăng nhập hoặc mật khẩu.');
    assert.equal((await page.getByTestId('login-error').textContent()).trim(), 'Sai tên đăng nhập hoặc mật khẩu.');
    await checkWords(page, data, 'log-in refused');

    await page.getByTestId('lang-switch').selectOption('en');
    await waitText(page, 'main h1', 'Log in');
    await fillLogin(page, 'nobody-at-all', 'still-not-a-password');
    await waitText(page, '[data-testid="login-error"]', 'Wrong user name or password.');
    await checkWords(page, data, 'log-in refused, English');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('password change: the reasons the API gives, at the field, in Vietnamese', { timeout: 120000 }, async () => {
  const { context, page, problems, data } = await open();
  await withArtifactOnFailure(page, 'messages-password', async () => {
    await login(page, server.url('/#/account/password'), viewer);
    await page.getByTestId('password-form').waitFor();
    await checkWords(page, data, 'password page');
    const attempt = async (current, next) => {
      await page.locator('#password-current').fill(current);
      await page.locator('#password-new').fill(next);
      await page.locator('#password-again').fill(next);
      await page.getByTestId('password-submit').click();
    };
    await attempt('not-my-password', 'Thu-mat-khau-moi-2025');
    assert.equal(await fieldError(page, 'password-current'), 'Mật khẩu hiện tại không đúng.');

    // What the API says, for each refusal (its code and parameters).
    const client = await server.login(viewer.username, viewer.password);
    const probe = async (pw) => {
      const res = await client.post('/api/v1/session/password', { current_password: viewer.password, new_password: pw });
      assert.equal(res.status, 422, res.text);
      return res.body.error.details.find((d) => d.field === 'new_password');
    };
    const long = 'ễ'.repeat(257); // 257 characters (771 bytes): counted in characters
    const cases = [
      ['short', (d) => `Ngắn quá: ít nhất ${d.min} ký tự.`, 'too_short'],
      [' '.repeat(12), () => 'Không được chỉ gồm khoảng trắng.', 'blank'],
      ['Matkhau2025', () => 'Mật khẩu này quá phổ biến, dễ bị đoán ra (thêm chữ số vào cuối cũng vậy). Hãy chọn mật khẩu khác.', 'common_password'],
      [long, (d) => `Dài quá: tối đa ${d.max} ký tự.`, 'too_long'],
    ];
    for (const [pw, words, code] of cases) {
      const d = await probe(pw);
      assert.equal(d.code, code, JSON.stringify(d));
      await attempt(viewer.password, pw);
      await waitText(page, '[data-testid="password-new-error"]', words(d));
      assert.equal(await fieldError(page, 'password-new'), words(d));
      assert.ok(!(await page.locator('main').textContent()).includes(d.message), `not the English ${d.message}`);
      await checkWords(page, data, `password ${code}`);
    }
    assert.equal(await page.getByTestId('form-error').count(), 0, 'nothing about the whole form');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('API token expiry: 02/30/2027 is refused, never "no expiry"; a real day works through its end (UTC)', { timeout: 120000 }, async () => {
  const { context, page, problems, data } = await open();
  await withArtifactOnFailure(page, 'messages-tokens', async () => {
    await login(page, server.url('/#/account/tokens'), viewer);
    await page.getByTestId('token-form').waitFor();
    const hint = await page.locator('#token-until-hint').textContent();
    assert.match(hint, /đến hết ngày này theo giờ UTC/);
    assert.match(hint, /Ngày\/tháng\/năm, ví dụ 31\/12\/2025/);
    assert.equal(await page.locator('#token-until').getAttribute('type'), 'text', 'not the browser\'s date input');
    await page.locator('#token-name').fill('Báo cáo');

    // A day that does not exist: refused at once, and again on submit.
    await page.locator('#token-until').fill('02/30/2027');
    await page.locator('#token-name').focus();
    const invalid = 'Không phải là một ngày có thật. Nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2025.';
    assert.equal(await fieldError(page, 'token-until'), invalid);
    await page.getByTestId('token-create').click();
    assert.equal(await fieldError(page, 'token-until'), invalid);
    assert.equal(await page.getByTestId('token-secret').count(), 0);
    const client = await server.login(viewer.username, viewer.password);
    assert.deepEqual((await client.get('/api/v1/tokens')).body.items, [], 'no token was made');
    await checkWords(page, data, 'tokens, a bad day');

    // A past day.
    await page.locator('#token-until').fill('01/01/2020');
    await page.getByTestId('token-create').click();
    await waitText(page, '[data-testid="token-until-error"]', 'Chọn một ngày sau hôm nay.');
    assert.deepEqual((await client.get('/api/v1/tokens')).body.items, []);

    // A real day, typed without slashes: shown back as 31/12/2030 and kept
    // through the end of that day, UTC.
    await page.locator('#token-until').fill('');
    await page.locator('#token-until').pressSequentially('31122030');
    assert.equal(await page.locator('#token-until').inputValue(), '31/12/2030', 'the slashes come by themselves');
    await page.getByTestId('token-create').click();
    await page.getByTestId('token-secret').waitFor();
    const items = (await client.get('/api/v1/tokens')).body.items;
    assert.equal(items.length, 1);
    assert.equal(Date.parse(items[0].expires_at), Date.parse('2031-01-01T00:00:00Z'), items[0].expires_at);
    await checkWords(page, data, 'tokens, made');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('the users form: each problem at its field, once, in Vietnamese', { timeout: 120000 }, async () => {
  const { context, page, problems, data } = await open();
  await withArtifactOnFailure(page, 'messages-users', async () => {
    await login(page, server.url('/#/users'), server.admin);
    await page.getByTestId('users-table').waitFor();
    await checkWords(page, data, 'users page');
    await page.getByTestId('users-add').click();
    await page.locator('#user-username').fill('bad.name');
    await page.locator('#user-display-name').fill('Người Thử');
    await page.locator('#user-unit').fill('zzz');
    await page.locator('#user-password').fill('Mot-mat-khau-dai-2025');
    const post = (extra) => admin.post('/api/v1/users', {
      username: 'bad.name', display_name: 'Người Thử', unit: 'zzz', roles: ['viewer'], password: 'Mot-mat-khau-dai-2025', ...extra,
    });
    // No unit zzz: said once at the unit field (the look-up beside it is quiet).
    const noUnit = await post({});
    assert.equal(noUnit.status, 422, noUnit.text);
    const unitDetail = noUnit.body.error.details.find((d) => d.field === 'unit');
    assert.equal(unitDetail.code, 'not_found', noUnit.text);
    await page.getByTestId('user-create').click();
    assert.equal(await fieldError(page, 'user-unit'), `Không có đơn vị mã zzz vào ngày ${dmy(unitDetail.date)}.`);
    assert.equal(await page.getByTestId('user-unit-name').count(), 0, 'the look-up does not say it a second time');
    await checkWords(page, data, 'users form, no such unit');

    // A bad user name and a short password: each at its field.
    await page.locator('#user-username').fill('Bad Name!');
    await page.locator('#user-unit').fill('01');
    await page.locator('#user-password').fill('short');
    const probe = await post({ username: 'Bad Name!', unit: '01', password: 'short' });
    assert.equal(probe.status, 422, probe.text);
    const codes = Object.fromEntries(probe.body.error.details.map((d) => [d.field, d]));
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-username-error').waitFor();
    if (codes.username) {
      assert.equal(codes.username.code, 'bad_characters', probe.text);
      assert.equal(await fieldError(page, 'user-username'), `Chỉ được dùng các ký tự ${codes.username.allowed}.`);
    }
    if (codes.password) assert.equal(await fieldError(page, 'user-password'), `Ngắn quá: ít nhất ${codes.password.min} ký tự.`);
    assert.ok(codes.username || codes.password, probe.text);
    await checkWords(page, data, 'users form refused');

    // A user name that is taken: at the user name, with the name.
    await page.locator('#user-username').fill(viewer.username);
    await page.locator('#user-unit').fill('01');
    await page.locator('#user-password').fill('Mot-mat-khau-dai-2025');
    await page.getByTestId('user-create').click();
    await waitText(page, '[data-testid="user-username-error"]', `Tên đăng nhập “${viewer.username}” đã được dùng. Hãy chọn tên khác.`);
    await checkWords(page, data, 'users form, name taken');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('the unit look-up never shows the unit of the code typed before', { timeout: 120000 }, async () => {
  const { context, page, problems } = await open();
  await withArtifactOnFailure(page, 'messages-lookup', async () => {
    await login(page, server.url('/#/users'), server.admin);
    await page.getByTestId('users-add').click();
    await page.locator('#user-unit').fill('01');
    await page.locator('[data-testid="user-unit-name"]:not(:has(.field-error))').waitFor();
    // the answer for zzz held back: meanwhile nothing is said of zzz, and
    // above all not the name of 01 (CI once read it there)
    const zzz = /\/api\/v1\/units\/zzz(\?.*)?$/;
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route(zzz, async (route) => { await held; await route.continue(); });
    const asked = page.waitForRequest(zzz);
    try {
      await page.locator('#user-unit').fill('zzz');
      await asked;
      assert.equal(await page.getByTestId('user-unit-name').count(), 0, 'the answer for 01 shown beside zzz');
    } finally {
      release(); // a failure must not leave the answer held and the page open
    }
    await page.locator('[data-testid="user-unit-name"] .field-error').waitFor();
    await page.unroute(zzz);
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('a bad date in the URL, the tree and a unit: every word from the dictionaries, in both languages', { timeout: 120000 }, async () => {
  const { context, page, problems, data } = await open();
  await withArtifactOnFailure(page, 'messages-pages', async () => {
    await login(page, server.url('/#/?as_of=2025-02-30'), server.admin);
    await waitText(page, '[data-testid="as-of-bad"]', 'Ngày “2025-02-30” trong địa chỉ trang không phải là một ngày có thật.');
    await checkWords(page, data, 'bad as_of');
    await page.locator('[data-testid="as-of-bad"] a').click();
    await page.getByTestId('tree').waitFor();
    assert.equal(await page.getByTestId('as-of').inputValue(), dmy(TODAY));
    await page.locator('[data-testid="tree-node"][data-depth="1"]').first().waitFor();
    await checkWords(page, data, 'tree');
    await page.goto(server.url('/#/units/24?as_of=2025-07-01'));
    await page.getByTestId('unit-details').waitFor();
    await page.locator('[data-testid="lineage"] [data-testid="predecessor"]').first().waitFor();
    await checkWords(page, data, 'unit 24');
    await page.getByTestId('lang-switch').selectOption('en');
    await waitText(page, '[data-testid="unit-details"] dt', 'Code');
    await checkWords(page, data, 'unit 24, English');
    await page.goto(server.url('/#/?as_of=2025-02-30'));
    await waitText(page, '[data-testid="as-of-bad"]', 'The date “2025-02-30” in the page\'s address is not a real date.');
    await checkWords(page, data, 'bad as_of, English');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});
