// The members page (#/members, for holders of record.read): the members on
// the as-of date of the units in her scope (GET /api/v1/members), sorted by
// name the Vietnamese way, searched as she types (the API folds diacritics:
// "nguyen thi hoa" finds Nguyễn Thị Hoa; digits find an ID number or a
// phone), filtered by a unit's code (her own unit at first: the unit and all
// below it), and, ticked, to those who have not paid the dues (hội phí) of
// the as-of date's year (this year unless she chose another day), 50 at a
// time with "Xem thêm". The search, the unit and the tick stay with the
// history entry, so Back from a member's page finds the list as she left
// it; a link may name the unit (#/members?unit=00004). Holders of record.write also get the add-member form
// (member-form.js). A member's page that erased her comes back here and
// the list says so (lib/arrival.js).
import { html } from '../lib/html.js';
import { t, tn } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useCursorList, useDebounced, useDraft, usePageTitle } from '../lib/hooks.js';
import { useAnnounce } from '../lib/announce.js';
import { useArrival } from '../lib/arrival.js';
import { useViewState } from '../lib/router.js';
import { can } from '../lib/roles.js';
import { formatDate } from '../lib/dates.js';
import { unitName, unitHref } from '../lib/units.js';
import { memberKindName, memberHref } from '../lib/members.js';
import { yearOf } from '../lib/dues.js';
import { Loading, ErrorBox, MoreButton } from '../components/status.js';
import { Field, CheckField } from '../components/form.js';
import { UnitLookup } from '../components/unit-lookup.js';
import { MemberForm } from './member-form.js';

const PAGE = 50;

export function MembersPage({ query = {} }) {
  const { user, lang, asOf } = useApp();
  const own = (user.unit && user.unit.code) || '';
  const [q, setQ] = useViewState('q', '');
  // (a link may name the unit: the import wizard's to the unit it filled)
  const [unit, setUnit] = useViewState('unit', query.unit || own);
  const [unpaid, setUnpaid] = useViewState('unpaid', false);
  const year = yearOf(asOf);
  // (the form, like its fields, survives a session expiry: useDraft)
  const [adding, setAdding] = useDraft('members-adding', false);
  const writer = can(user, 'record.write');
  const notice = useArrival('/members', '');
  useAnnounce(notice);
  const typedQ = useDebounced(q.trim(), 300);
  const typedUnit = useDebounced(unit.trim(), 300);
  usePageTitle(t('members.title'));
  return html`
    <h1>${t('members.title')}</h1>
    <p class="muted">${t('members.intro', { date: formatDate(asOf, lang) })}</p>
    ${notice && html`<p class="success" data-testid="members-notice">${notice}</p>`}
    ${writer && html`
      <p><button type="button" class="button primary" data-testid="members-add" aria-expanded=${adding ? 'true' : 'false'}
          onClick=${() => setAdding(!adding)}>${t('members.add')}</button></p>
      ${adding && html`<${MemberForm} onCancel=${() => setAdding(false)} />`}`}
    <form class="panel form filters" role="search" aria-label=${t('members.filters')}
        onSubmit=${(e) => e.preventDefault()}>
      <div class="filter-grid">
        <${Field} id="member-search" type="search" label=${t('members.search')} value=${q} onInput=${setQ}
          hint=${t('members.search_hint')} data-testid="member-search" autocomplete="off" spellcheck="false" />
        <div>
          <${Field} id="member-unit-filter" label=${t('members.unit_filter')} value=${unit} onInput=${setUnit}
            hint=${t('members.unit_filter_hint')} data-testid="member-unit-filter" autocomplete="off" spellcheck="false" />
          <${UnitLookup} code=${unit.trim()} date=${asOf} quiet testid="member-unit-filter-name" />
        </div>
      </div>
      <${CheckField} id="member-unpaid-filter" label=${t('members.unpaid_filter', { year })} checked=${unpaid}
        onChange=${setUnpaid} />
    </form>
    <${MemberList} q=${typedQ} unit=${typedUnit} unpaid=${unpaid ? year : undefined} />`;
}

// noneText: what the list says when no member is in it.
function noneText(q, unpaid) {
  if (q) return t('members.none_found', { q });
  return unpaid ? t('members.none_unpaid', { year: unpaid }) : t('members.none');
}

function MemberList({ q, unit, unpaid }) {
  const { asOf } = useApp();
  const list = useCursorList(
    (cursor, signal) => get('/members', {
      q, unit, dues_unpaid: unpaid, as_of: asOf, sort: 'name', limit: PAGE, cursor,
    }, signal),
    [q, unit, unpaid, asOf],
  );
  const { items, next, loading, error } = list;
  const counted = !(loading && items.length === 0) && !error;
  const none = noneText(q, unpaid);
  const count = items.length === 0 ? none : tn(next ? 'count.members_more' : 'count.members', items.length);
  useAnnounce(counted ? count : '');
  return html`
    <section class="panel" aria-labelledby="members-heading">
      <h2 id="members-heading">${t('members.list')}</h2>
      ${counted && html`<p class="count" data-testid="members-count">${count}</p>`}
      ${items.length > 0 && html`
        <table class="table stack" data-testid="members-table">
          <thead>
            <tr>
              <th scope="col">${t('member.full_name')}</th>
              <th scope="col">${t('member.birth_date')}</th>
              <th scope="col">${t('member.unit')}</th>
              <th scope="col">${t('member.joined_on')}</th>
              <th scope="col">${t('member.kind')}</th>
            </tr>
          </thead>
          <tbody>
            ${items.map((m) => html`<${MemberRow} key=${m.id} m=${m} />`)}
          </tbody>
        </table>`}
      ${loading && html`<${Loading} inline />`}
      <${ErrorBox} error=${error} onRetry=${items.length ? list.loadMore : list.reload} />
      <${MoreButton} list=${list} label=${t('members.more')} testid="members-more" />
    </section>`;
}

function MemberRow({ m }) {
  const { lang, asOfParam } = useApp();
  return html`
    <tr data-testid="member-row" data-id=${m.id} data-kind=${m.kind}>
      <td data-label=${t('member.full_name')}>
        <a class="node-name" href=${memberHref(m.id, asOfParam)}>${m.full_name}</a>
      </td>
      <td data-label=${t('member.birth_date')}>${formatDate(m.birth_date, lang)}</td>
      <td data-label=${t('member.unit')}>
        ${m.unit && html`<a href=${unitHref(m.unit.code, asOfParam)}>${unitName(m.unit, lang)}</a>
          <span class="code muted"> ${m.unit.code}</span>`}
      </td>
      <td data-label=${t('member.joined_on')}>${m.joined_on ? formatDate(m.joined_on, lang) : '—'}</td>
      <td data-label=${t('member.kind')}>
        <span class=${m.kind === 'honorary' ? 'badge honorary' : undefined}>${memberKindName(m.kind)}</span>
      </td>
    </tr>`;
}
