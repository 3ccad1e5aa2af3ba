// Browser test of correcting a member's record ("Sửa hồ sơ", PATCH
// /api/v1/members/{id}; web/pages/member-edit.js), on a 360x740 phone in
// Vietnamese. An entry officer of a branch opens a member's page and the
// edit form, pre-filled with her record; saving it unchanged is said and
// sends nothing. She types a new name in NFD with the spaces doubled (the
// server keeps it in NFC with single spaces), a new phone and an ID number
// that is a man's: the refusal stands beside the ID number in Vietnamese,
// focus on it. Corrected, it saves: only the three changed fields were
// sent, the form closes, focus goes back to its button, the page shows the
// record as the API has it and says (and announces) what was corrected;
// the list finds her by her new name typed without diacritics. With the
// sensitive fields masked (the API's answer rewritten as it is for a
// caller without sensitive.read), they are shown hidden, with no control,
// and a change elsewhere sends that change alone: nothing masked is
// written back. A viewer (no record.write) gets no edit button. Every text
// is from the dictionary or the API's data (words.js).
// Screenshots: tests/artifacts/member-edit-refused-vi-phone.png,
// member-edited-vi-phone.png, member-edit-masked-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sanitizerReport } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitCount, waitFocus,
  noHorizontalScroll, login, settled, announced, navTo,
} from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const BRANCH = '09187.01'; // Chi hội Phụ nữ khu phố 1, Phường Kinh Bắc

const entry = { username: 'hanh.entry', password: 'Hanh-mat-khau-2025', display_name: 'Đỗ Thị Hạnh' };
const viewer = { username: 'thu.viewer', password: 'Thu-mat-khau-2025', display_name: 'Lê Thị Thu' };

const SENSITIVE = ['ethnicity', 'religion', 'id_number', 'circumstances'];

let server;
let browser;
let hoa; // the member corrected
let admin; // the admin's API client, to read her record as stored

before(async () => {
  server = await startServer();
  browser = await launch();
  await server.createUser({ ...entry, unit: BRANCH, roles: ['entry'] });
  await server.createUser({ ...viewer, unit: '09187', roles: ['viewer'] });
  const r = await server.post('/api/v1/members', {
    full_name: 'Nguyễn Thị Hoa', birth_date: '1990-05-04', unit: BRANCH, ethnicity: '01',
    id_number: '001190012345', phone: '0912 345 678', occupation: 'Buôn bán', religion: 'Phật giáo',
  });
  assert.equal(r.status, 201, r.text);
  hoa = r.body.id;
  // someone the search must leave out
  const other = await server.post('/api/v1/members', { full_name: 'Trần Thị Lan', birth_date: '1985-03-02', unit: BRANCH });
  assert.equal(other.status, 201, other.text);
  admin = await server.api();
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

// open: a fresh phone page whose API answers are recorded as data, and
// whose PATCH requests are kept (their bodies) in `patches`.
async function open() {
  const opened = await openPage(browser, PHONE);
  opened.data = watchData(opened.page);
  opened.patches = [];
  opened.page.on('request', (req) => {
    if (req.method() === 'PATCH') opened.patches.push(req.postDataJSON());
  });
  return opened;
}

const value = (page, id) => page.locator(`#${id}`).inputValue();

test('an entry officer corrects a member\'s name, phone and ID number on a phone, in Vietnamese', { timeout: 180000 }, async () => {
  const { context, page, problems, data, patches } = await open();
  await withArtifactOnFailure(page, 'member-edit', async () => {
    await login(page, server.url(`/#/members/${hoa}`), entry);
    await page.getByTestId('member-details').waitFor();
    await waitText(page, 'main h1', 'Nguyễn Thị Hoa');
    await page.getByTestId('member-edit').click();
    await page.getByTestId('member-edit-form').waitFor();
    await waitFocus(page, '#member-edit-heading');
    await waitText(page, '#member-edit-heading', 'Sửa hồ sơ');
    assert.equal(await page.getByTestId('member-edit').getAttribute('aria-expanded'), 'true');
    // her record as the API gave it
    assert.equal(await value(page, 'member-edit-full-name'), 'Nguyễn Thị Hoa');
    assert.equal(await value(page, 'member-edit-birth-date'), '04/05/1990');
    assert.equal(await value(page, 'member-edit-sex'), 'female');
    await page.waitForFunction(() => document.querySelector('#member-edit-ethnicity').value === '01'); // once the groups came
    assert.equal(await value(page, 'member-edit-id-number'), '001190012345');
    assert.equal(await value(page, 'member-edit-phone'), '0912345678');
    assert.equal(await value(page, 'member-edit-occupation'), 'Buôn bán');
    assert.equal(await value(page, 'member-edit-religion'), 'Phật giáo');
    assert.equal(await value(page, 'member-edit-hamlet'), '');
    assert.equal(await page.locator('#member-edit-digital').isChecked(), false);
    // no field of her membership here
    assert.equal(await page.locator('#member-edit-unit, #member-edit-joined-on, #member-edit-kind').count(), 0);
    assert.equal(await page.locator('[data-testid$="-masked"]').count(), 0, 'an entry officer edits every field');

    // nothing changed: said, nothing sent
    await page.getByTestId('member-edit-save').click();
    await waitText(page, '[data-testid="member-edit-unchanged"]', 'Chưa có gì thay đổi nên không có gì để lưu.');
    await announced(page, 'Chưa có gì thay đổi nên không có gì để lưu.');
    assert.deepEqual(patches, []);

    // a new name typed in NFD with its spaces doubled, a new phone, and an
    // ID number whose fourth digit is a man's
    const typed = '  Lê  Thị   Hồng Nhung '.normalize('NFD');
    assert.notEqual(typed, typed.normalize('NFC'), 'the name is typed decomposed');
    await page.locator('#member-edit-full-name').fill('');
    await page.locator('#member-edit-full-name').pressSequentially(typed);
    assert.equal(await value(page, 'member-edit-full-name'), typed);
    await page.locator('#member-edit-phone').fill('0987 654 321');
    await page.locator('#member-edit-id-number').fill('001090012345');
    assert.equal(await page.getByTestId('member-edit-unchanged').count(), 0, 'the notice goes once she changes something');
    await page.getByTestId('member-edit-save').click();
    await waitText(page, '[data-testid="member-edit-id-number-error"]',
      'Số thứ tư của CCCD là của nam giới. Hãy kiểm tra lại số CCCD.');
    await waitFocus(page, '#member-edit-id-number');
    assert.equal(await page.locator('#member-edit-id-number').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#member-edit-id-number').getAttribute('aria-describedby'), /\bmember-edit-id-number-error\b/);
    assert.equal(await page.locator('.field-error').count(), 1, 'only the ID number is wrong');
    await announced(page, 'Chưa gửi được: có 1 chỗ cần sửa.', { assertive: true });
    assert.equal(patches.length, 1);
    assert.deepEqual(Object.keys(patches[0]).sort(), ['full_name', 'id_number', 'phone'], 'only what she changed is sent');
    assert.equal(patches[0].full_name, typed.trim(), 'the name is sent as typed, but for the blanks around it');
    // nothing was stored
    const kept = await admin.get(`/api/v1/members/${hoa}`);
    assert.equal(kept.body.full_name, 'Nguyễn Thị Hoa');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'edit form refused');
    await shot(page, 'member-edit-refused-vi-phone.png');

    await page.locator('#member-edit-id-number').fill('001190054321');
    assert.equal(await page.getByTestId('member-edit-id-number-error').count(), 0, 'the error goes once she changes the field');
    await page.getByTestId('member-edit-save').click();
    const done = 'Đã sửa hồ sơ của Lê Thị Hồng Nhung: Họ và tên, Số định danh cá nhân (CCCD), Số điện thoại.';
    await waitText(page, '[data-testid="member-notice"]', done);
    await announced(page, done);
    await waitCount(page, '[data-testid="member-edit-form"]', 0);
    await waitFocus(page, '[data-testid="member-edit"]');
    assert.equal(await page.getByTestId('member-edit').getAttribute('aria-expanded'), 'false');
    assert.equal(patches.length, 2);
    assert.deepEqual(Object.keys(patches[1]).sort(), ['full_name', 'id_number', 'phone']);
    // the record as the API has it: the name in NFC, its spaces single
    await waitText(page, 'main h1', 'Lê Thị Hồng Nhung');
    assert.equal(await page.locator('main h1').textContent(), 'Lê Thị Hồng Nhung');
    await waitText(page, '[data-testid="member-phone"] dd', '0987654321');
    await waitText(page, '[data-testid="member-id_number"] dd', '001190054321 · CCCD');
    await waitText(page, '[data-testid="member-birth_date"] dd', '04/05/1990');
    await waitText(page, '[data-testid="member-occupation"] dd', 'Buôn bán');
    await waitText(page, '[data-testid="member-ethnicity"] dd', 'Kinh');
    const stored = await admin.get(`/api/v1/members/${hoa}`);
    assert.equal(stored.body.full_name, 'Lê Thị Hồng Nhung');
    assert.equal(stored.body.phone, '+84987654321');
    assert.equal(stored.body.religion, 'Phật giáo');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'member page, corrected');
    await shot(page, 'member-edited-vi-phone.png');

    // the form opens again on the record as it is now
    await page.getByTestId('member-edit').click();
    await waitFocus(page, '#member-edit-heading');
    assert.equal(await value(page, 'member-edit-full-name'), 'Lê Thị Hồng Nhung');
    assert.equal(await value(page, 'member-edit-phone'), '0987654321');
    await page.getByTestId('member-edit-cancel').click();
    await waitCount(page, '[data-testid="member-edit-form"]', 0);
    await waitFocus(page, '[data-testid="member-edit"]');

    // the list finds her by her new name without diacritics
    await navTo(page, 'nav-members');
    await waitText(page, '[data-testid="members-count"]', '2 hội viên');
    await page.locator('#member-search').fill('le thi hong nhung');
    await waitText(page, '[data-testid="members-count"]', '1 hội viên');
    await waitText(page, '[data-testid="member-row"]', 'Lê Thị Hồng Nhung');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'member list');
    // (and no more by the old one)
    await page.locator('#member-search').fill('nguyen thi hoa');
    await waitText(page, '[data-testid="members-count"]', 'Không có hội viên nào khớp với “nguyen thi hoa”.');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('fields the API masked are shown hidden and never sent back', { timeout: 120000 }, async () => {
  // a member of the test's own, in the entry officer's branch, her
  // sensitive fields filled
  const r = await server.post('/api/v1/members', {
    full_name: 'Phan Thị Kim Ngân', birth_date: '1986-02-14', unit: BRANCH, ethnicity: '01',
    id_number: '001186043210', phone: '0976 543 210', occupation: 'May mặc', religion: 'Phật giáo',
  });
  assert.equal(r.status, 201, r.text);
  const ngan = r.body.id;
  const { context, page, problems, data, patches } = await open();
  // her record as a caller without sensitive.read gets it (the roles that
  // write records all read sensitive data: the answer is rewritten here)
  await page.route(new RegExp(`/api/v1/members/${ngan}(\\?.*)?$`), async (route) => {
    const res = await route.fetch();
    const m = await res.json();
    if (res.status() === 200) {
      for (const f of SENSITIVE) m[f] = null;
      m.id_number = '********3210';
      m.masked = SENSITIVE;
    }
    await route.fulfill({ response: res, json: m });
  });
  await withArtifactOnFailure(page, 'member-edit-masked', async () => {
    await login(page, server.url(`/#/members/${ngan}`), entry);
    await page.getByTestId('member-details').waitFor();
    assert.equal(await page.getByTestId('member-id_number').getAttribute('data-masked'), 'true');
    await page.getByTestId('member-edit').click();
    await page.getByTestId('member-edit-form').waitFor();
    for (const f of SENSITIVE) {
      const id = `member-edit-${f.replaceAll('_', '-')}`;
      assert.equal(await page.locator(`#${id}`).count(), 0, `no control for ${f}`);
      await waitText(page, `[data-testid="${id}-masked"]`, 'Ẩn (cần quyền xem dữ liệu nhạy cảm)');
    }
    await waitText(page, '[data-testid="member-edit-form"]', 'Các trường bị ẩn được giữ nguyên');
    assert.equal(await value(page, 'member-edit-phone'), '0976543210');
    await noHorizontalScroll(page);
    await checkWords(page, data, 'edit form, masked');
    await shot(page, 'member-edit-masked-vi-phone.png');
    await page.locator('#member-edit-hamlet').fill('Thôn Đông');
    await page.getByTestId('member-edit-save').click();
    await waitText(page, '[data-testid="member-notice"]', 'Đã sửa hồ sơ của Phan Thị Kim Ngân: Thôn/tổ dân phố.');
    assert.deepEqual(patches, [{ hamlet: 'Thôn Đông' }]);
    await waitText(page, '[data-testid="member-hamlet"] dd', 'Thôn Đông');
    // what she did not see is as it was
    const stored = await admin.get(`/api/v1/members/${ngan}`);
    assert.equal(stored.body.id_number, '001186043210');
    assert.equal(stored.body.ethnicity, '01');
    assert.equal(stored.body.religion, 'Phật giáo');
    assert.equal(stored.body.hamlet, 'Thôn Đông');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});

test('a viewer gets no edit button', { timeout: 120000 }, async () => {
  const { context, page, problems, data } = await open();
  await withArtifactOnFailure(page, 'member-edit-viewer', async () => {
    await login(page, server.url(`/#/members/${hoa}`), viewer);
    await page.getByTestId('member-details').waitFor();
    await page.getByTestId('member-history').waitFor();
    await settled(page);
    assert.equal(await page.getByTestId('member-edit').count(), 0, 'a viewer corrects nothing');
    assert.equal(await page.getByTestId('member-edit-form').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Sửa hồ sơ' }).count(), 0);
    await checkWords(page, data, 'member page, a viewer');
    assert.deepEqual(realProblems(problems), []);
  });
  await context.close();
});
