import type { MigrationInterface, QueryRunner } from 'typeorm';

// Environments as first-class (issue 15): soft delete keeps a deleted environment's row (its
// deployments and history point at it), so its name and default flag only count while it is live;
// `staging` joins the types. A deleted environment is never the default: the default cannot be deleted.
export class EnvironmentSoftDelete1764900000000 implements MigrationInterface {
  name = 'EnvironmentSoftDelete1764900000000';

  async up(q: QueryRunner) {
    await q.query(`
      alter table environments.environments
        add column deleted_at timestamptz,
        drop constraint environments_project_name_uq,
        drop constraint environments_type_check,
        add constraint environments_type_check check (type in ('production', 'staging', 'preview', 'development')),
        add constraint environments_deleted_not_default_ck check (deleted_at is null or not is_default)`);
    await q.query(
      `create unique index environments_project_name_uq on environments.environments (project_id, name) where deleted_at is null`,
    );
    await q.query(`drop index environments.environments_one_default_per_project_uq`);
    await q.query(
      `create unique index environments_one_default_per_project_uq on environments.environments (project_id) where is_default and deleted_at is null`,
    );
  }

  // Lossy, as it must be: deleted environments (and their variables) go, since two of them may share
  // a name; staging ones become preview.
  async down(q: QueryRunner) {
    await q.query(`delete from environments.environments where deleted_at is not null`);
    await q.query(`update environments.environments set type = 'preview' where type = 'staging'`);
    await q.query(`drop index environments.environments_one_default_per_project_uq`);
    await q.query(
      `create unique index environments_one_default_per_project_uq on environments.environments (project_id) where is_default`,
    );
    await q.query(`drop index environments.environments_project_name_uq`);
    await q.query(`
      alter table environments.environments
        drop constraint environments_deleted_not_default_ck,
        drop constraint environments_type_check,
        add constraint environments_type_check check (type in ('production', 'preview', 'development')),
        add constraint environments_project_name_uq unique (project_id, name),
        drop column deleted_at`);
  }
}
