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
  const missing = [];
  for (const file of await jsFiles(WEB)) {
    const src = await readFile(file, 'utf8');
    for (const m of src.matchAll(/'([a-z]+\.[a-z_.]+)'/g)) {
      const key = m[1];
      if (!prefixes.has(key.split('.')[0]) || key.endsWith('.js') || key.endsWith('.json')) continue;
      if (!(key in vi) && !(`${key}.other` in vi)) missing.push(`${path.relative(REPO, file)}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});
