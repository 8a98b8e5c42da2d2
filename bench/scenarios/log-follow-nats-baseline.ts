import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { sleep } from '../support/abortable';
import { epochMs } from '../support/percentiles';

// The floor under the platform's live log: core NATS publish → subscribe of `size`-byte messages at
// `rate` per second, between two connections of this process, no JetStream, no batching, no
// Socket.IO. Each message carries its send time (epoch ms, float64) in its first 8 bytes.
export async function natsPublishToSubscribeLatency(
  server: { servers: string; user?: string; pass?: string },
  opts: { count: number; rate: number; size: number; signal: AbortSignal },
): Promise<number[]> {
  const subscriber = await connect({ ...server, name: 'bench log-follow subscriber' });
  const publisher = await connect({ ...server, name: 'bench log-follow publisher' });
  try {
    const subject = `bench.latency.${randomUUID()}`;
    const latencies: number[] = [];
    const sub = subscriber.subscribe(subject, { max: opts.count });
    await subscriber.flush();
    const received = (async () => {
      for await (const m of sub) {
        const at = epochMs();
        latencies.push(at - new DataView(m.data.buffer, m.data.byteOffset, 8).getFloat64(0));
      }
    })();

    const start = epochMs();
    let sent = 0;
    while (sent < opts.count) {
      opts.signal.throwIfAborted();
      const due = Math.min(opts.count, Math.floor(((epochMs() - start) * opts.rate) / 1000) + 1);
      while (sent < due) {
        // a new buffer each time: the client may hold a published one until it writes it out
        const payload = new Uint8Array(opts.size).fill(120);
        new DataView(payload.buffer).setFloat64(0, epochMs());
        publisher.publish(subject, payload);
        sent++;
      }
      await sleep(1);
    }
    await publisher.flush();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`core NATS: ${latencies.length} of ${opts.count} messages arrived`)), 10_000);
    });
    try {
      await Promise.race([received, late]);
    } finally {
      clearTimeout(timer);
    }
    return latencies;
  } finally {
    await Promise.all([publisher.close(), subscriber.close()]);
  }
}
