import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 23 item 3: each outgoing hook's signing secret (key 'hook:<hookId>'), sealed like a
// sensitive variable (same columns, so key rotation and the start-up key check cover it).
export class HookSecrets1765500000000 implements MigrationInterface {
  name = 'HookSecrets1765500000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table environments.hook_secrets (
        project_id uuid not null references environments.projects (id) on delete cascade,
        key text not null constraint hook_secrets_key_ck check (key like 'hook:%'),
        sensitive boolean not null default true constraint hook_secrets_sensitive_ck check (sensitive),
        ciphertext bytea not null,
        iv bytea not null constraint hook_secrets_iv_ck check (octet_length(iv) = 12),
        auth_tag bytea not null constraint hook_secrets_tag_ck check (octet_length(auth_tag) = 16),
        key_id text,
        updated_at timestamptz not null default now(),
        primary key (project_id, key)
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table environments.hook_secrets`);
  }
}
