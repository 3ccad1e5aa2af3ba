// ui: what the browser tests share: Debian's chromium through playwright-core,
// pages that record script errors, waiting helpers, the 360 px check,
// logging in through the log-in page the way a person does, and following
// a navigation link (folded behind the Menu button on a phone: navTo).
//
// The web app takes "today" from the browser's clock (web/lib/dates.js), the
// server from UNIONBASE_TODAY: each context's clock is set to noon of the
// harness's TODAY (server.js) and runs on from there, so the app's today is
// the server's whatever the hour the tests run at.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, TODAY } from './server.js';

export const ARTIFACTS = path.join(REPO, 'tests', 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch() {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// openPage: a fresh browser context (so cookies and localStorage start empty)
// whose page records script errors, console errors and dialogs for later checks.
export async function openPage(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const [y, m, d] = TODAY.split('-').map(Number);
  await context.clock.setSystemTime(new Date(y, m - 1, d, 12, 0, 0));
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  const dialogs = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  return { context, page, problems, dialogs };
}

// realProblems: the recorded problems but the browser's own notes about API
// answers the app expects and handles (401 before logging in, 404 for a unit
// out of scope, 422 for a refused form, 429 after too many failed log-ins).
export function realProblems(problems) {
  return problems.filter((p) => !/status of (401|404|409|422|429) \(/.test(p));
}

// withArtifactOnFailure: keep a screenshot of the page when a step fails,
// and what a screenshot does not show: the address, the focused element
// and each field's value (a race between the app and a test shows there).
export async function withArtifactOnFailure(page, name, fn) {
  try {
    await fn();
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => {});
    const state = await page.evaluate(() => ({
      url: location.href,
      focused: document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : null,
      fields: [...document.querySelectorAll('input, select, textarea')]
        .map((f) => ({ id: f.id || f.dataset.testid || f.name, value: f.type === 'password' ? '(hidden)' : f.value })),
    })).catch((err) => ({ unreadable: String(err) }));
    await writeFile(path.join(ARTIFACTS, `failed-${name}.json`), JSON.stringify(state, null, 2)).catch(() => {});
    throw e;
  }
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

export async function waitCount(page, selector, n) {
  try {
    await page.waitForFunction(([s, k]) => document.querySelectorAll(s).length === k, [selector, n]);
  } catch (e) {
    const got = await page.locator(selector).count();
    throw new Error(`expected ${n} × ${selector}, got ${got}`);
  }
}

export async function waitText(page, selector, text) {
  try {
    await page.waitForFunction(([s, x]) => {
      const el = document.querySelector(s);
      return !!el && el.textContent.includes(x);
    }, [selector, text]);
  } catch (e) {
    const got = await page.locator(selector).first().textContent().catch(() => null);
    throw new Error(`expected ${selector} to contain ${JSON.stringify(text)}, got ${JSON.stringify(got)}`);
  }
}

export async function waitHash(page, re) {
  try {
    await page.waitForFunction((src) => new RegExp(src).test(location.hash), re.source);
  } catch (e) {
    throw new Error(`expected the hash to match ${re}, got ${await page.evaluate(() => location.hash)}`);
  }
}

export async function noHorizontalScroll(page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= 360, `page is ${scroll} px wide on a 360 px screen (client ${client})`);
}

// fillLogin: type a name and password into the log-in page and submit.
export async function fillLogin(page, username, password) {
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

// login: open url (default: the app's start) and log in as {username, password};
// returns when the user menu is there, i.e. the app shows pages.
export async function login(page, url, who) {
  if (url) await page.goto(url);
  await page.getByTestId('login-form').waitFor();
  await fillLogin(page, who.username, who.password);
  await page.getByTestId('user-menu').waitFor();
}

// logout: through the user menu; returns when the log-in page is back.
export async function logout(page) {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor();
}

// navTo: follow the header's navigation link with this data-testid. On a
// phone the navigation is folded behind the "Menu" button: open it first.
export async function navTo(page, testid) {
  const link = page.getByTestId(testid);
  await link.waitFor({ state: 'attached' });
  if (!(await link.isVisible())) {
    const toggle = page.getByTestId('menu-toggle');
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  }
  await link.click();
}

// setLang: choose the UI language with the header's switch.
export async function setLang(page, lang) {
  await page.getByTestId('lang-switch').selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

// settled: no loading sign left in the main area.
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('#main .loading'));
}

// focused: what has keyboard focus, as {tag, id, testid, text}.
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el && {
      tag: el.tagName.toLowerCase(), id: el.id, testid: el.dataset ? el.dataset.testid : undefined,
      text: (el.textContent || '').trim(),
    };
  });
}

// waitFocus: wait until the focused element matches selector (CSS).
export async function waitFocus(page, selector) {
  try {
    await page.waitForFunction((s) => document.activeElement && document.activeElement.matches(s), selector);
  } catch (e) {
    throw new Error(`expected focus on ${selector}, it is on ${JSON.stringify(await focused(page))}`);
  }
}

// tabTo: press Tab until the focused element matches selector (at most max times).
export async function tabTo(page, selector, max = 150) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`no ${selector} within ${max} presses of Tab; focus is on ${JSON.stringify(await focused(page))}`);
}

// announced: wait until the latest message of the live region (polite or
// assertive; web/components/layout.js LiveRegion) is text.
export async function announced(page, text, { assertive = false } = {}) {
  await waitText(page, `[data-testid="announce-${assertive ? 'assertive' : 'polite'}"] > p:last-child`, text);
}

// endSession: end the page's session on the server (DELETE /api/v1/session
// with its cookie), as an expiry would, behind the app's back.
export async function endSession(context, server, page) {
  // the page's own requests first (a unit looked up while typing, a
  // count in the header): one of them finding the session gone would put
  // the log-in page in place before the test sends its form
  if (page) await page.waitForLoadState('networkidle');
  const cookie = (await context.cookies(server.base)).map((c) => `${c.name}=${c.value}`).join('; ');
  const who = await fetch(server.url('/api/v1/session'), { headers: { Cookie: cookie } });
  assert.equal(who.status, 200, 'the page has a session to end');
  const { csrf_token: csrf } = await who.json();
  const res = await fetch(server.url('/api/v1/session'), {
    method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
  });
  assert.ok(res.ok, `DELETE /api/v1/session: ${res.status}`);
}

// Axe (axe-core) in every document of a context: an init script goes in
// through the browser's debugging protocol, which the page's CSP does not
// govern (page.addScriptTag would be an inline script, which it refuses).
const AXE = path.join(REPO, 'node_modules', 'axe-core', 'axe.min.js');

export async function withAxe(context) {
  await context.addInitScript({ path: AXE });
}

// axeViolations: axe's findings on the page as it is, one line each.
export async function axeViolations(page) {
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).join(', ')}${v.nodes.length > 5 ? ', …' : ''}`);
}
