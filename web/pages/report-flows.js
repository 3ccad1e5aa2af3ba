// The changes of a period on the members' statistics page (the report's
// `flows`): the members on the day before it, those who joined (and of them
// who rejoined), came by transfer, left (by reason) or went by transfer,
// and the members on its last day, which is what the others add up to; and
// the dues collected in it. A move between two of the units counted is
// neither in nor out. One table, so that a screen reader reads each figure
// with its row's words.
import { html } from '../lib/html.js';
import { t, tn, formatNumber, formatMoney } from '../lib/i18n.js';
import { useApp } from '../lib/context.js';
import { addDays, formatDate } from '../lib/dates.js';

const REASONS = ['moved_away', 'married_away', 'left', 'died'];

// Flows: flows is the report's `flows` object.
export function Flows({ flows: f }) {
  const { lang } = useApp();
  const day = (iso) => formatDate(iso, lang);
  const row = (testid, words, n, sub = false) => html`
    <tr data-testid=${`report-flow-${testid}`} class=${sub ? 'sub' : undefined}>
      <th scope="row">${sub ? html`<span class="indent">${words}</span>` : words}</th>
      <td class="number">${formatNumber(n)}</td>
    </tr>`;
  return html`
    <section class="panel" aria-labelledby="report-flows-heading" data-testid="report-flows">
      <h2 id="report-flows-heading">${t('report.flows', { from: day(f.from), to: day(f.to) })}</h2>
      <table class="table">
        <thead>
          <tr><th scope="col">${t('report.flow.what')}</th><th scope="col" class="number">${t('report.members')}</th></tr>
        </thead>
        <tbody>
          ${row('opening', t('report.flow.opening', { date: day(addDays(f.from, -1)) }), f.opening)}
          ${row('joined', t('report.flow.joined'), f.joiners.total)}
          ${f.joiners.rejoined > 0 && row('rejoined', t('report.flow.rejoined'), f.joiners.rejoined, true)}
          ${row('in', t('report.flow.transfers_in'), f.transfers_in)}
          ${row('left', t('report.flow.left'), f.leavers.total)}
          ${REASONS.map((r) => f.leavers[r] > 0 && row(`left-${r}`, t(`member.leave_reason.${r}`), f.leavers[r], true))}
          ${f.leavers.other > 0 && row('left-other', t('report.flow.other'), f.leavers.other, true)}
          ${row('out', t('report.flow.transfers_out'), f.transfers_out)}
        </tbody>
        <tfoot>
          ${row('closing', t('report.flow.closing', { date: day(f.to) }), f.closing)}
        </tfoot>
      </table>
      <p data-testid="report-flow-dues">${t('report.flow.dues', {
        members: tn('count.members', f.dues.paid), amount: formatMoney(f.dues.amount) })}</p>
    </section>`;
}
