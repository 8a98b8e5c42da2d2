import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePublishers1764400000000 implements MigrationInterface {
  name = 'CreatePublishers1764400000000';

  async up(q: QueryRunner) {
    // The NATS password exists only as its bcrypt hash (what nats-server checks it with).
    // project_id is environment-manager's: checked over the bus at creation, no foreign key across schemas.
    await q.query(`
      create table gateway.publishers (
        id uuid primary key,
        project_id uuid not null,
        name text not null check (length(name) between 1 and 100),
        nats_user text not null constraint publishers_nats_user_uq unique,
        password_hash text not null check (password_hash like '$2_$%'),
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`);
    await q.query(`create index publishers_project_idx on gateway.publishers (project_id, created_at)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table if exists gateway.publishers`);
  }
}
