import { type DynamicModule, Module } from '@nestjs/common';
import { LOG_PARTITION_SETTINGS, type LogPartitionSettings } from './log-partition.settings';
import { LogPartitionsRepository } from './log-partitions.repository';
import { LogPartitionsService } from './log-partitions.service';
import { LogStorageMetrics } from './log-storage.metrics';

@Module({})
export class LogPartitionsModule {
  static forRoot(settings: LogPartitionSettings): DynamicModule {
    return {
      module: LogPartitionsModule,
      providers: [{ provide: LOG_PARTITION_SETTINGS, useValue: settings }, LogPartitionsRepository, LogPartitionsService, LogStorageMetrics],
      exports: [LogPartitionsService],
    };
  }
}
