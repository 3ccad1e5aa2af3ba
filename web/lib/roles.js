// roles: the roles a user holds at her unit (see docs/security.md), in the
// order the UI lists them, and their names in the UI language.
import { t, has } from './i18n.js';

export const ROLES = ['viewer', 'entry', 'approver', 'admin', 'member'];

export function roleName(key) {
  return has(`role.${key}`) ? t(`role.${key}`) : key;
}
