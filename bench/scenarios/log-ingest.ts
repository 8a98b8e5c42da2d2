import { randomUUID } from 'node:crypto';
import { type JetStreamClient, type JetStreamManager, type NatsConnection, connect } from 'nats';
import { Client } from 'pg';
import { Durables, type LogBatch, type LogLine, Streams, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { type ServiceProcess, spawnService, waitForReady } from '@flightdeck/local-stack';
import { encodeEvent } from '@flightdeck/messaging';
import type { Measurement } from '../results';
import type { BenchContext, Scenario } from '../scenario';
import { raceAbort } from '../support/abortable';

// End to end through the product: LINES lines from DEPLOYMENTS deployments, LINES_PER_MESSAGE per
// JetStream message in the builder's own envelope, subject and message ids
// (apps/builder/src/logs/log-batch-publisher.ts), published with acks pipelined, stored by
// log-ingest running as real processes (1, then 2 replicas). The clock runs from the first publish
// to the moment every row is committed; then every deployment must hold seq 1..N exactly once. A
// last round kills the replica with SIGKILL at 40 % and starts it again: still exactly once.
// Baseline: raw COPY of log-shaped rows into the same Postgres, in the same run.

const DEPLOYMENTS = 100;
const LINES_PER_DEPLOYMENT = 10_000;
const LINES_PER_MESSAGE = 500;
const LINES = DEPLOYMENTS * LINES_PER_DEPLOYMENT;
const WINDOW = 256;
const REPLICAS = [1, 2] as const;
const READY_TIMEOUT_MS = 120_000;

const WORDS = ['compiled', 'module', 'src/components/Widget.tsx', 'in', 'ms', 'chunk', 'vendor', 'resolved', 'warning:', 'npm', 'gzip', 'kB', 'done'];
const LEVELS = ['info', 'info', 'info', 'warn', 'error', 'debug'] as const;
const STEPS = ['clone', 'install', 'build', 'package', 'release'];

interface Message {
  subject: string;
  msgID: string;
  payload: Uint8Array;
}

// Deterministic text, about 100 characters a line as in raw-copy; deployments interleave as when
// 100 builds run at once.
/** how many lines a round publishes: DEPLOYMENTS × LINES_PER_DEPLOYMENT unless told */
export interface IngestSize {
  deployments: number;
  linesPerDeployment: number;
}
const FULL: IngestSize = { deployments: DEPLOYMENTS, linesPerDeployment: LINES_PER_DEPLOYMENT };

function messages({ deployments, linesPerDeployment }: IngestSize): Message[] {
  let seed = 42;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  // today's lines, as a running build prints them: a line of an ended day goes to a partition whose
  // words are indexed (GIN), which a run just after midnight UTC with an hour-old start hit (8x slower)
  const start = Math.max(Date.now() - 60_000, Math.floor(Date.now() / 86_400_000) * 86_400_000);
  const ids = Array.from({ length: deployments }, () => randomUUID());
  const out: Message[] = [];
  for (let first = 1; first <= linesPerDeployment; first += LINES_PER_MESSAGE) {
    for (const [d, deploymentId] of ids.entries()) {
      const lines: LogLine[] = [];
      for (let seq = first; seq < first + LINES_PER_MESSAGE; seq++) {
        let message = `[${seq}]`;
        while (message.length < 100) message += ` ${WORDS[Math.floor(rand() * WORDS.length)]}`;
        lines.push({
          seq,
          timestamp: new Date(start + d * 1_000 + seq * 7).toISOString(),
          level: LEVELS[Math.floor(rand() * LEVELS.length)],
          source: 'build',
          step: STEPS[Math.min(STEPS.length - 1, Math.floor((seq / linesPerDeployment) * STEPS.length))],
          message: message.slice(0, 100),
        });
      }
      const batch: LogBatch = { deploymentId, lines };
      const msgID = `${deploymentId}:1:${first}`;
      out.push({ subject: subjectFor(logLinesPublished.subject, deploymentId), msgID, payload: encodeEvent(logLinesPublished, batch, msgID) });
    }
  }
  return out;
}

async function publishAll(js: JetStreamClient, all: Message[], signal: AbortSignal): Promise<void> {
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settled = () => {
    inFlight--;
    wake?.();
    wake = undefined;
  };
  for (const m of all) {
    while (inFlight >= WINDOW) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    signal.throwIfAborted();
    inFlight++;
    js.publish(m.subject, m.payload, { msgID: m.msgID, timeout: 30_000 }).then(settled, (e: Error) => {
      failure ??= e;
      settled();
    });
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  if (failure) throw failure;
}

// log-ingest acks a message after the commit that stored its lines: once the durable has acked
// everything the stream holds, every row is committed. (Counting rows instead would scan the
// table the ingest is writing to, 20 times a second.)
async function waitUntilAcked(jsm: JetStreamManager, signal: AbortSignal): Promise<void> {
  const stream = await jsm.streams.info(Streams.buildLogs.name);
  for (;;) {
    const c = await jsm.consumers.info(Streams.buildLogs.name, Durables.logBatches);
    if (c.ack_floor.stream_seq >= stream.state.last_seq && c.num_ack_pending === 0) return;
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Per deployment: exactly seq 1..N, each once.
async function checkExactlyOnce(db: Client, { deployments, linesPerDeployment }: IngestSize): Promise<void> {
  const { rows } = await db.query<{ deployments: number; bad: number }>(`
    select count(*)::int as deployments,
           count(*) filter (where n <> $1 or distinct_seqs <> $1 or lo <> 1 or hi <> $1)::int as bad
    from (select deployment_id, count(*) as n, count(distinct seq) as distinct_seqs, min(seq) as lo, max(seq) as hi
          from logs.log_lines group by deployment_id) d`, [linesPerDeployment]);
  if (rows[0].deployments !== deployments || rows[0].bad !== 0) {
    throw new Error(`expected ${deployments} deployments with seq 1..${linesPerDeployment} once each, found ${JSON.stringify(rows[0])}`);
  }
}

async function startReplicas(ctx: BenchContext, n: number): Promise<ServiceProcess[]> {
  const replicas: ServiceProcess[] = [];
  const output: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const replica = await spawnService(
        'log-ingest',
        {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'production',
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
          LOG_FORMAT: 'json',
          ...ctx.nats.envFor('log-ingest'),
          DATABASE_URL: ctx.databaseUrls['log-ingest'],
          HTTP_HOST: '127.0.0.1',
        },
        {
          onOutput: (line) => {
            output.push(`log-ingest#${i} | ${line}`);
            if (process.env.BENCH_VERBOSE) console.log(`log-ingest#${i} | ${line}`);
          },
        },
      );
      replicas.push(replica);
      // one at a time: the first runs the migrations
      await raceAbort(waitForReady(replica.healthPort, READY_TIMEOUT_MS, replica.exited), ctx.signal);
    }
    return replicas;
  } catch (e) {
    await Promise.all(replicas.map((r) => r.stop(5_000)));
    throw new Error(`${(e as Error).message}\n${output.slice(-30).join('\n')}`);
  }
}

export interface Round {
  replicas: number;
  /** SIGKILL one replica once this share of the messages is acked, then start it again */
  killAt?: number;
}

// Resolves once the durable's ack floor has passed `streamSeq`.
async function ackedPast(jsm: JetStreamManager, streamSeq: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const c = await jsm.consumers.info(Streams.buildLogs.name, Durables.logBatches);
    if (c.ack_floor.stream_seq >= streamSeq) return;
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Kills a replica with SIGKILL mid-run (lines committed but not acked come again) and starts
// another: none may be lost or stored twice.
async function killAndRestart(ctx: BenchContext, jsm: JetStreamManager, running: ServiceProcess[], at: number): Promise<void> {
  await ackedPast(jsm, at, ctx.signal);
  const victim = running.shift()!;
  victim.child.kill('SIGKILL');
  await victim.exited;
  running.push(...(await startReplicas(ctx, 1)));
}

// One round: log-ingest replicas started, the lines published and committed, exactly once checked.
// `npm run bench -- scale` runs it too, with fewer lines.
export async function ingestRound(ctx: BenchContext, nc: NatsConnection, db: Client, r: Round, size: IngestSize = FULL): Promise<{ rate: number; seconds: number }> {
  const lines = size.deployments * size.linesPerDeployment;
  const all = messages(size);
  const running = await startReplicas(ctx, r.replicas);
  try {
    await db.query('truncate logs.log_lines');
    await db.query('checkpoint');
    const jsm = await nc.jetstreamManager();
    const firstSeq = (await jsm.streams.info(Streams.buildLogs.name)).state.last_seq + 1;
    const started = process.hrtime.bigint();
    const crash = r.killAt === undefined ? undefined : killAndRestart(ctx, jsm, running, firstSeq + Math.floor(all.length * r.killAt));
    await publishAll(nc.jetstream(), all, ctx.signal);
    const published = Number(process.hrtime.bigint() - started) / 1e9;
    await crash;
    await waitUntilAcked(jsm, ctx.signal);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await checkExactlyOnce(db, size);
    const what = `${r.replicas} replica(s)${r.killAt === undefined ? '' : `, one killed -9 at ${r.killAt * 100} % and restarted`}`;
    ctx.log(`${what}: ${lines} lines published in ${published.toFixed(2)} s, committed after ${seconds.toFixed(2)} s: ${Math.round(lines / seconds)} lines/s, seq 1..N once each`);
    return { rate: lines / seconds, seconds };
  } finally {
    await Promise.all(running.map((p) => p.stop(10_000)));
  }
}

export const logIngest: Scenario = {
  name: 'log-ingest',
  description:
    `${LINES} lines from ${DEPLOYMENTS} deployments, ${LINES_PER_MESSAGE} per JetStream message, published → committed rows ` +
    `with ${REPLICAS.join(' and ')} log-ingest replica(s) (target ≥ 100k lines/s or ≥ 40 % of raw COPY), then with one killed -9 mid-run`,
  timeoutMs: 8 * 60_000,
  baselines: ['raw-copy'],
  async run(ctx) {
    const nc = await connect({ ...ctx.nats.connectOptions(), name: 'bench log-ingest' });
    const db = new Client({ connectionString: ctx.postgres.url });
    await db.connect();
    try {
      const results: Measurement[] = [];
      for (const n of REPLICAS) {
        const { rate } = await ingestRound(ctx, nc, db, { replicas: n });
        results.push({ figure: `${n}-replica${n > 1 ? 's' : ''}`, unit: 'lines/s', value: rate, baseline: 'raw-copy/copy' });
      }
      // a check more than a speed: the killed replica's unacked messages come again only after
      // JetStream's ack wait (30 s), and a new replica takes seconds to start
      const { seconds } = await ingestRound(ctx, nc, db, { replicas: 1, killAt: 0.4 });
      results.push({ figure: 'kill-9-all-stored', unit: 's', value: seconds });
      return results;
    } finally {
      await db.end();
      await nc.drain().catch(() => undefined);
    }
  },
};
