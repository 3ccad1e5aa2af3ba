// The users page (#/users, admins only): the users of units in the admin's
// scope (GET /api/v1/users) with their unit, roles and state; disabling and
// enabling them (POST /api/v1/users/{username}/disable|enable); and a form
// to add one (POST /api/v1/users): user name, display name, the unit's code
// (its name is looked up as she types, so she sees which unit she chose),
// roles, and a first password. The API's 422 details are shown at the fields.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { get, post, unitPath, fieldErrors } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, useDebounced } from '../lib/hooks.js';
import { formatDateTime } from '../lib/dates.js';
import { ROLES, roleName } from '../lib/roles.js';
import { unitName, unitHref, levelName } from '../lib/units.js';
import { Loading, ErrorBox } from '../components/status.js';
import { Field, RoleChecks, FormError, errorText } from '../components/form.js';

export function UsersPage() {
  const list = useAsync((s) => get('/users', undefined, s), []);
  const [changed, setChanged] = useState({}); // username -> User after an action
  const [added, setAdded] = useState([]);     // users created on this page
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState('');

  const loaded = (list.data && list.data.items) || [];
  const items = [...loaded.filter((u) => !added.some((a) => a.username === u.username)), ...added]
    .map((u) => changed[u.username] || u);

  return html`
    <h1>${t('users.title')}</h1>
    <p class="muted">${t('users.intro')}</p>
    ${notice && html`<p class="success" role="status" data-testid="users-notice">${notice}</p>`}
    ${!adding && html`
      <p><button type="button" class="button primary" data-testid="users-add"
          onClick=${() => { setAdding(true); setNotice(''); }}>${t('users.add')}</button></p>`}
    ${adding && html`<${CreateUser}
        onCancel=${() => setAdding(false)}
        onCreated=${(u) => {
          setAdded((a) => [...a.filter((x) => x.username !== u.username), u]);
          setAdding(false);
          setNotice(t('users.created', { name: u.username }));
        }} />`}
    <section class="panel" aria-labelledby="users-heading">
      <h2 id="users-heading">${t('users.list')}</h2>
      ${list.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${list.error} onRetry=${list.reload} />
      ${list.data && html`<p class="count" data-testid="users-count">${tn('count.users', items.length)}</p>`}
      ${items.length > 0 && html`
        <table class="table stack" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">${t('users.username')}</th>
              <th scope="col">${t('users.display_name')}</th>
              <th scope="col">${t('users.unit')}</th>
              <th scope="col">${t('users.roles')}</th>
              <th scope="col">${t('users.state')}</th>
              <th scope="col"><span class="sr-only">${t('users.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            ${items.map((u) => html`<${UserRow} key=${u.username} u=${u}
                onChanged=${(x) => setChanged((c) => ({ ...c, [u.username]: x }))} />`)}
          </tbody>
        </table>`}
    </section>`;
}

function UserRow({ u, onChanged }) {
  const { lang } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const act = async (what) => {
    setBusy(true);
    setError('');
    try {
      onChanged(await post(`/users/${encodeURIComponent(u.username)}/${what}`, {}));
      setConfirming(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <tr data-testid="user-row" data-username=${u.username} data-disabled=${u.disabled ? 'true' : 'false'}>
      <td data-label=${t('users.username')}><span class="code">${u.username}</span></td>
      <td data-label=${t('users.display_name')}>${u.display_name}</td>
      <td data-label=${t('users.unit')}>
        ${u.unit && html`<a href=${unitHref(u.unit.code)}>${unitName(u.unit, lang)}</a>
          <span class="code muted"> ${u.unit.code}</span>`}
      </td>
      <td data-label=${t('users.roles')}>${(u.roles || []).map(roleName).join(', ')}</td>
      <td data-label=${t('users.state')}>
        <span class=${u.disabled ? 'badge state-revoked' : 'badge state-active'} data-testid="user-state">
          ${u.disabled ? t('users.disabled') : t('users.active')}</span>
        ${u.created_at && html`<span class="node-meta">${t('users.since', { date: formatDateTime(u.created_at, lang) })}</span>`}
      </td>
      <td class="actions">
        ${u.disabled
          ? html`<button type="button" class="button small" data-testid="user-enable" disabled=${busy}
              onClick=${() => act('enable')}>${t('users.enable')}</button>`
          : !confirming
            ? html`<button type="button" class="button small danger" data-testid="user-disable"
                onClick=${() => setConfirming(true)}>${t('users.disable')}</button>`
            : html`<div class="confirm" role="group" aria-label=${t('users.disable')}>
                <p>${t('users.disable_confirm', { name: u.display_name || u.username })}</p>
                <button type="button" class="button small danger" data-testid="user-disable-confirm" disabled=${busy}
                  onClick=${() => act('disable')}>${t('users.disable')}</button>
                <button type="button" class="button small" disabled=${busy}
                  onClick=${() => setConfirming(false)}>${t('form.cancel')}</button>
              </div>`}
        ${error && html`<p class="form-error" role="alert">${error}</p>`}
      </td>
    </tr>`;
}

const EMPTY = { username: '', display_name: '', unit: '', password: '' };
const FIELDS = ['username', 'display_name', 'unit', 'roles', 'password'];

function CreateUser({ onCreated, onCancel }) {
  const { user } = useApp();
  const [v, setV] = useState({ ...EMPTY, unit: (user.unit && user.unit.code) || '' });
  const [roles, setRoles] = useState(['viewer']);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k) => (value) => setV((o) => ({ ...o, [k]: value }));

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    const local = {};
    for (const k of ['username', 'display_name', 'unit', 'password']) {
      if (!v[k].trim()) local[k] = t('form.required');
    }
    if (!roles.length) local.roles = t('users.roles_required');
    setErrors(local);
    setFormError('');
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const created = await post('/users', {
        username: v.username.trim(),
        display_name: v.display_name.trim(),
        unit: v.unit.trim(),
        roles,
        password: v.password,
      });
      onCreated(created);
    } catch (err) {
      const fe = fieldErrors(err);
      if (err.code === 'username_taken' && !fe.username) fe.username = errorText(err);
      setErrors(fe);
      if (!FIELDS.some((k) => k in fe)) setFormError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return html`
    <section class="panel" aria-labelledby="user-new-heading">
      <h2 id="user-new-heading">${t('users.new')}</h2>
      <form class="form" data-testid="user-form" onSubmit=${submit} novalidate>
        <${Field} id="user-username" label=${t('users.username')} value=${v.username} onInput=${set('username')}
          error=${errors.username} hint=${t('users.username_hint')} autocomplete="off" autocapitalize="none"
          spellcheck="false" required />
        <${Field} id="user-display-name" label=${t('users.display_name')} value=${v.display_name}
          onInput=${set('display_name')} error=${errors.display_name} autocomplete="off" required />
        <${Field} id="user-unit" label=${t('users.unit_code')} value=${v.unit} onInput=${set('unit')}
          error=${errors.unit} hint=${t('users.unit_hint')} autocomplete="off" spellcheck="false" required />
        <${UnitLookup} code=${v.unit.trim()} quiet=${!!errors.unit} />
        <${RoleChecks} id="user-role" legend=${t('users.roles')} roles=${ROLES} value=${roles}
          onChange=${setRoles} error=${errors.roles} nameOf=${roleName} />
        <${Field} id="user-password" label=${t('users.password')} type="password" value=${v.password}
          onInput=${set('password')} error=${errors.password} hint=${t('password.hint')}
          autocomplete="new-password" required />
        <${FormError} message=${formError} />
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="user-create" disabled=${busy}>
            ${t('users.create')}</button>
          <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
        </div>
      </form>
    </section>`;
}

// UnitLookup: which unit the typed code names today (or why none; quiet:
// not when the field already shows its problem, which would say it twice).
function UnitLookup({ code, quiet }) {
  const { lang } = useApp();
  const typed = useDebounced(code, 300);
  const [state, setState] = useState(null);
  useEffect(() => {
    if (!typed) { setState(null); return undefined; }
    const ctl = new AbortController();
    get(unitPath(typed), undefined, ctl.signal).then(
      (u) => { if (!ctl.signal.aborted) setState({ u }); },
      (error) => { if (!ctl.signal.aborted && error.name !== 'AbortError') setState({ error }); },
    );
    return () => ctl.abort();
  }, [typed]);
  if (!state || typed !== code || (quiet && state.error)) return null;
  return html`<p class="lookup" aria-live="polite" data-testid="user-unit-name">
    ${state.u
      ? html`${unitName(state.u, lang)} <span class="muted">· ${levelName(state.u.level, lang)}</span>`
      : html`<span class="field-error">${errorText(state.error)}</span>`}
  </p>`;
}
