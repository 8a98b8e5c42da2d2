import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Id } from '@flightdeck/contracts';
import { ProjectAccessService } from '../access/project-access.service';
import { PROJECT_SCOPED_PARAMS, ROUTE_ACCESS, type RouteAccess, defaultAccess } from '../access/route-access';
import { actorOf } from '../access/caller';
import { unauthenticated } from '../http/api.exception';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { ADMIN_ONLY, type AuthenticatedRequest, IS_PUBLIC } from './auth.decorators';
import { TokenVerifier } from './token-verifier';

import { OPERATIONS_CONTROLLERS } from './operations-controllers';

// Every HTTP route needs `Authorization: Bearer <token>` unless marked @Public(), and the caller's
// rights for what the route declares (@Access, else a closed default): a new controller is
// protected without anyone remembering to protect it.
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly access: ProjectAccessService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // the Socket.IO gateway checks its handshake itself
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (OPERATIONS_CONTROLLERS.includes(context.getClass()) || this.reflector.getAllAndOverride(IS_PUBLIC, targets)) {
      return true;
    }
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const params = req.params as Record<string, string | undefined>;
    req.audit = { route: `${req.method} ${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? ''}`, params };
    const verified = await this.tokens.verify(TokenVerifier.fromHeader(req.headers.authorization));
    if (!verified.ok) throw unauthenticated(verified.reason);
    req.caller = verified.caller;
    req.actor = actorOf(verified.caller);
    // a malformed id is answered as its route's pipe would, before anything is looked up by it
    for (const name of PROJECT_SCOPED_PARAMS) if (params[name] !== undefined) new ZodValidationPipe(Id, { label: name }).transform(params[name]);
    const declared =
      this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, targets) ??
      (this.reflector.getAllAndOverride(ADMIN_ONLY, targets) ? 'platform-admin' : undefined);
    await this.access.check(verified.caller, declared ?? defaultAccess(req.method, params), req.method, params, req.audit);
    return true;
  }
}
