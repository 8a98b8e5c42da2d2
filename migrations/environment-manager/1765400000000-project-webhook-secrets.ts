import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 16 item 3: the secret that signs a project's git webhook deliveries, sealed like a
// sensitive variable (same columns, so key rotation and the start-up key check cover it). One per
// project; rotating replaces it.
export class ProjectWebhookSecrets1765400000000 implements MigrationInterface {
  name = 'ProjectWebhookSecrets1765400000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table environments.project_webhook_secrets (
        project_id uuid primary key references environments.projects (id) on delete cascade,
        key text not null default 'webhook-secret' constraint project_webhook_secrets_key_ck check (key = 'webhook-secret'),
        sensitive boolean not null default true constraint project_webhook_secrets_sensitive_ck check (sensitive),
        ciphertext bytea not null,
        iv bytea not null constraint project_webhook_secrets_iv_ck check (octet_length(iv) = 12),
        auth_tag bytea not null constraint project_webhook_secrets_tag_ck check (octet_length(auth_tag) = 16),
        key_id text,
        updated_at timestamptz not null default now()
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table environments.project_webhook_secrets`);
  }
}
