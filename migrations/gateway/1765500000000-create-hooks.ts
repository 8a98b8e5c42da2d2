import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 23 item 3: outgoing hooks per project and their deliveries. A delivery is one event for one
// hook, the same id on every attempt; the sweep takes pending ones whose next_attempt_at has come
// (skip locked: each by one gateway replica). The hook's signing secret is sealed by
// environment-manager, not kept here.
export class CreateHooks1765500000000 implements MigrationInterface {
  name = 'CreateHooks1765500000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table gateway.hooks (
        id uuid primary key,
        project_id uuid not null,
        url text not null,
        events text[] not null,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    await q.query(`create index hooks_project_ix on gateway.hooks (project_id)`);
    await q.query(`
      create table gateway.hook_deliveries (
        id uuid primary key,
        hook_id uuid not null references gateway.hooks (id) on delete cascade,
        project_id uuid not null,
        event text not null,
        deployment_id uuid,
        payload jsonb not null,
        status text not null default 'pending' constraint hook_deliveries_status_ck check (status in ('pending', 'delivered', 'failed')),
        attempts integer not null default 0,
        response_status integer,
        response_time_ms integer,
        last_error text,
        next_attempt_at timestamptz,
        created_at timestamptz not null default now(),
        delivered_at timestamptz
      )`);
    await q.query(`create index hook_deliveries_due_ix on gateway.hook_deliveries (next_attempt_at) where status = 'pending'`);
    await q.query(`create index hook_deliveries_hook_ix on gateway.hook_deliveries (hook_id, created_at desc)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table gateway.hook_deliveries`);
    await q.query(`drop table gateway.hooks`);
  }
}
