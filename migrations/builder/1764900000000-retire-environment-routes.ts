import type { MigrationInterface, QueryRunner } from 'typeorm';

// A deleted environment's route is retired, not dropped (issue 15): it serves nothing, is not
// brought back when a builder restarts, and a restore of the environment serves its release again.
export class RetireEnvironmentRoutes1764900000000 implements MigrationInterface {
  name = 'RetireEnvironmentRoutes1764900000000';

  async up(q: QueryRunner) {
    await q.query(`alter table builder.environment_routes add column retired_at timestamptz`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table builder.environment_routes drop column retired_at`);
  }
}
