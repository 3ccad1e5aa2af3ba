// The members' statistics page (#/reports/members?unit=CODE&as_of=DATE
// &from=DATE&to=DATE&mapped=true, for holders of record.read): the figures
// of a unit's subtree on the as-of date (GET /api/v1/reports/members):
// members, branches and groups, honorary members, the share with digital
// skills; the figure of each unit below it (each linked to its own
// figures), which add up to the total; the changes of a period (members
// before it, joined, transferred in, left by reason, transferred out,
// members at its end, dues collected: report-flows.js); and charts of the
// members by age, kind, education, occupation, family circumstances and
// (for holders of sensitive.read) ethnic group and religion, each with its
// figures as a table; the dues (hội phí) of the as-of date's year, collected
// and the rate that applies (report-dues.js).
// "Count in today's units" (mapped=true) counts the members of the as-of
// date in the units as they are today, through the merges and splits
// since, so that a series runs on across the 2025 reform.
// Her own unit at first; another is typed by its code. Everything chosen is
// in the URL, so Back and a link keep it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn, has, formatNumber, formatPercent, formatMoney } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { useAnnounce } from '../lib/announce.js';
import { href, navigate } from '../lib/router.js';
import { formatDate, isIsoDate, exampleDate } from '../lib/dates.js';
import { unitName } from '../lib/units.js';
import { memberKindName } from '../lib/members.js';
import { Loading, ErrorBox, ReadCopyNote } from '../components/status.js';
import { Field, CheckField, refuse } from '../components/form.js';
import { DateField } from '../components/date-field.js';
import { UnitLookup } from '../components/unit-lookup.js';
import { Chart } from '../components/chart.js';
import { DuesRate } from './report-dues.js';
import { Flows } from './report-flows.js';

const PATH = '/reports/members';
const AGES = ['under_31', '31_45', '46_60', 'over_60'];
const KINDS = ['member', 'honorary'];
// The largest groups charted; the rest are summed as "others".
const SHOWN = 8;

export function MemberReportPage({ query }) {
  const { user, asOf, asOfParam } = useApp();
  const unit = (query.unit || (user.unit && user.unit.code) || '').trim();
  const period = { from: isIsoDate(query.from) ? query.from : '', to: isIsoDate(query.to) ? query.to : '' };
  const mapped = query.mapped === 'true';
  const ask = { unit, as_of: asOf, from: period.from || undefined, to: period.to || undefined, mapped: mapped ? 'true' : undefined };
  const rep = useAsync((s) => get(PATH, ask, s), [unit, asOf, period.from, period.to, mapped]);
  usePageTitle(t('report.title'));
  const show = (c) => navigate(PATH, {
    unit: c.unit || undefined, as_of: asOfParam, from: c.from || undefined, to: c.to || undefined,
    mapped: c.mapped ? 'true' : undefined,
  });
  return html`
    <h1>${t('report.title')}</h1>
    <${ReportForm} choice=${{ unit, ...period, mapped }} onChoose=${show} />
    ${rep.loading && html`<${Loading} />`}
    <${ErrorBox} error=${rep.error} onRetry=${rep.reload} />
    ${rep.data && html`<${ReportFile} ask=${ask} />`}
    ${rep.data && html`<${Report} r=${rep.data} />`}`;
}

// ReportFile: the same figures as the union's report in Excel (title,
// unit, day, signature block), in her language.
function ReportFile({ ask }) {
  const { lang } = useApp();
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...ask, lang: lang === 'en' ? 'en' : 'vi' })) if (v) q.set(k, v);
  return html`<p><a class="button" data-testid="report-xlsx" download
    href=${`/api/v1/reports/members.xlsx?${q}`}>${t('report.xlsx')}</a></p>`;
}

// ReportForm: the unit's code (its name shown as she types), the period
// of the changes (empty: 1 January to the as-of date) and whether to count
// in today's units; applied on "Xem".
function ReportForm({ choice, onChoose }) {
  const { asOf } = useApp();
  const [c, setC] = useState(choice);
  const [errors, setErrors] = useState({});
  const form = useRef(null);
  const shown = JSON.stringify(choice);
  useEffect(() => { setC(choice); setErrors({}); }, [shown]);
  const set = (k) => (v) => setC((o) => ({ ...o, [k]: v }));
  const submit = (e) => {
    e.preventDefault();
    const bad = {};
    for (const k of ['from', 'to']) if (c[k] === null) bad[k] = t('date.invalid', { example: exampleDate() });
    if (!bad.from && !bad.to && c.from && c.to && c.from > c.to) bad.to = t('report.bad_range');
    setErrors(bad);
    if (Object.keys(bad).length) { refuse(form); return; }
    onChoose({ ...c, unit: c.unit.trim() });
  };
  return html`
    <form class="panel form filters" role="search" aria-label=${t('report.choose')} onSubmit=${submit} ref=${form}
        data-testid="report-form" novalidate>
      <div class="filter-grid">
        <div>
          <${Field} id="report-unit" label=${t('report.unit')} hint=${t('report.unit_hint')} value=${c.unit}
            onInput=${set('unit')} autocomplete="off" spellcheck="false" />
          <${UnitLookup} code=${c.unit.trim()} date=${c.mapped ? undefined : asOf} quiet testid="report-unit-name" />
        </div>
        <${DateField} id="report-from" data-testid="report-from" label=${t('report.from')} value=${c.from}
          error=${errors.from} hint=${t('report.from_hint')} onChange=${set('from')} />
        <${DateField} id="report-to" data-testid="report-to" label=${t('report.to')} value=${c.to}
          error=${errors.to} hint=${t('report.to_hint')} onChange=${set('to')} />
      </div>
      <${CheckField} id="report-mapped" data-testid="report-mapped" label=${t('report.mapped')}
        hint=${t('report.mapped_hint')} checked=${c.mapped} onChange=${set('mapped')} />
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="report-show">${t('report.show')}</button>
      </div>
    </form>`;
}

function Report({ r }) {
  const { lang } = useApp();
  const name = unitName(r.unit, lang);
  useAnnounce(t('report.loaded', { unit: name, n: formatNumber(r.total) }));
  return html`
    <section class="panel" aria-labelledby="report-heading" data-testid="report" data-code=${r.unit.code}
        data-mapped=${r.mapped ? 'true' : 'false'}>
      <h2 id="report-heading">${t('report.of', { unit: name, date: formatDate(r.as_of, lang) })}</h2>
      ${r.mapped && html`<p class="muted" data-testid="report-mapped-note">
        ${t('report.mapped_note', { date: formatDate(r.units_as_of, lang) })}</p>`}
      <${ReadCopyNote} data=${r} />
      <${Figures} r=${r} />
    </section>
    <${DuesRate} key=${`${r.unit.code} ${r.dues.year}`} unit=${r.unit} year=${String(r.dues.year)} />
    <${Children} r=${r} />
    ${r.flows && html`<${Flows} flows=${r.flows} />`}
    <${Charts} r=${r} />`;
}

function Figure({ name, value, testid }) {
  return html`<div data-testid=${testid}><dt>${name}</dt><dd class="figure">${value}</dd></div>`;
}

function Figures({ r }) {
  const share = r.total ? formatPercent(r.digital / r.total) : '—';
  return html`
    <dl class="facts figures">
      <${Figure} name=${t('report.total')} value=${formatNumber(r.total)} testid="report-total" />
      <${Figure} name=${t('report.branches')} value=${formatNumber(r.branches)} testid="report-branches" />
      <${Figure} name=${t('report.honorary')} value=${formatNumber(r.honorary)} testid="report-honorary" />
      <${Figure} name=${t('report.digital')} testid="report-digital"
        value=${t('report.digital_value', { share, members: tn('count.members', r.digital) })} />
      <${Figure} name=${t('report.dues', { year: r.dues.year })} testid="report-dues"
        value=${t('report.dues_value', { members: tn('count.members', r.dues.paid), amount: formatMoney(r.dues.amount) })} />
    </dl>`;
}

// Children: the units below, each with its figures, the members in the
// unit itself (when there are any) and the sum, which is the total.
function Children({ r }) {
  const { lang, asOfParam, loc } = useApp();
  if (!r.children.length) return null;
  const num = (n) => html`<td class="number">${formatNumber(n)}</td>`;
  const link = (code) => href(PATH, { ...loc.query, unit: code, as_of: asOfParam });
  return html`
    <section class="panel" aria-labelledby="report-children-heading">
      <h2 id="report-children-heading">${t('report.children')}</h2>
      <table class="table" data-testid="report-children">
        <thead>
          <tr>
            <th scope="col">${t('report.child_unit')}</th>
            <th scope="col" class="number">${t('report.child_total')}</th>
            <th scope="col" class="number">${t('report.child_branches')}</th>
          </tr>
        </thead>
        <tbody>
          ${r.children.map((c) => html`
            <tr key=${c.unit.code} data-testid="report-child" data-code=${c.unit.code}>
              <th scope="row"><a href=${link(c.unit.code)}>${unitName(c.unit, lang)}</a></th>
              ${num(c.total)}${num(c.branches)}
            </tr>`)}
          ${r.direct > 0 && html`
            <tr data-testid="report-direct"><th scope="row">${t('report.direct')}</th>${num(r.direct)}<td></td></tr>`}
        </tbody>
        <tfoot>
          <tr><th scope="row">${t('report.sum')}</th>${num(r.total)}${num(r.branches)}</tr>
        </tfoot>
      </table>
    </section>`;
}

// top: the largest rows [label, n], the rest summed as "others", then
// those with nothing recorded.
function top(rows, rest = 0, none = 0) {
  const sorted = rows.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const others = rest + sorted.slice(SHOWN).reduce((n, [, v]) => n + v, 0);
  const out = sorted.slice(0, SHOWN);
  if (others) out.push([t('report.others'), others]);
  if (none) out.push([t('report.not_given'), none]);
  return out;
}

function ethnicRows(groups, lang) {
  return top(groups.filter((g) => g.code).map((g) => [lang === 'en' ? g.name_en || g.name_vi : g.name_vi || g.name_en, g.total]),
    0, groups.filter((g) => !g.code).reduce((n, g) => n + g.total, 0));
}

// textRows: a free-text breakdown (TextBreakdown): its groups by the words
// most members wrote; circumstances' words in her language when known.
function textRows(b, words = false) {
  const label = (g) => (words && has(`circumstance.${g.key}`) ? t(`circumstance.${g.key}`) : g.label);
  return top(b.groups.map((g) => [label(g), g.total]), b.other, b.none);
}

function Charts({ r }) {
  const { lang } = useApp();
  if (!r.total) return null;
  const { age, kind, ethnicity, religion, education, occupation, circumstances } = r.breakdowns;
  const members = t('report.members');
  const bar = (id, title, rows) => html`
    <${Chart} id=${`report-${id}`} testid=${`report-${id}`} type="bar" title=${title} valueLabel=${members} rows=${rows} />`;
  const masked = (id, words) => html`<p class="muted" data-testid=${`report-${id}-masked`}>${words}</p>`;
  return html`
    <section class="panel" aria-labelledby="report-charts-heading">
      <h2 id="report-charts-heading">${t('report.charts')}</h2>
      <div class="charts">
        ${bar('age', t('report.by_age'), AGES.map((a) => [t(`report.age.${a}`), age[a]]))}
        <${Chart} id="report-kind" testid="report-kind" type="doughnut" title=${t('report.by_kind')} valueLabel=${members}
          rows=${KINDS.map((k) => [memberKindName(k), kind[k]])} />
        ${bar('education', t('report.by_education'), textRows(education))}
        ${bar('occupation', t('report.by_occupation'), textRows(occupation))}
        <div>
          ${bar('circumstances', t('report.by_circumstances'), textRows(circumstances, true))}
          ${r.masked.includes('circumstances') && masked('circumstances', t('report.circumstances_masked'))}
        </div>
        ${ethnicity
          ? bar('ethnicity', t('report.by_ethnicity'), ethnicRows(ethnicity, lang))
          : masked('ethnicity', t('report.ethnicity_masked'))}
        ${religion
          ? bar('religion', t('report.by_religion'), textRows(religion))
          : masked('religion', t('report.religion_masked'))}
      </div>
    </section>`;
}
