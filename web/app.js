// app: the entry point. Loads the dictionaries and level names, then renders
// the layout with the page the hash location names (see routes.js).
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './lib/html.js';
import { loadI18n, getLang, onLangChange, t } from './lib/i18n.js';
import { AppContext } from './lib/context.js';
import { useLocation, match } from './lib/router.js';
import { today } from './lib/dates.js';
import { loadLevels } from './lib/units.js';
import { routes } from './routes.js';
import { Layout } from './components/layout.js';
import { NotFoundPage } from './pages/not-found.js';

function App() {
  const loc = useLocation();
  const [lang, setLang] = useState(getLang());
  useEffect(() => onLangChange(setLang), []);

  const m = match(routes, loc.path);
  const route = m ? m.route : null;
  const Page = route ? route.page : NotFoundPage;
  const asOfParam = loc.query.as_of || undefined;
  const ctx = { lang, loc, asOfParam, asOf: asOfParam || today() };

  const titleKey = route ? route.title || route.nav : 'notfound.title';
  useEffect(() => {
    document.title = titleKey ? t('page.title', { page: t(titleKey) }) : t('app.name');
  }, [titleKey, lang]);

  // After moving to another page (not on first load, not on a query change),
  // put keyboard and screen-reader focus at the start of the new content.
  const lastPath = useRef(loc.path);
  useEffect(() => {
    if (lastPath.current === loc.path) return;
    lastPath.current = loc.path;
    const main = document.getElementById('main');
    if (main) main.focus({ preventScroll: false });
  }, [loc.path]);

  return html`
    <${AppContext.Provider} value=${ctx}>
      <${Layout} routes=${routes} section=${route ? route.section || route.path : null}>
        <${Page} key=${loc.path} params=${m ? m.params : {}} query=${loc.query} />
      </${Layout}>
    </${AppContext.Provider}>`;
}

async function start() {
  const root = document.getElementById('app');
  try {
    // Level names are a nicety: without them the i18n names are used.
    await Promise.all([loadI18n(), loadLevels().catch(() => {})]);
  } catch (e) {
    // No dictionary, so no words to say it with: plain text, both languages.
    root.textContent = `unionbase: không tải được giao diện / the interface could not be loaded (${e.message})`;
    return;
  }
  root.textContent = '';
  render(html`<${App} />`, root);
}

start();
