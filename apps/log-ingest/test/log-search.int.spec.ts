import { randomUUID } from 'node:crypto';
import { searchLogLines } from '@flightdeck/contracts';
import { LogIngestHarness, lines } from './support/log-ingest-harness';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('searching log lines', () => {
  let h: LogIngestHarness;
  const id = randomUUID();
  const other = randomUUID();
  const search = async (q: Partial<Parameters<typeof h.bus.request<typeof searchLogLines>>[1]>) => {
    const r = await h.bus.request(searchLogLines, { deploymentId: id, q: 'x', afterSeq: 0, limit: 100, ...q });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.data.items;
  };

  beforeAll(async () => {
    h = await LogIngestHarness.start();
    const message = (seq: number) =>
      seq === 31_337 ? 'Module not found: Error: cannot resolve ./Widget' : seq % 1_000 === 0 ? `warning: 100% of chunk_${seq} [a\\b]` : `compiled module ${seq} in 3 ms`;
    const publishes = range(0, 79).map((b) =>
      h.publish(id, lines(b * 500 + 1, b * 500 + 500, (seq) => ({ message: message(seq), level: seq % 1_000 === 0 ? 'warn' : 'info' }))),
    );
    await Promise.all([...publishes, h.publish(other, lines(1, 10, () => ({ message: 'cannot resolve ./Widget' })))]);
    await h.waitForRows(id, 40_000, 60_000);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  it("finds a line by a word among a deployment's 40,000, with its seq and deployment", async () => {
    const hits = await search({ q: 'cannot RESOLVE' });
    expect(hits).toEqual([expect.objectContaining({ deploymentId: id, seq: 31_337, message: 'Module not found: Error: cannot resolve ./Widget' })]);
  });

  it('pages matches in seq order by afterSeq and limit, and filters by level', async () => {
    expect((await search({ q: 'warning', limit: 3 })).map((l) => l.seq)).toEqual([1_000, 2_000, 3_000]);
    expect((await search({ q: 'warning', afterSeq: 3_000, limit: 2 })).map((l) => l.seq)).toEqual([4_000, 5_000]);
    expect((await search({ q: 'module', level: 'warn' })).map((l) => l.seq)).toEqual([]);
    expect((await search({ q: 'chunk_', level: 'warn', limit: 500 })).length).toBe(40);
  });

  it('takes %, _ and \\ literally', async () => {
    expect((await search({ q: '100%', limit: 500 })).length).toBe(40);
    expect((await search({ q: 'k_1000 [' })).map((l) => l.seq)).toEqual([1_000]);
    expect((await search({ q: '[a\\b]', limit: 1 })).map((l) => l.seq)).toEqual([1_000]);
    expect(await search({ q: '1_0_0' })).toEqual([]);
  });

  it('refuses an empty search and a limit above 500', async () => {
    for (const q of ['', '   ']) {
      expect(await h.bus.request(searchLogLines, { deploymentId: id, q, afterSeq: 0, limit: 10 })).toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
    }
    expect(await h.bus.request(searchLogLines, { deploymentId: id, q: 'x', afterSeq: 0, limit: 501 })).toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
  });
});
