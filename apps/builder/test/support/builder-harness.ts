import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NatsConnection, type Subscription, connect } from 'nats';
import {
  type BuildProgress,
  type BuildResult,
  type DeployJob,
  type Environment,
  type LogBatch,
  type LogLine,
  type ResolvedVariable,
  Streams,
  deployJobQueued,
  deploymentCancelRequested,
  getEnvironment,
  ok,
  subjectFor,
} from '@flightdeck/contracts';
import { decodeEnvelope, encodeEnvelope, encodeJson, startBusTransports } from '@flightdeck/messaging';
import { type TestInfra, aProject, anEnvironment, freePort, queryRows, startTestInfra } from '@flightdeck/testing';
import { AppModule } from '../../src/app.module';
import { loadBuilderConfig } from '../../src/config/builder.config';
import { ProviderModule } from '../../src/provider/provider.module';
import type { ProviderModuleOptions } from '../../src/provider/provider-settings';
import { RecordingReleaseProvider } from './recording-release-provider';

// The builder in-process against a real Postgres and nats-server. The test plays the orchestrator
// (jobs in, cancels), environment-manager (a resolveVariables responder) and every reader of the
// build streams (ordered consumers).
export class BuilderHarness {
  readonly provider = new RecordingReleaseProvider();
  /** variables handed out per environment id */
  readonly variables = new Map<string, ResolvedVariable[]>();
  /** the provider configured per environment id (none: the internal one) */
  readonly providers = new Map<string, Environment['provider']>();
  private apps: INestApplication[] = [];
  private sub?: Subscription;
  private environmentsSub?: Subscription;

  private constructor(
    readonly infra: TestInfra,
    readonly nc: NatsConnection,
    readonly dataDir: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<BuilderHarness> {
    const h = await BuilderHarness.withoutBuilder();
    await h.startBuilder(env);
    return h;
  }

  /** the builder as the service wires it: the internal provider, its releases served by the edge on edgePort */
  static async withInternalProvider(
    options: ProviderModuleOptions = {},
    env: Record<string, string> = {},
  ): Promise<{ h: BuilderHarness; edgePort: number; app: INestApplication }> {
    const h = await BuilderHarness.withoutBuilder();
    const edgePort = await freePort();
    const app = await h.startBuilder({ ...env, FLIGHTDECK_EDGE_PORT: String(edgePort) }, ProviderModule.forRoot(options));
    return { h, edgePort, app };
  }

  private static async withoutBuilder(): Promise<BuilderHarness> {
    const infra = await startTestInfra();
    const nc = await connect({ ...infra.nats.connectOptions(), name: 'builder-test' });
    const h = new BuilderHarness(infra, nc, mkdtempSync(join(tmpdir(), 'fd-builder-data-')));
    h.answerVariables();
    h.answerEnvironments();
    return h;
  }

  get app(): INestApplication {
    return this.apps[0];
  }

  /** releases go to the recording stand-in unless a release module (ProviderModule.forRoot) is given */
  async startBuilder(env: Record<string, string> = {}, releaseModule: DynamicModule = this.provider.module()): Promise<INestApplication> {
    const config = loadBuilderConfig(
      this.infra.envFor('builder', {
        FLIGHTDECK_DATA_DIR: this.dataDir,
        FLIGHTDECK_EDGE_PORT: String(await freePort()),
        HTTP_PORT: String(await freePort()),
        ...env,
      }),
    );
    const app = await NestFactory.create(AppModule.forRoot(config, { releaseModule }), {
      logger: process.env.TEST_LOG_LEVEL ? ['error', 'warn', 'log'] : false,
    });
    await app.init();
    await startBusTransports(app);
    this.apps.push(app);
    return app;
  }

  async stopBuilder(app: INestApplication): Promise<void> {
    this.apps = this.apps.filter((a) => a !== app);
    await app.close();
  }

  async stop(): Promise<void> {
    for (const app of this.apps.splice(0)) await app.close();
    this.sub?.unsubscribe();
    this.environmentsSub?.unsubscribe();
    await this.nc.drain();
    await this.infra.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async dispatch(job: DeployJob, messageId: string = randomUUID()): Promise<DeployJob> {
    await this.nc.jetstream().publish(deployJobQueued.subject, encodeEnvelope(deployJobQueued.subject, deployJobQueued.version, job, messageId), {
      msgID: messageId,
    });
    return job;
  }

  cancel(deploymentId: string, attempt = 1, reason: 'canceled' | 'timeout' = 'canceled'): void {
    const subject = subjectFor(deploymentCancelRequested.subject, deploymentId);
    this.nc.publish(subject, encodeEnvelope(deploymentCancelRequested.subject, 1, { deploymentId, attempt, reason }));
  }

  async result(deploymentId: string, timeoutMs = 60_000): Promise<BuildResult> {
    const [r] = await this.read<BuildResult>(Streams.buildEvents.name, subjectFor('build.result.*', deploymentId), (all) => all.length >= 1, timeoutMs);
    if (!r) throw new Error(`no build result for ${deploymentId} within ${timeoutMs} ms`);
    return r;
  }

  /** every result published so far (waits briefly for stragglers) */
  async results(deploymentId: string, waitMs = 500): Promise<BuildResult[]> {
    return this.read<BuildResult>(Streams.buildEvents.name, subjectFor('build.result.*', deploymentId), () => false, waitMs);
  }

  async progress(deploymentId: string, waitMs = 500): Promise<BuildProgress[]> {
    return this.read<BuildProgress>(Streams.buildEvents.name, subjectFor('build.progress.*', deploymentId), () => false, waitMs);
  }

  /** the batches on BUILD_LOGS up to (at least) lastSeq */
  async logBatches(deploymentId: string, lastSeq: number, timeoutMs = 10_000): Promise<LogBatch[]> {
    const done = (all: LogBatch[]) => all.some((b) => b.lines.some((l) => l.seq >= lastSeq));
    return this.read<LogBatch>(Streams.buildLogs.name, subjectFor('build.logs.*', deploymentId), done, timeoutMs);
  }

  async logLines(deploymentId: string, lastSeq: number): Promise<LogLine[]> {
    return (await this.logBatches(deploymentId, lastSeq)).flatMap((b) => b.lines);
  }

  /** the raw bytes of every message on BUILD_LOGS and BUILD_EVENTS: what a secret must not be in */
  async rawStreamText(deploymentId: string): Promise<string> {
    const parts: string[] = [];
    const sources: [string, string][] = [
      [Streams.buildLogs.name, `build.logs.${deploymentId}`],
      [Streams.buildEvents.name, `build.progress.${deploymentId}`],
      [Streams.buildEvents.name, `build.result.${deploymentId}`],
    ];
    for (const [stream, subject] of sources) {
      const c = await this.nc.jetstream().consumers.get(stream, { filterSubjects: subject });
      for (;;) {
        const m = await c.next({ expires: 1_000 });
        if (!m) break;
        parts.push(new TextDecoder().decode(m.data));
      }
    }
    return parts.join('\n');
  }

  /** the builder's own record of a job, straight from its schema */
  async jobRow(deploymentId: string): Promise<{ status: string; instance_id: string | null; last_seq: number } | undefined> {
    const [row] = await queryRows<{ status: string; instance_id: string | null; last_seq: number }>(
      this.infra.databaseUrls.builder,
      'select status, instance_id, last_seq from builder.build_jobs where deployment_id = $1',
      [deploymentId],
    );
    return row;
  }

  async sql(text: string, params: unknown[] = []): Promise<void> {
    await queryRows(this.infra.databaseUrls.builder, text, params);
  }

  private async read<T>(stream: string, subject: string, done: (all: T[]) => boolean, timeoutMs: number): Promise<T[]> {
    const c = await this.nc.jetstream().consumers.get(stream, { filterSubjects: subject });
    const out: T[] = [];
    const end = Date.now() + timeoutMs;
    while (!done(out) && Date.now() < end) {
      const m = await c.next({ expires: 1_000 });
      if (!m) continue;
      const decoded = decodeEnvelope(m.data);
      if (decoded.ok) out.push(decoded.envelope.data as T);
    }
    return out;
  }

  // Every job asks for its environment's limits: answered at once with none set (the operator's
  // defaults), where no listener would hold each build for the bus's whole retry deadline.
  private answerEnvironments() {
    this.environmentsSub = this.nc.subscribe(getEnvironment.subject, {
      callback: (_e, msg) => {
        const decoded = decodeEnvelope(msg.data);
        const environmentId = decoded.ok ? (decoded.envelope.data as { environmentId: string }).environmentId : randomUUID();
        msg.respond(encodeJson(ok({ ...anEnvironment({ id: environmentId, provider: this.providers.get(environmentId) }), project: aProject() })));
      },
    });
  }

  private answerVariables() {
    this.sub = this.nc.subscribe('variables.query.resolve', {
      callback: (_e, msg) => {
        const decoded = decodeEnvelope(msg.data);
        const environmentId = decoded.ok ? (decoded.envelope.data as { environmentId: string }).environmentId : '';
        msg.respond(encodeJson(ok({ items: this.variables.get(environmentId) ?? [] })));
      },
    });
  }
}
