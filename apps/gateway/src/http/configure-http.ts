import { type INestApplication, RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { raw } from 'express';
import { isHealthOrMetricsPath, separateOpsPort } from '@flightdeck/runtime';
import { isOpenApiPath, setupOpenApi } from '../openapi/openapi.setup';
import { API_PREFIX } from './api-prefix';
import { correlationMiddleware } from './correlation.middleware';
import { serveDashboard } from './dashboard-static';

// What operators reach on the operations port (HTTP_PORT), and only there.
export const isGatewayOpsPath = (path: string) => isHealthOrMetricsPath(path) || isOpenApiPath(path);

// What the gateway's HTTP server needs before app.init(): main.ts and the tests both call it. The
// public port serves /api/v1, Socket.IO and the dashboard at /; the operations port health, metrics and docs only.
export const configureHttp = (app: INestApplication) => {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  app.use(correlationMiddleware);
  app.use(separateOpsPort(isGatewayOpsPath));
  app.use(serveDashboard({ isOpsPath: isGatewayOpsPath }));
  // a git webhook's signature covers its exact bytes: its body is kept raw (GitHub caps a delivery at 25 MB)
  // a provider's status webhook is a few KB (PROVIDER_WEBHOOK_MAX_BYTES): a larger body is refused before it is read whole
  app.use(`/${API_PREFIX}/webhooks/providers`, raw({ type: () => true, limit: '256kb' }));
  app.use(`/${API_PREFIX}/webhooks`, raw({ type: () => true, limit: '25mb' }));
  // a variable's value may be 64 KiB, more once JSON-escaped
  express.useBodyParser('json', { limit: '1mb' });
  // a .env body for variable imports (512 KiB at most, checked by the route)
  express.useBodyParser('text', { limit: '1mb', type: ['text/plain', 'text/x-env'] });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  setupOpenApi(app);
};
