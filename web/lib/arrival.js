// arrival: what an action says on the page it goes to, when the page that
// did it is gone (a member added: her page says so; a member erased: the
// members list says so). The next page to look takes it, once, whether it
// was meant for it or not, so a word never turns up on a later visit.
import { useState } from 'preact/hooks';

let pending = null;

// arriveWith: what the page at path (e.g. '/members/12') shows when it opens next.
export function arriveWith(path, what) {
  pending = { path, what };
}

// useArrival: what was left for the page at path, else none; taken once,
// when the page opens.
export function useArrival(path, none) {
  const [what] = useState(() => {
    const a = pending && pending.path === path ? pending.what : none;
    pending = null;
    return a;
  });
  return what;
}
