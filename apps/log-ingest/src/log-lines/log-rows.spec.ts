import type { LogBatch, LogLine } from '@flightdeck/contracts';
import { copyField, copyText, distinctLines } from './log-rows';

const line = (seq: number, over: Partial<LogLine> = {}): LogLine => ({
  seq,
  timestamp: '2025-01-01T00:00:00.000Z',
  level: 'info',
  source: 'build',
  step: 'build',
  message: `line ${seq}`,
  ...over,
});
const batch = (deploymentId: string, seqs: number[]): LogBatch => ({ deploymentId, lines: seqs.map((s) => line(s)) });
const seqs = (batches: LogBatch[]) => batches.map((b) => [b.deploymentId, b.lines.map((l) => l.seq)]);

describe('distinct lines', () => {
  it('passes batches of increasing, non-overlapping seqs untouched', () => {
    const input = [batch('a', [1, 2, 3]), batch('b', [1, 2]), batch('a', [4, 5])];
    expect(seqs(distinctLines(input))).toEqual(seqs(input));
  });

  it('keeps the first of every repeated (deployment, seq)', () => {
    const input = [batch('a', [1, 2, 3]), batch('b', [1, 2]), batch('a', [3, 4]), batch('a', [2, 2, 5])];
    expect(seqs(distinctLines(input))).toEqual([
      ['a', [1, 2, 3]],
      ['b', [1, 2]],
      ['a', [4]],
      ['a', [5]],
    ]);
  });
});

describe('COPY text', () => {
  it('cuts a message past 16 Ki characters, saying so', () => {
    const [row] = [...copyText([{ deploymentId: 'd', lines: [line(1, { message: 'x'.repeat(20_000) })] }])];
    expect(row.split('\t')[6]).toBe(`${'x'.repeat(16_384)} …[3616 more characters cut]\n`);
  });

  it('escapes backslash, tab, newline and carriage return, and replaces NUL', () => {
    expect(copyField('plain text ✓')).toBe('plain text ✓');
    expect(copyField('a\\b\tc\nd\re\u0000f')).toBe('a\\\\b\\tc\\nd\\re\uFFFDf');
  });

  it('writes one row per line, columns in COLUMNS order, in chunks of whole rows', () => {
    const rows = [...copyText([{ deploymentId: 'd', lines: Array.from({ length: 1_500 }, (_, i) => line(i + 1, { step: 'x\ty' })) }])];
    expect(rows).toHaveLength(2);
    expect(rows.every((c) => c.endsWith('\n'))).toBe(true);
    expect(rows[0].split('\n')[0]).toBe('d\t1\t2025-01-01T00:00:00.000Z\tinfo\tbuild\tx\\ty\tline 1');
    expect(rows.join('').split('\n').length - 1).toBe(1_500);
  });
});
