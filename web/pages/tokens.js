// The "API tokens" page (#/account/tokens): the user's own tokens for
// scripts (GET /api/v1/tokens), a form to create one with a name, a subset of
// her own roles and an optional last day (POST /api/v1/tokens), and revoking
// (DELETE /api/v1/tokens/{id}). A new token's secret is shown once, with a copy
// button and a warning; it is kept only in this page's state and is gone when
// the user dismisses it or leaves the page.
import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post, del } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, useDraft, usePageTitle } from '../lib/hooks.js';
import { announce, useAnnounce } from '../lib/announce.js';
import { useDialogFocus } from '../lib/focus.js';
import { formatDateTime, today, exampleDate } from '../lib/dates.js';
import { ROLES, roleName } from '../lib/roles.js';
import { Loading, ErrorBox } from '../components/status.js';
import { Field, RoleChecks, FormError, ConfirmButton, errorText, formErrors, refuse } from '../components/form.js';
import { DateField } from '../components/date-field.js';

// The API takes the expiry as a day (YYYY-MM-DD) and keeps the token working
// through the end of that day, UTC (expires_at is the next day's 00:00 UTC);
// the day must lie after today. A typed text that is not a day of the
// calendar (02/30/2027) is refused here: it must never become "no expiry".

function tokenState(tok) {
  if (tok.revoked_at) return 'revoked';
  if (tok.expires_at && new Date(tok.expires_at).getTime() < Date.now()) return 'expired';
  return 'active';
}

export function TokensPage() {
  const { user } = useApp();
  const list = useAsync((s) => get('/tokens', undefined, s), []);
  const [created, setCreated] = useState(null); // {token, secret}
  const [extra, setExtra] = useState([]);        // tokens created here, before a reload
  const [replaced, setReplaced] = useState({});  // id -> token after a revoke

  const items = [...extra, ...((list.data && list.data.items) || []).filter((x) => !extra.some((e) => e.id === x.id))]
    .map((x) => replaced[x.id] || x);

  usePageTitle(t('tokens.title'));
  return html`
    <h1>${t('tokens.title')}</h1>
    <p class="muted">${t('tokens.intro')}</p>
    ${created && html`<${Secret} created=${created} onDone=${() => setCreated(null)} />`}
    <section class="panel" aria-labelledby="tokens-list-heading">
      <h2 id="tokens-list-heading">${t('tokens.list')}</h2>
      ${list.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${list.error} onRetry=${list.reload} />
      ${list.data && items.length === 0 && html`<p class="muted" data-testid="tokens-empty">${t('tokens.none')}</p>`}
      ${items.length > 0 && html`
        <ul class="plain cards" role="list" data-testid="tokens">
          ${items.map((tok) => html`<${TokenRow} key=${tok.id} tok=${tok}
              onRevoked=${(x) => setReplaced((r) => ({ ...r, [tok.id]: x }))} />`)}
        </ul>`}
    </section>
    <${CreateToken} roles=${ROLES.filter((r) => (user.roles || []).includes(r))}
      onCreated=${(answer) => { setCreated(answer); setExtra((e) => [answer.token, ...e]); }} />`;
}

function TokenRow({ tok, onRevoked }) {
  const { lang } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useAnnounce(error, { assertive: true });
  const state = tokenState(tok);
  const revoke = async () => {
    setBusy(true);
    setError('');
    try {
      await del(`/tokens/${encodeURIComponent(tok.id)}`);
      onRevoked({ ...tok, revoked_at: new Date().toISOString() });
      announce(t('tokens.revoked_done', { name: tok.name }));
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return html`
    <li class="card" data-testid="token-row" data-id=${tok.id} data-state=${state}>
      <div class="card-head">
        <strong class="token-name">${tok.name}</strong>
        <span class=${`badge state-${state}`}>${t(`tokens.state_${state}`)}</span>
      </div>
      <dl class="mini">
        <div><dt>${t('tokens.roles')}</dt><dd>${(tok.roles || []).map(roleName).join(', ')}</dd></div>
        <div><dt>${t('tokens.created')}</dt><dd>${formatDateTime(tok.created_at, lang)}</dd></div>
        <div><dt>${t('tokens.expires')}</dt><dd>${tok.expires_at ? formatDateTime(tok.expires_at, lang) : t('tokens.never')}</dd></div>
        <div><dt>${t('tokens.last_used')}</dt><dd>${tok.last_used_at ? formatDateTime(tok.last_used_at, lang) : t('tokens.not_used')}</dd></div>
        ${tok.revoked_at && html`<div><dt>${t('tokens.revoked')}</dt><dd>${formatDateTime(tok.revoked_at, lang)}</dd></div>`}
      </dl>
      ${state === 'active' && html`<${ConfirmButton} label=${t('tokens.revoke')} testid="token-revoke"
          question=${t('tokens.revoke_confirm', { name: tok.name })} busy=${busy} onConfirm=${revoke} />`}
      ${error && html`<p class="form-error">${error}</p>`}
    </li>`;
}

function CreateToken({ roles, onCreated }) {
  const [name, setName, clearName] = useDraft('token-name', '');
  const [chosen, setChosen, clearChosen] = useDraft('token-roles', roles.includes('viewer') ? ['viewer'] : roles.slice(0, 1));
  const [until, setUntil, clearUntil] = useDraft('token-until', ''); // ISO, '' (no expiry) or null (not a day)
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    const local = {};
    if (!name.trim()) local.name = t('form.required');
    if (!chosen.length) local.roles = t('tokens.roles_required');
    if (until === null) local.expires_at = t('date.invalid', { example: exampleDate() });
    else if (until && until <= today()) local.expires_at = t('tokens.until_past');
    setErrors(local);
    setFormError([]);
    if (Object.keys(local).length) { refuse(form); return; }
    setBusy(true);
    try {
      const answer = await post('/tokens', { name: name.trim(), roles: chosen, expires_at: until || null });
      onCreated(answer);
      clearName();
      clearChosen();
      clearUntil();
    } catch (err) {
      const fe = formErrors(err, ['name', 'roles', 'expires_at']);
      setErrors(fe.fields);
      setFormError(fe.form);
      refuse(form);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <section class="panel" aria-labelledby="token-new-heading">
      <h2 id="token-new-heading">${t('tokens.new')}</h2>
      <form class="form" data-testid="token-form" onSubmit=${submit} novalidate ref=${form}>
        <${Field} id="token-name" label=${t('tokens.name')} value=${name} onInput=${setName}
          error=${errors.name} hint=${t('tokens.name_hint')} maxlength="100" required />
        <${RoleChecks} id="token-role" legend=${t('tokens.roles')} roles=${roles} value=${chosen}
          onChange=${setChosen} error=${errors.roles} nameOf=${roleName} />
        <${DateField} id="token-until" label=${t('tokens.until')} value=${until} onChange=${setUntil}
          error=${errors.expires_at} hint=${t('tokens.until_hint')} />
        <${FormError} messages=${formError} />
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="token-create" disabled=${busy}>
            ${t('tokens.create')}</button>
        </div>
      </form>
    </section>`;
}

// Secret: the new token's secret, once.
function Secret({ created, onDone }) {
  const [copied, setCopied] = useState('');
  const input = useRef(null);
  const heading = useDialogFocus();
  useAnnounce(t('tokens.secret_warning'));
  useAnnounce(copied && t(copied === 'ok' ? 'tokens.copied' : 'tokens.copy_manual'));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied('ok');
    } catch (e) {
      // No clipboard API (plain http off localhost): select it for Ctrl+C.
      if (input.current) { input.current.focus(); input.current.select(); }
      let ok = false;
      try { ok = document.execCommand('copy'); } catch (e2) { ok = false; }
      setCopied(ok ? 'ok' : 'manual');
    }
  };
  return html`
    <section class="panel secret" data-testid="token-secret-panel" aria-labelledby="secret-heading">
      <h2 id="secret-heading" ref=${heading}>${t('tokens.secret_title', { name: created.token.name })}</h2>
      <p class="warning">${t('tokens.secret_warning')}</p>
      <div class="search-row">
        <label class="sr-only" for="token-secret">${t('tokens.secret')}</label>
        <input id="token-secret" class="secret-value" data-testid="token-secret" readonly ref=${input}
          value=${created.secret} spellcheck="false" autocomplete="off"
          onFocus=${(e) => e.currentTarget.select()} />
        <button type="button" class="button" data-testid="token-copy" onClick=${copy}>${t('tokens.copy')}</button>
      </div>
      ${copied && html`<p class="muted" data-testid="token-copied">
        ${copied === 'ok' ? t('tokens.copied') : t('tokens.copy_manual')}</p>`}
      <p class="muted">${t('tokens.usage')}</p>
      <button type="button" class="button" data-testid="token-done" onClick=${onDone}>${t('tokens.done')}</button>
    </section>`;
}
