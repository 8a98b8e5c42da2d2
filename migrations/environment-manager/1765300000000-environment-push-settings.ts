import type { MigrationInterface, QueryRunner } from 'typeorm';

// Which branch's pushes deploy an environment, and whether they do (issue 15, read by the git
// webhooks of the teams issue): null keeps the default (the project's default branch for its
// default environment).
export class EnvironmentPushSettings1765300000000 implements MigrationInterface {
  name = 'EnvironmentPushSettings1765300000000';

  async up(q: QueryRunner) {
    await q.query(
      `alter table environments.environments
         add column branch text constraint environments_branch_ck check (length(branch) between 1 and 200),
         add column auto_deploy boolean not null default true`,
    );
  }

  async down(q: QueryRunner) {
    await q.query(`alter table environments.environments drop column branch, drop column auto_deploy`);
  }
}
