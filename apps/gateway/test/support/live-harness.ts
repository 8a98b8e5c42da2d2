import { randomUUID } from 'node:crypto';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import { type NatsConnection, connect } from 'nats';
import { Client } from 'pg';
import { type Socket, io } from 'socket.io-client';
import {
  type Deployment,
  type DeploymentStatus,
  DEPLOYMENTS_NAMESPACE,
  type EndPayload,
  ErrorCode,
  type LogLine,
  type LogsPayload,
  type StatusPayload,
  type SubscribeAck,
  type SubscribeRequest,
  deploymentStatusChanged,
  err,
  getDeployment,
  isTerminal,
  logLinesPublished,
  ok,
  subjectFor,
} from '@flightdeck/contracts';
import { encodeEnvelope, startBusTransports } from '@flightdeck/messaging';
import { migrations } from '@flightdeck/migrations/gateway';
import { serviceModule } from '@flightdeck/runtime';
import {
  type ServiceProcess,
  type TestInfra,
  aDeployment,
  aLine,
  eventually,
  freePort,
  spawnService,
  startTestInfra,
  waitForReady,
} from '@flightdeck/testing';
import { ACCESS_ENTITIES } from '../../src/access/access.entities';
import { AuthModule } from '../../src/auth/auth.module';
import { type GatewayConfig, loadGatewayConfig } from '../../src/config/gateway.config';
import { HttpModule } from '../../src/http/http.module';
import { LiveModule } from '../../src/live/live.module';
import type { LiveSettings } from '../../src/live/live.settings';
import { FakeResponders } from './fake-responder';

export const LIVE_TOKEN = 'live-test-admin-token-0123456789';

// Every tenth line an error and the first hundred from install, so level and step filters have
// something to keep and something to drop.
const feedLine = (seq: number, over: Partial<LogLine> = {}): LogLine =>
  aLine(seq, { level: seq % 10 === 0 ? 'error' : 'info', step: seq <= 100 ? 'install' : 'build', ...over });

export const seqRange = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// The gateway's auth and live feed only: the REST side is another module of the same app.
@Module({})
class LiveGatewayModule {
  static forRoot(config: GatewayConfig, settings: Partial<LiveSettings>): DynamicModule {
    return serviceModule(LiveGatewayModule, {
      name: 'gateway',
      config,
      migrations,
      entities: ACCESS_ENTITIES,
      imports: [AuthModule.forRoot(config.FLIGHTDECK_ADMIN_TOKEN), HttpModule, LiveModule.withSettings(settings)],
    });
  }
}

// What one client saw of one deployment.
export class Recorded {
  readonly lines: LogLine[] = [];
  readonly batches: LogsPayload[] = [];
  readonly statuses: StatusPayload[] = [];
  readonly ends: EndPayload[] = [];
  // everything in arrival order, to check that `end` comes last
  readonly order: string[] = [];

  get seqs(): number[] {
    return this.lines.map((l) => l.seq);
  }

  get lastSeq(): number {
    return this.batches[this.batches.length - 1]?.lastSeq ?? 0;
  }

  // eventually(), saying on timeout how far the feed got
  async until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    await eventually(what, check, { timeoutMs, intervalMs: 20 }).catch((e: Error) => {
      throw new Error(`${e.message}; got ${this.lines.length} lines, last ${this.lastSeq}, ends ${this.ends.length}`);
    });
  }

  untilSeq(seq: number, timeoutMs?: number) {
    return this.until(() => this.lastSeq >= seq, `seq ${seq}`, timeoutMs);
  }

  untilEnd(timeoutMs?: number) {
    return this.until(() => this.ends.length > 0, 'end', timeoutMs);
  }
}

export class LiveClient {
  private readonly recorded = new Map<string, Recorded>();

  constructor(readonly socket: Socket) {
    socket.on('logs', (p: LogsPayload) => {
      const r = this.of(p.deploymentId);
      r.batches.push(p);
      r.lines.push(...p.lines);
      r.order.push('logs');
    });
    socket.on('status', (p: StatusPayload) => {
      const r = this.of(p.deployment.id);
      r.statuses.push(p);
      r.order.push('status');
    });
    socket.on('end', (p: EndPayload) => {
      const r = this.of(p.deploymentId);
      r.ends.push(p);
      r.order.push('end');
    });
  }

  of(deploymentId: string): Recorded {
    let r = this.recorded.get(deploymentId);
    if (!r) this.recorded.set(deploymentId, (r = new Recorded()));
    return r;
  }

  subscribe(req: SubscribeRequest | Record<string, unknown>): Promise<SubscribeAck> {
    return this.socket.timeout(10_000).emitWithAck('subscribe', req);
  }

  unsubscribe(deploymentId: string): Promise<{ ok: true }> {
    return this.socket.timeout(10_000).emitWithAck('unsubscribe', { deploymentId });
  }

  close() {
    this.socket.disconnect();
  }
}

// A real gateway (auth + live feed) in this process, a real log-ingest as a child process, real
// Postgres and nats-server. The test plays the builder (log batches on BUILD_LOGS) and the
// orchestrator (getDeployment answers, status events on DEPLOYMENT_EVENTS).
export class LiveHarness {
  readonly deployments = new Map<string, Deployment>();
  private readonly clients: LiveClient[] = [];
  private readonly extraGateways: INestApplication[] = [];

  private constructor(
    readonly infra: TestInfra,
    readonly logIngest: ServiceProcess,
    readonly gateway: { app: INestApplication; url: string },
    readonly nc: NatsConnection,
    readonly orchestrator: FakeResponders,
    readonly db: Client,
  ) {}

  /**
   * `pingTimeoutMs`: how long Socket.IO waits for a heartbeat's answer (20 s by default, after a
   * 25 s interval); a client that stops reading answers none, so a test stalling one for longer
   * than that raises it to test the flow bounds rather than the heartbeat.
   */
  static async start(settings: Partial<LiveSettings> = {}, o: { pingTimeoutMs?: number } = {}): Promise<LiveHarness> {
    const infra = await startTestInfra();
    // a failed start must not leave servers or the log-ingest process behind (afterAll has no harness to stop)
    const started: Array<() => Promise<unknown>> = [() => infra.stop()];
    const undo = () => started.reverse().reduce((p, stop) => p.then(() => stop().catch(() => undefined)), Promise.resolve<unknown>(undefined));
    let h: LiveHarness;
    try {
      const logIngest = await spawnService('log-ingest', infra.envFor('log-ingest'));
      started.push(() => logIngest.stop(5_000));
      await waitForReady(logIngest.port, 60_000, logIngest.exited);
      const gateway = await LiveHarness.startGateway(infra, settings, o.pingTimeoutMs);
      started.push(() => gateway.app.close());
      const nc = await connect({ ...infra.nats.connectOptions(), name: 'live-test' });
      started.push(() => nc.close());
      const orchestrator = await FakeResponders.connect(infra.nats);
      started.push(() => orchestrator.close());
      const db = new Client({ connectionString: infra.postgres.url });
      await db.connect();
      started.push(() => db.end());
      h = new LiveHarness(infra, logIngest, gateway, nc, orchestrator, db);
      await orchestrator.respond(getDeployment, ({ deploymentId }) => {
        const d = h.deployments.get(deploymentId);
        return d ? ok(d) : err(ErrorCode.DeploymentNotFound, `deployment ${deploymentId} not found`);
      });
    } catch (e) {
      await undo();
      throw e;
    }
    return h;
  }

  static async startGateway(infra: TestInfra, settings: Partial<LiveSettings>, pingTimeoutMs?: number) {
    const port = await freePort();
    const config = loadGatewayConfig(infra.envFor('gateway', { FLIGHTDECK_ADMIN_TOKEN: LIVE_TOKEN, FLIGHTDECK_GATEWAY_PORT: String(port) }));
    const app = await NestFactory.create(LiveGatewayModule.forRoot(config, settings), { logger: false });
    if (pingTimeoutMs) app.useWebSocketAdapter(new PatientHeartbeatAdapter(app, pingTimeoutMs));
    await app.listen(port, '127.0.0.1');
    await startBusTransports(app);
    return { app, url: `http://127.0.0.1:${port}` };
  }

  /** another gateway instance on the same servers, as a second replica */
  async anotherGateway(settings: Partial<LiveSettings> = {}) {
    const g = await LiveHarness.startGateway(this.infra, settings);
    this.extraGateways.push(g.app);
    return g;
  }

  async stop() {
    this.clients.forEach((c) => c.close());
    await Promise.all(this.extraGateways.map((a) => a.close()));
    await this.gateway.app.close();
    await this.orchestrator.close();
    await this.nc.drain();
    await this.db.end();
    await this.logIngest.stop();
    await this.infra.stop();
  }

  /** a connected client; without a token, or with a wrong one, the promise rejects with the connect_error */
  async client(opts: { token?: string | null; header?: boolean; url?: string } = {}): Promise<LiveClient> {
    const token = opts.token === undefined ? LIVE_TOKEN : opts.token;
    const socket = io(`${opts.url ?? this.gateway.url}${DEPLOYMENTS_NAMESPACE}`, {
      forceNew: true,
      reconnection: false,
      transports: ['websocket'],
      ...(token && !opts.header ? { auth: { token } } : {}),
      ...(token && opts.header ? { extraHeaders: { authorization: `Bearer ${token}` } } : {}),
    });
    const client = new LiveClient(socket);
    this.clients.push(client);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (e) => reject(e));
    });
    return client;
  }

  /** a deployment the orchestrator knows, by default building */
  aDeployment(over: Partial<Deployment> = {}): Deployment {
    const d = aDeployment({ status: 'building', phase: 'building', startedAt: new Date().toISOString(), ...over });
    this.deployments.set(d.id, d);
    return d;
  }

  /** as the builder publishes: `perBatch` lines to a message */
  async publishLines(deploymentId: string, from: number, to: number, perBatch = 50, over: (seq: number) => Partial<LogLine> = () => ({})) {
    const js = this.nc.jetstream();
    for (let first = from; first <= to; first += perBatch) {
      const lines = seqRange(first, Math.min(to, first + perBatch - 1)).map((s) => feedLine(s, over(s)));
      const data = { deploymentId, lines };
      await js.publish(subjectFor(logLinesPublished.subject, deploymentId), encodeEnvelope(logLinesPublished.subject, 1, data), {
        msgID: `${deploymentId}:1:${first}`,
      });
    }
  }

  /** as the orchestrator does: the record changes, then the event goes out */
  async move(deploymentId: string, status: DeploymentStatus, patch: Partial<Deployment> = {}): Promise<Deployment> {
    const before = this.deployments.get(deploymentId)!;
    const at = new Date(Math.max(Date.now(), Date.parse(before.updatedAt) + 1)).toISOString();
    const after: Deployment = {
      ...before,
      status,
      phase: status === 'succeeded' ? 'active' : status === 'failed' ? 'failed' : before.phase,
      updatedAt: at,
      finishedAt: isTerminal(status) ? at : before.finishedAt,
      ...patch,
    };
    this.deployments.set(deploymentId, after);
    const transition = { from: before.status, to: status, phase: after.phase, at, reason: null };
    await this.nc
      .jetstream()
      .publish(
        subjectFor(deploymentStatusChanged.subject, deploymentId),
        encodeEnvelope(deploymentStatusChanged.subject, 1, { deployment: after, transition }),
        { msgID: randomUUID() },
      );
    return after;
  }

  /** the ordered consumers the gateway holds on the log stream */
  async logFeedConsumers(): Promise<number> {
    const jsm = await this.nc.jetstreamManager();
    const all = await jsm.consumers.list('BUILD_LOGS').next();
    return all.filter((c) => !c.config.durable_name).length;
  }

  async storedLines(deploymentId: string): Promise<number> {
    const { rows } = await this.db.query('select count(*)::int as n from logs.log_lines where deployment_id = $1', [deploymentId]);
    return rows[0].n;
  }

  async waitForStored(deploymentId: string, count: number, timeoutMs = 15_000) {
    await eventually(`log-ingest to store ${count} lines`, async () => (await this.storedLines(deploymentId)) >= count, { timeoutMs });
  }
}

// Socket.IO's server with a longer heartbeat timeout (see LiveHarness.start)
class PatientHeartbeatAdapter extends IoAdapter {
  constructor(
    app: INestApplication,
    private readonly pingTimeoutMs: number,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions) {
    return super.createIOServer(port, { ...options, pingTimeout: this.pingTimeoutMs } as ServerOptions);
  }
}
