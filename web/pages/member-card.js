// The membership card (#/members/{id}/card; "Thẻ hội viên"): her card today
// as GET /api/v1/members/{id}/card gives it, for the member herself (her own
// account) and for those who may read her record. Phone-sized first: the
// card fills a phone's width, its QR code large enough to scan from the
// screen; on paper (print CSS) only the card is printed, at the size of a
// card. The QR code is the server's SVG shown as an image (an <img> runs
// nothing): it holds the card's verification URL (GET /verify/{token}),
// which a phone camera opens. The card is the card of her stay of today:
// after a transfer she opens it again for a new code.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { formatDate } from '../lib/dates.js';
import { href } from '../lib/router.js';
import { unitName } from '../lib/units.js';
import { memberKindName } from '../lib/members.js';
import { Loading, ErrorBox } from '../components/status.js';

// The photo's place: a silhouette until the record holds photos.
const SILHOUETTE = html`
  <svg viewBox="0 0 48 64" width="48" height="64" aria-hidden="true" focusable="false">
    <circle cx="24" cy="22" r="11" fill="currentColor" />
    <path d="M4 62c0-13 9-22 20-22s20 9 20 22z" fill="currentColor" />
  </svg>`;

export function MemberCardPage({ params }) {
  const { lang } = useApp();
  const { id } = params;
  const path = `/members/${encodeURIComponent(id)}`;
  const card = useAsync((s) => get(`${path}/card`, undefined, s), [id]);
  usePageTitle(card.data ? t('card.page_title', { name: card.data.full_name }) : t('card.title'));

  const back = html`<p class="breadcrumb no-print"><a href=${href(path)}>${t('card.back')}</a></p>`;
  if (card.loading) return html`<${Loading} />`;
  if (card.error) {
    return html`
      ${back}
      <h1>${t('card.title')}</h1>
      <${ErrorBox} error=${card.error} onRetry=${card.reload} />`;
  }
  const c = card.data;
  const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(c.qr.svg)}`;
  return html`
    ${back}
    <article class="member-card" data-testid="member-card" data-id=${c.id} aria-labelledby="member-card-title">
      <header class="member-card-head">
        <span class="member-card-org">${t('app.tagline')}</span>
        <h1 id="member-card-title" class="member-card-title">${t('card.title')}</h1>
      </header>
      <div class="member-card-body">
        <div class="member-card-photo" role="img" aria-label=${t('card.photo')} data-testid="member-card-photo">
          ${SILHOUETTE}
        </div>
        <dl class="member-card-facts">
          <div><dt>${t('card.name')}</dt><dd class="member-card-name" data-testid="member-card-name">${c.full_name}</dd></div>
          <div><dt>${t('card.unit')}</dt><dd data-testid="member-card-unit">${unitName(c.unit, lang)}</dd></div>
          <div><dt>${t('card.since')}</dt><dd data-testid="member-card-since">${formatDate(c.member_since, lang)}</dd></div>
          <div><dt>${t('card.kind')}</dt><dd>${memberKindName(c.kind)}</dd></div>
          <div><dt>${t('card.number')}</dt><dd class="code">${c.id}</dd></div>
        </dl>
      </div>
      <figure class="member-card-qr">
        <img src=${qr} alt=${t('card.qr_alt', { name: c.full_name })} data-testid="member-card-qr"
          data-version=${c.qr.version} width="320" height="320" />
        <figcaption>${t('card.scan')}</figcaption>
      </figure>
      <p class="member-card-issued">${t('card.issued', { date: formatDate(c.issued_on, lang) })}</p>
    </article>
    <p class="hint no-print">${t('card.valid_while')}</p>
    <div class="form-actions no-print">
      <button type="button" class="button primary" data-testid="member-card-print" onClick=${() => window.print()}>
        ${t('card.print')}</button>
      <a class="button" href=${c.verify_url} target="_blank" rel="noopener noreferrer"
        data-testid="member-card-check">${t('card.check')}</a>
    </div>`;
}
