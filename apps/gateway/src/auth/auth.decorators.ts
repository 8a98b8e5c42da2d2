import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@flightdeck/contracts';
import type { Caller } from '../access/caller';

export const IS_PUBLIC = Symbol('IS_PUBLIC');
export const ADMIN_ONLY = Symbol('ADMIN_ONLY');

/** a route anyone may call: every other route needs a bearer token */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** a route for operators only (fleet status and the like) */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

export interface AuthenticatedRequest extends Request {
  actor?: Actor;
  caller?: Caller;
  /** what the audit trail records of this request, as the bearer guard found it */
  audit?: { route?: string; params: Record<string, string | undefined>; projectId?: string; denied?: boolean };
}

/** who called, with their user and token, as the bearer guard found them */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller on a route without authentication');
  return caller;
});

/** who called, as the bearer guard found it */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor on a route without authentication');
  return actor;
});
