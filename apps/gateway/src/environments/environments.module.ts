import { Module } from '@nestjs/common';
import { DetectedVariablesController } from './detected-variables.controller';
import { EnvironmentsController } from './environments.controller';
import { EnvironmentHealthController } from './environment-health.controller';
import { ProjectVariablesController } from './project-variables.controller';
import { VariableValidationController } from './variable-validation.controller';
import { VariablesController } from './variables.controller';

@Module({
  controllers: [
    EnvironmentsController,
    VariablesController,
    ProjectVariablesController,
    VariableValidationController,
    DetectedVariablesController,
    EnvironmentHealthController,
  ],
})
export class EnvironmentsModule {}
