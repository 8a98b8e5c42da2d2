import type { DataSource } from 'typeorm';
import { Streams } from '@flightdeck/contracts';
import { JetStreamConsumers, Outbox, type OutboxEntry, OutboxRelay } from '@flightdeck/messaging';
import { MessagingHarness, until } from './support/messaging-harness';
import { commitProbeEvent, ProbeConsumer } from './support/probe-consumer';
import { PROBE_SCHEMA } from './support/probe-schema';

jest.setTimeout(120_000);

const DURABLE = 'probe-failover';
const TOTAL = 60;
const KILL_AFTER = 20;
// the longest an event may take from its commit to its consumer's handler across the leader change
const LATENCY_BOUND_MS = 30_000;

// The platform's own path for facts, on a 3-node NATS cluster with R3 streams: a use case commits a
// state change and its event (transactional outbox), the relay publishes it, an idempotent durable
// consumer applies it in its own transaction. The DEPLOYMENT_EVENTS stream's leader is SIGKILLed
// midway; every event must still be applied exactly once.
describe('outbox relay and idempotent consumer through a stream leader kill', () => {
  let h: MessagingHarness;
  let ds: DataSource;
  let consumers: JetStreamConsumers;
  let relay: OutboxRelay;
  let probe: ProbeConsumer;
  const outbox = new Outbox(PROBE_SCHEMA);

  beforeAll(async () => {
    h = await MessagingHarness.start({ natsCluster: 3 });
    ds = await h.dataSource();
    const nc = await h.connect('probe-failover-test');
    consumers = new JetStreamConsumers(nc);
    probe = await new ProbeConsumer(consumers, ds).start({ durable: DURABLE, filterSubject: 'deployments.evt.probe.>' });
    relay = new OutboxRelay(ds, nc.jetstream(), { schema: PROBE_SCHEMA, pollMs: 100 });
    relay.start();
  }, 90_000);
  afterAll(async () => {
    await relay?.stop();
    await consumers?.stopAll();
    await h?.stop();
  });

  it('applies every committed event exactly once', async () => {
    const jsm = await (await h.connect('probe-failover-admin')).jetstreamManager();
    const { cluster } = await jsm.streams.info(Streams.deploymentEvents.name);
    expect(cluster?.replicas).toHaveLength(2);
    const leader = cluster!.leader!;

    const committed: { entry: OutboxEntry; at: number }[] = [];
    for (let n = 1; n <= TOTAL; n++) {
      if (n === KILL_AFTER + 1) process.kill(h.cluster!.node(leader).pid()!, 'SIGKILL');
      committed.push({ entry: await commitProbeEvent(ds, outbox, 'failover', n), at: Date.now() });
      await new Promise((r) => setTimeout(r, 25));
    }

    // first time each event's handler ran, seen by polling
    const firstSeen = new Map<string, number>();
    await until(
      'every event handled',
      () => {
        for (const { entry } of committed) if (probe.count(entry.id) > 0 && !firstSeen.has(entry.id)) firstSeen.set(entry.id, Date.now());
        return firstSeen.size === TOTAL;
      },
      LATENCY_BOUND_MS + 10_000,
    );
    const latencies = committed.map(({ entry, at }) => firstSeen.get(entry.id)! - at);
    const newLeader = (await jsm.streams.info(Streams.deploymentEvents.name)).cluster!.leader;
    console.log(
      `outbox through an R3 leader kill: leader ${leader} killed after ${KILL_AFTER} of ${TOTAL} commits, new leader ${newLeader}; ` +
        `longest commit-to-handler latency ${Math.max(...latencies)} ms`,
    );
    expect(newLeader).not.toBe(leader);
    expect(Math.max(...latencies)).toBeLessThan(LATENCY_BOUND_MS);
    // exactly once: one side effect and one processed row per event, and every outbox row published
    for (const { entry } of committed) {
      expect([entry.id, await probe.receivedRows(entry.id), await probe.processedRows(DURABLE, entry.id)]).toEqual([entry.id, 1, 1]);
    }
    const unpublished = await h.sql<{ n: string }>(`select count(*) as n from probe.outbox where published_at is null`);
    expect(Number(unpublished[0].n)).toBe(0);
  });
});
