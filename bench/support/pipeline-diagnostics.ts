import { Client } from 'pg';
import type { BenchContext } from '../scenario';
import { sleep } from './abortable';
import { cpuSeconds, cpuSecondsWithChildren } from './cpu-usage';
import type { FlightdeckStack } from './flightdeck-stack';

// Where a pipeline of services spends a benchmark's time: their CPU, what Postgres's sessions wait
// on, and how much Postgres work it took.

interface PostgresWork {
  commits: number;
  /** rows inserted, updated or deleted, by schema */
  rows: Record<string, number>;
}

const postgresWork = async (c: Client): Promise<PostgresWork> => {
  const [{ rows: db }, { rows: tables }] = [
    await c.query<{ commits: string }>(`select sum(xact_commit) as commits from pg_stat_database`),
    await c.query<{ schema: string; n: string }>(
      `select schemaname as schema, sum(n_tup_ins + n_tup_upd + n_tup_del) as n from pg_stat_user_tables group by 1`,
    ),
  ];
  return { commits: Number(db[0].commits), rows: Object.fromEntries(tables.map((t) => [t.schema, Number(t.n)])) };
};

// What Postgres's sessions are doing while `fn` runs, sampled every 20 ms: where a trigger waits;
// and how many transactions and row writes it took, from Postgres's own counters.
export async function waitsDuring<T>(ctx: BenchContext, roleLike: string, fn: () => Promise<T>) {
  const c = new Client({ connectionString: ctx.postgres.url });
  await c.connect();
  const counts = new Map<string, number>();
  let done = false;
  let samples = 0;
  // backends report their counters at most once a second
  await sleep(1_500);
  const before = await postgresWork(c);
  const sampling = (async () => {
    while (!done) {
      samples++;
      const { rows } = await c.query<{ what: string; n: number }>(
        `select coalesce(state, '-') || ' / ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU') as what, count(*)::int as n
           from pg_stat_activity where usename like $1 and pid <> pg_backend_pid() group by 1`,
        [roleLike],
      );
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
      await sleep(20);
    }
  })();
  try {
    const result = await fn();
    done = true;
    await sampling;
    await sleep(1_500);
    const after = await postgresWork(c);
    const work: PostgresWork = {
      // less this sampler's own queries, one transaction each, and the two counter reads
      commits: after.commits - before.commits - samples - 2,
      rows: Object.fromEntries(Object.entries(after.rows).map(([k, v]) => [k, v - (before.rows[k] ?? 0)])),
    };
    return { result, counts, work };
  } finally {
    done = true;
    await sampling;
    await c.end();
  }
}

// CPU seconds of each service, of Postgres (with its backends) and of this process, over `fn`.
export async function cpuDuring<T>(ctx: BenchContext, stack: FlightdeckStack, fn: () => Promise<T>) {
  const sample = () => ({
    ...Object.fromEntries(Object.entries(stack.pids).map(([name, pid]) => [name, cpuSeconds(pid!)])),
    postgres: ctx.postgres.pid ? cpuSecondsWithChildren(ctx.postgres.pid) : NaN,
    'bench clients': process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  });
  const before: Record<string, number> = sample();
  const result = await fn();
  const after: Record<string, number> = sample();
  const used = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
  return { result, used };
}
