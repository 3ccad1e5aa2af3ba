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

function set(n) {
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
// another inbox).
export function usePendingCount() {
  const [n, setN] = useState(null);
  useEffect(() => {
    listeners.add(setN);
    refreshPending();
    return () => listeners.delete(setN);
  }, []);
  return n;
}

export const pendingText = (n) => (n >= LIMIT ? `${n}+` : String(n));
