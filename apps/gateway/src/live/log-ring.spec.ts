import type { LogLine } from '@flightdeck/contracts';
import { LogRing } from './log-ring';

const line = (seq: number, message = `line ${seq}`): LogLine => ({
  seq,
  timestamp: '2025-01-01T00:00:00.000Z',
  level: 'info',
  source: 'build',
  step: 'build',
  message,
});
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const seqs = (ls: LogLine[]) => ls.map((l) => l.seq);

describe('log ring', () => {
  it('anchors at the first line it gets, wherever the log starts', () => {
    const ring = new LogRing(100, 1e6);
    expect(ring.anchored).toBe(false);
    ring.append(lines(40, 45));
    expect([ring.anchored, ring.start, ring.end]).toEqual([true, 40, 45]);
    expect(ring.has(39)).toBe(false);
    expect(seqs(ring.after(39, 10))).toEqual([40, 41, 42, 43, 44, 45]);
  });

  it('skips lines it already holds and serves lines after a seq in order', () => {
    const ring = new LogRing(100, 1e6);
    ring.append(lines(1, 10));
    expect(ring.append(lines(5, 12))).toEqual({ rest: [] });
    expect(seqs(ring.after(8, 3))).toEqual([9, 10, 11]);
    expect(ring.after(12, 3)).toEqual([]);
  });

  it('stops at a gap and says which seqs are missing', () => {
    const ring = new LogRing(100, 1e6);
    ring.append(lines(1, 10));
    const r = ring.append([...lines(9, 11), ...lines(15, 16)]);
    expect(r.gap).toEqual({ from: 12, to: 14 });
    expect(seqs(r.rest)).toEqual([15, 16]);
    expect(ring.end).toBe(11);
  });

  it('drops the oldest lines past its line and byte bounds', () => {
    const byLines = new LogRing(5, 1e6);
    byLines.append(lines(1, 12));
    expect([byLines.start, byLines.end, byLines.size]).toEqual([8, 12, 5]);
    expect(byLines.has(7)).toBe(false);

    const byBytes = new LogRing(1_000, 1_000);
    byBytes.append([line(1, 'x'.repeat(600)), line(2, 'y'.repeat(600)), line(3, 'z')]);
    expect(byBytes.start).toBe(2);
  });

  it('restarts empty at a later seq after lines were lost', () => {
    const ring = new LogRing(100, 1e6);
    ring.append(lines(1, 10));
    ring.restartAt(20);
    expect([ring.start, ring.end, ring.size, ring.has(10)]).toEqual([20, 19, 0, false]);
    expect(ring.append(lines(20, 21))).toEqual({ rest: [] });
    expect(ring.end).toBe(21);
  });

  it('keeps serving correctly across many trims', () => {
    const ring = new LogRing(3_000, 1e9);
    for (let from = 1; from < 20_000; from += 500) ring.append(lines(from, from + 499));
    expect([ring.start, ring.end]).toEqual([17_001, 20_000]);
    expect(seqs(ring.after(19_997, 10))).toEqual([19_998, 19_999, 20_000]);
  });
});
