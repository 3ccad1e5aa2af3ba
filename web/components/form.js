// form: the pieces every form shares. A Field is a label, its control and the
// problem with that field (the API's 422 details in the user's language,
// lib/errors.js, shown next to it and linked with aria-describedby so screen
// readers read it with the field).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { errorMessage, formErrors } from '../lib/errors.js';
import { announce } from '../lib/announce.js';
import { focusOn } from '../lib/focus.js';
import { useDraft } from '../lib/hooks.js';

export { formErrors };

// FieldError: a field's problem, named <id>-error (for aria-describedby and tests).
function FieldError({ id, error }) {
  return error ? html`<span class="field-error" id=${`${id}-error`} data-testid=${`${id}-error`}>${error}</span>` : null;
}

// FieldFrame: what every field has around its control: the label, the
// hint and the error (control() links the last two to the control).
function FieldFrame({ id, label, hint, error, children }) {
  return html`
    <div class=${error ? 'form-field invalid' : 'form-field'}>
      <label for=${id} class="field-label">${label}</label>
      ${hint && html`<span class="hint" id=${`${id}-hint`}>${hint}</span>`}
      ${children}
      <${FieldError} id=${id} error=${error} />
    </div>`;
}

// control: the attributes a field's control takes from the field.
function control(id, error, hint) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return { id, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described };
}

// Field: a labelled input. Props: id, label, value, onInput(value), error,
// hint, type, inputRef, and any other attribute for the input (autocomplete,
// required...).
export function Field({ id, label, value, onInput, error, hint, type = 'text', inputRef, ...rest }) {
  return html`
    <${FieldFrame} id=${id} label=${label} hint=${hint} error=${error}>
      <input ...${control(id, error, hint)} ref=${inputRef} type=${type} value=${value}
        onInput=${(e) => onInput(e.currentTarget.value)} ...${rest} />
    </${FieldFrame}>`;
}

// TextArea: a Field for text of several lines.
export function TextArea({ id, label, value, onInput, error, hint, ...rest }) {
  return html`
    <${FieldFrame} id=${id} label=${label} hint=${hint} error=${error}>
      <textarea ...${control(id, error, hint)} value=${value} rows="3"
        onInput=${(e) => onInput(e.currentTarget.value)} ...${rest}></textarea>
    </${FieldFrame}>`;
}

// SelectField: a Field choosing one of `options` ([[value, words], ...]).
export function SelectField({ id, label, value, onChange, options, error, hint, ...rest }) {
  return html`
    <${FieldFrame} id=${id} label=${label} hint=${hint} error=${error}>
      <select ...${control(id, error, hint)} value=${value} onChange=${(e) => onChange(e.currentTarget.value)} ...${rest}>
        ${options.map(([v, words]) => html`<option key=${v} value=${v}>${words}</option>`)}
      </select>
    </${FieldFrame}>`;
}

// CheckField: one checkbox, its label beside it, its hint and error below.
export function CheckField({ id, label, checked, onChange, error, hint, ...rest }) {
  return html`
    <div class=${error ? 'form-field invalid' : 'form-field'}>
      <label class="check">
        <input type="checkbox" ...${control(id, error, hint)} checked=${checked}
          onChange=${(e) => onChange(e.currentTarget.checked)} ...${rest} />
        <span>${label}</span>
      </label>
      ${hint && html`<span class="hint" id=${`${id}-hint`}>${hint}</span>`}
      <${FieldError} id=${id} error=${error} />
    </div>`;
}

// RoleChecks: one checkbox per role in `roles`; `value` is the chosen list.
export function RoleChecks({ id, legend, roles, value, onChange, error, nameOf }) {
  const toggle = (r, on) => onChange(on ? roles.filter((x) => x === r || value.includes(x)) : value.filter((x) => x !== r));
  return html`
    <fieldset class=${error ? 'form-field checks invalid' : 'form-field checks'}
        aria-describedby=${error ? `${id}-error` : undefined}>
      <legend class="field-label">${legend}</legend>
      <div class="check-row">
        ${roles.map((r) => html`
          <label key=${r} class="check">
            <input type="checkbox" name=${id} value=${r} data-testid=${`${id}-${r}`}
              checked=${value.includes(r)} onChange=${(e) => toggle(r, e.currentTarget.checked)} />
            <span>${nameOf(r)}</span>
          </label>`)}
      </div>
      <${FieldError} id=${id} error=${error} />
    </fieldset>`;
}

// FormError: what is wrong with the whole form rather than one field: a
// sentence (`message`) or several (`messages`, e.g. formErrors(e).form).
export function FormError({ message, messages }) {
  const list = (messages || [message]).filter(Boolean);
  if (!list.length) return null;
  return html`<div class="error" data-testid="form-error">
    ${list.map((m, i) => html`<p key=${i} class="error-message">${m}</p>`)}
  </div>`;
}

// errorText: the words to show for an ApiError (or anything thrown), in the
// user's language (never the server's English message).
export function errorText(e, overrides) {
  return errorMessage(e, overrides);
}

// refuse: after a form was refused (by the page's own checks or by the
// API), once its errors are drawn: focus on the first field marked invalid
// (or on the whole form's error) and say how many things to correct.
export function refuse(formRef) {
  setTimeout(() => {
    const form = formRef.current;
    // (gone: a 401 put the log-in page in its place)
    if (!form || !form.isConnected) return;
    focusOn(form.querySelector('[aria-invalid="true"], .invalid input, [data-testid="form-error"]'));
    const n = form.querySelectorAll('.field-error[id], [data-testid="form-error"] .error-message').length;
    announce(tn('form.refused', Math.max(n, 1)), { assertive: true });
  }, 0);
}

// ConfirmButton: a button whose action is asked about again in its place
// ("Revoke the token X?", the action, Cancel). Focus goes to the question,
// and back to the button when she cancels. onConfirm() answers true once
// done; the row then shows its new state (lib/focus.js keeps focus nearby
// if the button is gone with it). check(), when given, is asked first: a
// form that its own checks refuse (check() answers false) is not asked
// about. onAsking(bool) follows the question (a form hides its own Cancel
// meanwhile: one Cancel at a time).
export function ConfirmButton({
  label, question, testid, busy, onConfirm, check, onAsking, danger = true, small = false,
}) {
  const [asking, setAskingOnly] = useState(false);
  const group = useRef(null);
  const button = useRef(null);
  const cancelled = useRef(false);
  // the form hears of the question in the same event, so that both change
  // in one render (never two Cancels on screen at once)
  const setAsking = (on) => { setAskingOnly(on); if (onAsking) onAsking(on); };
  useEffect(() => {
    if (asking) focusOn(group.current);
    else if (cancelled.current) { cancelled.current = false; focusOn(button.current); }
  }, [asking]);
  const cls = (d) => ['button', small && 'small', d && 'danger'].filter(Boolean).join(' ');
  if (!asking) {
    return html`<button type="button" class=${cls(danger)} data-testid=${testid} ref=${button}
      onClick=${() => { if (!check || check()) setAsking(true); }}>${label}</button>`;
  }
  const confirm = async () => { if (await onConfirm()) setAsking(false); };
  const cancel = () => { cancelled.current = true; setAsking(false); };
  return html`
    <div class="confirm" role="group" aria-label=${label} ref=${group}>
      <p>${question}</p>
      <button type="button" class=${cls(true)} data-testid=${`${testid}-confirm`} disabled=${busy}
        onClick=${confirm}>${label}</button>
      <button type="button" class=${cls(false)} disabled=${busy} onClick=${cancel}>${t('form.cancel')}</button>
    </div>`;
}

// withoutEmpty: a form's checks ({field: text or null}) but those that passed.
export function withoutEmpty(errors) {
  return Object.fromEntries(Object.entries(errors).filter(([, e]) => e));
}

// useActionForm: what a small form acting on a record shares: values kept
// across a session expiry, the errors the page or the API found, and
// sending. check(values) answers {field: text} (nothing when right);
// send(values) answers what onDone(result) is given, after which the form
// starts afresh; errorsAt is formErrors' options (which errors stand by
// which field). A field's error goes once she changes the field (it was
// about what she had typed); validate() runs the checks alone, shows what
// they found and answers whether the form may go.
export function useActionForm(name, initial, { fields, check, send, onDone, errorsAt = {} }) {
  const form = useRef(null);
  const [v, setV, clearV] = useDraft(name, initial);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [busy, setBusy] = useState(false);
  const set = (k) => (value) => {
    setV((o) => ({ ...o, [k]: value }));
    setErrors((e) => {
      if (!(k in e)) return e;
      const { [k]: gone, ...rest } = e;
      return rest;
    });
  };
  const validate = () => {
    const local = check(v);
    setErrors(local);
    setFormError([]);
    if (Object.keys(local).length) { refuse(form); return false; }
    return true;
  };
  const run = async () => {
    if (!validate()) return;
    setBusy(true);
    try {
      const done = await send(v);
      clearV();
      setBusy(false);
      onDone(done);
    } catch (err) {
      const fe = formErrors(err, fields, errorsAt);
      setErrors(fe.fields);
      setFormError(fe.form);
      setBusy(false);
      refuse(form);
    }
  };
  return { form, v, set, errors, formError, busy, run, validate };
}
