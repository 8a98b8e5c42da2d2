import type { MigrationInterface, QueryRunner } from 'typeorm';

// How many lines and bytes (UTF-8, messages only) each deployment's log has had stored, counted in
// the transaction that stores them: so a redelivered batch counts nothing, and the figures outlive
// the partitions retention drops. log-ingest's /metrics sums them per project.
export class CountLogVolume1764700000001 implements MigrationInterface {
  name = 'CountLogVolume1764700000001';

  async up(q: QueryRunner) {
    await q.query(`
      create table logs.deployment_volume (
        deployment_id uuid primary key,
        lines bigint not null,
        bytes bigint not null
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table logs.deployment_volume`);
  }
}
