// unit-reorg: the reorganisation forms of the unit page, for an admin whose
// roles allow unit.reorganise (the admin role, docs/security.md):
//   rename, move, close the unit (only from above: never her own unit, whose
//   parent she cannot see; the API would refuse it), and
//   create a unit under it (any unit of her scope).
// Each takes the effective date (the first day of the new state) and the
// legal basis (the operation's note, "Nghị quyết 202/2025/QH15"). The unit is
// named by its id, which never changes, so the date cannot make its code name
// another unit. The API's refusals are shown by their codes (lib/errors.js),
// beside the field they concern. After a change, onDone(code, date) opens the
// unit on the day it took effect, whose events list the change.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { get, post, unitPath } from '../lib/api.js';
import { useAsync } from '../lib/hooks.js';
import { useApp } from '../lib/context.js';
import { addDays, exampleDate, formatDate } from '../lib/dates.js';
import { unitName, levelName, levelList, kindName } from '../lib/units.js';
import { Field, FormError, formErrors, refuse } from '../components/form.js';
import { DateField } from '../components/date-field.js';
import { UnitLookup } from '../components/unit-lookup.js';
import { Loading, ErrorBox } from '../components/status.js';

const KINDS = ['territorial', 'enterprise', 'agency', 'network'];

// mayReorganise: whether this user may change unit u (from above), and
// whether she may add a unit under it, on the page's date.
export function reorgRights(user, u, asOf) {
  const admin = !!(user && Array.isArray(user.roles) && user.roles.includes('admin'));
  const open = !u.valid_until || u.valid_until >= asOf;
  const own = !!(user && user.unit && user.unit.id === u.id);
  return { change: admin && open && !own && !!u.parent, add: admin && open };
}

export function ReorgPanel({ u, onDone }) {
  const { user, asOf } = useApp();
  const [mode, setMode] = useState(null);
  const rights = reorgRights(user, u, asOf);
  if (!rights.change && !rights.add) return null;
  const button = (m, label) => html`
    <button type="button" class=${mode === m ? 'button small primary' : 'button small'} data-testid=${`reorg-${m}`}
      aria-expanded=${mode === m ? 'true' : 'false'} onClick=${() => setMode(mode === m ? null : m)}>${label}</button>`;
  const close = () => setMode(null);
  return html`
    <section class="panel" aria-labelledby="reorg-heading" data-testid="reorg-panel">
      <h2 id="reorg-heading">${t('reorg.title')}</h2>
      <div class="form-actions">
        ${rights.change && button('rename', t('reorg.rename'))}
        ${rights.change && button('move', t('reorg.move'))}
        ${rights.change && button('close', t('reorg.close'))}
        ${rights.add && button('create', t('reorg.create'))}
        ${rights.add && u.child_count >= 2 && button('merge', t('reorg.merge'))}
      </div>
      ${mode === 'rename' && html`<${RenameForm} key="rename" u=${u} onCancel=${close} onDone=${onDone} />`}
      ${mode === 'move' && html`<${MoveForm} key="move" u=${u} onCancel=${close} onDone=${onDone} />`}
      ${mode === 'close' && html`<${CloseForm} key="close" u=${u} onCancel=${close} onDone=${onDone} />`}
      ${mode === 'create' && html`<${CreateForm} key="create" u=${u} onCancel=${close} onDone=${onDone} />`}
      ${mode === 'merge' && html`<${MergeWizard} key="merge" u=${u} onCancel=${close} onDone=${onDone} />`}
    </section>`;
}

function useFocusOnOpen() {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus(); }, []);
  return ref;
}

// useOperation: the state every operation form shares: the date and legal
// basis, the errors by field, the whole-form error, and send(path, body,
// fields), which posts and returns the answer or null after showing why not.
export function useOperation(initialDate) {
  const [date, setDate] = useState(initialDate);
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState([]);
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  const focusFirstInvalid = () => refuse(formRef);
  const check = (local) => {
    if (date === null) local.date = t('date.invalid', { example: exampleDate() });
    else if (!date) local.date = t('form.required');
    setErrors(local);
    setFormError([]);
    if (Object.keys(local).length) { focusFirstInvalid(); return false; }
    return true;
  };
  const send = async (path, body, fields, aliases = {}) => {
    setBusy(true);
    try {
      return await post(path, { ...body, date, ...(note.trim() ? { note: note.trim() } : {}) });
    } catch (err) {
      const fe = formErrors(err, ['date', 'note', ...fields], { aliases });
      setErrors(fe.fields);
      setFormError(fe.form);
      focusFirstInvalid();
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { date, setDate, note, setNote, errors, setErrors, formError, busy, check, send, formRef };
}

// The date and legal basis fields of every operation.
export function WhenAndWhy({ id, op }) {
  return html`
    <${DateField} id=${`${id}-date`} label=${t('reorg.date')} value=${op.date} onChange=${op.setDate}
      error=${op.errors.date} hint=${t('reorg.date_hint')} required />
    <${Field} id=${`${id}-note`} label=${t('reorg.note')} value=${op.note} onInput=${op.setNote}
      error=${op.errors.note} hint=${t('reorg.note_hint')} autocomplete="off" />`;
}

function Actions({ op, label, onCancel, danger }) {
  return html`
    <${FormError} messages=${op.formError} />
    <div class="form-actions">
      <button type="submit" class=${danger ? 'button danger' : 'button primary'} data-testid="reorg-submit"
        disabled=${op.busy}>${label}</button>
      <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
    </div>`;
}

function RenameForm({ u, onCancel, onDone }) {
  const { asOf } = useApp();
  const heading = useFocusOnOpen();
  const op = useOperation(asOf);
  const [vi, setVi] = useState(u.name_vi || '');
  const [en, setEn] = useState(u.name_en || '');
  const submit = async (e) => {
    e.preventDefault();
    if (op.busy) return;
    const local = {};
    if (!vi.trim()) local.name_vi = t('form.required');
    if (!en.trim()) local.name_en = t('form.required');
    if (!op.check(local)) return;
    const r = await op.send(`${unitPath('id:' + u.id)}/rename`, { name_vi: vi.trim(), name_en: en.trim() },
      ['name_vi', 'name_en']);
    if (r) onDone(r.code, op.date, t('reorg.renamed', { name: r.name_vi }));
  };
  return html`
    <form class="form narrow" data-testid="reorg-rename-form" onSubmit=${submit} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.rename_title', { name: u.name_vi })}</h3>
      <${Field} id="reorg-name-vi" label=${t('reorg.name_vi')} value=${vi} onInput=${setVi}
        error=${op.errors.name_vi} lang="vi" autocomplete="off" required />
      <${Field} id="reorg-name-en" label=${t('reorg.name_en')} value=${en} onInput=${setEn}
        error=${op.errors.name_en} lang="en" autocomplete="off" required />
      <${WhenAndWhy} id="reorg" op=${op} />
      <${Actions} op=${op} label=${t('reorg.rename_submit')} onCancel=${onCancel} />
    </form>`;
}

function MoveForm({ u, onCancel, onDone }) {
  const { asOf } = useApp();
  const heading = useFocusOnOpen();
  const op = useOperation(asOf);
  const [parent, setParent] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    if (op.busy) return;
    const local = {};
    if (!parent.trim()) local.parent = t('form.required');
    if (!op.check(local)) return;
    const r = await op.send(`${unitPath('id:' + u.id)}/move`, { parent: parent.trim() }, ['parent']);
    if (r) onDone(r.code, op.date, t('reorg.moved', { name: r.name_vi, parent: r.parent ? r.parent.name_vi : '' }));
  };
  return html`
    <form class="form narrow" data-testid="reorg-move-form" onSubmit=${submit} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.move_title', { name: u.name_vi })}</h3>
      <${Field} id="reorg-parent" label=${t('reorg.parent_code')} value=${parent} onInput=${setParent}
        error=${op.errors.parent} hint=${t('reorg.parent_hint')} autocomplete="off" spellcheck="false" required />
      <${UnitLookup} code=${parent.trim()} date=${op.date || undefined} quiet=${!!op.errors.parent}
        testid="reorg-parent-name" />
      <${WhenAndWhy} id="reorg" op=${op} />
      <${Actions} op=${op} label=${t('reorg.move_submit')} onCancel=${onCancel} />
    </form>`;
}

function CloseForm({ u, onCancel, onDone }) {
  const { asOf } = useApp();
  const heading = useFocusOnOpen();
  const op = useOperation(asOf);
  const submit = async (e) => {
    e.preventDefault();
    if (op.busy || !op.check({})) return;
    const r = await op.send(`${unitPath('id:' + u.id)}/close`, {}, []);
    // Closed on the date: its last day is the day before.
    if (r) onDone(r.code, addDays(op.date, -1), t('reorg.closed', { name: r.name_vi }));
  };
  return html`
    <form class="form narrow" data-testid="reorg-close-form" onSubmit=${submit} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.close_title', { name: u.name_vi })}</h3>
      <p class="warning">${t('reorg.close_warning')}</p>
      <${WhenAndWhy} id="reorg" op=${op} />
      <${Actions} op=${op} label=${t('reorg.close_submit')} onCancel=${onCancel} danger />
    </form>`;
}

// The level just below u's, the usual one for a new unit under it.
function levelBelow(level) {
  const list = levelList();
  const i = list.findIndex((l) => l.key === level);
  return i >= 0 && i + 1 < list.length ? list[i + 1].key : '';
}

function CreateForm({ u, onCancel, onDone }) {
  const { asOf, lang } = useApp();
  const heading = useFocusOnOpen();
  const op = useOperation(asOf);
  const levels = levelList().filter((l) => l.rank > (levelList().find((x) => x.key === u.level) || { rank: -1 }).rank);
  const [v, setV] = useState({ code: '', name_vi: '', name_en: '', level: levelBelow(u.level), kind: u.kind || 'territorial' });
  const set = (k) => (value) => setV((o) => ({ ...o, [k]: value }));
  const submit = async (e) => {
    e.preventDefault();
    if (op.busy) return;
    const local = {};
    for (const k of ['code', 'name_vi', 'name_en', 'level']) if (!v[k].trim()) local[k] = t('form.required');
    if (!op.check(local)) return;
    const body = { code: v.code.trim(), name_vi: v.name_vi.trim(), name_en: v.name_en.trim(), level: v.level,
      kind: v.kind, parent: `id:${u.id}` };
    const r = await op.send('/units', body, ['code', 'name_vi', 'name_en', 'level', 'kind', 'parent']);
    if (r) onDone(r.code, op.date, t('reorg.created', { name: r.name_vi }));
  };
  return html`
    <form class="form narrow" data-testid="reorg-create-form" onSubmit=${submit} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.create_title', { name: unitName(u, lang) })}</h3>
      <${Field} id="reorg-code" label=${t('reorg.code')} value=${v.code} onInput=${set('code')}
        error=${op.errors.code} autocomplete="off" spellcheck="false" required />
      <${Field} id="reorg-name-vi" label=${t('reorg.name_vi')} value=${v.name_vi} onInput=${set('name_vi')}
        error=${op.errors.name_vi} lang="vi" autocomplete="off" required />
      <${Field} id="reorg-name-en" label=${t('reorg.name_en')} value=${v.name_en} onInput=${set('name_en')}
        error=${op.errors.name_en} lang="en" autocomplete="off" required />
      <${Select} id="reorg-level" label=${t('reorg.level')} value=${v.level} onChange=${set('level')} error=${op.errors.level}
        options=${levels.map((l) => [l.key, levelName(l.key, lang)])} />
      <${Select} id="reorg-kind" label=${t('reorg.kind')} value=${v.kind} onChange=${set('kind')} error=${op.errors.kind}
        options=${KINDS.map((k) => [k, kindName(k)])} />
      <${WhenAndWhy} id="reorg" op=${op} />
      <${Actions} op=${op} label=${t('reorg.create_submit')} onCancel=${onCancel} />
    </form>`;
}

export function Select({ id, label, value, onChange, options, error }) {
  return html`
    <div class=${error ? 'form-field invalid' : 'form-field'}>
      <label for=${id} class="field-label">${label}</label>
      <select id=${id} value=${value} aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${error ? `${id}-error` : undefined} onChange=${(e) => onChange(e.currentTarget.value)}>
        ${options.map(([k, name]) => html`<option key=${k} value=${k}>${name}</option>`)}
      </select>
      ${error && html`<span class="field-error" id=${`${id}-error`} data-testid=${`${id}-error`}>${error}</span>`}
    </div>`;
}

// MergeWizard: merge some of u's children into a new unit. Step 1: choose
// the units, the new code and names, the date and the legal basis. Step 2:
// the server's preview (dry_run): the units before, each with the children
// that move, and the new unit after with all of them; a refusal (a code
// taken, a unit closed...) is shown in her language and sends her back to
// the fields. Step 3: confirm; the new unit's page opens on the date, where
// its events list the merge (and each source's page lists it too).
function MergeWizard({ u, onCancel, onDone }) {
  const { asOf, lang } = useApp();
  const heading = useFocusOnOpen();
  const op = useOperation(asOf);
  const children = useAsync((sig) => get(`${unitPath('id:' + u.id)}/children`, { as_of: asOf, limit: 500 }, sig), [u.id, asOf]);
  const [sources, setSources] = useState([]);
  const [v, setV] = useState({ code: '', name_vi: '', name_en: '' });
  const [preview, setPreview] = useState(null);
  const previewRef = useRef(null);
  const set = (k) => (value) => { setPreview(null); setV((o) => ({ ...o, [k]: value })); };
  const items = (children.data && children.data.items) || [];
  const toggle = (code, on) => { setPreview(null); setSources((l) => (on ? [...l, code] : l.filter((c) => c !== code))); };
  const body = () => {
    const first = items.find((c) => c.code === sources[0]);
    return { sources, into: { code: v.code.trim(), name_vi: v.name_vi.trim(), name_en: v.name_en.trim(),
      level: first ? first.level : undefined, kind: first ? first.kind : undefined } };
  };
  const FIELDS = ['sources', 'code', 'name_vi', 'name_en'];
  const ALIASES = { 'into.code': 'code', 'into.name_vi': 'name_vi', 'into.name_en': 'name_en' };
  const check = () => {
    const local = {};
    if (sources.length < 2) local.sources = t('reorg.merge_pick');
    for (const k of ['code', 'name_vi', 'name_en']) if (!v[k].trim()) local[k] = t('form.required');
    return op.check(local);
  };
  const onPreview = async (e) => {
    e.preventDefault();
    if (op.busy || !check()) return;
    setPreview(null);
    const r = await op.send('/units/merge', { ...body(), dry_run: true }, FIELDS, ALIASES);
    if (r) {
      setPreview(r);
      setTimeout(() => previewRef.current && previewRef.current.focus(), 0);
    }
  };
  const onConfirm = async () => {
    if (op.busy || !check()) return;
    const r = await op.send('/units/merge', body(), FIELDS, ALIASES);
    if (r) onDone(r.unit.code, op.date, t('reorg.merged', { name: r.unit.name_vi }));
  };
  const movedFrom = (code) => (preview ? preview.moved.filter((m) => m.from.code === code) : []);
  return html`
    <form class="form" data-testid="reorg-merge-form" onSubmit=${onPreview} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.merge_title', { name: unitName(u, lang) })}</h3>
      ${children.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${children.error} onRetry=${children.reload} />
      <fieldset class=${op.errors.sources ? 'form-field checks invalid' : 'form-field checks'}
          aria-describedby=${op.errors.sources ? 'reorg-sources-error' : undefined}>
        <legend class="field-label">${t('reorg.merge_sources')}</legend>
        <div class="check-list">
          ${items.map((c) => html`
            <label key=${c.id} class="check">
              <input type="checkbox" data-testid=${`reorg-source-${c.code}`} checked=${sources.includes(c.code)}
                onChange=${(e) => toggle(c.code, e.currentTarget.checked)} />
              <span>${unitName(c, lang)} <span class="code">${c.code}</span></span>
            </label>`)}
        </div>
        ${op.errors.sources && html`<span class="field-error" id="reorg-sources-error" data-testid="reorg-sources-error">${op.errors.sources}</span>`}
      </fieldset>
      <${Field} id="reorg-code" label=${t('reorg.merge_code')} value=${v.code} onInput=${set('code')}
        error=${op.errors.code} autocomplete="off" spellcheck="false" required />
      <${Field} id="reorg-name-vi" label=${t('reorg.name_vi')} value=${v.name_vi} onInput=${set('name_vi')}
        error=${op.errors.name_vi} lang="vi" autocomplete="off" required />
      <${Field} id="reorg-name-en" label=${t('reorg.name_en')} value=${v.name_en} onInput=${set('name_en')}
        error=${op.errors.name_en} lang="en" autocomplete="off" required />
      <${WhenAndWhy} id="reorg" op=${{ ...op, setDate: (d) => { setPreview(null); op.setDate(d); } }} />
      <${FormError} messages=${op.formError} />
      <div class="form-actions">
        <button type="submit" class="button" data-testid="reorg-preview" disabled=${op.busy}>${t('reorg.preview')}</button>
        <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
      </div>
      ${preview && html`
        <section class="preview" data-testid="reorg-preview-result" aria-labelledby="reorg-preview-heading">
          <h4 id="reorg-preview-heading" tabindex="-1" ref=${previewRef}>${t('reorg.preview_title', { date: formatDate(preview.event.date, lang) })}</h4>
          <div class="lineage-cols">
            <div data-testid="reorg-before">
              <h5>${t('reorg.before')}</h5>
              <ul class="plain" role="list">
                ${preview.event.sources.map((src) => html`
                  <li key=${src.id}><strong>${unitName(src, lang)}</strong> <span class="code">${src.code}</span>
                    <span class="node-meta">${t('reorg.ends', { date: formatDate(addDays(preview.event.date, -1), lang) })}</span>
                    ${movedFrom(src.code).length > 0 && html`<ul role="list">
                      ${movedFrom(src.code).map((m) => html`<li key=${m.unit.id}>${unitName(m.unit, lang)} <span class="code">${m.unit.code}</span></li>`)}
                    </ul>`}
                  </li>`)}
              </ul>
            </div>
            <div data-testid="reorg-after">
              <h5>${t('reorg.after')}</h5>
              <ul class="plain" role="list">
                <li><strong>${unitName(preview.unit, lang)}</strong> <span class="code">${preview.unit.code}</span>
                  <span class="node-meta">${t('reorg.under', { name: unitName(preview.unit.parent, lang) })}</span>
                  ${preview.moved.length > 0 && html`<ul role="list">
                    ${preview.moved.map((m) => html`<li key=${m.unit.id} data-testid="reorg-moved" data-code=${m.unit.code}>${unitName(m.unit, lang)} <span class="code">${m.unit.code}</span></li>`)}
                  </ul>`}
                </li>
              </ul>
              <p class="muted">${tn('reorg.moved_count', preview.moved.length)}</p>
            </div>
          </div>
          <div class="form-actions">
            <button type="button" class="button primary" data-testid="reorg-confirm" disabled=${op.busy}
              onClick=${onConfirm}>${t('reorg.confirm')}</button>
          </div>
        </section>`}
    </form>`;
}
