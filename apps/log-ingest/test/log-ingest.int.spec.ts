import { randomUUID } from 'node:crypto';
import { listLogLines, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { LOG_BATCHES_DURABLE } from '../src/ingest/log-batches.consumer';
import { LogIngestHarness, aLine, lines } from './support/log-ingest-harness';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('log-ingest', () => {
  let h: LogIngestHarness;

  beforeAll(async () => {
    h = await LogIngestHarness.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  describe('storing lines', () => {
    it('stores every line once when batches repeat and overlap', async () => {
      const id = randomUUID();
      await h.publish(id, lines(1, 100));
      await h.publish(id, lines(101, 200));
      await h.publish(id, lines(101, 200)); // the same batch again, under a new message id
      await h.publish(id, lines(150, 250)); // overlaps the previous batch
      await h.publish(id, lines(251, 251));

      expect(await h.waitForRows(id, 251)).toEqual(range(1, 251));
      await h.waitUntilConsumed(LOG_BATCHES_DURABLE);
      expect(await h.storedSeqs(id)).toEqual(range(1, 251));
    });

    it('keeps up with many large batches published at once', async () => {
      const id = randomUUID();
      await Promise.all(range(0, 39).map((b) => h.publish(id, lines(b * 500 + 1, b * 500 + 500))));
      expect((await h.waitForRows(id, 20_000, 30_000)).length).toBe(20_000);
    });

    it('stores each field as published, a NUL character made storable', async () => {
      const id = randomUUID();
      const line = aLine(1, { level: 'warn', source: 'deploy', step: 'install', message: 'tab\there ✓ nul\u0000 "quoted"' });
      await h.publish(id, [line]);
      await h.waitForRows(id, 1);
      const page = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 10 });
      expect(page).toEqual({ ok: true, data: { items: [{ ...line, message: 'tab\there ✓ nul\uFFFD "quoted"' }], lastSeq: 1 } });
    });

    it('cuts a message past 16 Ki characters, saying how much, and stores the rest of the batch as published', async () => {
      const id = randomUUID();
      const long = 'a'.repeat(16 * 1024) + 'b'.repeat(100_000);
      await h.publish(id, [aLine(1, { message: long }), aLine(2, { message: 'next' })]);
      await h.waitForRows(id, 2);
      const page = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 10 });
      expect(page.ok && page.data.items.map((l) => l.message)).toEqual(['a'.repeat(16 * 1024) + ' …[100000 more characters cut]', 'next']);
    });

    it('stores COPY-special characters as published', async () => {
      const id = randomUUID();
      const line = aLine(1, { step: 'a\\b', message: 'back\\slash \\N new\nline cr\r tab\t end\\' });
      await h.publish(id, [line]);
      await h.waitForRows(id, 1);
      const page = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 10 });
      expect(page).toEqual({ ok: true, data: { items: [line], lastSeq: 1 } });
    });

    it('stores a message with invalid UTF-8, each bad byte a replacement character', async () => {
      const id = randomUUID();
      const envelope = encodeEnvelope(logLinesPublished.subject, 1, { deploymentId: id, lines: [aLine(1, { message: 'bad MARK here' })] });
      const text = Buffer.from(envelope).toString('latin1').replace('MARK', '\xff\xfe');
      await h.publishRaw(subjectFor(logLinesPublished.subject, id), Buffer.from(text, 'latin1'));
      await h.waitForRows(id, 1);
      const page = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 10 });
      expect(page.ok && page.data.items.map((l) => l.message)).toEqual(['bad \uFFFD\uFFFD here']);
    });

    it('stores every line once when a second replica consumes the same stream', async () => {
      const second = await LogIngestHarness.startApp(h.infra);
      try {
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        // each deployment's batches twice, under new message ids, so both replicas meet the same keys
        await Promise.all(
          ids.flatMap((id) => [...range(0, 9), ...range(0, 9)].map((b) => h.publish(id, lines(b * 200 + 1, b * 200 + 200)))),
        );
        for (const id of ids) expect(await h.waitForRows(id, 2_000, 30_000)).toEqual(range(1, 2_000));
        await h.waitUntilConsumed(LOG_BATCHES_DURABLE, 30_000);
        for (const id of ids) expect(await h.storedSeqs(id)).toEqual(range(1, 2_000));
      } finally {
        await second.close();
      }
    });

    it('does not duplicate lines when every message is delivered again', async () => {
      const id = randomUUID();
      await h.publish(id, lines(1, 300));
      await h.publish(id, lines(301, 600));
      await h.waitForRows(id, 600);
      await h.waitUntilConsumed(LOG_BATCHES_DURABLE);

      // a lost consumer state: the whole stream is delivered again to a fresh instance
      await h.app.close();
      const jsm = await h.nc.jetstreamManager();
      await jsm.consumers.delete('BUILD_LOGS', LOG_BATCHES_DURABLE);
      h.app = await LogIngestHarness.startApp(h.infra);
      await h.waitUntilConsumed(LOG_BATCHES_DURABLE, 30_000);

      expect(await h.storedSeqs(id)).toEqual(range(1, 600));
      const { rows } = await h.db.query('select count(*)::int as n, count(distinct (deployment_id, seq))::int as d from logs.log_lines');
      expect(rows[0].n).toBe(rows[0].d);
    });
  });

  describe('bad messages', () => {
    const deadLetters = async (count: number) => {
      const jsm = await h.nc.jetstreamManager();
      const until = Date.now() + 10_000;
      for (;;) {
        const info = await jsm.streams.info('DEAD_LETTERS', { subjects_filter: `deadletter.${LOG_BATCHES_DURABLE}` });
        const n = info.state.subjects?.[`deadletter.${LOG_BATCHES_DURABLE}`] ?? 0;
        if (n >= count || Date.now() > until) return n;
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    it('dead-letters a malformed message, one filed under another deployment, and keeps storing the rest', async () => {
      const id = randomUUID();
      const before = await deadLetters(0);
      await h.publishRaw(subjectFor(logLinesPublished.subject, id), new TextEncoder().encode('not json'));
      await h.publish(id, [{ ...aLine(1), level: 'loud' as never }]);
      const other = randomUUID();
      await h.publishRaw(
        subjectFor(logLinesPublished.subject, id),
        encodeEnvelope(logLinesPublished.subject, 1, { deploymentId: other, lines: lines(1, 5) }),
      );
      await h.publish(id, lines(1, 10));

      expect(await h.waitForRows(id, 10)).toEqual(range(1, 10));
      expect(await deadLetters(before + 3)).toBe(before + 3);
      expect(await h.storedSeqs(other)).toEqual([]);
    });
  });

  describe('querying lines', () => {
    const id = randomUUID();
    const query = (q: Partial<Parameters<typeof h.bus.request<typeof listLogLines>>[1]> = {}) =>
      h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 1_000, ...q });
    const seqsOf = async (q: Parameters<typeof query>[0]) => {
      const r = await query(q);
      if (!r.ok) throw new Error(r.error.message);
      return { seqs: r.data.items.map((l) => l.seq), lastSeq: r.data.lastSeq };
    };

    beforeAll(async () => {
      // 1..60: steps install (1-30) and build (31-60); every 10th line an error; 51-60 from deploy
      await h.publish(
        id,
        lines(1, 60, (seq) => ({
          step: seq <= 30 ? 'install' : 'build',
          level: seq % 10 === 0 ? 'error' : 'info',
          source: seq > 50 ? 'deploy' : 'build',
        })),
      );
      await h.waitForRows(id, 60);
    });

    it('pages in seq order by afterSeq and limit', async () => {
      expect(await seqsOf({ afterSeq: 0, limit: 25 })).toEqual({ seqs: range(1, 25), lastSeq: 25 });
      expect(await seqsOf({ afterSeq: 25, limit: 25 })).toEqual({ seqs: range(26, 50), lastSeq: 50 });
      expect(await seqsOf({ afterSeq: 50, limit: 25 })).toEqual({ seqs: range(51, 60), lastSeq: 60 });
      expect(await seqsOf({ afterSeq: 60, limit: 25 })).toEqual({ seqs: [], lastSeq: 60 });
    });

    it('filters by level, step and source on the server; lastSeq covers the lines filtered out', async () => {
      expect(await seqsOf({ level: 'error' })).toEqual({ seqs: [10, 20, 30, 40, 50, 60], lastSeq: 60 });
      expect(await seqsOf({ step: 'install', level: 'error' })).toEqual({ seqs: [10, 20, 30], lastSeq: 60 });
      expect(await seqsOf({ source: 'deploy' })).toEqual({ seqs: range(51, 60), lastSeq: 60 });
      expect(await seqsOf({ level: 'error', limit: 2 })).toEqual({ seqs: [10, 20], lastSeq: 20 });
      expect(await seqsOf({ step: 'nope' })).toEqual({ seqs: [], lastSeq: 60 });
    });

    it('answers the last lines with tail, in seq order, lastSeq the last stored, filters applied', async () => {
      expect(await seqsOf({ tail: 3 })).toEqual({ seqs: [58, 59, 60], lastSeq: 60 });
      expect(await seqsOf({ tail: 2, level: 'error' })).toEqual({ seqs: [50, 60], lastSeq: 60 });
      expect(await seqsOf({ tail: 500 })).toEqual({ seqs: range(1, 60), lastSeq: 60 });
      expect(await seqsOf({ deploymentId: randomUUID(), tail: 5 })).toEqual({ seqs: [], lastSeq: 0 });
    });

    it('answers an empty page for a deployment without lines', async () => {
      expect(await h.bus.request(listLogLines, { deploymentId: randomUUID(), afterSeq: 0, limit: 10 })).toEqual({
        ok: true,
        data: { items: [], lastSeq: 0 },
      });
    });

    it('refuses a limit above 5,000 and an unknown filter', async () => {
      const tooMany = await query({ limit: 5_001 });
      expect(tooMany).toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
      const unknown = await h.bus.request(listLogLines, { deploymentId: id, afterSeq: 0, limit: 10, color: 'red' } as never);
      expect(unknown).toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
    });
  });
});
