import { Agent, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createProxyServer } from 'http-proxy-3';
import { ErrorCode, ROUTE_LABEL_HEADER } from '@flightdeck/contracts';
import { replyWithError } from '@flightdeck/runtime';
import { EdgeRoutes, type EdgeTarget } from './edge-routes';

export interface PublicEdgeOptions {
  host: string;
  port: number;
  /** the table is read whole this often */
  refreshMs: number;
}
export const PUBLIC_EDGE_OPTIONS = Symbol('PUBLIC_EDGE_OPTIONS');

// The public entry of every deployed app: one port, routed by Host label to the router of the
// builder that runs the label's release (which serves its files or proxies to its process, splits a
// canary, drains a previous release). Any number of gateways run one each, all alike.
@Injectable()
export class PublicEdge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublicEdge.name);
  // kept-alive connections to the builders' routers (closed idle before a Node server's own 5 s)
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 128, timeout: 4_000 });
  private readonly proxy = createProxyServer({ ws: true, agent: this.agent });
  private server?: Server;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(PUBLIC_EDGE_OPTIONS) private readonly options: PublicEdgeOptions,
    private readonly routes: EdgeRoutes,
  ) {
    this.proxy.on('error', () => undefined);
  }

  async onApplicationBootstrap(): Promise<void> {
    // no builder yet (they start after): each request for an unknown label reads again
    await this.routes.refresh();
    this.timer = setInterval(() => void this.routes.refresh(), this.options.refreshMs);
    this.timer.unref();
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('upgrade', (req, socket: Socket, head: Buffer) => void this.upgrade(req, socket, head));
    server.on('clientError', (_e, socket: Socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(`the edge cannot listen on ${this.options.host}:${this.options.port} (FLIGHTDECK_EDGE_PORT): ${e.code ?? e.message}`)),
      );
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    this.logger.log({ host: this.options.host, port: this.options.port, routes: this.routes.size }, 'edge listening');
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.agent.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    const target = await this.routes.resolve(host);
    if (!target) return replyWithError(res, 404, ErrorCode.NotFound, `no deployment is served at ${host || 'this host'}`);
    labelFor(req, target);
    // the builder's router sees the client's Host (it routes by it too) and who asked
    this.proxy.web(req, res, { target: `http://${target.address}`, xfwd: true }, () =>
      replyWithError(res, 502, ErrorCode.ServiceUnavailable, `the builder serving ${host} is not answering`),
    );
  }

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const target = await this.routes.resolve(req.headers.host);
    if (!target) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    labelFor(req, target);
    this.proxy.ws(req, socket, head, { target: `http://${target.address}`, xfwd: true }, () => socket.destroy());
  }
}

// A client's own route header never reaches a router; a custom domain's label does.
function labelFor(req: IncomingMessage, target: EdgeTarget): void {
  delete req.headers[ROUTE_LABEL_HEADER];
  if (target.label) req.headers[ROUTE_LABEL_HEADER] = target.label;
}
