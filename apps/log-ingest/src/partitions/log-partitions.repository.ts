import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

// The only code that knows how logs.log_lines is cut into days (see the migration
// 1764600000000-partition-log-lines-by-day).
@Injectable()
export class LogPartitionsRepository {
  constructor(private readonly ds: DataSource) {}

  /** creates the partition of each UTC day (YYYY-MM-DD) that has none; returns the days created */
  async ensureDays(days: readonly string[]): Promise<string[]> {
    const created: string[] = [];
    // one transaction per day: the advisory lock inside is held only while that day is made
    for (const day of days) {
      const [row] = await this.ds.query(`select logs.ensure_log_lines_partition($1::date) as created`, [day]);
      if (row.created) created.push(day);
    }
    return created;
  }
}
