// The member page (#/members/{id}?as_of=...): her record as the API gives
// it on the as-of date (GET /api/v1/members/{id}), every field labelled,
// the sensitive ones (ethnicity, religion, ID number, circumstances) said
// to be hidden when the API masked them for a caller without
// sensitive.read, and her history in the union as a timeline: each stay in
// a branch or group, from when until when, why it began and why it ended.
// Her dues (hội phí) follow, each year she paid (member-dues.js).
// Holders of record.write may correct her record (member-edit.js), and
// while she is a member move her to another unit, record that she left or
// record her dues (member-actions.js, member-dues.js). Those who also hold sensitive.read see her personal data
// last: consents, export and erasure (member-privacy.js). Her card
// ("Thẻ hội viên", member-card.js) is a link away while she is a member. A
// member's own account opens this page on her own record: no list to go
// back to, her consents and the download of her data, no erasure.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, tn, has } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAsync, usePageTitle } from '../lib/hooks.js';
import { useAnnounce, announce } from '../lib/announce.js';
import { arriveWith as arrive, useArrival } from '../lib/arrival.js';
import { can, ownRecord } from '../lib/roles.js';
import { href } from '../lib/router.js';
import { formatDate, addDays } from '../lib/dates.js';
import { unitName, unitHref, validity } from '../lib/units.js';
import {
  memberKindName, sexName, startReasonName, endReasonName, idKindName, phoneText,
} from '../lib/members.js';
import { Loading, ErrorBox } from '../components/status.js';
import { MemberActions, RejoinAction, isCurrent } from './member-actions.js';
import { MemberDues } from './member-dues.js';
import { MemberPrivacy, mayHandlePrivacy } from './member-privacy.js';
import { useEthnicGroups, ethnicName } from '../lib/ethnic.js';

// arriveWith: show text (and the possible duplicates) on the page of
// member id when it opens next: what the add-member form says once she is
// saved (the form navigates here).
export function arriveWith(id, text, duplicates = []) {
  arrive(`/members/${id}`, { text, duplicates });
}

export function MemberPage({ params }) {
  const { asOf, asOfParam, user } = useApp();
  const { id } = params;
  const path = `/members/${encodeURIComponent(id)}`;
  const rec = useAsync((s) => get(path, { as_of: asOf }, s), [id, asOf]);
  // what her last action did, said in place of the arrival's words
  const [done, setDone] = useState('');
  const { text: notice, duplicates } = useArrival(`/members/${id}`, { text: '', duplicates: [] });
  usePageTitle(rec.data ? rec.data.full_name : t('member.title'));
  useAnnounce(rec.data ? notice : '');

  if (rec.loading) return html`<${Loading} />`;
  if (rec.error) {
    return html`
      <h1>${t('member.title')}</h1>
      <${ErrorBox} error=${rec.error} onRetry=${rec.reload}>
        <p><a href=${href('/members', { as_of: asOfParam })}>${t('member.back')}</a></p>
      </${ErrorBox}>`;
  }
  const m = rec.data;
  const writer = can(user, 'record.write') && isCurrent(m);
  // her own record, seen through her own account (a member's)
  const self = String(ownRecord(user)) === String(m.id);
  // refresh: her record as now on the page's date (`fallback`, what an
  // action answered, if that cannot be read).
  const refresh = (fallback) => get(path, { as_of: asOf }).then(rec.setData, () => rec.setData(fallback));
  // acted: an action was recorded: her record afresh, and what was done.
  const acted = ({ member, text }) => {
    setDone(text);
    announce(text);
    refresh(member);
  };
  const said = done || notice;
  return html`
    ${can(user, 'record.read') && html`
      <p class="breadcrumb"><a href=${href('/members', { as_of: asOfParam })}>${t('member.back')}</a></p>`}
    <article class="member" data-testid="member-details" data-id=${m.id}>
      <h1>${m.full_name}</h1>
      ${self && html`<p class="muted" data-testid="member-mine">${t('member.mine')}</p>`}
      ${said && html`<p class="success" data-testid="member-notice">${said}</p>`}
      ${duplicates.length > 0 && html`<${Duplicates} list=${duplicates} />`}
      <${Standing} m=${m} linked=${can(user, 'unit.read')} />
      ${isCurrent(m) && html`
        <p><a class="button primary" data-testid="member-card-link"
          href=${href(`/members/${encodeURIComponent(m.id)}/card`)}>${t('member.card_link')}</a></p>`}
      ${writer && html`<${MemberActions} m=${m} onDone=${acted} />`}
      ${can(user, 'record.write') && !isCurrent(m) && html`<${RejoinAction} m=${m} onDone=${acted} />`}
      <${Facts} m=${m} />
      <${MemberDues} m=${m} writer=${writer} onPaid=${refresh} />
      <${History} stays=${m.history || []} linked=${can(user, 'unit.read')} />
      ${(m.imports || []).length > 0 && html`<${Origins} list=${m.imports} />`}
      ${(self || mayHandlePrivacy(user)) && html`<${MemberPrivacy} m=${m} self=${self && !mayHandlePrivacy(user)} />`}
    </article>`;
}

// Duplicates: the records the server found that may be the same person
// (the same name and date of birth in the commune, or the same phone): she
// was added anyway; the officer looks and decides.
function Duplicates({ list }) {
  const { lang, asOfParam } = useApp();
  return html`
    <div class="warning" data-testid="member-duplicates">
      <p>${tn('member.possible_duplicates', list.length)}</p>
      <ul>
        ${list.map((d) => html`<li key=${d.id}>
          <a href=${href(`/members/${encodeURIComponent(d.id)}`, { as_of: asOfParam })}>${d.full_name}</a>
          · ${formatDate(d.birth_date, lang)}${d.unit ? html` · ${unitName(d.unit, lang)}` : ''}</li>`)}
      </ul>
    </div>`;
}

// Standing: her unit and kind on the as-of date, or that she was no member
// then. The unit is a link for those who may open units (not a member's
// own account).
function Standing({ m, linked }) {
  const { lang, asOf, asOfParam } = useApp();
  if (!m.unit) {
    return html`<p class="notice" data-testid="member-not-on-date">${t('member.not_on_date', { date: formatDate(asOf, lang) })}</p>`;
  }
  return html`
    <p class="member-standing" data-testid="member-standing">
      <span class="badge">${memberKindName(m.kind)}</span>
      ${' '}${linked ? html`<a href=${unitHref(m.unit.code, asOfParam)}>${unitName(m.unit, lang)}</a>` : unitName(m.unit, lang)}
      ${' '}<span class="code muted">${m.unit.code}</span>
    </p>`;
}

// Fact: one labelled field of her record. A field the API masked says so;
// an empty one shows a dash.
function Fact({ m, field, label, children }) {
  const masked = (m.masked || []).includes(field);
  const value = children !== undefined ? children : m[field];
  const empty = value === null || value === undefined || value === '';
  return html`
    <div data-testid=${`member-${field}`} data-masked=${masked ? 'true' : undefined}>
      <dt>${label}</dt>
      <dd>
        ${!empty && value}
        ${masked && html`<span class="masked">${t('member.masked')}</span>`}
        ${empty && !masked && '—'}
      </dd>
    </div>`;
}

const yesNo = (b) => (b ? t('member.yes') : t('member.no'));

function Facts({ m }) {
  const { lang } = useApp();
  const groups = useEthnicGroups();
  // (masked, the ID number is its last four digits: still worth showing)
  const idNumber = m.id_number
    ? html`<span class="code">${m.id_number}</span>${m.id_kind && html` · ${idKindName(m.id_kind)}`}`
    : null;
  const text = (field) => html`<${Fact} m=${m} field=${field} label=${t(`member.${field}`)} />`;
  return html`
    <section class="panel" aria-labelledby="member-record-heading">
      <h2 id="member-record-heading">${t('member.record')}</h2>
      <dl class="facts">
        <${Fact} m=${m} field="birth_date" label=${t('member.birth_date')}>${formatDate(m.birth_date, lang)}</${Fact}>
        <${Fact} m=${m} field="sex" label=${t('member.sex')}>${sexName(m.sex)}</${Fact}>
        <${Fact} m=${m} field="kind" label=${t('member.kind')}>${m.kind ? memberKindName(m.kind) : null}</${Fact}>
        <${Fact} m=${m} field="joined_on" label=${t('member.joined_on')}>
          ${m.joined_on ? formatDate(m.joined_on, lang) : null}</${Fact}>
        <${Fact} m=${m} field="ethnicity" label=${t('member.ethnicity')}>
          ${m.ethnicity ? ethnicName(groups, m.ethnicity, lang) || t('member.ethnicity_code', { code: m.ethnicity }) : null}</${Fact}>
        <${Fact} m=${m} field="id_number" label=${t('member.id_number')}>${idNumber}</${Fact}>
        <${Fact} m=${m} field="phone" label=${t('member.phone')}>${m.phone ? phoneText(m.phone) : null}</${Fact}>
        ${text('religion')}
        ${text('education')}
        ${text('qualification')}
        ${text('political_theory')}
        ${text('occupation')}
        ${text('hamlet')}
        ${text('street')}
        ${text('circumstances')}
        <${Fact} m=${m} field="digital" label=${t('member.digital')}>${yesNo(m.digital)}</${Fact}>
        <${Fact} m=${m} field="party_member" label=${t('member.party_member')}>${yesNo(m.party_member)}</${Fact}>
        ${text('notes')}
      </dl>
    </section>`;
}

// moveWords: why a stay began and why it ended. A move ("transferred":
// the API says no more) names the unit she came from or went to, her stay
// before or after it when the two meet: the same words whether her officer
// moved her inside her scope, a transfer letter was accepted or her unit
// was merged, which the API does not tell apart.
function moveWords(stays, i, lang) {
  const s = stays[i];
  const prev = stays[i - 1];
  const next = stays[i + 1];
  const meets = (a, b) => a && b && a.until && addDays(a.until, 1) === b.from;
  const started = s.start_reason === 'transferred' && meets(prev, s)
    ? t('member.start.transferred_from', { unit: unitName(prev.unit, lang) })
    : startReasonName(s.start_reason);
  let ended = null;
  if (s.end_reason) {
    ended = s.end_reason === 'transferred' && meets(s, next)
      ? t('member.end.transferred_to', { unit: unitName(next.unit, lang) })
      : endReasonName(s.end_reason);
  }
  return { started, ended };
}

// Origins: the imports that created or changed her record, with the
// file's name and line: where her data came from.
function Origins({ list }) {
  const { lang } = useApp();
  return html`
    <section class="panel" aria-labelledby="member-origins-heading" data-testid="member-origins">
      <h2 id="member-origins-heading">${t('member.origins')}</h2>
      <ul class="plain-list" role="list">
        ${list.map((o) => html`
          <li key=${`${o.import_id}`} data-testid="member-origin">
            ${t(o.action === 'created' ? 'member.origin.created' : 'member.origin.updated', {
              file: o.file_name, line: o.line, date: formatDate(o.at.slice(0, 10), lang), by: o.by,
              fields: (o.fields || '').split(', ').filter(Boolean).map((f) => (has(`member.${f}`) ? t(`member.${f}`) : f)).join(', '),
            })}
          </li>`)}
      </ul>
    </section>`;
}

// History: her stays, the latest first, each linked to the unit as it was
// on the stay's first day (a code may name another unit on another day).
function History({ stays, linked }) {
  const { lang } = useApp();
  const latestFirst = stays.map((s, i) => ({ ...s, ...moveWords(stays, i, lang) })).reverse();
  return html`
    <section class="panel" aria-labelledby="member-history-heading">
      <h2 id="member-history-heading">${t('member.history')}</h2>
      ${!stays.length && html`<p class="muted">${t('member.history_none')}</p>`}
      <ol class="timeline" role="list" data-testid="member-history">
        ${latestFirst.map((s) => html`
          <li key=${`${s.unit.id}-${s.from}`} data-testid="member-stay" data-code=${s.unit.code}>
            ${linked ? html`<a class="node-name" href=${unitHref(s.unit.code, s.from)}>${unitName(s.unit, lang)}</a>`
              : html`<span class="node-name">${unitName(s.unit, lang)}</span>`}
            <span class="node-meta">
              <span>${validity(s.from, s.until, lang)}</span>
              <span>${memberKindName(s.kind)}</span>
            </span>
            <span class="node-meta">
              <span>${t('member.started', { reason: s.started })}</span>
              ${s.ended && html`<span>${t('member.ended', { reason: s.ended })}</span>`}
            </span>
          </li>`)}
      </ol>
    </section>`;
}
