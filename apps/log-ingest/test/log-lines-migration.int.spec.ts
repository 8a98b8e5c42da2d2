import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { migrations } from '@flightdeck/migrations/log-ingest';
import { type TestInfra, startTestInfra } from '@flightdeck/testing';

// The migration to day partitions on a table that already holds lines: every row moves, each to
// its day, and down brings the unpartitioned table back.
const [, CreateLogLines, PartitionLogLinesByDay] = migrations;

describe('partitioning logs.log_lines by day', () => {
  let infra: TestInfra;
  let ds: DataSource;

  beforeAll(async () => {
    infra = await startTestInfra();
    ds = new DataSource({ type: 'postgres', url: infra.databaseUrls['log-ingest'] });
    await ds.initialize();
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
    await infra?.stop();
  });

  it('moves the existing rows into a partition per day, and back on down', async () => {
    const q = ds.createQueryRunner();
    try {
      await new CreateLogLines().up(q);
      const id = randomUUID();
      await q.query(
        `insert into logs.log_lines (deployment_id, seq, ts, level, source, step, message)
         select $1, s, timestamptz '2025-01-01T22:00:00Z' + s * interval '1 hour', 'info', 'build', 'build', 'line ' || s
         from generate_series(1, 50) s`,
        [id],
      );

      await new PartitionLogLinesByDay().up(q);

      const byPartition = await q.query(
        `select c.relname::text as partition, count(*)::int as n, min(seq) as lo, max(seq) as hi
         from logs.log_lines l join pg_class c on c.oid = l.tableoid group by 1 order by 1`,
      );
      expect(byPartition).toEqual([
        { partition: 'log_lines_p20250101', n: 1, lo: 1, hi: 1 },
        { partition: 'log_lines_p20250102', n: 24, lo: 2, hi: 25 },
        { partition: 'log_lines_p20250103', n: 24, lo: 26, hi: 49 },
        { partition: 'log_lines_p20250104', n: 1, lo: 50, hi: 50 },
      ]);
      const [{ partitioned }] = await q.query(`select count(*)::int as partitioned from pg_partitioned_table where partrelid = 'logs.log_lines'::regclass`);
      expect(partitioned).toBe(1);

      await new PartitionLogLinesByDay().down(q);
      const [{ n }] = await q.query(`select count(*)::int as n from logs.log_lines where deployment_id = $1`, [id]);
      expect(n).toBe(50);
      const [{ gone }] = await q.query(`select count(*)::int as gone from pg_partitioned_table`);
      expect(gone).toBe(0);
    } finally {
      await q.release();
    }
  });
});
