// The users page (#/users, admins only): the users of units in the admin's
// scope (GET /api/v1/users) with their unit, roles and state; disabling and
// enabling them (POST /api/v1/users/{username}/disable|enable); and a form
// to add one (POST /api/v1/users): user name, display name, the unit's code
// (its name is looked up as she types, so she sees which unit she chose),
// roles, and a first password. The API's 422 details are shown at the fields.
// For each other user of her scope (issue 14): edit her display name, unit
// and roles (PATCH /api/v1/users/{username}); reset her password to a
// one-time one, shown once (POST .../password-reset); see and end her
// sessions and revoke her tokens (GET/DELETE .../sessions, .../tokens). The
// admin's own row offers none of these: she is managed from above. A
// member's own account is linked to her record by its number ("Mã hồ sơ
// hội viên", person_id; empty: none), when created or edited.
import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { get, post, del, request, unitPath, fieldErrors } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, useDraft, usePageTitle } from '../lib/hooks.js';
import { announce, useAnnounce } from '../lib/announce.js';
import { useDialogFocus } from '../lib/focus.js';
import { formatDateTime } from '../lib/dates.js';
import { ROLES, roleName } from '../lib/roles.js';
import { unitName, unitHref } from '../lib/units.js';
import { href } from '../lib/router.js';
import { Loading, ErrorBox } from '../components/status.js';
import { Field, RoleChecks, FormError, ConfirmButton, errorText, refuse } from '../components/form.js';
import { UnitLookup } from '../components/unit-lookup.js';

export function UsersPage() {
  const list = useAsync((s) => get('/users', undefined, s), []);
  const [changed, setChanged] = useState({}); // username -> User after an action
  const [added, setAdded] = useState([]);     // users created on this page
  // (the open forms, like their fields, survive a session expiry: useDraft)
  const [adding, setAdding] = useDraft('users-adding', false);
  const [notice, setNotice] = useState('');
  const [open, setOpen] = useDraft('users-open', null); // {username, mode: 'edit' | 'access'}
  const [oneTime, setOneTime] = useState(null); // {name, password} after a reset, shown once

  const loaded = (list.data && list.data.items) || [];
  const items = [...loaded.filter((u) => !added.some((a) => a.username === u.username)), ...added]
    .map((u) => changed[u.username] || u);
  const opened = open && items.find((u) => u.username === open.username);
  const change = (x) => setChanged((c) => ({ ...c, [x.username]: x }));
  usePageTitle(t('users.title'));
  useAnnounce(notice);

  return html`
    <h1>${t('users.title')}</h1>
    <p class="muted">${t('users.intro')}</p>
    ${notice && html`<p class="success" data-testid="users-notice">${notice}</p>`}
    ${oneTime && html`<${OneTimePassword} shown=${oneTime} onClose=${() => setOneTime(null)} />`}
    ${opened && open.mode === 'edit' && html`<${EditUser} key=${'edit-' + opened.username} u=${opened}
        onCancel=${() => setOpen(null)}
        onSaved=${(x) => { change(x); setOpen(null); setNotice(t('users.saved', { name: x.display_name || x.username })); }} />`}
    ${opened && open.mode === 'access' && html`<${UserAccess} key=${'access-' + opened.username} u=${opened}
        onClose=${() => setOpen(null)} />`}
    <p><button type="button" class="button primary" data-testid="users-add" aria-expanded=${adding ? 'true' : 'false'}
        onClick=${() => { setAdding(!adding); setNotice(''); }}>${t('users.add')}</button></p>
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
            ${items.map((u) => html`<${UserRow} key=${u.username} u=${u} onChanged=${change}
                onOpen=${(mode) => { setOpen({ username: u.username, mode }); setNotice(''); }}
                onReset=${(x, password) => { change(x); setOpen(null); setOneTime({ name: x.display_name || x.username, password }); }} />`)}
          </tbody>
        </table>`}
    </section>`;
}

// What is said once a user was disabled or enabled.
const DONE = { disable: 'users.disabled_done', enable: 'users.enabled_done' };

function UserRow({ u, onChanged, onOpen, onReset }) {
  const { lang, user } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useAnnounce(error, { assertive: true });
  const name = u.display_name || u.username;
  // run: one action on her; true once done.
  const run = async (what, done) => {
    setBusy(true);
    setError('');
    try {
      done(await post(`/users/${encodeURIComponent(u.username)}/${what}`, {}));
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const act = (what) => run(what, (x) => { onChanged(x); announce(t(DONE[what], { name })); });
  const reset = () => run('password-reset', (r) => onReset(r.user, r.password));
  // her own row and an erased account offer nothing
  const actionable = !u.erased && !(user && user.username === u.username);
  return html`
    <tr data-testid="user-row" data-username=${u.username} data-disabled=${u.disabled ? 'true' : 'false'}>
      <td data-label=${t('users.username')}><span class="code">${u.username}</span></td>
      <td data-label=${t('users.display_name')}>${u.display_name}</td>
      <td data-label=${t('users.unit')}>
        ${u.unit && html`<a href=${unitHref(u.unit.code)}>${unitName(u.unit, lang)}</a>
          <span class="code muted"> ${u.unit.code}</span>`}
      </td>
      <td data-label=${t('users.roles')}>${(u.roles || []).map(roleName).join(', ')}
        ${u.person_id && html`<span class="node-meta" data-testid="user-person">
          <a href=${href(`/members/${u.person_id}`)}>${t('users.member_of', { id: u.person_id })}</a></span>`}</td>
      <td data-label=${t('users.state')}>
        <span class=${u.disabled ? 'badge state-revoked' : 'badge state-active'} data-testid="user-state">
          ${u.disabled ? t('users.disabled') : t('users.active')}</span>
        ${u.must_change_password && html` <span class="badge" data-testid="user-must-change">${t('users.must_change')}</span>`}
        ${u.created_at && html`<span class="node-meta">${t('users.since', { date: formatDateTime(u.created_at, lang) })}</span>`}
      </td>
      <td class="actions">
        ${actionable && html`
          <button type="button" class="button small" data-testid="user-edit" onClick=${() => onOpen('edit')}
            aria-label=${`${t('users.edit')}: ${name}`}>${t('users.edit')}</button>
          <button type="button" class="button small" data-testid="user-access" onClick=${() => onOpen('access')}
            aria-label=${`${t('users.access')}: ${name}`}>${t('users.access')}</button>
          <${ConfirmButton} label=${t('users.reset')} testid="user-reset" question=${t('users.reset_confirm', { name })}
            busy=${busy} onConfirm=${reset} danger=${false} small />`}
        ${!actionable ? null : u.disabled
          ? html`<button type="button" class="button small" data-testid="user-enable" disabled=${busy}
              onClick=${() => act('enable')}>${t('users.enable')}</button>`
          : html`<${ConfirmButton} label=${t('users.disable')} testid="user-disable" busy=${busy} small
              question=${t('users.disable_confirm', { name })} onConfirm=${() => act('disable')} />`}
        ${error && html`<p class="form-error">${error}</p>`}
      </td>
    </tr>`;
}

const EMPTY = { username: '', display_name: '', unit: '', person_id: '' };
const FIELDS = ['username', 'display_name', 'unit', 'roles', 'password', 'person_id'];

// The member record's number as typed: '' (none), or a whole number.
const personError = (text) => (text.trim() && !/^[0-9]{1,15}$/.test(text.trim()) ? t('users.person_id_bad') : null);
const personValue = (text) => (text.trim() ? Number(text.trim()) : null);

// PersonField: the number of her member record, for a member's own account.
function PersonField({ id, value, onInput, error }) {
  return html`<${Field} id=${id} label=${t('users.person_id')} value=${value} onInput=${onInput}
    error=${error} hint=${t('users.person_id_hint')} inputmode="numeric" autocomplete="off" spellcheck="false" />`;
}

function CreateUser({ onCreated, onCancel }) {
  const { user } = useApp();
  const heading = useDialogFocus();
  const form = useRef(null);
  const [v, setV, clearV] = useDraft('user-new', { ...EMPTY, unit: (user.unit && user.unit.code) || '' });
  const [roles, setRoles, clearRoles] = useDraft('user-new-roles', ['viewer']);
  // (her first password is never kept as a draft)
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k) => (value) => setV((o) => ({ ...o, [k]: value }));

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    const local = {};
    for (const k of ['username', 'display_name', 'unit']) {
      if (!v[k].trim()) local[k] = t('form.required');
    }
    if (!roles.length) local.roles = t('users.roles_required');
    if (!password.trim()) local.password = t('form.required');
    if (personError(v.person_id)) local.person_id = personError(v.person_id);
    setErrors(local);
    setFormError('');
    if (Object.keys(local).length) { refuse(form); return; }
    setBusy(true);
    try {
      const created = await post('/users', {
        username: v.username.trim(),
        display_name: v.display_name.trim(),
        unit: v.unit.trim(),
        roles,
        password,
        ...(personValue(v.person_id) ? { person_id: personValue(v.person_id) } : {}),
      });
      clearV();
      clearRoles();
      onCreated(created);
    } catch (err) {
      const fe = fieldErrors(err);
      if (err.code === 'username_taken' && !fe.username) fe.username = errorText(err);
      if (err.code === 'person_linked' && !fe.person_id) fe.person_id = errorText(err);
      setErrors(fe);
      if (!FIELDS.some((k) => k in fe)) setFormError(errorText(err));
      refuse(form);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <section class="panel" aria-labelledby="user-new-heading">
      <h2 id="user-new-heading" ref=${heading}>${t('users.new')}</h2>
      <form class="form" data-testid="user-form" onSubmit=${submit} novalidate ref=${form}>
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
        <${Field} id="user-password" label=${t('users.password')} type="password" value=${password}
          onInput=${setPassword} error=${errors.password} hint=${t('password.hint')}
          autocomplete="new-password" required />
        <${PersonField} id="user-person" value=${v.person_id} onInput=${set('person_id')} error=${errors.person_id} />
        <${FormError} message=${formError} />
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="user-create" disabled=${busy}>
            ${t('users.create')}</button>
          <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
        </div>
      </form>
    </section>`;
}

// OneTimePassword: the password a reset gave, shown once, with a warning.
function OneTimePassword({ shown, onClose }) {
  const heading = useDialogFocus();
  return html`
    <section class="panel secret" data-testid="user-reset-panel" aria-labelledby="reset-heading">
      <h2 id="reset-heading" ref=${heading}>${t('users.reset_title', { name: shown.name })}</h2>
      <p class="warning">${t('users.reset_warning')}</p>
      <p class="secret-row">
        <label class="sr-only" for="user-reset-password">${t('users.reset_secret')}</label>
        <input id="user-reset-password" class="secret-value" data-testid="user-reset-password" readonly
          value=${shown.password} spellcheck="false" autocomplete="off" onFocus=${(e) => e.currentTarget.select()} />
      </p>
      <div class="form-actions">
        <button type="button" class="button" data-testid="user-reset-close" onClick=${onClose}>${t('users.close')}</button>
      </div>
    </section>`;
}

const EDIT_FIELDS = ['display_name', 'unit', 'roles', 'person_id'];

// EditUser: her display name, unit, roles and member record; only what
// changed is sent.
function EditUser({ u, onSaved, onCancel }) {
  const heading = useDialogFocus();
  const form = useRef(null);
  const [v, setV, clearV] = useDraft(`user-edit-${u.username}`, {
    display_name: u.display_name || '', unit: (u.unit && u.unit.code) || '', person_id: u.person_id ? String(u.person_id) : '',
  });
  const [roles, setRoles, clearRoles] = useDraft(`user-edit-roles-${u.username}`, u.roles || []);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k) => (value) => setV((o) => ({ ...o, [k]: value }));

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    const local = {};
    if (!v.display_name.trim()) local.display_name = t('form.required');
    if (!v.unit.trim()) local.unit = t('form.required');
    if (!roles.length) local.roles = t('users.roles_required');
    if (personError(v.person_id)) local.person_id = personError(v.person_id);
    setErrors(local);
    setFormError('');
    if (Object.keys(local).length) { refuse(form); return; }
    const body = {};
    if (personValue(v.person_id) !== (u.person_id || null)) body.person_id = personValue(v.person_id);
    if (v.display_name.trim() !== u.display_name) body.display_name = v.display_name.trim();
    if (!u.unit || v.unit.trim() !== u.unit.code) body.unit = v.unit.trim();
    const same = roles.length === (u.roles || []).length && roles.every((r) => u.roles.includes(r));
    if (!same) body.roles = roles;
    setBusy(true);
    try {
      const saved = await request('PATCH', `/users/${encodeURIComponent(u.username)}`, { body });
      clearV();
      clearRoles();
      onSaved(saved);
    } catch (err) {
      const fe = fieldErrors(err);
      if (err.code === 'person_linked' && !fe.person_id) fe.person_id = errorText(err);
      setErrors(fe);
      if (!EDIT_FIELDS.some((k) => k in fe)) setFormError(errorText(err));
      refuse(form);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <section class="panel" aria-labelledby="user-edit-heading">
      <h2 id="user-edit-heading" ref=${heading}>
        ${t('users.edit_title', { name: u.username })}</h2>
      <form class="form" data-testid="user-edit-form" onSubmit=${submit} novalidate ref=${form}>
        <${Field} id="user-edit-display-name" label=${t('users.display_name')} value=${v.display_name}
          onInput=${set('display_name')} error=${errors.display_name} autocomplete="off" required />
        <${Field} id="user-edit-unit" label=${t('users.unit_code')} value=${v.unit} onInput=${set('unit')}
          error=${errors.unit} hint=${t('users.unit_change_hint')} autocomplete="off" spellcheck="false" required />
        <${UnitLookup} code=${v.unit.trim()} />
        <${RoleChecks} id="user-edit-role" legend=${t('users.roles')} roles=${ROLES} value=${roles}
          onChange=${setRoles} error=${errors.roles} nameOf=${roleName} />
        <${PersonField} id="user-edit-person" value=${v.person_id} onInput=${set('person_id')} error=${errors.person_id} />
        <${FormError} message=${formError} />
        <div class="form-actions">
          <button type="submit" class="button primary" data-testid="user-save" disabled=${busy}>
            ${t('users.save')}</button>
          <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
        </div>
      </form>
    </section>`;
}

// UserAccess: her live sessions and her API tokens, each to end or revoke.
function UserAccess({ u, onClose }) {
  const { lang } = useApp();
  const heading = useDialogFocus();
  const base = `/users/${encodeURIComponent(u.username)}`;
  const sessions = useAsync((s) => get(`${base}/sessions`, undefined, s), [u.username]);
  const tokens = useAsync((s) => get(`${base}/tokens`, undefined, s), [u.username]);
  const [done, setDone] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useAnnounce(done);
  useAnnounce(error, { assertive: true });
  const act = async (path, message, reload) => {
    setBusy(true);
    setError('');
    setDone('');
    try {
      await del(path);
      setDone(message);
      reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const live = ((tokens.data && tokens.data.items) || []).filter((x) => !x.revoked_at);
  const sess = (sessions.data && sessions.data.items) || [];
  return html`
    <section class="panel" data-testid="user-access-panel" aria-labelledby="user-access-heading">
      <h2 id="user-access-heading" ref=${heading}>
        ${t('users.access_title', { name: u.display_name || u.username })}</h2>
      ${done && html`<p class="success" data-testid="user-access-done">${done}</p>`}
      ${error && html`<p class="form-error">${error}</p>`}
      <h3>${t('users.sessions')}</h3>
      ${sessions.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${sessions.error} onRetry=${sessions.reload} />
      ${sessions.data && !sess.length && html`<p class="muted">${t('users.sessions_none')}</p>`}
      <ul class="plain-list" role="list">
        ${sess.map((x) => html`
          <li key=${x.id} data-testid="user-session">
            <span>${t('users.session_started')}: ${formatDateTime(x.created_at, lang)}</span>
            <span class="node-meta"> · ${t('users.session_seen')}: ${formatDateTime(x.last_seen_at, lang)}</span>
            <span class="node-meta"> · ${t('users.session_addr')}: <span class="code">${x.client_addr}</span></span>
            ${x.current
              ? html` <span class="badge">${t('users.session_current')}</span>`
              : html` <button type="button" class="button small danger" data-testid="user-session-end" disabled=${busy}
                  onClick=${() => act(`${base}/sessions/${x.id}`, t('users.session_ended'), sessions.reload)}>
                  ${t('users.session_end')}</button>`}
          </li>`)}
      </ul>
      <h3>${t('users.tokens')}</h3>
      ${tokens.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${tokens.error} onRetry=${tokens.reload} />
      ${tokens.data && !live.length && html`<p class="muted">${t('users.tokens_none')}</p>`}
      <ul class="plain-list" role="list">
        ${live.map((x) => html`
          <li key=${x.id} data-testid="user-token">
            <span>${x.name}</span>
            <span class="node-meta"> · ${(x.roles || []).map(roleName).join(', ')}</span>
            <span class="node-meta"> · ${t('tokens.last_used')}: ${x.last_used_at ? formatDateTime(x.last_used_at, lang) : t('tokens.not_used')}</span>
            <button type="button" class="button small danger" data-testid="user-token-revoke" disabled=${busy}
              onClick=${() => act(`${base}/tokens/${x.id}`, t('users.token_revoked', { name: x.name }), tokens.reload)}>
              ${t('tokens.revoke')}</button>
          </li>`)}
      </ul>
      <div class="form-actions">
        <button type="button" class="button" data-testid="user-access-close" onClick=${onClose}>${t('users.close')}</button>
      </div>
    </section>`;
}
