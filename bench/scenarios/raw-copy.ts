import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type Scenario, timed } from '../scenario';

// The ceiling log-ingest is measured against: log-shaped rows written with COPY straight into a
// table shaped like logs.log_lines (same columns, same primary key), no service code in between.
// Rows go in transactions of 20,000 (log-ingest's LOG_INGEST_MAX_LINES_PER_TX default), 20
// deployments of 10,000 lines each, messages of about 100 characters.

const DEPLOYMENTS = 20;
const LINES_PER_DEPLOYMENT = 10_000;
const ROWS_PER_TX = 20_000;
const ROWS_PER_CHUNK = 500;
const TABLE = 'bench_raw_copy.log_lines';
// each round well under a second on a laptop: the median of a few is steadier than one
const ROUNDS = 3;

const WORDS = [
  'compiled',
  'module',
  'src/components/Widget.tsx',
  'in',
  'ms',
  'chunk',
  'vendor',
  'resolved',
  'warning:',
  'npm',
  'packages',
  'added',
  'audited',
  'build/static/js/main.js',
  'gzip',
  'kB',
  'transforming',
  'rendering',
  'done',
];

// Deterministic pseudo-random text: the same rows on every run.
const lcg = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

// COPY text format: backslash, tab, newline and carriage return are escaped.
const field = (s: string) =>
  s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

function transactions(): Buffer[][] {
  const rand = lcg(42);
  const levels = ['info', 'info', 'info', 'warn', 'error', 'debug'];
  const steps = ['clone', 'install', 'build', 'package', 'release'];
  const start = Date.UTC(2025, 0, 1);
  const rows: string[] = [];
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const deploymentId = randomUUID();
    for (let seq = 1; seq <= LINES_PER_DEPLOYMENT; seq++) {
      let message = `[${seq}]`;
      while (message.length < 100) message += ` ${WORDS[Math.floor(rand() * WORDS.length)]}`;
      const ts = new Date(start + d * 600_000 + seq * 7).toISOString();
      const level = levels[Math.floor(rand() * levels.length)];
      const step = steps[Math.min(steps.length - 1, Math.floor((seq / LINES_PER_DEPLOYMENT) * steps.length))];
      rows.push(
        `${deploymentId}\t${seq}\t${ts}\t${level}\tbuild\t${step}\t${field(message.slice(0, 100))}\n`,
      );
    }
  }
  const txs: Buffer[][] = [];
  for (let t = 0; t < rows.length; t += ROWS_PER_TX) {
    const chunks: Buffer[] = [];
    for (let c = t; c < Math.min(t + ROWS_PER_TX, rows.length); c += ROWS_PER_CHUNK) {
      chunks.push(Buffer.from(rows.slice(c, Math.min(c + ROWS_PER_CHUNK, t + ROWS_PER_TX)).join('')));
    }
    txs.push(chunks);
  }
  return txs;
}

async function copyAll(client: Client, txs: Buffer[][], signal: AbortSignal): Promise<void> {
  for (const chunks of txs) {
    signal.throwIfAborted();
    // one COPY statement outside an explicit transaction commits on its own
    const stream = client.query(
      copyFrom(`copy ${TABLE} (deployment_id, seq, ts, level, source, step, message) from stdin`),
    );
    await pipeline(Readable.from(chunks), stream);
  }
}

export const rawCopy: Scenario = {
  name: 'raw-copy',
  description: `COPY ${DEPLOYMENTS * LINES_PER_DEPLOYMENT} log-shaped rows into Postgres, ${ROWS_PER_TX} per transaction`,
  async run(ctx) {
    const txs = transactions();
    const total = DEPLOYMENTS * LINES_PER_DEPLOYMENT;
    const client = new Client({ connectionString: ctx.postgres.url });
    await client.connect();
    try {
      await client.query('drop schema if exists bench_raw_copy cascade');
      await client.query('create schema bench_raw_copy');
      await client.query(`
        create table ${TABLE} (
          deployment_id uuid not null,
          seq int not null,
          ts timestamptz not null,
          level text not null,
          source text not null,
          step text not null,
          message text not null,
          primary key (deployment_id, seq)
        )`);
      // warm-up: one transaction's worth
      await copyAll(client, txs.slice(0, 1), ctx.signal);
      const times: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // each round into an empty table, with no checkpoint debt left from the previous one
        await client.query(`truncate ${TABLE}`);
        await client.query('checkpoint');
        const { seconds } = await timed(() => copyAll(client, txs, ctx.signal));
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${TABLE}`);
        if (rows[0].n !== total) throw new Error(`expected ${total} rows, found ${rows[0].n}`);
        times.push(seconds);
      }
      const median = [...times].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
      ctx.log(`${total} rows: ${times.map((t) => `${t.toFixed(2)} s`).join(', ')} (median counts)`);
      return [{ figure: 'copy', unit: 'rows/s', value: total / median }];
    } finally {
      await client.query('drop schema if exists bench_raw_copy cascade').catch(() => undefined);
      await client.end();
    }
  },
};
