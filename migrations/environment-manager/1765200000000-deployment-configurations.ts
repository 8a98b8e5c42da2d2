import type { MigrationInterface, QueryRunner } from 'typeorm';

// What each deployment was built and run with (issue 15 item 4): written when the builder resolves
// its variables. Values of non-sensitive variables only; a sensitive one is its version.
export class DeploymentConfigurations1765200000000 implements MigrationInterface {
  name = 'DeploymentConfigurations1765200000000';

  async up(q: QueryRunner) {
    await q.query(
      `create table environments.deployment_configurations (
         deployment_id uuid primary key,
         environment_id uuid not null references environments.environments (id) on delete cascade,
         recorded_at timestamptz not null,
         variables jsonb not null,
         settings jsonb not null
       )`,
    );
    await q.query(`create index deployment_configurations_environment_idx on environments.deployment_configurations (environment_id)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table environments.deployment_configurations`);
  }
}
