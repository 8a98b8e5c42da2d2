import type { ProjectAccess, ProjectRole, TokenScope } from '@flightdeck/contracts';
import { type Caller, isPlatformAdmin, scopesOf } from './caller';

const ROLE_RANK: Record<ProjectRole, number> = { viewer: 1, deployer: 2, admin: 3, owner: 4 };
const SCOPE_RANK: Record<TokenScope, number> = { read: 1, deploy: 2, admin: 3 };
const ROLE_FOR: Record<ProjectAccess, ProjectRole> = { read: 'viewer', deploy: 'deployer', admin: 'admin', owner: 'owner' };
const SCOPE_FOR: Record<ProjectAccess, TokenScope> = { read: 'read', deploy: 'deploy', admin: 'admin', owner: 'admin' };

export const roleAtLeast = (role: ProjectRole, atLeast: ProjectRole) => ROLE_RANK[role] >= ROLE_RANK[atLeast];
export const scopesAllow = (scopes: readonly TokenScope[], needed: TokenScope) => scopes.some((s) => SCOPE_RANK[s] >= SCOPE_RANK[needed]);

/**
 * `hidden`: the caller may not even know the project exists (404, as GitHub answers);
 * `forbidden`: they see it, but their role or their token's scopes do not allow this (403).
 */
export type AccessVerdict = { allowed: true } | { allowed: false; reason: 'hidden' | 'forbidden'; message: string };

// What a caller may do on a project: a platform admin acts as its owner; anyone else by their
// membership; and never beyond the scopes of the token they called with.
export function decideProjectAccess(caller: Caller, role: ProjectRole | undefined, access: ProjectAccess): AccessVerdict {
  const effective: ProjectRole | undefined = isPlatformAdmin(caller) ? 'owner' : role;
  if (!effective) return { allowed: false, reason: 'hidden', message: 'not found' };
  if (!roleAtLeast(effective, ROLE_FOR[access])) {
    return { allowed: false, reason: 'forbidden', message: `this needs the ${ROLE_FOR[access]} role on the project; you are ${effective}` };
  }
  if (!scopesAllow(scopesOf(caller), SCOPE_FOR[access])) {
    return { allowed: false, reason: 'forbidden', message: `this needs a token with the ${SCOPE_FOR[access]} scope` };
  }
  return { allowed: true };
}
