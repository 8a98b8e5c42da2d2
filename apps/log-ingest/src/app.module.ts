import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/log-ingest';
import type { LogIngestConfig } from './config/log-ingest.config';
import { LogLinesModule } from './log-lines/log-lines.module';

@Module({})
export class AppModule {
  static forRoot(config: LogIngestConfig): DynamicModule {
    return serviceModule(AppModule, {
      name: 'log-ingest',
      config,
      migrations,
      imports: [
        LogLinesModule.forRoot({
          maxMessagesPerTx: config.LOG_INGEST_MAX_MESSAGES_PER_TX,
          maxLinesPerTx: config.LOG_INGEST_MAX_LINES_PER_TX,
        }),
      ],
    });
  }
}
