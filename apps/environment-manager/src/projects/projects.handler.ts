import { Controller } from '@nestjs/common';
import {
  type CommandRequest,
  type CreateProjectRequest,
  createProject,
  getEnvironment,
  getProject,
  listEnvironments,
  listProjects,
  setEnvironmentConcurrency,
  setEnvironmentLimits,
} from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { CreateProjectUseCase } from './create-project.usecase';
import { ProjectQueries } from './project-queries.service';
import { SetEnvironmentConcurrencyUseCase } from './set-environment-concurrency.usecase';
import { SetEnvironmentLimitsUseCase } from './set-environment-limits.usecase';

// NATS request/reply: requests arrive parsed by their contract schema; replies are Results.
@Controller()
export class ProjectsHandler {
  constructor(
    private readonly createUseCase: CreateProjectUseCase,
    private readonly queries: ProjectQueries,
    private readonly setLimitsUseCase: SetEnvironmentLimitsUseCase,
    private readonly setConcurrencyUseCase: SetEnvironmentConcurrencyUseCase,
  ) {}

  @HandleCommand(createProject)
  create(req: CreateProjectRequest) {
    return this.createUseCase.execute(req);
  }

  @HandleCommand(listProjects)
  list(req: CommandRequest<typeof listProjects>) {
    return this.queries.list(req.deleted);
  }

  @HandleCommand(getProject)
  get(req: CommandRequest<typeof getProject>) {
    return this.queries.get(req.projectId);
  }

  @HandleCommand(listEnvironments)
  environments(req: CommandRequest<typeof listEnvironments>) {
    return this.queries.environments(req.projectId, req.deleted);
  }

  @HandleCommand(getEnvironment)
  environment(req: CommandRequest<typeof getEnvironment>) {
    return this.queries.environment(req.environmentId);
  }

  @HandleCommand(setEnvironmentLimits)
  setLimits(req: CommandRequest<typeof setEnvironmentLimits>) {
    return this.setLimitsUseCase.execute(req);
  }

  @HandleCommand(setEnvironmentConcurrency)
  setConcurrency(req: CommandRequest<typeof setEnvironmentConcurrency>) {
    return this.setConcurrencyUseCase.execute(req);
  }
}
