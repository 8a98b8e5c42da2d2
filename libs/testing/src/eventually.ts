import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

// Polls until `probe` returns something truthy and returns it. A probe that throws is retried (the
// thing it reads may not exist yet); on timeout the error names what never happened, and the last
// error seen.
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  { timeoutMs = 10_000, intervalMs = 50 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
