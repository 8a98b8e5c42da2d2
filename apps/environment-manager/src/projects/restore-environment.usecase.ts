import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Environment, type EnvironmentRef, type Result, environmentRestored, ok } from '@flightdeck/contracts';
import { Outbox } from '@flightdeck/messaging';
import { restoreRefused } from './environment-rules';
import { environmentNotFound } from './project-queries.service';
import { toEnvironment, toProject } from './projects.mapper';
import { ENVIRONMENT_NAME_INDEX, ProjectsRepository, isUniqueViolation } from './projects.repository';

// Brings a soft-deleted environment back as it was (not as the default: a deleted one never is),
// unless another live environment took its name meanwhile. A live one is answered unchanged.
@Injectable()
export class RestoreEnvironmentUseCase {
  private readonly logger = new Logger(RestoreEnvironmentUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute(req: EnvironmentRef): Promise<Result<Environment>> {
    let restoredName: string | undefined;
    let changed = false;
    let result: Result<Environment>;
    try {
      result = await this.ds.transaction(async (tx): Promise<Result<Environment>> => {
        const project = await this.repo.lockProject(tx, req.projectId);
        const env = project && (await this.repo.environmentInProject(tx, req.projectId, req.environmentId));
        if (!project || !env) return environmentNotFound(req.environmentId);
        if (!env.deletedAt) return ok(toEnvironment(env));
        restoredName = env.name;
        if (await this.repo.liveNamed(tx, req.projectId, env.name)) return restoreRefused(env.name);
        const restored = toEnvironment(await this.repo.changeEnvironment(tx, env.id, { deletedAt: null }));
        await this.outbox.add(tx, environmentRestored, restored.id, { environment: restored, project: toProject(project) });
        changed = true;
        return ok(restored);
      });
    } catch (e) {
      if (isUniqueViolation(e, ENVIRONMENT_NAME_INDEX)) return restoreRefused(restoredName ?? '');
      throw e;
    }
    if (changed) this.logger.log({ projectId: req.projectId, environmentId: req.environmentId, name: restoredName }, 'environment restored');
    return result;
  }
}
