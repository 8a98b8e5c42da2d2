import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { currentCorrelationId } from '@flightdeck/messaging';

export const CORRELATION_HEADER = 'x-correlation-id';

// Paths that may hold secrets are never written, whatever logs them.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.value',
  'variables',
  '*.variables',
];

export const loggerModule = (service: string, instanceId: string, level: string, pretty: boolean) =>
  LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service, instanceId },
      redact: { paths: REDACT_PATHS, censor: '***' },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = (req.headers[CORRELATION_HEADER] as string | undefined) ?? randomUUID();
        res.setHeader(CORRELATION_HEADER, id);
        return id;
      },
      autoLogging: { ignore: (req: IncomingMessage) => !!req.url?.startsWith('/health') || req.url === '/metrics' },
      transport: pretty
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,instanceId' } }
        : undefined,
    },
    // every route, in the path syntax of Express 5 (the default '*' makes Nest warn at start)
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  });
