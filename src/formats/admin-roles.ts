/**
 * Operator roles of the control plane, lowest first: each role holds every permission of the roles
 * before it. A leaf so that the config schema (admin.* role lists) and the pipeline contract
 * (src/pipeline/admin.ts) share one list without importing each other.
 */
export const ADMIN_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** True when `held` includes `needed` or a role above it. */
export function roleAllows(held: readonly AdminRole[], needed: AdminRole): boolean {
  const rank = ADMIN_ROLES.indexOf(needed);
  return held.some((r) => ADMIN_ROLES.indexOf(r) >= rank);
}
