import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { type EventDefinition, type EventData, subjectFor } from '@flightdeck/contracts';
import { currentCorrelationId } from './correlation';

export interface OutboxEntry {
  id: string;
  subject: string;
}

// Writes an event in the caller's transaction: it is published only if the state change commits.
export class Outbox {
  constructor(private readonly schema: string) {}

  get channel() {
    return outboxChannel(this.schema);
  }

  async add<E extends EventDefinition>(
    tx: EntityManager,
    event: E,
    token: string | undefined,
    data: EventData<E>,
    opts: { id?: string } = {},
  ): Promise<OutboxEntry> {
    const parsed = event.data.parse(data); // a bad event is a bug here, not a consumer's problem later
    const id = opts.id ?? randomUUID();
    const subject = token === undefined ? event.subject : subjectFor(event.subject, token);
    const envelope = {
      v: event.version,
      id,
      type: event.subject,
      at: new Date().toISOString(),
      correlationId: currentCorrelationId(),
      data: parsed,
    };
    // clock_timestamp, not the column default now() (the transaction's start): the relay orders by
    // created_at, so events written in one transaction must keep the order they were written in
    await tx.query(
      `insert into "${this.schema}".outbox (id, subject, type, payload, created_at) values ($1, $2, $3, $4, clock_timestamp())`,
      [id, subject, event.subject, JSON.stringify(envelope)],
    );
    // NOTIFY is delivered on commit only, which is exactly when the relay may publish
    await tx.query(`select pg_notify($1, '')`, [this.channel]);
    return { id, subject };
  }
}

export const outboxChannel = (schema: string) => `flightdeck_outbox_${schema}`;
