// roles: the roles a user holds at her unit (see docs/security.md), in the
// order the UI lists them, their names in the UI language, and what they
// let her do, as far as the app must know to offer a page or a form (the
// server decides: it answers 403 to anything else).
import { t, has } from './i18n.js';

export const ROLES = ['viewer', 'entry', 'approver', 'admin', 'member'];

export function roleName(key) {
  return has(`role.${key}`) ? t(`role.${key}`) : key;
}

// The roles granting each permission the app asks about: the permission
// matrix of docs/security.md. A member's "her own record" is not a
// permission: her account is linked to her record (user.person_id), and
// she reaches that record and its card only (ownRecord, memberOnly).
const GRANTED_BY = {
  'unit.read': ['viewer', 'entry', 'approver', 'admin'],
  'record.read': ['viewer', 'entry', 'approver', 'admin'],
  'record.write': ['entry', 'approver', 'admin'],
  'sensitive.read': ['entry', 'approver', 'admin'],
  'report.approve': ['approver', 'admin'],
};

// can: whether one of her roles grants the permission.
export function can(user, permission) {
  const roles = (user && Array.isArray(user.roles) && user.roles) || [];
  return (GRANTED_BY[permission] || []).some((r) => roles.includes(r));
}

// ownRecord: the id of the member record that is hers (a `member` account
// linked to it), or null.
export function ownRecord(user) {
  const roles = (user && Array.isArray(user.roles) && user.roles) || [];
  return roles.includes('member') && user.person_id ? user.person_id : null;
}

// memberOnly: a member's own account and nothing more (the role `member`
// alone): the app shows her her record and card, and her account's pages.
export function memberOnly(user) {
  const roles = (user && Array.isArray(user.roles) && user.roles) || [];
  return roles.length > 0 && roles.every((r) => r === 'member');
}

// mayOpen: whether a route (routes.js) is for her, with its params: `own`
// routes for her own record (params.id), `admin` routes for admins, `perm`
// routes for the holders of that permission; a member's own account opens
// only the `own` routes of her record and the `member` routes.
export function mayOpen(route, user, params = {}) {
  const roles = (user && user.roles) || [];
  if (route.own && ownRecord(user) && String(params.id) === String(ownRecord(user))) return true;
  if (memberOnly(user)) return !!route.member;
  return (!route.admin || roles.includes('admin')) && (!route.perm || can(user, route.perm));
}
