import { Inject, Injectable, Optional } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { NATS_CONNECTION, isNatsConnected } from '@flightdeck/messaging';

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean>;
}

@Injectable()
export class ReadinessService {
  private shuttingDown = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Optional() private readonly ds?: DataSource,
  ) {}

  markShuttingDown() {
    this.shuttingDown = true;
  }

  async check(): Promise<Readiness> {
    const checks: Record<string, boolean> = { nats: isNatsConnected(this.nc) };
    if (this.ds) checks.database = await this.pingDatabase();
    if (this.shuttingDown) checks.accepting = false;
    return { ready: Object.values(checks).every(Boolean), checks };
  }

  private async pingDatabase(): Promise<boolean> {
    if (!this.ds?.isInitialized) return false;
    try {
      await Promise.race([
        this.ds.query('select 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000)),
      ]);
      return true;
    } catch {
      return false;
    }
  }
}
