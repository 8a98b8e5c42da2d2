import { Injectable } from '@nestjs/common';
import {
  type CommandReply,
  type CommandRequest,
  type Deployment,
  ErrorCode,
  type Result,
  err,
  type ProgressEntry,
  getDeploymentProgress,
  getProject,
  listDeployments,
  ok,
} from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { deploymentTimings } from './deployment-timings';
import { toDeployment } from './deployment.mapper';
import { DeploymentsRepository } from './deployments.repository';

export type DeploymentPage = CommandReply<typeof listDeployments>;

@Injectable()
export class DeploymentQueries {
  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly bus: Bus,
  ) {}

  async get(deploymentId: string): Promise<Result<Deployment>> {
    const d = await this.repo.findById(deploymentId);
    return d ? ok(toDeployment(d)) : err(ErrorCode.DeploymentNotFound, `deployment ${deploymentId} not found`);
  }

  // Oldest first, with what it adds up to.
  async progress(deploymentId: string): Promise<Result<CommandReply<typeof getDeploymentProgress>>> {
    const d = await this.repo.findById(deploymentId);
    if (!d) return err(ErrorCode.DeploymentNotFound, `deployment ${deploymentId} not found`);
    const items: ProgressEntry[] = (await this.repo.transitionsOf(deploymentId)).map((t) => ({
      at: t.at.toISOString(),
      fromStatus: t.fromStatus,
      status: t.toStatus,
      phase: t.phase,
      progress: t.progress,
      reason: t.reason,
    }));
    return ok({ items, timings: deploymentTimings(items, new Date()) });
  }

  // Newest first.
  async list(q: CommandRequest<typeof listDeployments>): Promise<Result<DeploymentPage>> {
    const { items, total } = await this.repo.page(q);
    if (total === 0) {
      // an empty page of a project that does not exist is a not-found, not an empty list
      const project = await this.bus.request(getProject, { projectId: q.projectId });
      if (!project.ok) return project;
    }
    return ok({
      items: items.map(toDeployment),
      total,
      limit: q.limit,
      offset: q.offset,
      hasMore: q.offset + items.length < total,
    });
  }
}
