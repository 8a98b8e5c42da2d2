import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOG_PARTITION_SETTINGS, type LogPartitionSettings } from './log-partition.settings';
import { LogPartitionsRepository } from './log-partitions.repository';
import { daysToCover, firstKeptDay, utcDay } from './partition-days';

const SHUTDOWN_WAIT_MS = 2_000;

// Keeps a partition of logs.log_lines ready for every day lines are about to arrive in, drops
// the days older than the retention and indexes the words of ended days: at start-up and then
// every maintainEveryMs, on every replica.
// Creating a day is idempotent and serialised in the database; dropping is done by whichever
// replica takes the advisory lock, the others skip it. Lines of a day without a partition still go
// in, to the default one.
@Injectable()
export class LogPartitionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LogPartitionsService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private indexing?: Promise<void>;

  constructor(
    private readonly partitions: LogPartitionsRepository,
    @Inject(LOG_PARTITION_SETTINGS) private readonly settings: LogPartitionSettings,
  ) {}

  async onApplicationBootstrap() {
    await this.maintainPartitions(new Date());
    this.timer = setInterval(() => void this.maintain(), this.settings.maintainEveryMs);
    // indexing the words of ended days can take minutes on a large store (the first start after
    // an upgrade): after start-up, not before ready
    void this.indexWords(new Date());
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.running;
    // an index build still going is given up with the connection: it leaves an invalid index, which
    // the next run builds again
    if (this.indexing) await Promise.race([this.indexing, sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false })]);
  }

  /** one maintenance run: partitions (created, dropped), then words indexes; a run still going is joined */
  async maintain(now = new Date()): Promise<void> {
    await this.maintainPartitions(now);
    await this.indexWords(now);
  }

  private maintainPartitions(now: Date): Promise<void> {
    this.running ??= this.runPartitions(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private indexWords(now: Date): Promise<void> {
    this.indexing ??= this.runWords(now).finally(() => (this.indexing = undefined));
    return this.indexing;
  }

  private async runPartitions(now: Date): Promise<void> {
    try {
      const created = await this.partitions.ensureDays(daysToCover(now, this.settings.daysAhead));
      if (created.length) this.logger.log({ days: created }, 'log partitions created');
      const firstKept = firstKeptDay(now, this.settings.retentionDays);
      const dropped = await this.partitions.dropBefore(firstKept, now);
      if (dropped?.droppedDays.length || dropped?.deletedStrays || dropped?.deletedEarly) {
        this.logger.log({ ...dropped, firstKept, retentionDays: this.settings.retentionDays }, 'expired log lines removed');
      }
      // on the replica that did the retention run, so replicas do not compact at once
      if (dropped) await this.partitions.compactVolume();
    } catch (e) {
      // the next run tries again; until then lines of an uncovered day go to the default partition
      this.logger.error({ err: (e as Error).message }, 'log partition maintenance failed');
    }
  }

  private async runWords(now: Date): Promise<void> {
    try {
      const indexed = await this.partitions.indexWords(utcDay(now));
      if (indexed?.length) this.logger.log({ days: indexed }, 'words of ended log days indexed');
    } catch (e) {
      // searches of those days scan them until the next run builds the index
      this.logger.error({ err: (e as Error).message }, 'indexing the words of ended log days failed');
    }
  }
}
