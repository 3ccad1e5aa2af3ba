// hooks: small Preact hooks shared by pages.
import { useEffect, useState, useCallback, useRef } from 'preact/hooks';

// useAsync: run load(signal) whenever deps change; returns
// {loading, data, error, reload}. A newer run aborts the older one, so a
// slow answer for an old date never overwrites the answer for the new date.
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
  return { ...state, reload };
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
