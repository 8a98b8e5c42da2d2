import type { MigrationInterface, QueryRunner } from 'typeorm';

// One cron schedule per environment. next_run_at is the firing the sweeping replica claims (with
// FOR UPDATE SKIP LOCKED) once the database's clock passes it; null while disabled.
export class CreateDeploymentSchedules1764800000000 implements MigrationInterface {
  name = 'CreateDeploymentSchedules1764800000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table orchestrator.deployment_schedules (
        id uuid primary key,
        environment_id uuid not null unique,
        project_id uuid not null,
        cron text not null,
        timezone text not null default 'UTC',
        source_ref text not null,
        enabled boolean not null default true,
        next_run_at timestamptz,
        last_run_at timestamptz,
        last_deployment_id uuid,
        last_error_code text,
        last_error_message text,
        firings integer not null default 0,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )
    `);
    await q.query(`create index deployment_schedules_project_idx on orchestrator.deployment_schedules (project_id)`);
    await q.query(`create index deployment_schedules_due_idx on orchestrator.deployment_schedules (next_run_at) where enabled`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table orchestrator.deployment_schedules`);
  }
}
