// `npm run bench [-- <scenario>…]`: starts a real Postgres and nats-server on 127.0.0.1 (temp dirs,
// free ports) once, runs the named scenarios (all without names), writes bench/results/<scenario>.json
// and prints a table. Never part of `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import {
  type NatsServer,
  type PostgresServer,
  provisionServices,
  startNats,
  startPostgres,
} from '@flightdeck/local-stack';
import {
  type BenchResult,
  BaselineBook,
  RESULTS_DIR,
  formatTable,
  readResults,
  writeResults,
} from './results';
import type { BenchContext, Scenario } from './scenario';
import { SCENARIOS } from './scenarios';

const DEFAULT_TIMEOUT_MS = 60_000;
const say = (msg: string) => console.log(`[bench] ${msg}`);

// The named scenarios, each preceded by any baseline scenario it needs that has no stored result.
export function plan(names: string[]): Scenario[] {
  const byName = new Map(SCENARIOS.map((s) => [s.name, s]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length)
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${[...byName.keys()].join(', ')}`);
  const wanted = names.length ? names.map((n) => byName.get(n)!) : [...SCENARIOS];
  const ordered: Scenario[] = [];
  const add = (s: Scenario) => {
    if (ordered.includes(s)) return;
    for (const b of s.baselines ?? []) {
      const base = byName.get(b);
      if (!base) throw new Error(`${s.name}: unknown baseline scenario ${b}`);
      if (wanted.includes(base) || !readResults(b)) add(base);
    }
    ordered.push(s);
  };
  for (const s of wanted) add(s);
  return ordered;
}

// Runs one scenario under its time budget; a scenario that overruns is aborted and reported failed.
async function runScenario(s: Scenario, base: Omit<BenchContext, 'signal' | 'workDir' | 'log'>) {
  const controller = new AbortController();
  const budget = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const workDir = mkdtempSync(join(tmpdir(), `fd-bench-${s.name}-`));
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`over its ${budget / 1000} s budget`));
      reject(new Error(`${s.name}: over its ${budget / 1000} s budget`));
    }, budget);
  });
  try {
    return await Promise.race([
      s.run({ ...base, workDir, signal: controller.signal, log: (m) => say(`${s.name}: ${m}`) }),
      overrun,
    ]);
  } finally {
    clearTimeout(timer);
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main() {
  const scenarios = plan(process.argv.slice(2));
  let postgres: PostgresServer | undefined;
  let nats: NatsServer | undefined;
  const stop = async () => {
    await Promise.all([nats?.dispose(), postgres?.stop()]);
  };
  // the servers run in process groups of their own: stop them on Ctrl-C too
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the servers`);
      void stop().finally(() => process.exit(130));
    });
  }

  const all: BenchResult[] = [];
  const failed: string[] = [];
  try {
    say(`scenarios: ${scenarios.map((s) => s.name).join(', ')}`);
    [postgres, nats] = await Promise.all([startPostgres(), startNats()]);
    const { urls } = await provisionServices(postgres.url);
    say(
      `Postgres ${await serverVersion(postgres.url)} on 127.0.0.1:${postgres.port}, nats-server on 127.0.0.1:${nats.port}`,
    );

    const book = new BaselineBook();
    for (const s of scenarios) {
      say(`${s.name}: ${s.description}`);
      try {
        const results = book.toResults(s.name, await runScenario(s, { postgres, nats, databaseUrls: urls }));
        book.record(results);
        all.push(...results);
        say(`${s.name}: wrote ${relative(process.cwd(), writeResults(s.name, results))}`);
      } catch (e) {
        failed.push(s.name);
        console.error(`[bench] ${s.name} failed: ${(e as Error).message}`);
      }
    }
  } finally {
    await stop();
  }
  if (all.length) console.log(`\n${formatTable(all)}\n`);
  say(`results in ${relative(process.cwd(), RESULTS_DIR)}/`);
  if (failed.length) {
    console.error(`[bench] failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v;
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`[bench] ${(e as Error).message}`);
    process.exit(1);
  });
}
