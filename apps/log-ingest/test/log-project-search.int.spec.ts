import { randomUUID } from 'node:crypto';
import { type Deployment, countLogLevels, deploymentStatusChanged, searchProjectLogLines, subjectFor } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { aDeployment, eventually } from '@flightdeck/testing';
import { LogPartitionsService } from '../src/partitions/log-partitions.service';
import { utcDay } from '../src/partitions/partition-days';
import { LogIngestHarness, lines } from './support/log-ingest-harness';

const DAY_MS = 86_400_000;
const DEPLOYMENTS = 100;
const LINES_EACH = 10_000;

type SearchRequest = Parameters<typeof LogIngestHarness.prototype.bus.request<typeof searchProjectLogLines>>[1];

// A project of 100 deployments with 10,000 lines each (1,000,000 lines, seeded in SQL: half in
// yesterday's partition, which maintenance indexes by words, half in today's, which stays without
// the index), the deployments known to log-ingest from the orchestrator's status events.
describe('searching the log lines of a project', () => {
  let h: LogIngestHarness;
  const projectId = randomUUID();
  const mine: Deployment[] = Array.from({ length: DEPLOYMENTS }, () => aDeployment({ projectId }));
  const stranger = aDeployment();
  const today = Date.parse(`${utcDay(new Date())}T00:00:00Z`);
  const window = { from: new Date(today - DAY_MS).toISOString(), to: new Date(today + DAY_MS).toISOString() };

  const search = async (over: Partial<SearchRequest>) => {
    const r = await h.bus.request(searchProjectLogLines, { projectId, q: 'x', limit: 100, ...window, ...over });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.data;
  };

  const announce = (d: Deployment) =>
    h.nc.jetstream().publish(
      subjectFor(deploymentStatusChanged.subject, d.id),
      encodeEnvelope(deploymentStatusChanged.subject, 1, { deployment: d, transition: { from: null, to: 'queued', phase: 'queued', at: d.createdAt, reason: null } }),
      { msgID: randomUUID() },
    );

  beforeAll(async () => {
    h = await LogIngestHarness.start();
    await Promise.all([...mine, stranger].map(announce));
    await eventually('every deployment recorded', async () => {
      const { rows } = await h.db.query<{ n: number }>('select count(*)::int as n from logs.deployments');
      return rows[0].n === DEPLOYMENTS + 1;
    });
    // seq s of deployment d: the first half yesterday afternoon, the second today after midnight
    await h.db.query(
      `insert into logs.log_lines (deployment_id, seq, ts, level, source, step, message)
       select ids[d], s,
              case when s <= $3 / 2 then $2::timestamptz - interval '12 hours' + (d * $3 + s) * interval '1 ms'
                   else $2::timestamptz + (d * $3 + s) * interval '1 ms' end,
              case when s % 100 = 0 then 'warn' else 'info' end, 'build', 'build',
              'compiled module ' || s || ' of chunk vendors~main.js in ' || (s % 97) || ' ms'
       from (select $1::uuid[] as ids) a, generate_series(1, array_length($1::uuid[], 1)) d, generate_series(1, $3::int) s`,
      [mine.map((d) => d.id), new Date(today).toISOString(), LINES_EACH],
    );
    await h.db.query(`update logs.log_lines set message = $2 where deployment_id = $1 and seq = 1234`, [mine[41].id, "Module not found: Error: Can't resolve './Widget' in '/app/src'"]);
    await h.db.query(`update logs.log_lines set message = $2, level = 'error' where deployment_id = $1 and seq = 9876`, [mine[7].id, 'FATAL: heap out of memory (zebra-allocator)']);
    await h.publish(stranger.id, lines(1, 2, (s) => ({ message: `Can't resolve './Widget' ${s}`, timestamp: new Date(today + 1_000).toISOString() })));
    await h.waitForRows(stranger.id, 2);
    await h.app.get(LogPartitionsService).maintain();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('indexes the words of ended days, and leaves today, where lines are written, without', async () => {
    const { rows } = await h.db.query<{ name: string }>(`select indexname as name from pg_indexes where schemaname = 'logs' and indexname like '%_words'`);
    const names = rows.map((r) => r.name);
    expect(names).toContain(`log_lines_p${utcDay(new Date(today - DAY_MS)).replaceAll('-', '')}_words`);
    expect(names).not.toContain(`log_lines_p${utcDay(new Date(today)).replaceAll('-', '')}_words`);
    // where kept lines of dropped days live
    expect(names).toContain('log_lines_default_words');
  });

  it("finds a line by a word among the project's 1,000,000, with its deployment and seq, and nothing of another project", async () => {
    const started = Date.now();
    const found = await search({ q: 'widget' });
    expect(found.items).toEqual([expect.objectContaining({ deploymentId: mine[41].id, seq: 1234, message: "Module not found: Error: Can't resolve './Widget' in '/app/src'" })]);
    expect(found.truncated).toBe(false);
    // a word of today's unindexed lines, and several words in another order
    expect((await search({ q: 'zebra' })).items).toEqual([expect.objectContaining({ deploymentId: mine[7].id, seq: 9876, level: 'error' })]);
    expect((await search({ q: 'heap out of' })).items.map((l) => l.seq)).toEqual([9876]);
    expect((await search({ q: 'out of heap' })).items).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('uses the words index for an ended day', async () => {
    const plan = await h.db.query<{ 'QUERY PLAN': string }>(
      `explain select 1 from logs.log_lines where ts >= $1 and ts < $2 and to_tsvector('simple'::regconfig, regexp_replace(message, '[^[:alnum:]]+', ' ', 'g')) @@ to_tsquery('simple', 'widget:*')`,
      [window.from, new Date(today).toISOString()],
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/_words/);
  });

  it('answers newest first, says when it cut the answer, and filters by level and range', async () => {
    const common = await search({ q: 'vendors', limit: 5 });
    expect(common.items).toHaveLength(5);
    expect(common.truncated).toBe(true);
    const times = common.items.map((l) => l.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await search({ q: 'resolve', level: 'warn' })).items).toEqual([]);
    expect((await search({ q: 'widget', from: new Date(today).toISOString() })).items).toEqual([]);
    expect(common).toMatchObject(window);
  });

  it('refuses an empty search, a range past 31 days and a range that ends before it starts', async () => {
    for (const q of ['', '   ', '%%%']) {
      await expect(h.bus.request(searchProjectLogLines, { projectId, q, limit: 10 })).resolves.toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
    }
    const wide = { projectId, q: 'widget', limit: 10, from: new Date(today - 40 * DAY_MS).toISOString(), to: new Date(today).toISOString() };
    await expect(h.bus.request(searchProjectLogLines, wide)).resolves.toMatchObject({ ok: false, error: { code: 'logs/range-too-large' } });
    const backwards = { projectId, q: 'widget', limit: 10, from: window.to, to: window.from };
    await expect(h.bus.request(searchProjectLogLines, backwards)).resolves.toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
  });

  it("counts a deployment's lines by level", async () => {
    const r = await h.bus.request(countLogLevels, { deploymentId: mine[7].id });
    // seeded in SQL, not through ingest: nothing counted in its volume
    expect(r).toEqual({ ok: true, data: { deploymentId: mine[7].id, total: LINES_EACH, levels: { debug: 0, info: 9_899, warn: 100, error: 1 }, volume: { lines: 0, bytes: 0 } } });
    await expect(h.bus.request(countLogLevels, { deploymentId: randomUUID() })).resolves.toMatchObject({ ok: true, data: { total: 0 } });
  });
});
