// units: how a unit is named and linked in the UI. Level names come from one
// place, GET /api/v1/levels (levels are configurable per deployment, and the
// server names them in both languages: "Xã, phường, đặc khu", "Tổ phụ nữ");
// the dictionaries hold none. Before they are loaded, or for a level the
// server does not list, the level's key is shown.
import { get } from './api.js';
import { t, has } from './i18n.js';
import { href } from './router.js';
import { formatDate } from './dates.js';

let levels = {};

// loadLevels: fetch the deployment's levels once at start-up.
export async function loadLevels() {
  const data = await get('/levels');
  levels = Object.fromEntries((data.items || []).map((l) => [l.key, l]));
}

// levelList: the deployment's levels, top first ([] before they are loaded).
export function levelList() {
  return Object.values(levels).sort((a, b) => a.rank - b.rank);
}

export function levelName(key, lang) {
  const l = levels[key];
  if (l) return (lang === 'en' ? l.name_en || l.name_vi : l.name_vi || l.name_en) || key;
  return key;
}

export function kindName(key) {
  return has(`kind.${key}`) ? t(`kind.${key}`) : key;
}

export function attrName(key) {
  return has(`attr.${key}`) ? t(`attr.${key}`) : key;
}

export function eventName(key) {
  return has(`event.${key}`) ? t(`event.${key}`) : key;
}

// unitName: the name in the UI language, or the other one if it is missing.
export function unitName(u, lang) {
  if (!u) return '';
  const name = lang === 'en' ? u.name_en || u.name_vi : u.name_vi || u.name_en;
  return name || u.code || '';
}

// unitHref: the details page of the unit with this code on date asOf
// (undefined: the page uses today).
export function unitHref(code, asOf) {
  return href('/units/' + encodeURIComponent(code), { as_of: asOf });
}

export function validity(from, until, lang) {
  return until
    ? t('validity.closed', { from: formatDate(from, lang), until: formatDate(until, lang) })
    : t('validity.open', { from: formatDate(from, lang) });
}
