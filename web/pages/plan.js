// The plan page (#/plan, admins): a reorganisation of many units at once,
// as the operations file `unionbase units apply` reads (a province merging
// its communes on one date). She chooses the CSV file; "Xem trước" sends it
// with dry_run (POST /api/v1/units/plan): every line is checked, every
// operation run against her scope and rolled back, and the page lists what
// each line would do, or every bad line with its number and reason in her
// language. "Áp dụng" then applies all of it in one transaction, or nothing.
// After it is applied, every unit an operation touched is one click away,
// on the date it took effect. The file input is ours (a label styled as a
// button): the browser's own says "Choose File" in the browser's language.
import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { usePageTitle } from '../lib/hooks.js';
import { announce } from '../lib/announce.js';
import { focusOn } from '../lib/focus.js';
import { addDays, formatDate } from '../lib/dates.js';
import { errorMessage, detailMessage } from '../lib/errors.js';
import { unitName, unitHref, eventName } from '../lib/units.js';
import { FormError, refuse } from '../components/form.js';

// The JSON body holds the file: the API's body limit is 64 KiB.
const MAX_BYTES = 60 * 1024;
// the columns of an operations file (io/org_ops.h), each explained in the dictionaries
const COLUMNS = ['op', 'date', 'code', 'name_vi', 'name_en', 'level', 'kind', 'attributes', 'parent', 'sources', 'note'];

// planErrors: the sentences for a refused plan: each bad line of a file
// that did not read, or the one operation refused, with its line.
export function planErrors(e) {
  if (e && e.code === 'invalid' && Array.isArray(e.details) && e.details.some((d) => d && d.line)) {
    return [t('plan.bad_lines', { count: e.details.length }),
      ...e.details.map((d) => (d.line
        ? t('plan.at_line_column', { line: d.line, column: d.column || '', message: detailMessage(d) })
        : detailMessage(d)))];
  }
  const text = errorMessage(e);
  const line = e && e.params && e.params.line;
  // a csv_* or column code names its line itself
  const own = e && typeof e.code === 'string' && (e.code.startsWith('csv_') || e.code.endsWith('_column'));
  const details = (e && Array.isArray(e.details) ? e.details : []).map((d) => detailMessage(d));
  const head = line && !own ? t('plan.at_line', { line, message: text }) : text;
  return [head, ...details.filter((d) => d !== text)];
}

export function PlanPage() {
  const { lang } = useApp();
  const [file, setFile] = useState(null); // {name, text}
  const [fileProblem, setFileProblem] = useState(null); // [key, params]
  const fileError = fileProblem ? t(...fileProblem) : '';
  const [error, setError] = useState(null); // the refusal, worded at render: in the language shown
  const [preview, setPreview] = useState(null);
  const [applied, setApplied] = useState(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef(null);
  const formRef = useRef(null);
  const resultRef = useRef(null);
  usePageTitle(t('plan.title'));
  // after a preview or the plan applied: its heading, read out
  const showResult = (text) => setTimeout(() => {
    focusOn(resultRef.current && resultRef.current.querySelector('h2'));
    announce(text);
  }, 0);

  const choose = async (ev) => {
    const f = ev.currentTarget.files && ev.currentTarget.files[0];
    setPreview(null); setApplied(null); setError(null); setFileProblem(null); setFile(null);
    if (!f) return;
    if (f.size > MAX_BYTES) { setFileProblem(['plan.too_large', { max: MAX_BYTES / 1024 }]); refuse(formRef); return; }
    setFile({ name: f.name, text: await f.text() });
  };
  const send = async (dry) => {
    if (busy) return null;
    if (!file) { setFileProblem(['plan.choose']); refuse(formRef); return null; }
    setBusy(true); setError(null);
    try {
      return await post('/units/plan', { csv: file.text, dry_run: dry });
    } catch (e) {
      setError(e);
      setPreview(null);
      refuse(resultRef);
      return null;
    } finally {
      setBusy(false);
    }
  };
  const onPreview = async (ev) => {
    ev.preventDefault();
    setApplied(null);
    const r = await send(true);
    if (r) { setPreview(r); showResult(tn('plan.preview_title', r.count)); }
  };
  const onApply = async () => {
    const r = await send(false);
    if (r) {
      setPreview(null); setApplied(r); setFile(null);
      if (inputRef.current) inputRef.current.value = '';
      showResult(tn('plan.applied', r.count));
    }
  };

  return html`
    <h1>${t('plan.title')}</h1>
    <p class="muted">${t('plan.intro')}</p>
    <details class="panel">
      <summary>${t('plan.columns_title')}</summary>
      <p>${t('plan.columns_intro')}</p>
      <p><code>${t('plan.header')}</code></p>
      <ul>${COLUMNS.map((c) => html`<li key=${c}>${t(`plan.column.${c}`)}</li>`)}</ul>
    </details>
    <form class="form narrow" data-testid="plan-form" onSubmit=${onPreview} novalidate ref=${formRef}>
      <div class=${fileError ? 'form-field invalid' : 'form-field'}>
        <label for="plan-file" class="field-label">${t('plan.file')}</label>
        <span class="hint" id="plan-file-hint">${t('plan.file_hint', { max: MAX_BYTES / 1024 })}</span>
        <div class="file-pick">
          <input id="plan-file" type="file" class="sr-only" accept=".csv,text/csv" ref=${inputRef} data-testid="plan-file"
            aria-invalid=${fileError ? 'true' : undefined}
            aria-describedby=${fileError ? 'plan-file-hint plan-file-name plan-file-error' : 'plan-file-hint plan-file-name'} onChange=${choose} />
          <label for="plan-file" class="button">${t('plan.choose_file')}</label>
          <span id="plan-file-name" class="muted" data-testid="plan-file-name">${file ? file.name : t('plan.no_file')}</span>
        </div>
        ${fileError && html`<span class="field-error" id="plan-file-error" data-testid="plan-file-error">${fileError}</span>`}
      </div>
      <div class="form-actions">
        <button type="submit" class="button" data-testid="plan-preview" disabled=${busy}>${t('reorg.preview')}</button>
      </div>
    </form>
    <div ref=${resultRef} class="plan-result">
      <${FormError} messages=${error ? planErrors(error) : []} />
      ${preview && html`
        <section class="panel preview" data-testid="plan-preview-result" aria-labelledby="plan-preview-heading">
          <h2 id="plan-preview-heading" tabindex="-1">${tn('plan.preview_title', preview.count)}</h2>
          <${Steps} steps=${preview.operations} lang=${lang} linked=${false} />
          <p class="warning">${t('plan.apply_warning')}</p>
          <div class="form-actions">
            <button type="button" class="button primary" data-testid="plan-apply" disabled=${busy} onClick=${onApply}>${t('plan.apply')}</button>
          </div>
        </section>`}
      ${applied && html`
        <section class="panel" data-testid="plan-applied" aria-labelledby="plan-applied-heading">
          <h2 id="plan-applied-heading" tabindex="-1">${tn('plan.applied', applied.count)}</h2>
          <${Steps} steps=${applied.operations} lang=${lang} linked=${true} />
        </section>`}
    </div>`;
}

// Steps: what each operation did, in the order it ran. Applied, each unit
// links to its page on the day it is named for: a source on its last day,
// anything else on the day the change took effect.
function Steps({ steps, lang, linked }) {
  const ref = (u, day) => html`${linked ? html`<a href=${unitHref(u.code, day)}>${unitName(u, lang)}</a>` : unitName(u, lang)} <span class="code">${u.code}</span>`;
  const refs = (list, day) => list.map((u, i) => html`${i > 0 && ', '}${ref(u, day)}`);
  return html`
    <ol class="plain events" role="list" data-testid="plan-steps">
      ${steps.map((s) => {
        const ev = s.event;
        const sources = ev ? (ev.sources || []).filter((u) => !(ev.targets || []).some((x) => x.id === u.id)) : [];
        return html`
          <li key=${`${s.line}-${s.op}`} data-line=${s.line} data-op=${s.op}>
            <span class="event-head"><strong>${eventName(s.op)}</strong> · ${formatDate(s.date, lang)} · ${t('plan.line', { line: s.line })}</span>
            ${sources.length > 0 && html`<span class="event-units">${t('event.sources')}: ${refs(sources, addDays(s.date, -1))}</span>`}
            ${ev && ev.targets && ev.targets.length > 0 && html`<span class="event-units">${t('event.targets')}: ${refs(ev.targets, s.date)}</span>`}
            ${!ev && html`<span class="event-units">${linked ? html`<a href=${unitHref(s.code, s.date)}>${s.code}</a>` : s.code}</span>`}
            ${s.moved.length > 0 && html`<span class="node-meta">${tn('reorg.moved_count', s.moved.length)}</span>`}
            ${ev && ev.note && html`<span class="node-meta">${ev.note}</span>`}
          </li>`;
      })}
    </ol>`;
}
