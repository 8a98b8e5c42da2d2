import { type IncomingMessage, type Server, createServer } from 'node:http';
import { Injectable, NotFoundException, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';

// Requests that came in on the operations port (a WeakSet: nothing to clean up).
const onOpsPort = new WeakSet<IncomingMessage>();

/** what every service serves for probes and scrapers: /health/live, /health/ready, /metrics */
export const isHealthOrMetricsPath = (path: string) => path === '/metrics' || path.startsWith('/health/');

/**
 * For a service with a public port (the gateway): express middleware that serves the operations
 * paths on the operations port only, and everything else on the public port only; the other port
 * answers 404 as for an unknown route. Register it before any route (before app.init()).
 */
export const separateOpsPort =
  (isOpsPath: (path: string) => boolean) =>
  (req: Request, _res: Response, next: NextFunction): void => {
    if (onOpsPort.has(req) === isOpsPath(req.path)) return next();
    next(new NotFoundException());
  };

/**
 * The operations port of a service with a public one: a second HTTP server on the same app, so
 * operators can keep health, metrics and docs off the public address. Closed with the app.
 */
@Injectable()
export class OpsHttpServer implements OnApplicationShutdown {
  private server?: Server;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async listen(port: number, host: string): Promise<void> {
    const handle = this.adapterHost.httpAdapter.getInstance<(req: IncomingMessage, res: unknown) => void>();
    const server = createServer((req, res) => {
      onOpsPort.add(req);
      handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise((resolve) => {
      server.close(resolve);
      // probes keep connections alive: they would hold the close (and the process) open
      server.closeAllConnections();
    });
  }
}
