import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_VIEW, baseEnvironment } from '../../apps/builder/src/build/build-environment';
import type { BuilderConfig } from '../../apps/builder/src/config/builder.config';
import { Sandboxes } from '../../apps/builder/src/sandbox/sandboxes';
import type { Measurement } from '../results';
import { type BenchContext, type Scenario, timed } from '../scenario';
import { runCommand } from '../support/child-commands';
import { median } from '../support/percentiles';

// The cost of isolation itself: examples/hello-node's install + build (`npm ci && npm run build`)
// run by hand and in the builder's sandbox (bubblewrap, the project's user, a cgroup with the
// default limits), alternating, each in a fresh copy with a warm npm cache of its own; and the
// bare start of `true` both ways. Figures are medians.

const EXAMPLE_DIR = join(__dirname, '..', '..', 'examples', 'hello-node');
const ROUNDS = 5;
const INSTALL_BUILD = ['/bin/sh', '-c', 'npm ci --no-audit --no-fund && npm run build'];

export const sandboxCost: Scenario = {
  name: 'sandbox-cost',
  description: `install + build of examples/hello-node and the start of \`true\`, in the builder's sandbox beside by hand (median of ${ROUNDS})`,
  timeoutMs: 5 * 60_000,
  async run(ctx: BenchContext): Promise<Measurement[]> {
    const config = {
      FLIGHTDECK_DATA_DIR: join(ctx.workDir, 'data'),
      FLIGHTDECK_EDGE_PORT: 1,
      FLIGHTDECK_ISOLATION: 'sandbox',
    } as BuilderConfig;
    const sandboxes = new Sandboxes(config);
    await sandboxes.onModuleInit();
    ctx.log(`sandboxes: ${sandboxes.describe()}`);
    const project = 'bench-sandbox';
    const user = await sandboxes.userFor(project);
    const limits = { memoryMb: 4096, processes: 1024, cpus: 2 };

    const prepareDir = (name: string) => {
      const root = join(ctx.workDir, name);
      rmSync(root, { recursive: true, force: true });
      for (const d of ['app', 'home', 'tmp', 'cache']) mkdirSync(join(root, d), { recursive: true });
      cpSync(EXAMPLE_DIR, join(root, 'app'), { recursive: true });
      return root;
    };
    const byHand = async (argv: string[], root: string) => {
      const paths = { workDir: root, cacheDir: join(root, 'cache') };
      return (await timed(() => runCommand({ argv, cwd: join(root, 'app'), env: baseEnvironment(paths), signal: ctx.signal }))).seconds;
    };
    const sandboxed = async (argv: string[], root: string, name: string) => {
      await sandboxes.handOver([root], user);
      const prepared = await sandboxes.prepare({
        name,
        project,
        argv,
        cwd: join(SANDBOX_VIEW.workDir, 'app'),
        env: baseEnvironment(SANDBOX_VIEW),
        mounts: [
          { source: root, target: SANDBOX_VIEW.workDir, writable: true },
          { source: join(root, 'cache'), target: SANDBOX_VIEW.cacheDir, writable: true },
        ],
        limits,
      });
      try {
        return (await timed(() => runCommand({ argv: prepared.argv, cwd: prepared.cwd, env: prepared.env, signal: ctx.signal }))).seconds;
      } finally {
        await prepared.dispose();
      }
    };

    const hand = prepareDir('by-hand');
    const boxed = prepareDir('sandboxed');
    // warm both npm caches (and node's page cache) before anything is timed
    await byHand(INSTALL_BUILD, hand);
    await sandboxed(INSTALL_BUILD, boxed, 'bench-warm');
    const rows: { hand: number; boxed: number; trueHand: number; trueBoxed: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const root of [hand, boxed]) rmSync(join(root, 'app', 'node_modules'), { recursive: true, force: true });
      const row = {
        hand: await byHand(INSTALL_BUILD, hand),
        boxed: await sandboxed(INSTALL_BUILD, boxed, `bench-${round}`),
        trueHand: await byHand(['true'], hand),
        trueBoxed: await sandboxed(['true'], boxed, `bench-true-${round}`),
      };
      rows.push(row);
      ctx.log(`round ${round}: install+build by hand ${row.hand.toFixed(2)} s, sandboxed ${row.boxed.toFixed(2)} s; true ${(row.trueHand * 1000).toFixed(0)} ms vs ${(row.trueBoxed * 1000).toFixed(0)} ms`);
    }
    const ms = (pick: (r: (typeof rows)[number]) => number) => median(rows.map(pick)) * 1000;
    const key = (figure: string) => `sandbox-cost/${figure}`;
    return [
      { figure: 'install-build-by-hand', unit: 'ms', value: ms((r) => r.hand) },
      { figure: 'install-build-sandboxed', unit: 'ms', value: ms((r) => r.boxed), baseline: key('install-build-by-hand') },
      { figure: 'start-by-hand', unit: 'ms', value: ms((r) => r.trueHand) },
      { figure: 'start-sandboxed', unit: 'ms', value: ms((r) => r.trueBoxed), baseline: key('start-by-hand') },
    ];
  },
};
