import { AckPolicy, DeliverPolicy, nanos, type ConsumerConfig, type JetStreamManager } from 'nats';
import { Streams, type StreamKey } from '@flightdeck/contracts';
import { withJetStreamRetry } from './jetstream-retry';

export interface DurableConsumerOptions {
  stream: StreamKey;
  durable: string;
  filterSubject?: string;
  /** tries before a message is dead-lettered */
  maxDeliver: number;
  ackWaitMs: number;
  maxAckPending?: number;
}

// Declares a durable pull consumer in code: created on first start, updated to the declared shape on
// every later one, and safe when several replicas start at once.
export async function ensureDurableConsumer(jsm: JetStreamManager, o: DurableConsumerOptions): Promise<string> {
  const stream = Streams[o.stream].name;
  const config: Partial<ConsumerConfig> = {
    durable_name: o.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(o.ackWaitMs),
    // a backstop for a message that crashes the process itself before it can be dead-lettered
    max_deliver: o.maxDeliver + 2,
    ...(o.filterSubject ? { filter_subject: o.filterSubject } : {}),
    ...(o.maxAckPending ? { max_ack_pending: o.maxAckPending } : {}),
  };
  // on a cluster that is still forming, or electing, an answer may take a while
  await withJetStreamRetry(`consumer ${stream}/${o.durable}`, async () => {
    try {
      await jsm.consumers.info(stream, o.durable);
      await jsm.consumers.update(stream, o.durable, config);
    } catch (e) {
      if (!/consumer not found/i.test((e as Error).message)) throw e;
      try {
        await jsm.consumers.add(stream, config);
      } catch (addErr) {
        // another replica created it between our info and add
        if (!/already in use|exists/i.test((addErr as Error).message)) throw addErr;
      }
    }
  });
  return stream;
}
