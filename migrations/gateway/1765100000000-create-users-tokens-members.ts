import type { MigrationInterface, QueryRunner } from 'typeorm';

// Users, their API tokens and project memberships (issue 16). A token exists only as its SHA-256
// (it is 32 random bytes: a slow hash adds nothing) and its first characters for display.
// project_id is environment-manager's: no foreign key across schemas; memberships outlive a soft
// delete of the project so that a restore brings its members back.
export class CreateUsersTokensMembers1765100000000 implements MigrationInterface {
  name = 'CreateUsersTokensMembers1765100000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table gateway.users (
        id uuid primary key,
        name text not null constraint users_name_uq unique check (length(name) between 1 and 60),
        platform_admin boolean not null default false,
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table gateway.api_tokens (
        id uuid primary key,
        user_id uuid not null references gateway.users (id) on delete cascade,
        name text not null check (length(name) between 1 and 100),
        prefix text not null,
        token_hash bytea not null constraint api_tokens_hash_uq unique,
        scopes text[] not null check (cardinality(scopes) between 1 and 3 and scopes <@ array['read', 'deploy', 'admin']),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz not null default now()
      )`);
    await q.query(`create index api_tokens_user_idx on gateway.api_tokens (user_id, created_at)`);
    await q.query(`
      create table gateway.project_members (
        project_id uuid not null,
        user_id uuid not null references gateway.users (id) on delete cascade,
        role text not null check (role in ('viewer', 'deployer', 'admin', 'owner')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (project_id, user_id)
      )`);
    await q.query(`create index project_members_user_idx on gateway.project_members (user_id)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table if exists gateway.project_members`);
    await q.query(`drop table if exists gateway.api_tokens`);
    await q.query(`drop table if exists gateway.users`);
  }
}
