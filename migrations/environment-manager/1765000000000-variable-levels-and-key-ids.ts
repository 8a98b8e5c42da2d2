import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15 items 2 and 3. Variables at two levels: project-wide ones (project_variables) that every
// environment of the project inherits, environment ones overriding them. Each has a target: where
// its value reaches, the build steps (`build`), the running app (`runtime`) or both (the default,
// what every existing variable was). Every sealed value records the id of the key that sealed it
// (key_id); rows sealed before this migration have none and are opened by trying each key of the
// keyring until `npm run rotate-key` re-seals them with one.
export class VariableLevelsAndKeyIds1765000000000 implements MigrationInterface {
  name = 'VariableLevelsAndKeyIds1765000000000';

  async up(q: QueryRunner) {
    await q.query(`
      alter table environments.variables
        add column target text not null default 'both',
        add column key_id text,
        add constraint variables_target_ck check (target in ('build', 'runtime', 'both')),
        add constraint variables_key_id_ck check (key_id is null or sensitive)`);
    await q.query(`
      create table environments.project_variables (
        project_id uuid not null references environments.projects (id) on delete cascade,
        key text not null,
        sensitive boolean not null,
        target text not null default 'both',
        value_plain text,
        ciphertext bytea,
        iv bytea,
        auth_tag bytea,
        key_id text,
        updated_at timestamptz not null default now(),
        primary key (project_id, key),
        constraint project_variables_target_ck check (target in ('build', 'runtime', 'both')),
        constraint project_variables_key_id_ck check (key_id is null or sensitive),
        constraint project_variables_value_by_sensitivity_ck check (
          (sensitive and value_plain is null and ciphertext is not null
            and iv is not null and octet_length(iv) = 12 and auth_tag is not null and octet_length(auth_tag) = 16)
          or (not sensitive and value_plain is not null and ciphertext is null and iv is null and auth_tag is null)
        )
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table environments.project_variables`);
    await q.query(`
      alter table environments.variables
        drop constraint variables_key_id_ck, drop constraint variables_target_ck, drop column key_id, drop column target`);
  }
}
