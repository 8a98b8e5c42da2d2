import { Module } from '@nestjs/common';
import { CreateEnvironmentUseCase } from './create-environment.usecase';
import { CreateProjectUseCase } from './create-project.usecase';
import { DeleteEnvironmentUseCase } from './delete-environment.usecase';
import { DeleteProjectUseCase } from './delete-project.usecase';
import { EnvironmentsHandler } from './environments.handler';
import { ProjectChangesHandler } from './project-changes.handler';
import { ProjectQueries } from './project-queries.service';
import { ProjectsHandler } from './projects.handler';
import { ProjectsRepository } from './projects.repository';
import { SetEnvironmentConcurrencyUseCase } from './set-environment-concurrency.usecase';
import { RestoreEnvironmentUseCase } from './restore-environment.usecase';
import { RestoreProjectUseCase } from './restore-project.usecase';
import { SetEnvironmentLimitsUseCase } from './set-environment-limits.usecase';
import { UpdateEnvironmentUseCase } from './update-environment.usecase';
import { UpdateProjectUseCase } from './update-project.usecase';

@Module({
  providers: [
    ProjectsRepository,
    ProjectQueries,
    CreateProjectUseCase,
    SetEnvironmentLimitsUseCase,
    SetEnvironmentConcurrencyUseCase,
    CreateEnvironmentUseCase,
    UpdateEnvironmentUseCase,
    DeleteEnvironmentUseCase,
    RestoreEnvironmentUseCase,
    UpdateProjectUseCase,
    DeleteProjectUseCase,
    RestoreProjectUseCase,
  ],
  controllers: [ProjectsHandler, EnvironmentsHandler, ProjectChangesHandler],
  exports: [ProjectsRepository],
})
export class ProjectsModule {}
