import { Logger } from '@nestjs/common';
import { headers as natsHeaders, type JetStreamClient } from 'nats';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { outboxChannel } from './outbox';

interface OutboxRow {
  id: string;
  subject: string;
  /** the envelope as stored: its JSON text goes out as it is, never parsed and encoded again */
  payload: string;
  correlation_id: string | null;
}

const encoder = new TextEncoder();

export interface OutboxRelayOptions {
  schema: string;
  batchSize?: number;
  pollMs?: number;
}

// Publishes committed outbox rows to JetStream in order, with the row id as Nats-Msg-Id so a
// re-publish after a crash is dropped by the stream. Safe on many replicas: rows are claimed with
// FOR UPDATE SKIP LOCKED, and a row is marked published only after JetStream acknowledged it.
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private listener?: Client;
  private failures = 0;
  private lastCleanup = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly js: JetStreamClient,
    private readonly opts: OutboxRelayOptions,
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    void this.listen();
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** one pass; returns how many rows were published */
  async relayOnce(): Promise<number> {
    const schema = this.opts.schema;
    const { published, failure } = await this.ds.transaction(async (tx) => {
      const rows: OutboxRow[] = await tx.query(
        `select id, subject, payload::text as payload, payload->>'correlationId' as correlation_id
           from "${schema}".outbox where published_at is null
         order by created_at, id limit $1 for update skip locked`,
        [this.opts.batchSize ?? 200],
      );
      const published: string[] = [];
      let failure: Error | undefined;
      for (const row of rows) {
        try {
          const h = natsHeaders();
          if (row.correlation_id) h.set('Fd-Correlation-Id', row.correlation_id);
          await this.js.publish(row.subject, encoder.encode(row.payload), {
            msgID: row.id,
            headers: h,
            timeout: 5_000,
          });
          published.push(row.id);
        } catch (e) {
          failure = e as Error;
          // stop at the first failure: later rows must not overtake this one
          await tx.query(`update "${schema}".outbox set attempts = attempts + 1, last_error = $2 where id = $1`, [
            row.id,
            failure.message,
          ]);
          break;
        }
      }
      if (published.length) {
        await tx.query(`update "${schema}".outbox set published_at = now() where id = any($1::uuid[])`, [published]);
      }
      // returned, not thrown: a throw would roll back the published marks and the failure's bookkeeping
      return { published: published.length, failure };
    });
    if (failure) throw Object.assign(failure, { publishedBeforeFailure: published });
    return published;
  }

  private async run() {
    while (this.running) {
      let published = 0;
      try {
        published = await this.relayOnce();
        if (this.failures) this.logger.log({ schema: this.opts.schema }, 'outbox relay recovered');
        this.failures = 0;
        await this.cleanup();
      } catch (e) {
        this.failures++;
        const level = this.failures === 1 || this.failures % 20 === 0 ? 'warn' : 'debug';
        this.logger[level]({ schema: this.opts.schema, err: (e as Error).message, failures: this.failures }, 'outbox publish failed, will retry');
      }
      if (published > 0 && this.failures === 0) continue;
      const backoff = this.failures ? Math.min(250 * 2 ** this.failures, 5_000) : (this.opts.pollMs ?? 1_000);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoff);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  // A dedicated connection LISTENs so committed rows go out at once; polling covers a lost listener.
  private async listen() {
    const url = (this.ds.options as { url?: string }).url;
    if (!url) return;
    try {
      this.listener = new Client({ connectionString: url });
      this.listener.on('error', () => undefined);
      await this.listener.connect();
      this.listener.on('notification', () => {
        if (this.failures === 0) this.wake?.();
      });
      await this.listener.query(`listen "${outboxChannel(this.opts.schema)}"`);
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'outbox listener unavailable, polling only');
    }
  }

  private async cleanup() {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.ds.query(
      `delete from "${this.opts.schema}".outbox where published_at < now() - interval '1 day'`,
    );
    await this.ds.query(
      `delete from "${this.opts.schema}".processed_messages where processed_at < now() - interval '30 days'`,
    );
  }
}
