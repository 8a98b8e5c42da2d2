import type { MigrationInterface, QueryRunner } from 'typeorm';

// log-ingest learns which project and environment each deployment belongs to from the
// orchestrator's status events (a line carries only its deployment), so that a project's lines can
// be searched together. The words of ended days' lines are indexed per day partition by the
// partition maintenance (LogPartitionsRepository.indexWords), not here: today's partition, where
// COPY writes, stays without the index that would slow it down.
export class RecordDeploymentProjects1764700000000 implements MigrationInterface {
  name = 'RecordDeploymentProjects1764700000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table logs.deployments (
        deployment_id uuid primary key,
        project_id uuid not null,
        environment_id uuid not null,
        created_at timestamptz not null
      )`);
    await q.query(`create index deployments_project on logs.deployments (project_id)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table logs.deployments`);
  }
}
