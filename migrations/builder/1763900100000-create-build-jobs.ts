import type { MigrationInterface, QueryRunner } from 'typeorm';

// The builder's own record of every deployment attempt it took (or was told to skip): the source
// of truth for "already handled", for cancel, and for ending the work of a builder that died.
export class CreateBuildJobs1763900100000 implements MigrationInterface {
  name = 'CreateBuildJobs1763900100000';

  async up(q: QueryRunner) {
    await q.query(`
      create table builder.build_jobs (
        deployment_id uuid not null,
        attempt int not null check (attempt > 0),
        kind text check (kind in ('build', 'rollback')),
        status text not null check (status in ('running', 'succeeded', 'failed', 'canceled')),
        job jsonb,
        instance_id text,
        step text,
        last_seq int not null default 0,
        error_code text,
        artifact jsonb,
        heartbeat_at timestamptz,
        cancel_requested_at timestamptz,
        created_at timestamptz not null default now(),
        finished_at timestamptz,
        primary key (deployment_id, attempt)
      )`);
    await q.query(`create index build_jobs_running_idx on builder.build_jobs (heartbeat_at) where status = 'running'`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table if exists builder.build_jobs`);
  }
}
