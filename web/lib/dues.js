// dues: what the pages about dues (hội phí) share: sums typed the way
// people write them, the rate that applies to a unit for a year (GET
// /api/v1/units/{code}/dues/{year}: its own, else the nearest set above)
// and how that rate is said.
import { t, formatMoney } from './i18n.js';
import { get, unitPath } from './api.js';
import { useAsync } from './hooks.js';
import { unitName } from './units.js';

// yearOf: the year of an ISO day, as text.
export const yearOf = (iso) => iso.slice(0, 4);

// parseAmount: a sum typed as people write it (24.000, 24,000, 24 000 or
// 24000: dues are whole dong, so a separator only groups thousands, and
// 24,5 is no sum rather than 245): the number, '' when empty, null when it
// is not a sum.
export function parseAmount(text) {
  const s = text.trim();
  if (!s) return '';
  return /^(\d{1,12}|\d{1,3}([.,\s]\d{3})+)$/.test(s) ? Number(s.replace(/\D/g, '')) : null;
}

// amountError: a sum that cannot be read (or left empty when required).
export function amountError(text, required) {
  const n = parseAmount(text);
  if (n === null) return t('dues.amount_invalid');
  return n === '' && required ? t('form.required') : null;
}

export const isYear = (text) => /^\d{4}$/.test(text.trim());

// useDuesRate: the rate that applies to the unit `code` (resolved on
// asOf) for `year`; nothing is asked while the year is not a year.
export function useDuesRate(code, year, asOf) {
  return useAsync((signal) => (code && isYear(year)
    ? get(`${unitPath(code)}/dues/${year.trim()}`, { as_of: asOf }, signal)
    : Promise.resolve(null)), [code, year, asOf]);
}

// rateText: a DuesRate said: the sum and the unit that set it (unnamed
// when it lies outside her scope), or that none is set.
export function rateText(r, lang) {
  if (r.amount === null) return t('dues.rate_none', { year: r.year });
  const said = { year: r.year, amount: formatMoney(r.amount) };
  return r.set_by ? t('dues.rate_by', { ...said, unit: unitName(r.set_by, lang) }) : t('dues.rate_above', said);
}
