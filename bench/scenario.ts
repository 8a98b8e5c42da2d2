import type { ServiceName } from '@flightdeck/contracts';
import type { NatsServer, PostgresServer } from '@flightdeck/local-stack';
import type { Measurement } from './results';

// What a scenario gets from the runner: real servers on 127.0.0.1, started once per run.
export interface BenchContext {
  /** superuser URL in `postgres.url`; durable settings, as `npm start` runs it */
  postgres: PostgresServer;
  nats: NatsServer;
  /** each service's own-role DATABASE_URL, for scenarios that start services */
  databaseUrls: Record<ServiceName, string>;
  /** a scratch directory of this scenario, removed afterwards */
  workDir: string;
  /** aborted when the scenario's time budget is spent: stop and clean up */
  signal: AbortSignal;
  log(message: string): void;
}

export interface Scenario {
  name: string;
  description: string;
  /** default 60 s */
  timeoutMs?: number;
  /** scenarios whose figures this one's `baseline`s name: run first when they have no stored result */
  baselines?: string[];
  run(ctx: BenchContext): Promise<Measurement[]>;
}

// Elapsed wall-clock time of `fn`, in seconds.
export async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
