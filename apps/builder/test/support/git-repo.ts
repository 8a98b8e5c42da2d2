import type { RepoFiles } from '@flightdeck/testing';

export { GitRepo } from '@flightdeck/testing';
export type Files = RepoFiles;

export const staticSite = (title = 'Hello'): Files => ({ 'index.html': `<!doctype html><h1>${title}</h1>` });

// package.json + an empty lockfile: `npm ci` runs for real and needs no network.
export const npmProject = (pkg: { name?: string; scripts: Record<string, string> }, extra: Files = {}): Files => {
  const name = pkg.name ?? 'app';
  return {
    'package.json': JSON.stringify({ name, version: '1.0.0', private: true, scripts: pkg.scripts }, null, 2),
    'package-lock.json': JSON.stringify(
      { name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name, version: '1.0.0' } } },
      null,
      2,
    ),
    ...extra,
  };
};

// A build that never ends on its own: it starts a child that ignores SIGTERM and a grandchild in a
// session of its own, writes their pids (as its sandbox sees them) to PID_FILE, then sleeps.
export const sleepingBuild = (): Files =>
  npmProject(
    { scripts: { build: 'node build.js', start: 'node server.js' } },
    {
      'build.js': `
const { spawn } = require('child_process');
const stubborn = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const escaped = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
setTimeout(() => {
  require('fs').writeFileSync(process.env.PID_FILE, JSON.stringify([process.pid, stubborn.pid, escaped.pid]));
  console.log('sleeping');
}, 200);
setInterval(() => {}, 1000);
`,
      'server.js': '',
    },
  );
