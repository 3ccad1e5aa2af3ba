// form: the pieces every form shares. A Field is a label, its control and the
// problem with that field (the API's 422 details in the user's language,
// lib/errors.js, shown next to it and linked with aria-describedby so screen
// readers read it with the field).
import { html } from '../lib/html.js';
import { errorMessage } from '../lib/errors.js';

export { formErrors } from '../lib/errors.js';

// Field: a labelled input. Props: id, label, value, onInput(value), error,
// hint, type, inputRef, and any other attribute for the input (autocomplete,
// required...).
export function Field({ id, label, value, onInput, error, hint, type = 'text', inputRef, ...rest }) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return html`
    <div class=${error ? 'form-field invalid' : 'form-field'}>
      <label for=${id} class="field-label">${label}</label>
      ${hint && html`<span class="hint" id=${`${id}-hint`}>${hint}</span>`}
      <input id=${id} ref=${inputRef} type=${type} value=${value} aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${described} onInput=${(e) => onInput(e.currentTarget.value)} ...${rest} />
      ${error && html`<span class="field-error" id=${`${id}-error`} data-testid=${`${id}-error`}>${error}</span>`}
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
      ${error && html`<span class="field-error" id=${`${id}-error`} data-testid=${`${id}-error`}>${error}</span>`}
    </fieldset>`;
}

// FormError: what is wrong with the whole form rather than one field: a
// sentence (`message`) or several (`messages`, e.g. formErrors(e).form).
export function FormError({ message, messages }) {
  const list = (messages || [message]).filter(Boolean);
  if (!list.length) return null;
  return html`<div class="error" role="alert" data-testid="form-error">
    ${list.map((m, i) => html`<p key=${i} class="error-message">${m}</p>`)}
  </div>`;
}

// errorText: the words to show for an ApiError (or anything thrown), in the
// user's language (never the server's English message).
export function errorText(e, overrides) {
  return errorMessage(e, overrides);
}
