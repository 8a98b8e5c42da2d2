export const LOG_PARTITION_SETTINGS = Symbol('LOG_PARTITION_SETTINGS');

export interface LogPartitionSettings {
  /** days after today that get their partition ahead of need */
  daysAhead: number;
  maintainEveryMs: number;
  /** a day's partition is dropped once all of it is older than this */
  retentionDays: number;
}
