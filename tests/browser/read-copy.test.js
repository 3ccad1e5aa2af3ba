// Browser test of figures read from a read copy (issue 17, item 4), on a
// 360x740 phone in Vietnamese: the server runs with --read-db, a
// PostgreSQL streaming replica of its database (the test starts a primary
// and a replica of its own: scripts/pg-test-server.sh start and replica);
// the members' statistics say beside the figures that they come from a
// copy and how far behind the main database they may be; a member added
// shows in them. Every text is from the dictionary or data (words.js).
// Screenshot: tests/artifacts/read-copy-vi-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, sanitizerReport, REPO, TODAY } from './server.js';
import { launch, openPage, withArtifactOnFailure, shot, waitText, noHorizontalScroll, login, settled } from './ui.js';
import { watchData, checkWords } from './words.js';

const execFileP = promisify(execFile);
const PHONE = { width: 360, height: 740 };
const HAVE_PG = fs.existsSync('/usr/lib/postgresql') && process.env.UNIONBASE_PG_TESTS !== '0';
const SCRIPT = path.join(REPO, 'scripts', 'pg-test-server.sh');

let state = null;
let server;
let browser;

async function pgServer(...args) {
  const { stdout } = await execFileP(SCRIPT, args, { env: { ...process.env, UNIONBASE_PG_STATE: state } });
  return stdout.trim().split('\n').pop();
}

before(async () => {
  if (!HAVE_PG) return;
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'unionbase-read-copy-'));
  const primary = await pgServer('start');
  const replica = await pgServer('replica');
  server = await startServer({ db: primary, members: 30, args: ['--read-db', replica] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { output } = await server.stop();
    const report = sanitizerReport(output);
    assert.equal(report, null, `the server reported:\n${report}`);
  }
  if (state) {
    await pgServer('stop').catch(() => {});
    fs.rmSync(state, { recursive: true, force: true });
  }
});

test('the statistics say they come from a copy, and how far behind it may be', { timeout: 120000, skip: !HAVE_PG && 'no PostgreSQL here' }, async () => {
  const { page } = await openPage(browser, PHONE);
  const data = watchData(page);
  await withArtifactOnFailure(page, 'read-copy', async () => {
    await login(page, server.url('/#/reports/members?unit=VN'), server.admin);
    await page.getByTestId('report').waitFor();
    await settled(page);
    await waitText(page, '[data-testid="read-copy-note"]', 'Số liệu đọc từ bản sao của cơ sở dữ liệu: chậm hơn bản chính không quá 10 giây');
    const total = Number((await page.getByTestId('report-total').textContent()).replace(/\D/g, ''));
    await noHorizontalScroll(page);
    await checkWords(page, data, 'the statistics from a read copy');
    await shot(page, 'read-copy-vi-phone.png');

    // a member added (on the primary) is in the figures read again
    const m = await (await server.api()).request('GET', '/api/v1/members?limit=1');
    assert.equal(m.status, 200, m.text);
    const r = await server.post('/api/v1/members', { full_name: 'Phạm Thị Bản Sao', birth_date: '1983-02-03', unit: m.body.items[0].unit.code, joined_on: TODAY, ethnicity: '01' });
    assert.equal(r.status, 201, r.text);
    const want = (total + 1).toLocaleString('vi-VN');
    for (let i = 0; i < 50; i++) {
      await page.reload();
      await page.getByTestId('report').waitFor();
      if ((await page.getByTestId('report-total').textContent()).trim().includes(want)) break;
      await page.waitForTimeout(200);
    }
    await waitText(page, '[data-testid="report-total"]', want);
    await page.getByTestId('read-copy-note').waitFor();
  });
});
