import { type InjectionToken, UseFilters, applyDecorators } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { EventData, EventDefinition, StreamKey } from '@flightdeck/contracts';
import { RethrowRpcErrors } from './rethrow-rpc-errors.filter';
import { JETSTREAM } from './transports';

// A durable consumer shared by every replica: each message is handled once, in a transaction that
// records its id, and acked after the commit.
export interface DurableConsumerDeclaration<E extends EventDefinition = EventDefinition> {
  mode: 'durable';
  stream: StreamKey;
  durable: string;
  filterSubject?: string;
  /** tries before a message is dead-lettered (default 5) */
  maxDeliver?: number;
  ackWaitMs?: number;
  /** messages pulled ahead; 1 leaves the rest of a work queue to other replicas */
  maxMessages?: number;
  /** the subject pattern read, when the event arrives under another than its own (external publishers') */
  subject?: string;
  /**
   * the messages the handler acts on; any other is acked at once, with no transaction and no
   * ledger row (handling it would change nothing, so there is nothing to de-duplicate)
   */
  only?: (data: EventData<E>) => boolean;
}

export interface BatchLimits {
  maxMessagesPerTx: number;
  maxWeightPerTx: number;
  /** transactions in flight at once (1 by default): while one waits on Postgres the next is built */
  writers?: number;
}

// Many messages per transaction; the handler itself must be idempotent.
export interface BatchConsumerDeclaration<E extends EventDefinition = EventDefinition> {
  mode: 'batch';
  stream: StreamKey;
  durable: string;
  /** how much work a payload is (log lines), to bound one transaction */
  weigh(item: EventData<E>): number;
  /** a provider of BatchLimits, read when the transport starts (limits are settings) */
  limits: InjectionToken;
  maxDeliver?: number;
  ackWaitMs?: number;
}

// Every replica hears every message, live only (core NATS): for signals such as "stop that build".
export interface BroadcastDeclaration {
  mode: 'broadcast';
}

export type ConsumerDeclaration = DurableConsumerDeclaration | BatchConsumerDeclaration | BroadcastDeclaration;

export interface EventPatternExtras {
  event: EventDefinition;
  consumer: ConsumerDeclaration;
}

const eventPattern = (event: EventDefinition, consumer: ConsumerDeclaration) =>
  applyDecorators(
    EventPattern((consumer.mode === 'durable' && consumer.subject) || event.subject, JETSTREAM, { event, consumer } satisfies EventPatternExtras),
    UseFilters(new RethrowRpcErrors()),
  );

// `@EventPattern(event.subject)` served by JetStreamServer: the method gets the payload parsed by the
// event's schema and a ConsumedMessageContext whose `tx` commits before the ack.
export const HandleEvent = <E extends EventDefinition>(event: E, consumer: Omit<DurableConsumerDeclaration<E>, 'mode'>) =>
  eventPattern(event, { mode: 'durable', ...(consumer as Omit<DurableConsumerDeclaration, 'mode'>) });

// The batching mode: the method gets `(items, { tx })` for up to the configured number of messages.
export const HandleEventBatch = <E extends EventDefinition>(event: E, consumer: Omit<BatchConsumerDeclaration<E>, 'mode'>) =>
  eventPattern(event, { mode: 'batch', ...(consumer as Omit<BatchConsumerDeclaration, 'mode'>) });

// Live fan-out to every replica; no acks, no de-duplication.
export const HandleBroadcast = (event: EventDefinition) => eventPattern(event, { mode: 'broadcast' });
