import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpsHttpServer } from '@flightdeck/runtime';
import { freePort, type TestInfra } from '@flightdeck/testing';
import { AppModule } from '../../src/app.module';
import { loadGatewayConfig } from '../../src/config/gateway.config';
import { configureHttp } from '../../src/http/configure-http';
import { startBusTransports } from '@flightdeck/messaging';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface RunningGateway {
  app: INestApplication;
  /** the public port: /api/v1 and Socket.IO */
  url: string;
  /** the operations port (HTTP_PORT): health, metrics, API docs */
  opsUrl: string;
  /** fetch under /api/v1 with the admin token unless headers say otherwise */
  api(method: string, path: string, init?: { body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // tests read responses field by field and assert their shape
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

// The gateway in this process, configured as main.ts configures it, on free ports. `env`
// overrides settings; an undefined value removes one.
export async function startGateway(infra: TestInfra, env: Record<string, string | undefined> = {}): Promise<RunningGateway> {
  const port = await freePort();
  let opsPort = await freePort();
  while (opsPort === port) opsPort = await freePort();
  const settings: Record<string, string | undefined> = {
    ...infra.envFor('gateway', { FLIGHTDECK_ADMIN_TOKEN: ADMIN_TOKEN, FLIGHTDECK_GATEWAY_PORT: String(port), HTTP_PORT: String(opsPort) }),
    ...env,
  };
  for (const key of Object.keys(settings)) if (settings[key] === undefined) delete settings[key];
  const config = loadGatewayConfig(settings);
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
  configureHttp(app);
  await app.listen(port, '127.0.0.1');
  await app.get(OpsHttpServer).listen(opsPort, '127.0.0.1');
  await startBusTransports(app);
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    opsUrl: `http://127.0.0.1:${opsPort}`,
    api: async (method, path, init = {}) => {
      const json = init.body !== undefined;
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(json || init.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        body: init.rawBody ?? (json ? JSON.stringify(init.body) : undefined),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body };
    },
    close: () => app.close(),
  };
}
