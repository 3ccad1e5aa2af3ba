// status: the loading and error states every page shows the same way.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';

export function Loading({ inline }) {
  return html`<p class=${inline ? 'loading inline' : 'loading'} role="status" aria-live="polite">
    <span class="spinner" aria-hidden="true"></span>${t('status.loading')}</p>`;
}

// Asking again helps when the network or the server failed, not when the
// request itself was refused (400, 404, 409, 422).
function retryable(error) {
  return !(error.status >= 400 && error.status < 500);
}

// ErrorBox: what went wrong, in the user's language (lib/errors.js), and a retry.
export function ErrorBox({ error, onRetry, children }) {
  if (!error) return null;
  const message = errorMessage(error);
  return html`<div class="error" role="alert" data-testid="error">
    <p><strong>${t('status.error')}</strong></p>
    <p class="error-message">${message}</p>
    ${onRetry && retryable(error) && html`<button type="button" class="button" onClick=${onRetry}>${t('status.retry')}</button>`}
    ${children}
  </div>`;
}
