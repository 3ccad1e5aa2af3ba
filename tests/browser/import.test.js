// Browser test of the import wizard (#/import, web/pages/import.js and
// import-check.js), in Vietnamese, against the real server:
//   - an entry officer of a ward (00004, Phường Ba Đình) uploads a member
//     list as people type it: title rows above the table, a row numbering
//     the columns (1, 2, 3...), 3 good rows, 2 bad ones (a date of birth
//     that is only a year, a branch the ward does not have), signatures
//     below, and a column whose header the server does not know ("Việc
//     đang làm"). She sees the check's counts, the columns with their
//     fields, the 2 bad rows with their reasons in Vietnamese; maps the
//     unknown column to "Nghề nghiệp" and checks again (the progress step
//     shows between); stores the good rows only (the progress says when
//     every row is read and the search rows are written), sees what was stored and
//     follows the link to the ward's members. The API then holds the 3
//     members in their branches, with the occupation from the remapped
//     column. Focus goes to each step's heading; no axe violation; every
//     text from the dictionaries or the API (words.js), in English too.
//   - on a 360 px phone: the same file again (now 3 unchanged: the test
//     stores it through the API first, so it stands alone), nothing
//     wider than the screen at any step, the bad rows as cards; "all or
//     nothing" with bad rows warns, and stores nothing, which is said.
//   - a file that is not a list (a PNG picture) is refused in words.
//   - an Excel workbook saved by LibreOffice (tests/fixtures/xlsx:
//     title rows, a branch's cell merged down over its members) is read
//     like the list: its rows counted, the merged branch given to each
//     row under it.
// The files are written to a temporary folder and chosen with
// page.setInputFiles. Screenshots: tests/artifacts/import-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, sanitizerReport, REPO } from './server.js';
import {
  launch, openPage, realProblems, withArtifactOnFailure, shot, waitText, waitCount, waitFocus,
  noHorizontalScroll, login, navTo, setLang, withAxe, axeViolations, waitHash, settled,
} from './ui.js';
import { watchData, checkWords } from './words.js';

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
const words = (lang) => JSON.parse(readFileSync(path.join(REPO, 'web', 'i18n', `${lang}.json`), 'utf8'));
const vi = words('vi');
const en = words('en');
const fill = (s, params) => s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

const WARD = '00004'; // Phường Ba Đình
const officer = { username: 'mai.entry', password: 'Mai-mat-khau-2025', display_name: 'Nguyễn Thị Mai' };

// The list: title rows, the header, a numbering row, 5 people (line 7: a
// year only; line 9: a branch the ward does not have), a blank row and
// the signatures.
const LIST = [
  'HỘI LIÊN HIỆP PHỤ NỮ PHƯỜNG BA ĐÌNH,,,,,,,,',
  'DANH SÁCH HỘI VIÊN NĂM 2026,,,,,,,,',
  ',,,,,,,,',
  'STT,Họ và tên,Ngày sinh,Dân tộc,Số CCCD,Chi hội,Ngày vào Hội,Số điện thoại,Việc đang làm',
  '1,2,3,4,5,6,7,8,9',
  '1,Nguyễn Thị Mận,12/03/1985,Kinh,001185012345,Chi hội Phụ nữ tổ dân phố 3,01/06/2010,0912345678,Buôn bán',
  '2,Trần Thị Hồng,1979,Kinh,001179022222,Chi hội Phụ nữ tổ dân phố 3,01/06/2012,0987654321,Nội trợ',
  '3,Lê Thị Thu,05/11/1990,Tày,001190033333,Chi hội Phụ nữ tổ dân phố 6,15/08/2015,,Giáo viên',
  '4,Phạm Thị Lan,20/07/1988,Kinh,001188044444,Chi hội số 99,01/01/2016,0901234567,Công nhân',
  '5,Hoàng Thị Hoa,09/09/1992,Kinh,001192055555,Chi hội Phụ nữ tổ dân phố 6,02/02/2020,,Kế toán',
  ',,,,,,,,',
  ',Người lập biểu,,,,Chủ tịch,,,',
].join('\r\n') + '\r\n';
const GOOD = [
  { name: 'Nguyễn Thị Mận', branch: '00004.01', occupation: 'Buôn bán' },
  { name: 'Lê Thị Thu', branch: '00004.03', occupation: 'Giáo viên' },
  { name: 'Hoàng Thị Hoa', branch: '00004.03', occupation: 'Kế toán' },
];
// A picture: PNG's signature and the start of a header (NUL bytes: not text).
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

let server;
let browser;
let dir;
const files = {};

before(async () => {
  // the first 2 problems of a run listed: the lists below have 2 each; a
  // commit holds 3 s once every row is read, for the page to say so
  server = await startServer({ args: ['--import-problems', '2'], env: { UNIONBASE_IMPORT_WRITING_MS: '3000' } });
  browser = await launch();
  await server.createUser({ ...officer, unit: WARD, roles: ['entry'] });
  dir = await mkdtemp(path.join(os.tmpdir(), 'unionbase-import-'));
  files.list = path.join(dir, 'danh-sach-hoi-vien.csv');
  files.png = path.join(dir, 'anh-the.png');
  files.xlsx = path.join(REPO, 'tests', 'fixtures', 'xlsx', 'members-vn.xlsx');
  files.many = path.join(dir, 'nhieu-loi.csv');
  await writeFile(files.list, LIST);
  await writeFile(files.many, ['Họ và tên,Ngày sinh,Chi hội', ...['Vân', 'Đào', 'Quế'].map((n) => `Đỗ Thị ${n},31/02/1990,Chi hội Phụ nữ tổ dân phố 3`)].join('\n') + '\n');
  await writeFile(files.png, PNG);
});

after(async () => {
  if (browser) await browser.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
});

async function open(viewport) {
  const opened = await openPage(browser, viewport);
  await withAxe(opened.context);
  opened.data = watchData(opened.page);
  await login(opened.page, server.url('/'), officer);
  await navTo(opened.page, 'nav-import');
  await opened.page.getByTestId('import-form').waitFor();
  await settled(opened.page);
  return opened;
}

// upload: choose the file and send it; returns once the wizard shows the
// step the job came to (the report, or the failure).
async function upload(page, file, ready) {
  await page.locator('#import-file').setInputFiles(file);
  await waitText(page, '[data-testid="import-file-name"]', path.basename(file));
  await page.getByTestId('import-upload-submit').click();
  await waitHash(page, /^#\/import\?job=\d+$/);
  await page.getByTestId(ready).waitFor();
  await settled(page);
}

async function noAxe(page, where) {
  const found = await axeViolations(page);
  assert.deepEqual(found, [], `axe on ${where}`);
}

// sawProgress: watch for the progress step (checking, storing), however
// short it is; then() says whether it showed.
async function watchProgress(page) {
  await page.evaluate(() => {
    window.importProgressSeen = false;
    const seen = () => { if (document.querySelector('[data-testid="import-progress"]')) window.importProgressSeen = true; };
    new MutationObserver(seen).observe(document.body, { childList: true, subtree: true });
  });
  return () => page.waitForFunction(() => window.importProgressSeen === true);
}

const count = (page, what) => page.getByTestId(`import-count-${what}`).locator('dd').textContent();

test('an officer imports a list: columns, bad rows in Vietnamese, a column remapped, the good rows stored', { timeout: 240000 }, async () => {
  const { page, problems, data } = await open(DESKTOP);
  await withArtifactOnFailure(page, 'import-desktop', async () => {
    // step 1: her own ward, the file named with its size; no horizontal scroll
    assert.equal(await page.locator('#import-unit').inputValue(), WARD);
    await page.getByTestId('import-unit-name').waitFor();
    await waitCount(page, '[data-testid="import-steps"] li[aria-current="step"]', 1);
    await checkWords(page, data, 'upload form');
    await noAxe(page, 'the upload form');
    // nothing chosen: said at the file, no request
    await page.getByTestId('import-upload-submit').click();
    await waitText(page, '[data-testid="import-file-error"]', vi['import.choose']);
    await waitFocus(page, '#import-file');

    await page.evaluate(() => {
      window.importUploadSeen = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="import-upload-progress"] progress')) window.importUploadSeen = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await upload(page, files.list, 'import-report');
    assert.equal(await page.evaluate(() => window.importUploadSeen), true, 'the upload showed its progress bar');
    data.add(path.basename(files.list));
    // step 3: the report, focus on its heading
    await waitFocus(page, '#import-report-heading');
    await waitText(page, '[data-testid="import-summary"]', fill(vi['import.checked_summary'], { rows: 5, valid: 3, invalid: 2 }));
    assert.equal(await count(page, 'rows'), '5');
    assert.equal(await count(page, 'valid'), '3');
    assert.equal(await count(page, 'invalid'), '2');
    assert.equal(await count(page, 'created'), '3');
    assert.equal(await count(page, 'updated'), '0');
    assert.equal(await count(page, 'after-end'), '1', 'the signatures');
    await waitText(page, '[data-testid="import-file-facts"]', fill(vi['import.file_facts_csv'], {
      encoding: 'utf-8', separator: vi['import.separator.comma'], line: 4,
    }));
    // the columns: the header line found below the titles, each with its field
    await waitCount(page, '[data-testid="import-column"]', 9);
    const fields = await page.locator('[data-testid="import-column"]').evaluateAll((rows) => rows.map((r) => r.dataset.field));
    assert.deepEqual(fields, ['seq', 'full_name', 'birth_date', 'ethnicity', 'id_number', 'unit', 'joined_on', 'phone', '']);
    assert.equal(await page.locator('#import-header-line').inputValue(), '4');
    assert.equal(await page.locator('#import-map-2 option:checked').textContent(), vi['member.full_name']);
    assert.equal(await page.locator('#import-map-9 option:checked').textContent(), vi['import.field_none']);
    // the 2 bad rows, their reasons in Vietnamese
    await waitCount(page, '[data-testid="import-error"]', 2);
    const bad = await page.locator('[data-testid="import-error"]').evaluateAll((rows) => rows.map((r) => ({
      line: r.dataset.line, code: r.dataset.code, reason: r.querySelector('[data-testid="import-error-reason"]').textContent.trim(),
    })));
    assert.deepEqual(bad, [
      { line: '7', code: 'only_a_year', reason: fill(vi['detail.only_a_year'], { value: '1979' }) },
      { line: '9', code: 'unknown_unit', reason: fill(vi['detail.unknown_unit'], { value: 'Chi hội số 99', unit: 'Phường Ba Đình' }) },
    ]);
    await waitText(page, '[data-testid="import-error"][data-line="7"]', fill(vi['import.column_header'], { n: 3, header: 'Ngày sinh' }));
    await waitText(page, '[data-testid="import-errors-count"]', fill(vi['import.errors_count'], { n: 2 }));
    // the bad rows as a CSV file for Excel, with the reasons in her words
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('import-errors-download').click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\uFEFF'), 'a byte order mark for Excel');
    assert.ok(csv.includes(fill(vi['detail.only_a_year'], { value: '1979' })), csv);
    assert.equal(csv.trim().split('\r\n').length, 3, 'a header and 2 problems');
    // her own file again as XLSX, a first column saying what is wrong, in Vietnamese
    const [copy] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('import-errors-xlsx').click(),
    ]);
    const xlsx = readFileSync(await copy.path());
    assert.equal(xlsx.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file');
    assert.match(copy.suggestedFilename(), /^import-\d+-errors\.xlsx$/);
    // the good rows are offered by default, all or nothing explained
    assert.equal(await page.getByTestId('import-mode-good').isChecked(), true);
    await waitText(page, '#import-mode-all-hint', fill(vi['import.mode_all_hint_bad'], { invalid: 2 }));
    await checkWords(page, data, 'report');
    await noAxe(page, 'the report');
    await shot(page, 'import-report-vi-desktop.png');

    // in English too, then back
    await setLang(page, 'en');
    await waitText(page, '[data-testid="import-error"][data-line="7"] [data-testid="import-error-reason"]',
      fill(en['detail.only_a_year'], { value: '1979' }));
    await checkWords(page, data, 'report in English');
    await setLang(page, 'vi');

    // the unknown column goes to "Nghề nghiệp"; checked again (the progress
    // step shows between), the server's report says so
    await page.locator('#import-map-9').selectOption('occupation');
    const progress = await watchProgress(page);
    await page.getByTestId('import-check-again').click();
    await progress();
    await page.getByTestId('import-report').waitFor();
    await waitFocus(page, '#import-report-heading');
    await page.waitForFunction(() => {
      const row = document.querySelector('[data-testid="import-column"][data-column="9"]');
      return row && row.dataset.field === 'occupation';
    });
    assert.equal(await page.locator('#import-map-9 option:checked').textContent(), vi['member.occupation']);
    await waitCount(page, '[data-testid="import-error"]', 2);
    const client = await server.login(officer.username, officer.password);
    const id = Number((await page.evaluate(() => location.hash)).split('job=')[1]);
    const job = await client.get(`/api/v1/imports/${id}`);
    assert.equal(job.body.status, 'checked');
    assert.deepEqual(job.body.options.mapping.find((m) => m.column === 9), { column: 9, field: 'occupation' });

    // saved as a template for the next file of this shape
    await page.locator('#import-template-name').fill('Mẫu phường Ba Đình');
    await page.getByTestId('import-template-save').click();
    await waitText(page, '[data-testid="import-template-saved"]', fill(vi['import.template_saved'], { name: 'Mẫu phường Ba Đình' }));

    // step 4: all or nothing first, confirmed: nothing stored, and the
    // good rows offered at once, without a new upload
    await page.getByTestId('import-mode-all').check();
    await page.getByTestId('import-commit-button').click();
    await waitText(page, '[data-testid="import-commit"] .confirm p', fill(vi['import.confirm_all_bad'], { invalid: 2 }));
    await noAxe(page, 'the confirmation');
    await page.getByTestId('import-commit-button-confirm').click();
    await page.locator('[data-testid="import-result"][data-stored="false"]').waitFor();
    await waitFocus(page, '#import-result-heading');
    await waitText(page, '[data-testid="import-store-good"]', fill(vi['import.store_good_now'], { valid: 3 }));
    await waitText(page, '[data-testid="import-not-stored"]', fill(vi['import.not_stored'], { invalid: 2 }));
    await waitText(page, '[data-testid="import-status"]', vi['import.status.not_stored']);
    await checkWords(page, data, 'nothing stored, the good rows offered');
    assert.equal((await client.get(`/api/v1/members?unit=${WARD}`)).body.items.length, 0, 'nothing stored yet');
    // the good rows only; what was stored
    await page.getByTestId('import-store-good').click();
    await waitText(page, '[data-testid="import-rows-read"]', fill(vi['import.writing'], { n: 5 }));
    // the longer words of that step on a phone (the server holds it 3 s)
    await page.setViewportSize(PHONE);
    await noHorizontalScroll(page);
    await shot(page, 'import-writing-vi-phone.png');
    await page.setViewportSize(DESKTOP);
    await page.locator('[data-testid="import-result"][data-stored="true"]').waitFor();
    await waitFocus(page, '#import-result-heading');
    await waitText(page, '[data-testid="import-stored"]', fill(vi['import.stored'], { created: 3, updated: 0, unchanged: 0 }));
    await waitText(page, '[data-testid="import-result"]', fill(vi['import.skipped'], { n: 2 }));
    await waitCount(page, '[data-testid="import-error"]', 2);
    await checkWords(page, data, 'result');
    await noAxe(page, 'the result');
    await shot(page, 'import-result-vi-desktop.png');

    // the ward's members: the 3 of them
    await page.getByTestId('import-members-link').click();
    await waitHash(page, /^#\/members\?unit=00004$/);
    await waitText(page, '[data-testid="members-count"]', '3 hội viên');
    assert.equal(await page.locator('#member-unit-filter').inputValue(), WARD);

    // and the API holds them in their branches, with the remapped column
    for (const g of GOOD) {
      const list = await client.get(`/api/v1/members?unit=${g.branch}&q=${encodeURIComponent(g.name)}`);
      assert.equal(list.status, 200, list.text);
      const found = list.body.items.filter((m) => m.full_name === g.name);
      assert.equal(found.length, 1, `${g.name} in ${g.branch}: ${list.text}`);
      assert.equal(found[0].unit.code, g.branch);
      const m = await client.get(`/api/v1/members/${found[0].id}`);
      assert.equal(m.body.occupation, g.occupation, `${g.name}'s occupation`);
    }
    const all = await client.get(`/api/v1/members?unit=${WARD}`);
    assert.equal(all.body.items.length, 3, 'the bad rows stored nothing');
    const done = await client.get(`/api/v1/imports/${id}`);
    assert.equal(done.body.status, 'done');
    assert.equal(done.body.report.stored, true);
  });
  assert.deepEqual(realProblems(problems), []);
});

// storedBefore: what the phone test starts from, made through the API so it
// holds whether or not the desktop test ran first: the ward's template
// (column 9 is the occupation) and the list stored with it (3 created, or
// 3 unchanged after the desktop test).
async function storedBefore() {
  const client = await server.login(officer.username, officer.password);
  const fields = ['seq', 'full_name', 'birth_date', 'ethnicity', 'id_number', 'unit', 'joined_on', 'phone', 'occupation'];
  const tpl = await client.post('/api/v1/import-templates', {
    unit: WARD, name: 'Mẫu phường Ba Đình', header_line: 4, mapping: fields.map((field, i) => ({ column: i + 1, field })),
  });
  assert.equal(tpl.status, 201, tpl.text);
  const q = new URLSearchParams({ unit: WARD, file_name: path.basename(files.list), template: 'Mẫu phường Ba Đình' });
  const up = await fetch(server.url(`/api/v1/imports?${q}`), {
    method: 'POST', body: readFileSync(files.list),
    headers: { Cookie: client.cookie, 'X-CSRF-Token': client.csrf, 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(up.status, 202, await up.clone().text());
  const { id } = await up.json();
  const until = async (status) => {
    for (let i = 0; i < 600; i++) {
      const j = await client.get(`/api/v1/imports/${id}`);
      if (j.body.status === status) return j.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`import ${id} never ${status}`);
  };
  await until('checked');
  const c = await client.post(`/api/v1/imports/${id}/commit`, { mode: 'good' });
  assert.equal(c.status, 202, c.text);
  const done = await until('done');
  assert.equal(done.report.valid, 3);
}

test('on a phone: nothing wider than the screen, bad rows as cards; all or nothing with bad rows stores nothing, and says so', { timeout: 240000 }, async () => {
  await storedBefore();
  const { page, problems, data } = await open(PHONE);
  await withArtifactOnFailure(page, 'import-phone', async () => {
    await noHorizontalScroll(page);
    // her recent imports: the one stored before
    await page.locator('[data-testid="import-recent-item"][data-status="done"]').first().waitFor();
    // the template saved before is offered for this ward
    await page.locator('#import-template').selectOption('Mẫu phường Ba Đình');
    await page.locator('#import-file').setInputFiles(files.list);
    data.add(path.basename(files.list));
    await noHorizontalScroll(page);
    await shot(page, 'import-upload-vi-phone.png');
    await page.getByTestId('import-upload-submit').click();
    await waitHash(page, /^#\/import\?job=\d+$/);
    await page.getByTestId('import-report').waitFor();
    await settled(page);
    await waitFocus(page, '#import-report-heading');
    // the same people again: 3 unchanged, the template's column 9 kept
    assert.equal(await count(page, 'unchanged'), '3');
    assert.equal(await count(page, 'created'), '0');
    await page.waitForFunction(() => document.querySelector('[data-testid="import-column"][data-column="9"]').dataset.field === 'occupation');
    await waitCount(page, '[data-testid="import-error"]', 2);
    await noHorizontalScroll(page);
    // the table's rows are cards: the header row is not shown, each cell its own line
    const card = await page.locator('[data-testid="import-error"]').first().evaluate((tr) => ({
      display: getComputedStyle(tr.querySelector('td')).display,
      head: tr.closest('table').querySelector('thead').getBoundingClientRect().height,
      width: tr.getBoundingClientRect().width,
    }));
    assert.equal(card.display, 'flow-root');
    assert.ok(card.head <= 1, 'the table head is hidden');
    assert.ok(card.width <= 360, `a card is ${card.width} px wide`);
    await checkWords(page, data, 'report on a phone');
    await noAxe(page, 'the report on a phone');
    await shot(page, 'import-report-vi-phone.png');

    // all or nothing: warned, confirmed, nothing stored, and said
    await page.getByTestId('import-mode-all').check();
    await waitText(page, '[data-testid="import-all-warning"]', fill(vi['import.mode_all_warning'], { invalid: 2 }));
    await page.getByTestId('import-commit-button').click();
    await waitText(page, '[data-testid="import-commit"] .confirm p', fill(vi['import.confirm_all_bad'], { invalid: 2 }));
    await noHorizontalScroll(page);
    await page.getByTestId('import-commit-button-confirm').click();
    await page.getByTestId('import-result').waitFor();
    await waitFocus(page, '#import-result-heading');
    assert.equal(await page.getByTestId('import-result').getAttribute('data-stored'), 'false');
    await waitText(page, '#import-result-heading', vi['import.not_stored_title']);
    // its good rows change nothing: no offer to store them, nor words of one
    await waitText(page, '[data-testid="import-not-stored"]', fill(vi['import.not_stored_nothing_new'], { invalid: 2 }));
    assert.equal(await page.getByTestId('import-store-good').count(), 0);
    await waitText(page, '[data-testid="import-status"]', vi['import.status.not_stored']);
    await noHorizontalScroll(page);
    await checkWords(page, data, 'nothing stored on a phone');
    await shot(page, 'import-not-stored-vi-phone.png');
    const client = await server.login(officer.username, officer.password);
    const all = await client.get(`/api/v1/members?unit=${WARD}`);
    assert.equal(all.body.items.length, 3, 'still the 3 of before');
  });
  assert.deepEqual(realProblems(problems), []);
});

test('a file that is not a list (a picture) is refused in words', { timeout: 120000 }, async () => {
  const { page, problems, data } = await open(PHONE);
  await withArtifactOnFailure(page, 'import-picture', async () => {
    await upload(page, files.png, 'import-failed');
    data.add(path.basename(files.png));
    await waitFocus(page, '#import-failed-heading');
    await waitText(page, '[data-testid="import-failed-reason"]', vi['import.failed.csv_nul_byte']);
    await waitText(page, '[data-testid="import-status"]', vi['import.status.failed']);
    const assertive = await page.getByTestId('announce-assertive').textContent();
    assert.ok(assertive.includes(vi['import.failed.csv_nul_byte']), `said: ${assertive}`);
    await noHorizontalScroll(page);
    await checkWords(page, data, 'a picture refused');
    await noAxe(page, 'a picture refused');
    await shot(page, 'import-failed-vi-phone.png');
    // another file: back to step 1
    await page.getByTestId('import-start-again').click();
    await page.getByTestId('import-form').waitFor();
  });
  assert.deepEqual(realProblems(problems), []);
});

test('an Excel workbook: its rows counted, a merged branch cell given to each row under it', { timeout: 120000 }, async () => {
  const { page, problems, data } = await open(PHONE);
  await withArtifactOnFailure(page, 'import-xlsx', async () => {
    await upload(page, files.xlsx, 'import-report');
    data.add(path.basename(files.xlsx));
    await waitFocus(page, '#import-report-heading');
    assert.equal(await count(page, 'rows'), '4');
    assert.equal(await count(page, 'invalid'), '4', 'its branches are not the ward\'s');
    // lines 5 and 6: the branch merged down from line 5, named in both
    await waitCount(page, '[data-testid="import-error"]', 2);
    const listed = await page.locator('[data-testid="import-error"]').evaluateAll((rows) =>
      rows.map((tr) => `${tr.dataset.line}:${tr.dataset.code}:${tr.querySelector('.value')?.textContent ?? ''}`));
    assert.deepEqual(listed, ['5:unknown_unit:Chi hội Thôn Đông', '6:unknown_unit:Chi hội Thôn Đông']);
    await noHorizontalScroll(page);
    await checkWords(page, data, 'an Excel workbook');
    await shot(page, 'import-xlsx-vi-phone.png');
  });
  assert.deepEqual(realProblems(problems), []);
});

test('past the problems a job lists, the report says how many more there are', { timeout: 120000 }, async () => {
  const { page, problems, data } = await open(PHONE);
  await withArtifactOnFailure(page, 'import-unlisted', async () => {
    await upload(page, files.many, 'import-report');
    data.add(path.basename(files.many));
    await waitCount(page, '[data-testid="import-error"]', 2);
    await waitText(page, '[data-testid="import-errors-unlisted"]', fill(vi['import.errors_unlisted'], { listed: 2, unlisted: 1 }));
    await noHorizontalScroll(page);
    await checkWords(page, data, 'problems left unlisted');
  });
  assert.deepEqual(realProblems(problems), []);
});
