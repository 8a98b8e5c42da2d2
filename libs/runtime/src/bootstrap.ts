import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ConsoleLogger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { runWithCorrelation, startBusTransports } from '@flightdeck/messaging';
import { CORRELATION_HEADER } from './logger';
import { ConfigError } from './config';
import { OpsHttpServer } from './ops-port';

export interface BootstrapOptions {
  name: string;
  port: number;
  host: string;
  module: Type<unknown> | DynamicModule;
  configure?: (app: INestApplication) => void | Promise<void>;
  /**
   * a service with a public port (the gateway): its operations port, where health, metrics and
   * docs are served (configure registers separateOpsPort, which keeps them off `port`)
   */
  opsPort?: number;
}

// While the service waits for Postgres or NATS, its port already answers: live, but not ready.
const startingServer = (port: number, host: string): Promise<Server | undefined> =>
  new Promise((resolve) => {
    const srv = createServer((req, res) => {
      const live = req.url === '/health/live';
      res.writeHead(live ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(live ? { status: 'ok' } : { status: 'starting' }));
    });
    srv.once('error', () => resolve(undefined));
    srv.listen(port, host, () => resolve(srv));
  });

export async function bootstrapService(o: BootstrapOptions): Promise<INestApplication> {
  // probes ask the operations port: it answers (live, not ready) from the start
  const placeholder = await startingServer(o.opsPort ?? o.port, o.host);
  const abortStart = () => process.exit(0);
  process.once('SIGTERM', abortStart);
  process.once('SIGINT', abortStart);
  try {
    // Until pino takes over, warnings and errors (a server unreachable, retrying) print at once as
    // JSON lines: buffering them would hide why a service is not ready for as long as it waits.
    const app = await NestFactory.create(o.module, {
      logger: new ConsoleLogger(o.name, { json: true, logLevels: ['fatal', 'error', 'warn'] }),
      abortOnError: false,
    });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    app.use((req: Request, res: Response, next: NextFunction) => {
      const id = (req.headers[CORRELATION_HEADER] as string | undefined) || randomUUID();
      req.headers[CORRELATION_HEADER] = id;
      runWithCorrelation(id, next);
    });
    await o.configure?.(app);
    await app.init();
    await startBusTransports(app);
    await new Promise((r) => (placeholder ? placeholder.close(r) : r(undefined)));
    await app.listen(o.port, o.host);
    if (o.opsPort !== undefined) await app.get(OpsHttpServer).listen(o.opsPort, o.host);
    const ops = o.opsPort !== undefined ? ` (operations on http://${o.host}:${o.opsPort})` : '';
    app.get(Logger).log(`${o.name} ready on http://${o.host}:${o.port}${ops}`, 'Bootstrap');
    return app;
  } finally {
    process.removeListener('SIGTERM', abortStart);
    process.removeListener('SIGINT', abortStart);
  }
}

// For main.ts: a bad setting stops start-up with one clear message naming it.
export const runMain = (name: string, main: () => Promise<unknown>) => {
  main().catch((e) => {
    if (e instanceof ConfigError) console.error(`${name}: ${e.message}`);
    else console.error(`${name}: failed to start`, e);
    process.exit(1);
  });
};
