import { Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { NatsConnection, Subscription } from 'nats';
import type { DataSource } from 'typeorm';
import type { EventDefinition } from '@flightdeck/contracts';
import { BatchingConsumer } from './batching.consumer';
import { runWithCorrelation } from './correlation';
import { decodeEvent } from './event.codec';
import type {
  BatchConsumerDeclaration,
  BatchLimits,
  DurableConsumerDeclaration,
  EventPatternExtras,
} from './handle-event.decorator';
import { settle } from './handler-result';
import { type EventRoute, route } from './idempotent.consumer';
import { JetStreamConsumers } from './idempotent-consumers';
import { JETSTREAM } from './transports';
import { withJetStreamRetry } from './jetstream-retry';

interface Stoppable {
  stop(): Promise<void>;
}

export interface JetStreamServerOptions {
  nc: NatsConnection;
  moduleRef: ModuleRef;
  /** the service's database and schema: where durable consumers record what they processed */
  ds?: DataSource;
  schema?: string;
}

// Facts from JetStream as a Nest transport strategy: every `@HandleEvent` / `@HandleEventBatch` /
// `@HandleBroadcast` method is an `@EventPattern`, and the consumers they name are declared here in
// code, started on listen and stopped (in-flight work acked first) on close.
export class JetStreamServer extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM;
  private readonly log = new Logger('JetStreamServer');
  private readonly consumers: Map<string, Stoppable> = new Map();
  private readonly engines: JetStreamConsumers;

  constructor(private readonly o: JetStreamServerOptions) {
    super();
    this.engines = new JetStreamConsumers(o.nc);
  }

  async listen(callback: (...optionalParams: unknown[]) => void) {
    try {
      const durable = new Map<string, { decl: DurableConsumerDeclaration; routes: EventRoute[] }>();
      for (const [subject, handler] of this.messageHandlers) {
        if (handler.next) throw new Error(`${subject}: one handler per event subject in a service`);
        const { event, consumer } = this.extrasOf(subject, handler);
        if (consumer.mode === 'broadcast') this.broadcast(event, handler);
        else if (consumer.mode === 'batch') await this.batch(event, consumer, handler);
        else {
          const entry = durable.get(consumer.durable) ?? { decl: consumer, routes: [] };
          entry.routes.push(route(event, (data, ctx) => settle(handler(data, ctx)) as Promise<void>, subject, consumer.only));
          durable.set(consumer.durable, entry);
        }
      }
      for (const [name, { decl, routes }] of durable) {
        const { ds, schema } = this.database(name);
        const { mode: _mode, only: _only, ...spec } = decl;
        this.consumers.set(name, await this.engines.start({ ...spec, routes }, ds, schema));
      }
      callback();
    } catch (e) {
      callback(e);
    }
  }

  /** stop one consumer ahead of the others (a builder stops taking jobs before it stops builds) */
  async stopConsumer(durable: string) {
    await this.consumers.get(durable)?.stop();
  }

  async close() {
    const all = [...this.consumers.values()];
    this.consumers.clear();
    await Promise.all(all.map((c) => c.stop()));
  }

  on(): never {
    throw new Error('JetStreamServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.o.nc as T;
  }

  private extrasOf(subject: string, handler: MessageHandler): EventPatternExtras {
    const extras = handler.extras as EventPatternExtras | undefined;
    if (!extras?.event || !extras.consumer) {
      throw new Error(`${subject}: an event handler must be declared with @HandleEvent, @HandleEventBatch or @HandleBroadcast`);
    }
    return extras;
  }

  private database(durable: string) {
    if (!this.o.ds || !this.o.schema) throw new Error(`consumer ${durable} needs the service's database`);
    return { ds: this.o.ds, schema: this.o.schema };
  }

  private async batch(event: EventDefinition, decl: BatchConsumerDeclaration, handler: MessageHandler) {
    const { ds } = this.database(decl.durable);
    const limits = this.o.moduleRef.get<unknown, BatchLimits>(decl.limits, { strict: false });
    const consumer = new BatchingConsumer(
      {
        stream: decl.stream,
        durable: decl.durable,
        event,
        handle: (tx, items) => settle(handler(items, { tx })) as Promise<void>,
        weigh: decl.weigh,
        maxMessagesPerTx: limits.maxMessagesPerTx,
        maxWeightPerTx: limits.maxWeightPerTx,
        writers: limits.writers,
        maxDeliver: decl.maxDeliver,
        ackWaitMs: decl.ackWaitMs,
      },
      this.o.nc.jetstream(),
      await withJetStreamRetry('JetStream', () => this.o.nc.jetstreamManager()),
      ds,
    );
    await consumer.start();
    this.consumers.set(decl.durable, consumer);
  }

  private broadcast(event: EventDefinition, handler: MessageHandler) {
    const sub: Subscription = this.o.nc.subscribe(event.subject, {
      callback: (error, msg) => {
        if (error) return this.log.warn({ subject: event.subject, err: error.message }, 'subscription error');
        const decoded = decodeEvent(event, msg.data, msg.subject);
        if (!decoded.ok) return this.log.warn({ subject: msg.subject, reason: decoded.reason }, 'message ignored');
        const { envelope, data } = decoded;
        void runWithCorrelation(envelope.correlationId, () =>
          settle(handler(data, { envelope, subject: msg.subject })).catch((e: Error) =>
            this.log.error({ subject: msg.subject, err: e.message }, 'broadcast handler failed'),
          ),
        );
      },
    });
    this.consumers.set(`broadcast:${event.subject}`, {
      stop: async () => {
        await sub.drain().catch(() => undefined);
      },
    });
  }
}
