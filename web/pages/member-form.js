// The add-member form of the members page (POST /api/v1/members), for
// holders of record.write. What the API needs first (name, date of birth,
// sex, kind, her branch or group, the day she joins), then the identity
// fields it checks (ethnicity, ID number, phone), then the rest of the
// union's forms, all optional. The API's 422 details are shown beside their
// fields in her language; focus goes to the first one. Once saved, her page
// opens. An ID number on a former member's record (409 former_member)
// offers to rejoin her from that record (POST with rejoin: true): her ID
// number and date of birth find it, whichever unit she left.
//
// Her fields (name, date of birth, sex, the identity part and the optional
// rest) are member-fields.js's, which the edit form on her page shares;
// kind, unit and the day she joins are this form's alone.
//
// The draft (useDraft) keeps every field across a session expiry, the ID
// number and the sensitive fields too: drafts live in this tab's memory
// only, for her alone (another log-in finds none), and every role that may
// type a record may read it unmasked (sensitive.read); retyping twelve
// digits after an expiry would only invite a slip.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post, unitPath } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useDraft } from '../lib/hooks.js';
import { useDialogFocus } from '../lib/focus.js';
import { navigate } from '../lib/router.js';
import { today, exampleDate } from '../lib/dates.js';
import { holdsMembers, memberKindName } from '../lib/members.js';
import { Field, SelectField, FormError, formErrors, refuse } from '../components/form.js';
import { DateField } from '../components/date-field.js';
import { UnitLookup } from '../components/unit-lookup.js';
import { arriveWith } from './member.js';
import {
  PERSON_FIELDS, FLAGS, idOf, personErrors, RecordField, IdentityPart, MorePart,
} from './member-fields.js';

const FIELDS = [...PERSON_FIELDS, 'kind', 'unit', 'joined_on'];

// blank: a new record: a woman, a member, joining today.
function blank() {
  const v = Object.fromEntries(FIELDS.map((f) => [f, FLAGS.includes(f) ? false : '']));
  return { ...v, sex: 'female', kind: 'member', joined_on: today() };
}

// localErrors: what is wrong before asking the API: required fields left
// empty, dates that are not days of the calendar (null from DateField).
function localErrors(v) {
  const out = personErrors(v);
  if (!v.unit.trim()) out.unit = t('form.required');
  if (v.joined_on === null) out.joined_on = t('date.invalid', { example: exampleDate() });
  return out;
}

// body: the request: text trimmed, empty fields left for the API's defaults;
// a date that is no day of the calendar (null from DateField) is sent as
// text the API refuses too, so that nothing is stored and its answer names
// the other fields' problems as well (shown all at once).
function body(v) {
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    const value = typeof x === 'string' ? x.trim() : x;
    if (value === null) out[k] = 'not-a-date';
    else if (value !== '') out[k] = value;
  }
  return out;
}

// useOwnUnitDefault: her own unit as the form's unit, when members may
// belong to it (a branch or a group) and the field is still empty; then
// onFilled (a save sent before it came said the field was empty).
function useOwnUnitDefault(v, setV, onFilled) {
  const { user } = useApp();
  const own = user.unit && user.unit.code;
  useEffect(() => {
    if (!own || v.unit) return undefined;
    const ctl = new AbortController();
    get(unitPath(own), undefined, ctl.signal).then(
      (u) => {
        if (!holdsMembers(u.level)) return;
        setV((o) => (o.unit ? o : { ...o, unit: own }));
        onFilled();
      },
      () => {}, // (no default then: she types the code)
    );
    return () => ctl.abort();
  }, []);
}

export function MemberForm({ onCancel }) {
  const { asOfParam } = useApp();
  const heading = useDialogFocus();
  const form = useRef(null);
  const [v, setV, clearV] = useDraft('member-new', blank());
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [busy, setBusy] = useState(false);
  const [former, setFormer] = useState(false); // the ID number is a former member's
  useOwnUnitDefault(v, setV, () => setErrors((o) => (o.unit === t('form.required') ? { ...o, unit: undefined } : o)));
  const set = (k) => (value) => setV((o) => ({ ...o, [k]: value }));
  // common: what every field of the form takes from its name.
  const common = (f) => ({ id: idOf(f), label: t(`member.${f}`), error: errors[f] });

  // save: the record, or (rejoin) the former member's record joined again.
  const save = async (rejoin) => {
    if (busy) return;
    // what the form sees at once; the API, asked all the same (it refuses
    // whatever the form does), adds what only it can see (a unit that is
    // not a branch, an ID number that does not fit): every problem at once
    const local = localErrors(v);
    setErrors(local);
    setFormError([]);
    setFormer(false);
    setBusy(true);
    try {
      const created = await post('/members', rejoin ? { ...body(v), rejoin: true } : body(v));
      clearV();
      const done = t(rejoin ? 'members.rejoined' : 'members.created', { name: created.full_name });
      arriveWith(created.id, done, created.possible_duplicates || []);
      navigate(`/members/${encodeURIComponent(created.id)}`, { as_of: asOfParam });
    } catch (err) {
      const fe = formErrors(err, FIELDS);
      setErrors({ ...fe.fields, ...local });
      setFormError(Object.keys(fe.fields).length || !Object.keys(local).length ? fe.form : []);
      setFormer(err.code === 'former_member' && !Object.keys(local).length);
      refuse(form);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e) => { e.preventDefault(); save(false); };

  const fields = { v, set, errors };
  return html`
    <section class="panel" aria-labelledby="member-new-heading">
      <h2 id="member-new-heading" ref=${heading}>${t('members.new')}</h2>
      <form class="form narrow" data-testid="member-form" onSubmit=${submit} novalidate ref=${form}>
        <fieldset class="part form">
          <legend>${t('members.part_membership')}</legend>
          <${RecordField} field="full_name" ...${fields} required />
          <${RecordField} field="birth_date" ...${fields} required />
          <${RecordField} field="sex" ...${fields} />
          <${SelectField} ...${common('kind')} value=${v.kind} onChange=${set('kind')}
            options=${['member', 'honorary'].map((k) => [k, memberKindName(k)])} hint=${t('members.kind_hint')} />
          <${Field} ...${common('unit')} value=${v.unit} onInput=${set('unit')} autocomplete="off"
            label=${t('members.unit_code')} hint=${t('members.unit_hint')} spellcheck="false" required />
          <${UnitLookup} code=${v.unit.trim()} date=${v.joined_on || undefined} quiet=${!!errors.unit}
            testid="member-unit-name" />
          <${DateField} ...${common('joined_on')} value=${v.joined_on} onChange=${set('joined_on')} />
        </fieldset>
        <${IdentityPart} ...${fields} />
        <${MorePart} ...${fields} />
        <${FormError} messages=${formError} />
        ${former && html`
          <div class="form-actions" data-testid="member-rejoin-former">
            <button type="button" class="button primary" onClick=${() => save(true)} disabled=${busy}
              aria-describedby="member-rejoin-former-hint">${t('members.rejoin_former')}</button>
            <p class="hint" id="member-rejoin-former-hint">${t('members.rejoin_former_hint')}</p>
          </div>`}
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="member-save" disabled=${busy}>${t('members.save')}</button>
          <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
        </div>
      </form>
    </section>`;
}
