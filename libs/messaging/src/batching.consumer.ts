import { Logger } from '@nestjs/common';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventData, EventDefinition, StreamKey } from '@flightdeck/contracts';
import { deadLetter } from './dead-letter';
import { ensureDurableConsumer } from './durable-consumer';
import { decodeEvent } from './event.codec';
import { PULL_EXPIRES_MS } from './pull-options';

export interface BatchingConsumerSpec<E extends EventDefinition> {
  stream: StreamKey;
  durable: string;
  event: E;
  /** writes the payloads of several messages in one transaction; must be idempotent by itself */
  handle(tx: EntityManager, items: EventData<E>[]): Promise<void>;
  /** how much work a payload is (log lines), to bound one transaction */
  weigh(item: EventData<E>): number;
  maxMessagesPerTx: number;
  maxWeightPerTx: number;
  /** transactions in flight at once; the handler must then also be safe against itself */
  writers?: number;
  maxDeliver?: number;
  ackWaitMs?: number;
}

interface Pending<T> {
  m: JsMsg;
  data: T;
  weight: number;
}

// Wakes every waiter (each checks again what it waits for); a notify with nobody waiting is remembered.
class Signal {
  private waiters: (() => void)[] = [];
  private fired = false;
  notify() {
    if (this.waiters.length) {
      const ws = this.waiters;
      this.waiters = [];
      ws.forEach((w) => w());
    } else this.fired = true;
  }
  wait(): Promise<void> {
    if (this.fired) {
      this.fired = false;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiters.push(r));
  }
}

// The batching mode of the JetStream transport: a durable pull consumer that writes many messages per
// transaction and acks them after the commit. IdempotentConsumer records each message id in a ledger, one message per
// transaction; here the handler itself is idempotent (log lines are keyed by (deploymentId, seq)),
// so a redelivered message re-inserts nothing and no ledger is needed, and batching several
// messages per commit is what lets ingest keep up with builders. Messages are taken while the
// previous transaction runs, so under load batches grow and at rest a message waits for nobody.
export class BatchingConsumer<E extends EventDefinition> {
  private readonly logger: Logger;
  private readonly queue: Pending<EventData<E>>[] = [];
  private queuedWeight = 0;
  private readonly hasWork = new Signal();
  private readonly hasRoom = new Signal();
  private messages?: ConsumerMessages;
  private loops: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly spec: BatchingConsumerSpec<E>,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly ds: DataSource,
  ) {
    this.logger = new Logger(`Consumer:${spec.durable}`);
  }

  private get maxDeliver() {
    return this.spec.maxDeliver ?? 5;
  }

  async start(): Promise<void> {
    const stream = await ensureDurableConsumer(this.jsm, {
      stream: this.spec.stream,
      durable: this.spec.durable,
      maxDeliver: this.maxDeliver,
      ackWaitMs: this.spec.ackWaitMs ?? 30_000,
      maxAckPending: this.spec.maxMessagesPerTx * (3 + (this.spec.writers ?? 1)),
    });
    const consumer = await this.js.consumers.get(stream, this.spec.durable);
    this.messages = await consumer.consume({ max_messages: this.spec.maxMessagesPerTx * 2, expires: PULL_EXPIRES_MS });
    this.loops = [this.read(this.messages), ...Array.from({ length: this.spec.writers ?? 1 }, () => this.write())];
    this.logger.log({ stream, durable: this.spec.durable }, 'consuming');
  }

  /** stop taking messages; the transaction in flight commits and acks first, queued ones go back */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    this.hasWork.notify();
    this.hasRoom.notify();
    await Promise.all(this.loops.map((l) => l.catch(() => undefined)));
    for (const p of this.queue.splice(0)) p.m.nak();
  }

  private async read(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      if (this.stopped) {
        m.nak();
        continue;
      }
      const parsed = this.parse(m);
      if (!parsed.ok) {
        await deadLetter(this.js, this.spec.durable, m, parsed.reason);
        continue;
      }
      const weight = this.spec.weigh(parsed.data);
      this.queue.push({ m, data: parsed.data, weight });
      this.queuedWeight += weight;
      this.hasWork.notify();
      // back-pressure: while the queue is full, stop draining the pull so the server holds the rest
      while (!this.stopped && this.queuedWeight >= this.spec.maxWeightPerTx * 2) await this.hasRoom.wait();
    }
  }

  private async write(): Promise<void> {
    while (!this.stopped) {
      if (!this.queue.length) {
        await this.hasWork.wait();
        continue;
      }
      const batch = this.take();
      await this.commit(batch);
    }
  }

  private take(): Pending<EventData<E>>[] {
    let weight = 0;
    let n = 0;
    while (n < this.queue.length && n < this.spec.maxMessagesPerTx && (n === 0 || weight + this.queue[n].weight <= this.spec.maxWeightPerTx)) {
      weight += this.queue[n].weight;
      n++;
    }
    const batch = this.queue.splice(0, n);
    this.queuedWeight -= weight;
    this.hasRoom.notify();
    return batch;
  }

  private async commit(batch: Pending<EventData<E>>[]): Promise<void> {
    const keepAlive = setInterval(() => batch.forEach((p) => p.m.working()), Math.max(1_000, (this.spec.ackWaitMs ?? 30_000) / 3));
    try {
      await this.ds.transaction((tx) => this.spec.handle(tx, batch.map((p) => p.data)));
      batch.forEach((p) => p.m.ack());
    } catch (e) {
      if (batch.length > 1) {
        // one bad message must not hold back the others: retry them one per transaction
        this.logger.warn({ messages: batch.length, err: (e as Error).message }, 'batch failed, retrying message by message');
        for (const p of batch) await this.commit([p]);
        return;
      }
      await this.failed(batch[0].m, e as Error);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async failed(m: JsMsg, e: Error): Promise<void> {
    const deliveries = m.info.redeliveryCount;
    if (deliveries >= this.maxDeliver) {
      return deadLetter(this.js, this.spec.durable, m, `failed ${deliveries} times, last error: ${e.message}`);
    }
    const delay = Math.min(500 * 2 ** (deliveries - 1), 10_000);
    this.logger.warn({ subject: m.subject, streamSeq: m.seq, deliveries, delay, err: e.message }, 'message failed, will retry');
    m.nak(delay);
  }

  private parse(m: JsMsg): { ok: true; data: EventData<E> } | { ok: false; reason: string } {
    return decodeEvent(this.spec.event, m.data, m.subject);
  }
}
