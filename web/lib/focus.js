// focus: where keyboard and screen-reader focus goes when the page changes
// under it.
//   focusHeading()     after a navigation or a log-in: the page's h1, once
//                      the page has drawn it (a unit's page draws it after
//                      its data came)
//   useDialogFocus()   a panel or form opened by a button: focus on its
//                      heading while open, back on that button once closed
//   keepFocus(root)    installed once: when the focused element is removed
//                      (a revoked token's button, a reloaded page), focus
//                      goes to a sensible place nearby instead of the
//                      document's start (see rescue below)
import { useLayoutEffect, useRef } from 'preact/hooks';

const SETTLE_MS = 10000;

// focusOn: focus el even if it is not focusable by itself (a heading),
// without scrolling: the page decides the scroll (lib/router.js).
export function focusOn(el) {
  if (!el) return false;
  if (!el.matches('a[href], button, input, select, textarea, [tabindex]')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: true });
  return document.activeElement === el;
}

let pending = null;

// focusHeading: focus the h1 of the main area as soon as there is one. A
// later call replaces an earlier one; she moving focus herself ends it.
export function focusHeading() {
  if (pending) pending();
  const main = document.getElementById('main');
  if (!main) return;
  const start = document.activeElement;
  const attempt = () => {
    const now = document.activeElement;
    if (now && now !== start && now !== document.body && now !== main) return true; // she moved on
    return focusOn(main.querySelector('h1'));
  };
  if (attempt()) return;
  const obs = new MutationObserver(() => { if (attempt()) stop(); });
  const timer = setTimeout(() => stop(), SETTLE_MS);
  const stop = () => { obs.disconnect(); clearTimeout(timer); pending = null; };
  pending = stop;
  obs.observe(main, { childList: true, subtree: true });
}

// useDialogFocus: for a panel opened by a button. Returns the ref for the
// panel's heading, focused when it opens; when it closes with focus inside
// it (or lost with it), focus goes back to the button that opened it.
export function useDialogFocus() {
  const heading = useRef(null);
  // (in the render's own step: moved after the paint, focus could leave a
  // field she had already begun to type in, and her keys go to the heading)
  useLayoutEffect(() => {
    // (a button disabled while its request ran has lost focus: still it)
    const active = document.activeElement;
    const opener = active && active !== document.body ? active : last;
    const panel = heading.current && heading.current.closest('section, form') || heading.current;
    focusOn(heading.current);
    return () => {
      // (Preact may run this after removing the panel, rescue below having
      // found focus a place meanwhile: that place is no choice of hers.)
      const now = document.activeElement;
      const lost = !now || now === document.body || now === rescued || (panel && panel.contains(now));
      setTimeout(() => {
        if (lost && opener && opener.isConnected && opener !== document.body) focusOn(opener);
      }, 0);
    };
  }, []);
  return heading;
}

// What was focused last, with its ancestors at that time (once removed from
// the page, an element no longer knows where it was).
let last = null;
let trail = [];
// The last disclosure button she used (aria-expanded): a form it opened
// and that closed gives focus back to it.
let disclosure = null;
// Where rescue last put focus.
let rescued = null;

function ancestors(el) {
  const out = [];
  for (let p = el.parentElement; p; p = p.parentElement) out.push(p);
  return out;
}

// headingOf: the heading that names a region (a section, a form, the main
// area; the unit page's h1 sits in its article's header).
function headingOf(region) {
  return region.querySelector(region.id === 'main' ? 'h1' : 'h1, h2, h3, h4');
}

// rescue: focus was on an element that is gone. Back to the disclosure
// that opened the closed form (when in the same region), or else to the
// heading of the nearest region still on the page (the list a revoked
// token was in; the page itself once it has reloaded).
function rescue() {
  const active = document.activeElement;
  if (!last || last.isConnected || (active && active !== document.body)) return;
  const region = trail.find((a) => a.isConnected && a.matches('section, form, article, main'));
  if (!region) return;
  const to = region.id !== 'main' && disclosure && region.contains(disclosure)
    && disclosure.getAttribute('aria-expanded') === 'false' ? disclosure : headingOf(region);
  // (the main area's h1 may be still to come: the next change tries again)
  if (focusOn(to)) rescued = to;
}

export function keepFocus(root) {
  document.addEventListener('focusin', (e) => {
    last = e.target;
    trail = ancestors(e.target);
    if (e.target.hasAttribute && e.target.hasAttribute('aria-expanded')) disclosure = e.target;
  });
  new MutationObserver(rescue).observe(root, { childList: true, subtree: true });
}
