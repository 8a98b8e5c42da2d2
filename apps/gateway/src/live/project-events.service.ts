import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { type Consumer, type ConsumerMessages, DeliverPolicy, type NatsConnection } from 'nats';
import { type DeploymentStatusChanged, Streams, deploymentStatusChanged } from '@flightdeck/contracts';
import { NATS_CONNECTION, PULL_EXPIRES_MS, decodeEvent, retryWhileUnavailable } from '@flightdeck/messaging';

export type ProjectListener = (event: DeploymentStatusChanged) => void;

// Every deployment's status changes, per project, for the clients subscribed to a project (the
// seed's subscribeToProjectDeployments). One ordered consumer of this gateway instance reads the
// status events from now on while anyone listens, and hands each to its project's listeners.
@Injectable()
export class ProjectEvents implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectEvents.name);
  private readonly listeners = new Map<string, Set<ProjectListener>>();
  private running?: Promise<{ consumer: Consumer; messages: ConsumerMessages }>;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  /** starts listening (resolves once events flow); the answer stops it */
  async listen(projectId: string, listener: ProjectListener): Promise<() => void> {
    const set = this.listeners.get(projectId) ?? new Set();
    set.add(listener);
    this.listeners.set(projectId, set);
    try {
      await (this.running ??= this.start());
    } catch (e) {
      this.stopListening(projectId, listener);
      throw e;
    }
    return () => this.stopListening(projectId, listener);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    await this.stop();
  }

  private stopListening(projectId: string, listener: ProjectListener) {
    const set = this.listeners.get(projectId);
    set?.delete(listener);
    if (set?.size === 0) this.listeners.delete(projectId);
    if (this.listeners.size === 0) void this.stop();
  }

  private async start() {
    const consumer = await retryWhileUnavailable(() =>
      this.nc.jetstream().consumers.get(Streams.deploymentEvents.name, {
        filterSubjects: deploymentStatusChanged.subject,
        deliver_policy: DeliverPolicy.New,
      }),
    );
    // a pull lost with a killed stream leader is noticed within seconds (see PULL_EXPIRES_MS)
    const messages = await consumer.consume({ expires: PULL_EXPIRES_MS });
    void (async () => {
      for await (const m of messages) {
        const parsed = decodeEvent(deploymentStatusChanged, m.data, m.subject);
        if (!parsed.ok) {
          this.logger.warn({ streamSeq: m.seq }, 'unreadable status event skipped');
          continue;
        }
        for (const listener of this.listeners.get(parsed.data.deployment.projectId) ?? []) listener(parsed.data);
      }
    })().catch((e) => this.logger.error({ err: (e as Error).message }, 'project events stopped'));
    return { consumer, messages };
  }

  private async stop() {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    const { consumer, messages } = await running.catch(() => ({ consumer: undefined, messages: undefined }));
    messages?.stop();
    await consumer?.delete().catch(() => false);
  }
}
