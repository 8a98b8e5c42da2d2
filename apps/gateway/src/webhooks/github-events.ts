import { z } from 'zod';

// What a GitHub delivery asks of the platform, read from its event name and payload (only the
// fields used; anything else in GitHub's payloads is left alone).

const Repo = z.object({
  full_name: z.string().optional(),
  clone_url: z.string().optional(),
  html_url: z.string().optional(),
  ssh_url: z.string().optional(),
  git_url: z.string().optional(),
});

const PushPayload = z.object({
  ref: z.string(),
  after: z.string(),
  deleted: z.boolean().optional(),
  head_commit: z.object({ message: z.string().optional() }).nullable().optional(),
});

const PullRequestPayload = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({
    head: z.object({ sha: z.string(), repo: Repo.nullable().optional() }),
    base: z.object({ repo: Repo.nullable().optional() }),
  }),
  repository: Repo.optional(),
});

const SHA = /^[0-9a-f]{40}$/;
const ZERO_SHA = '0'.repeat(40);

export type GithubWork =
  | { kind: 'push'; branch: string; sha: string; message?: string }
  | { kind: 'preview'; number: number; sha: string; fromFork: boolean; repository?: string }
  | { kind: 'close-preview'; number: number };

export type GithubIntent = { kind: 'work'; work: GithubWork } | { kind: 'ignore'; reason: string; unsupported: boolean } | { kind: 'invalid'; reason: string };

/** every spelling of the delivery's repository, to find its project by */
export const repositoryUrlsOf = (payload: unknown): string[] => {
  const repo = Repo.safeParse((payload as { repository?: unknown } | null)?.repository);
  if (!repo.success) return [];
  const { clone_url, html_url, ssh_url, git_url } = repo.data;
  return [...new Set([clone_url, html_url, ssh_url, git_url].filter((u): u is string => !!u && u.length <= 2000))];
};

export const githubIntent = (event: string, payload: unknown): GithubIntent => {
  if (event === 'ping') return { kind: 'ignore', reason: 'ping: the webhook reaches Flightdeck', unsupported: false };
  if (event === 'push') {
    const p = PushPayload.safeParse(payload);
    if (!p.success) return { kind: 'invalid', reason: 'a push payload needs ref and after' };
    if (!p.data.ref.startsWith('refs/heads/')) return { kind: 'ignore', reason: `${p.data.ref} is not a branch`, unsupported: true };
    if (p.data.deleted || p.data.after === ZERO_SHA) return { kind: 'ignore', reason: `branch ${p.data.ref.slice(11)} was deleted`, unsupported: false };
    if (!SHA.test(p.data.after)) return { kind: 'invalid', reason: 'after is not a commit sha' };
    const message = p.data.head_commit?.message?.slice(0, 1000);
    return { kind: 'work', work: { kind: 'push', branch: p.data.ref.slice('refs/heads/'.length), sha: p.data.after, ...(message ? { message } : {}) } };
  }
  if (event === 'pull_request') {
    const p = PullRequestPayload.safeParse(payload);
    if (!p.success) return { kind: 'invalid', reason: 'a pull_request payload needs action, number and pull_request.head/base' };
    const { action, number, pull_request: pr } = p.data;
    if (action === 'closed') return { kind: 'work', work: { kind: 'close-preview', number } };
    // synchronized: Gitea's and Forgejo's spelling of synchronize
    if (action === 'opened' || action === 'synchronize' || action === 'synchronized' || action === 'reopened') {
      if (!SHA.test(pr.head.sha)) return { kind: 'invalid', reason: 'pull_request.head.sha is not a commit sha' };
      // a deleted fork has no head repo: a fork all the same
      const head = pr.head.repo?.full_name;
      const fromFork = !head || head !== pr.base.repo?.full_name;
      // statuses go to the base repository (owner/name), where the pull request shows them
      const repository = p.data.repository?.full_name ?? pr.base.repo?.full_name;
      const named = repository && /^[\w.-]+\/[\w.-]+$/.test(repository) ? { repository } : {};
      return { kind: 'work', work: { kind: 'preview', number, sha: pr.head.sha, fromFork, ...named } };
    }
    return { kind: 'ignore', reason: `pull_request action ${action} is not acted on (opened, synchronize, reopened, closed are)`, unsupported: true };
  }
  return { kind: 'ignore', reason: `event ${event} is not acted on (push and pull_request are)`, unsupported: true };
};

/** the preview environment of pull request n */
export const previewEnvironmentName = (n: number) => `pr-${n}`;
