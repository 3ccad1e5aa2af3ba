// errors: what the app says about an API error, in the user's language.
// The API's English `message` is never shown. Every error carries a machine
// code (`error.code`) and its parameters as members beside it; every field
// detail too (`{field, code, message, ...params}`); see ErrorCode and
// ErrorDetailCode in src/api/openapi.json. The text is the dictionary's
//   error.<code>    for an error,
//   detail.<code>   for a field detail,
// filled with the parameters. A code may have several forms for different
// sets of parameters (error.not_found, error.not_found.date...): the one
// with the most placeholders that are all given is used. A code the
// dictionaries do not know gets a generic sentence with the code in it.
// Parameters are shown the user's way: days as dates (01/07/2025 in
// Vietnamese), level keys as level names, numbers with her separators.
import { t, variants, placeholders, getLang, formatNumber, has } from './i18n.js';
import { formatDate, isIsoDate } from './dates.js';
import { levelName } from './units.js';

const DATE_PARAMS = new Set(['date', 'from', 'until', 'value']);
const LEVEL_PARAMS = new Set(['level', 'parent_level']);
const NUMBER_PARAMS = new Set(['max', 'min', 'count', 'minutes', 'line', 'column', 'status']);

// Errors that are about one field of the form that caused them: shown at
// that field when the form has it.
const ERROR_FIELD = { username_taken: 'username', code_taken: 'code', id_number_taken: 'id_number' };

// shown: the parameters of an error or a detail, ready for the sentence.
function shown(params) {
  const lang = getLang();
  const out = {};
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || typeof v === 'object') continue;
    if (DATE_PARAMS.has(k) && isIsoDate(v)) out[k] = formatDate(v, lang);
    else if (LEVEL_PARAMS.has(k) && typeof v === 'string') out[k] = levelName(v, lang);
    else if (NUMBER_PARAMS.has(k) && typeof v === 'number') out[k] = formatNumber(v);
    else out[k] = String(v);
  }
  return out;
}

// pick: the form of `base` whose placeholders are all in params, the one
// saying the most; null when the dictionaries have none.
function pick(base, params) {
  let best = null;
  let bestN = -1;
  for (const key of variants(base)) {
    const holes = placeholders(key);
    if (!holes.every((h) => h in params)) continue;
    if (holes.length > bestN || (holes.length === bestN && key.length < best.length)) {
      best = key;
      bestN = holes.length;
    }
  }
  return best;
}

// errorParams: the parameters of an ApiError (or a plain error object).
function paramsOf(e) {
  if (e && e.params) return e.params;
  if (!e || typeof e !== 'object') return {};
  const { code, message, details, field, ...rest } = e;
  return rest;
}

// errorMessage: the sentence for an ApiError (or anything thrown).
// overrides: {code: dictionary key} for what one page says better itself
// (the log-in page's "wrong user name or password" for unauthorized).
export function errorMessage(e, overrides = {}) {
  if (!e) return '';
  if (e.name === 'AbortError') return '';
  // Not an answer of the API: a bug of the app, whose words are not for her.
  if (typeof e.code !== 'string' || !e.code) return t('error.unexpected');
  const { code } = e;
  const params = shown({ ...paramsOf(e), status: e.status });
  if (overrides[code]) return t(overrides[code], params);
  const key = pick(`error.${code}`, params);
  return key ? t(key, params) : t('error.unknown', { code });
}

// detailMessage: the sentence for one field detail.
export function detailMessage(d, overrides = {}) {
  const code = d && typeof d.code === 'string' && d.code ? d.code : 'invalid';
  const params = shown(paramsOf(d));
  if (overrides[code]) return t(overrides[code], params);
  const key = pick(`detail.${code}`, params);
  return key ? t(key, params) : t('detail.unknown', { code });
}

// fieldName: a field's name for a problem not shown beside it.
export function fieldName(field) {
  return has(`field.${field}`) ? t(`field.${field}`) : field;
}

// formErrors: an error split between a form's fields and the form itself.
//   fields:    the API field names the form shows (['username', ...]);
//   aliases:   {api field: form field} when the form names it otherwise;
//   overrides: {code: key} as for errorMessage and detailMessage;
//   own:       {error code: form field} for errors without details that are
//              about one of this form's fields (not_a_member: the date).
// Returns {fields: {field: text}, form: [text]}: each field's problems once
// (the same sentence twice under one field is shown once), and, when some
// problem has no field of the form to stand by, the error's sentence and
// those problems (naming their fields) for the whole form.
export function formErrors(e, fields = [], { aliases = {}, overrides = {}, own: ownFields = {} } = {}) {
  const at = {};
  const form = [];
  if (!e) return { fields: at, form };
  const add = (f, text) => {
    if (!at[f]) at[f] = [];
    if (!at[f].includes(text)) at[f].push(text);
  };
  const rest = [];
  const details = Array.isArray(e.details) ? e.details : [];
  for (const d of details) {
    if (!d || typeof d !== 'object') continue;
    const f = aliases[d.field] || d.field;
    const text = detailMessage(d, overrides);
    if (typeof f === 'string' && fields.includes(f)) add(f, text);
    else if (typeof d.field === 'string' && d.field) {
      const line = t('detail.on_field', { field: fieldName(d.field), message: text });
      if (!rest.includes(line)) rest.push(line);
    } else if (!rest.includes(text)) rest.push(text);
  }
  const own = overrides[e.code] ? null : ownFields[e.code] || ERROR_FIELD[e.code];
  if (!details.length && own && fields.includes(aliases[own] || own)) {
    add(aliases[own] || own, errorMessage(e, overrides));
  } else if (!details.length || rest.length) {
    form.push(errorMessage(e, overrides), ...rest);
  }
  const out = {};
  for (const [f, texts] of Object.entries(at)) out[f] = texts.join(' ');
  return { fields: out, form };
}

// fieldErrors: {field: text} for a 422's details (every field, as the API
// names it), each field's problems once.
export function fieldErrors(e) {
  const fields = ((e && e.details) || []).map((d) => d && d.field).filter((f) => typeof f === 'string');
  return formErrors(e, fields).fields;
}
