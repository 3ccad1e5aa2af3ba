// The members' statistics page (#/reports/members?unit=CODE&as_of=DATE, for
// holders of record.read): the figures of a unit's subtree on the as-of
// date (GET /api/v1/reports/members): members, branches and groups,
// honorary members, the share with digital skills; the figure of each unit
// below it (each linked to its own figures), which add up to the total;
// and charts of the members by age, by kind and (for holders of
// sensitive.read) by ethnic group, each with its figures as a table; the
// dues (hội phí) of the as-of date's year, collected and the rate that
// applies (report-dues.js).
// Her own unit at first; another is typed by its code (the unit in the URL,
// so Back and a link keep it).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn, formatNumber, formatPercent, formatMoney } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { useAnnounce } from '../lib/announce.js';
import { href, navigate } from '../lib/router.js';
import { formatDate } from '../lib/dates.js';
import { unitName } from '../lib/units.js';
import { memberKindName } from '../lib/members.js';
import { Loading, ErrorBox } from '../components/status.js';
import { Field } from '../components/form.js';
import { UnitLookup } from '../components/unit-lookup.js';
import { Chart } from '../components/chart.js';
import { DuesRate } from './report-dues.js';

const PATH = '/reports/members';
const AGES = ['under_31', '31_45', '46_60', 'over_60'];
const KINDS = ['member', 'honorary'];
// The largest groups charted; the rest are summed as "others".
const ETHNIC_SHOWN = 8;

export function MemberReportPage({ query }) {
  const { user, asOf, asOfParam } = useApp();
  const unit = (query.unit || (user.unit && user.unit.code) || '').trim();
  const rep = useAsync((s) => get(PATH, { unit, as_of: asOf }, s), [unit, asOf]);
  usePageTitle(t('report.title'));
  const show = (code) => navigate(PATH, { unit: code || undefined, as_of: asOfParam });
  return html`
    <h1>${t('report.title')}</h1>
    <${UnitChooser} unit=${unit} onChoose=${show} />
    ${rep.loading && html`<${Loading} />`}
    <${ErrorBox} error=${rep.error} onRetry=${rep.reload} />
    ${rep.data && html`<${Report} r=${rep.data} />`}`;
}

// UnitChooser: the unit's code, its name as she types, shown on "Xem".
function UnitChooser({ unit, onChoose }) {
  const { asOf } = useApp();
  const [code, setCode] = useState(unit);
  useEffect(() => setCode(unit), [unit]);
  const submit = (e) => { e.preventDefault(); onChoose(code.trim()); };
  return html`
    <form class="panel form filters" role="search" aria-label=${t('report.choose')} onSubmit=${submit}>
      <${Field} id="report-unit" label=${t('report.unit')} hint=${t('report.unit_hint')} value=${code} onInput=${setCode}
        autocomplete="off" spellcheck="false" />
      <${UnitLookup} code=${code.trim()} date=${asOf} quiet testid="report-unit-name" />
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
    <section class="panel" aria-labelledby="report-heading" data-testid="report" data-code=${r.unit.code}>
      <h2 id="report-heading">${t('report.of', { unit: name, date: formatDate(r.as_of, lang) })}</h2>
      <${Figures} r=${r} />
    </section>
    <${DuesRate} key=${`${r.unit.code} ${r.dues.year}`} unit=${r.unit} year=${String(r.dues.year)} />
    <${Children} r=${r} />
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
  const { lang, asOfParam } = useApp();
  if (!r.children.length) return null;
  const num = (n) => html`<td class="number">${formatNumber(n)}</td>`;
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
              <th scope="row"><a href=${href(PATH, { unit: c.unit.code, as_of: asOfParam })}>${unitName(c.unit, lang)}</a></th>
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

// ethnicRows: the largest groups, the rest summed as "others".
function ethnicRows(groups, lang) {
  const sorted = [...groups].filter((g) => g.total > 0).sort((a, b) => b.total - a.total);
  const rows = sorted.slice(0, ETHNIC_SHOWN).map((g) => [
    g.code ? (lang === 'en' ? g.name_en || g.name_vi : g.name_vi || g.name_en) : t('report.ethnicity_unknown'), g.total]);
  const rest = sorted.slice(ETHNIC_SHOWN).reduce((n, g) => n + g.total, 0);
  return rest ? [...rows, [t('report.others'), rest]] : rows;
}

function Charts({ r }) {
  const { lang } = useApp();
  if (!r.total) return null;
  const { age, kind, ethnicity } = r.breakdowns;
  const members = t('report.members');
  return html`
    <section class="panel" aria-labelledby="report-charts-heading">
      <h2 id="report-charts-heading">${t('report.charts')}</h2>
      <div class="charts">
        <${Chart} id="report-age" testid="report-age" type="bar" title=${t('report.by_age')} valueLabel=${members}
          rows=${AGES.map((a) => [t(`report.age.${a}`), age[a]])} />
        <${Chart} id="report-kind" testid="report-kind" type="doughnut" title=${t('report.by_kind')} valueLabel=${members}
          rows=${KINDS.map((k) => [memberKindName(k), kind[k]])} />
        ${ethnicity
          ? html`<${Chart} id="report-ethnicity" testid="report-ethnicity" type="bar" title=${t('report.by_ethnicity')}
              valueLabel=${members} rows=${ethnicRows(ethnicity, lang)} />`
          : html`<p class="muted" data-testid="report-ethnicity-masked">${t('report.ethnicity_masked')}</p>`}
      </div>
    </section>`;
}
