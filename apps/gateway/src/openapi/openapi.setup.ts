import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_PREFIX } from '../http/api-prefix';
import { BEARER_SCHEME } from './api-route.decorator';
import { componentSchemas } from './openapi-schemas';

// On the operations port (HTTP_PORT), beside health and metrics: never on the public port.
export const OPENAPI_JSON_PATH = '/openapi.json';
export const OPENAPI_UI_PATH = '/docs';

export const isOpenApiPath = (path: string) =>
  path === OPENAPI_JSON_PATH || path === OPENAPI_UI_PATH || path.startsWith(`${OPENAPI_UI_PATH}/`);

export const buildOpenApiDocument = (app: INestApplication): OpenAPIObject => {
  const config = new DocumentBuilder()
    .setTitle('Flightdeck API')
    .setDescription(
      'Deployment control plane. Every route needs `Authorization: Bearer <token>`. Errors are ' +
        '`{ "error": { "code", "message", "details"? } }` with a stable code. Live logs and status: ' +
        'Socket.IO namespace `/deployments`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API token; today the admin token' }, BEARER_SCHEME)
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  // the document describes the API; health and metrics are for probes and scrapers
  doc.paths = Object.fromEntries(Object.entries(doc.paths).filter(([path]) => path.startsWith(`/${API_PREFIX}/`)));
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...componentSchemas() } };
  return doc;
};

// The JSON document at /openapi.json and a browsable UI at /docs, without a token, on the
// operations port. Must run before app.init(): routes added later would sit behind the not-found handler.
export const setupOpenApi = (app: INestApplication) => {
  SwaggerModule.setup(OPENAPI_UI_PATH.slice(1), app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
  });
};
