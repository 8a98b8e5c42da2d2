import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { type EventDefinition, type EventData, subjectFor } from '@flightdeck/contracts';
import { currentCorrelationId } from './correlation';

export interface OutboxEvent<E extends EventDefinition = EventDefinition> {
  event: E;
  /** the subject's last token (a deployment id, say); none for the event's own subject */
  token: string | undefined;
  data: EventData<E>;
  id?: string;
}

/** an event for addAll, typed against its definition */
export const outboxEvent = <E extends EventDefinition>(event: E, token: string | undefined, data: EventData<E>, id?: string): OutboxEvent =>
  ({ event, token, data, id }) as OutboxEvent;

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
    const [entry] = await this.addAll(tx, [{ event, token, data, id: opts.id }]);
    return entry;
  }

  // Several events of one transaction in one statement (one round trip, one NOTIFY), in the order given.
  async addAll(tx: EntityManager, events: readonly OutboxEvent[]): Promise<OutboxEntry[]> {
    if (!events.length) return [];
    const insert = this.insertOf(events, 1);
    await tx.query(`with added as (${insert.sql}) ${insert.notify}`, insert.params);
    return insert.entries;
  }

  /**
   * The events as one INSERT for a caller's own statement (a data-modifying WITH item), its
   * parameters numbered from `firstParam`; the statement must also run `notify` (a select), which
   * is delivered on commit only, exactly when the relay may publish.
   */
  insertOf(events: readonly OutboxEvent[], firstParam: number): { sql: string; notify: string; params: unknown[]; entries: OutboxEntry[] } {
    const params: unknown[] = [this.channel];
    const rows: string[] = [];
    const at = new Date().toISOString();
    const correlationId = currentCorrelationId();
    const p = (n: number) => `$${firstParam + n - 1}`;
    const entries = events.map(({ event, token, data, id = randomUUID() }, i) => {
      const parsed = event.data.parse(data); // a bad event is a bug here, not a consumer's problem later
      const subject = token === undefined ? event.subject : subjectFor(event.subject, token);
      const envelope = { v: event.version, id, type: event.subject, at, correlationId, data: parsed };
      params.push(id, subject, event.subject, JSON.stringify(envelope));
      const n = params.length;
      // clock_timestamp, not the column default now() (the transaction's start): the relay orders by
      // created_at, so events written in one transaction must keep the order they were written in;
      // rows of one statement may read the same microsecond, so each is one microsecond after the last
      rows.push(`(${p(n - 3)}::uuid, ${p(n - 2)}, ${p(n - 1)}, ${p(n)}::jsonb, clock_timestamp() + interval '1 microsecond' * ${i})`);
      return { id, subject };
    });
    return {
      sql: `insert into "${this.schema}".outbox (id, subject, type, payload, created_at) values ${rows.join(', ')}`,
      notify: `select pg_notify(${p(1)}, '')`,
      params,
      entries,
    };
  }
}

export const outboxChannel = (schema: string) => `flightdeck_outbox_${schema}`;
