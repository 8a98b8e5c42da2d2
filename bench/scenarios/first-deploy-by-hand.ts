import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, getWithHost } from '@flightdeck/testing';
import { until } from '../support/abortable';
import { runCommand, startCommand } from '../support/child-commands';
import { epochMs } from '../support/percentiles';

export interface ByHandTimes {
  clone: number;
  /** install + build, as the platform's `building` status covers both */
  installBuild: number;
  /** start until the first 200 with the expected content */
  start: number;
  total: number;
}

export interface ByHandRun {
  repoDir: string;
  branch: string;
  /** the page must contain this to count as served */
  expect: string;
  /** scratch dir of this run */
  dir: string;
  /** npm cache kept between runs, as the builder keeps its own */
  cacheDir: string;
  signal: AbortSignal;
}

const POLL_MS = 25;
const START_TIMEOUT_MS = 60_000;

// What a person does without the platform: clone, install with the lockfile's package manager,
// run the build script, start the server on a port and wait until it answers; then stop it.
// The environment is the builder's minimal one (CI=true, an npm cache of its own, NODE_ENV=production
// for the build and the server), so that both sides do the same work.
export async function deployByHand(run: ByHandRun): Promise<ByHandTimes> {
  const app = join(run.dir, 'app');
  const home = join(run.dir, 'home');
  const tmp = join(run.dir, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    TMPDIR: tmp,
    LANG: process.env.LANG ?? 'C.UTF-8',
    CI: 'true',
    npm_config_cache: run.cacheDir,
    npm_config_update_notifier: 'false',
  };
  const { signal } = run;

  const t0 = epochMs();
  await runCommand({ argv: ['git', 'clone', '--quiet', '--branch', run.branch, '--', run.repoDir, app], env, signal });
  const t1 = epochMs();
  const install = existsSync(join(app, 'package-lock.json')) ? ['npm', 'ci', '--no-audit', '--no-fund'] : ['npm', 'install', '--no-audit', '--no-fund'];
  await runCommand({ argv: install, cwd: app, env, signal });
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (pkg.scripts?.build) await runCommand({ argv: ['npm', 'run', 'build'], cwd: app, env: { ...env, NODE_ENV: 'production' }, signal });
  const t2 = epochMs();

  const port = await freePort();
  const server = startCommand({ argv: ['npm', 'start'], cwd: app, env: { ...env, NODE_ENV: 'production', PORT: String(port) } });
  try {
    await until(
      `the app started by hand to answer on port ${port}`,
      async () => {
        if (server.child.exitCode !== null) throw new Error(`npm start exited with ${server.child.exitCode}: ${server.output()}`);
        const res = await getWithHost(port, `127.0.0.1:${port}`, '/', 2_000);
        return res.status === 200 && res.body.includes(run.expect) ? true : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, everyMs: POLL_MS, signal },
    );
    const t3 = epochMs();
    return { clone: (t1 - t0) / 1000, installBuild: (t2 - t1) / 1000, start: (t3 - t2) / 1000, total: (t3 - t0) / 1000 };
  } finally {
    await server.stop();
  }
}
