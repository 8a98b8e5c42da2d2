import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/log-ingest';
import type { LogIngestConfig } from './config/log-ingest.config';
import { LogLinesModule } from './log-lines/log-lines.module';
import { LogPartitionsModule } from './partitions/log-partitions.module';
import { ProjectLogsModule } from './project-logs/project-logs.module';

const HOUR_MS = 3_600_000;

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
        ProjectLogsModule.forRoot({ retentionDays: config.LOG_INGEST_RETENTION_DAYS }),
        LogPartitionsModule.forRoot({ daysAhead: 7, maintainEveryMs: HOUR_MS, retentionDays: config.LOG_INGEST_RETENTION_DAYS }),
      ],
    });
  }
}
