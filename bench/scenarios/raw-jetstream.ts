import { AckPolicy, type JetStreamClient, type NatsConnection, StorageType, connect } from 'nats';
import { type Scenario, timed } from '../scenario';

// The ceiling of the bus under our services: 150-byte messages into a file-backed stream with
// publish acks pipelined (no message waits for the previous one's ack, at most WINDOW in flight),
// then read back by a durable pull consumer that acks each message, as the services' consumers do.
// No message ids (no duplicate-window check), no envelope, no database.

const MESSAGES = 100_000;
const SIZE = 150;
const WINDOW = 512;
const SUBJECTS = 20; // like one subject per deployment
const STREAM = 'BENCH_RAW';
const DURABLE = 'bench-raw';
const PULL_BATCH = 1_000;

async function publishAll(js: JetStreamClient, payload: Uint8Array, signal: AbortSignal): Promise<void> {
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settled = () => {
    inFlight--;
    wake?.();
    wake = undefined;
  };
  for (let i = 0; i < MESSAGES; i++) {
    while (inFlight >= WINDOW) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    if (i % 10_000 === 0) signal.throwIfAborted();
    inFlight++;
    js.publish(`bench.raw.${i % SUBJECTS}`, payload).then(settled, (e: Error) => {
      failure ??= e;
      settled();
    });
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  if (failure) throw failure;
}

async function consumeAll(nc: NatsConnection, signal: AbortSignal): Promise<number> {
  const consumer = await nc.jetstream().consumers.get(STREAM, DURABLE);
  const messages = await consumer.consume({ max_messages: PULL_BATCH });
  const stop = () => messages.stop();
  signal.addEventListener('abort', stop);
  let received = 0;
  let bytes = 0;
  try {
    for await (const m of messages) {
      bytes += m.data.length;
      m.ack();
      if (++received === MESSAGES) break;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    messages.stop();
  }
  signal.throwIfAborted();
  // the acks are on the wire before the clock stops
  await nc.flush();
  return bytes;
}

// Acks are fire-and-forget: wait until the server has processed every one.
async function allAcked(nc: NatsConnection, signal: AbortSignal): Promise<void> {
  const jsm = await nc.jetstreamManager();
  for (;;) {
    const info = await jsm.consumers.info(STREAM, DURABLE);
    if (info.num_ack_pending === 0 && info.num_pending === 0 && info.delivered.stream_seq === MESSAGES)
      return;
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const rawJetstream: Scenario = {
  name: 'raw-jetstream',
  description: `publish ${MESSAGES} ${SIZE}-byte messages to a JetStream file stream (acks pipelined), then pull and ack them`,
  async run(ctx) {
    const nc = await connect({ ...ctx.nats.connectOptions(), name: 'bench raw-jetstream' });
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.delete(STREAM).catch(() => undefined);
      await jsm.streams.add({
        name: STREAM,
        subjects: ['bench.raw.>'],
        storage: StorageType.File,
        num_replicas: 1,
      });
      await jsm.consumers.add(STREAM, {
        durable_name: DURABLE,
        ack_policy: AckPolicy.Explicit,
        max_ack_pending: 10_000,
      });
      const payload = new Uint8Array(SIZE).map((_, i) => 97 + (i % 26));
      ctx.log(`nats-server ${nc.info?.version}`);

      const publish = await timed(() => publishAll(nc.jetstream(), payload, ctx.signal));
      const stored = await jsm.streams.info(STREAM);
      if (stored.state.messages !== MESSAGES)
        throw new Error(`expected ${MESSAGES} messages in the stream, found ${stored.state.messages}`);

      const consume = await timed(() => consumeAll(nc, ctx.signal));
      if (consume.result !== MESSAGES * SIZE)
        throw new Error(`consumed ${consume.result} bytes, expected ${MESSAGES * SIZE}`);
      await allAcked(nc, ctx.signal);

      ctx.log(`publish ${publish.seconds.toFixed(2)} s, consume ${consume.seconds.toFixed(2)} s`);
      return [
        { figure: 'publish', unit: 'msg/s', value: MESSAGES / publish.seconds },
        { figure: 'consume', unit: 'msg/s', value: MESSAGES / consume.seconds },
      ];
    } finally {
      await jsm.streams.delete(STREAM).catch(() => undefined);
      await nc.drain().catch(() => undefined);
    }
  },
};
