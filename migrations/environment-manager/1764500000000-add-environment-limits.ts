import type { MigrationInterface, QueryRunner } from 'typeorm';

// Per-environment overrides of build and release resource limits (issue 12). `{}` means "the
// operator's defaults": existing environments keep behaving as before.
export class AddEnvironmentLimits1764500000000 implements MigrationInterface {
  name = 'AddEnvironmentLimits1764500000000';

  async up(q: QueryRunner) {
    await q.query(`
      alter table environments.environments
        add column limits jsonb not null default '{}',
        add constraint environments_limits_object_ck check (jsonb_typeof(limits) = 'object')`);
  }

  async down(q: QueryRunner) {
    await q.query(
      `alter table environments.environments drop constraint if exists environments_limits_object_ck, drop column if exists limits`,
    );
  }
}
