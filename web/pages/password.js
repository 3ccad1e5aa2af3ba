// The "change password" page (#/account/password): the current password and
// the new one twice; POST /api/v1/session/password. The API's 422 details
// (too_short, too_long, blank, ...) are shown at their fields in the user's
// language (lib/errors.js). A 401 from this endpoint means either a wrong current
// password or a session that has ended: GET /session tells which.
import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { request } from '../lib/api.js';
import { refreshSession } from '../lib/session.js';
import { usePageTitle } from '../lib/hooks.js';
import { useAnnounce } from '../lib/announce.js';
import { Field, FormError, formErrors, refuse } from '../components/form.js';

// What the API says of a new password, said of a password.
const OVERRIDES = { same_as_current: 'password.same_as_current' };

const EMPTY = { current: '', next: '', again: '' };

// forced: her password was reset by an admin and must be changed first.
export function PasswordPage({ forced = false }) {
  const [v, setV] = useState(EMPTY);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);
  const set = (k) => (value) => { setV((o) => ({ ...o, [k]: value })); setDone(false); };
  usePageTitle(t('password.title'));
  useAnnounce(forced ? t('password.must_change') : '', { assertive: true });
  useAnnounce(done ? t('password.done') : '');

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setErrors({});
    setFormError([]);
    setDone(false);
    const local = {};
    if (!v.current) local.current_password = t('form.required');
    if (!v.next) local.new_password = t('form.required');
    else if (v.next !== v.again) local.again = t('password.mismatch');
    if (Object.keys(local).length) { setErrors(local); refuse(form); return; }
    setBusy(true);
    try {
      await request('POST', '/session/password', {
        body: { current_password: v.current, new_password: v.next }, auth: false,
      });
      setV(EMPTY);
      setDone(true);
      // The session may carry a new CSRF token now.
      await refreshSession().catch(() => {});
    } catch (err) {
      if (err.status === 401) {
        // Still logged in? Then the current password was wrong.
        const still = await refreshSession().catch(() => true);
        if (still) setErrors({ current_password: t('password.wrong') });
      } else {
        const fe = formErrors(err, ['current_password', 'new_password'], { overrides: OVERRIDES });
        setErrors(fe.fields);
        setFormError(fe.form);
      }
      refuse(form);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <h1>${t('password.title')}</h1>
    ${forced
      ? html`<p class="warning" data-testid="password-must-change">${t('password.must_change')}</p>`
      : html`<p class="muted">${t('password.intro')}</p>`}
    <form class="panel form narrow" data-testid="password-form" onSubmit=${submit} novalidate ref=${form}>
      <${Field} id="password-current" label=${t('password.current')} type="password" value=${v.current}
        onInput=${set('current')} error=${errors.current_password} autocomplete="current-password" required />
      <${Field} id="password-new" label=${t('password.new')} type="password" value=${v.next}
        onInput=${set('next')} error=${errors.new_password} hint=${t('password.hint')}
        autocomplete="new-password" required />
      <${Field} id="password-again" label=${t('password.again')} type="password" value=${v.again}
        onInput=${set('again')} error=${errors.again} autocomplete="new-password" required />
      <${FormError} messages=${formError} />
      ${done && html`<p class="success" data-testid="password-done">${t('password.done')}</p>`}
      <div class="form-actions">
        <button type="submit" class="button primary" data-testid="password-submit" disabled=${busy}>
          ${t('password.submit')}</button>
      </div>
    </form>`;
}
