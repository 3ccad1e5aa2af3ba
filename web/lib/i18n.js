// i18n: every word the UI shows comes from i18n/<lang>.json through t().
// Vietnamese is the default; the chosen language is kept in localStorage and
// written to <html lang>. Dictionaries are flat: {"tree.title": "Cây tổ chức"}.
// A value may hold {name} placeholders filled from t()'s params.
import { LANGS, DEFAULT_LANG } from './config.js';

const STORE_KEY = 'unionbase.lang';
const dicts = {};
let current = DEFAULT_LANG;
const listeners = new Set();

function stored() {
  try { return localStorage.getItem(STORE_KEY); } catch (e) { return null; }
}

// loadI18n: fetch every dictionary once, before the first render, so that
// t() is synchronous and switching language needs no request.
export async function loadI18n() {
  await Promise.all(LANGS.map(async (lang) => {
    const res = await fetch(`/i18n/${lang}.json`);
    if (!res.ok) throw new Error(`/i18n/${lang}.json: HTTP ${res.status}`);
    dicts[lang] = await res.json();
  }));
  const saved = stored();
  current = LANGS.includes(saved) ? saved : DEFAULT_LANG;
  document.documentElement.lang = current;
}

export function getLang() { return current; }

export function setLang(lang) {
  if (!LANGS.includes(lang) || lang === current) return;
  current = lang;
  try { localStorage.setItem(STORE_KEY, lang); } catch (e) { /* private mode: not kept */ }
  document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function has(key) {
  return key in (dicts[current] || {}) || key in (dicts[DEFAULT_LANG] || {});
}

// variants: the keys equal to key or starting with "key." (in the current
// language or in Vietnamese): the forms of one message for different sets
// of parameters, e.g. error.not_found and error.not_found.date.
export function variants(key) {
  const out = new Set();
  for (const d of [dicts[current] || {}, dicts[DEFAULT_LANG] || {}]) {
    for (const k of Object.keys(d)) if (k === key || k.startsWith(key + '.')) out.add(k);
  }
  return [...out];
}

// placeholders: the {names} a key's text holds.
export function placeholders(key) {
  const s = (dicts[current] && dicts[current][key]) ?? (dicts[DEFAULT_LANG] && dicts[DEFAULT_LANG][key]) ?? '';
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

// t: the text for key in the current language (falling back to Vietnamese,
// then to the key itself so a missing word is visible, not blank).
export function t(key, params) {
  let s = (dicts[current] && dicts[current][key]);
  if (s === undefined) s = dicts[DEFAULT_LANG] && dicts[DEFAULT_LANG][key];
  if (s === undefined) return key;
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  }
  return s;
}

// tn: a counted phrase. Looks up key.one / key.other by the language's plural
// rules (Vietnamese has only "other"); {n} is the formatted number.
export function tn(key, n, params) {
  const rule = new Intl.PluralRules(current).select(n);
  const k = has(`${key}.${rule}`) ? `${key}.${rule}` : `${key}.other`;
  return t(k, { ...params, n: formatNumber(n) });
}

export function formatNumber(n) {
  return new Intl.NumberFormat(current === 'vi' ? 'vi-VN' : 'en-GB').format(n);
}

// formatMoney: a sum of dong as her language writes it (24.000 ₫, 24,000
// VND): the dictionary says where the unit goes.
export function formatMoney(n) {
  return t('money.vnd', { n: formatNumber(n) });
}

// formatPercent: a share (0.125) as her language writes it: 12,5% or 12.5%.
export function formatPercent(share) {
  return new Intl.NumberFormat(current === 'vi' ? 'vi-VN' : 'en-GB', { style: 'percent', maximumFractionDigits: 1 })
    .format(share);
}
