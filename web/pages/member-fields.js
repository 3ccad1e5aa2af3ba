// member-fields: the fields of a member's record as a form types them,
// shared by the add-member form (member-form.js) and the edit form
// (member-edit.js): her name, date of birth and sex; the identity part
// (ethnicity, ID number, phone); the optional rest of the union's forms.
// Each field's id is idOf(field, prefix) (member-full-name...), its API
// error is shown beside it (<id>-error, for refuse() and the tests).
//
// A sensitive field the API masked for a caller without sensitive.read
// (listed in `masked`) is said to be hidden, with no control: what she was
// not shown cannot be typed over, nor sent back.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { useApp } from '../lib/context.js';
import { exampleDate } from '../lib/dates.js';
import { sexName } from '../lib/members.js';
import { Field, TextArea, SelectField, CheckField } from '../components/form.js';
import { DateField } from '../components/date-field.js';
import { useEthnicGroups } from '../lib/ethnic.js';

export const BASIC = ['full_name', 'birth_date', 'sex'];
export const IDENTITY = ['ethnicity', 'id_number', 'phone'];
export const OPTIONAL_TEXT = ['religion', 'education', 'qualification', 'political_theory', 'occupation', 'hamlet', 'street'];
export const OPTIONAL_LONG = ['circumstances', 'notes'];
export const FLAGS = ['digital', 'party_member'];
// the fields of her person (not of her membership): what PATCH corrects
export const PERSON_FIELDS = [...BASIC, ...IDENTITY, ...OPTIONAL_TEXT, ...OPTIONAL_LONG, ...FLAGS];

// idOf: a field's element id (member-full-name, member-edit-phone...),
// which refuse() and the tests use.
export const idOf = (field, prefix = 'member') => `${prefix}-${field.replaceAll('_', '-')}`;

// personErrors: what is wrong before asking the API: her name or date of
// birth left empty, a date that is no day of the calendar (null from
// DateField).
export function personErrors(v) {
  const out = {};
  for (const f of ['full_name', 'birth_date']) if (typeof v[f] === 'string' && !v[f].trim()) out[f] = t('form.required');
  if (v.birth_date === null) out.birth_date = t('date.invalid', { example: exampleDate() });
  return out;
}

// Masked: a field the API hid from her, said to be hidden.
function Masked({ id, label }) {
  return html`
    <div class="form-field" data-testid=${`${id}-masked`}>
      <span class="field-label">${label}</span>
      <span class="masked">${t('member.masked')}</span>
    </div>`;
}

// EthnicityField: one of the 54 groups (GET /api/v1/ethnic-groups), named
// in her language, or none.
function EthnicityField(props) {
  const { lang } = useApp();
  const groups = useEthnicGroups();
  const options = [['', t('members.ethnicity_none')], ...groups.map((g) => [g.code, lang === 'en' ? g.name_en : g.name_vi])];
  return html`<${SelectField} ...${props} options=${options} />`;
}

// RecordField: one field of her record. Props: field, prefix, v (the
// form's values), set(field) → onChange, errors, masked (the fields to
// show hidden), and any attribute for the control (required...).
export function RecordField({ field: f, prefix = 'member', v, set, errors = {}, masked = [], ...extra }) {
  const common = { id: idOf(f, prefix), label: t(`member.${f}`), error: errors[f] };
  if (masked.includes(f)) return html`<${Masked} id=${common.id} label=${common.label} />`;
  if (f === 'birth_date') return html`<${DateField} ...${common} value=${v[f]} onChange=${set(f)} ...${extra} />`;
  if (f === 'sex') {
    return html`<${SelectField} ...${common} value=${v[f]} onChange=${set(f)}
      options=${['female', 'male'].map((s) => [s, sexName(s)])} ...${extra} />`;
  }
  if (f === 'ethnicity') return html`<${EthnicityField} ...${common} value=${v[f]} onChange=${set(f)} ...${extra} />`;
  if (FLAGS.includes(f)) return html`<${CheckField} ...${common} checked=${v[f]} onChange=${set(f)} ...${extra} />`;
  if (OPTIONAL_LONG.includes(f)) return html`<${TextArea} ...${common} value=${v[f]} onInput=${set(f)} ...${extra} />`;
  const kind = {
    id_number: { hint: t('members.id_number_hint'), inputmode: 'numeric', spellcheck: 'false' },
    phone: { type: 'tel', hint: t('members.phone_hint') },
  }[f] || {};
  return html`<${Field} ...${common} value=${v[f]} onInput=${set(f)} autocomplete="off" ...${kind} ...${extra} />`;
}

// IdentityPart: ethnicity, ID number and phone, with what the law says of
// the sensitive ones (and, when some are masked, that those stay as they are).
export function IdentityPart(props) {
  const masked = props.masked || [];
  return html`
    <fieldset class="part form">
      <legend>${t('members.part_identity')}</legend>
      <p class="hint">${t('members.sensitive_note')}${masked.length > 0 && html` <span>${t('member.edit_masked_note')}</span>`}</p>
      ${IDENTITY.map((f) => html`<${RecordField} key=${f} field=${f} ...${props} />`)}
    </fieldset>`;
}

// MorePart: the union's other, optional fields.
export function MorePart(props) {
  return html`
    <fieldset class="part form">
      <legend>${t('members.part_more')}</legend>
      ${[...OPTIONAL_TEXT, ...OPTIONAL_LONG, ...FLAGS].map((f) => html`<${RecordField} key=${f} field=${f} ...${props} />`)}
    </fieldset>`;
}
