import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/deployment-orchestrator';
import type { DeploymentOrchestratorConfig } from './config/deployment-orchestrator.config';

@Module({})
export class AppModule {
  static forRoot(config: DeploymentOrchestratorConfig): DynamicModule {
    return serviceModule(AppModule, { name: 'deployment-orchestrator', config, migrations });
  }
}
