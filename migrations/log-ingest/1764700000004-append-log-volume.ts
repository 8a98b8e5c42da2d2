import type { MigrationInterface, QueryRunner } from 'typeorm';

// logs.deployment_volume becomes append-only: one row per insert transaction and deployment,
// summed when read and compacted hourly by the partition maintenance. An upsert of one row per
// deployment made the transactions of two log-ingest replicas wait for each other's commit on the
// same deployments' rows (bench log-ingest, 2 replicas: 141k lines/s before, 91k with it).
export class AppendLogVolume1764700000004 implements MigrationInterface {
  name = 'AppendLogVolume1764700000004';

  async up(q: QueryRunner) {
    await q.query(`alter table logs.deployment_volume drop constraint deployment_volume_pkey`);
    await q.query(`create index deployment_volume_deployment on logs.deployment_volume (deployment_id)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop index logs.deployment_volume_deployment`);
    await q.query(`
      with parts as (delete from logs.deployment_volume returning *)
      insert into logs.deployment_volume select deployment_id, sum(lines), sum(bytes) from parts group by deployment_id`);
    await q.query(`alter table logs.deployment_volume add primary key (deployment_id)`);
  }
}
