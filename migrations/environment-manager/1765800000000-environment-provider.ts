import type { MigrationInterface, QueryRunner } from 'typeorm';

// The provider an environment's deployments are released by, with its settings (issue 21); null:
// the internal provider. Credentials are not in it: its credential settings name sensitive variables.
export class EnvironmentProvider1765800000000 implements MigrationInterface {
  name = 'EnvironmentProvider1765800000000';

  async up(q: QueryRunner) {
    await q.query(`alter table environments.environments add column provider jsonb`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table environments.environments drop column provider`);
  }
}
