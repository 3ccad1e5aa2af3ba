// date-field: a date typed as the app writes dates (31/12/2025 in
// Vietnamese; in English the same or 31 Dec 2025), whatever the browser's
// language. The browser's own <input type=date> shows its language's order
// (12/31/2025 in an English browser beside a Vietnamese page), so this is a
// text field: lib/dates.js parseDate reads it (no calendar widget, no day
// rolled over: 30/02/2027 is refused, never taken as 2 March), and on
// leaving the field the text is written back in the language's form.
// The value given to the page is ISO (YYYY-MM-DD), '' when empty, null when
// the text is not a day; a field left holding a non-day says so at once.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { useApp } from '../lib/context.js';
import { formatDate, parseDate, exampleDate, today } from '../lib/dates.js';
import { Field } from './form.js';

// useDateText: the text of a date field kept in step with its ISO value.
// onChange(iso | '' | null) is called on every keystroke.
export function useDateText(value, onChange) {
  const { lang } = useApp();
  const shown = (iso) => (iso ? formatDate(iso, lang) : '');
  const [text, setText] = useState(shown(value));
  const [bad, setBad] = useState(false);
  // The value changed from outside (cleared after a save, a new URL), or
  // the language did: show it afresh. (null: she is typing a non-day.) In
  // the render's own step, before a key can reach the field: after the
  // paint, it would write over what was typed meanwhile.
  const lastLang = useRef(lang);
  useLayoutEffect(() => {
    const langChanged = lastLang.current !== lang;
    lastLang.current = lang;
    if (value === null || value === undefined) return;
    if (langChanged || parseDate(text) !== value) {
      setText(shown(value));
      setBad(false);
    }
  }, [value, lang]);
  const onInput = (raw) => {
    let v = raw;
    // 2 digits, or 2/2 digits, typed forwards: the slash comes by itself.
    if (v.length > text.length && /^(\d{2}|\d{2}\/\d{2})$/.test(v)) v += '/';
    setText(v);
    const iso = parseDate(v);
    if (iso !== null) setBad(false);
    onChange(iso);
  };
  const onBlur = () => {
    const iso = parseDate(text);
    if (iso === null) setBad(true);
    else { setBad(false); setText(shown(iso)); }
  };
  const reset = (iso) => { setText(shown(iso)); setBad(false); };
  return { text, onInput, onBlur, bad, reset, invalid: t('date.invalid', { example: exampleDate() }) };
}

// DateField: a labelled date field (see form.js Field). Props: id, label,
// value (ISO, '' or null), onChange, error (from the page or the API), hint.
export function DateField({ id, label, value, onChange, error, hint, ...rest }) {
  const d = useDateText(value, onChange);
  const formatHint = t('date.hint', { example: exampleDate() });
  return html`<${Field} id=${id} label=${label} value=${d.text} onInput=${d.onInput} onBlur=${d.onBlur}
    error=${error || (d.bad ? d.invalid : '')} hint=${hint ? html`${hint} ${formatHint}` : formatHint}
    placeholder=${t('date.placeholder')} autocomplete="off" spellcheck="false" ...${rest} />`;
}

// dateError: a date field's value left empty or not a day of the calendar.
export function dateError(value) {
  if (value === null) return t('date.invalid', { example: exampleDate() });
  return value ? null : t('form.required');
}

// afterToday: the refusal of a change dated after today, in the words of
// the server's own (detail.after_today: leave, transfer, rejoin and the
// acceptance of a transfer take a day up to today, never ahead). Today is
// the app's (lib/dates.js), as for the day these forms start with.
function afterToday(date, lang) {
  const now = today();
  return date && date > now ? t('detail.after_today', { date: formatDate(now, lang) }) : null;
}

// changeDateError: a change's day: given, a day of the calendar, not ahead.
export function changeDateError(date, lang) {
  return dateError(date) || afterToday(date, lang);
}
