import type { MigrationInterface, QueryRunner } from 'typeorm';

// The internal provider's state: what each deployment released (its own release dir, or for a
// rollback the dir of the deployment it rolled back to) and which release every environment
// serves. The release's environment (it may hold secrets) is not stored here: it stays in the
// release dir, readable by the builder's user only.
export class CreateReleases1763900200000 implements MigrationInterface {
  name = 'CreateReleases1763900200000';

  async up(q: QueryRunner) {
    await q.query(`
      create table builder.releases (
        deployment_id uuid primary key,
        release_id uuid not null,
        project text not null,
        environment text not null,
        kind text not null check (kind in ('node', 'static')),
        dir text not null,
        start_command jsonb,
        created_at timestamptz not null default now()
      )`);
    await q.query(`create index releases_environment_idx on builder.releases (project, environment, created_at desc)`);
    await q.query(`create index releases_release_idx on builder.releases (release_id)`);
    await q.query(`
      create table builder.environment_routes (
        project text not null,
        environment text not null,
        deployment_id uuid not null,
        release_id uuid not null,
        updated_at timestamptz not null default now(),
        primary key (project, environment)
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table if exists builder.environment_routes`);
    await q.query(`drop table if exists builder.releases`);
  }
}
