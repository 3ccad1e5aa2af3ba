// session: who is using the app. One small store the App subscribes to with
// useSession():
//   {status: 'loading'}                     asking GET /api/v1/session at start
//   {status: 'anon', reason}                show the log-in page; reason is
//                                           'expired' after the session ended
//                                           while in use, else null
//   {status: 'in', user, failedLogins}      user is the API's User object;
//                                           failedLogins the log-in answer's
//                                           failed_logins (null after a reload
//                                           or once she has read it)
//   {status: 'error', error}                the server could not be asked
// The CSRF token from the log-in or GET /session answer is handed to api.js,
// which sends it with every state-changing request; it is kept in memory only.
// Any 401 on an ordinary request (api.js) ends the session here with the
// reason 'expired'; the hash route is left alone, so after logging in again
// the user is back on the page she was on.
import { useEffect, useState } from 'preact/hooks';
import { request, setCsrfToken, onUnauthorized } from './api.js';
import { loadLevels } from './units.js';
import { memberOnly } from './roles.js';

let state = { status: 'loading' };
const listeners = new Set();

function set(next) {
  state = next;
  for (const fn of listeners) fn(state);
}

export function getSession() { return state; }

export function useSession() {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => listeners.delete(setS);
  }, []);
  return s;
}

export function isAdmin(user) {
  return !!(user && Array.isArray(user.roles) && user.roles.includes('admin'));
}

// levelsFor: whether the user may read the tree's levels (unit.read): not
// while a reset password awaits its change, nor a member's own account.
const levelsFor = (user) => !user.must_change_password && !memberOnly(user);

// enter: a log-in or session answer {user, csrf_token}. Level names need a
// caller, so they are loaded now rather than at start-up.
async function enter(answer) {
  setCsrfToken(answer.csrf_token);
  if (levelsFor(answer.user)) await loadLevels().catch(() => {});
  const failed = answer.failed_logins && answer.failed_logins.count > 0 ? answer.failed_logins : null;
  set({ status: 'in', user: answer.user, failedLogins: failed });
}

// dismissFailedLogins: she has read the notice of failed log-ins.
export function dismissFailedLogins() {
  if (state.status === 'in') set({ ...state, failedLogins: null });
}

function leave(reason) {
  setCsrfToken(null);
  set({ status: 'anon', reason: reason || null });
}

// checkSession: at start (and after "try again"): who is logged in, if anyone.
export async function checkSession() {
  set({ status: 'loading' });
  try {
    await enter(await request('GET', '/session', { auth: false }));
  } catch (e) {
    if (e.status === 401) leave(e.code === 'session_expired' ? 'expired' : null);
    else set({ status: 'error', error: e });
  }
}

// refreshSession: read the user and CSRF token again (after a password change,
// which may give the session a new token). A 401 ends the session.
export async function refreshSession() {
  try {
    const answer = await request('GET', '/session', { auth: false });
    setCsrfToken(answer.csrf_token);
    if (state.user && state.user.must_change_password && levelsFor(answer.user)) {
      await loadLevels().catch(() => {});
    }
    set({ status: 'in', user: answer.user, failedLogins: state.failedLogins || null });
    return true;
  } catch (e) {
    if (e.status === 401) { leave('expired'); return false; }
    throw e;
  }
}

// login: throws the ApiError (401 wrong name or password, 429 too many tries).
export async function login(username, password) {
  const answer = await request('POST', '/session', { body: { username, password }, auth: false });
  await enter(answer);
}

// logout: ends the session on the server. A session that is already gone
// (401) counts as logged out; other failures are thrown and nothing changes.
export async function logout() {
  try {
    await request('DELETE', '/session', { auth: false });
  } catch (e) {
    if (e.status !== 401) throw e;
  }
  leave(null);
}

// The session ended while the app was in use.
onUnauthorized(() => {
  if (state.status === 'in') leave('expired');
});
