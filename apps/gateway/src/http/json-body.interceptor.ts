import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorCode } from '@flightdeck/contracts';
import { ApiException } from './api.exception';

export const JSON_BODY = Symbol('JSON_BODY');
/** the route's body is JSON (ApiRoute sets it for every route with a body schema) */
export const JsonBody = () => SetMetadata(JSON_BODY, true);

const isJson = (contentType: string | undefined) => !!contentType && /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType);
const carriesBody = (req: Request) => Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;

// A JSON route sent a form, text or anything else would otherwise read it as no body at all and
// answer with the fields it lacks: the caller is told what is wrong instead (415).
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler) {
    if (context.getType() === 'http' && this.reflector.getAllAndOverride(JSON_BODY, [context.getHandler(), context.getClass()])) {
      const req = context.switchToHttp().getRequest<Request>();
      if (carriesBody(req) && !isJson(req.headers['content-type'])) {
        throw new ApiException(
          ErrorCode.UnsupportedMediaType,
          `this route takes a JSON body: send it with Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`,
        );
      }
    }
    return next.handle();
  }
}
