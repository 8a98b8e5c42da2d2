import { availableParallelism, loadavg } from 'node:os';
import { type NatsConnection, connect } from 'nats';
import { Client } from 'pg';
import { listLogLines } from '@flightdeck/contracts';
import { type ServiceProcess, spawnService, waitForReady } from '@flightdeck/local-stack';
import { Bus, checkReply } from '@flightdeck/messaging';
import type { BenchContext, Scenario } from '../scenario';
import { raceAbort } from '../support/abortable';
import { cpuSeconds, cpuSecondsWithChildren } from '../support/cpu-usage';
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

// what LogLinesRepository.list runs for an unfiltered tail, as a named statement like it
const TAIL_SQL = `select l.seq, to_char(l.ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, l.level, l.source, l.step, l.message, l.seq as max_seq
  from logs.log_lines l where deployment_id = $1 order by seq desc, ts desc limit $2`;

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

const picker = (ids: string[]) => {
  let seed = 7;
  return () => ids[(seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % ids.length];
};

// The database's own time for the same queries (EXPLAIN ANALYZE without per-node timing): what is
// left of a query once no process waits for a CPU, sends or parses rows.
async function databaseTimes(db: Client, ids: string[], signal: AbortSignal): Promise<number[]> {
  const pick = picker(ids);
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    signal.throwIfAborted();
    const { rows } = await db.query(`explain (analyze, timing off, summary on, format json) ${TAIL_SQL}`, [pick(), TAIL]);
    const [plan] = rows[0]['QUERY PLAN'] as { 'Planning Time': number; 'Execution Time': number }[];
    times.push(plan['Planning Time'] + plan['Execution Time']);
  }
  return times;
}

async function timedQueries(ids: string[], query: (id: string) => Promise<number>, signal: AbortSignal): Promise<number[]> {
  const pick = picker(ids);
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
      const viaSql = (id: string) => db.query({ name: 'log_tail', text: TAIL_SQL, values: [id, TAIL] }).then((r) => r.rowCount ?? 0);
      // the receiving side's share: the reply decoded and checked against its contract, as the bus does
      let page: unknown;
      const viaBus = async (id: string) => {
        const reply = await bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: TAIL, tail: TAIL });
        if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
        page = reply;
        return reply.data.items.length;
      };
      const checkPage = async () => (checkReply(listLogLines, JSON.parse(JSON.stringify(page)))?.ok ? TAIL : 0);
      const loadBefore = loadavg()[0];
      await timedQueries(ids, viaSql, ctx.signal);
      await timedQueries(ids, viaBus, ctx.signal);
      // CPU per query of each process on the path, whatever the machine's load: what the latency
      // would be with a core free for each step
      const cpu = () => ({
        bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
        postgres: ctx.postgres.pid ? cpuSecondsWithChildren(ctx.postgres.pid) : 0,
        nats: cpuSeconds(ctx.nats.pid() ?? 0),
        logIngest: cpuSeconds(logIngest.child.pid ?? 0),
      });
      const perQuery = (a: ReturnType<typeof cpu>, b: ReturnType<typeof cpu>) =>
        Object.fromEntries(Object.entries(b).map(([k, v]) => [k, ((v - a[k as keyof typeof a]) * 1000) / QUERIES])) as ReturnType<typeof cpu>;
      const c0 = cpu();
      const raw = await timedQueries(ids, viaSql, ctx.signal);
      const c1 = cpu();
      const product = await timedQueries(ids, viaBus, ctx.signal);
      const c2 = cpu();
      const [rawCpu, productCpu] = [perQuery(c0, c1), perQuery(c1, c2)];
      const sum = (c: ReturnType<typeof cpu>) => c.bench + c.postgres + c.nats + c.logIngest;
      const database = await databaseTimes(db, ids, ctx.signal);
      const decode = await timedQueries(ids, checkPage, ctx.signal);
      const load = (loadBefore + loadavg()[0]) / 2;
      const [rawP50, rawP99, p50, p99] = [percentile(raw, 50), percentile(raw, 99), percentile(product, 50), percentile(product, 99)];
      const [dbP50, dbP99, decodeP50, decodeP99] = [percentile(database, 50), percentile(database, 99), percentile(decode, 50), percentile(decode, 99)];
      ctx.log(
        `${QUERIES} queries (load ${load.toFixed(1)} on ${availableParallelism()} cores): database alone p50 ${ms(dbP50)}, p99 ${ms(dbP99)}; SQL over one connection p50 ${ms(rawP50)}, p99 ${ms(rawP99)}; through log-ingest p50 ${ms(p50)}, p99 ${ms(p99)} (of which JSON + contract check of the reply p50 ${ms(decodeP50)}, p99 ${ms(decodeP99)}); target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`,
      );
      const show = (c: ReturnType<typeof cpu>) => `${ms(sum(c))} (${Object.entries(c).filter(([, v]) => v > 0.005).map(([k, v]) => `${k} ${ms(v)}`).join(', ')})`;
      ctx.log(`CPU per query: SQL ${show(rawCpu)}; through log-ingest ${show(productCpu)}`);
      return [
        { figure: 'raw-p50', unit: 'ms', value: rawP50 },
        { figure: 'raw-p99', unit: 'ms', value: rawP99 },
        { figure: 'p50', unit: 'ms', value: p50, baseline: 'log-query/raw-p50' },
        { figure: 'p99', unit: 'ms', value: p99, baseline: 'log-query/raw-p99' },
        { figure: 'database-p50', unit: 'ms', value: dbP50, baseline: 'log-query/raw-p50' },
        { figure: 'database-p99', unit: 'ms', value: dbP99, baseline: 'log-query/raw-p99' },
        { figure: 'reply-check-p50', unit: 'ms', value: decodeP50, baseline: 'log-query/raw-p50' },
        { figure: 'reply-check-p99', unit: 'ms', value: decodeP99, baseline: 'log-query/raw-p99' },
        { figure: 'raw-cpu-ms-per-query', unit: 'ms', value: Number(sum(rawCpu).toFixed(2)), note: 'CPU of this process and Postgres per query, over the timed SQL round' },
        { figure: 'cpu-ms-per-query', unit: 'ms', value: Number(sum(productCpu).toFixed(2)), baseline: 'log-query/raw-cpu-ms-per-query', note: `CPU per query: ${show(productCpu)}` },
        { figure: 'load-average-1m', unit: 'runnable', value: Number(load.toFixed(2)), note: "the machine's 1-minute load average, mean of before and after the timed rounds" },
        { figure: 'lines-stored', unit: 'lines', value: DEPLOYMENTS * LINES_EACH },
      ];
    } finally {
      await nc?.close();
      await db.end().catch(() => undefined);
      await logIngest.stop(10_000);
    }
  },
};
