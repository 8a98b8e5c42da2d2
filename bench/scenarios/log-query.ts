import { type NatsConnection, connect } from 'nats';
import { Client } from 'pg';
import { listLogLines } from '@flightdeck/contracts';
import { type ServiceProcess, spawnService, waitForReady } from '@flightdeck/local-stack';
import { Bus } from '@flightdeck/messaging';
import type { BenchContext, Scenario } from '../scenario';
import { raceAbort } from '../support/abortable';
import { epochMs, percentile } from '../support/percentiles';

// "The last 1,000 lines of a deployment" with 10,000,000 lines stored: DEPLOYMENTS deployments of
// LINES_EACH lines, spread over DAYS day partitions, seeded straight in SQL (generate_series). The
// product's path: logs.query.list with tail = 1,000 to a real log-ingest process over NATS,
// QUERIES times for random deployments, one at a time. Baseline, in the same run: the SQL
// log-ingest runs for it, over one Postgres connection of this process.

const DEPLOYMENTS = 1_000;
const LINES_EACH = 10_000;
const DAYS = 5;
const QUERIES = 500;
const TAIL = 1_000;
const TARGET_P99_MS = 20;
const READY_TIMEOUT_MS = 120_000;
const DAY_MS = 86_400_000;

// what LogLinesRepository.list runs for an unfiltered tail
const TAIL_SQL = `select l.seq, l.ts, l.level, l.source, l.step, l.message, top.max_seq
  from (select max(seq) as max_seq from logs.log_lines where deployment_id = $1) top
  left join lateral (
    select seq, ts, level, source, step, message from logs.log_lines
    where deployment_id = $1
    order by seq desc, ts desc limit $2
  ) l on true`;

const ms = (v: number) => `${v.toFixed(2)} ms`;

async function startLogIngest(ctx: BenchContext): Promise<ServiceProcess> {
  const output: string[] = [];
  const p = await spawnService(
    'log-ingest',
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      LOG_FORMAT: 'json',
      ...ctx.nats.envFor('log-ingest'),
      DATABASE_URL: ctx.databaseUrls['log-ingest'],
      HTTP_HOST: '127.0.0.1',
    },
    { onOutput: (line) => output.push(line) },
  );
  try {
    await raceAbort(waitForReady(p.healthPort, READY_TIMEOUT_MS, p.exited), ctx.signal);
  } catch (e) {
    await p.stop(5_000);
    throw new Error(`log-ingest did not start: ${(e as Error).message}\n${output.slice(-20).join('\n')}`);
  }
  return p;
}

// 10,000,000 rows in one statement per day: deployment d's lines all on day d % DAYS, a line every
// 5 ms, laid out as log-ingest writes them: the deployments of a day interleaved batch by batch,
// 500 lines each (the builder's batch), not line by line
async function seed(db: Client, ctx: BenchContext): Promise<string[]> {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const { rows } = await db.query<{ id: string }>(`select gen_random_uuid()::text as id from generate_series(1, $1)`, [DEPLOYMENTS]);
  const ids = rows.map((r) => r.id);
  for (let day = 0; day < DAYS; day++) {
    ctx.signal.throwIfAborted();
    const dayStart = new Date(today - (DAYS - 1 - day) * DAY_MS).toISOString();
    await db.query(`select logs.ensure_log_lines_partition(($1::timestamptz at time zone 'UTC')::date)`, [dayStart]);
    const mine = ids.filter((_, i) => i % DAYS === day);
    const started = epochMs();
    await db.query(
      `insert into logs.log_lines (deployment_id, seq, ts, level, source, step, message)
       select d, s, $2::timestamptz + (s * 5) * interval '1 ms',
              (array['info','info','info','warn','error','debug'])[1 + (s % 6)], 'build', 'build',
              '[' || s || '] compiled module src/components/Widget' || (s % 97) || '.tsx in ' || (s % 13) || ' ms chunk vendor gzip kB done'
       from unnest($1::uuid[]) d, generate_series(1, $3::int) s
       order by (s - 1) / 500, d, s`,
      [mine, dayStart, LINES_EACH],
    );
    ctx.log(`seeded day ${day + 1}/${DAYS}: ${(mine.length * LINES_EACH).toLocaleString('en')} lines in ${((epochMs() - started) / 1000).toFixed(1)} s`);
  }
  await db.query('analyze logs.log_lines');
  return ids;
}

async function timedQueries(ids: string[], query: (id: string) => Promise<number>, signal: AbortSignal): Promise<number[]> {
  let seed = 7;
  const pick = () => ids[(seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % ids.length];
  const latencies: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    signal.throwIfAborted();
    const id = pick();
    const started = epochMs();
    const got = await query(id);
    latencies.push(epochMs() - started);
    if (got !== TAIL) throw new Error(`deployment ${id}: ${got} lines instead of ${TAIL}`);
  }
  return latencies;
}

export const logQuery: Scenario = {
  name: 'log-query',
  description: `p50/p99 of "the last ${TAIL} lines of a deployment" through log-ingest with ${(DEPLOYMENTS * LINES_EACH).toLocaleString('en')} lines stored (target p99 < ${TARGET_P99_MS} ms), beside the same SQL over one connection`,
  timeoutMs: 15 * 60_000,
  async run(ctx) {
    const logIngest = await startLogIngest(ctx);
    // log-ingest's own role: the partitions it creates stay its own
    const db = new Client({ connectionString: ctx.databaseUrls['log-ingest'] });
    let nc: NatsConnection | undefined;
    try {
      await db.connect();
      const ids = await seed(db, ctx);
      nc = await connect({ ...ctx.nats.connectOptions(), name: 'bench log-query' });
      const bus = new Bus(nc);
      // a warm-up round each, so neither pays for cold caches the other had warm
      const viaSql = (id: string) => db.query(TAIL_SQL, [id, TAIL]).then((r) => r.rowCount ?? 0);
      const viaBus = async (id: string) => {
        const page = await bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: TAIL, tail: TAIL });
        if (!page.ok) throw new Error(`${page.error.code}: ${page.error.message}`);
        return page.data.items.length;
      };
      await timedQueries(ids, viaSql, ctx.signal);
      await timedQueries(ids, viaBus, ctx.signal);
      const raw = await timedQueries(ids, viaSql, ctx.signal);
      const product = await timedQueries(ids, viaBus, ctx.signal);
      const [rawP50, rawP99, p50, p99] = [percentile(raw, 50), percentile(raw, 99), percentile(product, 50), percentile(product, 99)];
      ctx.log(
        `${QUERIES} queries: SQL p50 ${ms(rawP50)}, p99 ${ms(rawP99)}; through log-ingest p50 ${ms(p50)}, p99 ${ms(p99)}; target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`,
      );
      return [
        { figure: 'raw-p50', unit: 'ms', value: rawP50 },
        { figure: 'raw-p99', unit: 'ms', value: rawP99 },
        { figure: 'p50', unit: 'ms', value: p50, baseline: 'log-query/raw-p50' },
        { figure: 'p99', unit: 'ms', value: p99, baseline: 'log-query/raw-p99' },
        { figure: 'lines-stored', unit: 'lines', value: DEPLOYMENTS * LINES_EACH },
      ];
    } finally {
      await nc?.close();
      await db.end().catch(() => undefined);
      await logIngest.stop(10_000);
    }
  },
};
