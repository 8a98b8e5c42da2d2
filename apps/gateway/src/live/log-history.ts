import { Injectable } from '@nestjs/common';
import { type LogLinePage, type Result, listLogLines } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import type { LineFilter } from './line-filter';

// Stored lines, read from log-ingest over the bus.
@Injectable()
export class LogHistory {
  constructor(private readonly bus: Bus) {}

  page(deploymentId: string, afterSeq: number, limit: number, filter: LineFilter = {}): Promise<Result<LogLinePage>> {
    return this.bus.request(listLogLines, { deploymentId, afterSeq, limit, ...filter });
  }
}
