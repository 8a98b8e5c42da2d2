import { Controller } from '@nestjs/common';
import { type CommandRequest, deleteProject, restoreProject, updateProject } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { DeleteProjectUseCase } from './delete-project.usecase';
import { RestoreProjectUseCase } from './restore-project.usecase';
import { UpdateProjectUseCase } from './update-project.usecase';

// A project's changes after creation over NATS request/reply: patch, soft delete, restore.
@Controller()
export class ProjectChangesHandler {
  constructor(
    private readonly updateUseCase: UpdateProjectUseCase,
    private readonly deleteUseCase: DeleteProjectUseCase,
    private readonly restoreUseCase: RestoreProjectUseCase,
  ) {}

  @HandleCommand(updateProject)
  update(req: CommandRequest<typeof updateProject>) {
    return this.updateUseCase.execute(req);
  }

  @HandleCommand(deleteProject)
  delete(req: CommandRequest<typeof deleteProject>) {
    return this.deleteUseCase.execute(req);
  }

  @HandleCommand(restoreProject)
  restore(req: CommandRequest<typeof restoreProject>) {
    return this.restoreUseCase.execute(req);
  }
}
