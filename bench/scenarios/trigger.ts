import { loadavg } from 'node:os';
import { Client } from 'pg';
import type { Deployment, Project } from '@flightdeck/contracts';
import type { Measurement } from '../results';
import type { BenchContext, Scenario } from '../scenario';
import { sleep } from '../support/abortable';
import { type FlightdeckStack, startFlightdeck } from '../support/flightdeck-stack';
import { cpuDuring, waitsDuring } from '../support/pipeline-diagnostics';
import { percentile } from '../support/percentiles';

// Accepted triggers per second through the product: POST /api/v1/projects/:id/deployments on the
// gateway → deployments.cmd.trigger → the orchestrator (project and environment asked of
// environment-manager, rate limit, one-active check, the deployment, its first transitions and
// the job's outbox row in one transaction) → 201. Gateway, environment-manager and orchestrator run
// as processes with their default settings; no builder, so the deployments stay queued.
// Each trigger goes to a project of its own: neither the rate limit (FLIGHTDECK_TRIGGERS_PER_MINUTE,
// 10 per project and minute) nor the one-active-per-environment rule ever refuses one, and both
// are still checked on every trigger. Two rounds: as fast as CONCURRENCY clients go (closed loop),
// then an open loop at half the rate found, each trigger sent on its own schedule, its latency
// counted from when it was due. Baseline, same run, same Postgres: single-row insert transactions
// by CONCURRENCY clients. To say where the time goes, the closed loop also reports each process's
// CPU time per trigger and what the orchestrator's Postgres sessions wait on, and the same stack
// answers GET /projects/:id (HTTP → bus → Postgres read → reply) for comparison.

const CONCURRENCY = 16;
const RAW_TRANSACTIONS = 8_000;
const CLOSED_TRIGGERS = 1_000;
const ONE_CLIENT_TRIGGERS = 100;
const OPEN_SECONDS = 5;
const MAX_OPEN_TRIGGERS = 2_000;
const TARGET_RATIO = 0.25;
const TARGET_P99_MS = 50;

const NOTE =
  'one trigger per project (a project per trigger, created beforehand and not timed), so the rate limit ' +
  '(FLIGHTDECK_TRIGGERS_PER_MINUTE, default 10 per project and minute, left at its default) and the one-active-per-environment rule never refuse one';

const ms = (v: number) => `${v.toFixed(1)} ms`;

// Single-row transactions (autocommit inserts) by CONCURRENCY connections, as many as RAW_TRANSACTIONS.
async function rawTransactionsPerSecond(ctx: BenchContext): Promise<number> {
  const admin = new Client({ connectionString: ctx.postgres.url });
  await admin.connect();
  await admin.query(`create schema if not exists bench_raw_trigger`);
  await admin.query(`drop table if exists bench_raw_trigger.deployments`);
  await admin.query(`create table bench_raw_trigger.deployments (
    id uuid primary key default gen_random_uuid(), project_id uuid not null, source_ref text not null, created_at timestamptz not null default now())`);
  const clients = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const c = new Client({ connectionString: ctx.postgres.url });
      await c.connect();
      return c;
    }),
  );
  try {
    let left = RAW_TRANSACTIONS;
    const start = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        while (left-- > 0) {
          ctx.signal.throwIfAborted();
          await c.query(`insert into bench_raw_trigger.deployments (project_id, source_ref) values (gen_random_uuid(), 'main')`);
        }
      }),
    );
    return RAW_TRANSACTIONS / ((performance.now() - start) / 1000);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
    await admin.query(`drop schema bench_raw_trigger cascade`);
    await admin.end();
  }
}

async function createProjects(stack: FlightdeckStack, count: number, prefix: string, signal: AbortSignal): Promise<Project[]> {
  const out: Project[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        signal.throwIfAborted();
        out.push(await stack.api.createProject({ name: `${prefix}-${i}`, repositoryUrl: `/tmp/bench-trigger/${prefix}-${i}.git` }));
      }
    }),
  );
  return out;
}

interface TriggerTiming {
  latencyMs: number;
  status: number;
}

async function triggerOnce(stack: FlightdeckStack, project: Project, since: number): Promise<TriggerTiming> {
  const r = await stack.api.request<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' }).catch((e: { status?: number }) => ({
    status: e.status ?? 0,
  }));
  return { latencyMs: performance.now() - since, status: r.status };
}

// CONCURRENCY clients, each sending its next trigger when the last one answered.
async function closedLoop(stack: FlightdeckStack, projects: Project[], signal: AbortSignal, clients = CONCURRENCY) {
  const timings: TriggerTiming[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < projects.length; i = next++) {
        signal.throwIfAborted();
        timings.push(await triggerOnce(stack, projects[i], performance.now()));
      }
    }),
  );
  return { timings, seconds: (performance.now() - start) / 1000 };
}

// One trigger every 1/rate s whatever the answers do; latency from when each was due.
async function openLoop(stack: FlightdeckStack, projects: Project[], rate: number, signal: AbortSignal) {
  const start = performance.now();
  const pending = projects.map(async (p, i) => {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    // at most OPEN_SECONDS: no abort listener per trigger, the signal is checked when it is due
    if (wait > 0) await sleep(wait);
    signal.throwIfAborted();
    return triggerOnce(stack, p, due);
  });
  const timings = await Promise.all(pending);
  return { timings, seconds: (performance.now() - start) / 1000 };
}

const refusedOf = (timings: TriggerTiming[]) => timings.filter((t) => t.status !== 201);

// The read path for comparison: GET /projects/:id (gateway → environment-manager → Postgres → reply).
async function readLoop(stack: FlightdeckStack, projects: Project[], signal: AbortSignal) {
  let next = 0;
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < projects.length; i = next++) {
        signal.throwIfAborted();
        const t = performance.now();
        await stack.api.request('GET', `/projects/${projects[i].id}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { rate: projects.length / ((performance.now() - start) / 1000), latencies };
}

export const trigger: Scenario = {
  name: 'trigger',
  description:
    `accepted triggers per second through the gateway (HTTP → orchestrator → Postgres with outbox → reply), ${CONCURRENCY} clients, ` +
    `p50/p99, then p99 at half that rate (targets: ≥ ${TARGET_RATIO * 100} % of raw single-row Postgres transactions/s, p99 < ${TARGET_P99_MS} ms at half rate)`,
  timeoutMs: 6 * 60_000,
  async run(ctx) {
    ctx.log(`raw baseline: ${RAW_TRANSACTIONS} single-row insert transactions by ${CONCURRENCY} connections`);
    const raw = await rawTransactionsPerSecond(ctx);
    ctx.log(`raw: ${raw.toFixed(0)} transactions/s`);

    const stack = await startFlightdeck(ctx, { services: ['gateway', 'environment-manager', 'deployment-orchestrator'] });
    try {
      ctx.log(`gateway, environment-manager and orchestrator ready; creating ${CLOSED_TRIGGERS} projects (not timed)`);
      const closedProjects = await createProjects(stack, CLOSED_TRIGGERS, 'closed', ctx.signal);
      // a short warm-up on projects of its own: JIT, connection pools, prepared plans
      await closedLoop(stack, await createProjects(stack, 100, 'warmup', ctx.signal), ctx.signal);

      // the machine is shared: how busy it was going in, to read the figures by
      const load = loadavg()[0];
      const {
        result: { result: closed, used },
        counts,
        work,
      } = await waitsDuring(ctx, '%orchestrator%', () => cpuDuring(ctx, stack, () => closedLoop(stack, closedProjects, ctx.signal)));
      const samples = [...counts.values()].reduce((a, b) => a + b, 0);
      const perTrigger = (n: number) => n / CLOSED_TRIGGERS;
      ctx.log(
        `Postgres work per trigger (every service, the outbox relay and consumers included): ${perTrigger(work.commits).toFixed(1)} transactions, ` +
          `rows written ${Object.entries(work.rows)
            .filter(([, n]) => n > 0)
            .map(([schema, n]) => `${schema} ${perTrigger(n).toFixed(1)}`)
            .join(', ')}`,
      );
      ctx.log(
        `the orchestrator's Postgres sessions during the closed loop: ${[...counts]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${((v / samples) * 100).toFixed(0)} %`)
          .join(', ')}`,
      );
      ctx.log(
        `CPU seconds during the closed loop (${closed.seconds.toFixed(1)} s of wall clock, 2 cores = ${(2 * closed.seconds).toFixed(1)} CPU s): ` +
          Object.entries(used)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', '),
      );
      const refused = refusedOf(closed.timings);
      if (refused.length) throw new Error(`${refused.length} of ${closed.timings.length} triggers refused (statuses ${[...new Set(refused.map((t) => t.status))].join(', ')})`);
      const rate = closed.timings.length / closed.seconds;
      const latencies = closed.timings.map((t) => t.latencyMs);
      ctx.log(
        `closed loop: ${closed.timings.length} triggers in ${closed.seconds.toFixed(2)} s = ${rate.toFixed(0)}/s ` +
          `(${((rate / raw) * 100).toFixed(1)} % of raw; target ≥ ${TARGET_RATIO * 100} %: ${rate / raw >= TARGET_RATIO ? 'met' : 'MISSED'}), ` +
          `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
      );

      const read = await readLoop(stack, closedProjects, ctx.signal);
      ctx.log(`read path for comparison: GET /projects/:id ${read.rate.toFixed(0)}/s, p50 ${ms(percentile(read.latencies, 50))}, p99 ${ms(percentile(read.latencies, 99))}`);

      // one trigger at a time: the path's own latency, with no queue in front of it
      const alone = await closedLoop(stack, await createProjects(stack, ONE_CLIENT_TRIGGERS, 'alone', ctx.signal), ctx.signal, 1);
      const aloneLatencies = alone.timings.map((t) => t.latencyMs);
      ctx.log(`one client, ${ONE_CLIENT_TRIGGERS} triggers one after another: p50 ${ms(percentile(aloneLatencies, 50))}, p99 ${ms(percentile(aloneLatencies, 99))}`);

      const halfRate = rate / 2;
      const openCount = Math.min(MAX_OPEN_TRIGGERS, Math.round(halfRate * OPEN_SECONDS));
      ctx.log(`creating ${openCount} more projects for ${openCount} triggers at ${halfRate.toFixed(0)}/s`);
      const open = await openLoop(stack, await createProjects(stack, openCount, 'open', ctx.signal), halfRate, ctx.signal);
      const openRefused = refusedOf(open.timings);
      if (openRefused.length) throw new Error(`${openRefused.length} of ${open.timings.length} triggers refused at half rate`);
      const openLatencies = open.timings.map((t) => t.latencyMs);
      const openP99 = percentile(openLatencies, 99);
      ctx.log(
        `open loop at ${halfRate.toFixed(0)}/s: ${open.timings.length} triggers in ${open.seconds.toFixed(2)} s, p50 ${ms(percentile(openLatencies, 50))}, ` +
          `p99 ${ms(openP99)} (target < ${TARGET_P99_MS} ms: ${openP99 < TARGET_P99_MS ? 'met' : 'MISSED'}), max ${ms(Math.max(...openLatencies))}`,
      );

      const measurements: Measurement[] = [
        { figure: 'raw-tx-per-s', unit: 'tx/s', value: raw },
        { figure: 'triggers-per-s', unit: 'triggers/s', value: rate, baseline: 'trigger/raw-tx-per-s', note: NOTE },
        { figure: 'p50', unit: 'ms', value: percentile(latencies, 50) },
        { figure: 'p99', unit: 'ms', value: percentile(latencies, 99) },
        { figure: 'half-rate', unit: 'triggers/s', value: open.timings.length / open.seconds, baseline: 'trigger/triggers-per-s' },
        { figure: 'half-rate-p50', unit: 'ms', value: percentile(openLatencies, 50) },
        { figure: 'half-rate-p99', unit: 'ms', value: openP99 },
        { figure: 'one-client-p50', unit: 'ms', value: percentile(aloneLatencies, 50) },
        { figure: 'one-client-p99', unit: 'ms', value: percentile(aloneLatencies, 99) },
        { figure: 'load-average-1m', unit: 'runnable', value: load, note: 'the machine\'s 1-minute load average as the closed loop began (2 cores)' },
        { figure: 'triggers', unit: 'triggers', value: closed.timings.length + open.timings.length, note: NOTE },
        { figure: 'pg-transactions-per-trigger', unit: 'transactions', value: work.commits / CLOSED_TRIGGERS },
        {
          figure: 'pg-rows-written-per-trigger',
          unit: 'rows',
          value: Object.values(work.rows).reduce((a, b) => a + b, 0) / CLOSED_TRIGGERS,
          note: Object.entries(work.rows)
            .filter(([, n]) => n > 0)
            .map(([schema, n]) => `${schema} ${(n / CLOSED_TRIGGERS).toFixed(1)}`)
            .join(', '),
        },
        // the same HTTP + bus + Postgres path reading one row: what the trigger's own work adds to it
        { figure: 'project-reads-per-s', unit: 'reads/s', value: read.rate },
        // where the work is: CPU time per accepted trigger of each process over the closed loop
        ...Object.entries(used).map(([k, v]) => ({
          figure: `cpu-ms-per-trigger-${k.replace(/ /g, '-')}`,
          unit: 'CPU ms',
          value: (v * 1000) / closed.timings.length,
        })),
      ];
      return measurements;
    } finally {
      await stack.stop();
    }
  },
};
