import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/environment-manager';
import type { EnvironmentManagerConfig } from './config/environment-manager.config';

@Module({})
export class AppModule {
  static forRoot(config: EnvironmentManagerConfig): DynamicModule {
    return serviceModule(AppModule, { name: 'environment-manager', config, migrations });
  }
}
