import { Logger } from '@nestjs/common';
import { ErrorCode, type CommitInfo } from '@flightdeck/contracts';
import { runChildProcess } from '../build/child-process';
import { spawnErrorForLog, spawnFailureMessage } from '../build/spawn-failure';
import { StepAbortedError, StepFailedError } from '../build/step-errors';
import type { BuildLog, OutputStream } from '../logs/build-log';
import { type RepositorySource, isAcceptableRef } from './repository-url';

export interface CheckoutRequest {
  source: RepositorySource;
  ref: string;
  dir: string;
  /** clean environment for git (no builder settings) */
  env: Record<string, string>;
  signal: AbortSignal;
}

interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAX_CAPTURE = 64 * 1024;

const logger = new Logger('SourceCheckout');

const capture = (): OutputStream & { text: () => string } => {
  let text = '';
  return {
    write: (c) => {
      if (text.length < MAX_CAPTURE) text += c.toString();
    },
    end: () => undefined,
    text: () => text,
  };
};

const SHA_LIKE = /^[0-9a-fA-F]{4,64}$/;
const FULL_SHA = /^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;

// Clones a repository into `dir` and checks out a branch, tag or commit, recording what it got.
export class SourceCheckout {
  constructor(private readonly log: BuildLog) {}

  async checkout(req: CheckoutRequest): Promise<CommitInfo> {
    const { source, ref } = req;
    if (!isAcceptableRef(ref)) {
      throw new StepFailedError(ErrorCode.DeploymentInvalidSourceRef, 'clone', `"${ref}" is not a valid branch, tag or commit`);
    }
    this.log.system('clone', `Cloning ${source.display}`);
    // partial clone over the network: history without file contents, blobs come with the checkout
    const filter = /^https?:/.test(source.cloneUrl) ? ['--filter=blob:none'] : [];
    const clone = await this.git(req, ['clone', '--no-checkout', '--quiet', ...filter, '--', source.cloneUrl, req.dir], { cwd: undefined });
    if (clone.code !== 0) {
      this.logLines(clone.stderr, 'error');
      throw new StepFailedError(
        ErrorCode.DeploymentSourceUnavailable,
        'clone',
        this.log.mask(`could not clone ${source.display}: ${lastLine(clone.stderr) || `git exited with code ${clone.code}`}`),
        clone.code,
      );
    }
    const sha = await this.resolve(req);
    if (!sha) {
      this.log.system('clone', `Unknown ref "${ref}": no branch, tag or commit of that name`, 'error');
      throw new StepFailedError(
        ErrorCode.DeploymentInvalidSourceRef,
        'clone',
        `unknown ref "${ref}": no branch, tag or commit of that name in ${source.display}`,
      );
    }
    const co = await this.git(req, ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha]);
    if (co.code !== 0) {
      this.logLines(co.stderr, 'error');
      throw new StepFailedError(ErrorCode.DeploymentSourceUnavailable, 'clone', this.log.mask(`could not check out ${sha}: ${lastLine(co.stderr)}`), co.code);
    }
    const commit = await this.commitInfo(req, sha);
    this.log.system('clone', `Checked out ${commit.sha.slice(0, 12)} (${ref}) by ${commit.author}: ${commit.message.split('\n')[0]}`);
    return commit;
  }

  // Branch first, then tag, then a commit (also an abbreviated one); a full sha that is not on any
  // advertised ref is fetched by id, which most servers allow for reachable commits.
  private async resolve(req: CheckoutRequest): Promise<string | undefined> {
    const { ref } = req;
    if (ref.startsWith('refs/')) {
      const fetched = await this.git(req, ['fetch', '--quiet', 'origin', `+${ref}:refs/flightdeck/target`]);
      return fetched.code === 0 ? this.revParse(req, 'refs/flightdeck/target') : undefined;
    }
    const candidates = [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`];
    if (SHA_LIKE.test(ref)) candidates.push(ref);
    for (const c of candidates) {
      const sha = await this.revParse(req, c);
      if (sha) return sha;
    }
    if (FULL_SHA.test(ref)) {
      const fetched = await this.git(req, ['fetch', '--quiet', 'origin', ref]);
      if (fetched.code === 0) return this.revParse(req, ref);
    }
    return undefined;
  }

  private async revParse(req: CheckoutRequest, rev: string): Promise<string | undefined> {
    const r = await this.git(req, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    const sha = r.stdout.trim();
    return r.code === 0 && sha ? sha : undefined;
  }

  private async commitInfo(req: CheckoutRequest, sha: string): Promise<CommitInfo> {
    const r = await this.git(req, ['log', '-1', '--format=%H%n%an%n%B', sha]);
    const [fullSha, author, ...message] = r.stdout.split('\n');
    return {
      sha: fullSha?.trim() || sha,
      author: this.log.mask(author?.trim() || 'unknown'),
      message: this.log.mask(message.join('\n').trim()).slice(0, 2_000),
    };
  }

  private async git(req: CheckoutRequest, args: string[], opts: { cwd?: string } = { cwd: req.dir }): Promise<GitResult> {
    const stdout = capture();
    const stderr = capture();
    const exit = await runChildProcess({
      argv: ['git', ...args],
      cwd: opts.cwd ?? req.env.HOME,
      env: req.env,
      signal: req.signal,
      stdout,
      stderr,
    });
    if (exit.aborted) throw new StepAbortedError('clone');
    if (exit.spawnError) {
      logger.warn({ command: 'git', err: spawnErrorForLog(exit.spawnError) }, 'git could not be started');
      throw new StepFailedError(ErrorCode.DeploymentSourceUnavailable, 'clone', spawnFailureMessage('git', exit.spawnError));
    }
    return { code: exit.exitCode, stdout: stdout.text(), stderr: stderr.text() };
  }

  private logLines(text: string, level: 'warn' | 'error') {
    for (const line of text.split(/\r?\n/)) if (line.trim()) this.log.line('clone', line, { level, source: 'build' });
  }
}

const lastLine = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? '';
