import type { ArgumentsHost } from '@nestjs/common';
import { ErrorCode } from '@flightdeck/contracts';
import { ApiException } from './api.exception';
import { ApiExceptionFilter } from './api-exception.filter';

// The filter alone, with a stand-in for Express's response: what status, headers and body leave.
const respond = (exception: unknown) => {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const res = {
    headersSent: false,
    locals: {},
    setHeader: (k: string, v: string) => (sent.headers[k] = v),
    status: (s: number) => ((sent.status = s), res),
    json: (b: unknown) => (sent.body = b),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ method: 'POST', path: '/api/v1/x' }) }) } as unknown as ArgumentsHost;
  new ApiExceptionFilter().catch(exception, host);
  return sent;
};

describe('ApiExceptionFilter', () => {
  it('answers a rate-limited trigger with 429 and Retry-After from its details', () => {
    const sent = respond(new ApiException(ErrorCode.RateLimited, 'too many', { retryAfterSeconds: 12.2, limitPerMinute: 10 }));
    expect(sent.status).toBe(429);
    expect(sent.headers['Retry-After']).toBe('13');
    expect(sent.body).toEqual({ error: { code: 'deployment/rate-limited', message: 'too many', details: { retryAfterSeconds: 12.2, limitPerMinute: 10 } } });
  });

  it('sets no Retry-After on other errors', () => {
    const sent = respond(new ApiException(ErrorCode.DeploymentAlreadyRunning, 'busy'));
    expect(sent.status).toBe(409);
    expect(sent.headers['Retry-After']).toBeUndefined();
  });
});
