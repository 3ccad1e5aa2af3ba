// The report forms page (#/forms?form=CODE&unit=CODE&period=P, for holders
// of record.read; docs/reports.md): a unit's periodic report, one
// indicator after the other, as the union's forms list them. Where her
// unit enters an indicator she types its figure (and a note); beside it
// stands what the member records say and the difference. What her unit
// does not enter (a share, a figure added up from below) is shown as
// computed. She saves (warned of a figure far from last period's), then
// submits, explaining any difference from the records beyond the
// indicator's tolerance. An officer of a unit above (report.approve)
// approves a submitted report, which freezes and locks it, or returns it
// with a reason; an approved one she may unlock, with a reason.
// Her own unit and the running period of the form's kind at first;
// everything chosen is in the URL, so Back and a link keep it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, formatNumber, formatPercent } from '../lib/i18n.js';
import { get, put, post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { announce, useAnnounce } from '../lib/announce.js';
import { navigate } from '../lib/router.js';
import { can } from '../lib/roles.js';
import { today, formatDate } from '../lib/dates.js';
import { currentPeriod, plainNumber } from '../lib/periods.js';
import { unitName } from '../lib/units.js';
import { Loading, ErrorBox, ReadCopyNote } from '../components/status.js';
import {
  Field, SelectField, TextArea, FormError, ConfirmButton, errorText, formErrors, refuse,
} from '../components/form.js';

const PATH = '/forms';

const name = (x, lang) => (lang === 'en' ? x.name_en : x.name_vi);

export function FormsPage({ query }) {
  const { user, lang } = useApp();
  const forms = useAsync((s) => get('/forms', {}, s), []);
  const inds = useAsync((s) => get('/indicators', {}, s), []);
  usePageTitle(t('forms.title'));
  const list = (forms.data && forms.data.items) || [];
  const own = (user.unit && user.unit.code) || '';
  const chosen = list.find((f) => f.code === query.form) || list.find((f) => f.level === (user.unit && user.unit.level)) || list[0];
  const choice = chosen && {
    form: chosen.code,
    unit: (query.unit || own).trim(),
    period: (query.period || currentPeriod(chosen.period_type, today())).trim(),
  };
  const byCode = Object.fromEntries(((inds.data && inds.data.items) || []).map((i) => [i.code, i]));
  return html`
    <h1>${t('forms.title')}</h1>
    <p class="muted">${t('forms.intro')}</p>
    ${can(user, 'report.approve') && forms.data && html`<${Inbox} forms=${list} lang=${lang} />`}
    ${(forms.loading || inds.loading) && html`<${Loading} />`}
    <${ErrorBox} error=${forms.error || inds.error} onRetry=${() => { forms.reload(); inds.reload(); }} />
    ${choice && inds.data && html`
      <${Choose} forms=${list} choice=${choice} lang=${lang}
        onChoose=${(c) => navigate(PATH, { form: c.form, unit: c.unit || undefined, period: c.period || undefined })} />
      <${FormView} key=${`${choice.form} ${choice.unit} ${choice.period}`} choice=${choice} byCode=${byCode} />`}`;
}

// Inbox: for an officer who approves, the reports of the units below her
// awaiting her decision, the longest waiting first; each opens its form.
function Inbox({ forms, lang }) {
  const r = useAsync((s) => get('/forms/inbox', {}, s), []);
  if (r.loading || r.error || !r.data) return r.error ? html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />` : null;
  const items = r.data.items;
  const formName = (code) => name(forms.find((f) => f.code === code) || { name_vi: code, name_en: code }, lang);
  return html`
    <section class="panel" aria-labelledby="inbox-heading" data-testid="forms-inbox">
      <h2 id="inbox-heading">${t('forms.inbox', { n: formatNumber(items.length) })}</h2>
      ${items.length === 0 && html`<p class="muted" data-testid="inbox-empty">${t('forms.inbox_empty')}</p>`}
      <ul class="plain cards" role="list">
        ${items.map((x) => html`<li key=${`${x.form} ${x.unit.code} ${x.period}`} data-testid="inbox-item" data-code=${x.unit.code}>
          <a href="#" onClick=${(e) => { e.preventDefault(); navigate(PATH, { form: x.form, unit: x.unit.code, period: x.period }); }}>
            ${unitName(x.unit, lang)}</a>
          <span class="code muted"> ${x.unit.code}</span>
          <p class="muted">${formName(x.form)} · ${x.period} · ${t('forms.submitted_by')}: ${x.submitted_by}</p>
        </li>`)}
      </ul>
      ${r.data.more && html`<p class="muted">${t('forms.inbox_more')}</p>`}
    </section>`;
}

// Choose: which form, unit and period; applied on "Mở".
function Choose({ forms, choice, lang, onChoose }) {
  const [c, setC] = useState(choice);
  const shown = JSON.stringify(choice);
  useEffect(() => setC(choice), [shown]);
  const set = (k) => (v) => setC((o) => {
    if (k !== 'form') return { ...o, [k]: v };
    const f = forms.find((x) => x.code === v);
    return { ...o, form: v, period: f ? currentPeriod(f.period_type, today()) : o.period };
  });
  const submit = (e) => { e.preventDefault(); onChoose({ ...c, unit: c.unit.trim(), period: c.period.trim() }); };
  return html`
    <form class="panel form filters" role="search" aria-label=${t('forms.choose')} onSubmit=${submit}
        data-testid="forms-choose" novalidate>
      <div class="filter-grid">
        <${SelectField} id="forms-form" label=${t('forms.form')} value=${c.form} onChange=${set('form')}
          options=${forms.map((f) => [f.code, name(f, lang)])} />
        <${Field} id="forms-unit" label=${t('forms.unit')} hint=${t('forms.unit_hint')} value=${c.unit}
          onInput=${set('unit')} autocomplete="off" spellcheck="false" />
        <${Field} id="forms-period" label=${t('forms.period')} hint=${t('forms.period_hint')} value=${c.period}
          onInput=${set('period')} autocomplete="off" spellcheck="false" />
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="forms-open">${t('forms.open')}</button>
      </div>
    </form>`;
}

const path = (c, step = '') => `/forms/${encodeURIComponent(c.form)}/${encodeURIComponent(c.unit)}/${encodeURIComponent(c.period)}${step}`;

// A figure as the form shows it, "—" for none.
const figure = (v) => (v === null || v === undefined ? '—' : formatNumber(v));

function FormView({ choice, byCode }) {
  const { lang, user } = useApp();
  const f = useAsync((s) => get(path(choice), {}, s), []);
  const [dirty, setDirty] = useState(false);
  const r = f.data;
  // said once, when it opens: after a save or a step, what was done is said instead
  const opened = useRef('');
  if (r && !opened.current) opened.current = t('forms.loaded', { unit: unitName(r.unit, lang), period: r.period, status: t(`forms.status.${r.status}`) });
  useAnnounce(opened.current);
  if (f.loading) return html`<${Loading} />`;
  // a unit above the form's level: the overview of its units of that level
  const above = f.error && f.error.status === 422 && f.error.details.some((d) => d.code === 'wrong_level');
  if (above) return html`<${Overview} choice=${choice} byCode=${byCode} />`;
  if (f.error) return html`<${ErrorBox} error=${f.error} onRetry=${f.reload} />`;
  const editable = can(user, 'record.write') && ['none', 'draft', 'returned'].includes(r.status);
  const decider = can(user, 'report.approve') && user.unit && user.unit.code !== r.unit.code;
  return html`
    <section class="panel" aria-labelledby="form-heading" data-testid="report-form-view" data-status=${r.status}>
      <h2 id="form-heading">${t('forms.of', { unit: unitName(r.unit, lang), period: r.period })}</h2>
      <dl class="mini">
        <div><dt>${t('forms.days')}</dt><dd>${formatDate(r.from, lang)} – ${formatDate(r.to, lang)}</dd></div>
        <div><dt>${t('forms.due')}</dt><dd>${formatDate(r.due, lang)}</dd></div>
        <div><dt>${t('forms.state')}</dt><dd><span class=${`badge state-${r.status}`} data-testid="form-status">
          ${t(`forms.status.${r.status}`)}</span></dd></div>
        ${r.submitted_by && html`<div><dt>${t('forms.submitted_by')}</dt><dd>${r.submitted_by}</dd></div>`}
        ${r.explanation && html`<div data-testid="form-explanation"><dt>${t('forms.explanation')}</dt><dd>${r.explanation}</dd></div>`}
        ${r.decided_by && html`<div><dt>${t('forms.decided_by')}</dt><dd>${r.decided_by}</dd></div>`}
        ${r.reason && html`<div data-testid="form-reason"><dt>${t('forms.reason')}</dt><dd>${r.reason}</dd></div>`}
      </dl>
    </section>
    <p class="form-actions"><a class="button" data-testid="form-xlsx" download
      href=${`/api/v1${path(choice, '/xlsx')}?lang=${lang === 'en' ? 'en' : 'vi'}`}>${t('forms.xlsx')}</a>
      <a class="button" data-testid="form-print-link"
        href=${`#/forms/print?form=${encodeURIComponent(choice.form)}&unit=${encodeURIComponent(choice.unit)}&period=${encodeURIComponent(choice.period)}`}>${t('forms.print')}</a></p>
    <${Entry} r=${r} byCode=${byCode} editable=${editable} choice=${choice} onSaved=${f.setData} onDirty=${setDirty} />
    ${editable && html`<${Submit} r=${r} choice=${choice} onDone=${f.setData} dirty=${dirty} />`}
    ${decider && r.status === 'submitted' && html`<${Decide} r=${r} choice=${choice} onDone=${f.setData} />`}
    ${decider && r.status === 'approved' && html`<${Unlock} r=${r} choice=${choice} onDone=${f.setData} />`}`;
}

// Overview: the units of the form's level below the one chosen: who has
// submitted, who was returned, who is late, and how far each one's figures
// stand from its records (furthest first on request); each opens its form.
function Overview({ choice, byCode }) {
  const { lang } = useApp();
  const [sort, setSort] = useState('code');
  const o = useAsync((sig) => get(`/forms/${encodeURIComponent(choice.form)}/overview`,
    { unit: choice.unit || undefined, period: choice.period, sort }, sig), [sort]);
  if (o.loading && !o.data) return html`<${Loading} />`;
  if (o.error) return html`<${ErrorBox} error=${o.error} onRetry=${o.reload} />`;
  const r = o.data;
  const c = r.counts;
  const open = (code) => navigate(PATH, { form: choice.form, unit: code, period: choice.period });
  return html`
    <section class="panel" aria-labelledby="overview-heading" data-testid="forms-overview">
      <h2 id="overview-heading">${t('forms.overview_of', { unit: unitName(r.unit, lang), period: r.period })}</h2>
      <p data-testid="overview-counts">${t('forms.overview_counts', {
        submitted: formatNumber(c.submitted), approved: formatNumber(c.approved), returned: formatNumber(c.returned),
        open: formatNumber(c.none + c.draft), late: formatNumber(c.late), due: formatDate(r.due, lang),
      })}</p>
      <${ReadCopyNote} data=${r} />
      <div class="switch" role="group" aria-label=${t('forms.sort')}>
        ${['code', 'distance'].map((k) => html`<button key=${k} type="button" class=${sort === k ? 'button primary small' : 'button small'}
          aria-pressed=${sort === k ? 'true' : 'false'} data-testid=${`overview-sort-${k}`} onClick=${() => setSort(k)}>
          ${t(`forms.sort.${k}`)}</button>`)}
      </div>
      <ul class="plain cards" role="list" data-testid="overview-list">
        ${r.items.map((x) => html`<li key=${x.unit.code} data-testid="overview-unit" data-code=${x.unit.code} data-status=${x.status}>
          <div class="card-head">
            <a href="#" onClick=${(e) => { e.preventDefault(); open(x.unit.code); }}>${unitName(x.unit, lang)}</a>
            <span class="code muted">${x.unit.code}</span>
            <span class=${`badge state-${x.status}`}>${t(`forms.status.${x.status}`)}</span>
            ${x.late && html`<span class="badge state-returned" data-testid="overview-late">${t('forms.late')}</span>`}
          </div>
          ${x.distance !== null && html`<p class="muted" data-testid="overview-distance">${t('forms.distance', {
            share: formatPercent(x.distance),
            name: name(byCode[x.worst] || { name_vi: x.worst, name_en: x.worst }, lang),
          })}</p>`}
        </li>`)}
      </ul>
    </section>`;
}

// Entry: every indicator of the form; a number (and a note) where her
// unit enters it and may change it.
function Entry({ r, byCode, editable, choice, onSaved, onDirty }) {
  const { lang } = useApp();
  const start = (x = r) => Object.fromEntries(x.indicators.map((c) => [c, {
    value: x.values[c].value === null ? '' : String(x.values[c].value), comment: x.values[c].comment || '',
  }]));
  const [v, setV] = useState(start);
  // figures typed and not saved: said to the page, which keeps Submit away
  const saved = JSON.stringify(start());
  useEffect(() => { onDirty(JSON.stringify(v) !== saved); }, [JSON.stringify(v), saved]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [warnings, setWarnings] = useState([]);
  // the notes asked for (a note field for each figure made the form too long on a phone)
  const [notes, setNotes] = useState({});
  const form = useRef(null);
  const set = (c, k) => (x) => setV((o) => ({ ...o, [c]: { ...o[c], [k]: x } }));
  const fields = r.indicators.map((c) => `values.${c}`);
  const errs = error ? formErrors(error, fields.concat(r.indicators.map((c) => `comments.${c}`))) : { fields: {}, form: [] };
  const save = async (e) => {
    e.preventDefault();
    const values = {};
    const comments = {};
    for (const c of r.indicators) {
      if (!r.values[c].enterable) continue;
      // "1 204", "1.204", "12,5": typed as people write them (in Vietnamese
      // "." groups thousands and "," marks decimals); what is not a number
      // goes as it is typed, for the server to say so beside the field
      const text = plainNumber(v[c].value, lang);
      const now = text === '' ? null : Number(text);
      const noteChanged = v[c].comment !== (r.values[c].comment || '');
      if (now !== r.values[c].value || noteChanged) {
        values[c] = text === '' || Number.isFinite(now) ? now : text;
        // a note changed, emptied too, goes with its figure (none without one)
        if (noteChanged && values[c] !== null) comments[c] = v[c].comment;
      }
    }
    if (!Object.keys(values).length) { announce(t('forms.nothing_changed')); return; }
    setBusy(true);
    setError(null);
    try {
      const next = await put(path(choice), { values, comments });
      setWarnings(next.warnings || []);
      announce(t('forms.saved'));
      // the saved figures, but for those she typed again while the save was
      // on its way: those stay as typed (and unsaved)
      const fresh = start(next);
      setV((o) => Object.fromEntries(Object.entries(fresh).map(([c, x]) => [c,
        o[c] && (o[c].value !== v[c].value || o[c].comment !== v[c].comment) ? o[c] : x])));
      onSaved(next);
    } catch (x) {
      setError(x);
      refuse(form);
    }
    setBusy(false);
  };
  return html`
    <form class="panel form" onSubmit=${save} ref=${form} novalidate data-testid="form-entry" aria-labelledby="entry-heading">
      <h2 id="entry-heading">${t('forms.figures')}</h2>
      <ol class="plain indicator-list">
        ${r.indicators.map((c) => {
          const x = r.values[c];
          const ind = byCode[c] || { name_vi: c, name_en: c, measure_vi: '', measure_en: '' };
          const id = `ind-${c}`;
          // the name and its measure, each its own text (a name may hold brackets)
          const label = html`${name(ind, lang)}<span class="muted"> (${lang === 'en' ? ind.measure_en : ind.measure_vi})</span>`;
          const err = errs.fields[`values.${c}`];
          return html`<li key=${c} class="indicator" data-testid="indicator" data-code=${c}>
            ${editable && x.enterable
              ? html`<${Field} id=${id} label=${label} value=${v[c].value} onInput=${set(c, 'value')} error=${err}
                  inputmode="decimal" autocomplete="off" data-testid=${`value-${c}`} />`
              : html`<div class="form-field"><span class="field-label">${label}</span>
                  <span class="figure" data-testid=${`value-${c}`}>${figure(x.value)}</span>
                  ${!x.enterable && html`<span class="hint">${t('forms.computed')}</span>`}</div>`}
            ${x.below !== null && x.below !== undefined && html`<p class="muted" data-testid=${`below-${c}`}>
              ${t('forms.below', { value: figure(x.below) })}</p>`}
            ${x.computed !== null && x.enterable && html`<p class="muted" data-testid=${`records-${c}`}>
              ${t('forms.records', { value: figure(x.computed) })}${x.difference ? html` · <span
                class=${x.needs_explanation ? 'field-error' : ''} data-testid=${`difference-${c}`}>
                ${t('forms.difference', { value: (x.difference > 0 ? '+' : '') + formatNumber(x.difference) })}</span>` : ''}</p>`}
            ${editable && x.enterable && (notes[c] || v[c].comment || errs.fields[`comments.${c}`]
              ? html`<${Field} id=${`${id}-comment`} label=${t('forms.comment')} value=${v[c].comment}
                  onInput=${set(c, 'comment')} error=${errs.fields[`comments.${c}`]} class="small" />`
              : html`<button type="button" class="button small" data-testid=${`note-${c}`}
                  onClick=${() => { setNotes((o) => ({ ...o, [c]: true })); setTimeout(() => document.getElementById(`${id}-comment`)?.focus(), 0); }}>
                  ${t('forms.add_comment')}</button>`)}
            ${!editable && x.comment && html`<p class="muted">${t('forms.comment')}: ${x.comment}</p>`}
          </li>`;
        })}
      </ol>
      ${warnings.length > 0 && html`<div class="notice" data-testid="form-warnings" role="status">
        ${warnings.map((w) => html`<p key=${w.indicator}>${t('forms.large_change', {
          name: name(byCode[w.indicator] || { name_vi: w.indicator, name_en: w.indicator }, lang),
          value: formatNumber(w.value), previous: formatNumber(w.previous),
        })}</p>`)}</div>`}
      ${error && errs.form.length > 0 && html`<${FormError} messages=${errs.form} />`}
      ${editable && html`<div class="form-actions">
        <button type="submit" class="button primary" data-testid="form-save" disabled=${busy}>${t('forms.save')}</button>
      </div>`}
    </form>`;
}

// useStep: one step of the form's life (submit, approve, return, unlock).
function useStep(choice, onDone, formRef) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const send = async (step, body, said) => {
    setBusy(true);
    setError(null);
    try {
      const next = await post(path(choice, `/${step}`), body);
      announce(said);
      onDone(next);
      return true;
    } catch (e) {
      setError(e);
      setBusy(false);
      if (formRef) refuse(formRef);
      else announce(errorText(e), { assertive: true });
      return false;
    }
  };
  return { busy, error, send };
}

// Submit: to the level above, with an explanation of the differences
// from the records where one is needed.
function Submit({ r, choice, onDone, dirty }) {
  const form = useRef(null);
  const s = useStep(choice, onDone, form);
  const [why, setWhy] = useState(r.explanation || '');
  const needs = r.indicators.some((c) => r.values[c].needs_explanation);
  const errs = s.error ? formErrors(s.error, ['explanation']) : { fields: {}, form: [] };
  const submit = (e) => {
    e.preventDefault();
    s.send('submit', { explanation: why.trim() || undefined }, t('forms.submitted'));
  };
  return html`
    <form class="panel form" onSubmit=${submit} ref=${form} novalidate data-testid="form-submit" aria-labelledby="submit-heading">
      <h2 id="submit-heading">${t('forms.submit_heading')}</h2>
      ${(needs || why) && html`<${TextArea} id="form-explanation-input" label=${t('forms.explanation')}
        hint=${t('forms.explanation_hint')} value=${why} onInput=${setWhy} error=${errs.fields.explanation} />`}
      ${s.error && errs.form.length > 0 && html`<${FormError} messages=${errs.form} />`}
      ${dirty && html`<p class="hint" data-testid="form-submit-unsaved">${t('forms.save_first')}</p>`}
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="form-submit-send" disabled=${s.busy || dirty}>${t('forms.submit')}</button>
      </div>
    </form>`;
}

// Decide: approve (asked again) or return with a reason.
function Decide({ r, choice, onDone }) {
  const { lang } = useApp();
  const form = useRef(null);
  const s = useStep(choice, onDone, form);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const back = (e) => {
    e.preventDefault();
    if (!reason.trim()) { setMissing(true); refuse(form); return; }
    s.send('return', { reason: reason.trim() }, t('forms.returned'));
  };
  const unit = unitName(r.unit, lang);
  return html`
    <section class="panel" aria-labelledby="decide-heading" data-testid="form-decide">
      <h2 id="decide-heading">${t('forms.decide_heading')}</h2>
      <div class="form-actions">
        <${ConfirmButton} label=${t('forms.approve')} danger=${false} testid="form-approve" busy=${s.busy}
          question=${t('forms.approve_question', { unit, period: r.period })}
          onConfirm=${() => s.send('approve', {}, t('forms.approved'))} />
      </div>
      <form class="form narrow" onSubmit=${back} ref=${form} novalidate data-testid="form-return">
        <${TextArea} id="form-return-reason" label=${t('forms.reason')} value=${reason}
          onInput=${(x) => { setReason(x); setMissing(false); }} error=${missing ? t('form.required') : ''} required />
        ${s.error && html`<${FormError} message=${errorText(s.error)} />`}
        <button type="submit" class="button danger" data-testid="form-return-send" disabled=${s.busy}>${t('forms.return')}</button>
      </form>
    </section>`;
}

// Unlock: an approved report back to its unit, with a reason.
function Unlock({ choice, onDone }) {
  const form = useRef(null);
  const s = useStep(choice, onDone, form);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const send = (e) => {
    e.preventDefault();
    if (!reason.trim()) { setMissing(true); refuse(form); return; }
    s.send('unlock', { reason: reason.trim() }, t('forms.unlocked'));
  };
  return html`
    <form class="panel form narrow" onSubmit=${send} ref=${form} novalidate data-testid="form-unlock" aria-labelledby="unlock-heading">
      <h2 id="unlock-heading">${t('forms.unlock_heading')}</h2>
      <${TextArea} id="form-unlock-reason" label=${t('forms.reason')} value=${reason}
        onInput=${(x) => { setReason(x); setMissing(false); }} error=${missing ? t('form.required') : ''} required />
      ${s.error && html`<${FormError} message=${errorText(s.error)} />`}
      <button type="submit" class="button danger" data-testid="form-unlock-send" disabled=${s.busy}>${t('forms.unlock')}</button>
    </form>`;
}
