import { Logger } from '@nestjs/common';
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';
import { Streams, type StreamKey } from '@flightdeck/contracts';
import { withJetStreamRetry } from './jetstream-retry';

const DAY_MS = 24 * 60 * 60 * 1000;

// Postgres is the source of truth; streams only need to outlive a consumer's downtime.
const RETENTION: Record<StreamKey, Partial<StreamConfig>> = {
  deployJobs: { retention: RetentionPolicy.Workqueue, max_age: nanos(7 * DAY_MS) },
  buildLogs: { retention: RetentionPolicy.Limits, max_age: nanos(7 * DAY_MS), max_bytes: 2 * 1024 ** 3 },
  buildEvents: { retention: RetentionPolicy.Limits, max_age: nanos(7 * DAY_MS) },
  deploymentEvents: { retention: RetentionPolicy.Limits, max_age: nanos(7 * DAY_MS) },
  environmentEvents: { retention: RetentionPolicy.Limits, max_age: nanos(7 * DAY_MS) },
  deadLetters: { retention: RetentionPolicy.Limits, max_age: nanos(30 * DAY_MS) },
  externalBuildEvents: { retention: RetentionPolicy.Limits, max_age: nanos(7 * DAY_MS), max_bytes: 1024 ** 3 },
};

export interface StreamOptions {
  /**
   * copies of each stream (NATS_STREAM_REPLICAS): 1 on one nats-server; 3 on a cluster, where a
   * stream and its consumers survive the loss of one node (its leader included). Every service
   * must be given the same number: each updates the streams to its declared shape at start-up.
   */
  replicas?: number;
}

export const streamConfig = (key: StreamKey, opts: StreamOptions = {}): Partial<StreamConfig> => ({
  name: Streams[key].name,
  subjects: [...Streams[key].subjects],
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  duplicate_window: nanos(2 * 60_000),
  num_replicas: opts.replicas ?? 1,
  ...RETENTION[key],
});

// Idempotent: every replica runs it at start-up; an existing stream is updated to the declared shape
// (its replica count too: nats-server adds or removes copies in place).
export async function ensureStreams(
  jsm: JetStreamManager,
  keys: StreamKey[] = Object.keys(Streams) as StreamKey[],
  opts: StreamOptions = {},
) {
  const logger = new Logger('Streams');
  for (const key of keys) {
    const cfg = streamConfig(key, opts);
    // on a cluster that is still forming, or electing, an answer may take a while
    await withJetStreamRetry(`stream ${cfg.name}`, async () => {
      try {
        await jsm.streams.info(cfg.name!);
        await jsm.streams.update(cfg.name!, cfg);
      } catch (e) {
        if (!/stream not found/i.test((e as Error).message)) throw e;
        try {
          await jsm.streams.add(cfg);
          logger.log({ stream: cfg.name }, 'stream created');
        } catch (addErr) {
          // another replica created it between our info and add
          if (!/already in use|exists/i.test((addErr as Error).message)) throw addErr;
        }
      }
    });
  }
}
