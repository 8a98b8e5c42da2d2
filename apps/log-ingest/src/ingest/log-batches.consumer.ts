import { Controller, type Provider } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { type LogBatch, logLinesPublished } from '@flightdeck/contracts';
import { type BatchLimits, HandleEventBatch } from '@flightdeck/messaging';
import { LogLinesRepository } from '../log-lines/log-lines.repository';
import { LOG_INGEST_SETTINGS, type LogIngestSettings } from './log-ingest.settings';

export const LOG_BATCHES_DURABLE = 'log-ingest-lines';
const LOG_BATCH_LIMITS = Symbol('LOG_BATCH_LIMITS');

export const logBatchLimits: Provider = {
  provide: LOG_BATCH_LIMITS,
  inject: [LOG_INGEST_SETTINGS],
  // two transactions in flight: one replica builds and decodes the next while Postgres copies the
  // last (lines are keyed, so the two never store a line twice)
  useFactory: (s: LogIngestSettings): BatchLimits => ({ maxMessagesPerTx: s.maxMessagesPerTx, maxWeightPerTx: s.maxLinesPerTx, writers: 2 }),
};

// Every replica of log-ingest shares this one durable consumer of BUILD_LOGS. Lines are keyed by
// (deploymentId, seq), so a redelivered batch inserts nothing and many batches share one commit.
// A batch filed under another deployment's subject is dead-lettered by the transport.
@Controller()
export class LogBatchesConsumer {
  constructor(private readonly lines: LogLinesRepository) {}

  @HandleEventBatch(logLinesPublished, {
    stream: 'buildLogs',
    durable: LOG_BATCHES_DURABLE,
    weigh: (b: LogBatch) => b.lines.length,
    limits: LOG_BATCH_LIMITS,
  })
  async store(@Payload() batches: LogBatch[], @Ctx() ctx: { tx: EntityManager }) {
    await this.lines.insert(ctx.tx, batches);
  }
}
