import { Module } from '@nestjs/common';
import { CreateEnvironmentUseCase } from './create-environment.usecase';
import { CreateProjectUseCase } from './create-project.usecase';
import { DeleteEnvironmentUseCase } from './delete-environment.usecase';
import { EnvironmentsHandler } from './environments.handler';
import { ProjectQueries } from './project-queries.service';
import { ProjectsHandler } from './projects.handler';
import { ProjectsRepository } from './projects.repository';
import { SetEnvironmentConcurrencyUseCase } from './set-environment-concurrency.usecase';
import { RestoreEnvironmentUseCase } from './restore-environment.usecase';
import { SetEnvironmentLimitsUseCase } from './set-environment-limits.usecase';
import { UpdateEnvironmentUseCase } from './update-environment.usecase';

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
  ],
  controllers: [ProjectsHandler, EnvironmentsHandler],
  exports: [ProjectsRepository],
})
export class ProjectsModule {}
