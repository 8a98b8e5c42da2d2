import { Injectable } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { LogPartitionsRepository } from './log-partitions.repository';

const metric = <T>(name: string, make: () => T): T => (register.getSingleMetric(name) as T | undefined) ?? make();

// What the log store holds, read from the catalog when /metrics is scraped: so an operator sees
// retention working (the oldest day moves) and what the lines cost on disk.
@Injectable()
export class LogStorageMetrics {
  constructor(partitions: LogPartitionsRepository) {
    // one registry per process: a second app in the same process (tests) reads through the first
    let reading: ReturnType<LogPartitionsRepository['storage']> | undefined;
    const storage = () => (reading ??= partitions.storage().finally(() => setImmediate(() => (reading = undefined))));
    metric(
      'flightdeck_log_stored_bytes',
      () =>
        new Gauge({
          name: 'flightdeck_log_stored_bytes',
          help: 'bytes of log lines stored, indexes included, over every day partition and the default one',
          async collect() {
            this.set((await storage()).bytes);
          },
        }),
    );
    metric(
      'flightdeck_log_oldest_day_seconds',
      () =>
        new Gauge({
          name: 'flightdeck_log_oldest_day_seconds',
          help: 'start (unix seconds, UTC) of the oldest day whose log partition is kept',
          async collect() {
            const { oldestDay } = await storage();
            if (oldestDay) this.set(Date.parse(`${oldestDay}T00:00:00Z`) / 1000);
          },
        }),
    );
    metric(
      'flightdeck_log_partitions',
      () =>
        new Gauge({
          name: 'flightdeck_log_partitions',
          help: 'day partitions of the log table, the days prepared ahead included',
          async collect() {
            this.set((await storage()).partitions);
          },
        }),
    );
  }
}
