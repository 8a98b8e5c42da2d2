import type { MigrationInterface, QueryRunner } from 'typeorm';

// Who builds a deployment: our builder (internal) or a team's own publisher (external).
export class AddDeploymentProvider1764300000000 implements MigrationInterface {
  name = 'AddDeploymentProvider1764300000000';

  async up(q: QueryRunner) {
    await q.query(`
      alter table orchestrator.deployments
        add column provider text not null default 'internal' check (provider in ('internal', 'external'))
    `);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table orchestrator.deployments drop column provider`);
  }
}
