import { Injectable, Logger } from '@nestjs/common';
import { type Environment, type Result, type SetEnvironmentConcurrencyRequest, ok } from '@flightdeck/contracts';
import { environmentNotFound } from './project-queries.service';
import { toEnvironment } from './projects.mapper';
import { ProjectsRepository } from './projects.repository';

// Sets what a trigger does while the environment has a deployment in progress. Deployments already
// waiting keep their place: the orchestrator reads the policy at each trigger.
@Injectable()
export class SetEnvironmentConcurrencyUseCase {
  private readonly logger = new Logger(SetEnvironmentConcurrencyUseCase.name);

  constructor(private readonly repo: ProjectsRepository) {}

  async execute(req: SetEnvironmentConcurrencyRequest): Promise<Result<Environment>> {
    const env = await this.repo.setConcurrencyPolicy(req.projectId, req.environmentId, req.policy);
    if (!env) return environmentNotFound(req.environmentId);
    this.logger.log({ projectId: req.projectId, environmentId: env.id, policy: env.concurrencyPolicy }, 'environment concurrency policy set');
    return ok(toEnvironment(env));
  }
}
