import { SetMetadata } from '@nestjs/common';
import type { ProjectAccess } from '@flightdeck/contracts';

/**
 * What a route asks of its caller. A ProjectAccess is checked on the project owning the resource
 * the path names (projectId, else environmentId, else deploymentId); `any-caller` is any valid
 * token (a route that only ever shows the caller's own things); `any-caller-admin-scope` any user
 * calling with an admin-scoped token (creating projects, issuing tokens); `platform-admin` the
 * bootstrap token or a platform admin.
 */
export type RouteAccess = ProjectAccess | 'any-caller' | 'any-caller-admin-scope' | 'platform-admin';

export const ROUTE_ACCESS = Symbol('ROUTE_ACCESS');
export const Access = (access: RouteAccess) => SetMetadata(ROUTE_ACCESS, access);

export const PROJECT_SCOPED_PARAMS = ['projectId', 'environmentId', 'deploymentId'] as const;

// A route that says nothing is closed rather than open: reading a project's resource needs `read`,
// changing it `admin`, and a route about no project is for platform admins.
export const defaultAccess = (method: string, params: Record<string, string | undefined>): RouteAccess => {
  if (!PROJECT_SCOPED_PARAMS.some((p) => params[p] !== undefined)) return 'platform-admin';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'admin';
};
