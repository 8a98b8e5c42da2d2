import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { type LogBatch, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { NATS_CONNECTION } from '@flightdeck/messaging';
import { LogLinesRepository } from '../log-lines/log-lines.repository';
import { LOG_INGEST_SETTINGS, type LogIngestSettings } from './log-ingest.settings';
import { BatchingConsumer } from './batching-consumer';

export const LOG_BATCHES_DURABLE = 'log-ingest-lines';

// Every replica of log-ingest shares this one durable consumer of BUILD_LOGS.
@Injectable()
export class LogBatchesConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: BatchingConsumer<typeof logLinesPublished>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOG_INGEST_SETTINGS) private readonly settings: LogIngestSettings,
    private readonly ds: DataSource,
    private readonly lines: LogLinesRepository,
  ) {}

  async onApplicationBootstrap() {
    this.consumer = new BatchingConsumer(
      {
        stream: 'buildLogs',
        durable: LOG_BATCHES_DURABLE,
        event: logLinesPublished,
        handle: async (tx, batches) => {
          await this.lines.insert(tx, batches);
        },
        weigh: (b) => b.lines.length,
        // followers read build.logs.<id> by subject: a batch filed under another id is refused
        refuse: (subject, b: LogBatch) =>
          subject === subjectFor(logLinesPublished.subject, b.deploymentId)
            ? undefined
            : `deploymentId ${b.deploymentId} does not match subject ${subject}`,
        maxMessagesPerTx: this.settings.maxMessagesPerTx,
        maxWeightPerTx: this.settings.maxLinesPerTx,
      },
      this.nc.jetstream(),
      await this.nc.jetstreamManager(),
      this.ds,
    );
    await this.consumer.start();
  }

  async beforeApplicationShutdown() {
    await this.consumer?.stop();
  }
}
