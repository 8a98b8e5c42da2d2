import { type CanActivate, type ExecutionContext, Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '@flightdeck/contracts';
import { HealthController, MetricsController } from '@flightdeck/runtime';
import { ApiException, unauthenticated } from '../http/api.exception';
import { ADMIN_ONLY, type AuthenticatedRequest, IS_PUBLIC } from './auth.decorators';
import { TokenVerifier } from './token-verifier';

// Probes and scrapers call these without a token; they live outside /api/v1.
const OPERATIONS_CONTROLLERS: Type[] = [HealthController, MetricsController];

// Every HTTP route needs `Authorization: Bearer <token>` unless marked @Public(): a new controller
// is protected without anyone remembering to protect it.
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    // the Socket.IO gateway checks its handshake itself
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (OPERATIONS_CONTROLLERS.includes(context.getClass()) || this.reflector.getAllAndOverride(IS_PUBLIC, targets)) {
      return true;
    }
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = TokenVerifier.fromHeader(req.headers.authorization);
    if (!token) throw unauthenticated('missing bearer token: send Authorization: Bearer <token>');
    const actor = this.tokens.verify(token);
    if (!actor) throw unauthenticated('invalid token');
    if (this.reflector.getAllAndOverride(ADMIN_ONLY, targets) && !TokenVerifier.isAdmin(actor)) {
      throw new ApiException(ErrorCode.InsufficientPermissions, 'this route is for admins');
    }
    req.actor = actor;
    return true;
  }
}
