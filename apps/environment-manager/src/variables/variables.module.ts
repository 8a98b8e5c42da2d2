import { Module } from '@nestjs/common';
import { ENVIRONMENT_MANAGER_CONFIG, type EnvironmentManagerConfig } from '../config/environment-manager.config';
import { ProjectsModule } from '../projects/projects.module';
import { ResolveVariablesUseCase } from './resolve-variables.usecase';
import { SecretBox } from './secret-box';
import { VariablesHandler } from './variables.handler';
import { VariablesRepository } from './variables.repository';
import { VariablesService } from './variables.service';

@Module({
  imports: [ProjectsModule],
  providers: [
    {
      provide: SecretBox,
      useFactory: (config: EnvironmentManagerConfig) => SecretBox.fromBase64(config.FLIGHTDECK_SECRET_KEY),
      inject: [ENVIRONMENT_MANAGER_CONFIG],
    },
    VariablesRepository,
    VariablesService,
    ResolveVariablesUseCase,
  ],
  controllers: [VariablesHandler],
  // validation and detection check stored values against their rules
  exports: [SecretBox, VariablesRepository],
})
export class VariablesModule {}
