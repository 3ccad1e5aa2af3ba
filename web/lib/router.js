// router: hash-based routing. A location is "#/path?query", e.g.
// "#/units/24?as_of=2025-06-01". Routes are declared in ../routes.js as
// {path: '/units/:code', page: Component}; the matched page receives
// {params, query}. The as-of date travels in the query so links are shareable.
import { useEffect, useState } from 'preact/hooks';

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
