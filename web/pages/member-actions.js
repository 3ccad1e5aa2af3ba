// A member's page's actions for holders of record.write. "Sửa hồ sơ"
// (PATCH /api/v1/members/{id}, member-edit.js) corrects her record, a
// member's or a former member's. While she is a member (her last stay
// open): "Chuyển sinh hoạt" (POST /api/v1/members/{id}/transfer: to a
// branch or group in her scope she moves at once; to one outside it a
// transfer, "giới thiệu sinh hoạt", awaits the receiving unit's answer, and
// the page says which of the two happened) and "Ra khỏi Hội" (POST
// /api/v1/members/{id}/leave: the day and why, asked again before it is
// recorded); once she has left, "Kết nạp lại". Each is a form opened by its
// button; refusals stand beside their fields (a day she was no member, a
// day before her stay began: at the date) or under the form, in her
// language. The receiving unit's name shows as she types its code when it
// lies in her scope; one outside it the API does not name to her (a lookup
// would say "not found"), so nothing shows then. Once done, the form
// closes, the page shows her record as the API now has it (the history
// grows a line) and says what was done.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useDraft } from '../lib/hooks.js';
import { useDialogFocus } from '../lib/focus.js';
import { today, formatDate } from '../lib/dates.js';
import { unitName } from '../lib/units.js';
import {
  Field, TextArea, SelectField, ConfirmButton, FormError, useActionForm, withoutEmpty,
} from '../components/form.js';
import { DateField, changeDateError } from '../components/date-field.js';
import { UnitLookup } from '../components/unit-lookup.js';
import { MemberEditForm } from './member-edit.js';

export const LEAVE_REASONS = ['moved_away', 'married_away', 'left', 'died'];

// Errors without details that are about the day asked.
const AT_DATE = { own: { not_a_member: 'date', date_out_of_range: 'date', already_a_member: 'date' } };

// isCurrent: whether she is a member now: her last stay has no end.
export function isCurrent(m) {
  const stays = m.history || [];
  return stays.length > 0 && !stays[stays.length - 1].until;
}

export function MemberActions({ m, onDone }) {
  const [open, setOpen] = useDraft(`member-${m.id}-action`, null);
  const toggle = (which) => setOpen(open === which ? null : which);
  const close = () => setOpen(null);
  const done = (result) => { close(); onDone(result); };
  return html`
    <div class="form-actions" data-testid="member-actions">
      <${EditButton} open=${open} toggle=${toggle} />
      <button type="button" class="button" data-testid="member-transfer" aria-expanded=${open === 'transfer' ? 'true' : 'false'}
        onClick=${() => toggle('transfer')}>${t('member.transfer')}</button>
      <button type="button" class="button danger" data-testid="member-leave" aria-expanded=${open === 'leave' ? 'true' : 'false'}
        onClick=${() => toggle('leave')}>${t('member.leave')}</button>
    </div>
    ${open === 'edit' && html`<${MemberEditForm} m=${m} onCancel=${close} onDone=${done} />`}
    ${open === 'transfer' && html`<${TransferForm} m=${m} onCancel=${close} onDone=${done} />`}
    ${open === 'leave' && html`<${LeaveForm} m=${m} onCancel=${close} onDone=${done} />`}`;
}

// EditButton: "Sửa hồ sơ", which opens (and closes) the edit form.
function EditButton({ open, toggle }) {
  return html`<button type="button" class="button" data-testid="member-edit"
    aria-expanded=${open === 'edit' ? 'true' : 'false'} onClick=${() => toggle('edit')}>${t('member.edit')}</button>`;
}

// transferDone: what the transfer's answer means for her: moved at once,
// or a transfer sent that waits for the receiving unit.
function transferDone(r, lang) {
  const name = r.member.full_name;
  if (!r.transfer) {
    const stay = r.member.history[r.member.history.length - 1];
    return t('member.transfer_moved', { name, unit: unitName(stay.unit, lang), date: formatDate(stay.from, lang) });
  }
  const { to, from, date } = r.transfer;
  return t('member.transfer_sent', {
    name, unit: unitName(to, lang), from: unitName(from, lang), date: formatDate(date, lang),
  });
}

function TransferForm({ m, onCancel, onDone }) {
  const { lang } = useApp();
  const heading = useDialogFocus();
  const f = useActionForm(`member-${m.id}-transfer`, { to: '', date: today(), note: '' }, {
    fields: ['to', 'date', 'note'],
    check: (v) => withoutEmpty({ to: v.to.trim() ? null : t('form.required'), date: changeDateError(v.date, lang) }),
    send: async (v) => {
      const r = await post(`/members/${encodeURIComponent(m.id)}/transfer`,
        { to: v.to.trim(), date: v.date, ...(v.note.trim() ? { note: v.note.trim() } : {}) });
      return { member: r.member, text: transferDone(r, lang) };
    },
    onDone,
    errorsAt: AT_DATE,
  });
  const submit = (e) => { e.preventDefault(); if (!f.busy) f.run(); };
  return html`
    <section class="panel" aria-labelledby="member-transfer-heading">
      <h2 id="member-transfer-heading" ref=${heading}>${t('member.transfer')}</h2>
      <p class="hint">${t('member.transfer_intro')}</p>
      <form class="form narrow" data-testid="member-transfer-form" onSubmit=${submit} novalidate ref=${f.form}>
        <${Field} id="member-transfer-to" label=${t('member.transfer_to')} hint=${t('member.transfer_to_hint')}
          value=${f.v.to} onInput=${f.set('to')} error=${f.errors.to} autocomplete="off" spellcheck="false" required />
        <${UnitLookup} code=${f.v.to.trim()} date=${f.v.date || undefined} quiet testid="member-transfer-to-name" />
        <${DateField} id="member-transfer-date" label=${t('member.transfer_date')} value=${f.v.date}
          onChange=${f.set('date')} error=${f.errors.date} required />
        <${TextArea} id="member-transfer-note" label=${t('member.transfer_note')} value=${f.v.note}
          onInput=${f.set('note')} error=${f.errors.note} />
        <${FormError} messages=${f.formError} />
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="member-transfer-save" disabled=${f.busy}>
            ${t('member.transfer_save')}</button>
          <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
        </div>
      </form>
    </section>`;
}

// LeaveForm: the day and the reason, checked (given; the day not after
// today) before she is asked to confirm; while she is asked, the question's
// Cancel is the only one (it takes her back to the form, whose own Cancel
// closes it).
function LeaveForm({ m, onCancel, onDone }) {
  const { lang } = useApp();
  const heading = useDialogFocus();
  const [asking, setAsking] = useState(false);
  const f = useActionForm(`member-${m.id}-leave`, { date: today(), reason: '' }, {
    fields: ['date', 'reason'],
    check: (v) => withoutEmpty({ date: changeDateError(v.date, lang), reason: v.reason ? null : t('form.required') }),
    send: async (v) => {
      const member = await post(`/members/${encodeURIComponent(m.id)}/leave`, { date: v.date, reason: v.reason });
      return { member, text: t('member.left', { name: member.full_name, date: formatDate(v.date, lang) }) };
    },
    onDone,
    errorsAt: AT_DATE,
  });
  // (the confirmation's question names the day and the reason she chose)
  const question = t('member.leave_question', {
    name: m.full_name,
    date: f.v.date ? formatDate(f.v.date, lang) : '—',
    reason: f.v.reason ? t(`member.leave_reason.${f.v.reason}`) : '—',
  });
  const options = [['', t('member.leave_reason_choose')], ...LEAVE_REASONS.map((r) => [r, t(`member.leave_reason.${r}`)])];
  return html`
    <section class="panel" aria-labelledby="member-leave-heading">
      <h2 id="member-leave-heading" ref=${heading}>${t('member.leave')}</h2>
      <p class="hint">${t('member.leave_intro')}</p>
      <form class="form narrow" data-testid="member-leave-form" onSubmit=${(e) => e.preventDefault()} novalidate ref=${f.form}>
        <${DateField} id="member-leave-date" label=${t('member.leave_date')} hint=${t('member.leave_date_hint')}
          value=${f.v.date} onChange=${f.set('date')} error=${f.errors.date} required />
        <${SelectField} id="member-leave-reason" label=${t('member.leave_reason')} value=${f.v.reason}
          onChange=${f.set('reason')} options=${options} error=${f.errors.reason} required />
        <${FormError} messages=${f.formError} />
        <div class="form-actions">
          <${ConfirmButton} label=${t('member.leave')} question=${question} testid="member-leave-save" busy=${f.busy}
            check=${f.validate} onAsking=${setAsking} onConfirm=${async () => { await f.run(); return true; }} />
          ${!asking && html`<button type="button" class="button" data-testid="member-leave-cancel"
            onClick=${onCancel}>${t('form.cancel')}</button>`}
        </div>
      </form>
    </section>`;
}

// RejoinAction: on a former member's page, for holders of record.write,
// "Sửa hồ sơ" and "Kết nạp lại" (POST /api/v1/members/{id}/rejoin): the
// branch or group she joins and the day (not before she left; refusals
// beside the field).
export function RejoinAction({ m, onDone }) {
  const [open, setOpen] = useDraft(`member-${m.id}-rejoin-open`, null);
  const toggle = (which) => setOpen(open === which ? null : which);
  const close = () => setOpen(null);
  const done = (result) => { close(); onDone(result); };
  return html`
    <div class="form-actions" data-testid="member-rejoin-actions">
      <${EditButton} open=${open} toggle=${toggle} />
      <button type="button" class="button" data-testid="member-rejoin" aria-expanded=${open === 'rejoin' ? 'true' : 'false'}
        onClick=${() => toggle('rejoin')}>${t('member.rejoin')}</button>
    </div>
    ${open === 'edit' && html`<${MemberEditForm} m=${m} onCancel=${close} onDone=${done} />`}
    ${open === 'rejoin' && html`<${RejoinForm} m=${m} onCancel=${close} onDone=${done} />`}`;
}

function RejoinForm({ m, onCancel, onDone }) {
  const { lang } = useApp();
  const heading = useDialogFocus();
  const f = useActionForm(`member-${m.id}-rejoin`, { unit: '', date: today() }, {
    fields: ['unit', 'date'],
    check: (v) => withoutEmpty({ unit: v.unit.trim() ? null : t('form.required'), date: changeDateError(v.date, lang) }),
    send: async (v) => {
      const member = await post(`/members/${encodeURIComponent(m.id)}/rejoin`, { unit: v.unit.trim(), date: v.date });
      const stay = member.history[member.history.length - 1];
      return { member, text: t('member.rejoin.done', { unit: unitName(stay.unit, lang), date: formatDate(stay.from, lang) }) };
    },
    onDone,
    errorsAt: AT_DATE,
  });
  const submit = (e) => { e.preventDefault(); if (!f.busy) f.run(); };
  return html`
    <section class="panel" aria-labelledby="member-rejoin-heading">
      <h2 id="member-rejoin-heading" ref=${heading}>${t('member.rejoin.title')}</h2>
      <form class="form narrow" data-testid="member-rejoin-form" onSubmit=${submit} novalidate ref=${f.form}>
        <${Field} id="member-rejoin-unit" label=${t('member.rejoin.unit')} value=${f.v.unit} onInput=${f.set('unit')}
          error=${f.errors.unit} autocomplete="off" spellcheck="false" required />
        <${UnitLookup} code=${f.v.unit.trim()} date=${f.v.date || undefined} quiet testid="member-rejoin-unit-name" />
        <${DateField} id="member-rejoin-date" label=${t('member.rejoin.date')} value=${f.v.date}
          onChange=${f.set('date')} error=${f.errors.date} required />
        <${FormError} messages=${f.formError} />
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="member-rejoin-save" disabled=${f.busy}>
            ${t('member.rejoin.submit')}</button>
          <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
        </div>
      </form>
    </section>`;
}
