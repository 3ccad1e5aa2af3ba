// The printable report (#/forms/print?form=CODE&unit=CODE&period=P, for
// holders of record.read; docs/reports.md): a unit's form as the union's
// own document on paper, as the Excel download lays it out: the union above
// and the unit on the left, the Republic and its motto on the right, the
// form's title, the period and its status, one row per indicator (figure,
// member records, difference, note), the explanation of the differences,
// and the signature block. The browser's print prints the document alone
// (style.css hides the app around it).
import { html } from '../lib/html.js';
import { t, formatNumber } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { today } from '../lib/dates.js';
import { unitName } from '../lib/units.js';
import { Loading, ErrorBox } from '../components/status.js';

const name = (x, lang) => (lang === 'en' ? x.name_en : x.name_vi);
const figure = (v) => (v === null || v === undefined ? '' : formatNumber(v));
// dd/mm/yyyy, as the union's documents write a day
const dmy = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

export function FormPrintPage({ query }) {
  const { lang } = useApp();
  usePageTitle(t('forms.print_title'));
  const path = `/forms/${encodeURIComponent(query.form || '')}/${encodeURIComponent(query.unit || '')}/${encodeURIComponent(query.period || '')}`;
  const f = useAsync((s) => get(path, {}, s), []);
  const forms = useAsync((s) => get('/forms', {}, s), []);
  const inds = useAsync((s) => get('/indicators', {}, s), []);
  if (f.loading || forms.loading || inds.loading) return html`<h1 class="sr-only">${t('forms.print_title')}</h1><${Loading} />`;
  const error = f.error || forms.error || inds.error;
  if (error) return html`<h1>${t('forms.print_title')}</h1><${ErrorBox} error=${error} onRetry=${() => { f.reload(); forms.reload(); inds.reload(); }} />`;
  const r = f.data;
  const form = forms.data.items.find((x) => x.code === r.form) || { name_vi: r.form, name_en: r.form };
  const byCode = Object.fromEntries(inds.data.items.map((i) => [i.code, i]));
  // (the words and the name each their own text)
  const above = r.unit.parent
    ? html`<span>${t('report.x.union_of')}</span> <span>${unitName(r.unit.parent, lang)}</span>` : t('report.x.union');
  const [y, m, d] = today().split('-');
  return html`
    <p class="no-print form-actions">
      <button type="button" class="button primary" data-testid="form-print-go" onClick=${() => window.print()}>${t('forms.print_go')}</button>
    </p>
    <article class="union-doc" data-testid="form-print" aria-labelledby="doc-title">
      <header class="doc-head">
        <div><p>${above}</p><p class="strong">${unitName(r.unit, lang)}</p></div>
        <div><p class="strong">${t('report.x.republic')}</p><p class="strong motto">${t('report.x.motto')}</p></div>
      </header>
      <h1 id="doc-title" class="doc-title">${name(form, lang)}</h1>
      <p class="doc-line">${t('report.x.period')} ${r.period} (${dmy(r.from)} - ${dmy(r.to)}) · ${t('report.x.status')}: ${t(`forms.status.${r.status}`)}</p>
      <table class="doc-table" data-testid="form-print-table">
        <thead><tr>
          ${['no', 'indicator', 'measure', 'value', 'records', 'difference', 'comment'].map((k) => html`<th key=${k} scope="col">${t(`report.x.${k}`)}</th>`)}
        </tr></thead>
        <tbody>
          ${r.indicators.map((c, i) => {
            const x = r.values[c];
            const ind = byCode[c] || { name_vi: c, name_en: c, measure_vi: '', measure_en: '' };
            return html`<tr key=${c} data-code=${c}>
              <td class="number">${i + 1}</td><th scope="row">${name(ind, lang)}</th>
              <td>${lang === 'en' ? ind.measure_en : ind.measure_vi}</td>
              <td class="number">${figure(x.value)}</td><td class="number">${figure(x.computed)}</td>
              <td class="number">${figure(x.difference)}</td><td>${x.comment || ''}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${r.explanation && html`<section class="doc-explanation"><h2>${t('report.x.explanation')}</h2><p>${r.explanation}</p></section>`}
      <footer class="doc-signatures">
        <div><p class="strong">${t('report.x.preparer')}</p><p class="sign">${t('report.x.sign')}</p></div>
        <div><p class="sign">${t('report.x.place_date', { day: d, month: m, year: y })}</p>
          <p class="strong">${t('report.x.for_committee')}</p><p class="strong">${t('report.x.chair')}</p>
          <p class="sign">${t('report.x.sign')}</p></div>
      </footer>
    </article>`;
}
