import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ORCHESTRATOR_CONFIG, type DeploymentOrchestratorConfig } from './deployment-orchestrator.config';

@Global()
@Module({})
export class OrchestratorConfigModule {
  static forRoot(config: DeploymentOrchestratorConfig): DynamicModule {
    return {
      module: OrchestratorConfigModule,
      providers: [{ provide: ORCHESTRATOR_CONFIG, useValue: config }],
      exports: [ORCHESTRATOR_CONFIG],
    };
  }
}
