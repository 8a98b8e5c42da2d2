import { type LogLine, type LogLinePage, type Result, err, ok } from '@flightdeck/contracts';
import type { DeploymentListener } from './live-connection';
import { type LogSources, streamLogs } from './log-stream';

const D = '00000000-0000-4000-8000-000000000001';
const line = (seq: number): LogLine => ({
  seq,
  timestamp: new Date(0).toISOString(),
  level: 'info',
  source: 'build',
  step: 'build',
  message: `line ${seq}`,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));

// stored lines 1..stored, paged as log-ingest pages them
const storage =
  (stored: number, pages: { afterSeq: number; limit: number }[] = []): LogSources['page'] =>
  async (_id, q) => {
    pages.push({ afterSeq: q.afterSeq, limit: q.limit });
    const items = range(q.afterSeq + 1, Math.min(stored, q.afterSeq + q.limit));
    return ok<LogLinePage>({ items, lastSeq: items.at(-1)?.seq ?? q.afterSeq });
  };
const seqs = async (it: AsyncIterable<LogLine>) => {
  const out: number[] = [];
  for await (const l of it) out.push(l.seq);
  return out;
};

describe('streamLogs', () => {
  it('without follow, pages through the stored lines and ends', async () => {
    const pages: { afterSeq: number; limit: number }[] = [];
    const s = streamLogs({ page: storage(25, pages), subscribe: jest.fn(), unsubscribe: jest.fn() }, D, {
      pageSize: 10,
    });
    expect(await seqs(s)).toEqual(range(1, 25).map((l) => l.seq));
    expect(pages.map((p) => p.afterSeq)).toEqual([0, 10, 20]);
    expect(await s.done).toEqual({ ok: true, data: { lastSeq: 25, status: null } });
  });

  it('with follow, lines arrive once each in order: live ones, a gap read from storage, and what is left before the end', async () => {
    let listener!: DeploymentListener;
    const sources: LogSources = {
      page: storage(40),
      subscribe: async (_id, _after, _f, l) => {
        listener = l;
        setImmediate(() => {
          l.logs!({ deploymentId: D, lines: range(1, 10), lastSeq: 10 });
          l.logs!({ deploymentId: D, lines: range(8, 12), lastSeq: 12 }); // a repeat after a reconnect
          l.gap!({ deploymentId: D, fromSeq: 13, toSeq: 30, reason: 'slow-consumer', message: 'skipped' });
          l.logs!({ deploymentId: D, lines: range(31, 35), lastSeq: 35 });
          l.end!({ deploymentId: D, status: 'succeeded', lastSeq: 40 });
        });
        return ok(undefined);
      },
      unsubscribe: jest.fn(),
    };
    const s = streamLogs(sources, D, { follow: true });
    expect(await seqs(s)).toEqual(range(1, 40).map((l) => l.seq));
    expect(await s.done).toEqual({ ok: true, data: { lastSeq: 40, status: 'succeeded' } });
    expect(sources.unsubscribe).toHaveBeenCalledWith(D, listener);
  });

  it('waits for lines a gap or the end names that log-ingest has not stored yet, instead of skipping them', async () => {
    let stored = 12; // the gap's lines 13..30 reach storage a moment after the gap is sent
    const reads: number[] = [];
    const sources: LogSources = {
      page: async (id, q) => {
        reads.push(q.afterSeq);
        if (reads.length === 3) stored = 40;
        return storage(stored)(id, q);
      },
      subscribe: async (_id, _after, _f, l) => {
        setImmediate(() => {
          l.logs!({ deploymentId: D, lines: range(1, 12), lastSeq: 12 });
          l.gap!({ deploymentId: D, fromSeq: 13, toSeq: 30, reason: 'slow-consumer', message: 'skipped' });
          l.logs!({ deploymentId: D, lines: range(31, 35), lastSeq: 35 });
          l.end!({ deploymentId: D, status: 'succeeded', lastSeq: 40 });
        });
        return ok(undefined);
      },
      unsubscribe: jest.fn(),
    };
    const s = streamLogs(sources, D, { follow: true });
    expect(await seqs(s)).toEqual(range(1, 40).map((l) => l.seq));
    expect(reads.slice(0, 3)).toEqual([12, 12, 12]);
  });

  it('ends with an error naming the lines when they are still not stored after storedWaitMs', async () => {
    const sources: LogSources = {
      page: storage(5),
      subscribe: async (_id, _after, _f, l) => (setImmediate(() => l.end!({ deploymentId: D, status: 'failed', lastSeq: 9 })), ok(undefined)),
      unsubscribe: jest.fn(),
    };
    const s = streamLogs(sources, D, { follow: true, storedWaitMs: 200 });
    expect(await seqs(s)).toEqual([1, 2, 3, 4, 5]);
    expect(await s.done).toMatchObject({ ok: false, error: { code: 'service/unavailable', message: expect.stringMatching(/^lines 6–9 of deployment .* were not stored within 200 ms/) } });
  });

  it('ends with the error, not a throw, when the subscription is refused', async () => {
    const refused: Result<unknown> = err('deployment/not-found', 'no such deployment');
    const s = streamLogs({ page: storage(0), subscribe: async () => refused, unsubscribe: jest.fn() }, D, {
      follow: true,
    });
    expect(await seqs(s)).toEqual([]);
    expect(await s.done).toEqual(refused);
  });

  it('stops when the reader breaks out, releasing the subscription', async () => {
    const sources: LogSources = {
      page: storage(0),
      subscribe: async (_id, _a, _f, l) => (
        setImmediate(() => l.logs!({ deploymentId: D, lines: range(1, 5), lastSeq: 5 })),
        ok(undefined)
      ),
      unsubscribe: jest.fn(),
    };
    const s = streamLogs(sources, D, { follow: true });
    for await (const l of s) if (l.seq === 3) break;
    expect(await s.done).toEqual({ ok: true, data: { lastSeq: 5, status: null } });
    await new Promise((r) => setImmediate(r));
    expect(sources.unsubscribe).toHaveBeenCalled();
  });
});
