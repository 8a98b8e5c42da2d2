import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Deployment, getDeployment, isTerminal } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';

export const GITHUB_API_URL = Symbol('GITHUB_API_URL');

export interface PreviewStatus {
  /** owner/name of the base repository */
  repository: string;
  sha: string;
  token: string;
  deploymentId: string;
  previewUrl: string;
  number: number;
}

type GithubState = 'pending' | 'success' | 'failure' | 'error';
const CONTEXT = 'flightdeck/preview';
const POLL_MS = 2_000;
const GIVE_UP_MS = 60 * 60_000;

const stateOf = (d: Deployment): GithubState => (d.status === 'succeeded' ? 'success' : d.status === 'failed' ? 'failure' : 'error');

/**
 * A pull request's preview as a commit status on its head commit (GitHub's
 * POST /repos/{owner}/{repo}/statuses/{sha}): pending with the preview URL when the deployment is
 * triggered, then success, failure or error when it ends (its status read from the orchestrator
 * every 2 s, for an hour at most). A status GitHub refuses is logged; the deployment goes on.
 */
@Injectable()
export class CommitStatusReporter implements OnApplicationShutdown {
  private readonly logger = new Logger(CommitStatusReporter.name);
  private stopping = false;

  constructor(
    private readonly api: ApiBus,
    @Inject(GITHUB_API_URL) private readonly apiUrl: string,
  ) {}

  /** reports pending at once; the end is reported in the background */
  async report(p: PreviewStatus): Promise<boolean> {
    const sent = await this.post(p, 'pending', `Deploying pull request #${p.number}`);
    if (sent) void this.followToEnd(p);
    return sent;
  }

  private async followToEnd(p: PreviewStatus) {
    const until = Date.now() + GIVE_UP_MS;
    while (!this.stopping && Date.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_MS).unref());
      try {
        const d = await this.api.call(getDeployment, { deploymentId: p.deploymentId });
        if (isTerminal(d.status)) {
          await this.post(p, stateOf(d), d.status === 'succeeded' ? `Preview of #${p.number} is live` : `Preview deployment ${d.status}`);
          return;
        }
      } catch (e) {
        this.logger.warn({ deploymentId: p.deploymentId, err: (e as Error).message }, 'could not read the preview deployment');
      }
    }
  }

  private async post(p: PreviewStatus, state: GithubState, description: string): Promise<boolean> {
    const url = `${this.apiUrl.replace(/\/+$/, '')}/repos/${p.repository}/statuses/${p.sha}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${p.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'flightdeck',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ state, target_url: p.previewUrl, description: description.slice(0, 140), context: CONTEXT }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return true;
      this.logger.warn({ repository: p.repository, sha: p.sha, status: res.status }, 'GitHub refused the commit status');
    } catch (e) {
      this.logger.warn({ repository: p.repository, sha: p.sha, err: (e as Error).message }, 'could not report the commit status');
    }
    return false;
  }

  onApplicationShutdown() {
    this.stopping = true;
  }
}
