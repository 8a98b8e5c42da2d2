import { Controller } from '@nestjs/common';
import {
  type CommandReply,
  type CommandRequest,
  type Result,
  createEnvironment,
  listEnvironmentDomains,
  ok,
  deleteEnvironment,
  getProjectEnvironment,
  restoreEnvironment,
  updateEnvironment,
} from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { CreateEnvironmentUseCase } from './create-environment.usecase';
import { DeleteEnvironmentUseCase } from './delete-environment.usecase';
import { ProjectQueries } from './project-queries.service';
import { ProjectsRepository } from './projects.repository';
import { RestoreEnvironmentUseCase } from './restore-environment.usecase';
import { UpdateEnvironmentUseCase } from './update-environment.usecase';

// An environment's own lifecycle over NATS request/reply: create, read, change, soft delete, restore.
@Controller()
export class EnvironmentsHandler {
  constructor(
    private readonly queries: ProjectQueries,
    private readonly createUseCase: CreateEnvironmentUseCase,
    private readonly updateUseCase: UpdateEnvironmentUseCase,
    private readonly deleteUseCase: DeleteEnvironmentUseCase,
    private readonly restoreUseCase: RestoreEnvironmentUseCase,
    private readonly repo: ProjectsRepository,
  ) {}

  @HandleCommand(createEnvironment)
  create(req: CommandRequest<typeof createEnvironment>) {
    return this.createUseCase.execute(req);
  }

  @HandleCommand(getProjectEnvironment)
  get(req: CommandRequest<typeof getProjectEnvironment>) {
    return this.queries.environmentOf(req.projectId, req.environmentId);
  }

  @HandleCommand(updateEnvironment)
  update(req: CommandRequest<typeof updateEnvironment>) {
    return this.updateUseCase.execute(req);
  }

  @HandleCommand(deleteEnvironment)
  delete(req: CommandRequest<typeof deleteEnvironment>) {
    return this.deleteUseCase.execute(req);
  }

  @HandleCommand(listEnvironmentDomains)
  async domains(): Promise<Result<CommandReply<typeof listEnvironmentDomains>>> {
    return ok({ domains: await this.repo.liveDomains() });
  }

  @HandleCommand(restoreEnvironment)
  restore(req: CommandRequest<typeof restoreEnvironment>) {
    return this.restoreUseCase.execute(req);
  }
}
