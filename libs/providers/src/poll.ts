/** a pause between two reads of a remote rollout, cut short by the call's signal (and by `wake`: the platform's webhook said something) */
export const pause = (ms: number, signal: AbortSignal, wake?: Promise<void>) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    if (signal.aborted) return done();
    signal.addEventListener('abort', done, { once: true });
    void wake?.then(done);
  });

/**
 * A remote rollout followed: `step` reads it (logging what changed, throwing when it failed) and
 * answers a value once it is done; between reads a pause; past timeoutMs, timedOut() is thrown
 * (it says the last state `step` saw). An aborted signal ends it with the signal's reason.
 */
export async function pollUntil<T>(step: () => Promise<T | undefined>, o: { intervalMs: number; timeoutMs: number; signal: AbortSignal; timedOut: () => Error }): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const value = await step();
    if (value !== undefined) return value;
    if (o.signal.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted');
    if (Date.now() >= deadline) throw o.timedOut();
    await pause(o.intervalMs, o.signal);
  }
}
