import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type NatsConnection, connect } from 'nats';
import {
  type Actor,
  type BuildProgress,
  Durables,
  Streams,
  type BuildResult,
  type Deployment,
  type DeployJob,
  type DeploymentStatusChanged,
  type LogBatch,
  type TriggerDeploymentRequest,
  buildFinished,
  buildProgressed,
  getDeployment,
  subjectFor,
  triggerDeployment,
} from '@flightdeck/contracts';
import { Bus, decodeEnvelope, encodeEnvelope, startBusTransports } from '@flightdeck/messaging';
import { type TestInfra, eventually, queryRows, startTestInfra } from '@flightdeck/testing';
import { AppModule } from '../../src/app.module';
import { loadDeploymentOrchestratorConfig } from '../../src/config/deployment-orchestrator.config';
import { FakeEnvironmentManager } from './fake-environment-manager';

export const anActor = (over: Partial<Actor> = {}): Actor => ({ id: 'user-1', kind: 'user', ...over });

// The orchestrator in-process against a real Postgres and nats-server; the test plays the user
// (commands over the bus), environment-manager (a responder) and the builder (jobs in, events out).
export class OrchestratorHarness {
  readonly jobs: DeployJob[] = [];
  readonly statusEvents: DeploymentStatusChanged[] = [];
  readonly cancelRequests: { deploymentId: string; attempt: number; reason: string }[] = [];
  private readonly feeds: ConsumerMessages[] = [];

  private constructor(
    readonly infra: TestInfra,
    readonly app: INestApplication,
    readonly nc: NatsConnection,
    readonly bus: Bus,
    readonly directory: FakeEnvironmentManager,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<OrchestratorHarness> {
    const infra = await startTestInfra();
    const config = loadDeploymentOrchestratorConfig(infra.envFor('deployment-orchestrator', env));
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    await app.init();
    await startBusTransports(app);
    const nc = await connect({ ...infra.nats.connectOptions(), name: 'orchestrator-test' });
    const directory = new FakeEnvironmentManager(nc);
    directory.start();
    const h = new OrchestratorHarness(infra, app, nc, new Bus(nc), directory);
    await h.follow('DEPLOY_JOBS', 'jobs.deploy', (data) => h.jobs.push(data as DeployJob), true);
    await h.follow('DEPLOYMENT_EVENTS', 'deployments.evt.status.>', (data) => h.statusEvents.push(data as DeploymentStatusChanged));
    await h.follow('DEPLOYMENT_EVENTS', 'deployments.evt.cancel-requested.>', (data) =>
      h.cancelRequests.push(data as OrchestratorHarness['cancelRequests'][number]),
    );
    return h;
  }

  // Another instance of the service on the same Postgres and NATS, as a second replica would be.
  async startReplica(env: Record<string, string> = {}): Promise<INestApplication> {
    const config = loadDeploymentOrchestratorConfig(this.infra.envFor('deployment-orchestrator', env));
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    await app.init();
    await startBusTransports(app);
    return app;
  }

  async stop() {
    this.feeds.forEach((f) => f.stop());
    this.directory.stop();
    await this.nc.drain();
    await this.app.close();
    await this.infra.stop();
  }

  // The builder's side of DEPLOY_JOBS is a work queue: a durable consumer that acks; events are read with an ordered one.
  private async follow(stream: string, subject: string, onData: (data: unknown) => void, workQueue = false) {
    const js = this.nc.jetstream();
    let consumer;
    if (workQueue) {
      const jsm = await this.nc.jetstreamManager();
      await jsm.consumers.add(stream, { durable_name: 'test-builder', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: subject });
      consumer = await js.consumers.get(stream, 'test-builder');
    } else {
      consumer = await js.consumers.get(stream, { filterSubjects: subject });
    }
    const messages = await consumer.consume();
    this.feeds.push(messages);
    void (async () => {
      for await (const m of messages) {
        const decoded = decodeEnvelope(m.data);
        if (decoded.ok) onData(decoded.envelope.data);
        if (workQueue) m.ack();
      }
    })();
  }

  /** build.logs.* as log-ingest would read it */
  async followLogs(onBatch: (b: LogBatch) => void) {
    await this.follow('BUILD_LOGS', 'build.logs.>', (data) => onBatch(data as LogBatch));
  }

  trigger(projectId: string, over: Partial<TriggerDeploymentRequest> = {}) {
    return this.bus.request(triggerDeployment, { projectId, sourceRef: 'main', trigger: 'api', actor: anActor(), ...over });
  }

  // Triggers and expects success: the deployment it created.
  async deploy(projectId: string, over: Partial<TriggerDeploymentRequest> = {}): Promise<Deployment> {
    const r = await this.trigger(projectId, over);
    if (!r.ok) throw new Error(`trigger failed: ${r.error.code} ${r.error.message}`);
    return r.data.deployment;
  }

  async get(id: string): Promise<Deployment> {
    const r = await this.bus.request(getDeployment, { deploymentId: id });
    if (!r.ok) throw new Error(`get failed: ${r.error.code}`);
    return r.data;
  }

  async waitFor(id: string, what: string, check: (d: Deployment) => boolean, timeoutMs = 10_000): Promise<Deployment> {
    return eventually(
      `${what} (deployment ${id})`,
      async () => {
        const d = await this.get(id);
        return check(d) ? d : undefined;
      },
      { timeoutMs },
    );
  }

  jobsFor(id: string) {
    return this.jobs.filter((j) => j.deploymentId === id);
  }

  /** every build event published so far has been handled and acknowledged (after its commit) */
  async buildEventsHandled(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await eventually('the build events to be handled', async () => {
      const info = await jsm.consumers.info(Streams.buildEvents.name, Durables.buildEvents);
      return (info.num_pending === 0 && info.num_ack_pending === 0) || undefined;
    });
  }

  /** every job the orchestrator committed has left its outbox and reached this test's builder (and was acked) */
  async jobsDelivered(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await eventually('every committed job to reach the builder', async () => {
      const [row] = await this.sql<{ n: number }>(`select count(*)::int as n from orchestrator.outbox where published_at is null`);
      if (row.n > 0) return undefined;
      const info = await jsm.consumers.info('DEPLOY_JOBS', 'test-builder');
      return (info.num_pending === 0 && info.num_ack_pending === 0) || undefined;
    });
  }

  async waitForJob(id: string): Promise<DeployJob> {
    return eventually(`a job for ${id}`, async () => this.jobsFor(id)[0]);
  }

  eventsFor(id: string) {
    return this.statusEvents.filter((e) => e.deployment.id === id);
  }

  // a builder hears of a deployment only through its job: never while its pre-flight runs
  private async pastPreflight(id: string) {
    await this.waitFor(id, 'its pre-flight to end', (d) => d.phase !== 'validating');
  }

  async progress(p: Pick<BuildProgress, 'deploymentId'> & Partial<BuildProgress>) {
    await this.pastPreflight(p.deploymentId);
    const data: BuildProgress = { attempt: 1, stage: 'building', phase: 'building', progress: 50, at: new Date().toISOString(), ...p };
    await this.nc.jetstream().publish(subjectFor(buildProgressed.subject, p.deploymentId), encodeEnvelope(buildProgressed.subject, 1, data));
  }

  async result(r: Pick<BuildResult, 'deploymentId' | 'outcome'> & Partial<BuildResult>) {
    await this.pastPreflight(r.deploymentId);
    const data: BuildResult = { attempt: 1, lastSeq: 10, at: new Date().toISOString(), ...r };
    await this.nc.jetstream().publish(subjectFor(buildFinished.subject, r.deploymentId), encodeEnvelope(buildFinished.subject, 1, data));
  }

  // Plays a builder that takes the deployment all the way to a release.
  async succeed(id: string, over: Partial<BuildResult> = {}): Promise<Deployment> {
    await this.progress({ deploymentId: id, stage: 'initializing', phase: 'pulling_source', progress: 5 });
    await this.progress({ deploymentId: id, stage: 'building', phase: 'building', progress: 40 });
    await this.progress({ deploymentId: id, stage: 'deploying', phase: 'releasing', progress: 80 });
    await this.result({
      deploymentId: id,
      outcome: 'succeeded',
      url: 'http://app-production.localhost:3080',
      previewUrl: `http://app-${id.slice(0, 8)}.localhost:3080`,
      artifact: { id: `art-${id}`, sha256: 'a'.repeat(64), sizeBytes: 1234, kind: 'static' },
      commit: { sha: 'c0ffee', message: 'first', author: 'Ada <ada@example.com>' },
      ...over,
    });
    return this.waitFor(id, 'success', (d) => d.status === 'succeeded');
  }

  // Reads the service's own tables as the superuser (what an operator would check).
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return queryRows<T>(this.infra.postgres.url, text, params);
  }
}
