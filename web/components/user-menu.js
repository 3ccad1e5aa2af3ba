// user-menu: the logged-in user in the header (display name and unit) and a
// menu with "change password", "API tokens" and "log out". A disclosure
// button and a plain list of links: it closes on Escape, on a click outside
// and after choosing an entry.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { useApp } from '../lib/context.js';
import { href, navigate } from '../lib/router.js';
import { logout } from '../lib/session.js';
import { unitName } from '../lib/units.js';
import { roleName } from '../lib/roles.js';
import { errorMessage } from '../lib/errors.js';
import { useAnnounce } from '../lib/announce.js';

export function UserMenu({ user }) {
  const { lang, loc } = useApp();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const root = useRef(null);
  const button = useRef(null);
  useAnnounce(error, { assertive: true });

  // Close on a click outside or Escape (focus back on the button).
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e) => { if (root.current && !root.current.contains(e.target)) setOpen(false); };
    const onKey = (e) => {
      if (e.key === 'Escape') {
        setOpen(false);
        if (button.current) button.current.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  // ... and when the page changes.
  useEffect(() => setOpen(false), [loc.path]);

  const doLogout = async () => {
    setBusy(true);
    setError(null);
    try {
      await logout();
      // The next person to log in starts at the tree, not on this page.
      navigate('/', {});
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  const unit = unitName(user.unit, lang);
  const name = user.display_name || user.username;
  return html`
    <div class="user-menu" ref=${root}>
      <button type="button" class="user-button" data-testid="user-menu" ref=${button}
          aria-expanded=${open ? 'true' : 'false'} aria-controls="user-menu-panel"
          onClick=${() => setOpen(!open)}>
        <span class="user-button-name" data-testid="user-name">${name}</span>
        <span class="user-button-unit" data-testid="user-unit">${unit}</span>
        <span class="sr-only">${t('menu.open')}</span>
      </button>
      ${open && html`
        <div class="user-menu-panel" id="user-menu-panel">
          <p class="user-menu-who">
            <strong>${name}</strong>
            <span class="muted">${user.username}</span>
            <span class="muted">${unit}${user.unit && user.unit.code ? ` · ${user.unit.code}` : ''}</span>
            <span class="muted">${(user.roles || []).map(roleName).join(', ')}</span>
          </p>
          <ul role="list" class="plain">
            <li><a href=${href('/account/password')} data-testid="menu-password"
                onClick=${() => setOpen(false)}>${t('menu.password')}</a></li>
            <li><a href=${href('/account/tokens')} data-testid="menu-tokens"
                onClick=${() => setOpen(false)}>${t('menu.tokens')}</a></li>
            <li><button type="button" class="button" data-testid="logout" disabled=${busy}
                onClick=${doLogout}>${t('menu.logout')}</button></li>
          </ul>
          ${error && html`<p class="form-error">${error}</p>`}
        </div>`}
    </div>`;
}
