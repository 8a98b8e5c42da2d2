import type { MigrationInterface, QueryRunner } from 'typeorm';

// Project soft delete (issue 15): a deleted project keeps its row, environments and history, and its
// name is free for a new project while it is deleted. Its live environments are soft-deleted with it,
// at the same instant, the default keeping its flag so that restoring the project brings back the
// environments it had (not those deleted before) with the same default; hence the check that no
// deleted environment is the default goes (the unique index counts live environments only).
export class ProjectSoftDelete1764900000001 implements MigrationInterface {
  name = 'ProjectSoftDelete1764900000001';

  async up(q: QueryRunner) {
    await q.query(`alter table environments.projects add column deleted_at timestamptz, drop constraint projects_name_uq`);
    await q.query(`create unique index projects_name_uq on environments.projects (name) where deleted_at is null`);
    await q.query(`alter table environments.environments drop constraint environments_deleted_not_default_ck`);
  }

  // Lossy, as it must be: deleted projects go (with their environments and variables), since two of
  // them may share a name; environments still deleted lose a default flag.
  async down(q: QueryRunner) {
    await q.query(`delete from environments.projects where deleted_at is not null`);
    await q.query(`update environments.environments set is_default = false where deleted_at is not null and is_default`);
    await q.query(
      `alter table environments.environments add constraint environments_deleted_not_default_ck check (deleted_at is null or not is_default)`,
    );
    await q.query(`drop index environments.projects_name_uq`);
    await q.query(`alter table environments.projects add constraint projects_name_uq unique (name), drop column deleted_at`);
  }
}
