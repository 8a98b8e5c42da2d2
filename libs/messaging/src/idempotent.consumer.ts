import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventDefinition, EventData, MessageEnvelope, StreamKey } from '@flightdeck/contracts';
import { runWithCorrelation } from './correlation';
import { deadLetter } from './dead-letter';
import { ensureDurableConsumer } from './durable-consumer';
import { decodeEvent } from './event.codec';
import { PULL_EXPIRES_MS } from './pull-options';

export interface ConsumedMessageContext {
  /** the transaction the de-duplication row was written in; commit = ack */
  tx: EntityManager;
  envelope: MessageEnvelope;
  subject: string;
  /** call from long handlers; JetStream then does not redeliver while the work is alive */
  working(): void;
}

export interface EventRoute<E extends EventDefinition = EventDefinition> {
  event: E;
  /** the subject pattern routed here; the event's own unless it arrives under another */
  subject?: string;
  handle(data: EventData<E>, ctx: ConsumedMessageContext): Promise<void>;
  /** the messages handled; others are acked without a transaction (see DurableConsumerDeclaration) */
  only?: (data: EventData<E>) => boolean;
}

export const route = <E extends EventDefinition>(
  event: E,
  handle: (data: EventData<E>, ctx: ConsumedMessageContext) => Promise<void>,
  subject?: string,
  only?: (data: EventData<E>) => boolean,
): EventRoute => ({ event, subject, handle: handle as EventRoute['handle'], only: only as EventRoute['only'] });

export interface ConsumerSpec {
  stream: StreamKey;
  durable: string;
  filterSubject?: string;
  routes: EventRoute[];
  /** tries before a message is dead-lettered */
  maxDeliver?: number;
  ackWaitMs?: number;
  maxMessages?: number;
}

export class DeadLetterError extends Error {}

const patternToRegExp = (p: string) =>
  new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '[^.]+').replace(/>/g, '.+')}$`);

// A durable pull consumer that makes its handler idempotent: the message id is recorded in the
// service's own database in the handler's transaction, and the ack follows the commit. A redelivery
// finds the id and is acked without running the handler again. Bad messages go to deadletter.<durable>.
export class IdempotentConsumer {
  private readonly logger: Logger;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private stopped = false;
  private readonly routes: { re: RegExp; route: EventRoute }[];

  constructor(
    private readonly spec: ConsumerSpec,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly ds: DataSource,
    private readonly schema: string,
  ) {
    this.logger = new Logger(`Consumer:${spec.durable}`);
    this.routes = spec.routes.map((r) => ({ re: patternToRegExp(r.subject ?? r.event.subject), route: r }));
  }

  get maxDeliver() {
    return this.spec.maxDeliver ?? 5;
  }

  async start() {
    const stream = await ensureDurableConsumer(this.jsm, {
      stream: this.spec.stream,
      durable: this.spec.durable,
      filterSubject: this.spec.filterSubject,
      maxDeliver: this.maxDeliver,
      ackWaitMs: this.spec.ackWaitMs ?? 30_000,
    });
    const consumer = await this.js.consumers.get(stream, this.spec.durable);
    let loop: Promise<void>;
    if (this.spec.maxMessages === 1) loop = this.oneAtATime(consumer);
    else {
      this.messages = await consumer.consume({ max_messages: this.spec.maxMessages ?? 64, expires: PULL_EXPIRES_MS });
      loop = this.consumeAll(this.messages);
    }
    this.loop = loop.catch((e: Error) => this.logger.error({ durable: this.spec.durable, err: e.message }, 'consumer stopped on error'));
    this.logger.log({ stream, durable: this.spec.durable }, 'consuming');
  }

  private async consumeAll(messages: ConsumerMessages) {
    for await (const m of messages) {
      await this.processSafely(m);
      if (this.stopped) break;
    }
  }

  // consume() asks for the next message as soon as one arrives (nats.js refills at 75 % of
  // max_messages, which for 1 is at once): a replica busy with its message would hold the next one
  // in its buffer, unworked, until ack_wait passed, while idle replicas waited. Here the next is
  // asked for only once this one is handled, so a busy replica holds no other back.
  private async oneAtATime(consumer: Consumer) {
    for (let failures = 0; !this.stopped; ) {
      try {
        this.messages = await consumer.fetch({ max_messages: 1, expires: PULL_EXPIRES_MS });
        for await (const m of this.messages) await this.processSafely(m);
        failures = 0;
      } catch (e) {
        // the stream electing a leader, NATS reconnecting: ask again shortly
        failures++;
        if (failures === 1 || failures % 20 === 0) this.logger.warn({ durable: this.spec.durable, err: (e as Error).message }, 'fetch failed; asking again');
        if (!this.stopped) await new Promise((r) => setTimeout(r, Math.min(250 * failures, 2_000)));
      }
    }
  }

  private async processSafely(m: JsMsg) {
    try {
      await this.process(m);
    } catch (e) {
      // never let one message end the loop: the consumer would go silent while the service looks healthy
      this.logger.error({ subject: m.subject, streamSeq: m.seq, err: (e as Error).message }, 'message processing failed');
    }
  }

  /** stop taking messages; the one in flight finishes (and is acked) first */
  async stop() {
    this.stopped = true;
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
  }

  async process(m: JsMsg) {
    const found = this.routes.find((r) => r.re.test(m.subject));
    if (!found) return this.deadLetter(m, `no handler for subject ${m.subject}`);
    // under another subject than its own, the handler checks where the payload belongs
    const ownSubject = !found.route.subject || found.route.subject === found.route.event.subject;
    const decoded = decodeEvent(found.route.event, m.data, ownSubject ? m.subject : undefined);
    if (!decoded.ok) return this.deadLetter(m, decoded.reason);
    const { envelope, data } = decoded;
    if (found.route.only && !found.route.only(data)) {
      m.ack();
      return;
    }

    // well inside ack_wait, however short it is set: a live handler is never taken for a dead one
    const keepAlive = setInterval(() => m.working(), Math.max(100, (this.spec.ackWaitMs ?? 30_000) / 3));
    try {
      const outcome = await runWithCorrelation(envelope.correlationId, () =>
        this.ds.transaction(async (tx) => {
          const rows: unknown[] = await tx.query(
            `insert into "${this.schema}".processed_messages (consumer, message_id) values ($1, $2)
             on conflict do nothing returning 1`,
            [this.spec.durable, envelope.id],
          );
          if (rows.length === 0) return 'duplicate' as const;
          await found.route.handle(data, {
            tx,
            envelope,
            subject: m.subject,
            working: () => m.working(),
          });
          return 'handled' as const;
        }),
      );
      if (outcome === 'duplicate') this.logger.debug({ id: envelope.id }, 'duplicate message skipped');
      m.ack();
    } catch (e) {
      if (e instanceof DeadLetterError) return this.deadLetter(m, e.message);
      const deliveries = m.info.redeliveryCount;
      if (deliveries >= this.maxDeliver) {
        return this.deadLetter(m, `failed ${deliveries} times, last error: ${(e as Error).message}`);
      }
      const delay = Math.min(500 * 2 ** (deliveries - 1), 10_000);
      this.logger.warn({ id: envelope.id, subject: m.subject, deliveries, delay, err: (e as Error).message }, 'handler failed, will retry');
      m.nak(delay);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private deadLetter(m: JsMsg, reason: string) {
    return deadLetter(this.js, this.spec.durable, m, reason);
  }
}
