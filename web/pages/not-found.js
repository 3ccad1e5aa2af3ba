// The page for a hash path no route matches.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { useApp } from '../lib/context.js';
import { href } from '../lib/router.js';
import { usePageTitle } from '../lib/hooks.js';

export function NotFoundPage() {
  const { asOfParam } = useApp();
  usePageTitle(t('notfound.title'));
  return html`
    <h1>${t('notfound.title')}</h1>
    <p><a href=${href('/', { as_of: asOfParam })}>${t('notfound.home')}</a></p>`;
}
