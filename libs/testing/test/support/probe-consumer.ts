import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  type ConsumedMessageContext,
  type ConsumerSpec,
  type IdempotentConsumer,
  JetStreamConsumers,
  type Outbox,
  type OutboxEntry,
  route,
} from '@flightdeck/messaging';
import type { EventData } from '@flightdeck/contracts';
import { PROBE_SCHEMA, probeHappened } from './probe-schema';

type ProbeData = EventData<typeof probeHappened>;

// A consumer of probe events that counts handler invocations per event id and, in the handler's
// transaction, writes one `received` row: a double apply would show as two rows.
export class ProbeConsumer {
  /** event id → how many times the handler ran (including runs whose transaction rolled back) */
  readonly invocations = new Map<string, number>();
  consumer?: IdempotentConsumer;

  constructor(
    private readonly consumers: JetStreamConsumers,
    private readonly ds: DataSource,
    /** runs inside the handler after the row is written; throw here to fail the message */
    private readonly behaviour: (
      data: ProbeData,
      ctx: ConsumedMessageContext,
      attempt: number,
    ) => Promise<void> = async () => undefined,
  ) {}

  async start(spec: Omit<ConsumerSpec, 'routes' | 'stream'>): Promise<this> {
    this.consumer = await this.consumers.start(
      { stream: 'deploymentEvents', routes: [this.route()], ...spec },
      this.ds,
      PROBE_SCHEMA,
    );
    return this;
  }

  route() {
    return route(probeHappened, async (data, ctx) => {
      const attempt = (this.invocations.get(ctx.envelope.id) ?? 0) + 1;
      this.invocations.set(ctx.envelope.id, attempt);
      await ctx.tx.query(
        `insert into "${PROBE_SCHEMA}".received (event_id, item_id, n) values ($1, $2, $3)`,
        [ctx.envelope.id, data.itemId, data.n],
      );
      await this.behaviour(data, ctx, attempt);
    });
  }

  count(eventId: string) {
    return this.invocations.get(eventId) ?? 0;
  }

  async receivedRows(eventId: string): Promise<number> {
    const rows: { n: string }[] = await this.ds.query(
      `select count(*) as n from "${PROBE_SCHEMA}".received where event_id = $1`,
      [eventId],
    );
    return Number(rows[0].n);
  }

  async processedRows(durable: string, eventId: string): Promise<number> {
    const rows: { n: string }[] = await this.ds.query(
      `select count(*) as n from "${PROBE_SCHEMA}".processed_messages where consumer = $1 and message_id = $2`,
      [durable, eventId],
    );
    return Number(rows[0].n);
  }
}

// A state change and its event in one transaction, as a service's use case writes them.
export async function commitProbeEvent(
  ds: DataSource,
  outbox: Outbox,
  token: string,
  n = 1,
): Promise<OutboxEntry> {
  return ds.transaction(async (tx) => {
    const itemId = randomUUID();
    await tx.query(`insert into "${PROBE_SCHEMA}".items (id, label) values ($1, $2)`, [
      itemId,
      `${token}-${n}`,
    ]);
    return outbox.add(tx, probeHappened, token, { itemId, n });
  });
}
