import { Module } from '@nestjs/common';
import { CreateProjectUseCase } from './create-project.usecase';
import { ProjectQueries } from './project-queries.service';
import { ProjectsHandler } from './projects.handler';
import { ProjectsRepository } from './projects.repository';
import { SetEnvironmentConcurrencyUseCase } from './set-environment-concurrency.usecase';
import { SetEnvironmentLimitsUseCase } from './set-environment-limits.usecase';

@Module({
  providers: [ProjectsRepository, ProjectQueries, CreateProjectUseCase, SetEnvironmentLimitsUseCase, SetEnvironmentConcurrencyUseCase],
  controllers: [ProjectsHandler],
  exports: [ProjectsRepository],
})
export class ProjectsModule {}
