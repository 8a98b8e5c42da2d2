import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NatsConnection, connect } from 'nats';
import { Client } from 'pg';
import { type LogBatch, type LogLine, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { Bus, encodeEnvelope, startBusTransports } from '@flightdeck/messaging';
import { type TestInfra, aLine, startTestInfra } from '@flightdeck/testing';
import { AppModule } from '../../src/app.module';
import { loadLogIngestConfig } from '../../src/config/log-ingest.config';

// the shared factory, re-exported for the specs that import it from here
export { aLine };

export const lines = (from: number, to: number, over: (seq: number) => Partial<LogLine> = () => ({})): LogLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => aLine(from + i, over(from + i)));

// log-ingest in this process against a real Postgres and nats-server; the test plays the builder.
export class LogIngestHarness {
  private constructor(
    readonly infra: TestInfra,
    public app: INestApplication,
    readonly nc: NatsConnection,
    readonly bus: Bus,
    readonly db: Client,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<LogIngestHarness> {
    const infra = await startTestInfra();
    const app = await LogIngestHarness.startApp(infra, env);
    const nc = await connect({ ...infra.nats.connectOptions(), name: 'log-ingest-test' });
    const db = new Client({ connectionString: infra.postgres.url });
    await db.connect();
    return new LogIngestHarness(infra, app, nc, new Bus(nc), db);
  }

  static async startApp(infra: TestInfra, env: Record<string, string> = {}): Promise<INestApplication> {
    const app = await NestFactory.create(AppModule.forRoot(loadLogIngestConfig(infra.envFor('log-ingest', env))), { logger: process.env.TEST_LOG_LEVEL ? ['error', 'warn', 'log'] : false });
    await app.init();
    await startBusTransports(app);
    return app;
  }

  async stop() {
    await this.db.end();
    await this.nc.drain();
    await this.app.close();
    await this.infra.stop();
  }

  /** publishes as the builder does: one message per batch, a message id per publish */
  async publish(deploymentId: string, batch: LogLine[], msgId: string = randomUUID()): Promise<void> {
    const data: LogBatch = { deploymentId, lines: batch };
    await this.publishRaw(subjectFor(logLinesPublished.subject, deploymentId), encodeEnvelope(logLinesPublished.subject, 1, data), msgId);
  }

  async publishRaw(subject: string, payload: Uint8Array, msgId: string = randomUUID()): Promise<void> {
    await this.nc.jetstream().publish(subject, payload, { msgID: msgId });
  }

  async storedSeqs(deploymentId: string): Promise<number[]> {
    const { rows } = await this.db.query('select seq from logs.log_lines where deployment_id = $1 order by seq', [deploymentId]);
    return rows.map((r: { seq: number }) => r.seq);
  }

  async waitForRows(deploymentId: string, count: number, timeoutMs = 15_000): Promise<number[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const seqs = await this.storedSeqs(deploymentId);
      if (seqs.length >= count || Date.now() > until) return seqs;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** resolves once the durable consumer has acknowledged everything the stream holds */
  async waitUntilConsumed(durable: string, timeoutMs = 15_000): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    const until = Date.now() + timeoutMs;
    for (;;) {
      const stream = await jsm.streams.info('BUILD_LOGS');
      const c = await jsm.consumers.info('BUILD_LOGS', durable);
      if (c.ack_floor.stream_seq >= stream.state.last_seq && c.num_ack_pending === 0) return;
      if (Date.now() > until) throw new Error(`consumer ${durable} did not catch up: ${JSON.stringify(c.ack_floor)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
