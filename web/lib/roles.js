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
// matrix of docs/security.md. (A member's "her own record" waits for
// accounts linked to records: today the server refuses her the registry.)
const GRANTED_BY = {
  'record.read': ['viewer', 'entry', 'approver', 'admin'],
  'record.write': ['entry', 'approver', 'admin'],
  'sensitive.read': ['entry', 'approver', 'admin'],
};

// can: whether one of her roles grants the permission.
export function can(user, permission) {
  const roles = (user && Array.isArray(user.roles) && user.roles) || [];
  return (GRANTED_BY[permission] || []).some((r) => roles.includes(r));
}

// mayOpen: whether a route (routes.js) is for her: `admin` routes for
// admins, `perm` routes for the holders of that permission.
export function mayOpen(route, user) {
  const roles = (user && user.roles) || [];
  return (!route.admin || roles.includes('admin')) && (!route.perm || can(user, route.perm));
}
