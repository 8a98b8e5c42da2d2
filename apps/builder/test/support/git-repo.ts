import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Files = Record<string, string>;

// A real git repository in a temp dir, built commit by commit as a test needs it.
export class GitRepo {
  private constructor(readonly dir: string) {}

  static create(files: Files, message = 'initial commit'): GitRepo {
    const repo = new GitRepo(mkdtempSync(join(tmpdir(), 'fd-repo-')));
    repo.git('init', '--quiet', '--initial-branch=main');
    repo.git('config', 'user.name', 'Ada Lovelace');
    repo.git('config', 'user.email', 'ada@example.com');
    repo.commit(files, message);
    return repo;
  }

  /** writes the files and commits them; returns the new sha */
  commit(files: Files, message: string): string {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), content);
    }
    this.git('add', '-A');
    this.git('commit', '--quiet', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD').trim();
  }

  tag(name: string): void {
    this.git('tag', '-a', name, '-m', `release ${name}`);
  }

  branch(name: string): void {
    this.git('checkout', '--quiet', '-b', name);
  }

  checkout(name: string): void {
    this.git('checkout', '--quiet', name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  }
}

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

// A build that never ends on its own: it writes the pids of itself, a child that ignores SIGTERM
// and a grandchild in a session of its own to PID_FILE, then sleeps.
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
