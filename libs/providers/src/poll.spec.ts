import { pause, pollUntil } from './poll';

describe('pollUntil', () => {
  const opts = (over: Partial<Parameters<typeof pollUntil>[1]> = {}) => ({ intervalMs: 10, timeoutMs: 1_000, signal: new AbortController().signal, timedOut: () => new Error('timed out'), ...over });

  it('reads until the step answers, pausing between reads', async () => {
    let reads = 0;
    await expect(pollUntil(async () => (++reads === 3 ? 'done' : undefined), opts())).resolves.toBe('done');
    expect(reads).toBe(3);
  });

  it('throws what the step throws, and the timeout error once past timeoutMs', async () => {
    await expect(pollUntil(async () => Promise.reject(new Error('rollout failed')), opts())).rejects.toThrow('rollout failed');
    const started = Date.now();
    await expect(pollUntil(async () => undefined, opts({ timeoutMs: 50 }))).rejects.toThrow('timed out');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('ends with the signal\'s reason once aborted, without waiting out the pause', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('deployment canceled')), 20);
    await expect(pollUntil(async () => undefined, opts({ intervalMs: 60_000, timeoutMs: 120_000, signal: ac.signal }))).rejects.toThrow('deployment canceled');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('pause', () => {
  it("ends when the platform's webhook wakes it, without waiting out its time", async () => {
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((r) => (wake = r));
    const started = Date.now();
    setTimeout(() => wake(), 20);
    await pause(60_000, new AbortController().signal, woken);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
