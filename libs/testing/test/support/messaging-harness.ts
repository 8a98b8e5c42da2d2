import { randomBytes } from 'node:crypto';
import { Logger, type LogLevel } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { Streams } from '@flightdeck/contracts';
import { connectNats, ensureStreams } from '@flightdeck/messaging';
import {
  createServiceDataSource,
  provisionServiceDatabase,
  runMigrationsLocked,
  serviceDatabaseUrl,
  serviceRole,
} from '@flightdeck/persistence';
import {
  type NatsCluster,
  type NatsServer,
  type PostgresServer,
  eventually,
  sleep,
  startNats,
  startNatsCluster,
  startPostgres,
} from '../../src';
import { CreateProbeTables1700000000000, PROBE_SCHEMA } from './probe-schema';

export { sleep };

export const until = <T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> =>
  eventually(what, probe, { timeoutMs, intervalMs: 100 });

// Nest's static logger is what the messaging classes log through: quiet unless TEST_LOG_LEVEL asks.
const quietLogs = () => {
  const levels: Record<string, LogLevel[]> = {
    debug: ['error', 'warn', 'log', 'debug'],
    info: ['error', 'warn', 'log'],
    warn: ['error', 'warn'],
    error: ['error'],
  };
  Logger.overrideLogger(levels[process.env.TEST_LOG_LEVEL ?? ''] ?? false);
};

export interface DeadLetter {
  subject: string;
  reason: string;
  originalSubject: string;
  data: string;
}

// A real Postgres with the probe schema migrated under the probe role, and a real nats-server -js
// with the platform's streams: what a service has at start-up, without a service around it.
export class MessagingHarness {
  private readonly dataSources: DataSource[] = [];
  private readonly connections: NatsConnection[] = [];

  private constructor(
    readonly postgres: PostgresServer,
    readonly nats: NatsServer,
    /** the probe role's URL: it owns the probe schema and nothing else */
    readonly url: string,
    private readonly admin: Pool,
    /** with `natsCluster`: every node (`nats` is the first), and streams with one replica per node up to 3 */
    readonly cluster?: NatsCluster,
  ) {}

  static async start(opts: { natsCluster?: number } = {}): Promise<MessagingHarness> {
    quietLogs();
    const [postgres, cluster] = await Promise.all([
      startPostgres({ fast: true }),
      opts.natsCluster ? startNatsCluster({ size: opts.natsCluster }) : undefined,
    ]);
    const nats = cluster?.nodes[0] ?? (await startNats());
    const password = randomBytes(12).toString('hex');
    await provisionServiceDatabase(postgres.url, {
      schema: PROBE_SCHEMA,
      role: serviceRole(PROBE_SCHEMA),
      password,
    });
    const url = serviceDatabaseUrl(postgres.url, { role: serviceRole(PROBE_SCHEMA), password });
    const admin = new Pool({ connectionString: postgres.url, max: 3 });
    admin.on('error', () => undefined); // an idle client cut off by the server's shutdown is expected
    const h = new MessagingHarness(postgres, nats, url, admin, cluster);
    await runMigrationsLocked(await h.dataSource(), PROBE_SCHEMA);
    const replicas = cluster ? Math.min(3, cluster.nodes.length) : 1;
    await ensureStreams(await (await h.connect('harness')).jetstreamManager(), undefined, { replicas });
    return h;
  }

  /** a new data source of the probe service, as another replica would have */
  async dataSource(): Promise<DataSource> {
    const ds = createServiceDataSource({
      url: this.url,
      schema: PROBE_SCHEMA,
      entities: [],
      migrations: [CreateProbeTables1700000000000],
      poolSize: 5,
    });
    await ds.initialize();
    this.dataSources.push(ds);
    return ds;
  }

  /** a service's connection: reconnects forever, as in production */
  async connect(name = 'probe'): Promise<NatsConnection> {
    const admin = this.nats.credentials.admin;
    const nc = this.cluster
      ? await connectNats({ natsUrl: this.cluster.url, natsUser: admin.user, natsPassword: admin.pass, serviceName: name })
      : await connectNats(this.nats.urlFor(), name);
    this.connections.push(nc);
    return nc;
  }

  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.admin.query(text, params)).rows as T[];
  }

  async deadLetters(nc: NatsConnection, durable: string): Promise<DeadLetter[]> {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(Streams.deadLetters.name);
    const found: DeadLetter[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(Streams.deadLetters.name, { seq }).catch(() => undefined);
      if (!m || m.subject !== `deadletter.${durable}`) continue;
      found.push({
        subject: m.subject,
        reason: m.header.get('Fd-Dead-Reason'),
        originalSubject: m.header.get('Fd-Original-Subject'),
        data: new TextDecoder().decode(m.data),
      });
    }
    return found;
  }

  async stop() {
    await Promise.all(this.connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all(this.dataSources.splice(0).map((ds) => (ds.isInitialized ? ds.destroy() : undefined)));
    await this.admin.end();
    await Promise.all([this.cluster ? this.cluster.dispose() : this.nats.dispose(), this.postgres.stop()]);
  }
}
