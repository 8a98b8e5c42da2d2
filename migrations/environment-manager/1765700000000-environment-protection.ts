import type { MigrationInterface, QueryRunner } from 'typeorm';

// An environment's protection rules (issue 23): required approvals, wait timer, freeze windows,
// required results, as one document parsed with the contract's ProtectionRules; null: none.
export class EnvironmentProtection1765700000000 implements MigrationInterface {
  name = 'EnvironmentProtection1765700000000';

  async up(q: QueryRunner) {
    await q.query(`alter table environments.environments add column protection jsonb`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table environments.environments drop column protection`);
  }
}
