import { Module } from '@nestjs/common';
import { DetectionModule } from '../detection/detection.module';
import { ProjectsModule } from '../projects/projects.module';
import { ValidationModule } from '../validation/validation.module';
import { PreflightHandler } from './preflight.handler';
import { PreflightUseCase } from './preflight.usecase';

@Module({
  imports: [ProjectsModule, ValidationModule, DetectionModule],
  providers: [PreflightUseCase],
  controllers: [PreflightHandler],
})
export class PreflightModule {}
