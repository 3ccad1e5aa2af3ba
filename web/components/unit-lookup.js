// unit-lookup: the name of the unit a typed code names (on `date`, today
// when not given), looked up as she types, so she sees which unit she chose;
// the API's answer when there is none, in her language.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { get, unitPath } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useDebounced } from '../lib/hooks.js';
import { unitName, levelName } from '../lib/units.js';
import { errorText } from './form.js';

export function UnitLookup({ code, date, quiet, testid = 'user-unit-name' }) {
  const { lang } = useApp();
  const typed = useDebounced(code, 300);
  // the answer keeps the code and day it is for: until the next one comes,
  // the last one is of another code, and is not shown (CI saw the unit of
  // the code typed before beside a code that names none)
  const [state, setState] = useState(null);
  useEffect(() => {
    if (!typed) { setState(null); return undefined; }
    const ctl = new AbortController();
    get(unitPath(typed), date ? { as_of: date } : undefined, ctl.signal).then(
      (u) => { if (!ctl.signal.aborted) setState({ code: typed, date, u }); },
      (error) => { if (!ctl.signal.aborted && error.name !== 'AbortError') setState({ code: typed, date, error }); },
    );
    return () => ctl.abort();
  }, [typed, date]);
  if (!state || state.code !== code || state.date !== date || (quiet && state.error)) return null;
  return html`<p class="lookup" aria-live="polite" data-testid=${testid}>
    ${state.u
      ? html`${unitName(state.u, lang)} <span class="muted">· ${levelName(state.u.level, lang)}</span>`
      : html`<span class="field-error">${errorText(state.error)}</span>`}
  </p>`;
}
