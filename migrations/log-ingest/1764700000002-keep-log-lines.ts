import type { MigrationInterface, QueryRunner } from 'typeorm';

// What outlives a day partition's drop (LogPartitionsRepository.dropBefore): a project's own
// retention (logs.project_retention, longer or shorter than the operator's), and the lines of the
// current release of every environment (logs.environment_releases: its latest succeeded
// deployment, from the orchestrator's status events). Kept lines are moved to the default
// partition before their day is dropped, so every query still finds them where it looks.
export class KeepLogLines1764700000002 implements MigrationInterface {
  name = 'KeepLogLines1764700000002';

  async up(q: QueryRunner) {
    await q.query(`
      create table logs.project_retention (
        project_id uuid primary key,
        days int not null check (days between 1 and 3650),
        updated_at timestamptz not null default now()
      )`);
    await q.query(`
      create table logs.environment_releases (
        environment_id uuid primary key,
        deployment_id uuid not null,
        released_at timestamptz not null
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table logs.environment_releases`);
    await q.query(`drop table logs.project_retention`);
  }
}
