// The dues rate (mức hội phí) on the members' statistics page: the rate
// that applies to the unit shown for the year of the figures (its own, or
// the nearest set above it: GET /api/v1/units/{code}/dues/{year}), and,
// for holders of record.write, a form setting the unit's own rate for that
// year (PUT). Nothing is asked again before it is set: a wrong sum is set
// right the same way. Refusals stand by the sum in her language; once set,
// the rate shown is the new one and the page says so.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, formatMoney } from '../lib/i18n.js';
import { request, unitPath } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { announce } from '../lib/announce.js';
import { can } from '../lib/roles.js';
import { unitName } from '../lib/units.js';
import { parseAmount, amountError, useDuesRate, rateText } from '../lib/dues.js';
import { Loading, ErrorBox } from '../components/status.js';
import { Field, FormError, useActionForm, withoutEmpty } from '../components/form.js';

// DuesRate: unit is the report's UnitRef, year its as-of year (text).
export function DuesRate({ unit, year }) {
  const { user, lang, asOf } = useApp();
  const rate = useDuesRate(unit.code, year, asOf);
  const [done, setDone] = useState('');
  const set = ({ answer, text }) => {
    rate.setData(answer);
    setDone(text);
    announce(text);
  };
  return html`
    <section class="panel" aria-labelledby="report-dues-heading" data-testid="report-dues-rate">
      <h2 id="report-dues-heading">${t('dues.rate_heading', { year })}</h2>
      ${rate.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${rate.error} onRetry=${rate.reload} />
      ${rate.data && html`<p data-testid="report-dues-rate-text">${rateText(rate.data, lang)}</p>`}
      ${done && html`<p class="success" data-testid="report-dues-rate-notice">${done}</p>`}
      ${can(user, 'record.write') && html`
        <${RateForm} unit=${unit} year=${year} onSend=${() => setDone('')} onDone=${set} />`}
    </section>`;
}

function RateForm({ unit, year, onSend, onDone }) {
  const { lang, asOf } = useApp();
  const name = unitName(unit, lang);
  const f = useActionForm(`dues-rate-${unit.code}-${year}`, { amount: '' }, {
    fields: ['amount'],
    check: (v) => withoutEmpty({ amount: amountError(v.amount, true) }),
    send: async (v) => {
      // (the code as the page names it: on the page's date)
      const answer = await request('PUT', `${unitPath(unit.code)}/dues/${year}`,
        { params: { as_of: asOf }, body: { amount: parseAmount(v.amount) } });
      return { answer, text: t('dues.rate_set', { unit: name, year, amount: formatMoney(answer.amount) }) };
    },
    onDone,
  });
  const submit = (e) => { e.preventDefault(); if (!f.busy) { onSend(); f.run(); } };
  return html`
    <form class="form narrow" data-testid="report-dues-rate-form" aria-labelledby="report-dues-form-heading"
        onSubmit=${submit} novalidate ref=${f.form}>
      <h3 id="report-dues-form-heading">${t('dues.rate_form', { unit: name, year })}</h3>
      <${Field} id="report-dues-amount" label=${t('dues.amount_vnd')} hint=${t('dues.rate_hint')} value=${f.v.amount}
        onInput=${f.set('amount')} error=${f.errors.amount} inputmode="numeric" autocomplete="off" required />
      <${FormError} messages=${f.formError} />
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="report-dues-save" disabled=${f.busy}>
          ${t('dues.rate_save')}</button>
      </div>
    </form>`;
}
