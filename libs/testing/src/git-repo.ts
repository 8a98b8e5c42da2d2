import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type RepoFiles = Record<string, string>;

export interface GitRepoOptions {
  /** default: a new temp dir */
  dir?: string;
  branch?: string;
}

// A real git repository, built commit by commit as a test or a benchmark needs it.
export class GitRepo {
  readonly dir: string;

  constructor(opts: GitRepoOptions = {}) {
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fd-repo-'));
    mkdirSync(this.dir, { recursive: true });
    this.git('init', '--quiet', `--initial-branch=${opts.branch ?? 'main'}`);
    this.git('config', 'user.name', 'Ada Lovelace');
    this.git('config', 'user.email', 'ada@example.com');
  }

  /** a repository whose first commit holds `files` */
  static create(files: RepoFiles, message = 'initial commit', opts: GitRepoOptions = {}): GitRepo {
    const repo = new GitRepo(opts);
    repo.write(files).commit(message);
    return repo;
  }

  write(files: RepoFiles): this {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), content);
    }
    return this;
  }

  copyFrom(source: string): this {
    cpSync(source, this.dir, { recursive: true });
    return this;
  }

  /** commits everything in the work tree; returns the new sha */
  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '--quiet', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
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

  git(...args: string[]): string {
    // the machine's git config (hooks, signing) must not change what a test sees
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
  }
}
