import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Project, type Result, environmentDeleted, ok } from '@flightdeck/contracts';
import { outboxEvent, Outbox } from '@flightdeck/messaging';
import { projectNotFound } from './project-queries.service';
import { toEnvironment, toProject } from './projects.mapper';
import { ProjectsRepository } from './projects.repository';

// Soft delete of a project: it and its live environments (the default keeping its flag) leave every
// list and lookup at the same instant, each environment published as environments.evt.deleted so
// that its releases can stop; rows, variables and deployments stay, and its name is free meanwhile.
@Injectable()
export class DeleteProjectUseCase {
  private readonly logger = new Logger(DeleteProjectUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute(req: { projectId: string }): Promise<Result<Project>> {
    const result = await this.ds.transaction(async (tx): Promise<Result<{ project: Project; environments: number }>> => {
      const live = await this.repo.lockProject(tx, req.projectId);
      if (!live) return projectNotFound(req.projectId);
      const at = new Date();
      const project = toProject(await this.repo.changeProject(tx, live.id, { deletedAt: at }));
      const envs = await this.repo.deleteEnvironmentsWithProject(tx, live.id, at);
      await this.outbox.addAll(
        tx,
        envs.map((e) => outboxEvent(environmentDeleted, e.id, { environment: toEnvironment(e), project })),
      );
      return ok({ project, environments: envs.length });
    });
    if (!result.ok) return result;
    this.logger.log({ projectId: req.projectId, name: result.data.project.name, environments: result.data.environments }, 'project deleted');
    return ok(result.data.project);
  }
}
