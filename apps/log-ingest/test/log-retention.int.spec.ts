import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { register } from 'prom-client';
import { LogPartitionsRepository } from '../src/partitions/log-partitions.repository';
import { LogPartitionsService } from '../src/partitions/log-partitions.service';
import { utcDay } from '../src/partitions/partition-days';
import { LogIngestHarness } from './support/log-ingest-harness';

const DAY_MS = 86_400_000;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// 40 days of seeded lines, one partition a day (plus strays in the default partition), and the
// retention run of log-ingest (30 days by default) on two replicas at once.
describe('log retention', () => {
  let h: LogIngestHarness;
  let second: INestApplication;
  const now = new Date();
  const id = randomUUID();
  const strays = randomUUID();
  // seq n was printed n - 1 days ago at this time of day: seqs 1..40
  const printedAt = (seq: number) => new Date(now.getTime() - (seq - 1) * DAY_MS);

  beforeAll(async () => {
    h = await LogIngestHarness.start();
    second = await LogIngestHarness.startApp(h.infra);
    await h.app.get(LogPartitionsRepository).ensureDays(range(0, 39).map((d) => utcDay(now, -d)));
    await h.db.query(
      `insert into logs.log_lines (deployment_id, seq, ts, level, source, step, message)
       select $1, s, $2::timestamptz - (s - 1) * interval '1 day', 'info', 'build', 'build', 'line ' || s from generate_series(1, 40) s`,
      [id, now.toISOString()],
    );
    // lines of days that have no partition: stored in the default one
    await h.db.query(
      `insert into logs.log_lines (deployment_id, seq, ts, level, source, step, message)
       values ($1, 1, $2, 'info', 'build', 'build', 'stray old'), ($1, 2, $3, 'info', 'build', 'build', 'stray new')`,
      [strays, new Date(now.getTime() - 45 * DAY_MS).toISOString(), new Date(now.getTime() + 45 * DAY_MS).toISOString()],
    );
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await h?.stop();
  });

  const days = async () => {
    const { rows } = await h.db.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'logs.log_lines'::regclass and c.relname <> 'log_lines_default' order by 1`,
    );
    return rows.map((r) => r.name);
  };

  it('drops the partitions of the days past 30, on one replica at a time, and keeps the rest', async () => {
    const oldest = utcDay(now, -39);
    expect((await days())[0]).toBe(`log_lines_p${oldest.replaceAll('-', '')}`);

    // both replicas run it at once: one drops, the other finds the lock taken or nothing left
    await Promise.all([h.app.get(LogPartitionsService).maintain(now), second.get(LogPartitionsService).maintain(now)]);

    const firstKept = utcDay(new Date(now.getTime() - 30 * DAY_MS));
    const left = await days();
    expect(left[0]).toBe(`log_lines_p${firstKept.replaceAll('-', '')}`);
    expect(left).toContain(`log_lines_p${utcDay(now, 7).replaceAll('-', '')}`);
    // seq n is n - 1 days old: 1..30 are younger than 30 days, 31 is on the boundary day (kept)
    expect(await h.storedSeqs(id)).toEqual(range(1, 31));
    const { rows } = await h.db.query(`select message from logs.log_lines_default where deployment_id = $1`, [strays]);
    expect(rows).toEqual([{ message: 'stray new' }]);
    expect(printedAt(31).toISOString().slice(0, 10)).toBe(firstKept);
  });

  it('shows the oldest day kept, the partitions and the bytes stored on /metrics', async () => {
    const value = async (name: string) => (await register.getSingleMetric(name)!.get()).values[0]?.value;
    const firstKept = utcDay(new Date(now.getTime() - 30 * DAY_MS));
    expect(await value('flightdeck_log_oldest_day_seconds')).toBe(Date.parse(`${firstKept}T00:00:00Z`) / 1000);
    // 31 kept days (the first kept one included) up to today, and the 7 prepared ahead
    expect(await value('flightdeck_log_partitions')).toBe(31 + 7);
    expect(await value('flightdeck_log_stored_bytes')).toBeGreaterThan(0);
    expect(await register.metrics()).toContain('flightdeck_log_stored_bytes');
  });

  it('is a no-op when run again', async () => {
    const before = await days();
    await h.app.get(LogPartitionsService).maintain(now);
    expect(await days()).toEqual(before);
  });
});
