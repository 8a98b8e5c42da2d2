import { randomUUID } from 'node:crypto';
import type { JetStreamClient, JetStreamPublishOptions, NatsConnection } from 'nats';
import type { DataSource } from 'typeorm';
import { Streams } from '@flightdeck/contracts';
import {
  JetStreamConsumers,
  Outbox,
  type OutboxEntry,
  outboxEvent,
  OutboxRelay,
  isNatsConnected,
} from '@flightdeck/messaging';
import { MessagingHarness, sleep, until } from './support/messaging-harness';
import { commitProbeEvent, ProbeConsumer } from './support/probe-consumer';
import { PROBE_SCHEMA, probeHappened, probeSubject } from './support/probe-schema';

jest.setTimeout(120_000);

const DURABLE = 'probe-outbox';

// The outbox's promise: an event is published if and only if its transaction commits, and the
// consumer applies it exactly once, whatever NATS and the replicas do in between.
describe('transactional outbox to an idempotent consumer', () => {
  let h: MessagingHarness;
  let ds: DataSource;
  let nc: NatsConnection;
  let consumers: JetStreamConsumers;
  let probe: ProbeConsumer;
  const outbox = new Outbox(PROBE_SCHEMA);
  const relays: OutboxRelay[] = [];

  const startRelay = (source: DataSource, js: JetStreamClient) => {
    const relay = new OutboxRelay(source, js, { schema: PROBE_SCHEMA, pollMs: 200 });
    relay.start();
    relays.push(relay);
    return relay;
  };
  const outboxRow = async (id: string) =>
    (
      await h.sql<{ published_at: Date | null; attempts: number; last_error: string | null }>(
        `select published_at, attempts, last_error from probe.outbox where id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    h = await MessagingHarness.start();
    ds = await h.dataSource();
    nc = await h.connect('probe-outbox-test');
    consumers = new JetStreamConsumers(nc);
    probe = await new ProbeConsumer(consumers, ds).start({
      durable: DURABLE,
      filterSubject: 'deployments.evt.probe.>',
    });
  });
  afterEach(async () => {
    await h.nats.start(); // a no-op unless a failed test left NATS down
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await consumers?.stopAll();
    await h?.stop();
  });

  it('delivers an event committed while NATS is down exactly once, after NATS comes back', async () => {
    startRelay(ds, nc.jetstream());
    await h.nats.stop();
    await until('the service to see NATS down', () => !isNatsConnected(nc));

    // the state change commits without NATS; the relay tries, fails, and keeps the row
    const entry = await commitProbeEvent(ds, outbox, 'natsdown');
    const failed = await until('a failed publish attempt', async () => {
      const row = await outboxRow(entry.id);
      return row.attempts >= 1 && row;
    });
    expect(failed.published_at).toBeNull();
    expect(failed.last_error).toBeTruthy();
    expect(probe.count(entry.id)).toBe(0);

    // same port, same store: the streams and the durable consumer come back with it
    await h.nats.start();
    await until('the event to be handled', () => probe.count(entry.id) >= 1, 60_000);
    await until(
      'the outbox row to be marked published',
      async () => (await outboxRow(entry.id)).published_at,
    );
    await sleep(2_000); // room for a second delivery, if there were one

    expect(probe.count(entry.id)).toBe(1);
    expect(await probe.receivedRows(entry.id)).toBe(1);
    expect(await probe.processedRows(DURABLE, entry.id)).toBe(1);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    startRelay(ds, nc.jetstream());
    const rolledBackId = randomUUID();
    await expect(
      ds.transaction(async (tx) => {
        const itemId = randomUUID();
        await tx.query(`insert into probe.items (id, label) values ($1, 'doomed')`, [itemId]);
        await outbox.add(tx, probeHappened, 'rolledback', { itemId, n: 1 }, { id: rolledBackId });
        throw new Error('use case failed after writing its event');
      }),
    ).rejects.toThrow('use case failed');
    expect(await h.sql(`select id from probe.outbox where id = $1`, [rolledBackId])).toEqual([]);

    // a later event does go out, so the relay has run past where the rolled-back one would be
    const later = await commitProbeEvent(ds, outbox, 'afterrollback');
    await until('the later event to be handled', () => probe.count(later.id) >= 1);
    await sleep(1_500);

    expect(probe.count(rolledBackId)).toBe(0);
    expect(await probe.receivedRows(rolledBackId)).toBe(0);
    const jsm = await nc.jetstreamManager();
    await expect(
      jsm.streams.getMessage(Streams.deploymentEvents.name, { last_by_subj: probeSubject('rolledback') }),
    ).rejects.toThrow(/no message found/i);
  });

  it('publishes each event once when two relays run on the same database', async () => {
    // every publish call of either replica, by Nats-Msg-Id (the stream would hide duplicates)
    const publishes = new Map<string, number>();
    const counting = (js: JetStreamClient): JetStreamClient =>
      Object.assign(Object.create(js) as JetStreamClient, {
        publish: (subject: string, data?: Uint8Array, opts?: Partial<JetStreamPublishOptions>) => {
          if (opts?.msgID) publishes.set(opts.msgID, (publishes.get(opts.msgID) ?? 0) + 1);
          return js.publish(subject, data, opts);
        },
      });
    const ds2 = await h.dataSource();
    const nc2 = await h.connect('probe-replica-2');
    startRelay(ds, counting(nc.jetstream()));
    startRelay(ds2, counting(nc2.jetstream()));

    const entries: OutboxEntry[] = [];
    for (let batch = 0; batch < 10; batch++) {
      // writes from both replicas, several at once
      const written = await Promise.all(
        [0, 1, 2, 3].map((i) => commitProbeEvent(i % 2 ? ds2 : ds, outbox, 'tworelays', batch * 4 + i)),
      );
      entries.push(...written);
    }
    await until('every event to be handled', () => entries.every((e) => probe.count(e.id) >= 1));
    await until('every row to be marked published', async () => {
      const rows = await h.sql(
        `select id from probe.outbox where id = any($1::uuid[]) and published_at is null`,
        [entries.map((e) => e.id)],
      );
      return rows.length === 0;
    });
    await sleep(1_500);

    for (const e of entries) {
      expect({ id: e.id, published: publishes.get(e.id), handled: probe.count(e.id) }).toEqual({
        id: e.id,
        published: 1,
        handled: 1,
      });
      expect(await probe.receivedRows(e.id)).toBe(1);
    }
  });

  it('publishes the events of one addAll statement in the order given, each once', async () => {
    startRelay(ds, nc.jetstream());
    const itemId = randomUUID();
    const entries = await ds.transaction((tx) =>
      outbox.addAll(tx, [1, 2, 3, 4, 5].map((n) => outboxEvent(probeHappened, 'batch', { itemId, n }))),
    );
    // the relay publishes by created_at: rows of one statement must not share a timestamp or swap
    const stored = await h.sql<{ id: string }>(`select id from probe.outbox where id = any($1::uuid[]) order by created_at, id`, [
      entries.map((e) => e.id),
    ]);
    expect(stored.map((r) => r.id)).toEqual(entries.map((e) => e.id));
    await until('every event to be handled', () => entries.every((e) => probe.count(e.id) >= 1));
    for (const e of entries) expect(probe.count(e.id)).toBe(1);
  });
});
