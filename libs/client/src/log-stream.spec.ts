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
