import type { DataSource, Migration } from 'typeorm';

// Replicas starting together serialize here; the second one finds nothing left to run.
export async function runMigrationsLocked(ds: DataSource, schema: string): Promise<Migration[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`select pg_advisory_lock(hashtext($1))`, [`flightdeck:migrate:${schema}`]);
    return await ds.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query(`select pg_advisory_unlock(hashtext($1))`, [`flightdeck:migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

// Initialize, retrying while Postgres is unreachable, so a service never crash-loops silently.
export async function initializeWithRetry(
  ds: DataSource,
  log: (msg: string, attempt: number, delayMs: number, error: Error) => void,
  opts: { maxDelayMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await ds.initialize();
      return;
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      log('database unreachable, retrying', attempt, delay, e as Error);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 10_000);
    }
  }
}
