// Browser test of a unit's term targets (issue 18 items 6 and 8), on a
// 360x740 phone in Vietnamese: an approver of Hà Nội hands targets down to
// Phường Ba Đình from the targets page, with room to lower one; the
// commune's officer opens her own dashboard from the navigation, sees how
// many are reached and the status of each, tries to lower a target beyond
// the room (refused beside the field, in her words), lowers it within it,
// and reads the charts' figures. Every text is the dictionaries' or the
// API's data (words.js). Screenshot: tests/artifacts/targets-vi-phone.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TODAY } from './server.js';
import {
  withArtifactOnFailure, shot, waitText, waitFocus, noHorizontalScroll, settled, announced, navTo,
} from './ui.js';
import { checkWords } from './words.js';
import { reportFixture, COMMUNE } from './reports-fixture.js';
import { currentPeriod } from '../../web/lib/periods.js';

const TERM = currentPeriod('term', TODAY);
const officer = { username: 'mai.badinh', password: 'Mai-mat-khau-2026', display_name: 'Phạm Thị Mai' };
const approver = { username: 'thu.hanoi', password: 'Thu-mat-khau-2026', display_name: 'Đỗ Thị Thu' };

const fx = reportFixture(officer, approver);
const open = fx.open;

async function setTarget(page, code, value, allowance) {
  await page.locator('#targets-set-indicator').selectOption(code);
  await page.getByTestId('targets-set-value').fill(value);
  if (allowance !== undefined) await page.getByTestId('targets-set-allowance').fill(allowance);
  await page.getByTestId('targets-set-save').click();
}

test('the province hands targets down; the commune sees how many are reached and adjusts one within its room, on a phone', { timeout: 240000 }, async () => {
  const b = await open(approver);
  await withArtifactOnFailure(b.page, 'targets-hand-down', async () => {
    await navTo(b.page, 'nav-targets');
    await b.page.getByTestId('targets-choose').waitFor();
    assert.equal(await b.page.locator('#targets-term').inputValue(), TERM, 'the running term first');
    await b.page.locator('#targets-unit').fill(COMMUNE);
    await b.page.getByTestId('targets-open').click();
    await b.page.getByTestId('targets-none').waitFor();
    await settled(b.page);
    await setTarget(b.page, 'members', '1');
    await announced(b.page, 'Đã lưu chỉ tiêu.');
    await setTarget(b.page, 'clubs', '3', '1');
    await announced(b.page, 'Đã lưu chỉ tiêu.');
    await waitText(b.page, '[data-testid="targets-reached"]', 'Đạt 1/2 chỉ tiêu');
    await checkWords(b.page, b.data, 'targets handed down');
  });
  const a = await open(officer);
  await withArtifactOnFailure(a.page, 'targets-commune', async () => {
    await navTo(a.page, 'nav-targets');
    await a.page.getByTestId('targets-list').waitFor();
    await settled(a.page);
    await waitText(a.page, '[data-testid="targets-reached"]', 'Đạt 1/2 chỉ tiêu');
    await waitText(a.page, '[data-testid="target"][data-code="members"] [data-testid="target-status"]', 'Đã đạt');
    await waitText(a.page, '[data-testid="target"][data-code="clubs"] [data-testid="target-status"]', 'Chưa có số liệu');
    await waitText(a.page, '[data-testid="target"][data-code="clubs"]', 'Cấp trên giao 3; được điều chỉnh giảm tối đa 1.');
    await a.page.getByTestId('targets-series-table').waitFor();
    await noHorizontalScroll(a.page);
    await checkWords(a.page, a.data, 'targets of the commune');
    await shot(a.page, 'targets-vi-phone.png');
    // lower than the room allows: refused beside the field
    await setTarget(a.page, 'clubs', '1');
    await waitText(a.page, '[data-testid="targets-set-value-error"]', 'Cấp trên chỉ cho phép điều chỉnh chỉ tiêu này đến mức 2.');
    await waitFocus(a.page, '#targets-set-value');
    await setTarget(a.page, 'clubs', '2');
    await announced(a.page, 'Đã lưu chỉ tiêu.');
    await waitText(a.page, '[data-testid="target"][data-code="clubs"] [data-testid="target-goal"]', 'ít nhất 2');
    assert.equal(await a.page.getByTestId('targets-set-allowance').count(), 0, 'the room is the level above\'s to give');
    await checkWords(a.page, a.data, 'target adjusted');
  });
});
