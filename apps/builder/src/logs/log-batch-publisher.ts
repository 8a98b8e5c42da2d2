import { Logger } from '@nestjs/common';
import type { JetStreamClient } from 'nats';
import { type LogBatch, type LogLine, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { encodeEvent } from '@flightdeck/messaging';

export const FLUSH_INTERVAL_MS = 50;
export const LINES_PER_BATCH = 500;
// well under NATS's default 1 MB max_payload, whatever the lines hold
const BYTES_PER_BATCH = 256 * 1024;
const RETRY_MAX_DELAY_MS = 5_000;

// Many lines per JetStream message: a message per line would cap the pipeline far below what
// log-ingest can store. Batches go out one at a time, each acknowledged before the next, so a
// retried batch can never overtake a later one; the message id `<deployment>:<attempt>:<firstSeq>`
// makes a retry after a lost ack a duplicate the stream drops.
export class LogBatchPublisher {
  private readonly logger = new Logger(LogBatchPublisher.name);
  private readonly subject: string;
  private buffer: LogLine[] = [];
  private bufferBytes = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private giveUpAt = Infinity;
  private published = 0;
  private lastAdded = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly deploymentId: string,
    /** the job's attempt, or another token for lines that are not a job's (a release's runtime log) */
    private readonly attempt: number | string,
  ) {
    this.subject = subjectFor(logLinesPublished.subject, deploymentId);
  }

  /** the highest seq JetStream has acknowledged */
  get lastPublishedSeq(): number {
    return this.published;
  }

  add(line: LogLine): void {
    this.lastAdded = line.seq;
    this.buffer.push(line);
    this.bufferBytes += line.message.length + 120;
    if (this.buffer.length >= LINES_PER_BATCH || this.bufferBytes >= BYTES_PER_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer.length) return;
    const lines = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    this.chain = this.chain.then(() => this.publish({ deploymentId: this.deploymentId, lines }));
  }

  /** every line added so far is acknowledged by JetStream, or the deadline passed (false) */
  async close(deadlineMs = 60_000): Promise<boolean> {
    this.flush();
    this.giveUpAt = Date.now() + deadlineMs;
    await this.chain;
    return this.published >= this.lastAdded;
  }

  private async publish(batch: LogBatch): Promise<void> {
    const firstSeq = batch.lines[0].seq;
    const lastSeq = batch.lines[batch.lines.length - 1].seq;
    const id = `${this.deploymentId}:${this.attempt}:${firstSeq}`;
    const payload = encodeEvent(logLinesPublished, batch, id);
    for (let failures = 0; ; failures++) {
      try {
        await this.js.publish(this.subject, payload, { msgID: id, timeout: 5_000 });
        this.published = lastSeq;
        return;
      } catch (e) {
        if (Date.now() >= this.giveUpAt) {
          this.logger.error({ deploymentId: this.deploymentId, firstSeq, lastSeq, err: (e as Error).message }, 'log lines dropped: JetStream unreachable');
          return;
        }
        const delay = Math.min(200 * 2 ** failures, RETRY_MAX_DELAY_MS);
        if (failures === 0 || failures % 10 === 0) {
          this.logger.warn({ deploymentId: this.deploymentId, firstSeq, delay, err: (e as Error).message }, 'log publish failed, retrying');
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
