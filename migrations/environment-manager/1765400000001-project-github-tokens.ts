import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 16 item 3: a project's GitHub token (to report pull request previews as commit statuses)
// beside its webhook secret, sealed the same way: one row per project and key.
export class ProjectGithubTokens1765400000001 implements MigrationInterface {
  name = 'ProjectGithubTokens1765400000001';

  async up(q: QueryRunner) {
    await q.query(`
      alter table environments.project_webhook_secrets
        drop constraint project_webhook_secrets_pkey,
        drop constraint project_webhook_secrets_key_ck,
        alter column key drop default,
        add constraint project_webhook_secrets_pkey primary key (project_id, key),
        add constraint project_webhook_secrets_key_ck check (key in ('webhook-secret', 'github-token'))`);
  }

  async down(q: QueryRunner) {
    await q.query(`delete from environments.project_webhook_secrets where key <> 'webhook-secret'`);
    await q.query(`
      alter table environments.project_webhook_secrets
        drop constraint project_webhook_secrets_pkey,
        drop constraint project_webhook_secrets_key_ck,
        alter column key set default 'webhook-secret',
        add constraint project_webhook_secrets_pkey primary key (project_id),
        add constraint project_webhook_secrets_key_ck check (key = 'webhook-secret')`);
  }
}
