// unit-reorg: the reorganisation forms of the unit page, for an admin whose
// roles allow unit.reorganise (the admin role, docs/security.md):
//   rename, move, close and split the unit (only from above: never her own
//   unit, whose parent she cannot see; the API would refuse it), and
//   create a unit under it and merge units under it (any unit of her scope).
// Each takes the effective date (the first day of the new state) and the
// legal basis (the operation's note, "Nghị quyết 202/2025/QH15"). The unit is
// named by its id, which never changes, so the date cannot make its code name
// another unit. The API's refusals are shown by their codes (lib/errors.js),
// beside the field they concern. The merge and split wizards show the
// server's preview (dry_run) before she confirms. After a change,
// onDone(code, date) opens the unit on a day whose events list the change.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { get, post, unitPath } from '../lib/api.js';
import { useAsync, useDraft } from '../lib/hooks.js';
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
  // which form is open, and (below) what she typed, survive a session
  // expiry: she logs in again and finds them as she left them (useDraft)
  const [mode, setMode] = useDraft('reorg-mode', null);
  const rights = reorgRights(user, u, asOf);
  if (!rights.change && !rights.add) return null;
  const button = (m, label) => html`
    <button type="button" class=${mode === m ? 'button small primary' : 'button small'} data-testid=${`reorg-${m}`}
      aria-expanded=${mode === m ? 'true' : 'false'} onClick=${() => setMode(mode === m ? null : m)}>${label}</button>`;
  const close = () => setMode(null);
  // done: the form closes (its draft with it) before the page shows the change
  const done = (...args) => { setMode(null); onDone(...args); };
  return html`
    <section class="panel" aria-labelledby="reorg-heading" data-testid="reorg-panel">
      <h2 id="reorg-heading">${t('reorg.title')}</h2>
      <div class="form-actions">
        ${rights.change && button('rename', t('reorg.rename'))}
        ${rights.change && button('move', t('reorg.move'))}
        ${rights.change && button('close', t('reorg.close'))}
        ${rights.change && button('split', t('reorg.split'))}
        ${rights.add && button('create', t('reorg.create'))}
        ${rights.add && u.child_count >= 2 && button('merge', t('reorg.merge'))}
      </div>
      ${mode === 'rename' && html`<${RenameForm} key="rename" u=${u} onCancel=${close} onDone=${done} />`}
      ${mode === 'move' && html`<${MoveForm} key="move" u=${u} onCancel=${close} onDone=${done} />`}
      ${mode === 'close' && html`<${CloseForm} key="close" u=${u} onCancel=${close} onDone=${done} />`}
      ${mode === 'create' && html`<${CreateForm} key="create" u=${u} onCancel=${close} onDone=${done} />`}
      ${mode === 'merge' && html`<${MergeWizard} key="merge" u=${u} onCancel=${close} onDone=${done} />`}
      ${mode === 'split' && html`<${SplitWizard} key="split" u=${u} onCancel=${close} onDone=${done} />`}
    </section>`;
}

function useFocusOnOpen() {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus(); }, []);
  return ref;
}

// useOperation: the state every operation form shares: the date and legal
// basis, the errors by field, the whole-form error, and send(path, body,
// fields, aliases), which posts and returns the answer or null after showing
// why not. aliases ({api field: form field}, see formErrors) may be a
// function of the error, for a refusal whose field depends on what it names
// (a split's code_taken: the part whose code is taken).
export function useOperation(initialDate, name) {
  const [date, setDate] = useDraft(`${name}-date`, initialDate);
  const [note, setNote] = useDraft(`${name}-note`, '');
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
      const fe = formErrors(err, ['date', 'note', ...fields],
        { aliases: typeof aliases === 'function' ? aliases(err) : aliases });
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
  const op = useOperation(asOf, 'reorg-rename');
  const [vi, setVi] = useDraft('reorg-rename-vi', u.name_vi || '');
  const [en, setEn] = useDraft('reorg-rename-en', u.name_en || '');
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
  const op = useOperation(asOf, 'reorg-move');
  const [parent, setParent] = useDraft('reorg-move-parent', '');
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
  const op = useOperation(asOf, 'reorg-close');
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

// The code and names of a new unit (created under u, a merge's new unit, a
// part of a split): v holds them, set(k) changes one, errors their problems
// ({code, name_vi, name_en}); the inputs' ids start with `id`.
function NewUnitFields({ id, v, set, errors, codeLabel = t('reorg.code') }) {
  return html`
    <${Field} id=${`${id}-code`} label=${codeLabel} value=${v.code} onInput=${set('code')}
      error=${errors.code} autocomplete="off" spellcheck="false" required />
    <${Field} id=${`${id}-name-vi`} label=${t('reorg.name_vi')} value=${v.name_vi} onInput=${set('name_vi')}
      error=${errors.name_vi} lang="vi" autocomplete="off" required />
    <${Field} id=${`${id}-name-en`} label=${t('reorg.name_en')} value=${v.name_en} onInput=${set('name_en')}
      error=${errors.name_en} lang="en" autocomplete="off" required />`;
}

const NEW_UNIT_KEYS = ['code', 'name_vi', 'name_en'];

// The new unit's members of a request body.
function newUnitBody(v) {
  return { code: v.code.trim(), name_vi: v.name_vi.trim(), name_en: v.name_en.trim() };
}

// What NewUnitFields lacks, into local (errors by field), each under at(key).
function requireNewUnit(v, local, at = (k) => k) {
  for (const k of NEW_UNIT_KEYS) if (!v[k].trim()) local[at(k)] = t('form.required');
  return local;
}

function CreateForm({ u, onCancel, onDone }) {
  const { asOf, lang } = useApp();
  const heading = useFocusOnOpen();
  const op = useOperation(asOf, 'reorg-create');
  const levels = levelList().filter((l) => l.rank > (levelList().find((x) => x.key === u.level) || { rank: -1 }).rank);
  const [v, setV] = useDraft('reorg-create-unit', { code: '', name_vi: '', name_en: '', level: levelBelow(u.level), kind: u.kind || 'territorial' });
  const set = (k) => (value) => setV((o) => ({ ...o, [k]: value }));
  const submit = async (e) => {
    e.preventDefault();
    if (op.busy) return;
    const local = requireNewUnit(v, {});
    if (!v.level) local.level = t('form.required');
    if (!op.check(local)) return;
    // POST /units takes the parent by its code only (an id: selector is
    // refused as bad_characters); the server resolves it on the date. The
    // form has no parent field: a refusal about it is the whole form's.
    const body = { ...newUnitBody(v), level: v.level, kind: v.kind, parent: u.code };
    const r = await op.send('/units', body, [...NEW_UNIT_KEYS, 'level', 'kind']);
    if (r) onDone(r.code, op.date, t('reorg.created', { name: r.name_vi }));
  };
  return html`
    <form class="form narrow" data-testid="reorg-create-form" onSubmit=${submit} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.create_title', { name: unitName(u, lang) })}</h3>
      <${NewUnitFields} id="reorg" v=${v} set=${set} errors=${op.errors} />
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

// ---- the wizards: merge and split, each previewed before it is done ----

// useChildren: u's children on the page's date, as the wizards list them.
function useChildren(u) {
  const { asOf } = useApp();
  const state = useAsync((sig) => get(`${unitPath('id:' + u.id)}/children`, { as_of: asOf, limit: 500 }, sig), [u.id, asOf]);
  return { ...state, items: (state.data && state.data.items) || [] };
}

// useWizard: an operation (useOperation) with a preview step. preview is the
// server's dry-run answer; edit(fn) wraps a setter so that any change clears
// it (it would no longer show what the confirm does); runPreview(path, body,
// fields, aliases) asks for it and moves the focus to it; whenOp is op for
// WhenAndWhy, whose date and note changes clear it too.
function useWizard(initialDate, name) {
  const op = useOperation(initialDate, name);
  const [preview, setPreview] = useState(null);
  const previewRef = useRef(null);
  const edit = (fn) => (...args) => { setPreview(null); fn(...args); };
  const runPreview = async (path, body, fields, aliases) => {
    setPreview(null);
    const r = await op.send(path, { ...body, dry_run: true }, fields, aliases);
    if (r) {
      setPreview(r);
      setTimeout(() => previewRef.current && previewRef.current.focus(), 0);
    }
  };
  const whenOp = { ...op, setDate: edit(op.setDate), setNote: edit(op.setNote) };
  return { op, whenOp, preview, previewRef, edit, runPreview };
}

// The buttons under a wizard's fields: preview (the form's submit) and cancel.
function WizardActions({ op, onCancel }) {
  return html`
    <${FormError} messages=${op.formError} />
    <div class="form-actions">
      <button type="submit" class="button" data-testid="reorg-preview" disabled=${op.busy}>${t('reorg.preview')}</button>
      <button type="button" class="button" onClick=${onCancel}>${t('form.cancel')}</button>
    </div>`;
}

// UnitEntries: units of a preview, each with a note (ends, under...) and the
// children that move with it. testid marks the entries (and their moved
// children as reorg-moved) that the tests read: the after column's.
function UnitEntries({ entries, testid }) {
  const { lang } = useApp();
  const child = (m) => html`
    <li key=${m.unit.id} data-testid=${testid ? 'reorg-moved' : undefined} data-code=${m.unit.code}>
      ${unitName(m.unit, lang)} <span class="code">${m.unit.code}</span></li>`;
  return html`
    <ul class="plain" role="list">
      ${entries.map((e) => html`
        <li key=${e.unit.id} data-testid=${testid} data-code=${e.unit.code}>
          <strong>${unitName(e.unit, lang)}</strong> <span class="code">${e.unit.code}</span>
          <span class="node-meta">${e.meta}</span>
          ${e.moved.length > 0 && html`<ul role="list">${e.moved.map(child)}</ul>`}
        </li>`)}
    </ul>`;
}

// Preview: the server's preview of a merge or split: the units before (the
// day before the date) and after (from the date), each with the children
// that move; then the button that does it.
function Preview({ w, before, after, count, confirmLabel, onConfirm }) {
  const { lang } = useApp();
  return html`
    <section class="preview" data-testid="reorg-preview-result" aria-labelledby="reorg-preview-heading">
      <h4 id="reorg-preview-heading" tabindex="-1" ref=${w.previewRef}>
        ${t('reorg.preview_title', { date: formatDate(w.preview.event.date, lang) })}</h4>
      <div class="lineage-cols">
        <div data-testid="reorg-before">
          <h5>${t('reorg.before')}</h5>
          <${UnitEntries} entries=${before} />
        </div>
        <div data-testid="reorg-after">
          <h5>${t('reorg.after')}</h5>
          <${UnitEntries} entries=${after} testid="reorg-target" />
          <p class="muted">${count}</p>
        </div>
      </div>
      <div class="form-actions">
        <button type="button" class="button primary" data-testid="reorg-confirm" disabled=${w.op.busy}
          onClick=${onConfirm}>${confirmLabel}</button>
      </div>
    </section>`;
}

// The last day of the units a change ends, said for the preview.
function endsNote(preview, lang) {
  return t('reorg.ends', { date: formatDate(addDays(preview.event.date, -1), lang) });
}

// Where a unit of the preview stands (its parent may be hidden: outside her scope).
function underNote(unit, lang) {
  return unit.parent ? t('reorg.under', { name: unitName(unit.parent, lang) }) : '';
}

// MergeWizard: merge some of u's children into a new unit or into an
// existing one (one of them, which carries on, or another). Step 1: choose
// the units, the target (a new code and names, or an existing unit's code),
// the date and the legal basis. Step 2: the server's preview (dry_run): the
// units before, each with the children that move, and the target after with
// all of them; a refusal (a code taken, a unit closed...) is shown in her
// language and sends her back to the fields. Step 3: confirm; the target's
// page opens on the date, where its events list the merge (and each
// source's page lists it too).
function MergeWizard({ u, onCancel, onDone }) {
  const { asOf, lang } = useApp();
  const heading = useFocusOnOpen();
  const w = useWizard(asOf, 'reorg-merge');
  const { op, preview, edit } = w;
  const children = useChildren(u);
  const [sources, setSources] = useDraft('reorg-merge-sources', []);
  const [target, setTarget] = useDraft('reorg-merge-target', 'new');
  const [into, setInto] = useDraft('reorg-merge-into', '');
  const [v, setV] = useDraft('reorg-merge-unit', { code: '', name_vi: '', name_en: '' });
  const set = (k) => edit((value) => setV((o) => ({ ...o, [k]: value })));
  const toggle = edit((code, on) => setSources((l) => (on ? [...l, code] : l.filter((c) => c !== code))));
  const toNew = target === 'new';
  const body = () => {
    if (!toNew) return { sources, into: into.trim() };
    const first = children.items.find((c) => c.code === sources[0]);
    return { sources, into: { ...newUnitBody(v), level: first ? first.level : undefined, kind: first ? first.kind : undefined } };
  };
  const fields = toNew ? ['sources', ...NEW_UNIT_KEYS] : ['sources', 'into'];
  const ALIASES = { 'into.code': 'code', 'into.name_vi': 'name_vi', 'into.name_en': 'name_en' };
  const check = () => {
    const local = {};
    if (sources.length < 2) local.sources = t('reorg.merge_pick');
    if (toNew) requireNewUnit(v, local);
    else if (!into.trim()) local.into = t('form.required');
    return op.check(local);
  };
  const onPreview = async (e) => {
    e.preventDefault();
    if (op.busy || !check()) return;
    await w.runPreview('/units/merge', body(), fields, ALIASES);
  };
  const onConfirm = async () => {
    if (op.busy || !check()) return;
    const r = await op.send('/units/merge', body(), fields, ALIASES);
    if (r) onDone(r.unit.code, op.date, t(toNew ? 'reorg.merged' : 'reorg.merged_into', { name: unitName(r.unit, lang) }));
  };
  return html`
    <form class="form" data-testid="reorg-merge-form" onSubmit=${onPreview} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.merge_title', { name: unitName(u, lang) })}</h3>
      ${children.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${children.error} onRetry=${children.reload} />
      <fieldset class=${op.errors.sources ? 'form-field checks invalid' : 'form-field checks'}
          aria-describedby=${op.errors.sources ? 'reorg-sources-error' : undefined}>
        <legend class="field-label">${t('reorg.merge_sources')}</legend>
        <div class="check-list">
          ${children.items.map((c) => html`
            <label key=${c.id} class="check">
              <input type="checkbox" data-testid=${`reorg-source-${c.code}`} checked=${sources.includes(c.code)}
                onChange=${(e) => toggle(c.code, e.currentTarget.checked)} />
              <span>${unitName(c, lang)} <span class="code">${c.code}</span></span>
            </label>`)}
        </div>
        ${op.errors.sources && html`<span class="field-error" id="reorg-sources-error" data-testid="reorg-sources-error">${op.errors.sources}</span>`}
      </fieldset>
      <fieldset class="form-field checks">
        <legend class="field-label">${t('reorg.merge_into')}</legend>
        <div class="check-row">
          ${[['new', t('reorg.merge_into_new')], ['existing', t('reorg.merge_into_existing')]].map(([k, label]) => html`
            <label key=${k} class="check">
              <input type="radio" name="reorg-target" value=${k} data-testid=${`reorg-into-${k}`} checked=${target === k}
                onChange=${edit(() => { setTarget(k); op.setErrors({}); })} />
              <span>${label}</span>
            </label>`)}
        </div>
      </fieldset>
      ${toNew
        ? html`<${NewUnitFields} id="reorg" v=${v} set=${set} errors=${op.errors} codeLabel=${t('reorg.merge_code')} />`
        : html`
          <${Field} id="reorg-into" label=${t('reorg.merge_into_code')} value=${into} onInput=${edit(setInto)}
            error=${op.errors.into} hint=${t('reorg.merge_into_hint')} autocomplete="off" spellcheck="false" required />
          <${UnitLookup} code=${into.trim()} date=${op.date || undefined} quiet=${!!op.errors.into} testid="reorg-into-name" />`}
      <${WhenAndWhy} id="reorg" op=${w.whenOp} />
      <${WizardActions} op=${op} onCancel=${onCancel} />
      ${preview && html`<${MergePreview} w=${w} onConfirm=${onConfirm} />`}
    </form>`;
}

function MergePreview({ w, onConfirm }) {
  const { lang } = useApp();
  const p = w.preview;
  const { moved } = p;
  const before = p.event.sources.map((src) => ({
    unit: src,
    meta: src.id === p.unit.id ? t('reorg.continues') : endsNote(p, lang),
    moved: moved.filter((m) => m.from.id === src.id),
  }));
  const after = [{ unit: p.unit, meta: underNote(p.unit, lang), moved }];
  return html`<${Preview} w=${w} before=${before} after=${after} count=${tn('reorg.moved_count', moved.length)}
    confirmLabel=${t('reorg.confirm')} onConfirm=${onConfirm} />`;
}

// SplitWizard: split u into two or more new units at its level, under its
// parent. Step 1: each new unit's code and names (add or remove one), for
// each of u's children the new unit it goes to, the date and the legal
// basis. Step 2: the server's preview: u before, ending the day before, and
// each new unit after with the children it receives; a refusal is shown at
// its field. Step 3: confirm; u's page opens on its last day, whose events
// list the split and whose lineage links the new units.
// The errors are kept under the API's own field names (into[0].code...),
// so its details land at their fields as they come.
function SplitWizard({ u, onCancel, onDone }) {
  const { asOf, lang } = useApp();
  const heading = useFocusOnOpen();
  const w = useWizard(asOf, 'reorg-split');
  const { op, preview, edit } = w;
  const children = useChildren(u);
  // Each part has a key of its own, so that a child's choice follows its
  // part when another is removed.
  const blank = (key) => ({ key: String(key), code: '', name_vi: '', name_en: '' });
  const [parts, setParts] = useDraft('reorg-split-parts', [blank(0), blank(1)]);
  const [assign, setAssign] = useDraft('reorg-split-assign', {});
  const nextKey = useRef(Math.max(...parts.map((p) => Number(p.key) + 1)));
  const setPart = (i) => (k) => edit((value) => setParts((ps) => ps.map((p, j) => (j === i ? { ...p, [k]: value } : p))));
  const addPart = edit(() => { op.setErrors({}); setParts((ps) => [...ps, blank(nextKey.current++)]); });
  const removePart = (key) => edit(() => {
    op.setErrors({});
    setParts((ps) => ps.filter((p) => p.key !== key));
    setAssign((a) => Object.fromEntries(Object.entries(a).filter(([, k]) => k !== key)));
  });
  const partErrors = (i) => Object.fromEntries(NEW_UNIT_KEYS.map((k) => [k, op.errors[`into[${i}].${k}`]]));
  const codeOf = (key) => { const p = parts.find((x) => x.key === key); return p ? p.code.trim() : ''; };
  const body = () => ({
    into: parts.map((p) => ({ ...newUnitBody(p), level: u.level, kind: u.kind })),
    children: Object.fromEntries(children.items.map((c) => [c.code, codeOf(assign[c.code])])),
  });
  const fields = ['into', 'children', ...parts.flatMap((p, i) => NEW_UNIT_KEYS.map((k) => `into[${i}].${k}`))];
  // A code taken names no field: it is the code of the part that holds it.
  const aliases = (err) => {
    if (err.code !== 'code_taken') return {};
    const i = parts.findIndex((p) => p.code.trim() === err.params.value);
    return i >= 0 ? { code: `into[${i}].code` } : {};
  };
  const check = () => {
    const local = {};
    parts.forEach((p, i) => {
      requireNewUnit(p, local, (k) => `into[${i}].${k}`);
      if (p.code.trim() && parts.findIndex((x) => x.code.trim() === p.code.trim()) < i) {
        local[`into[${i}].code`] = t('reorg.split_code_twice');
      }
    });
    for (const c of children.items) if (!assign[c.code]) local[`child:${c.code}`] = t('reorg.split_pick');
    return op.check(local);
  };
  const path = `${unitPath('id:' + u.id)}/split`;
  const onPreview = async (e) => {
    e.preventDefault();
    if (op.busy || !check()) return;
    await w.runPreview(path, body(), fields, aliases);
  };
  const onConfirm = async () => {
    if (op.busy || !check()) return;
    const r = await op.send(path, body(), fields, aliases);
    // u ends on the day before the date: its page then lists the split.
    if (r) {
      onDone(u.code, addDays(op.date, -1), t('reorg.split_done',
        { name: unitName(u, lang), parts: r.units.map((x) => unitName(x, lang)).join(', ') }));
    }
  };
  const options = [['', t('reorg.split_choose')], ...parts.map((p, i) => [p.key, t('reorg.split_part', { n: i + 1 })])];
  return html`
    <form class="form" data-testid="reorg-split-form" onSubmit=${onPreview} novalidate ref=${op.formRef}>
      <h3 tabindex="-1" ref=${heading}>${t('reorg.split_title', { name: unitName(u, lang) })}</h3>
      <p class="hint">${t('reorg.split_intro')}</p>
      <fieldset class=${op.errors.into ? 'form-field checks field-group invalid' : 'form-field checks field-group'}
          aria-describedby=${op.errors.into ? 'reorg-parts-error' : undefined}>
        <legend class="field-label">${t('reorg.split_parts')}</legend>
        ${parts.map((p, i) => html`
          <fieldset key=${p.key} class="form part" data-testid="reorg-part">
            <legend>${t('reorg.split_part', { n: i + 1 })}</legend>
            <${NewUnitFields} id=${`reorg-part-${i}`} v=${p} set=${setPart(i)} errors=${partErrors(i)} />
            ${parts.length > 2 && html`
              <div class="form-actions">
                <button type="button" class="button small" data-testid=${`reorg-part-${i}-remove`}
                  onClick=${removePart(p.key)}>${t('reorg.split_remove', { n: i + 1 })}</button>
              </div>`}
          </fieldset>`)}
        ${op.errors.into && html`<span class="field-error" id="reorg-parts-error" data-testid="reorg-parts-error">${op.errors.into}</span>`}
        <div class="form-actions">
          <button type="button" class="button small" data-testid="reorg-part-add" onClick=${addPart}>${t('reorg.split_add')}</button>
        </div>
      </fieldset>
      ${children.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${children.error} onRetry=${children.reload} />
      ${children.items.length > 0 && html`
        <fieldset class=${op.errors.children ? 'form-field checks field-group invalid' : 'form-field checks field-group'}
            aria-describedby=${op.errors.children ? 'reorg-children-error' : 'reorg-children-hint'}>
          <legend class="field-label">${t('reorg.split_children')}</legend>
          <span class="hint" id="reorg-children-hint">${t('reorg.split_children_hint')}</span>
          ${children.items.map((c) => html`
            <${Select} key=${c.id} id=${`reorg-child-${idPart(c.code)}`} value=${assign[c.code] || ''} options=${options}
              label=${html`${unitName(c, lang)} <span class="code">${c.code}</span>`} error=${op.errors[`child:${c.code}`]}
              onChange=${edit((k) => setAssign((a) => ({ ...a, [c.code]: k })))} />`)}
          ${op.errors.children && html`<span class="field-error" id="reorg-children-error" data-testid="reorg-children-error">${op.errors.children}</span>`}
        </fieldset>`}
      <${WhenAndWhy} id="reorg" op=${w.whenOp} />
      <${WizardActions} op=${op} onCancel=${onCancel} />
      ${preview && html`<${SplitPreview} w=${w} onConfirm=${onConfirm} />`}
    </form>`;
}

// A code as a piece of an element id (one a CSS selector takes as it is).
function idPart(code) {
  return code.replace(/[^A-Za-z0-9_-]/g, '-');
}

function SplitPreview({ w, onConfirm }) {
  const { lang } = useApp();
  const p = w.preview;
  const before = p.event.sources.map((src) => ({ unit: src, meta: endsNote(p, lang), moved: p.moved }));
  const after = p.units.map((x) => ({ unit: x, meta: underNote(x, lang), moved: p.moved.filter((m) => m.to.id === x.id) }));
  return html`<${Preview} w=${w} before=${before} after=${after} count=${tn('reorg.split_moved_count', p.moved.length)}
    confirmLabel=${t('reorg.split_confirm')} onConfirm=${onConfirm} />`;
}
