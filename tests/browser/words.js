// words: a check that every word reaching the page comes from the
// dictionaries (web/i18n/<lang>.json, in the page's language) or is data
// the API sent (a unit's name, a user's display name...). It catches the
// server's English `message` shown as is, an English sentence in the
// Vietnamese page, a key shown because its words are missing, and text
// written into a page's code instead of the dictionaries.
//
// watchData(page) records every string of every JSON answer of /api/ the
// page receives, except the error messages (`message` of an error and of
// its details), which must never be shown. checkWords(page, data) then reads
// every text node of the body and every aria-label, title, placeholder and
// alt, and fails naming the ones that are neither a dictionary text (its
// {placeholders} filled with anything), nor data, nor numbers, dates and
// punctuation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './server.js';

const dicts = {};
function dict(lang) {
  if (!dicts[lang]) {
    dicts[lang] = JSON.parse(readFileSync(path.join(REPO, 'web', 'i18n', `${lang}.json`), 'utf8'));
  }
  return dicts[lang];
}

const patterns = {};
// The dictionary's texts of lang as whole-text patterns ({x} matches anything).
function templates(lang) {
  if (!patterns[lang]) {
    patterns[lang] = Object.values(dict(lang)).map((s) => {
      const parts = s.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      return new RegExp(`^${parts.join('([\\s\\S]+?)')}$`);
    });
  }
  return patterns[lang];
}

// watchData: the strings the API sent to this page (a Set, filled as answers come).
export function watchData(page) {
  const data = new Set();
  const walk = (v, inError) => {
    if (typeof v === 'string') data.add(v.trim());
    else if (typeof v === 'number') data.add(String(v));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, inError));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (inError && k === 'message') continue;
        walk(x, inError || k === 'error');
      }
    }
  };
  // an answer's body is read after the page may have shown it: checkWords
  // waits for the bodies still being read (under load, a page showed a
  // name before its answer was walked)
  const pending = new Set();
  page.on('response', (res) => {
    if (!new URL(res.url()).pathname.startsWith('/api/')) return;
    if (!(res.headers()['content-type'] || '').includes('json')) return;
    const read = res.json().then((body) => walk(body, false), () => { /* no body */ });
    pending.add(read);
    read.finally(() => pending.delete(read));
  });
  Object.defineProperty(data, 'pending', { value: pending });
  return data;
}

// Words no dictionary needs: numbers, dates and times (01/07/2025 08:30:00,
// 1 Jul 2025), punctuation and the tree's arrows.
const NEUTRAL = [
  /^[\s\d.,:;·—–\-/()%▾▸×+#]+$/,
  /^\d{1,2} [A-Z][a-z]{2} \d{4}(,? \d{2}:\d{2}(:\d{2})?)?$/,
];

// allowed: text is data, neutral, or a dictionary text whose placeholders
// hold allowed texts in turn (so "{field}: {message}" does not let anything
// with a colon pass).
export function allowed(text, lang, data, depth = 0) {
  if (data.has(text)) return true;
  if (NEUTRAL.some((re) => re.test(text))) return true;
  if (depth < 3 && templates(lang).some((re) => {
    const m = re.exec(text);
    return m && m.slice(1).every((x) => allowed(x.trim(), lang, data, depth + 1));
  })) return true;
  try { JSON.parse(text); return true; } catch (e) { /* not a JSON value */ }
  // a list of words joined by the page ("Xem, Nhập liệu")
  if (text.includes(', ')) return text.split(', ').every((p) => allowed(p.trim(), lang, data, depth + 1));
  return false;
}

// pageWords: the texts of the page: text nodes and the attributes read out.
export async function pageWords(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const tag = n.parentElement && n.parentElement.tagName;
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'NOSCRIPT') continue;
      const s = n.nodeValue.trim();
      if (s) out.push(s);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.push(v.trim());
      }
    }
    out.push(document.title);
    return out;
  });
}

// checkWords: fails unless every text of the page is the dictionary's of
// the page's language, or data from the API (see above).
export async function checkWords(page, data, where = '') {
  if (data.pending) await Promise.all([...data.pending]);
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert.ok(lang in { vi: 1, en: 1 }, `page language ${lang}`);
  const words = await pageWords(page);
  // and the answers that came while the page was read: the page cannot
  // show an answer's words before its response event (CDP sends events in
  // order), but its body may still be on its way here (CI, 3 December: a
  // unit's children, shown as the check began)
  if (data.pending) await Promise.all([...data.pending]);
  const strangers = [...new Set(words.filter((w) => !allowed(w, lang, data)))];
  assert.deepEqual(strangers, [], `${where}: texts on the ${lang} page that are neither from web/i18n/${lang}.json nor data from the API`);
  return words;
}
