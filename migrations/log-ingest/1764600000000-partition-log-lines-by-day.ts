import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = 'deployment_id, seq, ts, level, source, step, message';

// logs.log_lines becomes a table partitioned by the UTC day of each line's own timestamp, so that
// retention drops whole days. Postgres wants the partition key in the primary key: it is now
// (deployment_id, seq, ts). A redelivered or re-published line carries the timestamp it was
// printed with, so it lands in the same partition and still collides with its first copy: every
// (deploymentId, seq) is stored once as long as a seq is never re-issued with another timestamp.
// logs.ensure_log_lines_partition(day) creates a day's partition (log-ingest calls it for the
// days ahead on a schedule), moving that day's rows out of the default partition, which catches
// lines no partition covers yet (a clock far ahead, a day created late) so no insert ever fails.
export class PartitionLogLinesByDay1764600000000 implements MigrationInterface {
  name = 'PartitionLogLinesByDay1764600000000';

  async up(q: QueryRunner) {
    await q.query(`alter table logs.log_lines rename to log_lines_unpartitioned`);
    await q.query(`alter table logs.log_lines_unpartitioned rename constraint log_lines_pkey to log_lines_unpartitioned_pkey`);
    await q.query(`
      create table logs.log_lines (
        deployment_id uuid not null,
        seq int not null,
        ts timestamptz not null,
        level text not null,
        source text not null,
        step text not null,
        message text not null,
        primary key (deployment_id, seq, ts)
      ) partition by range (ts)`);
    // the primary key serves "a deployment from seq n"; this one "its warnings and errors". Info lines
    // (nearly all of them) stay out of it: indexing every line cost a third of ingest throughput.
    await q.query(`create index log_lines_deployment_level on logs.log_lines (deployment_id, level, seq) where level <> 'info'`);
    await q.query(`create table logs.log_lines_default partition of logs.log_lines default`);
    // one maintainer at a time (replicas start together); a day that exists is left alone
    await q.query(`
      create function logs.ensure_log_lines_partition(day date) returns boolean language plpgsql as $$
      declare
        name text := 'log_lines_p' || to_char(day, 'YYYYMMDD');
        lo timestamptz := day::timestamp at time zone 'UTC';
        hi timestamptz := (day + 1)::timestamp at time zone 'UTC';
      begin
        perform pg_advisory_xact_lock(hashtext('logs.log_lines partitions'));
        if to_regclass(format('logs.%I', name)) is not null then
          return false;
        end if;
        execute format('create table logs.%I (like logs.log_lines including defaults including constraints)', name);
        execute format('alter table logs.%I add constraint %I check (ts >= %L and ts < %L)', name, name || '_day', lo, hi);
        execute format(
          'with moved as (delete from logs.log_lines_default where ts >= %L and ts < %L returning ${COLUMNS}) insert into logs.%I (${COLUMNS}) select * from moved',
          lo, hi, name);
        execute format('alter table logs.log_lines attach partition logs.%I for values from (%L) to (%L)', name, lo, hi);
        return true;
      end $$`);
    await q.query(`
      select logs.ensure_log_lines_partition(day)
      from (select distinct (ts at time zone 'UTC')::date as day from logs.log_lines_unpartitioned
            union select generate_series(0, 7) + (now() at time zone 'UTC')::date) days
      order by day`);
    await q.query(`insert into logs.log_lines (${COLUMNS}) select ${COLUMNS} from logs.log_lines_unpartitioned`);
    await q.query(`drop table logs.log_lines_unpartitioned`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table logs.log_lines rename to log_lines_by_day`);
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
    await q.query(`insert into logs.log_lines (${COLUMNS}) select ${COLUMNS} from logs.log_lines_by_day order by ts on conflict do nothing`);
    await q.query(`drop table logs.log_lines_by_day`);
    await q.query(`drop function logs.ensure_log_lines_partition(date)`);
  }
}
