import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Environment, type EnvironmentRef, type Result, environmentDeleted, ok } from '@flightdeck/contracts';
import { Outbox } from '@flightdeck/messaging';
import { refuseDelete } from './environment-rules';
import { environmentNotFound } from './project-queries.service';
import { toEnvironment, toProject } from './projects.mapper';
import { ProjectsRepository } from './projects.repository';

// Soft delete: the row, its variables and every deployment pointing at it stay; it leaves every list
// and lookup (a trigger to it answers environment-not-found), and environments.evt.deleted tells
// whoever runs its releases to stop them. The default cannot be deleted.
@Injectable()
export class DeleteEnvironmentUseCase {
  private readonly logger = new Logger(DeleteEnvironmentUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute(req: EnvironmentRef): Promise<Result<Environment>> {
    const result = await this.ds.transaction(async (tx): Promise<Result<Environment>> => {
      const project = await this.repo.lockProject(tx, req.projectId);
      const env = project && (await this.repo.environmentInProject(tx, req.projectId, req.environmentId));
      if (!project || !env || env.deletedAt) return environmentNotFound(req.environmentId);
      const refused = refuseDelete(env);
      if (refused) return refused;
      // its custom domains are freed for other environments (a restore does not bring them back)
      await this.repo.setDomains(tx, env.id, []);
      const deleted = toEnvironment(await this.repo.changeEnvironment(tx, env.id, { deletedAt: new Date(), domains: [] }));
      await this.outbox.add(tx, environmentDeleted, deleted.id, { environment: deleted, project: toProject(project) });
      return ok(deleted);
    });
    if (result.ok) this.logger.log({ projectId: req.projectId, environmentId: req.environmentId, name: result.data.name }, 'environment deleted');
    return result;
  }
}
