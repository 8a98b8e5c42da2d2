import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';

// hashtext() of this names the one Postgres advisory lock the sweeping replica holds
const LOCK_NAME = 'flightdeck:deployment-orchestrator:sweeper';

// One replica at a time sweeps: the one holding a session-level advisory lock on a connection of
// its own. The lock goes with the connection: a replica that is killed, or whose connection
// breaks, loses it at once, and the next replica to ask takes it over.
@Injectable()
export class SweeperLeadership implements OnModuleDestroy {
  private readonly logger = new Logger(SweeperLeadership.name);
  private runner?: QueryRunner;
  private leading = false;

  constructor(private readonly ds: DataSource) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** whether this replica leads now: keeps the lock it has, or tries to take it */
  async check(): Promise<boolean> {
    try {
      if (!this.runner || this.runner.isReleased) {
        this.runner = this.ds.createQueryRunner();
        await this.runner.connect();
      }
      if (this.leading) {
        // still ours? (a broken connection fails here, and the lock is gone with it)
        await this.runner.query('select 1');
        return true;
      }
      const [row] = (await this.runner.query(`select pg_try_advisory_lock(hashtext($1)) as got`, [LOCK_NAME])) as { got: boolean }[];
      if (row.got) {
        this.leading = true;
        this.logger.log('this replica now runs the sweeps');
      }
      return this.leading;
    } catch (e) {
      if (this.leading) this.logger.warn({ err: (e as Error).message }, 'lost the sweeper lock with its connection');
      this.leading = false;
      await this.runner?.release().catch(() => undefined);
      this.runner = undefined;
      return false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.leading = false;
    // releasing the connection releases the lock
    await this.runner?.release().catch(() => undefined);
  }
}
