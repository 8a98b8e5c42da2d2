import type { MigrationInterface, QueryRunner } from 'typeorm';

// A pinned deployment's lines outlive any retention (LogPartitionsRepository's KEPT_FROM), until
// it is unpinned: then the next retention run removes those past the retention.
export class PinDeploymentLogs1764700000003 implements MigrationInterface {
  name = 'PinDeploymentLogs1764700000003';

  async up(q: QueryRunner) {
    await q.query(`create table logs.pinned_deployments (deployment_id uuid primary key, pinned_at timestamptz not null default now())`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table logs.pinned_deployments`);
  }
}
