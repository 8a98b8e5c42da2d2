import type { MigrationInterface, QueryRunner } from 'typeorm';

// One row per log line; the primary key is the de-duplication key: a redelivered batch inserts
// nothing. Later work (ARCHITECTURE.md) partitions this by time for retention by dropping
// partitions and adds full-text search; Postgres requires a partitioned table's key to hold the
// partition column, so that step is a new table and a copy, not an alter of this one.
export class CreateLogLines1764100000000 implements MigrationInterface {
  name = 'CreateLogLines1764100000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table logs.log_lines (
        deployment_id uuid not null,
        seq int not null,
        ts timestamptz not null,
        level text not null,
        source text not null,
        step text not null,
        message text not null,
        primary key (deployment_id, seq)
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table if exists logs.log_lines`);
  }
}
