// router: hash-based routing. A location is "#/path?query", e.g.
// "#/units/24?as_of=2025-06-01". Routes are declared in ../routes.js as
// {path: '/units/:code', page: Component}; the matched page receives
// {params, query}. The as-of date travels in the query so links are shareable.
//
// Back shows a page as she left it: every history entry gets an id (in
// history.state), under which useViewState keeps what a page wants kept
// (the tree's open branches) and trackEntries the scroll position, in
// sessionStorage. Going back, the scroll is restored once the page has
// loaded its data (the browser's own restoration comes too early: the
// page is still empty then).
import { useEffect, useRef, useState } from 'preact/hooks';

const EVENT = 'unionbase:navigate';

export function parseLocation(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const i = raw.indexOf('?');
  const path = (i < 0 ? raw : raw.slice(0, i)) || '/';
  const query = Object.fromEntries(new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)));
  return { path: path.startsWith('/') ? path : '/' + path, query };
}

// href: "#/path?k=v", leaving out empty values.
export function href(path, query) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return '#' + path + (s ? '?' + s : '');
}

// navigate: go to path?query. replace: true rewrites the current history
// entry (used while typing in the search box) instead of adding one.
export function navigate(path, query, { replace = false } = {}) {
  const target = href(path, query);
  if (target === (location.hash || '#/')) return;
  if (replace) {
    history.replaceState(history.state, '', target);
    window.dispatchEvent(new Event(EVENT));
  } else {
    location.hash = target;
  }
}

export function useLocation() {
  const [loc, setLoc] = useState(parseLocation);
  useEffect(() => {
    const update = () => setLoc(parseLocation());
    window.addEventListener('hashchange', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

// match: the first route whose pattern fits path, with its decoded params.
export function match(routes, path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pat = route.path.split('/').filter(Boolean);
    if (pat.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pat.length && ok; i++) {
      if (pat[i].startsWith(':')) {
        try { params[pat[i].slice(1)] = decodeURIComponent(parts[i]); } catch (e) { ok = false; }
      } else if (pat[i] !== parts[i]) {
        ok = false;
      }
    }
    if (ok) return { route, params };
  }
  return null;
}

const VIEW = 'unionbase.view.';
const RESTORE_MS = 5000;
let seq = 0;

// entryId: the current history entry's id, given one on first sight.
function entryId() {
  let id = history.state && history.state.entry;
  if (!id) {
    id = `${Date.now().toString(36)}.${(seq++).toString(36)}`;
    history.replaceState({ ...(history.state || {}), entry: id }, '');
  }
  return id;
}

function readView(id) {
  try { return JSON.parse(sessionStorage.getItem(VIEW + id)) || {}; } catch (e) { return {}; }
}

function writeView(id, name, value) {
  try {
    sessionStorage.setItem(VIEW + id, JSON.stringify({ ...readView(id), [name]: value }));
  } catch (e) { /* storage full or off: Back shows the page afresh */ }
}

// useViewState: like useState, but kept with this history entry: Back to
// it starts from the value she left.
export function useViewState(name, initial) {
  const [id] = useState(entryId);
  const [value, setValue] = useState(() => {
    const kept = readView(id)[name];
    return kept === undefined ? initial : kept;
  });
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    writeView(id, name, value);
  }, [value]);
  return [value, setValue];
}

let stopRestore = () => {};

// restoreScroll: scroll to y once the main area shows no loading sign any
// more (or after RESTORE_MS); she scrolling or typing first wins.
function restoreScroll(y) {
  stopRestore();
  if (!y) { window.scrollTo(0, 0); return; }
  const deadline = Date.now() + RESTORE_MS;
  let frame = 0;
  let frames = 0;
  const stop = () => {
    cancelAnimationFrame(frame);
    for (const ev of ['wheel', 'keydown', 'touchstart', 'mousedown']) window.removeEventListener(ev, stop);
  };
  const step = () => {
    // (the first frames still show the page she came from)
    const settled = ++frames > 2 && !document.querySelector('#main .loading');
    if (settled || Date.now() > deadline) { stop(); window.scrollTo(0, y); return; }
    frame = requestAnimationFrame(step);
  };
  for (const ev of ['wheel', 'keydown', 'touchstart', 'mousedown']) window.addEventListener(ev, stop, { passive: true });
  stopRestore = stop;
  frame = requestAnimationFrame(step);
}

// trackEntries: remember each entry's scroll; on arriving at an entry seen
// before (Back, Forward, a reload) go back to it, at a new one to the top.
export function trackEntries() {
  history.scrollRestoration = 'manual';
  // Written a moment after the scrolling stops, and at once when the
  // entry changes meanwhile (so the page left keeps its place).
  let pending = null;
  let timer = 0;
  const flush = () => { clearTimeout(timer); if (pending) writeView(pending.id, 'scroll', pending.y); pending = null; };
  window.addEventListener('scroll', () => {
    const id = entryId();
    if (pending && pending.id !== id) flush();
    pending = { id, y: Math.round(window.scrollY) };
    clearTimeout(timer);
    timer = setTimeout(flush, 100);
  }, { passive: true });
  const arrive = () => {
    const seen = !!(history.state && history.state.entry);
    restoreScroll(seen ? readView(entryId()).scroll : 0);
  };
  window.addEventListener('hashchange', arrive);
  arrive();
}
