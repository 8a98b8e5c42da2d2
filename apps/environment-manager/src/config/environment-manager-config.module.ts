import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ENVIRONMENT_MANAGER_CONFIG, type EnvironmentManagerConfig } from './environment-manager.config';

@Global()
@Module({})
export class EnvironmentManagerConfigModule {
  static forRoot(config: EnvironmentManagerConfig): DynamicModule {
    return {
      module: EnvironmentManagerConfigModule,
      providers: [{ provide: ENVIRONMENT_MANAGER_CONFIG, useValue: config }],
      exports: [ENVIRONMENT_MANAGER_CONFIG],
    };
  }
}
