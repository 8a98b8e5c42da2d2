import { Logger } from '@nestjs/common';

// What a JetStream API call may answer while a cluster forms or elects a leader (a fresh cluster
// creating its streams' RAFT groups, a node that just died): no answer in time, or no peers yet.
// The call is retried; whatever else it answers (a bad config, R3 on a single server) is not.
const TRANSIENT = /no suitable peers|temporarily unavailable|no responders|leader|JetStream not in clustered mode yet/i;

export const isTransientJetStreamError = (e: unknown): boolean => {
  const err = e as { code?: string; message?: string };
  return err?.code === 'TIMEOUT' || err?.code === '503' || TRANSIENT.test(err?.message ?? '');
};

/**
 * Runs a JetStream management call (stream or consumer info, add, update), retrying transient
 * failures with backoff (250 ms doubling to 4 s) for up to `totalMs`. Retrying is safe: the calls it
 * wraps look first and then create or update to the declared shape.
 */
export async function withJetStreamRetry<T>(what: string, call: () => Promise<T>, totalMs = 60_000): Promise<T> {
  const deadline = Date.now() + totalMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
    try {
      return await call();
    } catch (e) {
      if (!isTransientJetStreamError(e) || Date.now() + delay > deadline) throw e;
      new Logger('JetStream').warn({ what, err: (e as Error).message, retryInMs: delay }, 'JetStream busy, retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
