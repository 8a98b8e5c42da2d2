import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Module, Optional } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { listLogLines } from '@flightdeck/contracts';
import { Bus, NATS_CONNECTION } from '@flightdeck/messaging';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { SecretMasker } from '../masking/secret-masker';
import { LogBatchPublisher } from './log-batch-publisher';
import { readLogTail } from './log-tail';
import { RuntimeLog, type RuntimeLogOptions } from './runtime-log';

export type RuntimeOutput = (line: string, stream: 'stdout' | 'stderr') => void;

const DEFAULTS: RuntimeLogOptions = { linesPerSecond: 200, maxLineChars: 8 * 1024, maxPendingLines: 1_000 };
const RETRY_MAX_MS = 30_000;
const MAX_REMEMBERED = 10_000;

// The runtime logs of the releases running here, one per release (its deployment's log), shared by
// every process of it (a restart continues the same seq). Where a release's lines start:
// - right after a deploy: after the deploy's last line, which the job reports when its log ends
//   (lines the release prints before that wait);
// - otherwise (a builder restart, a rollback, a preview): after the last line published for its
//   deployment (the BUILD_LOGS stream's last message of that subject; log-ingest's last stored line
//   once the stream has let it go).
@Injectable()
export class RuntimeLogs {
  private readonly logger = new Logger(RuntimeLogs.name);
  private readonly logs = new Map<string, { log: RuntimeLog; sink: LogBatchPublisher; closed: boolean }>();
  private readonly deploying = new Map<string, { ended: Promise<number>; end: (lastSeq: number) => void }>();
  /** where the logs closed here ended: a later start of the release continues there */
  private readonly ended = new Map<string, number>();
  private readonly options: RuntimeLogOptions;
  // a restart publishes under other message ids: JetStream never takes its batches for duplicates
  private readonly boot = randomUUID().slice(0, 8);

  // without a bus (the provider alone, in its tests) there is nowhere to publish: no runtime log
  constructor(
    @Optional() @Inject(NATS_CONNECTION) private readonly nc?: NatsConnection,
    @Optional() private readonly bus?: Bus,
    @Optional() @Inject(BUILDER_CONFIG) config?: BuilderConfig,
  ) {
    this.options = { ...DEFAULTS, linesPerSecond: config?.FLIGHTDECK_RUNTIME_LOG_LINES_PER_SECOND ?? DEFAULTS.linesPerSecond };
  }

  /** a job's log is open: its release's runtime lines wait for deployLogEnded */
  deployLogOpened(deploymentId: string): void {
    if (this.deploying.has(deploymentId)) return;
    let end!: (lastSeq: number) => void;
    const ended = new Promise<number>((resolve) => (end = resolve));
    this.deploying.set(deploymentId, { ended, end });
  }

  deployLogEnded(deploymentId: string, lastSeq: number): void {
    const d = this.deploying.get(deploymentId);
    this.deploying.delete(deploymentId);
    this.remember(deploymentId, lastSeq);
    d?.end(lastSeq);
  }

  /** where a process of the release writes its output once it serves */
  output(releaseId: string, secrets: readonly string[]): RuntimeOutput {
    if (!this.nc) return () => undefined;
    let entry = this.logs.get(releaseId);
    if (!entry) {
      const sink = new LogBatchPublisher(this.nc.jetstream(), releaseId, `run-${this.boot}`);
      const created = { log: new RuntimeLog(sink, new SecretMasker(secrets), this.options), sink, closed: false };
      entry = created;
      this.logs.set(releaseId, created);
      void this.begin(releaseId, created);
    }
    const { log } = entry;
    return (line, stream) => log.line(line, stream);
  }

  /** the release stopped: its lines are published, and a later start continues after them */
  async close(releaseId: string): Promise<void> {
    const entry = this.logs.get(releaseId);
    if (!entry) return;
    this.logs.delete(releaseId);
    entry.closed = true;
    await entry.log.close();
    // as stored: the publisher numbers lines again after another writer's
    if (entry.log.lastSeq !== undefined && entry.sink.lastPublishedSeq) this.remember(releaseId, entry.sink.lastPublishedSeq);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.logs.keys()].map((id) => this.close(id)));
  }

  private remember(deploymentId: string, lastSeq: number): void {
    this.ended.delete(deploymentId);
    this.ended.set(deploymentId, lastSeq);
    // the oldest go first: those are asked of the stream again should they start
    if (this.ended.size > MAX_REMEMBERED) this.ended.delete(this.ended.keys().next().value!);
  }

  private async begin(releaseId: string, entry: { log: RuntimeLog; sink: LogBatchPublisher; closed: boolean }): Promise<void> {
    for (let failures = 0; !entry.closed; failures++) {
      const after = await this.lastSeqOf(releaseId).catch((e: Error) => {
        this.logger.warn({ release: releaseId, err: e.message }, 'where the runtime log continues is not known yet');
        return undefined;
      });
      if (entry.closed) return;
      if (after !== undefined) {
        entry.log.begin(after);
        return;
      }
      await sleep(Math.min(500 * 2 ** failures, RETRY_MAX_MS));
    }
  }

  private async lastSeqOf(releaseId: string): Promise<number | undefined> {
    const deploying = this.deploying.get(releaseId);
    if (deploying) return deploying.ended;
    const known = this.ended.get(releaseId);
    if (known !== undefined) return known;
    const published = await this.lastPublishedSeq(releaseId);
    if (published) return published;
    if (!this.bus) return 0;
    const stored = await this.bus.request(listLogLines, { deploymentId: releaseId, tail: 1, afterSeq: 0, limit: 1 });
    if (!stored.ok) throw new Error(`log-ingest: ${stored.error.code}`);
    return stored.data.lastSeq ?? stored.data.items.at(-1)?.seq ?? 0;
  }

  // 0: the stream holds nothing of it (never published, or older than the stream keeps)
  private async lastPublishedSeq(deploymentId: string): Promise<number> {
    return (await readLogTail(this.nc!.jetstream(), deploymentId)).lineSeq;
  }

}

// Shared by the jobs (which say when a deploy's log ends) and the releases (whose output it takes).
@Module({ providers: [RuntimeLogs], exports: [RuntimeLogs] })
export class RuntimeLogsModule {}
