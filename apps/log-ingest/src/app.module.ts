import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/log-ingest';
import type { LogIngestConfig } from './config/log-ingest.config';

@Module({})
export class AppModule {
  static forRoot(config: LogIngestConfig): DynamicModule {
    return serviceModule(AppModule, { name: 'log-ingest', config, migrations });
  }
}
