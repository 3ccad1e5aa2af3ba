// The organisation tree page (#/): the user's own unit (VN for the central
// union; her commune for a commune officer, whose scope it is: VN would answer
// 404 for her) opened on its children, and a search box over the units she
// may see that are valid on the as-of date. The search text is kept in the
// URL (?q=) so results survive going to a unit and back.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { get, unitPath } from '../lib/api.js';
import { ROOT_CODE, PAGE_SIZE } from '../lib/config.js';
import { t, tn } from '../lib/i18n.js';
import { useApp } from '../lib/context.js';
import { useAsync, useCursorList, useDebounced, usePageTitle } from '../lib/hooks.js';
import { useAnnounce } from '../lib/announce.js';
import { navigate } from '../lib/router.js';
import { formatDate } from '../lib/dates.js';
import { unitName, unitHref, levelName } from '../lib/units.js';
import { TreeNode, RememberBranches } from '../components/tree.js';
import { Loading, ErrorBox, MoreButton } from '../components/status.js';

export function TreePage({ query }) {
  const { lang, asOf } = useApp();
  const q = (query.q || '').trim();
  usePageTitle(t('tree.title'));
  return html`
    <h1>${t('tree.title')}</h1>
    <p class="muted">${t('tree.intro', { date: formatDate(asOf, lang) })}</p>
    <${SearchBox} query=${query} />
    ${q ? html`<${SearchResults} q=${q} />` : html`<${OrgTree} />`}
  `;
}

function SearchBox({ query }) {
  const urlQ = query.q || '';
  const [text, setText] = useState(urlQ);
  // the box's text as of the last keystroke or click, which an effect of an
  // earlier render may run after (preact runs it before the next render)
  const latest = useRef(text);
  const edit = (value) => { latest.current = value; setText(value); };
  const typed = useDebounced(text.trim(), 250);
  const commit = (value) => navigate('/', { ...query, q: value || undefined }, { replace: true });
  // typing -> URL, after a pause; not a word the box no longer holds (the
  // clear button pressed as the pause ended)
  useEffect(() => { if (typed === latest.current.trim() && typed !== urlQ.trim()) commit(typed); }, [typed]);
  // URL -> box, when the location changes from elsewhere (back button, link)
  useEffect(() => { if (urlQ.trim() !== text.trim()) edit(urlQ); }, [urlQ]);
  return html`
    <form class="search" role="search" onSubmit=${(e) => { e.preventDefault(); commit(text.trim()); }}>
      <label class="field" for="unit-search">
        <span class="field-label">${t('search.label')}</span>
      </label>
      <div class="search-row">
        <input id="unit-search" type="search" data-testid="search-input" value=${text}
          placeholder=${t('search.placeholder')} autocomplete="off" spellcheck="false"
          onInput=${(e) => edit(e.currentTarget.value)} />
        ${text && html`<button type="button" class="button" onClick=${() => { edit(''); commit(''); }}>
          ${t('search.clear')}</button>`}
      </div>
    </form>`;
}

function OrgTree() {
  const { asOf, user } = useApp();
  const rootCode = (user && user.unit && user.unit.code) || ROOT_CODE;
  const root = useAsync((signal) => get(unitPath(rootCode), { as_of: asOf }, signal), [rootCode, asOf]);
  return html`
    <section class="panel" aria-labelledby="tree-heading">
      <h2 id="tree-heading" class="sr-only">${t('tree.title')}</h2>
      ${root.loading && html`<${Loading} />`}
      <${ErrorBox} error=${root.error} onRetry=${root.reload} />
      ${root.data && html`
        <${RememberBranches}>
          <ul class="tree" data-testid="tree" role="list">
            <${TreeNode} key=${root.data.id} unit=${root.data} depth=${0} initiallyOpen showCount />
          </ul>
        </${RememberBranches}>`}
    </section>`;
}

function SearchResults({ q }) {
  const { asOf, asOfParam, lang } = useApp();
  const list = useCursorList(
    (cursor, signal) => get('/units', { q, as_of: asOf, limit: PAGE_SIZE, cursor }, signal),
    [q, asOf],
  );
  const { items, next, loading, error } = list;
  const counted = !(loading && items.length === 0) && !error;
  const count = items.length === 0 ? t('search.none', { q }) : tn(next ? 'count.found_more' : 'count.found', items.length);
  useAnnounce(counted ? count : '');
  return html`
    <section class="panel" aria-labelledby="results-heading">
      <h2 id="results-heading">${t('search.results')}</h2>
      ${counted && html`<p class="count" data-testid="unit-count">${count}</p>`}
      ${items.length > 0 && html`
        <ul class="results" data-testid="search-results" role="list">
          ${items.map((u) => html`
            <li key=${u.id} data-testid="search-result" data-code=${u.code}>
              <a class="node-name" href=${unitHref(u.code, asOfParam)}>${unitName(u, lang)}</a>
              <span class="node-meta">
                <span class="code">${u.code}</span>
                <span class="level">${levelName(u.level, lang)}</span>
                ${u.parent && html`<span class="parent">${t('unit.in', { name: unitName(u.parent, lang) })}</span>`}
              </span>
            </li>`)}
        </ul>`}
      ${loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${error} onRetry=${items.length ? list.loadMore : list.reload} />
      <${MoreButton} list=${list} label=${t('tree.more')} />
    </section>`;
}
