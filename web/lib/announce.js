// announce: what screen readers are told of errors and of the results of
// actions, through the one live region of the layout (components/layout.js
// LiveRegion), so every page says things the same way. A visible message
// (a notice, an error box) carries no live role of its own: the page
// announces its text here.
//   announce(text)                  polite: said when the reader is idle
//   announce(text, {assertive: true})  errors: said at once
//   useAnnounce(text, options)      announce text whenever it changes (not '')
import { useEffect, useState } from 'preact/hooks';

let last = { text: '', assertive: false, n: 0 };
const listeners = new Set();

export function announce(text, { assertive = false } = {}) {
  if (!text) return;
  // n makes the same words said twice a new message (a second refusal).
  last = { text, assertive, n: last.n + 1 };
  for (const fn of listeners) fn(last);
}

export function useAnnounce(text, options) {
  useEffect(() => announce(text, options), [text]);
}

// useAnnouncement: the latest message, for the live region.
export function useAnnouncement() {
  const [m, setM] = useState(last);
  useEffect(() => {
    listeners.add(setM);
    return () => listeners.delete(setM);
  }, []);
  return m;
}
