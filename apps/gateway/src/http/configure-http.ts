import { type INestApplication, RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { setupOpenApi } from '../openapi/openapi.setup';
import { API_PREFIX } from './api-prefix';
import { correlationMiddleware } from './correlation.middleware';

// What the gateway's HTTP server needs before app.init(): main.ts and the tests both call it.
export const configureHttp = (app: INestApplication) => {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  app.use(correlationMiddleware);
  // a variable's value may be 64 KiB, more once JSON-escaped
  express.useBodyParser('json', { limit: '1mb' });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  setupOpenApi(app);
};
