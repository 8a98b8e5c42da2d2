import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/builder';
import type { BuilderConfig } from './config/builder.config';

@Module({})
export class AppModule {
  static forRoot(config: BuilderConfig): DynamicModule {
    return serviceModule(AppModule, { name: 'builder', config, migrations });
  }
}
