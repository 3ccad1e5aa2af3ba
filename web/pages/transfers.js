// The transfers page (#/transfers, for holders of record.read): the
// "giới thiệu sinh hoạt" of members between units (GET /api/v1/transfers):
// "Đến", to units in her scope (box=in), or "Đi", from them (box=out),
// those awaiting an answer first of all (the status filter). Each is a card:
// the member, from which unit to which, the day, the note, where it stands,
// who answered and when, why it was refused. Holders of record.write answer
// the incoming ones awaiting an answer ("Tiếp nhận" on a day, today by
// default; "Từ chối" with a reason) and withdraw the outgoing ones ("Rút
// lại"). After an answer the card shows its new state (it stays in the list
// until the list is asked again), focus goes to its heading and the result
// is said; the navigation's count of incoming ones follows.
import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { get, post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, useDraft, usePageTitle } from '../lib/hooks.js';
import { useAnnounce, announce } from '../lib/announce.js';
import { useViewState } from '../lib/router.js';
import { can } from '../lib/roles.js';
import { today, formatDate } from '../lib/dates.js';
import { unitName } from '../lib/units.js';
import { memberHref } from '../lib/members.js';
import {
  TRANSFER_STATUSES, transferStatusName, usePendingCount, refreshPending, pendingText,
} from '../lib/transfers.js';
import { Loading, ErrorBox } from '../components/status.js';
import {
  SelectField, ConfirmButton, FormError, TextArea, errorText, formErrors, refuse,
} from '../components/form.js';
import { DateField, changeDateError } from '../components/date-field.js';

const BOXES = ['in', 'out'];

// TransferBadge: the navigation link's count of incoming transfers
// awaiting an answer (nothing when there are none); also on the phone's
// menu button (testid "menu-badge"), the link being folded away.
export function TransferBadge({ testid = 'transfers-badge' }) {
  const n = usePendingCount();
  if (!n) return null;
  return html` <span class="nav-badge" data-testid=${testid}>
    <span aria-hidden="true">${pendingText(n)}</span>
    <span class="sr-only">${tn('transfers.badge', n)}</span>
  </span>`;
}

export function TransfersPage() {
  const [box, setBox] = useViewState('box', 'in');
  const [status, setStatus] = useViewState('status', 'pending');
  usePageTitle(t('transfers.title'));
  const options = [...TRANSFER_STATUSES.map((s) => [s, transferStatusName(s)]), ['', t('transfers.all')]];
  return html`
    <h1>${t('transfers.title')}</h1>
    <p class="muted">${t('transfers.intro')}</p>
    <div class="panel form filters">
      <div class="switch" role="group" aria-label=${t('transfers.box')}>
        ${BOXES.map((b) => html`
          <button key=${b} type="button" class=${box === b ? 'button primary' : 'button'} data-testid=${`transfers-box-${b}`}
            aria-pressed=${box === b ? 'true' : 'false'} onClick=${() => setBox(b)}>${t(`transfers.box.${b}`)}</button>`)}
      </div>
      <${SelectField} id="transfers-status" label=${t('transfers.status')} value=${status} onChange=${setStatus}
        options=${options} />
    </div>
    <${TransferList} box=${box} status=${status} />`;
}

function TransferList({ box, status }) {
  const list = useAsync((s) => get('/transfers', { box, status, limit: 500 }, s), [box, status]);
  // each card's latest answer, by id (the list is not asked again after one)
  const [answered, setAnswered] = useState({});
  const items = ((list.data && list.data.items) || []).map((x) => answered[x.id] || x);
  const count = items.length ? tn('count.transfers', items.length) : t('transfers.none');
  useAnnounce(list.data ? count : '');
  const onAnswer = (x) => setAnswered((a) => ({ ...a, [x.id]: x }));
  return html`
    <section class="panel" aria-labelledby="transfers-heading">
      <h2 id="transfers-heading">${t(`transfers.box.${box}.heading`)}</h2>
      ${list.data && html`<p class="count" data-testid="transfers-count">${count}</p>`}
      ${list.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${list.error} onRetry=${list.reload} />
      ${items.length > 0 && html`
        <ul class="plain cards" role="list" data-testid="transfers-list">
          ${items.map((x) => html`<li key=${x.id}><${TransferCard} x=${x} box=${box} onAnswer=${onAnswer} /></li>`)}
        </ul>`}
    </section>`;
}

// memberLink: her page, when this side may read it: the sender's until she
// moved, the receiver's from the day she came (the day the card links to).
function memberLink(x, box) {
  if (box === 'out') return x.status === 'accepted' ? null : memberHref(x.member.id);
  return x.status === 'accepted' ? memberHref(x.member.id, x.decided_on) : null;
}

// Unit: a unit of either side, named, not linked: the other side's lies
// outside her scope.
function Unit({ u }) {
  const { lang } = useApp();
  return html`${unitName(u, lang)} <span class="code muted">${u.code}</span>`;
}

function TransferCard({ x, box, onAnswer }) {
  const { lang, user } = useApp();
  const link = memberLink(x, box);
  const writer = can(user, 'record.write') && x.status === 'pending';
  const headingId = `transfer-${x.id}-heading`;
  return html`
    <article class="transfer" data-testid="transfer" data-id=${x.id} data-status=${x.status} aria-labelledby=${headingId}>
      <div class="card-head">
        <h3 id=${headingId} class="node-name">${link ? html`<a href=${link}>${x.member.full_name}</a>` : x.member.full_name}</h3>
        <span class=${`badge state-${x.status}`} data-testid="transfer-status">${transferStatusName(x.status)}</span>
      </div>
      <dl class="mini">
        <div><dt>${t('member.birth_date')}</dt><dd>${formatDate(x.member.birth_date, lang)}</dd></div>
        <div><dt>${t('transfers.from')}</dt><dd><${Unit} u=${x.from} /></dd></div>
        <div><dt>${t('transfers.to')}</dt><dd><${Unit} u=${x.to} /></dd></div>
        <div><dt>${t('transfers.date')}</dt><dd>${formatDate(x.date, lang)}</dd></div>
        ${x.note && html`<div><dt>${t('transfers.note')}</dt><dd>${x.note}</dd></div>`}
        <div><dt>${t('transfers.created_by')}</dt><dd>${x.created_by}</dd></div>
        ${x.decided_by && html`<div data-testid="transfer-decided"><dt>${t(`transfers.decided.${x.status}`)}</dt>
          <dd>${t('transfers.decided_by', { user: x.decided_by, date: formatDate(x.decided_on, lang) })}</dd></div>`}
        ${x.reason && html`<div data-testid="transfer-reason"><dt>${t('transfers.reason')}</dt><dd>${x.reason}</dd></div>`}
      </dl>
      ${writer && (box === 'in'
        ? html`<${Answer} x=${x} onAnswer=${onAnswer} />`
        : html`<${Withdraw} x=${x} onAnswer=${onAnswer} />`)}
    </article>`;
}

// useAnswer: sending one answer for a card: the error it met (shown in
// formRef's form, or said when there is none), and once done the card's new
// state, its words said and the badge asked again.
function useAnswer(x, onAnswer, formRef) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const send = async (what, body, said) => {
    setBusy(true);
    setError(null);
    try {
      const next = await post(`/transfers/${encodeURIComponent(x.id)}/${what}`, body);
      announce(said(next));
      refreshPending();
      onAnswer(next);
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

// Answer: "Tiếp nhận" on a day or "Từ chối" with a reason, each asked in
// place under the card.
function Answer({ x, onAnswer }) {
  const { lang } = useApp();
  const [v, setV, clearV] = useDraft(`transfer-${x.id}`, { open: null, date: today(), reason: '' });
  const form = useRef(null);
  const a = useAnswer(x, onAnswer, form);
  const [missing, setMissing] = useState(false);
  const [dateProblem, setDateProblem] = useState(null);
  const set = (k) => (value) => {
    if (k === 'date') setDateProblem(null);
    setV((o) => ({ ...o, [k]: value }));
  };
  // the day is checked before she is asked to confirm (empty: today, the
  // server's default; a day after today is refused there as here)
  const checkDate = () => {
    const problem = v.date === '' ? null : changeDateError(v.date, lang)
      || (v.date < x.date ? t('detail.before_issued', { date: formatDate(x.date, lang) }) : null);
    setDateProblem(problem);
    if (problem) refuse(form);
    return !problem;
  };
  const open = (which) => setV((o) => ({ ...o, open: o.open === which ? null : which }));
  const name = x.member.full_name;
  // (refused, the question goes: focus to what is wrong, refuse())
  const accept = async () => {
    if (await a.send('accept', { date: v.date || undefined }, (n) => t('transfers.accepted', {
      name, unit: unitName(n.to, lang), date: formatDate(n.decided_on, lang),
    }))) clearV();
    return true;
  };
  const decline = async (e) => {
    e.preventDefault();
    if (a.busy) return;
    const empty = !v.reason.trim();
    setMissing(empty);
    if (empty) { refuse(form); return; }
    if (await a.send('refuse', { reason: v.reason.trim() }, () => t('transfers.refused', { name }))) clearV();
  };
  const id = `transfer-${x.id}`;
  const apiError = a.error ? errorText(a.error) : '';
  // the API's word on the day (before_issued, ...) stands at the date
  const apiDate = a.error ? formErrors(a.error, ['date'], { own: { not_a_member: 'date' } }) : { fields: {}, form: [] };
  return html`
    <div class="form-actions">
      <button type="button" class="button primary small" data-testid="transfer-accept" aria-expanded=${v.open === 'accept' ? 'true' : 'false'}
        onClick=${() => open('accept')}>${t('transfers.accept')}</button>
      <button type="button" class="button small" data-testid="transfer-refuse" aria-expanded=${v.open === 'refuse' ? 'true' : 'false'}
        onClick=${() => open('refuse')}>${t('transfers.refuse')}</button>
    </div>
    ${v.open === 'accept' && html`
      <form class="form narrow" data-testid="transfer-accept-form" onSubmit=${(e) => e.preventDefault()} novalidate ref=${form}>
        <${DateField} id=${`${id}-date`} label=${t('transfers.accept_date')} hint=${t('transfers.accept_date_hint')}
          value=${v.date} onChange=${set('date')}
          error=${dateProblem || (apiDate.fields.date || []).join(' ')} />
        ${a.error && apiDate.form.length > 0 && html`<${FormError} messages=${apiDate.form} />`}
        <${ConfirmButton} label=${t('transfers.accept')} danger=${false} testid="transfer-accept-save" busy=${a.busy}
          question=${t('transfers.accept_question', { name, date: v.date ? formatDate(v.date, lang) : '—' })}
          check=${checkDate} onConfirm=${accept} />
      </form>`}
    ${v.open === 'refuse' && html`
      <form class="form narrow" data-testid="transfer-refuse-form" onSubmit=${decline} novalidate ref=${form}>
        <${TextArea} id=${`${id}-reason`} label=${t('transfers.reason')} value=${v.reason} onInput=${set('reason')}
          error=${missing ? t('form.required') : ''} required />
        ${a.error && html`<${FormError} message=${apiError} />`}
        <button type="submit" class="button danger" data-testid="transfer-refuse-save" disabled=${a.busy}>
          ${t('transfers.refuse')}</button>
      </form>`}`;
}

// Withdraw: the sender takes back a transfer not answered yet.
function Withdraw({ x, onAnswer }) {
  const a = useAnswer(x, onAnswer);
  const name = x.member.full_name;
  return html`
    <div class="form-actions">
      <${ConfirmButton} label=${t('transfers.cancel')} small testid="transfer-cancel" busy=${a.busy}
        question=${t('transfers.cancel_question', { name })}
        onConfirm=${() => a.send('cancel', {}, () => t('transfers.cancelled', { name }))} />
    </div>
    ${a.error && html`<${FormError} message=${errorText(a.error)} />`}`;
}
