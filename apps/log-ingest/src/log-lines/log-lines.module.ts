import { type DynamicModule, Module } from '@nestjs/common';
import { LogBatchesConsumer, logBatchLimits } from '../ingest/log-batches.consumer';
import { LOG_INGEST_SETTINGS, type LogIngestSettings } from '../ingest/log-ingest.settings';
import { LogLinesHandler } from './log-lines.handler';
import { LogLinesRepository } from './log-lines.repository';

@Module({})
export class LogLinesModule {
  static forRoot(settings: LogIngestSettings): DynamicModule {
    return {
      module: LogLinesModule,
      providers: [{ provide: LOG_INGEST_SETTINGS, useValue: settings }, LogLinesRepository, logBatchLimits],
      controllers: [LogLinesHandler, LogBatchesConsumer],
    };
  }
}
