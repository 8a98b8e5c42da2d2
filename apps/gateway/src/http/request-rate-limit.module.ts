import { timingSafeEqual } from 'node:crypto';
import { type DynamicModule, type ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { tokenHash } from '../access/api-tokens.service';
import { OPERATIONS_CONTROLLERS } from '../auth/operations-controllers';
import { TokenVerifier } from '../auth/token-verifier';

// At most `perMinute` API requests per token in any minute (per gateway replica: the counts live in
// its memory), answered 429 with Retry-After past it; every answer carries X-RateLimit-Limit,
// -Remaining and -Reset. Requests without a token count per client address. The bootstrap admin
// token (the operator's own) and the operations routes are not limited; 0 turns the limit off.
@Module({})
export class RequestRateLimitModule {
  static forRoot(perMinute: number, adminToken: string): DynamicModule {
    const admin = tokenHash(adminToken);
    const tokenOf = (req: Request) => TokenVerifier.fromHeader(req.headers.authorization);
    const skip = (ctx: ExecutionContext) => {
      if (perMinute === 0 || ctx.getType() !== 'http' || OPERATIONS_CONTROLLERS.includes(ctx.getClass())) return true;
      const token = tokenOf(ctx.switchToHttp().getRequest<Request>());
      return !!token && timingSafeEqual(tokenHash(token), admin);
    };
    return {
      module: RequestRateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(perMinute, 1) }],
          skipIf: skip,
          getTracker: (req) => {
            const token = tokenOf(req as Request);
            return token ? `token:${tokenHash(token).toString('hex').slice(0, 32)}` : `ip:${(req as Request).ip}`;
          },
          // one count per token across every route (the library's default counts per route)
          generateKey: (_ctx, tracker, name) => `${name}:${tracker}`,
          errorMessage: (_ctx, d) => `at most ${d.limit} API requests per minute per token; try again in ${Math.ceil(d.timeToBlockExpire)} s`,
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
