// The edit form of a member's page, "Sửa hồ sơ" (PATCH
// /api/v1/members/{id}), for holders of record.write: her record as the API
// gave it, in the add form's fields (member-fields.js) but for her
// membership (unit, the day she joined, kind: those change through
// transfer, leave and rejoin). Only the fields she changed are sent; when
// she changed nothing the form says so and sends nothing. A sensitive field
// the API masked (a caller without sensitive.read) is said to be hidden,
// never typed over nor sent: a masked value is never written back.
//
// The API checks the record whole by a new member's rules: its 422 details
// stand beside their fields in her language, focus on the first; a new
// date of birth that makes the day she joined too early is told at the
// date of birth (the API names joined_on, which this form does not show).
// Once saved, the form closes, the page shows her record afresh and says
// which fields were corrected. The draft survives a session expiry.
import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { patch } from '../lib/api.js';
import { useDraft } from '../lib/hooks.js';
import { useDialogFocus } from '../lib/focus.js';
import { announce } from '../lib/announce.js';
import { phoneText } from '../lib/members.js';
import { FormError, formErrors, refuse } from '../components/form.js';
import {
  PERSON_FIELDS, FLAGS, personErrors, RecordField, IdentityPart, MorePart,
} from './member-fields.js';

const PREFIX = 'member-edit';

// The API's refusals about the day she joined are the date of birth's here.
const ERRORS_AT = {
  aliases: { joined_on: 'birth_date' },
  overrides: { before_birth: 'member.edit_born_after_joining' },
};

// fromRecord: the form's values from her record (a masked field: empty,
// and never shown nor sent); her phone the way people write it at home.
export function fromRecord(m) {
  const masked = m.masked || [];
  return Object.fromEntries(PERSON_FIELDS.map((f) => {
    if (FLAGS.includes(f)) return [f, !!m[f]];
    if (masked.includes(f) || m[f] === null || m[f] === undefined) return [f, ''];
    return [f, f === 'phone' ? phoneText(m[f]) : String(m[f])];
  }));
}

// canon: a field's value as the API keeps it, near enough to tell a change
// from the same value typed otherwise: text in NFC without the blanks
// around it, a name with single spaces, an ID number or a phone without
// the spaces and dots between its digits (a phone's +84 as 0).
function canon(f, x) {
  if (typeof x !== 'string') return x; // a flag; null: a date that is no day
  let s = x.normalize('NFC').trim();
  if (f === 'full_name') s = s.replace(/\s+/g, ' ');
  if (f === 'id_number') s = s.replace(/[\s.]/g, '');
  if (f === 'phone') s = s.replace(/[\s.\-()]/g, '').replace(/^\+?84(?=\d{9,10}$)/, '0');
  return s;
}

// body: the changed fields, text without the blanks around it (the API
// makes the rest of it even: NFC, single spaces in a name); a date that is
// no day is sent as text the API refuses too, so that its answer names the
// other fields' problems as well.
function body(v, fields) {
  const out = {};
  for (const f of fields) {
    const x = v[f];
    out[f] = x === null ? 'not-a-date' : typeof x === 'string' ? x.trim() : x;
  }
  return out;
}

export function MemberEditForm({ m, onCancel, onDone }) {
  const heading = useDialogFocus();
  const form = useRef(null);
  const masked = (m.masked || []).filter((f) => PERSON_FIELDS.includes(f));
  const editable = PERSON_FIELDS.filter((f) => !masked.includes(f));
  const was = fromRecord(m);
  const [v, setV, clearV] = useDraft(`member-${m.id}-edit`, was);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [unchanged, setUnchanged] = useState(false);
  const [busy, setBusy] = useState(false);
  // set: a field changed; its error goes (it was about what she had typed)
  const set = (k) => (value) => {
    setV((o) => ({ ...o, [k]: value }));
    setErrors((e) => {
      if (!(k in e)) return e;
      const { [k]: gone, ...rest } = e;
      return rest;
    });
    setUnchanged(false);
  };

  const save = async (e) => {
    e.preventDefault();
    if (busy) return;
    const changed = editable.filter((f) => canon(f, v[f]) !== canon(f, was[f]));
    setFormError([]);
    if (!changed.length) {
      setErrors({});
      setUnchanged(true);
      announce(t('member.edit_unchanged'));
      return;
    }
    // what the form sees at once; the API, asked all the same, adds what
    // only it can see (an ID number that does not fit): every problem at once
    const local = personErrors(v);
    setErrors(local);
    setBusy(true);
    try {
      const member = await patch(`/members/${encodeURIComponent(m.id)}`, body(v, changed));
      clearV();
      setBusy(false);
      const fields = changed.map((f) => t(`member.${f}`)).join(', ');
      onDone({ member, text: t('member.edited', { name: member.full_name, fields }) });
    } catch (err) {
      const fe = formErrors(err, editable, ERRORS_AT);
      setErrors({ ...fe.fields, ...local });
      setFormError(Object.keys(fe.fields).length || !Object.keys(local).length ? fe.form : []);
      setBusy(false);
      refuse(form);
    }
  };

  const fields = { prefix: PREFIX, v, set, errors, masked };
  return html`
    <section class="panel" aria-labelledby="member-edit-heading">
      <h2 id="member-edit-heading" ref=${heading}>${t('member.edit')}</h2>
      <p class="hint">${t('member.edit_intro')}</p>
      <form class="form narrow" data-testid="member-edit-form" onSubmit=${save} novalidate ref=${form}>
        <fieldset class="part form">
          <legend>${t('member.edit_part_person')}</legend>
          <${RecordField} field="full_name" ...${fields} required />
          <${RecordField} field="birth_date" ...${fields} required />
          <${RecordField} field="sex" ...${fields} />
        </fieldset>
        <${IdentityPart} ...${fields} />
        <${MorePart} ...${fields} />
        ${unchanged && html`<p class="notice" data-testid="member-edit-unchanged">${t('member.edit_unchanged')}</p>`}
        <${FormError} messages=${formError} />
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="member-edit-save" disabled=${busy}>
            ${t('member.edit_save')}</button>
          <button type="button" class="button" data-testid="member-edit-cancel" onClick=${onCancel}>
            ${t('form.cancel')}</button>
        </div>
      </form>
    </section>`;
}
