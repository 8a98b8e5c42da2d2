// npm start builds the dashboard (apps/dashboard → dist/apps/dashboard, which the gateway serves at /)
// when it is missing or older than its sources, so a `git pull` never serves a stale one.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
export const DASHBOARD_OUT = join(ROOT, 'dist/apps/dashboard');
// what the bundle is made of: the app, and the two libs it imports
const SOURCES = ['apps/dashboard', 'libs/client/src', 'libs/contracts/src', 'package-lock.json'].map((p) => join(ROOT, p));

const newestMtime = (path: string): number => {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.endsWith('.spec.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
};

export const dashboardIsCurrent = (): boolean => {
  const built = statSync(join(DASHBOARD_OUT, 'index.html'), { throwIfNoEntry: false });
  return !!built && built.mtimeMs >= Math.max(...SOURCES.map(newestMtime));
};

/**
 * Builds it unless current. A failure is reported and start goes on: the platform runs without its
 * dashboard (the gateway's / says how to build it).
 */
export async function ensureDashboardBuilt(say: (msg: string) => void): Promise<void> {
  if (dashboardIsCurrent()) return;
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) {
    say('dashboard: not built, and vite is not installed (a dev dependency: run npm ci without --omit=dev)');
    return;
  }
  say('building the dashboard (vite)…');
  const started = Date.now();
  // built beside it, then swapped in: two launchers of one checkout never serve a half-written one
  const tmp = `${DASHBOARD_OUT}.building-${process.pid}`;
  const output: string[] = [];
  const code = await new Promise<number | null>((done) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', join(ROOT, 'apps/dashboard/vite.config.mts'), '--outDir', tmp, '--logLevel', 'warn'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    child.on('error', (e) => (output.push(e.message), done(null)));
    child.on('exit', done);
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    say(`dashboard: the build failed (exit ${code}); the platform starts without it:\n${output.join('').trim()}`);
    return;
  }
  const old = `${DASHBOARD_OUT}.old-${process.pid}`;
  try {
    if (existsSync(DASHBOARD_OUT)) renameSync(DASHBOARD_OUT, old);
    renameSync(tmp, DASHBOARD_OUT);
  } catch {
    // another launcher swapped its own build in meanwhile: that one is as good
  }
  rmSync(old, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
  say(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
