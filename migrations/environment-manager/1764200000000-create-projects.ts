import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProjects1764200000000 implements MigrationInterface {
  name = 'CreateProjects1764200000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table environments.projects (
        id uuid primary key,
        name text not null constraint projects_name_uq unique,
        repository_url text not null,
        default_branch text not null default 'main',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);

    await q.query(`
      create table environments.environments (
        id uuid primary key,
        project_id uuid not null references environments.projects (id) on delete cascade,
        name text not null,
        type text not null check (type in ('production', 'preview', 'development')),
        is_default boolean not null default false,
        created_at timestamptz not null default now(),
        constraint environments_project_name_uq unique (project_id, name)
      )`);
    // at most one default environment per project: deployments without an environment go there
    await q.query(
      `create unique index environments_one_default_per_project_uq on environments.environments (project_id) where is_default`,
    );

    // A sensitive value exists only as AES-256-GCM ciphertext (with its IV and tag); a plain one only
    // as text. The check makes "a secret stored in plaintext" impossible rather than unlikely.
    await q.query(`
      create table environments.variables (
        environment_id uuid not null references environments.environments (id) on delete cascade,
        key text not null,
        sensitive boolean not null,
        value_plain text,
        ciphertext bytea,
        iv bytea,
        auth_tag bytea,
        updated_at timestamptz not null default now(),
        primary key (environment_id, key),
        constraint variables_value_by_sensitivity_ck check (
          (sensitive and value_plain is null and ciphertext is not null
            and iv is not null and octet_length(iv) = 12 and auth_tag is not null and octet_length(auth_tag) = 16)
          or (not sensitive and value_plain is not null and ciphertext is null and iv is null and auth_tag is null)
        )
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table if exists environments.variables`);
    await q.query(`drop table if exists environments.environments`);
    await q.query(`drop table if exists environments.projects`);
  }
}
