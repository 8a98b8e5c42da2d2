import type { MigrationInterface, QueryRunner } from 'typeorm';

// Every mutating API call, allowed or not (issue 16). Append-only: a trigger refuses updates and
// deletes, so not even the gateway's own database user can rewrite what happened.
export class CreateAuditLog1765100000001 implements MigrationInterface {
  name = 'CreateAuditLog1765100000001';

  async up(q: QueryRunner) {
    await q.query(`
      create table gateway.audit_log (
        id bigint generated always as identity primary key,
        at timestamptz not null default clock_timestamp(),
        actor_kind text not null,
        actor_id text,
        user_id uuid,
        token_id uuid,
        method text not null,
        route text,
        path text not null,
        project_id uuid,
        target jsonb not null default '{}',
        status int not null,
        outcome text not null check (outcome in ('succeeded', 'denied', 'failed')),
        error_code text,
        correlation_id text
      )`);
    await q.query(`create index audit_log_project_idx on gateway.audit_log (project_id, id desc) where project_id is not null`);
    await q.query(`
      create function gateway.audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'gateway.audit_log is append-only';
      end $$`);
    await q.query(`
      create trigger audit_log_append_only before update or delete or truncate on gateway.audit_log
        for each statement execute function gateway.audit_log_append_only()`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table if exists gateway.audit_log`);
    await q.query(`drop function if exists gateway.audit_log_append_only()`);
  }
}
