import { Module } from '@nestjs/common';
import { DetectionModule } from '../detection/detection.module';
import { ProjectsModule } from '../projects/projects.module';
import { ConfigurationsModule } from '../configurations/configurations.module';
import { VariablesModule } from '../variables/variables.module';
import { PreflightHandler } from './preflight.handler';
import { PreflightUseCase } from './preflight.usecase';

@Module({
  imports: [ProjectsModule, VariablesModule, ConfigurationsModule, DetectionModule],
  providers: [PreflightUseCase],
  controllers: [PreflightHandler],
})
export class PreflightModule {}
