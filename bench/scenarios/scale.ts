import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { connect } from 'nats';
import { Client } from 'pg';
import { type Deployment, Streams, isTerminal } from '@flightdeck/contracts';
import { freePort } from '@flightdeck/local-stack';
import { GitRepo } from '@flightdeck/testing';
import type { Measurement } from '../results';
import type { BenchContext, Scenario } from '../scenario';
import { until } from '../support/abortable';
import { enteredAt, storedTransitions } from '../support/deployment-transitions';
import { startFlightdeck } from '../support/flightdeck-stack';
import { median } from '../support/percentiles';
import { ingestRound } from './log-ingest';

// Issue 24's benchmark: does the platform scale out by replicas? Real processes against the run's
// one Postgres and nats-server, only 127.0.0.1.
// - Log lines/s stored with 1 and 2 log-ingest replicas (the log-ingest scenario's round, fewer
//   lines), before the stack starts so that no other replica shares the durable.
// - Deployments per minute with 1, 2 and 4 builder replicas (FLIGHTDECK_BUILD_CONCURRENCY=1 each, so
//   replicas are what scale): DEPLOYMENTS static sites whose build sleeps BUILD_SLEEP_S (sleep-bound,
//   so that the 2 cores are not the limit), all triggered at once, timed to the last one succeeded.
// Each figure is a ratio to one replica in the same run.

const BUILDERS = (process.env.BENCH_SCALE_BUILDERS?.split(',').map(Number) ?? [1, 2, 4]) as readonly number[];
const LOG_INGEST_REPLICAS = [1, 2] as const;
const DEPLOYMENTS = 8;
const BUILD_SLEEP_S = 15;
const INGEST_SIZE = { deployments: 40, linesPerDeployment: 5_000 };
const DEPLOY_TIMEOUT_MS = 240_000;

const lock = (name: string) =>
  JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name, version: '1.0.0' } } });

/** a static site whose build only sleeps: what it serves is in the repository's public/ */
const sleepySite = (name: string) => ({
  'package.json': JSON.stringify({ name, version: '1.0.0', private: true, scripts: { build: `sleep ${BUILD_SLEEP_S}` } }),
  'package-lock.json': lock(name),
  'public/index.html': `<h1>${name}</h1>`,
});

/** the machine's busy and total CPU time so far (all cores, from /proc/stat), in clock ticks */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait
  return { busy: total - fields[3] - fields[4], total };
}

// Where a round's deployments spent their time (medians of the stored transitions) and how the
// builder replicas shared them: to tell a limit of the platform from one of the machine.
async function roundDiagnostics(ctx: BenchContext, ids: string[], t0: number): Promise<string> {
  const phases = { queued: [] as number[], initializing: [] as number[], building: [] as number[], deploying: [] as number[] };
  for (const id of ids) {
    const t = await storedTransitions(ctx.postgres.url, id);
    const [init, build, deploy, done] = (['initializing', 'building', 'deploying', 'succeeded'] as const).map((s) => enteredAt(t, s));
    phases.queued.push(init - t[0].at);
    phases.initializing.push(build - init);
    phases.building.push(deploy - build);
    phases.deploying.push(done - deploy);
  }
  const db = new Client({ connectionString: ctx.postgres.url });
  await db.connect();
  try {
    // the builders' own record: when each job was accepted and ended, by which replica
    const { rows } = await db.query<{ instance_id: string; created_at: Date; finished_at: Date | null }>(
      `select instance_id, created_at, finished_at from builder.build_jobs where deployment_id = any($1::uuid[]) order by instance_id, created_at`,
      [ids],
    );
    const byBuilder = new Map<string, string[]>();
    for (const r of rows) {
      const s = (d: Date | null) => (d ? ((d.getTime() - t0) / 1000).toFixed(1) : '-');
      byBuilder.set(r.instance_id, [...(byBuilder.get(r.instance_id) ?? []), `${s(r.created_at)}→${s(r.finished_at)}`]);
    }
    // the most builds running at once, from those intervals
    const edges = rows.flatMap((r) => [
      { at: r.created_at.getTime(), d: 1 },
      { at: (r.finished_at ?? new Date()).getTime(), d: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.d - b.d);
    let now = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (now += e.d));
    const ms = (v: number[]) => `${(median(v) / 1000).toFixed(1)} s`;
    // the job queue's own count: jobs handed out again (ack_wait passed) and messages it took in
    const nc = await connect({ ...ctx.nats.connectOptions(), name: 'bench scale diagnostics' });
    const queue = await (await nc.jetstreamManager()).consumers.info(Streams.deployJobs.name, 'builder').finally(() => nc.close());
    return (
      `medians: queued ${ms(phases.queued)}, initializing ${ms(phases.initializing)}, building ${ms(phases.building)}, deploying ${ms(phases.deploying)}; ` +
      `job queue so far: ${queue.delivered.stream_seq} messages, ${queue.num_redelivered} redelivered; ` +
      `jobs per builder: ${[...byBuilder.values()].map((j) => j.length).join(' + ')}; at most ${most} running at once; ` +
      `accepted→ended (s from the trigger) per builder: ${[...byBuilder.values()].map((j) => j.join(', ')).join(' | ')}`
    );
  } finally {
    await db.end();
  }
}

interface BuildRound {
  builders: number;
  perMinute: number;
  seconds: number;
  /** trigger → succeeded, median */
  medianSeconds: number;
  /** the machine's CPU busy share over the round, 0..1 */
  busy: number;
}

export const scale: Scenario = {
  name: 'scale',
  description:
    `log lines/s with ${LOG_INGEST_REPLICAS.join(' and ')} log-ingest replicas; deployments/min with ${BUILDERS.join(', ')} builder replicas ` +
    `(${DEPLOYMENTS} static sites at once, each build sleeping ${BUILD_SLEEP_S} s, FLIGHTDECK_BUILD_CONCURRENCY=1); each a ratio to one replica (targets ≥ 1.8× at 2, ≥ 3.2× at 4 builders)`,
  timeoutMs: 12 * 60_000,
  async run(ctx: BenchContext): Promise<Measurement[]> {
    const results: Measurement[] = [];
    const loads: string[] = [];
    const loadNow = () => loadavg()[0].toFixed(1);

    // log-ingest replicas
    const nc = await connect({ ...ctx.nats.connectOptions(), name: 'bench scale' });
    const db = new Client({ connectionString: ctx.postgres.url });
    await db.connect();
    try {
      for (const replicas of LOG_INGEST_REPLICAS) {
        const { rate } = await ingestRound(ctx, nc, db, { replicas }, INGEST_SIZE);
        loads.push(`log-ingest×${replicas} ${loadNow()}`);
        results.push({
          figure: `log lines/s, ${replicas} log-ingest`,
          unit: 'lines/s',
          value: rate,
          baseline: 'scale/log lines/s, 1 log-ingest',
          note: `${INGEST_SIZE.deployments * INGEST_SIZE.linesPerDeployment} lines, published → committed, seq 1..N once each`,
        });
      }
    } finally {
      await db.end();
      await nc.drain().catch(() => undefined);
    }

    // builder replicas: each with a router port of its own, one build at a time
    const builderEnv = async () => ({ FLIGHTDECK_BUILD_CONCURRENCY: '1', FLIGHTDECK_ROUTER_PORT: String(await freePort()) });
    const stack = await startFlightdeck(ctx, { env: { builder: await builderEnv() } });
    try {
      let running = 1;
      const rounds: BuildRound[] = [];
      for (const builders of BUILDERS) {
        while (running < builders) {
          await stack.addReplica('builder', await builderEnv());
          running++;
        }
        const projects: string[] = [];
        for (let i = 0; i < DEPLOYMENTS; i++) {
          const name = `scale${builders}-site${i}`;
          const repo = GitRepo.create(sleepySite(name), 'sleepy site', { dir: join(ctx.workDir, 'repos', name) });
          projects.push((await stack.api.createProject({ name, repositoryUrl: repo.dir })).id);
        }
        const ticks0 = machineTicks();
        const t0 = Date.now();
        const triggered = await Promise.all(projects.map((id) => stack.api.triggerDeployment(id, { sourceRef: 'main' })));
        const ended = new Map<string, { deployment: Deployment; at: number }>();
        await until(
          `${DEPLOYMENTS} deployments with ${builders} builder(s) to end`,
          async () => {
            for (const d of triggered) {
              if (ended.has(d.id)) continue;
              const now = await stack.api.getDeployment(d.id);
              if (isTerminal(now.status)) ended.set(d.id, { deployment: now, at: Date.now() });
            }
            return ended.size === triggered.length ? true : undefined;
          },
          { timeoutMs: DEPLOY_TIMEOUT_MS, everyMs: 200, signal: ctx.signal },
        );
        const failed = [...ended.values()].filter((e) => e.deployment.status !== 'succeeded');
        if (failed.length) {
          const f = failed[0].deployment;
          throw new Error(
            `${failed.length} of ${DEPLOYMENTS} deployments did not succeed with ${builders} builder(s): ${f.status} ${f.errorCode ?? ''} ${f.errorMessage ?? ''}\n` +
              stack.recentOutput('builder').slice(-20).join('\n'),
          );
        }
        const seconds = (Math.max(...[...ended.values()].map((e) => e.at)) - t0) / 1000;
        const ticks1 = machineTicks();
        const round: BuildRound = {
          builders,
          seconds,
          perMinute: (DEPLOYMENTS * 60) / seconds,
          medianSeconds: median([...ended.values()].map((e) => (e.at - t0) / 1000)),
          busy: (ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total),
        };
        rounds.push(round);
        loads.push(`builder×${builders} ${loadNow()}`);
        ctx.log(
          `${builders} builder(s): ${DEPLOYMENTS} deployments in ${seconds.toFixed(1)} s = ${round.perMinute.toFixed(1)}/min ` +
            `(trigger → succeeded median ${round.medianSeconds.toFixed(1)} s); CPU ${(round.busy * 100).toFixed(0)} % busy, load average ${loadNow()}`,
        );
        ctx.log(`  ${await roundDiagnostics(ctx, triggered.map((d) => d.id), t0)}`);
      }
      for (const r of rounds) {
        results.push({
          figure: `deployments/min, ${r.builders} builder${r.builders > 1 ? 's' : ''}`,
          unit: 'deployments/min',
          value: r.perMinute,
          baseline: 'scale/deployments/min, 1 builder',
          note: `${DEPLOYMENTS} triggered at once → last succeeded in ${r.seconds.toFixed(1)} s (median ${r.medianSeconds.toFixed(1)} s); build sleeps ${BUILD_SLEEP_S} s; FLIGHTDECK_BUILD_CONCURRENCY=1; the machine's CPU ${(r.busy * 100).toFixed(0)} % busy${r.builders > 1 ? `; target ratio ≥ ${r.builders === 2 ? '1.8' : '3.2'}` : ''}`,
        });
      }
    } finally {
      await stack.stop();
    }
    ctx.log(`machine load average (1 min) after each round, ${cpus().length} cores: ${loads.join(', ')}`);
    results[0].note = `${results[0].note}; load averages after each round: ${loads.join(', ')}`;
    return results;
  },
};
