// tree: the lazily loaded organisation tree. A TreeNode shows one unit with a
// disclosure button; opening it mounts a ChildList, which fetches
// GET /api/v1/units/{code}/children for the current as-of date (page by page).
// Plain nested lists with aria-expanded buttons: every node is reachable with
// Tab and works with screen readers without a custom keyboard model.
// Which branches are open is kept with the history entry (RememberBranches,
// lib/router.js useViewState): Back from a unit shows the tree as she left it.
import { createContext } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { html } from '../lib/html.js';
import { get, unitPath } from '../lib/api.js';
import { PAGE_SIZE } from '../lib/config.js';
import { t, tn } from '../lib/i18n.js';
import { useApp } from '../lib/context.js';
import { useCursorList } from '../lib/hooks.js';
import { useViewState } from '../lib/router.js';
import { unitName, unitHref, levelName } from '../lib/units.js';
import { useAnnounce } from '../lib/announce.js';
import { Loading, ErrorBox, MoreButton } from './status.js';

// {open: {unit id: true | false}, toggle(id, on)}, for the nodes below.
const Branches = createContext(null);

// RememberBranches: around a tree whose open branches Back should restore.
export function RememberBranches({ children }) {
  const [open, setOpen] = useViewState('branches', {});
  const value = useMemo(() => ({ open, toggle: (id, on) => setOpen((o) => ({ ...o, [id]: on })) }), [open]);
  return html`<${Branches.Provider} value=${value}>${children}</${Branches.Provider}>`;
}

export function TreeNode({ unit, depth, initiallyOpen, showCount }) {
  const { lang, asOfParam } = useApp();
  const branches = useContext(Branches);
  const open = unit.id in branches.open ? branches.open[unit.id] : !!initiallyOpen;
  const setOpen = (on) => branches.toggle(unit.id, on);
  const name = unitName(unit, lang);
  const hasChildren = unit.child_count > 0;
  const listId = `tree-children-${unit.id}`;
  return html`
    <li class="node" data-testid="tree-node" data-code=${unit.code} data-depth=${depth}>
      <div class="node-row">
        ${hasChildren
          ? html`<button type="button" class="toggle" aria-expanded=${open ? 'true' : 'false'}
                aria-controls=${listId} onClick=${() => setOpen(!open)}
                title=${t(open ? 'tree.collapse' : 'tree.expand', { name })}>
              <span aria-hidden="true">${open ? '▾' : '▸'}</span>
              <span class="sr-only">${t(open ? 'tree.collapse' : 'tree.expand', { name })}</span>
            </button>`
          : html`<span class="toggle-spacer" aria-hidden="true"></span>`}
        <span class="node-label">
          <a class="node-name" href=${unitHref(unit.code, asOfParam)}>${name}</a>
          <span class="node-meta">
            <span class="code">${unit.code}</span>
            <span class="level">${levelName(unit.level, lang)}</span>
            ${hasChildren && html`<span class="badge">${tn('count.children', unit.child_count)}</span>`}
          </span>
        </span>
      </div>
      ${open && hasChildren && html`<${ChildList} unit=${unit} depth=${depth + 1} id=${listId} showCount=${showCount} />`}
    </li>`;
}

// ChildList: the children of unit as of the current date. showCount adds the
// "N đơn vị" line (data-testid=unit-count) above the list.
export function ChildList({ unit, depth, id, showCount }) {
  const { asOf } = useApp();
  const list = useCursorList(
    (cursor, signal) => get(unitPath(unit.code) + '/children', { as_of: asOf, limit: PAGE_SIZE, cursor }, signal),
    [unit.code, asOf],
  );
  const { items, next, loading, error } = list;
  const total = Math.max(unit.child_count || 0, items.length);
  const counted = showCount && !(loading && items.length === 0) && !(error && items.length === 0);
  const count = next ? t('count.shown_of', { shown: items.length, total }) : tn('count.units', items.length);
  // Said once she asked for more (the first page's count is not news).
  useAnnounce(counted && items.length > PAGE_SIZE ? count : '');
  return html`
    ${counted && html`<p class="count" data-testid="unit-count">${count}</p>`}
    ${items.length > 0 && html`
      <ul class="tree-children" id=${id} role="list">
        ${items.map((u) => html`<${TreeNode} key=${u.id} unit=${u} depth=${depth} />`)}
      </ul>`}
    ${!loading && !error && items.length === 0 && html`<p class="muted">${t('tree.empty')}</p>`}
    ${loading && html`<${Loading} inline />`}
    ${error && html`<${ErrorBox} error=${error} onRetry=${items.length ? list.loadMore : list.reload} />`}
    <${MoreButton} list=${list} label=${t('tree.more')} />
  `;
}
