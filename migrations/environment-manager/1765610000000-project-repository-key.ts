import type { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizeRepositoryUrl } from '@flightdeck/contracts';

// A webhook delivery names its repository; the projects it may concern are found by this key (the
// normalized repository URL, indexed) instead of reading every project's webhook secret per delivery.
export class ProjectRepositoryKey1765610000000 implements MigrationInterface {
  name = 'ProjectRepositoryKey1765610000000';

  async up(q: QueryRunner) {
    await q.query(`alter table environments.projects add column repository_key text`);
    const rows: { id: string; repository_url: string }[] = await q.query(`select id, repository_url from environments.projects`);
    for (const r of rows) await q.query(`update environments.projects set repository_key = $2 where id = $1`, [r.id, normalizeRepositoryUrl(r.repository_url)]);
    await q.query(`alter table environments.projects alter column repository_key set not null`);
    await q.query(`create index projects_repository_key_ix on environments.projects (repository_key) where deleted_at is null`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table environments.projects drop column repository_key`);
  }
}
