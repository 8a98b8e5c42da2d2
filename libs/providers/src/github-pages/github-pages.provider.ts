import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { DeployRequest, DeployResult, DeploymentProvider, ProviderCallContext, ProviderDefinition, ProviderHost, RollbackRequest } from '../deployment-provider';
import { ProviderError, ProviderSettingsError } from '../provider-error';
import { withProviderRetry } from '../provider-retry';
import { type GitRun, git, gitOrFail } from './git';

const NAME = 'github-pages';
const TRAILER = 'Flightdeck-Deployment';

const GITHUB = /^https:\/\/github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/;

/** the Pages URL of a github.com repository: a <owner>.github.io repository is served at the root */
export const pagesUrlOf = (repository: string): string | undefined => {
  const m = GITHUB.exec(repository);
  if (!m) return undefined;
  const [, owner, repo] = m;
  return repo.toLowerCase() === `${owner.toLowerCase()}.github.io` ? `https://${owner.toLowerCase()}.github.io/` : `https://${owner.toLowerCase()}.github.io/${repo}/`;
};

const GithubPagesSettings = z
  .object({
    /** the repository pushed to: https://github.com/<owner>/<repo>(.git), or any https git remote (file:// only where the operator allows private addresses) */
    repository: z.string().min(1).max(2000),
    /** the branch GitHub Pages publishes from */
    branch: z
      .string()
      .regex(/^(?!-)[A-Za-z0-9._/-]{1,200}$/, 'a branch name')
      .default('gh-pages'),
    /** the site's URL; from the repository when it is on github.com (https://<owner>.github.io/<repo>/) */
    url: z.string().url().optional(),
    /** the name of a sensitive variable holding a token that may push (a GitHub token with contents: write) */
    tokenVariable: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((s) => /^(https|file):\/\//.test(s.repository), { message: 'must be an https:// URL (or file:// where the operator allows private addresses)', path: ['repository'] })
  .refine((s) => s.url !== undefined || pagesUrlOf(s.repository) !== undefined, {
    message: "is required: the repository is not on github.com, so its Pages URL cannot be derived",
    path: ['url'],
  });
export type GithubPagesSettings = z.infer<typeof GithubPagesSettings>;

const execFileP = promisify(execFile);

// Static output pushed to a branch of a repository with git: each deployment one commit (its id in
// a trailer), so a rollback pushes an earlier deployment's tree again as a new commit (no force push:
// the branch's history stays whole).
export class GithubPagesProvider implements DeploymentProvider {
  private readonly url: string;

  constructor(
    private readonly settings: GithubPagesSettings,
    private readonly token: string | undefined,
    private readonly host: ProviderHost,
  ) {
    this.url = settings.url ?? pagesUrlOf(settings.repository)!;
    // a path on the builder's own disk: only where the operator allows private addresses (tests, a LAN git server's mount)
    if (settings.repository.startsWith('file:') && !host.allowPrivateAddresses) {
      throw new ProviderSettingsError(NAME, 'settings.repository', 'must be an https:// URL: file:// repositories need FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE=true on the builder');
    }
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    // the credentials and the repository checked before any build: an authenticated ls-remote
    await this.withWorkdir(ctx, async (run) => {
      await gitOrFail(NAME, `reading ${this.settings.repository}`, ['ls-remote', '--heads', 'origin'], run);
    });
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    if (req.source.type !== 'artifact' || req.source.kind !== 'static') {
      throw new ProviderError(NAME, 'GitHub Pages serves static sites only: this build is a Node server (set the environment to another provider, or build a static site)');
    }
    const artifact = req.source.path;
    return this.publish(ctx, req, `Deploy ${req.deploymentId}${req.commitSha ? ` (${req.commitSha.slice(0, 12)})` : ''}`, async (run) => {
      await execFileP('tar', ['-xzf', artifact, '-C', run.cwd, '--no-same-owner', '--no-same-permissions'], { signal: ctx.signal });
    });
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    return this.publish(ctx, req, `Roll back to ${req.toDeploymentId}`, async (run, branchExists) => {
      const found = branchExists ? await gitOrFail(NAME, 'finding the earlier deployment', ['log', '--format=%H', '-F', `--grep=${TRAILER}: ${req.toDeploymentId}`, 'FETCH_HEAD'], run) : '';
      const sha = found.split('\n')[0]?.trim();
      if (!sha) throw new ProviderError(NAME, `no commit of deployment ${req.toDeploymentId} on ${this.settings.branch}: nothing to roll back to`);
      ctx.log(`Restoring the output of commit ${sha.slice(0, 12)}`);
      await gitOrFail(NAME, 'restoring the earlier output', ['checkout', sha, '--', '.'], run);
    });
  }

  // fetch the branch, replace its tree with what `fill` writes, commit, push; retried whole when the push fails transiently
  private async publish(ctx: ProviderCallContext, target: { deploymentId: string }, title: string, fill: (run: GitRun, branchExists: boolean) => Promise<void>): Promise<DeployResult> {
    const { branch } = this.settings;
    const sha = await withProviderRetry(
      () =>
        this.withWorkdir(ctx, async (run) => {
          const fetched = await git(['fetch', '--no-tags', 'origin', `refs/heads/${branch}`], run);
          const branchExists = fetched.code === 0;
          if (!branchExists && !/couldn't find remote ref|not our ref/i.test(fetched.out)) {
            await gitOrFail(NAME, `fetching ${branch}`, ['fetch', '--no-tags', 'origin', `refs/heads/${branch}`], run);
          }
          await gitOrFail(NAME, 'checkout', branchExists ? ['checkout', '-q', '-B', branch, 'FETCH_HEAD'] : ['checkout', '-q', '--orphan', branch], run);
          await git(['rm', '-rqf', '--ignore-unmatch', '.'], run);
          await fill(run, branchExists);
          // GitHub Pages would run Jekyll over the output otherwise (and drop _-prefixed folders)
          await writeFile(join(run.cwd, '.nojekyll'), '');
          await gitOrFail(NAME, 'staging', ['add', '-A', '.'], run);
          await gitOrFail(NAME, 'commit', ['commit', '-q', '--allow-empty', '-m', title, '-m', `${TRAILER}: ${target.deploymentId}`], run);
          const commit = (await gitOrFail(NAME, 'commit', ['rev-parse', 'HEAD'], run)).trim();
          await gitOrFail(NAME, `pushing to ${branch}`, ['push', '-q', 'origin', `HEAD:refs/heads/${branch}`], run);
          return commit;
        }),
      { signal: ctx.signal, onRetry: (e, n, wait) => ctx.log(`${e.message}: attempt ${n} in ${Math.round(wait / 100) / 10} s`, 'warn') },
    );
    ctx.log(`Pushed ${sha.slice(0, 12)} to ${branch} of ${this.settings.repository}: GitHub Pages serves it at ${this.url}`);
    return { url: this.url, previewUrl: this.url, providerDeploymentId: sha };
  }

  private async withWorkdir<T>(ctx: ProviderCallContext, fn: (run: GitRun) => Promise<T>): Promise<T> {
    await mkdir(this.host.dataDir, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(this.host.dataDir, 'work-'));
    try {
      const run: GitRun = { cwd: dir, env: this.gitEnv(), signal: ctx.signal, secrets: this.token ? [this.token, Buffer.from(`x-access-token:${this.token}`).toString('base64')] : [] };
      await gitOrFail(NAME, 'git init', ['init', '-q'], run);
      await gitOrFail(NAME, 'git remote', ['remote', 'add', 'origin', this.settings.repository], run);
      return await fn(run);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  // the token as an HTTP header from the environment: never in argv (ps), the remote URL or the log
  private gitEnv(): Record<string, string> {
    const env: Record<string, string> = { GIT_ALLOW_PROTOCOL: this.host.allowPrivateAddresses ? 'https:file' : 'https' };
    if (this.token) {
      Object.assign(env, {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${this.token}`).toString('base64')}`,
      });
    }
    return env;
  }
}

export const githubPagesProvider: ProviderDefinition<GithubPagesSettings> = {
  name: NAME,
  description: 'GitHub Pages: the static output pushed to a branch of a repository',
  settings: GithubPagesSettings as z.ZodType<GithubPagesSettings>,
  credentials: ['tokenVariable'],
  supports: { rollback: true, cancel: false, webhooks: false },
  create: ({ settings, credentials, host }) => new GithubPagesProvider(settings, credentials.tokenVariable, host),
};
