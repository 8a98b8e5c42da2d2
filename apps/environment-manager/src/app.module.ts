import { type DynamicModule, Module } from '@nestjs/common';
import { configModule, serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/environment-manager';
import { ENVIRONMENT_MANAGER_CONFIG, type EnvironmentManagerConfig } from './config/environment-manager.config';
import { EnvironmentEntity } from './projects/environment.entity';
import { DetectionModule } from './detection/detection.module';
import { PreflightModule } from './preflight/preflight.module';
import { DeploymentConfigurationEntity } from './configurations/deployment-configuration.entity';
import { ProjectEntity } from './projects/project.entity';
import { ProjectsModule } from './projects/projects.module';
import { ProjectVariableEntity } from './variables/project-variable.entity';
import { VariableEntity } from './variables/variable.entity';
import { ValidationModule } from './validation/validation.module';
import { VariablesModule } from './variables/variables.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: EnvironmentManagerConfig): DynamicModule {
    return serviceModule(AppModule, {
      name: 'environment-manager',
      config,
      migrations,
      entities: [ProjectEntity, EnvironmentEntity, VariableEntity, ProjectVariableEntity, DeploymentConfigurationEntity],
      imports: [configModule(ENVIRONMENT_MANAGER_CONFIG, config), ProjectsModule, VariablesModule, ValidationModule, DetectionModule, PreflightModule, WebhooksModule],
    });
  }
}
