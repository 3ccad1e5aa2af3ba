// The unit details page (#/units/{code}?as_of=...): the unit as it stood on
// the as-of date (names, level, kind, attributes, validity, parent chain),
// its lineage through merges and splits, its name and parent history, its
// events, and its children as a lazy tree.
//
// Links to other units always carry a date inside that unit's validity,
// because a code names different units on different dates (24 was Bắc Giang
// until 2025-06-30 and is the new Bắc Ninh from 2025-07-01).
import { html } from '../lib/html.js';
import { get, unitPath } from '../lib/api.js';
import { t, tn } from '../lib/i18n.js';
import { useState } from 'preact/hooks';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { useAnnounce } from '../lib/announce.js';
import { href, navigate } from '../lib/router.js';
import { addDays, formatDate } from '../lib/dates.js';
import { unitName, unitHref, levelName, kindName, attrName, eventName, validity } from '../lib/units.js';
import { ChildList, RememberBranches } from '../components/tree.js';
import { Loading, ErrorBox } from '../components/status.js';
import { ReorgPanel } from './unit-reorg.js';

// What a change made on a unit page says, kept across the navigation to the
// unit it left or made (another code is another page).
let pendingNotice = null;

export function UnitPage({ params }) {
  const { asOf, asOfParam, lang } = useApp();
  const code = params.code;
  const base = unitPath(code);
  const unit = useAsync((s) => get(base, { as_of: asOf }, s), [code, asOf]);
  const ancestors = useAsync((s) => get(base + '/ancestors', { as_of: asOf }, s), [code, asOf]);
  const lineage = useAsync((s) => get(base + '/lineage', { as_of: asOf }, s), [code, asOf]);
  // {text, code}: after a change made on this page (or the page it came from)
  const [notice, setNotice] = useState(() => { const n = pendingNotice; pendingNotice = null; return n; });
  // Named as its heading: the unit's name once known, "Đơn vị 24" till then.
  usePageTitle(unit.data ? unitName(unit.data, lang) : `${t('unit.title')} ${code}`);
  const shownNotice = notice && unit.data && notice.code === unit.data.code ? notice.text : '';
  useAnnounce(shownNotice);

  // After a reorganisation: the unit it left (or made) on the day it took
  // effect, where its events list it.
  const done = (newCode, date, text) => {
    setNotice({ text, code: newCode });
    if (newCode === code && date === asOf) { unit.reload(); ancestors.reload(); lineage.reload(); return; }
    pendingNotice = { text, code: newCode };
    navigate('/units/' + encodeURIComponent(newCode), { as_of: date });
  };

  if (unit.loading) return html`<${Loading} />`;
  if (unit.error) {
    return html`
      <h1>${t('unit.title')} ${code}</h1>
      <${ErrorBox} error=${unit.error} onRetry=${unit.reload}>
        <p><a href=${href('/', { as_of: asOfParam })}>${t('unit.back')}</a></p>
      </${ErrorBox}>`;
  }
  const u = unit.data;
  return html`
    <${Breadcrumb} unit=${u} ancestors=${ancestors} />
    <article class="unit" data-testid="unit-details" data-code=${u.code}>
      <${Header} u=${u} />
      ${shownNotice && html`<p class="success" data-testid="reorg-done">${shownNotice}</p>`}
      <${Facts} u=${u} />
      <${ReorgPanel} key=${`${u.id}-${asOf}`} u=${u} onDone=${done} />
      <${Lineage} state=${lineage} />
      ${u.child_count > 0 && html`
        <section class="panel" aria-labelledby="children-heading">
          <h2 id="children-heading">${t('unit.children')}</h2>
          <div class="tree">
            <${RememberBranches}>
              <${ChildList} key=${u.id} unit=${u} depth=${1} id=${`children-${u.id}`} showCount />
            </${RememberBranches}>
          </div>
        </section>`}
      <${NameHistory} u=${u} />
      <${AttributeHistory} u=${u} />
      <${ParentHistory} u=${u} />
      <${Events} u=${u} />
    </article>`;
}

function Breadcrumb({ unit, ancestors }) {
  const { lang, asOfParam } = useApp();
  const items = (ancestors.data && ancestors.data.items) || [];
  return html`
    <nav class="breadcrumb" aria-label=${t('unit.ancestors')}>
      <ol role="list">
        ${items.map((a) => html`<li key=${a.id}><a href=${unitHref(a.code, asOfParam)}>${unitName(a, lang)}</a></li>`)}
        <li><span aria-current="page">${unitName(unit, lang)}</span></li>
      </ol>
      ${ancestors.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${ancestors.error} onRetry=${ancestors.reload} />
    </nav>`;
}

function Header({ u }) {
  const { lang } = useApp();
  const other = lang === 'en' ? 'vi' : 'en';
  const otherName = u[`name_${other}`];
  return html`
    <header class="unit-header">
      <h1>${unitName(u, lang)}</h1>
      ${otherName && otherName !== unitName(u, lang) && html`<p class="other-name" lang=${other}>${otherName}</p>`}
    </header>`;
}

function Facts({ u }) {
  const { lang, asOfParam } = useApp();
  const attrs = u.attributes || [];
  return html`
    <dl class="facts">
      <div><dt>${t('unit.code')}</dt><dd class="code">${u.code}</dd></div>
      <div><dt>${t('unit.name_vi')}</dt><dd lang="vi">${u.name_vi}</dd></div>
      <div><dt>${t('unit.name_en')}</dt><dd lang="en">${u.name_en || '—'}</dd></div>
      <div><dt>${t('unit.level')}</dt><dd>${levelName(u.level, lang)}</dd></div>
      <div><dt>${t('unit.kind')}</dt><dd>${kindName(u.kind)}</dd></div>
      <div><dt>${t('unit.attributes')}</dt><dd>
        ${attrs.length
          ? html`<ul class="chips" role="list">${attrs.map((a) => html`<li key=${a}>${attrName(a)}</li>`)}</ul>`
          : t('unit.none')}
      </dd></div>
      <div><dt>${t('unit.validity')}</dt><dd>${validity(u.valid_from, u.valid_until, lang)}</dd></div>
      <div><dt>${t('unit.parent')}</dt><dd>
        ${u.parent ? html`<a href=${unitHref(u.parent.code, asOfParam)}>${unitName(u.parent, lang)}</a>` : t('unit.none')}
      </dd></div>
      <div><dt>${t('unit.child_count')}</dt><dd>${u.child_count ?? 0}</dd></div>
    </dl>`;
}

// Lineage: predecessors link to their last valid day, successors to their
// first, so the link opens the very unit listed whatever the code means today.
function Lineage({ state }) {
  const { lang } = useApp();
  const data = state.data || {};
  const preds = data.predecessors || [];
  const succs = data.successors || [];
  const entry = (role, e, date) => html`
    <li key=${`${role}-${e.unit.id}`} data-testid=${role} data-code=${e.unit.code}>
      <a href=${unitHref(e.unit.code, date)}>${unitName(e.unit, lang)}</a>
      <span class="node-meta">
        <span class="code">${e.unit.code}</span>
        <span>${validity(e.unit.valid_from, e.unit.valid_until, lang)}</span>
        ${e.event && html`<span>${t('lineage.via', { event: eventName(e.event.kind), date: formatDate(e.event.date, lang) })}</span>`}
        ${e.depth > 1 && html`<span class="badge">${t('lineage.indirect', { depth: e.depth })}</span>`}
      </span>
    </li>`;
  return html`
    <section class="panel lineage" data-testid="lineage" aria-labelledby="lineage-heading">
      <h2 id="lineage-heading">${t('lineage.title')}</h2>
      ${state.loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${state.error} onRetry=${state.reload} />
      ${state.data && html`
        <div class="lineage-cols">
          <div>
            <h3>${t('lineage.predecessors')}</h3>
            ${preds.length
              ? html`<ul class="plain" role="list">${preds.map((e) => entry('predecessor', e, e.unit.valid_until || e.unit.valid_from))}</ul>`
              : html`<p class="muted">${t('lineage.no_predecessors')}</p>`}
          </div>
          <div>
            <h3>${t('lineage.successors')}</h3>
            ${succs.length
              ? html`<ul class="plain" role="list">${succs.map((e) => entry('successor', e, e.unit.valid_from))}</ul>`
              : html`<p class="muted">${t('lineage.no_successors')}</p>`}
          </div>
        </div>`}
    </section>`;
}

function NameHistory({ u }) {
  const { lang } = useApp();
  const names = u.names || [];
  if (!names.length) return null;
  return html`
    <section class="panel" aria-labelledby="names-heading">
      <h2 id="names-heading">${t('unit.names')}</h2>
      <ol class="plain history" role="list">
        ${names.map((n, i) => html`
          <li key=${i}>
            <span lang="vi">${n.name_vi}</span>${n.name_en && html` · <span lang="en">${n.name_en}</span>`}
            <span class="node-meta">${validity(n.valid_from, n.valid_until, lang)}</span>
          </li>`)}
      </ol>
    </section>`;
}

// Attributes through time: shown only when they ever changed (Huế became a
// centrally run city; a border commune may stop being one).
function AttributeHistory({ u }) {
  const { lang } = useApp();
  const spans = u.attribute_history || [];
  if (spans.length < 2) return null;
  return html`
    <section class="panel" aria-labelledby="attributes-heading" data-testid="attribute-history">
      <h2 id="attributes-heading">${t('unit.attribute_history')}</h2>
      <ol class="plain history" role="list">
        ${spans.map((a, i) => html`
          <li key=${i}>
            ${a.attributes.length
              ? html`<ul class="chips" role="list">${a.attributes.map((w) => html`<li key=${w}>${attrName(w)}</li>`)}</ul>`
              : t('unit.none')}
            <span class="node-meta">${validity(a.valid_from, a.valid_until, lang)}</span>
          </li>`)}
      </ol>
    </section>`;
}

function ParentHistory({ u }) {
  const { lang } = useApp();
  const parents = u.parents || [];
  if (!parents.length) return null;
  return html`
    <section class="panel" aria-labelledby="parents-heading">
      <h2 id="parents-heading">${t('unit.parents')}</h2>
      <ol class="plain history" role="list">
        ${parents.map((p, i) => html`
          <li key=${i}>
            ${p.parent
              ? html`<a href=${unitHref(p.parent.code, p.valid_from)}>${unitName(p.parent, lang)}</a>`
              : t('unit.none')}
            <span class="node-meta">${validity(p.valid_from, p.valid_until, lang)}</span>
          </li>`)}
      </ol>
    </section>`;
}

// Events: a source of a merge or split ended the day before the event; a
// target began on it. The unit itself is not linked to itself.
function Events({ u }) {
  const { lang } = useApp();
  const events = u.events || [];
  const ref = (r, date) => (r.id === u.id
    ? html`<span>${unitName(r, lang)}</span>`
    : html`<a href=${unitHref(r.code, date)}>${unitName(r, lang)}</a>`);
  const refs = (list, date) => list.map((r, i) => html`${i > 0 && ', '}${ref(r, date)} <span class="code">${r.code}</span>`);
  return html`
    <section class="panel" aria-labelledby="events-heading">
      <h2 id="events-heading">${t('unit.events')}</h2>
      ${events.length === 0 && html`<p class="muted">${t('unit.no_events')}</p>`}
      ${events.length > 0 && html`
        <ol class="plain events" role="list" data-testid="events">
          ${events.map((e) => {
            const sources = e.sources || [];
            const targets = e.targets || [];
            const onlySelf = [...sources, ...targets].every((r) => r.id === u.id);
            return html`
              <li key=${e.id} data-kind=${e.kind}>
                <span class="event-head"><strong>${eventName(e.kind)}</strong> · ${formatDate(e.date, lang)}</span>
                ${!onlySelf && sources.length > 0 && html`<span class="event-units">${t('event.sources')}: ${refs(sources, addDays(e.date, -1))}</span>`}
                ${!onlySelf && targets.length > 0 && html`<span class="event-units">${t('event.targets')}: ${refs(targets, e.date)}</span>`}
                ${e.note && html`<span class="node-meta">${e.note}</span>`}
              </li>`;
          })}
        </ol>`}
    </section>`;
}
