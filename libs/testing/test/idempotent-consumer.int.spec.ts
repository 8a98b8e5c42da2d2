import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  nanos,
} from 'nats';
import type { DataSource } from 'typeorm';
import { Streams } from '@flightdeck/contracts';
import { IdempotentConsumer, JetStreamConsumers, PULL_EXPIRES_MS, encodeEnvelope, route } from '@flightdeck/messaging';
import { MessagingHarness, sleep, until } from './support/messaging-harness';
import { ProbeConsumer } from './support/probe-consumer';
import { PROBE_SCHEMA, probeHappened, probeSubject } from './support/probe-schema';

jest.setTimeout(120_000);

const STREAM = Streams.deploymentEvents.name;

// The consumer helper's promises: a message is applied once however often it arrives, its
// effects commit or vanish together, a live handler keeps its message, and a message that can
// never succeed is parked on deadletter.<durable> instead of blocking or looping forever.
describe('idempotent JetStream consumer', () => {
  let h: MessagingHarness;
  let ds: DataSource;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let consumers: JetStreamConsumers;

  const publish = (token: string, data: unknown, opts: { id?: string; v?: number; msgID?: string } = {}) =>
    js.publish(
      probeSubject(token),
      encodeEnvelope(probeHappened.subject, opts.v ?? probeHappened.version, data, opts.id),
      {
        msgID: opts.msgID ?? randomUUID(),
      },
    );
  const settled = (durable: string, deliveries: number) =>
    until(`${durable} to have every message delivered ${deliveries}+ times in all and acked`, async () => {
      const info = await jsm.consumers.info(STREAM, durable);
      return (
        info.delivered.consumer_seq >= deliveries &&
        info.num_pending === 0 &&
        info.num_ack_pending === 0 &&
        info
      );
    });

  beforeAll(async () => {
    h = await MessagingHarness.start();
    ds = await h.dataSource();
    nc = await h.connect('probe-consumer-test');
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    consumers = new JetStreamConsumers(nc);
  });
  afterAll(async () => {
    await consumers?.stopAll();
    await h?.stop();
  });

  it('applies an event once when it is published twice (same event id, new Nats-Msg-Id)', async () => {
    const durable = 'probe-dup';
    const probe = await new ProbeConsumer(consumers, ds).start({
      durable,
      filterSubject: probeSubject('dup'),
    });
    const id = randomUUID();
    const data = { itemId: randomUUID(), n: 1 };
    // e.g. a re-publish after the stream's duplicate window: JetStream keeps both copies
    await publish('dup', data, { id, msgID: 'first' });
    await publish('dup', data, { id, msgID: 'second' });

    await settled(durable, 2);
    expect(probe.count(id)).toBe(1);
    expect(await probe.receivedRows(id)).toBe(1);
    expect(await probe.processedRows(durable, id)).toBe(1);
  });

  it('acks the messages its route leaves out without a transaction or a ledger row, and handles the rest', async () => {
    const durable = 'probe-only';
    const probe = new ProbeConsumer(consumers, ds);
    const handled = probe.route();
    await consumers.start(
      {
        stream: 'deploymentEvents',
        durable,
        filterSubject: probeSubject('only'),
        routes: [route(probeHappened, handled.handle, undefined, (data) => data.n % 2 === 0)],
      },
      ds,
      PROBE_SCHEMA,
    );
    const ids = [1, 2, 3, 4].map(() => randomUUID());
    for (const [i, id] of ids.entries()) await publish('only', { itemId: randomUUID(), n: i + 1 }, { id });

    await settled(durable, 4);
    expect(ids.map((id) => probe.count(id))).toEqual([0, 1, 0, 1]);
    expect(await Promise.all(ids.map((id) => probe.processedRows(durable, id)))).toEqual([0, 1, 0, 1]);
  });

  it('does nothing twice when JetStream redelivers a message whose ack was lost after commit', async () => {
    const durable = 'probe-lost-ack';
    const filterSubject = probeSubject('lostack');
    await jsm.consumers.add(STREAM, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(1_500),
      filter_subject: filterSubject,
    });
    const id = randomUUID();
    await publish('lostack', { itemId: randomUUID(), n: 1 }, { id });
    const raw = await (await js.consumers.get(STREAM, durable)).next({ expires: 5_000 });
    expect(raw).not.toBeNull();

    // one replica commits the handler's transaction, then dies before its ack reaches JetStream
    const probe = new ProbeConsumer(consumers, ds);
    const doomed = new IdempotentConsumer(
      { stream: 'deploymentEvents', durable, filterSubject, ackWaitMs: 1_500, routes: [probe.route()] },
      js,
      jsm,
      ds,
      PROBE_SCHEMA,
    );
    const ackLost = Object.assign(Object.create(raw!) as JsMsg, { ack: () => undefined });
    await doomed.process(ackLost);
    expect(probe.count(id)).toBe(1);

    // another replica takes over the durable; after ack_wait JetStream delivers the message again
    await probe.start({ durable, filterSubject, ackWaitMs: 1_500 });
    const info = await settled(durable, 2);
    expect(info.delivered.consumer_seq).toBe(2);
    expect(probe.count(id)).toBe(1);
    expect(await probe.receivedRows(id)).toBe(1);
  });

  it('rolls back a failed handler completely and applies the retry once', async () => {
    const durable = 'probe-retry';
    const probe = await new ProbeConsumer(consumers, ds, async (_data, _ctx, attempt) => {
      if (attempt === 1) throw new Error('transient failure after writing');
    }).start({ durable, filterSubject: probeSubject('retry') });
    const id = randomUUID();
    await publish('retry', { itemId: randomUUID(), n: 1 }, { id });

    await settled(durable, 2);
    expect(probe.count(id)).toBe(2);
    // the first run's row was rolled back with its failure: one row, not two
    expect(await probe.receivedRows(id)).toBe(1);
    expect(await probe.processedRows(durable, id)).toBe(1);
  });

  it('keeps a handler that runs past ack_wait from being redelivered while it signals progress', async () => {
    const durable = 'probe-long';
    const ackWaitMs = 1_000;
    const probe = await new ProbeConsumer(consumers, ds, async (_data, ctx) => {
      for (let i = 0; i < 8; i++) {
        await sleep(400);
        ctx.working();
      }
    }).start({ durable, filterSubject: probeSubject('long'), ackWaitMs });
    const id = randomUUID();
    const started = Date.now();
    await publish('long', { itemId: randomUUID(), n: 1 }, { id });

    const info = await settled(durable, 1);
    expect(Date.now() - started).toBeGreaterThan(3 * ackWaitMs);
    expect(info.delivered.consumer_seq).toBe(1);
    expect(info.num_redelivered).toBe(0);
    expect(probe.count(id)).toBe(1);
    expect(await probe.receivedRows(id)).toBe(1);
  });

  it('takes one message at a time with maxMessages 1: replicas each busy with a long job share the queue evenly', async () => {
    // the builders' job queue: a replica's handler takes its one build slot and returns while the build
    // goes on; the next message's handler waits for the slot. Work longer than two pull expiries:
    // nats.js consume() then let the first replica take messages that the second, free sooner, should
    // have had (bench scale: 2 builders did 1.1-1.5x the work of one, 4 builders 1.5x)
    const durable = 'probe-one-at-a-time';
    const filterSubject = probeSubject('one');
    const workMs = PULL_EXPIRES_MS * 2 + 2_000;
    const taken = new Map<string, number[]>();
    const replica = (name: string) => {
      let busyUntil: Promise<void> = Promise.resolve();
      return new ProbeConsumer(consumers, ds, async (data, ctx) => {
        const progress = setInterval(() => ctx.working(), 1_000);
        await busyUntil.finally(() => clearInterval(progress));
        taken.set(name, [...(taken.get(name) ?? []), data.n]);
        busyUntil = sleep(workMs);
      }).start({ durable, filterSubject, maxMessages: 1 });
    };
    await Promise.all([replica('a'), replica('b')]);
    for (let n = 1; n <= 6; n++) await publish('one', { itemId: randomUUID(), n });
    await until('every message to be taken', async () => [...taken.values()].flat().length === 6, 4 * workMs);
    expect([...taken.values()].map((ns) => ns.length)).toEqual([3, 3]);
    const info = await settled(durable, 6);
    expect(info.num_redelivered).toBe(0);
  });

  it('dead-letters poison messages with their reason and keeps consuming', async () => {
    const durable = 'probe-poison';
    const maxDeliver = 3;
    const probe = await new ProbeConsumer(consumers, ds, async (data) => {
      if (data.n === -1) throw new Error('always broken');
    }).start({ durable, filterSubject: probeSubject('poison'), maxDeliver });

    const subject = probeSubject('poison');
    await js.publish(subject, new TextEncoder().encode('{ not json'));
    await publish('poison', { itemId: randomUUID(), n: 1 }, { v: probeHappened.version + 1 });
    await publish('poison', { itemId: 'not-a-uuid', n: 1 });
    const brokenId = randomUUID();
    await publish('poison', { itemId: randomUUID(), n: -1 }, { id: brokenId });
    const goodId = randomUUID();
    await publish('poison', { itemId: randomUUID(), n: 1 }, { id: goodId });

    // the good message behind the poison is not held up by its retries
    await until('the good message to be handled', () => probe.count(goodId) === 1);
    const letters = await until('four dead letters', async () => {
      const found = await h.deadLetters(nc, durable);
      return found.length >= 4 && found;
    });
    expect(letters).toHaveLength(4);
    for (const l of letters) expect(l.originalSubject).toBe(subject);
    const reasons = letters.map((l) => l.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/not JSON/),
        expect.stringMatching(/unsupported version 2 of deployments\.evt\.probe\.\*/),
        expect.stringMatching(/invalid payload.*itemId/),
        expect.stringMatching(new RegExp(`failed ${maxDeliver} times, last error: always broken`)),
      ]),
    );
    // the dead letter carries the original message, for a human to inspect or replay
    const broken = letters.find((l) => l.reason.includes('always broken'))!;
    expect(JSON.parse(broken.data)).toMatchObject({ id: brokenId, v: 1 });

    // tried the bounded number of times, and no attempt left anything behind
    expect(probe.count(brokenId)).toBe(maxDeliver);
    expect(await probe.receivedRows(brokenId)).toBe(0);
    expect(await probe.processedRows(durable, brokenId)).toBe(0);

    // nothing is left pending or redelivered forever, and later messages still flow
    const laterId = randomUUID();
    await publish('poison', { itemId: randomUUID(), n: 2 }, { id: laterId });
    await until('a later message to be handled', () => probe.count(laterId) === 1);
    await settled(durable, 5);
    expect(await probe.receivedRows(goodId)).toBe(1);
  });
});
