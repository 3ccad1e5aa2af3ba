// A member's dues (hội phí) on her page: her payments, the latest year
// first (the year, the sum, the day and the unit she paid in), and, for
// holders of record.write while she is a member, the form "Ghi nhận hội
// phí" (POST /api/v1/members/{id}/dues): the year (this one at first), the
// sum and the day paid (today at first). The sum may be left out: the hint
// says which rate applies to her unit that year and who set it, or that
// none does and the sum must be written. Refusals stand beside their
// fields in her language (the year paid already, a day she was no member,
// no rate); once recorded the list grows, the form starts afresh for
// another payment and the page says what was recorded.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, formatMoney } from '../lib/i18n.js';
import { post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { announce } from '../lib/announce.js';
import { today, formatDate } from '../lib/dates.js';
import { unitName, unitHref } from '../lib/units.js';
import { yearOf, parseAmount, amountError, isYear, useDuesRate, rateText } from '../lib/dues.js';
import { Field, FormError, useActionForm, withoutEmpty } from '../components/form.js';
import { DateField, dateError } from '../components/date-field.js';

// The refusals without details, each about one field of the form.
const ERRORS_AT = { own: { dues_paid: 'year', not_a_member: 'paid_on' } };

const latestFirst = (dues) => [...dues].sort((a, b) => b.year - a.year);

// MemberDues: the section. onPaid(fallback) reads her record again (the
// record with the new payment added here, if it cannot be read).
export function MemberDues({ m, writer, onPaid }) {
  const [done, setDone] = useState('');
  const dues = m.dues || [];
  const paid = ({ payment, text }) => {
    setDone(text);
    announce(text);
    onPaid({ ...m, dues: latestFirst([payment, ...dues]) });
  };
  return html`
    <section class="panel" aria-labelledby="member-dues-heading">
      <h2 id="member-dues-heading">${t('dues.title')}</h2>
      ${dues.length ? html`<${Payments} dues=${dues} />` : html`<p class="muted" data-testid="member-dues-none">${t('dues.none')}</p>`}
      ${done && html`<p class="success" data-testid="member-dues-notice">${done}</p>`}
      ${writer && html`<${DuesForm} m=${m} onSend=${() => setDone('')} onDone=${paid} />`}
    </section>`;
}

function Payments({ dues }) {
  const { lang, asOfParam } = useApp();
  return html`
    <table class="table stack" data-testid="member-dues">
      <thead>
        <tr>
          <th scope="col">${t('dues.year')}</th>
          <th scope="col">${t('dues.amount')}</th>
          <th scope="col">${t('dues.paid_on')}</th>
          <th scope="col">${t('dues.unit')}</th>
        </tr>
      </thead>
      <tbody>
        ${dues.map((d) => html`
          <tr key=${d.year} data-testid="member-dues-row" data-year=${d.year}>
            <td data-label=${t('dues.year')}>${d.year}</td>
            <td data-label=${t('dues.amount')}>${formatMoney(d.amount)}</td>
            <td data-label=${t('dues.paid_on')}>${formatDate(d.paid_on, lang)}</td>
            <td data-label=${t('dues.unit')}>
              <a href=${unitHref(d.unit.code, asOfParam)}>${unitName(d.unit, lang)}</a>
            </td>
          </tr>`)}
      </tbody>
    </table>`;
}

// amountHint: which rate a sum left empty takes, once known.
function amountHint(rate, year, lang) {
  if (!rate) return t('dues.amount_hint');
  if (rate.amount === null) return t('dues.amount_hint_none', { year });
  return t('dues.amount_hint_rate', { rate: rateText(rate, lang) });
}

function DuesForm({ m, onSend, onDone }) {
  const { lang } = useApp();
  const f = useActionForm(`member-${m.id}-dues`, { year: yearOf(today()), amount: '', paid_on: today() }, {
    fields: ['year', 'amount', 'paid_on'],
    errorsAt: ERRORS_AT,
    check: (v) => withoutEmpty({
      year: isYear(v.year) ? null : t('dues.year_invalid'),
      amount: amountError(v.amount, false),
      paid_on: dateError(v.paid_on),
    }),
    send: async (v) => {
      const amount = parseAmount(v.amount);
      const payment = await post(`/members/${encodeURIComponent(m.id)}/dues`,
        { year: Number(v.year.trim()), paid_on: v.paid_on, ...(amount === '' ? {} : { amount }) });
      const text = t('dues.paid', {
        name: m.full_name, year: payment.year, amount: formatMoney(payment.amount), date: formatDate(payment.paid_on, lang),
      });
      return { payment, text };
    },
    onDone,
  });
  // (her unit now: the form shows only while her last stay is open; the
  // rate is the one of the day she pays, as the API will take it)
  const stay = m.history[m.history.length - 1];
  const rate = useDuesRate(stay.unit.code, f.v.year, f.v.paid_on || today());
  const submit = (e) => { e.preventDefault(); if (!f.busy) { onSend(); f.run(); } };
  return html`
    <form class="form narrow" data-testid="member-dues-form" aria-labelledby="member-dues-form-heading"
        onSubmit=${submit} novalidate ref=${f.form}>
      <h3 id="member-dues-form-heading">${t('dues.record')}</h3>
      <${Field} id="member-dues-year" label=${t('dues.year')} value=${f.v.year} onInput=${f.set('year')}
        error=${f.errors.year} inputmode="numeric" autocomplete="off" maxlength="4" required />
      <${Field} id="member-dues-amount" label=${t('dues.amount_vnd')} value=${f.v.amount} onInput=${f.set('amount')}
        hint=${amountHint(rate.data, f.v.year.trim(), lang)} error=${f.errors.amount} inputmode="numeric" autocomplete="off" />
      <${DateField} id="member-dues-paid-on" label=${t('dues.paid_on')} value=${f.v.paid_on}
        onChange=${f.set('paid_on')} error=${f.errors.paid_on} required />
      <${FormError} messages=${f.formError} />
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="member-dues-save" disabled=${f.busy}>
          ${t('dues.save')}</button>
      </div>
    </form>`;
}
