import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type Actor,
  type Environment,
  type Project,
  createEnvironment,
  deleteEnvironment,
  listEnvironments,
  restoreEnvironment,
  triggerDeployment,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { type GithubWork, previewEnvironmentName } from './github-events';
import { CommitStatusReporter } from './commit-status.reporter';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

export const WEBHOOK_EDGE_PORT = Symbol('WEBHOOK_EDGE_PORT');

const ACTOR: Actor = { kind: 'system', id: 'github-webhook' };

export interface WebhookJob {
  deliveryId: string;
  project: Project;
  /** the project's GitHub token, when it has one: previews are reported as commit statuses */
  githubToken?: string;
  rowId: number;
  work: GithubWork;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

// the branch whose pushes deploy an environment (Environment.branch: unset means the project's
// default branch for its default environment, none for the others)
export const pushBranchOf = (env: Environment, project: Project): string | null => env.branch ?? (env.isDefault ? project.defaultBranch : null);

/**
 * What an accepted delivery does, after its answer went out. Every trigger carries an idempotency
 * key made of the delivery id, so even work done twice deploys once.
 */
@Injectable()
export class WebhookWork {
  private readonly logger = new Logger(WebhookWork.name);

  constructor(
    private readonly api: ApiBus,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly statuses: CommitStatusReporter,
    @Inject(WEBHOOK_EDGE_PORT) private readonly edgePort: number,
  ) {}

  async execute(job: WebhookJob): Promise<void> {
    try {
      const { work } = job;
      if (work.kind === 'push') return await this.push(job, work);
      if (work.kind === 'preview') return await this.preview(job, work);
      return await this.closePreview(job, work.number);
    } catch (e) {
      this.logger.error({ deliveryId: job.deliveryId, projectId: job.project.id, err: messageOf(e) }, 'webhook delivery failed');
      await this.deliveries.finish(job.rowId, 'failed', messageOf(e), [], null);
    }
  }

  previewUrl(project: Project, n: number) {
    return `http://${project.name}-${previewEnvironmentName(n)}.localhost${this.edgePort === 80 ? '' : `:${this.edgePort}`}`;
  }

  private async push(job: WebhookJob, work: Extract<GithubWork, { kind: 'push' }>) {
    const { project } = job;
    const envs = (await this.api.call(listEnvironments, { projectId: project.id })).items;
    const targets = envs.filter((e) => e.autoDeploy !== false && pushBranchOf(e, project) === work.branch);
    if (!targets.length) {
      await this.deliveries.finish(job.rowId, 'ignored', `no environment with autoDeploy deploys branch ${work.branch}`, [], null);
      return;
    }
    const ids: string[] = [];
    const problems: string[] = [];
    for (const env of targets) {
      try {
        const { deployment } = await this.api.call(triggerDeployment, {
          projectId: project.id,
          environmentId: env.id,
          sourceRef: work.sha,
          // the environment's allowedRefs checks the branch, not the commit
          ref: work.branch,
          ...(work.message ? { message: work.message } : {}),
          trigger: 'webhook',
          idempotencyKey: `github:${job.deliveryId}:${env.id}`,
          actor: ACTOR,
        });
        ids.push(deployment.id);
      } catch (e) {
        problems.push(`${env.name}: ${messageOf(e)}`);
      }
    }
    const detail = [`push to ${work.branch} (${work.sha.slice(0, 12)})`, ...problems].join('; ');
    await this.deliveries.finish(job.rowId, ids.length ? 'deployed' : 'failed', detail, ids, null);
    this.logger.log({ deliveryId: job.deliveryId, projectId: project.id, deployments: ids, problems }, 'push delivery done');
  }

  private async preview(job: WebhookJob, work: Extract<GithubWork, { kind: 'preview' }>) {
    const { project } = job;
    const env = await this.previewEnvironment(project, work.number);
    if (typeof env === 'string') {
      await this.deliveries.finish(job.rowId, 'failed', env, [], null);
      return;
    }
    const { deployment } = await this.api.call(triggerDeployment, {
      projectId: project.id,
      environmentId: env.id,
      sourceRef: work.sha,
      message: `pull request #${work.number} (${work.sha.slice(0, 12)})`,
      trigger: 'webhook',
      idempotencyKey: `github:${job.deliveryId}`,
      actor: ACTOR,
      // the newest commit of a pull request wins over one still building
      force: true,
      ...(work.fromFork ? { withholdSensitive: true } : {}),
    });
    const url = this.previewUrl(project, work.number);
    const reported =
      job.githubToken && work.repository
        ? await this.statuses.report({ repository: work.repository, sha: work.sha, token: job.githubToken, deploymentId: deployment.id, previewUrl: url, number: work.number })
        : undefined;
    const detail =
      `pull request #${work.number} at ${work.sha.slice(0, 12)}${work.fromFork ? ' (from a fork: no sensitive variables)' : ''}` +
      (reported === undefined ? '' : reported ? '; commit status reported' : '; GitHub refused the commit status (see the gateway log)');
    await this.deliveries.finish(job.rowId, 'preview-deployed', detail, [deployment.id], url);
    this.logger.log({ deliveryId: job.deliveryId, projectId: project.id, deploymentId: deployment.id, url, fromFork: work.fromFork }, 'preview deployed');
  }

  // pr-<n>: live, else restored (a reopened pull request), else created; a string says why not
  private async previewEnvironment(project: Project, n: number): Promise<Environment | string> {
    const name = previewEnvironmentName(n);
    const live = (await this.api.call(listEnvironments, { projectId: project.id })).items.find((e) => e.name === name);
    if (live) return live.type === 'preview' ? live : `environment ${name} exists and is not a preview environment: left alone`;
    const deleted = (await this.api.call(listEnvironments, { projectId: project.id, deleted: true })).items.find((e) => e.name === name && e.type === 'preview');
    if (deleted) return this.api.call(restoreEnvironment, { projectId: project.id, environmentId: deleted.id });
    return this.api.call(createEnvironment, { projectId: project.id, name, type: 'preview' });
  }

  private async closePreview(job: WebhookJob, n: number) {
    const { project } = job;
    const name = previewEnvironmentName(n);
    const env = (await this.api.call(listEnvironments, { projectId: project.id })).items.find((e) => e.name === name && e.type === 'preview');
    if (!env) {
      await this.deliveries.finish(job.rowId, 'ignored', `pull request #${n} has no preview environment`, [], null);
      return;
    }
    await this.api.call(deleteEnvironment, { projectId: project.id, environmentId: env.id });
    await this.deliveries.finish(job.rowId, 'preview-removed', `pull request #${n} closed: ${name} deleted, its release stopped`, [], this.previewUrl(project, n));
    this.logger.log({ deliveryId: job.deliveryId, projectId: project.id, environmentId: env.id }, 'preview removed');
  }
}
