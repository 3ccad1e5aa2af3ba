// routes: the app's pages. To add a page, write web/pages/<name>.js exporting
// a component, and add one entry here:
//   path     '/segment/:param' (hash path; params arrive decoded in props.params)
//   page     the component; it receives {params, query}
//   nav      i18n key: show this route in the header navigation
//   section  the nav entry to mark as current (defaults to the route's path)
//   title    i18n key for the document title (optional; the page's nav key otherwise)
import { TreePage } from './pages/tree.js';
import { UnitPage } from './pages/unit.js';

export const routes = [
  { path: '/', page: TreePage, nav: 'nav.tree', title: 'tree.title' },
  { path: '/units/:code', page: UnitPage, section: '/', title: 'unit.title' },
];
