// The web app's dictionaries: web/i18n/vi.json and en.json have the same keys,
// no empty values, matching {placeholders}, and every key the app's modules
// name literally exists. (No browser needed; it lives with the web tests.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO } from './server.js';

const WEB = path.join(REPO, 'web');
const load = async (lang) => JSON.parse(await readFile(path.join(WEB, 'i18n', `${lang}.json`), 'utf8'));
const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

async function jsFiles(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...await jsFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

test('vi.json and en.json have the same keys and placeholders', async () => {
  const vi = await load('vi');
  const en = await load('en');
  assert.deepEqual(Object.keys(en).sort(), Object.keys(vi).sort());
  for (const k of Object.keys(vi)) {
    assert.ok(typeof vi[k] === 'string' && vi[k].trim(), `vi ${k} is empty`);
    assert.ok(typeof en[k] === 'string' && en[k].trim(), `en ${k} is empty`);
    assert.deepEqual(holes(en[k]), holes(vi[k]), `placeholders of ${k}`);
  }
});

test('every dictionary key the app names exists', async () => {
  const vi = await load('vi');
  const prefixes = new Set(Object.keys(vi).map((k) => k.split('.')[0]));
  // (the permissions of docs/security.md's matrix, record.read..., are the
  // server's names, not dictionary keys)
  const security = await readFile(path.join(REPO, 'docs', 'security.md'), 'utf8');
  const permissions = new Set([...security.matchAll(/^\| `([a-z]+\.[a-z_]+)` \|/gm)].map((m) => m[1]));
  const missing = [];
  for (const file of await jsFiles(WEB)) {
    const src = await readFile(file, 'utf8');
    for (const m of src.matchAll(/'([a-z]+\.[a-z_.]+)'/g)) {
      const key = m[1];
      if (!prefixes.has(key.split('.')[0]) || key.endsWith('.js') || key.endsWith('.json') || permissions.has(key)) continue;
      if (!(key in vi) && !(`${key}.other` in vi)) missing.push(`${path.relative(REPO, file)}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

// The codes of src/api/openapi.json's ErrorCode and ErrorDetailCode, each
// with the parameters its description names (`max`, `ref`, ...).
async function apiCodes(schema) {
  const doc = JSON.parse(await readFile(path.join(REPO, 'src', 'api', 'openapi.json'), 'utf8'));
  const s = doc.components.schemas[schema];
  const params = {};
  for (const line of s.description.split('\n')) {
    const m = /^- `(\w+)`(.*)$/.exec(line);
    if (m) params[m[1]] = new Set([...m[2].matchAll(/`(\w+)`/g)].map((x) => x[1]));
  }
  return s.enum.map((code) => ({ code, params: params[code] || new Set() }));
}

test('every error and detail code of the API has its words in both dictionaries, with parameters it carries', async () => {
  const vi = await load('vi');
  const en = await load('en');
  const problems = [];
  for (const [schema, prefix] of [['ErrorCode', 'error'], ['ErrorDetailCode', 'detail']]) {
    for (const { code, params } of await apiCodes(schema)) {
      const base = `${prefix}.${code}`;
      if (!(base in vi)) problems.push(`${base} missing`);
      for (const d of [vi, en]) {
        for (const k of Object.keys(d).filter((x) => x === base || x.startsWith(base + '.'))) {
          for (const h of holes(d[k])) if (!params.has(h)) problems.push(`${k}: {${h}} is not a parameter of ${code}`);
        }
      }
    }
  }
  for (const k of ['error.unknown', 'detail.unknown', 'error.network', 'error.bad_response', 'error.unexpected', 'detail.on_field']) {
    if (!(k in vi)) problems.push(`${k} missing`);
  }
  assert.deepEqual(problems, []);
});

test('level names come from the server only: no level.* in the dictionaries', async () => {
  for (const lang of ['vi', 'en']) {
    assert.deepEqual(Object.keys(await load(lang)).filter((k) => k.startsWith('level.')), [], lang);
  }
});

test('the words check (words.js) refuses what is not from the dictionary of the page\'s language', async () => {
  const { allowed } = await import('./words.js');
  const data = new Set(['Hà Nội', 'zzz']);
  assert.ok(allowed('Mở rộng Hà Nội', 'vi', data));
  assert.ok(allowed('Không có đơn vị mã zzz vào ngày 01/07/2025.', 'vi', data));
  assert.ok(allowed('Hà Nội', 'vi', data));
  assert.ok(!allowed('no unit with code zzz on 2025-07-01', 'vi', data), 'the server\'s English message');
  assert.ok(!allowed('Wrong user name or password.', 'vi', data), 'English in the Vietnamese page');
  assert.ok(!allowed('Mật khẩu: is too short', 'vi', data), '"{field}: {message}" does not let anything through');
  assert.ok(!allowed('detail.too_long', 'vi', data), 'a key without words');
});

test('the audit page offers every action the server records, each with its words', async () => {
  const src = await readFile(path.join(WEB, 'pages', 'audit.js'), 'utf8');
  const m = /export const ACTIONS = \(([\s\S]*?)\)\.split/.exec(src);
  assert.ok(m, 'ACTIONS in pages/audit.js');
  const listed = m[1].replace(/'\s*\+\s*'/g, '').replace(/'/g, '').trim().split(/\s+/).sort();
  const doc = JSON.parse(await readFile(path.join(REPO, 'src', 'api', 'openapi.json'), 'utf8'));
  assert.deepEqual(listed, [...doc.components.schemas.AuditAction.enum].sort());
  for (const lang of ['vi', 'en']) {
    const d = await load(lang);
    assert.deepEqual(listed.filter((a) => !d[`action.${a}`]), [], `actions without words in ${lang}.json`);
  }
});
