import { LogBatch, LogLinePage, isExactLogBatch, isExactLogLinePage } from './log-line.schema';

const aLine = (seq: number) => ({ seq, timestamp: '2026-12-01T10:00:00.123Z', level: 'info', source: 'build', step: 'build', message: `line ${seq}` });
const aBatch = (n = 3) => ({ deploymentId: '6f1c1d0e-8a53-4c5e-9a51-0c7c2d5b1e11', lines: Array.from({ length: n }, (_, i) => aLine(i + 1)) });

type Change = [string, (b: ReturnType<typeof aBatch>) => unknown];
const lineChange = (what: string, change: (l: Record<string, unknown>) => void): Change => [
  `a line with ${what}`,
  (b) => {
    change(b.lines[1] as Record<string, unknown>);
    return b;
  },
];

// The fast check may say no to a valid batch (LogBatch then decides), never yes to one LogBatch
// refuses or would change; and it says yes to the batches builders send.
describe('isExactLogBatch', () => {
  const changes: Change[] = [
    ['the builder\'s batch', (b) => b],
    ['5,000 lines', () => aBatch(5_000)],
    ['5,001 lines', () => aBatch(5_001)],
    ['no line', () => aBatch(0)],
    ['an extra key on the batch', (b) => ({ ...b, extra: 1 })],
    ['no deploymentId', (b) => ({ lines: b.lines, other: 'x' })],
    ['a deploymentId that is no uuid', (b) => ({ ...b, deploymentId: 'not-a-uuid' })],
    ['lines that are no array', (b) => ({ ...b, lines: { 0: b.lines[0] } })],
    ['a null line', (b) => ({ ...b, lines: [b.lines[0], null] })],
    ['a line that is an array', (b) => ({ ...b, lines: [b.lines[0], []] })],
    ['not an object', () => 'batch'],
    ['null', () => null],
    lineChange('an extra key', (l) => (l.extra = 'x')),
    lineChange('a missing message', (l) => delete l.message),
    lineChange('a key missing and another added', (l) => {
      delete l.message;
      l.text = 'x';
    }),
    lineChange('seq 0', (l) => (l.seq = 0)),
    lineChange('seq -1', (l) => (l.seq = -1)),
    lineChange('seq 1.5', (l) => (l.seq = 1.5)),
    lineChange('seq as a string', (l) => (l.seq = '2')),
    lineChange('seq past 2^31', (l) => (l.seq = 2 ** 31)),
    lineChange('seq past 2^53', (l) => (l.seq = 2 ** 53 + 2)),
    lineChange('a timestamp without an offset', (l) => (l.timestamp = '2026-12-01T10:00:00')),
    lineChange('a timestamp with +02:00', (l) => (l.timestamp = '2026-12-01T10:00:00+02:00')),
    lineChange('a timestamp with microseconds', (l) => (l.timestamp = '2026-12-01T10:00:00.123456Z')),
    lineChange('a date as timestamp', (l) => (l.timestamp = '2026-12-01')),
    lineChange('a number as timestamp', (l) => (l.timestamp = 1_764_583_200_000)),
    lineChange('an unknown level', (l) => (l.level = 'fatal')),
    lineChange('an unknown source', (l) => (l.source = 'ci')),
    lineChange('a step of 100 characters', (l) => (l.step = 's'.repeat(100))),
    lineChange('a step of 101 characters', (l) => (l.step = 's'.repeat(101))),
    lineChange('an empty message', (l) => (l.message = '')),
    lineChange('a message that is null', (l) => (l.message = null)),
    lineChange('a message of a megabyte with NUL', (l) => (l.message = 'x\u0000'.repeat(500_000))),
    lineChange('an undefined extra key', (l) => (l.extra = undefined)),
  ];

  it.each(changes)('gives the answer LogBatch gives, or leaves it to LogBatch, for %s', (_what, change) => {
    const input = change(aBatch());
    const fast = isExactLogBatch(input);
    const parsed = LogBatch.safeParse(input);
    if (fast) {
      expect(parsed.success).toBe(true);
      expect(parsed.data).toEqual(input);
      expect(Object.keys(parsed.data!.lines[1])).toEqual(Object.keys((input as ReturnType<typeof aBatch>).lines[1]));
    }
  });

  it("takes the builder's batches itself", () => {
    for (const [what, change] of changes) {
      const input = change(aBatch());
      const exact = LogBatch.safeParse(input).success && !/extra|undefined extra/.test(what);
      expect([what, isExactLogBatch(input)]).toEqual([what, exact]);
    }
  });
});

describe('isExactLogLinePage', () => {
  const aPage = () => ({ items: aBatch(1_000).lines, lastSeq: 1_000 });
  const pages: [string, unknown, boolean][] = [
    ['a page as log-ingest sends it', aPage(), true],
    ['an empty page', { items: [], lastSeq: 0 }, true],
    ['a page without lastSeq', { items: aBatch(2).lines }, true],
    ['a negative lastSeq', { ...aPage(), lastSeq: -1 }, false],
    ['a fractional lastSeq', { ...aPage(), lastSeq: 1.5 }, false],
    ['an extra key', { ...aPage(), more: true }, false],
    ['a line with a bad timestamp', { items: [{ ...aLine(1), timestamp: 'yesterday' }], lastSeq: 1 }, false],
    ['a line with an extra key', { items: [{ ...aLine(1), deploymentId: 'x' }], lastSeq: 1 }, false],
    ['items that are no array', { items: 'none', lastSeq: 1 }, false],
  ];

  it.each(pages)('answers %s as LogLinePage does, taking the pages log-ingest sends', (_what, page, exact) => {
    const fast = isExactLogLinePage(page);
    expect(fast).toBe(exact);
    if (fast) expect(LogLinePage.parse(page)).toEqual(page);
  });
});
