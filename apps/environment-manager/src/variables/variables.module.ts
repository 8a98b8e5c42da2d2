import { Module } from '@nestjs/common';
import { ENVIRONMENT_MANAGER_CONFIG, type EnvironmentManagerConfig } from '../config/environment-manager.config';
import { ConfigurationsModule } from '../configurations/configurations.module';
import { ProjectsModule } from '../projects/projects.module';
import { EffectiveVariables } from './effective-variables.service';
import { ExportVariablesUseCase } from './export-variables.usecase';
import { ImportVariablesUseCase } from './import-variables.usecase';
import { KeyRotation } from './key-rotation.service';
import { ResolveVariablesUseCase } from './resolve-variables.usecase';
import { SecretKeyCheck } from './secret-key-check';
import { SecretKeyring } from './secret-keyring';
import { VariableSealer } from './variable-sealer';
import { VariablesHandler } from './variables.handler';
import { VariablesRepository } from './variables.repository';
import { VariablesService } from './variables.service';

@Module({
  imports: [ProjectsModule, ConfigurationsModule],
  providers: [
    {
      provide: SecretKeyring,
      useFactory: (config: EnvironmentManagerConfig) =>
        SecretKeyring.fromBase64(config.FLIGHTDECK_SECRET_KEY, config.FLIGHTDECK_PREVIOUS_SECRET_KEYS),
      inject: [ENVIRONMENT_MANAGER_CONFIG],
    },
    VariableSealer,
    SecretKeyCheck,
    VariablesRepository,
    VariablesService,
    EffectiveVariables,
    ResolveVariablesUseCase,
    ImportVariablesUseCase,
    ExportVariablesUseCase,
    KeyRotation,
  ],
  controllers: [VariablesHandler],
  // validation and detection check the effective values against their rules
  exports: [VariableSealer, VariablesRepository, EffectiveVariables],
})
export class VariablesModule {}
