// The import wizard's review (pages/import.js, steps 3 and 4) of a checked
// job (a dry run's report, see src/api/imports.c):
//   - the counts: rows read, good and bad, what storing would do (new,
//     updated, unchanged), the rows left out (empty, below the table);
//   - the columns of the file: each header with the member field it went
//     to, changed in a <select> (or left out); a badge when its text was
//     typed in a legacy font (TCVN3, VNI) and converted; the line of the
//     header row. "Kiểm tra lại" checks the file again with her choices
//     (POST /check); "Lưu thành mẫu" keeps them for the next file of the
//     same shape (POST /api/v1/import-templates);
//   - the bad rows, 50 at a time (GET /errors), each with its line, its
//     column and header, the value and why, in her language; all of them
//     as a CSV file for Excel, made here;
//   - storing: all or nothing, or the good rows only, each said in plain
//     words, confirmed (POST /commit).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, formatNumber } from '../lib/i18n.js';
import { get, post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useDraft } from '../lib/hooks.js';
import { announce } from '../lib/announce.js';
import { unitName } from '../lib/units.js';
import { downloadText, csvText } from '../lib/download.js';
import {
  FIELDS, fieldName, legacyName, rowReason, columnText, uploadErrorText, checkedText,
} from '../lib/imports.js';
import {
  Field, CheckField, FormError, ConfirmButton, formErrors, refuse,
} from '../components/form.js';
import { Loading, ErrorBox } from '../components/status.js';

const PAGE = 50;
const EXPORT_PAGE = 500;
// The header is looked for among the first lines of the file (core/member_columns MCOL_HEADER_SCAN).
const HEADER_LINE_MAX = 30;

export function Review({ job, setJob }) {
  const r = job.report;
  return html`
    <${Counts} job=${job} />
    <${Mapping} job=${job} setJob=${setJob} />
    ${r.invalid > 0 && html`<${ErrorRows} job=${job} title=${t('import.errors_title')} />`}
    <${Commit} job=${job} setJob=${setJob} />`;
}

// ---- the counts ----

function Counts({ job }) {
  const r = job.report;
  const f = r.file || {};
  const fact = (key, n, testid) => html`
    <div data-testid=${testid}><dt>${t(key)}</dt><dd class="figure">${formatNumber(n)}</dd></div>`;
  return html`
    <section class="panel" aria-labelledby="import-report-heading" data-testid="import-report">
      <h2 id="import-report-heading" data-step-heading>${t('import.report_title')}</h2>
      <p data-testid="import-summary">${checkedText(r)}</p>
      <dl class="facts counts">
        ${fact('import.count.rows', r.rows, 'import-count-rows')}
        ${fact('import.count.valid', r.valid, 'import-count-valid')}
        ${fact('import.count.invalid', r.invalid, 'import-count-invalid')}
        ${fact('import.count.created', r.created, 'import-count-created')}
        ${fact('import.count.updated', r.updated, 'import-count-updated')}
        ${fact('import.count.unchanged', r.unchanged, 'import-count-unchanged')}
        ${fact('import.count.blank', r.blank, 'import-count-blank')}
        ${fact('import.count.after_end', r.after_end, 'import-count-after-end')}
      </dl>
      <p class="hint">${t('import.counts_hint')}</p>
      <p class="hint" data-testid="import-file-facts">${f.format === 'xlsx'
        ? t('import.file_facts_xlsx', { sheet: f.sheet || '', line: formatNumber(f.header_line || 0) })
        : t('import.file_facts_csv', {
          encoding: f.encoding || '', separator: separatorName(f.separator), line: formatNumber(f.header_line || 0),
        })}</p>
    </section>`;
}

function separatorName(sep) {
  const key = { ',': 'comma', ';': 'semicolon', '\t': 'tab' }[sep];
  return key ? t(`import.separator.${key}`) : sep || '';
}

// ---- the columns ----

// mappingOf: {column: field} as the report has it.
function mappingOf(columns) {
  return Object.fromEntries(columns.map((c) => [c.column, c.field || '']));
}

// mappingBody: the mapping as the API takes it: every column, "" for left out.
function mappingBody(columns, map) {
  return columns.map((c) => ({ column: c.column, field: map[c.column] || '' }));
}

// mappingProblems: {col-N: text} for a field chosen for two columns, and
// the form's own problems (no name column, a header line out of range);
// afresh: the columns are to be found again (another line or sheet).
function mappingProblems(columns, v, afresh) {
  const out = {};
  const first = {};
  for (const c of columns) {
    const f = v.map[c.column];
    if (!f) continue;
    if (first[f]) out[`col-${c.column}`] = t('import.field_twice', { n: formatNumber(first[f]) });
    else first[f] = c.column;
  }
  const line = String(v.line).trim();
  if (line && !(/^\d+$/.test(line) && +line >= 1 && +line <= HEADER_LINE_MAX)) {
    out.line = t('import.header_line_range', { max: formatNumber(HEADER_LINE_MAX) });
  }
  if (!first.full_name && !out.line && !afresh) out.form = t('import.no_name_column');
  return out;
}

function Mapping({ job, setJob }) {
  const r = job.report;
  const columns = r.columns || [];
  const found = (r.file && r.file.header_line) || '';
  const xlsx = r.file && r.file.format === 'xlsx';
  const sheet = (r.file && r.file.sheet) || '';
  const [v, setV] = useDraft(`import-${job.id}-map-${job.updated_at}`, {
    map: mappingOf(columns), line: String(found), found, sheet, keep: !!(job.options && job.options.keep_legacy),
  });
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  const legacy = columns.some((c) => c.legacy);
  const lineChanged = String(v.line).trim() !== String(found);
  const sheetChanged = xlsx && v.sheet.trim() !== sheet;
  const afresh = lineChanged || sheetChanged;
  const choose = (column) => (e) => {
    const field = e.currentTarget.value;
    setV((o) => ({ ...o, map: { ...o.map, [column]: field } }));
    setErrors({});
  };

  const check = async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const local = mappingProblems(columns, v, afresh);
    setErrors(local);
    setFormError(local.form ? [local.form] : []);
    if (Object.keys(local).length) { refuse(formRef); return; }
    // Another header line (or sheet): its columns are others, found afresh
    // from that line (the mapping of this one would not fit them).
    const line = String(v.line).trim();
    const body = afresh
      ? { header_line: line ? +line : 0, keep_legacy: v.keep }
      : { mapping: mappingBody(columns, v.map), header_line: found || 0, keep_legacy: v.keep };
    if (xlsx && v.sheet.trim()) body.sheet = v.sheet.trim();
    setBusy(true);
    try {
      setJob(await post(`/imports/${job.id}/check`, body));
    } catch (e) {
      const fe = formErrors(e, ['header_line', 'sheet']);
      setErrors({ line: fe.fields.header_line, sheet: fe.fields.sheet });
      setFormError(fe.form.length ? [uploadErrorText(e)] : []);
      setBusy(false);
      refuse(formRef);
    }
  };

  return html`
    <section class="panel" aria-labelledby="import-mapping-heading" data-testid="import-mapping">
      <h2 id="import-mapping-heading">${t('import.mapping_title')}</h2>
      <p class="hint">${t('import.mapping_hint')}</p>
      <form class="form" onSubmit=${check} novalidate ref=${formRef} data-testid="import-mapping-form">
        <div class="table-box">
          <table class="table stack mapping">
            <thead>
              <tr>
                <th scope="col">${t('import.col_column')}</th>
                <th scope="col">${t('import.col_header')}</th>
                <th scope="col">${t('import.col_field')}</th>
              </tr>
            </thead>
            <tbody>
              ${columns.map((c) => html`<${MappingRow} key=${c.column} c=${c} field=${v.map[c.column] || ''}
                error=${errors[`col-${c.column}`]} onChange=${choose(c.column)} disabled=${afresh} />`)}
            </tbody>
          </table>
        </div>
        <div class="form narrow">
          ${xlsx && html`<${Field} id="import-sheet" label=${t('import.sheet')} value=${v.sheet} hint=${t('import.sheet_hint')}
            autocomplete="off" error=${errors.sheet} onInput=${(x) => { setV((o) => ({ ...o, sheet: x })); setErrors({}); }} />`}
          ${sheetChanged && html`<p class="notice" data-testid="import-sheet-changed">${t('import.sheet_changed')}</p>`}
          <${Field} id="import-header-line" label=${t('import.header_line')} value=${v.line} type="text"
            inputmode="numeric" autocomplete="off" error=${errors.line}
            hint=${t('import.header_line_hint', { line: formatNumber(found || 0), max: formatNumber(HEADER_LINE_MAX) })}
            onInput=${(x) => { setV((o) => ({ ...o, line: x })); setErrors({}); }} />
          ${lineChanged && html`<p class="notice" data-testid="import-line-changed">${t('import.header_line_changed')}</p>`}
          ${legacy && html`<${CheckField} id="import-keep-legacy" label=${t('import.keep_legacy')}
            hint=${t('import.keep_legacy_hint')} checked=${v.keep} onChange=${(x) => setV((o) => ({ ...o, keep: x }))} />`}
        </div>
        <${FormError} messages=${formError} />
        <div class="form-actions">
          <button type="submit" class="button" data-testid="import-check-again" disabled=${busy}>
            ${t('import.check_again')}</button>
        </div>
      </form>
      <${SaveTemplate} job=${job} columns=${columns} v=${v} />
    </section>`;
}

function MappingRow({ c, field, error, onChange, disabled }) {
  const id = `import-map-${c.column}`;
  const options = ['', 'seq', ...FIELDS];
  return html`
    <tr data-testid="import-column" data-column=${c.column} data-field=${field}>
      <td data-label=${t('import.col_column')}>${formatNumber(c.column)}</td>
      <td data-label=${t('import.col_header')}>
        <span data-testid="import-column-header">${c.header || html`<span class="muted">${t('import.no_header_text')}</span>`}</span>
        ${c.legacy && html` <span class="badge legacy" data-testid="import-legacy">${t('import.legacy_badge', { font: legacyName(c.legacy) })}</span>`}
      </td>
      <td data-label=${t('import.col_field')} class=${error ? 'form-field invalid' : 'form-field'}>
        <select id=${id} value=${field} onChange=${onChange} disabled=${disabled} data-testid="import-column-field"
            aria-label=${t('import.map_label', { n: formatNumber(c.column), header: c.header || t('import.no_header_text') })}
            aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `${id}-error` : undefined}>
          ${options.map((f) => html`<option key=${f} value=${f}>${fieldName(f)}</option>`)}
        </select>
        ${error && html`<span class="field-error" id=${`${id}-error`}>${error}</span>`}
      </td>
    </tr>`;
}

// SaveTemplate: her choices kept under a name for the next file of the
// same shape, for her unit and the units below it.
function SaveTemplate({ job, columns, v }) {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [formError, setFormError] = useState([]);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  const save = async (ev) => {
    ev.preventDefault();
    if (busy) return;
    setSaved('');
    setFormError([]);
    if (!name.trim()) { setError(t('form.required')); refuse(formRef); return; }
    setError('');
    setBusy(true);
    try {
      const line = String(v.line).trim();
      const body = { unit: job.unit.code, name: name.trim(), mapping: mappingBody(columns, v.map) };
      if (/^\d+$/.test(line) && +line >= 1) body.header_line = +line;
      const done = await post('/import-templates', body);
      const text = t('import.template_saved', { name: done.name });
      setSaved(text);
      announce(text);
      setName('');
    } catch (e) {
      const fe = formErrors(e, ['name']);
      setError(fe.fields.name || '');
      setFormError(fe.form);
      refuse(formRef);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form class="form narrow template-form" onSubmit=${save} novalidate ref=${formRef} data-testid="import-template-form">
      <h3>${t('import.template_save_title')}</h3>
      <${Field} id="import-template-name" label=${t('import.template_name')} hint=${t('import.template_name_hint')}
        value=${name} onInput=${(x) => { setName(x); setError(''); }} error=${error} autocomplete="off" maxlength="100" />
      <${FormError} messages=${formError} />
      ${saved && html`<p class="success" data-testid="import-template-saved">${saved}</p>`}
      <div class="form-actions">
        <button type="submit" class="button" disabled=${busy} data-testid="import-template-save">${t('import.template_save')}</button>
      </div>
    </form>`;
}

// ---- the bad rows ----

// ErrorRows: the bad rows' problems, PAGE at a time, and all of them as CSV.
export function ErrorRows({ job, title }) {
  const [state, setState] = useState({ items: [], total: 0, unlisted: 0, next: 0, loading: true, error: null });
  const ctl = useRef(null);
  const load = (offset) => {
    if (ctl.current) ctl.current.abort();
    const c = new AbortController();
    ctl.current = c;
    setState((s) => ({ ...s, loading: true, error: null }));
    get(`/imports/${job.id}/errors`, { offset, limit: PAGE }, c.signal).then(
      (d) => {
        if (c.signal.aborted) return;
        setState((s) => ({
          items: offset ? s.items.concat(d.items || []) : d.items || [],
          total: d.total || 0,
          unlisted: d.unlisted || 0,
          next: d.next_offset,
          loading: false,
          error: null,
        }));
      },
      (error) => { if (!c.signal.aborted) setState((s) => ({ ...s, loading: false, error })); },
    );
  };
  useEffect(() => { load(0); return () => ctl.current && ctl.current.abort(); }, [job.id, job.updated_at]);
  const { items, total, unlisted, next, loading, error } = state;
  const more = next !== null && next !== undefined && next > 0;
  return html`
    <section class="panel" aria-labelledby="import-errors-heading" data-testid="import-errors">
      <h2 id="import-errors-heading">${title}</h2>
      ${!loading || items.length ? html`<p class="count" data-testid="import-errors-count">${items.length < total
        ? t('import.errors_shown', { n: formatNumber(items.length), total: formatNumber(total) })
        : t('import.errors_count', { n: formatNumber(total) })}</p>` : null}
      ${unlisted > 0 && html`<p class="notice" role="note" data-testid="import-errors-unlisted">${t('import.errors_unlisted',
        { listed: formatNumber(total), unlisted: formatNumber(unlisted) })}</p>`}
      ${items.length > 0 && html`
        <table class="table stack bad-rows">
          <thead>
            <tr>
              <th scope="col">${t('import.col_line')}</th>
              <th scope="col">${t('import.col_column')}</th>
              <th scope="col">${t('import.col_value')}</th>
              <th scope="col">${t('import.col_reason')}</th>
            </tr>
          </thead>
          <tbody>
            ${items.map((it, i) => html`
              <tr key=${i} data-testid="import-error" data-line=${it.line} data-code=${it.code}>
                <td data-label=${t('import.col_line')}>${formatNumber(it.line)}</td>
                <td data-label=${t('import.col_column')}>${columnText(it)}</td>
                <td data-label=${t('import.col_value')}>${it.value ? html`<span class="value">${it.value}</span>`
                  : html`<span class="muted">${t('import.value_empty')}</span>`}</td>
                <td data-label=${t('import.col_reason')} data-testid="import-error-reason">${rowReason(it)}</td>
              </tr>`)}
          </tbody>
        </table>`}
      ${loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${error} onRetry=${() => load(items.length)} />
      <div class="form-actions">
        ${more && html`<button type="button" class="button" data-testid="import-errors-more"
          aria-disabled=${loading ? 'true' : undefined} onClick=${() => { if (!loading) load(next); }}>
          ${t('import.errors_more')}</button>`}
        <${ErrorsDownload} job=${job} total=${total} />
        <${ErrorsCopy} job=${job} />
      </div>
    </section>`;
}

// ErrorsCopy: her own file again, as XLSX, with a first column saying what
// is wrong with each bad row in her language: she corrects it there and
// imports it again (GET /api/v1/imports/{id}/errors.xlsx).
function ErrorsCopy({ job }) {
  const { lang } = useApp();
  return html`<a class="button" data-testid="import-errors-xlsx" download
    href=${`/api/v1/imports/${encodeURIComponent(job.id)}/errors.xlsx?lang=${lang === 'en' ? 'en' : 'vi'}`}>
    ${t('import.errors_xlsx')}</a>`;
}

// ErrorsDownload: every bad row's problem as a CSV file (for Excel), made
// from GET /errors, EXPORT_PAGE at a time.
function ErrorsDownload({ job, total }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  if (!total) return null;
  const run = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const rows = [[t('import.col_line'), t('import.col_column'), t('import.col_header'), t('import.col_field'),
        t('import.col_value'), t('import.col_reason')]];
      for (let offset = 0; offset !== null && offset !== undefined;) {
        const d = await get(`/imports/${job.id}/errors`, { offset, limit: EXPORT_PAGE });
        for (const it of d.items || []) {
          rows.push([it.line, it.column || '', it.header, it.field ? fieldName(it.field) : '', it.value, rowReason(it)]);
        }
        offset = d.next_offset;
      }
      const stem = job.file_name.replace(/\.[^.]*$/, '') || job.file_name;
      downloadText(csvText(rows), t('import.errors_filename', { name: stem }), 'text/csv;charset=utf-8');
      announce(t('import.errors_downloaded'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <button type="button" class="button" data-testid="import-errors-download" disabled=${busy} onClick=${run}>
      ${t('import.errors_download')}</button>
    ${error && html`<${FormError} message=${uploadErrorText(error)} />`}`;
}

// ---- storing ----

function Commit({ job, setJob }) {
  const { lang } = useApp();
  const r = job.report;
  const [mode, setMode] = useState(r.invalid > 0 ? 'good' : 'all');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const unit = unitName(job.unit, lang);
  const n = (x) => formatNumber(x);
  const nothing = mode === 'good' && r.valid === 0;
  const question = mode === 'all' && r.invalid > 0
    ? t('import.confirm_all_bad', { invalid: n(r.invalid) })
    : t(mode === 'all' ? 'import.confirm_all' : 'import.confirm_good', {
      n: n(r.valid), unit, created: n(r.created), updated: n(r.updated), unchanged: n(r.unchanged), invalid: n(r.invalid),
    });
  const commit = async () => {
    setBusy(true);
    setError(null);
    try {
      setJob(await post(`/imports/${job.id}/commit`, { mode }));
      return true;
    } catch (e) {
      setError(e);
      announce(uploadErrorText(e), { assertive: true });
      setBusy(false);
      return false;
    }
  };
  const choice = (value, label, hint) => html`
    <label class="choice">
      <input type="radio" name="import-mode" value=${value} checked=${mode === value}
        data-testid=${`import-mode-${value}`} aria-describedby=${`import-mode-${value}-hint`}
        onChange=${() => { setMode(value); setError(null); }} />
      <span>
        <span class="choice-label">${label}</span>
        <span class="hint" id=${`import-mode-${value}-hint`}>${hint}</span>
      </span>
    </label>`;
  return html`
    <section class="panel" aria-labelledby="import-commit-heading" data-testid="import-commit">
      <h2 id="import-commit-heading">${t('import.commit_title')}</h2>
      <fieldset class="choices">
        <legend class="field-label">${t('import.mode')}</legend>
        ${choice('good', t('import.mode_good'), r.invalid > 0
          ? t('import.mode_good_hint', { valid: n(r.valid), invalid: n(r.invalid) })
          : t('import.mode_good_hint_clean', { valid: n(r.valid) }))}
        ${choice('all', t('import.mode_all'), r.invalid > 0
          ? t('import.mode_all_hint_bad', { invalid: n(r.invalid) })
          : t('import.mode_all_hint', { valid: n(r.valid) }))}
      </fieldset>
      ${mode === 'all' && r.invalid > 0 && html`<p class="warning" data-testid="import-all-warning">
        ${t('import.mode_all_warning', { invalid: n(r.invalid) })}</p>`}
      ${error && html`<${FormError} message=${uploadErrorText(error)} />`}
      ${nothing ? html`<p class="notice" data-testid="import-nothing">${t('import.nothing_to_store')}</p>` : html`
        <div class="form-actions">
          <${ConfirmButton} label=${t('import.commit')} question=${question} testid="import-commit-button"
            busy=${busy} onConfirm=${commit} danger=${false} />
        </div>`}
    </section>`;
}
