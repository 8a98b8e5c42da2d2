import { randomUUID } from 'node:crypto';
import { listLogLines, searchLogLines } from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { LogPartitionsRepository } from '../src/partitions/log-partitions.repository';
import { utcDay } from '../src/partitions/partition-days';
import { LOG_BATCHES_DURABLE } from '../src/ingest/log-batches.consumer';
import { LogIngestHarness, lines } from './support/log-ingest-harness';

const DAY_MS = 86_400_000;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('log lines partitioned by day', () => {
  let h: LogIngestHarness;

  beforeAll(async () => {
    h = await LogIngestHarness.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  const partitionOf = async (deploymentId: string) => {
    const { rows } = await h.db.query<{ partition: string; n: number }>(
      `select c.relname::text as partition, count(*)::int as n from logs.log_lines l join pg_class c on c.oid = l.tableoid
       where l.deployment_id = $1 group by 1 order by 1`,
      [deploymentId],
    );
    return rows;
  };
  const partitions = async () => {
    const { rows } = await h.db.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'logs.log_lines'::regclass order by 1`,
    );
    return rows.map((r) => r.name);
  };

  it('has a partition for yesterday, today and the next 7 days, and a default one', async () => {
    const now = new Date();
    const expected = range(-1, 7).map((d) => `log_lines_p${utcDay(now, d).replaceAll('-', '')}`);
    expect(await partitions()).toEqual(expect.arrayContaining([...expected, 'log_lines_default']));
  });

  it("stores a line in its own day's partition, a redelivered one in the same, once", async () => {
    const id = randomUUID();
    const today = Date.now();
    const at = (seq: number) => new Date(seq <= 5 ? today - DAY_MS : today).toISOString();
    const batch = lines(1, 10, (seq) => ({ timestamp: at(seq) }));
    await h.publish(id, batch);
    await h.publish(id, batch); // the same lines again, under another message id
    await h.waitForRows(id, 10);
    await h.waitUntilConsumed(LOG_BATCHES_DURABLE);

    expect(await h.storedSeqs(id)).toEqual(range(1, 10));
    expect(await partitionOf(id)).toEqual([
      { partition: `log_lines_p${utcDay(new Date(today), -1).replaceAll('-', '')}`, n: 5 },
      { partition: `log_lines_p${utcDay(new Date(today)).replaceAll('-', '')}`, n: 5 },
    ]);
  });

  it('keeps a line of a day without a partition in the default one until its day is created, then moves it', async () => {
    const id = randomUUID();
    const later = new Date(Date.now() + 40 * DAY_MS);
    await h.publish(id, lines(1, 3, () => ({ timestamp: later.toISOString() })));
    await h.waitForRows(id, 3);
    expect(await partitionOf(id)).toEqual([{ partition: 'log_lines_default', n: 3 }]);

    await h.app.get(LogPartitionsRepository).ensureDays([utcDay(later)]);

    expect(await partitionOf(id)).toEqual([{ partition: `log_lines_p${utcDay(later).replaceAll('-', '')}`, n: 3 }]);
    // a redelivery after the move still finds them
    await h.publish(id, lines(1, 4, () => ({ timestamp: later.toISOString() })));
    await eventually('line 4 stored', async () => (await h.storedSeqs(id)).length === 4);
    expect(await h.storedSeqs(id)).toEqual(range(1, 4));
    expect(await partitionOf(id)).toEqual([{ partition: `log_lines_p${utcDay(later).replaceAll('-', '')}`, n: 4 }]);
  });

  it('pages a deployment across partition boundaries in seq order', async () => {
    const id = randomUUID();
    const start = Date.now() - 2 * DAY_MS;
    await h.publish(id, lines(1, 30, (seq) => ({ timestamp: new Date(start + Math.floor((seq - 1) / 10) * DAY_MS).toISOString() })));
    await h.waitForRows(id, 30);
    expect((await partitionOf(id)).length).toBe(3);
    const page = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 5, limit: 20 });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.data.items.map((l) => l.seq)).toEqual(range(6, 25));
    expect(page.data.lastSeq).toBe(25);
  });

  it('answers one line per seq, the one printed first, when a seq comes again with another timestamp', async () => {
    const id = randomUUID();
    const first = new Date(Date.now() - DAY_MS).toISOString();
    const again = new Date().toISOString();
    await h.publish(id, lines(1, 3, () => ({ timestamp: first, message: 'first' })));
    await h.publish(id, lines(2, 4, () => ({ timestamp: again, message: 'again' })));
    await h.waitForRows(id, 6);
    const page = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 10 });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.data.items.map((l) => [l.seq, l.message])).toEqual([[1, 'first'], [2, 'first'], [3, 'first'], [4, 'again']]);
    // and the last lines: the last 3 rows, each seq once as first printed (a copy takes a line's place)
    const tail = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 10, tail: 3 });
    expect(tail).toEqual({ ok: true, data: { items: page.data.items.slice(2), lastSeq: 4 } });
    // a filter (a search, a level) looks at every copy: each seq still comes once
    const hits = await h.bus.request(searchLogLines, { deploymentId: id, q: 'a', afterSeq: 0, limit: 10 });
    expect(hits.ok && hits.data.items.map((l) => [l.seq, l.message])).toEqual([[2, 'again'], [3, 'again'], [4, 'again']]);
  });
});
