import { Injectable } from '@nestjs/common';
import { ErrorCode, type ProjectAccess, type ProjectRole, type TokenScope } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';
import { decideProjectAccess, scopesAllow } from './access-rules';
import { type Caller, isPlatformAdmin, scopesOf } from './caller';
import { ProjectMembersService } from './project-members.service';
import { ResourceProjects } from './resource-projects';
import type { RouteAccess } from './route-access';

type Seen = { projectId?: string; denied?: boolean };

/** a refusal for who the caller is, marked as such for the audit trail */
const refuse = (seen: Seen, e: ApiException) => {
  seen.denied = true;
  return e;
};
const forbidden = (seen: Seen, message: string) => refuse(seen, new ApiException(ErrorCode.InsufficientPermissions, message));

// Every request's rights, checked before its route runs: who the caller is on the project that
// owns what the path names, within the scopes of the token they called with.
@Injectable()
export class ProjectAccessService {
  constructor(
    private readonly members: ProjectMembersService,
    private readonly resources: ResourceProjects,
  ) {}

  /**
   * Throws when the caller may not. `seen.projectId`: the project the request touches, as soon as
   * it is known (also when the caller is then refused: the audit trail records who tried).
   */
  async check(
    caller: Caller,
    access: RouteAccess,
    method: string,
    params: Record<string, string | undefined>,
    seen: Seen = {},
  ): Promise<void> {
    const readOnly = method === 'GET' || method === 'HEAD';
    switch (access) {
      case 'any-caller':
        return;
      case 'any-caller-admin-scope':
        return this.needScope(caller, 'admin', seen);
      case 'platform-admin':
        seen.projectId = params.projectId;
        if (!isPlatformAdmin(caller)) throw forbidden(seen, 'this route is for platform admins');
        return this.needScope(caller, readOnly ? 'read' : 'admin', seen);
      default:
        return this.checkProject(caller, access, params, readOnly, seen);
    }
  }

  /** may this caller read the project (live subscriptions ask before following a deployment) */
  async mayRead(caller: Caller, projectId: string): Promise<boolean> {
    return decideProjectAccess(caller, await this.roleOf(caller, projectId), 'read').allowed;
  }

  /** the projects a caller may see; undefined: all of them */
  async visibleProjects(caller: Caller): Promise<Set<string> | undefined> {
    if (isPlatformAdmin(caller)) return undefined;
    return caller.kind === 'user' ? this.members.projectsOf(caller.user.id) : new Set();
  }

  /** the caller's role on the project (a platform admin counts as owner); undefined: not a member */
  async effectiveRole(caller: Caller, projectId: string): Promise<ProjectRole | undefined> {
    return isPlatformAdmin(caller) ? 'owner' : this.roleOf(caller, projectId);
  }

  async isOwner(caller: Caller, projectId: string): Promise<boolean> {
    return decideProjectAccess(caller, await this.roleOf(caller, projectId), 'owner').allowed;
  }

  private async checkProject(
    caller: Caller,
    access: ProjectAccess,
    params: Record<string, string | undefined>,
    readOnly: boolean,
    seen: Seen,
  ) {
    // a platform admin's rights do not depend on the project: nothing to look up (the route
    // answers for a resource that does not exist), but for the audit trail of a change
    if (isPlatformAdmin(caller)) {
      const verdict = decideProjectAccess(caller, undefined, access);
      seen.projectId = params.projectId;
      if (!verdict.allowed) throw forbidden(seen, verdict.message);
      if (!readOnly && !params.projectId) seen.projectId = (await this.resources.of(params).catch(() => undefined))?.projectId;
      return;
    }
    const scope = await this.resources.of(params);
    if (!scope) throw forbidden(seen, 'this route is for platform admins');
    seen.projectId = scope.projectId;
    const verdict = decideProjectAccess(caller, await this.roleOf(caller, scope.projectId), access);
    if (verdict.allowed) return;
    if (verdict.reason === 'hidden') throw refuse(seen, new ApiException(scope.notFound.code, scope.notFound.message));
    throw forbidden(seen, verdict.message);
  }

  private roleOf(caller: Caller, projectId: string) {
    return caller.kind === 'user' ? this.members.roleOf(projectId, caller.user.id) : Promise.resolve(undefined);
  }

  private needScope(caller: Caller, scope: TokenScope, seen: Seen) {
    if (!scopesAllow(scopesOf(caller), scope)) throw forbidden(seen, `this needs a token with the ${scope} scope`);
  }
}
