import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type ErrorBody, ErrorCode } from '@flightdeck/contracts';
import { currentCorrelationId } from '@flightdeck/messaging';
import { ApiException } from './api.exception';
import { errorCodeOfStatus, httpStatusOf } from './error-status';

// errors of the http-errors kind (body parser: too large, bad charset) carry a status and say
// whether their message may be shown
interface ExposedHttpError {
  status: number;
  expose: boolean;
  message: string;
}
const isExposedHttpError = (e: unknown): e is ExposedHttpError =>
  e instanceof Error && typeof (e as Partial<ExposedHttpError>).status === 'number' && (e as Partial<ExposedHttpError>).expose === true;

// Every HTTP error leaves as {error:{code,message,details?}}; only unexpected ones are 500, and
// those say nothing of their cause to the caller (the log has it, under the correlation id).
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const { status, body } = this.toResponse(exception, req);
    if (status >= 500) {
      const log = { method: req.method, path: req.path, code: body.code, correlationId: currentCorrelationId() };
      if (status === 500) this.logger.error({ ...log, err: exception }, 'request failed');
      else this.logger.warn({ ...log, message: body.message }, 'request failed');
    }
    if (res.headersSent) return;
    res.locals.errorCode = body.code; // for the audit trail
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    const retryAfter = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (status === 429 && typeof retryAfter === 'number') res.setHeader('Retry-After', String(Math.ceil(retryAfter)));
    res.status(status).json({ error: body });
  }

  private toResponse(exception: unknown, req: Request): { status: number; body: ErrorBody } {
    if (exception instanceof ApiException) return { status: httpStatusOf(exception.code), body: exception.toBody() };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = errorCodeOfStatus(status);
      if (code === ErrorCode.NotFound) return { status: 404, body: { code, message: `no route ${req.method} ${req.path}` } };
      if (status === 400) return { status, body: { code, message: `malformed request: ${exception.message}` } };
      return { status, body: { code, message: exception.message } };
    }
    if (isExposedHttpError(exception) && exception.status >= 400 && exception.status < 500) {
      return { status: exception.status, body: { code: errorCodeOfStatus(exception.status), message: exception.message } };
    }
    return { status: 500, body: { code: ErrorCode.InternalError, message: 'internal error' } };
  }
}
