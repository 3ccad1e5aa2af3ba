// A member's personal data (Law 91/2025/QH15) on her page, for those who
// hold her data whole (record.write and sensitive.read): "Dữ liệu cá
// nhân": her consents by purpose, with the form to record one and the
// withdrawal of an open one (components/privacy.js); "Tải dữ liệu cá
// nhân": everything held about her as a JSON file named after her id in
// the page's language (hoi-vien-12.json, member-12.json; GET
// /api/v1/members/{id}/export, audited); and "Xóa dữ liệu cá nhân" (POST
// /api/v1/members/{id}/erase, audited), which says first what goes and
// what stays (her memberships, dues and ethnic group, nameless, so that
// the figures stay right; the audit trail as it was) and asks again. Her
// record cannot be read afterwards, so the page goes to the members list,
// which says who was erased.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { post } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useAnnounce } from '../lib/announce.js';
import { arriveWith } from '../lib/arrival.js';
import { can } from '../lib/roles.js';
import { navigate } from '../lib/router.js';
import { ConfirmButton, errorText } from '../components/form.js';
import { Consents, ExportButton } from '../components/privacy.js';

// mayHandlePrivacy: whether she holds a member's data whole, as the API
// asks for every one of these.
export function mayHandlePrivacy(user) {
  return can(user, 'record.write') && can(user, 'sensitive.read');
}

// self: she herself, through her own account: her consents and her data,
// not the erasure (she asks the union for it).
export function MemberPrivacy({ m, self = false }) {
  const base = `/members/${encodeURIComponent(m.id)}`;
  return html`
    <section class="panel" aria-labelledby="member-privacy-heading" data-testid="member-privacy">
      <h2 id="member-privacy-heading">${t('privacy.title')}</h2>
      <p class="hint">${t('member.privacy_intro')}</p>
      <${Consents} base=${base} id="member-consent" />
      <h3>${t('privacy.export')}</h3>
      <p class="hint">${t('member.export_intro')}</p>
      <${ExportButton} base=${base} filename=${t('member.export_file', { id: m.id })} testid="member-export" />
      ${!self && html`<${Erase} m=${m} base=${base} />`}
    </section>`;
}

function Erase({ m, base }) {
  const { asOfParam } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useAnnounce(error, { assertive: true });
  const erase = async () => {
    setBusy(true);
    setError('');
    try {
      await post(`${base}/erase`, {});
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
      return false;
    }
    arriveWith('/members', t('member.erased', { name: m.full_name }));
    navigate('/members', { as_of: asOfParam });
    return true;
  };
  return html`
    <h3>${t('member.erase')}</h3>
    <div class="warning" data-testid="member-erase-warning">
      <p>${t('member.erase_goes')}</p>
      <p>${t('member.erase_stays')}</p>
    </div>
    <${ConfirmButton} label=${t('member.erase')} testid="member-erase" busy=${busy}
      question=${t('member.erase_question', { name: m.full_name })} onConfirm=${erase} />
    ${error && html`<p class="form-error">${error}</p>`}`;
}
