// status: the loading and error states every page shows the same way.
import { html } from '../lib/html.js';
import { t, formatNumber } from '../lib/i18n.js';
import { readCopyOf } from '../lib/api.js';
import { errorMessage } from '../lib/errors.js';
import { useAnnounce } from '../lib/announce.js';

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
  const message = error ? errorMessage(error) : '';
  useAnnounce(message, { assertive: true });
  if (!error) return null;
  return html`<div class="error" data-testid="error">
    <p><strong>${t('status.error')}</strong></p>
    <p class="error-message">${message}</p>
    ${onRetry && retryable(error) && html`<button type="button" class="button" onClick=${onRetry}>${t('status.retry')}</button>`}
    ${children}
  </div>`;
}

// MoreButton: "show more" under a paged list (lib/hooks.js useCursorList).
// It stays while the next page loads (marked busy rather than removed), so
// keyboard focus stays on it.
export function MoreButton({ list, label, testid }) {
  if (!list.next || list.error) return null;
  return html`<button type="button" class="button more" data-testid=${testid}
    aria-disabled=${list.loading ? 'true' : undefined} onClick=${() => { if (!list.loading) list.loadMore(); }}>
    ${label}</button>`;
}

// ReadCopyNote: says, beside figures read from a read copy of the database
// (serve --read-db), how far behind the main one they may be; nothing for
// figures read from the main one.
export function ReadCopyNote({ data }) {
  const c = readCopyOf(data);
  if (!c) return null;
  return html`<p class="muted" data-testid="read-copy-note">
    ${t('read_copy.note', { max: formatNumber(c.max), lag: formatNumber(Math.ceil(c.lag)) })}</p>`;
}
