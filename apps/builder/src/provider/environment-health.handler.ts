import { Controller } from '@nestjs/common';
import { type CommandRequest, type EnvironmentHealth, type Result, getEnvironmentHealth, ok } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { EnvironmentHealthRepository } from './environment-health.repository';

// What the supervision last saw of an environment's current release (any replica answers: it is read from Postgres).
@Controller()
export class EnvironmentHealthHandler {
  constructor(private readonly store: EnvironmentHealthRepository) {}

  @HandleCommand(getEnvironmentHealth)
  async get(req: CommandRequest<typeof getEnvironmentHealth>): Promise<Result<EnvironmentHealth>> {
    const row = await this.store.find(req.projectName, req.environmentName);
    if (!row) return ok({ health: null, releaseDeploymentId: null, crashLooping: false, restarts: 0, lastFailure: null, updatedAt: null });
    return ok({
      health: row.health,
      releaseDeploymentId: row.releaseId,
      crashLooping: row.crashLooping,
      restarts: row.restarts,
      lastFailure: row.lastFailure,
      updatedAt: row.updatedAt,
    });
  }
}
