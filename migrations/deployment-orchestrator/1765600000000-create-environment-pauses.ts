import type { MigrationInterface, QueryRunner } from 'typeorm';

// Pause after rollback (issue 23): one row per paused environment, written in the transaction that
// records the rollback's success, deleted by a resume. Read under the environment's trigger lock.
export class CreateEnvironmentPauses1765600000000 implements MigrationInterface {
  name = 'CreateEnvironmentPauses1765600000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table orchestrator.environment_pauses (
        environment_id uuid primary key,
        project_id uuid not null,
        rollback_deployment_id uuid not null,
        paused_by text not null,
        paused_at timestamptz not null default now()
      )
    `);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table orchestrator.environment_pauses`);
  }
}
