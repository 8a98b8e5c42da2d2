import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { ValidationModule } from '../validation/validation.module';
import { DetectProjectVariablesUseCase } from './detect-project-variables.usecase';
import { DetectionHandler } from './detection.handler';
import { RepositoryReader } from './repository-reader';

@Module({
  imports: [ProjectsModule, ValidationModule],
  providers: [
    { provide: RepositoryReader, useFactory: () => new RepositoryReader() },
    DetectProjectVariablesUseCase,
  ],
  controllers: [DetectionHandler],
  exports: [RepositoryReader],
})
export class DetectionModule {}
