// The log-in page, shown instead of any page while nobody is logged in. It
// does not change the hash: after logging in, the page in the address bar is
// the one shown (the one the user was on when her session expired).
// A refused log-in is told in the user's language: a wrong user name or
// password (401), or after too many failures (429) how long to wait, from
// the Retry-After header, in words (one sentence, not two).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { login } from '../lib/session.js';
import { usePageTitle } from '../lib/hooks.js';
import { announce, useAnnounce } from '../lib/announce.js';
import { Field, errorText } from '../components/form.js';

// waitWords: 75 -> "2 phút" / "2 minutes"; under a minute, in seconds.
export function waitWords(seconds) {
  if (seconds >= 60) return tn('wait.minutes', Math.ceil(seconds / 60));
  return tn('wait.seconds', Math.max(1, seconds));
}

// refusal: why the log-in was refused, in one sentence.
function refusal(error) {
  return error.status === 429 && error.retryAfter != null
    ? t('login.retry_after', { wait: waitWords(error.retryAfter) })
    : errorText(error, { unauthorized: 'login.wrong' });
}

export function LoginPage({ reason }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const nameInput = useRef(null);
  const passInput = useRef(null);

  useEffect(() => { if (nameInput.current) nameInput.current.focus(); }, []);
  usePageTitle(t('login.title'));
  useAnnounce(reason === 'expired' ? t('login.expired') : '', { assertive: true });

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      // This page is replaced by the one the hash names.
    } catch (err) {
      setBusy(false);
      setPassword('');
      setError(err);
      announce(refusal(err), { assertive: true });
      if (passInput.current) passInput.current.focus();
    }
  };

  return html`
    <div class="login">
      <h1>${t('login.title')}</h1>
      ${reason === 'expired' && html`
        <p class="notice" data-testid="login-expired">${t('login.expired')}</p>`}
      <form class="panel form" data-testid="login-form" onSubmit=${submit} novalidate>
        <${Field} id="login-username" label=${t('login.username')} value=${username} onInput=${setUsername}
          autocomplete="username" autocapitalize="none" spellcheck="false" required inputRef=${nameInput} />
        <${Field} id="login-password" label=${t('login.password')} type="password" value=${password}
          onInput=${setPassword} autocomplete="current-password" required inputRef=${passInput} />
        ${error && html`
          <div class="error" data-testid="login-error">
            <p class="error-message" data-testid=${error.status === 429 && error.retryAfter != null ? 'login-wait' : undefined}>
              ${refusal(error)}</p>
          </div>`}
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="login-submit"
            disabled=${busy || !username.trim() || !password}>${busy ? t('login.busy') : t('login.submit')}</button>
        </div>
      </form>
    </div>`;
}
