import type { MigrationInterface, QueryRunner } from 'typeorm';

// A project's own trigger rate limit (issue 14): null keeps the operator's default.
export class ProjectTriggerRate1764950000000 implements MigrationInterface {
  name = 'ProjectTriggerRate1764950000000';

  async up(q: QueryRunner) {
    await q.query(
      `alter table environments.projects add column triggers_per_minute integer
         constraint projects_triggers_per_minute_ck check (triggers_per_minute between 1 and 10000)`,
    );
  }

  async down(q: QueryRunner) {
    await q.query(`alter table environments.projects drop column triggers_per_minute`);
  }
}
