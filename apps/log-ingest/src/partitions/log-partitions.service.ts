import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOG_PARTITION_SETTINGS, type LogPartitionSettings } from './log-partition.settings';
import { LogPartitionsRepository } from './log-partitions.repository';
import { daysToCover, firstKeptDay, utcDay } from './partition-days';

// Keeps a partition of logs.log_lines ready for every day lines are about to arrive in, and drops
// the days older than the retention: at start-up and then every maintainEveryMs, on every replica.
// Creating a day is idempotent and serialised in the database; dropping is done by whichever
// replica takes the advisory lock, the others skip it. Lines of a day without a partition still go
// in, to the default one.
@Injectable()
export class LogPartitionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LogPartitionsService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly partitions: LogPartitionsRepository,
    @Inject(LOG_PARTITION_SETTINGS) private readonly settings: LogPartitionSettings,
  ) {}

  async onApplicationBootstrap() {
    await this.maintain();
    this.timer = setInterval(() => void this.maintain(), this.settings.maintainEveryMs);
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.running;
  }

  /** one maintenance run; a run still going is joined, not doubled */
  maintain(now = new Date()): Promise<void> {
    this.running ??= this.run(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(now: Date): Promise<void> {
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
      const indexed = await this.partitions.indexWords(utcDay(now));
      if (indexed?.length) this.logger.log({ days: indexed }, 'words of ended log days indexed');
    } catch (e) {
      // the next run tries again; until then lines of an uncovered day go to the default partition
      this.logger.error({ err: (e as Error).message }, 'log partition maintenance failed');
    }
  }
}
