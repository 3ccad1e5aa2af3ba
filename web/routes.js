// routes: the app's pages. To add a page, write web/pages/<name>.js exporting
// a component, and add one entry here:
//   path     '/segment/:param' (hash path; params arrive decoded in props.params)
//   page     the component; it receives {params, query}
//   nav      i18n key: show this route in the header navigation
//   testid   data-testid of its navigation link
//   section  the nav entry to mark as current (defaults to the route's path)
//   admin    true: for users with the admin role only (listed in the
//            navigation for them only; anyone else gets "page not found")
//   perm     a permission (lib/roles.js can): for its holders only, the same way
//   dated    false: the page does not depend on the as-of date (no picker)
//   badge    a component shown inside its navigation link (a count)
//   own      true: also for a member whose own record is params.id (her
//            record, her card), whatever her roles
//   member   true: open to a member's own account (the role member alone),
//            which opens nothing else but her `own` pages
// Every page is behind the log-in page: nobody sees one before logging in.
// A page names itself: its heading and document title (lib/hooks.js usePageTitle).
import { TreePage } from './pages/tree.js';
import { UnitPage } from './pages/unit.js';
import { UsersPage } from './pages/users.js';
import { AuditPage } from './pages/audit.js';
import { PasswordPage } from './pages/password.js';
import { TokensPage } from './pages/tokens.js';
import { PlanPage } from './pages/plan.js';
import { MembersPage } from './pages/members.js';
import { MemberPage } from './pages/member.js';
import { MemberCardPage } from './pages/member-card.js';
import { TransfersPage, TransferBadge } from './pages/transfers.js';
import { MemberReportPage } from './pages/member-report.js';
import { ImportPage } from './pages/import.js';
import { FormsPage } from './pages/forms.js';
import { TargetsPage } from './pages/targets.js';
import { FormPrintPage } from './pages/form-print.js';

export const routes = [
  { path: '/', page: TreePage, nav: 'nav.tree', testid: 'nav-tree' },
  { path: '/units/:code', page: UnitPage, section: '/' },
  { path: '/members', page: MembersPage, nav: 'nav.members', testid: 'nav-members', perm: 'record.read' },
  { path: '/members/:id', page: MemberPage, section: '/members', perm: 'record.read', own: true },
  { path: '/members/:id/card', page: MemberCardPage, section: '/members', perm: 'record.read', own: true, dated: false },
  { path: '/import', page: ImportPage, nav: 'nav.import', testid: 'nav-import', perm: 'record.write', dated: false },
  { path: '/transfers', page: TransfersPage, nav: 'nav.transfers', testid: 'nav-transfers', perm: 'record.read',
    dated: false, badge: TransferBadge },
  { path: '/reports/members', page: MemberReportPage, nav: 'nav.report', testid: 'nav-report', perm: 'record.read' },
  { path: '/forms', page: FormsPage, nav: 'nav.forms', testid: 'nav-forms', perm: 'record.read', dated: false },
  { path: '/forms/print', page: FormPrintPage, section: '/forms', perm: 'record.read', dated: false },
  { path: '/targets', page: TargetsPage, nav: 'nav.targets', testid: 'nav-targets', perm: 'record.read', dated: false },
  { path: '/plan', page: PlanPage, nav: 'nav.plan', testid: 'nav-plan', admin: true, dated: false },
  { path: '/users', page: UsersPage, nav: 'nav.users', testid: 'nav-users', admin: true, dated: false },
  { path: '/audit', page: AuditPage, nav: 'nav.audit', testid: 'nav-audit', admin: true, dated: false },
  { path: '/account/password', page: PasswordPage, dated: false, member: true },
  { path: '/account/tokens', page: TokensPage, dated: false, member: true },
];
