// layout: the frame around every page: a skip link, the header (app name,
// language switch, the user menu; navigation and the as-of date picker once
// someone is logged in) and the main area.
// On a phone (narrower than 40rem) the navigation folds away behind a
// "Menu" disclosure button (aria-expanded, aria-controls): the header is
// two short rows instead of half the screen. Folded, the list is not shown
// (display: none: out of the tab order and the accessibility tree); it
// opens under the button, closes on Escape (focus back on the button) and
// when a page is chosen. Wider, the button is not shown and the list always
// is. A navigation of one entry (a member's own account) is never folded.
// Navigation entries come from the routes that declare a `nav` key; those
// marked `admin` (or `perm`) are listed for admins (holders of it) only. `dated` shows the as-of picker
// (pages whose data do not depend on a date leave it out).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn, setLang } from '../lib/i18n.js';
import { LANGS } from '../lib/config.js';
import { useApp } from '../lib/context.js';
import { href, navigate } from '../lib/router.js';
import { isIsoDate, formatDateTime } from '../lib/dates.js';
import { useDateText } from './date-field.js';
import { UserMenu } from './user-menu.js';
import { useSession, dismissFailedLogins } from '../lib/session.js';
import { mayOpen, memberOnly, ownRecord } from '../lib/roles.js';
import { useAnnouncement, useAnnounce } from '../lib/announce.js';

// The navigation of a member's own account: her record (its card is on it).
function memberEntries(user) {
  const mine = ownRecord(user);
  return mine ? [{ path: `/members/${mine}`, nav: 'nav.my_record', testid: 'nav-my-record' }] : [];
}

export function Layout({ routes, section: routeSection, dated, children }) {
  const { loc, asOfParam, user } = useApp();
  const own = user && routes && memberOnly(user);
  const entries = !user || !routes ? [] : own ? memberEntries(user) : routes.filter((r) => r.nav && mayOpen(r, user));
  // her record's entry stands for her record and its card
  const mineAt = own && entries.length ? entries[0].path : null;
  const section = mineAt && (loc.path === mineAt || loc.path.startsWith(`${mineAt}/`)) ? mineAt : routeSection;
  const menu = useMenu(loc.path);
  const folds = entries.length > 1;
  return html`
    <a class="skip" href="#main" onClick=${skipToMain}>${t('skip.main')}</a>
    <header class="app-header">
      <div class="bar">
        <a class="brand" href=${href('/', { as_of: asOfParam })}>
          <span class="brand-name">${t('app.name')}</span>
          <span class="brand-tagline">${t('app.tagline')}</span>
        </a>
        <div class="bar-end">
          <${LangSwitch} />
          ${user && html`<${UserMenu} user=${user} />`}
        </div>
      </div>
      ${user && html`
        <div class="bar bar-nav">
          ${folds && html`
            <button type="button" class="button menu-toggle" data-testid="menu-toggle" ref=${menu.button}
                aria-expanded=${menu.open ? 'true' : 'false'} aria-controls="app-nav"
                onClick=${() => menu.setOpen(!menu.open)}>
              <span class="menu-icon" aria-hidden="true"></span>${t('nav.menu')}${entries
                .filter((r) => r.badge).map((r) => html`<${r.badge} key=${r.path} testid="menu-badge" />`)}</button>`}
          <nav id="app-nav" aria-label=${t('nav.label')} onKeyDown=${menu.onKeyDown}
              class=${folds ? (menu.open ? 'folds open' : 'folds') : undefined}>
            <ul role="list">
              ${entries.map((r) => html`
                <li key=${r.path}>
                  <a href=${href(r.path, { as_of: asOfParam })} data-testid=${r.testid}
                     aria-current=${section === r.path ? (loc.path === r.path ? 'page' : 'true') : undefined}
                     class=${section === r.path ? 'current' : undefined}>${t(r.nav)}${r.badge && html`<${r.badge} />`}</a>
                </li>`)}
            </ul>
          </nav>
          ${dated && html`<${AsOfPicker} loc=${loc} />`}
        </div>`}
    </header>
    <main id="main" tabindex="-1">
      ${user && html`<${FailedLoginsNotice} />`}
      ${children}
    </main>
    <${LiveRegion} />
  `;
}

// useMenu: the phone's navigation menu: open or folded, folded again when
// the page changes; Escape inside it folds it and gives focus back to its
// button.
function useMenu(path) {
  const [open, setOpen] = useState(false);
  const button = useRef(null);
  useEffect(() => setOpen(false), [path]);
  const onKeyDown = (e) => {
    if (e.key !== 'Escape' || !open) return;
    setOpen(false);
    if (button.current) button.current.focus();
  };
  return { open, setOpen, button, onKeyDown };
}

// LiveRegion: the one place where errors and the results of actions are
// said to screen readers (pages call lib/announce.js). Both regions stay on
// the page (a region that appears with its message is not read); each
// message is a new paragraph, so the same words twice are said twice.
function LiveRegion() {
  const messages = useAnnouncement();
  const said = (assertive) => messages.filter((m) => m.assertive === assertive)
    .map((m) => html`<p key=${m.n}>${m.text}</p>`);
  return html`
    <div class="sr-only" data-testid="announcer">
      <div role="status" data-testid="announce-polite">${said(false)}</div>
      <div role="alert" data-testid="announce-assertive">${said(true)}</div>
    </div>`;
}

// Guesses at her password since her last log-in: a guesser is held back
// only at his own address, so she is told (and may change her password).
function FailedLoginsNotice() {
  const session = useSession();
  const { lang } = useApp();
  const f = session.status === 'in' ? session.failedLogins : null;
  const text = f ? tn('notice.failed_logins', f.count, { when: formatDateTime(f.last_at, lang) }) : '';
  useAnnounce(text);
  if (!f) return null;
  return html`
    <div class="notice" data-testid="failed-logins">
      <p>${text}</p>
      <p>${t('notice.failed_logins.advice')}
        ${' '}<a href=${href('/account/password')}>${t('menu.password')}</a></p>
      <button type="button" class="button" data-testid="failed-logins-dismiss" onClick=${dismissFailedLogins}>${t('notice.dismiss')}</button>
    </div>`;
}

// The skip link must not change the hash, which is the router's.
function skipToMain(e) {
  e.preventDefault();
  const main = document.getElementById('main');
  if (main) main.focus();
}

function LangSwitch() {
  const { lang } = useApp();
  return html`
    <label class="field lang">
      <span class="field-label">${t('lang.label')}</span>
      <select data-testid="lang-switch" value=${lang} onChange=${(e) => setLang(e.currentTarget.value)}>
        ${LANGS.map((l) => html`<option key=${l} value=${l} lang=${l}>${t(`lang.${l}`)}</option>`)}
      </select>
    </label>`;
}

// AsOfPicker: the date every page shows its data for, kept in the URL's
// as_of. Changing it re-renders the page, whose requests depend on it.
// The date is typed the app's way (31/12/2025; see date-field.js), not in
// the browser's date input, which follows the browser's language. A day
// counts once typed whole (four-digit year, from 1900) and after a short
// pause, so each keystroke does not reload the page; Enter counts at once.
function AsOfPicker({ loc }) {
  const { asOf, asOfParam } = useApp();
  const [draft, setDraft] = useState(isIsoDate(asOf) ? asOf : '');
  // (in the render's own step, not after the paint: a day typed at once
  // would otherwise be written over by the URL's a moment later)
  useLayoutEffect(() => setDraft(isIsoDate(asOf) ? asOf : ''), [asOf]);
  const d = useDateText(draft, setDraft);
  const set = (value) => navigate(loc.path, { ...loc.query, as_of: value || undefined });
  // 9999-12-31 stands for "still holds" in the API, which refuses it as a
  // day to read (too_late): said here, not as a page that cannot load
  const tooLate = isIsoDate(draft) && draft >= '9999-12-31';
  const ready = (v) => isIsoDate(v) && v >= '1900' && v < '9999-12-31' && v !== asOf;
  // (asOf among the causes: a day set by Enter, or "today" pressed, ends
  // the pause of the day typed, which would set it again after that)
  useEffect(() => {
    if (!ready(draft)) return undefined;
    const id = setTimeout(() => set(draft), 400);
    return () => clearTimeout(id);
  }, [draft, asOf]);
  // Enter counts at once, or says at once why it cannot (not only on leaving)
  const onKeyDown = (e) => {
    if (e.key !== 'Enter') return;
    if (ready(draft)) set(draft);
    else if (!tooLate && draft !== asOf) d.onBlur();
  };
  const problem = d.bad ? d.invalid : tooLate ? t('detail.too_late') : '';
  useAnnounce(problem, { assertive: true });
  return html`
    <div class=${asOfParam ? 'asof dated' : 'asof'}>
      <label class="field">
        <span class="field-label">${t('asof.label')}</span>
        <input data-testid="as-of" class="date-input" value=${d.text} inputmode="numeric" autocomplete="off"
          spellcheck="false" placeholder=${t('date.placeholder')} aria-invalid=${problem ? 'true' : undefined}
          aria-describedby=${problem ? 'as-of-error' : undefined}
          onInput=${(e) => d.onInput(e.currentTarget.value)} onBlur=${d.onBlur} onKeyDown=${onKeyDown} />
      </label>
      ${asOfParam && html`<button type="button" class="button small" onClick=${() => set(undefined)}>${t('asof.today')}</button>`}
      ${problem && html`<span class="field-error" id="as-of-error" data-testid="as-of-error">${problem}</span>`}
    </div>`;
}
