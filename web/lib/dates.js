// dates: the app's dates are ISO calendar days (YYYY-MM-DD) with no time zone.
// They are computed and compared as strings or as UTC midnights, never in the
// browser's zone, so a day never shifts by one.
const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s) {
  if (typeof s !== 'string' || !ISO.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

// today: the browser's local calendar day.
export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function addDays(iso, n) {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// formatDate: 01/07/2025 in Vietnamese, 1 Jul 2025 in English.
export function formatDate(iso, lang) {
  if (!isIsoDate(iso)) return iso || '';
  const d = new Date(iso + 'T00:00:00Z');
  const opts = lang === 'vi'
    ? { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }
    : { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', opts).format(d);
}

// parseInstant: an API time (ISO 8601, UTC) as a Date, or null. A time
// written without a zone ("2025-07-01 08:30:00") is taken as UTC too.
export function parseInstant(s) {
  if (typeof s !== 'string' || !s) return null;
  let v = s.trim();
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) v = v.replace(' ', 'T') + 'Z';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

// formatDateTime: an API time in the browser's zone, e.g. 01/07/2025 08:30:00.
export function formatDateTime(s, lang) {
  const d = parseInstant(s);
  if (!d) return s || '';
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).format(d);
}

// Month names an English date may be typed with ("1 Jul 2025", "Jul 1, 2025").
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function isoOf(y, m, d) {
  const p = (n, w) => String(n).padStart(w, '0');
  const iso = `${p(y, 4)}-${p(m, 2)}-${p(d, 2)}`;
  return y >= 1000 && y <= 9999 && isIsoDate(iso) ? iso : null;
}

function monthOf(word) {
  const w = word.toLowerCase();
  if (w.length < 3) return 0;
  const i = MONTHS.findIndex((m) => w.startsWith(m));
  return i < 0 ? 0 : i + 1;
}

// parseDate: a day typed by a person, as ISO (YYYY-MM-DD); '' for nothing
// typed, null for anything that is not a day of the calendar. Takes the
// day first, as Vietnam and the app write it: 31/12/2025 (also with . or -
// or spaces, or as 31122025), 31 Dec 2025, Dec 31, 2025, and ISO 2025-12-31.
// The year has four digits; the calendar is checked (30/02/2025 is null,
// never a day of March): no Date arithmetic rolls a bad day over.
export function parseDate(text) {
  const s = String(text ?? '').trim();
  if (!s) return '';
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return isoOf(+m[1], +m[2], +m[3]);
  m = /^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4})$/.exec(s);
  if (m) return isoOf(+m[3], +m[2], +m[1]);
  m = /^(\d{2})(\d{2})(\d{4})$/.exec(s);
  if (m) return isoOf(+m[3], +m[2], +m[1]);
  m = /^(\d{1,2})[\s/.\-]+([A-Za-z]+)\.?,?[\s/.\-]+(\d{4})$/.exec(s);
  if (m && monthOf(m[2])) return isoOf(+m[3], monthOf(m[2]), +m[1]);
  m = /^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(s);
  if (m && monthOf(m[1])) return isoOf(+m[3], monthOf(m[1]), +m[2]);
  return null;
}

// exampleDate: how a date is typed, for hints: 31/12/2025.
export function exampleDate() {
  return '31/12/2025';
}
