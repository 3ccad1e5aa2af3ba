// The targets page (#/targets?unit=CODE&term=T, for holders of record.read;
// docs/reports.md, Targets): a unit's dashboard for a congress term. How
// many of its targets are reached ("9 of 10", counted by the server, never
// typed), and each target with its value to date, where the straight path
// from the term's start says it should stand today, and its status; a
// chart of one indicator over the term's six-month periods and across the
// units below. An officer of the unit above (report.approve) hands targets
// down with the room the unit has to lower each; the unit's own officers
// (record.write) set targets of their own and adjust those handed down
// within that room. Her own unit and the running term at first; what is
// chosen is in the URL.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, formatNumber, formatPercent } from '../lib/i18n.js';
import { get, put, readCopyOf } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { announce, useAnnounce } from '../lib/announce.js';
import { navigate } from '../lib/router.js';
import { can } from '../lib/roles.js';
import { today, formatDate } from '../lib/dates.js';
import { currentPeriod, plainNumber } from '../lib/periods.js';
import { unitName } from '../lib/units.js';
import { Loading, ErrorBox, ReadCopyNote } from '../components/status.js';
import { Chart } from '../components/chart.js';
import { Field, SelectField, CheckField, FormError, formErrors, refuse } from '../components/form.js';

const PATH = '/targets';
const name = (x, lang) => (lang === 'en' ? x.name_en : x.name_vi);
const figure = (v) => (v === null || v === undefined ? '—' : formatNumber(v));

export function TargetsPage({ query }) {
  const { user } = useApp();
  const inds = useAsync((s) => get('/indicators', {}, s), []);
  usePageTitle(t('targets.title'));
  const choice = {
    unit: (query.unit || (user.unit && user.unit.code) || '').trim(),
    term: (query.term || currentPeriod('term', today())).trim(),
  };
  const byCode = Object.fromEntries(((inds.data && inds.data.items) || []).map((i) => [i.code, i]));
  return html`
    <h1>${t('targets.title')}</h1>
    <p class="muted">${t('targets.intro')}</p>
    ${inds.loading && html`<${Loading} />`}
    <${ErrorBox} error=${inds.error} onRetry=${inds.reload} />
    <${Choose} choice=${choice} onChoose=${(c) => navigate(PATH, { unit: c.unit || undefined, term: c.term || undefined })} />
    ${inds.data && html`<${Dashboard} key=${`${choice.unit} ${choice.term}`} choice=${choice} byCode=${byCode}
      catalogue=${inds.data.items} />`}`;
}

// Choose: which unit and term; applied on "Mở".
function Choose({ choice, onChoose }) {
  const [c, setC] = useState(choice);
  const shown = JSON.stringify(choice);
  useEffect(() => setC(choice), [shown]);
  const set = (k) => (v) => setC((o) => ({ ...o, [k]: v }));
  const submit = (e) => { e.preventDefault(); onChoose({ unit: c.unit.trim(), term: c.term.trim() }); };
  return html`
    <form class="panel form filters" role="search" aria-label=${t('targets.choose')} onSubmit=${submit}
        data-testid="targets-choose" novalidate>
      <div class="filter-grid">
        <${Field} id="targets-unit" label=${t('targets.unit')} hint=${t('targets.unit_hint')} value=${c.unit}
          onInput=${set('unit')} autocomplete="off" spellcheck="false" />
        <${Field} id="targets-term" label=${t('targets.term')} hint=${t('targets.term_hint')} value=${c.term}
          onInput=${set('term')} autocomplete="off" spellcheck="false" />
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="targets-open">${t('targets.open')}</button>
      </div>
    </form>`;
}

const targetsPath = (c) => `/targets/${encodeURIComponent(c.unit || '-')}/${encodeURIComponent(c.term)}`;

function Dashboard({ choice, byCode, catalogue }) {
  const { lang, user } = useApp();
  const r = useAsync((s) => get(targetsPath(choice), {}, s), []);
  const said = useRef('');
  if (r.data && !said.current) {
    said.current = t('targets.loaded', { unit: unitName(r.data.unit, lang), term: r.data.term, reached: r.data.summary.reached, total: r.data.summary.total });
  }
  useAnnounce(said.current);
  if (r.loading && !r.data) return html`<${Loading} />`;
  if (r.error) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  const d = r.data;
  const own = !!user.unit && user.unit.code === d.unit.code;
  // the level above hands targets down; her own unit sets and adjusts its own
  const setter = own ? can(user, 'record.write') : can(user, 'report.approve');
  return html`
    <${Summary} d=${d} />
    <${TargetList} d=${d} byCode=${byCode} />
    ${d.items.length > 0 && html`<${Charts} d=${d} byCode=${byCode} />`}
    ${setter && html`<${SetTarget} d=${d} own=${own} catalogue=${catalogue} onDone=${r.setData} />`}`;
}

function Summary({ d }) {
  const { lang } = useApp();
  const s = d.summary;
  return html`
    <section class="panel" aria-labelledby="targets-heading" data-testid="targets-summary">
      <h2 id="targets-heading">${t('targets.of', { unit: unitName(d.unit, lang), term: d.term })}</h2>
      <p class="headline" data-testid="targets-reached">${t('targets.summary', { reached: formatNumber(s.reached), total: formatNumber(s.total) })}</p>
      <p data-testid="targets-counts">${t('targets.counts', {
        on_track: formatNumber(s.on_track), behind: formatNumber(s.behind), missed: formatNumber(s.missed), no_data: formatNumber(s.no_data),
      })}</p>
      <p class="muted">${t('targets.elapsed', { share: formatPercent(d.elapsed), from: formatDate(d.from, lang), to: formatDate(d.to, lang) })}</p>
    </section>`;
}

// Where the target came from: handed down (and the room), inherited, or the unit's own.
function origin(x) {
  if (x.inherited_from) return t('targets.inherited', { unit: x.inherited_from });
  if (x.base === null) return t('targets.own');
  return t('targets.handed', { base: formatNumber(x.base), allowance: formatNumber(x.allowance) });
}

function TargetList({ d, byCode }) {
  const { lang } = useApp();
  if (!d.items.length) return html`<p class="panel muted" data-testid="targets-none">${t('targets.none')}</p>`;
  return html`
    <ul class="plain cards" role="list" data-testid="targets-list">
      ${d.items.map((x) => {
        const ind = byCode[x.indicator] || { name_vi: x.indicator, name_en: x.indicator, measure_vi: '', measure_en: '' };
        const bar = x.direction === 'at_least' && x.target > 0 && x.value !== null;
        return html`<li key=${x.indicator} data-testid="target" data-code=${x.indicator} data-status=${x.status}>
          <div class="card-head">
            <strong>${name(ind, lang)}</strong>
            <span class=${`badge target-${x.status}`} data-testid="target-status">${t(`targets.status.${x.status}`)}</span>
          </div>
          <dl class="mini">
            <div><dt>${t('targets.target')}</dt><dd data-testid="target-goal">${t(`targets.${x.direction}`, { value: formatNumber(x.target) })}
              <span class="muted"> ${lang === 'en' ? ind.measure_en : ind.measure_vi}</span></dd></div>
            <div><dt>${t('targets.to_date')}</dt><dd data-testid="target-value">${figure(x.value)}</dd></div>
            ${x.status !== 'reached' && html`<div><dt>${t('targets.expected')}</dt><dd data-testid="target-expected">${figure(x.expected)}</dd></div>`}
          </dl>
          ${bar && html`<progress max=${x.target} value=${Math.min(x.value, x.target)}
            aria-label=${t('targets.progress', { name: name(ind, lang) })}></progress>`}
          <p class="muted small">${origin(x)}</p>
        </li>`;
      })}
    </ul>`;
}

// The six-month periods from the one before the term to today's (its last, once over).
function halvesOf(d) {
  const last = currentPeriod('half', today() < d.to ? today() : d.to);
  const first = currentPeriod('half', d.from);
  const [fy, fh] = [Number(first.slice(0, 4)), Number(first.slice(5))];
  const [ly, lh] = [Number(last.slice(0, 4)), Number(last.slice(5))];
  return { to: last, count: Math.max(1, (ly - fy) * 2 + (lh - fh) + 2) };
}

function Charts({ d, byCode }) {
  const { lang } = useApp();
  const [code, setCode] = useState(d.items[0].indicator);
  // the figures of then on the tree as it stood, or mapped onto today's units
  const [mapped, setMapped] = useState(false);
  const view = mapped ? { mapped: 'true' } : {};
  const h = halvesOf(d);
  const series = useAsync((s) => get(`/indicators/${encodeURIComponent(code)}/series`, { unit: d.unit.code, to: h.to, count: h.count, ...view }, s), [code, mapped]);
  const rows = (x) => x.items.filter((i) => i.value !== null);
  // across the units below: the latest six months with a figure
  const known = series.data ? rows(series.data) : [];
  const period = known.length ? known[known.length - 1].period : '';
  const below = useAsync((s) => (period
    ? get(`/indicators/${encodeURIComponent(code)}/children`, { unit: d.unit.code, period, ...view }, s)
    : Promise.resolve(null)), [code, period, mapped]);
  const ind = byCode[code] || { name_vi: code, name_en: code };
  const across = below.data ? rows(below.data) : [];
  return html`
    <section class="panel" aria-labelledby="targets-charts-heading" data-testid="targets-charts">
      <h2 id="targets-charts-heading">${t('targets.charts')}</h2>
      <${SelectField} id="targets-chart-indicator" label=${t('targets.chart_indicator')} value=${code} onChange=${setCode}
        options=${d.items.map((x) => [x.indicator, name(byCode[x.indicator] || { name_vi: x.indicator, name_en: x.indicator }, lang)])} />
      <${CheckField} id="targets-chart-mapped" label=${t('report.mapped')} hint=${t('report.mapped_hint')} checked=${mapped}
        onChange=${setMapped} data-testid="targets-chart-mapped" />
      <${ErrorBox} error=${series.error || below.error} onRetry=${() => { series.reload(); below.reload(); }} />
      ${(series.data || below.data) && html`<${ReadCopyNote} data=${readCopyOf(series.data) ? series.data : below.data} />`}
      <div class="charts">
        ${series.data && known.length === 0 && html`<p class="muted" data-testid="targets-no-figures">${t('targets.no_figures')}</p>`}
        ${known.length > 0 && html`<${Chart} id="targets-series" type="bar" testid="targets-series"
          title=${t('targets.over_time', { name: name(ind, lang) })} valueLabel=${t('targets.value_label')}
          rows=${known.map((i) => [i.period, i.value])} />`}
        ${across.length > 0 && html`<${Chart} id="targets-below" type="bar" testid="targets-below"
          title=${t('targets.across', { name: name(ind, lang), period: below.data.period })} valueLabel=${t('targets.value_label')}
          rows=${across.map((i) => [unitName(i.unit, lang), i.value])} />`}
      </div>
    </section>`;
}

// SetTarget: one target at a time. From above: the figure, its direction
// and the room; for her own unit: the figure (a target handed down keeps
// its direction and room, which the server checks).
function SetTarget({ d, own, catalogue, onDone }) {
  const { lang } = useApp();
  const form = useRef(null);
  const [v, setV] = useState({ code: d.items[0] ? d.items[0].indicator : catalogue[0].code, value: '', direction: 'at_least', allowance: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (k) => (x) => setV((o) => ({ ...o, [k]: x }));
  const f = (k) => `targets.${v.code}${k ? `.${k}` : ''}`;
  const errs = error ? formErrors(error, [f('value'), f('direction'), f('allowance')], { aliases: { [f()]: f('value') } }) : { fields: {}, form: [] };
  const send = async (spec, said) => {
    setBusy(true);
    setError(null);
    try {
      const next = await put(targetsPath({ unit: d.unit.code, term: d.term }), { targets: { [v.code]: spec } });
      announce(said);
      onDone(next);
      setV((o) => ({ ...o, value: '', allowance: '' }));
    } catch (x) {
      setError(x);
      refuse(form);
    }
    setBusy(false);
  };
  const number = (s) => { const p = plainNumber(s, lang); return p !== '' && Number.isFinite(Number(p)) ? Number(p) : p; };
  const submit = (e) => {
    e.preventDefault();
    const spec = { value: v.value.trim() === '' ? undefined : number(v.value) };
    if (directed) spec.direction = v.direction;
    if (!own && v.allowance.trim() !== '') spec.allowance = number(v.allowance);
    send(spec, t('targets.saved'));
  };
  const held = d.items.find((x) => x.indicator === v.code && !x.inherited_from);
  // a target handed down keeps the direction the level above gave it
  const bound = d.items.find((x) => x.indicator === v.code && x.base !== null);
  const directed = !own || !bound;
  return html`
    <form class="panel form" onSubmit=${submit} ref=${form} novalidate data-testid="targets-set" aria-labelledby="targets-set-heading">
      <h2 id="targets-set-heading">${t(own ? 'targets.set_own' : 'targets.set_down', { unit: unitName(d.unit, lang) })}</h2>
      <${SelectField} id="targets-set-indicator" label=${t('targets.indicator')} value=${v.code} onChange=${set('code')}
        options=${catalogue.map((i) => [i.code, name(i, lang)])} />
      <${Field} id="targets-set-value" label=${t('targets.value_field')} value=${v.value} onInput=${set('value')}
        error=${errs.fields[f('value')]} inputmode="decimal" autocomplete="off" data-testid="targets-set-value" />
      ${directed && html`
        <${SelectField} id="targets-set-direction" label=${t('targets.direction')} value=${v.direction} onChange=${set('direction')}
          error=${errs.fields[f('direction')]} options=${[['at_least', t('targets.direction.at_least')], ['at_most', t('targets.direction.at_most')]]} />`}
      ${!own && html`
        <${Field} id="targets-set-allowance" label=${t('targets.allowance')} hint=${t('targets.allowance_hint')} value=${v.allowance}
          onInput=${set('allowance')} error=${errs.fields[f('allowance')]} inputmode="decimal" autocomplete="off" data-testid="targets-set-allowance" />`}
      ${error && errs.form.length > 0 && html`<${FormError} messages=${errs.form} />`}
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="targets-set-save" disabled=${busy}>${t('targets.save')}</button>
        ${held && (!own || held.base === null) && html`<button type="button" class="button danger" data-testid="targets-set-remove" disabled=${busy}
          onClick=${() => send(null, t('targets.removed'))}>${t('targets.remove')}</button>`}
      </div>
    </form>`;
}
