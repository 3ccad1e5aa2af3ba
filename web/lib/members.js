// members: how the member registry's words and values are shown (issue 15,
// docs/members.md): her kind and sex, the reasons a stay in a unit began and
// ended, her ID number's kind, her phone. Every word from the dictionaries;
// a value they do not know is shown as the API sent it.
import { t, has } from './i18n.js';
import { href } from './router.js';
import { levelList } from './units.js';

// word: the dictionary's words for a value of one of her fields
// (member.<field>.<value>), or the value itself.
function word(field, value) {
  const key = `member.${field}.${value}`;
  return has(key) ? t(key) : value;
}

export const memberKindName = (kind) => word('kind', kind);
export const sexName = (sex) => word('sex', sex);
export const startReasonName = (reason) => word('start', reason);
export const endReasonName = (reason) => word('end', reason);
export const idKindName = (kind) => word('id_kind', kind);

// phoneText: a phone as stored (+84912345678) the way people write it
// at home (0912345678).
export function phoneText(phone) {
  return typeof phone === 'string' && phone.startsWith('+84') ? `0${phone.slice(3)}` : phone;
}

// memberHref: her record's page, on the date asOf (undefined: today).
export function memberHref(id, asOf) {
  return href(`/members/${encodeURIComponent(id)}`, { as_of: asOf });
}

// holdsMembers: whether a unit of this level may have members: a branch or
// a group, the two lowest levels (docs/api.md, POST /api/v1/members).
export function holdsMembers(level) {
  return levelList().slice(-2).some((l) => l.key === level);
}
