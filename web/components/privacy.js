// privacy: the pieces of a person's personal data (Law 91/2025/QH15) that
// are the same whoever she is, given the API path of her record (`base`:
// '/members/12'; a user's account has the same endpoints under
// '/users/{username}'):
//   Consents     her consents by purpose (GET {base}/consents): given on,
//                withdrawn on; a form to record one (purpose, day; POST
//                {base}/consents) and, for each open one, "withdraw" asked
//                again (the withdrawal dated today);
//   ExportButton everything held about her (GET {base}/export), saved as
//                a JSON file.
// Refusals stand beside their fields, in her language.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync } from '../lib/hooks.js';
import { announce, useAnnounce } from '../lib/announce.js';
import { today, formatDate } from '../lib/dates.js';
import { downloadJson } from '../lib/download.js';
import { Loading, ErrorBox } from './status.js';
import { Field, FormError, ConfirmButton, errorText, useActionForm, withoutEmpty } from './form.js';
import { DateField, dateError } from './date-field.js';

// Consents: the list and the form; id prefixes the form's field ids
// ('member-consent' gives #member-consent-purpose) and its test ids.
export function Consents({ base, id }) {
  const list = useAsync((s) => get(`${base}/consents`, undefined, s), [base]);
  const [done, setDone] = useState('');
  // recorded: the API answers her consents afresh; the page says what changed.
  const recorded = ({ items, text }) => {
    list.setData({ items });
    setDone(text);
    announce(text);
  };
  const items = (list.data && list.data.items) || [];
  return html`
    <h3 id=${`${id}s-heading`}>${t('privacy.consents')}</h3>
    <p class="hint">${t('privacy.consents_intro')}</p>
    ${list.loading && html`<${Loading} inline />`}
    <${ErrorBox} error=${list.error} onRetry=${list.reload} />
    ${list.data && !items.length && html`<p class="muted" data-testid=${`${id}s-none`}>${t('privacy.consents_none')}</p>`}
    ${items.length > 0 && html`<${ConsentTable} base=${base} id=${id} items=${items} onDone=${recorded} />`}
    ${done && html`<p class="success" data-testid=${`${id}-notice`}>${done}</p>`}
    <${ConsentForm} base=${base} id=${id} onSend=${() => setDone('')} onDone=${recorded} />`;
}

function ConsentTable({ base, id, items, onDone }) {
  const { lang } = useApp();
  return html`
    <table class="table stack" data-testid=${`${id}s`} aria-labelledby=${`${id}s-heading`}>
      <thead>
        <tr>
          <th scope="col">${t('privacy.purpose')}</th>
          <th scope="col">${t('privacy.given_on')}</th>
          <th scope="col">${t('privacy.withdrawn_on')}</th>
          <th scope="col"><span class="sr-only">${t('privacy.actions')}</span></th>
        </tr>
      </thead>
      <tbody>
        ${items.map((c, i) => html`
          <tr key=${i} data-testid=${`${id}-row`} data-open=${c.withdrawn_on ? 'false' : 'true'}>
            <td data-label=${t('privacy.purpose')}>${c.purpose}</td>
            <td data-label=${t('privacy.given_on')}>${formatDate(c.given_on, lang)}</td>
            <td data-label=${t('privacy.withdrawn_on')}>${c.withdrawn_on ? formatDate(c.withdrawn_on, lang) : '—'}</td>
            <td class="actions">
              ${!c.withdrawn_on && html`<${Withdraw} base=${base} id=${id} purpose=${c.purpose} onDone=${onDone} />`}
            </td>
          </tr>`)}
      </tbody>
    </table>`;
}

// Withdraw: an open consent's withdrawal, today, asked again first.
function Withdraw({ base, id, purpose, onDone }) {
  const { lang } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useAnnounce(error, { assertive: true });
  const date = today();
  const withdraw = async () => {
    setBusy(true);
    setError('');
    try {
      const r = await post(`${base}/consents`, { purpose, date, withdraw: true });
      onDone({ items: r.items, text: t('privacy.withdrawn', { purpose, date: formatDate(date, lang) }) });
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return html`
    <${ConfirmButton} label=${t('privacy.withdraw')} testid=${`${id}-withdraw`} busy=${busy} small
      question=${t('privacy.withdraw_question', { purpose, date: formatDate(date, lang) })} onConfirm=${withdraw} />
    ${error && html`<p class="form-error">${error}</p>`}`;
}

function ConsentForm({ base, id, onSend, onDone }) {
  const { lang } = useApp();
  const f = useActionForm(`${id}-form`, { purpose: '', date: today() }, {
    fields: ['purpose', 'date'],
    check: (v) => withoutEmpty({ purpose: v.purpose.trim() ? null : t('form.required'), date: dateError(v.date) }),
    send: async (v) => {
      const purpose = v.purpose.trim();
      const r = await post(`${base}/consents`, { purpose, date: v.date });
      return { items: r.items, text: t('privacy.given', { purpose, date: formatDate(v.date, lang) }) };
    },
    onDone,
  });
  const submit = (e) => { e.preventDefault(); if (!f.busy) { onSend(); f.run(); } };
  return html`
    <form class="form narrow" data-testid=${`${id}-form`} aria-labelledby=${`${id}-form-heading`}
        onSubmit=${submit} novalidate ref=${f.form}>
      <h4 id=${`${id}-form-heading`}>${t('privacy.give')}</h4>
      <${Field} id=${`${id}-purpose`} label=${t('privacy.purpose')} hint=${t('privacy.purpose_hint')}
        value=${f.v.purpose} onInput=${f.set('purpose')} error=${f.errors.purpose} autocomplete="off" maxlength="200" required />
      <${DateField} id=${`${id}-date`} label=${t('privacy.given_on')} value=${f.v.date}
        onChange=${f.set('date')} error=${f.errors.date} required />
      <${FormError} messages=${f.formError} />
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid=${`${id}-save`} disabled=${f.busy}>
          ${t('privacy.give_save')}</button>
      </div>
    </form>`;
}

// ExportButton: everything held about her, fetched (the API audits it)
// and saved as `filename`.
export function ExportButton({ base, filename, testid }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  useAnnounce(error, { assertive: true });
  useAnnounce(done);
  const save = async () => {
    setBusy(true);
    setError('');
    setDone('');
    try {
      downloadJson(await get(`${base}/export`), filename);
      setDone(t('privacy.exported', { file: filename }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <p>
      <button type="button" class="button" data-testid=${testid} disabled=${busy} onClick=${save}>
        ${t('privacy.export')}</button>
    </p>
    ${done && html`<p class="success" data-testid=${`${testid}-done`}>${done}</p>`}
    ${error && html`<p class="form-error">${error}</p>`}`;
}
