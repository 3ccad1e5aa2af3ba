// hooks: small Preact hooks shared by pages.
import { useEffect, useLayoutEffect, useState, useCallback, useRef } from 'preact/hooks';
import { getSession } from './session.js';
import { parseLocation } from './router.js';
import { t } from './i18n.js';

// useAsync: run load(signal) whenever deps change; returns
// {loading, data, error, reload, setData}. A newer run aborts the older one, so a
// slow answer for an old date never overwrites the answer for the new date.
// setData(data) puts in what an action answered, without the loading state
// (which would take the page, and focus, away meanwhile).
export function useAsync(load, deps) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState({ loading: true, data: null, error: null });
    load(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ loading: false, data, error: null }); },
      (error) => { if (!ctl.signal.aborted) setState({ loading: false, data: null, error }); },
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback((data) => setState({ loading: false, data, error: null }), []);
  return { ...state, reload, setData };
}

// usePageTitle: the document's title for this page ("Xã Phù Khê — unionbase"),
// in her language; nothing while page is empty. A layout effect: set in the
// same task as the page's new words, so a change of language never leaves
// the old language's title behind a page already drawn in the new one (CI
// read "Nhập danh sách hội viên" on the English import page).
export function usePageTitle(page) {
  useLayoutEffect(() => { if (page) document.title = t('page.title', { page }); }, [page]);
}

// useDebounced: value, but only after it has stayed the same for ms.
export function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

// useCursorList: a paged API list ({items, next}). fetchPage(cursor, signal)
// returns one page; the list restarts when deps change and grows with
// loadMore(). Returns {items, next, loading, error, loadMore, reload}.
export function useCursorList(fetchPage, deps) {
  const [state, setState] = useState({ items: [], next: null, loading: true, error: null });
  const ctl = useRef(null);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  const load = useCallback((cursor, append) => {
    if (ctl.current) ctl.current.abort();
    const c = new AbortController();
    ctl.current = c;
    setState((s) => ({ ...s, items: append ? s.items : [], next: append ? s.next : null, loading: true, error: null }));
    fetchRef.current(cursor, c.signal).then(
      (page) => {
        if (c.signal.aborted) return;
        setState((s) => ({
          items: append ? s.items.concat(page.items || []) : page.items || [],
          next: page.next || null,
          loading: false,
          error: null,
        }));
      },
      (error) => {
        if (c.signal.aborted) return;
        setState((s) => ({ ...s, loading: false, error }));
      },
    );
  }, []);

  useEffect(() => {
    load(undefined, false);
    return () => { if (ctl.current) ctl.current.abort(); };
  }, deps);

  return {
    ...state,
    loadMore: () => state.next && load(state.next, true),
    reload: () => load(undefined, false),
  };
}

// Drafts: what she has typed into the forms of the page she is on, kept in
// memory only while the log-in page stands in for it because her session
// expired, so that after logging in again she finds the form as she left
// it. Keyed by her user name, the route and the field; dropped when the form
// goes away for any other reason (she left the page, logged out, sent it:
// see clear). Never for passwords or token secrets: those forms keep them
// in plain useState.
const drafts = new Map();
let draftsOf = null;

function draftKey(name) {
  const s = getSession();
  const user = s.status === 'in' ? s.user.username : null;
  // Another person logging in finds nothing of hers.
  if (user !== draftsOf) { drafts.clear(); draftsOf = user; }
  return `${parseLocation().path}\n${name}`;
}

// useDraft: useState for a form's value that survives a session expiry.
// Returns [value, set, clear]; clear() after a successful submit puts back
// the initial value.
export function useDraft(name, initial) {
  const [key] = useState(() => draftKey(name));
  const [value, setValue] = useState(() => (drafts.has(key) ? drafts.get(key) : initial));
  useEffect(() => { drafts.set(key, value); }, [value]);
  useEffect(() => () => {
    const s = getSession();
    if (!(s.status === 'anon' && s.reason === 'expired')) drafts.delete(key);
  }, []);
  const clear = useCallback(() => { drafts.delete(key); setValue(initial); }, [key]);
  return [value, setValue, clear];
}
