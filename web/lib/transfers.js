// transfers: the words of a transfer ("giới thiệu sinh hoạt", issue 15)
// and the number of incoming ones awaiting an answer, which the navigation
// shows beside its link: asked when the navigation appears, asked again
// when the inbox answers one (GET /api/v1/transfers?box=in&status=pending).
import { useEffect, useState } from 'preact/hooks';
import { t, has } from './i18n.js';
import { get } from './api.js';

export const TRANSFER_STATUSES = ['pending', 'accepted', 'refused', 'cancelled'];

export function transferStatusName(status) {
  return has(`transfer.status.${status}`) ? t(`transfer.status.${status}`) : status;
}

// The API lists at most this many; the badge says "500+" beyond.
const LIMIT = 500;
const listeners = new Set();
// the last count, for a badge that appears while another shows it (the
// phone's menu button and the link inside the menu)
let latest = null;

function set(n) {
  latest = n;
  for (const fn of listeners) fn(n);
}

// refreshPending: ask again (after an answer given in the inbox).
export function refreshPending() {
  get('/transfers', { box: 'in', status: 'pending', limit: LIMIT }).then(
    (r) => set((r.items || []).length),
    () => set(null), // (no badge then: the inbox itself says what failed)
  );
}

// usePendingCount: the number of incoming transfers awaiting an answer,
// asked when the navigation appears (after each log-in: another user,
// another inbox); a second badge on the page shares the first one's.
export function usePendingCount() {
  const [n, setN] = useState(listeners.size ? latest : null);
  useEffect(() => {
    const first = listeners.size === 0;
    listeners.add(setN);
    if (first) refreshPending();
    return () => {
      listeners.delete(setN);
      if (!listeners.size) latest = null;
    };
  }, []);
  return n;
}

export const pendingText = (n) => (n >= LIMIT ? `${n}+` : String(n));
