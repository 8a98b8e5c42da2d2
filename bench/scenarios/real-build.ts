import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { GitRepo, getWithHost } from '@flightdeck/testing';
import type { Measurement } from '../results';
import type { BenchContext, Scenario } from '../scenario';
import { until } from '../support/abortable';
import { runCommand } from '../support/child-commands';
import { type FlightdeckStack, startFlightdeck } from '../support/flightdeck-stack';
import { epochMs } from '../support/percentiles';

// A Vite React app with its real dependencies from the npm registry (the builder's own test
// fixture, lockfile committed), built cold (an empty build cache, an empty npm cache by hand) and
// warm (a new commit with the same lockfile), each beside the same clone + install + build by hand
// in the same run. Targets: platform ≤ 20 % over by hand, cold and warm; warm/cold ≤ 0.5.

const FIXTURE = join(__dirname, '..', '..', 'apps', 'builder', 'test', 'fixtures', 'vite-react');
const PROJECT = 'vitereact';
const DEPLOY_TIMEOUT_MS = 240_000;

async function byHand(ctx: BenchContext, repoDir: string, dir: string, cacheDir: string): Promise<number> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), CI: 'true', npm_config_cache: cacheDir, npm_config_update_notifier: 'false' };
  const app = join(dir, 'app');
  const t0 = epochMs();
  await runCommand({ argv: ['git', 'clone', '--quiet', '--', repoDir, app], env, signal: ctx.signal });
  await runCommand({ argv: ['npm', 'ci', '--no-audit', '--no-fund'], cwd: app, env, signal: ctx.signal });
  await runCommand({ argv: ['npm', 'run', 'build'], cwd: app, env: { ...env, NODE_ENV: 'production' }, signal: ctx.signal });
  const ms = epochMs() - t0;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

// trigger → the edge serves the page with `marker`
async function throughPlatform(ctx: BenchContext, stack: FlightdeckStack, projectId: string, marker: string): Promise<number> {
  const t0 = epochMs();
  const d = await stack.api.triggerDeployment(projectId, { sourceRef: 'main' });
  await until(
    `the edge to serve "${marker}" (deployment ${d.id})`,
    async () => {
      const res = await getWithHost(stack.edgePort, `${PROJECT}-production.localhost`, '/', 2_000);
      if (res.status === 200 && res.body.includes(marker)) return true;
      const now = await stack.api.getDeployment(d.id);
      if (now.status === 'failed' || now.status === 'canceled') throw new Error(`deployment ${d.id} ${now.status}: ${now.errorMessage}`);
      return undefined;
    },
    { timeoutMs: DEPLOY_TIMEOUT_MS, everyMs: 50, signal: ctx.signal },
  );
  return epochMs() - t0;
}

export const realBuild: Scenario = {
  name: 'real-build',
  description: 'cold and warm deploy of a Vite React app with real npm dependencies beside clone + install + build by hand; targets: ≤ 20 % over by hand, warm/cold ≤ 0.5',
  timeoutMs: 10 * 60_000,
  async run(ctx) {
    const stack = await startFlightdeck(ctx);
    try {
      const repo = new GitRepo({ dir: join(ctx.workDir, 'repos', 'vite-react') }).copyFrom(FIXTURE);
      repo.commit('vite react');
      const project = await stack.api.createProject({ name: PROJECT, repositoryUrl: repo.dir });
      const npmCache = join(ctx.workDir, 'by-hand-npm-cache');

      const handCold = Math.round(await byHand(ctx, repo.dir, join(ctx.workDir, 'hand-cold'), npmCache));
      const cold = Math.round(await throughPlatform(ctx, stack, project.id, '<title>Vite React</title>'));
      repo.write({ 'index.html': repo.git('show', 'HEAD:index.html').replace('<title>Vite React</title>', '<title>Vite React warm</title>') });
      repo.commit('warm');
      const handWarm = Math.round(await byHand(ctx, repo.dir, join(ctx.workDir, 'hand-warm'), npmCache));
      const warm = Math.round(await throughPlatform(ctx, stack, project.id, '<title>Vite React warm</title>'));
      const pct = (p: number, h: number) => `${(((p - h) / h) * 100).toFixed(0)} %`;
      ctx.log(`cold: platform ${cold} ms, by hand ${handCold} ms (${pct(cold, handCold)} over); warm: platform ${warm} ms, by hand ${handWarm} ms (${pct(warm, handWarm)} over); warm/cold ${(warm / cold).toFixed(2)}`);
      const key = (f: string) => `real-build/${f}`;
      const figures: Measurement[] = [
        { figure: 'by-hand-cold', unit: 'ms', value: handCold },
        { figure: 'cold', unit: 'ms', value: cold, baseline: key('by-hand-cold') },
        { figure: 'by-hand-warm', unit: 'ms', value: handWarm },
        { figure: 'warm', unit: 'ms', value: warm, baseline: key('by-hand-warm') },
        { figure: 'warm-vs-cold', unit: 'ms', value: warm, baseline: key('cold'), note: 'target: ratio ≤ 0.5' },
      ];
      return figures;
    } finally {
      await stack.stop();
    }
  },
};
