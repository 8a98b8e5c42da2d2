import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ErrorCode, type Project, type Result, environmentRestored, err, ok } from '@flightdeck/contracts';
import { outboxEvent, Outbox } from '@flightdeck/messaging';
import { projectNotFound } from './project-queries.service';
import { toEnvironment, toProject } from './projects.mapper';
import { PROJECT_NAME_INDEX, ProjectsRepository, isUniqueViolation } from './projects.repository';

// Brings a soft-deleted project back with the environments deleted with it (its default among them),
// each published as environments.evt.restored; refused while a live project has its name.
@Injectable()
export class RestoreProjectUseCase {
  private readonly logger = new Logger(RestoreProjectUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute(req: { projectId: string }): Promise<Result<Project>> {
    let name: string | undefined;
    let restored = 0;
    let result: Result<Project>;
    try {
      result = await this.ds.transaction(async (tx): Promise<Result<Project>> => {
        const deleted = await this.repo.lockAnyProject(tx, req.projectId);
        if (!deleted) return projectNotFound(req.projectId);
        if (!deleted.deletedAt) return ok(toProject(deleted));
        name = deleted.name;
        const project = toProject(await this.repo.changeProject(tx, deleted.id, { deletedAt: null }));
        const envs = await this.repo.restoreEnvironmentsWithProject(tx, deleted.id, deleted.deletedAt);
        await this.outbox.addAll(
          tx,
          envs.map((e) => outboxEvent(environmentRestored, e.id, { environment: toEnvironment(e), project })),
        );
        restored = envs.length;
        return ok(project);
      });
    } catch (e) {
      if (isUniqueViolation(e, PROJECT_NAME_INDEX)) {
        return err(ErrorCode.ProjectNameTaken, `cannot restore ${name}: a project took that name since; rename that one first`, { field: 'name' });
      }
      throw e;
    }
    if (result.ok && name) this.logger.log({ projectId: req.projectId, name, environments: restored }, 'project restored');
    return result;
  }
}
