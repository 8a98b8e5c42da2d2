import type { MigrationInterface, QueryRunner } from 'typeorm';

// Custom domains per environment (issue 17 item 1): the list on the environment for reads, and one
// row per domain whose primary key makes a domain one environment's only, across every project.
export class EnvironmentDomains1765900000000 implements MigrationInterface {
  name = 'EnvironmentDomains1765900000000';

  async up(q: QueryRunner) {
    await q.query(`alter table environments.environments add column domains text[] not null default '{}'`);
    await q.query(`
      create table environments.environment_domains (
        domain text constraint environment_domains_pkey primary key,
        environment_id uuid not null references environments.environments (id) on delete cascade
      )`);
    await q.query(`create index environment_domains_environment on environments.environment_domains (environment_id)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table environments.environment_domains`);
    await q.query(`alter table environments.environments drop column domains`);
  }
}
