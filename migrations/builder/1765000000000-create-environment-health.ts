import type { MigrationInterface, QueryRunner } from 'typeorm';

// The supervision of live releases (issue 17 item 3): what the builder last saw of each
// environment's current release — healthy, degraded (restarting, failing checks) or down (crash-looping) —
// with its restarts since it went live and the last failure.
export class CreateEnvironmentHealth1765000000000 implements MigrationInterface {
  name = 'CreateEnvironmentHealth1765000000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table builder.environment_health (
        project text not null,
        environment text not null,
        release_id uuid not null,
        health text not null check (health in ('healthy', 'degraded', 'down')),
        crash_looping boolean not null default false,
        restarts integer not null default 0,
        last_failure_reason text,
        last_failure_at timestamptz,
        updated_at timestamptz not null default now(),
        primary key (project, environment)
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table builder.environment_health`);
  }
}
