import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { VariablesModule } from '../variables/variables.module';
import { EnvironmentValues } from './environment-values.service';
import { ValidateVariablesUseCase } from './validate-variables.usecase';
import { ValidationHandler } from './validation.handler';

@Module({
  imports: [ProjectsModule, VariablesModule],
  providers: [EnvironmentValues, ValidateVariablesUseCase],
  controllers: [ValidationHandler],
  exports: [EnvironmentValues],
})
export class ValidationModule {}
