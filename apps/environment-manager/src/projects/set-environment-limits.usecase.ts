import { Injectable, Logger } from '@nestjs/common';
import { type Environment, type Result, type SetEnvironmentLimitsRequest, ok } from '@flightdeck/contracts';
import { environmentNotFound } from './project-queries.service';
import { toEnvironment } from './projects.mapper';
import { ProjectsRepository } from './projects.repository';

// Replaces an environment's limits as a whole (a PUT): the builder fills what they leave out with
// the operator's defaults and caps what they set at what its host can give.
@Injectable()
export class SetEnvironmentLimitsUseCase {
  private readonly logger = new Logger(SetEnvironmentLimitsUseCase.name);

  constructor(private readonly repo: ProjectsRepository) {}

  async execute(req: SetEnvironmentLimitsRequest): Promise<Result<Environment>> {
    const env = await this.repo.setLimits(req.projectId, req.environmentId, req.limits);
    // another project's environment reads as unknown: ids of other projects are not confirmed
    if (!env) return environmentNotFound(req.environmentId);
    this.logger.log(
      { projectId: req.projectId, environmentId: env.id, limits: env.limits },
      'environment limits set',
    );
    return ok(toEnvironment(env));
  }
}
