// app: the entry point. Loads the dictionaries, asks the server who is logged
// in (GET /api/v1/session), then renders either the log-in page or the layout
// with the page the hash location names (see routes.js). The log-in page
// leaves the hash alone, so logging in (again, after the session expired)
// lands on the page that was asked for.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './lib/html.js';
import { loadI18n, getLang, onLangChange, t } from './lib/i18n.js';
import { AppContext, useApp } from './lib/context.js';
import { useLocation, match, href, navigate, trackEntries } from './lib/router.js';
import { today, isIsoDate } from './lib/dates.js';
import { useSession, checkSession, isAdmin } from './lib/session.js';
import { mayOpen, memberOnly, ownRecord } from './lib/roles.js';
import { usePageTitle } from './lib/hooks.js';
import { focusHeading, keepFocus } from './lib/focus.js';
import { useAnnounce } from './lib/announce.js';
import { routes } from './routes.js';
import { Layout } from './components/layout.js';
import { Loading, ErrorBox } from './components/status.js';
import { NotFoundPage } from './pages/not-found.js';
import { LoginPage } from './pages/login.js';
import { PasswordPage } from './pages/password.js';

// MemberHome: the home of a member's own account: her record, where the
// App sends her; an account not linked to a record yet (an admin links it
// on the users page) is told so.
function MemberHome() {
  const { user } = useApp();
  usePageTitle(t('nav.my_record'));
  if (ownRecord(user)) return html`<${Loading} />`;
  return html`
    <h1>${t('nav.my_record')}</h1>
    <p class="notice" data-testid="member-unlinked">${t('member.unlinked')}</p>`;
}

function App() {
  const loc = useLocation();
  const session = useSession();
  const [lang, setLang] = useState(getLang());
  useEffect(() => onLangChange(setLang), []);

  const user = session.status === 'in' ? session.user : null;
  const admin = isAdmin(user);
  const m = user ? match(routes, loc.path) : null;
  // A page for admins (or for the holders of a permission) is, for anyone
  // else, a page that does not exist.
  const route = m && mayOpen(m.route, user, m.params) ? m.route : null;
  // A member's own account opens on her record ("Hồ sơ của tôi"); one not
  // linked to a record yet has nothing to show but a word about it.
  const home = user && memberOnly(user) && loc.path === '/';
  const mine = ownRecord(user);
  useEffect(() => {
    if (home && mine) navigate(`/members/${mine}`, {}, { replace: true });
  }, [home, mine]);
  const Page = home ? MemberHome : route ? route.page : NotFoundPage;
  // A date in the URL that is not a day (#/?as_of=2025-02-30) is not sent to
  // the API: the page says so in her language and offers today instead.
  const badAsOf = loc.query.as_of && !isIsoDate(loc.query.as_of) ? loc.query.as_of : null;
  const asOfParam = (!badAsOf && loc.query.as_of) || undefined;
  const ctx = { lang, loc, asOfParam, asOf: asOfParam || today(), user, admin };

  // The pages name themselves (usePageTitle); these states are the App's own.
  usePageTitle(session.status === 'error' ? t('status.error') : user && badAsOf ? t('asof.bad_title') : null);
  useAnnounce(user && badAsOf ? t('asof.bad', { value: badAsOf }) : '', { assertive: true });

  // After moving to another page (not on first load, not on a query change)
  // and after logging in, focus goes to the new page's h1 (lib/focus.js).
  const last = useRef({ path: loc.path, status: session.status });
  useEffect(() => {
    const moved = last.current.path !== loc.path;
    const loggedIn = last.current.status === 'anon' && session.status === 'in';
    last.current = { path: loc.path, status: session.status };
    if ((moved || loggedIn) && session.status === 'in') focusHeading();
  }, [loc.path, session.status]);

  let body;
  if (session.status === 'loading') {
    body = html`<${Layout}><${Loading} /></${Layout}>`;
  } else if (session.status === 'error') {
    body = html`<${Layout}><${ErrorBox} error=${session.error} onRetry=${checkSession} /></${Layout}>`;
  } else if (session.status === 'anon') {
    body = html`<${Layout}><${LoginPage} reason=${session.reason} /></${Layout}>`;
  } else if (user.must_change_password) {
    // An admin reset her password: the server answers nothing else until
    // she changes it (403 password_change_required), so neither does the app.
    body = html`<${Layout} dated=${false}><${PasswordPage} forced /></${Layout}>`;
  } else if (badAsOf) {
    body = html`
      <${Layout} routes=${routes} section=${route ? route.section || route.path : null} dated=${true}>
        <h1>${t('asof.bad_title')}</h1>
        <div class="error" data-testid="as-of-bad">
          <p class="error-message">${t('asof.bad', { value: badAsOf })}</p>
          <p><a href=${href(loc.path, { ...loc.query, as_of: undefined })}>${t('asof.show_today')}</a></p>
        </div>
      </${Layout}>`;
  } else {
    body = html`
      <${Layout} routes=${routes} section=${route ? route.section || route.path : null}
          dated=${!route || route.dated !== false}>
        <${Page} key=${loc.path} params=${m ? m.params : {}} query=${loc.query} />
      </${Layout}>`;
  }
  return html`<${AppContext.Provider} value=${ctx}>${body}</${AppContext.Provider}>`;
}

async function start() {
  const root = document.getElementById('app');
  try {
    await loadI18n();
  } catch (e) {
    // No dictionary, so no words to say it with: plain text, both languages.
    root.textContent = `unionbase: không tải được giao diện / the interface could not be loaded (${e.message})`;
    return;
  }
  root.textContent = '';
  trackEntries();
  keepFocus(root);
  render(html`<${App} />`, root);
  checkSession();
}

start();
