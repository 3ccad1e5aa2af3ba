// The audit page (#/audit, admins only): the audit trail, newest first
// (GET /api/v1/audit), filtered by unit code, user name, record type, action
// and a date range. The filters live in the URL, so a filtered view can be
// shared and survives a reload. Each row opens a field-by-field view of the
// record before and after the change; values are shown as text (JSON for
// anything that is not a string). "Load more" follows the `next` cursor.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn, has } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useCursorList, useDraft, usePageTitle } from '../lib/hooks.js';
import { useAnnounce } from '../lib/announce.js';
import { navigate } from '../lib/router.js';
import { formatDateTime, isIsoDate } from '../lib/dates.js';
import { unitName, unitHref } from '../lib/units.js';
import { Loading, ErrorBox, MoreButton } from '../components/status.js';
import { DateField } from '../components/date-field.js';
import { refuse } from '../components/form.js';

const PAGE = 50;

// The actions the server records (docs/api.md). Written as one string: each
// is also a dictionary key under "action.".
// (tests/browser/i18n.test.js checks it against AuditAction in the API's document)
export const ACTIONS = ('unit.create unit.rename unit.attributes unit.move unit.close unit.merge unit.split '
  + 'session.login session.login_failed session.logout session.revoke user.create user.update user.disable '
  + 'user.enable user.password user.password_failed user.password_reset user.export user.erase '
  + 'consent.give consent.withdraw token.create token.revoke member.create member.update member.sensitive_read member.export member.erase member.leave member.rejoin member.import member.export_list '
  + 'member.transfer transfer.create transfer.accept transfer.refuse transfer.cancel dues.rate dues.pay '
  + 'card_key.create card_key.rotate report.values report.submit report.approve report.return report.unlock target.set target.remove').split(' ');
const RECORD_TYPES = ['unit', 'user', 'session', 'token', 'member', 'transfer', 'dues', 'card_key', 'report', 'target'];
const FILTERS = ['unit', 'user', 'record_type', 'action', 'from', 'to'];

// actionName: an action's words in her language; the code itself for an
// action the dictionaries do not know (a newer server's).
export function actionName(a) {
  return has(`action.${a}`) ? t(`action.${a}`) : a;
}

function recordTypeName(r) {
  return has(`record.${r}`) ? t(`record.${r}`) : r;
}

function pick(query) {
  const f = {};
  for (const k of FILTERS) f[k] = query[k] || '';
  return f;
}

export function AuditPage({ query }) {
  const { asOfParam } = useApp();
  const filters = pick(query);
  const key = FILTERS.map((k) => filters[k]).join('\u0001');
  const apply = (f) => navigate('/audit', { ...f, as_of: asOfParam });
  usePageTitle(t('audit.title'));
  return html`
    <h1>${t('audit.title')}</h1>
    <p class="muted">${t('audit.intro')}</p>
    <${Filters} filters=${filters} onApply=${apply} />
    <${AuditList} key=${key} filters=${filters} />`;
}

// dateErrors: what is wrong with the filter's dates, by field.
function dateErrors(d) {
  const bad = (v) => v === null || (v && !isIsoDate(v));
  const out = {};
  for (const k of ['from', 'to']) if (bad(d[k])) out[k] = t('audit.bad_date');
  if (!out.from && !out.to && d.from && d.to && d.from > d.to) out.to = t('audit.bad_range');
  return out;
}

function Filters({ filters, onApply }) {
  // (filters typed but not yet applied survive a session expiry)
  const [d, setD] = useDraft('audit-filters', filters);
  const [errors, setErrors] = useState({});
  const form = useRef(null);
  // The URL's filters changed (applied, Back): show them.
  const applied = FILTERS.map((k) => filters[k]).join('\u0001');
  const shown = useRef(applied);
  useEffect(() => {
    if (shown.current !== applied) { shown.current = applied; setD(filters); }
  }, [applied]);
  const set = (k) => (e) => setD((o) => ({ ...o, [k]: e.currentTarget.value }));
  const submit = (e) => {
    e.preventDefault();
    const bad = dateErrors(d);
    setErrors(bad);
    if (Object.keys(bad).length) { refuse(form); return; }
    const out = {};
    for (const k of FILTERS) out[k] = String(d[k] || '').trim() || undefined;
    onApply(out);
  };
  const clear = () => { setErrors({}); onApply({}); };
  const input = (k, label, extra = {}) => html`
    <label class="form-field" for=${`audit-${k}`}>
      <span class="field-label">${label}</span>
      <input id=${`audit-${k}`} data-testid=${`audit-filter-${k}`} value=${d[k]} onInput=${set(k)}
        autocomplete="off" spellcheck="false" ...${extra} />
    </label>`;
  return html`
    <form class="panel form filters" data-testid="audit-filters" onSubmit=${submit} role="search"
        aria-label=${t('audit.filters')} ref=${form}>
      <div class="filter-grid">
        ${input('unit', t('audit.unit'), { placeholder: t('audit.unit_placeholder') })}
        ${input('user', t('audit.user'))}
        <label class="form-field" for="audit-record_type">
          <span class="field-label">${t('audit.record_type')}</span>
          <select id="audit-record_type" data-testid="audit-filter-record_type" value=${d.record_type}
              onChange=${set('record_type')}>
            <option value="">${t('audit.any')}</option>
            ${RECORD_TYPES.map((r) => html`<option key=${r} value=${r}>${recordTypeName(r)}</option>`)}
          </select>
        </label>
        <label class="form-field" for="audit-action">
          <span class="field-label">${t('audit.action')}</span>
          <select id="audit-action" data-testid="audit-filter-action" value=${d.action} onChange=${set('action')}>
            <option value="">${t('audit.any')}</option>
            ${ACTIONS.map((a) => html`<option key=${a} value=${a}>${actionName(a)}</option>`)}
          </select>
        </label>
        <${DateField} id="audit-from" data-testid="audit-filter-from" label=${t('audit.from')} value=${d.from}
          error=${errors.from} onChange=${(v) => setD((o) => ({ ...o, from: v }))} />
        <${DateField} id="audit-to" data-testid="audit-filter-to" label=${t('audit.to')} value=${d.to}
          error=${errors.to} onChange=${(v) => setD((o) => ({ ...o, to: v }))} />
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="audit-apply">${t('audit.apply')}</button>
        <button type="button" class="button" data-testid="audit-clear" onClick=${clear}>${t('audit.clear')}</button>
      </div>
    </form>`;
}

function AuditList({ filters }) {
  const list = useCursorList(
    (cursor, signal) => get('/audit', { ...filters, limit: PAGE, cursor }, signal),
    [],
  );
  const { items, next, loading, error } = list;
  const counted = !(loading && items.length === 0) && !error;
  const count = items.length === 0 ? t('audit.none') : tn(next ? 'count.entries_more' : 'count.entries', items.length);
  useAnnounce(counted ? count : '');
  return html`
    <section class="panel" aria-labelledby="audit-heading">
      <h2 id="audit-heading">${t('audit.results')}</h2>
      ${counted && html`<p class="count" data-testid="audit-count">${count}</p>`}
      ${items.length > 0 && html`
        <table class="table stack audit" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">${t('audit.at')}</th>
              <th scope="col">${t('audit.user')}</th>
              <th scope="col">${t('audit.client')}</th>
              <th scope="col">${t('audit.action')}</th>
              <th scope="col">${t('audit.unit')}</th>
              <th scope="col">${t('audit.record')}</th>
              <th scope="col"><span class="sr-only">${t('audit.changes')}</span></th>
            </tr>
          </thead>
          ${items.map((row) => html`<${AuditRow} key=${row.id} row=${row} />`)}
        </table>`}
      ${loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${error} onRetry=${items.length ? list.loadMore : list.reload} />
      <${MoreButton} list=${list} label=${t('audit.more')} testid="audit-more" />
    </section>`;
}

// One entry: a <tbody> of its own, so the opened changes row stays with it.
function AuditRow({ row }) {
  const { lang } = useApp();
  const [open, setOpen] = useState(false);
  // detail: a word about the record (the user name for user.create); text
  // goes in the row, anything else with the values.
  const note = typeof row.detail === 'string' ? row.detail : '';
  const extra = row.detail != null && typeof row.detail !== 'string' ? row.detail : null;
  const hasValues = row.before != null || row.after != null || extra != null;
  const detailId = `audit-detail-${row.id}`;
  return html`
    <tbody class="audit-entry" data-testid="audit-row" data-id=${row.id} data-action=${row.action}
        data-user=${row.user || ''}>
      <tr>
        <td data-label=${t('audit.at')}><time datetime=${row.at}>${formatDateTime(row.at, lang)}</time></td>
        <td data-label=${t('audit.user')}><span class="code">${row.user || '—'}</span></td>
        <td data-label=${t('audit.client')}><span class="code">${row.client_addr || '—'}</span></td>
        <td data-label=${t('audit.action')}>
          ${has(`action.${row.action}`) ? actionName(row.action) : html`<span class="code">${row.action}</span>`}
        </td>
        <td data-label=${t('audit.unit')}>
          ${row.unit
            ? html`<a href=${unitHref(row.unit.code)}>${unitName(row.unit, lang)}</a> <span class="code muted">${row.unit.code}</span>`
            : '—'}
        </td>
        <td data-label=${t('audit.record')} data-testid="audit-record">
          ${row.record_type ? html`${recordTypeName(row.record_type)} <span class="code">${row.record_id ?? ''}</span>` : '—'}
          ${note && html`<span class="node-meta audit-note" data-testid="audit-note">${noteText(note)}</span>`}
        </td>
        <td class="actions">
          ${hasValues && html`
            <button type="button" class="button small" data-testid="audit-toggle" aria-expanded=${open ? 'true' : 'false'}
                aria-controls=${detailId} onClick=${() => setOpen(!open)}>
              ${open ? t('audit.hide') : t('audit.show')}</button>`}
        </td>
      </tr>
      ${open && html`
        <tr class="audit-detail-row">
          <td colspan="7" id=${detailId} data-testid="audit-detail">
            ${extra != null && html`<pre class="audit-extra">${show(extra)}</pre>`}
            ${(row.before != null || row.after != null) && html`<${Diff} before=${row.before} after=${row.after} />`}
          </td>
        </tr>`}
    </tbody>`;
}

// fieldLabel: a field of a record in her words (the audit's own names,
// then the member form's, the unit's, the account's), or null when none
// has one (the code stands then).
export function fieldLabel(k) {
  for (const key of [`audit.field.${k}`, `member.${k}`, `unit.${k}`, `users.${k}`]) if (has(key)) return t(key);
  return null;
}

const UNIT_IDS = ['unit_id', 'to_unit_id', 'parent_id', 'from_unit', 'to_unit'];

// ValueView: a value of field k: a unit's internal id as a link to its
// page, a reason or a role in words, anything else as text (show).
function ValueView({ k, v }) {
  if (UNIT_IDS.includes(k) && Number.isInteger(v)) {
    return html`<a href=${unitHref(`id:${v}`)}>${t('audit.unit_id', { id: v })}</a>`;
  }
  if (k === 'reason' && typeof v === 'string' && has(`member.end.${v}`)) return t(`member.end.${v}`);
  if (k === 'roles' && typeof v === 'string' && v.split(' ').every((r) => has(`role.${r}`))) {
    return v.split(' ').map((r) => t(`role.${r}`)).join(', ');
  }
  if (typeof v === 'boolean') return v ? t('audit.yes') : t('audit.no');
  return html`<pre>${show(v)}</pre>`;
}

// noteText: the row's word about the record; a list of field names (what
// a read of sensitive data read) in her words.
function noteText(note) {
  const parts = note.split(', ');
  const labels = parts.map(fieldLabel);
  return labels.every(Boolean) ? labels.join(', ') : note;
}

// show: a value as text. Strings as they are; everything else as JSON.
export function show(v) {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 2);
}

// diffRows: one row per field of before and/or after (before's order first),
// with how it changed: 'same', 'changed', 'added' or 'removed'.
export function diffRows(before, after) {
  const b = before && typeof before === 'object' && !Array.isArray(before) ? before : (before == null ? {} : { '': before });
  const a = after && typeof after === 'object' && !Array.isArray(after) ? after : (after == null ? {} : { '': after });
  const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))];
  return keys.map((k) => {
    const inB = k in b;
    const inA = k in a;
    let kind = 'same';
    if (inB && !inA) kind = 'removed';
    else if (!inB && inA) kind = 'added';
    else if (JSON.stringify(b[k]) !== JSON.stringify(a[k])) kind = 'changed';
    return { field: k, before: inB ? b[k] : undefined, after: inA ? a[k] : undefined, kind };
  });
}

function Diff({ before, after }) {
  const rows = diffRows(before, after);
  const [all, setAll] = useState(false);
  const changed = rows.filter((r) => r.kind !== 'same');
  const shown = all || changed.length === 0 ? rows : changed;
  return html`
    <div class="diff" data-testid="audit-diff">
      <table class="table diff-table">
        <thead>
          <tr>
            <th scope="col">${t('audit.field')}</th>
            <th scope="col">${t('audit.before')}</th>
            <th scope="col">${t('audit.after')}</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map((r) => html`
            <tr key=${r.field} class=${`diff-${r.kind}`} data-testid="diff-row" data-field=${r.field} data-kind=${r.kind}>
              <th scope="row">${(r.field && fieldLabel(r.field)) || html`<span class="code">${r.field || t('audit.value')}</span>`}
                ${r.kind !== 'same' && html`<span class="diff-kind">${t(`audit.kind_${r.kind}`)}</span>`}</th>
              <td data-label=${t('audit.before')}>${r.before === undefined ? '—' : html`<${ValueView} k=${r.field} v=${r.before} />`}</td>
              <td data-label=${t('audit.after')}>${r.after === undefined ? '—' : html`<${ValueView} k=${r.field} v=${r.after} />`}</td>
            </tr>`)}
        </tbody>
      </table>
      ${changed.length > 0 && changed.length < rows.length && html`
        <button type="button" class="button small" onClick=${() => setAll(!all)}>
          ${all ? t('audit.only_changed') : t('audit.all_fields', { n: rows.length })}</button>`}
    </div>`;
}
