// The import wizard (#/import, "Nhập danh sách", for holders of
// record.write): a member list typed in Excel (XLSX or CSV) put into the
// registry in four steps, each of which puts focus
// on its heading and says what it found through the live region:
//   1. the file: her unit (her own at first) and the file, chosen with our
//      own button (the browser's says "Choose File" in the browser's
//      language), its name and size shown, one over the server's limit
//      refused at once; a mapping she saved (a template) for files of the
//      same shape. Sent as it is (POST /api/v1/imports, the raw file) with
//      a progress bar and a Cancel: a list of 50 MB on a slow link takes
//      minutes.
//   2. the check: the server reads every row without storing anything (a
//      dry run); the page asks every POLL_MS how far it got (the rows read)
//      until it is done. It cannot be stopped; she may leave and come back
//      (the job is in the URL: #/import?job=ID, and in "recent imports").
//   3. the review (pages/import-check.js): the counts, the file's columns
//      and the member field each went to (changed and checked again, saved
//      as a template), and the bad rows with why, in her language.
//   4. the commit: all or nothing, or the good rows only, confirmed; then
//      what was stored (or that nothing was, and why), and the way to the
//      unit's members.
// A file the server could not read (a picture, a list without a header) is
// said in words (lib/imports.js jobErrorText), never as a bare code.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, formatNumber, formatPercent } from '../lib/i18n.js';
import { get, post, upload } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useDebounced, useDraft, usePageTitle } from '../lib/hooks.js';
import { announce } from '../lib/announce.js';
import { focusOn } from '../lib/focus.js';
import { href, navigate } from '../lib/router.js';
import { formatDateTime } from '../lib/dates.js';
import { unitName } from '../lib/units.js';
import {
  MAX_UPLOAD, MAX_UPLOAD_MB, RUNNING, sizeText, checkedText, statusName, jobErrorText, jobFailure, uploadErrorText, isTemplateMissing, useJob,
} from '../lib/imports.js';
import { Field, SelectField, FormError, refuse } from '../components/form.js';
import { UnitLookup } from '../components/unit-lookup.js';
import { Loading, ErrorBox } from '../components/status.js';
import { Review, ErrorRows } from './import-check.js';

const ACCEPT = '.csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function ImportPage({ query }) {
  usePageTitle(t('import.title'));
  const id = query.job && /^\d+$/.test(query.job) ? query.job : null;
  return html`
    <h1>${t('import.title')}</h1>
    ${id ? html`<${JobView} key=${id} id=${id} />` : html`
      <${Steps} step="file" />
      <p class="muted">${t('import.intro')}</p>
      <${UploadForm} />
      <${RecentImports} />`}`;
}

// The wizard's steps, the current one marked.
const STEPS = ['file', 'check', 'review', 'save'];

function stepOf(status) {
  if (status === 'checking') return 'check';
  if (status === 'committing' || status === 'done') return 'save';
  return 'review';
}

function Steps({ step }) {
  return html`
    <ol class="steps" aria-label=${t('import.steps')} data-testid="import-steps">
      ${STEPS.map((s, i) => html`
        <li key=${s} class=${s === step ? 'current' : undefined} aria-current=${s === step ? 'step' : undefined}>
          <span class="step-n" aria-hidden="true">${formatNumber(i + 1)}</span>${t(`import.step.${s}`)}</li>`)}
    </ol>`;
}

// ---- 1. the file ----

// useTemplates: the mappings saved for the unit and the units above it.
function useTemplates(unit) {
  const typed = useDebounced(unit, 300);
  const [items, setItems] = useState([]);
  useEffect(() => {
    setItems([]);
    if (!typed) return undefined;
    const ctl = new AbortController();
    get('/import-templates', { unit: typed }, ctl.signal).then(
      (d) => { if (!ctl.signal.aborted) setItems(d.items || []); },
      () => {}, // (a unit she may not import into: the lookup says so)
    );
    return () => ctl.abort();
  }, [typed]);
  return items;
}

function UploadForm() {
  const { user } = useApp();
  const own = (user.unit && user.unit.code) || '';
  const [v, setV, clearV] = useDraft('import-upload', { unit: own, template: '' });
  // (a File cannot outlive the page: after a session expiry she picks it again)
  const [file, setFile] = useState(null);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [sending, setSending] = useState(null); // {sent, total} while the file goes
  const formRef = useRef(null);
  const inputRef = useRef(null);
  const ctl = useRef(null);
  const templates = useTemplates(v.unit.trim());
  useEffect(() => () => ctl.current && ctl.current.abort(), []);
  useEffect(() => {
    if (v.template && !templates.some((x) => x.name === v.template)) setV((o) => ({ ...o, template: '' }));
  }, [templates]);
  const set = (k) => (value) => {
    setV((o) => ({ ...o, [k]: value }));
    setErrors((e) => ({ ...e, [k]: undefined }));
  };

  // fileProblem: what is wrong with the file before a byte is sent.
  const fileProblem = (f) => {
    if (!f) return t('import.choose');
    if (f.size > MAX_UPLOAD) return t('import.file_too_large', { size: sizeText(f.size), max: formatNumber(MAX_UPLOAD_MB) });
    if (f.size === 0) return t('import.file_empty');
    return undefined;
  };
  const choose = (ev) => {
    const f = (ev.currentTarget.files && ev.currentTarget.files[0]) || null;
    setFile(f);
    setFormError([]);
    const problem = f ? fileProblem(f) : undefined;
    setErrors((e) => ({ ...e, file: problem }));
    if (problem) refuse(formRef);
  };

  const submit = async (ev) => {
    ev.preventDefault();
    if (sending) return;
    const unit = v.unit.trim();
    const local = { unit: unit ? undefined : t('form.required'), file: fileProblem(file) };
    setErrors(local);
    setFormError([]);
    if (local.unit || local.file) { refuse(formRef); return; }
    const c = new AbortController();
    ctl.current = c;
    setSending({ sent: 0, total: file.size });
    announce(t('import.uploading_named', { name: file.name }));
    try {
      const job = await upload('/imports', { unit, file_name: file.name, template: v.template || undefined }, file, {
        signal: c.signal,
        onProgress: (sent, total) => setSending({ sent, total }),
      });
      clearV();
      navigate('/import', { job: job.id });
    } catch (e) {
      if (c.signal.aborted || e.name === 'AbortError') {
        setSending(null);
        announce(t('import.upload_cancelled'));
        return;
      }
      setSending(null);
      const text = uploadErrorText(e, { unit, template: v.template });
      if (isTemplateMissing(e, v.template)) setErrors({ template: text });
      else if (e.code === 'not_found') setErrors({ unit: text });
      else if (e.code === 'too_large') setErrors({ file: text });
      else setFormError([text]);
      refuse(formRef);
    }
  };
  const cancel = () => { if (ctl.current) ctl.current.abort(); };

  const fileError = errors.file;
  const described = ['import-file-hint', 'import-file-name', fileError && 'import-file-error'].filter(Boolean).join(' ');
  return html`
    <section class="panel" aria-labelledby="import-file-heading" data-testid="import-upload">
      <h2 id="import-file-heading">${t('import.file_heading')}</h2>
      <form class="form narrow" data-testid="import-form" onSubmit=${submit} novalidate ref=${formRef}>
        <div>
          <${Field} id="import-unit" label=${t('import.unit')} hint=${t('import.unit_hint')} value=${v.unit}
            onInput=${set('unit')} error=${errors.unit} autocomplete="off" spellcheck="false" required
            disabled=${!!sending} />
          <${UnitLookup} code=${v.unit.trim()} quiet=${!!errors.unit} testid="import-unit-name" />
        </div>
        <div class=${fileError ? 'form-field invalid' : 'form-field'}>
          <label for="import-file" class="field-label">${t('import.file')}</label>
          <span class="hint" id="import-file-hint">${t('import.file_hint', { max: formatNumber(MAX_UPLOAD_MB) })}</span>
          <div class="file-pick">
            <input id="import-file" type="file" class="sr-only" accept=${ACCEPT} ref=${inputRef}
              data-testid="import-file" aria-invalid=${fileError ? 'true' : undefined} aria-describedby=${described}
              disabled=${!!sending} onChange=${choose} />
            <label for="import-file" class="button">${t('import.choose_file')}</label>
            <span id="import-file-name" data-testid="import-file-name" class=${file ? undefined : 'muted'}>
              ${file ? t('import.file_chosen', { name: file.name, size: sizeText(file.size) }) : t('import.no_file')}</span>
          </div>
          ${fileError && html`<span class="field-error" id="import-file-error" data-testid="import-file-error">${fileError}</span>`}
        </div>
        ${templates.length > 0 && html`
          <${SelectField} id="import-template" label=${t('import.template')} hint=${t('import.template_hint')}
            value=${v.template} onChange=${set('template')} error=${errors.template} disabled=${!!sending}
            options=${[['', t('import.template_none')], ...templates.map((x) => [x.name, x.name])]} />`}
        <${FormError} messages=${formError} />
        ${sending ? html`<${UploadProgress} sending=${sending} onCancel=${cancel} />` : html`
          <div class="form-actions">
            <button type="submit" class="button primary" data-testid="import-upload-submit">${t('import.upload')}</button>
          </div>`}
      </form>
    </section>`;
}

// UploadProgress: how much of the file has gone, and a way to stop it
// (which has focus: the button she pressed is gone).
function UploadProgress({ sending, onCancel }) {
  const cancel = useRef(null);
  useEffect(() => { if (cancel.current) cancel.current.focus(); }, []);
  const share = sending.total ? Math.min(1, sending.sent / sending.total) : 0;
  const done = sending.total > 0 && sending.sent >= sending.total;
  return html`
    <div class="progress-box" data-testid="import-upload-progress">
      <label for="import-upload-bar" class="field-label">${done ? t('import.upload_waiting') : t('import.uploading')}</label>
      <progress id="import-upload-bar" max=${sending.total || 1} value=${sending.sent}>${formatPercent(share)}</progress>
      <p class="hint">${t('import.uploaded_of', {
        sent: sizeText(sending.sent), total: sizeText(sending.total), percent: formatPercent(share),
      })}</p>
      <div class="form-actions">
        <button type="button" class="button" data-testid="import-upload-cancel" onClick=${onCancel} ref=${cancel}>
          ${t('import.upload_cancel')}</button>
      </div>
    </div>`;
}

// RecentImports: her latest imports, each a link back to its page.
function RecentImports() {
  const { lang } = useApp();
  const [state, setState] = useState({ loading: true, items: [], error: null });
  useEffect(() => {
    const ctl = new AbortController();
    get('/imports', undefined, ctl.signal).then(
      (d) => { if (!ctl.signal.aborted) setState({ loading: false, items: d.items || [], error: null }); },
      (error) => { if (!ctl.signal.aborted) setState({ loading: false, items: [], error }); },
    );
    return () => ctl.abort();
  }, []);
  return html`
    <section class="panel" aria-labelledby="import-recent-heading" data-testid="import-recent">
      <h2 id="import-recent-heading">${t('import.recent')}</h2>
      ${state.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${state.error} />
      ${!state.loading && !state.error && state.items.length === 0 && html`<p class="muted">${t('import.recent_none')}</p>`}
      ${state.items.length > 0 && html`
        <ul class="plain cards">
          ${state.items.map((j) => html`
            <li key=${j.id} data-testid="import-recent-item" data-id=${j.id} data-status=${j.status}>
              <div class="card-head">
                <a href=${href('/import', { job: j.id })} class="node-name">${j.file_name}</a>
                <span class=${`badge state-${j.status}`}>${statusName(j.status, j.report)}</span>
              </div>
              <p class="node-meta">
                <span>${unitName(j.unit, lang)}</span>
                <span>${formatDateTime(j.created_at, lang)}</span>
                ${j.report && html`<span>${t('import.recent_counts', {
                  rows: formatNumber(j.report.rows), valid: formatNumber(j.report.valid), invalid: formatNumber(j.report.invalid),
                })}</span>`}
              </p>
            </li>`)}
        </ul>`}
    </section>`;
}

// ---- 2.-4. the job ----

// useStepFocus: when the job comes to another step (or first shows), focus
// on the heading of what it shows now, and say it.
function useStepFocus(status, said) {
  const last = useRef(null);
  useEffect(() => {
    if (!status || status === last.current) return;
    last.current = status;
    setTimeout(() => {
      const el = document.querySelector('#main [data-step-heading]');
      // (she may have pressed "Kiểm tra lại" far below: the new step is shown too)
      if (focusOn(el) && el.getBoundingClientRect().top < 0) el.scrollIntoView({ block: 'start' });
      if (said) announce(said, { assertive: status === 'failed' });
    }, 0);
  }, [status]);
}

function JobView({ id }) {
  const { lang } = useApp();
  const { job, error, loading, setJob } = useJob(id);
  const status = job ? job.status : null;
  useStepFocus(status, job ? spoken(job) : '');
  if (!job) {
    return html`
      ${loading && html`<${Loading} />`}
      <${ErrorBox} error=${error}>
        <p><a href=${href('/import')}>${t('import.start_again')}</a></p>
      </${ErrorBox}>`;
  }
  return html`
    <${Steps} step=${stepOf(job.status)} />
    <dl class="mini job-facts" data-testid="import-job" data-status=${job.status}>
      <div><dt>${t('import.file_name')}</dt><dd data-testid="import-job-file">${job.file_name}</dd></div>
      <div><dt>${t('import.file_size')}</dt><dd>${sizeText(job.file_size)}</dd></div>
      <div><dt>${t('import.unit')}</dt><dd>${unitName(job.unit, lang)} <span class="code muted">${job.unit.code}</span></dd></div>
      <div><dt>${t('import.status')}</dt><dd data-testid="import-status">${statusName(job.status, job.report)}</dd></div>
    </dl>
    ${error && html`<${ErrorBox} error=${error} />`}
    ${RUNNING.includes(job.status) && html`<${Working} job=${job} />`}
    ${job.status === 'failed' && html`<${Failed} job=${job} setJob=${setJob} />`}
    ${job.status === 'interrupted' && html`<${Interrupted} job=${job} setJob=${setJob} />`}
    ${job.status === 'checked' && job.report && html`<${Review} key=${job.updated_at} job=${job} setJob=${setJob} />`}
    ${job.status === 'done' && job.report && html`<${Result} job=${job} setJob=${setJob} />`}
    ${job.status === 'expired' && html`
      <section class="panel" aria-labelledby="import-expired-heading" data-testid="import-expired">
        <h2 id="import-expired-heading" data-step-heading>${t('import.expired_title')}</h2>
        <p>${t('import.expired')}</p>
      </section>`}`;
}

// spoken: what the live region says when the job comes to a step.
function spoken(job) {
  const r = job.report;
  switch (job.status) {
    case 'checking': return t('import.checking');
    case 'committing': return t('import.committing');
    // (the heading, which gets focus, says it failed; this says why)
    case 'failed': return jobErrorText(jobFailure(job));
    case 'interrupted': return t('import.interrupted');
    case 'expired': return t('import.expired');
    case 'checked': return r ? checkedText(r) : '';
    case 'done': return r ? doneText(r) : '';
    default: return '';
  }
}

function doneText(r) {
  return r.stored
    ? t('import.stored', { created: formatNumber(r.created), updated: formatNumber(r.updated), unchanged: formatNumber(r.unchanged) })
    : t('import.not_stored_title');
}

// Working: the server reads the file (a check) or stores it (a commit),
// whose last step, every row read, writes the search rows and figures (a
// minute at a million rows: said, so that the count standing still does
// not look stuck).
function Working({ job }) {
  const rows = (job.progress && job.progress.rows) || 0;
  const committing = job.status === 'committing';
  const writing = committing && job.progress && job.progress.phase === 'writing';
  return html`
    <section class="panel" aria-labelledby="import-working-heading" data-testid="import-progress">
      <h2 id="import-working-heading" data-step-heading>${committing ? t('import.committing') : t('import.checking')}</h2>
      <p class="working">
        <span class="spinner" aria-hidden="true"></span>
        <span data-testid="import-rows-read">${writing ? t('import.writing', { n: formatNumber(rows) })
          : rows ? t('import.rows_read', { n: formatNumber(rows) }) : t('import.starting')}</span>
      </p>
      <p class="hint">${committing ? t('import.committing_hint') : t('import.checking_hint')}</p>
    </section>`;
}

// Failed: the server could not read the file, in words; another file, or
// (after a check with her header line or mapping) the server's own reading.
function Failed({ job, setJob }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const hers = job.options && (job.options.mapping || job.options.header_line || job.options.sheet);
  const again = async () => {
    setBusy(true);
    setError(null);
    try {
      setJob(await post(`/imports/${job.id}/check`, {}));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`
    <section class="panel" aria-labelledby="import-failed-heading" data-testid="import-failed">
      <h2 id="import-failed-heading" data-step-heading>${t('import.failed')}</h2>
      <div class="error">
        <p class="error-message" data-testid="import-failed-reason">${jobErrorText(jobFailure(job))}</p>
      </div>
      <p class="hint">${t('import.failed_hint')}</p>
      ${error && html`<${FormError} message=${uploadErrorText(error)} />`}
      <div class="form-actions">
        <a class="button primary" href=${href('/import')} data-testid="import-start-again">${t('import.other_file')}</a>
        ${hers && html`<button type="button" class="button" disabled=${busy} onClick=${again}>${t('import.check_auto')}</button>`}
      </div>
    </section>`;
}

// Interrupted: the server stopped in the middle (the database is as it
// was): check it again.
function Interrupted({ job, setJob }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const again = async () => {
    setBusy(true);
    setError(null);
    try {
      setJob(await post(`/imports/${job.id}/check`, job.options || {}));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`
    <section class="panel" aria-labelledby="import-interrupted-heading" data-testid="import-interrupted">
      <h2 id="import-interrupted-heading" data-step-heading>${t('import.interrupted_title')}</h2>
      <p>${t('import.interrupted')}</p>
      ${error && html`<${FormError} message=${uploadErrorText(error)} />`}
      <div class="form-actions">
        <button type="button" class="button primary" disabled=${busy} onClick=${again}
          data-testid="import-check-again">${t('import.check_again')}</button>
      </div>
    </section>`;
}

// Result: what the commit stored, or that it stored nothing and why (and
// then the good rows may be stored at once, without a new upload).
function Result({ job, setJob }) {
  const r = job.report;
  const members = href('/members', { unit: job.unit.code });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const storeGood = async () => {
    setBusy(true);
    setError(null);
    try {
      setJob(await post(`/imports/${job.id}/commit`, { mode: 'good' }));
    } catch (e) {
      setError(e);
      announce(uploadErrorText(e), { assertive: true });
      setBusy(false);
    }
  };
  return html`
    <section class="panel" aria-labelledby="import-result-heading" data-testid="import-result"
        data-stored=${r.stored ? 'true' : 'false'}>
      <h2 id="import-result-heading" data-step-heading>${r.stored ? t('import.stored_title') : t('import.not_stored_title')}</h2>
      ${r.stored ? html`
        <p class="success" data-testid="import-stored">${doneText(r)}</p>
        ${r.import_id && html`<p class="muted" data-testid="import-id">${t('import.import_id', { id: r.import_id })}</p>`}
        ${r.invalid > 0 && html`<p class="notice">${t('import.skipped', { n: formatNumber(r.invalid) })}</p>`}` : html`
        <p class="warning" data-testid="import-not-stored">${t(r.created + r.updated > 0 ? 'import.not_stored' : 'import.not_stored_nothing_new',
          { invalid: formatNumber(r.invalid) })}</p>`}
      ${error && html`<${FormError} message=${uploadErrorText(error)} />`}
      <div class="form-actions">
        ${!r.stored && r.created + r.updated > 0 && html`<button type="button" class="button primary" disabled=${busy}
          onClick=${storeGood} data-testid="import-store-good">${t('import.store_good_now', { valid: formatNumber(r.valid) })}</button>`}
        <a class=${r.stored ? 'button primary' : 'button'} href=${members} data-testid="import-members-link">${t('import.see_members')}</a>
        <a class="button" href=${href('/import')} data-testid="import-start-again">${t('import.other_file')}</a>
      </div>
    </section>
    ${r.invalid > 0 && html`<${ErrorRows} job=${job} title=${t('import.errors_not_stored')} />`}`;
}
