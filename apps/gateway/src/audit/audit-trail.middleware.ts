import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { CORRELATION_HEADER } from '@flightdeck/runtime';
import { PROJECT_SCOPED_PARAMS } from '../access/route-access';
import type { AuthenticatedRequest } from '../auth/auth.decorators';
import { AuditLogService, type NewAuditEntry } from './audit-log.service';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
// denied: refused for who the caller is (no or a bad token, a project they may not see or not
// change), whatever the status that said so
const outcomeOf = (status: number, denied: boolean): NewAuditEntry['outcome'] => {
  if (denied || status === 401 || status === 403) return 'denied';
  return status < 400 ? 'succeeded' : 'failed';
};

// Every call that may change something is recorded once its answer has gone out, whatever the
// answer: who (from the bearer guard), the route and the ids it named, the project (as the guard
// resolved it), the status and error code, and the correlation id. Reads are not recorded.
@Injectable()
export class AuditTrailMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditLogService) {}

  use(req: AuthenticatedRequest, res: Response, next: NextFunction) {
    if (READS.has(req.method)) return next();
    res.on('finish', () => {
      const caller = req.caller;
      const params = Object.entries(req.audit?.params ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
      const code = res.locals.errorCode as string | undefined;
      const entry: NewAuditEntry = {
        actor: caller ? (caller.kind === 'admin-token' ? { kind: 'admin-token', id: 'admin' } : { kind: 'user', id: caller.user.name }) : { kind: 'anonymous', id: null },
        userId: caller?.kind === 'user' ? caller.user.id : null,
        tokenId: caller?.kind === 'user' ? caller.token.id : null,
        method: req.method,
        route: req.audit?.route ?? null,
        path: req.originalUrl.split('?')[0].slice(0, 500),
        // also when the caller was refused: a project's admins see who tried
        projectId: req.audit?.projectId ?? null,
        target: Object.fromEntries(params.filter(([k]) => PROJECT_SCOPED_PARAMS.includes(k as never) || k.endsWith('Id') || k === 'key')),
        status: res.statusCode,
        outcome: outcomeOf(res.statusCode, req.audit?.denied === true),
        errorCode: code ?? null,
        correlationId: (req.headers[CORRELATION_HEADER] as string | undefined) ?? null,
      };
      this.audit.record(entry).catch((e) => this.audit.logFailure(e, entry));
    });
    next();
  }
}
