import { AckPolicy, DeliverPolicy, JSONCodec, connect, type NatsConnection } from 'nats';
import { Streams } from '@flightdeck/contracts';
import { ensureStreams } from '@flightdeck/messaging';
import { type NatsCluster, eventually, sleep, startNatsCluster } from '../src';

// A replicated stream on a 3-node NATS cluster (real nats-server processes on loopback ports), as
// NATS_STREAM_REPLICAS=3 makes it: the stream's leader is killed (SIGKILL) while a publisher and a
// durable consumer run, and both carry on once the two remaining nodes elect a new leader. (An
// ordered consumer, as the gateway's live feeds use, did not always resume here: 1 run in 3 stalled
// for more than 20 s; not covered yet.) The
// longest pause either side saw is printed; the bound is PAUSE_BOUND_MS.
const PAUSE_BOUND_MS = 20_000;
const TOTAL = 150;
const KILL_AFTER = 50;
const STREAM = Streams.deploymentEvents.name;
const codec = JSONCodec<{ n: number }>();

describe('an R3 stream on a 3-node NATS cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
    // reconnects for 30 s at most: long enough for an election, and a connection left behind by a
    // failed test cannot keep jest alive once the servers are gone
    nc = await connect({ ...cluster.connectOptions(), maxReconnectAttempts: 120, reconnectTimeWait: 250 });
    await ensureStreams(await nc.jetstreamManager(), ['deploymentEvents'], { replicas: 3 });
  }, 60_000);
  afterAll(async () => {
    await Promise.race([nc?.close(), sleep(5_000)]);
    await cluster?.dispose();
  });

  it('is created with 3 replicas, one per node', async () => {
    const info = await (await nc.jetstreamManager()).streams.info(STREAM);
    expect(info.config.num_replicas).toBe(3);
    const peers = [info.cluster!.leader!, ...(info.cluster!.replicas ?? []).map((r) => r.name)];
    expect(peers.sort()).toEqual(cluster.nodes.map((n) => n.name).sort());
  });

  it("keeps taking publishes and delivering to a durable consumer after its leader's process is killed", async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(STREAM, {
      durable_name: 'failover-probe',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: 'deployments.evt.failover-probe',
    });
    const js = nc.jetstream();

    // the consumer: every n it is handed, acked after it is recorded
    const delivered: number[] = [];
    let lastDelivery = Date.now();
    let longestDeliveryGap = 0;
    const consumer = await js.consumers.get(STREAM, 'failover-probe');
    const messages = await consumer.consume({ max_messages: 50, expires: 2_000 });
    const consuming = (async () => {
      for await (const m of messages) {
        const now = Date.now();
        longestDeliveryGap = Math.max(longestDeliveryGap, now - lastDelivery);
        lastDelivery = now;
        delivered.push(codec.decode(m.data).n);
        m.ack();
      }
    })();

    // the publisher: each n until it is acknowledged (the message id makes a retry a no-op)
    let longestPublishPause = 0;
    const leader = (await jsm.streams.info(STREAM)).cluster!.leader!;
    for (let n = 1; n <= TOTAL; n++) {
      if (n === KILL_AFTER + 1) process.kill(cluster.node(leader).pid()!, 'SIGKILL');
      const started = Date.now();
      for (;;) {
        try {
          await js.publish('deployments.evt.failover-probe', codec.encode({ n }), { msgID: `probe-${n}`, timeout: 2_000 });
          break;
        } catch (e) {
          if (Date.now() - started > PAUSE_BOUND_MS) throw new Error(`publish ${n} not acknowledged for ${PAUSE_BOUND_MS} ms: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      longestPublishPause = Math.max(longestPublishPause, Date.now() - started);
    }

    await eventually('every published message delivered', () => new Set(delivered).size === TOTAL, { timeoutMs: PAUSE_BOUND_MS });
    messages.stop();
    await Promise.race([consuming, sleep(5_000)]);
    const newLeader = (await jsm.streams.info(STREAM)).cluster!.leader;
    const duplicates = delivered.length - new Set(delivered).size;
    console.log(
      `R3 failover: leader ${leader} killed after ${KILL_AFTER} of ${TOTAL} publishes, new leader ${newLeader}; ` +
        `longest publish pause ${longestPublishPause} ms, longest delivery gap ${longestDeliveryGap} ms, ` +
        `redelivered ${duplicates}`,
    );
    expect(newLeader).not.toBe(leader);
    expect([...new Set(delivered)].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(longestPublishPause).toBeLessThan(PAUSE_BOUND_MS);
    expect(longestDeliveryGap).toBeLessThan(PAUSE_BOUND_MS);
    const info = await jsm.streams.info(STREAM);
    expect(info.state.messages).toBe(TOTAL);

    // the killed node comes back with its store and catches up
    await cluster.node(leader).start();
    await eventually(
      'the restarted node current again',
      async () => {
        const c = (await jsm.streams.info(STREAM)).cluster!;
        return [c.leader, ...(c.replicas ?? []).filter((r) => r.current).map((r) => r.name)].length === 3;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }, 120_000);
});
