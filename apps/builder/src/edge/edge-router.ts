import { Agent, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createProxyServer } from 'http-proxy-3';
import { EDGE_UPSTREAMS, type EdgeUpstreams, type Upstream, UpstreamRefusedError } from './edge-upstreams';
import { ErrorCode, ROUTE_LABEL_HEADER, hostLabel, isHostLabel } from '@flightdeck/contracts';
import { replyWithError } from '@flightdeck/runtime';
import { RouteTable } from './route-table';
import { type RoutedRelease, appDir } from './routed-release';
import { StaticFiles } from './static-files';
import { chooseRelease } from './canary-split';

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** a canary client's Set-Cookie, kept with its request until the release's headers come back */
const CANARY_SET_COOKIE = Symbol('canarySetCookie');
type TaggedRequest = IncomingMessage & { [CANARY_SET_COOKIE]?: string };

/** what the edge answered for a release: its 5xx share is what a canary is judged by */
export interface AnswerCounts {
  responses: number;
  serverErrors: number;
}

/** what one release still has open through the edge */
interface Traffic {
  requests: number;
  upgrades: Set<Socket>;
  /** resolved when both are none */
  idle: (() => void)[];
}

// One HTTP port for every release, routed by Host header: static releases are served from their
// directory, Node releases are proxied to their process (WebSocket upgrades included).
@Injectable()
export class EdgeRouter {
  private readonly logger = new Logger(EdgeRouter.name);
  // connections to the releases are kept alive: one per request (the proxy's default, with
  // `connection: close`) held the edge to under a tenth of a release's own throughput. An idle one
  // is closed after 4 s (sooner when the release's Keep-Alive header says so), before a Node
  // server's own 5 s: a request must never go out on a connection the release is closing.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 4_000 });
  private readonly proxy = createProxyServer({ xfwd: true, ws: true, agent: this.agent });
  private readonly files = new StaticFiles();
  private server?: Server;
  /** per Node release: requests being proxied and WebSocket upgrades open, for draining */
  private readonly traffic = new Map<string, Traffic>();
  /** per Node release, counted from when a canary asks (countAnswers) until it stops asking */
  private readonly answers = new Map<string, AnswerCounts>();

  constructor(
    private readonly routes: RouteTable,
    @Inject(EDGE_UPSTREAMS) private readonly upstreams: EdgeUpstreams,
  ) {
    // errors reach the callbacks given to web()/ws(); this keeps a stray one from crashing the builder
    this.proxy.on('error', () => undefined);
    // the release's own cookies and the canary's: neither replaces the other
    this.proxy.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage) => {
      const cookie = (req as TaggedRequest)[CANARY_SET_COOKIE];
      const own = proxyRes.headers['set-cookie'];
      if (cookie && own) proxyRes.headers['set-cookie'] = [...own, cookie];
    });
  }

  /** counts the release's answers from now on (5xx included, the edge's own 502s too) */
  countAnswers(releaseId: string): void {
    this.answers.set(releaseId, { responses: 0, serverErrors: 0 });
  }

  answerCounts(releaseId: string): AnswerCounts {
    const a = this.answers.get(releaseId);
    return { responses: a?.responses ?? 0, serverErrors: a?.serverErrors ?? 0 };
  }

  stopCounting(releaseId: string): void {
    this.answers.delete(releaseId);
  }

  async listen(port: number, host: string): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('upgrade', (req, socket: Socket, head: Buffer) => void this.upgrade(req, socket, head));
    server.on('clientError', (_e, socket: Socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(`the edge router cannot listen on ${host}:${port} (FLIGHTDECK_EDGE_PORT): ${e.code ?? e.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.logger.log({ host, port }, 'edge router listening');
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.agent.destroy();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  forgetFiles(release: RoutedRelease): void {
    this.files.forget(appDir(release));
  }

  /** requests in flight and WebSocket connections open on the release (0 and 0 when none) */
  inFlight(releaseId: string): { requests: number; upgrades: number } {
    const t = this.traffic.get(releaseId);
    return { requests: t?.requests ?? 0, upgrades: t?.upgrades.size ?? 0 };
  }

  /**
   * Resolves true once nothing is in flight on the release (requests answered, WebSockets closed),
   * false when `timeoutMs` passes first. Requests routed to it before its route switched count:
   * the release is looked up and counted in the same tick.
   */
  drained(releaseId: string, timeoutMs: number): Promise<boolean> {
    const t = this.traffic.get(releaseId);
    if (!t) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        t.idle = t.idle.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      t.idle.push(done);
    });
  }

  /** closes the WebSocket connections still open on the release (its drain time is over); answers how many */
  closeUpgrades(releaseId: string): number {
    const t = this.traffic.get(releaseId);
    if (!t) return 0;
    const sockets = [...t.upgrades];
    for (const socket of sockets) socket.destroy();
    return sockets.length;
  }

  private track(releaseId: string): Traffic {
    let t = this.traffic.get(releaseId);
    if (!t) {
      t = { requests: 0, upgrades: new Set(), idle: [] };
      this.traffic.set(releaseId, t);
    }
    return t;
  }

  private settle(releaseId: string, t: Traffic): void {
    if (t.requests > 0 || t.upgrades.size > 0) return;
    if (this.traffic.get(releaseId) === t) this.traffic.delete(releaseId);
    for (const w of t.idle.splice(0)) w();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    const label = routeLabel(req);
    const release = label ? this.split(label, req, res) : undefined;
    if (!release) return replyWithError(res, 404, ErrorCode.NotFound, `no deployment is served at ${host || 'this host'}`);
    if (release.kind === 'static') {
      this.files.serve(appDir(release), req, res, () => replyWithError(res, 404, ErrorCode.NotFound, `${req.url ?? '/'} not found on ${host}`));
      return;
    }
    // counted before anything is awaited: a switch right after this still sees the request
    const t = this.track(release.id);
    t.requests++;
    res.once('close', () => {
      t.requests--;
      this.settle(release.id, t);
    });
    const counts = this.answers.get(release.id);
    if (counts) res.once('finish', () => this.count(release.id, counts, res.statusCode));
    const upstream = await this.upstream(release, host);
    if (upstream instanceof UpstreamRefusedError) return replyWithError(res, 502, ErrorCode.ServiceUnavailable, `the release behind ${host} ${upstream.message}`);
    if (!upstream) return replyWithError(res, 502, ErrorCode.ServiceUnavailable, `the release behind ${host} could not be started`);
    this.proxy.web(req, res, { target: `http://${urlHost(upstream.host)}:${upstream.port}` }, () =>
      replyWithError(res, 502, ErrorCode.ServiceUnavailable, `the release behind ${host} is not answering`),
    );
  }

  // The environment's release, or its canary's for the clients the canary has (sticky by cookie).
  private split(label: string, req: IncomingMessage, res?: ServerResponse): RoutedRelease | undefined {
    const release = this.routes.lookup(label);
    const canary = this.routes.canary(label);
    if (!canary || !release || this.routes.environment(label) !== release) return release;
    const choice = chooseRelease(req.headers.cookie, canary.release.id, canary.percent);
    if (choice.setCookie && res) {
      res.setHeader('set-cookie', choice.setCookie);
      (req as TaggedRequest)[CANARY_SET_COOKIE] = choice.setCookie;
    }
    return choice.toCanary ? canary.release : release;
  }

  private count(releaseId: string, counts: AnswerCounts, status: number): void {
    if (this.answers.get(releaseId) !== counts) return;
    counts.responses++;
    if (status >= 500) counts.serverErrors++;
  }

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const label = routeLabel(req);
    const release = label ? this.split(label, req) : undefined;
    if (release?.kind !== 'node') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    // open as long as the client's socket is: the old release's drain waits for it, then closes it
    const t = this.track(release.id);
    t.upgrades.add(socket);
    socket.once('close', () => {
      t.upgrades.delete(socket);
      this.settle(release.id, t);
    });
    const upstream = await this.upstream(release, req.headers.host ?? '');
    if (!upstream || upstream instanceof UpstreamRefusedError) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.proxy.ws(req, socket, head, { target: `http://${urlHost(upstream.host)}:${upstream.port}` }, () => socket.destroy());
  }

  private async upstream(release: RoutedRelease, host: string): Promise<Upstream | UpstreamRefusedError | undefined> {
    if (release.upstream) {
      const u = new URL(release.upstream);
      return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
    }
    try {
      return await this.upstreams.upstreamFor(release);
    } catch (e) {
      if (e instanceof UpstreamRefusedError) return e;
      this.logger.warn({ host, release: release.id, err: (e as Error).message }, 'release could not be started for a request');
      return undefined;
    }
  }
}

// The Host's label, or the one an edge resolved a custom domain to. Only edges reach a router
// (a loopback port, a compose network, a NetworkPolicy): the header asks for nothing a Host could not.
function routeLabel(req: IncomingMessage): string | undefined {
  const named = req.headers[ROUTE_LABEL_HEADER];
  if (typeof named === 'string' && isHostLabel(named)) return named;
  return hostLabel(req.headers.host);
}
