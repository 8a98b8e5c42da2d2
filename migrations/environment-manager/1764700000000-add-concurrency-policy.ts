import type { MigrationInterface, QueryRunner } from 'typeorm';

// Per-environment concurrency policy (issue 14). Existing environments keep today's behaviour: reject.
export class AddConcurrencyPolicy1764700000000 implements MigrationInterface {
  name = 'AddConcurrencyPolicy1764700000000';

  async up(q: QueryRunner) {
    await q.query(`
      alter table environments.environments
        add column concurrency_policy text not null default 'reject',
        add constraint environments_concurrency_policy_ck
          check (concurrency_policy in ('reject', 'queue', 'supersede', 'cancel-in-progress'))`);
  }

  async down(q: QueryRunner) {
    await q.query(
      `alter table environments.environments drop constraint if exists environments_concurrency_policy_ck, drop column if exists concurrency_policy`,
    );
  }
}
