// announce: what screen readers are told of errors and of the results of
// actions, through the one live region of the layout (components/layout.js
// LiveRegion), so every page says things the same way. A visible message
// (a notice, an error box) carries no live role of its own: the page
// announces its text here.
//   announce(text)                  polite: said when the reader is idle
//   announce(text, {assertive: true})  errors: said at once
//   useAnnounce(text, options)      announce text whenever it changes (not '')
import { useEffect, useState } from 'preact/hooks';
import { onLangChange } from './i18n.js';

// The latest messages, oldest first: one that comes right after another
// is added after it, not put in its place, so both are read.
const KEEP = 3;
let messages = [];
let n = 0;
const listeners = new Set();

function set(next) {
  messages = next;
  for (const fn of listeners) fn(messages);
}

export function announce(text, { assertive = false } = {}) {
  if (!text) return;
  // n makes the same words said twice a new message (a second refusal).
  set([...messages, { text, assertive, n: ++n }].slice(-KEEP));
}

// Said in the language she has left: not to be found in the page any more.
onLangChange(() => set([]));

export function useAnnounce(text, options) {
  useEffect(() => announce(text, options), [text]);
}

// useAnnouncement: the latest messages, for the live region.
export function useAnnouncement() {
  const [m, setM] = useState(messages);
  useEffect(() => {
    listeners.add(setM);
    return () => listeners.delete(setM);
  }, []);
  return m;
}
